// Measures catch-ups and reads of the read models on a long journal. The market simulator
// writes a journal of --events events, which is projected in full once. Each run then appends
// about --new events, commits them and times one catch-up of the views file, and then one more
// catch-up that finds nothing new. Two ways are timed: a ReadModelWriter kept open with a new
// JournalReader per catch-up, as a thread that catches up every few hundred milliseconds does
// it, and catchUpReadModels(), which opens both files each time. Last, ReadModelReader::read()
// is timed on the views file. Prints the median, minimum and maximum of the runs.
//
//   bench_read_models [--events N] [--new N] [--runs N] [--dir DIR]

#include "engine.h"
#include "journal.h"
#include "read_model_queries.h"
#include "read_models.h"
#include "simulator.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace bourse;
using namespace bourse::storage;

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    std::uint64_t events = 1'000'000;
    std::uint64_t newEvents = 1'000;
    int runs = 9;
    std::string directory = std::filesystem::temp_directory_path().string();
};

double millisecondsSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// The median, minimum and maximum of a list of milliseconds, as one line.
void printTimes(const char *label, std::vector<double> times)
{
    std::sort(times.begin(), times.end());
    std::printf("%-44s median %9.3f ms  (min %9.3f, max %9.3f, %zu runs)\n", label,
                times[times.size() / 2], times.front(), times.back(), times.size());
}

// An engine driven by the market simulator, journaled to a file that stays open, as in a
// running terminal.
class SimulatedJournal {
public:
    explicit SimulatedJournal(const std::string &path)
        : m_engine(InstrumentId{1})
        , m_simulator(7)
    {
        JournalWriterOptions options;
        options.synchronous = SynchronousMode::Normal;
        JournalWriter::Created created = JournalWriter::create(path, options);
        if (!created.writer) {
            std::fprintf(stderr, "bench_read_models: %s\n", created.error->toString().c_str());
            std::exit(1);
        }
        m_writer = std::move(created.writer);
        m_engine.addHandler(m_writer.get());
    }

    // Runs the simulator until `count` more events are published, or a few more, because a
    // command ends only after all its events, and commits them.
    void append(std::uint64_t count)
    {
        const SequenceNumber target = m_engine.lastSequence() + count;
        while (m_engine.lastSequence() < target) {
            m_simulator.step(m_engine, Timestamp{++m_time});
        }
        m_engine.endBatch();
        if (std::optional<JournalError> error = m_writer->flush()) {
            std::fprintf(stderr, "bench_read_models: %s\n", error->toString().c_str());
            std::exit(1);
        }
    }

    SequenceNumber lastSequence() const { return m_engine.lastSequence(); }

private:
    Engine m_engine;
    MarketSimulator m_simulator;
    std::unique_ptr<JournalWriter> m_writer;
    std::int64_t m_time = 0;
};

void check(const CatchUpResult &result, SequenceNumber expected)
{
    if (result.error) {
        std::fprintf(stderr, "bench_read_models: %s\n", result.error->toString().c_str());
        std::exit(1);
    }
    if (result.lastSequence != expected || result.rebuildReason != RebuildReason::None) {
        std::fprintf(stderr,
                     "bench_read_models: the catch-up reached sequence %llu (%s) where %llu "
                     "was expected\n",
                     static_cast<unsigned long long>(result.lastSequence),
                     std::string(nameOf(result.rebuildReason)).c_str(),
                     static_cast<unsigned long long>(expected));
        std::exit(1);
    }
}

CatchUpResult catchUpWith(ReadModelWriter &writer, const std::string &journalPath)
{
    JournalReader::Opened reader = JournalReader::open(journalPath);
    if (!reader.reader) {
        std::fprintf(stderr, "bench_read_models: %s\n", reader.error->toString().c_str());
        std::exit(1);
    }
    return writer.catchUp(*reader.reader);
}

// Times `runs` catch-ups of about `newEvents` appended events, and of nothing new after each.
void measure(const char *label, SimulatedJournal &journal, const Options &options,
             const std::function<CatchUpResult()> &catchUp)
{
    std::vector<double> appended;
    std::vector<double> nothingNew;
    std::uint64_t projected = 0;
    for (int run = 0; run < options.runs; ++run) {
        journal.append(options.newEvents);
        Clock::time_point start = Clock::now();
        const CatchUpResult result = catchUp();
        appended.push_back(millisecondsSince(start));
        check(result, journal.lastSequence());
        projected += result.eventsProjected;

        start = Clock::now();
        const CatchUpResult again = catchUp();
        nothingNew.push_back(millisecondsSince(start));
        check(again, journal.lastSequence());
    }
    std::printf("%s: %.0f new events per catch-up on average\n", label,
                static_cast<double>(projected) / options.runs);
    printTimes("  catch-up of the new events", appended);
    printTimes("  catch-up with nothing new", nothingNew);
}

// Times `runs` reads of the views file with `query`.
void measureReads(const char *label, const std::string &viewsPath, const ReadModelQuery &query,
                  int runs)
{
    ReadModelReader::Opened opened = ReadModelReader::open(viewsPath);
    if (!opened.reader) {
        std::fprintf(stderr, "bench_read_models: %s\n", opened.error->toString().c_str());
        std::exit(1);
    }
    std::vector<double> times;
    ReadModelSnapshot snapshot;
    for (int run = 0; run < runs; ++run) {
        const Clock::time_point start = Clock::now();
        snapshot = opened.reader->read(query);
        times.push_back(millisecondsSince(start));
        if (snapshot.error) {
            std::fprintf(stderr, "bench_read_models: %s\n", snapshot.error->toString().c_str());
            std::exit(1);
        }
    }
    std::size_t trades = 0;
    std::size_t bars = 0;
    for (const InstrumentMarket &market : snapshot.markets) {
        trades += market.trades.size();
        bars += market.bars.size();
    }
    std::printf("%s: %zu working and %zu finished orders, %zu fills, %zu positions, %zu trades, "
                "%zu bars\n",
                label, snapshot.workingOrders.size(), snapshot.finishedOrders.size(),
                snapshot.fills.size(), snapshot.positions.size(), trades, bars);
    printTimes("  read()", times);
}

bool parseNumber(const char *text, std::uint64_t &value)
{
    char *end = nullptr;
    value = std::strtoull(text, &end, 10);
    return end != text && *end == '\0' && value > 0;
}

std::optional<Options> parseOptions(int argc, char **argv)
{
    Options options;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::uint64_t number = 0;
        const bool numeric = parseNumber(argv[i + 1], number);
        if (std::strcmp(argv[i], "--events") == 0 && numeric) {
            options.events = number;
        } else if (std::strcmp(argv[i], "--new") == 0 && numeric) {
            options.newEvents = number;
        } else if (std::strcmp(argv[i], "--runs") == 0 && numeric && number < 1000) {
            options.runs = static_cast<int>(number);
        } else if (std::strcmp(argv[i], "--dir") == 0) {
            options.directory = argv[i + 1];
        } else {
            return std::nullopt;
        }
    }
    if (argc % 2 == 0) {
        return std::nullopt;
    }
    return options;
}

} // namespace

int main(int argc, char **argv)
{
    const std::optional<Options> options = parseOptions(argc, argv);
    if (!options) {
        std::fprintf(stderr, "usage: bench_read_models [--events N] [--new N] [--runs N] "
                             "[--dir DIR]\n");
        return 2;
    }
    namespace fs = std::filesystem;
    const fs::path folder = fs::path(options->directory) / "bench-read-models";
    std::error_code code;
    fs::remove_all(folder, code);
    if (!fs::create_directories(folder, code)) {
        std::fprintf(stderr, "bench_read_models: failed to create %s: %s\n", folder.c_str(),
                     code.message().c_str());
        return 1;
    }
    const std::string journalPath = (folder / "day.journal").string();
    const std::string viewsPath = viewsPathFor(journalPath);

    {
        SimulatedJournal journal(journalPath);
        Clock::time_point start = Clock::now();
        journal.append(options->events);
        std::printf("journal: %llu events written in %.1f s\n",
                    static_cast<unsigned long long>(journal.lastSequence()),
                    millisecondsSince(start) / 1000);

        start = Clock::now();
        const std::clock_t processorStart = std::clock();
        check(catchUpReadModels(journalPath, viewsPath), journal.lastSequence());
        std::printf("views: projected in full in %.2f s, %.2f s of processor time\n",
                    millisecondsSince(start) / 1000,
                    static_cast<double>(std::clock() - processorStart) / CLOCKS_PER_SEC);

        ReadModelWriter::Opened writer = ReadModelWriter::open(viewsPath);
        if (!writer.writer) {
            std::fprintf(stderr, "bench_read_models: %s\n", writer.error->toString().c_str());
            return 1;
        }
        measure("writer kept open, new journal reader", journal, *options,
                [&]() { return catchUpWith(*writer.writer, journalPath); });
        writer.writer.reset();
        measure("catchUpReadModels(), both files opened", journal, *options,
                [&]() { return catchUpReadModels(journalPath, viewsPath); });
    }

    // The simulator trades instrument 1 only, so the query for instrument 2 finds no trade to
    // stop at: without an index it would read the whole tape.
    ReadModelQuery query;
    query.instruments = {InstrumentId{1}, InstrumentId{2}};
    measureReads("read(), the default limits", viewsPath, query, options->runs);
    fs::remove_all(folder, code);
    return 0;
}

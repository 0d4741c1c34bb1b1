#include "journal_benchmark.h"

#include "engine.h"
#include "engine_recovery.h"
#include "journal.h"
#include "simulator.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <vector>

namespace bourse::bench {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// The events an engine published, and after which of them a command ended: the journal writer
// closes chunks only where a command ended, so the benchmark hands the ends over too.
struct CollectedEvents {
    std::vector<Event> events;
    std::vector<bool> endsCommand; // one per event
};

// Collects the events an engine publishes, with the command ends.
class EventCollector : public EventHandler {
public:
    explicit EventCollector(CollectedEvents &collected)
        : m_collected(collected)
    {
    }
    void onEvent(const Event &event) override
    {
        m_collected.events.push_back(event);
        m_collected.endsCommand.push_back(false);
    }
    void onCommandEnd() override
    {
        if (!m_collected.endsCommand.empty())
            m_collected.endsCommand.back() = true;
    }

private:
    CollectedEvents &m_collected;
};

// Drives one engine with the market simulator until it has published `count` events or more.
void simulate(Engine &engine, std::uint64_t count)
{
    MarketSimulator simulator(7);
    std::int64_t time = 0;
    while (engine.lastSequence() < count)
        simulator.step(engine, Timestamp{++time});
    engine.endBatch();
}

MicrosecondPercentiles percentiles(std::vector<double> samples)
{
    MicrosecondPercentiles result;
    result.sampleCount = samples.size();
    if (samples.empty())
        return result;
    std::sort(samples.begin(), samples.end());
    const auto rank = [&](std::size_t perMille) {
        const std::size_t index =
            std::max<std::size_t>((samples.size() * perMille + 999) / 1000, 1);
        return samples[index - 1];
    };
    result.p50 = rank(500);
    result.p99 = rank(990);
    result.max = samples.back();
    return result;
}

// Hands pre-built events to a journal writer as fast as it takes them and times until the last
// one is committed. A chunk's commit latency runs from the event that filled it to the first
// commit that covers it.
bool measureGroupCommit(const CollectedEvents &collected, const std::string &path,
                        JournalBenchmarkResult &result, std::string &error)
{
    storage::JournalWriterOptions options;
    storage::JournalWriter::Created created = storage::JournalWriter::create(path, options);
    if (!created.writer) {
        error = created.error->toString();
        return false;
    }
    storage::JournalWriter &writer = *created.writer;

    std::mutex mutex;
    std::vector<std::pair<SequenceNumber, Clock::time_point>> commits;
    writer.setCommitListener([&](SequenceNumber committed) {
        const Clock::time_point now = Clock::now();
        std::lock_guard lock(mutex);
        commits.emplace_back(committed, now);
    });

    std::vector<std::pair<SequenceNumber, Clock::time_point>> handedOver;
    const std::vector<Event> &events = collected.events;
    handedOver.reserve(events.size() / options.eventsPerChunk + 1);
    const Clock::time_point start = Clock::now();
    for (std::size_t i = 0; i < events.size(); ++i) {
        writer.onEvent(events[i]);
        if (collected.endsCommand[i])
            writer.onCommandEnd();
        if (events[i].sequence % options.eventsPerChunk == 0)
            handedOver.emplace_back(events[i].sequence, Clock::now());
    }
    if (auto failed = writer.close()) {
        error = failed->toString();
        return false;
    }
    const double seconds = secondsSince(start);

    result.events = events.size();
    result.eventsPerSecond = static_cast<double>(events.size()) / seconds;
    result.transactions = commits.size();
    std::vector<double> latencies;
    std::size_t commit = 0;
    for (const auto &[sequence, time] : handedOver) {
        while (commit < commits.size() && commits[commit].first < sequence)
            ++commit;
        if (commit < commits.size())
            latencies.push_back(
                std::chrono::duration<double, std::micro>(commits[commit].second - time).count());
    }
    result.commitLatency = percentiles(std::move(latencies));
    return true;
}

// The yardstick: one row per 100-byte event, 1,000 rows per transaction, synchronous=FULL in
// WAL mode, with SQLite's defaults otherwise.
bool measureBaseline(std::uint64_t count, const std::string &path, JournalBenchmarkResult &result,
                     std::string &error)
{
    sqlite3 *database = nullptr;
    if (sqlite3_open(path.c_str(), &database) != SQLITE_OK) {
        error = "cannot create " + path + ": " + sqlite3_errmsg(database);
        sqlite3_close(database);
        return false;
    }
    const char *setup = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                        "CREATE TABLE events (sequence INTEGER PRIMARY KEY, time INTEGER, "
                        "type INTEGER, payload BLOB)";
    sqlite3_stmt *insert = nullptr;
    if (sqlite3_exec(database, setup, nullptr, nullptr, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(database, "INSERT INTO events VALUES (?1, ?2, ?3, ?4)", -1, &insert,
                           nullptr) != SQLITE_OK) {
        error = "cannot set up the baseline table: " + std::string(sqlite3_errmsg(database));
        sqlite3_close(database);
        return false;
    }

    std::vector<std::uint8_t> payload(100);
    std::uint64_t state = 0x9e3779b97f4a7c15ULL;
    bool ok = true;
    const Clock::time_point start = Clock::now();
    for (std::uint64_t sequence = 1; sequence <= count && ok; ++sequence) {
        if (sequence % 1000 == 1)
            ok = sqlite3_exec(database, "BEGIN", nullptr, nullptr, nullptr) == SQLITE_OK;
        for (std::uint8_t &byte : payload) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            byte = static_cast<std::uint8_t>(state >> 56);
        }
        sqlite3_bind_int64(insert, 1, static_cast<sqlite3_int64>(sequence));
        sqlite3_bind_int64(insert, 2, static_cast<sqlite3_int64>(sequence * 1000));
        sqlite3_bind_int64(insert, 3, static_cast<sqlite3_int64>(sequence % 16));
        sqlite3_bind_blob(insert, 4, payload.data(), static_cast<int>(payload.size()),
                          SQLITE_STATIC);
        ok = ok && sqlite3_step(insert) == SQLITE_DONE;
        sqlite3_reset(insert);
        if (ok && (sequence % 1000 == 0 || sequence == count))
            ok = sqlite3_exec(database, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK;
    }
    const double seconds = secondsSince(start);
    if (!ok)
        error = "the baseline insert failed: " + std::string(sqlite3_errmsg(database));
    sqlite3_finalize(insert);
    sqlite3_close(database);
    result.baselineEvents = count;
    result.baselineEventsPerSecond = static_cast<double>(count) / seconds;
    return ok;
}

// Reads a journal from `after` on into `engine` through restore(); returns false on damage.
bool restoreFrom(storage::JournalReader &reader, Engine &engine, std::string &error)
{
    while (std::optional<Event> event = reader.next()) {
        if (engine.restore(*event) != RestoreResult::Restored) {
            error = "restore failed at sequence " + std::to_string(event->sequence);
            return false;
        }
    }
    if (reader.error()) {
        error = reader.error()->toString();
        return false;
    }
    return true;
}

// Writes a journal of the simulated market with a snapshot a tenth from its end, then times a
// full replay and a restart from the snapshot.
bool measureRecovery(std::uint64_t count, const std::string &path, JournalBenchmarkResult &result,
                     std::string &error)
{
    {
        storage::JournalWriter::Created created = storage::JournalWriter::create(path);
        if (!created.writer) {
            error = created.error->toString();
            return false;
        }
        Engine engine(InstrumentId{1});
        engine.addHandler(created.writer.get());
        simulate(engine, count - count / 10);
        created.writer->writeSnapshot(engine.lastSequence(), engine.stateHash(), engine.snapshot());
        simulate(engine, count);
        if (auto failed = created.writer->close()) {
            error = failed->toString();
            return false;
        }
        result.recoveryEvents = engine.lastSequence();
    }

    {
        const Clock::time_point start = Clock::now();
        storage::JournalReader::Opened opened = storage::JournalReader::open(path);
        if (!opened.reader) {
            error = opened.error->toString();
            return false;
        }
        Engine engine(InstrumentId{1});
        if (!restoreFrom(*opened.reader, engine, error))
            return false;
        result.fullReplaySeconds = secondsSince(start);
    }

    // A restart as the executables do it: the newest good snapshot and the tail after it.
    const Clock::time_point start = Clock::now();
    const app::RecoveredEngine recovered = app::recoverEngine(path);
    result.restartSeconds = secondsSince(start);
    if (!recovered.engine) {
        error = recovered.error->toString();
        return false;
    }
    if (recovered.report.snapshotSequence == 0 ||
        recovered.report.lastSequence != result.recoveryEvents) {
        error = "the restart did not start from the snapshot or did not reach the last event";
        return false;
    }
    result.snapshotSequence = recovered.report.snapshotSequence;
    return true;
}

} // namespace

std::optional<JournalBenchmarkResult> runJournalBenchmark(const JournalBenchmarkOptions &options,
                                                          std::string &error)
{
    namespace fs = std::filesystem;
    const fs::path folder = fs::path(options.directory) / "bourse-bench-journal";
    std::error_code code;
    fs::remove_all(folder, code);
    if (!fs::create_directories(folder, code)) {
        error = "cannot create " + folder.string() + ": " + code.message();
        return std::nullopt;
    }

    JournalBenchmarkResult result;
    CollectedEvents events;
    events.events.reserve(options.events + 64);
    events.endsCommand.reserve(options.events + 64);
    {
        Engine engine(InstrumentId{1});
        EventCollector collector(events);
        engine.addHandler(&collector);
        simulate(engine, options.events);
    }

    const bool ok =
        measureBaseline(options.baselineEvents, (folder / "baseline.sqlite").string(), result,
                        error) &&
        measureGroupCommit(events, (folder / "group-commit.sqlite").string(), result, error) &&
        measureRecovery(options.recoveryEvents, (folder / "recovery.sqlite").string(), result,
                        error);
    fs::remove_all(folder, code);
    if (!ok)
        return std::nullopt;
    return result;
}

} // namespace bourse::bench

// bourse-engine sim: the simulated market without a screen, journaled as the terminal does.

#include "commands.h"
#include "output.h"

#include "engine_recovery.h"
#include "journal.h"
#include "journaled_run.h"
#include "simulator.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

namespace bourse::cli {

namespace {

constexpr const char *kUsage =
    "usage: bourse-engine sim --journal FILE [--seed S] [--rate EVENTS_PER_S] [--seconds N]\n"
    "                         [--snapshot-every N]\n"
    "\n"
    "Runs the simulated market of one instrument without a screen and journals every event.\n"
    "An existing journal is recovered first (newest good snapshot plus the events after it)\n"
    "and continued: the simulated flow takes over the recovered book's resting orders and\n"
    "starts its fair value at the book's mid price. As commits land it prints\n"
    "`acknowledged SEQ`: every event up to SEQ is durable. SIGINT or SIGTERM ends the run\n"
    "cleanly with a final snapshot.\n"
    "  --seed S            seed of the simulated order flow (default 1)\n"
    "  --rate N            events per second to aim for (default: as fast as possible)\n"
    "  --seconds N         stop after N seconds (default: run until a signal)\n"
    "  --snapshot-every N  store an engine snapshot every N events (default 1000000)\n"
    "Exit status: 0 clean stop, 1 the journal failed, 2 usage error, 3 damaged or unreadable\n"
    "journal (nothing runs).\n";

struct SimArguments {
    std::string journal;
    std::uint64_t seed = 1;
    std::optional<std::uint64_t> rate;
    std::optional<std::uint64_t> seconds;
    std::uint64_t snapshotEvery = 1'000'000;
};

std::atomic<bool> stopRequested{false};

void requestStop(int)
{
    stopRequested = true;
}

std::optional<std::uint64_t> parseCount(const std::string &text)
{
    std::uint64_t value = 0;
    const char *end = text.data() + text.size();
    const auto [stop, code] = std::from_chars(text.data(), end, value);
    if (code != std::errc{} || stop != end || value == 0)
        return std::nullopt;
    return value;
}

std::optional<SimArguments> parseArguments(const std::vector<std::string> &arguments)
{
    SimArguments parsed;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string &option = arguments[i];
        if (option != "--journal" && option != "--seed" && option != "--rate" &&
            option != "--seconds" && option != "--snapshot-every") {
            std::cerr << "bourse-engine sim: unknown option '" << option << "'\n";
            return std::nullopt;
        }
        if (i + 1 == arguments.size()) {
            std::cerr << "bourse-engine sim: missing value after " << option << "\n";
            return std::nullopt;
        }
        const std::string &value = arguments[++i];
        if (option == "--journal") {
            parsed.journal = value;
            continue;
        }
        const std::optional<std::uint64_t> count = parseCount(value);
        if (!count) {
            std::cerr << "bourse-engine sim: invalid " << option << " '" << value
                      << "'; expected a positive whole number\n";
            return std::nullopt;
        }
        if (option == "--seed")
            parsed.seed = *count;
        else if (option == "--rate")
            parsed.rate = *count;
        else if (option == "--seconds")
            parsed.seconds = *count;
        else
            parsed.snapshotEvery = *count;
    }
    if (parsed.journal.empty()) {
        std::cerr << "bourse-engine sim: --journal FILE is required\n";
        return std::nullopt;
    }
    return parsed;
}

InstrumentDefinition simulatedInstrument()
{
    InstrumentDefinition definition;
    definition.id = InstrumentId{1};
    const char symbol[] = "SIM";
    std::copy(std::begin(symbol), std::end(symbol) - 1, definition.symbol.begin());
    const char currency[] = "USD";
    std::copy(std::begin(currency), std::end(currency) - 1, definition.currency.begin());
    definition.priceDecimals = 2;
    return definition;
}

std::int64_t wallClockNanoseconds()
{
    const auto sinceEpoch = std::chrono::system_clock::now().time_since_epoch();
    return std::chrono::duration_cast<std::chrono::nanoseconds>(sinceEpoch).count();
}

void printAcknowledged(SequenceNumber sequence)
{
    std::printf("acknowledged %llu\n", static_cast<unsigned long long>(sequence));
    std::fflush(stdout);
}

} // namespace

int runSimCommand(const std::vector<std::string> &arguments)
{
    if (!arguments.empty() && (arguments[0] == "--help" || arguments[0] == "-h")) {
        std::cout << kUsage;
        return Success;
    }
    const std::optional<SimArguments> parsed = parseArguments(arguments);
    if (!parsed) {
        std::cerr << kUsage;
        return UsageError;
    }

    // An existing journal is locked before it is read, so a journal another process writes to
    // is reported at once instead of after a full check, and nothing can append between the
    // recovery and the writer's first event.
    std::unique_ptr<storage::JournalWriterLock> lock;
    std::error_code ignored;
    if (std::filesystem::is_regular_file(parsed->journal, ignored)) {
        storage::JournalWriterLock::Acquired acquired =
            storage::JournalWriterLock::acquire(parsed->journal);
        if (!acquired.lock) {
            std::cerr << "bourse-engine sim: " << acquired.error->toString() << "\n";
            return InputError;
        }
        lock = std::move(acquired.lock);
    }

    // Recover the journal's engine before the writer opens it, so that the engine continues
    // exactly where the journal ends.
    app::RecoveredEngine recovered =
        app::recoverEngine(parsed->journal, app::JournalCheck::EveryEvent);
    std::unique_ptr<Engine> engine;
    if (recovered.engine) {
        engine = std::move(recovered.engine);
        if (recovered.report.snapshotSequence == 0) {
            std::printf("recovered %llu events by a full replay (no snapshot)\n",
                        static_cast<unsigned long long>(recovered.report.lastSequence));
        } else {
            std::printf("recovered %llu events: snapshot at %llu, %llu events after it\n",
                        static_cast<unsigned long long>(recovered.report.lastSequence),
                        static_cast<unsigned long long>(recovered.report.snapshotSequence),
                        static_cast<unsigned long long>(recovered.report.tailEvents));
        }
        for (const std::string &skipped : recovered.report.skippedSnapshots)
            std::printf("skipped %s\n", skipped.c_str());
    } else if (recovered.error->kind == storage::JournalErrorKind::OpenFailed) {
        engine = std::make_unique<Engine>(); // no journal yet
    } else {
        std::cerr << "bourse-engine sim: " << recovered.error->toString() << "\n";
        return InputError;
    }

    storage::JournalWriter::Created created = lock
                                                  ? storage::JournalWriter::create(std::move(lock))
                                                  : storage::JournalWriter::create(parsed->journal);
    if (!created.writer) {
        std::cerr << "bourse-engine sim: " << created.error->toString() << "\n";
        return InputError;
    }
    app::JournaledRun journal(std::move(created.writer), *engine, parsed->snapshotEvery,
                              recovered.report.snapshotSequence);
    storage::JournalWriter &writer = journal.writer();
    engine->addHandler(&journal);
    if (engine->lastSequence() == 0)
        engine->addInstrument(simulatedInstrument(), Timestamp{0});

    std::signal(SIGINT, requestStop);
    std::signal(SIGTERM, requestStop);

    // The simulator takes over the resting orders of a recovered book, starts its fair value at
    // the book's mid price and numbers its orders above every id used. A new journal's empty
    // book is primed. The seed mixes in the sequence number, so a restart does not repeat the
    // flow of the run before it.
    MarketSimulator simulator = MarketSimulator::resume(parsed->seed ^ engine->lastSequence(),
                                                        MarketSimulator::Options{}, *engine);
    if (engine->book().orderCount() != 0)
        std::printf("resumed on %zu resting orders, fair value %lld ticks\n",
                    engine->book().orderCount(),
                    static_cast<long long>(simulator.fairValue().value()));

    using Clock = std::chrono::steady_clock;
    const Clock::time_point start = Clock::now();
    const SequenceNumber firstSequence = engine->lastSequence();
    SequenceNumber printed = writer.committedSequence();
    Clock::time_point lastPrint = start;
    // Events carry wall-clock time, as the terminal's do, so a journal that one continues after
    // the other keeps its time running forwards. Within a batch each command is a nanosecond
    // after the one before, so the time only moves forwards.
    std::int64_t time = 0;

    while (!stopRequested && !writer.error()) {
        const Clock::time_point now = Clock::now();
        const double elapsed = std::chrono::duration<double>(now - start).count();
        if (parsed->seconds && elapsed >= static_cast<double>(*parsed->seconds))
            break;

        time = std::max(time + 1, wallClockNanoseconds());
        // Up to a millisecond's worth of commands, then a batch end that hands the events over.
        const SequenceNumber target =
            parsed->rate
                ? firstSequence +
                      static_cast<SequenceNumber>(elapsed * static_cast<double>(*parsed->rate))
                : engine->lastSequence() + 4096;
        while (engine->lastSequence() < target && !stopRequested)
            simulator.step(*engine, Timestamp{time++});
        engine->endBatch();
        const SequenceNumber committed = writer.committedSequence();
        if (committed != printed && now - lastPrint >= std::chrono::milliseconds(50)) {
            printAcknowledged(committed);
            printed = committed;
            lastPrint = now;
        }
        if (parsed->rate && engine->lastSequence() >= target)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }

    engine->endBatch();
    const std::optional<storage::JournalError> failed = journal.finish();
    if (failed) {
        std::cerr << "bourse-engine sim: the journal failed: " << failed->toString() << "\n";
        return CheckFailed;
    }
    printAcknowledged(writer.committedSequence());
    std::printf("stopped at sequence %llu, state hash %s\n",
                static_cast<unsigned long long>(engine->lastSequence()),
                hex(engine->stateHash()).c_str());
    return Success;
}

} // namespace bourse::cli

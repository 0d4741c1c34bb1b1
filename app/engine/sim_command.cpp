// bourse-engine sim: the simulated market without a screen, journaled as the terminal does, or
// the agent market at full speed without a journal, to measure it and print its stream's hash.

#include "commands.h"
#include "output.h"
#include "sim_scenario.h"

#include "agent_market.h"
#include "agent_stream_hash.h"
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
#include <sstream>
#include <thread>

namespace bourse::cli {

namespace {

constexpr const char *kUsage =
    "usage: bourse-engine sim --journal FILE [--seed S] [--rate EVENTS_PER_S] [--seconds N]\n"
    "                         [--snapshot-every N]\n"
    "       bourse-engine sim --events N [--seed S] [--accounts] [--json]\n"
    "       bourse-engine sim --scenario FILE [--seed S] [--events N] [--accounts] [--json]\n"
    "\n"
    "With --journal, runs the simulated market of one instrument without a screen and journals\n"
    "every event.\n"
    "An existing journal is recovered first (newest good snapshot plus the events after it)\n"
    "and continued: the simulated flow takes over the recovered book's resting orders and\n"
    "starts its fair value at the book's mid price. As commits land it prints\n"
    "`acknowledged SEQ`: every event up to SEQ is durable. SIGINT or SIGTERM ends the run\n"
    "cleanly with a final snapshot.\n"
    "  --seed S            seed of the simulated order flow (default 1)\n"
    "  --rate N            events per second to aim for (default: as fast as possible)\n"
    "  --seconds N         stop after N seconds (default: run until a signal)\n"
    "  --snapshot-every N  store an engine snapshot every N events (default 1000000)\n"
    "\n"
    "With --events, runs the agent market, five instruments traded by market makers and by\n"
    "noise, momentum and informed traders, as fast as possible on a new engine without a\n"
    "journal, until it has published N events. It prints the hash of those N events (XXH64\n"
    "over each event's sequence number, time, instrument and codec bytes), the events per\n"
    "second, and the trades and mean spreads of each instrument. The same seed gives the same\n"
    "hash on every run and platform. Trades and spreads count up to the end of the step that\n"
    "published event N, which may publish a few more.\n"
    "  --events N          events to run for\n"
    "  --seed S            seed of the agents' draws (default 1)\n"
    "  --accounts          open the agents' accounts in the engine's portfolio, which posts\n"
    "                      their fills and checks their orders' risk (slower)\n"
    "  --json              print the figures as one JSON object\n"
    "\n"
    "With --scenario, runs a training scenario (docs/training.md) the same way, until the\n"
    "length on its market line, or N events when --events comes first. Besides the hash and\n"
    "the rate it prints each instrument's start price, trade price high, low and last, trades\n"
    "and mean spread, and each market event as it took effect, with the last price before it\n"
    "and the mean spread since the instrument's previous event.\n"
    "  --scenario FILE     the training scenario\n"
    "  --seed S            replaces the scenario's seed\n"
    "Exit status: 0 clean stop, 1 the journal failed, 2 usage error, 3 damaged or unreadable\n"
    "journal, or a missing or malformed scenario file (nothing runs).\n";

constexpr std::uint64_t kDefaultSnapshotEvery = 1'000'000;

struct SimArguments {
    std::string journal;
    std::uint64_t seed = 1;
    std::optional<std::uint64_t> rate;
    std::optional<std::uint64_t> seconds;
    std::optional<std::uint64_t> snapshotEvery;
    std::optional<std::uint64_t> events; // set: the agent market without a journal
    std::string scenario;                // set: a training scenario's agent market
    bool seedGiven = false;
    bool accounts = false;
    bool json = false;
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

// The first given option that only the journaled mode takes, or nullptr.
const char *journalOnlyOption(const SimArguments &parsed)
{
    if (!parsed.journal.empty())
        return "--journal";
    if (parsed.rate)
        return "--rate";
    if (parsed.seconds)
        return "--seconds";
    if (parsed.snapshotEvery)
        return "--snapshot-every";
    return nullptr;
}

// The first given option that only --events takes, or nullptr.
const char *eventsOnlyOption(const SimArguments &parsed)
{
    if (parsed.accounts)
        return "--accounts";
    if (parsed.json)
        return "--json";
    return nullptr;
}

// Checks that the options belong to one mode: --journal with its pacing and snapshot options,
// or --events with --accounts and --json.
bool checkMode(const SimArguments &parsed)
{
    const char *journalOption = journalOnlyOption(parsed);
    const char *eventsOption = eventsOnlyOption(parsed);
    if (parsed.events && journalOption) {
        std::cerr << "bourse-engine sim: " << journalOption
                  << " does not apply to --events, which runs without a journal\n";
        return false;
    }
    if (!parsed.scenario.empty()) {
        if (journalOption) {
            std::cerr << "bourse-engine sim: " << journalOption
                      << " does not apply to --scenario, which runs without a journal\n";
            return false;
        }
        return true;
    }
    if (!parsed.events && eventsOption) {
        std::cerr << "bourse-engine sim: " << eventsOption << " applies only with --events N\n";
        return false;
    }
    if (!parsed.events && parsed.journal.empty()) {
        std::cerr << "bourse-engine sim: --journal FILE or --events N is required\n";
        return false;
    }
    return true;
}

std::optional<SimArguments> parseArguments(const std::vector<std::string> &arguments)
{
    SimArguments parsed;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string &option = arguments[i];
        if (option == "--accounts") {
            parsed.accounts = true;
            continue;
        }
        if (option == "--json") {
            parsed.json = true;
            continue;
        }
        if (option != "--journal" && option != "--seed" && option != "--rate" &&
            option != "--seconds" && option != "--snapshot-every" && option != "--events" &&
            option != "--scenario") {
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
        if (option == "--scenario") {
            parsed.scenario = value;
            continue;
        }
        const std::optional<std::uint64_t> count = parseCount(value);
        if (!count) {
            std::cerr << "bourse-engine sim: invalid " << option << " '" << value
                      << "'; expected a positive whole number\n";
            return std::nullopt;
        }
        if (option == "--seed") {
            parsed.seed = *count;
            parsed.seedGiven = true;
        } else if (option == "--rate")
            parsed.rate = *count;
        else if (option == "--seconds")
            parsed.seconds = *count;
        else if (option == "--events")
            parsed.events = *count;
        else
            parsed.snapshotEvery = *count;
    }
    if (!checkMode(parsed))
        return std::nullopt;
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

// The figures of an agent market run.
struct AgentRun {
    std::uint64_t events = 0;
    std::uint64_t hash = 0;
    double seconds = 0;
    std::uint64_t trades = 0;
    std::uint64_t steps = 0;
    double simulatedSeconds = 0;
};

// The mean of `samples` values that add up to `sum`, in units of `unit`, or zero without
// samples.
double meanOf(std::int64_t sum, std::uint64_t samples, std::int64_t unit)
{
    return samples == 0 ? 0.0
                        : static_cast<double>(sum) / static_cast<double>(samples) /
                              static_cast<double>(unit);
}

void printAgentRun(const AgentRun &run, const SimArguments &arguments, const AgentMarket &market)
{
    const double rate = static_cast<double>(run.events) / run.seconds;
    std::ostringstream out;
    if (arguments.json) {
        out << "{\"seed\":" << arguments.seed
            << ",\"accounts\":" << (arguments.accounts ? "true" : "false")
            << ",\"events\":" << run.events << ",\"hash\":" << jsonString(hex(run.hash))
            << ",\"seconds\":" << run.seconds
            << ",\"events_per_second\":" << static_cast<std::uint64_t>(rate)
            << ",\"trades\":" << run.trades << ",\"steps\":" << run.steps
            << ",\"simulated_seconds\":" << run.simulatedSeconds << ",\"instruments\":[";
    } else {
        out << "events: " << run.events << "\nhash: " << hex(run.hash)
            << "\nseconds: " << run.seconds
            << "\nevents per second: " << static_cast<std::uint64_t>(rate)
            << "\ntrades: " << run.trades << "\nsteps: " << run.steps
            << "\nsimulated seconds: " << run.simulatedSeconds << "\n";
    }

    for (std::size_t index = 0; index < market.instrumentCount(); ++index) {
        const AgentInstrument &instrument = market.options().instruments[index];
        const AgentInstrumentStatistics &figures = market.statistics(index);
        const std::int64_t tick = instrument.tickSize.value();
        const double spread = meanOf(figures.spreadSum, figures.spreadSamples, tick);
        const double newsSpread = meanOf(figures.newsSpreadSum, figures.newsSpreadSamples, tick);
        if (arguments.json) {
            out << (index == 0 ? "" : ",") << "{\"symbol\":" << jsonString(instrument.symbol)
                << ",\"trades\":" << figures.trades << ",\"volume\":" << figures.volume.value()
                << ",\"news\":" << figures.news << ",\"mean_spread_ticks\":" << spread
                << ",\"mean_spread_after_news_ticks\":" << newsSpread << "}";
        } else {
            out << instrument.symbol << ": " << figures.trades << " trades, mean spread " << spread
                << " ticks, " << newsSpread << " after news (" << figures.news << " news)\n";
        }
    }
    if (arguments.json)
        out << "]}\n";
    std::cout << out.str();
}

// Runs the agent market on a new engine until it has published arguments.events events, with
// the stream's hash as the only handler besides the market's own.
int runAgentMarket(const SimArguments &arguments)
{
    const SequenceNumber events = *arguments.events;
    Engine engine;
    EventStreamHash hash(events);
    engine.addHandler(&hash);
    AgentMarket::Options options;
    options.openAccounts = arguments.accounts;

    using Clock = std::chrono::steady_clock;
    const Clock::time_point start = Clock::now();
    AgentMarket market(engine, arguments.seed, options);
    market.runUntil(events);
    const Clock::time_point end = Clock::now();

    AgentRun run;
    run.events = hash.eventCount();
    run.hash = hash.value();
    run.seconds = std::chrono::duration<double>(end - start).count();
    run.trades = engine.tradeCount();
    run.steps = market.stepCount();
    run.simulatedSeconds =
        static_cast<double>(market.time().value() - options.startTime.value()) / 1e9;
    printAgentRun(run, arguments, market);
    return Success;
}

// Runs the one-instrument simulated market into a journal, continuing what it holds.
int runJournaled(const SimArguments &arguments)
{
    // An existing journal is locked before it is read, so a journal another process writes to
    // is reported at once instead of after a full check, and nothing can append between the
    // recovery and the writer's first event.
    std::unique_ptr<storage::JournalWriterLock> lock;
    std::error_code ignored;
    if (std::filesystem::is_regular_file(arguments.journal, ignored)) {
        storage::JournalWriterLock::Acquired acquired =
            storage::JournalWriterLock::acquire(arguments.journal);
        if (!acquired.lock) {
            std::cerr << "bourse-engine sim: " << acquired.error->toString() << "\n";
            return InputError;
        }
        lock = std::move(acquired.lock);
    }

    // Recover the journal's engine before the writer opens it, so that the engine continues
    // exactly where the journal ends.
    app::RecoveredEngine recovered =
        app::recoverEngine(arguments.journal, app::JournalCheck::EveryEvent);
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

    storage::JournalWriter::Created created =
        lock ? storage::JournalWriter::create(std::move(lock))
             : storage::JournalWriter::create(arguments.journal);
    if (!created.writer) {
        std::cerr << "bourse-engine sim: " << created.error->toString() << "\n";
        return InputError;
    }
    app::JournaledRun journal(std::move(created.writer), *engine,
                              arguments.snapshotEvery.value_or(kDefaultSnapshotEvery),
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
    MarketSimulator simulator = MarketSimulator::resume(arguments.seed ^ engine->lastSequence(),
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
        if (arguments.seconds && elapsed >= static_cast<double>(*arguments.seconds))
            break;

        time = std::max(time + 1, wallClockNanoseconds());
        // Up to a millisecond's worth of commands, then a batch end that hands the events over.
        const SequenceNumber target =
            arguments.rate
                ? firstSequence +
                      static_cast<SequenceNumber>(elapsed * static_cast<double>(*arguments.rate))
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
        if (arguments.rate && engine->lastSequence() >= target)
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
    if (!parsed->scenario.empty()) {
        ScenarioSimArguments scenario{parsed->scenario, std::nullopt, parsed->events,
                                      parsed->accounts, parsed->json};
        if (parsed->seedGiven)
            scenario.seed = parsed->seed;
        return runScenarioSimulation(scenario);
    }
    return parsed->events ? runAgentMarket(*parsed) : runJournaled(*parsed);
}

} // namespace bourse::cli

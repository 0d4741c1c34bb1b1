#include "stream_benchmark.h"

#include "engine.h"

#include <algorithm>
#include <chrono>
#include <memory>

namespace bourse::bench {

namespace {

using Clock = std::chrono::steady_clock;

// The state one replay ends in, compared between replays to detect nondeterminism.
struct ReplayOutcome {
    std::size_t resting = 0;
    std::size_t memoryBytes = 0;
    std::uint64_t checksum = 0;
    EventCounts events{};
};

// Every add is a plain GTC limit order on the engine's primary instrument, of account 0 or, with
// risk, of the account that accountOf() assigns. Stream ids are used as the engine's order ids.
// The order is reused from one add to the next and only the fields a stream command sets are
// written, as a gateway that decodes into one buffer does.
template <bool Risk>
void applyCommand(Engine &engine, const StreamCommand &command, NewOrder &order, Timestamp time)
{
    if (command.operation == Operation::Cancel) {
        engine.cancel(OrderId{command.id}, time);
        return;
    }
    order.id = OrderId{command.id};
    order.side = command.side;
    order.limit = Price{command.price};
    order.quantity = Quantity{command.quantity};
    if constexpr (Risk)
        order.account = accountOf(command);
    engine.submit(order, time);
}

// The time of command i is start + i * interval. Without risk it is i, because no rule reads
// the time.
struct ReplayClock {
    std::int64_t start = 0;
    std::int64_t interval = 1;

    Timestamp operator()(std::size_t index) const
    {
        return Timestamp{start + static_cast<std::int64_t>(index) * interval};
    }
};

ReplayClock clockOf(const RiskSetup *risk)
{
    return risk == nullptr ? ReplayClock{} : ReplayClock{kReplayStart, risk->commandInterval};
}

// Engine(InstrumentId{1}) without risk; with risk, a fresh engine that setUpRisk() prepared,
// which runStreamBenchmark() checked beforehand.
std::unique_ptr<Engine> createEngine(const RiskSetup *risk)
{
    if (risk == nullptr)
        return std::make_unique<Engine>(InstrumentId{1});
    auto engine = std::make_unique<Engine>();
    setUpRisk(*engine, *risk, true);
    return engine;
}

ReplayOutcome outcomeOf(const Engine &engine, const EventConsumer &consumer)
{
    return ReplayOutcome{engine.book().orderCount(), engine.memoryBytes(), consumer.checksum(),
                         consumer.counts()};
}

// Returns the replay's commands per second.
template <bool Risk>
double replayTimed(const CommandStream &stream, const RiskSetup *risk, ReplayOutcome &outcome)
{
    const std::unique_ptr<Engine> created = createEngine(risk);
    Engine &engine = *created;
    EventConsumer consumer;
    engine.addHandler(&consumer);

    const std::vector<StreamCommand> &commands = stream.commands;
    const ReplayClock clock = clockOf(risk);
    NewOrder order;
    const Clock::time_point start = Clock::now();
    for (std::size_t i = 0; i < commands.size(); ++i)
        applyCommand<Risk>(engine, commands[i], order, clock(i));
    engine.endBatch();
    const Clock::time_point stop = Clock::now();

    outcome = outcomeOf(engine, consumer);
    return static_cast<double>(commands.size()) /
           std::chrono::duration<double>(stop - start).count();
}

// Raw nanoseconds of each add and of each cancel, clock overhead included.
struct LatencySamples {
    std::vector<std::int64_t> adds;
    std::vector<std::int64_t> cancels;
};

template <bool Risk>
LatencySamples replayTimingEachCommand(const CommandStream &stream, const RiskSetup *risk,
                                       ReplayOutcome &outcome)
{
    const std::unique_ptr<Engine> created = createEngine(risk);
    Engine &engine = *created;
    EventConsumer consumer;
    engine.addHandler(&consumer);

    LatencySamples samples;
    samples.adds.reserve(stream.addCount);
    samples.cancels.reserve(stream.cancelCount);
    const std::vector<StreamCommand> &commands = stream.commands;
    const ReplayClock clock = clockOf(risk);
    NewOrder order;
    for (std::size_t i = 0; i < commands.size(); ++i) {
        const Timestamp time = clock(i);
        const Clock::time_point start = Clock::now();
        applyCommand<Risk>(engine, commands[i], order, time);
        const Clock::time_point stop = Clock::now();

        const std::int64_t nanoseconds = (stop - start).count();
        if (commands[i].operation == Operation::Add)
            samples.adds.push_back(nanoseconds);
        else
            samples.cancels.push_back(nanoseconds);
    }
    engine.endBatch();

    outcome = outcomeOf(engine, consumer);
    return samples;
}

// Raw nanoseconds of the risk checks, clock overhead included, and the rules that failed.
struct CheckSamples {
    std::vector<std::int64_t> single;   // one call per add
    std::vector<std::int64_t> repeated; // kCheckRepeats calls for every kRepeatedEvery-th add
    std::array<std::uint64_t, kRiskRuleCount> failed{}; // by RiskRule, passes not counted
    std::uint64_t disagreements = 0; // repeated calls whose rule differs from the single call's
};

constexpr std::size_t kCheckRepeats = 16;
constexpr std::size_t kRepeatedEvery = 16;

// The order RiskTracker::check() receives for an add in submit(): the engine builds it from the
// NewOrder, which for the stream's plain limit orders has these fields and defaults.
OrderAccepted acceptedOf(const StreamCommand &add)
{
    OrderAccepted accepted{};
    accepted.id = OrderId{add.id};
    accepted.side = add.side;
    accepted.type = OrderType::Limit;
    accepted.limit = Price{add.price};
    accepted.quantity = Quantity{add.quantity};
    accepted.account = accountOf(add);
    accepted.timeInForce = TimeInForce::Gtc;
    return accepted;
}

// A replay with risk that times RiskTracker::check() for each add just before submitting it, so
// at the state and time the engine checks it in. Each add is timed once on its own, as the
// engine checks it once. Every kRepeatedEvery-th add is also timed kCheckRepeats times in a row:
// the batch spreads the clock's overhead and resolution over many calls, but after the first
// call the check finds its data in cache.
CheckSamples replayTimingRiskChecks(const CommandStream &stream, const RiskSetup &risk,
                                    ReplayOutcome &outcome)
{
    const std::unique_ptr<Engine> created = createEngine(&risk);
    Engine &engine = *created;
    EventConsumer consumer;
    engine.addHandler(&consumer);
    const RiskTracker &tracker = engine.risk();
    const InstrumentId instrument = risk.instrument.id;

    CheckSamples samples;
    samples.single.reserve(stream.addCount);
    samples.repeated.reserve(stream.addCount / kRepeatedEvery + 1);
    const std::vector<StreamCommand> &commands = stream.commands;
    const ReplayClock clock = clockOf(&risk);
    NewOrder order;
    for (std::size_t i = 0; i < commands.size(); ++i) {
        const StreamCommand &command = commands[i];
        const Timestamp time = clock(i);
        if (command.operation == Operation::Add) {
            const OrderAccepted accepted = acceptedOf(command);
            const Clock::time_point start = Clock::now();
            const RiskRule rule = tracker.check(accepted, instrument, time).rule;
            const Clock::time_point stop = Clock::now();
            samples.single.push_back((stop - start).count());
            if (rule != RiskRule::None)
                ++samples.failed[static_cast<std::size_t>(rule)];

            if (samples.single.size() % kRepeatedEvery == 0) {
                const Clock::time_point first = Clock::now();
                for (std::size_t repeat = 0; repeat < kCheckRepeats; ++repeat)
                    samples.disagreements += tracker.check(accepted, instrument, time).rule != rule;
                const Clock::time_point last = Clock::now();
                samples.repeated.push_back((last - first).count());
            }
        }
        applyCommand<true>(engine, command, order, time);
    }
    engine.endBatch();

    outcome = outcomeOf(engine, consumer);
    return samples;
}

// The median cost of reading the clock twice back to back, which every latency sample
// includes once.
std::int64_t measureClockOverhead()
{
    constexpr std::size_t kPairs = 200'000;
    std::vector<std::int64_t> durations(kPairs);
    for (std::int64_t &duration : durations) {
        const Clock::time_point first = Clock::now();
        const Clock::time_point second = Clock::now();
        duration = (second - first).count();
    }
    std::nth_element(durations.begin(), durations.begin() + kPairs / 2, durations.end());
    return durations[kPairs / 2];
}

// The nearest-rank percentile: the smallest sample that at least perMille / 1000 of the
// samples do not exceed. `sorted` is in ascending order and not empty.
std::int64_t percentile(const std::vector<std::int64_t> &sorted, std::size_t perMille)
{
    const std::size_t rank = std::max<std::size_t>((sorted.size() * perMille + 999) / 1000, 1);
    return sorted[rank - 1];
}

LatencySummary summarize(std::vector<std::int64_t> &samples, std::int64_t clockOverhead)
{
    LatencySummary summary;
    summary.sampleCount = samples.size();
    if (samples.empty())
        return summary;

    for (std::int64_t &sample : samples)
        sample = std::max<std::int64_t>(sample - clockOverhead, 0);
    std::sort(samples.begin(), samples.end());
    summary.p50 = percentile(samples, 500);
    summary.p99 = percentile(samples, 990);
    summary.p999 = percentile(samples, 999);
    summary.max = samples.back();
    return summary;
}

bool sameOutcome(const ReplayOutcome &a, const ReplayOutcome &b)
{
    return a.resting == b.resting && a.checksum == b.checksum && a.events == b.events;
}

// Per call, from the raw nanoseconds of batches of `repeats` calls, rounded to the nearest.
LatencySummary summarizeRepeated(std::vector<std::int64_t> &batches, std::int64_t clockOverhead,
                                 std::size_t repeats)
{
    const auto count = static_cast<std::int64_t>(repeats);
    for (std::int64_t &batch : batches)
        batch = (std::max<std::int64_t>(batch - clockOverhead, 0) + count / 2) / count;
    return summarize(batches, 0);
}

const char *const kNotDeterministic =
    " produced other events than run 1; the engine is not deterministic, so its figures are "
    "not comparable";

// The timed runs and the latency pass: fills the rates, the latencies and the clock overhead of
// `result`, and `first` with the first run's outcome.
template <bool Risk>
bool measureReplays(const CommandStream &stream, int runs, const RiskSetup *risk,
                    StreamResult &result, ReplayOutcome &first, std::string &error)
{
    for (int run = 1; run <= runs; ++run) {
        ReplayOutcome outcome;
        result.rates.push_back(replayTimed<Risk>(stream, risk, outcome));
        if (run == 1) {
            first = outcome;
        } else if (!sameOutcome(outcome, first)) {
            error = "run " + std::to_string(run) + kNotDeterministic;
            return false;
        }
    }
    std::sort(result.rates.begin(), result.rates.end());

    result.clockOverheadNanoseconds = measureClockOverhead();
    ReplayOutcome timedEach;
    LatencySamples samples = replayTimingEachCommand<Risk>(stream, risk, timedEach);
    if (!sameOutcome(timedEach, first)) {
        error = std::string("the latency pass") + kNotDeterministic;
        return false;
    }
    result.addLatency = summarize(samples.adds, result.clockOverheadNanoseconds);
    result.cancelLatency = summarize(samples.cancels, result.clockOverheadNanoseconds);
    return true;
}

std::optional<RiskResult> measureRiskChecks(const CommandStream &stream, const RiskSetup &setup,
                                            const ReplayOutcome &first, std::int64_t clockOverhead,
                                            std::string &error)
{
    ReplayOutcome outcome;
    CheckSamples samples = replayTimingRiskChecks(stream, setup, outcome);
    if (!sameOutcome(outcome, first)) {
        error = std::string("the risk check pass") + kNotDeterministic;
        return std::nullopt;
    }
    if (samples.disagreements != 0) {
        error = std::to_string(samples.disagreements) +
                " repeated risk checks of an add returned another rule than its first check";
        return std::nullopt;
    }

    RiskResult risk;
    risk.setup = setup;
    risk.rejected = first.events[static_cast<std::size_t>(EventType::RiskRejected)];
    std::uint64_t failed = 0;
    for (const std::uint64_t count : samples.failed)
        failed += count;
    if (failed != risk.rejected) {
        error = "the timed risk checks failed " + std::to_string(failed) + " adds but the " +
                "engine rejected " + std::to_string(risk.rejected) +
                ", so the timed checks are not the ones the engine makes";
        return std::nullopt;
    }
    risk.failedChecks = samples.failed;
    risk.check = summarize(samples.single, clockOverhead);
    risk.repeatedCheck = summarizeRepeated(samples.repeated, clockOverhead, kCheckRepeats);
    risk.repeats = kCheckRepeats;
    return risk;
}

} // namespace

std::optional<StreamResult> runStreamBenchmark(const CommandStream &stream,
                                               const StreamOptions &options, std::string &error)
{
    StreamResult result;
    ReplayOutcome first;
    if (options.risk) {
        const std::optional<RiskSetup> setup = calibrateRisk(stream, options.commandInterval);
        Engine probe;
        if (!setup || !setUpRisk(probe, *setup, true)) {
            error = "the engine rejected the risk setup: the instrument, an account or its limits";
            return std::nullopt;
        }
        if (!measureReplays<true>(stream, options.runs, &*setup, result, first, error))
            return std::nullopt;
        result.risk =
            measureRiskChecks(stream, *setup, first, result.clockOverheadNanoseconds, error);
        if (!result.risk)
            return std::nullopt;
    } else if (!measureReplays<false>(stream, options.runs, nullptr, result, first, error)) {
        return std::nullopt;
    }

    result.resting = first.resting;
    result.memoryBytes = first.memoryBytes;
    result.checksum = first.checksum;
    result.events = first.events;
    result.trades = first.events[static_cast<std::size_t>(EventType::Trade)];
    return result;
}

} // namespace bourse::bench

#include "stream_benchmark.h"

#include "engine.h"

#include <algorithm>
#include <chrono>

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

// Every add is a plain GTC limit order of account 0 on instrument 1. Stream ids are used as
// the engine's order ids. The order is reused from one add to the next and only the fields a
// stream command sets are written, as a gateway that decodes into one buffer does.
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
    engine.submit(order, time);
}

ReplayOutcome outcomeOf(const Engine &engine, const EventConsumer &consumer)
{
    return ReplayOutcome{engine.book().orderCount(), engine.memoryBytes(), consumer.checksum(),
                         consumer.counts()};
}

// Returns the replay's commands per second.
double replayTimed(const CommandStream &stream, ReplayOutcome &outcome)
{
    Engine engine(InstrumentId{1});
    EventConsumer consumer;
    engine.addHandler(&consumer);

    const std::vector<StreamCommand> &commands = stream.commands;
    NewOrder order;
    const Clock::time_point start = Clock::now();
    for (std::size_t i = 0; i < commands.size(); ++i)
        applyCommand(engine, commands[i], order, Timestamp{static_cast<std::int64_t>(i)});
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

LatencySamples replayTimingEachCommand(const CommandStream &stream, ReplayOutcome &outcome)
{
    Engine engine(InstrumentId{1});
    EventConsumer consumer;
    engine.addHandler(&consumer);

    LatencySamples samples;
    samples.adds.reserve(stream.addCount);
    samples.cancels.reserve(stream.cancelCount);
    const std::vector<StreamCommand> &commands = stream.commands;
    NewOrder order;
    for (std::size_t i = 0; i < commands.size(); ++i) {
        const Clock::time_point start = Clock::now();
        applyCommand(engine, commands[i], order, Timestamp{static_cast<std::int64_t>(i)});
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

} // namespace

std::optional<StreamResult> runStreamBenchmark(const CommandStream &stream, int runs,
                                               std::string &error)
{
    StreamResult result;
    ReplayOutcome first;
    for (int run = 1; run <= runs; ++run) {
        ReplayOutcome outcome;
        result.rates.push_back(replayTimed(stream, outcome));
        if (run == 1)
            first = outcome;
        else if (!sameOutcome(outcome, first)) {
            error = "run " + std::to_string(run) + " produced other events than run 1; " +
                    "the engine is not deterministic, so its figures are not comparable";
            return std::nullopt;
        }
    }
    std::sort(result.rates.begin(), result.rates.end());

    result.clockOverheadNanoseconds = measureClockOverhead();
    ReplayOutcome timedEach;
    LatencySamples samples = replayTimingEachCommand(stream, timedEach);
    if (!sameOutcome(timedEach, first)) {
        error = "the latency pass produced other events than run 1; the engine is not "
                "deterministic, so its figures are not comparable";
        return std::nullopt;
    }
    result.addLatency = summarize(samples.adds, result.clockOverheadNanoseconds);
    result.cancelLatency = summarize(samples.cancels, result.clockOverheadNanoseconds);

    result.resting = first.resting;
    result.memoryBytes = first.memoryBytes;
    result.checksum = first.checksum;
    result.events = first.events;
    result.trades = first.events[static_cast<std::size_t>(EventType::Trade)];
    return result;
}

} // namespace bourse::bench

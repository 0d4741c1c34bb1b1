#include "resting_benchmark.h"

#include "engine.h"
#include "random.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>

namespace bourse::bench {

namespace {

constexpr std::int64_t kMidPrice = 100'000; // ticks
constexpr std::uint64_t kLevelsPerSide = 1'000;
constexpr std::uint64_t kSeed = 20'240'601;

// The peak resident set size of this process, from the VmHWM line of /proc/self/status.
std::optional<std::size_t> peakResidentBytes()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0)
            return static_cast<std::size_t>(std::stoull(line.substr(6))) * 1024; // kB
    }
    return std::nullopt;
}

// The minimum of two uniform draws: a distance from the mid, in ticks, whose density falls
// linearly from the best level to the last, as depth thins out away from the touch.
std::int64_t distanceFromMid(Xoshiro256StarStar &random)
{
    const std::uint64_t distance =
        std::min(random.below(kLevelsPerSide), random.below(kLevelsPerSide));
    return static_cast<std::int64_t>(distance) + 1;
}

NewOrder restingOrder(std::uint64_t id, Xoshiro256StarStar &random)
{
    NewOrder order;
    order.id = OrderId{id};
    order.side = id % 2 == 0 ? Side::Buy : Side::Sell;
    order.type = OrderType::Limit;
    const std::int64_t distance = distanceFromMid(random);
    order.limit = Price{order.side == Side::Buy ? kMidPrice - distance : kMidPrice + distance};
    order.quantity = Quantity{random.between(1, 10) * 100};
    return order;
}

} // namespace

RestingResult runRestingBenchmark(std::uint64_t orderCount)
{
    Engine engine(InstrumentId{1});
    EventConsumer consumer;
    engine.addHandler(&consumer);
    Xoshiro256StarStar random(kSeed);
    const std::optional<std::size_t> peakBefore = peakResidentBytes();

    const auto start = std::chrono::steady_clock::now();
    for (std::uint64_t id = 1; id <= orderCount; ++id)
        engine.submit(restingOrder(id, random), Timestamp{static_cast<std::int64_t>(id)});
    engine.endBatch();
    const auto stop = std::chrono::steady_clock::now();

    RestingResult result;
    result.submitted = orderCount;
    result.resting = engine.book().orderCount();
    result.memoryBytes = engine.memoryBytes();
    const std::optional<std::size_t> peakAfter = peakResidentBytes();
    if (peakBefore && peakAfter)
        result.peakResidentGrowthBytes = *peakAfter - *peakBefore;
    result.ordersPerSecond =
        static_cast<double>(orderCount) / std::chrono::duration<double>(stop - start).count();
    result.trades = consumer.count(EventType::Trade);
    result.checksum = consumer.checksum();
    return result;
}

} // namespace bourse::bench

#pragma once

#include "event_consumer.h"

#include <cstddef>
#include <cstdint>
#include <optional>

namespace bourse::bench {

struct RestingResult {
    std::uint64_t submitted = 0;
    std::size_t resting = 0;     // orders in the book at the end, all of them when correct
    std::size_t memoryBytes = 0; // Engine::memoryBytes() at the end
    // Growth of the process's peak resident set (VmHWM) while the book filled. Empty where
    // /proc/self/status is not available.
    std::optional<std::size_t> peakResidentGrowthBytes;
    double ordersPerSecond = 0;
    std::uint64_t trades = 0;
    std::uint64_t checksum = 0;
};

// Fills one book with `orderCount` non-crossing limit orders: bids below a fixed mid price,
// asks above it, more of them near the mid, across 1,000 price levels a side.
RestingResult runRestingBenchmark(std::uint64_t orderCount);

} // namespace bourse::bench

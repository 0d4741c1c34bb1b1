#pragma once

#include "command_stream.h"
#include "event_consumer.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bourse::bench {

// Percentiles of one kind of command, in nanoseconds, by the nearest-rank method, after the
// clock overhead was subtracted from each sample.
struct LatencySummary {
    std::size_t sampleCount = 0;
    std::int64_t p50 = 0;
    std::int64_t p99 = 0;
    std::int64_t p999 = 0;
    std::int64_t max = 0;
};

struct StreamResult {
    std::vector<double> rates; // commands per second of each timed run, in ascending order
    LatencySummary addLatency;
    LatencySummary cancelLatency;
    std::int64_t clockOverheadNanoseconds = 0;
    std::size_t resting = 0;     // orders in the book after the last command
    std::size_t memoryBytes = 0; // Engine::memoryBytes() after the last command
    std::uint64_t trades = 0;
    std::uint64_t checksum = 0;
    EventCounts events{};

    double medianRate() const { return rates[rates.size() / 2]; }
};

// Replays the stream `runs` times into a fresh engine each time, timing each whole run, then
// once more timing every command on its own. Returns nothing and sets `error` when two
// replays of the same stream produce different events, which makes the figures meaningless.
std::optional<StreamResult> runStreamBenchmark(const CommandStream &stream, int runs,
                                               std::string &error);

} // namespace bourse::bench

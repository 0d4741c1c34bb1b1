#pragma once

#include "command_stream.h"
#include "event_consumer.h"
#include "risk_setup.h"

#include <array>
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

struct StreamOptions {
    int runs = 5;      // timed replays
    bool risk = false; // replay with pre-trade risk checks (see risk_setup.h)
    std::int64_t commandInterval = kDefaultCommandInterval; // the risk replay's clock, in ns
};

// Figures of a replay with pre-trade risk checks.
struct RiskResult {
    RiskSetup setup;
    std::uint64_t rejected = 0; // RiskRejected events of one replay
    // Failed checks of the check pass by RiskRule, which add up to `rejected`.
    std::array<std::uint64_t, kRiskRuleCount> failedChecks{};
    LatencySummary check;         // one timed RiskTracker::check() per add
    LatencySummary repeatedCheck; // per call, from batches of calls for the same add
    std::size_t repeats = 0;      // calls in each batch
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
    std::optional<RiskResult> risk; // with StreamOptions::risk only

    double medianRate() const { return rates[rates.size() / 2]; }
};

// Replays the stream `options.runs` times into a fresh engine each time, timing each whole run,
// then once more timing every command on its own. With `options.risk`, a calibration replay
// comes first (calibrateRisk()), every replay runs with risk checks, and a last one times the
// check of each add. Returns nothing and sets `error` when two replays of the same stream
// produce different events, which makes the figures meaningless, when the engine rejects the
// risk setup, or when the timed checks decide otherwise than the engine.
std::optional<StreamResult> runStreamBenchmark(const CommandStream &stream,
                                               const StreamOptions &options, std::string &error);

} // namespace bourse::bench

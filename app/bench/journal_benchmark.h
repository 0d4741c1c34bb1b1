#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace bourse::bench {

struct JournalBenchmarkOptions {
    std::string directory;                  // where the journals are written
    std::uint64_t events = 2'000'000;       // events through the group-commit writer
    std::uint64_t baselineEvents = 300'000; // rows inserted one per event
    std::uint64_t recoveryEvents = 10'000'000;
};

// Percentiles in microseconds by the nearest-rank method.
struct MicrosecondPercentiles {
    std::size_t sampleCount = 0;
    double p50 = 0;
    double p99 = 0;
    double max = 0;
};

struct JournalBenchmarkResult {
    std::uint64_t events = 0;
    double eventsPerSecond = 0; // handed to the writer and committed with synchronous=FULL
    std::uint64_t transactions = 0;
    MicrosecondPercentiles commitLatency; // from a chunk's hand-over to its commit
    std::uint64_t baselineEvents = 0;
    double baselineEventsPerSecond = 0; // one row per 100-byte event, 1,000 per transaction
    std::uint64_t recoveryEvents = 0;
    double fullReplaySeconds = 0;       // read, verify and restore every event
    std::uint64_t snapshotSequence = 0; // the latest snapshot of the recovery journal
    double restartSeconds = 0;          // latest snapshot plus the tail after it
};

// Runs the three measurements. Returns nothing and sets `error` when a journal cannot be
// written or read back.
std::optional<JournalBenchmarkResult> runJournalBenchmark(const JournalBenchmarkOptions &options,
                                                          std::string &error);

} // namespace bourse::bench

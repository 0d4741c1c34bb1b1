#pragma once

// bourse-bench net: the network layer on loopback TCP, each figure beside a bare cppzmq baseline
// measured in the same run (docs/performance.md, "Network").

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace bourse::bench {

struct NetBenchmarkOptions {
    std::uint64_t events = 1'000'000; // agent-market events fed to the publisher per run
    // Commands of the recorded stream per pass of the server's loop, whose end sends the
    // publisher's batches (onBatchEnd). At full speed a pass runs about 5 ms of the market, some
    // 25,000 commands; 1000 is a pass of about 0.2 ms.
    std::uint64_t commandsPerPass = 1000;
    std::uint64_t messages = 1'000'000;     // 64-byte messages per PUB/SUB baseline run
    std::uint64_t roundTrips = 20'000;      // timed round trips per run and kind
    std::uint64_t warmupRoundTrips = 1'000; // untimed round trips before them
    int runs = 5;
    bool json = false;
};

// Percentiles of one run's round trips in microseconds, by the nearest-rank method.
struct RoundTripPercentiles {
    std::uint64_t samples = 0;
    double p50 = 0;
    double p99 = 0;
    double max = 0;
};

// One run of the market-data path: events the subscriber received, decoded and checked in
// sequence while timed, then applied to replicas of the books.
struct PublishRun {
    std::uint64_t events = 0;   // events in the batches received
    std::uint64_t messages = 0; // batches received
    std::uint64_t bytes = 0;    // topic and message frames
    std::uint64_t largestBatch = 0;
    double seconds = 0;      // from the first event fed to the end marker received
    double feedSeconds = 0;  // from the first event fed to the publisher's last send returning
    double applySeconds = 0; // decoding the batches again and applying them, after the run
    double eventsPerSecond() const { return static_cast<double>(events) / seconds; }
    double appliedEventsPerSecond() const { return static_cast<double>(events) / applySeconds; }
};

// One run of a bare PUB/SUB baseline.
struct BaselineRun {
    std::uint64_t messages = 0;
    double seconds = 0;
    double messagesPerSecond() const { return static_cast<double>(messages) / seconds; }
};

struct NetBenchmarkResult {
    NetBenchmarkOptions options;

    // The recorded agent-market stream fed to the publisher.
    std::uint64_t recordedEvents = 0;
    std::uint64_t recordedCommands = 0;

    std::vector<PublishRun> publish; // one per run, in run order
    std::vector<BaselineRun> pubSub; // bare PUB/SUB without CURVE
    std::vector<BaselineRun> pubSubCurve;

    std::vector<RoundTripPercentiles> roundTrip;    // NewOrder to CommandAccepted through Server
    std::vector<RoundTripPercentiles> dealerRouter; // bare, without CURVE
    std::vector<RoundTripPercentiles> dealerRouterCurve;
    std::size_t newOrderBytes = 0;        // the request of every round trip
    std::size_t commandAcceptedBytes = 0; // the reply

    // /proc/loadavg's 1-minute figure before and after the runs; negative when unreadable.
    double loadBefore = -1;
    double loadAfter = -1;
};

// Medians over the runs, and the targets.
struct NetSummary {
    double eventsPerSecond = 0;
    double appliedEventsPerSecond = 0;    // the subscriber's replicas, after the run
    double baselineMessagesPerSecond = 0; // without CURVE: the targets compare against these
    double baselineCurveMessagesPerSecond = 0;
    double roundTripP50 = 0;
    double roundTripP99 = 0;
    double baselineP50 = 0;
    double baselineP99 = 0;
    double baselineCurveP50 = 0;
    double baselineCurveP99 = 0;
    bool throughputTargetMet = false; // events per second at least 3x the bare messages
    bool p50TargetMet = false;        // round trip p50 within 15 us of the bare p50
    bool p99TargetMet = false;        // round trip p99 within 30 us of the bare p99
};

inline constexpr std::size_t kBaselineMessageBytes = 64;
inline constexpr double kThroughputTargetRatio = 3.0;
inline constexpr double kP50TargetMicroseconds = 15.0;
inline constexpr double kP99TargetMicroseconds = 30.0;

NetSummary summarize(const NetBenchmarkResult &result);

// Parses the arguments after "net", runs the benchmark and prints it. Returns the exit status:
// 0, 1 when a measurement failed (the reason is on stderr), 2 for an invalid command line.
int runNetCommand(const std::vector<std::string> &arguments);

void printNetText(std::FILE *out, const NetBenchmarkResult &result);
// Exactly one JSON object on one line; key names carry the units.
void printNetJson(std::FILE *out, const NetBenchmarkResult &result);

} // namespace bourse::bench

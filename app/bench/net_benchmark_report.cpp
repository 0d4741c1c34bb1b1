// The text and JSON reports of bourse-bench net.

#include "net_benchmark.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <string>

namespace bourse::bench {

namespace {

unsigned long long number(std::uint64_t value)
{
    return static_cast<unsigned long long>(value);
}

const char *metText(bool met)
{
    return met ? "met" : "not met";
}

std::string loadText(double load)
{
    return load < 0 ? std::string("unknown") : std::to_string(load).substr(0, 4);
}

void printWorkload(std::FILE *out, const NetBenchmarkResult &result)
{
    const NetBenchmarkOptions &options = result.options;
    std::fprintf(out,
                 "workload: %d runs; market data: %llu agent-market events of %llu commands "
                 "(seed 1, five instruments), recorded before timing, fed to the publisher, "
                 "with a pass of the server's loop every %llu commands; baseline: %llu messages "
                 "of %zu bytes\n",
                 options.runs, number(result.recordedEvents), number(result.recordedCommands),
                 number(options.commandsPerPass), number(options.messages), kBaselineMessageBytes);
    std::fprintf(out,
                 "workload: round trips: %llu timed after %llu untimed per run and kind; "
                 "NewOrder %zu bytes, CommandAccepted %zu bytes; baseline echoes the same sizes\n",
                 number(options.roundTrips), number(options.warmupRoundTrips), result.newOrderBytes,
                 result.commandAcceptedBytes);
}

void printPublishRuns(std::FILE *out, const NetBenchmarkResult &result)
{
    for (std::size_t run = 0; run < result.publish.size(); ++run) {
        const PublishRun &publish = result.publish[run];
        const double batches = static_cast<double>(publish.messages);
        std::fprintf(out,
                     "  run %zu: %.0f events/s (%llu events in %llu batches: %.2f events and "
                     "%.0f bytes a batch on average, largest %llu events; the publisher took "
                     "%.0f%% of the time; applied afterwards at %.0f events/s); bare PUB/SUB "
                     "%.0f messages/s, with CURVE %.0f\n",
                     run + 1, publish.eventsPerSecond(), number(publish.events),
                     number(publish.messages), static_cast<double>(publish.events) / batches,
                     static_cast<double>(publish.bytes) / batches, number(publish.largestBatch),
                     100 * publish.feedSeconds / publish.seconds, publish.appliedEventsPerSecond(),
                     result.pubSub[run].messagesPerSecond(),
                     result.pubSubCurve[run].messagesPerSecond());
    }
}

void printRoundTripRuns(std::FILE *out, const NetBenchmarkResult &result)
{
    for (std::size_t run = 0; run < result.roundTrip.size(); ++run) {
        const RoundTripPercentiles &order = result.roundTrip[run];
        const RoundTripPercentiles &bare = result.dealerRouter[run];
        const RoundTripPercentiles &curve = result.dealerRouterCurve[run];
        std::fprintf(out,
                     "  run %zu: server p50 %.1f p99 %.1f max %.1f; bare p50 %.1f p99 %.1f; "
                     "bare with CURVE p50 %.1f p99 %.1f (us)\n",
                     run + 1, order.p50, order.p99, order.max, bare.p50, bare.p99, curve.p50,
                     curve.p99);
    }
}

// Rates in whole units a second; times in microseconds to the nanosecond.
double rate(double perSecond)
{
    return std::round(perSecond);
}

double microseconds(double value)
{
    return std::round(value * 1000) / 1000;
}

nlohmann::ordered_json percentilesJson(const RoundTripPercentiles &run)
{
    return {{"p50", microseconds(run.p50)},
            {"p99", microseconds(run.p99)},
            {"max", microseconds(run.max)},
            {"samples", run.samples}};
}

nlohmann::ordered_json runsJson(const NetBenchmarkResult &result)
{
    nlohmann::ordered_json runs = nlohmann::ordered_json::array();
    for (std::size_t run = 0; run < result.publish.size(); ++run) {
        const PublishRun &publish = result.publish[run];
        runs.push_back({
            {"events_per_second", rate(publish.eventsPerSecond())},
            {"events", publish.events},
            {"batches", publish.messages},
            {"bytes", publish.bytes},
            {"largest_batch_events", publish.largestBatch},
            {"seconds", publish.seconds},
            {"publisher_seconds", publish.feedSeconds},
            {"applied_events_per_second", rate(publish.appliedEventsPerSecond())},
            {"baseline_messages_per_second", rate(result.pubSub[run].messagesPerSecond())},
            {"baseline_curve_messages_per_second",
             rate(result.pubSubCurve[run].messagesPerSecond())},
            {"round_trip_us", percentilesJson(result.roundTrip[run])},
            {"baseline_round_trip_us", percentilesJson(result.dealerRouter[run])},
            {"baseline_curve_round_trip_us", percentilesJson(result.dealerRouterCurve[run])},
        });
    }
    return runs;
}

} // namespace

void printNetText(std::FILE *out, const NetBenchmarkResult &result)
{
    const NetSummary summary = summarize(result);
    printWorkload(out, result);

    std::fprintf(out, "market data, publisher to one subscriber over CURVE:\n");
    printPublishRuns(out, result);
    std::fprintf(out,
                 "events per second: %.0f (median), received, decoded and in sequence; applied "
                 "to book replicas on one thread afterwards: %.0f; bare PUB/SUB messages per "
                 "second: %.0f, with CURVE %.0f\n",
                 summary.eventsPerSecond, summary.appliedEventsPerSecond,
                 summary.baselineMessagesPerSecond, summary.baselineCurveMessagesPerSecond);
    std::fprintf(out,
                 "target: events per second at least %.0fx the bare PUB/SUB messages per second "
                 "without CURVE: %.2fx, %s (%.2fx the baseline with CURVE)\n",
                 kThroughputTargetRatio,
                 summary.eventsPerSecond / summary.baselineMessagesPerSecond,
                 metText(summary.throughputTargetMet),
                 summary.eventsPerSecond / summary.baselineCurveMessagesPerSecond);

    std::fprintf(out, "order round trip, NewOrder to CommandAccepted through the server over "
                      "CURVE:\n");
    printRoundTripRuns(out, result);
    std::fprintf(out,
                 "round trip: p50 %.1f us, p99 %.1f us (medians); bare DEALER/ROUTER p50 %.1f "
                 "us, p99 %.1f us; with CURVE p50 %.1f us, p99 %.1f us\n",
                 summary.roundTripP50, summary.roundTripP99, summary.baselineP50,
                 summary.baselineP99, summary.baselineCurveP50, summary.baselineCurveP99);
    std::fprintf(out,
                 "target: p50 within %.0f us of the bare p50 without CURVE: %+.1f us, %s; p99 "
                 "within %.0f us of the bare p99: %+.1f us, %s\n",
                 kP50TargetMicroseconds, summary.roundTripP50 - summary.baselineP50,
                 metText(summary.p50TargetMet), kP99TargetMicroseconds,
                 summary.roundTripP99 - summary.baselineP99, metText(summary.p99TargetMet));
    std::fprintf(out, "load average (1 minute): %s before, %s after\n",
                 loadText(result.loadBefore).c_str(), loadText(result.loadAfter).c_str());
}

void printNetJson(std::FILE *out, const NetBenchmarkResult &result)
{
    const NetSummary summary = summarize(result);
    const NetBenchmarkOptions &options = result.options;
    const auto load = [](double value) {
        return value < 0 ? nlohmann::ordered_json() : nlohmann::ordered_json(value);
    };

    const nlohmann::ordered_json report = {
        {"runs", options.runs},
        {"recorded_events", result.recordedEvents},
        {"recorded_commands", result.recordedCommands},
        {"commands_per_pass", options.commandsPerPass},
        {"baseline_messages", options.messages},
        {"baseline_message_bytes", kBaselineMessageBytes},
        {"round_trips", options.roundTrips},
        {"warmup_round_trips", options.warmupRoundTrips},
        {"new_order_bytes", result.newOrderBytes},
        {"command_accepted_bytes", result.commandAcceptedBytes},
        {"events_per_second", rate(summary.eventsPerSecond)},
        {"applied_events_per_second", rate(summary.appliedEventsPerSecond)},
        {"baseline_messages_per_second", rate(summary.baselineMessagesPerSecond)},
        {"baseline_curve_messages_per_second", rate(summary.baselineCurveMessagesPerSecond)},
        {"round_trip_p50_us", microseconds(summary.roundTripP50)},
        {"round_trip_p99_us", microseconds(summary.roundTripP99)},
        {"baseline_round_trip_p50_us", microseconds(summary.baselineP50)},
        {"baseline_round_trip_p99_us", microseconds(summary.baselineP99)},
        {"baseline_curve_round_trip_p50_us", microseconds(summary.baselineCurveP50)},
        {"baseline_curve_round_trip_p99_us", microseconds(summary.baselineCurveP99)},
        {"throughput_target_met", summary.throughputTargetMet},
        {"round_trip_p50_target_met", summary.p50TargetMet},
        {"round_trip_p99_target_met", summary.p99TargetMet},
        {"load_average_before", load(result.loadBefore)},
        {"load_average_after", load(result.loadAfter)},
        {"per_run", runsJson(result)},
    };
    std::fprintf(out, "%s\n", report.dump().c_str());
}

} // namespace bourse::bench

#include "net_benchmark.h"

#include "net_benchmark_baseline.h"
#include "net_benchmark_orders.h"
#include "net_benchmark_publish.h"

#include <zmq.hpp>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

namespace bourse::bench {

namespace {

enum ExitStatus : int { Success = 0, Failed = 1, UsageError = 2 };

constexpr int kMaximumRuns = 100;
constexpr std::uint64_t kMinimumEvents = 1'000;
constexpr std::uint64_t kMinimumMessages = 1'000;
// Fewer round trips would make p99 the largest sample or close to it.
constexpr std::uint64_t kMinimumRoundTrips = 100;

const char *const kUsage =
    "usage: bourse-bench net [--events N] [--commands-per-pass N] [--messages N]\n"
    "                        [--round-trips N] [--runs N] [--json]\n"
    "\n"
    "Measures the network layer on loopback TCP (127.0.0.1), each figure beside a bare cppzmq\n"
    "baseline of the same run, with and without CURVE:\n"
    "  market data   a recorded agent-market stream through the server's publisher on a CURVE\n"
    "                PUB socket to one subscriber that decodes and applies every batch, in\n"
    "                events per second; baseline: 64-byte messages from PUB to SUB\n"
    "  round trip    NewOrder to CommandAccepted through the server, in microseconds (p50,\n"
    "                p99); baseline: a DEALER/ROUTER echo of messages of the same sizes\n"
    "\n"
    "  --events N       agent-market events fed to the publisher per run, at least 1000\n"
    "                   (default 1000000)\n"
    "  --commands-per-pass N  commands per pass of the server's loop, whose end sends the\n"
    "                   publisher's batches, from 1 to 1000000 (default 1000)\n"
    "  --messages N     64-byte messages per PUB/SUB baseline run, at least 1000 (default\n"
    "                   1000000)\n"
    "  --round-trips N  timed round trips per run of each kind, at least 100 (default 20000),\n"
    "                   after 1000 untimed ones\n"
    "  --runs N         runs of every measurement, from 1 to 100 (default 5); the medians are\n"
    "                   reported\n"
    "  --json           print exactly one JSON object instead of text\n";

int usageError(const std::string &message)
{
    std::fprintf(stderr, "bourse-bench: net: %s\n%s", message.c_str(), kUsage);
    return UsageError;
}

std::optional<std::uint64_t> parseCount(const std::string &text, std::uint64_t minimum,
                                        std::uint64_t maximum)
{
    std::uint64_t value = 0;
    const char *end = text.data() + text.size();
    const auto [stop, code] = std::from_chars(text.data(), end, value);
    if (code != std::errc{} || stop != end || value < minimum || value > maximum)
        return std::nullopt;
    return value;
}

// Returns nothing and sets `error` when an argument is invalid.
std::optional<NetBenchmarkOptions> parseOptions(const std::vector<std::string> &arguments,
                                                std::string &error)
{
    NetBenchmarkOptions options;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string &option = arguments[i];
        if (option == "--json") {
            options.json = true;
            continue;
        }
        std::uint64_t minimum = 1;
        std::uint64_t maximum = 1'000'000'000;
        std::uint64_t *target = nullptr;
        std::uint64_t runs = 0;
        if (option == "--events") {
            minimum = kMinimumEvents;
            target = &options.events;
        } else if (option == "--commands-per-pass") {
            maximum = 1'000'000;
            target = &options.commandsPerPass;
        } else if (option == "--messages") {
            minimum = kMinimumMessages;
            target = &options.messages;
        } else if (option == "--round-trips") {
            minimum = kMinimumRoundTrips;
            target = &options.roundTrips;
        } else if (option == "--runs") {
            maximum = kMaximumRuns;
            target = &runs;
        } else {
            error = "unknown option '" + option + "'";
            return std::nullopt;
        }
        if (i + 1 == arguments.size()) {
            error = "missing value after " + option;
            return std::nullopt;
        }

        const std::string &value = arguments[++i];
        const std::optional<std::uint64_t> count = parseCount(value, minimum, maximum);
        if (!count) {
            error = "invalid " + option + " '" + value + "'; expected a whole number from " +
                    std::to_string(minimum) + " to " + std::to_string(maximum);
            return std::nullopt;
        }
        *target = *count;
        if (target == &runs)
            options.runs = static_cast<int>(runs);
    }
    return options;
}

double loadAverage()
{
    std::ifstream file("/proc/loadavg");
    double oneMinute = -1;
    if (!(file >> oneMinute))
        return -1;
    return oneMinute;
}

// A private folder for the server's key files, which must not be readable by others.
std::optional<std::filesystem::path> makePrivateFolder(std::string &error)
{
    const char *temporary = std::getenv("TMPDIR");
    std::string pattern =
        std::string(temporary && *temporary ? temporary : "/tmp") + "/bourse-bench-net-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
        error = "cannot create a folder from " + pattern + ": " + std::strerror(errno);
        return std::nullopt;
    }
    return std::filesystem::path(pattern);
}

// One round of every measurement. The bare baselines run next to the Bourse figure they are
// compared with, so that a change of load hits both.
bool runRound(const NetBenchmarkOptions &options, const RecordedStream &stream,
              const CurveSetup &curve, const std::string &folder, NetBenchmarkResult &result,
              std::string &error)
{
    const std::optional<BaselineRun> pubSub = measurePubSub(options.messages, nullptr, error);
    if (!pubSub)
        return false;
    const std::optional<BaselineRun> pubSubCurve = measurePubSub(options.messages, &curve, error);
    if (!pubSubCurve)
        return false;
    const std::optional<PublishRun> publish =
        measurePublish(stream, options.commandsPerPass, curve, error);
    if (!publish)
        return false;

    const std::size_t request = result.newOrderBytes;
    const std::size_t reply = result.commandAcceptedBytes;
    const std::optional<RoundTripPercentiles> bare =
        measureDealerRouter(options, request, reply, nullptr, error);
    if (!bare)
        return false;
    const std::optional<RoundTripPercentiles> bareCurve =
        measureDealerRouter(options, request, reply, &curve, error);
    if (!bareCurve)
        return false;
    const std::optional<RoundTripPercentiles> order =
        measureOrderRoundTrip(options, curve, folder, error);
    if (!order)
        return false;

    result.pubSub.push_back(*pubSub);
    result.pubSubCurve.push_back(*pubSubCurve);
    result.publish.push_back(*publish);
    result.dealerRouter.push_back(*bare);
    result.dealerRouterCurve.push_back(*bareCurve);
    result.roundTrip.push_back(*order);
    return true;
}

std::optional<NetBenchmarkResult> runNetBenchmark(const NetBenchmarkOptions &options,
                                                  std::string &error)
{
    NetBenchmarkResult result;
    result.options = options;
    result.newOrderBytes = newOrderBytes();
    result.commandAcceptedBytes = commandAcceptedBytes();
    result.loadBefore = loadAverage();

    const std::optional<CurveSetup> curve = makeCurveSetup(error);
    if (!curve)
        return std::nullopt;
    const std::optional<std::filesystem::path> folder = makePrivateFolder(error);
    if (!folder)
        return std::nullopt;

    // Recorded before any timing, so that the figures measure the network path, not the agents.
    const RecordedStream stream = recordAgentMarket(options.events);
    result.recordedEvents = stream.events.size();
    result.recordedCommands = stream.commands;

    bool ok = true;
    try {
        for (int run = 0; run < options.runs && ok; ++run)
            ok = runRound(options, stream, *curve, folder->string(), result, error);
    } catch (const zmq::error_t &caught) {
        error = std::string("ZeroMQ: ") + caught.what();
        ok = false;
    }
    std::error_code ignored;
    std::filesystem::remove_all(*folder, ignored);
    result.loadAfter = loadAverage();
    if (!ok)
        return std::nullopt;
    return result;
}

template <typename Run, typename Figure>
double medianOf(const std::vector<Run> &runs, Figure figure)
{
    std::vector<double> values;
    values.reserve(runs.size());
    for (const Run &run : runs)
        values.push_back(figure(run));
    std::sort(values.begin(), values.end());
    const std::size_t middle = values.size() / 2;
    return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

} // namespace

NetSummary summarize(const NetBenchmarkResult &result)
{
    NetSummary summary;
    summary.eventsPerSecond =
        medianOf(result.publish, [](const PublishRun &run) { return run.eventsPerSecond(); });
    summary.appliedEventsPerSecond = medianOf(
        result.publish, [](const PublishRun &run) { return run.appliedEventsPerSecond(); });
    const auto messageRate = [](const BaselineRun &run) { return run.messagesPerSecond(); };
    summary.baselineMessagesPerSecond = medianOf(result.pubSub, messageRate);
    summary.baselineCurveMessagesPerSecond = medianOf(result.pubSubCurve, messageRate);

    const auto p50 = [](const RoundTripPercentiles &run) { return run.p50; };
    const auto p99 = [](const RoundTripPercentiles &run) { return run.p99; };
    summary.roundTripP50 = medianOf(result.roundTrip, p50);
    summary.roundTripP99 = medianOf(result.roundTrip, p99);
    summary.baselineP50 = medianOf(result.dealerRouter, p50);
    summary.baselineP99 = medianOf(result.dealerRouter, p99);
    summary.baselineCurveP50 = medianOf(result.dealerRouterCurve, p50);
    summary.baselineCurveP99 = medianOf(result.dealerRouterCurve, p99);

    summary.throughputTargetMet =
        summary.eventsPerSecond >= kThroughputTargetRatio * summary.baselineMessagesPerSecond;
    summary.p50TargetMet = summary.roundTripP50 <= summary.baselineP50 + kP50TargetMicroseconds;
    summary.p99TargetMet = summary.roundTripP99 <= summary.baselineP99 + kP99TargetMicroseconds;
    return summary;
}

int runNetCommand(const std::vector<std::string> &arguments)
{
    if (!arguments.empty() && (arguments[0] == "--help" || arguments[0] == "-h")) {
        std::fputs(kUsage, stdout);
        return Success;
    }
    std::string error;
    const std::optional<NetBenchmarkOptions> options = parseOptions(arguments, error);
    if (!options)
        return usageError(error);

    const std::optional<NetBenchmarkResult> result = runNetBenchmark(*options, error);
    if (!result) {
        std::fprintf(stderr, "bourse-bench: net: %s\n", error.c_str());
        return Failed;
    }
    if (options->json)
        printNetJson(stdout, *result);
    else
        printNetText(stdout, *result);
    return Success;
}

} // namespace bourse::bench

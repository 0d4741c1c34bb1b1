// bourse-bench: measures the matching engine on recorded command streams and on a large
// resting book. Figures and how to reproduce them are in docs/performance.md.

#include "command_stream.h"
#include "feed_benchmark.h"
#include "net_benchmark.h"
#include "replication_benchmark.h"
#include "report.h"
#include "resting_benchmark.h"
#include "risk_setup.h"
#include "stream_benchmark.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace {

enum ExitStatus : int {
    Success = 0,
    Failed = 1,     // a stream file is missing or malformed, or replays were not deterministic
    UsageError = 2, // the command line is invalid
};

constexpr int kMinimumRuns = 5;
constexpr int kMaximumRuns = 1000;

const char *const kVersionLine = "bourse-bench " BOURSE_VERSION "\n";

const char *const kUsage =
    "usage: bourse-bench engine --stream FILE [--runs N] [--risk [--interval NS]] [--json]\n"
    "       bourse-bench engine --resting N [--json]\n"
    "       bourse-bench journal [--dir DIR] [--events N] [--recovery-events N] [--json]\n"
    "       bourse-bench net [--events N] [--round-trips N] [--runs N] [OPTIONS] [--json]\n"
    "       bourse-bench feed [--events N] [--batch N] [--runs N] [--json]\n"
    "       bourse-bench replication [--events N] [--runs N] [--nats URLS] [--json]\n"
    "       bourse-bench --help | --version\n"
    "\n"
    "  --stream FILE  replay a file of 16-byte command records and report commands per\n"
    "                 second, add and cancel latency in ns, memory and the event checksum\n"
    "  --runs N       timed replays of the stream, from 5 to 1000 (default 5); the median\n"
    "                 is reported\n"
    "  --risk         replay with pre-trade risk checks: 16 margin accounts, each sending\n"
    "                 orders of one side, with every risk limit enabled at twice the peak\n"
    "                 use a calibration replay measured; adds the limits, the rejections\n"
    "                 and the time of one risk check in ns (p50, p99)\n"
    "  --interval NS  nanoseconds between two commands on the risk replay's clock, from 1 to\n"
    "                 1000000000 (default 100000); sets how many orders an account sends a\n"
    "                 second, and so the order rate limit\n"
    "  --resting N    fill one book with N resting orders and report the bytes they take\n"
    "  --json         print exactly one JSON object instead of text\n"
    "\n"
    "  journal        durable events per second through the group-commit journal writer\n"
    "                 (synchronous=FULL), commit latency, a one-row-per-event baseline in\n"
    "                 the same run, and the restart time of a journal of simulated events\n"
    "  --dir DIR      folder for the journals (default: $TMPDIR or /tmp); use a real disk\n"
    "  --events N     events through the writer (default 2000000)\n"
    "  --recovery-events N  events in the journal restarted from (default 10000000)\n"
    "\n"
    "  net            the network layer on loopback TCP beside bare ZeroMQ baselines; its\n"
    "                 options: bourse-bench net --help\n"
    "  feed           remote feed events ingested per second on loopback TCP beside a bare\n"
    "                 PUB/SUB baseline; its options: bourse-bench feed --help\n"
    "  replication    journal events replicated per second to a three-replica JetStream\n"
    "                 stream, and the lag from commit to acknowledgement; its options:\n"
    "                 bourse-bench replication --help\n"
    "\n"
    "  -h, --help     print this help and exit\n"
    "  --version      print the version and exit\n"
    "Exit status: 0 success, 1 a benchmark failed or its input is missing or malformed,\n"
    "2 usage error.\n";

struct EngineOptions {
    std::string streamPath;
    std::optional<std::uint64_t> restingCount;
    std::optional<int> runs;
    std::optional<std::int64_t> interval;
    bool risk = false;
    bool json = false;
};

int usageError(const std::string &message)
{
    std::fprintf(stderr, "bourse-bench: %s\n%s", message.c_str(), kUsage);
    return UsageError;
}

template <typename Integer>
std::optional<Integer> parsePositive(const std::string &text)
{
    Integer value{};
    const char *end = text.data() + text.size();
    const auto [stop, code] = std::from_chars(text.data(), end, value);
    if (code != std::errc{} || stop != end || value <= 0)
        return std::nullopt;
    return value;
}

// Returns nothing and sets `error` when the arguments after "engine" are invalid.
std::optional<EngineOptions> parseEngineOptions(const std::vector<std::string> &arguments,
                                                std::string &error)
{
    EngineOptions options;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string &option = arguments[i];
        if (option == "--json" || option == "--risk") {
            (option == "--json" ? options.json : options.risk) = true;
            continue;
        }
        if (option != "--stream" && option != "--runs" && option != "--resting" &&
            option != "--interval") {
            error = "unknown option '" + option + "'";
            return std::nullopt;
        }
        if (i + 1 == arguments.size()) {
            error = "missing value after " + option;
            return std::nullopt;
        }

        const std::string &value = arguments[++i];
        if (option == "--stream") {
            options.streamPath = value;
        } else if (option == "--runs") {
            options.runs = parsePositive<int>(value);
            if (!options.runs || *options.runs < kMinimumRuns || *options.runs > kMaximumRuns) {
                error = "invalid --runs '" + value + "'; expected a whole number from " +
                        std::to_string(kMinimumRuns) + " to " + std::to_string(kMaximumRuns);
                return std::nullopt;
            }
        } else if (option == "--interval") {
            options.interval = parsePositive<std::int64_t>(value);
            if (!options.interval || *options.interval > bourse::bench::kMaximumCommandInterval) {
                error = "invalid --interval '" + value + "'; expected a whole number of " +
                        "nanoseconds from 1 to " +
                        std::to_string(bourse::bench::kMaximumCommandInterval);
                return std::nullopt;
            }
        } else {
            options.restingCount = parsePositive<std::uint64_t>(value);
            if (!options.restingCount) {
                error = "invalid --resting '" + value + "'; expected a positive whole number";
                return std::nullopt;
            }
        }
    }

    if (options.streamPath.empty() == !options.restingCount) {
        error = "give exactly one of --stream and --resting";
        return std::nullopt;
    }
    if (options.restingCount && (options.runs || options.risk)) {
        error = std::string(options.runs ? "--runs" : "--risk") + " applies to --stream only";
        return std::nullopt;
    }
    if (options.interval && !options.risk) {
        error = "--interval applies to --risk only";
        return std::nullopt;
    }
    return options;
}

int runStream(const EngineOptions &options)
{
    std::string error;
    const std::optional<bourse::bench::CommandStream> stream =
        bourse::bench::readCommandStream(options.streamPath, error);
    if (!stream) {
        std::fprintf(stderr, "bourse-bench: %s\n", error.c_str());
        return Failed;
    }

    const bourse::bench::StreamOptions streamOptions{
        options.runs.value_or(kMinimumRuns), options.risk,
        options.interval.value_or(bourse::bench::kDefaultCommandInterval)};
    const std::optional<bourse::bench::StreamResult> result =
        bourse::bench::runStreamBenchmark(*stream, streamOptions, error);
    if (!result) {
        std::fprintf(stderr, "bourse-bench: %s: %s\n", options.streamPath.c_str(), error.c_str());
        return Failed;
    }

    if (options.json)
        bourse::bench::printJson(stdout, *stream, *result);
    else
        bourse::bench::printText(stdout, *stream, *result);
    return Success;
}

int runResting(const EngineOptions &options)
{
    const bourse::bench::RestingResult result =
        bourse::bench::runRestingBenchmark(*options.restingCount);
    if (options.json)
        bourse::bench::printJson(stdout, result);
    else
        bourse::bench::printText(stdout, result);
    return Success;
}

int runJournal(const std::vector<std::string> &arguments)
{
    bourse::bench::JournalBenchmarkOptions options;
    const char *temporary = std::getenv("TMPDIR");
    options.directory = temporary && *temporary ? temporary : "/tmp";
    bool json = false;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string &option = arguments[i];
        if (option == "--json") {
            json = true;
            continue;
        }
        if (option != "--dir" && option != "--events" && option != "--recovery-events")
            return usageError("unknown option '" + option + "'");
        if (i + 1 == arguments.size())
            return usageError("missing value after " + option);
        const std::string &value = arguments[++i];
        if (option == "--dir") {
            options.directory = value;
            continue;
        }
        const std::optional<std::uint64_t> count = parsePositive<std::uint64_t>(value);
        if (!count || *count < 10'000)
            return usageError("invalid " + option + " '" + value +
                              "'; expected a whole number of at least 10000");
        (option == "--events" ? options.events : options.recoveryEvents) = *count;
    }

    std::string error;
    const std::optional<bourse::bench::JournalBenchmarkResult> result =
        bourse::bench::runJournalBenchmark(options, error);
    if (!result) {
        std::fprintf(stderr, "bourse-bench: journal: %s\n", error.c_str());
        return Failed;
    }
    if (json)
        bourse::bench::printJson(stdout, *result);
    else
        bourse::bench::printText(stdout, *result);
    return Success;
}

} // namespace

int main(int argc, char **argv)
{
    const std::vector<std::string> arguments(argv + 1, argv + argc);
    if (arguments.empty())
        return usageError("missing benchmark name");
    const auto hasArgument = [&arguments](const char *option) {
        return std::find(arguments.begin(), arguments.end(), option) != arguments.end();
    };
    // `net` prints its own options; the engine and journal benchmarks share this help.
    const bool help = hasArgument("--help") || hasArgument("-h");
    if (help && arguments[0] != "net" && arguments[0] != "feed" && arguments[0] != "replication") {
        std::fputs(kUsage, stdout);
        return Success;
    }
    if (!help && hasArgument("--version")) {
        std::fputs(kVersionLine, stdout);
        return Success;
    }
    if (arguments[0] == "journal")
        return runJournal({arguments.begin() + 1, arguments.end()});
    if (arguments[0] == "net")
        return bourse::bench::runNetCommand({arguments.begin() + 1, arguments.end()});
    if (arguments[0] == "feed")
        return bourse::bench::runFeedCommand({arguments.begin() + 1, arguments.end()});
    if (arguments[0] == "replication")
        return bourse::bench::runReplicationCommand({arguments.begin() + 1, arguments.end()});
    if (arguments[0] != "engine")
        return usageError("unknown benchmark '" + arguments[0] + "'");

    std::string error;
    const std::optional<EngineOptions> options =
        parseEngineOptions({arguments.begin() + 1, arguments.end()}, error);
    if (!options)
        return usageError(error);
    return options->restingCount ? runResting(*options) : runStream(*options);
}

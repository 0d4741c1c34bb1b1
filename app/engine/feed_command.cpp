// bourse-engine feed: a recorded day published as a live remote feed (docs/feeds.md).

#include "commands.h"

#include "feed_publisher.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>

namespace bourse::cli {

namespace {

constexpr const char *kUsage =
    "usage: bourse-engine feed --from FILE --bind ENDPOINT [--snapshot-bind ENDPOINT]\n"
    "                          [--format lobster|bybit|tardis] [--topic NAME] [--speed X|max]\n"
    "                          [--drop-every N] [--encoding binary|json] [--batch N]\n"
    "                          [--wait-ms N] [--linger-ms N]\n"
    "\n"
    "Publishes a recorded day as a live feed of the remote feed protocol (docs/feeds.md) on a\n"
    "ZeroMQ XPUB socket, and replies to snapshot requests on a ROUTER socket.\n"
    "  --from FILE               a LOBSTER message file, a Bybit order-book stream (JSON lines),\n"
    "                            or a Tardis.dev trade or quote file (its sibling joins it)\n"
    "  --bind ENDPOINT           the feed socket, such as tcp://127.0.0.1:5600\n"
    "  --snapshot-bind ENDPOINT  the snapshot socket (default: the next TCP port, PATH.snapshot\n"
    "                            for ipc://PATH); none disables snapshots\n"
    "  --format lobster|bybit|tardis  the file's format (default: lobster)\n"
    "  --topic NAME              the topic of a LOBSTER day (default: the file name's ticker)\n"
    "  --speed X|max             market time played per second of wall time (default 1); max\n"
    "                            sends as fast as subscribers take it\n"
    "  --drop-every N            drop every Nth sequenced message, to show gap handling\n"
    "  --encoding binary|json    the payload encoding (default: binary)\n"
    "  --batch N                 feed messages per ZeroMQ message, 1 to 4096 (default 256)\n"
    "  --wait-ms N               wait up to N ms for a first subscriber before playing\n"
    "  --linger-ms N             after the last message, reply to snapshot requests for N ms and\n"
    "                            exit (default: until SIGINT or SIGTERM)\n"
    "The bound endpoints are printed first, one line each. SIGINT or SIGTERM stops the feed.\n"
    "Exit status: 0 played, 2 usage error, 3 missing or malformed file, 4 an endpoint cannot be\n"
    "bound.\n";

constexpr int kBindFailed = 4;

std::atomic<bool> stopRequested{false};

extern "C" void requestStop(int)
{
    stopRequested = true;
}

struct FeedArguments {
    std::string path;
    std::string format = "lobster";
    std::string topic;
    net::feed::FeedPublisherOptions publisher;
    bool snapshotGiven = false;
    net::feed::PlayOptions play{1.0, std::nullopt};
    std::chrono::milliseconds wait{0};
    bool help = false;
};

int usageError(const std::string &message)
{
    std::cerr << "bourse-engine feed: " << message << "\n";
    return UsageError;
}

std::optional<std::uint64_t> parseCount(const std::string &text, std::uint64_t max)
{
    if (text.empty() || text.size() > 12 ||
        text.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    const std::uint64_t value = std::stoull(text);
    if (value > max)
        return std::nullopt;
    return value;
}

std::optional<double> parseSpeed(const std::string &text)
{
    if (text == "max")
        return 0.0;
    try {
        std::size_t used = 0;
        const double speed = std::stod(text, &used);
        if (used == text.size() && speed > 0 && speed <= 1e6)
            return speed;
    } catch (const std::exception &) {
    }
    return std::nullopt;
}

// The ticker of a LOBSTER file name, such as GOOG in GOOG_2012-06-21_..._message_10.csv.
std::string tickerOf(const std::string &path)
{
    const std::size_t slash = path.find_last_of('/');
    const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    const std::string ticker = name.substr(0, name.find('_'));
    return net::feed::checkTopic(ticker) ? std::string("LOBSTER") : ticker;
}

// Returns the usage error, or nothing when `arguments` parse.
std::optional<std::string> parseArguments(const std::vector<std::string> &arguments,
                                          FeedArguments &parsed)
{
    std::map<std::string, std::string> values;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string &name = arguments[i];
        if (name == "--help" || name == "-h") {
            parsed.help = true;
            return std::nullopt;
        }
        static const char *kOptions[] = {"--from",  "--bind",    "--snapshot-bind", "--format",
                                         "--topic", "--speed",   "--drop-every",    "--encoding",
                                         "--batch", "--wait-ms", "--linger-ms"};
        if (std::find(std::begin(kOptions), std::end(kOptions), name) == std::end(kOptions))
            return "unknown option '" + name + "'";
        if (i + 1 >= arguments.size() || arguments[i + 1].rfind("--", 0) == 0)
            return name + " needs a value";
        if (!values.emplace(name, arguments[++i]).second)
            return name + " is given twice";
    }
    const auto value = [&values](const char *name) {
        const auto found = values.find(name);
        return found == values.end() ? std::optional<std::string>{} : found->second;
    };

    if (!value("--from") || !value("--bind"))
        return "--from FILE and --bind ENDPOINT are required";
    parsed.path = *value("--from");
    parsed.publisher.endpoint = *value("--bind");
    parsed.format = value("--format").value_or("lobster");
    if (parsed.format != "lobster" && parsed.format != "bybit" && parsed.format != "tardis")
        return "invalid --format '" + parsed.format + "': expected lobster, bybit or tardis";
    parsed.topic = value("--topic").value_or(tickerOf(parsed.path));
    if (auto problem = net::feed::checkTopic(parsed.topic))
        return "invalid --topic '" + parsed.topic + "': " + *problem;

    const std::string snapshot =
        value("--snapshot-bind")
            .value_or(net::feed::defaultSnapshotEndpoint(parsed.publisher.endpoint));
    parsed.publisher.snapshotEndpoint = snapshot == "none" ? "" : snapshot;

    if (auto speed = value("--speed")) {
        const auto parsedSpeed = parseSpeed(*speed);
        if (!parsedSpeed)
            return "invalid --speed '" + *speed + "': expected a number above 0 or max";
        parsed.play.speed = *parsedSpeed;
    }
    const std::string encoding = value("--encoding").value_or("binary");
    if (encoding != "binary" && encoding != "json")
        return "invalid --encoding '" + encoding + "': expected binary or json";
    parsed.publisher.encoding =
        encoding == "json" ? net::feed::Encoding::Json : net::feed::Encoding::Binary;

    struct Count {
        const char *name;
        std::uint64_t min;
        std::uint64_t max;
    };
    for (const Count &count :
         {Count{"--drop-every", 2, 1'000'000'000}, Count{"--batch", 1, net::feed::kMaxBatchRecords},
          Count{"--wait-ms", 0, 3'600'000}, Count{"--linger-ms", 0, 3'600'000}}) {
        const auto text = value(count.name);
        if (!text)
            continue;
        const auto number = parseCount(*text, count.max);
        if (!number || *number < count.min)
            return "invalid " + std::string(count.name) + " '" + *text + "': expected " +
                   std::to_string(count.min) + " to " + std::to_string(count.max);
        if (std::string(count.name) == "--drop-every")
            parsed.publisher.dropEvery = *number;
        else if (std::string(count.name) == "--batch")
            parsed.publisher.batchLimit = *number;
        else if (std::string(count.name) == "--wait-ms")
            parsed.wait = std::chrono::milliseconds(*number);
        else
            parsed.play.linger = std::chrono::milliseconds(*number);
    }
    return std::nullopt;
}

int runFeed(const FeedArguments &arguments)
{
    std::string error;
    std::unique_ptr<net::feed::FeedSource> source;
    if (arguments.format == "bybit")
        source = net::feed::openBybitSource(arguments.path, error);
    else if (arguments.format == "tardis")
        source = net::feed::openTardisSource(arguments.path, error);
    else
        source = net::feed::openLobsterSource(arguments.path, arguments.topic, error);
    if (!source) {
        std::cerr << "bourse-engine feed: " << error << "\n";
        return InputError;
    }

    zmq::context_t context;
    net::feed::FeedPublisher publisher(context, arguments.publisher);
    if (auto failed = publisher.bind()) {
        std::cerr << "bourse-engine feed: cannot bind " << *failed << "\n";
        return kBindFailed;
    }
    std::cout << "feed " << publisher.endpoint() << "\n"
              << "snapshots "
              << (publisher.snapshotEndpoint().empty() ? "none" : publisher.snapshotEndpoint())
              << "\n"
              << "topic " << source->topic() << "\n"
              << std::flush;

    stopRequested = false;
    std::signal(SIGINT, requestStop);
    std::signal(SIGTERM, requestStop);
    if (arguments.wait.count() > 0)
        publisher.waitForSubscription(arguments.wait, stopRequested);
    const auto failed = net::feed::play(publisher, *source, arguments.play, stopRequested);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);

    const net::feed::PublisherStatistics &statistics = publisher.statistics();
    std::cout << "sent " << statistics.messages << " messages in " << statistics.batches
              << " batches, dropped " << statistics.dropped << ", snapshots "
              << statistics.snapshots << "\n";
    if (failed) {
        std::cerr << "bourse-engine feed: " << *failed << "\n";
        return InputError;
    }
    return Success;
}

} // namespace

int runFeedCommand(const std::vector<std::string> &arguments)
{
    FeedArguments parsed;
    if (auto problem = parseArguments(arguments, parsed))
        return usageError(*problem);
    if (parsed.help) {
        std::cout << kUsage;
        return Success;
    }
    return runFeed(parsed);
}

} // namespace bourse::cli

// bourse-engine feed: a recorded day published as a live remote feed (docs/feeds.md).

#include "commands.h"

#include "feed_publisher.h"
#include "lobster.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>

namespace bourse::cli {

namespace {

constexpr const char *kUsage =
    "usage: bourse-engine feed --from FILE --bind ENDPOINT [--snapshot-bind ENDPOINT]\n"
    "                          [--format lobster|bybit|tardis] [--orderbook FILE]\n"
    "                          [--topic NAME] [--speed X|max]\n"
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
    "  --orderbook FILE          the LOBSTER orderbook file (default: the one beside the message\n"
    "                            file, ..._orderbook_N.csv). The day is replayed with it and\n"
    "                            the engine's order events are published, so that subscribers\n"
    "                            rebuild the exchange's book; without it the messages go out as\n"
    "                            they are, and the book differs from the exchange's\n"
    "  --topic NAME              the topic of a LOBSTER day (default: the file name's ticker)\n"
    "  --speed X|max             market time played per second of wall time (default 1); max\n"
    "                            sends as fast as subscribers take it\n"
    "  --drop-every N            drop every Nth sequenced message, to show gap handling\n"
    "  --encoding binary|json    the payload encoding (default: binary)\n"
    "  --batch N                 feed messages per ZeroMQ message, 1 to 4096 (default 256)\n"
    "  --wait-ms N               wait up to N ms for a first subscriber before playing\n"
    "  --linger-ms N             after the last message, reply to snapshot requests for N ms and\n"
    "                            exit (default: until SIGINT or SIGTERM)\n"
    "The file is checked up to its first message before anything is bound. The bound endpoints\n"
    "are printed first, one line each. SIGINT or SIGTERM stops the feed, and so does a\n"
    "malformed line, after the messages before it were sent.\n"
    "Exit status: 0 played, 2 usage error, 3 missing or malformed file, 4 an endpoint cannot be\n"
    "bound.\n";

constexpr int kBindFailed = 4;

std::atomic<bool> stopRequested{false};

extern "C" void requestFeedStop(int)
{
    stopRequested = true;
}

struct FeedArguments {
    std::string path;
    std::string format = "lobster";
    std::string topic;
    std::string orderbookPath; // LOBSTER only; empty when none was given or found
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
                                         "--batch", "--wait-ms", "--linger-ms",     "--orderbook"};
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
    if (auto problem = net::feed::checkEndpoint(parsed.publisher.endpoint))
        return "--bind: " + *problem;
    parsed.format = value("--format").value_or("lobster");
    if (parsed.format != "lobster" && parsed.format != "bybit" && parsed.format != "tardis")
        return "invalid --format '" + parsed.format + "': expected lobster, bybit or tardis";
    if (auto orderbook = value("--orderbook")) {
        if (parsed.format != "lobster")
            return "--orderbook applies to --format lobster only";
        parsed.orderbookPath = *orderbook;
    } else if (parsed.format == "lobster") {
        const std::string beside = lobster::orderbookPathFor(parsed.path);
        if (!beside.empty() && std::filesystem::exists(beside))
            parsed.orderbookPath = beside;
    }
    parsed.topic = value("--topic").value_or(tickerOf(parsed.path));
    if (auto problem = net::feed::checkTopic(parsed.topic))
        return "invalid --topic '" + parsed.topic + "': " + *problem;

    const std::string snapshot =
        value("--snapshot-bind")
            .value_or(net::feed::defaultSnapshotEndpoint(parsed.publisher.endpoint));
    parsed.publisher.snapshotEndpoint = snapshot == "none" ? "" : snapshot;
    if (auto problem = net::feed::checkEndpoint(parsed.publisher.snapshotEndpoint))
        return "--snapshot-bind: " + *problem;

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

// A source whose first message was read ahead, so that a file that is empty, foreign or bad at
// its first line fails before anything is bound.
class ReadAheadSource final : public net::feed::FeedSource {
public:
    explicit ReadAheadSource(std::unique_ptr<net::feed::FeedSource> source)
        : m_source(std::move(source))
    {
    }

    // Returns the error that the first message could not be read with.
    std::optional<std::string> readFirst(const std::string &path)
    {
        m_haveFirst = m_source->next(m_firstBody, m_firstTime);
        if (m_haveFirst)
            return std::nullopt;
        return m_source->error().value_or(path + ": the file has no message");
    }

    const std::string &topic() const override { return m_source->topic(); }
    net::feed::InstrumentDefinition definition() const override { return m_source->definition(); }

    bool next(net::feed::Body &body, Timestamp &time) override
    {
        if (!m_haveFirst)
            return m_source->next(body, time);
        m_haveFirst = false;
        body = std::move(m_firstBody);
        time = m_firstTime;
        return true;
    }

    std::optional<std::string> error() const override { return m_source->error(); }

private:
    std::unique_ptr<net::feed::FeedSource> m_source;
    net::feed::Body m_firstBody;
    Timestamp m_firstTime;
    bool m_haveFirst = false;
};

bool isZipArchive(const std::string &path)
{
    std::ifstream file(path, std::ios::binary);
    char magic[4] = {};
    file.read(magic, sizeof magic);
    return file.gcount() == 4 && std::string_view(magic, 4) == std::string_view("PK\x03\x04", 4);
}

std::unique_ptr<net::feed::FeedSource> openSource(const FeedArguments &arguments,
                                                  std::string &error)
{
    if (arguments.format == "bybit") {
        if (isZipArchive(arguments.path)) {
            error = arguments.path +
                    ": a zip archive; unzip it and pass the .data file inside to --from";
            return nullptr;
        }
        return net::feed::openBybitSource(arguments.path, error);
    }
    if (arguments.format == "tardis")
        return net::feed::openTardisSource(arguments.path, error);
    if (!arguments.orderbookPath.empty())
        return net::feed::openLobsterReplaySource(arguments.path, arguments.orderbookPath,
                                                  arguments.topic, error);
    return net::feed::openLobsterSource(arguments.path, arguments.topic, error);
}

int runFeed(const FeedArguments &arguments)
{
    std::string error;
    std::unique_ptr<net::feed::FeedSource> opened = openSource(arguments, error);
    if (!opened) {
        std::cerr << "bourse-engine feed: " << error << "\n";
        return InputError;
    }
    auto source = std::make_unique<ReadAheadSource>(std::move(opened));
    if (auto failed = source->readFirst(arguments.path)) {
        std::cerr << "bourse-engine feed: " << *failed << "\n";
        return InputError;
    }
    if (arguments.format == "lobster" && arguments.orderbookPath.empty())
        std::cerr << "bourse-engine feed: no orderbook file beside " << arguments.path
                  << " and no --orderbook: publishing the messages alone, so the book lacks the "
                     "orders that no message names and differs from the exchange's\n";

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
    std::signal(SIGINT, requestFeedStop);
    std::signal(SIGTERM, requestFeedStop);
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

// bourse-engine listen: subscribes to a remote feed, rebuilds its books and reports what it saw.

#include "commands.h"
#include "output.h"

#include "feed_subscriber.h"

#include <iostream>
#include <optional>
#include <sstream>

namespace bourse::cli {

namespace {

constexpr const char *kUsage =
    "usage: bourse-engine listen --connect ENDPOINT [--snapshot ENDPOINT] [--topic NAME]...\n"
    "                            [--idle-ms N] [--json]\n"
    "\n"
    "Subscribes to a remote feed (docs/feeds.md), rebuilds each topic's book, and once no feed\n"
    "message came for --idle-ms prints the events applied, gaps detected, snapshots taken,\n"
    "messages rejected, and the top of each book.\n"
    "  --connect ENDPOINT   the publisher's feed socket, such as tcp://127.0.0.1:5600; give it\n"
    "                       again to subscribe to several feeds\n"
    "  --snapshot ENDPOINT  its snapshot socket (default: the next TCP port, PATH.snapshot for\n"
    "                       ipc://PATH); none waits for snapshots in the stream. With several\n"
    "                       feeds, give one per --connect, in the same order\n"
    "  --topic NAME         subscribe to this topic only; repeat for several (default: all)\n"
    "  --idle-ms N          milliseconds without feed messages before reporting (default 2000)\n"
    "  --json               print the report as one JSON object\n"
    "Exit status: 0 every book live, 1 a book is not live or a message was rejected, 2 usage\n"
    "error.\n";

struct ListenArguments {
    std::vector<std::string> endpoints;
    std::vector<std::string> snapshotEndpoints;
    std::vector<std::string> topics;
    std::chrono::milliseconds idle{2000};
    bool json = false;
    bool help = false;
};

int usageError(const std::string &message)
{
    std::cerr << "bourse-engine listen: " << message << "\n";
    return UsageError;
}

std::optional<std::string> parseArguments(const std::vector<std::string> &arguments,
                                          ListenArguments &parsed)
{
    bool idleGiven = false;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string &name = arguments[i];
        if (name == "--help" || name == "-h") {
            parsed.help = true;
            return std::nullopt;
        }
        if (name == "--json") {
            parsed.json = true;
            continue;
        }
        const bool known =
            name == "--connect" || name == "--snapshot" || name == "--topic" || name == "--idle-ms";
        if (!known)
            return "unknown option '" + name + "'";
        if (i + 1 >= arguments.size() || arguments[i + 1].rfind("--", 0) == 0)
            return name + " needs a value";
        const std::string &value = arguments[++i];
        if (name == "--connect") {
            parsed.endpoints.push_back(value);
        } else if (name == "--snapshot") {
            parsed.snapshotEndpoints.push_back(value == "none" ? "" : value);
        } else if (name == "--topic") {
            if (auto problem = net::feed::checkTopic(value))
                return "invalid --topic '" + value + "': " + *problem;
            parsed.topics.push_back(value);
        } else {
            if (idleGiven)
                return "--idle-ms is given twice";
            idleGiven = true;
            if (value.empty() || value.size() > 8 ||
                value.find_first_not_of("0123456789") != std::string::npos || std::stoul(value) < 1)
                return "invalid --idle-ms '" + value + "': expected 1 to 99999999";
            parsed.idle = std::chrono::milliseconds(std::stoul(value));
        }
    }
    if (parsed.endpoints.empty())
        return "--connect ENDPOINT is required";
    if (parsed.snapshotEndpoints.size() > parsed.endpoints.size())
        return "--snapshot is given more often than --connect";
    return std::nullopt;
}

std::string levelText(const std::optional<net::feed::Level> &level)
{
    if (!level)
        return "-";
    std::ostringstream out;
    out << level->size.value() << " @ " << level->price.value();
    return out.str();
}

std::string levelJson(const std::optional<net::feed::Level> &level)
{
    if (!level)
        return "null";
    std::ostringstream out;
    out << "[" << level->price.value() << "," << level->size.value() << "]";
    return out.str();
}

void printText(const net::feed::FeedStatistics &statistics,
               const std::vector<net::feed::StreamSummary> &books)
{
    std::cout << "events     " << statistics.events << "\n"
              << "gaps       " << statistics.gaps << "\n"
              << "snapshots  " << statistics.snapshots << "\n"
              << "rejected   " << statistics.rejected << "\n"
              << "duplicates " << statistics.duplicates << "\n"
              << "restarts   " << statistics.restarts << "\n";
    if (!statistics.lastRejection.empty())
        std::cout << "last rejection: " << statistics.lastRejection << "\n";
    for (const net::feed::StreamSummary &book : books) {
        std::cout << book.topic << ": " << nameOf(book.state) << " at sequence "
                  << book.lastSequence << ", bid " << levelText(book.bid) << ", ask "
                  << levelText(book.ask) << ", " << book.bidLevels << " bid and " << book.askLevels
                  << " ask levels";
        if (!book.staleReason.empty())
            std::cout << " (" << book.staleReason << ")";
        std::cout << "\n";
    }
}

void printJson(const net::feed::FeedStatistics &statistics,
               const std::vector<net::feed::StreamSummary> &books)
{
    std::ostringstream out;
    out << "{\"events\":" << statistics.events << ",\"gaps\":" << statistics.gaps
        << ",\"snapshots\":" << statistics.snapshots << ",\"rejected\":" << statistics.rejected
        << ",\"duplicates\":" << statistics.duplicates << ",\"restarts\":" << statistics.restarts
        << ",\"discarded\":" << statistics.discarded
        << ",\"last_rejection\":" << jsonString(statistics.lastRejection) << ",\"books\":[";
    for (std::size_t i = 0; i < books.size(); ++i) {
        const net::feed::StreamSummary &book = books[i];
        out << (i ? "," : "") << "{\"topic\":" << jsonString(book.topic) << ",\"depth\":\""
            << (book.depth == net::feed::BookDepth::Orders ? "orders" : "levels")
            << "\",\"state\":" << jsonString(std::string(nameOf(book.state)))
            << ",\"sequence\":" << book.lastSequence << ",\"bid\":" << levelJson(book.bid)
            << ",\"ask\":" << levelJson(book.ask) << ",\"bid_levels\":" << book.bidLevels
            << ",\"ask_levels\":" << book.askLevels
            << ",\"stale_reason\":" << jsonString(book.staleReason) << "}";
    }
    out << "]}\n";
    std::cout << out.str();
}

} // namespace

int runListenCommand(const std::vector<std::string> &arguments)
{
    ListenArguments parsed;
    if (auto problem = parseArguments(arguments, parsed))
        return usageError(*problem);
    if (parsed.help) {
        std::cout << kUsage;
        return Success;
    }

    std::vector<net::feed::FeedSubscription> feeds;
    for (std::size_t i = 0; i < parsed.endpoints.size(); ++i) {
        const std::string snapshot = i < parsed.snapshotEndpoints.size()
                                         ? parsed.snapshotEndpoints[i]
                                         : net::feed::defaultSnapshotEndpoint(parsed.endpoints[i]);
        feeds.push_back({parsed.endpoints[i], parsed.topics, snapshot});
    }
    zmq::context_t context;
    net::feed::FeedSubscriber subscriber(context, std::move(feeds));
    if (auto failed = subscriber.connect())
        return usageError("cannot connect to " + *failed);
    subscriber.runUntilIdle(parsed.idle);

    std::vector<net::feed::StreamSummary> books;
    for (std::size_t feed = 0; feed < subscriber.feedCount(); ++feed) {
        for (net::feed::StreamSummary &book : subscriber.books(feed).summaries())
            books.push_back(std::move(book));
    }
    const net::feed::FeedStatistics statistics = subscriber.statistics();
    if (parsed.json)
        printJson(statistics, books);
    else
        printText(statistics, books);

    bool allLive = statistics.rejected == 0;
    for (const net::feed::StreamSummary &book : books)
        allLive = allLive && book.state == net::feed::StreamState::Live;
    return allLive ? Success : CheckFailed;
}

} // namespace bourse::cli

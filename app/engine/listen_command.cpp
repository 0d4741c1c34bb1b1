// bourse-engine listen: subscribes to a remote feed, rebuilds its books and reports what it saw.

#include "commands.h"
#include "output.h"

#include "feed_publisher.h"
#include "feed_subscriber.h"

#include <atomic>
#include <csignal>
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
    "SIGINT or SIGTERM ends the wait and prints the report.\n"
    "Exit status: 0 every book live, 1 a book is not live, a message was rejected or a feed\n"
    "sent no message or no book, 2 usage error.\n";

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
    std::cout << "events         " << statistics.events << "\n"
              << "gaps           " << statistics.gaps << "\n"
              << "snapshots      " << statistics.snapshots << "\n"
              << "rejected       " << statistics.rejected << "\n"
              << "duplicates     " << statistics.duplicates << "\n"
              << "restarts       " << statistics.restarts << "\n"
              << "contradictions " << statistics.contradictions << "\n";
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
        << ",\"contradictions\":" << statistics.contradictions
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

std::atomic<bool> g_stopRequested{false};

extern "C" void requestStop(int)
{
    g_stopRequested.store(true);
}

std::optional<std::string> checkEndpoints(const ListenArguments &parsed)
{
    for (const std::vector<std::string> *list : {&parsed.endpoints, &parsed.snapshotEndpoints}) {
        for (const std::string &endpoint : *list) {
            if (endpoint.empty())
                continue;
            if (auto problem = net::feed::checkEndpoint(endpoint))
                return *problem;
            if (endpoint.rfind("tcp://", 0) == 0 && endpoint.ends_with(":*"))
                return "invalid endpoint '" + endpoint +
                       "': a port of * can be bound but not connected to; give the port number";
        }
    }
    return std::nullopt;
}

} // namespace

int runListenCommand(const std::vector<std::string> &arguments)
{
    ListenArguments parsed;
    if (auto problem = parseArguments(arguments, parsed))
        return usageError(*problem);
    if (auto problem = checkEndpoints(parsed))
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
    // SIGINT or SIGTERM ends the wait early; the report is printed all the same.
    g_stopRequested.store(false);
    std::signal(SIGINT, requestStop);
    std::signal(SIGTERM, requestStop);
    subscriber.runUntilIdle(parsed.idle, [] { return g_stopRequested.load(); });
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);

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

    // A script must not read a listener that heard nothing as a success.
    bool allLive = statistics.rejected == 0;
    for (std::size_t feed = 0; feed < subscriber.feedCount(); ++feed) {
        if (subscriber.payloadsReceived(feed) == 0) {
            std::cerr << "bourse-engine listen: no message received from "
                      << subscriber.endpoint(feed) << "\n";
            allLive = false;
        } else if (subscriber.books(feed).summaries().empty()) {
            std::cerr << "bourse-engine listen: no book built from " << subscriber.endpoint(feed)
                      << ": every message received was empty or rejected\n";
            allLive = false;
        }
    }
    for (const net::feed::StreamSummary &book : books)
        allLive = allLive && book.state == net::feed::StreamState::Live;
    return allLive ? Success : CheckFailed;
}

} // namespace bourse::cli

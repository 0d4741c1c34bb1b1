#include "feed_benchmark.h"

#include "net_benchmark_baseline.h"

#include "feed_publisher.h"
#include "feed_subscriber.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

namespace bourse::bench {

namespace {

using Clock = std::chrono::steady_clock;
namespace feed = net::feed;

constexpr const char *kUsage =
    "usage: bourse-bench feed [--events N] [--batch N] [--runs N] [--json]\n"
    "\n"
    "Feed events a FeedSubscriber decodes and applies to its book per second, from a\n"
    "FeedPublisher on another thread over loopback TCP, beside bare PUB/SUB messages of 64 bytes\n"
    "per second in the same run. The workload is one order-level stream of adds, executions\n"
    "and deletes over 1,000 resting orders, in the binary encoding. Medians of the runs are\n"
    "reported.\n"
    "  --events N  feed messages per run, from 1000 to 100000000 (default 1000000); the\n"
    "              baseline sends as many ZeroMQ messages\n"
    "  --batch N   feed messages per ZeroMQ message, from 1 to 4096 (default 256)\n"
    "  --runs N    timed runs, from 1 to 100 (default 5)\n"
    "  --json      print exactly one JSON object\n"
    "Exit status: 0 measured, 1 a run failed, 2 usage error.\n";

struct FeedBenchmarkOptions {
    std::uint64_t events = 1'000'000;
    std::uint64_t batch = 256;
    std::uint64_t runs = 5;
    bool json = false;
};

// The workload: order 1,000 + k is added at message 3k, executes 10 shares at 3k + 1 and is
// deleted 1,000 adds later, so the book contains about 1,000 orders over 100 prices a side.
std::vector<feed::Body> workload(std::uint64_t count)
{
    std::vector<feed::Body> bodies;
    bodies.reserve(count);
    std::uint64_t added = 0;
    for (std::uint64_t i = 0; bodies.size() < count; ++i) {
        const auto id = [](std::uint64_t k) { return OrderId{1000 + k}; };
        const auto sideOf = [](std::uint64_t k) { return k % 2 == 0 ? Side::Buy : Side::Sell; };
        const auto priceOf = [](std::uint64_t k) {
            const auto offset = static_cast<std::int64_t>(k % 100);
            return Price{k % 2 == 0 ? 10'000 - offset : 10'001 + offset};
        };
        const Timestamp time{static_cast<std::int64_t>(i)};
        const std::uint64_t k = added++;
        bodies.push_back(feed::OrderMessage{feed::OrderAction::Add, time, id(k), sideOf(k),
                                            priceOf(k), Quantity{100}});
        bodies.push_back(feed::OrderMessage{feed::OrderAction::Execute, time, id(k), sideOf(k),
                                            priceOf(k), Quantity{10}});
        if (k >= 1000) {
            const std::uint64_t old = k - 1000;
            bodies.push_back(feed::OrderMessage{feed::OrderAction::Delete, time, id(old),
                                                sideOf(old), priceOf(old), Quantity{90}});
        }
    }
    bodies.resize(count);
    return bodies;
}

// One run: returns events applied per second, or nothing and sets `error`.
std::optional<double> measureFeed(const std::vector<feed::Body> &bodies, std::uint64_t batch,
                                  std::string &error)
{
    zmq::context_t publisherContext(1);
    feed::FeedPublisher publisher(
        publisherContext, {kLoopbackEndpoint, kLoopbackEndpoint, feed::Encoding::Binary, batch, 0});
    if (auto failed = publisher.bind()) {
        error = "cannot bind " + *failed;
        return std::nullopt;
    }
    zmq::context_t subscriberContext(1);
    feed::FeedSubscriber subscriber(
        subscriberContext, {{publisher.endpoint(), {"BENCH"}, publisher.snapshotEndpoint()}});
    if (auto failed = subscriber.connect()) {
        error = "cannot connect " + *failed;
        return std::nullopt;
    }

    std::atomic<bool> stop{false};
    std::atomic<Clock::rep> started{0};
    std::thread publishing([&] {
        publisher.setStopFlag(stop);
        publisher.waitForSubscription(std::chrono::seconds(10), stop);
        publisher.define("BENCH", {feed::BookDepth::Orders, 0, 0, 1, 1});
        started = Clock::now().time_since_epoch().count();
        for (const feed::Body &body : bodies)
            publisher.publish("BENCH", body);
        publisher.flush();
        publisher.sendHeartbeats();
        while (!stop.load())
            publisher.serve(std::chrono::milliseconds(50), stop);
    });

    const auto deadline = Clock::now() + std::chrono::seconds(120);
    while (subscriber.statistics().events < bodies.size() && Clock::now() < deadline)
        subscriber.poll(std::chrono::milliseconds(10));
    const auto finished = Clock::now();
    stop = true;
    publishing.join();

    const feed::FeedStatistics statistics = subscriber.statistics();
    if (statistics.events != bodies.size() || statistics.gaps != 0) {
        error = "the subscriber applied " + std::to_string(statistics.events) + " of " +
                std::to_string(bodies.size()) + " events with " + std::to_string(statistics.gaps) +
                " gaps";
        return std::nullopt;
    }
    const double seconds =
        std::chrono::duration<double>(finished - Clock::time_point(Clock::duration(started.load())))
            .count();
    return static_cast<double>(bodies.size()) / seconds;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    const std::size_t middle = values.size() / 2;
    return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

std::optional<std::string> parseOptions(const std::vector<std::string> &arguments,
                                        FeedBenchmarkOptions &options, bool &help)
{
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string &name = arguments[i];
        if (name == "--help" || name == "-h") {
            help = true;
            return std::nullopt;
        }
        if (name == "--json") {
            options.json = true;
            continue;
        }
        std::uint64_t *target = name == "--events"  ? &options.events
                                : name == "--batch" ? &options.batch
                                : name == "--runs"  ? &options.runs
                                                    : nullptr;
        if (!target)
            return "unknown option '" + name + "'";
        if (i + 1 >= arguments.size())
            return name + " needs a value";
        const std::string &value = arguments[++i];
        const std::uint64_t min = name == "--events" ? 1000 : 1;
        const std::uint64_t max = name == "--events"  ? 100'000'000
                                  : name == "--batch" ? feed::kMaxBatchRecords
                                                      : 100;
        if (value.empty() || value.size() > 10 ||
            value.find_first_not_of("0123456789") != std::string::npos ||
            std::stoull(value) < min || std::stoull(value) > max)
            return "invalid " + name + " '" + value + "': expected " + std::to_string(min) +
                   " to " + std::to_string(max);
        *target = std::stoull(value);
    }
    return std::nullopt;
}

} // namespace

int runFeedCommand(const std::vector<std::string> &arguments)
{
    FeedBenchmarkOptions options;
    bool help = false;
    if (auto problem = parseOptions(arguments, options, help)) {
        std::cerr << "bourse-bench feed: " << *problem << "\n";
        return 2;
    }
    if (help) {
        std::cout << kUsage;
        return 0;
    }

    const std::vector<feed::Body> bodies = workload(options.events);
    std::vector<double> feedRates;
    std::vector<double> baselineRates;
    for (std::uint64_t run = 0; run < options.runs; ++run) {
        std::string error;
        const auto rate = measureFeed(bodies, options.batch, error);
        const auto baseline = rate ? measurePubSub(options.events, nullptr, error) : std::nullopt;
        if (!rate || !baseline) {
            std::cerr << "bourse-bench feed: run " << run + 1 << " failed: " << error << "\n";
            return 1;
        }
        feedRates.push_back(*rate);
        baselineRates.push_back(baseline->messagesPerSecond());
    }

    const double events = median(feedRates);
    const double baseline = median(baselineRates);
    std::ostringstream out;
    if (options.json) {
        out << "{\"events\":" << options.events << ",\"batch\":" << options.batch
            << ",\"runs\":" << options.runs
            << ",\"events_per_second\":" << static_cast<std::uint64_t>(events)
            << ",\"baseline_messages_per_second\":" << static_cast<std::uint64_t>(baseline)
            << ",\"ratio\":" << events / baseline << "}\n";
    } else {
        out << "feed events per second (median of " << options.runs
            << "): " << static_cast<std::uint64_t>(events) << "\n"
            << "bare PUB/SUB messages per second (median): " << static_cast<std::uint64_t>(baseline)
            << "\n"
            << "ratio: " << events / baseline << "\n";
    }
    std::cout << out.str();
    return 0;
}

} // namespace bourse::bench

#pragma once

// A terminal session (Session) on a live remote feed, for tests that run a FeedPublisher in the
// same process.

#include "feed_publisher.h"
#include "live_feed.h"
#include "session.h"

#include <QElapsedTimer>
#include <QtGlobal>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace live_session {

using ViewPointer = std::shared_ptr<const bourse::MarketView>;

// Starts a session on a live feed of `endpoint`, with `snapshotEndpoint` (empty: none).
inline std::unique_ptr<bourse::Session> start(const std::string &endpoint,
                                              const std::string &snapshotEndpoint)
{
    auto session = std::make_unique<bourse::Session>();
    bourse::Session::ReplaySource source;
    source.messagePath = endpoint;
    source.speed = 0.0;
    const std::vector<bourse::net::feed::FeedSubscription> feeds{{endpoint, {}, snapshotEndpoint}};
    source.openFeed = [feeds](bourse::Engine &engine, std::string &error) {
        return bourse::net::feed::openLiveFeed(feeds, engine, error);
    };
    if (std::optional<std::string> error = session->startReplay(source))
        qWarning("live session failed to start: %s", error->c_str());
    return session;
}

// Waits for a view that meets `predicate`, running `between` (such as a publisher's serve())
// between two looks. Returns null on timeout.
inline ViewPointer waitForView(const bourse::Session &session,
                               const std::function<bool(const bourse::MarketView &)> &predicate,
                               const std::function<void()> &between = {}, int timeoutMs = 10'000)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        ViewPointer view = session.latestView();
        if (view && predicate(*view))
            return view;
        if (between)
            between();
        else
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return nullptr;
}

// A FeedPublisher on loopback ports that the system chooses, and a session subscribed to it.
struct LoopbackFeed {
    // Whether the session is given the publisher's snapshot endpoint.
    enum class Snapshots : std::uint8_t { Requested, None };

    explicit LoopbackFeed(bourse::net::feed::FeedPublisherOptions options)
        : publisher(context, std::move(options))
    {
    }

    // Binds the publisher, starts the session and waits until its subscription reaches the
    // publisher. Returns false when a step fails.
    bool open(Snapshots snapshots = Snapshots::Requested)
    {
        if (publisher.bind())
            return false;
        session =
            start(publisher.endpoint(),
                  snapshots == Snapshots::None ? std::string() : publisher.snapshotEndpoint());
        return publisher.waitForSubscription(std::chrono::seconds(5), stop);
    }

    // Replies to snapshot requests and sends heartbeats for a few milliseconds.
    void serve() { publisher.serve(std::chrono::milliseconds(5), stop); }

    zmq::context_t context;
    bourse::net::feed::FeedPublisher publisher;
    std::atomic<bool> stop{false};
    std::unique_ptr<bourse::Session> session; // destroyed first, before the publisher
};

// The options of a publisher that loses every third sequenced message, on loopback ports that the
// system chooses. The batches hold up to 256 messages: a publisher replies to snapshot requests
// after each full batch, so batches of one could reply to a request before a test looks at the gap.
inline bourse::net::feed::FeedPublisherOptions lossyPublisher()
{
    bourse::net::feed::FeedPublisherOptions options{"tcp://127.0.0.1:*", "tcp://127.0.0.1:*"};
    options.dropEvery = 3;
    return options;
}

// Publishes four adds to `topic`, in one batch, on a book with two price decimals: a bid of 100
// at 10.00, an ask of 50 at 10.10, a bid of 20 at 10.01 (sequence 3, which lossyPublisher()
// loses) and an ask of 5 at 10.11. The order id is also the market time in seconds.
inline void publishLostBid(bourse::net::feed::FeedPublisher &publisher, const std::string &topic)
{
    using namespace bourse;
    namespace feed = bourse::net::feed;
    const auto add = [](std::uint64_t id, Side side, std::int64_t price, std::int64_t quantity) {
        const Timestamp time{static_cast<std::int64_t>(id) * 1'000'000'000};
        return feed::OrderMessage{feed::OrderAction::Add, time, OrderId{id}, side, Price{price},
                                  Quantity{quantity}};
    };
    publisher.define(topic, {feed::BookDepth::Orders, 2, 0, 1, 1});
    publisher.publish(topic, add(1, Side::Buy, 1000, 100));
    publisher.publish(topic, add(2, Side::Sell, 1010, 50));
    publisher.publish(topic, add(3, Side::Buy, 1001, 20));
    publisher.publish(topic, add(4, Side::Sell, 1011, 5));
    publisher.flush();
}

} // namespace live_session

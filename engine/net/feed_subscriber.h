#pragma once

// The subscribing side of a remote feed (docs/feeds.md): a SUB socket per feed, a DEALER for its
// snapshot requests, and FeedBooks that rebuild each topic's book.

#include "feed_books.h"

#include <zmq.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace bourse::net::feed {

struct FeedSubscription {
    std::string endpoint;            // the publisher's feed socket
    std::vector<std::string> topics; // empty: every topic
    std::string snapshotEndpoint;    // empty: stale books wait for a snapshot in the stream
};

// Subscribes to one or more feeds and applies what they send. Each feed has its own FeedBooks,
// because two publishers may use the same topic. Not thread-safe: one thread calls every member.
class FeedSubscriber {
public:
    // The minimum time between two snapshot requests for one topic to one endpoint, whether the
    // first got a reply or not, so that a publisher that replies with nothing or with garbage is
    // not flooded.
    static constexpr std::chrono::milliseconds kSnapshotRetry{1000};

    FeedSubscriber(zmq::context_t &context, std::vector<FeedSubscription> feeds);
    ~FeedSubscriber();
    FeedSubscriber(const FeedSubscriber &) = delete;
    FeedSubscriber &operator=(const FeedSubscriber &) = delete;

    // Connects every socket. Returns the endpoint and libzmq's reason when one is invalid.
    std::optional<std::string> connect();

    // Waits up to `wait` for input and applies everything that has arrived. Returns the number
    // of payloads received that carried more than heartbeats.
    std::size_t poll(std::chrono::milliseconds wait);
    // Polls until `idle` passes without a payload other than heartbeats, or until
    // `stopRequested`, checked after each poll of at most `idle`, returns true.
    void runUntilIdle(std::chrono::milliseconds idle,
                      const std::function<bool()> &stopRequested = {});

    // Sets the observer of the changes to the books of `feed`; nullptr removes it. The observer
    // must outlive the subscriber, and is called from poll() and runUntilIdle().
    void setObserver(std::size_t feed, FeedBookObserver *observer);

    std::size_t feedCount() const { return m_feeds.size(); }
    const FeedBooks &books(std::size_t feed = 0) const;
    // Payloads of any kind, valid or not, received from a feed's two sockets.
    std::size_t payloadsReceived(std::size_t feed = 0) const;
    const std::string &endpoint(std::size_t feed = 0) const;
    // The counters of every feed added up, with the last rejection of any.
    FeedStatistics statistics() const;

private:
    struct Feed;

    void receiveFeed(Feed &feed, std::size_t &received);
    void receiveSnapshots(Feed &feed);
    void applySnapshotReply(Feed &feed, const std::string &topic, const zmq::message_t &payload);
    void apply(Feed &feed, const zmq::message_t &topic, const zmq::message_t &payload,
               std::size_t frames, std::size_t &received);
    void retrySnapshots(Feed &feed);

    zmq::context_t &m_context;
    std::vector<std::unique_ptr<Feed>> m_feeds;
    Batch m_batch; // reused for every payload
};

} // namespace bourse::net::feed

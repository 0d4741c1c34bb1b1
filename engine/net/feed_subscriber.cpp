#include "feed_subscriber.h"

#include <zmq_addon.hpp>

#include <algorithm>
#include <cerrno>
#include <map>

namespace bourse::net::feed {

namespace {

using Clock = std::chrono::steady_clock;

bool onlyHeartbeats(const Batch &batch)
{
    for (const Message &message : batch.messages) {
        if (!std::holds_alternative<Heartbeat>(message.body))
            return false;
    }
    return true;
}

} // namespace

struct FeedSubscriber::Feed : FeedBooksHandler {
    Feed(zmq::context_t &context, FeedSubscription feed)
        : subscription(std::move(feed))
        , sub(context, zmq::socket_type::sub)
        , dealer(context, zmq::socket_type::dealer)
    {
        books.setHandler(this);
        // A SUB socket sends every topic filter again when it reconnects, through a queue
        // bounded by its send high-water mark, and drops the filters beyond it: a subscriber of
        // more than 1,000 topics (libzmq's default) would lose some after a publisher restart.
        sub.set(zmq::sockopt::sndhwm, 0);
        sub.set(zmq::sockopt::linger, 0);
        dealer.set(zmq::sockopt::linger, 0);
    }

    void snapshotRequested(const std::string &topic) override
    {
        if (subscription.snapshotEndpoint.empty())
            return;
        const std::vector<std::uint8_t> request = encodeSnapshotRequest(topic);
        // A full queue only delays the request: retrySnapshots() sends it again.
        (void)dealer.send(zmq::buffer(request), zmq::send_flags::dontwait);
        requested[topic] = Clock::now();
    }

    void subscribe()
    {
        if (subscription.topics.empty()) {
            sub.set(zmq::sockopt::subscribe, "");
            return;
        }
        for (const std::string &topic : subscription.topics)
            sub.set(zmq::sockopt::subscribe, topic);
    }

    FeedSubscription subscription;
    zmq::socket_t sub;
    zmq::socket_t dealer;
    FeedBooks books;
    std::map<std::string, Clock::time_point> requested;
};

FeedSubscriber::FeedSubscriber(zmq::context_t &context, std::vector<FeedSubscription> feeds)
    : m_context(context)
{
    for (FeedSubscription &subscription : feeds)
        m_feeds.push_back(std::make_unique<Feed>(context, std::move(subscription)));
}

FeedSubscriber::~FeedSubscriber() = default;

std::optional<std::string> FeedSubscriber::connect()
{
    for (auto &feed : m_feeds) {
        const std::string *endpoint = &feed->subscription.endpoint;
        try {
            feed->subscribe();
            feed->sub.connect(*endpoint);
            endpoint = &feed->subscription.snapshotEndpoint;
            if (!endpoint->empty())
                feed->dealer.connect(*endpoint);
        } catch (const zmq::error_t &failure) {
            return *endpoint + ": " + failure.what();
        }
    }
    return std::nullopt;
}

std::size_t FeedSubscriber::poll(std::chrono::milliseconds wait)
{
    std::vector<zmq::pollitem_t> items;
    for (auto &feed : m_feeds) {
        items.push_back({feed->sub.handle(), 0, ZMQ_POLLIN, 0});
        items.push_back({feed->dealer.handle(), 0, ZMQ_POLLIN, 0});
    }
    try {
        zmq::poll(items, wait);
    } catch (const zmq::error_t &failure) {
        // A signal interrupted the wait; what has arrived is read below all the same.
        if (failure.num() != EINTR)
            throw;
    }

    std::size_t received = 0;
    for (auto &feed : m_feeds) {
        receiveSnapshots(*feed);
        receiveFeed(*feed, received);
        retrySnapshots(*feed);
    }
    return received;
}

void FeedSubscriber::runUntilIdle(std::chrono::milliseconds idle)
{
    auto lastData = Clock::now();
    while (Clock::now() - lastData < idle) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(idle - (Clock::now() - lastData));
        if (poll(std::max(left, std::chrono::milliseconds(1))) > 0)
            lastData = Clock::now();
    }
}

// Reads at most a bounded number of payloads a call, so that snapshot replies are not held up
// behind a fast feed.
void FeedSubscriber::receiveFeed(Feed &feed, std::size_t &received)
{
    for (int count = 0; count < 1024; ++count) {
        zmq::message_t topic;
        if (!feed.sub.recv(topic, zmq::recv_flags::dontwait))
            return;
        std::size_t frames = 1;
        zmq::message_t payload;
        bool more = topic.more();
        while (more) {
            zmq::message_t part;
            (void)feed.sub.recv(part, zmq::recv_flags::none);
            more = part.more();
            if (++frames == 2)
                payload = std::move(part);
        }
        apply(feed, topic, payload, frames, received);
    }
}

void FeedSubscriber::receiveSnapshots(Feed &feed)
{
    std::size_t ignored = 0;
    while (true) {
        std::vector<zmq::message_t> frames;
        if (!zmq::recv_multipart(feed.dealer, std::back_inserter(frames),
                                 zmq::recv_flags::dontwait))
            return;
        if (frames.size() != 2) {
            feed.books.reject(DecodeError{0, "frames",
                                          "a snapshot reply has " + std::to_string(frames.size()) +
                                              " frames, expected 2"});
            continue;
        }
        feed.requested.erase(frames[0].to_string());
        apply(feed, frames[0], frames[1], 2, ignored);
    }
}

void FeedSubscriber::apply(Feed &feed, const zmq::message_t &topic, const zmq::message_t &payload,
                           std::size_t frames, std::size_t &received)
{
    if (frames != 2) {
        feed.books.reject(DecodeError{0, "frames",
                                      "the message has " + std::to_string(frames) +
                                          " frames, expected 2 (topic, payload)"});
        return;
    }
    const auto failed =
        decode(topic.to_string_view(), {payload.data<std::uint8_t>(), payload.size()}, m_batch);
    if (failed) {
        feed.books.reject(*failed);
        return;
    }
    // A SUB socket filters by prefix, so a subscription to GOOG also receives GOOGL.
    const auto &topics = feed.subscription.topics;
    if (!topics.empty() && std::find(topics.begin(), topics.end(), m_batch.topic) == topics.end())
        return;
    if (!onlyHeartbeats(m_batch))
        ++received;
    feed.books.apply(m_batch);
}

void FeedSubscriber::retrySnapshots(Feed &feed)
{
    if (feed.subscription.snapshotEndpoint.empty())
        return;
    const auto now = Clock::now();
    for (const std::string &topic : feed.books.pendingSnapshots()) {
        const auto found = feed.requested.find(topic);
        if (found == feed.requested.end() || now - found->second >= kSnapshotRetry)
            feed.snapshotRequested(topic);
    }
}

const FeedBooks &FeedSubscriber::books(std::size_t feed) const
{
    return m_feeds.at(feed)->books;
}

FeedStatistics FeedSubscriber::statistics() const
{
    FeedStatistics total;
    for (const auto &feed : m_feeds) {
        const FeedStatistics &part = feed->books.statistics();
        total.events += part.events;
        total.gaps += part.gaps;
        total.snapshots += part.snapshots;
        total.rejected += part.rejected;
        total.duplicates += part.duplicates;
        total.restarts += part.restarts;
        total.discarded += part.discarded;
        if (!part.lastRejection.empty())
            total.lastRejection = part.lastRejection;
    }
    return total;
}

} // namespace bourse::net::feed

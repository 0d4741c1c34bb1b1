#include "feed_subscriber.h"

#include <zmq_addon.hpp>

#include <algorithm>
#include <cerrno>
#include <map>

namespace bourse::net::feed {

namespace {

using Clock = std::chrono::steady_clock;

std::string framesText(std::size_t count)
{
    return std::to_string(count) + (count == 1 ? " frame" : " frames");
}

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
        books.setSource(subscription.endpoint);
        // A SUB socket sends every topic filter again when it reconnects, through a queue
        // bounded by its send high-water mark, and drops the filters beyond it. So a subscriber
        // of more than 1,000 topics (libzmq's default) would lose some after a publisher restart.
        sub.set(zmq::sockopt::sndhwm, 0);
        sub.set(zmq::sockopt::linger, 0);
        dealer.set(zmq::sockopt::linger, 0);
    }

    // Sends a request unless one for `topic` went out less than kSnapshotRetry ago, whether or
    // not it got a reply. retrySnapshots() sends it once that time has passed.
    void snapshotRequested(const std::string &topic) override
    {
        if (subscription.snapshotEndpoint.empty())
            return;
        const auto last = requested.find(topic);
        if (last != requested.end() && Clock::now() - last->second < kSnapshotRetry)
            return;
        const std::vector<std::uint8_t> request = encodeSnapshotRequest(topic);
        // A full queue only delays the request: retrySnapshots() sends it again.
        (void)dealer.send(zmq::buffer(request), zmq::send_flags::dontwait);
        requested[topic] = Clock::now();
        ++awaitingReply[topic];
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
    std::map<std::string, Clock::time_point> requested; // the last request of each topic
    // Requests sent without a reply yet, by topic. A request lost with a stopped publisher stays
    // counted, which lets one late reply in.
    std::map<std::string, std::size_t> awaitingReply;
    std::size_t payloads = 0; // payloads received on either socket, valid or not
};

FeedSubscriber::FeedSubscriber(zmq::context_t &context, std::vector<FeedSubscription> feeds)
    : m_context(context)
{
    for (FeedSubscription &subscription : feeds)
        m_feeds.push_back(std::make_unique<Feed>(context, std::move(subscription)));
}

FeedSubscriber::~FeedSubscriber() = default;

void FeedSubscriber::setObserver(std::size_t feed, FeedBookObserver *observer)
{
    m_feeds.at(feed)->books.setObserver(observer);
}

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

void FeedSubscriber::runUntilIdle(std::chrono::milliseconds idle,
                                  const std::function<bool()> &stopRequested)
{
    auto lastData = Clock::now();
    while (Clock::now() - lastData < idle && !(stopRequested && stopRequested())) {
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
        ++feed.payloads;
        apply(feed, topic, payload, frames, received);
    }
}

void FeedSubscriber::receiveSnapshots(Feed &feed)
{
    while (true) {
        std::vector<zmq::message_t> frames;
        if (!zmq::recv_multipart(feed.dealer, std::back_inserter(frames),
                                 zmq::recv_flags::dontwait))
            return;
        ++feed.payloads;
        if (frames.size() != 2) {
            feed.books.reject({}, "a snapshot reply of " + framesText(frames.size()) +
                                      ", expected 2 (topic, payload)");
            continue;
        }
        applySnapshotReply(feed, frames[0].to_string(), frames[1]);
    }
}

// A reply is taken only for a topic with a request still waiting for it, so a publisher
// cannot add books that the subscriber never subscribed to. Its payload may still be rejected by
// the decoder or by FeedBooks::applySnapshotReply.
void FeedSubscriber::applySnapshotReply(Feed &feed, const std::string &topic,
                                        const zmq::message_t &payload)
{
    const auto waiting = feed.awaitingReply.find(topic);
    if (waiting == feed.awaitingReply.end()) {
        feed.books.reject(topic, "a snapshot reply for a topic with no request waiting");
        return;
    }
    if (--waiting->second == 0)
        feed.awaitingReply.erase(waiting);
    const auto failed = decode(topic, {payload.data<std::uint8_t>(), payload.size()}, m_batch);
    if (failed) {
        feed.books.reject(*failed, topic);
        return;
    }
    if (m_batch.messages.empty()) {
        feed.books.markNoSuchTopic(topic);
        return;
    }
    feed.books.applySnapshotReply(m_batch);
}

void FeedSubscriber::apply(Feed &feed, const zmq::message_t &topic, const zmq::message_t &payload,
                           std::size_t frames, std::size_t &received)
{
    if (frames != 2) {
        feed.books.reject(topic.to_string_view(), "a ZeroMQ message of " + framesText(frames) +
                                                      ", expected 2 (topic, payload)");
        return;
    }
    const auto failed =
        decode(topic.to_string_view(), {payload.data<std::uint8_t>(), payload.size()}, m_batch);
    if (failed) {
        feed.books.reject(*failed, topic.to_string_view());
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

std::size_t FeedSubscriber::payloadsReceived(std::size_t feed) const
{
    return m_feeds.at(feed)->payloads;
}

const std::string &FeedSubscriber::endpoint(std::size_t feed) const
{
    return m_feeds.at(feed)->subscription.endpoint;
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
        total.contradictions += part.contradictions;
        if (!part.lastRejection.empty())
            total.lastRejection = part.lastRejection;
    }
    return total;
}

} // namespace bourse::net::feed

#include "feed_publisher.h"

#include <zmq_addon.hpp>

#include <cerrno>
#include <random>
#include <thread>

namespace bourse::net::feed {

namespace {

using Clock = std::chrono::steady_clock;

// How long a send waits for a slow subscriber before the publisher replies to snapshot requests
// and tries again.
constexpr int kSendTimeoutMilliseconds = 50;

// Waits for input like zmq::poll, but returns when a signal interrupts the wait, so that the
// caller can look at its stop flag (SIGINT and SIGTERM set it in `bourse-engine feed`).
void pollInterruptibly(zmq::pollitem_t *items, std::size_t count, std::chrono::milliseconds timeout)
{
    try {
        zmq::poll(items, count, timeout);
    } catch (const zmq::error_t &failure) {
        if (failure.num() != EINTR)
            throw;
    }
}

std::uint64_t randomSession()
{
    std::random_device device;
    std::uint64_t session = 0;
    while (session == 0)
        session = (std::uint64_t{device()} << 32) ^ device();
    return session;
}

} // namespace

struct FeedPublisher::Topic {
    std::optional<InstrumentDefinition> definition;
    bool definitionPending = false;
    std::uint64_t lastSequence = 0;
    Batch pending; // what goes out
    Batch local;   // the same with the dropped messages, for the publisher's own book
};

FeedPublisher::FeedPublisher(zmq::context_t &context, FeedPublisherOptions options)
    : m_context(context)
    , m_options(std::move(options))
    , m_feed(context, zmq::socket_type::xpub)
    , m_snapshots(context, zmq::socket_type::router)
    , m_session(randomSession())
    , m_lastSend(Clock::now())
{
    if (m_options.batchLimit == 0 || m_options.batchLimit > kMaxBatchRecords)
        m_options.batchLimit = kMaxBatchRecords;
    m_feed.set(zmq::sockopt::xpub_nodrop, 1);
    m_feed.set(zmq::sockopt::sndtimeo, kSendTimeoutMilliseconds);
    m_feed.set(zmq::sockopt::linger, 0);
    m_snapshots.set(zmq::sockopt::linger, 0);
}

FeedPublisher::~FeedPublisher() = default;

std::optional<std::string> FeedPublisher::bind()
{
    try {
        m_feed.bind(m_options.endpoint);
        m_endpoint = m_feed.get(zmq::sockopt::last_endpoint);
    } catch (const zmq::error_t &failure) {
        return m_options.endpoint + ": " + failure.what();
    }
    if (m_options.snapshotEndpoint.empty())
        return std::nullopt;
    try {
        m_snapshots.bind(m_options.snapshotEndpoint);
        m_snapshotEndpoint = m_snapshots.get(zmq::sockopt::last_endpoint);
    } catch (const zmq::error_t &failure) {
        return m_options.snapshotEndpoint + ": " + failure.what();
    }
    return std::nullopt;
}

void FeedPublisher::define(const std::string &topic, const InstrumentDefinition &definition)
{
    auto &state = m_topics[topic];
    if (!state)
        state = std::make_unique<Topic>();
    state->definition = definition;
    state->definitionPending = true;
}

void FeedPublisher::publish(const std::string &topic, Body body)
{
    auto &state = m_topics[topic];
    if (!state)
        state = std::make_unique<Topic>();
    if (state->definitionPending) {
        state->definitionPending = false;
        const Message definition{state->lastSequence, *state->definition};
        state->pending.messages.push_back(definition);
        state->local.messages.push_back(definition);
    }

    const bool sequenced = isSequenced(body);
    Message message{sequenced ? ++state->lastSequence : state->lastSequence, std::move(body)};
    if (sequenced) {
        ++m_sequencedCount;
        if (m_options.dropEvery > 0 && m_sequencedCount % m_options.dropEvery == 0) {
            ++m_statistics.dropped;
            state->local.messages.push_back(std::move(message));
            return;
        }
        ++m_statistics.messages;
    }
    state->local.messages.push_back(message);
    state->pending.messages.push_back(std::move(message));
    if (state->pending.messages.size() >= m_options.batchLimit) {
        flush();
        // A subscriber that found a gap waits for its snapshot while the feed plays on.
        replyToSnapshotRequests();
    }
}

void FeedPublisher::flush()
{
    for (auto &[topic, state] : m_topics) {
        state->local.topic = topic;
        state->local.session = m_session;
        m_books.apply(state->local);
        state->local.messages.clear();

        if (state->pending.messages.empty())
            continue;
        // Taken out first, because a send that waits replies to snapshot requests, which flush.
        Batch outgoing = std::move(state->pending);
        state->pending = Batch{};
        outgoing.topic = topic;
        outgoing.session = m_session;
        sendBatch(outgoing);
    }
}

std::vector<std::uint8_t> FeedPublisher::encode(const Batch &batch) const
{
    std::vector<std::uint8_t> payload;
    if (m_options.encoding == Encoding::Binary) {
        encodeBinary(batch, payload);
    } else {
        const std::string text = encodeJson(batch);
        payload.assign(text.begin(), text.end());
    }
    return payload;
}

void FeedPublisher::sendBatch(const Batch &batch)
{
    const std::vector<std::uint8_t> payload = encode(batch);
    sendFrames(batch.topic, payload);
    ++m_statistics.batches;
}

// A send that times out means a subscriber's queue is full: the publisher keeps replying to
// snapshot requests meanwhile, because the subscriber may be waiting for one.
void FeedPublisher::sendFrames(const std::string &topic, std::span<const std::uint8_t> payload)
{
    while (true) {
        if (sendTopic(topic)) {
            // Once the first frame is queued, the second goes to the same pipes without waiting.
            m_feed.send(zmq::buffer(payload.data(), payload.size()), zmq::send_flags::none);
            break;
        }
        replyToSnapshotRequests();
        drainSubscriptions();
        if (m_stop && m_stop->load())
            return;
    }
    m_lastSend = Clock::now();
}

bool FeedPublisher::sendTopic(const std::string &topic)
{
    try {
        return m_feed.send(zmq::buffer(topic), zmq::send_flags::sndmore).has_value();
    } catch (const zmq::error_t &failure) {
        if (failure.num() != EINTR)
            throw;
        return false;
    }
}

void FeedPublisher::sendHeartbeats()
{
    for (auto &[topic, state] : m_topics) {
        if (!state->pending.messages.empty())
            continue;
        const Batch heartbeat{topic, m_session, {Message{state->lastSequence, Heartbeat{}}}};
        sendFrames(topic, encode(heartbeat));
    }
    m_lastSend = Clock::now();
}

void FeedPublisher::serve(std::chrono::milliseconds wait, const std::atomic<bool> &stop)
{
    m_stop = &stop;
    const auto until = Clock::now() + wait;
    while (!stop.load()) {
        if (Clock::now() - m_lastSend >= m_options.heartbeatInterval)
            sendHeartbeats();
        const auto now = Clock::now();
        if (now >= until)
            break;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - now);
        const auto heartbeatDue = std::chrono::duration_cast<std::chrono::milliseconds>(
            m_options.heartbeatInterval - (now - m_lastSend));
        const long timeout = std::max<long>(0, std::min(left, heartbeatDue).count());

        zmq::pollitem_t items[] = {{m_snapshots.handle(), 0, ZMQ_POLLIN, 0},
                                   {m_feed.handle(), 0, ZMQ_POLLIN, 0}};
        pollInterruptibly(items, 2, std::chrono::milliseconds(timeout));
        replyToSnapshotRequests();
        drainSubscriptions();
    }
}

void FeedPublisher::replyToSnapshotRequests()
{
    if (m_snapshotEndpoint.empty())
        return;
    while (true) {
        std::vector<zmq::message_t> frames;
        const auto received =
            zmq::recv_multipart(m_snapshots, std::back_inserter(frames), zmq::recv_flags::dontwait);
        if (!received)
            return;
        const auto request =
            frames.size() == 2
                ? decodeSnapshotRequest({frames[1].data<std::uint8_t>(), frames[1].size()})
                : std::nullopt;
        if (!request) {
            ++m_statistics.invalidRequests;
            continue;
        }
        // A snapshot must include every message sent before it, or the subscriber would take
        // the missing ones as held by the snapshot.
        flush();
        const std::vector<std::uint8_t> payload = encode(snapshotOf(*request));
        m_snapshots.send(frames[0], zmq::send_flags::sndmore);
        m_snapshots.send(zmq::buffer(*request), zmq::send_flags::sndmore);
        m_snapshots.send(zmq::buffer(payload.data(), payload.size()), zmq::send_flags::none);
        ++m_statistics.snapshots;
    }
}

Batch FeedPublisher::snapshotOf(const std::string &topic) const
{
    Batch batch{topic, m_session, {}};
    const auto found = m_topics.find(topic);
    if (found == m_topics.end() || !found->second->definition)
        return batch;
    const Topic &state = *found->second;
    batch.messages.push_back({state.lastSequence, *state.definition});
    if (const Engine *engine = m_books.orderBook(topic)) {
        batch.messages.push_back({state.lastSequence, OrderApplier::snapshotOf(*engine)});
    } else if (const replay::DepthBook *book = m_books.levelBook(topic)) {
        BookSnapshot snapshot;
        for (const replay::BookLevel &level : book->levels(Side::Buy))
            snapshot.bids.push_back({level.price, level.size});
        for (const replay::BookLevel &level : book->levels(Side::Sell))
            snapshot.asks.push_back({level.price, level.size});
        batch.messages.push_back({state.lastSequence, std::move(snapshot)});
    }
    return batch;
}

bool FeedPublisher::drainSubscriptions()
{
    bool any = false;
    zmq::message_t subscription;
    while (m_feed.recv(subscription, zmq::recv_flags::dontwait)) {
        if (subscription.size() > 0 && subscription.data<std::uint8_t>()[0] == 1)
            any = true;
    }
    return any;
}

bool FeedPublisher::waitForSubscription(std::chrono::milliseconds timeout,
                                        const std::atomic<bool> &stop)
{
    const auto until = Clock::now() + timeout;
    while (!stop.load() && Clock::now() < until) {
        zmq::pollitem_t items[] = {{m_feed.handle(), 0, ZMQ_POLLIN, 0}};
        pollInterruptibly(items, 1, std::chrono::milliseconds(10));
        if (drainSubscriptions())
            return true;
        replyToSnapshotRequests();
    }
    return false;
}

std::optional<std::string> play(FeedPublisher &publisher, FeedSource &source,
                                const PlayOptions &options, const std::atomic<bool> &stop)
{
    publisher.setStopFlag(stop);
    publisher.define(source.topic(), source.definition());
    Body body;
    Timestamp time;
    std::optional<Timestamp> firstTime;
    const auto started = Clock::now();
    bool more = true;
    while (!stop.load() && (more = source.next(body, time))) {
        if (!firstTime)
            firstTime = time;
        if (options.speed > 0) {
            const auto marketElapsed = std::chrono::nanoseconds(time.value() - firstTime->value());
            const auto due = started + std::chrono::duration_cast<Clock::duration>(marketElapsed /
                                                                                   options.speed);
            if (due > Clock::now()) {
                publisher.flush();
                publisher.serve(
                    std::chrono::duration_cast<std::chrono::milliseconds>(due - Clock::now()),
                    stop);
            }
        }
        publisher.publish(source.topic(), std::move(body));
    }
    publisher.flush();
    publisher.sendHeartbeats();
    // A malformed file stops the feed at once: lingering would show subscribers a feed that
    // looks healthy but has ended early.
    if (!more && source.error())
        return source.error();
    if (options.linger)
        publisher.serve(*options.linger, stop);
    else
        while (!stop.load())
            publisher.serve(std::chrono::milliseconds(500), stop);
    return source.error();
}

std::optional<std::string> checkEndpoint(const std::string &endpoint)
{
    const std::string tcp = "tcp://";
    if (endpoint.rfind(tcp, 0) != 0)
        return std::nullopt;
    const std::size_t colon = endpoint.rfind(':');
    if (colon < tcp.size() || colon == tcp.size())
        return "invalid endpoint '" + endpoint + "': expected tcp://HOST:PORT";
    const std::string port = endpoint.substr(colon + 1);
    if (port == "*")
        return std::nullopt;
    const bool digits = !port.empty() && port.size() <= 5 &&
                        port.find_first_not_of("0123456789") == std::string::npos;
    if (!digits || std::stoul(port) == 0 || std::stoul(port) > 65535)
        return "invalid port '" + port + "' in '" + endpoint + "': expected 1 to 65535 or *";
    return std::nullopt;
}

} // namespace bourse::net::feed

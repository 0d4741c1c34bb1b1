#include "net_benchmark_publish.h"

#include "agent_market.h"
#include "authenticator.h"
#include "curve_socket.h"
#include "engine.h"
#include "market_publisher.h"
#include "protocol.h"
#include "stream_sequence.h"
#include "stream_sync.h"

#include <zmq.hpp>

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <map>
#include <set>
#include <stdexcept>
#include <thread>

namespace bourse::bench {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kAgentMarketSeed = 1;
constexpr std::chrono::milliseconds kReceiveTimeout{10'000};
constexpr std::uint32_t kHeartbeatIntervalMs = 1000;
// Heartbeats go out until the subscriber has joined, because a PUB socket drops what it sends
// before the subscription arrives. One more after the stream ends the run, and its instance
// id marks it as the end.
constexpr std::uint64_t kJoinInstance = 1;
constexpr std::uint64_t kEndMarkerInstance = 2;

// Records what an engine publishes, with the command ends.
class StreamRecorder : public EventHandler {
public:
    explicit StreamRecorder(RecordedStream &stream)
        : m_stream(stream)
    {
    }
    void onEvent(const Event &event) override
    {
        m_stream.events.push_back(event);
        m_stream.endsCommand.push_back(false);
    }
    void onCommandEnd() override
    {
        if (!m_stream.endsCommand.empty() && !m_stream.endsCommand.back()) {
            m_stream.endsCommand.back() = true;
            ++m_stream.commands;
        }
    }

private:
    RecordedStream &m_stream;
};

// The market-data streams of the recorded events: one per instrument.
std::set<net::StreamKey> instrumentStreamsOf(const RecordedStream &stream)
{
    std::set<net::StreamKey> keys;
    for (const Event &event : stream.events) {
        if (net::isMarketData(event))
            keys.insert({net::StreamKind::Instrument, event.instrument.value()});
    }
    return keys;
}

// A market-data terminal's side of the publications: a SUB socket in a context of its own,
// subscribed to every instrument's topic and to heartbeats, that decodes each batch, checks its
// sequence number and keeps its bytes. The first heartbeat shows that it has joined, and the
// heartbeat of kEndMarkerInstance ends the run. Then it applies the kept batches through a
// StreamSynchronizer, which rebuilds each book and checks that every event fits, and times that
// apart: the first figure is what the network path delivers, the second what one thread of a
// terminal can apply.
class Subscriber {
public:
    Subscriber(const CurveSetup &curve, std::string endpoint, std::set<net::StreamKey> streams)
        : m_curve(curve)
        , m_endpoint(std::move(endpoint))
        , m_streams(std::move(streams))
    {
    }

    void run();

    std::atomic<bool> joined{false};
    std::atomic<bool> failed{false};

    PublishRun figures;
    Clock::time_point end;
    std::string error;

private:
    // A received batch, kept to be applied after the run.
    struct KeptBatch {
        net::Topic topic;
        std::vector<std::uint8_t> body;
    };

    bool receive(zmq::socket_t &socket);
    bool deliver(const net::Message &message);
    void applyKeptBatches();
    void prepareSynchronizer();
    void checkApplied();

    const CurveSetup &m_curve;
    std::string m_endpoint;
    std::set<net::StreamKey> m_streams;
    std::map<std::uint32_t, net::StreamSequence> m_sequences; // by instrument
    std::vector<KeptBatch> m_keptBatches;
    net::StreamSynchronizer m_synchronizer;
    zmq::message_t m_topic;
    zmq::message_t m_body;
    net::Message m_message;
};

// Follows every stream from its first message. A stream that starts with the publisher needs no
// snapshot, so the synchronizer gets an empty one that covers sequence number 0.
void Subscriber::prepareSynchronizer()
{
    for (const net::StreamKey &key : m_streams)
        m_synchronizer.follow(key);
    // A client sends a SnapshotRequest for each of these, and the responses come back one by one.
    for (const net::StreamKey &key : m_synchronizer.takeSnapshotRequests()) {
        net::Message part;
        part.header.type = net::MessageType::SnapshotPart;
        part.header.flags = net::kLastPartFlag;
        part.header.sequence = 1;
        part.body = net::SnapshotPart{key.kind, key.id, 0, 0, {}};
        m_synchronizer.onSnapshotPart(part);
    }
    for (const net::StreamKey &key : m_streams) {
        if (m_synchronizer.isStale(key))
            throw std::runtime_error("the synchronizer did not take an empty snapshot of "
                                     "instrument " +
                                     std::to_string(key.id));
    }
}

void Subscriber::run()
{
    pthread_setname_np(pthread_self(), "net-subscriber"); // names the thread in perf and top
    try {
        prepareSynchronizer();
        zmq::context_t context(1);
        zmq::socket_t socket(context, zmq::socket_type::sub);
        socket.set(zmq::sockopt::rcvhwm, 0);
        socket.set(zmq::sockopt::linger, 0);
        socket.set(zmq::sockopt::rcvtimeo, static_cast<int>(kReceiveTimeout.count()));
        net::makeCurveClient(socket, m_curve.client, m_curve.server.publicKey);
        // One-byte prefixes: every instrument topic, and the heartbeat topic. The publisher
        // filters, so the accounts' execution reports do not reach this socket.
        socket.set(zmq::sockopt::subscribe,
                   std::string(1, static_cast<char>(net::StreamKind::Instrument)));
        socket.set(zmq::sockopt::subscribe,
                   std::string(1, static_cast<char>(net::StreamKind::Heartbeat)));
        socket.connect(m_endpoint);
        while (receive(socket)) {
        }
        if (error.empty()) {
            applyKeptBatches();
            checkApplied();
        }
    } catch (const std::exception &caught) {
        error = caught.what();
    }
    failed.store(!error.empty(), std::memory_order_release);
}

// Takes one published message. Returns false at the end of the run or on an error.
bool Subscriber::receive(zmq::socket_t &socket)
{
    if (!socket.recv(m_topic) || !m_topic.more() || !socket.recv(m_body)) {
        error = "no whole message for " + std::to_string(kReceiveTimeout.count()) + " ms after " +
                std::to_string(figures.messages) + " batches";
        return false;
    }
    const std::span<const std::uint8_t> topic(m_topic.data<std::uint8_t>(), m_topic.size());
    const std::span<const std::uint8_t> body(m_body.data<std::uint8_t>(), m_body.size());
    if (const std::optional<net::DecodeError> failure =
            net::decodePublished(topic, body, m_message)) {
        error = "a published message failed to decode: " + net::describe(*failure);
        return false;
    }

    if (const auto *heartbeat = std::get_if<net::Heartbeat>(&m_message.body)) {
        joined.store(true, std::memory_order_release);
        if (heartbeat->instanceId != kEndMarkerInstance)
            return true;
        end = Clock::now();
        return false;
    }
    figures.messages += 1;
    figures.bytes += m_topic.size() + m_body.size();
    if (!deliver(m_message))
        return false;
    KeptBatch &keptBatch = m_keptBatches.emplace_back();
    std::copy(topic.begin(), topic.end(), keptBatch.topic.begin());
    keptBatch.body.assign(body.begin(), body.end());
    return true;
}

// Checks a batch as a terminal does before it applies it: its type, and that it is the next one
// of its stream.
bool Subscriber::deliver(const net::Message &message)
{
    const auto *batch = std::get_if<net::MarketDataBatch>(&message.body);
    if (!batch) {
        error = "a message of type " + std::string(net::nameOf(message.header.type)) +
                " on an instrument topic";
        return false;
    }
    net::StreamSequence &sequence = m_sequences[message.header.streamId];
    if (sequence.accept(message.header.sequence) != net::SequenceVerdict::Apply) {
        error = "batch " + std::to_string(message.header.sequence) + " of instrument " +
                std::to_string(message.header.streamId) + " after batch " +
                std::to_string(sequence.last());
        return false;
    }
    const std::size_t count = batch->events.size();
    figures.events += count;
    figures.largestBatch = std::max<std::uint64_t>(figures.largestBatch, count);
    return true;
}

void Subscriber::applyKeptBatches()
{
    const Clock::time_point start = Clock::now();
    for (const KeptBatch &keptBatch : m_keptBatches) {
        if (const std::optional<net::DecodeError> failure =
                net::decodePublished(keptBatch.topic, keptBatch.body, m_message)) {
            error = "a kept batch failed to decode again: " + net::describe(*failure);
            return;
        }
        m_synchronizer.onPublished(m_message);
    }
    figures.applySeconds = std::chrono::duration<double>(Clock::now() - start).count();
}

// Every event received must have been applied: a gap, a batch of a stream that is not followed
// or an event that does not fit its replica leaves some unapplied.
void Subscriber::checkApplied()
{
    const net::SyncCounters &counters = m_synchronizer.counters();
    if (counters.gaps != 0 || counters.mismatches != 0 || counters.eventsApplied != figures.events)
        error = "the synchronizer applied " + std::to_string(counters.eventsApplied) + " of " +
                std::to_string(figures.events) + " events, with " + std::to_string(counters.gaps) +
                " gaps and " + std::to_string(counters.mismatches) +
                " events that did not fit a replica";
}

} // namespace

RecordedStream recordAgentMarket(std::uint64_t count)
{
    RecordedStream stream;
    stream.events.reserve(count + 64);
    stream.endsCommand.reserve(count + 64);

    Engine engine;
    StreamRecorder recorder(stream);
    engine.addHandler(&recorder);
    {
        AgentMarket market(engine, kAgentMarketSeed);
        market.runUntil(count);
    }
    engine.endBatch();
    engine.removeHandler(&recorder);
    for (const Event &event : stream.events)
        stream.marketDataEvents += net::isMarketData(event) ? 1U : 0U;
    return stream;
}

std::optional<PublishRun> measurePublish(const RecordedStream &stream,
                                         std::uint64_t commandsPerPass, const CurveSetup &curve,
                                         std::string &error)
{
    zmq::context_t context(1);
    auto authenticator = std::make_unique<net::Authenticator>(context, curve.accessList);
    zmq::socket_t socket(context, zmq::socket_type::pub);
    // No high-water mark, as in the baseline, so that nothing is dropped: the figure is the
    // rate of delivery. A server sets one (publishHighWaterMark).
    socket.set(zmq::sockopt::sndhwm, 0);
    socket.set(zmq::sockopt::linger, 0);
    net::makeCurveServer(socket, curve.server);
    socket.bind(kLoopbackEndpoint);

    // Without an engine the publisher cannot find the account of an OrderParked or a
    // StopTriggered, because they name only the order. The agent market sends no stop orders.
    net::MarketPublisher publisher(socket, nullptr);
    // The agents trade on accounts of their own, which no access list names. So the server sends
    // no execution reports for them, and neither does this publisher.
    publisher.reportOnly({});
    Subscriber subscriber(curve, socket.get(zmq::sockopt::last_endpoint),
                          instrumentStreamsOf(stream));
    std::thread subscriberThread([&subscriber] { subscriber.run(); });

    while (!subscriber.joined.load(std::memory_order_acquire) &&
           !subscriber.failed.load(std::memory_order_acquire)) {
        publisher.publishHeartbeat(Timestamp{}, kHeartbeatIntervalMs, kJoinInstance);
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }

    const Clock::time_point start = Clock::now();
    const std::size_t size = stream.events.size();
    std::uint64_t commandsLeftInPass = commandsPerPass;
    for (std::size_t i = 0; i < size; ++i) {
        publisher.onEvent(stream.events[i]);
        if (!stream.endsCommand[i])
            continue;
        publisher.onCommandEnd();
        if (--commandsLeftInPass == 0) {
            publisher.onBatchEnd();
            commandsLeftInPass = commandsPerPass;
        }
    }
    publisher.onBatchEnd();
    const Clock::time_point fed = Clock::now();
    publisher.publishHeartbeat(Timestamp{}, kHeartbeatIntervalMs, kEndMarkerInstance);
    subscriberThread.join();

    socket.close();
    authenticator.reset();
    if (subscriber.error.empty() && subscriber.figures.events != stream.marketDataEvents)
        subscriber.error = "received " + std::to_string(subscriber.figures.events) + " of " +
                           std::to_string(stream.marketDataEvents) + " market-data events";
    if (!subscriber.error.empty()) {
        error = "publisher: " + subscriber.error;
        return std::nullopt;
    }
    PublishRun figures = subscriber.figures;
    figures.seconds = std::chrono::duration<double>(subscriber.end - start).count();
    figures.feedSeconds = std::chrono::duration<double>(fed - start).count();
    return figures;
}

} // namespace bourse::bench

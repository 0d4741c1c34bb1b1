#pragma once

// A server for the Client's tests, written with bare cppzmq sockets so that the tests depend on
// docs/protocol.md and not on bourse-engine serve. It has a CURVE ROUTER for order entry, an
// XPUB for publications (an XPUB also reports each subscription), a CURVE ROUTER for snapshots
// and an Authenticator that admits the client's key, all on 127.0.0.1. The test drives it on its
// own thread by calling pump() between the client's polls.

#include "authenticator.h"
#include "client.h"
#include "curve_keys.h"
#include "curve_socket.h"
#include "protocol.h"

#include <QtGlobal>

#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <cerrno>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace bourse::net::testing {

inline CurveKeyPair newKeyPair()
{
    const KeyPairResult generated = generateKeyPair();
    if (!generated.ok())
        qFatal("%s", generated.error.toString().c_str());
    return *generated.pair;
}

struct Received {
    std::string peer; // the DEALER's identity: a new one per client connection
    Message message;
};

class FakeServer {
public:
    using Clock = std::chrono::steady_clock;

    explicit FakeServer(const CurveKeyPair &clientKeys)
    {
        AccessListResult list =
            parseAccessList("trader " + clientKeys.publicKey + " accounts 1,2\n", "test.access");
        if (!list.ok())
            qFatal("%s", list.errors[0].toString().c_str());
        m_authenticator = std::make_unique<Authenticator>(m_context, list.list);
        open();
    }

    ~FakeServer()
    {
        close();
        m_authenticator.reset();
    }

    // Binds the three sockets: on ephemeral ports the first time, then on the same endpoints.
    void open()
    {
        m_orders = bindSocket(zmq::socket_type::router, m_ordersEndpoint);
        m_publications = bindSocket(zmq::socket_type::xpub, m_publishEndpoint);
        m_snapshots = bindSocket(zmq::socket_type::router, m_snapshotEndpoint);
        m_peers.clear();
    }

    void close()
    {
        m_orders.reset();
        m_publications.reset();
        m_snapshots.reset();
    }

    // Receives everything that has arrived, replies to Hellos (and snapshot requests when asked),
    // and sends the heartbeats that are due.
    void pump()
    {
        if (!m_orders)
            return;
        while (receiveLink(*m_orders, orders)) {
        }
        while (receiveLink(*m_snapshots, snapshots)) {
        }
        while (receiveSubscription()) {
        }
        if (heartbeats)
            sendDueHeartbeats();
    }

    // Sends body to the latest peer of a link, as the link's next numbered message.
    void sendToClient(bool orderEntry, Body body, std::uint16_t flags = 0,
                      std::optional<std::uint64_t> sequence = std::nullopt)
    {
        const std::string &peer = orderEntry ? m_lastOrdersPeer : m_lastSnapshotPeer;
        Peer &state = m_peers[peer];
        state.lastSent = Clock::now();
        Message message;
        message.header.flags = flags;
        message.header.sequence = sequence ? *sequence : ++state.sent;
        message.body = std::move(body);
        std::vector<std::uint8_t> bytes;
        encodeMessage(message, bytes);
        sendRawToClient(orderEntry, bytes);
    }

    void sendRawToClient(bool orderEntry, const std::vector<std::uint8_t> &bytes)
    {
        zmq::socket_t &socket = orderEntry ? *m_orders : *m_snapshots;
        const std::string &peer = orderEntry ? m_lastOrdersPeer : m_lastSnapshotPeer;
        socket.send(zmq::buffer(peer), zmq::send_flags::sndmore);
        socket.send(zmq::buffer(bytes), zmq::send_flags::none);
    }

    void publish(const Message &message, StreamKind kind, std::uint32_t id)
    {
        std::vector<std::uint8_t> bytes;
        encodeMessage(message, bytes);
        publishRaw(topicOf(kind, id), bytes);
    }

    void publishRaw(const Topic &topic, const std::vector<std::uint8_t> &bytes)
    {
        m_publications->send(zmq::buffer(topic), zmq::send_flags::sndmore);
        m_publications->send(zmq::buffer(bytes), zmq::send_flags::none);
    }

    void publishHeartbeat()
    {
        Message message;
        message.body = Heartbeat{Timestamp{1}, intervalMs, instanceId};
        publish(message, StreamKind::Heartbeat, 0);
    }

    // Messages of one type received on a link.
    static std::vector<const Received *> ofType(const std::vector<Received> &received,
                                                MessageType type)
    {
        std::vector<const Received *> found;
        for (const Received &entry : received) {
            if (entry.message.header.type == type)
                found.push_back(&entry);
        }
        return found;
    }

    const std::string &publicKey() const { return m_keys.publicKey; }
    const std::string &ordersEndpoint() const { return m_ordersEndpoint; }
    const std::string &publishEndpoint() const { return m_publishEndpoint; }
    const std::string &snapshotEndpoint() const { return m_snapshotEndpoint; }

    // What the server does; a test changes these between pumps.
    bool answerHello = true;
    bool answerSnapshots = true;
    bool heartbeats = true;
    std::uint64_t instanceId = 7001;
    std::uint32_t intervalMs = 100; // the heartbeat interval; a Welcome sets the one requested
    std::map<std::pair<StreamKind, std::uint32_t>, std::uint64_t> covers; // per stream

    std::vector<Received> orders;
    std::vector<Received> snapshots;
    std::vector<std::vector<std::uint8_t>> subscriptions; // each topic or prefix subscribed

private:
    struct Peer {
        std::uint64_t sent = 0;
        Clock::time_point lastSent;
    };

    std::optional<zmq::socket_t> bindSocket(zmq::socket_type type, std::string &endpoint)
    {
        std::optional<zmq::socket_t> socket(std::in_place, m_context, type);
        socket->set(zmq::sockopt::linger, 0);
        makeCurveServer(*socket, m_keys);
        if (endpoint.empty()) {
            socket->bind("tcp://127.0.0.1:*");
            endpoint = socket->get(zmq::sockopt::last_endpoint);
            return socket;
        }
        // libzmq closes a listener on its I/O thread after close() returns, so the port of a
        // socket just closed may still be taken for a moment.
        for (int attempt = 0;; ++attempt) {
            try {
                socket->bind(endpoint);
                return socket;
            } catch (const zmq::error_t &error) {
                if (error.num() != EADDRINUSE || attempt == 500)
                    throw;
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
        }
    }

    bool receiveLink(zmq::socket_t &socket, std::vector<Received> &into)
    {
        std::vector<zmq::message_t> frames;
        if (!zmq::recv_multipart(socket, std::back_inserter(frames), zmq::recv_flags::dontwait))
            return false;
        Received received{frames.front().to_string(), {}};
        const std::span<const std::uint8_t> bytes(frames.back().data<std::uint8_t>(),
                                                  frames.back().size());
        if (decodeMessage(bytes, received.message))
            qFatal("the fake server received an invalid message from the client");
        into.push_back(received);

        const bool orderEntry = &socket == &*m_orders;
        (orderEntry ? m_lastOrdersPeer : m_lastSnapshotPeer) = received.peer;
        answer(orderEntry, received);
        return true;
    }

    void answer(bool orderEntry, const Received &received)
    {
        const MessageType type = received.message.header.type;
        if (type == MessageType::Hello && answerHello) {
            m_peers[received.peer] = Peer{};
            // As bourse-engine serve does, the server keeps the interval the client requests.
            intervalMs = std::get<Hello>(received.message.body).heartbeatIntervalMs;
            sendToClient(orderEntry, Welcome{kProtocolVersion, intervalMs, instanceId});
        }
        if (type == MessageType::SnapshotRequest && answerSnapshots) {
            const auto &request = std::get<SnapshotRequest>(received.message.body);
            SnapshotPart part{
                request.kind, request.streamId, covers[{request.kind, request.streamId}], 0, {}};
            sendToClient(false, part, kLastPartFlag, 1);
        }
    }

    bool receiveSubscription()
    {
        zmq::message_t frame;
        if (!m_publications->recv(frame, zmq::recv_flags::dontwait))
            return false;
        // An XPUB receives 1 and the topic for a subscription, 0 and the topic for its end.
        if (frame.size() >= 1 && frame.data<std::uint8_t>()[0] == 1)
            subscriptions.emplace_back(frame.data<std::uint8_t>() + 1,
                                       frame.data<std::uint8_t>() + frame.size());
        return true;
    }

    void sendDueHeartbeats()
    {
        const auto now = Clock::now();
        const auto interval = std::chrono::milliseconds(intervalMs);
        if (now - m_lastPublishedHeartbeat >= interval) {
            publishHeartbeat();
            m_lastPublishedHeartbeat = now;
        }
        for (auto [peer, orderEntry] :
             {std::pair(m_lastOrdersPeer, true), std::pair(m_lastSnapshotPeer, false)}) {
            const auto found = m_peers.find(peer);
            if (found == m_peers.end() || now - found->second.lastSent < interval)
                continue;
            Message message;
            message.header.sequence = found->second.sent;
            message.body = Heartbeat{Timestamp{1}, intervalMs, instanceId};
            std::vector<std::uint8_t> bytes;
            encodeMessage(message, bytes);
            sendRawToClient(orderEntry, bytes);
            found->second.lastSent = now;
        }
    }

    zmq::context_t m_context;
    CurveKeyPair m_keys = newKeyPair();
    std::unique_ptr<Authenticator> m_authenticator;
    std::optional<zmq::socket_t> m_orders;
    std::optional<zmq::socket_t> m_publications;
    std::optional<zmq::socket_t> m_snapshots;
    std::string m_ordersEndpoint;
    std::string m_publishEndpoint;
    std::string m_snapshotEndpoint;
    std::map<std::string, Peer> m_peers;
    std::string m_lastOrdersPeer;
    std::string m_lastSnapshotPeer;
    Clock::time_point m_lastPublishedHeartbeat;
};

// Heartbeat intervals of the tests. A test that waits for dead peers takes the shortest one the
// protocol allows, to stay quick. The others take a longer one, so that a test thread that
// stalls on a busy machine does not look like a dead peer.
inline constexpr std::chrono::milliseconds kShortInterval{kMinimumHeartbeatIntervalMs};
inline constexpr std::chrono::milliseconds kSafeInterval{1000};

// Options of a client of server that follows instrument 1 and account 1, with a short
// reconnect delay.
inline ClientOptions clientOptions(const FakeServer &server, const CurveKeyPair &keys,
                                   std::chrono::milliseconds interval = kSafeInterval)
{
    ClientOptions options;
    options.orderEntryEndpoint = server.ordersEndpoint();
    options.publishEndpoint = server.publishEndpoint();
    options.snapshotEndpoint = server.snapshotEndpoint();
    options.serverPublicKey = server.publicKey();
    options.keys = keys;
    options.heartbeatInterval = interval;
    options.instruments = {InstrumentId{1}};
    options.accounts = {AccountId{1}};
    options.reconnectDelayMinimum = std::chrono::milliseconds(10);
    options.reconnectDelayMaximum = std::chrono::milliseconds(40);
    options.log = [](LogLevel, const std::string &line) { qDebug("%s", line.c_str()); };
    return options;
}

// Polls the client for 10 ms and pumps the server, until done() or maxRounds rounds; returns
// done(). The bound only stops a test that fails: none of them waits for it to pass.
template <typename Done>
bool drive(Client &client, FakeServer &server, Done done, int maxRounds = 1000)
{
    for (int round = 0; round < maxRounds && !done(); ++round) {
        client.poll(std::chrono::milliseconds(10));
        server.pump();
    }
    return done();
}

inline void driveRounds(Client &client, FakeServer &server, int rounds)
{
    drive(
        client, server, [] { return false; }, rounds);
}

// What a listener received.
struct ListenerRecord : ClientListener {
    std::vector<CommandAccepted> accepted;
    std::vector<CommandRejected> rejected;
    std::vector<std::pair<ErrorReply, std::optional<ClientOrderId>>> errors;
    std::vector<ClientState> states;

    void onCommandAccepted(const CommandAccepted &reply) override { accepted.push_back(reply); }
    void onCommandRejected(const CommandRejected &reply) override { rejected.push_back(reply); }
    void onErrorReply(const ErrorReply &error, std::optional<ClientOrderId> command) override
    {
        errors.emplace_back(error, command);
    }
    void onStateChanged(ClientState state) override { states.push_back(state); }
};

} // namespace bourse::net::testing

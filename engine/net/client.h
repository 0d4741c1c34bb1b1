#pragma once

// The terminal's end of the network protocol (docs/protocol.md): three CURVE links to a
// `bourse-engine serve`, the join and resync of the followed streams, heartbeats, reconnects
// with a growing delay, and commands that are resent after a reconnect until their reply comes.

#include "authenticator.h"
#include "client_link.h"
#include "curve_keys.h"
#include "protocol.h"
#include "stream_sync.h"

#include <zmq.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace bourse::net {

// The three endpoints of one server: a primary, or a standby that takes over its journal.
struct ServerEndpoints {
    std::string orderEntry; // the server's ROUTER for commands, "tcp://host:port"
    std::string publish;    // its PUB
    std::string snapshot;   // its ROUTER for snapshots

    bool operator==(const ServerEndpoints &) const = default;
};

struct ClientOptions {
    // The primary server's endpoints, the set with endpointIndex() 0.
    std::string orderEntryEndpoint; // the server's ROUTER for commands, "tcp://host:port"
    std::string publishEndpoint;    // its PUB
    std::string snapshotEndpoint;   // its ROUTER for snapshots
    // Standby servers, which serve the primary's market under the same server key and access
    // list once they take over. After a dead peer, the next connect goes to the next set: the
    // standbys in this order, then the primary again.
    std::vector<ServerEndpoints> standbyEndpoints;
    std::string serverPublicKey; // Z85
    CurveKeyPair keys;           // the terminal's own pair, listed in the server's access list
    // The interval the Hello requests. The Welcome's interval replaces it for the connection.
    std::chrono::milliseconds heartbeatInterval{1000};
    // Instruments to follow. Empty follows every instrument, each from its first batch on, so an
    // instrument that publishes nothing is not followed until it does.
    std::vector<InstrumentId> instruments;
    std::vector<AccountId> accounts; // execution reports to follow
    // ZMQ_RCVHWM of each socket, in messages. When this queue and the publisher's send queue are
    // full, the publisher drops messages for this client, which the sequence numbers reveal as a
    // gap.
    int receiveHighWaterMark = 100'000;
    // The kernel's receive buffer of each socket (ZMQ_RCVBUF), in bytes; 0 keeps the system's
    // default. Behind the high-water marks, the kernel buffers of both ends take a stalled
    // client's backlog, several MB on loopback, so a small one makes the marks matter sooner.
    int receiveBufferBytes = 0;
    // The delay before the first reconnect attempt after a dead peer. It doubles after each
    // attempt that gets no Welcome, up to the maximum, and a Welcome resets it. With standbys,
    // a move to the next standby waits the minimum, and the delay doubles only when the
    // connect goes back to the primary after a round of sets that all failed.
    std::chrono::milliseconds reconnectDelayMinimum{100};
    std::chrono::milliseconds reconnectDelayMaximum{5000};
    // The first client order id. Zero takes the wall clock in ns at construction: see
    // firstClientOrderIdFromClock().
    std::uint64_t firstClientOrderId = 0;
    LogSink log; // connects, Welcomes, dead peers, reconnects and invalid messages
};

enum class ClientState : std::uint8_t {
    Connecting,         // sockets open, waiting for the Welcome on both links
    Live,               // both links welcomed
    WaitingToReconnect, // a dead peer: sockets closed until the reconnect delay passes
};

std::string_view nameOf(ClientState state);

struct ClientCounters {
    std::uint64_t messagesSent = 0;     // on both links, heartbeats and Hellos included
    std::uint64_t messagesReceived = 0; // on all three sockets, invalid ones included
    std::uint64_t heartbeatsSent = 0;
    std::uint64_t connects = 0;         // connection attempts, each with three new sockets
    std::uint64_t endpointSwitches = 0; // connects to another endpoint set than the one before
    std::uint64_t deadPeers = 0;        // links silent for kMissedHeartbeatsBeforeDead intervals
    std::uint64_t instanceChanges = 0;  // a Welcome or Heartbeat from another server run
    std::uint64_t commandsSent = 0;     // first sends of commands
    std::uint64_t commandsResent = 0;   // sends of a command again, after a reconnect or a gap
    std::uint64_t repliesReceived = 0;  // CommandAccepted and CommandRejected
    std::uint64_t unmatchedReplies = 0; // replies to no pending command, dropped
    std::uint64_t errorRepliesReceived = 0;
    std::uint64_t invalidMessages = 0; // messages from the server that failed to decode
    std::uint64_t linkGaps = 0;        // lost messages on an order-entry or snapshot link
    std::uint64_t linksReopened = 0;   // a link's new connection and Hello: the server forgot it
    std::uint64_t snapshotRequestsSent = 0;
    // Order-entry CURVE handshakes the server ended by closing the connection, as it does when
    // the client's server key is not the server's.
    std::uint64_t handshakeFailures = 0;
    // Order-entry handshakes the server's authentication rejected: the client's key is unknown.
    std::uint64_t handshakeRejections = 0;
    // Not a count: the failed order-entry handshakes since the last one that succeeded or was
    // rejected. A link that is not live while it is above 0 most likely has a wrong server key.
    std::uint64_t handshakeFailuresInARow = 0;
};

// Receives the outcome of commands, on the thread that calls Client::poll().
class ClientListener {
public:
    virtual ~ClientListener() = default;
    virtual void onCommandAccepted(const CommandAccepted &) {}
    virtual void onCommandRejected(const CommandRejected &) {}
    // An ErrorReply from the server. `command` is the pending command it names, if any. That
    // command leaves the pending list, because the server dropped it and sends no reply. An
    // ErrorReply UnexpectedMessage that names a command means that the server dropped the link.
    // The client then sends Hello again and resends, and `command` is empty.
    virtual void onErrorReply(const ErrorReply &, std::optional<ClientOrderId> /*command*/) {}
    virtual void onStateChanged(ClientState) {}
};

// One thread drives a Client: it calls poll() and the commands, and receives the listener's
// calls. Nothing blocks longer than the timeout given to poll(); destruction closes the sockets
// with ZMQ_LINGER 0 and returns at once.
class Client {
public:
    // Opens the three sockets and sends the Hellos. Throws zmq::error_t when an endpoint is
    // malformed, and std::system_error when the eventfd of wakeUp() cannot be created.
    explicit Client(ClientOptions options);
    ~Client();

    Client(const Client &) = delete;
    Client &operator=(const Client &) = delete;

    // Waits up to `timeout` for a message, a timer (heartbeat, dead peer, reconnect) or
    // wakeUp(), handles everything that is ready, and returns.
    void poll(std::chrono::milliseconds timeout);
    // Makes the poll() that waits, or else the next one, return at once. Any thread may call it,
    // so that a thread that queues commands for the polling thread has them sent without delay.
    void wakeUp();

    // Each command gets a new client order id and stays pending until its reply arrives. A
    // command given while the link is down is sent after the next Welcome.
    ClientOrderId submit(const NewOrder &order); // order.id and order.clientOrderId are ignored
    ClientOrderId cancel(AccountId account, OrderId id);
    ClientOrderId replace(AccountId account, const ReplaceOrder &replace);
    ClientOrderId massCancel(const MassCancel &scope);
    ClientOrderId killSwitch(AccountId account, KillSwitchScope scope);

    void setListener(ClientListener *listener) { m_listener = listener; }
    // The synchronizer's listeners, called on the polling thread like the ClientListener.
    void setStreamEventListener(StreamSynchronizer::EventListener listener)
    {
        m_streams.setEventListener(std::move(listener));
    }
    void setStreamStaleListener(StreamSynchronizer::StaleListener listener)
    {
        m_streams.setStaleListener(std::move(listener));
    }

    ClientState state() const { return m_state; }
    const StreamSynchronizer &streams() const { return m_streams; }
    const ClientCounters &counters() const { return m_counters; }
    // The server run last seen in a Welcome or Heartbeat; zero before the first.
    std::uint64_t instanceId() const { return m_instanceId; }
    std::size_t pendingCommandCount() const { return m_pending.size(); }
    // The delay the next reconnect to the primary waits, after a dead peer.
    std::chrono::milliseconds reconnectDelay() const { return m_reconnectDelay; }
    // The wait of the reconnect that is due, while WaitingToReconnect: the minimum delay when
    // the reconnect goes to a standby, else the reconnectDelay() before it doubled.
    std::chrono::milliseconds reconnectWait() const { return m_reconnectWait; }
    // The endpoint set the links use, or after a dead peer the one they connect to next: 0 is
    // the primary, and i is standby i, options.standbyEndpoints[i - 1].
    std::size_t endpointIndex() const { return m_endpointIndex; }
    // The order-entry endpoint whose server rejected this client's key last, until a handshake
    // succeeds; empty otherwise. It outlives moves between endpoint sets, so that a terminal
    // cycling between a dead primary and a standby that rejects it can still show why.
    const std::string &keyRejectedBy() const { return m_keyRejectedBy; }
    // The endpoints of endpointIndex().
    const ServerEndpoints &endpoints() const { return m_endpointSets[m_endpointIndex]; }

private:
    using Clock = std::chrono::steady_clock;

    struct PendingCommand {
        Body command;
        std::uint64_t linkSequence = 0; // its header sequence when last sent; 0: not sent yet
        bool sentBefore = false;        // sent on an earlier connection or before a gap
    };

    ClientOrderId enqueue(Body command, ClientOrderId id);
    void sendPending();
    void sendCommand(PendingCommand &pending);
    void markPendingForResend();
    bool takePending(ClientOrderId id);
    std::optional<ClientOrderId> takePendingSentAs(std::uint64_t sequence,
                                                   std::uint8_t messageType);

    // client_connection.cpp
    std::uint32_t requestedIntervalMs() const;
    std::chrono::milliseconds interval() const;
    ClientSocketOptions socketOptions() const;
    void openLinks();
    void subscribe(const ClientSocketOptions &options);
    void closeLinks();
    void sayHelloAgain(ClientLink &link);
    enum class DeadPeerReason : std::uint8_t { Silent, NoWelcome };
    void declareDead(const char *link, DeadPeerReason reason);
    std::chrono::milliseconds moveToNextEndpoints();
    void reconnect();
    Clock::time_point nextTimer() const;
    void handleTimers(Clock::time_point now);
    void sendHeartbeat(ClientLink &link);
    void requestSnapshots();
    std::optional<std::uint64_t> sendOn(ClientLink &link, Message &message);

    // client_receive.cpp
    void drain(ClientLink &link);
    // Counts the order-entry link's handshake outcomes and logs the first failure in a row.
    void checkHandshake();
    void drainPublications();
    void onLinkMessage(ClientLink &link, const Message &message);
    void onWelcome(ClientLink &link, const Welcome &welcome);
    void onHeartbeat(ClientLink &link, const Heartbeat &heartbeat, std::uint64_t lastSequence);
    void onLinkGap(ClientLink &link);
    void onReply(const CommandAccepted &accepted);
    void onReply(const CommandRejected &rejected);
    void onErrorReply(ClientLink &link, const ErrorReply &error);
    bool asksForHello(const ClientLink &link, const ErrorReply &error) const;
    void onPublication(const Message &message);

    // client_invalid.cpp
    void onInvalidLinkMessage(ClientLink &link, const DecodeError &error,
                              std::span<const std::uint8_t> bytes);
    void onUnexpectedLinkMessage(ClientLink &link, const Message &message);
    void onInvalidPublication(const DecodeError &error);
    void logInvalid(const std::string &where, const std::string &what);
    void noteInstance(std::uint64_t instanceId, bool fromWelcome);

    void setState(ClientState state);
    void log(LogLevel level, const std::string &message);

    ClientOptions m_options;
    std::vector<ServerEndpoints> m_endpointSets; // the primary, then the standbys
    std::size_t m_endpointIndex = 0;
    int m_wakeUpEvent = -1; // an eventfd that wakeUp() signals and poll() waits on
    zmq::context_t m_context;
    ClientLink m_orderEntry;
    ClientLink m_snapshots;
    std::optional<zmq::socket_t> m_publications;
    Clock::time_point m_lastPublication;
    bool m_publicationsReady = false; // a heartbeat came after every subscription

    ClientState m_state = ClientState::Connecting;
    std::uint64_t m_instanceId = 0;
    std::uint32_t m_serverIntervalMs = 0; // the Welcome's; zero before the first
    std::chrono::milliseconds m_reconnectDelay;
    Clock::time_point m_reconnectAt;
    std::chrono::milliseconds m_reconnectWait{0};
    bool m_reconnectNow = false; // the links talk to a server run that is gone

    std::uint64_t m_nextClientOrderId;
    std::map<std::uint64_t, PendingCommand> m_pending; // by client order id, so in send order

    StreamSynchronizer m_streams;
    std::set<StreamKey> m_followed;
    std::vector<StreamKey> m_unsentSnapshotRequests; // their send found the queue full
    Message m_message;                               // reused by every decode
    std::vector<std::uint8_t> m_buffer;
    ClientCounters m_counters;
    std::string m_keyRejectedBy;
    ClientListener *m_listener = nullptr;
};

// The primary endpoints of options, then its standbys.
std::vector<ServerEndpoints> endpointSetsOf(const ClientOptions &options);

// Names an endpoint set in logs and on screen: "primary tcp://h:7401" or "standby 1
// tcp://h:7501", by its order-entry endpoint.
std::string describeEndpoints(std::size_t index, const ServerEndpoints &endpoints);

// The wall clock in ns since the Unix epoch, where a client's command ids start; each command
// takes the next. The ids stay unique in an account across reconnects, because the counter
// keeps going, and across restarts of the server, whose journal keeps the ids it has seen. A
// restarted client starts above every id of its previous run as long as that run sent fewer
// commands than the ns it lasted, and the wall clock did not step back.
// NOTE: two terminals that trade one account share its id space. Their ranges overlap only when
// one starts fewer ns after the other than the commands the other has sent. The server would
// then give a NewOrder of the later terminal the reply to an identical one of the other.
std::uint64_t firstClientOrderIdFromClock();

// The wall clock, ns since the Unix epoch, as Heartbeats carry it.
Timestamp wallClockNow();

} // namespace bourse::net

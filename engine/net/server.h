#pragma once

// `bourse-engine serve`: the engine, its market and its journal behind the three sockets of
// docs/protocol.md, for remote terminals with CURVE keys in an access list
// (docs/network-security.md). docs/serving.md is the operator's guide.

#include "authenticator.h"
#include "cluster_log.h"
#include "market_publisher.h"
#include "protocol.h"
#include "server_config.h"
#include "server_control.h"
#include "server_log_limit.h"
#include "server_outcome.h"
#include "stream_chain.h"

#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace bourse {
class AgentMarket;
namespace app {
class JournaledRun;
}
namespace cluster {
class Lease;
class Replicator;
} // namespace cluster
} // namespace bourse

namespace bourse::net {

// Counts of the server's work since it started.
struct ServerCounters {
    std::uint64_t messages = 0;      // messages received on the order-entry and snapshot links
    std::uint64_t commands = 0;      // commands that passed decoding
    std::uint64_t replies = 0;       // CommandAccepted and CommandRejected sent
    std::uint64_t storedReplies = 0; // repeats sent their stored reply
    std::uint64_t errorReplies = 0;  // ErrorReply sent for invalid or unexpected messages
    std::uint64_t failedSends = 0;   // messages a peer's full or closed connection did not take
    std::uint64_t unauthorized = 0;  // commands the access list rejected
    std::uint64_t snapshots = 0;     // snapshot requests served
    std::uint64_t peersJoined = 0;
    std::uint64_t peersLeft = 0; // peers forgotten after three silent heartbeat intervals
};

class CommandOutcome;

// Why Server::run() returned.
enum class ServerStop : std::uint8_t {
    Requested,         // requestStop()
    JournalFailed,     // the journal could not be written
    LeaseLost,         // another engine took the lease over, or it could not be renewed
    ReplicationFailed, // the stream belongs to another journal or writer (docs/scale-out.md)
};

// One thread owns the engine, the market and the sockets: the thread that calls run(). The
// constructor may run on another thread before that; requestStop() may be called from any thread
// and from a signal handler.
class Server {
public:
    // Loads the access list and the key pair, starts the authenticator, recovers and opens the
    // journal, sets up the market and binds the three sockets. Throws ServerError naming the
    // file or endpoint that failed. With `replicate` in the configuration it also starts the
    // journal's replicator, which logs to `replicationLog` (to `log` when empty) and keeps
    // retrying while NATS cannot be reached. With a role in the configuration, `lease` is the
    // lease of the stream, held and renewing: the replicator publishes only while it is valid,
    // and the server stops once it is lost.
    // `claimed`, from a standby that took over, is the stream's position after its fence. The
    // replicator continues there instead of fencing. With a lease, run() serves only once the
    // replicator's fence counts in the stream.
    Server(ServerConfig config, LogSink log, cluster::LogSink replicationLog,
           std::unique_ptr<cluster::Lease> lease,
           std::optional<cluster::ChainPosition> claimed = std::nullopt);
    Server(ServerConfig config, LogSink log, cluster::LogSink replicationLog = {});
    ~Server();
    Server(const Server &) = delete;
    Server &operator=(const Server &) = delete;

    // Serves until requestStop(). Then it takes no more commands, sends the replies the journal
    // has committed (and the stream acknowledged, with `replicate`), and closes the journal with
    // a final snapshot. Returns why it stopped; every reason but Requested is logged.
    ServerStop run();
    // Any thread, and a signal handler: an atomic store and a write() that wakes the poll.
    void requestStop();

    // Controls of the agent market from any thread, applied by the loop within one turn (it
    // wakes the poll). Paused, the agents send nothing and their clock stops, while
    // remote traders' orders still match. An injected event takes effect at the market's time,
    // as the instructor panel's do in the terminal.
    ControlResult pauseMarket(bool paused);
    ControlResult injectMarketEvent(const MarketEvent &event);
    // The status as of the loop's latest turn. Any thread.
    MarketStatus marketStatus() const;

    // The endpoints as bound: a port `*` is replaced by the port the system chose.
    std::string orderEntryEndpoint() const { return m_orderEntryEndpoint; }
    std::string publishEndpoint() const { return m_publishEndpoint; }
    std::string snapshotEndpoint() const { return m_snapshotEndpoint; }
    std::string serverPublicKey() const { return m_publicKey; }
    // The run's instance id: the start time in ns since the Unix epoch.
    std::uint64_t instanceId() const { return m_instanceId; }
    // Read them on the server's thread, or after run() returned.
    const ServerCounters &counters() const { return m_counters; }
    const Engine &engine() const { return *m_engine; }

private:
    using Clock = std::chrono::steady_clock;

    // A client on the order-entry or snapshot link, by its ROUTER identity.
    struct Peer {
        std::string key;  // the CURVE public key, Z85
        std::string name; // the key's comment in the access list, or the key
        std::uint32_t heartbeatIntervalMs = 1000;
        std::uint64_t sentSequence = 0; // the link's own numbers of the messages sent
        Clock::time_point lastReceived;
        Clock::time_point lastSent;
        bool welcomed = false;
    };
    struct Link {
        const char *name; // "order entry" or "snapshot", for log lines
        zmq::socket_t socket;
        std::map<std::string, Peer> peers;
    };
    // A reply waiting until the journal committed the event that decided it.
    struct PendingReply {
        std::string identity;
        std::string key; // the sender's, so that another key on the identity does not get it
        Body reply;
        SequenceNumber waitFor = 0;
    };
    // A message of an account stream, held until the events it reports are committed.
    struct HeldReport {
        Topic topic;
        std::vector<std::uint8_t> bytes;
        SequenceNumber waitFor = 0;
    };
    // An account snapshot, held until the engine state it was built from is committed.
    struct HeldSnapshot {
        std::string identity;
        std::string key; // the requester's, as PendingReply::key
        std::vector<SnapshotPart> parts;
        SequenceNumber waitFor = 0;
    };

    // Setting up (server.cpp, server_market.cpp).
    void openJournalAndEngine();
    void startReplication(cluster::LogSink replicationLog,
                          std::optional<cluster::ChainPosition> claimed);
    bool waitForClaim();
    void finishReplication();
    bool checkPrimacy();
    void setUpMarket();
    void openTraderAccounts();
    void bind(Link &link, const std::string &endpoint, std::string &bound);
    void log(LogLevel level, const std::string &line) const;
    // Logs a line that a client caused, within the rate limit of its kind.
    void logClientEvent(ClientLogKind kind, LogLevel level, const std::string &line);

    // The loop (server.cpp).
    void serveOnce();
    std::chrono::milliseconds pollTimeout() const;
    void runMarket();
    void sendHeartbeats();
    void forgetDeadPeers(Link &link);
    void finish();

    // Controls from other threads (server_control.cpp).
    void applyControls();
    void publishStatus();
    void reportAccessListAccounts();

    // Links (server_links.cpp).
    void receive(Link &link);
    void handle(Link &link, const std::string &identity, const zmq::message_t &frame);
    Peer *admit(Link &link, const std::string &identity, const zmq::message_t &frame);
    void welcome(Link &link, const std::string &identity, Peer &peer, const Hello &hello);
    void sendTo(Link &link, const std::string &identity, Body body, std::uint16_t flags = 0,
                std::uint64_t sequence = 0);
    bool sendRaw(Link &link, const std::string &identity, std::span<const std::uint8_t> bytes,
                 int &failure);
    void dropMalformed(Link &link, const std::vector<zmq::message_t> &frames);
    void sendError(Link &link, const std::string &identity, const ErrorReply &error);
    void rejectUnexpected(Link &link, const std::string &identity,
                          std::span<const std::uint8_t> bytes);
    void answerSnapshot(Link &link, const std::string &identity, const SnapshotRequest &request);
    void sendSnapshotParts(Link &link, const std::string &identity,
                           const std::vector<SnapshotPart> &parts);

    // Execution reports and account snapshots held behind the replies' gate (server_reports.cpp).
    void publish(const Topic &topic, std::span<const std::uint8_t> bytes);
    void sendPublication(const Topic &topic, std::span<const std::uint8_t> bytes);
    void sendCommittedReports();

    // Commands (server_commands.cpp).
    void handleCommand(const std::string &identity, const Peer &peer, const Message &message);
    bool checkAccess(const std::string &identity, const Peer &peer, MessageType type,
                     ClientOrderId clientOrderId, AccountId account);
    void runNewOrder(const std::string &identity, const NewOrder &order);
    void runStored(const std::string &identity, const Message &message);
    Body decide(const Message &message, const Peer &peer, SequenceNumber &waitFor);
    void queueReply(const std::string &identity, Body reply, SequenceNumber waitFor);
    void sendCommittedReplies();
    SequenceNumber committedSequence() const;
    Timestamp commandTime();

    ServerConfig m_config;
    LogSink m_log;
    std::uint64_t m_instanceId = 0;
    std::string m_publicKey;
    std::atomic<bool> m_stopRequested{false};
    // Made first, so that requestStop() and the controls work from construction on.
    std::unique_ptr<control::ControlChannel> m_controls =
        std::make_unique<control::ControlChannel>();
    std::vector<control::Request> m_controlRequests; // reused by each drain
    bool m_hasAgents = false;                        // set once, before the threads start
    std::size_t m_agentInstruments = 0;

    zmq::context_t m_context;
    std::unique_ptr<Authenticator> m_authenticator;
    std::shared_ptr<const AccessList> m_reportedAccessList; // the list the publisher follows
    std::unique_ptr<Engine> m_engine;
    // Before the replicator, whose publication gate reads the lease's validity.
    std::unique_ptr<cluster::Lease> m_lease;
    // Before the journal, so that it outlives the journal's commit listener that calls it.
    std::unique_ptr<cluster::Replicator> m_replicator;
    std::unique_ptr<app::JournaledRun> m_journal;
    std::unique_ptr<CommandOutcome> m_outcome;
    std::unique_ptr<AgentMarket> m_market;
    Timestamp m_marketEnd{}; // a training market stops at this market time; zero: never
    Clock::time_point m_wallAnchor;
    std::int64_t m_marketAnchor = 0; // the market time at m_wallAnchor
    std::int64_t m_lastCommandTime = 0;

    // Why the loop ends: set on the server's thread once the journal, the lease or the replicator
    // fails for good.
    ServerStop m_failed = ServerStop::Requested;

    Link m_orders{"order entry", {}, {}};
    Link m_snapshots{"snapshot", {}, {}};
    zmq::socket_t m_publish;
    std::unique_ptr<MarketPublisher> m_publisher;
    std::string m_orderEntryEndpoint;
    std::string m_publishEndpoint;
    std::string m_snapshotEndpoint;

    Message m_incoming;                     // reused, so decoding allocates nothing once warm
    std::vector<std::uint8_t> m_sendBuffer; // reused for every message sent on a link
    std::deque<PendingReply> m_pending;
    std::deque<HeldReport> m_heldReports;     // in the order the publisher sent them
    std::deque<HeldSnapshot> m_heldSnapshots; // in the order they were requested
    StoredReplies m_stored;
    Clock::time_point m_nextPublishedHeartbeat;
    ClientLogLimit m_clientLog;
    ServerCounters m_counters;
};

// The error of a server that cannot start, with the part that failed, so that a command can
// choose its exit status.
class ServerError : public std::runtime_error {
public:
    // Deposed: another engine claimed the replicated stream first.
    enum class Kind : std::uint8_t { Configuration, Bind, Journal, Deposed };
    ServerError(Kind kind, const std::string &what)
        : std::runtime_error(what)
        , m_kind(kind)
    {
    }
    Kind kind() const { return m_kind; }

private:
    Kind m_kind;
};

} // namespace bourse::net

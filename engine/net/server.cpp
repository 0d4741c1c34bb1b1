#include "server.h"

#include "access_list.h"
#include "agent_market.h"
#include "curve_keys.h"
#include "curve_socket.h"
#include "journaled_run.h"
#include "lease.h"
#include "replicator.h"
#include "server_outcome.h"

#include <algorithm>
#include <cerrno>
#include <thread>

namespace bourse::net {

namespace {

std::int64_t wallClockNanoseconds()
{
    const auto sinceEpoch = std::chrono::system_clock::now().time_since_epoch();
    return std::chrono::duration_cast<std::chrono::nanoseconds>(sinceEpoch).count();
}

// A client's messages stay on its link until this many were handled, so that one busy client
// cannot starve the market and the other links.
constexpr int kMessagesPerTurn = 256;

// ZMQ_SNDHWM of the ROUTERs: the messages queued for one peer that does not read. Replies take
// about 100 bytes each, and libzmq's default of 1000 dropped them silently under a burst. A
// snapshot part may take 1 MiB, so the snapshot link keeps the default. A send beyond the mark
// fails, and the peer must send Hello again.
constexpr int kOrderEntryHighWaterMark = 100'000;
constexpr int kSnapshotHighWaterMark = 1000;

} // namespace

Server::Server(ServerConfig config, LogSink log, cluster::LogSink replicationLog)
    : Server(std::move(config), std::move(log), std::move(replicationLog), nullptr)
{
}

Server::Server(ServerConfig config, LogSink log, cluster::LogSink replicationLog,
               std::unique_ptr<cluster::Lease> lease, std::optional<cluster::ChainPosition> claimed)
    : m_config(std::move(config))
    , m_log(std::move(log))
    , m_instanceId(static_cast<std::uint64_t>(wallClockNanoseconds()))
    , m_lease(std::move(lease))
{
    using Kind = ServerError::Kind;
    AccessListResult access = loadAccessList(m_config.accessList);
    if (!access.ok()) {
        std::string text = "invalid access list:";
        for (const AccessListError &error : access.errors) {
            text += '\n';
            text += error.toString();
        }
        throw ServerError(Kind::Configuration, text);
    }
    const KeyPairResult keys = readKeyPair(m_config.serverKey);
    if (!keys.ok())
        throw ServerError(Kind::Configuration, "invalid server key: " + keys.error.toString());
    m_publicKey = keys.pair->publicKey;

    // libzmq 4.3 admits every CURVE client while no ZAP handler is bound, so the authenticator
    // starts before any socket binds.
    m_authenticator = std::make_unique<Authenticator>(m_context, access.list, m_log);

    openJournalAndEngine();
    if (m_journal && !m_config.replicateServers.empty())
        startReplication(std::move(replicationLog), claimed);
    m_outcome = std::make_unique<CommandOutcome>();
    m_engine->addHandler(m_outcome.get());

    m_orders.socket = zmq::socket_t(m_context, zmq::socket_type::router);
    m_snapshots.socket = zmq::socket_t(m_context, zmq::socket_type::router);
    m_publish = zmq::socket_t(m_context, zmq::socket_type::pub);
    m_publish.set(zmq::sockopt::sndhwm, m_config.publishHighWaterMark);
    if (m_config.publishSendBufferBytes > 0)
        m_publish.set(zmq::sockopt::sndbuf, m_config.publishSendBufferBytes);
    m_orders.socket.set(zmq::sockopt::sndhwm, kOrderEntryHighWaterMark);
    m_snapshots.socket.set(zmq::sockopt::sndhwm, kSnapshotHighWaterMark);
    for (zmq::socket_t *socket : {&m_orders.socket, &m_snapshots.socket}) {
        // A send to a full or closed connection then fails instead of dropping the message.
        socket->set(zmq::sockopt::router_mandatory, 1);
    }
    for (zmq::socket_t *socket : {&m_orders.socket, &m_snapshots.socket, &m_publish}) {
        socket->set(zmq::sockopt::maxmsgsize,
                    static_cast<std::int64_t>(kHeaderSize + kMaximumPayloadSize));
        // Replies the journal committed still go out on a clean stop.
        socket->set(zmq::sockopt::linger, 2000);
        makeCurveServer(*socket, *keys.pair);
    }
    bind(m_orders, m_config.orderEntryEndpoint, m_orderEntryEndpoint);
    bind(m_snapshots, m_config.snapshotEndpoint, m_snapshotEndpoint);
    try {
        m_publish.bind(m_config.publishEndpoint);
    } catch (const zmq::error_t &error) {
        throw ServerError(Kind::Bind,
                          "cannot bind " + m_config.publishEndpoint + ": " + error.what());
    }
    m_publishEndpoint = m_publish.get(zmq::sockopt::last_endpoint);

    // The publisher receives the market's first events, such as the instruments it adds.
    m_publisher = std::make_unique<MarketPublisher>(
        [this](const Topic &topic, std::span<const std::uint8_t> bytes) { publish(topic, bytes); },
        m_engine.get());
    m_engine->addHandler(m_publisher.get());
    reportAccessListAccounts();
    setUpMarket();
    openTraderAccounts();
    m_engine->endBatch();
    m_hasAgents = m_market != nullptr;
    m_agentInstruments = m_market ? m_market->instrumentCount() : 0;
    publishStatus();
}

// Execution reports go out for the accounts that the access list's traders may trade, and for no
// other: the agents' accounts would cost the single engine thread more than the market data. A
// list given to the authenticator later takes effect on the next pass. An account it adds starts
// its stream with the live orders it already has, such as those of a recovered journal.
void Server::reportAccessListAccounts()
{
    std::shared_ptr<const AccessList> list = m_authenticator->accessList();
    if (list == m_reportedAccessList)
        return;
    std::vector<AccountId> accounts;
    for (const AccessEntry &entry : list->entries())
        accounts.insert(accounts.end(), entry.accounts.begin(), entry.accounts.end());
    std::sort(accounts.begin(), accounts.end());
    m_publisher->reportOnly(accounts);
    // Every live order, not only those risk counts as working, such as the closing orders the
    // engine places for a kill switch that flattens.
    m_engine->forEachLiveOrder([&](const Order &order) {
        if (std::binary_search(accounts.begin(), accounts.end(), order.account))
            m_publisher->recordOrder(order.id, order.account);
    });
    m_reportedAccessList = std::move(list);
}

Server::~Server()
{
    if (m_engine) {
        m_engine->removeHandler(m_publisher.get());
        m_engine->removeHandler(m_outcome.get());
    }
}

void Server::bind(Link &link, const std::string &endpoint, std::string &bound)
{
    try {
        link.socket.bind(endpoint);
    } catch (const zmq::error_t &error) {
        throw ServerError(ServerError::Kind::Bind, "cannot bind " + endpoint + ": " + error.what());
    }
    bound = link.socket.get(zmq::sockopt::last_endpoint);
}

void Server::log(LogLevel level, const std::string &line) const
{
    if (m_log)
        m_log(level, line);
}

void Server::logClientEvent(ClientLogKind kind, LogLevel level, const std::string &line)
{
    if (const std::optional<std::string> admitted = m_clientLog.admit(kind, line, Clock::now()))
        log(level, *admitted);
}

ServerStop Server::run()
{
    if (!waitForClaim()) {
        finish();
        return m_failed;
    }
    log(LogLevel::Info, "serving: order entry " + m_orderEntryEndpoint + ", publications " +
                            m_publishEndpoint + ", snapshots " + m_snapshotEndpoint +
                            ", instance " + std::to_string(m_instanceId));
    m_wallAnchor = Clock::now();
    m_nextPublishedHeartbeat = m_wallAnchor;
    while (!m_stopRequested.load(std::memory_order_relaxed) && m_failed == ServerStop::Requested)
        serveOnce();
    finish();
    return m_failed;
}

void Server::serveOnce()
{
    zmq::pollitem_t items[] = {{m_orders.socket.handle(), 0, ZMQ_POLLIN, 0},
                               {m_snapshots.socket.handle(), 0, ZMQ_POLLIN, 0},
                               {nullptr, m_controls->wakeUpDescriptor(), ZMQ_POLLIN, 0}};
    try {
        zmq::poll(items, 3, pollTimeout());
    } catch (const zmq::error_t &error) {
        // A signal, such as the SIGTERM that stops the server, interrupts the wait.
        if (error.num() != EINTR)
            throw;
    }
    if ((items[2].revents & ZMQ_POLLIN) != 0)
        m_controls->clearWakeUp();
    reportAccessListAccounts();
    receive(m_orders);
    receive(m_snapshots);
    if (m_market)
        applyControls();
    runMarket();
    m_engine->endBatch();
    publishStatus();

    if (m_journal && !m_journal->failure().empty()) {
        log(LogLevel::Warning, "the journal failed: " + m_journal->failure() +
                                   "; stopping without acknowledging more commands");
        m_failed = ServerStop::JournalFailed;
        return;
    }
    if (!checkPrimacy())
        return;
    sendCommittedReplies();
    sendCommittedReports();
    sendHeartbeats();
    forgetDeadPeers(m_orders);
    forgetDeadPeers(m_snapshots);
}

// A running market is paced in steps of about a millisecond, and replies and execution reports
// wait for the journal's commits, which land within a few milliseconds. Otherwise the next
// heartbeat is what is due, and a control or a stop request wakes the poll earlier.
std::chrono::milliseconds Server::pollTimeout() const
{
    const bool marketRunning = m_market && !m_market->isPaused() &&
                               (m_marketEnd.value() == 0 || m_market->time() < m_marketEnd);
    const bool holding = !m_pending.empty() || !m_heldReports.empty() || !m_heldSnapshots.empty();
    if (marketRunning || holding)
        return std::chrono::milliseconds(1);
    const auto untilHeartbeat = std::chrono::duration_cast<std::chrono::milliseconds>(
        m_nextPublishedHeartbeat - Clock::now());
    return std::clamp(untilHeartbeat, std::chrono::milliseconds(1),
                      std::chrono::milliseconds(m_config.heartbeatIntervalMs));
}

void Server::receive(Link &link)
{
    std::vector<zmq::message_t> frames;
    for (int handled = 0; handled < kMessagesPerTurn; ++handled) {
        frames.clear();
        zmq::recv_result_t received;
        try {
            received = zmq::recv_multipart(link.socket, std::back_inserter(frames),
                                           zmq::recv_flags::dontwait);
        } catch (const zmq::error_t &error) {
            if (error.num() != EINTR)
                throw;
        }
        if (!received)
            return;
        ++m_counters.messages;
        if (frames.size() != 2) {
            dropMalformed(link, frames);
            continue;
        }
        handle(link, frames[0].to_string(), frames[1]);
    }
}

void Server::sendHeartbeats()
{
    const Clock::time_point now = Clock::now();
    const Timestamp time{wallClockNanoseconds()};
    if (now >= m_nextPublishedHeartbeat) {
        m_publisher->publishHeartbeat(time, m_config.heartbeatIntervalMs, m_instanceId);
        m_nextPublishedHeartbeat = now + std::chrono::milliseconds(m_config.heartbeatIntervalMs);
    }
    for (Link *link : {&m_orders, &m_snapshots}) {
        for (auto &[identity, peer] : link->peers) {
            if (peer.welcomed &&
                now - peer.lastSent >= std::chrono::milliseconds(peer.heartbeatIntervalMs))
                sendTo(*link, identity, Heartbeat{time, peer.heartbeatIntervalMs, m_instanceId});
        }
    }
}

void Server::forgetDeadPeers(Link &link)
{
    const Clock::time_point now = Clock::now();
    for (auto it = link.peers.begin(); it != link.peers.end();) {
        const auto silence =
            std::chrono::milliseconds(static_cast<std::int64_t>(it->second.heartbeatIntervalMs) *
                                      kMissedHeartbeatsBeforeDead);
        if (now - it->second.lastReceived < silence) {
            ++it;
            continue;
        }
        logClientEvent(ClientLogKind::PeerLeft, LogLevel::Info,
                       std::string("peer left the ") + link.name + " link: " + it->second.name +
                           " (silent for " + std::to_string(silence.count()) + " ms)");
        ++m_counters.peersLeft;
        it = link.peers.erase(it);
    }
}

// Commands stop with the loop. The journal then stores its final snapshot and commits, so every
// reply still waiting can go out, unless the journal failed.
void Server::finish()
{
    m_engine->endBatch();
    if (m_journal) {
        if (const std::optional<storage::JournalError> failed = m_journal->finish()) {
            log(LogLevel::Warning, "the journal failed: " + failed->toString());
            if (m_failed == ServerStop::Requested)
                m_failed = ServerStop::JournalFailed;
        }
    }
    finishReplication();
    // A server that lost its lease sends nothing more: its clients resend to the new primary,
    // which replies to every command whose events the stream contains with the stored reply.
    if (m_failed != ServerStop::LeaseLost) {
        sendCommittedReplies();
        sendCommittedReports();
    }
    if (!m_heldReports.empty())
        log(LogLevel::Info, std::to_string(m_heldReports.size()) +
                                " execution report messages not sent: their events are not in "
                                "the journal or the stream, or the lease was lost");
    if (!m_pending.empty()) {
        const std::string where = m_replicator ? "the journal or the stream" : "the journal";
        log(LogLevel::Warning,
            std::to_string(m_pending.size()) + " replies not sent: " +
                (m_failed == ServerStop::LeaseLost ? std::string("the lease was lost")
                                                   : "their events are not in " + where));
    }
    log(LogLevel::Info, "stopped at sequence " + std::to_string(m_engine->lastSequence()) + "; " +
                            std::to_string(m_counters.commands) + " commands, " +
                            std::to_string(m_counters.errorReplies) + " error replies, " +
                            std::to_string(m_counters.unauthorized) + " unauthorized");
}

// The replicator reads the journal file on its own thread, and the commit listener only passes
// it the committed sequence number. The listener is set before the market's first event.
void Server::startReplication(cluster::LogSink replicationLog,
                              std::optional<cluster::ChainPosition> claimed)
{
    if (!replicationLog) {
        replicationLog = [this](cluster::LogLevel level, const std::string &line) {
            log(level == cluster::LogLevel::Info ? LogLevel::Info : LogLevel::Warning, line);
        };
    }
    cluster::ReplicatorOptions options;
    options.stream.servers = m_config.replicateServers;
    options.stream.stream = m_config.replicateStream;
    options.stream.replicas = m_config.replicateReplicas;
    if (m_lease) {
        cluster::Lease *lease = m_lease.get();
        options.publicationAllowed = [lease] { return lease->valid(); };
        options.epoch = lease->record().epoch;
    }
    options.claimed = std::move(claimed);
    // The listener runs on a thread of the NATS client, and replies wait for what it reports.
    control::ControlChannel *controls = m_controls.get();
    m_replicator = std::make_unique<cluster::Replicator>(
        m_config.journal, std::move(options), std::move(replicationLog),
        [controls](SequenceNumber) { controls->wakeUp(); });
    cluster::Replicator *replicator = m_replicator.get();
    m_journal->writer().setCommitListener(
        [replicator](SequenceNumber committed) { replicator->notifyCommitted(committed); });
}

// Waits a bounded time for the stream to acknowledge the journal's last event, so that a clean
// stop leaves the stream complete when NATS is reachable. When it is not, the stop takes up to
// the 10 s wait plus the 5 s timeout of a NATS request that the replicator has under way.
void Server::finishReplication()
{
    if (!m_replicator || m_failed != ServerStop::Requested)
        return;
    constexpr std::chrono::seconds kDrainTimeout{10};
    const SequenceNumber last = m_journal->writer().committedSequence();
    if (m_replicator->finish(last, kDrainTimeout))
        return;
    const std::string lacking = "the stream " + m_config.replicateStream +
                                " lacks the events after sequence " +
                                std::to_string(m_replicator->acknowledgedSequence());
    // A replicator that failed for good fails the same way on the next start with this
    // journal, so only an unfinished drain is left for the next start to publish.
    const std::string failure = m_replicator->failure();
    if (!failure.empty())
        log(LogLevel::Warning, lacking + ": replication stopped: " + failure);
    else
        log(LogLevel::Warning, lacking + "; the next start with this journal publishes them");
}

// A primary under a lease takes no command and runs no market until its fence counts in the
// stream. So a journal that the stream no longer continues, as a restarted deposed primary's,
// gains no event before the replicator finds it out. Returns false when the server stops first.
bool Server::waitForClaim()
{
    if (!m_lease || !m_replicator || m_replicator->claimed())
        return true;
    log(LogLevel::Info, "claiming the stream " + m_config.replicateStream + " before serving");
    constexpr std::chrono::milliseconds kPoll{10};
    while (!m_replicator->claimed()) {
        if (m_stopRequested.load(std::memory_order_relaxed) || !checkPrimacy())
            return false;
        std::this_thread::sleep_for(kPoll);
    }
    return true;
}

// Whether this server may go on acknowledging commands: it still holds its lease, and the
// replicator has not stopped for good. Otherwise it logs why and sets m_failed, which ends the
// loop.
bool Server::checkPrimacy()
{
    if (m_lease && m_replicator)
        m_lease->setOwnsStream(m_replicator->claimed() && !m_replicator->deposed());
    if (m_lease) {
        if (const std::optional<cluster::Lease::Lost> lost = m_lease->lost()) {
            const std::string stream = m_config.replicateStream;
            if (lost->loss == cluster::LeaseLoss::TakenOver)
                log(LogLevel::Warning, "deposed: the lease of the stream " + stream +
                                           " is now held by " + lost->current.holder +
                                           " under epoch " + std::to_string(lost->current.epoch) +
                                           "; stopping without acknowledging more commands");
            else
                log(LogLevel::Warning, "cannot renew the lease of the stream " + stream + " for " +
                                           std::to_string(m_config.leaseTimeoutMs) +
                                           " ms; stepping down without acknowledging more " +
                                           "commands");
            m_failed = ServerStop::LeaseLost;
            return false;
        }
    }
    if (m_replicator) {
        const std::string failure = m_replicator->failure();
        if (!failure.empty() && m_replicator->deposed()) {
            log(LogLevel::Warning, "deposed in the stream " + m_config.replicateStream + ": " +
                                       failure + "; stopping without acknowledging more commands");
            m_failed = ServerStop::LeaseLost;
            return false;
        }
        if (!failure.empty()) {
            log(LogLevel::Warning, "replication to the stream " + m_config.replicateStream +
                                       " stopped for good: " + failure +
                                       "; stopping, because replies wait for the stream. If the " +
                                       "stream is right, rebuild this journal from it before " +
                                       "serving it; if the stream holds events that no engine " +
                                       "of this market wrote, it must be replaced");
            m_failed = ServerStop::ReplicationFailed;
            return false;
        }
    }
    return true;
}

} // namespace bourse::net

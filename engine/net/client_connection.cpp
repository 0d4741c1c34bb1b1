// The Client's connection: opening and closing the three sockets, heartbeats, dead peers and
// the reconnect delay, and the snapshot requests that go out once a connection is ready.

#include "client.h"

#include <algorithm>

namespace bourse::net {

namespace {

std::string milliseconds(std::chrono::milliseconds duration)
{
    return std::to_string(duration.count()) + " ms";
}

} // namespace

// The interval a Hello may request, which a Welcome must also respect.
std::uint32_t Client::requestedIntervalMs() const
{
    const auto clamped =
        std::clamp<std::int64_t>(m_options.heartbeatInterval.count(), kMinimumHeartbeatIntervalMs,
                                 kMaximumHeartbeatIntervalMs);
    return static_cast<std::uint32_t>(clamped);
}

// The Welcome's interval, or before the first Welcome the one requested.
std::chrono::milliseconds Client::interval() const
{
    return std::chrono::milliseconds(m_serverIntervalMs != 0 ? m_serverIntervalMs
                                                             : requestedIntervalMs());
}

void Client::openLinks()
{
    ++m_counters.connects;
    // A standby, or the same server restarted, may welcome with another interval.
    m_serverIntervalMs = 0;
    const ClientSocketOptions options = socketOptions();
    subscribe(options);
    m_orderEntry.open(m_context, endpoints().orderEntry, options);
    m_snapshots.open(m_context, endpoints().snapshot, options);

    for (ClientLink *link : {&m_orderEntry, &m_snapshots}) {
        Message hello;
        hello.body = Hello{kProtocolVersion, kProtocolVersion, requestedIntervalMs()};
        sendOn(*link, hello);
    }
    log(LogLevel::Info, "connecting to " + endpoints().orderEntry + ", " + endpoints().publish +
                            " and " + endpoints().snapshot);
    setState(ClientState::Connecting);
}

// Subscribes after connecting. libzmq 4.3 queues a subscription made after connect() to the
// connection in the order made, but sends the ones made before in the byte order of the
// topics, which would put the heartbeat topic ('H') before the instruments ('I').
void Client::subscribe(const ClientSocketOptions &options)
{
    m_publications = makeClientSocket(m_context, zmq::socket_type::sub, options);
    // libzmq drops a subscription that finds the SUB's send queue full, so a terminal that
    // follows more topics than ZMQ_SNDHWM (1000 by default) would silently miss some. A SUB
    // sends nothing but subscriptions, so an unbounded queue costs nothing else.
    m_publications->set(zmq::sockopt::sndhwm, 0);
    m_publications->connect(endpoints().publish);

    const auto subscribeTo = [this](StreamKind kind, std::uint32_t id) {
        const Topic topic = topicOf(kind, id);
        m_publications->set(zmq::sockopt::subscribe, zmq::const_buffer(topic.data(), topic.size()));
    };
    for (const InstrumentId instrument : m_options.instruments)
        subscribeTo(StreamKind::Instrument, instrument.value());
    if (m_options.instruments.empty()) {
        const char prefix = static_cast<char>(StreamKind::Instrument);
        m_publications->set(zmq::sockopt::subscribe, zmq::const_buffer(&prefix, 1));
    }
    for (const AccountId account : m_options.accounts)
        subscribeTo(StreamKind::Account, account.value());
    // The heartbeat topic comes last. The publisher applies subscriptions in order, so its first
    // heartbeat proves that every stream's subscription is in place before a snapshot is taken.
    subscribeTo(StreamKind::Heartbeat, 0);
    m_publicationsReady = false;
    m_lastPublication = Clock::now();
}

// A server drops a peer that was silent for 3 of its heartbeat intervals, or whose replies it
// could not queue. The link then starts again on a new connection, so that the server receives
// a new peer and a Hello, while the other links stay as they are.
void Client::sayHelloAgain(ClientLink &link)
{
    ++m_counters.linksReopened;
    log(LogLevel::Warning, std::string("the server does not know the ") + link.name +
                               " link: sending a Hello on a new connection");
    const bool orderEntry = &link == &m_orderEntry;
    link.close();
    link.open(m_context, orderEntry ? endpoints().orderEntry : endpoints().snapshot,
              socketOptions());
    Message hello;
    hello.body = Hello{kProtocolVersion, kProtocolVersion, requestedIntervalMs()};
    sendOn(link, hello);
    setState(ClientState::Connecting);

    if (orderEntry) {
        markPendingForResend();
        return;
    }
    // Snapshot requests in flight are lost with the old connection, and the synchronizer cannot
    // restart one stream's resync, so every stream resyncs when one was waiting.
    m_unsentSnapshotRequests.clear();
    const bool waiting = std::any_of(m_followed.begin(), m_followed.end(),
                                     [this](StreamKey key) { return m_streams.isStale(key); });
    if (waiting)
        m_streams.forgetAll();
}

void Client::closeLinks()
{
    m_orderEntry.close();
    m_snapshots.close();
    m_publications.reset();
    m_publicationsReady = false;
    m_unsentSnapshotRequests.clear();
    markPendingForResend();
}

void Client::declareDead(const char *link, DeadPeerReason reason)
{
    ++m_counters.deadPeers;
    const std::string silence = milliseconds(interval() * kMissedHeartbeatsBeforeDead);
    const std::string failure = reason == DeadPeerReason::Silent
                                    ? " link received nothing for " + silence
                                    : " link got no Welcome within " + silence;
    closeLinks();
    // Messages were lost during the outage, so no stream can continue from where it stopped.
    m_streams.forgetAll();

    const std::size_t previous = m_endpointIndex;
    const std::chrono::milliseconds wait = moveToNextEndpoints();
    const std::string next = m_endpointIndex == previous
                                 ? std::string("reconnecting")
                                 : "moving to " + describeEndpoints(m_endpointIndex, endpoints());
    log(LogLevel::Warning, std::string("the ") + link + failure + ": closing every link and " +
                               next + " in " + milliseconds(wait));
    m_reconnectWait = wait;
    m_reconnectAt = Clock::now() + wait;
    setState(ClientState::WaitingToReconnect);
}

// Steps to the next endpoint set and returns the delay before connecting to it. A standby is
// tried after the minimum delay, because the primary's failure does not mean that it failed.
// Coming back to the primary ends a round in which every set failed, so that connect waits the
// growing delay, as every reconnect does when there is no standby.
std::chrono::milliseconds Client::moveToNextEndpoints()
{
    const std::size_t next = (m_endpointIndex + 1) % m_endpointSets.size();
    if (next != m_endpointIndex) {
        ++m_counters.endpointSwitches;
        // The failures in a row describe the set in use, which may have another server key.
        m_counters.handshakeFailuresInARow = 0;
    }
    m_endpointIndex = next;
    if (next != 0)
        return m_options.reconnectDelayMinimum;

    const std::chrono::milliseconds wait = m_reconnectDelay;
    m_reconnectDelay = std::min(m_reconnectDelay * 2, m_options.reconnectDelayMaximum);
    return wait;
}

// Connects to the current endpoint set after a dead peer. Only the primary's endpoints are
// checked at construction, so a standby endpoint that ZeroMQ rejects is logged and skipped,
// and the client goes on to the next set instead of stopping.
void Client::reconnect()
{
    try {
        openLinks();
    } catch (const zmq::error_t &error) {
        closeLinks();
        const std::string failed = describeEndpoints(m_endpointIndex, endpoints());
        const std::chrono::milliseconds wait = moveToNextEndpoints();
        log(LogLevel::Warning,
            "cannot connect to " + failed + ": " + error.what() + "; moving to " +
                describeEndpoints(m_endpointIndex, endpoints()) + " in " + milliseconds(wait));
        m_reconnectWait = wait;
        m_reconnectAt = Clock::now() + wait;
    }
}

Client::Clock::time_point Client::nextTimer() const
{
    if (m_reconnectNow)
        return Clock::now();
    if (m_state == ClientState::WaitingToReconnect)
        return m_reconnectAt;

    const auto deadAfter = interval() * kMissedHeartbeatsBeforeDead;
    Clock::time_point next = m_lastPublication + deadAfter;
    for (const ClientLink *link : {&m_orderEntry, &m_snapshots}) {
        next = std::min(next, link->lastReceived + deadAfter);
        if (link->welcomed)
            next = std::min(next, link->lastSent + interval());
        else
            next = std::min(next, link->openedAt + deadAfter);
    }
    return next;
}

void Client::handleTimers(Clock::time_point now)
{
    if (m_reconnectNow) {
        m_reconnectNow = false;
        closeLinks();
        openLinks();
        return;
    }
    if (m_state == ClientState::WaitingToReconnect) {
        if (now >= m_reconnectAt)
            reconnect();
        return;
    }

    const auto deadAfter = interval() * kMissedHeartbeatsBeforeDead;
    for (const ClientLink *link : {&m_orderEntry, &m_snapshots}) {
        if (now - link->lastReceived >= deadAfter)
            return declareDead(link->name, DeadPeerReason::Silent);
        // A server that sends messages but never a Welcome, such as ErrorReplies to the Hello,
        // is as useless as a silent one.
        if (!link->welcomed && now - link->openedAt >= deadAfter)
            return declareDead(link->name, DeadPeerReason::NoWelcome);
    }
    if (now - m_lastPublication >= deadAfter)
        return declareDead("publication", DeadPeerReason::Silent);

    for (ClientLink *link : {&m_orderEntry, &m_snapshots}) {
        if (link->welcomed && now - link->lastSent >= interval())
            sendHeartbeat(*link);
    }
}

void Client::sendHeartbeat(ClientLink &link)
{
    Message message;
    message.body = Heartbeat{wallClockNow(), static_cast<std::uint32_t>(interval().count()), 0};
    if (sendOn(link, message)) {
        ++m_counters.heartbeatsSent;
        return;
    }
    // A DEALER whose connection is gone takes nothing. Trying again one interval later keeps
    // poll() from spinning until the link is declared dead.
    link.lastSent = Clock::now();
}

// Snapshot requests wait for the first published heartbeat (see subscribe()) and the snapshot
// link's Welcome.
void Client::requestSnapshots()
{
    if (!m_snapshots.welcomed || !m_publicationsReady)
        return;
    std::vector<StreamKey> keys = std::move(m_unsentSnapshotRequests);
    m_unsentSnapshotRequests.clear();
    for (const StreamKey &key : m_streams.takeSnapshotRequests())
        keys.push_back(key);

    for (const StreamKey &key : keys) {
        Message message;
        message.body = SnapshotRequest{key.kind, key.id};
        if (sendOn(m_snapshots, message))
            ++m_counters.snapshotRequestsSent;
        else
            m_unsentSnapshotRequests.push_back(key);
    }
}

} // namespace bourse::net

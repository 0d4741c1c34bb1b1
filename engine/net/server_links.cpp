// The order-entry and snapshot links: peers, Hello and Welcome, validation of every message,
// ErrorReply, and the snapshot replies.

#include "server.h"

#include "curve_socket.h"
#include "stream_snapshot.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace bourse::net {

namespace {

// A key's comment in the access list with the key, or the key alone.
std::string peerName(const AccessList &list, const std::string &key)
{
    const AccessEntry *entry = list.find(key);
    return entry && !entry->comment.empty() ? entry->comment + " (" + key + ")" : key;
}

} // namespace

void Server::handle(Link &link, const std::string &identity, const zmq::message_t &frame)
{
    Peer *peer = admit(link, identity, frame);
    if (peer == nullptr)
        return;
    peer->lastReceived = Clock::now();

    const std::span<const std::uint8_t> bytes(static_cast<const std::uint8_t *>(frame.data()),
                                              frame.size());
    if (const std::optional<DecodeError> error = decodeMessage(bytes, m_incoming)) {
        logClientEvent(ClientLogKind::InvalidMessage, LogLevel::Warning,
                       std::string("invalid message from ") + peer->name + " on the " + link.name +
                           " link: " + std::string(nameOf(error->code)) + ": " + describe(*error));
        sendError(link, identity, errorReplyFor(*error, bytes));
        return;
    }

    const MessageType type = *typeOf(m_incoming.body);
    if (type == MessageType::Hello) {
        welcome(link, identity, *peer, std::get<Hello>(m_incoming.body));
        return;
    }
    // A heartbeat of a peer that is not welcomed gets an ErrorReply too, so that a client learns
    // that the server forgot it (docs/protocol.md, "Heartbeats and dead peers").
    if (type == MessageType::Heartbeat && peer->welcomed)
        return;
    // Commands come after the Hello, on the order-entry link; snapshot requests on the other.
    const bool carried =
        peer->welcomed &&
        (&link == &m_orders ? isOrderEntryCommand(type) : type == MessageType::SnapshotRequest);
    if (!carried) {
        rejectUnexpected(link, identity, bytes);
        return;
    }
    if (&link == &m_orders)
        handleCommand(identity, *peer, m_incoming);
    else
        answerSnapshot(link, identity, std::get<SnapshotRequest>(m_incoming.body));
}

// A message always comes over a CURVE link the authenticator allowed, so its key is known. A new
// identity is a new peer, and so is a known identity with another key. A ROUTER hands an
// identity to a new connection once the old one is gone, and a client may choose its identity.
// So the key of every message is checked against the key of the peer's Hello.
Server::Peer *Server::admit(Link &link, const std::string &identity, const zmq::message_t &frame)
{
    const std::optional<std::string> key = peerPublicKey(frame);
    if (!key) {
        logClientEvent(ClientLogKind::MalformedFrames, LogLevel::Warning,
                       std::string("dropped a message without a CURVE key on the ") + link.name +
                           " link");
        return nullptr;
    }
    const auto found = link.peers.find(identity);
    if (found != link.peers.end() && found->second.key == *key)
        return &found->second;

    std::string previous;
    if (found != link.peers.end()) {
        previous = found->second.name;
        link.peers.erase(found);
    }
    const std::shared_ptr<const AccessList> list = m_authenticator->accessList();
    Peer &peer = link.peers[identity];
    peer.key = *key;
    peer.name = peerName(*list, *key);
    peer.heartbeatIntervalMs = m_config.heartbeatIntervalMs;
    peer.lastReceived = Clock::now();
    peer.lastSent = peer.lastReceived;
    ++m_counters.peersJoined;
    if (!previous.empty()) {
        logClientEvent(ClientLogKind::KeyChanged, LogLevel::Warning,
                       std::string("a routing identity on the ") + link.name + " link was " +
                           previous + ", now " + peer.name +
                           ": a new peer, which must send a Hello first");
        return &peer;
    }
    const AccessEntry *entry = list->find(*key);
    logClientEvent(ClientLogKind::PeerJoined, LogLevel::Info,
                   std::string("peer joined the ") + link.name + " link: " + peer.name +
                       (entry ? ", " + std::string(roleName(entry->role)) : std::string()));
    return &peer;
}

// A DEALER sends one frame, so the ROUTER receives two. Anything else is not a protocol message
// and has no place for a reply.
void Server::dropMalformed(Link &link, const std::vector<zmq::message_t> &frames)
{
    std::string name = "an unknown peer";
    const auto found = frames.empty() ? link.peers.end() : link.peers.find(frames[0].to_string());
    if (found != link.peers.end())
        name = found->second.name;
    else if (const std::optional<std::string> key = peerPublicKey(frames.back()))
        name = peerName(*m_authenticator->accessList(), *key);
    logClientEvent(ClientLogKind::MalformedFrames, LogLevel::Warning,
                   "dropped a message of " + std::to_string(frames.size()) + " frames from " +
                       name + " on the " + link.name + " link: a client sends one frame");
}

// A Hello restarts the link's numbering, as a reconnecting client starts again from 1. The
// Welcome's interval is the one the Hello requested (the decoder checked it), raised to the
// publisher's heartbeat-ms, so that a client judging the publication by it does not take the
// publisher's slower heartbeats for a dead server.
void Server::welcome(Link &link, const std::string &identity, Peer &peer, const Hello &hello)
{
    if (hello.oldestVersion > kProtocolVersion) {
        ErrorReply error;
        error.code = ProtocolError::UnsupportedVersion;
        error.messageType = static_cast<std::uint8_t>(MessageType::Hello);
        error.sequence = m_incoming.header.sequence;
        error.offset = 20;
        std::memcpy(error.field.data(), "oldestVersion", 13);
        sendError(link, identity, error);
        return;
    }
    peer.sentSequence = 0;
    peer.heartbeatIntervalMs = std::max(hello.heartbeatIntervalMs, m_config.heartbeatIntervalMs);
    peer.welcomed = true;
    sendTo(link, identity, Welcome{kProtocolVersion, peer.heartbeatIntervalMs, m_instanceId});
}

void Server::sendTo(Link &link, const std::string &identity, Body body, std::uint16_t flags,
                    std::uint64_t sequence)
{
    const auto found = link.peers.find(identity);
    if (found == link.peers.end())
        return; // forgotten: a client that comes back resends what it has no reply for
    Peer &peer = found->second;
    Message message;
    message.header.flags = flags;
    // A heartbeat repeats the last number used, and a snapshot part numbers the parts of its reply.
    if (std::holds_alternative<Heartbeat>(body))
        message.header.sequence = peer.sentSequence;
    else if (std::holds_alternative<SnapshotPart>(body))
        message.header.sequence = sequence;
    else
        message.header.sequence = ++peer.sentSequence;
    message.body = std::move(body);
    encodeMessage(message, m_sendBuffer);
    int failure = 0;
    if (sendRaw(link, identity, m_sendBuffer, failure)) {
        peer.lastSent = Clock::now();
        return;
    }
    // The peer is not forgotten here, because callers may be iterating over the peers. Without
    // its Hello, its next command or heartbeat gets an ErrorReply UnexpectedMessage, and the
    // client says Hello again and resends what has no reply. A repeated command gets its first
    // reply. A connection that is gone is the usual end of a client, so it is an info line.
    ++m_counters.failedSends;
    const bool wasWelcomed = peer.welcomed;
    peer.welcomed = false;
    const bool gone = failure == EHOSTUNREACH;
    const std::string reason = failure == EAGAIN ? std::string("its queue is full")
                               : gone            ? std::string("its connection is gone")
                                                 : std::string(zmq_strerror(failure));
    logClientEvent(ClientLogKind::SendFailed, gone ? LogLevel::Info : LogLevel::Warning,
                   "could not send " + std::string(nameOf(message.header.type)) + " " +
                       std::to_string(message.header.sequence) + " to " + peer.name + " on the " +
                       link.name + " link: " + reason +
                       (wasWelcomed && !gone ? "; the peer must send a Hello again" : ""));
}

// The ROUTERs have ZMQ_ROUTER_MANDATORY, so a message that the peer's queue cannot take fails
// here instead of being dropped: `failure` becomes EAGAIN when the queue is full and
// EHOSTUNREACH when the connection is gone. A message fails whole, at its first frame.
bool Server::sendRaw(Link &link, const std::string &identity, std::span<const std::uint8_t> bytes,
                     int &failure)
{
    try {
        if (!link.socket.send(zmq::buffer(identity),
                              zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
            failure = EAGAIN;
            return false;
        }
        link.socket.send(zmq::const_buffer(bytes.data(), bytes.size()), zmq::send_flags::dontwait);
        return true;
    } catch (const zmq::error_t &error) {
        failure = error.num();
        return false;
    }
}

void Server::sendError(Link &link, const std::string &identity, const ErrorReply &error)
{
    ++m_counters.errorReplies;
    sendTo(link, identity, error);
}

void Server::rejectUnexpected(Link &link, const std::string &identity,
                              std::span<const std::uint8_t> bytes)
{
    ErrorReply error;
    error.code = ProtocolError::UnexpectedMessage;
    error.messageType = bytes[1];
    error.sequence = m_incoming.header.sequence;
    error.offset = 1;
    std::memcpy(error.field.data(), "type", 4);
    const Peer &peer = link.peers.at(identity);
    logClientEvent(ClientLogKind::UnexpectedMessage, LogLevel::Warning,
                   "unexpected " + std::string(nameOf(static_cast<MessageType>(bytes[1]))) +
                       " from " + peer.name + " on the " + link.name + " link" +
                       (peer.welcomed ? "" : " before its Hello"));
    sendError(link, identity, error);
}

void Server::answerSnapshot(Link &link, const std::string &identity, const SnapshotRequest &request)
{
    // The engine's state includes the pass's events so far, so their batches go out first and
    // the snapshot covers them. A client drops those batches as covered.
    m_publisher->sendPending();
    const std::uint64_t covers = m_publisher->lastSequence(request.kind, request.streamId);
    std::vector<SnapshotPart> parts =
        buildSnapshot(*m_engine, StreamKey{request.kind, request.streamId}, covers);
    ++m_counters.snapshots;
    // An account's snapshot shows its orders and fills, so it waits as its reports do.
    const SequenceNumber last = m_engine->lastSequence();
    if (request.kind == StreamKind::Account && committedSequence() < last) {
        const std::string key = link.peers.at(identity).key;
        m_heldSnapshots.push_back({identity, key, std::move(parts), last});
        return;
    }
    sendSnapshotParts(link, identity, parts);
}

void Server::sendSnapshotParts(Link &link, const std::string &identity,
                               const std::vector<SnapshotPart> &parts)
{
    // A failed send clears the peer's Hello, and the client requests the snapshot again after
    // its new Hello, so the remaining parts would only fill its queue.
    const Peer &peer = link.peers.at(identity);
    for (std::size_t index = 0; index < parts.size() && peer.welcomed; ++index) {
        const bool last = index + 1 == parts.size();
        sendTo(link, identity, parts[index], last ? kLastPartFlag : 0, index + 1);
    }
}

} // namespace bourse::net

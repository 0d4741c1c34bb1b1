// The Client's handling of each message from the server.

#include "client.h"

#include <zmq_addon.hpp>

#include <cstring>

namespace bourse::net {

namespace {

// A drain stops after this many messages per socket, so that poll() returns to its timers even
// under a flood.
constexpr int kMaximumMessagesPerDrain = 10'000;

std::span<const std::uint8_t> bytesOf(const zmq::message_t &frame)
{
    return {frame.data<std::uint8_t>(), frame.size()};
}

std::optional<StreamKey> streamOf(const Message &message)
{
    switch (message.header.type) {
    case MessageType::MarketDataBatch:
    case MessageType::PackedMarketDataBatch:
        return StreamKey{StreamKind::Instrument, message.header.streamId};
    case MessageType::ExecutionReportBatch:
        return StreamKey{StreamKind::Account, message.header.streamId};
    default:
        return std::nullopt;
    }
}

} // namespace

void Client::drain(ClientLink &link)
{
    for (int count = 0; count < kMaximumMessagesPerDrain && link.isOpen(); ++count) {
        std::vector<zmq::message_t> frames;
        if (!zmq::recv_multipart(*link.socket, std::back_inserter(frames),
                                 zmq::recv_flags::dontwait))
            return;
        ++m_counters.messagesReceived;
        link.lastReceived = Clock::now();

        // A DEALER receives the message alone: the ROUTER strips the identity frame.
        const zmq::message_t &frame = frames.back();
        if (auto error = decodeMessage(bytesOf(frame), m_message); error || frames.size() != 1) {
            if (!error) {
                error = DecodeError{ProtocolError::UnexpectedMessage, "header", 0,
                                    std::to_string(frames.size()) + " frames, expected 1"};
            }
            onInvalidLinkMessage(link, *error, bytesOf(frame));
            continue;
        }
        onLinkMessage(link, m_message);
    }
}

void Client::drainPublications()
{
    for (int count = 0; count < kMaximumMessagesPerDrain && m_publications; ++count) {
        std::vector<zmq::message_t> frames;
        if (!zmq::recv_multipart(*m_publications, std::back_inserter(frames),
                                 zmq::recv_flags::dontwait))
            return;
        ++m_counters.messagesReceived;
        m_lastPublication = Clock::now();

        const std::span<const std::uint8_t> topic = bytesOf(frames.front());
        const std::optional<DecodeError> error =
            frames.size() == 2 ? decodePublished(topic, bytesOf(frames.back()), m_message)
                               : DecodeError{ProtocolError::UnexpectedMessage, "topic", 0,
                                             std::to_string(frames.size()) + " frames, expected 2"};
        if (error)
            onInvalidPublication(*error);
        else
            onPublication(m_message);
    }
}

// Returns whether error means that the server has no Hello for the link. The server rejected as
// unexpected a message that only a welcomed peer may send, and the Client sends those only after
// a Welcome.
bool Client::asksForHello(const ClientLink &link, const ErrorReply &error) const
{
    if (error.code != ProtocolError::UnexpectedMessage)
        return false;
    const auto type = static_cast<MessageType>(error.messageType);
    if (type == MessageType::Heartbeat)
        return true;
    return &link == &m_orderEntry ? isOrderEntryCommand(type)
                                  : type == MessageType::SnapshotRequest;
}

void Client::onLinkMessage(ClientLink &link, const Message &message)
{
    const MessageType type = message.header.type;
    if (type == MessageType::Heartbeat)
        return onHeartbeat(link, std::get<Heartbeat>(message.body), message.header.sequence);

    // A server that forgot a peer admits its identity as a new one and numbers from 1 again, so
    // this ErrorReply is handled before the sequence check, which would drop it as a duplicate.
    if (type == MessageType::ErrorReply && asksForHello(link, std::get<ErrorReply>(message.body)))
        return onErrorReply(link, std::get<ErrorReply>(message.body));

    // An ExecutionReportBatch carries its account's sequence numbers and a SnapshotPart the
    // numbers of its parts, so neither advances the link's own numbers.
    if (type != MessageType::ExecutionReportBatch && type != MessageType::SnapshotPart) {
        const SequenceVerdict verdict = link.received.accept(message.header.sequence);
        if (verdict == SequenceVerdict::Duplicate)
            return;
        if (verdict == SequenceVerdict::Gap) {
            link.received.resetTo(message.header.sequence);
            onLinkGap(link);
        }
    }

    const bool orderEntry = &link == &m_orderEntry;
    if (type == MessageType::Welcome)
        onWelcome(link, std::get<Welcome>(message.body));
    else if (type == MessageType::ErrorReply)
        onErrorReply(link, std::get<ErrorReply>(message.body));
    else if (orderEntry && type == MessageType::CommandAccepted)
        onReply(std::get<CommandAccepted>(message.body));
    else if (orderEntry && type == MessageType::CommandRejected)
        onReply(std::get<CommandRejected>(message.body));
    else if (orderEntry && type == MessageType::ExecutionReportBatch)
        onPublication(message);
    else if (!orderEntry && type == MessageType::SnapshotPart)
        m_streams.onSnapshotPart(message);
    else
        onUnexpectedLinkMessage(link, message);
}

void Client::onWelcome(ClientLink &link, const Welcome &welcome)
{
    noteInstance(welcome.instanceId, true);
    link.welcomed = true;
    m_serverIntervalMs = welcome.heartbeatIntervalMs;
    m_reconnectDelay = m_options.reconnectDelayMinimum;
    log(LogLevel::Info, std::string("the ") + link.name + " link is welcomed by server instance " +
                            std::to_string(welcome.instanceId) + " at " +
                            describeEndpoints(m_endpointIndex, endpoints()) +
                            ", heartbeat interval " + std::to_string(welcome.heartbeatIntervalMs) +
                            " ms");
    if (m_orderEntry.welcomed && m_snapshots.welcomed)
        setState(ClientState::Live);
}

// A link heartbeat carries the last number the server used on the link: a higher number than
// the last one received means that the last messages were lost.
void Client::onHeartbeat(ClientLink &link, const Heartbeat &heartbeat, std::uint64_t lastSequence)
{
    noteInstance(heartbeat.instanceId, false);
    if (lastSequence > link.received.last()) {
        link.received.resetTo(lastSequence);
        onLinkGap(link);
    }
}

// A lost message on the order-entry link may have been a reply, so every command sent is sent
// again. On the snapshot link it was no SnapshotPart, because parts are numbered apart.
void Client::onLinkGap(ClientLink &link)
{
    ++m_counters.linkGaps;
    if (&link == &m_orderEntry)
        markPendingForResend();
}

void Client::onReply(const CommandAccepted &accepted)
{
    if (!takePending(accepted.clientOrderId))
        return;
    if (m_listener != nullptr)
        m_listener->onCommandAccepted(accepted);
}

void Client::onReply(const CommandRejected &rejected)
{
    if (!takePending(rejected.clientOrderId))
        return;
    if (m_listener != nullptr)
        m_listener->onCommandRejected(rejected);
}

// Removes the command that a reply is for. A reply to no pending command, such as the second
// reply to a command resent after a gap, is counted and dropped.
bool Client::takePending(ClientOrderId id)
{
    ++m_counters.repliesReceived;
    if (m_pending.erase(id.value()) == 0) {
        ++m_counters.unmatchedReplies;
        return false;
    }
    return true;
}

void Client::onErrorReply(ClientLink &link, const ErrorReply &error)
{
    ++m_counters.errorRepliesReceived;
    const std::string field(error.field.data(), strnlen(error.field.data(), error.field.size()));

    log(LogLevel::Warning, std::string("the ") + link.name + " link received an ErrorReply: " +
                               std::string(nameOf(error.code)) + " in field '" + field +
                               "' of message " + std::to_string(error.sequence));
    if (asksForHello(link, error)) {
        // The command stays pending and goes out again after the new Welcome.
        if (m_listener != nullptr)
            m_listener->onErrorReply(error, std::nullopt);
        return sayHelloAgain(link);
    }

    std::optional<ClientOrderId> command;
    if (&link == &m_orderEntry)
        command = takePendingSentAs(error.sequence, error.messageType);
    if (m_listener != nullptr)
        m_listener->onErrorReply(error, command);
}

// The server drops a command it could not decode and sends no reply to it, so the command that
// an ErrorReply names leaves the pending list rather than being resent forever.
std::optional<ClientOrderId> Client::takePendingSentAs(std::uint64_t sequence,
                                                       std::uint8_t messageType)
{
    if (sequence == 0)
        return std::nullopt;
    for (auto entry = m_pending.begin(); entry != m_pending.end(); ++entry) {
        const std::optional<MessageType> type = typeOf(entry->second.command);
        if (entry->second.linkSequence == sequence &&
            static_cast<std::uint8_t>(*type) == messageType) {
            const ClientOrderId command{entry->first};
            m_pending.erase(entry);
            return command;
        }
    }
    return std::nullopt;
}

void Client::onPublication(const Message &message)
{
    if (message.header.type == MessageType::Heartbeat) {
        m_publicationsReady = true;
        noteInstance(std::get<Heartbeat>(message.body).instanceId, false);
        return;
    }
    const std::optional<StreamKey> key = streamOf(message);
    if (!key)
        return;
    // Following every instrument: the first batch of an instrument starts its join, and is
    // kept like any message that arrives before the snapshot.
    if (!m_followed.contains(*key) && key->kind == StreamKind::Instrument &&
        m_options.instruments.empty()) {
        m_followed.insert(*key);
        m_streams.follow(*key);
    }
    if (m_followed.contains(*key))
        m_streams.onPublished(message);
}

} // namespace bourse::net

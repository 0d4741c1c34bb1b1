// Messages from the server that the Client cannot use, and server restarts.

#include "client.h"

#include <algorithm>

namespace bourse::net {

namespace {

// The first invalid messages are logged one by one, then one line per this many, so that a
// broken server cannot flood the log.
constexpr std::uint64_t kInvalidMessagesLoggedEach = 10;
constexpr std::uint64_t kInvalidMessagesPerLogLine = 1000;

} // namespace

// Drops the message and replies with an ErrorReply, unless it was an ErrorReply itself, so that
// two peers never reply to each other's errors forever. Whatever it was, it is lost, like a gap.
void Client::onInvalidLinkMessage(ClientLink &link, const DecodeError &error,
                                  std::span<const std::uint8_t> bytes)
{
    logInvalid(std::string(link.name) + " link", describe(error));
    const bool errorReply =
        bytes.size() >= 2 && bytes[1] == static_cast<std::uint8_t>(MessageType::ErrorReply);
    if (!errorReply) {
        Message reply;
        reply.body = errorReplyFor(error, bytes);
        sendOn(link, reply);
    }
    if (&link == &m_orderEntry)
        return onLinkGap(link);

    // On the snapshot link it may have been the last part of a snapshot, which the synchronizer
    // would wait for forever. The synchronizer cannot restart one stream's resync, so every
    // stream resyncs. That costs a snapshot per stream, and only a faulty server causes it.
    const bool waiting = std::any_of(m_followed.begin(), m_followed.end(),
                                     [this](StreamKey key) { return m_streams.isStale(key); });
    if (waiting)
        m_streams.forgetAll();
}

// A valid message that this link does not carry, such as a SnapshotPart on the order-entry
// link. It is numbered like any other, so no message was lost.
void Client::onUnexpectedLinkMessage(ClientLink &link, const Message &message)
{
    const std::string type(nameOf(message.header.type));
    logInvalid(std::string(link.name) + " link", type + " is not carried on this link");
    ErrorReply error;
    error.code = ProtocolError::UnexpectedMessage;
    error.messageType = static_cast<std::uint8_t>(message.header.type);
    error.sequence = message.header.sequence;
    error.offset = 1;
    const std::string_view field = "type";
    std::copy(field.begin(), field.end(), error.field.begin());

    Message reply;
    reply.body = error;
    sendOn(link, reply);
}

// A subscriber has no way to reply, so it logs the message and drops it. The message took a number
// of its stream, so the stream's next message shows a gap and the stream resyncs.
// NOTE: until that next message the stream looks in sync. StreamSynchronizer has no call to
// resync one stream at once; with one, this would call it for the stream the topic names.
void Client::onInvalidPublication(const DecodeError &error)
{
    logInvalid("publication", describe(error));
}

void Client::logInvalid(const std::string &where, const std::string &what)
{
    const std::uint64_t count = ++m_counters.invalidMessages;
    if (count > kInvalidMessagesLoggedEach && count % kInvalidMessagesPerLogLine != 0)
        return;
    log(LogLevel::Warning, "invalid message " + std::to_string(count) + " from the server on the " +
                               where + ", dropped: " + what);
}

// Each server run numbers every stream from 1 again, so the client's sequence numbers mean
// nothing in a new run: every stream resyncs. A new run seen outside a Welcome, or after a link
// was welcomed by the old run, also means that the links talk to a server that is gone.
void Client::noteInstance(std::uint64_t instanceId, bool fromWelcome)
{
    if (instanceId == 0 || instanceId == m_instanceId)
        return;
    const std::uint64_t previous = m_instanceId;
    m_instanceId = instanceId;
    if (previous == 0)
        return;

    ++m_counters.instanceChanges;
    log(LogLevel::Warning, "the server restarted: instance " + std::to_string(previous) +
                               " is now " + std::to_string(instanceId) + "; every stream resyncs");
    m_streams.forgetAll();
    if (!fromWelcome || m_orderEntry.welcomed || m_snapshots.welcomed)
        m_reconnectNow = true;
}

} // namespace bourse::net

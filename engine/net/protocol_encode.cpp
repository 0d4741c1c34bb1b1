#include "protocol.h"

#include "event_codec.h"
#include "event_record.h"
#include "protocol_wire.h"

#include <type_traits>

namespace bourse::net {

static_assert(kEventRecordHeaderSize == sizeof(std::uint16_t) + kEventRecordPrefixSize,
              "a protocol event record is the engine's record after its payload size");

namespace {

using wire::append;

template <typename Enum>
void appendEnum(std::vector<std::uint8_t> &out, Enum value)
{
    append(out, static_cast<std::underlying_type_t<Enum>>(value));
}

template <typename Strong>
void appendValue(std::vector<std::uint8_t> &out, Strong value)
{
    append(out, value.value());
}

void appendHeader(std::vector<std::uint8_t> &out, MessageType type, const Header &header)
{
    append(out, kProtocolVersion);
    appendEnum(out, type);
    append(out, header.flags);
    append(out, header.streamId);
    append(out, header.sequence);
    append(out, std::uint32_t{0}); // payload size, patched once the payload is written
}

void appendBody(std::vector<std::uint8_t> &out, const Hello &hello)
{
    append(out, hello.oldestVersion);
    append(out, hello.newestVersion);
    append(out, hello.heartbeatIntervalMs);
}

void appendBody(std::vector<std::uint8_t> &out, const Welcome &welcome)
{
    append(out, welcome.version);
    append(out, welcome.heartbeatIntervalMs);
    append(out, welcome.instanceId);
}

void appendBody(std::vector<std::uint8_t> &out, const Heartbeat &heartbeat)
{
    appendValue(out, heartbeat.time);
    append(out, heartbeat.heartbeatIntervalMs);
    append(out, heartbeat.instanceId);
}

void appendBody(std::vector<std::uint8_t> &out, const NewOrder &order)
{
    appendValue(out, order.clientOrderId);
    appendValue(out, order.account);
    appendValue(out, order.instrument);
    appendEnum(out, order.side);
    appendEnum(out, order.type);
    appendEnum(out, order.timeInForce);
    appendEnum(out, order.liquidity);
    appendEnum(out, order.selfTradePrevention);
    appendValue(out, order.limit);
    appendValue(out, order.quantity);
    appendValue(out, order.stopPrice);
    appendValue(out, order.displayQuantity);
    appendValue(out, order.protectionPrice);
    appendValue(out, order.expiry);
}

void appendBody(std::vector<std::uint8_t> &out, const CancelOrder &cancel)
{
    appendValue(out, cancel.clientOrderId);
    appendValue(out, cancel.account);
    appendValue(out, cancel.id);
}

void appendBody(std::vector<std::uint8_t> &out, const ReplaceCommand &command)
{
    appendValue(out, command.clientOrderId);
    appendValue(out, command.account);
    appendValue(out, command.replace.id);
    appendValue(out, command.replace.limit);
    appendValue(out, command.replace.quantity);
    appendValue(out, command.replace.stopPrice);
}

void appendBody(std::vector<std::uint8_t> &out, const MassCancelCommand &command)
{
    appendValue(out, command.clientOrderId);
    appendValue(out, command.scope.account);
    appendValue(out, command.scope.instrument);
}

void appendBody(std::vector<std::uint8_t> &out, const KillSwitchCommand &command)
{
    appendValue(out, command.clientOrderId);
    appendValue(out, command.account);
    appendEnum(out, command.scope);
}

void appendBody(std::vector<std::uint8_t> &out, const CommandAccepted &reply)
{
    appendEnum(out, reply.command);
    appendValue(out, reply.clientOrderId);
    appendValue(out, reply.account);
    appendValue(out, reply.id);
    append(out, reply.eventSequence);
    append(out, reply.cancelledCount);
}

void appendBody(std::vector<std::uint8_t> &out, const CommandRejected &reply)
{
    appendEnum(out, reply.command);
    appendValue(out, reply.clientOrderId);
    appendValue(out, reply.account);
    appendValue(out, reply.id);
    append(out, reply.eventSequence);
    appendEnum(out, reply.reason);
}

void appendBody(std::vector<std::uint8_t> &out, const ErrorReply &reply)
{
    appendEnum(out, reply.code);
    append(out, reply.messageType);
    append(out, reply.sequence);
    append(out, reply.offset);
    for (char c : reply.field)
        append(out, static_cast<std::uint8_t>(c));
}

// The record is the engine's fixed-width event record (event_record.h) after its payload's
// size, written in place: the codec's byte-at-a-time encoding costs several times as much, and
// a publisher writes every event once per stream it goes to.
void appendEventRecord(std::vector<std::uint8_t> &out, const Event &event)
{
    const std::size_t size = eventRecordSize(event);
    const std::size_t at = out.size();
    out.resize(at + sizeof(std::uint16_t) + size);
    std::uint8_t *record = out.data() + at;
    const auto payloadSize = static_cast<std::uint16_t>(size - kEventRecordPrefixSize);
    record[0] = static_cast<std::uint8_t>(payloadSize);
    record[1] = static_cast<std::uint8_t>(payloadSize >> 8);
    writeEventRecord(event, record + sizeof(std::uint16_t));
}

void appendEvents(std::vector<std::uint8_t> &out, const std::vector<Event> &events)
{
    append(out, static_cast<std::uint32_t>(events.size()));
    for (const Event &event : events)
        appendEventRecord(out, event);
}

void appendBody(std::vector<std::uint8_t> &out, const MarketDataBatch &batch)
{
    appendEvents(out, batch.events);
}

void appendBody(std::vector<std::uint8_t> &out, const ExecutionReportBatch &batch)
{
    appendEvents(out, batch.events);
}

void appendBody(std::vector<std::uint8_t> &out, const SnapshotRequest &request)
{
    appendEnum(out, request.kind);
    append(out, request.streamId);
}

void appendSnapshotPrefix(std::vector<std::uint8_t> &out, const SnapshotPart &part)
{
    appendEnum(out, part.kind);
    append(out, part.streamId);
    append(out, part.coversSequence);
    append(out, part.eventSequence);
}

void appendBody(std::vector<std::uint8_t> &out, const SnapshotPart &part)
{
    appendSnapshotPrefix(out, part);
    appendEvents(out, part.events);
}

void patchPayloadSize(std::vector<std::uint8_t> &out)
{
    wire::patch(out, 16, static_cast<std::uint32_t>(out.size() - kHeaderSize));
}

} // namespace

Topic topicOf(StreamKind kind, std::uint32_t streamId)
{
    // Big-endian, unlike the messages: a topic is compared byte by byte, and this order keeps
    // topics sorted by id.
    return {static_cast<std::uint8_t>(kind), static_cast<std::uint8_t>(streamId >> 24u),
            static_cast<std::uint8_t>(streamId >> 16u), static_cast<std::uint8_t>(streamId >> 8u),
            static_cast<std::uint8_t>(streamId)};
}

bool encodeMessage(const Message &message, std::vector<std::uint8_t> &out)
{
    out.clear();
    const std::optional<MessageType> type = typeOf(message.body);
    if (!type)
        return false;

    appendHeader(out, *type, message.header);
    std::visit(
        [&out](const auto &body) {
            if constexpr (!std::is_same_v<std::decay_t<decltype(body)>, std::monostate>)
                appendBody(out, body);
        },
        message.body);
    patchPayloadSize(out);
    return true;
}

BatchWriter::BatchWriter(std::vector<std::uint8_t> &out)
    : m_out(out)
{
}

void BatchWriter::begin(MessageType type, std::uint32_t streamId, std::uint64_t sequence,
                        std::uint16_t flags)
{
    m_out.clear();
    m_packed = false;
    Header header;
    header.flags = flags;
    header.streamId = streamId;
    header.sequence = sequence;
    appendHeader(m_out, type, header);
}

void BatchWriter::beginMarketData(InstrumentId instrument, std::uint64_t sequence)
{
    begin(MessageType::MarketDataBatch, instrument.value(), sequence, 0);
    m_countOffset = m_out.size();
    m_count = 0;
    wire::append(m_out, std::uint32_t{0});
}

void BatchWriter::beginPackedMarketData(InstrumentId instrument, std::uint64_t sequence)
{
    begin(MessageType::PackedMarketDataBatch, instrument.value(), sequence, 0);
    m_out.push_back(eventCodecVersion);
    m_countOffset = m_out.size();
    m_count = 0;
    wire::append(m_out, std::uint32_t{0});
    m_packed = true;
    m_packer.reset();
}

void BatchWriter::beginExecutionReports(AccountId account, std::uint64_t sequence)
{
    begin(MessageType::ExecutionReportBatch, account.value(), sequence, 0);
    m_countOffset = m_out.size();
    m_count = 0;
    wire::append(m_out, std::uint32_t{0});
}

void BatchWriter::beginSnapshotPart(std::uint64_t partNumber, const SnapshotPart &description,
                                    bool lastPart)
{
    begin(MessageType::SnapshotPart, 0, partNumber, lastPart ? kLastPartFlag : 0);
    appendSnapshotPrefix(m_out, description);
    m_countOffset = m_out.size();
    m_count = 0;
    wire::append(m_out, std::uint32_t{0});
}

void BatchWriter::append(const Event &event)
{
    if (m_packed)
        m_packer.append(event, m_out);
    else
        appendEventRecord(m_out, event);
    ++m_count;
}

std::span<const std::uint8_t> BatchWriter::finish()
{
    wire::patch(m_out, m_countOffset, m_count);
    patchPayloadSize(m_out);
    return m_out;
}

} // namespace bourse::net

#include "protocol.h"

#include "event_codec.h"
#include "event_codec_schema.h"
#include "protocol_wire.h"

#include <algorithm>
#include <limits>
#include <type_traits>
#include <utility>

namespace bourse::net {

namespace {

DecodeError makeError(ProtocolError code, std::string_view field, std::size_t offset,
                      std::string detail)
{
    return DecodeError{code, field, offset, std::move(detail)};
}

std::string bytesText(std::size_t count)
{
    return std::to_string(count) + (count == 1 ? " byte" : " bytes");
}

template <typename Enum>
bool isKnownEnum(Enum value)
{
    return codec::introducedIn(value).has_value();
}

bool isKnownEnum(MessageType type)
{
    return !nameOf(type).empty();
}

bool isKnownEnum(ProtocolError error)
{
    return !nameOf(error).empty();
}

bool isKnownEnum(StreamKind kind)
{
    return kind == StreamKind::Instrument || kind == StreamKind::Account;
}

// Reads the fields of a payload whose size was checked beforehand, and keeps the first
// problem with a field's value.
class FieldReader {
public:
    FieldReader(std::span<const std::uint8_t> bytes, std::size_t offset)
        : m_reader(bytes, offset)
    {
    }

    template <typename Integer>
    Integer read()
    {
        return m_reader.read<Integer>();
    }

    template <typename Strong>
    Strong readValue()
    {
        return Strong{m_reader.read<typename Strong::Representation>()};
    }

    template <typename Strong>
    Strong readNonZero(std::string_view field)
    {
        const std::size_t offset = m_reader.offset();
        const Strong value = readValue<Strong>();
        if (value.value() == 0)
            fail(ProtocolError::InvalidValue, field, offset, std::string(field) + " is zero");
        return value;
    }

    template <typename Enum>
    Enum readEnum(std::string_view field)
    {
        const std::size_t offset = m_reader.offset();
        const auto byte = m_reader.read<std::uint8_t>();
        const auto value = static_cast<Enum>(byte);
        if (!isKnownEnum(value)) {
            fail(ProtocolError::InvalidEnum, field, offset,
                 std::string(field) + " " + std::to_string(byte) + " is not a known value");
        }
        return value;
    }

    std::uint32_t readHeartbeatInterval()
    {
        const std::size_t offset = m_reader.offset();
        const auto interval = m_reader.read<std::uint32_t>();
        if (interval < kMinimumHeartbeatIntervalMs || interval > kMaximumHeartbeatIntervalMs) {
            fail(ProtocolError::InvalidValue, "heartbeatIntervalMs", offset,
                 "heartbeat interval " + std::to_string(interval) + " ms is outside " +
                     std::to_string(kMinimumHeartbeatIntervalMs) + ".." +
                     std::to_string(kMaximumHeartbeatIntervalMs));
        }
        return interval;
    }

    void fail(ProtocolError code, std::string_view field, std::size_t offset, std::string detail)
    {
        if (!m_error)
            m_error = makeError(code, field, offset, std::move(detail));
    }

    std::size_t offset() const { return m_reader.offset(); }
    std::optional<DecodeError> &error() { return m_error; }

private:
    wire::Reader m_reader;
    std::optional<DecodeError> m_error;
};

void readBody(FieldReader &reader, Hello &hello)
{
    const std::size_t offset = reader.offset();
    hello.oldestVersion = reader.read<std::uint8_t>();
    hello.newestVersion = reader.read<std::uint8_t>();
    if (hello.oldestVersion == 0) {
        reader.fail(ProtocolError::InvalidValue, "oldestVersion", offset, "oldest version is zero");
    } else if (hello.newestVersion < hello.oldestVersion) {
        reader.fail(ProtocolError::InvalidValue, "newestVersion", offset + 1,
                    "newest version " + std::to_string(hello.newestVersion) +
                        " is below oldest version " + std::to_string(hello.oldestVersion));
    }
    hello.heartbeatIntervalMs = reader.readHeartbeatInterval();
}

void readBody(FieldReader &reader, Welcome &welcome)
{
    const std::size_t offset = reader.offset();
    welcome.version = reader.read<std::uint8_t>();
    if (welcome.version != kProtocolVersion) {
        reader.fail(ProtocolError::UnsupportedVersion, "version", offset,
                    "the server chose protocol version " + std::to_string(welcome.version) +
                        ", this build speaks only " + std::to_string(kProtocolVersion));
    }
    welcome.heartbeatIntervalMs = reader.readHeartbeatInterval();
    welcome.instanceId = reader.read<std::uint64_t>();
}

void readBody(FieldReader &reader, Heartbeat &heartbeat)
{
    heartbeat.time = reader.readValue<Timestamp>();
    heartbeat.heartbeatIntervalMs = reader.readHeartbeatInterval();
    heartbeat.instanceId = reader.read<std::uint64_t>();
}

void readBody(FieldReader &reader, NewOrder &order)
{
    order.id = OrderId{0};
    order.clientOrderId = reader.readNonZero<ClientOrderId>("clientOrderId");
    order.account = reader.readNonZero<AccountId>("account");
    order.instrument = reader.readValue<InstrumentId>();
    order.side = reader.readEnum<Side>("side");
    order.type = reader.readEnum<OrderType>("orderType");
    order.timeInForce = reader.readEnum<TimeInForce>("timeInForce");
    order.liquidity = reader.readEnum<Liquidity>("liquidity");
    order.selfTradePrevention = reader.readEnum<SelfTradePrevention>("selfTradePrevention");
    order.limit = reader.readValue<Price>();
    order.quantity = reader.readValue<Quantity>();
    order.stopPrice = reader.readValue<Price>();
    order.displayQuantity = reader.readValue<Quantity>();
    order.protectionPrice = reader.readValue<Price>();
    order.expiry = reader.readValue<Timestamp>();
}

void readBody(FieldReader &reader, CancelOrder &cancel)
{
    cancel.clientOrderId = reader.readNonZero<ClientOrderId>("clientOrderId");
    cancel.account = reader.readNonZero<AccountId>("account");
    cancel.id = reader.readNonZero<OrderId>("orderId");
}

void readBody(FieldReader &reader, ReplaceCommand &command)
{
    command.clientOrderId = reader.readNonZero<ClientOrderId>("clientOrderId");
    command.account = reader.readNonZero<AccountId>("account");
    command.replace.id = reader.readNonZero<OrderId>("orderId");
    command.replace.limit = reader.readValue<Price>();
    command.replace.quantity = reader.readValue<Quantity>();
    command.replace.stopPrice = reader.readValue<Price>();
}

void readBody(FieldReader &reader, MassCancelCommand &command)
{
    command.clientOrderId = reader.readNonZero<ClientOrderId>("clientOrderId");
    command.scope.account = reader.readValue<AccountId>();
    command.scope.instrument = reader.readValue<InstrumentId>();
}

void readBody(FieldReader &reader, KillSwitchCommand &command)
{
    command.clientOrderId = reader.readNonZero<ClientOrderId>("clientOrderId");
    command.account = reader.readValue<AccountId>();
    command.scope = reader.readEnum<KillSwitchScope>("scope");
}

MessageType readCommandType(FieldReader &reader)
{
    const std::size_t offset = reader.offset();
    const auto command = reader.readEnum<MessageType>("command");
    if (!isOrderEntryCommand(command)) {
        reader.fail(ProtocolError::InvalidEnum, "command", offset,
                    "command " + std::to_string(static_cast<int>(command)) +
                        " is not an order-entry command");
    }
    return command;
}

void readBody(FieldReader &reader, CommandAccepted &reply)
{
    reply.command = readCommandType(reader);
    reply.clientOrderId = reader.readValue<ClientOrderId>();
    reply.account = reader.readValue<AccountId>();
    reply.id = reader.readValue<OrderId>();
    reply.eventSequence = reader.read<std::uint64_t>();
    reply.cancelledCount = reader.read<std::uint32_t>();
}

void readBody(FieldReader &reader, CommandRejected &reply)
{
    reply.command = readCommandType(reader);
    reply.clientOrderId = reader.readValue<ClientOrderId>();
    reply.account = reader.readValue<AccountId>();
    reply.id = reader.readValue<OrderId>();
    reply.eventSequence = reader.read<std::uint64_t>();
    reply.reason = reader.readEnum<RejectReason>("reason");
}

// A field name is printable ASCII followed by zero bytes only.
bool isValidFieldText(const std::array<char, kErrorFieldSize> &text)
{
    const auto end = std::find(text.begin(), text.end(), '\0');
    const bool printable =
        std::all_of(text.begin(), end, [](char c) { return c >= 0x20 && c <= 0x7e; });
    return printable && std::all_of(end, text.end(), [](char c) { return c == '\0'; });
}

void readBody(FieldReader &reader, ErrorReply &reply)
{
    reply.code = reader.readEnum<ProtocolError>("code");
    reply.messageType = reader.read<std::uint8_t>();
    reply.sequence = reader.read<std::uint64_t>();
    reply.offset = reader.read<std::uint32_t>();

    const std::size_t fieldOffset = reader.offset();
    for (char &c : reply.field)
        c = static_cast<char>(reader.read<std::uint8_t>());
    if (!isValidFieldText(reply.field)) {
        reader.fail(ProtocolError::InvalidValue, "field", fieldOffset,
                    "field name is not printable ASCII padded with zero bytes");
    }
}

void readBody(FieldReader &reader, SnapshotRequest &request)
{
    request.kind = reader.readEnum<StreamKind>("kind");
    request.streamId = reader.read<std::uint32_t>();
}

// Decodes the event record at the reader's position and appends it to `events`. `previous` is
// the sequence number of the record before, zero for the first.
std::optional<DecodeError> readEventRecord(std::span<const std::uint8_t> bytes,
                                           wire::Reader &reader, std::uint32_t index,
                                           std::optional<std::uint32_t> instrument,
                                           std::vector<Event> &events)
{
    const SequenceNumber previous = index == 0 ? 0 : events.back().sequence;
    const std::size_t recordOffset = reader.offset();
    const auto label = [index] { return "event " + std::to_string(index) + ": "; };
    if (reader.remaining() < kMinimumEventRecordSize) {
        return makeError(ProtocolError::Truncated, "event", recordOffset,
                         label() + "only " + bytesText(reader.remaining()) + " left");
    }
    const auto payloadSize = reader.read<std::uint16_t>();
    const auto sequence = reader.read<std::uint64_t>();
    const auto time = reader.read<std::int64_t>();
    const auto eventInstrument = reader.read<std::uint32_t>();

    if (payloadSize < 2) {
        return makeError(ProtocolError::InvalidValue, "event.payloadSize", recordOffset,
                         label() + "payload size " + std::to_string(payloadSize) +
                             " is below the codec's 2 header bytes");
    }
    if (payloadSize > reader.remaining()) {
        return makeError(ProtocolError::Truncated, "event.payload", reader.offset(),
                         label() + "payload of " + bytesText(payloadSize) + " but only " +
                             bytesText(reader.remaining()) + " left");
    }
    if (sequence <= previous) {
        return makeError(ProtocolError::InvalidValue, "event.sequence", recordOffset + 2,
                         label() + "sequence " + std::to_string(sequence) + " does not follow " +
                             std::to_string(previous));
    }
    if (instrument && eventInstrument != *instrument) {
        return makeError(ProtocolError::StreamMismatch, "event.instrument", recordOffset + 18,
                         label() + "instrument " + std::to_string(eventInstrument) +
                             " in a stream of instrument " + std::to_string(*instrument));
    }

    const std::size_t payloadOffset = reader.offset();
    DecodedPayload decoded = decodePayload(bytes.subspan(payloadOffset, payloadSize));
    if (!decoded.payload) {
        return makeError(ProtocolError::InvalidEvent, "event.payload", payloadOffset,
                         label() + decoded.error);
    }
    reader.skip(payloadSize);
    events.push_back(Event{sequence, Timestamp{time}, InstrumentId{eventInstrument},
                           std::move(*decoded.payload)});
    return std::nullopt;
}

// Decodes a count and that many event records, which must fill bytes[offset, end) exactly.
// `instrument` is the instrument every event must name, or nullopt when any may come.
std::optional<DecodeError> readEvents(std::span<const std::uint8_t> bytes, std::size_t offset,
                                      std::optional<std::uint32_t> instrument,
                                      std::vector<Event> &events)
{
    wire::Reader reader(bytes, offset);
    const std::size_t countOffset = reader.offset();
    const auto count = reader.read<std::uint32_t>();

    // The check comes before any allocation or loop, so a huge count costs nothing.
    const std::size_t capacity = reader.remaining() / kMinimumEventRecordSize;
    if (count > capacity) {
        return makeError(ProtocolError::CountTooLarge, "count", countOffset,
                         "count " + std::to_string(count) + " is more than the " +
                             bytesText(reader.remaining()) + " after it can hold (at most " +
                             std::to_string(capacity) + " events)");
    }
    events.reserve(count);

    for (std::uint32_t i = 0; i < count; ++i) {
        if (auto error = readEventRecord(bytes, reader, i, instrument, events))
            return error;
    }
    if (reader.remaining() != 0) {
        return makeError(ProtocolError::TrailingBytes, "events", reader.offset(),
                         bytesText(reader.remaining()) + " after the last of " +
                             std::to_string(count) + " events");
    }
    return std::nullopt;
}

// Moves the event vector out of whatever batch the body holds, so that its capacity serves
// the next batch.
std::vector<Event> takeEvents(Body &body)
{
    std::vector<Event> events;
    if (auto *batch = std::get_if<MarketDataBatch>(&body))
        events = std::move(batch->events);
    else if (auto *reports = std::get_if<ExecutionReportBatch>(&body))
        events = std::move(reports->events);
    else if (auto *part = std::get_if<SnapshotPart>(&body))
        events = std::move(part->events);
    events.clear();
    return events;
}

// The payload size of a fixed-size type, or the size of a batch type's part before its records.
std::size_t basePayloadSize(MessageType type)
{
    switch (type) {
    case MessageType::Hello:
        return wire::kHelloSize;
    case MessageType::Welcome:
        return wire::kWelcomeSize;
    case MessageType::Heartbeat:
        return wire::kHeartbeatSize;
    case MessageType::NewOrder:
        return wire::kNewOrderSize;
    case MessageType::CancelOrder:
        return wire::kCancelOrderSize;
    case MessageType::ReplaceOrder:
        return wire::kReplaceOrderSize;
    case MessageType::MassCancel:
        return wire::kMassCancelSize;
    case MessageType::KillSwitch:
        return wire::kKillSwitchSize;
    case MessageType::CommandAccepted:
        return wire::kCommandAcceptedSize;
    case MessageType::CommandRejected:
        return wire::kCommandRejectedSize;
    case MessageType::ErrorReply:
        return wire::kErrorReplySize;
    case MessageType::SnapshotRequest:
        return wire::kSnapshotRequestSize;
    case MessageType::MarketDataBatch:
    case MessageType::ExecutionReportBatch:
        return wire::kBatchPrefixSize;
    case MessageType::PackedMarketDataBatch:
        return kPackedPrefixSize;
    case MessageType::SnapshotPart:
        return wire::kSnapshotPartPrefixSize;
    }
    return 0;
}

bool isBatch(MessageType type)
{
    return type == MessageType::MarketDataBatch || type == MessageType::ExecutionReportBatch ||
           type == MessageType::PackedMarketDataBatch || type == MessageType::SnapshotPart;
}

std::optional<DecodeError> checkHeaderFields(const Header &header)
{
    const std::uint16_t allowedFlags = header.type == MessageType::SnapshotPart ? kLastPartFlag : 0;
    if ((header.flags & ~allowedFlags) != 0) {
        return makeError(ProtocolError::InvalidValue, "flags", 2,
                         "flags " + std::to_string(header.flags) + " set a bit " +
                             std::string(nameOf(header.type)) + " does not define");
    }
    const bool hasStream = header.type == MessageType::MarketDataBatch ||
                           header.type == MessageType::PackedMarketDataBatch ||
                           header.type == MessageType::ExecutionReportBatch;
    if (!hasStream && header.streamId != 0) {
        return makeError(ProtocolError::InvalidValue, "streamId", 4,
                         "stream id " + std::to_string(header.streamId) + " on a " +
                             std::string(nameOf(header.type)) + ", which has none");
    }
    if (header.type != MessageType::Heartbeat && header.sequence == 0) {
        return makeError(ProtocolError::InvalidValue, "sequence", 8,
                         "sequence is zero; sequence numbers start at 1");
    }
    return std::nullopt;
}

// Checks that the payload size is allowed, fills the bytes after the header exactly and suits
// the message type.
std::optional<DecodeError> checkPayloadSize(const Header &header, std::size_t messageSize)
{
    if (header.payloadSize > kMaximumPayloadSize) {
        return makeError(ProtocolError::InvalidValue, "payloadSize", 16,
                         "payload size " + std::to_string(header.payloadSize) +
                             " is above the maximum of " + std::to_string(kMaximumPayloadSize));
    }
    const std::size_t present = messageSize - kHeaderSize;
    if (present < header.payloadSize) {
        return makeError(ProtocolError::Truncated, "payload", messageSize,
                         "payload size is " + std::to_string(header.payloadSize) +
                             " but the message ends after " + bytesText(present));
    }
    if (present > header.payloadSize) {
        return makeError(ProtocolError::TrailingBytes, "payload", kHeaderSize + header.payloadSize,
                         bytesText(present - header.payloadSize) + " after the payload of " +
                             bytesText(header.payloadSize));
    }

    const std::size_t expected = basePayloadSize(header.type);
    const bool sizeFits =
        isBatch(header.type) ? header.payloadSize >= expected : header.payloadSize == expected;
    if (!sizeFits) {
        return makeError(ProtocolError::LengthMismatch, "payloadSize", 16,
                         std::string(nameOf(header.type)) + " payload is " +
                             (isBatch(header.type) ? "at least " : "") + bytesText(expected) +
                             ", not " + std::to_string(header.payloadSize));
    }
    return std::nullopt;
}

// Checks the header and that the bytes are exactly one message of the size it states.
std::optional<DecodeError> readHeader(std::span<const std::uint8_t> bytes, Header &header)
{
    if (bytes.size() < kHeaderSize) {
        return makeError(ProtocolError::Truncated, "header", bytes.size(),
                         "message of " + bytesText(bytes.size()) + " is shorter than the " +
                             bytesText(kHeaderSize) + " header");
    }
    wire::Reader reader(bytes);
    header.version = reader.read<std::uint8_t>();
    if (header.version != kProtocolVersion) {
        return makeError(ProtocolError::UnsupportedVersion, "version", 0,
                         "protocol version " + std::to_string(header.version) +
                             " is not supported; this build speaks version " +
                             std::to_string(kProtocolVersion));
    }
    const auto type = reader.read<std::uint8_t>();
    header.type = static_cast<MessageType>(type);
    if (!isKnownEnum(header.type)) {
        return makeError(ProtocolError::UnknownMessageType, "type", 1,
                         "message type " + std::to_string(type) + " is unknown");
    }
    header.flags = reader.read<std::uint16_t>();
    header.streamId = reader.read<std::uint32_t>();
    header.sequence = reader.read<std::uint64_t>();
    header.payloadSize = reader.read<std::uint32_t>();
    if (auto error = checkHeaderFields(header))
        return error;

    return checkPayloadSize(header, bytes.size());
}

template <typename Fixed>
std::optional<DecodeError> decodeFixed(std::span<const std::uint8_t> bytes, Body &body)
{
    Fixed value{};
    FieldReader reader(bytes, kHeaderSize);
    readBody(reader, value);
    if (reader.error())
        return std::move(reader.error());
    body.emplace<Fixed>(value);
    return std::nullopt;
}

template <typename Batch>
std::optional<DecodeError> decodeBatch(std::span<const std::uint8_t> bytes, const Header &header,
                                       Body &body)
{
    std::vector<Event> events = takeEvents(body);
    std::optional<std::uint32_t> instrument;
    if constexpr (std::is_same_v<Batch, MarketDataBatch>)
        instrument = header.streamId;

    if (auto error = readEvents(bytes, kHeaderSize, instrument, events))
        return error;
    body.emplace<Batch>(Batch{std::move(events)});
    return std::nullopt;
}

// A packed batch contains events of the codec version it names, which must be this build's,
// because the packed form has no sizes that would tell an older version's records apart.
std::optional<DecodeError> decodePackedBatch(std::span<const std::uint8_t> bytes,
                                             const Header &header, Body &body)
{
    std::vector<Event> events = takeEvents(body);
    wire::Reader reader(bytes, kHeaderSize);
    const auto version = reader.read<std::uint8_t>();
    if (version != eventCodecVersion) {
        return makeError(ProtocolError::InvalidValue, "codecVersion", kHeaderSize,
                         "packed events of codec version " + std::to_string(version) +
                             "; this build packs and reads version " +
                             std::to_string(eventCodecVersion));
    }
    const std::size_t countOffset = reader.offset();
    const auto count = reader.read<std::uint32_t>();
    const std::size_t capacity = reader.remaining() / kMinimumPackedRecordSize;
    if (count > capacity) {
        return makeError(ProtocolError::CountTooLarge, "count", countOffset,
                         "count " + std::to_string(count) + " is more than the " +
                             bytesText(reader.remaining()) + " after it can hold (at most " +
                             std::to_string(capacity) + " events)");
    }
    events.reserve(count);
    if (auto error = readPackedEvents(bytes, reader.offset(), count, header.streamId, events))
        return error;
    body.emplace<MarketDataBatch>(MarketDataBatch{std::move(events)});
    return std::nullopt;
}

std::optional<DecodeError> decodeSnapshotPart(std::span<const std::uint8_t> bytes, Body &body)
{
    SnapshotPart part;
    part.events = takeEvents(body);
    FieldReader reader(bytes, kHeaderSize);
    part.kind = reader.readEnum<StreamKind>("kind");
    part.streamId = reader.read<std::uint32_t>();
    part.coversSequence = reader.read<std::uint64_t>();
    part.eventSequence = reader.read<SequenceNumber>();
    if (reader.error())
        return std::move(reader.error());

    std::optional<std::uint32_t> instrument;
    if (part.kind == StreamKind::Instrument)
        instrument = part.streamId;
    if (auto error = readEvents(bytes, reader.offset(), instrument, part.events))
        return error;
    body.emplace<SnapshotPart>(std::move(part));
    return std::nullopt;
}

std::optional<DecodeError> decodeBody(std::span<const std::uint8_t> bytes, const Header &header,
                                      Body &body)
{
    switch (header.type) {
    case MessageType::Hello:
        return decodeFixed<Hello>(bytes, body);
    case MessageType::Welcome:
        return decodeFixed<Welcome>(bytes, body);
    case MessageType::Heartbeat:
        return decodeFixed<Heartbeat>(bytes, body);
    case MessageType::NewOrder:
        return decodeFixed<NewOrder>(bytes, body);
    case MessageType::CancelOrder:
        return decodeFixed<CancelOrder>(bytes, body);
    case MessageType::ReplaceOrder:
        return decodeFixed<ReplaceCommand>(bytes, body);
    case MessageType::MassCancel:
        return decodeFixed<MassCancelCommand>(bytes, body);
    case MessageType::KillSwitch:
        return decodeFixed<KillSwitchCommand>(bytes, body);
    case MessageType::CommandAccepted:
        return decodeFixed<CommandAccepted>(bytes, body);
    case MessageType::CommandRejected:
        return decodeFixed<CommandRejected>(bytes, body);
    case MessageType::ErrorReply:
        return decodeFixed<ErrorReply>(bytes, body);
    case MessageType::SnapshotRequest:
        return decodeFixed<SnapshotRequest>(bytes, body);
    case MessageType::MarketDataBatch:
        return decodeBatch<MarketDataBatch>(bytes, header, body);
    case MessageType::PackedMarketDataBatch:
        return decodePackedBatch(bytes, header, body);
    case MessageType::ExecutionReportBatch:
        return decodeBatch<ExecutionReportBatch>(bytes, header, body);
    case MessageType::SnapshotPart:
        return decodeSnapshotPart(bytes, body);
    }
    return makeError(ProtocolError::UnknownMessageType, "type", 1, "message type is unknown");
}

std::optional<StreamKind> publishedKind(MessageType type)
{
    switch (type) {
    case MessageType::MarketDataBatch:
    case MessageType::PackedMarketDataBatch:
        return StreamKind::Instrument;
    case MessageType::ExecutionReportBatch:
        return StreamKind::Account;
    case MessageType::Heartbeat:
        return StreamKind::Heartbeat;
    default:
        return std::nullopt;
    }
}

} // namespace

std::optional<DecodeError> decodeMessage(std::span<const std::uint8_t> bytes, Message &message)
{
    Header header;
    std::optional<DecodeError> error = readHeader(bytes, header);
    if (!error)
        error = decodeBody(bytes, header, message.body);

    if (error) {
        message.header = Header{};
        message.body = std::monostate{};
        return error;
    }
    message.header = header;
    return std::nullopt;
}

std::optional<DecodeError> decodePublished(std::span<const std::uint8_t> topic,
                                           std::span<const std::uint8_t> bytes, Message &message)
{
    if (topic.size() != kTopicSize) {
        message.header = Header{};
        message.body = std::monostate{};
        return makeError(ProtocolError::TopicMismatch, "topic", 0,
                         "topic of " + bytesText(topic.size()) + "; topics are " +
                             bytesText(kTopicSize));
    }
    if (auto error = decodeMessage(bytes, message))
        return error;

    std::optional<DecodeError> error;
    const std::optional<StreamKind> kind = publishedKind(message.header.type);
    if (!kind) {
        error = makeError(ProtocolError::UnexpectedMessage, "type", 1,
                          std::string(nameOf(message.header.type)) + " is never published");
    } else if (topic[0] != static_cast<std::uint8_t>(*kind)) {
        error = makeError(ProtocolError::TopicMismatch, "topic", 0,
                          "topic kind " + std::to_string(topic[0]) + " does not carry a " +
                              std::string(nameOf(message.header.type)));
    } else if (topicOf(*kind, message.header.streamId) !=
               Topic{topic[0], topic[1], topic[2], topic[3], topic[4]}) {
        error = makeError(ProtocolError::TopicMismatch, "streamId", 4,
                          "stream id " + std::to_string(message.header.streamId) +
                              " differs from the topic's");
    }
    if (error) {
        message.header = Header{};
        message.body = std::monostate{};
    }
    return error;
}

ErrorReply errorReplyFor(const DecodeError &error, std::span<const std::uint8_t> bytes)
{
    ErrorReply reply;
    reply.code = error.code;
    if (bytes.size() > 1)
        reply.messageType = bytes[1];
    if (bytes.size() >= 16) {
        wire::Reader reader(bytes, 8);
        reply.sequence = reader.read<std::uint64_t>();
    }
    reply.offset = static_cast<std::uint32_t>(
        std::min<std::size_t>(error.offset, std::numeric_limits<std::uint32_t>::max()));
    const std::size_t length = std::min(error.field.size(), kErrorFieldSize - 1);
    std::copy_n(error.field.begin(), length, reply.field.begin());
    return reply;
}

} // namespace bourse::net

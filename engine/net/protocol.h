#pragma once

// The wire protocol between `bourse-engine serve` and remote terminals: message structs, an
// encoder that writes into a caller's reusable buffer, and a validating decoder. This header
// and docs/protocol.md describe the same format. The document also gives the sockets and the
// rules for sequence numbers, gaps and heartbeats.
//
// The functions keep no state, so any thread may call them. A BatchWriter, like a Message, is
// used by one thread at a time.

#include "engine.h"
#include "events.h"
#include "packed_events.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace bourse::net {

// The protocol version this build writes and the only one it reads.
inline constexpr std::uint8_t kProtocolVersion = 1;

// Every message starts with a header of this many bytes.
inline constexpr std::size_t kHeaderSize = 20;

// The largest payload a message may carry. A snapshot larger than this is sent in parts, and
// a server sets ZMQ_MAXMSGSIZE to kHeaderSize + kMaximumPayloadSize on its sockets.
inline constexpr std::size_t kMaximumPayloadSize = 1 << 20;

// The bytes of one event in a batch before its codec payload: payload size (2), engine
// sequence number (8), time (8), instrument (4).
inline constexpr std::size_t kEventRecordHeaderSize = 22;
// The smallest event record: its header and the codec's version and type bytes.
inline constexpr std::size_t kMinimumEventRecordSize = kEventRecordHeaderSize + 2;

// Heartbeat intervals a Hello may ask for, in milliseconds.
inline constexpr std::uint32_t kMinimumHeartbeatIntervalMs = 100;
inline constexpr std::uint32_t kMaximumHeartbeatIntervalMs = 60'000;
// A peer that sent nothing for this many heartbeat intervals is dead.
inline constexpr std::uint32_t kMissedHeartbeatsBeforeDead = 3;

// Stable numbers of the message types; never reuse one.
enum class MessageType : std::uint8_t {
    Hello = 1,
    Welcome = 2,
    Heartbeat = 3,
    NewOrder = 16,
    CancelOrder = 17,
    ReplaceOrder = 18,
    MassCancel = 19,
    KillSwitch = 20,
    CommandAccepted = 32,
    CommandRejected = 33,
    ErrorReply = 34,
    MarketDataBatch = 48,
    ExecutionReportBatch = 49,
    PackedMarketDataBatch = 50,
    SnapshotRequest = 64,
    SnapshotPart = 65,
};

std::string_view nameOf(MessageType type);
bool isOrderEntryCommand(MessageType type);

// Bits of Header::flags. Every other bit must be zero.
inline constexpr std::uint16_t kLastPartFlag = 1; // the final SnapshotPart of a response

// The kind of a published stream. The values are the first byte of the stream's topic.
enum class StreamKind : std::uint8_t { Heartbeat = 'H', Instrument = 'I', Account = 'A' };

// A PUB topic: the stream kind byte, then the stream id as 4 bytes big-endian. Every topic
// has the same length, so a subscription to one topic never matches another by prefix.
inline constexpr std::size_t kTopicSize = 5;
using Topic = std::array<std::uint8_t, kTopicSize>;

Topic topicOf(StreamKind kind, std::uint32_t streamId);

// The reason a message was rejected. Stable numbers, sent in ErrorReply.
enum class ProtocolError : std::uint8_t {
    Truncated = 1,          // the bytes end before the header or the payload does
    TrailingBytes = 2,      // bytes remain after the payload or the last event
    LengthMismatch = 3,     // the payload size is not the size of the message type
    UnsupportedVersion = 4, // a protocol version this build does not speak
    UnknownMessageType = 5,
    InvalidEnum = 6,        // a byte outside its enum
    InvalidValue = 7,       // a value outside its range, or a reserved bit set
    CountTooLarge = 8,      // more events than the bytes can hold
    InvalidEvent = 9,       // the event codec rejected an event of a batch
    TopicMismatch = 10,     // the topic frame names another stream than the message
    StreamMismatch = 11,    // an event of a market-data batch is for another instrument
    UnexpectedMessage = 12, // a valid message that the receiving socket does not take
};

std::string_view nameOf(ProtocolError error);

// The first 20 bytes of every message. The encoder takes flags, streamId and sequence from the
// caller and writes version, type and payloadSize itself; the decoder fills every field.
struct Header {
    std::uint8_t version = kProtocolVersion;
    MessageType type = MessageType::Heartbeat;
    std::uint16_t flags = 0;
    std::uint32_t streamId = 0; // instrument or account of a batch; zero on every other type
    std::uint64_t sequence = 0;
    std::uint32_t payloadSize = 0;
};

// The first message on an order-entry or snapshot link, always written in version 1 so that
// a server of any version can read it.
struct Hello {
    std::uint8_t oldestVersion = kProtocolVersion;
    std::uint8_t newestVersion = kProtocolVersion;
    std::uint32_t heartbeatIntervalMs = 1000;
};

// The server's reply to Hello: the version both sides use from now on, and the interval.
struct Welcome {
    std::uint8_t version = kProtocolVersion;
    std::uint32_t heartbeatIntervalMs = 1000;
    // One run of the server. Every stream numbers from 1 again in a new run, so a client that
    // sees another instance id than before resynchronizes every stream.
    std::uint64_t instanceId = 0;
};

struct Heartbeat {
    Timestamp time;                        // the sender's clock, ns since the Unix epoch
    std::uint32_t heartbeatIntervalMs = 0; // the sender's interval
    std::uint64_t instanceId = 0;          // the sender's run, as in Welcome; zero for a client
};

// Order entry. A NewOrder is the engine's NewOrder without its id, which the engine assigns.
struct CancelOrder {
    ClientOrderId clientOrderId; // names this request; echoed in the reply
    AccountId account;
    OrderId id;
};

struct ReplaceCommand {
    ClientOrderId clientOrderId;
    AccountId account;
    ReplaceOrder replace;
};

struct MassCancelCommand {
    ClientOrderId clientOrderId;
    MassCancel scope; // account zero: every account; instrument zero: every instrument
};

// Engages a kill switch, or resets it with scope None. Account zero is the global switch.
struct KillSwitchCommand {
    ClientOrderId clientOrderId;
    AccountId account;
    KillSwitchScope scope = KillSwitchScope::None;
};

struct CommandAccepted {
    MessageType command = MessageType::NewOrder; // the type of the command this replies to
    ClientOrderId clientOrderId;
    AccountId account;
    OrderId id;                       // the order; zero for a mass cancel or kill switch
    SequenceNumber eventSequence = 0; // the engine event that decided the command
    std::uint32_t cancelledCount = 0; // orders a mass cancel removed; zero otherwise
};

struct CommandRejected {
    MessageType command = MessageType::NewOrder;
    ClientOrderId clientOrderId;
    AccountId account;
    OrderId id; // the order named, or the id a new order would have had
    SequenceNumber eventSequence = 0;
    RejectReason reason = RejectReason::UnknownOrder;
};

inline constexpr std::size_t kErrorFieldSize = 32;

// The reply to a message that could not be decoded.
struct ErrorReply {
    ProtocolError code = ProtocolError::Truncated;
    std::uint8_t messageType = 0; // the offending message's type byte, zero if absent
    std::uint64_t sequence = 0;   // the offending message's sequence, zero if absent
    std::uint32_t offset = 0;     // the byte of the offending message where the problem is
    std::array<char, kErrorFieldSize> field{}; // the field's name, zero padded
};

// Events of one instrument, published on the instrument's topic. A MarketDataBatch and a
// PackedMarketDataBatch both decode to it, and the header's type names the one that was sent.
struct MarketDataBatch {
    std::vector<Event> events;
};

// Events of one account (its orders' outcomes, fills, risk decisions), on the account's topic.
struct ExecutionReportBatch {
    std::vector<Event> events;
};

struct SnapshotRequest {
    StreamKind kind = StreamKind::Instrument; // Instrument or Account
    std::uint32_t streamId = 0;
};

// One part of a snapshot response. The header's sequence numbers the parts from 1; the last
// part has kLastPartFlag. Every part states what the whole snapshot covers.
struct SnapshotPart {
    StreamKind kind = StreamKind::Instrument;
    std::uint32_t streamId = 0;
    std::uint64_t coversSequence = 0; // the last stream sequence number the snapshot includes
    SequenceNumber eventSequence = 0; // the last engine event it includes
    std::vector<Event> events;
};

using Body =
    std::variant<std::monostate, Hello, Welcome, Heartbeat, NewOrder, CancelOrder, ReplaceCommand,
                 MassCancelCommand, KillSwitchCommand, CommandAccepted, CommandRejected, ErrorReply,
                 MarketDataBatch, ExecutionReportBatch, SnapshotRequest, SnapshotPart>;

struct Message {
    Header header;
    Body body; // monostate after a failed decode
};

// The type a body encodes as; nullopt for monostate.
std::optional<MessageType> typeOf(const Body &body);

// A message that failed to decode: the problem, the field and the byte where it was found.
struct DecodeError {
    ProtocolError code = ProtocolError::Truncated;
    std::string_view field; // static storage: a name from docs/protocol.md
    std::size_t offset = 0;
    std::string detail; // the values involved, for people
};

// Returns "<detail> (field <field> at byte <offset>)".
std::string describe(const DecodeError &error);

// Encodes a message into `out`, replacing its contents but keeping its capacity, so that a
// sender that reuses one buffer allocates nothing per message once the buffer has grown. The
// header's type, version and payloadSize come from the body; a monostate body writes nothing
// and returns false. The encoder does not validate: a caller that encodes a value the decoder
// rejects (a zero client order id) gets a message the peer rejects.
bool encodeMessage(const Message &message, std::vector<std::uint8_t> &out);

// Decodes one whole message. On success `message` contains it and the result is empty. On failure
// `message.body` is monostate and the result names the problem. The decoder does not throw,
// checks every length before it reads (the fuzz target checks this under AddressSanitizer) and
// resets the message on failure. A batch's event vector reuses the
// capacity `message` already had, so a receiver that decodes into one Message allocates nothing
// per batch once the vector has grown.
std::optional<DecodeError> decodeMessage(std::span<const std::uint8_t> bytes, Message &message);

// Decodes a published message (topic frame, message frame) and checks that the topic names the
// message's stream: a MarketDataBatch or PackedMarketDataBatch on its instrument's topic, an
// ExecutionReportBatch on its account's, a Heartbeat on the heartbeat topic. Other types are not
// published.
std::optional<DecodeError> decodePublished(std::span<const std::uint8_t> topic,
                                           std::span<const std::uint8_t> bytes, Message &message);

// Builds the ErrorReply for a message that failed to decode, taking its type and sequence from
// the bytes when they are there.
ErrorReply errorReplyFor(const DecodeError &error, std::span<const std::uint8_t> bytes);

// Writes a MarketDataBatch, PackedMarketDataBatch, ExecutionReportBatch or SnapshotPart event by
// event straight into a reusable buffer, for a publisher that should not first copy its events
// into a vector.
//
//     BatchWriter writer(buffer);
//     writer.beginMarketData(instrument, ++sequence);
//     for (const Event &event : pending) writer.append(event);
//     socket.send(writer.finish());
class BatchWriter {
public:
    explicit BatchWriter(std::vector<std::uint8_t> &out);

    void beginMarketData(InstrumentId instrument, std::uint64_t sequence);
    // A PackedMarketDataBatch: the same events in about a fifth of the bytes.
    void beginPackedMarketData(InstrumentId instrument, std::uint64_t sequence);
    void beginExecutionReports(AccountId account, std::uint64_t sequence);
    // `partNumber` is the part's header sequence, from 1.
    void beginSnapshotPart(std::uint64_t partNumber, const SnapshotPart &description,
                           bool lastPart);

    void append(const Event &event);

    std::size_t eventCount() const { return m_count; }
    // Bytes written so far, the unfinished count and payload size included.
    std::size_t size() const { return m_out.size(); }

    // Writes the count and the payload size; returns the finished message. The writer does not
    // split: a caller starts a new message before size() would pass kHeaderSize +
    // kMaximumPayloadSize, because the decoder rejects a larger one.
    std::span<const std::uint8_t> finish();

private:
    void begin(MessageType type, std::uint32_t streamId, std::uint64_t sequence,
               std::uint16_t flags);

    std::vector<std::uint8_t> &m_out;
    std::size_t m_countOffset = 0;
    std::uint32_t m_count = 0;
    bool m_packed = false;
    EventPacker m_packer;
};

} // namespace bourse::net

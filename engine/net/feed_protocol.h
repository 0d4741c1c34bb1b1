#pragma once

// The remote feed protocol (docs/feeds.md): market data that any source publishes to Bourse over
// ZeroMQ, in two encodings, a compact binary batch and one JSON object per message. This part is
// plain C++ without ZeroMQ: the records, their encoders, and decoders that validate every field
// before anything is applied.

#include "events.h"
#include "types.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace bourse::net::feed {

inline constexpr std::uint8_t kVersion = 1;
// The first two bytes of a binary batch, "BF" in ASCII.
inline constexpr std::uint8_t kMagic0 = 0x42;
inline constexpr std::uint8_t kMagic1 = 0x46;
// Limits that a decoder enforces, so that a hostile or broken publisher cannot make a subscriber
// allocate without bound. A batch of 4,096 order messages takes about 190 KiB in binary, and a
// snapshot of 100,000 orders about 2.5 MB.
inline constexpr std::size_t kMaxPayloadBytes = std::size_t{8} << 20;
inline constexpr std::size_t kMaxBatchRecords = 4096;
inline constexpr std::size_t kMaxTopicBytes = 32;
inline constexpr std::size_t kMaxLevels = 10'000;  // per side of a book snapshot
inline constexpr std::size_t kMaxOrders = 200'000; // per order-level snapshot

enum class Encoding : std::uint8_t { Binary, Json };

// The kind of book a stream describes: aggregated levels (L2) or single orders (L3).
enum class BookDepth : std::uint8_t { Levels = 2, Orders = 3 };

// The terms of an instrument. Prices and sizes on the wire are integers in units of
// 10^-priceDecimals and 10^-sizeDecimals.
struct InstrumentDefinition {
    BookDepth depth = BookDepth::Orders;
    std::uint8_t priceDecimals = 0;
    std::uint8_t sizeDecimals = 0;
    std::int64_t tick = 1;
    std::int64_t lot = 1;
};

struct Level {
    Price price;
    Quantity size;
    friend bool operator==(const Level &, const Level &) = default;
};

// Every level of a book, best first, replacing what the subscriber had.
struct BookSnapshot {
    std::vector<Level> bids;
    std::vector<Level> asks;
};

struct LevelChange {
    Side side = Side::Buy;
    Price price;
    Quantity size; // the new total at the price; zero removes the level
};

// Changes to levels, with their new absolute sizes.
struct LevelUpdate {
    Timestamp time;
    std::vector<LevelChange> changes;
};

// The four order-level messages. `quantity` is the quantity added, cancelled (modify keeps the
// order's place, as a partial cancel does), deleted or executed. Side and price repeat the
// order's, because a subscriber that missed the add checks them.
enum class OrderAction : std::uint8_t { Add, Modify, Delete, Execute };

struct OrderMessage {
    OrderAction action = OrderAction::Add;
    Timestamp time;
    OrderId id;
    Side side = Side::Buy;
    Price price;
    Quantity quantity;
};

// A trade against liquidity that no order message shows, such as a hidden order.
struct Trade {
    Timestamp time;
    Side aggressor = Side::Buy;
    Price price;
    Quantity quantity;
};

struct StatusChange {
    Timestamp time;
    TradingStatus status = TradingStatus::Trading;
};

struct RestingOrder {
    OrderId id;
    Side side = Side::Buy;
    Price price;
    Quantity quantity;
    friend bool operator==(const RestingOrder &, const RestingOrder &) = default;
};

// Every resting order of a book, bids then asks, each side best level first and in queue order.
struct OrderSnapshot {
    std::vector<RestingOrder> orders;
};

// The last sequence number the publisher sent on a stream, so that a subscriber notices a lost
// message even when nothing follows it.
struct Heartbeat {};

using Body = std::variant<InstrumentDefinition, BookSnapshot, LevelUpdate, OrderMessage, Trade,
                          StatusChange, OrderSnapshot, Heartbeat>;

// One message of a stream. Level updates, order messages, trades and status changes each take
// the next sequence number of their stream, from 1. Definitions, snapshots and heartbeats carry
// the number of the last message they include, and take none of their own.
struct Message {
    std::uint64_t sequence = 0;
    Body body;
};

// Whether a message takes a sequence number of its own.
bool isSequenced(const Body &body);
std::string_view typeName(const Body &body);

// The messages of one ZeroMQ message: its topic (the instrument's symbol) and the publisher's
// session, which changes when the publisher restarts and its sequence numbers start again.
struct Batch {
    std::string topic;
    std::uint64_t session = 0;
    std::vector<Message> messages;
};

// Why a payload was rejected: the message's index in the batch from 0 (none when the problem is
// in the payload as a whole, such as its header), the field and the problem, such as
// {3, "price", "must be positive"}.
struct DecodeError {
    std::optional<std::size_t> index;
    std::string field;
    std::string reason;

    std::string toString() const;
};

// Appends the binary payload of `batch` (its topic goes in a frame of its own) to `out`.
void encodeBinary(const Batch &batch, std::vector<std::uint8_t> &out);
// Returns the JSON payload: one object when the batch has one message, an array of objects
// otherwise.
std::string encodeJson(const Batch &batch);

// Decodes a payload in either encoding, which its first byte identifies. Every field of every
// message is checked before the batch is returned, so a rejected batch applies nothing.
// Returns the error otherwise; `batch` is then unspecified.
std::optional<DecodeError> decode(std::string_view topic, std::span<const std::uint8_t> payload,
                                  Batch &batch);

// Checks a topic: 1 to kMaxTopicBytes characters of A-Z, a-z, 0-9, '.', '_', '-'.
std::optional<std::string> checkTopic(std::string_view topic);

// The snapshot endpoint that goes with a feed endpoint when none is given: the next port for
// tcp://HOST:PORT, a wildcard port for tcp://HOST:*, and PATH.snapshot for ipc://PATH.
std::string defaultSnapshotEndpoint(const std::string &feedEndpoint);

// A snapshot request, sent to the publisher's snapshot endpoint: "BFS", the version, then the
// topic. The reply is one batch of the topic's definition and snapshot, in the feed's encoding,
// or a batch with no messages when the publisher has no such topic.
std::vector<std::uint8_t> encodeSnapshotRequest(std::string_view topic);
std::optional<std::string> decodeSnapshotRequest(std::span<const std::uint8_t> payload);

} // namespace bourse::net::feed

#pragma once

#include "types.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace bourse {

enum class OrderType : std::uint8_t { Limit = 0, Market = 1 };

// The reason an order or a cancel was rejected. Every rejection carries exactly one reason.
enum class RejectReason : std::uint8_t {
    UnknownOrder = 1,     // cancel or change of an order that is not in the book
    DuplicateOrderId = 2, // a new order reuses the id of a live order
    InvalidQuantity = 3,  // zero, negative or above kMaximumQuantity
    InvalidPrice = 4,     // a limit price that is zero, negative or above kMaximumPrice
    NoLiquidity = 5,      // a market order met an empty opposite side
    TradingHalted = 6,    // the instrument is halted
};

// The reason an order left the book without trading in full.
enum class CancelReason : std::uint8_t {
    Requested = 1,      // the owner cancelled it
    Unfilled = 2,       // the rest of a market order that found no more liquidity
    MarketData = 3,     // a replayed exchange message deleted it
    Resynchronized = 4, // a replay removed quantity that a book snapshot no longer shows
};

// The source of a resting order.
enum class OrderOrigin : std::uint8_t {
    OrderEntry = 0, // submitted through the engine and matched by it
    MarketData = 1, // added by a replayed exchange message
    Recovered = 2,  // quantity the replay took from a book snapshot, as no message describes it
};

enum class TradingStatus : std::uint8_t { Trading = 0, Halted = 1, QuoteOnly = 2 };

// An order passed validation and reaches the book. Trades and a possible OrderAdded follow.
struct OrderAccepted {
    OrderId id;
    Side side;
    OrderType type;
    Price limit; // meaningful for limit orders only
    Quantity quantity;
};

// Quantity now rests in the book at the back of its price level.
struct OrderAdded {
    OrderId id;
    Side side;
    Price price;
    Quantity quantity;
    OrderOrigin origin;
};

struct OrderRejected {
    OrderId id;
    RejectReason reason;
};

// The whole remaining quantity left the book.
struct OrderCancelled {
    OrderId id;
    Side side;
    Price price;
    Quantity quantity; // what was cancelled
    CancelReason reason;
};

// Part of a resting order was cancelled; the order keeps its place in the queue.
struct OrderReduced {
    OrderId id;
    Side side;
    Price price;
    Quantity reducedBy;
    Quantity remaining;
};

// A fill. The price is always the resting (maker) order's price. A maker id of zero marks a
// trade against liquidity the book does not show (a hidden order or an exchange cross).
struct Trade {
    OrderId maker;
    OrderId taker; // zero when the aggressor is unknown, as in replayed exchange data
    Side aggressor;
    Price price;
    Quantity quantity;
    Quantity makerRemaining;
};

struct TradingStatusChanged {
    TradingStatus status;
};

using EventPayload = std::variant<OrderAccepted, OrderAdded, OrderRejected, OrderCancelled,
                                  OrderReduced, Trade, TradingStatusChanged>;

// Stable numbers for the payload kinds, used by the journal and the wire. Never reuse one.
enum class EventType : std::uint8_t {
    OrderAccepted = 1,
    OrderAdded = 2,
    OrderRejected = 3,
    OrderCancelled = 4,
    OrderReduced = 5,
    Trade = 6,
    TradingStatusChanged = 7,
};

struct Event {
    SequenceNumber sequence = 0;
    Timestamp time;
    InstrumentId instrument;
    EventPayload payload;
};

EventType typeOf(const EventPayload &payload);
std::string_view nameOf(EventType type);
std::string_view nameOf(RejectReason reason);
std::string_view nameOf(CancelReason reason);

// Receives the engine's events on the engine thread, in sequence order. An implementation
// must not block: a slow consumer copies what it needs and catches up elsewhere.
class EventHandler {
public:
    virtual ~EventHandler() = default;
    virtual void onEvent(const Event &event) = 0;

    // Called after a batch of events, when the engine's owner is about to wait for more work.
    // A handler that buffers, such as the journal writer, commits here.
    virtual void onBatchEnd() {}

    // The reason this handler stopped doing its work, such as a journal that can no longer write;
    // empty while it works. The engine's owner reads it after each batch and reports it.
    virtual std::string failure() const { return {}; }
};

} // namespace bourse

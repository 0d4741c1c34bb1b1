#pragma once

#include "events.h"
#include "order_book.h"

#include <cstdint>
#include <vector>

namespace bourse {

struct NewOrder {
    OrderId id;
    Side side = Side::Buy;
    OrderType type = OrderType::Limit;
    Price limit; // ignored for market orders
    Quantity quantity;
};

// Outcome of applying one replayed exchange message to the book.
enum class ApplyResult : std::uint8_t {
    Applied = 0,
    UnknownOrder,     // the message names an order the book does not hold
    DuplicateOrderId, // an add reuses the id of a live order
    ExceedsRemaining, // a cancel or execution larger than what the order has left
    InvalidQuantity,  // zero, negative or above kMaximumQuantity
    InvalidPrice,     // zero, negative or above kMaximumPrice
};

std::string_view nameOf(ApplyResult result);

// Outcome of restoring one recorded event. On anything but Restored the engine is unchanged.
enum class RestoreResult : std::uint8_t {
    Restored = 0,
    OutOfSequence,    // the sequence number does not follow the last one restored
    WrongInstrument,  // the event belongs to another instrument's engine
    UnknownOrder,     // the event changes an order the book does not hold
    DuplicateOrderId, // the event adds an order whose id is live already
    QuantityMismatch, // the quantities in the event do not follow from the book
    InvalidPrice,     // an added order's price is outside what the engine accepts
};

std::string_view nameOf(RestoreResult result);

// The engine for one instrument: it validates and matches orders, applies replayed market
// data, numbers every resulting event and hands it to its handlers in order.
//
// Single writer: every call must come from the one thread that owns the engine. Handlers run
// synchronously on that thread.
class Engine {
public:
    explicit Engine(InstrumentId instrument = InstrumentId{1});

    // Handlers are called in the order they were added; the engine does not own them.
    void addHandler(EventHandler *handler);
    void removeHandler(EventHandler *handler);

    // Tells every handler that a batch of work ended; the owner calls it before it waits.
    void endBatch();

    // Order entry, matched with price-time priority. Each fill is priced at the maker's price.
    void submit(const NewOrder &order, Timestamp time);
    void cancel(OrderId id, Timestamp time);

    // Replayed exchange messages: the exchange already matched, so these change the book as
    // stated and never match. On anything but Applied the book is left unchanged and no event
    // is published.
    ApplyResult applyAdd(OrderId id, Side side, Price price, Quantity quantity, Timestamp time,
                         OrderOrigin origin = OrderOrigin::MarketData);
    ApplyResult applyReduce(OrderId id, Quantity quantity, Timestamp time);
    ApplyResult applyDelete(OrderId id, Timestamp time,
                            CancelReason reason = CancelReason::MarketData);
    ApplyResult applyExecution(OrderId id, Quantity quantity, Timestamp time);
    // A trade against liquidity the book does not show (hidden order, cross).
    void applyUnseenTrade(Side aggressor, Price price, Quantity quantity, Timestamp time);
    void applyStatus(TradingStatus status, Timestamp time);

    // Rebuilds state from a recorded event, for recovery from a journal. Events must come in
    // sequence order starting at lastSequence() + 1. An event that does not follow, or does
    // not fit the book, changes nothing and returns the reason. Nothing is published.
    RestoreResult restore(const Event &event);

    const OrderBook &book() const { return m_book; }
    InstrumentId instrument() const { return m_instrument; }
    TradingStatus status() const { return m_status; }
    SequenceNumber lastSequence() const { return m_sequence; }
    std::uint64_t tradeCount() const { return m_tradeCount; }

    // Hash of the book, the trading status and the last sequence number.
    std::uint64_t stateHash() const;

private:
    void publish(Timestamp time, EventPayload payload);
    void match(OrderId taker, Side side, OrderType type, Price limit, Quantity &remaining,
               Timestamp time);
    RestoreResult restoreBook(const EventPayload &payload);

    InstrumentId m_instrument;
    OrderBook m_book;
    std::vector<EventHandler *> m_handlers;
    SequenceNumber m_sequence = 0;
    TradingStatus m_status = TradingStatus::Trading;
    std::uint64_t m_tradeCount = 0;
};

} // namespace bourse

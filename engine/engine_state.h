#pragma once

// State and helpers shared by the files that implement Engine; not part of its interface.

#include "engine.h"

#include <algorithm>

namespace bourse {

// A stop order waiting outside the book. The priority is the sequence number of the event
// that parked it (OrderParked, or an OrderReplaced that lost priority): stops that one trade
// triggers enter in that order.
struct ParkedStop {
    Order *order;
    Price stopPrice;
    SequenceNumber priority;
    // Set while a trade has triggered it and it waits in the engine's queue to enter. It stays
    // parked until its StopTriggered, so that the state at each event is what restore builds.
    bool triggered = false;
};

// An order that joined the book while the instrument was not trading, with the sequence
// number of its OrderAdded: in the auction, the earlier of two matched orders is the maker.
struct CallEntry {
    OrderId id;
    SequenceNumber sequence;
};

namespace engine_detail {

// One instrument's definition, book, status and parked stop orders.
struct InstrumentState {
    explicit InstrumentState(const InstrumentDefinition &definitionOfInstrument)
        : definition(definitionOfInstrument)
        , status(definitionOfInstrument.initialStatus)
    {
    }

    InstrumentDefinition definition;
    OrderBook book;
    TradingStatus status;
    Price lastTradePrice; // zero until the first trade
    // Buy stops by ascending stop price and sell stops by descending stop price, each then by
    // priority, so that the stops a trade price reaches form a prefix.
    std::vector<ParkedStop> buyStops;
    std::vector<ParkedStop> sellStops;
    // Orders added since trading last stopped, in sequence order; cleared when trading starts.
    std::vector<CallEntry> callEntries;

    bool hasStops() const { return !buyStops.empty() || !sellStops.empty(); }

    // The price the band is centered on: the last trade or auction price, or the definition's
    // reference price before the first trade.
    Price referencePrice() const
    {
        return lastTradePrice.value() != 0 ? lastTradePrice : definition.referencePrice;
    }
};

// Instrument ids below this bound find their state through a table indexed by the id.
inline constexpr std::uint32_t kDirectInstrumentIds = 1 << 16;

} // namespace engine_detail

// The state of an instrument, or nullptr; id zero names the primary instrument. The primary
// instrument skips the table, whose dependent loads would follow the cache miss on a cancelled
// order.
inline Engine::InstrumentState *Engine::findInstrument(InstrumentId id)
{
    if (id == m_instrument || id.value() == 0) [[likely]]
        return m_primary;
    const std::uint32_t value = id.value();
    if (value < m_instrumentSlots.size()) [[likely]] {
        const std::uint32_t slot = m_instrumentSlots[value];
        return slot != 0 ? m_instrumentStates[slot - 1].get() : nullptr;
    }
    if (value < engine_detail::kDirectInstrumentIds)
        return nullptr;
    for (const auto &state : m_instrumentStates) {
        if (state->definition.id == id)
            return state.get();
    }
    return nullptr;
}

inline const Engine::InstrumentState *Engine::findInstrument(InstrumentId id) const
{
    return const_cast<Engine *>(this)->findInstrument(id);
}

// Forgets an order that left, and its memory returns to the store. Its client order id stays
// recorded. The order must not be linked into a book or parked.
inline void Engine::destroyOrder(Order *order)
{
    if (!m_postOnlyOrders.empty())
        m_postOnlyOrders.erase(0, order->id.value());
    m_orders.destroy(order);
}

// Takes quantity, at most what it shows, off a resting order. An iceberg that shows nothing
// afterwards but has a reserve leaves the book until refill() shows its next slice. Any other
// order that shows nothing is destroyed. The caller publishes the event that took it.
inline Engine::Taken Engine::takeShown(InstrumentState &instrument, Order &order, Quantity quantity)
{
    if (quantity < order.remaining) {
        instrument.book.reduce(&order, quantity);
        return Taken::Reduced;
    }
    instrument.book.remove(&order);
    if (order.reserve() > Quantity{0}) {
        order.remaining = Quantity{0};
        return Taken::Emptied;
    }
    destroyOrder(&order);
    return Taken::Removed;
}

template <typename Payload>
void Engine::publish(InstrumentId instrument, Timestamp time, const Payload &payload)
{
    deliver(Event{++m_sequence, time, instrument, payload});
}

// A payload assembled field by field in a local variable and then copied into the event is
// read back with 16-byte loads, which the processor cannot forward from the narrower stores
// still pending: each load waits until those stores reach the cache. Building the payload where
// the event holds it avoids the copy and the stall, which took about half of submit()'s
// samples in a profile of the steady benchmark stream. The paths every order takes publish
// this way.
template <typename Payload, typename... Fields>
void Engine::publishNew(InstrumentId instrument, Timestamp time, Fields... fields)
{
    deliver(Event{++m_sequence, time, instrument,
                  EventPayload{std::in_place_type<Payload>, fields...}});
}

template <typename Payload, typename Fill>
void Engine::publishFilled(InstrumentId instrument, Timestamp time, Fill fill)
{
    Event event{++m_sequence, time, instrument, EventPayload{std::in_place_type<Payload>}};
    fill(*std::get_if<Payload>(&event.payload));
    deliver(event);
}

// Always inlined, because a call would cost more than the check and the short loop inside.
[[gnu::always_inline]] inline void Engine::deliver(const Event &event)
{
    if (m_openAccounts != 0) [[unlikely]]
        m_risk.apply(event);
    if (m_onlyHandler) [[likely]] {
        m_onlyHandler->onEvent(event);
        return;
    }
    for (EventHandler *handler : m_handlers)
        handler->onEvent(event);
}

// Defined here so that it inlines into the commands: with more callers, link-time optimization
// stopped inlining it into submit(), which cost every order a call.
inline void Engine::endCommand()
{
    if (m_openAccounts != 0) [[unlikely]]
        publishRiskAlerts();
    if (m_onlyHandler) [[likely]] {
        m_onlyHandler->onCommandEnd();
        return;
    }
    for (EventHandler *handler : m_handlers)
        handler->onCommandEnd();
}

namespace engine_detail {

bool isValidDefinition(const InstrumentDefinition &definition);

// A new order as its OrderAccepted states it: fields that do not apply to the type are zero,
// and a display size that shows the whole quantity is no iceberg.
OrderAccepted acceptedFrom(const NewOrder &order, OrderId id);

// Whether a resting price is within an incoming order's bound: at or below it for a buy, at
// or above it for a sell.
inline bool crosses(Side takerSide, Price bound, Price resting)
{
    return takerSide == Side::Buy ? resting <= bound : resting >= bound;
}

inline bool isStop(OrderType type)
{
    return type == OrderType::Stop || type == OrderType::StopLimit;
}

// Whether a trade at this price reaches the stop price: at or above it for a buy stop, at or
// below it for a sell stop.
inline bool reachesStop(Side side, Price stopPrice, Price tradePrice)
{
    return side == Side::Buy ? tradePrice >= stopPrice : tradePrice <= stopPrice;
}

// The whole quantity an order has left: the shown part and an iceberg's hidden reserve.
inline Quantity totalOf(const Order &order)
{
    return order.remaining + order.reserve();
}

// The first part of an iceberg to show: its display size, or everything when less is left.
inline Quantity firstSlice(Quantity display, Quantity total)
{
    return display > Quantity{0} && display < total ? display : total;
}

} // namespace engine_detail

} // namespace bourse

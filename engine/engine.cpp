#include "engine.h"

#include <algorithm>

namespace bourse {

namespace {

bool crosses(Side takerSide, Price limit, Price resting)
{
    return takerSide == Side::Buy ? resting <= limit : resting >= limit;
}

// Whether taking `quantity` off a resting order leaves exactly `remaining`, as a recorded
// event states.
bool takes(const Order *order, Quantity quantity, Quantity remaining)
{
    return quantity > Quantity{0} && remaining >= Quantity{0} &&
           order->remaining - quantity == remaining;
}

} // namespace

std::string_view nameOf(ApplyResult result)
{
    switch (result) {
    case ApplyResult::Applied:
        return "applied";
    case ApplyResult::UnknownOrder:
        return "unknown order";
    case ApplyResult::DuplicateOrderId:
        return "duplicate order id";
    case ApplyResult::ExceedsRemaining:
        return "size exceeds the order's remaining quantity";
    case ApplyResult::InvalidQuantity:
        return "invalid quantity";
    case ApplyResult::InvalidPrice:
        return "invalid price";
    }
    return "unknown result";
}

std::string_view nameOf(RestoreResult result)
{
    switch (result) {
    case RestoreResult::Restored:
        return "restored";
    case RestoreResult::OutOfSequence:
        return "sequence number does not follow the last one restored";
    case RestoreResult::WrongInstrument:
        return "event of another instrument";
    case RestoreResult::UnknownOrder:
        return "order not found in the rebuilt book";
    case RestoreResult::DuplicateOrderId:
        return "order id already live in the rebuilt book";
    case RestoreResult::QuantityMismatch:
        return "quantities do not follow from the rebuilt book";
    case RestoreResult::InvalidPrice:
        return "price out of range";
    }
    return "unknown result";
}

Engine::Engine(InstrumentId instrument)
    : m_instrument(instrument)
{
}

void Engine::addHandler(EventHandler *handler)
{
    m_handlers.push_back(handler);
}

void Engine::removeHandler(EventHandler *handler)
{
    m_handlers.erase(std::remove(m_handlers.begin(), m_handlers.end(), handler), m_handlers.end());
}

void Engine::publish(Timestamp time, EventPayload payload)
{
    const Event event{++m_sequence, time, m_instrument, std::move(payload)};
    for (EventHandler *handler : m_handlers)
        handler->onEvent(event);
}

void Engine::endBatch()
{
    for (EventHandler *handler : m_handlers)
        handler->onBatchEnd();
}

void Engine::submit(const NewOrder &order, Timestamp time)
{
    std::optional<RejectReason> reason;
    if (m_status != TradingStatus::Trading)
        reason = RejectReason::TradingHalted;
    else if (order.quantity <= Quantity{0} || order.quantity > kMaximumQuantity)
        reason = RejectReason::InvalidQuantity;
    else if (order.type == OrderType::Limit &&
             (order.limit <= Price{0} || order.limit > kMaximumPrice))
        reason = RejectReason::InvalidPrice;
    else if (m_book.find(order.id))
        reason = RejectReason::DuplicateOrderId;
    else if (order.type == OrderType::Market && !m_book.bestOrder(opposite(order.side)))
        reason = RejectReason::NoLiquidity;
    if (reason) {
        publish(time, OrderRejected{order.id, *reason});
        return;
    }

    publish(time, OrderAccepted{order.id, order.side, order.type, order.limit, order.quantity});

    Quantity remaining = order.quantity;
    match(order.id, order.side, order.type, order.limit, remaining, time);
    if (remaining <= Quantity{0})
        return;

    if (order.type == OrderType::Market) {
        publish(time,
                OrderCancelled{order.id, order.side, Price{0}, remaining, CancelReason::Unfilled});
        return;
    }
    m_book.insert(order.id, order.side, order.limit, remaining);
    publish(time,
            OrderAdded{order.id, order.side, order.limit, remaining, OrderOrigin::OrderEntry});
}

// Fills against the best opposite orders, front of the queue first, until the taker is done
// or the next level no longer crosses its limit. Each fill takes the maker's price.
void Engine::match(OrderId taker, Side side, OrderType type, Price limit, Quantity &remaining,
                   Timestamp time)
{
    const Side makerSide = opposite(side);
    while (remaining > Quantity{0}) {
        Order *maker = m_book.bestOrder(makerSide);
        if (!maker)
            return;
        if (type == OrderType::Limit && !crosses(side, limit, maker->price))
            return;

        const Quantity fill = min(remaining, maker->remaining);
        const OrderId makerId = maker->id;
        const Price price = maker->price;
        const Quantity makerRemaining = maker->remaining - fill;
        m_book.reduce(maker, fill);
        remaining -= fill;
        ++m_tradeCount;
        publish(time, Trade{makerId, taker, side, price, fill, makerRemaining});
    }
}

void Engine::cancel(OrderId id, Timestamp time)
{
    Order *order = m_book.find(id);
    if (!order) {
        publish(time, OrderRejected{id, RejectReason::UnknownOrder});
        return;
    }
    const OrderCancelled cancelled{id, order->side, order->price, order->remaining,
                                   CancelReason::Requested};
    m_book.remove(order);
    publish(time, cancelled);
}

ApplyResult Engine::applyAdd(OrderId id, Side side, Price price, Quantity quantity, Timestamp time,
                             OrderOrigin origin)
{
    if (quantity <= Quantity{0} || quantity > kMaximumQuantity)
        return ApplyResult::InvalidQuantity;
    if (price <= Price{0} || price > kMaximumPrice)
        return ApplyResult::InvalidPrice;
    if (!m_book.insert(id, side, price, quantity))
        return ApplyResult::DuplicateOrderId;
    publish(time, OrderAdded{id, side, price, quantity, origin});
    return ApplyResult::Applied;
}

ApplyResult Engine::applyReduce(OrderId id, Quantity quantity, Timestamp time)
{
    Order *order = m_book.find(id);
    if (!order)
        return ApplyResult::UnknownOrder;
    if (quantity <= Quantity{0})
        return ApplyResult::InvalidQuantity;
    if (quantity > order->remaining)
        return ApplyResult::ExceedsRemaining;

    const OrderReduced reduced{id, order->side, order->price, quantity,
                               order->remaining - quantity};
    m_book.reduce(order, quantity);
    publish(time, reduced);
    return ApplyResult::Applied;
}

ApplyResult Engine::applyDelete(OrderId id, Timestamp time, CancelReason reason)
{
    Order *order = m_book.find(id);
    if (!order)
        return ApplyResult::UnknownOrder;
    const OrderCancelled cancelled{id, order->side, order->price, order->remaining, reason};
    m_book.remove(order);
    publish(time, cancelled);
    return ApplyResult::Applied;
}

ApplyResult Engine::applyExecution(OrderId id, Quantity quantity, Timestamp time)
{
    Order *order = m_book.find(id);
    if (!order)
        return ApplyResult::UnknownOrder;
    if (quantity <= Quantity{0})
        return ApplyResult::InvalidQuantity;
    if (quantity > order->remaining)
        return ApplyResult::ExceedsRemaining;

    const Trade trade{id,           OrderId{0}, opposite(order->side),
                      order->price, quantity,   order->remaining - quantity};
    m_book.reduce(order, quantity);
    ++m_tradeCount;
    publish(time, trade);
    return ApplyResult::Applied;
}

void Engine::applyUnseenTrade(Side aggressor, Price price, Quantity quantity, Timestamp time)
{
    ++m_tradeCount;
    publish(time, Trade{OrderId{0}, OrderId{0}, aggressor, price, quantity, Quantity{0}});
}

void Engine::applyStatus(TradingStatus status, Timestamp time)
{
    m_status = status;
    publish(time, TradingStatusChanged{status});
}

RestoreResult Engine::restore(const Event &event)
{
    if (event.sequence != m_sequence + 1)
        return RestoreResult::OutOfSequence;
    if (event.instrument != m_instrument)
        return RestoreResult::WrongInstrument;
    const RestoreResult result = restoreBook(event.payload);
    if (result == RestoreResult::Restored)
        m_sequence = event.sequence;
    return result;
}

// Applies a recorded fact to the book after checking that it fits, so that a journal that
// does not describe this book is rejected before anything changes.
RestoreResult Engine::restoreBook(const EventPayload &payload)
{
    if (const auto *added = std::get_if<OrderAdded>(&payload)) {
        if (added->quantity <= Quantity{0} || added->quantity > kMaximumQuantity)
            return RestoreResult::QuantityMismatch;
        if (added->price <= Price{0} || added->price > kMaximumPrice)
            return RestoreResult::InvalidPrice;
        if (!m_book.insert(added->id, added->side, added->price, added->quantity))
            return RestoreResult::DuplicateOrderId;
        return RestoreResult::Restored;
    }
    if (const auto *cancelled = std::get_if<OrderCancelled>(&payload)) {
        if (cancelled->reason == CancelReason::Unfilled)
            return RestoreResult::Restored; // the rest of a market order never rested
        Order *order = m_book.find(cancelled->id);
        if (!order)
            return RestoreResult::UnknownOrder;
        if (order->remaining != cancelled->quantity)
            return RestoreResult::QuantityMismatch;
        m_book.remove(order);
        return RestoreResult::Restored;
    }
    if (const auto *reduced = std::get_if<OrderReduced>(&payload)) {
        Order *order = m_book.find(reduced->id);
        if (!order)
            return RestoreResult::UnknownOrder;
        if (!takes(order, reduced->reducedBy, reduced->remaining))
            return RestoreResult::QuantityMismatch;
        m_book.reduce(order, reduced->reducedBy);
        return RestoreResult::Restored;
    }
    if (const auto *trade = std::get_if<Trade>(&payload)) {
        if (trade->maker != OrderId{0}) {
            Order *order = m_book.find(trade->maker);
            if (!order)
                return RestoreResult::UnknownOrder;
            if (!takes(order, trade->quantity, trade->makerRemaining))
                return RestoreResult::QuantityMismatch;
            m_book.reduce(order, trade->quantity);
        }
        ++m_tradeCount;
        return RestoreResult::Restored;
    }
    if (const auto *status = std::get_if<TradingStatusChanged>(&payload))
        m_status = status->status;
    return RestoreResult::Restored;
}

std::uint64_t Engine::stateHash() const
{
    std::uint64_t hash = m_book.stateHash();
    const std::uint64_t extra[] = {static_cast<std::uint64_t>(m_status), m_sequence};
    for (std::uint64_t word : extra) {
        hash ^= word + 0x9e3779b97f4a7c15ULL + (hash << 6) + (hash >> 2);
    }
    return hash;
}

} // namespace bourse

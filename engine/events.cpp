#include "events.h"

namespace bourse {

namespace {

template <typename T>
constexpr EventType typeFor();
template <>
constexpr EventType typeFor<OrderAccepted>()
{
    return EventType::OrderAccepted;
}
template <>
constexpr EventType typeFor<OrderAdded>()
{
    return EventType::OrderAdded;
}
template <>
constexpr EventType typeFor<OrderRejected>()
{
    return EventType::OrderRejected;
}
template <>
constexpr EventType typeFor<OrderCancelled>()
{
    return EventType::OrderCancelled;
}
template <>
constexpr EventType typeFor<OrderReduced>()
{
    return EventType::OrderReduced;
}
template <>
constexpr EventType typeFor<Trade>()
{
    return EventType::Trade;
}
template <>
constexpr EventType typeFor<TradingStatusChanged>()
{
    return EventType::TradingStatusChanged;
}

} // namespace

EventType typeOf(const EventPayload &payload)
{
    return std::visit([](const auto &event) { return typeFor<std::decay_t<decltype(event)>>(); },
                      payload);
}

std::string_view nameOf(EventType type)
{
    switch (type) {
    case EventType::OrderAccepted:
        return "OrderAccepted";
    case EventType::OrderAdded:
        return "OrderAdded";
    case EventType::OrderRejected:
        return "OrderRejected";
    case EventType::OrderCancelled:
        return "OrderCancelled";
    case EventType::OrderReduced:
        return "OrderReduced";
    case EventType::Trade:
        return "Trade";
    case EventType::TradingStatusChanged:
        return "TradingStatusChanged";
    }
    return "unknown event type";
}

std::string_view nameOf(RejectReason reason)
{
    switch (reason) {
    case RejectReason::UnknownOrder:
        return "unknown order";
    case RejectReason::DuplicateOrderId:
        return "duplicate order id";
    case RejectReason::InvalidQuantity:
        return "invalid quantity";
    case RejectReason::InvalidPrice:
        return "invalid price";
    case RejectReason::NoLiquidity:
        return "no liquidity";
    case RejectReason::TradingHalted:
        return "trading halted";
    }
    return "unknown reason";
}

std::string_view nameOf(CancelReason reason)
{
    switch (reason) {
    case CancelReason::Requested:
        return "requested";
    case CancelReason::Unfilled:
        return "unfilled";
    case CancelReason::MarketData:
        return "market data";
    case CancelReason::Resynchronized:
        return "resynchronized";
    }
    return "unknown reason";
}

} // namespace bourse

#include "events.h"

#include <type_traits>

namespace bourse {

namespace {

template <typename T>
constexpr EventType typeFor()
{
    if constexpr (std::is_same_v<T, OrderAccepted>)
        return EventType::OrderAccepted;
    else if constexpr (std::is_same_v<T, OrderAdded>)
        return EventType::OrderAdded;
    else if constexpr (std::is_same_v<T, OrderRejected>)
        return EventType::OrderRejected;
    else if constexpr (std::is_same_v<T, OrderCancelled>)
        return EventType::OrderCancelled;
    else if constexpr (std::is_same_v<T, OrderReduced>)
        return EventType::OrderReduced;
    else if constexpr (std::is_same_v<T, Trade>)
        return EventType::Trade;
    else if constexpr (std::is_same_v<T, TradingStatusChanged>)
        return EventType::TradingStatusChanged;
    else if constexpr (std::is_same_v<T, InstrumentAdded>)
        return EventType::InstrumentAdded;
    else if constexpr (std::is_same_v<T, AccountConfigured>)
        return EventType::AccountConfigured;
    else if constexpr (std::is_same_v<T, OrderReplaced>)
        return EventType::OrderReplaced;
    else if constexpr (std::is_same_v<T, OrderParked>)
        return EventType::OrderParked;
    else if constexpr (std::is_same_v<T, StopTriggered>)
        return EventType::StopTriggered;
    else if constexpr (std::is_same_v<T, OrderRefilled>)
        return EventType::OrderRefilled;
    else if constexpr (std::is_same_v<T, AuctionUncrossed>)
        return EventType::AuctionUncrossed;
    else if constexpr (std::is_same_v<T, TopOfBook>)
        return EventType::TopOfBook;
    else if constexpr (std::is_same_v<T, DepthLevel>)
        return EventType::DepthLevel;
    else if constexpr (std::is_same_v<T, AccountOpened>)
        return EventType::AccountOpened;
    else if constexpr (std::is_same_v<T, FillPosted>)
        return EventType::FillPosted;
    else if constexpr (std::is_same_v<T, RiskLimitsSet>)
        return EventType::RiskLimitsSet;
    else if constexpr (std::is_same_v<T, KillSwitchChanged>)
        return EventType::KillSwitchChanged;
    else if constexpr (std::is_same_v<T, RiskRejected>)
        return EventType::RiskRejected;
    else {
        static_assert(std::is_same_v<T, RiskAlert>, "every payload needs an event type");
        return EventType::RiskAlert;
    }
}

} // namespace

EventType typeOf(const EventPayload &payload)
{
    return std::visit([](const auto &event) { return typeFor<std::decay_t<decltype(event)>>(); },
                      payload);
}

bool isStateChange(EventType type)
{
    return type != EventType::TopOfBook && type != EventType::DepthLevel;
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
    case EventType::InstrumentAdded:
        return "InstrumentAdded";
    case EventType::AccountConfigured:
        return "AccountConfigured";
    case EventType::OrderReplaced:
        return "OrderReplaced";
    case EventType::OrderParked:
        return "OrderParked";
    case EventType::StopTriggered:
        return "StopTriggered";
    case EventType::OrderRefilled:
        return "OrderRefilled";
    case EventType::AuctionUncrossed:
        return "AuctionUncrossed";
    case EventType::TopOfBook:
        return "TopOfBook";
    case EventType::DepthLevel:
        return "DepthLevel";
    case EventType::AccountOpened:
        return "AccountOpened";
    case EventType::FillPosted:
        return "FillPosted";
    case EventType::RiskLimitsSet:
        return "RiskLimitsSet";
    case EventType::KillSwitchChanged:
        return "KillSwitchChanged";
    case EventType::RiskRejected:
        return "RiskRejected";
    case EventType::RiskAlert:
        return "RiskAlert";
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
    case RejectReason::UnknownInstrument:
        return "unknown instrument";
    case RejectReason::PriceNotOnTick:
        return "price not a multiple of the tick size";
    case RejectReason::QuantityNotOnLot:
        return "quantity not a multiple of the lot size";
    case RejectReason::OutsidePriceBand:
        return "price outside the price band";
    case RejectReason::BelowMinimumQuantity:
        return "quantity below the minimum";
    case RejectReason::AboveMaximumQuantity:
        return "quantity above the maximum";
    case RejectReason::DuplicateClientOrderId:
        return "duplicate client order id";
    case RejectReason::InstrumentClosed:
        return "instrument closed";
    case RejectReason::WouldTakeLiquidity:
        return "post-only order would take liquidity";
    case RejectReason::InvalidDisplayQuantity:
        return "invalid display quantity";
    case RejectReason::InvalidExpiry:
        return "invalid expiry";
    case RejectReason::InvalidTimeInForce:
        return "invalid time in force";
    case RejectReason::NotAllowedInAuction:
        return "order type not allowed in an auction";
    case RejectReason::InvalidStopPrice:
        return "invalid stop price";
    case RejectReason::DuplicateInstrument:
        return "duplicate instrument";
    case RejectReason::InvalidInstrument:
        return "invalid instrument definition";
    case RejectReason::InvalidStatusChange:
        return "invalid trading status change";
    case RejectReason::DuplicateAccount:
        return "duplicate account";
    case RejectReason::InvalidAccount:
        return "invalid account";
    case RejectReason::RiskLimit:
        return "risk limit";
    case RejectReason::KillSwitchEngaged:
        return "kill switch engaged";
    case RejectReason::InvalidRiskLimits:
        return "invalid risk limits";
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
    case CancelReason::FillOrKill:
        return "fill or kill";
    case CancelReason::SelfTrade:
        return "self-trade prevention";
    case CancelReason::Expired:
        return "expired";
    case CancelReason::MassCancel:
        return "mass cancel";
    case CancelReason::ProtectionLimit:
        return "protection limit";
    case CancelReason::KillSwitch:
        return "kill switch";
    }
    return "unknown reason";
}

std::string_view nameOf(OrderType type)
{
    switch (type) {
    case OrderType::Limit:
        return "limit";
    case OrderType::Market:
        return "market";
    case OrderType::Stop:
        return "stop";
    case OrderType::StopLimit:
        return "stop-limit";
    }
    return "unknown order type";
}

std::string_view nameOf(TimeInForce timeInForce)
{
    switch (timeInForce) {
    case TimeInForce::Gtc:
        return "GTC";
    case TimeInForce::Day:
        return "DAY";
    case TimeInForce::Gtd:
        return "GTD";
    case TimeInForce::Ioc:
        return "IOC";
    case TimeInForce::Fok:
        return "FOK";
    }
    return "unknown time in force";
}

std::string_view nameOf(SelfTradePrevention mode)
{
    switch (mode) {
    case SelfTradePrevention::AccountDefault:
        return "account default";
    case SelfTradePrevention::CancelNewest:
        return "cancel newest";
    case SelfTradePrevention::CancelOldest:
        return "cancel oldest";
    case SelfTradePrevention::CancelBoth:
        return "cancel both";
    case SelfTradePrevention::DecrementAndCancel:
        return "decrement and cancel";
    }
    return "unknown self-trade prevention";
}

std::string_view nameOf(TradingStatus status)
{
    switch (status) {
    case TradingStatus::Trading:
        return "trading";
    case TradingStatus::Halted:
        return "halted";
    case TradingStatus::QuoteOnly:
        return "quote only";
    case TradingStatus::PreOpen:
        return "pre-open";
    case TradingStatus::Closed:
        return "closed";
    }
    return "unknown trading status";
}

std::string_view nameOf(QueuePriority priority)
{
    switch (priority) {
    case QueuePriority::Kept:
        return "kept";
    case QueuePriority::Lost:
        return "lost";
    }
    return "unknown queue priority";
}

std::string_view nameOf(LiquidityRole role)
{
    return role == LiquidityRole::Maker ? "maker" : "taker";
}

} // namespace bourse

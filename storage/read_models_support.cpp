#include "read_models_support.h"

namespace bourse::storage::views {

namespace {

// Finds the value of a contiguous enum, from 0 to `last`, whose name is `name`.
template <typename Enum>
std::optional<Enum> parseName(std::string_view name, Enum last)
{
    for (int value = 0; value <= static_cast<int>(last); ++value) {
        const auto candidate = static_cast<Enum>(value);
        if (name == enumeratorName(candidate)) {
            return candidate;
        }
    }
    return std::nullopt;
}

} // namespace

// The switches have no default, so that -Wswitch names an enumerator added to the engine
// without a name here.

std::string_view enumeratorName(Side side)
{
    switch (side) {
    case Side::Buy:
        return "Buy";
    case Side::Sell:
        return "Sell";
    }
    return "";
}

std::string_view enumeratorName(OrderType type)
{
    switch (type) {
    case OrderType::Limit:
        return "Limit";
    case OrderType::Market:
        return "Market";
    case OrderType::Stop:
        return "Stop";
    case OrderType::StopLimit:
        return "StopLimit";
    }
    return "";
}

std::string_view enumeratorName(TimeInForce timeInForce)
{
    switch (timeInForce) {
    case TimeInForce::Gtc:
        return "Gtc";
    case TimeInForce::Day:
        return "Day";
    case TimeInForce::Gtd:
        return "Gtd";
    case TimeInForce::Ioc:
        return "Ioc";
    case TimeInForce::Fok:
        return "Fok";
    }
    return "";
}

std::string_view enumeratorName(TradingStatus status)
{
    switch (status) {
    case TradingStatus::Trading:
        return "Trading";
    case TradingStatus::Halted:
        return "Halted";
    case TradingStatus::QuoteOnly:
        return "QuoteOnly";
    case TradingStatus::PreOpen:
        return "PreOpen";
    case TradingStatus::Closed:
        return "Closed";
    }
    return "";
}

std::string_view enumeratorName(CancelReason reason)
{
    switch (reason) {
    case CancelReason::Requested:
        return "Requested";
    case CancelReason::Unfilled:
        return "Unfilled";
    case CancelReason::MarketData:
        return "MarketData";
    case CancelReason::Resynchronized:
        return "Resynchronized";
    case CancelReason::FillOrKill:
        return "FillOrKill";
    case CancelReason::SelfTrade:
        return "SelfTrade";
    case CancelReason::Expired:
        return "Expired";
    case CancelReason::MassCancel:
        return "MassCancel";
    case CancelReason::ProtectionLimit:
        return "ProtectionLimit";
    case CancelReason::KillSwitch:
        return "KillSwitch";
    }
    return "";
}

std::string_view enumeratorName(RejectReason reason)
{
    switch (reason) {
    case RejectReason::UnknownOrder:
        return "UnknownOrder";
    case RejectReason::DuplicateOrderId:
        return "DuplicateOrderId";
    case RejectReason::InvalidQuantity:
        return "InvalidQuantity";
    case RejectReason::InvalidPrice:
        return "InvalidPrice";
    case RejectReason::NoLiquidity:
        return "NoLiquidity";
    case RejectReason::TradingHalted:
        return "TradingHalted";
    case RejectReason::UnknownInstrument:
        return "UnknownInstrument";
    case RejectReason::PriceNotOnTick:
        return "PriceNotOnTick";
    case RejectReason::QuantityNotOnLot:
        return "QuantityNotOnLot";
    case RejectReason::OutsidePriceBand:
        return "OutsidePriceBand";
    case RejectReason::BelowMinimumQuantity:
        return "BelowMinimumQuantity";
    case RejectReason::AboveMaximumQuantity:
        return "AboveMaximumQuantity";
    case RejectReason::DuplicateClientOrderId:
        return "DuplicateClientOrderId";
    case RejectReason::InstrumentClosed:
        return "InstrumentClosed";
    case RejectReason::WouldTakeLiquidity:
        return "WouldTakeLiquidity";
    case RejectReason::InvalidDisplayQuantity:
        return "InvalidDisplayQuantity";
    case RejectReason::InvalidExpiry:
        return "InvalidExpiry";
    case RejectReason::InvalidTimeInForce:
        return "InvalidTimeInForce";
    case RejectReason::NotAllowedInAuction:
        return "NotAllowedInAuction";
    case RejectReason::InvalidStopPrice:
        return "InvalidStopPrice";
    case RejectReason::DuplicateInstrument:
        return "DuplicateInstrument";
    case RejectReason::InvalidInstrument:
        return "InvalidInstrument";
    case RejectReason::InvalidStatusChange:
        return "InvalidStatusChange";
    case RejectReason::DuplicateAccount:
        return "DuplicateAccount";
    case RejectReason::InvalidAccount:
        return "InvalidAccount";
    case RejectReason::RiskLimit:
        return "RiskLimit";
    case RejectReason::KillSwitchEngaged:
        return "KillSwitchEngaged";
    case RejectReason::InvalidRiskLimits:
        return "InvalidRiskLimits";
    }
    return "";
}

std::string_view enumeratorName(AccountType type)
{
    switch (type) {
    case AccountType::Cash:
        return "Cash";
    case AccountType::Margin:
        return "Margin";
    }
    return "";
}

std::string_view enumeratorName(KillSwitchScope scope)
{
    switch (scope) {
    case KillSwitchScope::None:
        return "None";
    case KillSwitchScope::Pause:
        return "Pause";
    case KillSwitchScope::CancelAll:
        return "CancelAll";
    case KillSwitchScope::Flatten:
        return "Flatten";
    }
    return "";
}

std::string_view enumeratorName(RiskRule rule)
{
    switch (rule) {
    case RiskRule::None:
        return "None";
    case RiskRule::KillSwitch:
        return "KillSwitch";
    case RiskRule::UnknownAccount:
        return "UnknownAccount";
    case RiskRule::UnknownInstrument:
        return "UnknownInstrument";
    case RiskRule::InvalidOrder:
        return "InvalidOrder";
    case RiskRule::MissingPrice:
        return "MissingPrice";
    case RiskRule::OrderQuantity:
        return "OrderQuantity";
    case RiskRule::PriceBand:
        return "PriceBand";
    case RiskRule::OrderNotional:
        return "OrderNotional";
    case RiskRule::PositionLong:
        return "PositionLong";
    case RiskRule::PositionShort:
        return "PositionShort";
    case RiskRule::OpenOrders:
        return "OpenOrders";
    case RiskRule::OrderRate:
        return "OrderRate";
    case RiskRule::DailyLoss:
        return "DailyLoss";
    case RiskRule::BuyingPower:
        return "BuyingPower";
    case RiskRule::OutOfRange:
        return "OutOfRange";
    }
    return "";
}

std::string_view enumeratorName(LimitScope scope)
{
    switch (scope) {
    case LimitScope::None:
        return "None";
    case LimitScope::AccountDefault:
        return "AccountDefault";
    case LimitScope::InstrumentOverride:
        return "InstrumentOverride";
    case LimitScope::CashBalance:
        return "CashBalance";
    case LimitScope::Global:
        return "Global";
    }
    return "";
}

std::string_view enumeratorName(RiskUnit unit)
{
    switch (unit) {
    case RiskUnit::None:
        return "None";
    case RiskUnit::Quantity:
        return "Quantity";
    case RiskUnit::Money:
        return "Money";
    case RiskUnit::Price:
        return "Price";
    case RiskUnit::Count:
        return "Count";
    }
    return "";
}

std::string_view enumeratorName(RiskAlertLevel level)
{
    switch (level) {
    case RiskAlertLevel::Normal:
        return "Normal";
    case RiskAlertLevel::Warning:
        return "Warning";
    case RiskAlertLevel::Breach:
        return "Breach";
    }
    return "";
}

std::string_view stateName(OrderState state)
{
    switch (state) {
    case OrderState::Working:
        return "working";
    case OrderState::Parked:
        return "parked";
    case OrderState::Filled:
        return "filled";
    case OrderState::Cancelled:
        return "cancelled";
    case OrderState::Rejected:
        return "rejected";
    }
    return "";
}

std::optional<Side> parseSide(std::string_view name)
{
    return parseName(name, Side::Sell);
}

std::optional<OrderType> parseOrderType(std::string_view name)
{
    return parseName(name, OrderType::StopLimit);
}

std::optional<TimeInForce> parseTimeInForce(std::string_view name)
{
    return parseName(name, TimeInForce::Fok);
}

std::optional<TradingStatus> parseTradingStatus(std::string_view name)
{
    return parseName(name, TradingStatus::Closed);
}

std::optional<OrderState> parseOrderState(std::string_view name)
{
    for (const OrderState state : {OrderState::Working, OrderState::Parked, OrderState::Filled,
                                   OrderState::Cancelled, OrderState::Rejected}) {
        if (name == stateName(state)) {
            return state;
        }
    }
    return std::nullopt;
}

std::optional<AccountType> parseAccountType(std::string_view name)
{
    return parseName(name, AccountType::Margin);
}

std::optional<KillSwitchScope> parseKillSwitchScope(std::string_view name)
{
    return parseName(name, KillSwitchScope::Flatten);
}

std::optional<RiskRule> parseRiskRule(std::string_view name)
{
    return parseName(name, RiskRule::OutOfRange);
}

std::optional<LimitScope> parseLimitScope(std::string_view name)
{
    return parseName(name, LimitScope::Global);
}

std::optional<RiskUnit> parseRiskUnit(std::string_view name)
{
    return parseName(name, RiskUnit::Count);
}

std::optional<RiskAlertLevel> parseRiskAlertLevel(std::string_view name)
{
    return parseName(name, RiskAlertLevel::Breach);
}

Problem damagedRow(const std::string &row, const std::string &what)
{
    return Problem{ReadModelErrorKind::ViewsDamaged,
                   "damaged views file: " + row + ": " + what +
                       "; delete the file to rebuild it from the journal"};
}

} // namespace bourse::storage::views

#pragma once

// The encoded layout of every payload kind, for each codec version: which fields, in which
// order, from which version on. The codecs include this header: event_codec.cpp, the
// fixed-width records of event_record.cpp, the packed records of the network protocol, and the
// snapshot loader, which checks enum values with introducedIn().
//
// Changing an entry changes the format. A new field goes at the end of its table with the new
// codec version as its `since`, so that the layout of every older version stays a prefix of the
// current one. A new payload kind or enum value records the version that introduced it.

#include "events.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>

namespace bourse::codec {

// Version 1: the seven payload kinds of the first journals, without accounts or order entry
// attributes.
inline constexpr std::uint8_t version1 = 1;
// Version 2: accounts, client order ids and order entry attributes on OrderAccepted,
// OrderRejected and Trade. New payload kinds for instruments, replaces, stop orders, icebergs,
// auctions and derived market data.
inline constexpr std::uint8_t version2 = 2;
// Version 3: portfolio accounts (AccountOpened) and the fills posted to them (FillPosted), and
// the reject reasons of an account opening.
inline constexpr std::uint8_t version3 = 3;
// Version 4: pre-trade risk: limits, kill switches, rejections with their decision, and alerts,
// with the reject and cancel reasons they cause.
inline constexpr std::uint8_t version4 = 4;

template <typename Struct, typename MemberType>
struct Field {
    using Member = MemberType;

    std::string_view name;
    Member Struct::*member;
    std::uint8_t since; // the first codec version that encodes the field
};

template <typename Struct, typename Member>
constexpr Field<Struct, Member> field(std::string_view name, Member Struct::*member,
                                      std::uint8_t since = version1)
{
    return {name, member, since};
}

// --- Field tables, in encoded order

constexpr auto fieldsOf(std::type_identity<OrderAccepted>)
{
    using P = OrderAccepted;
    return std::tuple{field("id", &P::id),
                      field("side", &P::side),
                      field("type", &P::type),
                      field("limit", &P::limit),
                      field("quantity", &P::quantity),
                      field("account", &P::account, version2),
                      field("clientOrderId", &P::clientOrderId, version2),
                      field("timeInForce", &P::timeInForce, version2),
                      field("liquidity", &P::liquidity, version2),
                      field("selfTradePrevention", &P::selfTradePrevention, version2),
                      field("stopPrice", &P::stopPrice, version2),
                      field("displayQuantity", &P::displayQuantity, version2),
                      field("protectionPrice", &P::protectionPrice, version2),
                      field("expiry", &P::expiry, version2)};
}

constexpr auto fieldsOf(std::type_identity<OrderAdded>)
{
    using P = OrderAdded;
    return std::tuple{field("id", &P::id), field("side", &P::side), field("price", &P::price),
                      field("quantity", &P::quantity), field("origin", &P::origin)};
}

constexpr auto fieldsOf(std::type_identity<OrderRejected>)
{
    using P = OrderRejected;
    return std::tuple{field("id", &P::id), field("reason", &P::reason),
                      field("clientOrderId", &P::clientOrderId, version2),
                      field("account", &P::account, version2)};
}

constexpr auto fieldsOf(std::type_identity<OrderCancelled>)
{
    using P = OrderCancelled;
    return std::tuple{field("id", &P::id), field("side", &P::side), field("price", &P::price),
                      field("quantity", &P::quantity), field("reason", &P::reason)};
}

constexpr auto fieldsOf(std::type_identity<OrderReduced>)
{
    using P = OrderReduced;
    return std::tuple{field("id", &P::id), field("side", &P::side), field("price", &P::price),
                      field("reducedBy", &P::reducedBy), field("remaining", &P::remaining)};
}

constexpr auto fieldsOf(std::type_identity<Trade>)
{
    using P = Trade;
    return std::tuple{field("maker", &P::maker),
                      field("taker", &P::taker),
                      field("aggressor", &P::aggressor),
                      field("price", &P::price),
                      field("quantity", &P::quantity),
                      field("makerRemaining", &P::makerRemaining),
                      field("makerAccount", &P::makerAccount, version2),
                      field("takerAccount", &P::takerAccount, version2)};
}

constexpr auto fieldsOf(std::type_identity<TradingStatusChanged>)
{
    return std::tuple{field("status", &TradingStatusChanged::status)};
}

constexpr auto fieldsOf(std::type_identity<InstrumentDefinition>)
{
    using P = InstrumentDefinition;
    return std::tuple{field("id", &P::id, version2),
                      field("symbol", &P::symbol, version2),
                      field("currency", &P::currency, version2),
                      field("priceDecimals", &P::priceDecimals, version2),
                      field("quantityDecimals", &P::quantityDecimals, version2),
                      field("tickSize", &P::tickSize, version2),
                      field("lotSize", &P::lotSize, version2),
                      field("minimumQuantity", &P::minimumQuantity, version2),
                      field("maximumQuantity", &P::maximumQuantity, version2),
                      field("multiplier", &P::multiplier, version2),
                      field("priceBandBasisPoints", &P::priceBandBasisPoints, version2),
                      field("referencePrice", &P::referencePrice, version2),
                      field("initialStatus", &P::initialStatus, version2)};
}

constexpr auto fieldsOf(std::type_identity<InstrumentAdded>)
{
    return std::tuple{field("definition", &InstrumentAdded::definition, version2)};
}

constexpr auto fieldsOf(std::type_identity<AccountConfigured>)
{
    using P = AccountConfigured;
    return std::tuple{field("account", &P::account, version2),
                      field("selfTradePrevention", &P::selfTradePrevention, version2)};
}

constexpr auto fieldsOf(std::type_identity<OrderReplaced>)
{
    using P = OrderReplaced;
    return std::tuple{field("id", &P::id, version2),
                      field("side", &P::side, version2),
                      field("previousPrice", &P::previousPrice, version2),
                      field("price", &P::price, version2),
                      field("quantity", &P::quantity, version2),
                      field("stopPrice", &P::stopPrice, version2),
                      field("priority", &P::priority, version2)};
}

constexpr auto fieldsOf(std::type_identity<OrderParked>)
{
    using P = OrderParked;
    return std::tuple{field("id", &P::id, version2), field("side", &P::side, version2),
                      field("stopPrice", &P::stopPrice, version2),
                      field("quantity", &P::quantity, version2)};
}

constexpr auto fieldsOf(std::type_identity<StopTriggered>)
{
    using P = StopTriggered;
    return std::tuple{field("id", &P::id, version2),
                      field("lastTradePrice", &P::lastTradePrice, version2)};
}

constexpr auto fieldsOf(std::type_identity<OrderRefilled>)
{
    using P = OrderRefilled;
    return std::tuple{field("id", &P::id, version2), field("side", &P::side, version2),
                      field("price", &P::price, version2),
                      field("displayed", &P::displayed, version2),
                      field("reserve", &P::reserve, version2)};
}

constexpr auto fieldsOf(std::type_identity<AuctionUncrossed>)
{
    using P = AuctionUncrossed;
    return std::tuple{field("price", &P::price, version2), field("volume", &P::volume, version2)};
}

constexpr auto fieldsOf(std::type_identity<TopOfBook>)
{
    using P = TopOfBook;
    return std::tuple{
        field("bidPrice", &P::bidPrice, version2), field("bidQuantity", &P::bidQuantity, version2),
        field("askPrice", &P::askPrice, version2), field("askQuantity", &P::askQuantity, version2)};
}

constexpr auto fieldsOf(std::type_identity<DepthLevel>)
{
    using P = DepthLevel;
    return std::tuple{field("side", &P::side, version2), field("price", &P::price, version2),
                      field("quantity", &P::quantity, version2),
                      field("orderCount", &P::orderCount, version2)};
}

constexpr auto fieldsOf(std::type_identity<FeeRate>)
{
    return std::tuple{field("partsPerMillion", &FeeRate::partsPerMillion, version3)};
}

constexpr auto fieldsOf(std::type_identity<AccountFees>)
{
    using P = AccountFees;
    return std::tuple{field("maker", &P::maker, version3), field("taker", &P::taker, version3),
                      field("perUnit", &P::perUnit, version3),
                      field("minimum", &P::minimum, version3)};
}

constexpr auto fieldsOf(std::type_identity<AccountSettings>)
{
    using P = AccountSettings;
    return std::tuple{field("id", &P::id, version3), field("currency", &P::currency, version3),
                      field("moneyDecimals", &P::moneyDecimals, version3),
                      field("type", &P::type, version3), field("fees", &P::fees, version3)};
}

constexpr auto fieldsOf(std::type_identity<AccountOpened>)
{
    using P = AccountOpened;
    return std::tuple{field("settings", &P::settings, version3),
                      field("openingBalance", &P::openingBalance, version3)};
}

constexpr auto fieldsOf(std::type_identity<FillPosted>)
{
    using P = FillPosted;
    return std::tuple{field("tradeSequence", &P::tradeSequence, version3),
                      field("account", &P::account, version3),
                      field("instrument", &P::instrument, version3),
                      field("side", &P::side, version3),
                      field("role", &P::role, version3),
                      field("price", &P::price, version3),
                      field("quantity", &P::quantity, version3),
                      field("fee", &P::fee, version3),
                      field("realizedProfitAndLoss", &P::realizedProfitAndLoss, version3),
                      field("cashBalance", &P::cashBalance, version3),
                      field("position", &P::position, version3)};
}

constexpr auto fieldsOf(std::type_identity<RiskLimits>)
{
    using P = RiskLimits;
    return std::tuple{field("maximumOrderQuantity", &P::maximumOrderQuantity, version4),
                      field("maximumOrderNotional", &P::maximumOrderNotional, version4),
                      field("maximumLongPosition", &P::maximumLongPosition, version4),
                      field("maximumShortPosition", &P::maximumShortPosition, version4),
                      field("priceBandBasisPoints", &P::priceBandBasisPoints, version4),
                      field("maximumOpenOrders", &P::maximumOpenOrders, version4),
                      field("maximumOrdersPerSecond", &P::maximumOrdersPerSecond, version4),
                      field("dailyLossLimit", &P::dailyLossLimit, version4),
                      field("marginBuyingPower", &P::marginBuyingPower, version4)};
}

constexpr auto fieldsOf(std::type_identity<RiskLimitsSet>)
{
    using P = RiskLimitsSet;
    return std::tuple{field("account", &P::account, version4),
                      field("limits", &P::limits, version4),
                      field("overridden", &P::overridden, version4)};
}

constexpr auto fieldsOf(std::type_identity<KillSwitchChanged>)
{
    using P = KillSwitchChanged;
    return std::tuple{field("account", &P::account, version4), field("scope", &P::scope, version4)};
}

constexpr auto fieldsOf(std::type_identity<RiskRejected>)
{
    using P = RiskRejected;
    return std::tuple{field("id", &P::id, version4),
                      field("account", &P::account, version4),
                      field("clientOrderId", &P::clientOrderId, version4),
                      field("rule", &P::rule, version4),
                      field("scope", &P::scope, version4),
                      field("killSwitch", &P::killSwitch, version4),
                      field("unit", &P::unit, version4),
                      field("decimals", &P::decimals, version4),
                      field("side", &P::side, version4),
                      field("current", &P::current, version4),
                      field("working", &P::working, version4),
                      field("order", &P::order, version4),
                      field("wouldBe", &P::wouldBe, version4),
                      field("limit", &P::limit, version4)};
}

constexpr auto fieldsOf(std::type_identity<RiskAlert>)
{
    using P = RiskAlert;
    return std::tuple{field("account", &P::account, version4),
                      field("rule", &P::rule, version4),
                      field("scope", &P::scope, version4),
                      field("level", &P::level, version4),
                      field("use", &P::use, version4),
                      field("limit", &P::limit, version4),
                      field("basisPoints", &P::basisPoints, version4)};
}

// A struct with a field table: a payload, or a struct nested in one.
template <typename T>
concept Record = requires
{
    fieldsOf(std::type_identity<T>{});
};

// Whether a member is a fixed-size text field, which the codec writes as its characters.
template <typename T>
struct IsText : std::false_type {
};
template <std::size_t Size>
struct IsText<std::array<char, Size>> : std::true_type {
};

// --- Payload kinds

// Calls `function` with std::type_identity of the payload struct for `type`. Returns false,
// without calling it, when no payload has that type number.
template <typename Function>
bool visitPayloadType(EventType type, Function &&function)
{
    switch (type) {
    case EventType::OrderAccepted:
        function(std::type_identity<OrderAccepted>{});
        return true;
    case EventType::OrderAdded:
        function(std::type_identity<OrderAdded>{});
        return true;
    case EventType::OrderRejected:
        function(std::type_identity<OrderRejected>{});
        return true;
    case EventType::OrderCancelled:
        function(std::type_identity<OrderCancelled>{});
        return true;
    case EventType::OrderReduced:
        function(std::type_identity<OrderReduced>{});
        return true;
    case EventType::Trade:
        function(std::type_identity<Trade>{});
        return true;
    case EventType::TradingStatusChanged:
        function(std::type_identity<TradingStatusChanged>{});
        return true;
    case EventType::InstrumentAdded:
        function(std::type_identity<InstrumentAdded>{});
        return true;
    case EventType::AccountConfigured:
        function(std::type_identity<AccountConfigured>{});
        return true;
    case EventType::OrderReplaced:
        function(std::type_identity<OrderReplaced>{});
        return true;
    case EventType::OrderParked:
        function(std::type_identity<OrderParked>{});
        return true;
    case EventType::StopTriggered:
        function(std::type_identity<StopTriggered>{});
        return true;
    case EventType::OrderRefilled:
        function(std::type_identity<OrderRefilled>{});
        return true;
    case EventType::AuctionUncrossed:
        function(std::type_identity<AuctionUncrossed>{});
        return true;
    case EventType::TopOfBook:
        function(std::type_identity<TopOfBook>{});
        return true;
    case EventType::DepthLevel:
        function(std::type_identity<DepthLevel>{});
        return true;
    case EventType::AccountOpened:
        function(std::type_identity<AccountOpened>{});
        return true;
    case EventType::FillPosted:
        function(std::type_identity<FillPosted>{});
        return true;
    case EventType::RiskLimitsSet:
        function(std::type_identity<RiskLimitsSet>{});
        return true;
    case EventType::KillSwitchChanged:
        function(std::type_identity<KillSwitchChanged>{});
        return true;
    case EventType::RiskRejected:
        function(std::type_identity<RiskRejected>{});
        return true;
    case EventType::RiskAlert:
        function(std::type_identity<RiskAlert>{});
        return true;
    }
    return false;
}

// The codec version that introduced a payload kind; nothing for a number no kind has.
constexpr std::optional<std::uint8_t> introducedIn(EventType type)
{
    switch (type) {
    case EventType::OrderAccepted:
    case EventType::OrderAdded:
    case EventType::OrderRejected:
    case EventType::OrderCancelled:
    case EventType::OrderReduced:
    case EventType::Trade:
    case EventType::TradingStatusChanged:
        return version1;
    case EventType::InstrumentAdded:
    case EventType::AccountConfigured:
    case EventType::OrderReplaced:
    case EventType::OrderParked:
    case EventType::StopTriggered:
    case EventType::OrderRefilled:
    case EventType::AuctionUncrossed:
    case EventType::TopOfBook:
    case EventType::DepthLevel:
        return version2;
    case EventType::AccountOpened:
    case EventType::FillPosted:
        return version3;
    case EventType::RiskLimitsSet:
    case EventType::KillSwitchChanged:
    case EventType::RiskRejected:
    case EventType::RiskAlert:
        return version4;
    }
    return std::nullopt;
}

// --- Enum values. Each switch lists every enumerator, so one added to events.h but not here
// fails the build under -Wswitch -Werror. A byte outside the enum returns nothing.

constexpr std::optional<std::uint8_t> introducedIn(Side side)
{
    switch (side) {
    case Side::Buy:
    case Side::Sell:
        return version1;
    }
    return std::nullopt;
}

constexpr std::optional<std::uint8_t> introducedIn(OrderType type)
{
    switch (type) {
    case OrderType::Limit:
    case OrderType::Market:
        return version1;
    case OrderType::Stop:
    case OrderType::StopLimit:
        return version2;
    }
    return std::nullopt;
}

constexpr std::optional<std::uint8_t> introducedIn(OrderOrigin origin)
{
    switch (origin) {
    case OrderOrigin::OrderEntry:
    case OrderOrigin::MarketData:
    case OrderOrigin::Recovered:
        return version1;
    }
    return std::nullopt;
}

constexpr std::optional<std::uint8_t> introducedIn(RejectReason reason)
{
    switch (reason) {
    case RejectReason::UnknownOrder:
    case RejectReason::DuplicateOrderId:
    case RejectReason::InvalidQuantity:
    case RejectReason::InvalidPrice:
    case RejectReason::NoLiquidity:
    case RejectReason::TradingHalted:
        return version1;
    case RejectReason::UnknownInstrument:
    case RejectReason::PriceNotOnTick:
    case RejectReason::QuantityNotOnLot:
    case RejectReason::OutsidePriceBand:
    case RejectReason::BelowMinimumQuantity:
    case RejectReason::AboveMaximumQuantity:
    case RejectReason::DuplicateClientOrderId:
    case RejectReason::InstrumentClosed:
    case RejectReason::WouldTakeLiquidity:
    case RejectReason::InvalidDisplayQuantity:
    case RejectReason::InvalidExpiry:
    case RejectReason::InvalidTimeInForce:
    case RejectReason::NotAllowedInAuction:
    case RejectReason::InvalidStopPrice:
    case RejectReason::DuplicateInstrument:
    case RejectReason::InvalidInstrument:
    case RejectReason::InvalidStatusChange:
        return version2;
    case RejectReason::DuplicateAccount:
    case RejectReason::InvalidAccount:
        return version3;
    case RejectReason::RiskLimit:
    case RejectReason::KillSwitchEngaged:
    case RejectReason::InvalidRiskLimits:
        return version4;
    }
    return std::nullopt;
}

constexpr std::optional<std::uint8_t> introducedIn(CancelReason reason)
{
    switch (reason) {
    case CancelReason::Requested:
    case CancelReason::Unfilled:
    case CancelReason::MarketData:
    case CancelReason::Resynchronized:
        return version1;
    case CancelReason::FillOrKill:
    case CancelReason::SelfTrade:
    case CancelReason::Expired:
    case CancelReason::MassCancel:
    case CancelReason::ProtectionLimit:
        return version2;
    case CancelReason::KillSwitch:
        return version4;
    }
    return std::nullopt;
}

constexpr std::optional<std::uint8_t> introducedIn(TradingStatus status)
{
    switch (status) {
    case TradingStatus::Trading:
    case TradingStatus::Halted:
    case TradingStatus::QuoteOnly:
        return version1;
    case TradingStatus::PreOpen:
    case TradingStatus::Closed:
        return version2;
    }
    return std::nullopt;
}

constexpr std::optional<std::uint8_t> introducedIn(TimeInForce timeInForce)
{
    switch (timeInForce) {
    case TimeInForce::Gtc:
    case TimeInForce::Day:
    case TimeInForce::Gtd:
    case TimeInForce::Ioc:
    case TimeInForce::Fok:
        return version2;
    }
    return std::nullopt;
}

constexpr std::optional<std::uint8_t> introducedIn(Liquidity liquidity)
{
    switch (liquidity) {
    case Liquidity::Any:
    case Liquidity::PostOnly:
        return version2;
    }
    return std::nullopt;
}

constexpr std::optional<std::uint8_t> introducedIn(SelfTradePrevention mode)
{
    switch (mode) {
    case SelfTradePrevention::AccountDefault:
    case SelfTradePrevention::CancelNewest:
    case SelfTradePrevention::CancelOldest:
    case SelfTradePrevention::CancelBoth:
    case SelfTradePrevention::DecrementAndCancel:
        return version2;
    }
    return std::nullopt;
}

constexpr std::optional<std::uint8_t> introducedIn(QueuePriority priority)
{
    switch (priority) {
    case QueuePriority::Kept:
    case QueuePriority::Lost:
        return version2;
    }
    return std::nullopt;
}

constexpr std::optional<std::uint8_t> introducedIn(AccountType type)
{
    switch (type) {
    case AccountType::Cash:
    case AccountType::Margin:
        return version3;
    }
    return std::nullopt;
}

constexpr std::optional<std::uint8_t> introducedIn(LiquidityRole role)
{
    switch (role) {
    case LiquidityRole::Maker:
    case LiquidityRole::Taker:
        return version3;
    }
    return std::nullopt;
}

constexpr std::optional<std::uint8_t> introducedIn(RiskRule rule)
{
    switch (rule) {
    case RiskRule::None:
    case RiskRule::KillSwitch:
    case RiskRule::UnknownAccount:
    case RiskRule::UnknownInstrument:
    case RiskRule::InvalidOrder:
    case RiskRule::MissingPrice:
    case RiskRule::OrderQuantity:
    case RiskRule::PriceBand:
    case RiskRule::OrderNotional:
    case RiskRule::PositionLong:
    case RiskRule::PositionShort:
    case RiskRule::OpenOrders:
    case RiskRule::OrderRate:
    case RiskRule::DailyLoss:
    case RiskRule::BuyingPower:
    case RiskRule::OutOfRange:
        return version4;
    }
    return std::nullopt;
}

constexpr std::optional<std::uint8_t> introducedIn(LimitScope scope)
{
    switch (scope) {
    case LimitScope::None:
    case LimitScope::AccountDefault:
    case LimitScope::InstrumentOverride:
    case LimitScope::CashBalance:
    case LimitScope::Global:
        return version4;
    }
    return std::nullopt;
}

constexpr std::optional<std::uint8_t> introducedIn(KillSwitchScope scope)
{
    switch (scope) {
    case KillSwitchScope::None:
    case KillSwitchScope::Pause:
    case KillSwitchScope::CancelAll:
    case KillSwitchScope::Flatten:
        return version4;
    }
    return std::nullopt;
}

constexpr std::optional<std::uint8_t> introducedIn(RiskUnit unit)
{
    switch (unit) {
    case RiskUnit::None:
    case RiskUnit::Quantity:
    case RiskUnit::Money:
    case RiskUnit::Price:
    case RiskUnit::Count:
        return version4;
    }
    return std::nullopt;
}

constexpr std::optional<std::uint8_t> introducedIn(RiskAlertLevel level)
{
    switch (level) {
    case RiskAlertLevel::Normal:
    case RiskAlertLevel::Warning:
    case RiskAlertLevel::Breach:
        return version4;
    }
    return std::nullopt;
}

// The name of an enum in error messages.
constexpr std::string_view enumName(std::type_identity<Side>)
{
    return "side";
}
constexpr std::string_view enumName(std::type_identity<OrderType>)
{
    return "order type";
}
constexpr std::string_view enumName(std::type_identity<OrderOrigin>)
{
    return "origin";
}
constexpr std::string_view enumName(std::type_identity<RejectReason>)
{
    return "reject reason";
}
constexpr std::string_view enumName(std::type_identity<CancelReason>)
{
    return "cancel reason";
}
constexpr std::string_view enumName(std::type_identity<TradingStatus>)
{
    return "trading status";
}
constexpr std::string_view enumName(std::type_identity<TimeInForce>)
{
    return "time in force";
}
constexpr std::string_view enumName(std::type_identity<Liquidity>)
{
    return "liquidity";
}
constexpr std::string_view enumName(std::type_identity<SelfTradePrevention>)
{
    return "self-trade prevention";
}
constexpr std::string_view enumName(std::type_identity<QueuePriority>)
{
    return "queue priority";
}
constexpr std::string_view enumName(std::type_identity<AccountType>)
{
    return "account type";
}
constexpr std::string_view enumName(std::type_identity<LiquidityRole>)
{
    return "liquidity role";
}
constexpr std::string_view enumName(std::type_identity<RiskRule>)
{
    return "risk rule";
}
constexpr std::string_view enumName(std::type_identity<LimitScope>)
{
    return "limit scope";
}
constexpr std::string_view enumName(std::type_identity<KillSwitchScope>)
{
    return "kill switch scope";
}
constexpr std::string_view enumName(std::type_identity<RiskUnit>)
{
    return "risk unit";
}
constexpr std::string_view enumName(std::type_identity<RiskAlertLevel>)
{
    return "risk alert level";
}

} // namespace bourse::codec

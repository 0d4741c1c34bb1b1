#pragma once

// The vocabulary of pre-trade risk that events carry: the rules, the scopes of a limit and of
// the kill switch, and an account's limits. risk_checks.h evaluates them.

#include "money.h"
#include "types.h"

#include <cstdint>
#include <string_view>

namespace bourse {

// The rule that rejected an order, in the order check() tries them. None means it passed.
// The numbers of this file's enums are stored in journals: never reuse one.
enum class RiskRule : std::uint8_t {
    None = 0,
    KillSwitch = 1,        // the account's or the global kill switch is engaged
    UnknownAccount = 2,    // no configured account has the id
    UnknownInstrument = 3, // no configured instrument has the id
    InvalidOrder = 4,      // a quantity of zero or less, or a negative price
    MissingPrice = 5,      // a market order without a price while a money rule needs one
    OrderQuantity = 6,     // the order's quantity is above the maximum order size
    PriceBand = 7,         // the order's price is too far from the reference price
    OrderNotional = 8,     // the order's notional is above the maximum order notional
    PositionLong = 9,      // position + open buys + this buy is above the long limit
    PositionShort = 10,    // position - open sells - this sell is below minus the short limit
    OpenOrders = 11,       // one more working order is above the maximum open orders
    OrderRate = 12,        // one more order in the last second is above the rate limit
    DailyLoss = 13,        // the day's loss (realized + unrealized) is above the loss limit
    BuyingPower = 14,      // the order's notional does not fit the buying power left
    OutOfRange = 15,       // an amount needed for a check does not fit 64 bits
};

inline constexpr std::size_t kRiskRuleCount = static_cast<std::size_t>(RiskRule::OutOfRange) + 1;

std::string_view nameOf(RiskRule rule);

// The origin of the limit that decided.
enum class LimitScope : std::uint8_t {
    None = 0,
    AccountDefault = 1,     // the account's limit, for every instrument without an override
    InstrumentOverride = 2, // the account's limit for this one instrument
    CashBalance = 3,        // a cash account's balance, the bound of its buying power
    Global = 4,             // the global kill switch
};

std::string_view nameOf(LimitScope scope);

// The kill switch scopes, in escalating order. Each one rejects new orders. Cancelling the
// working orders (CancelAll, Flatten) and closing the positions (Flatten) is the engine's work.
enum class KillSwitchScope : std::uint8_t {
    None = 0,      // not engaged
    Pause = 1,     // no new orders
    CancelAll = 2, // no new orders, and every working order is cancelled
    Flatten = 3,   // no new orders, working orders cancelled, positions closed
};

std::string_view nameOf(KillSwitchScope scope);

// Limits of one account. Zero disables a rule; a negative value is invalid. Account-wide rules
// (open orders, order rate, daily loss, buying power) count the account's totals. The others
// apply to each instrument unless RiskLimitOverrides replaces them.
struct RiskLimits {
    Quantity maximumOrderQuantity;
    Money maximumOrderNotional;
    Quantity maximumLongPosition;          // position + open buys, at most this
    Quantity maximumShortPosition;         // -(position - open sells), at most this
    std::int64_t priceBandBasisPoints = 0; // distance from the reference price
    std::int64_t maximumOpenOrders = 0;
    std::int64_t maximumOrdersPerSecond = 0; // at most kMaximumOrdersPerSecond
    Money dailyLossLimit;                    // the largest loss of the day that still trades
    // A margin account's buying power: the notional its working orders may reach. A cash
    // account uses its cash balance instead and ignores this.
    Money marginBuyingPower;

    friend bool operator==(const RiskLimits &, const RiskLimits &) = default;
};

// The fields of RiskLimits that an instrument override may set, as bits of
// RiskLimitsSet::overridden.
enum class RiskLimitField : std::uint16_t {
    OrderQuantity = 1 << 0,
    OrderNotional = 1 << 1,
    LongPosition = 1 << 2,
    ShortPosition = 1 << 3,
    PriceBand = 1 << 4,
    OpenOrders = 1 << 5,
    OrdersPerSecond = 1 << 6,
};

inline constexpr std::uint16_t kOverridableRiskLimitFields = (1 << 7) - 1;

// The unit of a decision's values, which sets how describe() prints them.
enum class RiskUnit : std::uint8_t { None = 0, Quantity = 1, Money = 2, Price = 3, Count = 4 };

// The level of a limit's use against the alert thresholds of 80% and 100%.
enum class RiskAlertLevel : std::uint8_t {
    Normal = 0,  // below 80%
    Warning = 1, // 80% or more, below 100%
    Breach = 2,  // 100% or more
};

std::string_view nameOf(RiskAlertLevel level);

// The sliding window of the rate rule keeps one timestamp per allowed order, so the limit
// bounds its memory: 800 KB per account at this maximum.
inline constexpr std::int64_t kMaximumOrdersPerSecond = 100'000;

} // namespace bourse

// Names of the risk enums and the sentences that explain a risk decision.

#include "risk_checks.h"

namespace bourse {

std::string_view nameOf(RiskRule rule)
{
    switch (rule) {
    case RiskRule::None:
        return "none";
    case RiskRule::KillSwitch:
        return "kill-switch";
    case RiskRule::UnknownAccount:
        return "unknown-account";
    case RiskRule::UnknownInstrument:
        return "unknown-instrument";
    case RiskRule::InvalidOrder:
        return "invalid-order";
    case RiskRule::MissingPrice:
        return "missing-price";
    case RiskRule::OrderQuantity:
        return "order-quantity";
    case RiskRule::PriceBand:
        return "price-band";
    case RiskRule::OrderNotional:
        return "order-notional";
    case RiskRule::PositionLong:
        return "position-long";
    case RiskRule::PositionShort:
        return "position-short";
    case RiskRule::OpenOrders:
        return "open-orders";
    case RiskRule::OrderRate:
        return "order-rate";
    case RiskRule::DailyLoss:
        return "daily-loss";
    case RiskRule::BuyingPower:
        return "buying-power";
    case RiskRule::OutOfRange:
        return "out-of-range";
    }
    return "unknown";
}

std::string_view nameOf(LimitScope scope)
{
    switch (scope) {
    case LimitScope::None:
        return "none";
    case LimitScope::AccountDefault:
        return "account-default";
    case LimitScope::InstrumentOverride:
        return "instrument-override";
    case LimitScope::CashBalance:
        return "cash-balance";
    case LimitScope::Global:
        return "global";
    }
    return "unknown";
}

std::string_view nameOf(KillSwitchScope scope)
{
    switch (scope) {
    case KillSwitchScope::None:
        return "none";
    case KillSwitchScope::Pause:
        return "pause";
    case KillSwitchScope::CancelAll:
        return "cancel-all";
    case KillSwitchScope::Flatten:
        return "flatten";
    }
    return "unknown";
}

std::string_view nameOf(RiskAlertLevel level)
{
    switch (level) {
    case RiskAlertLevel::Normal:
        return "normal";
    case RiskAlertLevel::Warning:
        return "warning";
    case RiskAlertLevel::Breach:
        return "breach";
    }
    return "unknown";
}

std::string_view nameOf(RiskUpdateResult result)
{
    switch (result) {
    case RiskUpdateResult::Ok:
        return "ok";
    case RiskUpdateResult::UnknownAccount:
        return "unknown-account";
    case RiskUpdateResult::UnknownInstrument:
        return "unknown-instrument";
    case RiskUpdateResult::InvalidAccount:
        return "invalid-account";
    case RiskUpdateResult::InvalidInstrument:
        return "invalid-instrument";
    case RiskUpdateResult::DuplicateInstrument:
        return "duplicate-instrument";
    case RiskUpdateResult::InvalidLimits:
        return "invalid-limits";
    case RiskUpdateResult::InvalidQuantity:
        return "invalid-quantity";
    case RiskUpdateResult::InvalidPrice:
        return "invalid-price";
    case RiskUpdateResult::NoWorkingOrder:
        return "no-working-order";
    case RiskUpdateResult::OutOfRange:
        return "out-of-range";
    }
    return "unknown";
}

namespace {

// Decimal text with a comma between groups of three integer digits: 1200000 at two decimals
// is "12,000.00".
std::string grouped(std::int64_t units, int decimals)
{
    const DecimalText text = toDecimalText(units, decimals);
    const std::string_view digits = text.view();
    const std::size_t sign = !digits.empty() && digits.front() == '-' ? 1 : 0;
    const std::size_t point = digits.find('.');
    const std::size_t integerEnd = point == std::string_view::npos ? digits.size() : point;

    std::string result(digits.substr(0, sign));
    for (std::size_t i = sign; i < integerEnd; ++i) {
        if (i > sign && (integerEnd - i) % 3 == 0)
            result += ',';
        result += digits[i];
    }
    result += digits.substr(integerEnd);
    return result;
}

std::string value(const RiskDecision &decision, std::int64_t units)
{
    const bool scaled = decision.unit == RiskUnit::Quantity || decision.unit == RiskUnit::Money ||
                        decision.unit == RiskUnit::Price;
    return grouped(units, scaled ? decision.decimals : 0);
}

std::string limitPhrase(const RiskDecision &decision, std::string_view unitSuffix = {})
{
    std::string phrase;
    switch (decision.scope) {
    case LimitScope::InstrumentOverride:
        phrase = "against the instrument limit of ";
        break;
    case LimitScope::CashBalance:
        phrase = "against the cash balance of ";
        break;
    default:
        phrase = "against the account limit of ";
        break;
    }
    if (decision.unit == RiskUnit::Price)
        return phrase + grouped(decision.limit, 0) + std::string(unitSuffix);
    return phrase + value(decision, decision.limit) + std::string(unitSuffix);
}

std::string describePosition(const RiskDecision &decision)
{
    const bool longSide = decision.rule == RiskRule::PositionLong;
    if (decision.scope == LimitScope::CashBalance)
        return "rejected: a cash account cannot sell short, would be " +
               value(decision, decision.wouldBe) + " short (position " +
               value(decision, decision.current) + ", open sells " +
               value(decision, decision.working) + ", this order " +
               value(decision, decision.order) + ")";
    return "rejected: position limit, would be " + value(decision, decision.wouldBe) +
           (longSide ? " long " : " short ") + limitPhrase(decision) + " (position " +
           value(decision, decision.current) + (longSide ? ", open buys " : ", open sells ") +
           value(decision, decision.working) + ", this order " + value(decision, decision.order) +
           ")";
}

std::string describeKillSwitch(const RiskDecision &decision)
{
    return "rejected: kill switch (" + std::string(nameOf(decision.killSwitch)) + ") engaged for " +
           (decision.scope == LimitScope::Global ? "all accounts" : "this account");
}

std::string describeMoney(const RiskDecision &decision)
{
    if (decision.rule == RiskRule::DailyLoss)
        return "rejected: daily loss, a loss of " + value(decision, decision.wouldBe) + " " +
               limitPhrase(decision) + " (realized " + value(decision, decision.current) +
               ", unrealized " + value(decision, decision.working) + ")";
    const std::string limit = decision.scope == LimitScope::CashBalance
                                  ? "against the cash balance of "
                                  : "against the buying power of ";
    return "rejected: buying power, would commit " + value(decision, decision.wouldBe) + " " +
           limit + value(decision, decision.limit) + " (working orders " +
           value(decision, decision.working) + ", this order " + value(decision, decision.order) +
           ")";
}

} // namespace

std::string describe(const RiskDecision &decision)
{
    switch (decision.rule) {
    case RiskRule::None:
        return "passed";
    case RiskRule::KillSwitch:
        return describeKillSwitch(decision);
    case RiskRule::UnknownAccount:
        return "rejected: the account has no risk limits; configure the account first";
    case RiskRule::UnknownInstrument:
        return "rejected: the instrument is unknown to the risk checks; add it first";
    case RiskRule::InvalidOrder:
        return "rejected: invalid order, the quantity must be above zero and the price not "
               "negative";
    case RiskRule::MissingPrice:
        if (decision.scope == LimitScope::CashBalance)
            return "rejected: a cash account's market or stop buy needs a protection price, the "
                   "most it may pay";
        return "rejected: no price values this market order; give it a protection price or wait "
               "for a reference price";
    case RiskRule::OrderQuantity:
        return "rejected: order size, " + value(decision, decision.wouldBe) + " " +
               limitPhrase(decision);
    case RiskRule::PriceBand:
        return "rejected: price band, " + value(decision, decision.order) + " is " +
               grouped(decision.wouldBe, 0) + " bp from the reference " +
               value(decision, decision.current) + " " + limitPhrase(decision, " bp");
    case RiskRule::OrderNotional:
        return "rejected: order notional, " + value(decision, decision.wouldBe) + " " +
               limitPhrase(decision);
    case RiskRule::PositionLong:
    case RiskRule::PositionShort:
        return describePosition(decision);
    case RiskRule::OpenOrders:
        return "rejected: open orders, would be " + value(decision, decision.wouldBe) + " " +
               limitPhrase(decision);
    case RiskRule::OrderRate:
        return "rejected: order rate, would be " + value(decision, decision.wouldBe) +
               " orders in one second " + limitPhrase(decision);
    case RiskRule::DailyLoss:
    case RiskRule::BuyingPower:
        return describeMoney(decision);
    case RiskRule::OutOfRange:
        return "rejected: an amount of the order does not fit 64 bits";
    }
    return "rejected: unknown rule";
}

} // namespace bourse

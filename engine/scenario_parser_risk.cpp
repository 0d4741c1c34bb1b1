// The scenario parser: risk limits and the kill switch.

#include "scenario_parser.h"

namespace bourse::scenario {

namespace {

constexpr std::string_view kLimitNames =
    "order-size QTY, order-notional AMOUNT, long QTY, short QTY, band BP, open-orders N, "
    "rate N, daily-loss AMOUNT, buying-power AMOUNT";

constexpr std::string_view kKillSwitchScopes = "pause, cancel-all, flatten or reset";

} // namespace

// The instrument whose quantity decimals an account-wide quantity limit is written in: the one
// instrument, or any of several that share their quantity decimals. Account-wide limits hold raw
// quantity units, which mean the same only where the decimals agree.
const InstrumentDefinition &Parser::quantityScale(const Token &token) const
{
    if (m_instruments.empty())
        fail(token,
             "a quantity limit needs an instrument defined above, for its quantity decimals");
    const InstrumentDefinition &first = m_instruments.begin()->second.definition;
    for (const auto &[symbol, entry] : m_instruments) {
        if (entry.definition.quantityDecimals != first.quantityDecimals)
            fail(token, "the instruments have different quantity decimals, so an account-wide "
                        "quantity limit is ambiguous; set it per instrument with "
                        "'limits ACCOUNT SYMBOL ...'");
    }
    return first;
}

// `limits ACCOUNT [SYMBOL] LIMIT VALUE ...`. Without a symbol the line replaces the account's
// default limits, so that a limit it leaves out is off. With one, each limit it names overrides
// the default for that instrument, and zero switches the rule off there.
Action Parser::parseLimits()
{
    const AccountEntry &entry = portfolioAccount(take("account name"));
    RiskLimitsCommand command;
    command.account = entry.id;
    const InstrumentDefinition *instrumentScale = nullptr;
    if (!atEnd() && m_instruments.contains(peek().text)) {
        instrumentScale = &instrument(take("instrument symbol")).definition;
        command.instrument = instrumentScale->id;
    }
    const bool perInstrument = instrumentScale != nullptr;

    RiskLimits &limits = command.limits;
    std::uint16_t named = 0;
    const auto mark = [&](const Token &name, RiskLimitField field) {
        const auto bit = static_cast<std::uint16_t>(field);
        if ((named & bit) != 0)
            fail(name, "limit '" + shown(name.text) + "' is given twice");
        named = static_cast<std::uint16_t>(named | bit);
    };
    const auto accountWideOnly = [&](const Token &name) {
        if (perInstrument)
            fail(name, "'" + shown(name.text) +
                           "' applies to the whole account; set it on a line without a symbol");
    };
    bool accountWideNamed[2] = {false, false};

    while (!atEnd()) {
        const Token &name = take("limit name");
        const std::string_view limit = name.text;
        if (limit == "order-size") {
            mark(name, RiskLimitField::OrderQuantity);
            const InstrumentDefinition &scale =
                perInstrument ? *instrumentScale : quantityScale(name);
            limits.maximumOrderQuantity = quantity(take("order size"), scale, "order size limit");
        } else if (limit == "order-notional") {
            mark(name, RiskLimitField::OrderNotional);
            limits.maximumOrderNotional =
                money(take("order notional"), entry.moneyDecimals, "order notional limit");
        } else if (limit == "long") {
            mark(name, RiskLimitField::LongPosition);
            const InstrumentDefinition &scale =
                perInstrument ? *instrumentScale : quantityScale(name);
            limits.maximumLongPosition = quantity(take("long limit"), scale, "long position limit");
        } else if (limit == "short") {
            mark(name, RiskLimitField::ShortPosition);
            const InstrumentDefinition &scale =
                perInstrument ? *instrumentScale : quantityScale(name);
            limits.maximumShortPosition =
                quantity(take("short limit"), scale, "short position limit");
        } else if (limit == "band") {
            mark(name, RiskLimitField::PriceBand);
            limits.priceBandBasisPoints = basisPoints(take("price band, such as 500bp or 5%"));
        } else if (limit == "open-orders") {
            mark(name, RiskLimitField::OpenOrders);
            limits.maximumOpenOrders = integer(take("open orders"), "open orders", 0, INT32_MAX);
        } else if (limit == "rate") {
            mark(name, RiskLimitField::OrdersPerSecond);
            limits.maximumOrdersPerSecond =
                integer(take("orders per second"), "orders per second", 0, kMaximumOrdersPerSecond);
        } else if (limit == "daily-loss" && !accountWideNamed[0]) {
            accountWideOnly(name);
            accountWideNamed[0] = true;
            limits.dailyLossLimit = money(take("daily loss"), entry.moneyDecimals, "daily loss");
        } else if (limit == "buying-power" && !accountWideNamed[1]) {
            accountWideOnly(name);
            accountWideNamed[1] = true;
            limits.marginBuyingPower =
                money(take("buying power"), entry.moneyDecimals, "buying power");
        } else {
            fail(name, "unexpected '" + shown(limit) +
                           "' in a limits line; expected each at most "
                           "once: " +
                           std::string(kLimitNames));
        }
    }
    if (named == 0 && !accountWideNamed[0] && !accountWideNamed[1] && perInstrument)
        failAtEnd("missing a limit: " + std::string(kLimitNames));
    if (perInstrument)
        command.overridden = named;
    return command;
}

// `kill ACCOUNT|all pause|cancel-all|flatten|reset`
Action Parser::parseKillSwitch()
{
    const Token &target = take("account name or 'all'");
    KillSwitchCommand command;
    if (target.text != "all")
        command.account = portfolioAccount(target).id;
    const Token &scope = take(std::string(kKillSwitchScopes));
    if (scope.text == "pause")
        command.scope = KillSwitchScope::Pause;
    else if (scope.text == "cancel-all")
        command.scope = KillSwitchScope::CancelAll;
    else if (scope.text == "flatten")
        command.scope = KillSwitchScope::Flatten;
    else if (scope.text != "reset")
        fail(scope, "unknown kill switch scope '" + shown(scope.text) + "'; expected " +
                        std::string(kKillSwitchScopes));
    expectEnd();
    return command;
}

} // namespace bourse::scenario

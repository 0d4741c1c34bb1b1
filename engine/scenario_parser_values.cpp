// The scenario parser: names defined on earlier lines, and values in an instrument's units.

#include "scenario_parser.h"

#include <algorithm>
#include <limits>

namespace bourse::scenario {

const Parser::InstrumentEntry &Parser::instrument(const Token &symbol) const
{
    const auto found = m_instruments.find(symbol.text);
    if (found == m_instruments.end())
        fail(symbol, "unknown instrument '" + shown(symbol.text) +
                         "'; define it above with 'instrument " + shown(symbol.text) +
                         " tick SIZE'");
    return found->second;
}

AccountId Parser::account(const Token &name) const
{
    const auto found = m_accounts.find(name.text);
    if (found == m_accounts.end())
        fail(name, "unknown account '" + shown(name.text) + "'; define it above with 'account " +
                       shown(name.text) + "'");
    return found->second.id;
}

OrderId Parser::order(const Token &label) const
{
    if (const auto found = m_labels.find(label.text); found != m_labels.end())
        return found->second;
    // "#N" always means order number N, so a scenario can name an order that never existed.
    if (isOrderNumber(label.text)) {
        const DecimalValue number = parseDecimal(label.text.substr(1), 0);
        if (number.error == DecimalError::None && number.units > 0)
            return OrderId{static_cast<std::uint64_t>(number.units)};
        if (number.error == DecimalError::None)
            fail(label, "order number " + shown(label.text) +
                            " does not exist: the orders of a file are numbered from #1");
        fail(label, "order number " + shown(label.text) + " is out of range: numbers go up to #" +
                        std::to_string(std::numeric_limits<std::int64_t>::max()));
    }
    fail(label, "unknown order label '" + shown(label.text) +
                    "'; an order line defines a label with 'as " + shown(label.text) +
                    "', and #N names the N-th order of the file");
}

const InstrumentDefinition &Parser::instrumentOf(OrderId id, const Token &label) const
{
    const auto found = m_orders.find(id);
    if (found == m_orders.end())
        fail(label, "order " + shown(label.text) +
                        " is not defined above this line, so its instrument and decimals are "
                        "unknown");
    return m_instruments.find(m_symbols.at(found->second.instrument))->second.definition;
}

bool Parser::isLabel(std::string_view text) const
{
    return m_labels.contains(text);
}

void Parser::defineLabel(const Token &label, OrderId id)
{
    const std::string own = std::string("#") + std::to_string(id.value());
    if (isOrderNumber(label.text) && label.text != own)
        fail(label, "label " + shown(label.text) + " would be order number " +
                        shown(label.text.substr(1)) + ", but this is order " + own +
                        "; write 'as " + own + "' or use a name such as B");
    if (!isOrderNumber(label.text) && !isName(label.text))
        fail(label, "invalid order label '" + shown(label.text) + "': expected " +
                        std::string(kNameRule) + ", such as A or bid1, or the order's own #N");
    if (label.text == "all")
        fail(label, "'all' cannot be an order label, as 'cancel all' is a mass cancel");
    if (const auto found = m_labels.find(label.text); found != m_labels.end())
        fail(label, "label " + shown(label.text) + " is already used by the order at line " +
                        std::to_string(m_orders.at(found->second).line));
    if (m_instruments.contains(label.text))
        fail(label,
             "label " + shown(label.text) + " is also an instrument symbol; choose another label");
    m_labels[std::string(label.text)] = id;
    m_result.scenario.names.nameOrder(id, std::string(label.text));
}

std::int64_t Parser::units(const Token &token, int decimals, std::string_view valueName,
                           const InstrumentDefinition &instrument, std::string_view scale) const
{
    const DecimalValue value = parseDecimal(token.text, decimals);
    const std::string text = shown(token.text);
    switch (value.error) {
    case DecimalError::None:
        return value.units;
    case DecimalError::NotANumber:
        fail(token, "invalid " + std::string(valueName) + " '" + text +
                        "': expected a decimal number such as 12.51");
    case DecimalError::TooManyDecimals:
        fail(token, std::string(valueName) + " '" + text + "' has " +
                        std::to_string(value.decimalsWritten) +
                        (value.decimalsWritten == 1 ? " decimal place" : " decimal places") +
                        ", but " + textOf(instrument.symbol) + " " + std::string(scale) + " have " +
                        std::to_string(decimals));
    case DecimalError::OutOfRange:
        break;
    }
    fail(token, std::string(valueName) + " '" + text + "' is out of range");
}

Price Parser::price(const Token &token, const InstrumentDefinition &instrument,
                    std::string_view valueName) const
{
    return Price{units(token, instrument.priceDecimals, valueName, instrument, "prices")};
}

Quantity Parser::quantity(const Token &token, const InstrumentDefinition &instrument,
                          std::string_view valueName) const
{
    return Quantity{units(token, instrument.quantityDecimals, valueName, instrument, "quantities")};
}

std::int64_t Parser::integer(const Token &token, std::string_view valueName, std::int64_t minimum,
                             std::int64_t maximum) const
{
    const DecimalValue value = parseDecimal(token.text, 0);
    if (value.error != DecimalError::None || value.units < minimum || value.units > maximum)
        fail(token, "invalid " + std::string(valueName) + " '" + shown(token.text) +
                        "': expected a whole number from " + std::to_string(minimum) + " to " +
                        std::to_string(maximum));
    return value.units;
}

Timestamp Parser::time(const Token &token) const
{
    if (token.text.starts_with('+'))
        return clockAfter(token, token.text.substr(1), "expiry");
    if (const auto moment = parseTime(token.text))
        return *moment;
    fail(token, "invalid time '" + shown(token.text) +
                    "': expected HH:MM:SS[.fraction], or +DURATION from the scenario clock, such "
                    "as +30s");
}

Timestamp Parser::clockAfter(const Token &token, std::string_view duration,
                             std::string_view valueName) const
{
    const DurationValue value = parseDuration(duration);
    const std::string name(valueName);
    switch (value.error) {
    case DurationError::None:
        break;
    case DurationError::NotADuration:
        fail(token, "invalid " + name + " '" + shown(token.text) +
                        "': expected a number and a unit (h, min, s, ms, us, ns), such as 10s");
    case DurationError::FinerThanNanosecond:
        fail(token, name + " '" + shown(token.text) +
                        "' is finer than a nanosecond, the resolution of the scenario clock");
    case DurationError::OutOfRange:
        fail(token, name + " '" + shown(token.text) +
                        "' is out of range: the scenario clock ends at " +
                        formatTime(Timestamp{std::numeric_limits<std::int64_t>::max()}));
    }

    std::int64_t moment = 0;
    if (__builtin_add_overflow(m_clock.value(), value.nanoseconds, &moment))
        fail(token, name + " '" + shown(token.text) + "' is out of range: the scenario clock at " +
                        formatTime(m_clock) + " would pass its end at " +
                        formatTime(Timestamp{std::numeric_limits<std::int64_t>::max()}));
    return Timestamp{moment};
}

std::uint32_t Parser::basisPoints(const Token &token) const
{
    // "5%" is 500 basis points, "2.5%" is 250 and "300bp" is 300.
    std::string_view text = token.text;
    int decimals = 0;
    if (text.ends_with('%')) {
        text.remove_suffix(1);
        decimals = 2;
    } else if (text.ends_with("bp")) {
        text.remove_suffix(2);
    } else {
        text = {};
    }
    const DecimalValue value = parseDecimal(text, decimals);
    if (text.empty() || value.error != DecimalError::None || value.units < 0 ||
        value.units > std::numeric_limits<std::uint32_t>::max())
        fail(token, "invalid price band '" + shown(token.text) +
                        "': expected a percentage or basis points, such as 5% or 500bp");
    return static_cast<std::uint32_t>(value.units);
}

} // namespace bourse::scenario

#include "order_ticket_input.h"

#include "formatting.h"
#include "money.h"

#include <QCoreApplication>
#include <QRegularExpression>

#include <algorithm>
#include <string>

namespace bourse::ui {

namespace {

QString translate(const char *text)
{
    return QCoreApplication::translate("OrderTicket", text);
}

// Drops zeros past the scale from the end of the fraction, which keeps the value: "101.250" at
// two decimals is "101.25", and "101.00" at none is "101". Other text is left to parseDecimal.
std::string withoutExtraZeros(std::string text, int decimals)
{
    const std::size_t point = text.find('.');
    if (point == std::string::npos)
        return text;

    const std::size_t shortest = point + 1 + static_cast<std::size_t>(decimals);
    std::size_t length = text.size();
    while (length > shortest && text[length - 1] == '0')
        --length;
    if (length < text.size() && length == point + 1)
        length = point;
    text.resize(length);
    return text;
}

// Returns `text` without the commas the panels put between groups of three digits ("1,250.5"
// is "1250.5") and without a trailing point ("10." is "10"). A comma anywhere else stays, so
// that parseDecimal rejects the text as not a number.
QString withoutGrouping(QString text)
{
    static const QRegularExpression grouped(QStringLiteral("^\\d{1,3}(,\\d{3})+(\\.\\d*)?$"));
    if (grouped.match(text).hasMatch())
        text.remove(QLatin1Char(','));
    if (text.endsWith(QLatin1Char('.')) && text.size() > 1)
        text.chop(1);
    return text;
}

// Reads a positive decimal of at most `maximum` units, or returns the problem with the text.
// `aboveMaximum` is the problem of a value above `maximum`.
TypedValue<std::int64_t> readPositiveDecimal(const QString &text, const QString &field,
                                             int decimals, std::int64_t maximum,
                                             const QString &aboveMaximum)
{
    const QString typed = text.trimmed();
    if (typed.isEmpty())
        return {0, translate("%1 is missing.").arg(field)};

    const DecimalValue parsed =
        parseDecimal(withoutExtraZeros(withoutGrouping(typed).toStdString(), decimals), decimals);
    switch (parsed.error) {
    case DecimalError::None:
        break;
    case DecimalError::NotANumber:
        return {0, translate("%1 \"%2\" is not a number: type digits, with a point before any "
                             "decimals.")
                       .arg(field, typed)};
    case DecimalError::TooManyDecimals:
        if (decimals == 0)
            return {0, translate("%1 %2 must be a whole number.").arg(field, typed)};
        return {0, translate("%1 %2 has more than %3 decimals.").arg(field, typed).arg(decimals)};
    case DecimalError::OutOfRange:
        return {0, aboveMaximum};
    }

    if (parsed.units <= 0)
        return {0, translate("%1 must be above zero.").arg(field)};
    if (parsed.units > maximum)
        return {0, aboveMaximum};
    return {parsed.units, {}};
}

QString aboveEngineMaximum(const QString &text, const QString &field, const QString &maximum)
{
    return translate("%1 %2 is above the maximum %3.").arg(field, text.trimmed(), maximum);
}

// Reads a quantity of at most `maximum` units on the lot grid.
TypedValue<Quantity> readQuantityUpTo(const QString &text, const QString &field, int decimals,
                                      Quantity lotSize, Quantity maximum,
                                      const QString &aboveMaximum)
{
    const TypedValue<std::int64_t> units =
        readPositiveDecimal(text, field, decimals, maximum.value(), aboveMaximum);
    if (!units.ok())
        return {Quantity{}, units.problem};

    if (lotSize.value() > 0 && units.value % lotSize.value() != 0) {
        return {Quantity{}, translate("%1 %2 is not a multiple of the lot size %3.")
                                .arg(field, text.trimmed(), formatQuantity(lotSize, decimals))};
    }
    return {Quantity{units.value}, {}};
}

} // namespace

TypedValue<Price> readPrice(const QString &text, const QString &field, int decimals, Price tickSize)
{
    // Money and prices share the fixed-point layout, and formatMoney groups the whole part.
    const TypedValue<std::int64_t> units = readPositiveDecimal(
        text, field, decimals, kMaximumPrice.value(),
        aboveEngineMaximum(text, field, formatMoney(Money{kMaximumPrice.value()}, decimals)));
    if (!units.ok())
        return {Price{}, units.problem};

    // An instrument's tick is at least 1, because the engine rejects any other definition. A
    // smaller one comes only from an empty view, where every price counts as on tick.
    if (tickSize.value() > 0 && units.value % tickSize.value() != 0) {
        return {Price{}, translate("%1 %2 is not a multiple of the tick size %3.")
                             .arg(field, text.trimmed(), formatPrice(tickSize, decimals))};
    }
    return {Price{units.value}, {}};
}

TypedValue<Quantity> readQuantity(const QString &text, const QString &field, int decimals,
                                  Quantity lotSize)
{
    return readQuantityUpTo(
        text, field, decimals, lotSize, kMaximumQuantity,
        aboveEngineMaximum(text, field, formatQuantity(kMaximumQuantity, decimals)));
}

TypedValue<Quantity> readOrderQuantity(const QString &text, const QString &field, int decimals,
                                       Quantity lotSize, QuantityLimits limits)
{
    // The engine accepts no definition with limits outside 1 .. kMaximumQuantity, so a view
    // without a quote for the instrument is the only source of other values.
    const Quantity maximum = std::clamp(limits.maximum, Quantity{1}, kMaximumQuantity);
    const QString aboveMaximum =
        maximum < kMaximumQuantity
            ? translate("%1 %2 is above the instrument's maximum order quantity %3.")
                  .arg(field, text.trimmed(), formatQuantity(maximum, decimals))
            : aboveEngineMaximum(text, field, formatQuantity(kMaximumQuantity, decimals));
    const TypedValue<Quantity> quantity =
        readQuantityUpTo(text, field, decimals, lotSize, maximum, aboveMaximum);
    if (!quantity.ok())
        return quantity;

    if (quantity.value < limits.minimum) {
        return {Quantity{},
                translate("%1 %2 is below the instrument's minimum order quantity %3.")
                    .arg(field, text.trimmed(), formatQuantity(limits.minimum, decimals))};
    }
    return quantity;
}

QString editableText(std::int64_t units, int decimals)
{
    return QString::fromStdString(toDecimalText(units, decimals).toString());
}

} // namespace bourse::ui

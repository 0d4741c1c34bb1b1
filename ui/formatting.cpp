#include "formatting.h"

#include <QDateTime>
#include <QTime>

#include <algorithm>

namespace bourse::ui {

namespace {

constexpr std::int64_t nanosecondsPerMillisecond = 1'000'000;
constexpr std::int64_t nanosecondsPerSecond = 1'000'000'000;
constexpr std::int64_t nanosecondsPerDay = 86'400 * nanosecondsPerSecond;

std::uint64_t magnitude(std::int64_t value)
{
    // Negating in unsigned arithmetic keeps INT64_MIN well defined.
    return value < 0 ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
}

std::uint64_t powerOfTen(int exponent)
{
    std::uint64_t result = 1;
    for (int i = 0; i < exponent; ++i)
        result *= 10;
    return result;
}

QString twoDigits(std::int64_t value)
{
    return QStringLiteral("%1").arg(value, 2, 10, QChar('0'));
}

} // namespace

QString formatPrice(Price price, int decimals)
{
    decimals = std::clamp(decimals, 0, 18);
    const std::uint64_t absolute = magnitude(price.value());
    const QString sign = price.value() < 0 ? QStringLiteral("-") : QString();
    if (decimals == 0)
        return sign + QString::number(absolute);

    const std::uint64_t scale = powerOfTen(decimals);
    return QStringLiteral("%1%2.%3")
        .arg(sign)
        .arg(absolute / scale)
        .arg(absolute % scale, decimals, 10, QChar('0'));
}

QString formatCount(std::int64_t value)
{
    QString digits = QString::number(magnitude(value));
    for (qsizetype position = digits.size() - 3; position > 0; position -= 3)
        digits.insert(position, QChar(','));
    return value < 0 ? QStringLiteral("-") + digits : digits;
}

namespace {

QString groupedDecimal(std::int64_t value, int decimals)
{
    decimals = std::clamp(decimals, 0, 18);
    const std::uint64_t absolute = magnitude(value);
    const std::uint64_t scale = powerOfTen(decimals);
    QString text = QString::number(absolute / scale);
    for (qsizetype position = text.size() - 3; position > 0; position -= 3)
        text.insert(position, QChar(','));
    if (decimals > 0)
        text += QStringLiteral(".%1").arg(absolute % scale, decimals, 10, QChar('0'));
    return value < 0 ? QStringLiteral("-") + text : text;
}

} // namespace

QString formatQuantity(Quantity quantity, int decimals)
{
    return groupedDecimal(quantity.value(), decimals);
}

QString formatMoney(Money amount, int decimals)
{
    return groupedDecimal(amount.value(), decimals);
}

std::int64_t nanosecondsIntoDay(Timestamp time)
{
    const std::int64_t nanoseconds = time.value();
    if (nanoseconds >= 0 && nanoseconds < nanosecondsPerDay)
        return nanoseconds;

    const std::int64_t milliseconds = nanoseconds / nanosecondsPerMillisecond;
    const QTime local = QDateTime::fromMSecsSinceEpoch(milliseconds).time();
    const std::int64_t belowMillisecond = nanoseconds % nanosecondsPerMillisecond;
    return std::int64_t{local.msecsSinceStartOfDay()} * nanosecondsPerMillisecond +
           belowMillisecond;
}

QString formatTimeOfDay(Timestamp time, TimePrecision precision)
{
    const std::int64_t nanoseconds = nanosecondsIntoDay(time);
    const std::int64_t seconds = nanoseconds / nanosecondsPerSecond;
    QString text = twoDigits(seconds / 3600) + QChar(':') + twoDigits(seconds / 60 % 60);
    if (precision == TimePrecision::Minutes)
        return text;

    text += QChar(':') + twoDigits(seconds % 60);
    if (precision == TimePrecision::Seconds)
        return text;

    const std::int64_t milliseconds = nanoseconds / nanosecondsPerMillisecond % 1000;
    return text + QStringLiteral(".%1").arg(milliseconds, 3, 10, QChar('0'));
}

} // namespace bourse::ui

#pragma once

#include "money.h"
#include "types.h"

#include <QString>

#include <cstdint>

namespace bourse::ui {

// Formats integer ticks with `decimals` digits after the point, by integer arithmetic only:
// 5794000 with 4 decimals is "579.4000", -150 with 2 is "-1.50". Decimals outside 0..18 are
// clamped to that range, because 10^18 is the largest power of ten an int64 holds.
QString formatPrice(Price price, int decimals);

// Formats a count with a comma between groups of three digits: 1234567 is "1,234,567".
QString formatCount(std::int64_t value);

inline QString formatQuantity(Quantity quantity)
{
    return formatCount(quantity.value());
}

// Formats lots with `decimals` digits after the point and the whole part grouped by three:
// 1234567 lots with 2 decimals is "12,345.67". Zero decimals is formatQuantity(quantity).
QString formatQuantity(Quantity quantity, int decimals);

// Formats an amount in units of 10^-decimals with the whole part grouped by three:
// -123456789 with 2 decimals is "-1,234,567.89".
QString formatMoney(Money amount, int decimals);

enum class TimePrecision { Minutes, Seconds, Milliseconds };

// Formats the time of day of a timestamp as "HH:MM", "HH:MM:SS" or "HH:MM:SS.mmm".
// A timestamp within the first 24 hours counts from midnight, as replayed data does. A later
// one is Unix epoch time, shown in local time.
QString formatTimeOfDay(Timestamp time, TimePrecision precision);

// Nanoseconds since midnight of a timestamp, by the same rule as formatTimeOfDay.
std::int64_t nanosecondsIntoDay(Timestamp time);

} // namespace bourse::ui

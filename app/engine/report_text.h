#pragma once

// Text for the session report: XML escaping, exact decimals grouped by three, UTC times and
// durations. Every number is formatted from its integer units, never through floating point.

#include "money.h"
#include "types.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace bourse::cli::report {

// The text with &, <, >, " and ' as character references, so that it is safe in element content
// and in attribute values. A control character or a byte that is not part of well-formed UTF-8,
// which XML does not allow, is written as the text "\xNN" instead.
std::string escapeXml(std::string_view text);

// Units of 10^-decimals as decimal text with the whole part grouped by three:
// (-123456789, 2) is "-1,234,567.89". The sign is the ASCII hyphen-minus.
std::string groupedDecimal(std::int64_t units, int decimals);

inline std::string formatMoney(Money amount, int decimals)
{
    return groupedDecimal(amount.value(), decimals);
}

std::string formatCount(std::uint64_t count);

// The share part / whole in percent with one decimal, rounded half up: (1, 3) is "33.3%".
// An em dash when whole is zero.
std::string formatPercent(std::uint64_t part, std::uint64_t whole);

// Whether a timestamp counts from midnight, as replayed data and scenarios do, rather than from
// the Unix epoch: the terminal's rule is that a timestamp within the first 24 hours is a time of
// day.
bool isTimeOfDay(Timestamp time);

// A timestamp as "HH:MM:SS.mmm" in UTC, with "YYYY-MM-DD " before it when `withDate` is set and
// the timestamp counts from the Unix epoch. A time of day never has a date. Milliseconds are
// truncated, as the terminal truncates them.
std::string formatTime(Timestamp time, bool withDate);

// The UTC calendar day of an epoch timestamp as a number of days since 1970-01-01, rounded
// toward negative infinity.
std::int64_t utcDay(Timestamp time);

// A duration such as "12 min 30 s", "1 h 5 min 0.250 s", "10 min" or "750 ms". Seconds are left
// out when they are zero, and get three decimals only when they have a fraction. The fraction
// below one millisecond is truncated.
std::string formatDuration(std::int64_t nanoseconds);

} // namespace bourse::cli::report

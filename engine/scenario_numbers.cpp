// Exact conversion of the numbers, times and durations of scenario text.

#include "scenario.h"

#include <cctype>
#include <limits>
#include <vector>

namespace bourse::scenario {

namespace {

bool isDigit(char c)
{
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

bool allDigits(std::string_view text)
{
    if (text.empty())
        return false;
    for (char c : text) {
        if (!isDigit(c))
            return false;
    }
    return true;
}

// Appends digits to value (value * 10 + digit, each step checked). Returns false on overflow.
bool appendDigits(std::int64_t &value, std::string_view digits)
{
    for (char c : digits) {
        if (__builtin_mul_overflow(value, 10, &value) ||
            __builtin_add_overflow(value, c - '0', &value))
            return false;
    }
    return true;
}

std::optional<std::int64_t> parseWholeNumber(std::string_view digits)
{
    std::int64_t value = 0;
    if (!allDigits(digits) || !appendDigits(value, digits))
        return std::nullopt;
    return value;
}

} // namespace

DecimalValue parseDecimal(std::string_view text, int decimals)
{
    DecimalValue result;
    const bool negative = !text.empty() && text.front() == '-';
    if (negative)
        text.remove_prefix(1);

    const std::size_t point = text.find('.');
    const std::string_view whole = text.substr(0, point);
    const std::string_view fraction =
        point == std::string_view::npos ? std::string_view{} : text.substr(point + 1);
    const bool wellFormed =
        allDigits(whole) && (point == std::string_view::npos || allDigits(fraction));
    if (!wellFormed) {
        result.error = DecimalError::NotANumber;
        return result;
    }

    result.decimalsWritten = static_cast<int>(fraction.size());
    if (result.decimalsWritten > decimals) {
        result.error = DecimalError::TooManyDecimals;
        return result;
    }

    // The digits are the value in units of 10^-decimalsWritten, and padding with zeros scales them
    // to 10^-decimals. Every step is integer arithmetic, checked for overflow.
    std::int64_t units = 0;
    bool inRange = appendDigits(units, whole) && appendDigits(units, fraction);
    for (int i = result.decimalsWritten; inRange && i < decimals; ++i)
        inRange = !__builtin_mul_overflow(units, 10, &units);
    if (!inRange) {
        result.error = DecimalError::OutOfRange;
        return result;
    }
    result.units = negative ? -units : units;
    return result;
}

std::optional<Timestamp> parseTime(std::string_view text)
{
    constexpr std::int64_t kSecond = 1'000'000'000;
    const std::size_t point = text.find('.');
    const std::string_view clock = text.substr(0, point);

    std::vector<std::string_view> parts;
    for (std::size_t start = 0;;) {
        const std::size_t colon = clock.find(':', start);
        parts.push_back(clock.substr(start, colon - start));
        if (colon == std::string_view::npos)
            break;
        start = colon + 1;
    }
    if (parts.size() < 2 || parts.size() > 3)
        return std::nullopt;

    // Hours have one or two digits, minutes and seconds two.
    std::int64_t values[3] = {0, 0, 0};
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto number = parseWholeNumber(parts[i]);
        const std::size_t maximumWidth = 2;
        if (!number || parts[i].size() > maximumWidth || (i > 0 && parts[i].size() != 2))
            return std::nullopt;
        values[i] = *number;
    }
    if (values[1] > 59 || values[2] > 59)
        return std::nullopt;

    std::int64_t nanoseconds = 0;
    if (point != std::string_view::npos) {
        const std::string_view fraction = text.substr(point + 1);
        const auto digits = parseWholeNumber(fraction);
        if (parts.size() != 3 || !digits || fraction.size() > 9)
            return std::nullopt;
        nanoseconds = *digits;
        for (std::size_t i = fraction.size(); i < 9; ++i)
            nanoseconds *= 10;
    }
    const std::int64_t seconds = values[0] * 3600 + values[1] * 60 + values[2];
    return Timestamp{seconds * kSecond + nanoseconds};
}

std::optional<std::int64_t> parseDuration(std::string_view text)
{
    struct Unit {
        std::string_view suffix;
        std::int64_t nanoseconds;
    };
    // Longer suffixes first, so that "ms" is not read as "s".
    static constexpr Unit kUnits[] = {
        {"min", 60'000'000'000},  {"ms", 1'000'000},     {"us", 1'000},        {"ns", 1},
        {"h", 3'600'000'000'000}, {"m", 60'000'000'000}, {"s", 1'000'000'000},
    };
    for (const Unit &unit : kUnits) {
        if (text.size() <= unit.suffix.size() || !text.ends_with(unit.suffix))
            continue;
        const std::string_view number = text.substr(0, text.size() - unit.suffix.size());
        if (number.front() == '-')
            return std::nullopt;
        // Nine decimals are enough for any unit down to a nanosecond, and finer parts must be zero.
        const DecimalValue value = parseDecimal(number, 9);
        if (value.error != DecimalError::None)
            return std::nullopt;
        __extension__ using Int128 = __int128;
        const Int128 scaled = Int128{value.units} * unit.nanoseconds;
        if (scaled % 1'000'000'000 != 0)
            return std::nullopt;
        const Int128 nanoseconds = scaled / 1'000'000'000;
        if (nanoseconds > std::numeric_limits<std::int64_t>::max())
            return std::nullopt;
        return static_cast<std::int64_t>(nanoseconds);
    }
    return std::nullopt;
}

} // namespace bourse::scenario

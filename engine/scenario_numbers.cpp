// Exact conversion of the times and durations of scenario text. Decimal numbers convert with
// parseDecimal (money.h).

#include "scenario.h"

#include <cctype>
#include <limits>
#include <vector>

namespace bourse::scenario {

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

namespace {

__extension__ using Int128 = __int128;

// Nanoseconds of number * unit, where number is digits[.digits].
DurationValue scaleDuration(std::string_view number, std::int64_t unit)
{
    const std::size_t point = number.find('.');
    const std::string_view whole = number.substr(0, point);
    std::string_view fraction =
        point == std::string_view::npos ? std::string_view{} : number.substr(point + 1);
    if (!allDigits(whole) || (point != std::string_view::npos && !allDigits(fraction)))
        return {0, DurationError::NotADuration};

    // Trailing zeros change nothing. Past 18 significant decimals, 10^decimals cannot divide
    // fraction * unit for any unit here, so the duration is no whole number of nanoseconds.
    while (!fraction.empty() && fraction.back() == '0')
        fraction.remove_suffix(1);
    if (fraction.size() > 18)
        return {0, DurationError::FinerThanNanosecond};
    Int128 fractionDigits = 0;
    Int128 fractionScale = 1;
    for (char c : fraction) {
        fractionDigits = fractionDigits * 10 + (c - '0');
        fractionScale *= 10;
    }
    const Int128 fractionNanoseconds = fractionDigits * unit;
    if (fractionNanoseconds % fractionScale != 0)
        return {0, DurationError::FinerThanNanosecond};

    constexpr Int128 kMaximum = std::numeric_limits<std::int64_t>::max();
    Int128 nanoseconds = fractionNanoseconds / fractionScale;
    Int128 wholeUnits = 0;
    for (char c : whole) {
        wholeUnits = wholeUnits * 10 + (c - '0');
        if (wholeUnits * unit + nanoseconds > kMaximum)
            return {0, DurationError::OutOfRange};
    }
    nanoseconds += wholeUnits * unit;
    return {static_cast<std::int64_t>(nanoseconds), DurationError::None};
}

} // namespace

DurationValue parseDuration(std::string_view text)
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
        return scaleDuration(text.substr(0, text.size() - unit.suffix.size()), unit.nanoseconds);
    }
    return {0, DurationError::NotADuration};
}

} // namespace bourse::scenario

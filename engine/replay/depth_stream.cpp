#include "depth_parsing.h"

#include "money.h"

#include <cstdint>
#include <limits>

namespace bourse::replay::detail {

namespace {

constexpr std::int64_t kNanosecondsPerMillisecond = 1'000'000;

// Returns `text` without zeros past `decimals` at the end of its fraction, which keep the
// value: "20377.00" at one decimal reads as "20377.0".
std::string_view withoutExtraZeros(std::string_view text, int decimals)
{
    const std::size_t point = text.find('.');
    if (point == std::string_view::npos)
        return text;
    const std::size_t shortest = point + 1 + static_cast<std::size_t>(decimals);
    while (text.size() > shortest && text.back() == '0')
        text.remove_suffix(1);
    if (text.size() == point + 1)
        text.remove_suffix(1);
    return text;
}

// Converts one decimal of a level; `name` is "price" or "size".
std::string parseAmount(std::string_view text, int decimals, const char *name, std::int64_t &units)
{
    const DecimalValue value = parseDecimal(withoutExtraZeros(text, decimals), decimals);
    switch (value.error) {
    case DecimalError::None:
        units = value.units;
        return {};
    case DecimalError::NotANumber:
        return std::string("invalid ") + name + " " + lobster::quotedInput(text) +
               ": expected a decimal number";
    case DecimalError::TooManyDecimals:
        return std::string(name) + " " + lobster::quotedInput(text) + " has more than " +
               std::to_string(decimals) + " decimals, the instrument's " + name + " scale";
    case DecimalError::OutOfRange:
        break;
    }
    return std::string(name) + " " + lobster::quotedInput(text) + " is out of range";
}

} // namespace

std::string checkScale(const DepthScale &scale)
{
    if (scale.priceDecimals < 0 || scale.priceDecimals > kMaximumDecimals ||
        scale.sizeDecimals < 0 || scale.sizeDecimals > kMaximumDecimals)
        return "invalid scale of " + std::to_string(scale.priceDecimals) + " price and " +
               std::to_string(scale.sizeDecimals) + " size decimals: each must be 0 to " +
               std::to_string(kMaximumDecimals);
    return {};
}

std::string parseLevel(std::string_view price, std::string_view size, const DepthScale &scale,
                       BookLevel &level)
{
    std::int64_t priceUnits = 0;
    if (std::string problem = parseAmount(price, scale.priceDecimals, "price", priceUnits);
        !problem.empty())
        return problem;
    std::int64_t sizeUnits = 0;
    if (std::string problem = parseAmount(size, scale.sizeDecimals, "size", sizeUnits);
        !problem.empty())
        return problem;

    if (priceUnits <= 0)
        return "price " + lobster::quotedInput(price) + " is not positive";
    if (sizeUnits < 0)
        return "size " + lobster::quotedInput(size) + " is negative";
    if (Price{priceUnits} > kMaximumPrice)
        return "price " + lobster::quotedInput(price) +
               " is above the engine's maximum of 10^15 price units";
    if (Quantity{sizeUnits} > kMaximumQuantity)
        return "size " + lobster::quotedInput(size) +
               " is above the engine's maximum of 10^12 lots";

    level = BookLevel{Price{priceUnits}, Quantity{sizeUnits}};
    return {};
}

std::optional<Timestamp> timestampFromMilliseconds(std::uint64_t milliseconds)
{
    constexpr auto kLargest = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max() /
                                                         kNanosecondsPerMillisecond);
    if (milliseconds > kLargest)
        return std::nullopt;
    return Timestamp{static_cast<std::int64_t>(milliseconds) * kNanosecondsPerMillisecond};
}

} // namespace bourse::replay::detail

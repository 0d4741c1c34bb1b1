// Decimal text conversion and the 256-bit path of the money computations (money.h).

#include "money.h"

#include <cctype>

namespace bourse {

namespace {

bool isDigit(char c)
{
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
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

} // namespace

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

std::optional<std::int64_t> parseWholeNumber(std::string_view digits)
{
    std::int64_t value = 0;
    if (!allDigits(digits) || !appendDigits(value, digits))
        return std::nullopt;
    return value;
}

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

DecimalText toDecimalText(std::int64_t units, int decimals)
{
    DecimalText text;
    if (decimals < 0 || decimals > kMaximumDecimals)
        return text;

    // Digits from the last, into the end of a scratch buffer: at most 19 digits of the
    // magnitude, or decimals + 1 when leading zeros pad it ("0.0005").
    std::array<char, 24> digits{};
    std::size_t start = digits.size();
    std::uint64_t magnitude = detail::magnitudeOf(units);
    const auto width = static_cast<std::size_t>(decimals) + 1;
    while (magnitude > 0 || digits.size() - start < width) {
        digits[--start] = static_cast<char>('0' + magnitude % 10);
        magnitude /= 10;
    }

    const auto append = [&text](char c) { text.characters[text.size++] = c; };
    if (units < 0)
        append('-');
    const std::size_t pointAt = digits.size() - static_cast<std::size_t>(decimals);
    for (std::size_t i = start; i < digits.size(); ++i) {
        if (i == pointAt)
            append('.');
        append(digits[i]);
    }
    return text;
}

std::string_view nameOf(MoneyError error)
{
    switch (error) {
    case MoneyError::None:
        return "none";
    case MoneyError::OutOfRange:
        return "out-of-range";
    case MoneyError::NotOnTick:
        return "not-on-tick";
    case MoneyError::NotOnLot:
        return "not-on-lot";
    case MoneyError::InvalidIncrement:
        return "invalid-increment";
    case MoneyError::InvalidScale:
        return "invalid-scale";
    case MoneyError::InvalidMultiplier:
        return "invalid-multiplier";
    }
    return "unknown";
}

std::string_view nameOf(DecimalError error)
{
    switch (error) {
    case DecimalError::None:
        return "none";
    case DecimalError::NotANumber:
        return "not-a-number";
    case DecimalError::TooManyDecimals:
        return "too-many-decimals";
    case DecimalError::OutOfRange:
        return "out-of-range";
    }
    return "unknown";
}

namespace detail {

namespace {

// A 256-bit unsigned magnitude, least significant limb first. The product of four int64
// magnitudes is below 2^252, so a fee's exact value fits before it is rescaled.
struct UInt256 {
    std::array<std::uint64_t, 4> limbs{};

    constexpr UInt256() = default;
    constexpr explicit UInt256(std::uint64_t value)
        : limbs{value, 0, 0, 0}
    {
    }
};

// The operations the templates of money.h call, found by argument-dependent lookup.
constexpr bool multiply(UInt256 &value, std::uint64_t factor)
{
    UInt128 carry = 0;
    for (std::uint64_t &limb : value.limbs) {
        const UInt128 product = UInt128{limb} * factor + carry;
        limb = static_cast<std::uint64_t>(product);
        carry = product >> 64;
    }
    return carry == 0;
}

constexpr bool add(UInt256 &value, const UInt256 &addend)
{
    UInt128 carry = 0;
    for (std::size_t i = 0; i < value.limbs.size(); ++i) {
        const UInt128 sum = UInt128{value.limbs[i]} + addend.limbs[i] + carry;
        value.limbs[i] = static_cast<std::uint64_t>(sum);
        carry = sum >> 64;
    }
    return carry == 0;
}

constexpr void subtract(UInt256 &value, const UInt256 &subtrahend)
{
    // A limb that goes below zero wraps modulo 2^128, which sets the high half: a borrow.
    std::uint64_t borrow = 0;
    for (std::size_t i = 0; i < value.limbs.size(); ++i) {
        const UInt128 difference = UInt128{value.limbs[i]} - subtrahend.limbs[i] - borrow;
        value.limbs[i] = static_cast<std::uint64_t>(difference);
        borrow = (difference >> 64) != 0 ? 1 : 0;
    }
}

constexpr bool less(const UInt256 &a, const UInt256 &b)
{
    for (std::size_t i = a.limbs.size(); i-- > 0;) {
        if (a.limbs[i] != b.limbs[i])
            return a.limbs[i] < b.limbs[i];
    }
    return false;
}

constexpr std::uint64_t divideSmall(UInt256 &value, std::uint64_t divisor)
{
    UInt128 remainder = 0;
    for (std::size_t i = value.limbs.size(); i-- > 0;) {
        const UInt128 current = (remainder << 64) | value.limbs[i];
        value.limbs[i] = static_cast<std::uint64_t>(current / divisor);
        remainder = current % divisor;
    }
    return static_cast<std::uint64_t>(remainder);
}

constexpr bool fitsInt64(const UInt256 &value, std::uint64_t &out)
{
    if (value.limbs[1] != 0 || value.limbs[2] != 0 || value.limbs[3] != 0 ||
        value.limbs[0] > kMaximumMagnitude)
        return false;
    out = value.limbs[0];
    return true;
}

} // namespace

Checked<Money> scaledNotional(Price price, Quantity quantity, const Valuation &valuation)
{
    if (const MoneyError error = validate(valuation); error != MoneyError::None)
        return {Money{}, error};
    if (const auto exact = exactNotional<std::uint64_t>(price, quantity, valuation))
        return toMoney(*exact, valuation.moneyDecimals, kNotionalRounding);
    if (const auto exact = exactNotional<UInt128>(price, quantity, valuation))
        return toMoney(*exact, valuation.moneyDecimals, kNotionalRounding);
    return notionalWide(price, quantity, valuation);
}

// Each product below has at most four int64 factors, so it fits 256 bits, and an overflow while
// scaling or adding is a result far past INT64_MAX.
Checked<Money> notionalWide(Price price, Quantity quantity, const Valuation &valuation)
{
    const auto exact = exactNotional<UInt256>(price, quantity, valuation);
    if (!exact)
        return {Money{}, MoneyError::OutOfRange};
    return toMoney(*exact, valuation.moneyDecimals, kNotionalRounding);
}

Checked<Money> feeWide(Price price, Quantity quantity, const Valuation &valuation,
                       const FeeSchedule &schedule)
{
    const auto exact = exactFee<UInt256>(price, quantity, valuation, schedule);
    if (!exact)
        return {Money{}, MoneyError::OutOfRange};
    return applyMinimum(toMoney(*exact, valuation.moneyDecimals, kFeeRounding), schedule.minimum);
}

Checked<Money> profitAndLossWide(Price entry, Price exit, Quantity quantity,
                                 const Valuation &valuation)
{
    const auto exact = exactProfitAndLoss<UInt256>(entry, exit, quantity, valuation);
    if (!exact)
        return {Money{}, MoneyError::OutOfRange};
    return toMoney(*exact, valuation.moneyDecimals, kProfitAndLossRounding);
}

} // namespace detail

} // namespace bourse

#pragma once

// Exact arithmetic for prices, sizes and money. Nothing here uses floating point.
//
// Representation. A Price is an integer count of 10^-priceDecimals price units, and a Quantity
// an integer count of 10^-quantityDecimals quantity units (InstrumentDefinition in events.h).
// Money is an integer count of 10^-moneyDecimals units of an account's currency. Decimal text
// becomes these integers digit by digit (parseDecimal), so "0.29" is 29 at two decimals and
// never 28.
//
// Scale. The money scale is a run-time parameter, not part of the type. Accounts are configured
// and restored from journals at run time, in currencies of different precision (USD with 2 or
// 4 decimals, BTC with 8), and a compile-time scale would need one type per currency. So Money
// is a plain int64 wrapper, the account that owns an amount also owns its scale, and amounts
// are only combined within one account. Valuation carries the scale into each computation.
//
// Range. Every result is checked. A value outside [-INT64_MAX, INT64_MAX] is
// MoneyError::OutOfRange, never wrapped or saturated, and INT64_MIN is excluded so that
// negation is always exact. Products run in 128-bit integers inline. When a product leaves
// 128 bits, which takes a large multiplier or fee rate, the computation is redone in 256 bits
// out of line, so an intermediate never causes an error for a result that fits int64. With
// every scale at most kMaximumDecimals, a 256-bit intermediate that overflows implies a result
// past int64.
//
// Rounding. An exact amount with more decimals than the money scale is rounded once, at the
// end, in detail::roundQuotient, by one of two rules:
// - Fees round toward positive infinity (Rounding::Ceiling). A charge is never rounded down
//   and a rebate (a negative fee) is never rounded up in size, so the venue never pays for
//   rounding.
// - Notionals and P&L round half to even (Rounding::HalfEven). They are transfers between two
//   sides, and half to even is symmetric under negation (the buyer's -x is the seller's +x)
//   and unbiased over many fills. When the money scale has at least price plus quantity
//   decimals, they are exact and nothing is rounded.

#include "types.h"

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace bourse {

// The largest number of decimals of a price, quantity or money scale: 10^18 is the largest
// power of ten in an int64.
inline constexpr int kMaximumDecimals = 18;

// ---------------------------------------------------------------------------------------------
// Decimal text

enum class DecimalError : std::uint8_t {
    None = 0,
    NotANumber,      // not [-]digits[.digits]
    TooManyDecimals, // more decimal places than the scale allows
    OutOfRange,      // beyond 64 bits at the scale
};

struct DecimalValue {
    std::int64_t units = 0; // the value times 10^decimals
    DecimalError error = DecimalError::None;
    int decimalsWritten = 0;
};

// Converts decimal text to integer units of 10^-decimals digit by digit, never through a binary
// float: ("16.90", 2) is 1690 and ("0.29", 2) is 29. The accepted form is an optional '-', one
// or more digits, then optionally '.' and one or more digits. Everything else is NotANumber:
// spaces, '+', exponents ("1e3"), "1." and ".5". Text with more decimal places than `decimals`,
// even trailing zeros, is TooManyDecimals, so the text always shows the real precision. A
// magnitude past INT64_MAX at the scale is OutOfRange, which rejects INT64_MIN as well.
DecimalValue parseDecimal(std::string_view text, int decimals);

// True when text is one or more ASCII digits and nothing else.
bool allDigits(std::string_view text);

// The value of one or more ASCII digits; nothing for any other character, for empty text, or
// for a value past INT64_MAX.
std::optional<std::int64_t> parseWholeNumber(std::string_view digits);

// Decimal text of a fixed size, so that formatting allocates nothing.
struct DecimalText {
    std::array<char, 24> characters{};
    std::uint8_t size = 0;

    std::string_view view() const { return {characters.data(), size}; }
    std::string toString() const { return std::string(view()); }
};

// Formats units of 10^-decimals as decimal text with exactly `decimals` places: (50700, 4) is
// "5.0700" and (-5, 4) is "-0.0005". The text is empty when decimals is outside
// [0, kMaximumDecimals].
DecimalText toDecimalText(std::int64_t units, int decimals);

// ---------------------------------------------------------------------------------------------
// Checked results

// The reason a money computation failed. Each failure names exactly one.
enum class MoneyError : std::uint8_t {
    None = 0,
    OutOfRange,        // the result, or an amount it is made of, is outside [-INT64_MAX, INT64_MAX]
    NotOnTick,         // a price that is not a multiple of the tick size
    NotOnLot,          // a quantity that is not a multiple of the lot size
    InvalidIncrement,  // a tick size or lot size that is zero or negative
    InvalidScale,      // a price, quantity or money scale outside [0, kMaximumDecimals]
    InvalidMultiplier, // a contract multiplier that is zero or negative
};

std::string_view nameOf(MoneyError error);
std::string_view nameOf(DecimalError error);

// A value or the reason there is none. `value` is zero whenever `error` is set.
template <typename T>
struct Checked {
    T value{};
    MoneyError error = MoneyError::None;

    constexpr bool ok() const { return error == MoneyError::None; }
};

// ---------------------------------------------------------------------------------------------
// Ticks and lots

// The number of ticks in `price`. A price off the tick is NotOnTick, never rounded.
constexpr Checked<std::int64_t> ticksOf(Price price, Price tickSize)
{
    if (tickSize.value() <= 0)
        return {0, MoneyError::InvalidIncrement};
    if (price.value() % tickSize.value() != 0)
        return {0, MoneyError::NotOnTick};
    return {price.value() / tickSize.value()};
}

// The price of `ticks` ticks, or OutOfRange when it does not fit.
constexpr Checked<Price> priceOfTicks(std::int64_t ticks, Price tickSize)
{
    if (tickSize.value() <= 0)
        return {Price{}, MoneyError::InvalidIncrement};
    std::int64_t units = 0;
    if (__builtin_mul_overflow(ticks, tickSize.value(), &units))
        return {Price{}, MoneyError::OutOfRange};
    return {Price{units}};
}

// The number of lots in `quantity`. A quantity off the lot is NotOnLot, never rounded.
constexpr Checked<std::int64_t> lotsOf(Quantity quantity, Quantity lotSize)
{
    if (lotSize.value() <= 0)
        return {0, MoneyError::InvalidIncrement};
    if (quantity.value() % lotSize.value() != 0)
        return {0, MoneyError::NotOnLot};
    return {quantity.value() / lotSize.value()};
}

// The quantity of `lots` lots, or OutOfRange when it does not fit.
constexpr Checked<Quantity> quantityOfLots(std::int64_t lots, Quantity lotSize)
{
    if (lotSize.value() <= 0)
        return {Quantity{}, MoneyError::InvalidIncrement};
    std::int64_t units = 0;
    if (__builtin_mul_overflow(lots, lotSize.value(), &units))
        return {Quantity{}, MoneyError::OutOfRange};
    return {Quantity{units}};
}

// ---------------------------------------------------------------------------------------------
// Money

// An amount of an account's currency in units of 10^-moneyDecimals, where the account defines
// moneyDecimals. It has no arithmetic operators: addMoney and subtractMoney check the range.
class Money : public StrongInteger<struct MoneyTag, std::int64_t> {
public:
    using StrongInteger::StrongInteger;
};

inline DecimalText toDecimalText(Money amount, int moneyDecimals)
{
    return toDecimalText(amount.value(), moneyDecimals);
}

constexpr Checked<Money> addMoney(Money a, Money b)
{
    std::int64_t sum = 0;
    if (__builtin_add_overflow(a.value(), b.value(), &sum) ||
        sum == std::numeric_limits<std::int64_t>::min())
        return {Money{}, MoneyError::OutOfRange};
    return {Money{sum}};
}

constexpr Checked<Money> subtractMoney(Money a, Money b)
{
    std::int64_t difference = 0;
    if (__builtin_sub_overflow(a.value(), b.value(), &difference) ||
        difference == std::numeric_limits<std::int64_t>::min())
        return {Money{}, MoneyError::OutOfRange};
    return {Money{difference}};
}

// The terms that turn an instrument's prices and quantities into money of one account: a price
// P and a quantity Q are worth P * Q * multiplier currency units. Build it from the instrument's
// definition and the account's money scale.
// NOTE: the instrument's currency must be the account's, because nothing here converts
// currencies.
struct Valuation {
    std::uint8_t priceDecimals = 0;
    std::uint8_t quantityDecimals = 0;
    std::int64_t multiplier = 1; // currency units per price unit and quantity unit
    std::uint8_t moneyDecimals = 0;
};

// A fee rate in parts per million of the notional, which is hundredths of a basis point:
// 4 bp (0.04%) is 400 and 0.25 bp is 25. A negative rate is a rebate. Text converts exactly
// with parseDecimal: basis points at 2 decimals, or percent at 4 decimals, give this number.
struct FeeRate {
    std::int64_t partsPerMillion = 0;

    // A 32-bit argument keeps the product inside int64.
    static constexpr FeeRate fromBasisPoints(std::int32_t basisPoints)
    {
        return FeeRate{std::int64_t{basisPoints} * 100};
    }
};

// The fee of one fill: rate * |notional| + perUnit * |quantity|, rounded up to the money scale
// once, then raised to `minimum` when it is a charge below it. A sell pays as a buy does. The
// minimum does not apply to a fee of zero or to a rebate.
struct FeeSchedule {
    FeeRate rate;
    Money perUnit; // per whole quantity unit (one share, one contract), in money units
    Money minimum; // in money units
};

enum class Rounding : std::uint8_t {
    HalfEven, // to the nearest, ties to the even neighbour
    Ceiling,  // toward positive infinity
};

// The rounding of each kind of amount. The comment at the top of this file gives the reasons.
inline constexpr Rounding kNotionalRounding = Rounding::HalfEven;
inline constexpr Rounding kProfitAndLossRounding = Rounding::HalfEven;
inline constexpr Rounding kFeeRounding = Rounding::Ceiling;

// The money of price * quantity * multiplier. A negative quantity (a sell, or a short position)
// gives a negative notional. Rounded half to even when the money scale has fewer decimals than
// price plus quantity decimals.
inline Checked<Money> notional(Price price, Quantity quantity, const Valuation &valuation);

// The fee of one fill of `quantity` at `price` under `schedule`, positive when the account pays.
inline Checked<Money> fee(Price price, Quantity quantity, const Valuation &valuation,
                          const FeeSchedule &schedule);

// The P&L of closing `quantity` opened at `entry` at `exit`: (exit - entry) * quantity *
// multiplier. Quantity is positive for a long position and negative for a short one. Rounded
// half to even when the money scale has fewer decimals than price plus quantity decimals.
inline Checked<Money> profitAndLoss(Price entry, Price exit, Quantity quantity,
                                    const Valuation &valuation);

// ---------------------------------------------------------------------------------------------
// Implementation. The templates take the width of the magnitude as a parameter: 64 bits and then
// 128 bits inline here, and 256 bits in money.cpp when a product leaves 128 bits. The result
// does not depend on the width. A width that overflows while the exact amount is formed hands
// the computation to the next one, and one that overflows while toMoney() scales the amount up
// has a result past INT64_MAX, which is OutOfRange at any width.

namespace detail {

__extension__ using Int128 = __int128;
__extension__ using UInt128 = unsigned __int128;

inline constexpr std::uint64_t kMaximumMagnitude =
    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

// 10^0 .. 10^19, the powers of ten that fit in 64 unsigned bits.
inline constexpr std::array<std::uint64_t, 20> kPowersOfTen = [] {
    std::array<std::uint64_t, 20> powers{};
    std::uint64_t power = 1;
    for (std::uint64_t &entry : powers) {
        entry = power;
        power *= 10;
    }
    return powers;
}();
inline constexpr int kLargestPowerOfTen = 19;

constexpr std::uint64_t magnitudeOf(std::int64_t value)
{
    return value < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(value)
                     : static_cast<std::uint64_t>(value);
}

// The part of a quotient that integer division dropped, relative to half the divisor.
enum class Remainder : std::uint8_t { Zero, BelowHalf, Half, AboveHalf };

// Rounds the magnitude `quotient` + `remainder` of an amount of sign `negative` to an integer.
// This is the one place where the module rounds.
constexpr Checked<std::int64_t> roundQuotient(std::uint64_t quotient, Remainder remainder,
                                              bool negative, Rounding rounding)
{
    bool awayFromZero = false;
    switch (rounding) {
    case Rounding::HalfEven:
        awayFromZero = remainder == Remainder::AboveHalf ||
                       (remainder == Remainder::Half && (quotient & 1) != 0);
        break;
    case Rounding::Ceiling:
        awayFromZero = !negative && remainder != Remainder::Zero;
        break;
    }
    if (quotient > kMaximumMagnitude || (awayFromZero && quotient == kMaximumMagnitude))
        return {0, MoneyError::OutOfRange};

    const auto magnitude = static_cast<std::int64_t>(quotient + (awayFromZero ? 1 : 0));
    return {negative ? -magnitude : magnitude};
}

// Operations on a 64-bit magnitude, the first width the computations try: most amounts fit, and
// 64-bit products and quotients are single instructions. Each returns false on overflow.
constexpr bool multiply(std::uint64_t &value, std::uint64_t factor)
{
    return !__builtin_mul_overflow(value, factor, &value);
}

constexpr bool add(std::uint64_t &value, const std::uint64_t &addend)
{
    return !__builtin_add_overflow(value, addend, &value);
}

// Requires value >= subtrahend.
constexpr void subtract(std::uint64_t &value, const std::uint64_t &subtrahend)
{
    value -= subtrahend;
}

constexpr bool less(const std::uint64_t &a, const std::uint64_t &b)
{
    return a < b;
}

// Divides value by divisor in place and returns the remainder.
constexpr std::uint64_t divideSmall(std::uint64_t &value, std::uint64_t divisor)
{
    const std::uint64_t remainder = value % divisor;
    value /= divisor;
    return remainder;
}

// Stores value in `out` when it is at most INT64_MAX.
constexpr bool fitsInt64(const std::uint64_t &value, std::uint64_t &out)
{
    if (value > kMaximumMagnitude)
        return false;
    out = value;
    return true;
}

// Operations on a 128-bit magnitude. Each returns false on overflow.
constexpr bool multiply(UInt128 &value, std::uint64_t factor)
{
    return !__builtin_mul_overflow(value, UInt128{factor}, &value);
}

constexpr bool add(UInt128 &value, const UInt128 &addend)
{
    return !__builtin_add_overflow(value, addend, &value);
}

// Requires value >= subtrahend.
constexpr void subtract(UInt128 &value, const UInt128 &subtrahend)
{
    value -= subtrahend;
}

constexpr bool less(const UInt128 &a, const UInt128 &b)
{
    return a < b;
}

// Divides value by divisor in place and returns the remainder.
constexpr std::uint64_t divideSmall(UInt128 &value, std::uint64_t divisor)
{
    const auto remainder = static_cast<std::uint64_t>(value % divisor);
    value /= divisor;
    return remainder;
}

// Stores value in `out` when it is at most INT64_MAX.
constexpr bool fitsInt64(const UInt128 &value, std::uint64_t &out)
{
    if (value > kMaximumMagnitude)
        return false;
    out = static_cast<std::uint64_t>(value);
    return true;
}

// An exact amount: magnitude * 10^-decimals, negative when `negative` is set.
template <typename Magnitude>
struct ExactAmount {
    Magnitude magnitude{};
    bool negative = false;
    int decimals = 0;
};

template <typename Magnitude>
constexpr bool multiplyByPowerOfTen(Magnitude &value, int exponent)
{
    for (; exponent > kLargestPowerOfTen; exponent -= kLargestPowerOfTen) {
        if (!multiply(value, kPowersOfTen[kLargestPowerOfTen]))
            return false;
    }
    return multiply(value, kPowersOfTen[static_cast<std::size_t>(exponent)]);
}

// Divides value by 10^exponent in place, in steps of at most 10^19. The last step divides by
// an even power of ten b after earlier steps divided by a, so the remainder R = r_last * a +
// r_earlier is half of a * b exactly when r_last is b / 2 and every earlier remainder is zero.
template <typename Magnitude>
constexpr Remainder divideByPowerOfTen(Magnitude &value, int exponent)
{
    if (exponent <= 0)
        return Remainder::Zero;

    bool earlierRemainder = false;
    for (; exponent > kLargestPowerOfTen; exponent -= kLargestPowerOfTen)
        earlierRemainder |= divideSmall(value, kPowersOfTen[kLargestPowerOfTen]) != 0;

    const std::uint64_t divisor = kPowersOfTen[static_cast<std::size_t>(exponent)];
    const std::uint64_t remainder = divideSmall(value, divisor);
    const std::uint64_t half = divisor / 2;
    if (remainder < half)
        return remainder == 0 && !earlierRemainder ? Remainder::Zero : Remainder::BelowHalf;
    if (remainder == half)
        return earlierRemainder ? Remainder::AboveHalf : Remainder::Half;
    return Remainder::AboveHalf;
}

// Converts an exact amount to money units of 10^-moneyDecimals, rounding once.
template <typename Magnitude>
constexpr Checked<Money> toMoney(ExactAmount<Magnitude> amount, int moneyDecimals,
                                 Rounding rounding)
{
    // A non-zero magnitude that overflows while scaling up is far past INT64_MAX.
    if (moneyDecimals > amount.decimals &&
        !multiplyByPowerOfTen(amount.magnitude, moneyDecimals - amount.decimals))
        return {Money{}, MoneyError::OutOfRange};

    const Remainder remainder =
        divideByPowerOfTen(amount.magnitude, amount.decimals - moneyDecimals);
    std::uint64_t quotient = 0;
    if (!fitsInt64(amount.magnitude, quotient))
        return {Money{}, MoneyError::OutOfRange};

    const Checked<std::int64_t> rounded =
        roundQuotient(quotient, remainder, amount.negative, rounding);
    return {Money{rounded.value}, rounded.error};
}

// Adds `addend` to `sum`, both exact. Returns false when the magnitude overflows.
template <typename Magnitude>
constexpr bool addExact(ExactAmount<Magnitude> &sum, ExactAmount<Magnitude> addend)
{
    if (sum.decimals < addend.decimals) {
        if (!multiplyByPowerOfTen(sum.magnitude, addend.decimals - sum.decimals))
            return false;
        sum.decimals = addend.decimals;
    } else if (addend.decimals < sum.decimals) {
        if (!multiplyByPowerOfTen(addend.magnitude, sum.decimals - addend.decimals))
            return false;
        addend.decimals = sum.decimals;
    }

    if (sum.negative == addend.negative)
        return add(sum.magnitude, addend.magnitude);
    if (less(sum.magnitude, addend.magnitude)) {
        subtract(addend.magnitude, sum.magnitude);
        sum = addend;
    } else {
        subtract(sum.magnitude, addend.magnitude);
    }
    return true;
}

// Computes price * quantity * multiplier at price plus quantity decimals, or nothing when
// Magnitude overflows.
template <typename Magnitude>
constexpr std::optional<ExactAmount<Magnitude>> exactNotional(Price price, Quantity quantity,
                                                              const Valuation &valuation)
{
    ExactAmount<Magnitude> amount{Magnitude{magnitudeOf(price.value())},
                                  (price.value() < 0) != (quantity.value() < 0),
                                  valuation.priceDecimals + valuation.quantityDecimals};
    if (!multiply(amount.magnitude, magnitudeOf(quantity.value())) ||
        !multiply(amount.magnitude, magnitudeOf(valuation.multiplier)))
        return std::nullopt;
    return amount;
}

// Computes (exit - entry) * quantity * multiplier, or nothing when Magnitude overflows.
template <typename Magnitude>
constexpr std::optional<ExactAmount<Magnitude>>
exactProfitAndLoss(Price entry, Price exit, Quantity quantity, const Valuation &valuation)
{
    // |exit - entry| <= 2^64 - 1, so the difference of two int64s fits 64 unsigned bits.
    const Int128 difference = Int128{exit.value()} - Int128{entry.value()};
    const auto differenceMagnitude =
        static_cast<std::uint64_t>(difference < 0 ? -difference : difference);

    ExactAmount<Magnitude> amount{Magnitude{differenceMagnitude},
                                  (difference < 0) != (quantity.value() < 0),
                                  valuation.priceDecimals + valuation.quantityDecimals};
    if (!multiply(amount.magnitude, magnitudeOf(quantity.value())) ||
        !multiply(amount.magnitude, magnitudeOf(valuation.multiplier)))
        return std::nullopt;
    return amount;
}

// Computes rate * |notional| + perUnit * |quantity| before rounding, or nothing when Magnitude
// overflows.
template <typename Magnitude>
constexpr std::optional<ExactAmount<Magnitude>>
exactFee(Price price, Quantity quantity, const Valuation &valuation, const FeeSchedule &schedule)
{
    constexpr int kRateDecimals = 6; // parts per million
    const std::uint64_t quantityMagnitude = magnitudeOf(quantity.value());

    ExactAmount<Magnitude> fee{
        Magnitude{magnitudeOf(price.value())}, schedule.rate.partsPerMillion < 0,
        valuation.priceDecimals + valuation.quantityDecimals + kRateDecimals};
    if (!multiply(fee.magnitude, quantityMagnitude) ||
        !multiply(fee.magnitude, magnitudeOf(valuation.multiplier)) ||
        !multiply(fee.magnitude, magnitudeOf(schedule.rate.partsPerMillion)))
        return std::nullopt;

    ExactAmount<Magnitude> perUnit{Magnitude{magnitudeOf(schedule.perUnit.value())},
                                   schedule.perUnit.value() < 0,
                                   valuation.moneyDecimals + valuation.quantityDecimals};
    if (!multiply(perUnit.magnitude, quantityMagnitude))
        return std::nullopt;

    if (!addExact(fee, perUnit))
        return std::nullopt;
    return fee;
}

constexpr MoneyError validate(const Valuation &valuation)
{
    if (valuation.priceDecimals > kMaximumDecimals ||
        valuation.quantityDecimals > kMaximumDecimals || valuation.moneyDecimals > kMaximumDecimals)
        return MoneyError::InvalidScale;
    if (valuation.multiplier <= 0)
        return MoneyError::InvalidMultiplier;
    return MoneyError::None;
}

constexpr Checked<Money> applyMinimum(Checked<Money> fee, Money minimum)
{
    if (fee.ok() && fee.value > Money{0} && fee.value < minimum)
        fee.value = minimum;
    return fee;
}

// notional() in every case: 64, then 128, then 256 bits (money.cpp).
Checked<Money> scaledNotional(Price price, Quantity quantity, const Valuation &valuation);

// The same computations in 256 bits, for products past 128 bits (money.cpp).
Checked<Money> notionalWide(Price price, Quantity quantity, const Valuation &valuation);
Checked<Money> feeWide(Price price, Quantity quantity, const Valuation &valuation,
                       const FeeSchedule &schedule);
Checked<Money> profitAndLossWide(Price entry, Price exit, Quantity quantity,
                                 const Valuation &valuation);

} // namespace detail

// The common case inline, and every other one out of line (money.cpp): when the money scale is
// the price scale plus the quantity scale, the product is the notional in money units, with
// nothing to round.
inline Checked<Money> notional(Price price, Quantity quantity, const Valuation &valuation)
{
    if (valuation.priceDecimals + valuation.quantityDecimals == valuation.moneyDecimals &&
        valuation.moneyDecimals <= kMaximumDecimals && valuation.multiplier > 0) {
        std::uint64_t magnitude = 0;
        if (!__builtin_mul_overflow(detail::magnitudeOf(price.value()),
                                    detail::magnitudeOf(quantity.value()), &magnitude) &&
            !__builtin_mul_overflow(magnitude, static_cast<std::uint64_t>(valuation.multiplier),
                                    &magnitude) &&
            magnitude <= detail::kMaximumMagnitude) {
            const auto value = static_cast<std::int64_t>(magnitude);
            return {Money{(price.value() < 0) != (quantity.value() < 0) ? -value : value}};
        }
    }
    return detail::scaledNotional(price, quantity, valuation);
}

inline Checked<Money> fee(Price price, Quantity quantity, const Valuation &valuation,
                          const FeeSchedule &schedule)
{
    if (const MoneyError error = detail::validate(valuation); error != MoneyError::None)
        return {Money{}, error};
    if (const auto exact = detail::exactFee<std::uint64_t>(price, quantity, valuation, schedule))
        return detail::applyMinimum(detail::toMoney(*exact, valuation.moneyDecimals, kFeeRounding),
                                    schedule.minimum);
    if (const auto exact = detail::exactFee<detail::UInt128>(price, quantity, valuation, schedule))
        return detail::applyMinimum(detail::toMoney(*exact, valuation.moneyDecimals, kFeeRounding),
                                    schedule.minimum);
    return detail::feeWide(price, quantity, valuation, schedule);
}

inline Checked<Money> profitAndLoss(Price entry, Price exit, Quantity quantity,
                                    const Valuation &valuation)
{
    if (const MoneyError error = detail::validate(valuation); error != MoneyError::None)
        return {Money{}, error};
    if (const auto exact =
            detail::exactProfitAndLoss<std::uint64_t>(entry, exit, quantity, valuation))
        return detail::toMoney(*exact, valuation.moneyDecimals, kProfitAndLossRounding);
    if (const auto exact =
            detail::exactProfitAndLoss<detail::UInt128>(entry, exit, quantity, valuation))
        return detail::toMoney(*exact, valuation.moneyDecimals, kProfitAndLossRounding);
    return detail::profitAndLossWide(entry, exit, quantity, valuation);
}

} // namespace bourse

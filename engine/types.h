#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string_view>

namespace bourse {

// An integer with a tag, so that a price, a quantity and an order id cannot be passed for
// one another. Arithmetic is added per type where it means something.
template <typename Tag, typename Rep>
class StrongInteger {
public:
    using Representation = Rep;

    constexpr StrongInteger() = default;
    constexpr explicit StrongInteger(Rep value)
        : m_value(value)
    {
    }

    constexpr Rep value() const { return m_value; }

    friend constexpr auto operator<=>(StrongInteger, StrongInteger) = default;

private:
    Rep m_value{};
};

// A price in ticks of the instrument's price scale (for LOBSTER data: 1/10000 of a dollar).
class Price : public StrongInteger<struct PriceTag, std::int64_t> {
public:
    using StrongInteger::StrongInteger;
};

// A quantity in whole lots. Quantities add and subtract; they never multiply with each other.
class Quantity : public StrongInteger<struct QuantityTag, std::int64_t> {
public:
    using StrongInteger::StrongInteger;

    constexpr Quantity &operator+=(Quantity other)
    {
        *this = Quantity{value() + other.value()};
        return *this;
    }
    constexpr Quantity &operator-=(Quantity other)
    {
        *this = Quantity{value() - other.value()};
        return *this;
    }
    friend constexpr Quantity operator+(Quantity a, Quantity b) { return a += b; }
    friend constexpr Quantity operator-(Quantity a, Quantity b) { return a -= b; }
    friend constexpr Quantity min(Quantity a, Quantity b) { return a < b ? a : b; }
};

// The largest quantity and price the engine accepts. A level's total stays below the int64
// limit (about 9.2 * 10^18) up to about 9.2 million orders of the largest size at one price.
// NOTE: nothing enforces that bound yet; past it a level's total and an auction's sums
// overflow. A per-side total checked before an order rests would close it.
inline constexpr Quantity kMaximumQuantity{1'000'000'000'000}; // 10^12 lots
inline constexpr Price kMaximumPrice{1'000'000'000'000'000};   // 10^15 ticks

class OrderId : public StrongInteger<struct OrderIdTag, std::uint64_t> {
public:
    using StrongInteger::StrongInteger;
};

class InstrumentId : public StrongInteger<struct InstrumentIdTag, std::uint32_t> {
public:
    using StrongInteger::StrongInteger;
};

// A trading account. Zero means "no account" where a command may name one, such as a mass
// cancel that is not limited to one account.
class AccountId : public StrongInteger<struct AccountIdTag, std::uint32_t> {
public:
    using StrongInteger::StrongInteger;
};

// The id a client gives its own order, unique in its account for the engine's whole life: a
// repeat gets the first answer (Engine::submit). Zero means the client gave none.
class ClientOrderId : public StrongInteger<struct ClientOrderIdTag, std::uint64_t> {
public:
    using StrongInteger::StrongInteger;
};

// Global, gap-free number of an event; the first event of a journal is 1.
using SequenceNumber = std::uint64_t;

// Nanoseconds. Replayed data counts from its own midnight; live sessions from the Unix epoch.
class Timestamp : public StrongInteger<struct TimestampTag, std::int64_t> {
public:
    using StrongInteger::StrongInteger;
};

enum class Side : std::uint8_t { Buy = 0, Sell = 1 };

constexpr Side opposite(Side side)
{
    return side == Side::Buy ? Side::Sell : Side::Buy;
}

constexpr std::string_view nameOf(Side side)
{
    return side == Side::Buy ? "buy" : "sell";
}

} // namespace bourse

template <>
struct std::hash<bourse::OrderId> {
    std::size_t operator()(bourse::OrderId id) const noexcept
    {
        return std::hash<std::uint64_t>{}(id.value());
    }
};

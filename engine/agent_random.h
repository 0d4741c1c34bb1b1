#pragma once

// Random draws for the agent market: uniform integers, probabilities and exponential
// inter-arrival times, in integer and fixed-point arithmetic only, so that one seed gives the
// same numbers on every platform. None of them divides on the common path, because a 64-bit
// division costs tens of cycles and the market draws several numbers per command.

#include "random.h"

#include <array>
#include <bit>
#include <cstdint>

namespace bourse {

namespace agent_detail {

__extension__ using UInt128 = unsigned __int128;

// log2(1 + i / 256) in units of 2^-32, for i = 0..256. Each entry is computed bit by bit: a
// value y in [1, 2) squared is in [1, 4), and the next bit of log2(y) is 1 exactly when the
// square reaches 2 (then the square is halved). Truncation leaves each entry within 2^-31.
constexpr std::uint64_t log2OfOnePlus(std::uint64_t numerator)
{
    if (numerator == 256)
        return std::uint64_t{1} << 32;
    constexpr int fractionBits = 62;
    UInt128 y = (UInt128{256 + numerator} << fractionBits) / 256; // in [1, 2), 62 bits of fraction
    std::uint64_t result = 0;
    for (int bit = 31; bit >= 0; --bit) {
        y = (y * y) >> fractionBits;
        if (y >= (UInt128{2} << fractionBits)) {
            y >>= 1;
            result |= std::uint64_t{1} << bit;
        }
    }
    return result;
}

constexpr std::array<std::uint64_t, 257> makeLog2Table()
{
    std::array<std::uint64_t, 257> table{};
    for (std::uint64_t i = 0; i <= 256; ++i)
        table[i] = log2OfOnePlus(i);
    return table;
}

inline constexpr std::array<std::uint64_t, 257> kLog2Table = makeLog2Table();

// ln(2) in units of 2^-32, rounded to nearest (0.693147180559945 * 2^32 = 2977044471.82).
inline constexpr std::uint64_t kLn2 = 2977044472;

} // namespace agent_detail

// A probability, kept as a threshold on a uniform 64-bit draw: the event happens when the draw
// is below the threshold.
class Probability {
public:
    constexpr Probability() = default;

    // parts / 1,000,000, rounded down to a multiple of 2^-64. A million parts or more is
    // certainty but for a chance of 2^-64.
    static constexpr Probability perMillion(std::uint64_t parts)
    {
        if (parts >= 1'000'000)
            return Probability(UINT64_MAX);
        return Probability(
            static_cast<std::uint64_t>((agent_detail::UInt128{parts} << 64) / 1'000'000));
    }

    constexpr std::uint64_t threshold() const { return m_threshold; }

private:
    constexpr explicit Probability(std::uint64_t threshold)
        : m_threshold(threshold)
    {
    }

    std::uint64_t m_threshold = 0;
};

// xoshiro256** with draws that need no division on the common path.
class AgentRandom {
public:
    explicit AgentRandom(std::uint64_t seed)
        : m_generator(seed)
    {
    }

    std::uint64_t next() { return m_generator.next(); }

    bool chance(Probability probability) { return next() < probability.threshold(); }

    // Returns a uniform integer in [0, bound), or 0 when bound is 0. Lemire's method (Fast
    // Random Integer Generation in an Interval, 2019): the high half of draw * bound, with the
    // rare draws that would make some results more likely than others rejected. Exactly uniform.
    std::uint64_t below(std::uint64_t bound)
    {
        if (bound == 0)
            return 0;
        agent_detail::UInt128 product = agent_detail::UInt128{next()} * bound;
        auto low = static_cast<std::uint64_t>(product);
        if (low < bound) {
            const std::uint64_t rejected = (0 - bound) % bound; // 2^64 mod bound
            while (low < rejected) {
                product = agent_detail::UInt128{next()} * bound;
                low = static_cast<std::uint64_t>(product);
            }
        }
        return static_cast<std::uint64_t>(product >> 64);
    }

    // Returns a uniform integer in [low, high]; the caller guarantees low <= high.
    std::int64_t between(std::int64_t low, std::int64_t high)
    {
        const auto span = static_cast<std::uint64_t>(high - low) + 1;
        return low + static_cast<std::int64_t>(below(span));
    }

    // Returns an exponentially distributed number with mean 1, in units of 2^-32.
    std::uint64_t exponential() { return exponentialOf(next()); }

    // Computes -ln(draw / 2^64) in units of 2^-32, for a draw taken as uniform in (0, 1). A draw
    // of zero counts as one. log2 of the draw's leading bits comes from a table of 257 entries,
    // interpolated linearly, which keeps the result within 2 * 10^-6 of the exact value.
    static std::uint64_t exponentialOf(std::uint64_t draw)
    {
        using agent_detail::kLog2Table;
        draw |= draw == 0 ? 1 : 0;
        const int leadingZeros = std::countl_zero(draw);
        // The bits below the leading one, as a fraction in [0, 1) of 64 bits.
        const std::uint64_t fraction = (draw << leadingZeros) << 1;
        const std::uint64_t index = fraction >> 56;
        const std::uint64_t between = (fraction >> 24) & 0xffff'ffffU;
        const std::uint64_t step = kLog2Table[index + 1] - kLog2Table[index];
        const std::uint64_t log2Mantissa = kLog2Table[index] + ((step * between) >> 32);

        // draw = 2^(63 - leadingZeros) * mantissa, so -log2(draw / 2^64) is
        // leadingZeros + 1 - log2(mantissa).
        const std::uint64_t negativeLog2 =
            (static_cast<std::uint64_t>(leadingZeros + 1) << 32) - log2Mantissa;
        return static_cast<std::uint64_t>(
            (agent_detail::UInt128{negativeLog2} * agent_detail::kLn2) >> 32);
    }

private:
    Xoshiro256StarStar m_generator;
};

} // namespace bourse

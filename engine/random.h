#pragma once

#include <array>
#include <cstdint>

namespace bourse {

// SplitMix64 (Steele, Lea and Flood, 2014). Used to expand one 64-bit seed into the state of
// Xoshiro256StarStar, as the authors of xoshiro recommend.
class SplitMix64 {
public:
    constexpr explicit SplitMix64(std::uint64_t seed)
        : m_state(seed)
    {
    }

    constexpr std::uint64_t next()
    {
        m_state += 0x9e3779b97f4a7c15ULL;
        std::uint64_t z = m_state;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

private:
    std::uint64_t m_state;
};

// xoshiro256** 1.0 (Blackman and Vigna, https://prng.di.unimi.it/xoshiro256starstar.c).
// The standard library's distributions differ between implementations, so everything that
// must give the same numbers on every platform draws through below() and chance() instead.
class Xoshiro256StarStar {
public:
    using State = std::array<std::uint64_t, 4>;

    constexpr explicit Xoshiro256StarStar(std::uint64_t seed)
        : m_state{}
    {
        SplitMix64 expander(seed);
        for (std::uint64_t &word : m_state) {
            word = expander.next();
        }
    }

    // The state must not be all zero.
    static constexpr Xoshiro256StarStar fromState(const State &state)
    {
        Xoshiro256StarStar generator(0);
        generator.m_state = state;
        return generator;
    }

    constexpr std::uint64_t next()
    {
        const std::uint64_t result = rotateLeft(m_state[1] * 5, 7) * 9;
        const std::uint64_t shifted = m_state[1] << 17;
        m_state[2] ^= m_state[0];
        m_state[3] ^= m_state[1];
        m_state[1] ^= m_state[2];
        m_state[0] ^= m_state[3];
        m_state[2] ^= shifted;
        m_state[3] = rotateLeft(m_state[3], 45);
        return result;
    }

    // Returns a uniform integer in [0, bound), or 0 when bound is 0. Rejection sampling keeps
    // it exactly uniform.
    constexpr std::uint64_t below(std::uint64_t bound)
    {
        if (bound == 0) {
            return 0;
        }
        // The largest multiple of bound that fits, so every remainder is equally likely.
        const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
        std::uint64_t value = next();
        while (value >= limit) {
            value = next();
        }
        return value % bound;
    }

    // Returns a uniform integer in [low, high]; the caller guarantees low <= high.
    constexpr std::int64_t between(std::int64_t low, std::int64_t high)
    {
        const auto span = static_cast<std::uint64_t>(high - low) + 1;
        return low + static_cast<std::int64_t>(below(span));
    }

    // True with a probability of perMille / 1000.
    constexpr bool chance(std::uint32_t perMille) { return below(1000) < perMille; }

private:
    static constexpr std::uint64_t rotateLeft(std::uint64_t value, int shift)
    {
        return (value << shift) | (value >> (64 - shift));
    }

    State m_state;
};

} // namespace bourse

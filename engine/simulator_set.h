#pragma once

#include "engine.h"
#include "random.h"
#include "simulator.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace bourse {

// A simulated market of several instruments in one engine: one MarketSimulator per instrument,
// whose commands are interleaved by weight. Each step picks one simulator, with probability
// weight / total weight, and applies its next command. The picks and every simulator's flow
// depend only on the seed and on the books, so the same seed on the same engine state gives
// the same commands.
class SimulatorSet {
public:
    struct Member {
        MarketSimulator::Options options;
        std::uint32_t weight = 1; // share of the commands; zero never picks this simulator
    };

    // Creates one simulator per member with MarketSimulator::resume(), so a book that has the
    // member's orders is taken over and an empty one is primed. The picker and the members draw
    // from separate streams: SplitMix64(seed) gives the picker's seed first, then one seed per
    // member in order.
    SimulatorSet(std::uint64_t seed, const std::vector<Member> &members, const Engine &engine);

    // Applies the next command of one simulator, picked by weight. Does nothing when every
    // weight is zero.
    void step(Engine &engine, Timestamp time);

    // Applies every simulator's remaining priming commands, member by member.
    void prime(Engine &engine, Timestamp time);

    std::size_t size() const { return m_simulators.size(); }
    const MarketSimulator &simulator(std::size_t index) const { return m_simulators[index]; }

private:
    std::vector<MarketSimulator> m_simulators;
    std::vector<std::uint64_t> m_weightsUpTo; // the sum of the weights up to each member
    Xoshiro256StarStar m_picker;
};

} // namespace bourse

#include "simulator_set.h"

#include <algorithm>

namespace bourse {

SimulatorSet::SimulatorSet(std::uint64_t seed, const std::vector<Member> &members,
                           const Engine &engine)
    : m_picker(SplitMix64(seed).next())
{
    SplitMix64 seeds(seed);
    seeds.next(); // the picker's seed
    m_simulators.reserve(members.size());
    std::uint64_t total = 0;
    for (const Member &member : members) {
        m_simulators.push_back(MarketSimulator::resume(seeds.next(), member.options, engine));
        total += member.weight;
        m_weightsUpTo.push_back(total);
    }
}

void SimulatorSet::step(Engine &engine, Timestamp time)
{
    if (m_weightsUpTo.empty() || m_weightsUpTo.back() == 0) {
        return;
    }
    // The first member whose running total exceeds the draw: weight w covers w draws.
    const std::uint64_t draw = m_picker.below(m_weightsUpTo.back());
    const auto picked = std::upper_bound(m_weightsUpTo.begin(), m_weightsUpTo.end(), draw);
    m_simulators[static_cast<std::size_t>(picked - m_weightsUpTo.begin())].step(engine, time);
}

void SimulatorSet::prime(Engine &engine, Timestamp time)
{
    for (MarketSimulator &simulator : m_simulators) {
        simulator.prime(engine, time);
    }
}

} // namespace bourse

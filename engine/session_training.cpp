// The runner's part of training: an agent market made from a training scenario, and the market
// events an instructor injects into it.

#include "session_runner.h"

namespace bourse::session {

void Runner::setUpTraining(std::uint64_t seed, AgentMarket::Options market)
{
    setUpSimulation(seed);
    m_training = std::move(market);
}

void Runner::apply(const MarketEventCommand &command, Timestamp)
{
    if (m_agents)
        m_agents->inject(command.event);
}

} // namespace bourse::session

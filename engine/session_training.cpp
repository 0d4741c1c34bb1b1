// The runner's part of training: an agent market made from a training scenario, and the market
// events an instructor injects into it.

#include "session_runner.h"

namespace bourse::session {

void Runner::setUpTraining(std::uint64_t seed, AgentMarket::Options market, Timestamp end)
{
    setUpSimulation(seed);
    m_training = std::move(market);
    m_trainingEnd = end;
}

// A scenario that reached its end stops as a finished replay does: the views go on, and Play and
// Step find nothing to do. Returns whether the market has finished.
bool Runner::finishTrainingAtEnd()
{
    if (!m_agents || m_trainingEnd.value() == 0 || m_agents->time() < m_trainingEnd)
        return false;
    if (m_state != ReplayState::Finished) {
        m_state = ReplayState::Finished;
        m_publishNow = true;
    }
    return true;
}

// A view's market time is that of the latest event this run handled. A resumed scenario has
// handled none until its market makes one, so it shows the time the journal's run reached, and
// one that ended, however late its last step's events were, shows its end.
void Runner::fillTrainingTime(MarketView &view) const
{
    if (!m_training)
        return;
    if (view.marketTime.value() == 0 && !m_newMarket)
        view.marketTime = m_continuedUntil;
    if (m_trainingEnd.value() != 0 && m_state == ReplayState::Finished)
        view.marketTime = m_trainingEnd;
}

void Runner::apply(const MarketEventCommand &command, Timestamp)
{
    if (m_agents)
        m_agents->inject(command.event);
}

} // namespace bourse::session

// The session's agent market continued from a journal: the runner recognizes an engine that an
// agent market made and hands it back to the agents.

#include "session_runner.h"

#include <algorithm>

namespace bourse::session {

void Runner::carryAgentState(const Session::Continuation &continuation)
{
    m_carriedPositions = continuation.positions;
    // The engine does not keep the time of its last event. Without it from the journal, the
    // latest time the views showed is used instead: the newest bar's start, print and trader
    // event.
    Timestamp latest = continuation.lastEventTime;
    if (!continuation.bars.empty())
        latest = std::max(latest, continuation.bars.back().start);
    if (!continuation.recentTrades.empty())
        latest = std::max(latest, continuation.recentTrades.back().time);
    if (!continuation.traderHistory.empty())
        latest = std::max(latest, continuation.traderHistory.back().time);
    m_continuedUntil = latest;
}

// The agents take the engine over only when it trades exactly their instruments. Their clock
// starts at the wall-clock time, as a new agent market's does, unless the run before got ahead
// of it at a higher speed: then it starts just after the latest time that run showed.
// NOTE: without the journal's last event time, events of other instruments after the focus
// instrument's last print are not seen. When the run before played faster than the wall clock,
// the first arrivals may then come a little before the engine's last event.
//
// A training scenario's market keeps to market time: its clock starts just after the last event,
// whatever the wall clock shows, so that its schedule goes on where it stopped.
bool Runner::resumeAgents()
{
    AgentMarket::Options options = m_training ? *m_training : AgentMarket::Options{};
    if (!AgentMarket::tradesInstrumentsOf(*m_engine, options))
        return false;
    m_lastCommandTime = std::max(m_lastCommandTime, Timestamp{m_continuedUntil.value() + 1});
    options.startTime = m_training ? m_lastCommandTime : commandTime();
    m_agents = AgentMarket::resume(*m_engine, m_seed, options, m_carriedPositions);
    return m_agents != nullptr;
}

} // namespace bourse::session

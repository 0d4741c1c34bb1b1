// Trading against a replay: the trader's orders go to the queue-position fill model
// (ReplayFills) and its engine, never into the replayed engine, whose book stays the recording's.

#include "session_market.h"
#include "session_runner.h"

namespace bourse::session {

// A source that records the trader's own accounts, such as a Bourse journal, replays what that
// trader did, so it takes no new orders.
void Runner::setUpReplayTrading()
{
    if (m_traderView || !m_engine)
        return;
    ReplayFills::Options options;
    for (const TraderAccount &account : traderAccounts())
        options.accounts.push_back({account.settings, account.openingBalance, account.limits});
    options.terms = [this](const InstrumentDefinition &definition) {
        return displayTerms(definition, SessionMode::Replay, m_replaySymbol);
    };
    options.unpostedFills = [this](const std::string &problem) {
        m_error = problem;
        m_publishNow = true;
    };
    m_fills = std::make_unique<ReplayFills>(*m_engine, std::move(options));
    m_engine->addHandler(m_fills.get());

    std::vector<AccountId> accounts;
    for (const TraderAccount &account : traderAccounts())
        accounts.push_back(account.settings.id);
    m_simulatedView =
        std::make_unique<TraderViewBuilder>(m_fills->traderEngine(), std::move(accounts));
    m_simulatedView->setSimulated(true);
    m_fills->traderEngine().addHandler(m_simulatedView.get());
}

// A seek may open the source again on a new engine. The trader's orders, fills and positions
// carry on; only their places in the queues start again in the new book. The trader's commands
// take the replay's market time again, which is earlier after a seek back.
void Runner::followReplayedEngine()
{
    if (!m_fills || &m_fills->market() == m_engine.get())
        return;
    // A branch's original follows first, so the handlers keep their order: original, branch,
    // then the comparison (session_branch.cpp).
    if (m_branch && m_branch->hasOriginalModel()) {
        m_branch->original().follow(*m_engine);
        m_engine->addHandler(&m_branch->original());
    }
    m_fills->follow(*m_engine);
    // A journal's engine publishes nothing: deliverRestored() hands the model its events.
    if (!replaysRecordedTrader())
        m_engine->addHandler(m_fills.get());
    followBranch();
    m_lastCommandTime = m_replayTime;
}

// The simulated trader's view comes first: on a journal replay that branched, it is the branch's,
// while m_traderView goes on following the recorded trader.
TraderViewBuilder *Runner::traderView()
{
    return m_simulatedView ? m_simulatedView.get() : m_traderView.get();
}

// The engine that runs the trader's commands: the model's in a replay, the market's otherwise.
Engine &Runner::tradingEngine()
{
    return m_fills ? m_fills->traderEngine() : *m_engine;
}

} // namespace bourse::session

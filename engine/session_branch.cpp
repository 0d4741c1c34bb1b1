// Branches of trading against a replay on the engine thread: the Branch command, what a seek does
// to a branch, and the comparison the views carry.
//
// The branch and the original run face the same recorded market, because both fill models
// follow the one replayed engine. So the difference of their P&L comes from the trader's
// decisions after the branch moment alone, not from a market that reacted differently.

#include "session_market.h"
#include "session_runner.h"

namespace bourse::session {

namespace {

// Marks what the trader's view lists as the branch's, which the blotter and positions show as
// "(branch)".
void markBranch(TraderView &trader)
{
    for (OwnOrder &order : trader.workingOrders)
        order.branch = true;
    for (OwnOrder &order : trader.finishedOrders)
        order.branch = true;
    for (OwnFill &fill : trader.fills)
        fill.branch = true;
    for (OwnPosition &position : trader.positions)
        position.branch = true;
}

// The last trade of `instrument` in the replayed engine, as the view builder has it: zero before
// the first one, and after a seek the last trade before the seek's target.
Price replayedLastTrade(const MarketView &view, InstrumentId instrument)
{
    for (const InstrumentQuote &quote : view.instruments) {
        if (quote.instrument == instrument)
            return quote.last;
    }
    return Price{};
}

// Marks the simulated positions in the replayed instrument at the replayed market's last trade.
// The trader's engine's own last trade is the trader's latest simulated fill, which the replayed
// market never traded at, so it would value a position at the trader's own price.
void markAtReplayedTrade(TraderView &trader, const Engine &traderEngine, InstrumentId instrument,
                         Price last)
{
    const Portfolio &portfolio = traderEngine.portfolio();
    for (OwnPosition &position : trader.positions) {
        if (position.instrument != instrument)
            continue;
        // Before the replay's first trade there is no mark, as in the comparison's columns.
        position.mark = last;
        position.unrealized =
            last > Price{0}
                ? portfolio.unrealizedProfitAndLoss(position.account, instrument, last).value
                : Money{};
    }
}

} // namespace

bool Runner::branchable() const
{
    return m_mode == SessionMode::Replay && (m_fills != nullptr || replaysRecordedTrader());
}

// A Bourse journal replays the recorded trader's accounts and orders in the replayed engine.
bool Runner::replaysRecordedTrader() const
{
    return m_replay && m_replay->replaysAccounts();
}

// The first branch of a journal replay. The original is the recorded trader, read from the
// replayed engine as the journal goes on. The branch is a fill model seeded with that trader's
// state now, which takes the trader's commands from now on: the replay takes orders in the
// branch only. Restoring a journal publishes nothing, so deliverRestored() hands both of them
// the journal's events (session_seek.cpp).
void Runner::branchRecordedTrader(Timestamp time)
{
    const std::vector<AccountId> accounts = Session::traderAccounts();
    ReplayFills::Options options;
    options.unpostedFills = [this](const std::string &problem) {
        m_error = problem;
        m_publishNow = true;
    };
    std::string error;
    std::unique_ptr<ReplayFills> model =
        ReplayFills::seed(*m_engine, std::move(options), accounts, time, error);
    if (!model) {
        m_error = "cannot branch the replay: " + error;
        m_publishNow = true;
        return;
    }

    // The snapshot kept the ids of the recorded trader's orders, so the branch's view goes on
    // from the recorded trader's orders, fills and notices.
    auto view = m_traderView
                    ? std::make_unique<TraderViewBuilder>(*m_traderView, model->traderEngine())
                    : std::make_unique<TraderViewBuilder>(model->traderEngine(), accounts);
    view->setSimulated(true);
    model->traderEngine().addHandler(view.get());

    m_branch =
        std::make_unique<ReplayBranch>(*m_engine, accounts, m_options.barIntervalNanoseconds);
    m_fills = std::move(model);
    m_simulatedView = std::move(view);
    m_branch->start(*m_fills, time, m_engine->lastSequence());
    // Queries before the branch took the wall clock, and the branch's orders take market time.
    m_lastCommandTime = time;
    m_controls.acceptCommands(true, true);
    m_publishNow = true;
}

// A new branch takes the trader's commands from now on. The first one moves the trader's model
// and view aside as the original, which keeps following the replay without new commands. A
// later one starts from the current branch's state and replaces it, against the same original.
void Runner::apply(const BranchCommand &, Timestamp)
{
    if (!m_fills && replaysRecordedTrader()) {
        branchRecordedTrader(m_replayTime);
        return;
    }
    if (!m_fills)
        return; // Session::branch() queues it only for a replay that can branch
    std::string error;
    std::unique_ptr<ReplayFills> branch = ReplayFills::branch(*m_fills, error);
    if (!branch) {
        m_error = "cannot branch the replay: " + error;
        m_publishNow = true;
        return;
    }
    auto view = std::make_unique<TraderViewBuilder>(*m_simulatedView, branch->traderEngine());
    branch->traderEngine().addHandler(view.get());

    if (!m_branch) {
        m_branch = std::make_unique<ReplayBranch>(std::move(m_fills), std::move(m_simulatedView),
                                                  Session::traderAccounts(),
                                                  m_options.barIntervalNanoseconds);
    } else if (!replaysRecordedTrader()) {
        m_engine->removeHandler(m_fills.get());
        m_engine->removeHandler(m_branch.get());
    }
    m_fills = std::move(branch);
    m_simulatedView = std::move(view);
    // The comparison samples once both models have settled each replayed message. A journal's
    // engine publishes nothing, and deliverRestored() hands them its events instead.
    if (!replaysRecordedTrader()) {
        m_engine->addHandler(m_fills.get());
        m_engine->addHandler(m_branch.get());
    }
    m_branch->start(*m_fills, m_replayTime, m_engine->lastSequence());
    m_publishNow = true;
}

// The Branch panel shows the moment truncated to the millisecond, so a seek to the time it shows
// can fall up to a millisecond before the moment. Such a target is taken as the moment itself,
// which keeps the branch. An earlier one ends it (endBranchBefore()).
Timestamp Runner::branchSeekTarget(Timestamp target) const
{
    constexpr std::int64_t kNanosecondsPerMillisecond = 1'000'000;
    if (!m_branch)
        return target;
    const Timestamp moment = m_branch->moment();
    if (target < moment && moment.value() - target.value() < kNanosecondsPerMillisecond)
        return moment;
    return target;
}

// A seek to before the branch moment goes back to a time the branch did not exist yet, so the
// branch ends and the original takes the trader's commands again, with its state of now. A seek
// to the moment or later keeps both, and followReplayedEngine() moves both to the new engine.
void Runner::endBranchBefore(Timestamp target)
{
    if (!m_branch || target >= m_branch->moment())
        return;
    // The seek may have replaced the engine the branch follows, which is then one of these.
    for (Engine *engine : {m_engine.get(), m_runEngine.get(), m_previousEngine.get()}) {
        if (engine == nullptr)
            continue;
        engine->removeHandler(m_fills.get());
        engine->removeHandler(m_branch.get());
    }
    m_fills = m_branch->releaseOriginal();
    m_simulatedView = m_branch->releaseOriginalView();
    m_branch.reset();
    // Without its branch, a journal replay shows the recorded trader again and takes no orders.
    if (replaysRecordedTrader())
        m_controls.acceptCommands(true, false);
}

// After the models followed a new engine: the comparison follows it too, after both of them,
// and its curve goes on from the replay's new time.
void Runner::followBranch()
{
    if (!m_branch)
        return;
    m_branch->followRecorded(*m_engine);
    if (!replaysRecordedTrader())
        m_engine->addHandler(m_branch.get());
    m_branch->rewindTo(m_replayTime);
}

void Runner::fillBranchView(MarketView &view) const
{
    Price last = replayedLastTrade(view, m_engine->instrument());
    // A seek that a journal's snapshot shortened starts the views at the snapshot, so they lack
    // the trades before it. The replayed engine's risk reference is still its last trade.
    if (last == Price{})
        last = m_engine->risk().evaluator().referencePrice(m_engine->instrument());
    if (m_fills)
        markAtReplayedTrade(view.trader, m_fills->traderEngine(), m_engine->instrument(), last);
    if (m_branch) {
        // The view builder's last trade follows seeks, which the comparison's own does not.
        m_branch->setMark(last);
        view.branch = m_branch->comparison();
        markBranch(view.trader);
    }
    if (m_mode != SessionMode::Replay) {
        view.branchUnavailable = "Branch works on a replay: a simulated market has no recording "
                                 "for the original and the branch to follow alike.";
    } else if (!m_fills && !replaysRecordedTrader()) {
        view.branchUnavailable = "Branch needs a replay that is running.";
    }
}

} // namespace bourse::session

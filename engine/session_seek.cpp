#include "session_seek.h"

#include "lobster_replay.h"
#include "session_runner.h"

#include <filesystem>
#include <limits>
#include <memory>
#include <utility>

namespace bourse::session {

namespace {

// The seek target that opens a source at its start.
constexpr Timestamp kSourceStart{std::numeric_limits<std::int64_t>::min()};

} // namespace

std::unique_ptr<Engine> makeReplayEngine(const Session::ReplaySource &source)
{
    // A LOBSTER day is one book, the engine's primary instrument. Another format defines its
    // instruments itself, as events.
    return source.openFeed ? std::make_unique<Engine>() : std::make_unique<Engine>(InstrumentId{1});
}

OpenedReplay openReplaySource(const Session::ReplaySource &source, Timestamp target,
                              std::unique_ptr<Engine> engine)
{
    OpenedReplay opened;
    if (source.openFeedAt) {
        opened.feed = source.openFeedAt(target, opened.engine, opened.error);
        if (!opened.engine)
            opened.engine = std::make_unique<Engine>();
        return opened;
    }
    opened.engine = engine ? std::move(engine) : makeReplayEngine(source);
    if (source.openFeed) {
        opened.feed = source.openFeed(*opened.engine, opened.error);
    } else {
        lobster::Replay::Options options{source.messagePath, source.orderbookPath, 0};
        if (options.orderbookPath.empty()) {
            const std::string candidate = lobster::orderbookPathFor(source.messagePath);
            std::error_code ignored;
            if (!candidate.empty() && std::filesystem::exists(candidate, ignored))
                options.orderbookPath = candidate;
        }
        opened.feed = lobster::openLobsterFeed(options, *opened.engine, opened.error);
    }
    if (!opened.feed && opened.error.empty())
        opened.error = "cannot open " + source.messagePath;
    return opened;
}

RestoredEventHandler::RestoredEventHandler(std::function<void(const Event &)> onEvent,
                                           std::function<void()> onCommandEnd)
    : m_onEvent(std::move(onEvent))
    , m_onCommandEnd(std::move(onCommandEnd))
{
}

EndTimeScan::EndTimeScan(Session::ReplaySource source)
    : m_thread([this, source = std::move(source)] { scan(source); })
{
}

EndTimeScan::~EndTimeScan()
{
    m_stop.store(true, std::memory_order_relaxed);
    m_thread.join();
}

std::optional<Timestamp> EndTimeScan::endTime() const
{
    if (!m_done.load(std::memory_order_acquire) || !m_error.empty())
        return std::nullopt;
    return Timestamp{m_end.load(std::memory_order_relaxed)};
}

std::optional<std::string> EndTimeScan::error() const
{
    if (!m_done.load(std::memory_order_acquire) || m_error.empty())
        return std::nullopt;
    return m_error;
}

void EndTimeScan::scan(const Session::ReplaySource &source)
{
    OpenedReplay opened = openReplaySource(source, kSourceStart);
    if (!opened.feed) {
        finish(std::nullopt, opened.error);
        return;
    }
    std::optional<Timestamp> last;
    for (std::size_t steps = 1;; ++steps) {
        const std::optional<Timestamp> next = opened.feed->nextTime();
        if (!next || opened.feed->step() != ReplayFeed::Step::Applied)
            break;
        last = next;
        if (steps % 4096 == 0 && m_stop.load(std::memory_order_relaxed))
            return;
    }
    if (last)
        finish(last, {});
    else if (const std::string failed = opened.feed->error(); !failed.empty())
        finish(std::nullopt, failed);
    else
        finish(std::nullopt, source.messagePath + ": the source has no message");
}

void EndTimeScan::finish(std::optional<Timestamp> end, std::string error)
{
    m_error = std::move(error);
    m_end.store(end ? end->value() : 0, std::memory_order_relaxed);
    m_done.store(true, std::memory_order_release);
}

// Opens the run's source for the first time. The engine's handlers are attached before a feed
// that opens on the runner's engine opens, because it may define instruments as it opens.
std::optional<std::string> Runner::openFirstReplay()
{
    std::unique_ptr<Engine> engine;
    if (!m_source.openFeedAt) {
        m_engine = makeReplayEngine(m_source);
        attachHandlers();
        engine = std::move(m_engine);
    }
    OpenedReplay opened = openReplaySource(m_source, kSourceStart, std::move(engine));
    m_engine = std::move(opened.engine);
    if (m_source.openFeedAt)
        attachHandlers();
    if (!opened.feed)
        return opened.error;

    m_replay = std::move(opened.feed);
    adoptReplayFeed();
    m_replayStart = m_replay->nextTime().value_or(Timestamp{0});
    if (!m_replay->endTime() && !m_replay->live())
        m_endScan = std::make_unique<EndTimeScan>(m_source);
    return std::nullopt;
}

// Sets up the views of a feed just opened: the trader's accounts when the source records them,
// and the handler of the events it restores.
void Runner::adoptReplayFeed()
{
    if (m_replay->replaysAccounts()) {
        m_traderView = std::make_unique<TraderViewBuilder>(*m_engine, Session::traderAccounts());
        m_traderView->adoptEngineState();
    }
    if (!m_restoredEvents) {
        m_restoredEvents = std::make_unique<RestoredEventHandler>(
            [this](const Event &event) { deliverRestored(event); },
            [this] { endRestoredCommand(); });
    }
    m_replay->setRestoredEventHandler(m_restoredEvents.get());
}

void Runner::deliverRestored(const Event &event)
{
    m_viewBuilder.onEvent(event);
    if (m_traderView) {
        // The trader view infers what a journal does not record, such as which command an
        // OrderRejected rejects, only from events it restores.
        m_restoredEvent.assign(1, event);
        m_traderView->restore(m_restoredEvent);
    }
    if (!m_runEngine) {
        for (EventHandler *handler : m_handlers)
            handler->onEvent(event);
    }
    // A branch of a journal replay follows the engine the journal restores into, which
    // publishes nothing. During a seek that opened a new engine it waits until it follows that
    // one (followReplayedEngine()).
    if (replaysRecordedTrader() && m_fills && &m_fills->market() == m_engine.get()) {
        m_fills->onEvent(event);
        if (m_branch)
            m_branch->onEvent(event);
    }
}

void Runner::endRestoredCommand()
{
    m_viewBuilder.onCommandEnd();
    if (!m_runEngine) {
        for (EventHandler *handler : m_handlers)
            handler->onCommandEnd();
    }
    if (replaysRecordedTrader() && m_fills && &m_fills->market() == m_engine.get()) {
        m_fills->onCommandEnd();
        if (m_branch)
            m_branch->onCommandEnd();
    }
}

// While paused, one message of a replay, one agent arrival, or one command of the synthetic
// flow.
void Runner::stepOnce()
{
    if (m_state != ReplayState::Paused)
        return;
    if (m_agents) {
        if (!finishTrainingAtEnd())
            m_agents->step();
        finishTrainingAtEnd();
    } else if (m_simulators) {
        m_simulators->step(*m_engine, commandTime());
    } else if (m_replay && stepReplay()) {
        m_marketAnchor = std::max(m_marketAnchor, m_replayTime.value());
    }
    m_publishNow = true;
}

void Runner::seekReplay(Timestamp target, Clock::time_point now)
{
    if (!m_replay || m_replay->live())
        return;
    const ReplayState before = m_state;
    const bool forward = m_replayTime <= target;
    const std::optional<Timestamp> restartPoint = m_replay->restartPoint(target);
    // A branch fills from every replayed event, so while one runs a seek forward plays every
    // event up to its target rather than jumping to a later snapshot of a journal.
    const bool jump = restartPoint && *restartPoint > m_replayTime && !m_branch;
    if (forward && !jump && (before == ReplayState::Finished || before == ReplayState::Failed))
        return; // already at the end of what plays
    if (!forward || jump) {
        if (std::optional<std::string> error = restartReplay(target)) {
            m_state = ReplayState::Failed;
            m_error = std::move(*error);
            m_publishNow = true;
            return;
        }
    }

    m_state = ReplayState::Paused;
    for (;;) {
        const std::optional<Timestamp> next = m_replay->nextTime();
        if (next && *next > target)
            break;
        if (!stepReplay())
            break;
    }
    if (m_state == ReplayState::Paused && before == ReplayState::Playing)
        m_state = ReplayState::Playing;
    // The views start at the new position. A fill that is never published takes the trades and
    // events the seek went past out of the next view's dropped counts.
    ++m_seeks;
    MarketView passedOver;
    m_viewBuilder.fill(passedOver, *m_engine, m_focus, now);
    // The market clock continues from the target, so play goes on from there.
    m_marketAnchor = std::max(target.value(), m_replayTime.value());
    anchorClocks(now);
    m_replayProgressed = true;
    m_settingsChanged = true;
    m_publishNow = true;
}

// Opens the source again on a fresh engine, at the latest point it can start from at or before
// `target`. The engine of the run's start stays, because the run's handlers were made for it
// and may read it until they are destroyed. They get no more events.
std::optional<std::string> Runner::restartReplay(Timestamp target)
{
    OpenedReplay opened = openReplaySource(m_source, target);
    if (!opened.feed)
        return opened.error;

    const std::optional<Timestamp> startedAt = opened.feed->restartPoint(target);
    m_replay.reset();
    m_engine->removeHandler(&m_viewBuilder);
    if (m_traderView)
        m_engine->removeHandler(m_traderView.get());
    m_traderView.reset();
    // An engine of an earlier seek stays until the next one, so that a handler that follows the
    // replayed engine (the fill model of a trader's replay) can move over from it.
    if (!m_runEngine)
        m_runEngine = std::move(m_engine);
    else
        m_previousEngine = std::move(m_engine);
    m_engine = std::move(opened.engine);
    m_replay = std::move(opened.feed);

    // The views start again from what the new engine replays. MarketViewBuilder cannot be
    // assigned, so a fresh one is built in its place. No engine has a pointer to the old one
    // any more, because it was removed from the only engine it was added to.
    std::destroy_at(&m_viewBuilder);
    std::construct_at(&m_viewBuilder, viewOptions(m_options));
    m_engine->addHandler(&m_viewBuilder);
    adoptReplayFeed();
    registerInstruments();
    // An engine loaded from a snapshot starts the views at the snapshot's last event.
    if (m_engine->lastSequence() > 0 && m_engine->instrument().value() != 0)
        m_viewBuilder.restoreHistory(m_engine->instrument(), {}, {}, m_engine->lastSequence());
    m_replayTime = startedAt.value_or(Timestamp{0});
    return std::nullopt;
}

std::optional<Timestamp> Runner::replayEnd() const
{
    if (const std::optional<Timestamp> end = m_replay->endTime())
        return end;
    return m_endScan ? m_endScan->endTime() : std::nullopt;
}

} // namespace bourse::session

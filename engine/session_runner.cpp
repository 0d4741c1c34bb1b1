#include "session_runner.h"

#include "replayed_bars.h"
#include "session_market.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <utility>

namespace bourse::session {

namespace {

// How long the engine thread works before it looks at its commands and the frame clock again.
constexpr auto kBatchBudget = std::chrono::milliseconds(5);
constexpr std::size_t kStepsBetweenClockReads = 256;

// The engine thread wakes at least this often while idle, so the event rate a view shows
// falls to zero once the source pauses or ends.
constexpr auto kIdleWake = std::chrono::milliseconds(100);
// The wait before a live feed with nothing new is stepped again. It is short beside a frame
// (16 ms at 60 a second), because a message that arrives meanwhile waits about this long.
constexpr auto kLiveFeedPoll = std::chrono::milliseconds(2);

// A paced source whose next message is further away than this is checked again then, which
// keeps the wall-time arithmetic far from overflow at tiny speeds.
constexpr auto kLongestWait = std::chrono::hours(1);

// Speeds outside this range make the pacing arithmetic overflow or leave the thread waking
// without ever doing work. 0 is separate and means as fast as possible.
constexpr double kMinimumSpeed = 1e-3;
constexpr double kMaximumSpeed = 1e6;

bool isValidSpeed(double speed)
{
    return speed == 0.0 || (speed >= kMinimumSpeed && speed <= kMaximumSpeed);
}

Timestamp wallClockNow()
{
    const auto sinceEpoch = std::chrono::system_clock::now().time_since_epoch();
    return Timestamp{std::chrono::duration_cast<std::chrono::nanoseconds>(sinceEpoch).count()};
}

// The symbol is the file name up to its first underscore: LOBSTER names its files
// TICKER_date_start_end_message_N.csv.
std::string symbolFromPath(const std::string &path)
{
    const std::string stem = std::filesystem::path(path).stem().string();
    return stem.substr(0, stem.find('_'));
}

} // namespace

// The terms a view shows for an instrument whose definition names no symbol. A LOBSTER book
// takes the file's ticker and four decimals, as its prices are dollars x 10000. Its tick is one
// cent, because US exchanges quote stocks of $1.00 or more in cents, so a price ladder steps
// through the prices the book has. The engine itself applies the messages on a tick of 0.0001.
// The one book of the simulations from before instruments had definitions keeps the terms they
// showed.
InstrumentDefinition displayTerms(InstrumentDefinition definition, SessionMode mode,
                                  const std::string &replaySymbol)
{
    if (definition.symbol[0] != '\0') {
        return definition;
    }
    const bool replay = mode == SessionMode::Replay;
    const std::string symbol = replay ? replaySymbol : "SIM";
    const std::size_t length = std::min(symbol.size(), definition.symbol.size());
    std::copy_n(symbol.begin(), length, definition.symbol.begin());
    definition.priceDecimals = replay ? 4 : 2;
    // NOTE: a LOBSTER day of a stock under $1.00, quoted in 0.0001, would need a tick of 1.
    definition.tickSize = Price{replay ? 100 : definition.tickSize.value()};
    definition.currency = currencyCode("USD");
    return definition;
}

MarketViewBuilder::Options viewOptions(const Session::Options &options)
{
    return {static_cast<std::size_t>(options.viewLevels), options.tradesPerView,
            options.barIntervalNanoseconds, options.barsKept, options.eventsPerView};
}

void ControlQueue::push(Control control)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_controls.size() == kCapacity) {
            m_controls.pop_front();
            ++m_dropped;
        }
        m_controls.push_back(control);
        m_pending.store(true, std::memory_order_release);
    }
    m_signal.notify_one();
}

bool ControlQueue::take(std::vector<Control> &out)
{
    out.clear();
    if (!m_pending.load(std::memory_order_acquire)) {
        return true;
    }
    std::lock_guard lock(m_mutex);
    out.assign(m_controls.begin(), m_controls.end());
    m_controls.clear();
    m_pending.store(m_stopRequested, std::memory_order_release);
    return !m_stopRequested;
}

bool ControlQueue::pushCommand(TraderCommand &&command, CommandKind kind)
{
    {
        std::lock_guard lock(m_mutex);
        const bool accepted = kind == CommandKind::Trading ? m_acceptsTrading : m_acceptsQueries;
        if (!accepted || m_commands.size() >= kCommandCapacity) {
            return false;
        }
        m_commands.push_back(std::move(command));
        m_commandsPending.store(true, std::memory_order_release);
    }
    m_signal.notify_one();
    return true;
}

void ControlQueue::takeCommands(std::vector<TraderCommand> &out)
{
    out.clear();
    if (!m_commandsPending.load(std::memory_order_acquire)) {
        return;
    }
    std::lock_guard lock(m_mutex);
    for (TraderCommand &command : m_commands) {
        out.push_back(std::move(command));
    }
    m_commands.clear();
    m_commandsPending.store(false, std::memory_order_release);
}

void ControlQueue::acceptCommands(bool queries, bool trading)
{
    std::lock_guard lock(m_mutex);
    m_acceptsQueries = queries;
    m_acceptsTrading = trading;
}

void ControlQueue::waitUntil(Clock::time_point deadline)
{
    std::unique_lock lock(m_mutex);
    m_signal.wait_until(lock, deadline, [this] {
        return !m_controls.empty() || !m_commands.empty() || m_stopRequested;
    });
}

void ControlQueue::requestStop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopRequested = true;
        m_pending.store(true, std::memory_order_release);
    }
    m_signal.notify_one();
}

void ControlQueue::reset()
{
    // The commands are destroyed after the lock, as destroying their promises wakes waiters.
    std::deque<TraderCommand> dropped;
    std::lock_guard lock(m_mutex);
    m_controls.clear();
    dropped.swap(m_commands);
    m_stopRequested = false;
    m_acceptsQueries = false;
    m_acceptsTrading = false;
    m_pending.store(false, std::memory_order_release);
    m_commandsPending.store(false, std::memory_order_release);
}

std::uint64_t ControlQueue::droppedCount() const
{
    std::lock_guard lock(m_mutex);
    return m_dropped;
}

void ViewSlot::publish(std::shared_ptr<const MarketView> view)
{
    // The previous view is released after the lock, so a large view is never freed under it.
    std::shared_ptr<const MarketView> previous;
    {
        std::lock_guard lock(m_mutex);
        previous = std::exchange(m_view, std::move(view));
    }
}

std::shared_ptr<const MarketView> ViewSlot::latest() const
{
    std::lock_guard lock(m_mutex);
    return m_view;
}

Runner::Runner(const Session::Options &options, std::unique_ptr<Engine> engine,
               const std::vector<EventHandler *> &handlers, ControlQueue &controls, ViewSlot &views)
    : m_options(options)
    , m_controls(controls)
    , m_views(views)
    , m_sessionHandlers(handlers)
    , m_engine(std::move(engine))
    , m_viewBuilder(viewOptions(options))
    , m_eventRate(options.simulationEventsPerSecond)
    , m_frameInterval(std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(1)) /
                      options.framesPerSecond)
{
    if (m_options.simulatedInstruments.empty()) {
        m_options.simulatedInstruments = defaultInstruments();
    }
}

Runner::~Runner() = default;

void Runner::attachHandlers()
{
    m_engine->addHandler(&m_viewBuilder);
    if (m_traderView) {
        m_engine->addHandler(m_traderView.get());
    }
    for (EventHandler *handler : m_sessionHandlers) {
        addHandler(handler);
    }
}

void Runner::addHandler(EventHandler *handler)
{
    m_engine->addHandler(handler);
    m_handlers.push_back(handler);
}

// A handler that stopped working, such as a journal that cannot write, is shown as the
// session's error. The market goes on, because the handler is not what feeds it.
void Runner::reportHandlerFailure()
{
    if (!m_error.empty())
        return;
    for (const EventHandler *handler : m_handlers) {
        std::string failure = handler->failure();
        if (failure.empty())
            continue;
        m_error = std::move(failure);
        m_publishNow = true;
        return;
    }
}

void Runner::setUpSimulation(std::uint64_t seed)
{
    m_mode = SessionMode::Simulation;
    m_seed = seed;
    m_speed = 1.0;
    // An engine without events, such as that of an empty journal, has nothing to continue:
    // the market starts as a new one would, with instruments and accounts as events.
    if (!m_engine || m_engine->lastSequence() == 0) {
        m_engine = std::make_unique<Engine>();
        m_newMarket = true;
    }
    std::vector<AccountId> accounts;
    for (const TraderAccount &account : traderAccounts()) {
        accounts.push_back(account.settings.id);
    }
    m_traderView = std::make_unique<TraderViewBuilder>(*m_engine, std::move(accounts));
    attachHandlers();
}

void Runner::restoreHistory(InstrumentId instrument, const std::vector<Bar> &bars,
                            const std::vector<TradePrint> &trades,
                            const std::vector<Event> &traderHistory)
{
    if (m_newMarket) {
        // A new market shows no history, but bars that could never be restored are still
        // the caller's error.
        BarBuilder(m_options.barIntervalNanoseconds, m_options.barsKept).restore(bars);
        return;
    }
    registerInstruments();
    const InstrumentId restored = instrument.value() != 0 ? instrument : m_engine->instrument();
    m_viewBuilder.restoreHistory(restored, bars, trades, m_engine->lastSequence());
    // begin() then takes over the engine's working orders, which these events do not all show.
    m_traderView->restore(traderHistory);
}

std::optional<std::string> Runner::setUpReplay(const Session::ReplaySource &source)
{
    m_mode = SessionMode::Replay;
    m_source = source;
    m_replaySymbol = source.symbol.empty() ? symbolFromPath(source.messagePath) : source.symbol;
    m_replaySource = source.messagePath;
    m_speed = source.speed;

    std::optional<std::string> problem;
    if (source.messagePath.empty()) {
        problem = "no message file given: pass the path of a LOBSTER message file";
    } else if (!isValidSpeed(source.speed)) {
        problem = "invalid replay speed " + std::to_string(source.speed) +
                  ": use 0 for as fast as possible or a multiple of market time from 0.001 to "
                  "1000000";
    } else {
        problem = openFirstReplay();
    }
    if (!problem)
        setUpReplayTrading();
    // A replay that cannot start still publishes a view, of an empty engine.
    if (!m_engine) {
        m_engine = makeReplayEngine(source);
        attachHandlers();
    }
    return problem;
}

void Runner::publishFailure(const std::string &error)
{
    m_state = ReplayState::Failed;
    m_error = error;
    registerInstruments();
    publish(Clock::now());
}

// Gives the view builder the terms of the instruments the engine had before its first event
// of this run, which no InstrumentAdded event brings.
void Runner::registerInstruments()
{
    for (const InstrumentId id : m_engine->instruments()) {
        if (!m_viewBuilder.knows(id)) {
            m_viewBuilder.addInstrument(
                displayTerms(*m_engine->definition(id), m_mode, m_replaySymbol));
        }
    }
}

void Runner::run()
{
    begin();
    while (applyControls()) {
        applyCommands();
        Clock::time_point nextWork = Clock::time_point::max();
        if (m_state == ReplayState::Playing) {
            const Clock::time_point now = Clock::now();
            nextWork = m_agents       ? runAgents(now)
                       : m_simulators ? runSimulation(now)
                                      : runReplay(now);
        }

        const Clock::time_point now = Clock::now();
        m_viewBuilder.sampleRate(now);
        publishIfDue(now);
        m_engine->endBatch();
        reportHandlerFailure();
        if (m_state == ReplayState::Playing && nextWork <= now) {
            continue;
        }
        waitForWork(nextWork, now);
    }
}

// A new market gets its instruments and the trader's accounts, and every book of a simulation
// is filled before the first view, so the ladders are full from the start.
void Runner::begin()
{
    if (m_mode == SessionMode::Simulation && m_newMarket &&
        (m_options.flow == Session::Options::Flow::Agents || m_training)) {
        // The agents add their instruments and prime the books; the trader's accounts open
        // first, at the same time. A training scenario's market keeps its own start time, which
        // its schedule counts from.
        const Timestamp time = m_training ? m_training->startTime : commandTime();
        setUpMarket(*m_engine, {}, time);
        AgentMarket::Options agents = m_training ? *m_training : AgentMarket::Options{};
        agents.startTime = time;
        m_agents = std::make_unique<AgentMarket>(*m_engine, m_seed, std::move(agents));
        m_traderView->adoptEngineState();
    } else if (m_mode == SessionMode::Simulation && !m_newMarket && resumeAgents()) {
        m_traderView->adoptEngineState();
    } else if (m_mode == SessionMode::Simulation) {
        const Timestamp time = commandTime();
        if (m_newMarket) {
            setUpMarket(*m_engine, m_options.simulatedInstruments, time);
        }
        m_traderView->adoptEngineState();
        m_simulators = std::make_unique<SimulatorSet>(
            m_seed, simulatorMembers(*m_engine, m_options.simulatedInstruments), *m_engine);
        m_simulators->prime(*m_engine, time);
    }
    registerInstruments();
    if (m_replay) {
        m_marketAnchor = m_replay->nextTime().value_or(Timestamp{0}).value();
    }
    const std::vector<InstrumentId> instruments = m_engine->instruments();
    if (!instruments.empty()) {
        m_focus = instruments.front();
    }
    const Clock::time_point now = Clock::now();
    anchorClocks(now);
    m_viewBuilder.sampleRate(now);
    publish(now);
}

bool Runner::applyControls()
{
    if (!m_controls.take(m_takenControls)) {
        return false;
    }
    const Clock::time_point now = Clock::now();
    for (const Control &control : m_takenControls) {
        applyControl(control, now);
    }
    return true;
}

void Runner::applyControl(const Control &control, Clock::time_point now)
{
    switch (control.kind) {
    case Control::Kind::Play:
        if (m_state == ReplayState::Paused) {
            m_state = ReplayState::Playing;
            anchorClocks(now);
            m_settingsChanged = true;
        }
        return;
    case Control::Kind::Pause:
        if (m_state == ReplayState::Playing) {
            m_marketAnchor = marketTime(now); // the market clock is frozen while paused
            m_state = ReplayState::Paused;
            m_publishNow = true;
        }
        return;
    case Control::Kind::SetSpeed:
        if (!isValidSpeed(control.value)) {
            return;
        }
        if (m_state == ReplayState::Playing) {
            m_marketAnchor = marketTime(now);
        }
        m_speed = control.value;
        anchorClocks(now);
        m_settingsChanged = true;
        return;
    case Control::Kind::SetEventRate:
        m_eventRate = control.value;
        anchorClocks(now);
        m_settingsChanged = true;
        return;
    case Control::Kind::SetFocus:
        if (m_engine->definition(control.instrument) != nullptr) {
            m_focus = control.instrument;
            m_settingsChanged = true;
        }
        return;
    case Control::Kind::Step:
        stepOnce();
        return;
    case Control::Kind::Seek: {
        const Timestamp target = branchSeekTarget(control.time);
        seekReplay(target, now);
        endBranchBefore(target);
        followReplayedEngine();
        return;
    }
    }
}

Timestamp Runner::commandTime()
{
    // In an agent market the agents' clock is the market's time, so the trader's commands
    // take it and never come before the agents' last arrival.
    // Against a replay they take the replay's market time, as the simulated fills do.
    const Timestamp now = m_agents ? m_agents->time() : m_fills ? m_replayTime : wallClockNow();
    m_lastCommandTime = std::max(m_lastCommandTime, now);
    return m_lastCommandTime;
}

// Market time now: the frozen anchor while paused, the last applied message at maximum
// speed, and otherwise the anchor advanced by the wall time since, times the speed.
std::int64_t Runner::marketTime(Clock::time_point now) const
{
    if (m_state != ReplayState::Playing) {
        return m_marketAnchor;
    }
    if (m_speed == 0.0) {
        return std::max(m_marketAnchor, m_replayTime.value());
    }
    const auto wallElapsed = std::chrono::duration<double, std::nano>(now - m_wallAnchor);
    return m_marketAnchor + static_cast<std::int64_t>(wallElapsed.count() * m_speed);
}

Clock::time_point Runner::wallTimeFor(std::int64_t marketTime, Clock::time_point now) const
{
    const double wallNanoseconds = static_cast<double>(marketTime - m_marketAnchor) / m_speed;
    const auto latest = std::chrono::duration<double, std::nano>(now - m_wallAnchor + kLongestWait);
    if (wallNanoseconds >= latest.count()) {
        return now + kLongestWait;
    }
    return m_wallAnchor + std::chrono::duration_cast<Clock::duration>(
                              std::chrono::duration<double, std::nano>(wallNanoseconds));
}

// A batch ends at the next frame, so views go out on time, or after the budget at the latest.
Clock::time_point Runner::batchDeadline(Clock::time_point now) const
{
    return std::min(now + kBatchBudget, m_nextFrame);
}

void Runner::anchorClocks(Clock::time_point now)
{
    if (m_agents)
        m_agentsAnchor = m_agents->time().value();
    m_wallAnchor = now;
    m_commandsSinceAnchor = 0;
    m_sequenceAtAnchor = m_engine->lastSequence();
}

Clock::time_point Runner::runSimulation(Clock::time_point now)
{
    const Clock::time_point deadline = batchDeadline(now);
    if (m_speed == 0.0) {
        do {
            const Timestamp time = commandTime();
            for (std::size_t i = 0; i < kStepsBetweenClockReads; ++i) {
                m_simulators->step(*m_engine, time);
            }
        } while (Clock::now() < deadline);
        return Clock::now();
    }
    if (m_eventRate > 0.0) {
        return runAtEventRate(now, deadline);
    }

    const double rate = m_options.simulationCommandsPerSecond * m_speed;
    const double elapsed = std::chrono::duration<double>(now - m_wallAnchor).count();
    auto target = static_cast<std::uint64_t>(elapsed * rate);

    // A thread that fell more than a second behind (a stalled machine, a debugger) drops the
    // backlog instead of bursting through it.
    if (target > m_commandsSinceAnchor &&
        static_cast<double>(target - m_commandsSinceAnchor) > rate) {
        anchorClocks(now);
        target = 1;
    }

    const Timestamp time = commandTime();
    while (m_commandsSinceAnchor < target) {
        m_simulators->step(*m_engine, time);
        ++m_commandsSinceAnchor;
        if (m_commandsSinceAnchor % kStepsBetweenClockReads == 0 && Clock::now() >= deadline) {
            break;
        }
    }
    const double nextDue = static_cast<double>(m_commandsSinceAnchor + 1) / rate;
    return m_wallAnchor +
           std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(nextDue));
}

// Steps the agent market until its clock reaches the wall time since the anchor times the
// speed. At the highest speed it steps as far as the batch allows.
Clock::time_point Runner::runAgents(Clock::time_point now)
{
    const Clock::time_point deadline = batchDeadline(now);
    if (finishTrainingAtEnd())
        return Clock::time_point::max();
    if (m_speed == 0.0) {
        do {
            for (std::size_t i = 0; i < kStepsBetweenClockReads && !finishTrainingAtEnd(); ++i)
                m_agents->step();
        } while (Clock::now() < deadline && m_state == ReplayState::Playing);
        return Clock::now();
    }
    const double elapsed = std::chrono::duration<double, std::nano>(now - m_wallAnchor).count();
    const auto target = m_agentsAnchor + static_cast<std::int64_t>(elapsed * m_speed);
    // A thread that fell more than a second of market time behind drops the backlog instead of
    // bursting through it, as the synthetic flow does.
    if (target - m_agents->time().value() > static_cast<std::int64_t>(1e9 * m_speed)) {
        anchorClocks(now);
        return now;
    }
    for (std::size_t steps = 1; m_agents->time().value() < target; ++steps) {
        m_agents->step();
        if (finishTrainingAtEnd())
            return Clock::time_point::max();
        if (steps % kStepsBetweenClockReads == 0 && Clock::now() >= deadline)
            return Clock::now();
    }
    // The next arrival's time is known only once it is drawn; a millisecond is below the gap
    // between two arrivals of a calm market.
    return now + std::chrono::milliseconds(1);
}

// Paces by the engine's events rather than by commands. A command makes one to a few dozen
// events, so this is the pace a load test needs. Trader commands count too.
Clock::time_point Runner::runAtEventRate(Clock::time_point now, Clock::time_point deadline)
{
    const double rate = m_eventRate * m_speed;
    const double elapsed = std::chrono::duration<double>(now - m_wallAnchor).count();
    auto target = static_cast<std::uint64_t>(elapsed * rate);
    std::uint64_t done = m_engine->lastSequence() - m_sequenceAtAnchor;

    // As by command, a backlog of more than a second is dropped, not burst through.
    if (target > done && static_cast<double>(target - done) > rate) {
        anchorClocks(now);
        target = 1;
        done = 0;
    }

    const Timestamp time = commandTime();
    for (std::size_t steps = 1; done < target; ++steps) {
        m_simulators->step(*m_engine, time);
        done = m_engine->lastSequence() - m_sequenceAtAnchor;
        if (steps % kStepsBetweenClockReads == 0 && Clock::now() >= deadline) {
            break;
        }
    }
    const double nextDue = static_cast<double>(done + 1) / rate;
    return m_wallAnchor +
           std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(nextDue));
}

Clock::time_point Runner::runReplay(Clock::time_point now)
{
    if (m_speed == 0.0 || m_replay->live()) {
        return runReplayAtMaxSpeed(now);
    }
    const Clock::time_point deadline = batchDeadline(now);
    const std::int64_t market = marketTime(now);
    for (std::size_t steps = 1;; ++steps) {
        const std::optional<Timestamp> next = m_replay->nextTime();
        if (next && next->value() > market) {
            return wallTimeFor(next->value(), now);
        }
        if (!stepReplay()) {
            return Clock::time_point::max();
        }
        if (steps % kStepsBetweenClockReads == 0 && Clock::now() >= deadline) {
            return Clock::now();
        }
    }
}

Clock::time_point Runner::runReplayAtMaxSpeed(Clock::time_point now)
{
    const Clock::time_point deadline = batchDeadline(now);
    for (std::size_t steps = 1;; ++steps) {
        if (!stepReplay()) {
            // A live feed that waits for its next message is polled again soon.
            return m_state == ReplayState::Playing ? Clock::now() + kLiveFeedPoll
                                                   : Clock::time_point::max();
        }
        if (steps % kStepsBetweenClockReads == 0 && Clock::now() >= deadline) {
            return Clock::now();
        }
    }
}

// Applies one message. Returns false when the replay finished or failed, which also ends play.
bool Runner::stepReplay()
{
    const std::optional<Timestamp> time = m_replay->nextTime();
    switch (m_replay->step()) {
    case ReplayFeed::Step::Applied:
        if (time) {
            m_replayTime = *time;
        }
        // A message can change nothing in the engine, as a delta that a stale book holds back.
        // The view still shows the market clock and the count moving on.
        m_replayProgressed = true;
        return true;
    case ReplayFeed::Step::Finished:
        m_state = ReplayState::Finished;
        m_publishNow = true;
        return false;
    case ReplayFeed::Step::Failed:
        m_state = ReplayState::Failed;
        m_error = m_replay->error();
        m_publishNow = true;
        return false;
    case ReplayFeed::Step::Waiting:
        // The feed's stale reason may have changed without a message to apply.
        m_replayProgressed = m_replayProgressed || m_replay->staleReason() != m_publishedStale;
        return false;
    }
    return false;
}

void Runner::publishIfDue(Clock::time_point now)
{
    if (m_publishNow || (now >= m_nextFrame && viewPending())) {
        publish(now);
    }
}

// Something the newest view does not show yet: events, a changed setting, an event rate that
// has not fallen to zero, or the replay's end, which a scan on another thread may find while the
// replay is paused or finished.
bool Runner::viewPending() const
{
    return m_viewBuilder.hasNewEvents() || m_settingsChanged || m_replayProgressed ||
           m_publishedRate > 0.0 ||
           (m_replay && replayEnd().value_or(Timestamp{0}) != m_publishedEnd);
}

void Runner::publish(Clock::time_point now)
{
    // A replayed source may define its first instrument only with its first message.
    if (m_focus.value() == 0) {
        const std::vector<InstrumentId> instruments = m_engine->instruments();
        if (!instruments.empty())
            m_focus = instruments.front();
    }
    auto view = std::make_shared<MarketView>();
    view->mode = m_mode;
    view->takesOrders = takesOrders();
    m_viewBuilder.fill(*view, *m_engine, m_focus, now);
    if (TraderViewBuilder *trader = traderView()) {
        // A replay's risk monitor measures at the market time of the replay.
        trader->fill(view->trader, m_replay ? m_replayTime : commandTime());
    }
    fillBranchView(*view);
    view->viewNumber = m_views.takeViewNumber();

    view->replayState = m_state;
    view->replaySpeed = m_speed;
    fillTrainingTime(*view);
    if (m_replay) {
        view->replayTime = m_replayTime;
        view->replayStart = m_replayStart;
        view->replayEnd = replayEnd().value_or(Timestamp{0});
        view->replaySeeks = m_seeks;
        view->replaySource = m_replaySource;
        view->replayLive = m_replay->live();
        view->replayMessages = m_replay->messages();
        view->replayMismatches = m_replay->mismatches();
        view->replayStale = m_replay->staleReason();
        m_publishedStale = view->replayStale;
        // A file of bars has no trades to build bars from: its own bars take their place.
        if (const auto *bars = dynamic_cast<const BarReplaySource *>(m_replay.get()))
            showReplayedBars(bars->replayedBars(), m_options.barsKept, *view);
    }
    view->error = m_error;
    // A scan that found no end leaves the slider off, and the reason shows with the errors.
    if (const auto scanError = m_endScan ? m_endScan->error() : std::nullopt;
        scanError && view->error.empty())
        view->error = "cannot find the replay's end: " + *scanError;

    m_publishedRate = view->eventsPerSecond;
    m_publishedEnd = view->replayEnd;
    m_publishNow = false;
    m_settingsChanged = false;
    m_replayProgressed = false;
    scheduleNextFrame(now);
    m_views.publish(std::move(view));
}

// Frames keep their own schedule, so publishing a little late does not lower the rate. A view
// forced out between frames (pause, finish, failure) leaves the schedule as it is, and after an
// idle stretch the schedule starts again from now.
void Runner::scheduleNextFrame(Clock::time_point now)
{
    if (now < m_nextFrame) {
        return;
    }
    if (now - m_nextFrame < m_frameInterval) {
        m_nextFrame += m_frameInterval;
    } else {
        m_nextFrame = now + m_frameInterval;
    }
}

void Runner::waitForWork(Clock::time_point nextWork, Clock::time_point now)
{
    Clock::time_point deadline = std::min(nextWork, now + kIdleWake);
    if (viewPending()) {
        deadline = std::min(deadline, std::max(m_nextFrame, now));
    }
    m_controls.waitUntil(deadline);
}

} // namespace bourse::session

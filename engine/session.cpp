#include "session.h"

#include "session_market.h"
#include "session_runner.h"

#include <atomic>
#include <cmath>
#include <stdexcept>
#include <thread>
#include <vector>

namespace bourse {

namespace {

bool isValidEventRate(double eventsPerSecond)
{
    return std::isfinite(eventsPerSecond) && eventsPerSecond >= 0.0 &&
           eventsPerSecond <= Session::kMaximumEventRate;
}

void checkOptions(const Session::Options &options)
{
    const auto fail = [](const std::string &what) {
        throw std::invalid_argument("invalid session option: " + what);
    };
    if (options.viewLevels < 1) {
        fail("viewLevels is " + std::to_string(options.viewLevels) + ", expected at least 1");
    }
    if (options.framesPerSecond < 1 || options.framesPerSecond > 1000) {
        fail("framesPerSecond is " + std::to_string(options.framesPerSecond) +
             ", expected 1 to 1000");
    }
    if (options.barIntervalNanoseconds <= 0) {
        fail("barIntervalNanoseconds is " + std::to_string(options.barIntervalNanoseconds) +
             ", expected a positive interval");
    }
    if (options.barsKept < 1) {
        fail("barsKept is 0, expected at least 1");
    }
    if (options.simulationCommandsPerSecond < 1) {
        fail("simulationCommandsPerSecond is " +
             std::to_string(options.simulationCommandsPerSecond) + ", expected at least 1");
    }
    if (!isValidEventRate(options.simulationEventsPerSecond)) {
        fail("simulationEventsPerSecond is " + std::to_string(options.simulationEventsPerSecond) +
             ", expected 0 to 100000000");
    }
    if (const std::string problem = session::checkInstruments(options.simulatedInstruments);
        !problem.empty()) {
        fail("simulatedInstruments: " + problem);
    }
}

} // namespace

struct Session::Impl {
    explicit Impl(Options sessionOptions)
        : options(sessionOptions)
    {
    }

    // Joins the engine thread; the caller holds lifecycleMutex. Commands still queued are
    // dropped, which breaks the promises of checks and book queries.
    void stopThread()
    {
        if (thread.joinable()) {
            controls.requestStop();
            thread.join();
        }
        controls.reset();
        branchable.store(false, std::memory_order_relaxed);
        // The run's handlers go first: they may read the engine as they close.
        runHandlers.clear();
        runner.reset();
    }

    // Starts the engine thread on a runner that is set up; the caller holds lifecycleMutex.
    void startThread(std::unique_ptr<session::Runner> next, SessionMode mode)
    {
        controls.reset();
        // A replay takes orders through its fill model, unless its source replays the
        // recorded trader's own orders.
        controls.acceptCommands(true, mode == SessionMode::Simulation || next->takesOrders());
        branchable.store(next->branchable(), std::memory_order_relaxed);
        runner = std::move(next);
        thread = std::thread([runner = runner.get()] { runner->run(); });
    }

    bool pushTrading(session::TraderCommand &&command)
    {
        return controls.pushCommand(std::move(command),
                                    session::ControlQueue::CommandKind::Trading);
    }

    std::unique_ptr<session::Runner> makeRunner(std::unique_ptr<Engine> engine = nullptr)
    {
        return std::make_unique<session::Runner>(options, std::move(engine), handlers, controls,
                                                 views);
    }

    // Gives a runner whose source is set up the handlers made for its run. It comes after the
    // set-up so that a run that cannot start leaves nothing behind, such as an empty journal.
    void addRunHandlers(session::Runner &next, SessionMode mode, std::string source,
                        std::string continuedJournal = {}, SequenceNumber lastSnapshot = 0,
                        std::string trainingRecord = {})
    {
        if (!runHandlerFactory) {
            return;
        }
        const RunContext context{mode,          std::move(source),
                                 next.engine(), std::move(continuedJournal),
                                 lastSnapshot,  std::move(trainingRecord)};
        runHandlers = runHandlerFactory(context);
        for (const auto &handler : runHandlers) {
            next.addHandler(handler.get());
        }
    }

    const Options options;
    session::ControlQueue controls;
    session::ViewSlot views;

    // Serializes start, stop and handler registration between the calling threads. The
    // engine thread never takes it.
    std::mutex lifecycleMutex;
    std::vector<EventHandler *> handlers;
    RunHandlerFactory runHandlerFactory;
    std::vector<std::unique_ptr<EventHandler>> runHandlers; // of the current run
    std::unique_ptr<session::Runner> runner;
    std::thread thread;
    // Whether the running source is a replay that takes orders, which Session::branch() needs.
    std::atomic<bool> branchable{false};
};

Session::Session(Options options)
{
    checkOptions(options);
    m_impl = std::make_unique<Impl>(options);
}

Session::Session()
    : Session(Options{})
{
}

Session::~Session()
{
    stop();
}

void Session::addEventHandler(EventHandler *handler)
{
    std::lock_guard lock(m_impl->lifecycleMutex);
    m_impl->handlers.push_back(handler);
}

void Session::setRunHandlerFactory(RunHandlerFactory factory)
{
    std::lock_guard lock(m_impl->lifecycleMutex);
    m_impl->runHandlerFactory = std::move(factory);
}

void Session::startSimulation(std::uint64_t seed)
{
    std::lock_guard lock(m_impl->lifecycleMutex);
    m_impl->stopThread();
    auto runner = m_impl->makeRunner();
    runner->setUpSimulation(seed);
    m_impl->addRunHandlers(*runner, SessionMode::Simulation, "seed " + std::to_string(seed));
    m_impl->startThread(std::move(runner), SessionMode::Simulation);
}

void Session::resumeSimulation(std::uint64_t seed, Continuation continuation)
{
    if (!continuation.engine) {
        throw std::invalid_argument("resumeSimulation needs the engine to continue");
    }
    std::lock_guard lock(m_impl->lifecycleMutex);
    m_impl->stopThread();
    auto runner = m_impl->makeRunner(std::move(continuation.engine));
    runner->setUpSimulation(seed);
    runner->restoreHistory(continuation.instrument, continuation.bars, continuation.recentTrades,
                           continuation.traderHistory);
    runner->carryAgentState(continuation);
    m_impl->addRunHandlers(*runner, SessionMode::Simulation, "seed " + std::to_string(seed),
                           std::move(continuation.journal), continuation.lastSnapshot);
    m_impl->startThread(std::move(runner), SessionMode::Simulation);
}

void Session::startTraining(std::uint64_t seed, AgentMarket::Options market)
{
    startTraining(seed, Training{std::move(market)});
}

void Session::startTraining(std::uint64_t seed, Training training)
{
    std::lock_guard lock(m_impl->lifecycleMutex);
    m_impl->stopThread();
    auto runner = m_impl->makeRunner();
    runner->setUpTraining(seed, std::move(training.market), training.end);
    m_impl->addRunHandlers(*runner, SessionMode::Simulation, "seed " + std::to_string(seed), {}, 0,
                           std::move(training.record));
    m_impl->startThread(std::move(runner), SessionMode::Simulation);
}

void Session::resumeTraining(std::uint64_t seed, Training training, Continuation continuation)
{
    if (!continuation.engine) {
        throw std::invalid_argument("resumeTraining needs the engine to continue");
    }
    std::lock_guard lock(m_impl->lifecycleMutex);
    m_impl->stopThread();
    auto runner = m_impl->makeRunner(std::move(continuation.engine));
    runner->setUpTraining(seed, std::move(training.market), training.end);
    runner->restoreHistory(continuation.instrument, continuation.bars, continuation.recentTrades,
                           continuation.traderHistory);
    runner->carryAgentState(continuation);
    m_impl->addRunHandlers(*runner, SessionMode::Simulation, "seed " + std::to_string(seed),
                           std::move(continuation.journal), continuation.lastSnapshot);
    m_impl->startThread(std::move(runner), SessionMode::Simulation);
}

bool Session::injectMarketEvent(const MarketEvent &event)
{
    return m_impl->pushTrading(session::MarketEventCommand{event});
}

std::optional<std::string> Session::startReplay(const ReplaySource &source)
{
    std::lock_guard lock(m_impl->lifecycleMutex);
    m_impl->stopThread();
    auto runner = m_impl->makeRunner();
    if (std::optional<std::string> error = runner->setUpReplay(source)) {
        runner->publishFailure(*error);
        return error;
    }
    m_impl->addRunHandlers(*runner, SessionMode::Replay, source.messagePath);
    m_impl->startThread(std::move(runner), SessionMode::Replay);
    return std::nullopt;
}

void Session::play()
{
    m_impl->controls.push({session::Control::Kind::Play, 0.0, {}});
}

void Session::pause()
{
    m_impl->controls.push({session::Control::Kind::Pause, 0.0, {}});
}

void Session::step()
{
    m_impl->controls.push({session::Control::Kind::Step, 0.0, {}});
}

void Session::seek(Timestamp time)
{
    m_impl->controls.push({session::Control::Kind::Seek, 0.0, {}, time});
}

void Session::setSpeed(double speed)
{
    m_impl->controls.push({session::Control::Kind::SetSpeed, speed, {}});
}

void Session::setEventRate(double eventsPerSecond)
{
    if (isValidEventRate(eventsPerSecond)) {
        m_impl->controls.push({session::Control::Kind::SetEventRate, eventsPerSecond, {}});
    }
}

void Session::setFocus(InstrumentId instrument)
{
    m_impl->controls.push({session::Control::Kind::SetFocus, 0.0, instrument});
}

bool Session::submit(const NewOrder &order)
{
    return m_impl->pushTrading(order);
}

bool Session::cancel(OrderId id)
{
    return m_impl->pushTrading(session::CancelCommand{id});
}

bool Session::replace(const ReplaceOrder &replace)
{
    return m_impl->pushTrading(replace);
}

bool Session::massCancel(const MassCancel &scope)
{
    return m_impl->pushTrading(scope);
}

bool Session::engageKillSwitch(AccountId account, KillSwitchScope scope)
{
    return m_impl->pushTrading(session::KillSwitchCommand{account, scope, false});
}

bool Session::resetKillSwitch(AccountId account)
{
    return m_impl->pushTrading(session::KillSwitchCommand{account, KillSwitchScope::None, true});
}

bool Session::setRiskLimits(AccountId account, const RiskLimits &limits)
{
    return m_impl->pushTrading(session::LimitsCommand{account, limits});
}

std::future<Session::CheckAnswer> Session::checkOrder(const NewOrder &order)
{
    std::promise<CheckAnswer> promise;
    std::future<CheckAnswer> answer = promise.get_future();
    m_impl->controls.pushCommand(session::CheckCommand{order, std::move(promise)},
                                 session::ControlQueue::CommandKind::Query);
    return answer;
}

std::future<BookDepth> Session::queryBook(InstrumentId instrument, std::size_t levels)
{
    std::promise<BookDepth> promise;
    std::future<BookDepth> answer = promise.get_future();
    m_impl->controls.pushCommand(session::BookCommand{instrument, levels, std::move(promise)},
                                 session::ControlQueue::CommandKind::Query);
    return answer;
}

bool Session::branch()
{
    if (!m_impl->branchable.load(std::memory_order_relaxed)) {
        return false;
    }
    // A branch changes no engine of the source, so the queue takes it as it takes queries: a
    // journal replay takes trading commands only once it has a branch.
    return m_impl->controls.pushCommand(session::BranchCommand{},
                                        session::ControlQueue::CommandKind::Query);
}

std::vector<Session::SimulatedInstrument> Session::defaultSimulatedInstruments()
{
    return session::defaultInstruments();
}

std::vector<AccountId> Session::traderAccounts()
{
    std::vector<AccountId> accounts;
    for (const session::TraderAccount &account : session::traderAccounts()) {
        accounts.push_back(account.settings.id);
    }
    return accounts;
}

void Session::stop()
{
    std::lock_guard lock(m_impl->lifecycleMutex);
    m_impl->stopThread();
}

std::shared_ptr<const MarketView> Session::latestView() const
{
    return m_impl->views.latest();
}

} // namespace bourse

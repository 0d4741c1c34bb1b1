#include "session.h"

#include "session_runner.h"

#include <stdexcept>
#include <thread>
#include <vector>

namespace bourse {

namespace {

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
}

} // namespace

struct Session::Impl {
    explicit Impl(Options sessionOptions)
        : options(sessionOptions)
    {
    }

    // Joins the engine thread; the caller holds lifecycleMutex.
    void stopThread()
    {
        if (thread.joinable()) {
            controls.requestStop();
            thread.join();
        }
        // The run's handlers go first: they may read the engine as they close.
        runHandlers.clear();
        runner.reset();
    }

    // Starts the engine thread on a runner that is set up; the caller holds lifecycleMutex.
    void startThread(std::unique_ptr<session::Runner> next)
    {
        controls.reset();
        runner = std::move(next);
        thread = std::thread([runner = runner.get()] { runner->run(); });
    }

    std::unique_ptr<session::Runner> makeRunner(std::unique_ptr<Engine> engine = nullptr)
    {
        return std::make_unique<session::Runner>(options, std::move(engine), handlers, controls,
                                                 views);
    }

    // Gives a runner whose source is set up the handlers made for its run. It comes after the
    // set-up so that a run that cannot start leaves nothing behind, such as an empty journal.
    void addRunHandlers(session::Runner &next, SessionMode mode, std::string source,
                        std::string continuedJournal = {}, SequenceNumber lastSnapshot = 0)
    {
        if (!runHandlerFactory) {
            return;
        }
        const RunContext context{mode, std::move(source), next.engine(),
                                 std::move(continuedJournal), lastSnapshot};
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
    m_impl->startThread(std::move(runner));
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
    runner->restoreHistory(continuation.bars, continuation.recentTrades);
    m_impl->addRunHandlers(*runner, SessionMode::Simulation, "seed " + std::to_string(seed),
                           std::move(continuation.journal), continuation.lastSnapshot);
    m_impl->startThread(std::move(runner));
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
    m_impl->startThread(std::move(runner));
    return std::nullopt;
}

void Session::play()
{
    m_impl->controls.push({session::Control::Kind::Play});
}

void Session::pause()
{
    m_impl->controls.push({session::Control::Kind::Pause});
}

void Session::setSpeed(double speed)
{
    m_impl->controls.push({session::Control::Kind::SetSpeed, speed});
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

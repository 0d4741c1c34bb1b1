#pragma once

#include "engine.h"
#include "events.h"
#include "market_view.h"

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bourse {

// Runs one Engine on its own thread, fed by the market simulator or by a LOBSTER replay, and
// publishes a MarketView of it at most `framesPerSecond` times a second.
//
// Every public function may be called from any thread. play(), pause(), setSpeed() and
// latestView() return without waiting for the engine thread: commands go through a bounded
// queue, and views are handed over by swapping a shared pointer. stop(), the start functions
// and the destructor join the old engine thread, which ends at its next check of the queue,
// after at most one batch of work (about 5 ms).
class Session {
public:
    // One instrument of a simulated market and the character of its order flow.
    struct SimulatedInstrument {
        InstrumentDefinition definition;
        std::int64_t anchorTicks = 10'000; // the price the simulated fair value reverts to
        std::int64_t maxPassiveLots = 20;  // liquidity: the largest resting order
        std::uint32_t weight = 1;          // share of the simulator's commands
    };

    // The constructor throws std::invalid_argument when a value is out of range.
    struct Options {
        int viewLevels = 10;      // levels per side in each view, at least 1
        int framesPerSecond = 60; // views published per second at most, 1 to 1000
        std::int64_t barIntervalNanoseconds = 1'000'000'000; // positive
        std::size_t barsKept = 240;                          // at least 1
        std::size_t tradesPerView = 500;
        int simulationCommandsPerSecond = 1000; // at speed 1, in wall time; at least 1
        std::size_t eventsPerView = 2000;       // MarketView::recentEvents at most
        // Instruments of a simulated market, each with its own simulator; empty means the
        // default set of five that differ in price, tick size and liquidity.
        std::vector<SimulatedInstrument> simulatedInstruments;
    };

    struct ReplaySource {
        std::string messagePath;
        std::string orderbookPath; // empty: found by LOBSTER's naming when it exists
        double speed = 1.0;        // 0 means as fast as possible
    };

    explicit Session(Options options);
    Session();
    ~Session(); // stops the engine thread
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    // A handler that runs on the engine thread for every event, such as the journal writer.
    // It takes effect from the next start; the session does not own it, and it must outlive
    // every run that uses it.
    void addEventHandler(EventHandler *handler);

    // The description of one run that its handlers are made for: the mode, the source (the
    // seed or the message file), the run's engine, and the journal a run continues.
    struct RunContext {
        SessionMode mode = SessionMode::Simulation;
        std::string source;
        const Engine &engine;
        std::string continuedJournal;    // empty: the run starts a fresh engine
        SequenceNumber lastSnapshot = 0; // of the continued journal
    };

    // Makes the handlers of one run, such as a journal writer on a new file, since every start
    // but a resume begins a fresh Engine whose sequence numbers start again at 1. It is called
    // on the thread that starts the run. The session owns what it returns and destroys it once
    // that run's engine thread has stopped, before the engine. So a handler may read the engine
    // from its callbacks (between commands: onCommandEnd, onBatchEnd) and from its destructor,
    // as for a last snapshot.
    using RunHandlerFactory =
        std::function<std::vector<std::unique_ptr<EventHandler>>(const RunContext &context)>;
    void setRunHandlerFactory(RunHandlerFactory factory);

    // Stops a running source and starts the engine thread, with a fresh Engine, on a simulated
    // market that plays at speed 1. The same seed gives the same sequence of commands; their
    // timestamps are wall-clock time.
    void startSimulation(std::uint64_t seed);

    // An engine rebuilt from a journal, with what the views showed before it stopped, so that
    // a resumed run looks as it was: the chart's bars and the tape's prints, oldest first.
    struct Continuation {
        std::unique_ptr<Engine> engine; // must not be null
        std::string journal;            // handed to the run handler factory
        SequenceNumber lastSnapshot = 0;
        std::vector<Bar> bars; // at Options::barIntervalNanoseconds
        std::vector<TradePrint> recentTrades;
    };

    // Stops a running source and continues a simulated market on the engine of `continuation`:
    // the simulator takes over its book (no priming) and plays at speed 1. Sequence numbers
    // continue from the engine's last one. Throws std::invalid_argument, leaving the session
    // stopped, when the engine is null or the bars are not at the session's bar interval.
    void resumeSimulation(std::uint64_t seed, Continuation continuation);

    // Stops a running source and starts the engine thread, with a fresh Engine, on a replay
    // that plays at source.speed. When the file cannot be opened, or the speed is outside the
    // range setSpeed() takes, it returns an error that names the file or the speed. The session
    // then stays stopped and publishes a view in state Failed with that error.
    std::optional<std::string> startReplay(const ReplaySource &source);

    // Play resumes a paused source; it does nothing once a replay finished or failed.
    void play();
    void pause();
    // 0 means as fast as possible; otherwise a multiple of market time from 0.001 to 1000000.
    // Any other value is ignored.
    void setSpeed(double speed);

    // Trading. In a simulation the session opens the trader's accounts, with default risk
    // limits, before the market starts; MarketView::trader lists them. Each call queues the
    // command for the engine thread and returns at once: false when the queue is full or no
    // simulation runs (a replay takes no orders), so nothing was queued. What the engine
    // decided shows in the next views, as events and in MarketView::trader. A command is never
    // dropped once queued.
    bool submit(const NewOrder &order); // a zero id: the session assigns one
    bool cancel(OrderId id);
    bool replace(const ReplaceOrder &replace);
    bool massCancel(const MassCancel &scope);
    bool engageKillSwitch(AccountId account, KillSwitchScope scope); // zero account: global
    bool resetKillSwitch(AccountId account);                         // zero account: global
    bool setRiskLimits(AccountId account, const RiskLimits &limits);

    // The answer to "would this order pass?", computed on the engine thread against the state
    // of the moment, without placing the order. The future is ready within one batch of work
    // (about 5 ms); it holds a broken_promise error when the session stops first.
    struct CheckAnswer {
        OrderCheck check;
        std::string text; // why it would be rejected, a sentence for the trader; empty if it passes
    };
    std::future<CheckAnswer> checkOrder(const NewOrder &order);

    // Chooses the instrument whose book, trades and bars the views carry. An unknown id is
    // ignored. The first instrument is the focus of a new run.
    void setFocus(InstrumentId instrument);

    // Stops the engine thread. The last view stays available.
    void stop();

    // The newest view, or nullptr before the first one. The mutex it takes is held by the
    // engine thread only to swap a pointer, so it never waits for engine work.
    std::shared_ptr<const MarketView> latestView() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace bourse

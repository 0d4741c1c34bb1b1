#pragma once

#include "agent_market.h"
#include "engine.h"
#include "events.h"
#include "market_view.h"
#include "replay_feed.h"

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bourse {

// The top levels of one instrument's book in the engine, with the sequence number of the last
// event they include, so that a caller can compare them with a view of the same number.
struct BookDepth {
    InstrumentId instrument;
    SequenceNumber lastSequence = 0;
    std::uint64_t stateHash = 0;    // Engine::stateHash() when the book was read
    std::vector<LevelSummary> bids; // best first
    std::vector<LevelSummary> asks; // best first
};

// Runs one Engine on its own thread, fed by the market simulator or by a LOBSTER replay, and
// publishes a MarketView of it at most `framesPerSecond` times a second.
//
// Every public function may be called from any thread. play(), pause(), setSpeed(), the
// trading commands and latestView() return without waiting for the engine thread: commands go
// through bounded queues, and views are handed over by swapping a shared pointer. stop(), the start
// functions and the destructor join the old engine thread, which ends at its next check of the
// queue, after at most one batch of work (about 5 ms).
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
        int viewLevels = 50;      // levels per side in each view, at least 1
        int framesPerSecond = 60; // views published per second at most, 1 to 1000
        std::int64_t barIntervalNanoseconds = 1'000'000'000; // positive
        std::size_t barsKept = 240;                          // at least 1
        std::size_t tradesPerView = 500;
        // The simulated market's pace at speed 1, in wall time: commands a second over every
        // instrument, unless simulationEventsPerSecond is set, which then sets the pace in
        // engine events a second instead (setEventRate() changes it while a simulation runs).
        // The speed multiplies either rate.
        int simulationCommandsPerSecond = 1000; // at least 1
        double simulationEventsPerSecond = 0.0; // 0, or up to kMaximumEventRate
        std::size_t eventsPerView = 2000;       // MarketView::recentEvents at most
        // The order flow of a new simulated market. Synthetic is a flow per instrument of
        // simulatedInstruments around a mean-reverting fair value. Agents is the AgentMarket:
        // five instruments traded by market makers, noise, momentum and informed traders on its
        // own clock, which is then the market's time. A market continued from a journal keeps
        // the flow it was made with, whatever this option is (see resumeSimulation()).
        enum class Flow : std::uint8_t { Synthetic, Agents };
        Flow flow = Flow::Synthetic;
        // Instruments of a simulated market, each with its own simulator; empty means the
        // default set of five that differ in price, tick size and liquidity. Ids must be
        // nonzero and unique, weights and sizes at least 1.
        std::vector<SimulatedInstrument> simulatedInstruments;
    };

    // The highest pace, in engine events a second, that the option and setEventRate() take.
    static constexpr double kMaximumEventRate = 100'000'000.0;

    // The instruments of a simulation whose options name none: five USD instruments from
    // about $0.87 to $1,845, with ticks of 0.0001 to 0.25 and liquidity from thin to deep.
    static std::vector<SimulatedInstrument> defaultSimulatedInstruments();

    // Opens a replay of another format than LOBSTER on the run's fresh engine: it may define
    // the engine's instruments, and returns the feed, or the reason it cannot, naming the file.
    using ReplayFeedOpener =
        std::function<std::unique_ptr<ReplayFeed>(Engine &engine, std::string &error)>;

    // Opens a replay that makes its own engine, such as a journal, whose first event or snapshot
    // decides the engine. The feed starts at the latest point at or before `target` that it can
    // reach without stepping (a journal's snapshot), or at the source's start. Returns null and
    // sets `error`, naming the file, when the source cannot be opened.
    using ReplayFeedSeeker = std::function<std::unique_ptr<ReplayFeed>(
        Timestamp target, std::unique_ptr<Engine> &engine, std::string &error)>;

    struct ReplaySource {
        std::string messagePath;   // the LOBSTER message file, or the file the opener reads
        std::string orderbookPath; // empty: found by LOBSTER's naming when it exists
        double speed = 1.0;        // 0 means as fast as possible
        // Set for another format than LOBSTER, which then replaces the LOBSTER replay of
        // messagePath. `symbol` names the instrument where the opener does not.
        ReplayFeedOpener openFeed{};
        std::string symbol{};
        // Set for a source that makes its own engine; it then replaces openFeed.
        ReplayFeedSeeker openFeedAt{};
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
        // A new training run's record (training::encodeTrainingRecord), for its journal to keep;
        // empty for every other run, a continued training run included.
        std::string trainingRecord{};
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
    // market that plays at speed 1. The engine's first events add the instruments and open the
    // trader's accounts, then every book is primed. The same seed gives the same sequence of
    // commands as long as no trader order enters the market. Their timestamps are wall-clock
    // time.
    void startSimulation(std::uint64_t seed);

    // An engine rebuilt from a journal, with what the views showed before it stopped, so that
    // a resumed run looks as it was: the chart's bars and the tape's prints, oldest first.
    struct Continuation {
        std::unique_ptr<Engine> engine; // must not be null
        std::string journal;            // handed to the run handler factory
        SequenceNumber lastSnapshot = 0;
        InstrumentId instrument; // whose bars and trades these are; zero is the primary one
        std::vector<Bar> bars;   // at Options::barIntervalNanoseconds
        std::vector<TradePrint> recentTrades;
        // The events of the trader's accounts that the journal contains, oldest first, as
        // readTraderHistory() collects them for traderAccounts(), so that the trader's orders,
        // fills and risk notices start as they were. When it is empty, only the working orders
        // show, as the engine has them, without their entry time.
        std::vector<Event> traderHistory;
        // Positions of accounts outside the engine's portfolio, from the journal's trades (its
        // read models project every account's), so that the agents of an agent market start
        // with the positions they had. When it is empty they start flat.
        std::vector<AgentMarket::CarriedPosition> positions;
        // The time of the journal's last event, after which an agent market's clock starts.
        // Zero when unknown: the latest bar, print and trader event above then stand in for it.
        Timestamp lastEventTime;
    };

    // The accounts a simulation opens for the trader, the default first.
    static std::vector<AccountId> traderAccounts();

    // Stops a running source and continues a simulated market on the engine of `continuation`,
    // which plays at speed 1. An engine that trades exactly the agent market's instruments (by
    // id, symbol, tick and lot, AgentMarket::tradesInstrumentsOf) continues as an agent market
    // (AgentMarket::resume) whose clock starts after the continuation's last event time (or its
    // latest bar, print and trader event), or at the wall-clock time when that is later. Any
    // other engine gets one simulator per instrument, which takes over its book (no priming).
    // The instruments and the trader's accounts are the engine's own: nothing is added or opened.
    // An instrument that Options::simulatedInstruments names (same id and symbol) keeps its
    // flow's character; any other gets MarketSimulator's defaults.
    // Sequence numbers continue from the engine's last one. An engine without events, such as
    // the one of an empty journal, starts as a new market would. Throws std::invalid_argument,
    // leaving the session stopped, when the engine is null or the bars are not at the session's
    // bar interval.
    void resumeSimulation(std::uint64_t seed, Continuation continuation);

    // Training. startTraining stops a running source and starts an agent
    // market made of `market` (a training scenario's instruments, start time and schedule) on a
    // fresh Engine, playing at speed 1. The trader's accounts open first, and every event
    // carries the market's own clock, from market.startTime on. injectMarketEvent queues a
    // market event that the engine thread applies between steps, at the market's time
    // (AgentMarket::inject), with the trader's commands. It returns false, queueing nothing,
    // when the queue is full or no simulation runs; outside an agent market it does nothing.
    void startTraining(std::uint64_t seed, AgentMarket::Options market);
    bool injectMarketEvent(const MarketEvent &event);

    // A training scenario's market as a session runs it.
    struct Training {
        AgentMarket::Options market; // the scenario's instruments, start time and schedule
        // The market time at which the scenario ends, zero for none. The market stops at the
        // first arrival at or after it, in state Finished: Play and Step do nothing, and the
        // views and the trader's queries go on.
        Timestamp end{};
        // The run's record for its journal (RunContext::trainingRecord); empty keeps none.
        std::string record{};
    };
    void startTraining(std::uint64_t seed, Training training);
    // Continues a training scenario's market on the engine of `continuation`, as
    // resumeSimulation() continues an agent market, with the scenario's instruments and
    // schedule (AgentMarket::resume). The clock starts just after the continuation's last event
    // time, in market time whatever the wall clock shows. Scheduled events due before it do not
    // fire again. training.record is not written again, since the continued journal has it.
    // Throws as resumeSimulation() does.
    void resumeTraining(std::uint64_t seed, Training training, Continuation continuation);

    // Stops a running source and starts the engine thread, with a fresh Engine, on a replay
    // that plays at source.speed. When the file cannot be opened, or the speed is outside the
    // range setSpeed() takes, it returns an error that names the file or the speed. The session
    // then stays stopped and publishes a view in state Failed with that error.
    std::optional<std::string> startReplay(const ReplaySource &source);

    // Play resumes a paused source; it does nothing once a replay finished or failed.
    void play();
    void pause();
    // While paused, applies exactly one message of a replay, or in a simulation one agent
    // arrival or one command of the synthetic flow, and publishes a view. Ignored while playing.
    void step();
    // Brings a replay to the state that playing reaches at market time `time`: every message up
    // to the first one later than `time`, the same engine state (stateHash()) and books. A time
    // before the source's first message gives the state before any message, one past its end
    // the state at its end. A forward seek steps the running engine. A backward seek, or one
    // that a journal's snapshot shortens, opens the source again on a fresh engine. Then the
    // run's handlers (such as its journal) keep the engine they were made for and see no more
    // events, and the views start again from what the new engine replayed: from the source's
    // start, or from the snapshot. The replay keeps playing or stays paused; one that finished
    // or failed is paused after a seek back. Ignored in a simulation.
    void seek(Timestamp time);
    // 0 means as fast as possible; otherwise a multiple of market time from 0.001 to 1000000.
    // Any other value is ignored.
    void setSpeed(double speed);
    // Paces a simulation by engine events a second of wall time (times the speed), or by
    // commands again for 0, as Options::simulationEventsPerSecond does. A value outside 0 to
    // kMaximumEventRate is ignored.
    void setEventRate(double eventsPerSecond);

    // Trading. In a simulation the session opens the trader's accounts, with default risk
    // limits, before the market starts; MarketView::trader lists them. Each call queues the
    // command for the engine thread and returns at once: false when the queue is full (4096
    // commands) or no source that trades runs, so nothing was queued. Queued commands run
    // between batches of simulated flow, with the wall-clock time. What the engine decided shows
    // in the next views, as events and in MarketView::trader. A queued command is never dropped
    // while the source runs; stop() and the next start drop what is still queued.
    //
    // A replay trades too, unless its source replays a trader's recorded accounts (a journal):
    // the orders never enter the replayed book but go to a fill model (ReplayFills) with its
    // own engine and the same accounts, which fills them from the replay's trades and book at
    // the replay's market time. MarketView::trader then marks them, their fills and the
    // positions as simulated. A seek keeps them.
    //
    // An order of account zero goes to the trader's default account. A zero id lets the engine
    // assign one, above every id so far, which no other accepted order ever has. An explicit id is
    // rejected only while an order with that id is live. cancel() and replace() reach the engine
    // as they are, for any live order; the views list only the trader's orders.
    bool submit(const NewOrder &order);
    bool cancel(OrderId id);
    bool replace(const ReplaceOrder &replace);
    // A zero account cancels the orders of every trader account, never the simulated market's.
    bool massCancel(const MassCancel &scope);
    bool engageKillSwitch(AccountId account, KillSwitchScope scope); // zero account: global
    bool resetKillSwitch(AccountId account);                         // zero account: global
    bool setRiskLimits(AccountId account, const RiskLimits &limits);

    // Checks on the engine thread whether an order would pass, against the state of the moment,
    // without placing it. Account zero is the default account, as for submit(). The future is
    // ready within one batch of work (about 5 ms). It contains a broken_promise error when no
    // source runs, the queue is full or the session stops first.
    struct CheckAnswer {
        OrderCheck check;
        std::string text; // why it would be rejected, a sentence for the trader; empty if it passes
    };
    std::future<CheckAnswer> checkOrder(const NewOrder &order);

    // The engine's own book of an instrument (zero: the primary one), at most `levels` a side,
    // read on the engine thread between batches. An unknown instrument gives empty sides. The
    // future breaks as checkOrder()'s does.
    std::future<BookDepth> queryBook(InstrumentId instrument, std::size_t levels);

    // Starts a branch of trading against a replay at the replay's current moment, between two
    // replayed messages: a sandbox seeded from a snapshot of the trader's engine, with each
    // resting order's place in its queue. From then on the trader's commands go to the branch,
    // while the original run keeps following the replay without new commands, its resting
    // orders still filling. MarketView::trader shows the branch and MarketView::branch compares
    // the two. A second branch starts from the current branch's state, against the same
    // original. A seek to before the branch moment ends the branch, and the trader trades the
    // original again. A seek to the moment or later keeps both. On a Bourse journal the original
    // is the recorded trader, the branch is seeded from its accounts and orders, and the replay
    // takes orders in the branch only (ReplayFills::seed()). Returns false, queueing nothing,
    // when the queue is full or no replay that can branch runs, as in a simulation, for which
    // MarketView::branchUnavailable gives the reason.
    bool branch();

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

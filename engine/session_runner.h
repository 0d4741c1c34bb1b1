#pragma once

#include "agent_market.h"
#include "engine.h"
#include "lobster_replay.h"
#include "replay_branch.h"
#include "replay_fills.h"
#include "session.h"
#include "session_seek.h"
#include "simulator_set.h"
#include "trader_view.h"
#include "view_builder.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

// The engine-thread side of Session. Internal to the engine library.
namespace bourse::session {

using Clock = std::chrono::steady_clock;

// The options of the session's view builder.
MarketViewBuilder::Options viewOptions(const Session::Options &options);

// The terms the views, and the trader's orders in a replay, take for an instrument whose
// definition names no symbol, such as a LOBSTER book: the replay's symbol, USD, and cents.
InstrumentDefinition displayTerms(InstrumentDefinition definition, SessionMode mode,
                                  const std::string &replaySymbol);

// A change of how the source plays, which the newest one of each kind decides.
struct Control {
    enum class Kind : std::uint8_t { Play, Pause, SetSpeed, SetEventRate, SetFocus, Step, Seek };
    Kind kind = Kind::Play;
    double value = 1.0;      // the speed, or the event rate
    InstrumentId instrument; // for SetFocus
    Timestamp time{};        // for Seek: the market time to seek to
};

// The trader's commands, which the engine thread runs in the order they were queued.
struct CancelCommand {
    OrderId id;
};
struct KillSwitchCommand {
    AccountId account;
    KillSwitchScope scope = KillSwitchScope::None; // to engage; the engine rejects None
    bool reset = false;
};
struct LimitsCommand {
    AccountId account;
    RiskLimits limits;
};
struct CheckCommand {
    NewOrder order;
    std::promise<Session::CheckAnswer> answer;
};
struct BookCommand {
    InstrumentId instrument;
    std::size_t levels = 0;
    std::promise<BookDepth> answer;
};
// A market event an instructor injects into an agent market.
struct MarketEventCommand {
    MarketEvent event;
};
// Starts a branch of trading against a replay at the replay's current moment.
struct BranchCommand {};
using TraderCommand =
    std::variant<NewOrder, CancelCommand, ReplaceOrder, MassCancel, KillSwitchCommand,
                 LimitsCommand, CheckCommand, BookCommand, MarketEventCommand, BranchCommand>;

// The queues from any thread to the engine thread, with the stop request beside them: controls,
// which may drop the oldest when full because each one sets state, and trader commands, which
// are never dropped once accepted. The mutex is held only to move a few commands in or out,
// never while work runs.
class ControlQueue {
public:
    static constexpr std::size_t kCapacity = 64;
    static constexpr std::size_t kCommandCapacity = 4096;

    // Whether a command trades (orders, kill switch, limits), which only a simulation takes, or
    // only reads the engine (checks, book queries), which any running source serves.
    enum class CommandKind : std::uint8_t { Trading, Query };

    // Appends a control. When the queue is full the oldest control is dropped: controls set
    // state, so the newest ones carry the caller's intent.
    void push(Control control);

    // Moves the queued controls into `out`. Returns false once a stop was requested.
    bool take(std::vector<Control> &out);

    // Appends a trader command, or returns false, leaving it to the caller (a promise in it then
    // breaks as it is destroyed), when the queue is full or does not take that kind now.
    bool pushCommand(TraderCommand &&command, CommandKind kind);

    // Moves the queued trader commands into `out`, oldest first.
    void takeCommands(std::vector<TraderCommand> &out);

    // Sets which kinds of trader commands the queue takes: none while no engine thread runs,
    // queries from the start of any source, trading as well in a simulation.
    void acceptCommands(bool queries, bool trading);

    // Waits until a control, a trader command or a stop request arrives, or until the deadline.
    void waitUntil(Clock::time_point deadline);

    void requestStop();

    // Empties both queues, which breaks the promises of queued checks and book queries, and
    // clears the stop request, for a new engine thread.
    void reset();

    std::uint64_t droppedCount() const;

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_signal;
    std::deque<Control> m_controls;
    std::deque<TraderCommand> m_commands;
    bool m_stopRequested = false;
    bool m_acceptsQueries = false;
    bool m_acceptsTrading = false;
    std::uint64_t m_dropped = 0;
    std::atomic<bool> m_pending{false};         // lets take() skip the mutex when nothing is queued
    std::atomic<bool> m_commandsPending{false}; // the same for takeCommands()
};

// The newest published view. The mutex is held only to copy or swap the pointer.
class ViewSlot {
public:
    void publish(std::shared_ptr<const MarketView> view);
    std::shared_ptr<const MarketView> latest() const;
    std::uint64_t takeViewNumber() { return ++m_lastViewNumber; }

private:
    mutable std::mutex m_mutex;
    std::shared_ptr<const MarketView> m_view;
    std::atomic<std::uint64_t> m_lastViewNumber{0};
};

// Everything one engine thread owns: the Engine, the source that feeds it (simulators or a
// replay), the pacing clocks, the trader's commands and the view builders. It is set up on the
// calling thread, then only run() touches it, on the engine thread.
class Runner {
public:
    // `engine` is the engine a simulation continues, or null for a fresh one. The handlers are
    // added once a set-up function has settled the engine.
    Runner(const Session::Options &options, std::unique_ptr<Engine> engine,
           const std::vector<EventHandler *> &handlers, ControlQueue &controls, ViewSlot &views);
    Runner(const Runner &) = delete;
    Runner &operator=(const Runner &) = delete;
    ~Runner();

    // Adds a handler of the engine's events; only after a set-up function and before run().
    void addHandler(EventHandler *handler);

    // The engine of this run, for the handlers that read its state on the engine thread; only
    // after a set-up function.
    const Engine &engine() const { return *m_engine; }

    // Whether the trader's orders trade: always in a simulation, and in a replay through the
    // fill model (ReplayFills) once setUpReplay() has set it up.
    bool takesOrders() const { return m_mode == SessionMode::Simulation || m_fills != nullptr; }
    // Whether Session::branch() starts a branch: in a replay that takes orders, or that replays
    // a recorded trader, whose branch then takes them (session_branch.cpp).
    bool branchable() const;

    // A simulation on an engine with events continues its books. Any other engine is replaced
    // by a fresh one, on which run() sets up a new market first.
    void setUpSimulation(std::uint64_t seed);
    // A new agent market made of `market`, on its own clock (session_training.cpp).
    // A continued engine keeps its books, and run() continues the market on it with the
    // scenario's schedule. The market finishes at `end` unless it is zero.
    void setUpTraining(std::uint64_t seed, AgentMarket::Options market, Timestamp end);

    // Starts the views with the bars and prints of the run this one continues, and the trader's
    // view with its orders, fills and notices. Call it after setUpSimulation().
    void restoreHistory(InstrumentId instrument, const std::vector<Bar> &bars,
                        const std::vector<TradePrint> &trades,
                        const std::vector<Event> &traderHistory);

    // Keeps what an agent market continued on this engine needs from the run before: the
    // agents' positions, and the latest time the continuation shows, after which the agents'
    // clock starts. Call it after setUpSimulation() (session_agents.cpp).
    void carryAgentState(const Session::Continuation &continuation);

    // Opens the replay files on a fresh engine. Returns the error text, which names the file,
    // on failure.
    std::optional<std::string> setUpReplay(const Session::ReplaySource &source);

    // Publishes a view in state Failed with the error, for a source that could not start.
    void publishFailure(const std::string &error);

    // The engine thread's loop; returns once a stop is requested.
    void run();

private:
    void attachHandlers();
    void begin();
    bool resumeAgents();
    void registerInstruments();
    bool applyControls();
    void reportHandlerFailure();
    void applyControl(const Control &control, Clock::time_point now);

    // Trader commands (session_commands.cpp).
    void applyCommands();
    void apply(NewOrder &order, Timestamp time);
    void apply(const CancelCommand &command, Timestamp time);
    void apply(const ReplaceOrder &replace, Timestamp time);
    void apply(const MassCancel &scope, Timestamp time);
    void apply(const KillSwitchCommand &command, Timestamp time);
    void apply(const LimitsCommand &command, Timestamp time);
    void apply(CheckCommand &command, Timestamp time);
    void apply(BookCommand &command, Timestamp time);
    void apply(const MarketEventCommand &command, Timestamp time); // session_training.cpp
    void apply(const BranchCommand &command, Timestamp time);      // session_branch.cpp
    AccountId defaultAccount() const;

    // Trading against a replay (session_replay_trading.cpp).
    void setUpReplayTrading();
    void followReplayedEngine();
    TraderViewBuilder *traderView();
    Engine &tradingEngine();

    // Branches of trading against a replay (session_branch.cpp).
    bool replaysRecordedTrader() const;
    void branchRecordedTrader(Timestamp time);
    Timestamp branchSeekTarget(Timestamp target) const;
    void endBranchBefore(Timestamp target);
    void followBranch();
    void fillBranchView(MarketView &view) const;

    // Replay control (session_seek.cpp).
    std::optional<std::string> openFirstReplay();
    void adoptReplayFeed();
    void deliverRestored(const Event &event);
    void endRestoredCommand();
    void stepOnce();
    void seekReplay(Timestamp target, Clock::time_point now);
    std::optional<std::string> restartReplay(Timestamp target);
    std::optional<Timestamp> replayEnd() const;

    // Each runs work that is due and returns when more becomes due.
    Clock::time_point runAgents(Clock::time_point now);
    bool finishTrainingAtEnd();                    // session_training.cpp
    void fillTrainingTime(MarketView &view) const; // session_training.cpp
    Clock::time_point runSimulation(Clock::time_point now);
    Clock::time_point runAtEventRate(Clock::time_point now, Clock::time_point deadline);
    Clock::time_point runReplay(Clock::time_point now);
    Clock::time_point runReplayAtMaxSpeed(Clock::time_point now);
    bool stepReplay();

    // The wall-clock time of the next command, never earlier than the previous one's.
    Timestamp commandTime();
    std::int64_t marketTime(Clock::time_point now) const;
    Clock::time_point wallTimeFor(std::int64_t marketTime, Clock::time_point now) const;
    Clock::time_point batchDeadline(Clock::time_point now) const;
    void anchorClocks(Clock::time_point now);

    void publishIfDue(Clock::time_point now);
    bool viewPending() const;
    void publish(Clock::time_point now);
    void scheduleNextFrame(Clock::time_point now);
    void waitForWork(Clock::time_point nextWork, Clock::time_point now);

    Session::Options m_options;
    ControlQueue &m_controls;
    ViewSlot &m_views;
    std::vector<Control> m_takenControls;
    std::vector<TraderCommand> m_takenCommands;
    std::vector<EventHandler *> m_sessionHandlers; // added once the engine is settled

    std::unique_ptr<Engine> m_engine;
    MarketViewBuilder m_viewBuilder;
    std::unique_ptr<TraderViewBuilder> m_traderView; // in a simulation
    // In a replay of a source that records no trader's accounts: the fill model of the trader's
    // simulated orders, and their view, which follows the model's engine.
    std::unique_ptr<ReplayFills> m_fills;
    std::unique_ptr<TraderViewBuilder> m_simulatedView;
    // Once the trader branched: the original model and view, which follow the replay without
    // new commands, and the comparison. m_fills and m_simulatedView are then the branch's.
    std::unique_ptr<ReplayBranch> m_branch;

    SessionMode m_mode = SessionMode::Simulation;
    std::string m_replaySymbol;
    std::uint64_t m_seed = 0;
    bool m_newMarket = false; // begin() sets up the instruments and the trader's accounts
    std::unique_ptr<SimulatorSet> m_simulators;
    // Set instead of m_simulators for a new market of Session::Options::Flow::Agents.
    std::unique_ptr<AgentMarket> m_agents;
    std::int64_t m_agentsAnchor = 0; // the agents' clock at the wall anchor
    // The agent market of a training scenario, which begin() makes instead of the default one.
    std::optional<AgentMarket::Options> m_training;
    Timestamp m_trainingEnd;                                      // zero: the scenario has no end
    std::vector<AgentMarket::CarriedPosition> m_carriedPositions; // for resumeAgents()
    Timestamp m_continuedUntil;                                   // the same
    std::unique_ptr<ReplayFeed> m_replay;
    std::string m_replaySource;
    Timestamp m_replayTime;
    // Replay control: the source, to open it again for a seek back; the engine of the run's
    // start, which its handlers were made for, once a seek replaced it; the handler of the
    // events the feed restores; and the scan that finds the source's end.
    Session::ReplaySource m_source;
    std::unique_ptr<Engine> m_runEngine;
    std::unique_ptr<Engine> m_previousEngine; // the one the last seek replaced, if not the first
    std::unique_ptr<RestoredEventHandler> m_restoredEvents;
    std::vector<Event> m_restoredEvent; // the one event handed to the trader view's restore()
    Timestamp m_replayStart;
    std::unique_ptr<EndTimeScan> m_endScan;
    std::uint64_t m_seeks = 0;
    InstrumentId m_focus;

    ReplayState m_state = ReplayState::Playing;
    double m_speed = 1.0;
    double m_eventRate = 0.0; // events a second at speed 1; zero paces by commands
    std::string m_error;
    std::vector<EventHandler *> m_handlers; // besides the view builders
    Timestamp m_lastCommandTime;

    // Pacing. A simulation counts the commands, or the events, issued since the wall anchor. A
    // replay maps market time to wall time through the two anchors and the speed.
    Clock::time_point m_wallAnchor;
    std::uint64_t m_commandsSinceAnchor = 0;
    SequenceNumber m_sequenceAtAnchor = 0;
    std::int64_t m_marketAnchor = 0; // nanoseconds of market time at the wall anchor

    // Publishing.
    Clock::duration m_frameInterval;
    Clock::time_point m_nextFrame;
    bool m_publishNow = false; // a pause, finish or failure publishes at once
    bool m_settingsChanged = false;
    bool m_replayProgressed = false; // a replayed message since the last view
    double m_publishedRate = 0.0;
    Timestamp m_publishedEnd;     // the replay's end in the newest view; zero while unknown
    std::string m_publishedStale; // the replay's stale reason in the newest view
};

} // namespace bourse::session

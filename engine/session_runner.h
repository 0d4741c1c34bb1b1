#pragma once

#include "engine.h"
#include "lobster_replay.h"
#include "session.h"
#include "simulator.h"
#include "view_builder.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

// The engine-thread side of Session. Internal to the engine library.
namespace bourse::session {

using Clock = std::chrono::steady_clock;

struct Control {
    enum class Kind : std::uint8_t { Play, Pause, SetSpeed };
    Kind kind = Kind::Play;
    double speed = 1.0; // for SetSpeed
};

// The bounded queue from any thread to the engine thread, with the stop request beside it.
// Its mutex is held only to move a few commands in or out, never while work runs.
class ControlQueue {
public:
    static constexpr std::size_t kCapacity = 64;

    // Appends a command. When the queue is full the oldest command is dropped: commands set
    // state, so the newest ones carry the caller's intent.
    void push(Control control);

    // Moves the queued commands into `out`. Returns false once a stop was requested.
    bool take(std::vector<Control> &out);

    // Waits until a command or a stop request arrives, or until the deadline.
    void waitUntil(Clock::time_point deadline);

    void requestStop();

    // Empties the queue and clears the stop request, for a new engine thread.
    void reset();

    std::uint64_t droppedCount() const;

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_signal;
    std::deque<Control> m_controls;
    bool m_stopRequested = false;
    std::uint64_t m_dropped = 0;
    std::atomic<bool> m_pending{false}; // lets take() skip the mutex when nothing is queued
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

// Everything one engine thread owns: the Engine, the source that feeds it (a simulator or a
// replay), the pacing clocks and the view builder. It is set up on the calling thread, then
// only run() touches it, on the engine thread.
class Runner {
public:
    // `engine` is the engine to run, or null for a fresh one with the single instrument 1.
    Runner(const Session::Options &options, std::unique_ptr<Engine> engine,
           const std::vector<EventHandler *> &handlers, ControlQueue &controls, ViewSlot &views);
    Runner(const Runner &) = delete;
    Runner &operator=(const Runner &) = delete;

    // Adds a handler of the engine's events; only before run().
    void addHandler(EventHandler *handler);

    // The engine of this run, for the handlers that read its state on the engine thread.
    const Engine &engine() const { return *m_engine; }

    // A simulation on an engine whose book has orders continues that book; an empty one is
    // primed first.
    void setUpSimulation(std::uint64_t seed);

    // Starts the views with the bars and prints of the run this one continues.
    void restoreHistory(const std::vector<Bar> &bars, const std::vector<TradePrint> &trades);

    // Opens the replay files. Returns the error text, which names the file, on failure.
    std::optional<std::string> setUpReplay(const Session::ReplaySource &source);

    // Publishes a view in state Failed with the error, for a source that could not start.
    void publishFailure(const std::string &error);

    // The engine thread's loop; returns once a stop is requested.
    void run();

private:
    void begin();
    bool applyControls();
    void reportHandlerFailure();
    void applyControl(const Control &control, Clock::time_point now);

    // Each runs work that is due and returns when more becomes due.
    Clock::time_point runSimulation(Clock::time_point now);
    Clock::time_point runReplay(Clock::time_point now);
    Clock::time_point runReplayAtMaxSpeed(Clock::time_point now);
    bool stepReplay();

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

    std::unique_ptr<Engine> m_engine;
    MarketViewBuilder m_viewBuilder;

    SessionMode m_mode = SessionMode::Simulation;
    std::string m_symbol;
    int m_priceDecimals = 2;
    std::unique_ptr<MarketSimulator> m_simulator;
    std::unique_ptr<lobster::Replay> m_replay;
    std::string m_replaySource;
    Timestamp m_replayTime;

    ReplayState m_state = ReplayState::Playing;
    double m_speed = 1.0;
    std::string m_error;
    std::vector<const EventHandler *> m_handlers; // besides the view builder

    // Pacing. A simulation counts commands issued since the wall anchor; a replay maps market
    // time to wall time through the two anchors and the speed.
    Clock::time_point m_wallAnchor;
    std::uint64_t m_commandsSinceAnchor = 0;
    std::int64_t m_marketAnchor = 0; // nanoseconds of market time at the wall anchor

    // Publishing.
    Clock::duration m_frameInterval;
    Clock::time_point m_nextFrame;
    bool m_publishNow = false; // a pause, finish or failure publishes at once
    bool m_settingsChanged = false;
    double m_publishedRate = 0.0;
};

} // namespace bourse::session

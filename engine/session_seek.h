#pragma once

#include "engine.h"
#include "events.h"
#include "replay_feed.h"
#include "session.h"

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

// Replay control beside the session's engine thread: opening a source at a point, the handler
// of restored events, and the scan that finds a source's end. Internal to the engine library.
namespace bourse::session {

// A replay source opened on an engine of its own.
struct OpenedReplay {
    std::unique_ptr<Engine> engine;
    std::unique_ptr<ReplayFeed> feed; // null when error is set
    std::string error;                // names the file
};

// A fresh engine for a source that opens on the runner's engine: one of a single book, the
// primary instrument, for a LOBSTER day, and one without instruments for another format.
std::unique_ptr<Engine> makeReplayEngine(const Session::ReplaySource &source);

// Opens `source` on `engine`, or on a fresh engine when it is null. A source with openFeedAt
// makes its own engine and starts at the latest point it can reach at or before `target`;
// any other starts at its first message.
OpenedReplay openReplaySource(const Session::ReplaySource &source, Timestamp target,
                              std::unique_ptr<Engine> engine = nullptr);

// Hands the events a feed restores into the engine to the callbacks, as the engine would hand
// published events to its handlers.
class RestoredEventHandler final : public EventHandler {
public:
    RestoredEventHandler(std::function<void(const Event &)> onEvent,
                         std::function<void()> onCommandEnd);

    void onEvent(const Event &event) override { m_onEvent(event); }
    void onCommandEnd() override { m_onCommandEnd(); }

private:
    std::function<void(const Event &)> m_onEvent;
    std::function<void()> m_onCommandEnd;
};

// Reads a replay source through on a thread and an engine of its own, to learn the market time
// of its last message for a feed that does not know it. The destructor stops the thread at its
// next check, within 4,096 messages.
class EndTimeScan {
public:
    explicit EndTimeScan(Session::ReplaySource source);
    ~EndTimeScan();
    EndTimeScan(const EndTimeScan &) = delete;
    EndTimeScan &operator=(const EndTimeScan &) = delete;

    // The time of the source's last message, once the scan has read it; nothing before, and
    // nothing after a scan that failed.
    std::optional<Timestamp> endTime() const;

    // Why the scan found no end, once it has finished: the source did not open (the error of
    // opening it) or it has no message. Nothing while it runs and after it found the end.
    std::optional<std::string> error() const;

private:
    void scan(const Session::ReplaySource &source);
    void finish(std::optional<Timestamp> end, std::string error);

    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_done{false};
    std::atomic<std::int64_t> m_end{0};
    std::string m_error; // written once, before m_done is set
    std::thread m_thread;
};

} // namespace bourse::session

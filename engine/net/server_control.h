#pragma once

// Controls of a running Server from other threads: pause, resume and injected market events go
// through a small bounded queue that the server's loop drains, and the loop publishes the
// market's status for them to read. Internal to the Server.

#include "agent_market.h"

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

namespace bourse::net {

// The market as a host's panel shows it. Server::marketStatus() returns a copy.
struct MarketStatus {
    bool agents = false; // an agent market runs: simulation or training, not a scenario file
    bool paused = false;
    bool ended = false;   // a training market reached its length and stopped
    Timestamp marketTime; // the agents' clock, or the latest command's time without agents
    SequenceNumber lastSequence = 0;
    std::uint64_t instrumentCount = 0;         // of the agent market; events name them by index
    std::vector<FiredMarketEvent> firedEvents; // oldest first, scheduled and injected
};

// The outcome of a control request. Queued means the loop applies it within one turn.
enum class ControlResult : std::uint8_t {
    Queued,
    QueueFull,         // the loop has not drained the earlier requests yet; try again
    NoAgentMarket,     // a scenario market has no agents to pause or events to inject
    UnknownInstrument, // the event names an index past the agent market's instruments
};

std::string_view nameOf(ControlResult result);

namespace control {

struct Pause {
    bool paused = true;
};
using Request = std::variant<Pause, MarketEvent>;

// A bounded queue of requests with an eventfd that wakes the server's poll, and the status the
// loop publishes. The mutexes are held only to move a few small values, and the loop skips the
// queue's while nothing is queued.
class ControlChannel {
public:
    static constexpr std::size_t kCapacity = 64;

    // Throws std::system_error when the eventfd cannot be created.
    ControlChannel();
    ~ControlChannel();
    ControlChannel(const ControlChannel &) = delete;
    ControlChannel &operator=(const ControlChannel &) = delete;

    // Returns false, queueing nothing, when the queue is full. Any thread.
    bool push(Request request);
    // Moves the queued requests into `out`, which it clears first. The server's thread.
    void take(std::vector<Request> &out);

    // Makes the server's poll return. Async-signal-safe: a write() to the eventfd.
    void wakeUp() const;
    // Empties the eventfd after a poll that it woke.
    void clearWakeUp() const;
    int wakeUpDescriptor() const { return m_wakeUp; }

    MarketStatus status() const;
    // Replaces the published status with `status`, adding the fired events past those it contains.
    void publish(const MarketStatus &status, std::span<const FiredMarketEvent> fired);

private:
    int m_wakeUp = -1;
    std::mutex m_queueMutex;
    std::deque<Request> m_requests;
    std::atomic<bool> m_pending{false};
    mutable std::mutex m_statusMutex;
    MarketStatus m_status;
};

} // namespace control
} // namespace bourse::net

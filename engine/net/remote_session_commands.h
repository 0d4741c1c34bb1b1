#pragma once

// The queue from the terminal's threads to RemoteSession's client thread. Internal to
// RemoteSession.

#include "engine.h"
#include "protocol.h"

#include <atomic>
#include <deque>
#include <mutex>
#include <variant>
#include <vector>

namespace bourse::net::remote {

struct CancelCommand {
    OrderId id;
};
struct KillSwitchCommand {
    AccountId account;
    KillSwitchScope scope = KillSwitchScope::None; // None resets it
};
struct FocusCommand {
    InstrumentId instrument;
};
using Command = std::variant<NewOrder, CancelCommand, ReplaceOrder, MassCancel, KillSwitchCommand,
                             FocusCommand>;

// A bounded queue of commands, oldest first. The mutex is held only to move commands in or out,
// and the client thread skips it while nothing is queued, which is nearly always.
class CommandQueue {
public:
    static constexpr std::size_t kCapacity = 4096;

    // Returns false, queueing nothing, when the queue is full.
    bool push(Command command)
    {
        const std::lock_guard lock(m_mutex);
        if (m_commands.size() >= kCapacity)
            return false;
        m_commands.push_back(std::move(command));
        m_pending.store(true, std::memory_order_release);
        return true;
    }

    // Moves the queued commands into `out`, which it clears first.
    void take(std::vector<Command> &out)
    {
        out.clear();
        if (!m_pending.load(std::memory_order_acquire))
            return;
        const std::lock_guard lock(m_mutex);
        out.assign(std::make_move_iterator(m_commands.begin()),
                   std::make_move_iterator(m_commands.end()));
        m_commands.clear();
        m_pending.store(false, std::memory_order_release);
    }

private:
    std::mutex m_mutex;
    std::deque<Command> m_commands;
    std::atomic<bool> m_pending{false};
};

} // namespace bourse::net::remote

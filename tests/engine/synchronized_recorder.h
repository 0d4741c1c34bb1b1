#pragma once

#include "events.h"

#include <cstddef>
#include <mutex>
#include <vector>

namespace bourse::test {

// Records every event that a session's engine thread publishes, so that the test thread can read
// them while the session runs.
class SynchronizedRecorder : public EventHandler {
public:
    void onEvent(const Event &event) override
    {
        std::lock_guard lock(m_mutex);
        m_events.push_back(event);
    }

    // A copy of the events recorded so far.
    std::vector<Event> events() const
    {
        std::lock_guard lock(m_mutex);
        return m_events;
    }

    std::size_t size() const
    {
        std::lock_guard lock(m_mutex);
        return m_events.size();
    }

private:
    mutable std::mutex m_mutex;
    std::vector<Event> m_events;
};

} // namespace bourse::test

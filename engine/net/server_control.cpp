// Pause, resume and injected market events from other threads, applied by the server's loop
// between its turns, and the market status it publishes for them.

#include "server.h"

#include "agent_market.h"
#include "scenario_training.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace bourse::net {

std::string_view nameOf(ControlResult result)
{
    switch (result) {
    case ControlResult::Queued:
        return "queued";
    case ControlResult::QueueFull:
        return "the control queue is full";
    case ControlResult::NoAgentMarket:
        return "the market has no agents";
    case ControlResult::UnknownInstrument:
        return "no such instrument in the agent market";
    }
    return "unknown";
}

namespace control {

ControlChannel::ControlChannel()
    : m_wakeUp(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC))
{
    if (m_wakeUp < 0)
        throw std::system_error(errno, std::generic_category(),
                                "eventfd for the server's controls");
}

ControlChannel::~ControlChannel()
{
    ::close(m_wakeUp);
}

bool ControlChannel::push(Request request)
{
    {
        const std::lock_guard lock(m_queueMutex);
        if (m_requests.size() >= kCapacity)
            return false;
        m_requests.push_back(std::move(request));
        m_pending.store(true, std::memory_order_release);
    }
    wakeUp();
    return true;
}

void ControlChannel::take(std::vector<Request> &out)
{
    out.clear();
    if (!m_pending.load(std::memory_order_acquire))
        return;
    const std::lock_guard lock(m_queueMutex);
    out.assign(m_requests.begin(), m_requests.end());
    m_requests.clear();
    m_pending.store(false, std::memory_order_release);
}

void ControlChannel::wakeUp() const
{
    const std::uint64_t one = 1;
    // Fails only when the counter is near overflow, and the poll is woken then anyway.
    [[maybe_unused]] const ssize_t written = ::write(m_wakeUp, &one, sizeof one);
}

void ControlChannel::clearWakeUp() const
{
    std::uint64_t count = 0;
    [[maybe_unused]] const ssize_t read = ::read(m_wakeUp, &count, sizeof count);
}

MarketStatus ControlChannel::status() const
{
    const std::lock_guard lock(m_statusMutex);
    return m_status;
}

void ControlChannel::publish(const MarketStatus &status, std::span<const FiredMarketEvent> fired)
{
    const std::lock_guard lock(m_statusMutex);
    std::vector<FiredMarketEvent> kept = std::move(m_status.firedEvents);
    m_status = status;
    // The market only appends to its list, so only the new tail is copied.
    if (kept.size() > fired.size())
        kept.clear();
    kept.insert(kept.end(), fired.begin() + static_cast<std::ptrdiff_t>(kept.size()), fired.end());
    m_status.firedEvents = std::move(kept);
}

} // namespace control

ControlResult Server::pauseMarket(bool paused)
{
    if (!m_hasAgents)
        return ControlResult::NoAgentMarket;
    return m_controls->push(control::Pause{paused}) ? ControlResult::Queued
                                                    : ControlResult::QueueFull;
}

ControlResult Server::injectMarketEvent(const MarketEvent &event)
{
    if (!m_hasAgents)
        return ControlResult::NoAgentMarket;
    if (event.instrument >= m_agentInstruments)
        return ControlResult::UnknownInstrument;
    return m_controls->push(event) ? ControlResult::Queued : ControlResult::QueueFull;
}

MarketStatus Server::marketStatus() const
{
    return m_controls->status();
}

void Server::requestStop()
{
    m_stopRequested.store(true, std::memory_order_relaxed);
    m_controls->wakeUp();
}

// Applies what other threads requested. A resumed market's clock follows the wall clock from
// now, so the pause is not made up for in a burst of arrivals.
void Server::applyControls()
{
    m_controls->take(m_controlRequests);
    for (const control::Request &request : m_controlRequests) {
        if (const auto *pause = std::get_if<control::Pause>(&request)) {
            if (pause->paused == m_market->isPaused())
                continue;
            m_market->setPaused(pause->paused);
            m_wallAnchor = Clock::now();
            m_marketAnchor = m_market->time().value();
            log(LogLevel::Info, pause->paused ? "market paused: the agents stop"
                                              : "market resumed: the agents trade again");
            continue;
        }
        const MarketEvent &event = std::get<MarketEvent>(request);
        m_market->inject(event);
        log(LogLevel::Info,
            "injected market event: " + training::describeMarketEvent(event, m_market->options()));
    }
}

void Server::publishStatus()
{
    MarketStatus status;
    status.agents = m_hasAgents;
    status.lastSequence = m_engine->lastSequence();
    status.marketTime = Timestamp{m_lastCommandTime};
    if (!m_market) {
        m_controls->publish(status, {});
        return;
    }
    status.paused = m_market->isPaused();
    status.ended = m_marketEnd.value() != 0 && m_market->time() >= m_marketEnd;
    status.marketTime = m_market->time();
    status.instrumentCount = m_market->instrumentCount();
    m_controls->publish(status, m_market->firedEvents());
}

} // namespace bourse::net

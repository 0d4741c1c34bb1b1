// Market events of the agent market: news, trends, liquidity droughts, flash crashes, halts with
// a reopening auction and changes of activity, scheduled at market times or injected.

#include "agent_market.h"

#include <algorithm>

namespace bourse {

namespace {

using agent_detail::UInt128;

constexpr Timestamp kNever{INT64_MAX};

// ticks * part / whole, rounded towards zero, without overflow for any part up to whole.
std::int64_t proportion(std::int64_t ticks, std::int64_t part, std::int64_t whole)
{
    const auto size = static_cast<std::uint64_t>(ticks < 0 ? -ticks : ticks);
    const auto scaled = static_cast<std::int64_t>(UInt128{size} * static_cast<std::uint64_t>(part) /
                                                  static_cast<std::uint64_t>(whole));
    return ticks < 0 ? -scaled : scaled;
}

// Whether drought number `drought` of `run` is running, or any drought when it is zero.
template <typename Run>
bool isRunning(const Run &run, std::uint64_t drought)
{
    return std::any_of(run.droughts.begin(), run.droughts.end(), [drought](const MarketEvent &e) {
        return drought == 0 || e.drought == drought;
    });
}

} // namespace

void AgentMarket::setUpSchedule()
{
    m_schedule = m_options.schedule;
    std::stable_sort(m_schedule.begin(), m_schedule.end(),
                     [](const MarketEvent &a, const MarketEvent &b) { return a.time < b.time; });
    // Each drought with a duration adds its end, and every event may be injected as well.
    m_schedule.reserve(2 * m_schedule.size() + 16);
    m_fired.reserve(2 * m_schedule.size() + 16);
    m_nextEvent = 0;
    m_nextEventTime = m_schedule.empty() ? kNever : m_schedule.front().time;
}

std::span<const MarketEvent> AgentMarket::upcomingEvents() const
{
    return std::span<const MarketEvent>(m_schedule).subspan(m_nextEvent);
}

bool AgentMarket::isHalted(std::size_t instrument) const
{
    return m_instruments[instrument].halted;
}

bool AgentMarket::isInDrought(std::size_t instrument) const
{
    return m_instruments[instrument].drought;
}

void AgentMarket::inject(const MarketEvent &event)
{
    MarketEvent now = event;
    now.time = m_time;
    fire(now, true);
}

// Fires every scheduled event due by the market's time, including ends that these events
// schedule for the same time.
void AgentMarket::fireDueEvents()
{
    while (m_nextEvent < m_schedule.size() && m_schedule[m_nextEvent].time <= m_time) {
        const MarketEvent event = m_schedule[m_nextEvent++];
        fire(event, false);
    }
    m_nextEventTime = m_nextEvent < m_schedule.size() ? m_schedule[m_nextEvent].time : kNever;
}

// Inserts an event after every upcoming one due at or before its time.
void AgentMarket::schedule(const MarketEvent &event)
{
    const auto first = m_schedule.begin() + static_cast<std::ptrdiff_t>(m_nextEvent);
    const auto place = std::upper_bound(
        first, m_schedule.end(), event,
        [](const MarketEvent &a, const MarketEvent &b) { return a.time < b.time; });
    m_schedule.insert(place, event);
    m_nextEventTime = m_schedule[m_nextEvent].time;
}

void AgentMarket::fire(const MarketEvent &event, bool injected)
{
    const std::size_t index = event.instrument;
    if (index >= m_instruments.size())
        return;
    const InstrumentRun &run = m_instruments[index];
    const bool idle = (event.kind == MarketEventKind::Halt && run.halted) ||
                      (event.kind == MarketEventKind::Reopen && !run.halted) ||
                      (event.kind == MarketEventKind::DroughtEnd && !isRunning(run, event.drought));
    if (idle)
        return;
    m_fired.push_back(FiredMarketEvent{event, injected, m_time, m_steps, m_engine.lastSequence(),
                                       m_instruments[index].statistics});

    switch (event.kind) {
    case MarketEventKind::News:
        moveLevel(index, event.ticks);
        break;
    case MarketEventKind::Trend:
        startTrend(index, event.ticks, event.durationNanoseconds);
        break;
    case MarketEventKind::Drought:
        startDrought(index, event);
        break;
    case MarketEventKind::DroughtEnd:
        endDrought(index, event.drought);
        break;
    case MarketEventKind::Crash:
        crash(index, event.ticks, event.durationNanoseconds);
        break;
    case MarketEventKind::Halt:
        setHalted(index, true);
        break;
    case MarketEventKind::Reopen:
        setHalted(index, false);
        break;
    case MarketEventKind::Activity:
        setActivity(index, event.percent);
        break;
    }
}

// A trend replaces one still running, whose remaining part is dropped. Without a duration the
// whole trend applies at once.
void AgentMarket::startTrend(std::size_t instrument, std::int64_t ticks, std::int64_t duration)
{
    InstrumentRun &run = m_instruments[instrument];
    run.driftTicks = ticks;
    run.driftApplied = 0;
    run.driftStart = m_time;
    run.driftDurationNanoseconds = std::max<std::int64_t>(duration, 1);
    applyDrift(run);
}

// Moves the fair value and the level it reverts to by the part of the trend due by now. The
// reversion then pulls towards the moving level, so it does not work against the trend.
void AgentMarket::applyDrift(InstrumentRun &run)
{
    advanceDrift(run, m_time, true);
}

// Applies the part of the trend due by `time`. A market that continues a journal moves only the
// level, because the books it takes the fair value from show the part applied before.
void AgentMarket::advanceDrift(InstrumentRun &run, Timestamp time, bool moveFairValue)
{
    if (run.driftDurationNanoseconds == 0)
        return;
    const std::int64_t elapsed = std::clamp<std::int64_t>(time.value() - run.driftStart.value(), 0,
                                                          run.driftDurationNanoseconds);
    const std::int64_t due = proportion(run.driftTicks, elapsed, run.driftDurationNanoseconds);
    const std::int64_t step = due - run.driftApplied;
    run.driftApplied = due;
    run.startTicks = std::max(run.startTicks + step, run.floorTicks);
    if (moveFairValue)
        run.fairValue = std::max(run.fairValue + step, run.floorTicks);
    if (elapsed == run.driftDurationNanoseconds)
        run.driftDurationNanoseconds = 0;
}

// Unlike random news, which the reversion slowly takes back, scheduled and injected news moves
// the level the fair value reverts to as well, so the price stays where the news took it.
// Returns the jump, which the floor may have cut.
std::int64_t AgentMarket::moveLevel(std::size_t instrument, std::int64_t ticks)
{
    InstrumentRun &run = m_instruments[instrument];
    const std::int64_t before = run.fairValue;
    applyNews(instrument, ticks, true);
    const std::int64_t jump = run.fairValue - before;
    run.startTicks = std::max(run.startTicks + jump, run.floorTicks);
    return jump;
}

// The fall is news, so the informed traders sell into the makers' stale bids until the makers
// see it, and the recovery is a trend back up by the whole fall.
void AgentMarket::crash(std::size_t instrument, std::int64_t ticks, std::int64_t duration)
{
    const std::int64_t jump = moveLevel(instrument, -std::max<std::int64_t>(ticks, 0));
    startTrend(instrument, -jump, duration);
}

// A drought rules from its start until it ends or a later one starts. Its number ties a timed
// end to it, so the end of one drought leaves a later one running.
void AgentMarket::startDrought(std::size_t instrument, const MarketEvent &event)
{
    InstrumentRun &run = m_instruments[instrument];
    MarketEvent running = event;
    running.drought = ++m_droughtCount;
    run.droughts.push_back(running);
    applyDrought(run);

    if (event.durationNanoseconds > 0) {
        MarketEvent end;
        end.time = Timestamp{m_time.value() + event.durationNanoseconds};
        end.kind = MarketEventKind::DroughtEnd;
        end.instrument = instrument;
        end.drought = running.drought;
        schedule(end);
    }
}

// Ends drought number `drought`, or every drought of the instrument when it is zero. The
// makers quote again only when the ruling drought changes.
void AgentMarket::endDrought(std::size_t instrument, std::uint64_t drought)
{
    InstrumentRun &run = m_instruments[instrument];
    if (run.droughts.empty())
        return;
    const bool ruling = drought == 0 || run.droughts.back().drought == drought;
    std::erase_if(run.droughts, [drought](const MarketEvent &running) {
        return drought == 0 || running.drought == drought;
    });
    if (ruling)
        applyDrought(run);
}

// Applies the ruling drought's widening and size, or the calm quotes without one. The makers
// withdraw and quote again at once, and the noise orders inside their new quotes are cancelled, so
// the spread opens now rather than as orders come and go.
void AgentMarket::applyDrought(InstrumentRun &run)
{
    if (!takeRulingDrought(run)) {
        requote(run);
        return;
    }

    const std::int64_t estimate = run.fairValue - run.unseenNews;
    const std::int64_t offset = run.makerHalfSpreadTicks + wideningTicks(run);
    const std::int64_t highestBid = estimate - offset;
    const std::int64_t lowestAsk = estimate + 1 + offset;
    for (const OrderId id : run.noiseOrders) {
        const Order *order = m_engine.findOrder(id);
        if (order == nullptr || order->account != AccountId{} || order->instrument != run.id)
            continue;
        const std::int64_t ticks = ticksOf(run, order->price);
        const bool inside = order->side == Side::Buy ? ticks > highestBid : ticks < lowestAsk;
        if (inside)
            m_engine.cancel(id, m_time);
    }
    requote(run);
}

// Sets the widening and size of the ruling drought, or the calm ones without a drought. Returns
// whether a drought rules.
bool AgentMarket::takeRulingDrought(InstrumentRun &run)
{
    if (run.droughts.empty()) {
        run.drought = false;
        run.droughtWidenTicks = 0;
        run.droughtPercent = 100;
        return false;
    }
    const MarketEvent &ruling = run.droughts.back();
    run.drought = true;
    run.droughtWidenTicks = std::max<std::int64_t>(ruling.widenTicks, 0);
    run.droughtPercent = std::clamp<std::uint32_t>(ruling.percent, 1, 100);
    return true;
}

// Every maker of the instrument withdraws its quotes and quotes again.
void AgentMarket::requote(InstrumentRun &run)
{
    for (std::size_t k = 0; k < run.makerCount; ++k) {
        Maker &maker = m_makers[run.firstMaker + k];
        for (OrderId *id : {&maker.bid, &maker.ask}) {
            if (id->value() != 0 && m_engine.findOrder(*id) != nullptr)
                m_engine.cancel(*id, m_time);
            *id = OrderId{};
        }
        makeMarket(run, maker);
    }
}

// Reopening sets the instrument trading, which uncrosses its book in an auction first.
void AgentMarket::setHalted(std::size_t instrument, bool halted)
{
    InstrumentRun &run = m_instruments[instrument];
    run.halted = halted;
    m_engine.setTradingStatus(run.id, halted ? TradingStatus::Halted : TradingStatus::Trading,
                              m_time);
}

void AgentMarket::setActivity(std::size_t instrument, std::uint32_t percent)
{
    const std::uint64_t calm = m_options.instruments[instrument].arrivalsPerSecond;
    m_rates[instrument].calm = std::max<std::uint64_t>(calm * percent / 100, 1);
}

} // namespace bourse

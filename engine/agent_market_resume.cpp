// Continuing an agent market on an engine rebuilt from its journal: the instruments, fair
// values, positions and resting orders are taken over from the engine's state.

#include "agent_market.h"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace bourse {

namespace {

std::string_view symbolOf(const InstrumentDefinition &definition)
{
    const char *text = definition.symbol.data();
    return {text, strnlen(text, definition.symbol.size())};
}

// The per-instrument part of the market's option checks: sizes, tick and lot sizes and times
// count as at least one unit, and distances as at least zero. The market's constructor applies
// the same rules to the options it is given.
AgentInstrument sanitizedInstrument(AgentInstrument instrument)
{
    instrument.makerHalfSpreadTicks = std::max<std::int64_t>(instrument.makerHalfSpreadTicks, 0);
    for (std::int64_t *lots :
         {&instrument.makerQuoteLots, &instrument.makerInventoryLimitLots, &instrument.noiseMaxLots,
          &instrument.traderLots, &instrument.traderLimitLots, &instrument.jumpMinTicks})
        *lots = std::max<std::int64_t>(*lots, 1);
    instrument.jumpMaxTicks = std::max(instrument.jumpMaxTicks, instrument.jumpMinTicks);
    instrument.newsMeanGapMilliseconds =
        std::max<std::int64_t>(instrument.newsMeanGapMilliseconds, 1);
    instrument.tickSize = std::max(instrument.tickSize, Price{1});
    instrument.lotSize = std::max(instrument.lotSize, Quantity{1});
    return instrument;
}

// The options of a market with no instruments, accounts to open or scheduled events, so that the
// market's constructor derives its constants and attaches its trade listener without touching
// the engine.
AgentMarket::Options withoutInstruments(AgentMarket::Options options)
{
    options.instruments.clear();
    options.openAccounts = false;
    options.schedule.clear();
    return options;
}

} // namespace

bool AgentMarket::tradesInstrumentsOf(const Engine &engine, const Options &options)
{
    if (options.instruments.empty() || engine.instruments().size() != options.instruments.size())
        return false;
    for (const AgentInstrument &instrument : options.instruments) {
        const InstrumentDefinition *definition = engine.definition(instrument.id);
        if (instrument.id.value() == 0 || definition == nullptr)
            return false;
        const std::string_view symbol =
            std::string_view(instrument.symbol).substr(0, definition->symbol.size());
        if (symbolOf(*definition) != symbol ||
            definition->tickSize != std::max(instrument.tickSize, Price{1}) ||
            definition->lotSize != std::max(instrument.lotSize, Quantity{1}))
            return false;
    }
    return true;
}

std::unique_ptr<AgentMarket> AgentMarket::resume(Engine &engine, std::uint64_t seed,
                                                 Options options,
                                                 std::span<const CarriedPosition> positions)
{
    if (!tradesInstrumentsOf(engine, options))
        return nullptr;
    std::unique_ptr<AgentMarket> market(
        new AgentMarket(engine, seed, std::move(options), ResumeTag{}));

    // Orders are collected first, because cancelling while a book is walked would unlink the
    // order the walk is at.
    std::vector<OrderId> cancels;
    for (std::size_t index = 0; index < market->m_instruments.size(); ++index) {
        market->resumeInstrument(index, positions);
        market->adoptOrders(index, cancels);
    }
    for (const OrderId id : cancels)
        market->m_engine.cancel(id, market->m_time);
    market->setUpSchedule();
    market->catchUpSchedule();
    return market;
}

AgentMarket::AgentMarket(Engine &engine, std::uint64_t seed, Options options, ResumeTag)
    : AgentMarket(engine, seed, withoutInstruments(options))
{
    for (AgentInstrument &instrument : options.instruments)
        instrument = sanitizedInstrument(std::move(instrument));
    m_options.instruments = std::move(options.instruments);
    m_options.openAccounts = options.openAccounts;
    m_options.schedule = std::move(options.schedule);
    // Sized once, as the market's own constructor does, so that steps never allocate.
    m_instruments.resize(m_options.instruments.size());
    m_rates.resize(m_options.instruments.size());
}

// Sets an instrument up as addInstrument() does, but from the engine's book instead of adding
// the instrument: its definition and resting orders are the engine's already.
void AgentMarket::resumeInstrument(std::size_t index, std::span<const CarriedPosition> positions)
{
    const AgentInstrument &instrument = m_options.instruments[index];
    InstrumentRun &run = m_instruments[index];
    run.id = instrument.id;
    run.tick = m_engine.definition(instrument.id)->tickSize.value();
    run.lot = m_engine.definition(instrument.id)->lotSize;
    run.makerHalfSpreadTicks = instrument.makerHalfSpreadTicks;
    // The floor of addInstrument(): below it the widest quote or the deepest noise order could
    // reach zero.
    run.floorTicks = instrument.makerHalfSpreadTicks + instrument.makerCount +
                     m_options.makerMaximumWideningTicks + m_options.noiseMaximumDepthTicks +
                     instrument.jumpMaxTicks + 8;
    run.startTicks = std::max(instrument.startTicks, run.floorTicks);
    run.book = m_engine.book(instrument.id);
    // A halt in the journal stays until an injected reopening, as one in the run before would.
    run.halted = m_engine.status(instrument.id) == TradingStatus::Halted;

    // A maker quotes its estimate less its half spread on the bid, and one tick more than its
    // estimate plus its half spread on the ask, so the estimate is the floor of the middle.
    const std::optional<Price> bid = run.book->bestPrice(Side::Buy);
    const std::optional<Price> ask = run.book->bestPrice(Side::Sell);
    std::int64_t fairValue = m_engine.definition(instrument.id)->referencePrice.value() / run.tick;
    if (bid && ask)
        fairValue = (ticksOf(run, *bid) + ticksOf(run, *ask)) / 2;
    else if (bid)
        fairValue = ticksOf(run, *bid) + run.makerHalfSpreadTicks;
    else if (ask)
        fairValue = ticksOf(run, *ask) - 1 - run.makerHalfSpreadTicks;
    run.fairValue = std::max(fairValue, run.floorTicks);

    setUpArrivals(instrument, index);
    setUpAgents(instrument, index);
    carryPositions(index, positions);
}

void AgentMarket::carryPositions(std::size_t index, std::span<const CarriedPosition> positions)
{
    const InstrumentId instrument = m_instruments[index].id;
    const Portfolio &portfolio = m_engine.portfolio();
    for (AgentState &agent : m_agents) {
        if (agent.instrument != index)
            continue;
        if (portfolio.account(agent.account) != nullptr) {
            const Position *position = portfolio.position(agent.account, instrument);
            agent.position = position != nullptr ? position->quantity : Quantity{};
            continue;
        }
        for (const CarriedPosition &carried : positions) {
            if (carried.account == agent.account && carried.instrument == instrument)
                agent.position = carried.quantity;
        }
    }
}

// Walks the book best price first, so a maker takes over its best quote on each side. Orders of
// accounts outside the agents' range (the trader's) are left alone.
void AgentMarket::adoptOrders(std::size_t index, std::vector<OrderId> &cancels)
{
    InstrumentRun &run = m_instruments[index];
    const std::uint32_t first = m_options.firstAccount.value();
    const auto adopt = [&](const Order &order) {
        if (order.origin != OrderOrigin::OrderEntry)
            return;
        if (order.account == AccountId{}) {
            if (run.noiseOrders.size() < run.noiseOrders.capacity())
                run.noiseOrders.push_back(order.id);
            else
                cancels.push_back(order.id);
            return;
        }
        const std::uint32_t account = order.account.value();
        if (account < first || account - first >= m_agents.size())
            return;
        for (std::size_t k = 0; k < run.makerCount; ++k) {
            Maker &maker = m_makers[run.firstMaker + k];
            OrderId &quote = order.side == Side::Buy ? maker.bid : maker.ask;
            if (maker.agent == account - first && quote.value() == 0) {
                quote = order.id;
                return;
            }
        }
        // A second quote of a maker, an order of another instrument's agent, or a resting order
        // of a momentum or informed trader, whose orders are immediate-or-cancel.
        cancels.push_back(order.id);
    };
    run.book->forEachOrder(Side::Buy, adopt);
    run.book->forEachOrder(Side::Sell, adopt);
}

// Takes the events due before the clock as fired, in the order fireDueEvents() would have fired
// them, including the ends of timed droughts that they schedule.
// NOTE: an event due in the last moments before the clock, after the journal's last event, may
// have fired without leaving an event in the journal (news sends no order at once). It then fires
// again. The clock starts just after the last event, which keeps that window short.
void AgentMarket::catchUpSchedule()
{
    while (m_nextEvent < m_schedule.size() && m_schedule[m_nextEvent].time < m_time) {
        const MarketEvent event = m_schedule[m_nextEvent++];
        catchUp(event);
    }
    for (InstrumentRun &run : m_instruments)
        advanceDrift(run, m_time, false);
    m_nextEventTime =
        m_nextEvent < m_schedule.size() ? m_schedule[m_nextEvent].time : Timestamp{INT64_MAX};
}

// The lasting part of an event that fired before the journal ended. The fair value comes from
// the books, which show the event's effect already, so only the level it reverts to and the
// market's settings change. Nothing goes to the engine.
void AgentMarket::catchUp(const MarketEvent &event)
{
    if (event.instrument >= m_instruments.size())
        return;
    InstrumentRun &run = m_instruments[event.instrument];
    advanceDrift(run, event.time, false);
    m_fired.push_back(FiredMarketEvent{event, false, event.time, 0, 0, {}});

    const std::int64_t fall = std::max<std::int64_t>(event.ticks, 0);
    switch (event.kind) {
    case MarketEventKind::News:
        run.startTicks = std::max(run.startTicks + event.ticks, run.floorTicks);
        break;
    case MarketEventKind::Trend:
        catchUpTrend(run, event.ticks, event.time, event.durationNanoseconds);
        break;
    case MarketEventKind::Crash:
        run.startTicks = std::max(run.startTicks - fall, run.floorTicks);
        catchUpTrend(run, fall, event.time, event.durationNanoseconds);
        break;
    case MarketEventKind::Drought: {
        MarketEvent running = event;
        running.drought = ++m_droughtCount;
        run.droughts.push_back(running);
        takeRulingDrought(run);
        if (event.durationNanoseconds > 0) {
            MarketEvent end;
            end.time = Timestamp{event.time.value() + event.durationNanoseconds};
            end.kind = MarketEventKind::DroughtEnd;
            end.instrument = event.instrument;
            end.drought = running.drought;
            schedule(end);
        }
        break;
    }
    case MarketEventKind::DroughtEnd:
        std::erase_if(run.droughts, [&event](const MarketEvent &running) {
            return event.drought == 0 || running.drought == event.drought;
        });
        takeRulingDrought(run);
        break;
    case MarketEventKind::Halt:
    case MarketEventKind::Reopen:
        // The engine's trading status, which resumeInstrument() read, is the outcome.
        break;
    case MarketEventKind::Activity:
        setActivity(event.instrument, event.percent);
        break;
    }
}

// A trend that started at `start`, as startTrend() would have set it. The next event of the
// instrument, or the end of the catch-up, applies the part due by its time.
void AgentMarket::catchUpTrend(InstrumentRun &run, std::int64_t ticks, Timestamp start,
                               std::int64_t duration)
{
    run.driftTicks = ticks;
    run.driftApplied = 0;
    run.driftStart = start;
    run.driftDurationNanoseconds = std::max<std::int64_t>(duration, 1);
}

} // namespace bourse

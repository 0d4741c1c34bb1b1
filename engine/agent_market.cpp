// The agent market's setup, its clock and arrivals, the fair values and news, and the trade
// listener. The agents' turns are in agent_traders.cpp.

#include "agent_market.h"

#include <algorithm>

namespace bourse {

namespace {

using agent_detail::UInt128;

constexpr std::uint64_t kOne32 = std::uint64_t{1} << 32; // 1 in units of 2^-32
// The opening balance of an opened agent account: ten billion in cents of the currency.
constexpr Money kAgentBalance{1'000'000'000'000};

AgentInstrument instrument(std::uint32_t id, std::string symbol, std::uint8_t priceDecimals,
                           std::int64_t tickSize, std::uint8_t quantityDecimals,
                           std::int64_t lotSize, std::int64_t startTicks)
{
    AgentInstrument definition;
    definition.id = InstrumentId{id};
    definition.symbol = std::move(symbol);
    definition.priceDecimals = priceDecimals;
    definition.tickSize = Price{tickSize};
    definition.quantityDecimals = quantityDecimals;
    definition.lotSize = Quantity{lotSize};
    definition.startTicks = startTicks;
    return definition;
}

std::int64_t magnitude(std::int64_t value)
{
    return value < 0 ? -value : value;
}

// Negative distances count as zero, and sizes, tick and lot sizes and times as at least one
// unit.
AgentMarket::Options sanitized(AgentMarket::Options options)
{
    for (std::int64_t *distance : {&options.makerMaximumWideningTicks, &options.noiseDepthTicks,
                                   &options.noiseMaximumDepthTicks, &options.noiseThroughTicks,
                                   &options.momentumThresholdQuarterTicks,
                                   &options.momentumSlippageTicks, &options.informedMarginTicks})
        *distance = std::max<std::int64_t>(*distance, 0);
    options.excitationDecayNanoseconds =
        std::max<std::int64_t>(options.excitationDecayNanoseconds, 1);
    for (AgentInstrument &instrument : options.instruments) {
        instrument.makerHalfSpreadTicks =
            std::max<std::int64_t>(instrument.makerHalfSpreadTicks, 0);
        for (std::int64_t *lots : {&instrument.makerQuoteLots, &instrument.makerInventoryLimitLots,
                                   &instrument.noiseMaxLots, &instrument.traderLots,
                                   &instrument.traderLimitLots, &instrument.jumpMinTicks})
            *lots = std::max<std::int64_t>(*lots, 1);
        instrument.jumpMaxTicks = std::max(instrument.jumpMaxTicks, instrument.jumpMinTicks);
        instrument.newsMeanGapMilliseconds =
            std::max<std::int64_t>(instrument.newsMeanGapMilliseconds, 1);
        instrument.tickSize = std::max(instrument.tickSize, Price{1});
        instrument.lotSize = std::max(instrument.lotSize, Quantity{1});
    }
    return options;
}

} // namespace

std::vector<AgentInstrument> AgentMarket::defaultInstruments()
{
    // A large-cap share at 187.42, a cent tick and single shares: the busiest book.
    AgentInstrument blue = instrument(1, "BLUE", 2, 1, 0, 1, 18'742);
    blue.arrivalsPerSecond = 400;
    blue.moveProbabilityPerMillion = 80'000;
    blue.newsMeanGapMilliseconds = 15'000;
    blue.makerCount = 4;
    blue.makerQuoteLots = 100;
    blue.makerInventoryLimitLots = 1'500;
    blue.noiseMaxLots = 100;
    blue.traderLots = 200;
    blue.traderLimitLots = 4'000;
    blue.jumpMinTicks = 8;
    blue.jumpMaxTicks = 40;

    // A mid-cap share at 42.50 with a five-cent tick, traded in round lots of 100 shares.
    AgentInstrument midCap = instrument(2, "MIDC", 2, 5, 0, 100, 850);
    midCap.arrivalsPerSecond = 120;
    midCap.moveProbabilityPerMillion = 10'000;
    midCap.newsMeanGapMilliseconds = 30'000;
    midCap.makerCount = 2;
    midCap.makerHalfSpreadTicks = 1;
    midCap.makerQuoteLots = 20;
    midCap.makerInventoryLimitLots = 200;
    midCap.noiseMaxLots = 10;
    midCap.traderLots = 20;
    midCap.traderLimitLots = 400;
    midCap.jumpMinTicks = 3;
    midCap.jumpMaxTicks = 12;

    // An index future at 4512.25 with a quarter-point tick, worth 50 dollars a point.
    AgentInstrument future = instrument(3, "IDXF", 2, 25, 0, 1, 18'049);
    future.multiplier = 50;
    future.arrivalsPerSecond = 250;
    future.moveProbabilityPerMillion = 60'000;
    future.newsMeanGapMilliseconds = 20'000;
    future.makerCount = 3;
    future.makerQuoteLots = 15;
    future.makerInventoryLimitLots = 150;
    future.noiseMaxLots = 8;
    future.traderLots = 20;
    future.traderLimitLots = 400;
    future.jumpMinTicks = 4;
    future.jumpMaxTicks = 16;

    // A currency pair at 1.08450 with a half-pip tick, in lots of 1,000 units.
    AgentInstrument currencyPair = instrument(4, "EURUSD", 5, 5, 0, 1'000, 21'690);
    currencyPair.arrivalsPerSecond = 300;
    currencyPair.moveProbabilityPerMillion = 60'000;
    currencyPair.newsMeanGapMilliseconds = 20'000;
    currencyPair.makerCount = 3;
    currencyPair.makerQuoteLots = 1'000;
    currencyPair.makerInventoryLimitLots = 10'000;
    currencyPair.noiseMaxLots = 500;
    currencyPair.traderLots = 1'000;
    currencyPair.traderLimitLots = 20'000;
    currencyPair.jumpMinTicks = 5;
    currencyPair.jumpMaxTicks = 30;

    // A thin crypto asset at 26150.5 with a 0.5 tick, in lots of 0.0010 coins, with one maker
    // quoting wide.
    AgentInstrument crypto = instrument(5, "BTCUSD", 1, 5, 4, 10, 52'301);
    crypto.arrivalsPerSecond = 50;
    crypto.moveProbabilityPerMillion = 120'000;
    crypto.newsMeanGapMilliseconds = 10'000;
    crypto.makerCount = 1;
    crypto.makerHalfSpreadTicks = 3;
    crypto.makerQuoteLots = 50;
    crypto.makerInventoryLimitLots = 400;
    crypto.noiseMaxLots = 30;
    crypto.traderLots = 40;
    crypto.traderLimitLots = 800;
    crypto.jumpMinTicks = 10;
    crypto.jumpMaxTicks = 60;

    return {blue, midCap, future, currencyPair, crypto};
}

AgentMarket::AgentMarket(Engine &engine, std::uint64_t seed)
    : AgentMarket(engine, seed, Options{})
{
}

AgentMarket::AgentMarket(Engine &engine, std::uint64_t seed, Options options)
    : m_engine(engine)
    , m_options(sanitized(std::move(options)))
    , m_random(seed)
    , m_time(m_options.startTime)
{
    m_improve = Probability::perMillion(std::uint64_t{m_options.noiseImprovePerMille} * 1'000);
    m_market = Probability::perMillion(std::uint64_t{m_options.noiseMarketPerMille} * 1'000);
    m_unwind = Probability::perMillion(std::uint64_t{m_options.unwindPerMille} * 1'000);
    m_cancelWeightPerOrderQ16 = (std::uint64_t{m_options.noiseCancelWeight} << 16) /
                                std::max<std::uint32_t>(m_options.noiseRestingTarget, 1);
    m_decayQ48 =
        (std::uint64_t{1} << 48) / static_cast<std::uint64_t>(m_options.excitationDecayNanoseconds);
    m_maximumExcitationQ32 =
        static_cast<std::uint64_t>((UInt128{m_options.maximumExcitationPerMille} << 32) / 1'000);

    // Every list is sized here, so that steps never allocate.
    m_instruments.resize(m_options.instruments.size());
    m_rates.resize(m_options.instruments.size());
    for (std::size_t index = 0; index < m_instruments.size(); ++index)
        addInstrument(m_options.instruments[index], index);

    m_engine.addHandler(&m_listener);
    if (m_options.openAccounts)
        openAccounts();
    for (InstrumentRun &run : m_instruments)
        prime(run);
    setUpSchedule();
}

AgentMarket::~AgentMarket()
{
    m_engine.removeHandler(&m_listener);
}

void AgentMarket::addInstrument(const AgentInstrument &instrument, std::size_t index)
{
    InstrumentRun &run = m_instruments[index];
    run.id = instrument.id;
    run.tick = instrument.tickSize.value();
    run.lot = instrument.lotSize;
    run.makerHalfSpreadTicks = instrument.makerHalfSpreadTicks;
    // Below this floor the widest quote or the deepest noise order could reach zero.
    run.floorTicks = instrument.makerHalfSpreadTicks + instrument.makerCount +
                     m_options.makerMaximumWideningTicks + m_options.noiseMaximumDepthTicks +
                     instrument.jumpMaxTicks + 8;
    run.startTicks = std::max(instrument.startTicks, run.floorTicks);
    run.fairValue = run.startTicks;

    InstrumentDefinition definition;
    definition.id = instrument.id;
    std::copy_n(instrument.symbol.begin(),
                std::min(instrument.symbol.size(), definition.symbol.size()),
                definition.symbol.begin());
    definition.currency = currencyCode(m_options.currency);
    definition.priceDecimals = instrument.priceDecimals;
    definition.quantityDecimals = instrument.quantityDecimals;
    definition.tickSize = instrument.tickSize;
    definition.lotSize = instrument.lotSize;
    definition.minimumQuantity = instrument.lotSize;
    definition.multiplier = instrument.multiplier;
    definition.referencePrice = Price{run.startTicks * run.tick};
    m_engine.addInstrument(definition, m_time);
    run.book = m_engine.book(instrument.id);

    setUpArrivals(instrument, index);
    setUpAgents(instrument, index);
}

void AgentMarket::setUpArrivals(const AgentInstrument &instrument, std::size_t index)
{
    InstrumentRun &run = m_instruments[index];
    const std::uint64_t rate = std::max<std::uint64_t>(instrument.arrivalsPerSecond, 1);
    m_rates[index].calm = rate;
    run.move = Probability::perMillion(instrument.moveProbabilityPerMillion);
    run.newsMeanGapQ16 = static_cast<std::uint64_t>(instrument.newsMeanGapMilliseconds) * 1'000'000
                         << 16;
    scheduleNews(run);

    // One trade adds tradeArrivalsPerMille / 1000 expected arrivals: the excitation it adds
    // times the calm rate, integrated over its exponential decay, which is the decay time.
    run.tradeExcitationQ32 = static_cast<std::uint64_t>(
        (UInt128{m_options.tradeArrivalsPerMille} * kNanosecondsPerSecond << 32) /
        (UInt128{1'000} * rate * static_cast<std::uint64_t>(m_options.excitationDecayNanoseconds)));
}

void AgentMarket::setUpAgents(const AgentInstrument &instrument, std::size_t index)
{
    InstrumentRun &run = m_instruments[index];
    const std::int64_t lot = instrument.lotSize.value();
    run.makerLimit = Quantity{instrument.makerInventoryLimitLots * lot};
    run.traderQuantity = Quantity{instrument.traderLots * lot};
    run.traderLimit = Quantity{instrument.traderLimitLots * lot};
    run.noiseMaxLots = instrument.noiseMaxLots;
    // A quarter tick of the mid is half a tick of bid + ask, times 256.
    run.momentumThresholdQ8 = m_options.momentumThresholdQuarterTicks * run.tick * 128;
    run.noiseOrders.reserve(8 * std::size_t{m_options.noiseRestingTarget} + 64);

    run.firstMaker = m_makers.size();
    run.makerCount = instrument.makerCount;
    for (std::uint32_t k = 0; k < instrument.makerCount; ++k) {
        Maker maker;
        maker.agent = m_agents.size();
        maker.extraHalfSpreadTicks = k;
        maker.quoteQuantity = Quantity{instrument.makerQuoteLots * (k + 1) * lot};
        m_makers.push_back(maker);
        addAgent(AgentRole::MarketMaker, index);
    }
    run.momentum = m_agents.size();
    addAgent(AgentRole::Momentum, index);
    run.informed = m_agents.size();
    addAgent(AgentRole::Informed, index);
}

void AgentMarket::addAgent(AgentRole role, std::size_t instrument)
{
    AgentState agent;
    agent.role = role;
    agent.instrument = instrument;
    agent.account =
        AccountId{m_options.firstAccount.value() + static_cast<std::uint32_t>(m_agents.size())};
    m_agents.push_back(agent);
}

void AgentMarket::openAccounts()
{
    for (const AgentState &agent : m_agents) {
        AccountSettings settings;
        settings.id = agent.account;
        settings.currency = currencyCode(m_options.currency);
        settings.moneyDecimals = 2;
        settings.type = AccountType::Margin;
        m_engine.openAccount(settings, kAgentBalance, m_time);
    }
}

// Each maker quotes, then the noise traders rest their target number of orders around them.
void AgentMarket::prime(InstrumentRun &run)
{
    for (std::size_t k = 0; k < run.makerCount; ++k)
        makeMarket(run, m_makers[run.firstMaker + k]);
    for (std::uint32_t order = 0; order < m_options.noiseRestingTarget; ++order)
        addNoiseOrder(run);
}

bool AgentMarket::step()
{
    if (m_paused || m_instruments.empty())
        return false;
    const std::size_t instrument = nextArrival();
    if (m_time >= m_nextEventTime)
        fireDueEvents();
    InstrumentRun &run = m_instruments[instrument];
    if (run.driftDurationNanoseconds != 0)
        applyDrift(run);
    ++m_steps;
    ++run.statistics.arrivals;
    // News counts its arrivals from the one after it, so news this arrival brings is seen
    // makerReactionArrivals arrivals later, as injected news is.
    if (run.blindArrivals != 0 && --run.blindArrivals == 0)
        revealNews(run);
    run.newsWideningQ8 -= run.newsWideningQ8 >> 6;
    moveFairValue(instrument);
    observe(run);
    act(run);
    return true;
}

std::uint64_t AgentMarket::runUntil(SequenceNumber sequence)
{
    std::uint64_t steps = 0;
    while (m_engine.lastSequence() < sequence && step())
        ++steps;
    return steps;
}

// The arrivals of all instruments form one Poisson process whose rate is the sum of theirs,
// held constant from one arrival to the next. So the gap is exponential with that rate's mean,
// and the instrument is picked with probability proportional to its rate.
//
// Excitation decays exponentially: each gap takes gap / decay time of it, all of it past the
// decay time. The decay over one gap is applied at the next arrival, in the same pass that sums
// the rates, so what trades added at an arrival decays over the gap before it too. That differs
// from exact decay by a fraction of the gap over the decay time, about a thousandth.
std::size_t AgentMarket::nextArrival()
{
    if (m_rates.empty())
        return 0;
    std::uint64_t total = 0;
    for (ArrivalRate &rate : m_rates) {
        rate.excitationQ32 -=
            static_cast<std::uint64_t>((UInt128{rate.excitationQ32} * m_decayingQ32) >> 32);
        rate.current = rate.calm * ((kOne32 + rate.excitationQ32) >> 16);
        total += rate.current;
    }
    // The mean gap in nanoseconds, in units of 2^-16: 10^9 / (total / 2^16).
    const std::uint64_t meanGapQ16 =
        (static_cast<std::uint64_t>(kNanosecondsPerSecond) << 32) / total;
    const auto gap =
        static_cast<std::int64_t>((UInt128{m_random.exponential()} * meanGapQ16) >> 48);
    m_time = Timestamp{m_time.value() + std::max<std::int64_t>(gap, 1)};
    const auto elapsed =
        static_cast<std::uint64_t>(std::min(gap, m_options.excitationDecayNanoseconds));
    m_decayingQ32 = std::min((elapsed * m_decayQ48) >> 16, kOne32);

    std::uint64_t draw = m_random.below(total);
    for (std::size_t index = 0; index + 1 < m_rates.size(); ++index) {
        if (draw < m_rates[index].current)
            return index;
        draw -= m_rates[index].current;
    }
    return m_rates.size() - 1;
}

// News due by now jumps the fair value. Otherwise the fair value may move by a tick.
void AgentMarket::moveFairValue(std::size_t instrument)
{
    InstrumentRun &run = m_instruments[instrument];
    if (run.nextNews <= m_time) {
        const AgentInstrument &definition = m_options.instruments[instrument];
        const std::int64_t size =
            m_random.between(definition.jumpMinTicks, definition.jumpMaxTicks);
        const bool up = (m_random.next() >> 63) != 0;
        applyNews(instrument, up ? size : -size, false);
        scheduleNews(run);
        return;
    }
    if (!m_random.chance(run.move))
        return;

    // The chance of an up move falls as the fair value rises above its start, so the walk
    // keeps coming back, slowly.
    const std::int64_t distance = run.fairValue - run.startTicks;
    const std::int64_t upPerMillion = std::clamp<std::int64_t>(
        500'000 - std::int64_t{m_options.reversionPerMillionPerTick} * distance, 100'000, 900'000);
    const bool up = m_random.below(1'000'000) < static_cast<std::uint64_t>(upPerMillion);
    run.fairValue = std::max(run.fairValue + (up ? 1 : -1), run.floorTicks);
}

// The gaps between news are exponential in simulated time, so news is a Poisson process that
// activity does not speed up.
void AgentMarket::scheduleNews(InstrumentRun &run)
{
    const auto index = static_cast<std::size_t>(&run - m_instruments.data());
    if (!m_options.instruments[index].randomNews) {
        run.nextNews = Timestamp{INT64_MAX};
        return;
    }
    const auto gap =
        static_cast<std::int64_t>((UInt128{m_random.exponential()} * run.newsMeanGapQ16) >> 48);
    run.nextNews = Timestamp{m_time.value() + std::max<std::int64_t>(gap, 1)};
}

void AgentMarket::injectNews(std::size_t instrument, std::int64_t ticks)
{
    if (instrument < m_instruments.size())
        applyNews(instrument, ticks, true);
}

void AgentMarket::applyNews(std::size_t instrument, std::int64_t ticks, bool injected)
{
    InstrumentRun &run = m_instruments[instrument];
    const std::int64_t before = run.fairValue;
    run.fairValue = std::max(run.fairValue + ticks, run.floorTicks);
    const std::int64_t jump = run.fairValue - before;

    run.unseenNews += jump;
    run.blindArrivals = m_options.makerReactionArrivals;
    if (run.blindArrivals == 0)
        revealNews(run);
    run.arrivalsSinceNews = 0;
    addExcitation(instrument, static_cast<std::uint64_t>(
                                  (UInt128{m_options.newsExcitationPerMille} << 32) / 1'000));

    ++run.statistics.news;
    ++m_newsCount;
    m_lastNews = AgentNews{instrument, jump, injected, m_steps, m_engine.lastSequence()};
}

// The makers learn the news: their estimate takes it in, and they widen by its size.
void AgentMarket::revealNews(InstrumentRun &run)
{
    run.newsWideningQ8 +=
        magnitude(run.unseenNews) * std::int64_t{m_options.newsWideningPerMille} * 256 / 1'000;
    run.unseenNews = 0;
}

void AgentMarket::addExcitation(std::size_t instrument, std::uint64_t amountQ32)
{
    std::uint64_t &excitation = m_rates[instrument].excitationQ32;
    excitation = std::min(excitation + amountQ32, m_maximumExcitationQ32);
}

// Reads the instrument's book at an arrival: the spread for the statistics, and the mid
// price's averages and movement for the makers and the momentum traders.
void AgentMarket::observe(InstrumentRun &run)
{
    if (run.arrivalsSinceNews != UINT32_MAX)
        ++run.arrivalsSinceNews;
    // A halted book may cross until the reopening auction, so it gives no spread or mid.
    if (run.halted)
        return;
    const std::optional<Price> bid = run.book->bestPrice(Side::Buy);
    const std::optional<Price> ask = run.book->bestPrice(Side::Sell);
    if (!bid || !ask)
        return;

    const std::int64_t spread = ask->value() - bid->value();
    AgentInstrumentStatistics &statistics = run.statistics;
    ++statistics.spreadSamples;
    statistics.spreadSum += spread;
    if (run.arrivalsSinceNews <= m_options.newsWindowArrivals) {
        ++statistics.newsSpreadSamples;
        statistics.newsSpreadSum += spread;
    }

    const std::int64_t mid = bid->value() + ask->value();
    if (!run.hasMid) {
        run.hasMid = true;
        run.lastMid = mid;
        run.fastMidQ8 = mid * 256;
        run.slowMidQ8 = mid * 256;
    }
    // Arithmetic shifts round towards minus infinity, the same way on every platform (C++20).
    run.movementQ8 += (magnitude(mid - run.lastMid) * 256 - run.movementQ8) >> 5;
    run.fastMidQ8 += (mid * 256 - run.fastMidQ8) >> 3;
    run.slowMidQ8 += (mid * 256 - run.slowMidQ8) >> 6;
    run.lastMid = mid;
}

void AgentMarket::act(InstrumentRun &run)
{
    const std::uint64_t maker = run.makerCount != 0 ? m_options.makerWeight : 0;
    const std::uint64_t passive = m_options.noisePassiveWeight;
    // Cancels speed up as the resting noise orders outgrow their target, which keeps it steady.
    const std::uint64_t cancel =
        std::min<std::uint64_t>((run.noiseOrders.size() * m_cancelWeightPerOrderQ16) >> 16,
                                10ULL * m_options.noiseCancelWeight);
    const std::uint64_t take = m_options.noiseTakeWeight;
    // Momentum and informed traders send immediate-or-cancel orders, which a halted book
    // rejects, so they wait for the reopening.
    const std::uint64_t momentum = run.halted ? 0 : m_options.momentumWeight;
    const std::uint64_t informed =
        run.halted ? 0
                   : m_options.informedWeight +
                         (run.blindArrivals != 0 ? m_options.informedNewsWeight : 0);

    std::uint64_t pick = m_random.below(maker + passive + cancel + take + momentum + informed);
    if (pick < maker) {
        makeMarket(run, m_makers[run.firstMaker + m_random.below(run.makerCount)]);
        return;
    }
    pick -= maker;
    if (pick < passive) {
        addNoiseOrder(run);
        return;
    }
    pick -= passive;
    if (pick < cancel) {
        cancelNoiseOrder(run);
        return;
    }
    pick -= cancel;
    if (pick < take) {
        takeAsNoise(run);
        return;
    }
    pick -= take;
    if (pick < momentum) {
        tradeMomentum(run);
        return;
    }
    tradeInformed(run);
}

std::int64_t AgentMarket::fairValueTicks(std::size_t instrument) const
{
    return m_instruments[instrument].fairValue;
}

std::int64_t AgentMarket::makerEstimateTicks(std::size_t instrument) const
{
    return m_instruments[instrument].fairValue - m_instruments[instrument].unseenNews;
}

const AgentInstrumentStatistics &AgentMarket::statistics(std::size_t instrument) const
{
    return m_instruments[instrument].statistics;
}

void AgentMarket::TradeListener::onEvent(const Event &event)
{
    if (const Trade *trade = std::get_if<Trade>(&event.payload))
        m_market.recordTrade(event, *trade);
}

void AgentMarket::recordTrade(const Event &event, const Trade &trade)
{
    for (std::size_t index = 0; index < m_instruments.size(); ++index) {
        InstrumentRun &run = m_instruments[index];
        if (run.id != event.instrument)
            continue;
        AgentInstrumentStatistics &statistics = run.statistics;
        if (statistics.trades == 0 || trade.price > statistics.highPrice)
            statistics.highPrice = trade.price;
        if (statistics.trades == 0 || trade.price < statistics.lowPrice)
            statistics.lowPrice = trade.price;
        statistics.lastPrice = trade.price;
        ++statistics.trades;
        statistics.volume += trade.quantity;
        addExcitation(index, run.tradeExcitationQ32);
        break;
    }
    addFill(trade.makerAccount, opposite(trade.aggressor), trade.quantity);
    addFill(trade.takerAccount, trade.aggressor, trade.quantity);
}

void AgentMarket::addFill(AccountId account, Side side, Quantity quantity)
{
    const std::uint32_t first = m_options.firstAccount.value();
    if (account.value() < first || account.value() - first >= m_agents.size())
        return;
    AgentState &agent = m_agents[account.value() - first];
    if (side == Side::Buy) {
        agent.position += quantity;
        agent.bought += quantity;
    } else {
        agent.position -= quantity;
        agent.sold += quantity;
    }
}

} // namespace bourse

// The agents' turns in the agent market: market makers, noise traders, momentum traders and
// informed traders. Each turn sends its commands at the arrival's time.

#include "agent_market.h"

#include <algorithm>

namespace bourse {

namespace {

std::int64_t magnitude(std::int64_t value)
{
    return value < 0 ? -value : value;
}

// Keeps a price at least one tick short of the facing best price, so that an order there rests.
std::int64_t restingLimit(Side side, std::int64_t ticks, std::int64_t facingTicks)
{
    return side == Side::Buy ? std::min(ticks, facingTicks - 1) : std::max(ticks, facingTicks + 1);
}

} // namespace

std::int64_t AgentMarket::ticksOf(const InstrumentRun &run, Price price) const
{
    return run.tick == 1 ? price.value() : price.value() / run.tick;
}

OrderId AgentMarket::submitLimit(InstrumentRun &run, Side side, std::int64_t ticks,
                                 Quantity quantity, AccountId account, TimeInForce timeInForce)
{
    const NewOrder order{.side = side,
                         .limit = Price{std::max<std::int64_t>(ticks, 1) * run.tick},
                         .quantity = quantity,
                         .timeInForce = timeInForce,
                         .instrument = run.id,
                         .account = account};
    return m_engine.submit(order, m_time);
}

// --- Market makers

// How much wider than calm the makers quote: with the mid's recent movement and with the news
// they have seen, up to makerMaximumWideningTicks.
std::int64_t AgentMarket::wideningTicks(const InstrumentRun &run) const
{
    const std::int64_t volatilityTicks =
        run.movementQ8 * m_options.volatilityWideningPerMille / (1'000 * 512 * run.tick);
    return std::min(volatilityTicks + (run.newsWideningQ8 >> 8),
                    m_options.makerMaximumWideningTicks) +
           run.droughtWidenTicks;
}

// A maker quotes both sides around its estimate, half a tick plus its half spread away from the
// fair price. The half spread widens with the mid's recent movement and with news the maker
// has seen. The quotes lean against the inventory: at the limit they shift by the spread plus a
// tick, so the side that reduces the inventory is priced through the fair price. A side's size
// never exceeds what would take the inventory to the limit if it filled, so the position stays
// within the limit.
void AgentMarket::makeMarket(InstrumentRun &run, Maker &maker)
{
    const std::int64_t halfSpread =
        run.makerHalfSpreadTicks + maker.extraHalfSpreadTicks + wideningTicks(run);

    const std::int64_t position = m_agents[maker.agent].position.value();
    const std::int64_t limit = run.makerLimit.value();
    const std::int64_t lean = position * (2 * halfSpread + 2) / limit;
    Quantity size = maker.quoteQuantity;
    if (run.droughtPercent != 100) {
        const std::int64_t lot = run.lot.value();
        const std::int64_t lots = size.value() / lot * run.droughtPercent / 100;
        size = Quantity{std::max<std::int64_t>(lots, 1) * lot};
    }
    const std::int64_t estimate = run.fairValue - run.unseenNews;
    const std::int64_t bid = estimate - halfSpread - lean;
    const std::int64_t ask = estimate + 1 + halfSpread - lean;
    const Quantity bidQuantity{std::min(size.value(), limit - position)};
    const Quantity askQuantity{std::min(size.value(), limit + position)};

    // Quotes moving up change the ask first and quotes moving down the bid first, so the
    // maker's new quote never meets its own old one on the other side.
    const Order *current = maker.bid.value() != 0 ? m_engine.findOrder(maker.bid) : nullptr;
    const bool movingUp = current != nullptr && bid * run.tick > current->price.value();
    if (movingUp) {
        quote(run, maker, Side::Sell, ask, askQuantity);
        quote(run, maker, Side::Buy, bid, bidQuantity);
    } else {
        quote(run, maker, Side::Buy, bid, bidQuantity);
        quote(run, maker, Side::Sell, ask, askQuantity);
    }
}

// Places, moves, resizes or withdraws one side's quote. A quote that still shows between half
// and all of the wanted size at the wanted price is left alone, keeping its place in the queue.
void AgentMarket::quote(InstrumentRun &run, Maker &maker, Side side, std::int64_t ticks,
                        Quantity quantity)
{
    OrderId &id = side == Side::Buy ? maker.bid : maker.ask;
    const Order *order = id.value() != 0 ? m_engine.findOrder(id) : nullptr;
    if (quantity <= Quantity{0}) {
        if (order != nullptr)
            m_engine.cancel(id, m_time);
        id = OrderId{};
        return;
    }

    // Makers only provide liquidity: a quote that would cross rests one tick short of the
    // facing best price instead. In a halt they quote where they value the instrument, so
    // quotes that cross stale ones meet in the reopening auction.
    const std::optional<Price> facing = run.book->bestPrice(opposite(side));
    if (facing && !run.halted)
        ticks = restingLimit(side, ticks, ticksOf(run, *facing));
    ticks = std::max<std::int64_t>(ticks, 1);
    const AccountId account = m_agents[maker.agent].account;
    if (order == nullptr) {
        id = submitLimit(run, side, ticks, quantity, account, TimeInForce::Gtc);
        return;
    }

    const Price price{ticks * run.tick};
    const bool keeps = order->price == price && order->remaining <= quantity &&
                       order->remaining.value() * 2 >= quantity.value();
    if (!keeps)
        m_engine.replace(ReplaceOrder{.id = id, .limit = price, .quantity = quantity}, m_time);
}

// --- Noise traders

Quantity AgentMarket::noiseQuantity(InstrumentRun &run)
{
    // The smaller of two uniform draws: small orders are common, large ones rare.
    const auto bound = static_cast<std::uint64_t>(run.noiseMaxLots);
    const std::uint64_t lots = 1 + std::min(m_random.below(bound), m_random.below(bound));
    return Quantity{static_cast<std::int64_t>(lots) * run.lot.value()};
}

// A passive order at an exponential distance, with a mean of noiseDepthTicks, behind the
// innermost maker's quote around the public estimate of the fair value, widened as the makers
// widen: noise traders read the same quotes the makers set, so they are as slow to see news
// and as cautious after it. Now and then one improves the best price of its side instead, when
// the spread has room.
void AgentMarket::addNoiseOrder(InstrumentRun &run)
{
    const Side side = (m_random.next() >> 63) != 0 ? Side::Buy : Side::Sell;
    const std::optional<Price> same = run.book->bestPrice(side);
    const std::optional<Price> facing = run.book->bestPrice(opposite(side));
    const auto depth = std::min(
        static_cast<std::int64_t>(
            (m_random.exponential() * static_cast<std::uint64_t>(m_options.noiseDepthTicks)) >> 32),
        m_options.noiseMaximumDepthTicks);

    const std::int64_t estimate = run.fairValue - run.unseenNews;
    const std::int64_t offset = run.makerHalfSpreadTicks + wideningTicks(run) + depth;
    std::int64_t ticks = side == Side::Buy ? estimate - offset : estimate + 1 + offset;
    const bool roomInside = same && facing && !run.drought &&
                            magnitude(ticksOf(run, *facing) - ticksOf(run, *same)) > 1;
    if (roomInside && m_random.chance(m_improve))
        ticks = ticksOf(run, *same) + (side == Side::Buy ? 1 : -1);
    if (facing)
        ticks = restingLimit(side, ticks, ticksOf(run, *facing));

    const OrderId id =
        submitLimit(run, side, ticks, noiseQuantity(run), AccountId{}, TimeInForce::Gtc);
    trackNoiseOrder(run, id);
}

// Cancels the one of two resting noise orders that lies farther from the mid price, so orders
// left behind by a moving market go first.
void AgentMarket::cancelNoiseOrder(InstrumentRun &run)
{
    OrderId first;
    if (!takeNoiseOrder(run, first)) {
        addNoiseOrder(run);
        return;
    }
    OrderId second = first;
    takeNoiseOrder(run, second);

    const auto distance = [&](OrderId id) {
        return magnitude(2 * m_engine.findOrder(id)->price.value() - run.lastMid);
    };
    m_engine.cancel(distance(second) > distance(first) ? second : first, m_time);
}

// A market order, or a limit order up to noiseThroughTicks past the facing best price whose
// rest stays in the book.
void AgentMarket::takeAsNoise(InstrumentRun &run)
{
    const Side side = (m_random.next() >> 63) != 0 ? Side::Buy : Side::Sell;
    const std::optional<Price> facing = run.book->bestPrice(opposite(side));
    if (!facing) {
        addNoiseOrder(run);
        return;
    }
    const Quantity quantity = noiseQuantity(run);
    // A halted book rejects market orders, so noise traders then send limit orders only.
    if (!run.halted && m_random.chance(m_market)) {
        const NewOrder order{
            .side = side, .quantity = quantity, .type = OrderType::Market, .instrument = run.id};
        m_engine.submit(order, m_time);
        return;
    }

    const auto through = static_cast<std::int64_t>(
        m_random.below(static_cast<std::uint64_t>(m_options.noiseThroughTicks) + 1));
    const std::int64_t ticks = ticksOf(run, *facing) + (side == Side::Buy ? through : -through);
    const OrderId id = submitLimit(run, side, ticks, quantity, AccountId{}, TimeInForce::Gtc);
    const Order *order = m_engine.findOrder(id);
    if (order != nullptr && order->account == AccountId{})
        trackNoiseOrder(run, id);
}

// Picks a random listed noise order that still rests, dropping the listed ones that left.
bool AgentMarket::takeNoiseOrder(InstrumentRun &run, OrderId &id)
{
    std::vector<OrderId> &orders = run.noiseOrders;
    while (!orders.empty()) {
        const std::size_t index = m_random.below(orders.size());
        const Order *order = m_engine.findOrder(orders[index]);
        if (order != nullptr && order->account == AccountId{} && order->instrument == run.id) {
            id = orders[index];
            return true;
        }
        orders[index] = orders.back();
        orders.pop_back();
    }
    return false;
}

// Lists a noise order for later cancels. A full list first drops the orders that left. If it is
// still full, the order is not listed and stays in the book until it trades or a mass cancel
// removes it.
void AgentMarket::trackNoiseOrder(InstrumentRun &run, OrderId id)
{
    std::vector<OrderId> &orders = run.noiseOrders;
    if (orders.size() == orders.capacity()) {
        std::erase_if(orders, [&](OrderId listed) {
            const Order *order = m_engine.findOrder(listed);
            return order == nullptr || order->account != AccountId{} || order->instrument != run.id;
        });
    }
    if (orders.size() < orders.capacity())
        orders.push_back(id);
}

// --- Momentum and informed traders

// Buys while the fast average of the mid is above the slow one by the threshold, sells while
// it is below, with immediate-or-cancel orders a little past the best price, within the
// position limit. Unwinds now and then once the signal is weak.
void AgentMarket::tradeMomentum(InstrumentRun &run)
{
    if (!run.hasMid)
        return;
    const AgentState &agent = m_agents[run.momentum];
    const std::int64_t signal = run.fastMidQ8 - run.slowMidQ8;
    const std::int64_t position = agent.position.value();
    const std::int64_t limit = run.traderLimit.value();
    const std::int64_t slippage = m_options.momentumSlippageTicks;

    if (signal > run.momentumThresholdQ8 && position < limit) {
        const std::optional<Price> ask = run.book->bestPrice(Side::Sell);
        const Quantity quantity{std::min(run.traderQuantity.value(), limit - position)};
        if (ask)
            submitLimit(run, Side::Buy, ticksOf(run, *ask) + slippage, quantity, agent.account,
                        TimeInForce::Ioc);
        return;
    }
    if (signal < -run.momentumThresholdQ8 && position > -limit) {
        const std::optional<Price> bid = run.book->bestPrice(Side::Buy);
        const Quantity quantity{std::min(run.traderQuantity.value(), limit + position)};
        if (bid)
            submitLimit(run, Side::Sell, ticksOf(run, *bid) - slippage, quantity, agent.account,
                        TimeInForce::Ioc);
        return;
    }
    if (magnitude(signal) * 2 < run.momentumThresholdQ8 && position != 0 &&
        m_random.chance(m_unwind))
        unwind(run, agent);
}

// Takes every quote at least informedMarginTicks through the fair price, up to its order size
// and position limit, with an immediate-or-cancel order limited there. Without such quotes it
// unwinds now and then.
void AgentMarket::tradeInformed(InstrumentRun &run)
{
    const AgentState &agent = m_agents[run.informed];
    const std::int64_t position = agent.position.value();
    const std::int64_t limit = run.traderLimit.value();
    const std::int64_t margin = m_options.informedMarginTicks;
    const std::int64_t cheapest = run.fairValue - margin;    // the highest ask worth taking
    const std::int64_t dearest = run.fairValue + 1 + margin; // the lowest bid worth hitting

    const std::optional<Price> ask = run.book->bestPrice(Side::Sell);
    if (ask && ticksOf(run, *ask) <= cheapest && position < limit) {
        const Quantity quantity{std::min(run.traderQuantity.value(), limit - position)};
        submitLimit(run, Side::Buy, cheapest, quantity, agent.account, TimeInForce::Ioc);
        return;
    }
    const std::optional<Price> bid = run.book->bestPrice(Side::Buy);
    if (bid && ticksOf(run, *bid) >= dearest && position > -limit) {
        const Quantity quantity{std::min(run.traderQuantity.value(), limit + position)};
        submitLimit(run, Side::Sell, dearest, quantity, agent.account, TimeInForce::Ioc);
        return;
    }
    if (position != 0 && m_random.chance(m_unwind))
        unwind(run, agent);
}

// Sends an immediate-or-cancel order at the facing best price towards a flat position.
void AgentMarket::unwind(InstrumentRun &run, const AgentState &agent)
{
    const std::int64_t position = agent.position.value();
    const Side side = position > 0 ? Side::Sell : Side::Buy;
    const std::optional<Price> facing = run.book->bestPrice(opposite(side));
    if (!facing)
        return;
    const Quantity quantity{std::min(run.traderQuantity.value(), magnitude(position))};
    submitLimit(run, side, ticksOf(run, *facing), quantity, agent.account, TimeInForce::Ioc);
}

} // namespace bourse

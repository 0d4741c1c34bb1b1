// Continuous matching: fills, self-trade prevention, fill-or-kill, resting, and stop orders.

#include "engine.h"

#include "engine_state.h"

#include <algorithm>

namespace bourse {

using namespace engine_detail;

namespace {

// The worst price an incoming order may fill at: its limit, a market order's protection
// price, or no bound at all.
Price boundOf(const Order &order)
{
    if (order.type != OrderType::Market)
        return order.price;
    if (order.details && order.details->protectionPrice.value() != 0)
        return order.details->protectionPrice;
    return order.side == Side::Buy ? kMaximumPrice : Price{0};
}

} // namespace

// Runs an accepted order (new, triggered, or replaced with a new place) against the book and
// then rests or cancels what is left. While the instrument is not trading, the order rests
// without matching. Returns the prices it traded at, for the stops they may trigger.
Engine::TradeRange Engine::enter(InstrumentState &instrument, Order *order, Timestamp time)
{
    TradeRange range;
    m_tradePrices.clear();
    if (instrument.status == TradingStatus::Trading) {
        const Price bound = boundOf(*order);
        if (order->timeInForce == TimeInForce::Fok && !canFillCompletely(instrument, *order, bound))
            [[unlikely]] {
            cancelEntering(order, CancelReason::FillOrKill, time);
            return range;
        }
        if (!match(instrument, *order, bound, time, range))
            return range;
    }

    if (order->type == OrderType::Market) {
        const bool hasProtection = order->details && order->details->protectionPrice.value() != 0;
        const bool stoppedByProtection =
            hasProtection && instrument.book.bestPrice(opposite(order->side)).has_value();
        cancelEntering(order,
                       stoppedByProtection ? CancelReason::ProtectionLimit : CancelReason::Unfilled,
                       time);
    } else if (order->timeInForce == TimeInForce::Ioc || order->timeInForce == TimeInForce::Fok) {
        cancelEntering(order, CancelReason::Unfilled, time);
    } else {
        rest(instrument, order, time);
    }
    return range;
}

// Fills the incoming order against the best opposite orders, front of each queue first, while
// their price is within its bound. Each fill takes the maker's price. Returns false when the
// taker is gone: filled in full, or cancelled by self-trade prevention.
bool Engine::match(InstrumentState &instrument, Order &taker, Price bound, Timestamp time,
                   TradeRange &range)
{
    const Side makerSide = opposite(taker.side);
    const InstrumentId instrumentId = instrument.definition.id;
    while (true) {
        Order *maker = instrument.book.bestOrder(makerSide);
        if (!maker || !crosses(taker.side, bound, maker->price))
            return true;
        if (maker->account == taker.account && taker.account.value() != 0) [[unlikely]] {
            if (!preventSelfTrade(instrument, taker, *maker, time))
                return false;
            continue;
        }

        const Quantity quantity = min(taker.remaining, maker->remaining);
        const OrderId makerId = maker->id;
        const OrderId takerId = taker.id;
        const Side aggressor = taker.side;
        const Price price = maker->price;
        const Quantity makerRemaining = maker->remaining - quantity;
        const AccountId makerAccount = maker->account;
        const AccountId takerAccount = taker.account;
        // Continuous matching takes queues from the front: ask for the order after the next one
        // now, so that in a deep queue it is in cache by the time it trades.
        if (quantity == maker->remaining && maker->next)
            __builtin_prefetch(maker->next->next);
        recordTrade(instrument, price, range);
        const Taken taken = takeShown(instrument, *maker, quantity);
        taker.remaining -= quantity;
        const bool takerFilled = taker.remaining.value() == 0;
        if (takerFilled)
            destroyOrder(&taker);
        publishNew<Trade>(instrumentId, time, makerId, takerId, aggressor, price, quantity,
                          makerRemaining, makerAccount, takerAccount);
        if (m_openAccounts != 0) [[unlikely]]
            postFills(instrumentId, time,
                      Trade{makerId, takerId, aggressor, price, quantity, makerRemaining,
                            makerAccount, takerAccount});
        if (taken == Taken::Emptied)
            refill(instrument, *maker, time);
        if (takerFilled)
            return false;
    }
}

void Engine::recordTrade(InstrumentState &instrument, Price price, TradeRange &range)
{
    ++m_tradeCount;
    instrument.lastTradePrice = price;
    if (instrument.hasStops() && (m_tradePrices.empty() || m_tradePrices.back() != price))
        m_tradePrices.push_back(price);
    if (!range.traded) {
        range = TradeRange{price, price, true};
        return;
    }
    range.low = std::min(range.low, price);
    range.high = std::max(range.high, price);
}

// Applies the incoming order's self-trade prevention mode to a resting order of its own
// account. Returns whether the incoming order is still live and may keep matching.
bool Engine::preventSelfTrade(InstrumentState &instrument, Order &taker, Order &maker,
                              Timestamp time)
{
    switch (selfTradeMode(taker)) {
    case SelfTradePrevention::CancelOldest:
        cancelResting(instrument, &maker, CancelReason::SelfTrade, time);
        return true;
    case SelfTradePrevention::CancelBoth:
        cancelResting(instrument, &maker, CancelReason::SelfTrade, time);
        cancelEntering(&taker, CancelReason::SelfTrade, time);
        return false;
    case SelfTradePrevention::DecrementAndCancel: {
        const Quantity quantity = min(taker.remaining, totalOf(maker));
        decrement(instrument, maker, quantity, true, time);
        return decrement(instrument, taker, quantity, false, time);
    }
    case SelfTradePrevention::AccountDefault: // resolved by selfTradeMode()
    case SelfTradePrevention::CancelNewest:
        break;
    }
    cancelEntering(&taker, CancelReason::SelfTrade, time);
    return false;
}

// Takes quantity off an order for self-trade prevention, cancelling it when nothing would be
// left. A resting order loses its shown part first and then its reserve, so the remaining
// quantity in OrderReduced is what it still shows. An iceberg left showing nothing refills at
// the back. Returns whether the order is still live.
bool Engine::decrement(InstrumentState &instrument, Order &order, Quantity quantity, bool resting,
                       Timestamp time)
{
    const InstrumentId instrumentId = instrument.definition.id;
    if (quantity >= totalOf(order)) {
        if (resting)
            cancelResting(instrument, &order, CancelReason::SelfTrade, time);
        else
            cancelEntering(&order, CancelReason::SelfTrade, time);
        return false;
    }
    if (!resting) {
        order.remaining -= quantity;
        publish(instrumentId, time,
                OrderReduced{order.id, order.side, order.price, quantity, order.remaining});
        return true;
    }

    const Quantity fromShown = min(quantity, order.remaining);
    if (quantity > fromShown)
        order.details->reserve -= quantity - fromShown;
    const OrderReduced reduced{order.id, order.side, order.price, quantity,
                               order.remaining - fromShown};
    const Taken taken = takeShown(instrument, order, fromShown);
    publish(instrumentId, time, reduced);
    if (taken == Taken::Emptied)
        refill(instrument, order, time);
    return true;
}

// Cancels what is left of an order that is matching and not in the book.
void Engine::cancelEntering(Order *order, CancelReason reason, Timestamp time)
{
    const OrderCancelled cancelled{order->id, order->side, order->price, order->remaining, reason};
    const InstrumentId instrument = order->instrument;
    destroyOrder(order);
    publish(instrument, time, cancelled);
}

void Engine::cancelResting(InstrumentState &instrument, Order *order, CancelReason reason,
                           Timestamp time)
{
    const OrderCancelled cancelled{order->id, order->side, order->price, totalOf(*order), reason};
    instrument.book.remove(order);
    destroyOrder(order);
    publish(instrument.definition.id, time, cancelled);
}

// A dry run of matching for a fill-or-kill order, touching nothing: it walks the crossing
// levels in queue order, refilling icebergs at the back of their level as matching would.
// A resting order of the same account ends the run unless the mode is CancelOldest, whose
// matching would cancel that order, so its quantity does not count.
bool Engine::canFillCompletely(const InstrumentState &instrument, const Order &order, Price bound)
{
    const Side makerSide = opposite(order.side);
    const bool checksAccount = order.account.value() != 0;
    const bool skipsOwn =
        checksAccount && selfTradeMode(order) == SelfTradePrevention::CancelOldest;
    Quantity needed = order.remaining;

    const OrderBook &book = instrument.book;
    for (std::size_t depth = 0; depth < book.levelCount(makerSide); ++depth) {
        const Price price = book.level(makerSide, depth).price;
        if (!crosses(order.side, bound, price))
            return false;

        m_dryRun.clear();
        for (const Order *maker : book.ordersAt(makerSide, price)) {
            m_dryRun.push_back(DryRunOrder{maker->remaining, maker->reserve(),
                                           maker->displayQuantity(),
                                           checksAccount && maker->account == order.account});
        }
        for (std::size_t next = 0; next < m_dryRun.size(); ++next) {
            const DryRunOrder maker = m_dryRun[next];
            if (maker.sameAccount) {
                if (!skipsOwn)
                    return false;
                continue;
            }
            if (needed <= maker.shown)
                return true;
            needed -= maker.shown;
            if (maker.reserve > Quantity{0}) {
                const Quantity shown = min(maker.display, maker.reserve);
                m_dryRun.push_back(DryRunOrder{shown, maker.reserve - shown, maker.display});
            }
        }
    }
    return false;
}

// Puts what is left of an order at the back of its level, an iceberg showing its first slice.
void Engine::rest(InstrumentState &instrument, Order *order, Timestamp time)
{
    const Quantity total = order->remaining;
    const Quantity shown = firstSlice(order->displayQuantity(), total);
    if (shown < total)
        order->details->reserve = total - shown;
    order->remaining = shown;
    instrument.book.add(order);
    if (instrument.status != TradingStatus::Trading)
        instrument.callEntries.push_back(CallEntry{order->id, m_sequence + 1});
    publishNew<OrderAdded>(instrument.definition.id, time, order->id, order->side, order->price,
                           shown, OrderOrigin::OrderEntry);
}

void Engine::park(InstrumentState &instrument, Order *order, Timestamp time)
{
    insertParked(instrument, order, m_sequence + 1);
    publish(instrument.definition.id, time,
            OrderParked{order->id, order->side, order->stopPrice(), order->remaining});
}

namespace {

// Whether a parked stop triggers before another: the nearer stop price first (lower for a
// buy, higher for a sell), then the earlier priority.
bool triggersBefore(Side side, const ParkedStop &a, const ParkedStop &b)
{
    if (a.stopPrice != b.stopPrice)
        return side == Side::Buy ? a.stopPrice < b.stopPrice : a.stopPrice > b.stopPrice;
    return a.priority < b.priority;
}

std::vector<ParkedStop> &stopsOf(InstrumentState &instrument, Side side)
{
    return side == Side::Buy ? instrument.buyStops : instrument.sellStops;
}

} // namespace

void Engine::insertParked(InstrumentState &instrument, Order *order, SequenceNumber priority)
{
    std::vector<ParkedStop> &stops = stopsOf(instrument, order->side);
    const ParkedStop stop{order, order->stopPrice(), priority};
    const auto position =
        std::upper_bound(stops.begin(), stops.end(), stop,
                         [side = order->side](const ParkedStop &a, const ParkedStop &b) {
                             return triggersBefore(side, a, b);
                         });
    stops.insert(position, stop);
}

void Engine::removeParked(InstrumentState &instrument, const Order *order)
{
    std::vector<ParkedStop> &stops = stopsOf(instrument, order->side);
    const auto position = std::find_if(stops.begin(), stops.end(), [order](const ParkedStop &stop) {
        return stop.order == order;
    });
    if (position != stops.end())
        stops.erase(position);
}

// The price of the first trade since m_tradePrices was cleared that reaches a stop price. The
// range covers that trade, so its bound is a fallback that is never used.
Price Engine::triggeringPrice(Side side, Price stopPrice, TradeRange range) const
{
    for (Price price : m_tradePrices) {
        if (reachesStop(side, stopPrice, price))
            return price;
    }
    return side == Side::Buy ? range.high : range.low;
}

// Queues the parked stops a range of trade prices reaches, in priority order behind those
// already waiting. They stay parked until their turn comes.
void Engine::collectTriggered(InstrumentState &instrument, TradeRange range)
{
    const std::size_t first = m_triggered.size();
    for (ParkedStop &stop : instrument.buyStops) {
        if (stop.stopPrice > range.high)
            break;
        if (!stop.triggered) {
            stop.triggered = true;
            const Price price = triggeringPrice(Side::Buy, stop.stopPrice, range);
            m_triggered.push_back(TriggeredStop{stop.order, stop.priority, price});
        }
    }
    for (ParkedStop &stop : instrument.sellStops) {
        if (stop.stopPrice < range.low)
            break;
        if (!stop.triggered) {
            stop.triggered = true;
            const Price price = triggeringPrice(Side::Sell, stop.stopPrice, range);
            m_triggered.push_back(TriggeredStop{stop.order, stop.priority, price});
        }
    }
    std::sort(
        m_triggered.begin() + static_cast<std::ptrdiff_t>(first), m_triggered.end(),
        [](const TriggeredStop &a, const TriggeredStop &b) { return a.priority < b.priority; });
}

// Enters triggered stops one at a time, first in first out. The trades of each may trigger
// more, which queue behind the ones already waiting, so a cascade runs in a fixed order.
void Engine::runTriggeredStops(InstrumentState &instrument, TradeRange range, Timestamp time)
{
    collectTriggered(instrument, range);
    while (m_nextTriggered < m_triggered.size()) {
        const TriggeredStop stop = m_triggered[m_nextTriggered++];
        Order *order = stop.order;
        removeParked(instrument, order);
        order->type = order->type == OrderType::Stop ? OrderType::Market : OrderType::Limit;
        publish(instrument.definition.id, time, StopTriggered{order->id, stop.tradePrice});

        const TradeRange next = enter(instrument, order, time);
        if (next.traded && instrument.hasStops())
            collectTriggered(instrument, next);
    }
    m_triggered.clear();
    m_nextTriggered = 0;
}

} // namespace bourse

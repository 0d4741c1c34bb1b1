// Trading status changes and the auction that uncrosses the book when trading starts.

#include "engine.h"

#include "engine_state.h"

#include <algorithm>

namespace bourse {

using namespace engine_detail;

namespace {

// The status changes setTradingStatus accepts:
//
//   from \ to   Trading  Halted  PreOpen  Closed
//   Trading        -       yes     -       yes
//   Halted        yes       -      -       yes
//   PreOpen       yes      yes     -       yes
//   Closed        yes       -     yes       -
//   QuoteOnly     yes      yes    yes      yes
//
// A call phase (PreOpen) only follows a close; QuoteOnly comes from replayed data and is never
// a target.
bool isAllowedChange(TradingStatus from, TradingStatus to)
{
    if (from == to || to == TradingStatus::QuoteOnly)
        return false;
    switch (to) {
    case TradingStatus::Trading:
    case TradingStatus::Closed:
        return true;
    case TradingStatus::Halted:
        return from != TradingStatus::Closed;
    case TradingStatus::PreOpen:
        return from == TradingStatus::Closed || from == TradingStatus::QuoteOnly;
    case TradingStatus::QuoteOnly:
        break;
    }
    return false;
}

// The whole quantity at one price on one side, icebergs' reserves included.
struct LevelTotal {
    Price price;
    Quantity quantity;
};

// The levels of a side that a price in [low, high] could match, best first, with totals that
// include hidden reserves: in an auction an iceberg takes part with its full size.
std::vector<LevelTotal> crossingLevels(const OrderBook &book, Side side, Price low, Price high)
{
    std::vector<LevelTotal> levels;
    for (std::size_t depth = 0; depth < book.levelCount(side); ++depth) {
        const Price price = book.level(side, depth).price;
        if (price < low || price > high)
            break;
        LevelTotal level{price, Quantity{0}};
        for (const Order *order : book.ordersAt(side, price))
            level.quantity += totalOf(*order);
        levels.push_back(level);
    }
    return levels;
}

struct AuctionPrice {
    Price price;
    Quantity volume;
};

// Demand and supply at every tick price from low to high: one limit price, or the tick prices
// strictly between two neighbouring limit prices, where neither side changes.
struct PriceRange {
    Price low;
    Price high;
    Quantity demand; // buy quantity with a limit at or above each price of the range
    Quantity supply; // sell quantity with a limit at or below each price of the range
};

// The candidate ranges of a crossed book, by ascending price: each distinct limit price of the
// crossing levels, and each open interval between two of them that contains a tick price.
// Between limit prices p < q, demand is the demand at q and supply the supply at p.
std::vector<PriceRange> candidateRanges(const std::vector<LevelTotal> &bids,
                                        const std::vector<LevelTotal> &asks, Price tick)
{
    std::vector<Price> prices;
    for (const auto *levels : {&bids, &asks}) {
        for (const LevelTotal &level : *levels)
            prices.push_back(level.price);
    }
    std::sort(prices.begin(), prices.end());
    prices.erase(std::unique(prices.begin(), prices.end()), prices.end());

    // Supply accumulates upwards over the asks (best, lowest first) and demand downwards over the
    // bids (best, highest first), so both are filled in one pass each.
    std::vector<PriceRange> atPrices(prices.size());
    Quantity supply{0};
    auto ask = asks.begin();
    for (std::size_t i = 0; i < prices.size(); ++i) {
        for (; ask != asks.end() && ask->price <= prices[i]; ++ask)
            supply += ask->quantity;
        atPrices[i] = PriceRange{prices[i], prices[i], Quantity{0}, supply};
    }
    Quantity demand{0};
    auto bid = bids.begin();
    for (std::size_t i = prices.size(); i-- > 0;) {
        for (; bid != bids.end() && bid->price >= prices[i]; ++bid)
            demand += bid->quantity;
        atPrices[i].demand = demand;
    }

    std::vector<PriceRange> ranges;
    for (std::size_t i = 0; i < atPrices.size(); ++i) {
        ranges.push_back(atPrices[i]);
        if (i + 1 == atPrices.size())
            break;
        const std::int64_t step = tick.value();
        const Price firstInside{(atPrices[i].low.value() / step + 1) * step};
        const Price lastInside{(atPrices[i + 1].low.value() - 1) / step * step};
        if (firstInside <= lastInside)
            ranges.push_back(
                PriceRange{firstInside, lastInside, atPrices[i + 1].demand, atPrices[i].supply});
    }
    return ranges;
}

// The tick price of [low, high] nearest the reference, the lower of two equally near. Without a
// reference (zero) it is low. low and high are on the tick grid.
Price nearestTickPrice(Price low, Price high, Price reference, Price tick)
{
    if (reference <= low)
        return low;
    if (reference >= high)
        return high;
    const Price below{reference.value() - reference.value() % tick.value()};
    const Price above{below == reference ? below.value() : below.value() + tick.value()};
    return reference.value() - below.value() <= above.value() - reference.value() ? below : above;
}

// The auction price, over every tick price: the one that maximizes executed volume. Ties go to
// the smallest imbalance between what buyers and sellers offer at the price, then to the price
// nearest the reference price, then to the lower price. The reference is the last trade price,
// or the instrument's reference before the first trade, and the step is skipped without one.
//
// Volume and imbalance only change at limit prices. So each limit price, and each run of tick
// prices between two neighbouring limit prices, is judged as one candidate. Inside a run, the
// tick price nearest the reference stands for it. Prices outside the crossing levels execute
// nothing, since below the best ask nobody sells and above the best bid nobody buys.
AuctionPrice findAuctionPrice(const InstrumentState &instrument)
{
    const OrderBook &book = instrument.book;
    const Price bestBid = *book.bestPrice(Side::Buy);
    const Price bestAsk = *book.bestPrice(Side::Sell);
    const std::vector<LevelTotal> bids = crossingLevels(book, Side::Buy, bestAsk, kMaximumPrice);
    const std::vector<LevelTotal> asks = crossingLevels(book, Side::Sell, Price{0}, bestBid);

    const Price reference = instrument.referencePrice();
    const Price tick = instrument.definition.tickSize;
    const auto distance = [](Price a, Price b) {
        return a > b ? a.value() - b.value() : b.value() - a.value();
    };
    AuctionPrice best{Price{0}, Quantity{-1}};
    Quantity bestImbalance{0};
    // Candidates come by ascending price and only a strictly better one replaces the best, so
    // the lower of two equal candidates stays.
    for (const PriceRange &range : candidateRanges(bids, asks, tick)) {
        const Quantity volume = min(range.demand, range.supply);
        const Quantity imbalance =
            range.demand > range.supply ? range.demand - range.supply : range.supply - range.demand;
        const Price price = nearestTickPrice(range.low, range.high, reference, tick);

        bool better = volume > best.volume;
        if (volume == best.volume) {
            if (imbalance != bestImbalance)
                better = imbalance < bestImbalance;
            else if (reference > Price{0})
                better = distance(price, reference) < distance(best.price, reference);
        }
        if (better) {
            best = AuctionPrice{price, volume};
            bestImbalance = imbalance;
        }
    }
    return best;
}

// The sequence number an order joined the book with during the call phase, or zero for an
// order that rested from before it. The latest entry wins, as a replace that lost priority
// adds the order again.
SequenceNumber entrySequence(const std::vector<CallEntry> &byId, OrderId id)
{
    auto position =
        std::upper_bound(byId.begin(), byId.end(), id,
                         [](OrderId wanted, const CallEntry &entry) { return wanted < entry.id; });
    if (position == byId.begin() || std::prev(position)->id != id)
        return 0;
    return std::prev(position)->sequence;
}

} // namespace

void Engine::setTradingStatus(InstrumentId instrumentId, TradingStatus status, Timestamp time)
{
    expireDue(time);
    InstrumentState *instrument = findInstrument(instrumentId);
    if (!instrument || !isAllowedChange(instrument->status, status)) {
        const RejectReason reason =
            instrument ? RejectReason::InvalidStatusChange : RejectReason::UnknownInstrument;
        reject(instrumentId, time, OrderRejected{OrderId{0}, reason, {}, {}});
        endCommand();
        return;
    }

    const InstrumentId id = instrument->definition.id;
    if (status == TradingStatus::Trading) {
        const TradeRange range = uncross(*instrument, time);
        instrument->status = status;
        instrument->callEntries.clear();
        publish(id, time, TradingStatusChanged{status});
        if (range.traded && instrument->hasStops())
            runTriggeredStops(*instrument, range, time);
    } else {
        instrument->status = status;
        publish(id, time, TradingStatusChanged{status});
        if (status == TradingStatus::Closed)
            expireDayOrders(*instrument, time);
    }
    endCommand();
}

// Runs auction rounds until the book no longer crosses. Without self-trade prevention one
// round always suffices. When self-trade cancels leave other orders crossed, another round
// follows at the price the remaining book gives.
Engine::TradeRange Engine::uncross(InstrumentState &instrument, Timestamp time)
{
    TradeRange range;
    m_tradePrices.clear();
    while (uncrossOnce(instrument, time, range)) {
    }
    return range;
}

// One auction round: AuctionUncrossed, then trades at its single price between the best
// remaining buy and sell, both in price-time priority, until one side no longer crosses it.
// The earlier of two matched orders is the maker; the later one is the aggressor.
//
// In the auction an iceberg takes part with its whole size: its reserve refills at the back of
// its level and keeps matching, as it would have had the orders arrived one by one. Two orders
// of one account are not traded with each other: the later order's self-trade prevention mode
// decides which is cancelled or reduced, as if it had arrived during continuous trading. The
// volume AuctionUncrossed states is what crosses at the price; self-trade prevention can make
// the trades add up to less. Returns whether a round ran.
bool Engine::uncrossOnce(InstrumentState &instrument, Timestamp time, TradeRange &range)
{
    OrderBook &book = instrument.book;
    const std::optional<Price> bestBid = book.bestPrice(Side::Buy);
    const std::optional<Price> bestAsk = book.bestPrice(Side::Sell);
    if (!bestBid || !bestAsk || *bestBid < *bestAsk)
        return false;

    const AuctionPrice auction = findAuctionPrice(instrument);
    const InstrumentId instrumentId = instrument.definition.id;
    publish(instrumentId, time, AuctionUncrossed{auction.price, auction.volume});

    std::vector<CallEntry> byId = instrument.callEntries;
    std::stable_sort(byId.begin(), byId.end(),
                     [](const CallEntry &a, const CallEntry &b) { return a.id < b.id; });
    while (true) {
        Order *buy = book.bestOrder(Side::Buy);
        Order *sell = book.bestOrder(Side::Sell);
        if (!buy || !sell || buy->price < auction.price || sell->price > auction.price)
            break;

        const SequenceNumber buyEntry = entrySequence(byId, buy->id);
        const SequenceNumber sellEntry = entrySequence(byId, sell->id);
        const bool buyIsMaker = buyEntry != sellEntry ? buyEntry < sellEntry : buy->id < sell->id;
        Order &maker = buyIsMaker ? *buy : *sell;
        Order &taker = buyIsMaker ? *sell : *buy;

        if (maker.account == taker.account && taker.account.value() != 0) {
            switch (selfTradeMode(taker)) {
            case SelfTradePrevention::CancelOldest:
                cancelResting(instrument, &maker, CancelReason::SelfTrade, time);
                break;
            case SelfTradePrevention::CancelBoth:
                cancelResting(instrument, &maker, CancelReason::SelfTrade, time);
                cancelResting(instrument, &taker, CancelReason::SelfTrade, time);
                break;
            case SelfTradePrevention::DecrementAndCancel: {
                const Quantity quantity = min(totalOf(maker), totalOf(taker));
                decrement(instrument, maker, quantity, true, time);
                decrement(instrument, taker, quantity, true, time);
                break;
            }
            case SelfTradePrevention::AccountDefault:
            case SelfTradePrevention::CancelNewest:
                cancelResting(instrument, &taker, CancelReason::SelfTrade, time);
                break;
            }
            continue;
        }

        const Quantity quantity = min(maker.remaining, taker.remaining);
        const Trade trade{maker.id,      taker.id,     taker.side,
                          auction.price, quantity,     maker.remaining - quantity,
                          maker.account, taker.account};
        recordTrade(instrument, auction.price, range);
        const Taken makerTaken = takeShown(instrument, maker, quantity);
        const Taken takerTaken = takeShown(instrument, taker, quantity);
        publish(instrumentId, time, trade);
        if (m_openAccounts != 0)
            postFills(instrumentId, time, trade);
        if (makerTaken == Taken::Emptied)
            refill(instrument, maker, time);
        if (takerTaken == Taken::Emptied)
            refill(instrument, taker, time);
    }
    return true;
}

// Cancels the DAY orders of an instrument that closed, resting or parked, by ascending id.
void Engine::expireDayOrders(InstrumentState &instrument, Timestamp time)
{
    std::vector<Order *> expiring;
    m_orders.forEach([&](Order *order) {
        if (order->instrument == instrument.definition.id && order->timeInForce == TimeInForce::Day)
            expiring.push_back(order);
    });
    std::sort(expiring.begin(), expiring.end(),
              [](const Order *a, const Order *b) { return a->id < b->id; });
    for (Order *order : expiring)
        cancelOrder(order, CancelReason::Expired, time);
}

} // namespace bourse

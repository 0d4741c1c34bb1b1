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

// The auction price: the one that maximizes executed volume. Ties go to the price with the
// smallest imbalance between what buyers and sellers offer at it, then to the price closest to
// the reference price (when there is one), then to the lower price. Only prices of crossing
// levels are candidates, as every other price executes no more than the nearest of them.
AuctionPrice findAuctionPrice(const InstrumentState &instrument)
{
    const OrderBook &book = instrument.book;
    const Price bestBid = *book.bestPrice(Side::Buy);
    const Price bestAsk = *book.bestPrice(Side::Sell);
    const std::vector<LevelTotal> bids = crossingLevels(book, Side::Buy, bestAsk, kMaximumPrice);
    const std::vector<LevelTotal> asks = crossingLevels(book, Side::Sell, Price{0}, bestBid);

    std::vector<Price> candidates;
    for (const auto *levels : {&bids, &asks}) {
        for (const LevelTotal &level : *levels)
            candidates.push_back(level.price);
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());

    const Price reference = instrument.referencePrice();
    const auto distance = [](Price a, Price b) {
        return a > b ? a.value() - b.value() : b.value() - a.value();
    };
    AuctionPrice best{Price{0}, Quantity{-1}};
    Quantity bestImbalance{0};
    for (Price price : candidates) {
        Quantity demand{0};
        for (const LevelTotal &bid : bids) {
            if (bid.price >= price)
                demand += bid.quantity;
        }
        Quantity supply{0};
        for (const LevelTotal &ask : asks) {
            if (ask.price <= price)
                supply += ask.quantity;
        }
        const Quantity volume = min(demand, supply);
        const Quantity imbalance = demand > supply ? demand - supply : supply - demand;

        bool better = volume > best.volume;
        if (volume == best.volume) {
            if (imbalance != bestImbalance)
                better = imbalance < bestImbalance;
            else if (reference > Price{0})
                better = distance(price, reference) < distance(best.price, reference);
            // Equal distance, or no reference: the lower price, seen first, stays.
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

#include "replica.h"

#include <string>
#include <type_traits>

namespace bourse::net {

namespace {

// An OrderRefilled follows the event that emptied the slice within the same command, at most
// a trade's two sides later, so a few remembered orders are enough.
constexpr std::size_t kEmptiedMemory = 8;

std::string text(std::int64_t value)
{
    return std::to_string(value);
}

std::string orderText(OrderId id)
{
    return "order " + std::to_string(id.value());
}

} // namespace

std::string describe(StreamKey key)
{
    const char *kind = key.kind == StreamKind::Instrument ? "instrument " : "account ";
    return kind + std::to_string(key.id);
}

InstrumentReplica::InstrumentReplica(InstrumentId instrument)
    : m_id(instrument)
    , m_book(std::make_unique<Engine>(instrument))
{
}

InstrumentReplica::InstrumentReplica(InstrumentReplica &&) noexcept = default;
InstrumentReplica &InstrumentReplica::operator=(InstrumentReplica &&) noexcept = default;
InstrumentReplica::~InstrumentReplica() = default;

std::vector<LevelSummary> InstrumentReplica::levels(Side side) const
{
    const OrderBook &orders = book();
    std::vector<LevelSummary> result;
    result.reserve(orders.levelCount(side));
    for (std::size_t depth = 0; depth < orders.levelCount(side); ++depth)
        result.push_back(orders.level(side, depth));
    return result;
}

TopOfBook InstrumentReplica::topOfBook() const
{
    TopOfBook top{};
    const OrderBook &orders = book();
    if (orders.levelCount(Side::Buy) != 0) {
        const LevelSummary bid = orders.level(Side::Buy, 0);
        top.bidPrice = bid.price;
        top.bidQuantity = bid.quantity;
    }
    if (orders.levelCount(Side::Sell) != 0) {
        const LevelSummary ask = orders.level(Side::Sell, 0);
        top.askPrice = ask.price;
        top.askQuantity = ask.quantity;
    }
    return top;
}

bool InstrumentReplica::fail(const Event &event, std::string reason)
{
    m_mismatch = "event " + std::to_string(event.sequence) + " (" +
                 std::string(nameOf(typeOf(event.payload))) + "): " + std::move(reason);
    return false;
}

bool InstrumentReplica::apply(const Event &event)
{
    if (event.instrument != m_id)
        return fail(event, "names instrument " + std::to_string(event.instrument.value()));

    return std::visit(
        [&](const auto &payload) -> bool {
            using Payload = std::decay_t<decltype(payload)>;
            if constexpr (std::is_same_v<Payload, InstrumentAdded>) {
                if (payload.definition.id != m_id)
                    return fail(event, "defines another instrument");
                m_definition = payload.definition;
                return true;
            } else if constexpr (std::is_same_v<Payload, TradingStatusChanged>) {
                m_book->applyStatus(payload.status, event.time);
                return true;
            } else if constexpr (std::is_same_v<Payload, OrderAdded>) {
                return applyAdded(event, payload);
            } else if constexpr (std::is_same_v<Payload, OrderCancelled>) {
                return applyCancelled(event, payload);
            } else if constexpr (std::is_same_v<Payload, OrderReduced>) {
                return applyReduced(event, payload);
            } else if constexpr (std::is_same_v<Payload, Trade>) {
                return applyTrade(event, payload);
            } else if constexpr (std::is_same_v<Payload, OrderReplaced>) {
                return applyReplaced(event, payload);
            } else if constexpr (std::is_same_v<Payload, OrderRefilled>) {
                return applyRefilled(event, payload);
            } else if constexpr (std::is_same_v<Payload, TopOfBook>) {
                return checkTop(event, payload);
            } else if constexpr (std::is_same_v<Payload, DepthLevel>) {
                return checkDepth(payload) || fail(event, "level totals differ from the book");
            } else {
                // Other events (AuctionUncrossed, or account events a server may add) change
                // nothing in the book.
                return true;
            }
        },
        event.payload);
}

bool InstrumentReplica::applyAdded(const Event &event, const OrderAdded &added)
{
    const ApplyResult result = m_book->applyAdd(added.id, added.side, added.price, added.quantity,
                                                event.time, added.origin);
    if (result != ApplyResult::Applied)
        return fail(event, orderText(added.id) + ": " + std::string(nameOf(result)));
    return true;
}

// A cancel of an order the book does not hold is normal on market data: the rest of an incoming
// order that did not fill, or a parked stop order, neither of which the book shows.
bool InstrumentReplica::applyCancelled(const Event &event, const OrderCancelled &cancelled)
{
    const Order *order = findOrder(cancelled.id);
    if (!order)
        return true;
    if (order->side != cancelled.side || order->price != cancelled.price)
        return fail(event, orderText(cancelled.id) + " rests at another side or price");
    // The cancelled quantity includes an iceberg's reserve, which the book does not show.
    if (cancelled.quantity < order->remaining)
        return fail(event, "cancels " + text(cancelled.quantity.value()) + " of an order showing " +
                               text(order->remaining.value()));
    m_book->applyDelete(cancelled.id, event.time, cancelled.reason);
    return true;
}

// An OrderReduced of an order that is not in the book is self-trade prevention reducing an
// incoming order. For a resting one, `remaining` is what it still shows: the reduction comes
// out of an iceberg's reserve after its shown slice.
bool InstrumentReplica::applyReduced(const Event &event, const OrderReduced &reduced)
{
    const Order *order = findOrder(reduced.id);
    if (!order)
        return true;
    if (order->side != reduced.side || order->price != reduced.price)
        return fail(event, orderText(reduced.id) + " rests at another side or price");
    const Quantity shown = order->remaining;
    const Quantity taken = min(reduced.reducedBy, shown);
    if (taken <= Quantity{0} || reduced.remaining != shown - taken)
        return fail(event, "leaves " + text(reduced.remaining.value()) + " of an order showing " +
                               text(shown.value()));
    if (reduced.remaining == Quantity{0})
        noteEmptied(*order);
    m_book->applyReduce(reduced.id, taken, event.time);
    return true;
}

bool InstrumentReplica::applyTrade(const Event &event, const Trade &trade)
{
    m_lastTrade = LastTrade{trade.price, trade.quantity, event.time};
    // Both order ids zero: a trade against liquidity the book does not show, or a snapshot's
    // record of the last trade price, which has quantity zero.
    if (trade.maker == OrderId{0})
        return true;

    const Order *maker = findOrder(trade.maker);
    if (!maker)
        return fail(event, "maker " + orderText(trade.maker) + " is not in the book");
    if (trade.makerRemaining != maker->remaining - trade.quantity)
        return fail(event, "maker keeps " + text(trade.makerRemaining.value()) + " of " +
                               text(maker->remaining.value()) + " less " +
                               text(trade.quantity.value()));
    if (!takeFromResting(event, trade.maker, trade.quantity))
        return false;

    // In an auction both sides rest, and the trade takes from the taker's shown slice too. In
    // continuous matching the taker is an incoming order, which is not in the book.
    if (findOrder(trade.taker))
        return takeFromResting(event, trade.taker, trade.quantity);
    return true;
}

bool InstrumentReplica::takeFromResting(const Event &event, OrderId id, Quantity quantity)
{
    const Order *order = findOrder(id);
    if (order && order->remaining == quantity)
        noteEmptied(*order);
    const ApplyResult result = m_book->applyExecution(id, quantity, event.time);
    if (result != ApplyResult::Applied)
        return fail(event, orderText(id) + ": " + std::string(nameOf(result)));
    return true;
}

// A replace that keeps priority cuts the size at the same price, from an iceberg's reserve
// first, so the shown slice becomes the smaller of itself and the new size. One that loses
// priority takes the order out of the book; an OrderAdded puts it back unless it trades away.
bool InstrumentReplica::applyReplaced(const Event &event, const OrderReplaced &replaced)
{
    const Order *order = findOrder(replaced.id);
    if (replaced.stopPrice != Price{0}) {
        if (order)
            return fail(event, "replaces a parked stop that rests in the book");
        return true;
    }
    if (!order)
        return fail(event, orderText(replaced.id) + " is not in the book");
    if (order->side != replaced.side || order->price != replaced.previousPrice)
        return fail(event, orderText(replaced.id) + " rests at another side or price");

    if (replaced.priority == QueuePriority::Lost) {
        m_book->applyDelete(replaced.id, event.time, CancelReason::Requested);
        return true;
    }
    if (replaced.price != replaced.previousPrice || replaced.quantity <= Quantity{0})
        return fail(event, "keeps priority with a new price or no quantity");
    const Quantity cut = order->remaining - min(order->remaining, replaced.quantity);
    if (cut > Quantity{0})
        m_book->applyReduce(replaced.id, cut, event.time);
    return true;
}

bool InstrumentReplica::applyRefilled(const Event &event, const OrderRefilled &refilled)
{
    for (auto it = m_emptied.begin(); it != m_emptied.end(); ++it) {
        if (it->id != refilled.id)
            continue;
        if (it->side != refilled.side || it->price != refilled.price)
            return fail(event, orderText(refilled.id) + " emptied at another side or price");
        m_emptied.erase(it);
        return applyAdded(event, OrderAdded{refilled.id, refilled.side, refilled.price,
                                            refilled.displayed, OrderOrigin::OrderEntry});
    }
    return fail(event, orderText(refilled.id) + " did not just show its last lot");
}

void InstrumentReplica::noteEmptied(const Order &order)
{
    if (m_emptied.size() == kEmptiedMemory)
        m_emptied.erase(m_emptied.begin());
    m_emptied.push_back(Emptied{order.id, order.side, order.price});
}

// TopOfBook and DepthLevel are derived from the book after a command, so a correct replica
// shows the same. An empty side has quantity zero, and its price does not count.
bool InstrumentReplica::checkTop(const Event &event, const TopOfBook &top)
{
    const TopOfBook own = topOfBook();
    const bool bidMatches = own.bidQuantity == top.bidQuantity &&
                            (top.bidQuantity == Quantity{0} || own.bidPrice == top.bidPrice);
    const bool askMatches = own.askQuantity == top.askQuantity &&
                            (top.askQuantity == Quantity{0} || own.askPrice == top.askPrice);
    if (bidMatches && askMatches)
        return true;
    return fail(event, "differs from the book's best");
}

bool InstrumentReplica::checkDepth(const DepthLevel &level) const
{
    const Quantity quantity = book().quantityAt(level.side, level.price);
    if (quantity != level.quantity)
        return false;
    return level.quantity == Quantity{0} ||
           book().ordersAt(level.side, level.price).size() == level.orderCount;
}

} // namespace bourse::net

// Order entry: validation, acceptance, cancel, replace, mass cancel and expiry.

#include "engine.h"

#include "engine_state.h"

#include <algorithm>

namespace bourse {

using namespace engine_detail;

namespace {

// Exact product for the band check: a price (up to 10^15) times 10 000, or a reference price
// times a basis-point band (up to 2^32), does not fit in 64 bits.
__extension__ using Wide = __int128;

std::optional<RejectReason> checkQuantity(const InstrumentDefinition &definition, Quantity quantity)
{
    if (quantity <= Quantity{0} || quantity > kMaximumQuantity)
        return RejectReason::InvalidQuantity;
    if (definition.lotSize.value() != 1 && quantity.value() % definition.lotSize.value() != 0)
        return RejectReason::QuantityNotOnLot;
    if (quantity < definition.minimumQuantity)
        return RejectReason::BelowMinimumQuantity;
    if (quantity > definition.maximumQuantity)
        return RejectReason::AboveMaximumQuantity;
    return std::nullopt;
}

bool isOnTick(const InstrumentDefinition &definition, Price price)
{
    return definition.tickSize.value() == 1 || price.value() % definition.tickSize.value() == 0;
}

bool isPriceInRange(Price price)
{
    return price > Price{0} && price <= kMaximumPrice;
}

} // namespace

OrderAccepted engine_detail::acceptedFrom(const NewOrder &order, OrderId id)
{
    const bool hasLimit = order.type == OrderType::Limit || order.type == OrderType::StopLimit;
    const bool entersAsMarket = order.type == OrderType::Market || order.type == OrderType::Stop;
    const bool isIceberg =
        order.displayQuantity > Quantity{0} && order.displayQuantity < order.quantity;

    OrderAccepted accepted{};
    accepted.id = id;
    accepted.side = order.side;
    accepted.type = order.type;
    accepted.limit = hasLimit ? order.limit : Price{};
    accepted.quantity = order.quantity;
    accepted.account = order.account;
    accepted.clientOrderId = order.clientOrderId;
    accepted.timeInForce = order.timeInForce;
    accepted.liquidity = order.liquidity;
    accepted.selfTradePrevention = order.selfTradePrevention;
    accepted.stopPrice = isStop(order.type) ? order.stopPrice : Price{};
    accepted.displayQuantity = isIceberg ? order.displayQuantity : Quantity{};
    accepted.protectionPrice = entersAsMarket ? order.protectionPrice : Price{};
    accepted.expiry = order.timeInForce == TimeInForce::Gtd ? order.expiry : Timestamp{};
    return accepted;
}

namespace {

// Whether a price lies within the instrument's band around its reference price. With no band
// configured, or no reference yet, every price does.
bool isWithinBand(const InstrumentState &instrument, Price price)
{
    const std::uint32_t band = instrument.definition.priceBandBasisPoints;
    const Price reference = instrument.referencePrice();
    if (band == 0 || reference <= Price{0})
        return true;
    const Wide distance = Wide{price.value()} - Wide{reference.value()};
    const Wide magnitude = distance < 0 ? -distance : distance;
    return magnitude * 10'000 <= Wide{reference.value()} * Wide{band};
}

// Always inlined: it runs on every limit order, and its checks are a few comparisons.
[[gnu::always_inline]] inline std::optional<RejectReason>
checkPrice(const InstrumentState &instrument, Price price)
{
    if (!isPriceInRange(price))
        return RejectReason::InvalidPrice;
    if (!isOnTick(instrument.definition, price))
        return RejectReason::PriceNotOnTick;
    if (!isWithinBand(instrument, price))
        return RejectReason::OutsidePriceBand;
    return std::nullopt;
}

// A stop price must be valid, on tick, inside the band, and not yet reached by the last trade:
// a stop that would trigger at once is rejected rather than entered as a surprise market order.
std::optional<RejectReason> checkStopPrice(const InstrumentState &instrument, Side side,
                                           Price stopPrice)
{
    if (!isPriceInRange(stopPrice) || !isOnTick(instrument.definition, stopPrice))
        return RejectReason::InvalidStopPrice;
    if (!isWithinBand(instrument, stopPrice))
        return RejectReason::OutsidePriceBand;
    if (instrument.lastTradePrice > Price{0} &&
        reachesStop(side, stopPrice, instrument.lastTradePrice))
        return RejectReason::InvalidStopPrice;
    return std::nullopt;
}

bool isCallPhase(TradingStatus status)
{
    return status == TradingStatus::PreOpen || status == TradingStatus::Halted;
}

// Whether an order is a GTC limit order with no display size or liquidity instruction, on an
// instrument that is trading: the order most commands carry, which submitPlainLimit() handles.
bool isPlainLimit(const InstrumentState &instrument, const NewOrder &order)
{
    return order.type == OrderType::Limit && order.timeInForce == TimeInForce::Gtc &&
           order.liquidity == Liquidity::Any && order.displayQuantity == Quantity{0} &&
           instrument.status == TradingStatus::Trading;
}

} // namespace

// Checks a new order in this order: instrument and status, quantity, prices, display size,
// time in force and expiry, post-only, and auction restrictions. The conditions the book
// decides come last: no liquidity for a market order, a post-only order that would trade.
// The caller checks for duplicate ids.
//
// Time in force: a market order may be GTC or IOC (the same thing for an order that never
// rests) or FOK; DAY and GTD are rejected because they promise a lifetime it cannot have. Stop
// orders take every time in force: DAY and GTD bound how long they stay parked, and IOC and FOK
// apply once they trigger.
std::optional<RejectReason> Engine::validate(const InstrumentState *instrument,
                                             const NewOrder &order, Timestamp time) const
{
    if (!instrument)
        return RejectReason::UnknownInstrument;

    // A plain limit order needs only its quantity and price checked: every other check below
    // passes for it.
    if (isPlainLimit(*instrument, order)) {
        if (auto reason = checkQuantity(instrument->definition, order.quantity))
            return reason;
        return checkPrice(*instrument, order.limit);
    }

    if (instrument->status == TradingStatus::Closed)
        return RejectReason::InstrumentClosed;
    if (instrument->status == TradingStatus::QuoteOnly)
        return RejectReason::TradingHalted;
    if (auto reason = checkQuantity(instrument->definition, order.quantity))
        return reason;

    const bool hasLimit = order.type == OrderType::Limit || order.type == OrderType::StopLimit;
    const bool entersAsMarket = order.type == OrderType::Market || order.type == OrderType::Stop;
    if (hasLimit) {
        if (auto reason = checkPrice(*instrument, order.limit))
            return reason;
    }
    if (isStop(order.type)) {
        if (auto reason = checkStopPrice(*instrument, order.side, order.stopPrice))
            return reason;
    }
    if (entersAsMarket && order.protectionPrice != Price{0}) {
        if (!isPriceInRange(order.protectionPrice))
            return RejectReason::InvalidPrice;
        if (!isOnTick(instrument->definition, order.protectionPrice))
            return RejectReason::PriceNotOnTick;
    }

    const bool neverRests =
        order.timeInForce == TimeInForce::Ioc || order.timeInForce == TimeInForce::Fok;
    if (order.displayQuantity != Quantity{0}) {
        const std::int64_t lot = instrument->definition.lotSize.value();
        if (order.displayQuantity < Quantity{0} || order.displayQuantity > order.quantity ||
            order.displayQuantity.value() % lot != 0 || entersAsMarket || neverRests)
            return RejectReason::InvalidDisplayQuantity;
    }

    switch (order.timeInForce) {
    case TimeInForce::Gtc:
    case TimeInForce::Ioc:
    case TimeInForce::Fok:
        break;
    case TimeInForce::Day:
        if (order.type == OrderType::Market)
            return RejectReason::InvalidTimeInForce;
        break;
    case TimeInForce::Gtd:
        if (order.type == OrderType::Market)
            return RejectReason::InvalidTimeInForce;
        if (order.expiry <= time)
            return RejectReason::InvalidExpiry;
        break;
    default:
        return RejectReason::InvalidTimeInForce;
    }

    // A stop enters while the market moves through its stop price, when the engine can no
    // longer reject it for taking liquidity, so only plain limit orders can be post-only.
    if (order.liquidity == Liquidity::PostOnly) {
        if (order.type != OrderType::Limit)
            return RejectReason::WouldTakeLiquidity;
        if (neverRests)
            return RejectReason::InvalidTimeInForce;
    }
    if (isCallPhase(instrument->status) && !isStop(order.type) &&
        (order.type == OrderType::Market || neverRests))
        return RejectReason::NotAllowedInAuction;

    if (order.type == OrderType::Market || order.liquidity == Liquidity::PostOnly) {
        const std::optional<Price> facing = instrument->book.bestPrice(opposite(order.side));
        if (order.type == OrderType::Market && !facing)
            return RejectReason::NoLiquidity;
        if (order.liquidity == Liquidity::PostOnly && facing &&
            crosses(order.side, order.limit, *facing))
            return RejectReason::WouldTakeLiquidity;
    }
    return std::nullopt;
}

// Creates the live order an OrderAccepted describes, in the state it enters with: its whole
// quantity shown, nothing in reserve yet, and records its client order id's answer, which the
// OrderAccepted about to be published (or restored) carries. Returns nullptr when the id is
// live. The engine and restore both build orders here, so both reach the same state.
Order *Engine::createOrder(const OrderAccepted &accepted, InstrumentId instrument)
{
    Order *order = m_orders.create(accepted.id);
    if (!order)
        return nullptr;
    order->side = accepted.side;
    order->type = accepted.type;
    order->price = accepted.limit;
    order->remaining = accepted.quantity;
    order->account = accepted.account;
    order->instrument = instrument;
    order->timeInForce = accepted.timeInForce;
    order->selfTradePrevention = accepted.selfTradePrevention;

    const bool hasDetails = accepted.clientOrderId.value() != 0 ||
                            accepted.displayQuantity.value() != 0 ||
                            accepted.stopPrice.value() != 0 ||
                            accepted.protectionPrice.value() != 0 || accepted.expiry.value() != 0;
    if (hasDetails) {
        OrderDetails &details = m_orders.details(order);
        details.clientOrderId = accepted.clientOrderId;
        details.displayQuantity = accepted.displayQuantity;
        details.stopPrice = accepted.stopPrice;
        details.limit = accepted.type == OrderType::StopLimit ? accepted.limit : Price{};
        details.protectionPrice = accepted.protectionPrice;
        details.expiry = accepted.expiry;
    }
    if (accepted.clientOrderId.value() != 0)
        recordAnswer(accepted.account, accepted.clientOrderId, accepted.id,
                     fingerprintOf(accepted, instrument), 0);
    if (accepted.liquidity == Liquidity::PostOnly)
        m_postOnlyOrders.insert(0, accepted.id.value());
    m_highestOrderId = std::max(m_highestOrderId, accepted.id.value());
    if (accepted.timeInForce == TimeInForce::Gtd)
        trackExpiry(*order);
    return order;
}

void Engine::trackExpiry(const Order &order)
{
    if (order.timeInForce != TimeInForce::Gtd)
        return;
    m_expiries.push_back(ExpiryEntry{order.expiry(), order.id});
    std::push_heap(m_expiries.begin(), m_expiries.end(), std::greater<>{});

    // Entries of orders that left stay until they come up. Past twice the live orders, the
    // heap is rebuilt from the live GTD orders, so it cannot grow without bound.
    if (m_expiries.size() <= 2 * m_orders.size() + 1024)
        return;
    m_expiries.clear();
    m_orders.forEach([this](const Order *live) {
        if (live->timeInForce == TimeInForce::Gtd)
            m_expiries.push_back(ExpiryEntry{live->expiry(), live->id});
    });
    std::make_heap(m_expiries.begin(), m_expiries.end(), std::greater<>{});
}

// A repeated client order id is answered before anything else, as it must change nothing.
// Past that check, the order's client order id is new, and its answer is recorded below.
OrderId Engine::submit(const NewOrder &request, Timestamp time)
{
    if (request.clientOrderId.value() != 0) {
        if (const std::optional<OrderId> answered = answerIfRepeat(request, time))
            return *answered;
    }

    expireDue(time);
    const OrderId id = enterOrder(request, time, RiskGate::Checked);
    endCommand();
    return id;
}

// Validates, checks and enters one order. Orders of an account that is not open meet no risk
// rule, and neither do the engine's own closing orders (RiskGate::Bypassed).
OrderId Engine::enterOrder(const NewOrder &request, Timestamp time, RiskGate gate)
{
    const OrderId id = request.id.value() != 0 ? request.id : OrderId{m_highestOrderId + 1};
    InstrumentState *instrument = findInstrument(request.instrument);
    const bool riskChecked =
        gate == RiskGate::Checked && m_openAccounts != 0 && m_risk.tracks(request.account);
    if (!riskChecked && instrument && isPlainLimit(*instrument, request) &&
        submitPlainLimit(*instrument, request, id, time)) [[likely]]
        return id;
    enterGeneral(request, instrument, id, time,
                 riskChecked ? RiskGate::Checked : RiskGate::Bypassed);
    return id;
}

// The general path of enterOrder(), kept out of line so that a plain limit order does not
// pay for its stack frame. The gate is enterOrder()'s decision: Checked runs the risk checks.
void Engine::enterGeneral(const NewOrder &request, InstrumentState *instrument, OrderId id,
                          Timestamp time, RiskGate gate)
{
    const bool riskChecked = gate == RiskGate::Checked;
    const std::optional<RejectReason> reason = validate(instrument, request, time);
    const OrderAccepted accepted = acceptedFrom(request, id);
    if (!reason && riskChecked) {
        const RiskDecision decision = m_risk.check(accepted, instrument->definition.id, time);
        if (!decision.passed()) [[unlikely]] {
            rejectForRisk(accepted, instrument->definition.id, decision, time);
            return;
        }
    }
    Order *order = reason ? nullptr : createOrder(accepted, instrument->definition.id);
    if (!order) {
        const RejectReason rejection = reason.value_or(RejectReason::DuplicateOrderId);
        if (request.clientOrderId.value() != 0)
            recordAnswer(request.account, request.clientOrderId, id, 0,
                         static_cast<std::uint8_t>(rejection));
        reject(request.instrument, time,
               OrderRejected{id, rejection, request.clientOrderId, request.account});
        return;
    }

    publish(instrument->definition.id, time, accepted);
    if (isStop(request.type)) {
        park(*instrument, order, time);
    } else {
        const TradeRange range = enter(*instrument, order, time);
        if (range.traded && instrument->hasStops())
            runTriggeredStops(*instrument, range, time);
    }
}

// The whole life of a plain limit order on arrival, as submit(), validate() and enter() would
// run it, without the branches for what such an order cannot have. Returns false, having
// changed nothing, when the order would be rejected: the general path then names the reason.
bool Engine::submitPlainLimit(InstrumentState &instrument, const NewOrder &request, OrderId id,
                              Timestamp time)
{
    if (checkQuantity(instrument.definition, request.quantity) ||
        checkPrice(instrument, request.limit))
        return false;
    Order *order = m_orders.create(id);
    if (!order)
        return false;

    order->side = request.side;
    order->price = request.limit;
    order->remaining = request.quantity;
    order->account = request.account;
    order->instrument = instrument.definition.id;
    order->selfTradePrevention = request.selfTradePrevention;
    if (request.clientOrderId.value() != 0) {
        m_orders.details(order).clientOrderId = request.clientOrderId;
        recordAccepted(request, id, instrument.definition.id);
    }
    m_highestOrderId = std::max(m_highestOrderId, id.value());

    publishFilled<OrderAccepted>(instrument.definition.id, time, [&](OrderAccepted &accepted) {
        accepted.id = id;
        accepted.side = request.side;
        accepted.type = OrderType::Limit;
        accepted.limit = request.limit;
        accepted.quantity = request.quantity;
        accepted.account = request.account;
        accepted.clientOrderId = request.clientOrderId;
        accepted.selfTradePrevention = request.selfTradePrevention;
    });

    // Most limit orders do not reach the other side's best price, so they rest without calling
    // match().
    TradeRange range;
    bool rests = true;
    if (instrument.book.reaches(order->side, order->price)) {
        m_tradePrices.clear();
        rests = match(instrument, *order, order->price, time, range);
    }
    if (rests) {
        instrument.book.add(order);
        publishNew<OrderAdded>(instrument.definition.id, time, id, order->side, order->price,
                               order->remaining, OrderOrigin::OrderEntry);
    }
    if (range.traded && instrument.hasStops()) [[unlikely]]
        runTriggeredStops(instrument, range, time);
    return true;
}

void Engine::cancel(OrderId id, Timestamp time)
{
    expireDue(time);
    if (Order *order = m_orders.find(id))
        cancelOrder(order, CancelReason::Requested, time);
    else
        reject(m_instrument, time, OrderRejected{id, RejectReason::UnknownOrder, {}, {}});
    endCommand();
}

// Cancels a live order in any state: resting (with an iceberg's reserve) or parked.
void Engine::cancelOrder(Order *order, CancelReason reason, Timestamp time)
{
    InstrumentState &instrument = *findInstrument(order->instrument);
    const OrderId id = order->id;
    const Side side = order->side;
    const Price price = order->price;
    const Quantity quantity = totalOf(*order);
    if (isStop(order->type))
        removeParked(instrument, order);
    else
        instrument.book.remove(order);
    destroyOrder(order);
    publishNew<OrderCancelled>(instrument.definition.id, time, id, side, price, quantity, reason);
}

void Engine::replace(const ReplaceOrder &request, Timestamp time)
{
    expireDue(time);
    Order *order = m_orders.find(request.id);
    if (!order) {
        reject(m_instrument, time, OrderRejected{request.id, RejectReason::UnknownOrder, {}, {}});
        endCommand();
        return;
    }

    InstrumentState &instrument = *findInstrument(order->instrument);
    const bool parked = isStop(order->type);
    const Price price = request.limit.value() != 0 ? request.limit : order->price;
    const Price stopPrice = !parked                          ? Price{0}
                            : request.stopPrice.value() != 0 ? request.stopPrice
                                                             : order->stopPrice();

    if (auto reason = validateReplace(instrument, *order, request, price, stopPrice)) {
        reject(order->instrument, time,
               OrderRejected{order->id, *reason, order->clientOrderId(), order->account});
    } else if (!replacePassesRisk(*order, price, stopPrice, request.quantity, time)) {
        // The rejection is published.
    } else if (parked) {
        replaceParked(instrument, order, price, stopPrice, request.quantity, time);
    } else {
        replaceResting(instrument, order, price, request.quantity, time);
    }
    endCommand();
}

// A replace may not reopen what a closed or replayed session forbids, and the new values pass
// the checks a new order's would. A price the replace keeps is not checked again: it was valid
// when it was set, and the band may have moved with the trades since, but a size cut or
// increase must not fail for that. A post-only order that would trade after losing its place is
// rejected, so it keeps resting where it was.
//
// A replace may not ask for what the order cannot have, because "replaced" would then report a
// change that did not happen. A stop price for an order that is not a parked stop order is
// rejected as InvalidStopPrice. A limit price for a Stop order, which enters as a market order,
// is rejected as InvalidPrice.
std::optional<RejectReason> Engine::validateReplace(const InstrumentState &instrument,
                                                    const Order &order, const ReplaceOrder &replace,
                                                    Price price, Price stopPrice) const
{
    if (instrument.status == TradingStatus::Closed)
        return RejectReason::InstrumentClosed;
    if (instrument.status == TradingStatus::QuoteOnly)
        return RejectReason::TradingHalted;
    if (replace.stopPrice.value() != 0 && !isStop(order.type))
        return RejectReason::InvalidStopPrice;
    if (replace.limit.value() != 0 && order.type == OrderType::Stop)
        return RejectReason::InvalidPrice;
    if (auto reason = checkQuantity(instrument.definition, replace.quantity))
        return reason;
    if (order.type != OrderType::Stop && price != order.price) {
        if (auto reason = checkPrice(instrument, price))
            return reason;
    }
    if (isStop(order.type)) {
        if (stopPrice == order.stopPrice())
            return std::nullopt;
        return checkStopPrice(instrument, order.side, stopPrice);
    }

    const bool losesPlace = price != order.price || replace.quantity > totalOf(order);
    if (losesPlace && isPostOnly(order)) {
        const std::optional<Price> facing = instrument.book.bestPrice(opposite(order.side));
        if (facing && crosses(order.side, price, *facing))
            return RejectReason::WouldTakeLiquidity;
    }
    return std::nullopt;
}

// A size cut at the same price keeps the order's place, taking an iceberg's reserve first so
// the shown slice stays as long as it can. A new price or a larger size sends the order back
// through matching and then to the back of its level.
void Engine::replaceResting(InstrumentState &instrument, Order *order, Price price,
                            Quantity quantity, Timestamp time)
{
    const Price previousPrice = order->price;
    const Quantity total = totalOf(*order);
    if (price == previousPrice && quantity <= total) {
        Quantity cut = total - quantity;
        if (order->details) {
            const Quantity fromReserve = min(cut, order->details->reserve);
            order->details->reserve -= fromReserve;
            cut -= fromReserve;
        }
        if (cut > Quantity{0})
            instrument.book.reduce(order, cut);
        publish(instrument.definition.id, time,
                OrderReplaced{order->id, order->side, previousPrice, price, quantity, Price{},
                              QueuePriority::Kept});
        return;
    }

    instrument.book.remove(order);
    order->price = price;
    order->remaining = quantity;
    if (order->details)
        order->details->reserve = Quantity{0};
    publish(instrument.definition.id, time,
            OrderReplaced{order->id, order->side, previousPrice, price, quantity, Price{},
                          QueuePriority::Lost});
    const TradeRange range = enter(instrument, order, time);
    if (range.traded && instrument.hasStops())
        runTriggeredStops(instrument, range, time);
}

// A parked order's priority is its place among the stops one trade triggers. A new stop or
// limit price, or a larger size, moves it behind the stops parked before the replace.
void Engine::replaceParked(InstrumentState &instrument, Order *order, Price price, Price stopPrice,
                           Quantity quantity, Timestamp time)
{
    const Price previousPrice = order->price;
    const bool losesPlace =
        price != previousPrice || stopPrice != order->stopPrice() || quantity > order->remaining;
    if (losesPlace)
        removeParked(instrument, order);

    OrderDetails &details = m_orders.details(order);
    details.stopPrice = stopPrice;
    if (order->type == OrderType::StopLimit)
        details.limit = price;
    order->price = price;
    order->remaining = quantity;
    if (losesPlace)
        insertParked(instrument, order, m_sequence + 1);
    publish(instrument.definition.id, time,
            OrderReplaced{order->id, order->side, previousPrice, price, quantity, stopPrice,
                          losesPlace ? QueuePriority::Lost : QueuePriority::Kept});
}

// Orders are cancelled by ascending id, so the events do not depend on how the store happens
// to lay out its index.
std::size_t Engine::massCancel(const MassCancel &scope, Timestamp time)
{
    expireDue(time);
    if (scope.instrument.value() != 0 && !findInstrument(scope.instrument)) {
        reject(scope.instrument, time,
               OrderRejected{OrderId{0}, RejectReason::UnknownInstrument, {}, scope.account});
        endCommand();
        return 0;
    }

    std::vector<Order *> matching;
    m_orders.forEach([&](Order *order) {
        const bool accountMatches = scope.account.value() == 0 || order->account == scope.account;
        const bool instrumentMatches =
            scope.instrument.value() == 0 || order->instrument == scope.instrument;
        if (accountMatches && instrumentMatches)
            matching.push_back(order);
    });
    std::sort(matching.begin(), matching.end(),
              [](const Order *a, const Order *b) { return a->id < b->id; });
    for (Order *order : matching)
        cancelOrder(order, CancelReason::MassCancel, time);
    endCommand();
    return matching.size();
}

void Engine::advanceTime(Timestamp time)
{
    expireDue(time);
    endCommand();
}

// Cancels the GTD orders whose expiry is at or before the time, earliest expiry first and by id
// among equal expiries.
void Engine::expireOrders(Timestamp time)
{
    while (!m_expiries.empty() && m_expiries.front().expiry <= time) {
        std::pop_heap(m_expiries.begin(), m_expiries.end(), std::greater<>{});
        const ExpiryEntry entry = m_expiries.back();
        m_expiries.pop_back();
        Order *order = m_orders.find(entry.id);
        if (order && order->timeInForce == TimeInForce::Gtd && order->expiry() == entry.expiry)
            cancelOrder(order, CancelReason::Expired, time);
    }
}

} // namespace bourse

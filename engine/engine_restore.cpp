// Recovery: rebuilding the engine from its recorded events.
//
// Restoring event N leaves the engine in the state the original engine was in when it
// published event N, so stateHash() can be compared event by event. Each event is checked
// against the state before anything changes.

#include "engine.h"

#include "engine_state.h"

namespace bourse {

using namespace engine_detail;

namespace {

bool isQuantityInRange(Quantity quantity)
{
    return quantity > Quantity{0} && quantity <= kMaximumQuantity;
}

bool isPriceInRange(Price price)
{
    return price > Price{0} && price <= kMaximumPrice;
}

// Whether taking quantity off an order's shown part leaves what a recorded event states.
bool takes(const Order &order, Quantity quantity, Quantity remaining)
{
    return quantity > Quantity{0} && quantity <= order.remaining &&
           order.remaining - quantity == remaining;
}

} // namespace

RestoreResult Engine::restore(const Event &event)
{
    if (event.sequence != m_sequence + 1)
        return RestoreResult::OutOfSequence;
    const RestoreResult result = restorePayload(event);
    if (result != RestoreResult::Restored)
        return result;
    m_sequence = event.sequence;
    // The risk state follows the events as it does when they are published; alerts come from
    // the journal, so none are computed here.
    if (m_openAccounts != 0) {
        m_risk.apply(event);
        m_risk.forgetChanges();
    }
    return result;
}

RestoreResult Engine::restorePayload(const Event &event)
{
    const EventPayload &payload = event.payload;
    if (const auto *added = std::get_if<InstrumentAdded>(&payload))
        return restoreInstrument(*added);
    if (const auto *account = std::get_if<AccountConfigured>(&payload)) {
        setAccount(*account);
        return RestoreResult::Restored;
    }
    if (const auto *opened = std::get_if<AccountOpened>(&payload))
        return restoreAccountOpened(*opened);
    if (std::holds_alternative<RiskLimitsSet>(payload) ||
        std::holds_alternative<KillSwitchChanged>(payload) ||
        std::holds_alternative<RiskRejected>(payload) || std::holds_alternative<RiskAlert>(payload))
        return restoreRisk(event);
    // A rejection changes only the record of a client order id, and derived market data is
    // rebuilt, not restored.
    if (const auto *rejected = std::get_if<OrderRejected>(&payload))
        return restoreRejected(*rejected);
    if (!isStateChange(typeOf(payload)))
        return RestoreResult::Restored;

    if (!findInstrument(event.instrument))
        return RestoreResult::WrongInstrument;
    if (const auto *accepted = std::get_if<OrderAccepted>(&payload))
        return restoreAccepted(event, *accepted);
    if (const auto *added = std::get_if<OrderAdded>(&payload))
        return restoreAdded(event, *added);
    if (const auto *trade = std::get_if<Trade>(&payload))
        return restoreTrade(event, *trade);
    if (const auto *status = std::get_if<TradingStatusChanged>(&payload))
        return restoreStatus(event, *status);
    if (const auto *parked = std::get_if<OrderParked>(&payload))
        return restoreParked(event, *parked);
    if (const auto *replaced = std::get_if<OrderReplaced>(&payload))
        return restoreReplaced(event, *replaced);
    if (const auto *posted = std::get_if<FillPosted>(&payload))
        return restoreFillPosted(event, *posted);
    if (std::holds_alternative<AuctionUncrossed>(payload))
        return RestoreResult::Restored; // its trades follow as events of their own

    // The remaining events name a live order of the event's instrument.
    OrderId id;
    std::visit(
        [&id](const auto &named) {
            if constexpr (requires { named.id; })
                id = named.id;
        },
        payload);
    const Order *order = m_orders.find(id);
    if (!order)
        return RestoreResult::UnknownOrder;
    if (order->instrument != event.instrument)
        return RestoreResult::WrongInstrument;
    if (const auto *cancelled = std::get_if<OrderCancelled>(&payload))
        return restoreCancelled(*cancelled);
    if (const auto *reduced = std::get_if<OrderReduced>(&payload))
        return restoreReduced(*reduced);
    if (const auto *triggered = std::get_if<StopTriggered>(&payload))
        return restoreTriggered(*triggered);
    if (const auto *refilled = std::get_if<OrderRefilled>(&payload))
        return restoreRefilled(*refilled);
    return RestoreResult::Restored;
}

RestoreResult Engine::restoreInstrument(const InstrumentAdded &added)
{
    if (added.definition.id.value() != 0 && findInstrument(added.definition.id))
        return RestoreResult::DuplicateInstrument;
    if (!isValidDefinition(added.definition))
        return RestoreResult::InvalidInstrument;
    addInstrumentState(added.definition);
    return RestoreResult::Restored;
}

RestoreResult Engine::restoreAccepted(const Event &event, const OrderAccepted &accepted)
{
    if (m_entering)
        return RestoreResult::WrongOrderState;
    if (!isQuantityInRange(accepted.quantity))
        return RestoreResult::QuantityMismatch;
    const bool hasLimit =
        accepted.type == OrderType::Limit || accepted.type == OrderType::StopLimit;
    if (hasLimit && !isPriceInRange(accepted.limit))
        return RestoreResult::InvalidPrice;
    if (isStop(accepted.type) && !isPriceInRange(accepted.stopPrice))
        return RestoreResult::InvalidPrice;
    // createOrder() records the client order id's answer. Journals of builds that freed a
    // client order id once its order left may accept a recorded id again: the later answer
    // then replaces the record.
    Order *order = createOrder(accepted, event.instrument);
    if (!order)
        return RestoreResult::DuplicateOrderId;
    m_entering = order;
    return RestoreResult::Restored;
}

// An OrderAdded rests the entering order, or adds an order that replayed market data states.
RestoreResult Engine::restoreAdded(const Event &event, const OrderAdded &added)
{
    InstrumentState &instrument = *findInstrument(event.instrument);
    if (m_entering && m_entering->id == added.id) {
        Order &order = *m_entering;
        if (order.instrument != event.instrument)
            return RestoreResult::WrongInstrument;
        if (isStop(order.type) || order.side != added.side || order.price != added.price)
            return RestoreResult::WrongOrderState;
        const Quantity shown = firstSlice(order.displayQuantity(), order.remaining);
        if (added.quantity != shown)
            return RestoreResult::QuantityMismatch;

        if (shown < order.remaining)
            m_orders.details(&order).reserve = order.remaining - shown;
        order.remaining = shown;
        m_entering = nullptr;
    } else {
        if (!isQuantityInRange(added.quantity))
            return RestoreResult::QuantityMismatch;
        if (!isPriceInRange(added.price))
            return RestoreResult::InvalidPrice;
        Order *order = m_orders.create(added.id);
        if (!order)
            return RestoreResult::DuplicateOrderId;
        order->side = added.side;
        order->price = added.price;
        order->remaining = added.quantity;
        order->instrument = event.instrument;
        order->origin = added.origin;
        m_highestOrderId = std::max(m_highestOrderId, added.id.value());
    }

    Order *order = m_orders.find(added.id);
    instrument.book.add(order);
    if (instrument.status != TradingStatus::Trading)
        instrument.callEntries.push_back(CallEntry{added.id, event.sequence});
    return RestoreResult::Restored;
}

RestoreResult Engine::restoreCancelled(const OrderCancelled &cancelled)
{
    Order *order = m_orders.find(cancelled.id);
    InstrumentState &instrument = *findInstrument(order->instrument);
    const bool entering = order == m_entering;
    const bool parked = !entering && isStop(order->type);
    if (!entering && !parked && order->remaining == Quantity{0})
        return RestoreResult::WrongOrderState; // an emptied iceberg waits for its refill
    const Quantity expected = entering || parked ? order->remaining : totalOf(*order);
    if (cancelled.quantity != expected)
        return RestoreResult::QuantityMismatch;

    if (parked)
        removeParked(instrument, order);
    else if (!entering)
        instrument.book.remove(order);
    if (entering)
        m_entering = nullptr;
    destroyOrder(order);
    return RestoreResult::Restored;
}

// The same rule as Engine::decrement() and the replayed reductions. A resting order loses its
// shown part first, then its reserve. An order that is still entering loses remaining quantity.
RestoreResult Engine::restoreReduced(const OrderReduced &reduced)
{
    Order *order = m_orders.find(reduced.id);
    if (order == m_entering) {
        if (reduced.reducedBy <= Quantity{0} || reduced.reducedBy >= order->remaining ||
            order->remaining - reduced.reducedBy != reduced.remaining)
            return RestoreResult::QuantityMismatch;
        order->remaining = reduced.remaining;
        return RestoreResult::Restored;
    }
    if (isStop(order->type) || order->remaining == Quantity{0})
        return RestoreResult::WrongOrderState;

    const Quantity fromShown = min(reduced.reducedBy, order->remaining);
    const Quantity fromReserve = reduced.reducedBy - fromShown;
    if (!takes(*order, fromShown, reduced.remaining) || fromReserve > order->reserve())
        return RestoreResult::QuantityMismatch;
    if (fromReserve > Quantity{0})
        order->details->reserve -= fromReserve;
    takeShown(*findInstrument(order->instrument), *order, fromShown);
    return RestoreResult::Restored;
}

// A trade takes from its maker, which rests, and from its taker, which is either the entering
// order or, in an auction, another resting order.
RestoreResult Engine::restoreTrade(const Event &event, const Trade &trade)
{
    InstrumentState &instrument = *findInstrument(event.instrument);
    const auto isResting = [this](const Order *order) {
        return order != m_entering && !isStop(order->type) && order->remaining > Quantity{0};
    };

    Order *maker = nullptr;
    if (trade.maker.value() != 0) {
        maker = m_orders.find(trade.maker);
        if (!maker)
            return RestoreResult::UnknownOrder;
        if (maker->instrument != event.instrument)
            return RestoreResult::WrongInstrument;
        if (!isResting(maker))
            return RestoreResult::WrongOrderState;
        if (!takes(*maker, trade.quantity, trade.makerRemaining))
            return RestoreResult::QuantityMismatch;
    }
    Order *taker = nullptr;
    if (trade.taker.value() != 0) {
        taker = m_orders.find(trade.taker);
        if (!taker)
            return RestoreResult::UnknownOrder;
        if (taker->instrument != event.instrument)
            return RestoreResult::WrongInstrument;
        if (taker != m_entering && !isResting(taker))
            return RestoreResult::WrongOrderState;
        if (trade.quantity <= Quantity{0} || trade.quantity > taker->remaining)
            return RestoreResult::QuantityMismatch;
    }

    if (maker)
        takeShown(instrument, *maker, trade.quantity);
    if (taker == m_entering && taker) {
        taker->remaining -= trade.quantity;
        if (taker->remaining == Quantity{0}) {
            destroyOrder(taker);
            m_entering = nullptr;
        }
    } else if (taker) {
        takeShown(instrument, *taker, trade.quantity);
    }
    ++m_tradeCount;
    instrument.lastTradePrice = trade.price;
    return RestoreResult::Restored;
}

RestoreResult Engine::restoreStatus(const Event &event, const TradingStatusChanged &changed)
{
    InstrumentState &instrument = *findInstrument(event.instrument);
    instrument.status = changed.status;
    if (changed.status == TradingStatus::Trading)
        instrument.callEntries.clear();
    return RestoreResult::Restored;
}

RestoreResult Engine::restoreParked(const Event &event, const OrderParked &parked)
{
    Order *order = m_entering;
    if (!order || order->id != parked.id || !isStop(order->type) ||
        order->stopPrice() != parked.stopPrice)
        return RestoreResult::WrongOrderState;
    if (order->instrument != event.instrument)
        return RestoreResult::WrongInstrument;
    if (order->remaining != parked.quantity)
        return RestoreResult::QuantityMismatch;
    insertParked(*findInstrument(event.instrument), order, event.sequence);
    m_entering = nullptr;
    return RestoreResult::Restored;
}

// The same rules as replaceResting() and replaceParked(), read from the event.
RestoreResult Engine::restoreReplaced(const Event &event, const OrderReplaced &replaced)
{
    Order *order = m_orders.find(replaced.id);
    if (!order)
        return RestoreResult::UnknownOrder;
    if (order->instrument != event.instrument)
        return RestoreResult::WrongInstrument;
    if (!isQuantityInRange(replaced.quantity))
        return RestoreResult::QuantityMismatch;
    if (order == m_entering || (!isStop(order->type) && order->remaining == Quantity{0}))
        return RestoreResult::WrongOrderState;
    if (order->price != replaced.previousPrice)
        return RestoreResult::WrongOrderState;
    const bool lost = replaced.priority == QueuePriority::Lost;
    InstrumentState &instrument = *findInstrument(event.instrument);

    if (isStop(order->type)) {
        if (!isPriceInRange(replaced.stopPrice) ||
            (order->type == OrderType::StopLimit && !isPriceInRange(replaced.price)))
            return RestoreResult::InvalidPrice;
        if (lost)
            removeParked(instrument, order);
        OrderDetails &details = m_orders.details(order);
        details.stopPrice = replaced.stopPrice;
        if (order->type == OrderType::StopLimit)
            details.limit = replaced.price;
        order->price = replaced.price;
        order->remaining = replaced.quantity;
        if (lost)
            insertParked(instrument, order, event.sequence);
        return RestoreResult::Restored;
    }

    if (!isPriceInRange(replaced.price))
        return RestoreResult::InvalidPrice;
    if (!lost) {
        if (replaced.price != order->price || replaced.quantity > totalOf(*order))
            return RestoreResult::QuantityMismatch;
        Quantity cut = totalOf(*order) - replaced.quantity;
        if (order->details) {
            const Quantity fromReserve = min(cut, order->details->reserve);
            order->details->reserve -= fromReserve;
            cut -= fromReserve;
        }
        if (cut > Quantity{0})
            instrument.book.reduce(order, cut);
        return RestoreResult::Restored;
    }
    if (m_entering)
        return RestoreResult::WrongOrderState;
    instrument.book.remove(order);
    order->price = replaced.price;
    order->remaining = replaced.quantity;
    if (order->details)
        order->details->reserve = Quantity{0};
    m_entering = order;
    return RestoreResult::Restored;
}

RestoreResult Engine::restoreTriggered(const StopTriggered &triggered)
{
    Order *order = m_orders.find(triggered.id);
    if (!isStop(order->type) || m_entering)
        return RestoreResult::WrongOrderState;
    removeParked(*findInstrument(order->instrument), order);
    order->type = order->type == OrderType::Stop ? OrderType::Market : OrderType::Limit;
    m_entering = order;
    return RestoreResult::Restored;
}

RestoreResult Engine::restoreRefilled(const OrderRefilled &refilled)
{
    Order *order = m_orders.find(refilled.id);
    const bool emptied = order != m_entering && !isStop(order->type) &&
                         order->remaining == Quantity{0} && order->reserve() > Quantity{0};
    if (!emptied)
        return RestoreResult::WrongOrderState;
    const Quantity shown = min(order->displayQuantity(), order->reserve());
    if (refilled.displayed != shown || refilled.reserve != order->reserve() - shown)
        return RestoreResult::QuantityMismatch;
    showNextSlice(*findInstrument(order->instrument), *order);
    return RestoreResult::Restored;
}

RestoreResult Engine::restoreAccountOpened(const AccountOpened &opened)
{
    if (m_portfolio.openAccount(opened.settings, opened.openingBalance) != PortfolioResult::Ok)
        return RestoreResult::InvalidAccount;
    if (m_openAccounts == 0) {
        for (const auto &state : m_instrumentStates)
            m_risk.setReferencePrice(state->definition.id, state->referencePrice());
    }
    ++m_openAccounts;
    return RestoreResult::Restored;
}

// The risk events change only the risk state, which restore() applies once this accepts them.
// The OrderRejected that follows a RiskRejected records the rejection of its client order id.
RestoreResult Engine::restoreRisk(const Event &event)
{
    // Events that did not come through the codec may carry any byte in an enum.
    const auto validRule = [](RiskRule rule) {
        return rule != RiskRule::None && rule <= RiskRule::OutOfRange;
    };
    if (const auto *set = std::get_if<RiskLimitsSet>(&event.payload)) {
        return m_risk.validate(event.instrument, *set) == RiskUpdateResult::Ok
                   ? RestoreResult::Restored
                   : RestoreResult::InvalidRiskLimits;
    }
    if (const auto *changed = std::get_if<KillSwitchChanged>(&event.payload)) {
        const bool known =
            changed->account.value() == 0 ? m_openAccounts != 0 : m_risk.tracks(changed->account);
        const bool valid = changed->scope <= KillSwitchScope::Flatten;
        return known && valid ? RestoreResult::Restored : RestoreResult::InvalidRiskLimits;
    }
    if (const auto *rejected = std::get_if<RiskRejected>(&event.payload)) {
        const bool valid = validRule(rejected->rule) && rejected->scope <= LimitScope::Global &&
                           rejected->killSwitch <= KillSwitchScope::Flatten &&
                           rejected->unit <= RiskUnit::Count;
        return m_risk.tracks(rejected->account) && valid ? RestoreResult::Restored
                                                         : RestoreResult::InvalidRiskLimits;
    }
    const RiskAlert &alert = std::get<RiskAlert>(event.payload);
    const bool instrumentKnown = event.instrument.value() == 0 || findInstrument(event.instrument);
    const bool valid = validRule(alert.rule) && alert.scope <= LimitScope::Global &&
                       alert.level <= RiskAlertLevel::Breach && instrumentKnown;
    return m_risk.tracks(alert.account) && valid ? RestoreResult::Restored
                                                 : RestoreResult::InvalidRiskLimits;
}

// Posts the fill the event records after checking, on a preview, that posting it gives the
// recorded fee, realized P&L, cash balance and position. The trade it belongs to came before.
RestoreResult Engine::restoreFillPosted(const Event &event, const FillPosted &posted)
{
    if (posted.instrument != event.instrument)
        return RestoreResult::WrongInstrument;
    if (posted.tradeSequence == 0 || posted.tradeSequence >= event.sequence)
        return RestoreResult::FillMismatch;
    const Fill fill{posted.tradeSequence, posted.account,  posted.instrument, posted.side,
                    posted.price,         posted.quantity, posted.role};
    const PostedFill preview = m_portfolio.preview(fill);
    if (preview.result != PortfolioResult::Ok || preview.fee != posted.fee ||
        preview.realizedProfitAndLoss != posted.realizedProfitAndLoss)
        return RestoreResult::FillMismatch;

    const Checked<Money> balance =
        addMoney(m_portfolio.account(posted.account)->balance, preview.cashChange);
    const Position *before = m_portfolio.position(posted.account, posted.instrument);
    const Quantity held = before ? before->quantity : Quantity{0};
    const Quantity after =
        posted.side == Side::Buy ? held + posted.quantity : held - posted.quantity;
    if (!balance.ok() || balance.value != posted.cashBalance || after != posted.position)
        return RestoreResult::FillMismatch;

    m_portfolio.post(fill);
    return RestoreResult::Restored;
}

} // namespace bourse

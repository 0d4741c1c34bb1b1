// Pre-trade risk in the engine: limit commands, the kill switch, the checks of a replace,
// checkOrder() and the alerts after each command (engine.h).

#include "engine_state.h"

#include <algorithm>

namespace bourse {

using namespace engine_detail;

namespace {

RiskRejected riskRejectedOf(const OrderAccepted &order, const RiskDecision &decision)
{
    RiskRejected rejected;
    rejected.id = order.id;
    rejected.account = order.account;
    rejected.clientOrderId = order.clientOrderId;
    rejected.rule = decision.rule;
    rejected.scope = decision.scope;
    rejected.killSwitch = decision.killSwitch;
    rejected.unit = decision.unit;
    rejected.decimals = decision.decimals;
    rejected.side = decision.side;
    rejected.current = decision.current;
    rejected.working = decision.working;
    rejected.order = decision.order;
    rejected.wouldBe = decision.wouldBe;
    rejected.limit = decision.limit;
    return rejected;
}

RejectReason rejectReasonOf(const RiskDecision &decision)
{
    return decision.rule == RiskRule::KillSwitch ? RejectReason::KillSwitchEngaged
                                                 : RejectReason::RiskLimit;
}

RejectReason rejectReasonOf(RiskUpdateResult result)
{
    switch (result) {
    case RiskUpdateResult::UnknownAccount:
        return RejectReason::InvalidAccount;
    case RiskUpdateResult::UnknownInstrument:
        return RejectReason::UnknownInstrument;
    default:
        return RejectReason::InvalidRiskLimits;
    }
}

// The protection price of a closing order: `basisPoints` of the reference away from it, against
// the order, and on the tick grid inside that distance.
Price protectionFor(Side side, Price reference, std::int64_t basisPoints, Price tick)
{
    const detail::Int128 distance = detail::Int128{reference.value()} * basisPoints / 10'000;
    const std::int64_t step = std::max<std::int64_t>(tick.value(), 1);
    if (side == Side::Buy) {
        const auto limit = static_cast<std::int64_t>(
            std::min<detail::Int128>(reference.value() + distance, kMaximumPrice.value()));
        return Price{limit / step * step};
    }
    const auto limit = static_cast<std::int64_t>(reference.value() - distance);
    const std::int64_t rounded = (limit + step - 1) / step * step;
    return Price{std::max(rounded, step)};
}

} // namespace

// A client order id's ClientOrderAnswer names the OrderRejected, as restore() records it, so it
// is recorded after the RiskRejected is published.
void Engine::rejectForRisk(const OrderAccepted &order, InstrumentId instrument,
                           const RiskDecision &decision, Timestamp time)
{
    const RejectReason reason = rejectReasonOf(decision);
    publish(instrument, time, riskRejectedOf(order, decision));
    if (order.clientOrderId.value() != 0)
        recordAnswer(order.account, order.clientOrderId, order.id, 0,
                     static_cast<std::uint8_t>(reason));
    reject(instrument, time, OrderRejected{order.id, reason, order.clientOrderId, order.account});
}

// A size cut at the same prices only lowers risk, so it passes even with a kill switch
// engaged. Any other replace of a tracked order is checked for what it adds. An order of an open
// account that is not tracked, because it was placed before the account opened, meets only the
// kill switch.
bool Engine::replacePassesRisk(const Order &order, Price price, Price stopPrice, Quantity quantity,
                               Timestamp time)
{
    if (m_openAccounts == 0 || !m_risk.tracks(order.account))
        return true;
    // replace() passes a stop price of zero for an order that is not parked, a triggered stop
    // order included, which keeps its old stop price in its details.
    const bool samePrices =
        price == order.price && (stopPrice.value() == 0 || stopPrice == order.stopPrice());
    if (samePrices && quantity <= totalOf(order))
        return true;

    const TrackedOrder *tracked = m_risk.order(order.id);
    RiskDecision decision;
    if (tracked == nullptr) {
        decision = m_risk.checkKillSwitch(order.account);
    } else {
        Price valuation = tracked->valuation;
        if (tracked->valuedAtStop && stopPrice.value() != 0)
            valuation = stopPrice;
        else if (!tracked->valuedAtStop && !tracked->valuedAtProtection && price > Price{0})
            valuation = price;
        decision = m_risk.checkReplace(*tracked, valuation, quantity, time);
    }
    if (decision.passed())
        return true;

    OrderAccepted named;
    named.id = order.id;
    named.account = order.account;
    named.clientOrderId = order.clientOrderId();
    const RejectReason reason = rejectReasonOf(decision);
    publish(order.instrument, time, riskRejectedOf(named, decision));
    reject(order.instrument, time,
           OrderRejected{order.id, reason, order.clientOrderId(), order.account});
    return false;
}

void Engine::setRiskLimits(AccountId account, const RiskLimits &limits, Timestamp time)
{
    setRiskOverrides(account, InstrumentId{}, limits, 0, time);
}

void Engine::setRiskOverrides(AccountId account, InstrumentId instrument, const RiskLimits &limits,
                              std::uint16_t overridden, Timestamp time)
{
    expireDue(time);
    const RiskLimitsSet set{account, limits, overridden};
    const RiskUpdateResult result = m_risk.validate(instrument, set);
    if (result == RiskUpdateResult::Ok)
        publish(instrument, time, set);
    else
        reject(instrument, time, OrderRejected{OrderId{0}, rejectReasonOf(result), {}, account});
    endCommand();
}

std::optional<RejectReason> Engine::checkKillSwitchTarget(AccountId account) const
{
    if (m_openAccounts == 0 || (account.value() != 0 && !m_risk.tracks(account)))
        return RejectReason::InvalidAccount;
    return std::nullopt;
}

void Engine::engageKillSwitch(AccountId account, KillSwitchScope scope, Timestamp time)
{
    expireDue(time);
    std::optional<RejectReason> reason = checkKillSwitchTarget(account);
    if (!reason && scope == KillSwitchScope::None)
        reason = RejectReason::InvalidRiskLimits;
    if (reason) {
        reject(InstrumentId{}, time, OrderRejected{OrderId{0}, *reason, {}, account});
        endCommand();
        return;
    }

    const KillSwitchScope current =
        account.value() == 0 ? m_risk.globalKillSwitch() : m_risk.killSwitch(account);
    publish(InstrumentId{}, time, KillSwitchChanged{account, std::max(current, scope)});
    if (scope >= KillSwitchScope::CancelAll)
        cancelForKillSwitch(account, time);
    if (scope == KillSwitchScope::Flatten)
        closePositions(account, time);
    endCommand();
}

void Engine::resetKillSwitch(AccountId account, Timestamp time)
{
    expireDue(time);
    if (const std::optional<RejectReason> reason = checkKillSwitchTarget(account)) {
        reject(InstrumentId{}, time, OrderRejected{OrderId{0}, *reason, {}, account});
    } else {
        publish(InstrumentId{}, time, KillSwitchChanged{account, KillSwitchScope::None});
    }
    endCommand();
}

// Every live order of the covered accounts, by ascending id, tracked or not: an order placed
// before its account opened is cancelled too.
void Engine::cancelForKillSwitch(AccountId account, Timestamp time)
{
    std::vector<Order *> covered;
    m_orders.forEach([&](Order *order) {
        const bool matches =
            account.value() == 0 ? m_risk.tracks(order->account) : order->account == account;
        if (matches)
            covered.push_back(order);
    });
    std::sort(covered.begin(), covered.end(),
              [](const Order *a, const Order *b) { return a->id < b->id; });
    for (Order *order : covered)
        cancelOrder(order, CancelReason::KillSwitch, time);
}

// One market order per nonzero position, by account and then instrument, each protected so that
// a thin book cannot fill it at any price. Without a reference price, the best opposite price
// is used instead; with neither, there is nothing to trade against and the position stays.
void Engine::closePositions(AccountId account, Timestamp time)
{
    // The references are taken before the first closing order trades, so that each closing
    // order is protected from the market as it was, not from the previous one's fills.
    std::vector<std::optional<Price>> references;
    for (const auto &state : m_instrumentStates) {
        std::optional<Price> reference;
        if (state->referencePrice() > Price{0})
            reference = state->referencePrice();
        references.push_back(reference);
    }

    for (const AccountId covered : m_risk.accountsCoveredBy(account)) {
        for (std::size_t index = 0; index < m_instrumentStates.size(); ++index) {
            const InstrumentState &state = *m_instrumentStates[index];
            const InstrumentId instrument = state.definition.id;
            const Position *position = m_portfolio.position(covered, instrument);
            if (position == nullptr || position->quantity == Quantity{0})
                continue;

            const Side side = position->quantity > Quantity{0} ? Side::Sell : Side::Buy;
            std::optional<Price> reference = references[index];
            if (!reference)
                reference = state.book.bestPrice(opposite(side));
            if (!reference)
                continue;
            std::int64_t band = kClosingProtectionBasisPoints;
            if (state.definition.priceBandBasisPoints != 0)
                band = std::min<std::int64_t>(band, state.definition.priceBandBasisPoints);

            NewOrder closing;
            closing.side = side;
            closing.type = OrderType::Market;
            closing.protectionPrice =
                protectionFor(side, *reference, band, state.definition.tickSize);
            closing.instrument = instrument;
            closing.account = covered;

            // A position above the instrument's maximum order size closes in several orders.
            const std::int64_t lot = std::max<std::int64_t>(state.definition.lotSize.value(), 1);
            const std::int64_t largest =
                std::max<std::int64_t>(state.definition.maximumQuantity.value() / lot * lot, lot);
            std::int64_t left = position->quantity > Quantity{0} ? position->quantity.value()
                                                                 : -position->quantity.value();
            const std::int64_t minimum = state.definition.minimumQuantity.value();
            while (left > 0) {
                std::int64_t size = std::min(left, largest);
                // Leave the last order at least the minimum size: 205 with sizes 10 to 100
                // closes as 100, 95 and 10, not 100, 100 and 5.
                const std::int64_t rest = left - size;
                if (rest > 0 && rest < minimum)
                    size -= (minimum - rest + lot - 1) / lot * lot;
                closing.quantity = Quantity{size};
                left -= size;
                enterOrder(closing, time, RiskGate::Bypassed);
            }
        }
    }
}

void Engine::forgetOrderRateTimesAfter(Timestamp time)
{
    m_risk.forgetOrderRateTimesAfter(time);
}

OrderCheck Engine::checkOrder(const NewOrder &request, Timestamp time) const
{
    OrderCheck result;
    const InstrumentState *instrument = findInstrument(request.instrument);
    if (request.clientOrderId.value() != 0 &&
        m_clientOrders.find(request.account, request.clientOrderId) != nullptr) {
        result.reason = RejectReason::DuplicateClientOrderId;
        return result;
    }
    result.reason = validate(instrument, request, time);
    if (result.reason || m_openAccounts == 0 || !m_risk.tracks(request.account))
        return result;
    const OrderId id = request.id.value() != 0 ? request.id : OrderId{m_highestOrderId + 1};
    result.risk = m_risk.check(acceptedFrom(request, id), instrument->definition.id, time);
    if (!result.risk.passed())
        result.reason = rejectReasonOf(result.risk);
    return result;
}

RiskMonitor Engine::riskMonitor(AccountId account, Timestamp time) const
{
    return m_risk.monitor(account, time);
}

void Engine::publishRiskAlerts()
{
    m_risk.alerts(m_alerts);
    for (const auto &[instrument, alert] : m_alerts)
        publish(instrument, m_risk.lastEventTime(), alert);
}

} // namespace bourse

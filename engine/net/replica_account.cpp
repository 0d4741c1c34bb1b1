#include "replica.h"

#include <cstdlib>
#include <string>
#include <type_traits>

namespace bourse::net {

namespace {

std::string orderText(OrderId id)
{
    return "order " + std::to_string(id.value());
}

template <typename Item>
void keepRecent(std::vector<Item> &items, const Item &item)
{
    if (items.size() == AccountReplica::kRecentLimit)
        items.erase(items.begin());
    items.push_back(item);
}

Money plus(Money a, Money b)
{
    return Money{a.value() + b.value()};
}

// The basis cost's units: price units times quantity units times this, so that the average
// stays exact to 10^-9 of a price unit when a reduce scales the basis down.
constexpr detail::Int128 kCostScale = 1'000'000'000;

// Moves the basis of a position by a fill of `change` (signed: positive buys) at `price`. A fill
// that adds adds its cost, and one that reduces scales the basis down at the same average. One
// that reverses starts a new basis at its price, and one that leaves it flat clears it.
void moveBasis(PositionView &view, Quantity change, Price price)
{
    const std::int64_t before = view.position.value();
    const std::int64_t after = before + change.value();
    const detail::Int128 fillCost = static_cast<detail::Int128>(price.value()) * kCostScale;
    if (after == 0) {
        view.basisCost = 0;
        view.basisQuantity = 0;
    } else if (before == 0 || (before > 0) == (change.value() > 0)) {
        view.basisCost += fillCost * std::llabs(change.value());
        view.basisQuantity += std::llabs(change.value());
    } else if ((before > 0) == (after > 0)) {
        view.basisCost = view.basisCost * std::llabs(after) / view.basisQuantity;
        view.basisQuantity = std::llabs(after);
    } else {
        view.basisCost = fillCost * std::llabs(after);
        view.basisQuantity = std::llabs(after);
    }
    view.averagePrice = Price{};
    if (view.basisQuantity != 0) {
        // Rounded half to even, as the portfolio rounds its own average.
        const AveragePrice average{view.basisCost, view.basisQuantity * kCostScale};
        view.averagePrice = Price{roundAveragePrice(average, 0).value};
    }
}

} // namespace

AccountReplica::AccountReplica(AccountId account)
    : m_id(account)
{
}

bool AccountReplica::fail(const Event &event, std::string reason)
{
    m_mismatch = "event " + std::to_string(event.sequence) + " (" +
                 std::string(nameOf(typeOf(event.payload))) + "): " + std::move(reason);
    return false;
}

WorkingOrder *AccountReplica::findOrder(const Event &event, OrderId id)
{
    auto it = m_orders.find(id);
    if (it != m_orders.end())
        return &it->second;
    fail(event, orderText(id) + " is not a working order of the account");
    return nullptr;
}

bool AccountReplica::apply(const Event &event)
{
    return std::visit(
        [&](const auto &payload) -> bool {
            using Payload = std::decay_t<decltype(payload)>;
            if constexpr (std::is_same_v<Payload, AccountOpened>) {
                if (payload.settings.id != m_id || m_terms)
                    return fail(event, "opens another account, or this one again");
                m_terms = payload;
                m_cash = payload.openingBalance;
                return true;
            } else if constexpr (std::is_same_v<Payload, OrderAccepted>) {
                return applyAccepted(event, payload);
            } else if constexpr (std::is_same_v<Payload, OrderRejected>) {
                keepRecent(m_rejections, payload);
                return true;
            } else if constexpr (std::is_same_v<Payload, OrderAdded>) {
                WorkingOrder *order = findOrder(event, payload.id);
                if (order)
                    order->price = payload.price;
                return order &&
                       applyState(event, payload.id, WorkingState::Entering, WorkingState::Resting);
            } else if constexpr (std::is_same_v<Payload, OrderParked>) {
                WorkingOrder *order = findOrder(event, payload.id);
                if (order)
                    order->stopPrice = payload.stopPrice;
                return order &&
                       applyState(event, payload.id, WorkingState::Entering, WorkingState::Parked);
            } else if constexpr (std::is_same_v<Payload, StopTriggered>) {
                return applyState(event, payload.id, WorkingState::Parked, WorkingState::Entering);
            } else if constexpr (std::is_same_v<Payload, OrderRefilled>) {
                return applyState(event, payload.id, WorkingState::Resting, WorkingState::Resting);
            } else if constexpr (std::is_same_v<Payload, OrderCancelled>) {
                return applyCancelled(event, payload);
            } else if constexpr (std::is_same_v<Payload, OrderReduced>) {
                return applyReduced(event, payload);
            } else if constexpr (std::is_same_v<Payload, OrderReplaced>) {
                return applyReplaced(event, payload);
            } else if constexpr (std::is_same_v<Payload, Trade>) {
                return applyTrade(event, payload);
            } else if constexpr (std::is_same_v<Payload, FillPosted>) {
                return applyFill(event, payload);
            } else if constexpr (std::is_same_v<Payload, RiskLimitsSet>) {
                if (payload.account != m_id)
                    return fail(event, "sets the limits of another account");
                m_limits[event.instrument] = payload;
                return true;
            } else if constexpr (std::is_same_v<Payload, KillSwitchChanged>) {
                if (payload.account == m_id)
                    m_killSwitch = payload.scope;
                else if (payload.account == AccountId{0})
                    m_globalKillSwitch = payload.scope;
                else
                    return fail(event, "changes the kill switch of another account");
                return true;
            } else if constexpr (std::is_same_v<Payload, RiskRejected>) {
                keepRecent(m_riskRejections, payload);
                return true;
            } else {
                // Market data and alerts change nothing that the replica keeps.
                return true;
            }
        },
        event.payload);
}

bool AccountReplica::applyAccepted(const Event &event, const OrderAccepted &accepted)
{
    if (accepted.account != m_id)
        return fail(event, orderText(accepted.id) + " belongs to another account");
    WorkingOrder order{accepted,       event.instrument,   WorkingState::Entering,
                       accepted.limit, accepted.stopPrice, accepted.quantity};
    if (!m_orders.emplace(accepted.id, order).second)
        return fail(event, orderText(accepted.id) + " is working already");
    return true;
}

bool AccountReplica::applyState(const Event &event, OrderId id, WorkingState from, WorkingState to)
{
    WorkingOrder *order = findOrder(event, id);
    if (!order)
        return false;
    if (order->state != from)
        return fail(event, orderText(id) + " is not in the state the event changes");
    order->state = to;
    return true;
}

// An order leaves with its whole remaining quantity, an iceberg's reserve included.
bool AccountReplica::applyCancelled(const Event &event, const OrderCancelled &cancelled)
{
    WorkingOrder *order = findOrder(event, cancelled.id);
    if (!order)
        return false;
    if (cancelled.quantity != order->remaining)
        return fail(event, "cancels " + std::to_string(cancelled.quantity.value()) + " of " +
                               std::to_string(order->remaining.value()));
    m_orders.erase(cancelled.id);
    return true;
}

bool AccountReplica::applyReduced(const Event &event, const OrderReduced &reduced)
{
    WorkingOrder *order = findOrder(event, reduced.id);
    if (!order)
        return false;
    if (reduced.reducedBy <= Quantity{0} || reduced.reducedBy >= order->remaining)
        return fail(event, "reduces by " + std::to_string(reduced.reducedBy.value()) + " of " +
                               std::to_string(order->remaining.value()));
    order->remaining -= reduced.reducedBy;
    return true;
}

// A replace that loses priority sends a resting order back through matching; a parked stop
// stays parked with its new prices.
bool AccountReplica::applyReplaced(const Event &event, const OrderReplaced &replaced)
{
    WorkingOrder *order = findOrder(event, replaced.id);
    if (!order)
        return false;
    order->price = replaced.price;
    order->remaining = replaced.quantity;
    if (order->state == WorkingState::Parked) {
        order->stopPrice = replaced.stopPrice;
        return true;
    }
    if (replaced.priority == QueuePriority::Lost)
        order->state = WorkingState::Entering;
    return true;
}

bool AccountReplica::applyTrade(const Event &event, const Trade &trade)
{
    const bool maker = trade.makerAccount == m_id;
    const bool taker = trade.takerAccount == m_id;
    if (!maker && !taker)
        return fail(event, "names neither side's account");
    if (maker && !takeFilled(event, trade.maker, trade.quantity))
        return false;
    return !taker || takeFilled(event, trade.taker, trade.quantity);
}

// A fill that takes what is left ends the order: no other event follows for it.
bool AccountReplica::takeFilled(const Event &event, OrderId id, Quantity quantity)
{
    WorkingOrder *order = findOrder(event, id);
    if (!order)
        return false;
    if (quantity <= Quantity{0} || quantity > order->remaining)
        return fail(event, "fills " + std::to_string(quantity.value()) + " of " +
                               std::to_string(order->remaining.value()));
    order->remaining -= quantity;
    if (order->remaining == Quantity{0})
        m_orders.erase(id);
    return true;
}

// A FillPosted with trade sequence zero comes from a snapshot and states a position whole. A
// live one moves the position by its quantity, which the replica checks.
bool AccountReplica::applyFill(const Event &event, const FillPosted &fill)
{
    if (fill.account != m_id)
        return fail(event, "posts to another account");
    m_cash = fill.cashBalance;
    PositionView &view = m_positions[fill.instrument];
    if (fill.tradeSequence == 0) {
        const std::int64_t size = std::llabs(fill.position.value());
        view = PositionView{fill.position,
                            fill.price,
                            fill.realizedProfitAndLoss,
                            fill.fee,
                            static_cast<detail::Int128>(fill.price.value()) * kCostScale * size,
                            size};
        return true;
    }

    const Quantity change = fill.side == Side::Buy ? fill.quantity : Quantity{0} - fill.quantity;
    if (view.position + change != fill.position)
        return fail(event, "leaves position " + std::to_string(fill.position.value()) + " from " +
                               std::to_string(view.position.value()) + " and a fill of " +
                               std::to_string(change.value()));
    moveBasis(view, change, fill.price);
    view.position = fill.position;
    view.realizedProfitAndLoss = plus(view.realizedProfitAndLoss, fill.realizedProfitAndLoss);
    view.feesPaid = plus(view.feesPaid, fill.fee);
    keepRecent(m_fills, fill);
    return true;
}

} // namespace bourse::net

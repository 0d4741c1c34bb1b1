// RemoteTraderView::fill: the trader's accounts, working orders and positions as the replicas
// have them now.

#include "remote_trader_view.h"

#include "event_text.h"

#include <algorithm>
#include <utility>

namespace bourse::net {

namespace {

// PositionView::basisCost counts in 10^-9 of a price unit times quantity units.
constexpr detail::Int128 kBasisCostScale = 1'000'000'000;

// The average entry price of a replica's position, in lowest terms as AveragePrice promises.
AveragePrice averageOf(const PositionView &position)
{
    detail::Int128 numerator = position.basisCost;
    detail::Int128 denominator = position.basisQuantity * kBasisCostScale;
    detail::Int128 a = numerator < 0 ? -numerator : numerator;
    detail::Int128 b = denominator;
    while (b != 0)
        a = std::exchange(b, a % b);
    if (a > 1) {
        numerator /= a;
        denominator /= a;
    }
    return AveragePrice{numerator, denominator};
}

} // namespace

void RemoteTraderView::fill(TraderView &view, const StreamSynchronizer &streams) const
{
    fillAccounts(view, streams);
    for (const AccountId account : view.accounts) {
        const AccountReplica &replica = *streams.account(account.value());
        fillWorking(view, replica);
        fillPositions(view, replica, streams);
    }
    view.finishedOrders.assign(m_finished.begin(), m_finished.end());
    view.fills.assign(m_fills.begin(), m_fills.end());
    view.riskNotices.assign(m_notices.begin(), m_notices.end());
}

// An account shows once its first snapshot has arrived, and keeps its last state while its
// stream resynchronizes.
void RemoteTraderView::fillAccounts(TraderView &view, const StreamSynchronizer &streams) const
{
    for (const AccountId account : m_accounts) {
        const AccountReplica *replica = streams.account(account.value());
        if (replica == nullptr || !replica->terms())
            continue;
        view.accounts.push_back(account);
        view.cash.push_back(replica->cash());

        // Only the kill switches: limit use, the day's P&L and exposures are computed on the
        // server, which does not publish them.
        RiskMonitor monitor;
        monitor.account = account;
        monitor.killSwitch = replica->killSwitch();
        monitor.globalKillSwitch = replica->globalKillSwitch();
        view.risk.push_back(std::move(monitor));
        view.globalKillSwitch = std::max(view.globalKillSwitch, replica->globalKillSwitch());

        const auto defaults = replica->riskLimits().find(InstrumentId{});
        view.limits.push_back(defaults != replica->riskLimits().end() ? defaults->second.limits
                                                                      : RiskLimits{});
    }
}

// Working orders oldest first: order ids grow with each accepted order.
void RemoteTraderView::fillWorking(TraderView &view, const AccountReplica &replica) const
{
    for (const auto &[id, working] : replica.workingOrders()) {
        const auto seen = m_orders.find(id.value());
        OwnOrder own;
        if (seen != m_orders.end()) {
            own = seen->second;
        } else {
            // Accepted before this terminal joined: the snapshot's OrderAccepted is all there is.
            const OrderAccepted &accepted = working.accepted;
            own.id = accepted.id;
            own.account = accepted.account;
            own.side = accepted.side;
            own.type = accepted.type;
            own.timeInForce = accepted.timeInForce;
            own.displayQuantity = accepted.displayQuantity;
            own.quantity = accepted.quantity;
        }
        own.instrument = working.instrument;
        own.limit = working.price;
        own.stopPrice = working.stopPrice;
        own.remaining = working.remaining;
        own.filled =
            own.quantity > working.remaining ? own.quantity - working.remaining : Quantity{};
        own.parked = working.state == WorkingState::Parked;
        own.state = OwnOrderState::Working;
        view.workingOrders.push_back(std::move(own));
    }
}

void RemoteTraderView::fillPositions(TraderView &view, const AccountReplica &replica,
                                     const StreamSynchronizer &streams) const
{
    const AccountOpened &terms = *replica.terms();
    for (const auto &[instrument, position] : replica.positions()) {
        OwnPosition own;
        own.account = replica.id();
        own.instrument = instrument;
        own.currency = textOf(terms.settings.currency);
        own.moneyDecimals = terms.settings.moneyDecimals;
        own.quantity = position.position;
        if (position.basisQuantity != 0)
            own.average = averageOf(position);
        own.realized = position.realizedProfitAndLoss;
        own.fees = position.feesPaid;
        if (const InstrumentReplica *market = streams.instrument(instrument.value());
            market != nullptr && market->lastTrade()) {
            own.mark = market->lastTrade()->price;
        }
        // NOTE: unrealized P&L stays zero. It needs the money cost of the open quantity, which
        // the portfolio rounds fill by fill and FillPosted does not carry.
        view.positions.push_back(std::move(own));
    }
}

} // namespace bourse::net

#include "remote_trader_view.h"

#include "event_text.h"
#include "trader_view.h"

#include <algorithm>
#include <utility>
#include <variant>

namespace bourse::net {

namespace {

template <typename Item>
void pushNewest(std::deque<Item> &items, Item item, std::size_t kept)
{
    items.push_front(std::move(item));
    if (items.size() > kept)
        items.pop_back();
}

} // namespace

RemoteTraderView::RemoteTraderView(std::vector<AccountId> accounts)
    : m_accounts(std::move(accounts))
{
}

bool RemoteTraderView::isTraderAccount(AccountId account) const
{
    return std::find(m_accounts.begin(), m_accounts.end(), account) != m_accounts.end();
}

void RemoteTraderView::noteSubmit(ClientOrderId id, const NewOrder &order)
{
    m_requests[id.value()] = Request{Command::Submit, order};
}

void RemoteTraderView::noteAmend(ClientOrderId id)
{
    m_requests[id.value()] = Request{Command::Amend, std::nullopt};
}

void RemoteTraderView::noteSettings(ClientOrderId id)
{
    m_requests[id.value()] = Request{Command::Settings, std::nullopt};
}

std::optional<RemoteTraderView::Request> RemoteTraderView::takeRequest(ClientOrderId id)
{
    const auto found = m_requests.find(id.value());
    if (found == m_requests.end())
        return std::nullopt;
    Request request = std::move(found->second);
    m_requests.erase(found);
    return request;
}

void RemoteTraderView::onEvents(AccountId account, std::span<const Event> events)
{
    for (const Event &event : events) {
        if (const auto *trade = std::get_if<Trade>(&event.payload)) {
            on(event, *trade, account);
            continue;
        }
        std::visit([&](const auto &payload) { on(event, payload); }, event.payload);
    }
}

void RemoteTraderView::on(const Event &event, const OrderAccepted &accepted)
{
    if (!isTraderAccount(accepted.account))
        return;
    takeRequest(accepted.clientOrderId);
    m_orders[accepted.id.value()] = acceptedOrder(event, accepted);
}

// A command of another terminal trading the same account has no request here. Its rejection is
// then taken for a rejected replace when it names a working order, for a settings command when
// it names no order, and for a new order otherwise.
void RemoteTraderView::on(const Event &event, const OrderRejected &rejected)
{
    if (!isTraderAccount(rejected.account) && rejected.account.value() != 0)
        return;
    std::string text = describeRejection(rejected.reason);
    if (rejected.id == m_riskRejectedOrder && !m_riskRejectedText.empty())
        text = std::exchange(m_riskRejectedText, {});
    m_riskRejectedOrder = OrderId{};

    const std::optional<Request> request = takeRequest(rejected.clientOrderId);
    const auto working = m_orders.find(rejected.id.value());
    if ((!request || request->command == Command::Amend) && working != m_orders.end()) {
        working->second.reason = "replace " + text;
        working->second.updated = event.time;
        working->second.lastSequence = event.sequence;
        return;
    }
    const bool settings = request ? request->command == Command::Settings
                                  : rejected.id.value() == 0 && rejectsSettings(rejected);
    if (settings) {
        addNotice(event, rejected.account, OrderId{}, RiskRule::None, std::move(text));
        return;
    }
    rejectOrder(event, rejected, std::move(text), request);
}

void RemoteTraderView::rejectOrder(const Event &event, const OrderRejected &rejected,
                                   std::string text, const std::optional<Request> &request)
{
    OwnOrder own;
    own.requestKnown = request && request->order;
    if (own.requestKnown) {
        copyRequest(own, *request->order);
        own.remaining = request->order->quantity;
        own.instrument = request->order->instrument;
    }
    own.id = rejected.id;
    own.account = rejected.account;
    if (event.instrument.value() != 0)
        own.instrument = event.instrument;
    own.state = OwnOrderState::Rejected;
    own.reason = std::move(text);
    own.entered = event.time;
    own.updated = event.time;
    own.lastSequence = event.sequence;
    pushNewest(m_finished, std::move(own), TraderViewBuilder::kFinishedOrdersKept);
}

// The engine publishes a risk rejection's RiskRejected right before its OrderRejected, which
// then shows the rule and the values instead of the bare reason.
void RemoteTraderView::on(const Event &event, const RiskRejected &rejected)
{
    if (!isTraderAccount(rejected.account))
        return;
    std::string text = describeRiskRejection(rejected);
    m_riskRejectedOrder = rejected.id;
    m_riskRejectedText = text;
    addNotice(event, rejected.account, rejected.id, rejected.rule, std::move(text));
}

void RemoteTraderView::on(const Event &event, const RiskAlert &alert)
{
    if (!isTraderAccount(alert.account))
        return;
    // The symbol needs the instrument's replica, which fill() has and this does not: the
    // notice names the instrument by id.
    const std::string instrument = event.instrument.value() != 0
                                       ? "instrument " + std::to_string(event.instrument.value())
                                       : std::string();
    addNotice(event, alert.account, OrderId{}, alert.rule, describeRiskAlert(alert, instrument));
}

void RemoteTraderView::on(const Event &event, const KillSwitchChanged &changed)
{
    const bool global = changed.account.value() == 0;
    if (!global && !isTraderAccount(changed.account))
        return;
    // The global switch comes on every account's stream; one notice is enough.
    if (!m_notices.empty() && m_notices.front().sequence == event.sequence)
        return;
    const std::string name = global ? "global kill switch" : "kill switch";
    const std::string whose =
        global ? "every account" : "account " + std::to_string(changed.account.value());
    const std::string text =
        changed.scope == KillSwitchScope::None
            ? name + " reset for " + whose
            : name + " engaged (" + std::string(nameOf(changed.scope)) + ") for " + whose;
    addNotice(event, changed.account, OrderId{}, RiskRule::KillSwitch, text);
}

void RemoteTraderView::on(const Event &event, const OrderCancelled &cancelled)
{
    if (!m_orders.contains(cancelled.id.value()))
        return;
    const OwnOrderState state = cancelled.reason == CancelReason::Expired
                                    ? OwnOrderState::Expired
                                    : OwnOrderState::Cancelled;
    finish(cancelled.id, state, describeCancel(cancelled.reason), event);
}

void RemoteTraderView::on(const Event &event, const Trade &trade, AccountId stream)
{
    m_tradeSequence = event.sequence;
    m_tradeMaker = trade.makerAccount == stream ? trade.maker : OrderId{};
    m_tradeTaker = trade.takerAccount == stream ? trade.taker : OrderId{};
    if (m_tradeMaker.value() != 0)
        takeFill(event, trade.maker, trade.quantity);
    if (m_tradeTaker.value() != 0)
        takeFill(event, trade.taker, trade.quantity);
}

void RemoteTraderView::takeFill(const Event &event, OrderId id, Quantity quantity)
{
    const auto found = m_orders.find(id.value());
    if (found == m_orders.end())
        return;
    OwnOrder &own = found->second;
    own.filled += quantity;
    own.remaining = own.remaining > quantity ? own.remaining - quantity : Quantity{};
    own.updated = event.time;
    own.lastSequence = event.sequence;
    if (own.remaining == Quantity{0})
        finish(id, OwnOrderState::Filled, {}, event);
}

void RemoteTraderView::on(const Event &event, const FillPosted &posted)
{
    if (!isTraderAccount(posted.account))
        return;
    OwnFill fill;
    fill.tradeSequence = posted.tradeSequence;
    fill.time = event.time;
    if (posted.tradeSequence == m_tradeSequence)
        fill.order = posted.role == LiquidityRole::Maker ? m_tradeMaker : m_tradeTaker;
    fill.account = posted.account;
    fill.instrument = posted.instrument;
    fill.side = posted.side;
    fill.price = posted.price;
    fill.quantity = posted.quantity;
    fill.maker = posted.role == LiquidityRole::Maker;
    fill.fee = posted.fee;
    pushNewest(m_fills, std::move(fill), TraderViewBuilder::kFillsKept);
}

void RemoteTraderView::finish(OrderId id, OwnOrderState state, std::string reason,
                              const Event &event)
{
    const auto found = m_orders.find(id.value());
    if (found == m_orders.end())
        return;
    OwnOrder own = std::move(found->second);
    m_orders.erase(found);
    own.state = state;
    own.reason = std::move(reason);
    own.updated = event.time;
    own.lastSequence = event.sequence;
    pushNewest(m_finished, std::move(own), TraderViewBuilder::kFinishedOrdersKept);
}

void RemoteTraderView::addNotice(const Event &event, AccountId account, OrderId order,
                                 RiskRule rule, std::string text)
{
    RiskNotice notice;
    notice.sequence = event.sequence;
    notice.time = event.time;
    notice.account = account;
    notice.instrument = event.instrument;
    notice.order = order;
    notice.rule = rule;
    notice.text = std::move(text);
    pushNewest(m_notices, std::move(notice), TraderViewBuilder::kNoticesKept);
}

void RemoteTraderView::onResynced(const AccountReplica &replica)
{
    std::erase_if(m_orders, [&](const auto &entry) {
        return entry.second.account == replica.id() &&
               !replica.workingOrders().contains(OrderId{entry.first});
    });
}

void RemoteTraderView::onServerRejection(const CommandRejected &rejected, Timestamp time)
{
    Event event;
    event.time = time;
    const std::optional<Request> request = takeRequest(rejected.clientOrderId);
    std::string text = "rejected by the server: " + describeRejection(rejected.reason);
    if (!request || request->command != Command::Submit) {
        addNotice(event, rejected.account, rejected.id, RiskRule::None, std::move(text));
        return;
    }
    const OrderRejected asEvent{rejected.id, rejected.reason, rejected.clientOrderId,
                                rejected.account};
    rejectOrder(event, asEvent, std::move(text), request);
}

} // namespace bourse::net

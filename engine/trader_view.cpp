#include "trader_view.h"

#include "event_text.h"
#include "portfolio.h"
#include "risk_checks.h"

#include <algorithm>
#include <utility>
#include <variant>

namespace bourse {

namespace {

template <typename Item>
void pushNewest(std::deque<Item> &items, Item item, std::size_t kept)
{
    items.push_front(std::move(item));
    if (items.size() > kept) {
        items.pop_back();
    }
}

bool hasLimit(OrderType type)
{
    return type == OrderType::Limit || type == OrderType::StopLimit;
}

bool isStopType(OrderType type)
{
    return type == OrderType::Stop || type == OrderType::StopLimit;
}

void markSimulated(TraderView &view)
{
    for (OwnOrder &order : view.workingOrders)
        order.simulated = true;
    for (OwnOrder &order : view.finishedOrders)
        order.simulated = true;
    for (OwnFill &fill : view.fills)
        fill.simulated = true;
    for (OwnPosition &position : view.positions)
        position.simulated = true;
}

RiskDecision decisionOf(const RiskRejected &rejected)
{
    RiskDecision decision;
    decision.rule = rejected.rule;
    decision.scope = rejected.scope;
    decision.killSwitch = rejected.killSwitch;
    decision.unit = rejected.unit;
    decision.decimals = rejected.decimals;
    decision.side = rejected.side;
    decision.current = rejected.current;
    decision.working = rejected.working;
    decision.order = rejected.order;
    decision.wouldBe = rejected.wouldBe;
    decision.limit = rejected.limit;
    return decision;
}

// The rule as words in a sentence, such as "long position" for PositionLong.
std::string ruleWords(RiskRule rule)
{
    switch (rule) {
    case RiskRule::PositionLong:
        return "long position";
    case RiskRule::PositionShort:
        return "short position";
    default:
        break;
    }
    std::string words(nameOf(rule));
    std::replace(words.begin(), words.end(), '-', ' ');
    return words;
}

} // namespace

std::string describeCancel(CancelReason reason)
{
    switch (reason) {
    case CancelReason::Requested:
        return "cancelled on request";
    case CancelReason::Unfilled:
        return "cancelled: the rest found no more liquidity";
    case CancelReason::MarketData:
        return "cancelled by market data";
    case CancelReason::Resynchronized:
        return "cancelled to match a book snapshot";
    case CancelReason::FillOrKill:
        return "cancelled: fill or kill could not fill in full at once";
    case CancelReason::SelfTrade:
        return "cancelled by self-trade prevention";
    case CancelReason::Expired:
        return "expired";
    case CancelReason::MassCancel:
        return "cancelled by a mass cancel";
    case CancelReason::ProtectionLimit:
        return "cancelled: the rest was beyond the protection price";
    case CancelReason::KillSwitch:
        return "cancelled by the kill switch";
    }
    return "cancelled";
}

bool rejectsSettings(const OrderRejected &rejected)
{
    return rejected.id.value() == 0 && (rejected.reason == RejectReason::InvalidRiskLimits ||
                                        rejected.reason == RejectReason::InvalidAccount);
}

std::string describeRejection(RejectReason reason)
{
    return "rejected: " + std::string(nameOf(reason));
}

OwnOrder acceptedOrder(const Event &event, const OrderAccepted &accepted)
{
    OwnOrder own;
    own.id = accepted.id;
    own.account = accepted.account;
    own.instrument = event.instrument;
    own.side = accepted.side;
    own.type = accepted.type;
    own.timeInForce = accepted.timeInForce;
    own.limit = hasLimit(accepted.type) ? accepted.limit : Price{};
    own.stopPrice = accepted.stopPrice;
    own.displayQuantity = accepted.displayQuantity;
    own.quantity = accepted.quantity;
    own.remaining = accepted.quantity;
    own.entered = event.time;
    own.updated = event.time;
    own.lastSequence = event.sequence;
    return own;
}

void copyRequest(OwnOrder &own, const NewOrder &request)
{
    own.side = request.side;
    own.type = request.type;
    own.timeInForce = request.timeInForce;
    own.limit = hasLimit(request.type) ? request.limit : Price{};
    own.stopPrice = request.stopPrice;
    own.displayQuantity = request.displayQuantity;
    own.quantity = request.quantity;
}

std::string describeRiskRejection(const RiskRejected &rejected)
{
    return describe(decisionOf(rejected));
}

std::string describeRiskAlert(const RiskAlert &alert, std::string_view symbol)
{
    std::string text;
    switch (alert.level) {
    case RiskAlertLevel::Warning:
        text = "warning: ";
        break;
    case RiskAlertLevel::Breach:
        text = "limit reached: ";
        break;
    case RiskAlertLevel::Normal:
        text = "back below 80%: ";
        break;
    }
    text += ruleWords(alert.rule);
    if (!symbol.empty())
        text += " in " + std::string(symbol);
    return text + " at " + std::to_string(alert.basisPoints / 100) + "% of the limit";
}

TraderViewBuilder::TraderViewBuilder(const Engine &engine, std::vector<AccountId> accounts)
    : m_engine(engine)
    , m_accounts(std::move(accounts))
    , m_limits(m_accounts.size())
{
}

TraderViewBuilder::TraderViewBuilder(const TraderViewBuilder &other, const Engine &engine)
    : m_engine(engine)
    , m_accounts(other.m_accounts)
    , m_limits(other.m_limits)
    , m_working(other.m_working)
    , m_finished(other.m_finished)
    , m_fills(other.m_fills)
    , m_notices(other.m_notices)
    , m_command(other.m_command)
    , m_request(other.m_request)
    , m_restoring(other.m_restoring)
    , m_simulated(other.m_simulated)
    , m_riskRejectedOrder(other.m_riskRejectedOrder)
    , m_riskRejectedSequence(other.m_riskRejectedSequence)
    , m_riskRejectedText(other.m_riskRejectedText)
    , m_tradeSequence(other.m_tradeSequence)
    , m_tradeMaker(other.m_tradeMaker)
    , m_tradeTaker(other.m_tradeTaker)
{
}

bool TraderViewBuilder::isTraderAccount(AccountId account) const
{
    // The trader has a handful of accounts, so a linear scan is enough.
    return account.value() != 0 &&
           std::find(m_accounts.begin(), m_accounts.end(), account) != m_accounts.end();
}

void TraderViewBuilder::restore(const std::vector<Event> &events)
{
    m_restoring = true;
    for (const Event &event : events) {
        onEvent(event);
    }
    m_restoring = false;
    onCommandEnd();
}

void TraderViewBuilder::adoptEngineState()
{
    const RiskState risk = m_engine.risk().state();
    for (std::size_t index = 0; index < m_accounts.size(); ++index) {
        for (const RiskAccountRecord &record : risk.accounts) {
            if (record.account == m_accounts[index]) {
                m_limits[index] = record.limits;
            }
        }
    }

    std::unordered_map<std::uint64_t, Working> restored = std::move(m_working);
    m_working.clear();
    for (const AccountId account : m_accounts) {
        for (const OrderId id : m_engine.risk().workingOrders(account)) {
            if (const auto found = restored.find(id.value()); found != restored.end()) {
                m_working.insert(restored.extract(found));
                continue;
            }
            const Order *order = m_engine.findOrder(id);
            if (order == nullptr) {
                continue;
            }
            Working working;
            OwnOrder &own = working.order;
            own.id = id;
            own.account = order->account;
            own.instrument = order->instrument;
            own.side = order->side;
            own.type = order->type;
            own.timeInForce = order->timeInForce;
            own.parked = isStopType(order->type);
            if (own.parked && order->details != nullptr) {
                own.limit = order->details->limit;
            } else if (order->type == OrderType::Limit) {
                own.limit = order->price;
            }
            own.stopPrice = order->stopPrice();
            own.displayQuantity = order->displayQuantity();
            own.remaining = order->remaining + order->reserve();
            own.quantity = own.remaining;
            working.accepted = 0; // before every restored order, whose entries came later
            m_working.emplace(id.value(), std::move(working));
        }
    }
}

void TraderViewBuilder::beginCommand(Command command, const NewOrder *order)
{
    m_command = command;
    m_request = order;
}

void TraderViewBuilder::onCommandEnd()
{
    m_command = Command::None;
    m_request = nullptr;
    m_riskRejectedOrder = OrderId{};
    m_riskRejectedSequence = 0;
    m_riskRejectedText.clear();
}

void TraderViewBuilder::onEvent(const Event &event)
{
    std::visit([this, &event](const auto &payload) { on(event, payload); }, event.payload);
}

TraderViewBuilder::Working *TraderViewBuilder::findWorking(OrderId id)
{
    if (m_working.empty()) {
        return nullptr;
    }
    const auto found = m_working.find(id.value());
    return found != m_working.end() ? &found->second : nullptr;
}

void TraderViewBuilder::on(const Event &event, const OrderAccepted &accepted)
{
    if (!isTraderAccount(accepted.account)) {
        return;
    }
    Working working;
    working.accepted = event.sequence;
    working.order = acceptedOrder(event, accepted);
    m_working.insert_or_assign(accepted.id.value(), std::move(working));
}

void TraderViewBuilder::on(const Event &event, const RiskRejected &rejected)
{
    if (!isTraderAccount(rejected.account)) {
        return;
    }
    std::string text = describeRiskRejection(rejected);
    addNotice(event, rejected.account, rejected.id, rejected.rule, text);
    m_riskRejectedOrder = rejected.id;
    m_riskRejectedSequence = event.sequence;
    m_riskRejectedText = std::move(text);
}

// The engine publishes the OrderRejected of a risk rejection right after its RiskRejected.
std::string TraderViewBuilder::rejectionText(const Event &event, const OrderRejected &rejected)
{
    if (rejected.id == m_riskRejectedOrder && event.sequence == m_riskRejectedSequence + 1 &&
        !m_riskRejectedText.empty()) {
        return std::exchange(m_riskRejectedText, {});
    }
    return describeRejection(rejected.reason);
}

// A journal does not record which command an OrderRejected rejects, so restore() infers it.
// NOTE: a new order that reuses the id of a working order and fails another check before the
// duplicate id is taken for a rejected replace, and is not listed.
TraderViewBuilder::Command TraderViewBuilder::inferredCommand(const OrderRejected &rejected)
{
    if (rejected.id.value() == 0) {
        return rejectsSettings(rejected) ? Command::Settings : Command::None;
    }
    if (rejected.reason != RejectReason::DuplicateOrderId && findWorking(rejected.id) != nullptr) {
        return Command::Amend;
    }
    return Command::Submit;
}

void TraderViewBuilder::on(const Event &event, const OrderRejected &rejected)
{
    const bool forTrader = isTraderAccount(rejected.account);
    std::string text = rejectionText(event, rejected);
    const Command command = m_restoring ? inferredCommand(rejected) : m_command;

    if (command == Command::Submit && forTrader) {
        rejectOrder(event, rejected, std::move(text));
        return;
    }
    if (Working *working = findWorking(rejected.id)) {
        // A replace the engine rejected leaves the order working as it was.
        working->order.reason = "replace " + text;
        working->order.updated = event.time;
        working->order.lastSequence = event.sequence;
        return;
    }
    if (command == Command::Settings && (forTrader || rejected.account.value() == 0)) {
        addNotice(event, rejected.account, OrderId{}, RiskRule::None, std::move(text));
        return;
    }
    if (forTrader && rejected.id.value() != 0) {
        rejectOrder(event, rejected, std::move(text));
    }
}

void TraderViewBuilder::rejectOrder(const Event &event, const OrderRejected &rejected,
                                    std::string text)
{
    OwnOrder own;
    own.id = rejected.id;
    own.account = rejected.account;
    own.instrument = event.instrument.value() != 0 ? event.instrument : m_engine.instrument();
    own.requestKnown = m_request != nullptr;
    if (m_request != nullptr) {
        copyRequest(own, *m_request);
    }
    own.state = OwnOrderState::Rejected;
    own.reason = std::move(text);
    own.entered = event.time;
    own.updated = event.time;
    own.lastSequence = event.sequence;
    pushNewest(m_finished, std::move(own), kFinishedOrdersKept);
}

void TraderViewBuilder::on(const Event &event, const OrderAdded &added)
{
    if (Working *working = findWorking(added.id)) {
        working->order.parked = false;
        working->order.updated = event.time;
        working->order.lastSequence = event.sequence;
    }
}

void TraderViewBuilder::on(const Event &event, const OrderParked &parked)
{
    if (Working *working = findWorking(parked.id)) {
        working->order.parked = true;
        working->order.updated = event.time;
        working->order.lastSequence = event.sequence;
    }
}

void TraderViewBuilder::on(const Event &event, const StopTriggered &triggered)
{
    if (Working *working = findWorking(triggered.id)) {
        working->order.parked = false;
        working->order.updated = event.time;
        working->order.lastSequence = event.sequence;
    }
}

void TraderViewBuilder::on(const Event &event, const Trade &trade)
{
    const bool makerIsTrader = isTraderAccount(trade.makerAccount);
    const bool takerIsTrader = isTraderAccount(trade.takerAccount);
    if (!makerIsTrader && !takerIsTrader) {
        return;
    }
    m_tradeSequence = event.sequence;
    m_tradeMaker = trade.maker;
    m_tradeTaker = trade.taker;
    if (makerIsTrader) {
        applyFill(event, trade.maker, trade.quantity);
    }
    if (takerIsTrader) {
        applyFill(event, trade.taker, trade.quantity);
    }
}

void TraderViewBuilder::applyFill(const Event &event, OrderId id, Quantity quantity)
{
    Working *working = findWorking(id);
    if (working == nullptr) {
        return;
    }
    OwnOrder &own = working->order;
    own.filled += quantity;
    own.remaining = own.remaining > quantity ? own.remaining - quantity : Quantity{};
    own.updated = event.time;
    own.lastSequence = event.sequence;
    if (own.remaining == Quantity{}) {
        finish(id, OwnOrderState::Filled, {}, event);
    }
}

void TraderViewBuilder::on(const Event &event, const FillPosted &posted)
{
    if (!isTraderAccount(posted.account)) {
        return;
    }
    const bool maker = posted.role == LiquidityRole::Maker;
    OwnFill fill;
    fill.tradeSequence = posted.tradeSequence;
    fill.time = event.time;
    if (posted.tradeSequence == m_tradeSequence) {
        fill.order = maker ? m_tradeMaker : m_tradeTaker;
    }
    fill.account = posted.account;
    fill.instrument = posted.instrument;
    fill.side = posted.side;
    fill.price = posted.price;
    fill.quantity = posted.quantity;
    fill.maker = maker;
    fill.fee = posted.fee;
    pushNewest(m_fills, fill, kFillsKept);
}

void TraderViewBuilder::on(const Event &event, const OrderCancelled &cancelled)
{
    if (findWorking(cancelled.id) == nullptr) {
        return;
    }
    const OwnOrderState state = cancelled.reason == CancelReason::Expired
                                    ? OwnOrderState::Expired
                                    : OwnOrderState::Cancelled;
    finish(cancelled.id, state, describeCancel(cancelled.reason), event);
}

void TraderViewBuilder::on(const Event &event, const OrderReduced &reduced)
{
    if (Working *working = findWorking(reduced.id)) {
        OwnOrder &own = working->order;
        own.remaining =
            own.remaining > reduced.reducedBy ? own.remaining - reduced.reducedBy : Quantity{};
        own.updated = event.time;
        own.lastSequence = event.sequence;
    }
}

void TraderViewBuilder::on(const Event &event, const OrderReplaced &replaced)
{
    Working *working = findWorking(replaced.id);
    if (working == nullptr) {
        return;
    }
    OwnOrder &own = working->order;
    if (hasLimit(own.type)) {
        own.limit = replaced.price;
    }
    if (replaced.stopPrice.value() != 0) {
        own.stopPrice = replaced.stopPrice;
    }
    own.remaining = replaced.quantity;
    own.quantity = own.filled + replaced.quantity;
    own.reason.clear();
    own.updated = event.time;
    own.lastSequence = event.sequence;
}

void TraderViewBuilder::finish(OrderId id, OwnOrderState state, std::string reason,
                               const Event &event)
{
    const auto found = m_working.find(id.value());
    OwnOrder own = std::move(found->second.order);
    m_working.erase(found);
    own.state = state;
    own.reason = std::move(reason);
    if (state != OwnOrderState::Filled) {
        own.remaining = Quantity{}; // none of it is working now
    }
    own.parked = false;
    own.updated = event.time;
    own.lastSequence = event.sequence;
    pushNewest(m_finished, std::move(own), kFinishedOrdersKept);
}

void TraderViewBuilder::on(const Event &event, const KillSwitchChanged &changed)
{
    const bool global = changed.account.value() == 0;
    if (!global && !isTraderAccount(changed.account)) {
        return;
    }
    const std::string whose = global ? "every account" : accountName(changed.account);
    std::string text;
    if (changed.scope == KillSwitchScope::None) {
        text = std::string(global ? "global kill switch" : "kill switch") + " reset for " + whose;
    } else {
        text = std::string(global ? "global kill switch" : "kill switch") + " engaged (" +
               std::string(nameOf(changed.scope)) + ") for " + whose;
    }
    addNotice(event, changed.account, OrderId{}, RiskRule::KillSwitch, std::move(text));
}

void TraderViewBuilder::on(const Event &event, const RiskAlert &alert)
{
    if (!isTraderAccount(alert.account)) {
        return;
    }
    const std::string symbol = event.instrument.value() != 0 ? symbolOf(event.instrument) : "";
    std::string text = describeRiskAlert(alert, symbol);
    addNotice(event, alert.account, OrderId{}, alert.rule, std::move(text));
}

void TraderViewBuilder::on(const Event &event, const RiskLimitsSet &set)
{
    const auto account = std::find(m_accounts.begin(), m_accounts.end(), set.account);
    if (account == m_accounts.end()) {
        return;
    }
    std::string text = "risk limits";
    if (event.instrument.value() == 0) {
        m_limits[static_cast<std::size_t>(account - m_accounts.begin())] = set.limits;
    } else {
        text += " for " + symbolOf(event.instrument);
    }
    text += " set for " + accountName(set.account);
    addNotice(event, set.account, OrderId{}, RiskRule::None, std::move(text));
}

void TraderViewBuilder::addNotice(const Event &event, AccountId account, OrderId order,
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
    pushNewest(m_notices, std::move(notice), kNoticesKept);
}

std::string TraderViewBuilder::symbolOf(InstrumentId instrument) const
{
    const InstrumentDefinition *definition = m_engine.definition(instrument);
    if (definition == nullptr || definition->symbol[0] == '\0') {
        return "instrument " + std::to_string(instrument.value());
    }
    return textOf(definition->symbol);
}

std::string TraderViewBuilder::accountName(AccountId account) const
{
    return "account " + std::to_string(account.value());
}

void TraderViewBuilder::fill(TraderView &view, Timestamp now) const
{
    const Portfolio &portfolio = m_engine.portfolio();
    for (std::size_t index = 0; index < m_accounts.size(); ++index) {
        const AccountId account = m_accounts[index];
        if (portfolio.account(account) == nullptr) {
            continue; // a resumed market that never opened it
        }
        view.accounts.push_back(account);
        view.risk.push_back(m_engine.riskMonitor(account, now));
        view.limits.push_back(m_limits[index]);
    }

    std::vector<const Working *> working;
    working.reserve(m_working.size());
    for (const auto &entry : m_working) {
        working.push_back(&entry.second);
    }
    std::sort(working.begin(), working.end(), [](const Working *a, const Working *b) {
        return a->accepted != b->accepted ? a->accepted < b->accepted
                                          : a->order.id.value() < b->order.id.value();
    });
    view.workingOrders.reserve(working.size());
    for (const Working *order : working) {
        view.workingOrders.push_back(order->order);
    }

    view.finishedOrders.assign(m_finished.begin(), m_finished.end());
    view.fills.assign(m_fills.begin(), m_fills.end());
    view.riskNotices.assign(m_notices.begin(), m_notices.end());
    fillPositions(view);
    view.globalKillSwitch = m_engine.risk().globalKillSwitch();
    if (m_simulated)
        markSimulated(view);
}

void TraderViewBuilder::rejectRequest(const NewOrder &order, std::string text, Timestamp time)
{
    OwnOrder own;
    own.account = order.account;
    own.instrument = order.instrument.value() != 0 ? order.instrument : m_engine.instrument();
    copyRequest(own, order);
    own.state = OwnOrderState::Rejected;
    own.reason = std::move(text);
    own.entered = time;
    own.updated = time;
    pushNewest(m_finished, std::move(own), kFinishedOrdersKept);
}

void TraderViewBuilder::fillPositions(TraderView &view) const
{
    const Portfolio &portfolio = m_engine.portfolio();
    const std::vector<InstrumentId> instruments = m_engine.instruments();
    for (const AccountId account : view.accounts) {
        const Account &settings = *portfolio.account(account);
        for (const InstrumentId instrument : instruments) {
            const Position *position = portfolio.position(account, instrument);
            if (position == nullptr) {
                continue;
            }
            OwnPosition own;
            own.account = account;
            own.instrument = instrument;
            own.currency = textOf(settings.settings.currency);
            own.moneyDecimals = settings.settings.moneyDecimals;
            own.quantity = position->quantity;
            own.average = averagePrice(*position);
            own.mark = m_engine.risk().evaluator().referencePrice(instrument);
            own.realized = position->realizedProfitAndLoss;
            own.fees = position->feesPaid;
            if (own.mark > Price{0}) {
                own.unrealized =
                    portfolio.unrealizedProfitAndLoss(account, instrument, own.mark).value;
            }
            view.positions.push_back(std::move(own));
        }
    }
}

} // namespace bourse

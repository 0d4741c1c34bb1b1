// The engine's pre-trade risk state, kept in step with its events (risk_tracker.h).

#include "risk_tracker.h"

#include <algorithm>
#include <limits>
#include <type_traits>

namespace bourse {

namespace {

constexpr std::uint32_t kDirectAccountIds = 1 << 16;

Money saturatedAdd(Money a, Money b)
{
    std::int64_t sum = 0;
    if (__builtin_add_overflow(a.value(), b.value(), &sum))
        return Money{b.value() < 0 ? -std::numeric_limits<std::int64_t>::max()
                                   : std::numeric_limits<std::int64_t>::max()};
    return Money{sum};
}

Money saturatedSubtract(Money a, Money b)
{
    std::int64_t difference = 0;
    if (__builtin_sub_overflow(a.value(), b.value(), &difference))
        return Money{b.value() > 0 ? -std::numeric_limits<std::int64_t>::max()
                                   : std::numeric_limits<std::int64_t>::max()};
    return Money{difference};
}

RiskAlertLevel levelOf(std::int64_t basisPoints)
{
    if (basisPoints >= kLimitBasisPoints)
        return RiskAlertLevel::Breach;
    if (basisPoints >= kWarningBasisPoints)
        return RiskAlertLevel::Warning;
    return RiskAlertLevel::Normal;
}

bool isValid(const RiskLimits &limits)
{
    return limits.maximumOrderQuantity >= Quantity{0} && limits.maximumOrderNotional >= Money{0} &&
           limits.maximumLongPosition >= Quantity{0} &&
           limits.maximumShortPosition >= Quantity{0} && limits.priceBandBasisPoints >= 0 &&
           limits.maximumOpenOrders >= 0 && limits.maximumOrdersPerSecond >= 0 &&
           limits.maximumOrdersPerSecond <= kMaximumOrdersPerSecond &&
           limits.dailyLossLimit >= Money{0} && limits.marginBuyingPower >= Money{0};
}

// A 64-bit mix (the SplitMix64 finalizer), as the engine's state hash uses.
class Hasher {
public:
    void add(std::uint64_t word)
    {
        std::uint64_t x = m_hash ^ word;
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
        m_hash = (x ^ (x >> 31)) + 0x9e3779b97f4a7c15ULL;
    }
    void add(std::int64_t word) { add(static_cast<std::uint64_t>(word)); }
    void add(const RiskLimits &limits)
    {
        add(limits.maximumOrderQuantity.value());
        add(limits.maximumOrderNotional.value());
        add(limits.maximumLongPosition.value());
        add(limits.maximumShortPosition.value());
        add(limits.priceBandBasisPoints);
        add(limits.maximumOpenOrders);
        add(limits.maximumOrdersPerSecond);
        add(limits.dailyLossLimit.value());
        add(limits.marginBuyingPower.value());
    }
    std::uint64_t value() const { return m_hash; }

private:
    std::uint64_t m_hash = 0x3c6ef372fe94f82bULL;
};

} // namespace

std::int64_t tradingDayOf(Timestamp time)
{
    const std::int64_t value = time.value();
    const std::int64_t day = value / kNanosecondsPerDay;
    return value < 0 && day * kNanosecondsPerDay != value ? day - 1 : day;
}

RiskLimitOverrides overridesOf(const RiskLimits &limits, std::uint16_t overridden)
{
    const auto has = [overridden](RiskLimitField field) {
        return (overridden & static_cast<std::uint16_t>(field)) != 0;
    };
    RiskLimitOverrides overrides;
    if (has(RiskLimitField::OrderQuantity))
        overrides.maximumOrderQuantity = limits.maximumOrderQuantity;
    if (has(RiskLimitField::OrderNotional))
        overrides.maximumOrderNotional = limits.maximumOrderNotional;
    if (has(RiskLimitField::LongPosition))
        overrides.maximumLongPosition = limits.maximumLongPosition;
    if (has(RiskLimitField::ShortPosition))
        overrides.maximumShortPosition = limits.maximumShortPosition;
    if (has(RiskLimitField::PriceBand))
        overrides.priceBandBasisPoints = limits.priceBandBasisPoints;
    if (has(RiskLimitField::OpenOrders))
        overrides.maximumOpenOrders = limits.maximumOpenOrders;
    if (has(RiskLimitField::OrdersPerSecond))
        overrides.maximumOrdersPerSecond = limits.maximumOrdersPerSecond;
    return overrides;
}

// ---------------------------------------------------------------------------------------------
// Order table

std::size_t RiskTracker::OrderTable::home(OrderId id) const
{
    return static_cast<std::size_t>((id.value() * 0x9e37'79b9'7f4a'7c15ULL) >> 32) &
           (m_slots.size() - 1);
}

RiskTracker::OrderEntry *RiskTracker::OrderTable::find(OrderId id)
{
    if (m_slots.empty() || id.value() == 0)
        return nullptr;
    for (std::size_t slot = home(id);; slot = (slot + 1) & (m_slots.size() - 1)) {
        if (m_slots[slot].order.id == id)
            return &m_slots[slot];
        if (m_slots[slot].order.id.value() == 0)
            return nullptr;
    }
}

const RiskTracker::OrderEntry *RiskTracker::OrderTable::find(OrderId id) const
{
    return const_cast<OrderTable *>(this)->find(id);
}

// Keeps the table at most half full, so that probes stay short.
void RiskTracker::OrderTable::insert(const OrderEntry &entry)
{
    if (2 * (m_size + 1) > m_slots.size())
        grow();
    const OrderId id = entry.order.id;
    std::size_t slot = home(id);
    while (m_slots[slot].order.id.value() != 0 && m_slots[slot].order.id != id)
        slot = (slot + 1) & (m_slots.size() - 1);
    if (m_slots[slot].order.id.value() == 0)
        ++m_size;
    m_slots[slot] = entry;
}

// Backward-shift deletion: each later entry of the probe run moves into the hole when its home
// does not lie between the hole and its slot, so lookups never need tombstones.
void RiskTracker::OrderTable::erase(OrderEntry *entry)
{
    const std::size_t mask = m_slots.size() - 1;
    auto hole = static_cast<std::size_t>(entry - m_slots.data());
    std::size_t next = (hole + 1) & mask;
    while (m_slots[next].order.id.value() != 0) {
        const std::size_t homeSlot = home(m_slots[next].order.id);
        const bool stays = hole <= next ? (hole < homeSlot && homeSlot <= next)
                                        : (hole < homeSlot || homeSlot <= next);
        if (!stays) {
            m_slots[hole] = m_slots[next];
            hole = next;
        }
        next = (next + 1) & mask;
    }
    m_slots[hole] = OrderEntry{};
    --m_size;
}

void RiskTracker::OrderTable::grow()
{
    std::vector<OrderEntry> old = std::move(m_slots);
    m_slots.assign(old.empty() ? 1024 : old.size() * 2, OrderEntry{});
    m_size = 0;
    for (const OrderEntry &entry : old) {
        if (entry.order.id.value() != 0)
            insert(entry);
    }
}

void RiskTracker::OrderTable::clear()
{
    m_slots.clear();
    m_size = 0;
}

// ---------------------------------------------------------------------------------------------
// Lookups

// An id past m_accountSlots: unknown when it is small enough for the table, otherwise found by
// a binary search of the accounts.
RiskTracker::AccountDay *RiskTracker::findFarAccount(AccountId account)
{
    if (account.value() < kDirectAccountIds)
        return nullptr;
    const auto found =
        std::lower_bound(m_accounts.begin(), m_accounts.end(), account,
                         [](const AccountDay &entry, AccountId id) { return entry.account < id; });
    return found != m_accounts.end() && found->account == account ? &*found : nullptr;
}

const TrackedOrder *RiskTracker::order(OrderId id) const
{
    const OrderEntry *entry = m_orders.find(id);
    return entry != nullptr ? &entry->order : nullptr;
}

Price RiskTracker::orderPrice(const OrderAccepted &order)
{
    switch (order.type) {
    case OrderType::Limit:
    case OrderType::StopLimit:
        return order.limit;
    case OrderType::Market:
        return order.protectionPrice;
    case OrderType::Stop:
        return order.protectionPrice > Price{0} ? order.protectionPrice : order.stopPrice;
    }
    return Price{};
}

std::vector<OrderId> RiskTracker::workingOrders(AccountId account) const
{
    std::vector<OrderId> ids;
    m_orders.forEach([&](const TrackedOrder &order) {
        if (account.value() == 0 || order.account == account)
            ids.push_back(order.id);
    });
    std::sort(ids.begin(), ids.end());
    return ids;
}

std::vector<AccountId> RiskTracker::accountsCoveredBy(AccountId account) const
{
    std::vector<AccountId> accounts;
    for (const AccountDay &day : m_accounts) {
        if (account.value() == 0 || day.account == account)
            accounts.push_back(day.account);
    }
    return accounts;
}

KillSwitchScope RiskTracker::killSwitch(AccountId account) const
{
    return m_evaluator.killSwitch(account);
}

RiskDecision RiskTracker::checkKillSwitch(AccountId account) const
{
    RiskDecision decision;
    if (m_evaluator.globalKillSwitch() != KillSwitchScope::None) {
        decision.rule = RiskRule::KillSwitch;
        decision.scope = LimitScope::Global;
        decision.killSwitch = m_evaluator.globalKillSwitch();
    } else if (m_evaluator.killSwitch(account) != KillSwitchScope::None) {
        decision.rule = RiskRule::KillSwitch;
        decision.scope = LimitScope::AccountDefault;
        decision.killSwitch = m_evaluator.killSwitch(account);
    }
    return decision;
}

void RiskTracker::addInstrument(const InstrumentDefinition &definition)
{
    if (m_evaluator.addInstrument(definition) == RiskUpdateResult::Ok)
        m_instruments.push_back(definition.id);
    else
        ++m_inconsistencies;
}

void RiskTracker::setReferencePrice(InstrumentId instrument, Price price)
{
    check(m_evaluator.setReferencePrice(instrument, price));
    ++m_valuationVersion;
}

RiskUpdateResult RiskTracker::validate(InstrumentId instrument, const RiskLimitsSet &set) const
{
    if (!tracks(set.account))
        return RiskUpdateResult::UnknownAccount;
    if (instrument.value() != 0 && m_evaluator.counters(set.account, instrument) == nullptr)
        return RiskUpdateResult::UnknownInstrument;
    if ((set.overridden & ~kOverridableRiskLimitFields) != 0 || !isValid(set.limits))
        return RiskUpdateResult::InvalidLimits;
    if (instrument.value() == 0 && set.overridden != 0)
        return RiskUpdateResult::InvalidLimits;
    return RiskUpdateResult::Ok;
}

// ---------------------------------------------------------------------------------------------
// Events

void RiskTracker::apply(const Event &event)
{
    m_lastTime = event.time;
    if (event.time.value() >= m_nextDayStart) [[unlikely]]
        startDay(event.time);
    std::visit(
        [&](const auto &payload) {
            using T = std::decay_t<decltype(payload)>;
            if constexpr (std::is_same_v<T, OrderAccepted>) {
                applyAccepted(event, payload);
            } else if constexpr (std::is_same_v<T, Trade>) {
                applyTrade(event, payload);
            } else if constexpr (std::is_same_v<T, OrderCancelled>) {
                if (OrderEntry *entry = m_orders.find(payload.id))
                    leave(entry, entry->order.remaining);
            } else if constexpr (std::is_same_v<T, OrderReduced>) {
                if (OrderEntry *entry = m_orders.find(payload.id)) {
                    TrackedOrder *order = &entry->order;
                    const Quantity reduced = std::min(payload.reducedBy, order->remaining);
                    check(m_evaluator.onOrderReducedAt(entry->pair, order->side, order->valuation,
                                                       reduced, order->remaining));
                    order->remaining = order->remaining - reduced;
                    noteChange(order->account, order->instrument, entry->pair, Change::Falls);
                }
            } else if constexpr (std::is_same_v<T, OrderReplaced>) {
                if (OrderEntry *entry = m_orders.find(payload.id)) {
                    TrackedOrder *order = &entry->order;
                    // A Stop order's valuation is its protection or stop price, which only a
                    // new stop price moves; every other order is valued at its limit.
                    Price valuation = order->valuation;
                    if (payload.stopPrice > Price{0} && order->valuedAtStop)
                        valuation = payload.stopPrice;
                    else if (payload.price > Price{0} && !order->valuedAtStop &&
                             !order->valuedAtProtection)
                        valuation = payload.price;
                    check(m_evaluator.onOrderReplaced(
                        order->account, order->instrument, order->side, order->valuation,
                        order->remaining, valuation, payload.quantity));
                    order->valuation = valuation;
                    order->remaining = payload.quantity;
                    noteChange(order->account, order->instrument, entry->pair);
                }
            } else if constexpr (std::is_same_v<T, FillPosted>) {
                applyFill(event, payload);
            } else if constexpr (std::is_same_v<T, AccountOpened>) {
                const AccountSettings &settings = payload.settings;
                check(m_evaluator.configureAccount(
                    {settings.id, settings.type, settings.moneyDecimals, RiskLimits{}}));
                AccountDay day;
                day.account = settings.id;
                day.slot = m_evaluator.accountSlot(settings.id);
                setDay(day, tradingDayOf(event.time));
                day.cash = payload.openingBalance;
                day.alertRecords = static_cast<std::uint32_t>(
                    std::count_if(m_alerts.begin(), m_alerts.end(), [&](const RiskAlertRecord &r) {
                        return r.account == settings.id;
                    }));
                const auto position = std::lower_bound(
                    m_accounts.begin(), m_accounts.end(), settings.id,
                    [](const AccountDay &entry, AccountId id) { return entry.account < id; });
                m_accounts.insert(position, std::move(day));
                indexAccounts();
            } else if constexpr (std::is_same_v<T, RiskLimitsSet>) {
                applyLimits(event, payload);
            } else if constexpr (std::is_same_v<T, KillSwitchChanged>) {
                applyKillSwitch(payload);
            } else if constexpr (std::is_same_v<T, RiskRejected>) {
                if (AccountDay *account = findAccount(payload.account))
                    rollDay(*account, event.time);
            } else if constexpr (std::is_same_v<T, RiskAlert>) {
                applyAlert(event, payload);
            }
        },
        event.payload);
}

void RiskTracker::applyAccepted(const Event &event, const OrderAccepted &accepted)
{
    AccountDay *account = findAccount(accepted.account);
    if (account == nullptr)
        return;
    rollDay(*account, event.time);

    RiskOrder order{accepted.account,     event.instrument,  accepted.side,
                    orderPrice(accepted), accepted.quantity, event.time};
    order.price = m_evaluator.valuationPrice(order);
    // check() rejects what the counters cannot hold. Orders that skip it, the engine's own
    // closing orders, stay untracked when they fail here rather than counted in part.
    const RiskSlot pair = m_evaluator.pairSlot(accepted.account, event.instrument);
    if (pair == kNoRiskSlot || m_evaluator.onOrderAcceptedAt(pair, order) != RiskUpdateResult::Ok) {
        ++m_inconsistencies;
        return;
    }

    OrderEntry entry;
    entry.pair = pair;
    TrackedOrder &tracked = entry.order;
    tracked.id = accepted.id;
    tracked.account = accepted.account;
    tracked.instrument = event.instrument;
    tracked.side = accepted.side;
    tracked.valuation = order.price;
    tracked.remaining = accepted.quantity;
    tracked.valuedAtStop = accepted.type == OrderType::Stop && accepted.protectionPrice <= Price{0};
    tracked.valuedAtProtection =
        (accepted.type == OrderType::Stop || accepted.type == OrderType::Market) &&
        accepted.protectionPrice > Price{0};
    m_orders.insert(entry);
    noteChange(*account, event.instrument, pair);
}

void RiskTracker::applyTrade(const Event &event, const Trade &trade)
{
    if (trade.price > Price{0})
        check(m_evaluator.setReferencePrice(event.instrument, trade.price));
    ++m_valuationVersion;
    releaseFilled(trade.maker, trade.quantity);
    releaseFilled(trade.taker, trade.quantity);
}

// Takes a fill off the order's working quantity, and drops an order that has nothing left.
void RiskTracker::releaseFilled(OrderId id, Quantity quantity)
{
    OrderEntry *entry = m_orders.find(id);
    if (entry == nullptr)
        return;
    TrackedOrder *order = &entry->order;
    const Quantity filled = std::min(quantity, order->remaining);
    if (filled < quantity)
        ++m_inconsistencies;
    // The position moves with the FillPosted, which the portfolio accepted, so that a fill it
    // rejected leaves the position as a restart from a snapshot would find it.
    if (filled > Quantity{0})
        check(m_evaluator.onOrderReducedAt(entry->pair, order->side, order->valuation, filled,
                                           order->remaining));
    order->remaining = order->remaining - filled;
    noteChange(order->account, order->instrument, entry->pair, Change::Falls);
    if (order->remaining == Quantity{0})
        leave(entry, Quantity{0});
}

void RiskTracker::leave(OrderEntry *entry, Quantity quantity)
{
    const TrackedOrder &order = entry->order;
    check(m_evaluator.onOrderLeftAt(entry->pair, order.side, order.valuation, quantity));
    noteChange(order.account, order.instrument, entry->pair, Change::Falls);
    m_orders.erase(entry);
}

void RiskTracker::applyFill(const Event &event, const FillPosted &fill)
{
    AccountDay *account = findAccount(fill.account);
    if (account == nullptr)
        return;
    rollDay(*account, event.time);
    account->cash = fill.cashBalance;
    account->realizedNet =
        saturatedAdd(account->realizedNet, saturatedSubtract(fill.realizedProfitAndLoss, fill.fee));
    holdPosition(*account, fill.instrument);
    check(m_evaluator.setPosition(fill.account, fill.instrument, fill.position));
    ++m_valuationVersion;
    account->peak = std::max(account->peak, dayOf(*account, event.time).total);
    account->dayVersion = kStale;
    noteChange(*account, fill.instrument);
}

void RiskTracker::applyLimits(const Event &event, const RiskLimitsSet &set)
{
    AccountDay *account = findAccount(set.account);
    const Account *settings = m_portfolio->account(set.account);
    if (account == nullptr || settings == nullptr) {
        ++m_inconsistencies;
        return;
    }
    rollDay(*account, event.time);

    if (event.instrument.value() == 0) {
        check(m_evaluator.configureAccount(
            {set.account, settings->settings.type, settings->settings.moneyDecimals, set.limits}));
        account->limits = set.limits;
        account->dailyLossLimit = set.limits.dailyLossLimit;
        noteChange(set.account, InstrumentId{});
        for (const InstrumentId instrument : m_instruments)
            noteChange(set.account, instrument);
        return;
    }

    check(m_evaluator.setOverrides(set.account, event.instrument,
                                   overridesOf(set.limits, set.overridden)));
    const auto position = std::lower_bound(
        m_overrides.begin(), m_overrides.end(), std::pair{set.account, event.instrument},
        [](const RiskOverrideRecord &entry, const std::pair<AccountId, InstrumentId> &key) {
            return std::pair{entry.account, entry.instrument} < key;
        });
    const bool present = position != m_overrides.end() && position->account == set.account &&
                         position->instrument == event.instrument;
    if (set.overridden == 0) {
        if (present)
            m_overrides.erase(position);
    } else if (present) {
        position->limits = set.limits;
        position->overridden = set.overridden;
    } else {
        m_overrides.insert(position,
                           {set.account, event.instrument, set.limits, set.overridden, {}});
    }
    noteChange(set.account, event.instrument);
}

void RiskTracker::applyKillSwitch(const KillSwitchChanged &changed)
{
    if (changed.account.value() == 0) {
        if (changed.scope == KillSwitchScope::None)
            m_evaluator.resetGlobalKillSwitch();
        else
            m_evaluator.engageGlobalKillSwitch(changed.scope);
        return;
    }
    if (changed.scope == KillSwitchScope::None)
        check(m_evaluator.resetKillSwitch(changed.account));
    else
        check(m_evaluator.engageKillSwitch(changed.account, changed.scope));
}

void RiskTracker::applyAlert(const Event &event, const RiskAlert &alert)
{
    const auto matches = [&](const RiskAlertRecord &record) {
        return record.account == alert.account && record.instrument == event.instrument &&
               record.rule == alert.rule;
    };
    const auto found = std::find_if(m_alerts.begin(), m_alerts.end(), matches);
    AccountDay *account = findAccount(alert.account);
    if (alert.level == RiskAlertLevel::Normal) {
        if (found != m_alerts.end()) {
            m_alerts.erase(found);
            if (account != nullptr)
                --account->alertRecords;
        }
    } else if (found != m_alerts.end()) {
        found->level = alert.level;
    } else {
        m_alerts.push_back({alert.account, event.instrument, alert.rule, alert.level});
        if (account != nullptr)
            ++account->alertRecords;
    }
}

// ---------------------------------------------------------------------------------------------
// The trading day

void RiskTracker::rollDay(AccountDay &account, Timestamp time)
{
    if (!isAfterDay(account, time))
        return;
    setDay(account, tradingDayOf(time));
    account.dayStartRealized = account.realizedNet;
    account.dayStartUnrealized = unrealized(account);
    account.peak = Money{0};
}

void RiskTracker::setDay(AccountDay &account, std::int64_t day)
{
    account.day = day;
    account.dayLast = (detail::Int128{day} + 1) * kNanosecondsPerDay - 1;
    account.dayVersion = kStale;
}

// The first event of a new UTC day, of any account, starts the day for every account, before
// it changes anything. The day then starts from the marks at the end of the day before, so a
// loss that trades of other accounts make after midnight counts in the new day.
void RiskTracker::startDay(Timestamp time)
{
    for (AccountDay &account : m_accounts)
        rollDay(account, time);
    const std::int64_t day = tradingDayOf(time);
    m_nextDayStart = day >= std::numeric_limits<std::int64_t>::max() / kNanosecondsPerDay
                         ? std::numeric_limits<std::int64_t>::max()
                         : (day + 1) * kNanosecondsPerDay;
}

// Copies the portfolio's position of the account in the instrument, adding the instrument to
// the account's list the first time.
void RiskTracker::holdPosition(AccountDay &account, InstrumentId instrument)
{
    auto held =
        std::find_if(account.instruments.begin(), account.instruments.end(),
                     [&](const HeldPosition &entry) { return entry.instrument == instrument; });
    if (held == account.instruments.end()) {
        // The terms and the money scale never change, so the valuation is taken once.
        HeldPosition added{instrument, {}, {}, {}, false};
        const Account *owner = m_portfolio->account(account.account);
        const InstrumentTerms *terms = m_portfolio->instrument(instrument);
        if (owner != nullptr && terms != nullptr) {
            added.valuation = Valuation{terms->priceDecimals, terms->quantityDecimals,
                                        terms->multiplier, owner->settings.moneyDecimals};
            added.valued = true;
        }
        account.instruments.push_back(added);
        held = account.instruments.end() - 1;
    }
    const Position *position = m_portfolio->position(account.account, instrument);
    held->quantity = position != nullptr ? position->quantity : Quantity{};
    held->openCost = position != nullptr ? openMoneyCost(*position) : Money{};
}

// The open positions' P&L at the reference prices; positions without a price count nothing.
Money RiskTracker::unrealized(const AccountDay &account) const
{
    if (account.unrealizedVersion == m_valuationVersion)
        return account.unrealized;
    Money total;
    for (const HeldPosition &held : account.instruments) {
        const Price mark = m_evaluator.referencePrice(held.instrument);
        if (mark <= Price{0} || !held.valued || held.quantity == Quantity{0})
            continue;
        // As Portfolio::unrealizedProfitAndLoss() computes it, from the copy of the position.
        const Checked<Money> value = notional(mark, held.quantity, held.valuation);
        const Checked<Money> profit = subtractMoney(value.value, held.openCost);
        if (value.ok() && profit.ok())
            total = saturatedAdd(total, profit.value);
    }
    account.unrealized = total;
    account.unrealizedVersion = m_valuationVersion;
    return total;
}

// A time past the account's day starts a new one, in which nothing has happened yet.
DayProfitAndLoss RiskTracker::dayOf(const AccountDay &account, Timestamp time) const
{
    DayProfitAndLoss day;
    if (isAfterDay(account, time))
        return day;
    if (account.dayVersion == m_valuationVersion)
        return account.dayFigures;
    day.realized = saturatedSubtract(account.realizedNet, account.dayStartRealized);
    day.unrealized = saturatedSubtract(unrealized(account), account.dayStartUnrealized);
    day.total = saturatedAdd(day.realized, day.unrealized);
    day.peak = std::max(account.peak, day.total);
    day.drawdown = saturatedSubtract(day.peak, day.total);
    account.dayFigures = day;
    account.dayVersion = m_valuationVersion;
    return day;
}

DayProfitAndLoss RiskTracker::dayProfitAndLoss(AccountId account, Timestamp now) const
{
    const AccountDay *found = findAccount(account);
    return found ? dayOf(*found, now) : DayProfitAndLoss{};
}

void RiskTracker::refresh(const AccountDay &account, Timestamp time) const
{
    RiskAccountSnapshot snapshot;
    snapshot.cash = account.cash;
    // Only the daily loss rule reads the P&L, and the open positions cost a lookup each.
    if (account.dailyLossLimit > Money{0}) {
        const DayProfitAndLoss day = dayOf(account, time);
        snapshot.realizedProfitAndLoss = day.realized;
        snapshot.unrealizedProfitAndLoss = day.unrealized;
    }
    m_evaluator.updateSnapshotAt(account.slot, snapshot);
}

// ---------------------------------------------------------------------------------------------
// Checks

RiskDecision RiskTracker::check(const OrderAccepted &order, InstrumentId instrument,
                                Timestamp time) const
{
    const AccountDay *account = findAccount(order.account);
    if (account == nullptr)
        return {};
    refresh(*account, time);
    const RiskDecision decision = m_evaluator.check(
        {order.account, instrument, order.side, orderPrice(order), order.quantity, time});
    if (!decision.passed())
        return decision;

    // A market or stop buy without a protection price can fill at any price, so no buying power
    // check can hold for a cash account, which must pay for what it buys.
    const bool unbounded = (order.type == OrderType::Market || order.type == OrderType::Stop) &&
                           order.protectionPrice <= Price{0};
    if (!unbounded || order.side != Side::Buy)
        return decision;
    const Account *portfolioAccount = m_portfolio->account(order.account);
    if (portfolioAccount != nullptr && portfolioAccount->settings.type == AccountType::Cash) {
        RiskDecision missing;
        missing.rule = RiskRule::MissingPrice;
        missing.scope = LimitScope::CashBalance;
        missing.side = Side::Buy;
        return missing;
    }
    return decision;
}

RiskDecision RiskTracker::checkReplace(const TrackedOrder &order, Price newValuation,
                                       Quantity newRemaining, Timestamp time) const
{
    const AccountDay *account = findAccount(order.account);
    if (account == nullptr)
        return {};
    refresh(*account, time);
    return m_evaluator.checkReplace(
        {order.account, order.instrument, order.side, newValuation, newRemaining, time},
        order.valuation, order.remaining);
}

void RiskTracker::indexAccounts()
{
    m_accountSlots.clear();
    for (std::size_t index = 0; index < m_accounts.size(); ++index) {
        const std::uint32_t id = m_accounts[index].account.value();
        if (id >= kDirectAccountIds)
            continue;
        if (id >= m_accountSlots.size())
            m_accountSlots.resize(id + 1, 0);
        m_accountSlots[id] = static_cast<std::uint32_t>(index + 1);
    }
}

void RiskTracker::check(RiskUpdateResult result)
{
    if (result != RiskUpdateResult::Ok)
        ++m_inconsistencies;
}

// ---------------------------------------------------------------------------------------------
// Alerts and the monitor

void RiskTracker::noteChange(AccountId account, InstrumentId instrument, RiskSlot pair,
                             Change change)
{
    if (AccountDay *day = findAccount(account))
        noteChange(*day, instrument, pair, change);
}

void RiskTracker::noteChange(AccountDay &account, InstrumentId instrument, RiskSlot pair,
                             Change change)
{
    if (!account.changed) {
        account.changed = true;
        m_changedAccounts.push_back(account.account);
    }
    if (change == Change::MayRise)
        account.mayRise = true;
    if (instrument.value() == 0)
        return;

    // Most commands change one pair of the account, so the last entry is tried first.
    std::vector<std::pair<InstrumentId, RiskSlot>> &pairs = account.changedPairs;
    auto noted = !pairs.empty() && pairs.back().first == instrument
                     ? pairs.end() - 1
                     : std::find_if(pairs.begin(), pairs.end(),
                                    [&](const auto &entry) { return entry.first == instrument; });
    if (noted == pairs.end()) {
        if (pair == kNoRiskSlot)
            pair = m_evaluator.pairSlot(account.account, instrument);
        pairs.push_back({instrument, pair});
        noted = pairs.end() - 1;
    }
    if (change == Change::MayRise && noted->second < m_pairSettled.size())
        m_pairSettled[noted->second] = 0;
}

void RiskTracker::settlePair(RiskSlot pair)
{
    if (pair >= m_pairSettled.size())
        m_pairSettled.resize(pair + 1, 0);
    m_pairSettled[pair] = 1;
}

void RiskTracker::forgetChanges()
{
    for (const AccountId id : m_changedAccounts) {
        AccountDay *account = findAccount(id);
        account->changed = false;
        account->changedPairs.clear();
    }
    m_changedAccounts.clear();
}

// Accounts by id, each with its account-wide limits first and then its changed instruments by
// id.
void RiskTracker::alerts(std::vector<std::pair<InstrumentId, RiskAlert>> &alerts)
{
    const Timestamp now = m_lastTime;
    alerts.clear();
    if (m_changedAccounts.empty())
        return;
    if (m_changedAccounts.size() > 1)
        std::sort(m_changedAccounts.begin(), m_changedAccounts.end());
    // With the clock gone back, every use may have risen.
    const bool clockBack = now < m_alertsTime;
    m_alertsTime = std::max(m_alertsTime, now);
    for (const AccountId id : m_changedAccounts) {
        AccountDay &account = *findAccount(id);
        std::vector<std::pair<InstrumentId, RiskSlot>> &pairs = account.changedPairs;
        if (pairs.size() > 1)
            std::sort(pairs.begin(), pairs.end());
        appendAlerts(account, InstrumentId{}, kNoRiskSlot, now, clockBack || account.mayRise,
                     alerts);
        account.mayRise = false;
        for (const auto &[instrument, pair] : pairs) {
            appendAlerts(account, instrument, pair, now, clockBack || pairMayRise(pair), alerts);
            if (pair != kNoRiskSlot)
                settlePair(pair);
        }
        account.changed = false;
        pairs.clear();
    }
    m_changedAccounts.clear();
}

// Without an alert recorded for the account, every level was Normal when alerts() last looked,
// so only a use of 80% or more needs one, and a use that cannot have risen since is below 80%
// still (RiskEvaluator::accountReachesWarningAt()).
void RiskTracker::appendAlerts(AccountDay &account, InstrumentId instrument, RiskSlot pair,
                               Timestamp now, bool usesMayRise,
                               std::vector<std::pair<InstrumentId, RiskAlert>> &alerts)
{
    if (instrument.value() == 0)
        refresh(account, now);
    if (account.alertRecords == 0) {
        const bool reaches =
            instrument.value() == 0
                ? m_evaluator.accountReachesWarningAt(account.slot, now, !usesMayRise)
                : pair != kNoRiskSlot && m_evaluator.pairReachesWarningAt(pair, now, !usesMayRise);
        if (!reaches)
            return;
    }
    compareLevels(account.account, instrument, now, alerts);
}

// Out of line, so that the calls that find nothing to compare stay small.
void RiskTracker::compareLevels(AccountId accountId, InstrumentId instrument, Timestamp now,
                                std::vector<std::pair<InstrumentId, RiskAlert>> &alerts)
{
    m_evaluator.utilizationOf(accountId, instrument, now, m_uses);

    for (const LimitUse &use : m_uses) {
        const RiskAlertLevel level = levelOf(use.basisPoints);
        const auto found =
            std::find_if(m_alerts.begin(), m_alerts.end(), [&](const RiskAlertRecord &r) {
                return r.account == accountId && r.instrument == instrument && r.rule == use.rule;
            });
        const RiskAlertLevel recorded =
            found == m_alerts.end() ? RiskAlertLevel::Normal : found->level;
        if (level != recorded)
            alerts.push_back({instrument, RiskAlert{accountId, use.rule, use.scope, level, use.use,
                                                    use.limit, use.basisPoints}});
    }
    // A limit that was switched off no longer has a use: its alert returns to normal.
    for (const RiskAlertRecord &record : m_alerts) {
        if (record.account != accountId || record.instrument != instrument)
            continue;
        const bool listed = std::any_of(m_uses.begin(), m_uses.end(),
                                        [&](const LimitUse &u) { return u.rule == record.rule; });
        if (!listed)
            alerts.push_back({instrument, RiskAlert{accountId, record.rule, LimitScope::None,
                                                    RiskAlertLevel::Normal, 0, 0, 0}});
    }
}

RiskMonitor RiskTracker::monitor(AccountId accountId, Timestamp now) const
{
    RiskMonitor monitor;
    monitor.account = accountId;
    monitor.globalKillSwitch = m_evaluator.globalKillSwitch();
    const AccountDay *account = findAccount(accountId);
    const Account *portfolioAccount = m_portfolio->account(accountId);
    if (account == nullptr || portfolioAccount == nullptr)
        return monitor;

    monitor.killSwitch = m_evaluator.killSwitch(accountId);
    monitor.day = dayOf(*account, now);
    for (const HeldPosition &held : account->instruments) {
        const InstrumentId instrument = held.instrument;
        const Position *position = m_portfolio->position(accountId, instrument);
        const InstrumentTerms *terms = m_portfolio->instrument(instrument);
        if (position == nullptr || terms == nullptr || position->quantity == Quantity{0})
            continue;
        InstrumentExposure exposure{instrument, position->quantity,
                                    m_evaluator.referencePrice(instrument), Money{}};
        const Quantity size{position->quantity.value() < 0 ? -position->quantity.value()
                                                           : position->quantity.value()};
        const Valuation valuation{terms->priceDecimals, terms->quantityDecimals, terms->multiplier,
                                  portfolioAccount->settings.moneyDecimals};
        if (exposure.mark > Price{0}) {
            const Checked<Money> value = notional(exposure.mark, size, valuation);
            if (value.ok())
                exposure.exposure =
                    position->quantity.value() < 0 ? Money{-value.value.value()} : value.value;
        }
        monitor.exposures.push_back(exposure);
    }
    refresh(*account, now);
    monitor.limits = m_evaluator.utilization(accountId, now);
    return monitor;
}

// ---------------------------------------------------------------------------------------------
// Snapshot

RiskState RiskTracker::state() const
{
    RiskState state;
    state.globalKillSwitch = m_evaluator.globalKillSwitch();
    for (const AccountDay &account : m_accounts) {
        state.accounts.push_back(
            {account.account, account.limits, m_evaluator.killSwitch(account.account), account.day,
             account.realizedNet, account.dayStartRealized, account.dayStartUnrealized,
             account.peak, m_evaluator.rateTimes(account.account)});
    }
    for (const RiskOverrideRecord &record : m_overrides) {
        RiskOverrideRecord copy = record;
        copy.rateTimes = m_evaluator.rateTimes(record.account, record.instrument);
        state.overrides.push_back(std::move(copy));
    }
    state.alerts = m_alerts;
    std::sort(state.alerts.begin(), state.alerts.end(),
              [](const RiskAlertRecord &a, const RiskAlertRecord &b) {
                  return std::tuple{a.account, a.instrument, a.rule} <
                         std::tuple{b.account, b.instrument, b.rule};
              });
    return state;
}

bool RiskTracker::load(const RiskState &state, const std::vector<InstrumentDefinition> &instruments,
                       const std::vector<TrackedOrder> &orders)
{
    // Every open account has exactly one record, and nothing is set without one.
    const std::vector<Account> open = m_portfolio->state().accounts;
    if (open.size() != state.accounts.size())
        return false;
    for (std::size_t i = 0; i < open.size(); ++i) {
        if (open[i].settings.id != state.accounts[i].account)
            return false;
    }
    if (open.empty() && state.globalKillSwitch != KillSwitchScope::None)
        return false;

    RiskTracker loaded(*m_portfolio);
    for (const InstrumentDefinition &definition : instruments) {
        if (loaded.m_evaluator.addInstrument(definition) != RiskUpdateResult::Ok)
            return false;
        loaded.m_instruments.push_back(definition.id);
    }
    for (const RiskAccountRecord &record : state.accounts) {
        const Account *portfolioAccount = m_portfolio->account(record.account);
        if (portfolioAccount == nullptr || !isValid(record.limits) ||
            (!loaded.m_accounts.empty() && !(loaded.m_accounts.back().account < record.account)))
            return false;
        if (loaded.m_evaluator.configureAccount({record.account, portfolioAccount->settings.type,
                                                 portfolioAccount->settings.moneyDecimals,
                                                 record.limits}) != RiskUpdateResult::Ok)
            return false;
        if (record.killSwitch != KillSwitchScope::None)
            loaded.m_evaluator.engageKillSwitch(record.account, record.killSwitch);
        AccountDay day;
        day.account = record.account;
        day.slot = loaded.m_evaluator.accountSlot(record.account);
        day.limits = record.limits;
        day.dailyLossLimit = record.limits.dailyLossLimit;
        setDay(day, record.day);
        day.realizedNet = record.realizedNet;
        day.dayStartRealized = record.dayStartRealized;
        day.dayStartUnrealized = record.dayStartUnrealized;
        day.peak = record.peak;
        day.cash = portfolioAccount->balance;
        loaded.m_accounts.push_back(std::move(day));
    }
    loaded.indexAccounts();
    for (const AccountDay &account : loaded.m_accounts) {
        const std::int64_t next =
            account.day >= std::numeric_limits<std::int64_t>::max() / kNanosecondsPerDay
                ? std::numeric_limits<std::int64_t>::max()
                : (account.day + 1) * kNanosecondsPerDay;
        loaded.m_nextDayStart = std::max(loaded.m_nextDayStart, next);
    }
    if (state.globalKillSwitch != KillSwitchScope::None)
        loaded.m_evaluator.engageGlobalKillSwitch(state.globalKillSwitch);
    for (const RiskOverrideRecord &record : state.overrides) {
        if ((record.overridden & ~kOverridableRiskLimitFields) != 0 ||
            loaded.m_evaluator.setOverrides(record.account, record.instrument,
                                            overridesOf(record.limits, record.overridden)) !=
                RiskUpdateResult::Ok)
            return false;
        RiskOverrideRecord copy = record;
        copy.rateTimes.clear();
        loaded.m_overrides.push_back(std::move(copy));
    }

    // Positions from the portfolio, working orders from the book, then the rate windows as the
    // snapshot recorded them, which replaces what counting the orders put there.
    for (const PositionRecord &record : m_portfolio->state().positions) {
        AccountDay *account = loaded.findAccount(record.account);
        if (account == nullptr)
            continue;
        loaded.holdPosition(*account, record.instrument);
        if (loaded.m_evaluator.setPosition(record.account, record.instrument,
                                           record.position.quantity) != RiskUpdateResult::Ok)
            return false;
    }
    for (const TrackedOrder &order : orders) {
        if (loaded.findAccount(order.account) == nullptr || order.remaining <= Quantity{0} ||
            loaded.m_orders.find(order.id) != nullptr)
            return false;
        if (loaded.m_evaluator.onOrderAccepted({order.account, order.instrument, order.side,
                                                order.valuation, order.remaining, Timestamp{}}) !=
            RiskUpdateResult::Ok)
            return false;
        loaded.m_orders.insert(
            {order, loaded.m_evaluator.pairSlot(order.account, order.instrument)});
    }
    for (const RiskAccountRecord &record : state.accounts)
        loaded.m_evaluator.loadRateTimes(record.account, InstrumentId{}, record.rateTimes);
    for (const RiskOverrideRecord &record : state.overrides)
        loaded.m_evaluator.loadRateTimes(record.account, record.instrument, record.rateTimes);
    for (const RiskAlertRecord &alert : state.alerts) {
        if (loaded.findAccount(alert.account) == nullptr || alert.level == RiskAlertLevel::Normal)
            return false;
    }
    loaded.m_alerts = state.alerts;
    for (const RiskAlertRecord &alert : loaded.m_alerts)
        ++loaded.findAccount(alert.account)->alertRecords;

    *this = std::move(loaded);
    return true;
}

bool RiskTracker::configured() const
{
    if (m_evaluator.globalKillSwitch() != KillSwitchScope::None || !m_overrides.empty() ||
        !m_alerts.empty() || m_orders.size() != 0)
        return true;
    return std::any_of(m_accounts.begin(), m_accounts.end(), [&](const AccountDay &account) {
        return account.limits != RiskLimits{} ||
               m_evaluator.killSwitch(account.account) != KillSwitchScope::None ||
               account.day != 0 || account.realizedNet != Money{} ||
               account.dayStartRealized != Money{} || account.dayStartUnrealized != Money{} ||
               account.peak != Money{};
    });
}

std::uint64_t RiskTracker::stateHash() const
{
    Hasher hasher;
    hasher.add(static_cast<std::uint64_t>(m_evaluator.globalKillSwitch()));
    for (const AccountDay &account : m_accounts) {
        hasher.add(std::uint64_t{account.account.value()});
        hasher.add(account.limits);
        hasher.add(static_cast<std::uint64_t>(m_evaluator.killSwitch(account.account)));
        hasher.add(account.day);
        hasher.add(account.realizedNet.value());
        hasher.add(account.dayStartRealized.value());
        hasher.add(account.dayStartUnrealized.value());
        hasher.add(account.peak.value());
        for (const Timestamp time : m_evaluator.rateTimes(account.account))
            hasher.add(time.value());
    }
    for (const RiskOverrideRecord &record : m_overrides) {
        hasher.add(std::uint64_t{record.account.value()});
        hasher.add(std::uint64_t{record.instrument.value()});
        hasher.add(record.limits);
        hasher.add(std::uint64_t{record.overridden});
        for (const Timestamp time : m_evaluator.rateTimes(record.account, record.instrument))
            hasher.add(time.value());
    }
    std::vector<RiskAlertRecord> alerts = m_alerts;
    std::sort(alerts.begin(), alerts.end(), [](const RiskAlertRecord &a, const RiskAlertRecord &b) {
        return std::tuple{a.account, a.instrument, a.rule} <
               std::tuple{b.account, b.instrument, b.rule};
    });
    for (const RiskAlertRecord &alert : alerts) {
        hasher.add(std::uint64_t{alert.account.value()});
        hasher.add(std::uint64_t{alert.instrument.value()});
        hasher.add(static_cast<std::uint64_t>(alert.rule));
        hasher.add(static_cast<std::uint64_t>(alert.level));
    }

    // Tracked orders add up as independent hashes, so the table's layout does not matter.
    std::uint64_t orders = 0;
    m_orders.forEach([&orders](const TrackedOrder &order) {
        Hasher orderHasher;
        orderHasher.add(order.id.value());
        orderHasher.add(order.valuation.value());
        orderHasher.add(order.remaining.value());
        orderHasher.add(std::uint64_t{order.valuedAtStop} | std::uint64_t{order.valuedAtProtection}
                                                                << 1);
        orders += orderHasher.value();
    });
    hasher.add(orders);
    return hasher.value();
}

} // namespace bourse

#pragma once

// The engine's pre-trade risk state: the evaluator's limits and counters, kept in step with the
// events of every open account, the trading day of each account, and the alert levels.
//
// Everything here changes only through apply(), which the engine calls with each state-change
// event it publishes and with each event it restores. So an engine rebuilt from a journal has
// the counters, the rate windows and the day's P&L of the engine that wrote it, and decides the
// next order as it would have. The one exception is forgetOrderRateTimesAfter(), which no event
// records. Orders of accounts that are not open are not tracked, and no rule applies to them.

#include "events.h"
#include "portfolio.h"
#include "risk_checks.h"

#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace bourse {

inline constexpr std::int64_t kNanosecondsPerDay = 86'400 * kNanosecondsPerSecond;

// The trading day of a timestamp: whole days since the Unix epoch, in UTC.
std::int64_t tradingDayOf(Timestamp time);

// The day's P&L of an account and its drawdown from the day's peak, in money units.
struct DayProfitAndLoss {
    Money realized;   // realized P&L less fees, since the day began
    Money unrealized; // of the open positions, less what they showed when the day began
    Money total;
    Money peak;     // the highest total at the account's fills today, and zero at the start
    Money drawdown; // peak (or total, when higher) less total
};

// An account's exposure in one instrument: its position valued at the mark.
struct InstrumentExposure {
    InstrumentId instrument;
    Quantity position;
    Price mark;     // the reference price: the last trade, or the definition's price before one
    Money exposure; // signed: position * mark * multiplier, in the account's money units
};

// The figures a risk dashboard shows for one account.
struct RiskMonitor {
    AccountId account;
    KillSwitchScope killSwitch = KillSwitchScope::None;       // the account's own switch
    KillSwitchScope globalKillSwitch = KillSwitchScope::None; // the switch over every account
    DayProfitAndLoss day;
    std::vector<InstrumentExposure> exposures; // instruments with a nonzero position
    std::vector<LimitUse> limits;              // every enabled limit with a standing use
};

// An order the risk state counts as working.
struct TrackedOrder {
    OrderId id;
    AccountId account;
    InstrumentId instrument;
    Price valuation; // the price its notional was counted at; zero counted none
    Quantity remaining;
    Side side = Side::Buy;
    bool valuedAtStop = false;       // a Stop order without a protection price
    bool valuedAtProtection = false; // a Market or Stop order with a protection price
};

// The persistent part of the risk state, for an engine snapshot. Counters are not part of it:
// they follow from the live orders and the portfolio's positions.
struct RiskAccountRecord {
    AccountId account;
    RiskLimits limits;
    KillSwitchScope killSwitch = KillSwitchScope::None;
    std::int64_t day = 0;
    Money realizedNet; // realized P&L less fees since the account opened
    Money dayStartRealized;
    Money dayStartUnrealized;
    Money peak;
    std::vector<Timestamp> rateTimes;
};

struct RiskOverrideRecord {
    AccountId account;
    InstrumentId instrument;
    RiskLimits limits;
    std::uint16_t overridden = 0;
    std::vector<Timestamp> rateTimes;
};

struct RiskAlertRecord {
    AccountId account;
    InstrumentId instrument;
    RiskRule rule = RiskRule::None;
    RiskAlertLevel level = RiskAlertLevel::Normal;
};

struct RiskState {
    KillSwitchScope globalKillSwitch = KillSwitchScope::None;
    std::vector<RiskAccountRecord> accounts;   // by account id
    std::vector<RiskOverrideRecord> overrides; // by account, then instrument
    std::vector<RiskAlertRecord> alerts;       // levels other than Normal
};

// The overrides that RiskLimitsSet fields marked in `overridden` stand for.
RiskLimitOverrides overridesOf(const RiskLimits &limits, std::uint16_t overridden);

class RiskTracker {
public:
    explicit RiskTracker(const Portfolio &portfolio)
        : m_portfolio(&portfolio)
    {
    }

    // Whether an account is open, so that orders are checked at all.
    bool active() const { return !m_accounts.empty(); }
    bool tracks(AccountId account) const { return findAccount(account) != nullptr; }

    // Adds an instrument, which the engine does as it adds one, whether or not accounts are open.
    void addInstrument(const InstrumentDefinition &definition);
    // Sets the price the band and market orders are valued from. The engine syncs it when the
    // first account opens, and each Trade applied moves it after that.
    void setReferencePrice(InstrumentId instrument, Price price);

    // The result RiskLimitsSet would have, without changing anything.
    RiskUpdateResult validate(InstrumentId instrument, const RiskLimitsSet &set) const;

    // Applies one state-change event, published or restored. Events of accounts and orders that
    // are not tracked change nothing, and so does InstrumentAdded (see addInstrument()).
    void apply(const Event &event);

    // Drops from every rate window the order times later than `time`, outside apply(): see
    // Engine::forgetOrderRateTimesAfter(), the one caller.
    void forgetOrderRateTimesAfter(Timestamp time) { m_evaluator.forgetRateTimesAfter(time); }

    // Returns the risk decision for a new order at `time`, without changing anything.
    RiskDecision check(const OrderAccepted &order, InstrumentId instrument, Timestamp time) const;
    // Returns the risk decision for a replace of a tracked order to a new valuation price and
    // remaining quantity.
    RiskDecision checkReplace(const TrackedOrder &order, Price newValuation, Quantity newRemaining,
                              Timestamp time) const;

    // nullptr for an order that is not tracked.
    const TrackedOrder *order(OrderId id) const;
    // Returns the price an accepted order's notional is counted at: its limit, or for a market
    // or stop order its protection price or stop price. Zero leaves it to the reference price.
    static Price orderPrice(const OrderAccepted &order);

    // The tracked working orders of an account, or of every account for id zero, by id.
    std::vector<OrderId> workingOrders(AccountId account) const;
    // The accounts a kill switch on `account` covers: that one, or every open account for zero.
    std::vector<AccountId> accountsCoveredBy(AccountId account) const;
    KillSwitchScope killSwitch(AccountId account) const;
    // The decision of the kill switches alone for an order of `account`: a pass, or KillSwitch
    // with the global scope first.
    RiskDecision checkKillSwitch(AccountId account) const;
    KillSwitchScope globalKillSwitch() const { return m_evaluator.globalKillSwitch(); }

    // Replaces `alerts` with the alerts, each with its instrument, that the pairs changed since
    // the last call require at the time of the last event applied. A limit needs one when its
    // level (below 80%, from 80%, from 100%) differs from the level of its last alert. Applying
    // each RiskAlert records its level.
    // NOTE: only the account's own events change its pairs. A daily loss that grows with the
    // trades of others, or an order rate that falls as time passes, is looked at again at the
    // account's next event.
    void alerts(std::vector<std::pair<InstrumentId, RiskAlert>> &alerts);
    // Drops the pairs changed so far, as restoring events raises no alert.
    void forgetChanges();
    // The time of the last event applied, which alerts() measures at.
    Timestamp lastEventTime() const { return m_lastTime; }

    RiskMonitor monitor(AccountId account, Timestamp now) const;
    DayProfitAndLoss dayProfitAndLoss(AccountId account, Timestamp now) const;

    const RiskEvaluator &evaluator() const { return m_evaluator; }

    // The number of problems apply() met that only a bug can cause, such as a fill larger than
    // the working quantity. It is a count for diagnostics, not part of the state.
    std::uint64_t inconsistencies() const { return m_inconsistencies; }

    RiskState state() const;
    // Replaces the whole risk state: the instruments (with their current reference prices), the
    // records of a snapshot, the portfolio's positions and the working orders. Returns false,
    // changing nothing, on a record that does not fit them, such as an unknown account.
    bool load(const RiskState &state, const std::vector<InstrumentDefinition> &instruments,
              const std::vector<TrackedOrder> &orders);
    // Whether any of the risk state differs from that of accounts just loaded from a snapshot
    // format without it: limits, overrides, a kill switch, an alert level, a tracked order, or a
    // trading day or P&L. Until then the engine's state hash leaves the risk state out, which
    // keeps the hashes that engines and snapshots from before risk limits recorded.
    bool configured() const;
    // Hashes limits, overrides, kill switches, rate windows, alert levels, the day's baselines
    // and the tracked orders.
    std::uint64_t stateHash() const;

private:
    // The portfolio's position of an account in one instrument, as its unrealized P&L needs it.
    // Only FillPosted moves a position, so each one refreshes this copy.
    struct HeldPosition {
        InstrumentId instrument;
        Quantity quantity;
        Money openCost; // openMoneyCost() of the position
        Valuation valuation;
        bool valued = false; // false when the portfolio has no terms to value the position
    };

    // What each check and each command's alerts read comes first, in as few cache lines as it
    // fits.
    struct AccountDay {
        AccountId account;
        RiskSlot slot = kNoRiskSlot; // the evaluator's
        // The account's records in m_alerts: while there are none, every level is Normal.
        std::uint32_t alertRecords = 0;
        // Changed since the last alerts(): the account, and which of its pairs.
        bool changed = false;
        // Whether a use of the account-wide limits may have risen since alerts() last looked
        // at them, other than the daily loss.
        bool mayRise = true;
        Money cash; // the balance of the account's last FillPosted, or its opening balance
        Money dailyLossLimit; // limits.dailyLossLimit
        // The last nanosecond of `day`, in 128 bits so that every day has one.
        detail::Int128 dayLast = kNanosecondsPerDay - 1;
        // dayOf() within `day` at m_valuationVersion == dayVersion. Anything else that moves the
        // day's figures (a fill, a new day) sets dayVersion to kStale.
        mutable DayProfitAndLoss dayFigures;
        mutable std::uint64_t dayVersion = kStale;
        // unrealized() at m_valuationVersion == unrealizedVersion, so that the checks between
        // two trades value the positions once.
        mutable Money unrealized;
        mutable std::uint64_t unrealizedVersion = kStale;
        std::vector<std::pair<InstrumentId, RiskSlot>> changedPairs;
        std::vector<HeldPosition> instruments; // every instrument the account has posted fills of

        RiskLimits limits;
        std::int64_t day = 0;
        Money realizedNet;
        Money dayStartRealized;
        Money dayStartUnrealized;
        Money peak;
    };

    static constexpr std::uint64_t kStale = ~std::uint64_t{0};

    // A tracked order and the evaluator's slot of its pair.
    struct OrderEntry {
        TrackedOrder order;
        RiskSlot pair = kNoRiskSlot;
    };

    // An open-addressing map from order id to OrderEntry that erases by shifting entries back,
    // so that it allocates only when it grows.
    class OrderTable {
    public:
        OrderEntry *find(OrderId id);
        const OrderEntry *find(OrderId id) const;
        void insert(const OrderEntry &entry);
        // Erases the entry find() returned; other entries may move.
        void erase(OrderEntry *entry);
        template <typename Function>
        void forEach(Function function) const
        {
            for (const OrderEntry &slot : m_slots) {
                if (slot.order.id.value() != 0)
                    function(slot.order);
            }
        }
        void clear();
        std::size_t size() const { return m_size; }

    private:
        std::size_t home(OrderId id) const;
        void grow();

        std::vector<OrderEntry> m_slots;
        std::size_t m_size = 0;
    };

    AccountDay *findAccount(AccountId account);
    const AccountDay *findAccount(AccountId account) const;
    AccountDay *findFarAccount(AccountId account);

    void applyLimits(const Event &event, const RiskLimitsSet &set);
    void applyKillSwitch(const KillSwitchChanged &changed);
    void applyAccepted(const Event &event, const OrderAccepted &accepted);
    void applyTrade(const Event &event, const Trade &trade);
    void applyFill(const Event &event, const FillPosted &fill);
    void applyAlert(const Event &event, const RiskAlert &alert);
    void releaseFilled(OrderId id, Quantity quantity);
    // Releases `quantity` of an order that leaves and stops tracking it.
    void leave(OrderEntry *entry, Quantity quantity);

    // Starts a new day for the account when `time` falls after its current one.
    void rollDay(AccountDay &account, Timestamp time);
    static void setDay(AccountDay &account, std::int64_t day);
    static bool isAfterDay(const AccountDay &account, Timestamp time)
    {
        return time.value() > account.dayLast;
    }
    Money unrealized(const AccountDay &account) const;
    DayProfitAndLoss dayOf(const AccountDay &account, Timestamp time) const;
    // Posts cash and the day's P&L into the evaluator's copy, which check() reads.
    void refresh(const AccountDay &account, Timestamp time) const;
    // The effect of a change on the uses of an account's limits, apart from the daily loss, which
    // the marks move as well. After Falls every use is at most what it was: an order left or
    // shrank.
    enum class Change : std::uint8_t { Falls, MayRise };

    // Notes that a pair changed, for alerts(). `pair` is the evaluator's slot of the pair when
    // the caller has it.
    void noteChange(AccountId account, InstrumentId instrument, RiskSlot pair = kNoRiskSlot,
                    Change change = Change::MayRise);
    void noteChange(AccountDay &account, InstrumentId instrument, RiskSlot pair = kNoRiskSlot,
                    Change change = Change::MayRise);
    // Appends the alerts one account-wide (instrument zero) or instrument limit set needs.
    void appendAlerts(AccountDay &account, InstrumentId instrument, RiskSlot pair, Timestamp now,
                      bool usesMayRise, std::vector<std::pair<InstrumentId, RiskAlert>> &alerts);
    // Appends an alert for each limit whose level differs from the recorded one.
    [[gnu::noinline]] void compareLevels(AccountId account, InstrumentId instrument, Timestamp now,
                                         std::vector<std::pair<InstrumentId, RiskAlert>> &alerts);
    // Whether a use of the pair's limits may have risen since alerts() last looked at it.
    bool pairMayRise(RiskSlot pair) const
    {
        return pair >= m_pairSettled.size() || m_pairSettled[pair] == 0;
    }
    void settlePair(RiskSlot pair);
    void holdPosition(AccountDay &account, InstrumentId instrument);
    void indexAccounts();
    void startDay(Timestamp time);
    void check(RiskUpdateResult result);

    const Portfolio *m_portfolio;
    // Mutable for refresh(): the evaluator keeps a copy of each account's money, which a check
    // brings up to date before it reads it.
    mutable RiskEvaluator m_evaluator;
    std::vector<AccountDay> m_accounts; // by account id
    // Index in m_accounts plus one, by account id, for ids below 65,536.
    std::vector<std::uint32_t> m_accountSlots;
    // Moves on with every trade and every posted fill, which change marks and positions.
    std::uint64_t m_valuationVersion = 0;
    std::vector<InstrumentId> m_instruments;
    std::vector<RiskOverrideRecord> m_overrides;
    std::vector<RiskAlertRecord> m_alerts;
    OrderTable m_orders;
    std::vector<AccountId> m_changedAccounts;
    // By the evaluator's pair slot: nonzero once alerts() looked at the pair and no use of its
    // limits may have risen since. A slot past the end may have risen.
    std::vector<std::uint8_t> m_pairSettled;
    // The latest time alerts() measured at. Uses only fall as time passes, except the daily
    // loss, so a pair can stay settled only while the clock does not go back.
    Timestamp m_alertsTime{std::numeric_limits<std::int64_t>::min()};
    std::vector<LimitUse> m_uses;
    std::uint64_t m_inconsistencies = 0;
    Timestamp m_lastTime;
    // The first nanosecond after the current trading day of every account; an event at or past
    // it starts a new day for all of them.
    std::int64_t m_nextDayStart = std::numeric_limits<std::int64_t>::min();
};

// Inline, because every check and every event of an account looks it up.
inline RiskTracker::AccountDay *RiskTracker::findAccount(AccountId account)
{
    if (account.value() < m_accountSlots.size()) [[likely]] {
        const std::uint32_t slot = m_accountSlots[account.value()];
        return slot != 0 ? &m_accounts[slot - 1] : nullptr;
    }
    return findFarAccount(account);
}

inline const RiskTracker::AccountDay *RiskTracker::findAccount(AccountId account) const
{
    return const_cast<RiskTracker *>(this)->findAccount(account);
}

} // namespace bourse

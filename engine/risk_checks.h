#pragma once

// Pre-trade risk checks: the limits an order must stay within before it reaches a book, the
// counters of working orders they need, the kill switch, and how much of each limit is in use.
//
// The evaluator is single-writer state on the engine thread. check() is const, allocates
// nothing and takes no lock, so a trading screen can also call it to learn whether an order
// would pass before it is sent. Updates (onOrderAccepted, onOrderLeft, onFill) are O(1) and
// allocate nothing once the account and instrument are configured, because configuring either
// one preallocates every account and instrument pair. docs/risk.md works through each rule.
//
// Units: quantities and prices as in the instrument's definition, money in units of
// 10^-moneyDecimals of the account's currency. Every money product comes from money.h.

#include "events.h"
#include "money.h"
#include "portfolio.h"
#include "risk_types.h"
#include "types.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace bourse {

// The limits of one account for one instrument. An empty field uses the account's limit and
// zero disables the rule for this instrument. Open orders and order rate, when set, limit this
// instrument's own count in addition to the account's total.
struct RiskLimitOverrides {
    std::optional<Quantity> maximumOrderQuantity;
    std::optional<Money> maximumOrderNotional;
    std::optional<Quantity> maximumLongPosition;
    std::optional<Quantity> maximumShortPosition;
    std::optional<std::int64_t> priceBandBasisPoints;
    std::optional<std::int64_t> maximumOpenOrders;
    std::optional<std::int64_t> maximumOrdersPerSecond;

    friend bool operator==(const RiskLimitOverrides &, const RiskLimitOverrides &) = default;
};

// An account's type, money scale and default limits.
struct RiskAccountSettings {
    AccountId id;
    AccountType type = AccountType::Cash;
    std::uint8_t moneyDecimals = 2;
    RiskLimits limits;
};

// The money of an account the evaluator reads but does not compute. The engine posts it from
// the portfolio after each fill and each change of the mark price.
struct RiskAccountSnapshot {
    Money cash; // the balance, which bounds a cash account's buying power
    // P&L since the start of the trading day, so the caller subtracts the realized P&L at the
    // day's start from the portfolio's running total.
    Money realizedProfitAndLoss;
    Money unrealizedProfitAndLoss; // of the open positions at the current mark

    friend bool operator==(const RiskAccountSnapshot &, const RiskAccountSnapshot &) = default;
};

// An order as the checks see it. price is the limit price, or for a market order its
// protection price, or zero, in which case the instrument's reference price values it.
struct RiskOrder {
    AccountId account;
    InstrumentId instrument;
    Side side = Side::Buy;
    Price price;
    Quantity quantity;
    Timestamp time; // the command's timestamp, which the rate rule counts in
};

// The outcome of check(): passed, or the first failing rule with the values that decided it.
// The values per rule (unit in brackets):
//   OrderQuantity  order = wouldBe = the order's quantity (Quantity)
//   OrderNotional  order = wouldBe = |notional| (Money)
//   PriceBand      current = reference price, order = order price (Price); wouldBe = the
//                  distance in basis points of the reference, rounded up; limit in basis points
//   PositionLong   current = position, working = open buys, order = quantity (Quantity);
//                  wouldBe = their sum
//   PositionShort  current = position, working = open sells, order = quantity (Quantity);
//                  wouldBe = -(position - open sells - quantity), the short size
//   OpenOrders     current = working orders, order = 1, wouldBe = current + 1 (Count)
//   OrderRate      current = orders in the last second, order = 1, wouldBe = current + 1 (Count)
//   DailyLoss      current = realized, working = unrealized (Money); wouldBe = the loss
//   BuyingPower    working = committed by working orders, order = notional (Money); wouldBe =
//                  their sum; limit = the cash balance (scope CashBalance) or the
//                  configured buying power of a margin account (scope AccountDefault)
//   KillSwitch     killSwitch = the engaged scope, scope = AccountDefault or Global
struct RiskDecision {
    RiskRule rule = RiskRule::None;
    LimitScope scope = LimitScope::None;
    KillSwitchScope killSwitch = KillSwitchScope::None;
    RiskUnit unit = RiskUnit::None;
    std::uint8_t decimals = 0; // of the values in `unit`
    Side side = Side::Buy;
    std::int64_t current = 0;
    std::int64_t working = 0;
    std::int64_t order = 0;
    std::int64_t wouldBe = 0;
    std::int64_t limit = 0;

    constexpr bool passed() const { return rule == RiskRule::None; }
};

// A sentence for a trader, such as "rejected: position limit, would be 1,200 long against the
// account limit of 1,000 (position 700, open buys 300, this order 200)".
std::string describe(const RiskDecision &decision);

// The result of a configuration or update call. On anything but Ok nothing changed.
enum class RiskUpdateResult : std::uint8_t {
    Ok = 0,
    UnknownAccount,
    UnknownInstrument,
    InvalidAccount,      // an id of zero or a money scale above kMaximumDecimals
    InvalidInstrument,   // an id of zero, a scale above kMaximumDecimals or a multiplier <= 0
    DuplicateInstrument, // an instrument with the id was added already
    InvalidLimits,       // a negative limit, or an order rate above kMaximumOrdersPerSecond
    InvalidQuantity,     // zero or negative, or more than the order has working
    InvalidPrice,        // negative
    NoWorkingOrder,      // an order left while the pair counts no working order
    OutOfRange,          // a counter would leave 64 bits
};

std::string_view nameOf(RiskUpdateResult result);

// Counters of one account's working orders in one instrument.
struct RiskPairCounters {
    Quantity position;
    Quantity openBuyQuantity;
    Quantity openSellQuantity;
    Money openBuyNotional; // account money units, valued at each order's price
    Money openSellNotional;
    std::int64_t openOrders = 0;

    friend bool operator==(const RiskPairCounters &, const RiskPairCounters &) = default;
};

// Counters of one account over every instrument.
struct RiskAccountCounters {
    Money openBuyNotional;
    Money openSellNotional;
    std::int64_t openOrders = 0;

    friend bool operator==(const RiskAccountCounters &, const RiskAccountCounters &) = default;
};

// The use of one limit, for a risk dashboard and alerts.
struct LimitUse {
    RiskRule rule = RiskRule::None;
    LimitScope scope = LimitScope::None;
    InstrumentId instrument; // zero for an account-wide limit
    std::int64_t use = 0;    // in the rule's unit, as RiskDecision::wouldBe without the order
    std::int64_t limit = 0;
    std::int64_t basisPoints = 0; // use / limit in 1/10000, rounded down; 10000 is 100%
};

// Utilization levels that raise alerts.
inline constexpr std::int64_t kWarningBasisPoints = 8'000; // 80%
inline constexpr std::int64_t kLimitBasisPoints = 10'000;  // 100%

// The thresholds a change of utilization crossed, as bits.
enum class ThresholdCrossing : std::uint8_t {
    None = 0,
    WarningReached = 1, // rose to 80% or more from below
    LimitReached = 2,   // rose to 100% or more from below
    WarningCleared = 4, // fell below 80% from at or above it
    LimitCleared = 8,   // fell below 100% from at or above it
};

struct ThresholdCrossings {
    std::uint8_t bits = 0;

    constexpr bool contains(ThresholdCrossing crossing) const
    {
        return (bits & static_cast<std::uint8_t>(crossing)) != 0;
    }
};

// The thresholds crossed when a limit's use goes from `before` to `after` basis points.
ThresholdCrossings crossedThresholds(std::int64_t before, std::int64_t after);

// use / limit in basis points, rounded down; zero for a use of zero or less or a limit of zero.
std::int64_t utilizationBasisPoints(std::int64_t use, std::int64_t limit);

// Whether utilizationBasisPoints(use, limit) is kWarningBasisPoints or more, without dividing:
// use * 10,000 / limit >= 8,000 is true exactly when 5 * use >= 4 * limit.
constexpr bool reachesWarning(std::int64_t use, std::int64_t limit)
{
    static_assert(kWarningBasisPoints * 5 == kLimitBasisPoints * 4);
    __extension__ using Wide = __int128;
    return use > 0 && limit > 0 && Wide{use} * 5 >= Wide{limit} * 4;
}

// The timestamps of the latest orders, as many as the rate limit, in a ring of fixed size.
// The ring only grows: a limit lowered and raised again within a second still counts the orders
// recorded under the higher one.
// NOTE: a window records nothing while its limit is zero, so a limit switched on counts orders
// from then on, not the ones of the second before.
class RateWindow {
public:
    // Sets the limit to `limit` orders per second, growing the ring to hold that many.
    void resize(std::int64_t limit);
    void record(Timestamp time);
    // Whether one more order at `now` stays within the limit.
    bool allows(Timestamp now) const;
    // The number of recorded orders in (now - 1 s, now].
    std::int64_t countSince(Timestamp now) const;
    // Whether countSince(now) >= count. While the recorded times never go back, it reads one
    // timestamp instead of searching the window.
    bool holdsAtLeast(std::int64_t count, Timestamp now) const;
    // Whether the recorded times are in order, oldest first, so that countSince() only falls as
    // `now` moves on.
    bool inTimeOrder() const { return m_descents == 0; }
    std::int64_t limit() const { return m_limit; }
    // The recorded timestamps, oldest first, for a snapshot.
    std::vector<Timestamp> times() const;
    // Replaces the recorded timestamps with `times`, oldest first, growing the ring to hold
    // them all.
    void load(const std::vector<Timestamp> &times);
    // Drops the recorded timestamps later than `time` and keeps the others in their order.
    void forgetAfter(Timestamp time);

private:
    void grow(std::size_t capacity);
    // The recorded timestamp `logical` places after the oldest one.
    Timestamp at(std::size_t logical) const;
    void countDescents();

    std::vector<Timestamp> m_times;
    std::size_t m_next = 0; // the slot the next timestamp goes to, which is the oldest when full
    std::size_t m_count = 0;
    std::int64_t m_limit = 0;
    // Neighbouring recorded timestamps, oldest first, where the later one is earlier. Zero
    // means the ring is sorted, which countSince() and holdsAtLeast() rely on.
    std::size_t m_descents = 0;
};

inline constexpr std::int64_t kNanosecondsPerSecond = 1'000'000'000;

// An open-addressing map from a 64-bit key to a 32-bit index, for the check path: a lookup
// hashes with one multiplication and probes a power-of-two table linearly, without allocating.
// Insertion may grow the table, so it belongs to configuration.
class RiskKeyIndex {
public:
    static constexpr std::uint32_t kNotFound = 0xffff'ffff;

    void insert(std::uint64_t key, std::uint32_t index);
    std::uint32_t find(std::uint64_t key) const
    {
        if (m_slots.empty())
            return kNotFound;
        for (std::size_t slot = slotOf(key);; slot = (slot + 1) & (m_slots.size() - 1)) {
            if (m_slots[slot].index == kNotFound || m_slots[slot].key == key)
                return m_slots[slot].index;
        }
    }

private:
    struct Slot {
        std::uint64_t key = 0;
        std::uint32_t index = kNotFound;
    };

    std::size_t slotOf(std::uint64_t key) const
    {
        // Fibonacci hashing: the top bits of key * 2^64 / golden ratio.
        return static_cast<std::size_t>((key * 0x9e37'79b9'7f4a'7c15ULL) >> m_shift);
    }

    std::vector<Slot> m_slots;
    int m_shift = 64;
    std::size_t m_count = 0;
};

// A map from an account or instrument id to an index, read on the check path: ids below 65,536
// index a table directly, larger ones go through a hash map. It keeps the find()/end() and
// `->second` form of a standard map.
class RiskIdIndex {
public:
    struct Entry {
        std::uint32_t first = 0;
        std::uint32_t second = kNone;
    };

    const Entry *find(std::uint32_t id) const
    {
        if (id < m_direct.size())
            return m_direct[id].second != kNone ? &m_direct[id] : nullptr;
        const auto found = m_far.find(id);
        return found != m_far.end() ? &found->second : nullptr;
    }
    const Entry *end() const { return nullptr; }
    bool contains(std::uint32_t id) const { return find(id) != nullptr; }
    void emplace(std::uint32_t id, std::uint32_t index);

private:
    static constexpr std::uint32_t kNone = 0xffff'ffff;
    static constexpr std::uint32_t kDirectIds = 1 << 16;

    std::vector<Entry> m_direct;
    std::unordered_map<std::uint32_t, Entry> m_far;
};

// The place of an account, or of an account and instrument pair, in RiskEvaluator.
using RiskSlot = std::uint32_t;
inline constexpr RiskSlot kNoRiskSlot = 0xffff'ffff;

// The checks, their limits and their counters.
class RiskEvaluator {
public:
    // Adds an instrument with its definition's reference price, and a pair for every account.
    RiskUpdateResult addInstrument(const InstrumentDefinition &definition);

    // Opens an account with a pair for every instrument, or replaces the settings of an open
    // one and keeps its counters. The money scale of an open account cannot change
    // (InvalidAccount), because its counters and snapshot are in that scale.
    RiskUpdateResult configureAccount(const RiskAccountSettings &settings);

    // Replaces the account's overrides for one instrument.
    RiskUpdateResult setOverrides(AccountId account, InstrumentId instrument,
                                  const RiskLimitOverrides &overrides);

    // The price the band is measured from, and that values market orders without a price. Zero
    // means none yet: the band passes every price and such market orders are MissingPrice.
    RiskUpdateResult setReferencePrice(InstrumentId instrument, Price reference);

    RiskUpdateResult updateSnapshot(AccountId account, const RiskAccountSnapshot &snapshot);

    // Sets a position, such as the portfolio's after a restart. Fills move it after that.
    RiskUpdateResult setPosition(AccountId account, InstrumentId instrument, Quantity position);

    // Checks an order against every rule without changing anything, and returns the first
    // rule it fails or a pass. O(number of rules), no allocation.
    RiskDecision check(const RiskOrder &order) const;

    // Checks what a replace adds to a working order, without changing anything. The rules on one
    // order (size, price band, notional) see the replacement whole: its new price and its new
    // remaining quantity. A price the replace keeps is not checked against the band again. The
    // position and buying power rules see only what it adds to the working counters, which count
    // the old order already: the added quantity, and the new notional less the old one. A replace
    // adds no order, so open orders and order rate do not apply. The kill switch and the daily loss
    // rule apply as to a new order.
    RiskDecision checkReplace(const RiskOrder &replacement, Price oldPrice,
                              Quantity oldQuantity) const;

    // The price that values `order` in check() and in the counters: its price, or the
    // instrument's reference price when the order has none. The engine passes this price back
    // in onOrderLeft and onFill.
    Price valuationPrice(const RiskOrder &order) const;

    // Counts an order the engine accepted as working, and as one more order in the rate
    // window at order.time. order.price must be valuationPrice(order).
    RiskUpdateResult onOrderAccepted(const RiskOrder &order);

    // Releases `remaining` of an order that left the book (cancelled, expired, or filled in
    // full with remaining zero) and counts one working order less. price is the order's
    // valuation price.
    RiskUpdateResult onOrderLeft(AccountId account, InstrumentId instrument, Side side, Price price,
                                 Quantity remaining);

    // Releases `quantity` of a working order that stays working, such as a fill or a reduction by
    // self-trade prevention. price is the order's valuation price and orderRemaining what the
    // order had before. The notional released is the order's notional before less its notional
    // after, so that the parts add up exactly to what acceptance counted.
    RiskUpdateResult onOrderReduced(AccountId account, InstrumentId instrument, Side side,
                                    Price price, Quantity quantity, Quantity orderRemaining);

    // Moves a working order from its old valuation price and remaining quantity to new ones,
    // as a replace does. It stays one working order and counts no order in the rate window.
    RiskUpdateResult onOrderReplaced(AccountId account, InstrumentId instrument, Side side,
                                     Price oldPrice, Quantity oldQuantity, Price newPrice,
                                     Quantity newQuantity);

    // Moves a fill of `quantity` of a working order from its working counters into the
    // position. price is the order's valuation price, not the trade price, so that the
    // notional released is the notional counted at acceptance.
    RiskUpdateResult onFill(AccountId account, InstrumentId instrument, Side side, Price price,
                            Quantity quantity);

    // Engages a kill switch. An engaged switch only escalates (Pause, then CancelAll, then
    // Flatten) and stays engaged until a person resets it.
    RiskUpdateResult engageKillSwitch(AccountId account, KillSwitchScope scope);
    void engageGlobalKillSwitch(KillSwitchScope scope);
    RiskUpdateResult resetKillSwitch(AccountId account);
    void resetGlobalKillSwitch();

    // The account's own kill switch scope; None for an unknown account.
    KillSwitchScope killSwitch(AccountId account) const;
    KillSwitchScope globalKillSwitch() const { return m_globalKillSwitch; }

    // The reference price of an instrument; zero for none or an unknown instrument.
    Price referencePrice(InstrumentId instrument) const;

    // The timestamps in the rate windows of an account, or of one of its instruments, oldest
    // first; empty for an unknown account or pair. loadRateTimes() puts them back after a
    // restart, which the window of the last second needs to decide as before.
    std::vector<Timestamp> rateTimes(AccountId account, InstrumentId instrument = {}) const;
    RiskUpdateResult loadRateTimes(AccountId account, InstrumentId instrument,
                                   const std::vector<Timestamp> &times);
    // Drops the timestamps later than `time` from every rate window, of accounts and of pairs.
    void forgetRateTimesAfter(Timestamp time);

    // nullptr for an unknown account or pair.
    const RiskPairCounters *counters(AccountId account, InstrumentId instrument) const;
    const RiskAccountCounters *accountCounters(AccountId account) const;

    // Every enabled limit of the account that has a standing use, with that use at `now`.
    // Per-order limits (order size, notional, price band) have none and are not listed. Empty
    // for an unknown account. Allocates: this is for dashboards, not for the order path.
    std::vector<LimitUse> utilization(AccountId account, Timestamp now) const;

    // Replaces `uses` with the account-wide limits of the account, for instrument zero, or with
    // the limits of one of its instruments, as utilization() lists them. It allocates only while
    // `uses` grows, so that a caller that keeps the vector can watch limits after each command.
    void utilizationOf(AccountId account, InstrumentId instrument, Timestamp now,
                       std::vector<LimitUse> &uses) const;

    // Accounts and pairs are never removed, so a slot stays valid, and a caller that keeps one
    // skips the lookup by ids in the calls below that take it. kNoRiskSlot for an unknown
    // account or pair.
    RiskSlot accountSlot(AccountId account) const;
    RiskSlot pairSlot(AccountId account, InstrumentId instrument) const;

    // As the calls of the same name without "At", for a valid slot.
    void updateSnapshotAt(RiskSlot account, const RiskAccountSnapshot &snapshot);
    RiskUpdateResult onOrderAcceptedAt(RiskSlot pair, const RiskOrder &order);
    RiskUpdateResult onOrderLeftAt(RiskSlot pair, Side side, Price price, Quantity remaining);
    RiskUpdateResult onOrderReducedAt(RiskSlot pair, Side side, Price price, Quantity quantity,
                                      Quantity orderRemaining);

    // Whether any limit that utilizationOf() lists for the account (instrument zero) or for the
    // pair is at 80% or more. They build no list and divide nothing, so that the alerts after
    // each command can pass over the limits far from their thresholds.
    // With `settled`, the caller knows that all uses were below 80% at an earlier time and that
    // no event raised one since. Then only the uses that rise without an event are looked at:
    // the daily loss, which the marks move, and an order rate whose window is out of time
    // order, where countSince() need not fall as time passes.
    bool accountReachesWarningAt(RiskSlot account, Timestamp now, bool settled = false) const;
    bool pairReachesWarningAt(RiskSlot pair, Timestamp now, bool settled = false) const;

private:
    // A limit after the overrides: its value (zero disables it) and where it came from.
    struct ResolvedLimit {
        std::int64_t value = 0;
        LimitScope scope = LimitScope::None;
    };

    struct InstrumentState {
        InstrumentDefinition definition;
        Price reference;
    };

    struct AccountState {
        RiskAccountSettings settings;
        RiskAccountSnapshot snapshot;
        RiskAccountCounters counters;
        RateWindow rate;
        KillSwitchScope killSwitch = KillSwitchScope::None;
    };

    // What every check and update reads comes first, in as few cache lines as it fits.
    struct PairState {
        std::uint32_t accountIndex = 0;
        std::uint32_t instrumentIndex = 0;
        Valuation valuation;
        RiskPairCounters counters;
        std::array<ResolvedLimit, kRiskRuleCount> limits{};
        RateWindow rate; // used only when the instrument overrides the rate
        RiskLimitOverrides overrides;
    };

    static std::uint64_t pairKey(AccountId account, InstrumentId instrument)
    {
        return (std::uint64_t{account.value()} << 32) | instrument.value();
    }

    PairState *findPair(AccountId account, InstrumentId instrument);
    RiskUpdateResult missingPair(AccountId account) const;
    const PairState *findPair(AccountId account, InstrumentId instrument) const;
    void addPair(std::uint32_t accountIndex, std::uint32_t instrumentIndex);
    void resolveLimits(PairState &pair) const;

    RiskDecision checkKillSwitch(const AccountState &account) const;
    // The rules on one order. The band is skipped for a price a replace keeps, as the engine's
    // own band skips it, because the reference may have moved since the price was set.
    enum class BandCheck : std::uint8_t { Checked, Skipped };
    RiskDecision checkOrderLimits(const PairState &pair, const RiskOrder &order,
                                  BandCheck band = BandCheck::Checked) const;
    RiskDecision checkPosition(const PairState &pair, const RiskOrder &order) const;
    RiskDecision checkCounts(const PairState &pair, const AccountState &account,
                             const RiskOrder &order) const;
    RiskDecision checkDailyLoss(const AccountState &account) const;
    RiskDecision checkBuyingPower(const AccountState &account, const RiskOrder &order,
                                  Money orderNotional) const;
    RiskDecision checkCashHoldings(const PairState &pair, const RiskOrder &order) const;
    RiskDecision checkCountable(const PairState &pair, const AccountState &account,
                                const RiskOrder &order, bool valued, Money orderNotional) const;

    RiskUpdateResult release(PairState &pair, Side side, Price price, Quantity quantity,
                             Quantity orderRemaining = Quantity{});
    // Calls visit(rule, scope, use, limit) for each limit with a standing use, in the order
    // utilization() lists them. Without `now` the order rate, which needs the time, is left out.
    template <typename Visit>
    void visitPairUses(const PairState &pair, Visit visit, const Timestamp *now = nullptr) const;
    template <typename Visit>
    void visitAccountUses(const AccountState &account, Visit visit,
                          const Timestamp *now = nullptr) const;
    void appendPairUse(const PairState &pair, Timestamp now, std::vector<LimitUse> &uses) const;
    void appendAccountUse(const AccountState &account, Timestamp now,
                          std::vector<LimitUse> &uses) const;
    RiskDecision checkEntry(const RiskOrder &order, const PairState *&pair) const;
    // Whether check() passes the order, with every rule after the global kill switch and the
    // pair lookup, in one pass that builds no decision. check() takes it first because nearly
    // every order passes, and runs the rules one by one only to name the one that fails.
    bool passes(const PairState &pair, const RiskOrder &order) const;
    RiskDecision valueOrder(const PairState &pair, const RiskOrder &order, Money &value) const;

    std::vector<InstrumentState> m_instruments;
    std::vector<AccountState> m_accounts;
    std::vector<PairState> m_pairs;
    RiskIdIndex m_instrumentIndex;
    RiskIdIndex m_accountIndex;
    RiskKeyIndex m_pairIndex;
    KillSwitchScope m_globalKillSwitch = KillSwitchScope::None;
};

} // namespace bourse

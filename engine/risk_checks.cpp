#include "risk_checks.h"

#include <algorithm>
#include <bit>
#include <limits>

namespace bourse {

namespace {

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

constexpr std::size_t indexOf(RiskRule rule)
{
    return static_cast<std::size_t>(rule);
}

bool isValidLimits(const RiskLimits &limits)
{
    return limits.maximumOrderQuantity >= Quantity{0} && limits.maximumOrderNotional >= Money{0} &&
           limits.maximumLongPosition >= Quantity{0} &&
           limits.maximumShortPosition >= Quantity{0} && limits.priceBandBasisPoints >= 0 &&
           limits.maximumOpenOrders >= 0 && limits.maximumOrdersPerSecond >= 0 &&
           limits.maximumOrdersPerSecond <= kMaximumOrdersPerSecond &&
           limits.dailyLossLimit >= Money{0} && limits.marginBuyingPower >= Money{0};
}

template <typename T>
bool isNonNegative(const std::optional<T> &value)
{
    return !value || *value >= T{0};
}

bool isValidOverrides(const RiskLimitOverrides &overrides)
{
    const bool rateInRange = !overrides.maximumOrdersPerSecond ||
                             *overrides.maximumOrdersPerSecond <= kMaximumOrdersPerSecond;
    return isNonNegative(overrides.maximumOrderQuantity) &&
           isNonNegative(overrides.maximumOrderNotional) &&
           isNonNegative(overrides.maximumLongPosition) &&
           isNonNegative(overrides.maximumShortPosition) &&
           isNonNegative(overrides.priceBandBasisPoints) &&
           isNonNegative(overrides.maximumOpenOrders) &&
           isNonNegative(overrides.maximumOrdersPerSecond) && rateInRange;
}

RiskDecision rejection(RiskRule rule, LimitScope scope, RiskUnit unit, int decimals)
{
    RiskDecision decision;
    decision.rule = rule;
    decision.scope = scope;
    decision.unit = unit;
    decision.decimals = static_cast<std::uint8_t>(decimals);
    return decision;
}

// |price - reference| * 10,000, which with prices up to 2^63 needs 128 bits.
detail::Int128 scaledDistance(Price price, Price reference)
{
    const detail::Int128 distance =
        detail::Int128{price.value()} - detail::Int128{reference.value()};
    return (distance < 0 ? -distance : distance) * 10'000;
}

// Whether `price` is within `band` basis points of `reference`, as the engine's own band check
// measures it. It multiplies only, because every order that passes takes this path.
bool isWithinBand(Price price, Price reference, std::int64_t band)
{
    return scaledDistance(price, reference) <= detail::Int128{reference.value()} * band;
}

// The distance of `price` from `reference` in basis points of the reference, rounded up.
std::int64_t bandBasisPoints(Price price, Price reference)
{
    const detail::Int128 base = reference.value();
    const detail::Int128 rounded = (scaledDistance(price, reference) + base - 1) / base;
    return rounded > kInt64Max ? kInt64Max : static_cast<std::int64_t>(rounded);
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Rate window

void RateWindow::resize(std::int64_t limit)
{
    m_limit = std::max<std::int64_t>(limit, 0);
    if (static_cast<std::size_t>(m_limit) > m_times.size())
        grow(static_cast<std::size_t>(m_limit));
}

// Oldest first, then the ring of the new capacity with the same timestamps.
void RateWindow::grow(std::size_t capacity)
{
    const std::vector<Timestamp> ordered = times();
    m_times.assign(capacity, Timestamp{});
    std::copy(ordered.begin(), ordered.end(), m_times.begin());
    m_count = ordered.size();
    m_next = m_count % capacity;
}

Timestamp RateWindow::at(std::size_t logical) const
{
    const std::size_t capacity = m_times.size();
    std::size_t physical = m_next + capacity - m_count + logical;
    while (physical >= capacity)
        physical -= capacity;
    return m_times[physical];
}

void RateWindow::countDescents()
{
    m_descents = 0;
    for (std::size_t i = 1; i < m_count; ++i)
        m_descents += at(i) < at(i - 1);
}

// The wrap-around is a comparison rather than a remainder, because a 64-bit division would
// cost more than the rest of the call.
void RateWindow::record(Timestamp time)
{
    if (m_times.empty() || m_limit == 0)
        return;
    const std::size_t capacity = m_times.size();
    if (m_count == capacity && capacity >= 2) {
        // The oldest timestamp, at m_next, leaves with its pair to the next oldest.
        const std::size_t second = m_next + 1 == capacity ? 0 : m_next + 1;
        m_descents -= m_times[second] < m_times[m_next];
    }
    if (m_count > 0 && capacity >= 2) {
        const std::size_t newest = m_next == 0 ? capacity - 1 : m_next - 1;
        m_descents += time < m_times[newest];
    }
    m_times[m_next] = time;
    m_next = m_next + 1 == capacity ? 0 : m_next + 1;
    m_count = std::min(m_count + 1, capacity);
}

// The window is (now - 1 s, now]. With `limit` orders recorded, one more order fits only if the
// limit-th most recent one has left the window.
bool RateWindow::allows(Timestamp now) const
{
    const auto limit = static_cast<std::size_t>(m_limit);
    if (limit == 0 || m_count < limit)
        return true;
    const std::size_t capacity = m_times.size();
    const std::size_t slot = m_next >= limit ? m_next - limit : m_next + capacity - limit;
    return m_times[slot].value() <= now.value() - kNanosecondsPerSecond;
}

std::vector<Timestamp> RateWindow::times() const
{
    std::vector<Timestamp> ordered;
    ordered.reserve(m_count);
    for (std::size_t i = 0; i < m_count; ++i)
        ordered.push_back(m_times[(m_next + m_times.size() - m_count + i) % m_times.size()]);
    return ordered;
}

void RateWindow::load(const std::vector<Timestamp> &times)
{
    // Copied whatever the limit, because a window keeps its times while its limit is off.
    if (times.size() > m_times.size())
        m_times.assign(times.size(), Timestamp{});
    std::copy(times.begin(), times.end(), m_times.begin());
    m_count = times.size();
    m_next = m_times.empty() ? 0 : m_count % m_times.size();
    countDescents();
}

void RateWindow::forgetAfter(Timestamp time)
{
    std::vector<Timestamp> kept = times();
    std::erase_if(kept, [time](Timestamp recorded) { return recorded > time; });
    if (kept.size() != m_count)
        load(kept);
}

// A binary search finds the first timestamp inside the window in O(log n). A scan would take
// 100,000 steps after every command at the maximum rate.
// NOTE: the search assumes the ring is sorted from its oldest entry on, as it is when command
// times never go back. The engine does not enforce that; an earlier time only skews this count,
// which reports use, and not allows(), which decides.
std::int64_t RateWindow::countSince(Timestamp now) const
{
    if (m_count == 0)
        return 0;
    const std::int64_t windowStart = now.value() - kNanosecondsPerSecond;
    std::size_t low = 0;
    std::size_t high = m_count;
    while (low < high) {
        const std::size_t middle = low + (high - low) / 2;
        if (at(middle).value() > windowStart)
            high = middle;
        else
            low = middle + 1;
    }
    return static_cast<std::int64_t>(m_count - low);
}

// In a sorted ring the count reaches `count` exactly when the count-th most recent timestamp is
// inside the window. An unsorted ring takes the search, so that both agree with countSince().
bool RateWindow::holdsAtLeast(std::int64_t count, Timestamp now) const
{
    if (count <= 0)
        return true;
    if (static_cast<std::size_t>(count) > m_count)
        return false;
    if (m_descents != 0)
        return countSince(now) >= count;
    const std::size_t logical = m_count - static_cast<std::size_t>(count);
    return at(logical).value() > now.value() - kNanosecondsPerSecond;
}

// ---------------------------------------------------------------------------------------------
// Id index

void RiskIdIndex::emplace(std::uint32_t id, std::uint32_t index)
{
    if (id < kDirectIds) {
        if (id >= m_direct.size())
            m_direct.resize(id + 1);
        m_direct[id] = {id, index};
    } else {
        m_far[id] = {id, index};
    }
}

// ---------------------------------------------------------------------------------------------
// Key index

// Keeps the table at most half full, so that probes stay short. A key inserted again keeps
// its first index; the evaluator inserts each pair once.
void RiskKeyIndex::insert(std::uint64_t key, std::uint32_t index)
{
    if (2 * (m_count + 1) > m_slots.size()) {
        std::vector<Slot> previous = std::move(m_slots);
        const std::size_t size = std::max<std::size_t>(16, 2 * previous.size());
        m_slots.assign(size, Slot{});
        m_shift = 64 - std::countr_zero(size);
        m_count = 0;
        for (const Slot &slot : previous) {
            if (slot.index != kNotFound)
                insert(slot.key, slot.index);
        }
    }

    std::size_t slot = slotOf(key);
    while (m_slots[slot].index != kNotFound && m_slots[slot].key != key)
        slot = (slot + 1) & (m_slots.size() - 1);
    if (m_slots[slot].index == kNotFound) {
        m_slots[slot] = {key, index};
        ++m_count;
    }
}

// ---------------------------------------------------------------------------------------------
// Utilization

std::int64_t utilizationBasisPoints(std::int64_t use, std::int64_t limit)
{
    if (use <= 0 || limit <= 0)
        return 0;
    const detail::Int128 basisPoints = detail::Int128{use} * 10'000 / limit;
    return basisPoints > kInt64Max ? kInt64Max : static_cast<std::int64_t>(basisPoints);
}

ThresholdCrossings crossedThresholds(std::int64_t before, std::int64_t after)
{
    std::uint8_t bits = 0;
    const auto mark = [&](std::int64_t threshold, ThresholdCrossing up, ThresholdCrossing down) {
        if (before < threshold && after >= threshold)
            bits |= static_cast<std::uint8_t>(up);
        if (before >= threshold && after < threshold)
            bits |= static_cast<std::uint8_t>(down);
    };
    mark(kWarningBasisPoints, ThresholdCrossing::WarningReached, ThresholdCrossing::WarningCleared);
    mark(kLimitBasisPoints, ThresholdCrossing::LimitReached, ThresholdCrossing::LimitCleared);
    return {bits};
}

// ---------------------------------------------------------------------------------------------
// Configuration

RiskUpdateResult RiskEvaluator::addInstrument(const InstrumentDefinition &definition)
{
    if (definition.id.value() == 0 || definition.priceDecimals > kMaximumDecimals ||
        definition.quantityDecimals > kMaximumDecimals || definition.multiplier <= 0 ||
        definition.referencePrice < Price{0})
        return RiskUpdateResult::InvalidInstrument;
    if (m_instrumentIndex.contains(definition.id.value()))
        return RiskUpdateResult::DuplicateInstrument;

    const auto index = static_cast<std::uint32_t>(m_instruments.size());
    m_instruments.push_back({definition, definition.referencePrice});
    m_instrumentIndex.emplace(definition.id.value(), index);
    for (std::uint32_t account = 0; account < m_accounts.size(); ++account)
        addPair(account, index);
    return RiskUpdateResult::Ok;
}

RiskUpdateResult RiskEvaluator::configureAccount(const RiskAccountSettings &settings)
{
    if (settings.id.value() == 0 || settings.moneyDecimals > kMaximumDecimals)
        return RiskUpdateResult::InvalidAccount;
    if (!isValidLimits(settings.limits))
        return RiskUpdateResult::InvalidLimits;

    const auto found = m_accountIndex.find(settings.id.value());
    if (found == m_accountIndex.end()) {
        const auto index = static_cast<std::uint32_t>(m_accounts.size());
        m_accounts.push_back({});
        m_accounts.back().settings = settings;
        m_accounts.back().rate.resize(settings.limits.maximumOrdersPerSecond);
        m_accountIndex.emplace(settings.id.value(), index);
        for (std::uint32_t instrument = 0; instrument < m_instruments.size(); ++instrument)
            addPair(index, instrument);
        return RiskUpdateResult::Ok;
    }

    AccountState &account = m_accounts[found->second];
    if (account.settings.moneyDecimals != settings.moneyDecimals)
        return RiskUpdateResult::InvalidAccount;
    account.settings = settings;
    account.rate.resize(settings.limits.maximumOrdersPerSecond);
    for (PairState &pair : m_pairs) {
        if (pair.accountIndex == found->second)
            resolveLimits(pair);
    }
    return RiskUpdateResult::Ok;
}

RiskUpdateResult RiskEvaluator::setOverrides(AccountId account, InstrumentId instrument,
                                             const RiskLimitOverrides &overrides)
{
    PairState *pair = findPair(account, instrument);
    if (pair == nullptr)
        return missingPair(account);
    if (!isValidOverrides(overrides))
        return RiskUpdateResult::InvalidLimits;

    pair->overrides = overrides;
    pair->rate.resize(overrides.maximumOrdersPerSecond.value_or(0));
    resolveLimits(*pair);
    return RiskUpdateResult::Ok;
}

RiskUpdateResult RiskEvaluator::setReferencePrice(InstrumentId instrument, Price reference)
{
    const auto found = m_instrumentIndex.find(instrument.value());
    if (found == m_instrumentIndex.end())
        return RiskUpdateResult::UnknownInstrument;
    if (reference < Price{0})
        return RiskUpdateResult::InvalidPrice;
    m_instruments[found->second].reference = reference;
    return RiskUpdateResult::Ok;
}

RiskUpdateResult RiskEvaluator::updateSnapshot(AccountId account,
                                               const RiskAccountSnapshot &snapshot)
{
    const auto found = m_accountIndex.find(account.value());
    if (found == m_accountIndex.end())
        return RiskUpdateResult::UnknownAccount;
    updateSnapshotAt(found->second, snapshot);
    return RiskUpdateResult::Ok;
}

void RiskEvaluator::updateSnapshotAt(RiskSlot account, const RiskAccountSnapshot &snapshot)
{
    m_accounts[account].snapshot = snapshot;
}

RiskUpdateResult RiskEvaluator::setPosition(AccountId account, InstrumentId instrument,
                                            Quantity position)
{
    PairState *pair = findPair(account, instrument);
    if (pair == nullptr)
        return missingPair(account);
    pair->counters.position = position;
    return RiskUpdateResult::Ok;
}

void RiskEvaluator::addPair(std::uint32_t accountIndex, std::uint32_t instrumentIndex)
{
    const InstrumentDefinition &definition = m_instruments[instrumentIndex].definition;
    const AccountState &account = m_accounts[accountIndex];

    PairState pair;
    pair.accountIndex = accountIndex;
    pair.instrumentIndex = instrumentIndex;
    pair.valuation = Valuation{definition.priceDecimals, definition.quantityDecimals,
                               definition.multiplier, account.settings.moneyDecimals};
    resolveLimits(pair);

    m_pairIndex.insert(pairKey(account.settings.id, definition.id),
                       static_cast<std::uint32_t>(m_pairs.size()));
    m_pairs.push_back(std::move(pair));
}

void RiskEvaluator::resolveLimits(PairState &pair) const
{
    const RiskLimits &defaults = m_accounts[pair.accountIndex].settings.limits;
    const RiskLimitOverrides &overrides = pair.overrides;
    const auto resolve = [&](RiskRule rule, std::int64_t fallback,
                             std::optional<std::int64_t> override) {
        pair.limits[indexOf(rule)] = override
                                         ? ResolvedLimit{*override, LimitScope::InstrumentOverride}
                                         : ResolvedLimit{fallback, LimitScope::AccountDefault};
    };
    const auto value = [](const auto &optional) -> std::optional<std::int64_t> {
        if (!optional)
            return std::nullopt;
        return optional->value();
    };

    resolve(RiskRule::OrderQuantity, defaults.maximumOrderQuantity.value(),
            value(overrides.maximumOrderQuantity));
    resolve(RiskRule::OrderNotional, defaults.maximumOrderNotional.value(),
            value(overrides.maximumOrderNotional));
    resolve(RiskRule::PositionLong, defaults.maximumLongPosition.value(),
            value(overrides.maximumLongPosition));
    resolve(RiskRule::PositionShort, defaults.maximumShortPosition.value(),
            value(overrides.maximumShortPosition));
    resolve(RiskRule::PriceBand, defaults.priceBandBasisPoints, overrides.priceBandBasisPoints);

    // Counted per instrument only when overridden: the account default counts the account.
    resolve(RiskRule::OpenOrders, 0, overrides.maximumOpenOrders);
    resolve(RiskRule::OrderRate, 0, overrides.maximumOrdersPerSecond);
}

// ---------------------------------------------------------------------------------------------
// Lookups

// The result for a pair that does not exist: its instrument or its account is unknown.
RiskUpdateResult RiskEvaluator::missingPair(AccountId account) const
{
    return m_accountIndex.contains(account.value()) ? RiskUpdateResult::UnknownInstrument
                                                    : RiskUpdateResult::UnknownAccount;
}

RiskEvaluator::PairState *RiskEvaluator::findPair(AccountId account, InstrumentId instrument)
{
    const std::uint32_t found = m_pairIndex.find(pairKey(account, instrument));
    return found == RiskKeyIndex::kNotFound ? nullptr : &m_pairs[found];
}

const RiskEvaluator::PairState *RiskEvaluator::findPair(AccountId account,
                                                        InstrumentId instrument) const
{
    const std::uint32_t found = m_pairIndex.find(pairKey(account, instrument));
    return found == RiskKeyIndex::kNotFound ? nullptr : &m_pairs[found];
}

RiskSlot RiskEvaluator::accountSlot(AccountId account) const
{
    const auto found = m_accountIndex.find(account.value());
    return found == m_accountIndex.end() ? kNoRiskSlot : found->second;
}

RiskSlot RiskEvaluator::pairSlot(AccountId account, InstrumentId instrument) const
{
    return m_pairIndex.find(pairKey(account, instrument));
}

Price RiskEvaluator::referencePrice(InstrumentId instrument) const
{
    const auto found = m_instrumentIndex.find(instrument.value());
    return found == m_instrumentIndex.end() ? Price{} : m_instruments[found->second].reference;
}

std::vector<Timestamp> RiskEvaluator::rateTimes(AccountId account, InstrumentId instrument) const
{
    if (instrument.value() != 0) {
        const PairState *pair = findPair(account, instrument);
        return pair ? pair->rate.times() : std::vector<Timestamp>{};
    }
    const auto found = m_accountIndex.find(account.value());
    return found == m_accountIndex.end() ? std::vector<Timestamp>{}
                                         : m_accounts[found->second].rate.times();
}

RiskUpdateResult RiskEvaluator::loadRateTimes(AccountId account, InstrumentId instrument,
                                              const std::vector<Timestamp> &times)
{
    if (instrument.value() != 0) {
        PairState *pair = findPair(account, instrument);
        if (pair == nullptr)
            return missingPair(account);
        pair->rate.load(times);
        return RiskUpdateResult::Ok;
    }
    const auto found = m_accountIndex.find(account.value());
    if (found == m_accountIndex.end())
        return RiskUpdateResult::UnknownAccount;
    m_accounts[found->second].rate.load(times);
    return RiskUpdateResult::Ok;
}

void RiskEvaluator::forgetRateTimesAfter(Timestamp time)
{
    for (AccountState &account : m_accounts)
        account.rate.forgetAfter(time);
    for (PairState &pair : m_pairs)
        pair.rate.forgetAfter(time);
}

KillSwitchScope RiskEvaluator::killSwitch(AccountId account) const
{
    const auto found = m_accountIndex.find(account.value());
    return found == m_accountIndex.end() ? KillSwitchScope::None
                                         : m_accounts[found->second].killSwitch;
}

const RiskPairCounters *RiskEvaluator::counters(AccountId account, InstrumentId instrument) const
{
    const PairState *pair = findPair(account, instrument);
    return pair == nullptr ? nullptr : &pair->counters;
}

const RiskAccountCounters *RiskEvaluator::accountCounters(AccountId account) const
{
    const auto found = m_accountIndex.find(account.value());
    return found == m_accountIndex.end() ? nullptr : &m_accounts[found->second].counters;
}

// ---------------------------------------------------------------------------------------------
// Kill switch

RiskUpdateResult RiskEvaluator::engageKillSwitch(AccountId account, KillSwitchScope scope)
{
    const auto found = m_accountIndex.find(account.value());
    if (found == m_accountIndex.end())
        return RiskUpdateResult::UnknownAccount;
    KillSwitchScope &current = m_accounts[found->second].killSwitch;
    current = std::max(current, scope);
    return RiskUpdateResult::Ok;
}

void RiskEvaluator::engageGlobalKillSwitch(KillSwitchScope scope)
{
    m_globalKillSwitch = std::max(m_globalKillSwitch, scope);
}

RiskUpdateResult RiskEvaluator::resetKillSwitch(AccountId account)
{
    const auto found = m_accountIndex.find(account.value());
    if (found == m_accountIndex.end())
        return RiskUpdateResult::UnknownAccount;
    m_accounts[found->second].killSwitch = KillSwitchScope::None;
    return RiskUpdateResult::Ok;
}

void RiskEvaluator::resetGlobalKillSwitch()
{
    m_globalKillSwitch = KillSwitchScope::None;
}

// ---------------------------------------------------------------------------------------------
// Checks

Price RiskEvaluator::valuationPrice(const RiskOrder &order) const
{
    if (order.price > Price{0})
        return order.price;
    const auto found = m_instrumentIndex.find(order.instrument.value());
    return found == m_instrumentIndex.end() ? Price{} : m_instruments[found->second].reference;
}

// The rules every order and every replace meets first: the kill switches, a known pair and
// sane values. Sets `pair` when it passes.
RiskDecision RiskEvaluator::checkEntry(const RiskOrder &order, const PairState *&pair) const
{
    if (m_globalKillSwitch != KillSwitchScope::None) {
        RiskDecision decision =
            rejection(RiskRule::KillSwitch, LimitScope::Global, RiskUnit::None, 0);
        decision.killSwitch = m_globalKillSwitch;
        return decision;
    }

    pair = findPair(order.account, order.instrument);
    if (pair == nullptr) {
        const RiskRule rule = m_accountIndex.contains(order.account.value())
                                  ? RiskRule::UnknownInstrument
                                  : RiskRule::UnknownAccount;
        return rejection(rule, LimitScope::None, RiskUnit::None, 0);
    }
    const AccountState &account = m_accounts[pair->accountIndex];
    if (account.killSwitch != KillSwitchScope::None)
        return checkKillSwitch(account);
    if (order.quantity <= Quantity{0} || order.price < Price{0})
        return rejection(RiskRule::InvalidOrder, LimitScope::None, RiskUnit::None, 0);
    return {};
}

// The order's notional at its price, or at the reference price for an order without one.
RiskDecision RiskEvaluator::valueOrder(const PairState &pair, const RiskOrder &order,
                                       Money &value) const
{
    const Price price =
        order.price > Price{0} ? order.price : m_instruments[pair.instrumentIndex].reference;
    if (price <= Price{0})
        return rejection(RiskRule::MissingPrice, LimitScope::None, RiskUnit::None, 0);
    const Checked<Money> computed = notional(price, order.quantity, pair.valuation);
    if (!computed.ok())
        return rejection(RiskRule::OutOfRange, LimitScope::None, RiskUnit::None, 0);
    value = computed.value;
    return {};
}

bool RiskEvaluator::passes(const PairState &pair, const RiskOrder &order) const
{
    const AccountState &account = m_accounts[pair.accountIndex];
    if (account.killSwitch != KillSwitchScope::None || order.quantity <= Quantity{0} ||
        order.price < Price{0})
        return false;
    const std::int64_t quantity = order.quantity.value();
    const std::int64_t size = pair.limits[indexOf(RiskRule::OrderQuantity)].value;
    if (size > 0 && quantity > size)
        return false;
    const Price reference = m_instruments[pair.instrumentIndex].reference;
    const std::int64_t band = pair.limits[indexOf(RiskRule::PriceBand)].value;
    if (band > 0 && order.price > Price{0} && reference > Price{0} &&
        !isWithinBand(order.price, reference, band))
        return false;

    // The notional at the valuation price, which the notional and buying power rules read and
    // the counters must be able to hold.
    const bool buy = order.side == Side::Buy;
    const bool cash = account.settings.type == AccountType::Cash;
    const bool usesBuyingPower = cash ? buy : account.settings.limits.marginBuyingPower > Money{0};
    const std::int64_t notionalLimit = pair.limits[indexOf(RiskRule::OrderNotional)].value;
    const Price price = order.price > Price{0} ? order.price : reference;
    Money value;
    if (price > Price{0}) {
        const Checked<Money> computed = notional(price, order.quantity, pair.valuation);
        if (!computed.ok())
            return false;
        value = computed.value;
    } else if (notionalLimit > 0 || usesBuyingPower) {
        return false;
    }
    if (notionalLimit > 0 && value.value() > notionalLimit)
        return false;

    const RiskPairCounters &counters = pair.counters;
    const std::int64_t position = counters.position.value();
    const std::int64_t working =
        (buy ? counters.openBuyQuantity : counters.openSellQuantity).value();
    const std::int64_t positionLimit =
        pair.limits[indexOf(buy ? RiskRule::PositionLong : RiskRule::PositionShort)].value;
    if (positionLimit > 0) {
        std::int64_t added = 0;
        std::int64_t worst = 0;
        if (__builtin_add_overflow(working, quantity, &added) ||
            (buy ? __builtin_add_overflow(position, added, &worst)
                 : __builtin_sub_overflow(position, added, &worst)) ||
            worst == std::numeric_limits<std::int64_t>::min() ||
            (buy ? worst : -worst) > positionLimit)
            return false;
    }
    if (cash && !buy && detail::Int128{position} - working - quantity < 0)
        return false;

    const std::int64_t accountOpen = account.settings.limits.maximumOpenOrders;
    const std::int64_t pairOpen = pair.limits[indexOf(RiskRule::OpenOrders)].value;
    if ((accountOpen > 0 && account.counters.openOrders >= accountOpen) ||
        (pairOpen > 0 && counters.openOrders >= pairOpen) || !account.rate.allows(order.time) ||
        !pair.rate.allows(order.time))
        return false;

    const RiskAccountSnapshot &snapshot = account.snapshot;
    const Money lossLimit = account.settings.limits.dailyLossLimit;
    if (lossLimit > Money{0}) {
        const Checked<Money> total =
            addMoney(snapshot.realizedProfitAndLoss, snapshot.unrealizedProfitAndLoss);
        if (!total.ok() || (total.value < Money{0} && -total.value.value() > lossLimit.value()))
            return false;
    }

    const RiskAccountCounters &accountCounters = account.counters;
    if (usesBuyingPower) {
        const Checked<Money> committed =
            cash ? Checked<Money>{accountCounters.openBuyNotional}
                 : addMoney(accountCounters.openBuyNotional, accountCounters.openSellNotional);
        const Checked<Money> wouldBe = addMoney(committed.value, value);
        const Money limit = cash ? snapshot.cash : account.settings.limits.marginBuyingPower;
        if (!committed.ok() || !wouldBe.ok() || wouldBe.value > limit)
            return false;
    }

    std::int64_t total = 0;
    return addMoney(buy ? counters.openBuyNotional : counters.openSellNotional, value).ok() &&
           addMoney(buy ? accountCounters.openBuyNotional : accountCounters.openSellNotional, value)
               .ok() &&
           !__builtin_add_overflow(working, quantity, &total);
}

RiskDecision RiskEvaluator::check(const RiskOrder &order) const
{
    if (m_globalKillSwitch == KillSwitchScope::None) {
        const RiskSlot slot = pairSlot(order.account, order.instrument);
        if (slot != kNoRiskSlot && passes(m_pairs[slot], order)) [[likely]]
            return {};
    }

    const PairState *pair = nullptr;
    if (RiskDecision decision = checkEntry(order, pair); !decision.passed())
        return decision;
    const AccountState &account = m_accounts[pair->accountIndex];
    if (RiskDecision decision = checkOrderLimits(*pair, order); !decision.passed())
        return decision;

    // The notional, when a rule needs it, computed once for the notional and buying power rules.
    Money orderNotional;
    const bool cash = account.settings.type == AccountType::Cash;
    const bool usesBuyingPower =
        cash ? order.side == Side::Buy : account.settings.limits.marginBuyingPower > Money{0};
    const ResolvedLimit &notionalLimit = pair->limits[indexOf(RiskRule::OrderNotional)];
    if (notionalLimit.value > 0 || usesBuyingPower) {
        if (RiskDecision decision = valueOrder(*pair, order, orderNotional); !decision.passed())
            return decision;
    }
    if (notionalLimit.value > 0 && orderNotional.value() > notionalLimit.value) {
        RiskDecision decision = rejection(RiskRule::OrderNotional, notionalLimit.scope,
                                          RiskUnit::Money, pair->valuation.moneyDecimals);
        decision.order = decision.wouldBe = orderNotional.value();
        decision.limit = notionalLimit.value;
        return decision;
    }

    if (RiskDecision decision = checkPosition(*pair, order); !decision.passed())
        return decision;
    if (cash && order.side == Side::Sell) {
        if (RiskDecision decision = checkCashHoldings(*pair, order); !decision.passed())
            return decision;
    }
    if (RiskDecision decision = checkCounts(*pair, account, order); !decision.passed())
        return decision;
    if (RiskDecision decision = checkDailyLoss(account); !decision.passed())
        return decision;
    if (usesBuyingPower) {
        if (RiskDecision decision = checkBuyingPower(account, order, orderNotional);
            !decision.passed())
            return decision;
    }
    return checkCountable(*pair, account, order, notionalLimit.value > 0 || usesBuyingPower,
                          orderNotional);
}

// A cash account sells only what it holds: its position less the sells already working. The
// decision is a PositionShort with scope CashBalance and a limit of zero.
RiskDecision RiskEvaluator::checkCashHoldings(const PairState &pair, const RiskOrder &order) const
{
    const std::int64_t position = pair.counters.position.value();
    const std::int64_t working = pair.counters.openSellQuantity.value();
    const detail::Int128 left = detail::Int128{position} - working - order.quantity.value();
    if (left >= 0)
        return {};
    RiskDecision decision = rejection(RiskRule::PositionShort, LimitScope::CashBalance,
                                      RiskUnit::Quantity, pair.valuation.quantityDecimals);
    decision.side = Side::Sell;
    decision.current = position;
    decision.working = working;
    decision.order = order.quantity.value();
    decision.wouldBe = left < -kInt64Max ? kInt64Max : static_cast<std::int64_t>(-left);
    decision.limit = 0;
    return decision;
}

// The counters must be able to hold the order once accepted: its notional at the valuation
// price and the sums it joins fit 64 bits. An order they could not count would escape every
// limit, so it is rejected as OutOfRange instead.
RiskDecision RiskEvaluator::checkCountable(const PairState &pair, const AccountState &account,
                                           const RiskOrder &order, bool valued,
                                           Money orderNotional) const
{
    const Price price = valuationPrice(order);
    Money value = orderNotional;
    if (!valued && price > Price{0}) {
        const Checked<Money> computed = notional(price, order.quantity, pair.valuation);
        if (!computed.ok())
            return rejection(RiskRule::OutOfRange, LimitScope::None, RiskUnit::None, 0);
        value = computed.value;
    }
    const bool buy = order.side == Side::Buy;
    const Money pairNotional = buy ? pair.counters.openBuyNotional : pair.counters.openSellNotional;
    const Money accountNotional =
        buy ? account.counters.openBuyNotional : account.counters.openSellNotional;
    const Quantity working = buy ? pair.counters.openBuyQuantity : pair.counters.openSellQuantity;
    std::int64_t quantity = 0;
    if (!addMoney(pairNotional, value).ok() || !addMoney(accountNotional, value).ok() ||
        __builtin_add_overflow(working.value(), order.quantity.value(), &quantity))
        return rejection(RiskRule::OutOfRange, LimitScope::None, RiskUnit::None, 0);
    return {};
}

RiskDecision RiskEvaluator::checkReplace(const RiskOrder &replacement, Price oldPrice,
                                         Quantity oldQuantity) const
{
    const PairState *pair = nullptr;
    if (RiskDecision decision = checkEntry(replacement, pair); !decision.passed())
        return decision;
    const AccountState &account = m_accounts[pair->accountIndex];
    const BandCheck band = replacement.price == oldPrice ? BandCheck::Skipped : BandCheck::Checked;
    if (RiskDecision decision = checkOrderLimits(*pair, replacement, band); !decision.passed())
        return decision;

    const bool cash = account.settings.type == AccountType::Cash;
    const bool usesBuyingPower =
        cash ? replacement.side == Side::Buy : account.settings.limits.marginBuyingPower > Money{0};
    const ResolvedLimit &notionalLimit = pair->limits[indexOf(RiskRule::OrderNotional)];
    Money newNotional;
    Money oldNotional;
    if (notionalLimit.value > 0 || usesBuyingPower) {
        if (RiskDecision decision = valueOrder(*pair, replacement, newNotional); !decision.passed())
            return decision;
        // The old order counted at its own valuation price; zero counted nothing.
        const Checked<Money> old = oldPrice > Price{0}
                                       ? notional(oldPrice, oldQuantity, pair->valuation)
                                       : Checked<Money>{};
        if (!old.ok())
            return rejection(RiskRule::OutOfRange, LimitScope::None, RiskUnit::None, 0);
        oldNotional = old.value;
    }
    if (notionalLimit.value > 0 && newNotional.value() > notionalLimit.value) {
        RiskDecision decision = rejection(RiskRule::OrderNotional, notionalLimit.scope,
                                          RiskUnit::Money, pair->valuation.moneyDecimals);
        decision.order = decision.wouldBe = newNotional.value();
        decision.limit = notionalLimit.value;
        return decision;
    }

    if (replacement.quantity > oldQuantity) {
        RiskOrder added = replacement;
        added.quantity = replacement.quantity - oldQuantity;
        if (RiskDecision decision = checkPosition(*pair, added); !decision.passed())
            return decision;
        if (cash && replacement.side == Side::Sell) {
            if (RiskDecision decision = checkCashHoldings(*pair, added); !decision.passed())
                return decision;
        }
    }
    if (RiskDecision decision = checkDailyLoss(account); !decision.passed())
        return decision;
    if (!usesBuyingPower || newNotional <= oldNotional)
        return {};
    return checkBuyingPower(account, replacement, Money{newNotional.value() - oldNotional.value()});
}

RiskDecision RiskEvaluator::checkKillSwitch(const AccountState &account) const
{
    RiskDecision decision =
        rejection(RiskRule::KillSwitch, LimitScope::AccountDefault, RiskUnit::None, 0);
    decision.killSwitch = account.killSwitch;
    return decision;
}

// Order size and price band: limits on the order alone.
RiskDecision RiskEvaluator::checkOrderLimits(const PairState &pair, const RiskOrder &order,
                                             BandCheck bandCheck) const
{
    const ResolvedLimit &size = pair.limits[indexOf(RiskRule::OrderQuantity)];
    if (size.value > 0 && order.quantity.value() > size.value) {
        RiskDecision decision = rejection(RiskRule::OrderQuantity, size.scope, RiskUnit::Quantity,
                                          pair.valuation.quantityDecimals);
        decision.order = decision.wouldBe = order.quantity.value();
        decision.limit = size.value;
        return decision;
    }

    const ResolvedLimit &band = pair.limits[indexOf(RiskRule::PriceBand)];
    const Price reference = m_instruments[pair.instrumentIndex].reference;
    if (bandCheck == BandCheck::Checked && band.value > 0 && order.price > Price{0} &&
        reference > Price{0}) {
        if (!isWithinBand(order.price, reference, band.value)) {
            RiskDecision decision = rejection(RiskRule::PriceBand, band.scope, RiskUnit::Price,
                                              pair.valuation.priceDecimals);
            decision.current = reference.value();
            decision.order = order.price.value();
            decision.wouldBe = bandBasisPoints(order.price, reference);
            decision.limit = band.value;
            return decision;
        }
    }

    return {};
}

// The worst case on the order's side: every working order on that side fills, and so does
// this one. A buy can only add to the long side and a sell to the short side.
RiskDecision RiskEvaluator::checkPosition(const PairState &pair, const RiskOrder &order) const
{
    const bool buy = order.side == Side::Buy;
    const RiskRule rule = buy ? RiskRule::PositionLong : RiskRule::PositionShort;
    const ResolvedLimit &limit = pair.limits[indexOf(rule)];
    if (limit.value <= 0)
        return {};

    const std::int64_t position = pair.counters.position.value();
    const std::int64_t working =
        (buy ? pair.counters.openBuyQuantity : pair.counters.openSellQuantity).value();
    std::int64_t added = 0;
    std::int64_t worst = 0;
    if (__builtin_add_overflow(working, order.quantity.value(), &added) ||
        (buy ? __builtin_add_overflow(position, added, &worst)
             : __builtin_sub_overflow(position, added, &worst)) ||
        worst == std::numeric_limits<std::int64_t>::min())
        return rejection(RiskRule::OutOfRange, LimitScope::None, RiskUnit::None, 0);

    const std::int64_t size = buy ? worst : -worst;
    if (size <= limit.value)
        return {};
    RiskDecision decision =
        rejection(rule, limit.scope, RiskUnit::Quantity, pair.valuation.quantityDecimals);
    decision.side = order.side;
    decision.current = position;
    decision.working = working;
    decision.order = order.quantity.value();
    decision.wouldBe = size;
    decision.limit = limit.value;
    return decision;
}

// Open orders and order rate: the account's totals, then the instrument's own when overridden.
RiskDecision RiskEvaluator::checkCounts(const PairState &pair, const AccountState &account,
                                        const RiskOrder &order) const
{
    const auto countRejection = [](RiskRule rule, LimitScope scope, std::int64_t current,
                                   std::int64_t limit) {
        RiskDecision decision = rejection(rule, scope, RiskUnit::Count, 0);
        decision.current = current;
        decision.order = 1;
        decision.wouldBe = current + 1;
        decision.limit = limit;
        return decision;
    };

    const std::int64_t accountOpen = account.settings.limits.maximumOpenOrders;
    if (accountOpen > 0 && account.counters.openOrders >= accountOpen)
        return countRejection(RiskRule::OpenOrders, LimitScope::AccountDefault,
                              account.counters.openOrders, accountOpen);
    const ResolvedLimit &pairOpen = pair.limits[indexOf(RiskRule::OpenOrders)];
    if (pairOpen.value > 0 && pair.counters.openOrders >= pairOpen.value)
        return countRejection(RiskRule::OpenOrders, pairOpen.scope, pair.counters.openOrders,
                              pairOpen.value);

    // A full window that rejects has exactly `limit` orders inside the last second.
    if (!account.rate.allows(order.time))
        return countRejection(RiskRule::OrderRate, LimitScope::AccountDefault, account.rate.limit(),
                              account.rate.limit());
    if (!pair.rate.allows(order.time))
        return countRejection(RiskRule::OrderRate, LimitScope::InstrumentOverride,
                              pair.rate.limit(), pair.rate.limit());
    return {};
}

RiskDecision RiskEvaluator::checkDailyLoss(const AccountState &account) const
{
    const Money limit = account.settings.limits.dailyLossLimit;
    if (limit <= Money{0})
        return {};
    const RiskAccountSnapshot &snapshot = account.snapshot;
    const Checked<Money> total =
        addMoney(snapshot.realizedProfitAndLoss, snapshot.unrealizedProfitAndLoss);
    if (!total.ok())
        return rejection(RiskRule::OutOfRange, LimitScope::None, RiskUnit::None, 0);

    const std::int64_t loss = total.value < Money{0} ? -total.value.value() : 0;
    if (loss <= limit.value())
        return {};
    RiskDecision decision = rejection(RiskRule::DailyLoss, LimitScope::AccountDefault,
                                      RiskUnit::Money, account.settings.moneyDecimals);
    decision.current = snapshot.realizedProfitAndLoss.value();
    decision.working = snapshot.unrealizedProfitAndLoss.value();
    decision.wouldBe = loss;
    decision.limit = limit.value();
    return decision;
}

// A cash account always has this rule, because it cannot spend money it does not have, but its
// sells commit no cash. A margin account's working orders on both sides use its buying power,
// when one is configured. check() calls this only for orders the rule applies to.
RiskDecision RiskEvaluator::checkBuyingPower(const AccountState &account, const RiskOrder &order,
                                             Money orderNotional) const
{
    const bool cash = account.settings.type == AccountType::Cash;
    const Checked<Money> committed =
        cash ? Checked<Money>{account.counters.openBuyNotional}
             : addMoney(account.counters.openBuyNotional, account.counters.openSellNotional);
    const Checked<Money> wouldBe =
        committed.ok() ? addMoney(committed.value, orderNotional) : Checked<Money>{};
    if (!committed.ok() || !wouldBe.ok())
        return rejection(RiskRule::OutOfRange, LimitScope::None, RiskUnit::None, 0);

    const Money limit = cash ? account.snapshot.cash : account.settings.limits.marginBuyingPower;
    if (wouldBe.value <= limit)
        return {};
    RiskDecision decision = rejection(RiskRule::BuyingPower,
                                      cash ? LimitScope::CashBalance : LimitScope::AccountDefault,
                                      RiskUnit::Money, account.settings.moneyDecimals);
    decision.side = order.side;
    decision.working = committed.value.value();
    decision.order = orderNotional.value();
    decision.wouldBe = wouldBe.value.value();
    decision.limit = limit.value();
    return decision;
}

// ---------------------------------------------------------------------------------------------
// Updates

RiskUpdateResult RiskEvaluator::onOrderAccepted(const RiskOrder &order)
{
    const RiskSlot slot = pairSlot(order.account, order.instrument);
    if (slot == kNoRiskSlot)
        return missingPair(order.account);
    return onOrderAcceptedAt(slot, order);
}

RiskUpdateResult RiskEvaluator::onOrderAcceptedAt(RiskSlot slot, const RiskOrder &order)
{
    PairState *pair = &m_pairs[slot];
    if (order.quantity <= Quantity{0})
        return RiskUpdateResult::InvalidQuantity;
    if (order.price < Price{0})
        return RiskUpdateResult::InvalidPrice;

    // An order without a price commits no notional: only the reference price could value it,
    // and it has none (MissingPrice in check()).
    AccountState &account = m_accounts[pair->accountIndex];
    const bool buy = order.side == Side::Buy;
    const Checked<Money> value = order.price > Price{0}
                                     ? notional(order.price, order.quantity, pair->valuation)
                                     : Checked<Money>{};
    Quantity &pairQuantity = buy ? pair->counters.openBuyQuantity : pair->counters.openSellQuantity;
    Money &pairNotional = buy ? pair->counters.openBuyNotional : pair->counters.openSellNotional;
    Money &accountNotional =
        buy ? account.counters.openBuyNotional : account.counters.openSellNotional;

    std::int64_t quantity = 0;
    const Checked<Money> newPairNotional = addMoney(pairNotional, value.value);
    const Checked<Money> newAccountNotional = addMoney(accountNotional, value.value);
    if (!value.ok() || !newPairNotional.ok() || !newAccountNotional.ok() ||
        __builtin_add_overflow(pairQuantity.value(), order.quantity.value(), &quantity))
        return RiskUpdateResult::OutOfRange;

    pairQuantity = Quantity{quantity};
    pairNotional = newPairNotional.value;
    accountNotional = newAccountNotional.value;
    ++pair->counters.openOrders;
    ++account.counters.openOrders;
    account.rate.record(order.time);
    pair->rate.record(order.time);
    return RiskUpdateResult::Ok;
}

// Takes `quantity` off the working counters of one side. Without orderRemaining, the notional
// of `quantity` is released as one piece, which is exact for a whole order. onFill() releases
// each fill that way, so its parts can differ from the notional counted at acceptance by a money
// unit per fill, a residue dropped when the side's quantity reaches zero.
RiskUpdateResult RiskEvaluator::release(PairState &pair, Side side, Price price, Quantity quantity,
                                        Quantity orderRemaining)
{
    const bool buy = side == Side::Buy;
    Quantity &pairQuantity = buy ? pair.counters.openBuyQuantity : pair.counters.openSellQuantity;
    Money &pairNotional = buy ? pair.counters.openBuyNotional : pair.counters.openSellNotional;
    AccountState &account = m_accounts[pair.accountIndex];
    Money &accountNotional =
        buy ? account.counters.openBuyNotional : account.counters.openSellNotional;

    if (quantity < Quantity{0} || quantity > pairQuantity)
        return RiskUpdateResult::InvalidQuantity;
    if (price < Price{0})
        return RiskUpdateResult::InvalidPrice;

    // A part of an order releases the order's notional before less its notional after. Each is
    // rounded as acceptance rounded the whole, so the parts and the rest add up to it exactly.
    Money value;
    if (price > Price{0}) {
        const Quantity whole = orderRemaining > Quantity{0} ? orderRemaining : quantity;
        const Checked<Money> before = notional(price, whole, pair.valuation);
        // Nothing left is worth exactly zero, which a whole order's release skips computing.
        const Checked<Money> after = whole == quantity
                                         ? Checked<Money>{}
                                         : notional(price, whole - quantity, pair.valuation);
        if (!before.ok() || !after.ok())
            return RiskUpdateResult::OutOfRange;
        value = Money{before.value.value() - after.value.value()};
    }

    const Quantity remaining = pairQuantity - quantity;
    Money newPairNotional{std::max<std::int64_t>(pairNotional.value() - value.value(), 0)};
    if (remaining == Quantity{0})
        newPairNotional = Money{0};

    // Both are in [0, INT64_MAX], so neither difference can overflow.
    accountNotional =
        Money{accountNotional.value() - (pairNotional.value() - newPairNotional.value())};
    pairNotional = newPairNotional;
    pairQuantity = remaining;
    return RiskUpdateResult::Ok;
}

RiskUpdateResult RiskEvaluator::onOrderLeft(AccountId account, InstrumentId instrument, Side side,
                                            Price price, Quantity remaining)
{
    const RiskSlot slot = pairSlot(account, instrument);
    if (slot == kNoRiskSlot)
        return missingPair(account);
    return onOrderLeftAt(slot, side, price, remaining);
}

RiskUpdateResult RiskEvaluator::onOrderLeftAt(RiskSlot slot, Side side, Price price,
                                              Quantity remaining)
{
    PairState *pair = &m_pairs[slot];
    if (pair->counters.openOrders <= 0)
        return RiskUpdateResult::NoWorkingOrder;
    if (const RiskUpdateResult result = release(*pair, side, price, remaining);
        result != RiskUpdateResult::Ok)
        return result;

    --pair->counters.openOrders;
    --m_accounts[pair->accountIndex].counters.openOrders;
    return RiskUpdateResult::Ok;
}

RiskUpdateResult RiskEvaluator::onOrderReduced(AccountId account, InstrumentId instrument,
                                               Side side, Price price, Quantity quantity,
                                               Quantity orderRemaining)
{
    const RiskSlot slot = pairSlot(account, instrument);
    if (slot == kNoRiskSlot)
        return missingPair(account);
    return onOrderReducedAt(slot, side, price, quantity, orderRemaining);
}

RiskUpdateResult RiskEvaluator::onOrderReducedAt(RiskSlot slot, Side side, Price price,
                                                 Quantity quantity, Quantity orderRemaining)
{
    PairState *pair = &m_pairs[slot];
    if (pair->counters.openOrders <= 0)
        return RiskUpdateResult::NoWorkingOrder;
    if (quantity > orderRemaining)
        return RiskUpdateResult::InvalidQuantity;
    return release(*pair, side, price, quantity, orderRemaining);
}

RiskUpdateResult RiskEvaluator::onOrderReplaced(AccountId account, InstrumentId instrument,
                                                Side side, Price oldPrice, Quantity oldQuantity,
                                                Price newPrice, Quantity newQuantity)
{
    PairState *pair = findPair(account, instrument);
    if (pair == nullptr)
        return missingPair(account);
    if (pair->counters.openOrders <= 0)
        return RiskUpdateResult::NoWorkingOrder;
    if (newQuantity <= Quantity{0})
        return RiskUpdateResult::InvalidQuantity;
    if (newPrice < Price{0})
        return RiskUpdateResult::InvalidPrice;
    const Checked<Money> value =
        newPrice > Price{0} ? notional(newPrice, newQuantity, pair->valuation) : Checked<Money>{};
    if (!value.ok())
        return RiskUpdateResult::OutOfRange;
    if (const RiskUpdateResult result = release(*pair, side, oldPrice, oldQuantity);
        result != RiskUpdateResult::Ok)
        return result;

    // The release made room for at least the old amounts. The new ones saturate rather than
    // fail, because the replace has happened and the counters must follow it.
    const bool buy = side == Side::Buy;
    Quantity &pairQuantity = buy ? pair->counters.openBuyQuantity : pair->counters.openSellQuantity;
    Money &pairNotional = buy ? pair->counters.openBuyNotional : pair->counters.openSellNotional;
    AccountState &holder = m_accounts[pair->accountIndex];
    Money &accountNotional =
        buy ? holder.counters.openBuyNotional : holder.counters.openSellNotional;
    const auto saturatedAdd = [](std::int64_t a, std::int64_t b) {
        std::int64_t sum = 0;
        return __builtin_add_overflow(a, b, &sum) ? kInt64Max : sum;
    };
    pairQuantity = Quantity{saturatedAdd(pairQuantity.value(), newQuantity.value())};
    pairNotional = Money{saturatedAdd(pairNotional.value(), value.value.value())};
    accountNotional = Money{saturatedAdd(accountNotional.value(), value.value.value())};
    return RiskUpdateResult::Ok;
}

RiskUpdateResult RiskEvaluator::onFill(AccountId account, InstrumentId instrument, Side side,
                                       Price price, Quantity quantity)
{
    PairState *pair = findPair(account, instrument);
    if (pair == nullptr)
        return missingPair(account);
    if (quantity <= Quantity{0})
        return RiskUpdateResult::InvalidQuantity;

    std::int64_t position = 0;
    const std::int64_t current = pair->counters.position.value();
    if (side == Side::Buy ? __builtin_add_overflow(current, quantity.value(), &position)
                          : __builtin_sub_overflow(current, quantity.value(), &position))
        return RiskUpdateResult::OutOfRange;
    if (const RiskUpdateResult result = release(*pair, side, price, quantity);
        result != RiskUpdateResult::Ok)
        return result;

    pair->counters.position = Quantity{position};
    return RiskUpdateResult::Ok;
}

// ---------------------------------------------------------------------------------------------
// Utilization report

std::vector<LimitUse> RiskEvaluator::utilization(AccountId accountId, Timestamp now) const
{
    std::vector<LimitUse> uses;
    const auto found = m_accountIndex.find(accountId.value());
    if (found == m_accountIndex.end())
        return uses;
    appendAccountUse(m_accounts[found->second], now, uses);
    for (const PairState &pair : m_pairs) {
        if (pair.accountIndex == found->second)
            appendPairUse(pair, now, uses);
    }
    return uses;
}

void RiskEvaluator::utilizationOf(AccountId account, InstrumentId instrument, Timestamp now,
                                  std::vector<LimitUse> &uses) const
{
    uses.clear();
    if (instrument.value() == 0) {
        const auto found = m_accountIndex.find(account.value());
        if (found != m_accountIndex.end())
            appendAccountUse(m_accounts[found->second], now, uses);
        return;
    }
    if (const PairState *pair = findPair(account, instrument))
        appendPairUse(*pair, now, uses);
}

template <typename Visit>
void RiskEvaluator::visitAccountUses(const AccountState &account, Visit visit,
                                     const Timestamp *now) const
{
    const RiskLimits &limits = account.settings.limits;
    if (limits.maximumOpenOrders > 0)
        visit(RiskRule::OpenOrders, LimitScope::AccountDefault, account.counters.openOrders,
              limits.maximumOpenOrders);
    if (limits.maximumOrdersPerSecond > 0 && now != nullptr)
        visit(RiskRule::OrderRate, LimitScope::AccountDefault, account.rate.countSince(*now),
              limits.maximumOrdersPerSecond);
    if (limits.dailyLossLimit > Money{0}) {
        const Checked<Money> total = addMoney(account.snapshot.realizedProfitAndLoss,
                                              account.snapshot.unrealizedProfitAndLoss);
        const std::int64_t loss =
            !total.ok() ? kInt64Max : std::max<std::int64_t>(-total.value.value(), 0);
        visit(RiskRule::DailyLoss, LimitScope::AccountDefault, loss, limits.dailyLossLimit.value());
    }
    if (account.settings.type == AccountType::Cash) {
        visit(RiskRule::BuyingPower, LimitScope::CashBalance,
              account.counters.openBuyNotional.value(), account.snapshot.cash.value());
    } else if (limits.marginBuyingPower > Money{0}) {
        const Checked<Money> committed =
            addMoney(account.counters.openBuyNotional, account.counters.openSellNotional);
        visit(RiskRule::BuyingPower, LimitScope::AccountDefault,
              committed.ok() ? committed.value.value() : kInt64Max,
              limits.marginBuyingPower.value());
    }
}

template <typename Visit>
void RiskEvaluator::visitPairUses(const PairState &pair, Visit visit, const Timestamp *now) const
{
    const auto add = [&](RiskRule rule, std::int64_t use) {
        const ResolvedLimit &limit = pair.limits[indexOf(rule)];
        if (limit.value > 0)
            visit(rule, limit.scope, use, limit.value);
    };

    // Saturated: a use past INT64_MAX is far past any limit.
    const auto saturated = [](detail::Int128 value) {
        return value > kInt64Max ? kInt64Max : static_cast<std::int64_t>(value);
    };
    const RiskPairCounters &counters = pair.counters;
    const detail::Int128 position = counters.position.value();
    add(RiskRule::PositionLong, saturated(position + counters.openBuyQuantity.value()));
    add(RiskRule::PositionShort, saturated(counters.openSellQuantity.value() - position));
    add(RiskRule::OpenOrders, counters.openOrders);
    // The window is searched only for a limit that is set.
    if (pair.limits[indexOf(RiskRule::OrderRate)].value > 0 && now != nullptr)
        add(RiskRule::OrderRate, pair.rate.countSince(*now));
}

namespace {

// The minimum number of orders a second that is 80% of `limit` or more.
std::int64_t warningCount(std::int64_t limit)
{
    return (limit * 4 + 4) / 5;
}

} // namespace

// The same limits and uses as visitAccountUses() and visitPairUses(), except that an order rate
// is compared with its threshold instead of counted.
bool RiskEvaluator::accountReachesWarningAt(RiskSlot slot, Timestamp now, bool settled) const
{
    const AccountState &account = m_accounts[slot];
    const RiskLimits &limits = account.settings.limits;
    const std::int64_t rate = limits.maximumOrdersPerSecond;
    if (rate > 0 && (!settled || !account.rate.inTimeOrder()) &&
        account.rate.holdsAtLeast(warningCount(rate), now))
        return true;
    if (settled) {
        if (limits.dailyLossLimit <= Money{0})
            return false;
        const RiskAccountSnapshot &snapshot = account.snapshot;
        const Checked<Money> total =
            addMoney(snapshot.realizedProfitAndLoss, snapshot.unrealizedProfitAndLoss);
        const std::int64_t loss =
            !total.ok() ? kInt64Max : std::max<std::int64_t>(-total.value.value(), 0);
        return reachesWarning(loss, limits.dailyLossLimit.value());
    }
    bool reached = false;
    visitAccountUses(account,
                     [&reached](RiskRule, LimitScope, std::int64_t use, std::int64_t limit) {
                         reached = reached || reachesWarning(use, limit);
                     });
    return reached;
}

bool RiskEvaluator::pairReachesWarningAt(RiskSlot slot, Timestamp now, bool settled) const
{
    const PairState &pair = m_pairs[slot];
    const std::int64_t rate = pair.limits[indexOf(RiskRule::OrderRate)].value;
    if (rate > 0 && (!settled || !pair.rate.inTimeOrder()) &&
        pair.rate.holdsAtLeast(warningCount(rate), now))
        return true;
    if (settled)
        return false;
    bool reached = false;
    visitPairUses(pair, [&reached](RiskRule, LimitScope, std::int64_t use, std::int64_t limit) {
        reached = reached || reachesWarning(use, limit);
    });
    return reached;
}

void RiskEvaluator::appendAccountUse(const AccountState &account, Timestamp now,
                                     std::vector<LimitUse> &uses) const
{
    visitAccountUses(
        account,
        [&uses](RiskRule rule, LimitScope scope, std::int64_t use, std::int64_t limit) {
            uses.push_back(
                {rule, scope, InstrumentId{}, use, limit, utilizationBasisPoints(use, limit)});
        },
        &now);
}

void RiskEvaluator::appendPairUse(const PairState &pair, Timestamp now,
                                  std::vector<LimitUse> &uses) const
{
    const InstrumentId instrument = m_instruments[pair.instrumentIndex].definition.id;
    visitPairUses(
        pair,
        [&](RiskRule rule, LimitScope scope, std::int64_t use, std::int64_t limit) {
            uses.push_back(
                {rule, scope, instrument, use, limit, utilizationBasisPoints(use, limit)});
        },
        &now);
}

} // namespace bourse

#include "report_data.h"

#include "event_text.h"
#include "risk_checks.h"
#include "trader_view.h"

#include <algorithm>
#include <limits>

namespace bourse::cli::report {

namespace {

using Int128 = detail::Int128;

bool fitsMoney(Int128 value)
{
    return value <= std::numeric_limits<std::int64_t>::max() &&
           value >= -std::numeric_limits<std::int64_t>::max();
}

// amount * part / whole, rounded half to even as money.h rounds P&L. whole must be positive.
Money proRata(Money amount, std::int64_t part, std::int64_t whole)
{
    const Int128 product = Int128{amount.value()} * part;
    Int128 quotient = product / whole;
    const Int128 remainder = product % whole;
    const Int128 twiceRemainder = (remainder < 0 ? -remainder : remainder) * 2;
    if (twiceRemainder > whole || (twiceRemainder == whole && quotient % 2 != 0))
        quotient += product < 0 ? -1 : 1;
    return Money{static_cast<std::int64_t>(quotient)};
}

std::string accountName(AccountId account)
{
    return "account " + std::to_string(account.value());
}

std::string killSwitchText(const KillSwitchChanged &changed)
{
    const bool global = changed.account.value() == 0;
    const std::string name = global ? "global kill switch" : "kill switch";
    const std::string whose = global ? "every account" : accountName(changed.account);
    if (changed.scope == KillSwitchScope::None)
        return name + " reset for " + whose;
    return name + " engaged (" + std::string(nameOf(changed.scope)) + ") for " + whose;
}

std::int64_t magnitude(std::int64_t value)
{
    return value < 0 ? -value : value;
}

} // namespace

SeriesSampler::SeriesSampler(std::size_t maximumBuckets)
    : m_maximumBuckets(std::max<std::size_t>(maximumBuckets, 1))
{
}

void SeriesSampler::add(const SeriesPoint &point)
{
    ++m_added;
    const std::uint64_t key = point.sequence / m_width;
    if (!m_buckets.empty() && m_buckets.back().key == key) {
        Bucket &bucket = m_buckets.back();
        if (point.value < bucket.lowest.value)
            bucket.lowest = point;
        if (point.value > bucket.highest.value)
            bucket.highest = point;
        bucket.last = point;
        return;
    }

    m_buckets.push_back({key, point, point, point, point});
    // Keys can be sparse, so one doubling may merge nothing.
    while (m_buckets.size() > m_maximumBuckets)
        mergeNeighbours();
}

void SeriesSampler::mergeNeighbours()
{
    m_width *= 2;
    std::vector<Bucket> merged;
    merged.reserve(m_buckets.size() / 2 + 1);
    for (Bucket bucket : m_buckets) {
        bucket.key /= 2;
        if (merged.empty() || merged.back().key != bucket.key) {
            merged.push_back(bucket);
            continue;
        }
        Bucket &into = merged.back();
        if (bucket.lowest.value < into.lowest.value)
            into.lowest = bucket.lowest;
        if (bucket.highest.value > into.highest.value)
            into.highest = bucket.highest;
        into.last = bucket.last;
    }
    m_buckets = std::move(merged);
}

std::vector<SeriesPoint> SeriesSampler::points() const
{
    std::vector<SeriesPoint> points;
    points.reserve(m_buckets.size() * 4);
    for (const Bucket &bucket : m_buckets) {
        std::array<SeriesPoint, 4> kept{bucket.first, bucket.lowest, bucket.highest, bucket.last};
        std::sort(kept.begin(), kept.end(), [](const SeriesPoint &a, const SeriesPoint &b) {
            return a.sequence < b.sequence;
        });
        for (const SeriesPoint &point : kept) {
            if (points.empty() || points.back().sequence != point.sequence)
                points.push_back(point);
        }
    }
    return points;
}

bool SessionReport::hasTraderActivity() const
{
    const bool anyFill =
        std::any_of(accounts.begin(), accounts.end(),
                    [](const AccountReport &account) { return account.fills > 0; });
    const bool anyRisk = std::any_of(riskCounts.begin(), riskCounts.end(),
                                     [](std::uint64_t count) { return count > 0; });
    return anyFill || anyRisk;
}

const InstrumentDefinition *SessionReport::definition(InstrumentId id) const
{
    const auto found = instruments.find(id);
    return found == instruments.end() ? nullptr : &found->second.definition;
}

AccountStatistics statisticsOf(const AccountReport &account,
                               const std::vector<PositionRow> &positions)
{
    AccountStatistics statistics;
    Int128 holding = 0;
    for (const RoundTrip &trip : account.roundTrips) {
        if (!trip.isClosed()) {
            ++statistics.openRoundTrips;
            continue;
        }
        ++statistics.closedRoundTrips;
        if (trip.realized > Money{0})
            ++statistics.wins;
        holding += Int128{trip.closed.value()} - trip.opened.value();
    }
    if (statistics.closedRoundTrips > 0)
        statistics.averageHoldingNanoseconds =
            static_cast<std::int64_t>(holding / statistics.closedRoundTrips);

    Int128 realized = 0;
    Int128 unrealized = 0;
    Int128 fees = 0;
    for (const PositionRow &position : positions) {
        if (position.account != account.settings.id)
            continue;
        realized += position.realized.value();
        unrealized += position.unrealized.value();
        fees += position.fees.value();
    }
    const Int128 net = realized - fees + unrealized;
    statistics.inRange =
        fitsMoney(realized) && fitsMoney(unrealized) && fitsMoney(fees) && fitsMoney(net);
    if (statistics.inRange) {
        statistics.realized = Money{static_cast<std::int64_t>(realized)};
        statistics.unrealized = Money{static_cast<std::int64_t>(unrealized)};
        statistics.fees = Money{static_cast<std::int64_t>(fees)};
        statistics.net = Money{static_cast<std::int64_t>(net)};
    }
    return statistics;
}

ReportCollector::ReportCollector(std::string journalPath, std::vector<AccountId> accounts)
{
    m_report.journalPath = std::move(journalPath);
    m_report.requestedAccounts = std::move(accounts);
}

AccountReport *ReportCollector::findAccount(AccountId id)
{
    for (AccountReport &account : m_report.accounts) {
        if (account.settings.id == id)
            return &account;
    }
    return nullptr;
}

void ReportCollector::observe(const Event &event, const Engine &engine)
{
    if (!std::holds_alternative<FillPosted>(event.payload))
        takePendingPoints(engine);

    m_lastEvent = {event.sequence, event.time, 0};
    if (m_report.events++ == 0)
        m_report.first = m_lastEvent;
    m_report.last = m_lastEvent;

    if (const auto *opened = std::get_if<AccountOpened>(&event.payload)) {
        const auto &requested = m_report.requestedAccounts;
        if (std::find(requested.begin(), requested.end(), opened->settings.id) == requested.end())
            return;
        AccountReport &account = m_report.accounts.emplace_back();
        account.settings = opened->settings;
        account.opening = m_lastEvent;
        account.netCurve.add(m_lastEvent);
        account.realizedCurve.add(m_lastEvent);
        account.lastNet = account.peak = m_lastEvent;
        m_pending.push_back(false);
    } else if (const auto *trade = std::get_if<Trade>(&event.payload)) {
        observeTrade(event, *trade, engine);
    } else if (const auto *posted = std::get_if<FillPosted>(&event.payload)) {
        observeFill(event, *posted, engine);
    } else {
        observeRisk(event, engine);
    }
}

InstrumentReport &ReportCollector::instrumentFor(InstrumentId id, const Engine &engine)
{
    const auto found = m_report.instruments.find(id);
    if (found != m_report.instruments.end())
        return found->second;
    InstrumentReport &instrument = m_report.instruments[id];
    if (const InstrumentDefinition *definition = engine.definition(id))
        instrument.definition = *definition;
    instrument.definition.id = id;
    return instrument;
}

void ReportCollector::observeTrade(const Event &event, const Trade &trade, const Engine &engine)
{
    InstrumentReport &instrument = instrumentFor(event.instrument, engine);
    ++instrument.trades;
    instrument.prices.add({event.sequence, event.time, trade.price.value()});

    // The trade moves the mark of every open position in the instrument.
    const Portfolio &portfolio = engine.portfolio();
    for (std::size_t index = 0; index < m_report.accounts.size(); ++index) {
        const Position *position =
            portfolio.position(m_report.accounts[index].settings.id, event.instrument);
        if (position != nullptr && position->quantity != Quantity{0})
            m_pending[index] = true;
    }
}

void ReportCollector::observeFill(const Event &event, const FillPosted &posted,
                                  const Engine &engine)
{
    AccountReport *account = findAccount(posted.account);
    if (account == nullptr)
        return;
    m_pending[static_cast<std::size_t>(account - m_report.accounts.data())] = true;

    ++account->fills;
    addMoneyTo(account->fees, posted.fee, event);
    auto &traded = account->instruments;
    if (std::find(traded.begin(), traded.end(), posted.instrument) == traded.end())
        traded.push_back(posted.instrument);

    InstrumentReport &instrument = instrumentFor(posted.instrument, engine);
    SeriesSampler &markers = posted.side == Side::Buy ? instrument.buys : instrument.sells;
    markers.add({event.sequence, event.time, posted.price.value()});
    updateRoundTrips(*account, event, posted);
}

RoundTrip &ReportCollector::openRoundTrip(AccountReport &account, const Event &event,
                                          InstrumentId instrument, Side direction)
{
    account.openTrips[instrument] = account.roundTrips.size();
    RoundTrip &trip = account.roundTrips.emplace_back();
    trip.instrument = instrument;
    trip.direction = direction;
    trip.openedSequence = event.sequence;
    trip.opened = event.time;
    return trip;
}

void ReportCollector::updateRoundTrips(AccountReport &account, const Event &event,
                                       const FillPosted &posted)
{
    const std::int64_t quantity = posted.quantity.value();
    const std::int64_t after = posted.position.value();
    const std::int64_t before = after + (posted.side == Side::Buy ? -quantity : quantity);
    const bool crosses = before != 0 && after != 0 && (before < 0) != (after < 0);

    RoundTrip *trip = nullptr;
    if (const auto open = account.openTrips.find(posted.instrument);
        open != account.openTrips.end()) {
        trip = &account.roundTrips[open->second];
    } else {
        // An account opens flat, so before != 0 here only after a missed fill. The round trip
        // then starts at this fill.
        const Side direction = before == 0 ? posted.side : (before > 0 ? Side::Buy : Side::Sell);
        trip = &openRoundTrip(account, event, posted.instrument, direction);
    }

    const Money closingFee =
        crosses ? proRata(posted.fee, magnitude(before), quantity) : posted.fee;
    ++trip->fills;
    addMoneyTo(trip->realized, posted.realizedProfitAndLoss, event);
    addMoneyTo(trip->fees, closingFee, event);
    const Quantity largest{crosses ? magnitude(before) : magnitude(after)};
    trip->largestQuantity = std::max(trip->largestQuantity, largest);
    if (after != 0 && !crosses)
        return;

    trip->closedSequence = event.sequence;
    trip->closed = event.time;
    account.openTrips.erase(posted.instrument);
    if (crosses) {
        RoundTrip &next = openRoundTrip(account, event, posted.instrument, posted.side);
        next.fills = 1;
        next.fees = Money{posted.fee.value() - closingFee.value()};
        next.largestQuantity = Quantity{magnitude(after)};
    }
}

void ReportCollector::observeRisk(const Event &event, const Engine &engine)
{
    RiskRow row;
    row.sequence = event.sequence;
    row.time = event.time;
    row.instrument = event.instrument;
    if (const auto *rejected = std::get_if<RiskRejected>(&event.payload)) {
        row.kind = RiskKind::Rejection;
        row.account = rejected->account;
        row.order = rejected->id;
        row.rule = rejected->rule;
        row.text = describeRiskRejection(*rejected);
    } else if (const auto *alert = std::get_if<RiskAlert>(&event.payload)) {
        row.kind = RiskKind::Alert;
        row.account = alert->account;
        row.rule = alert->rule;
        const InstrumentDefinition *instrument =
            event.instrument.value() != 0 ? engine.definition(event.instrument) : nullptr;
        row.text = describeRiskAlert(*alert, instrument ? textOf(instrument->symbol) : "");
    } else if (const auto *changed = std::get_if<KillSwitchChanged>(&event.payload)) {
        row.kind = RiskKind::KillSwitch;
        row.account = changed->account;
        row.rule = RiskRule::KillSwitch;
        row.text = killSwitchText(*changed);
    } else {
        return;
    }

    // The global kill switch covers every account, the reported ones included.
    const bool global = row.kind == RiskKind::KillSwitch && row.account.value() == 0;
    if (!global && findAccount(row.account) == nullptr)
        return;
    ++m_report.riskCounts[static_cast<std::size_t>(row.kind)];
    if (m_report.riskRows.size() < kMaximumTableRows)
        m_report.riskRows.push_back(std::move(row));
}

void ReportCollector::addMoneyTo(Money &total, Money amount, const Event &event)
{
    const Checked<Money> sum = addMoney(total, amount);
    if (sum.ok()) {
        total = sum.value;
    } else if (m_error.empty()) {
        m_error = "sequence " + std::to_string(event.sequence) +
                  ": a sum of money leaves the 64-bit range";
    }
}

void ReportCollector::takePendingPoints(const Engine &engine)
{
    for (std::size_t index = 0; index < m_pending.size(); ++index) {
        if (m_pending[index]) {
            takePoint(m_report.accounts[index], engine);
            m_pending[index] = false;
        }
    }
}

// Values the account as the terminal's positions panel does: each position's realized P&L less
// its fees, plus its unrealized P&L at the risk checks' reference price (the last trade).
void ReportCollector::takePoint(AccountReport &account, const Engine &engine)
{
    const Portfolio &portfolio = engine.portfolio();
    Int128 realized = 0;
    Int128 unrealized = 0;
    for (const InstrumentId instrument : account.instruments) {
        const Position *position = portfolio.position(account.settings.id, instrument);
        if (position == nullptr)
            continue;
        realized += Int128{position->realizedProfitAndLoss.value()} - position->feesPaid.value();
        const Price mark = engine.risk().evaluator().referencePrice(instrument);
        if (mark <= Price{0})
            continue;
        const MoneyResult value =
            portfolio.unrealizedProfitAndLoss(account.settings.id, instrument, mark);
        if (value.result == PortfolioResult::Ok)
            unrealized += value.value.value();
        else if (m_error.empty())
            m_error = "sequence " + std::to_string(m_lastEvent.sequence) +
                      ": the unrealized P&L of " + accountName(account.settings.id) +
                      " cannot be computed: " + std::string(nameOf(value.result));
    }

    const Int128 net = realized + unrealized;
    if (!fitsMoney(net) || !fitsMoney(realized)) {
        if (m_error.empty())
            m_error = "sequence " + std::to_string(m_lastEvent.sequence) + ": the P&L of " +
                      accountName(account.settings.id) + " leaves the 64-bit range";
        return;
    }
    const SeriesPoint point{m_lastEvent.sequence, m_lastEvent.time, static_cast<std::int64_t>(net)};
    const auto realizedValue = static_cast<std::int64_t>(realized);
    if (point.value == account.lastNet.value && realizedValue == account.lastRealized)
        return;

    account.netCurve.add(point);
    account.realizedCurve.add({point.sequence, point.time, realizedValue});
    account.lastNet = point;
    account.lastRealized = realizedValue;
    // The drawdown runs from the last time the curve stood at its running peak.
    if (point.value >= account.peak.value) {
        account.peak = point;
    } else if (account.peak.value - point.value > account.drawdown.amount.value()) {
        account.drawdown = {Money{account.peak.value - point.value}, account.peak, point};
    }
}

SessionReport ReportCollector::finish(const Engine &engine)
{
    takePendingPoints(engine);

    const std::vector<AccountId> &requested = m_report.requestedAccounts;
    const auto rank = [&](const AccountReport &account) {
        return std::find(requested.begin(), requested.end(), account.settings.id) -
               requested.begin();
    };
    std::stable_sort(
        m_report.accounts.begin(), m_report.accounts.end(),
        [&](const AccountReport &a, const AccountReport &b) { return rank(a) < rank(b); });
    for (const AccountId id : requested) {
        if (findAccount(id) == nullptr)
            m_report.missingAccounts.push_back(id);
    }

    std::vector<InstrumentId> instruments = engine.instruments();
    std::sort(instruments.begin(), instruments.end());
    for (const AccountReport &account : m_report.accounts)
        addPositions(account, instruments, engine);
    return std::move(m_report);
}

void ReportCollector::addPositions(const AccountReport &account,
                                   const std::vector<InstrumentId> &instruments,
                                   const Engine &engine)
{
    const Portfolio &portfolio = engine.portfolio();
    for (const InstrumentId instrument : instruments) {
        const Position *position = portfolio.position(account.settings.id, instrument);
        if (position == nullptr)
            continue;
        PositionRow row;
        row.account = account.settings.id;
        row.instrument = instrument;
        row.moneyDecimals = account.settings.moneyDecimals;
        row.quantity = position->quantity;
        row.average = averagePrice(*position);
        row.mark = engine.risk().evaluator().referencePrice(instrument);
        row.realized = position->realizedProfitAndLoss;
        row.fees = position->feesPaid;
        row.fills = position->fillCount;
        if (row.mark > Price{0})
            row.unrealized =
                portfolio.unrealizedProfitAndLoss(account.settings.id, instrument, row.mark).value;
        m_report.positions.push_back(row);
    }
}

} // namespace bourse::cli::report

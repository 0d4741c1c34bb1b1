#include "replay_branch.h"

#include "event_text.h"

#include <algorithm>
#include <utility>
#include <variant>

namespace bourse {

namespace {

// NOTE: a sum past the int64 range of money units reads as zero (addMoney's value on overflow).
// A position the trader's risk limits allow stays far below it.
Money plus(Money a, Money b)
{
    return addMoney(a, b).value;
}

Money minus(Money a, Money b)
{
    return subtractMoney(a, b).value;
}

} // namespace

BranchSide measureBranchSide(const Engine &engine, const std::vector<AccountId> &accounts,
                             Price mark)
{
    BranchSide side;
    const InstrumentId instrument = engine.instrument();
    if (instrument.value() == 0)
        return side; // the replay has not defined its instrument yet
    const Portfolio &portfolio = engine.portfolio();
    for (const AccountId account : accounts) {
        const Position *position = portfolio.position(account, instrument);
        if (position == nullptr)
            continue;
        side.realized = plus(side.realized, position->realizedProfitAndLoss);
        side.fees = plus(side.fees, position->feesPaid);
        side.position += position->quantity;
        side.fills += position->fillCount;
        if (mark > Price{0}) {
            const Money unrealized =
                portfolio.unrealizedProfitAndLoss(account, instrument, mark).value;
            side.unrealized = plus(side.unrealized, unrealized);
        }
    }
    side.total = minus(plus(side.realized, side.unrealized), side.fees);
    return side;
}

ReplayBranch::ReplayBranch(std::unique_ptr<ReplayFills> original,
                           std::unique_ptr<TraderViewBuilder> originalView,
                           std::vector<AccountId> accounts, std::int64_t sampleIntervalNanoseconds)
    : m_original(std::move(original))
    , m_originalView(std::move(originalView))
    , m_accounts(std::move(accounts))
    , m_interval(sampleIntervalNanoseconds)
{
}

ReplayBranch::ReplayBranch(const Engine &recorded, std::vector<AccountId> accounts,
                           std::int64_t sampleIntervalNanoseconds)
    : m_recorded(&recorded)
    , m_accounts(std::move(accounts))
    , m_interval(sampleIntervalNanoseconds)
{
}

void ReplayBranch::followRecorded(const Engine &recorded)
{
    if (!m_original)
        m_recorded = &recorded;
}

const Engine &ReplayBranch::originalEngine() const
{
    return m_original ? m_original->traderEngine() : *m_recorded;
}

BranchSide ReplayBranch::measureOriginal() const
{
    return measureBranchSide(originalEngine(), m_accounts, m_mark);
}

void ReplayBranch::start(const ReplayFills &branch, Timestamp moment, SequenceNumber sequence)
{
    m_branch = &branch;
    if (m_mark.value() == 0)
        m_mark = branch.lastMarketPrice();
    m_moment = moment;
    m_momentSequence = sequence;
    ++m_branches;
    m_marketTime = std::max(m_marketTime, moment);
    sample(moment);
}

void ReplayBranch::rewindTo(Timestamp time)
{
    std::erase_if(m_curve, [time](const BranchSample &sample) { return sample.time > time; });
    m_marketTime = time;
}

void ReplayBranch::setMark(Price mark)
{
    if (mark > Price{0})
        m_mark = mark;
}

void ReplayBranch::onEvent(const Event &event)
{
    m_marketTime = std::max(m_marketTime, event.time);
    // Only the replayed engine publishes to the comparison, so every trade here is the market's.
    const auto *trade = std::get_if<Trade>(&event.payload);
    if (trade != nullptr && trade->price > Price{0} && m_branch != nullptr &&
        event.instrument == m_branch->market().instrument())
        m_mark = trade->price;
}

// A sample goes in once the market time is an interval past the last one, after the replayed
// message that got it there has settled in both models.
void ReplayBranch::onCommandEnd()
{
    if (m_branch == nullptr)
        return;
    if (!m_curve.empty() && m_marketTime.value() - m_curve.back().time.value() < m_interval)
        return;
    sample(m_marketTime);
}

void ReplayBranch::sample(Timestamp time)
{
    BranchSample point;
    point.time = time;
    point.original = measureOriginal().total;
    point.branch = measureBranchSide(m_branch->traderEngine(), m_accounts, m_mark).total;
    // A second Branch at the time of the last sample replaces it with the same values.
    if (!m_curve.empty() && m_curve.back().time == time)
        m_curve.back() = point;
    else
        m_curve.push_back(point);
    if (m_curve.size() >= kMaximumSamples)
        thin();
}

// Keeps the first sample and every other one after it, and doubles the interval, so the curve
// still covers the whole time since the first branch moment.
void ReplayBranch::thin()
{
    std::vector<BranchSample> thinned;
    thinned.reserve(m_curve.size() / 2 + 1);
    for (std::size_t index = 0; index < m_curve.size(); index += 2)
        thinned.push_back(m_curve[index]);
    m_curve = std::move(thinned);
    m_interval *= 2;
}

BranchComparison ReplayBranch::comparison() const
{
    BranchComparison comparison;
    comparison.moment = m_moment;
    comparison.momentSequence = m_momentSequence;
    comparison.branches = m_branches;
    comparison.sampleIntervalNanoseconds = m_interval;
    if (m_branch == nullptr)
        return comparison;

    const Engine &engine = originalEngine();
    if (!m_accounts.empty()) {
        if (const Account *account = engine.portfolio().account(m_accounts.front())) {
            comparison.currency = textOf(account->settings.currency);
            comparison.moneyDecimals = account->settings.moneyDecimals;
        }
    }
    comparison.mark = m_mark;
    comparison.original = measureOriginal();
    comparison.branch = measureBranchSide(m_branch->traderEngine(), m_accounts, m_mark);

    comparison.curve = m_curve;
    const BranchSample now{m_marketTime, comparison.original.total, comparison.branch.total};
    if (!comparison.curve.empty() && comparison.curve.back().time >= now.time)
        comparison.curve.back() = now;
    else
        comparison.curve.push_back(now);
    return comparison;
}

} // namespace bourse

#include "view_builder.h"

#include <algorithm>
#include <iterator>
#include <variant>
#include <vector>

namespace bourse {

namespace {

constexpr auto kRateWindow = std::chrono::seconds(1);
constexpr auto kRateSampleSpacing = std::chrono::milliseconds(10);

std::vector<LevelSummary> topLevels(const OrderBook &book, Side side, std::size_t depth)
{
    const std::size_t count = std::min(depth, book.levelCount(side));
    std::vector<LevelSummary> levels;
    levels.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        levels.push_back(book.level(side, i));
    }
    return levels;
}

} // namespace

MarketViewBuilder::MarketViewBuilder(Options options)
    : m_options(options)
    , m_bars(options.barIntervalNanoseconds, options.barsKept)
{
    m_recentTrades.reserve(options.tradesPerView);
}

void MarketViewBuilder::onEvent(const Event &event)
{
    ++m_totalEvents;
    m_lastSequence = event.sequence;
    m_lastEventTime = event.time;
    if (const auto *trade = std::get_if<Trade>(&event.payload)) {
        addTrade(event, *trade);
    }
}

void MarketViewBuilder::restoreHistory(const std::vector<Bar> &bars,
                                       const std::vector<TradePrint> &trades,
                                       SequenceNumber lastSequence)
{
    m_bars.restore(bars);
    const std::size_t kept = std::min(trades.size(), m_options.tradesPerView);
    m_recentTrades.assign(trades.end() - static_cast<std::ptrdiff_t>(kept), trades.end());
    m_oldestTrade = 0;
    m_totalTrades = kept;
    m_lastSequence = lastSequence;
}

void MarketViewBuilder::addTrade(const Event &event, const Trade &trade)
{
    ++m_totalTrades;
    m_bars.addTrade(event.time, trade.price, trade.quantity);

    if (m_options.tradesPerView == 0) {
        ++m_droppedTrades;
        return;
    }
    // A ring of tradesPerView prints, filled once and then overwritten oldest first, so that
    // trading allocates nothing here.
    const TradePrint print{event.sequence, event.time, trade.price, trade.quantity,
                           trade.aggressor};
    if (m_recentTrades.size() < m_options.tradesPerView) {
        m_recentTrades.push_back(print);
        return;
    }
    TradePrint &oldest = m_recentTrades[m_oldestTrade];
    if (oldest.sequence > m_lastFilledSequence) {
        ++m_droppedTrades;
    }
    oldest = print;
    m_oldestTrade = (m_oldestTrade + 1) % m_recentTrades.size();
}

void MarketViewBuilder::sampleRate(Clock::time_point now)
{
    if (!m_rateSamples.empty() && now - m_rateSamples.back().first < kRateSampleSpacing) {
        return;
    }
    m_rateSamples.emplace_back(now, m_totalEvents);

    // Keeps one sample at or before the start of the window, as the base of the rate.
    while (m_rateSamples.size() >= 2 && m_rateSamples[1].first <= now - kRateWindow) {
        m_rateSamples.pop_front();
    }
}

double MarketViewBuilder::eventsPerSecond(Clock::time_point now) const
{
    // The newest sample at or before the window start; the oldest one while the session is
    // younger than the window.
    const Clock::time_point windowStart = now - kRateWindow;
    auto base = m_rateSamples.begin();
    while (base != m_rateSamples.end() && std::next(base) != m_rateSamples.end() &&
           std::next(base)->first <= windowStart) {
        ++base;
    }
    if (base == m_rateSamples.end() || now <= base->first) {
        return 0.0;
    }
    const double seconds = std::chrono::duration<double>(now - base->first).count();
    return static_cast<double>(m_totalEvents - base->second) / seconds;
}

void MarketViewBuilder::fill(MarketView &view, const OrderBook &book, Clock::time_point now)
{
    view.bids = topLevels(book, Side::Buy, m_options.viewLevels);
    view.asks = topLevels(book, Side::Sell, m_options.viewLevels);

    const auto oldest = m_recentTrades.begin() + static_cast<std::ptrdiff_t>(m_oldestTrade);
    view.recentTrades.assign(oldest, m_recentTrades.end());
    view.recentTrades.insert(view.recentTrades.end(), m_recentTrades.begin(), oldest);
    view.droppedTrades = m_droppedTrades;
    m_lastFilledSequence = m_lastSequence;
    m_droppedTrades = 0;

    view.bars = m_bars.copyBars();
    view.barIntervalNanoseconds = m_bars.intervalNanoseconds();

    view.lastSequence = m_lastSequence;
    view.totalEvents = m_totalEvents;
    view.totalTrades = m_totalTrades;
    view.eventsPerSecond = eventsPerSecond(now);
    m_eventsAtLastFill = m_totalEvents;
}

} // namespace bourse

#include "bar_builder.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace bourse {

BarBuilder::BarBuilder(std::int64_t intervalNanoseconds, std::size_t barsKept)
    : m_interval(intervalNanoseconds)
    , m_barsKept(barsKept)
{
    if (intervalNanoseconds <= 0) {
        throw std::invalid_argument("bar interval must be positive, got " +
                                    std::to_string(intervalNanoseconds) + " ns");
    }
    if (barsKept == 0) {
        throw std::invalid_argument("bars kept must be at least 1, got 0");
    }
}

Timestamp BarBuilder::barStart(Timestamp time) const
{
    std::int64_t remainder = time.value() % m_interval;
    if (remainder < 0) {
        remainder += m_interval;
    }
    return Timestamp{time.value() - remainder};
}

void BarBuilder::addTrade(Timestamp time, Price price, Quantity quantity)
{
    const Timestamp start = barStart(time);
    if (m_bars.empty() || start > m_bars.back().start) {
        m_bars.push_back(openBar(start, price, quantity));
        if (m_bars.size() > m_barsKept) {
            m_bars.pop_front();
        }
        return;
    }
    if (start == m_bars.back().start) {
        extendBar(m_bars.back(), price, quantity);
        return;
    }
    addToOlderBar(start, price, quantity);
}

void BarBuilder::addToOlderBar(Timestamp start, Price price, Quantity quantity)
{
    const auto byStart = [](const Bar &bar, Timestamp value) { return bar.start < value; };
    const auto position = std::lower_bound(m_bars.begin(), m_bars.end(), start, byStart);
    if (position != m_bars.end() && position->start == start) {
        extendBar(*position, price, quantity);
        return;
    }
    if (position == m_bars.begin() && m_bars.size() >= m_barsKept) {
        ++m_lateTradesDropped;
        return;
    }
    m_bars.insert(position, openBar(start, price, quantity));
    if (m_bars.size() > m_barsKept) {
        m_bars.pop_front();
    }
}

void BarBuilder::restore(const std::vector<Bar> &bars)
{
    for (std::size_t i = 0; i < bars.size(); ++i) {
        const Timestamp start = bars[i].start;
        if (barStart(start) != start) {
            throw std::invalid_argument("restored bar at " + std::to_string(start.value()) +
                                        " ns does not start on the " + std::to_string(m_interval) +
                                        " ns interval");
        }
        if (i > 0 && bars[i - 1].start >= start) {
            throw std::invalid_argument("restored bars are not in time order at " +
                                        std::to_string(start.value()) + " ns");
        }
    }
    const std::size_t skipped = bars.size() > m_barsKept ? bars.size() - m_barsKept : 0;
    m_bars.assign(bars.begin() + static_cast<std::ptrdiff_t>(skipped), bars.end());
}

Bar BarBuilder::openBar(Timestamp start, Price price, Quantity quantity)
{
    return Bar{start, price, price, price, price, quantity, 1};
}

void BarBuilder::extendBar(Bar &bar, Price price, Quantity quantity)
{
    bar.high = std::max(bar.high, price);
    bar.low = std::min(bar.low, price);
    bar.close = price;
    bar.volume += quantity;
    ++bar.tradeCount;
}

std::vector<Bar> BarBuilder::copyBars() const
{
    return {m_bars.begin(), m_bars.end()};
}

void BarBuilder::clear()
{
    m_bars.clear();
    m_lateTradesDropped = 0;
}

} // namespace bourse

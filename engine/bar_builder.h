#pragma once

#include "market_view.h"
#include "types.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

namespace bourse {

// Builds OHLCV bars of a fixed interval from trades. A bar starts at a multiple of the
// interval (counted from time zero) and contains the trades with start <= time < start +
// interval. An interval without trades gets no bar. Only the newest barsKept bars are kept.
//
// Open and close follow the order in which trades arrive, which is normally time order. A late
// trade still counts in its own bar while that bar is kept, and that bar is created in place
// when missing. When the kept bars are full, a trade older than all of them is left out and
// counted in lateTradesDropped().
class BarBuilder {
public:
    // Throws std::invalid_argument when the interval is not positive or barsKept is zero.
    BarBuilder(std::int64_t intervalNanoseconds, std::size_t barsKept);

    void addTrade(Timestamp time, Price price, Quantity quantity);

    // Replaces the bars with `bars`, which must be this builder's interval, aligned, oldest
    // first and without repeats, such as the bars of a run this one continues. The newest
    // barsKept are kept. Throws std::invalid_argument, changing nothing, when they are not.
    void restore(const std::vector<Bar> &bars);

    // Oldest first; the last bar may still be forming.
    const std::deque<Bar> &bars() const { return m_bars; }
    std::vector<Bar> copyBars() const;

    // The start of the bar a trade at `time` belongs to, rounding towards negative infinity.
    Timestamp barStart(Timestamp time) const;

    std::int64_t intervalNanoseconds() const { return m_interval; }
    std::size_t barsKept() const { return m_barsKept; }
    std::uint64_t lateTradesDropped() const { return m_lateTradesDropped; }

    void clear();

private:
    void addToOlderBar(Timestamp start, Price price, Quantity quantity);
    static Bar openBar(Timestamp start, Price price, Quantity quantity);
    static void extendBar(Bar &bar, Price price, Quantity quantity);

    std::int64_t m_interval;
    std::size_t m_barsKept;
    std::deque<Bar> m_bars;
    std::uint64_t m_lateTradesDropped = 0;
};

} // namespace bourse

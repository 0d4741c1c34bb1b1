#pragma once

#include "market_view.h"

#include <QString>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace bourse::ui {

// The moving averages the candlestick chart draws, in bars.
inline constexpr std::size_t shortMovingAverageLength = 20;
inline constexpr std::size_t longMovingAverageLength = 50;

// One value of an indicator line at one bar.
struct IndicatorPoint {
    Timestamp start;    // of the bar
    Price price;        // the exact value rounded to the nearest tick, halves away from zero
    double ticks = 0.0; // the exact value, for placing the line between ticks
};

// The bars the chart draws: one time frame of the view.
struct CandleSeries {
    std::span<const Bar> bars; // oldest first
    std::int64_t intervalNanoseconds = 0;
    VwapSums olderBars; // the bars of the run older than `bars`, as BarSeries::olderBars
};

// One of the trader's fills, placed on the bar whose interval contains its time.
struct FillMarker {
    Timestamp barStart;
    Price price;
    Side side = Side::Buy;
    Quantity quantity;
};

// Returns the running volume-weighted average price of the run, one point per bar of `bars` from
// the first point with volume on. The sums start from `olderBars`, the bars of the run that the
// view no longer carries, so the line stays where it was when old bars scroll out. A bar
// carries no trade list, so each bar counts at its typical price (high + low + close) / 3, the
// usual choice for a VWAP over bars, weighted by its volume (VwapSums). Sums and the division
// are exact in 128 bits. The line stops at a bar where a sum would leave 128 bits, which at the
// largest price the engine accepts (10^15 ticks) takes a total volume above 5 * 10^22 lots, and
// is empty when `olderBars` overflowed already.
std::vector<IndicatorPoint> sessionVwap(std::span<const Bar> bars, const VwapSums &olderBars = {});

// Returns the simple moving average of the closes of `length` consecutive bars, one point per
// bar from bar `length` - 1 on. It averages bars, not intervals: an interval without trades has
// no bar and does not count. Empty when `length` is zero or exceeds the bar count.
std::vector<IndicatorPoint> simpleMovingAverage(std::span<const Bar> bars, std::size_t length);

// Returns the series the chart shows for the time frame `intervalNanoseconds`: that series of
// view.timeFrames, or when the view has none of that length, the one at the view's bar interval
// and otherwise the shortest. Without time frames it is view.bars.
CandleSeries chartSeries(const MarketView &view, std::int64_t intervalNanoseconds);

// Returns the lengths of view.timeFrames, shortest first.
std::vector<std::int64_t> timeFrameLengths(const MarketView &view);

// Returns a marker per fill of `instrument` among `fills`, on the bar of `intervalNanoseconds`
// that contains the fill's time, in the order of `fills`.
std::vector<FillMarker> fillMarkers(std::span<const OwnFill> fills, InstrumentId instrument,
                                    std::int64_t intervalNanoseconds);

// Returns the start of the interval that contains `time`, rounding toward negative infinity,
// as BarBuilder aligns bars.
std::int64_t intervalStart(std::int64_t time, std::int64_t intervalNanoseconds);

// Returns a short name of a bar interval for a button or the header: "1s", "5m", "1h".
QString intervalLabel(std::int64_t nanoseconds);

// Returns the spoken name of a bar interval: "1 second", "5 minutes", "1 hour".
QString intervalName(std::int64_t nanoseconds);

} // namespace bourse::ui

#pragma once

#include "chart_indicators.h"
#include "market_view.h"

#include <QFontMetrics>
#include <QRect>
#include <QSize>
#include <QString>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace bourse::ui {

// Pixels per bar slot at the default zoom: the candle body and the gap to the next one.
inline constexpr int chartSlotWidth = 9;

// The slot widths the chart zooms through, narrowest first.
inline constexpr std::array<int, 9> chartSlotWidths{3, 4, 5, 7, 9, 12, 16, 21, 28};

// The zoom and scroll position of the candle area, and the room its owner keeps for controls.
struct ChartOptions {
    int slotWidth = chartSlotWidth;
    // Start of the bar slot at the right edge. When empty, the newest bar takes that slot and
    // new bars scroll in as they come.
    std::optional<std::int64_t> rightSlotStart;
    // Space at the right of the header that the owner's buttons cover. Empty without buttons.
    QSize headerControls;
};

// The areas of one chart frame.
struct ChartLayout {
    QRect header; // symbol and the OHLCV of the bar under the cursor, or of the newest bar
    QRect legend; // the indicator lines' names and values
    QRect prices; // candles
    QRect volume; // volume bars under the candles
    QRect axis;   // price labels, right of the candles and the volume
    QRect times;  // time labels, under the volume
};

// A horizontal grid line of the candle area and its label on the price axis.
struct PriceGridLine {
    std::int64_t price = 0; // ticks
    int y = 0;
    QRect labelRect;
    QString label;
    // False when the last price tag covers the label's place, so only the tag is drawn there.
    bool labelShown = true;
};

// A vertical grid line at a round time of day and its label on the time axis.
struct TimeGridLine {
    std::int64_t time = 0; // nanoseconds, on the bars' clock
    int x = 0;
    QRect labelRect;
    QString label;
};

// Returns the text the chart shows while the view has no bars: "Waiting for the first trade"
// while the session can still trade, "No trades" once a replay finished or failed.
QString noBarsText(const MarketView &view);

// The geometry of one frame of the candlestick chart: its areas, the bars that fit, and the
// mapping between times, prices and pixels. It keeps references to the view and the series, so
// it lives no longer than they do.
//
// Bars sit in slots of options.slotWidth pixels, one slot per bar interval, so an interval
// without trades stays an empty slot and the time axis stays true. While every bar fits, the
// first bar sits near the left edge, with room for its time label, so the time axis starts at
// the first trade and bars fill the chart from the left. Once they no longer fit, the bar at
// options.rightSlotStart takes the rightmost slot (the newest bar when that is empty) and older
// bars leave on the left. Simulations and replays are drawn the same way.
class ChartFrame {
public:
    ChartFrame(const QFontMetrics &metrics, const MarketView &view, CandleSeries series,
               QRect bounds, const ChartOptions &options = {});

    const ChartLayout &layout() const { return m_layout; }
    const MarketView &view() const { return m_view; }
    const CandleSeries &series() const { return m_series; }
    std::span<const Bar> visibleBars() const { return m_visible; }

    std::int64_t interval() const { return m_interval; }
    int slotWidth() const { return m_slotWidth; }
    int bodyWidth() const; // odd, so the wick sits on the body's middle pixel
    std::int64_t slotCount() const { return m_slotCount; }
    std::int64_t firstSlotStart() const { return m_firstSlotStart; }
    std::int64_t lastSlotStart() const { return m_firstSlotStart + (m_slotCount - 1) * m_interval; }

    // True when the series is wider than the candle area, so it can scroll.
    bool canScroll() const { return m_earliestRightSlot < m_latestRightSlot; }
    // True when the newest bar is visible in the rightmost place it can take.
    bool showsNewestBar() const;
    // Returns `start` limited to the right slot starts that keep a bar on screen: the newest
    // bar's start at most, and no further back than the first bar at the left edge. Empty when
    // that is the newest bar's slot, where the chart follows new bars.
    std::optional<std::int64_t> clampRightSlot(std::int64_t start) const;

    // Returns the x of the middle of the slot of a bar interval that starts at `start`.
    int xOfTime(std::int64_t start) const;
    int xOfBar(const Bar &bar) const { return xOfTime(bar.start.value()); }
    double yOfPrice(double ticks) const;
    // Returns the price in ticks at the height `y` of the candle area, between ticks.
    double priceAtY(int y) const;
    // Returns the price at the height `y` rounded to the nearest multiple of the tick size.
    Price tickPriceAtY(int y) const;
    // Returns the start of the slot under `x`, or nothing outside the candle area's columns.
    std::optional<std::int64_t> slotAtX(int x) const;
    // Returns the visible bar in the slot under `x`, or nullptr for an empty slot.
    const Bar *barAtX(int x) const;

    // Returns the grid lines of the chart, lowest price first, and none without bars.
    std::vector<PriceGridLine> priceGrid() const;
    std::vector<TimeGridLine> timeGrid() const;

    // Returns the tag of the newest bar's close on the price axis, or an empty rectangle without
    // bars or when that price is outside the visible range.
    QRect lastPriceTag() const;

    std::int64_t low() const { return m_low; } // price range of the candle area, in ticks
    std::int64_t high() const { return m_high; }
    std::int64_t largestVolume() const { return m_largestVolume; }
    const QFontMetrics &metrics() const { return m_metrics; }

private:
    ChartLayout layoutFor(QRect bounds, QSize headerControls) const;
    void chooseVisibleBars(int plotWidth, std::optional<std::int64_t> rightSlotStart);
    int timeLabelWidth() const;
    void choosePriceRange();

    const MarketView &m_view;
    CandleSeries m_series;
    QFontMetrics m_metrics;
    std::span<const Bar> m_visible;   // oldest first
    std::span<const Bar> m_rangeBars; // the bars that set the price range
    ChartLayout m_layout;
    int m_slotWidth = chartSlotWidth;
    std::int64_t m_interval = 1'000'000'000; // bar length in nanoseconds, one slot on screen
    std::int64_t m_firstSlotStart = 0;       // start time of the leftmost slot
    std::int64_t m_slotCount = 1;            // slots across the candle area
    std::int64_t m_earliestRightSlot = 0;    // scroll limits of the rightmost slot's start
    std::int64_t m_latestRightSlot = 0;
    std::int64_t m_low = 0; // price range of the candle area, in ticks
    std::int64_t m_high = 1;
    std::int64_t m_largestVolume = 1;
};

} // namespace bourse::ui

#pragma once

#include "market_view.h"

#include <QFontMetrics>
#include <QRect>
#include <QString>

#include <cstdint>
#include <span>
#include <vector>

class QPainter;

namespace bourse::ui {

// Pixels per bar slot: the candle body and the gap to the next one.
inline constexpr int chartSlotWidth = 9;

// The areas of one chart frame.
struct ChartLayout {
    QRect header; // symbol and the last bar's OHLCV
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

// Paints one frame of the candlestick chart from a view. It is built per paint event and keeps
// no state between frames.
//
// Bars sit in slots of chartSlotWidth pixels, one slot per bar interval, so an interval
// without trades stays an empty slot and the time axis stays true. While every bar fits, the
// first bar sits near the left edge, with room for its time label, so the time axis starts at
// the first trade and bars fill the chart from the left. Once they no longer fit, the newest
// bar takes the rightmost slot and older bars leave on the left. Simulations and replays are
// drawn the same way.
class ChartPainter {
public:
    ChartPainter(QPainter &painter, const MarketView &view, QRect bounds);

    void paint();

    const ChartLayout &layout() const { return m_layout; }
    std::span<const Bar> visibleBars() const { return m_bars; }

    // Returns the x of the middle of a visible bar's slot.
    int xOfBar(const Bar &bar) const { return xOfTime(bar.start.value()); }

    // Returns the grid lines that paint() draws, lowest price first, and none without bars.
    std::vector<PriceGridLine> priceGrid() const;
    std::vector<TimeGridLine> timeGrid() const;

    // Returns the tag of the last price on the price axis, or an empty rectangle without bars.
    QRect lastPriceTag() const;

private:
    ChartLayout layoutFor(QRect bounds) const;
    void chooseVisibleBars(int plotWidth);
    int timeLabelWidth() const;
    void choosePriceRange();

    double yOfPrice(std::int64_t ticks) const;
    int xOfTime(std::int64_t start) const;
    QColor barColor(const Bar &bar) const;

    void drawHeader();
    void drawPriceGrid();
    void drawCandles();
    void drawVolume();
    void drawTimeAxis();
    void drawLastPrice();
    void drawText(const QRect &rect, int flags, const QString &text, const QColor &color);

    QPainter &m_painter;
    const MarketView &m_view;
    QFontMetrics m_metrics;
    std::span<const Bar> m_bars; // the visible ones, oldest first
    ChartLayout m_layout;
    std::int64_t m_interval = 1'000'000'000; // bar length in nanoseconds, one slot on screen
    std::int64_t m_firstSlotStart = 0;       // start time of the leftmost slot
    std::int64_t m_slotCount = 1;            // slots across the candle area
    std::int64_t m_low = 0;                  // price range of the candle area, in ticks
    std::int64_t m_high = 1;
    std::int64_t m_largestVolume = 1;
};

} // namespace bourse::ui

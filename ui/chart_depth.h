#pragma once

#include "market_view.h"

#include <QFontMetrics>
#include <QPoint>
#include <QRect>
#include <QString>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

class QPainter;

namespace bourse::ui {

// The size a market order could take on one side of the book down to one price.
struct DepthPoint {
    Price price;
    Quantity cumulative; // this level's size plus the sizes of the better levels
};

// Returns the running totals of `levels`, best first: for bids the size at each price or
// higher, for asks the size at each price or lower.
std::vector<DepthPoint> cumulativeDepth(std::span<const LevelSummary> levels);

// The cumulative size of one side of the book at one price.
struct DepthReading {
    Price price;
    Side side = Side::Buy;
    Quantity cumulative;
    // True past the last level the view carries: the book may hold more there, so the size is
    // a lower bound.
    bool beyondShownLevels = false;
};

// Returns the reading at `price` on the side of the book it lies on: the bids at the best bid
// or below, the asks at the best ask or above. Nothing inside the spread or without a side.
std::optional<DepthReading> depthAt(std::span<const DepthPoint> bids,
                                    std::span<const DepthPoint> asks, Price price);

// Returns the mid price, given as twice the mid in ticks, with `decimals` digits, or one more
// when it lies between two ticks: 20010 with 2 decimals is "100.05", 20001 is "100.005".
QString midPriceText(std::int64_t doubleMid, int decimals);

// A grid line of the depth chart and its label on an axis.
struct DepthGridLine {
    std::int64_t value = 0; // ticks on the price axis, lots on the size axis
    int position = 0;       // x for a price, y for a size
    QString label;
};

// The geometry of one frame of the depth chart: price across, cumulative size up. The price
// range is centred on the mid price when both sides have levels, and it reaches the deepest
// level of the wider side. The size axis runs from zero to above the larger side's total.
class DepthFrame {
public:
    DepthFrame(const QFontMetrics &metrics, const MarketView &view,
               std::span<const DepthPoint> bids, std::span<const DepthPoint> asks, QRect bounds);

    bool empty() const { return m_bids.empty() && m_asks.empty(); }
    QRect header() const { return m_header; }
    QRect plot() const { return m_plot; }
    QRect priceAxis() const { return m_priceAxis; } // under the plot
    QRect sizeAxis() const { return m_sizeAxis; }   // right of the plot

    double xOfPrice(double ticks) const;
    double yOfQuantity(double lots) const;
    // Returns the price at `x` rounded to the nearest multiple of the tick size.
    Price tickPriceAtX(int x) const;
    // Returns the reading at the price under `point`, or nothing outside the plot.
    std::optional<DepthReading> readingAt(QPoint point) const;
    // Returns twice the mid price in ticks, so a mid between two ticks stays exact. Nothing
    // unless both sides have levels.
    std::optional<std::int64_t> doubleMid() const;

    std::vector<DepthGridLine> priceGrid() const;
    std::vector<DepthGridLine> sizeGrid() const;

    const MarketView &view() const { return m_view; }
    std::span<const DepthPoint> bids() const { return m_bids; }
    std::span<const DepthPoint> asks() const { return m_asks; }
    const QFontMetrics &metrics() const { return m_metrics; }

private:
    void chooseRanges();

    const MarketView &m_view;
    std::span<const DepthPoint> m_bids;
    std::span<const DepthPoint> m_asks;
    QFontMetrics m_metrics;
    QRect m_header;
    QRect m_plot;
    QRect m_priceAxis;
    QRect m_sizeAxis;
    double m_lowPrice = 0.0; // ticks at the plot's left and right edges
    double m_highPrice = 1.0;
    std::int64_t m_largestSize = 1; // lots at the plot's top edge
};

// Paints one frame of the depth chart, with the crosshair at `cursor` when it is over the
// plot. The crosshair reads `cursorPrice` when given, such as a level the keyboard chose, and
// otherwise the price under the cursor. It is built per paint event and reads every colour
// from the theme as it paints.
class DepthPainter {
public:
    DepthPainter(QPainter &painter, const DepthFrame &frame, std::optional<QPoint> cursor,
                 std::optional<Price> cursorPrice = {});

    void paint();

private:
    void drawHeader();
    void drawGrid();
    void drawSide(std::span<const DepthPoint> depth, Side side);
    void drawMid();
    void drawCrosshair();
    void drawText(const QRect &rect, int flags, const QString &text, const QColor &color);
    void drawTag(const QRect &rect, const QString &text);

    QPainter &m_painter;
    const DepthFrame &m_frame;
    std::optional<QPoint> m_cursor;
    Price m_cursorPrice;
};

} // namespace bourse::ui

#pragma once

#include "chart_frame.h"
#include "chart_indicators.h"
#include "market_view.h"

#include <QColor>
#include <QPoint>
#include <QRect>
#include <QString>

#include <array>
#include <optional>
#include <utility>
#include <vector>

class QPainter;

namespace bourse::ui {

// The lines and markers the candlestick chart draws over the bars of one series.
struct ChartOverlays {
    std::vector<IndicatorPoint> vwap;
    std::vector<IndicatorPoint> shortAverage; // shortMovingAverageLength bars
    std::vector<IndicatorPoint> longAverage;  // longMovingAverageLength bars
    std::vector<FillMarker> fills;            // the trader's fills of the focus instrument
};

// Returns the overlays of `series`, a time frame of `view`.
ChartOverlays overlaysFor(const MarketView &view, const CandleSeries &series);

enum class ChartLine { Vwap, ShortAverage, LongAverage };

// Returns the colour of an indicator line in the current theme. The theme has no colours for
// indicator lines, so these are picked per theme to stand apart from the buy and sell colours.
QColor chartLineColor(ChartLine line);

// Returns the name of an indicator line for the legend: "VWAP", "MA 20", "MA 50".
QString chartLineName(ChartLine line);

// Returns the point of the fill's price in its bar's slot, where the marker's tip goes, or
// nothing when the bar's slot is off screen. A buy's marker points up at it from below, a sell's
// down at it from above.
std::optional<QPoint> fillMarkerPoint(const ChartFrame &frame, const FillMarker &fill);

// The values the chart's header and legend show for one bar, formatted as they are drawn.
struct ChartReadout {
    QString time;
    // O, H, L, C and Vol, each with its value.
    std::array<std::pair<QString, QString>, 5> fields;
    // Each indicator line with its value at the bar, or a dash while it has none there.
    std::array<std::pair<ChartLine, QString>, 3> lines;
};

// Returns the readout of `bar`, a bar of the frame's series.
ChartReadout chartReadout(const ChartFrame &frame, const ChartOverlays &overlays, const Bar &bar);

// Returns the readout as one line of text, in the order the chart draws it:
// "09:30:10 O 100.00 H 100.05 L 99.95 C 100.02 Vol 25 VWAP 100.01 MA 20 — MA 50 —".
QString readoutText(const ChartReadout &readout);

// Paints one frame of the candlestick chart: header, legend, grid, candles, volume, indicator
// lines, fill markers, the last price and the crosshair at `cursor` when it is over the plot.
// The price axis shows `cursorPrice` at the crosshair when it is set, and the price at the
// cursor's height otherwise. It is built per paint event and keeps no state between frames,
// and it reads every colour from the theme as it paints.
class ChartPainter {
public:
    ChartPainter(QPainter &painter, const ChartFrame &frame, const ChartOverlays &overlays,
                 std::optional<QPoint> cursor = {}, std::optional<Price> cursorPrice = {});

    void paint();

    // Returns the bar the header and the legend describe: the one under the cursor, or the
    // newest bar when the cursor is elsewhere or over an empty slot. Nullptr without bars.
    const Bar *describedBar() const;

private:
    void drawHeader();
    void drawLegend();
    void drawPriceGrid();
    void drawCandles();
    void drawVolume();
    void drawTimeAxis();
    void drawLine(const std::vector<IndicatorPoint> &points, ChartLine line);
    void drawFills();
    void drawLastPrice();
    void drawCrosshair();
    void drawText(const QRect &rect, int flags, const QString &text, const QColor &color);
    void drawTag(const QRect &rect, const QString &text);

    QPainter &m_painter;
    const ChartFrame &m_frame;
    const MarketView &m_view;
    const ChartOverlays &m_overlays;
    std::optional<QPoint> m_cursor;
    std::optional<Price> m_cursorPrice;
};

} // namespace bourse::ui

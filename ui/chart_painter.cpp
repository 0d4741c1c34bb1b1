#include "chart_painter.h"

#include "formatting.h"
#include "theme.h"

#include <QPainter>
#include <QPolygonF>
#include <QStringList>

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

namespace bourse::ui {

namespace {

constexpr int margin = 8;
constexpr int markerWidth = 11; // fill triangles, odd so the tip sits on a pixel
constexpr int markerHeight = 9;
constexpr int markerGap = 2; // between a marker's tip and its price
constexpr std::int64_t nanosecondsPerMinute = 60'000'000'000;

bool rising(const Bar &bar)
{
    return bar.close >= bar.open;
}

QColor barColor(const Bar &bar)
{
    return rising(bar) ? theme::buyColor() : theme::sellColor();
}

// The visible part of an indicator line, with one point beyond each end so the line reaches
// the edges of the candle area, where the clip cuts it.
std::pair<std::size_t, std::size_t> visiblePoints(const std::vector<IndicatorPoint> &points,
                                                  const ChartFrame &frame)
{
    const auto byStart = [](const IndicatorPoint &point, std::int64_t time) {
        return point.start.value() < time;
    };
    auto first = std::lower_bound(points.begin(), points.end(), frame.firstSlotStart(), byStart);
    auto last = std::lower_bound(first, points.end(), frame.lastSlotStart() + 1, byStart);
    if (first != points.begin())
        --first;
    if (last != points.end())
        ++last;
    return {static_cast<std::size_t>(first - points.begin()),
            static_cast<std::size_t>(last - points.begin())};
}

const IndicatorPoint *pointAt(const std::vector<IndicatorPoint> &points, Timestamp start)
{
    const auto found = std::lower_bound(
        points.begin(), points.end(), start,
        [](const IndicatorPoint &point, Timestamp time) { return point.start < time; });
    return found != points.end() && found->start == start ? &*found : nullptr;
}

} // namespace

ChartOverlays overlaysFor(const MarketView &view, const CandleSeries &series)
{
    ChartOverlays overlays;
    // NOTE: each time frame weighs its own bars at their typical prices, so the VWAP of 1-second
    // bars and that of 1-hour bars differ slightly. An exact VWAP of the trades would need the
    // bars to carry their turnover.
    overlays.vwap = sessionVwap(series.bars, series.olderBars);
    overlays.shortAverage = simpleMovingAverage(series.bars, shortMovingAverageLength);
    overlays.longAverage = simpleMovingAverage(series.bars, longMovingAverageLength);
    overlays.fills = fillMarkers(view.trader.fills, view.instrument, series.intervalNanoseconds);
    return overlays;
}

QColor chartLineColor(ChartLine line)
{
    // Gold, blue and violet: hues apart from the buy teal and the sell red. The light theme's
    // are darker, for contrast on white.
    const bool light = theme::current() == theme::Theme::Light;
    switch (line) {
    case ChartLine::Vwap:
        return light ? QColor(0xa6, 0x6a, 0x00) : QColor(0xf2, 0xc1, 0x4e);
    case ChartLine::ShortAverage:
        return light ? QColor(0x15, 0x65, 0xc0) : QColor(0x4f, 0xa3, 0xf7);
    case ChartLine::LongAverage:
        return light ? QColor(0x7b, 0x1f, 0xa2) : QColor(0xba, 0x68, 0xc8);
    }
    return theme::textColor();
}

QString chartLineName(ChartLine line)
{
    switch (line) {
    case ChartLine::Vwap:
        return QStringLiteral("VWAP");
    case ChartLine::ShortAverage:
        return QStringLiteral("MA %1").arg(shortMovingAverageLength);
    case ChartLine::LongAverage:
        return QStringLiteral("MA %1").arg(longMovingAverageLength);
    }
    return {};
}

std::optional<QPoint> fillMarkerPoint(const ChartFrame &frame, const FillMarker &fill)
{
    const std::int64_t start = fill.barStart.value();
    if (start < frame.firstSlotStart() || start > frame.lastSlotStart())
        return std::nullopt;

    const double y = frame.yOfPrice(static_cast<double>(fill.price.value()));
    return QPoint(frame.xOfTime(start), static_cast<int>(std::lround(y)));
}

ChartReadout chartReadout(const ChartFrame &frame, const ChartOverlays &overlays, const Bar &bar)
{
    const MarketView &view = frame.view();
    const bool seconds = frame.interval() < nanosecondsPerMinute;
    const int decimals = view.priceDecimals;

    ChartReadout readout;
    readout.time =
        formatTimeOfDay(bar.start, seconds ? TimePrecision::Seconds : TimePrecision::Minutes);
    readout.fields = {{
        {QStringLiteral("O"), formatPrice(bar.open, decimals)},
        {QStringLiteral("H"), formatPrice(bar.high, decimals)},
        {QStringLiteral("L"), formatPrice(bar.low, decimals)},
        {QStringLiteral("C"), formatPrice(bar.close, decimals)},
        {QStringLiteral("Vol"), formatQuantity(bar.volume, view.quantityDecimals)},
    }};

    const std::array<std::pair<ChartLine, const std::vector<IndicatorPoint> *>, 3> lines{{
        {ChartLine::Vwap, &overlays.vwap},
        {ChartLine::ShortAverage, &overlays.shortAverage},
        {ChartLine::LongAverage, &overlays.longAverage},
    }};
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const IndicatorPoint *point = pointAt(*lines[i].second, bar.start);
        readout.lines[i] = {lines[i].first,
                            point ? formatPrice(point->price, decimals) : QStringLiteral("\u2014")};
    }
    return readout;
}

QString readoutText(const ChartReadout &readout)
{
    QStringList parts{readout.time};
    for (const auto &[name, value] : readout.fields)
        parts << name + QLatin1Char(' ') + value;
    for (const auto &[line, value] : readout.lines)
        parts << chartLineName(line) + QLatin1Char(' ') + value;
    return parts.join(QLatin1Char(' '));
}

ChartPainter::ChartPainter(QPainter &painter, const ChartFrame &frame,
                           const ChartOverlays &overlays, std::optional<QPoint> cursor,
                           std::optional<Price> cursorPrice)
    : m_painter(painter)
    , m_frame(frame)
    , m_view(frame.view())
    , m_overlays(overlays)
{
    const ChartLayout &layout = frame.layout();
    const QRect plot(layout.prices.topLeft(), layout.volume.bottomRight());
    if (cursor && plot.contains(*cursor)) {
        m_cursor = cursor;
        m_cursorPrice = cursorPrice;
    }
}

const Bar *ChartPainter::describedBar() const
{
    const std::span<const Bar> bars = m_frame.series().bars;
    if (bars.empty())
        return nullptr;

    const Bar *hovered = m_cursor ? m_frame.barAtX(m_cursor->x()) : nullptr;
    return hovered ? hovered : &bars.back();
}

void ChartPainter::drawText(const QRect &rect, int flags, const QString &text, const QColor &color)
{
    m_painter.setPen(color);
    m_painter.drawText(rect, flags, text);
}

// A label on an axis in the text colour, so it is easy to tell from the grid labels in both
// themes.
void ChartPainter::drawTag(const QRect &rect, const QString &text)
{
    m_painter.fillRect(rect, theme::textColor());
    drawText(rect, Qt::AlignCenter, text, theme::panelColor());
}

void ChartPainter::paint()
{
    drawHeader();
    if (m_frame.series().bars.empty()) {
        drawText(m_frame.layout().prices, Qt::AlignCenter, noBarsText(m_view),
                 theme::mutedTextColor());
        return;
    }

    drawLegend();
    drawPriceGrid();
    drawTimeAxis();
    drawVolume();
    drawCandles();

    m_painter.save();
    m_painter.setClipRect(m_frame.layout().prices);
    m_painter.setRenderHint(QPainter::Antialiasing);
    drawLine(m_overlays.longAverage, ChartLine::LongAverage);
    drawLine(m_overlays.shortAverage, ChartLine::ShortAverage);
    drawLine(m_overlays.vwap, ChartLine::Vwap);
    drawFills();
    m_painter.restore();

    drawLastPrice();
    drawCrosshair();
}

void ChartPainter::drawHeader()
{
    QRect rest = m_frame.layout().header;
    const QFontMetrics &metrics = m_frame.metrics();
    const QFont regular = m_painter.font();
    QFont bold = regular;
    bold.setBold(true);
    m_painter.setFont(bold);
    const QString symbol = QString::fromStdString(m_view.symbol);
    drawText(rest, Qt::AlignLeft | Qt::AlignVCenter, symbol, theme::textColor());
    rest.setLeft(rest.left() + QFontMetrics(bold).horizontalAdvance(symbol) + 12);
    m_painter.setFont(regular);

    // With time frames the owner's buttons name the interval.
    if (m_view.timeFrames.empty()) {
        const QString interval = intervalLabel(m_frame.series().intervalNanoseconds);
        drawText(rest, Qt::AlignLeft | Qt::AlignVCenter, interval, theme::mutedTextColor());
        rest.setLeft(rest.left() + metrics.horizontalAdvance(interval) + 18);
    }

    const Bar *bar = describedBar();
    if (!bar)
        return;

    const ChartReadout readout = chartReadout(m_frame, m_overlays, *bar);
    drawText(rest, Qt::AlignLeft | Qt::AlignVCenter, readout.time, theme::mutedTextColor());
    rest.setLeft(rest.left() + metrics.horizontalAdvance(readout.time) + 14);

    for (const auto &[name, value] : readout.fields) {
        drawText(rest, Qt::AlignLeft | Qt::AlignVCenter, name, theme::mutedTextColor());
        rest.setLeft(rest.left() + metrics.horizontalAdvance(name + QChar(' ')));
        drawText(rest, Qt::AlignLeft | Qt::AlignVCenter, value, barColor(*bar));
        rest.setLeft(rest.left() + metrics.horizontalAdvance(value) + 14);
    }
}

// Each entry is a short stroke in the line's colour, the line's name and its value at the bar
// the header describes. A dash takes the value's place while an average has too few bars.
void ChartPainter::drawLegend()
{
    const Bar *bar = describedBar();
    const QFontMetrics &metrics = m_frame.metrics();
    QRect rest = m_frame.layout().legend;
    const int strokeY = rest.center().y();
    const std::array<ChartLine, 3> lines{ChartLine::Vwap, ChartLine::ShortAverage,
                                         ChartLine::LongAverage};
    const std::optional<ChartReadout> readout =
        bar ? std::optional(chartReadout(m_frame, m_overlays, *bar)) : std::nullopt;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const QColor color = chartLineColor(lines[i]);
        m_painter.fillRect(QRect(rest.left(), strokeY - 1, 12, 3), color);
        rest.setLeft(rest.left() + 16);

        const QString name = chartLineName(lines[i]);
        drawText(rest, Qt::AlignLeft | Qt::AlignVCenter, name, theme::mutedTextColor());
        rest.setLeft(rest.left() + metrics.horizontalAdvance(name + QChar(' ')));

        const QString value = readout ? readout->lines[i].second : QStringLiteral("\u2014");
        drawText(rest, Qt::AlignLeft | Qt::AlignVCenter, value, color);
        rest.setLeft(rest.left() + metrics.horizontalAdvance(value) + 18);
    }
}

void ChartPainter::drawPriceGrid()
{
    const QRect &area = m_frame.layout().prices;
    for (const PriceGridLine &line : m_frame.priceGrid()) {
        m_painter.setPen(theme::gridColor());
        m_painter.drawLine(area.left(), line.y, area.right(), line.y);
        if (line.labelShown) {
            drawText(line.labelRect, Qt::AlignRight | Qt::AlignVCenter, line.label,
                     theme::mutedTextColor());
        }
    }

    const QRect &axis = m_frame.layout().axis;
    m_painter.setPen(theme::gridColor());
    m_painter.drawLine(axis.topLeft(), axis.bottomLeft());
}

void ChartPainter::drawCandles()
{
    const int body = m_frame.bodyWidth();
    for (const Bar &bar : m_frame.visibleBars()) {
        const int x = m_frame.xOfBar(bar);
        const QColor color = barColor(bar);
        const auto yOf = [this](Price price) {
            return static_cast<int>(m_frame.yOfPrice(static_cast<double>(price.value())));
        };

        m_painter.setPen(color);
        m_painter.drawLine(x, yOf(bar.high), x, yOf(bar.low));

        const int top = yOf(std::max(bar.open, bar.close));
        const int bottom = yOf(std::min(bar.open, bar.close));
        m_painter.fillRect(QRect(x - body / 2, top, body, std::max(bottom - top, 1)), color);
    }
}

void ChartPainter::drawVolume()
{
    const ChartLayout &layout = m_frame.layout();
    const QRect &area = layout.volume;
    m_painter.setPen(theme::gridColor());
    m_painter.drawLine(area.left(), area.top() - margin / 2, area.right(), area.top() - margin / 2);

    const int body = m_frame.bodyWidth();
    for (const Bar &bar : m_frame.visibleBars()) {
        const double share =
            static_cast<double>(bar.volume.value()) / static_cast<double>(m_frame.largestVolume());
        const int height = std::max(static_cast<int>(share * area.height()), 1);
        QColor color = barColor(bar);
        color.setAlpha(120);
        m_painter.fillRect(
            QRect(m_frame.xOfBar(bar) - body / 2, area.bottom() - height + 1, body, height), color);
    }

    // The last price tag can reach below the candle area when the close is the lowest price.
    const QRect label(layout.axis.left() + margin, area.top(), layout.axis.width() - 2 * margin,
                      m_frame.metrics().height());
    if (!label.intersects(m_frame.lastPriceTag())) {
        drawText(label, Qt::AlignRight | Qt::AlignTop,
                 formatQuantity(Quantity{m_frame.largestVolume()}, m_view.quantityDecimals),
                 theme::mutedTextColor());
    }
}

void ChartPainter::drawTimeAxis()
{
    const ChartLayout &layout = m_frame.layout();
    for (const TimeGridLine &line : m_frame.timeGrid()) {
        m_painter.setPen(theme::gridColor());
        m_painter.drawLine(line.x, layout.prices.top(), line.x, layout.volume.bottom());
        drawText(line.labelRect, Qt::AlignCenter, line.label, theme::mutedTextColor());
    }
}

void ChartPainter::drawLine(const std::vector<IndicatorPoint> &points, ChartLine line)
{
    const auto [first, last] = visiblePoints(points, m_frame);
    if (last - first < 2)
        return;

    QPolygonF polyline;
    polyline.reserve(static_cast<qsizetype>(last - first));
    for (std::size_t i = first; i < last; ++i) {
        const IndicatorPoint &point = points[i];
        polyline.append(
            QPointF(m_frame.xOfTime(point.start.value()), m_frame.yOfPrice(point.ticks)));
    }

    // A cosmetic one-pixel pen takes the raster engine's fast path for antialiased lines. With
    // a 1.5-pixel pen, a 960 x 760 frame of 240 bars took about 10 ms instead of 2 to 3 ms
    // (Qt 6.4 raster engine, offscreen platform, measured on a two-core build machine).
    QPen pen(chartLineColor(line), 1.0);
    pen.setCosmetic(true);
    m_painter.setPen(pen);
    m_painter.setBrush(Qt::NoBrush);
    m_painter.drawPolyline(polyline);
}

// Buys are triangles under their price pointing up at it, sells are triangles above it
// pointing down, outlined in the background colour so they stand out over a candle.
void ChartPainter::drawFills()
{
    m_painter.setPen(QPen(theme::panelColor(), 1.0));
    for (const FillMarker &fill : m_overlays.fills) {
        const std::optional<QPoint> point = fillMarkerPoint(m_frame, fill);
        if (!point)
            continue;

        const bool buy = fill.side == Side::Buy;
        const double tipY = point->y() + (buy ? markerGap : -markerGap);
        const double baseY = tipY + (buy ? markerHeight : -markerHeight);
        const double x = point->x();
        const double halfWidth = markerWidth / 2.0;
        const QPolygonF triangle{QPointF(x, tipY), QPointF(x - halfWidth, baseY),
                                 QPointF(x + halfWidth, baseY)};
        m_painter.setBrush(buy ? theme::buyColor() : theme::sellColor());
        m_painter.drawPolygon(triangle);
    }
    m_painter.setBrush(Qt::NoBrush);
}

void ChartPainter::drawLastPrice()
{
    const QRect tag = m_frame.lastPriceTag();
    if (tag.isEmpty())
        return;

    const Bar &last = m_frame.series().bars.back();
    const int y = tag.center().y();
    const QColor color = barColor(last);

    QPen dashed(color);
    dashed.setStyle(Qt::DashLine);
    m_painter.setPen(dashed);
    m_painter.drawLine(m_frame.layout().prices.left(), y, m_frame.layout().prices.right(), y);

    m_painter.fillRect(tag, color);
    drawText(tag.adjusted(0, 0, -margin, 0), Qt::AlignRight | Qt::AlignVCenter,
             formatPrice(last.close, m_view.priceDecimals), Qt::white);
}

// A vertical line through the middle of the slot under the cursor, a horizontal one at the
// cursor, the slot's time on the time axis and, over the candles, the price on the price axis.
void ChartPainter::drawCrosshair()
{
    if (!m_cursor)
        return;
    const std::optional<std::int64_t> slot = m_frame.slotAtX(m_cursor->x());
    if (!slot)
        return;

    const ChartLayout &layout = m_frame.layout();
    const int x = m_frame.xOfTime(*slot);
    const int y = m_cursor->y();
    QPen dotted(theme::mutedTextColor());
    dotted.setStyle(Qt::DotLine);
    m_painter.setPen(dotted);
    m_painter.drawLine(x, layout.prices.top(), x, layout.volume.bottom());
    const QRect &area = layout.prices.contains(*m_cursor) ? layout.prices : layout.volume;
    m_painter.drawLine(area.left(), y, area.right(), y);

    const QFontMetrics &metrics = m_frame.metrics();
    const bool seconds = m_frame.interval() < nanosecondsPerMinute;
    const QString time = formatTimeOfDay(Timestamp{*slot},
                                         seconds ? TimePrecision::Seconds : TimePrecision::Minutes);
    const int timeWidth = metrics.horizontalAdvance(time) + margin;
    drawTag(QRect(x - timeWidth / 2, layout.times.top() + 1, timeWidth, metrics.height() + 2),
            time);

    if (&area == &layout.prices) {
        const Price price = m_cursorPrice.value_or(m_frame.tickPriceAtY(y));
        drawTag(QRect(layout.axis.left() + 1, y - metrics.height() / 2 - 2, layout.axis.width() - 1,
                      metrics.height() + 4),
                formatPrice(price, m_view.priceDecimals));
    }
}

} // namespace bourse::ui

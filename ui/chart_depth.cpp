#include "chart_depth.h"

#include "chart_scale.h"
#include "formatting.h"
#include "theme.h"

#include <QObject>
#include <QPainter>
#include <QPolygon>

#include <algorithm>
#include <cmath>

namespace bourse::ui {

namespace {

constexpr int margin = 8;
constexpr int minimumPriceLabelSpacing = 100; // pixels between price grid lines
constexpr int minimumSizeLabelSpacing = 40;   // pixels between size grid lines

std::int64_t powerOfTen(int exponent)
{
    std::int64_t power = 1;
    for (int i = 0; i < exponent; ++i)
        power *= 10;
    return power;
}

} // namespace

std::vector<DepthPoint> cumulativeDepth(std::span<const LevelSummary> levels)
{
    std::vector<DepthPoint> points;
    points.reserve(levels.size());
    Quantity total{0};
    for (const LevelSummary &level : levels) {
        total += level.quantity;
        points.push_back(DepthPoint{level.price, total});
    }
    return points;
}

std::optional<DepthReading> depthAt(std::span<const DepthPoint> bids,
                                    std::span<const DepthPoint> asks, Price price)
{
    // Bids fall in price from the best, asks rise, so the reading is the last point at `price`
    // or better.
    if (!bids.empty() && price <= bids.front().price) {
        const auto worse = std::find_if(bids.begin(), bids.end(),
                                        [price](const DepthPoint &p) { return p.price < price; });
        const bool beyond = worse == bids.end() && price < bids.back().price;
        return DepthReading{price, Side::Buy, std::prev(worse)->cumulative, beyond};
    }
    if (!asks.empty() && price >= asks.front().price) {
        const auto worse = std::find_if(asks.begin(), asks.end(),
                                        [price](const DepthPoint &p) { return p.price > price; });
        const bool beyond = worse == asks.end() && price > asks.back().price;
        return DepthReading{price, Side::Sell, std::prev(worse)->cumulative, beyond};
    }
    return std::nullopt;
}

QString midPriceText(std::int64_t doubleMid, int decimals)
{
    if (doubleMid % 2 == 0)
        return formatPrice(Price{doubleMid / 2}, decimals);
    // Half a tick is 5 in the next decimal.
    return formatPrice(Price{doubleMid * 5}, decimals + 1);
}

DepthFrame::DepthFrame(const QFontMetrics &metrics, const MarketView &view,
                       std::span<const DepthPoint> bids, std::span<const DepthPoint> asks,
                       QRect bounds)
    : m_view(view)
    , m_bids(bids)
    , m_asks(asks)
    , m_metrics(metrics)
{
    chooseRanges();

    const int lineHeight = metrics.height();
    const QString widestSize = formatQuantity(Quantity{m_largestSize}, view.quantityDecimals);
    const int axisWidth = metrics.horizontalAdvance(widestSize) + 2 * margin;
    m_header = QRect(bounds.left() + margin, bounds.top(), bounds.width() - 2 * margin,
                     lineHeight + 2 * margin);
    m_priceAxis = QRect(bounds.left(), bounds.bottom() - lineHeight - margin, bounds.width(),
                        lineHeight + margin);
    m_plot = QRect(QPoint(bounds.left() + margin, m_header.bottom() + 1),
                   QPoint(bounds.right() - axisWidth, m_priceAxis.top() - 1));
    m_sizeAxis =
        QRect(QPoint(m_plot.right() + 1, m_plot.top()), QPoint(bounds.right(), m_plot.bottom()));
}

std::optional<std::int64_t> DepthFrame::doubleMid() const
{
    if (m_bids.empty() || m_asks.empty())
        return std::nullopt;
    return m_bids.front().price.value() + m_asks.front().price.value();
}

void DepthFrame::chooseRanges()
{
    if (empty())
        return;

    double centre = 0.0;
    double halfWidth = 0.0;
    if (const std::optional<std::int64_t> mid = doubleMid()) {
        centre = static_cast<double>(*mid) / 2.0;
        halfWidth = std::max(centre - static_cast<double>(m_bids.back().price.value()),
                             static_cast<double>(m_asks.back().price.value()) - centre);
    } else {
        const std::span<const DepthPoint> side = m_bids.empty() ? m_asks : m_bids;
        const double best = static_cast<double>(side.front().price.value());
        const double deepest = static_cast<double>(side.back().price.value());
        centre = (best + deepest) / 2.0;
        halfWidth = std::abs(best - deepest) / 2.0;
    }

    // A book of one level on each side one tick apart still gets a readable width.
    const double tick = static_cast<double>(std::max(m_view.tickSize.value(), std::int64_t{1}));
    halfWidth = std::max(halfWidth, 2.0 * tick) * 1.06;
    m_lowPrice = centre - halfWidth;
    m_highPrice = centre + halfWidth;

    std::int64_t largest = 0;
    if (!m_bids.empty())
        largest = m_bids.back().cumulative.value();
    if (!m_asks.empty())
        largest = std::max(largest, m_asks.back().cumulative.value());
    m_largestSize = std::max(largest + largest / 10, std::int64_t{1});
}

double DepthFrame::xOfPrice(double ticks) const
{
    return m_plot.left() + (ticks - m_lowPrice) / (m_highPrice - m_lowPrice) * m_plot.width();
}

double DepthFrame::yOfQuantity(double lots) const
{
    return m_plot.bottom() - lots / static_cast<double>(m_largestSize) * m_plot.height();
}

Price DepthFrame::tickPriceAtX(int x) const
{
    const double share = static_cast<double>(x - m_plot.left()) / std::max(m_plot.width(), 1);
    const double ticks = m_lowPrice + share * (m_highPrice - m_lowPrice);
    const std::int64_t tick = std::max(m_view.tickSize.value(), std::int64_t{1});
    return Price{std::llround(ticks / static_cast<double>(tick)) * tick};
}

std::optional<DepthReading> DepthFrame::readingAt(QPoint point) const
{
    if (empty() || !m_plot.contains(point))
        return std::nullopt;
    return depthAt(m_bids, m_asks, tickPriceAtX(point.x()));
}

std::vector<DepthGridLine> DepthFrame::priceGrid() const
{
    std::vector<DepthGridLine> lines;
    if (empty())
        return lines;

    const auto low = static_cast<std::int64_t>(std::ceil(m_lowPrice));
    const auto high = static_cast<std::int64_t>(std::floor(m_highPrice));
    const std::int64_t maxIntervals = std::max(m_plot.width() / minimumPriceLabelSpacing, 2);
    const std::int64_t step = niceStep(high - low, maxIntervals);

    // Labels drop the zeros that every grid price shares, down to cents.
    const int decimals = m_view.priceDecimals;
    const int dropped = trailingDecimalZeros(step, std::max(decimals - 2, 0));
    const std::int64_t divisor = powerOfTen(dropped);
    for (std::int64_t price = roundUpToMultiple(low, step); price <= high; price += step) {
        const int x = static_cast<int>(std::lround(xOfPrice(static_cast<double>(price))));
        lines.push_back(
            DepthGridLine{price, x, formatPrice(Price{price / divisor}, decimals - dropped)});
    }
    return lines;
}

std::vector<DepthGridLine> DepthFrame::sizeGrid() const
{
    std::vector<DepthGridLine> lines;
    if (empty())
        return lines;

    const std::int64_t maxIntervals = std::max(m_plot.height() / minimumSizeLabelSpacing, 2);
    const std::int64_t step = niceStep(m_largestSize, maxIntervals);
    for (std::int64_t size = 0; size <= m_largestSize; size += step) {
        const int y = static_cast<int>(std::lround(yOfQuantity(static_cast<double>(size))));
        lines.push_back(
            DepthGridLine{size, y, formatQuantity(Quantity{size}, m_view.quantityDecimals)});
    }
    return lines;
}

DepthPainter::DepthPainter(QPainter &painter, const DepthFrame &frame, std::optional<QPoint> cursor,
                           std::optional<Price> cursorPrice)
    : m_painter(painter)
    , m_frame(frame)
{
    if (cursor && frame.plot().contains(*cursor)) {
        m_cursor = cursor;
        m_cursorPrice = cursorPrice.value_or(frame.tickPriceAtX(cursor->x()));
    }
}

void DepthPainter::drawText(const QRect &rect, int flags, const QString &text, const QColor &color)
{
    m_painter.setPen(color);
    m_painter.drawText(rect, flags, text);
}

// A label on an axis in the text colour, so it is easy to tell from the grid labels in both
// themes.
void DepthPainter::drawTag(const QRect &rect, const QString &text)
{
    m_painter.fillRect(rect, theme::textColor());
    drawText(rect, Qt::AlignCenter, text, theme::panelColor());
}

void DepthPainter::paint()
{
    drawHeader();
    if (m_frame.empty()) {
        drawText(m_frame.plot(), Qt::AlignCenter, QObject::tr("No orders in the book"),
                 theme::mutedTextColor());
        return;
    }

    drawGrid();
    m_painter.save();
    m_painter.setClipRect(m_frame.plot());
    drawSide(m_frame.bids(), Side::Buy);
    drawSide(m_frame.asks(), Side::Sell);
    m_painter.restore();
    drawMid();
    drawCrosshair();
}

// The symbol, then each side's total over the levels shown, then the spread.
void DepthPainter::drawHeader()
{
    const MarketView &view = m_frame.view();
    const QFontMetrics &metrics = m_frame.metrics();
    QRect rest = m_frame.header();
    const QFont regular = m_painter.font();
    QFont bold = regular;
    bold.setBold(true);
    m_painter.setFont(bold);
    const QString symbol = QString::fromStdString(view.symbol);
    drawText(rest, Qt::AlignLeft | Qt::AlignVCenter, symbol, theme::textColor());
    rest.setLeft(rest.left() + QFontMetrics(bold).horizontalAdvance(symbol) + 14);
    // A replayed book that cannot be trusted is marked STALE before its figures.
    if (!view.replayStale.empty()) {
        const QString stale = QObject::tr("STALE");
        drawText(rest, Qt::AlignLeft | Qt::AlignVCenter, stale, theme::errorColor());
        rest.setLeft(rest.left() + QFontMetrics(bold).horizontalAdvance(stale) + 14);
    }
    m_painter.setFont(regular);

    const auto field = [&](const QString &name, const QString &value, const QColor &color) {
        drawText(rest, Qt::AlignLeft | Qt::AlignVCenter, name, theme::mutedTextColor());
        rest.setLeft(rest.left() + metrics.horizontalAdvance(name + QChar(' ')));
        drawText(rest, Qt::AlignLeft | Qt::AlignVCenter, value, color);
        rest.setLeft(rest.left() + metrics.horizontalAdvance(value) + 14);
    };
    const std::span<const DepthPoint> bids = m_frame.bids();
    const std::span<const DepthPoint> asks = m_frame.asks();
    if (!bids.empty()) {
        field(QObject::tr("Bids"), formatQuantity(bids.back().cumulative, view.quantityDecimals),
              theme::buyColor());
    }
    if (!asks.empty()) {
        field(QObject::tr("Asks"), formatQuantity(asks.back().cumulative, view.quantityDecimals),
              theme::sellColor());
    }
    if (!bids.empty() && !asks.empty()) {
        const Price spread{asks.front().price.value() - bids.front().price.value()};
        field(QObject::tr("Spread"), formatPrice(spread, view.priceDecimals), theme::textColor());
    }
}

void DepthPainter::drawGrid()
{
    const QRect plot = m_frame.plot();
    const QRect priceAxis = m_frame.priceAxis();
    const QRect sizeAxis = m_frame.sizeAxis();
    const int lineHeight = m_frame.metrics().height();

    for (const DepthGridLine &line : m_frame.priceGrid()) {
        m_painter.setPen(theme::gridColor());
        m_painter.drawLine(line.position, plot.top(), line.position, plot.bottom());
        const int width = m_frame.metrics().horizontalAdvance(line.label) + margin;
        const QRect label(line.position - width / 2, priceAxis.top(), width, priceAxis.height());
        if (label.left() >= plot.left() && label.right() <= plot.right())
            drawText(label, Qt::AlignCenter, line.label, theme::mutedTextColor());
    }

    for (const DepthGridLine &line : m_frame.sizeGrid()) {
        m_painter.setPen(theme::gridColor());
        m_painter.drawLine(plot.left(), line.position, plot.right(), line.position);
        const QRect label(sizeAxis.left() + margin / 2, line.position - lineHeight / 2,
                          sizeAxis.width() - margin, lineHeight);
        if (label.top() >= plot.top() - lineHeight / 2)
            drawText(label, Qt::AlignRight | Qt::AlignVCenter, line.label, theme::mutedTextColor());
    }

    m_painter.setPen(theme::gridColor());
    m_painter.drawLine(sizeAxis.topLeft(), sizeAxis.bottomLeft());
    m_painter.drawLine(plot.bottomLeft(), plot.bottomRight());
}

// A step line from the best price outward: each level raises the total at its own price, and
// the last total runs on to the plot's edge, where the book may hold more than the view shows.
// Every segment is horizontal or vertical, so it is drawn on whole pixels without antialiasing.
void DepthPainter::drawSide(std::span<const DepthPoint> depth, Side side)
{
    if (depth.empty())
        return;

    const auto pixel = [](double coordinate) { return static_cast<int>(std::lround(coordinate)); };
    const QRect plot = m_frame.plot();
    const int base = pixel(m_frame.yOfQuantity(0.0));
    QPolygon outline;
    outline.reserve(static_cast<qsizetype>(2 * depth.size() + 1));
    int previousY = base;
    for (const DepthPoint &point : depth) {
        const int x = pixel(m_frame.xOfPrice(static_cast<double>(point.price.value())));
        const int y = pixel(m_frame.yOfQuantity(static_cast<double>(point.cumulative.value())));
        outline.append(QPoint(x, previousY));
        outline.append(QPoint(x, y));
        previousY = y;
    }
    const int edge = side == Side::Buy ? plot.left() : plot.right();
    outline.append(QPoint(edge, previousY));

    QPolygon area = outline;
    area.append(QPoint(edge, base));
    const QColor color = side == Side::Buy ? theme::buyColor() : theme::sellColor();
    QColor fill = color;
    fill.setAlpha(70);
    m_painter.setPen(Qt::NoPen);
    m_painter.setBrush(fill);
    m_painter.drawPolygon(area);

    m_painter.setPen(QPen(color, 1.0));
    m_painter.setBrush(Qt::NoBrush);
    m_painter.drawPolyline(outline);
}

// A dashed line at the mid price with its value on top.
void DepthPainter::drawMid()
{
    const std::optional<std::int64_t> doubleMid = m_frame.doubleMid();
    if (!doubleMid)
        return;

    const QRect plot = m_frame.plot();
    const int x =
        static_cast<int>(std::lround(m_frame.xOfPrice(static_cast<double>(*doubleMid) / 2.0)));
    QPen dashed(theme::mutedTextColor());
    dashed.setStyle(Qt::DashLine);
    m_painter.setPen(dashed);
    m_painter.drawLine(x, plot.top(), x, plot.bottom());

    const QString mid = midPriceText(*doubleMid, m_frame.view().priceDecimals);
    const QString text = QObject::tr("Mid %1").arg(mid);
    const int width = m_frame.metrics().horizontalAdvance(text) + margin;
    const QRect label(x - width / 2, plot.top() + 2, width, m_frame.metrics().height() + 2);
    m_painter.fillRect(label, theme::panelColor());
    drawText(label, Qt::AlignCenter, text, theme::textColor());
}

// Lines through the cursor's price and the cumulative size there, tags on both axes, and a box
// beside the cursor with the side, the price and the size.
void DepthPainter::drawCrosshair()
{
    if (!m_cursor)
        return;

    const MarketView &view = m_frame.view();
    const QFontMetrics &metrics = m_frame.metrics();
    const QRect plot = m_frame.plot();
    const Price price = m_cursorPrice;
    const std::optional<DepthReading> reading = depthAt(m_frame.bids(), m_frame.asks(), price);
    const int x =
        static_cast<int>(std::lround(m_frame.xOfPrice(static_cast<double>(price.value()))));

    QPen dotted(theme::mutedTextColor());
    dotted.setStyle(Qt::DotLine);
    m_painter.setPen(dotted);
    m_painter.drawLine(x, plot.top(), x, plot.bottom());

    const QString priceText = formatPrice(price, view.priceDecimals);
    const int priceWidth = metrics.horizontalAdvance(priceText) + margin;
    drawTag(
        QRect(x - priceWidth / 2, m_frame.priceAxis().top() + 1, priceWidth, metrics.height() + 2),
        priceText);
    if (!reading)
        return;

    const double lots = static_cast<double>(reading->cumulative.value());
    const int y = static_cast<int>(std::lround(m_frame.yOfQuantity(lots)));
    m_painter.setPen(dotted);
    m_painter.drawLine(plot.left(), y, plot.right(), y);
    const QString size = formatQuantity(reading->cumulative, view.quantityDecimals);
    drawTag(QRect(m_frame.sizeAxis().left() + 1, y - metrics.height() / 2 - 2,
                  m_frame.sizeAxis().width() - 1, metrics.height() + 4),
            size);

    const bool buy = reading->side == Side::Buy;
    const QString sideLine = (buy ? QObject::tr("Bid %1") : QObject::tr("Ask %1")).arg(priceText);
    const QString sizeLine = reading->beyondShownLevels ? QObject::tr("Total \u2265 %1").arg(size)
                                                        : QObject::tr("Total %1").arg(size);
    const int width =
        std::max(metrics.horizontalAdvance(sideLine), metrics.horizontalAdvance(sizeLine)) +
        2 * margin;
    const int height = 2 * metrics.height() + margin;
    QRect box(m_cursor->x() + 12, m_cursor->y() + 12, width, height);
    if (box.right() > plot.right())
        box.moveRight(m_cursor->x() - 12);
    if (box.bottom() > plot.bottom())
        box.moveBottom(m_cursor->y() - 12);

    m_painter.setPen(theme::gridColor());
    m_painter.setBrush(theme::panelColor());
    m_painter.drawRect(box);
    m_painter.setBrush(Qt::NoBrush);
    const QRect text = box.adjusted(margin, margin / 2, -margin, -margin / 2);
    drawText(text, Qt::AlignLeft | Qt::AlignTop, sideLine,
             buy ? theme::buyColor() : theme::sellColor());
    drawText(text, Qt::AlignLeft | Qt::AlignBottom, sizeLine, theme::textColor());
}

} // namespace bourse::ui

#include "candle_chart.h"

#include "chart_scale.h"
#include "formatting.h"
#include "theme.h"

#include <QPaintEvent>
#include <QPainter>

#include <algorithm>
#include <array>
#include <span>
#include <utility>

namespace bourse::ui {

namespace {

constexpr int barSlot = 9;   // pixels per bar: the body and the gap to the next one
constexpr int bodyWidth = 7; // odd, so the wick sits on the body's middle pixel
constexpr int margin = 8;
constexpr int minimumGridSpacing = 48; // pixels between price grid lines
constexpr std::int64_t nanosecondsPerSecond = 1'000'000'000;

struct Layout {
    QRect header; // symbol and the last bar's OHLCV
    QRect prices; // candles
    QRect volume; // volume bars under the candles
    QRect axis;   // price labels, right of the candles and the volume
    QRect times;  // time labels, under the volume
};

bool rising(const Bar &bar)
{
    return bar.close >= bar.open;
}

QString intervalLabel(std::int64_t nanoseconds)
{
    if (nanoseconds <= 0)
        return {};
    if (nanoseconds % (60 * nanosecondsPerSecond) == 0)
        return QStringLiteral("%1m").arg(nanoseconds / (60 * nanosecondsPerSecond));
    if (nanoseconds % nanosecondsPerSecond == 0)
        return QStringLiteral("%1s").arg(nanoseconds / nanosecondsPerSecond);
    return QStringLiteral("%1ms").arg(nanoseconds / 1'000'000);
}

// Paints one frame of the chart. Built per paint event from the view, so it keeps no state.
class ChartPainter {
public:
    ChartPainter(QPainter &painter, const MarketView &view, QRect bounds);

    void paint();

private:
    Layout layoutFor(QRect bounds) const;
    void chooseVisibleBars(int plotWidth);
    void choosePriceRange();

    double yOfPrice(std::int64_t ticks) const;
    int xOfTime(std::int64_t start) const;
    int xOfBar(const Bar &bar) const { return xOfTime(bar.start.value()); }
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
    Layout m_layout;
    std::int64_t m_interval = nanosecondsPerSecond; // bar length, one slot on screen
    std::int64_t m_firstSlotStart = 0;              // start time of the leftmost slot
    std::int64_t m_low = 0;                         // price range of the candle area, in ticks
    std::int64_t m_high = 1;
    std::int64_t m_largestVolume = 1;
};

ChartPainter::ChartPainter(QPainter &painter, const MarketView &view, QRect bounds)
    : m_painter(painter)
    , m_view(view)
    , m_metrics(painter.font())
    , m_bars(view.bars)
{
    // The axis width depends on the labels, which depend on the visible bars. So the layout is
    // made with all bars first, then again with the ones that fit.
    m_layout = layoutFor(bounds);
    chooseVisibleBars(m_layout.prices.width());
    choosePriceRange();
    m_layout = layoutFor(bounds);
}

Layout ChartPainter::layoutFor(QRect bounds) const
{
    std::int64_t widest = 0;
    for (const Bar &bar : m_bars)
        widest = std::max({widest, bar.high.value(), -bar.low.value()});
    const QString sample = formatPrice(Price{widest}, m_view.priceDecimals);
    const int axisWidth = m_metrics.horizontalAdvance(sample) + 2 * margin + 4;

    const int lineHeight = m_metrics.height();
    Layout layout;
    layout.header = QRect(bounds.left() + margin, bounds.top(), bounds.width() - 2 * margin,
                          lineHeight + 2 * margin);
    layout.times = QRect(bounds.left(), bounds.bottom() - lineHeight - margin, bounds.width(),
                         lineHeight + margin);

    const int plotTop = layout.header.bottom() + 1;
    const int plotBottom = layout.times.top() - 1;
    const int plotRight = bounds.right() - axisWidth;
    const int plotHeight = std::max(plotBottom - plotTop, 0);
    const int volumeHeight = std::max(plotHeight / 5, 24);
    const int gap = margin;

    layout.volume = QRect(QPoint(bounds.left() + margin, plotBottom - volumeHeight + 1),
                          QPoint(plotRight, plotBottom));
    layout.prices = QRect(QPoint(bounds.left() + margin, plotTop),
                          QPoint(plotRight, layout.volume.top() - gap));
    layout.axis = QRect(QPoint(plotRight + 1, plotTop), QPoint(bounds.right(), plotBottom));
    return layout;
}

void ChartPainter::chooseVisibleBars(int plotWidth)
{
    if (m_view.barIntervalNanoseconds > 0)
        m_interval = m_view.barIntervalNanoseconds;
    if (m_bars.empty())
        return;

    // Slots stand for time, not for bars. An interval without trades stays an empty slot, so
    // the time axis is true even when bars are missing.
    const std::int64_t slotCount = std::max(plotWidth / barSlot - 1, 1);
    m_firstSlotStart = m_bars.back().start.value() - (slotCount - 1) * m_interval;
    const auto firstVisible = std::find_if(m_bars.begin(), m_bars.end(), [this](const Bar &bar) {
        return bar.start.value() >= m_firstSlotStart;
    });
    m_bars = m_bars.subspan(static_cast<std::size_t>(firstVisible - m_bars.begin()));
}

void ChartPainter::choosePriceRange()
{
    if (m_bars.empty())
        return;

    std::int64_t low = m_bars.front().low.value();
    std::int64_t high = m_bars.front().high.value();
    for (const Bar &bar : m_bars) {
        low = std::min(low, bar.low.value());
        high = std::max(high, bar.high.value());
        m_largestVolume = std::max(m_largestVolume, bar.volume.value());
    }

    // Room above and below the extremes, at least a cent, so a flat market shows a line.
    const int centDecimals = std::max(m_view.priceDecimals - 2, 0);
    std::int64_t cent = 1;
    for (int i = 0; i < centDecimals; ++i)
        cent *= 10;
    const std::int64_t padding = std::max((high - low) / 10, cent);
    m_low = low - padding;
    m_high = high + padding;
}

double ChartPainter::yOfPrice(std::int64_t ticks) const
{
    const QRect &area = m_layout.prices;
    const double share = static_cast<double>(ticks - m_low) / static_cast<double>(m_high - m_low);
    return area.bottom() - share * area.height();
}

int ChartPainter::xOfTime(std::int64_t start) const
{
    const std::int64_t slotsFromNewest = (m_bars.back().start.value() - start) / m_interval;
    return m_layout.prices.right() - barSlot - static_cast<int>(slotsFromNewest) * barSlot;
}

QColor ChartPainter::barColor(const Bar &bar) const
{
    return rising(bar) ? theme::buyColor() : theme::sellColor();
}

void ChartPainter::drawText(const QRect &rect, int flags, const QString &text, const QColor &color)
{
    m_painter.setPen(color);
    m_painter.drawText(rect, flags, text);
}

void ChartPainter::paint()
{
    drawHeader();
    if (m_bars.empty()) {
        drawText(m_layout.prices, Qt::AlignCenter, QObject::tr("Waiting for the first trade"),
                 theme::mutedTextColor());
        return;
    }

    drawPriceGrid();
    drawTimeAxis();
    drawVolume();
    drawCandles();
    drawLastPrice();
}

void ChartPainter::drawHeader()
{
    QRect rest = m_layout.header;
    const QFont regular = m_painter.font();
    QFont bold = regular;
    bold.setBold(true);
    m_painter.setFont(bold);
    const QString symbol = QString::fromStdString(m_view.symbol);
    drawText(rest, Qt::AlignLeft | Qt::AlignVCenter, symbol, theme::textColor());
    rest.setLeft(rest.left() + QFontMetrics(bold).horizontalAdvance(symbol) + 12);
    m_painter.setFont(regular);

    const QString interval = intervalLabel(m_view.barIntervalNanoseconds);
    drawText(rest, Qt::AlignLeft | Qt::AlignVCenter, interval, theme::mutedTextColor());
    rest.setLeft(rest.left() + m_metrics.horizontalAdvance(interval) + 18);
    if (m_view.bars.empty())
        return;

    const Bar &last = m_view.bars.back();
    const int decimals = m_view.priceDecimals;
    const std::array<std::pair<QString, QString>, 5> fields{{
        {QStringLiteral("O"), formatPrice(last.open, decimals)},
        {QStringLiteral("H"), formatPrice(last.high, decimals)},
        {QStringLiteral("L"), formatPrice(last.low, decimals)},
        {QStringLiteral("C"), formatPrice(last.close, decimals)},
        {QStringLiteral("Vol"), formatQuantity(last.volume)},
    }};
    for (const auto &[name, value] : fields) {
        drawText(rest, Qt::AlignLeft | Qt::AlignVCenter, name, theme::mutedTextColor());
        rest.setLeft(rest.left() + m_metrics.horizontalAdvance(name + QChar(' ')));
        drawText(rest, Qt::AlignLeft | Qt::AlignVCenter, value, barColor(last));
        rest.setLeft(rest.left() + m_metrics.horizontalAdvance(value) + 14);
    }
}

void ChartPainter::drawPriceGrid()
{
    const QRect &area = m_layout.prices;
    const std::int64_t maxIntervals = std::max(area.height() / minimumGridSpacing, 2);
    const std::int64_t step = niceStep(m_high - m_low, maxIntervals);

    // Labels drop the zeros that every grid price shares, down to cents.
    const int decimals = m_view.priceDecimals;
    const int dropped = trailingDecimalZeros(step, std::max(decimals - 2, 0));
    std::int64_t divisor = 1;
    for (int i = 0; i < dropped; ++i)
        divisor *= 10;

    for (std::int64_t price = roundUpToMultiple(m_low, step); price <= m_high; price += step) {
        // A label cut by the edge of the candle area would run into the header or the volume.
        const int y = static_cast<int>(yOfPrice(price));
        const QRect label(m_layout.axis.left() + margin, y - m_metrics.height() / 2,
                          m_layout.axis.width() - 2 * margin, m_metrics.height());
        if (label.top() < area.top() || label.bottom() > area.bottom())
            continue;

        m_painter.setPen(theme::gridColor());
        m_painter.drawLine(area.left(), y, area.right(), y);
        drawText(label, Qt::AlignRight | Qt::AlignVCenter,
                 formatPrice(Price{price / divisor}, decimals - dropped), theme::mutedTextColor());
    }

    m_painter.setPen(theme::gridColor());
    m_painter.drawLine(m_layout.axis.topLeft(), m_layout.axis.bottomLeft());
}

void ChartPainter::drawCandles()
{
    for (const Bar &bar : m_bars) {
        const int x = xOfBar(bar);
        const QColor color = barColor(bar);

        m_painter.setPen(color);
        m_painter.drawLine(x, static_cast<int>(yOfPrice(bar.high.value())), x,
                           static_cast<int>(yOfPrice(bar.low.value())));

        const int top = static_cast<int>(yOfPrice(std::max(bar.open, bar.close).value()));
        const int bottom = static_cast<int>(yOfPrice(std::min(bar.open, bar.close).value()));
        m_painter.fillRect(QRect(x - bodyWidth / 2, top, bodyWidth, std::max(bottom - top, 1)),
                           color);
    }
}

void ChartPainter::drawVolume()
{
    const QRect &area = m_layout.volume;
    m_painter.setPen(theme::gridColor());
    m_painter.drawLine(area.left(), area.top() - margin / 2, area.right(), area.top() - margin / 2);

    for (const Bar &bar : m_bars) {
        const double share =
            static_cast<double>(bar.volume.value()) / static_cast<double>(m_largestVolume);
        const int height = std::max(static_cast<int>(share * area.height()), 1);
        QColor color = barColor(bar);
        color.setAlpha(120);
        m_painter.fillRect(
            QRect(xOfBar(bar) - bodyWidth / 2, area.bottom() - height + 1, bodyWidth, height),
            color);
    }

    const QRect label(m_layout.axis.left() + margin, area.top(), m_layout.axis.width() - 2 * margin,
                      m_metrics.height());
    drawText(label, Qt::AlignRight | Qt::AlignTop, formatCount(m_largestVolume),
             theme::mutedTextColor());
}

void ChartPainter::drawTimeAxis()
{
    const int labelWidth = m_metrics.horizontalAdvance(QStringLiteral("00:00:00")) + 2 * margin;
    const std::int64_t slotsPerLabel = (labelWidth + barSlot - 1) / barSlot;
    const std::int64_t step = niceTimeStep(slotsPerLabel * m_interval);
    const bool wholeMinutes = step % (60 * nanosecondsPerSecond) == 0;
    const TimePrecision precision = wholeMinutes ? TimePrecision::Minutes : TimePrecision::Seconds;

    // Labels sit on round times of the day, and the offset maps them back to the bars' clock.
    const std::int64_t lastStart = m_bars.back().start.value();
    const std::int64_t dayOffset = lastStart - nanosecondsIntoDay(Timestamp{lastStart});
    const std::int64_t firstLabel = roundUpToMultiple(m_firstSlotStart - dayOffset, step);
    for (std::int64_t time = firstLabel + dayOffset; time <= lastStart; time += step) {
        const int x = xOfTime(time);
        const QRect label(x - labelWidth / 2, m_layout.times.top(), labelWidth,
                          m_layout.times.height());
        if (label.left() < m_layout.prices.left())
            continue;

        m_painter.setPen(theme::gridColor());
        m_painter.drawLine(x, m_layout.prices.top(), x, m_layout.volume.bottom());
        drawText(label, Qt::AlignCenter, formatTimeOfDay(Timestamp{time}, precision),
                 theme::mutedTextColor());
    }
}

void ChartPainter::drawLastPrice()
{
    const Bar &last = m_bars.back();
    const int y = static_cast<int>(yOfPrice(last.close.value()));
    const QColor color = barColor(last);

    QPen dashed(color);
    dashed.setStyle(Qt::DashLine);
    m_painter.setPen(dashed);
    m_painter.drawLine(m_layout.prices.left(), y, m_layout.prices.right(), y);

    const QRect tag(m_layout.axis.left() + 1, y - m_metrics.height() / 2 - 2,
                    m_layout.axis.width() - 1, m_metrics.height() + 4);
    m_painter.fillRect(tag, color);
    drawText(tag.adjusted(0, 0, -margin, 0), Qt::AlignRight | Qt::AlignVCenter,
             formatPrice(last.close, m_view.priceDecimals), Qt::white);
}

} // namespace

CandleChart::CandleChart(QWidget *parent)
    : QWidget(parent)
{
    setAttribute(Qt::WA_OpaquePaintEvent);
    setFont(theme::monospaceFont());
}

void CandleChart::setView(std::shared_ptr<const MarketView> view)
{
    const bool same = view && m_view && view->bars == m_view->bars &&
                      view->symbol == m_view->symbol &&
                      view->priceDecimals == m_view->priceDecimals &&
                      view->barIntervalNanoseconds == m_view->barIntervalNanoseconds;
    m_view = std::move(view);
    if (!same)
        update();
}

void CandleChart::clear()
{
    m_view.reset();
    update();
}

void CandleChart::paintEvent(QPaintEvent *event)
{
    QPainter painter(this);
    painter.fillRect(event->rect(), theme::panelColor());
    if (!m_view) {
        painter.setPen(theme::mutedTextColor());
        painter.drawText(rect(), Qt::AlignCenter, tr("No market data yet"));
        return;
    }

    ChartPainter chart(painter, *m_view, rect());
    chart.paint();
}

} // namespace bourse::ui

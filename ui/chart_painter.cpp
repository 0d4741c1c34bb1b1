#include "chart_painter.h"

#include "chart_scale.h"
#include "formatting.h"
#include "theme.h"

#include <QObject>
#include <QPainter>

#include <algorithm>
#include <array>
#include <utility>

namespace bourse::ui {

namespace {

constexpr int barSlot = chartSlotWidth;
constexpr int bodyWidth = 7; // odd, so the wick sits on the body's middle pixel
constexpr int margin = 8;
constexpr int minimumGridSpacing = 48; // pixels between price grid lines
constexpr std::int64_t nanosecondsPerSecond = 1'000'000'000;

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

} // namespace

QString noBarsText(const MarketView &view)
{
    const bool ended =
        view.replayState == ReplayState::Finished || view.replayState == ReplayState::Failed;
    return ended ? QObject::tr("No trades") : QObject::tr("Waiting for the first trade");
}

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

ChartLayout ChartPainter::layoutFor(QRect bounds) const
{
    std::int64_t widest = 0;
    for (const Bar &bar : m_bars)
        widest = std::max({widest, bar.high.value(), -bar.low.value()});
    const QString sample = formatPrice(Price{widest}, m_view.priceDecimals);
    const int axisWidth = m_metrics.horizontalAdvance(sample) + 2 * margin + 4;

    const int lineHeight = m_metrics.height();
    ChartLayout layout;
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
    m_slotCount = std::max(plotWidth / barSlot - 1, 1);
    if (m_bars.empty())
        return;

    // Bars that fit start this many slots from the left edge, so the time label of the first
    // bar, centred under it, is not cut by the edge.
    const std::int64_t leadingSlots = (timeLabelWidth() / 2 + barSlot - 1) / barSlot;

    // Bar starts are aligned to the interval, so the division is exact.
    const std::int64_t firstStart = m_bars.front().start.value();
    const std::int64_t lastStart = m_bars.back().start.value();
    const std::int64_t slotsUsed = (lastStart - firstStart) / m_interval + 1;
    if (leadingSlots + slotsUsed <= m_slotCount) {
        m_firstSlotStart = firstStart - leadingSlots * m_interval;
        return;
    }

    m_firstSlotStart = lastStart - (m_slotCount - 1) * m_interval;
    const auto firstVisible = std::find_if(m_bars.begin(), m_bars.end(), [this](const Bar &bar) {
        return bar.start.value() >= m_firstSlotStart;
    });
    m_bars = m_bars.subspan(static_cast<std::size_t>(firstVisible - m_bars.begin()));
}

int ChartPainter::timeLabelWidth() const
{
    return m_metrics.horizontalAdvance(QStringLiteral("00:00:00")) + 2 * margin;
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

// The middle of the rightmost slot is one slot left of the axis, which leaves a gap between the
// newest bar and the axis. The other slots line up to its left.
int ChartPainter::xOfTime(std::int64_t start) const
{
    const std::int64_t slot = (start - m_firstSlotStart) / m_interval;
    const std::int64_t slotsFromRight = m_slotCount - 1 - slot;
    return m_layout.prices.right() - barSlot - static_cast<int>(slotsFromRight) * barSlot;
}

QColor ChartPainter::barColor(const Bar &bar) const
{
    return rising(bar) ? theme::buyColor() : theme::sellColor();
}

QRect ChartPainter::lastPriceTag() const
{
    if (m_bars.empty())
        return {};

    const int y = static_cast<int>(yOfPrice(m_bars.back().close.value()));
    return {m_layout.axis.left() + 1, y - m_metrics.height() / 2 - 2, m_layout.axis.width() - 1,
            m_metrics.height() + 4};
}

std::vector<PriceGridLine> ChartPainter::priceGrid() const
{
    std::vector<PriceGridLine> lines;
    if (m_bars.empty())
        return lines;

    const QRect &area = m_layout.prices;
    const std::int64_t maxIntervals = std::max(area.height() / minimumGridSpacing, 2);
    const std::int64_t step = niceStep(m_high - m_low, maxIntervals);

    // Labels drop the zeros that every grid price shares, down to cents.
    const int decimals = m_view.priceDecimals;
    const int dropped = trailingDecimalZeros(step, std::max(decimals - 2, 0));
    std::int64_t divisor = 1;
    for (int i = 0; i < dropped; ++i)
        divisor *= 10;

    const QRect tag = lastPriceTag();
    for (std::int64_t price = roundUpToMultiple(m_low, step); price <= m_high; price += step) {
        // A label cut by the edge of the candle area would run into the header or the volume.
        const int y = static_cast<int>(yOfPrice(price));
        const QRect label(m_layout.axis.left() + margin, y - m_metrics.height() / 2,
                          m_layout.axis.width() - 2 * margin, m_metrics.height());
        if (label.top() < area.top() || label.bottom() > area.bottom())
            continue;

        const QString text = formatPrice(Price{price / divisor}, decimals - dropped);
        lines.push_back(PriceGridLine{price, y, label, text, !label.intersects(tag)});
    }
    return lines;
}

std::vector<TimeGridLine> ChartPainter::timeGrid() const
{
    std::vector<TimeGridLine> lines;
    if (m_bars.empty())
        return lines;

    const int labelWidth = timeLabelWidth();
    const std::int64_t slotsPerLabel = (labelWidth + barSlot - 1) / barSlot;
    const std::int64_t step = niceTimeStep(slotsPerLabel * m_interval);
    const bool wholeMinutes = step % (60 * nanosecondsPerSecond) == 0;
    const TimePrecision precision = wholeMinutes ? TimePrecision::Minutes : TimePrecision::Seconds;

    // Labels sit on round times of the day, and the offset maps them back to the bars' clock.
    // They start at the session's first bar, never before it, and go on to the rightmost
    // slot, so the empty slots right of the newest bar show the times the next bars take.
    const std::int64_t lastStart = m_bars.back().start.value();
    const std::int64_t firstTime = std::max(m_firstSlotStart, m_view.bars.front().start.value());
    const std::int64_t lastSlotStart = m_firstSlotStart + (m_slotCount - 1) * m_interval;
    const std::int64_t dayOffset = lastStart - nanosecondsIntoDay(Timestamp{lastStart});
    const std::int64_t firstLabel = roundUpToMultiple(firstTime - dayOffset, step);
    for (std::int64_t time = firstLabel + dayOffset; time <= lastSlotStart; time += step) {
        const int x = xOfTime(time);
        const QRect label(x - labelWidth / 2, m_layout.times.top(), labelWidth,
                          m_layout.times.height());
        if (label.left() < m_layout.prices.left())
            continue;

        lines.push_back(TimeGridLine{time, x, label, formatTimeOfDay(Timestamp{time}, precision)});
    }
    return lines;
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
        drawText(m_layout.prices, Qt::AlignCenter, noBarsText(m_view), theme::mutedTextColor());
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
    for (const PriceGridLine &line : priceGrid()) {
        m_painter.setPen(theme::gridColor());
        m_painter.drawLine(area.left(), line.y, area.right(), line.y);
        if (line.labelShown) {
            drawText(line.labelRect, Qt::AlignRight | Qt::AlignVCenter, line.label,
                     theme::mutedTextColor());
        }
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

    // The last price tag can reach below the candle area when the close is the lowest price.
    const QRect label(m_layout.axis.left() + margin, area.top(), m_layout.axis.width() - 2 * margin,
                      m_metrics.height());
    if (!label.intersects(lastPriceTag())) {
        drawText(label, Qt::AlignRight | Qt::AlignTop, formatCount(m_largestVolume),
                 theme::mutedTextColor());
    }
}

void ChartPainter::drawTimeAxis()
{
    for (const TimeGridLine &line : timeGrid()) {
        m_painter.setPen(theme::gridColor());
        m_painter.drawLine(line.x, m_layout.prices.top(), line.x, m_layout.volume.bottom());
        drawText(line.labelRect, Qt::AlignCenter, line.label, theme::mutedTextColor());
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

    const QRect tag = lastPriceTag();
    m_painter.fillRect(tag, color);
    drawText(tag.adjusted(0, 0, -margin, 0), Qt::AlignRight | Qt::AlignVCenter,
             formatPrice(last.close, m_view.priceDecimals), Qt::white);
}

} // namespace bourse::ui

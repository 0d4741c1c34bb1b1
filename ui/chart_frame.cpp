#include "chart_frame.h"

#include "chart_scale.h"
#include "formatting.h"

#include <QObject>

#include <algorithm>
#include <cmath>

namespace bourse::ui {

namespace {

constexpr int margin = 8;
constexpr int minimumGridSpacing = 48; // pixels between price grid lines
constexpr std::int64_t nanosecondsPerSecond = 1'000'000'000;

// Returns a / b rounded toward negative infinity, for a positive b.
std::int64_t floorDivide(std::int64_t a, std::int64_t b)
{
    const std::int64_t quotient = a / b;
    return (a % b != 0 && a < 0) ? quotient - 1 : quotient;
}

} // namespace

QString noBarsText(const MarketView &view)
{
    const bool ended =
        view.replayState == ReplayState::Finished || view.replayState == ReplayState::Failed;
    return ended ? QObject::tr("No trades") : QObject::tr("Waiting for the first trade");
}

ChartFrame::ChartFrame(const QFontMetrics &metrics, const MarketView &view, CandleSeries series,
                       QRect bounds, const ChartOptions &options)
    : m_view(view)
    , m_series(series)
    , m_metrics(metrics)
    , m_visible(series.bars)
    , m_rangeBars(series.bars)
    , m_slotWidth(std::max(options.slotWidth, 1))
{
    if (series.intervalNanoseconds > 0)
        m_interval = series.intervalNanoseconds;

    // The axis width depends on the labels, which depend on the visible bars. So the layout is
    // made with all bars first, then again with the ones that fit.
    m_layout = layoutFor(bounds, options.headerControls);
    chooseVisibleBars(m_layout.prices.width(), options.rightSlotStart);
    choosePriceRange();
    m_layout = layoutFor(bounds, options.headerControls);
}

int ChartFrame::bodyWidth() const
{
    const int width = std::max(m_slotWidth * 7 / 9, 1);
    return width % 2 == 1 ? width : width - 1;
}

ChartLayout ChartFrame::layoutFor(QRect bounds, QSize headerControls) const
{
    std::int64_t widest = 0;
    for (const Bar &bar : m_rangeBars)
        widest = std::max({widest, bar.high.value(), -bar.low.value()});
    const QString sample = formatPrice(Price{widest}, m_view.priceDecimals);
    const int axisWidth = m_metrics.horizontalAdvance(sample) + 2 * margin + 4;

    const int lineHeight = m_metrics.height();
    const int headerHeight = std::max(lineHeight + 2 * margin, headerControls.height() + margin);
    const int controlsWidth = headerControls.width() > 0 ? headerControls.width() + margin : 0;
    ChartLayout layout;
    layout.header = QRect(bounds.left() + margin, bounds.top(),
                          std::max(bounds.width() - 2 * margin - controlsWidth, 0), headerHeight);
    layout.legend = QRect(bounds.left() + margin, layout.header.bottom() + 1,
                          bounds.width() - 2 * margin, lineHeight + margin / 2);
    layout.times = QRect(bounds.left(), bounds.bottom() - lineHeight - margin, bounds.width(),
                         lineHeight + margin);

    const int plotTop = layout.legend.bottom() + 1;
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

void ChartFrame::chooseVisibleBars(int plotWidth, std::optional<std::int64_t> rightSlotStart)
{
    m_slotCount = std::max(plotWidth / m_slotWidth - 1, 1);
    if (m_visible.empty())
        return;

    // Bars that fit start this many slots from the left edge, so the time label of the first
    // bar, centred under it, is not cut by the edge.
    const std::int64_t leadingSlots = (timeLabelWidth() / 2 + m_slotWidth - 1) / m_slotWidth;

    // Bar starts are aligned to the interval, so the differences are whole slots.
    const std::int64_t firstStart = m_visible.front().start.value();
    const std::int64_t lastStart = m_visible.back().start.value();
    const std::int64_t slotsAfterFirst = std::max(m_slotCount - 1 - leadingSlots, std::int64_t{0});
    m_latestRightSlot = lastStart;
    m_earliestRightSlot = std::min(firstStart + slotsAfterFirst * m_interval, lastStart);
    if (!canScroll()) {
        m_firstSlotStart = firstStart - leadingSlots * m_interval;
        return;
    }

    const std::int64_t rightStart =
        clampRightSlot(rightSlotStart.value_or(lastStart)).value_or(lastStart);
    m_firstSlotStart = rightStart - (m_slotCount - 1) * m_interval;
    const auto visible = [this, rightStart](const Bar &bar) {
        return bar.start.value() >= m_firstSlotStart && bar.start.value() <= rightStart;
    };
    const auto first = std::find_if(m_visible.begin(), m_visible.end(), visible);
    const auto last = std::find_if_not(first, m_visible.end(), visible);
    m_visible = std::span<const Bar>(first, last);
}

bool ChartFrame::showsNewestBar() const
{
    return !canScroll() || lastSlotStart() >= m_latestRightSlot;
}

std::optional<std::int64_t> ChartFrame::clampRightSlot(std::int64_t start) const
{
    const std::int64_t aligned = intervalStart(start, m_interval);
    const std::int64_t clamped = std::clamp(aligned, m_earliestRightSlot, m_latestRightSlot);
    if (clamped >= m_latestRightSlot)
        return std::nullopt;
    return clamped;
}

int ChartFrame::timeLabelWidth() const
{
    return m_metrics.horizontalAdvance(QStringLiteral("00:00:00")) + 2 * margin;
}

void ChartFrame::choosePriceRange()
{
    if (m_series.bars.empty())
        return;

    // A gap without trades can fill the whole candle area after a scroll. The prices are those
    // of the last bar before it then, so the axis stays where the market was.
    m_rangeBars = m_visible;
    if (m_rangeBars.empty()) {
        const auto before =
            std::find_if(m_series.bars.rbegin(), m_series.bars.rend(),
                         [this](const Bar &bar) { return bar.start.value() < m_firstSlotStart; });
        const auto index = before == m_series.bars.rend() ? 0 : m_series.bars.rend() - before - 1;
        m_rangeBars = m_series.bars.subspan(static_cast<std::size_t>(index), 1);
    }

    std::int64_t low = m_rangeBars.front().low.value();
    std::int64_t high = m_rangeBars.front().high.value();
    for (const Bar &bar : m_rangeBars) {
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

double ChartFrame::yOfPrice(double ticks) const
{
    const QRect &area = m_layout.prices;
    const double share = (ticks - static_cast<double>(m_low)) / static_cast<double>(m_high - m_low);
    return area.bottom() - share * area.height();
}

double ChartFrame::priceAtY(int y) const
{
    const QRect &area = m_layout.prices;
    const double share = static_cast<double>(area.bottom() - y) / std::max(area.height(), 1);
    return static_cast<double>(m_low) + share * static_cast<double>(m_high - m_low);
}

// The middle of the rightmost slot is one slot left of the axis, which leaves a gap between the
// newest bar and the axis. The other slots line up to its left.
int ChartFrame::xOfTime(std::int64_t start) const
{
    const std::int64_t slot = floorDivide(start - m_firstSlotStart, m_interval);
    const std::int64_t slotsFromRight = m_slotCount - 1 - slot;
    return m_layout.prices.right() - m_slotWidth - static_cast<int>(slotsFromRight) * m_slotWidth;
}

Price ChartFrame::tickPriceAtY(int y) const
{
    const std::int64_t tick = std::max(m_view.tickSize.value(), std::int64_t{1});
    const double ticks = priceAtY(y) / static_cast<double>(tick);
    return Price{static_cast<std::int64_t>(std::llround(ticks)) * tick};
}

std::optional<std::int64_t> ChartFrame::slotAtX(int x) const
{
    if (x < m_layout.prices.left() || x > m_layout.prices.right())
        return std::nullopt;

    // Slot k from the right has its middle at right - slotWidth * (k + 1) and covers half a
    // slot to each side.
    const int rightMiddle = m_layout.prices.right() - m_slotWidth;
    const std::int64_t slotsFromRight = floorDivide(rightMiddle - x + m_slotWidth / 2, m_slotWidth);
    const std::int64_t slot = m_slotCount - 1 - slotsFromRight;
    if (slot < 0 || slot >= m_slotCount)
        return std::nullopt;
    return m_firstSlotStart + slot * m_interval;
}

const Bar *ChartFrame::barAtX(int x) const
{
    const std::optional<std::int64_t> start = slotAtX(x);
    if (!start)
        return nullptr;

    const auto found = std::lower_bound(
        m_visible.begin(), m_visible.end(), *start,
        [](const Bar &bar, std::int64_t time) { return bar.start.value() < time; });
    if (found == m_visible.end() || found->start.value() != *start)
        return nullptr;
    return &*found;
}

QRect ChartFrame::lastPriceTag() const
{
    if (m_series.bars.empty())
        return {};

    // After a scroll back the newest close can lie outside the visible price range.
    const double close = static_cast<double>(m_series.bars.back().close.value());
    const int y = static_cast<int>(yOfPrice(close));
    if (y < m_layout.prices.top() || y > m_layout.prices.bottom())
        return {};
    return {m_layout.axis.left() + 1, y - m_metrics.height() / 2 - 2, m_layout.axis.width() - 1,
            m_metrics.height() + 4};
}

std::vector<PriceGridLine> ChartFrame::priceGrid() const
{
    std::vector<PriceGridLine> lines;
    if (m_series.bars.empty())
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
        const int y = static_cast<int>(yOfPrice(static_cast<double>(price)));
        const QRect label(m_layout.axis.left() + margin, y - m_metrics.height() / 2,
                          m_layout.axis.width() - 2 * margin, m_metrics.height());
        if (label.top() < area.top() || label.bottom() > area.bottom())
            continue;

        const QString text = formatPrice(Price{price / divisor}, decimals - dropped);
        lines.push_back(PriceGridLine{price, y, label, text, !label.intersects(tag)});
    }
    return lines;
}

std::vector<TimeGridLine> ChartFrame::timeGrid() const
{
    std::vector<TimeGridLine> lines;
    if (m_series.bars.empty())
        return lines;

    const int labelWidth = timeLabelWidth();
    const std::int64_t slotsPerLabel = (labelWidth + m_slotWidth - 1) / m_slotWidth;
    const std::int64_t step = niceTimeStep(slotsPerLabel * m_interval);
    const bool wholeMinutes = step % (60 * nanosecondsPerSecond) == 0;
    const TimePrecision precision = wholeMinutes ? TimePrecision::Minutes : TimePrecision::Seconds;

    // Labels sit on round times of the day, and the offset maps them back to the bars' clock.
    // They start at the series' first bar, never before it, and go on to the rightmost slot,
    // so the empty slots right of the newest bar show the times the next bars take.
    const std::int64_t lastStart = m_series.bars.back().start.value();
    const std::int64_t firstTime = std::max(m_firstSlotStart, m_series.bars.front().start.value());
    const std::int64_t dayOffset = lastStart - nanosecondsIntoDay(Timestamp{lastStart});
    const std::int64_t firstLabel = roundUpToMultiple(firstTime - dayOffset, step);
    for (std::int64_t time = firstLabel + dayOffset; time <= lastSlotStart(); time += step) {
        const int x = xOfTime(time);
        const QRect label(x - labelWidth / 2, m_layout.times.top(), labelWidth,
                          m_layout.times.height());
        if (label.left() < m_layout.prices.left())
            continue;

        lines.push_back(TimeGridLine{time, x, label, formatTimeOfDay(Timestamp{time}, precision)});
    }
    return lines;
}

} // namespace bourse::ui

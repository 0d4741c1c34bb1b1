// The crosshair of the candlestick chart: where it is, what it reads out, and the keyboard's
// moves of it.

#include "candle_chart.h"

#include "chart_painter.h"

#include <algorithm>
#include <cmath>

namespace bourse::ui {

namespace {

QString keysDescription()
{
    return CandleChart::tr(
        "Candles with volume, VWAP, 20 and 50 bar moving averages and your fills. Left and "
        "Right move the crosshair by a bar, Home and End to the first and the last bar, and "
        "Escape hides it. The plus and minus keys or the mouse wheel zoom. Shift with Left or "
        "Right, Page Up, Page Down or dragging scroll. The number keys choose the time frame.");
}

} // namespace

std::optional<Bar> CandleChart::barUnderCursor() const
{
    const std::optional<ChartFrame> current = frame();
    const std::optional<QPoint> point = current ? crosshairPoint(*current) : std::nullopt;
    if (!point)
        return std::nullopt;

    const ChartLayout &layout = current->layout();
    if (!QRect(layout.prices.topLeft(), layout.volume.bottomRight()).contains(*point))
        return std::nullopt;
    const Bar *bar = current->barAtX(point->x());
    return bar ? std::optional<Bar>(*bar) : std::nullopt;
}

std::optional<Price> CandleChart::priceUnderCursor() const
{
    const std::optional<ChartFrame> current = frame();
    const std::optional<QPoint> point = current ? crosshairPoint(*current) : std::nullopt;
    if (!point || current->series().bars.empty() || !current->layout().prices.contains(*point))
        return std::nullopt;
    if (m_crosshairStart)
        return current->series().bars[*crosshairIndex(*current)].close;
    return current->tickPriceAtY(point->y());
}

QString CandleChart::crosshairReadout() const
{
    const std::optional<ChartFrame> current = frame();
    const std::optional<Bar> bar = barUnderCursor();
    if (!current || !bar)
        return {};
    const ChartOverlays overlays = overlaysFor(*m_view, current->series());
    return readoutText(chartReadout(*current, overlays, *bar));
}

// The index in the frame's series of the keyboard's bar: the last bar that starts at or before
// its time. Empty without a keyboard crosshair or without bars.
std::optional<std::size_t> CandleChart::crosshairIndex(const ChartFrame &frame) const
{
    const std::span<const Bar> bars = frame.series().bars;
    if (!m_crosshairStart || bars.empty())
        return std::nullopt;

    const auto after = std::upper_bound(
        bars.begin(), bars.end(), *m_crosshairStart,
        [](std::int64_t time, const Bar &bar) { return time < bar.start.value(); });
    const auto index = std::max<std::ptrdiff_t>(after - bars.begin() - 1, 0);
    return static_cast<std::size_t>(index);
}

// The point the crosshair marks: the middle of the keyboard's bar at its close, or the mouse.
// Empty when the keyboard's bar has scrolled off screen.
std::optional<QPoint> CandleChart::crosshairPoint(const ChartFrame &frame) const
{
    const std::optional<std::size_t> index = crosshairIndex(frame);
    if (!index)
        return m_crosshairStart ? std::nullopt : m_cursor;

    const Bar &bar = frame.series().bars[*index];
    if (bar.start.value() < frame.firstSlotStart() || bar.start.value() > frame.lastSlotStart())
        return std::nullopt;
    const double y = frame.yOfPrice(static_cast<double>(bar.close.value()));
    return QPoint(frame.xOfBar(bar), static_cast<int>(std::lround(y)));
}

// Moves the keyboard's crosshair by `bars` bars. The first move starts from the bar under the
// mouse, or else from the newest bar on screen, and shows the crosshair there.
void CandleChart::moveCrosshair(int bars)
{
    const std::optional<ChartFrame> current = frame();
    if (!current || current->series().bars.empty())
        return;

    const std::span<const Bar> series = current->series().bars;
    if (const std::optional<std::size_t> index = crosshairIndex(*current)) {
        const auto last = static_cast<std::ptrdiff_t>(series.size()) - 1;
        const std::ptrdiff_t moved =
            std::clamp(static_cast<std::ptrdiff_t>(*index) + bars, std::ptrdiff_t{0}, last);
        placeCrosshair(*current, static_cast<std::size_t>(moved));
        return;
    }

    const std::optional<Bar> hovered = barUnderCursor();
    const std::span<const Bar> visible = current->visibleBars();
    const Bar &start = hovered ? *hovered : (visible.empty() ? series.back() : visible.back());
    m_crosshairStart = start.start.value();
    if (hovered)
        moveCrosshair(bars);
    else
        placeCrosshair(*current, *crosshairIndex(*current));
}

// Puts the keyboard's crosshair on bar `index` of the series and scrolls it onto the screen.
void CandleChart::placeCrosshair(const ChartFrame &frame, std::size_t index)
{
    const std::int64_t start = frame.series().bars[index].start.value();
    m_crosshairStart = start;
    if (start < frame.firstSlotStart())
        setRightSlot(start + (frame.slotCount() - 1) * frame.interval());
    else if (start > frame.lastSlotStart())
        setRightSlot(start);
    updateDescription();
    update();
}

void CandleChart::hideCrosshair()
{
    m_crosshairStart.reset();
    m_cursor.reset();
    updateDescription();
    update();
}

// The accessible description gives a screen reader the keys, and the readout while the
// keyboard moves the crosshair.
void CandleChart::updateDescription()
{
    QString description = keysDescription();
    if (m_crosshairStart) {
        const QString readout = crosshairReadout();
        if (!readout.isEmpty())
            description = tr("Crosshair: %1. %2").arg(readout, description);
    }
    if (description != accessibleDescription())
        setAccessibleDescription(description);
}

} // namespace bourse::ui

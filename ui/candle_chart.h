#pragma once

#include "chart_frame.h"
#include "market_view.h"

#include <QWidget>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

class QButtonGroup;
class QHBoxLayout;

namespace bourse::ui {

// A candlestick chart of the focus instrument: candles with volume bars, a session VWAP and two
// moving averages with a legend, the trader's fills as markers, a crosshair, and buttons for the
// view's time frames. The header and the legend read out the bar under the crosshair.
//
// Mouse: the crosshair follows the pointer, the wheel zooms, and dragging scrolls through time.
// Keys, with the chart focused: Left and Right move the crosshair a bar at a time and scroll to
// keep it on screen. Home and End move it to the first and the last bar, and End also follows
// new bars again. Escape hides the crosshair. The + and - keys zoom, Shift+Left and
// Shift+Right scroll by a bar and Page Up and Page Down by a screen. The keys 1 to 9 choose a
// time frame.
//
// It is painted with QPainter from the latest view only, draws only the slots that fit, and
// repaints only when what it draws changed, at most once per event loop pass however many
// views arrive in between. ChartFrame places the bars and ChartPainter draws them.
//
// The chosen time frame is a property that a workspace keeps (WorkspaceManager).
class CandleChart : public QWidget {
    Q_OBJECT
    Q_PROPERTY(
        qint64 chosenTimeFrame READ chosenTimeFrame WRITE setTimeFrame RESET followViewTimeFrame)
    Q_CLASSINFO("workspaceProperties", "chosenTimeFrame")

public:
    explicit CandleChart(QWidget *parent = nullptr);

    // Keeps `view` for the next paint and schedules one only when the bars of the shown time
    // frame, the focus instrument's fills or the instrument's terms changed.
    void showView(const std::shared_ptr<const MarketView> &view);
    void setView(std::shared_ptr<const MarketView> view) { showView(view); }
    // Forgets the view, for a new session, and shows the placeholder text. Zoom, scroll and the
    // chosen time frame stay.
    void clear();

    // The bars of the time frame shown; zero without a view.
    std::size_t barCount() const;

    // Returns the lengths of the view's time frames, shortest first.
    std::vector<std::int64_t> timeFrames() const;
    // Returns the length of the bars shown: the chosen time frame when the view has it, the
    // view's bar interval otherwise. Zero without a view.
    std::int64_t timeFrame() const;
    // Chooses the time frame of `intervalNanoseconds`. While the view has no series of that
    // length the chart shows another, and the choice applies again to later views that have it.
    void setTimeFrame(std::int64_t intervalNanoseconds);
    // Returns the time frame last chosen, with or without a view; zero for the view's bar
    // interval, before any choice.
    std::int64_t chosenTimeFrame() const { return m_chosenTimeFrame; }
    // Forgets the choice: the chart shows the view's bar interval, as before any choice.
    void followViewTimeFrame() { setTimeFrame(0); }

    int slotWidth() const { return chartSlotWidths[m_zoomLevel]; }
    void zoomIn();
    void zoomOut();
    // Scrolls by `bars` slots: a positive count toward newer bars. Scrolling stops with the
    // first bar at the left edge or the newest at the right, where the chart follows new bars.
    void scrollBars(int bars);
    // Shows the newest bars and follows new ones.
    void followLatest();
    bool followsLatest() const { return !m_rightSlotStart; }

    // Returns the geometry of the frame the chart paints at its current size, or nothing
    // without a view. It refers to the chart's view, so it must not outlive the next showView().
    std::optional<ChartFrame> frame() const;
    // Returns the bars drawn at the current size, oldest first.
    std::span<const Bar> visibleBars() const;

    // Returns the bar under the crosshair and the price the crosshair marks. The keyboard's
    // crosshair sits on a bar, at its close. The mouse's marks the price at the pointer's
    // height, rounded to the tick size. Each is empty while the crosshair is hidden or off the
    // candles, and the bar also over an empty slot.
    std::optional<Bar> barUnderCursor() const;
    std::optional<Price> priceUnderCursor() const;
    // True while the keyboard moves the crosshair, until Escape or a mouse move.
    bool keyboardCrosshair() const { return m_crosshairStart.has_value(); }
    // Returns the values the header and the legend show for the bar under the crosshair, as
    // readoutText() writes them. Empty while no bar is under the crosshair.
    QString crosshairReadout() const;

    QSize sizeHint() const override { return {800, 500}; }
    QSize minimumSizeHint() const override { return {320, 200}; }

signals:
    void timeFrameChanged(qint64 intervalNanoseconds);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;

private:
    bool drawsSame(const MarketView &previous, const MarketView &next) const;
    ChartOptions options() const;
    void setRightSlot(std::optional<std::int64_t> start);
    void setZoomLevel(std::size_t level);
    void updateTimeFrameButtons();
    void placeTimeFrameButtons();

    std::optional<std::size_t> crosshairIndex(const ChartFrame &frame) const;
    std::optional<QPoint> crosshairPoint(const ChartFrame &frame) const;
    void moveCrosshair(int bars);
    void placeCrosshair(const ChartFrame &frame, std::size_t index);
    void hideCrosshair();
    void updateDescription();

    std::shared_ptr<const MarketView> m_view;
    std::int64_t m_chosenTimeFrame = 0; // zero: the view's bar interval
    std::size_t m_zoomLevel = 4;        // index into chartSlotWidths
    std::optional<std::int64_t> m_rightSlotStart;
    std::optional<QPoint> m_cursor; // of the mouse, over the chart
    // The start of the bar the keyboard's crosshair is on, while the keyboard moves it. After a
    // change of time frame it stands for the bar that contains that time.
    std::optional<std::int64_t> m_crosshairStart;
    std::optional<int> m_dragStartX;
    std::int64_t m_dragRightSlot = 0;

    QWidget *m_timeFrameBar;
    QHBoxLayout *m_timeFrameLayout;
    QButtonGroup *m_timeFrameButtons;
    std::vector<std::int64_t> m_offeredTimeFrames;
};

} // namespace bourse::ui

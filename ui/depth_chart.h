#pragma once

#include "chart_depth.h"
#include "market_view.h"

#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

namespace bourse::ui {

// The depth chart of the focus instrument: the cumulative size of the bids stepping down from
// the best bid and of the asks stepping up from the best ask, over price, with the mid price
// marked and a crosshair that reads the price and the cumulative size under the mouse. The
// Left and Right keys move the crosshair from level to level and Escape hides it.
//
// It is painted with QPainter from the latest view only, over the levels the view carries,
// and repaints only when the book or the instrument's terms changed, at most once per event
// loop pass.
class DepthChart : public QWidget {
    Q_OBJECT

public:
    explicit DepthChart(QWidget *parent = nullptr);

    // Keeps `view` for the next paint and schedules one only when its levels or the focus
    // instrument's terms differ from the previous view's.
    void showView(const std::shared_ptr<const MarketView> &view);
    // Forgets the view, for a new session, and shows the placeholder text.
    void clear();

    const std::vector<DepthPoint> &bidDepth() const { return m_bids; }
    const std::vector<DepthPoint> &askDepth() const { return m_asks; }

    // Returns the geometry of the frame the chart paints at its current size, or nothing
    // without a view. It refers to the chart's view, so it must not outlive the next showView().
    std::optional<DepthFrame> frame() const;
    // Returns the reading under the crosshair, or nothing when the crosshair is off the plot or
    // over the spread.
    std::optional<DepthReading> readingUnderCursor() const;

    QSize sizeHint() const override { return {480, 320}; }
    QSize minimumSizeHint() const override { return {240, 160}; }

protected:
    void paintEvent(QPaintEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;

private:
    void moveCursorToLevel(bool higher);

    std::shared_ptr<const MarketView> m_view;
    std::vector<DepthPoint> m_bids;
    std::vector<DepthPoint> m_asks;
    std::optional<QPoint> m_cursor;
    std::optional<Price> m_cursorPrice; // the level the keyboard moved the crosshair to
};

} // namespace bourse::ui

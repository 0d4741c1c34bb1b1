#pragma once

#include "market_view.h"

#include <QWidget>

#include <memory>

namespace bourse::ui {

// A candlestick chart of the view's bars with a volume strip below, a price axis on the right
// and a time axis at the bottom. It is painted with QPainter from the latest view only, and
// repaints only when the bars, the symbol, the price format or the text shown without bars
// change. ChartPainter places and draws the bars and labels.
class CandleChart : public QWidget {
    Q_OBJECT

public:
    explicit CandleChart(QWidget *parent = nullptr);

    void setView(std::shared_ptr<const MarketView> view);
    void clear();

    std::size_t barCount() const { return m_view ? m_view->bars.size() : 0; }

    QSize sizeHint() const override { return {800, 500}; }
    QSize minimumSizeHint() const override { return {320, 200}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    std::shared_ptr<const MarketView> m_view;
};

} // namespace bourse::ui

#include "candle_chart.h"

#include "chart_painter.h"
#include "theme.h"

#include <QPaintEvent>
#include <QPainter>

#include <utility>

namespace bourse::ui {

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
                      view->barIntervalNanoseconds == m_view->barIntervalNanoseconds &&
                      noBarsText(*view) == noBarsText(*m_view);
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

#include "depth_chart.h"

#include "theme.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace bourse::ui {

DepthChart::DepthChart(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("depthChart"));
    setAccessibleName(tr("Depth chart"));
    setAccessibleDescription(tr("Cumulative size of the bids and asks over price. The left and "
                                "right arrow keys move the crosshair from level to level."));
    setAttribute(Qt::WA_OpaquePaintEvent);
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setCursor(Qt::CrossCursor);
    setFont(theme::monospaceFont());
}

void DepthChart::showView(const std::shared_ptr<const MarketView> &view)
{
    const bool same =
        view && m_view && view->bids == m_view->bids && view->asks == m_view->asks &&
        view->symbol == m_view->symbol && view->priceDecimals == m_view->priceDecimals &&
        view->quantityDecimals == m_view->quantityDecimals && view->tickSize == m_view->tickSize &&
        view->replayStale == m_view->replayStale;
    m_view = view;
    if (same)
        return;

    m_bids = view ? cumulativeDepth(view->bids) : std::vector<DepthPoint>{};
    m_asks = view ? cumulativeDepth(view->asks) : std::vector<DepthPoint>{};
    update();
}

void DepthChart::clear()
{
    showView(nullptr);
}

std::optional<DepthFrame> DepthChart::frame() const
{
    if (!m_view)
        return std::nullopt;
    return DepthFrame(fontMetrics(), *m_view, m_bids, m_asks, rect());
}

std::optional<DepthReading> DepthChart::readingUnderCursor() const
{
    const std::optional<DepthFrame> current = frame();
    if (!current || !m_cursor || !current->plot().contains(*m_cursor))
        return std::nullopt;
    return depthAt(m_bids, m_asks, m_cursorPrice.value_or(current->tickPriceAtX(m_cursor->x())));
}

void DepthChart::paintEvent(QPaintEvent *event)
{
    QPainter painter(this);
    painter.fillRect(event->rect(), theme::panelColor());
    if (!m_view) {
        painter.setPen(theme::mutedTextColor());
        painter.drawText(rect(), Qt::AlignCenter, tr("No market data yet"));
    } else {
        const DepthFrame current = *frame();
        DepthPainter(painter, current, m_cursor, m_cursorPrice).paint();
    }

    if (hasFocus()) {
        painter.setPen(theme::accentColor());
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(rect().adjusted(0, 0, -1, -1));
    }
}

// Moves the crosshair to the nearest level price beyond the one under it, starting from the
// mid of the plot when it is hidden.
void DepthChart::moveCursorToLevel(bool higher)
{
    const std::optional<DepthFrame> current = frame();
    if (!current || current->empty())
        return;

    const QRect plot = current->plot();
    const QPoint from = m_cursor.value_or(plot.center());
    const Price price = m_cursorPrice.value_or(current->tickPriceAtX(from.x()));
    std::optional<Price> next;
    for (const std::vector<DepthPoint> *side : {&m_bids, &m_asks}) {
        for (const DepthPoint &point : *side) {
            const bool beyond = higher ? point.price > price : point.price < price;
            const bool nearer = !next || (higher ? point.price < *next : point.price > *next);
            if (beyond && nearer)
                next = point.price;
        }
    }
    if (!next)
        return;

    const double x = current->xOfPrice(static_cast<double>(next->value()));
    m_cursor = QPoint(static_cast<int>(std::lround(x)), from.y());
    m_cursorPrice = next;
    update();
}

void DepthChart::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Left:
        moveCursorToLevel(false);
        return;
    case Qt::Key_Right:
        moveCursorToLevel(true);
        return;
    case Qt::Key_Escape:
        if (m_cursor) {
            m_cursor.reset();
            m_cursorPrice.reset();
            update();
            return;
        }
        break;
    default:
        break;
    }
    QWidget::keyPressEvent(event);
}

void DepthChart::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint position = event->position().toPoint();
    if (m_cursor != position) {
        m_cursor = position;
        m_cursorPrice.reset();
        update();
    }
}

void DepthChart::leaveEvent(QEvent *event)
{
    if (m_cursor) {
        m_cursor.reset();
        m_cursorPrice.reset();
        update();
    }
    QWidget::leaveEvent(event);
}

} // namespace bourse::ui

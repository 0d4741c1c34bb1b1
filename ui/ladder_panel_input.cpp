// The mouse and key handling of LadderPanel, and the selection and scrolling they drive.

#include "ladder_panel.h"

#include "ladder_model.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QTableView>
#include <QWheelEvent>

#include <algorithm>

namespace bourse::ui {

namespace {

// The keys the focused ladder acts on. A key with Ctrl, Alt or Meta belongs to the window's
// shortcuts.
bool isLadderKey(int key, Qt::KeyboardModifiers modifiers)
{
    if (modifiers & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier))
        return false;

    switch (key) {
    case Qt::Key_Up:
    case Qt::Key_Down:
    case Qt::Key_PageUp:
    case Qt::Key_PageDown:
    case Qt::Key_Home:
    case Qt::Key_End:
    case Qt::Key_Space:
    case Qt::Key_C:
    case Qt::Key_B:
    case Qt::Key_S:
    case Qt::Key_Delete:
    case Qt::Key_Backspace:
        return true;
    default:
        return false;
    }
}

// The side of the working orders a column shows, if it shows them.
std::optional<Side> workingSideOf(int column)
{
    if (column == LadderModel::WorkingBuysColumn)
        return Side::Buy;
    if (column == LadderModel::WorkingSellsColumn)
        return Side::Sell;
    return std::nullopt;
}

} // namespace

void LadderPanel::centreTable()
{
    const QModelIndex centre = m_model->index(m_model->centreRow(), LadderModel::PriceColumn);
    m_table->scrollTo(centre, QAbstractItemView::PositionAtCenter);
    updateVisibleRows();
}

void LadderPanel::updateVisibleRows()
{
    const int first = m_table->rowAt(0);
    const int last = m_table->rowAt(m_table->viewport()->height() - 1);
    m_model->setVisibleRows(first < 0 ? 0 : first, last < 0 ? m_model->rowCount() - 1 : last);
}

void LadderPanel::selectPrice(std::optional<Price> price)
{
    m_selectedPrice = price;
    syncSelection();
    updateCheckedOrders();
}

void LadderPanel::syncSelection()
{
    const int row = m_selectedPrice ? m_model->rowOf(*m_selectedPrice) : -1;
    const bool visible = row >= m_model->firstVisibleRow() && row <= m_model->lastVisibleRow();
    if (!visible) {
        // Keys must never act on a price the trader cannot see.
        m_selectedPrice.reset();
        m_table->clearSelection();
        return;
    }
    m_table->selectionModel()->setCurrentIndex(m_model->index(row, LadderModel::PriceColumn),
                                               QItemSelectionModel::ClearAndSelect |
                                                   QItemSelectionModel::Rows);
}

void LadderPanel::moveSelection(int ticks)
{
    if (!m_selectedPrice) {
        // The first key selects the market row, or the middle row while the market is off
        // screen.
        const std::optional<Price> market = m_model->marketPrice();
        const int row = market ? m_model->rowOf(*market) : -1;
        const bool visible = row >= m_model->firstVisibleRow() && row <= m_model->lastVisibleRow();
        const int middle = (m_model->firstVisibleRow() + m_model->lastVisibleRow()) / 2;
        selectPrice(visible ? market : m_model->priceAt(middle));
        return;
    }

    const std::int64_t tick = m_model->tickSize().value();
    const Price next{m_selectedPrice->value() + std::int64_t{ticks} * tick};
    if (next.value() <= 0 || next > kMaximumPrice)
        return;

    // Scroll first, so that the new price is on screen when it is selected.
    const std::optional<Price> top = m_model->priceAt(m_model->firstVisibleRow());
    const std::optional<Price> bottom = m_model->priceAt(m_model->lastVisibleRow());
    m_selectedPrice = next;
    if (top && next > *top)
        m_model->scrollRows(static_cast<int>((next.value() - top->value()) / tick));
    else if (bottom && next < *bottom)
        m_model->scrollRows(-static_cast<int>((bottom->value() - next.value()) / tick));
    selectPrice(next);
}

void LadderPanel::scrollPage(int pages)
{
    const int page = std::max(1, m_model->lastVisibleRow() - m_model->firstVisibleRow());
    // The selection moves with the page, so it stays on screen at the same height.
    if (m_selectedPrice)
        m_selectedPrice = Price{m_selectedPrice->value() +
                                std::int64_t{pages} * page * m_model->tickSize().value()};
    m_model->scrollRows(pages * page);
    syncSelection();
    updateCheckedOrders();
}

bool LadderPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_table->viewport()) {
        if (event->type() == QEvent::Resize)
            layOutColumns();
        return viewportEvent(event);
    }

    if (watched == m_table && event->type() == QEvent::ShortcutOverride) {
        // The ladder's keys win over window shortcuts while the ladder has focus.
        auto *key = static_cast<QKeyEvent *>(event);
        if (isLadderKey(key->key(), key->modifiers())) {
            event->accept();
            return true;
        }
    }
    if (watched == m_table && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (keyPressed(key->key(), key->modifiers()))
            return true;
        // Typing would start the view's keyboard search, which moves the view's selection away
        // from the price the keys act on.
        return !key->text().isEmpty() && key->text().front().isPrint();
    }
    return QWidget::eventFilter(watched, event);
}

bool LadderPanel::viewportEvent(QEvent *event)
{
    switch (event->type()) {
    case QEvent::MouseButtonPress:
    case QEvent::MouseButtonDblClick: {
        // A quick second click is a second order, as on any click-trading ladder.
        auto *mouse = static_cast<QMouseEvent *>(event);
        mousePressed(mouse->position().toPoint(), mouse->button());
        return true;
    }
    case QEvent::MouseMove:
        mouseMoved(static_cast<QMouseEvent *>(event)->position().toPoint());
        return m_press.has_value();
    case QEvent::MouseButtonRelease: {
        auto *mouse = static_cast<QMouseEvent *>(event);
        if (mouse->button() == Qt::LeftButton)
            mouseReleased(mouse->position().toPoint());
        return true;
    }
    case QEvent::Leave:
        m_mousePosition.reset();
        m_hover.reset();
        updateCheckedOrders();
        return false;
    case QEvent::Wheel:
        wheelTurned(static_cast<QWheelEvent *>(event)->angleDelta().y());
        return true;
    case QEvent::ContextMenu:
        return true;
    case QEvent::Resize:
        centreTable();
        return false;
    default:
        return false;
    }
}

std::optional<LadderPanel::Target> LadderPanel::sizeCellAt(const QPoint &position) const
{
    const QModelIndex index = m_table->indexAt(position);
    const std::optional<Price> price = m_model->priceAt(index.row());
    if (!price)
        return std::nullopt;
    if (index.column() == LadderModel::BidSizeColumn)
        return Target{Side::Buy, *price};
    if (index.column() == LadderModel::AskSizeColumn)
        return Target{Side::Sell, *price};
    return std::nullopt;
}

void LadderPanel::mousePressed(const QPoint &position, Qt::MouseButton button)
{
    const QModelIndex index = m_table->indexAt(position);
    const std::optional<Price> price = m_model->priceAt(index.row());
    if (!price)
        return;

    const std::optional<Side> columnSide = workingSideOf(index.column());
    if (button == Qt::RightButton) {
        if (columnSide)
            cancelAt(*columnSide, *price);
        return;
    }
    if (button != Qt::LeftButton)
        return;

    m_table->setFocus(Qt::MouseFocusReason);
    selectPrice(price);
    const bool grabsOrders = columnSide && !m_model->workingOrdersAt(*columnSide, *price).empty();

    // The window holds still until the release, so the release lands on the row aimed at.
    m_press = Press{index.row(), index.column(), *price, grabsOrders ? columnSide : std::nullopt};
    m_model->holdWindow(true);
    if (grabsOrders)
        m_table->viewport()->setCursor(Qt::ClosedHandCursor);
}

void LadderPanel::mouseMoved(const QPoint &position)
{
    m_mousePosition = position;
    if (m_press) {
        // While orders are dragged, the row under the mouse shows where they would go.
        const int row = m_table->rowAt(position.y());
        if (m_press->workingSide && m_model->priceAt(row))
            m_table->selectRow(row);
        return;
    }

    const std::optional<Target> hover = sizeCellAt(position);
    if (hover == m_hover)
        return;
    m_hover = hover;
    updateCheckedOrders();
}

void LadderPanel::mouseReleased(const QPoint &position)
{
    if (!m_press)
        return;

    const Press press = *m_press;
    m_press.reset();
    m_model->holdWindow(false);
    m_table->viewport()->unsetCursor();

    const QModelIndex index = m_table->indexAt(position);
    const std::optional<Price> price = m_model->priceAt(index.row());
    if (press.workingSide) {
        if (price && *price != press.price)
            replaceAt(*press.workingSide, press.price, *price);
        selectPrice(price);
        return;
    }

    const bool sameCell = index.row() == press.row && index.column() == press.column;
    if (!sameCell)
        return;
    if (press.column == LadderModel::BidSizeColumn)
        submitAt({Side::Buy, press.price});
    else if (press.column == LadderModel::AskSizeColumn)
        submitAt({Side::Sell, press.price});
}

void LadderPanel::wheelTurned(int angle)
{
    // One row per 40 eighths of a degree: three rows per notch of a common wheel, with the
    // remainder kept for fine-grained touchpads.
    constexpr int kAnglePerRow = 40;
    m_wheelAngle += angle;
    const int rows = m_wheelAngle / kAnglePerRow;
    m_wheelAngle -= rows * kAnglePerRow;
    if (rows != 0)
        m_model->scrollRows(rows);
}

bool LadderPanel::keyPressed(int key, Qt::KeyboardModifiers modifiers)
{
    if (!isLadderKey(key, modifiers))
        return false;

    switch (key) {
    case Qt::Key_Up:
        moveSelection(1);
        return true;
    case Qt::Key_Down:
        moveSelection(-1);
        return true;
    case Qt::Key_PageUp:
        scrollPage(1);
        return true;
    case Qt::Key_PageDown:
        scrollPage(-1);
        return true;
    case Qt::Key_Home:
    case Qt::Key_End:
        // The view would scroll to the first or last row, away from the market.
        return true;
    case Qt::Key_Space:
    case Qt::Key_C:
        recentre();
        return true;
    case Qt::Key_B:
    case Qt::Key_S:
        if (m_selectedPrice)
            submitAt({key == Qt::Key_B ? Side::Buy : Side::Sell, *m_selectedPrice});
        return true;
    case Qt::Key_Delete:
    case Qt::Key_Backspace:
        if (m_selectedPrice) {
            cancelAt(Side::Buy, *m_selectedPrice);
            cancelAt(Side::Sell, *m_selectedPrice);
        }
        return true;
    }
    return false;
}

} // namespace bourse::ui

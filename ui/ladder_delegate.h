#pragma once

#include <QStyledItemDelegate>

namespace bourse::ui {

// Paints table cells with a few pixels between the text and the cell edges, so right-aligned
// numbers do not touch the next column or the edge of the table.
class PaddedCellDelegate : public QStyledItemDelegate {
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;

    // Draws what lies under the text; by default the cell's Qt::BackgroundRole colour.
    virtual void paintBackground(QPainter *painter, const QStyleOptionViewItem &option,
                                 const QModelIndex &index) const;
};

// Paints a ladder cell over its bar. The bid and ask size columns get a translucent depth bar
// as wide as LadderModel::DepthFractionRole gives, grown from the side next to the price
// column, and the volume column a muted bar of the same kind. A cell a pre-trade check would
// reject keeps its warning tint on a selected row, and the last trade's price has a frame.
class LadderDelegate : public PaddedCellDelegate {
    Q_OBJECT

public:
    using PaddedCellDelegate::PaddedCellDelegate;

protected:
    void paintBackground(QPainter *painter, const QStyleOptionViewItem &option,
                         const QModelIndex &index) const override;
};

} // namespace bourse::ui

#pragma once

#include <QStyledItemDelegate>

namespace bourse::ui {

// Paints a sparkline from the closes of MarketWatchModel::SparklineRole, as a line scaled to the
// cell between the lowest and highest close. The line has the buy colour when the last close is
// above the first, the sell colour when below and the muted text colour when equal. Fewer than
// two closes leave the cell empty.
class SparklineDelegate : public QStyledItemDelegate {
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace bourse::ui

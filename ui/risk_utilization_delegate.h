#pragma once

#include <QStyledItemDelegate>

namespace bourse::ui {

// Paints the utilization of a limit as a bar with its percentage to the right: in the normal
// colour below 80%, the warning colour from 80% and the breach colour from 100%, with a mark at
// 80% on the track. It reads RiskLimitsModel::UtilizationRole. A cell without it is painted as
// plain text.
class RiskUtilizationDelegate : public QStyledItemDelegate {
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    // The rectangle of the track of a cell in `cell`, which the bar fills from the left, for a
    // cell drawn with `option`'s font.
    static QRect trackRect(const QStyleOptionViewItem &option, const QRect &cell);
};

} // namespace bourse::ui

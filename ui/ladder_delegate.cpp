#include "ladder_delegate.h"

#include "ladder_model.h"
#include "theme.h"

#include <QPainter>

#include <algorithm>
#include <cmath>

namespace bourse::ui {

namespace {

constexpr int cellPadding = 6; // pixels on each side of the text

} // namespace

void PaddedCellDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                               const QModelIndex &index) const
{
    paintBackground(painter, option, index);

    QStyleOptionViewItem inset = option;
    inset.rect.adjust(cellPadding, 0, -cellPadding, 0);
    QStyledItemDelegate::paint(painter, inset, index);
}

QSize PaddedCellDelegate::sizeHint(const QStyleOptionViewItem &option,
                                   const QModelIndex &index) const
{
    return QStyledItemDelegate::sizeHint(option, index) + QSize(2 * cellPadding, 0);
}

void PaddedCellDelegate::initStyleOption(QStyleOptionViewItem *option,
                                         const QModelIndex &index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    // paintBackground() has filled the whole cell already. The base class would fill only the
    // inset rectangle and cover what was drawn there.
    option->backgroundBrush = Qt::NoBrush;
}

void PaddedCellDelegate::paintBackground(QPainter *painter, const QStyleOptionViewItem &option,
                                         const QModelIndex &index) const
{
    if (option.state & QStyle::State_Selected) {
        painter->fillRect(option.rect, option.palette.highlight());
        return;
    }
    const QVariant background = index.data(Qt::BackgroundRole);
    if (background.canConvert<QColor>())
        painter->fillRect(option.rect, background.value<QColor>());
}

void LadderDelegate::paintBackground(QPainter *painter, const QStyleOptionViewItem &option,
                                     const QModelIndex &index) const
{
    // The bar goes over the best-level tint, so it shows on the best rows too.
    PaddedCellDelegate::paintBackground(painter, option, index);

    // The selection covers the background, but a warning must show on the selected row too.
    const bool selected = option.state & QStyle::State_Selected;
    if (selected && index.data(LadderModel::WarningRole).toBool())
        painter->fillRect(option.rect, index.data(Qt::BackgroundRole).value<QColor>());

    if (index.data(LadderModel::LastTradeRole).toBool()) {
        painter->save();
        painter->setPen(theme::textColor());
        painter->drawRect(option.rect.adjusted(1, 1, -2, -2));
        painter->restore();
    }

    const QVariant fraction = index.data(LadderModel::DepthFractionRole);
    if (!fraction.isValid())
        return;

    const double share = std::clamp(fraction.toDouble(), 0.0, 1.0);
    const int width = static_cast<int>(std::lround(share * option.rect.width()));
    QRect bar = option.rect.adjusted(0, 2, 0, -2);
    QColor color;
    switch (index.column()) {
    case LadderModel::BidSizeColumn:
        bar.setLeft(bar.right() - width + 1);
        color = theme::buyColor();
        break;
    case LadderModel::AskSizeColumn:
        bar.setWidth(width);
        color = theme::sellColor();
        break;
    default:
        bar.setLeft(bar.right() - width + 1);
        color = theme::mutedTextColor();
        break;
    }
    color.setAlpha(56);
    painter->fillRect(bar, color);
}

} // namespace bourse::ui

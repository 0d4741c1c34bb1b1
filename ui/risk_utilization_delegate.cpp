#include "risk_utilization_delegate.h"

#include "risk_colors.h"
#include "risk_limits_model.h"
#include "risk_terms.h"
#include "theme.h"

#include <QPainter>

#include <algorithm>

namespace bourse::ui {

namespace {

constexpr int cellPadding = 6; // pixels between the cell's edges and what it draws
constexpr int barHeight = 10;

// The width of the widest percentage a use below 1000% has, so the text column lines up.
int textWidth(const QFontMetrics &metrics)
{
    return metrics.horizontalAdvance(QStringLiteral("100.00%")) + cellPadding;
}

} // namespace

QRect RiskUtilizationDelegate::trackRect(const QStyleOptionViewItem &option, const QRect &cell)
{
    const QRect inner = cell.adjusted(cellPadding, 0, -cellPadding, 0);
    QRect track = inner.adjusted(0, 0, -textWidth(option.fontMetrics), 0);
    const int height = std::min(barHeight, std::max(inner.height() - 4, 2));
    track.setTop(inner.top() + (inner.height() - height) / 2);
    track.setHeight(height);
    return track;
}

void RiskUtilizationDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                                    const QModelIndex &index) const
{
    const QVariant utilization = index.data(RiskLimitsModel::UtilizationRole);
    if (!utilization.isValid()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }

    painter->save();
    if (option.state & QStyle::State_Selected)
        painter->fillRect(option.rect, option.palette.highlight());

    const std::int64_t basisPoints = utilization.value<qint64>();
    const RiskAlertLevel level = riskLevelOf(basisPoints);
    const QRect track = trackRect(option, option.rect);
    painter->fillRect(track, theme::gridColor());

    // The bar stops at the track's end for a use above 100%, and the text shows by how much.
    const double share = std::clamp(static_cast<double>(basisPoints) / 10'000.0, 0.0, 1.0);
    QRect bar = track;
    bar.setWidth(static_cast<int>(share * track.width() + 0.5));
    if (bar.width() > 0)
        painter->fillRect(bar, riskLevelColor(level));

    const int warningX = track.left() + static_cast<int>(0.8 * track.width() + 0.5);
    painter->setPen(theme::mutedTextColor());
    painter->drawLine(warningX, track.top() - 2, warningX, track.bottom() + 2);

    const QRect text = option.rect.adjusted(cellPadding, 0, -cellPadding, 0);
    painter->setFont(option.font);
    const QColor normalText = option.palette.color(
        (option.state & QStyle::State_Selected) ? QPalette::HighlightedText : QPalette::Text);
    painter->setPen(level == RiskAlertLevel::Normal ? normalText : riskLevelColor(level));
    painter->drawText(text, Qt::AlignRight | Qt::AlignVCenter, utilizationText(basisPoints));
    painter->restore();
}

QSize RiskUtilizationDelegate::sizeHint(const QStyleOptionViewItem &option,
                                        const QModelIndex &index) const
{
    const QSize text = QStyledItemDelegate::sizeHint(option, index);
    const int width = textWidth(option.fontMetrics) + 2 * cellPadding + 80;
    return {std::max(text.width(), width), text.height()};
}

} // namespace bourse::ui

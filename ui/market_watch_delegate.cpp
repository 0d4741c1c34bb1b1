#include "market_watch_delegate.h"

#include "market_watch_model.h"
#include "theme.h"

#include <QApplication>
#include <QPainter>
#include <QPolygonF>

#include <algorithm>

namespace bourse::ui {

namespace {

constexpr int kHorizontalMargin = 4;
constexpr int kVerticalMargin = 3;
constexpr int kPreferredWidth = 90;

QColor trendColour(qint64 first, qint64 last)
{
    if (last > first)
        return theme::buyColor();
    if (last < first)
        return theme::sellColor();
    return theme::mutedTextColor();
}

QPolygonF sparklinePoints(const QList<qint64> &closes, const QRectF &area)
{
    const auto [lowest, highest] = std::minmax_element(closes.begin(), closes.end());
    const double range = static_cast<double>(*highest - *lowest);
    const double step = area.width() / static_cast<double>(closes.size() - 1);

    QPolygonF points;
    points.reserve(closes.size());
    for (qsizetype i = 0; i < closes.size(); ++i) {
        // A flat line sits in the middle of the cell.
        const double fraction = range > 0 ? static_cast<double>(closes[i] - *lowest) / range : 0.5;
        points.append(QPointF(area.left() + step * static_cast<double>(i),
                              area.bottom() - fraction * area.height()));
    }
    return points;
}

} // namespace

void SparklineDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                              const QModelIndex &index) const
{
    // The style draws the background, the selection and the focus frame, but no text.
    QStyleOptionViewItem cell = option;
    initStyleOption(&cell, index);
    cell.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &cell, painter, widget);

    const auto closes = index.data(MarketWatchModel::SparklineRole).value<QList<qint64>>();
    const QRectF area =
        QRectF(option.rect)
            .adjusted(kHorizontalMargin, kVerticalMargin, -kHorizontalMargin, -kVerticalMargin);
    if (closes.size() < 2 || area.width() <= 0 || area.height() <= 0)
        return;

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(QPen(trendColour(closes.front(), closes.back()), 1.5));
    painter->drawPolyline(sparklinePoints(closes, area));
    painter->restore();
}

QSize SparklineDelegate::sizeHint(const QStyleOptionViewItem &option,
                                  const QModelIndex &index) const
{
    const QSize base = QStyledItemDelegate::sizeHint(option, index);
    return {std::max(base.width(), kPreferredWidth), base.height()};
}

} // namespace bourse::ui

#include "time_and_sales_filter.h"

#include "time_and_sales_model.h"

namespace bourse::ui {

TimeAndSalesFilter::TimeAndSalesFilter(QObject *parent)
    : QSortFilterProxyModel(parent)
{
}

void TimeAndSalesFilter::setMinimumQuantity(Quantity quantity)
{
    if (quantity == m_minimumQuantity)
        return;

    m_minimumQuantity = quantity;
    invalidateFilter();
}

bool TimeAndSalesFilter::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_minimumQuantity.value() <= 0)
        return true;

    const QModelIndex size =
        sourceModel()->index(sourceRow, TimeAndSalesModel::SizeColumn, sourceParent);
    const qint64 lots = size.data(TimeAndSalesModel::QuantityRole).toLongLong();
    return lots >= m_minimumQuantity.value();
}

} // namespace bourse::ui

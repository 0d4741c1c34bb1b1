#pragma once

#include "types.h"

#include <QSortFilterProxyModel>

namespace bourse::ui {

// Shows the prints of a TimeAndSalesModel whose size is at or above a minimum, so a trader can
// watch the large prints only. The order of the tape is kept: the proxy never sorts.
class TimeAndSalesFilter : public QSortFilterProxyModel {
    Q_OBJECT

public:
    explicit TimeAndSalesFilter(QObject *parent = nullptr);

    // The smallest size shown, in lots. Zero or less shows every print.
    Quantity minimumQuantity() const { return m_minimumQuantity; }
    void setMinimumQuantity(Quantity quantity);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    Quantity m_minimumQuantity{0};
};

} // namespace bourse::ui

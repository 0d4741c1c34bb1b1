#include "table_columns.h"

#include <QAbstractItemModel>
#include <QHeaderView>
#include <QTableView>

#include <memory>

namespace bourse::ui {

void fitColumnsWhenFilled(QTableView *table, HeaderFit headerFit)
{
    if (headerFit == HeaderFit::Now)
        table->horizontalHeader()->resizeSections(QHeaderView::ResizeToContents);

    QAbstractItemModel *model = table->model();
    auto empty = std::make_shared<bool>(model->rowCount() == 0);
    const auto update = [table, model, empty] {
        const bool nowEmpty = model->rowCount() == 0;
        if (*empty && !nowEmpty)
            table->resizeColumnsToContents();
        *empty = nowEmpty;
    };
    QObject::connect(model, &QAbstractItemModel::rowsInserted, table, update);
    QObject::connect(model, &QAbstractItemModel::rowsRemoved, table, update);
    QObject::connect(model, &QAbstractItemModel::modelReset, table, update);
}

} // namespace bourse::ui

#pragma once

#include "accounts_view.h"

#include <QAbstractTableModel>
#include <QStringList>

#include <optional>
#include <vector>

namespace bourse::ui {

// One table of the accounts panel: working orders, finished orders, fills or positions, read
// from an AccountsView. Each view replaces the rows. The tables are short (the read models
// return at most a few hundred rows each), so a reset costs less than working out the changes.
class AccountsModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum class Table { WorkingOrders, FinishedOrders, Fills, Positions };

    // One shown row: its cells as text, and what colours it.
    struct Row {
        QStringList cells;
        std::optional<Side> side; // colours the cell at sideColumn
        int sideColumn = -1;
        bool negative = false; // a realized loss, in the sell colour
    };

    explicit AccountsModel(Table table, QObject *parent = nullptr);

    // Shows the view's rows for this model's table. A view with the same asOf as the shown
    // one changes nothing.
    void applyView(const AccountsView &view);
    void clear();

    Table table() const { return m_table; }
    SequenceNumber asOf() const { return m_asOf; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

private:
    std::vector<Row> rowsOf(const AccountsView &view) const;

    Table m_table;
    QStringList m_headers;
    std::vector<int> m_rightAligned; // columns of numbers
    std::vector<Row> m_rows;
    SequenceNumber m_asOf = 0;
    bool m_shown = false;
};

} // namespace bourse::ui

#pragma once

#include "market_view.h"

#include <QAbstractTableModel>
#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace bourse::ui {

// One limit of an account as the dashboard shows it.
struct RiskLimitRow {
    RiskRule rule = RiskRule::None;
    LimitScope scope = LimitScope::None;
    InstrumentId instrument; // zero for an account-wide limit
    QString symbol;          // empty for an account-wide limit
    QString use;             // in the rule's unit, empty for a limit on each order
    QString limit;           // in the rule's unit
    // Use against limit in basis points, rounded down. Nothing for a limit on each order, which
    // has no standing use.
    std::optional<std::int64_t> basisPoints;

    friend bool operator==(const RiskLimitRow &, const RiskLimitRow &) = default;
};

// The rows for an account: every limit of its RiskMonitor, which are the limits with a
// standing use (positions, open orders, order rate, daily loss, buying power), then the
// account's limits on each order (size, notional, price band) from TraderView::limits. Sorted
// with the account-wide limits first, then by instrument id.
std::vector<RiskLimitRow> riskLimitRows(const MarketView &view, AccountId account);

// The limits of the selected account with their use. Each view updates the rows in place, and
// inserts or removes only the rows of limits that appeared or went, so selection and scroll
// position survive a view.
class RiskLimitsModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        RuleColumn,
        ScopeColumn,
        InstrumentColumn,
        UseColumn,
        LimitColumn,
        UtilizationColumn,
        ColumnCount
    };
    enum Role {
        // The use in basis points (qint64), invalid for a limit on each order.
        UtilizationRole = Qt::UserRole + 1,
        // The RiskAlertLevel of the use, as an int, invalid for a limit on each order.
        LevelRole,
    };

    explicit RiskLimitsModel(QObject *parent = nullptr);

    void setRows(std::vector<RiskLimitRow> rows);
    void clear();

    const RiskLimitRow &row(int row) const { return m_rows.at(static_cast<std::size_t>(row)); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

private:
    QVariant displayData(const RiskLimitRow &row, int column) const;

    std::vector<RiskLimitRow> m_rows;
};

} // namespace bourse::ui

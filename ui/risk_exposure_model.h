#pragma once

#include "market_view.h"

#include <QAbstractTableModel>
#include <QString>

#include <vector>

namespace bourse::ui {

// An account's exposure in one instrument, formatted in the instrument's and the account's
// decimals.
struct RiskExposureRow {
    InstrumentId instrument;
    QString symbol;
    QString position;
    QString mark;
    QString exposure;
    int sign = 0; // of the position: 1 long, -1 short

    friend bool operator==(const RiskExposureRow &, const RiskExposureRow &) = default;
};

// The rows of an account's RiskMonitor::exposures, by instrument id.
std::vector<RiskExposureRow> riskExposureRows(const MarketView &view, AccountId account);

// The exposure of the selected account per instrument: its position valued at the mark. Each
// view updates the rows in place and inserts or removes only the instruments that opened or
// closed a position.
class RiskExposureModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { InstrumentColumn, PositionColumn, MarkColumn, ExposureColumn, ColumnCount };

    explicit RiskExposureModel(QObject *parent = nullptr);

    void setRows(std::vector<RiskExposureRow> rows);
    void clear();

    const RiskExposureRow &row(int row) const { return m_rows.at(static_cast<std::size_t>(row)); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

private:
    std::vector<RiskExposureRow> m_rows;
};

} // namespace bourse::ui

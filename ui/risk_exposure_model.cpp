#include "risk_exposure_model.h"

#include "formatting.h"
#include "risk_rows.h"
#include "risk_terms.h"
#include "theme.h"

#include <algorithm>

namespace bourse::ui {

namespace {

bool exposureRowLess(const RiskExposureRow &a, const RiskExposureRow &b)
{
    return a.instrument < b.instrument;
}

} // namespace

std::vector<RiskExposureRow> riskExposureRows(const MarketView &view, AccountId account)
{
    std::vector<RiskExposureRow> rows;
    const RiskMonitor *monitor = findMonitor(view.trader, account);
    if (!monitor)
        return rows;

    const int moneyDecimals = moneyDecimalsOf(view.trader, account);
    rows.reserve(monitor->exposures.size());
    for (const InstrumentExposure &exposure : monitor->exposures) {
        const InstrumentQuote *quote = findQuote(view, exposure.instrument);
        const int quantityDecimals = quote ? quote->quantityDecimals : 0;
        const int priceDecimals = quote ? quote->priceDecimals : 0;
        RiskExposureRow row;
        row.instrument = exposure.instrument;
        row.symbol = symbolOf(view, exposure.instrument);
        row.position = formatQuantity(exposure.position, quantityDecimals);
        row.mark = formatPrice(exposure.mark, priceDecimals);
        row.exposure = formatMoney(exposure.exposure, moneyDecimals);
        row.sign = exposure.position.value() > 0 ? 1 : exposure.position.value() < 0 ? -1 : 0;
        rows.push_back(std::move(row));
    }
    std::sort(rows.begin(), rows.end(), exposureRowLess);
    return rows;
}

RiskExposureModel::RiskExposureModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void RiskExposureModel::setRows(std::vector<RiskExposureRow> rows)
{
    const RowEdits edits{
        [this](int row) { beginInsertRows({}, row, row); },
        [this] { endInsertRows(); },
        [this](int row) { beginRemoveRows({}, row, row); },
        [this] { endRemoveRows(); },
        [this](int row) { emit dataChanged(index(row, 0), index(row, ColumnCount - 1)); },
    };
    mergeSortedRows(m_rows, std::move(rows), exposureRowLess, edits);
}

void RiskExposureModel::clear()
{
    setRows({});
}

int RiskExposureModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int RiskExposureModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RiskExposureModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};

    const RiskExposureRow &exposure = row(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        switch (index.column()) {
        case InstrumentColumn:
            return exposure.symbol;
        case PositionColumn:
            return exposure.position;
        case MarkColumn:
            return exposure.mark;
        case ExposureColumn:
            return exposure.exposure;
        default:
            return {};
        }
    case Qt::TextAlignmentRole:
        if (index.column() == InstrumentColumn)
            return (Qt::AlignLeft | Qt::AlignVCenter).toInt();
        return (Qt::AlignRight | Qt::AlignVCenter).toInt();
    case Qt::ForegroundRole:
        if (index.column() == PositionColumn || index.column() == ExposureColumn) {
            if (exposure.sign > 0)
                return theme::buyColor();
            if (exposure.sign < 0)
                return theme::sellColor();
        }
        return {};
    default:
        return {};
    }
}

QVariant RiskExposureModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::TextAlignmentRole) {
        if (section == InstrumentColumn)
            return (Qt::AlignLeft | Qt::AlignVCenter).toInt();
        return (Qt::AlignRight | Qt::AlignVCenter).toInt();
    }
    if (role != Qt::DisplayRole)
        return {};

    switch (section) {
    case InstrumentColumn:
        return tr("Instrument");
    case PositionColumn:
        return tr("Position");
    case MarkColumn:
        return tr("Mark");
    case ExposureColumn:
        return tr("Exposure");
    default:
        return {};
    }
}

Qt::ItemFlags RiskExposureModel::flags(const QModelIndex &index) const
{
    return index.isValid() ? Qt::ItemIsEnabled | Qt::ItemIsSelectable : Qt::NoItemFlags;
}

} // namespace bourse::ui

#include "time_and_sales_model.h"

#include "formatting.h"
#include "theme.h"

#include <algorithm>

namespace bourse::ui {

TimeAndSalesModel::TimeAndSalesModel(std::size_t maxRows, QObject *parent)
    : QAbstractTableModel(parent)
    , m_maxRows(std::max<std::size_t>(maxRows, 1))
{
}

void TimeAndSalesModel::applyView(const MarketView &view)
{
    if (view.lastSequence < m_lastViewSequence)
        clear();
    m_lastViewSequence = view.lastSequence;
    setPriceDecimals(view.priceDecimals);

    const std::vector<TradePrint> &trades = view.recentTrades;
    const auto firstNew = std::find_if(trades.begin(), trades.end(), [this](const TradePrint &t) {
        return t.sequence > m_lastTradeSequence;
    });
    m_receivedTrades += static_cast<std::uint64_t>(trades.end() - firstNew);
    m_missedTrades = view.totalTrades > m_receivedTrades ? view.totalTrades - m_receivedTrades : 0;
    if (firstNew == trades.end())
        return;

    insertNewest(trades, static_cast<std::size_t>(firstNew - trades.begin()));
    trimToMaxRows();
}

void TimeAndSalesModel::insertNewest(const std::vector<TradePrint> &trades, std::size_t first)
{
    // Prints that would be trimmed right away are never inserted.
    const std::size_t available = trades.size() - first;
    const std::size_t count = std::min(available, m_maxRows);
    const std::size_t start = trades.size() - count;

    beginInsertRows({}, 0, static_cast<int>(count) - 1);
    for (std::size_t i = start; i < trades.size(); ++i)
        m_prints.push_front(trades[i]);
    endInsertRows();

    m_lastTradeSequence = trades.back().sequence;
}

void TimeAndSalesModel::trimToMaxRows()
{
    if (m_prints.size() <= m_maxRows)
        return;

    beginRemoveRows({}, static_cast<int>(m_maxRows), static_cast<int>(m_prints.size()) - 1);
    m_prints.resize(m_maxRows);
    endRemoveRows();
}

void TimeAndSalesModel::setPriceDecimals(int decimals)
{
    if (decimals == m_priceDecimals)
        return;

    m_priceDecimals = decimals;
    if (!m_prints.empty())
        emit dataChanged(index(0, PriceColumn), index(rowCount() - 1, PriceColumn));
}

void TimeAndSalesModel::clear()
{
    beginResetModel();
    m_prints.clear();
    m_lastTradeSequence = 0;
    m_lastViewSequence = 0;
    m_receivedTrades = 0;
    m_missedTrades = 0;
    endResetModel();
}

const TradePrint &TimeAndSalesModel::print(int row) const
{
    return m_prints.at(static_cast<std::size_t>(row));
}

int TimeAndSalesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_prints.size());
}

int TimeAndSalesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TimeAndSalesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};

    const TradePrint &trade = print(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return displayData(trade, index.column());
    case Qt::TextAlignmentRole:
        if (index.column() == SideColumn)
            return (Qt::AlignLeft | Qt::AlignVCenter).toInt();
        return (Qt::AlignRight | Qt::AlignVCenter).toInt();
    case Qt::ForegroundRole:
        if (index.column() == TimeColumn)
            return theme::mutedTextColor();
        return trade.aggressor == Side::Buy ? theme::buyColor() : theme::sellColor();
    default:
        return {};
    }
}

QVariant TimeAndSalesModel::displayData(const TradePrint &trade, int column) const
{
    switch (column) {
    case TimeColumn:
        return formatTimeOfDay(trade.time, TimePrecision::Milliseconds);
    case PriceColumn:
        return formatPrice(trade.price, m_priceDecimals);
    case SizeColumn:
        return formatQuantity(trade.quantity);
    case SideColumn:
        return trade.aggressor == Side::Buy ? tr("Buy") : tr("Sell");
    default:
        return {};
    }
}

QVariant TimeAndSalesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::TextAlignmentRole) {
        if (section == SideColumn)
            return (Qt::AlignLeft | Qt::AlignVCenter).toInt();
        return (Qt::AlignRight | Qt::AlignVCenter).toInt();
    }
    if (role != Qt::DisplayRole)
        return {};

    switch (section) {
    case TimeColumn:
        return tr("Time");
    case PriceColumn:
        return tr("Price");
    case SizeColumn:
        return tr("Size");
    case SideColumn:
        return tr("Side");
    default:
        return {};
    }
}

Qt::ItemFlags TimeAndSalesModel::flags(const QModelIndex &index) const
{
    return index.isValid() ? Qt::ItemIsEnabled | Qt::ItemIsSelectable : Qt::NoItemFlags;
}

} // namespace bourse::ui

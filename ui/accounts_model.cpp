#include "accounts_model.h"

#include "formatting.h"
#include "theme.h"

#include <algorithm>

namespace bourse::ui {

namespace {

// GCC and Clang provide 128-bit integers as an extension; __extension__ keeps -Wpedantic quiet.
__extension__ using Wide = __int128;

QString sideText(Side side)
{
    return side == Side::Buy ? QStringLiteral("Buy") : QStringLiteral("Sell");
}

QString optionalPrice(const std::optional<Price> &price, int decimals)
{
    return price ? formatPrice(*price, decimals) : QString();
}

QString orderIdText(OrderId id)
{
    return QString::number(id.value());
}

// The average price of the open lots, with two more decimals than the instrument's prices,
// rounded half up in integer arithmetic: 10 lots at 1.00 and 20 at 1.01 show 1.0067. The
// cost and the quantity of a short position are both negative, so magnitudes are divided.
QString averagePrice(std::int64_t openCost, std::int64_t quantity, int decimals)
{
    if (quantity == 0)
        return QString();
    constexpr Wide extraDigits = 100;
    const Wide cost = openCost < 0 ? -static_cast<Wide>(openCost) : openCost;
    const Wide lots = quantity < 0 ? -static_cast<Wide>(quantity) : quantity;
    const auto average = static_cast<std::int64_t>((cost * extraDigits + lots / 2) / lots);
    return formatPrice(Price{average}, decimals + 2);
}

std::vector<AccountsModel::Row> orderRows(const std::vector<AccountOrder> &orders, int decimals,
                                          bool finished);

} // namespace

AccountsModel::AccountsModel(Table table, QObject *parent)
    : QAbstractTableModel(parent)
    , m_table(table)
{
    switch (table) {
    case Table::WorkingOrders:
        m_headers = {tr("Time"), tr("Order"),  tr("Account"), tr("Side"),
                     tr("Type"), tr("TIF"),    tr("Price"),   tr("Stop"),
                     tr("Qty"),  tr("Filled"), tr("Open"),    tr("State")};
        m_rightAligned = {1, 2, 6, 7, 8, 9, 10};
        break;
    case Table::FinishedOrders:
        m_headers = {tr("Time"), tr("Order"),  tr("Account"), tr("Side"),
                     tr("Type"), tr("TIF"),    tr("Price"),   tr("Stop"),
                     tr("Qty"),  tr("Filled"), tr("State"),   tr("Reason")};
        m_rightAligned = {1, 2, 6, 7, 8, 9};
        break;
    case Table::Fills:
        m_headers = {tr("Time"), tr("Trade"), tr("Order"), tr("Account"),
                     tr("Side"), tr("Price"), tr("Qty"),   tr("Liquidity")};
        m_rightAligned = {1, 2, 3, 5, 6};
        break;
    case Table::Positions:
        m_headers = {tr("Account"),   tr("Instrument"),   tr("Position"),
                     tr("Avg price"), tr("Realized P&L"), tr("Trades")};
        m_rightAligned = {0, 1, 2, 3, 4, 5};
        break;
    }
}

void AccountsModel::applyView(const AccountsView &view)
{
    if (m_shown && view.asOf == m_asOf)
        return;
    beginResetModel();
    m_rows = rowsOf(view);
    m_asOf = view.asOf;
    m_shown = true;
    endResetModel();
}

void AccountsModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_asOf = 0;
    m_shown = false;
    endResetModel();
}

std::vector<AccountsModel::Row> AccountsModel::rowsOf(const AccountsView &view) const
{
    const int decimals = view.priceDecimals;
    std::vector<Row> rows;
    switch (m_table) {
    case Table::WorkingOrders:
        return orderRows(view.workingOrders, decimals, false);
    case Table::FinishedOrders:
        return orderRows(view.finishedOrders, decimals, true);
    case Table::Fills:
        rows.reserve(view.fills.size());
        for (const AccountFill &fill : view.fills) {
            Row row;
            row.cells = {formatTimeOfDay(fill.time, TimePrecision::Milliseconds),
                         QString::number(fill.tradeSequence),
                         orderIdText(fill.order),
                         QString::number(fill.account.value()),
                         sideText(fill.side),
                         formatPrice(fill.price, decimals),
                         formatQuantity(fill.quantity),
                         fill.maker ? tr("maker") : tr("taker")};
            row.side = fill.side;
            row.sideColumn = 4;
            rows.push_back(std::move(row));
        }
        return rows;
    case Table::Positions:
        rows.reserve(view.positions.size());
        for (const AccountPosition &position : view.positions) {
            Row row;
            row.cells = {QString::number(position.account.value()),
                         QString::number(position.instrument.value()),
                         formatCount(position.quantity),
                         averagePrice(position.openCost, position.quantity, decimals),
                         formatPrice(Price{position.realizedPnl}, decimals),
                         formatCount(static_cast<std::int64_t>(position.tradeCount))};
            row.negative = position.realizedPnl < 0;
            rows.push_back(std::move(row));
        }
        return rows;
    }
    return rows;
}

namespace {

std::vector<AccountsModel::Row> orderRows(const std::vector<AccountOrder> &orders, int decimals,
                                          bool finished)
{
    std::vector<AccountsModel::Row> rows;
    rows.reserve(orders.size());
    for (const AccountOrder &order : orders) {
        AccountsModel::Row row;
        row.cells = {formatTimeOfDay(order.time, TimePrecision::Milliseconds),
                     orderIdText(order.order),
                     QString::number(order.account.value()),
                     sideText(order.side),
                     QString::fromStdString(order.type),
                     QString::fromStdString(order.timeInForce),
                     optionalPrice(order.limitPrice, decimals),
                     optionalPrice(order.stopPrice, decimals),
                     formatQuantity(order.quantity),
                     formatQuantity(order.filled)};
        if (finished) {
            row.cells << QString::fromStdString(order.state)
                      << QString::fromStdString(order.reason);
        } else {
            row.cells << formatQuantity(order.remaining) << QString::fromStdString(order.state);
        }
        row.side = order.side;
        row.sideColumn = 3;
        rows.push_back(std::move(row));
    }
    return rows;
}

} // namespace

int AccountsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int AccountsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_headers.size());
}

QVariant AccountsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount())
        return {};
    const Row &row = m_rows[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return row.cells.value(index.column());
    case Qt::TextAlignmentRole: {
        const bool right = std::find(m_rightAligned.begin(), m_rightAligned.end(),
                                     index.column()) != m_rightAligned.end();
        return QVariant::fromValue(Qt::AlignVCenter | (right ? Qt::AlignRight : Qt::AlignLeft));
    }
    case Qt::ForegroundRole:
        if (row.side && index.column() == row.sideColumn)
            return *row.side == Side::Buy ? theme::buyColor() : theme::sellColor();
        if (row.negative)
            return theme::sellColor();
        return {};
    default:
        return {};
    }
}

QVariant AccountsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return {};
    if (role == Qt::DisplayRole)
        return m_headers.value(section);
    if (role == Qt::TextAlignmentRole) {
        const bool right = std::find(m_rightAligned.begin(), m_rightAligned.end(), section) !=
                           m_rightAligned.end();
        return QVariant::fromValue(Qt::AlignVCenter | (right ? Qt::AlignRight : Qt::AlignLeft));
    }
    return {};
}

Qt::ItemFlags AccountsModel::flags(const QModelIndex &index) const
{
    return index.isValid() ? Qt::ItemIsEnabled | Qt::ItemIsSelectable : Qt::NoItemFlags;
}

} // namespace bourse::ui

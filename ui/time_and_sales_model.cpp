#include "time_and_sales_model.h"

#include "formatting.h"
#include "theme.h"

#include <algorithm>

namespace bourse::ui {

namespace {

// The opacity of the aggressor's colour behind a row: enough to tell buys from sells at a
// glance, little enough to keep the text readable.
constexpr int kRowTintAlpha = 40;

// The trades of the focus since the run began. The view's own total counts every instrument,
// so the tape would count the other instruments' trades as missed.
std::uint64_t focusTradeCount(const MarketView &view)
{
    for (const InstrumentQuote &quote : view.instruments) {
        if (quote.instrument == view.instrument)
            return quote.tradeCount;
    }
    return view.totalTrades;
}

} // namespace

TimeAndSalesModel::TimeAndSalesModel(std::size_t maxRows, QObject *parent)
    : QAbstractTableModel(parent)
    , m_maxRows(std::max<std::size_t>(maxRows, 1))
{
}

void TimeAndSalesModel::applyView(const MarketView &view)
{
    const bool newSession = view.lastSequence < m_lastViewSequence;
    const bool newFocus = !newSession && m_instrument && *m_instrument != view.instrument;
    if (newSession || newFocus)
        reset();
    // The trades before the first view of a new focus, or after clear(), were never the tape's
    // to show.
    const bool tapeStarts = newFocus || m_startsAtNextView;
    m_startsAtNextView = false;
    m_instrument = view.instrument;
    m_lastViewSequence = view.lastSequence;
    setDecimals(view.priceDecimals, view.quantityDecimals);

    const std::vector<TradePrint> &trades = view.recentTrades;
    const auto firstNew = std::find_if(trades.begin(), trades.end(), [this](const TradePrint &t) {
        return t.sequence > m_lastTradeSequence;
    });
    const auto newTrades = static_cast<std::uint64_t>(trades.end() - firstNew);
    const std::uint64_t totalTrades = focusTradeCount(view);
    if (tapeStarts)
        m_tradesBeforeTape = totalTrades > newTrades ? totalTrades - newTrades : 0;
    countTrades(totalTrades, newTrades);
    if (firstNew == trades.end())
        return;

    insertNewest(trades, static_cast<std::size_t>(firstNew - trades.begin()));
    trimToMaxRows();
}

void TimeAndSalesModel::countTrades(std::uint64_t totalTrades, std::uint64_t newTrades)
{
    m_receivedTrades += newTrades;
    const std::uint64_t accounted = m_tradesBeforeTape + m_receivedTrades;
    m_missedTrades = totalTrades > accounted ? totalTrades - accounted : 0;
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

void TimeAndSalesModel::setDecimals(int priceDecimals, int quantityDecimals)
{
    const bool pricesChange = priceDecimals != m_priceDecimals;
    const bool sizesChange = quantityDecimals != m_quantityDecimals;
    m_priceDecimals = priceDecimals;
    m_quantityDecimals = quantityDecimals;
    if (m_prints.empty())
        return;

    const int lastRow = rowCount() - 1;
    if (pricesChange)
        emit dataChanged(index(0, PriceColumn), index(lastRow, PriceColumn));
    if (sizesChange)
        emit dataChanged(index(0, SizeColumn), index(lastRow, SizeColumn));
}

void TimeAndSalesModel::clear()
{
    reset();
    m_startsAtNextView = true;
}

void TimeAndSalesModel::reset()
{
    beginResetModel();
    m_prints.clear();
    m_instrument.reset();
    m_lastTradeSequence = 0;
    m_lastViewSequence = 0;
    m_tradesBeforeTape = 0;
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
    const QColor aggressorColour =
        trade.aggressor == Side::Buy ? theme::buyColor() : theme::sellColor();
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
        return aggressorColour;
    case Qt::BackgroundRole: {
        QColor tint = aggressorColour;
        tint.setAlpha(kRowTintAlpha);
        return tint;
    }
    case QuantityRole:
        return static_cast<qint64>(trade.quantity.value());
    case AggressorRole:
        return static_cast<int>(trade.aggressor);
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
        return formatQuantity(trade.quantity, m_quantityDecimals);
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
    if (role == Qt::ToolTipRole)
        return headerToolTip(section);
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

QVariant TimeAndSalesModel::headerToolTip(int section) const
{
    switch (section) {
    case TimeColumn:
        return tr("Time of the trade, to the millisecond");
    case PriceColumn:
        return tr("Trade price");
    case SizeColumn:
        return tr("Traded quantity");
    case SideColumn:
        return tr("Aggressor: the side of the incoming order that took liquidity");
    default:
        return {};
    }
}

Qt::ItemFlags TimeAndSalesModel::flags(const QModelIndex &index) const
{
    return index.isValid() ? Qt::ItemIsEnabled | Qt::ItemIsSelectable : Qt::NoItemFlags;
}

} // namespace bourse::ui

#include "market_watch_model.h"

#include "formatting.h"
#include "theme.h"

#include <QFont>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <unordered_set>

namespace bourse::ui {

namespace {

bool hasTraded(const InstrumentQuote &quote)
{
    // The contract of InstrumentQuote: `last` is zero until the first trade.
    return quote.last.value() != 0;
}

bool hasChange(const InstrumentQuote &quote)
{
    return hasTraded(quote) && quote.openPrice.value() != 0;
}

std::int64_t changeTicks(const InstrumentQuote &quote)
{
    return quote.last.value() - quote.openPrice.value();
}

int direction(const InstrumentQuote &quote)
{
    if (!hasChange(quote))
        return 0;
    const std::int64_t change = changeTicks(quote);
    return change > 0 ? 1 : (change < 0 ? -1 : 0);
}

// The change in hundredths of a percent of the opening price, rounded half away from zero.
// A ratio for display, so floating point is fine here: the quotient is rounded correctly, and
// exact whenever the hand computation ends in a half.
std::int64_t changeBasisPoints(const InstrumentQuote &quote)
{
    const double open = std::abs(static_cast<double>(quote.openPrice.value()));
    return std::llround(static_cast<double>(changeTicks(quote)) * 10'000.0 / open);
}

QString signPrefix(std::int64_t value)
{
    return value > 0 ? QStringLiteral("+") : QString();
}

// Scales ticks or lots to units for sorting only: rows of instruments with different decimals
// then compare by what they show.
double scaled(std::int64_t value, int decimals)
{
    return static_cast<double>(value) / std::pow(10.0, std::clamp(decimals, 0, 18));
}

// Sorts an empty cell (no trade, an empty side) below every number.
QVariant sortablePrice(Price price, int decimals)
{
    if (price.value() == 0)
        return std::numeric_limits<double>::lowest();
    return scaled(price.value(), decimals);
}

QString priceOrBlank(Price price, int decimals)
{
    return price.value() == 0 ? QString() : formatPrice(price, decimals);
}

QString sizeOrBlank(Price sidePrice, Quantity size, int decimals)
{
    return sidePrice.value() == 0 ? QString() : formatQuantity(size, decimals);
}

bool isPriceColumn(int column)
{
    return column == MarketWatchModel::LastColumn || column == MarketWatchModel::BidColumn ||
           column == MarketWatchModel::AskColumn || column == MarketWatchModel::ChangeColumn;
}

bool isSizeColumn(int column)
{
    return column == MarketWatchModel::BidSizeColumn || column == MarketWatchModel::AskSizeColumn ||
           column == MarketWatchModel::VolumeColumn;
}

// Whether the text, colour or drawing of `column` differs between two quotes of one instrument.
bool cellDiffers(const InstrumentQuote &before, const InstrumentQuote &after, int column)
{
    if (isPriceColumn(column) && before.priceDecimals != after.priceDecimals)
        return true;
    if (isSizeColumn(column) && before.quantityDecimals != after.quantityDecimals)
        return true;

    switch (column) {
    case MarketWatchModel::SymbolColumn:
        return before.symbol != after.symbol;
    case MarketWatchModel::LastColumn:
        return before.last != after.last;
    case MarketWatchModel::ChangeColumn:
    case MarketWatchModel::ChangePercentColumn:
        return before.last != after.last || before.openPrice != after.openPrice;
    case MarketWatchModel::BidSizeColumn:
        return before.bidSize != after.bidSize || before.bestBid != after.bestBid;
    case MarketWatchModel::BidColumn:
        return before.bestBid != after.bestBid;
    case MarketWatchModel::AskColumn:
        return before.bestAsk != after.bestAsk;
    case MarketWatchModel::AskSizeColumn:
        return before.askSize != after.askSize || before.bestAsk != after.bestAsk;
    case MarketWatchModel::VolumeColumn:
        return before.volume != after.volume;
    case MarketWatchModel::TradesColumn:
        return before.tradeCount != after.tradeCount;
    case MarketWatchModel::StatusColumn:
        return before.status != after.status;
    case MarketWatchModel::SparklineColumn:
        return before.sparkline != after.sparkline;
    default:
        return false;
    }
}

InstrumentQuote boundedCopy(const InstrumentQuote &quote)
{
    InstrumentQuote copy = quote;
    const std::size_t limit = MarketWatchModel::kMaxSparklinePoints;
    if (copy.sparkline.size() > limit)
        copy.sparkline.erase(copy.sparkline.begin(),
                             copy.sparkline.end() - static_cast<std::ptrdiff_t>(limit));
    return copy;
}

} // namespace

QString formatChange(const InstrumentQuote &quote)
{
    if (!hasChange(quote))
        return {};
    const std::int64_t change = changeTicks(quote);
    return signPrefix(change) + formatPrice(Price{change}, quote.priceDecimals);
}

QString formatChangePercent(const InstrumentQuote &quote)
{
    if (!hasChange(quote))
        return {};
    const std::int64_t change = changeTicks(quote);
    const std::int64_t basisPoints = changeBasisPoints(quote);
    const QString sign =
        change > 0 ? QStringLiteral("+") : (change < 0 ? QStringLiteral("-") : QString());
    const std::int64_t magnitude = basisPoints < 0 ? -basisPoints : basisPoints;
    return QStringLiteral("%1%2.%3%")
        .arg(sign)
        .arg(magnitude / 100)
        .arg(magnitude % 100, 2, 10, QChar('0'));
}

QString tradingStatusText(TradingStatus status)
{
    switch (status) {
    case TradingStatus::Trading:
        return MarketWatchModel::tr("Open");
    case TradingStatus::Halted:
        return MarketWatchModel::tr("Halted");
    case TradingStatus::QuoteOnly:
        return MarketWatchModel::tr("Quotes only");
    case TradingStatus::PreOpen:
        return MarketWatchModel::tr("Pre-open");
    case TradingStatus::Closed:
        return MarketWatchModel::tr("Closed");
    }
    return MarketWatchModel::tr("Unknown");
}

MarketWatchModel::MarketWatchModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void MarketWatchModel::applyView(const MarketView &view)
{
    const std::vector<InstrumentQuote> &quotes = view.instruments;
    if (!sameInstruments(quotes)) {
        removeMissingRows(quotes);
        appendNewRows(quotes);
    }
    for (const InstrumentQuote &quote : quotes)
        updateRow(rowOf(quote.instrument), quote);
    // A replay is one instrument, whose book the replay may mark as not to be trusted. A remote
    // session marks its instruments one by one (setStaleInstruments()).
    static const std::string live;
    const std::string &stale = view.mode == SessionMode::Remote ? live : view.replayStale;
    if (stale.empty() != m_stale.empty() && rowCount() > 0) {
        m_stale = stale;
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    }
    m_stale = stale;
    setFocus(view.instrument);
}

void MarketWatchModel::setStaleInstruments(std::set<InstrumentId> instruments)
{
    if (instruments == m_staleInstruments)
        return;
    m_staleInstruments = std::move(instruments);
    if (rowCount() > 0)
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

bool MarketWatchModel::isStale(const InstrumentQuote &quote) const
{
    return !m_stale.empty() || m_staleInstruments.contains(quote.instrument);
}

bool MarketWatchModel::sameInstruments(const std::vector<InstrumentQuote> &quotes) const
{
    if (quotes.size() != m_rows.size())
        return false;
    for (std::size_t i = 0; i < quotes.size(); ++i) {
        if (quotes[i].instrument != m_rows[i].instrument)
            return false;
    }
    return true;
}

void MarketWatchModel::removeMissingRows(const std::vector<InstrumentQuote> &quotes)
{
    std::unordered_set<std::uint32_t> present;
    for (const InstrumentQuote &quote : quotes)
        present.insert(quote.instrument.value());

    // From the bottom, so the rows still to visit keep their numbers.
    for (int row = rowCount() - 1; row >= 0; --row) {
        if (present.count(m_rows[static_cast<std::size_t>(row)].instrument.value()) != 0)
            continue;
        beginRemoveRows({}, row, row);
        m_rows.erase(m_rows.begin() + row);
        endRemoveRows();
    }
    rebuildIndex();
}

void MarketWatchModel::appendNewRows(const std::vector<InstrumentQuote> &quotes)
{
    std::vector<const InstrumentQuote *> added;
    for (const InstrumentQuote &quote : quotes) {
        const bool known = m_rowOfInstrument.count(quote.instrument.value()) != 0;
        const bool repeated = std::any_of(added.begin(), added.end(), [&](const auto *other) {
            return other->instrument == quote.instrument;
        });
        if (!known && !repeated)
            added.push_back(&quote);
    }
    if (added.empty())
        return;

    const int first = rowCount();
    beginInsertRows({}, first, first + static_cast<int>(added.size()) - 1);
    for (const InstrumentQuote *quote : added)
        m_rows.push_back(boundedCopy(*quote));
    rebuildIndex();
    endInsertRows();
}

void MarketWatchModel::updateRow(int row, const InstrumentQuote &quote)
{
    InstrumentQuote next = boundedCopy(quote);
    InstrumentQuote &current = m_rows[static_cast<std::size_t>(row)];
    std::array<bool, ColumnCount> changed{};
    for (int column = 0; column < ColumnCount; ++column)
        changed[static_cast<std::size_t>(column)] = cellDiffers(current, next, column);
    current = std::move(next);

    // One dataChanged per run of adjacent changed cells, sent after the row has the new quote.
    int runStart = -1;
    for (int column = 0; column <= ColumnCount; ++column) {
        const bool isChanged = column < ColumnCount && changed[static_cast<std::size_t>(column)];
        if (isChanged && runStart < 0)
            runStart = column;
        if (!isChanged && runStart >= 0) {
            emit dataChanged(index(row, runStart), index(row, column - 1));
            runStart = -1;
        }
    }
}

void MarketWatchModel::setFocus(InstrumentId focus)
{
    if (focus == m_focus)
        return;

    const int before = rowOf(m_focus);
    m_focus = focus;
    const QList<int> roles{Qt::FontRole, Qt::BackgroundRole, FocusRole,
                           Qt::AccessibleDescriptionRole};
    if (before >= 0)
        emitRowChanged(before, roles);
    if (const int after = rowOf(m_focus); after >= 0)
        emitRowChanged(after, roles);
}

void MarketWatchModel::emitRowChanged(int row, const QList<int> &roles)
{
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1), roles);
}

void MarketWatchModel::rebuildIndex()
{
    m_rowOfInstrument.clear();
    for (std::size_t row = 0; row < m_rows.size(); ++row)
        m_rowOfInstrument.emplace(m_rows[row].instrument.value(), static_cast<int>(row));
}

void MarketWatchModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_rowOfInstrument.clear();
    m_focus = InstrumentId{};
    m_stale.clear();
    m_staleInstruments.clear();
    endResetModel();
}

int MarketWatchModel::rowOf(InstrumentId instrument) const
{
    const auto found = m_rowOfInstrument.find(instrument.value());
    return found == m_rowOfInstrument.end() ? -1 : found->second;
}

InstrumentId MarketWatchModel::instrumentAt(int row) const
{
    return quote(row).instrument;
}

const InstrumentQuote &MarketWatchModel::quote(int row) const
{
    return m_rows.at(static_cast<std::size_t>(row));
}

int MarketWatchModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int MarketWatchModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant MarketWatchModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};

    const InstrumentQuote &row = quote(index.row());
    const int column = index.column();
    const bool isFocus = row.instrument == m_focus;
    switch (role) {
    case Qt::DisplayRole:
        return displayData(row, column);
    case Qt::TextAlignmentRole:
        if (column == SymbolColumn || column == StatusColumn)
            return (Qt::AlignLeft | Qt::AlignVCenter).toInt();
        return (Qt::AlignRight | Qt::AlignVCenter).toInt();
    case Qt::ForegroundRole:
        // A stale row is greyed out, so that its last prices never pass for the market. The
        // status column shows Stale in the error colour.
        if (isStale(row) && column != StatusColumn)
            return theme::mutedTextColor();
        return foregroundData(row, column);
    case Qt::BackgroundRole:
        return isFocus ? QVariant(theme::gridColor()) : QVariant();
    case Qt::FontRole: {
        if (!isFocus && !isStale(row))
            return {};
        // Only the weight and slant are set, so the view's own font family still applies.
        QFont font;
        font.setBold(isFocus);
        font.setItalic(isStale(row));
        return font;
    }
    case Qt::ToolTipRole:
        if (!isStale(row))
            return {};
        return tr("Stale: %1 shows its last known prices until its data is in step with the "
                  "source again")
            .arg(QString::fromStdString(row.symbol));
    case Qt::AccessibleTextRole:
        return accessibleText(row, column);
    case Qt::AccessibleDescriptionRole:
        return isFocus ? tr("focus instrument") : QString();
    case InstrumentRole:
        return row.instrument.value();
    case FocusRole:
        return isFocus;
    case SortRole:
        return sortData(row, column);
    case SparklineRole:
        return column == SparklineColumn ? sparklineData(row) : QVariant();
    case DirectionRole:
        if (column == ChangeColumn || column == ChangePercentColumn)
            return direction(row);
        return {};
    default:
        return {};
    }
}

QVariant MarketWatchModel::displayData(const InstrumentQuote &quote, int column) const
{
    const int prices = quote.priceDecimals;
    const int sizes = quote.quantityDecimals;
    switch (column) {
    case SymbolColumn:
        return QString::fromStdString(quote.symbol);
    case LastColumn:
        return priceOrBlank(quote.last, prices);
    case ChangeColumn:
        return formatChange(quote);
    case ChangePercentColumn:
        return formatChangePercent(quote);
    case BidSizeColumn:
        return sizeOrBlank(quote.bestBid, quote.bidSize, sizes);
    case BidColumn:
        return priceOrBlank(quote.bestBid, prices);
    case AskColumn:
        return priceOrBlank(quote.bestAsk, prices);
    case AskSizeColumn:
        return sizeOrBlank(quote.bestAsk, quote.askSize, sizes);
    case VolumeColumn:
        return formatQuantity(quote.volume, sizes);
    case TradesColumn:
        return formatCount(static_cast<std::int64_t>(quote.tradeCount));
    case StatusColumn:
        return isStale(quote) ? tr("Stale") : tradingStatusText(quote.status);
    default:
        return {};
    }
}

QVariant MarketWatchModel::foregroundData(const InstrumentQuote &quote, int column) const
{
    switch (column) {
    case ChangeColumn:
    case ChangePercentColumn:
        switch (direction(quote)) {
        case 1:
            return theme::buyColor();
        case -1:
            return theme::sellColor();
        default:
            return theme::mutedTextColor();
        }
    case BidSizeColumn:
    case BidColumn:
        return theme::buyColor();
    case AskColumn:
    case AskSizeColumn:
        return theme::sellColor();
    case StatusColumn:
        if (quote.status == TradingStatus::Halted || isStale(quote))
            return theme::errorColor();
        if (quote.status != TradingStatus::Trading)
            return theme::mutedTextColor();
        return {};
    default:
        return {};
    }
}

QVariant MarketWatchModel::sortData(const InstrumentQuote &quote, int column) const
{
    const int prices = quote.priceDecimals;
    const int sizes = quote.quantityDecimals;
    switch (column) {
    case SymbolColumn:
        return QString::fromStdString(quote.symbol);
    case LastColumn:
        return sortablePrice(quote.last, prices);
    case ChangeColumn:
        return hasChange(quote) ? scaled(changeTicks(quote), prices)
                                : std::numeric_limits<double>::lowest();
    case ChangePercentColumn:
        return hasChange(quote) ? static_cast<double>(changeBasisPoints(quote))
                                : std::numeric_limits<double>::lowest();
    case BidSizeColumn:
        return scaled(quote.bidSize.value(), sizes);
    case BidColumn:
        return sortablePrice(quote.bestBid, prices);
    case AskColumn:
        return sortablePrice(quote.bestAsk, prices);
    case AskSizeColumn:
        return scaled(quote.askSize.value(), sizes);
    case VolumeColumn:
        return scaled(quote.volume.value(), sizes);
    case TradesColumn:
        return static_cast<qulonglong>(quote.tradeCount);
    case StatusColumn:
        return static_cast<int>(quote.status);
    case SparklineColumn:
        if (quote.sparkline.size() < 2)
            return 0.0;
        return scaled(quote.sparkline.back().value() - quote.sparkline.front().value(), prices);
    default:
        return {};
    }
}

QVariant MarketWatchModel::accessibleText(const InstrumentQuote &quote, int column) const
{
    if (column != SparklineColumn)
        return displayData(quote, column);
    if (quote.sparkline.size() < 2)
        return tr("No trend yet");
    return tr("Trend of %n closes, from %1 to %2", nullptr,
              static_cast<int>(quote.sparkline.size()))
        .arg(formatPrice(quote.sparkline.front(), quote.priceDecimals),
             formatPrice(quote.sparkline.back(), quote.priceDecimals));
}

QVariant MarketWatchModel::sparklineData(const InstrumentQuote &quote) const
{
    QList<qint64> closes;
    closes.reserve(static_cast<qsizetype>(quote.sparkline.size()));
    for (Price close : quote.sparkline)
        closes.push_back(close.value());
    return QVariant::fromValue(closes);
}

QVariant MarketWatchModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::TextAlignmentRole) {
        if (section == SymbolColumn || section == StatusColumn || section == SparklineColumn)
            return (Qt::AlignLeft | Qt::AlignVCenter).toInt();
        return (Qt::AlignRight | Qt::AlignVCenter).toInt();
    }
    if (role == Qt::ToolTipRole && (section == ChangeColumn || section == ChangePercentColumn))
        return tr("Last price minus the opening price, the first trade since the session began");
    if (role == Qt::ToolTipRole && section == SparklineColumn)
        return tr("Closes of the most recent bars");
    if (role != Qt::DisplayRole)
        return {};

    switch (section) {
    case SymbolColumn:
        return tr("Symbol");
    case LastColumn:
        return tr("Last");
    case ChangeColumn:
        return tr("Change");
    case ChangePercentColumn:
        return tr("Change %");
    case BidSizeColumn:
        return tr("Bid size");
    case BidColumn:
        return tr("Bid");
    case AskColumn:
        return tr("Ask");
    case AskSizeColumn:
        return tr("Ask size");
    case VolumeColumn:
        return tr("Volume");
    case TradesColumn:
        return tr("Trades");
    case StatusColumn:
        return tr("Status");
    case SparklineColumn:
        return tr("Trend");
    default:
        return {};
    }
}

Qt::ItemFlags MarketWatchModel::flags(const QModelIndex &index) const
{
    return index.isValid() ? Qt::ItemIsEnabled | Qt::ItemIsSelectable : Qt::NoItemFlags;
}

} // namespace bourse::ui

#include "ladder_model.h"

#include "formatting.h"
#include "theme.h"

#include <QFont>

#include <algorithm>

namespace bourse::ui {

namespace {

void copyLevels(const std::vector<LevelSummary> &levels,
                std::vector<std::optional<LevelSummary>> &rows)
{
    const std::size_t shown = std::min(levels.size(), rows.size());
    for (std::size_t i = 0; i < shown; ++i)
        rows[i] = levels[i];
}

Quantity largestQuantity(const std::vector<std::optional<LevelSummary>> &rows)
{
    Quantity largest{0};
    for (const auto &level : rows) {
        if (level && level->quantity > largest)
            largest = level->quantity;
    }
    return largest;
}

std::optional<Price> bestPrice(const std::vector<std::optional<LevelSummary>> &rows)
{
    if (!rows.front())
        return std::nullopt;
    return rows.front()->price;
}

} // namespace

LadderModel::LadderModel(int depth, QObject *parent)
    : QAbstractTableModel(parent)
    , m_depth(std::max(depth, 1))
    , m_shown(emptySnapshot())
{
}

LadderModel::Snapshot LadderModel::emptySnapshot() const
{
    Snapshot snapshot;
    snapshot.asks.resize(static_cast<std::size_t>(m_depth));
    snapshot.bids.resize(static_cast<std::size_t>(m_depth));
    return snapshot;
}

LadderModel::Snapshot LadderModel::snapshotOf(const MarketView &view) const
{
    Snapshot snapshot = emptySnapshot();
    copyLevels(view.asks, snapshot.asks);
    copyLevels(view.bids, snapshot.bids);
    snapshot.priceDecimals = view.priceDecimals;
    snapshot.largestQuantity =
        std::max(largestQuantity(snapshot.asks), largestQuantity(snapshot.bids));
    return snapshot;
}

void LadderModel::applyView(const MarketView &view)
{
    Snapshot next = snapshotOf(view);
    if (next == m_shown)
        return;

    const Snapshot before = std::exchange(m_shown, std::move(next));
    emitChangedRows(before, m_shown);
}

void LadderModel::clear()
{
    Snapshot next = emptySnapshot();
    next.priceDecimals = m_shown.priceDecimals;
    if (next == m_shown)
        return;

    const Snapshot before = std::exchange(m_shown, std::move(next));
    emitChangedRows(before, m_shown);
}

bool LadderModel::rowDiffers(const Snapshot &before, const Snapshot &after, int row) const
{
    // The price format and the depth bars of every row depend on these two.
    if (before.priceDecimals != after.priceDecimals ||
        before.largestQuantity != after.largestQuantity)
        return true;

    if (rowKind(row) == RowKind::Spread)
        return bestPrice(before.asks) != bestPrice(after.asks) ||
               bestPrice(before.bids) != bestPrice(after.bids);

    return *levelAt(before, row) != *levelAt(after, row);
}

void LadderModel::emitChangedRows(const Snapshot &before, const Snapshot &after)
{
    // One dataChanged per run of adjacent changed rows.
    int runStart = -1;
    const int rows = rowCount();
    for (int row = 0; row <= rows; ++row) {
        const bool changed = row < rows && rowDiffers(before, after, row);
        if (changed && runStart < 0)
            runStart = row;

        if (!changed && runStart >= 0) {
            emit dataChanged(index(runStart, 0), index(row - 1, ColumnCount - 1));
            runStart = -1;
        }
    }
}

LadderModel::RowKind LadderModel::rowKind(int row) const
{
    if (row < m_depth)
        return RowKind::Ask;
    return row == m_depth ? RowKind::Spread : RowKind::Bid;
}

const std::optional<LevelSummary> *LadderModel::levelAt(const Snapshot &snapshot, int row) const
{
    switch (rowKind(row)) {
    case RowKind::Ask:
        return &snapshot.asks[static_cast<std::size_t>(m_depth - 1 - row)];
    case RowKind::Bid:
        return &snapshot.bids[static_cast<std::size_t>(row - m_depth - 1)];
    case RowKind::Spread:
        break;
    }
    return nullptr;
}

bool LadderModel::isBestLevel(int row) const
{
    if (row != bestAskRow() && row != bestBidRow())
        return false;
    return levelAt(m_shown, row)->has_value();
}

int LadderModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : 2 * m_depth + 1;
}

int LadderModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LadderModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};

    const int row = index.row();
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return displayData(row, column);
    case Qt::TextAlignmentRole:
        return (Qt::AlignRight | Qt::AlignVCenter).toInt();
    case Qt::ForegroundRole:
        return foregroundData(row, column);
    case Qt::BackgroundRole:
        return backgroundData(row);
    case Qt::FontRole:
        if (isBestLevel(row)) {
            // Only the weight is set, so the view's own font family still applies.
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case RowKindRole:
        return static_cast<int>(rowKind(row));
    case BestLevelRole:
        return isBestLevel(row);
    case DepthFractionRole:
        return depthFraction(row, column);
    default:
        return {};
    }
}

QVariant LadderModel::displayData(int row, int column) const
{
    const RowKind kind = rowKind(row);
    if (kind == RowKind::Spread)
        return spreadText(column);

    const std::optional<LevelSummary> &level = *levelAt(m_shown, row);
    if (!level)
        return {};
    return levelText(*level, kind, column);
}

QVariant LadderModel::levelText(const LevelSummary &level, RowKind kind, int column) const
{
    const bool ask = kind == RowKind::Ask;
    switch (column) {
    case PriceColumn:
        return formatPrice(level.price, m_shown.priceDecimals);
    case BidSizeColumn:
    case AskSizeColumn:
        if (ask == (column == AskSizeColumn))
            return formatQuantity(level.quantity);
        return {};
    case BidOrdersColumn:
    case AskOrdersColumn:
        if (ask == (column == AskOrdersColumn))
            return formatCount(level.orderCount);
        return {};
    default:
        return {};
    }
}

QVariant LadderModel::spreadText(int column) const
{
    if (column == BidSizeColumn)
        return tr("Spread");
    if (column != PriceColumn)
        return {};

    const std::optional<LevelSummary> &bestAsk = m_shown.asks.front();
    const std::optional<LevelSummary> &bestBid = m_shown.bids.front();
    if (!bestAsk || !bestBid)
        return QStringLiteral("\u2014");

    const Price spread{bestAsk->price.value() - bestBid->price.value()};
    return formatPrice(spread, m_shown.priceDecimals);
}

QVariant LadderModel::foregroundData(int row, int column) const
{
    const RowKind kind = rowKind(row);
    if (kind == RowKind::Spread)
        return column == PriceColumn ? theme::textColor() : theme::mutedTextColor();

    switch (column) {
    case PriceColumn:
        return kind == RowKind::Ask ? theme::sellColor() : theme::buyColor();
    case BidSizeColumn:
    case AskSizeColumn:
        return theme::textColor();
    default:
        return theme::mutedTextColor();
    }
}

QVariant LadderModel::backgroundData(int row) const
{
    if (!isBestLevel(row))
        return {};
    return row == bestAskRow() ? theme::bestAskBackground() : theme::bestBidBackground();
}

QVariant LadderModel::depthFraction(int row, int column) const
{
    if (column != BidSizeColumn && column != AskSizeColumn)
        return {};

    const RowKind kind = rowKind(row);
    const bool ownSide = (kind == RowKind::Ask && column == AskSizeColumn) ||
                         (kind == RowKind::Bid && column == BidSizeColumn);
    if (!ownSide || m_shown.largestQuantity.value() <= 0)
        return {};

    const std::optional<LevelSummary> &level = *levelAt(m_shown, row);
    if (!level)
        return {};

    // A screen proportion, not an amount, so floating point is fine here.
    return static_cast<double>(level->quantity.value()) /
           static_cast<double>(m_shown.largestQuantity.value());
}

QVariant LadderModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::TextAlignmentRole)
        return (Qt::AlignRight | Qt::AlignVCenter).toInt();
    if (role != Qt::DisplayRole)
        return {};

    switch (section) {
    case BidOrdersColumn:
    case AskOrdersColumn:
        return tr("Orders");
    case BidSizeColumn:
        return tr("Bid size");
    case PriceColumn:
        return tr("Price");
    case AskSizeColumn:
        return tr("Ask size");
    default:
        return {};
    }
}

Qt::ItemFlags LadderModel::flags(const QModelIndex &index) const
{
    return index.isValid() ? Qt::ItemIsEnabled : Qt::NoItemFlags;
}

} // namespace bourse::ui

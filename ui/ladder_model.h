#pragma once

#include "market_view.h"

#include <QAbstractTableModel>

#include <optional>
#include <vector>

namespace bourse::ui {

// The order book as a price ladder with a fixed number of rows: `depth` ask rows with the best
// ask at the bottom, one spread row, then `depth` bid rows with the best bid at the top. The
// row count only changes with the depth, so each new view updates rows in place through
// dataChanged. A side with fewer levels than the depth leaves its rows away from the spread
// blank.
class LadderModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        BidOrdersColumn,
        BidSizeColumn,
        PriceColumn,
        AskSizeColumn,
        AskOrdersColumn,
        ColumnCount
    };

    enum class RowKind { Ask, Spread, Bid };

    enum Role {
        RowKindRole = Qt::UserRole + 1, // RowKind as int
        BestLevelRole,                  // true on the rows of the best bid and the best ask
        DepthFractionRole, // size columns: the level's quantity over the largest one shown
    };

    explicit LadderModel(int depth = 10, QObject *parent = nullptr);

    // Shows the view's top levels. Emits dataChanged for the rows that differ and nothing
    // when none does.
    void applyView(const MarketView &view);

    // Blanks every row, for a new session.
    void clear();

    int depth() const { return m_depth; }
    int bestAskRow() const { return m_depth - 1; }
    int spreadRow() const { return m_depth; }
    int bestBidRow() const { return m_depth + 1; }
    RowKind rowKind(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

private:
    // The levels on screen: `depth` entries per side, best first, empty past the last level.
    struct Snapshot {
        std::vector<std::optional<LevelSummary>> asks;
        std::vector<std::optional<LevelSummary>> bids;
        int priceDecimals = 2;
        Quantity largestQuantity;

        friend bool operator==(const Snapshot &, const Snapshot &) = default;
    };

    Snapshot emptySnapshot() const;
    Snapshot snapshotOf(const MarketView &view) const;
    const std::optional<LevelSummary> *levelAt(const Snapshot &snapshot, int row) const;
    bool rowDiffers(const Snapshot &before, const Snapshot &after, int row) const;
    void emitChangedRows(const Snapshot &before, const Snapshot &after);

    QVariant displayData(int row, int column) const;
    QVariant levelText(const LevelSummary &level, RowKind kind, int column) const;
    QVariant spreadText(int column) const;
    QVariant foregroundData(int row, int column) const;
    QVariant backgroundData(int row) const;
    QVariant depthFraction(int row, int column) const;
    bool isBestLevel(int row) const;

    int m_depth;
    Snapshot m_shown;
};

} // namespace bourse::ui

#pragma once

#include "market_view.h"

#include <QAbstractTableModel>

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace bourse::ui {

// The market watch: one row per instrument of MarketView::instruments, in the order the
// instruments first appeared. Each view updates the rows in place and emits dataChanged only
// for the cells that differ. A row is inserted when an instrument appears and removed when it
// leaves the view. The row of the focus instrument is marked in bold on a highlighted
// background.
class MarketWatchModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        SymbolColumn,
        LastColumn,
        ChangeColumn,        // last minus the opening price, in price units
        ChangePercentColumn, // the same change as a percentage of the opening price
        BidSizeColumn,
        BidColumn,
        AskColumn,
        AskSizeColumn,
        VolumeColumn,
        TradesColumn,
        StatusColumn,
        SparklineColumn, // no text: SparklineDelegate paints it
        ColumnCount
    };

    enum Role {
        InstrumentRole = Qt::UserRole + 1, // the row's InstrumentId value, as uint
        FocusRole,                         // true on the row of the focus instrument
        SortRole,      // a number (or the symbol) to sort by, comparable across instruments
        SparklineRole, // SparklineColumn: QList<qint64> closes in ticks, oldest first
        DirectionRole, // change columns: 1 up, -1 down, 0 unchanged or no trade yet
    };

    // The maximum number of sparkline points a row keeps. A longer sparkline keeps its newest
    // points.
    static constexpr std::size_t kMaxSparklinePoints = 60;

    explicit MarketWatchModel(QObject *parent = nullptr);

    // Shows the view's instruments and marks its focus instrument.
    void applyView(const MarketView &view);

    // Removes every row, for a new session.
    void clear();

    // Marks the rows of `instruments` Stale in the status column, as a remote session does for
    // the instruments whose streams resynchronize or whose link is down. An empty set marks
    // none; a stale replay still marks every row.
    void setStaleInstruments(std::set<InstrumentId> instruments);

    // The row of `instrument`, or -1 when it has none.
    int rowOf(InstrumentId instrument) const;
    InstrumentId instrumentAt(int row) const;
    const InstrumentQuote &quote(int row) const;
    InstrumentId focus() const { return m_focus; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

private:
    bool sameInstruments(const std::vector<InstrumentQuote> &quotes) const;
    void removeMissingRows(const std::vector<InstrumentQuote> &quotes);
    void appendNewRows(const std::vector<InstrumentQuote> &quotes);
    void updateRow(int row, const InstrumentQuote &quote);
    void setFocus(InstrumentId focus);
    void emitRowChanged(int row, const QList<int> &roles);
    void rebuildIndex();

    QVariant displayData(const InstrumentQuote &quote, int column) const;
    QVariant foregroundData(const InstrumentQuote &quote, int column) const;
    QVariant sortData(const InstrumentQuote &quote, int column) const;
    QVariant accessibleText(const InstrumentQuote &quote, int column) const;
    QVariant sparklineData(const InstrumentQuote &quote) const;
    bool isStale(const InstrumentQuote &quote) const;

    std::vector<InstrumentQuote> m_rows;
    // Why a replayed book cannot be trusted (MarketView::replayStale); empty while it can.
    std::string m_stale;
    std::set<InstrumentId> m_staleInstruments;
    std::unordered_map<std::uint32_t, int> m_rowOfInstrument;
    InstrumentId m_focus;
};

// Texts of the market watch cells. The change is signed ("+1.25", "-0.50", "0.00"), and the
// percentage has two decimals and a sign ("+0.52%"). Both are empty before the first trade or
// without an opening price.
QString formatChange(const InstrumentQuote &quote);
QString formatChangePercent(const InstrumentQuote &quote);
QString tradingStatusText(TradingStatus status);

} // namespace bourse::ui

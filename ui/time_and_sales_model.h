#pragma once

#include "market_view.h"

#include <QAbstractTableModel>

#include <cstddef>
#include <cstdint>
#include <deque>

namespace bourse::ui {

// The time and sales tape: one row per trade print, the newest at the top. New prints are
// inserted at row 0 and the oldest rows beyond `maxRows` are removed, so the model never
// resets during a session.
class TimeAndSalesModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { TimeColumn, PriceColumn, SizeColumn, SideColumn, ColumnCount };

    explicit TimeAndSalesModel(std::size_t maxRows = 1000, QObject *parent = nullptr);

    // Inserts the view's new trades that are not shown yet. A print counts as shown when its
    // sequence number is at or below the last one inserted, so a view seen twice adds
    // nothing. A view whose lastSequence is below the previous view's starts a new session:
    // the tape is cleared first.
    void applyView(const MarketView &view);

    void clear();

    std::size_t maxRows() const { return m_maxRows; }

    // Trades of the session that never reached the tape: the view's totalTrades minus the
    // prints received. They were left out of a full view, or their view was replaced before it
    // was read.
    std::uint64_t missedTrades() const { return m_missedTrades; }

    const TradePrint &print(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

private:
    void insertNewest(const std::vector<TradePrint> &trades, std::size_t first);
    void trimToMaxRows();
    void setPriceDecimals(int decimals);
    QVariant displayData(const TradePrint &trade, int column) const;

    std::size_t m_maxRows;
    std::deque<TradePrint> m_prints; // newest first
    SequenceNumber m_lastTradeSequence = 0;
    SequenceNumber m_lastViewSequence = 0;
    std::uint64_t m_receivedTrades = 0;
    std::uint64_t m_missedTrades = 0;
    int m_priceDecimals = 2;
};

} // namespace bourse::ui

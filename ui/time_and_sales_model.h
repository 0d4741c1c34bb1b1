#pragma once

#include "market_view.h"

#include <QAbstractTableModel>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

namespace bourse::ui {

// The time and sales tape of the focus instrument: one row per trade print, the newest at the
// top. New prints are inserted at row 0 and the oldest rows beyond `maxRows` are removed, so
// the model resets only when the tape starts over: for a new session or a new focus.
class TimeAndSalesModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { TimeColumn, PriceColumn, SizeColumn, SideColumn, ColumnCount };

    enum Role {
        QuantityRole = Qt::UserRole + 1, // the print's size in lots, as qint64
        AggressorRole,                   // the aggressor Side as int
    };

    explicit TimeAndSalesModel(std::size_t maxRows = 1000, QObject *parent = nullptr);

    // Inserts the view's new trades that are not shown yet. A print counts as shown when its
    // sequence number is at or below the last one inserted, so a view seen twice adds
    // nothing. The tape is cleared first when the view starts a new session (its lastSequence
    // is below the previous view's) or has another focus instrument than the previous view.
    void applyView(const MarketView &view);

    // Empties the tape, which starts again at the next view, as after a seek: the trades before
    // that view do not count as missed.
    void clear();

    std::size_t maxRows() const { return m_maxRows; }

    // The focus instrument of the tape, empty before the first view and after clear().
    std::optional<InstrumentId> instrument() const { return m_instrument; }
    int priceDecimals() const { return m_priceDecimals; }
    int quantityDecimals() const { return m_quantityDecimals; }

    // Trades that never reached the tape since it started: the view's totalTrades minus the
    // prints received. They were left out of a full view, or their view was replaced before it
    // was read. After a change of focus or clear(), only trades after the first view since
    // count.
    std::uint64_t missedTrades() const { return m_missedTrades; }

    const TradePrint &print(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

private:
    void reset();
    void countTrades(std::uint64_t totalTrades, std::uint64_t newTrades);
    void insertNewest(const std::vector<TradePrint> &trades, std::size_t first);
    void trimToMaxRows();
    void setDecimals(int priceDecimals, int quantityDecimals);
    QVariant displayData(const TradePrint &trade, int column) const;
    QVariant headerToolTip(int section) const;

    std::size_t m_maxRows;
    std::deque<TradePrint> m_prints; // newest first
    std::optional<InstrumentId> m_instrument;
    SequenceNumber m_lastTradeSequence = 0;
    SequenceNumber m_lastViewSequence = 0;
    std::uint64_t m_tradesBeforeTape = 0; // of the view's totalTrades, not the tape's to show
    std::uint64_t m_receivedTrades = 0;
    std::uint64_t m_missedTrades = 0;
    bool m_startsAtNextView = false; // cleared from outside, so the next view starts the tape
    int m_priceDecimals = 2;
    int m_quantityDecimals = 0;
};

} // namespace bourse::ui

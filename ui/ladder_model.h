#pragma once

#include "market_view.h"

#include <QAbstractTableModel>
#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace bourse::ui {

// The price ladder of the focus instrument: one row per tick, highest price at the top, with
// the trader's working orders, the book's sizes and the recent traded volume at each price.
//
// The rows are a fixed window of 2 * rowsEachSide + 1 prices. The window stays still while the
// market moves inside the visible rows, so a click lands on the price it was aimed at. It
// re-centres on the market when the market moves out of the visible rows, when the focus
// instrument changes, and on recentre(). The row count never changes, so every update is a
// dataChanged of the rows that differ.
//
// A spread wider than the visible rows, as in a liquidity drought, would leave both best prices
// off screen. The window then closes the spread: the best ask is just above the centre row, the
// best bid just below it, and the centre row is a gap row that hides the empty prices between
// them (hiddenTicksAt()). A working order of the trader inside the spread keeps a row of its own
// that splits the gap in two, so the trader can still see, cancel and drag it. The gap follows
// the best prices at every view, and closes when the spread fits again or the trader scrolls.
//
// NOTE: a row is one tick of the view's tickSize. A LOBSTER replay's instrument has a tick of 1
// (1/10000 dollar) while its quotes step by 100, so its book lands far apart on blank rows.
class LadderModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        WorkingBuysColumn, // the trader's working buy orders at the price, remaining quantity
        BidSizeColumn,
        PriceColumn,
        AskSizeColumn,
        WorkingSellsColumn,
        VolumeColumn, // traded at the price over the last 60 seconds
        ColumnCount,

        // TODO: remove these two once the main window hosts LadderPanel instead of this model.
        BidOrdersColumn = WorkingBuysColumn,
        AskOrdersColumn = WorkingSellsColumn,
    };

    enum Role {
        PriceRole = Qt::UserRole + 1, // the row's price in ticks (qint64); invalid on a blank row
        BestLevelRole,                // true on the rows of the best bid and the best ask
        // Size and volume columns: the quantity over the largest one in the rows, 0 to 1.
        DepthFractionRole,
        LastTradeRole, // price column: true on the row of the last trade
        WarningRole,   // bid and ask size columns: true where a pre-trade check would reject
    };

    // One of the trader's working orders in the ladder, as a cancel or a replace needs it.
    struct WorkingOrder {
        OrderId id;
        Side side = Side::Buy;
        Price limit;
        Quantity remaining;
    };

    // A pre-trade check's rejection of the order a click in a size cell would send: the bid
    // size cell for a buy, the ask size cell for a sell.
    struct Warning {
        Price price;
        Side side = Side::Buy;
        QString text;
    };

    explicit LadderModel(int rowsEachSide = 20, QObject *parent = nullptr);

    // Shows the view's focus instrument. Emits dataChanged for the rows that differ, and
    // recentred() when the window moved to the market.
    void applyView(const MarketView &view);

    // Blanks every row, for a new session; the next view centres the window again.
    void clear();

    // Centres the window on the market price. Does nothing before the first market price.
    void recentre();
    // Moves the window by `rows` rows: positive shows higher prices.
    void scrollRows(int rows);

    // The rows the screen shows, which the market must leave for the window to re-centre; all
    // rows until this is called.
    void setVisibleRows(int first, int last);
    int firstVisibleRow() const { return m_firstVisible; }
    int lastVisibleRow() const { return m_lastVisible; }

    // Stops automatic re-centring while `held` is true, such as while a mouse button is down.
    void holdWindow(bool held);

    void setWarnings(std::vector<Warning> warnings);

    int rowsEachSide() const { return m_rowsEachSide; }
    int centreRow() const { return m_rowsEachSide; }
    // The price of a row, or nothing for a blank row (before any market price, or a price
    // below one tick).
    std::optional<Price> priceAt(int row) const;
    // The row of a price on the tick grid of the window, or -1 when no row shows it.
    int rowOf(Price price) const;
    // Returns the mid price rounded down to a tick. With one side empty it returns the other
    // side's best price, with both empty the last trade, and nothing without a trade either.
    std::optional<Price> marketPrice() const;
    int bestBidRow() const; // -1 when the best bid is off the window or there is none
    // The number of prices inside the spread that a gap row hides, or zero when `row` is not a
    // gap.
    std::int64_t hiddenTicksAt(int row) const;
    int bestAskRow() const;

    InstrumentId instrument() const { return m_terms.instrument; }
    int priceDecimals() const { return m_terms.priceDecimals; }
    int quantityDecimals() const { return m_terms.quantityDecimals; }
    Price tickSize() const { return m_terms.tickSize; }
    // The trader's working orders of the focus on one side at one price, oldest first.
    std::vector<WorkingOrder> workingOrdersAt(Side side, Price price) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

signals:
    // The window moved to centre the market, automatically or on recentre().
    void recentred();
    // The window moved for any reason, so a row now shows another price.
    void windowMoved();

private:
    struct Terms {
        InstrumentId instrument;
        int priceDecimals = 2;
        int quantityDecimals = 0;
        Price tickSize{1};

        friend bool operator==(const Terms &, const Terms &) = default;
    };

    // The market the rows show, copied out of the last view so the window can move without one.
    struct Market {
        std::vector<LevelSummary> bids;
        std::vector<LevelSummary> asks;
        std::vector<WorkingOrder> workingOrders;
        std::vector<PriceVolume> volume;
        std::optional<Price> lastTrade;
    };

    enum RowFlag : unsigned {
        BestBidFlag = 1U << 0,
        BestAskFlag = 1U << 1,
        LastTradeFlag = 1U << 2,
        BidToneFlag = 1U << 3, // at or below the best bid, so the price shows in the buy colour
        AskToneFlag = 1U << 4, // at or above the best ask
    };

    struct Row {
        Price price;                  // zero on a blank row and on the gap row
        std::int64_t hiddenTicks = 0; // on the gap row, the prices inside the spread it hides
        Quantity bidSize;
        Quantity askSize;
        Quantity workingBuys;
        Quantity workingSells;
        Quantity volume;
        unsigned flags = 0;
        QString bidWarning;
        QString askWarning;

        friend bool operator==(const Row &, const Row &) = default;
    };

    // What every row's appearance depends on, beside its own fields.
    struct Scale {
        int priceDecimals = 2;
        int quantityDecimals = 0;
        Quantity largestSize;
        Quantity largestVolume;
        std::optional<Price> bestBid;
        std::optional<Price> bestAsk;

        friend bool operator==(const Scale &, const Scale &) = default;
    };

    std::vector<Row> buildRows() const;
    Scale scaleOf(const std::vector<Row> &rows) const;
    void placeBook(std::vector<Row> &rows) const;
    void placeWorkingOrders(std::vector<Row> &rows) const;
    void placeVolumeAndWarnings(std::vector<Row> &rows) const;
    void refresh();
    void emitChangedRows(const std::vector<Row> &before, bool everyRow);
    bool moveCentre(std::optional<Price> centre);
    // One row between the best ask and the best bid of a closed spread: either a working order's
    // price or a gap of hiddenTicks empty prices.
    struct GapSegment {
        Price price; // zero on a gap
        std::int64_t hiddenTicks = 0;

        friend bool operator==(const GapSegment &, const GapSegment &) = default;
    };
    // The best prices a gap keeps close together, and the rows between them from the top.
    struct Gap {
        Price bid;
        Price ask;
        int firstRow = 0; // the row of segments.front(), just below the best ask
        std::vector<GapSegment> segments;

        friend bool operator==(const Gap &, const Gap &) = default;
    };
    std::vector<Price> orderPricesInside(Price bid, Price ask) const;
    const GapSegment *gapSegmentAt(int row) const;
    std::optional<Gap> gapFor() const;
    bool moveWindow(std::optional<Price> centre);
    // Whether the market price's row is on screen: false after the trader scrolled it away.
    bool marketVisible() const;
    // Whether the best bid and ask are on screen and clear of the edge rows.
    bool insideMarketShown() const;

    QVariant displayData(const Row &row, int column) const;
    QVariant foregroundData(const Row &row, int column) const;
    QVariant backgroundData(const Row &row, int column) const;
    QVariant depthFraction(const Row &row, int column) const;
    QVariant alignment(int column) const;

    int m_rowsEachSide;
    int m_firstVisible;
    int m_lastVisible;
    bool m_held = false;
    std::optional<Gap> m_gap; // set while the window closes a spread wider than the screen
    bool m_marketWasVisible = false;
    Terms m_terms;
    Market m_market;
    std::optional<Price> m_centre;
    std::vector<Warning> m_warnings;
    std::vector<Row> m_rows;
    Scale m_scale;
};

} // namespace bourse::ui

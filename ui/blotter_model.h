#pragma once

#include "blotter_rows.h"
#include "market_view.h"
#include "order_ticket_input.h"

#include <QMetaType>
#include <QString>

#include <compare>
#include <cstdint>
#include <optional>

namespace bourse::ui {

// Roles every blotter model returns data for beyond the display ones, for sorting and filtering.
enum BlotterRole {
    BlotterSortRole = Qt::UserRole + 1, // a number, a DecimalSortKey or the text of the cell
    BlotterInstrumentRole,              // the row's instrument id, as unsigned int
    BlotterAccountRole,                 // the row's account id, as unsigned int
    BlotterOrderIdRole,                 // the order's id, as qulonglong
    BlotterStateRole,                   // OrderDisplayState as int, none for fills
};

// A price or quantity to sort by: `units` of 10^-decimals. Instruments differ in decimals, so
// two keys are compared as exact fractions, never by their raw units.
struct DecimalSortKey {
    std::int64_t units = 0;
    int decimals = 0;
};

// Whether a is below b, exactly, whatever their decimals.
bool lessThan(const DecimalSortKey &a, const DecimalSortKey &b);

// The state of an order as the blotter shows it and filters by it.
enum class OrderDisplayState {
    Working,      // resting, nothing filled yet
    PartlyFilled, // resting, some filled
    Parked,       // a stop that has not triggered
    Filled,
    Cancelled,
    Rejected,
    Expired,
};

OrderDisplayState displayStateOf(const OwnOrder &order);
QString displayStateText(OrderDisplayState state);

// The terms that format an instrument's prices and quantities, from a view's market watch.
struct InstrumentFormat {
    QString symbol;
    int priceDecimals = 2;
    int quantityDecimals = 0;
    Price tickSize{1};
    Quantity lotSize{1};
};

// The format of `instrument` in the view: its quote, or the focus terms. An instrument the view
// does not list shows as "#id", with two price decimals.
InstrumentFormat instrumentFormat(const MarketView &view, InstrumentId instrument);

struct BlotterOrderRow {
    // A rejected order carries the id the next order gets, so a finished order is known by
    // where it ended too. A working order's id is its alone, and its last event changes.
    struct Key {
        std::uint64_t order = 0;
        SequenceNumber ended = 0; // zero for a working order

        friend auto operator<=>(const Key &, const Key &) = default;
    };

    OwnOrder order;
    InstrumentFormat format;

    Key key() const
    {
        const bool working = order.state == OwnOrderState::Working;
        return {order.id.value(), working ? SequenceNumber{0} : order.lastSequence};
    }
};

// The trader's working or finished orders, one row per order, in the view's order: the oldest
// working order first, the newest finished order first.
//
// With editing on, the cells of a working order's price, stop price, quantity and remaining
// quantity take edits. setData() reads the text exactly against the instrument's tick, lot and
// decimals. It turns a valid edit into a replaceRequested() signal and an invalid one into
// editRejected(). The cell keeps showing the order as the views report it.
class BlotterOrdersModel : public KeyedRowsModel<BlotterOrderRow> {
    Q_OBJECT

public:
    enum class List { Working, Finished };

    enum Column {
        IdColumn,
        TimeColumn, // entered, for a working order, or last changed, for a finished one
        AccountColumn,
        InstrumentColumn,
        SideColumn,
        TypeColumn,
        TimeInForceColumn,
        PriceColumn,
        StopColumn,
        QuantityColumn, // as entered, or as last replaced
        DisplayColumn,  // an iceberg's display quantity
        FilledColumn,
        RemainingColumn,
        StateColumn,
        ReasonColumn,
        ColumnCount
    };

    explicit BlotterOrdersModel(List list, QObject *parent = nullptr);

    // Shows the view's working or finished orders, with the changes described in
    // KeyedRowsModel: inserts and removes for orders that appear or leave, dataChanged for
    // the rest, never a reset.
    void showView(const MarketView &view);
    void clear();

    List list() const { return m_list; }
    const OwnOrder *orderAt(int row) const;

    // Whether working orders take edits. They are off while no gateway sends them.
    void setEditable(bool editable);
    bool isEditable() const { return m_editable; }

    // Returns the replace that an edit of `column` of `row` to `text` requests, or the problem
    // with it, or nothing when the text keeps the value. A quantity edit sets the order's whole
    // quantity, the filled part included, and a remaining edit sets what is left to fill.
    std::optional<TypedValue<ReplaceOrder>> replaceFor(int row, int column,
                                                       const QString &text) const;

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

signals:
    void replaceRequested(const bourse::ReplaceOrder &replace);
    void editRejected(const QString &problem);

protected:
    bool cellDiffers(const BlotterOrderRow &before, const BlotterOrderRow &after,
                     int column) const override;

private:
    static bool isRequestColumn(int column);
    bool isEditableCell(const BlotterOrderRow &row, int column) const;
    QVariant displayData(const BlotterOrderRow &row, int column) const;
    QVariant editData(const BlotterOrderRow &row, int column) const;
    QVariant sortData(const BlotterOrderRow &row, int column) const;
    QVariant foregroundData(const BlotterOrderRow &row, int column) const;

    List m_list;
    bool m_editable = false;
};

struct BlotterFillRow {
    // Both sides of a self-trade share a trade sequence, so the order id is part of the key.
    struct Key {
        SequenceNumber trade = 0;
        std::uint64_t order = 0;

        friend auto operator<=>(const Key &, const Key &) = default;
    };

    OwnFill fill;
    InstrumentFormat format;
    int moneyDecimals = 2; // of the account, from its position in the instrument
    QString currency;

    Key key() const { return {fill.tradeSequence, fill.order.value()}; }
};

// The trader's fills, newest first, each with its fee in the account's currency.
class BlotterFillsModel : public KeyedRowsModel<BlotterFillRow> {
    Q_OBJECT

public:
    enum Column {
        TimeColumn,
        TradeColumn, // the trade's sequence number
        OrderColumn,
        AccountColumn,
        InstrumentColumn,
        SideColumn,
        PriceColumn,
        QuantityColumn,
        LiquidityColumn, // maker or taker
        FeeColumn,       // negative for a rebate
        ColumnCount
    };

    explicit BlotterFillsModel(QObject *parent = nullptr);

    void showView(const MarketView &view);
    void clear();

    const OwnFill *fillAt(int row) const;

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

protected:
    bool cellDiffers(const BlotterFillRow &before, const BlotterFillRow &after,
                     int column) const override;

private:
    QVariant displayData(const BlotterFillRow &row, int column) const;
    QVariant sortData(const BlotterFillRow &row, int column) const;
};

} // namespace bourse::ui

Q_DECLARE_METATYPE(bourse::ui::DecimalSortKey)
Q_DECLARE_METATYPE(bourse::ReplaceOrder)

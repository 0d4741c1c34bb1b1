#pragma once

#include "blotter_model.h"
#include "blotter_rows.h"
#include "market_view.h"

#include <QString>

#include <compare>
#include <cstdint>
#include <optional>

namespace bourse::ui {

struct PositionsRow {
    // Position rows sort before their account's totals row.
    struct Key {
        std::uint32_t account = 0;
        bool total = false;
        std::uint32_t instrument = 0; // zero on a totals row

        friend auto operator<=>(const Key &, const Key &) = default;
    };

    AccountId account;
    bool total = false;
    std::optional<OwnPosition> position; // a position row's position, empty on a totals row
    InstrumentFormat format;
    int moneyDecimals = 2;
    QString currency;
    // Empty when the amount cannot be shown: out of range, or a total over positions in more
    // than one currency.
    std::optional<Money> realized;
    std::optional<Money> unrealized;
    std::optional<Money> fees;
    std::optional<Money> net; // realized + unrealized - fees
    QString note;             // why a totals row shows no amounts

    Key key() const
    {
        return {account.value(), total, position ? position->instrument.value() : 0U};
    }
};

// The trader's positions, grouped by account in the order of TraderView::accounts, each group
// sorted by instrument id. A totals row closes each group. It sums realized and unrealized P&L,
// fees and net (realized + unrealized - fees), in the account's currency. Rows are updated in
// place as the blotter's are (see KeyedRowsModel), so a view never resets the model.
//
// The average price is the exact fraction the portfolio keeps, shown with kAverageExtraDecimals
// digits more than the instrument's prices, rounded half to even in integer arithmetic.
class PositionsModel : public KeyedRowsModel<PositionsRow> {
    Q_OBJECT

public:
    static constexpr int kAverageExtraDecimals = 2;

    enum Column {
        AccountColumn,
        InstrumentColumn,
        QuantityColumn, // signed: negative is short
        AverageColumn,
        MarkColumn,
        RealizedColumn,
        UnrealizedColumn,
        FeesColumn,
        NetColumn,
        CurrencyColumn,
        ColumnCount
    };

    enum Role {
        InstrumentRole = Qt::UserRole + 1, // the instrument id, none on a totals row
        TotalRowRole,                      // true on a totals row
    };

    explicit PositionsModel(QObject *parent = nullptr);

    void showView(const MarketView &view);
    void clear();

    // Whether positions that are flat now show. Their realized P&L and fees count in the
    // totals either way.
    void setShowFlat(bool show);
    bool showsFlat() const { return m_showFlat; }

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

protected:
    bool cellDiffers(const PositionsRow &before, const PositionsRow &after,
                     int column) const override;

private:
    static std::vector<PositionsRow> rowsOf(const MarketView &view);
    QVariant displayData(const PositionsRow &row, int column) const;
    QVariant foregroundData(const PositionsRow &row, int column) const;

    std::vector<PositionsRow> shownRows() const;

    bool m_showFlat = true;
    std::vector<PositionsRow> m_lastRows; // every row of the last view, flat ones included
};

// The average price as text with the instrument's price decimals plus `extraDecimals`, rounded
// half to even: 302/3 at no price decimals and two extra is "100.67". Empty for a flat position,
// and "?" when the average does not fit an int64 at that scale.
QString formatAveragePrice(const AveragePrice &average, Quantity quantity, int priceDecimals,
                           int extraDecimals);

} // namespace bourse::ui

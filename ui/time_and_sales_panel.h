#pragma once

#include "market_view.h"

#include <QWidget>

#include <cstdint>
#include <memory>
#include <optional>

class QLabel;
class QTableView;

namespace bourse::ui {

class MinimumSizeSpinBox;
class TimeAndSalesFilter;
class TimeAndSalesModel;

// The time and sales tape of the focus instrument, newest print on top, each row coloured by
// its aggressor. A header names the instrument, counts the prints and has a minimum size box
// that hides smaller prints. The tape starts over when the focus instrument changes.
class TimeAndSalesPanel : public QWidget {
    Q_OBJECT

public:
    // The maximum number of prints the tape keeps, counted before the size filter hides any.
    static constexpr std::size_t kDefaultMaxRows = 1000;

    explicit TimeAndSalesPanel(QWidget *parent = nullptr);

    // Inserts the view's new prints of the focus instrument.
    void showView(const std::shared_ptr<const MarketView> &view);

    // Empties the tape and clears the instrument, for a new session. The minimum size stays.
    void clear();

    // The smallest print shown, in lots. Zero shows every print. The minimum size is kept in
    // lots across a change of focus, and shown in the new instrument's quantity decimals.
    Quantity minimumQuantity() const;
    void setMinimumQuantity(Quantity quantity);

    // Trades of the focus that never reached the tape, as TimeAndSalesModel counts them.
    std::uint64_t missedTrades() const;

    TimeAndSalesModel *model() const { return m_model; }
    TimeAndSalesFilter *filter() const { return m_filter; }
    QTableView *table() const { return m_table; }

private:
    QLayout *createHeader();
    void configureTable();
    void showInstrument(const MarketView &view);
    void applyMinimumQuantity();
    void updateCount();

    TimeAndSalesModel *m_model;
    TimeAndSalesFilter *m_filter;
    QLabel *m_title;
    QLabel *m_count;
    MinimumSizeSpinBox *m_minimumSize;
    QTableView *m_table;
    std::optional<InstrumentId> m_instrument;
};

} // namespace bourse::ui

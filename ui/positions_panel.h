#pragma once

#include "market_view.h"

#include <QWidget>

#include <memory>

class QCheckBox;
class QTableView;

namespace bourse::ui {

class PositionsModel;

// Positions and P&L of every account of the trader, with a totals row per account (see
// PositionsModel). Double-clicking a position selects its instrument.
class PositionsPanel : public QWidget {
    Q_OBJECT

public:
    explicit PositionsPanel(QWidget *parent = nullptr);

    void showView(const std::shared_ptr<const MarketView> &view);
    void clear();

    PositionsModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }

signals:
    void instrumentSelected(bourse::InstrumentId instrument);

private:
    PositionsModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QCheckBox *m_showFlat = nullptr;
};

} // namespace bourse::ui

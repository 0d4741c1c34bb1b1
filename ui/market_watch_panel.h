#pragma once

#include "market_view.h"

#include <QWidget>

#include <memory>
#include <optional>

class QItemSelection;
class QModelIndex;
class QSortFilterProxyModel;
class QTableView;

namespace bourse::ui {

class MarketWatchModel;

// The market watch: a sortable table of every instrument with its last price, change since the
// open, best bid and ask, volume, trade count, status and a sparkline of recent closes. The
// row of the focus instrument is marked. Selecting a row, by mouse or keyboard, emits
// instrumentSelected; the session decides whether the focus follows.
class MarketWatchPanel : public QWidget {
    Q_OBJECT

public:
    explicit MarketWatchPanel(QWidget *parent = nullptr);

    // Updates the rows in place. When the view's focus differs from the previous view's, the
    // selection moves to the focus row without emitting instrumentSelected.
    void showView(const std::shared_ptr<const MarketView> &view);

    // Removes every row, for a new session.
    void clear();

    MarketWatchModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }

signals:
    // The trader chose an instrument. Emitted once per change of the selected row, never for
    // a selection that showView made to follow the focus.
    void instrumentSelected(bourse::InstrumentId instrument);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void configureColumns();
    void selectFocusRow(bool scroll);
    void onSelectionChanged(const QItemSelection &selected);
    void chooseRow(const QModelIndex &proxyIndex);
    void updateSizeColumns();

    MarketWatchModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    std::optional<InstrumentId> m_focus;    // of the last view
    std::optional<InstrumentId> m_selected; // the last one emitted or followed
    bool m_followingFocus = false;          // while showView moves the selection
    int m_widthWithSizes = 0;               // the width every column needs, sizes included
};

} // namespace bourse::ui

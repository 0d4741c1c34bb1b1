#pragma once

#include "market_view.h"

#include <QWidget>

#include <memory>
#include <vector>

class QAction;
class QComboBox;
class QLineEdit;
class QPushButton;
class QTabWidget;
class QTableView;

namespace bourse::ui {

class BlotterFillsModel;
class BlotterFilterBar;
class BlotterFilterModel;
class BlotterOrdersModel;
class MessageLine;
class OrderGateway;

// The blotter: the trader's working orders, finished orders (with the reason each ended) and
// fills, in three tabs that share a text, instrument and state filter. Every column sorts.
//
// A working order is cancelled with the Cancel button, the Delete key or the context menu, and
// replaced in place by editing its price, stop price or a quantity (double-click or F2). An
// edit is read against the instrument's tick and lot before anything is sent, and the message
// line names what is wrong with it. Double-clicking a cell that takes no edit selects the row's
// instrument.
class BlotterPanel : public QWidget {
    Q_OBJECT

public:
    enum class Tab { Working, Finished, Fills };

    explicit BlotterPanel(QWidget *parent = nullptr);
    ~BlotterPanel() override;

    void showView(const std::shared_ptr<const MarketView> &view);
    void clear();
    // Sets the gateway that cancels and replaces go to, or nullptr to disable them. The gateway
    // must outlive the panel, or be replaced first.
    void setGateway(OrderGateway *gateway);

    // Cancels the orders selected in the working table and returns how many cancels were
    // queued.
    int cancelSelected();

    BlotterOrdersModel *workingModel() const { return m_working; }
    BlotterOrdersModel *finishedModel() const { return m_finished; }
    BlotterFillsModel *fillsModel() const { return m_fills; }
    BlotterFilterModel *filter(Tab tab) const;
    QTableView *table(Tab tab) const;
    QString message() const;

    // Whether the filters take two rows, as in a panel too narrow for one: the text filter and
    // the cancel button above the instrument and state filters.
    bool filtersWrapped() const;

signals:
    void instrumentSelected(bourse::InstrumentId instrument);

private:
    void createFilterBar();
    void createTables();
    void createActions();
    void layOutPanel();

    void updateInstrumentFilter(const MarketView &view);
    void updateTabTitles();
    void applyFilters();

    void sendReplace(const ReplaceOrder &replace);
    bool sendCancel(OrderId id);
    void sendMassCancel(AccountId account, InstrumentId instrument);
    void showContextMenu(const QPoint &position);
    void editSelected(int column);
    void selectInstrument(const QModelIndex &index);

    OrderGateway *m_gateway = nullptr;
    std::shared_ptr<const MarketView> m_view;
    std::vector<std::pair<InstrumentId, std::string>> m_instruments; // in the filter's list

    BlotterOrdersModel *m_working = nullptr;
    BlotterOrdersModel *m_finished = nullptr;
    BlotterFillsModel *m_fills = nullptr;
    std::vector<BlotterFilterModel *> m_filters; // by Tab
    std::vector<QTableView *> m_tables;          // by Tab

    BlotterFilterBar *m_filterBar = nullptr;
    QLineEdit *m_text = nullptr;
    QComboBox *m_instrument = nullptr;
    QComboBox *m_state = nullptr;
    QTabWidget *m_tabs = nullptr;
    QPushButton *m_cancel = nullptr;
    MessageLine *m_message = nullptr;
    QAction *m_cancelAction = nullptr;
};

} // namespace bourse::ui

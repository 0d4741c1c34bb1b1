#pragma once

#include "ladder_model.h"
#include "market_view.h"

#include <QHash>
#include <QPoint>
#include <QStringList>
#include <QWidget>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

class QComboBox;
class QLabel;
class QTableView;
class QToolButton;

namespace bourse::ui {

class LadderModel;
class LadderOrderCheck;
class LotSpinBox;
class OrderGateway;

// The order book ladder of the focus instrument with click trading.
//
// Mouse: a left click in the bid column places a buy limit at the row's price, in the ask
// column a sell limit, of the quantity and account set above the ladder. The quantity box takes
// the instrument's order sizes only, from its minimum to its maximum order quantity. A right click
// on a working order cell cancels the trader's orders of that side at that price. Dragging such a
// cell to another row moves those orders to the row's price. Hovering a bid or ask cell asks the
// gateway whether that order would pass the pre-trade checks and warns, in the cell and under the
// ladder, when it would not.
//
// Keys, with the ladder focused: Up and Down select a price (and scroll at the edge), Page Up
// and Page Down scroll by a page, Space or C centres on the market, B buys and S sells at the
// selected price, Delete cancels the trader's orders there. The selected row is checked like a
// hovered one, for a buy and for a sell.
class LadderPanel : public QWidget {
    Q_OBJECT

public:
    explicit LadderPanel(QWidget *parent = nullptr);
    ~LadderPanel() override;

    // Shows a new view; the rows update in place. A new focus instrument centres the ladder.
    void showView(const std::shared_ptr<const MarketView> &view);
    // Blanks the panel for a new session.
    void clear();
    // Sets where orders go; nullptr turns trading off. The gateway must outlive the panel or
    // be replaced first.
    void setGateway(OrderGateway *gateway);

    // Centres the ladder on the market price, as Space and C do.
    void recentre();

    // The quantity a click trades, in units of the instrument's quantity decimals; empty while
    // the box contains text that is not a valid order quantity.
    std::optional<Quantity> orderQuantity() const;
    void setOrderQuantity(Quantity quantity);
    // The account a click trades for; zero when the session has none.
    AccountId orderAccount() const;
    // The price of the row the keys act on, if one is selected.
    std::optional<Price> selectedPrice() const { return m_selectedPrice; }
    // The text of the line under the ladder: pre-trade warnings and orders that were not sent.
    QString warningText() const;

    LadderModel *model() const { return m_model; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    // A cell the trader points at: a size cell for a new order, a working order cell for its
    // orders.
    struct Target {
        Side side = Side::Buy;
        Price price;

        friend bool operator==(const Target &, const Target &) = default;
    };

    // A left button that went down on the ladder and is not released yet.
    struct Press {
        int row = -1;
        int column = -1;
        Price price;
        std::optional<Side> workingSide; // set when the press grabbed working orders to move
    };

    void createControls();
    void createTable();
    void applyTerms();
    void applyQuantityTerms();
    void updateAccounts(const std::vector<AccountId> &accounts);
    void applyWarningPalette();
    void widenQuantityColumns();
    void layOutColumns();
    void showQuantityState();
    void elideWarnings();

    bool viewportEvent(QEvent *event);
    void mousePressed(const QPoint &position, Qt::MouseButton button);
    void mouseMoved(const QPoint &position);
    void mouseReleased(const QPoint &position);
    void wheelTurned(int angle);
    bool keyPressed(int key, Qt::KeyboardModifiers modifiers);

    std::optional<Target> sizeCellAt(const QPoint &position) const;
    void moveSelection(int ticks);
    void scrollPage(int pages);
    void selectPrice(std::optional<Price> price);
    void syncSelection();
    void centreTable();
    void updateVisibleRows();

    std::optional<NewOrder> orderAt(Target target) const;
    void submitAt(Target target);
    void cancelAt(Side side, Price price);
    void replaceAt(Side side, Price from, Price to);
    void setNotice(const QString &notice);
    bool tradingAllowed();

    void updateCheckedOrders();
    void showWarnings();

    LadderModel *m_model;
    LadderOrderCheck *m_check;
    QTableView *m_table = nullptr;
    LotSpinBox *m_quantity = nullptr;
    QComboBox *m_account = nullptr;
    QToolButton *m_centre = nullptr;
    QLabel *m_warning = nullptr;

    OrderGateway *m_gateway = nullptr;
    std::shared_ptr<const MarketView> m_view;
    InstrumentId m_instrument;
    std::vector<AccountId> m_accounts;
    QHash<quint32, std::int64_t> m_quantities; // the last valid quantity per instrument

    std::optional<Price> m_selectedPrice;
    std::optional<Target> m_hover;
    std::optional<QPoint> m_mousePosition;
    std::optional<Press> m_press;
    int m_wheelAngle = 0; // the part of a wheel turn not yet scrolled
    QString m_notice;
    std::string m_shownStale;   // the view's replayStale that the warning line shows
    QStringList m_warningLines; // in full; the label shows each one elided to its width
    // By column: the longest text shown for this instrument, in characters of the monospaced
    // ladder font, and the width it needs. A column grows with it and never shrinks, so that
    // the cells do not move under the mouse.
    std::array<qsizetype, LadderModel::ColumnCount> m_textLengths{};
    std::array<int, LadderModel::ColumnCount> m_minimumWidths{};
};

} // namespace bourse::ui

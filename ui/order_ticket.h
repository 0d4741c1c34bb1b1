#pragma once

#include "market_view.h"
#include "order_ticket_input.h"

#include <QWidget>

#include <array>
#include <memory>
#include <optional>
#include <vector>

class QAction;
class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QPushButton;

namespace bourse::ui {

class MessageLine;
class OrderGateway;
class PreTradeCheck;

// The order ticket: every order type and instruction the engine takes, for the focus instrument
// of the views and one of the trader's accounts. The fields are checked as they change, against
// the instrument's tick, lot, decimals and order size limits and the rules the engine applies to
// each combination.
// While a field is invalid, the message line names it and Buy and Sell stay disabled. With a
// gateway, a valid order is also put through the engine's pre-trade check, whose result shows in
// a second line. The buttons and both lines sit right under the account and instrument, so that
// a short dock shows them without scrolling. After a send, the message line follows the order
// through the views and reports whether the engine rejected it, rests it or filled it.
//
// Hotkeys, while the keyboard focus is inside the ticket: F1 or Ctrl+B buys, F2 or Ctrl+S sells,
// and F12 or Ctrl+Shift+X cancels every order of the chosen account in every instrument.
class OrderTicket : public QWidget {
    Q_OBJECT

public:
    explicit OrderTicket(QWidget *parent = nullptr);
    ~OrderTicket() override;

    // Takes the focus instrument's terms, the accounts and the market time from a view. A new
    // focus instrument clears the price fields, since a price of one instrument means nothing
    // for another. The quantity stays.
    void showView(const std::shared_ptr<const MarketView> &view);
    // Forgets the view and the accounts and empties every field, for a new session.
    void clear();
    // Sets the gateway that orders go to, or nullptr to disable trading. The gateway must
    // outlive the ticket, or be replaced first.
    void setGateway(OrderGateway *gateway);

    // Fills the limit price field, as a click on a price of the ladder would.
    void setLimitPrice(Price price);
    void setQuantity(Quantity quantity);

    // The order the fields describe for `side`, or nothing while something stops it.
    std::optional<NewOrder> orderFor(Side side) const;
    // Returns the problem that stops an order of `side`, as a sentence, or nothing when it can
    // be sent.
    QString problemFor(Side side) const;

    // Sends the order of `side` to the gateway, as the buttons and hotkeys do. Returns whether
    // the gateway queued it. Nothing is sent while problemFor(side) is not empty.
    bool send(Side side);
    // Cancels every order of the chosen account, in every instrument. Returns whether the
    // gateway queued the mass cancel.
    bool cancelAll();

    QAction *buyAction() const { return m_buyAction; }
    QAction *sellAction() const { return m_sellAction; }
    QAction *cancelAllAction() const { return m_cancelAllAction; }

private:
    // The focus instrument's terms and the moment, as the latest view states them.
    struct Terms {
        bool known = false;
        SessionMode mode = SessionMode::Simulation;
        InstrumentId instrument;
        QString symbol;
        int priceDecimals = 2;
        int quantityDecimals = 0;
        Price tickSize{1};
        Quantity lotSize{1};
        QuantityLimits quantityLimits; // of one order, from the instrument's quote
        TradingStatus status = TradingStatus::Trading;
        Price lastTrade; // zero before the first trade
        Price bestBid;   // zero when the side is empty
        Price bestAsk;
        Timestamp marketTime;
    };

    // An order the ticket sent, followed through the views until the engine has decided on it.
    struct SentOrder {
        NewOrder order;
        SequenceNumber sequence = 0; // the view's last event when the order was sent
        // The trader's orders of that account, instrument and side before the send: none of
        // them is the sent order, whatever their later events.
        std::vector<OrderId> earlierOrders;
        std::optional<OrderId> working; // once the order rests
    };

    // The fields read into an order, with what stops it.
    struct Draft {
        NewOrder order;                      // every field but the side
        QString problem;                     // stops both sides, empty when none does
        bool incomplete = false;             // the problem is a required field left empty
        std::array<QString, 2> sideProblems; // by Side: what stops only that side
    };

    void createFields();
    void createButtons();
    void createActions();
    void layOutFields();
    void connectFields();

    void updateAccounts(const std::vector<AccountId> &accounts);
    void updateInstrumentLabel();
    void updateEnabledFields();
    void followSentOrder();

    Draft readFields() const;
    QString checkTerms(const Draft &draft) const;
    QString readPrices(Draft &draft) const;
    QString checkInstructions(const Draft &draft) const;
    void checkSides(Draft &draft) const;
    Timestamp now() const;

    // Reads the fields again and updates the buttons, the message and the pre-trade check.
    void refresh();
    // Forgets what the last command did, which no longer describes the fields, and refreshes.
    void editFields();
    void showProblem(const Draft &draft);

    QString describeOrder(const NewOrder &order) const;

    void scheduleCheck();

    OrderGateway *m_gateway = nullptr;
    std::shared_ptr<const MarketView> m_view;
    Terms m_terms;
    std::vector<AccountId> m_accounts;
    Draft m_draft;
    QString m_report; // what the last command did, shown while nothing is wrong
    bool m_reportFailed = false;
    std::optional<SentOrder> m_sent; // the order m_report describes, until its outcome is known

    QComboBox *m_account = nullptr;
    QLabel *m_instrument = nullptr;
    QComboBox *m_type = nullptr;
    QLineEdit *m_quantity = nullptr;
    QLineEdit *m_limitPrice = nullptr;
    QLineEdit *m_stopPrice = nullptr;
    QLineEdit *m_protectionPrice = nullptr;
    QLineEdit *m_displayQuantity = nullptr;
    QComboBox *m_timeInForce = nullptr;
    QDateTimeEdit *m_expiry = nullptr;
    QCheckBox *m_postOnly = nullptr;
    QComboBox *m_selfTradePrevention = nullptr;
    QPushButton *m_buy = nullptr;
    QPushButton *m_sell = nullptr;
    QPushButton *m_cancelAll = nullptr;
    MessageLine *m_message = nullptr;
    MessageLine *m_checkLine = nullptr;
    QAction *m_buyAction = nullptr;
    QAction *m_sellAction = nullptr;
    QAction *m_cancelAllAction = nullptr;

    PreTradeCheck *m_check = nullptr;
};

} // namespace bourse::ui

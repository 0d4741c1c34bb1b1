#pragma once

#include "risk_types.h"
#include "types.h"

#include <QAbstractButton>
#include <QFrame>
#include <QPointer>

#include <array>

class QPushButton;
class QLabel;
class QShortcut;

namespace bourse::ui {

class OrderGateway;
class RiskToneLabel;

// A large red button of the kill switch. It paints itself from theme:: at paint time, and
// shows as lit while its scope is the one engaged.
class KillSwitchButton : public QAbstractButton {
    Q_OBJECT

public:
    explicit KillSwitchButton(const QString &text, QWidget *parent = nullptr);

    // Whether the button's scope is the one now in force.
    void setEngaged(bool engaged);
    bool isEngaged() const { return m_engaged; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    void enterEvent(QEnterEvent *event) override;
    void leaveEvent(QEvent *event) override;

private:
    bool m_engaged = false;
    bool m_hovered = false;
};

// The kill switch of the risk dashboard, for the selected account and for every account
// (global). Each has one button per scope (Pause, Cancel all, Flatten) that engages it at
// once, its state, and a Reset that requests a confirmation first, so that a person resets a
// switch deliberately. Commands go through the gateway. Ctrl+Shift+K, anywhere in the
// application, engages Cancel all for the selected account.
class KillSwitchPanel : public QFrame {
    Q_OBJECT

public:
    explicit KillSwitchPanel(QWidget *parent = nullptr);
    ~KillSwitchPanel() override;

    // Moves the Ctrl+Shift+K shortcut to the panel's top-level window. Qt ignores the shortcuts
    // of a hidden widget, and a closed dock hides the panel, so the shortcut belongs to the
    // window. The panel calls it when it is shown, and the dashboard with every view.
    void attachShortcut();

    // nullptr disables every button, because no session takes commands.
    void setGateway(OrderGateway *gateway);

    // Sets the account that the account row commands. Zero disables that row.
    void setAccount(AccountId account);
    AccountId account() const { return m_account; }

    // The switches as the latest view shows them.
    void setStates(KillSwitchScope account, KillSwitchScope global);

    void clear();

    // Sends an engage of `scope` for `account` (zero: every account) without asking, and
    // reports the outcome in the panel. Returns whether the gateway queued it.
    bool engage(AccountId account, KillSwitchScope scope);

    // Asks the user to confirm a reset of the switch of `account` (zero: the global one), then
    // sends it. Returns whether the gateway queued a reset, which is false when the user
    // cancelled.
    bool reset(AccountId account);

protected:
    void paintEvent(QPaintEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    struct Row {
        QLabel *name = nullptr;
        RiskToneLabel *state = nullptr;
        std::array<KillSwitchButton *, 3> engage{}; // Pause, CancelAll, Flatten
        QPushButton *reset = nullptr;
        KillSwitchScope scope = KillSwitchScope::None;
    };

    void buildRow(Row &row, bool global, int gridRow);
    void updateRow(Row &row, AccountId account, KillSwitchScope scope);
    void updateTexts();
    void showOutcome(const QString &text, bool sent);
    bool confirmReset(AccountId account);
    void engageFromShortcut();

    OrderGateway *m_gateway = nullptr;
    AccountId m_account;
    Row m_accountRow;
    Row m_globalRow;
    RiskToneLabel *m_title;
    RiskToneLabel *m_outcome;
    QPointer<QShortcut> m_shortcut; // a child of the top-level window, which may delete it first
};

// "account 3" or "all accounts" for account zero.
QString killSwitchTarget(AccountId account);

} // namespace bourse::ui

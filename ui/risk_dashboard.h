#pragma once

#include "market_view.h"

#include <QWidget>

#include <array>
#include <memory>

class QComboBox;
class QTableView;

namespace bourse::ui {

class KillSwitchPanel;
class OrderGateway;
class RiskExposureModel;
class RiskLimitsModel;
class RiskNoticesModel;
class RiskToneLabel;

// The risk dashboard of one account, chosen in a combo box. The kill switch is at the top,
// always visible. Below it are the day's P&L with its peak and drawdown, every limit with its
// use and a utilization bar, the exposure per instrument, and the recent risk decisions. The
// dashboard reads everything from the views, and the kill switch sends its commands through
// the gateway.
class RiskDashboard : public QWidget {
    Q_OBJECT

public:
    explicit RiskDashboard(QWidget *parent = nullptr);

    // Shows a view. Rows are updated in place and no model resets, so it can run for every
    // view, up to 60 a second.
    void showView(const std::shared_ptr<const MarketView> &view);

    // Blanks the dashboard for a new session. The gateway stays.
    void clear();

    // nullptr disables the kill switch buttons, because no session takes commands.
    void setGateway(OrderGateway *gateway);

    // The account shown, zero before a view lists one.
    AccountId selectedAccount() const;
    // Shows `account` when the latest view lists it. Returns whether it did.
    bool selectAccount(AccountId account);

    KillSwitchPanel *killSwitch() const { return m_killSwitch; }
    RiskLimitsModel *limitsModel() const { return m_limits; }
    RiskExposureModel *exposureModel() const { return m_exposure; }
    RiskNoticesModel *noticesModel() const { return m_notices; }

private:
    enum Figure { Realized, Unrealized, Total, Peak, Drawdown, FigureCount };

    QWidget *createFigures();
    QWidget *createTables();
    void updateAccounts(const std::vector<AccountId> &accounts);
    void showAccount();
    void showFigures(const RiskMonitor *monitor, int moneyDecimals);

    std::shared_ptr<const MarketView> m_view;
    QComboBox *m_account;
    KillSwitchPanel *m_killSwitch;
    std::array<RiskToneLabel *, FigureCount> m_figures{};
    RiskLimitsModel *m_limits;
    RiskExposureModel *m_exposure;
    RiskNoticesModel *m_notices;
    QTableView *m_limitsTable = nullptr;
    QTableView *m_exposureTable = nullptr;
    QTableView *m_noticesTable = nullptr;
};

} // namespace bourse::ui

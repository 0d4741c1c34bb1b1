#include "order_gateway.h"
#include "risk_colors.h"
#include "risk_dashboard.h"
#include "risk_exposure_model.h"
#include "risk_kill_switch.h"
#include "risk_limits_model.h"
#include "risk_notices_model.h"
#include "risk_tone_label.h"
#include "risk_utilization_delegate.h"
#include "theme.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDir>
#include <QImage>
#include <QLineEdit>
#include <QMessageBox>
#include <QPainter>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QTimer>

#include <memory>
#include <vector>

using namespace bourse;
using namespace bourse::ui;

namespace {

// Records the commands a panel sends and returns `accept` for each of them.
class FakeGateway final : public OrderGateway {
public:
    struct Engage {
        AccountId account;
        KillSwitchScope scope = KillSwitchScope::None;
    };

    bool submit(const NewOrder &) override { return accept; }
    bool cancel(OrderId) override { return accept; }
    bool replace(const ReplaceOrder &) override { return accept; }
    bool massCancel(const MassCancel &) override { return accept; }
    bool engageKillSwitch(AccountId account, KillSwitchScope scope) override
    {
        engages.push_back({account, scope});
        return accept;
    }
    bool resetKillSwitch(AccountId account) override
    {
        resets.push_back(account);
        return accept;
    }
    std::future<Session::CheckAnswer> checkOrder(const NewOrder &) override
    {
        std::promise<Session::CheckAnswer> answer;
        answer.set_value({});
        return answer.get_future();
    }

    bool accept = true;
    std::vector<Engage> engages;
    std::vector<AccountId> resets;
};

constexpr AccountId kAccount{7};
constexpr AccountId kOtherAccount{9};
constexpr InstrumentId kWholeLots{1}; // ABC: 2 price decimals, whole lots
constexpr InstrumentId kTenthLots{2}; // XYZ: 4 price decimals, lots in tenths

InstrumentQuote quote(InstrumentId id, const char *symbol, int priceDecimals, int quantityDecimals)
{
    InstrumentQuote quote;
    quote.instrument = id;
    quote.symbol = symbol;
    quote.currency = "USD";
    quote.priceDecimals = priceDecimals;
    quote.quantityDecimals = quantityDecimals;
    return quote;
}

LimitUse limitUse(RiskRule rule, LimitScope scope, InstrumentId instrument, std::int64_t use,
                  std::int64_t limit)
{
    return {rule, scope, instrument, use, limit, utilizationBasisPoints(use, limit)};
}

// Two accounts over two instruments. Account 7 has P&L, two positions, four limits with a
// standing use and three limits on each order. Account 9 has none of them, and its own kill
// switch is at Pause.
std::shared_ptr<MarketView> riskView()
{
    auto view = std::make_shared<MarketView>();
    view->lastSequence = 100;
    view->instruments = {quote(kWholeLots, "ABC", 2, 0), quote(kTenthLots, "XYZ", 4, 1)};
    view->trader.accounts = {kAccount, kOtherAccount};

    RiskMonitor monitor;
    monitor.account = kAccount;
    monitor.day = {Money{12'345}, Money{-2'345}, Money{10'000}, Money{15'000}, Money{5'000}};
    // 300 ABC at 123.45 is 37,035.00. -1.5 XYZ at 123.4500 is -185.175, which rounds half to
    // even to -185.18.
    monitor.exposures = {{kWholeLots, Quantity{300}, Price{12'345}, Money{3'703'500}},
                         {kTenthLots, Quantity{-15}, Price{1'234'500}, Money{-18'518}}};
    monitor.limits = {
        limitUse(RiskRule::DailyLoss, LimitScope::AccountDefault, {}, 7'999, 10'000),
        limitUse(RiskRule::OpenOrders, LimitScope::AccountDefault, {}, 8, 10),
        limitUse(RiskRule::PositionLong, LimitScope::InstrumentOverride, kTenthLots, 15, 15),
        limitUse(RiskRule::OrderRate, LimitScope::AccountDefault, {}, 3, 100),
    };
    RiskMonitor other;
    other.account = kOtherAccount;
    other.killSwitch = KillSwitchScope::Pause;
    view->trader.risk = {monitor, other};

    RiskLimits limits;
    limits.maximumOrderQuantity = Quantity{500};
    limits.maximumOrderNotional = Money{1'000'000};
    limits.priceBandBasisPoints = 500;
    view->trader.limits = {limits, RiskLimits{}};

    OwnPosition position;
    position.account = kAccount;
    position.instrument = kWholeLots;
    position.currency = "USD";
    position.moneyDecimals = 2;
    position.quantity = Quantity{300};
    view->trader.positions = {position};
    return view;
}

RiskNotice notice(SequenceNumber sequence, AccountId account, RiskRule rule, const char *text)
{
    RiskNotice notice;
    notice.sequence = sequence;
    // Market time since midnight: 09:30:00 plus `sequence` milliseconds.
    const auto millisecond = static_cast<std::int64_t>(sequence) * 1'000'000;
    notice.time = Timestamp{std::int64_t{9 * 3600 + 30 * 60} * 1'000'000'000 + millisecond};
    notice.account = account;
    notice.rule = rule;
    notice.text = text;
    return notice;
}

QString cell(const QAbstractItemModel &model, int row, int column)
{
    return model.index(row, column).data().toString();
}

// Saves a grab of `widget` when BOURSE_UI_SCREENSHOTS names a folder, for a person to look at.
void saveScreenshot(QWidget &widget, const QString &name)
{
    const QString folder = qEnvironmentVariable("BOURSE_UI_SCREENSHOTS");
    if (folder.isEmpty())
        return;
    QDir().mkpath(folder);
    QVERIFY(widget.grab().save(QDir(folder).filePath(name)));
}

// Clicks the button with `role` in the reset confirmation that the next modal loop opens, and
// records that the confirmation was shown.
void answerConfirmation(QMessageBox::ButtonRole role, bool *shown)
{
    QTimer::singleShot(0, [role, shown] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box || box->objectName() != QStringLiteral("killSwitchResetConfirmation"))
            return;
        *shown = true;
        for (QAbstractButton *button : box->buttons()) {
            if (box->buttonRole(button) == role) {
                button->click();
                return;
            }
        }
    });
}

struct Dashboard {
    RiskDashboard widget;
    FakeGateway gateway;
    QAbstractItemModelTester limitsTester{widget.limitsModel()};
    QAbstractItemModelTester exposureTester{widget.exposureModel()};
    QAbstractItemModelTester noticesTester{widget.noticesModel()};

    Dashboard()
    {
        widget.setGateway(&gateway);
        widget.resize(900, 760);
    }

    KillSwitchButton *button(const char *name) const
    {
        return widget.findChild<KillSwitchButton *>(QString::fromLatin1(name));
    }
    QPushButton *pushButton(const char *name) const
    {
        return widget.findChild<QPushButton *>(QString::fromLatin1(name));
    }
    RiskToneLabel *label(const char *name) const
    {
        return widget.findChild<RiskToneLabel *>(QString::fromLatin1(name));
    }
};

} // namespace

class RiskDashboardTest : public QObject {
    Q_OBJECT

private slots:
    void limitRowsFromMonitor();
    void utilizationLevels_data();
    void utilizationLevels();
    void limitsUpdateInPlace();
    void figuresAndExposure();
    void otherAccountSelected();
    void noticesOfAccountNewestFirst();
    void settingsNoticeNamedSettings();
    void killSwitchEngagesOnce_data();
    void killSwitchEngagesOnce();
    void killSwitchShortcutCancelsAll();
    void killSwitchButtonTakesSpace();
    void shortcutWorksWithDashboardHidden();
    void killSwitchShowsStates();
    void resetCancelledSendsNothing();
    void resetConfirmedSendsOnce();
    void resetConfirmationDefaultsToCancel();
    void withoutGatewayButtonsDisabled();
    void rejectedCommandShownAsNotSent();
    void killSwitchNamedForAccessibility();
    void clearBlanksDashboard();
    void screenshot();
};

void RiskDashboardTest::limitRowsFromMonitor()
{
    Dashboard dashboard;
    dashboard.widget.showView(riskView());
    const RiskLimitsModel &model = *dashboard.widget.limitsModel();

    // Account-wide limits first, by rule, then XYZ's position limit. Money has 2 decimals, XYZ's
    // quantities 1, and the account-wide order size shows whole lots because ABC and XYZ differ.
    const QList<QStringList> expected{
        {"Daily loss", "Account", "All", "79.99", "100.00", "79.99%"},
        {"Open orders", "Account", "All", "8", "10", "80.00%"},
        {"Order rate", "Account", "All", "3/s", "100/s", "3.00%"},
        {"Order size", "Account", "All", "each order", "500", ""},
        {"Order notional", "Account", "All", "each order", "10,000.00", ""},
        {"Price band", "Account", "All", "each order", "500 bp", ""},
        {"Long position", "Instrument", "XYZ", "1.5", "1.5", "100.00%"},
    };
    QCOMPARE(model.rowCount(), expected.size());
    for (int row = 0; row < model.rowCount(); ++row) {
        QStringList shown;
        for (int column = 0; column < RiskLimitsModel::ColumnCount; ++column)
            shown << cell(model, row, column);
        QCOMPARE(shown, expected[row]);
    }
    const QModelIndex perOrder = model.index(3, RiskLimitsModel::UtilizationColumn);
    QVERIFY(!perOrder.data(RiskLimitsModel::UtilizationRole).isValid());
}

void RiskDashboardTest::utilizationLevels_data()
{
    QTest::addColumn<qint64>("use");
    QTest::addColumn<qint64>("limit");
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("level");

    QTest::newRow("79.99% normal")
        << qint64{7'999} << qint64{10'000} << "79.99%" << int(RiskAlertLevel::Normal);
    QTest::newRow("80% warning") << qint64{8} << qint64{10} << "80.00%"
                                 << int(RiskAlertLevel::Warning);
    QTest::newRow("99.99% warning")
        << qint64{9'999} << qint64{10'000} << "99.99%" << int(RiskAlertLevel::Warning);
    QTest::newRow("100% breach") << qint64{15} << qint64{15} << "100.00%"
                                 << int(RiskAlertLevel::Breach);
    QTest::newRow("150% breach") << qint64{3} << qint64{2} << "150.00%"
                                 << int(RiskAlertLevel::Breach);
}

void RiskDashboardTest::utilizationLevels()
{
    QFETCH(qint64, use);
    QFETCH(qint64, limit);
    QFETCH(QString, text);
    QFETCH(int, level);

    auto view = riskView();
    view->trader.risk[0].limits = {
        limitUse(RiskRule::OpenOrders, LimitScope::AccountDefault, {}, use, limit)};
    view->trader.limits[0] = RiskLimits{};
    RiskLimitsModel model;
    QAbstractItemModelTester tester(&model);
    model.setRows(riskLimitRows(*view, kAccount));
    QCOMPARE(model.rowCount(), 1);
    const QModelIndex index = model.index(0, RiskLimitsModel::UtilizationColumn);
    QCOMPARE(index.data().toString(), text);
    QCOMPARE(index.data(RiskLimitsModel::LevelRole).toInt(), level);

    // The delegate fills the start of the track in the level's colour.
    RiskUtilizationDelegate delegate;
    QStyleOptionViewItem option;
    option.rect = QRect(0, 0, 320, 24);
    option.font = QApplication::font();
    option.fontMetrics = QFontMetrics(option.font);
    option.palette = QApplication::palette();
    QImage image(option.rect.size(), QImage::Format_ARGB32);
    image.fill(Qt::black);
    {
        QPainter painter(&image);
        delegate.paint(&painter, option, index);
    }
    const QRect track = RiskUtilizationDelegate::trackRect(option, option.rect);
    const QColor painted = image.pixelColor(track.left() + 2, track.center().y());
    QCOMPARE(painted, riskLevelColor(static_cast<RiskAlertLevel>(level)));
}

void RiskDashboardTest::limitsUpdateInPlace()
{
    Dashboard dashboard;
    auto view = riskView();
    dashboard.widget.showView(view);
    RiskLimitsModel *model = dashboard.widget.limitsModel();
    QSignalSpy resets(model, &QAbstractItemModel::modelReset);
    QSignalSpy changed(model, &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(model, &QAbstractItemModel::rowsRemoved);

    auto next = std::make_shared<MarketView>(*view);
    next->lastSequence = 101;
    next->trader.risk[0].limits[1] =
        limitUse(RiskRule::OpenOrders, LimitScope::AccountDefault, {}, 9, 10);
    dashboard.widget.showView(next);

    QCOMPARE(resets.count(), 0);
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(removed.count(), 0);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed[0][0].toModelIndex().row(), 1);
    QCOMPARE(cell(*model, 1, RiskLimitsModel::UseColumn), QStringLiteral("9"));

    // The same view again changes nothing.
    dashboard.widget.showView(next);
    QCOMPARE(changed.count(), 1);

    // A limit that goes is removed alone.
    auto fewer = std::make_shared<MarketView>(*next);
    fewer->trader.risk[0].limits.pop_back(); // order rate
    dashboard.widget.showView(fewer);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(removed[0][1].toInt(), 2);
    QCOMPARE(resets.count(), 0);
    QCOMPARE(model->rowCount(), 6);
}

void RiskDashboardTest::figuresAndExposure()
{
    Dashboard dashboard;
    dashboard.widget.showView(riskView());

    QCOMPARE(dashboard.label("realizedFigure")->text(), QStringLiteral("123.45"));
    QCOMPARE(dashboard.label("realizedFigure")->tone(), RiskToneLabel::Tone::Gain);
    QCOMPARE(dashboard.label("unrealizedFigure")->text(), QStringLiteral("-23.45"));
    QCOMPARE(dashboard.label("unrealizedFigure")->tone(), RiskToneLabel::Tone::Loss);
    QCOMPARE(dashboard.label("totalFigure")->text(), QStringLiteral("100.00"));
    QCOMPARE(dashboard.label("peakFigure")->text(), QStringLiteral("150.00"));
    QCOMPARE(dashboard.label("drawdownFigure")->text(), QStringLiteral("50.00"));
    QCOMPARE(dashboard.label("drawdownFigure")->tone(), RiskToneLabel::Tone::Loss);

    const RiskExposureModel &exposure = *dashboard.widget.exposureModel();
    QCOMPARE(exposure.rowCount(), 2);
    const QStringList abc{cell(exposure, 0, 0), cell(exposure, 0, 1), cell(exposure, 0, 2),
                          cell(exposure, 0, 3)};
    QCOMPARE(abc, QStringList({"ABC", "300", "123.45", "37,035.00"}));
    const QStringList xyz{cell(exposure, 1, 0), cell(exposure, 1, 1), cell(exposure, 1, 2),
                          cell(exposure, 1, 3)};
    QCOMPARE(xyz, QStringList({"XYZ", "-1.5", "123.4500", "-185.18"}));
}

void RiskDashboardTest::otherAccountSelected()
{
    Dashboard dashboard;
    dashboard.widget.showView(riskView());
    QCOMPARE(dashboard.widget.selectedAccount(), kAccount);

    QVERIFY(dashboard.widget.selectAccount(kOtherAccount));

    QCOMPARE(dashboard.widget.selectedAccount(), kOtherAccount);
    QCOMPARE(dashboard.widget.killSwitch()->account(), kOtherAccount);
    QCOMPARE(dashboard.widget.limitsModel()->rowCount(), 0);
    QCOMPARE(dashboard.widget.exposureModel()->rowCount(), 0);
    QCOMPARE(dashboard.label("accountKillSwitchState")->text(), QStringLiteral("ENGAGED: PAUSE"));
    QCOMPARE(dashboard.label("totalFigure")->text(), QStringLiteral("0.00"));
    QVERIFY(!dashboard.widget.selectAccount(AccountId{42}));
    QCOMPARE(dashboard.widget.selectedAccount(), kOtherAccount);

    // A new view keeps the chosen account.
    dashboard.widget.showView(riskView());
    QCOMPARE(dashboard.widget.selectedAccount(), kOtherAccount);
}

void RiskDashboardTest::settingsNoticeNamedSettings()
{
    Dashboard dashboard;
    auto view = riskView();
    view->trader.riskNotices = {notice(90, kAccount, RiskRule::None, "risk limits set")};
    dashboard.widget.showView(view);

    RiskNoticesModel *model = dashboard.widget.noticesModel();
    QCOMPARE(model->rowCount(), 1);
    QCOMPARE(cell(*model, 0, RiskNoticesModel::RuleColumn), QStringLiteral("Settings"));
}

void RiskDashboardTest::noticesOfAccountNewestFirst()
{
    Dashboard dashboard;
    auto view = riskView();
    view->trader.riskNotices = {
        notice(90, kAccount, RiskRule::DailyLoss, "alert: daily loss at 80%"),
        notice(80, kOtherAccount, RiskRule::OpenOrders, "rejected: open orders"),
        notice(70, AccountId{}, RiskRule::KillSwitch, "kill switch pause engaged for all"),
    };
    dashboard.widget.showView(view);
    RiskNoticesModel *model = dashboard.widget.noticesModel();
    QCOMPARE(model->rowCount(), 2);
    QCOMPARE(cell(*model, 0, RiskNoticesModel::TextColumn),
             QStringLiteral("alert: daily loss at 80%"));
    QCOMPARE(cell(*model, 0, RiskNoticesModel::RuleColumn), QStringLiteral("Daily loss"));
    QCOMPARE(cell(*model, 0, RiskNoticesModel::TimeColumn), QStringLiteral("09:30:00.090"));
    QCOMPARE(cell(*model, 1, RiskNoticesModel::RuleColumn), QStringLiteral("Kill switch"));

    QSignalSpy resets(model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(model, &QAbstractItemModel::rowsInserted);
    auto next = std::make_shared<MarketView>(*view);
    next->lastSequence = 120;
    next->trader.riskNotices.insert(
        next->trader.riskNotices.begin(),
        notice(110, kAccount, RiskRule::PositionLong, "rejected: position limit"));
    dashboard.widget.showView(next);

    QCOMPARE(resets.count(), 0);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted[0][1].toInt(), 0);
    QCOMPARE(inserted[0][2].toInt(), 0);
    QCOMPARE(cell(*model, 0, RiskNoticesModel::TextColumn),
             QStringLiteral("rejected: position limit"));
    QCOMPARE(model->rowCount(), 3);
}

void RiskDashboardTest::killSwitchEngagesOnce_data()
{
    QTest::addColumn<QString>("button");
    QTest::addColumn<quint32>("account");
    QTest::addColumn<int>("scope");

    const auto pause = int(KillSwitchScope::Pause);
    const auto cancelAll = int(KillSwitchScope::CancelAll);
    const auto flatten = int(KillSwitchScope::Flatten);
    QTest::newRow("account pause") << "accountPauseButton" << kAccount.value() << pause;
    QTest::newRow("account cancel all")
        << "accountCancelAllButton" << kAccount.value() << cancelAll;
    QTest::newRow("account flatten") << "accountFlattenButton" << kAccount.value() << flatten;
    QTest::newRow("global pause") << "globalPauseButton" << 0u << pause;
    QTest::newRow("global cancel all") << "globalCancelAllButton" << 0u << cancelAll;
    QTest::newRow("global flatten") << "globalFlattenButton" << 0u << flatten;
}

void RiskDashboardTest::killSwitchEngagesOnce()
{
    QFETCH(QString, button);
    QFETCH(quint32, account);
    QFETCH(int, scope);

    Dashboard dashboard;
    dashboard.widget.showView(riskView());
    dashboard.widget.show();
    auto *target = dashboard.widget.findChild<KillSwitchButton *>(button);
    QVERIFY(target);
    QVERIFY(target->isEnabled());

    QTest::mouseClick(target, Qt::LeftButton);

    // One click, no confirmation: exactly one engage with the scope and the account.
    QCOMPARE(dashboard.gateway.engages.size(), std::size_t{1});
    QCOMPARE(dashboard.gateway.engages[0].account, AccountId{account});
    QCOMPARE(int(dashboard.gateway.engages[0].scope), scope);
    QVERIFY(dashboard.gateway.resets.empty());
    QVERIFY(!QApplication::activeModalWidget());
    QVERIFY(dashboard.label("killSwitchOutcome")->text().contains(QStringLiteral("sent for")));
}

void RiskDashboardTest::killSwitchShortcutCancelsAll()
{
    Dashboard dashboard;
    dashboard.widget.showView(riskView());
    dashboard.widget.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dashboard.widget));
    auto *limits = dashboard.widget.findChild<QTableView *>(QStringLiteral("riskLimitsTable"));
    limits->setFocus();

    QTest::keyClick(limits, Qt::Key_K, Qt::ControlModifier | Qt::ShiftModifier);

    QCOMPARE(dashboard.gateway.engages.size(), std::size_t{1});
    QCOMPARE(dashboard.gateway.engages[0].account, kAccount);
    QCOMPARE(dashboard.gateway.engages[0].scope, KillSwitchScope::CancelAll);
}

void RiskDashboardTest::shortcutWorksWithDashboardHidden()
{
    // The terminal keeps the dashboard in a dock that the user may close.
    QWidget window;
    auto *dashboard = new RiskDashboard(&window);
    auto *other = new QLineEdit(&window);
    FakeGateway gateway;
    dashboard->setGateway(&gateway);
    dashboard->showView(riskView());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    dashboard->hide();
    other->setFocus();

    QTest::keyClick(other, Qt::Key_K, Qt::ControlModifier | Qt::ShiftModifier);

    QCOMPARE(gateway.engages.size(), std::size_t{1});
    QCOMPARE(gateway.engages[0].scope, KillSwitchScope::CancelAll);
}

void RiskDashboardTest::killSwitchButtonTakesSpace()
{
    Dashboard dashboard;
    dashboard.widget.showView(riskView());
    dashboard.widget.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dashboard.widget));
    KillSwitchButton *flatten = dashboard.button("accountFlattenButton");
    flatten->setFocus(Qt::TabFocusReason);
    QVERIFY(flatten->hasFocus());

    QTest::keyClick(flatten, Qt::Key_Space);

    QCOMPARE(dashboard.gateway.engages.size(), std::size_t{1});
    QCOMPARE(dashboard.gateway.engages[0].account, kAccount);
    QCOMPARE(dashboard.gateway.engages[0].scope, KillSwitchScope::Flatten);
}

void RiskDashboardTest::killSwitchShowsStates()
{
    Dashboard dashboard;
    auto view = riskView();
    view->trader.risk[0].killSwitch = KillSwitchScope::CancelAll;
    view->trader.globalKillSwitch = KillSwitchScope::Flatten;
    dashboard.widget.showView(view);

    QCOMPARE(dashboard.label("accountKillSwitchState")->text(),
             QStringLiteral("ENGAGED: CANCEL ALL"));
    QCOMPARE(dashboard.label("accountKillSwitchState")->tone(), RiskToneLabel::Tone::Alarm);
    QCOMPARE(dashboard.label("globalKillSwitchState")->text(), QStringLiteral("ENGAGED: FLATTEN"));
    QVERIFY(dashboard.button("accountCancelAllButton")->isEngaged());
    QVERIFY(!dashboard.button("accountPauseButton")->isEngaged());
    QVERIFY(dashboard.button("globalFlattenButton")->isEngaged());
    QVERIFY(dashboard.pushButton("accountResetButton")->isEnabled());
    QVERIFY(dashboard.pushButton("globalResetButton")->isEnabled());

    dashboard.widget.showView(riskView());
    QCOMPARE(dashboard.label("accountKillSwitchState")->text(), QStringLiteral("Off"));
    QCOMPARE(dashboard.label("globalKillSwitchState")->tone(), RiskToneLabel::Tone::Muted);
    QVERIFY(!dashboard.pushButton("accountResetButton")->isEnabled());
    QVERIFY(!dashboard.button("accountCancelAllButton")->isEngaged());
}

void RiskDashboardTest::resetCancelledSendsNothing()
{
    Dashboard dashboard;
    auto view = riskView();
    view->trader.risk[0].killSwitch = KillSwitchScope::CancelAll;
    dashboard.widget.showView(view);
    dashboard.widget.show();
    bool shown = false;
    answerConfirmation(QMessageBox::RejectRole, &shown);

    QTest::mouseClick(dashboard.pushButton("accountResetButton"), Qt::LeftButton);

    QVERIFY(shown);
    QVERIFY(dashboard.gateway.resets.empty());
    QVERIFY(dashboard.gateway.engages.empty());
}

void RiskDashboardTest::resetConfirmedSendsOnce()
{
    Dashboard dashboard;
    auto view = riskView();
    view->trader.globalKillSwitch = KillSwitchScope::Pause;
    dashboard.widget.showView(view);
    dashboard.widget.show();
    bool shown = false;
    answerConfirmation(QMessageBox::AcceptRole, &shown);

    QTest::mouseClick(dashboard.pushButton("globalResetButton"), Qt::LeftButton);

    QVERIFY(shown);
    QCOMPARE(dashboard.gateway.resets.size(), std::size_t{1});
    QCOMPARE(dashboard.gateway.resets[0], AccountId{});
    QVERIFY(dashboard.gateway.engages.empty());
}

void RiskDashboardTest::resetConfirmationDefaultsToCancel()
{
    Dashboard dashboard;
    auto view = riskView();
    view->trader.risk[0].killSwitch = KillSwitchScope::Pause;
    dashboard.widget.showView(view);
    dashboard.widget.show();
    bool cancelIsDefault = false;
    QTimer::singleShot(0, [&cancelIsDefault] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box)
            return;
        cancelIsDefault = box->defaultButton() == box->button(QMessageBox::Cancel);
        // Enter presses the default button, which must keep the switch engaged.
        QTest::keyClick(box, Qt::Key_Return);
    });

    QTest::mouseClick(dashboard.pushButton("accountResetButton"), Qt::LeftButton);

    QVERIFY(cancelIsDefault);
    QVERIFY(dashboard.gateway.resets.empty());
}

void RiskDashboardTest::withoutGatewayButtonsDisabled()
{
    Dashboard dashboard;
    dashboard.widget.setGateway(nullptr);
    dashboard.widget.showView(riskView());

    for (const char *name : {"accountPauseButton", "accountCancelAllButton", "accountFlattenButton",
                             "globalPauseButton", "globalCancelAllButton", "globalFlattenButton"})
        QVERIFY2(!dashboard.button(name)->isEnabled(), name);
    QVERIFY(!dashboard.widget.killSwitch()->engage(kAccount, KillSwitchScope::Pause));
    QVERIFY(dashboard.gateway.engages.empty());
}

void RiskDashboardTest::rejectedCommandShownAsNotSent()
{
    Dashboard dashboard;
    dashboard.gateway.accept = false;
    dashboard.widget.showView(riskView());
    dashboard.widget.show();

    QTest::mouseClick(dashboard.button("globalPauseButton"), Qt::LeftButton);

    QCOMPARE(dashboard.gateway.engages.size(), std::size_t{1});
    RiskToneLabel *outcome = dashboard.label("killSwitchOutcome");
    QVERIFY2(outcome->text().contains(QStringLiteral("Not sent")), qPrintable(outcome->text()));
    QCOMPARE(outcome->tone(), RiskToneLabel::Tone::Alarm);
}

void RiskDashboardTest::killSwitchNamedForAccessibility()
{
    Dashboard dashboard;
    dashboard.widget.showView(riskView());

    QCOMPARE(dashboard.button("accountCancelAllButton")->accessibleName(),
             QStringLiteral("Kill switch: cancel all orders of account 7"));
    QCOMPARE(dashboard.button("globalFlattenButton")->accessibleName(),
             QStringLiteral("Kill switch: flatten all accounts"));
    QCOMPARE(dashboard.pushButton("accountResetButton")->accessibleName(),
             QStringLiteral("Reset the kill switch of account 7"));
    for (KillSwitchButton *button : dashboard.widget.findChildren<KillSwitchButton *>()) {
        QVERIFY(!button->accessibleName().isEmpty());
        QCOMPARE(button->focusPolicy(), Qt::StrongFocus);
    }
}

void RiskDashboardTest::clearBlanksDashboard()
{
    Dashboard dashboard;
    dashboard.widget.showView(riskView());

    dashboard.widget.clear();

    QCOMPARE(dashboard.widget.selectedAccount(), AccountId{});
    QCOMPARE(dashboard.widget.limitsModel()->rowCount(), 0);
    QCOMPARE(dashboard.widget.exposureModel()->rowCount(), 0);
    QCOMPARE(dashboard.label("totalFigure")->text(), QStringLiteral("\u2014"));
    QVERIFY(!dashboard.button("accountPauseButton")->isEnabled());
    QVERIFY(dashboard.button("globalPauseButton")->isEnabled());
}

void RiskDashboardTest::screenshot()
{
    Dashboard dashboard;
    auto view = riskView();
    view->trader.risk[0].killSwitch = KillSwitchScope::CancelAll;
    view->trader.riskNotices = {
        notice(90, kAccount, RiskRule::DailyLoss,
               "alert: daily loss at 79.99% of the account limit of 100.00"),
        notice(70, kAccount, RiskRule::PositionLong,
               "rejected: position limit, would be 1.6 long against the instrument limit of 1.5 "
               "(position 1.5, open buys 0, this order 0.1)"),
        notice(60, AccountId{}, RiskRule::KillSwitch, "kill switch cancel-all engaged"),
    };
    dashboard.widget.showView(view);
    dashboard.widget.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dashboard.widget));
    auto &app = *qobject_cast<QApplication *>(QCoreApplication::instance());
    theme::apply(app, theme::Theme::Dark);
    QCoreApplication::processEvents();
    saveScreenshot(dashboard.widget, QStringLiteral("risk_dashboard_dark.png"));
    theme::apply(app, theme::Theme::Light);
    QCoreApplication::processEvents();
    saveScreenshot(dashboard.widget, QStringLiteral("risk_dashboard_light.png"));
}

QTEST_MAIN(RiskDashboardTest)
#include "tst_risk_dashboard.moc"

// The Branch panel: what it shows before a branch and where a session cannot branch, the columns
// and differences it shows from a view's comparison, its chart, and its place in the window.

#include "blotter_model.h"
#include "branch_panel.h"
#include "main_window.h"
#include "positions_model.h"
#include "theme.h"
#include "workspace_docks.h"
#include "workspace_layouts.h"
#include "workspace_manager.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QDockWidget>
#include <QMenu>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace bourse;
using bourse::ui::BranchPanel;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
// 9:30:00.200 after midnight, as a replayed LOBSTER day counts its times.
constexpr std::int64_t kMoment = 34'200 * kSecond + 200'000'000;

// The comparison the session test works out by hand: the original long 30 after its bid filled,
// the branch flat after selling 10 and then long 20 from the same bid.
std::shared_ptr<MarketView> branchedView()
{
    auto view = std::make_shared<MarketView>();
    view->mode = SessionMode::Replay;
    view->takesOrders = true;
    BranchComparison comparison;
    comparison.moment = Timestamp{kMoment};
    comparison.momentSequence = 3;
    comparison.branches = 1;
    comparison.currency = "USD";
    comparison.moneyDecimals = 2;
    comparison.mark = Price{5'000'500};
    comparison.original = {Money{0}, Money{70}, Money{151}, Money{-81}, Quantity{30}, 2};
    comparison.branch = {Money{-100}, Money{120}, Money{251}, Money{-231}, Quantity{20}, 3};
    comparison.curve = {{Timestamp{kMoment}, Money{-101}, Money{-101}},
                        {Timestamp{kMoment + 2 * kSecond}, Money{-101}, Money{-301}},
                        {Timestamp{kMoment + 4 * kSecond}, Money{-81}, Money{-231}}};
    comparison.sampleIntervalNanoseconds = kSecond;
    view->branch = comparison;
    return view;
}

// One working order, one fill and one position in GOOG, simulated, of the branch or not.
MarketView tradedView(bool branch)
{
    MarketView view;
    InstrumentQuote quote;
    quote.instrument = InstrumentId{1};
    quote.symbol = "GOOG";
    quote.priceDecimals = 4;
    view.instruments = {quote};
    view.trader.accounts = {AccountId{1}};

    OwnOrder order;
    order.id = OrderId{3};
    order.account = AccountId{1};
    order.instrument = InstrumentId{1};
    order.limit = Price{5'789'300};
    order.quantity = Quantity{100};
    order.remaining = Quantity{100};
    order.simulated = true;
    order.branch = branch;
    view.trader.workingOrders = {order};

    OwnFill fill;
    fill.tradeSequence = 7;
    fill.order = OrderId{2};
    fill.account = AccountId{1};
    fill.instrument = InstrumentId{1};
    fill.price = Price{5'790'000};
    fill.quantity = Quantity{41};
    fill.simulated = true;
    fill.branch = branch;
    view.trader.fills = {fill};

    OwnPosition position;
    position.account = AccountId{1};
    position.instrument = InstrumentId{1};
    position.currency = "USD";
    position.quantity = Quantity{41};
    position.simulated = true;
    position.branch = branch;
    view.trader.positions = {position};
    return view;
}

QString cell(const QAbstractItemModel &model, int row, int column)
{
    return model.index(row, column).data().toString();
}

} // namespace

class BranchPanelTest : public QObject {
    Q_OBJECT

private slots:
    void emptyPanelExplainsBranch();
    void simulationShowsReason();
    void comparisonShowsColumnsAndDifference();
    void secondBranchNamesCount();
    void clearForgetsComparison();
    void windowHasBranchDockAndAction();
    void blotterAndPositionsMarkBranch();
    void branchShortcutKeepsTicketFocus();
};

void BranchPanelTest::emptyPanelExplainsBranch()
{
    BranchPanel panel;
    auto view = std::make_shared<MarketView>();
    view->mode = SessionMode::Replay;
    view->takesOrders = true;
    panel.showView(view);
    QVERIFY(panel.statusText().contains(QStringLiteral("sandbox")));
    QVERIFY(panel.branchButton()->isEnabled());
    QCOMPARE(panel.branchButton()->text(), QStringLiteral("Branch"));
    QCOMPARE(panel.cellText(BranchPanel::TotalRow, BranchPanel::BranchColumn),
             QStringLiteral("\u2014"));
    QVERIFY(panel.curve().samples().empty());
}

// A session that cannot branch gives the reason, and the button is off.
void BranchPanelTest::simulationShowsReason()
{
    BranchPanel panel;
    auto view = std::make_shared<MarketView>();
    view->mode = SessionMode::Simulation;
    view->branchUnavailable = "Branch works on a replay.";
    panel.showView(view);
    QCOMPARE(panel.statusText(), QStringLiteral("Branch works on a replay."));
    QVERIFY(!panel.branchButton()->isEnabled());

    // Asked anyway, as from the menu without a session, it repeats the reason.
    panel.branchNow();
    QCOMPARE(panel.statusText(), QStringLiteral("Branch works on a replay."));
}

// Differences are branch minus original: -$1.00 realized, +$0.50 unrealized, +$1.00 of fees,
// -$1.50 in total, 10 fewer shares and one more fill.
void BranchPanelTest::comparisonShowsColumnsAndDifference()
{
    BranchPanel panel;
    panel.showView(branchedView());
    QVERIFY(panel.statusText().contains(QStringLiteral("09:30:00.200")));
    QVERIFY(panel.statusText().contains(QStringLiteral("event 3")));
    QCOMPARE(panel.branchButton()->text(), QStringLiteral("Branch again"));

    using P = BranchPanel;
    QCOMPARE(panel.cellText(P::RealizedRow, P::OriginalColumn), QStringLiteral("0.00"));
    QCOMPARE(panel.cellText(P::RealizedRow, P::BranchColumn), QStringLiteral("-1.00"));
    QCOMPARE(panel.cellText(P::RealizedRow, P::DifferenceColumn), QStringLiteral("-1.00"));
    QCOMPARE(panel.cellText(P::UnrealizedRow, P::OriginalColumn), QStringLiteral("0.70"));
    QCOMPARE(panel.cellText(P::UnrealizedRow, P::BranchColumn), QStringLiteral("1.20"));
    QCOMPARE(panel.cellText(P::UnrealizedRow, P::DifferenceColumn), QStringLiteral("+0.50"));
    QCOMPARE(panel.cellText(P::FeesRow, P::DifferenceColumn), QStringLiteral("+1.00"));
    QCOMPARE(panel.cellText(P::TotalRow, P::OriginalColumn), QStringLiteral("-0.81"));
    QCOMPARE(panel.cellText(P::TotalRow, P::BranchColumn), QStringLiteral("-2.31"));
    QCOMPARE(panel.cellText(P::TotalRow, P::DifferenceColumn), QStringLiteral("-1.50"));
    QCOMPARE(panel.cellText(P::PositionRow, P::OriginalColumn), QStringLiteral("30"));
    QCOMPARE(panel.cellText(P::PositionRow, P::BranchColumn), QStringLiteral("20"));
    QCOMPARE(panel.cellText(P::PositionRow, P::DifferenceColumn), QStringLiteral("-10"));
    QCOMPARE(panel.cellText(P::FillsRow, P::DifferenceColumn), QStringLiteral("+1"));

    QCOMPARE(panel.curve().samples().size(), std::size_t{3});
    QCOMPARE(panel.curve().samples().back().branch, Money{-231});

    // The chart draws the branch's curve in the accent colour.
    panel.resize(420, 360);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    const QImage image = panel.grab().toImage();
    const QRgb accent = ui::theme::accentColor().rgb();
    int accentPixels = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x)
            accentPixels += image.pixel(x, y) == accent ? 1 : 0;
    }
    QVERIFY2(accentPixels > 20, qPrintable(QString::number(accentPixels)));
}

void BranchPanelTest::secondBranchNamesCount()
{
    BranchPanel panel;
    std::shared_ptr<MarketView> view = branchedView();
    view->branch->branches = 2;
    panel.showView(view);
    QVERIFY(panel.statusText().contains(QStringLiteral("Branch 2")));
}

void BranchPanelTest::clearForgetsComparison()
{
    BranchPanel panel;
    panel.showView(branchedView());
    panel.clear();
    QCOMPARE(panel.cellText(BranchPanel::TotalRow, BranchPanel::OriginalColumn),
             QStringLiteral("\u2014"));
    QVERIFY(panel.curve().samples().empty());
    QVERIFY(!panel.branchButton()->isEnabled());
}

// The window lists the dock and puts the action in the Session menu with its shortcut.
void BranchPanelTest::windowHasBranchDockAndAction()
{
    QTemporaryDir settings;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settings.path());
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settings.path());
    ui::MainWindow window;
    window.setSettingsPersistent(false);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.workspaces().switchTo(QStringLiteral("Trading")));
    QDockWidget *dock = window.docks().dock(QString::fromLatin1(ui::kBranchDock));
    QVERIFY(dock);
    // The Trading workspace keeps it in a tab beside the positions.
    QDockWidget *positions = window.docks().dock(QString::fromLatin1(ui::dock::positions));
    QVERIFY(positions);
    QVERIFY(window.tabifiedDockWidgets(positions).contains(dock));
    QVERIFY(dock->widget()->findChild<BranchPanel *>() ||
            qobject_cast<BranchPanel *>(dock->widget()));
    auto *action = window.findChild<QAction *>(QStringLiteral("branchAction"));
    QVERIFY(action);
    QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_B));
    auto *menu = window.findChild<QMenu *>(QStringLiteral("sessionMenu"));
    QVERIFY(menu);
    QVERIFY(menu->actions().contains(action));
}

// The same rows before and after a Branch, so the marks arrive as in-place updates.
void BranchPanelTest::blotterAndPositionsMarkBranch()
{
    using ui::BlotterFillsModel;
    using ui::BlotterOrdersModel;
    using ui::PositionsModel;
    BlotterOrdersModel orders(BlotterOrdersModel::List::Working);
    BlotterFillsModel fills;
    PositionsModel positions;
    const auto mode = QAbstractItemModelTester::FailureReportingMode::QtTest;
    QAbstractItemModelTester orderTester(&orders, mode);
    QAbstractItemModelTester fillTester(&fills, mode);
    QAbstractItemModelTester positionTester(&positions, mode);

    for (const bool branch : {false, true}) {
        orders.showView(tradedView(branch));
        fills.showView(tradedView(branch));
        positions.showView(tradedView(branch));
    }
    QCOMPARE(orders.rowCount(), 1);
    QCOMPARE(cell(orders, 0, BlotterOrdersModel::StateColumn), QStringLiteral("Working (branch)"));
    QCOMPARE(cell(fills, 0, BlotterFillsModel::LiquidityColumn), QStringLiteral("Taker (branch)"));
    QCOMPARE(cell(positions, 0, PositionsModel::InstrumentColumn), QStringLiteral("GOOG (branch)"));
}

// Ctrl+Shift+B raises the Branch tab over the positions but leaves the keyboard focus in the
// order ticket, whose keys (F1 buys) must go on reaching it.
void BranchPanelTest::branchShortcutKeepsTicketFocus()
{
    QTemporaryDir settings;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settings.path());
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settings.path());
    ui::MainWindow window;
    window.setSettingsPersistent(false);
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QVERIFY(window.workspaces().switchTo(QStringLiteral("Trading")));
    QDockWidget *ticketDock = window.docks().dock(QString::fromLatin1(ui::dock::orderTicket));
    QVERIFY(ticketDock);
    ui::PanelDocks::focusDock(*ticketDock);
    QWidget *focused = QApplication::focusWidget();
    QVERIFY(focused);
    QVERIFY(ticketDock->isAncestorOf(focused));

    // A running replay enables the panel's button, which could then take the focus.
    QDockWidget *branchDock = window.docks().dock(QString::fromLatin1(ui::kBranchDock));
    QVERIFY(branchDock);
    auto *panel = branchDock->findChild<BranchPanel *>();
    QVERIFY(panel);
    panel->branchButton()->setEnabled(true);

    QTest::keyClick(&window, Qt::Key_B, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(QApplication::focusWidget(), focused);
    QVERIFY(!branchDock->visibleRegion().isEmpty());
}

QTEST_MAIN(BranchPanelTest)
#include "tst_branch_panel.moc"

#include "candle_chart.h"
#include "main_window.h"
#include "theme.h"
#include "workspace_docks.h"
#include "workspace_layouts.h"
#include "workspace_manager.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QMainWindow>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using bourse::ui::CandleChart;
using bourse::ui::MainWindow;
using bourse::ui::PanelDocks;
using bourse::ui::WorkspaceManager;
namespace dock = bourse::ui::dock;
namespace theme = bourse::ui::theme;

namespace {

const char *const allDocks[] = {
    dock::marketWatch,  dock::ladder,      dock::chart,          dock::depthChart,
    dock::timeAndSales, dock::orderTicket, dock::blotter,        dock::positions,
    dock::risk,         dock::eventLog,    dock::journalHistory,
};

// A main window with one labelled dock per panel name, as the terminal has, and a workspace
// manager on it.
struct Workspace {
    Workspace()
        : manager(window)
    {
        window.resize(1200, 800);
        for (const char *name : allDocks) {
            auto *dock = new QDockWidget(QString::fromLatin1(name), &window);
            dock->setObjectName(QString::fromLatin1(name));
            dock->setWidget(new QLabel(QString::fromLatin1(name)));
            window.addDockWidget(Qt::RightDockWidgetArea, dock);
        }
    }

    QDockWidget *dockNamed(const char *name) const
    {
        return window.findChild<QDockWidget *>(QString::fromLatin1(name));
    }

    bool isShown(const char *name) const { return !dockNamed(name)->isHidden(); }

    QMainWindow window;
    WorkspaceManager manager;
};

// Counts its paint events, to see a theme switch repaint it.
class PaintCounter : public QWidget {
public:
    int paints = 0;

protected:
    void paintEvent(QPaintEvent *) override { ++paints; }
};

} // namespace

class WorkspaceTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void chartsWorkspaceShowsMarketWatchChange();
    void tradingWorkspaceShowsOrderPriceAndPosition();

    void builtinWorkspacesListedFirst();
    void switchShowsBuiltinDocks_data();
    void switchShowsBuiltinDocks();
    void switchToUnknownNameChangesNothing();
    void switchBackFindsLayoutAsLeft();
    void saveAsAddsWorkspace();
    void saveAsKeepsNameWithSlash();
    void lastWorkspaceRestoredAtStart();
    void deletedWorkspaceGoneFromSettings();
    void deletingCurrentSwitchesToTrading();
    void builtinWorkspaceCannotBeDeleted();
    void resetRestoresBuiltinArrangement();
    void resetRestoresSavedWorkspaceDefault();
    void damagedLayoutFallsBackToDefault();
    void nonPersistentWritesNothing();

    void mainWindowDockNamesUnique();
    void mainWindowFocusKeysDistinct();
    void focusKeyShowsHiddenDock();
    void nextPanelKeyMovesFocus();
    void workspaceMenuFollowsSavedWorkspaces();
    void chartTimeFrameKeptPerWorkspace();
    void chartTimeFrameDefaultsWhereNotSaved();

    void themeNamesParse_data();
    void themeNamesParse();
    void themeSwitchChangesColours();
    void themeSwitchSetsPalette();
    void themeSwitchRepaintsWidgets();
    void lightThemePaintsWindowLight();

private:
    QTemporaryDir m_settingsDirectory;
};

void WorkspaceTest::initTestCase()
{
    // Neither the workspaces nor the theme may reach the settings of the user running tests.
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_settingsDirectory.isValid());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDirectory.path());
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDirectory.path());
    QCoreApplication::setOrganizationName(QStringLiteral("BourseTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_workspace"));
}

void WorkspaceTest::init()
{
    QSettings().clear();
    QVERIFY(QSettings().fileName().startsWith(m_settingsDirectory.path()));
}

void WorkspaceTest::builtinWorkspacesListedFirst()
{
    QSettings().setValue(QStringLiteral("workspaces/saved"),
                         QStringList{QStringLiteral("Zeta"), QStringLiteral("alpha")});

    const QStringList expected{QStringLiteral("Trading"), QStringLiteral("Charts"),
                               QStringLiteral("Risk"), QStringLiteral("alpha"),
                               QStringLiteral("Zeta")};
    QCOMPARE(WorkspaceManager::availableNames(), expected);
}

void WorkspaceTest::switchShowsBuiltinDocks_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QStringList>("shown");
    QTest::addColumn<QStringList>("hidden");

    QTest::newRow("Trading") << QStringLiteral("Trading")
                             << QStringList{dock::marketWatch, dock::ladder,  dock::chart,
                                            dock::orderTicket, dock::blotter, dock::positions}
                             << QStringList{dock::journalHistory};
    QTest::newRow("Charts") << QStringLiteral("Charts")
                            << QStringList{dock::chart, dock::depthChart, dock::ladder}
                            << QStringList{dock::orderTicket, dock::blotter, dock::risk};
    QTest::newRow("Risk") << QStringLiteral("Risk")
                          << QStringList{dock::risk, dock::eventLog, dock::positions, dock::blotter}
                          << QStringList{dock::ladder, dock::chart, dock::orderTicket};
}

void WorkspaceTest::switchShowsBuiltinDocks()
{
    QFETCH(QString, name);
    QFETCH(QStringList, shown);
    QFETCH(QStringList, hidden);
    Workspace workspace;
    workspace.window.show();
    workspace.manager.restoreLast();

    QVERIFY(workspace.manager.switchTo(name));

    QCOMPARE(workspace.manager.current(), name);
    for (const QString &dockName : shown)
        QVERIFY2(workspace.isShown(qPrintable(dockName)), qPrintable(dockName));
    for (const QString &dockName : hidden)
        QVERIFY2(!workspace.isShown(qPrintable(dockName)), qPrintable(dockName));
}

void WorkspaceTest::switchToUnknownNameChangesNothing()
{
    Workspace workspace;
    workspace.manager.restoreLast();

    QVERIFY(!workspace.manager.switchTo(QStringLiteral("Nowhere")));

    QCOMPARE(workspace.manager.current(), QStringLiteral("Trading"));
    QVERIFY(workspace.isShown(dock::orderTicket));
}

void WorkspaceTest::switchBackFindsLayoutAsLeft()
{
    Workspace workspace;
    workspace.window.show();
    workspace.manager.restoreLast();
    workspace.dockNamed(dock::ladder)->hide();
    workspace.window.addDockWidget(Qt::LeftDockWidgetArea, workspace.dockNamed(dock::blotter));

    QVERIFY(workspace.manager.switchTo(QStringLiteral("Charts")));
    QVERIFY(workspace.isShown(dock::ladder));
    QVERIFY(workspace.manager.switchTo(QStringLiteral("Trading")));

    QVERIFY(!workspace.isShown(dock::ladder));
    QCOMPARE(workspace.window.dockWidgetArea(workspace.dockNamed(dock::blotter)),
             Qt::LeftDockWidgetArea);
}

void WorkspaceTest::saveAsAddsWorkspace()
{
    Workspace workspace;
    workspace.manager.restoreLast();
    workspace.dockNamed(dock::chart)->hide();
    QSignalSpy changed(&workspace.manager, &WorkspaceManager::workspacesChanged);

    QVERIFY(workspace.manager.saveAs(QStringLiteral("  Scalping ")));

    QCOMPARE(changed.count(), 1);
    QCOMPARE(workspace.manager.current(), QStringLiteral("Scalping"));
    QVERIFY(WorkspaceManager::availableNames().contains(QStringLiteral("Scalping")));
    QCOMPARE(QSettings().value(QStringLiteral("workspaces/saved")).toStringList(),
             QStringList{QStringLiteral("Scalping")});

    Workspace other;
    QVERIFY(other.manager.switchTo(QStringLiteral("Scalping")));
    QVERIFY(!other.isShown(dock::chart));
    QVERIFY(other.isShown(dock::ladder));
}

void WorkspaceTest::saveAsKeepsNameWithSlash()
{
    Workspace workspace;
    workspace.manager.restoreLast();

    QVERIFY(workspace.manager.saveAs(QStringLiteral("Desk 2/evening")));

    QVERIFY(WorkspaceManager::contains(QStringLiteral("Desk 2/evening")));
    QVERIFY(workspace.manager.switchTo(QStringLiteral("Risk")));
    QVERIFY(workspace.manager.switchTo(QStringLiteral("Desk 2/evening")));
    QCOMPARE(workspace.manager.current(), QStringLiteral("Desk 2/evening"));
}

void WorkspaceTest::lastWorkspaceRestoredAtStart()
{
    {
        Workspace workspace;
        workspace.window.show();
        workspace.manager.restoreLast();
        QVERIFY(workspace.manager.switchTo(QStringLiteral("Risk")));
        workspace.dockNamed(dock::eventLog)->hide();
        workspace.manager.saveCurrent();
    }

    Workspace restarted;
    QSignalSpy current(&restarted.manager, &WorkspaceManager::currentChanged);
    restarted.manager.restoreLast();

    QCOMPARE(restarted.manager.current(), QStringLiteral("Risk"));
    QCOMPARE(current.count(), 1);
    QVERIFY(restarted.isShown(dock::risk));
    QVERIFY(!restarted.isShown(dock::eventLog));
    QVERIFY(!restarted.isShown(dock::ladder));
}

void WorkspaceTest::deletedWorkspaceGoneFromSettings()
{
    Workspace workspace;
    workspace.manager.restoreLast();
    QVERIFY(workspace.manager.saveAs(QStringLiteral("Spare")));
    QVERIFY(workspace.manager.switchTo(QStringLiteral("Charts")));

    QVERIFY(workspace.manager.remove(QStringLiteral("Spare")));

    QVERIFY(!WorkspaceManager::contains(QStringLiteral("Spare")));
    QCOMPARE(workspace.manager.current(), QStringLiteral("Charts"));
    const QStringList keys = QSettings().allKeys();
    for (const QString &key : keys)
        QVERIFY2(!key.contains(QStringLiteral("Spare")), qPrintable(key));
}

void WorkspaceTest::deletingCurrentSwitchesToTrading()
{
    Workspace workspace;
    workspace.manager.restoreLast();
    QVERIFY(workspace.manager.switchTo(QStringLiteral("Risk")));
    QVERIFY(workspace.manager.saveAs(QStringLiteral("Audit")));

    QVERIFY(workspace.manager.remove(QStringLiteral("Audit")));

    QCOMPARE(workspace.manager.current(), QStringLiteral("Trading"));
    QVERIFY(workspace.isShown(dock::orderTicket));
    QCOMPARE(QSettings().value(QStringLiteral("workspaces/current")).toString(),
             QStringLiteral("Trading"));
}

void WorkspaceTest::builtinWorkspaceCannotBeDeleted()
{
    Workspace workspace;
    workspace.manager.restoreLast();

    QVERIFY(!workspace.manager.remove(QStringLiteral("Trading")));
    QVERIFY(!workspace.manager.remove(QStringLiteral("Nowhere")));

    QCOMPARE(WorkspaceManager::availableNames().size(), 3);
}

void WorkspaceTest::resetRestoresBuiltinArrangement()
{
    Workspace workspace;
    workspace.window.show();
    workspace.manager.restoreLast();
    workspace.dockNamed(dock::marketWatch)->hide();
    workspace.manager.saveCurrent();

    workspace.manager.resetCurrent();

    QVERIFY(workspace.isShown(dock::marketWatch));
    QCOMPARE(workspace.window.dockWidgetArea(workspace.dockNamed(dock::marketWatch)),
             Qt::LeftDockWidgetArea);
    // The reset also discarded the saved arrangement, so a later visit finds the default.
    QVERIFY(workspace.manager.switchTo(QStringLiteral("Charts")));
    QVERIFY(workspace.manager.switchTo(QStringLiteral("Trading")));
    QVERIFY(workspace.isShown(dock::marketWatch));
}

void WorkspaceTest::resetRestoresSavedWorkspaceDefault()
{
    Workspace workspace;
    workspace.window.show();
    workspace.manager.restoreLast();
    workspace.dockNamed(dock::ladder)->hide();
    QVERIFY(workspace.manager.saveAs(QStringLiteral("No ladder")));
    workspace.dockNamed(dock::ladder)->show();
    workspace.dockNamed(dock::chart)->hide();
    workspace.manager.saveCurrent();

    workspace.manager.resetCurrent();

    QVERIFY(!workspace.isShown(dock::ladder));
    QVERIFY(workspace.isShown(dock::chart));
}

void WorkspaceTest::damagedLayoutFallsBackToDefault()
{
    QSettings().setValue(QStringLiteral("workspaces/layouts/Charts/last/state"),
                         QByteArray("not a saved state"));
    Workspace workspace;
    workspace.manager.restoreLast();

    QVERIFY(workspace.manager.switchTo(QStringLiteral("Charts")));

    QVERIFY(workspace.isShown(dock::chart));
    QVERIFY(workspace.isShown(dock::depthChart));
    QVERIFY(!workspace.isShown(dock::orderTicket));
}

void WorkspaceTest::nonPersistentWritesNothing()
{
    Workspace workspace;
    workspace.manager.setPersistent(false);
    workspace.manager.restoreLast();

    QVERIFY(workspace.manager.switchTo(QStringLiteral("Risk")));
    QVERIFY(!workspace.manager.saveAs(QStringLiteral("Mine")));
    workspace.manager.saveCurrent();

    QCOMPARE(workspace.manager.current(), QStringLiteral("Risk"));
    QCOMPARE(QSettings().allKeys(), QStringList());
}

void WorkspaceTest::mainWindowDockNamesUnique()
{
    MainWindow window;
    const QList<QDockWidget *> docks = window.findChildren<QDockWidget *>();
    QVERIFY(!docks.isEmpty());

    QSet<QString> names;
    for (const QDockWidget *dockWidget : docks) {
        QVERIFY2(!dockWidget->objectName().isEmpty(), qPrintable(dockWidget->windowTitle()));
        QVERIFY2(!names.contains(dockWidget->objectName()), qPrintable(dockWidget->objectName()));
        names.insert(dockWidget->objectName());
        QVERIFY2(!dockWidget->accessibleName().isEmpty(), qPrintable(dockWidget->objectName()));
        QVERIFY2(dockWidget->widget(), qPrintable(dockWidget->objectName()));
        QVERIFY2(!dockWidget->widget()->accessibleName().isEmpty(),
                 qPrintable(dockWidget->objectName()));
    }
}

void WorkspaceTest::mainWindowFocusKeysDistinct()
{
    MainWindow window;
    QSet<QString> keys;
    for (const PanelDocks::Panel &panel : window.docks().panels()) {
        const QString key = panel.focusAction->shortcut().toString();
        QVERIFY2(!key.isEmpty(), qPrintable(panel.dock->objectName()));
        QVERIFY2(!keys.contains(key), qPrintable(key));
        keys.insert(key);
    }
    QVERIFY(keys.contains(QStringLiteral("Alt+1")));
}

void WorkspaceTest::focusKeyShowsHiddenDock()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.workspaces().switchTo(QStringLiteral("Trading")));
    QDockWidget *history = window.docks().dock(QString::fromLatin1(dock::journalHistory));
    QVERIFY(history);
    QVERIFY(history->isHidden());

    QTest::keyClick(&window, Qt::Key_J, Qt::AltModifier);

    QVERIFY(!history->isHidden());
    QTRY_VERIFY(history->isAncestorOf(QApplication::focusWidget()));
}

namespace {

// Whether the column of logical index `column` lies wholly inside the table's viewport.
bool columnFits(const QTableView &table, int column)
{
    const int left = table.columnViewportPosition(column);
    return left >= 0 && left + table.columnWidth(column) <= table.viewport()->width();
}

} // namespace

void WorkspaceTest::chartsWorkspaceShowsMarketWatchChange()
{
    MainWindow window;
    window.resize(1400, 850);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.workspaces().switchTo(QStringLiteral("Charts")));
    QCoreApplication::processEvents();

    auto *table = window.findChild<QTableView *>(QStringLiteral("marketWatchTable"));
    QVERIFY(table);
    // Symbol, Last and Change, in the market watch model's columns 0 to 2.
    QVERIFY2(columnFits(*table, 2), qPrintable(QStringLiteral("%1 + %2 > %3")
                                                   .arg(table->columnViewportPosition(2))
                                                   .arg(table->columnWidth(2))
                                                   .arg(table->viewport()->width())));
}

void WorkspaceTest::tradingWorkspaceShowsOrderPriceAndPosition()
{
    MainWindow window;
    window.resize(1400, 850);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.workspaces().switchTo(QStringLiteral("Trading")));
    QCoreApplication::processEvents();

    auto *positions = window.findChild<QTableView *>(QStringLiteral("positionsTable"));
    QVERIFY(positions);
    // The position column (2) is as wide as its header "Position" needs.
    QHeaderView *header = positions->horizontalHeader();
    QVERIFY2(header->sectionSize(2) >= header->sectionSizeHint(2),
             qPrintable(QString::number(header->sectionSize(2))));
    QVERIFY(columnFits(*positions, 2));

    auto *working = window.findChild<QTableView *>(QStringLiteral("blotterWorkingTable"));
    QVERIFY(working);
    // The instrument (3), side (4), price (7) and quantity (9) of a working order.
    for (int column : {3, 4, 7, 9})
        QVERIFY2(columnFits(*working, column), qPrintable(QString::number(column)));
}

void WorkspaceTest::nextPanelKeyMovesFocus()
{
    MainWindow window;
    window.resize(1400, 850);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.workspaces().switchTo(QStringLiteral("Trading")));
    QDockWidget *marketWatch = window.docks().dock(QString::fromLatin1(dock::marketWatch));
    QDockWidget *ladder = window.docks().dock(QString::fromLatin1(dock::ladder));

    QTest::keyClick(&window, Qt::Key_1, Qt::AltModifier);
    QTRY_VERIFY(marketWatch->isAncestorOf(QApplication::focusWidget()));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_F6);
    QTRY_VERIFY(ladder->isAncestorOf(QApplication::focusWidget()));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_F6, Qt::ShiftModifier);

    QTRY_VERIFY(marketWatch->isAncestorOf(QApplication::focusWidget()));
}

void WorkspaceTest::workspaceMenuFollowsSavedWorkspaces()
{
    MainWindow window;
    QVERIFY(window.findChild<QAction *>(QStringLiteral("workspace_Trading")));
    QVERIFY(!window.findChild<QAction *>(QStringLiteral("workspace_Desk")));

    QVERIFY(window.workspaces().saveAs(QStringLiteral("Desk")));

    auto *desk = window.findChild<QAction *>(QStringLiteral("workspace_Desk"));
    QVERIFY(desk);
    QVERIFY(desk->isChecked());
    auto *remove = window.findChild<QAction *>(QStringLiteral("deleteWorkspaceAction"));
    QVERIFY(remove);
    QVERIFY(remove->isEnabled());
    QVERIFY(window.workspaces().remove(QStringLiteral("Desk")));
    QTRY_VERIFY(!window.findChild<QAction *>(QStringLiteral("workspace_Desk")));
    QVERIFY(window.findChild<QAction *>(QStringLiteral("workspace_Trading"))->isChecked());
}

namespace {

constexpr std::int64_t oneSecond = 1'000'000'000;
constexpr std::int64_t oneMinute = 60 * oneSecond;
constexpr std::int64_t fiveMinutes = 5 * oneMinute;

// A view with one bar at each time frame a session keeps.
std::shared_ptr<const bourse::MarketView> viewWithTimeFrames()
{
    auto view = std::make_shared<bourse::MarketView>();
    view->instrument = bourse::InstrumentId{1};
    view->symbol = "XYZ";
    view->barIntervalNanoseconds = oneSecond;
    const bourse::Bar bar{bourse::Timestamp{0},
                          bourse::Price{100},
                          bourse::Price{100},
                          bourse::Price{100},
                          bourse::Price{100},
                          bourse::Quantity{1},
                          1};
    view->bars = {bar};
    for (const std::int64_t interval : {oneSecond, oneMinute, fiveMinutes, 60 * oneMinute})
        view->timeFrames.push_back(bourse::BarSeries{interval, {bar}, {}});
    return view;
}

} // namespace

// The chart's time frame is kept with each workspace: 5 minutes in a saved workspace, 1 minute
// in Charts, and a new window shows each one's again.
void WorkspaceTest::chartTimeFrameKeptPerWorkspace()
{
    const QString saved = QStringLiteral("Five minutes");
    {
        MainWindow window;
        auto *chart = window.findChild<CandleChart *>(QStringLiteral("candleChart"));
        QVERIFY(chart);
        QCOMPARE(chart->chosenTimeFrame(), std::int64_t{0});
        chart->setTimeFrame(fiveMinutes);
        QVERIFY(window.workspaces().saveAs(saved));

        QVERIFY(window.workspaces().switchTo(QStringLiteral("Charts")));
        chart->setTimeFrame(oneMinute);
        window.workspaces().saveCurrent();
    }
    QCOMPARE(QSettings()
                 .value(QStringLiteral(
                     "workspaces/layouts/Five%20minutes/last/panels/chartDock/candleChart/"
                     "chosenTimeFrame"))
                 .toLongLong(),
             fiveMinutes);

    MainWindow fresh;
    auto *chart = fresh.findChild<CandleChart *>(QStringLiteral("candleChart"));
    QVERIFY(chart);
    QCOMPARE(fresh.workspaces().current(), QStringLiteral("Charts"));
    QCOMPARE(chart->chosenTimeFrame(), oneMinute);

    QVERIFY(fresh.workspaces().switchTo(saved));
    QCOMPARE(chart->chosenTimeFrame(), fiveMinutes);
    chart->showView(viewWithTimeFrames());
    QCOMPARE(chart->timeFrame(), fiveMinutes);
    auto *button = chart->findChild<QAbstractButton *>(QStringLiteral("timeFrame5m"));
    QVERIFY(button);
    QVERIFY(button->isChecked());

    QVERIFY(fresh.workspaces().switchTo(QStringLiteral("Charts")));
    QCOMPARE(chart->timeFrame(), oneMinute);
}

// A time frame chosen in one workspace stays there: a built-in workspace never left with a
// choice shows the view's bar interval, and Reset returns the current one to it.
void WorkspaceTest::chartTimeFrameDefaultsWhereNotSaved()
{
    MainWindow window;
    auto *chart = window.findChild<CandleChart *>(QStringLiteral("candleChart"));
    QVERIFY(chart);
    QCOMPARE(window.workspaces().current(), QStringLiteral("Trading"));
    chart->setTimeFrame(fiveMinutes);

    QVERIFY(window.workspaces().switchTo(QStringLiteral("Charts")));
    QCOMPARE(chart->chosenTimeFrame(), std::int64_t{0});
    chart->showView(viewWithTimeFrames());
    QCOMPARE(chart->timeFrame(), oneSecond);

    chart->setTimeFrame(oneMinute);
    window.workspaces().resetCurrent();
    QCOMPARE(chart->chosenTimeFrame(), std::int64_t{0});
    QCOMPARE(chart->timeFrame(), oneSecond);

    QVERIFY(window.workspaces().switchTo(QStringLiteral("Trading")));
    QCOMPARE(chart->chosenTimeFrame(), fiveMinutes);
}

void WorkspaceTest::themeNamesParse_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<int>("expected");

    QTest::newRow("dark") << QStringLiteral("dark") << true << int(theme::Theme::Dark);
    QTest::newRow("light in capitals")
        << QStringLiteral("LIGHT") << true << int(theme::Theme::Light);
    QTest::newRow("unknown") << QStringLiteral("blue") << false << 0;
    QTest::newRow("empty") << QString() << false << 0;
}

void WorkspaceTest::themeNamesParse()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QFETCH(int, expected);

    const std::optional<theme::Theme> parsed = theme::parseTheme(name);

    QCOMPARE(parsed.has_value(), valid);
    if (valid)
        QCOMPARE(int(*parsed), expected);
}

void WorkspaceTest::themeSwitchChangesColours()
{
    theme::apply(*qApp, theme::Theme::Dark);
    const QColor darkPanel = theme::panelColor();
    const QColor darkText = theme::textColor();

    theme::apply(*qApp, theme::Theme::Light);

    QCOMPARE(theme::current(), theme::Theme::Light);
    QCOMPARE(theme::panelColor(), QColor(Qt::white));
    QVERIFY(theme::panelColor() != darkPanel);
    QVERIFY(theme::textColor() != darkText);
    // Dark text on a light panel: the text is darker than the panel.
    QVERIFY(theme::textColor().lightness() < theme::panelColor().lightness());
    theme::apply(*qApp, theme::Theme::Dark);
    QCOMPARE(theme::panelColor(), darkPanel);
}

void WorkspaceTest::themeSwitchSetsPalette()
{
    MainWindow window;
    window.setTheme(theme::Theme::Light);

    QCOMPARE(qApp->palette().color(QPalette::Base), theme::panelColor());
    QCOMPARE(qApp->palette().color(QPalette::Window), theme::windowColor());
    QCOMPARE(window.palette().color(QPalette::WindowText), theme::textColor());
    auto *light = window.findChild<QAction *>(QStringLiteral("theme_light"));
    QVERIFY(light);
    QVERIFY(light->isChecked());
    QVERIFY(qApp->styleSheet().isEmpty());

    window.setTheme(theme::Theme::Dark);
    QCOMPARE(qApp->palette().color(QPalette::Base), theme::panelColor());
    QVERIFY(!light->isChecked());
}

void WorkspaceTest::themeSwitchRepaintsWidgets()
{
    PaintCounter widget;
    widget.resize(100, 100);
    widget.show();
    QVERIFY(QTest::qWaitForWindowExposed(&widget));
    QTRY_VERIFY(widget.paints > 0);
    QTest::qWait(50);
    const int before = widget.paints;

    theme::apply(*qApp, theme::Theme::Light);

    QTRY_VERIFY(widget.paints > before);
    theme::apply(*qApp, theme::Theme::Dark);
}

// What reaches the screen: the window grabbed in each theme has the theme's background.
void WorkspaceTest::lightThemePaintsWindowLight()
{
    MainWindow window;
    window.resize(1200, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    window.setTheme(theme::Theme::Light);
    const QImage light = window.grab().toImage();
    window.setTheme(theme::Theme::Dark);
    const QImage dark = window.grab().toImage();

    // The status bar, in the bottom left corner, has the window colour of each theme.
    const QPoint corner(2, light.height() - 2);
    QCOMPARE(light.pixelColor(corner), QColor(0xee, 0xf0, 0xf3));
    QCOMPARE(dark.pixelColor(corner), QColor(0x1b, 0x1f, 0x26));
}

QTEST_MAIN(WorkspaceTest)
#include "tst_workspace.moc"

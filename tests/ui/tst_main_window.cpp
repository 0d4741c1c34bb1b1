#include "blotter_panel.h"
#include "candle_chart.h"
#include "elided_label.h"
#include "ladder_model.h"
#include "ladder_panel.h"
#include "main_window.h"
#include "market_feed.h"
#include "market_watch_model.h"
#include "market_watch_panel.h"
#include "order_ticket.h"
#include "time_and_sales_model.h"
#include "time_and_sales_panel.h"
#include "workspace_docks.h"
#include "workspace_layouts.h"
#include "workspace_manager.h"

#include <QAction>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QItemSelectionModel>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using bourse::InstrumentId;
using bourse::ui::BlotterPanel;
using bourse::ui::CandleChart;
using bourse::ui::ElidedLabel;
using bourse::ui::LadderModel;
using bourse::ui::LadderPanel;
using bourse::ui::MainWindow;
using bourse::ui::MarketWatchModel;
using bourse::ui::MarketWatchPanel;
using bourse::ui::OrderTicket;
using bourse::ui::TimeAndSalesModel;
using bourse::ui::TimeAndSalesPanel;
namespace dock = bourse::ui::dock;

namespace {

constexpr int timeoutMilliseconds = 20'000;

QString dataDirectory()
{
    const QByteArray fromEnvironment = qgetenv("BOURSE_DATA_DIR");
    return fromEnvironment.isEmpty() ? QStringLiteral(BOURSE_DEFAULT_DATA_DIR)
                                     : QString::fromLocal8Bit(fromEnvironment);
}

LadderModel *ladderOf(const MainWindow &window)
{
    const auto *panel = window.findChild<LadderPanel *>();
    return panel ? panel->model() : nullptr;
}

TimeAndSalesModel *tapeOf(const MainWindow &window)
{
    const auto *panel = window.findChild<TimeAndSalesPanel *>();
    return panel ? panel->model() : nullptr;
}

QString ladderPrice(const LadderModel &model, int row)
{
    return model.index(row, LadderModel::PriceColumn).data().toString();
}

// True when the image has more than one colour, so something was drawn on the background.
bool hasContent(const QImage &image)
{
    const QRgb first = image.pixel(0, 0);
    for (int y = 0; y < image.height(); y += 7) {
        for (int x = 0; x < image.width(); x += 7) {
            if (image.pixel(x, y) != first)
                return true;
        }
    }
    return false;
}

} // namespace

class MainWindowTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void everyPanelHasDock_data();
    void everyPanelHasDock();
    void marketWatchSelectionMovesFocus();
    void newSessionKeepsPanelsLinked();
    void ticketPanicKeyWorksWindowWide();
    void viewMenuHidesAndShowsDock();
    void simulationFillsEveryPanel();
    void simulationOffersPause();
    void replayFillsLadderAndTape();
    void missingReplayFileReportsError();
    void longReplayErrorKeepsWindowWidth();
    void sessionReportNeedsHandler();

private:
    QTemporaryDir m_settingsDirectory;
};

void MainWindowTest::initTestCase()
{
    // The window reads and writes its workspaces and theme in QSettings: a folder of the test's
    // own, never the settings of the user running it.
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_settingsDirectory.isValid());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDirectory.path());
    QCoreApplication::setOrganizationName(QStringLiteral("BourseTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_main_window"));
}

void MainWindowTest::everyPanelHasDock_data()
{
    QTest::addColumn<QString>("dockName");
    QTest::addColumn<QString>("panelName");

    QTest::newRow("market watch") << dock::marketWatch << QStringLiteral("marketWatch");
    QTest::newRow("ladder") << dock::ladder << QStringLiteral("ladder");
    QTest::newRow("chart") << dock::chart << QStringLiteral("candleChart");
    QTest::newRow("depth chart") << dock::depthChart << QStringLiteral("depthChart");
    QTest::newRow("time and sales") << dock::timeAndSales << QStringLiteral("timeAndSales");
    QTest::newRow("order ticket") << dock::orderTicket << QStringLiteral("orderTicket");
    QTest::newRow("blotter") << dock::blotter << QStringLiteral("blotter");
    QTest::newRow("positions") << dock::positions << QStringLiteral("positions");
    QTest::newRow("risk") << dock::risk << QStringLiteral("riskDashboard");
    QTest::newRow("event log") << dock::eventLog << QStringLiteral("eventLog");
    QTest::newRow("journal history") << dock::journalHistory << QStringLiteral("journalHistory");
}

void MainWindowTest::everyPanelHasDock()
{
    QFETCH(QString, dockName);
    QFETCH(QString, panelName);
    MainWindow window;

    const auto *dockWidget = window.findChild<QDockWidget *>(dockName);

    QVERIFY(dockWidget);
    QVERIFY(!dockWidget->accessibleName().isEmpty());
    QVERIFY(dockWidget->findChild<QWidget *>(panelName));
    QVERIFY(window.docks().dock(dockName) == dockWidget);
    QVERIFY(dockWidget->toggleViewAction()->isCheckable());
}

// Choosing a row in the market watch makes its instrument the session's focus, and the panels
// that show the focus follow through the views.
void MainWindowTest::marketWatchSelectionMovesFocus()
{
    MainWindow window;
    window.startSimulation(5);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *watch = window.findChild<MarketWatchPanel *>();
    QVERIFY(watch);
    QTRY_VERIFY_WITH_TIMEOUT(watch->model()->rowCount() >= 2, timeoutMilliseconds);
    const InstrumentId first = window.feed().currentView()->instrument;

    int row = 0;
    while (watch->model()->instrumentAt(row) == first)
        ++row;
    const InstrumentId chosen = watch->model()->instrumentAt(row);
    const QString symbol =
        watch->model()->index(row, MarketWatchModel::SymbolColumn).data().toString();
    QTableView *table = watch->table();
    const auto *proxy = qobject_cast<const QSortFilterProxyModel *>(table->model());
    const QModelIndex shown =
        proxy ? proxy->mapFromSource(watch->model()->index(row, 0)) : table->model()->index(row, 0);
    table->selectionModel()->setCurrentIndex(shown, QItemSelectionModel::ClearAndSelect |
                                                        QItemSelectionModel::Rows);

    QTRY_COMPARE_WITH_TIMEOUT(window.feed().currentView()->instrument, chosen, timeoutMilliseconds);
    QCOMPARE(QString::fromStdString(window.feed().currentView()->symbol), symbol);
    QTRY_COMPARE_WITH_TIMEOUT(watch->model()->focus(), chosen, timeoutMilliseconds);
    LadderModel *ladder = ladderOf(window);
    QVERIFY(ladder);
    QTRY_VERIFY_WITH_TIMEOUT(!ladderPrice(*ladder, ladder->bestBidRow()).isEmpty(),
                             timeoutMilliseconds);
}

// A new session replaces the old one under the same panels: they clear, then fill from the
// new session's views, and the market watch still moves the new session's focus.
void MainWindowTest::newSessionKeepsPanelsLinked()
{
    MainWindow window;
    window.startSimulation(8);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_VERIFY_WITH_TIMEOUT(window.feed().currentView(), timeoutMilliseconds);
    const bourse::Session *first = window.session();

    window.startSimulation(9);

    QVERIFY(window.session() != first);
    auto *watch = window.findChild<MarketWatchPanel *>();
    QTRY_VERIFY_WITH_TIMEOUT(watch->model()->rowCount() >= 2, timeoutMilliseconds);
    const InstrumentId last = watch->model()->instrumentAt(watch->model()->rowCount() - 1);
    window.selectInstrument(last);
    QTRY_COMPARE_WITH_TIMEOUT(window.feed().currentView()->instrument, last, timeoutMilliseconds);
}

// F12 cancels every order of the ticket's account wherever the focus is. The ticket's sell
// keys do nothing outside it: F2 in the blotter edits, and Ctrl+S elsewhere is no sell.
void MainWindowTest::ticketPanicKeyWorksWindowWide()
{
    MainWindow window;
    window.startSimulation(4);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.activateWindow();
    auto *ticket = window.findChild<OrderTicket *>();
    auto *watch = window.findChild<MarketWatchPanel *>();
    auto *blotter = window.findChild<BlotterPanel *>();
    QVERIFY(ticket);
    QVERIFY(watch);
    QVERIFY(blotter);
    QTRY_VERIFY_WITH_TIMEOUT(ticket->cancelAllAction()->isEnabled(), timeoutMilliseconds);
    QSignalSpy cancelled(ticket->cancelAllAction(), &QAction::triggered);
    QSignalSpy sold(ticket->sellAction(), &QAction::triggered);

    watch->table()->setFocus();
    QTRY_VERIFY(watch->table()->hasFocus());
    QTest::keyClick(watch->table(), Qt::Key_F12);
    QTest::keyClick(watch->table(), Qt::Key_S, Qt::ControlModifier);
    QTableView *working = blotter->table(BlotterPanel::Tab::Working);
    working->setFocus();
    QTRY_VERIFY(working->hasFocus());
    QTest::keyClick(working, Qt::Key_F2);

    QCOMPARE(cancelled.count(), 1);
    QCOMPARE(sold.count(), 0);
}

void MainWindowTest::viewMenuHidesAndShowsDock()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *ladder = window.findChild<QDockWidget *>(QString::fromLatin1(dock::ladder));
    QVERIFY(ladder);
    QVERIFY(window.workspaces().switchTo(QStringLiteral("Trading")));
    QVERIFY(!ladder->isHidden());

    ladder->toggleViewAction()->trigger();
    QVERIFY(ladder->isHidden());
    ladder->toggleViewAction()->trigger();
    QVERIFY(!ladder->isHidden());
}

void MainWindowTest::simulationFillsEveryPanel()
{
    MainWindow window;
    window.startSimulation(7);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(window.windowTitle(), QStringLiteral("Bourse"));

    auto *ladder = ladderOf(window);
    auto *tape = tapeOf(window);
    auto *chart = window.findChild<CandleChart *>(QStringLiteral("candleChart"));
    QVERIFY(ladder);
    QVERIFY(tape);
    QVERIFY(chart);

    QTRY_VERIFY_WITH_TIMEOUT(!ladderPrice(*ladder, ladder->bestBidRow()).isEmpty(),
                             timeoutMilliseconds);
    QTRY_VERIFY_WITH_TIMEOUT(!ladderPrice(*ladder, ladder->bestAskRow()).isEmpty(),
                             timeoutMilliseconds);
    QTRY_VERIFY_WITH_TIMEOUT(tape->rowCount() > 0, timeoutMilliseconds);
    QTRY_VERIFY_WITH_TIMEOUT(chart->barCount() > 0, timeoutMilliseconds);

    const QImage image = window.grab().toImage();
    QVERIFY(!image.isNull());
    QVERIFY(image.width() >= window.width());
    QVERIFY(image.height() >= window.height());
    QVERIFY(hasContent(image));
}

void MainWindowTest::simulationOffersPause()
{
    MainWindow window;
    window.startSimulation(11);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *playPause = window.findChild<QAction *>(QStringLiteral("playPauseAction"));
    QVERIFY(playPause);

    QTRY_COMPARE_WITH_TIMEOUT(playPause->text(), QStringLiteral("Pause"), timeoutMilliseconds);
    QVERIFY(playPause->isEnabled());

    playPause->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(playPause->text(), QStringLiteral("Play"), timeoutMilliseconds);
    QVERIFY(playPause->isEnabled());
}

void MainWindowTest::replayFillsLadderAndTape()
{
    const QString path = dataDirectory() +
                         QStringLiteral("/lobster/GOOG_2012-06-21_34200000_57600000_message_1.csv");
    if (!QFileInfo::exists(path))
        QSKIP(qPrintable(QStringLiteral("%1 not found; set BOURSE_DATA_DIR to the folder that "
                                        "contains lobster/")
                             .arg(path)));

    MainWindow window;
    // Tall enough for the ladder to show both sides of the spread, which can be ten ticks wide.
    window.resize(1400, 850);
    const std::optional<QString> error = window.startReplay(path, 0.0);
    QVERIFY2(!error, error ? qPrintable(*error) : "");
    window.show();

    auto *ladder = ladderOf(window);
    auto *tape = tapeOf(window);
    QVERIFY(ladder);
    QVERIFY(tape);
    QTRY_VERIFY_WITH_TIMEOUT(!ladderPrice(*ladder, ladder->bestBidRow()).isEmpty(),
                             timeoutMilliseconds);
    QTRY_VERIFY_WITH_TIMEOUT(tape->rowCount() > 0, timeoutMilliseconds);

    // GOOG traded near $580 that day, and LOBSTER prices carry four decimals.
    const QString bestBid = ladderPrice(*ladder, ladder->bestBidRow());
    QVERIFY2(bestBid.startsWith(QStringLiteral("5")), qPrintable(bestBid));
    QCOMPARE(bestBid.size() - bestBid.indexOf(QChar('.')) - 1, 4);
}

void MainWindowTest::missingReplayFileReportsError()
{
    const QString path = QStringLiteral("/nonexistent/GOOG_message_10.csv");
    MainWindow window;
    window.startSimulation(3);

    const std::optional<QString> error = window.startReplay(path, 1.0);

    QVERIFY(error.has_value());
    QVERIFY2(error->contains(path), qPrintable(*error));
}

// A malformed line in a file deep in nested folders fails the replay with "path:line: what",
// an error wider than any screen. The window must keep its width and elide the error.
void MainWindowTest::longReplayErrorKeepsWindowWidth()
{
    QTemporaryDir root;
    QVERIFY(root.isValid());
    QString folder = root.path();
    for (int depth = 1; depth <= 30; ++depth)
        folder += QStringLiteral("/nested-folder-level-%1").arg(depth);
    QVERIFY(QDir().mkpath(folder));
    const QString path =
        folder + QStringLiteral("/GOOG_2012-06-21_34200000_57600000_message_1.csv");
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("34200.01,1,1,100,5858000,1\n"
               "34200.02,1,2,100,5859000,-1\n"
               "this is not a LOBSTER message\n");
    file.close();

    MainWindow window;
    window.resize(1400, 850);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const std::optional<QString> error = window.startReplay(path, 0.0);
    QVERIFY2(!error, error ? qPrintable(*error) : "");

    auto *errorLabel = window.findChild<ElidedLabel *>(QStringLiteral("errorLabel"));
    QVERIFY(errorLabel);
    QTRY_VERIFY_WITH_TIMEOUT(!errorLabel->fullText().isEmpty(), timeoutMilliseconds);
    QCoreApplication::processEvents();

    const QString fullError = errorLabel->fullText();
    QVERIFY2(fullError.startsWith(path + QStringLiteral(":3: ")), qPrintable(fullError));
    QVERIFY2(window.fontMetrics().horizontalAdvance(fullError) > 1600,
             "the error fits a screen, so it cannot show the window widening");
    QCOMPARE(window.width(), 1400);
    QVERIFY2(window.minimumSizeHint().width() <= 1400,
             qPrintable(QString::number(window.minimumSizeHint().width())));
    QVERIFY(errorLabel->isElided());
    QCOMPARE(errorLabel->toolTip(), fullError);
}

// The Session menu's report runs what the terminal gave the window, and is off without it, as
// in a terminal that keeps no journal.
void MainWindowTest::sessionReportNeedsHandler()
{
    MainWindow window;
    auto *report = window.findChild<QAction *>(QStringLiteral("sessionReportAction"));
    QVERIFY(report);
    QVERIFY(!report->isEnabled());

    int requests = 0;
    window.setSessionReportHandler([&requests] { ++requests; });
    QVERIFY(report->isEnabled());
    report->trigger();
    QCOMPARE(requests, 1);
}

QTEST_MAIN(MainWindowTest)
#include "tst_main_window.moc"

// The main window in remote mode, fed through its seam: views and statuses made by the test, and
// a recording gateway in place of a RemoteSession, so that no server is needed.

#include "connection_panel.h"
#include "connection_status_text.h"
#include "elided_label.h"
#include "main_window.h"
#include "market_watch_model.h"
#include "market_watch_panel.h"
#include "order_ticket.h"
#include "recording_order_gateway.h"
#include "replay_toolbar.h"
#include "risk_tone_label.h"
#include "session_status_bar.h"
#include "theme.h"
#include "time_and_sales_model.h"
#include "time_and_sales_panel.h"

#include <QAction>
#include <QFont>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace bourse;
using namespace bourse::ui;

namespace {

InstrumentQuote quote(std::uint32_t id, const char *symbol)
{
    InstrumentQuote row;
    row.instrument = InstrumentId{id};
    row.symbol = symbol;
    row.currency = "USD";
    row.last = Price{10'000};
    return row;
}

std::shared_ptr<const MarketView> remoteView()
{
    auto view = std::make_shared<MarketView>();
    view->mode = SessionMode::Remote;
    view->takesOrders = true;
    view->viewNumber = 1;
    view->instruments = {quote(1, "XYZ"), quote(2, "ABC")};
    view->instrument = InstrumentId{1};
    view->symbol = "XYZ";
    view->bids = {LevelSummary{Price{9'995}, Quantity{50}, 2}};
    view->asks = {LevelSummary{Price{10'005}, Quantity{30}, 1}};
    view->trader.accounts = {AccountId{1}};
    view->lastSequence = 10;
    return view;
}

// What the test's link returns; the window reads it through the link's functions.
struct FakeServer {
    std::shared_ptr<const MarketView> view = remoteView();
    net::ConnectionStatus status;
    std::vector<InstrumentId> focused;
    RecordingOrderGateway *gateway = nullptr; // owned by the window
};

RemoteLink linkTo(FakeServer &server)
{
    RemoteLink link;
    link.views = [&server] { return server.view; };
    link.status = [&server] { return server.status; };
    link.setFocus = [&server](InstrumentId instrument) { server.focused.push_back(instrument); };
    auto gateway = std::make_unique<RecordingOrderGateway>();
    server.gateway = gateway.get();
    link.gateway = std::move(gateway);
    return link;
}

QString connectionText(const MainWindow &window)
{
    return window.findChild<QLabel *>(QStringLiteral("connectionLabel"))->text();
}

QString statusCell(const MainWindow &window, int row)
{
    const MarketWatchModel &model = *window.findChild<MarketWatchPanel *>()->model();
    return model.index(row, MarketWatchModel::StatusColumn).data().toString();
}

} // namespace

class RemoteWindowTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void statusText_data();
    void statusText();
    void statusBarFollowsEachState();
    void staleInstrumentsMarkedInMarketWatch();
    void localControlsOffWithReason();
    void ticketOrderGoesToLinkGateway();
    void focusGoesToLink();
    void serverRestartRefillsTape();
    void disconnectLeavesRemoteMode();
    void connectWithoutFactoryReportsIt();

private:
    QTemporaryDir m_settingsDirectory;
};

void RemoteWindowTest::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_settingsDirectory.isValid());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDirectory.path());
    QCoreApplication::setOrganizationName(QStringLiteral("BourseTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_remote_window"));
}

void RemoteWindowTest::statusText_data()
{
    QTest::addColumn<int>("state");
    QTest::addColumn<qulonglong>("instance");
    QTest::addColumn<QStringList>("stale");
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("severity");
    const auto live = static_cast<int>(net::ClientState::Live);
    const auto connecting = static_cast<int>(net::ClientState::Connecting);
    const auto waiting = static_cast<int>(net::ClientState::WaitingToReconnect);
    const auto normal = static_cast<int>(ConnectionSeverity::Normal);
    const auto warning = static_cast<int>(ConnectionSeverity::Warning);
    const auto error = static_cast<int>(ConnectionSeverity::Error);
    const qulonglong instance = 42;
    QTest::newRow("live") << live << instance << QStringList()
                          << QStringLiteral("Live \u00b7 instance 42") << normal;
    QTest::newRow("live with a stale stream")
        << live << instance << QStringList{QStringLiteral("instrument 3")}
        << QStringLiteral("Live \u00b7 instance 42 \u00b7 stale: instrument 3") << warning;
    QTest::newRow("five stale streams")
        << live << instance
        << QStringList{QStringLiteral("instrument 1"), QStringLiteral("instrument 2"),
                       QStringLiteral("instrument 3"), QStringLiteral("instrument 4"),
                       QStringLiteral("account 1")}
        << QStringLiteral("Live \u00b7 instance 42 \u00b7 stale: instrument 1, instrument 2, "
                          "instrument 3 and 2 more")
        << warning;
    QTest::newRow("first connect") << connecting << qulonglong{0} << QStringList()
                                   << QStringLiteral("Connecting\u2026") << warning;
    QTest::newRow("connecting again") << connecting << instance << QStringList()
                                      << QStringLiteral("Reconnecting\u2026") << warning;
    QTest::newRow("waiting to reconnect") << waiting << instance << QStringList()
                                          << QStringLiteral("Reconnecting in 400 ms") << error;
}

void RemoteWindowTest::statusText()
{
    QFETCH(int, state);
    QFETCH(qulonglong, instance);
    QFETCH(QStringList, stale);
    QFETCH(QString, text);
    QFETCH(int, severity);
    net::ConnectionStatus status;
    status.state = static_cast<net::ClientState>(state);
    status.instanceId = instance;
    status.orderEntryEndpoint = "tcp://127.0.0.1:7401";
    status.reconnectDelay = std::chrono::milliseconds(400);
    for (const QString &stream : stale)
        status.staleStreams.push_back(stream.toStdString());
    const ConnectionStatusText shown = connectionStatusText(status);
    QCOMPARE(shown.text, text);
    QCOMPARE(static_cast<int>(shown.severity), severity);
    QVERIFY(shown.toolTip.contains(QStringLiteral("Server: tcp://127.0.0.1:7401")));
    QCOMPARE(shown.toolTip.contains(QStringLiteral("Server instance: 42")), instance != 0);
}

void RemoteWindowTest::statusBarFollowsEachState()
{
    FakeServer server;
    MainWindow window;
    window.setSettingsPersistent(false);
    window.startRemote(linkTo(server), QStringLiteral("tcp://127.0.0.1:7401"));
    QVERIFY(window.isRemote());
    QCOMPARE(connectionText(window), QStringLiteral("Connecting\u2026"));
    auto *mode = window.findChild<ElidedLabel *>(QStringLiteral("modeLabel"));
    QTRY_COMPARE(mode->fullText(), QStringLiteral("Remote: tcp://127.0.0.1:7401"));

    server.status.state = net::ClientState::Live;
    server.status.instanceId = 17;
    QTRY_COMPARE(connectionText(window), QStringLiteral("Live \u00b7 instance 17"));
    auto *counter = window.findChild<QLabel *>(QStringLiteral("connection_dead_peers"));
    QVERIFY(counter);
    server.status.counters.deadPeers = 3;
    server.status.state = net::ClientState::WaitingToReconnect;
    server.status.reconnectDelay = std::chrono::milliseconds(800);
    QTRY_COMPARE(connectionText(window), QStringLiteral("Reconnecting in 800 ms"));
    QCOMPARE(counter->text(), QStringLiteral("3"));
}

void RemoteWindowTest::staleInstrumentsMarkedInMarketWatch()
{
    FakeServer server;
    server.status.state = net::ClientState::Live;
    server.status.instanceId = 1;
    MainWindow window;
    window.setSettingsPersistent(false);
    window.startRemote(linkTo(server), QStringLiteral("tcp://127.0.0.1:7401"));
    QTRY_COMPARE(window.findChild<MarketWatchPanel *>()->model()->rowCount(), 2);
    QTRY_COMPARE(statusCell(window, 0), QStringLiteral("Open"));

    server.status.staleStreams = {"instrument 2", "account 1"};
    QTRY_COMPARE(statusCell(window, 1), QStringLiteral("Stale"));
    QCOMPARE(statusCell(window, 0), QStringLiteral("Open"));
    // The whole row is marked, because the status column may be scrolled out of sight.
    const MarketWatchModel &model = *window.findChild<MarketWatchPanel *>()->model();
    const QModelIndex staleSymbol = model.index(1, MarketWatchModel::SymbolColumn);
    QVERIFY(staleSymbol.data(Qt::FontRole).value<QFont>().italic());
    QVERIFY(staleSymbol.data(Qt::ToolTipRole).toString().startsWith(QStringLiteral("Stale: ABC")));
    QVERIFY(!model.index(0, MarketWatchModel::SymbolColumn).data(Qt::ToolTipRole).isValid());

    // With the link down nothing on screen is current.
    server.status.state = net::ClientState::WaitingToReconnect;
    QTRY_COMPARE(statusCell(window, 0), QStringLiteral("Stale"));

    server.status.state = net::ClientState::Live;
    server.status.staleStreams.clear();
    QTRY_COMPARE(statusCell(window, 0), QStringLiteral("Open"));
    QCOMPARE(statusCell(window, 1), QStringLiteral("Open"));
}

void RemoteWindowTest::localControlsOffWithReason()
{
    FakeServer server;
    MainWindow window;
    window.setSettingsPersistent(false);
    window.startRemote(linkTo(server), QStringLiteral("tcp://127.0.0.1:7401"));
    QTest::qWait(100);
    for (const char *name : {"playPauseAction", "stepAction", "speedAction_10x"}) {
        auto *action = window.findChild<QAction *>(QString::fromLatin1(name));
        QVERIFY2(action, name);
        QVERIFY2(!action->isEnabled(), name);
        QVERIFY2(action->toolTip().contains(QStringLiteral("server")), name);
    }
    QVERIFY(window.findChild<QAction *>(QStringLiteral("simulationAction"))->isEnabled());

    // A new theme makes a new toolbar, which stays off.
    window.setTheme(theme::Theme::Light);
    auto *playPause = window.findChild<QAction *>(QStringLiteral("playPauseAction"));
    QVERIFY(!playPause->isEnabled());
    QVERIFY2(playPause->toolTip().contains(QStringLiteral("server")),
             qPrintable(playPause->toolTip()));
    QVERIFY(window.findChild<QAction *>(QStringLiteral("disconnectAction"))->isEnabled());
}

void RemoteWindowTest::ticketOrderGoesToLinkGateway()
{
    FakeServer server;
    server.status.state = net::ClientState::Live;
    MainWindow window;
    window.setSettingsPersistent(false);
    window.startRemote(linkTo(server), QStringLiteral("tcp://127.0.0.1:7401"));
    auto *ticket = window.findChild<OrderTicket *>();
    QTRY_VERIFY(ticket->findChild<QPushButton *>(QStringLiteral("ticketBuy")));
    ticket->setQuantity(Quantity{5});
    ticket->setLimitPrice(Price{9'990});
    auto *buy = ticket->findChild<QPushButton *>(QStringLiteral("ticketBuy"));
    QTRY_VERIFY(buy->isEnabled());
    QTest::mouseClick(buy, Qt::LeftButton);

    QCOMPARE(server.gateway->submitted.size(), std::size_t{1});
    const NewOrder &order = server.gateway->submitted.front();
    QCOMPARE(order.account, AccountId{1});
    QCOMPARE(order.instrument, InstrumentId{1});
    QCOMPARE(order.side, Side::Buy);
    QCOMPARE(order.quantity, Quantity{5});
    QCOMPARE(order.limit, Price{9'990});
}

void RemoteWindowTest::focusGoesToLink()
{
    FakeServer server;
    MainWindow window;
    window.setSettingsPersistent(false);
    window.startRemote(linkTo(server), QStringLiteral("tcp://127.0.0.1:7401"));
    window.selectInstrument(InstrumentId{2});
    QCOMPARE(server.focused.size(), std::size_t{1});
    QCOMPARE(server.focused.front(), InstrumentId{2});
}

// A restarted server numbers its trades from 1 again, below those the tape has shown. The
// remote session raises replaySeeks for the new run, which clears the panels.
void RemoteWindowTest::serverRestartRefillsTape()
{
    FakeServer server;
    server.status.state = net::ClientState::Live;
    server.status.instanceId = 17;
    auto first = std::make_shared<MarketView>(*remoteView());
    first->recentTrades = {TradePrint{100, Timestamp{1}, Price{10'000}, Quantity{1}, Side::Buy},
                           TradePrint{101, Timestamp{2}, Price{10'005}, Quantity{2}, Side::Buy}};
    server.view = first;
    MainWindow window;
    window.setSettingsPersistent(false);
    window.startRemote(linkTo(server), QStringLiteral("tcp://127.0.0.1:7401"));
    const TimeAndSalesModel &tape = *window.findChild<TimeAndSalesPanel *>()->model();
    QTRY_COMPARE(tape.rowCount(), 2);

    auto restarted = std::make_shared<MarketView>(*remoteView());
    restarted->viewNumber = 2;
    restarted->replaySeeks = 1;
    restarted->recentTrades = {TradePrint{5, Timestamp{3}, Price{9'990}, Quantity{7}, Side::Sell}};
    server.view = restarted;
    server.status.instanceId = 18;
    QTRY_COMPARE(tape.rowCount(), 1);
}

void RemoteWindowTest::disconnectLeavesRemoteMode()
{
    FakeServer server;
    MainWindow window;
    window.setSettingsPersistent(false);
    window.startRemote(linkTo(server), QStringLiteral("tcp://127.0.0.1:7401"));
    QTRY_COMPARE(window.findChild<MarketWatchPanel *>()->model()->rowCount(), 2);

    window.disconnectFromServer();
    QVERIFY(!window.isRemote());
    QCOMPARE(connectionText(window), QStringLiteral("Disconnected"));
    QCOMPARE(window.findChild<MarketWatchPanel *>()->model()->rowCount(), 0);
    QVERIFY(!window.findChild<QAction *>(QStringLiteral("disconnectAction"))->isEnabled());

    // A local session afterwards shows Local again.
    window.startSimulation(1);
    QCOMPARE(connectionText(window), QStringLiteral("Local"));
}

void RemoteWindowTest::connectWithoutFactoryReportsIt()
{
    MainWindow window;
    window.setSettingsPersistent(false);
    const std::optional<QString> error = window.connectToServer(net::ClientOptions{});
    QVERIFY(error.has_value());
    QVERIFY(!window.isRemote());
}

QTEST_MAIN(RemoteWindowTest)
#include "tst_remote_window.moc"

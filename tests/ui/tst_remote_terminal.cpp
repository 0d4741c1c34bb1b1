// The terminal's window connected to an in-process Server on 127.0.0.1 ports the system chooses,
// with a quiet scenario market of one instrument and CURVE keys made in a temporary folder. An
// order from the order ticket reaches the server and comes back as a working order.

#include "main_window.h"
#include "market_feed.h"
#include "order_ticket.h"
#include "remote_settings.h"
#include "server.h"
#include "terminal_server.h"

#include <QLabel>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>

using namespace bourse;
using namespace bourse::ui;

namespace {

constexpr int kTimeoutMs = 15'000;

} // namespace

class RemoteTerminalTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void ticketOrderReachesServer();

private:
    QTemporaryDir m_settingsDirectory;
};

void RemoteTerminalTest::initTestCase()
{
    QVERIFY(m_settingsDirectory.isValid());
    useTestSettings(m_settingsDirectory.path(), QStringLiteral("tst_remote_terminal"));
}

void RemoteTerminalTest::ticketOrderReachesServer()
{
    TerminalServer fixture{nettest::ServeConfig{}};
    MainWindow window;
    window.setSettingsPersistent(false);
    window.setRemoteLinkFactory(&makeRemoteLink);
    auto checked = checkRemoteSettings(fixture.settings());
    QVERIFY(std::holds_alternative<net::ClientOptions>(checked));
    net::ClientOptions options = std::get<net::ClientOptions>(std::move(checked));
    // A client that follows every instrument learns of one from its first published batch, and
    // this quiet market publishes none until an order arrives, so the test names it.
    options.instruments = {InstrumentId{1}};
    const std::optional<QString> error = window.connectToServer(std::move(options));
    QVERIFY2(!error, error ? qPrintable(*error) : "");

    auto *connection = window.findChild<QLabel *>(QStringLiteral("connectionLabel"));
    QTRY_VERIFY2_WITH_TIMEOUT(connection->text().startsWith(QStringLiteral("Live")),
                              qPrintable(connection->text()), kTimeoutMs);
    const auto viewReady = [&window] {
        const auto &view = window.feed().currentView();
        return view && view->instrument == InstrumentId{1} && view->takesOrders &&
               !view->trader.accounts.empty();
    };
    const auto describeView = [&window] {
        const auto &view = window.feed().currentView();
        if (!view)
            return QStringLiteral("no view");
        return QStringLiteral("focus %1, %2 instruments, takes orders %3, %4 accounts, error '%5', "
                              "stale '%6'")
            .arg(view->instrument.value())
            .arg(view->instruments.size())
            .arg(view->takesOrders)
            .arg(view->trader.accounts.size())
            .arg(QString::fromStdString(view->error), QString::fromStdString(view->replayStale));
    };
    QTRY_VERIFY2_WITH_TIMEOUT(viewReady(), qPrintable(describeView()), kTimeoutMs);

    auto *ticket = window.findChild<OrderTicket *>();
    ticket->setQuantity(Quantity{10});
    ticket->setLimitPrice(Price{10'000});
    auto *buy = ticket->findChild<QPushButton *>(QStringLiteral("ticketBuy"));
    QTRY_VERIFY_WITH_TIMEOUT(buy->isEnabled(), kTimeoutMs);
    QTest::mouseClick(buy, Qt::LeftButton);

    // The order comes back in the views as the server's execution reports show it.
    const auto working = [&window] {
        const auto &view = window.feed().currentView();
        return view ? view->trader.workingOrders.size() : std::size_t{0};
    };
    QTRY_COMPARE_WITH_TIMEOUT(working(), std::size_t{1}, kTimeoutMs);
    const OwnOrder order = window.feed().currentView()->trader.workingOrders.front();
    QCOMPARE(order.account, AccountId{1});
    QCOMPARE(order.instrument, InstrumentId{1});
    QCOMPARE(order.side, Side::Buy);
    QCOMPARE(order.quantity, Quantity{10});
    QCOMPARE(order.limit, Price{10'000});

    window.disconnectFromServer();
    fixture.stop();
    QCOMPARE(fixture.server->counters().commands, std::uint64_t{1});
    QCOMPARE(fixture.server->counters().unauthorized, std::uint64_t{0});
}

QTEST_MAIN(RemoteTerminalTest)
#include "tst_remote_terminal.moc"

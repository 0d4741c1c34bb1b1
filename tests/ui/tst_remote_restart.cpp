// The window in remote mode across a restart of its server: an in-process simulation server on
// 127.0.0.1 stops, and a new run of it binds the same ports. The loss of the link shows as the
// session's error until the link is Live again, the connection panel keeps it as the last
// error, and the panels start afresh with the new run's bars.

#include "connection_panel.h"
#include "elided_label.h"
#include "main_window.h"
#include "market_feed.h"
#include "remote_settings.h"
#include "server.h"
#include "terminal_server.h"

#include <QLabel>
#include <QTemporaryDir>
#include <QTest>

#include <chrono>

using namespace bourse;
using namespace bourse::ui;

namespace {

constexpr int kTimeoutMs = 15'000;
constexpr std::int64_t kSecond = 1'000'000'000;

// A simulation server with seed 7 whose access list lets the terminal's key trade account 1.
struct SimulationServer : TerminalServer {
    SimulationServer()
        : TerminalServer(config())
    {
    }

    static nettest::ServeConfig config()
    {
        nettest::ServeConfig config;
        config.market = "simulation seed 7";
        return config;
    }

    // A new run of the server on the endpoints of the stopped one.
    void restart() { TerminalServer::restart(config()); }

    net::ClientOptions clientOptions() const
    {
        auto checked = checkRemoteSettings(settings());
        if (!std::holds_alternative<net::ClientOptions>(checked))
            qFatal("%s", qPrintable(std::get<RemoteSettingsError>(checked).message));
        net::ClientOptions options = std::get<net::ClientOptions>(std::move(checked));
        options.instruments = {InstrumentId{1}};
        return options;
    }
};

std::int64_t wallClockNanoseconds()
{
    const auto sinceEpoch = std::chrono::system_clock::now().time_since_epoch();
    return std::chrono::duration_cast<std::chrono::nanoseconds>(sinceEpoch).count();
}

QString labelText(const MainWindow &window, const char *name)
{
    const auto *label = window.findChild<QLabel *>(QString::fromLatin1(name));
    if (const auto *elided = qobject_cast<const ElidedLabel *>(label))
        return elided->fullText();
    return label ? label->text() : QString();
}

} // namespace

class RemoteRestartTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void restartClearsErrorAndBars();

private:
    QTemporaryDir m_settingsDirectory;
};

void RemoteRestartTest::initTestCase()
{
    QVERIFY(m_settingsDirectory.isValid());
    useTestSettings(m_settingsDirectory.path(), QStringLiteral("tst_remote_restart"));
}

void RemoteRestartTest::restartClearsErrorAndBars()
{
    SimulationServer server;
    MainWindow window;
    window.setSettingsPersistent(false);
    window.setRemoteLinkFactory(&makeRemoteLink);
    const std::optional<QString> error = window.connectToServer(server.clientOptions());
    QVERIFY2(!error, error ? qPrintable(*error) : "");
    const auto view = [&window] { return window.feed().currentView(); };
    QTRY_VERIFY_WITH_TIMEOUT(view() && view()->takesOrders && !view()->bars.empty(), kTimeoutMs);
    QCOMPARE(view()->replaySeeks, std::uint64_t{0});

    server.stop();
    QTRY_VERIFY_WITH_TIMEOUT(labelText(window, "errorLabel").contains(QStringLiteral(" lost")),
                             kTimeoutMs);
    // The new run's first bar then starts in a later second than the old run's last one.
    QTest::qWait(1'100);
    const std::int64_t restarted = wallClockNanoseconds() / kSecond * kSecond;
    server.restart();

    QTRY_VERIFY_WITH_TIMEOUT(view()->takesOrders && view()->replaySeeks == 1, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!view()->bars.empty(), kTimeoutMs);
    QCOMPARE(QString::fromStdString(view()->error), QString());
    QTRY_COMPARE_WITH_TIMEOUT(labelText(window, "errorLabel"), QString(), kTimeoutMs);
    QVERIFY2(labelText(window, "connection_last_error").contains(QStringLiteral(" lost")),
             qPrintable(labelText(window, "connection_last_error")));
    for (const Bar &bar : view()->bars)
        QVERIFY2(bar.start.value() >= restarted, "a bar of the stopped run is still shown");
}

QTEST_MAIN(RemoteRestartTest)
#include "tst_remote_restart.moc"

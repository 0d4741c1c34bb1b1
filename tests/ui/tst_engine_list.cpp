// The engine list of `bourse --engines FILE`, parsed from text, and how the status bar and the
// connection dock word the engines of a split market.

#include "connection_status_text.h"
#include "engine_list.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using bourse::terminal::EngineEntry;
using bourse::terminal::parseEngineList;
using bourse::terminal::readEngineList;

namespace {

constexpr char kServerKey[] = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";

} // namespace

class EngineListTest : public QObject {
    Q_OBJECT

private slots:
    void engineLinesAreRead();
    void standbyEndpointsAreRead();
    void badLineIsReported_data();
    void badLineIsReported();
    void emptyListIsReported();
    void missingKeyFileIsReportedAtItsLine();
    void splitStatusCountsLiveEngines();
    void contestedInstrumentIsNamedBySymbol();
    void failedHandshakeNamesTheEngine();
    void rejectedKeyNamesTheServer();
    void standbyInUseIsNamed();
};

void EngineListTest::engineLinesAreRead()
{
    const QString text = QStringLiteral("# the desk's market\n"
                                        "engine equities tcp://127.0.0.1:7401 keys/equities.pub\n"
                                        "\n"
                                        "engine futures tcp://127.0.0.1:7411 %1 # pasted key\n")
                             .arg(QLatin1String(kServerKey));
    const auto parsed = parseEngineList(text, QStringLiteral("/srv/desk/engines.list"));
    const QString *error = std::get_if<QString>(&parsed);
    QVERIFY2(error == nullptr, error ? qPrintable(*error) : "");
    const auto &engines = std::get<std::vector<EngineEntry>>(parsed);
    QCOMPARE(engines.size(), std::size_t{2});
    QCOMPARE(engines.at(0).name, QStringLiteral("equities"));
    QCOMPARE(engines.at(0).settings.orderEntryEndpoint, QStringLiteral("tcp://127.0.0.1:7401"));
    QCOMPARE(engines.at(0).settings.serverKey, QStringLiteral("/srv/desk/keys/equities.pub"));
    QCOMPARE(engines.at(1).name, QStringLiteral("futures"));
    QCOMPARE(engines.at(1).settings.serverKey, QLatin1String(kServerKey));
}

void EngineListTest::standbyEndpointsAreRead()
{
    const QString text = QStringLiteral("engine equities tcp://127.0.0.1:7401,tcp://127.0.0.1:7501,"
                                        "tcp://10.0.0.2:7401 keys/equities.pub\n"
                                        "engine futures tcp://127.0.0.1:7411 keys/futures.pub\n");
    const auto parsed = parseEngineList(text, QStringLiteral("/srv/desk/engines.list"));
    const QString *error = std::get_if<QString>(&parsed);
    QVERIFY2(error == nullptr, error ? qPrintable(*error) : "");
    const auto &engines = std::get<std::vector<EngineEntry>>(parsed);
    QCOMPARE(engines.size(), std::size_t{2});
    QCOMPARE(engines.at(0).settings.orderEntryEndpoint, QStringLiteral("tcp://127.0.0.1:7401"));
    QCOMPARE(engines.at(0).settings.standbyEndpoints,
             (QStringList{QStringLiteral("tcp://127.0.0.1:7501"),
                          QStringLiteral("tcp://10.0.0.2:7401")}));
    QCOMPARE(engines.at(0).settings.serverKey, QStringLiteral("/srv/desk/keys/equities.pub"));
    QVERIFY(engines.at(1).settings.standbyEndpoints.isEmpty());
}

void EngineListTest::badLineIsReported_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("expected");
    QTest::newRow("unknown word") << "server a tcp://127.0.0.1:7401 k.pub"
                                  << "unknown setting 'server'";
    QTest::newRow("missing key") << "engine b tcp://127.0.0.1:7411"
                                 << "missing server key";
    QTest::newRow("missing endpoint") << "engine b"
                                      << "missing order-entry endpoint";
    QTest::newRow("extra word") << "engine b tcp://127.0.0.1:7411 k.pub more"
                                << "unexpected 'more' after the server key";
    QTest::newRow("invalid endpoint")
        << "engine b 127.0.0.1:7411 k.pub"
        << "invalid order-entry endpoint '127.0.0.1:7411' of engine 'b': expected tcp://HOST:PORT";
    QTest::newRow("name twice") << "engine a tcp://127.0.0.1:7411 k.pub"
                                << "engine 'a' is listed twice";
    QTest::newRow("endpoint twice") << "engine b tcp://127.0.0.1:7401 k.pub"
                                    << "engines 'a' and 'b' have the same endpoint";
    QTest::newRow("invalid standby")
        << "engine b tcp://127.0.0.1:7411,127.0.0.1:7511 k.pub"
        << "invalid standby endpoint '127.0.0.1:7511' of engine 'b': expected tcp://HOST:PORT";
    QTest::newRow("empty standby") << "engine b tcp://127.0.0.1:7411, k.pub"
                                   << "invalid standby endpoint '' of engine 'b'";
    QTest::newRow("standby is its primary")
        << "engine b tcp://127.0.0.1:7411,tcp://127.0.0.1:7411 k.pub"
        << "endpoint tcp://127.0.0.1:7411 of engine 'b' is listed twice";
    QTest::newRow("standby is another engine")
        << "engine b tcp://127.0.0.1:7411,tcp://127.0.0.1:7401 k.pub"
        << "engines 'a' and 'b' have the same endpoint tcp://127.0.0.1:7401";
}

void EngineListTest::badLineIsReported()
{
    QFETCH(QString, line);
    QFETCH(QString, expected);
    // The bad line is line 2, after a good one.
    const QString text = QStringLiteral("engine a tcp://127.0.0.1:7401 a.pub\n") + line + '\n';
    const auto parsed = parseEngineList(text, QStringLiteral("engines.list"));
    QVERIFY(std::holds_alternative<QString>(parsed));
    const QString error = std::get<QString>(parsed);
    QVERIFY2(error.startsWith(QStringLiteral("engines.list:2: error: ")), qPrintable(error));
    QVERIFY2(error.contains(expected), qPrintable(error));
    // Worded as the other command-line errors: a lower-case clause without a final period.
    const QString message = error.mid(QStringLiteral("engines.list:2: error: ").size());
    QVERIFY2(message.front().isLower(), qPrintable(error));
    QVERIFY2(!message.endsWith(QLatin1Char('.')), qPrintable(error));
}

void EngineListTest::emptyListIsReported()
{
    const auto parsed =
        parseEngineList(QStringLiteral("# nothing yet\n"), QStringLiteral("engines.list"));
    QVERIFY(std::holds_alternative<QString>(parsed));
    QVERIFY(std::get<QString>(parsed).startsWith(
        QStringLiteral("engines.list: error: no engine listed")));
}

void EngineListTest::missingKeyFileIsReportedAtItsLine()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    QFile key(folder.filePath(QStringLiteral("a.pub")));
    QVERIFY(key.open(QIODevice::WriteOnly));
    key.write(QByteArray("public-key ") + kServerKey + '\n');
    key.close();
    const QString path = folder.filePath(QStringLiteral("engines.list"));
    QFile list(path);
    QVERIFY(list.open(QIODevice::WriteOnly));
    list.write("engine a tcp://127.0.0.1:7401 a.pub\n"
               "engine b tcp://127.0.0.1:7411 missing.pub\n");
    list.close();

    const auto read = readEngineList(path);
    QVERIFY(std::holds_alternative<QString>(read));
    const QString error = std::get<QString>(read);
    QVERIFY2(error.startsWith(path + QStringLiteral(":2: error: server key of engine 'b': ")),
             qPrintable(error));
    QVERIFY2(error.contains(folder.filePath(QStringLiteral("missing.pub"))), qPrintable(error));
}

void EngineListTest::splitStatusCountsLiveEngines()
{
    bourse::net::ConnectionStatus left;
    left.state = bourse::net::ClientState::Live;
    left.instanceId = 17;
    left.engineName = "left";
    left.orderEntryEndpoint = "tcp://127.0.0.1:7401";
    left.ownedSymbols = {"BLUE", "MIDC"};
    bourse::net::ConnectionStatus right = left;
    right.state = bourse::net::ClientState::WaitingToReconnect;
    right.reconnectDelay = std::chrono::milliseconds(400);
    right.engineName = "right";
    right.ownedSymbols = {"IDXF"};

    bourse::net::ConnectionStatus merged;
    merged.state = bourse::net::ClientState::Live;
    merged.staleStreams = {"instrument 3 (IDXF)", "instrument 4", "instrument 5 (EURUSD)",
                           "instrument 6 (GOLD)"};
    merged.engines = {left, right};
    const bourse::ui::ConnectionStatusText text = bourse::ui::connectionStatusText(merged);
    QCOMPARE(text.text, QStringLiteral("Live \u00b7 1 of 2 engines \u00b7 stale: IDXF, instrument "
                                       "4, EURUSD and 1 more"));
    QCOMPARE(text.severity, bourse::ui::ConnectionSeverity::Warning);
    QVERIFY2(text.toolTip.contains(QStringLiteral(
                 "right: Reconnecting in 400 ms \u00b7 tcp://127.0.0.1:7401 \u00b7 IDXF")),
             qPrintable(text.toolTip));
    QCOMPARE(bourse::ui::engineStatusLine(left),
             QStringLiteral("left: Live \u00b7 instance 17 \u00b7 tcp://127.0.0.1:7401 \u00b7 "
                            "BLUE, MIDC"));
}

void EngineListTest::contestedInstrumentIsNamedBySymbol()
{
    bourse::net::ConnectionStatus equities;
    equities.state = bourse::net::ClientState::Live;
    equities.engineName = "equities";
    equities.ownedSymbols = {"BLUE", "MIDC"};
    bourse::net::ConnectionStatus blue2 = equities;
    blue2.engineName = "blue2";
    blue2.ownedSymbols = {"BLUE"};

    bourse::net::ConnectionStatus merged;
    merged.state = bourse::net::ClientState::Live;
    merged.staleStreams = {"instrument 1 (BLUE) on 2 engines", "instrument 3 (IDXF)"};
    merged.lastError = "BLUE (instrument 1) is owned by both equities and blue2, so its orders are "
                       "rejected until one engine stops serving it";
    merged.engines = {equities, blue2};
    const bourse::ui::ConnectionStatusText text = bourse::ui::connectionStatusText(merged);
    QCOMPARE(text.text, QStringLiteral("Live \u00b7 2 of 2 engines \u00b7 BLUE on 2 engines \u00b7 "
                                       "stale: IDXF"));
    QCOMPARE(text.severity, bourse::ui::ConnectionSeverity::Warning);
    QVERIFY2(text.toolTip.contains(
                 QStringLiteral("Last error: BLUE (instrument 1) is owned by both equities and "
                                "blue2, so its orders are rejected")),
             qPrintable(text.toolTip));

    // The market watch greys both rows, the contested one as the stale one.
    QCOMPARE(bourse::ui::staleInstrumentsOf(merged),
             (std::set<bourse::InstrumentId>{bourse::InstrumentId{1}, bourse::InstrumentId{3}}));
}

void EngineListTest::failedHandshakeNamesTheEngine()
{
    bourse::net::ConnectionStatus equities;
    equities.state = bourse::net::ClientState::Live;
    equities.engineName = "equities";
    bourse::net::ConnectionStatus futures;
    futures.state = bourse::net::ClientState::WaitingToReconnect;
    futures.reconnectDelay = std::chrono::milliseconds(400);
    futures.engineName = "futures";
    futures.orderEntryEndpoint = "tcp://127.0.0.1:7411";
    futures.counters.handshakeFailures = 3;
    futures.counters.handshakeFailuresInARow = 3;

    bourse::net::ConnectionStatus merged;
    merged.state = bourse::net::ClientState::Live;
    merged.engines = {equities, futures};
    const bourse::ui::ConnectionStatusText text = bourse::ui::connectionStatusText(merged);
    QCOMPARE(text.text, QStringLiteral("Live \u00b7 1 of 2 engines \u00b7 handshake failed with "
                                       "futures: check its server key"));
    QCOMPARE(text.severity, bourse::ui::ConnectionSeverity::Error);
    QVERIFY2(bourse::ui::engineStatusLine(futures).startsWith(
                 QStringLiteral("futures: Reconnecting in 400 ms \u00b7 handshake failed with "
                                "tcp://127.0.0.1:7411: check its server key")),
             qPrintable(bourse::ui::engineStatusLine(futures)));

    // A handshake that failed before the link went live adds no text once it is live.
    futures.state = bourse::net::ClientState::Live;
    merged.engines = {equities, futures};
    QCOMPARE(bourse::ui::connectionStatusText(merged).text,
             QStringLiteral("Live \u00b7 2 of 2 engines"));
}

// A server that rejected the terminal's key is named while the link is down, whichever endpoint
// set the client tries next, and no longer once the link is live.
void EngineListTest::rejectedKeyNamesTheServer()
{
    bourse::net::ConnectionStatus status;
    status.state = bourse::net::ClientState::WaitingToReconnect;
    status.reconnectDelay = std::chrono::milliseconds(50);
    status.orderEntryEndpoint = "tcp://127.0.0.1:7401";
    status.keyRejectedBy = "tcp://127.0.0.1:7501";
    const bourse::ui::ConnectionStatusText down = bourse::ui::connectionStatusText(status);
    QVERIFY2(down.text.endsWith(QStringLiteral(
                 " \u00b7 tcp://127.0.0.1:7501 rejected this terminal's key: ask its operator "
                 "to add the key to the access list")),
             qPrintable(down.text));
    QCOMPARE(down.severity, bourse::ui::ConnectionSeverity::Error);

    status.state = bourse::net::ClientState::Live;
    QVERIFY2(!bourse::ui::connectionStatusText(status).text.contains(QStringLiteral("rejected")),
             qPrintable(bourse::ui::connectionStatusText(status).text));
}

// After a move to a standby, the status bar, its tooltip and an engine's line name the standby
// in use.
void EngineListTest::standbyInUseIsNamed()
{
    bourse::net::ConnectionStatus status;
    status.state = bourse::net::ClientState::Live;
    status.orderEntryEndpoint = "tcp://127.0.0.1:7501";
    status.endpointIndex = 1;
    status.instanceId = 18;
    const bourse::ui::ConnectionStatusText live = bourse::ui::connectionStatusText(status);
    QCOMPARE(live.text,
             QStringLiteral("Live on standby 1 tcp://127.0.0.1:7501 \u00b7 instance 18"));
    QCOMPARE(live.severity, bourse::ui::ConnectionSeverity::Normal);
    QVERIFY2(live.toolTip.startsWith(QStringLiteral("Server: standby 1 tcp://127.0.0.1:7501\n")),
             qPrintable(live.toolTip));

    status.state = bourse::net::ClientState::WaitingToReconnect;
    status.reconnectDelay = std::chrono::milliseconds(100);
    QCOMPARE(bourse::ui::connectionStatusText(status).text,
             QStringLiteral("Moving to standby 1 tcp://127.0.0.1:7501 in 100 ms"));
    status.state = bourse::net::ClientState::Connecting;
    QCOMPARE(bourse::ui::connectionStatusText(status).text,
             QStringLiteral("Connecting to standby 1 tcp://127.0.0.1:7501\u2026"));
    // A standby with another server key fails its handshakes: the text names the standby, not
    // the primary.
    status.counters.handshakeFailuresInARow = 2;
    QCOMPARE(bourse::ui::connectionStatusText(status).text,
             QStringLiteral("Connecting to standby 1 tcp://127.0.0.1:7501\u2026 \u00b7 handshake "
                            "failed with standby 1 tcp://127.0.0.1:7501: check its server key"));
    status.counters.handshakeFailuresInARow = 0;

    // Going back to the primary names it, as the move to the standby named the standby.
    status.orderEntryEndpoint = "tcp://127.0.0.1:7401";
    status.endpointIndex = 0;
    status.counters.endpointSwitches = 2;
    status.state = bourse::net::ClientState::WaitingToReconnect;
    QCOMPARE(bourse::ui::connectionStatusText(status).text,
             QStringLiteral("Moving back to the primary tcp://127.0.0.1:7401 in 100 ms"));
    status.state = bourse::net::ClientState::Connecting;
    QCOMPARE(bourse::ui::connectionStatusText(status).text,
             QStringLiteral("Reconnecting to the primary tcp://127.0.0.1:7401\u2026"));

    // Back on the primary, the text is the one of a single server.
    status.state = bourse::net::ClientState::Live;
    QCOMPARE(bourse::ui::connectionStatusText(status).text,
             QStringLiteral("Live \u00b7 instance 18"));

    status.engineName = "equities";
    status.orderEntryEndpoint = "tcp://127.0.0.1:7501";
    status.endpointIndex = 1;
    QVERIFY2(bourse::ui::engineStatusLine(status).startsWith(
                 QStringLiteral("equities: Live on standby 1 tcp://127.0.0.1:7501 \u00b7 "
                                "instance 18 \u00b7 tcp://127.0.0.1:7501")),
             qPrintable(bourse::ui::engineStatusLine(status)));
}

QTEST_GUILESS_MAIN(EngineListTest)
#include "tst_engine_list.moc"

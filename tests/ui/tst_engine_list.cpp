// The engine list of `bourse --engines FILE`, parsed from text, and how the status bar and the
// connection dock word the engines of a split market.

#include "connection_status_text.h"
#include "engine_list.h"

#include <QDir>
#include <QTest>

using bourse::terminal::EngineEntry;
using bourse::terminal::parseEngineList;

namespace {

constexpr char kServerKey[] = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";

} // namespace

class EngineListTest : public QObject {
    Q_OBJECT

private slots:
    void engineLinesAreRead();
    void badLineIsReported_data();
    void badLineIsReported();
    void emptyListIsReported();
    void splitStatusCountsLiveEngines();
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
    QTest::newRow("invalid endpoint") << "engine b 127.0.0.1:7411 k.pub"
                                      << "order-entry endpoint of engine 'b'";
    QTest::newRow("name twice") << "engine a tcp://127.0.0.1:7411 k.pub"
                                << "engine 'a' is listed twice";
    QTest::newRow("endpoint twice") << "engine b tcp://127.0.0.1:7401 k.pub"
                                    << "engines 'a' and 'b' have the same endpoint";
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
}

void EngineListTest::emptyListIsReported()
{
    const auto parsed =
        parseEngineList(QStringLiteral("# nothing yet\n"), QStringLiteral("engines.list"));
    QVERIFY(std::holds_alternative<QString>(parsed));
    QVERIFY(std::get<QString>(parsed).startsWith(
        QStringLiteral("engines.list: error: no engine listed")));
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
    merged.staleStreams = {"instrument 3"};
    merged.engines = {left, right};
    const bourse::ui::ConnectionStatusText text = bourse::ui::connectionStatusText(merged);
    QCOMPARE(text.text, QStringLiteral("Live \u00b7 1 of 2 engines \u00b7 stale: instrument 3"));
    QCOMPARE(text.severity, bourse::ui::ConnectionSeverity::Warning);
    QVERIFY2(text.toolTip.contains(QStringLiteral(
                 "right: Reconnecting in 400 ms \u00b7 tcp://127.0.0.1:7401 \u00b7 IDXF")),
             qPrintable(text.toolTip));
    QCOMPARE(bourse::ui::engineStatusLine(left),
             QStringLiteral("left: Live \u00b7 instance 17 \u00b7 tcp://127.0.0.1:7401 \u00b7 "
                            "BLUE, MIDC"));
}

QTEST_GUILESS_MAIN(EngineListTest)
#include "tst_engine_list.moc"

// The example bridge examples/bybit_feed_bridge.py against `bourse-engine listen`, both as
// processes on loopback TCP: Bybit's recorded XRPUSDT stream, converted to the JSON encoding by
// the script, must rebuild the book that the replay's Bybit reader and DepthBook build from the
// same file. Skipped when python3 with pyzmq (python3-zmq) or the recorded data is missing.

#include "depth_book.h"
#include "depth_stream.h"
#include "replay/bybit_archive.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using bourse::Side;
namespace replay = bourse::replay;

namespace {

const QString kScript = QStringLiteral(BOURSE_SOURCE_DIR "/examples/bybit_feed_bridge.py");

// The first python3 that can import zmq: the one on PATH, or Debian's, whose python3-zmq a
// python3 from elsewhere (such as pyenv) does not see.
QString pythonWithZmq()
{
    for (const QString &candidate : {QStandardPaths::findExecutable(QStringLiteral("python3")),
                                     QStringLiteral("/usr/bin/python3")}) {
        if (candidate.isEmpty())
            continue;
        QProcess probe;
        probe.start(candidate, {QStringLiteral("-c"), QStringLiteral("import zmq")});
        if (probe.waitForFinished(10'000) && probe.exitStatus() == QProcess::NormalExit &&
            probe.exitCode() == 0)
            return candidate;
    }
    return {};
}

// The book after the whole file, rebuilt by the replay's reader, at the bridge's scale: four
// price decimals and whole sizes, the most that the file's values have.
replay::BestLevels replayedTop(const QString &path)
{
    replay::BybitDepthReader reader;
    if (reader.open(path.toStdString(), replay::DepthScale{4, 0}))
        return {};
    replay::DepthBook book(replay::DepthSequencing::Consecutive);
    replay::DepthUpdate update;
    while (reader.read(update))
        book.apply(update);
    return book.top();
}

struct ListenResult {
    int exitCode = -1;
    QJsonObject report;
    QString errors;
};

// Starts the bridge, then `bourse-engine listen` on the endpoint it prints.
ListenResult runBridge(const QString &python, const QStringList &bridgeOptions)
{
    QProcess bridge;
    bridge.start(python, QStringList{kScript, QStringLiteral("--from"),
                                     marketDataPath(bourse::replay::testing::kBybitArchive),
                                     QStringLiteral("--bind"), QStringLiteral("tcp://127.0.0.1:*"),
                                     QStringLiteral("--wait-ms"), QStringLiteral("10000"),
                                     QStringLiteral("--linger-ms"), QStringLiteral("3000")} +
                             bridgeOptions);
    ListenResult result;
    // The first line of standard output is "feed ENDPOINT"; readyRead may also come from
    // standard error, so wait for the whole line.
    QDeadlineTimer deadline(20'000);
    while (!bridge.canReadLine() && !deadline.hasExpired())
        bridge.waitForReadyRead(100);
    if (!bridge.canReadLine()) {
        result.errors = QString::fromUtf8(bridge.readAllStandardError());
        return result;
    }
    const QString endpoint = QString::fromUtf8(bridge.readLine()).trimmed().section(' ', 1);

    QProcess listen;
    listen.start(QStringLiteral(BOURSE_ENGINE_EXECUTABLE),
                 {QStringLiteral("listen"), QStringLiteral("--connect"), endpoint,
                  QStringLiteral("--snapshot"), QStringLiteral("none"), QStringLiteral("--idle-ms"),
                  QStringLiteral("1000"), QStringLiteral("--json")});
    listen.waitForFinished(30'000);
    bridge.waitForFinished(30'000);
    result.exitCode = listen.exitCode();
    result.report = QJsonDocument::fromJson(listen.readAllStandardOutput()).object();
    result.errors =
        QString::fromUtf8(listen.readAllStandardError() + bridge.readAllStandardError());
    return result;
}

} // namespace

class TestFeedBridge : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void bybitDayEqualsReplay();
    void droppedMessageLeavesBookStale();

private:
    QString m_python;
};

void TestFeedBridge::initTestCase()
{
    m_python = pythonWithZmq();
}

void TestFeedBridge::bybitDayEqualsReplay()
{
    if (m_python.isEmpty())
        QSKIP("python3 with pyzmq is missing; install the Debian package python3-zmq");
    QTemporaryDir directory;
    QString problem;
    const QString day = bourse::replay::testing::extractBybitDay(directory, problem);
    if (day.isEmpty())
        QSKIP(qPrintable(problem));

    const ListenResult result = runBridge(m_python, {});
    QVERIFY2(!result.report.isEmpty(), qPrintable(result.errors));
    QCOMPARE(result.exitCode, 0);
    // 50 lines: one snapshot, then 49 deltas.
    QCOMPARE(result.report[QStringLiteral("events")].toInt(), 49);
    QCOMPARE(result.report[QStringLiteral("snapshots")].toInt(), 1);
    QCOMPARE(result.report[QStringLiteral("gaps")].toInt(), 0);
    QCOMPARE(result.report[QStringLiteral("rejected")].toInt(), 0);

    const QJsonObject book = result.report[QStringLiteral("books")].toArray().at(0).toObject();
    QCOMPARE(book[QStringLiteral("topic")].toString(), QStringLiteral("XRPUSDT"));
    QCOMPARE(book[QStringLiteral("state")].toString(), QStringLiteral("live"));
    QCOMPARE(book[QStringLiteral("sequence")].toInt(), 50);
    const replay::BestLevels expected = replayedTop(day);
    QVERIFY(expected.bid && expected.ask);
    const QJsonArray bid = book[QStringLiteral("bid")].toArray();
    const QJsonArray ask = book[QStringLiteral("ask")].toArray();
    QCOMPARE(bid.at(0).toInteger(), expected.bid->price.value());
    QCOMPARE(bid.at(1).toInteger(), expected.bid->size.value());
    QCOMPARE(ask.at(0).toInteger(), expected.ask->price.value());
    QCOMPARE(ask.at(1).toInteger(), expected.ask->size.value());
}

// Without a snapshot endpoint, the gap at message 10 can only heal at Bybit's next snapshot,
// which the file does not have: the book must end stale, and listen must report it.
void TestFeedBridge::droppedMessageLeavesBookStale()
{
    if (m_python.isEmpty())
        QSKIP("python3 with pyzmq is missing; install the Debian package python3-zmq");
    BOURSE_REQUIRE_DATA_FILE(marketDataPath(bourse::replay::testing::kBybitArchive));

    const ListenResult result =
        runBridge(m_python, {QStringLiteral("--drop-every"), QStringLiteral("10")});
    QVERIFY2(!result.report.isEmpty(), qPrintable(result.errors));
    QCOMPARE(result.exitCode, 1);
    QCOMPARE(result.report[QStringLiteral("gaps")].toInt(), 1);
    const QJsonObject book = result.report[QStringLiteral("books")].toArray().at(0).toObject();
    QCOMPARE(book[QStringLiteral("state")].toString(), QStringLiteral("stale"));
    QCOMPARE(book[QStringLiteral("sequence")].toInt(), 9);
    QVERIFY(book[QStringLiteral("stale_reason")].toString().contains(
        QStringLiteral("sequence 10 is missing")));
}

QTEST_GUILESS_MAIN(TestFeedBridge)
#include "tst_feed_bridge.moc"

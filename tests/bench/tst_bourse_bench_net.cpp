// Runs `bourse-bench net` briefly on loopback TCP and checks that it reports every figure. It
// times nothing: the figures a benchmark measures are not test results.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

namespace {

// A short run takes about a second; a loaded machine may take many times that.
constexpr int kRunTimeoutMs = 120'000;

struct Outcome {
    int exitCode = -1;
    QByteArray output;
    QString error;
};

Outcome runBench(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral(BOURSE_BENCH_EXECUTABLE), arguments);
    Outcome outcome;
    if (!process.waitForFinished(kRunTimeoutMs) || process.exitStatus() != QProcess::NormalExit)
        return outcome;
    outcome.exitCode = process.exitCode();
    outcome.output = process.readAllStandardOutput();
    outcome.error = QString::fromUtf8(process.readAllStandardError());
    return outcome;
}

} // namespace

class TestBourseBenchNet : public QObject {
    Q_OBJECT

private slots:
    void shortRunReportsPositiveFigures_data();
    void shortRunReportsPositiveFigures();
    void invalidCommandLineFails_data();
    void invalidCommandLineFails();
};

void TestBourseBenchNet::shortRunReportsPositiveFigures_data()
{
    QTest::addColumn<QString>("key");
    for (const char *key :
         {"events_per_second", "baseline_messages_per_second", "baseline_curve_messages_per_second",
          "round_trip_p50_us", "round_trip_p99_us", "baseline_round_trip_p50_us",
          "baseline_round_trip_p99_us", "baseline_curve_round_trip_p50_us",
          "baseline_curve_round_trip_p99_us"})
        QTest::newRow(key) << QString::fromLatin1(key);
}

// One run of every measurement with small counts: the program ends cleanly and prints one JSON
// object whose figures are positive numbers.
void TestBourseBenchNet::shortRunReportsPositiveFigures()
{
    QFETCH(QString, key);
    static const Outcome outcome = runBench({"net", "--events", "5000", "--messages", "5000",
                                             "--round-trips", "100", "--runs", "1", "--json"});
    QCOMPARE(outcome.error, QString());
    QCOMPARE(outcome.exitCode, 0);

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(outcome.output, &parseError);
    QVERIFY2(parseError.error == QJsonParseError::NoError, qPrintable(parseError.errorString()));
    QVERIFY(document.isObject());
    const QJsonObject report = document.object();

    QVERIFY2(report.contains(key), qPrintable(key));
    QVERIFY2(report[key].isDouble(), qPrintable(key));
    QVERIFY2(report[key].toDouble() > 0, qPrintable(key));
    QCOMPARE(report["runs"].toInt(), 1);
    QVERIFY(report["recorded_events"].toInt() >= 5000);
    QCOMPARE(report["round_trips"].toInt(), 100);
    QCOMPARE(report["per_run"].toArray().size(), 1);
}

void TestBourseBenchNet::invalidCommandLineFails_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expectedMessage");

    QTest::newRow("zero runs") << QStringList{"net", "--runs", "0"}
                               << "invalid --runs '0'; expected a whole number from 1 to 100";
    QTest::newRow("too few round trips")
        << QStringList{"net", "--round-trips", "99"}
        << "invalid --round-trips '99'; expected a whole number from 100 to 1000000000";
    QTest::newRow("events not a number")
        << QStringList{"net", "--events", "5k"}
        << "invalid --events '5k'; expected a whole number from 1000 to 1000000000";
    QTest::newRow("missing value")
        << QStringList{"net", "--messages"} << "missing value after --messages";
    QTest::newRow("unknown option")
        << QStringList{"net", "--stream", "a.bin"} << "unknown option '--stream'";
}

void TestBourseBenchNet::invalidCommandLineFails()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, expectedMessage);

    const Outcome outcome = runBench(arguments);
    QCOMPARE(outcome.exitCode, 2);
    QVERIFY2(outcome.error.startsWith("bourse-bench: net: " + expectedMessage),
             qPrintable(outcome.error));
    QVERIFY2(outcome.error.contains("usage: bourse-bench net"), qPrintable(outcome.error));
    QCOMPARE(outcome.output, QByteArray());
}

QTEST_GUILESS_MAIN(TestBourseBenchNet)
#include "tst_bourse_bench_net.moc"

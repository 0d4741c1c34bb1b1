// Runs bourse-bench on streams small enough to compute by hand and checks what it reports.
// It times nothing: the figures a benchmark measures are not test results.

#include "test_data.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <cstdint>
#include <string>

namespace {

constexpr std::uint8_t kAdd = 0;
constexpr std::uint8_t kCancel = 1;
constexpr std::uint8_t kSell = 0;
constexpr std::uint8_t kBuy = 1;

void appendUint32(std::string &bytes, std::uint32_t value)
{
    for (int shift = 0; shift < 32; shift += 8)
        bytes += static_cast<char>((value >> shift) & 0xff);
}

// One 16-byte little-endian record: operation, side, two unused bytes, id, price, quantity.
std::string record(std::uint8_t operation, std::uint8_t side, std::uint32_t id, std::uint32_t price,
                   std::uint32_t quantity)
{
    std::string bytes;
    bytes += static_cast<char>(operation);
    bytes += static_cast<char>(side);
    bytes += std::string(2, '\0');
    appendUint32(bytes, id);
    appendUint32(bytes, price);
    appendUint32(bytes, quantity);
    return bytes;
}

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
    if (!process.waitForFinished(30'000) || process.exitStatus() != QProcess::NormalExit)
        return outcome;
    outcome.exitCode = process.exitCode();
    outcome.output = process.readAllStandardOutput();
    outcome.error = QString::fromUtf8(process.readAllStandardError());
    return outcome;
}

QJsonObject parseObject(const QByteArray &output)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(output, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qWarning("not one JSON object (%s): %s", qPrintable(error.errorString()),
                 output.constData());
    return document.object();
}

} // namespace

class TestBourseBench : public QObject {
    Q_OBJECT

private slots:
    void streamReportsHandComputedCounts();
    void addsOnlyStreamHasNoCancelLatency();
    void riskStreamReportsHandComputedLimits();
    void restingFillsBookWithoutTrades();
    void journalRunsShortAndReportsFigures();
    void missingStreamFails();
    void malformedStreamFails_data();
    void malformedStreamFails();
    void invalidCommandLineFails_data();
    void invalidCommandLineFails();
};

// Price-time replay by hand: ids 1 and 2 bid 10 at 100 and 5 at 101, id 3 offers 7 at 102.
// Id 4 sells 8 at 100, so it takes 5 from id 2 at 101 and then 3 from id 1 at 100. After id 3
// and id 1 are cancelled, id 5 offers 4 at 105 and id 6 bids 2 at 99. Ids 5 and 6 rest.
void TestBourseBench::streamReportsHandComputedCounts()
{
    QTemporaryDir directory;
    const std::string stream = record(kAdd, kBuy, 1, 100, 10) + record(kAdd, kBuy, 2, 101, 5) +
                               record(kAdd, kSell, 3, 102, 7) + record(kAdd, kSell, 4, 100, 8) +
                               record(kCancel, kSell, 3, 102, 0) + record(kAdd, kSell, 5, 105, 4) +
                               record(kCancel, kBuy, 1, 100, 0) + record(kAdd, kBuy, 6, 99, 2);
    const std::string path = writeFile(directory, "tiny.bin", stream);

    const Outcome outcome =
        runBench({"engine", "--stream", QString::fromStdString(path), "--json", "--runs", "5"});
    QCOMPARE(outcome.error, QString());
    QCOMPARE(outcome.exitCode, 0);
    const QJsonObject report = parseObject(outcome.output);

    QCOMPARE(report["commands"].toInt(), 8);
    QCOMPARE(report["adds"].toInt(), 6);
    QCOMPARE(report["cancels"].toInt(), 2);
    QCOMPARE(report["runs"].toInt(), 5);
    QCOMPARE(report["resting"].toInt(), 2);
    QCOMPARE(report["trades"].toInt(), 2);
    QVERIFY(report["commands_per_second"].toDouble() > 0);
    QVERIFY(report["memory_bytes"].toDouble() > 0);
    QCOMPARE(report["add_latency_ns"].toObject()["samples"].toInt(), 6);
    QCOMPARE(report["cancel_latency_ns"].toObject()["samples"].toInt(), 2);
    QVERIFY(QRegularExpression("^[0-9a-f]{16}$").match(report["checksum"].toString()).hasMatch());

    const QJsonObject events = report["events"].toObject();
    QCOMPARE(events["OrderAccepted"].toInt(), 6);
    QCOMPARE(events["OrderAdded"].toInt(), 5);
    QCOMPARE(events["Trade"].toInt(), 2);
    QCOMPARE(events["OrderCancelled"].toInt(), 2);
    QVERIFY(!events.contains("OrderRejected"));
}

void TestBourseBench::addsOnlyStreamHasNoCancelLatency()
{
    QTemporaryDir directory;
    const std::string path = writeFile(
        directory, "adds.bin", record(kAdd, kBuy, 1, 100, 10) + record(kAdd, kSell, 2, 101, 10));

    const Outcome outcome =
        runBench({"engine", "--stream", QString::fromStdString(path), "--json"});
    QCOMPARE(outcome.error, QString());
    QCOMPARE(outcome.exitCode, 0);
    const QJsonObject report = parseObject(outcome.output);

    QCOMPARE(report["resting"].toInt(), 2);
    QCOMPARE(report["trades"].toInt(), 0);
    QCOMPARE(report["add_latency_ns"].toObject()["samples"].toInt(), 2);
    const QJsonObject cancelLatency = report["cancel_latency_ns"].toObject();
    QCOMPARE(cancelLatency["samples"].toInt(), 0);
    QVERIFY(cancelLatency["p50"].isNull());
    QVERIFY(cancelLatency["p99_9"].isNull());
}

// The stream of streamReportsHandComputedCounts() with risk checks. Buys go to accounts 1 + id % 8
// and sells to 9 + id % 8, so every add has an account of its own: each account's peak is one
// open order and one order a second. The other peaks, before doubling, with prices in cents:
// - order size 10 (id 1) and notional 1.00 * 10 = 10.00, also the largest margin commitment;
// - long 10 (id 1), short 8 (id 4), each from a flat account;
// - price band 500 bp: id 5 offers at 105 against the last trade at 100;
// - daily loss 0.05: id 2's account bought 5 at 101 and the mark fell to 100.
// Every limit is twice its peak, so nothing is rejected and the book ends as without risk, with
// one FillPosted for each side of the two trades.
void TestBourseBench::riskStreamReportsHandComputedLimits()
{
    QTemporaryDir directory;
    const std::string stream = record(kAdd, kBuy, 1, 100, 10) + record(kAdd, kBuy, 2, 101, 5) +
                               record(kAdd, kSell, 3, 102, 7) + record(kAdd, kSell, 4, 100, 8) +
                               record(kCancel, kSell, 3, 102, 0) + record(kAdd, kSell, 5, 105, 4) +
                               record(kCancel, kBuy, 1, 100, 0) + record(kAdd, kBuy, 6, 99, 2);
    const std::string path = writeFile(directory, "tiny.bin", stream);

    const Outcome outcome =
        runBench({"engine", "--stream", QString::fromStdString(path), "--risk", "--json"});
    QCOMPARE(outcome.error, QString());
    QCOMPARE(outcome.exitCode, 0);
    const QJsonObject report = parseObject(outcome.output);

    QCOMPARE(report["risk"].toBool(), true);
    QCOMPARE(report["risk_accounts"].toInt(), 16);
    QCOMPARE(report["risk_currency"].toString(), QString("USD"));
    QCOMPARE(report["risk_command_interval_ns"].toInt(), 100000);
    const QJsonObject limits = report["risk_limits"].toObject();
    QCOMPARE(limits["order_quantity"].toInt(), 20);
    QCOMPARE(limits["order_notional"].toDouble(), 20.0);
    QCOMPARE(limits["long_position"].toInt(), 20);
    QCOMPARE(limits["short_position"].toInt(), 16);
    QCOMPARE(limits["price_band_bp"].toInt(), 1000);
    QCOMPARE(limits["open_orders"].toInt(), 2);
    QCOMPARE(limits["orders_per_second"].toInt(), 2);
    QCOMPARE(limits["daily_loss"].toDouble(), 0.1);
    QCOMPARE(limits["buying_power"].toDouble(), 20.0);

    QCOMPARE(report["risk_rejected"].toInt(), 0);
    QVERIFY(report["risk_failed_checks"].toObject().isEmpty());
    QCOMPARE(report["risk_check_ns"].toObject()["samples"].toInt(), 6);
    QVERIFY(report["risk_check_ns_p50"].toDouble() >= 0);
    QVERIFY(report["risk_check_ns_p99"].toDouble() >= report["risk_check_ns_p50"].toDouble());
    QVERIFY(report["commands_per_second"].toDouble() > 0);

    QCOMPARE(report["resting"].toInt(), 2);
    QCOMPARE(report["trades"].toInt(), 2);
    const QJsonObject events = report["events"].toObject();
    QCOMPARE(events["OrderAccepted"].toInt(), 6);
    QCOMPARE(events["FillPosted"].toInt(), 4);
    QVERIFY(!events.contains("OrderRejected"));
    QVERIFY(!events.contains("RiskRejected"));
    QVERIFY(!events.contains("RiskAlert"));
}

void TestBourseBench::restingFillsBookWithoutTrades()
{
    const Outcome outcome = runBench({"engine", "--resting", "1000", "--json"});
    QCOMPARE(outcome.error, QString());
    QCOMPARE(outcome.exitCode, 0);
    const QJsonObject report = parseObject(outcome.output);

    QCOMPARE(report["submitted"].toInt(), 1000);
    QCOMPARE(report["resting"].toInt(), 1000);
    QCOMPARE(report["trades"].toInt(), 0);
    QVERIFY(report["memory_bytes"].toDouble() > 0);
    QVERIFY(report["bytes_per_resting_order"].toDouble() > 0);
    QVERIFY(report["peak_rss_growth_bytes"].isDouble());
}

// A short run of the journal benchmark, in a folder of the test's own: the journals of the
// three measurements hold what was asked, and the restart started from the snapshot that the
// recovery journal stores nine tenths of the way in.
void TestBourseBench::journalRunsShortAndReportsFigures()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const Outcome outcome = runBench({"journal", "--dir", folder.path(), "--events", "20000",
                                      "--recovery-events", "30000", "--json"});
    QCOMPARE(outcome.error, QString());
    QCOMPARE(outcome.exitCode, 0);
    const QJsonObject report = parseObject(outcome.output);

    QVERIFY(report["events"].toInt() >= 20000);
    QVERIFY(report["events"].toInt() < 20100);
    QCOMPARE(report["baseline_events"].toInt(), 300000);
    QVERIFY(report["recovery_events"].toInt() >= 30000);
    QVERIFY(report["snapshot_sequence"].toInt() >= 27000);
    QVERIFY(report["snapshot_sequence"].toInt() < report["recovery_events"].toInt());
    QVERIFY(report["events_per_second"].toDouble() > 0);
    QVERIFY(report["baseline_events_per_second"].toDouble() > 0);
    QVERIFY(report["restart_seconds"].toDouble() > 0);
    QVERIFY(report["transactions"].toInt() >= 1);
    QVERIFY(QDir(folder.path()).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).isEmpty());
}

void TestBourseBench::missingStreamFails()
{
    QTemporaryDir directory;
    const QString path = directory.filePath("absent.bin");

    const Outcome outcome = runBench({"engine", "--stream", path});
    QCOMPARE(outcome.exitCode, 1);
    QVERIFY2(outcome.error.startsWith("bourse-bench: " + path + ": cannot read: "),
             qPrintable(outcome.error));
    QVERIFY2(outcome.error.contains("xz -dk"), qPrintable(outcome.error));
}

void TestBourseBench::malformedStreamFails_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expectedMessage");

    const std::string valid = record(kAdd, kBuy, 1, 100, 10);
    const auto bytes = [](const std::string &text) { return QByteArray::fromStdString(text); };
    QTest::newRow("empty file") << QByteArray() << "invalid size 0 bytes";
    QTest::newRow("size not a multiple of 16") << bytes(valid + "x") << "invalid size 17 bytes";
    QTest::newRow("operation 2 in record 3") << bytes(valid + valid + record(2, kBuy, 3, 100, 10))
                                             << "record 3 (byte offset 32): invalid operation 2";
    QTest::newRow("side 5 in record 2") << bytes(valid + record(kAdd, 5, 2, 100, 10))
                                        << "record 2 (byte offset 16): invalid side 5";
    QTest::newRow("add with zero quantity")
        << bytes(record(kAdd, kSell, 1, 100, 0))
        << "record 1 (byte offset 0): an add needs a positive price and quantity";
    QTest::newRow("add with zero price")
        << bytes(record(kAdd, kSell, 1, 0, 10))
        << "record 1 (byte offset 0): an add needs a positive price and quantity";
}

void TestBourseBench::malformedStreamFails()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expectedMessage);
    QTemporaryDir directory;
    const std::string path = writeFile(directory, "bad.bin", bytes.toStdString());

    const Outcome outcome = runBench({"engine", "--stream", QString::fromStdString(path)});
    QCOMPARE(outcome.exitCode, 1);
    QVERIFY2(outcome.error.contains(QString::fromStdString(path) + ": " + expectedMessage),
             qPrintable(outcome.error));
    QCOMPARE(outcome.output, QByteArray());
}

void TestBourseBench::invalidCommandLineFails_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expectedMessage");

    QTest::newRow("no arguments") << QStringList{} << "missing benchmark name";
    QTest::newRow("unknown benchmark") << QStringList{"network"} << "unknown benchmark 'network'";
    QTest::newRow("journal with unknown option")
        << QStringList{"journal", "--runs", "5"} << "unknown option '--runs'";
    QTest::newRow("journal with too few events")
        << QStringList{"journal", "--events", "5"}
        << "invalid --events '5'; expected a whole number of at least 10000";
    QTest::newRow("neither stream nor resting")
        << QStringList{"engine", "--json"} << "give exactly one of --stream and --resting";
    QTest::newRow("both stream and resting")
        << QStringList{"engine", "--stream", "a.bin", "--resting", "10"}
        << "give exactly one of --stream and --resting";
    QTest::newRow("four runs") << QStringList{"engine", "--stream", "a.bin", "--runs", "4"}
                               << "invalid --runs '4'";
    QTest::newRow("runs not a number")
        << QStringList{"engine", "--stream", "a.bin", "--runs", "5x"} << "invalid --runs '5x'";
    QTest::newRow("runs with resting") << QStringList{"engine", "--resting", "10", "--runs", "5"}
                                       << "--runs applies to --stream only";
    QTest::newRow("risk with resting")
        << QStringList{"engine", "--resting", "10", "--risk"} << "--risk applies to --stream only";
    QTest::newRow("interval without risk")
        << QStringList{"engine", "--stream", "a.bin", "--interval", "1000"}
        << "--interval applies to --risk only";
    QTest::newRow("zero interval")
        << QStringList{"engine", "--stream", "a.bin", "--risk", "--interval", "0"}
        << "invalid --interval '0'";
    QTest::newRow("interval above one second")
        << QStringList{"engine", "--stream", "a.bin", "--risk", "--interval", "1000000001"}
        << "invalid --interval '1000000001'";
    QTest::newRow("zero resting") << QStringList{"engine", "--resting", "0"}
                                  << "invalid --resting '0'";
    QTest::newRow("missing stream path")
        << QStringList{"engine", "--stream"} << "missing value after --stream";
    QTest::newRow("unknown option") << QStringList{"engine", "--fast"} << "unknown option '--fast'";
}

void TestBourseBench::invalidCommandLineFails()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, expectedMessage);

    const Outcome outcome = runBench(arguments);
    QCOMPARE(outcome.exitCode, 2);
    QVERIFY2(outcome.error.startsWith("bourse-bench: " + expectedMessage),
             qPrintable(outcome.error));
    QVERIFY2(outcome.error.contains("usage: bourse-bench engine"), qPrintable(outcome.error));
    QCOMPARE(outcome.output, QByteArray());
}

QTEST_GUILESS_MAIN(TestBourseBench)
#include "tst_bourse_bench.moc"

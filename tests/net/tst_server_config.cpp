// The configuration file of bourse-engine serve: a complete file, the defaults, and each kind of
// bad line, whose error names the file, the line and the problem.

#include "server_config.h"

#include <QTest>

using namespace bourse::net;

class ServerConfigTest : public QObject {
    Q_OBJECT

private slots:
    void completeFileReadsEverySetting()
    {
        const std::string text = "# desk server\n"
                                 "order-entry tcp://127.0.0.1:9401\n"
                                 "publish tcp://127.0.0.1:9402   # market data\n"
                                 "snapshot tcp://127.0.0.1:9403\n"
                                 "\n"
                                 "server-key keys/server\n"
                                 "access-list desk.access\n"
                                 "journal /var/lib/bourse/market.journal\n"
                                 "heartbeat-ms 250\n"
                                 "publish-high-water-mark 5000\n"
                                 "publish-send-buffer 65536\n"
                                 "snapshot-every 20000\n"
                                 "market training drills/news.training seed 9\n";
        std::string error;
        const auto config = parseServerConfig(text, "/etc/bourse/serve.conf", error);
        QVERIFY2(config, error.c_str());
        QCOMPARE(config->orderEntryEndpoint, std::string("tcp://127.0.0.1:9401"));
        QCOMPARE(config->publishEndpoint, std::string("tcp://127.0.0.1:9402"));
        QCOMPARE(config->snapshotEndpoint, std::string("tcp://127.0.0.1:9403"));
        QCOMPARE(config->serverKey, std::string("/etc/bourse/keys/server"));
        QCOMPARE(config->accessList, std::string("/etc/bourse/desk.access"));
        QCOMPARE(config->journal, std::string("/var/lib/bourse/market.journal"));
        QCOMPARE(config->heartbeatIntervalMs, 250u);
        QCOMPARE(config->publishHighWaterMark, 5000);
        QCOMPARE(config->publishSendBufferBytes, 65536);
        QCOMPARE(config->snapshotEvery, std::uint64_t{20000});
        QVERIFY(config->market == ServedMarket::Training);
        QCOMPARE(config->marketFile, std::string("/etc/bourse/drills/news.training"));
        QCOMPARE(config->seed, std::uint64_t{9});
        QVERIFY(config->seedGiven);
    }

    void minimalFileTakesDefaults()
    {
        std::string error;
        const auto config = parseServerConfig("server-key k\naccess-list a\nmarket simulation\n",
                                              "serve.conf", error);
        QVERIFY2(config, error.c_str());
        QCOMPARE(config->orderEntryEndpoint, std::string("tcp://127.0.0.1:7401"));
        QCOMPARE(config->publishEndpoint, std::string("tcp://127.0.0.1:7402"));
        QCOMPARE(config->snapshotEndpoint, std::string("tcp://127.0.0.1:7403"));
        QCOMPARE(config->serverKey, std::string("k"));
        QVERIFY(config->journal.empty());
        QCOMPARE(config->heartbeatIntervalMs, 1000u);
        QVERIFY(config->market == ServedMarket::Simulation);
        QVERIFY(!config->seedGiven);
        QVERIFY(config->instruments.empty());
    }

    void ownedInstrumentsAreRead_data()
    {
        QTest::addColumn<QString>("line");
        QTest::newRow("commas") << "instruments BLUE,IDXF,EURUSD";
        QTest::newRow("spaces after commas") << "instruments BLUE, IDXF,  EURUSD";
        QTest::newRow("comment after") << "instruments BLUE,IDXF,EURUSD # the desk's half";
    }

    void ownedInstrumentsAreRead()
    {
        QFETCH(QString, line);
        std::string error;
        const auto config = parseServerConfig("server-key k\naccess-list a\nmarket simulation\n" +
                                                  line.toStdString() + "\n",
                                              "serve.conf", error);
        QVERIFY2(config, error.c_str());
        QCOMPARE(config->instruments, (std::vector<std::string>{"BLUE", "IDXF", "EURUSD"}));
        QCOMPARE(config->instrumentsLocation, std::string("serve.conf:4"));
    }

    void scenarioMarketNamesItsFile()
    {
        std::string error;
        const auto config = parseServerConfig(
            "server-key k\naccess-list a\nmarket scenario quiet.scenario\n", "/srv/s.conf", error);
        QVERIFY2(config, error.c_str());
        QVERIFY(config->market == ServedMarket::Scenario);
        QCOMPARE(config->marketFile, std::string("/srv/quiet.scenario"));
    }

    void badLineIsReported_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown setting") << "heartbeat 1s"
                                         << "unknown setting 'heartbeat'";
        QTest::newRow("missing value") << "journal"
                                       << "missing value after 'journal'";
        QTest::newRow("extra word") << "journal a b"
                                    << "unexpected 'b' after the value";
        QTest::newRow("set twice") << "server-key other"
                                   << "'server-key' is set twice";
        QTest::newRow("endpoint without scheme") << "publish 127.0.0.1:7402"
                                                 << "invalid endpoint '127.0.0.1:7402'";
        QTest::newRow("heartbeat too short")
            << "heartbeat-ms 50"
            << "invalid heartbeat-ms '50': expected a whole number from 100";
        QTest::newRow("heartbeat not a number") << "heartbeat-ms fast"
                                                << "invalid heartbeat-ms 'fast'";
        QTest::newRow("high-water mark zero") << "publish-high-water-mark 0"
                                              << "invalid publish-high-water-mark '0'";
        QTest::newRow("send buffer too small")
            << "publish-send-buffer 512"
            << "invalid publish-send-buffer '512': expected a whole number from 1024";
        QTest::newRow("unknown market") << "market replay x"
                                        << "unknown market kind 'replay'";
        QTest::newRow("market without kind") << "market"
                                             << "missing market kind";
        QTest::newRow("training without file") << "market training"
                                               << "missing file after 'market training'";
        QTest::newRow("seed not a number") << "market simulation seed x"
                                           << "invalid seed 'x'";
        QTest::newRow("seed on a scenario") << "market scenario s.txt seed 3"
                                            << "unexpected 'seed' after 'market scenario'";
        QTest::newRow("instruments without symbols") << "instruments"
                                                     << "missing value after 'instruments'";
        QTest::newRow("instruments with an empty symbol")
            << "instruments BLUE,,IDXF"
            << "invalid instruments 'BLUE,,IDXF': an empty symbol between commas";
        QTest::newRow("instruments with a trailing comma")
            << "instruments BLUE,"
            << "invalid instruments 'BLUE,': an empty symbol between commas";
        QTest::newRow("instrument listed twice") << "instruments BLUE,IDXF,BLUE"
                                                 << "instrument 'BLUE' is listed twice";
    }

    void badLineIsReported()
    {
        QFETCH(QString, line);
        QFETCH(QString, expected);
        // The bad line is line 3, after two good ones; "market" lines replace the good one.
        const bool market = line.startsWith("market");
        const std::string text = std::string("server-key keys/server\naccess-list a\n") +
                                 line.toStdString() + "\n" + (market ? "" : "market simulation\n");
        std::string error;
        QVERIFY(!parseServerConfig(text, "serve.conf", error));
        QVERIFY2(error.starts_with("serve.conf:3: error: "), error.c_str());
        QVERIFY2(error.find(expected.toStdString()) != std::string::npos, error.c_str());
    }

    void missingRequiredSettingIsReported()
    {
        std::string error;
        QVERIFY(!parseServerConfig("server-key k\nmarket simulation\n", "serve.conf", error));
        QCOMPARE(error, std::string("serve.conf: error: missing setting 'access-list'"));
    }

    void missingFileIsReported()
    {
        std::string error;
        QVERIFY(!readServerConfig("/nonexistent/serve.conf", error));
        QCOMPARE(error, std::string("/nonexistent/serve.conf: error: cannot read the file"));
    }
};

QTEST_GUILESS_MAIN(ServerConfigTest)
#include "tst_server_config.moc"

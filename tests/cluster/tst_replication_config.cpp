// The replication settings of serve.conf: `replicate`, `replicate-stream`,
// `replicate-replicas`, the failover settings `role`, `engine-name` and `lease-timeout-ms`, and
// the lines that are rejected.

#include "server_config.h"

#include <QTest>

using namespace bourse;

namespace {

const char *const kRequired = "server-key keys/server\n"
                              "access-list desk.access\n"
                              "market simulation\n";

} // namespace

class ReplicationConfigTest : public QObject {
    Q_OBJECT

private slots:
    void defaultsWithoutReplicate();
    void settingsAreRead();
    void roleSettingsAreRead();
    void invalidLinesAreRejected_data();
    void invalidLinesAreRejected();
};

void ReplicationConfigTest::defaultsWithoutReplicate()
{
    std::string error;
    const auto config = net::parseServerConfig(kRequired, "/srv/serve.conf", error);
    QVERIFY2(config, error.c_str());
    QVERIFY(config->replicateServers.empty());
    QCOMPARE(config->replicateStream, std::string("BOURSE_JOURNAL"));
    QCOMPARE(config->replicateReplicas, 3);
    QVERIFY(config->role == net::ServerRole::Alone);
    QCOMPARE(config->leaseTimeoutMs, 2000u);
}

void ReplicationConfigTest::settingsAreRead()
{
    const std::string text = std::string(kRequired) +
                             "journal market.journal\n"
                             "replicate nats://10.0.0.1:4222,nats://10.0.0.2:4222\n"
                             "replicate-stream DESK_A\n"
                             "replicate-replicas 1\n";
    std::string error;
    const auto config = net::parseServerConfig(text, "/srv/serve.conf", error);
    QVERIFY2(config, error.c_str());
    const std::vector<std::string> expected = {"nats://10.0.0.1:4222", "nats://10.0.0.2:4222"};
    QCOMPARE(config->replicateServers, expected);
    QCOMPARE(config->replicateStream, std::string("DESK_A"));
    QCOMPARE(config->replicateReplicas, 1);
}

void ReplicationConfigTest::invalidLinesAreRejected_data()
{
    QTest::addColumn<QString>("lines");
    QTest::addColumn<QString>("message");

    QTest::newRow("replicate without a journal")
        << "replicate nats://127.0.0.1:4222\n"
        << "/srv/serve.conf:4: error: 'replicate' needs a 'journal'";
    QTest::newRow("server without a scheme")
        << "journal j\nreplicate 127.0.0.1:4222\n"
        << "/srv/serve.conf:5: error: invalid NATS server '127.0.0.1:4222' in 'replicate'";
    QTest::newRow("empty server between commas")
        << "journal j\nreplicate nats://a:1,,nats://b:2\n"
        << "/srv/serve.conf:5: error: invalid NATS server '' in 'replicate'";
    QTest::newRow("stream name with a dot")
        << "journal j\nreplicate nats://a:1\nreplicate-stream desk.a\n"
        << "/srv/serve.conf:6: error: invalid replicate-stream 'desk.a'";
    // Valid for JetStream, but not as the stream's key in the lease bucket.
    QTest::newRow("stream name with a plus")
        << "journal j\nreplicate nats://a:1\nreplicate-stream DESK+A\n"
        << "/srv/serve.conf:6: error: invalid replicate-stream 'DESK+A': use letters, digits, "
           "'-', '_' and '=' only";
    QTest::newRow("replicas out of range")
        << "journal j\nreplicate nats://a:1\nreplicate-replicas 7\n"
        << "/srv/serve.conf:6: error: invalid replicate-replicas '7': expected a whole number "
           "from 1 to 5";
    QTest::newRow("stream without replicate")
        << "journal j\nreplicate-stream DESK\n"
        << "/srv/serve.conf:5: error: 'replicate-stream' needs a 'replicate' line";
    QTest::newRow("server without a host")
        << "journal j\nreplicate nats://\n"
        << "/srv/serve.conf:5: error: invalid NATS server 'nats://' in 'replicate': the host is "
           "missing";
    QTest::newRow("port out of range")
        << "journal j\nreplicate nats://127.0.0.1:99999\n"
        << "/srv/serve.conf:5: error: invalid NATS server 'nats://127.0.0.1:99999' in "
           "'replicate': invalid port '99999': expected 1 to 65535";
    QTest::newRow("port zero")
        << "journal j\nreplicate nats://a:1,nats://b:0\n"
        << "/srv/serve.conf:5: error: invalid NATS server 'nats://b:0' in 'replicate': invalid "
           "port '0'";
    QTest::newRow("empty port")
        << "journal j\nreplicate nats://a:\n"
        << "/srv/serve.conf:5: error: invalid NATS server 'nats://a:' in 'replicate': invalid "
           "port ''";
    QTest::newRow("role without replicate")
        << "journal j\nrole primary\nengine-name alpha\n"
        << "/srv/serve.conf:5: error: 'role' needs a 'replicate' line";
    QTest::newRow("role without engine name")
        << "journal j\nreplicate nats://a:1\nrole standby\n"
        << "/srv/serve.conf:6: error: 'role' needs an 'engine-name' line";
    QTest::newRow("unknown role")
        << "journal j\nreplicate nats://a:1\nrole leader\n"
        << "/srv/serve.conf:6: error: invalid role 'leader': expected primary or standby";
    QTest::newRow("engine name without role")
        << "journal j\nreplicate nats://a:1\nengine-name alpha\n"
        << "/srv/serve.conf:6: error: 'engine-name' needs a 'role' line";
    QTest::newRow("lease timeout without role")
        << "journal j\nreplicate nats://a:1\nlease-timeout-ms 1000\n"
        << "/srv/serve.conf:6: error: 'lease-timeout-ms' needs a 'role' line";
    QTest::newRow("lease timeout too short")
        << "journal j\nreplicate nats://a:1\nrole primary\nengine-name a\nlease-timeout-ms 50\n"
        << "/srv/serve.conf:8: error: invalid lease-timeout-ms '50': expected a whole number "
           "from 200 to 60000";
}

void ReplicationConfigTest::roleSettingsAreRead()
{
    const std::string text = std::string(kRequired) + "journal market.journal\n"
                                                      "replicate nats://10.0.0.1:4222\n"
                                                      "role standby\n"
                                                      "engine-name desk-b\n"
                                                      "lease-timeout-ms 1500\n";
    std::string error;
    const auto config = net::parseServerConfig(text, "/srv/serve.conf", error);
    QVERIFY2(config, error.c_str());
    QVERIFY(config->role == net::ServerRole::Standby);
    QCOMPARE(config->engineName, std::string("desk-b"));
    QCOMPARE(config->leaseTimeoutMs, 1500u);
}

void ReplicationConfigTest::invalidLinesAreRejected()
{
    QFETCH(QString, lines);
    QFETCH(QString, message);

    std::string error;
    const auto config = net::parseServerConfig(std::string(kRequired) + lines.toStdString(),
                                               "/srv/serve.conf", error);
    QVERIFY(!config);
    QVERIFY2(QString::fromStdString(error).startsWith(message), error.c_str());
}

QTEST_GUILESS_MAIN(ReplicationConfigTest)
#include "tst_replication_config.moc"

// A server whose publication heartbeats are slower than the client's link interval, on a quiet
// market. The publisher sends a Heartbeat every heartbeat-ms of its serve.conf, so a client that
// declared the publication dead after 3 of its own intervals would leave a healthy server and,
// with a standby, move to it. The Welcome carries heartbeat-ms when it is the longer interval,
// and the client judges every link by the Welcome's interval.

#include "client.h"

#include "in_process_server.h"

#include <QTest>

using namespace bourse;
using namespace bourse::net;
using namespace bourse::nettest;

namespace {

constexpr auto kClientInterval = std::chrono::milliseconds(200);
constexpr int kServerHeartbeatMs = 1000; // 5 client intervals, within serve.conf's 100 to 60000

} // namespace

class StandbyHeartbeatTest : public QObject {
    Q_OBJECT

private slots:
    void slowPublisherKeepsClientOnPrimary();
};

void StandbyHeartbeatTest::slowPublisherKeepsClientOnPrimary()
{
    const CurveKeyPair serverKeys = newKeyPair();
    const CurveKeyPair trader = newKeyPair();
    InProcessServer primary;
    writeKeyPairFiles(serverKeys, primary.path("server"));
    writeFile(primary.path("desk.access"), "trader " + trader.publicKey + " accounts 1\n");
    writeFile(primary.path("quiet.scenario"), kQuietScenario);
    ServeConfig config;
    config.heartbeatMs = kServerHeartbeatMs;
    primary.writeConfig(config);
    primary.start();

    ClientOptions options;
    options.orderEntryEndpoint = primary.server->orderEntryEndpoint();
    options.publishEndpoint = primary.server->publishEndpoint();
    options.snapshotEndpoint = primary.server->snapshotEndpoint();
    // No test server uses port 1 of 127.0.0.1, so a move there shows in endpointIndex().
    options.standbyEndpoints = {{"tcp://127.0.0.1:1", "tcp://127.0.0.1:2", "tcp://127.0.0.1:3"}};
    options.serverPublicKey = serverKeys.publicKey;
    options.keys = trader;
    options.heartbeatInterval = kClientInterval;
    options.accounts = {AccountId{1}};
    Client client(options);

    // 3 s are 3 server heartbeats and 15 client intervals, so a client that misjudges the
    // publication declares it dead several times.
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(3 * 1000);
    while (std::chrono::steady_clock::now() < end)
        client.poll(std::chrono::milliseconds(20));

    QCOMPARE(client.counters().deadPeers, std::uint64_t{0});
    QCOMPARE(client.endpointIndex(), std::size_t{0});
    QCOMPARE(client.state(), ClientState::Live);
}

QTEST_GUILESS_MAIN(StandbyHeartbeatTest)
#include "tst_standby_heartbeat.moc"

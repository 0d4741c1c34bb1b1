// A client with a standby endpoint set, against in-process Servers on 127.0.0.1. The primary
// journals to market.journal. Its standby is a second Server on other ports with the same server
// key and access list. It starts on a copy of that journal after the primary stopped, which is
// the state a standby that follows the primary's journal has when it takes over. One trader key
// trades accounts 1 and 2 of a quiet scenario market of one instrument (ABC, id 1, tick 0.01),
// which each server opens with $1,000,000.00 of margin.

#include "client.h"
#include "remote_session.h"
#include "server.h"

#include "curve_keys.h"
#include "engine_printers.h"
#include "in_process_server.h"
#include "view_checks.h"

#include <QFile>
#include <QTest>

#include <functional>
#include <mutex>
#include <tuple>

using namespace bourse;
using namespace bourse::net;
using namespace bourse::nettest;

namespace {

constexpr auto kTimeout = std::chrono::seconds(15);
constexpr auto kHeartbeat = std::chrono::milliseconds(200);

// Three ports of 127.0.0.1 that were free a moment ago, for a server that starts later on them.
ServerEndpoints unusedEndpoints()
{
    zmq::context_t context;
    std::vector<zmq::socket_t> sockets;
    std::vector<std::string> endpoints;
    for (int index = 0; index < 3; ++index) {
        sockets.emplace_back(context, zmq::socket_type::router);
        sockets.back().set(zmq::sockopt::linger, 0);
        sockets.back().bind("tcp://127.0.0.1:*");
        endpoints.push_back(sockets.back().get(zmq::sockopt::last_endpoint));
    }
    return {endpoints[0], endpoints[1], endpoints[2]};
}

// One server: the primary, or the standby that starts on a copy of the primary's journal.
struct JournaledServer : InProcessServer {
    JournaledServer(const CurveKeyPair &serverKeys, const CurveKeyPair &trader)
    {
        writeKeyPairFiles(serverKeys, path("server"));
        writeFile(path("desk.access"), "trader " + trader.publicKey + " accounts 1,2\n");
        writeFile(path("quiet.scenario"), kQuietScenario);
    }

    void startOn(const ServerEndpoints &endpoints)
    {
        ServeConfig config;
        config.orderEntry = endpoints.orderEntry;
        config.publish = endpoints.publish;
        config.snapshot = endpoints.snapshot;
        config.extraLines = "journal market.journal\n";
        writeConfig(config);
        start();
    }

    ServerEndpoints endpoints() const
    {
        return {server->orderEntryEndpoint(), server->publishEndpoint(),
                server->snapshotEndpoint()};
    }
};

struct Fixture {
    CurveKeyPair serverKeys = newKeyPair();
    CurveKeyPair trader = newKeyPair();
    JournaledServer primary{serverKeys, trader};
    JournaledServer standby{serverKeys, trader};
    ServerEndpoints standbyEndpoints;

    // The standby's ports are chosen after the primary bound its own, so that they differ.
    Fixture()
    {
        primary.startOn({"tcp://127.0.0.1:*", "tcp://127.0.0.1:*", "tcp://127.0.0.1:*"});
        standbyEndpoints = unusedEndpoints();
    }

    // Stops the primary and starts the standby on a copy of its journal.
    void failOver()
    {
        primary.stop();
        const QString copy = QString::fromStdString(standby.path("market.journal"));
        QFile::remove(copy);
        if (!QFile::copy(QString::fromStdString(primary.path("market.journal")), copy))
            qFatal("cannot copy the primary's journal to %s", qPrintable(copy));
        standby.startOn(standbyEndpoints);
    }

    ClientOptions clientOptions() const
    {
        ClientOptions options;
        const ServerEndpoints endpoints = primary.endpoints();
        options.orderEntryEndpoint = endpoints.orderEntry;
        options.publishEndpoint = endpoints.publish;
        options.snapshotEndpoint = endpoints.snapshot;
        options.standbyEndpoints = {standbyEndpoints};
        options.serverPublicKey = serverKeys.publicKey;
        options.keys = trader;
        options.heartbeatInterval = kHeartbeat;
        options.reconnectDelayMinimum = std::chrono::milliseconds(50);
        options.reconnectDelayMaximum = std::chrono::milliseconds(400);
        options.instruments = {InstrumentId{1}};
        options.accounts = {AccountId{1}, AccountId{2}};
        return options;
    }
};

// The client's log lines, from any thread.
struct LogLines {
    std::mutex mutex;
    std::vector<std::string> lines;

    LogSink sink()
    {
        return [this](LogLevel, const std::string &line) {
            const std::lock_guard lock(mutex);
            lines.push_back(line);
        };
    }

    std::size_t countContaining(const std::string &text)
    {
        const std::lock_guard lock(mutex);
        return static_cast<std::size_t>(
            std::count_if(lines.begin(), lines.end(), [&](const std::string &line) {
                return line.find(text) != std::string::npos;
            }));
    }
};

struct Replies : ClientListener {
    std::vector<CommandAccepted> accepted;
    std::vector<CommandRejected> rejected;

    void onCommandAccepted(const CommandAccepted &reply) override { accepted.push_back(reply); }
    void onCommandRejected(const CommandRejected &reply) override { rejected.push_back(reply); }
};

bool pollUntil(Client &client, const std::function<bool()> &done)
{
    const auto deadline = std::chrono::steady_clock::now() + kTimeout;
    while (!done() && std::chrono::steady_clock::now() < deadline)
        client.poll(std::chrono::milliseconds(10));
    return done();
}

} // namespace

class ClientStandbyTest : public QObject {
    Q_OBJECT

private slots:
    void stoppedPrimaryMovesSessionToStandby();
    void resentCommandGetsStandbysStoredReply();
    void downStandbyCyclesBackToPrimary();
    void malformedStandbyEndpointIsSkipped();
    void wrongKeyStandbyFailsOnlyItself();
    void standbyRejectingKeyIsNamed();
};

// The session trades on the primary, which stops with two orders resting and a trade done. An
// order given after the link died is pending until the session reaches the standby, which
// enters it once. The book and the accounts the session shows are then the standby's.
void ClientStandbyTest::stoppedPrimaryMovesSessionToStandby()
{
    Fixture fixture;
    RemoteSession::Options options;
    options.client = fixture.clientOptions();
    RemoteSession session(options);
    QVERIFY(waitForView(session, [](const MarketView &view) {
        return view.takesOrders && view.replayStale.empty() && view.trader.accounts.size() == 2;
    }));

    // Account 1 buys 4 of account 2's 10 at 100.00, which leaves 6 at 100.00 and a bid of 5.
    QVERIFY(session.submit(limitOrder(2, Side::Sell, 10'000, 10)));
    QVERIFY(session.submit(limitOrder(2, Side::Buy, 9'900, 5)));
    QVERIFY(session.submit(limitOrder(1, Side::Buy, 10'000, 4)));
    const auto traded = waitForView(session, [](const MarketView &view) {
        return view.trader.fills.size() == 2 && view.trader.workingOrders.size() == 2;
    });
    QVERIFY2(traded != nullptr, "the trade on the primary never showed");

    // The order goes after the client saw the primary die, most often before the standby
    // welcomed it.
    fixture.failOver();
    QVERIFY(waitForView(
        session, [&](const MarketView &) { return session.status().counters.deadPeers >= 1; }));
    QVERIFY(session.submit(limitOrder(2, Side::Sell, 10'100, 7)));

    const auto moved = waitForView(session, [&](const MarketView &view) {
        return view.takesOrders && view.replayStale.empty() &&
               view.trader.workingOrders.size() == 3 && session.status().staleStreams.empty();
    });
    QVERIFY2(moved != nullptr, "the session never came back in sync on the standby");
    const ConnectionStatus status = session.status();
    QCOMPARE(status.endpointIndex, std::size_t{1});
    QCOMPARE(status.orderEntryEndpoint, fixture.standbyEndpoints.orderEntry);
    QCOMPARE(status.counters.endpointSwitches, std::uint64_t{1});
    QVERIFY(status.counters.instanceChanges >= 1);

    fixture.standby.stop();
    const JournaledServer &standby = fixture.standby;
    QCOMPARE(standby.server->engine().liveOrderCount(), std::size_t{3});
    QVERIFY(
        sameLevels(moved->bids, bookLevels(standby.server->engine(), InstrumentId{1}, Side::Buy)));
    QVERIFY(
        sameLevels(moved->asks, bookLevels(standby.server->engine(), InstrumentId{1}, Side::Sell)));
    // By hand: 6 left of the 10 at 100.00, then the 7 at 101.00 that the standby entered.
    QCOMPARE(moved->asks.size(), std::size_t{2});
    QCOMPARE(moved->asks.at(0).quantity, Quantity{6});
    QCOMPARE(moved->asks.at(1).quantity, Quantity{7});
    const Portfolio &portfolio = standby.server->engine().portfolio();
    QCOMPARE(moved->trader.cash.size(), std::size_t{2});
    QCOMPARE(moved->trader.cash.at(0), portfolio.account(AccountId{1})->balance);
    QCOMPARE(moved->trader.cash.at(1), portfolio.account(AccountId{2})->balance);
    // A notional of 4 * $100.00 = 40,000 cents: the taker pays 2 bp (8 cents), the maker 0.5 bp
    // (2 cents).
    QCOMPARE(moved->trader.cash.at(0), Money{100'000'000 - 8});
    QCOMPARE(moved->trader.cash.at(1), Money{100'000'000 - 2});
}

// A command whose reply the client never saw, because the primary stopped, is resent to the
// standby with its client order id. The standby's copy of the journal contains the primary's reply,
// which it returns, so the order is entered once. Another client enters that order on the
// primary, and this client starts from the same client order id, so that it holds the command
// pending as the first client would.
void ClientStandbyTest::resentCommandGetsStandbysStoredReply()
{
    Fixture fixture;
    constexpr std::uint64_t kClientOrderId = 7'000;
    ClientOptions firstOptions = fixture.clientOptions();
    firstOptions.firstClientOrderId = kClientOrderId;
    CommandAccepted original;
    {
        Client first(firstOptions);
        Replies replies;
        first.setListener(&replies);
        QVERIFY(pollUntil(first, [&] { return first.state() == ClientState::Live; }));
        first.submit(limitOrder(1, Side::Buy, 9'900, 3));
        QVERIFY(pollUntil(first, [&] { return replies.accepted.size() == 1; }));
        original = replies.accepted.front();
    }
    fixture.failOver();

    LogLines log;
    ClientOptions options = fixture.clientOptions();
    options.firstClientOrderId = kClientOrderId;
    options.log = log.sink();
    Client client(options);
    Replies replies;
    client.setListener(&replies);
    QCOMPARE(client.submit(limitOrder(1, Side::Buy, 9'900, 3)), ClientOrderId{kClientOrderId});
    QVERIFY(pollUntil(client, [&] { return client.pendingCommandCount() == 0; }));

    QCOMPARE(client.endpointIndex(), std::size_t{1});
    QCOMPARE(replies.accepted.size(), std::size_t{1});
    QCOMPARE(replies.rejected.size(), std::size_t{0});
    QCOMPARE(replies.accepted.front().clientOrderId, original.clientOrderId);
    QCOMPARE(replies.accepted.front().id, original.id);
    QCOMPARE(replies.accepted.front().eventSequence, original.eventSequence);
    QCOMPARE(log.countContaining("moving to standby 1 " + fixture.standbyEndpoints.orderEntry),
             std::size_t{1});
    fixture.standby.stop();
    QCOMPARE(fixture.standby.server->engine().liveOrderCount(), std::size_t{1});
}

// With the primary stopped and the standby never started, the client goes from one set to the
// other, the standby after the minimum delay, and comes back to the primary when it restarts.
void ClientStandbyTest::downStandbyCyclesBackToPrimary()
{
    Fixture fixture;
    LogLines log;
    ClientOptions options = fixture.clientOptions();
    options.log = log.sink();
    Client client(options);
    QVERIFY(pollUntil(client, [&] { return client.state() == ClientState::Live; }));
    const ServerEndpoints primary = fixture.primary.endpoints();
    fixture.primary.stop();

    // The minimum delay is 50 ms. A move to the standby waits it, and each return to the primary
    // waits the growing delay, which then doubles: 50, then 100 ms.
    const auto switchedTo = [&](std::uint64_t switches) {
        return pollUntil(client, [&] { return client.counters().endpointSwitches == switches; });
    };
    const std::vector<std::tuple<std::uint64_t, std::size_t, int, int>> rounds{
        // switches, endpoint index, wait and next delay to the primary in ms
        {1, 1, 50, 50},
        {2, 0, 50, 100},
        {3, 1, 50, 100},
        {4, 0, 100, 200},
    };
    for (const auto &[switches, index, waitMs, delayMs] : rounds) {
        QVERIFY2(switchedTo(switches), qPrintable(QStringLiteral("switch %1").arg(switches)));
        QCOMPARE(client.endpointIndex(), index);
        QCOMPARE(client.state(), ClientState::WaitingToReconnect);
        QCOMPARE(client.reconnectWait(), std::chrono::milliseconds(waitMs));
        QCOMPARE(client.reconnectDelay(), std::chrono::milliseconds(delayMs));
    }
    QCOMPARE(log.countContaining("moving to standby 1 " + fixture.standbyEndpoints.orderEntry),
             std::size_t{2});
    QVERIFY(log.countContaining("moving to primary " + primary.orderEntry) >= 2);

    fixture.primary.restart({});
    QVERIFY(pollUntil(client, [&] {
        return client.state() == ClientState::Live && client.endpointIndex() == 0;
    }));
    QCOMPARE(client.endpoints(), primary);
}

// ZeroMQ rejects an endpoint with no port only when the client connects to it. The client logs
// that and goes back to the primary.
void ClientStandbyTest::malformedStandbyEndpointIsSkipped()
{
    Fixture fixture;
    LogLines log;
    ClientOptions options = fixture.clientOptions();
    options.standbyEndpoints = {{"tcp://127.0.0.1", "tcp://127.0.0.1", "tcp://127.0.0.1"}};
    options.log = log.sink();
    Client client(options);
    QVERIFY(pollUntil(client, [&] { return client.state() == ClientState::Live; }));
    fixture.primary.stop();

    QVERIFY(pollUntil(client, [&] { return log.countContaining("cannot connect to") >= 1; }));
    QCOMPARE(client.endpointIndex(), std::size_t{0});
    QCOMPARE(log.countContaining("cannot connect to standby 1 tcp://127.0.0.1: "), std::size_t{1});
    fixture.primary.restart({});
    QVERIFY(pollUntil(client, [&] { return client.state() == ClientState::Live; }));
}

// A standby under another server key fails its CURVE handshakes. The failures in a row describe
// the standby, so the move back to the primary starts them again from 0, and the status bar does
// not blame the primary's key.
void ClientStandbyTest::wrongKeyStandbyFailsOnlyItself()
{
    Fixture fixture;
    JournaledServer otherKeyStandby{newKeyPair(), fixture.trader};
    otherKeyStandby.startOn(fixture.standbyEndpoints);
    Client client(fixture.clientOptions());
    QVERIFY(pollUntil(client, [&] { return client.state() == ClientState::Live; }));
    fixture.primary.stop();

    QVERIFY(pollUntil(client, [&] {
        return client.endpointIndex() == 1 && client.counters().handshakeFailuresInARow > 0;
    }));
    QVERIFY(pollUntil(client, [&] { return client.endpointIndex() == 0; }));
    QCOMPARE(client.counters().handshakeFailuresInARow, std::uint64_t{0});
    QVERIFY(client.counters().handshakeFailures > 0);
}

// A standby whose access list lacks the trader's key rejects every handshake. The client names
// it as the server that rejected its key, and keeps naming it while it cycles back to the dead
// primary, so that the terminal can show why it finds no server.
void ClientStandbyTest::standbyRejectingKeyIsNamed()
{
    Fixture fixture;
    JournaledServer strangerStandby{fixture.serverKeys, newKeyPair()};
    strangerStandby.startOn(fixture.standbyEndpoints);
    Client client(fixture.clientOptions());
    QVERIFY(pollUntil(client, [&] { return client.state() == ClientState::Live; }));
    QCOMPARE(client.keyRejectedBy(), std::string());
    fixture.primary.stop();

    QVERIFY(pollUntil(client, [&] { return !client.keyRejectedBy().empty(); }));
    QCOMPARE(client.keyRejectedBy(), fixture.standbyEndpoints.orderEntry);
    QVERIFY(pollUntil(client, [&] { return client.endpointIndex() == 0; }));
    QCOMPARE(client.keyRejectedBy(), fixture.standbyEndpoints.orderEntry);
    QVERIFY(client.counters().handshakeRejections > 0);
}

QTEST_GUILESS_MAIN(ClientStandbyTest)
#include "tst_client_standby.moc"

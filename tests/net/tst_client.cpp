// The Client's links and commands against a fake server over loopback TCP: the handshake, a
// command whose reply is withheld across server restarts, the reconnect delay, a server that
// never replies or is not there, and ErrorReply.

#include "client.h"
#include "tst_client_fake_server.h"

#include <QElapsedTimer>
#include <QTest>

#include <algorithm>
#include <set>
#include <thread>

using namespace bourse;
using namespace bourse::net;
using namespace bourse::net::testing;

namespace {

NewOrder buyTen()
{
    NewOrder order;
    order.account = AccountId{1};
    order.instrument = InstrumentId{1};
    order.side = Side::Buy;
    order.limit = Price{100};
    order.quantity = Quantity{10};
    return order;
}

bool isKey(const Received *received, StreamKind kind, std::uint32_t id)
{
    const auto &request = std::get<SnapshotRequest>(received->message.body);
    return request.kind == kind && request.streamId == id;
}

std::size_t newOrderCount(const FakeServer &server)
{
    return FakeServer::ofType(server.orders, MessageType::NewOrder).size();
}

// An ErrorReply to the NewOrder `order` that names `field` at byte `offset` of it.
ErrorReply errorReplyTo(const Received &order, ProtocolError code, std::uint32_t offset,
                        const std::string &field)
{
    ErrorReply error;
    error.code = code;
    error.messageType = static_cast<std::uint8_t>(MessageType::NewOrder);
    error.sequence = order.message.header.sequence;
    error.offset = offset;
    std::copy(field.begin(), field.end(), error.field.begin());
    return error;
}

} // namespace

class TestClient : public QObject {
    Q_OBJECT

private slots:
    void handshakeWelcomesBothLinksAndRequestsSnapshots();
    void withheldReplyResentOncePerReconnect();
    void reconnectDelayDoublesAndResetsOnWelcome();
    void silentServerRetriedWithinPollTimeout();
    void absentServerDestructionReturnsAtOnce();
    void errorReplyReportedWithCodeAndField();
    void unwelcomedCommandResentAfterHello_data();
    void unwelcomedCommandResentAfterHello();
    void clientOrderIdsStartFromWallClock();
    void wakeUpEndsWaitingPoll();
};

void TestClient::handshakeWelcomesBothLinksAndRequestsSnapshots()
{
    const CurveKeyPair keys = newKeyPair();
    FakeServer server(keys);
    Client client(clientOptions(server, keys));
    ListenerRecord listener;
    client.setListener(&listener);

    QVERIFY(drive(client, server, [&] {
        return FakeServer::ofType(server.snapshots, MessageType::SnapshotRequest).size() == 2;
    }));
    QCOMPARE(client.state(), ClientState::Live);
    QCOMPARE(client.instanceId(), 7001u);
    QCOMPARE(listener.states, std::vector<ClientState>{ClientState::Live});

    const auto orderHellos = FakeServer::ofType(server.orders, MessageType::Hello);
    QCOMPARE(orderHellos.size(), 1u);
    QCOMPARE(orderHellos[0]->message.header.sequence, 1u);
    QCOMPARE(std::get<Hello>(orderHellos[0]->message.body).heartbeatIntervalMs, 1000u);
    QCOMPARE(FakeServer::ofType(server.snapshots, MessageType::Hello).size(), 1u);

    // One request per followed stream.
    const auto requests = FakeServer::ofType(server.snapshots, MessageType::SnapshotRequest);
    QCOMPARE(requests.size(), 2u);
    QVERIFY(std::any_of(requests.begin(), requests.end(),
                        [](auto *r) { return isKey(r, StreamKind::Instrument, 1); }));
    QVERIFY(std::any_of(requests.begin(), requests.end(),
                        [](auto *r) { return isKey(r, StreamKind::Account, 1); }));
    QVERIFY(drive(client, server, [&] {
        return !client.streams().isStale({StreamKind::Instrument, 1}) &&
               !client.streams().isStale({StreamKind::Account, 1});
    }));

    // The heartbeat topic is subscribed last, so that its first heartbeat proves the others.
    const Topic heartbeat = topicOf(StreamKind::Heartbeat, 0);
    const Topic instrument = topicOf(StreamKind::Instrument, 1);
    const Topic account = topicOf(StreamKind::Account, 1);
    QCOMPARE(server.subscriptions.size(), 3u);
    QVERIFY(std::ranges::equal(server.subscriptions[0], instrument));
    QVERIFY(std::ranges::equal(server.subscriptions[1], account));
    QVERIFY(std::ranges::equal(server.subscriptions[2], heartbeat));

    // The client keeps the link alive with heartbeats that repeat its last number, here the
    // Hello's.
    QVERIFY(drive(client, server, [&] { return client.counters().heartbeatsSent >= 2; }));
    const auto heartbeats = FakeServer::ofType(server.orders, MessageType::Heartbeat);
    QVERIFY(!heartbeats.empty());
    QCOMPARE(heartbeats.front()->message.header.sequence, 1u);
    QCOMPARE(client.counters().deadPeers, 0u);
}

// The server never replies to the order, and its sockets close and open again on the same
// endpoints twice. The client's sockets do not reconnect by themselves, so it finds each dead
// peer by the missing heartbeats, reconnects, and sends the order again under the same client
// order id, once on each new connection.
void TestClient::withheldReplyResentOncePerReconnect()
{
    const CurveKeyPair keys = newKeyPair();
    FakeServer server(keys);
    Client client(clientOptions(server, keys, kShortInterval));
    ListenerRecord listener;
    client.setListener(&listener);
    QVERIFY(drive(client, server, [&] { return client.state() == ClientState::Live; }));

    const ClientOrderId id = client.submit(buyTen());
    QVERIFY(drive(client, server, [&] { return newOrderCount(server) == 1; }));

    for (std::uint64_t restart = 1; restart <= 2; ++restart) {
        QVERIFY(drive(client, server, [&] {
            return !client.streams().isStale({StreamKind::Instrument, 1}) &&
                   !client.streams().isStale({StreamKind::Account, 1});
        }));
        server.close();
        server.open();
        // Messages may be lost during the outage, so every stream is stale from then on.
        QVERIFY(drive(client, server, [&] { return client.counters().deadPeers == restart; }));
        QVERIFY(client.streams().isStale({StreamKind::Instrument, 1}));
        QVERIFY(client.streams().isStale({StreamKind::Account, 1}));
        QVERIFY(drive(client, server, [&] { return newOrderCount(server) == restart + 1; }));
        QCOMPARE(client.counters().deadPeers, restart);
        QCOMPARE(client.counters().commandsResent, restart);
    }
    // Nothing more goes out on a connection that stays up.
    driveRounds(client, server, 50);
    QCOMPARE(newOrderCount(server), 3u);
    QCOMPARE(client.counters().commandsSent, 1u);
    QCOMPARE(client.counters().connects, 3u);

    std::set<std::string> peers;
    for (const Received *order : FakeServer::ofType(server.orders, MessageType::NewOrder)) {
        const auto &newOrder = std::get<NewOrder>(order->message.body);
        QCOMPARE(newOrder.clientOrderId, id);
        QCOMPARE(newOrder.quantity, Quantity{10});
        peers.insert(order->peer);
    }
    QCOMPARE(peers.size(), 3u);

    CommandAccepted accepted{MessageType::NewOrder, id, AccountId{1}, OrderId{5}, 40, 0};
    server.sendToClient(true, accepted);
    QVERIFY(drive(client, server, [&] { return !listener.accepted.empty(); }));
    QCOMPARE(listener.accepted.size(), 1u);
    QCOMPARE(listener.accepted[0].clientOrderId, id);
    QCOMPARE(listener.accepted[0].id, OrderId{5});
    QCOMPARE(client.pendingCommandCount(), 0u);
}

// With no Welcome, each connection is declared dead after 3 intervals, and the delay before the
// next attempt doubles from 10 ms up to 40 ms. A Welcome resets it.
void TestClient::reconnectDelayDoublesAndResetsOnWelcome()
{
    const CurveKeyPair keys = newKeyPair();
    FakeServer server(keys);
    server.answerHello = false;
    Client client(clientOptions(server, keys, kShortInterval));

    QVERIFY(drive(client, server, [&] { return client.counters().deadPeers == 1; }));
    QCOMPARE(client.reconnectDelay(), std::chrono::milliseconds(20));
    QCOMPARE(client.state(), ClientState::WaitingToReconnect);
    QVERIFY(drive(client, server, [&] { return client.counters().deadPeers == 2; }));
    QCOMPARE(client.reconnectDelay(), std::chrono::milliseconds(40));
    QVERIFY(drive(client, server, [&] { return client.counters().deadPeers == 3; }));
    QCOMPARE(client.reconnectDelay(), std::chrono::milliseconds(40));

    server.answerHello = true;
    QVERIFY(drive(client, server, [&] { return client.state() == ClientState::Live; }));
    QCOMPARE(client.reconnectDelay(), std::chrono::milliseconds(10));
    // Each attempt was a new connection with its own Hello.
    QCOMPARE(FakeServer::ofType(server.orders, MessageType::Hello).size(),
             client.counters().connects);
    QCOMPARE(client.counters().connects, 4u);
}

// A server that accepts connections and never replies: the client keeps trying, and each poll
// returns. The bound on a poll's duration is loose, far above its 10 ms timeout, so that only a
// poll that blocks fails it.
void TestClient::silentServerRetriedWithinPollTimeout()
{
    const CurveKeyPair keys = newKeyPair();
    FakeServer server(keys);
    server.answerHello = false;
    Client client(clientOptions(server, keys, kShortInterval));
    client.submit(buyTen());

    const auto hellos = [&] { return FakeServer::ofType(server.orders, MessageType::Hello); };
    qint64 longestPollMs = 0;
    while (hellos().size() < 5) {
        QElapsedTimer timer;
        timer.start();
        client.poll(std::chrono::milliseconds(10));
        longestPollMs = std::max(longestPollMs, timer.elapsed());
        server.pump();
        QVERIFY2(longestPollMs < 1000, "a poll blocked far past its timeout");
    }
    qInfo("longest poll(10 ms) while retrying: %lld ms", longestPollMs);
    QCOMPARE(client.counters().connects, 5u);
    QCOMPARE(client.counters().deadPeers, 4u);
    // No command goes out before a Welcome.
    QCOMPARE(newOrderCount(server), 0u);
    QCOMPARE(client.pendingCommandCount(), 1u);
}

// Nothing listens on the endpoints: every connect fails, the client retries, and destruction
// with queued commands does not wait for them (ZMQ_LINGER 0). The bound is loose, as above.
void TestClient::absentServerDestructionReturnsAtOnce()
{
    const CurveKeyPair keys = newKeyPair();
    FakeServer server(keys);
    server.close();
    auto client = std::make_unique<Client>(clientOptions(server, keys, kShortInterval));
    for (int index = 0; index < 100; ++index)
        client->submit(buyTen());
    while (client->counters().connects < 3)
        client->poll(std::chrono::milliseconds(10));
    QCOMPARE(client->pendingCommandCount(), 100u);

    QElapsedTimer timer;
    timer.start();
    client.reset();
    qInfo("destruction with 100 pending commands: %lld ms", timer.elapsed());
    QVERIFY2(timer.elapsed() < 1000, "destruction waited for unsent messages");
}

void TestClient::errorReplyReportedWithCodeAndField()
{
    const CurveKeyPair keys = newKeyPair();
    FakeServer server(keys);
    Client client(clientOptions(server, keys));
    ListenerRecord listener;
    client.setListener(&listener);
    QVERIFY(drive(client, server, [&] { return client.state() == ClientState::Live; }));

    const ClientOrderId id = client.submit(buyTen());
    QVERIFY(drive(client, server, [&] { return newOrderCount(server) == 1; }));
    const Received *order = FakeServer::ofType(server.orders, MessageType::NewOrder)[0];

    const std::string field = "orderType";
    server.sendToClient(true, errorReplyTo(*order, ProtocolError::InvalidEnum, 37, field));

    QVERIFY(drive(client, server, [&] { return !listener.errors.empty(); }));
    QCOMPARE(client.counters().errorRepliesReceived, 1u);
    QCOMPARE(listener.errors[0].first.code, ProtocolError::InvalidEnum);
    QCOMPARE(std::string(listener.errors[0].first.field.data()), field);
    QCOMPARE(listener.errors[0].second, std::optional<ClientOrderId>(id));
    // The server dropped the command, so it is no longer pending.
    QCOMPARE(client.pendingCommandCount(), 0u);
}

void TestClient::unwelcomedCommandResentAfterHello_data()
{
    QTest::addColumn<bool>("numberingRestarted");
    // A server that forgot a silent peer admits its identity as a new peer, numbering from 1.
    QTest::newRow("forgotten after silence") << true;
    // A server that could not queue a reply keeps the peer and its numbers, but not its Hello.
    QTest::newRow("forgotten after a failed send") << false;
}

// The server has forgotten the order-entry link and replies to a command with ErrorReply
// UnexpectedMessage. The client keeps the command, sends Hello on a new connection and sends the
// command again under the same client order id, whose one reply settles it.
void TestClient::unwelcomedCommandResentAfterHello()
{
    QFETCH(bool, numberingRestarted);
    const CurveKeyPair keys = newKeyPair();
    FakeServer server(keys);
    Client client(clientOptions(server, keys));
    ListenerRecord listener;
    client.setListener(&listener);
    QVERIFY(drive(client, server, [&] { return client.state() == ClientState::Live; }));

    const ClientOrderId id = client.submit(buyTen());
    QVERIFY(drive(client, server, [&] { return newOrderCount(server) == 1; }));
    const Received *order = FakeServer::ofType(server.orders, MessageType::NewOrder)[0];
    const ErrorReply error = errorReplyTo(*order, ProtocolError::UnexpectedMessage, 1, "type");
    if (numberingRestarted)
        server.sendToClient(true, error, 0, 1);
    else
        server.sendToClient(true, error);

    QVERIFY(drive(client, server, [&] { return newOrderCount(server) == 2; }));
    const auto orders = FakeServer::ofType(server.orders, MessageType::NewOrder);
    QCOMPARE(std::get<NewOrder>(orders[1]->message.body).clientOrderId, id);
    QVERIFY(orders[1]->peer != orders[0]->peer);
    QCOMPARE(FakeServer::ofType(server.orders, MessageType::Hello).size(), 2u);
    QCOMPARE(client.pendingCommandCount(), 1u);

    server.sendToClient(
        true, CommandAccepted{MessageType::NewOrder, id, AccountId{1}, OrderId{5}, 40, 0});
    QVERIFY(drive(client, server, [&] { return !listener.accepted.empty(); }));
    driveRounds(client, server, 20);
    QCOMPARE(listener.accepted.size(), 1u);
    QCOMPARE(listener.accepted[0].clientOrderId, id);
    QCOMPARE(client.pendingCommandCount(), 0u);
    QCOMPARE(client.counters().commandsSent, 1u);
    QCOMPARE(client.counters().commandsResent, 1u);
    QCOMPARE(client.state(), ClientState::Live);
    // The snapshot link kept its connection.
    QCOMPARE(FakeServer::ofType(server.snapshots, MessageType::Hello).size(), 1u);
}

// Each command takes the next id from the first, which defaults to the wall clock in ns.
void TestClient::clientOrderIdsStartFromWallClock()
{
    const CurveKeyPair keys = newKeyPair();
    FakeServer server(keys);
    server.close();
    const std::uint64_t before = firstClientOrderIdFromClock();
    Client client(clientOptions(server, keys));
    const std::uint64_t after = firstClientOrderIdFromClock();

    const ClientOrderId first = client.submit(buyTen());
    const ClientOrderId second = client.cancel(AccountId{1}, OrderId{3});
    const ClientOrderId third = client.killSwitch(AccountId{1}, KillSwitchScope::Pause);
    QVERIFY(first.value() >= before);
    QVERIFY(first.value() <= after);
    QCOMPARE(second.value(), first.value() + 1);
    QCOMPARE(third.value(), first.value() + 2);

    ClientOptions fixed = clientOptions(server, keys);
    fixed.firstClientOrderId = 42;
    Client numbered(fixed);
    QCOMPARE(numbered.submit(buyTen()), ClientOrderId{42});
}

// A poll with a timeout of a minute returns once another thread calls wakeUp(), and a wakeUp()
// before a poll makes that poll return. The loose bound fails only a poll that kept waiting.
void TestClient::wakeUpEndsWaitingPoll()
{
    const CurveKeyPair keys = newKeyPair();
    FakeServer server(keys);
    server.close();
    ClientOptions options = clientOptions(server, keys);
    options.heartbeatInterval = std::chrono::milliseconds(kMaximumHeartbeatIntervalMs);
    Client client(options);

    QElapsedTimer timer;
    timer.start();
    std::thread waker([&client] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        client.wakeUp();
    });
    client.poll(std::chrono::minutes(1));
    waker.join();
    QVERIFY2(timer.elapsed() < 30'000, "poll() kept waiting after wakeUp()");

    client.wakeUp();
    timer.restart();
    client.poll(std::chrono::minutes(1));
    QVERIFY2(timer.elapsed() < 30'000, "poll() waited although wakeUp() came first");
    qInfo("poll after wakeUp: %lld ms", timer.elapsed());
}

QTEST_GUILESS_MAIN(TestClient)
#include "tst_client.moc"

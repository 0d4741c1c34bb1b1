// The Client's streams against a fake server over loopback TCP. The cases are a server restart
// seen by its instance id, a gap and an invalid message on a published stream, an invalid
// message on the order-entry link, following every instrument, and many subscriptions.

#include "client.h"
#include "tst_client_fake_server.h"

#include <QTest>

#include <algorithm>

using namespace bourse;
using namespace bourse::net;
using namespace bourse::net::testing;

namespace {

std::size_t requestCount(const FakeServer &server, StreamKind kind, std::uint32_t id)
{
    std::size_t count = 0;
    for (const Received *received :
         FakeServer::ofType(server.snapshots, MessageType::SnapshotRequest)) {
        const auto &request = std::get<SnapshotRequest>(received->message.body);
        count += request.kind == kind && request.streamId == id ? 1 : 0;
    }
    return count;
}

// An empty batch, which the protocol allows, numbered in instrument 1's stream.
Message marketData(std::uint32_t instrument, std::uint64_t sequence)
{
    Message message;
    message.header.streamId = instrument;
    message.header.sequence = sequence;
    message.body = MarketDataBatch{};
    return message;
}

} // namespace

class TestClientStreams : public QObject {
    Q_OBJECT

private slots:
    void newInstanceResyncsEveryStream();
    void gapOnPublishedStreamRequestsSnapshot();
    void invalidPublicationTreatedAsGap();
    void invalidLinkMessageAnsweredAndCommandsResent();
    void emptyListFollowsEveryInstrument();
    void manySubscriptionsAllReachPublisher();
};

// The server restarts under a new instance id while the client is in sync. On the first
// heartbeat with the new id the client reconnects, because its links were welcomed by the old
// run, and requests a snapshot of every stream again.
void TestClientStreams::newInstanceResyncsEveryStream()
{
    const CurveKeyPair keys = newKeyPair();
    FakeServer server(keys);
    ClientOptions options = clientOptions(server, keys);
    options.instruments = {InstrumentId{1}, InstrumentId{2}};
    Client client(options);
    const std::vector<StreamKey> keysFollowed{
        {StreamKind::Instrument, 1}, {StreamKind::Instrument, 2}, {StreamKind::Account, 1}};
    const auto inSync = [&] {
        return std::none_of(keysFollowed.begin(), keysFollowed.end(),
                            [&](StreamKey key) { return client.streams().isStale(key); });
    };
    QVERIFY(drive(client, server, inSync));

    server.instanceId = 7002;
    server.answerSnapshots = false;
    server.publishHeartbeat();
    QVERIFY(drive(client, server, [&] {
        return FakeServer::ofType(server.snapshots, MessageType::SnapshotRequest).size() == 6;
    }));
    QCOMPARE(client.counters().instanceChanges, 1u);
    QCOMPARE(client.instanceId(), 7002u);
    QCOMPARE(client.counters().connects, 2u);
    for (const StreamKey key : keysFollowed) {
        QCOMPARE(requestCount(server, key.kind, key.id), 2u);
        QVERIFY(client.streams().isStale(key));
    }
}

void TestClientStreams::gapOnPublishedStreamRequestsSnapshot()
{
    const CurveKeyPair keys = newKeyPair();
    FakeServer server(keys);
    server.covers[{StreamKind::Instrument, 1}] = 5;
    Client client(clientOptions(server, keys));
    const StreamKey instrument{StreamKind::Instrument, 1};
    QVERIFY(drive(client, server, [&] { return !client.streams().isStale(instrument); }));
    server.answerSnapshots = false;

    // 6 and 7 follow the snapshot's 5, so no request goes out.
    server.publish(marketData(1, 6), StreamKind::Instrument, 1);
    server.publish(marketData(1, 7), StreamKind::Instrument, 1);
    driveRounds(client, server, 20);
    QCOMPARE(requestCount(server, StreamKind::Instrument, 1), 1u);
    QVERIFY(!client.streams().isStale(instrument));

    // 8 is missing.
    server.publish(marketData(1, 9), StreamKind::Instrument, 1);
    QVERIFY(drive(client, server,
                  [&] { return requestCount(server, StreamKind::Instrument, 1) == 2; }));
    QVERIFY(client.streams().isStale(instrument));
    QCOMPARE(requestCount(server, StreamKind::Account, 1), 1u);
}

// A batch whose payload is cut short is dropped. It took number 1 of the stream, so number 2
// shows the gap and the stream resyncs.
void TestClientStreams::invalidPublicationTreatedAsGap()
{
    const CurveKeyPair keys = newKeyPair();
    FakeServer server(keys);
    Client client(clientOptions(server, keys));
    const StreamKey instrument{StreamKind::Instrument, 1};
    QVERIFY(drive(client, server, [&] { return !client.streams().isStale(instrument); }));

    std::vector<std::uint8_t> bytes;
    encodeMessage(marketData(1, 1), bytes);
    bytes.pop_back();
    server.publishRaw(topicOf(StreamKind::Instrument, 1), bytes);
    server.publish(marketData(1, 2), StreamKind::Instrument, 1);
    QVERIFY(drive(client, server,
                  [&] { return requestCount(server, StreamKind::Instrument, 1) == 2; }));
    QCOMPARE(client.counters().invalidMessages, 1u);
    QCOMPARE(client.streams().counters().gaps, 1u);
    QCOMPARE(requestCount(server, StreamKind::Account, 1), 1u);
}

// Three bytes on the order-entry link: the client replies with an ErrorReply and, since the
// lost message may have been a reply, sends its pending command again.
void TestClientStreams::invalidLinkMessageAnsweredAndCommandsResent()
{
    const CurveKeyPair keys = newKeyPair();
    FakeServer server(keys);
    Client client(clientOptions(server, keys));
    QVERIFY(drive(client, server, [&] { return client.state() == ClientState::Live; }));
    NewOrder order;
    order.account = AccountId{1};
    order.limit = Price{100};
    order.quantity = Quantity{5};
    const ClientOrderId id = client.submit(order);
    const auto newOrders = [&] { return FakeServer::ofType(server.orders, MessageType::NewOrder); };
    QVERIFY(drive(client, server, [&] { return newOrders().size() == 1; }));

    server.sendRawToClient(true, {kProtocolVersion, 32, 0});
    QVERIFY(drive(client, server, [&] { return newOrders().size() == 2; }));
    QCOMPARE(std::get<NewOrder>(newOrders()[1]->message.body).clientOrderId, id);
    QCOMPARE(newOrders()[1]->peer, newOrders()[0]->peer);
    QCOMPARE(client.counters().invalidMessages, 1u);
    QCOMPARE(client.counters().linkGaps, 1u);
    QCOMPARE(client.counters().commandsResent, 1u);
    QCOMPARE(client.counters().deadPeers, 0u);

    const auto errors = FakeServer::ofType(server.orders, MessageType::ErrorReply);
    QCOMPARE(errors.size(), 1u);
    QCOMPARE(std::get<ErrorReply>(errors[0]->message.body).code, ProtocolError::Truncated);
}

// With no instrument listed, the client subscribes to every instrument topic by their common
// first byte and joins an instrument when its first batch arrives.
void TestClientStreams::emptyListFollowsEveryInstrument()
{
    const CurveKeyPair keys = newKeyPair();
    FakeServer server(keys);
    ClientOptions options = clientOptions(server, keys);
    options.instruments.clear();
    Client client(options);
    QVERIFY(
        drive(client, server, [&] { return requestCount(server, StreamKind::Account, 1) == 1; }));
    QCOMPARE(server.subscriptions.size(), 3u);
    QCOMPARE(server.subscriptions[0], std::vector<std::uint8_t>{'I'});

    server.covers[{StreamKind::Instrument, 9}] = 40;
    server.publish(marketData(9, 41), StreamKind::Instrument, 9);
    QVERIFY(drive(client, server,
                  [&] { return requestCount(server, StreamKind::Instrument, 9) == 1; }));
    QVERIFY(drive(client, server, [&] {
        return !client.streams().isStale({StreamKind::Instrument, 9});
    }));
    QCOMPARE(requestCount(server, StreamKind::Instrument, 1), 0u);
}

// libzmq's default ZMQ_SNDHWM is 1000 messages, and a SUB that finds its queue full drops the
// subscriptions that do not fit. The client lifts the limit, so each of 1500 instrument
// subscriptions reaches the publisher, on the first connection and after a restart.
void TestClientStreams::manySubscriptionsAllReachPublisher()
{
    const CurveKeyPair keys = newKeyPair();
    FakeServer server(keys);
    ClientOptions options = clientOptions(server, keys, kShortInterval);
    options.instruments.clear();
    for (std::uint32_t id = 1; id <= 1500; ++id)
        options.instruments.push_back(InstrumentId{id});
    Client client(options);

    QVERIFY(drive(client, server, [&] { return server.subscriptions.size() == 1502; }));
    QVERIFY(std::ranges::equal(server.subscriptions.back(), topicOf(StreamKind::Heartbeat, 0)));
    QVERIFY(drive(client, server, [&] {
        return FakeServer::ofType(server.snapshots, MessageType::SnapshotRequest).size() == 1501;
    }));
    QCOMPARE(requestCount(server, StreamKind::Instrument, 1500), 1u);

    // The publisher restarts: the client's new connection carries every subscription again.
    server.close();
    server.open();
    QVERIFY(drive(client, server, [&] { return server.subscriptions.size() == 2 * 1502; }));
    QVERIFY(drive(client, server, [&] {
        return FakeServer::ofType(server.snapshots, MessageType::SnapshotRequest).size() ==
               2 * 1501;
    }));
    QCOMPARE(requestCount(server, StreamKind::Instrument, 1500), 2u);
    QCOMPARE(client.counters().deadPeers, 1u);
}

QTEST_GUILESS_MAIN(TestClientStreams)
#include "tst_client_streams.moc"

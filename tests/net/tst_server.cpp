// An in-process Server on 127.0.0.1 ports the system chooses, with a quiet scenario market of one
// instrument, driven by bare DEALER and SUB sockets with CURVE keys made in a temporary folder.

#include "server.h"

#include "client.h"
#include "curve_keys.h"
#include "curve_socket.h"
#include "in_process_server.h"

#include <QTemporaryDir>
#include <QTest>

#include <zmq_addon.hpp>

#include <cstring>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

using namespace bourse;
using namespace bourse::net;
using namespace bourse::nettest;

namespace {

constexpr int kArrivalTimeoutMs = 5000;
// Long enough for a loopback handshake many times over, short enough to keep the suite quick.
constexpr int kNothingArrivesMs = 700;

Message decoded(const zmq::message_t &frame)
{
    Message message;
    const auto error =
        decodeMessage({static_cast<const std::uint8_t *>(frame.data()), frame.size()}, message);
    if (error)
        qFatal("the server sent a message that does not decode: %s", describe(*error).c_str());
    return message;
}

NewOrder buyOrder(std::uint32_t account, std::uint64_t clientOrderId)
{
    NewOrder order = limitOrder(account, Side::Buy, 10'000, 10);
    order.clientOrderId = ClientOrderId{clientOrderId};
    return order;
}

// A client on the order-entry link: a DEALER that numbers what it sends.
class TestClient {
public:
    // A routing identity, when given, replaces the one the ROUTER would choose; a receive
    // high-water mark, when given, replaces libzmq's default of 1000 messages.
    TestClient(zmq::context_t &context, const CurveKeyPair &keys, const std::string &serverKey,
               const std::string &endpoint, const std::string &routingId = {},
               int receiveHighWaterMark = 0)
        : m_socket(context, zmq::socket_type::dealer)
    {
        m_socket.set(zmq::sockopt::linger, 0);
        if (!routingId.empty())
            m_socket.set(zmq::sockopt::routing_id, routingId);
        if (receiveHighWaterMark != 0) {
            m_socket.set(zmq::sockopt::rcvhwm, receiveHighWaterMark);
            // A small kernel buffer too, so that what the DEALER does not read stays queued at
            // the server instead of in the loopback connection.
            m_socket.set(zmq::sockopt::rcvbuf, 16 * 1024);
        }
        makeCurveClient(m_socket, keys, serverKey);
        m_socket.connect(endpoint);
    }

    void send(Body body) { sendBytes(encodedMessage(std::move(body), ++m_sequence)); }
    void sendBytes(const std::vector<std::uint8_t> &bytes)
    {
        m_socket.send(zmq::buffer(bytes), zmq::send_flags::none);
    }
    std::optional<Message> receive(int timeoutMs = kArrivalTimeoutMs)
    {
        // Heartbeats are skipped, because the tests check the replies.
        while (const auto frame = receiveFrame(m_socket, timeoutMs)) {
            Message message = decoded(*frame);
            if (!std::holds_alternative<Heartbeat>(message.body))
                return message;
        }
        return std::nullopt;
    }
    bool hello()
    {
        send(Hello{kProtocolVersion, kProtocolVersion, 200});
        const auto reply = receive();
        return reply && std::holds_alternative<Welcome>(reply->body);
    }
    std::uint64_t &sequence() { return m_sequence; }
    zmq::socket_t &socket() { return m_socket; }

private:
    zmq::socket_t m_socket;
    std::uint64_t m_sequence = 0;
};

// A server with a trader key (alice: account 1), a viewer key and keys it does not list, on a
// scenario market of one instrument, ABC, with id 1.
struct Fixture : InProcessServer {
    CurveKeyPair serverKeys = newKeyPair();
    CurveKeyPair trader = newKeyPair();
    CurveKeyPair viewer = newKeyPair();
    CurveKeyPair stranger = newKeyPair();
    std::mutex logMutex; // the authenticator logs from its own thread
    std::vector<std::string> logLines;
    zmq::context_t context;

    explicit Fixture(const std::string &extraLines = {})
    {
        writeKeyPairFiles(serverKeys, path("server"));
        writeFile(path("desk.access"), "trader " + trader.publicKey + " accounts 1 # alice\n" +
                                           "viewer " + viewer.publicKey + " # screen\n");
        writeFile(path("quiet.scenario"), kQuietScenario);
        ServeConfig config;
        config.extraLines = extraLines;
        writeConfig(config);
        start();
    }

    void start()
    {
        InProcessServer::start([this](LogLevel, const std::string &line) {
            const std::lock_guard lock(logMutex);
            logLines.push_back(line);
        });
    }
    ~Fixture()
    {
        stop();
        server.reset(); // it logs while it stops, into the members below
    }

    bool logged(const std::string &part) { return loggedCount(part) != 0; }

    int loggedCount(const std::string &part)
    {
        const std::lock_guard lock(logMutex);
        int count = 0;
        for (const std::string &line : logLines) {
            if (line.find(part) != std::string::npos)
                ++count;
        }
        return count;
    }

    std::unique_ptr<TestClient> client(const CurveKeyPair &keys, const std::string &routingId = {},
                                       int receiveHighWaterMark = 0)
    {
        return std::make_unique<TestClient>(context, keys, serverKeys.publicKey,
                                            server->orderEntryEndpoint(), routingId,
                                            receiveHighWaterMark);
    }

    // A subscriber to `topics` and the heartbeat topic, returned once the first heartbeat shows
    // that its subscriptions reached the server.
    std::unique_ptr<zmq::socket_t> subscriber(std::initializer_list<Topic> topics)
    {
        auto socket = std::make_unique<zmq::socket_t>(context, zmq::socket_type::sub);
        socket->set(zmq::sockopt::linger, 0);
        makeCurveClient(*socket, trader, serverKeys.publicKey);
        const Topic heartbeat = topicOf(StreamKind::Heartbeat, 0);
        socket->set(zmq::sockopt::subscribe, zmq::buffer(heartbeat));
        for (const Topic &topic : topics)
            socket->set(zmq::sockopt::subscribe, zmq::buffer(topic));
        socket->connect(server->publishEndpoint());
        while (true) {
            const auto frames = receiveFrames(*socket, kArrivalTimeoutMs);
            if (!frames)
                qFatal("no heartbeat on the publication socket");
            if ((*frames)[0].to_string() == std::string(heartbeat.begin(), heartbeat.end()))
                return socket;
        }
    }
};

// The next published message on one of the topics other than heartbeats.
std::optional<Message> nextPublished(zmq::socket_t &socket)
{
    while (true) {
        const auto received = receiveFrames(socket, kArrivalTimeoutMs);
        if (!received)
            return std::nullopt;
        const std::vector<zmq::message_t> &frames = *received;
        Message message;
        const auto error = decodePublished(
            {static_cast<const std::uint8_t *>(frames[0].data()), frames[0].size()},
            {static_cast<const std::uint8_t *>(frames[1].data()), frames[1].size()}, message);
        if (error)
            qFatal("a published message does not decode: %s", describe(*error).c_str());
        if (!std::holds_alternative<Heartbeat>(message.body))
            return message;
    }
}

// Sends a command and returns the reply to it, or nothing when none came.
std::optional<Message> exchange(TestClient &client, Body command)
{
    client.send(std::move(command));
    return client.receive();
}

// Sends `order` again from a new link of the trader and checks that it gets the reply `first`
// did, with the same order id and event number, and that the engine has one live order.
void checkResentOrderGetsFirstReply(Fixture &fixture, const Message &first, const NewOrder &order)
{
    auto again = fixture.client(fixture.trader);
    QVERIFY(again->hello());
    const auto second = exchange(*again, order);
    QVERIFY(second);
    const auto *firstAccepted = std::get_if<CommandAccepted>(&first.body);
    const auto *secondAccepted = std::get_if<CommandAccepted>(&second->body);
    QVERIFY(firstAccepted);
    QVERIFY(secondAccepted);
    QCOMPARE(secondAccepted->id, firstAccepted->id);
    QCOMPARE(secondAccepted->eventSequence, firstAccepted->eventSequence);

    fixture.stop();
    QCOMPARE(fixture.server->engine().liveOrderCount(), std::size_t{1});
}

// The replies a Client reported.
struct ReplyRecord : ClientListener {
    std::vector<CommandAccepted> accepted;
    std::vector<CommandRejected> rejected;
    std::vector<std::optional<ClientOrderId>> droppedByError; // from each ErrorReply

    void onCommandAccepted(const CommandAccepted &reply) override { accepted.push_back(reply); }
    void onCommandRejected(const CommandRejected &reply) override { rejected.push_back(reply); }
    void onErrorReply(const ErrorReply &, std::optional<ClientOrderId> command) override
    {
        droppedByError.push_back(command);
    }
};

template <typename Payload>
bool containsEvent(const std::vector<Event> &events)
{
    for (const Event &event : events) {
        if (std::holds_alternative<Payload>(event.payload))
            return true;
    }
    return false;
}

} // namespace

class ServerTest : public QObject {
    Q_OBJECT

private slots:
    void helloGetsWelcomeWithInstanceId()
    {
        Fixture fixture;
        auto client = fixture.client(fixture.trader);
        const auto reply = exchange(*client, Hello{kProtocolVersion, kProtocolVersion, 250});
        QVERIFY(reply);
        const auto *welcome = std::get_if<Welcome>(&reply->body);
        QVERIFY(welcome);
        QCOMPARE(welcome->version, kProtocolVersion);
        QCOMPARE(welcome->heartbeatIntervalMs, 250u);
        QCOMPARE(welcome->instanceId, fixture.server->instanceId());
        QCOMPARE(reply->header.sequence, std::uint64_t{1});

        // With nothing else to send, the server sends heartbeats that repeat the last number.
        const auto frame = receiveFrame(client->socket(), kArrivalTimeoutMs);
        QVERIFY(frame);
        const Message heartbeat = decoded(*frame);
        QVERIFY(std::holds_alternative<Heartbeat>(heartbeat.body));
        QCOMPARE(heartbeat.header.sequence, std::uint64_t{1});
    }

    void orderIsAcceptedAndPublished()
    {
        Fixture fixture;
        auto reports = fixture.subscriber(
            {topicOf(StreamKind::Account, 1), topicOf(StreamKind::Instrument, 1)});
        auto client = fixture.client(fixture.trader);
        QVERIFY(client->hello());

        const auto reply = exchange(*client, buyOrder(1, 11));
        QVERIFY(reply);
        const auto *accepted = std::get_if<CommandAccepted>(&reply->body);
        QVERIFY(accepted);
        QCOMPARE(accepted->clientOrderId, ClientOrderId{11});
        QCOMPARE(accepted->account, AccountId{1});
        QVERIFY(accepted->id.value() != 0);
        QVERIFY(accepted->eventSequence != 0);

        // The order's acceptance on account 1's stream, its place in the book on ABC's.
        bool sawReport = false;
        bool sawMarketData = false;
        while (!sawReport || !sawMarketData) {
            const auto published = nextPublished(*reports);
            QVERIFY(published);
            if (const auto *batch = std::get_if<ExecutionReportBatch>(&published->body))
                sawReport = sawReport || containsEvent<OrderAccepted>(batch->events);
            if (const auto *batch = std::get_if<MarketDataBatch>(&published->body))
                sawMarketData = sawMarketData || containsEvent<OrderAdded>(batch->events);
        }
    }

    void resentOrderGetsSameAnswer()
    {
        Fixture fixture;
        auto client = fixture.client(fixture.trader);
        QVERIFY(client->hello());
        const auto first = exchange(*client, buyOrder(1, 21));
        QVERIFY(first);

        // A client that lost the link sends the order again under the same client order id.
        checkResentOrderGetsFirstReply(fixture, *first, buyOrder(1, 21));
    }

    void repeatedReplaceGetsStoredReply()
    {
        Fixture fixture;
        auto client = fixture.client(fixture.trader);
        QVERIFY(client->hello());
        const auto placed = exchange(*client, buyOrder(1, 31));
        QVERIFY(placed);
        const OrderId id = std::get<CommandAccepted>(placed->body).id;

        const ReplaceCommand replace{ClientOrderId{32}, AccountId{1},
                                     ReplaceOrder{id, Price{0}, Quantity{4}, Price{0}}};
        const auto first = exchange(*client, replace);
        const auto second = exchange(*client, replace);
        QVERIFY(first);
        QVERIFY(second);
        const auto *firstAccepted = std::get_if<CommandAccepted>(&first->body);
        const auto *secondAccepted = std::get_if<CommandAccepted>(&second->body);
        QVERIFY(firstAccepted);
        QVERIFY(secondAccepted);
        QCOMPARE(firstAccepted->command, MessageType::ReplaceOrder);
        QCOMPARE(secondAccepted->eventSequence, firstAccepted->eventSequence);

        fixture.stop();
        QCOMPARE(fixture.server->counters().storedReplies, std::uint64_t{1});
        QCOMPARE(fixture.server->engine().findOrder(id)->remaining, Quantity{4});
    }

    void viewerOrderIsRejectedAndCounted()
    {
        Fixture fixture;
        auto client = fixture.client(fixture.viewer);
        QVERIFY(client->hello());
        const auto reply = exchange(*client, buyOrder(1, 41));
        QVERIFY(reply);
        const auto *rejected = std::get_if<CommandRejected>(&reply->body);
        QVERIFY(rejected);
        QCOMPARE(rejected->reason, RejectReason::InvalidAccount);
        QCOMPARE(rejected->eventSequence, SequenceNumber{0});

        fixture.stop();
        QCOMPARE(fixture.server->counters().unauthorized, std::uint64_t{1});
        QCOMPARE(fixture.server->engine().liveOrderCount(), std::size_t{0});
        QVERIFY(fixture.logged("rejected NewOrder 41 for account 1 from screen ("));
        QVERIFY(fixture.logged("the key is a viewer's, which may not send orders"));
    }

    void orderForAnotherAccountIsRejected()
    {
        Fixture fixture;
        auto client = fixture.client(fixture.trader);
        QVERIFY(client->hello());
        const auto reply = exchange(*client, buyOrder(2, 51));
        QVERIFY(reply);
        const auto *rejected = std::get_if<CommandRejected>(&reply->body);
        QVERIFY(rejected);
        QCOMPARE(rejected->reason, RejectReason::InvalidAccount);
        fixture.stop();
        QCOMPARE(fixture.server->counters().unauthorized, std::uint64_t{1});
    }

    void unknownKeyGetsNothing()
    {
        Fixture fixture;
        auto client = fixture.client(fixture.stranger);
        client->send(Hello{kProtocolVersion, kProtocolVersion, 200});
        client->send(buyOrder(1, 61));
        QVERIFY(!receiveFrame(client->socket(), kNothingArrivesMs));
        fixture.stop();
        QCOMPARE(fixture.server->counters().messages, std::uint64_t{0});
    }

    void malformedMessageGetsErrorReply_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("code");
        QTest::newRow("wrong length") << 0 << int(ProtocolError::Truncated);
        QTest::newRow("unknown type") << 1 << int(ProtocolError::UnknownMessageType);
        QTest::newRow("huge count") << 2 << int(ProtocolError::CountTooLarge);
        QTest::newRow("wrong version") << 3 << int(ProtocolError::UnsupportedVersion);
        QTest::newRow("payload size off") << 4 << int(ProtocolError::LengthMismatch);
        QTest::newRow("publication on order entry") << 5 << int(ProtocolError::UnexpectedMessage);
    }

    void malformedMessageGetsErrorReply()
    {
        QFETCH(int, kind);
        QFETCH(int, code);
        Fixture fixture;
        auto client = fixture.client(fixture.trader);
        QVERIFY(client->hello());

        std::vector<std::uint8_t> bytes = encodedMessage(buyOrder(1, 71), ++client->sequence());
        if (kind == 0) {
            bytes.pop_back(); // one byte short of its payloadSize
        } else if (kind == 1) {
            bytes[1] = 99;
        } else if (kind == 2) {
            // A MarketDataBatch whose count claims 2^32 - 1 events with 30 bytes behind it.
            bytes = encodedMessage(MarketDataBatch{}, client->sequence());
            const std::uint32_t count = 0xffffffff;
            std::memcpy(bytes.data() + 20, &count, 4);
            bytes.resize(bytes.size() + 30);
            const std::uint32_t payload = 4 + 30;
            std::memcpy(bytes.data() + 16, &payload, 4);
            bytes[4] = 1; // the instrument
        } else if (kind == 3) {
            bytes[0] = 2;
        } else if (kind == 4) {
            bytes.push_back(0);
            const std::uint32_t payload = 70;
            std::memcpy(bytes.data() + 16, &payload, 4);
        } else {
            bytes = encodedMessage(ExecutionReportBatch{}, client->sequence());
            bytes[4] = 1; // account 1
        }
        client->sendBytes(bytes);
        const auto reply = client->receive();
        QVERIFY(reply);
        const auto *error = std::get_if<ErrorReply>(&reply->body);
        QVERIFY(error);
        QCOMPARE(int(error->code), code);

        // The link still works.
        const auto answer = exchange(*client, buyOrder(1, 72));
        QVERIFY(answer);
        QVERIFY2(std::holds_alternative<CommandAccepted>(answer->body),
                 nameOf(*typeOf(answer->body)).data());
        fixture.stop();
        QCOMPARE(fixture.server->counters().errorReplies, std::uint64_t{1});
    }

    // A Hello that asks for heartbeats faster than the publisher's heartbeat-ms (200 ms in the
    // fixture's serve.conf) is welcomed with heartbeat-ms, which the publisher keeps to.
    void welcomeRaisesIntervalToPublisher()
    {
        Fixture fixture;
        auto client = fixture.client(fixture.trader);
        const auto reply = exchange(*client, Hello{kProtocolVersion, kProtocolVersion, 100});
        QVERIFY(reply);
        const auto *welcome = std::get_if<Welcome>(&reply->body);
        QVERIFY(welcome);
        QCOMPARE(welcome->heartbeatIntervalMs, 200u);
    }

    void silentPeerIsForgotten()
    {
        Fixture fixture;
        auto client = fixture.client(fixture.trader);
        client->send(Hello{kProtocolVersion, kProtocolVersion, 100});
        QVERIFY(client->receive());
        // Three intervals of 200 ms (the Welcome raises the 100 asked for to the fixture's
        // heartbeat-ms) without a message from the client, and some time to spare.
        QTest::qWait(900);
        // The client's next message, here a heartbeat, learns that it must send Hello again. The
        // server admits the identity as a new peer, which numbers its messages from 1.
        const auto reply = exchange(*client, Heartbeat{Timestamp{1}, 100, 0});
        QVERIFY(reply);
        const auto *error = std::get_if<ErrorReply>(&reply->body);
        QVERIFY(error);
        QCOMPARE(error->code, ProtocolError::UnexpectedMessage);
        QCOMPARE(error->messageType, std::uint8_t(MessageType::Heartbeat));
        QCOMPARE(reply->header.sequence, std::uint64_t{1});
        fixture.stop();
        QCOMPARE(fixture.server->counters().peersJoined, std::uint64_t{2});
        QVERIFY(fixture.server->counters().peersLeft >= 1);
    }

    // A Client that stalls for more than 3 heartbeat intervals is forgotten by the server, which
    // replies to its next two orders with ErrorReply UnexpectedMessage. The Client sends Hello
    // again and resends both, and each gets one reply.
    void stalledClientResendsAfterHello()
    {
        Fixture fixture;
        ClientOptions options;
        options.orderEntryEndpoint = fixture.server->orderEntryEndpoint();
        options.publishEndpoint = fixture.server->publishEndpoint();
        options.snapshotEndpoint = fixture.server->snapshotEndpoint();
        options.serverPublicKey = fixture.serverKeys.publicKey;
        options.keys = fixture.trader;
        options.heartbeatInterval = std::chrono::milliseconds(kMinimumHeartbeatIntervalMs);
        options.instruments = {InstrumentId{1}};
        options.accounts = {AccountId{1}};
        Client client(options);
        ReplyRecord replies;
        client.setListener(&replies);
        const auto pollUntil = [&client](auto done) {
            for (int round = 0; round < 500 && !done(); ++round)
                client.poll(std::chrono::milliseconds(10));
            return done();
        };
        QVERIFY(pollUntil([&] { return client.state() == ClientState::Live; }));

        // Six intervals of the Welcome, which is the fixture's heartbeat-ms of 200 ms.
        std::this_thread::sleep_for(std::chrono::milliseconds(6 * 200));
        const ClientOrderId first = client.submit(buyOrder(1, 0));
        const ClientOrderId second = client.submit(buyOrder(1, 0));
        QVERIFY(pollUntil([&] { return client.pendingCommandCount() == 0; }));
        for (int round = 0; round < 20; ++round)
            client.poll(std::chrono::milliseconds(10));

        QCOMPARE(replies.accepted.size(), std::size_t{2});
        QCOMPARE(replies.accepted[0].clientOrderId, first);
        QCOMPARE(replies.accepted[1].clientOrderId, second);
        QCOMPARE(replies.rejected.size(), std::size_t{0});
        for (const std::optional<ClientOrderId> &dropped : replies.droppedByError)
            QVERIFY(!dropped);
        QVERIFY(client.counters().linksReopened >= 1);
        fixture.stop();
        QVERIFY(fixture.server->counters().peersLeft >= 1);
        QCOMPARE(fixture.server->engine().liveOrderCount(), std::size_t{2});
    }

    // A client that lost its link to a server that then restarted sends its order again. The
    // journal restored the engine's record of the first reply, so nothing is entered twice.
    void resentOrderAfterRestartGetsSameAnswer()
    {
        Fixture fixture("journal market.journal\n");
        auto client = fixture.client(fixture.trader);
        QVERIFY(client->hello());
        const auto first = exchange(*client, buyOrder(1, 101));
        QVERIFY(first);
        const std::uint64_t firstInstance = fixture.server->instanceId();
        client.reset();
        fixture.stop();

        fixture.start();
        QVERIFY(fixture.server->instanceId() != firstInstance);
        checkResentOrderGetsFirstReply(fixture, *first, buyOrder(1, 101));
    }

    void commandBeforeHelloIsUnexpected()
    {
        Fixture fixture;
        auto client = fixture.client(fixture.trader);
        const auto reply = exchange(*client, buyOrder(1, 81));
        QVERIFY(reply);
        const auto *error = std::get_if<ErrorReply>(&reply->body);
        QVERIFY(error);
        QCOMPARE(error->code, ProtocolError::UnexpectedMessage);
    }

    // A subscriber that joins late receives a first number above 1, which is a gap it detects.
    // The snapshot it then requests covers the stream up to the last number published.
    void lateSubscriberResyncsBySnapshot()
    {
        Fixture fixture;
        auto client = fixture.client(fixture.trader);
        QVERIFY(client->hello());
        client->send(buyOrder(1, 91));
        QVERIFY(client->receive());

        auto late = fixture.subscriber({topicOf(StreamKind::Account, 1)});
        client->send(buyOrder(1, 92));
        QVERIFY(client->receive());
        const auto published = nextPublished(*late);
        QVERIFY(published);
        QVERIFY(published->header.sequence > 1);

        TestClient snapshots(fixture.context, fixture.trader, fixture.serverKeys.publicKey,
                             fixture.server->snapshotEndpoint());
        QVERIFY(snapshots.hello());
        snapshots.send(SnapshotRequest{StreamKind::Account, 1});
        const auto part = snapshots.receive();
        QVERIFY(part);
        const auto *snapshot = std::get_if<SnapshotPart>(&part->body);
        QVERIFY(snapshot);
        QCOMPARE(part->header.sequence, std::uint64_t{1});
        QCOMPARE(snapshot->coversSequence, published->header.sequence);
    }

    // A ROUTER gives a routing identity to whichever connection names it once the first is
    // gone, so a viewer's DEALER can take the identity of a trader's. The server checks the key
    // of every message: another key is a new peer, whose command before a Hello is rejected.
    void identityReusedByOtherKeyNeedsHello()
    {
        Fixture fixture;
        {
            auto alice = fixture.client(fixture.trader, "desk-7");
            QVERIFY(alice->hello());
        }
        // The closed DEALER's connection ends on the server well within this wait.
        QTest::qWait(300);
        auto screen = fixture.client(fixture.viewer, "desk-7");
        screen->sequence() = 1; // numbers on from alice's Hello
        const auto reply = exchange(*screen, buyOrder(1, 111));
        QVERIFY(reply);
        const auto *error = std::get_if<ErrorReply>(&reply->body);
        QVERIFY2(error, nameOf(*typeOf(reply->body)).data());
        QCOMPARE(error->code, ProtocolError::UnexpectedMessage);
        QCOMPARE(error->messageType, std::uint8_t(MessageType::NewOrder));

        fixture.stop();
        QCOMPARE(fixture.server->engine().liveOrderCount(), std::size_t{0});
        QCOMPARE(fixture.server->counters().commands, std::uint64_t{0});
        const std::string alice = "alice (" + fixture.trader.publicKey + ")";
        const std::string screenName = "screen (" + fixture.viewer.publicKey + ")";
        QVERIFY(fixture.logged("was " + alice + ", now " + screenName));
    }

    // 30000 commands from a client that reads nothing until it has sent them all. Either every
    // reply arrives, or the server, unable to queue one, clears the link's Hello and replies to
    // the client's next message with an ErrorReply that requests a new Hello.
    // NOTE: the server's order-entry queue keeps up to 100000 messages (kOrderEntryHighWaterMark in
    // server.cpp), so 30000 replies fit and the failed-send branch below is not expected to run.
    void unreadRepliesNeverLostSilently()
    {
        constexpr std::uint64_t kCommands = 30000;
        Fixture fixture;
        auto client = fixture.client(fixture.trader, {}, 100);
        QVERIFY(client->hello());
        for (std::uint64_t index = 0; index < kCommands; ++index)
            client->send(buyOrder(1, 1000 + index));

        std::set<std::uint64_t> answered;
        int helloRequests = 0;
        while (const auto reply = client->receive(2000)) {
            if (const auto *accepted = std::get_if<CommandAccepted>(&reply->body))
                answered.insert(accepted->clientOrderId.value());
            else if (const auto *rejected = std::get_if<CommandRejected>(&reply->body))
                answered.insert(rejected->clientOrderId.value());
            else if (const auto *error = std::get_if<ErrorReply>(&reply->body))
                helloRequests += error->code == ProtocolError::UnexpectedMessage ? 1 : 0;
        }
        qInfo("replies: %zu of %llu; ErrorReply UnexpectedMessage: %d", answered.size(),
              static_cast<unsigned long long>(kCommands), helloRequests);
        if (answered.size() < kCommands && helloRequests == 0) {
            // The server replies to the client's next message with a request for a Hello.
            const auto reply = exchange(*client, Heartbeat{Timestamp{1}, 200, 0});
            QVERIFY2(reply, "replies were lost and the client was not told");
            const auto *error = std::get_if<ErrorReply>(&reply->body);
            QVERIFY(error);
            QCOMPARE(error->code, ProtocolError::UnexpectedMessage);
        }

        fixture.stop();
        const ServerCounters &counters = fixture.server->counters();
        QCOMPARE(counters.commands, kCommands);
        if (answered.size() < kCommands) {
            QVERIFY(counters.failedSends > 0);
            QVERIFY(fixture.logged("alice (" + fixture.trader.publicKey + ")"));
        } else {
            QCOMPARE(counters.failedSends, std::uint64_t{0});
        }
    }

    // With ZMQ_ROUTER_MANDATORY a send to a connection that is gone fails instead of vanishing:
    // the heartbeat due to a closed client is counted and logged with the peer's name.
    void sendToClosedPeerIsCounted()
    {
        Fixture fixture;
        auto client = fixture.client(fixture.trader);
        QVERIFY(client->hello()); // requests heartbeats every 200 ms
        client.reset();
        QTest::qWait(500);

        fixture.stop();
        QVERIFY(fixture.server->counters().failedSends >= 1);
        QVERIFY(fixture.logged("could not send Heartbeat 1 to alice (" + fixture.trader.publicKey +
                               ") on the order entry link: its connection is gone"));
    }

    // A cancel of an unknown order is rejected and its reply stored. Of 1001 such cancels the
    // first one's reply is no longer kept (1000 an account), so its repeat reaches the engine
    // again, while the latest one's repeat gets its stored reply.
    void storedRepliesKeepLatestPerAccount()
    {
        Fixture fixture;
        auto client = fixture.client(fixture.trader);
        QVERIFY(client->hello());
        for (std::uint64_t id = 1; id <= 1001; ++id)
            QVERIFY(exchange(*client, CancelOrder{ClientOrderId{id}, AccountId{1}, OrderId{999}}));
        const auto first =
            exchange(*client, CancelOrder{ClientOrderId{1}, AccountId{1}, OrderId{999}});
        const auto latest =
            exchange(*client, CancelOrder{ClientOrderId{1001}, AccountId{1}, OrderId{999}});
        QVERIFY(first);
        QVERIFY(latest);
        QVERIFY(std::holds_alternative<CommandRejected>(first->body));
        QVERIFY(std::holds_alternative<CommandRejected>(latest->body));

        fixture.stop();
        QCOMPARE(fixture.server->counters().storedReplies, std::uint64_t{1});
    }

    // Junk messages use up the budget of invalid-message warnings, not the access list's.
    void junkDoesNotHideAccessRejection()
    {
        Fixture fixture;
        auto junk = fixture.client(fixture.trader);
        QVERIFY(junk->hello());
        for (int index = 0; index < 30; ++index) {
            std::vector<std::uint8_t> bytes = encodedMessage(buyOrder(1, 1), ++junk->sequence());
            bytes.pop_back();
            junk->sendBytes(bytes);
            QVERIFY(junk->receive());
        }
        auto screen = fixture.client(fixture.viewer);
        QVERIFY(screen->hello());
        QVERIFY(exchange(*screen, buyOrder(1, 41)));

        fixture.stop();
        QCOMPARE(fixture.loggedCount("invalid message from alice"), 20);
        QVERIFY(fixture.logged("rejected NewOrder 41 for account 1 from screen ("));
    }

    void multipartMessageDropNamesPeer()
    {
        Fixture fixture;
        auto client = fixture.client(fixture.trader);
        QVERIFY(client->hello());
        const std::vector<std::uint8_t> bytes = encodedMessage(buyOrder(1, 1), 2);
        client->socket().send(zmq::buffer(bytes), zmq::send_flags::sndmore);
        client->socket().send(zmq::buffer(bytes), zmq::send_flags::none);
        client->sequence() = 1;
        QVERIFY(exchange(*client, buyOrder(1, 2))); // handled after the dropped message

        fixture.stop();
        QVERIFY(fixture.logged("dropped a message of 3 frames from alice (" +
                               fixture.trader.publicKey + ") on the order entry link"));
    }

    // Each connection logs a line, so connections are rate limited like warnings.
    void peerJoinedLinesAreRateLimited()
    {
        Fixture fixture;
        std::vector<std::unique_ptr<TestClient>> clients;
        for (int index = 0; index < 30; ++index) {
            clients.push_back(fixture.client(fixture.trader));
            QVERIFY(clients.back()->hello());
        }
        fixture.stop();
        QCOMPARE(fixture.server->counters().peersJoined, std::uint64_t{30});
        QCOMPARE(fixture.loggedCount("peer joined the order entry link"), 20);
    }

    void massCancelOfUnknownInstrumentIsRejected()
    {
        Fixture fixture;
        auto client = fixture.client(fixture.trader);
        QVERIFY(client->hello());
        const auto reply = exchange(
            *client, MassCancelCommand{ClientOrderId{5}, {AccountId{1}, InstrumentId{77}}});
        QVERIFY(reply);
        const auto *rejected = std::get_if<CommandRejected>(&reply->body);
        QVERIFY2(rejected, nameOf(*typeOf(reply->body)).data());
        QCOMPARE(rejected->command, MessageType::MassCancel);
        QCOMPARE(rejected->reason, RejectReason::UnknownInstrument);
        QVERIFY(rejected->eventSequence != 0);
    }

    // A second command of the same type under a used client order id, with other content, is
    // rejected instead of getting the first one's stored reply.
    void reusedIdForOtherContentIsDuplicate_data()
    {
        QTest::addColumn<int>("type");
        QTest::newRow("cancel of another order") << int(MessageType::CancelOrder);
        QTest::newRow("replace to another quantity") << int(MessageType::ReplaceOrder);
        QTest::newRow("mass cancel of another scope") << int(MessageType::MassCancel);
        QTest::newRow("kill switch of another scope") << int(MessageType::KillSwitch);
    }

    void reusedIdForOtherContentIsDuplicate()
    {
        QFETCH(int, type);
        Fixture fixture;
        auto client = fixture.client(fixture.trader);
        QVERIFY(client->hello());
        const auto placedA = exchange(*client, buyOrder(1, 1));
        const auto placedB = exchange(*client, buyOrder(1, 2));
        QVERIFY(placedA);
        QVERIFY(placedB);
        const OrderId a = std::get<CommandAccepted>(placedA->body).id;
        const OrderId b = std::get<CommandAccepted>(placedB->body).id;

        const ClientOrderId reused{300};
        const AccountId account{1};
        Body first;
        Body second;
        switch (MessageType(type)) {
        case MessageType::CancelOrder:
            first = CancelOrder{reused, account, a};
            second = CancelOrder{reused, account, b};
            break;
        case MessageType::ReplaceOrder:
            first =
                ReplaceCommand{reused, account, ReplaceOrder{a, Price{0}, Quantity{4}, Price{0}}};
            second =
                ReplaceCommand{reused, account, ReplaceOrder{a, Price{0}, Quantity{3}, Price{0}}};
            break;
        case MessageType::MassCancel:
            first = MassCancelCommand{reused, {account, InstrumentId{77}}};
            second = MassCancelCommand{reused, {account, InstrumentId{1}}};
            break;
        default:
            first = KillSwitchCommand{reused, account, KillSwitchScope::Pause};
            second = KillSwitchCommand{reused, account, KillSwitchScope::None};
            break;
        }
        QVERIFY(exchange(*client, first));
        const auto reply = exchange(*client, second);
        QVERIFY(reply);
        const auto *rejected = std::get_if<CommandRejected>(&reply->body);
        QVERIFY2(rejected, nameOf(*typeOf(reply->body)).data());
        QCOMPARE(rejected->reason, RejectReason::DuplicateClientOrderId);
        QCOMPARE(rejected->eventSequence, SequenceNumber{0});

        // The same command again still gets the first reply.
        const auto repeat = exchange(*client, first);
        QVERIFY(repeat);
        QVERIFY(!std::holds_alternative<CommandRejected>(repeat->body) ||
                std::get<CommandRejected>(repeat->body).reason !=
                    RejectReason::DuplicateClientOrderId);

        fixture.stop();
        QCOMPARE(fixture.server->counters().storedReplies, std::uint64_t{1});
        // The second command changed nothing: order b rests with its 10 lots.
        QCOMPARE(fixture.server->engine().findOrder(b)->remaining, Quantity{10});
    }

    // docs/protocol.md: a stream the server does not have gets an empty snapshot, one last part
    // without events that covers number 0.
    void unknownStreamGetsEmptySnapshot_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("id");
        QTest::newRow("instrument not traded") << int(StreamKind::Instrument) << 77;
        QTest::newRow("account not open") << int(StreamKind::Account) << 99;
    }

    void unknownStreamGetsEmptySnapshot()
    {
        QFETCH(int, kind);
        QFETCH(int, id);
        Fixture fixture;
        TestClient snapshots(fixture.context, fixture.trader, fixture.serverKeys.publicKey,
                             fixture.server->snapshotEndpoint());
        QVERIFY(snapshots.hello());
        snapshots.send(SnapshotRequest{StreamKind(kind), std::uint32_t(id)});
        const auto part = snapshots.receive();
        QVERIFY(part);
        const auto *snapshot = std::get_if<SnapshotPart>(&part->body);
        QVERIFY(snapshot);
        QCOMPARE(part->header.sequence, std::uint64_t{1});
        QCOMPARE(part->header.flags, kLastPartFlag);
        QCOMPARE(snapshot->kind, StreamKind(kind));
        QCOMPARE(snapshot->streamId, std::uint32_t(id));
        QCOMPARE(snapshot->coversSequence, std::uint64_t{0});
        QVERIFY(snapshot->events.empty());
        QVERIFY(!snapshots.receive(kNothingArrivesMs)); // no second part
    }

    // Each kind has 20 lines a minute. The first line of a kind after lines were left out names
    // how many of that kind.
    void clientLogLimitKeepsBudgetPerKind()
    {
        ClientLogLimit limit;
        const auto start = ClientLogLimit::Clock::now();
        int admitted = 0;
        for (int index = 0; index < 25; ++index)
            admitted += limit.admit(ClientLogKind::InvalidMessage, "junk", start) ? 1 : 0;
        QCOMPARE(admitted, 20);
        QCOMPARE(limit.admit(ClientLogKind::AccessRejected, "rejected", start),
                 std::optional<std::string>("rejected"));

        const auto minuteLater = start + std::chrono::seconds(61);
        QCOMPARE(limit.admit(ClientLogKind::InvalidMessage, "junk", minuteLater),
                 std::optional<std::string>("junk (5 invalid message lines left out before it)"));
        QCOMPARE(limit.admit(ClientLogKind::InvalidMessage, "junk", minuteLater),
                 std::optional<std::string>("junk"));
        QCOMPARE(limit.admit(ClientLogKind::AccessRejected, "rejected", minuteLater),
                 std::optional<std::string>("rejected"));
    }
};

QTEST_GUILESS_MAIN(ServerTest)
#include "tst_server.moc"

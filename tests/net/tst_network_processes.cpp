// The server and its terminals as separate processes on loopback: `bourse-engine serve` and
// several net_peer processes, each a net::Client without a screen. Every peer's picture of the
// market (book levels of its instrument, its account's position and cash) must equal the
// server's own state at the same engine event, rebuilt from the server's journal after it
// stopped. So nothing a peer shows can be silently wrong, whatever happened on the way: a late
// join, a server killed and restarted, a subscriber too slow for the publisher.

#include "curve_keys.h"
#include "curve_socket.h"
#include "engine.h"
#include "journal.h"
#include "net_test_support.h"
#include "protocol.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <map>
#include <memory>
#include <optional>

using namespace bourse;
using namespace bourse::net;
using namespace bourse::nettest;

namespace {

constexpr int kTimeoutMs = 30'000;

// The folder of one served market: the server's key pair, the keys of three terminals (alice
// trades account 1, bob account 2, carol only views) and of a stranger the access list does not
// name, and the configuration.
struct Desk {
    QTemporaryDir folder;

    explicit Desk(const std::string &market)
    {
        for (const char *name : {"server", "alice", "bob", "carol", "stranger"})
            writeKeyPairFiles(newKeyPair(), path(name).toStdString());
        writeFile(path("desk.access"), "trader " + publicKey("alice") + " accounts 1 # alice\n" +
                                           "trader " + publicKey("bob") + " accounts 2 # bob\n" +
                                           "viewer " + publicKey("carol") + " # carol\n");
        writeFile(path("quiet.scenario"), kQuietScenario);
        writeConfig(market, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", "tcp://127.0.0.1:*");
    }

    QString path(const QString &name) const { return folder.path() + "/" + name; }
    std::string publicKey(const QString &name) const
    {
        return *readPublicKeyFile(path(name + ".pub").toStdString()).publicKey;
    }
    // Writes serve.conf for `market`, the text after the "market" keyword and any lines after it.
    void writeConfig(const std::string &market, const QString &orderEntry, const QString &publish,
                     const QString &snapshot) const
    {
        ServeConfig config;
        config.orderEntry = orderEntry.toStdString();
        config.publish = publish.toStdString();
        config.snapshot = snapshot.toStdString();
        config.market = market;
        config.extraLines = "journal market.journal\n";
        writeFile(path("serve.conf"), config.text());
    }
};

// A running `bourse-engine serve`, with the endpoints it bound.
struct Server {
    std::unique_ptr<QProcess> process = std::make_unique<QProcess>();
    QString orderEntry;
    QString publish;
    QString snapshot;
    QString log;

    explicit Server(const Desk &desk)
    {
        process->start(BOURSE_ENGINE_EXECUTABLE, {"serve", "--config", desk.path("serve.conf")});
        if (!process->waitForStarted(kTimeoutMs))
            qFatal("bourse-engine serve did not start");
        const QRegularExpression serving("serving: order entry (tcp://[0-9.:]+), publications "
                                         "(tcp://[0-9.:]+), snapshots (tcp://[0-9.:]+)");
        const QRegularExpressionMatch match = waitForOutput(*process, serving, log, kTimeoutMs);
        orderEntry = match.captured(1);
        publish = match.captured(2);
        snapshot = match.captured(3);
        if (orderEntry.isEmpty())
            qFatal("bourse-engine serve did not report its endpoints: %s", qPrintable(log));
    }

    // SIGTERM, and the exit status of the clean stop.
    int stop()
    {
        process->terminate();
        if (!process->waitForFinished(kTimeoutMs))
            qFatal("bourse-engine serve did not stop on SIGTERM");
        log += QString::fromUtf8(process->readAllStandardOutput());
        return process->exitStatus() == QProcess::NormalExit ? process->exitCode() : -1;
    }

    void kill()
    {
        process->kill();
        process->waitForFinished(kTimeoutMs);
    }
};

struct PeerPlan {
    QString key;
    int account = 0; // zero: views only
    int orders = 0;
    QString side = "buy";
    int runMs = 2000;
    int stallMs = 0;
    int receiveHighWaterMark = 100'000;
    int receiveBufferBytes = 0; // the system's default
    int instrument = 1;
    int settleMs = 20'000;
    int heartbeatMs = 200;
};

std::unique_ptr<QProcess> startPeer(const Desk &desk, const Server &server, const PeerPlan &plan)
{
    auto process = std::make_unique<QProcess>();
    process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process->start(NET_PEER_EXECUTABLE, {"--order-entry",
                                         server.orderEntry,
                                         "--publish",
                                         server.publish,
                                         "--snapshot",
                                         server.snapshot,
                                         "--server-key",
                                         desk.path("server.pub"),
                                         "--keys",
                                         desk.path(plan.key),
                                         "--instrument",
                                         QString::number(plan.instrument),
                                         "--account",
                                         QString::number(plan.account),
                                         "--orders",
                                         QString::number(plan.orders),
                                         "--side",
                                         plan.side,
                                         "--price",
                                         "10000",
                                         "--quantity",
                                         "10",
                                         "--order-every-ms",
                                         "25",
                                         "--run-ms",
                                         QString::number(plan.runMs),
                                         "--stall-ms",
                                         QString::number(plan.stallMs),
                                         "--receive-hwm",
                                         QString::number(plan.receiveHighWaterMark),
                                         "--receive-buffer",
                                         QString::number(plan.receiveBufferBytes),
                                         "--settle-ms",
                                         QString::number(plan.settleMs),
                                         "--heartbeat-ms",
                                         QString::number(plan.heartbeatMs),
                                         "--out",
                                         desk.path(plan.key + ".json")});
    if (!process->waitForStarted(kTimeoutMs))
        qFatal("net_peer did not start");
    return process;
}

// Waits for a peer and returns its report.
QJsonObject finish(const Desk &desk, QProcess &peer, const QString &key)
{
    if (!peer.waitForFinished(60'000))
        qFatal("net_peer %s did not finish", qPrintable(key));
    QFile file(desk.path(key + ".json"));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("net_peer %s wrote no report", qPrintable(key));
    return QJsonDocument::fromJson(file.readAll()).object();
}

// The server's engine as it was after event `sequence`, restored from its journal.
std::unique_ptr<Engine> engineAt(const Desk &desk, SequenceNumber sequence)
{
    auto engine = std::make_unique<Engine>();
    storage::JournalReader::Opened opened =
        storage::JournalReader::open(desk.path("market.journal").toStdString());
    if (!opened.reader)
        qFatal("the journal does not open");
    while (engine->lastSequence() < sequence) {
        const std::optional<Event> event = opened.reader->next();
        if (!event)
            qFatal("the journal ends before event %llu", (unsigned long long)sequence);
        if (engine->restore(*event) != RestoreResult::Restored)
            qFatal("event %llu of the journal does not restore",
                   (unsigned long long)event->sequence);
    }
    return engine;
}

QJsonArray levelsOf(const Engine &engine, InstrumentId instrument, Side side)
{
    QJsonArray rows;
    const OrderBook *book = engine.book(instrument);
    for (std::size_t depth = 0; depth < book->levelCount(side); ++depth) {
        const LevelSummary level = book->level(side, depth);
        rows.append(QJsonArray{qint64(level.price.value()), qint64(level.quantity.value()),
                               qint64(level.orderCount)});
    }
    return rows;
}

// The peer's book equals the server's at the event its picture is exact at.
void checkBook(const Desk &desk, const QJsonObject &report)
{
    const QJsonObject instrument = report["instrument"].toObject();
    QVERIFY2(!instrument["stale"].toBool(), "the peer's book is still marked stale");
    const auto sequence = SequenceNumber(instrument["eventSequence"].toInteger());
    QVERIFY(sequence > 0);
    const auto engine = engineAt(desk, sequence);
    const InstrumentId id{std::uint32_t(instrument["id"].toInteger())};
    QCOMPARE(instrument["bids"].toArray(), levelsOf(*engine, id, Side::Buy));
    QCOMPARE(instrument["asks"].toArray(), levelsOf(*engine, id, Side::Sell));
}

// The peer's position and cash equal the server's portfolio at the event its picture is exact
// at.
void checkAccount(const Desk &desk, const QJsonObject &report)
{
    const QJsonObject account = report["account"].toObject();
    QVERIFY2(!account["stale"].toBool(), "the peer's account is still marked stale");
    const auto engine = engineAt(desk, SequenceNumber(account["eventSequence"].toInteger()));
    const AccountId id{std::uint32_t(account["id"].toInteger())};
    QCOMPARE(account["cash"].toInteger(), engine->portfolio().account(id)->balance.value());
    const Position *position = engine->portfolio().position(id, InstrumentId{1});
    const qint64 quantity = position ? position->quantity.value() : 0;
    QCOMPARE(account["positions"].toObject()["1"].toInteger(), quantity);
}

// Every accepted order of `account` appears exactly once in the journal, under the order id and
// event the reply named, and the journal accepted no order of the account without a reply to
// the peer.
void checkExactlyOnce(const Desk &desk, const QJsonObject &report, AccountId account)
{
    std::map<std::uint64_t, std::pair<std::uint64_t, SequenceNumber>> journaled;
    storage::JournalReader::Opened opened =
        storage::JournalReader::open(desk.path("market.journal").toStdString());
    QVERIFY(opened.reader);
    while (const std::optional<Event> event = opened.reader->next()) {
        const auto *accepted = std::get_if<OrderAccepted>(&event->payload);
        if (!accepted || accepted->account != account)
            continue;
        const bool first = journaled
                               .emplace(accepted->clientOrderId.value(),
                                        std::pair{accepted->id.value(), event->sequence})
                               .second;
        QVERIFY2(first, "a client order id was accepted twice");
    }
    const QJsonArray replies = report["accepted"].toArray();
    QCOMPARE(qsizetype(journaled.size()), replies.size());
    for (const QJsonValue &value : replies) {
        const QJsonObject reply = value.toObject();
        const auto found = journaled.find(std::uint64_t(reply["clientOrderId"].toInteger()));
        QVERIFY(found != journaled.end());
        QCOMPARE(qint64(found->second.first), reply["orderId"].toInteger());
        QCOMPARE(qint64(found->second.second), reply["eventSequence"].toInteger());
    }
}

qint64 counter(const QJsonObject &report, const char *name)
{
    return report["counters"].toObject()[name].toInteger();
}

} // namespace

class NetworkProcessesTest : public QObject {
    Q_OBJECT

private slots:
    // Alice buys 20 orders of 10 at 100.00 while bob sells as many at the same price, so every
    // order trades in the end: alice +200, bob -200, an empty book. Carol joins after they
    // finished and shows that book.
    void threeTerminalsAgreeWithServer()
    {
        Desk desk("scenario quiet.scenario");
        Server server(desk);
        auto alice = startPeer(desk, server, {"alice", 1, 20, "buy"});
        auto bob = startPeer(desk, server, {"bob", 2, 20, "sell"});
        const QJsonObject aliceReport = finish(desk, *alice, "alice");
        const QJsonObject bobReport = finish(desk, *bob, "bob");
        auto carol = startPeer(desk, server, {"carol", 0, 0, "buy", 500});
        const QJsonObject carolReport = finish(desk, *carol, "carol");
        QCOMPARE(server.stop(), 0);

        for (const QJsonObject &report : {aliceReport, bobReport, carolReport}) {
            QVERIFY2(report["settled"].toBool(), QJsonDocument(report).toJson().constData());
            QCOMPARE(counter(report, "mismatches"), 0);
            checkBook(desk, report);
        }
        QCOMPARE(aliceReport["accepted"].toArray().size(), 20);
        QCOMPARE(bobReport["accepted"].toArray().size(), 20);
        QCOMPARE(aliceReport["account"].toObject()["positions"].toObject()["1"].toInteger(), 200);
        QCOMPARE(bobReport["account"].toObject()["positions"].toObject()["1"].toInteger(), -200);
        QVERIFY(carolReport["instrument"].toObject()["bids"].toArray().isEmpty());
        QVERIFY(carolReport["instrument"].toObject()["asks"].toArray().isEmpty());
        checkAccount(desk, aliceReport);
        checkAccount(desk, bobReport);
        checkExactlyOnce(desk, aliceReport, AccountId{1});
        checkExactlyOnce(desk, bobReport, AccountId{2});
    }

    // The server dies without warning while orders flow and comes back on the same endpoints
    // with its journal. Every order gets one reply, none is entered twice, and the pictures
    // match the journal.
    void killedServerRestartsWithoutLoss()
    {
        Desk desk("scenario quiet.scenario");
        auto server = std::make_unique<Server>(desk);
        auto alice = startPeer(desk, *server, {"alice", 1, 40, "buy", 2500});
        auto bob = startPeer(desk, *server, {"bob", 2, 40, "sell", 2500});
        QTest::qWait(500);
        server->kill();
        desk.writeConfig("scenario quiet.scenario", server->orderEntry, server->publish,
                         server->snapshot);
        const Server restarted(desk);
        server = nullptr;
        const QJsonObject aliceReport = finish(desk, *alice, "alice");
        const QJsonObject bobReport = finish(desk, *bob, "bob");
        QCOMPARE(const_cast<Server &>(restarted).stop(), 0);

        for (const QJsonObject &report : {aliceReport, bobReport}) {
            QVERIFY2(report["settled"].toBool(), QJsonDocument(report).toJson().constData());
            QVERIFY(counter(report, "instanceChanges") >= 1);
            QCOMPARE(counter(report, "mismatches"), 0);
            QCOMPARE(report["accepted"].toArray().size(), 40);
            checkBook(desk, report);
            checkAccount(desk, report);
        }
        checkExactlyOnce(desk, aliceReport, AccountId{1});
        checkExactlyOnce(desk, bobReport, AccountId{2});
        QCOMPARE(aliceReport["account"].toObject()["positions"].toObject()["1"].toInteger(), 400);
    }

    // A viewer whose thread stalls for 3 s while the simulated market publishes overflows the
    // high-water marks, so messages are dropped for it. Its heartbeat interval is long enough
    // that the stall is no dead peer: the drops alone show, as gaps. It resynchronizes by
    // snapshot and ends with the server's book.
    void stalledSubscriberResynchronizes()
    {
        Desk desk("simulation seed 3\npublish-high-water-mark 4\npublish-send-buffer 4096");
        Server server(desk);
        PeerPlan plan{"carol"};
        plan.runMs = 5000;
        plan.stallMs = 3000;
        plan.receiveHighWaterMark = 4;
        // Packed batches of a pass are small: the kernel's default buffers of both ends would
        // take three seconds of them, and the high-water marks behind them would never apply.
        plan.receiveBufferBytes = 4096;
        plan.heartbeatMs = 2000;
        auto carol = startPeer(desk, server, plan);
        const QJsonObject report = finish(desk, *carol, "carol");
        QCOMPARE(server.stop(), 0);
        QVERIFY2(report["settled"].toBool(), QJsonDocument(report).toJson().constData());
        QCOMPARE(counter(report, "deadPeers"), 0);
        QVERIFY2(counter(report, "gaps") > 0, QJsonDocument(report).toJson().constData());
        QVERIFY(counter(report, "snapshotsApplied") >= 2);
        QCOMPARE(counter(report, "mismatches"), 0);
        checkBook(desk, report);
    }

    // Malformed and hostile messages from an admitted key each get an ErrorReply naming the
    // problem, and the same link then still trades.
    void hostileMessagesGetErrorReplies()
    {
        Desk desk("scenario quiet.scenario");
        Server server(desk);
        zmq::context_t context;
        zmq::socket_t dealer(context, zmq::socket_type::dealer);
        dealer.set(zmq::sockopt::linger, 0);
        makeCurveClient(dealer, *readKeyPair(desk.path("alice").toStdString()).pair,
                        desk.publicKey("server"));
        dealer.connect(server.orderEntry.toStdString());

        const auto roundTrip = [&dealer](std::vector<std::uint8_t> bytes) -> Message {
            dealer.send(zmq::buffer(bytes), zmq::send_flags::none);
            while (true) {
                const auto frame = receiveFrame(dealer, kTimeoutMs);
                if (!frame)
                    qFatal("timed out waiting for a reply from the server");
                Message message;
                if (decodeMessage({frame->data<std::uint8_t>(), frame->size()}, message))
                    qFatal("the server sent a message that does not decode");
                if (!std::holds_alternative<Heartbeat>(message.body))
                    return message;
            }
        };
        QVERIFY(std::holds_alternative<Welcome>(
            roundTrip(encodedMessage(Hello{kProtocolVersion, kProtocolVersion, 1000}, 1)).body));

        NewOrder order = limitOrder(1, Side::Buy, 9'000, 1);
        order.clientOrderId = ClientOrderId{7};
        std::vector<std::uint8_t> shortOrder = encodedMessage(order, 2);
        shortOrder.pop_back(); // one byte short of its payload size
        std::vector<std::uint8_t> unknownType = encodedMessage(order, 3);
        unknownType[1] = 99;
        std::vector<std::uint8_t> hugeCount = encodedMessage(MarketDataBatch{}, 4);
        hugeCount[20] = hugeCount[21] = hugeCount[22] = hugeCount[23] = 0xff;
        std::vector<std::uint8_t> futureVersion = encodedMessage(order, 5);
        futureVersion[0] = 9;
        const std::vector<std::pair<std::vector<std::uint8_t>, ProtocolError>> hostile = {
            {{0x01, 0x10, 0x00}, ProtocolError::Truncated},
            {shortOrder, ProtocolError::Truncated},
            {unknownType, ProtocolError::UnknownMessageType},
            {hugeCount, ProtocolError::CountTooLarge},
            {futureVersion, ProtocolError::UnsupportedVersion},
        };
        for (const auto &[bytes, code] : hostile) {
            const Message reply = roundTrip(bytes);
            const auto *error = std::get_if<ErrorReply>(&reply.body);
            QVERIFY(error);
            QCOMPARE(int(error->code), int(code));
        }

        const Message reply = roundTrip(encodedMessage(order, 6));
        QVERIFY(std::holds_alternative<CommandAccepted>(reply.body));
        QCOMPARE(server.stop(), 0);
    }

    // A key the access list does not name gets no Welcome and no data: the handshake fails.
    void unknownKeyGetsNothing()
    {
        Desk desk("scenario quiet.scenario");
        Server server(desk);
        auto stranger =
            startPeer(desk, server, {"stranger", 0, 0, "buy", 1000, 0, 100'000, 1, 1500});
        QProcess &peer = *stranger;
        QVERIFY(peer.waitForFinished(60'000)); // it cannot settle, so it gives up
        QCOMPARE(peer.exitCode(), 1);
        QFile file(desk.path("stranger.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject report = QJsonDocument::fromJson(file.readAll()).object();
        QCOMPARE(report["instanceId"].toString(), QString("0"));
        QVERIFY(report["instrument"].toObject()["stale"].toBool());
        QCOMPARE(counter(report, "eventsApplied"), 0);
        QCOMPARE(server.stop(), 0);
        QVERIFY2(server.log.contains("denied"), qPrintable(server.log));
    }
};

QTEST_GUILESS_MAIN(NetworkProcessesTest)
#include "tst_network_processes.moc"

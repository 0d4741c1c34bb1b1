// `bourse-engine serve` as a process: an order acknowledged before SIGTERM is in the journal
// after a clean exit, and each kind of failure to start has its own exit status.

#include "curve_keys.h"
#include "curve_socket.h"
#include "journal.h"
#include "net_test_support.h"
#include "protocol.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace bourse;
using namespace bourse::net;
using namespace bourse::nettest;

namespace {

constexpr int kTimeoutMs = 10'000;

std::optional<Message> receive(zmq::socket_t &socket)
{
    while (const auto frame = receiveFrame(socket, kTimeoutMs)) {
        Message message;
        if (decodeMessage({static_cast<const std::uint8_t *>(frame->data()), frame->size()},
                          message))
            return std::nullopt;
        if (!std::holds_alternative<Heartbeat>(message.body))
            return message;
    }
    return std::nullopt;
}

void send(zmq::socket_t &socket, Body body, std::uint64_t sequence)
{
    socket.send(zmq::buffer(encodedMessage(std::move(body), sequence)), zmq::send_flags::none);
}

// A folder with a server key pair, an access list with one trader of account 1, a scenario
// market of one instrument and a configuration that names them.
struct Setup {
    QTemporaryDir folder;
    CurveKeyPair serverKeys = newKeyPair();
    CurveKeyPair trader = newKeyPair();

    explicit Setup(const std::string &extraLines = "journal market.journal\n")
    {
        writeKeyPairFiles(serverKeys, path("server").toStdString());
        writeFile(path("desk.access"), "trader " + trader.publicKey + " accounts 1 # alice\n");
        writeFile(path("quiet.scenario"), kQuietScenario);
        ServeConfig config;
        config.heartbeatMs = 0;
        config.extraLines = extraLines;
        writeFile(path("serve.conf"), config.text());
    }
    QString path(const QString &name) const { return folder.path() + "/" + name; }
};

int exitStatusOf(const QStringList &arguments)
{
    QProcess process;
    process.start(BOURSE_ENGINE_EXECUTABLE, arguments);
    if (!process.waitForFinished(kTimeoutMs))
        qFatal("bourse-engine serve did not exit");
    return process.exitCode();
}

} // namespace

class ServerProcessTest : public QObject {
    Q_OBJECT

private slots:
    void acknowledgedOrderSurvivesSigterm()
    {
        Setup setup;
        QProcess process;
        process.start(BOURSE_ENGINE_EXECUTABLE, {"serve", "--config", setup.path("serve.conf")});
        QVERIFY(process.waitForStarted(kTimeoutMs));

        // The bound order-entry endpoint is in the log line that starts with 'serving:'.
        const QRegularExpression serving("serving: order entry (tcp://[0-9.:]+)");
        QString log;
        const QString endpoint = waitForOutput(process, serving, log, kTimeoutMs).captured(1);
        QVERIFY2(!endpoint.isEmpty(), qPrintable(log));

        zmq::context_t context;
        zmq::socket_t dealer(context, zmq::socket_type::dealer);
        dealer.set(zmq::sockopt::linger, 0);
        makeCurveClient(dealer, setup.trader, setup.serverKeys.publicKey);
        dealer.connect(endpoint.toStdString());
        send(dealer, Hello{kProtocolVersion, kProtocolVersion, 1000}, 1);
        const auto welcome = receive(dealer);
        QVERIFY(welcome && std::holds_alternative<Welcome>(welcome->body));

        NewOrder order = limitOrder(1, Side::Buy, 10'000, 3);
        order.clientOrderId = ClientOrderId{501};
        send(dealer, order, 2);
        const auto reply = receive(dealer);
        QVERIFY(reply);
        const auto *accepted = std::get_if<CommandAccepted>(&reply->body);
        QVERIFY(accepted);

        process.terminate(); // SIGTERM
        QVERIFY(process.waitForFinished(kTimeoutMs));
        log += QString::fromUtf8(process.readAllStandardOutput());
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 0);
        QVERIFY2(log.contains("stopped"), qPrintable(log));

        storage::JournalReader::Opened opened =
            storage::JournalReader::open(setup.path("market.journal").toStdString());
        QVERIFY(opened.reader);
        bool found = false;
        while (const std::optional<Event> event = opened.reader->next()) {
            const auto *payload = std::get_if<OrderAccepted>(&event->payload);
            if (payload && payload->clientOrderId == ClientOrderId{501}) {
                QCOMPARE(event->sequence, accepted->eventSequence);
                QCOMPARE(payload->id, accepted->id);
                found = true;
            }
        }
        QVERIFY(found);
    }

    void usageErrorExitsTwo() { QCOMPARE(exitStatusOf({"serve"}), 2); }

    void invalidConfigurationExitsThree()
    {
        Setup setup("colour blue\n");
        QCOMPARE(exitStatusOf({"serve", "--config", setup.path("serve.conf")}), 3);
    }

    void endpointInUseExitsFour()
    {
        zmq::context_t context;
        zmq::socket_t holder(context, zmq::socket_type::rep);
        holder.bind("tcp://127.0.0.1:*");
        const std::string busyEndpoint = holder.get(zmq::sockopt::last_endpoint);
        Setup setup("");
        writeFile(setup.path("serve.conf"), "order-entry " + busyEndpoint +
                                                "\nserver-key server\naccess-list desk.access\n"
                                                "market scenario quiet.scenario\n");
        QCOMPARE(exitStatusOf({"serve", "--config", setup.path("serve.conf")}), 4);
    }

    void journalInMissingFolderExitsFive()
    {
        Setup setup("journal missing/folder/market.journal\n");
        QCOMPARE(exitStatusOf({"serve", "--config", setup.path("serve.conf")}), 5);
    }
};

QTEST_GUILESS_MAIN(ServerProcessTest)
#include "tst_server_process.moc"

// Standby and failover of `bourse-engine serve` on a three-node NATS JetStream cluster on
// loopback, with a primary and a standby as real processes. A primary is killed under a client's
// steady order flow, and stopped past its lease and resumed. A standby waits while the primary
// renews, and rejects a journal ahead of the stream or diverged from it. A primary is cut off
// from NATS.

#include "client.h"
#include "curve_keys.h"
#include "event_record.h"
#include "journal.h"
#include "local_processes.h"
#include "nats_cluster.h"
#include "replication_support.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <signal.h>

#include <chrono>
#include <initializer_list>
#include <map>
#include <memory>
#include <set>

using namespace bourse;
using namespace std::chrono_literals;

namespace {

constexpr std::uint32_t kLeaseTimeoutMs = 1000;
constexpr InstrumentId kBlue{1}; // the agent market's first instrument
constexpr AccountId kTrader{1};

// A serve process and everything it printed so far.
struct ServeProcess {
    std::unique_ptr<QProcess> process = std::make_unique<QProcess>();
    QByteArray output;

    // Waits until the output contains `text`. Returns whether it appeared in time.
    bool waitFor(const QByteArray &text, int timeoutMs)
    {
        QElapsedTimer timer;
        timer.start();
        while (!output.contains(text) && timer.elapsed() < timeoutMs) {
            process->waitForReadyRead(50);
            output += process->readAll();
        }
        return output.contains(text);
    }
    void readAll() { output += process->readAll(); }
};

// What the client saw: the accepted orders by client order id, and when the first acceptance
// after the kill came.
class OrderRecorder final : public net::ClientListener {
public:
    void onCommandAccepted(const net::CommandAccepted &accepted) override
    {
        accepted_.insert(accepted.clientOrderId.value());
        if (killed_ && !firstAfterKill_)
            firstAfterKill_ = std::chrono::steady_clock::now();
    }
    void onCommandRejected(const net::CommandRejected &rejected) override
    {
        rejected_.insert(rejected.clientOrderId.value());
        ++rejectionReasons_[std::string(nameOf(rejected.reason))];
    }

    std::set<std::uint64_t> accepted_;
    std::set<std::uint64_t> rejected_;
    std::map<std::string, int> rejectionReasons_;
    bool killed_ = false;
    std::optional<std::chrono::steady_clock::time_point> firstAfterKill_;
};

// The standby's journal as the test reads it: per client order id of the trader, the
// OrderAccepted events and the quantity the order traded.
struct JournalOrders {
    std::map<std::uint64_t, int> acceptances;
    std::map<std::uint64_t, std::int64_t> tradedByClientId;
    std::map<std::uint64_t, std::int64_t> quantityByClientId;
    QString error;
};

std::vector<std::uint8_t> recordOf(const Event &event)
{
    std::vector<std::uint8_t> record(eventRecordSize(event));
    writeEventRecord(event, record.data());
    return record;
}

// The record of every event of a journal, by sequence number.
std::map<SequenceNumber, std::vector<std::uint8_t>> readJournalRecords(const std::string &path,
                                                                       QString &error)
{
    std::map<SequenceNumber, std::vector<std::uint8_t>> records;
    storage::JournalReader::Opened opened = storage::JournalReader::open(path);
    if (!opened.reader) {
        error = QString::fromStdString(opened.error->toString());
        return records;
    }
    while (std::optional<Event> event = opened.reader->next())
        records[event->sequence] = recordOf(*event);
    if (opened.reader->error())
        error = QString::fromStdString(opened.reader->error()->toString());
    return records;
}

JournalOrders readJournalOrders(const std::string &path)
{
    JournalOrders orders;
    storage::JournalReader::Opened opened = storage::JournalReader::open(path);
    if (!opened.reader) {
        orders.error = QString::fromStdString(opened.error->toString());
        return orders;
    }
    std::map<std::uint64_t, std::uint64_t> clientIdOfOrder;
    while (std::optional<Event> event = opened.reader->next()) {
        if (const auto *accepted = std::get_if<OrderAccepted>(&event->payload)) {
            if (accepted->account != kTrader)
                continue;
            ++orders.acceptances[accepted->clientOrderId.value()];
            clientIdOfOrder[accepted->id.value()] = accepted->clientOrderId.value();
            orders.quantityByClientId[accepted->clientOrderId.value()] = accepted->quantity.value();
        } else if (const auto *trade = std::get_if<Trade>(&event->payload)) {
            for (const OrderId side : {trade->maker, trade->taker}) {
                const auto found = clientIdOfOrder.find(side.value());
                if (found != clientIdOfOrder.end())
                    orders.tradedByClientId[found->second] += trade->quantity.value();
            }
        }
    }
    if (opened.reader->error())
        orders.error = QString::fromStdString(opened.reader->error()->toString());
    return orders;
}

} // namespace

class FailoverTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void primaryKillKeepsAcknowledgedOrders();
    void primaryKillDuringStreamStall();
    void pausedPrimaryResumedAtTakeover();
    void rivalPrimariesStartedTogetherOneServes();
    void deposedPrimaryStopsPublishing();
    void standbyWaitsWhilePrimaryRenews();
    void standbyRejectsJournalAheadOfStream();
    void standbyRejectsDivergedJournal();
    void primaryStepsDownWithoutNats();

private:
    enum class PrimaryFault : std::uint8_t {
        Killed,            // SIGKILL while the stream runs
        KilledDuringStall, // SIGKILL while two of the three NATS nodes are paused
        Paused,            // SIGSTOP, and SIGCONT as the standby takes over
    };
    void runPrimaryFault(const QString &stream, PrimaryFault fault);

    struct Endpoints {
        QString orderEntry, publish, snapshot;
    };
    Endpoints freeEndpoints();
    QString writeConfig(const QString &name, const QString &role, const QString &stream,
                        const Endpoints &endpoints, const QString &engineName = {});
    QString writeUnleasedConfig(const QString &name, const QString &journal, const QString &stream);
    bool startServe(ServeProcess &serve, const QString &config);
    void serveFor(const QString &config, int milliseconds);
    void stopRunning(std::initializer_list<ServeProcess *> serves);
    void copyJournal(const QString &from, const QString &to);
    std::string path(const QString &name) const { return m_folder.filePath(name).toStdString(); }

    QTemporaryDir m_folder;
    std::unique_ptr<test::NatsCluster> m_cluster;
    // With PrimaryFault::Paused: how long after the pause the primary resumes, and how many
    // rounds ended with the standby serving.
    std::chrono::milliseconds m_resumeDelay{0};
    int m_takeovers = 0;
    QString m_serverKey; // Z85
};

void FailoverTest::initTestCase()
{
    if (test::NatsCluster::serverExecutable().isEmpty())
        QSKIP("nats-server is not installed (Debian package nats-server); skipping the "
              "failover tests");
    QVERIFY(m_folder.isValid());
    m_cluster = std::make_unique<test::NatsCluster>();
    QString error;
    QVERIFY2(m_cluster->start(error), qPrintable(error));

    QVERIFY2(!test::writeServeKeys(QStringLiteral(BOURSE_ENGINE_EXECUTABLE), m_folder.path(), error)
                  .isEmpty(),
             qPrintable(error));
    const net::KeyPairResult server = net::readKeyPair(path(QStringLiteral("server")));
    QVERIFY(server.ok());
    m_serverKey = QString::fromStdString(server.pair->publicKey);
}

FailoverTest::Endpoints FailoverTest::freeEndpoints()
{
    const std::vector<int> ports = cluster::freeLoopbackPorts(3);
    if (ports.size() != 3)
        return {};
    const auto endpoint = [](int port) { return QStringLiteral("tcp://127.0.0.1:%1").arg(port); };
    return {endpoint(ports[0]), endpoint(ports[1]), endpoint(ports[2])};
}

// The primary and the standby share the key, the access list, the market and the stream; each
// has its own journal and endpoints. Short heartbeats and lease keep the tests quick.
QString FailoverTest::writeConfig(const QString &name, const QString &role, const QString &stream,
                                  const Endpoints &endpoints, const QString &engineName)
{
    const QString file = m_folder.filePath(name + QStringLiteral(".conf"));
    QFile config(file);
    if (!config.open(QIODevice::WriteOnly))
        return {};
    config.write(QStringLiteral("order-entry %1\npublish %2\nsnapshot %3\n"
                                "server-key server\naccess-list serve.access\n"
                                "journal %4.journal\nmarket simulation seed 3\nheartbeat-ms 200\n"
                                "replicate %5\nreplicate-stream %6\n"
                                "role %7\nengine-name %8\nlease-timeout-ms %9\n")
                     .arg(endpoints.orderEntry, endpoints.publish, endpoints.snapshot, name,
                          m_cluster->urls(), stream, role, engineName.isEmpty() ? name : engineName)
                     .arg(kLeaseTimeoutMs)
                     .toUtf8());
    return file;
}

// A serve without a lease on the journal `journal`.journal, replicating to `stream`, or to
// nothing when `stream` is empty.
QString FailoverTest::writeUnleasedConfig(const QString &name, const QString &journal,
                                          const QString &stream)
{
    const Endpoints endpoints = freeEndpoints();
    const QString file = m_folder.filePath(name + QStringLiteral(".conf"));
    QFile config(file);
    if (endpoints.orderEntry.isEmpty() || !config.open(QIODevice::WriteOnly))
        return {};
    QString text = QStringLiteral("order-entry %1\npublish %2\nsnapshot %3\n"
                                  "server-key server\naccess-list serve.access\n"
                                  "journal %4.journal\nmarket simulation seed 3\n")
                       .arg(endpoints.orderEntry, endpoints.publish, endpoints.snapshot, journal);
    if (!stream.isEmpty())
        text +=
            QStringLiteral("replicate %1\nreplicate-stream %2\n").arg(m_cluster->urls(), stream);
    config.write(text.toUtf8());
    return file;
}

// Serves a while, then stops cleanly, which leaves a replicated stream complete.
void FailoverTest::serveFor(const QString &config, int milliseconds)
{
    ServeProcess serve;
    QVERIFY(startServe(serve, config));
    QVERIFY2(serve.waitFor("serving: order entry", 15'000), serve.output.constData());
    QTest::qWait(milliseconds);
    serve.process->terminate();
    QVERIFY(serve.process->waitForFinished(20'000));
    serve.readAll();
    QVERIFY2(serve.process->exitCode() == 0, serve.output.constData());
}

// Stops each serve that still runs, which must then exit cleanly.
void FailoverTest::stopRunning(std::initializer_list<ServeProcess *> serves)
{
    for (ServeProcess *serve : serves) {
        if (serve->process->state() == QProcess::NotRunning)
            continue;
        serve->process->terminate();
        QVERIFY(serve->process->waitForFinished(20'000));
        serve->readAll();
        QVERIFY2(serve->process->exitCode() == 0, serve->output.constData());
    }
}

void FailoverTest::copyJournal(const QString &from, const QString &to)
{
    const QString source = m_folder.filePath(from + QStringLiteral(".journal"));
    QVERIFY(QFile::exists(source));
    QVERIFY(QFile::copy(source, m_folder.filePath(to + QStringLiteral(".journal"))));
}

bool FailoverTest::startServe(ServeProcess &serve, const QString &config)
{
    serve.process->setProcessChannelMode(QProcess::MergedChannels);
    serve.process->start(QStringLiteral(BOURSE_ENGINE_EXECUTABLE),
                         {QStringLiteral("serve"), QStringLiteral("--config"), config});
    return serve.process->waitForStarted(5000);
}

// A client sends an order every 20 ms; the primary is killed after 2 s, and the client goes on
// through the standby by itself. Every accepted order is then in the standby's journal once,
// and no order traded more than its quantity.
void FailoverTest::primaryKillKeepsAcknowledgedOrders()
{
    runPrimaryFault(QStringLiteral("KILL"), PrimaryFault::Killed);
}

// Two of the three NATS nodes pause for 2 s, so the stream acknowledges nothing, and the primary
// is killed 1 s into the pause. The orders it journaled then are in no stream: a primary that
// acknowledged them on the journal's commit alone would lose them here.
void FailoverTest::primaryKillDuringStreamStall()
{
    runPrimaryFault(QStringLiteral("STALL"), PrimaryFault::KilledDuringStall);
}

// The primary is paused under the client's order flow and resumed about when the standby's
// takeover begins, so that what it had in flight reaches the stream after the standby's fence.
// A primary resumed before the takeover serves on; otherwise it stops with exit status 6 and the
// standby serves. Either way every accepted order is in the serving engine's journal once. Five
// rounds resume it at different points of the takeover, and at least one ends with a takeover.
void FailoverTest::pausedPrimaryResumedAtTakeover()
{
    m_takeovers = 0;
    for (std::uint32_t round = 0; round < 5; ++round) {
        m_resumeDelay = std::chrono::milliseconds(kLeaseTimeoutMs + 150 * round);
        runPrimaryFault(QStringLiteral("PAUSE%1").arg(round), PrimaryFault::Paused);
        if (QTest::currentTestFailed())
            return;
    }
    QVERIFY2(m_takeovers > 0, "the standby took over in none of the five rounds");
}

void FailoverTest::runPrimaryFault(const QString &stream, PrimaryFault fault)
{
    const Endpoints primaryEndpoints = freeEndpoints();
    const Endpoints standbyEndpoints = freeEndpoints();
    QVERIFY(!primaryEndpoints.orderEntry.isEmpty() && !standbyEndpoints.orderEntry.isEmpty());
    ServeProcess primary;
    ServeProcess standby;
    QVERIFY(startServe(primary, writeConfig(stream.toLower() + QStringLiteral("-a"),
                                            QStringLiteral("primary"), stream, primaryEndpoints)));
    QVERIFY2(primary.waitFor("serving: order entry", 15'000), primary.output.constData());
    QVERIFY(startServe(standby, writeConfig(stream.toLower() + QStringLiteral("-b"),
                                            QStringLiteral("standby"), stream, standbyEndpoints)));
    QVERIFY2(standby.waitFor("standby of the stream " + stream.toUtf8(), 15'000),
             standby.output.constData());

    net::ClientOptions options;
    options.orderEntryEndpoint = primaryEndpoints.orderEntry.toStdString();
    options.publishEndpoint = primaryEndpoints.publish.toStdString();
    options.snapshotEndpoint = primaryEndpoints.snapshot.toStdString();
    options.standbyEndpoints.push_back({standbyEndpoints.orderEntry.toStdString(),
                                        standbyEndpoints.publish.toStdString(),
                                        standbyEndpoints.snapshot.toStdString()});
    options.serverPublicKey = m_serverKey.toStdString();
    options.keys = *net::readKeyPair(path(QStringLiteral("trader"))).pair;
    options.heartbeatInterval = 200ms;
    options.instruments = {kBlue};
    options.accounts = {kTrader};
    options.reconnectDelayMaximum = 500ms;
    net::Client client(options);
    OrderRecorder recorder;
    client.setListener(&recorder);
    // The trader's execution reports from the primary: fills, order states and risk events.
    std::map<SequenceNumber, std::vector<std::uint8_t>> reported;
    client.setStreamEventListener([&](net::StreamKey key, std::span<const Event> events) {
        if (recorder.killed_ || key != net::StreamKey{net::StreamKind::Account, kTrader.value()})
            return;
        for (const Event &event : events)
            reported[event.sequence] = recordOf(event);
    });

    using Clock = std::chrono::steady_clock;
    const Clock::time_point start = Clock::now();
    Clock::time_point nextOrder = start;
    Clock::time_point killedAt{};
    std::optional<Clock::time_point> stalledAt;
    bool resumed = false;
    bool primaryResumed = false;
    std::uint64_t sent = 0;
    const bool stalls = fault == PrimaryFault::KilledDuringStall;
    while (Clock::now() - start < 30s) {
        client.poll(5ms);
        const Clock::time_point now = Clock::now();
        if (stalls && !stalledAt && now - start >= 1s && !recorder.accepted_.empty()) {
            m_cluster->pause(1);
            m_cluster->pause(2);
            stalledAt = now;
        }
        const bool killNow = stalls ? stalledAt && now - *stalledAt >= 1s
                                    : now - start >= 2s && !recorder.accepted_.empty();
        if (!recorder.killed_ && killNow) {
            if (fault == PrimaryFault::Paused) {
                QCOMPARE(::kill(static_cast<pid_t>(primary.process->processId()), SIGSTOP), 0);
            } else {
                primary.process->kill();
                primary.process->waitForFinished(5000);
            }
            killedAt = Clock::now();
            recorder.killed_ = true;
        }
        if (fault == PrimaryFault::Paused && recorder.killed_ && !primaryResumed &&
            now - killedAt >= m_resumeDelay) {
            QCOMPARE(::kill(static_cast<pid_t>(primary.process->processId()), SIGCONT), 0);
            primaryResumed = true;
        }
        if (stalledAt && now - *stalledAt >= 2s && !resumed) {
            m_cluster->resume(1);
            m_cluster->resume(2);
            resumed = true;
        }
        const bool done = recorder.killed_ && now - killedAt >= 3s && recorder.firstAfterKill_;
        if (done)
            break;
        if (now >= nextOrder) {
            NewOrder order;
            order.side = sent % 2 == 0 ? Side::Buy : Side::Sell;
            order.type = OrderType::Market;
            order.timeInForce = TimeInForce::Ioc;
            order.quantity = Quantity{1};
            order.instrument = kBlue;
            order.account = kTrader;
            client.submit(order);
            ++sent;
            nextOrder = now + 20ms;
        }
    }
    if (stalledAt && !resumed) {
        m_cluster->resume(1);
        m_cluster->resume(2);
    }
    QVERIFY2(recorder.killed_, "no order was accepted within 2 s of the start");
    // A primary resumed before the standby took the lease renews it and serves on; otherwise it
    // finds the lease or the stream taken and stops.
    bool primaryServes = false;
    if (fault == PrimaryFault::Paused) {
        if (!primaryResumed)
            ::kill(static_cast<pid_t>(primary.process->processId()), SIGCONT);
        primaryServes = !primary.process->waitForFinished(2 * static_cast<int>(kLeaseTimeoutMs));
        primary.readAll();
        if (!primaryServes) {
            QVERIFY2(primary.process->exitCode() == 6, primary.output.constData());
            ++m_takeovers;
        }
        standby.readAll();
        qInfo("resumed %lld ms after the pause: %s; %lld messages skipped by the standby",
              static_cast<long long>(m_resumeDelay.count()),
              primaryServes ? "the primary serves on" : "the standby took over",
              static_cast<long long>(standby.output.count("skipped: ")));
    }
    standby.readAll();
    QVERIFY2(recorder.firstAfterKill_, standby.output.constData());
    for (int wait = 0; wait < 400 && client.pendingCommandCount() > 0; ++wait)
        client.poll(25ms);
    QCOMPARE(client.pendingCommandCount(), std::size_t{0});
    QCOMPARE(client.endpointIndex(), std::size_t{primaryServes ? 0U : 1U});
    const double failoverSeconds =
        std::chrono::duration<double>(*recorder.firstAfterKill_ - killedAt).count();
    qInfo("sent %llu orders, %zu accepted, %zu rejected; failover %.2f s",
          static_cast<unsigned long long>(sent), recorder.accepted_.size(),
          recorder.rejected_.size(), failoverSeconds);
    for (const auto &[reason, count] : recorder.rejectionReasons_)
        qInfo("rejected %d orders as %s", count, reason.c_str());
    // A stalled stream delays the takeover until it runs again, so only a running one is timed.
    if (fault == PrimaryFault::Killed)
        QVERIFY2(failoverSeconds < 5.0, qPrintable(QString::number(failoverSeconds)));

    stopRunning({&standby, &primary});
    if (QTest::currentTestFailed())
        return;
    const QByteArray takeover = "took over the stream " + stream.toUtf8() + " under epoch 2 as " +
                                stream.toLower().toUtf8() + "-b";
    QVERIFY2(standby.output.contains(takeover) != primaryServes, standby.output.constData());
    const QString served = stream.toLower() + (primaryServes ? QStringLiteral("-a.journal")
                                                             : QStringLiteral("-b.journal"));
    // The stream reads as one chain under its reading rule, and that chain is the journal of
    // the engine that served last.
    QString streamError;
    auto replicated =
        test::connectToStream(m_cluster->servers(), stream.toStdString(), streamError);
    QVERIFY2(replicated, qPrintable(streamError));
    const std::vector<std::uint8_t> streamBytes = test::streamRecordBytes(*replicated, streamError);
    QVERIFY2(streamError.isEmpty(), qPrintable(streamError));
    QVERIFY(streamBytes == test::journalRecordBytes(path(served), streamError));

    const JournalOrders orders = readJournalOrders(path(served));
    QVERIFY2(orders.error.isEmpty(), qPrintable(orders.error));
    QVERIFY(recorder.accepted_.size() > 50);
    for (const std::uint64_t id : recorder.accepted_) {
        const auto found = orders.acceptances.find(id);
        QVERIFY2(found != orders.acceptances.end(),
                 qPrintable(QStringLiteral("accepted order %1 is missing").arg(id)));
        QVERIFY2(
            found->second == 1,
            qPrintable(QStringLiteral("order %1 accepted %2 times").arg(id).arg(found->second)));
    }
    for (const auto &[id, traded] : orders.tradedByClientId)
        QVERIFY2(traded <= orders.quantityByClientId.at(id),
                 qPrintable(QStringLiteral("order %1 traded %2").arg(id).arg(traded)));
    QVERIFY(!orders.tradedByClientId.empty());

    // Every execution report the client saw from the primary is in the journal of the engine
    // that served last, the same event at the same sequence number: no fill or order state was
    // undone.
    QString error;
    const std::map<SequenceNumber, std::vector<std::uint8_t>> journal =
        readJournalRecords(path(served), error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(reported.size() > 50);
    for (const auto &[sequence, record] : reported) {
        const auto found = journal.find(sequence);
        QVERIFY2(found != journal.end(),
                 qPrintable(QStringLiteral("reported event %1 is missing").arg(sequence)));
        QVERIFY2(found->second == record,
                 qPrintable(QStringLiteral("reported event %1 differs").arg(sequence)));
    }
}

// Two primaries started at the same moment on a new stream race for the lease's creation, which
// nats-server 2.9.10 does not always decide. In four of the eight rounds they even share an
// engine name. Whatever the lease records, exactly one of them serves and the other serves
// nothing, and the stream reads as the journal of the one that serves.
void FailoverTest::rivalPrimariesStartedTogetherOneServes()
{
    int bothWroteLease = 0;
    int bothFenced = 0;
    for (int round = 0; round < 8; ++round) {
        const QString stream = QStringLiteral("RIVAL%1").arg(round);
        const QString name = stream.toLower();
        const bool sameName = round >= 4;
        ServeProcess first;
        ServeProcess second;
        QVERIFY(
            startServe(first, writeConfig(name + QStringLiteral("-a"), QStringLiteral("primary"),
                                          stream, freeEndpoints(), sameName ? name : QString())));
        QVERIFY(
            startServe(second, writeConfig(name + QStringLiteral("-b"), QStringLiteral("primary"),
                                           stream, freeEndpoints(), sameName ? name : QString())));
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 15'000 && !first.output.contains("serving: order entry") &&
               !second.output.contains("serving: order entry")) {
            for (ServeProcess *serve : {&first, &second}) {
                serve->process->waitForReadyRead(10);
                serve->readAll();
            }
        }
        QTest::qWait(2 * static_cast<int>(kLeaseTimeoutMs));
        first.readAll();
        second.readAll();

        std::vector<ServeProcess *> serving;
        for (ServeProcess *serve : {&first, &second}) {
            if (!serve->output.contains("serving: order entry"))
                continue;
            QVERIFY2(serve->process->state() == QProcess::Running, serve->output.constData());
            serving.push_back(serve);
        }
        QVERIFY2(serving.size() == 1,
                 qPrintable(
                     QStringLiteral("round %1: %2 engines serve\n").arg(round).arg(serving.size()) +
                     QString::fromUtf8(first.output + "\n----\n" + second.output)));
        ServeProcess *other = serving.front() == &first ? &second : &first;
        if (other->process->state() == QProcess::NotRunning)
            QVERIFY2(other->process->exitCode() == 6, other->output.constData());
        bothWroteLease += other->output.contains("just after this engine took it") ? 1 : 0;
        bothFenced += other->output.contains("does not count") ? 1 : 0;

        const QString served = serving.front() == &first ? name + QStringLiteral("-a.journal")
                                                         : name + QStringLiteral("-b.journal");
        stopRunning({&first, &second});
        if (QTest::currentTestFailed())
            return;
        QString error;
        auto replicated = test::connectToStream(m_cluster->servers(), stream.toStdString(), error);
        QVERIFY2(replicated, qPrintable(error));
        QVERIFY(test::followWholeStream(*replicated, error) > 0);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(test::streamRecordBytes(*replicated, error) ==
                test::journalRecordBytes(path(served), error));
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }
    qInfo("of 8 rounds: %d where the lease's second reading caught a rival's write, %d where "
          "both fenced the stream",
          bothWroteLease, bothFenced);
}

// A primary stopped past its lease timeout, then resumed, finds the lease taken over: it stops
// with exit status 6 and publishes nothing more, so the stream stays one clean chain. Started
// again on its journal, which the stream has outgrown, it stops with exit status 7.
void FailoverTest::deposedPrimaryStopsPublishing()
{
    ServeProcess primary;
    ServeProcess standby;
    QVERIFY(startServe(primary, writeConfig(QStringLiteral("depose-a"), QStringLiteral("primary"),
                                            QStringLiteral("DEPOSE"), freeEndpoints())));
    QVERIFY2(primary.waitFor("serving: order entry", 15'000), primary.output.constData());
    QVERIFY(startServe(standby, writeConfig(QStringLiteral("depose-b"), QStringLiteral("standby"),
                                            QStringLiteral("DEPOSE"), freeEndpoints())));
    QVERIFY2(standby.waitFor("standby of the stream DEPOSE", 15'000), standby.output.constData());
    QTest::qWait(1000);

    const auto pid = static_cast<pid_t>(primary.process->processId());
    QCOMPARE(::kill(pid, SIGSTOP), 0);
    const bool tookOver = standby.waitFor("took over the stream DEPOSE under epoch 2", 15'000);
    QTest::qWait(500);
    QCOMPARE(::kill(pid, SIGCONT), 0);
    QElapsedTimer sinceResumed;
    sinceResumed.start();
    QVERIFY2(tookOver, standby.output.constData());

    QVERIFY(primary.process->waitForFinished(15'000));
    const qint64 exitMs = sinceResumed.elapsed();
    primary.readAll();
    // It finds the lease taken at its next renewal, a quarter of the timeout later at most, and
    // the exit then waits for no NATS request (see primaryStepsDownWithoutNats).
    qInfo("exited %lld ms after it resumed", exitMs);
    QVERIFY2(exitMs < 2 * static_cast<qint64>(kLeaseTimeoutMs),
             qPrintable(QStringLiteral("exited %1 ms after it resumed").arg(exitMs)));
    QVERIFY2(primary.process->exitCode() == 6, primary.output.constData());
    QVERIFY2(primary.output.contains("deposed: the lease of the stream DEPOSE is now held by "
                                     "depose-b under epoch 2"),
             primary.output.constData());

    // The new primary publishes on, so the stream must read as one chain to its end.
    QTest::qWait(1000);
    standby.process->terminate();
    QVERIFY(standby.process->waitForFinished(20'000));
    standby.readAll();
    QVERIFY2(standby.process->exitCode() == 0, standby.output.constData());
    QString error;
    auto stream = test::connectToStream(m_cluster->servers(), "DEPOSE", error);
    QVERIFY2(stream, qPrintable(error));
    const long long events = test::followWholeStream(*stream, error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const std::vector<std::uint8_t> journal =
        test::journalRecordBytes(path(QStringLiteral("depose-b.journal")), error);
    const std::vector<std::uint8_t> replicated = test::streamRecordBytes(*stream, error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(events > 0);
    QVERIFY(replicated == journal);

    // The deposed primary's journal lacks what the new primary published, so serving it again
    // as the primary stops at the replicator's resynchronization with exit status 7.
    ServeProcess restarted;
    QVERIFY(startServe(restarted, m_folder.filePath(QStringLiteral("depose-a.conf"))));
    QVERIFY(restarted.process->waitForFinished(20'000));
    restarted.readAll();
    QVERIFY2(restarted.process->exitCode() == 7, restarted.output.constData());
    QVERIFY2(restarted.output.contains("replication to the stream DEPOSE stopped for good"),
             restarted.output.constData());
}

// While the primary renews, the standby follows and never takes over, for three lease timeouts.
// A standby started again reads the stream from the position it saved.
void FailoverTest::standbyWaitsWhilePrimaryRenews()
{
    ServeProcess primary;
    ServeProcess standby;
    QVERIFY(startServe(primary, writeConfig(QStringLiteral("wait-a"), QStringLiteral("primary"),
                                            QStringLiteral("WAIT"), freeEndpoints())));
    QVERIFY2(primary.waitFor("serving: order entry", 15'000), primary.output.constData());
    QVERIFY(startServe(standby, writeConfig(QStringLiteral("wait-b"), QStringLiteral("standby"),
                                            QStringLiteral("WAIT"), freeEndpoints())));
    QVERIFY2(standby.waitFor("standby of the stream WAIT", 15'000), standby.output.constData());

    QTest::qWait(3 * static_cast<int>(kLeaseTimeoutMs));
    standby.readAll();
    QVERIFY2(!standby.output.contains("took over"), standby.output.constData());

    standby.process->terminate();
    QVERIFY(standby.process->waitForFinished(20'000));
    standby.readAll();
    QVERIFY2(standby.process->exitCode() == 0, standby.output.constData());
    QVERIFY2(standby.output.contains("stopped before serving"), standby.output.constData());

    // Started again, it reads the stream from the position it saved, not from message 1.
    ServeProcess again;
    QVERIFY(startServe(again, m_folder.filePath(QStringLiteral("wait-b.conf"))));
    QVERIFY2(again.waitFor("standby of the stream WAIT", 15'000), again.output.constData());
    QVERIFY2(again.waitFor("; taking over once", 1000), again.output.constData());
    QVERIFY2(!again.output.contains("reading the stream from message 1;"),
             again.output.constData());
    again.process->terminate();
    QVERIFY(again.process->waitForFinished(20'000));
    again.readAll();
    QVERIFY2(again.process->exitCode() == 0, again.output.constData());
    primary.process->terminate();
    QVERIFY(primary.process->waitForFinished(20'000));
    primary.readAll();
    QVERIFY2(primary.process->exitCode() == 0, primary.output.constData());
}

// A journal with events after the stream's last one, as a primary's journal that was served
// alone for a while, cannot be followed: the standby exits with status 5 and names the stream's
// last sequence and the journal's.
void FailoverTest::standbyRejectsJournalAheadOfStream()
{
    serveFor(writeUnleasedConfig(QStringLiteral("ahead-a"), QStringLiteral("ahead-a"),
                                 QStringLiteral("AHEAD")),
             1000);
    copyJournal(QStringLiteral("ahead-a"), QStringLiteral("ahead-b"));
    serveFor(writeUnleasedConfig(QStringLiteral("ahead-b-alone"), QStringLiteral("ahead-b"), {}),
             500);

    ServeProcess standby;
    QVERIFY(startServe(standby, writeConfig(QStringLiteral("ahead-b"), QStringLiteral("standby"),
                                            QStringLiteral("AHEAD"), freeEndpoints())));
    QVERIFY(standby.process->waitForFinished(20'000));
    standby.readAll();
    QVERIFY2(standby.process->exitCode() == 5, standby.output.constData());
    QVERIFY2(standby.output.contains("is not a copy of the stream AHEAD: the stream AHEAD ends "
                                     "at sequence "),
             standby.output.constData());
    QVERIFY2(standby.output.contains("were read before: the stream lost them or never received "
                                     "them"),
             standby.output.constData());
}

// A journal that shares the stream's first events and then has others cannot be followed. A
// deposed primary's journal is one. The standby exits with status 5 and names the stream, its
// message and the sequence whose chain hash differs.
void FailoverTest::standbyRejectsDivergedJournal()
{
    const QString primaryConfig = writeUnleasedConfig(
        QStringLiteral("diverge-a"), QStringLiteral("diverge-a"), QStringLiteral("DIVERGE"));
    serveFor(primaryConfig, 1000);
    copyJournal(QStringLiteral("diverge-a"), QStringLiteral("diverge-b"));
    // The copy gets a few events of its own, the stream many others after the shared ones.
    serveFor(
        writeUnleasedConfig(QStringLiteral("diverge-b-alone"), QStringLiteral("diverge-b"), {}),
        200);
    serveFor(primaryConfig, 2000);

    ServeProcess standby;
    QVERIFY(startServe(standby, writeConfig(QStringLiteral("diverge-b"), QStringLiteral("standby"),
                                            QStringLiteral("DIVERGE"), freeEndpoints())));
    QVERIFY(standby.process->waitForFinished(20'000));
    standby.readAll();
    QVERIFY2(standby.process->exitCode() == 5, standby.output.constData());
    QVERIFY2(
        standby.output.contains("is not a copy of the stream DIVERGE: stream DIVERGE message "),
        standby.output.constData());
    QVERIFY2(standby.output.contains(": chain broken: the chain hash at sequence "),
             standby.output.constData());
}

// With every NATS node paused, the primary cannot renew its lease: it decides to step down
// within a few lease timeouts, and exits with status 6. It runs last, because it pauses the whole
// cluster.
void FailoverTest::primaryStepsDownWithoutNats()
{
    ServeProcess primary;
    QVERIFY(startServe(primary, writeConfig(QStringLiteral("alone-a"), QStringLiteral("primary"),
                                            QStringLiteral("ALONE"), freeEndpoints())));
    QVERIFY2(primary.waitFor("serving: order entry", 15'000), primary.output.constData());
    // The replicator connects on its own thread after the start. A connect that the pause
    // catches is not cut short by the exit (see Replicator::connect), so it gets time first.
    QTest::qWait(1000);

    for (int node = 0; node < test::NatsCluster::kNodes; ++node)
        m_cluster->pause(node);
    const bool steppedDown = primary.waitFor("cannot renew the lease of the stream ALONE",
                                             5 * static_cast<int>(kLeaseTimeoutMs));
    // The exit closes the NATS connections, which ends the requests under way at once, so it
    // comes well within a lease timeout of the decision on an idle machine. The bound leaves
    // room for a loaded one, and stays below the replicator's 5 s request timeout that the exit
    // used to wait for.
    QElapsedTimer sinceDecision;
    sinceDecision.start();
    const bool stopped = primary.process->waitForFinished(60'000);
    const qint64 exitMs = sinceDecision.elapsed();
    for (int node = 0; node < test::NatsCluster::kNodes; ++node)
        m_cluster->resume(node);
    primary.readAll();
    QVERIFY2(steppedDown, primary.output.constData());
    QVERIFY2(stopped, primary.output.constData());
    QVERIFY2(primary.process->exitCode() == 6, primary.output.constData());
    qInfo("exited %lld ms after the decision to step down", exitMs);
    // A failure message is cut short, so the log goes out whole before the check.
    const qint64 boundMs = 2 * static_cast<qint64>(kLeaseTimeoutMs);
    if (exitMs >= boundMs)
        qInfo("the primary logged:\n%s", primary.output.constData());
    QVERIFY2(exitMs < boundMs,
             qPrintable(QStringLiteral("exited %1 ms after the decision").arg(exitMs)));
}

QTEST_GUILESS_MAIN(FailoverTest)
#include "tst_failover.moc"

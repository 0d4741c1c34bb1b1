// Journal replication while the NATS cluster loses a node: a node killed under load loses no
// event, and a node stopped and started again catches up with the stream.

#include "nats_cluster.h"
#include "replication_support.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <chrono>

using namespace bourse;
using namespace std::chrono_literals;

class ReplicationFaultsTest : public QObject {
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void killedLeaderLosesNothing();
    void restartedNodeCatchesUp();

private:
    int nodeNamed(const std::string &name) const
    {
        for (int node = 0; node < test::NatsCluster::kNodes; ++node) {
            if (m_cluster->name(node).toStdString() == name)
                return node;
        }
        return -1;
    }
    void checkStreamEqualsJournal(const std::string &streamName, const std::string &journal,
                                  SequenceNumber last);

    QTemporaryDir m_folder;
    std::unique_ptr<test::NatsCluster> m_cluster;
};

void ReplicationFaultsTest::init()
{
    if (test::NatsCluster::serverExecutable().isEmpty())
        QSKIP("nats-server is not installed (Debian package nats-server); skipping the "
              "replication tests");
    QVERIFY(m_folder.isValid());
    m_cluster = std::make_unique<test::NatsCluster>();
    QString error;
    QVERIFY2(m_cluster->start(error), qPrintable(error));
}

void ReplicationFaultsTest::cleanup()
{
    m_cluster.reset();
}

void ReplicationFaultsTest::checkStreamEqualsJournal(const std::string &streamName,
                                                     const std::string &journal,
                                                     SequenceNumber last)
{
    QString error;
    auto stream = test::connectToStream(m_cluster->servers(), streamName, error);
    QVERIFY2(stream, qPrintable(error));
    QCOMPARE(test::followWholeStream(*stream, error), static_cast<long long>(last));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const std::vector<std::uint8_t> expected = test::journalRecordBytes(journal, error);
    const std::vector<std::uint8_t> replicated = test::streamRecordBytes(*stream, error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(replicated.size(), expected.size());
    QVERIFY(replicated == expected);
}

namespace {

// Waits up to `timeoutMs` for `condition`, checking every 50 ms.
template <typename Condition>
bool waitFor(Condition condition, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!condition()) {
        if (timer.elapsed() > timeoutMs)
            return false;
        QThread::msleep(50);
    }
    return true;
}

} // namespace

// The stream's leader is killed with SIGKILL while events flow. The two other nodes elect a new
// leader, the replicator resynchronizes from the stream's last message, and every event arrives
// once.
void ReplicationFaultsTest::killedLeaderLosesNothing()
{
    const std::string journal = m_folder.filePath(QStringLiteral("kill.journal")).toStdString();
    test::JournaledMarket market(journal, 21);
    QVERIFY2(market.ok(), market.error().c_str());
    cluster::Replicator replicator(journal, test::replicatorOptions(m_cluster->servers(), "KILL"),
                                   {});
    market.attach(&replicator);
    market.produce(40'000);
    market.flush();
    QVERIFY(waitFor([&] { return replicator.acknowledgedSequence() > 0; }, 10'000));

    QString error;
    auto stream = test::connectToStream(m_cluster->servers(), "KILL", error);
    QVERIFY2(stream, qPrintable(error));
    std::string problem;
    const std::optional<cluster::StreamState> state = stream->state(problem);
    QVERIFY2(state, problem.c_str());
    const int leader = nodeNamed(state->leader);
    QVERIFY2(leader >= 0, state->leader.c_str());
    stream.reset();

    m_cluster->kill(leader);
    market.produce(100'000);
    const SequenceNumber last = market.flush();
    QVERIFY2(replicator.finish(last, 30s), replicator.failure().c_str());
    QCOMPARE(replicator.acknowledgedSequence(), last);
    const cluster::ReplicatorCounters counters = replicator.counters();
    qInfo("%llu messages published, %llu failed, %llu duplicates, %llu resynchronizations",
          static_cast<unsigned long long>(counters.messagesPublished),
          static_cast<unsigned long long>(counters.failedPublications),
          static_cast<unsigned long long>(counters.duplicatesAcknowledged),
          static_cast<unsigned long long>(counters.resynchronizations));
    checkStreamEqualsJournal("KILL", journal, last);
}

// A follower is stopped, the stream goes on with the two other nodes, and the follower started
// again on the same storage folder catches up: the leader reports it current, without lag.
void ReplicationFaultsTest::restartedNodeCatchesUp()
{
    const std::string journal = m_folder.filePath(QStringLiteral("restart.journal")).toStdString();
    test::JournaledMarket market(journal, 22);
    QVERIFY2(market.ok(), market.error().c_str());
    cluster::Replicator replicator(journal,
                                   test::replicatorOptions(m_cluster->servers(), "CATCHUP"), {});
    market.attach(&replicator);
    market.produce(10'000);
    SequenceNumber last = market.flush();
    QVERIFY(waitFor([&] { return replicator.acknowledgedSequence() == last; }, 10'000));

    QString error;
    auto stream = test::connectToStream(m_cluster->servers(), "CATCHUP", error);
    QVERIFY2(stream, qPrintable(error));
    std::string problem;
    std::optional<cluster::StreamState> state = stream->state(problem);
    QVERIFY2(state, problem.c_str());
    QCOMPARE(state->followers.size(), std::size_t{2});
    const std::string followerName = state->followers.front().name;
    const int follower = nodeNamed(followerName);
    QVERIFY2(follower >= 0, followerName.c_str());

    m_cluster->stop(follower);
    market.produce(50'000);
    last = market.flush();
    QVERIFY2(waitFor([&] { return replicator.acknowledgedSequence() == last; }, 20'000),
             replicator.failure().c_str());
    state = stream->state(problem);
    QVERIFY2(state, problem.c_str());
    QCOMPARE(state->messages, state->lastMessage);

    QVERIFY2(m_cluster->restart(follower, error), qPrintable(error));
    const bool caughtUp = waitFor(
        [&] {
            state = stream->state(problem);
            if (!state)
                return false;
            for (const cluster::ReplicaState &replica : state->followers) {
                if (replica.name == followerName)
                    return replica.current && !replica.offline && replica.lag == 0;
            }
            return false;
        },
        20'000);
    QVERIFY2(caughtUp, qPrintable(m_cluster->log(follower).right(2000)));
    QVERIFY(replicator.finish(last, 5s));
    checkStreamEqualsJournal("CATCHUP", journal, last);
}

QTEST_GUILESS_MAIN(ReplicationFaultsTest)
#include "tst_replication_faults.moc"

// The lease on a three-node NATS cluster: two contenders that take a lapsed lease at the same
// moment, with different engine names and with one name shared by mistake. The compare-and-set
// of nats-server 2.9.10 lets both writes succeed at times; the contender's second reading of the
// key leaves exactly one holder.

#include "lease.h"
#include "nats_cluster.h"

#include <QTest>

#include <barrier>
#include <thread>

using namespace bourse;
using namespace std::chrono_literals;

namespace {

constexpr std::chrono::milliseconds kTimeout{400};

cluster::LeaseSettings leaseSettings(const std::vector<std::string> &servers,
                                     const std::string &key, const std::string &holder)
{
    cluster::LeaseSettings settings;
    settings.connection.servers = servers;
    settings.connection.requestTimeout = 2000ms;
    settings.key = key;
    settings.holder = holder;
    settings.timeout = kTimeout;
    return settings;
}

} // namespace

class LeaseTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void contendersForLapsedLeaseOneHolds_data();
    void contendersForLapsedLeaseOneHolds();

private:
    std::unique_ptr<test::NatsCluster> m_cluster;
};

// Creates the bucket once the new cluster can place its replicas: right after the start,
// JetStream may reply "no suitable peers for placement" while the servers still find each other.
void LeaseTest::initTestCase()
{
    if (test::NatsCluster::serverExecutable().isEmpty())
        QSKIP("nats-server is not installed (Debian package nats-server); skipping the lease "
              "tests");
    m_cluster = std::make_unique<test::NatsCluster>();
    QString error;
    QVERIFY2(m_cluster->start(error), qPrintable(error));
    std::string problem;
    std::unique_ptr<cluster::Lease> bucket;
    for (int attempt = 0; attempt < 100 && !bucket; ++attempt) {
        bucket =
            cluster::Lease::open(leaseSettings(m_cluster->servers(), "START", "test"), {}, problem);
        if (!bucket)
            std::this_thread::sleep_for(100ms);
    }
    QVERIFY2(bucket, problem.c_str());
}

void LeaseTest::contendersForLapsedLeaseOneHolds_data()
{
    QTest::addColumn<bool>("sameName");
    QTest::newRow("two names") << false;
    QTest::newRow("one name shared") << true;
}

// Sixteen rounds: a holder takes the lease and stops renewing; two contenders see the key, wait
// the timeout and write at the same moment. Exactly one of them holds the lease afterwards, and
// the key names it.
void LeaseTest::contendersForLapsedLeaseOneHolds()
{
    QFETCH(bool, sameName);
    const std::string key = sameName ? "SHARED" : "NAMED";
    int bothWrote = 0;
    for (int round = 0; round < 16; ++round) {
        std::string error;
        {
            auto holder =
                cluster::Lease::open(leaseSettings(m_cluster->servers(), key, "old"), {}, error);
            QVERIFY2(holder, error.c_str());
            const std::atomic<bool> stop{false};
            QVERIFY(holder->acquire(cluster::MissingLease::Create, stop));
        }
        std::vector<std::string> logs[2];
        std::unique_ptr<cluster::Lease> contenders[2];
        for (int index = 0; index < 2; ++index) {
            const std::string name = sameName ? "rival" : "rival-" + std::to_string(index);
            contenders[index] = cluster::Lease::open(
                leaseSettings(m_cluster->servers(), key, name),
                [&logs, index](cluster::LogLevel, const std::string &line) {
                    logs[index].push_back(line);
                },
                error);
            QVERIFY2(contenders[index], error.c_str());
            QVERIFY(contenders[index]->tryAcquire(cluster::MissingLease::Wait, error) ==
                    cluster::LeaseAttempt::Waiting);
        }
        std::this_thread::sleep_for(kTimeout + 50ms);

        std::barrier start(2);
        cluster::LeaseAttempt attempts[2];
        std::thread threads[2];
        for (int index = 0; index < 2; ++index) {
            threads[index] = std::thread([&, index] {
                std::string problem;
                start.arrive_and_wait();
                attempts[index] =
                    contenders[index]->tryAcquire(cluster::MissingLease::Wait, problem);
            });
        }
        for (std::thread &thread : threads)
            thread.join();

        const int holders = (attempts[0] == cluster::LeaseAttempt::Held ? 1 : 0) +
                            (attempts[1] == cluster::LeaseAttempt::Held ? 1 : 0);
        QVERIFY2(holders == 1,
                 qPrintable(QStringLiteral("round %1: %2 holders").arg(round).arg(holders)));
        for (const std::vector<std::string> &lines : logs) {
            for (const std::string &line : lines)
                bothWrote += line.find("just after this engine took it") != std::string::npos;
        }

        // The key names the holder: an observer that reads it gets the holder's record.
        const cluster::LeaseRecord held =
            contenders[attempts[0] == cluster::LeaseAttempt::Held ? 0 : 1]->record();
        auto observer =
            cluster::Lease::open(leaseSettings(m_cluster->servers(), key, "observer"), {}, error);
        QVERIFY2(observer, error.c_str());
        QVERIFY(observer->tryAcquire(cluster::MissingLease::Wait, error) ==
                cluster::LeaseAttempt::Waiting);
        const cluster::LeaseRecord seen = observer->record();
        QCOMPARE(seen.epoch, held.epoch);
        QCOMPARE(seen.holder, held.holder);
        QCOMPARE(seen.token, held.token);
        QCOMPARE(seen.revision, held.revision);
    }
    qInfo("rounds where both writes succeeded and the second reading decided: %d of 16", bothWrote);
    // Without a round where both writes succeeded, the second reading went untested.
    QVERIFY2(bothWrote > 0, "the compare-and-set never let both writes succeed");
}

QTEST_GUILESS_MAIN(LeaseTest)
#include "tst_lease.moc"

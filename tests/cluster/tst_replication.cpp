// Journal replication to a three-node NATS JetStream cluster on loopback: the stream against
// the journal byte for byte, a publisher restarted mid-run, a second journal refused, messages of
// other writers skipped, a writer deposed by a higher fence, and `bourse-engine follow` against
// read models built from the journal.

#include "nats_cluster.h"
#include "read_models.h"
#include "replicated_batch.h"
#include "replication_support.h"
#include "stream_position.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <chrono>
#include <limits>
#include <thread>

using namespace bourse;
using namespace std::chrono_literals;

namespace {

// The rows a query returns from a views file, one text line each, sorted, so that tables
// without a rowid compare too.
QStringList queryRows(const QString &path, const std::string &sql)
{
    QStringList rows;
    sqlite3 *database = nullptr;
    sqlite3_open_v2(path.toUtf8().constData(), &database, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt *statement = nullptr;
    sqlite3_prepare_v2(database, sql.c_str(), -1, &statement, nullptr);
    while (statement != nullptr && sqlite3_step(statement) == SQLITE_ROW) {
        QStringList columns;
        for (int column = 0; column < sqlite3_column_count(statement); ++column) {
            const unsigned char *text = sqlite3_column_text(statement, column);
            columns << (text != nullptr ? QString::fromUtf8(reinterpret_cast<const char *>(text))
                                        : QStringLiteral("NULL"));
        }
        rows << columns.join(QLatin1Char('|'));
    }
    sqlite3_finalize(statement);
    sqlite3_close(database);
    rows.sort();
    return rows;
}

QStringList tableRows(const QString &path, const char *table)
{
    return queryRows(path, std::string("SELECT * FROM ") + table);
}

QStringList projectedTail(const QString &path)
{
    return queryRows(path, "SELECT last_sequence, last_hash FROM projection");
}

struct FollowRun {
    int exitCode = -1;
    QString output;
    QString errors;
};

FollowRun runFollow(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral(BOURSE_ENGINE_EXECUTABLE),
                  QStringList{QStringLiteral("follow")} + arguments);
    FollowRun run;
    if (!process.waitForFinished(30'000)) {
        process.kill();
        process.waitForFinished();
        run.errors = QStringLiteral("follow did not finish within 30 s");
        return run;
    }
    run.exitCode = process.exitCode();
    run.output = QString::fromUtf8(process.readAllStandardOutput());
    run.errors = QString::fromUtf8(process.readAllStandardError());
    return run;
}

} // namespace

class ReplicationTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void streamEqualsJournalUnderLoad();
    void restartedPublisherResendsNothing();
    void restartReadsFromSavedPosition();
    void highestEpochFenceIsReported();
    void secondJournalIsRejectedBeforeItFences();
    void foreignMessagesAreSkipped();
    void higherFenceDeposesWriter();
    void sameEpochFencesOneClaims();
    void forgedRunStopsOwnerWithoutAcknowledging_data();
    void forgedRunStopsOwnerWithoutAcknowledging();
    void followMatchesLocalReadModels();
    void followContinuesInsideMessage();
    void followRejectsDamagedMessage();
    void followSkipsMessagesThatDoNotCount();
    void followUnknownStreamCreatesNoFile();
    void serveReplicatesItsJournal();

private:
    std::string journalPath(const char *name) const
    {
        return m_folder.filePath(QString::fromLatin1(name)).toStdString();
    }

    QTemporaryDir m_folder;
    std::unique_ptr<test::NatsCluster> m_cluster;
};

void ReplicationTest::initTestCase()
{
    if (test::NatsCluster::serverExecutable().isEmpty())
        QSKIP("nats-server is not installed (Debian package nats-server); skipping the "
              "replication tests");
    QVERIFY(m_folder.isValid());
    m_cluster = std::make_unique<test::NatsCluster>();
    QString error;
    QVERIFY2(m_cluster->start(error), qPrintable(error));
}

void ReplicationTest::streamEqualsJournalUnderLoad()
{
    test::JournaledMarket market(journalPath("load.journal"), 11);
    QVERIFY2(market.ok(), market.error().c_str());
    cluster::Replicator replicator(market.journalPath(),
                                   test::replicatorOptions(m_cluster->servers(), "LOAD"), {});
    market.attach(&replicator);
    market.produce(200'000);
    const SequenceNumber last = market.flush();
    QVERIFY(last >= 200'000);
    QVERIFY2(replicator.finish(last, 20s), replicator.failure().c_str());
    QCOMPARE(replicator.acknowledgedSequence(), last);

    QString error;
    auto stream = test::connectToStream(m_cluster->servers(), "LOAD", error);
    QVERIFY2(stream, qPrintable(error));
    const std::vector<std::uint8_t> journal = test::journalRecordBytes(market.journalPath(), error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const std::vector<std::uint8_t> replicated = test::streamRecordBytes(*stream, error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(replicated.size(), journal.size());
    QVERIFY(replicated == journal);
    QCOMPARE(test::followWholeStream(*stream, error), static_cast<long long>(last));
}

// The first publisher is destroyed while messages are in flight, as a crashed engine leaves
// them. The second reads the stream's last message and continues after it.
void ReplicationTest::restartedPublisherResendsNothing()
{
    test::JournaledMarket market(journalPath("restart.journal"), 12);
    QVERIFY2(market.ok(), market.error().c_str());
    const auto options = test::replicatorOptions(m_cluster->servers(), "RESTART");
    {
        auto first = std::make_unique<cluster::Replicator>(market.journalPath(), options,
                                                           cluster::LogSink{});
        market.attach(first.get());
        market.produce(60'000);
        QTRY_VERIFY_WITH_TIMEOUT(first->acknowledgedSequence() > 0, 10'000);
        market.attach(nullptr);
    }
    market.produce(40'000);
    cluster::Replicator second(market.journalPath(), options, {});
    market.attach(&second);
    market.produce(40'000);
    const SequenceNumber last = market.flush();
    QVERIFY2(second.finish(last, 20s), second.failure().c_str());

    QString error;
    auto stream = test::connectToStream(m_cluster->servers(), "RESTART", error);
    QVERIFY2(stream, qPrintable(error));
    QCOMPARE(test::followWholeStream(*stream, error), static_cast<long long>(last));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const std::vector<std::uint8_t> journal = test::journalRecordBytes(market.journalPath(), error);
    QVERIFY(test::streamRecordBytes(*stream, error) == journal);
}

// A replicator saves the last position that counted beside its journal, and the next one reads
// the stream from there. A position file of another stream is set aside with a warning, and the
// stream is read from its first message.
void ReplicationTest::restartReadsFromSavedPosition()
{
    test::JournaledMarket market(journalPath("position.journal"), 25);
    QVERIFY2(market.ok(), market.error().c_str());
    const auto options = test::replicatorOptions(m_cluster->servers(), "POSITION");
    const std::string positionFile = cluster::streamPositionPath(market.journalPath());
    std::vector<std::string> lines;
    const cluster::LogSink collect = [&lines](cluster::LogLevel, const std::string &line) {
        lines.push_back(line);
    };
    const auto logged = [&lines](const std::string &text) {
        return std::any_of(lines.begin(), lines.end(), [&](const std::string &line) {
            return line.find(text) != std::string::npos;
        });
    };
    for (int run = 0; run < 2; ++run) {
        cluster::Replicator replicator(market.journalPath(), options, collect);
        market.attach(&replicator);
        market.produce(20'000);
        QVERIFY(replicator.finish(market.flush(), 20s));
        market.attach(nullptr);
    }
    QVERIFY(QFile::exists(QString::fromStdString(positionFile)));
    QString error;
    auto stream = test::connectToStream(m_cluster->servers(), "POSITION", error);
    QVERIFY2(stream, qPrintable(error));
    std::string note;
    const std::optional<cluster::ChainPosition> saved =
        cluster::loadStreamPosition(positionFile, *stream, note);
    QVERIFY2(saved, note.c_str());
    QCOMPARE(saved->last, market.flush());
    // The first message each claim read: the first run's is 1, the second run's follows the
    // first run's last message.
    std::vector<std::uint64_t> readFrom;
    const std::string marker = "reading it from message ";
    for (const std::string &line : lines) {
        const std::size_t at = line.find(marker);
        if (at != std::string::npos)
            readFrom.push_back(std::stoull(line.substr(at + marker.size())));
    }
    QCOMPARE(readFrom.size(), std::size_t{2});
    QCOMPARE(readFrom[0], std::uint64_t{1});
    QVERIFY2(readFrom[1] > 2, qPrintable(QString::number(readFrom[1])));

    QVERIFY(!cluster::saveStreamPosition(positionFile, "ANOTHER", *saved));
    lines.clear();
    {
        cluster::Replicator replicator(market.journalPath(), options, collect);
        QTRY_VERIFY_WITH_TIMEOUT(replicator.claimed(), 20'000);
    }
    QVERIFY(logged(positionFile + " names the stream ANOTHER, not POSITION; reading the stream "
                                  "from its first message"));
    QVERIFY(logged("reading it from message 1 in"));
    QCOMPARE(test::followWholeStream(*stream, error), static_cast<long long>(saved->last));

    // Files that a reader sets aside, each with its reason.
    const auto noteFor = [&](const std::string &line) {
        QFile file(QString::fromStdString(positionFile));
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return std::string("cannot write the file");
        file.write(QByteArray::fromStdString(line + "\n"));
        file.close();
        std::string reason;
        return cluster::loadStreamPosition(positionFile, *stream, reason) ? std::string("used")
                                                                          : reason;
    };
    const std::string numbers = " epoch " + std::to_string(saved->owner.epoch) + " writer " +
                                std::to_string(saved->owner.token) + " fence ";
    const std::string tail =
        " last " + std::to_string(saved->last) + " hash " + std::to_string(saved->lastHash);
    QCOMPARE(noteFor("stream POSITION message -1" + numbers + "1" + tail),
             positionFile + " is not a saved stream position");
    // The second run's fence, named as if it were a run.
    const std::string atFence = noteFor("stream POSITION message " +
                                        std::to_string(saved->ownerFence) + numbers + "1" + tail);
    QVERIFY2(atFence.find(" does not match stream POSITION message " +
                          std::to_string(saved->ownerFence)) != std::string::npos,
             atFence.c_str());
    // The right run, with the first run's fence named as its writer's.
    const std::string otherFence =
        noteFor("stream POSITION message " + std::to_string(saved->message) + numbers + "1" + tail);
    QVERIFY2(otherFence.find("names message 1 of the stream POSITION as the fence of") !=
                 std::string::npos,
             otherFence.c_str());
    QCOMPARE(noteFor("stream POSITION message " + std::to_string(saved->message) + numbers +
                     std::to_string(saved->ownerFence) + tail),
             std::string("used"));
}

// A fence under the highest epoch leaves no epoch to fence above: a writer reports that the stream
// has to be replaced, instead of publishing a fence that cannot count.
void ReplicationTest::highestEpochFenceIsReported()
{
    QString error;
    auto stream = test::connectToStream(m_cluster->servers(), "HIGHEST", error);
    QVERIFY2(stream, qPrintable(error));
    QVERIFY(!stream->ensureStream());
    std::string problem;
    const cluster::WriterStamp highest{std::numeric_limits<std::uint64_t>::max(), 7};
    QVERIFY2(stream->publishAndWait(cluster::fenceBody(highest, 0, 0), "highest", problem),
             problem.c_str());

    test::JournaledMarket market(journalPath("highest.journal"), 27);
    QVERIFY2(market.ok(), market.error().c_str());
    market.produce(100);
    const SequenceNumber last = market.flush();
    cluster::Replicator replicator(market.journalPath(),
                                   test::replicatorOptions(m_cluster->servers(), "HIGHEST"), {});
    QVERIFY(!replicator.finish(last, 10s));
    QVERIFY2(replicator.failure().find("is owned under epoch 18446744073709551615, the highest") !=
                 std::string::npos,
             replicator.failure().c_str());
    QVERIFY(!replicator.claimed());
}

// A replicator started on another journal is rejected before it fences, so the stream's owner
// goes on publishing.
void ReplicationTest::secondJournalIsRejectedBeforeItFences()
{
    test::JournaledMarket owner(journalPath("owner.journal"), 13);
    QVERIFY2(owner.ok(), owner.error().c_str());
    const auto options = test::replicatorOptions(m_cluster->servers(), "FENCE");
    cluster::Replicator replicator(owner.journalPath(), options, {});
    owner.attach(&replicator);
    owner.produce(5'000);
    const SequenceNumber ownerFirst = owner.flush();
    QTRY_COMPARE_WITH_TIMEOUT(replicator.acknowledgedSequence(), ownerFirst, 20'000);

    // Another journal, longer than the stream, whose chain hash differs at the stream's end.
    test::JournaledMarket intruder(journalPath("intruder.journal"), 14);
    QVERIFY2(intruder.ok(), intruder.error().c_str());
    intruder.produce(10'000);
    const SequenceNumber intruderLast = intruder.flush();
    cluster::Replicator rejected(intruder.journalPath(), options, {});
    QVERIFY(!rejected.finish(intruderLast, 10s));
    QVERIFY2(rejected.failure().find("another journal") != std::string::npos,
             rejected.failure().c_str());
    QVERIFY(!rejected.claimed());

    owner.produce(2'000);
    const SequenceNumber ownerLast = owner.flush();
    QVERIFY2(replicator.finish(ownerLast, 20s), replicator.failure().c_str());
    owner.attach(nullptr);
    QString error;
    auto stream = test::connectToStream(m_cluster->servers(), "FENCE", error);
    QVERIFY2(stream, qPrintable(error));
    QCOMPARE(test::followWholeStream(*stream, error), static_cast<long long>(ownerLast));
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

// Another program stores garbage, a run of the journal under another writer's stamp and a fence
// whose epoch is not above the owner's. The owner's next message lands after them, so it reads
// the stream back, skips all three, and goes on: the stream still reads as the journal.
void ReplicationTest::foreignMessagesAreSkipped()
{
    test::JournaledMarket market(journalPath("foreign.journal"), 21);
    QVERIFY2(market.ok(), market.error().c_str());
    cluster::Replicator replicator(market.journalPath(),
                                   test::replicatorOptions(m_cluster->servers(), "FOREIGN"), {});
    market.attach(&replicator);
    market.produce(1'000);
    const SequenceNumber acknowledged = market.flush();
    QTRY_COMPARE_WITH_TIMEOUT(replicator.acknowledgedSequence(), acknowledged, 20'000);

    market.attach(nullptr);
    market.produce(500);
    market.flush();
    storage::JournalReader::Opened opened = storage::JournalReader::open(market.journalPath());
    QVERIFY(opened.reader);
    while (opened.reader->lastSequence() < acknowledged)
        QVERIFY(opened.reader->next());
    cluster::BatchBuilder run(cluster::WriterStamp{1, 42});
    run.start(acknowledged + 1, opened.reader->lastHash());
    for (int count = 0; count < 100; ++count) {
        const std::optional<Event> event = opened.reader->next();
        QVERIFY(event);
        run.add(*event);
    }

    QString error;
    auto stream = test::connectToStream(m_cluster->servers(), "FOREIGN", error);
    QVERIFY2(stream, qPrintable(error));
    const std::vector<std::uint8_t> garbage{'n', 'o', 't', ' ', 'a', ' ', 'b', 'a', 't', 'c', 'h'};
    QVERIFY(!stream->publish(garbage, "foreign"));
    QVERIFY(!stream->publish(run.body(), "foreign-run"));
    QVERIFY(!stream->publish(cluster::fenceBody({1, 43}, 0, 0), "foreign-fence"));
    QVERIFY(stream->waitForAcknowledgements(5s));

    market.attach(&replicator);
    market.produce(500);
    const SequenceNumber last = market.flush();
    QVERIFY2(replicator.finish(last, 20s), replicator.failure().c_str());
    QCOMPARE(replicator.counters().skippedMessages, std::uint64_t{3});
    market.attach(nullptr);
    QCOMPARE(test::followWholeStream(*stream, error), static_cast<long long>(last));
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

// A fence of a higher epoch deposes the owner: its messages after the fence do not count, it
// stops with the fence named, and readers end at its last event before the fence.
void ReplicationTest::higherFenceDeposesWriter()
{
    test::JournaledMarket market(journalPath("deposed.journal"), 23);
    QVERIFY2(market.ok(), market.error().c_str());
    cluster::Replicator replicator(market.journalPath(),
                                   test::replicatorOptions(m_cluster->servers(), "DEPOSED"), {});
    market.attach(&replicator);
    market.produce(1'000);
    const SequenceNumber before = market.flush();
    QTRY_COMPARE_WITH_TIMEOUT(replicator.acknowledgedSequence(), before, 20'000);

    QString error;
    auto stream = test::connectToStream(m_cluster->servers(), "DEPOSED", error);
    QVERIFY2(stream, qPrintable(error));
    std::string problem;
    const std::optional<std::uint64_t> fence =
        stream->publishAndWait(cluster::fenceBody({9, 99}, 0, 0), "higher-fence", problem);
    QVERIFY2(fence, problem.c_str());

    market.produce(500);
    const SequenceNumber last = market.flush();
    QVERIFY(!replicator.finish(last, 10s));
    const std::string failure = replicator.failure();
    const std::string named = "deposed: epoch 9 writer 0000000000000063 fenced the stream "
                              "DEPOSED at message " +
                              std::to_string(*fence);
    QVERIFY2(failure.find(named) != std::string::npos, failure.c_str());
    QCOMPARE(replicator.acknowledgedSequence(), before);
    market.attach(nullptr);
    QCOMPARE(test::followWholeStream(*stream, error), static_cast<long long>(before));
    QVERIFY2(error.isEmpty(), qPrintable(error));

    // A writer whose lease epoch, 2, lies below the foreign fence still claims the stream, one
    // epoch above it, and publishes the rest of the journal.
    auto options = test::replicatorOptions(m_cluster->servers(), "DEPOSED");
    options.epoch = 2;
    cluster::Replicator next(market.journalPath(), options, {});
    QVERIFY2(next.finish(last, 20s), next.failure().c_str());
    QCOMPARE(test::followWholeStream(*stream, error), static_cast<long long>(last));
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

void ReplicationTest::forgedRunStopsOwnerWithoutAcknowledging_data()
{
    QTest::addColumn<int>("madeUp");   // events made up after the stream's last
    QTest::addColumn<int>("produced"); // events the owner journals afterwards
    QTest::addColumn<QString>("stream");
    QTest::addColumn<QString>("failure");
    QTest::newRow("owner's next run overlaps it") << 50 << 500 << "FORGED_OVERLAP"
                                                  << "chain broken";
    QTest::newRow("owner's next runs lie inside it") << 5'000 << 200 << "FORGED_INSIDE"
                                                     << "belongs to another journal";
}

// A program that copies the owner's stamp publishes the stream's last run followed by made-up
// events, which every reader then counts. The owner finds the chain no longer its journal when it
// reads the stream back, stops, and acknowledges none of its events after the forged run's start.
void ReplicationTest::forgedRunStopsOwnerWithoutAcknowledging()
{
    QFETCH(int, madeUp);
    QFETCH(int, produced);
    QFETCH(QString, stream);
    QFETCH(QString, failure);
    const std::string name = stream.toLower().toStdString() + ".journal";
    test::JournaledMarket market(journalPath(name.c_str()), 26);
    QVERIFY2(market.ok(), market.error().c_str());
    cluster::Replicator replicator(
        market.journalPath(), test::replicatorOptions(m_cluster->servers(), stream.toStdString()),
        {});
    market.attach(&replicator);
    market.produce(1'000);
    const SequenceNumber before = market.flush();
    QTRY_COMPARE_WITH_TIMEOUT(replicator.acknowledgedSequence(), before, 20'000);

    QString error;
    auto replicated = test::connectToStream(m_cluster->servers(), stream.toStdString(), error);
    QVERIFY2(replicated, qPrintable(error));
    std::string problem;
    bool empty = false;
    const std::optional<cluster::StreamMessage> lastRun = replicated->lastMessage(problem, empty);
    QVERIFY2(lastRun, problem.c_str());
    const cluster::DecodedBatch decoded = cluster::decodeBatch(lastRun->body, "last run");
    QVERIFY2(decoded.error.empty(), decoded.error.c_str());
    QCOMPARE(decoded.header.last(), before);
    cluster::BatchBuilder forged(decoded.header.stamp);
    forged.start(decoded.header.first, decoded.header.previousHash);
    for (const Event &event : decoded.events)
        forged.add(event);
    const SequenceNumber forgedLast = before + static_cast<SequenceNumber>(madeUp);
    for (SequenceNumber sequence = before + 1; sequence <= forgedLast; ++sequence) {
        Event invented = decoded.events.back();
        invented.sequence = sequence;
        forged.add(invented);
    }
    QVERIFY(!replicated->publish(forged.body(), "forged"));
    QVERIFY(replicated->waitForAcknowledgements(5s));

    market.produce(static_cast<std::size_t>(produced));
    const SequenceNumber last = market.flush();
    QVERIFY(!replicator.finish(last, 10s));
    QVERIFY2(last < forgedLast || failure == QStringLiteral("chain broken"), "too many events");
    QVERIFY2(QString::fromStdString(replicator.failure()).contains(failure),
             replicator.failure().c_str());
    QCOMPARE(replicator.acknowledgedSequence(), before);
    market.attach(nullptr);
}

// Two replicators of equal journals that both believe they hold the lease under epoch 5 start
// together. However their claims interleave, exactly one still publishes once both journals
// grow, the other stops naming the fence that won, and the stream reads as the journal.
void ReplicationTest::sameEpochFencesOneClaims()
{
    test::JournaledMarket first(journalPath("epoch-first.journal"), 24);
    test::JournaledMarket second(journalPath("epoch-second.journal"), 24);
    QVERIFY2(first.ok(), first.error().c_str());
    QVERIFY2(second.ok(), second.error().c_str());
    first.produce(2'000);
    second.produce(2'000);
    QCOMPARE(second.flush(), first.flush());

    auto options = test::replicatorOptions(m_cluster->servers(), "EPOCH");
    options.epoch = 5;
    cluster::Replicator one(first.journalPath(), options, {});
    cluster::Replicator other(second.journalPath(), options, {});
    QTRY_VERIFY_WITH_TIMEOUT(one.claimed() || !one.failure().empty(), 20'000);
    QTRY_VERIFY_WITH_TIMEOUT(other.claimed() || !other.failure().empty(), 20'000);

    // Both journals grow alike, so each replicator has runs to publish.
    first.attach(&one);
    second.attach(&other);
    first.produce(2'000);
    second.produce(2'000);
    const SequenceNumber last = first.flush();
    QCOMPARE(second.flush(), last);
    const bool oneFinished = one.finish(last, 10s);
    const bool otherFinished = other.finish(last, 10s);
    first.attach(nullptr);
    second.attach(nullptr);
    QVERIFY2(oneFinished != otherFinished, (one.failure() + " / " + other.failure()).c_str());
    const std::string failure = oneFinished ? other.failure() : one.failure();
    QVERIFY2(failure.find("does not count") != std::string::npos ||
                 failure.find("deposed") != std::string::npos,
             failure.c_str());

    QString error;
    auto stream = test::connectToStream(m_cluster->servers(), "EPOCH", error);
    QVERIFY2(stream, qPrintable(error));
    QCOMPARE(test::followWholeStream(*stream, error), static_cast<long long>(last));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(test::streamRecordBytes(*stream, error) ==
            test::journalRecordBytes(first.journalPath(), error));
}

void ReplicationTest::followMatchesLocalReadModels()
{
    test::JournaledMarket market(journalPath("follow.journal"), 15);
    QVERIFY2(market.ok(), market.error().c_str());
    cluster::Replicator replicator(market.journalPath(),
                                   test::replicatorOptions(m_cluster->servers(), "FOLLOW"), {});
    market.attach(&replicator);
    market.produce(30'000);
    SequenceNumber last = market.flush();
    QVERIFY(replicator.finish(last, 20s));

    const QString views = m_folder.filePath(QStringLiteral("follow.db"));
    const QStringList arguments = {
        QStringLiteral("--nats"),    m_cluster->urls(),       QStringLiteral("--stream"),
        QStringLiteral("FOLLOW"),    QStringLiteral("--out"), views,
        QStringLiteral("--idle-ms"), QStringLiteral("300"),   QStringLiteral("--json")};
    FollowRun run = runFollow(arguments);
    QVERIFY2(run.exitCode == 0, qPrintable(run.errors));
    QVERIFY2(run.output.contains(QStringLiteral("\"last_sequence\":%1").arg(last)),
             qPrintable(run.output));
    QVERIFY2(run.output.contains(QStringLiteral("\"read_from_message\":1,")),
             qPrintable(run.output));

    // A second run continues the views file with what the stream gained since.
    cluster::Replicator more(market.journalPath(),
                             test::replicatorOptions(m_cluster->servers(), "FOLLOW"), {});
    market.attach(&more);
    market.produce(10'000);
    const SequenceNumber before = last;
    last = market.flush();
    QVERIFY(more.finish(last, 20s));
    run = runFollow(arguments);
    QVERIFY2(run.exitCode == 0, qPrintable(run.errors));
    QVERIFY2(run.output.contains(QStringLiteral("\"started_after\":%1").arg(before)),
             qPrintable(run.output));
    QVERIFY2(run.output.contains(QStringLiteral("\"events\":%1").arg(last - before)),
             qPrintable(run.output));
    // It read the stream from the position the first run saved, after the first run's messages.
    const QRegularExpressionMatch readFrom =
        QRegularExpression(QStringLiteral("\"read_from_message\":(\\d+)")).match(run.output);
    QVERIFY2(readFrom.hasMatch(), qPrintable(run.output));
    QVERIFY2(readFrom.captured(1).toULongLong() > 2, qPrintable(run.output));

    const std::string localViews = market.journalPath() + "-local-views";
    const storage::CatchUpResult local =
        storage::catchUpReadModels(market.journalPath(), localViews);
    QVERIFY2(!local.error, local.error ? local.error->toString().c_str() : "");
    QCOMPARE(local.lastSequence, last);
    for (const char *table : {"orders", "fills", "trades", "positions", "position_lots", "bars",
                              "instruments", "accounts", "auctions", "account_positions"}) {
        const QStringList followed = tableRows(views, table);
        const QStringList expected = tableRows(QString::fromStdString(localViews), table);
        QVERIFY2(followed == expected, table);
    }
    QCOMPARE(projectedTail(views), projectedTail(QString::fromStdString(localViews)));
    QVERIFY(!tableRows(views, "trades").isEmpty());
}

// A views file projected from the journal up to an event inside a stream message: follow skips
// the message's events before it, after checking the chain hash there, and applies the rest.
void ReplicationTest::followContinuesInsideMessage()
{
    test::JournaledMarket market(journalPath("inside.journal"), 17);
    QVERIFY2(market.ok(), market.error().c_str());
    cluster::Replicator replicator(market.journalPath(),
                                   test::replicatorOptions(m_cluster->servers(), "INSIDE"), {});
    market.attach(&replicator);
    market.produce(20'000);
    const SequenceNumber last = market.flush();
    QVERIFY(replicator.finish(last, 20s));

    QString error;
    auto stream = test::connectToStream(m_cluster->servers(), "INSIDE", error);
    QVERIFY2(stream, qPrintable(error));
    std::string problem;
    const std::optional<cluster::StreamState> state = stream->state(problem);
    QVERIFY2(state, problem.c_str());
    const std::optional<cluster::StreamMessage> message =
        stream->message(state->lastMessage, problem);
    QVERIFY2(message, problem.c_str());
    cluster::BatchHeader header;
    QVERIFY(!cluster::readBatchHeader(message->body, header));
    QVERIFY2(header.count >= 3, "the last message needs events before and after the split");
    const SequenceNumber split = header.first + header.count / 2;

    const QString views = m_folder.filePath(QStringLiteral("inside.db"));
    {
        storage::ReadModelWriter::Opened opened =
            storage::ReadModelWriter::open(views.toStdString());
        QVERIFY(opened.writer);
        storage::JournalReader::Opened reader = storage::JournalReader::open(market.journalPath());
        QVERIFY(reader.reader);
        while (reader.reader->lastSequence() < split) {
            const std::optional<Event> event = reader.reader->next();
            QVERIFY(event);
            opened.writer->onEvent(*event);
        }
        QVERIFY(!opened.writer->close());
    }

    const FollowRun run =
        runFollow({QStringLiteral("--nats"), m_cluster->urls(), QStringLiteral("--stream"),
                   QStringLiteral("INSIDE"), QStringLiteral("--out"), views,
                   QStringLiteral("--idle-ms"), QStringLiteral("300"), QStringLiteral("--json")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.errors));
    QVERIFY2(run.output.contains(QStringLiteral("\"started_after\":%1").arg(split)),
             qPrintable(run.output));
    QVERIFY2(run.output.contains(QStringLiteral("\"events\":%1").arg(last - split)),
             qPrintable(run.output));

    const std::string localViews = market.journalPath() + "-local-views";
    QVERIFY(!storage::catchUpReadModels(market.journalPath(), localViews).error);
    QCOMPARE(projectedTail(views), projectedTail(QString::fromStdString(localViews)));
    for (const char *table : {"orders", "fills", "trades", "positions", "bars"})
        QVERIFY2(tableRows(views, table) == tableRows(QString::fromStdString(localViews), table),
                 table);
}

void ReplicationTest::followRejectsDamagedMessage()
{
    test::JournaledMarket market(journalPath("damaged.journal"), 16);
    QVERIFY2(market.ok(), market.error().c_str());
    cluster::Replicator replicator(market.journalPath(),
                                   test::replicatorOptions(m_cluster->servers(), "DAMAGED"), {});
    market.attach(&replicator);
    market.produce(2'000);
    const SequenceNumber last = market.flush();
    QVERIFY(replicator.finish(last, 20s));

    // The owner's last run, renumbered to start after it: its first record then has another
    // sequence number than the header gives.
    QString error;
    auto stream = test::connectToStream(m_cluster->servers(), "DAMAGED", error);
    QVERIFY2(stream, qPrintable(error));
    std::string problem;
    const std::optional<cluster::StreamState> state = stream->state(problem);
    QVERIFY2(state, problem.c_str());
    std::optional<cluster::StreamMessage> lastRun = stream->message(state->lastMessage, problem);
    QVERIFY2(lastRun, problem.c_str());
    std::vector<std::uint8_t> body = lastRun->body;
    const SequenceNumber next = last + 1;
    for (int byte = 0; byte < 8; ++byte)
        body[static_cast<std::size_t>(22 + byte)] = static_cast<std::uint8_t>(next >> (8 * byte));
    QVERIFY(!stream->publish(body, "damaged"));
    QVERIFY(stream->waitForAcknowledgements(5s));

    const QString views = m_folder.filePath(QStringLiteral("damaged.db"));
    const FollowRun run =
        runFollow({QStringLiteral("--nats"), m_cluster->urls(), QStringLiteral("--stream"),
                   QStringLiteral("DAMAGED"), QStringLiteral("--out"), views,
                   QStringLiteral("--idle-ms"), QStringLiteral("300")});
    QCOMPARE(run.exitCode, 1);
    const QString where = QStringLiteral("stream DAMAGED message %1").arg(state->lastMessage + 1);
    QVERIFY2(run.errors.contains(where), qPrintable(run.errors));
    QVERIFY2(run.errors.contains(QStringLiteral("sequence")), qPrintable(run.errors));
    // Every event before the damaged message is projected, and nothing of it.
    const QStringList tail = projectedTail(views);
    QCOMPARE(tail.size(), 1);
    QVERIFY2(tail.front().startsWith(QString::number(last) + QLatin1Char('|')),
             qPrintable(tail.front()));
}

// A stream written by hand: a fence, a run, garbage, a run under another writer's stamp, a fence
// whose epoch is not above the owner's, a run of the owner that leaves a gap, and the owner's
// next run. follow applies both runs of the owner and names each message it skips.
void ReplicationTest::followSkipsMessagesThatDoNotCount()
{
    test::JournaledMarket market(journalPath("garbage.journal"), 22);
    QVERIFY2(market.ok(), market.error().c_str());
    market.produce(200);
    market.flush();
    storage::JournalReader::Opened opened = storage::JournalReader::open(market.journalPath());
    QVERIFY(opened.reader);
    std::vector<Event> events;
    for (int count = 0; count < 200; ++count) {
        const std::optional<Event> event = opened.reader->next();
        QVERIFY(event);
        events.push_back(*event);
    }
    const auto runOf = [&](cluster::WriterStamp stamp, std::size_t from, std::size_t to,
                           std::uint64_t previousHash) {
        cluster::BatchBuilder builder(stamp);
        builder.start(from, previousHash);
        for (std::size_t index = from; index <= to; ++index)
            builder.add(events[index - 1]);
        return builder;
    };
    const cluster::WriterStamp owner{1, 0xa};
    const cluster::WriterStamp other{1, 0xb};
    cluster::BatchBuilder first = runOf(owner, 1, 100, 0);
    cluster::BatchBuilder foreign = runOf(other, 101, 200, first.lastHash());
    cluster::BatchBuilder firstHalf = runOf(owner, 101, 150, first.lastHash());
    cluster::BatchBuilder gap = runOf(owner, 151, 200, firstHalf.lastHash());
    cluster::BatchBuilder second = runOf(owner, 101, 200, first.lastHash());

    QString error;
    auto stream = test::connectToStream(m_cluster->servers(), "GARBAGE", error);
    QVERIFY2(stream, qPrintable(error));
    QVERIFY(!stream->ensureStream());
    const std::vector<std::uint8_t> garbage{'n', 'o', 't', ' ', 'a', ' ', 'b', 'a', 't', 'c', 'h'};
    QVERIFY(!stream->publish(cluster::fenceBody(owner, 0, 0), "fence"));
    QVERIFY(!stream->publish(first.body(), "1-100"));
    QVERIFY(!stream->publish(garbage, "garbage"));
    QVERIFY(!stream->publish(foreign.body(), "foreign"));
    QVERIFY(!stream->publish(cluster::fenceBody(other, 0, 0), "late-fence"));
    QVERIFY(!stream->publish(gap.body(), "151-200"));
    QVERIFY(!stream->publish(second.body(), "101-200"));
    QVERIFY(stream->waitForAcknowledgements(5s));

    const QString views = m_folder.filePath(QStringLiteral("garbage.db"));
    const FollowRun run =
        runFollow({QStringLiteral("--nats"), m_cluster->urls(), QStringLiteral("--stream"),
                   QStringLiteral("GARBAGE"), QStringLiteral("--out"), views,
                   QStringLiteral("--idle-ms"), QStringLiteral("300")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.errors));
    for (int message : {3, 4, 5, 6}) {
        const QString skipped = QStringLiteral("stream GARBAGE message %1 skipped").arg(message);
        QVERIFY2(run.errors.contains(skipped), qPrintable(run.errors));
    }
    QVERIFY2(run.errors.contains(QStringLiteral("a gap")), qPrintable(run.errors));
    QVERIFY2(!run.errors.contains(QStringLiteral("message 7 skipped")), qPrintable(run.errors));
    const QStringList tail = projectedTail(views);
    QCOMPARE(tail.size(), 1);
    QVERIFY2(tail.front().startsWith(QStringLiteral("200|")), qPrintable(tail.front()));
}

void ReplicationTest::followUnknownStreamCreatesNoFile()
{
    const QString views = m_folder.filePath(QStringLiteral("nope.db"));
    const FollowRun run =
        runFollow({QStringLiteral("--nats"), m_cluster->urls(), QStringLiteral("--stream"),
                   QStringLiteral("NOPE"), QStringLiteral("--out"), views,
                   QStringLiteral("--idle-ms"), QStringLiteral("300")});
    QCOMPARE(run.exitCode, 3);
    QVERIFY2(!run.errors.isEmpty(), "follow printed no error");
    QVERIFY(!QFile::exists(views));
}

// `bourse-engine serve` with `replicate`: the simulated market runs for two seconds, a SIGTERM
// stops it, and the stream then contains the journal's events byte for byte.
void ReplicationTest::serveReplicatesItsJournal()
{
    const QString engine = QStringLiteral(BOURSE_ENGINE_EXECUTABLE);
    QString error;
    QVERIFY2(!test::writeServeKeys(engine, m_folder.path(), error).isEmpty(), qPrintable(error));

    const QString journal = m_folder.filePath(QStringLiteral("serve.journal"));
    QFile config(m_folder.filePath(QStringLiteral("serve.conf")));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(QStringLiteral("order-entry tcp://127.0.0.1:*\n"
                                "publish tcp://127.0.0.1:*\n"
                                "snapshot tcp://127.0.0.1:*\n"
                                "server-key server\n"
                                "access-list serve.access\n"
                                "journal serve.journal\n"
                                "market simulation seed 3\n"
                                "replicate %1\n"
                                "replicate-stream SERVE\n")
                     .arg(m_cluster->urls())
                     .toUtf8());
    config.close();

    QProcess serve;
    serve.setProcessChannelMode(QProcess::MergedChannels);
    serve.start(engine, {QStringLiteral("serve"), QStringLiteral("--config"), config.fileName()});
    QVERIFY(serve.waitForStarted(5000));
    QByteArray output;
    const QByteArray started = "the stream SERVE continues after sequence 0";
    for (int wait = 0; wait < 100 && !output.contains(started); ++wait) {
        serve.waitForReadyRead(100);
        output += serve.readAll();
    }
    QVERIFY2(output.contains(started), output.constData());
    QTest::qWait(2000);
    serve.terminate();
    QVERIFY(serve.waitForFinished(20'000));
    output += serve.readAll();
    QVERIFY2(serve.exitCode() == 0, output.constData());
    QVERIFY2(output.contains("bourse.cluster info: stopped replicating to the stream SERVE"),
             output.constData());

    auto stream = test::connectToStream(m_cluster->servers(), "SERVE", error);
    QVERIFY2(stream, qPrintable(error));
    const std::vector<std::uint8_t> expected =
        test::journalRecordBytes(journal.toStdString(), error);
    QVERIFY(expected.size() > 10'000);
    const std::vector<std::uint8_t> replicated = test::streamRecordBytes(*stream, error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(replicated.size(), expected.size());
    QVERIFY(replicated == expected);
}

QTEST_GUILESS_MAIN(ReplicationTest)
#include "tst_replication.moc"

#include "journal.h"

#include <QtTest>

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace bourse;
using namespace bourse::storage;

// The writer thread of JournalWriter: back-pressure, group commit, the commit listener and
// failures of SQLite on that thread. Another connection that holds the database's write lock
// simulates a slow disk: no commit can finish until it releases the lock.

namespace {

// How long a test waits for the writer thread before it fails instead of hanging. Commits take
// milliseconds; the margin is for a loaded machine.
constexpr int commitDeadlineMs = 30'000;

// How long the test leaves a blocked producer before it checks that it is still blocked. The
// check is valid for any wait, and a longer wait only gives a missing back-pressure more time
// to show. It stays well below the writer's busy timeout of 5 seconds, after which a
// commit waiting for the lock fails.
constexpr std::chrono::milliseconds blockedWait{200};

Event sampleEvent(SequenceNumber sequence)
{
    const auto n = static_cast<std::int64_t>(sequence);
    Event event;
    event.sequence = sequence;
    event.time = Timestamp{34'200'000'000'000 + n * 1'000};
    event.instrument = InstrumentId{3};
    event.payload = OrderAdded{OrderId{sequence}, sequence % 2 == 0 ? Side::Buy : Side::Sell,
                               Price{580'000 + n}, Quantity{100 + n}, OrderOrigin{}};
    return event;
}

// Hands `event` to the writer as a command of its own, the way the engine publishes events: the
// event, then the end of its command, where a full chunk is handed over.
void appendCommand(JournalWriter &writer, SequenceNumber sequence)
{
    writer.onEvent(sampleEvent(sequence));
    writer.onCommandEnd();
}

// A plain SQLite connection, for holding the write lock and for the test's own checks.
class RawDatabase {
public:
    explicit RawDatabase(const QString &path)
    {
        sqlite3_open_v2(path.toUtf8().constData(), &m_database, SQLITE_OPEN_READWRITE, nullptr);
    }
    ~RawDatabase() { sqlite3_close_v2(m_database); }
    RawDatabase(const RawDatabase &) = delete;
    RawDatabase &operator=(const RawDatabase &) = delete;

    // Returns SQLite's message, or an empty string on success.
    QString execute(const QString &sql)
    {
        char *message = nullptr;
        sqlite3_exec(m_database, sql.toUtf8().constData(), nullptr, nullptr, &message);
        const QString text = message != nullptr ? QString::fromUtf8(message) : QString();
        sqlite3_free(message);
        return text;
    }

    // The first column of every row.
    std::vector<qint64> queryIntegers(const QString &sql)
    {
        std::vector<qint64> values;
        sqlite3_stmt *statement = nullptr;
        sqlite3_prepare_v2(m_database, sql.toUtf8().constData(), -1, &statement, nullptr);
        while (sqlite3_step(statement) == SQLITE_ROW) {
            values.push_back(sqlite3_column_int64(statement, 0));
        }
        sqlite3_finalize(statement);
        return values;
    }

private:
    sqlite3 *m_database = nullptr;
};

// The sequence numbers a reader returns, and its error.
struct ReadResult {
    std::vector<SequenceNumber> sequences;
    std::optional<JournalError> error;
};

ReadResult readAll(const QString &path)
{
    ReadResult result;
    JournalReader::Opened opened = JournalReader::open(path.toStdString());
    if (!opened.reader) {
        result.error = opened.error;
        return result;
    }
    while (std::optional<Event> event = opened.reader->next()) {
        result.sequences.push_back(event->sequence);
    }
    result.error = opened.reader->error();
    return result;
}

// Describes how `result` differs from events 1..count read without error; empty when it does
// not.
std::string describeMismatch(const ReadResult &result, SequenceNumber count)
{
    if (result.error) {
        return result.error->toString();
    }
    if (result.sequences.size() != count) {
        return "read " + std::to_string(result.sequences.size()) + " events, expected " +
               std::to_string(count);
    }
    for (SequenceNumber sequence = 1; sequence <= count; ++sequence) {
        if (result.sequences[sequence - 1] != sequence) {
            return "event " + std::to_string(sequence) + " has sequence " +
                   std::to_string(result.sequences[sequence - 1]);
        }
    }
    return std::string();
}

// The committed sequence numbers a commit listener was called with, and on which threads.
class CommitLog {
public:
    CommitListener listener()
    {
        return [this](SequenceNumber committed) {
            std::lock_guard lock(m_mutex);
            m_values.push_back(committed);
            m_threads.insert(std::this_thread::get_id());
        };
    }

    std::vector<SequenceNumber> values() const
    {
        std::lock_guard lock(m_mutex);
        return m_values;
    }

    std::set<std::thread::id> threads() const
    {
        std::lock_guard lock(m_mutex);
        return m_threads;
    }

private:
    mutable std::mutex m_mutex;
    std::vector<SequenceNumber> m_values;
    std::set<std::thread::id> m_threads;
};

} // namespace

class TestJournalWriter : public QObject {
    Q_OBJECT

private slots:
    void init();

    void backPressureBlocksProducer();
    void commitListenerFollowsCommits();
    void groupCommitTakesQueuedChunksTogether();
    void writerThreadFailureStopsWriter();

private:
    QString journalPath() const { return m_directory->filePath(QStringLiteral("journal.sqlite")); }

    std::optional<QTemporaryDir> m_directory;
};

void TestJournalWriter::init()
{
    m_directory.emplace();
    QVERIFY(m_directory->isValid());
}

// With the write lock held elsewhere nothing commits, so a producer that keeps handing over
// chunks must stop at the queue's limit. Once the lock is released, every event is committed
// and none was dropped.
void TestJournalWriter::backPressureBlocksProducer()
{
    JournalWriterOptions options;
    options.eventsPerChunk = 2;
    options.maximumQueuedChunks = 3;
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString(), options);
    QVERIFY(created.writer);
    JournalWriter &writer = *created.writer;
    constexpr SequenceNumber total = 40;
    std::atomic<SequenceNumber> returned{0};
    std::atomic<bool> finished{false};

    // Declared before the blocker, so that on an early return the blocker releases the lock
    // first and the producer can finish before it is joined.
    std::jthread producer;
    RawDatabase blocker(journalPath());
    QCOMPARE(blocker.execute(QStringLiteral("BEGIN IMMEDIATE")), QString());
    producer = std::jthread([&] {
        for (SequenceNumber sequence = 1; sequence <= total; ++sequence) {
            appendCommand(writer, sequence);
            returned = sequence;
        }
        finished = true;
    });

    // Chunk k is handed over at the end of event 2k. Nothing commits, so after chunk 3 three
    // chunks are handed over and not committed, and the producer waits in that command.
    const SequenceNumber lastBeforeWait = options.maximumQueuedChunks * options.eventsPerChunk - 1;
    QTRY_VERIFY_WITH_TIMEOUT(returned >= lastBeforeWait, commitDeadlineMs);
    std::this_thread::sleep_for(blockedWait);
    QCOMPARE(returned.load(), lastBeforeWait);
    QVERIFY(!finished);
    QCOMPARE(writer.committedSequence(), SequenceNumber{0});
    QVERIFY(!writer.error());

    QCOMPARE(blocker.execute(QStringLiteral("COMMIT")), QString());
    QTRY_VERIFY_WITH_TIMEOUT(finished, commitDeadlineMs);
    producer.join();
    const std::optional<JournalError> error = writer.close();
    QVERIFY2(!error, error ? error->toString().c_str() : "");

    QCOMPARE(writer.committedSequence(), total);
    const std::string mismatch = describeMismatch(readAll(journalPath()), total);
    QVERIFY2(mismatch.empty(), mismatch.c_str());
    QCOMPARE(
        RawDatabase(journalPath()).queryIntegers(QStringLiteral("SELECT count(*) FROM chunks")),
        std::vector<qint64>{qint64(total / options.eventsPerChunk)});
}

// The listener runs on the writer thread after each commit, with committed sequence numbers
// that never go back, each the end of a chunk, and the last one the journal's last event.
// Readers opened along the way read at least as far as the listener had been notified.
void TestJournalWriter::commitListenerFollowsCommits()
{
    JournalWriterOptions options;
    options.eventsPerChunk = 3;
    options.maximumQueuedChunks = 4;
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString(), options);
    QVERIFY(created.writer);
    CommitLog log;
    created.writer->setCommitListener(log.listener());

    SequenceNumber sequence = 0;
    for (int batch = 1; batch <= 30; ++batch) {
        for (int command = 0; command < batch % 7 + 1; ++command) {
            appendCommand(*created.writer, ++sequence);
        }
        created.writer->onBatchEnd();
        if (batch % 5 != 0) {
            continue;
        }
        const std::vector<SequenceNumber> notified = log.values();
        const ReadResult read = readAll(journalPath());
        QVERIFY2(!read.error, read.error ? read.error->toString().c_str() : "");
        if (!notified.empty()) {
            QVERIFY2(read.sequences.size() >= notified.back(),
                     qPrintable(
                         QStringLiteral("the listener was notified of %1, a reader read %2 events")
                             .arg(notified.back())
                             .arg(read.sequences.size())));
        }
    }
    QVERIFY(!created.writer->close());

    const std::vector<SequenceNumber> notified = log.values();
    QVERIFY(!notified.empty());
    for (std::size_t i = 1; i < notified.size(); ++i) {
        QVERIFY2(notified[i - 1] <= notified[i],
                 qPrintable(QStringLiteral("%1 after %2").arg(notified[i]).arg(notified[i - 1])));
    }
    QCOMPARE(notified.back(), sequence);
    QCOMPARE(created.writer->committedSequence(), sequence);

    RawDatabase database(journalPath());
    const std::vector<qint64> chunkEnds =
        database.queryIntegers(QStringLiteral("SELECT last_sequence FROM chunks"));
    const std::set<qint64> ends(chunkEnds.begin(), chunkEnds.end());
    for (const SequenceNumber committed : notified) {
        QVERIFY2(ends.contains(qint64(committed)),
                 qPrintable(QStringLiteral("%1 is not the end of a chunk").arg(committed)));
    }
    QVERIFY(notified.size() <= chunkEnds.size());

    const std::set<std::thread::id> threads = log.threads();
    QCOMPARE(threads.size(), std::size_t{1});
    QVERIFY(!threads.contains(std::this_thread::get_id()));
}

// While another connection holds the write lock, the writer thread's first transaction waits
// and the other chunks queue up. Once the lock is released, the chunks that waited go into one
// transaction: fewer commits than chunks, and each chunk still its own row.
void TestJournalWriter::groupCommitTakesQueuedChunksTogether()
{
    JournalWriterOptions options;
    options.eventsPerChunk = 1;
    options.maximumQueuedChunks = 64;
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString(), options);
    QVERIFY(created.writer);
    CommitLog log;
    created.writer->setCommitListener(log.listener());
    constexpr SequenceNumber chunks = 20;

    {
        RawDatabase blocker(journalPath());
        QCOMPARE(blocker.execute(QStringLiteral("BEGIN IMMEDIATE")), QString());
        for (SequenceNumber sequence = 1; sequence <= chunks; ++sequence) {
            appendCommand(*created.writer, sequence);
        }
        QCOMPARE(created.writer->committedSequence(), SequenceNumber{0});
        QCOMPARE(blocker.execute(QStringLiteral("COMMIT")), QString());
    }
    QVERIFY(!created.writer->close());

    // The first transaction has the chunks the writer thread took before it met the lock. The
    // second has all the others, because they were queued before the lock was released.
    const std::vector<SequenceNumber> notified = log.values();
    QVERIFY(!notified.empty());
    QVERIFY2(
        notified.size() <= 2,
        qPrintable(QStringLiteral("%1 commits for %2 chunks").arg(notified.size()).arg(chunks)));
    QCOMPARE(notified.back(), chunks);
    QCOMPARE(
        RawDatabase(journalPath()).queryIntegers(QStringLiteral("SELECT count(*) FROM chunks")),
        std::vector<qint64>{qint64(chunks)});
    const std::string mismatch = describeMismatch(readAll(journalPath()), chunks);
    QVERIFY2(mismatch.empty(), mismatch.c_str());
}

// An SQLite failure on the writer thread, here an insert that a trigger rejects, loses the
// events of that transaction. It also stops the writer: later events are not taken, even once
// the cause is gone, and the journal ends at the last commit.
void TestJournalWriter::writerThreadFailureStopsWriter()
{
    JournalWriterOptions options;
    options.eventsPerChunk = 5;
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString(), options);
    QVERIFY(created.writer);
    CommitLog log;
    created.writer->setCommitListener(log.listener());
    for (SequenceNumber sequence = 1; sequence <= 10; ++sequence) {
        appendCommand(*created.writer, sequence);
    }
    QVERIFY(!created.writer->flush());
    QCOMPARE(created.writer->committedSequence(), SequenceNumber{10});

    RawDatabase database(journalPath());
    QCOMPARE(database.execute(QStringLiteral("CREATE TRIGGER reject_chunks BEFORE INSERT ON "
                                             "chunks BEGIN SELECT RAISE(ABORT, 'chunk rejected "
                                             "by the test'); END;")),
             QString());
    for (SequenceNumber sequence = 11; sequence <= 15; ++sequence) {
        appendCommand(*created.writer, sequence);
    }
    const std::optional<JournalError> error = created.writer->flush();

    QVERIFY(error);
    QCOMPARE(error->kind, JournalErrorKind::SqliteFailed);
    QCOMPARE(error->sequence, SequenceNumber{11});
    const QString message = QString::fromStdString(error->what);
    QVERIFY2(message.startsWith(QStringLiteral("failed to append: chunk rejected by the test")),
             qPrintable(message));
    QCOMPARE(created.writer->committedSequence(), SequenceNumber{10});

    // error() and failure() may be read from any thread.
    std::optional<JournalError> seenElsewhere;
    std::string failureElsewhere;
    std::thread([&] {
        seenElsewhere = created.writer->error();
        failureElsewhere = created.writer->failure();
    }).join();
    QVERIFY(seenElsewhere);
    QCOMPARE(seenElsewhere->toString(), error->toString());
    QCOMPARE(failureElsewhere, error->toString());

    QCOMPARE(database.execute(QStringLiteral("DROP TRIGGER reject_chunks")), QString());
    for (SequenceNumber sequence = 16; sequence <= 20; ++sequence) {
        appendCommand(*created.writer, sequence);
    }
    const std::optional<JournalError> later = created.writer->close();
    QVERIFY(later);
    QCOMPARE(later->toString(), error->toString());
    QCOMPARE(created.writer->lastSequence(), SequenceNumber{15});
    QCOMPARE(created.writer->committedSequence(), SequenceNumber{10});

    const std::vector<SequenceNumber> notified = log.values();
    QVERIFY(!notified.empty());
    QCOMPARE(notified.back(), SequenceNumber{10});
    QCOMPARE(database.queryIntegers(QStringLiteral("SELECT max(last_sequence) FROM chunks")),
             std::vector<qint64>{10});
    const std::string mismatch = describeMismatch(readAll(journalPath()), 10);
    QVERIFY2(mismatch.empty(), mismatch.c_str());
}

QTEST_GUILESS_MAIN(TestJournalWriter)
#include "tst_journal_writer.moc"

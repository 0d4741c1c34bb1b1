// JournalHistory: a journal read from its last event back, one chunk a run, with every event
// checked as the forward reader checks it.

#include "engine_printers.h"

#include "engine.h"
#include "journal.h"
#include "journal_history.h"

#include <QtTest>

#include <sqlite3.h>

#include <vector>

using namespace bourse;
using namespace bourse::storage;

namespace {

Timestamp at(int step)
{
    return Timestamp{1'700'000'000'000'000'000 + step * 1'000'000};
}

NewOrder limitOrder(Side side, std::int64_t price, std::int64_t quantity)
{
    NewOrder order;
    order.side = side;
    order.limit = Price{price};
    order.quantity = Quantity{quantity};
    return order;
}

// Writes a journal of `commands` orders of instrument 1, a chunk closing at the end of the first
// command that reaches 4 events. Every third order crosses the one before, so there are trades.
void writeJournal(const QString &path, int commands)
{
    JournalWriterOptions options;
    options.eventsPerChunk = 4;
    JournalWriter::Created created = JournalWriter::create(path.toStdString(), options);
    QVERIFY(created.writer);
    Engine engine(InstrumentId{1});
    engine.addHandler(created.writer.get());
    for (int step = 0; step < commands; ++step) {
        const Side side = step % 3 == 2 ? Side::Buy : Side::Sell;
        engine.submit(limitOrder(side, 10'000 + (step % 3 == 2 ? 0 : step % 5), 5), at(step));
    }
    QVERIFY(!created.writer->close());
}

std::vector<Event> readForward(const QString &path)
{
    std::vector<Event> events;
    JournalReader::Opened opened = JournalReader::open(path.toStdString());
    if (!opened.reader)
        return events;
    while (std::optional<Event> event = opened.reader->next())
        events.push_back(std::move(*event));
    return events;
}

// The runs of a journal read back, newest first.
struct Runs {
    std::vector<std::vector<Event>> runs;
    std::optional<JournalError> error;
};

Runs readBack(const QString &path)
{
    Runs result;
    JournalHistory::Opened opened = JournalHistory::open(path.toStdString());
    if (!opened.history) {
        result.error = opened.error;
        return result;
    }
    std::vector<Event> run;
    while (opened.history->readOlder(run)) {
        result.runs.push_back(std::move(run));
        run.clear();
    }
    result.error = opened.history->journalError();
    return result;
}

// Runs SQL on the journal file, outside the journal's own code, as a person with the sqlite3
// shell could. Returns SQLite's message, or an empty string.
QString execute(const QString &path, const QString &sql)
{
    sqlite3 *database = nullptr;
    sqlite3_open_v2(path.toUtf8().constData(), &database, SQLITE_OPEN_READWRITE, nullptr);
    char *message = nullptr;
    sqlite3_exec(database, sql.toUtf8().constData(), nullptr, nullptr, &message);
    const QString text = message != nullptr ? QString::fromUtf8(message) : QString();
    sqlite3_free(message);
    sqlite3_close_v2(database);
    return text;
}

// Adds one to the byte at `offset` of the body of the chunk that starts at `first`.
QString changeChunkByte(const QString &path, qint64 first, int offset)
{
    sqlite3 *database = nullptr;
    sqlite3_open_v2(path.toUtf8().constData(), &database, SQLITE_OPEN_READWRITE, nullptr);
    sqlite3_exec(database, "DROP TRIGGER chunks_no_update", nullptr, nullptr, nullptr);
    sqlite3_stmt *select = nullptr;
    sqlite3_prepare_v2(database, "SELECT body FROM chunks WHERE first_sequence = ?1", -1, &select,
                       nullptr);
    sqlite3_bind_int64(select, 1, first);
    QByteArray body;
    if (sqlite3_step(select) == SQLITE_ROW)
        body = QByteArray(static_cast<const char *>(sqlite3_column_blob(select, 0)),
                          sqlite3_column_bytes(select, 0));
    sqlite3_finalize(select);
    body[offset] = static_cast<char>(body[offset] + 1);

    sqlite3_stmt *update = nullptr;
    sqlite3_prepare_v2(database, "UPDATE chunks SET body = ?1 WHERE first_sequence = ?2", -1,
                       &update, nullptr);
    sqlite3_bind_blob(update, 1, body.constData(), static_cast<int>(body.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(update, 2, first);
    const int resultCode = sqlite3_step(update);
    sqlite3_finalize(update);
    const QString error =
        resultCode == SQLITE_DONE ? QString() : QString::fromUtf8(sqlite3_errmsg(database));
    sqlite3_close_v2(database);
    return error;
}

std::vector<qint64> chunkStarts(const QString &path)
{
    std::vector<qint64> starts;
    sqlite3 *database = nullptr;
    sqlite3_open_v2(path.toUtf8().constData(), &database, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt *statement = nullptr;
    sqlite3_prepare_v2(database, "SELECT first_sequence FROM chunks ORDER BY first_sequence", -1,
                       &statement, nullptr);
    while (sqlite3_step(statement) == SQLITE_ROW)
        starts.push_back(sqlite3_column_int64(statement, 0));
    sqlite3_finalize(statement);
    sqlite3_close_v2(database);
    return starts;
}

} // namespace

class TestJournalHistory : public QObject {
    Q_OBJECT

private slots:
    void init();
    void readBackMatchesForwardRead();
    void emptyJournalEndsAtOnce();
    void damagedEventStopsAtItsChunk();
    void missingChunkIsGap();
    void removedTailIsMismatch();

private:
    QTemporaryDir m_directory;
    QString m_path;
};

void TestJournalHistory::init()
{
    QVERIFY(m_directory.isValid());
    m_path = m_directory.filePath(QStringLiteral("%1.sqlite").arg(QTest::currentTestFunction()));
}

// Each run is one chunk, newest first, and the runs put back in order are the events the
// forward reader returns.
void TestJournalHistory::readBackMatchesForwardRead()
{
    writeJournal(m_path, 60);
    const std::vector<Event> forward = readForward(m_path);
    QVERIFY(forward.size() >= 120); // an OrderAccepted and at least one more event a command
    const std::vector<qint64> starts = chunkStarts(m_path);
    QVERIFY(starts.size() > 10);

    const Runs back = readBack(m_path);
    QVERIFY2(!back.error, back.error ? back.error->toString().c_str() : "");
    QCOMPARE(back.runs.size(), starts.size());
    std::vector<Event> joined;
    for (std::size_t index = 0; index < back.runs.size(); ++index) {
        const std::vector<Event> &run = back.runs[back.runs.size() - 1 - index];
        QVERIFY(!run.empty());
        QCOMPARE(qint64(run.front().sequence), starts[index]);
        joined.insert(joined.end(), run.begin(), run.end());
    }
    QCOMPARE(joined.size(), forward.size());
    for (std::size_t index = 0; index < forward.size(); ++index) {
        QCOMPARE(joined[index].sequence, forward[index].sequence);
        QCOMPARE(joined[index].time, forward[index].time);
        QCOMPARE(typeOf(joined[index].payload), typeOf(forward[index].payload));
    }
}

void TestJournalHistory::emptyJournalEndsAtOnce()
{
    {
        JournalWriter::Created created = JournalWriter::create(m_path.toStdString());
        QVERIFY(created.writer);
        QVERIFY(!created.writer->close());
    }
    const Runs back = readBack(m_path);
    QVERIFY(!back.error);
    QVERIFY(back.runs.empty());
}

// A changed byte in the payload of the first event of the third chunk from the end: the two
// newer chunks come back, then the reading stops with a checksum mismatch at that event.
void TestJournalHistory::damagedEventStopsAtItsChunk()
{
    writeJournal(m_path, 60);
    const std::vector<qint64> starts = chunkStarts(m_path);
    const qint64 damaged = starts[starts.size() - 3];
    // The first record's payload starts after its 23-byte header, with the codec's version.
    QCOMPARE(changeChunkByte(m_path, damaged, 24), QString());

    const Runs back = readBack(m_path);
    QCOMPARE(back.runs.size(), std::size_t{2});
    QVERIFY(back.error);
    QCOMPARE(back.error->kind, JournalErrorKind::ChecksumMismatch);
    QCOMPARE(back.error->sequence, SequenceNumber(damaged));
}

// A chunk deleted from the middle leaves the events before it ending short of the next one.
void TestJournalHistory::missingChunkIsGap()
{
    writeJournal(m_path, 60);
    const std::vector<qint64> starts = chunkStarts(m_path);
    const qint64 removed = starts[starts.size() / 2];
    QCOMPARE(execute(m_path, QStringLiteral("DROP TRIGGER chunks_no_delete; DELETE FROM chunks "
                                            "WHERE first_sequence = %1")
                                 .arg(removed)),
             QString());

    const Runs back = readBack(m_path);
    QVERIFY(back.error);
    QCOMPARE(back.error->kind, JournalErrorKind::SequenceGap);
    QCOMPARE(back.error->sequence, SequenceNumber(removed));
    QCOMPARE(back.runs.size(), starts.size() - starts.size() / 2 - 2);
}

// The last chunk deleted: the journal ends before the event its metadata records as the last.
void TestJournalHistory::removedTailIsMismatch()
{
    writeJournal(m_path, 60);
    const std::vector<qint64> starts = chunkStarts(m_path);
    QCOMPARE(execute(m_path, QStringLiteral("DROP TRIGGER chunks_no_delete; DELETE FROM chunks "
                                            "WHERE first_sequence = %1")
                                 .arg(starts.back())),
             QString());

    const Runs back = readBack(m_path);
    QVERIFY(back.runs.empty());
    QVERIFY(back.error);
    QCOMPARE(back.error->kind, JournalErrorKind::TailMismatch);
}

QTEST_GUILESS_MAIN(TestJournalHistory)
#include "tst_journal_history.moc"

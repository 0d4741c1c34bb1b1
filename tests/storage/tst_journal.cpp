#include "event_text.h"
#include "journal.h"

#include <QtTest>

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

using namespace bourse;
using namespace bourse::storage;
using bourse::test::describe;

namespace {

// One event of each payload type in turn, with values derived from the sequence number.
Event sampleEvent(SequenceNumber sequence)
{
    const auto n = static_cast<std::int64_t>(sequence);
    const OrderId id{sequence * 10};
    const Side side = sequence % 2 == 0 ? Side::Buy : Side::Sell;

    Event event;
    event.sequence = sequence;
    event.time = Timestamp{34'200'000'000'000 + n * 1'000};
    event.instrument = InstrumentId{3};
    switch (sequence % 7) {
    case 0:
        event.payload =
            OrderAccepted{id, side, sequence % 3 == 0 ? OrderType::Market : OrderType::Limit,
                          Price{580'000 + n}, Quantity{n}};
        break;
    case 1:
        event.payload = OrderAdded{id, side, Price{580'000 - n}, Quantity{100 + n},
                                   static_cast<OrderOrigin>(sequence % 3)};
        break;
    case 2:
        event.payload = OrderRejected{id, static_cast<RejectReason>(1 + sequence % 6)};
        break;
    case 3:
        event.payload = OrderCancelled{id, side, Price{580'100}, Quantity{n},
                                       static_cast<CancelReason>(1 + sequence % 3)};
        break;
    case 4:
        event.payload = OrderReduced{id, side, Price{579'900}, Quantity{7}, Quantity{n}};
        break;
    case 5:
        event.payload = Trade{
            id,          OrderId{sequence * 10 + 1}, side, Price{580'050}, Quantity{n % 50 + 1},
            Quantity{-n}};
        break;
    default:
        event.payload = TradingStatusChanged{static_cast<TradingStatus>(sequence % 3)};
        break;
    }
    return event;
}

// A plain SQLite connection for the test's own checks and for damaging a journal.
class RawDatabase {
public:
    explicit RawDatabase(const QString &path, int flags = SQLITE_OPEN_READWRITE)
    {
        sqlite3_open_v2(path.toUtf8().constData(), &m_database, flags, nullptr);
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

    // The first column of the first row as text; "(error: ...)" when the query fails.
    QString queryText(const QString &sql)
    {
        sqlite3_stmt *statement = nullptr;
        if (sqlite3_prepare_v2(m_database, sql.toUtf8().constData(), -1, &statement, nullptr) !=
            SQLITE_OK) {
            return QStringLiteral("(error: %1)").arg(sqlite3_errmsg(m_database));
        }
        QString text;
        const int resultCode = sqlite3_step(statement);
        if (resultCode == SQLITE_ROW) {
            text = QString::fromUtf8(
                reinterpret_cast<const char *>(sqlite3_column_text(statement, 0)));
        } else if (resultCode != SQLITE_DONE) {
            text = QStringLiteral("(error: %1)").arg(sqlite3_errmsg(m_database));
        }
        sqlite3_finalize(statement);
        return text;
    }

    qint64 queryInteger(const QString &sql) { return queryText(sql).toLongLong(); }

    QByteArray queryBlob(const QString &sql)
    {
        sqlite3_stmt *statement = nullptr;
        sqlite3_prepare_v2(m_database, sql.toUtf8().constData(), -1, &statement, nullptr);
        QByteArray blob;
        if (sqlite3_step(statement) == SQLITE_ROW) {
            blob = QByteArray(static_cast<const char *>(sqlite3_column_blob(statement, 0)),
                              sqlite3_column_bytes(statement, 0));
        }
        sqlite3_finalize(statement);
        return blob;
    }

    // Runs one statement with a blob bound to ?1. Returns SQLite's message, or empty.
    QString executeWithBlob(const QString &sql, const QByteArray &blob)
    {
        sqlite3_stmt *statement = nullptr;
        sqlite3_prepare_v2(m_database, sql.toUtf8().constData(), -1, &statement, nullptr);
        sqlite3_bind_blob(statement, 1, blob.constData(), static_cast<int>(blob.size()),
                          SQLITE_TRANSIENT);
        const int resultCode = sqlite3_step(statement);
        sqlite3_finalize(statement);
        return resultCode == SQLITE_DONE ? QString()
                                         : QString::fromUtf8(sqlite3_errmsg(m_database));
    }

    sqlite3 *handle() const { return m_database; }

private:
    sqlite3 *m_database = nullptr;
};

// FNV-1a 64, written here apart from the journal's own, to recompute checksums and hashes the
// way the format documents them.
std::uint64_t fnv1a(const QByteArray &bytes)
{
    std::uint64_t hash = 0xcbf29ce484222325;
    for (const char byte : bytes) {
        hash ^= static_cast<std::uint8_t>(byte);
        hash *= 0x100000001b3;
    }
    return hash;
}

QByteArray littleEndian(std::uint64_t value, int width)
{
    QByteArray bytes;
    for (int byte = 0; byte < width; ++byte) {
        bytes.append(static_cast<char>(static_cast<std::uint8_t>(value >> (8 * byte))));
    }
    return bytes;
}

std::uint64_t rowChecksum(qint64 sequence, qint64 time, qint64 instrument, qint64 type,
                          const QByteArray &payload)
{
    return fnv1a(littleEndian(static_cast<std::uint64_t>(sequence), 8) +
                 littleEndian(static_cast<std::uint64_t>(time), 8) +
                 littleEndian(static_cast<std::uint64_t>(instrument), 4) +
                 littleEndian(static_cast<std::uint64_t>(type), 1) + payload);
}

std::uint64_t rowHash(std::uint64_t previousHash, std::uint64_t checksum)
{
    return fnv1a(littleEndian(previousHash, 8) + littleEndian(checksum, 8));
}

struct ReadResult {
    std::vector<Event> events;
    std::optional<JournalError> error;
    std::optional<JournalError> openError;
};

ReadResult readAll(const QString &path)
{
    ReadResult result;
    JournalReader::Opened opened = JournalReader::open(path.toStdString());
    if (!opened.reader) {
        result.openError = opened.error;
        return result;
    }
    while (std::optional<Event> event = opened.reader->next()) {
        result.events.push_back(std::move(*event));
    }
    result.error = opened.reader->error();
    return result;
}

QByteArray fileContents(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// What the corruption test does to row 42 of a journal of 100 events.
enum class Damage {
    FlipPayloadByte,
    ChangeChecksum,
    ChangeType,
    ChangeTime,
    ChangeHash,
    EditPayloadKeepChecksum,
    EditPayloadFixChecksum,
    EditPayloadFixRowHash,
    UndecodablePayloadFixChain,
    DeleteMiddleRow,
    DeleteTwoRows,
    DeleteFirstRow,
    DeleteLastRow,
    InstrumentOutOfRange,
    PayloadAsText,
    RaiseRecordedTail,
    ChangeRecordedHash,
};

constexpr SequenceNumber damagedSequence = 42;
constexpr SequenceNumber journalLength = 100;

} // namespace

class TestJournal : public QObject {
    Q_OBJECT

private slots:
    void init();

    void roundTripOfEveryType();
    void emptyJournalReadsNothing();
    void reopenContinuesSequence();
    void writerRejectsOutOfOrder_data();
    void writerRejectsOutOfOrder();
    void writerStopsAfterFirstError();
    void writerRejectsEventAfterClose();
    void transactionsCommitEveryNEvents();
    void flushCommitsPendingEvents();
    void batchEndCommitsAfterInterval();
    void destructorCommitsPendingEvents();
    void rowsFollowDocumentedHashes();
    void fnv1aMatchesPublishedVectors();
    void eventsTableIsAppendOnly();
    void readerSeesOneSnapshot();

    void damageIsDetected_data();
    void damageIsDetected();
    void writerRejectsDamagedTail_data();
    void writerRejectsDamagedTail();
    void otherFilesAreRejected_data();
    void otherFilesAreRejected();
    void truncatedJournalIsRejected();
    void newerFormatVersionIsRejected();
    void emptyFileBecomesJournal();
    void missingFileIsOpenError();

    void committedEventsSurviveCloseWithBlockedCheckpoint();
    void committedEventsSurviveProcessCrash();

private:
    QString journalPath() const { return m_directory->filePath(QStringLiteral("journal.sqlite")); }

    // Writes events 1..count to a new journal and closes it.
    void writeJournal(const QString &path, SequenceNumber count,
                      std::size_t eventsPerTransaction = 64);
    void damage(const QString &path, Damage kind);
    void rewriteFrom(RawDatabase &database, SequenceNumber first, const QByteArray &payload);

    std::optional<QTemporaryDir> m_directory;
};

void TestJournal::init()
{
    m_directory.emplace();
    QVERIFY(m_directory->isValid());
}

void TestJournal::writeJournal(const QString &path, SequenceNumber count,
                               std::size_t eventsPerTransaction)
{
    JournalWriterOptions options;
    options.eventsPerTransaction = eventsPerTransaction;
    JournalWriter::Created created = JournalWriter::create(path.toStdString(), options);
    QVERIFY2(created.writer, created.error ? created.error->toString().c_str() : "");
    for (SequenceNumber sequence = 1; sequence <= count; ++sequence) {
        created.writer->onEvent(sampleEvent(sequence));
    }
    const std::optional<JournalError> error = created.writer->close();
    QVERIFY2(!error, error ? error->toString().c_str() : "");
}

void TestJournal::roundTripOfEveryType()
{
    const SequenceNumber count = 700; // 100 of each of the 7 payload types
    writeJournal(journalPath(), count);
    QVERIFY(!QTest::currentTestFailed());

    const ReadResult result = readAll(journalPath());

    QVERIFY(!result.openError);
    QVERIFY2(!result.error, result.error ? result.error->toString().c_str() : "");
    QCOMPARE(result.events.size(), std::size_t{count});
    for (SequenceNumber sequence = 1; sequence <= count; ++sequence) {
        QCOMPARE(describe(result.events[sequence - 1]), describe(sampleEvent(sequence)));
    }
}

void TestJournal::emptyJournalReadsNothing()
{
    writeJournal(journalPath(), 0);

    JournalReader::Opened opened = JournalReader::open(journalPath().toStdString());
    QVERIFY(opened.reader);
    QCOMPARE(opened.reader->recordedLastSequence(), SequenceNumber{0});
    QVERIFY(!opened.reader->next());
    QVERIFY(!opened.reader->error());
    QCOMPARE(opened.reader->lastSequence(), SequenceNumber{0});
}

void TestJournal::reopenContinuesSequence()
{
    writeJournal(journalPath(), 10);

    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString());
    QVERIFY(created.writer);
    QCOMPARE(created.writer->lastSequence(), SequenceNumber{10});
    QCOMPARE(created.writer->committedSequence(), SequenceNumber{10});

    created.writer->onEvent(sampleEvent(11));
    created.writer->onEvent(sampleEvent(12));
    QVERIFY(!created.writer->close());

    const ReadResult result = readAll(journalPath());
    QVERIFY(!result.error);
    QCOMPARE(result.events.size(), std::size_t{12});
    QCOMPARE(describe(result.events[10]), describe(sampleEvent(11)));
    QCOMPARE(describe(result.events[11]), describe(sampleEvent(12)));
}

void TestJournal::writerRejectsOutOfOrder_data()
{
    QTest::addColumn<int>("eventsBefore");
    QTest::addColumn<quint64>("offered");
    QTest::addColumn<QString>("expectedMessage");

    QTest::newRow("new journal starting at 2") << 0 << quint64{2}
                                               << "sequence 2: event does not "
                                                  "follow the last event 0 "
                                                  "(expected sequence 1)";
    QTest::newRow("new journal starting at 0") << 0 << quint64{0}
                                               << "event does not follow the "
                                                  "last event 0 (expected "
                                                  "sequence 1)";
    QTest::newRow("repeat of the last") << 5 << quint64{5}
                                        << "sequence 5: event does not follow "
                                           "the last event 5 (expected "
                                           "sequence 6)";
    QTest::newRow("skip one") << 5 << quint64{7}
                              << "sequence 7: event does not follow the last "
                                 "event 5 (expected sequence 6)";
    QTest::newRow("step back") << 5 << quint64{3}
                               << "sequence 3: event does not follow the last "
                                  "event 5 (expected sequence 6)";
}

void TestJournal::writerRejectsOutOfOrder()
{
    QFETCH(int, eventsBefore);
    QFETCH(quint64, offered);
    QFETCH(QString, expectedMessage);

    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString());
    QVERIFY(created.writer);
    for (SequenceNumber sequence = 1; sequence <= SequenceNumber(eventsBefore); ++sequence) {
        created.writer->onEvent(sampleEvent(sequence));
    }
    created.writer->onEvent(sampleEvent(offered));

    const std::optional<JournalError> error = created.writer->flush();
    QVERIFY(error);
    QCOMPARE(error->kind, JournalErrorKind::SequenceOutOfOrder);
    QCOMPARE(error->sequence, SequenceNumber{offered});
    QCOMPARE(QString::fromStdString(error->toString()), journalPath() + ": " + expectedMessage);

    // The events before the rejected one are committed all the same.
    QCOMPARE(created.writer->committedSequence(), SequenceNumber(eventsBefore));
    created.writer.reset();
    const ReadResult result = readAll(journalPath());
    QVERIFY(!result.error);
    QCOMPARE(result.events.size(), std::size_t(eventsBefore));
}

void TestJournal::writerStopsAfterFirstError()
{
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString());
    QVERIFY(created.writer);
    created.writer->onEvent(sampleEvent(1));
    created.writer->onEvent(sampleEvent(3));
    created.writer->onEvent(sampleEvent(2)); // would follow 1, but the writer has stopped

    QCOMPARE(created.writer->lastSequence(), SequenceNumber{1});
    const std::optional<JournalError> error = created.writer->close();
    QVERIFY(error);
    QCOMPARE(error->sequence, SequenceNumber{3});
    QCOMPARE(readAll(journalPath()).events.size(), std::size_t{1});
}

void TestJournal::writerRejectsEventAfterClose()
{
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString());
    QVERIFY(created.writer);
    created.writer->onEvent(sampleEvent(1));
    QVERIFY(!created.writer->close());

    created.writer->onEvent(sampleEvent(2));

    QVERIFY(created.writer->error());
    QCOMPARE(created.writer->error()->kind, JournalErrorKind::WriterClosed);
    QCOMPARE(created.writer->error()->sequence, SequenceNumber{2});
    QCOMPARE(readAll(journalPath()).events.size(), std::size_t{1});
}

void TestJournal::transactionsCommitEveryNEvents()
{
    JournalWriterOptions options;
    options.eventsPerTransaction = 4;
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString(), options);
    QVERIFY(created.writer);
    RawDatabase observer(journalPath(), SQLITE_OPEN_READONLY);
    const QString count = QStringLiteral("SELECT count(*) FROM events");

    for (SequenceNumber sequence = 1; sequence <= 3; ++sequence) {
        created.writer->onEvent(sampleEvent(sequence));
    }
    QCOMPARE(observer.queryInteger(count), 0);
    QCOMPARE(created.writer->committedSequence(), SequenceNumber{0});

    created.writer->onEvent(sampleEvent(4));
    QCOMPARE(observer.queryInteger(count), 4);
    QCOMPARE(created.writer->committedSequence(), SequenceNumber{4});

    for (SequenceNumber sequence = 5; sequence <= 9; ++sequence) {
        created.writer->onEvent(sampleEvent(sequence));
    }
    QCOMPARE(observer.queryInteger(count), 8);
    QCOMPARE(created.writer->lastSequence(), SequenceNumber{9});
    QCOMPARE(created.writer->committedSequence(), SequenceNumber{8});
}

void TestJournal::flushCommitsPendingEvents()
{
    JournalWriterOptions options;
    options.eventsPerTransaction = 100;
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString(), options);
    QVERIFY(created.writer);
    RawDatabase observer(journalPath(), SQLITE_OPEN_READONLY);

    for (SequenceNumber sequence = 1; sequence <= 10; ++sequence) {
        created.writer->onEvent(sampleEvent(sequence));
    }
    QCOMPARE(observer.queryInteger(QStringLiteral("SELECT count(*) FROM events")), 0);

    QVERIFY(!created.writer->flush());
    QCOMPARE(observer.queryInteger(QStringLiteral("SELECT count(*) FROM events")), 10);
    QCOMPARE(observer.queryInteger(
                 QStringLiteral("SELECT value FROM metadata WHERE key = 'last_sequence'")),
             10);
    QCOMPARE(created.writer->committedSequence(), SequenceNumber{10});
}

// A slow flow never fills a transaction, so the end of a batch commits once the last commit is
// older than the interval, and not before.
void TestJournal::batchEndCommitsAfterInterval()
{
    JournalWriterOptions options;
    options.eventsPerTransaction = 100;
    options.batchCommitInterval = std::chrono::milliseconds(200);
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString(), options);
    QVERIFY(created.writer);

    for (SequenceNumber sequence = 1; sequence <= 3; ++sequence) {
        created.writer->onEvent(sampleEvent(sequence));
    }
    created.writer->onBatchEnd();
    QCOMPARE(created.writer->committedSequence(), SequenceNumber{0});

    QTest::qSleep(250);
    created.writer->onBatchEnd();
    QCOMPARE(created.writer->committedSequence(), SequenceNumber{3});

    created.writer->onEvent(sampleEvent(4));
    created.writer->onBatchEnd();
    QCOMPARE(created.writer->committedSequence(), SequenceNumber{3});
    QCOMPARE(created.writer->lastSequence(), SequenceNumber{4});
}

void TestJournal::destructorCommitsPendingEvents()
{
    {
        JournalWriter::Created created = JournalWriter::create(journalPath().toStdString());
        QVERIFY(created.writer);
        for (SequenceNumber sequence = 1; sequence <= 10; ++sequence) {
            created.writer->onEvent(sampleEvent(sequence));
        }
    }

    const ReadResult result = readAll(journalPath());
    QVERIFY(!result.error);
    QCOMPARE(result.events.size(), std::size_t{10});
}

void TestJournal::rowsFollowDocumentedHashes()
{
    writeJournal(journalPath(), 2);
    RawDatabase database(journalPath());

    std::uint64_t previousHash = 0;
    for (int sequence = 1; sequence <= 2; ++sequence) {
        const QString where = QStringLiteral(" FROM events WHERE sequence = %1").arg(sequence);
        const qint64 time = database.queryInteger("SELECT time" + where);
        const qint64 instrument = database.queryInteger("SELECT instrument" + where);
        const qint64 type = database.queryInteger("SELECT type" + where);
        const QByteArray payload = database.queryBlob("SELECT payload" + where);
        const auto checksum =
            static_cast<std::uint64_t>(database.queryInteger("SELECT checksum" + where));
        const auto hash = static_cast<std::uint64_t>(database.queryInteger("SELECT hash" + where));

        QCOMPARE(time, 34'200'000'000'000 + sequence * 1'000);
        QCOMPARE(instrument, 3);
        QCOMPARE(checksum, rowChecksum(sequence, time, instrument, type, payload));
        QCOMPARE(hash, rowHash(previousHash, checksum));
        previousHash = hash;
    }
    // Event 1 is an OrderAdded (1 % 7 == 1), event 2 an OrderRejected.
    QCOMPARE(database.queryInteger(QStringLiteral("SELECT type FROM events WHERE sequence = 1")),
             2);
    QCOMPARE(database.queryInteger(QStringLiteral("SELECT type FROM events WHERE sequence = 2")),
             3);
    QCOMPARE(database.queryInteger(QStringLiteral("SELECT value FROM metadata "
                                                  "WHERE key = 'format_version'")),
             1);
    QCOMPARE(database.queryInteger(QStringLiteral("PRAGMA application_id")), 0x4252534A);
    QCOMPARE(database.queryText(QStringLiteral("PRAGMA journal_mode")), QStringLiteral("wal"));
}

void TestJournal::fnv1aMatchesPublishedVectors()
{
    // Test vectors from the FNV reference (Fowler, Noll, Vo): the test's own FNV-1a must be
    // right for rowsFollowDocumentedHashes to mean anything.
    QCOMPARE(fnv1a(QByteArray()), std::uint64_t{0xcbf29ce484222325});
    QCOMPARE(fnv1a(QByteArray("a")), std::uint64_t{0xaf63dc4c8601ec8c});
    QCOMPARE(fnv1a(QByteArray("foobar")), std::uint64_t{0x85944171f73967e8});
}

void TestJournal::eventsTableIsAppendOnly()
{
    writeJournal(journalPath(), 3);
    RawDatabase database(journalPath());

    QVERIFY(database.execute(QStringLiteral("UPDATE events SET time = 0 WHERE sequence = 2"))
                .contains(QStringLiteral("append-only")));
    QVERIFY(database.execute(QStringLiteral("DELETE FROM events WHERE sequence = 3"))
                .contains(QStringLiteral("append-only")));
    QCOMPARE(database.queryInteger(QStringLiteral("SELECT count(*) FROM events")), 3);
}

void TestJournal::readerSeesOneSnapshot()
{
    JournalWriterOptions options;
    options.eventsPerTransaction = 1;
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString(), options);
    QVERIFY(created.writer);
    for (SequenceNumber sequence = 1; sequence <= 5; ++sequence) {
        created.writer->onEvent(sampleEvent(sequence));
    }

    JournalReader::Opened opened = JournalReader::open(journalPath().toStdString());
    QVERIFY(opened.reader);
    QVERIFY(opened.reader->next());
    for (SequenceNumber sequence = 6; sequence <= 8; ++sequence) {
        created.writer->onEvent(sampleEvent(sequence));
    }
    QVERIFY(!created.writer->error());

    int events = 1;
    while (opened.reader->next()) {
        ++events;
    }
    QVERIFY2(!opened.reader->error(), opened.reader->error()->toString().c_str());
    QCOMPARE(events, 5);
    QCOMPARE(opened.reader->lastSequence(), SequenceNumber{5});
}

void TestJournal::rewriteFrom(RawDatabase &database, SequenceNumber first,
                              const QByteArray &payload)
{
    // Replaces the payload of `first`, then recomputes checksums and hashes from there to the
    // end and the metadata's last hash, as an editor familiar with the format could.
    QCOMPARE(database.executeWithBlob(
                 QStringLiteral("UPDATE events SET payload = ?1 WHERE sequence = %1").arg(first),
                 payload),
             QString());

    const QString previous = QStringLiteral("SELECT hash FROM events WHERE sequence = %1");
    auto previousHash = static_cast<std::uint64_t>(database.queryInteger(previous.arg(first - 1)));
    for (SequenceNumber sequence = first; sequence <= journalLength; ++sequence) {
        const QString where = QStringLiteral(" FROM events WHERE sequence = %1").arg(sequence);
        const std::uint64_t checksum =
            rowChecksum(qint64(sequence), database.queryInteger("SELECT time" + where),
                        database.queryInteger("SELECT instrument" + where),
                        database.queryInteger("SELECT type" + where),
                        database.queryBlob("SELECT payload" + where));
        const std::uint64_t hash = rowHash(previousHash, checksum);
        QCOMPARE(database.execute(QStringLiteral("UPDATE events SET checksum = %1, hash = %2 "
                                                 "WHERE sequence = %3")
                                      .arg(qint64(checksum))
                                      .arg(qint64(hash))
                                      .arg(sequence)),
                 QString());
        previousHash = hash;
    }
    QCOMPARE(database.execute(QStringLiteral("UPDATE metadata SET value = %1 "
                                             "WHERE key = 'last_hash'")
                                  .arg(qint64(previousHash))),
             QString());
}

void TestJournal::damage(const QString &path, Damage kind)
{
    RawDatabase database(path);
    QCOMPARE(database.execute(QStringLiteral("DROP TRIGGER events_no_update; "
                                             "DROP TRIGGER events_no_delete;")),
             QString());
    const QString row = QStringLiteral(" WHERE sequence = %1").arg(damagedSequence);
    const QByteArray payload = database.queryBlob("SELECT payload FROM events" + row);
    QString error;

    switch (kind) {
    case Damage::FlipPayloadByte: {
        // Through the incremental blob API: the bytes change in place, nothing else does.
        sqlite3_blob *blob = nullptr;
        QCOMPARE(sqlite3_blob_open(database.handle(), "main", "events", "payload",
                                   sqlite3_int64(damagedSequence), 1, &blob),
                 SQLITE_OK);
        char byte = 0;
        QCOMPARE(sqlite3_blob_read(blob, &byte, 1, 5), SQLITE_OK);
        byte = static_cast<char>(byte ^ 0x01);
        QCOMPARE(sqlite3_blob_write(blob, &byte, 1, 5), SQLITE_OK);
        QCOMPARE(sqlite3_blob_close(blob), SQLITE_OK);
        break;
    }
    case Damage::ChangeChecksum:
        error = database.execute("UPDATE events SET checksum = checksum + 1" + row);
        break;
    case Damage::ChangeType:
        error = database.execute("UPDATE events SET type = type % 7 + 1" + row);
        break;
    case Damage::ChangeTime:
        error = database.execute("UPDATE events SET time = time + 1" + row);
        break;
    case Damage::ChangeHash:
        error = database.execute("UPDATE events SET hash = hash + 1" + row);
        break;
    case Damage::EditPayloadKeepChecksum: {
        QByteArray edited = payload;
        edited[edited.size() - 2] = static_cast<char>(edited[edited.size() - 2] + 1);
        error = database.executeWithBlob("UPDATE events SET payload = ?1" + row, edited);
        break;
    }
    case Damage::EditPayloadFixChecksum: {
        QByteArray edited = payload;
        edited[edited.size() - 2] = static_cast<char>(edited[edited.size() - 2] + 1);
        error = database.executeWithBlob("UPDATE events SET payload = ?1" + row, edited);
        const std::uint64_t checksum = rowChecksum(
            qint64(damagedSequence), database.queryInteger("SELECT time FROM events" + row),
            database.queryInteger("SELECT instrument FROM events" + row),
            database.queryInteger("SELECT type FROM events" + row), edited);
        error += database.execute(
            QStringLiteral("UPDATE events SET checksum = %1").arg(qint64(checksum)) + row);
        break;
    }
    case Damage::EditPayloadFixRowHash: {
        // Checksum and hash of the row itself are consistent again; only the next row's hash
        // still refers to the old one.
        QByteArray edited = payload;
        edited[edited.size() - 2] = static_cast<char>(edited[edited.size() - 2] + 1);
        error = database.executeWithBlob("UPDATE events SET payload = ?1" + row, edited);
        const std::uint64_t checksum = rowChecksum(
            qint64(damagedSequence), database.queryInteger("SELECT time FROM events" + row),
            database.queryInteger("SELECT instrument FROM events" + row),
            database.queryInteger("SELECT type FROM events" + row), edited);
        const auto previousHash = static_cast<std::uint64_t>(
            database.queryInteger(QStringLiteral("SELECT hash FROM events WHERE sequence = %1")
                                      .arg(damagedSequence - 1)));
        error += database.execute(QStringLiteral("UPDATE events SET checksum = %1, hash = %2")
                                      .arg(qint64(checksum))
                                      .arg(qint64(rowHash(previousHash, checksum))) +
                                  row);
        break;
    }
    case Damage::UndecodablePayloadFixChain: {
        QByteArray edited = payload;
        edited[1] = char(99); // no event type has number 99
        rewriteFrom(database, damagedSequence, edited);
        break;
    }
    case Damage::DeleteMiddleRow:
        error = database.execute("DELETE FROM events" + row);
        break;
    case Damage::DeleteTwoRows:
        error = database.execute(QStringLiteral("DELETE FROM events WHERE sequence IN (%1, %2)")
                                     .arg(damagedSequence)
                                     .arg(damagedSequence + 1));
        break;
    case Damage::DeleteFirstRow:
        error = database.execute(QStringLiteral("DELETE FROM events WHERE sequence = 1"));
        break;
    case Damage::DeleteLastRow:
        error = database.execute(
            QStringLiteral("DELETE FROM events WHERE sequence = %1").arg(journalLength));
        break;
    case Damage::InstrumentOutOfRange:
        error = database.execute("UPDATE events SET instrument = 5000000000" + row);
        break;
    case Damage::PayloadAsText:
        error = database.execute("UPDATE events SET payload = 'abc'" + row);
        break;
    case Damage::RaiseRecordedTail:
        error = database.execute(QStringLiteral("UPDATE metadata SET value = %1 "
                                                "WHERE key = 'last_sequence'")
                                     .arg(journalLength + 1));
        break;
    case Damage::ChangeRecordedHash:
        error = database.execute(
            QStringLiteral("UPDATE metadata SET value = value + 1 WHERE key = 'last_hash'"));
        break;
    }
    QCOMPARE(error, QString());
}

void TestJournal::damageIsDetected_data()
{
    QTest::addColumn<int>("damageKind");
    QTest::addColumn<int>("expectedKind");
    QTest::addColumn<quint64>("expectedSequence");
    QTest::addColumn<QString>("expectedMessage");
    QTest::addColumn<quint64>("expectedEvents");

    // The reader withholds the event before a failed row, so when row N fails it has returned
    // N - 2 events.
    const auto row = [](const char *name, Damage damage, JournalErrorKind kind,
                        SequenceNumber sequence, const char *message) {
        QTest::newRow(name) << int(damage) << int(kind) << quint64{sequence}
                            << QString::fromUtf8(message) << quint64{sequence - 2};
    };
    row("payload byte flipped", Damage::FlipPayloadByte, JournalErrorKind::ChecksumMismatch, 42,
        "checksum mismatch: stored 0x");
    row("checksum changed", Damage::ChangeChecksum, JournalErrorKind::ChecksumMismatch, 42,
        "checksum mismatch: stored 0x");
    row("type column changed", Damage::ChangeType, JournalErrorKind::ChecksumMismatch, 42,
        "checksum mismatch");
    row("time changed", Damage::ChangeTime, JournalErrorKind::ChecksumMismatch, 42,
        "checksum mismatch");
    row("hash changed", Damage::ChangeHash, JournalErrorKind::ChainBroken, 42,
        "chain broken: stored hash 0x");
    row("payload edited", Damage::EditPayloadKeepChecksum, JournalErrorKind::ChecksumMismatch, 42,
        "checksum mismatch");
    row("payload edited, checksum recomputed", Damage::EditPayloadFixChecksum,
        JournalErrorKind::ChainBroken, 42, "does not follow from the previous event's hash");
    // Row 42 is consistent in itself; row 43 exposes it, and 42 is never returned.
    row("payload edited, row hash recomputed", Damage::EditPayloadFixRowHash,
        JournalErrorKind::ChainBroken, 43, "does not follow from the previous event's hash");
    row("payload undecodable, chain recomputed", Damage::UndecodablePayloadFixChain,
        JournalErrorKind::UndecodablePayload, 42, "undecodable payload: unknown event type 99");
    row("middle row deleted", Damage::DeleteMiddleRow, JournalErrorKind::SequenceGap, 42,
        "sequence 42 is missing (gap from 41 to 43)");
    row("two rows deleted", Damage::DeleteTwoRows, JournalErrorKind::SequenceGap, 42,
        "sequences 42 to 43 are missing (gap from 41 to 44)");
    row("instrument out of range", Damage::InstrumentOutOfRange, JournalErrorKind::MalformedRow, 42,
        "instrument 5000000000 is out of range");
    row("payload stored as text", Damage::PayloadAsText, JournalErrorKind::MalformedRow, 42,
        "column payload is not a blob");

    QTest::newRow("first row deleted")
        << int(Damage::DeleteFirstRow) << int(JournalErrorKind::SequenceGap) << quint64{1}
        << "sequence 1 is missing: the first event is 2" << quint64{0};
    QTest::newRow("last row deleted")
        << int(Damage::DeleteLastRow) << int(JournalErrorKind::TailMismatch) << quint64{100}
        << "the journal ends at sequence 99 but its metadata records 100 as the last: events "
           "were removed from the end"
        << quint64{98};
    QTest::newRow("recorded tail raised")
        << int(Damage::RaiseRecordedTail) << int(JournalErrorKind::TailMismatch) << quint64{101}
        << "the journal ends at sequence 100 but its metadata records 101" << quint64{99};
    QTest::newRow("recorded hash changed")
        << int(Damage::ChangeRecordedHash) << int(JournalErrorKind::TailMismatch) << quint64{100}
        << "the last event's hash 0x" << quint64{99};
}

void TestJournal::damageIsDetected()
{
    QFETCH(int, damageKind);
    QFETCH(int, expectedKind);
    QFETCH(quint64, expectedSequence);
    QFETCH(QString, expectedMessage);
    QFETCH(quint64, expectedEvents);

    writeJournal(journalPath(), journalLength);
    damage(journalPath(), static_cast<Damage>(damageKind));
    QVERIFY(!QTest::currentTestFailed());

    const ReadResult result = readAll(journalPath());

    QVERIFY(!result.openError);
    QVERIFY(result.error);
    const QString message = QString::fromStdString(result.error->toString());
    QVERIFY2(
        message.startsWith(journalPath() + QStringLiteral(": sequence %1: ").arg(expectedSequence)),
        qPrintable(message));
    QVERIFY2(message.contains(expectedMessage), qPrintable(message));
    QCOMPARE(int(result.error->kind), expectedKind);
    QCOMPARE(result.error->sequence, SequenceNumber{expectedSequence});
    QCOMPARE(result.events.size(), std::size_t{expectedEvents});
    for (std::size_t i = 0; i < result.events.size(); ++i) {
        QCOMPARE(describe(result.events[i]), describe(sampleEvent(i + 1)));
    }
}

void TestJournal::writerRejectsDamagedTail_data()
{
    QTest::addColumn<int>("damageKind");
    QTest::addColumn<int>("expectedKind");
    QTest::addColumn<quint64>("expectedSequence");
    QTest::addColumn<QString>("expectedMessage");

    QTest::newRow("last row deleted")
        << int(Damage::DeleteLastRow) << int(JournalErrorKind::TailMismatch) << quint64{99}
        << "the last event is 99 but the metadata records 100";
    QTest::newRow("recorded tail raised")
        << int(Damage::RaiseRecordedTail) << int(JournalErrorKind::TailMismatch) << quint64{100}
        << "the last event is 100 but the metadata records 101";
    QTest::newRow("recorded hash changed")
        << int(Damage::ChangeRecordedHash) << int(JournalErrorKind::TailMismatch) << quint64{100}
        << "differs from the metadata's";
}

void TestJournal::writerRejectsDamagedTail()
{
    QFETCH(int, damageKind);
    QFETCH(int, expectedKind);
    QFETCH(quint64, expectedSequence);
    QFETCH(QString, expectedMessage);

    writeJournal(journalPath(), journalLength);
    damage(journalPath(), static_cast<Damage>(damageKind));
    const QByteArray before = fileContents(journalPath());

    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString());

    QVERIFY(!created.writer);
    QVERIFY(created.error);
    QCOMPARE(int(created.error->kind), expectedKind);
    QCOMPARE(created.error->sequence, SequenceNumber{expectedSequence});
    QVERIFY2(QString::fromStdString(created.error->what).contains(expectedMessage),
             created.error->toString().c_str());

    // The reader finds the same damage at the end of the file.
    const ReadResult result = readAll(journalPath());
    QVERIFY(result.error);
    QCOMPARE(result.error->kind, JournalErrorKind::TailMismatch);
    QCOMPARE(fileContents(journalPath()), before);
}

void TestJournal::otherFilesAreRejected_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<QString>("setupSql");
    QTest::addColumn<int>("expectedKind");
    QTest::addColumn<QString>("expectedMessage");

    QByteArray garbage;
    for (int i = 0; i < 8192; ++i) {
        garbage.append(static_cast<char>((i * 131 + 7) % 251));
    }
    QTest::newRow("garbage bytes") << garbage << QString() << int(JournalErrorKind::NotAJournal)
                                   << "not a journal: file is not a database (SQLite error 26)";
    QTest::newRow("text file") << QByteArray("time,type,id\n34200.1,1,42\n") << QString()
                               << int(JournalErrorKind::NotAJournal)
                               << "not a journal: file is not a database";
    QTest::newRow("other SQLite database")
        << QByteArray() << "CREATE TABLE prices (day TEXT, close INTEGER);"
        << int(JournalErrorKind::NotAJournal)
        << "not a journal: the SQLite database has no events table";
    QTest::newRow("events table without metadata")
        << QByteArray() << "CREATE TABLE events (sequence INTEGER PRIMARY KEY);"
        << int(JournalErrorKind::NotAJournal)
        << "not a journal: the SQLite database has no metadata table";
    QTest::newRow("same tables, other application")
        << QByteArray()
        << "CREATE TABLE events (sequence INTEGER PRIMARY KEY); "
           "CREATE TABLE metadata (key TEXT, value INTEGER);"
        << int(JournalErrorKind::NotAJournal)
        << "not a journal: the SQLite database has application id 0x00000000 where 0x4252534a "
           "expected";
}

void TestJournal::otherFilesAreRejected()
{
    QFETCH(QByteArray, contents);
    QFETCH(QString, setupSql);
    QFETCH(int, expectedKind);
    QFETCH(QString, expectedMessage);

    if (setupSql.isEmpty()) {
        QFile file(journalPath());
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(contents);
    } else {
        RawDatabase database(journalPath(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        QCOMPARE(database.execute(setupSql), QString());
    }
    const QByteArray before = fileContents(journalPath());

    const ReadResult read = readAll(journalPath());
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString());

    QVERIFY(read.openError);
    QCOMPARE(int(read.openError->kind), expectedKind);
    QVERIFY2(QString::fromStdString(read.openError->toString())
                 .startsWith(journalPath() + ": " + expectedMessage),
             read.openError->toString().c_str());
    QVERIFY(!created.writer);
    QVERIFY(created.error);
    QCOMPARE(int(created.error->kind), expectedKind);
    QVERIFY2(QString::fromStdString(created.error->toString())
                 .startsWith(journalPath() + ": " + expectedMessage),
             created.error->toString().c_str());
    QCOMPARE(fileContents(journalPath()), before);
}

void TestJournal::truncatedJournalIsRejected()
{
    writeJournal(journalPath(), 3000);
    QFile file(journalPath());
    const qint64 fullSize = file.size();
    QVERIFY(fullSize > 64 * 1024);
    QVERIFY(file.resize(fullSize / 2));

    const ReadResult result = readAll(journalPath());

    const std::optional<JournalError> &error = result.openError ? result.openError : result.error;
    QVERIFY(error);
    const QString message = QString::fromStdString(error->toString());
    QVERIFY2(message.startsWith(journalPath() + ": "), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("database disk image is malformed")),
             qPrintable(message));
    QCOMPARE(error->kind, JournalErrorKind::DatabaseCorrupt);
    QVERIFY(result.events.size() < 3000);
}

void TestJournal::newerFormatVersionIsRejected()
{
    writeJournal(journalPath(), 3);
    {
        RawDatabase database(journalPath());
        QCOMPARE(database.execute(QStringLiteral("UPDATE metadata SET value = 2 "
                                                 "WHERE key = 'format_version'")),
                 QString());
    }
    const QByteArray before = fileContents(journalPath());
    const QString expected = journalPath() + ": journal format version 2 is newer than this "
                                             "build reads (version 1); open it with a newer "
                                             "Bourse";

    const ReadResult read = readAll(journalPath());
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString());

    QVERIFY(read.openError);
    QCOMPARE(read.openError->kind, JournalErrorKind::UnsupportedFormat);
    QCOMPARE(QString::fromStdString(read.openError->toString()), expected);
    QVERIFY(!created.writer);
    QVERIFY(created.error);
    QCOMPARE(created.error->kind, JournalErrorKind::UnsupportedFormat);
    QCOMPARE(QString::fromStdString(created.error->toString()), expected);
    QCOMPARE(fileContents(journalPath()), before);
}

void TestJournal::emptyFileBecomesJournal()
{
    QFile file(journalPath());
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();

    const ReadResult read = readAll(journalPath());
    QVERIFY(read.openError);
    QCOMPARE(read.openError->kind, JournalErrorKind::NotAJournal);
    QCOMPARE(QString::fromStdString(read.openError->toString()),
             journalPath() + ": not a journal: the SQLite database has no tables");

    // An empty file is an empty SQLite database, so the writer may make it a journal.
    writeJournal(journalPath(), 2);
    QCOMPARE(readAll(journalPath()).events.size(), std::size_t{2});
}

void TestJournal::missingFileIsOpenError()
{
    const QString path = m_directory->filePath(QStringLiteral("absent/journal.sqlite"));

    const ReadResult read = readAll(path);
    JournalWriter::Created created = JournalWriter::create(path.toStdString());

    QVERIFY(read.openError);
    QCOMPARE(read.openError->kind, JournalErrorKind::OpenFailed);
    QCOMPARE(QString::fromStdString(read.openError->toString()),
             path + ": failed to open the journal: unable to open database file (SQLite error 14)");
    QVERIFY(created.error);
    QCOMPARE(created.error->kind, JournalErrorKind::OpenFailed);
}

// A journal in WAL mode takes 1000 single-event transactions while a reader keeps a read
// transaction open, so no checkpoint can move the WAL into the database file. After every
// connection has closed, the reopened file contains all 1000 events.
void TestJournal::committedEventsSurviveCloseWithBlockedCheckpoint()
{
    const std::string path = journalPath().toStdString();
    {
        JournalWriterOptions options;
        options.eventsPerTransaction = 1;
        JournalWriter::Created created = JournalWriter::create(path, options);
        QVERIFY(created.writer);
        created.writer->onEvent(sampleEvent(1));

        RawDatabase reader(journalPath(), SQLITE_OPEN_READONLY);
        QCOMPARE(reader.execute(QStringLiteral("BEGIN")), QString());
        QCOMPARE(reader.queryInteger(QStringLiteral("SELECT count(*) FROM events")), 1);

        for (SequenceNumber sequence = 2; sequence <= 1000; ++sequence) {
            created.writer->onEvent(sampleEvent(sequence));
            QCOMPARE(created.writer->committedSequence(), sequence);
        }

        // A checkpoint that must empty the WAL waits for the reader and gives up as busy.
        RawDatabase checkpointer(journalPath());
        sqlite3_busy_timeout(checkpointer.handle(), 0);
        QCOMPARE(checkpointer.queryText(QStringLiteral("PRAGMA journal_mode")),
                 QStringLiteral("wal"));
        int walFrames = 0;
        int checkpointedFrames = 0;
        const int checkpoint =
            sqlite3_wal_checkpoint_v2(checkpointer.handle(), nullptr, SQLITE_CHECKPOINT_TRUNCATE,
                                      &walFrames, &checkpointedFrames);
        QCOMPARE(checkpoint, SQLITE_BUSY);
        QVERIFY(walFrames > 0);
        QVERIFY(QFileInfo(journalPath() + "-wal").size() > 0);

        // The writer closes first, while the reader still reads its snapshot of one event.
        QVERIFY(!created.writer->close());
        QCOMPARE(reader.queryInteger(QStringLiteral("SELECT count(*) FROM events")), 1);
        QCOMPARE(reader.execute(QStringLiteral("COMMIT")), QString());
    }

    RawDatabase reopened(journalPath());
    QCOMPARE(reopened.queryInteger(QStringLiteral("SELECT count(*) FROM events")), 1000);
    QCOMPARE(reopened.queryInteger(QStringLiteral("SELECT max(sequence) FROM events")), 1000);
    QCOMPARE(reopened.queryText(QStringLiteral("PRAGMA integrity_check")), QStringLiteral("ok"));

    const ReadResult result = readAll(journalPath());
    QVERIFY2(!result.error, result.error ? result.error->toString().c_str() : "");
    QCOMPARE(result.events.size(), std::size_t{1000});
    QCOMPARE(describe(result.events.back()), describe(sampleEvent(1000)));
}

void TestJournal::committedEventsSurviveProcessCrash()
{
    // The child appends 1050 events in transactions of 100 and ends without closing anything,
    // as a crash would: the last 50 were never committed.
    const std::string path = journalPath().toStdString();
    const pid_t child = fork();
    QVERIFY(child >= 0);
    if (child == 0) {
        JournalWriterOptions options;
        options.eventsPerTransaction = 100;
        JournalWriter::Created created = JournalWriter::create(path, options);
        if (!created.writer) {
            _exit(2);
        }
        for (SequenceNumber sequence = 1; sequence <= 1050; ++sequence) {
            created.writer->onEvent(sampleEvent(sequence));
        }
        _exit(created.writer->committedSequence() == 1000 ? 0 : 1);
    }
    int status = 0;
    QCOMPARE(waitpid(child, &status, 0), child);
    QVERIFY(WIFEXITED(status));
    QCOMPARE(WEXITSTATUS(status), 0);
    QVERIFY(QFileInfo(journalPath() + "-wal").size() > 0);

    const ReadResult result = readAll(journalPath());
    QVERIFY2(!result.error, result.error ? result.error->toString().c_str() : "");
    QCOMPARE(result.events.size(), std::size_t{1000});
    QCOMPARE(describe(result.events.back()), describe(sampleEvent(1000)));

    JournalWriter::Created reopened = JournalWriter::create(path);
    QVERIFY(reopened.writer);
    QCOMPARE(reopened.writer->lastSequence(), SequenceNumber{1000});
}

QTEST_GUILESS_MAIN(TestJournal)
#include "tst_journal.moc"

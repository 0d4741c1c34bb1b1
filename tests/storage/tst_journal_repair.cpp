// app::repairJournal, the repair behind `bourse-engine journal recover` and the terminal, on a
// small journal whose chunks and snapshots the test places itself, damaged in known places.

#include "engine_recovery.h"
#include "journal.h"
#include "journal_repair.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

using namespace bourse;
using namespace bourse::app;
using namespace bourse::storage;

namespace {

constexpr InstrumentId kInstrument{7};

Timestamp at(int step)
{
    return Timestamp{34'200'000'000'000 + step * 1'000'000};
}

NewOrder limitOrder(std::uint64_t id, Side side, std::int64_t price, std::int64_t quantity)
{
    NewOrder order;
    order.id = OrderId{id};
    order.side = side;
    order.limit = Price{price};
    order.quantity = Quantity{quantity};
    order.instrument = kInstrument;
    order.account = AccountId{1};
    return order;
}

// The journal of every test, as the engine publishes it. A batch end closes a chunk. So the
// chunks are [1, 3], [4, 7] and [8, 10], and each ends where a command ended:
//   1      InstrumentAdded 7                     chunk 1
//   2, 3   OrderAccepted, OrderAdded: sell #1    chunk 1, then the snapshot at 3
//   4, 5   OrderAccepted, OrderAdded: sell #2    chunk 2
//   6, 7   OrderAccepted, OrderAdded: sell #3    chunk 2, then the snapshot at 7
//   8, 9   OrderAccepted, OrderAdded: buy #4     chunk 3
//   10     OrderCancelled #4                     chunk 3
struct WrittenSession {
    std::uint64_t stateHashAt3 = 0;
    bool written = false;
};

WrittenSession writeSession(const QString &path)
{
    JournalWriter::Created created = JournalWriter::create(path.toStdString());
    if (!created.writer) {
        qWarning("cannot create the journal: %s", created.error->toString().c_str());
        return {};
    }
    JournalWriter &writer = *created.writer;
    Engine engine;
    engine.addHandler(&writer);

    InstrumentDefinition definition;
    definition.id = kInstrument;
    definition.symbol = {'A', 'C', 'M', 'E'};
    definition.currency = {'E', 'U', 'R'};
    definition.priceDecimals = 2;
    engine.addInstrument(definition, at(1));
    engine.submit(limitOrder(1, Side::Sell, 12345, 30), at(2));
    engine.endBatch();
    WrittenSession session;
    session.stateHashAt3 = engine.stateHash();
    writer.writeSnapshot(3, engine.stateHash(), engine.snapshot());

    engine.submit(limitOrder(2, Side::Sell, 12350, 10), at(3));
    engine.submit(limitOrder(3, Side::Sell, 12360, 10), at(4));
    engine.endBatch();
    writer.writeSnapshot(7, engine.stateHash(), engine.snapshot());

    engine.submit(limitOrder(4, Side::Buy, 12300, 5), at(5));
    engine.cancel(OrderId{4}, at(6));
    engine.endBatch();
    engine.removeHandler(&writer);
    if (const std::optional<JournalError> error = writer.close()) {
        qWarning("cannot close the journal: %s", error->toString().c_str());
        return {};
    }
    session.written = engine.lastSequence() == 10;
    return session;
}

// A plain SQLite connection that edits a journal the way a person with the sqlite3 shell would.
class RawDatabase {
public:
    explicit RawDatabase(const QString &path)
    {
        sqlite3_open_v2(QFile::encodeName(path).constData(), &m_database, SQLITE_OPEN_READWRITE,
                        nullptr);
    }
    ~RawDatabase() { sqlite3_close_v2(m_database); }
    RawDatabase(const RawDatabase &) = delete;
    RawDatabase &operator=(const RawDatabase &) = delete;

    // Keeps every change in the -wal file when the connection closes, as after a crash.
    void keepWalOnClose()
    {
        sqlite3_db_config(m_database, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
    }

    QString execute(const QString &sql)
    {
        char *message = nullptr;
        sqlite3_exec(m_database, sql.toUtf8().constData(), nullptr, nullptr, &message);
        const QString error = message ? QString::fromUtf8(message) : QString();
        sqlite3_free(message);
        return error;
    }

    QList<QList<qint64>> rows(const QString &sql)
    {
        QList<QList<qint64>> found;
        sqlite3_stmt *statement = nullptr;
        sqlite3_prepare_v2(m_database, sql.toUtf8().constData(), -1, &statement, nullptr);
        while (statement && sqlite3_step(statement) == SQLITE_ROW) {
            QList<qint64> row;
            for (int column = 0; column < sqlite3_column_count(statement); ++column) {
                row.append(sqlite3_column_int64(statement, column));
            }
            found.append(row);
        }
        sqlite3_finalize(statement);
        return found;
    }

    QByteArray blob(const QString &sql)
    {
        QByteArray bytes;
        sqlite3_stmt *statement = nullptr;
        sqlite3_prepare_v2(m_database, sql.toUtf8().constData(), -1, &statement, nullptr);
        if (statement && sqlite3_step(statement) == SQLITE_ROW) {
            bytes = QByteArray(static_cast<const char *>(sqlite3_column_blob(statement, 0)),
                               sqlite3_column_bytes(statement, 0));
        }
        sqlite3_finalize(statement);
        return bytes;
    }

    // Flips the low bit of one byte of a blob in place, so that nothing else in the row changes
    // and no trigger runs.
    bool flipByte(const char *table, const char *column, qint64 rowid, int offset)
    {
        sqlite3_blob *blob = nullptr;
        if (sqlite3_blob_open(m_database, "main", table, column, rowid, 1, &blob) != SQLITE_OK) {
            return false;
        }
        char byte = 0;
        bool flipped = sqlite3_blob_read(blob, &byte, 1, offset) == SQLITE_OK;
        byte = static_cast<char>(byte ^ 0x01);
        flipped = flipped && sqlite3_blob_write(blob, &byte, 1, offset) == SQLITE_OK;
        return sqlite3_blob_close(blob) == SQLITE_OK && flipped;
    }

private:
    sqlite3 *m_database = nullptr;
};

std::uint64_t littleEndian(const QByteArray &bytes, qsizetype offset, int width)
{
    std::uint64_t value = 0;
    for (int byte = width - 1; byte >= 0; --byte) {
        value = value << 8 | static_cast<std::uint8_t>(bytes[offset + byte]);
    }
    return value;
}

// Flips a bit in the payload of event `sequence`, so that its checksum no longer matches. A
// chunk record is sequence (8 bytes), time (8), instrument (4), type (1), payload size (2),
// payload, checksum (8) and hash (8), as docs/journal.md documents it.
bool damagePayload(RawDatabase &database, SequenceNumber sequence)
{
    const QList<QList<qint64>> chunk = database.rows(
        QStringLiteral("SELECT first_sequence FROM chunks WHERE first_sequence <= %1 AND "
                       "last_sequence >= %1")
            .arg(sequence));
    if (chunk.size() != 1) {
        return false;
    }
    const qint64 first = chunk.front().front();
    const QByteArray body = database.blob(
        QStringLiteral("SELECT body FROM chunks WHERE first_sequence = %1").arg(first));
    constexpr int kHeader = 8 + 8 + 4 + 1 + 2;
    qsizetype offset = 0;
    while (offset + kHeader <= body.size()) {
        const auto payloadSize = static_cast<qsizetype>(littleEndian(body, offset + 21, 2));
        if (littleEndian(body, offset, 8) == sequence) {
            return database.flipByte("chunks", "body", first, static_cast<int>(offset + kHeader));
        }
        offset += kHeader + payloadSize + 16;
    }
    return false;
}

// FNV-1a 64 over the little-endian bytes of each value and the body: a snapshot's checksum as
// docs/journal.md defines it.
std::uint64_t snapshotChecksum(std::uint64_t sequence, std::uint64_t chainHash,
                               std::uint64_t stateHash, const QByteArray &body)
{
    std::uint64_t hash = 0xcbf29ce484222325;
    const auto add = [&hash](std::uint8_t byte) {
        hash ^= byte;
        hash *= 0x100000001b3;
    };
    for (const std::uint64_t value : {sequence, chainHash, stateHash}) {
        for (int byte = 0; byte < 8; ++byte) {
            add(static_cast<std::uint8_t>(value >> (8 * byte)));
        }
    }
    for (const char byte : body) {
        add(static_cast<std::uint8_t>(byte));
    }
    return hash;
}

// Gives the snapshot at `sequence` another chain hash, with a checksum that matches it, as a
// deliberate edit by someone who has the format would.
bool moveSnapshotChain(RawDatabase &database, SequenceNumber sequence)
{
    const QList<QList<qint64>> row = database.rows(
        QStringLiteral("SELECT chain_hash, state_hash FROM snapshots WHERE sequence = %1")
            .arg(sequence));
    if (row.size() != 1) {
        return false;
    }
    const QByteArray body = database.blob(
        QStringLiteral("SELECT body FROM snapshots WHERE sequence = %1").arg(sequence));
    const auto chainHash = static_cast<std::uint64_t>(row.front()[0]) + 1;
    const auto stateHash = static_cast<std::uint64_t>(row.front()[1]);
    const std::uint64_t checksum = snapshotChecksum(sequence, chainHash, stateHash, body);
    return database
        .execute(QStringLiteral("DROP TRIGGER snapshots_no_update; UPDATE snapshots SET "
                                "chain_hash = %2, checksum = %3 WHERE sequence = %1")
                     .arg(sequence)
                     .arg(static_cast<qint64>(chainHash))
                     .arg(static_cast<qint64>(checksum)))
        .isEmpty();
}

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The events and snapshots of a journal as JournalReader reads them, each snapshot checked
// against the chain hash of its event.
struct ReadBack {
    SequenceNumber lastSequence = 0;
    std::vector<SequenceNumber> snapshots; // oldest first
    QString problem;
};

ReadBack readBack(const QString &path)
{
    ReadBack read;
    JournalReader::Opened opened = JournalReader::open(path.toStdString());
    if (!opened.reader) {
        read.problem = QString::fromStdString(opened.error->toString());
        return read;
    }
    JournalReader &reader = *opened.reader;
    std::optional<JournalError> error;
    std::vector<SnapshotInfo> snapshots = reader.snapshots(error);
    std::sort(snapshots.begin(), snapshots.end(),
              [](const SnapshotInfo &a, const SnapshotInfo &b) { return a.sequence < b.sequence; });
    std::size_t next = 0;
    while (const std::optional<Event> event = reader.next()) {
        if (next < snapshots.size() && snapshots[next].sequence == event->sequence) {
            if (snapshots[next].chainHash != reader.lastHash()) {
                read.problem = QStringLiteral("the snapshot at %1 has another chain hash")
                                   .arg(event->sequence);
            }
            read.snapshots.push_back(snapshots[next++].sequence);
        }
    }
    if (reader.error()) {
        read.problem = QString::fromStdString(reader.error()->toString());
    }
    for (; next < snapshots.size(); ++next) {
        read.problem =
            QStringLiteral("the snapshot at %1 has no event").arg(snapshots[next].sequence);
    }
    for (const SequenceNumber sequence : read.snapshots) {
        if (!reader.readSnapshot(sequence, error)) {
            read.problem = QString::fromStdString(error->toString());
        }
    }
    read.lastSequence = reader.lastSequence();
    return read;
}

} // namespace

class TestJournalRepair : public QObject {
    Q_OBJECT

private slots:
    void init();

    void repairKeepsConfirmedWholeCommands_data();
    void repairKeepsConfirmedWholeCommands();
    void repairedJournalRestartsFromKeptSnapshot();
    void repairKeepsRecordsOfKeptEvents();
    void damagedSnapshotStopsFullCheckRestart_data();
    void damagedSnapshotStopsFullCheckRestart();
    void malformedSnapshotPageIsDamage();
    void repairCopiesWalToSideFile();
    void repairPicksFreeSideFileName();
    void repairRemovesInterruptedLeftovers();
    void repairOfFirstPageKeepsNothing();
    void repairRejectsUnreadableFile_data();
    void repairRejectsUnreadableFile();

private:
    QString journalPath() const { return m_folder->filePath(QStringLiteral("day.journal")); }
    // The names in the test's folder, sorted.
    QStringList folderEntries() const
    {
        return QDir(m_folder->path()).entryList(QDir::Files | QDir::NoDotAndDotDot, QDir::Name);
    }

    std::optional<QTemporaryDir> m_folder;
};

void TestJournalRepair::init()
{
    m_folder.emplace();
    QVERIFY(m_folder->isValid());
}

enum class Edit : std::uint8_t { None, Payload, Sql, SnapshotChain };
Q_DECLARE_METATYPE(Edit)
Q_DECLARE_METATYPE(RepairOutcome)
Q_DECLARE_METATYPE(JournalErrorKind)
Q_DECLARE_METATYPE(SnapshotFate)

// Every expected value follows from the session's layout. An event is kept when a later event
// or the intact metadata confirms its hash, and the kept events end where a chunk ends. Damage
// in row N leaves event N - 1 unconfirmed, so the kept events end at the last chunk end at or
// before N - 2.
void TestJournalRepair::repairKeepsConfirmedWholeCommands_data()
{
    QTest::addColumn<Edit>("edit");
    QTest::addColumn<qint64>("target");
    QTest::addColumn<QString>("sql");
    QTest::addColumn<RepairOutcome>("outcome");
    QTest::addColumn<JournalErrorKind>("damageKind");
    QTest::addColumn<qint64>("damageSequence");
    QTest::addColumn<qint64>("lastKept");
    QTest::addColumn<qint64>("lastChecked");
    QTest::addColumn<SnapshotFate>("snapshotAt3");
    QTest::addColumn<SnapshotFate>("snapshotAt7");

    const auto kept = SnapshotFate::Kept;
    const auto after = SnapshotFate::AfterLastKept;
    QTest::newRow("intact, nothing to repair")
        << Edit::None << qint64{0} << QString() << RepairOutcome::NothingToRepair
        << JournalErrorKind::SqliteFailed << qint64{0} << qint64{10} << qint64{10} << kept << kept;
    // Row 2 fails, so event 1 is unconfirmed and no chunk end is left.
    QTest::newRow("event 2 damaged, nothing kept")
        << Edit::Payload << qint64{2} << QString() << RepairOutcome::Repaired
        << JournalErrorKind::ChecksumMismatch << qint64{2} << qint64{0} << qint64{1} << after
        << after;
    // Event 5 is unconfirmed, and the last chunk end before it is 3.
    QTest::newRow("event 6 damaged, first chunk kept")
        << Edit::Payload << qint64{6} << QString() << RepairOutcome::Repaired
        << JournalErrorKind::ChecksumMismatch << qint64{6} << qint64{3} << qint64{5} << kept
        << after;
    // Event 7 ends chunk 2 and passed its own checks, but row 8 does not confirm its hash.
    QTest::newRow("event 8 damaged, second chunk unconfirmed")
        << Edit::Payload << qint64{8} << QString() << RepairOutcome::Repaired
        << JournalErrorKind::ChecksumMismatch << qint64{8} << qint64{3} << qint64{7} << kept
        << after;
    QTest::newRow("event 9 damaged, two chunks kept")
        << Edit::Payload << qint64{9} << QString() << RepairOutcome::Repaired
        << JournalErrorKind::ChecksumMismatch << qint64{9} << qint64{7} << qint64{8} << kept
        << kept;
    // Damaged metadata confirms nothing, so event 10 is unconfirmed and chunk 3 goes.
    QTest::newRow("last_hash missing, last chunk unconfirmed")
        << Edit::Sql << qint64{0} << QStringLiteral("DELETE FROM metadata WHERE key = 'last_hash'")
        << RepairOutcome::Repaired << JournalErrorKind::MetadataDamaged << qint64{0} << qint64{7}
        << qint64{10} << kept << kept;
    QTest::newRow("metadata table dropped, last chunk unconfirmed")
        << Edit::Sql << qint64{0} << QStringLiteral("DROP TABLE metadata")
        << RepairOutcome::Repaired << JournalErrorKind::MetadataDamaged << qint64{0} << qint64{7}
        << qint64{10} << kept << kept;
    // The metadata records event 9 as the last, so it confirms neither 9 nor 10.
    QTest::newRow("last_sequence one short, last chunk unconfirmed")
        << Edit::Sql << qint64{0}
        << QStringLiteral("UPDATE metadata SET value = 9 WHERE key = 'last_sequence'")
        << RepairOutcome::Repaired << JournalErrorKind::TailMismatch << qint64{10} << qint64{7}
        << qint64{10} << kept << kept;
    QTest::newRow("snapshot checksum wrong, every event kept")
        << Edit::Sql << qint64{0}
        << QStringLiteral("DROP TRIGGER snapshots_no_update; UPDATE snapshots SET checksum = "
                          "checksum + 1 WHERE sequence = 3")
        << RepairOutcome::Repaired << JournalErrorKind::ChecksumMismatch << qint64{3} << qint64{10}
        << qint64{10} << SnapshotFate::Damaged << kept;
    QTest::newRow("snapshot chain hash moved, every event kept")
        << Edit::SnapshotChain << qint64{7} << QString() << RepairOutcome::Repaired
        << JournalErrorKind::ChainBroken << qint64{7} << qint64{10} << qint64{10} << kept
        << SnapshotFate::ChainMismatch;
}

void TestJournalRepair::repairKeepsConfirmedWholeCommands()
{
    QFETCH(Edit, edit);
    QFETCH(qint64, target);
    QFETCH(QString, sql);
    QFETCH(RepairOutcome, outcome);
    QFETCH(JournalErrorKind, damageKind);
    QFETCH(qint64, damageSequence);
    QFETCH(qint64, lastKept);
    QFETCH(qint64, lastChecked);
    QFETCH(SnapshotFate, snapshotAt3);
    QFETCH(SnapshotFate, snapshotAt7);

    QVERIFY(writeSession(journalPath()).written);
    {
        RawDatabase database(journalPath());
        const QList<QList<qint64>> chunks = database.rows(
            QStringLiteral("SELECT first_sequence, last_sequence FROM chunks ORDER BY 1"));
        QCOMPARE(chunks, (QList<QList<qint64>>{{1, 3}, {4, 7}, {8, 10}}));
        if (edit == Edit::Payload) {
            QVERIFY(damagePayload(database, static_cast<SequenceNumber>(target)));
        } else if (edit == Edit::Sql) {
            QCOMPARE(database.execute(sql), QString());
        } else if (edit == Edit::SnapshotChain) {
            QVERIFY(moveSnapshotChain(database, static_cast<SequenceNumber>(target)));
        }
    }
    const QByteArray damaged = fileBytes(journalPath());

    const JournalRepair repair = repairJournal(journalPath().toStdString());
    QVERIFY2(!repair.error, repair.error ? repair.error->toString().c_str() : "");
    QCOMPARE(repair.outcome, outcome);
    QCOMPARE(static_cast<qint64>(repair.lastKept), lastKept);
    QCOMPARE(static_cast<qint64>(repair.eventsKept), lastKept);
    QCOMPARE(static_cast<qint64>(repair.lastChecked), lastChecked);
    QCOMPARE(repair.snapshots.size(), std::size_t{2});
    QCOMPARE(repair.snapshots[0].sequence, SequenceNumber{3});
    QCOMPARE(repair.snapshots[0].fate, snapshotAt3);
    QCOMPARE(repair.snapshots[1].sequence, SequenceNumber{7});
    QCOMPARE(repair.snapshots[1].fate, snapshotAt7);
    for (const RepairedSnapshot &snapshot : repair.snapshots) {
        QCOMPARE(snapshot.reason.empty(), snapshot.fate == SnapshotFate::Kept);
    }

    if (outcome == RepairOutcome::NothingToRepair) {
        QVERIFY(repair.damage.empty());
        QVERIFY(repair.sideFile.empty());
        QCOMPARE(fileBytes(journalPath()), damaged);
        QCOMPARE(folderEntries(), QStringList{QStringLiteral("day.journal")});
        return;
    }

    QVERIFY(!repair.damage.empty());
    QCOMPARE(repair.damage.front().kind, damageKind);
    QCOMPARE(static_cast<qint64>(repair.damage.front().sequence), damageSequence);
    QCOMPARE(QString::fromStdString(repair.damage.front().file), journalPath());
    QCOMPARE(QString::fromStdString(repair.sideFile), journalPath() + QStringLiteral(".damaged"));
    QCOMPARE(fileBytes(journalPath() + QStringLiteral(".damaged")), damaged);
    QCOMPARE(folderEntries(),
             (QStringList{QStringLiteral("day.journal"), QStringLiteral("day.journal.damaged")}));

    const ReadBack read = readBack(journalPath());
    QVERIFY2(read.problem.isEmpty(), qPrintable(read.problem));
    QCOMPARE(static_cast<qint64>(read.lastSequence), lastKept);
    std::vector<SequenceNumber> keptSnapshots;
    for (const RepairedSnapshot &snapshot : repair.snapshots) {
        if (snapshot.fate == SnapshotFate::Kept) {
            keptSnapshots.push_back(snapshot.sequence);
        }
    }
    QCOMPARE(read.snapshots, keptSnapshots);

    // The repaired journal has no damage left.
    const JournalRepair again = repairJournal(journalPath().toStdString());
    QCOMPARE(again.outcome, RepairOutcome::NothingToRepair);
    QCOMPARE(again.lastKept, repair.lastKept);
}

// The engine restarts from the snapshot that the repair kept, with the state it recorded.
void TestJournalRepair::repairedJournalRestartsFromKeptSnapshot()
{
    const WrittenSession session = writeSession(journalPath());
    QVERIFY(session.written);
    {
        RawDatabase database(journalPath());
        QVERIFY(damagePayload(database, 6));
    }
    const JournalRepair repair = repairJournal(journalPath().toStdString());
    QCOMPARE(repair.outcome, RepairOutcome::Repaired);
    QCOMPARE(repair.lastKept, SequenceNumber{3});

    const RecoveredEngine recovered = recoverEngine(journalPath().toStdString());
    QVERIFY2(recovered.engine, recovered.error ? recovered.error->toString().c_str() : "");
    QCOMPARE(recovered.report.snapshotSequence, SequenceNumber{3});
    QCOMPARE(recovered.report.lastSequence, SequenceNumber{3});
    QVERIFY(recovered.report.skippedSnapshots.empty());
    QCOMPARE(recovered.engine->stateHash(), session.stateHashAt3);
}

// A record written before the first event survives the repair. One written after event 10, which
// the repair drops with the damage at event 6, goes with it.
void TestJournalRepair::repairKeepsRecordsOfKeptEvents()
{
    const auto writeRecord = [this](const char *kind, const char *body) {
        JournalWriter::Created created = JournalWriter::create(journalPath().toStdString());
        QVERIFY(created.writer);
        created.writer->writeRecord(kind, body);
        QVERIFY(!created.writer->close());
    };
    writeRecord("training", "first");
    QVERIFY(writeSession(journalPath()).written);
    writeRecord("note", "late");
    {
        RawDatabase database(journalPath());
        QVERIFY(damagePayload(database, 6));
    }
    const JournalRepair repair = repairJournal(journalPath().toStdString());
    QCOMPARE(repair.outcome, RepairOutcome::Repaired);
    QCOMPARE(repair.lastKept, SequenceNumber{3});

    JournalReader::Opened opened = JournalReader::open(journalPath().toStdString());
    QVERIFY(opened.reader);
    std::optional<JournalError> error;
    const std::vector<JournalRecord> records = opened.reader->records(error);
    QVERIFY(!error);
    QCOMPARE(records.size(), std::size_t{1});
    QCOMPARE(records[0].kind, std::string("training"));
    QCOMPARE(records[0].body, std::string("first"));
    QCOMPARE(records[0].sequence, SequenceNumber{0});
}

void TestJournalRepair::damagedSnapshotStopsFullCheckRestart_data()
{
    QTest::addColumn<Edit>("edit");
    QTest::addColumn<qint64>("snapshot");
    QTest::addColumn<JournalErrorKind>("damageKind");

    QTest::newRow("checksum of the snapshot at 3 wrong")
        << Edit::Sql << qint64{3} << JournalErrorKind::ChecksumMismatch;
    QTest::newRow("snapshot at 7 on another chain hash")
        << Edit::SnapshotChain << qint64{7} << JournalErrorKind::ChainBroken;
}

// A restart that checks the whole journal stops at a damaged snapshot, even though the
// restore alone could skip it and rebuild from the other one or from the events: writing on
// would leave a file that `journal verify` rejects. Every event is intact, which the error
// reports, and the repair drops the snapshot and lets the restart through.
void TestJournalRepair::damagedSnapshotStopsFullCheckRestart()
{
    QFETCH(Edit, edit);
    QFETCH(qint64, snapshot);
    QFETCH(JournalErrorKind, damageKind);

    QVERIFY(writeSession(journalPath()).written);
    {
        RawDatabase database(journalPath());
        if (edit == Edit::Sql) {
            QCOMPARE(database.execute(QStringLiteral("DROP TRIGGER snapshots_no_update; UPDATE "
                                                     "snapshots SET checksum = checksum + 1 "
                                                     "WHERE sequence = %1")
                                          .arg(snapshot)),
                     QString());
        } else {
            QVERIFY(moveSnapshotChain(database, static_cast<SequenceNumber>(snapshot)));
        }
    }
    const RecoveredEngine quick = recoverEngine(journalPath().toStdString());
    QVERIFY(quick.engine);
    QCOMPARE(quick.report.lastSequence, SequenceNumber{10});

    const RecoveredEngine checked =
        recoverEngine(journalPath().toStdString(), JournalCheck::EveryEvent);
    QVERIFY(!checked.engine);
    QVERIFY(checked.error);
    QCOMPARE(checked.error->kind, damageKind);
    QCOMPARE(static_cast<qint64>(checked.error->sequence), snapshot);
    QCOMPARE(checked.damagedSnapshot.value_or(0), static_cast<SequenceNumber>(snapshot));
    QCOMPARE(checked.intactThrough, SequenceNumber{10});

    QCOMPARE(repairJournal(journalPath().toStdString()).outcome, RepairOutcome::Repaired);
    const RecoveredEngine repaired =
        recoverEngine(journalPath().toStdString(), JournalCheck::EveryEvent);
    QVERIFY2(repaired.engine, repaired.error ? repaired.error->toString().c_str() : "");
    QCOMPARE(repaired.report.lastSequence, SequenceNumber{10});
}

// A damaged page of the snapshots table makes SQLite report the file as malformed when the
// snapshots are listed. That is damage, as a damaged page of events is: the full check stops,
// the repair plan keeps every event, and the repaired journal restarts.
void TestJournalRepair::malformedSnapshotPageIsDamage()
{
    QVERIFY(writeSession(journalPath()).written);
    qint64 pageSize = 0;
    qint64 rootPage = 0;
    {
        RawDatabase database(journalPath());
        pageSize = database.rows(QStringLiteral("PRAGMA page_size")).value(0).value(0);
        rootPage =
            database
                .rows(QStringLiteral("SELECT rootpage FROM sqlite_master WHERE name = 'snapshots'"))
                .value(0)
                .value(0);
    }
    QVERIFY(pageSize > 0);
    QVERIFY(rootPage > 1);
    {
        // 0xFF is no b-tree page type, so SQLite rejects the page as malformed.
        QFile file(journalPath());
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.seek((rootPage - 1) * pageSize));
        QCOMPARE(file.write(QByteArray(8, '\xff')), qint64{8});
    }

    const RecoveredEngine checked =
        recoverEngine(journalPath().toStdString(), JournalCheck::EveryEvent);
    QVERIFY(!checked.engine);
    QVERIFY(checked.error);
    QCOMPARE(checked.error->kind, JournalErrorKind::DatabaseCorrupt);
    QCOMPARE(checked.intactThrough, SequenceNumber{10});

    const JournalRepair plan = planJournalRepair(journalPath().toStdString());
    QCOMPARE(plan.outcome, RepairOutcome::Repaired);
    QCOMPARE(plan.lastKept, SequenceNumber{10});
    QVERIFY(plan.sideFile.empty());

    QCOMPARE(repairJournal(journalPath().toStdString()).outcome, RepairOutcome::Repaired);
    const RecoveredEngine repaired =
        recoverEngine(journalPath().toStdString(), JournalCheck::EveryEvent);
    QVERIFY2(repaired.engine, repaired.error ? repaired.error->toString().c_str() : "");
    QCOMPARE(repaired.report.lastSequence, SequenceNumber{10});
}

// Committed events that are still in the -wal file belong to the journal: the side file gets
// that file too, byte for byte, and the repaired journal leaves it behind.
void TestJournalRepair::repairCopiesWalToSideFile()
{
    QVERIFY(writeSession(journalPath()).written);
    {
        RawDatabase database(journalPath());
        database.keepWalOnClose();
        QVERIFY(damagePayload(database, 9));
    }
    const QString wal = journalPath() + QStringLiteral("-wal");
    const QByteArray walBytes = fileBytes(wal);
    QVERIFY2(!walBytes.isEmpty(), "the edit must stay in the -wal file");
    const QByteArray fileBefore = fileBytes(journalPath());

    const JournalRepair repair = repairJournal(journalPath().toStdString());
    QVERIFY2(!repair.error, repair.error ? repair.error->toString().c_str() : "");
    QCOMPARE(repair.outcome, RepairOutcome::Repaired);
    QCOMPARE(repair.damage.front().kind, JournalErrorKind::ChecksumMismatch);
    QCOMPARE(repair.damage.front().sequence, SequenceNumber{9});
    QCOMPARE(repair.lastKept, SequenceNumber{7});

    const QString side = journalPath() + QStringLiteral(".damaged");
    QCOMPARE(fileBytes(side), fileBefore);
    QCOMPARE(fileBytes(side + QStringLiteral("-wal")), walBytes);
    QVERIFY2(!QFile::exists(wal), "the original's -wal file stayed next to the new journal");
    const ReadBack read = readBack(journalPath());
    QVERIFY2(read.problem.isEmpty(), qPrintable(read.problem));
    QCOMPARE(read.lastSequence, SequenceNumber{7});
}

// A side file from an earlier repair is never overwritten.
void TestJournalRepair::repairPicksFreeSideFileName()
{
    QVERIFY(writeSession(journalPath()).written);
    const QString earlier = journalPath() + QStringLiteral(".damaged");
    {
        QFile file(earlier);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("an earlier side file");
    }
    {
        RawDatabase database(journalPath());
        QVERIFY(damagePayload(database, 9));
    }

    const JournalRepair repair = repairJournal(journalPath().toStdString());
    QCOMPARE(repair.outcome, RepairOutcome::Repaired);
    QCOMPARE(QString::fromStdString(repair.sideFile), earlier + QStringLiteral("-2"));
    QCOMPARE(fileBytes(earlier), QByteArray("an earlier side file"));
}

// A repair killed while it copied the original leaves its new journal, `.recovering`, and the
// partial side copy, `.damaged.partial`. The next repair removes both, names them, and writes a
// complete side copy under `.damaged`, never `.damaged-2`.
void TestJournalRepair::repairRemovesInterruptedLeftovers()
{
    QVERIFY(writeSession(journalPath()).written);
    {
        RawDatabase database(journalPath());
        QVERIFY(damagePayload(database, 9));
    }
    const QByteArray original = fileBytes(journalPath());
    const QString recovering = journalPath() + QStringLiteral(".recovering");
    const QString partial = journalPath() + QStringLiteral(".damaged.partial");
    const QList<std::pair<QString, QByteArray>> leftovers{
        {recovering, QByteArray("a new journal, half written")},
        {recovering + QStringLiteral("-lock"), QByteArray("4242\n")},
        {partial, original.left(original.size() / 2)},
    };
    for (const auto &[path, bytes] : leftovers) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QCOMPARE(file.write(bytes), bytes.size());
    }

    const JournalRepair repair = repairJournal(journalPath().toStdString());
    QVERIFY2(!repair.error, repair.error ? repair.error->toString().c_str() : "");
    QCOMPARE(repair.outcome, RepairOutcome::Repaired);
    QStringList removed;
    for (const std::string &file : repair.removedLeftovers) {
        removed.append(QString::fromStdString(file));
    }
    QCOMPARE(removed, (QStringList{recovering, recovering + QStringLiteral("-lock"), partial}));
    QCOMPARE(QString::fromStdString(repair.sideFile), journalPath() + QStringLiteral(".damaged"));
    QCOMPARE(fileBytes(QString::fromStdString(repair.sideFile)), original);
    QCOMPARE(folderEntries(),
             (QStringList{QStringLiteral("day.journal"), QStringLiteral("day.journal.damaged")}));
}

// A journal cut after its first page still has its schema, so it is a journal, but the pages
// of its tables are gone: the repair keeps no event and sets the whole file aside.
void TestJournalRepair::repairOfFirstPageKeepsNothing()
{
    QVERIFY(writeSession(journalPath()).written);
    const qint64 pageSize = 16 * 1024;
    QVERIFY(QFileInfo(journalPath()).size() > pageSize);
    QVERIFY(QFile::resize(journalPath(), pageSize));
    const QByteArray cut = fileBytes(journalPath());

    const JournalRepair repair = repairJournal(journalPath().toStdString());
    QVERIFY2(!repair.error, repair.error ? repair.error->toString().c_str() : "");
    QCOMPARE(repair.outcome, RepairOutcome::Repaired);
    QVERIFY(!repair.damage.empty());
    QCOMPARE(repair.damage.front().kind, JournalErrorKind::DatabaseCorrupt);
    QCOMPARE(repair.damage.front().sequence, SequenceNumber{1});
    QCOMPARE(repair.lastKept, SequenceNumber{0});
    QCOMPARE(repair.eventsKept, std::uint64_t{0});
    QCOMPARE(repair.lastChecked, SequenceNumber{0});
    QVERIFY(repair.snapshots.empty());
    QCOMPARE(fileBytes(QString::fromStdString(repair.sideFile)), cut);

    const ReadBack read = readBack(journalPath());
    QVERIFY2(read.problem.isEmpty(), qPrintable(read.problem));
    QCOMPARE(read.lastSequence, SequenceNumber{0});
}

enum class Unreadable : std::uint8_t { Missing, Text, HeaderZeroed, CutInFirstPage, NoChunks };
Q_DECLARE_METATYPE(Unreadable)

// A file in which no event can be looked for is reported, and nothing is changed or created.
void TestJournalRepair::repairRejectsUnreadableFile_data()
{
    QTest::addColumn<Unreadable>("damage");
    QTest::addColumn<JournalErrorKind>("kind");
    QTest::addColumn<QString>("message");

    QTest::newRow("missing file") << Unreadable::Missing << JournalErrorKind::OpenFailed
                                  << QStringLiteral("no such file");
    QTest::newRow("text file") << Unreadable::Text << JournalErrorKind::NotAJournal
                               << QStringLiteral("not a journal");
    // The first 100 bytes are SQLite's file header: without it the file is no database.
    QTest::newRow("file header zeroed") << Unreadable::HeaderZeroed << JournalErrorKind::NotAJournal
                                        << QStringLiteral("not a journal: file is not a database");
    // The schema's rows are at the end of the first page, 16 KiB in a journal.
    QTest::newRow("file cut inside the first page")
        << Unreadable::CutInFirstPage << JournalErrorKind::DatabaseCorrupt
        << QStringLiteral("its schema names neither a chunks nor an events table");
    QTest::newRow("chunks table dropped")
        << Unreadable::NoChunks << JournalErrorKind::DatabaseCorrupt
        << QStringLiteral("its schema names neither a chunks nor an events table");
}

void TestJournalRepair::repairRejectsUnreadableFile()
{
    QFETCH(Unreadable, damage);
    QFETCH(JournalErrorKind, kind);
    QFETCH(QString, message);

    if (damage == Unreadable::Text) {
        QFile file(journalPath());
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a journal, just text that is long enough to fill a header page\n");
    } else if (damage != Unreadable::Missing) {
        QVERIFY(writeSession(journalPath()).written);
    }
    if (damage == Unreadable::HeaderZeroed) {
        QFile file(journalPath());
        QVERIFY(file.open(QIODevice::ReadWrite));
        QCOMPARE(file.write(QByteArray(100, '\0')), qint64{100});
    } else if (damage == Unreadable::CutInFirstPage) {
        QVERIFY(QFile::resize(journalPath(), 1000));
    } else if (damage == Unreadable::NoChunks) {
        RawDatabase database(journalPath());
        QCOMPARE(database.execute(QStringLiteral("DROP TABLE chunks")), QString());
    }
    const QByteArray before = fileBytes(journalPath());
    const QStringList entries = folderEntries();

    const JournalRepair repair = repairJournal(journalPath().toStdString());
    QCOMPARE(repair.outcome, RepairOutcome::Failed);
    QVERIFY(repair.error.has_value());
    QCOMPARE(repair.error->step, RepairStep::Read);
    QVERIFY(repair.error->journalError.has_value());
    QCOMPARE(repair.error->journalError->kind, kind);
    QCOMPARE(QString::fromStdString(repair.error->file), journalPath());
    const QString text = QString::fromStdString(repair.error->toString());
    QVERIFY2(text.startsWith(journalPath() + QStringLiteral(": ")), qPrintable(text));
    QVERIFY2(text.contains(message), qPrintable(text));
    QVERIFY(repair.sideFile.empty());
    QCOMPARE(fileBytes(journalPath()), before);
    QCOMPARE(folderEntries(), entries);
}

QTEST_GUILESS_MAIN(TestJournalRepair)
#include "tst_journal_repair.moc"

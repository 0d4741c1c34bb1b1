// Damaged, edited and unusual journals fed to the journal code and to the `bourse-engine`
// journal commands. Each case checks a promise of docs/journal.md or docs/journal-tools.md.
// recover keeps whole commands and the intact events. A restart never trusts a snapshot whose
// event is gone. verify and the reader reject what the writer rejects. rebuild falls back past
// a damaged snapshot. export never replaces a journal's files or a special file. A journal that
// cannot be written is rejected before anything is changed.

#include "engine_recovery.h"
#include "journal.h"
#include "journaled_run.h"
#include "simulator.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

using namespace bourse;
using namespace bourse::storage;

namespace {

// The layout of a chunk record as docs/journal.md documents it: sequence (8 bytes), time (8),
// instrument (4), type (1), payload size (2), payload, checksum (8), hash (8), little-endian.
constexpr std::size_t kPayloadSizeOffset = 21;
constexpr std::size_t kPayloadOffset = 23;
constexpr std::size_t kRecordOverhead = kPayloadOffset + 8 + 8;

struct ChunkRecord {
    std::size_t offset = 0;
    std::int64_t sequence = 0;
    std::size_t payloadSize = 0;
};

std::uint64_t readLittleEndian(const QByteArray &bytes, std::size_t offset, int width)
{
    std::uint64_t value = 0;
    for (int byte = width - 1; byte >= 0; --byte) {
        value =
            (value << 8) | static_cast<std::uint8_t>(bytes[static_cast<qsizetype>(offset) + byte]);
    }
    return value;
}

std::vector<ChunkRecord> chunkRecords(const QByteArray &body)
{
    std::vector<ChunkRecord> records;
    std::size_t offset = 0;
    while (offset + kRecordOverhead <= static_cast<std::size_t>(body.size())) {
        ChunkRecord record;
        record.offset = offset;
        record.sequence = static_cast<std::int64_t>(readLittleEndian(body, offset, 8));
        record.payloadSize = readLittleEndian(body, offset + kPayloadSizeOffset, 2);
        records.push_back(record);
        offset += kRecordOverhead + record.payloadSize;
    }
    return records;
}

// An SQLite connection for editing a journal the way a person with the sqlite3 shell would.
class Database {
public:
    explicit Database(const QString &path)
    {
        sqlite3_open(QFile::encodeName(path).constData(), &m_database);
    }
    ~Database() { sqlite3_close(m_database); }
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    // Runs statements and returns SQLite's error message, empty on success.
    QString execute(const QString &sql)
    {
        char *message = nullptr;
        sqlite3_exec(m_database, sql.toUtf8().constData(), nullptr, nullptr, &message);
        const QString error = message ? QString::fromUtf8(message) : QString();
        sqlite3_free(message);
        return error;
    }

    std::vector<std::int64_t> integers(const QString &sql)
    {
        std::vector<std::int64_t> values;
        sqlite3_stmt *statement = nullptr;
        sqlite3_prepare_v2(m_database, sql.toUtf8().constData(), -1, &statement, nullptr);
        while (statement && sqlite3_step(statement) == SQLITE_ROW) {
            values.push_back(sqlite3_column_int64(statement, 0));
        }
        sqlite3_finalize(statement);
        return values;
    }

    QByteArray chunkBody(std::int64_t firstSequence)
    {
        QByteArray body;
        sqlite3_stmt *statement = nullptr;
        sqlite3_prepare_v2(m_database, "SELECT body FROM chunks WHERE first_sequence = ?1", -1,
                           &statement, nullptr);
        sqlite3_bind_int64(statement, 1, firstSequence);
        if (sqlite3_step(statement) == SQLITE_ROW) {
            body = QByteArray(static_cast<const char *>(sqlite3_column_blob(statement, 0)),
                              sqlite3_column_bytes(statement, 0));
        }
        sqlite3_finalize(statement);
        return body;
    }

    bool replaceChunkBody(std::int64_t firstSequence, const QByteArray &body)
    {
        sqlite3_stmt *statement = nullptr;
        sqlite3_prepare_v2(m_database, "UPDATE chunks SET body = ?2 WHERE first_sequence = ?1", -1,
                           &statement, nullptr);
        sqlite3_bind_int64(statement, 1, firstSequence);
        sqlite3_bind_blob(statement, 2, body.constData(), static_cast<int>(body.size()),
                          SQLITE_TRANSIENT);
        const bool done = sqlite3_step(statement) == SQLITE_DONE;
        sqlite3_finalize(statement);
        return done;
    }

private:
    sqlite3 *m_database = nullptr;
};

// Drops the triggers that keep chunks and snapshots append-only, as a deliberate edit would.
QString dropTriggers(Database &database)
{
    return database.execute(QStringLiteral("DROP TRIGGER chunks_no_update;"
                                           "DROP TRIGGER chunks_no_delete;"
                                           "DROP TRIGGER snapshots_no_update;"));
}

// The first chunk whose first sequence is at or before `sequence`, and the record of it.
struct Located {
    std::int64_t firstSequence = 0;
    QByteArray body;
    ChunkRecord record;
};

std::optional<Located> locate(Database &database, std::int64_t sequence)
{
    const std::vector<std::int64_t> firsts = database.integers(
        QStringLiteral("SELECT first_sequence FROM chunks WHERE first_sequence <= %1 "
                       "ORDER BY first_sequence DESC LIMIT 1")
            .arg(sequence));
    if (firsts.empty()) {
        return std::nullopt;
    }
    Located located{firsts.front(), database.chunkBody(firsts.front()), {}};
    for (const ChunkRecord &record : chunkRecords(located.body)) {
        if (record.sequence == sequence) {
            located.record = record;
            return located;
        }
    }
    return std::nullopt;
}

// Flips a bit in the payload of event `sequence`, so that its checksum no longer matches.
bool damagePayload(const QString &path, std::int64_t sequence)
{
    Database database(path);
    if (!dropTriggers(database).isEmpty()) {
        return false;
    }
    std::optional<Located> located = locate(database, sequence);
    if (!located) {
        return false;
    }
    const auto at = static_cast<qsizetype>(located->record.offset + kPayloadOffset + 1);
    located->body[at] = static_cast<char>(located->body[at] ^ 0x01);
    return database.replaceChunkBody(located->firstSequence, located->body);
}

// Records the last event of every command: the places where docs/journal.md lets a chunk end.
class CommandEnds final : public EventHandler {
public:
    void onEvent(const Event &event) override { m_last = event.sequence; }
    void onCommandEnd() override { m_ends.insert(m_last); }

    const std::set<SequenceNumber> &ends() const { return m_ends; }

private:
    SequenceNumber m_last = 0;
    std::set<SequenceNumber> m_ends;
};

struct WrittenJournal {
    std::set<SequenceNumber> commandEnds;
    SequenceNumber lastSequence = 0;
};

// Writes the simulated market of `bourse-engine sim` to `path`: `commandsPerBatch` commands
// between batch ends, a snapshot every `snapshotEvery` events and one at the end.
WrittenJournal writeSimulatedJournal(const QString &path, SequenceNumber events,
                                     std::uint64_t snapshotEvery, int commandsPerBatch)
{
    JournalWriterOptions options;
    options.synchronous = SynchronousMode::Normal;
    JournalWriter::Created created = JournalWriter::create(path.toStdString(), options);
    if (!created.writer) {
        return {};
    }

    Engine engine;
    CommandEnds commandEnds;
    app::JournaledRun journal(std::move(created.writer), engine, snapshotEvery);
    engine.addHandler(&commandEnds);
    engine.addHandler(&journal);

    InstrumentDefinition definition;
    definition.id = InstrumentId{1};
    definition.symbol = {'S', 'I', 'M'};
    definition.currency = {'U', 'S', 'D'};
    definition.priceDecimals = 2;
    engine.addInstrument(definition, Timestamp{0});

    MarketSimulator simulator(7);
    std::int64_t time = 0;
    while (engine.lastSequence() < events) {
        for (int command = 0; command < commandsPerBatch; ++command) {
            simulator.step(engine, Timestamp{++time});
        }
        engine.endBatch();
    }
    if (journal.finish()) {
        return {};
    }
    return WrittenJournal{commandEnds.ends(), engine.lastSequence()};
}

struct ToolRun {
    int exitCode = -1;
    QString output;
    QString errors;
};

ToolRun runTool(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral(BOURSE_ENGINE_EXECUTABLE), arguments);
    process.waitForFinished(60'000);
    return ToolRun{process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
                   QString::fromUtf8(process.readAllStandardOutput()),
                   QString::fromUtf8(process.readAllStandardError())};
}

// The N of recover's "kept: events 1 to N" line, 0 for its "kept: no events" line, or -1 when it
// printed neither.
qint64 keptEvents(const ToolRun &run)
{
    static const QRegularExpression kept(QStringLiteral("kept: events 1 to (\\d+) in "));
    const QRegularExpressionMatch match = kept.match(run.output);
    if (match.hasMatch()) {
        return match.captured(1).toLongLong();
    }
    return run.output.contains(QStringLiteral("kept: no events in ")) ? 0 : -1;
}

// The sequence recover must keep in a journal cut at a page boundary, found with SQLite alone:
// the chunk rows that SQLite can still read, in order, up to the first on a missing page. The
// last event of the last readable row passed its checks, but no later record confirms its
// hash, so the kept events end with the row before. writable_schema lets SQLite read a file
// shorter than its header records. The file is read through a copy, which SQLite may change.
std::int64_t keptAfterCut(const QString &path)
{
    const QString copy = path + QStringLiteral(".oracle");
    if (!QFile::copy(path, copy)) {
        return -1;
    }
    std::vector<std::int64_t> lasts;
    {
        Database database(copy);
        database.execute(QStringLiteral("PRAGMA writable_schema = ON"));
        lasts = database.integers(
            QStringLiteral("SELECT last_sequence FROM chunks ORDER BY first_sequence"));
    }
    for (const char *suffix : {"", "-wal", "-shm"}) {
        QFile::remove(copy + QLatin1String(suffix));
    }
    return lasts.size() >= 2 ? lasts[lasts.size() - 2] : -1;
}

QString describe(const ToolRun &run)
{
    return QStringLiteral("exit %1, output: %2 errors: %3")
        .arg(run.exitCode)
        .arg(run.output, run.errors);
}

// Reads every event; returns the reader's error, if any, and the last event returned.
std::optional<JournalError> readAll(const QString &path, SequenceNumber &last)
{
    JournalReader::Opened opened = JournalReader::open(path.toStdString());
    if (!opened.reader) {
        return opened.error;
    }
    while (opened.reader->next()) {
    }
    last = opened.reader->lastSequence();
    return opened.reader->error();
}

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestJournalBreakage : public QObject {
    Q_OBJECT

private slots:
    void init();

    void recoverKeepsWholeCommands();
    void recoverKeepsEventsBeforeFileDamage_data();
    void recoverKeepsEventsBeforeFileDamage();
    void recoverRejectsUnsalvageableFile_data();
    void recoverRejectsUnsalvageableFile();
    void restartRejectsSnapshotWithoutEvent_data();
    void restartRejectsSnapshotWithoutEvent();
    void readerRejectsChunkWithoutEvents();
    void readerReportsSequenceGoingBack();
    void verifyRejectsDamagedSnapshot();
    void recoverRepairsDamagedSnapshot();
    void rebuildSkipsDamagedNewestSnapshot();
    void exportKeepsFifoOutput();
    void exportRejectsJournalWal();
    void writerRejectsReadOnlyJournal();
    void restartTailBoundedAfterCrashes();
    void emptyRunAfterDamagedSnapshot();
    void journalActionsPrintHelp_data();
    void journalActionsPrintHelp();

private:
    QString journalPath() const { return m_folder->filePath(QStringLiteral("journal.sqlite")); }

    std::optional<QTemporaryDir> m_folder;
};

void TestJournalBreakage::init()
{
    m_folder.emplace();
    QVERIFY(m_folder->isValid());
}

// recover copies the intact events into a new journal. Its chunks must still end only where
// commands ended, as docs/journal.md promises: a later recover cuts at a chunk end, and a
// journal cut inside a command cannot be replayed once a restart has continued it.
void TestJournalBreakage::recoverKeepsWholeCommands()
{
    const WrittenJournal written = writeSimulatedJournal(journalPath(), 12'000, 1'000'000, 16);
    QVERIFY(written.lastSequence >= 12'000);
    QVERIFY2(!written.commandEnds.contains(4096) || !written.commandEnds.contains(8192),
             "the simulated flow must put a command across event 4096 or 8192, where the "
             "recovered journal's chunks of 4,096 events end");

    QVERIFY(damagePayload(journalPath(), 11'000));
    const ToolRun first =
        runTool({QStringLiteral("journal"), QStringLiteral("recover"), journalPath()});
    QCOMPARE(first.exitCode, 0);
    QVERIFY2(keptEvents(first) > 8192, qPrintable(describe(first)));

    Database recovered(journalPath());
    const std::vector<std::int64_t> chunkEnds =
        recovered.integers(QStringLiteral("SELECT last_sequence FROM chunks"));
    for (const std::int64_t end : chunkEnds) {
        QVERIFY2(written.commandEnds.contains(static_cast<SequenceNumber>(end)),
                 qPrintable(QStringLiteral("the recovered journal has a chunk ending at event "
                                           "%1, inside a command")
                                .arg(end)));
    }

    // A second damage, just past the first 4,096 events, must again keep whole commands.
    QVERIFY(damagePayload(journalPath(), 4'200));
    const ToolRun second =
        runTool({QStringLiteral("journal"), QStringLiteral("recover"), journalPath()});
    QCOMPARE(second.exitCode, 0);
    const qint64 kept = keptEvents(second);
    QVERIFY2(kept > 0, qPrintable(describe(second)));
    QVERIFY2(written.commandEnds.contains(static_cast<SequenceNumber>(kept)),
             qPrintable(QStringLiteral("the second recover kept events 1 to %1, which ends "
                                       "inside a command")
                            .arg(kept)));
}

// Damage outside the events (metadata rows, a file cut short) leaves a chain that can be checked
// from event 1 on. recover must keep those events, up to the last one that something after it
// confirms, instead of an empty journal.
void TestJournalBreakage::recoverKeepsEventsBeforeFileDamage_data()
{
    QTest::addColumn<QString>("sql");
    QTest::addColumn<bool>("cutInHalf");
    QTest::addColumn<QString>("damage");

    // Each SQL row leaves every event intact, but the metadata no longer records the last event
    // with its hash, and nothing else confirms that event. So the last chunk, which ends with
    // it, is left out, and the kept events end where the chunk before it ends.
    QTest::newRow("last_sequence wrong")
        << QStringLiteral("UPDATE metadata SET value = value + 1 WHERE key = 'last_sequence'")
        << false << QStringLiteral("events were removed from the end");
    QTest::newRow("last_sequence negative")
        << QStringLiteral("UPDATE metadata SET value = -5 WHERE key = 'last_sequence'") << false
        << QStringLiteral("damaged metadata: last_sequence is -5, below the minimum of 0");
    QTest::newRow("last_sequence text")
        << QStringLiteral("UPDATE metadata SET value = 'many' WHERE key = 'last_sequence'") << false
        << QStringLiteral("damaged metadata: last_sequence is not an integer");
    QTest::newRow("last_hash missing")
        << QStringLiteral("DELETE FROM metadata WHERE key = 'last_hash'") << false
        << QStringLiteral("damaged metadata: the row last_hash is missing");
    QTest::newRow("metadata table dropped")
        << QStringLiteral("DROP TABLE metadata") << false
        << QStringLiteral("damaged metadata: the metadata table is missing");
    // Cut at a page boundary, so that each page is whole or missing.
    QTest::newRow("file cut in half")
        << QString() << true << QStringLiteral("database disk image is malformed");
}

void TestJournalBreakage::recoverKeepsEventsBeforeFileDamage()
{
    QFETCH(QString, sql);
    QFETCH(bool, cutInHalf);
    QFETCH(QString, damage);

    const WrittenJournal written = writeSimulatedJournal(journalPath(), 6'000, 1'000'000, 16);
    QVERIFY(written.lastSequence >= 6'000);
    std::int64_t expectedKept = 0;
    {
        Database database(journalPath());
        const std::vector<std::int64_t> firsts = database.integers(
            QStringLiteral("SELECT first_sequence FROM chunks ORDER BY first_sequence DESC"));
        QVERIFY(firsts.size() >= 2);
        expectedKept = firsts.front() - 1;
        if (!sql.isEmpty()) {
            QCOMPARE(database.execute(sql), QString());
        }
    }
    if (cutInHalf) {
        QFile file(journalPath());
        const qint64 pageSize = 16 * 1024;
        QCOMPARE(file.size() % pageSize, qint64{0});
        QVERIFY(file.resize(file.size() / pageSize / 2 * pageSize));
        file.close();
        expectedKept = keptAfterCut(journalPath());
        QVERIFY2(expectedKept > 0, "the cut must leave at least two chunk rows readable");
    }
    const QByteArray damaged = fileBytes(journalPath());

    const ToolRun run =
        runTool({QStringLiteral("journal"), QStringLiteral("recover"), journalPath()});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    QCOMPARE(keptEvents(run), static_cast<qint64>(expectedKept));
    QVERIFY2(run.output.contains(QStringLiteral("damage: ") + journalPath()),
             qPrintable(describe(run)));
    QVERIFY2(run.output.contains(damage), qPrintable(describe(run)));
    const QString side = journalPath() + QStringLiteral(".damaged");
    QVERIFY2(run.output.contains(QStringLiteral("set aside: the original journal, damaged part "
                                                "included, in ") +
                                 side),
             qPrintable(describe(run)));
    QVERIFY2(fileBytes(side) == damaged, "the side file differs from the damaged journal");

    SequenceNumber last = 0;
    const std::optional<JournalError> error = readAll(journalPath(), last);
    QVERIFY2(!error, error ? error->toString().c_str() : "");
    QCOMPARE(static_cast<qint64>(last), static_cast<qint64>(expectedKept));
    QVERIFY2(written.commandEnds.contains(last), "the kept events end inside a command");
}

// A file in which no event can be looked for cannot be recovered. recover must report that,
// with the file and the problem, and change nothing.
void TestJournalBreakage::recoverRejectsUnsalvageableFile_data()
{
    QTest::addColumn<qint64>("cutAt");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");

    // The first 100 bytes are SQLite's file header. Zeroed, they leave no SQLite database.
    QTest::newRow("file header zeroed")
        << qint64{-1} << 3 << QStringLiteral("not a journal: file is not a database");
    // The schema's rows are at the end of the first page, 16 KiB in a journal.
    QTest::newRow("file cut inside the first page")
        << qint64{1000} << 1
        << QStringLiteral("damaged journal: its schema names neither a chunks nor an events table");
}

void TestJournalBreakage::recoverRejectsUnsalvageableFile()
{
    QFETCH(qint64, cutAt);
    QFETCH(int, exitCode);
    QFETCH(QString, message);

    const WrittenJournal written = writeSimulatedJournal(journalPath(), 2'000, 1'000'000, 16);
    QVERIFY(written.lastSequence >= 2'000);
    QFile file(journalPath());
    if (cutAt < 0) {
        QVERIFY(file.open(QIODevice::ReadWrite));
        QCOMPARE(file.write(QByteArray(100, '\0')), qint64{100});
        file.close();
    } else {
        QVERIFY(file.resize(cutAt));
    }
    const QByteArray before = fileBytes(journalPath());

    const ToolRun run =
        runTool({QStringLiteral("journal"), QStringLiteral("recover"), journalPath()});
    QVERIFY2(run.exitCode == exitCode, qPrintable(describe(run)));
    QVERIFY2(
        run.errors.contains(
            QStringLiteral("bourse-engine journal recover: %1: %2").arg(journalPath(), message)),
        qPrintable(describe(run)));
    QVERIFY2(run.errors.contains(QStringLiteral("nothing was changed")), qPrintable(describe(run)));
    QVERIFY2(!run.output.contains(QStringLiteral("kept:")), qPrintable(describe(run)));
    QVERIFY2(fileBytes(journalPath()) == before, "recover changed the journal");
    QCOMPARE(QDir(m_folder->path()).entryList(QDir::Files),
             QStringList{QStringLiteral("journal.sqlite")});
}

// A snapshot is stored with the chunk that ends at its sequence. When that chunk is removed,
// the restart must not start from the snapshot: its event is not in the journal, so the check
// of the recorded chain hash cannot be made, and the journal itself fails `journal verify`.
void TestJournalBreakage::restartRejectsSnapshotWithoutEvent_data()
{
    QTest::addColumn<bool>("newestSnapshot");

    QTest::newRow("last chunk removed") << true;
    QTest::newRow("chunk of an older snapshot removed, newest snapshot damaged") << false;
}

void TestJournalBreakage::restartRejectsSnapshotWithoutEvent()
{
    QFETCH(bool, newestSnapshot);

    const WrittenJournal written = writeSimulatedJournal(journalPath(), 6'000, 1'000, 16);
    QVERIFY(written.lastSequence >= 6'000);
    {
        Database database(journalPath());
        QCOMPARE(dropTriggers(database), QString());
        const std::vector<std::int64_t> snapshots = database.integers(
            QStringLiteral("SELECT sequence FROM snapshots ORDER BY sequence DESC"));
        QVERIFY(snapshots.size() >= 3);
        QCOMPARE(static_cast<SequenceNumber>(snapshots[0]), written.lastSequence);
        if (!newestSnapshot) {
            QCOMPARE(database.execute(QStringLiteral("UPDATE snapshots SET checksum = checksum "
                                                     "+ 1 WHERE sequence = %1")
                                          .arg(snapshots[0])),
                     QString());
        }
        const std::int64_t removed = newestSnapshot ? snapshots[0] : snapshots[1];
        QCOMPARE(database.execute(
                     QStringLiteral("DELETE FROM chunks WHERE last_sequence = %1").arg(removed)),
                 QString());
    }

    SequenceNumber last = 0;
    QVERIFY2(readAll(journalPath(), last).has_value(), "the edited journal must fail its checks");

    const app::RecoveredEngine recovered = app::recoverEngine(journalPath().toStdString());
    QVERIFY2(!recovered.engine,
             qPrintable(QStringLiteral("the restart reached sequence %1 from the snapshot at "
                                       "%2, whose event is missing")
                            .arg(recovered.report.lastSequence)
                            .arg(recovered.report.snapshotSequence)));
    QVERIFY(recovered.error.has_value());
}

// The writer never stores a chunk without events, and refuses to append to a journal that ends
// with one. The reader, and with it verify and recover, must then reject it too: otherwise
// verify prints "journal ok", recover finds nothing to do, and `sim` rejects the file.
void TestJournalBreakage::readerRejectsChunkWithoutEvents()
{
    const WrittenJournal written = writeSimulatedJournal(journalPath(), 2'000, 1'000'000, 16);
    QVERIFY(written.lastSequence >= 2'000);
    {
        Database database(journalPath());
        QCOMPARE(database.execute(QStringLiteral("INSERT INTO chunks VALUES (%1, %1, 0, x'')")
                                      .arg(written.lastSequence + 1000)),
                 QString());
    }

    JournalWriter::Created writer = JournalWriter::create(journalPath().toStdString());
    QVERIFY2(!writer.writer, "the writer accepted a journal that ends with an empty chunk");
    writer = {};

    SequenceNumber last = 0;
    const std::optional<JournalError> error = readAll(journalPath(), last);
    QVERIFY2(error.has_value(), "the reader accepted a chunk without events");
    QCOMPARE(error->kind, JournalErrorKind::MalformedRow);
}

// A record whose sequence number goes back (a repeated or reordered event) is not a gap, and
// the message must not claim a range of missing sequences that ends before it starts.
void TestJournalBreakage::readerReportsSequenceGoingBack()
{
    const WrittenJournal written = writeSimulatedJournal(journalPath(), 2'000, 1'000'000, 16);
    QVERIFY(written.lastSequence >= 2'000);
    std::int64_t repeated = 0;
    {
        Database database(journalPath());
        QCOMPARE(dropTriggers(database), QString());
        std::optional<Located> located = locate(database, 1'000);
        QVERIFY(located.has_value());
        const std::vector<ChunkRecord> records = chunkRecords(located->body);
        QVERIFY(records.size() >= 2);
        // The second record of the chunk repeats the first one's sequence number.
        repeated = records[0].sequence;
        for (int byte = 0; byte < 8; ++byte) {
            located->body[static_cast<qsizetype>(records[1].offset) + byte] =
                static_cast<char>(static_cast<std::uint64_t>(repeated) >> (8 * byte));
        }
        QVERIFY(database.replaceChunkBody(located->firstSequence, located->body));
    }

    SequenceNumber last = 0;
    const std::optional<JournalError> error = readAll(journalPath(), last);
    QVERIFY(error.has_value());
    QCOMPARE(error->sequence, static_cast<SequenceNumber>(repeated + 1));
    const QString what = QString::fromStdString(error->what);
    QVERIFY2(what.contains(QString::number(repeated)), qPrintable(what));
    QVERIFY2(!what.contains(QStringLiteral("missing")), qPrintable(what));
}

// docs/journal.md: `journal verify` checks every checksum and exits 0 only when all holds. A
// snapshot's checksum is one of them.
void TestJournalBreakage::verifyRejectsDamagedSnapshot()
{
    const WrittenJournal written = writeSimulatedJournal(journalPath(), 3'000, 1'000, 16);
    QVERIFY(written.lastSequence >= 3'000);
    {
        Database database(journalPath());
        QCOMPARE(dropTriggers(database), QString());
        QCOMPARE(database.execute(QStringLiteral("UPDATE snapshots SET checksum = checksum + 1 "
                                                 "WHERE sequence = %1")
                                      .arg(written.lastSequence)),
                 QString());
    }

    const ToolRun run =
        runTool({QStringLiteral("journal"), QStringLiteral("verify"), journalPath()});
    QVERIFY2(run.exitCode == 1, qPrintable(describe(run)));
    QVERIFY2(run.errors.contains(QStringLiteral("sequence %1").arg(written.lastSequence)),
             qPrintable(describe(run)));
}

// verify rejects a journal with a damaged snapshot, so recover must repair it: otherwise it
// prints "nothing to recover" and the journal fails verify for good, because snapshot rows are
// never replaced and no other tool removes one.
void TestJournalBreakage::recoverRepairsDamagedSnapshot()
{
    const WrittenJournal written = writeSimulatedJournal(journalPath(), 3'000, 1'000, 16);
    QVERIFY(written.lastSequence >= 3'000);
    {
        Database database(journalPath());
        QCOMPARE(dropTriggers(database), QString());
        QCOMPARE(database.execute(QStringLiteral("UPDATE snapshots SET checksum = checksum + 1 "
                                                 "WHERE sequence = %1")
                                      .arg(written.lastSequence)),
                 QString());
    }
    const ToolRun damaged =
        runTool({QStringLiteral("journal"), QStringLiteral("verify"), journalPath()});
    QCOMPARE(damaged.exitCode, 1);

    const ToolRun recover =
        runTool({QStringLiteral("journal"), QStringLiteral("recover"), journalPath()});
    QVERIFY2(recover.exitCode == 0, qPrintable(describe(recover)));
    const ToolRun verify =
        runTool({QStringLiteral("journal"), QStringLiteral("verify"), journalPath()});
    QVERIFY2(verify.exitCode == 0, qPrintable(describe(verify)));
    QVERIFY2(verify.output.contains(QStringLiteral("last sequence: %1").arg(written.lastSequence)),
             qPrintable(describe(verify)));
}

// A journal ends with a snapshot at its last event, and that snapshot is damaged. rebuild must
// fall back to an older snapshot and finish, with the state hash of a full replay, although the
// append-only table keeps the damaged row at the last sequence.
void TestJournalBreakage::rebuildSkipsDamagedNewestSnapshot()
{
    const WrittenJournal written = writeSimulatedJournal(journalPath(), 3'000, 1'000, 16);
    QVERIFY(written.lastSequence >= 3'000);
    {
        Database database(journalPath());
        QCOMPARE(dropTriggers(database), QString());
        QCOMPARE(database.execute(QStringLiteral("UPDATE snapshots SET checksum = checksum + 1 "
                                                 "WHERE sequence = %1")
                                      .arg(written.lastSequence)),
                 QString());
    }

    const ToolRun replay =
        runTool({QStringLiteral("journal"), QStringLiteral("replay"), journalPath()});
    QCOMPARE(replay.exitCode, 0);
    static const QRegularExpression hashLine(QStringLiteral("state hash: ([0-9a-f]+)"));
    const QString replayedHash = hashLine.match(replay.output).captured(1);
    QVERIFY(!replayedHash.isEmpty());

    const ToolRun rebuild =
        runTool({QStringLiteral("journal"), QStringLiteral("rebuild"), journalPath()});
    QVERIFY2(rebuild.exitCode == 0, qPrintable(describe(rebuild)));
    QVERIFY2(rebuild.output.contains(
                 QStringLiteral("skipped snapshot at sequence %1").arg(written.lastSequence)),
             qPrintable(describe(rebuild)));
    QCOMPARE(hashLine.match(rebuild.output).captured(1), replayedHash);
}

// --force replaces an existing output file by renaming a temporary file over it. A FIFO (or a
// device such as /dev/stdout) is not a file to replace: it must still be there afterwards.
void TestJournalBreakage::exportKeepsFifoOutput()
{
    const WrittenJournal written = writeSimulatedJournal(journalPath(), 200, 1'000'000, 16);
    QVERIFY(written.lastSequence >= 200);
    const QString fifo = m_folder->filePath(QStringLiteral("events.fifo"));
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);

    // A reader on the FIFO, so that an export that writes into it does not wait forever.
    const int reader = ::open(QFile::encodeName(fifo).constData(), O_RDONLY | O_NONBLOCK);
    QVERIFY(reader >= 0);
    QProcess process;
    process.start(QStringLiteral(BOURSE_ENGINE_EXECUTABLE),
                  {QStringLiteral("journal"), QStringLiteral("export"), journalPath(),
                   QStringLiteral("--format"), QStringLiteral("csv"), QStringLiteral("--output"),
                   fifo, QStringLiteral("--force")});
    char buffer[4096];
    QDeadlineTimer deadline(60'000);
    while (process.state() != QProcess::NotRunning && !deadline.hasExpired()) {
        process.waitForFinished(10);
        while (::read(reader, buffer, sizeof buffer) > 0) {
        }
    }
    ::close(reader);
    QCOMPARE(process.state(), QProcess::NotRunning);

    struct stat status {};
    QCOMPARE(::lstat(QFile::encodeName(fifo).constData(), &status), 0);
    // Export renames a temporary file over its output, so it must refuse a pipe or device.
    QVERIFY2(S_ISFIFO(status.st_mode), "export replaced the FIFO with a regular file");
}

// A journal's -wal file contains committed events that are not in the database file yet. Writing
// an export over it loses them, so it is rejected like the journal itself.
void TestJournalBreakage::exportRejectsJournalWal()
{
    JournalWriterOptions options;
    options.synchronous = SynchronousMode::Normal;
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString(), options);
    QVERIFY(created.writer);
    Engine engine;
    engine.addHandler(created.writer.get());
    InstrumentDefinition definition;
    definition.id = InstrumentId{1};
    definition.symbol = {'S', 'I', 'M'};
    engine.addInstrument(definition, Timestamp{0});
    MarketSimulator simulator(3);
    for (int command = 0; command < 100; ++command) {
        simulator.step(engine, Timestamp{command + 1});
    }
    engine.endBatch();
    QVERIFY(!created.writer->flush());

    const QString wal = journalPath() + QStringLiteral("-wal");
    const QByteArray walBefore = fileBytes(wal);
    QVERIFY(!walBefore.isEmpty());

    const ToolRun run = runTool({QStringLiteral("journal"), QStringLiteral("export"), journalPath(),
                                 QStringLiteral("--format"), QStringLiteral("csv"),
                                 QStringLiteral("--output"), wal, QStringLiteral("--force")});
    // The -wal file contains committed events: export must not write over it.
    QVERIFY2(run.exitCode != 0, qPrintable(describe(run)));
    QVERIFY2(fileBytes(wal) == walBefore, "export replaced the journal's -wal file");
    engine.removeHandler(created.writer.get());
    QVERIFY(!created.writer->close());
}

// A writer on a journal it may not write to must fail at create(), before SQLite creates -wal
// and -shm files. Those files, owned by the user who tried, keep the journal's owner from
// writing to it afterwards in a shared folder with the sticky bit. Root ignores file
// permissions, so as root the check runs in a child process as user nobody (65534).
void TestJournalBreakage::writerRejectsReadOnlyJournal()
{
    const WrittenJournal written = writeSimulatedJournal(journalPath(), 200, 1'000'000, 16);
    QVERIFY(written.lastSequence >= 200);
    const QByteArray path = QFile::encodeName(journalPath());
    QCOMPARE(::chmod(path.constData(), 0444), 0);
    QCOMPARE(::chmod(QFile::encodeName(m_folder->path()).constData(), 0777), 0);

    const auto tryWriter = [&path]() -> int {
        JournalWriter::Created created = JournalWriter::create(path.toStdString());
        return created.writer ? 1 : 0;
    };
    int created = 0;
    if (::geteuid() != 0) {
        created = tryWriter();
    } else {
        const pid_t child = ::fork();
        if (child == 0) {
            const uid_t nobody = 65534;
            if (::setgroups(0, nullptr) != 0 || ::setgid(nobody) != 0 || ::setuid(nobody) != 0) {
                ::_exit(77);
            }
            ::_exit(tryWriter());
        }
        int status = 0;
        ::waitpid(child, &status, 0);
        QVERIFY(WIFEXITED(status));
        if (WEXITSTATUS(status) == 77) {
            QSKIP("running as root, where chmod does not restrict access, and switching to user "
                  "nobody failed");
        }
        created = WEXITSTATUS(status);
    }

    QVERIFY2(created == 0, "JournalWriter::create accepted a journal it may not write to");
    QVERIFY2(!QFile::exists(journalPath() + QStringLiteral("-wal")),
             "the failed writer left a -wal file");
    QVERIFY2(!QFile::exists(journalPath() + QStringLiteral("-shm")),
             "the failed writer left a -shm file");
}

// JournaledRun stores a snapshot every N events "so that a restart replays at most that many
// events". A run that recovered a tail of events and is killed before N more events must not
// let the tail grow: it counts from the newest stored snapshot, not from where the run started.
void TestJournalBreakage::restartTailBoundedAfterCrashes()
{
    constexpr int kRounds = 16;
    constexpr std::uint64_t kSnapshotEvery = 5'000;
    static const QRegularExpression acknowledged(QStringLiteral("^acknowledged \\d+$"),
                                                 QRegularExpression::MultilineOption);

    // Each run is killed at its first acknowledgement, about 1,000 events in at this rate.
    for (int round = 1; round <= kRounds; ++round) {
        QProcess sim;
        sim.start(QStringLiteral(BOURSE_ENGINE_EXECUTABLE),
                  {QStringLiteral("sim"), QStringLiteral("--journal"), journalPath(),
                   QStringLiteral("--seed"), QString::number(round), QStringLiteral("--rate"),
                   QStringLiteral("20000"), QStringLiteral("--snapshot-every"),
                   QString::number(kSnapshotEvery)});
        QVERIFY2(sim.waitForStarted(10'000), qPrintable(sim.errorString()));
        QByteArray output;
        QDeadlineTimer deadline(30'000);
        while (!acknowledged.match(QString::fromUtf8(output)).hasMatch() &&
               !deadline.hasExpired() && sim.state() == QProcess::Running) {
            sim.waitForReadyRead(20);
            output += sim.readAllStandardOutput();
        }
        ::kill(static_cast<pid_t>(sim.processId()), SIGKILL);
        QVERIFY(sim.waitForFinished(10'000));
        QVERIFY2(acknowledged.match(QString::fromUtf8(output)).hasMatch(),
                 qPrintable(QStringLiteral("round %1 acknowledged nothing: %2 %3")
                                .arg(round)
                                .arg(QString::fromUtf8(output))
                                .arg(QString::fromUtf8(sim.readAllStandardError()))));
    }

    const app::RecoveredEngine recovered = app::recoverEngine(journalPath().toStdString());
    QVERIFY2(recovered.engine, recovered.error ? recovered.error->toString().c_str() : "");
    QVERIFY2(recovered.report.lastSequence > 2 * kSnapshotEvery,
             "the runs were too short to show the tail growing");
    // A snapshot is due at the first command end N events after the newest one; a kill before
    // its commit loses the events of that commit too, so one interval of slack suffices.
    QVERIFY2(recovered.report.tailEvents <= 2 * kSnapshotEvery,
             qPrintable(QStringLiteral("a restart replays %1 events after the snapshot at %2, "
                                       "more than twice the snapshot interval of %3")
                            .arg(recovered.report.tailEvents)
                            .arg(recovered.report.snapshotSequence)
                            .arg(kSnapshotEvery)));
}

// sim hands JournaledRun the newest snapshot it recovered from. When the newest snapshot row, at
// the last event, is damaged and the run adds no event (a stop before the first command, or
// `--rate 1 --seconds 1`), the final snapshot must not be stored at that sequence: snapshot rows
// are never replaced, so the insert fails and the run ends with a journal failure.
void TestJournalBreakage::emptyRunAfterDamagedSnapshot()
{
    const WrittenJournal written = writeSimulatedJournal(journalPath(), 3'000, 1'000, 16);
    QVERIFY(written.lastSequence >= 3'000);
    {
        Database database(journalPath());
        QCOMPARE(dropTriggers(database), QString());
        QCOMPARE(database.execute(QStringLiteral("UPDATE snapshots SET checksum = checksum + 1 "
                                                 "WHERE sequence = %1")
                                      .arg(written.lastSequence)),
                 QString());
    }

    // The restart as `bourse-engine sim` makes it, with no command afterwards.
    app::RecoveredEngine recovered = app::recoverEngine(journalPath().toStdString());
    QVERIFY2(recovered.engine, recovered.error ? recovered.error->toString().c_str() : "");
    QCOMPARE(recovered.engine->lastSequence(), written.lastSequence);
    QVERIFY(recovered.report.snapshotSequence < written.lastSequence);
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString());
    QVERIFY(created.writer);
    app::JournaledRun journal(std::move(created.writer), *recovered.engine, 1'000,
                              recovered.report.snapshotSequence);
    recovered.engine->addHandler(&journal);
    recovered.engine->endBatch();

    const std::optional<JournalError> failed = journal.finish();
    recovered.engine->removeHandler(&journal);
    QVERIFY2(!failed, failed ? failed->toString().c_str() : "");
}

// `sim --help`, `journal inspect --help` and `journal export --help` print their usage and exit
// 0; the other journal actions must too, rather than call --help an unknown option.
void TestJournalBreakage::journalActionsPrintHelp_data()
{
    QTest::addColumn<QStringList>("arguments");

    QTest::newRow("journal") << QStringList{QStringLiteral("journal"), QStringLiteral("--help")};
    for (const char *action : {"replay", "verify", "recover", "rebuild"}) {
        QTest::newRow(action) << QStringList{QStringLiteral("journal"), QString::fromLatin1(action),
                                             QStringLiteral("--help")};
    }
}

void TestJournalBreakage::journalActionsPrintHelp()
{
    QFETCH(QStringList, arguments);

    const ToolRun run = runTool(arguments);
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    QVERIFY2(run.output.contains(QStringLiteral("usage:")), qPrintable(describe(run)));
}

QTEST_GUILESS_MAIN(TestJournalBreakage)
#include "tst_journal_breakage.moc"

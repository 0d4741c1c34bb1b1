#include "event_text.h"
#include "journal.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QtTest>

#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace bourse;
using namespace bourse::storage;
using bourse::test::describe;

namespace {

// One event of each of the first seven payload types in turn, with values derived from the
// sequence number. Fields that the first codec version lacked carry values too, so that the
// journal stores and returns them.
Event sampleEvent(SequenceNumber sequence)
{
    const auto n = static_cast<std::int64_t>(sequence);
    const OrderId id{sequence * 10};
    const Side side = sequence % 2 == 0 ? Side::Buy : Side::Sell;
    const AccountId account{static_cast<std::uint32_t>(sequence % 5)};

    Event event;
    event.sequence = sequence;
    event.time = Timestamp{34'200'000'000'000 + n * 1'000};
    event.instrument = InstrumentId{3};
    switch (sequence % 7) {
    case 0:
        event.payload = OrderAccepted{id,
                                      side,
                                      sequence % 3 == 0 ? OrderType::Market : OrderType::Limit,
                                      Price{580'000 + n},
                                      Quantity{n},
                                      account,
                                      ClientOrderId{sequence + 1},
                                      static_cast<TimeInForce>(sequence % 5),
                                      Liquidity::Any,
                                      SelfTradePrevention::AccountDefault,
                                      Price{0},
                                      Quantity{n % 4},
                                      Price{0},
                                      Timestamp{0}};
        break;
    case 1:
        event.payload = OrderAdded{id, side, Price{580'000 - n}, Quantity{100 + n},
                                   static_cast<OrderOrigin>(sequence % 3)};
        break;
    case 2:
        event.payload = OrderRejected{id, static_cast<RejectReason>(1 + sequence % 6),
                                      ClientOrderId{sequence}, account};
        break;
    case 3:
        event.payload = OrderCancelled{id, side, Price{580'100}, Quantity{n},
                                       static_cast<CancelReason>(1 + sequence % 3)};
        break;
    case 4:
        event.payload = OrderReduced{id, side, Price{579'900}, Quantity{7}, Quantity{n}};
        break;
    case 5:
        event.payload = Trade{id,
                              OrderId{sequence * 10 + 1},
                              side,
                              Price{580'050},
                              Quantity{n % 50 + 1},
                              Quantity{-n},
                              account,
                              AccountId{1}};
        break;
    default:
        event.payload = TradingStatusChanged{static_cast<TradingStatus>(sequence % 3)};
        break;
    }
    return event;
}

// Hands `event` to the writer as a command of its own, the way the engine publishes events: the
// event, then the end of its command, where a full chunk is handed over.
void appendCommand(JournalWriter &writer, const Event &event)
{
    writer.onEvent(event);
    writer.onCommandEnd();
}

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

// The layout of a chunk body as the format documents it, read here apart from the journal's own
// code: each event is one record of sequence (8 bytes), time (8), instrument (4), type (1),
// payload size (2), the payload, checksum (8) and hash (8), all little-endian.
constexpr qsizetype timeOffset = 8;
constexpr qsizetype instrumentOffset = 16;
constexpr qsizetype typeOffset = 20;
constexpr qsizetype payloadSizeOffset = 21;
constexpr qsizetype payloadOffset = 23;
constexpr qsizetype recordOverhead = payloadOffset + 8 + 8;

// One event record of a chunk body.
struct Record {
    qint64 sequence = 0;
    qint64 time = 0;
    quint32 instrument = 0;
    quint8 type = 0;
    QByteArray payload;
    std::uint64_t checksum = 0;
    std::uint64_t hash = 0;
    qsizetype offset = 0; // where the record starts in its chunk's body

    qsizetype checksumOffset() const { return offset + payloadOffset + payload.size(); }
    qsizetype hashOffset() const { return checksumOffset() + 8; }
    qsizetype end() const { return hashOffset() + 8; }
};

std::uint64_t readLittleEndian(const QByteArray &bytes, qsizetype offset, int width)
{
    std::uint64_t value = 0;
    for (int byte = 0; byte < width; ++byte) {
        value |= std::uint64_t{static_cast<std::uint8_t>(bytes[offset + byte])} << (8 * byte);
    }
    return value;
}

// Splits a chunk body into its records. A record that the body cuts short ends the list and
// clears `complete`.
std::vector<Record> parseBody(const QByteArray &body, bool *complete = nullptr)
{
    std::vector<Record> records;
    bool whole = true;
    qsizetype offset = 0;
    while (offset < body.size()) {
        if (body.size() - offset < payloadOffset) {
            whole = false;
            break;
        }
        const auto payloadSize =
            static_cast<qsizetype>(readLittleEndian(body, offset + payloadSizeOffset, 2));
        if (body.size() - offset < recordOverhead + payloadSize) {
            whole = false;
            break;
        }
        Record record;
        record.offset = offset;
        record.sequence = static_cast<qint64>(readLittleEndian(body, offset, 8));
        record.time = static_cast<qint64>(readLittleEndian(body, offset + timeOffset, 8));
        record.instrument =
            static_cast<quint32>(readLittleEndian(body, offset + instrumentOffset, 4));
        record.type = static_cast<quint8>(readLittleEndian(body, offset + typeOffset, 1));
        record.payload = body.mid(offset + payloadOffset, payloadSize);
        record.checksum = readLittleEndian(body, record.checksumOffset(), 8);
        record.hash = readLittleEndian(body, record.hashOffset(), 8);
        offset = record.end();
        records.push_back(std::move(record));
    }
    if (complete != nullptr) {
        *complete = whole;
    }
    return records;
}

QByteArray encodeBody(const std::vector<Record> &records)
{
    QByteArray body;
    for (const Record &record : records) {
        body += littleEndian(static_cast<std::uint64_t>(record.sequence), 8) +
                littleEndian(static_cast<std::uint64_t>(record.time), 8) +
                littleEndian(record.instrument, 4) + littleEndian(record.type, 1) +
                littleEndian(static_cast<std::uint64_t>(record.payload.size()), 2) +
                record.payload + littleEndian(record.checksum, 8) + littleEndian(record.hash, 8);
    }
    return body;
}

// FNV-1a over sequence (8 bytes), time (8), instrument (4) and type (1), little-endian, then
// the payload.
std::uint64_t recordChecksum(const Record &record)
{
    return fnv1a(littleEndian(static_cast<std::uint64_t>(record.sequence), 8) +
                 littleEndian(static_cast<std::uint64_t>(record.time), 8) +
                 littleEndian(record.instrument, 4) + littleEndian(record.type, 1) +
                 record.payload);
}

// FNV-1a over the previous event's hash and this event's checksum, 8 bytes each, little-endian.
std::uint64_t chainHash(std::uint64_t previousHash, std::uint64_t checksum)
{
    return fnv1a(littleEndian(previousHash, 8) + littleEndian(checksum, 8));
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

    // The chunk whose events include `sequence`: its first_sequence, or 0.
    qint64 chunkStart(SequenceNumber sequence)
    {
        return queryInteger(QStringLiteral("SELECT first_sequence FROM chunks WHERE "
                                           "first_sequence <= %1 ORDER BY first_sequence DESC "
                                           "LIMIT 1")
                                .arg(sequence));
    }

    QByteArray chunkBody(qint64 first)
    {
        return queryBlob(
            QStringLiteral("SELECT body FROM chunks WHERE first_sequence = %1").arg(first));
    }

    QString setChunkBody(qint64 first, const QByteArray &body)
    {
        return executeWithBlob(
            QStringLiteral("UPDATE chunks SET body = ?1 WHERE first_sequence = %1").arg(first),
            body);
    }

    // The first_sequence of every chunk, in order.
    std::vector<qint64> chunkStarts()
    {
        std::vector<qint64> starts;
        sqlite3_stmt *statement = nullptr;
        sqlite3_prepare_v2(m_database, "SELECT first_sequence FROM chunks ORDER BY first_sequence",
                           -1, &statement, nullptr);
        while (sqlite3_step(statement) == SQLITE_ROW) {
            starts.push_back(sqlite3_column_int64(statement, 0));
        }
        sqlite3_finalize(statement);
        return starts;
    }

    // Every record of every chunk, in the order of the chunks.
    std::vector<Record> allRecords()
    {
        std::vector<Record> records;
        for (const qint64 first : chunkStarts()) {
            for (Record &record : parseBody(chunkBody(first))) {
                records.push_back(std::move(record));
            }
        }
        return records;
    }

    sqlite3 *handle() const { return m_database; }

private:
    sqlite3 *m_database = nullptr;
};

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

// The -wal and -shm files beside a journal, as "journal.sqlite-wal journal.sqlite-shm"; empty
// when there are none.
QString sideFiles(const QString &path)
{
    QStringList found;
    for (const char *suffix : {"-wal", "-shm"}) {
        if (QFileInfo::exists(path + suffix)) {
            found.append(QFileInfo(path).fileName() + suffix);
        }
    }
    return found.join(QLatin1Char(' '));
}

QString hex16(std::uint64_t value)
{
    return QStringLiteral("%1").arg(quint64{value}, 16, 16, QLatin1Char('0'));
}

// Sets the permission bits of a file and of its folder, as chmod does, until the object is
// destroyed.
class TemporaryPermissions {
public:
    TemporaryPermissions(const QString &file, mode_t fileMode, const QString &folder,
                         mode_t folderMode)
        : m_file(QFile::encodeName(file))
        , m_folder(QFile::encodeName(folder))
    {
        chmod(m_file.constData(), fileMode);
        chmod(m_folder.constData(), folderMode);
    }
    ~TemporaryPermissions()
    {
        chmod(m_folder.constData(), 0700);
        chmod(m_file.constData(), 0600);
    }
    TemporaryPermissions(const TemporaryPermissions &) = delete;
    TemporaryPermissions &operator=(const TemporaryPermissions &) = delete;

private:
    QByteArray m_file;
    QByteArray m_folder;
};

// Permission bits for an archive: a read-only file in a read-only folder that everyone may
// search, or in a folder that everyone may write to.
constexpr mode_t readOnlyFile = 0444;
constexpr mode_t readOnlyFolder = 0555;
constexpr mode_t writableFolder = 0777;

// The outcome of runUnprivileged: a reason to skip, or the body's failure message, empty when
// it passed.
struct UnprivilegedRun {
    QString skipReason;
    QString failure;
};

// Runs `body`, which returns a failure message or an empty string, without the privileges that
// let root ignore file permissions. As root, the body runs in a child process as user nobody
// (65534), so it must not use the QTest macros; otherwise it runs in this process.
UnprivilegedRun runUnprivileged(const QString &folder, const std::function<std::string()> &body)
{
    if (geteuid() != 0) {
        return {QString(), QString::fromStdString(body())};
    }

    constexpr int cannotSwitchUser = 77;
    constexpr int cannotReachFolder = 78;
    int channel[2];
    if (pipe(channel) != 0) {
        return {QString(), QStringLiteral("pipe() failed")};
    }
    const QByteArray folderPath = QFile::encodeName(folder);
    const pid_t child = fork();
    if (child == 0) {
        close(channel[0]);
        const uid_t nobody = 65534;
        if (setgroups(0, nullptr) != 0 || setgid(nobody) != 0 || setuid(nobody) != 0) {
            _exit(cannotSwitchUser);
        }
        if (access(folderPath.constData(), X_OK) != 0) {
            _exit(cannotReachFolder);
        }
        const std::string failure = body();
        const bool written =
            write(channel[1], failure.data(), failure.size()) == ssize_t(failure.size());
        _exit(written && failure.empty() ? 0 : 1);
    }

    close(channel[1]);
    QByteArray failure;
    char buffer[512];
    ssize_t count = 0;
    while ((count = read(channel[0], buffer, sizeof buffer)) > 0) {
        failure.append(buffer, count);
    }
    close(channel[0]);
    int status = 0;
    waitpid(child, &status, 0);

    if (!WIFEXITED(status)) {
        return {QString(), QStringLiteral("the unprivileged child process ended abnormally")};
    }
    if (WEXITSTATUS(status) == cannotSwitchUser) {
        return {QStringLiteral("running as root, where chmod does not restrict access, and "
                               "switching to user nobody failed"),
                QString()};
    }
    if (WEXITSTATUS(status) == cannotReachFolder) {
        return {QStringLiteral("running as root, where chmod does not restrict access, and user "
                               "nobody cannot reach the temporary folder %1")
                    .arg(folder),
                QString()};
    }
    if (WEXITSTATUS(status) != 0 && failure.isEmpty()) {
        return {QString(), QStringLiteral("the unprivileged check failed without a message")};
    }
    return {QString(), QString::fromUtf8(failure)};
}

// Reads every event and describes what differs from events 1..expectedEvents read with
// `expectedAccess`. Returns an empty string when nothing differs.
std::string checkRead(const std::string &path, ReaderAccess access, ReaderAccess expectedAccess,
                      SequenceNumber expectedEvents)
{
    JournalReader::Opened opened = JournalReader::open(path, access);
    if (!opened.reader) {
        return "open failed: " + opened.error->toString();
    }
    SequenceNumber events = 0;
    while (opened.reader->next()) {
        ++events;
    }
    if (opened.reader->error()) {
        return "read failed: " + opened.reader->error()->toString();
    }
    if (events != expectedEvents) {
        return "read " + std::to_string(events) + " events, expected " +
               std::to_string(expectedEvents);
    }
    if (opened.reader->access() != expectedAccess) {
        return expectedAccess == ReaderAccess::Immutable
                   ? "the reader did not fall back to immutable access"
                   : "the reader fell back to immutable access";
    }
    return std::string();
}

// The exit status and output of one run of `bourse-engine`.
struct CommandResult {
    int exitCode = -1;
    QString output;
    QString errors;
};

CommandResult runEngine(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral(BOURSE_ENGINE_EXECUTABLE), arguments);
    CommandResult result;
    if (!process.waitForFinished(60'000)) {
        result.errors = QStringLiteral("bourse-engine did not finish: ") + process.errorString();
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.output = QString::fromUtf8(process.readAllStandardOutput());
    result.errors = QString::fromUtf8(process.readAllStandardError());
    return result;
}

// What the corruption test does to a journal of 100 events in chunks of 10, most of it to event
// 42, the second record of the chunk from 41 to 50.
enum class Damage {
    FlipPayloadByte,
    FlipChecksumByte,
    FlipHashByte,
    FlipSequenceByte,
    FlipSequenceSignBit,
    FlipPayloadSizeLowByte,
    FlipPayloadSizeHighBit,
    ChangeType,
    ChangeTime,
    ChangeInstrument,
    EditPayloadKeepChecksum,
    EditPayloadFixChecksum,
    EditPayloadFixRecordHash,
    EditChunkEndFixRecordHash,
    UndecodablePayloadFixChain,
    RemoveMiddleRecord,
    RemoveTwoRecords,
    RemoveFirstRecord,
    DeleteMiddleChunk,
    DeleteFirstChunk,
    DeleteLastChunk,
    DeleteChunkBeforeLast,
    RemoveLastRecordFixColumns,
    TruncateBodyInsideRecord,
    TruncateBodyInsideHeader,
    TruncateBodyAfterRecord,
    LowerEventCount,
    LowerLastSequence,
    ChangeFirstSequence,
    BodyAsText,
    EventCountAsText,
    FlipPayloadByteInLastChunk,
    RaiseRecordedTail,
    LowerRecordedTail,
    ChangeRecordedHash,
    DeleteLastChunkAndMetadata,
    RemoveLastRecordAndRewriteTail,
};

constexpr SequenceNumber damagedSequence = 42;
constexpr SequenceNumber journalLength = 100;
constexpr std::size_t chunkLength = 10; // events per chunk of the journals the tests damage

// How long a test waits for the writer thread before it fails instead of hanging. Commits take
// milliseconds; the margin is for a loaded machine.
constexpr int commitDeadlineMs = 30'000;

// Flips the bits `mask` of the byte at `offset` in the body of the chunk starting at `first`,
// through the incremental blob API: that byte changes in place and nothing else does.
QString flipBits(RawDatabase &database, qint64 first, qsizetype offset, std::uint8_t mask)
{
    sqlite3_blob *blob = nullptr;
    if (sqlite3_blob_open(database.handle(), "main", "chunks", "body", first, 1, &blob) !=
        SQLITE_OK) {
        return QString::fromUtf8(sqlite3_errmsg(database.handle()));
    }
    char byte = 0;
    const int offsetInBlob = static_cast<int>(offset);
    int resultCode = sqlite3_blob_read(blob, &byte, 1, offsetInBlob);
    byte = static_cast<char>(byte ^ static_cast<char>(mask));
    if (resultCode == SQLITE_OK) {
        resultCode = sqlite3_blob_write(blob, &byte, 1, offsetInBlob);
    }
    sqlite3_blob_close(blob);
    return resultCode == SQLITE_OK ? QString() : QStringLiteral("flipping a byte failed");
}

// Applies `edit` to the record of event `sequence` and stores its chunk's body again.
QString editRecord(RawDatabase &database, SequenceNumber sequence,
                   const std::function<void(Record &record, const Record *previous)> &edit)
{
    const qint64 first = database.chunkStart(sequence);
    std::vector<Record> records = parseBody(database.chunkBody(first));
    const auto index = static_cast<std::size_t>(qint64(sequence) - first);
    const Record *previous = index > 0 ? &records[index - 1] : nullptr;
    Record previousChunkEnd;
    if (previous == nullptr && first > 1) {
        previousChunkEnd =
            parseBody(database.chunkBody(database.chunkStart(SequenceNumber(first) - 1))).back();
        previous = &previousChunkEnd;
    }
    edit(records[index], previous);
    return database.setChunkBody(first, encodeBody(records));
}

// Takes the records of `sequences` out of the body of the chunk starting at `first`, and
// leaves the chunk's columns as they were.
QString removeRecords(RawDatabase &database, qint64 first, const std::set<qint64> &sequences)
{
    std::vector<Record> kept;
    for (Record &record : parseBody(database.chunkBody(first))) {
        if (!sequences.contains(record.sequence)) {
            kept.push_back(std::move(record));
        }
    }
    return database.setChunkBody(first, encodeBody(kept));
}

// Changes the second byte from the end of a payload, which every event type has.
void editPayload(Record &record)
{
    const qsizetype index = record.payload.size() - 2;
    record.payload[index] = static_cast<char>(record.payload[index] + 1);
}

// Replaces the payload of event `sequence`, then recomputes checksums and hashes from there to
// the end and the metadata's last hash, as an editor familiar with the format could.
QString rewriteFrom(RawDatabase &database, SequenceNumber sequence, const QByteArray &payload)
{
    QString error;
    std::uint64_t previousHash = 0;
    for (const qint64 first : database.chunkStarts()) {
        std::vector<Record> records = parseBody(database.chunkBody(first));
        bool changed = false;
        for (Record &record : records) {
            if (record.sequence == qint64(sequence)) {
                record.payload = payload;
            }
            if (record.sequence >= qint64(sequence)) {
                record.checksum = recordChecksum(record);
                record.hash = chainHash(previousHash, record.checksum);
                changed = true;
            }
            previousHash = record.hash;
        }
        if (changed) {
            error += database.setChunkBody(first, encodeBody(records));
        }
    }
    return error + database.execute(QStringLiteral("UPDATE metadata SET value = %1 "
                                                   "WHERE key = 'last_hash'")
                                        .arg(qint64(previousHash)));
}

// The version 1 schema, as the first builds created it: one row per event.
constexpr const char *version1Schema = R"sql(
PRAGMA journal_mode = WAL;
BEGIN IMMEDIATE;
CREATE TABLE metadata (
    key TEXT PRIMARY KEY NOT NULL,
    value INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE events (
    sequence INTEGER PRIMARY KEY NOT NULL CHECK (sequence > 0),
    time INTEGER NOT NULL,
    instrument INTEGER NOT NULL,
    type INTEGER NOT NULL,
    payload BLOB NOT NULL,
    checksum INTEGER NOT NULL,
    hash INTEGER NOT NULL
);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the events table of a journal is append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the events table of a journal is append-only'); END;
INSERT INTO metadata (key, value) VALUES
    ('format_version', 1), ('last_sequence', 0), ('last_hash', 0);
PRAGMA application_id = 1112691530;
COMMIT;
)sql";

// The names of the tables and triggers of a database, sorted.
QStringList schemaObjects(RawDatabase &database)
{
    QStringList names;
    sqlite3_stmt *statement = nullptr;
    sqlite3_prepare_v2(database.handle(),
                       "SELECT type || ' ' || name FROM sqlite_schema "
                       "WHERE type IN ('table', 'trigger') ORDER BY type, name",
                       -1, &statement, nullptr);
    while (sqlite3_step(statement) == SQLITE_ROW) {
        names.append(
            QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(statement, 0))));
    }
    sqlite3_finalize(statement);
    return names;
}

} // namespace

class TestJournal : public QObject {
    Q_OBJECT

private slots:
    void init();

    void roundTripOfEveryType_data();
    void roundTripOfEveryType();
    void emptyJournalReadsNothing();
    void reopenContinuesSequence();
    void writerRejectsOutOfOrder_data();
    void writerRejectsOutOfOrder();
    void writerStopsAfterFirstError();
    void writerRejectsEventAfterClose();
    void fullChunkIsCommittedWithoutFlush();
    void chunkClosesOnlyAtCommandEnd();
    void flushCommitsPartialChunk();
    void batchEndHandsOverPartialChunk();
    void destructorCommitsPendingEvents();
    void chunksFollowDocumentedLayout();
    void fnv1aMatchesPublishedVectors();
    void chunksTableIsAppendOnly();
    void readerSeesOneSnapshot();

    void snapshotRowsFollowDocumentedChecksum();
    void snapshotMustFollowLastEvent_data();
    void snapshotMustFollowLastEvent();
    void snapshotWithEmptyBodyIsStored();
    void version1JournalIsUpgradedInPlace();
    void version1JournalWithDamagedTailIsNotUpgraded();

    void damageIsDetected_data();
    void damageIsDetected();
    void writerRejectsDamagedTail_data();
    void writerRejectsDamagedTail();
    void otherFilesAreRejected_data();
    void otherFilesAreRejected();
    void uriLikePathIsAPlainFile();
    void failureReportsFirstError();
    void truncatedJournalIsRejected();
    void newerFormatVersionIsRejected();
    void emptyFileBecomesJournal();
    void missingFileIsOpenError();

    void committedEventsSurviveCloseWithBlockedCheckpoint();
    void committedEventsSurviveProcessCrash();
    void committedEventsSurviveKill();

    void readerLeavesNoSideFiles();
    void readOnlyArchiveIsReadImmutable();
    void emptyWalWithoutShmFallsBackToImmutable();
    void readOnlyFileInWritableFolderLeavesNoFiles();
    void immutableReaderReadsArchive();
    void immutableReaderRejectsWalWithEvents();
    void readOnlyFolderStillReadsLiveWriter();
    void readOnlyFolderRejectsUnreadableWal();
    void nonRegularFileIsRejected_data();
    void nonRegularFileIsRejected();
    void damagedMetadataIsDamage_data();
    void damagedMetadataIsDamage();
    void truncationWithRewrittenTailNeedsSavedHash();

    void verifyCommandReportsDamage_data();
    void verifyCommandReportsDamage();
    void verifyCommandRejectsDirectory();
    void verifyCommandPrintsSavableChainHash();

private:
    QString journalPath() const { return m_directory->filePath(QStringLiteral("journal.sqlite")); }

    // Writes events 1..count to a new journal and closes it.
    void writeJournal(const QString &path, SequenceNumber count,
                      std::size_t eventsPerChunk = chunkLength);
    // Writes events 1..count in format version 1, with the records the current writer encodes.
    void writeVersion1Journal(const QString &path, SequenceNumber count);
    void damage(const QString &path, Damage kind);
    void damageRecord(RawDatabase &database, Damage kind);
    void damageChunk(RawDatabase &database, Damage kind);
    // Commits `count` events in one transaction and ends the writing process without closing,
    // so that the events stay in the -wal file.
    void writeJournalAndCrash(const QString &path, SequenceNumber count);

    std::optional<QTemporaryDir> m_directory;
};

void TestJournal::init()
{
    m_directory.emplace();
    QVERIFY(m_directory->isValid());
}

void TestJournal::writeJournal(const QString &path, SequenceNumber count,
                               std::size_t eventsPerChunk)
{
    JournalWriterOptions options;
    options.eventsPerChunk = eventsPerChunk;
    JournalWriter::Created created = JournalWriter::create(path.toStdString(), options);
    QVERIFY2(created.writer, created.error ? created.error->toString().c_str() : "");
    for (SequenceNumber sequence = 1; sequence <= count; ++sequence) {
        appendCommand(*created.writer, sampleEvent(sequence));
    }
    const std::optional<JournalError> error = created.writer->close();
    QVERIFY2(!error, error ? error->toString().c_str() : "");
}

void TestJournal::writeVersion1Journal(const QString &path, SequenceNumber count)
{
    const QString encoded = m_directory->filePath(QStringLiteral("encoded.sqlite"));
    writeJournal(encoded, count);
    std::vector<Record> records = RawDatabase(encoded).allRecords();
    QCOMPARE(records.size(), std::size_t{count});

    RawDatabase database(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    QCOMPARE(database.execute(QString::fromUtf8(version1Schema)), QString());
    for (const Record &record : records) {
        const QString insert = QStringLiteral("INSERT INTO events (sequence, time, instrument, "
                                              "type, payload, checksum, hash) VALUES "
                                              "(%1, %2, %3, %4, ?1, %5, %6)")
                                   .arg(record.sequence)
                                   .arg(record.time)
                                   .arg(record.instrument)
                                   .arg(record.type)
                                   .arg(qint64(record.checksum))
                                   .arg(qint64(record.hash));
        QCOMPARE(database.executeWithBlob(insert, record.payload), QString());
    }
    const std::uint64_t lastHash = records.empty() ? 0 : records.back().hash;
    QCOMPARE(database.execute(QStringLiteral("UPDATE metadata SET value = %1 WHERE key = "
                                             "'last_sequence'; UPDATE metadata SET value = %2 "
                                             "WHERE key = 'last_hash';")
                                  .arg(count)
                                  .arg(qint64(lastHash))),
             QString());
}

void TestJournal::roundTripOfEveryType_data()
{
    QTest::addColumn<int>("eventsPerChunk");
    QTest::addColumn<int>("expectedChunks");

    // 700 events: 100 of each of the 7 payload types.
    QTest::newRow("one event per chunk") << 1 << 700;
    QTest::newRow("ten events per chunk") << 10 << 70;
    QTest::newRow("a partial last chunk") << 64 << 11;
    QTest::newRow("one chunk on close") << 4096 << 1;
}

void TestJournal::roundTripOfEveryType()
{
    QFETCH(int, eventsPerChunk);
    QFETCH(int, expectedChunks);
    const SequenceNumber count = 700;
    writeJournal(journalPath(), count, static_cast<std::size_t>(eventsPerChunk));
    QVERIFY(!QTest::currentTestFailed());

    const ReadResult result = readAll(journalPath());

    QVERIFY(!result.openError);
    QVERIFY2(!result.error, result.error ? result.error->toString().c_str() : "");
    QCOMPARE(result.events.size(), std::size_t{count});
    for (SequenceNumber sequence = 1; sequence <= count; ++sequence) {
        QCOMPARE(describe(result.events[sequence - 1]), describe(sampleEvent(sequence)));
    }
    RawDatabase database(journalPath());
    QCOMPARE(database.queryInteger(QStringLiteral("SELECT count(*) FROM chunks")), expectedChunks);
    QCOMPARE(database.queryInteger(QStringLiteral("SELECT sum(event_count) FROM chunks")),
             qint64(count));
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
    QCOMPARE(RawDatabase(journalPath()).queryInteger(QStringLiteral("SELECT count(*) FROM chunks")),
             0);
}

void TestJournal::reopenContinuesSequence()
{
    writeJournal(journalPath(), 10, 4);

    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString());
    QVERIFY(created.writer);
    QCOMPARE(created.writer->lastSequence(), SequenceNumber{10});
    QCOMPARE(created.writer->committedSequence(), SequenceNumber{10});

    appendCommand(*created.writer, sampleEvent(11));
    appendCommand(*created.writer, sampleEvent(12));
    QVERIFY(!created.writer->close());

    const ReadResult result = readAll(journalPath());
    QVERIFY(!result.error);
    QCOMPARE(result.events.size(), std::size_t{12});
    QCOMPARE(describe(result.events[10]), describe(sampleEvent(11)));
    QCOMPARE(describe(result.events[11]), describe(sampleEvent(12)));

    // The events of the second writer form a chunk of their own, chained to the first's.
    RawDatabase database(journalPath());
    QCOMPARE(database.chunkStarts(), (std::vector<qint64>{1, 5, 9, 11}));
    const std::vector<Record> records = database.allRecords();
    QCOMPARE(records.size(), std::size_t{12});
    QCOMPARE(records[10].hash, chainHash(records[9].hash, records[10].checksum));
}

void TestJournal::writerRejectsOutOfOrder_data()
{
    QTest::addColumn<int>("eventsPerChunk");
    QTest::addColumn<int>("eventsBefore");
    QTest::addColumn<quint64>("offered");
    QTest::addColumn<QString>("expectedMessage");

    QTest::newRow("new journal starting at 2") << 4096 << 0 << quint64{2}
                                               << "sequence 2: event does not "
                                                  "follow the last event 0 "
                                                  "(expected sequence 1)";
    QTest::newRow("new journal starting at 0") << 4096 << 0 << quint64{0}
                                               << "event does not follow the "
                                                  "last event 0 (expected "
                                                  "sequence 1)";
    // The events before the rejected one wait in the unfinished chunk.
    QTest::newRow("repeat of the last") << 4096 << 5 << quint64{5}
                                        << "sequence 5: event does not follow "
                                           "the last event 5 (expected "
                                           "sequence 6)";
    // Events 1 to 4 were handed over in two chunks, event 5 waits in the unfinished one.
    QTest::newRow("skip one") << 2 << 5 << quint64{7}
                              << "sequence 7: event does not follow the last "
                                 "event 5 (expected sequence 6)";
    // Every event before the rejected one was handed over in a chunk of its own.
    QTest::newRow("step back") << 1 << 5 << quint64{3}
                               << "sequence 3: event does not follow the last "
                                  "event 5 (expected sequence 6)";
}

void TestJournal::writerRejectsOutOfOrder()
{
    QFETCH(int, eventsPerChunk);
    QFETCH(int, eventsBefore);
    QFETCH(quint64, offered);
    QFETCH(QString, expectedMessage);

    JournalWriterOptions options;
    options.eventsPerChunk = static_cast<std::size_t>(eventsPerChunk);
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString(), options);
    QVERIFY(created.writer);
    for (SequenceNumber sequence = 1; sequence <= SequenceNumber(eventsBefore); ++sequence) {
        appendCommand(*created.writer, sampleEvent(sequence));
    }
    appendCommand(*created.writer, sampleEvent(offered));

    // The error is set on the calling thread, before any flush.
    const std::optional<JournalError> immediate = created.writer->error();
    QVERIFY(immediate);
    QCOMPARE(immediate->kind, JournalErrorKind::SequenceOutOfOrder);

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
    appendCommand(*created.writer, sampleEvent(1));
    appendCommand(*created.writer, sampleEvent(3));
    appendCommand(*created.writer, sampleEvent(2)); // would follow 1, but the writer has stopped

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
    appendCommand(*created.writer, sampleEvent(1));
    QVERIFY(!created.writer->close());

    appendCommand(*created.writer, sampleEvent(2));
    created.writer->onBatchEnd();

    QVERIFY(created.writer->error());
    QCOMPARE(created.writer->error()->kind, JournalErrorKind::WriterClosed);
    QCOMPARE(created.writer->error()->sequence, SequenceNumber{2});
    QCOMPARE(readAll(journalPath()).events.size(), std::size_t{1});
}

// A chunk goes to the writer thread at the end of the command that fills it, and is committed
// without a flush. Events of the unfinished chunk stay on the engine thread, so nothing can have
// committed them.
void TestJournal::fullChunkIsCommittedWithoutFlush()
{
    JournalWriterOptions options;
    options.eventsPerChunk = 4;
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString(), options);
    QVERIFY(created.writer);
    RawDatabase observer(journalPath(), SQLITE_OPEN_READONLY);
    const QString count = QStringLiteral("SELECT count(*) FROM chunks");
    const QString lastChunkEnd = QStringLiteral("SELECT max(last_sequence) FROM chunks");

    for (SequenceNumber sequence = 1; sequence <= 3; ++sequence) {
        appendCommand(*created.writer, sampleEvent(sequence));
    }
    QCOMPARE(created.writer->committedSequence(), SequenceNumber{0});
    QCOMPARE(observer.queryInteger(count), 0);

    appendCommand(*created.writer, sampleEvent(4));
    QTRY_COMPARE_WITH_TIMEOUT(created.writer->committedSequence(), SequenceNumber{4},
                              commitDeadlineMs);
    QCOMPARE(observer.queryInteger(count), 1);
    QCOMPARE(observer.queryInteger(lastChunkEnd), 4);

    for (SequenceNumber sequence = 5; sequence <= 9; ++sequence) {
        appendCommand(*created.writer, sampleEvent(sequence));
    }
    QTRY_COMPARE_WITH_TIMEOUT(created.writer->committedSequence(), SequenceNumber{8},
                              commitDeadlineMs);
    QCOMPARE(created.writer->lastSequence(), SequenceNumber{9});
    QCOMPARE(observer.queryInteger(count), 2);
    QCOMPARE(observer.queryInteger(lastChunkEnd), 8);
    QCOMPARE(observer.queryInteger(
                 QStringLiteral("SELECT value FROM metadata WHERE key = 'last_sequence'")),
             8);
}

// A command's events stay in one chunk, even past eventsPerChunk, so a journal cut short by a
// crash never ends inside a command.
void TestJournal::chunkClosesOnlyAtCommandEnd()
{
    JournalWriterOptions options;
    options.eventsPerChunk = 4;
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString(), options);
    QVERIFY(created.writer);

    for (SequenceNumber sequence = 1; sequence <= 6; ++sequence) {
        created.writer->onEvent(sampleEvent(sequence));
    }
    QCOMPARE(created.writer->lastSequence(), SequenceNumber{6});
    QCOMPARE(created.writer->committedSequence(), SequenceNumber{0});

    created.writer->onCommandEnd();
    QTRY_COMPARE_WITH_TIMEOUT(created.writer->committedSequence(), SequenceNumber{6},
                              commitDeadlineMs);
    appendCommand(*created.writer, sampleEvent(7));
    QVERIFY(!created.writer->close());

    RawDatabase database(journalPath());
    QCOMPARE(database.chunkStarts(), (std::vector<qint64>{1, 7}));
    QCOMPARE(database.queryInteger(
                 QStringLiteral("SELECT event_count FROM chunks WHERE first_sequence = 1")),
             6);
    QCOMPARE(database.queryInteger(
                 QStringLiteral("SELECT last_sequence FROM chunks WHERE first_sequence = 1")),
             6);
    QCOMPARE(readAll(journalPath()).events.size(), std::size_t{7});
}

void TestJournal::flushCommitsPartialChunk()
{
    JournalWriterOptions options;
    options.eventsPerChunk = 100;
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString(), options);
    QVERIFY(created.writer);
    RawDatabase observer(journalPath(), SQLITE_OPEN_READONLY);

    for (SequenceNumber sequence = 1; sequence <= 10; ++sequence) {
        appendCommand(*created.writer, sampleEvent(sequence));
    }
    QCOMPARE(observer.queryInteger(QStringLiteral("SELECT count(*) FROM chunks")), 0);

    QVERIFY(!created.writer->flush());
    QCOMPARE(created.writer->committedSequence(), SequenceNumber{10});
    QCOMPARE(observer.queryInteger(QStringLiteral("SELECT count(*) FROM chunks")), 1);
    QCOMPARE(observer.queryInteger(QStringLiteral("SELECT event_count FROM chunks")), 10);
    QCOMPARE(observer.queryInteger(QStringLiteral("SELECT last_sequence FROM chunks")), 10);
    QCOMPARE(observer.queryInteger(
                 QStringLiteral("SELECT value FROM metadata WHERE key = 'last_sequence'")),
             10);
}

// A slow flow never fills a chunk, so the end of a batch hands the partial chunk over, and the
// writer thread commits it without a flush.
void TestJournal::batchEndHandsOverPartialChunk()
{
    JournalWriterOptions options;
    options.eventsPerChunk = 100;
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString(), options);
    QVERIFY(created.writer);
    RawDatabase observer(journalPath(), SQLITE_OPEN_READONLY);

    for (SequenceNumber sequence = 1; sequence <= 3; ++sequence) {
        appendCommand(*created.writer, sampleEvent(sequence));
    }
    QCOMPARE(created.writer->committedSequence(), SequenceNumber{0});
    created.writer->onBatchEnd();
    QTRY_COMPARE_WITH_TIMEOUT(created.writer->committedSequence(), SequenceNumber{3},
                              commitDeadlineMs);
    QCOMPARE(observer.queryInteger(QStringLiteral("SELECT event_count FROM chunks")), 3);

    appendCommand(*created.writer, sampleEvent(4));
    QCOMPARE(created.writer->committedSequence(), SequenceNumber{3});
    QCOMPARE(created.writer->lastSequence(), SequenceNumber{4});

    // A batch end with no new event hands over no empty chunk.
    created.writer->onBatchEnd();
    created.writer->onBatchEnd();
    QTRY_COMPARE_WITH_TIMEOUT(created.writer->committedSequence(), SequenceNumber{4},
                              commitDeadlineMs);
    QVERIFY(!created.writer->flush());
    QCOMPARE(observer.queryInteger(QStringLiteral("SELECT count(*) FROM chunks")), 2);
    QCOMPARE(
        observer.queryInteger(QStringLiteral("SELECT count(*) FROM chunks WHERE event_count = 0")),
        0);
}

void TestJournal::destructorCommitsPendingEvents()
{
    {
        JournalWriter::Created created = JournalWriter::create(journalPath().toStdString());
        QVERIFY(created.writer);
        for (SequenceNumber sequence = 1; sequence <= 10; ++sequence) {
            appendCommand(*created.writer, sampleEvent(sequence));
        }
    }

    const ReadResult result = readAll(journalPath());
    QVERIFY(!result.error);
    QCOMPARE(result.events.size(), std::size_t{10});
}

// Reads the chunks of a journal byte by byte, as the format documents them, and recomputes
// every checksum and hash, across a chunk boundary.
void TestJournal::chunksFollowDocumentedLayout()
{
    writeJournal(journalPath(), 3, 2);
    RawDatabase database(journalPath());

    QCOMPARE(database.chunkStarts(), (std::vector<qint64>{1, 3}));
    QCOMPARE(database.queryInteger(
                 QStringLiteral("SELECT last_sequence FROM chunks WHERE first_sequence = 1")),
             2);
    QCOMPARE(database.queryInteger(
                 QStringLiteral("SELECT event_count FROM chunks WHERE first_sequence = 1")),
             2);
    QCOMPARE(database.queryInteger(
                 QStringLiteral("SELECT last_sequence FROM chunks WHERE first_sequence = 3")),
             3);
    QCOMPARE(database.queryInteger(
                 QStringLiteral("SELECT event_count FROM chunks WHERE first_sequence = 3")),
             1);

    std::uint64_t previousHash = 0;
    qint64 sequence = 1;
    for (const qint64 first : {1, 3}) {
        const QByteArray body = database.chunkBody(first);
        bool complete = false;
        const std::vector<Record> records = parseBody(body, &complete);
        QVERIFY(complete);
        QVERIFY(!records.empty());
        QCOMPARE(records.back().end(), body.size());
        for (const Record &record : records) {
            QCOMPARE(record.sequence, sequence);
            QCOMPARE(record.time, 34'200'000'000'000 + sequence * 1'000);
            QCOMPARE(record.instrument, quint32{3});
            QCOMPARE(record.checksum, recordChecksum(record));
            QCOMPARE(record.hash, chainHash(previousHash, record.checksum));
            previousHash = record.hash;
            ++sequence;
        }
    }
    QCOMPARE(sequence, 4);

    // Event 1 is an OrderAdded (1 % 7 == 1), event 2 an OrderRejected, event 3 an
    // OrderCancelled.
    const std::vector<Record> records = database.allRecords();
    QCOMPARE(records[0].type, quint8{2});
    QCOMPARE(records[1].type, quint8{3});
    QCOMPARE(records[2].type, quint8{4});
    QCOMPARE(database.queryInteger(
                 QStringLiteral("SELECT value FROM metadata WHERE key = 'last_sequence'")),
             3);
    QCOMPARE(static_cast<std::uint64_t>(database.queryInteger(
                 QStringLiteral("SELECT value FROM metadata WHERE key = 'last_hash'"))),
             previousHash);
    QCOMPARE(database.queryInteger(QStringLiteral("SELECT value FROM metadata "
                                                  "WHERE key = 'format_version'")),
             2);
    QCOMPARE(database.queryInteger(QStringLiteral("PRAGMA application_id")), 0x4252534A);
    QCOMPARE(database.queryText(QStringLiteral("PRAGMA journal_mode")), QStringLiteral("wal"));
    QCOMPARE(database.queryInteger(QStringLiteral("PRAGMA page_size")), 16384);
}

void TestJournal::fnv1aMatchesPublishedVectors()
{
    // Test vectors from the FNV reference (Fowler, Noll, Vo): the test's own FNV-1a must be
    // right for chunksFollowDocumentedLayout to mean anything.
    QCOMPARE(fnv1a(QByteArray()), std::uint64_t{0xcbf29ce484222325});
    QCOMPARE(fnv1a(QByteArray("a")), std::uint64_t{0xaf63dc4c8601ec8c});
    QCOMPARE(fnv1a(QByteArray("foobar")), std::uint64_t{0x85944171f73967e8});
}

void TestJournal::chunksTableIsAppendOnly()
{
    {
        JournalWriterOptions options;
        options.eventsPerChunk = 2;
        JournalWriter::Created created =
            JournalWriter::create(journalPath().toStdString(), options);
        QVERIFY(created.writer);
        for (SequenceNumber sequence = 1; sequence <= 3; ++sequence) {
            appendCommand(*created.writer, sampleEvent(sequence));
        }
        created.writer->writeSnapshot(3, 7, {1, 2, 3});
        QVERIFY(!created.writer->close());
    }
    RawDatabase database(journalPath());

    QVERIFY(database
                .execute(QStringLiteral("UPDATE chunks SET body = x'00' WHERE "
                                        "first_sequence = 1"))
                .contains(QStringLiteral("append-only")));
    QVERIFY(database.execute(QStringLiteral("UPDATE chunks SET event_count = 1"))
                .contains(QStringLiteral("append-only")));
    QVERIFY(database.execute(QStringLiteral("DELETE FROM chunks WHERE first_sequence = 3"))
                .contains(QStringLiteral("append-only")));
    QVERIFY(database.execute(QStringLiteral("UPDATE snapshots SET state_hash = 0"))
                .contains(QStringLiteral("append-only")));
    QCOMPARE(database.queryInteger(QStringLiteral("SELECT count(*) FROM chunks")), 2);
    QCOMPARE(database.queryInteger(QStringLiteral("SELECT sum(event_count) FROM chunks")), 3);
    QCOMPARE(database.queryInteger(QStringLiteral("SELECT state_hash FROM snapshots")), 7);
    QVERIFY(!readAll(journalPath()).error);
}

void TestJournal::readerSeesOneSnapshot()
{
    JournalWriterOptions options;
    options.eventsPerChunk = 1;
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString(), options);
    QVERIFY(created.writer);
    for (SequenceNumber sequence = 1; sequence <= 5; ++sequence) {
        appendCommand(*created.writer, sampleEvent(sequence));
    }
    QVERIFY(!created.writer->flush());

    JournalReader::Opened opened = JournalReader::open(journalPath().toStdString());
    QVERIFY(opened.reader);
    QVERIFY(opened.reader->next());
    for (SequenceNumber sequence = 6; sequence <= 8; ++sequence) {
        appendCommand(*created.writer, sampleEvent(sequence));
    }
    QVERIFY(!created.writer->flush());
    QCOMPARE(created.writer->committedSequence(), SequenceNumber{8});

    int events = 1;
    while (opened.reader->next()) {
        ++events;
    }
    QVERIFY2(!opened.reader->error(), opened.reader->error()->toString().c_str());
    QCOMPARE(events, 5);
    QCOMPARE(opened.reader->lastSequence(), SequenceNumber{5});
}

// Snapshots after a chunk that was already handed over (8), inside a partial chunk (10) and at
// the last event (13). Each row records the chain hash at its event, so a restart can check that
// the events it replays after the snapshot continue that chain.
void TestJournal::snapshotRowsFollowDocumentedChecksum()
{
    struct Snapshot {
        SequenceNumber sequence;
        std::uint64_t stateHash;
        std::vector<std::uint8_t> body;
    };
    std::vector<std::uint8_t> largeBody(300);
    for (std::size_t i = 0; i < largeBody.size(); ++i) {
        largeBody[i] = static_cast<std::uint8_t>(i * 7 + 1);
    }
    // The third state hash has its top bit set, so SQLite stores it as a negative integer.
    const std::vector<Snapshot> snapshots = {{8, 0x0123456789abcdef, {1, 2, 3}},
                                             {10, 0x42, {0xff}},
                                             {13, 0x8000000000000001, largeBody}};
    {
        JournalWriterOptions options;
        options.eventsPerChunk = 4;
        JournalWriter::Created created =
            JournalWriter::create(journalPath().toStdString(), options);
        QVERIFY(created.writer);
        auto next = snapshots.begin();
        for (SequenceNumber sequence = 1; sequence <= 13; ++sequence) {
            appendCommand(*created.writer, sampleEvent(sequence));
            if (next != snapshots.end() && next->sequence == sequence) {
                created.writer->writeSnapshot(sequence, next->stateHash, next->body);
                ++next;
            }
        }
        const std::optional<JournalError> error = created.writer->close();
        QVERIFY2(!error, error ? error->toString().c_str() : "");
    }

    std::map<SequenceNumber, std::uint64_t> hashAt;
    JournalReader::Opened opened = JournalReader::open(journalPath().toStdString());
    QVERIFY(opened.reader);
    while (opened.reader->next()) {
        hashAt[opened.reader->lastSequence()] = opened.reader->lastHash();
    }
    QVERIFY(!opened.reader->error());
    QCOMPARE(hashAt.size(), std::size_t{13});

    RawDatabase database(journalPath());
    // A snapshot closes the partial chunk it follows; it adds no chunk of its own.
    QCOMPARE(database.chunkStarts(), (std::vector<qint64>{1, 5, 9, 11}));
    QCOMPARE(database.queryInteger(QStringLiteral("SELECT count(*) FROM snapshots")), 3);
    for (const Snapshot &snapshot : snapshots) {
        const QString where =
            QStringLiteral(" FROM snapshots WHERE sequence = %1").arg(snapshot.sequence);
        const auto chain =
            static_cast<std::uint64_t>(database.queryInteger("SELECT chain_hash" + where));
        const auto state =
            static_cast<std::uint64_t>(database.queryInteger("SELECT state_hash" + where));
        const QByteArray body = database.queryBlob("SELECT body" + where);
        const auto checksum =
            static_cast<std::uint64_t>(database.queryInteger("SELECT checksum" + where));

        QCOMPARE(chain, hashAt[snapshot.sequence]);
        QCOMPARE(state, snapshot.stateHash);
        QCOMPARE(body, QByteArray(reinterpret_cast<const char *>(snapshot.body.data()),
                                  qsizetype(snapshot.body.size())));
        QCOMPARE(checksum, fnv1a(littleEndian(snapshot.sequence, 8) + littleEndian(chain, 8) +
                                 littleEndian(state, 8) + body));
    }
}

void TestJournal::snapshotMustFollowLastEvent_data()
{
    QTest::addColumn<int>("eventsBefore");
    QTest::addColumn<quint64>("snapshotSequence");
    QTest::addColumn<QString>("expectedMessage");

    QTest::newRow("before the last event")
        << 5 << quint64{4} << "sequence 4: a snapshot must follow the last event handed over (5)";
    QTest::newRow("after the last event")
        << 5 << quint64{6} << "sequence 6: a snapshot must follow the last event handed over (5)";
    QTest::newRow("sequence 0 after events")
        << 5 << quint64{0} << "a snapshot must follow the last event handed over (5)";
    QTest::newRow("empty journal")
        << 0 << quint64{0} << "a snapshot must follow the last event handed over (0)";
}

void TestJournal::snapshotMustFollowLastEvent()
{
    QFETCH(int, eventsBefore);
    QFETCH(quint64, snapshotSequence);
    QFETCH(QString, expectedMessage);

    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString());
    QVERIFY(created.writer);
    for (SequenceNumber sequence = 1; sequence <= SequenceNumber(eventsBefore); ++sequence) {
        appendCommand(*created.writer, sampleEvent(sequence));
    }
    created.writer->writeSnapshot(snapshotSequence, 1, {1, 2, 3});

    const std::optional<JournalError> error = created.writer->error();
    QVERIFY(error);
    QCOMPARE(error->kind, JournalErrorKind::SequenceOutOfOrder);
    QCOMPARE(error->sequence, SequenceNumber{snapshotSequence});
    QCOMPARE(QString::fromStdString(error->toString()), journalPath() + ": " + expectedMessage);

    // The error stops the writer: a following event is not taken.
    appendCommand(*created.writer, sampleEvent(SequenceNumber(eventsBefore) + 1));
    QCOMPARE(created.writer->lastSequence(), SequenceNumber(eventsBefore));
    created.writer->close();
    QCOMPARE(
        RawDatabase(journalPath()).queryInteger(QStringLiteral("SELECT count(*) FROM snapshots")),
        0);
}

// The engine decides what a snapshot body contains; an empty one is stored as an empty blob,
// not rejected by the column's NOT NULL.
void TestJournal::snapshotWithEmptyBodyIsStored()
{
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString());
    QVERIFY(created.writer);
    for (SequenceNumber sequence = 1; sequence <= 3; ++sequence) {
        appendCommand(*created.writer, sampleEvent(sequence));
    }
    created.writer->writeSnapshot(3, 9, {});

    const std::optional<JournalError> error = created.writer->close();
    QVERIFY2(!error, error ? error->toString().c_str() : "");
    RawDatabase database(journalPath());
    QCOMPARE(database.queryText(QStringLiteral("SELECT typeof(body) FROM snapshots")),
             QStringLiteral("blob"));
    QCOMPARE(database.queryInteger(QStringLiteral("SELECT length(body) FROM snapshots")), 0);
    QCOMPARE(readAll(journalPath()).events.size(), std::size_t{3});
}

// The writer upgrades a version 1 journal in place: the events rows stay, the chunks, snapshots
// and records tables are added, and new events chain on to the last row.
void TestJournal::version1JournalIsUpgradedInPlace()
{
    writeVersion1Journal(journalPath(), 5);
    QVERIFY(!QTest::currentTestFailed());
    {
        RawDatabase database(journalPath());
        QCOMPARE(schemaObjects(database),
                 (QStringList{"table events", "table metadata", "trigger events_no_delete",
                              "trigger events_no_update"}));
    }

    {
        JournalWriter::Created created = JournalWriter::create(journalPath().toStdString());
        QVERIFY2(created.writer, created.error ? created.error->toString().c_str() : "");
        QCOMPARE(created.writer->lastSequence(), SequenceNumber{5});
        QCOMPARE(created.writer->committedSequence(), SequenceNumber{5});
        {
            RawDatabase upgraded(journalPath());
            QCOMPARE(upgraded.queryInteger(QStringLiteral("SELECT value FROM metadata "
                                                          "WHERE key = 'format_version'")),
                     2);
            QCOMPARE(schemaObjects(upgraded),
                     (QStringList{"table chunks", "table events", "table metadata", "table records",
                                  "table snapshots", "trigger chunks_no_delete",
                                  "trigger chunks_no_update", "trigger events_no_delete",
                                  "trigger events_no_update", "trigger records_no_delete",
                                  "trigger records_no_update", "trigger snapshots_no_update"}));
        }
        for (SequenceNumber sequence = 6; sequence <= 8; ++sequence) {
            appendCommand(*created.writer, sampleEvent(sequence));
        }
        QVERIFY(!created.writer->close());
    }

    RawDatabase database(journalPath());
    QCOMPARE(database.queryInteger(QStringLiteral("SELECT count(*) FROM events")), 5);
    QCOMPARE(database.chunkStarts(), std::vector<qint64>{6});
    const auto lastRowHash = static_cast<std::uint64_t>(
        database.queryInteger(QStringLiteral("SELECT hash FROM events WHERE sequence = 5")));
    const std::vector<Record> records = database.allRecords();
    QCOMPARE(records.size(), std::size_t{3});
    QCOMPARE(records.front().sequence, 6);
    QCOMPARE(records.front().hash, chainHash(lastRowHash, records.front().checksum));

    const ReadResult result = readAll(journalPath());
    QVERIFY2(!result.error, result.error ? result.error->toString().c_str() : "");
    QCOMPARE(result.events.size(), std::size_t{8});
    for (SequenceNumber sequence = 1; sequence <= 8; ++sequence) {
        QCOMPARE(describe(result.events[sequence - 1]), describe(sampleEvent(sequence)));
    }
}

// The writer checks the tail before it upgrades, so a damaged version 1 journal stays as it was.
void TestJournal::version1JournalWithDamagedTailIsNotUpgraded()
{
    writeVersion1Journal(journalPath(), 5);
    QVERIFY(!QTest::currentTestFailed());
    {
        RawDatabase database(journalPath());
        QCOMPARE(database.execute(QStringLiteral("UPDATE metadata SET value = value + 1 "
                                                 "WHERE key = 'last_hash'")),
                 QString());
    }

    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString());

    QVERIFY(!created.writer);
    QVERIFY(created.error);
    QCOMPARE(created.error->kind, JournalErrorKind::TailMismatch);
    RawDatabase database(journalPath());
    QCOMPARE(database.queryInteger(QStringLiteral("SELECT value FROM metadata "
                                                  "WHERE key = 'format_version'")),
             1);
    QCOMPARE(schemaObjects(database),
             (QStringList{"table events", "table metadata", "trigger events_no_delete",
                          "trigger events_no_update"}));
}

// Damage inside the records of a chunk body.
void TestJournal::damageRecord(RawDatabase &database, Damage kind)
{
    const qint64 first = database.chunkStart(damagedSequence);
    const QByteArray body = database.chunkBody(first);
    const std::vector<Record> records = parseBody(body);
    QCOMPARE(records.size(), chunkLength);
    const Record &record = records[std::size_t(qint64(damagedSequence) - first)];
    QCOMPARE(record.sequence, qint64(damagedSequence));
    const qsizetype start = record.offset;
    QString error;

    switch (kind) {
    case Damage::FlipPayloadByte:
        error = flipBits(database, first, start + payloadOffset + 5, 0x01);
        break;
    case Damage::FlipChecksumByte:
        error = flipBits(database, first, record.checksumOffset(), 0x01);
        break;
    case Damage::FlipHashByte:
        error = flipBits(database, first, record.hashOffset(), 0x01);
        break;
    case Damage::FlipSequenceByte: // 42 becomes 43
        error = flipBits(database, first, start, 0x01);
        break;
    case Damage::FlipSequenceSignBit:
        error = flipBits(database, first, start + 7, 0x80);
        break;
    case Damage::FlipPayloadSizeLowByte: // one byte more or less
        error = flipBits(database, first, start + payloadSizeOffset, 0x01);
        break;
    case Damage::FlipPayloadSizeHighBit: // 32768 bytes more, past the end of the body
        error = flipBits(database, first, start + payloadSizeOffset + 1, 0x80);
        break;
    case Damage::ChangeType:
        error = editRecord(database, damagedSequence, [](Record &edited, const Record *) {
            edited.type = edited.type % 7 + 1;
        });
        break;
    case Damage::ChangeTime:
        error = editRecord(database, damagedSequence,
                           [](Record &edited, const Record *) { ++edited.time; });
        break;
    case Damage::ChangeInstrument:
        error = editRecord(database, damagedSequence,
                           [](Record &edited, const Record *) { ++edited.instrument; });
        break;
    case Damage::EditPayloadKeepChecksum:
        error = editRecord(database, damagedSequence,
                           [](Record &edited, const Record *) { editPayload(edited); });
        break;
    case Damage::EditPayloadFixChecksum:
        error = editRecord(database, damagedSequence, [](Record &edited, const Record *) {
            editPayload(edited);
            edited.checksum = recordChecksum(edited);
        });
        break;
    case Damage::EditPayloadFixRecordHash:
    case Damage::EditChunkEndFixRecordHash: {
        // Checksum and hash of the record itself are consistent again; only the next record's
        // hash still refers to the old one.
        const SequenceNumber edited = kind == Damage::EditPayloadFixRecordHash
                                          ? damagedSequence
                                          : SequenceNumber(first) + chunkLength - 1;
        error = editRecord(database, edited, [](Record &changed, const Record *previous) {
            editPayload(changed);
            changed.checksum = recordChecksum(changed);
            changed.hash = chainHash(previous->hash, changed.checksum);
        });
        break;
    }
    case Damage::UndecodablePayloadFixChain: {
        QByteArray payload = record.payload;
        payload[1] = char(99); // no event type has number 99
        error = rewriteFrom(database, damagedSequence, payload);
        break;
    }
    case Damage::RemoveMiddleRecord:
        error = removeRecords(database, first, {qint64(damagedSequence)});
        break;
    case Damage::RemoveTwoRecords:
        error =
            removeRecords(database, first, {qint64(damagedSequence), qint64(damagedSequence) + 1});
        break;
    case Damage::TruncateBodyInsideRecord:
        error = database.setChunkBody(first, body.left(start + payloadOffset + 3));
        break;
    case Damage::TruncateBodyInsideHeader:
        error = database.setChunkBody(first, body.left(start + 10));
        break;
    case Damage::TruncateBodyAfterRecord:
        error = database.setChunkBody(first, body.left(record.end()));
        break;
    default:
        QFAIL("not a damage to a record");
    }
    QCOMPARE(error, QString());
}

// Damage to whole chunks, their columns, and the metadata.
void TestJournal::damageChunk(RawDatabase &database, Damage kind)
{
    const qint64 damagedChunk = database.chunkStart(damagedSequence);
    const qint64 lastChunk = database.chunkStart(journalLength);
    const auto deleteChunk = [&](qint64 first) {
        return database.execute(
            QStringLiteral("DELETE FROM chunks WHERE first_sequence = %1").arg(first));
    };
    // Takes the last event out of the last chunk and makes the chunk's columns agree.
    const auto removeLastRecord = [&] {
        return removeRecords(database, lastChunk, {qint64(journalLength)}) +
               database.execute(QStringLiteral("UPDATE chunks SET last_sequence = %1, "
                                               "event_count = event_count - 1 "
                                               "WHERE first_sequence = %2")
                                    .arg(journalLength - 1)
                                    .arg(lastChunk));
    };
    const QString chunkColumn = QStringLiteral("UPDATE chunks SET %1 WHERE first_sequence = %2");
    QString error;

    switch (kind) {
    case Damage::RemoveFirstRecord:
        error = removeRecords(database, 1, {1});
        break;
    case Damage::DeleteMiddleChunk:
        error = deleteChunk(damagedChunk);
        break;
    case Damage::DeleteFirstChunk:
        error = deleteChunk(1);
        break;
    case Damage::DeleteLastChunk:
        error = deleteChunk(lastChunk);
        break;
    case Damage::DeleteChunkBeforeLast:
        error = deleteChunk(database.chunkStart(SequenceNumber(lastChunk) - 1));
        break;
    case Damage::RemoveLastRecordFixColumns:
        error = removeLastRecord();
        break;
    case Damage::LowerEventCount:
        error =
            database.execute(chunkColumn.arg("event_count = event_count - 1").arg(damagedChunk));
        break;
    case Damage::LowerLastSequence:
        error = database.execute(
            chunkColumn.arg("last_sequence = last_sequence - 1").arg(damagedChunk));
        break;
    case Damage::ChangeFirstSequence:
        error = database.execute(
            chunkColumn.arg(QStringLiteral("first_sequence = %1").arg(damagedChunk - 1))
                .arg(damagedChunk));
        break;
    case Damage::BodyAsText:
        error = database.execute(chunkColumn.arg("body = 'abc'").arg(damagedChunk));
        break;
    case Damage::EventCountAsText:
        error = database.execute(chunkColumn.arg("event_count = 'ten'").arg(damagedChunk));
        break;
    case Damage::FlipPayloadByteInLastChunk: {
        const Record record = parseBody(database.chunkBody(lastChunk))[4];
        QCOMPARE(record.sequence, lastChunk + 4);
        error = flipBits(database, lastChunk, record.offset + payloadOffset + 5, 0x01);
        break;
    }
    case Damage::RaiseRecordedTail:
        error = database.execute(QStringLiteral("UPDATE metadata SET value = %1 "
                                                "WHERE key = 'last_sequence'")
                                     .arg(journalLength + 1));
        break;
    case Damage::LowerRecordedTail:
        error = database.execute(
            QStringLiteral("UPDATE metadata SET value = 50 WHERE key = 'last_sequence'"));
        break;
    case Damage::ChangeRecordedHash:
        error = database.execute(
            QStringLiteral("UPDATE metadata SET value = value + 1 WHERE key = 'last_hash'"));
        break;
    case Damage::DeleteLastChunkAndMetadata:
        error = deleteChunk(lastChunk) + database.execute(QStringLiteral("DELETE FROM metadata"));
        break;
    case Damage::RemoveLastRecordAndRewriteTail: {
        // What an editor familiar with the format would do to hide the removal.
        error = removeLastRecord();
        const std::uint64_t newLastHash = database.allRecords().back().hash;
        error += database.execute(QStringLiteral("UPDATE metadata SET value = %1 WHERE key = "
                                                 "'last_sequence'; UPDATE metadata SET value = "
                                                 "%2 WHERE key = 'last_hash';")
                                      .arg(journalLength - 1)
                                      .arg(qint64(newLastHash)));
        break;
    }
    default:
        QFAIL("not a damage to a chunk or the metadata");
    }
    QCOMPARE(error, QString());
}

void TestJournal::damage(const QString &path, Damage kind)
{
    RawDatabase database(path);
    // A deliberate editor drops the triggers that keep the chunks table append-only.
    QCOMPARE(database.execute(QStringLiteral("DROP TRIGGER chunks_no_update; "
                                             "DROP TRIGGER chunks_no_delete;")),
             QString());
    QCOMPARE(database.chunkStart(damagedSequence), qint64{41});

    switch (kind) {
    case Damage::FlipPayloadByte:
    case Damage::FlipChecksumByte:
    case Damage::FlipHashByte:
    case Damage::FlipSequenceByte:
    case Damage::FlipSequenceSignBit:
    case Damage::FlipPayloadSizeLowByte:
    case Damage::FlipPayloadSizeHighBit:
    case Damage::ChangeType:
    case Damage::ChangeTime:
    case Damage::ChangeInstrument:
    case Damage::EditPayloadKeepChecksum:
    case Damage::EditPayloadFixChecksum:
    case Damage::EditPayloadFixRecordHash:
    case Damage::EditChunkEndFixRecordHash:
    case Damage::UndecodablePayloadFixChain:
    case Damage::RemoveMiddleRecord:
    case Damage::RemoveTwoRecords:
    case Damage::TruncateBodyInsideRecord:
    case Damage::TruncateBodyInsideHeader:
    case Damage::TruncateBodyAfterRecord:
        damageRecord(database, kind);
        break;
    default:
        damageChunk(database, kind);
        break;
    }
}

void TestJournal::damageIsDetected_data()
{
    QTest::addColumn<int>("damageKind");
    QTest::addColumn<int>("expectedKind");
    QTest::addColumn<quint64>("expectedSequence");
    QTest::addColumn<QString>("expectedMessage");
    QTest::addColumn<quint64>("expectedEvents");

    // The reader withholds the event before a failed record, so when record N fails it has
    // returned N - 2 events.
    const auto row = [](const char *name, Damage damage, JournalErrorKind kind,
                        SequenceNumber sequence, const char *message) {
        QTest::newRow(name) << int(damage) << int(kind) << quint64{sequence}
                            << QString::fromUtf8(message) << quint64{sequence - 2};
    };
    row("payload byte flipped", Damage::FlipPayloadByte, JournalErrorKind::ChecksumMismatch, 42,
        "checksum mismatch: stored 0x");
    row("checksum byte flipped", Damage::FlipChecksumByte, JournalErrorKind::ChecksumMismatch, 42,
        "checksum mismatch: stored 0x");
    row("hash byte flipped", Damage::FlipHashByte, JournalErrorKind::ChainBroken, 42,
        "chain broken: stored hash 0x");
    row("sequence byte flipped", Damage::FlipSequenceByte, JournalErrorKind::SequenceGap, 42,
        "sequence 42 is missing (gap from 41 to 43)");
    row("sequence sign bit flipped", Damage::FlipSequenceSignBit, JournalErrorKind::MalformedRow,
        42, "found sequence -9223372036854775766 where 42 was expected");
    row("payload size low byte flipped", Damage::FlipPayloadSizeLowByte,
        JournalErrorKind::ChecksumMismatch, 42, "checksum mismatch: stored 0x");
    row("payload size past the body", Damage::FlipPayloadSizeHighBit,
        JournalErrorKind::MalformedRow, 42, "the chunk ends inside the event with sequence 42");
    row("type changed", Damage::ChangeType, JournalErrorKind::ChecksumMismatch, 42,
        "checksum mismatch");
    row("time changed", Damage::ChangeTime, JournalErrorKind::ChecksumMismatch, 42,
        "checksum mismatch");
    row("instrument changed", Damage::ChangeInstrument, JournalErrorKind::ChecksumMismatch, 42,
        "checksum mismatch");
    row("payload edited", Damage::EditPayloadKeepChecksum, JournalErrorKind::ChecksumMismatch, 42,
        "checksum mismatch");
    row("payload edited, checksum recomputed", Damage::EditPayloadFixChecksum,
        JournalErrorKind::ChainBroken, 42, "does not follow from the previous event's hash");
    // Record 42 is consistent in itself; record 43 exposes it, and 42 is never returned.
    row("payload edited, record hash recomputed", Damage::EditPayloadFixRecordHash,
        JournalErrorKind::ChainBroken, 43, "does not follow from the previous event's hash");
    // The same across a chunk boundary: the first record of the next chunk exposes event 50.
    row("chunk's last payload edited, record hash recomputed", Damage::EditChunkEndFixRecordHash,
        JournalErrorKind::ChainBroken, 51, "does not follow from the previous event's hash");
    row("payload undecodable, chain recomputed", Damage::UndecodablePayloadFixChain,
        JournalErrorKind::UndecodablePayload, 42, "undecodable payload: unknown event type 99");
    row("record removed from a chunk", Damage::RemoveMiddleRecord, JournalErrorKind::SequenceGap,
        42, "sequence 42 is missing (gap from 41 to 43)");
    row("two records removed from a chunk", Damage::RemoveTwoRecords, JournalErrorKind::SequenceGap,
        42, "sequences 42 to 43 are missing (gap from 41 to 44)");
    row("middle chunk deleted", Damage::DeleteMiddleChunk, JournalErrorKind::SequenceGap, 41,
        "sequences 41 to 50 are missing (gap from 40 to 51)");
    row("body cut inside a record", Damage::TruncateBodyInsideRecord,
        JournalErrorKind::MalformedRow, 42, "the chunk ends inside the event with sequence 42");
    row("body cut inside a record's header", Damage::TruncateBodyInsideHeader,
        JournalErrorKind::MalformedRow, 42,
        "the chunk's body ends 10 bytes into the header of an event, which takes 23");
    row("first sequence column changed", Damage::ChangeFirstSequence,
        JournalErrorKind::MalformedRow, 41,
        "the chunk recorded as starting at sequence 40 starts at 41");
    row("body stored as text", Damage::BodyAsText, JournalErrorKind::MalformedRow, 41,
        "a chunk's body is not a blob");
    row("event count stored as text", Damage::EventCountAsText, JournalErrorKind::MalformedRow, 41,
        "a chunk's sequence or count column is not an integer");

    // A disagreement between a chunk's columns and its body shows once the body has been read,
    // and names the chunk by its first sequence.
    QTest::newRow("body cut after a record")
        << int(Damage::TruncateBodyAfterRecord) << int(JournalErrorKind::MalformedRow)
        << quint64{41} << "the chunk from sequence 41 holds 2 events but its row records 10"
        << quint64{41};
    QTest::newRow("event count lowered")
        << int(Damage::LowerEventCount) << int(JournalErrorKind::MalformedRow) << quint64{41}
        << "the chunk from sequence 41 holds 10 events but its row records 9" << quint64{49};
    QTest::newRow("last sequence column lowered")
        << int(Damage::LowerLastSequence) << int(JournalErrorKind::MalformedRow) << quint64{41}
        << "the chunk from sequence 41 ends at 50 but its row records 49" << quint64{49};

    QTest::newRow("first chunk deleted")
        << int(Damage::DeleteFirstChunk) << int(JournalErrorKind::SequenceGap) << quint64{1}
        << "sequence 1 is missing: the first event is 11" << quint64{0};
    QTest::newRow("first record removed")
        << int(Damage::RemoveFirstRecord) << int(JournalErrorKind::MalformedRow) << quint64{1}
        << "the chunk recorded as starting at sequence 1 starts at 2" << quint64{0};
    QTest::newRow("last chunk deleted")
        << int(Damage::DeleteLastChunk) << int(JournalErrorKind::TailMismatch) << quint64{91}
        << "the journal ends at sequence 90 but its metadata records 100 as the last: events "
           "were removed from the end"
        << quint64{89};
    QTest::newRow("last record removed, chunk columns fixed")
        << int(Damage::RemoveLastRecordFixColumns) << int(JournalErrorKind::TailMismatch)
        << quint64{100}
        << "the journal ends at sequence 99 but its metadata records 100 as the last: events "
           "were removed from the end"
        << quint64{98};
    QTest::newRow("recorded tail raised")
        << int(Damage::RaiseRecordedTail) << int(JournalErrorKind::TailMismatch) << quint64{101}
        << "the journal ends at sequence 100 but its metadata records 101" << quint64{99};
    QTest::newRow("recorded tail lowered")
        << int(Damage::LowerRecordedTail) << int(JournalErrorKind::TailMismatch) << quint64{51}
        << "the journal continues to sequence 100 past the last event its metadata records (50)"
        << quint64{99};
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
    QTest::addColumn<int>("expectedReaderKind");

    QTest::newRow("last chunk deleted")
        << int(Damage::DeleteLastChunk) << int(JournalErrorKind::TailMismatch) << quint64{90}
        << "the last event is 90 but the metadata records 100"
        << int(JournalErrorKind::TailMismatch);
    QTest::newRow("last record removed, chunk columns fixed")
        << int(Damage::RemoveLastRecordFixColumns) << int(JournalErrorKind::TailMismatch)
        << quint64{99} << "the last event is 99 but the metadata records 100"
        << int(JournalErrorKind::TailMismatch);
    QTest::newRow("recorded tail raised")
        << int(Damage::RaiseRecordedTail) << int(JournalErrorKind::TailMismatch) << quint64{100}
        << "the last event is 100 but the metadata records 101"
        << int(JournalErrorKind::TailMismatch);
    QTest::newRow("recorded hash changed")
        << int(Damage::ChangeRecordedHash) << int(JournalErrorKind::TailMismatch) << quint64{100}
        << "differs from the metadata's" << int(JournalErrorKind::TailMismatch);
    // The writer checks every event of the last chunk, not only the last one.
    QTest::newRow("payload byte flipped in the last chunk")
        << int(Damage::FlipPayloadByteInLastChunk) << int(JournalErrorKind::ChecksumMismatch)
        << quint64{95} << "checksum mismatch" << int(JournalErrorKind::ChecksumMismatch);
    // The last chunk's first event chains to the hash of the event before it.
    QTest::newRow("chunk before the last deleted")
        << int(Damage::DeleteChunkBeforeLast) << int(JournalErrorKind::SequenceGap) << quint64{90}
        << "the event before the last chunk is missing" << int(JournalErrorKind::SequenceGap);
}

void TestJournal::writerRejectsDamagedTail()
{
    QFETCH(int, damageKind);
    QFETCH(int, expectedKind);
    QFETCH(quint64, expectedSequence);
    QFETCH(QString, expectedMessage);
    QFETCH(int, expectedReaderKind);

    writeJournal(journalPath(), journalLength);
    damage(journalPath(), static_cast<Damage>(damageKind));
    QVERIFY(!QTest::currentTestFailed());
    const QByteArray before = fileContents(journalPath());

    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString());

    QVERIFY(!created.writer);
    QVERIFY(created.error);
    QCOMPARE(int(created.error->kind), expectedKind);
    QCOMPARE(created.error->sequence, SequenceNumber{expectedSequence});
    QVERIFY2(QString::fromStdString(created.error->what).contains(expectedMessage),
             created.error->toString().c_str());

    // The reader finds the damage too.
    const ReadResult result = readAll(journalPath());
    QVERIFY(result.error);
    QCOMPARE(int(result.error->kind), expectedReaderKind);
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
        << "not a journal: the SQLite database has neither a chunks nor an events table";
    QTest::newRow("events table without metadata")
        << QByteArray() << "CREATE TABLE events (sequence INTEGER PRIMARY KEY);"
        << int(JournalErrorKind::NotAJournal)
        << "not a journal: the SQLite database has no metadata table";
    QTest::newRow("chunks table without metadata")
        << QByteArray() << "CREATE TABLE chunks (first_sequence INTEGER PRIMARY KEY);"
        << int(JournalErrorKind::NotAJournal)
        << "not a journal: the SQLite database has no metadata table";
    QTest::newRow("same tables, other application")
        << QByteArray()
        << "CREATE TABLE events (sequence INTEGER PRIMARY KEY); "
           "CREATE TABLE metadata (key TEXT, value INTEGER);"
        << int(JournalErrorKind::NotAJournal)
        << "not a journal: the SQLite database has application id 0x00000000 where 0x4252534a "
           "expected";
    QTest::newRow("version 2 tables, other application")
        << QByteArray()
        << "CREATE TABLE chunks (first_sequence INTEGER PRIMARY KEY); "
           "CREATE TABLE snapshots (sequence INTEGER PRIMARY KEY); "
           "CREATE TABLE metadata (key TEXT, value INTEGER); PRAGMA application_id = 7;"
        << int(JournalErrorKind::NotAJournal)
        << "not a journal: the SQLite database has application id 0x00000007 where 0x4252534a "
           "expected";
    QTest::newRow("only a view")
        << QByteArray() << "CREATE VIEW answer AS SELECT 42;" << int(JournalErrorKind::NotAJournal)
        << "not a journal: the SQLite database has neither a chunks nor an events table";
    QTest::newRow("empty, claimed by another application")
        << QByteArray() << "PRAGMA application_id = 1234;" << int(JournalErrorKind::NotAJournal)
        << "not a journal: the SQLite database has application id 0x000004d2 where 0x4252534a "
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

// A path that looks like an SQLite URI names a plain file; its options are not applied.
void TestJournal::uriLikePathIsAPlainFile()
{
    const QString previous = QDir::currentPath();
    QVERIFY(QDir::setCurrent(m_directory->path()));
    JournalWriter::Created created = JournalWriter::create("file:uri.sqlite?mode=memory");
    QVERIFY(QDir::setCurrent(previous));

    QVERIFY2(created.writer, created.error ? created.error->toString().c_str() : "");
    appendCommand(*created.writer, sampleEvent(1));
    QVERIFY(!created.writer->close());
    QVERIFY(
        QFileInfo::exists(m_directory->filePath(QStringLiteral("file:uri.sqlite?mode=memory"))));
}

// The first error is what failure() reports to the session, so a broken journal is seen.
void TestJournal::failureReportsFirstError()
{
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString());
    QVERIFY(created.writer);
    QCOMPARE(created.writer->failure(), std::string());

    appendCommand(*created.writer, sampleEvent(1));
    appendCommand(*created.writer, sampleEvent(3));
    appendCommand(*created.writer, sampleEvent(5));

    QVERIFY(created.writer->error());
    QCOMPARE(created.writer->failure(), created.writer->error()->toString());
    QVERIFY2(created.writer->failure().find("sequence 3") != std::string::npos,
             created.writer->failure().c_str());
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
        QCOMPARE(database.execute(QStringLiteral("UPDATE metadata SET value = 3 "
                                                 "WHERE key = 'format_version'")),
                 QString());
    }
    const QByteArray before = fileContents(journalPath());
    const QString expected = journalPath() + ": journal format version 3 is newer than this "
                                             "build reads (version 2); open it with a newer "
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

    // An empty file is an empty SQLite database, so the writer may make it a journal, with the
    // page size of a new one.
    writeJournal(journalPath(), 2);
    QCOMPARE(readAll(journalPath()).events.size(), std::size_t{2});
    QCOMPARE(RawDatabase(journalPath()).queryInteger(QStringLiteral("PRAGMA page_size")), 16384);
}

void TestJournal::missingFileIsOpenError()
{
    const QString path = m_directory->filePath(QStringLiteral("absent/journal.sqlite"));

    const ReadResult read = readAll(path);
    JournalWriter::Created created = JournalWriter::create(path.toStdString());

    QVERIFY(read.openError);
    QCOMPARE(read.openError->kind, JournalErrorKind::OpenFailed);
    QCOMPARE(QString::fromStdString(read.openError->toString()),
             path + ": no such file: check the path of the journal");
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
        options.eventsPerChunk = 1;
        JournalWriter::Created created = JournalWriter::create(path, options);
        QVERIFY(created.writer);
        appendCommand(*created.writer, sampleEvent(1));
        QVERIFY(!created.writer->flush());

        RawDatabase reader(journalPath(), SQLITE_OPEN_READONLY);
        QCOMPARE(reader.execute(QStringLiteral("BEGIN")), QString());
        QCOMPARE(reader.queryInteger(QStringLiteral("SELECT count(*) FROM chunks")), 1);

        for (SequenceNumber sequence = 2; sequence <= 1000; ++sequence) {
            appendCommand(*created.writer, sampleEvent(sequence));
            QVERIFY(!created.writer->flush());
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
        QCOMPARE(reader.queryInteger(QStringLiteral("SELECT count(*) FROM chunks")), 1);
        QCOMPARE(reader.execute(QStringLiteral("COMMIT")), QString());
    }

    RawDatabase reopened(journalPath());
    QCOMPARE(reopened.queryInteger(QStringLiteral("SELECT count(*) FROM chunks")), 1000);
    QCOMPARE(reopened.queryInteger(QStringLiteral("SELECT max(last_sequence) FROM chunks")), 1000);
    QCOMPARE(reopened.queryText(QStringLiteral("PRAGMA integrity_check")), QStringLiteral("ok"));

    const ReadResult result = readAll(journalPath());
    QVERIFY2(!result.error, result.error ? result.error->toString().c_str() : "");
    QCOMPARE(result.events.size(), std::size_t{1000});
    QCOMPARE(describe(result.events.back()), describe(sampleEvent(1000)));
}

namespace {

// Waits, in a child process, until `writer` has committed `sequence`. Returns false after a
// generous deadline.
bool waitForCommit(const JournalWriter &writer, SequenceNumber sequence)
{
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(commitDeadlineMs);
    while (writer.committedSequence() < sequence) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

} // namespace

void TestJournal::committedEventsSurviveProcessCrash()
{
    // The child hands over ten chunks of 100 events, waits until the writer thread has committed
    // them and ends without closing anything, as a crash would: the last 50 events, still in the
    // unfinished chunk, were never committed.
    const std::string path = journalPath().toStdString();
    const pid_t child = fork();
    QVERIFY(child >= 0);
    if (child == 0) {
        JournalWriterOptions options;
        options.eventsPerChunk = 100;
        JournalWriter::Created created = JournalWriter::create(path, options);
        if (!created.writer) {
            _exit(2);
        }
        for (SequenceNumber sequence = 1; sequence <= 1050; ++sequence) {
            appendCommand(*created.writer, sampleEvent(sequence));
        }
        const bool committed = waitForCommit(*created.writer, 1000);
        _exit(committed && created.writer->committedSequence() == 1000 ? 0 : 1);
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

// The child writes full chunks without end and is killed with SIGKILL once 1000 events are
// committed, possibly in the middle of a transaction. The journal then ends where a transaction
// ended: at the end of a chunk, with every event before it intact.
void TestJournal::committedEventsSurviveKill()
{
    constexpr SequenceNumber eventsPerChunk = 100;
    int ready[2];
    QCOMPARE(pipe(ready), 0);
    const std::string path = journalPath().toStdString();
    const pid_t child = fork();
    QVERIFY(child >= 0);
    if (child == 0) {
        close(ready[0]);
        JournalWriterOptions options;
        options.eventsPerChunk = eventsPerChunk;
        JournalWriter::Created created = JournalWriter::create(path, options);
        if (!created.writer) {
            _exit(2);
        }
        std::atomic<bool> signalled{false};
        const int readyFd = ready[1];
        created.writer->setCommitListener([&signalled, readyFd](SequenceNumber committed) {
            if (committed >= 1000 && !signalled.exchange(true)) {
                const char byte = 1;
                (void)!write(readyFd, &byte, 1);
            }
        });
        for (SequenceNumber sequence = 1; sequence <= 100'000'000; ++sequence) {
            appendCommand(*created.writer, sampleEvent(sequence));
        }
        _exit(1);
    }
    close(ready[1]);
    pollfd readyPoll{ready[0], POLLIN, 0};
    const int polled = poll(&readyPoll, 1, commitDeadlineMs);
    char byte = 0;
    const ssize_t received = polled == 1 ? read(ready[0], &byte, 1) : 0;
    kill(child, SIGKILL);
    int status = 0;
    QCOMPARE(waitpid(child, &status, 0), child);
    close(ready[0]);
    QCOMPARE(received, ssize_t{1});
    QVERIFY(WIFSIGNALED(status));
    QCOMPARE(WTERMSIG(status), SIGKILL);

    const ReadResult result = readAll(journalPath());
    QVERIFY2(!result.error, result.error ? result.error->toString().c_str() : "");
    QVERIFY2(result.events.size() >= 1000, qPrintable(QString::number(result.events.size())));
    QCOMPARE(result.events.size() % eventsPerChunk, std::size_t{0});
    QCOMPARE(describe(result.events.back()), describe(sampleEvent(result.events.size())));

    JournalWriter::Created reopened = JournalWriter::create(path);
    QVERIFY2(reopened.writer, reopened.error ? reopened.error->toString().c_str() : "");
    QCOMPARE(reopened.writer->lastSequence(), SequenceNumber{result.events.size()});
}

void TestJournal::writeJournalAndCrash(const QString &path, SequenceNumber count)
{
    const std::string file = path.toStdString();
    const pid_t child = fork();
    QVERIFY(child >= 0);
    if (child == 0) {
        JournalWriterOptions options;
        options.eventsPerChunk = count;
        JournalWriter::Created created = JournalWriter::create(file, options);
        if (!created.writer) {
            _exit(2);
        }
        for (SequenceNumber sequence = 1; sequence <= count; ++sequence) {
            appendCommand(*created.writer, sampleEvent(sequence));
        }
        const bool flushed = !created.writer->flush();
        _exit(flushed && created.writer->committedSequence() == count ? 0 : 1);
    }
    int status = 0;
    QCOMPARE(waitpid(child, &status, 0), child);
    QVERIFY(WIFEXITED(status));
    QCOMPARE(WEXITSTATUS(status), 0);
}

// A read-only SQLite connection creates the -wal and -shm files of a journal in WAL mode and
// cannot remove them when it closes; the reader must not leave them behind.
void TestJournal::readerLeavesNoSideFiles()
{
    writeJournal(journalPath(), journalLength);
    QCOMPARE(sideFiles(journalPath()), QString());
    const QByteArray before = fileContents(journalPath());

    const std::string failure = checkRead(journalPath().toStdString(), ReaderAccess::Shared,
                                          ReaderAccess::Shared, journalLength);

    QVERIFY2(failure.empty(), failure.c_str());
    QCOMPARE(sideFiles(journalPath()), QString());
    QCOMPARE(fileContents(journalPath()), before);
}

// A journal in a folder the process may not write to: SQLite cannot create the -wal and -shm
// files that a shared read needs, so the reader reads the file as immutable.
void TestJournal::readOnlyArchiveIsReadImmutable()
{
    writeJournal(journalPath(), journalLength);
    const TemporaryPermissions archive(journalPath(), readOnlyFile, m_directory->path(),
                                       readOnlyFolder);
    const std::string path = journalPath().toStdString();

    const UnprivilegedRun run = runUnprivileged(m_directory->path(), [&] {
        return checkRead(path, ReaderAccess::Shared, ReaderAccess::Immutable, journalLength);
    });

    if (!run.skipReason.isEmpty()) {
        QSKIP(qPrintable(run.skipReason));
    }
    QVERIFY2(run.failure.isEmpty(), qPrintable(run.failure));
    QCOMPARE(sideFiles(journalPath()), QString());
}

// An empty -wal file, left by a connection that could not remove it, without its -shm file: the
// read-only open fails in a read-only folder, and the reader falls back to immutable access.
void TestJournal::emptyWalWithoutShmFallsBackToImmutable()
{
    writeJournal(journalPath(), journalLength);
    QFile wal(journalPath() + "-wal");
    QVERIFY(wal.open(QIODevice::WriteOnly));
    wal.close();
    const TemporaryPermissions archive(journalPath(), readOnlyFile, m_directory->path(),
                                       readOnlyFolder);
    const std::string path = journalPath().toStdString();

    const UnprivilegedRun run = runUnprivileged(m_directory->path(), [&] {
        return checkRead(path, ReaderAccess::Shared, ReaderAccess::Immutable, journalLength);
    });

    if (!run.skipReason.isEmpty()) {
        QSKIP(qPrintable(run.skipReason));
    }
    QVERIFY2(run.failure.isEmpty(), qPrintable(run.failure));
    QCOMPARE(sideFiles(journalPath()), QFileInfo(journalPath()).fileName() + "-wal");
}

// A read-only connection would create -wal and -shm files owned by the reading user in the
// writable folder, and those would keep the journal's owner from writing to it later.
void TestJournal::readOnlyFileInWritableFolderLeavesNoFiles()
{
    writeJournal(journalPath(), journalLength);
    const TemporaryPermissions permissions(journalPath(), readOnlyFile, m_directory->path(),
                                           writableFolder);
    const std::string path = journalPath().toStdString();

    const UnprivilegedRun run = runUnprivileged(m_directory->path(), [&] {
        return checkRead(path, ReaderAccess::Shared, ReaderAccess::Immutable, journalLength);
    });

    if (!run.skipReason.isEmpty()) {
        QSKIP(qPrintable(run.skipReason));
    }
    QVERIFY2(run.failure.isEmpty(), qPrintable(run.failure));
    QCOMPARE(sideFiles(journalPath()), QString());
}

// Immutable access chosen directly, which works for root too. The file name contains the
// characters a `file:` URI must escape.
void TestJournal::immutableReaderReadsArchive()
{
    const QString path = m_directory->filePath(QStringLiteral("day 100% #2?.sqlite"));
    writeJournal(path, journalLength);
    const TemporaryPermissions archive(path, readOnlyFile, m_directory->path(), readOnlyFolder);

    const std::string failure = checkRead(path.toStdString(), ReaderAccess::Immutable,
                                          ReaderAccess::Immutable, journalLength);

    QVERIFY2(failure.empty(), failure.c_str());
    QCOMPARE(sideFiles(path), QString());
}

void TestJournal::immutableReaderRejectsWalWithEvents()
{
    JournalWriterOptions options;
    options.eventsPerChunk = 1;
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString(), options);
    QVERIFY(created.writer);
    for (SequenceNumber sequence = 1; sequence <= 5; ++sequence) {
        appendCommand(*created.writer, sampleEvent(sequence));
    }
    QVERIFY(!created.writer->flush());
    const qint64 walBytes = QFileInfo(journalPath() + "-wal").size();
    QVERIFY(walBytes > 0);

    JournalReader::Opened immutable =
        JournalReader::open(journalPath().toStdString(), ReaderAccess::Immutable);

    QVERIFY(!immutable.reader);
    QVERIFY(immutable.error);
    QCOMPARE(immutable.error->kind, JournalErrorKind::OpenFailed);
    QCOMPARE(QString::fromStdString(immutable.error->toString()),
             journalPath() + QStringLiteral(": cannot read the journal as immutable: its -wal "
                                            "file contains %1 bytes of events that are not in "
                                            "the database file yet; read it with shared access")
                                 .arg(walBytes));

    // Shared access reads the events of the -wal file.
    const std::string failure =
        checkRead(journalPath().toStdString(), ReaderAccess::Shared, ReaderAccess::Shared, 5);
    QVERIFY2(failure.empty(), failure.c_str());
}

// A writer has the journal open, so its -wal and -shm files exist: the reader must read the
// committed events through them instead of falling back to the database file alone.
void TestJournal::readOnlyFolderStillReadsLiveWriter()
{
    JournalWriterOptions options;
    options.eventsPerChunk = 1;
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString(), options);
    QVERIFY(created.writer);
    for (SequenceNumber sequence = 1; sequence <= 5; ++sequence) {
        appendCommand(*created.writer, sampleEvent(sequence));
    }
    QVERIFY(!created.writer->flush());
    QVERIFY(QFileInfo(journalPath() + "-wal").size() > 0);
    const std::string path = journalPath().toStdString();

    UnprivilegedRun run;
    {
        const TemporaryPermissions archive(journalPath(), readOnlyFile, m_directory->path(),
                                           readOnlyFolder);
        run = runUnprivileged(m_directory->path(), [&] {
            return checkRead(path, ReaderAccess::Shared, ReaderAccess::Shared, 5);
        });
    }

    QVERIFY(!created.writer->close());
    if (!run.skipReason.isEmpty()) {
        QSKIP(qPrintable(run.skipReason));
    }
    QVERIFY2(run.failure.isEmpty(), qPrintable(run.failure));
}

// Committed events only in the -wal file, no -shm file, and a folder the reader may not write
// to: SQLite cannot read the events, and the database file alone would miss them.
void TestJournal::readOnlyFolderRejectsUnreadableWal()
{
    writeJournalAndCrash(journalPath(), 10);
    QVERIFY(!QTest::currentTestFailed());
    QVERIFY(QFile::remove(journalPath() + "-shm"));
    const qint64 walBytes = QFileInfo(journalPath() + "-wal").size();
    QVERIFY(walBytes > 0);
    const std::string path = journalPath().toStdString();
    const TemporaryPermissions archive(journalPath(), readOnlyFile, m_directory->path(),
                                       readOnlyFolder);

    const UnprivilegedRun run = runUnprivileged(m_directory->path(), [&] {
        JournalReader::Opened opened = JournalReader::open(path);
        if (opened.reader) {
            return std::string("the journal opened, and its -wal file would be ignored");
        }
        const std::string message = opened.error->toString();
        const std::string expected =
            "Its -wal file contains " + std::to_string(walBytes) +
            " bytes of events, which SQLite cannot read here without write access to the folder; "
            "copy the journal and its -wal file to a folder you may write to";
        if (opened.error->kind != JournalErrorKind::OpenFailed ||
            message.find(expected) == std::string::npos) {
            return "unexpected error: " + message;
        }
        return std::string();
    });

    if (!run.skipReason.isEmpty()) {
        QSKIP(qPrintable(run.skipReason));
    }
    QVERIFY2(run.failure.isEmpty(), qPrintable(run.failure));
}

void TestJournal::nonRegularFileIsRejected_data()
{
    QTest::addColumn<bool>("fifo");
    QTest::addColumn<bool>("writer");
    QTest::addColumn<QString>("expectedMessage");

    QTest::newRow("directory, reader") << false << false << "is a directory, not a journal file";
    QTest::newRow("directory, writer") << false << true << "is a directory, not a journal file";
    QTest::newRow("FIFO, reader") << true << false << "is a FIFO, not a journal file";
    QTest::newRow("FIFO, writer") << true << true << "is a FIFO, not a journal file";
}

void TestJournal::nonRegularFileIsRejected()
{
    QFETCH(bool, fifo);
    QFETCH(bool, writer);
    QFETCH(QString, expectedMessage);

    const QString path = m_directory->filePath(QStringLiteral("journal"));
    if (fifo) {
        QCOMPARE(mkfifo(QFile::encodeName(path).constData(), 0600), 0);
    } else {
        QVERIFY(QDir(m_directory->path()).mkdir(QStringLiteral("journal")));
    }

    std::optional<JournalError> error;
    if (writer) {
        error = JournalWriter::create(path.toStdString()).error;
    } else {
        error = JournalReader::open(path.toStdString()).error;
    }

    QVERIFY(error);
    QCOMPARE(error->kind, JournalErrorKind::OpenFailed);
    QCOMPARE(QString::fromStdString(error->toString()), path + ": " + expectedMessage);
    const QDir::Filters everything =
        QDir::NoDotAndDotDot | QDir::AllEntries | QDir::System | QDir::Hidden;
    QCOMPARE(QDir(m_directory->path()).entryList(everything),
             QStringList{QStringLiteral("journal")});
}

void TestJournal::damagedMetadataIsDamage_data()
{
    QTest::addColumn<QString>("damageSql");
    QTest::addColumn<QString>("expectedMessage");

    QTest::newRow("last chunk and every metadata row deleted")
        << "DELETE FROM chunks WHERE first_sequence = 91; DELETE FROM metadata;"
        << "damaged metadata: the rows format_version, last_sequence and last_hash are missing";
    QTest::newRow("format version deleted")
        << "DELETE FROM metadata WHERE key = 'format_version';"
        << "damaged metadata: the row format_version is missing";
    QTest::newRow("metadata table dropped") << "DROP TABLE metadata;"
                                            << "damaged metadata: the metadata table is missing";
    QTest::newRow("format version zero, last hash as text")
        << "UPDATE metadata SET value = 0 WHERE key = 'format_version'; "
           "UPDATE metadata SET value = 'abc' WHERE key = 'last_hash';"
        << "damaged metadata: format_version is 0, below the minimum of 1, and last_hash is not "
           "an integer";
    QTest::newRow("negative last sequence, last hash deleted")
        << "UPDATE metadata SET value = -3 WHERE key = 'last_sequence'; "
           "DELETE FROM metadata WHERE key = 'last_hash';"
        << "damaged metadata: the row last_hash is missing, and last_sequence is -3, below the "
           "minimum of 0";
    QTest::newRow("snapshots table dropped")
        << "DROP TABLE snapshots;"
        << "damaged journal: format version 2 without its snapshots table";
    QTest::newRow("chunks table dropped")
        << "DROP TABLE chunks;"
        << "damaged journal: format version 2 without its chunks table";
    QTest::newRow("version 1 recorded, no events table")
        << "UPDATE metadata SET value = 1 WHERE key = 'format_version';"
        << "damaged journal: format version 1 without its events table";
}

// A file with a journal's application id is a damaged journal when its metadata or one of its
// format's tables is missing, not another kind of file.
void TestJournal::damagedMetadataIsDamage()
{
    QFETCH(QString, damageSql);
    QFETCH(QString, expectedMessage);

    writeJournal(journalPath(), journalLength);
    {
        RawDatabase database(journalPath());
        QCOMPARE(database.execute(QStringLiteral("DROP TRIGGER chunks_no_delete; ") + damageSql),
                 QString());
    }
    const QByteArray before = fileContents(journalPath());

    const ReadResult read = readAll(journalPath());
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString());

    QVERIFY(read.openError);
    QCOMPARE(read.openError->kind, JournalErrorKind::MetadataDamaged);
    QCOMPARE(QString::fromStdString(read.openError->toString()),
             journalPath() + ": " + expectedMessage);
    QVERIFY(!created.writer);
    QVERIFY(created.error);
    QCOMPARE(created.error->kind, JournalErrorKind::MetadataDamaged);
    QCOMPARE(QString::fromStdString(created.error->toString()),
             journalPath() + ": " + expectedMessage);
    QCOMPARE(fileContents(journalPath()), before);
}

// The limit stated at JournalReader: a removed tail with matching metadata is a valid, shorter
// chain. Only the chain hash saved before the edit tells the two journals apart.
void TestJournal::truncationWithRewrittenTailNeedsSavedHash()
{
    writeJournal(journalPath(), journalLength);
    std::uint64_t savedHash = 0;
    std::uint64_t hashOf99 = 0;
    {
        const std::vector<Record> records = RawDatabase(journalPath()).allRecords();
        QCOMPARE(records.size(), std::size_t{journalLength});
        savedHash = records[99].hash;
        hashOf99 = records[98].hash;
    }
    damage(journalPath(), Damage::RemoveLastRecordAndRewriteTail);
    QVERIFY(!QTest::currentTestFailed());

    JournalReader::Opened opened = JournalReader::open(journalPath().toStdString());
    QVERIFY(opened.reader);
    std::size_t events = 0;
    while (opened.reader->next()) {
        ++events;
    }

    QVERIFY(!opened.reader->error());
    QCOMPARE(events, std::size_t{99});
    QCOMPARE(opened.reader->lastSequence(), SequenceNumber{99});
    QCOMPARE(opened.reader->lastHash(), hashOf99);
    QVERIFY(opened.reader->lastHash() != savedHash);
}

void TestJournal::verifyCommandReportsDamage_data()
{
    QTest::addColumn<QString>("action");
    QTest::addColumn<int>("damageKind");
    QTest::addColumn<QString>("expectedLastLine");

    // Event 41 passed its own checks, but the damaged record 42 cannot confirm its hash.
    QTest::newRow("verify, time changed")
        << "verify" << int(Damage::ChangeTime)
        << "events 1 to 40 are intact, event 41 could not be confirmed, and the damage was found "
           "at sequence 42";
    QTest::newRow("verify, record hash recomputed")
        << "verify" << int(Damage::EditPayloadFixRecordHash)
        << "events 1 to 41 are intact, event 42 could not be confirmed, and the damage was found "
           "at sequence 43";
    QTest::newRow("verify, first chunk deleted")
        << "verify" << int(Damage::DeleteFirstChunk)
        << "no event is intact, and the damage was found at sequence 1";
    QTest::newRow("verify, last record removed")
        << "verify" << int(Damage::RemoveLastRecordFixColumns)
        << "events 1 to 98 are intact, event 99 could not be confirmed, and the damage was found "
           "at sequence 100";
    QTest::newRow("verify, last chunk deleted")
        << "verify" << int(Damage::DeleteLastChunk)
        << "events 1 to 89 are intact, event 90 could not be confirmed, and the damage was found "
           "at sequence 91";
    QTest::newRow("verify, recorded hash changed")
        << "verify" << int(Damage::ChangeRecordedHash)
        << "events 1 to 99 are intact, and the damage was found at sequence 100";
    QTest::newRow("verify, recorded tail lowered")
        << "verify" << int(Damage::LowerRecordedTail)
        << "events 1 to 99 are intact, and the metadata records an earlier last event";
    QTest::newRow("verify, last chunk and metadata deleted")
        << "verify" << int(Damage::DeleteLastChunkAndMetadata)
        << "<journal>: damaged metadata: the rows format_version, last_sequence and last_hash are "
           "missing";
    QTest::newRow("replay, last chunk and metadata deleted")
        << "replay" << int(Damage::DeleteLastChunkAndMetadata)
        << "<journal>: damaged metadata: the rows format_version, last_sequence and last_hash are "
           "missing";
}

// A damaged journal exits with status 1. The last line says which events are intact, or names
// what is missing when the damage stops the command before the first event.
void TestJournal::verifyCommandReportsDamage()
{
    QFETCH(QString, action);
    QFETCH(int, damageKind);
    QFETCH(QString, expectedLastLine);

    writeJournal(journalPath(), journalLength);
    damage(journalPath(), static_cast<Damage>(damageKind));
    QVERIFY(!QTest::currentTestFailed());

    const CommandResult result = runEngine({QStringLiteral("journal"), action, journalPath()});

    QCOMPARE(result.output, QString());
    const QStringList lines = result.errors.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY2(!lines.isEmpty(), qPrintable(result.errors));
    const QString prefix = QStringLiteral("bourse-engine journal %1: ").arg(action);
    QCOMPARE(lines.last(),
             prefix + expectedLastLine.replace(QStringLiteral("<journal>"), journalPath()));
    QCOMPARE(result.exitCode, 1);
}

void TestJournal::verifyCommandRejectsDirectory()
{
    const QString directory = m_directory->filePath(QStringLiteral("journals"));
    QVERIFY(QDir(m_directory->path()).mkdir(QStringLiteral("journals")));

    for (const QString &action : {QStringLiteral("verify"), QStringLiteral("replay")}) {
        const CommandResult result = runEngine({QStringLiteral("journal"), action, directory});

        QCOMPARE(result.errors, QStringLiteral("bourse-engine journal %1: %2: is a directory, not "
                                               "a journal file\n")
                                    .arg(action, directory));
        QCOMPARE(result.exitCode, 3);
    }
}

// `journal verify` prints the chain hash with its sequence number on one line. Saved before the
// tail was removed and the metadata rewritten, the line differs from the one printed after,
// although the journal passes every check.
void TestJournal::verifyCommandPrintsSavableChainHash()
{
    writeJournal(journalPath(), journalLength);
    QString savedLine;
    QString lineOf99;
    {
        const std::vector<Record> records = RawDatabase(journalPath()).allRecords();
        QCOMPARE(records.size(), std::size_t{journalLength});
        savedLine = QStringLiteral("chain hash: %1 at sequence 100").arg(hex16(records[99].hash));
        lineOf99 = QStringLiteral("chain hash: %1 at sequence 99").arg(hex16(records[98].hash));
    }

    const CommandResult intact =
        runEngine({QStringLiteral("journal"), QStringLiteral("verify"), journalPath()});
    damage(journalPath(), Damage::RemoveLastRecordAndRewriteTail);
    const CommandResult shortened =
        runEngine({QStringLiteral("journal"), QStringLiteral("verify"), journalPath()});

    QCOMPARE(intact.exitCode, 0);
    QCOMPARE(intact.output, QStringLiteral("events: 100\nlast sequence: 100\n") + savedLine +
                                QStringLiteral("\njournal ok\n"));
    QCOMPARE(shortened.exitCode, 0);
    QVERIFY2(shortened.output.split(QLatin1Char('\n')).contains(lineOf99),
             qPrintable(shortened.output));
    QVERIFY(!shortened.output.contains(savedLine));
}

QTEST_GUILESS_MAIN(TestJournal)
#include "tst_journal.moc"

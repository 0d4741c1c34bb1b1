#include "event_text.h"
#include "journal.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QtTest>

#include <grp.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
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
    LowerRecordedTail,
    ChangeRecordedHash,
    DeleteLastRowAndMetadata,
    DeleteLastRowAndRewriteTail,
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
    void uriLikePathIsAPlainFile();
    void failureReportsFirstError();
    void truncatedJournalIsRejected();
    void newerFormatVersionIsRejected();
    void emptyFileBecomesJournal();
    void missingFileIsOpenError();

    void committedEventsSurviveCloseWithBlockedCheckpoint();
    void committedEventsSurviveProcessCrash();

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
                      std::size_t eventsPerTransaction = 64);
    void damage(const QString &path, Damage kind);
    // Commits `count` events in one transaction and ends the writing process without closing,
    // so that the events stay in the -wal file.
    void writeJournalAndCrash(const QString &path, SequenceNumber count);
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
    case Damage::LowerRecordedTail:
        error = database.execute(
            QStringLiteral("UPDATE metadata SET value = 50 WHERE key = 'last_sequence'"));
        break;
    case Damage::ChangeRecordedHash:
        error = database.execute(
            QStringLiteral("UPDATE metadata SET value = value + 1 WHERE key = 'last_hash'"));
        break;
    case Damage::DeleteLastRowAndMetadata:
        error = database.execute(QStringLiteral("DELETE FROM events WHERE sequence = %1; "
                                                "DELETE FROM metadata;")
                                     .arg(journalLength));
        break;
    case Damage::DeleteLastRowAndRewriteTail:
        // What an editor familiar with the format would do to hide the removal.
        error = database.execute(
            QStringLiteral("DELETE FROM events WHERE sequence = %1; "
                           "UPDATE metadata SET value = %2 WHERE key = 'last_sequence'; "
                           "UPDATE metadata SET value = (SELECT hash FROM events WHERE sequence "
                           "= %2) WHERE key = 'last_hash';")
                .arg(journalLength)
                .arg(journalLength - 1));
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
    QTest::newRow("only a view") << QByteArray() << "CREATE VIEW answer AS SELECT 42;"
                                 << int(JournalErrorKind::NotAJournal)
                                 << "not a journal: the SQLite database has no events table";
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
    created.writer->onEvent(sampleEvent(1));
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

    created.writer->onEvent(sampleEvent(1));
    created.writer->onEvent(sampleEvent(3));

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

void TestJournal::writeJournalAndCrash(const QString &path, SequenceNumber count)
{
    const std::string file = path.toStdString();
    const pid_t child = fork();
    QVERIFY(child >= 0);
    if (child == 0) {
        JournalWriterOptions options;
        options.eventsPerTransaction = count;
        JournalWriter::Created created = JournalWriter::create(file, options);
        if (!created.writer) {
            _exit(2);
        }
        for (SequenceNumber sequence = 1; sequence <= count; ++sequence) {
            created.writer->onEvent(sampleEvent(sequence));
        }
        _exit(created.writer->committedSequence() == count ? 0 : 1);
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
    options.eventsPerTransaction = 1;
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString(), options);
    QVERIFY(created.writer);
    for (SequenceNumber sequence = 1; sequence <= 5; ++sequence) {
        created.writer->onEvent(sampleEvent(sequence));
    }
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
    options.eventsPerTransaction = 1;
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString(), options);
    QVERIFY(created.writer);
    for (SequenceNumber sequence = 1; sequence <= 5; ++sequence) {
        created.writer->onEvent(sampleEvent(sequence));
    }
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

    QTest::newRow("last event and every metadata row deleted")
        << "DELETE FROM events WHERE sequence = 100; DELETE FROM metadata;"
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
}

// A file with a journal's application id and events table is a damaged journal when its
// metadata is missing, not another kind of file.
void TestJournal::damagedMetadataIsDamage()
{
    QFETCH(QString, damageSql);
    QFETCH(QString, expectedMessage);

    writeJournal(journalPath(), journalLength);
    {
        RawDatabase database(journalPath());
        QCOMPARE(database.execute(QStringLiteral("DROP TRIGGER events_no_delete; ") + damageSql),
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
        RawDatabase database(journalPath());
        savedHash = static_cast<std::uint64_t>(
            database.queryInteger(QStringLiteral("SELECT hash FROM events WHERE sequence = 100")));
        hashOf99 = static_cast<std::uint64_t>(
            database.queryInteger(QStringLiteral("SELECT hash FROM events WHERE sequence = 99")));
    }
    damage(journalPath(), Damage::DeleteLastRowAndRewriteTail);

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

    // Event 41 passed its own checks, but the damaged row 42 cannot confirm its hash.
    QTest::newRow("verify, time changed")
        << "verify" << int(Damage::ChangeTime)
        << "events 1 to 40 are intact, event 41 could not be confirmed, and the damage was found "
           "at sequence 42";
    QTest::newRow("verify, row hash recomputed")
        << "verify" << int(Damage::EditPayloadFixRowHash)
        << "events 1 to 41 are intact, event 42 could not be confirmed, and the damage was found "
           "at sequence 43";
    QTest::newRow("verify, first row deleted")
        << "verify" << int(Damage::DeleteFirstRow)
        << "no event is intact, and the damage was found at sequence 1";
    QTest::newRow("verify, last row deleted")
        << "verify" << int(Damage::DeleteLastRow)
        << "events 1 to 98 are intact, event 99 could not be confirmed, and the damage was found "
           "at sequence 100";
    QTest::newRow("verify, recorded hash changed")
        << "verify" << int(Damage::ChangeRecordedHash)
        << "events 1 to 99 are intact, and the damage was found at sequence 100";
    QTest::newRow("verify, recorded tail lowered")
        << "verify" << int(Damage::LowerRecordedTail)
        << "events 1 to 99 are intact, and the metadata records an earlier last event";
    QTest::newRow("verify, last row and metadata deleted")
        << "verify" << int(Damage::DeleteLastRowAndMetadata)
        << "<journal>: damaged metadata: the rows format_version, last_sequence and last_hash are "
           "missing";
    QTest::newRow("replay, last row and metadata deleted")
        << "replay" << int(Damage::DeleteLastRowAndMetadata)
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
        RawDatabase database(journalPath());
        const auto hashOf = [&](int sequence) {
            return static_cast<std::uint64_t>(database.queryInteger(
                QStringLiteral("SELECT hash FROM events WHERE sequence = %1").arg(sequence)));
        };
        savedLine = QStringLiteral("chain hash: %1 at sequence 100").arg(hex16(hashOf(100)));
        lineOf99 = QStringLiteral("chain hash: %1 at sequence 99").arg(hex16(hashOf(99)));
    }

    const CommandResult intact =
        runEngine({QStringLiteral("journal"), QStringLiteral("verify"), journalPath()});
    damage(journalPath(), Damage::DeleteLastRowAndRewriteTail);
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

// `bourse-engine run FILE --journal JOURNAL`: scenario files of the repository run journaled,
// their printed events checked against the journal and its tools, and journals that contain
// events, are damaged, or fail while the run goes on.

#include "journal.h"
#include "scenario.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

using namespace bourse;

namespace {

constexpr int kSuccess = 0;
constexpr int kCheckFailed = 1;
constexpr int kUsageError = 2;
constexpr int kInputError = 3;

// Bytes of a chunk record before the payload, and after it: the checksum and the hash.
constexpr qsizetype kRecordHeader = 23;
constexpr qsizetype kRecordTrailer = 16;

QString sourcePath(const QString &relative)
{
    return QStringLiteral(BOURSE_SOURCE_DIR "/") + relative;
}

QString f2Scenario()
{
    return sourcePath(QStringLiteral("tests/scenarios/f2_idempotent_after_snapshot.scenario"));
}

struct CommandResult {
    int exitCode = -1;
    QString output;
    QString errors;
};

// Runs bourse-engine. A nonzero `fileSizeLimit` caps every file the process writes at that many
// bytes, as a full disk would, and a write past it fails with EFBIG instead of raising SIGXFSZ.
CommandResult runEngine(const QStringList &arguments, rlim_t fileSizeLimit = 0)
{
    QProcess process;
    if (fileSizeLimit != 0) {
        process.setChildProcessModifier([fileSizeLimit] {
            const rlimit limit{fileSizeLimit, fileSizeLimit};
            setrlimit(RLIMIT_FSIZE, &limit);
            std::signal(SIGXFSZ, SIG_IGN);
        });
    }
    process.start(QStringLiteral(BOURSE_ENGINE_EXECUTABLE), arguments);
    CommandResult result;
    if (!process.waitForFinished(120'000)) {
        result.errors = QStringLiteral("bourse-engine did not finish: ") + process.errorString();
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.output = QString::fromUtf8(process.readAllStandardOutput());
    result.errors = QString::fromUtf8(process.readAllStandardError());
    return result;
}

QString describe(const CommandResult &result)
{
    return QStringLiteral("exit %1\n--- output\n%2--- errors\n%3")
        .arg(result.exitCode)
        .arg(result.output.right(2000), result.errors);
}

// The event lines of `run` text output, "   SEQUENCE TIME TEXT", by sequence number.
std::map<SequenceNumber, QString> printedEvents(const QString &output)
{
    static const QRegularExpression eventLine(QStringLiteral("^ +(\\d+) \\S+ (.*)$"),
                                              QRegularExpression::MultilineOption);
    std::map<SequenceNumber, QString> events;
    for (auto match = eventLine.globalMatch(output); match.hasNext();) {
        const QRegularExpressionMatch found = match.next();
        events[found.captured(1).toULongLong()] = found.captured(2);
    }
    return events;
}

// The journal's events as `run` prints them, with the scenario's names. TopOfBook and DepthLevel
// are market data that `run` does not print.
std::optional<std::map<SequenceNumber, QString>> journalEvents(const QString &journal,
                                                               const QString &scenarioFile)
{
    const scenario::ParseResult parsed = scenario::loadScenario(scenarioFile.toStdString());
    storage::JournalReader::Opened opened = storage::JournalReader::open(journal.toStdString());
    if (!parsed.ok() || !opened.reader)
        return std::nullopt;
    std::map<SequenceNumber, QString> events;
    while (const std::optional<Event> event = opened.reader->next()) {
        if (std::holds_alternative<TopOfBook>(event->payload) ||
            std::holds_alternative<DepthLevel>(event->payload))
            continue;
        const EventDescription description = describeEvent(*event, parsed.scenario.names);
        events[event->sequence] = QString::fromStdString(formatText(description));
    }
    if (opened.reader->error())
        return std::nullopt;
    return events;
}

QString stateHashIn(const QString &output)
{
    static const QRegularExpression line(QStringLiteral("^state hash: ([0-9a-f]{16})"),
                                         QRegularExpression::MultilineOption);
    return line.match(output).captured(1);
}

// The output without the lines that only a journaled run, or only a run without a journal,
// prints: the state hash at the end and what a restart loaded.
QString withoutJournalLines(const QString &output)
{
    QStringList kept;
    for (const QString &line : output.split(QLatin1Char('\n'))) {
        if (!line.startsWith(QStringLiteral("state hash: ")) &&
            !line.startsWith(QStringLiteral("    restarted from ")))
            kept << line;
    }
    return kept.join(QLatin1Char('\n'));
}

// Limit orders of two accounts around 10.00 that trade with each other, one per line.
QString writeGeneratedScenario(const QString &folder, int orders)
{
    const QString path = folder + QStringLiteral("/generated.scenario");
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    QByteArray text = "instrument ABC tick 0.01 lot 1\naccount alice\naccount bob\n";
    for (int i = 0; i < orders; ++i) {
        const int cents = 995 + (i * 7) % 11;
        text += QStringLiteral("%1 ABC %2 @ %3.%4 account %5\n")
                    .arg(i % 2 == 0 ? QStringLiteral("buy") : QStringLiteral("sell"))
                    .arg(1 + (i * 13) % 50)
                    .arg(cents / 100)
                    .arg(cents % 100, 2, 10, QLatin1Char('0'))
                    .arg((i / 2) % 2 == 0 ? QStringLiteral("alice") : QStringLiteral("bob"))
                    .toUtf8();
    }
    file.write(text);
    return path;
}

bool executeSql(const QString &path, const char *sql)
{
    sqlite3 *database = nullptr;
    bool done = sqlite3_open(path.toUtf8().constData(), &database) == SQLITE_OK &&
                sqlite3_exec(database, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
    sqlite3_close(database);
    return done;
}

// Flips a bit in the checksum of the journal's last event, the last record of its last chunk.
bool damageLastEvent(const QString &path)
{
    sqlite3 *database = nullptr;
    if (sqlite3_open(path.toUtf8().constData(), &database) != SQLITE_OK) {
        sqlite3_close(database);
        return false;
    }
    bool done = sqlite3_exec(database, "DROP TRIGGER chunks_no_update", nullptr, nullptr,
                             nullptr) == SQLITE_OK;
    sqlite3_stmt *select = nullptr;
    QByteArray body;
    std::int64_t first = 0;
    sqlite3_prepare_v2(database,
                       "SELECT first_sequence, body FROM chunks ORDER BY first_sequence DESC "
                       "LIMIT 1",
                       -1, &select, nullptr);
    if (done && sqlite3_step(select) == SQLITE_ROW) {
        first = sqlite3_column_int64(select, 0);
        body = QByteArray(static_cast<const char *>(sqlite3_column_blob(select, 1)),
                          sqlite3_column_bytes(select, 1));
    }
    sqlite3_finalize(select);
    done = done && body.size() > kRecordHeader + kRecordTrailer;
    if (done) {
        const qsizetype checksum = body.size() - kRecordTrailer;
        body[checksum] = static_cast<char>(body[checksum] ^ 0x01);
        sqlite3_stmt *update = nullptr;
        sqlite3_prepare_v2(database, "UPDATE chunks SET body = ?2 WHERE first_sequence = ?1", -1,
                           &update, nullptr);
        sqlite3_bind_int64(update, 1, first);
        sqlite3_bind_blob(update, 2, body.constData(), static_cast<int>(body.size()),
                          SQLITE_TRANSIENT);
        done = sqlite3_step(update) == SQLITE_DONE;
        sqlite3_finalize(update);
    }
    sqlite3_close(database);
    return done;
}

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

enum class Damage {
    NotAJournal,
    Snapshot,
    LastEvent,
    MetadataBehind,
};

enum class Fault {
    DirectoryAtPath,
    ReadOnlyFolder,
    FileSizeLimit,
};

} // namespace

Q_DECLARE_METATYPE(Damage)
Q_DECLARE_METATYPE(Fault)

class ScenarioJournalTest : public QObject {
    Q_OBJECT

private slots:
    void init();

    void journaledRunMatchesJournal_data();
    void journaledRunMatchesJournal();
    void journalWithEventsIsRejected();
    void emptyJournalIsContinued();
    void damagedJournalIsRejected_data();
    void damagedJournalIsRejected();
    void failingJournalStopsRun_data();
    void failingJournalStopsRun();

private:
    QString journalPath() const { return m_folder->filePath(QStringLiteral("run.journal")); }

    std::optional<QTemporaryDir> m_folder;
};

void ScenarioJournalTest::init()
{
    m_folder.emplace();
    QVERIFY(m_folder->isValid());
}

void ScenarioJournalTest::journaledRunMatchesJournal_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<QString>("restartNote");

    // The f2 scenario restarts after its 6th command, at event 8. Snapshots are taken at the end
    // of a command that brings the events since the last snapshot to N or more: with N = 3 after
    // events 3 and 6, with N = 1 after every command, so the last one before the restart is at 8.
    const QString f2 = f2Scenario();
    QTest::newRow("f2 idempotency, no snapshot before the restart")
        << f2 << QStringList() << QStringLiteral("8 events replayed");
    QTest::newRow("f2 idempotency, snapshot every 3 events")
        << f2 << QStringList{QStringLiteral("--snapshot-every"), QStringLiteral("3")}
        << QStringLiteral("snapshot at sequence 6 and 2 events after it");
    QTest::newRow("f2 idempotency, snapshot every event")
        << f2 << QStringList{QStringLiteral("--snapshot-every"), QStringLiteral("1")}
        << QStringLiteral("snapshot at sequence 8 and 0 events after it");
    QTest::newRow("stop cascade") << sourcePath(
                                         QStringLiteral("tests/scenarios/stop_cascade.scenario"))
                                  << QStringList() << QString();
    QTest::newRow("opening auction")
        << sourcePath(QStringLiteral("tests/scenarios/opening_auction.scenario")) << QStringList()
        << QString();
}

// The run prints exactly the journal's events, the tools accept the journal, and a replay of it
// reaches the state hash the run printed.
void ScenarioJournalTest::journaledRunMatchesJournal()
{
    QFETCH(QString, file);
    QFETCH(QStringList, options);
    QFETCH(QString, restartNote);

    const CommandResult run = runEngine(
        QStringList{QStringLiteral("run"), file, QStringLiteral("--journal"), journalPath()} +
        options);
    QVERIFY2(run.exitCode == kSuccess, qPrintable(describe(run)));
    QCOMPARE(run.errors, QString());
    const QString stateHash = stateHashIn(run.output);
    QVERIFY2(!stateHash.isEmpty(), qPrintable(run.output));
    if (!restartNote.isEmpty()) {
        const QString note = QStringLiteral("    restarted from the journal ") + journalPath() +
                             QStringLiteral(": ");
        QVERIFY2(run.output.contains(note + restartNote), qPrintable(run.output));
    }

    const CommandResult verify =
        runEngine({QStringLiteral("journal"), QStringLiteral("verify"), journalPath()});
    QVERIFY2(verify.exitCode == kSuccess, qPrintable(describe(verify)));
    const CommandResult replay =
        runEngine({QStringLiteral("journal"), QStringLiteral("replay"), journalPath()});
    QVERIFY2(replay.exitCode == kSuccess, qPrintable(describe(replay)));
    QVERIFY2(replay.output.contains(QStringLiteral("state hash: ") + stateHash + QLatin1Char('\n')),
             qPrintable(replay.output + QStringLiteral(" run: ") + stateHash));

    const std::optional<std::map<SequenceNumber, QString>> journaled =
        journalEvents(journalPath(), file);
    QVERIFY(journaled);
    const std::map<SequenceNumber, QString> printed = printedEvents(run.output);
    QVERIFY(!printed.empty());
    QCOMPARE(printed, *journaled);

    // The journal delays the output and never changes its text.
    const CommandResult plain = runEngine({QStringLiteral("run"), file});
    QCOMPARE(plain.exitCode, kSuccess);
    QCOMPARE(withoutJournalLines(run.output), withoutJournalLines(plain.output));
}

void ScenarioJournalTest::journalWithEventsIsRejected()
{
    const QString file = f2Scenario();
    const QStringList arguments{QStringLiteral("run"), file, QStringLiteral("--journal"),
                                journalPath()};
    QCOMPARE(runEngine(arguments).exitCode, kSuccess);
    const QByteArray before = fileBytes(journalPath());

    const CommandResult again = runEngine(arguments);
    QCOMPARE(again.exitCode, kUsageError);
    QCOMPARE(again.output, QString());
    QCOMPARE(again.errors, QStringLiteral("bourse-engine run: ") + journalPath() +
                               QStringLiteral(": the journal already contains events 1 to 13, "
                                              "and a scenario cannot continue them because it "
                                              "defines its instruments and numbers its orders "
                                              "from 1; name a new file, or remove this one to "
                                              "run again\n") +
                               file + QStringLiteral(": nothing was run\n"));
    QCOMPARE(fileBytes(journalPath()), before);
}

void ScenarioJournalTest::emptyJournalIsContinued()
{
    {
        storage::JournalWriter::Created created =
            storage::JournalWriter::create(journalPath().toStdString());
        QVERIFY(created.writer);
        QVERIFY(!created.writer->close());
    }
    const CommandResult run = runEngine(
        {QStringLiteral("run"), f2Scenario(), QStringLiteral("--journal"), journalPath()});
    QVERIFY2(run.exitCode == kSuccess, qPrintable(describe(run)));
    QVERIFY2(run.output.endsWith(QStringLiteral(" at sequence 13\n")), qPrintable(run.output));
    const CommandResult verify =
        runEngine({QStringLiteral("journal"), QStringLiteral("verify"), journalPath()});
    QVERIFY2(verify.exitCode == kSuccess, qPrintable(describe(verify)));
    QVERIFY(verify.output.contains(QStringLiteral("events: 13\n")));
}

void ScenarioJournalTest::damagedJournalIsRejected_data()
{
    QTest::addColumn<Damage>("damage");
    QTest::addColumn<QString>("message");

    QTest::newRow("not a journal") << Damage::NotAJournal << QStringLiteral(": not a journal");
    QTest::newRow("snapshot checksum")
        << Damage::Snapshot << QStringLiteral(": sequence 13: snapshot checksum mismatch: ");
    QTest::newRow("last event checksum") << Damage::LastEvent << QStringLiteral(": sequence 13: ");
    QTest::newRow("metadata behind the last event")
        << Damage::MetadataBehind
        << QStringLiteral(": sequence 13: the journal continues to sequence 13 past the last "
                          "event its metadata records (12)");
}

// Nothing runs, and the journal stays as it was.
void ScenarioJournalTest::damagedJournalIsRejected()
{
    QFETCH(Damage, damage);
    QFETCH(QString, message);

    const QString file = f2Scenario();
    const QStringList arguments{QStringLiteral("run"), file, QStringLiteral("--journal"),
                                journalPath()};
    if (damage == Damage::NotAJournal) {
        QFile text(journalPath());
        QVERIFY(text.open(QIODevice::WriteOnly));
        text.write("instrument ABC tick 0.01 lot 1\n");
    } else {
        QCOMPARE(runEngine(arguments).exitCode, kSuccess);
    }
    switch (damage) {
    case Damage::NotAJournal:
        break;
    case Damage::Snapshot:
        QVERIFY(executeSql(journalPath(), "DROP TRIGGER snapshots_no_update;"
                                          "UPDATE snapshots SET checksum = checksum + 1"));
        break;
    case Damage::LastEvent:
        QVERIFY(damageLastEvent(journalPath()));
        break;
    case Damage::MetadataBehind:
        QVERIFY(executeSql(journalPath(),
                           "UPDATE metadata SET value = 12 WHERE key = 'last_sequence'"));
        break;
    }
    const QByteArray before = fileBytes(journalPath());

    const CommandResult rejected = runEngine(arguments);
    QVERIFY2(rejected.exitCode == kInputError, qPrintable(describe(rejected)));
    QCOMPARE(rejected.output, QString());
    QVERIFY2(
        rejected.errors.startsWith(QStringLiteral("bourse-engine run: ") + journalPath() + message),
        qPrintable(rejected.errors));
    QVERIFY2(rejected.errors.endsWith(file + QStringLiteral(": nothing was run\n")),
             qPrintable(rejected.errors));
    QCOMPARE(fileBytes(journalPath()), before);
}

void ScenarioJournalTest::failingJournalStopsRun_data()
{
    QTest::addColumn<Fault>("fault");

    QTest::newRow("directory at the path") << Fault::DirectoryAtPath;
    QTest::newRow("read-only folder") << Fault::ReadOnlyFolder;
    QTest::newRow("file size limit reached during the run") << Fault::FileSizeLimit;
}

// A journal that cannot be written stops the run with exit status 1 and a message naming it, and
// every event the run printed is in the journal.
void ScenarioJournalTest::failingJournalStopsRun()
{
    QFETCH(Fault, fault);

    QString journal = journalPath();
    QString file = f2Scenario();
    rlim_t fileSizeLimit = 0;
    switch (fault) {
    case Fault::DirectoryAtPath:
        QVERIFY(QDir().mkdir(journal));
        break;
    case Fault::ReadOnlyFolder: {
        if (geteuid() == 0)
            QSKIP("runs as root, which may write to a read-only folder");
        const QString folder = m_folder->filePath(QStringLiteral("read-only"));
        QVERIFY(QDir().mkdir(folder));
        QVERIFY(QFile::setPermissions(folder, QFile::ReadOwner | QFile::ExeOwner));
        journal = folder + QStringLiteral("/run.journal");
        break;
    }
    case Fault::FileSizeLimit:
        // The journal's WAL file grows by 16 KiB pages at every commit, and at 600 KiB it cannot
        // take more: a few commits of the 2,000 commands succeed, and a later one fails.
        file = writeGeneratedScenario(m_folder->path(), 1'997);
        QVERIFY(!file.isEmpty());
        fileSizeLimit = 600 * 1024;
        break;
    }

    const CommandResult run = runEngine(
        {QStringLiteral("run"), file, QStringLiteral("--journal"), journal}, fileSizeLimit);
    QVERIFY2(run.exitCode == kCheckFailed, qPrintable(describe(run)));
    QVERIFY2(!run.output.contains(QStringLiteral(": passed")), qPrintable(run.output));
    QVERIFY2(!run.output.contains(QStringLiteral("state hash")), qPrintable(run.output));
    if (fault == Fault::DirectoryAtPath) {
        QCOMPARE(run.output, QString());
        QCOMPARE(run.errors, QStringLiteral("bourse-engine run: ") + journal +
                                 QStringLiteral(": is a directory, not a journal file\n") + file +
                                 QStringLiteral(": nothing was run\n"));
        return;
    }
    if (fault == Fault::ReadOnlyFolder) {
        QCOMPARE(run.output, QString());
        QVERIFY2(run.errors.startsWith(QStringLiteral("bourse-engine run: ") + journal + ": "),
                 qPrintable(run.errors));
        return;
    }

    static const QRegularExpression stopped(
        QStringLiteral("^\\S+generated.scenario:\\d+:1: error: the journal failed, so the run "
                       "stops and prints nothing about this line or the lines after it: "));
    QVERIFY2(stopped.match(run.errors).hasMatch(), qPrintable(run.errors));
    QVERIFY2(run.errors.contains(journal + QStringLiteral(": sequence ")), qPrintable(run.errors));
    const std::map<SequenceNumber, QString> printed = printedEvents(run.output);
    QVERIFY2(!printed.empty(), "the journal failed before its first commit");
    const std::optional<std::map<SequenceNumber, QString>> journaled = journalEvents(journal, file);
    QVERIFY(journaled);
    for (const auto &[sequence, text] : printed) {
        const auto found = journaled->find(sequence);
        QVERIFY2(found != journaled->end(), qPrintable(QString::number(sequence)));
        QCOMPARE(found->second, text);
    }
    const CommandResult verify =
        runEngine({QStringLiteral("journal"), QStringLiteral("verify"), journal});
    QVERIFY2(verify.exitCode == kSuccess, qPrintable(describe(verify)));
}

QTEST_GUILESS_MAIN(ScenarioJournalTest)
#include "tst_scenario_journal.moc"

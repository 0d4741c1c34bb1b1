// The writer lock of a journal: one writer at a time across processes, recover and rebuild
// rejected while a writer runs, readers unaffected, and a killed writer that blocks no later
// writer.

#include "engine.h"
#include "journal.h"
#include "journal_repair.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QMap>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

#include <unistd.h>

#include <csignal>
#include <optional>
#include <string>

using namespace bourse;
using namespace bourse::storage;

namespace {

constexpr InstrumentId kInstrument{7};

// How long a test waits for a child process before it fails instead of hanging.
constexpr int processDeadlineMs = 60'000;

Timestamp at(int step)
{
    return Timestamp{34'200'000'000'000 + step * 1'000'000};
}

NewOrder limitOrder(std::uint64_t id, Side side, std::int64_t price)
{
    NewOrder order;
    order.id = OrderId{id};
    order.side = side;
    order.limit = Price{price};
    order.quantity = Quantity{10};
    order.instrument = kInstrument;
    order.account = AccountId{1};
    return order;
}

// Writes a journal of three chunks without snapshots: [1, 3], [4, 5] and [6, 7], one instrument
// and three resting orders. Returns the last sequence number, 0 on failure.
SequenceNumber writeJournal(const QString &path)
{
    JournalWriter::Created created = JournalWriter::create(path.toStdString());
    if (!created.writer) {
        qWarning("cannot create the journal: %s", created.error->toString().c_str());
        return 0;
    }
    Engine engine;
    engine.addHandler(created.writer.get());
    InstrumentDefinition definition;
    definition.id = kInstrument;
    definition.symbol = {'A', 'C', 'M', 'E'};
    definition.currency = {'E', 'U', 'R'};
    definition.priceDecimals = 2;
    engine.addInstrument(definition, at(1));
    engine.submit(limitOrder(1, Side::Sell, 12345), at(2));
    engine.endBatch();
    engine.submit(limitOrder(2, Side::Sell, 12350), at(3));
    engine.endBatch();
    engine.submit(limitOrder(3, Side::Buy, 12300), at(4));
    engine.endBatch();
    engine.removeHandler(created.writer.get());
    if (const std::optional<JournalError> error = created.writer->close()) {
        qWarning("cannot close the journal: %s", error->toString().c_str());
        return 0;
    }
    return engine.lastSequence();
}

// Flips a byte in the body of the chunk that starts at `firstSequence`, as a disk error would.
// The writer checks only the last chunk when it opens a journal, so it still opens this one.
QString damageChunk(const QString &path, SequenceNumber firstSequence)
{
    sqlite3 *database = nullptr;
    sqlite3_open_v2(QFile::encodeName(path).constData(), &database, SQLITE_OPEN_READWRITE, nullptr);
    const QString sql = QStringLiteral("DROP TRIGGER chunks_no_update; "
                                       "UPDATE chunks SET body = substr(body, 1, 20) || "
                                       "x'ff' || substr(body, 22) WHERE first_sequence = %1;")
                            .arg(firstSequence);
    char *message = nullptr;
    sqlite3_exec(database, sql.toUtf8().constData(), nullptr, nullptr, &message);
    const QString error = message ? QString::fromUtf8(message) : QString();
    sqlite3_free(message);
    sqlite3_close_v2(database);
    return error;
}

// Every file of a folder with its bytes, to show that nothing changed.
QMap<QString, QByteArray> folderContents(const QString &folder)
{
    QMap<QString, QByteArray> contents;
    const QDir directory(folder);
    for (const QString &name : directory.entryList(QDir::Files | QDir::Hidden, QDir::Name)) {
        QFile file(directory.filePath(name));
        if (file.open(QIODevice::ReadOnly)) {
            contents.insert(name, file.readAll());
        }
    }
    return contents;
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
    ToolRun run;
    if (!process.waitForFinished(processDeadlineMs)) {
        process.kill();
        process.waitForFinished();
        run.errors = QStringLiteral("timed out: ") + arguments.join(QLatin1Char(' '));
        return run;
    }
    run.exitCode = process.exitCode();
    run.output = QString::fromUtf8(process.readAllStandardOutput());
    run.errors = QString::fromUtf8(process.readAllStandardError());
    return run;
}

QString describe(const ToolRun &run)
{
    return QStringLiteral("exit %1\nstdout:\n%2\nstderr:\n%3")
        .arg(run.exitCode)
        .arg(run.output, run.errors);
}

// `bourse-engine sim` journaling into a file until the test stops or kills it.
class SimProcess {
public:
    explicit SimProcess(const QString &journal)
    {
        m_process.start(QStringLiteral(BOURSE_ENGINE_EXECUTABLE),
                        {QStringLiteral("sim"), QStringLiteral("--journal"), journal,
                         QStringLiteral("--rate"), QStringLiteral("2000"),
                         QStringLiteral("--seconds"), QStringLiteral("60")});
    }
    ~SimProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }
    SimProcess(const SimProcess &) = delete;
    SimProcess &operator=(const SimProcess &) = delete;

    // Waits for the first `acknowledged N` line: the sim holds the writer lock from then on.
    bool waitForAcknowledgement()
    {
        static const QRegularExpression line(QStringLiteral("^acknowledged \\d+$"),
                                             QRegularExpression::MultilineOption);
        QElapsedTimer timer;
        timer.start();
        while (!line.match(QString::fromUtf8(m_output)).hasMatch()) {
            if (timer.hasExpired(processDeadlineMs) ||
                (m_process.state() == QProcess::NotRunning && m_process.bytesAvailable() == 0)) {
                return false;
            }
            m_process.waitForReadyRead(100);
            m_output += m_process.readAllStandardOutput();
        }
        return true;
    }

    qint64 pid() const { return m_process.processId(); }

    bool stop()
    {
        ::kill(static_cast<pid_t>(m_process.processId()), SIGTERM);
        return m_process.waitForFinished(processDeadlineMs) && m_process.exitCode() == 0;
    }

    bool killHard()
    {
        m_process.kill(); // SIGKILL
        return m_process.waitForFinished(processDeadlineMs);
    }

    QString errors() { return QString::fromUtf8(m_process.readAllStandardError()); }

private:
    QProcess m_process;
    QByteArray m_output;
};

} // namespace

class TestJournalLock : public QObject {
    Q_OBJECT

private slots:
    void init();

    void secondWriterInProcessIsInUse();
    void writerOfOtherProcessIsInUse();
    void killedWriterBlocksNobody();
    void recoverWhileWriterRunsChangesNothing();
    void rebuildWhileWriterRunsChangesNothing();

private:
    QString journalPath() const { return m_folder->filePath(QStringLiteral("day.journal")); }
    QString lockPath() const { return journalPath() + QStringLiteral("-lock"); }

    std::optional<QTemporaryDir> m_folder;
};

void TestJournalLock::init()
{
    m_folder.emplace();
    QVERIFY(m_folder->isValid());
}

// flock locks belong to an open file description, so a second writer in the same process is
// rejected like one in another process, and the message names this process.
void TestJournalLock::secondWriterInProcessIsInUse()
{
    JournalWriter::Created first = JournalWriter::create(journalPath().toStdString());
    QVERIFY2(first.writer, first.error ? first.error->toString().c_str() : "");
    QVERIFY(QFile::exists(lockPath()));

    JournalWriter::Created second = JournalWriter::create(journalPath().toStdString());
    QVERIFY(!second.writer);
    QVERIFY(second.error);
    QCOMPARE(second.error->kind, JournalErrorKind::InUse);
    const QString expected =
        journalPath() + QStringLiteral(": the journal is in use: another writer in this "
                                       "process (pid %1) is writing to it. A journal has "
                                       "one writer at a time; stop that writer or wait "
                                       "until it closes the journal")
                            .arg(::getpid());
    QCOMPARE(QString::fromStdString(second.error->toString()), expected);

    QVERIFY(!first.writer->close());
    QVERIFY2(!QFile::exists(lockPath()), "close() left the lock file");
    JournalWriter::Created third = JournalWriter::create(journalPath().toStdString());
    QVERIFY2(third.writer, third.error ? third.error->toString().c_str() : "");
    QVERIFY(!third.writer->close());
    QVERIFY(!QFile::exists(lockPath()));
}

// While `bourse-engine sim` writes: a writer here, a second sim and a repair are rejected with
// the sim's pid, and readers read every committed event.
void TestJournalLock::writerOfOtherProcessIsInUse()
{
    SimProcess sim(journalPath());
    QVERIFY2(sim.waitForAcknowledgement(), qPrintable(sim.errors()));

    JournalWriter::Created here = JournalWriter::create(journalPath().toStdString());
    QVERIFY(!here.writer);
    QVERIFY(here.error);
    QCOMPARE(here.error->kind, JournalErrorKind::InUse);
    const QString message = QString::fromStdString(here.error->toString());
    QVERIFY2(message.startsWith(journalPath() + QStringLiteral(": the journal is in use: "
                                                               "another process (pid %1) is "
                                                               "writing to it")
                                                    .arg(sim.pid())),
             qPrintable(message));

    const ToolRun secondSim =
        runTool({QStringLiteral("sim"), QStringLiteral("--journal"), journalPath(),
                 QStringLiteral("--seconds"), QStringLiteral("1")});
    QVERIFY2(secondSim.exitCode == 3, qPrintable(describe(secondSim)));
    QVERIFY2(secondSim.errors.contains(QStringLiteral("the journal is in use: another process "
                                                      "(pid %1)")
                                           .arg(sim.pid())),
             qPrintable(describe(secondSim)));

    JournalReader::Opened opened = JournalReader::open(journalPath().toStdString());
    QVERIFY2(opened.reader, opened.error ? opened.error->toString().c_str() : "");
    SequenceNumber read = 0;
    while (const std::optional<Event> event = opened.reader->next()) {
        read = event->sequence;
    }
    QVERIFY2(!opened.reader->error(), opened.reader->error()->toString().c_str());
    QVERIFY(read > 0);
    opened.reader.reset();
    const ToolRun verify =
        runTool({QStringLiteral("journal"), QStringLiteral("verify"), journalPath()});
    QVERIFY2(verify.exitCode == 0, qPrintable(describe(verify)));

    const app::JournalRepair repair = app::repairJournal(journalPath().toStdString());
    QCOMPARE(repair.outcome, app::RepairOutcome::Failed);
    QVERIFY(repair.error);
    QCOMPARE(repair.error->step, app::RepairStep::Read);
    QVERIFY(repair.error->journalError);
    QCOMPARE(repair.error->journalError->kind, JournalErrorKind::InUse);

    QVERIFY2(sim.stop(), qPrintable(sim.errors()));
    QVERIFY2(!QFile::exists(lockPath()), "the sim left its lock file after a clean stop");
    const QStringList names = QDir(m_folder->path()).entryList(QDir::Files, QDir::Name);
    QCOMPARE(names, QStringList{QStringLiteral("day.journal")});
    JournalWriter::Created after = JournalWriter::create(journalPath().toStdString());
    QVERIFY2(after.writer, after.error ? after.error->toString().c_str() : "");
}

// The kernel releases an flock lock when its holder dies, so a writer killed by SIGKILL leaves
// its lock file but no lock, and the next writer opens the journal.
void TestJournalLock::killedWriterBlocksNobody()
{
    SimProcess sim(journalPath());
    QVERIFY2(sim.waitForAcknowledgement(), qPrintable(sim.errors()));
    QCOMPARE(JournalWriter::create(journalPath().toStdString()).error->kind,
             JournalErrorKind::InUse);

    QVERIFY(sim.killHard());
    QVERIFY2(QFile::exists(lockPath()), "a killed writer cannot remove its lock file");

    JournalWriter::Created next = JournalWriter::create(journalPath().toStdString());
    QVERIFY2(next.writer, next.error ? next.error->toString().c_str() : "");
    QVERIFY(next.writer->lastSequence() > 0);
    QVERIFY(!next.writer->close());
    QVERIFY2(!QFile::exists(lockPath()), "the next writer did not remove the stale lock file");
}

// A damaged journal that recover would rewrite stays byte for byte as it was while a writer
// has its lock, whether the repair runs in the writer's process or in `journal recover`.
void TestJournalLock::recoverWhileWriterRunsChangesNothing()
{
    QCOMPARE(writeJournal(journalPath()), SequenceNumber{7});
    QCOMPARE(damageChunk(journalPath(), 4), QString());

    JournalWriter::Created writer = JournalWriter::create(journalPath().toStdString());
    QVERIFY2(writer.writer, writer.error ? writer.error->toString().c_str() : "");
    const QMap<QString, QByteArray> before = folderContents(m_folder->path());

    const app::JournalRepair repair = app::repairJournal(journalPath().toStdString());
    QCOMPARE(repair.outcome, app::RepairOutcome::Failed);
    QCOMPARE(repair.error->step, app::RepairStep::Read);
    QCOMPARE(repair.error->journalError->kind, JournalErrorKind::InUse);
    QVERIFY(repair.damage.empty());
    QVERIFY(folderContents(m_folder->path()) == before);

    const ToolRun recover =
        runTool({QStringLiteral("journal"), QStringLiteral("recover"), journalPath()});
    QVERIFY2(recover.exitCode == 1, qPrintable(describe(recover)));
    QVERIFY2(recover.errors.contains(journalPath() + QStringLiteral(": the journal is in use: "
                                                                    "another process (pid %1)")
                                                         .arg(::getpid())),
             qPrintable(describe(recover)));
    QVERIFY2(recover.errors.contains(QStringLiteral("nothing was changed")),
             qPrintable(describe(recover)));
    QVERIFY(folderContents(m_folder->path()) == before);

    // Once the writer is gone, the same repair goes ahead, so the checks above could fail.
    QVERIFY(!writer.writer->close());
    const app::JournalRepair after = app::repairJournal(journalPath().toStdString());
    QCOMPARE(after.outcome, app::RepairOutcome::Repaired);
    // Event 4 is damaged, so nothing confirms event 3, and the chunk [1, 3] goes too.
    QCOMPARE(after.lastKept, SequenceNumber{0});
    QCOMPARE(QString::fromStdString(after.sideFile), journalPath() + QStringLiteral(".damaged"));
}

// rebuild stores a snapshot at the last event, which needs the writer lock: while a writer holds
// it, rebuild fails, naming the writer, and writes neither a snapshot nor the views file.
void TestJournalLock::rebuildWhileWriterRunsChangesNothing()
{
    QCOMPARE(writeJournal(journalPath()), SequenceNumber{7});
    JournalWriter::Created writer = JournalWriter::create(journalPath().toStdString());
    QVERIFY2(writer.writer, writer.error ? writer.error->toString().c_str() : "");
    const QMap<QString, QByteArray> before = folderContents(m_folder->path());

    const ToolRun rebuild =
        runTool({QStringLiteral("journal"), QStringLiteral("rebuild"), journalPath()});
    QVERIFY2(rebuild.exitCode == 1, qPrintable(describe(rebuild)));
    QVERIFY2(rebuild.errors.contains(QStringLiteral("bourse-engine journal rebuild: ") +
                                     journalPath() +
                                     QStringLiteral(": the journal is in use: another process "
                                                    "(pid %1)")
                                         .arg(::getpid())),
             qPrintable(describe(rebuild)));
    QVERIFY(folderContents(m_folder->path()) == before);

    QVERIFY(!writer.writer->close());
    const ToolRun after =
        runTool({QStringLiteral("journal"), QStringLiteral("rebuild"), journalPath()});
    QVERIFY2(after.exitCode == 0, qPrintable(describe(after)));
    QVERIFY2(after.output.contains(QStringLiteral("snapshot: stored at sequence 7")),
             qPrintable(describe(after)));
    QVERIFY2(!QFile::exists(lockPath()), "rebuild left the lock file");
}

QTEST_GUILESS_MAIN(TestJournalLock)
#include "tst_journal_lock.moc"

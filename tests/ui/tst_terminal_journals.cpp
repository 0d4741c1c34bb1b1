// Runs the bourse executable on the offscreen platform over the journals of earlier runs. It must
// continue the newest simulation journal and keep the read models beside it up to date. It must
// not continue a damaged journal unless the journal is recovered first.

#include "engine.h"
#include "journal.h"
#include "read_model_queries.h"
#include "read_models.h"
#include "terminal_process.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <optional>

namespace {

constexpr int timeoutMilliseconds = 60'000;

using Run = bourse::testing::TerminalRun;

// Runs the terminal for about a second and a half of simulated market, then it saves a
// screenshot and exits.
Run runTerminal(QStringList arguments, const QString &screenshot)
{
    arguments << QStringLiteral("-platform") << QStringLiteral("offscreen")
              << QStringLiteral("--screenshot") << screenshot << QStringLiteral("--after-ms")
              << QStringLiteral("1500");
    return bourse::testing::runTerminalProcess(
        arguments, bourse::testing::environmentWithoutLoggingRules(), timeoutMilliseconds);
}

QString describe(const Run &run)
{
    return QStringLiteral("exit %1%2, stderr: %3")
        .arg(run.exitCode)
        .arg(run.exitStatus == QProcess::CrashExit ? QStringLiteral(" (crashed)") : QString())
        .arg(run.error);
}

struct JournalContents {
    bourse::SequenceNumber lastSequence = 0;
    std::optional<bourse::storage::JournalError> error;
};

// Reads every event, which checks every checksum, the hash chain and that no sequence number
// is missing.
JournalContents readJournal(const QString &path)
{
    JournalContents contents;
    auto opened = bourse::storage::JournalReader::open(path.toStdString());
    if (!opened.reader) {
        contents.error = opened.error;
        return contents;
    }
    while (opened.reader->next()) {
    }
    contents.lastSequence = opened.reader->lastSequence();
    contents.error = opened.reader->error();
    return contents;
}

QStringList simulationJournals(const QString &directory)
{
    return QDir(directory).entryList({QStringLiteral("simulation-*.sqlite")}, QDir::Files,
                                     QDir::Name);
}

// Flips one bit in the middle of the body of the chunk that holds `sequence`, past its
// append-only guard, as a disk error would.
// The first sequence number of the journal's second chunk, or zero when it has one chunk.
bourse::SequenceNumber secondChunkStart(const QString &path)
{
    sqlite3 *database = nullptr;
    bourse::SequenceNumber first = 0;
    if (sqlite3_open_v2(path.toUtf8().constData(), &database, SQLITE_OPEN_READONLY, nullptr) ==
        SQLITE_OK) {
        sqlite3_stmt *select = nullptr;
        sqlite3_prepare_v2(database,
                           "SELECT first_sequence FROM chunks ORDER BY first_sequence LIMIT 1 "
                           "OFFSET 1",
                           -1, &select, nullptr);
        if (select != nullptr && sqlite3_step(select) == SQLITE_ROW)
            first = static_cast<bourse::SequenceNumber>(sqlite3_column_int64(select, 0));
        sqlite3_finalize(select);
    }
    sqlite3_close(database);
    return first;
}

bool damageChunk(const QString &path, bourse::SequenceNumber sequence)
{
    sqlite3 *database = nullptr;
    if (sqlite3_open(path.toUtf8().constData(), &database) != SQLITE_OK) {
        sqlite3_close(database);
        return false;
    }
    bool done = false;
    sqlite3_stmt *triggers = nullptr;
    QStringList names;
    sqlite3_prepare_v2(database, "SELECT name FROM sqlite_master WHERE type = 'trigger'", -1,
                       &triggers, nullptr);
    while (sqlite3_step(triggers) == SQLITE_ROW)
        names << QString::fromUtf8(
            reinterpret_cast<const char *>(sqlite3_column_text(triggers, 0)));
    sqlite3_finalize(triggers);
    for (const QString &name : names) {
        const QByteArray drop = "DROP TRIGGER \"" + name.toUtf8() + "\"";
        sqlite3_exec(database, drop.constData(), nullptr, nullptr, nullptr);
    }
    sqlite3_stmt *select = nullptr;
    sqlite3_prepare_v2(database,
                       "SELECT first_sequence, body FROM chunks WHERE first_sequence <= ?1 AND "
                       "last_sequence >= ?1",
                       -1, &select, nullptr);
    sqlite3_bind_int64(select, 1, static_cast<sqlite3_int64>(sequence));
    if (sqlite3_step(select) == SQLITE_ROW) {
        const sqlite3_int64 first = sqlite3_column_int64(select, 0);
        QByteArray body(static_cast<const char *>(sqlite3_column_blob(select, 1)),
                        sqlite3_column_bytes(select, 1));
        body[body.size() / 2] = static_cast<char>(body[body.size() / 2] ^ 0x40);
        sqlite3_stmt *update = nullptr;
        sqlite3_prepare_v2(database, "UPDATE chunks SET body = ?1 WHERE first_sequence = ?2", -1,
                           &update, nullptr);
        sqlite3_bind_blob(update, 1, body.constData(), static_cast<int>(body.size()),
                          SQLITE_TRANSIENT);
        sqlite3_bind_int64(update, 2, first);
        done = sqlite3_step(update) == SQLITE_DONE && sqlite3_changes(database) == 1;
        sqlite3_finalize(update);
    }
    sqlite3_finalize(select);
    sqlite3_close(database);
    return done;
}

// Changes the body of record 1 past the records table's append-only guard, so that it no longer
// matches its checksum.
bool damageRecord(const QString &path)
{
    sqlite3 *database = nullptr;
    if (sqlite3_open(path.toUtf8().constData(), &database) != SQLITE_OK) {
        sqlite3_close(database);
        return false;
    }
    const bool done = sqlite3_exec(database,
                                   "DROP TRIGGER records_no_update; UPDATE records SET body = "
                                   "CAST('training 1' AS BLOB) WHERE id = 1",
                                   nullptr, nullptr, nullptr) == SQLITE_OK &&
                      sqlite3_changes(database) == 1;
    sqlite3_close(database);
    return done;
}

QByteArray contentsOf(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TerminalJournalsTest : public QObject {
    Q_OBJECT

private slots:
    void init();
    void secondRunContinuesNewestJournal();
    void newOptionStartsAnotherJournal();
    void damagedJournalIsNamedAndLeftAlone();
    void damagedJournalRecoveredOnRequest();
    void missingNamedJournalFails();
    void emptyJournalStartsWorkingMarket();
    void replayJournalNotContinued();
    void journalInUseNotContinued();
    void terminationSignalStoresFinalSnapshot();
    void terminationSignalClosesDamageDialog();
    void damagedTrainingRecordIsReported();

private:
    QString firstRun();

    std::optional<QTemporaryDir> m_directory;
    QString m_journals;
};

void TerminalJournalsTest::init()
{
    m_directory.emplace();
    QVERIFY(m_directory->isValid());
    m_journals = m_directory->filePath(QStringLiteral("journals"));
}

// A first run with a seed, which always starts a new market; returns its journal.
QString TerminalJournalsTest::firstRun()
{
    const Run run = runTerminal({QStringLiteral("--journal-dir"), m_journals,
                                 QStringLiteral("--seed"), QStringLiteral("5")},
                                m_directory->filePath(QStringLiteral("first.png")));
    if (run.exitStatus != QProcess::NormalExit || run.exitCode != 0) {
        qWarning("%s", qPrintable(describe(run)));
        return {};
    }
    const QStringList journals = simulationJournals(m_journals);
    return journals.size() == 1 ? QDir(m_journals).filePath(journals.constFirst()) : QString();
}

// The second run continues the first one's journal: the same file grows, every event of both
// runs is intact and in sequence, and the read models beside it end at the journal's end.
void TerminalJournalsTest::secondRunContinuesNewestJournal()
{
    const QString journal = firstRun();
    QVERIFY(!journal.isEmpty());
    const JournalContents first = readJournal(journal);
    QVERIFY2(!first.error, first.error ? first.error->toString().c_str() : "");
    QVERIFY(first.lastSequence > 100);

    const Run run = runTerminal({QStringLiteral("--journal-dir"), m_journals},
                                m_directory->filePath(QStringLiteral("second.png")));
    QVERIFY2(run.exitStatus == QProcess::NormalExit && run.exitCode == 0,
             qPrintable(describe(run)));
    QCOMPARE(simulationJournals(m_journals).size(), qsizetype{1});
    const JournalContents second = readJournal(journal);
    QVERIFY2(!second.error, second.error ? second.error->toString().c_str() : "");
    QVERIFY2(
        second.lastSequence > first.lastSequence + 100,
        qPrintable(QStringLiteral("%1 then %2").arg(first.lastSequence).arg(second.lastSequence)));

    auto views = bourse::storage::ReadModelReader::open(
        bourse::storage::viewsPathFor(journal.toStdString()));
    QVERIFY2(views.reader, views.error ? views.error->toString().c_str() : "");
    std::optional<bourse::storage::ReadModelError> error;
    QCOMPARE(views.reader->lastSequence(error), second.lastSequence);
    QVERIFY(!error);
    QVERIFY(!views.reader->fills(10, error).empty());
}

void TerminalJournalsTest::newOptionStartsAnotherJournal()
{
    QVERIFY(!firstRun().isEmpty());
    const Run run =
        runTerminal({QStringLiteral("--journal-dir"), m_journals, QStringLiteral("--new")},
                    m_directory->filePath(QStringLiteral("second.png")));
    QVERIFY2(run.exitStatus == QProcess::NormalExit && run.exitCode == 0,
             qPrintable(describe(run)));
    QCOMPARE(simulationJournals(m_journals).size(), qsizetype{2});
}

// Without --recover the terminal shows a dialog. The screenshot ends the run while the dialog is
// open, which leaves the journal as it was.
void TerminalJournalsTest::damagedJournalIsNamedAndLeftAlone()
{
    const QString journal = firstRun();
    QVERIFY(!journal.isEmpty());
    QVERIFY(damageChunk(journal, 50));
    const QByteArray damaged = contentsOf(journal);

    const Run run = runTerminal({QStringLiteral("--journal-dir"), m_journals},
                                m_directory->filePath(QStringLiteral("second.png")));
    QVERIFY2(run.exitStatus == QProcess::NormalExit && run.exitCode == 0,
             qPrintable(describe(run)));
    QVERIFY2(run.error.contains(QStringLiteral("is damaged")), qPrintable(describe(run)));
    QVERIFY2(run.error.contains(journal), qPrintable(describe(run)));
    QVERIFY2(run.error.contains(QStringLiteral("sequence ")), qPrintable(describe(run)));
    QCOMPARE(contentsOf(journal), damaged);
    QVERIFY(!QFile::exists(journal + QStringLiteral(".damaged")));
}

// With --recover the damaged journal keeps its events before the damage, the original goes
// beside it byte for byte, and the market continues into the recovered journal.
void TerminalJournalsTest::damagedJournalRecoveredOnRequest()
{
    const QString journal = firstRun();
    QVERIFY(!journal.isEmpty());
    // In the second chunk: the first contains the set-up of the market and the orders that prime
    // its books, whose size depends on how many instruments a new market has.
    const bourse::SequenceNumber damagedSequence = secondChunkStart(journal);
    QVERIFY2(damagedSequence > 1, "the first run wrote a single chunk");
    QVERIFY(damageChunk(journal, damagedSequence));
    const QByteArray damaged = contentsOf(journal);

    const Run run = runTerminal({QStringLiteral("--journal"), journal, QStringLiteral("--recover")},
                                m_directory->filePath(QStringLiteral("second.png")));
    QVERIFY2(run.exitStatus == QProcess::NormalExit && run.exitCode == 0,
             qPrintable(describe(run)));
    QVERIFY2(run.error.contains(QStringLiteral("recovered")), qPrintable(describe(run)));
    QCOMPARE(contentsOf(journal + QStringLiteral(".damaged")), damaged);

    // The kept events end before the damaged chunk, and the new run's events follow them.
    const QRegularExpression keptLine(QStringLiteral("keeping events 1 to (\\d+)"));
    const QRegularExpressionMatch kept = keptLine.match(run.error);
    QVERIFY2(kept.hasMatch(), qPrintable(describe(run)));
    const bourse::SequenceNumber lastKept = kept.captured(1).toULongLong();
    QVERIFY(lastKept > 0);
    QVERIFY(lastKept < damagedSequence);
    const JournalContents recovered = readJournal(journal);
    QVERIFY2(!recovered.error, recovered.error ? recovered.error->toString().c_str() : "");
    QVERIFY(recovered.lastSequence > lastKept + 100);
}

void TerminalJournalsTest::missingNamedJournalFails()
{
    const QString missing = m_directory->filePath(QStringLiteral("missing.sqlite"));
    const Run run = runTerminal({QStringLiteral("--journal"), missing},
                                m_directory->filePath(QStringLiteral("shot.png")));
    QVERIFY2(run.exitStatus == QProcess::NormalExit && run.exitCode == 1,
             qPrintable(describe(run)));
    QVERIFY2(run.error.contains(QStringLiteral("cannot continue ") + missing),
             qPrintable(describe(run)));
    QVERIFY(!QFile::exists(missing));
}

// A journal with no events, as a kill right after the start leaves, continues as a new market
// would start: its orders trade instead of being rejected for an unknown instrument.
void TerminalJournalsTest::emptyJournalStartsWorkingMarket()
{
    const QString journal = m_directory->filePath(QStringLiteral("empty.sqlite"));
    {
        auto created = bourse::storage::JournalWriter::create(journal.toStdString());
        QVERIFY2(created.writer, created.error ? created.error->toString().c_str() : "");
        QVERIFY(!created.writer->close());
    }
    const Run run = runTerminal({QStringLiteral("--journal"), journal},
                                m_directory->filePath(QStringLiteral("shot.png")));
    QVERIFY2(run.exitStatus == QProcess::NormalExit && run.exitCode == 0,
             qPrintable(describe(run)));
    const JournalContents contents = readJournal(journal);
    QVERIFY2(!contents.error, contents.error ? contents.error->toString().c_str() : "");
    QVERIFY(contents.lastSequence > 100);

    auto views = bourse::storage::ReadModelReader::open(
        bourse::storage::viewsPathFor(journal.toStdString()));
    QVERIFY2(views.reader, views.error ? views.error->toString().c_str() : "");
    std::optional<bourse::storage::ReadModelError> error;
    QVERIFY(!views.reader->fills(10, error).empty());
    // A working market trades and keeps orders resting in its books. How many orders finish
    // in the run depends on the machine's speed, so only the resting ones are counted.
    QVERIFY(!views.reader->workingOrders(10, error).empty());
    QVERIFY(!error);
}

// The book of a replayed day comes from exchange messages: it is replayed again, not continued
// as a simulated market.
void TerminalJournalsTest::replayJournalNotContinued()
{
    const QString journal = m_directory->filePath(QStringLiteral("day.sqlite"));
    {
        auto created = bourse::storage::JournalWriter::create(journal.toStdString());
        QVERIFY(created.writer);
        bourse::Engine engine(bourse::InstrumentId{1});
        engine.addHandler(created.writer.get());
        QCOMPARE(engine.applyAdd(bourse::OrderId{7}, bourse::Side::Buy, bourse::Price{5000},
                                 bourse::Quantity{10}, bourse::Timestamp{1}),
                 bourse::ApplyResult::Applied);
        engine.endBatch();
        QVERIFY(!created.writer->close());
    }
    const QByteArray before = contentsOf(journal);
    const Run run = runTerminal({QStringLiteral("--journal"), journal},
                                m_directory->filePath(QStringLiteral("shot.png")));
    QVERIFY2(run.exitStatus == QProcess::NormalExit && run.exitCode == 1,
             qPrintable(describe(run)));
    QVERIFY2(run.error.contains(QStringLiteral("replayed day")), qPrintable(describe(run)));
    QCOMPARE(contentsOf(journal), before);
}

void TerminalJournalsTest::journalInUseNotContinued()
{
    const QString journal = firstRun();
    QVERIFY(!journal.isEmpty());
    const QByteArray before = contentsOf(journal);
    auto lock = bourse::storage::JournalWriterLock::acquire(journal.toStdString());
    QVERIFY2(lock.lock, lock.error ? lock.error->toString().c_str() : "");

    const Run named = runTerminal({QStringLiteral("--journal"), journal},
                                  m_directory->filePath(QStringLiteral("named.png")));
    QVERIFY2(named.exitStatus == QProcess::NormalExit && named.exitCode == 1,
             qPrintable(describe(named)));
    QVERIFY2(named.error.contains(QStringLiteral("in use")), qPrintable(describe(named)));

    // The newest journal of the folder gives way to a new market in a new file.
    const Run newest = runTerminal({QStringLiteral("--journal-dir"), m_journals},
                                   m_directory->filePath(QStringLiteral("newest.png")));
    QVERIFY2(newest.exitStatus == QProcess::NormalExit && newest.exitCode == 0,
             qPrintable(describe(newest)));
    QVERIFY2(newest.error.contains(QStringLiteral("in use")), qPrintable(describe(newest)));
    QCOMPARE(simulationJournals(m_journals).size(), qsizetype{2});
    QCOMPARE(contentsOf(journal), before);
}

// SIGTERM ends the terminal as closing its window does: the journal stores a snapshot at its
// last event and releases its lock.
void TerminalJournalsTest::terminationSignalStoresFinalSnapshot()
{
    QProcess process;
    process.start(QStringLiteral(BOURSE_TERMINAL_PATH),
                  {QStringLiteral("-platform"), QStringLiteral("offscreen"),
                   QStringLiteral("--journal-dir"), m_journals, QStringLiteral("--seed"),
                   QStringLiteral("9")});
    QVERIFY(process.waitForStarted());
    QTest::qWait(2000);
    process.terminate();
    QVERIFY(process.waitForFinished(timeoutMilliseconds));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);

    const QStringList journals = simulationJournals(m_journals);
    QCOMPARE(journals.size(), qsizetype{1});
    const QString journal = QDir(m_journals).filePath(journals.constFirst());
    QVERIFY(!QFile::exists(journal + QStringLiteral("-lock")));
    const JournalContents contents = readJournal(journal);
    QVERIFY2(!contents.error, contents.error ? contents.error->toString().c_str() : "");
    QVERIFY(contents.lastSequence > 100);
    auto opened = bourse::storage::JournalReader::open(journal.toStdString());
    QVERIFY(opened.reader);
    std::optional<bourse::storage::JournalError> error;
    const auto snapshots = opened.reader->snapshots(error);
    QVERIFY(!error);
    QVERIFY(!snapshots.empty());
    QCOMPARE(snapshots.front().sequence, contents.lastSequence); // newest first
}

// SIGTERM while the dialog about a damaged journal waits for a choice ends the terminal as the
// dialog's Quit would, and leaves the journal as it was. QCoreApplication::quit() alone does
// nothing before the main event loop runs.
void TerminalJournalsTest::terminationSignalClosesDamageDialog()
{
    const QString journal = firstRun();
    QVERIFY(!journal.isEmpty());
    QVERIFY(damageChunk(journal, 50));
    const QByteArray damaged = contentsOf(journal);

    QProcess process;
    process.start(QStringLiteral(BOURSE_TERMINAL_PATH),
                  {QStringLiteral("-platform"), QStringLiteral("offscreen"),
                   QStringLiteral("--journal-dir"), m_journals});
    QVERIFY(process.waitForStarted());
    QTest::qWait(3000);
    QCOMPARE(process.state(), QProcess::Running);
    process.terminate();
    QVERIFY2(process.waitForFinished(10'000), "the terminal outlived SIGTERM");
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);
    QVERIFY(QString::fromLocal8Bit(process.readAllStandardError())
                .contains(QStringLiteral("is damaged")));
    QCOMPARE(contentsOf(journal), damaged);
}

// A training journal whose record is damaged is damage like a broken event: the terminal names
// the record and shows the damage dialog instead of continuing as a plain simulation.
void TerminalJournalsTest::damagedTrainingRecordIsReported()
{
    const QString scenario = m_directory->filePath(QStringLiteral("halt.scenario"));
    QFile file(scenario);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("market seed 67 start 14:30:00 length 20min\n"
               "instrument ACME tick 0.01 lot 1 price 50.00 arrivals 200 makers 3 quote 50\n"
               "at 14:30:01 halt ACME\n");
    file.close();
    const Run first = runTerminal(
        {QStringLiteral("--journal-dir"), m_journals, QStringLiteral("--scenario"), scenario},
        m_directory->filePath(QStringLiteral("first.png")));
    QVERIFY2(first.exitStatus == QProcess::NormalExit && first.exitCode == 0,
             qPrintable(describe(first)));
    const QStringList journals = simulationJournals(m_journals);
    QCOMPARE(journals.size(), qsizetype{1});
    const QString journal = QDir(m_journals).filePath(journals.constFirst());
    QVERIFY(damageRecord(journal));
    const QByteArray damaged = contentsOf(journal);

    const Run run = runTerminal({QStringLiteral("--journal-dir"), m_journals},
                                m_directory->filePath(QStringLiteral("second.png")));
    QVERIFY2(run.exitStatus == QProcess::NormalExit && run.exitCode == 0,
             qPrintable(describe(run)));
    QVERIFY2(run.error.contains(QStringLiteral("is damaged")), qPrintable(describe(run)));
    QVERIFY2(run.error.contains(QStringLiteral("record 1 (training, after sequence ")),
             qPrintable(describe(run)));
    QVERIFY2(!run.error.contains(QStringLiteral("plain simulation")), qPrintable(describe(run)));
    QCOMPARE(contentsOf(journal), damaged);
}

QTEST_MAIN(TerminalJournalsTest)
#include "tst_terminal_journals.moc"

// Crash safety of the journal: `bourse-engine sim` is killed with SIGKILL at moments drawn
// from a seeded generator, restarted each time, and the journal must keep every event the
// process had acknowledged, without a gap, verify, and rebuild the same state from its
// snapshots as from a full replay.

#include "engine_recovery.h"
#include "journal.h"

#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <optional>

using namespace bourse;
using namespace bourse::storage;

namespace {

constexpr int kKills = 20;

// The highest `acknowledged N` line in the output so far.
SequenceNumber highestAcknowledged(const QByteArray &output)
{
    static const QRegularExpression line(QStringLiteral("^acknowledged (\\d+)$"),
                                         QRegularExpression::MultilineOption);
    SequenceNumber highest = 0;
    QRegularExpressionMatchIterator matches = line.globalMatch(QString::fromUtf8(output));
    while (matches.hasNext())
        highest = std::max<SequenceNumber>(highest, matches.next().captured(1).toULongLong());
    return highest;
}

struct JournalContents {
    SequenceNumber lastSequence = 0;
    std::optional<JournalError> error;
    std::uint64_t replayedHash = 0;
};

// Reads every event, which checks sequence numbers, checksums and the chain, and restores them
// into a fresh engine.
JournalContents readJournal(const QString &path)
{
    JournalContents contents;
    JournalReader::Opened opened = JournalReader::open(path.toStdString());
    if (!opened.reader) {
        contents.error = opened.error;
        return contents;
    }
    Engine engine;
    while (std::optional<Event> event = opened.reader->next()) {
        if (engine.restore(*event) != RestoreResult::Restored) {
            contents.error = JournalError{JournalErrorKind::UndecodablePayload, path.toStdString(),
                                          event->sequence, "the engine cannot restore it"};
            return contents;
        }
    }
    contents.error = opened.reader->error();
    contents.lastSequence = opened.reader->lastSequence();
    contents.replayedHash = engine.stateHash();
    return contents;
}

} // namespace

class TestCrashRecovery : public QObject {
    Q_OBJECT

private slots:
    void killedSimulationKeepsAcknowledgedEvents();
};

void TestCrashRecovery::killedSimulationKeepsAcknowledgedEvents()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QString journal = folder.filePath(QStringLiteral("sim.sqlite"));
    QRandomGenerator moments(20261204);

    SequenceNumber acknowledged = 0;
    for (int round = 1; round <= kKills; ++round) {
        QProcess sim;
        sim.start(QStringLiteral(BOURSE_ENGINE_EXECUTABLE),
                  {QStringLiteral("sim"), QStringLiteral("--journal"), journal,
                   QStringLiteral("--seed"), QString::number(round), QStringLiteral("--rate"),
                   QStringLiteral("200000"), QStringLiteral("--snapshot-every"),
                   QStringLiteral("20000")});
        QVERIFY2(sim.waitForStarted(10'000), qPrintable(sim.errorString()));

        // Let it acknowledge something first, then kill it at a moment up to 300 ms later.
        QByteArray output;
        QDeadlineTimer deadline(30'000);
        while (highestAcknowledged(output) <= acknowledged && !deadline.hasExpired() &&
               sim.state() == QProcess::Running) {
            sim.waitForReadyRead(100);
            output += sim.readAllStandardOutput();
        }
        QVERIFY2(highestAcknowledged(output) > acknowledged,
                 qPrintable(QStringLiteral("round %1 acknowledged nothing new: %2 %3")
                                .arg(round)
                                .arg(QString::fromUtf8(output))
                                .arg(QString::fromUtf8(sim.readAllStandardError()))));
        QTest::qWait(static_cast<int>(moments.bounded(300)));
        ::kill(static_cast<pid_t>(sim.processId()), SIGKILL);
        QVERIFY(sim.waitForFinished(10'000));
        output += sim.readAllStandardOutput();
        acknowledged = highestAcknowledged(output);

        const JournalContents contents = readJournal(journal);
        QVERIFY2(!contents.error, contents.error ? contents.error->toString().c_str() : "");
        QVERIFY2(contents.lastSequence >= acknowledged,
                 qPrintable(QStringLiteral("round %1: acknowledged %2 but the journal ends at %3")
                                .arg(round)
                                .arg(acknowledged)
                                .arg(contents.lastSequence)));
        acknowledged = contents.lastSequence;
    }

    QProcess verify;
    verify.start(QStringLiteral(BOURSE_ENGINE_EXECUTABLE),
                 {QStringLiteral("journal"), QStringLiteral("verify"), journal});
    QVERIFY(verify.waitForFinished(60'000));
    QCOMPARE(verify.exitCode(), 0);

    const JournalContents contents = readJournal(journal);
    QVERIFY2(!contents.error, contents.error ? contents.error->toString().c_str() : "");
    const app::RecoveredEngine recovered = app::recoverEngine(journal.toStdString());
    QVERIFY2(recovered.engine, recovered.error ? recovered.error->toString().c_str() : "");
    QVERIFY(recovered.report.snapshotSequence > 0);
    QVERIFY(recovered.report.skippedSnapshots.empty());
    QCOMPARE(recovered.report.lastSequence, contents.lastSequence);
    QCOMPARE(recovered.report.stateHash, contents.replayedHash);
}

QTEST_GUILESS_MAIN(TestCrashRecovery)
#include "tst_crash_recovery.moc"

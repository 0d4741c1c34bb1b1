#include "sample_journal.h"
#include "terminal_process.h"

#include <QFile>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

constexpr int kTimeoutMilliseconds = 60'000;

using Run = bourse::testing::TerminalRun;

// Runs the terminal on a replay of `path` without a journal of its own; it saves a screenshot
// after a second and exits.
Run replayInTerminal(const QString &path, const QString &screenshot)
{
    const QStringList arguments = {QStringLiteral("--replay"),
                                   path,
                                   QStringLiteral("--no-journal"),
                                   QStringLiteral("-platform"),
                                   QStringLiteral("offscreen"),
                                   QStringLiteral("--screenshot"),
                                   screenshot,
                                   QStringLiteral("--after-ms"),
                                   QStringLiteral("1000")};
    return bourse::testing::runTerminalProcess(
        arguments, bourse::testing::environmentWithoutLoggingRules(), kTimeoutMilliseconds);
}

} // namespace

// The terminal's --replay recognises a Bourse journal by its content, whatever its name.
class JournalReplayTerminalTest : public QObject {
    Q_OBJECT

private slots:
    void journalReplayStartsAndShows();
    void sqliteFileOtherThanJournalFails();
};

void JournalReplayTerminalTest::journalReplayStartsAndShows()
{
    QTemporaryDir directory;
    const QString path = directory.filePath(QStringLiteral("recorded-session.db"));
    const auto written =
        bourse::replay::testing::writeSampleJournal(path.toStdString(), 5'000, 1'000);
    QVERIFY2(!written, written ? written->toString().c_str() : "");

    const QString screenshot = directory.filePath(QStringLiteral("journal.png"));
    const Run run = replayInTerminal(path, screenshot);
    QVERIFY2(run.exitStatus == QProcess::NormalExit, qPrintable(run.error));
    QCOMPARE(run.exitCode, 0);
    QVERIFY(!QImage(screenshot).isNull());
}

void JournalReplayTerminalTest::sqliteFileOtherThanJournalFails()
{
    QTemporaryDir directory;
    // An SQLite header without the journal's application id, followed by nothing useful.
    const QString path = directory.filePath(QStringLiteral("other.sqlite"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray("SQLite format 3\0", 16) + QByteArray(84, '\0'));
    file.close();

    const Run run = replayInTerminal(path, directory.filePath(QStringLiteral("other.png")));
    QVERIFY2(run.exitStatus == QProcess::NormalExit, qPrintable(run.error));
    QVERIFY2(run.exitCode != 0, qPrintable(run.error));
    QVERIFY2(run.error.contains(path), qPrintable(run.error));
}

QTEST_GUILESS_MAIN(JournalReplayTerminalTest)
#include "tst_journal_replay_terminal.moc"

#include "journal_feed.h"
#include "sample_journal.h"
#include "session_seek.h"
#include "terminal_process.h"

#include <QFile>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <limits>

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

// Writes a journal that opens the trader's accounts before it adds the five default
// instruments, as the agent market does, and returns the error that stopped it, if any.
std::optional<bourse::storage::JournalError> writeAccountsFirstJournal(const std::string &path)
{
    using namespace bourse;
    storage::JournalWriter::Created created = storage::JournalWriter::create(path, {});
    if (!created.writer)
        return created.error;
    Engine engine;
    app::JournaledRun run(std::move(created.writer), engine, 1'000);
    engine.addHandler(&run);
    const Timestamp time{replay::testing::kSampleJournalStart};
    for (const session::TraderAccount &account : session::traderAccounts())
        engine.openAccount(account.settings, account.openingBalance, time);
    for (const Session::SimulatedInstrument &instrument : session::defaultInstruments())
        engine.addInstrument(instrument.definition, time);
    return run.finish();
}

// The symbol of a definition, whose fixed-size field is padded with zeros.
std::string symbolOf(const bourse::InstrumentDefinition &definition)
{
    const auto &symbol = definition.symbol;
    return std::string(symbol.data(), std::find(symbol.begin(), symbol.end(), '\0'));
}

// Bytes that are no text and no known format, the same on every run.
QByteArray noise()
{
    QByteArray bytes;
    for (int index = 0; index < 512; ++index)
        bytes.append(static_cast<char>((index * 37 + 11) % 256));
    return bytes;
}

} // namespace

// The terminal's --replay recognises a Bourse journal by its content, whatever its name.
class JournalReplayTerminalTest : public QObject {
    Q_OBJECT

private slots:
    void journalReplayStartsAndShows();
    void sqliteFileOtherThanJournalFails();
    void accountsFirstJournalHasNoSingleBook();
    void accountsFirstJournalViewShowsDefinitions();
    void unknownFormatNamesFormatsTried_data();
    void unknownFormatNamesFormatsTried();
    void endScanReportsOpenError();
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

// A journal of the agent market opens the trader's accounts before it defines its instruments.
// It replays into an engine with only those instruments, with no book named after the file.
void JournalReplayTerminalTest::accountsFirstJournalHasNoSingleBook()
{
    QTemporaryDir directory;
    const std::string path = directory.filePath(QStringLiteral("jr.sqlite")).toStdString();
    const auto written = writeAccountsFirstJournal(path);
    QVERIFY2(!written, written ? written->toString().c_str() : "");

    std::string error;
    const auto timeline = bourse::app::readJournalTimeline(path, error);
    QVERIFY2(timeline, error.c_str());
    QVERIFY(!timeline->singleBook);

    bourse::Session::ReplaySource source;
    QVERIFY(!bourse::app::setUpJournalReplay(path, source));
    std::unique_ptr<bourse::Engine> engine;
    auto feed = source.openFeedAt(bourse::Timestamp{std::numeric_limits<std::int64_t>::min()},
                                  engine, error);
    QVERIFY2(feed, error.c_str());
    QVERIFY(engine->instruments().empty());
    while (feed->step() == bourse::ReplayFeed::Step::Applied) {
    }
    QVERIFY2(feed->error().empty(), feed->error().c_str());
    const auto instruments = engine->instruments();
    QCOMPARE(instruments.size(), bourse::session::defaultInstruments().size());
    for (const bourse::InstrumentId id : instruments)
        QVERIFY(engine->definition(id)->symbol[0] != '\0');
}

// The replay's views list the journal's five instruments and focus the first, BLUE, with no
// instrument named after the file ("jr").
void JournalReplayTerminalTest::accountsFirstJournalViewShowsDefinitions()
{
    QTemporaryDir directory;
    const std::string path = directory.filePath(QStringLiteral("jr.sqlite")).toStdString();
    const auto written = writeAccountsFirstJournal(path);
    QVERIFY2(!written, written ? written->toString().c_str() : "");
    bourse::Session::ReplaySource source;
    QVERIFY(!bourse::app::setUpJournalReplay(path, source));
    source.speed = 0.0;

    bourse::Session session;
    const std::optional<std::string> error = session.startReplay(source);
    QVERIFY2(!error, error ? error->c_str() : "");
    std::shared_ptr<const bourse::MarketView> view;
    QTRY_VERIFY((view = session.latestView()) &&
                view->replayState == bourse::ReplayState::Finished);

    const auto &defined = bourse::session::defaultInstruments();
    QCOMPARE(view->instruments.size(), defined.size());
    for (std::size_t index = 0; index < defined.size(); ++index)
        QCOMPARE(view->instruments[index].symbol, symbolOf(defined[index].definition));
    QCOMPARE(view->instrument, defined.front().definition.id);
    QCOMPARE(view->symbol, symbolOf(defined.front().definition));
}

void JournalReplayTerminalTest::unknownFormatNamesFormatsTried_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("reason");

    const QString tried = QStringLiteral("not a Bourse journal, LOBSTER message file");
    QTest::newRow("SQLite, not a journal")
        << QStringLiteral("other.sqlite") << QByteArray("SQLite format 3\0", 16) + QByteArray(84, 0)
        << QStringLiteral("an SQLite database, but not a Bourse journal");
    QTest::newRow("noise named .sqlite") << QStringLiteral("noise.sqlite") << noise() << tried;
    QTest::newRow("noise named .data") << QStringLiteral("noise.data") << noise() << tried;
    QTest::newRow("noise named .csv") << QStringLiteral("noise.csv") << noise() << tried;
    QTest::newRow("bars without timestamp")
        << QStringLiteral("bars.csv")
        << QByteArray("time,open,high,low,close,volume\n1700000000,1,2,0.5,1.5,10\n")
        << QStringLiteral("looks like OHLCV bars");
    QTest::newRow("empty file") << QStringLiteral("empty.csv") << QByteArray()
                                << QStringLiteral("the file is empty");
}

void JournalReplayTerminalTest::unknownFormatNamesFormatsTried()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, content);
    QFETCH(QString, reason);
    QTemporaryDir directory;
    const QString path = directory.filePath(name);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(content);
    file.close();

    const Run run = replayInTerminal(path, directory.filePath(QStringLiteral("shot.png")));
    QVERIFY2(run.exitStatus == QProcess::NormalExit, qPrintable(run.error));
    QVERIFY2(run.exitCode != 0, qPrintable(run.error));
    QVERIFY2(run.error.contains(path), qPrintable(run.error));
    QVERIFY2(run.error.contains(reason), qPrintable(run.error));
    QVERIFY2(!run.error.contains(QStringLiteral("comma-separated")), qPrintable(run.error));
    QVERIFY2(!run.error.contains(QStringLiteral("invalid time")), qPrintable(run.error));
}

// The scan for a replay's end reports a source it cannot open, so the slider can say why it
// stays off.
void JournalReplayTerminalTest::endScanReportsOpenError()
{
    QTemporaryDir directory;
    bourse::Session::ReplaySource source;
    source.messagePath =
        directory.filePath(QStringLiteral("GOOG_missing_message_10.csv")).toStdString();
    bourse::session::EndTimeScan scan(source);

    QTRY_VERIFY(scan.error().has_value());
    QVERIFY2(scan.error()->find("GOOG_missing_message_10.csv") != std::string::npos,
             scan.error()->c_str());
    QVERIFY(!scan.endTime());
}

QTEST_GUILESS_MAIN(JournalReplayTerminalTest)
#include "tst_journal_replay_terminal.moc"

#include "bybit_archive.h"
#include "depth_feed.h"
#include "journal.h"
#include "journal_feed.h"
#include "lobster_replay.h"
#include "read_model_queries.h"
#include "read_models.h"
#include "sample_journal.h"
#include "session.h"
#include "tape_feed.h"
#include "test_data.h"

#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace bourse;
using bourse::replay::testing::extractBybitDay;

namespace {

const QString kLobsterMessages =
    QStringLiteral("lobster/GOOG_2012-06-21_34200000_57600000_message_1.csv");
const QString kLobsterOrderbook =
    QStringLiteral("lobster/GOOG_2012-06-21_34200000_57600000_orderbook_1.csv");
const QString kBinanceSnapshot = QStringLiteral("crypto/binance-futures_BTCUSDT_depth-snap.csv");
const QString kTardisTrades = QStringLiteral("crypto/tardis_binance-futures_BTCUSDT_trades.csv");

constexpr std::size_t kLevels = 10;
constexpr std::int64_t kSecond = 1'000'000'000;

// The engine's state as a seek or a play left it.
struct EngineState {
    std::uint64_t hash = 0;
    SequenceNumber lastSequence = 0;
    std::vector<LevelSummary> bids;
    std::vector<LevelSummary> asks;
};

EngineState stateOf(const Engine &engine, InstrumentId instrument)
{
    EngineState state{engine.stateHash(), engine.lastSequence(), {}, {}};
    const OrderBook *book = engine.book(instrument);
    if (book == nullptr)
        return state;
    for (const Side side : {Side::Buy, Side::Sell}) {
        auto &levels = side == Side::Buy ? state.bids : state.asks;
        for (std::size_t index = 0; index < std::min(kLevels, book->levelCount(side)); ++index)
            levels.push_back(book->level(side, index));
    }
    return state;
}

// A feed on an engine of its own, as a reference replay plays it.
struct Played {
    std::unique_ptr<Engine> engine;
    std::unique_ptr<ReplayFeed> feed;
    std::size_t messages = 0;
};

using FeedOpener = std::function<Played()>;

// The recorded LOBSTER day as the session replays it.
Session::ReplaySource lobsterSource()
{
    Session::ReplaySource source;
    source.messagePath = marketDataPath(kLobsterMessages).toStdString();
    return source;
}

// The recorded LOBSTER day with its order-book file, on an engine for instrument 1.
FeedOpener lobsterOpener()
{
    return [] {
        Played played{std::make_unique<Engine>(InstrumentId{1}), nullptr, 0};
        std::string error;
        played.feed = lobster::openLobsterFeed({marketDataPath(kLobsterMessages).toStdString(),
                                                marketDataPath(kLobsterOrderbook).toStdString(), 0},
                                               *played.engine, error);
        return played;
    };
}

// A replay of an exchange's order-book stream as the terminal sets it up. It is named after the
// stream's file, which for a Binance pair is the snapshot file.
Session::ReplaySource depthReplaySource(const replay::DepthFeedSource &depthSource)
{
    Session::ReplaySource source;
    source.messagePath = depthSource.path;
    source.openFeed = [depthSource](Engine &engine, std::string &message) {
        return replay::openDepthFeed(depthSource, engine, message);
    };
    return source;
}

// The feed that `openFeed` opens, on an engine of its own, so that a reference play and the
// session read the source the same way.
FeedOpener openerFor(const Session::ReplayFeedOpener &openFeed)
{
    return [openFeed] {
        Played played{std::make_unique<Engine>(), nullptr, 0};
        std::string message;
        played.feed = openFeed(*played.engine, message);
        return played;
    };
}

// Plays a source from its start as the session plays it: every message up to the first one
// later than `target`.
Played playUntil(const FeedOpener &open, Timestamp target)
{
    Played played = open();
    for (;;) {
        const std::optional<Timestamp> next = played.feed->nextTime();
        if (next && *next > target)
            break;
        if (played.feed->step() != ReplayFeed::Step::Applied)
            break;
        ++played.messages;
    }
    return played;
}

Played playMessages(const FeedOpener &open, std::size_t messages)
{
    Played played = open();
    while (played.messages < messages && played.feed->step() == ReplayFeed::Step::Applied)
        ++played.messages;
    return played;
}

// The market times of a source's first and last messages.
std::pair<Timestamp, Timestamp> spanOf(const FeedOpener &open)
{
    Played played = open();
    const Timestamp first = played.feed->nextTime().value_or(Timestamp{0});
    Timestamp last = first;
    while (const std::optional<Timestamp> next = played.feed->nextTime()) {
        last = *next;
        if (played.feed->step() != ReplayFeed::Step::Applied)
            break;
    }
    return {first, last};
}

// The engine's state once every control sent before has run: the second query goes out after
// the first was answered, so after the loop turn that took the controls.
BookDepth settledDepth(Session &session, InstrumentId instrument)
{
    session.queryBook(instrument, kLevels).get();
    return session.queryBook(instrument, kLevels).get();
}

// The newest view once it shows the event `sequence`, or nullptr after 10 s.
std::shared_ptr<const MarketView> viewAt(Session &session, SequenceNumber sequence)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
        std::shared_ptr<const MarketView> view = session.latestView();
        if (view && view->lastSequence == sequence && view->replayState != ReplayState::Playing)
            return view;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return nullptr;
}

// Whether a view carries the replay's end time within 10 seconds.
bool waitForReplayEnd(const Session &session)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
        const std::shared_ptr<const MarketView> view = session.latestView();
        if (view && view->replayEnd.value() != 0)
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
}

// Starts a replay at a thousandth of market time, which applies its first message only, and
// pauses it.
void startPaused(Session &session, Session::ReplaySource source)
{
    source.speed = 0.001;
    const std::optional<std::string> error = session.startReplay(source);
    QVERIFY2(!error, error ? error->c_str() : "");
    session.pause();
}

// Flips a byte inside the first event of the chunk that contains `sequence`, so that its
// checksum no longer matches.
QString damageChunk(const std::string &path, SequenceNumber sequence)
{
    sqlite3 *database = nullptr;
    if (sqlite3_open(path.c_str(), &database) != SQLITE_OK)
        return QStringLiteral("cannot open %1").arg(QString::fromStdString(path));
    const std::string select = "SELECT first_sequence, body FROM chunks WHERE first_sequence <= " +
                               std::to_string(sequence) + " ORDER BY first_sequence DESC LIMIT 1";
    sqlite3_stmt *statement = nullptr;
    sqlite3_prepare_v2(database, select.c_str(), -1, &statement, nullptr);
    if (sqlite3_step(statement) != SQLITE_ROW) {
        sqlite3_finalize(statement);
        sqlite3_close(database);
        return QStringLiteral("no chunk holds sequence %1").arg(sequence);
    }
    const std::int64_t first = sqlite3_column_int64(statement, 0);
    const auto *bytes = static_cast<const char *>(sqlite3_column_blob(statement, 1));
    std::string body(bytes, static_cast<std::size_t>(sqlite3_column_bytes(statement, 1)));
    sqlite3_finalize(statement);
    // Byte 24 is in the first record's payload, after its 23 bytes of header.
    body[24] = static_cast<char>(body[24] ^ 0x5A);
    // The journal's triggers reject an UPDATE made by mistake; a deliberate edit drops them.
    sqlite3_exec(database, "DROP TRIGGER chunks_no_update", nullptr, nullptr, nullptr);
    const std::string update =
        "UPDATE chunks SET body = ?1 WHERE first_sequence = " + std::to_string(first);
    sqlite3_prepare_v2(database, update.c_str(), -1, &statement, nullptr);
    sqlite3_bind_blob(statement, 1, body.data(), static_cast<int>(body.size()), SQLITE_STATIC);
    const int result = sqlite3_step(statement);
    sqlite3_finalize(statement);
    sqlite3_close(database);
    return result == SQLITE_DONE ? QString() : QStringLiteral("the update failed");
}

// Restores a journal's events while their time is at most `target`, with JournalReader and
// Engine::restore alone, as recovery does.
EngineState restoreJournalUntil(const std::string &path, Timestamp target, InstrumentId focus)
{
    storage::JournalReader::Opened opened = storage::JournalReader::open(path);
    std::unique_ptr<Engine> engine = std::make_unique<Engine>();
    while (const std::optional<Event> event = opened.reader->next()) {
        if (event->time > target)
            break;
        if (engine->restore(*event) != RestoreResult::Restored)
            break;
    }
    return stateOf(*engine, focus);
}

// Compares the session's engine, as a book query returned it, with the expected state.
void compareDepth(const BookDepth &depth, const EngineState &expected)
{
    QCOMPARE(depth.lastSequence, expected.lastSequence);
    QCOMPARE(depth.stateHash, expected.hash);
    QCOMPARE(depth.bids, expected.bids);
    QCOMPARE(depth.asks, expected.asks);
}

} // namespace

class ReplaySeekTest : public QObject {
    Q_OBJECT

private slots:
    void lobsterSeekMatchesPlay();
    void lobsterStepAppliesOneMessage();
    void lobsterSeekBeyondEndsClamps();
    void bybitSeekMatchesPlay();
    void binanceSeekMatchesPlay();
    void tardisTapeSeekMatchesPlay();
    void journalSeekMatchesPlay();
    void journalReplayShowsTraderPositions();
    void damagedJournalStopsAtDamage();
    void simulationStepRunsOneCommand();

private:
    void compareSeeks(Session &session, const FeedOpener &open, InstrumentId focus,
                      const std::vector<Timestamp> &targets);
    void compareSeeksOverSpan(const Session::ReplaySource &source, const FeedOpener &open);
};

// Seeks to a quarter, three fifths, a tenth and the end of the source's span.
void ReplaySeekTest::compareSeeksOverSpan(const Session::ReplaySource &source,
                                          const FeedOpener &open)
{
    const auto [first, last] = spanOf(open);
    const std::int64_t span = last.value() - first.value();
    QVERIFY(span > 0);
    Session session;
    startPaused(session, source);
    compareSeeks(session, open, InstrumentId{1},
                 {Timestamp{first.value() + span / 4}, Timestamp{first.value() + span * 3 / 5},
                  Timestamp{first.value() + span / 10}, last});
}

// Seeks to each target in turn, forward and back, and compares the session's engine with a
// play of the source from its start up to the target.
void ReplaySeekTest::compareSeeks(Session &session, const FeedOpener &open, InstrumentId focus,
                                  const std::vector<Timestamp> &targets)
{
    for (const Timestamp target : targets) {
        session.seek(target);
        const BookDepth depth = settledDepth(session, focus);
        const Played played = playUntil(open, target);
        const EngineState expected = stateOf(*played.engine, focus);
        compareDepth(depth, expected);
        if (QTest::currentTestFailed())
            return;

        const std::shared_ptr<const MarketView> view = viewAt(session, depth.lastSequence);
        QVERIFY2(view, "no view shows the state after the seek");
        QCOMPARE(view->replayMessages, played.messages);
        const auto shown = static_cast<std::ptrdiff_t>(std::min(kLevels, view->bids.size()));
        const auto expectedShown =
            std::min(shown, static_cast<std::ptrdiff_t>(expected.bids.size()));
        QCOMPARE(std::vector<LevelSummary>(view->bids.begin(), view->bids.begin() + shown),
                 std::vector<LevelSummary>(expected.bids.begin(),
                                           expected.bids.begin() + expectedShown));
    }
}

void ReplaySeekTest::lobsterSeekMatchesPlay()
{
    BOURSE_REQUIRE_DATA_FILE(marketDataPath(kLobsterMessages));
    const FeedOpener open = lobsterOpener();
    Session session;
    startPaused(session, lobsterSource());
    // LOBSTER times are nanoseconds after midnight: 10:00, 12:30, back to 9:45, then 15:00.
    compareSeeks(session, open, InstrumentId{1},
                 {Timestamp{36'000 * kSecond}, Timestamp{45'000 * kSecond},
                  Timestamp{35'100 * kSecond}, Timestamp{54'000 * kSecond}});
}

void ReplaySeekTest::lobsterStepAppliesOneMessage()
{
    BOURSE_REQUIRE_DATA_FILE(marketDataPath(kLobsterMessages));
    const FeedOpener open = lobsterOpener();
    Session session;
    startPaused(session, lobsterSource());
    const Timestamp target{40'000 * kSecond};
    session.seek(target);
    settledDepth(session, InstrumentId{1});
    const std::size_t before = playUntil(open, target).messages;
    for (std::size_t steps = 1; steps <= 3; ++steps) {
        session.step();
        const BookDepth depth = settledDepth(session, InstrumentId{1});
        const Played played = playMessages(open, before + steps);
        QCOMPARE(depth.stateHash, played.engine->stateHash());
        QCOMPARE(depth.lastSequence, played.engine->lastSequence());
        const std::shared_ptr<const MarketView> view = viewAt(session, depth.lastSequence);
        QVERIFY(view);
        QCOMPARE(view->replayMessages, before + steps);
        QCOMPARE(view->replayState, ReplayState::Paused);
    }
}

void ReplaySeekTest::lobsterSeekBeyondEndsClamps()
{
    BOURSE_REQUIRE_DATA_FILE(marketDataPath(kLobsterMessages));
    const FeedOpener open = lobsterOpener();
    Session session;
    startPaused(session, lobsterSource());
    // 18:00, after the 16:00 close: the state at the end, and the replay finished.
    session.seek(Timestamp{64'800 * kSecond});
    BookDepth depth = settledDepth(session, InstrumentId{1});
    const Played all = playUntil(open, Timestamp{std::numeric_limits<std::int64_t>::max()});
    QCOMPARE(depth.stateHash, all.engine->stateHash());
    std::shared_ptr<const MarketView> view = viewAt(session, depth.lastSequence);
    QVERIFY(view);
    QCOMPARE(view->replayState, ReplayState::Finished);
    QCOMPARE(view->replayMessages, all.messages);
    // The end of the file comes from a scan on another thread, which a loaded machine may
    // finish after the seek's view: a later view carries it.
    QVERIFY(waitForReplayEnd(session));
    QCOMPARE(session.latestView()->replayEnd, spanOf(open).second);

    // 08:00, before the 09:30 open: no message applied, and the replay paused again.
    session.seek(Timestamp{28'800 * kSecond});
    depth = settledDepth(session, InstrumentId{1});
    const Played none = open();
    QCOMPARE(depth.stateHash, none.engine->stateHash());
    QCOMPARE(depth.lastSequence, SequenceNumber{0});
    view = viewAt(session, 0);
    QVERIFY(view);
    QCOMPARE(view->replayState, ReplayState::Paused);
    QCOMPARE(view->replayMessages, std::size_t{0});
}

void ReplaySeekTest::bybitSeekMatchesPlay()
{
    QTemporaryDir directory;
    QString problem;
    const QString path = extractBybitDay(directory, problem);
    if (path.isEmpty())
        QSKIP(qPrintable(problem));
    std::string error;
    const std::optional<replay::DepthFeedSource> depthSource =
        replay::depthFeedSourceFor(path.toStdString(), error);
    QVERIFY2(depthSource, error.c_str());

    const Session::ReplaySource source = depthReplaySource(*depthSource);
    compareSeeksOverSpan(source, openerFor(source.openFeed));
}

void ReplaySeekTest::binanceSeekMatchesPlay()
{
    BOURSE_REQUIRE_DATA_FILE(marketDataPath(kBinanceSnapshot));
    std::string error;
    const std::optional<replay::DepthFeedSource> depthSource =
        replay::depthFeedSourceFor(marketDataPath(kBinanceSnapshot).toStdString(), error);
    QVERIFY2(depthSource, error.c_str());
    const Session::ReplaySource source = depthReplaySource(*depthSource);
    compareSeeksOverSpan(source, openerFor(source.openFeed));
}

void ReplaySeekTest::tardisTapeSeekMatchesPlay()
{
    BOURSE_REQUIRE_DATA_FILE(marketDataPath(kTardisTrades));
    const std::optional<replay::TapeFeedSource> tape =
        replay::tapeFeedSourceFor(marketDataPath(kTardisTrades).toStdString());
    QVERIFY(tape);
    QVERIFY(!tape->quotesPath.empty());
    Session::ReplaySource source;
    source.messagePath = tape->tradesPath;
    source.openFeed = [tape](Engine &engine, std::string &message) {
        return replay::openTapeFeed(*tape, engine, message);
    };
    compareSeeksOverSpan(source, openerFor(source.openFeed));
}

void ReplaySeekTest::journalSeekMatchesPlay()
{
    QTemporaryDir directory;
    const std::string path = directory.filePath(QStringLiteral("market.sqlite")).toStdString();
    const std::optional<storage::JournalError> written =
        replay::testing::writeSampleJournal(path, 30'000, 4'000);
    QVERIFY2(!written, written ? written->toString().c_str() : "");

    Session::ReplaySource source;
    const std::optional<std::string> problem = app::setUpJournalReplay(path, source);
    QVERIFY2(!problem, problem ? problem->c_str() : "");

    Session session;
    startPaused(session, source);
    const std::int64_t start = replay::testing::kSampleJournalStart;
    // Forward within the first snapshot interval, a jump through a snapshot, back, and on.
    const std::vector<Timestamp> targets = {
        Timestamp{start + 500 * replay::testing::kSampleJournalStep},
        Timestamp{start + 5'000 * replay::testing::kSampleJournalStep},
        Timestamp{start + 1'200 * replay::testing::kSampleJournalStep},
        Timestamp{start + 5'001 * replay::testing::kSampleJournalStep}};
    for (const Timestamp target : targets) {
        session.seek(target);
        const BookDepth depth = settledDepth(session, InstrumentId{1});
        const EngineState expected = restoreJournalUntil(path, target, InstrumentId{1});
        QVERIFY(expected.lastSequence > 0);
        compareDepth(depth, expected);
        if (QTest::currentTestFailed())
            return;
        const std::shared_ptr<const MarketView> view = viewAt(session, depth.lastSequence);
        QVERIFY2(view, "no view shows the state after the seek");
        QCOMPARE(view->replayMessages, static_cast<std::size_t>(expected.lastSequence));
    }
}

void ReplaySeekTest::journalReplayShowsTraderPositions()
{
    QTemporaryDir directory;
    const std::string path = directory.filePath(QStringLiteral("market.sqlite")).toStdString();
    const std::optional<storage::JournalError> written =
        replay::testing::writeSampleJournal(path, 20'000, 6'000, 25);
    QVERIFY2(!written, written ? written->toString().c_str() : "");

    const std::string views = storage::viewsPathFor(path);
    const storage::CatchUpResult caughtUp = storage::catchUpReadModels(path, views);
    QVERIFY(!caughtUp.error);
    storage::ReadModelReader::Opened reader = storage::ReadModelReader::open(views);
    QVERIFY(reader.reader);
    std::optional<storage::ReadModelError> error;
    const std::vector<storage::PositionRow> rows = reader.reader->positions(error);
    QVERIFY(!error);

    Session::ReplaySource source;
    const std::optional<std::string> problem = app::setUpJournalReplay(path, source);
    QVERIFY2(!problem, problem ? problem->c_str() : "");
    Session session;
    startPaused(session, source);
    // Before the first snapshot the replay steps from the start, and the trader's fills reach
    // the blotter as restored events.
    session.seek(Timestamp{replay::testing::kSampleJournalStart +
                           800 * replay::testing::kSampleJournalStep});
    const BookDepth early = settledDepth(session, InstrumentId{1});
    const std::shared_ptr<const MarketView> earlyView = viewAt(session, early.lastSequence);
    QVERIFY(earlyView);
    QVERIFY(!earlyView->trader.fills.empty());
    QCOMPARE(earlyView->trader.fills.front().account, Session::traderAccounts().front());

    session.seek(Timestamp{std::numeric_limits<std::int64_t>::max()});
    const BookDepth depth = settledDepth(session, InstrumentId{1});
    const std::shared_ptr<const MarketView> view = viewAt(session, depth.lastSequence);
    QVERIFY(view);
    QCOMPARE(view->replayState, ReplayState::Finished);

    const std::vector<AccountId> traders = Session::traderAccounts();
    std::size_t compared = 0;
    for (const storage::PositionRow &row : rows) {
        if (std::find(traders.begin(), traders.end(), row.account) == traders.end() ||
            row.quantity.value() == 0)
            continue;
        const auto shown = std::find_if(
            view->trader.positions.begin(), view->trader.positions.end(),
            [&row](const OwnPosition &position) {
                return position.account == row.account && position.instrument == row.instrument;
            });
        QVERIFY2(shown != view->trader.positions.end(), "a position of the journal is missing");
        QCOMPARE(shown->quantity, row.quantity);
        ++compared;
    }
    QVERIFY2(compared > 0, "the journal has no trader position to compare");
}

void ReplaySeekTest::damagedJournalStopsAtDamage()
{
    QTemporaryDir directory;
    const std::string path = directory.filePath(QStringLiteral("damaged.sqlite")).toStdString();
    const std::optional<storage::JournalError> written =
        replay::testing::writeSampleJournal(path, 12'000, 3'000);
    QVERIFY2(!written, written ? written->toString().c_str() : "");
    const QString damaged = damageChunk(path, 7'000);
    QVERIFY2(damaged.isEmpty(), qPrintable(damaged));

    // What the journal reader makes of it: the intact events, then the damage.
    SequenceNumber intact = 0;
    std::optional<storage::JournalError> damage;
    {
        storage::JournalReader::Opened opened = storage::JournalReader::open(path);
        QVERIFY(opened.reader);
        while (const std::optional<Event> event = opened.reader->next())
            intact = event->sequence;
        damage = opened.reader->error();
    }
    QVERIFY(damage);
    QVERIFY(intact > 3'000 && intact < 7'000);

    Session::ReplaySource source;
    const std::optional<std::string> problem = app::setUpJournalReplay(path, source);
    QVERIFY2(!problem, problem ? problem->c_str() : "");
    Session session;
    startPaused(session, source);
    session.seek(Timestamp{std::numeric_limits<std::int64_t>::max()});
    const BookDepth depth = settledDepth(session, InstrumentId{1});
    QCOMPARE(depth.lastSequence, intact);
    const std::shared_ptr<const MarketView> view = viewAt(session, intact);
    QVERIFY(view);
    QCOMPARE(view->replayState, ReplayState::Failed);
    QVERIFY2(view->error.find(path) != std::string::npos, view->error.c_str());
    const std::string sequence = "sequence " + std::to_string(damage->sequence);
    QVERIFY2(view->error.find(sequence) != std::string::npos, view->error.c_str());
}

void ReplaySeekTest::simulationStepRunsOneCommand()
{
    Session::Options options;
    options.flow = Session::Options::Flow::Synthetic;
    Session session(options);
    session.startSimulation(11);
    session.pause();
    const BookDepth paused = settledDepth(session, InstrumentId{});
    // A paused market stays where it is.
    QCOMPARE(settledDepth(session, InstrumentId{}).lastSequence, paused.lastSequence);

    session.step();
    const BookDepth stepped = settledDepth(session, InstrumentId{});
    QVERIFY(stepped.lastSequence > paused.lastSequence);
    QCOMPARE(settledDepth(session, InstrumentId{}).lastSequence, stepped.lastSequence);
    // A seek is for replays: a simulation ignores it.
    session.seek(Timestamp{0});
    QCOMPARE(settledDepth(session, InstrumentId{}).lastSequence, stepped.lastSequence);
}

QTEST_GUILESS_MAIN(ReplaySeekTest)
#include "tst_replay_seek.moc"

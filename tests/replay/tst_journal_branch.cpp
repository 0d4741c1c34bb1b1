// A session's Branch of a Bourse journal replay. The branch starts as the recorded trader and
// takes the trader's commands. It fills its copy of the recorded resting order by the queue
// model, and it never trades with the recorded trader's own orders in the replayed book.

#include "engine_printers.h"
#include "journal.h"
#include "journal_feed.h"
#include "journaled_run.h"
#include "session.h"
#include "session_market.h"

#include <QTemporaryDir>
#include <QTest>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

using namespace bourse;

namespace {

using ViewPointer = std::shared_ptr<const MarketView>;

constexpr std::int64_t kStart = 1'700'000'000'000'000'000; // 2023-11-14 22:13:20 UTC
constexpr std::int64_t kStep = 1'000'000;                  // 1 ms between commands

// The market times of the journal's commands, kStep apart after the market's set-up at kStart.
Timestamp commandTime(int command)
{
    return Timestamp{kStart + command * kStep};
}

// The sequence numbers a session shows as replayed messages after the sixth command, the branch
// moment, and after the last.
struct JournalMarks {
    SequenceNumber moment = 0;
    SequenceNumber end = 0;
};

NewOrder order(AccountId account, Side side, std::int64_t quantity, std::int64_t price,
               TimeInForce timeInForce = TimeInForce::Gtc)
{
    NewOrder placed;
    placed.account = account;
    placed.instrument = InstrumentId{1};
    placed.side = side;
    placed.quantity = Quantity{quantity};
    placed.limit = Price{price};
    placed.timeInForce = timeInForce;
    return placed;
}

// Writes a journal of the terminal's market, BRSA in cents, where orders without an account are
// the rest of the market. The trader's account 1 pays 2 bp for taking liquidity and 0.5 bp for
// adding it, rounded up to the cent and one cent at least. The commands:
//
//  1. the market offers 10 at $101.00;
//  2. the trader buys them (IOC): long 10 at $101.00, taker fee 2 bp of $1,010.00 = $0.21;
//  3. the market bids 30 at $100.90;
//  4. the market offers 30 at $101.20;
//  5. the trader offers 5 at $101.20, behind those 30;
//  6. the market offers 20 at $101.20, behind the trader (the branch moment);
//  7. the market buys 35 at $101.20 (IOC): the 30 ahead, then the trader's 5 as maker, fee
//     0.5 bp of $506.00 = $0.0253, $0.03, realizing 5 x $0.20 = $1.00;
//  8. the market sells 10 at $100.90 (IOC) into the bid, the last trade and mark.
std::optional<std::string> writeJournal(const std::string &path, JournalMarks &marks,
                                        std::uint64_t snapshotEvery = 1'000'000)
{
    storage::JournalWriter::Created created = storage::JournalWriter::create(path, {});
    if (!created.writer)
        return created.error->toString();
    Engine engine;
    app::JournaledRun run(std::move(created.writer), engine, snapshotEvery);
    engine.addHandler(&run);
    session::setUpMarket(engine, session::defaultInstruments(), Timestamp{kStart});

    const AccountId trader{1};
    const AccountId market{};
    engine.submit(order(market, Side::Sell, 10, 10'100), commandTime(1));
    engine.submit(order(trader, Side::Buy, 10, 10'100, TimeInForce::Ioc), commandTime(2));
    engine.submit(order(market, Side::Buy, 30, 10'090), commandTime(3));
    engine.submit(order(market, Side::Sell, 30, 10'120), commandTime(4));
    engine.submit(order(trader, Side::Sell, 5, 10'120), commandTime(5));
    engine.submit(order(market, Side::Sell, 20, 10'120), commandTime(6));
    marks.moment = engine.lastSequence();
    engine.submit(order(market, Side::Buy, 35, 10'120, TimeInForce::Ioc), commandTime(7));
    engine.submit(order(market, Side::Sell, 10, 10'090, TimeInForce::Ioc), commandTime(8));
    marks.end = engine.lastSequence();
    if (const std::optional<storage::JournalError> error = run.finish())
        return error->toString();
    return std::nullopt;
}

// Writes a journal like writeJournal()'s in which the recorded trader bids during a halt and the
// reopening auction fills that bid. The commands:
//
//  1. the market offers 10 at $101.00;
//  2. the market buys 2 of them (IOC): the last trade is $101.00;
//  3. the market bids 10 at $100.80;
//  4. the instrument halts;
//  5. the trader bids 5 at $101.10, which rests in the call phase;
//  6. the market bids 1 at $100.70 (the branch moment, still halted);
//  7. trading reopens: the auction crosses the trader's 5 with the offer's 8 at $101.00, the
//     price nearest the last trade of the equal-volume range $101.00 to $101.10. The trader
//     entered last, so it is the taker: fee 2 bp of $505.00 = $0.101, $0.11;
//  8. the market sells 1 at $100.80 (IOC) into the bid, the last trade and mark.
std::optional<std::string> writeHaltJournal(const std::string &path, JournalMarks &marks)
{
    storage::JournalWriter::Created created = storage::JournalWriter::create(path, {});
    if (!created.writer)
        return created.error->toString();
    Engine engine;
    app::JournaledRun run(std::move(created.writer), engine, 1'000'000);
    engine.addHandler(&run);
    session::setUpMarket(engine, session::defaultInstruments(), Timestamp{kStart});

    const AccountId trader{1};
    const AccountId market{};
    engine.submit(order(market, Side::Sell, 10, 10'100), commandTime(1));
    engine.submit(order(market, Side::Buy, 2, 10'100, TimeInForce::Ioc), commandTime(2));
    engine.submit(order(market, Side::Buy, 10, 10'080), commandTime(3));
    engine.setTradingStatus(InstrumentId{1}, TradingStatus::Halted, commandTime(4));
    engine.submit(order(trader, Side::Buy, 5, 10'110), commandTime(5));
    engine.submit(order(market, Side::Buy, 1, 10'070), commandTime(6));
    marks.moment = engine.lastSequence();
    engine.setTradingStatus(InstrumentId{1}, TradingStatus::Trading, commandTime(7));
    engine.submit(order(market, Side::Sell, 1, 10'080, TimeInForce::Ioc), commandTime(8));
    marks.end = engine.lastSequence();
    if (const std::optional<storage::JournalError> error = run.finish())
        return error->toString();
    return std::nullopt;
}

ViewPointer waitForView(const Session &session,
                        const std::function<bool(const MarketView &)> &predicate)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
        ViewPointer view = session.latestView();
        if (view && predicate(*view))
            return view;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return nullptr;
}

ViewPointer pausedAfter(const Session &session, SequenceNumber messages)
{
    return waitForView(session, [messages](const MarketView &view) {
        return view.replayMessages == messages && view.replayState != ReplayState::Playing;
    });
}

NewOrder traderOrder(Side side, std::int64_t quantity, std::int64_t price)
{
    NewOrder placed = order(AccountId{}, side, quantity, price, TimeInForce::Ioc);
    placed.instrument = InstrumentId{};
    return placed;
}

} // namespace

class JournalBranchTest : public QObject {
    Q_OBJECT

private slots:
    void init();
    void journalReplayTakesNoOrdersBeforeBranch();
    void branchStartsAsRecordedTrader();
    void branchClosesWhileRecordedTraderHolds();
    void branchTakesNoRecordedLiquidity();
    void secondBranchKeepsRecordedOriginal();
    void seekBeforeMomentEndsJournalBranch();
    void branchDuringHaltFillsAtReopening();
    void seekToShownMomentKeepsBranch();
    void seekFromSnapshotMarksAtLastTrade();

private:
    // Replays the journal to its end, seeks back to the sixth command and branches there.
    void startBranched(Session &session);

    QTemporaryDir m_directory;
    Session::ReplaySource m_source;
    JournalMarks m_marks;
};

void JournalBranchTest::init()
{
    const std::string path = m_directory.filePath(QStringLiteral("branch.journal")).toStdString();
    QFile::remove(QString::fromStdString(path));
    const std::optional<std::string> written = writeJournal(path, m_marks);
    QVERIFY2(!written, written ? written->c_str() : "");
    m_source = {};
    const std::optional<std::string> problem = app::setUpJournalReplay(path, m_source);
    QVERIFY2(!problem, problem ? problem->c_str() : "");
    m_source.speed = 0.0;
}

void JournalBranchTest::startBranched(Session &session)
{
    QVERIFY(!session.startReplay(m_source));
    QVERIFY(waitForView(
        session, [](const MarketView &view) { return view.replayState == ReplayState::Finished; }));
    session.seek(commandTime(6));
    const ViewPointer moment = pausedAfter(session, m_marks.moment);
    QVERIFY(moment);
    QVERIFY(!moment->takesOrders);
    QVERIFY(moment->branchUnavailable.empty());

    QVERIFY(session.branch());
    QVERIFY(waitForView(session, [](const MarketView &view) { return view.branch.has_value(); }));
}

void JournalBranchTest::journalReplayTakesNoOrdersBeforeBranch()
{
    Session session;
    QVERIFY(!session.startReplay(m_source));
    const ViewPointer view = waitForView(session, [](const MarketView &candidate) {
        return candidate.replayState == ReplayState::Finished;
    });
    QVERIFY(view);
    QVERIFY(!view->takesOrders);
    QVERIFY(!view->branch);
    QVERIFY(view->branchUnavailable.empty());
    QVERIFY(!session.submit(traderOrder(Side::Sell, 1, 10'090)));
}

// At the moment both columns are the recorded trader: long 10 at $101.00 marked at the last
// trade, $101.00, so no unrealized P&L, and the $0.21 fee: a total of -$0.21, one fill. The
// trader's view is the branch's, with the recorded offer of 5 at $101.20 working.
void JournalBranchTest::branchStartsAsRecordedTrader()
{
    Session session;
    startBranched(session);
    const ViewPointer start = session.latestView();
    QVERIFY(start && start->branch);
    const BranchComparison &moment = *start->branch;
    QCOMPARE(moment.moment, commandTime(6));
    QCOMPARE(moment.momentSequence, m_marks.moment);
    QCOMPARE(moment.mark, Price{10'100});
    for (const BranchSide &side : {moment.original, moment.branch}) {
        QCOMPARE(side.position, Quantity{10});
        QCOMPARE(side.realized, Money{0});
        QCOMPARE(side.unrealized, Money{0});
        QCOMPARE(side.fees, Money{21});
        QCOMPARE(side.total, Money{-21});
        QCOMPARE(side.fills, std::uint64_t{1});
    }
    QVERIFY(start->takesOrders);
    QCOMPARE(start->trader.workingOrders.size(), std::size_t{1});
    QCOMPARE(start->trader.workingOrders.front().limit, Price{10'120});
    QVERIFY(start->trader.workingOrders.front().branch);
    QCOMPARE(start->trader.positions.size(), std::size_t{1});
    QVERIFY(start->trader.positions.front().branch);
}

// The branch sells its 10 into the bid at $100.90: realized 10 x -$0.10 = -$1.00, taker fee
// 2 bp of $1,009.00 = $0.2018, $0.21. The journal plays on to its end, marked at $100.90.
//
// Original (as recorded): its offer of 5 fills at $101.20 (fee $0.03, realized +$1.00), so it
// is long 5 at $101.00: 5 x -$0.10 = -$0.50 unrealized, fees $0.21 + $0.03 = $0.24, total
// $1.00 - $0.50 - $0.24 = $0.26, two fills.
// Branch: the 35 bought at $101.20 take the 30 ahead of its copy of the offer, then reach it,
// so it sells 5 at $101.20 as maker (fee $0.03) by the queue model, as the recorded one did.
// Short 5 at $101.20: 5 x $0.30 = +$1.50 unrealized; realized -$1.00; fees $0.21 + $0.21 +
// $0.03 = $0.45; total -$1.00 + $1.50 - $0.45 = $0.05, three fills.
void JournalBranchTest::branchClosesWhileRecordedTraderHolds()
{
    Session session;
    startBranched(session);
    QVERIFY(session.submit(traderOrder(Side::Sell, 10, 10'090)));
    const ViewPointer sold = waitForView(session, [](const MarketView &view) {
        return view.branch && view.branch->branch.position == Quantity{0};
    });
    QVERIFY(sold);
    QCOMPARE(sold->branch->branch.realized, Money{-100});
    QCOMPARE(sold->branch->branch.fees, Money{42});
    QCOMPARE(sold->branch->original.position, Quantity{10});

    session.seek(commandTime(9));
    const ViewPointer end = pausedAfter(session, m_marks.end);
    QVERIFY(end && end->branch);
    const BranchComparison &after = *end->branch;
    QCOMPARE(after.mark, Price{10'090});

    QCOMPARE(after.original.position, Quantity{5});
    QCOMPARE(after.original.realized, Money{100});
    QCOMPARE(after.original.unrealized, Money{-50});
    QCOMPARE(after.original.fees, Money{24});
    QCOMPARE(after.original.total, Money{26});
    QCOMPARE(after.original.fills, std::uint64_t{2});

    QCOMPARE(after.branch.position, Quantity{-5});
    QCOMPARE(after.branch.realized, Money{-100});
    QCOMPARE(after.branch.unrealized, Money{150});
    QCOMPARE(after.branch.fees, Money{45});
    QCOMPARE(after.branch.total, Money{5});
    QCOMPARE(after.branch.fills, std::uint64_t{3});
    QVERIFY(end->trader.workingOrders.empty());

    // A seek back to the seventh command, after the moment, reopens the journal. The original
    // reads the new engine, where the recorded trader is long 5 already, and the branch keeps
    // its short 5.
    session.seek(commandTime(7));
    const ViewPointer back = waitForView(session, [](const MarketView &view) {
        return view.replayState != ReplayState::Playing && view.replayTime == commandTime(7);
    });
    QVERIFY(back && back->branch);
    QCOMPARE(back->branch->original.position, Quantity{5});
    QCOMPARE(back->branch->original.realized, Money{100});
    QCOMPARE(back->branch->branch.position, Quantity{-5});
    QCOMPARE(back->branch->branch.realized, Money{-100});
    QVERIFY(back->takesOrders);
}

// A second Branch starts from the first branch's state, flat after its sale, against the same
// recorded original, which is still long 10.
void JournalBranchTest::secondBranchKeepsRecordedOriginal()
{
    Session session;
    startBranched(session);
    QVERIFY(session.submit(traderOrder(Side::Sell, 10, 10'090)));
    QVERIFY(waitForView(session, [](const MarketView &view) {
        return view.branch && view.branch->branch.position == Quantity{0};
    }));

    QVERIFY(session.branch());
    const ViewPointer second = waitForView(
        session, [](const MarketView &view) { return view.branch && view.branch->branches == 2; });
    QVERIFY(second);
    QCOMPARE(second->branch->branch.position, Quantity{0});
    QCOMPARE(second->branch->branch.realized, Money{-100});
    QCOMPARE(second->branch->original.position, Quantity{10});
    QVERIFY(second->takesOrders);
}

// The offer at $101.20 shows 55, 5 of them the recorded trader's own order. Once the branch
// cancelled its copy of that order, which would otherwise stop its own buy by self-trade
// prevention, a buy of 60 there takes the market's 30 + 20 = 50 only: long 10 + 50 = 60, in
// two fills, and the IOC's last 10 are cancelled.
void JournalBranchTest::branchTakesNoRecordedLiquidity()
{
    Session session;
    startBranched(session);
    const ViewPointer start = session.latestView();
    QVERIFY(start && start->trader.workingOrders.size() == 1);
    QVERIFY(session.cancel(start->trader.workingOrders.front().id));
    QVERIFY(waitForView(session,
                        [](const MarketView &view) { return view.trader.workingOrders.empty(); }));

    QVERIFY(session.submit(traderOrder(Side::Buy, 60, 10'120)));
    const ViewPointer bought = waitForView(session, [](const MarketView &view) {
        return view.branch && view.branch->branch.fills == 2;
    });
    QVERIFY(bought);
    QCOMPARE(bought->branch->branch.position, Quantity{60});
    QCOMPARE(bought->branch->original.position, Quantity{10});
}

// A seek to before the moment ends the branch: the view shows the recorded trader again and the
// replay takes no orders.
void JournalBranchTest::seekBeforeMomentEndsJournalBranch()
{
    Session session;
    startBranched(session);
    QVERIFY(session.submit(traderOrder(Side::Sell, 10, 10'090)));
    QVERIFY(waitForView(session, [](const MarketView &view) {
        return view.branch && view.branch->branch.position == Quantity{0};
    }));

    session.seek(commandTime(3));
    const ViewPointer ended = waitForView(session, [](const MarketView &view) {
        return !view.branch && view.replayState != ReplayState::Playing &&
               view.replayTime == commandTime(3);
    });
    QVERIFY(ended);
    QVERIFY(!ended->takesOrders);
    QCOMPARE(ended->trader.positions.size(), std::size_t{1});
    QCOMPARE(ended->trader.positions.front().quantity, Quantity{10});
    QVERIFY(!ended->trader.positions.front().branch);
    QVERIFY(!session.submit(traderOrder(Side::Sell, 1, 10'090)));
}

// Branched during the halt, the branch's copy of the recorded bid fills in the reopening auction
// at its price, $101.00, as the recorded bid did. At the end, marked at $100.80:
// - original: long 5 at $101.00, unrealized 5 x -$0.20 = -$1.00, taker fee $0.11, total -$1.11.
// - branch: long 5 at $101.00, unrealized -$1.00. Its copy rested as maker in its auction, so the
//   fee is 0.5 bp of $505.00 = $0.02525, $0.03, and the total -$1.03.
void JournalBranchTest::branchDuringHaltFillsAtReopening()
{
    const std::string path = m_directory.filePath(QStringLiteral("halt.journal")).toStdString();
    QFile::remove(QString::fromStdString(path));
    JournalMarks marks;
    const std::optional<std::string> written = writeHaltJournal(path, marks);
    QVERIFY2(!written, written ? written->c_str() : "");
    Session::ReplaySource source;
    const std::optional<std::string> problem = app::setUpJournalReplay(path, source);
    QVERIFY2(!problem, problem ? problem->c_str() : "");
    source.speed = 0.0;

    Session session;
    QVERIFY(!session.startReplay(source));
    QVERIFY(waitForView(
        session, [](const MarketView &view) { return view.replayState == ReplayState::Finished; }));
    session.seek(commandTime(6));
    QVERIFY(pausedAfter(session, marks.moment));
    QVERIFY(session.branch());
    const ViewPointer start =
        waitForView(session, [](const MarketView &view) { return view.branch.has_value(); });
    QVERIFY(start);
    QCOMPARE(start->trader.workingOrders.size(), std::size_t{1});
    QCOMPARE(start->branch->branch.position, Quantity{0});

    session.seek(commandTime(9));
    const ViewPointer end = pausedAfter(session, marks.end);
    QVERIFY(end && end->branch);
    const BranchComparison &after = *end->branch;
    QCOMPARE(after.mark, Price{10'080});
    QCOMPARE(after.original.position, Quantity{5});
    QCOMPARE(after.original.unrealized, Money{-100});
    QCOMPARE(after.original.fees, Money{11});
    QCOMPARE(after.original.total, Money{-111});

    QVERIFY(end->trader.workingOrders.empty());
    QCOMPARE(after.branch.position, Quantity{5});
    QCOMPARE(after.branch.unrealized, Money{-100});
    QCOMPARE(after.branch.fees, Money{3});
    QCOMPARE(after.branch.total, Money{-103});
    QCOMPARE(after.branch.fills, std::uint64_t{1});
}

// The Branch panel shows the moment truncated to the millisecond. A moment of 09:30:08.859400
// shows as 09:30:08.859, 0.4 ms before it, and a seek to that time keeps the branch: the replay
// lands on the moment. Here the moment is command 6 and the seek goes 0.4 ms before it, after a
// seek on to command 8.
void JournalBranchTest::seekToShownMomentKeepsBranch()
{
    Session session;
    startBranched(session);
    session.seek(commandTime(8));
    QVERIFY(waitForView(session, [](const MarketView &view) {
        return view.replayState != ReplayState::Playing && view.replayTime == commandTime(8);
    }));

    session.seek(Timestamp{commandTime(6).value() - 400'000});
    const ViewPointer back = waitForView(session, [](const MarketView &view) {
        return view.replayState != ReplayState::Playing && view.replayTime == commandTime(6);
    });
    QVERIFY(back);
    QVERIFY(back->branch);
    QCOMPARE(back->branch->moment, commandTime(6));
    QVERIFY(back->takesOrders);
}

// A journal with a snapshot every 3 events: a seek back to the moment starts the views at a
// snapshot after the last trade, $101.00 at the second command, so they show no last trade. The
// columns still mark at $101.00, never at the $100.90 of the journal's end that the replay had
// reached: the recorded trader's long 10 at $101.00 then has no unrealized P&L.
void JournalBranchTest::seekFromSnapshotMarksAtLastTrade()
{
    const std::string path =
        m_directory.filePath(QStringLiteral("snapshots.journal")).toStdString();
    QFile::remove(QString::fromStdString(path));
    const std::optional<std::string> written = writeJournal(path, m_marks, 3);
    QVERIFY2(!written, written ? written->c_str() : "");
    m_source = {};
    const std::optional<std::string> problem = app::setUpJournalReplay(path, m_source);
    QVERIFY2(!problem, problem ? problem->c_str() : "");
    m_source.speed = 0.0;

    Session session;
    startBranched(session);
    session.seek(commandTime(9));
    const ViewPointer end = pausedAfter(session, m_marks.end);
    QVERIFY(end && end->branch);
    QCOMPARE(end->branch->mark, Price{10'090});

    session.seek(commandTime(6));
    const ViewPointer back = pausedAfter(session, m_marks.moment);
    QVERIFY(back && back->branch);
    QCOMPARE(back->branch->mark, Price{10'100});
    QCOMPARE(back->branch->original.position, Quantity{10});
    QCOMPARE(back->branch->original.unrealized, Money{0});
}

QTEST_GUILESS_MAIN(JournalBranchTest)
#include "tst_journal_branch.moc"

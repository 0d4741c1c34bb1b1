// A session's Branch of a replay: the commands it takes, what a seek and a second Branch do to
// it, and the sessions that reject it. tst_journal_branch.cpp covers a journal replay's branch.

#include "engine_printers.h"
#include "session.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

using namespace bourse;

namespace {

using ViewPointer = std::shared_ptr<const MarketView>;

constexpr std::int64_t kMillisecond = 1'000'000;
constexpr std::int64_t kSecond = 1'000 * kMillisecond;

// LOBSTER times are seconds after midnight; this is 9:30:00 in nanoseconds.
constexpr std::int64_t kOpen = 34'200 * kSecond;

// A LOBSTER day in prices of $0.0001: bids of 100 at $500.00 (order 1) and 40 at $499.99
// (order 3), an ask of 50 at $500.10 (order 2). At 9:30:02 the 40 at $499.99 trade, at 9:30:03
// a hidden buy order trades 30 there, and at 9:30:04.5 a new ask of 10 at $500.05 trades.
constexpr char kMessages[] = "34200.000000000,1,1,100,5000000,1\n"
                             "34200.100000000,1,2,50,5001000,-1\n"
                             "34200.200000000,1,3,40,4999900,1\n"
                             "34202.000000000,4,3,40,4999900,1\n"
                             "34203.000000000,5,0,30,4999900,1\n"
                             "34204.000000000,1,4,10,5000500,-1\n"
                             "34204.500000000,4,4,10,5000500,-1\n";

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

// The newest view once the replay, paused or finished, shows `messages` messages.
ViewPointer pausedAfter(const Session &session, std::size_t messages)
{
    return waitForView(session, [messages](const MarketView &view) {
        return view.replayMessages == messages && view.replayState != ReplayState::Playing;
    });
}

NewOrder limitOrder(Side side, std::int64_t quantity, std::int64_t price,
                    TimeInForce timeInForce = TimeInForce::Gtc)
{
    NewOrder order;
    order.side = side;
    order.quantity = Quantity{quantity};
    order.limit = Price{price};
    order.timeInForce = timeInForce;
    return order;
}

Quantity positionOf(const MarketView &view)
{
    return view.trader.positions.empty() ? Quantity{} : view.trader.positions.front().quantity;
}

} // namespace

class SessionBranchTest : public QObject {
    Q_OBJECT

private slots:
    void init();
    void branchFollowsSameReplay();
    void seekBeforeMomentEndsBranch();
    void secondBranchKeepsOriginal();
    void branchRejectedWithoutReplay();
    void branchRejectedInSimulation();
    void positionsMarkAtReplayedTrade();

private:
    // Replays the day to its end, seeks back to 9:30:00.2 (three messages, paused), buys 10 at
    // $500.10 from the ask and bids 20 at $499.99 behind the 40 there, and branches.
    void startBranched(Session &session);

    QTemporaryDir m_directory;
    QString m_path;
};

void SessionBranchTest::init()
{
    m_path =
        m_directory.filePath(QStringLiteral("TEST_2012-06-21_34200000_57600000_message_1.csv"));
    QFile file(m_path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(kMessages);
}

void SessionBranchTest::startBranched(Session &session)
{
    QVERIFY(!session.startReplay({m_path.toStdString(), {}, 0.0}));
    QVERIFY(waitForView(
        session, [](const MarketView &view) { return view.replayState == ReplayState::Finished; }));
    session.seek(Timestamp{kOpen + 200 * kMillisecond});
    QVERIFY(pausedAfter(session, 3));

    QVERIFY(session.submit(limitOrder(Side::Buy, 10, 5'001'000)));
    QVERIFY(session.submit(limitOrder(Side::Buy, 20, 4'999'900)));
    const ViewPointer traded = waitForView(session, [](const MarketView &view) {
        return positionOf(view) == Quantity{10} && view.trader.workingOrders.size() == 1;
    });
    QVERIFY(traded);
    QVERIFY(traded->branchUnavailable.empty());
    QVERIFY(!traded->branch);

    QVERIFY(session.branch());
    QVERIFY(waitForView(session, [](const MarketView &view) { return view.branch.has_value(); }));
}

// At the moment both columns are the trader's state: long 10 at $500.10, paying the taker fee of
// 2 basis points on $5,001.00, $1.0002, rounded up to the cent: $1.01. The
// branch then sells its 10 at $500.00 into the bid (realizing 10 x -$0.10 = -$1.00, fee 2 bp
// of $5,000.00 = $1.00), while the original holds. A seek forward to the end plays on: the 40
// ahead of the bid at $499.99 trade, then the hidden 30 fill the trader's 20 in both columns as
// maker (0.5 bp of $9,999.80 = $0.49999, rounded up to $0.50), and the last trade at $500.05
// marks both.
//
// Original: long 30 at a cost of $5,001.00 + $9,999.80 = $15,000.80, worth 30 x $500.05 =
// $15,001.50: +$0.70 unrealized, fees $1.01 + $0.50 = $1.51, total -$0.81, two fills.
// Branch: realized -$1.00; long 20 at $9,999.80, worth $10,001.00: +$1.20 unrealized; fees
// $1.01 + $1.00 + $0.50 = $2.51; total -$1.00 + $1.20 - $2.51 = -$2.31, three fills.
void SessionBranchTest::branchFollowsSameReplay()
{
    Session session;
    startBranched(session);
    const ViewPointer start = session.latestView();
    QVERIFY(start && start->branch);
    const BranchComparison &moment = *start->branch;
    QCOMPARE(moment.moment, Timestamp{kOpen + 200 * kMillisecond});
    QCOMPARE(moment.branches, std::uint64_t{1});
    QCOMPARE(moment.currency, std::string("USD"));
    QCOMPARE(moment.moneyDecimals, 2);
    for (const BranchSide &side : {moment.original, moment.branch}) {
        QCOMPARE(side.position, Quantity{10});
        QCOMPARE(side.fees, Money{101});
        QCOMPARE(side.realized, Money{0});
        QCOMPARE(side.fills, std::uint64_t{1});
    }
    QCOMPARE(moment.original.total, moment.branch.total);
    // The trader's view is the branch's, with the working bid carried over, and marked so.
    QCOMPARE(start->trader.workingOrders.size(), std::size_t{1});
    QVERIFY(start->trader.workingOrders.front().branch);
    QCOMPARE(start->trader.positions.size(), std::size_t{1});
    QVERIFY(start->trader.positions.front().branch);
    QVERIFY(start->trader.positions.front().simulated);

    QVERIFY(session.submit(limitOrder(Side::Sell, 10, 5'000'000, TimeInForce::Ioc)));
    const ViewPointer sold = waitForView(session, [](const MarketView &view) {
        return view.branch && view.branch->branch.position == Quantity{0};
    });
    QVERIFY(sold);
    QCOMPARE(sold->branch->branch.realized, Money{-100});
    QCOMPARE(sold->branch->branch.fees, Money{201});
    QCOMPARE(sold->branch->original.position, Quantity{10});
    QCOMPARE(positionOf(*sold), Quantity{0});

    session.seek(Timestamp{kOpen + 5 * kSecond});
    const ViewPointer end = pausedAfter(session, 7);
    QVERIFY(end && end->branch);
    const BranchComparison &after = *end->branch;
    QCOMPARE(after.moment, Timestamp{kOpen + 200 * kMillisecond});
    QCOMPARE(after.mark, Price{5'000'500});

    QCOMPARE(after.original.position, Quantity{30});
    QCOMPARE(after.original.realized, Money{0});
    QCOMPARE(after.original.unrealized, Money{70});
    QCOMPARE(after.original.fees, Money{151});
    QCOMPARE(after.original.total, Money{-81});
    QCOMPARE(after.original.fills, std::uint64_t{2});

    QCOMPARE(after.branch.position, Quantity{20});
    QCOMPARE(after.branch.realized, Money{-100});
    QCOMPARE(after.branch.unrealized, Money{120});
    QCOMPARE(after.branch.fees, Money{251});
    QCOMPARE(after.branch.total, Money{-231});
    QCOMPARE(after.branch.fills, std::uint64_t{3});

    QVERIFY(after.curve.size() >= 2);
    QCOMPARE(after.curve.front().time, Timestamp{kOpen + 200 * kMillisecond});
    QCOMPARE(after.curve.back().original, Money{-81});
    QCOMPARE(after.curve.back().branch, Money{-231});
}

// A seek back to after the moment keeps both columns as they are. A seek to before it ends the
// branch, so the trader's view and commands are the original's again, with its state of now.
void SessionBranchTest::seekBeforeMomentEndsBranch()
{
    Session session;
    startBranched(session);
    QVERIFY(session.submit(limitOrder(Side::Sell, 10, 5'000'000, TimeInForce::Ioc)));
    QVERIFY(waitForView(session, [](const MarketView &view) {
        return view.branch && view.branch->branch.position == Quantity{0};
    }));
    session.seek(Timestamp{kOpen + 5 * kSecond});
    QVERIFY(pausedAfter(session, 7));

    session.seek(Timestamp{kOpen + 3'500 * kMillisecond});
    const ViewPointer back = pausedAfter(session, 5);
    QVERIFY(back);
    QVERIFY(back->branch);
    QCOMPARE(back->branch->original.position, Quantity{30});
    QCOMPARE(back->branch->branch.position, Quantity{20});
    for (const BranchSample &sample : back->branch->curve)
        QVERIFY(sample.time <= Timestamp{kOpen + 3'500 * kMillisecond});

    session.seek(Timestamp{kOpen + 100 * kMillisecond});
    const ViewPointer ended = pausedAfter(session, 2);
    QVERIFY(ended);
    QVERIFY(!ended->branch);
    QCOMPARE(positionOf(*ended), Quantity{30});
    QVERIFY(!ended->trader.positions.front().branch);

    // The original takes the commands again: a sale of 5 into the bid at $500.00.
    QVERIFY(session.submit(limitOrder(Side::Sell, 5, 5'000'000, TimeInForce::Ioc)));
    QVERIFY(waitForView(session,
                        [](const MarketView &view) { return positionOf(view) == Quantity{25}; }));
}

// A second Branch starts from the branch's state of now, flat after its sale, and compares with
// the same original, which still has its 10.
void SessionBranchTest::secondBranchKeepsOriginal()
{
    Session session;
    startBranched(session);
    QVERIFY(session.submit(limitOrder(Side::Sell, 10, 5'000'000, TimeInForce::Ioc)));
    QVERIFY(waitForView(session, [](const MarketView &view) {
        return view.branch && view.branch->branch.position == Quantity{0};
    }));
    session.seek(Timestamp{kOpen + 2 * kSecond});
    QVERIFY(pausedAfter(session, 4));

    QVERIFY(session.branch());
    const ViewPointer second = waitForView(
        session, [](const MarketView &view) { return view.branch && view.branch->branches == 2; });
    QVERIFY(second);
    QCOMPARE(second->branch->moment, Timestamp{kOpen + 2 * kSecond});
    QCOMPARE(second->branch->branch.position, Quantity{0});
    QCOMPARE(second->branch->branch.realized, Money{-100});
    QCOMPARE(second->branch->original.position, Quantity{10});
    QCOMPARE(second->branch->curve.front().time, Timestamp{kOpen + 200 * kMillisecond});

    // A seek to between the two moments is before the latest one, so the branch ends.
    session.seek(Timestamp{kOpen + 1 * kSecond});
    const ViewPointer ended = pausedAfter(session, 3);
    QVERIFY(ended);
    QVERIFY(!ended->branch);
    QCOMPARE(positionOf(*ended), Quantity{10});
}

void SessionBranchTest::branchRejectedWithoutReplay()
{
    Session session;
    QVERIFY(!session.branch());
}

void SessionBranchTest::branchRejectedInSimulation()
{
    Session session;
    session.startSimulation(7);
    const ViewPointer view = waitForView(session, [](const MarketView &candidate) {
        return candidate.mode == SessionMode::Simulation;
    });
    QVERIFY(view);
    QVERIFY(!session.branch());
    QVERIFY(!view->branch);
    QVERIFY(!view->branchUnavailable.empty());
}

// After the moment the branch plays to the end, long 30 at a cost of $15,000.80 as in
// branchFollowsSameReplay(), and buys 5 more at $500.10 ($2,500.50) from the ask: long 35 at a
// cost of $17,501.30. Its own last fill is $500.10, but the replay's last trade is $500.05, so
// the position and the branch column are worth 35 x $500.05 = $17,501.75: +$0.45 unrealized
// (at $500.10 it would read +$2.20). A seek back to 9:30:03.5 keeps the branch, and the mark is
// then the hidden trade at $499.99: 35 x $499.99 = $17,499.65, -$1.65 unrealized.
void SessionBranchTest::positionsMarkAtReplayedTrade()
{
    Session session;
    startBranched(session);
    session.seek(Timestamp{kOpen + 5 * kSecond});
    QVERIFY(pausedAfter(session, 7));
    QVERIFY(session.submit(limitOrder(Side::Buy, 5, 5'001'000, TimeInForce::Ioc)));
    const ViewPointer bought = waitForView(
        session, [](const MarketView &view) { return positionOf(view) == Quantity{35}; });
    QVERIFY(bought && bought->branch);
    QCOMPARE(bought->trader.positions.front().mark, Price{5'000'500});
    QCOMPARE(bought->trader.positions.front().unrealized, Money{45});
    QCOMPARE(bought->branch->mark, Price{5'000'500});
    QCOMPARE(bought->branch->branch.unrealized, Money{45});

    session.seek(Timestamp{kOpen + 3'500 * kMillisecond});
    const ViewPointer back = pausedAfter(session, 5);
    QVERIFY(back && back->branch);
    QCOMPARE(positionOf(*back), Quantity{35});
    QCOMPARE(back->trader.positions.front().mark, Price{4'999'900});
    QCOMPARE(back->trader.positions.front().unrealized, Money{-165});
    QCOMPARE(back->branch->mark, Price{4'999'900});
    QCOMPARE(back->branch->branch.unrealized, Money{-165});
}

QTEST_GUILESS_MAIN(SessionBranchTest)
#include "tst_session_branch.moc"

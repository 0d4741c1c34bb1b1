#include "engine_printers.h"
#include "replay_branch.h"
#include "replay_fills.h"
#include "replay_fills_orders.h"
#include "trader_view.h"

#include <QTest>

#include <memory>
#include <string>

using namespace bourse;
using namespace bourse::replay_test;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

// A margin account that pays 0.1% of the notional when it takes liquidity and nothing when it
// adds it, rounded up to the cent, so the fees column has values worked out by hand.
SimulatedAccount traderAccount()
{
    SimulatedAccount account;
    account.settings.id = kTrader;
    account.settings.currency = currencyCode("USD");
    account.settings.moneyDecimals = 2;
    account.settings.type = AccountType::Margin;
    account.settings.fees.taker = FeeRate::fromBasisPoints(10);
    account.openingBalance = Money{100'000'000};
    return account;
}

// A replayed market with the trader's model beside it, which branch() splits as a session does:
// the original model and view move into the ReplayBranch, and the branch takes new commands.
struct Bench {
    Engine market;
    std::unique_ptr<ReplayFills> model =
        std::make_unique<ReplayFills>(market, ReplayFills::Options{{traderAccount()}, {}, {}});
    std::unique_ptr<TraderViewBuilder> view =
        std::make_unique<TraderViewBuilder>(model->traderEngine(), std::vector<AccountId>{kTrader});
    std::unique_ptr<ReplayBranch> comparison;

    Bench()
    {
        market.addHandler(model.get());
        model->traderEngine().addHandler(view.get());
        market.addInstrument(testInstrument(), kTime);
    }
    ~Bench()
    {
        market.removeHandler(model.get());
        if (comparison) {
            market.removeHandler(&comparison->original());
            market.removeHandler(comparison.get());
        }
    }

    // Splits off a branch at `time`; the model then is the branch.
    void branch(Timestamp time)
    {
        std::string error;
        std::unique_ptr<ReplayFills> branched = ReplayFills::branch(*model, error);
        QVERIFY2(branched, error.c_str());
        auto branchView = std::make_unique<TraderViewBuilder>(*view, branched->traderEngine());
        branched->traderEngine().addHandler(branchView.get());
        if (!comparison) {
            comparison = std::make_unique<ReplayBranch>(std::move(model), std::move(view),
                                                        std::vector<AccountId>{kTrader}, kSecond);
        } else {
            market.removeHandler(model.get());
            market.removeHandler(comparison.get());
        }
        model = std::move(branched);
        view = std::move(branchView);
        market.addHandler(model.get());
        market.addHandler(comparison.get());
        comparison->start(*model, time, market.lastSequence());
    }

    ReplayFills &original() { return comparison->original(); }
};

// The id of the trader's order that rests at a price in a trader's engine.
OrderId restingAt(const Engine &trader, Side side, std::int64_t price)
{
    const std::vector<const Order *> orders = trader.book().ordersAt(side, Price{price});
    return orders.empty() ? OrderId{} : orders.back()->id;
}

// Replayed bids of 200 at $9.99 (id 2) and 100 at $9.98 (id 3), an ask of 100 at $10.01
// (id 1). The trader buys 50 at market, taking 50 at $10.01, and bids 30 at $9.98 behind the 100
// resting there.
void setUpLongWithRestingBid(Bench &bench)
{
    bench.market.applyAdd(OrderId{1}, Side::Sell, Price{1001}, Quantity{100}, kTime);
    bench.market.applyAdd(OrderId{2}, Side::Buy, Price{999}, Quantity{200}, kTime);
    bench.market.applyAdd(OrderId{3}, Side::Buy, Price{998}, Quantity{100}, kTime);
    bench.model->submit(marketOrder(Side::Buy, 50), kTime);
    bench.model->submit(limitOrder(Side::Buy, 998, 30), kTime);
}

} // namespace

class ReplayBranchTest : public QObject {
    Q_OBJECT

private slots:
    void branchStartsWithOriginalState();
    void branchKeepsQueuePlaces();
    void branchSellsWhileOriginalHolds();
    void secondBranchStartsFromBranch();
    void traderViewCarriesOverToBranch();
    void curveStaysBounded();
    void rewindDropsLaterSamples();
    void columnsMarkAtReplayedTrade();
    void branchDuringHaltWaitsForReopening();
    void branchBeforeHaltIgnoresCrossedBook();
};

// At the branch moment the branch's trader's engine is the original's, byte for byte, and both
// columns are equal: long 50 bought at $10.01, with no unrealized P&L because the replay has not
// traded yet, and a fee of 0.1% of $500.50 = $0.5005, rounded up to $0.51.
void ReplayBranchTest::branchStartsWithOriginalState()
{
    Bench bench;
    setUpLongWithRestingBid(bench);
    const std::uint64_t before = bench.model->traderEngine().stateHash();
    bench.branch(kTime);

    QCOMPARE(bench.model->traderEngine().stateHash(), before);
    QCOMPARE(bench.original().traderEngine().stateHash(), before);
    QCOMPARE(bench.model->fills().size(), bench.original().fills().size());

    const BranchComparison comparison = bench.comparison->comparison();
    QCOMPARE(comparison.moment, kTime);
    QCOMPARE(comparison.branches, std::uint64_t{1});
    QCOMPARE(comparison.currency, std::string("USD"));
    // The replay has traded nothing yet: the trader's own fill at $10.01 is no mark.
    QCOMPARE(comparison.mark, Price{0});
    for (const BranchSide &side : {comparison.original, comparison.branch}) {
        QCOMPARE(side.position, Quantity{50});
        QCOMPARE(side.realized, Money{0});
        QCOMPARE(side.unrealized, Money{0});
        QCOMPARE(side.fees, Money{51});
        QCOMPARE(side.total, Money{-51});
        QCOMPARE(side.fills, std::uint64_t{1});
    }
    QCOMPARE(comparison.curve.size(), std::size_t{1});
    QCOMPARE(comparison.curve[0].original, Money{-51});
    QCOMPARE(comparison.curve[0].branch, Money{-51});
}

// The resting bid keeps its place: 100 ahead of it at $9.98 in both models, and the 50 the
// trader took at $10.01 stays consumed in both.
void ReplayBranchTest::branchKeepsQueuePlaces()
{
    Bench bench;
    setUpLongWithRestingBid(bench);
    bench.market.applyReduce(OrderId{3}, Quantity{40}, kTime); // 60 ahead now
    bench.branch(kTime);

    const OrderId original = restingAt(bench.original().traderEngine(), Side::Buy, 998);
    const OrderId branched = restingAt(bench.model->traderEngine(), Side::Buy, 998);
    QVERIFY(original.value() != 0);
    QCOMPARE(branched, original);
    QCOMPARE(bench.original().volumeAhead(original), std::optional<Quantity>(Quantity{60}));
    QCOMPARE(bench.model->volumeAhead(branched), std::optional<Quantity>(Quantity{60}));
    QCOMPARE(bench.original().consumed(Side::Sell, Price{1001}), Quantity{50});
    QCOMPARE(bench.model->consumed(Side::Sell, Price{1001}), Quantity{50});

    // A replayed sell of 80 at $9.98 through the book's 60 and 20 hidden: the 60 ahead go
    // first, then 20 reach the bid in both models alike.
    bench.market.applyExecution(OrderId{3}, Quantity{60}, kTime);
    bench.market.applyUnseenTrade(Side::Sell, Price{998}, Quantity{20}, kTime);
    QCOMPARE(bench.original().traderEngine().findOrder(original)->remaining, Quantity{10});
    QCOMPARE(bench.model->traderEngine().findOrder(branched)->remaining, Quantity{10});
    QCOMPARE(bench.model->traderEngine().stateHash(), bench.original().traderEngine().stateHash());
}

// After the branch moment the branch sells its 50 at $9.99 into the replayed bid, while the
// original holds. Then the replay trades the 100 ahead of the trader's bid at $9.98, then 40
// hidden at $9.98, which fills the trader's 30 in both models, and last 10 at $10.00.
//
// Original: bought 50 at $10.01 and 30 at $9.98, long 80 at a cost of $500.50 + $299.40 =
// $799.90. Marked at $10.00: $800.00 - $799.90 = +$0.10 unrealized, nothing realized, fees
// $0.51 (the maker fill pays none), total $0.10 - $0.51 = -$0.41. Two fills.
//
// Branch: sold 50 at $9.99 against the average of $10.01, realizing 50 x -$0.02 = -$1.00, and
// paid 0.1% of $499.50 = $0.4995, rounded up to $0.50. Then long 30 at $9.98 ($299.40), marked
// at $10.00: +$0.60 unrealized. Fees $0.51 + $0.50 = $1.01, total -$1.00 + $0.60 - $1.01 =
// -$1.41. Three fills.
void ReplayBranchTest::branchSellsWhileOriginalHolds()
{
    Bench bench;
    setUpLongWithRestingBid(bench);
    bench.branch(kTime);

    bench.model->submit(limitOrder(Side::Sell, 999, 50, TimeInForce::Ioc), kTime);
    BranchComparison comparison = bench.comparison->comparison();
    QCOMPARE(comparison.branch.position, Quantity{0});
    QCOMPARE(comparison.branch.realized, Money{-100});
    QCOMPARE(comparison.original.position, Quantity{50});
    QCOMPARE(comparison.original.realized, Money{0});

    const Timestamp later{kTime.value() + 3 * kSecond};
    bench.market.applyExecution(OrderId{3}, Quantity{100}, later);
    QVERIFY(restingAt(bench.original().traderEngine(), Side::Buy, 998).value() != 0);
    bench.market.applyUnseenTrade(Side::Sell, Price{998}, Quantity{40}, later);
    bench.market.applyAdd(OrderId{4}, Side::Sell, Price{1000}, Quantity{10}, later);
    bench.market.applyExecution(OrderId{4}, Quantity{10}, later);

    // The original's resting bid filled by the queue model after the branch.
    QCOMPARE(restingAt(bench.original().traderEngine(), Side::Buy, 998), OrderId{});
    comparison = bench.comparison->comparison();
    QCOMPARE(comparison.mark, Price{1000});

    QCOMPARE(comparison.original.position, Quantity{80});
    QCOMPARE(comparison.original.realized, Money{0});
    QCOMPARE(comparison.original.unrealized, Money{10});
    QCOMPARE(comparison.original.fees, Money{51});
    QCOMPARE(comparison.original.total, Money{-41});
    QCOMPARE(comparison.original.fills, std::uint64_t{2});

    QCOMPARE(comparison.branch.position, Quantity{30});
    QCOMPARE(comparison.branch.realized, Money{-100});
    QCOMPARE(comparison.branch.unrealized, Money{60});
    QCOMPARE(comparison.branch.fees, Money{101});
    QCOMPARE(comparison.branch.total, Money{-141});
    QCOMPARE(comparison.branch.fills, std::uint64_t{3});

    // The curve starts at the moment and ends with the values now, three seconds later.
    QVERIFY(comparison.curve.size() >= 2);
    QCOMPARE(comparison.curve.front().time, kTime);
    QCOMPARE(comparison.curve.front().original, Money{-51});
    QCOMPARE(comparison.curve.front().branch, Money{-51});
    QCOMPARE(comparison.curve.back().time, later);
    QCOMPARE(comparison.curve.back().original, Money{-41});
    QCOMPARE(comparison.curve.back().branch, Money{-141});
}

// A second branch starts from the first branch's state, flat after its sale, and compares
// against the same original. The moment moves to the second branch's time.
void ReplayBranchTest::secondBranchStartsFromBranch()
{
    Bench bench;
    setUpLongWithRestingBid(bench);
    bench.branch(kTime);
    bench.model->submit(limitOrder(Side::Sell, 999, 50, TimeInForce::Ioc), kTime);
    const std::uint64_t firstBranch = bench.model->traderEngine().stateHash();

    const Timestamp second{kTime.value() + 2 * kSecond};
    bench.market.applyAdd(OrderId{5}, Side::Buy, Price{997}, Quantity{10}, second);
    bench.branch(second);
    QCOMPARE(bench.model->traderEngine().stateHash(), firstBranch);

    const BranchComparison comparison = bench.comparison->comparison();
    QCOMPARE(comparison.branches, std::uint64_t{2});
    QCOMPARE(comparison.moment, second);
    QCOMPARE(comparison.original.position, Quantity{50});
    QCOMPARE(comparison.branch.position, Quantity{0});
    QCOMPARE(comparison.branch.realized, Money{-100});
    QCOMPARE(comparison.curve.front().time, kTime);
}

// The branch's view lists what the original's listed: the working bid and the fill.
void ReplayBranchTest::traderViewCarriesOverToBranch()
{
    Bench bench;
    setUpLongWithRestingBid(bench);
    TraderView before;
    bench.view->fill(before, kTime);
    bench.branch(kTime);

    TraderView after;
    bench.view->fill(after, kTime);
    QCOMPARE(after.workingOrders.size(), before.workingOrders.size());
    QCOMPARE(after.workingOrders.size(), std::size_t{1});
    QCOMPARE(after.workingOrders[0].id, before.workingOrders[0].id);
    QCOMPARE(after.fills.size(), std::size_t{1});
    QCOMPARE(after.fills[0].price, Price{1001});
    QCOMPARE(after.positions.size(), std::size_t{1});
    QCOMPARE(after.positions[0].quantity, Quantity{50});

    // New orders show in the branch's view only.
    bench.model->submit(limitOrder(Side::Buy, 997, 5), kTime);
    TraderView branched;
    bench.view->fill(branched, kTime);
    TraderView original;
    bench.comparison->originalView().fill(original, kTime);
    QCOMPARE(branched.workingOrders.size(), std::size_t{2});
    QCOMPARE(original.workingOrders.size(), std::size_t{1});
}

// A message every second for three times the bound: the curve thins to at most the bound,
// still starting at the branch moment, with the interval doubled for each thinning.
void ReplayBranchTest::curveStaysBounded()
{
    Bench bench;
    setUpLongWithRestingBid(bench);
    bench.branch(kTime);
    const std::int64_t count = 3 * static_cast<std::int64_t>(ReplayBranch::kMaximumSamples);
    for (std::int64_t second = 1; second <= count; ++second) {
        const Timestamp time{kTime.value() + second * kSecond};
        bench.market.applyAdd(OrderId{static_cast<std::uint64_t>(100 + second)}, Side::Buy,
                              Price{990}, Quantity{1}, time);
    }
    const BranchComparison comparison = bench.comparison->comparison();
    QVERIFY(comparison.curve.size() <= ReplayBranch::kMaximumSamples);
    QVERIFY(comparison.curve.size() >= ReplayBranch::kMaximumSamples / 4);
    QCOMPARE(comparison.curve.front().time, kTime);
    QCOMPARE(comparison.curve.back().time, Timestamp{kTime.value() + count * kSecond});
    QVERIFY(comparison.sampleIntervalNanoseconds >= 2 * kSecond);
}

// A seek back to a time after the moment drops the samples after it.
void ReplayBranchTest::rewindDropsLaterSamples()
{
    Bench bench;
    setUpLongWithRestingBid(bench);
    bench.branch(kTime);
    for (std::int64_t second = 1; second <= 10; ++second) {
        const Timestamp time{kTime.value() + second * kSecond};
        bench.market.applyAdd(OrderId{static_cast<std::uint64_t>(100 + second)}, Side::Buy,
                              Price{990}, Quantity{1}, time);
    }
    QCOMPARE(bench.comparison->comparison().curve.size(), std::size_t{11});
    bench.comparison->rewindTo(Timestamp{kTime.value() + 4 * kSecond});
    const BranchComparison comparison = bench.comparison->comparison();
    QCOMPARE(comparison.curve.size(), std::size_t{5});
    QCOMPARE(comparison.curve.back().time, Timestamp{kTime.value() + 4 * kSecond});
}

// Replayed ask 100 at $10.01 (id 1), bids 200 at $9.99 (id 2) and 100 at $9.98 (id 3). The
// replay trades 50 of id 3 at $9.98. The trader buys 100 at market, $10.01, then branches, and
// the branch sells 40 at market, $9.99. Worked by hand at the replayed last trade, $9.98:
// - original: long 100 at $10.01, unrealized (9.98 - 10.01) x 100 = -$3.00, fees 0.1% of
//   $1001.00 = $1.001, rounded up to $1.01. Total -$3.00 - $1.01 = -$4.01.
// - branch: realized (9.99 - 10.01) x 40 = -$0.80, long 60 with unrealized
//   (9.98 - 10.01) x 60 = -$1.80, fees $1.01 + 0.1% of $399.60 ($0.3996, rounded up to $0.40)
//   = $1.41. Total -$0.80 - $1.80 - $1.41 = -$4.01.
// Marked at their own engines' last trades ($10.01 and $9.99) the original's unrealized would read
// zero and the branch's -$1.20.
void ReplayBranchTest::columnsMarkAtReplayedTrade()
{
    Bench bench;
    bench.market.applyAdd(OrderId{1}, Side::Sell, Price{1001}, Quantity{100}, kTime);
    bench.market.applyAdd(OrderId{2}, Side::Buy, Price{999}, Quantity{200}, kTime);
    bench.market.applyAdd(OrderId{3}, Side::Buy, Price{998}, Quantity{100}, kTime);
    bench.market.applyExecution(OrderId{3}, Quantity{50}, kTime);
    bench.model->submit(marketOrder(Side::Buy, 100), kTime);
    bench.branch(kTime);
    bench.model->submit(marketOrder(Side::Sell, 40), kTime);

    BranchComparison comparison = bench.comparison->comparison();
    QCOMPARE(comparison.mark, Price{998});
    QCOMPARE(comparison.original.position, Quantity{100});
    QCOMPARE(comparison.original.unrealized, Money{-300});
    QCOMPARE(comparison.original.fees, Money{101});
    QCOMPARE(comparison.original.total, Money{-401});
    QCOMPARE(comparison.branch.position, Quantity{60});
    QCOMPARE(comparison.branch.realized, Money{-80});
    QCOMPARE(comparison.branch.unrealized, Money{-180});
    QCOMPARE(comparison.branch.fees, Money{141});
    QCOMPARE(comparison.branch.total, Money{-401});

    // A replayed trade of 10 at $9.99 moves the mark: original (9.99 - 10.01) x 100 = -$2.00,
    // branch (9.99 - 10.01) x 60 = -$1.20.
    bench.market.applyExecution(OrderId{2}, Quantity{10}, Timestamp{kTime.value() + kSecond});
    comparison = bench.comparison->comparison();
    QCOMPARE(comparison.mark, Price{999});
    QCOMPARE(comparison.original.unrealized, Money{-200});
    QCOMPARE(comparison.branch.unrealized, Money{-120});

    // A mark from the caller, such as the last trade before a seek's target, replaces it:
    // original (10.05 - 10.01) x 100 = +$4.00.
    bench.comparison->setMark(Price{1005});
    comparison = bench.comparison->comparison();
    QCOMPARE(comparison.mark, Price{1005});
    QCOMPARE(comparison.original.unrealized, Money{400});
}

// Branched while the replayed instrument is halted, the branch follows the halt. A market order is
// rejected, as the engine rejects one in a call phase. A bid of 50 at $10.01 rests although the
// replayed ask of 100 is at $10.01. When the replay reopens, that ask still rests at the bid's
// price, so the bid fills 50 at $10.01.
void ReplayBranchTest::branchDuringHaltWaitsForReopening()
{
    Bench bench;
    bench.market.applyAdd(OrderId{1}, Side::Sell, Price{1001}, Quantity{100}, kTime);
    bench.market.applyAdd(OrderId{2}, Side::Buy, Price{999}, Quantity{200}, kTime);
    bench.market.applyStatus(TradingStatus::Halted, kTime);
    QCOMPARE(bench.model->traderEngine().status(), TradingStatus::Halted);
    bench.branch(kTime);

    bench.model->submit(marketOrder(Side::Buy, 50), kTime);
    bench.model->submit(limitOrder(Side::Buy, 1001, 50), kTime);
    const Engine &branch = bench.model->traderEngine();
    QCOMPARE(branch.status(), TradingStatus::Halted);
    QVERIFY(bench.model->fills().empty());
    const OrderId bid = restingAt(branch, Side::Buy, 1001);
    QVERIFY(bid.value() != 0);
    QCOMPARE(branch.liveOrderCount(), std::size_t{1});

    bench.market.applyStatus(TradingStatus::Trading, Timestamp{kTime.value() + kSecond});
    QCOMPARE(branch.status(), TradingStatus::Trading);
    QCOMPARE(branch.findOrder(bid), nullptr);
    QCOMPARE(bench.model->fills().size(), std::size_t{1});
    QCOMPARE(bench.model->fills().back().price, Price{1001});
    QCOMPARE(bench.model->fills().back().quantity, Quantity{50});
    QCOMPARE(bench.comparison->comparison().branch.position, Quantity{50});
    QCOMPARE(bench.comparison->comparison().original.position, Quantity{0});
}

// Branched before a halt, the branch takes the halt too. While halted, a replayed bid of 100 at
// $10.02 crosses the ask at $10.01, and the branch's offer of 30 at $10.00 rests instead of
// filling against that bid, both on entry and at the end of the next replayed message. At the
// reopening the bid still rests through the offer, so the offer fills 30 at its own $10.00.
void ReplayBranchTest::branchBeforeHaltIgnoresCrossedBook()
{
    Bench bench;
    bench.market.applyAdd(OrderId{1}, Side::Sell, Price{1001}, Quantity{100}, kTime);
    bench.market.applyAdd(OrderId{2}, Side::Buy, Price{999}, Quantity{200}, kTime);
    bench.branch(kTime);
    bench.market.applyStatus(TradingStatus::Halted, kTime);
    bench.market.applyAdd(OrderId{3}, Side::Buy, Price{1002}, Quantity{100}, kTime);

    bench.model->submit(limitOrder(Side::Sell, 1000, 30), kTime);
    bench.market.applyAdd(OrderId{4}, Side::Buy, Price{998}, Quantity{10}, kTime);
    const Engine &branch = bench.model->traderEngine();
    QVERIFY(bench.model->fills().empty());
    const OrderId offer = restingAt(branch, Side::Sell, 1000);
    QVERIFY(offer.value() != 0);

    bench.market.applyStatus(TradingStatus::Trading, Timestamp{kTime.value() + kSecond});
    QCOMPARE(branch.findOrder(offer), nullptr);
    QCOMPARE(bench.model->fills().size(), std::size_t{1});
    QCOMPARE(bench.model->fills().back().price, Price{1000});
    QCOMPARE(bench.model->fills().back().quantity, Quantity{30});
}

QTEST_APPLESS_MAIN(ReplayBranchTest)
#include "tst_replay_branch.moc"

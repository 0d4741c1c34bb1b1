#include "engine.h"
#include "engine_printers.h"
#include "engine_test_support.h"

#include <QTest>

#include <vector>

using namespace bourse;
using namespace bourse::test;

namespace {

constexpr InstrumentId kInstrument{3};

// An engine with one instrument in its pre-open call phase.
void addPreOpenInstrument(Engine &engine, std::int64_t referencePrice = 0, std::int64_t tick = 1)
{
    InstrumentDefinition definition;
    definition.id = kInstrument;
    definition.tickSize = Price{tick};
    definition.referencePrice = Price{referencePrice};
    definition.initialStatus = TradingStatus::PreOpen;
    engine.addInstrument(definition, Timestamp{0});
}

NewOrder onInstrument(NewOrder order)
{
    order.instrument = kInstrument;
    return order;
}

void submitAll(Engine &engine, const std::vector<NewOrder> &orders)
{
    for (const NewOrder &order : orders)
        engine.submit(onInstrument(order), Timestamp{1});
}

// Bids 10 at 105 (1), 20 at 103 (2), 30 at 101 (3); asks 15 at 100 (4), 20 at 102 (5), 25 at
// 104 (6). Executable volume by price: 100: min(60, 15) = 15; 101: 15; 102: min(30, 35) = 30;
// 103: 30; 104: min(10, 60) = 10; 105: 10. The maximum of 30 is reached at 102 and 103, both
// with an imbalance of 5, so the reference price decides, or the lower price without one.
const std::vector<NewOrder> kVolumeBook = {
    limitOrder(1, Side::Buy, 10, 105),  limitOrder(2, Side::Buy, 20, 103),
    limitOrder(3, Side::Buy, 30, 101),  limitOrder(4, Side::Sell, 15, 100),
    limitOrder(5, Side::Sell, 20, 102), limitOrder(6, Side::Sell, 25, 104),
};

// Every candidate price executes 10 with an imbalance of 10: bids 10 at 102 and 10 at 100,
// asks 10 at 99 and 10 at 101.
const std::vector<NewOrder> kFlatBook = {
    limitOrder(1, Side::Buy, 10, 102),
    limitOrder(2, Side::Buy, 10, 100),
    limitOrder(3, Side::Sell, 10, 99),
    limitOrder(4, Side::Sell, 10, 101),
};

// Bids 10 at 101 and 5 at 100, asks 10 at 100 and 10 at 101. Both prices execute 10; at 100
// the imbalance is 15 - 10 = 5, at 101 it is 20 - 10 = 10.
const std::vector<NewOrder> kImbalanceBook = {
    limitOrder(1, Side::Buy, 10, 101),
    limitOrder(2, Side::Buy, 5, 100),
    limitOrder(3, Side::Sell, 10, 100),
    limitOrder(4, Side::Sell, 10, 101),
};

// Limit prices that leave tick prices between them. Bids 100 at 1005 and 50 at 1000, asks 100
// at 1000 and 50 at 1005, tick 1:
//   1000:         demand 150, supply 100: volume 100, imbalance 50
//   1001 to 1004: demand 100 (the bid at 1005), supply 100 (the ask at 1000): volume 100,
//                 imbalance 0
//   1005:         demand 100, supply 150: volume 100, imbalance 50
// So the price lies in 1001..1004: the tick nearest the reference, or 1001 without one.
const std::vector<NewOrder> kGapBook = {
    limitOrder(1, Side::Sell, 100, 1000),
    limitOrder(2, Side::Buy, 100, 1005),
    limitOrder(3, Side::Buy, 50, 1000),
    limitOrder(4, Side::Sell, 50, 1005),
};

// One bid of 10 at 120 and one ask of 10 at 100: every price from 100 to 120 executes 10 with
// no imbalance, so the reference alone decides.
const std::vector<NewOrder> kWideBook = {
    limitOrder(1, Side::Buy, 10, 120),
    limitOrder(2, Side::Sell, 10, 100),
};

} // namespace

class AuctionTest : public QObject {
    Q_OBJECT

private slots:
    void ordersRestWithoutMatchingDuringCall();
    void auctionPrice_data();
    void auctionPrice();
    void auctionTradesInPriceTimePriority();
    void icebergTakesPartWithFullSize();
    void selfTradeInAuctionCancelsLaterOrder();
    void stopsTriggerAfterTradingStarts();
    void openingUncrossedBookTradesNothing();
    void statusChanges_data();
    void statusChanges();
};

void AuctionTest::ordersRestWithoutMatchingDuringCall()
{
    Engine engine;
    addPreOpenInstrument(engine);
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    submitAll(engine, kVolumeBook);
    engine.submit(onInstrument(stopOrder(7, Side::Buy, 5, 110)), Timestamp{1});

    QCOMPARE(recorder.all<Trade>().size(), 0u);
    QCOMPARE(recorder.all<OrderAdded>().size(), 6u);
    QCOMPARE(recorder.all<OrderParked>().size(), 1u);
    QCOMPARE(engine.book(kInstrument)->bestPrice(Side::Buy), std::optional<Price>(Price{105}));
    QCOMPARE(engine.book(kInstrument)->bestPrice(Side::Sell), std::optional<Price>(Price{100}));
}

void AuctionTest::auctionPrice_data()
{
    QTest::addColumn<std::vector<NewOrder>>("orders");
    QTest::addColumn<std::int64_t>("reference");
    QTest::addColumn<std::int64_t>("tick");
    QTest::addColumn<std::int64_t>("price");
    QTest::addColumn<std::int64_t>("volume");

    using I = std::int64_t;
    QTest::newRow("volume decides, tie without reference takes the lower price")
        << kVolumeBook << I{0} << I{1} << I{102} << I{30};
    QTest::newRow("volume tie goes to the price nearest the reference")
        << kVolumeBook << I{103} << I{1} << I{103} << I{30};
    QTest::newRow("imbalance decides before the reference")
        << kImbalanceBook << I{101} << I{1} << I{100} << I{10};
    QTest::newRow("flat book without reference takes the lowest price")
        << kFlatBook << I{0} << I{1} << I{99} << I{10};
    QTest::newRow("flat book takes the reference price")
        << kFlatBook << I{101} << I{1} << I{101} << I{10};
    // 101 lies between the limit prices 100 and 102, and executes 10 as they do.
    QTest::newRow("reference between two limit prices is the price")
        << std::vector<NewOrder>{limitOrder(1, Side::Buy, 10, 102),
                                 limitOrder(2, Side::Sell, 10, 100)}
        << I{101} << I{1} << I{101} << I{10};
    QTest::newRow("smaller imbalance between limits, no reference")
        << kGapBook << I{0} << I{1} << I{1001} << I{100};
    QTest::newRow("smaller imbalance between limits, reference inside")
        << kGapBook << I{1003} << I{1} << I{1003} << I{100};
    // The reference below the range 1001..1004 is clamped to its lowest price, and one above
    // it to its highest.
    QTest::newRow("reference below the best range")
        << kGapBook << I{900} << I{1} << I{1001} << I{100};
    QTest::newRow("reference above the best range")
        << kGapBook << I{2000} << I{1} << I{1004} << I{100};
    QTest::newRow("reference far inside the crossing prices")
        << kWideBook << I{110} << I{1} << I{110} << I{10};
    // Tick 5: the prices between 100 and 120 are 105, 110 and 115; 105 is nearest 105.
    QTest::newRow("reference on a coarse tick") << kWideBook << I{105} << I{5} << I{105} << I{10};
    QTest::newRow("coarse tick without reference takes the lowest price")
        << kWideBook << I{0} << I{5} << I{100} << I{10};
}

void AuctionTest::auctionPrice()
{
    QFETCH(std::vector<NewOrder>, orders);
    QFETCH(std::int64_t, reference);
    QFETCH(std::int64_t, tick);
    QFETCH(std::int64_t, price);
    QFETCH(std::int64_t, volume);

    Engine engine;
    addPreOpenInstrument(engine, reference, tick);
    submitAll(engine, orders);
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.setTradingStatus(kInstrument, TradingStatus::Trading, Timestamp{2});

    const auto uncrossed = recorder.all<AuctionUncrossed>();
    QCOMPARE(uncrossed.size(), 1u);
    QCOMPARE(uncrossed[0].price, Price{price});
    QCOMPARE(uncrossed[0].volume, Quantity{volume});
    Quantity traded{0};
    for (const Trade &trade : recorder.all<Trade>()) {
        QCOMPARE(trade.price, Price{price});
        traded += trade.quantity;
    }
    QCOMPARE(traded, Quantity{volume});
    const auto bid = engine.book(kInstrument)->bestPrice(Side::Buy);
    const auto ask = engine.book(kInstrument)->bestPrice(Side::Sell);
    QVERIFY(!bid || !ask || *bid < *ask);
}

// At 102 the best bid (1, 10 at 105) meets the best ask (4, 15 at 100): order 1 came first,
// so it is the maker. Then 2 (20 at 103) takes the 5 left of 4, and 15 of 5 (20 at 102).
void AuctionTest::auctionTradesInPriceTimePriority()
{
    Engine engine;
    addPreOpenInstrument(engine);
    submitAll(engine, kVolumeBook);
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.setTradingStatus(kInstrument, TradingStatus::Trading, Timestamp{2});

    QCOMPARE(recorder.types(), (std::vector<EventType>{
                                   EventType::AuctionUncrossed, EventType::Trade, EventType::Trade,
                                   EventType::Trade, EventType::TradingStatusChanged}));
    const auto trades = recorder.all<Trade>();
    const std::uint64_t makers[] = {1, 2, 2};
    const std::uint64_t takers[] = {4, 4, 5};
    const std::int64_t quantities[] = {10, 5, 15};
    const std::int64_t makerRemaining[] = {0, 15, 0};
    for (std::size_t i = 0; i < trades.size(); ++i) {
        QCOMPARE(trades[i].maker, OrderId{makers[i]});
        QCOMPARE(trades[i].taker, OrderId{takers[i]});
        QCOMPARE(trades[i].aggressor, Side::Sell);
        QCOMPARE(trades[i].quantity, Quantity{quantities[i]});
        QCOMPARE(trades[i].makerRemaining, Quantity{makerRemaining[i]});
    }
    const OrderBook &book = *engine.book(kInstrument);
    QCOMPARE(book.level(Side::Buy, 0), (LevelSummary{Price{101}, Quantity{30}, 1}));
    QCOMPARE(book.level(Side::Sell, 0), (LevelSummary{Price{102}, Quantity{5}, 1}));
    QCOMPARE(book.level(Side::Sell, 1), (LevelSummary{Price{104}, Quantity{25}, 1}));
    QCOMPARE(engine.status(kInstrument), std::optional<TradingStatus>(TradingStatus::Trading));
}

// A sell iceberg of 30 showing 10 and a buy of 25 at the same price: the auction executes 25,
// taking three slices of the iceberg, each refilled from its reserve.
void AuctionTest::icebergTakesPartWithFullSize()
{
    Engine engine;
    addPreOpenInstrument(engine);
    NewOrder iceberg = limitOrder(1, Side::Sell, 30, 100);
    iceberg.displayQuantity = Quantity{10};
    submitAll(engine, {iceberg, limitOrder(2, Side::Buy, 25, 100)});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.setTradingStatus(kInstrument, TradingStatus::Trading, Timestamp{2});

    QCOMPARE(recorder.all<AuctionUncrossed>()[0].volume, Quantity{25});
    QCOMPARE(recorder.types(),
             (std::vector<EventType>{EventType::AuctionUncrossed, EventType::Trade,
                                     EventType::OrderRefilled, EventType::Trade,
                                     EventType::OrderRefilled, EventType::Trade,
                                     EventType::TradingStatusChanged}));
    const auto trades = recorder.all<Trade>();
    QCOMPARE(trades[2].quantity, Quantity{5});
    QCOMPARE(trades[2].makerRemaining, Quantity{5});
    QCOMPARE(engine.book(kInstrument)->level(Side::Sell, 0),
             (LevelSummary{Price{100}, Quantity{5}, 1}));
    QCOMPARE(engine.findOrder(OrderId{1})->reserve(), Quantity{0});
    QCOMPARE(engine.findOrder(OrderId{2}), nullptr);
}

// Account 1 buys 10 at 100 (1) and later sells 10 at 100 (2); account 2 sells 10 at 100 (3).
// The auction meets 1 and 2 first: the later one, 2, is cancelled, and 1 trades with 3.
void AuctionTest::selfTradeInAuctionCancelsLaterOrder()
{
    Engine engine;
    addPreOpenInstrument(engine);
    submitAll(engine, {withAccount(limitOrder(1, Side::Buy, 10, 100), 1),
                       withAccount(limitOrder(2, Side::Sell, 10, 100), 1),
                       withAccount(limitOrder(3, Side::Sell, 10, 100), 2)});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.setTradingStatus(kInstrument, TradingStatus::Trading, Timestamp{2});

    QCOMPARE(recorder.types(),
             (std::vector<EventType>{EventType::AuctionUncrossed, EventType::OrderCancelled,
                                     EventType::Trade, EventType::TradingStatusChanged}));
    QCOMPARE(recorder.all<OrderCancelled>()[0].id, OrderId{2});
    QCOMPARE(recorder.all<OrderCancelled>()[0].reason, CancelReason::SelfTrade);
    const Trade trade = recorder.all<Trade>()[0];
    QCOMPARE(trade.maker, OrderId{1});
    QCOMPARE(trade.taker, OrderId{3});
    QCOMPARE(trade.makerAccount, AccountId{1});
    QCOMPARE(trade.takerAccount, AccountId{2});
}

void AuctionTest::stopsTriggerAfterTradingStarts()
{
    Engine engine;
    addPreOpenInstrument(engine);
    submitAll(engine, {limitOrder(1, Side::Buy, 10, 100), limitOrder(2, Side::Sell, 10, 100),
                       limitOrder(3, Side::Sell, 10, 101), stopOrder(4, Side::Buy, 5, 100)});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.setTradingStatus(kInstrument, TradingStatus::Trading, Timestamp{2});

    QCOMPARE(recorder.types(),
             (std::vector<EventType>{EventType::AuctionUncrossed, EventType::Trade,
                                     EventType::TradingStatusChanged, EventType::StopTriggered,
                                     EventType::Trade}));
    const Trade stopFill = recorder.all<Trade>()[1];
    QCOMPARE(stopFill.taker, OrderId{4});
    QCOMPARE(stopFill.price, Price{101});
    QCOMPARE(stopFill.quantity, Quantity{5});
}

void AuctionTest::openingUncrossedBookTradesNothing()
{
    Engine engine;
    addPreOpenInstrument(engine);
    submitAll(engine, {limitOrder(1, Side::Buy, 10, 99), limitOrder(2, Side::Sell, 10, 100)});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.setTradingStatus(kInstrument, TradingStatus::Trading, Timestamp{2});

    QCOMPARE(recorder.types(), std::vector<EventType>{EventType::TradingStatusChanged});
    QCOMPARE(recorder.commandEnds, 1);
}

void AuctionTest::statusChanges_data()
{
    QTest::addColumn<std::vector<TradingStatus>>("path");
    QTest::addColumn<bool>("lastAccepted");

    using S = TradingStatus;
    QTest::newRow("pre-open to trading") << std::vector<S>{S::Trading} << true;
    QTest::newRow("pre-open to halted") << std::vector<S>{S::Halted} << true;
    QTest::newRow("pre-open to closed") << std::vector<S>{S::Closed} << true;
    QTest::newRow("pre-open to pre-open") << std::vector<S>{S::PreOpen} << false;
    QTest::newRow("halted to trading") << std::vector<S>{S::Halted, S::Trading} << true;
    QTest::newRow("trading to halted") << std::vector<S>{S::Trading, S::Halted} << true;
    QTest::newRow("trading to pre-open") << std::vector<S>{S::Trading, S::PreOpen} << false;
    QTest::newRow("closed to pre-open") << std::vector<S>{S::Closed, S::PreOpen} << true;
    QTest::newRow("closed to halted") << std::vector<S>{S::Closed, S::Halted} << false;
    QTest::newRow("any to quote only") << std::vector<S>{S::QuoteOnly} << false;
}

void AuctionTest::statusChanges()
{
    QFETCH(std::vector<TradingStatus>, path);
    QFETCH(bool, lastAccepted);

    Engine engine;
    addPreOpenInstrument(engine);
    for (std::size_t i = 0; i + 1 < path.size(); ++i)
        engine.setTradingStatus(kInstrument, path[i], Timestamp{1});
    const TradingStatus before = *engine.status(kInstrument);
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.setTradingStatus(kInstrument, path.back(), Timestamp{2});

    if (lastAccepted) {
        QCOMPARE(recorder.all<TradingStatusChanged>().size(), 1u);
        QCOMPARE(*engine.status(kInstrument), path.back());
        return;
    }
    const auto rejected = recorder.all<OrderRejected>();
    QCOMPARE(rejected.size(), 1u);
    QCOMPARE(rejected[0].id, OrderId{0});
    QCOMPARE(rejected[0].reason, RejectReason::InvalidStatusChange);
    QCOMPARE(*engine.status(kInstrument), before);
}

QTEST_APPLESS_MAIN(AuctionTest)
#include "tst_auction.moc"

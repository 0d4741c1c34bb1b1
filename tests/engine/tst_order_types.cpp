#include "engine.h"
#include "engine_printers.h"
#include "engine_test_support.h"

#include <QTest>

#include <vector>

using namespace bourse;
using namespace bourse::test;

namespace {

constexpr InstrumentId kInstrument{1};

// Trades a buy and a sell of one lot at a price, so the last trade price is that price.
void printTrade(Engine &engine, std::uint64_t firstId, std::int64_t price, Timestamp time)
{
    engine.submit(limitOrder(firstId, Side::Buy, 1, price), time);
    engine.submit(limitOrder(firstId + 1, Side::Sell, 1, price), time);
}

NewOrder iceberg(std::uint64_t id, Side side, std::int64_t quantity, std::int64_t display,
                 std::int64_t price)
{
    NewOrder order = limitOrder(id, side, quantity, price);
    order.displayQuantity = Quantity{display};
    return order;
}

NewOrder withTimeInForce(NewOrder order, TimeInForce timeInForce, std::int64_t expiry = 0)
{
    order.timeInForce = timeInForce;
    order.expiry = Timestamp{expiry};
    return order;
}

} // namespace

class OrderTypesTest : public QObject {
    Q_OBJECT

private slots:
    void marketOrderStopsAtProtectionPrice();
    void marketOrderWithoutProtectionSweeps();
    void iocCancelsWhatDoesNotFill();
    void iocFilledInFullLeavesNoCancel();
    void fokKilledLeavesBookUntouched();
    void fokFillsAcrossLevels();
    void fokAndOwnOrders_data();
    void fokAndOwnOrders();
    void fokFollowsIcebergRefillOrder();
    void postOnlyRestsWhenNotCrossing();
    void postOnlyReplaceThatWouldTradeIsRejected();
    void stopParksUntilTradeReachesIt();
    void stopLimitRestsAtItsLimit();
    void stopAlreadyReachedIsRejected_data();
    void stopAlreadyReachedIsRejected();
    void stopsTriggerInAcceptanceOrderAndCascade();
    void cancelOfParkedStopNeverTriggers();
    void icebergRefillJoinsBackOfQueue();
    void incomingIcebergTakesWithFullSize();
    void icebergReplaceCutsReserveFirst();
    void dayOrdersExpireAtClose();
    void gtdOrdersExpireWhenTimeReachesExpiry();
    void cancelReachesEveryState_data();
    void cancelReachesEveryState();
    void replaceSizeCutKeepsPriority();
    void replacePriceChangeLosesPriority();
    void replaceSizeIncreaseLosesPriority();
    void replaceThatCrossesTrades();
    void replaceOfParkedStopMovesItBack();
    void replaceKeepingPriceIgnoresMovedBand();
    void replaceRejections_data();
    void replaceRejections();
};

// Asks of 10 at 100, 101 and 103; a market buy of 25 protected at 101 takes the first two
// levels and the 5 it cannot fill within 101 are cancelled.
void OrderTypesTest::marketOrderStopsAtProtectionPrice()
{
    Engine engine(kInstrument);
    engine.submit(limitOrder(1, Side::Sell, 10, 100), Timestamp{1});
    engine.submit(limitOrder(2, Side::Sell, 10, 101), Timestamp{1});
    engine.submit(limitOrder(3, Side::Sell, 10, 103), Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    NewOrder order = marketOrder(4, Side::Buy, 25);
    order.protectionPrice = Price{101};
    engine.submit(order, Timestamp{2});

    const auto trades = recorder.all<Trade>();
    QCOMPARE(trades.size(), 2u);
    QCOMPARE(trades[0].price, Price{100});
    QCOMPARE(trades[1].price, Price{101});
    const auto cancelled = recorder.all<OrderCancelled>();
    QCOMPARE(cancelled.size(), 1u);
    QCOMPARE(cancelled[0].id, OrderId{4});
    QCOMPARE(cancelled[0].quantity, Quantity{5});
    QCOMPARE(cancelled[0].reason, CancelReason::ProtectionLimit);
    QCOMPARE(engine.book().level(Side::Sell, 0), (LevelSummary{Price{103}, Quantity{10}, 1}));
}

void OrderTypesTest::marketOrderWithoutProtectionSweeps()
{
    Engine engine(kInstrument);
    engine.submit(limitOrder(1, Side::Sell, 10, 100), Timestamp{1});
    engine.submit(limitOrder(2, Side::Sell, 10, 101), Timestamp{1});
    engine.submit(limitOrder(3, Side::Sell, 10, 103), Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.submit(marketOrder(4, Side::Buy, 25), Timestamp{2});

    const auto trades = recorder.all<Trade>();
    QCOMPARE(trades.size(), 3u);
    QCOMPARE(trades[2].price, Price{103});
    QCOMPARE(trades[2].quantity, Quantity{5});
    QVERIFY(recorder.all<OrderCancelled>().empty());
    QCOMPARE(engine.book().level(Side::Sell, 0), (LevelSummary{Price{103}, Quantity{5}, 1}));
    QCOMPARE(engine.findOrder(OrderId{4}), nullptr);
}

void OrderTypesTest::iocCancelsWhatDoesNotFill()
{
    Engine engine(kInstrument);
    engine.submit(limitOrder(1, Side::Sell, 10, 100), Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.submit(withTimeInForce(limitOrder(2, Side::Buy, 15, 100), TimeInForce::Ioc),
                  Timestamp{2});

    QCOMPARE(recorder.types(), (std::vector<EventType>{EventType::OrderAccepted, EventType::Trade,
                                                       EventType::OrderCancelled}));
    const auto cancelled = recorder.all<OrderCancelled>();
    QCOMPARE(cancelled[0].quantity, Quantity{5});
    QCOMPARE(cancelled[0].reason, CancelReason::Unfilled);
    QCOMPARE(engine.book().levelCount(Side::Buy), 0u);
    QCOMPARE(engine.liveOrderCount(), 0u);
}

void OrderTypesTest::iocFilledInFullLeavesNoCancel()
{
    Engine engine(kInstrument);
    engine.submit(limitOrder(1, Side::Sell, 10, 100), Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.submit(withTimeInForce(limitOrder(2, Side::Buy, 10, 100), TimeInForce::Ioc),
                  Timestamp{2});

    QCOMPARE(recorder.types(),
             (std::vector<EventType>{EventType::OrderAccepted, EventType::Trade}));
    QCOMPARE(engine.liveOrderCount(), 0u);
}

// Asks of 10 at 100 and 10 at 101 cannot fill a FOK buy of 25 limited at 101: it is
// accepted and cancelled, and no trade or change of the book happens.
void OrderTypesTest::fokKilledLeavesBookUntouched()
{
    Engine engine(kInstrument);
    engine.submit(limitOrder(1, Side::Sell, 10, 100), Timestamp{1});
    engine.submit(limitOrder(2, Side::Sell, 10, 101), Timestamp{1});
    const std::uint64_t bookBefore = engine.book().stateHash();
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.submit(withTimeInForce(limitOrder(3, Side::Buy, 25, 101), TimeInForce::Fok),
                  Timestamp{2});

    QCOMPARE(recorder.types(),
             (std::vector<EventType>{EventType::OrderAccepted, EventType::OrderCancelled}));
    const auto cancelled = recorder.all<OrderCancelled>();
    QCOMPARE(cancelled[0].quantity, Quantity{25});
    QCOMPARE(cancelled[0].reason, CancelReason::FillOrKill);
    QCOMPARE(engine.book().stateHash(), bookBefore);
    QCOMPARE(engine.liveOrderCount(), 2u);
    QCOMPARE(engine.tradeCount(), 0u);
}

void OrderTypesTest::fokFillsAcrossLevels()
{
    Engine engine(kInstrument);
    engine.submit(limitOrder(1, Side::Sell, 10, 100), Timestamp{1});
    engine.submit(limitOrder(2, Side::Sell, 10, 101), Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.submit(withTimeInForce(limitOrder(3, Side::Buy, 20, 101), TimeInForce::Fok),
                  Timestamp{2});

    const auto trades = recorder.all<Trade>();
    QCOMPARE(trades.size(), 2u);
    QCOMPARE(trades[0].maker, OrderId{1});
    QCOMPARE(trades[1].maker, OrderId{2});
    QVERIFY(recorder.all<OrderCancelled>().empty());
    QCOMPARE(engine.liveOrderCount(), 0u);
}

// Asks: 10 at 100 of account 2 (order 1), 10 at 100 of account 1 (order 2), 10 at 101 of
// account 3 (order 3). Account 1 sends a FOK buy limited at 101.
void OrderTypesTest::fokAndOwnOrders_data()
{
    QTest::addColumn<std::int64_t>("quantity");
    QTest::addColumn<SelfTradePrevention>("mode");
    QTest::addColumn<bool>("fills");
    QTest::addColumn<int>("trades");

    QTest::newRow("own order met before the size, cancel newest: killed")
        << std::int64_t{15} << SelfTradePrevention::CancelNewest << false << 0;
    QTest::newRow("own order met before the size, cancel both: killed")
        << std::int64_t{15} << SelfTradePrevention::CancelBoth << false << 0;
    QTest::newRow("own order met before the size, decrement: killed")
        << std::int64_t{15} << SelfTradePrevention::DecrementAndCancel << false << 0;
    QTest::newRow("own order skipped by cancel oldest: fills 10 + 5")
        << std::int64_t{15} << SelfTradePrevention::CancelOldest << true << 2;
    QTest::newRow("cancel oldest without enough other quantity: killed")
        << std::int64_t{25} << SelfTradePrevention::CancelOldest << false << 0;
    QTest::newRow("size reached before the own order: fills")
        << std::int64_t{10} << SelfTradePrevention::CancelNewest << true << 1;
}

void OrderTypesTest::fokAndOwnOrders()
{
    QFETCH(std::int64_t, quantity);
    QFETCH(SelfTradePrevention, mode);
    QFETCH(bool, fills);
    QFETCH(int, trades);

    Engine engine(kInstrument);
    engine.submit(withAccount(limitOrder(1, Side::Sell, 10, 100), 2), Timestamp{1});
    engine.submit(withAccount(limitOrder(2, Side::Sell, 10, 100), 1), Timestamp{1});
    engine.submit(withAccount(limitOrder(3, Side::Sell, 10, 101), 3), Timestamp{1});
    const std::uint64_t bookBefore = engine.book().stateHash();
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    NewOrder order = withAccount(limitOrder(4, Side::Buy, quantity, 101), 1);
    order.timeInForce = TimeInForce::Fok;
    order.selfTradePrevention = mode;
    engine.submit(order, Timestamp{2});

    QCOMPARE(int(recorder.all<Trade>().size()), trades);
    if (!fills) {
        QCOMPARE(recorder.types(),
                 (std::vector<EventType>{EventType::OrderAccepted, EventType::OrderCancelled}));
        QCOMPARE(recorder.all<OrderCancelled>()[0].reason, CancelReason::FillOrKill);
        QCOMPARE(engine.book().stateHash(), bookBefore);
        return;
    }
    QCOMPARE(engine.findOrder(OrderId{4}), nullptr);
    if (mode == SelfTradePrevention::CancelOldest) {
        const auto cancelled = recorder.all<OrderCancelled>();
        QCOMPARE(cancelled.size(), 1u);
        QCOMPARE(cancelled[0].id, OrderId{2});
        QCOMPARE(cancelled[0].reason, CancelReason::SelfTrade);
        QCOMPARE(engine.book().quantityAt(Side::Sell, Price{101}), Quantity{5});
    } else {
        QVERIFY(engine.findOrder(OrderId{2}) != nullptr);
    }
}

// An iceberg of 30 showing 10 rests ahead of an own order of 10. A FOK buy of 15 takes the
// iceberg's slice, whose refill goes behind the own order, so the own order comes next and
// kills it, although the iceberg alone has 30.
void OrderTypesTest::fokFollowsIcebergRefillOrder()
{
    Engine engine(kInstrument);
    engine.submit(withAccount(iceberg(1, Side::Sell, 30, 10, 100), 2), Timestamp{1});
    engine.submit(withAccount(limitOrder(2, Side::Sell, 10, 100), 1), Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    NewOrder killed = withAccount(limitOrder(3, Side::Buy, 15, 100), 1);
    killed.timeInForce = TimeInForce::Fok;
    engine.submit(killed, Timestamp{2});
    QCOMPARE(recorder.all<OrderCancelled>().size(), 1u);
    QCOMPARE(recorder.all<OrderCancelled>()[0].reason, CancelReason::FillOrKill);

    recorder.clear();
    NewOrder filled = withAccount(limitOrder(4, Side::Buy, 10, 100), 1);
    filled.timeInForce = TimeInForce::Fok;
    engine.submit(filled, Timestamp{3});
    QCOMPARE(recorder.all<Trade>().size(), 1u);
    QCOMPARE(recorder.all<Trade>()[0].maker, OrderId{1});
    QCOMPARE(recorder.all<OrderRefilled>().size(), 1u);
    QCOMPARE(idsAt(engine.book(), Side::Sell, 100), (std::vector<std::uint64_t>{2, 1}));
}

void OrderTypesTest::postOnlyRestsWhenNotCrossing()
{
    Engine engine(kInstrument);
    engine.submit(limitOrder(1, Side::Sell, 10, 101), Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    NewOrder order = limitOrder(2, Side::Buy, 10, 100);
    order.liquidity = Liquidity::PostOnly;
    engine.submit(order, Timestamp{2});

    QCOMPARE(recorder.types(),
             (std::vector<EventType>{EventType::OrderAccepted, EventType::OrderAdded}));
    QCOMPARE(engine.book().quantityAt(Side::Buy, Price{100}), Quantity{10});
}

void OrderTypesTest::postOnlyReplaceThatWouldTradeIsRejected()
{
    Engine engine(kInstrument);
    engine.submit(limitOrder(1, Side::Sell, 10, 101), Timestamp{1});
    NewOrder order = limitOrder(2, Side::Buy, 10, 100);
    order.liquidity = Liquidity::PostOnly;
    engine.submit(order, Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.replace(ReplaceOrder{OrderId{2}, Price{101}, Quantity{10}, Price{}}, Timestamp{2});

    const auto rejected = recorder.all<OrderRejected>();
    QCOMPARE(rejected.size(), 1u);
    QCOMPARE(rejected[0].reason, RejectReason::WouldTakeLiquidity);
    QCOMPARE(engine.book().quantityAt(Side::Buy, Price{100}), Quantity{10});
    QCOMPARE(engine.tradeCount(), 0u);
}

// The last trade is at 100. A buy stop at 102 parks, and a trade at 101 leaves it parked. The
// trade at 102 triggers it, and it enters as a market order.
void OrderTypesTest::stopParksUntilTradeReachesIt()
{
    Engine engine(kInstrument);
    printTrade(engine, 90, 100, Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.submit(stopOrder(1, Side::Buy, 5, 102), Timestamp{2});
    QCOMPARE(recorder.types(),
             (std::vector<EventType>{EventType::OrderAccepted, EventType::OrderParked}));
    QCOMPARE(engine.findOrder(OrderId{1})->type, OrderType::Stop);

    printTrade(engine, 92, 101, Timestamp{3});
    QVERIFY(recorder.all<StopTriggered>().empty());

    engine.submit(limitOrder(10, Side::Sell, 20, 103), Timestamp{4});
    recorder.clear();
    printTrade(engine, 94, 102, Timestamp{5});

    const auto triggered = recorder.all<StopTriggered>();
    QCOMPARE(triggered.size(), 1u);
    QCOMPARE(triggered[0].id, OrderId{1});
    QCOMPARE(triggered[0].lastTradePrice, Price{102});
    const auto trades = recorder.all<Trade>();
    QCOMPARE(trades.size(), 2u);
    QCOMPARE(trades[1].taker, OrderId{1});
    QCOMPARE(trades[1].price, Price{103});
    QCOMPARE(trades[1].quantity, Quantity{5});
    QCOMPARE(engine.book().quantityAt(Side::Sell, Price{103}), Quantity{15});
}

void OrderTypesTest::stopLimitRestsAtItsLimit()
{
    Engine engine(kInstrument);
    printTrade(engine, 90, 100, Timestamp{1});
    engine.submit(stopLimitOrder(1, Side::Sell, 5, 99, 98), Timestamp{2});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    printTrade(engine, 92, 99, Timestamp{3});

    QCOMPARE(recorder.all<StopTriggered>().size(), 1u);
    const auto added = recorder.all<OrderAdded>();
    QCOMPARE(added.back().id, OrderId{1});
    QCOMPARE(added.back().price, Price{98});
    QCOMPARE(added.back().quantity, Quantity{5});
    QCOMPARE(engine.findOrder(OrderId{1})->type, OrderType::Limit);
}

void OrderTypesTest::stopAlreadyReachedIsRejected_data()
{
    QTest::addColumn<Side>("side");
    QTest::addColumn<std::int64_t>("stop");
    QTest::addColumn<bool>("rejected");

    QTest::newRow("buy stop at the last price") << Side::Buy << std::int64_t{100} << true;
    QTest::newRow("buy stop below the last price") << Side::Buy << std::int64_t{99} << true;
    QTest::newRow("buy stop above the last price") << Side::Buy << std::int64_t{101} << false;
    QTest::newRow("sell stop at the last price") << Side::Sell << std::int64_t{100} << true;
    QTest::newRow("sell stop above the last price") << Side::Sell << std::int64_t{101} << true;
    QTest::newRow("sell stop below the last price") << Side::Sell << std::int64_t{99} << false;
}

void OrderTypesTest::stopAlreadyReachedIsRejected()
{
    QFETCH(Side, side);
    QFETCH(std::int64_t, stop);
    QFETCH(bool, rejected);

    Engine engine(kInstrument);
    printTrade(engine, 90, 100, Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.submit(stopOrder(1, side, 5, stop), Timestamp{2});

    QCOMPARE(recorder.all<OrderRejected>().size(), rejected ? 1u : 0u);
    if (rejected)
        QCOMPARE(recorder.all<OrderRejected>()[0].reason, RejectReason::InvalidStopPrice);
    else
        QCOMPARE(recorder.all<OrderParked>().size(), 1u);
}

// Last trade 100. Buy stops: order 10 at 102, then 11 at 101, then 12 at 103, each for one
// lot. A buy of 10 limited at 102 trades 5 at 101 and 5 at 102, which triggers 10 and 11 in
// acceptance order although 11's stop is lower. Order 10's fill at 103 then triggers 12, which
// queues behind 11. Each takes one lot of the ask at 103.
void OrderTypesTest::stopsTriggerInAcceptanceOrderAndCascade()
{
    Engine engine(kInstrument);
    printTrade(engine, 90, 100, Timestamp{1});
    engine.submit(limitOrder(1, Side::Sell, 5, 101), Timestamp{2});
    engine.submit(limitOrder(2, Side::Sell, 5, 102), Timestamp{2});
    engine.submit(limitOrder(3, Side::Sell, 5, 103), Timestamp{2});
    engine.submit(stopOrder(10, Side::Buy, 1, 102), Timestamp{3});
    engine.submit(stopOrder(11, Side::Buy, 1, 101), Timestamp{3});
    engine.submit(stopOrder(12, Side::Buy, 1, 103), Timestamp{3});
    engine.submit(stopOrder(13, Side::Sell, 1, 95), Timestamp{3});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.submit(limitOrder(20, Side::Buy, 10, 102), Timestamp{4});

    std::vector<std::uint64_t> triggeredIds;
    for (const StopTriggered &triggered : recorder.all<StopTriggered>())
        triggeredIds.push_back(triggered.id.value());
    QCOMPARE(triggeredIds, (std::vector<std::uint64_t>{10, 11, 12}));
    // Each shows the trade that reached its stop: 102 for order 10, the first trade at 101 for
    // order 11, and order 10's own fill at 103 for order 12.
    QCOMPARE(recorder.all<StopTriggered>()[0].lastTradePrice, Price{102});
    QCOMPARE(recorder.all<StopTriggered>()[1].lastTradePrice, Price{101});
    QCOMPARE(recorder.all<StopTriggered>()[2].lastTradePrice, Price{103});

    std::vector<std::uint64_t> takers;
    for (const Trade &trade : recorder.all<Trade>())
        takers.push_back(trade.taker.value());
    QCOMPARE(takers, (std::vector<std::uint64_t>{20, 20, 10, 11, 12}));
    QCOMPARE(engine.book().quantityAt(Side::Sell, Price{103}), Quantity{2});
    QVERIFY(engine.findOrder(OrderId{13}) != nullptr);
    QCOMPARE(recorder.commandEnds, 1);
}

// BUY L 1@100; SELL L 1@100 (last trade 100); BUY STOP-LIMIT 5 stop=105 limit=106 #3;
// CANCEL #3; SELL L 5@105 #4; BUY L 1@105: the cancel is accepted, the buy fills 1 at 105
// against #4, nothing triggers, and the ask is 105 x 4.
void OrderTypesTest::cancelOfParkedStopNeverTriggers()
{
    Engine engine(kInstrument);
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.submit(limitOrder(1, Side::Buy, 1, 100), Timestamp{1});
    engine.submit(limitOrder(2, Side::Sell, 1, 100), Timestamp{2});
    engine.submit(stopLimitOrder(3, Side::Buy, 5, 105, 106), Timestamp{3});
    engine.cancel(OrderId{3}, Timestamp{4});
    engine.submit(limitOrder(4, Side::Sell, 5, 105), Timestamp{5});
    engine.submit(limitOrder(5, Side::Buy, 1, 105), Timestamp{6});

    const auto cancelled = recorder.all<OrderCancelled>();
    QCOMPARE(cancelled.size(), 1u);
    QCOMPARE(cancelled[0].id, OrderId{3});
    QCOMPARE(cancelled[0].quantity, Quantity{5});
    QCOMPARE(cancelled[0].reason, CancelReason::Requested);
    QVERIFY(recorder.all<OrderRejected>().empty());

    const auto trades = recorder.all<Trade>();
    QCOMPARE(trades.size(), 2u);
    QCOMPARE(trades[1].maker, OrderId{4});
    QCOMPARE(trades[1].price, Price{105});
    QCOMPARE(trades[1].quantity, Quantity{1});
    QVERIFY(recorder.all<StopTriggered>().empty());
    QCOMPARE(engine.book().levelCount(Side::Sell), 1u);
    QCOMPARE(engine.book().level(Side::Sell, 0), (LevelSummary{Price{105}, Quantity{4}, 1}));
    QCOMPARE(engine.book().levelCount(Side::Buy), 0u);
}

// An iceberg of 30 showing 10 (order 1) rests ahead of order 2 with 10. A buy of 15 takes the
// slice of 10, the next slice of 10 joins the queue behind order 2, and 5 come from order 2.
void OrderTypesTest::icebergRefillJoinsBackOfQueue()
{
    Engine engine(kInstrument);
    engine.submit(iceberg(1, Side::Sell, 30, 10, 100), Timestamp{1});
    engine.submit(limitOrder(2, Side::Sell, 10, 100), Timestamp{1});
    QCOMPARE(engine.book().quantityAt(Side::Sell, Price{100}), Quantity{20});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.submit(limitOrder(3, Side::Buy, 15, 100), Timestamp{2});

    QCOMPARE(recorder.types(),
             (std::vector<EventType>{EventType::OrderAccepted, EventType::Trade,
                                     EventType::OrderRefilled, EventType::Trade}));
    const auto trades = recorder.all<Trade>();
    QCOMPARE(trades[0].maker, OrderId{1});
    QCOMPARE(trades[0].quantity, Quantity{10});
    QCOMPARE(trades[0].makerRemaining, Quantity{0});
    QCOMPARE(trades[1].maker, OrderId{2});
    QCOMPARE(trades[1].quantity, Quantity{5});
    const auto refilled = recorder.all<OrderRefilled>();
    QCOMPARE(refilled[0].displayed, Quantity{10});
    QCOMPARE(refilled[0].reserve, Quantity{10});
    QCOMPARE(idsAt(engine.book(), Side::Sell, 100), (std::vector<std::uint64_t>{2, 1}));
    QCOMPARE(engine.book().quantityAt(Side::Sell, Price{100}), Quantity{15});
}

void OrderTypesTest::incomingIcebergTakesWithFullSize()
{
    Engine engine(kInstrument);
    engine.submit(limitOrder(1, Side::Sell, 50, 100), Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.submit(iceberg(2, Side::Buy, 80, 10, 100), Timestamp{2});

    QCOMPARE(recorder.all<Trade>().size(), 1u);
    QCOMPARE(recorder.all<Trade>()[0].quantity, Quantity{50});
    const auto added = recorder.all<OrderAdded>();
    QCOMPARE(added.size(), 1u);
    QCOMPARE(added[0].quantity, Quantity{10});
    QCOMPARE(engine.findOrder(OrderId{2})->reserve(), Quantity{20});
    QCOMPARE(engine.book().quantityAt(Side::Buy, Price{100}), Quantity{10});
}

void OrderTypesTest::icebergReplaceCutsReserveFirst()
{
    Engine engine(kInstrument);
    engine.submit(iceberg(1, Side::Buy, 30, 10, 100), Timestamp{1});
    engine.submit(limitOrder(2, Side::Buy, 10, 100), Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.replace(ReplaceOrder{OrderId{1}, Price{100}, Quantity{15}, Price{}}, Timestamp{2});
    QCOMPARE(engine.findOrder(OrderId{1})->remaining, Quantity{10});
    QCOMPARE(engine.findOrder(OrderId{1})->reserve(), Quantity{5});

    engine.replace(ReplaceOrder{OrderId{1}, Price{100}, Quantity{5}, Price{}}, Timestamp{3});
    QCOMPARE(engine.findOrder(OrderId{1})->remaining, Quantity{5});
    QCOMPARE(engine.findOrder(OrderId{1})->reserve(), Quantity{0});

    const auto replaced = recorder.all<OrderReplaced>();
    QCOMPARE(replaced.size(), 2u);
    QCOMPARE(replaced[0].priority, QueuePriority::Kept);
    QCOMPARE(replaced[1].priority, QueuePriority::Kept);
    QCOMPARE(replaced[1].quantity, Quantity{5});
    QCOMPARE(idsAt(engine.book(), Side::Buy, 100), (std::vector<std::uint64_t>{1, 2}));
    QCOMPARE(engine.book().quantityAt(Side::Buy, Price{100}), Quantity{15});
}

// DAY orders, resting or parked, are cancelled as expired when the instrument closes, in id
// order; a GTC order stays; new orders are then rejected.
void OrderTypesTest::dayOrdersExpireAtClose()
{
    Engine engine(kInstrument);
    printTrade(engine, 90, 100, Timestamp{1});
    engine.submit(withTimeInForce(limitOrder(3, Side::Buy, 5, 99), TimeInForce::Day), Timestamp{2});
    engine.submit(limitOrder(1, Side::Buy, 5, 98), Timestamp{2});
    engine.submit(withTimeInForce(stopOrder(2, Side::Sell, 5, 95), TimeInForce::Day), Timestamp{2});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.setTradingStatus(kInstrument, TradingStatus::Closed, Timestamp{3});

    QCOMPARE(recorder.types(),
             (std::vector<EventType>{EventType::TradingStatusChanged, EventType::OrderCancelled,
                                     EventType::OrderCancelled}));
    const auto cancelled = recorder.all<OrderCancelled>();
    QCOMPARE(cancelled[0].id, OrderId{2});
    QCOMPARE(cancelled[1].id, OrderId{3});
    QCOMPARE(cancelled[0].reason, CancelReason::Expired);
    QCOMPARE(cancelled[1].reason, CancelReason::Expired);
    QVERIFY(engine.findOrder(OrderId{1}) != nullptr);
    QCOMPARE(engine.status(), TradingStatus::Closed);

    recorder.clear();
    engine.submit(limitOrder(4, Side::Buy, 5, 99), Timestamp{4});
    QCOMPARE(recorder.all<OrderRejected>().size(), 1u);
    QCOMPARE(recorder.all<OrderRejected>()[0].reason, RejectReason::InstrumentClosed);
}

// Orders expiring at 100 and 200: advancing the clock to 150 expires the first; a submit at 250
// expires the second before its own events.
void OrderTypesTest::gtdOrdersExpireWhenTimeReachesExpiry()
{
    Engine engine(kInstrument);
    engine.submit(withTimeInForce(limitOrder(1, Side::Buy, 5, 99), TimeInForce::Gtd, 100),
                  Timestamp{10});
    engine.submit(withTimeInForce(limitOrder(2, Side::Buy, 5, 98), TimeInForce::Gtd, 200),
                  Timestamp{10});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.advanceTime(Timestamp{99});
    QVERIFY(recorder.events.empty());
    engine.advanceTime(Timestamp{150});
    QCOMPARE(recorder.all<OrderCancelled>().size(), 1u);
    QCOMPARE(recorder.all<OrderCancelled>()[0].id, OrderId{1});
    QCOMPARE(recorder.all<OrderCancelled>()[0].reason, CancelReason::Expired);

    recorder.clear();
    engine.submit(limitOrder(3, Side::Sell, 5, 120), Timestamp{250});
    QCOMPARE(recorder.types(),
             (std::vector<EventType>{EventType::OrderCancelled, EventType::OrderAccepted,
                                     EventType::OrderAdded}));
    QCOMPARE(recorder.all<OrderCancelled>()[0].id, OrderId{2});
    QCOMPARE(recorder.commandEnds, 1);
    QCOMPARE(engine.book().levelCount(Side::Buy), 0u);
}

void OrderTypesTest::cancelReachesEveryState_data()
{
    QTest::addColumn<int>("state");
    QTest::addColumn<std::int64_t>("cancelledQuantity");

    QTest::newRow("resting limit") << 0 << std::int64_t{10};
    QTest::newRow("parked stop") << 1 << std::int64_t{7};
    QTest::newRow("iceberg with reserve") << 2 << std::int64_t{30};
}

void OrderTypesTest::cancelReachesEveryState()
{
    QFETCH(int, state);
    QFETCH(std::int64_t, cancelledQuantity);

    Engine engine(kInstrument);
    printTrade(engine, 90, 100, Timestamp{1});
    if (state == 0)
        engine.submit(limitOrder(1, Side::Buy, 10, 99), Timestamp{2});
    else if (state == 1)
        engine.submit(stopLimitOrder(1, Side::Buy, 7, 105, 106), Timestamp{2});
    else
        engine.submit(iceberg(1, Side::Buy, 30, 10, 99), Timestamp{2});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.cancel(OrderId{1}, Timestamp{3});

    const auto cancelled = recorder.all<OrderCancelled>();
    QCOMPARE(cancelled.size(), 1u);
    QCOMPARE(cancelled[0].quantity, Quantity{cancelledQuantity});
    QCOMPARE(cancelled[0].reason, CancelReason::Requested);
    QCOMPARE(engine.findOrder(OrderId{1}), nullptr);
    QCOMPARE(engine.book().levelCount(Side::Buy), 0u);
    QCOMPARE(engine.liveOrderCount(), 0u);
}

void OrderTypesTest::replaceSizeCutKeepsPriority()
{
    Engine engine(kInstrument);
    engine.submit(limitOrder(1, Side::Buy, 10, 100), Timestamp{1});
    engine.submit(limitOrder(2, Side::Buy, 10, 100), Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.replace(ReplaceOrder{OrderId{1}, Price{100}, Quantity{4}, Price{}}, Timestamp{2});

    QCOMPARE(recorder.types(), std::vector<EventType>{EventType::OrderReplaced});
    const OrderReplaced replaced = recorder.all<OrderReplaced>()[0];
    QCOMPARE(replaced.priority, QueuePriority::Kept);
    QCOMPARE(replaced.quantity, Quantity{4});
    QCOMPARE(idsAt(engine.book(), Side::Buy, 100), (std::vector<std::uint64_t>{1, 2}));
    QCOMPARE(engine.book().quantityAt(Side::Buy, Price{100}), Quantity{14});
}

void OrderTypesTest::replacePriceChangeLosesPriority()
{
    Engine engine(kInstrument);
    engine.submit(limitOrder(1, Side::Buy, 10, 100), Timestamp{1});
    engine.submit(limitOrder(2, Side::Buy, 10, 100), Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.replace(ReplaceOrder{OrderId{1}, Price{99}, Quantity{10}, Price{}}, Timestamp{2});
    engine.replace(ReplaceOrder{OrderId{1}, Price{100}, Quantity{10}, Price{}}, Timestamp{3});

    QCOMPARE(recorder.types(),
             (std::vector<EventType>{EventType::OrderReplaced, EventType::OrderAdded,
                                     EventType::OrderReplaced, EventType::OrderAdded}));
    QCOMPARE(recorder.all<OrderReplaced>()[0].priority, QueuePriority::Lost);
    QCOMPARE(recorder.all<OrderReplaced>()[0].previousPrice, Price{100});
    QCOMPARE(recorder.all<OrderAdded>()[0].price, Price{99});
    QCOMPARE(idsAt(engine.book(), Side::Buy, 100), (std::vector<std::uint64_t>{2, 1}));
}

void OrderTypesTest::replaceSizeIncreaseLosesPriority()
{
    Engine engine(kInstrument);
    engine.submit(limitOrder(1, Side::Buy, 10, 100), Timestamp{1});
    engine.submit(limitOrder(2, Side::Buy, 10, 100), Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.replace(ReplaceOrder{OrderId{1}, Price{}, Quantity{12}, Price{}}, Timestamp{2});

    QCOMPARE(recorder.all<OrderReplaced>()[0].priority, QueuePriority::Lost);
    QCOMPARE(idsAt(engine.book(), Side::Buy, 100), (std::vector<std::uint64_t>{2, 1}));
    QCOMPARE(engine.book().quantityAt(Side::Buy, Price{100}), Quantity{22});
}

// A bid moved up to the ask trades with it like a new order, and its rest joins the new level.
void OrderTypesTest::replaceThatCrossesTrades()
{
    Engine engine(kInstrument);
    engine.submit(limitOrder(1, Side::Buy, 10, 100), Timestamp{1});
    engine.submit(limitOrder(3, Side::Sell, 4, 102), Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.replace(ReplaceOrder{OrderId{1}, Price{102}, Quantity{10}, Price{}}, Timestamp{2});

    QCOMPARE(recorder.types(), (std::vector<EventType>{EventType::OrderReplaced, EventType::Trade,
                                                       EventType::OrderAdded}));
    QCOMPARE(recorder.all<Trade>()[0].taker, OrderId{1});
    QCOMPARE(recorder.all<Trade>()[0].quantity, Quantity{4});
    QCOMPARE(recorder.all<OrderAdded>()[0].quantity, Quantity{6});
    QCOMPARE(engine.book().level(Side::Buy, 0), (LevelSummary{Price{102}, Quantity{6}, 1}));
}

// Two buy stops at 101: order 1 parked first, order 2 second. Replacing order 1's stop to 101
// again with a new size moves it behind order 2, so a trade at 101 triggers 2 first.
void OrderTypesTest::replaceOfParkedStopMovesItBack()
{
    Engine engine(kInstrument);
    printTrade(engine, 90, 100, Timestamp{1});
    engine.submit(stopOrder(1, Side::Buy, 1, 101), Timestamp{2});
    engine.submit(stopOrder(2, Side::Buy, 1, 101), Timestamp{2});
    engine.submit(limitOrder(3, Side::Sell, 10, 102), Timestamp{2});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.replace(ReplaceOrder{OrderId{1}, Price{}, Quantity{2}, Price{}}, Timestamp{3});
    const OrderReplaced replaced = recorder.all<OrderReplaced>()[0];
    QCOMPARE(replaced.priority, QueuePriority::Lost);
    QCOMPARE(replaced.stopPrice, Price{101});
    QCOMPARE(replaced.quantity, Quantity{2});

    printTrade(engine, 92, 101, Timestamp{4});
    const auto triggered = recorder.all<StopTriggered>();
    QCOMPARE(triggered.size(), 2u);
    QCOMPARE(triggered[0].id, OrderId{2});
    QCOMPARE(triggered[1].id, OrderId{1});
    QCOMPARE(engine.book().quantityAt(Side::Sell, Price{102}), Quantity{7});
}

// Band 10% around the reference 1000: 900 to 1100. After a trade at 1050 it is 945 to 1155, so
// order 1 at 900 lies outside it, but a size change keeps its price and passes.
void OrderTypesTest::replaceKeepingPriceIgnoresMovedBand()
{
    constexpr InstrumentId banded{2};
    InstrumentDefinition definition;
    definition.id = banded;
    definition.priceBandBasisPoints = 1000;
    definition.referencePrice = Price{1000};
    Engine engine;
    engine.addInstrument(definition, Timestamp{0});
    const auto onBanded = [banded](NewOrder order) {
        order.instrument = banded;
        return order;
    };
    engine.submit(onBanded(limitOrder(1, Side::Buy, 100, 900)), Timestamp{1});
    engine.submit(onBanded(limitOrder(2, Side::Sell, 1, 1050)), Timestamp{1});
    engine.submit(onBanded(limitOrder(3, Side::Buy, 1, 1050)), Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.replace(ReplaceOrder{OrderId{1}, Price{900}, Quantity{50}, Price{}}, Timestamp{2});
    engine.replace(ReplaceOrder{OrderId{1}, Price{900}, Quantity{150}, Price{}}, Timestamp{3});
    engine.replace(ReplaceOrder{OrderId{1}, Price{944}, Quantity{150}, Price{}}, Timestamp{4});

    const auto replaced = recorder.all<OrderReplaced>();
    QCOMPARE(replaced.size(), 2u);
    QCOMPARE(replaced[0].priority, QueuePriority::Kept);
    QCOMPARE(replaced[0].quantity, Quantity{50});
    QCOMPARE(replaced[1].priority, QueuePriority::Lost);
    QCOMPARE(replaced[1].quantity, Quantity{150});
    const auto rejected = recorder.all<OrderRejected>();
    QCOMPARE(rejected.size(), 1u);
    QCOMPARE(rejected[0].reason, RejectReason::OutsidePriceBand);
    QCOMPARE(engine.book(banded)->quantityAt(Side::Buy, Price{900}), Quantity{150});
}

void OrderTypesTest::replaceRejections_data()
{
    QTest::addColumn<std::uint64_t>("id");
    QTest::addColumn<std::int64_t>("price");
    QTest::addColumn<std::int64_t>("quantity");
    QTest::addColumn<std::int64_t>("stop");
    QTest::addColumn<RejectReason>("reason");

    QTest::newRow("unknown order") << std::uint64_t{9} << std::int64_t{100} << std::int64_t{5}
                                   << std::int64_t{0} << RejectReason::UnknownOrder;
    QTest::newRow("zero quantity") << std::uint64_t{1} << std::int64_t{100} << std::int64_t{0}
                                   << std::int64_t{0} << RejectReason::InvalidQuantity;
    QTest::newRow("negative price") << std::uint64_t{1} << std::int64_t{-5} << std::int64_t{5}
                                    << std::int64_t{0} << RejectReason::InvalidPrice;
    QTest::newRow("stop already reached") << std::uint64_t{2} << std::int64_t{0} << std::int64_t{5}
                                          << std::int64_t{99} << RejectReason::InvalidStopPrice;
    // Order 1 is a limit order, which has no stop price, and order 2 a stop order that enters
    // as a market order, which has no limit price.
    QTest::newRow("stop price for a limit order")
        << std::uint64_t{1} << std::int64_t{98} << std::int64_t{10} << std::int64_t{95}
        << RejectReason::InvalidStopPrice;
    QTest::newRow("limit price for a stop order")
        << std::uint64_t{2} << std::int64_t{106} << std::int64_t{10} << std::int64_t{0}
        << RejectReason::InvalidPrice;
}

void OrderTypesTest::replaceRejections()
{
    QFETCH(std::uint64_t, id);
    QFETCH(std::int64_t, price);
    QFETCH(std::int64_t, quantity);
    QFETCH(std::int64_t, stop);
    QFETCH(RejectReason, reason);

    Engine engine(kInstrument);
    printTrade(engine, 90, 100, Timestamp{1});
    NewOrder resting = withAccount(limitOrder(1, Side::Buy, 10, 98), 4);
    resting.clientOrderId = ClientOrderId{41};
    engine.submit(resting, Timestamp{2});
    engine.submit(stopOrder(2, Side::Buy, 10, 105), Timestamp{2});
    const std::uint64_t bookBefore = engine.book().stateHash();
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.replace(ReplaceOrder{OrderId{id}, Price{price}, Quantity{quantity}, Price{stop}},
                   Timestamp{3});

    QCOMPARE(recorder.types(), std::vector<EventType>{EventType::OrderRejected});
    const OrderRejected rejected = recorder.all<OrderRejected>()[0];
    QCOMPARE(rejected.id, OrderId{id});
    QCOMPARE(rejected.reason, reason);
    if (id == 1) {
        QCOMPARE(rejected.clientOrderId, ClientOrderId{41});
        QCOMPARE(rejected.account, AccountId{4});
    }
    QCOMPARE(engine.book().stateHash(), bookBefore);
    QCOMPARE(engine.findOrder(OrderId{1})->remaining, Quantity{10});
    QCOMPARE(engine.findOrder(OrderId{2})->stopPrice(), Price{105});
    QCOMPARE(recorder.commandEnds, 1);
}

QTEST_APPLESS_MAIN(OrderTypesTest)
#include "tst_order_types.moc"

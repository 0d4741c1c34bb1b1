#include "engine.h"
#include "engine_printers.h"
#include "engine_test_support.h"

#include <QTest>

#include <random>
#include <vector>

using namespace bourse;

namespace {

class EventRecorder : public EventHandler {
public:
    void onEvent(const Event &event) override { events.push_back(event); }

    template <typename T>
    std::vector<T> all() const
    {
        std::vector<T> found;
        for (const Event &event : events) {
            if (const auto *payload = std::get_if<T>(&event.payload))
                found.push_back(*payload);
        }
        return found;
    }

    std::vector<Event> events;
};

NewOrder limit(std::uint64_t id, Side side, std::int64_t quantity, std::int64_t price)
{
    return NewOrder{
        .id = OrderId{id}, .side = side, .limit = Price{price}, .quantity = Quantity{quantity}};
}

NewOrder market(std::uint64_t id, Side side, std::int64_t quantity)
{
    return NewOrder{
        .id = OrderId{id}, .side = side, .quantity = Quantity{quantity}, .type = OrderType::Market};
}

std::vector<std::uint64_t> idsAt(const Engine &engine, Side side, std::int64_t price)
{
    std::vector<std::uint64_t> ids;
    for (const Order *order : engine.book().ordersAt(side, Price{price}))
        ids.push_back(order->id.value());
    return ids;
}

constexpr std::uint64_t A = 1, B = 2, C = 3;

using test::EngineRecorder;
using test::fieldsOf;
using test::limitOrder;
using test::marketOrder;
using test::stopLimitOrder;
using test::stopOrder;
using test::withAccount;
using test::withInstrument;

// Instrument 5 has tick 5, lot 10, sizes from 20 to 1000 and a band of 10% around 1000, so
// limit prices from 900 to 1100 pass. Instrument 6 is closed, 8 is in its pre-open call, 9 is
// trading with an empty book.
constexpr InstrumentId kBanded{5}, kClosed{6}, kPreOpen{8}, kEmpty{9};

InstrumentDefinition definitionOf(InstrumentId id, TradingStatus status = TradingStatus::Trading)
{
    InstrumentDefinition definition;
    definition.id = id;
    definition.initialStatus = status;
    return definition;
}

InstrumentDefinition bandedDefinition()
{
    InstrumentDefinition definition = definitionOf(kBanded);
    definition.tickSize = Price{5};
    definition.lotSize = Quantity{10};
    definition.minimumQuantity = Quantity{20};
    definition.maximumQuantity = Quantity{1000};
    definition.priceBandBasisPoints = 1000;
    definition.referencePrice = Price{1000};
    return definition;
}

// Resting on instrument 5: a sell of 100 at 1050 (order 1, account 7, client id 70) and a
// buy of 100 at 950 (order 2).
void setUpRejectionEngine(Engine &engine)
{
    engine.addInstrument(bandedDefinition(), Timestamp{0});
    engine.addInstrument(definitionOf(kClosed, TradingStatus::Closed), Timestamp{0});
    engine.addInstrument(definitionOf(kPreOpen, TradingStatus::PreOpen), Timestamp{0});
    engine.addInstrument(definitionOf(kEmpty), Timestamp{0});
    NewOrder sell = withAccount(limitOrder(1, Side::Sell, 100, 1050), 7);
    sell.instrument = kBanded;
    sell.clientOrderId = ClientOrderId{70};
    engine.submit(sell, Timestamp{1});
    NewOrder buy = limitOrder(2, Side::Buy, 100, 950);
    buy.instrument = kBanded;
    engine.submit(buy, Timestamp{1});
}

// A valid buy on instrument 5 that each rejection row changes in one way.
NewOrder validOrder()
{
    NewOrder order = withAccount(limitOrder(50, Side::Buy, 100, 1000), 3);
    order.instrument = kBanded;
    order.clientOrderId = ClientOrderId{31};
    return order;
}

// A session that produces every kind of event the engine records. It adds instruments and
// accounts, enters every order type and time in force, icebergs and stops, replaces orders and
// meets every self-trade prevention mode. It also expires orders, cancels in bulk, runs an
// auction and applies replayed market data to the primary book.
void runRichSession(Engine &engine)
{
    InstrumentDefinition primary = definitionOf(InstrumentId{1});
    primary.symbol = {'A', 'C', 'M', 'E'};
    engine.addInstrument(primary, Timestamp{1});
    engine.addInstrument(definitionOf(InstrumentId{2}, TradingStatus::PreOpen), Timestamp{1});
    engine.configureAccount(AccountConfigured{AccountId{1}, SelfTradePrevention::CancelOldest},
                            Timestamp{1});

    // Continuous trading on instrument 1.
    engine.submit(limitOrder(1, Side::Buy, 10, 100), Timestamp{2});
    engine.submit(limitOrder(2, Side::Sell, 4, 100), Timestamp{2}); // last trade 100
    NewOrder iceberg = withAccount(limitOrder(3, Side::Sell, 30, 102), 2);
    iceberg.displayQuantity = Quantity{10};
    engine.submit(iceberg, Timestamp{3});
    engine.submit(limitOrder(4, Side::Sell, 5, 102), Timestamp{3});
    engine.submit(stopOrder(5, Side::Buy, 2, 102), Timestamp{4});
    engine.submit(stopLimitOrder(6, Side::Buy, 3, 103, 104), Timestamp{4});
    NewOrder day = limitOrder(7, Side::Buy, 5, 99);
    day.timeInForce = TimeInForce::Day;
    engine.submit(day, Timestamp{4});
    NewOrder gtd = withAccount(limitOrder(8, Side::Buy, 5, 98), 1);
    gtd.timeInForce = TimeInForce::Gtd;
    gtd.expiry = Timestamp{50};
    gtd.clientOrderId = ClientOrderId{801};
    engine.submit(gtd, Timestamp{4});
    engine.submit(limitOrder(9, Side::Buy, 12, 102), Timestamp{5}); // refill, stops trigger
    NewOrder protectedMarket = marketOrder(10, Side::Buy, 40);
    protectedMarket.protectionPrice = Price{103};
    engine.submit(protectedMarket, Timestamp{6});
    NewOrder killed = limitOrder(11, Side::Sell, 100, 90);
    killed.timeInForce = TimeInForce::Fok;
    engine.submit(killed, Timestamp{6});
    NewOrder ioc = limitOrder(12, Side::Sell, 3, 99);
    ioc.timeInForce = TimeInForce::Ioc;
    engine.submit(ioc, Timestamp{6});
    NewOrder postOnly = limitOrder(13, Side::Sell, 6, 110);
    postOnly.liquidity = Liquidity::PostOnly;
    engine.submit(postOnly, Timestamp{6});

    // Replaces, self-trade prevention of every kind, rejections.
    engine.replace(ReplaceOrder{OrderId{13}, Price{110}, Quantity{4}, Price{}}, Timestamp{7});
    engine.replace(ReplaceOrder{OrderId{7}, Price{98}, Quantity{5}, Price{}}, Timestamp{7});
    engine.submit(withAccount(limitOrder(14, Side::Sell, 8, 111), 1), Timestamp{7});
    engine.submit(withAccount(limitOrder(15, Side::Sell, 2, 111), 3), Timestamp{7});
    engine.submit(withAccount(limitOrder(16, Side::Buy, 5, 111), 1), Timestamp{8}); // cancel oldest
    engine.submit(withAccount(limitOrder(18, Side::Sell, 9, 115), 1), Timestamp{8});
    NewOrder decrementing = withAccount(limitOrder(19, Side::Buy, 4, 115), 1);
    decrementing.selfTradePrevention = SelfTradePrevention::DecrementAndCancel;
    engine.submit(decrementing, Timestamp{8});
    NewOrder decrementedTaker = withAccount(limitOrder(22, Side::Buy, 10, 115), 1);
    decrementedTaker.selfTradePrevention = SelfTradePrevention::DecrementAndCancel;
    engine.submit(decrementedTaker, Timestamp{8}); // reduced by 6, rests 4
    engine.submit(limitOrder(23, Side::Sell, 3, 130), Timestamp{8});
    engine.submit(limitOrder(24, Side::Sell, 3, 135), Timestamp{8});
    NewOrder limited = marketOrder(25, Side::Buy, 5);
    limited.protectionPrice = Price{130};
    engine.submit(limited, Timestamp{8}); // 3 at 130, 2 cancelled at the protection price
    engine.submit(withAccount(limitOrder(26, Side::Sell, 2, 140), 6), Timestamp{8});
    NewOrder both = withAccount(limitOrder(27, Side::Buy, 5, 140), 6);
    both.selfTradePrevention = SelfTradePrevention::CancelBoth;
    engine.submit(both, Timestamp{8}); // 3 from order 24, then 26 and 27 cancelled
    engine.submit(stopOrder(20, Side::Sell, 1, 90), Timestamp{8});
    engine.replace(ReplaceOrder{OrderId{20}, Price{}, Quantity{2}, Price{91}}, Timestamp{8});
    engine.cancel(OrderId{999}, Timestamp{8});
    engine.submit(limitOrder(0, Side::Buy, 0, 100), Timestamp{8});

    // Instrument 2: orders in the call, then the auction opens it.
    NewOrder callBuy = withInstrument(withAccount(limitOrder(30, Side::Buy, 10, 201), 4), 2);
    NewOrder callIceberg = withInstrument(withAccount(limitOrder(31, Side::Sell, 25, 200), 5), 2);
    callIceberg.displayQuantity = Quantity{5};
    NewOrder callStop = withInstrument(stopOrder(32, Side::Sell, 2, 199), 2);
    NewOrder callBid = withInstrument(limitOrder(33, Side::Buy, 4, 199), 2);
    for (const NewOrder &order : {callBuy, callIceberg, callStop, callBid})
        engine.submit(order, Timestamp{9});
    engine.setTradingStatus(InstrumentId{2}, TradingStatus::Trading, Timestamp{10});

    // Replayed data on the primary book, expiry, a mass cancel and the close.
    engine.applyAdd(OrderId{500}, Side::Sell, Price{120}, Quantity{7}, Timestamp{11});
    engine.applyExecution(OrderId{500}, Quantity{2}, Timestamp{11});
    engine.applyReduce(OrderId{500}, Quantity{1}, Timestamp{11});
    engine.applyUnseenTrade(Side::Buy, Price{119}, Quantity{3}, Timestamp{11});
    engine.advanceTime(Timestamp{60});
    engine.massCancel(MassCancel{AccountId{1}, InstrumentId{}}, Timestamp{61});
    engine.setTradingStatus(InstrumentId{1}, TradingStatus::Closed, Timestamp{62});
    engine.submit(limitOrder(0, Side::Buy, 5, 101), Timestamp{63}); // rejected: closed
    engine.submit(
        [] {
            NewOrder order = withInstrument(limitOrder(0, Side::Buy, 5, 198), 2);
            return order;
        }(),
        Timestamp{63});
}

} // namespace

Q_DECLARE_METATYPE(bourse::NewOrder)

class MatchingTest : public QObject {
    Q_OBJECT

private slots:
    void cancelOfCancelledOrderIsRejectedAsUnknown();
    void fillsTakeTheMakerPrice();
    void buyLimitedAtMakerPriceNeverPaysMore();
    void limitTradesFromOppositeBestPriceOnly();
    void priceThenTimePriority();
    void partialFillRestsRemainder();
    void marketOrderRemainderIsCancelled();
    void invalidOrdersAreRejected_data();
    void invalidOrdersAreRejected();
    void replayedMessagesChangeBookWithoutMatching();
    void replayedMessagesForMissingOrdersChangeNothing();
    void restoreRebuildsTheSameState();
    void restoreRejectsEventsOutOfSequence();
    void everyRejectReason_data();
    void everyRejectReason();
    void validOrderAtBandEdgesIsAccepted();
    void priceBandIsExactForLargePrices_data();
    void priceBandIsExactForLargePrices();
    void orderIdsAreAssigned();
    void clientOrderIdStaysUsedAfterOrderLeaves();
    void selfTradePrevention_data();
    void selfTradePrevention();
    void accountZeroNeverSelfTrades();
    void massCancelScopes_data();
    void massCancelScopes();
    void instrumentsHaveSeparateBooks();
    void primaryFoundByZeroAndByItsId();
    void invalidInstrumentDefinitions_data();
    void invalidInstrumentDefinitions();
    void everyCommandEndsOnce();
    void handlersAddedAndRemovedGetTheirShare();
    void sameCommandsGiveSameEvents();
    void restoreRebuildsRichSessionAtEveryEvent();
    void restoreRejectsEventsThatDoNotFit();
    void randomSessionsKeepInvariants();
};

// A lookup that misses must report "not found" and never touch a neighbour in the queue.
void MatchingTest::cancelOfCancelledOrderIsRejectedAsUnknown()
{
    Engine engine(InstrumentId{1});
    EventRecorder recorder;
    engine.addHandler(&recorder);

    engine.submit(limit(A, Side::Sell, 100, 1251), Timestamp{1});
    engine.submit(limit(B, Side::Sell, 100, 1251), Timestamp{2});
    engine.submit(limit(C, Side::Sell, 100, 1252), Timestamp{3});
    engine.cancel(OrderId{B}, Timestamp{4});
    engine.cancel(OrderId{B}, Timestamp{5});

    const auto cancelled = recorder.all<OrderCancelled>();
    QCOMPARE(cancelled.size(), 1u);
    QCOMPARE(cancelled[0].id, OrderId{B});
    QCOMPARE(cancelled[0].quantity, Quantity{100});

    const auto rejected = recorder.all<OrderRejected>();
    QCOMPARE(rejected.size(), 1u);
    QCOMPARE(rejected[0].id, OrderId{B});
    QCOMPARE(rejected[0].reason, RejectReason::UnknownOrder);

    QCOMPARE(engine.book().levelCount(Side::Sell), 2u);
    QCOMPARE(engine.book().level(Side::Sell, 0), (LevelSummary{Price{1251}, Quantity{100}, 1}));
    QCOMPARE(engine.book().level(Side::Sell, 1), (LevelSummary{Price{1252}, Quantity{100}, 1}));
    QCOMPARE(idsAt(engine, Side::Sell, 1251), std::vector<std::uint64_t>{A});
    QCOMPARE(idsAt(engine, Side::Sell, 1252), std::vector<std::uint64_t>{C});
}

// A resting sell at 5 is hit by buys limited at 5, at 99999999, by a market buy and by a buy
// at 7: every fill is at 5.
void MatchingTest::fillsTakeTheMakerPrice()
{
    Engine engine(InstrumentId{1});
    EventRecorder recorder;
    engine.addHandler(&recorder);

    engine.submit(limit(10, Side::Sell, 100, 5), Timestamp{1});
    engine.submit(limit(11, Side::Buy, 10, 5), Timestamp{2});
    engine.submit(limit(12, Side::Buy, 20, 99999999), Timestamp{3});
    engine.submit(market(13, Side::Buy, 30), Timestamp{4});
    engine.submit(limit(14, Side::Buy, 40, 7), Timestamp{5});

    const auto trades = recorder.all<Trade>();
    QCOMPARE(trades.size(), 4u);
    const std::int64_t expectedQuantities[] = {10, 20, 30, 40};
    for (std::size_t i = 0; i < trades.size(); ++i) {
        QCOMPARE(trades[i].price, Price{5});
        QCOMPARE(trades[i].maker, OrderId{10});
        QCOMPARE(trades[i].quantity, Quantity{expectedQuantities[i]});
        QCOMPARE(trades[i].aggressor, Side::Buy);
    }
    QCOMPARE(trades.back().makerRemaining, Quantity{0});
    QCOMPARE(engine.book().levelCount(Side::Sell), 0u);
    QCOMPARE(engine.book().levelCount(Side::Buy), 0u);
}

void MatchingTest::buyLimitedAtMakerPriceNeverPaysMore()
{
    Engine engine(InstrumentId{1});
    EventRecorder recorder;
    engine.addHandler(&recorder);

    engine.submit(limit(10, Side::Sell, 5, 5), Timestamp{1});
    engine.submit(limit(11, Side::Sell, 5, 6), Timestamp{2});
    engine.submit(limit(12, Side::Buy, 8, 5), Timestamp{3});

    const auto trades = recorder.all<Trade>();
    QCOMPARE(trades.size(), 1u);
    QCOMPARE(trades[0].price, Price{5});
    QCOMPARE(trades[0].quantity, Quantity{5});
    QCOMPARE(engine.book().bestPrice(Side::Buy), std::optional<Price>(Price{5}));
    QCOMPARE(engine.book().quantityAt(Side::Buy, Price{5}), Quantity{3});
    QCOMPARE(engine.book().quantityAt(Side::Sell, Price{6}), Quantity{5});
}

// On both sides, a limit order one tick short of the other side's best price rests, and one at
// that price trades there.
void MatchingTest::limitTradesFromOppositeBestPriceOnly()
{
    Engine engine(InstrumentId{1});
    EventRecorder recorder;
    engine.addHandler(&recorder);
    QVERIFY(!engine.book().reaches(Side::Buy, kMaximumPrice));
    QVERIFY(!engine.book().reaches(Side::Sell, Price{1}));

    engine.submit(limit(1, Side::Sell, 10, 100), Timestamp{1});
    engine.submit(limit(2, Side::Buy, 10, 90), Timestamp{2});
    engine.submit(limit(3, Side::Buy, 1, 99), Timestamp{3});
    engine.submit(limit(4, Side::Sell, 1, 100), Timestamp{4});
    QVERIFY(recorder.all<Trade>().empty());
    QVERIFY(!engine.book().reaches(Side::Buy, Price{99}));
    QVERIFY(engine.book().reaches(Side::Buy, Price{100}));
    QVERIFY(!engine.book().reaches(Side::Sell, Price{100}));
    QVERIFY(engine.book().reaches(Side::Sell, Price{99}));

    engine.submit(limit(5, Side::Buy, 1, 100), Timestamp{5});
    engine.submit(limit(6, Side::Sell, 1, 99), Timestamp{6});
    const auto trades = recorder.all<Trade>();
    QCOMPARE(trades.size(), 2u);
    QCOMPARE(trades[0].maker, OrderId{1});
    QCOMPARE(trades[0].taker, OrderId{5});
    QCOMPARE(trades[0].price, Price{100});
    QCOMPARE(trades[1].maker, OrderId{3});
    QCOMPARE(trades[1].taker, OrderId{6});
    QCOMPARE(trades[1].price, Price{99});
}

void MatchingTest::priceThenTimePriority()
{
    Engine engine(InstrumentId{1});
    EventRecorder recorder;
    engine.addHandler(&recorder);

    engine.submit(limit(1, Side::Buy, 10, 100), Timestamp{1});
    engine.submit(limit(2, Side::Buy, 10, 101), Timestamp{2});
    engine.submit(limit(3, Side::Buy, 10, 101), Timestamp{3});
    engine.submit(limit(4, Side::Sell, 25, 100), Timestamp{4});

    const auto trades = recorder.all<Trade>();
    QCOMPARE(trades.size(), 3u);
    QCOMPARE(trades[0].maker, OrderId{2});
    QCOMPARE(trades[0].price, Price{101});
    QCOMPARE(trades[1].maker, OrderId{3});
    QCOMPARE(trades[1].price, Price{101});
    QCOMPARE(trades[2].maker, OrderId{1});
    QCOMPARE(trades[2].price, Price{100});
    QCOMPARE(trades[2].quantity, Quantity{5});
    QCOMPARE(trades[2].makerRemaining, Quantity{5});
    QCOMPARE(engine.book().level(Side::Buy, 0), (LevelSummary{Price{100}, Quantity{5}, 1}));
}

void MatchingTest::partialFillRestsRemainder()
{
    Engine engine(InstrumentId{1});
    EventRecorder recorder;
    engine.addHandler(&recorder);

    engine.submit(limit(1, Side::Sell, 30, 200), Timestamp{1});
    engine.submit(limit(2, Side::Buy, 50, 201), Timestamp{2});

    // Accepted and added for the sell, then accepted, one trade and the rest added.
    QCOMPARE(recorder.events.size(), 5u);
    QCOMPARE(typeOf(recorder.events[2].payload), EventType::OrderAccepted);
    QCOMPARE(typeOf(recorder.events[3].payload), EventType::Trade);
    QCOMPARE(typeOf(recorder.events[4].payload), EventType::OrderAdded);
    const auto added = std::get<OrderAdded>(recorder.events[4].payload);
    QCOMPARE(added.price, Price{201});
    QCOMPARE(added.quantity, Quantity{20});
    for (std::size_t i = 0; i < recorder.events.size(); ++i)
        QCOMPARE(recorder.events[i].sequence, SequenceNumber{i + 1});
    QCOMPARE(engine.lastSequence(), SequenceNumber{5});
}

void MatchingTest::marketOrderRemainderIsCancelled()
{
    Engine engine(InstrumentId{1});
    EventRecorder recorder;
    engine.addHandler(&recorder);

    engine.submit(limit(1, Side::Buy, 30, 99), Timestamp{1});
    engine.submit(market(2, Side::Sell, 50), Timestamp{2});

    const auto trades = recorder.all<Trade>();
    QCOMPARE(trades.size(), 1u);
    QCOMPARE(trades[0].quantity, Quantity{30});
    const auto cancelled = recorder.all<OrderCancelled>();
    QCOMPARE(cancelled.size(), 1u);
    QCOMPARE(cancelled[0].id, OrderId{2});
    QCOMPARE(cancelled[0].quantity, Quantity{20});
    QCOMPARE(cancelled[0].reason, CancelReason::Unfilled);
    QCOMPARE(engine.book().orderCount(), 0u);
}

void MatchingTest::invalidOrdersAreRejected_data()
{
    QTest::addColumn<qint64>("quantity");
    QTest::addColumn<int>("price");
    QTest::addColumn<bool>("isMarket");
    QTest::addColumn<std::uint64_t>("id");
    QTest::addColumn<RejectReason>("reason");

    QTest::newRow("zero quantity")
        << qint64(0) << 100 << false << std::uint64_t{5} << RejectReason::InvalidQuantity;
    QTest::newRow("negative quantity")
        << qint64(-3) << 100 << false << std::uint64_t{5} << RejectReason::InvalidQuantity;
    QTest::newRow("zero limit price")
        << qint64(10) << 0 << false << std::uint64_t{5} << RejectReason::InvalidPrice;
    QTest::newRow("quantity above the maximum")
        << qint64(1'000'000'000'001) << 100 << false << std::uint64_t{5}
        << RejectReason::InvalidQuantity;
    QTest::newRow("id of a live order")
        << qint64(10) << 100 << false << std::uint64_t{1} << RejectReason::DuplicateOrderId;
    QTest::newRow("market into empty side")
        << qint64(10) << 0 << true << std::uint64_t{5} << RejectReason::NoLiquidity;
}

void MatchingTest::invalidOrdersAreRejected()
{
    QFETCH(qint64, quantity);
    QFETCH(int, price);
    QFETCH(bool, isMarket);
    QFETCH(std::uint64_t, id);
    QFETCH(RejectReason, reason);

    Engine engine(InstrumentId{1});
    engine.submit(limit(1, Side::Buy, 10, 90), Timestamp{1});
    EventRecorder recorder;
    engine.addHandler(&recorder);
    const std::uint64_t hashBefore = engine.book().stateHash();

    NewOrder order =
        isMarket ? market(id, Side::Buy, quantity) : limit(id, Side::Buy, quantity, price);
    engine.submit(order, Timestamp{2});

    QCOMPARE(recorder.events.size(), 1u);
    const auto rejected = recorder.all<OrderRejected>();
    QCOMPARE(rejected.size(), 1u);
    QCOMPARE(rejected[0].reason, reason);
    QCOMPARE(engine.book().stateHash(), hashBefore);
}

void MatchingTest::replayedMessagesChangeBookWithoutMatching()
{
    Engine engine(InstrumentId{1});
    EventRecorder recorder;
    engine.addHandler(&recorder);

    QCOMPARE(engine.applyAdd(OrderId{1}, Side::Buy, Price{100}, Quantity{50}, Timestamp{1}),
             ApplyResult::Applied);
    // A crossing add rests as the exchange reported it; replay never matches.
    QCOMPARE(engine.applyAdd(OrderId{2}, Side::Sell, Price{99}, Quantity{10}, Timestamp{2}),
             ApplyResult::Applied);
    QCOMPARE(engine.applyReduce(OrderId{1}, Quantity{20}, Timestamp{3}), ApplyResult::Applied);
    QCOMPARE(engine.applyExecution(OrderId{1}, Quantity{5}, Timestamp{4}), ApplyResult::Applied);
    QCOMPARE(engine.applyDelete(OrderId{2}, Timestamp{5}), ApplyResult::Applied);

    QCOMPARE(engine.book().quantityAt(Side::Buy, Price{100}), Quantity{25});
    QCOMPARE(engine.book().levelCount(Side::Sell), 0u);
    const auto trades = recorder.all<Trade>();
    QCOMPARE(trades.size(), 1u);
    QCOMPARE(trades[0].maker, OrderId{1});
    QCOMPARE(trades[0].aggressor, Side::Sell);
    QCOMPARE(trades[0].price, Price{100});
    QCOMPARE(trades[0].makerRemaining, Quantity{25});
    const auto reduced = recorder.all<OrderReduced>();
    QCOMPARE(reduced.size(), 1u);
    QCOMPARE(reduced[0].remaining, Quantity{30});
}

void MatchingTest::replayedMessagesForMissingOrdersChangeNothing()
{
    Engine engine(InstrumentId{1});
    engine.applyAdd(OrderId{1}, Side::Sell, Price{100}, Quantity{50}, Timestamp{1});
    EventRecorder recorder;
    engine.addHandler(&recorder);
    const std::uint64_t hashBefore = engine.stateHash();

    QCOMPARE(engine.applyDelete(OrderId{7}, Timestamp{2}), ApplyResult::UnknownOrder);
    QCOMPARE(engine.applyReduce(OrderId{7}, Quantity{1}, Timestamp{2}), ApplyResult::UnknownOrder);
    QCOMPARE(engine.applyExecution(OrderId{1}, Quantity{51}, Timestamp{2}),
             ApplyResult::ExceedsRemaining);
    QCOMPARE(engine.applyReduce(OrderId{1}, Quantity{0}, Timestamp{2}),
             ApplyResult::InvalidQuantity);
    QCOMPARE(engine.applyAdd(OrderId{1}, Side::Buy, Price{90}, Quantity{5}, Timestamp{2}),
             ApplyResult::DuplicateOrderId);
    QCOMPARE(engine.applyAdd(OrderId{9}, Side::Buy, Price{0}, Quantity{5}, Timestamp{2}),
             ApplyResult::InvalidPrice);
    QCOMPARE(engine.applyAdd(OrderId{9}, Side::Buy, Price{90}, kMaximumQuantity + Quantity{1},
                             Timestamp{2}),
             ApplyResult::InvalidQuantity);

    QVERIFY(recorder.events.empty());
    QCOMPARE(engine.stateHash(), hashBefore);
}

void MatchingTest::restoreRebuildsTheSameState()
{
    Engine original(InstrumentId{1});
    EventRecorder recorder;
    original.addHandler(&recorder);
    original.submit(limit(1, Side::Sell, 30, 200), Timestamp{1});
    original.submit(limit(2, Side::Sell, 30, 201), Timestamp{2});
    original.submit(limit(3, Side::Buy, 40, 201), Timestamp{3});
    original.submit(market(4, Side::Buy, 100), Timestamp{4});
    original.submit(limit(5, Side::Buy, 10, 150), Timestamp{5});
    original.cancel(OrderId{99}, Timestamp{6});
    original.applyAdd(OrderId{6}, Side::Buy, Price{149}, Quantity{7}, Timestamp{7});
    original.applyExecution(OrderId{6}, Quantity{2}, Timestamp{8});
    original.applyUnseenTrade(Side::Sell, Price{148}, Quantity{3}, Timestamp{9});
    original.applyStatus(TradingStatus::Halted, Timestamp{10});

    Engine restored(InstrumentId{1});
    for (const Event &event : recorder.events)
        QCOMPARE(restored.restore(event), RestoreResult::Restored);

    QCOMPARE(restored.stateHash(), original.stateHash());
    QCOMPARE(restored.lastSequence(), original.lastSequence());
    QCOMPARE(restored.tradeCount(), original.tradeCount());
    QCOMPARE(restored.status(), TradingStatus::Halted);
    QCOMPARE(restored.book().quantityAt(Side::Buy, Price{150}), Quantity{10});
    QCOMPARE(restored.book().quantityAt(Side::Buy, Price{149}), Quantity{5});
    QCOMPARE(restored.book().levelCount(Side::Sell), 0u);
}

void MatchingTest::restoreRejectsEventsOutOfSequence()
{
    Engine original(InstrumentId{1});
    EventRecorder recorder;
    original.addHandler(&recorder);
    original.submit(limit(1, Side::Sell, 30, 200), Timestamp{1});
    original.submit(limit(2, Side::Buy, 10, 200), Timestamp{2});

    Engine restored(InstrumentId{1});
    QCOMPARE(restored.restore(recorder.events[0]), RestoreResult::Restored);
    QCOMPARE(restored.restore(recorder.events[2]), RestoreResult::OutOfSequence);
    QCOMPARE(restored.lastSequence(), SequenceNumber{1});

    // A trade against an order the book does not hold does not fit and changes nothing.
    Engine empty(InstrumentId{1});
    Event trade = recorder.events[3];
    trade.sequence = 1;
    QVERIFY(std::holds_alternative<Trade>(trade.payload));
    QCOMPARE(empty.restore(trade), RestoreResult::UnknownOrder);
    QCOMPARE(empty.lastSequence(), SequenceNumber{0});

    // A trade that leaves the maker with a different size than the book gives does not fit.
    Engine restoredFirst(InstrumentId{1});
    QCOMPARE(restoredFirst.restore(recorder.events[0]), RestoreResult::Restored);
    QCOMPARE(restoredFirst.restore(recorder.events[1]), RestoreResult::Restored);
    QCOMPARE(restoredFirst.restore(recorder.events[2]), RestoreResult::Restored);
    Event wrongSize = recorder.events[3];
    std::get<Trade>(wrongSize.payload).makerRemaining = Quantity{25};
    QCOMPARE(restoredFirst.restore(wrongSize), RestoreResult::QuantityMismatch);
    QCOMPARE(restoredFirst.book().quantityAt(Side::Sell, Price{200}), Quantity{30});

    // An event of another instrument's journal is rejected.
    Engine otherInstrument(InstrumentId{2});
    QCOMPARE(otherInstrument.restore(recorder.events[0]), RestoreResult::WrongInstrument);
}

void MatchingTest::everyRejectReason_data()
{
    QTest::addColumn<NewOrder>("order");
    QTest::addColumn<RejectReason>("reason");

    const auto with = [](auto change) {
        NewOrder order = validOrder();
        change(order);
        return order;
    };
    QTest::newRow("unknown instrument")
        << with([](NewOrder &o) { o.instrument = InstrumentId{99}; })
        << RejectReason::UnknownInstrument;
    QTest::newRow("closed instrument")
        << with([](NewOrder &o) { o.instrument = kClosed; }) << RejectReason::InstrumentClosed;
    QTest::newRow("zero quantity")
        << with([](NewOrder &o) { o.quantity = Quantity{0}; }) << RejectReason::InvalidQuantity;
    QTest::newRow("quantity above the engine maximum")
        << with([](NewOrder &o) { o.quantity = kMaximumQuantity + Quantity{10}; })
        << RejectReason::InvalidQuantity;
    QTest::newRow("quantity off lot")
        << with([](NewOrder &o) { o.quantity = Quantity{25}; }) << RejectReason::QuantityNotOnLot;
    QTest::newRow("quantity below minimum") << with([](NewOrder &o) { o.quantity = Quantity{10}; })
                                            << RejectReason::BelowMinimumQuantity;
    QTest::newRow("quantity above maximum")
        << with([](NewOrder &o) { o.quantity = Quantity{1010}; })
        << RejectReason::AboveMaximumQuantity;
    QTest::newRow("zero price") << with([](NewOrder &o) { o.limit = Price{0}; })
                                << RejectReason::InvalidPrice;
    QTest::newRow("price above the engine maximum")
        << with([](NewOrder &o) { o.limit = Price{kMaximumPrice.value() + 5}; })
        << RejectReason::InvalidPrice;
    QTest::newRow("price off tick")
        << with([](NewOrder &o) { o.limit = Price{1002}; }) << RejectReason::PriceNotOnTick;
    QTest::newRow("price above the band")
        << with([](NewOrder &o) { o.limit = Price{1105}; }) << RejectReason::OutsidePriceBand;
    QTest::newRow("price below the band")
        << with([](NewOrder &o) { o.limit = Price{895}; }) << RejectReason::OutsidePriceBand;
    QTest::newRow("stop price off tick") << with([](NewOrder &o) {
        o.type = OrderType::StopLimit;
        o.stopPrice = Price{1003};
    }) << RejectReason::InvalidStopPrice;
    QTest::newRow("stop price zero")
        << with([](NewOrder &o) { o.type = OrderType::Stop; }) << RejectReason::InvalidStopPrice;
    QTest::newRow("stop price outside the band") << with([](NewOrder &o) {
        o.type = OrderType::Stop;
        o.stopPrice = Price{1200};
    }) << RejectReason::OutsidePriceBand;
    QTest::newRow("protection price off tick") << with([](NewOrder &o) {
        o.type = OrderType::Market;
        o.protectionPrice = Price{1051};
    }) << RejectReason::PriceNotOnTick;
    QTest::newRow("display above quantity")
        << with([](NewOrder &o) { o.displayQuantity = Quantity{200}; })
        << RejectReason::InvalidDisplayQuantity;
    QTest::newRow("display off lot") << with([](NewOrder &o) { o.displayQuantity = Quantity{15}; })
                                     << RejectReason::InvalidDisplayQuantity;
    QTest::newRow("display on a market order") << with([](NewOrder &o) {
        o.type = OrderType::Market;
        o.displayQuantity = Quantity{20};
    }) << RejectReason::InvalidDisplayQuantity;
    QTest::newRow("display on an IOC order") << with([](NewOrder &o) {
        o.timeInForce = TimeInForce::Ioc;
        o.displayQuantity = Quantity{20};
    }) << RejectReason::InvalidDisplayQuantity;
    QTest::newRow("market order for the day") << with([](NewOrder &o) {
        o.type = OrderType::Market;
        o.timeInForce = TimeInForce::Day;
    }) << RejectReason::InvalidTimeInForce;
    QTest::newRow("market order good till date") << with([](NewOrder &o) {
        o.type = OrderType::Market;
        o.timeInForce = TimeInForce::Gtd;
        o.expiry = Timestamp{5000};
    }) << RejectReason::InvalidTimeInForce;
    QTest::newRow("expiry not in the future") << with([](NewOrder &o) {
        o.timeInForce = TimeInForce::Gtd;
        o.expiry = Timestamp{1000};
    }) << RejectReason::InvalidExpiry;
    QTest::newRow("post-only market order") << with([](NewOrder &o) {
        o.type = OrderType::Market;
        o.liquidity = Liquidity::PostOnly;
    }) << RejectReason::WouldTakeLiquidity;
    QTest::newRow("post-only IOC order") << with([](NewOrder &o) {
        o.timeInForce = TimeInForce::Ioc;
        o.liquidity = Liquidity::PostOnly;
    }) << RejectReason::InvalidTimeInForce;
    QTest::newRow("post-only order that would trade") << with([](NewOrder &o) {
        o.limit = Price{1050};
        o.liquidity = Liquidity::PostOnly;
    }) << RejectReason::WouldTakeLiquidity;
    QTest::newRow("market order in the pre-open call") << with([](NewOrder &o) {
        o.instrument = kPreOpen;
        o.type = OrderType::Market;
    }) << RejectReason::NotAllowedInAuction;
    QTest::newRow("IOC order in the pre-open call") << with([](NewOrder &o) {
        o.instrument = kPreOpen;
        o.timeInForce = TimeInForce::Ioc;
    }) << RejectReason::NotAllowedInAuction;
    QTest::newRow("FOK order in the pre-open call") << with([](NewOrder &o) {
        o.instrument = kPreOpen;
        o.timeInForce = TimeInForce::Fok;
    }) << RejectReason::NotAllowedInAuction;
    QTest::newRow("market order into an empty book") << with([](NewOrder &o) {
        o.instrument = kEmpty;
        o.type = OrderType::Market;
    }) << RejectReason::NoLiquidity;
    QTest::newRow("id of a live order")
        << with([](NewOrder &o) { o.id = OrderId{1}; }) << RejectReason::DuplicateOrderId;
    QTest::newRow("client order id live in the account") << with([](NewOrder &o) {
        o.account = AccountId{7};
        o.clientOrderId = ClientOrderId{70};
    }) << RejectReason::DuplicateClientOrderId;
}

// Every rejection is one OrderRejected with the reason, the order's id, client order id and
// account, and changes no book.
void MatchingTest::everyRejectReason()
{
    QFETCH(NewOrder, order);
    QFETCH(RejectReason, reason);

    Engine engine;
    setUpRejectionEngine(engine);
    const std::uint64_t bookBefore = engine.book(kBanded)->stateHash();
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.submit(order, Timestamp{1000});

    QCOMPARE(recorder.types(), std::vector<EventType>{EventType::OrderRejected});
    const OrderRejected rejected = recorder.all<OrderRejected>()[0];
    QCOMPARE(rejected.reason, reason);
    QCOMPARE(rejected.id, order.id);
    QCOMPARE(rejected.clientOrderId, order.clientOrderId);
    QCOMPARE(rejected.account, order.account);
    QCOMPARE(engine.book(kBanded)->stateHash(), bookBefore);
    QCOMPARE(engine.liveOrderCount(), 2u);
    QCOMPARE(recorder.commandEnds, 1);
}

void MatchingTest::validOrderAtBandEdgesIsAccepted()
{
    Engine engine;
    setUpRejectionEngine(engine);
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    NewOrder low = validOrder();
    low.limit = Price{900};
    engine.submit(low, Timestamp{1000});
    NewOrder high = validOrder();
    high.id = OrderId{51};
    high.clientOrderId = ClientOrderId{32};
    high.side = Side::Sell;
    high.limit = Price{1100};
    engine.submit(high, Timestamp{1000});

    QVERIFY(recorder.all<OrderRejected>().empty());
    QCOMPARE(recorder.all<OrderAdded>().size(), 2u);
}

// Reference 10^15 ticks (the largest price), band 50%: the distance times 10 000 reaches
// 10^19, past the int64 range, so only exact arithmetic gets these right.
void MatchingTest::priceBandIsExactForLargePrices_data()
{
    QTest::addColumn<std::int64_t>("price");
    QTest::addColumn<bool>("accepted");

    const std::int64_t reference = kMaximumPrice.value();
    QTest::newRow("half the reference") << reference / 2 << true;
    QTest::newRow("one tick under half the reference") << reference / 2 - 1 << false;
    QTest::newRow("one tick") << std::int64_t{1} << false;
    QTest::newRow("the reference") << reference << true;
}

void MatchingTest::priceBandIsExactForLargePrices()
{
    QFETCH(std::int64_t, price);
    QFETCH(bool, accepted);

    InstrumentDefinition definition = definitionOf(InstrumentId{1});
    definition.referencePrice = kMaximumPrice;
    definition.priceBandBasisPoints = 5000;
    Engine engine;
    engine.addInstrument(definition, Timestamp{0});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.submit(limitOrder(1, Side::Buy, 1, price), Timestamp{1});

    QCOMPARE(recorder.all<OrderRejected>().size(), accepted ? 0u : 1u);
    if (!accepted)
        QCOMPARE(recorder.all<OrderRejected>()[0].reason, RejectReason::OutsidePriceBand);
}

// An order without an id gets one above every id the engine has seen, replayed ids included.
// A rejected order does not use its id up.
void MatchingTest::orderIdsAreAssigned()
{
    Engine engine(InstrumentId{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    QCOMPARE(engine.submit(limitOrder(0, Side::Buy, 5, 100), Timestamp{1}), OrderId{1});
    QCOMPARE(engine.submit(limitOrder(10, Side::Buy, 5, 100), Timestamp{1}), OrderId{10});
    QCOMPARE(engine.submit(limitOrder(0, Side::Buy, 5, 100), Timestamp{1}), OrderId{11});
    engine.applyAdd(OrderId{500}, Side::Sell, Price{200}, Quantity{5}, Timestamp{1});
    QCOMPARE(engine.submit(limitOrder(0, Side::Buy, 0, 100), Timestamp{1}), OrderId{501});
    QCOMPARE(recorder.all<OrderRejected>().back().id, OrderId{501});
    QCOMPARE(engine.submit(limitOrder(0, Side::Buy, 5, 100), Timestamp{1}), OrderId{501});
    QVERIFY(engine.findOrder(OrderId{501}) != nullptr);
}

// A client order id stays used after its order left: the same order again gets the first
// answer, and other content is a duplicate. Another account may use the same id.
void MatchingTest::clientOrderIdStaysUsedAfterOrderLeaves()
{
    Engine engine(InstrumentId{1});
    NewOrder order = withAccount(limitOrder(1, Side::Buy, 5, 100), 3);
    order.clientOrderId = ClientOrderId{9};
    engine.submit(order, Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    NewOrder otherAccount = order;
    otherAccount.id = OrderId{2};
    otherAccount.account = AccountId{4};
    engine.submit(otherAccount, Timestamp{2});
    engine.submit(limitOrder(3, Side::Sell, 5, 100), Timestamp{3}); // fills order 1
    NewOrder again = order;
    again.id = OrderId{4};
    QCOMPARE(engine.submit(again, Timestamp{4}), OrderId{1});
    NewOrder changed = again;
    changed.quantity = Quantity{6};
    engine.submit(changed, Timestamp{5});

    QCOMPARE(recorder.all<OrderAccepted>().size(), 2u);
    QCOMPARE(recorder.all<OrderRejected>().size(), 1u);
    QCOMPARE(recorder.all<OrderRejected>()[0].reason, RejectReason::DuplicateClientOrderId);
    QCOMPARE(engine.findOrder(OrderId{4}), nullptr);
}

// Account 1 rests a sell of 10 at 100 (order 1); account 2 rests a sell of 10 at 100 behind
// it (order 2). Account 1 then buys at 100.
void MatchingTest::selfTradePrevention_data()
{
    QTest::addColumn<SelfTradePrevention>("mode");
    QTest::addColumn<SelfTradePrevention>("accountMode");
    QTest::addColumn<std::int64_t>("quantity");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<std::int64_t>("ownLeft");
    QTest::addColumn<std::int64_t>("otherLeft");

    using M = SelfTradePrevention;
    QTest::newRow("cancel newest cancels the incoming order")
        << M::CancelNewest << M::AccountDefault << std::int64_t{15}
        << QStringList{"OrderAccepted", "OrderCancelled 3 15"} << std::int64_t{10}
        << std::int64_t{10};
    QTest::newRow("cancel oldest cancels the resting order and trades on")
        << M::CancelOldest << M::AccountDefault << std::int64_t{15}
        << QStringList{"OrderAccepted", "OrderCancelled 1 10", "Trade 2 10", "OrderAdded 3 5"}
        << std::int64_t{0} << std::int64_t{0};
    QTest::newRow("cancel both") << M::CancelBoth << M::AccountDefault << std::int64_t{15}
                                 << QStringList{"OrderAccepted", "OrderCancelled 1 10",
                                                "OrderCancelled 3 15"}
                                 << std::int64_t{0} << std::int64_t{10};
    QTest::newRow("decrement: larger incoming order continues")
        << M::DecrementAndCancel << M::AccountDefault << std::int64_t{15}
        << QStringList{"OrderAccepted", "OrderCancelled 1 10", "OrderReduced 3 10", "Trade 2 5"}
        << std::int64_t{0} << std::int64_t{5};
    QTest::newRow("decrement: smaller incoming order is cancelled")
        << M::DecrementAndCancel << M::AccountDefault << std::int64_t{6}
        << QStringList{"OrderAccepted", "OrderReduced 1 6", "OrderCancelled 3 6"} << std::int64_t{4}
        << std::int64_t{10};
    QTest::newRow("decrement: equal sizes cancel both")
        << M::DecrementAndCancel << M::AccountDefault << std::int64_t{10}
        << QStringList{"OrderAccepted", "OrderCancelled 1 10", "OrderCancelled 3 10"}
        << std::int64_t{0} << std::int64_t{10};
    QTest::newRow("account default configured as cancel oldest")
        << M::AccountDefault << M::CancelOldest << std::int64_t{15}
        << QStringList{"OrderAccepted", "OrderCancelled 1 10", "Trade 2 10", "OrderAdded 3 5"}
        << std::int64_t{0} << std::int64_t{0};
    QTest::newRow("account default without configuration cancels newest")
        << M::AccountDefault << M::AccountDefault << std::int64_t{15}
        << QStringList{"OrderAccepted", "OrderCancelled 3 15"} << std::int64_t{10}
        << std::int64_t{10};
    QTest::newRow("order mode overrides the account's")
        << M::CancelNewest << M::CancelOldest << std::int64_t{15}
        << QStringList{"OrderAccepted", "OrderCancelled 3 15"} << std::int64_t{10}
        << std::int64_t{10};
}

void MatchingTest::selfTradePrevention()
{
    QFETCH(SelfTradePrevention, mode);
    QFETCH(SelfTradePrevention, accountMode);
    QFETCH(std::int64_t, quantity);
    QFETCH(QStringList, expected);
    QFETCH(std::int64_t, ownLeft);
    QFETCH(std::int64_t, otherLeft);

    Engine engine(InstrumentId{1});
    if (accountMode != SelfTradePrevention::AccountDefault)
        engine.configureAccount(AccountConfigured{AccountId{1}, accountMode}, Timestamp{0});
    engine.submit(withAccount(limitOrder(1, Side::Sell, 10, 100), 1), Timestamp{1});
    engine.submit(withAccount(limitOrder(2, Side::Sell, 10, 100), 2), Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    NewOrder order = withAccount(limitOrder(3, Side::Buy, quantity, 100), 1);
    order.selfTradePrevention = mode;
    engine.submit(order, Timestamp{2});

    QStringList events;
    for (const Event &event : recorder.events) {
        QString text = QString::fromUtf8(nameOf(typeOf(event.payload)).data());
        if (const auto *cancelled = std::get_if<OrderCancelled>(&event.payload)) {
            QCOMPARE(cancelled->reason, CancelReason::SelfTrade);
            text += QStringLiteral(" %1 %2")
                        .arg(cancelled->id.value())
                        .arg(cancelled->quantity.value());
        } else if (const auto *reduced = std::get_if<OrderReduced>(&event.payload)) {
            text +=
                QStringLiteral(" %1 %2").arg(reduced->id.value()).arg(reduced->reducedBy.value());
        } else if (const auto *trade = std::get_if<Trade>(&event.payload)) {
            text += QStringLiteral(" %1 %2").arg(trade->maker.value()).arg(trade->quantity.value());
        } else if (const auto *added = std::get_if<OrderAdded>(&event.payload)) {
            text += QStringLiteral(" %1 %2").arg(added->id.value()).arg(added->quantity.value());
        }
        events << text;
    }
    QCOMPARE(events, expected);
    const auto left = [&engine](std::uint64_t id) {
        const Order *resting = engine.findOrder(OrderId{id});
        return resting ? resting->remaining.value() : 0;
    };
    QCOMPARE(left(1), ownLeft);
    QCOMPARE(left(2), otherLeft);
}

// Replayed data and the benchmark leave every order in account zero, which means "no account":
// such orders trade with each other.
void MatchingTest::accountZeroNeverSelfTrades()
{
    Engine engine(InstrumentId{1});
    engine.submit(limitOrder(1, Side::Sell, 10, 100), Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.submit(limitOrder(2, Side::Buy, 10, 100), Timestamp{2});

    QCOMPARE(recorder.all<Trade>().size(), 1u);
    QVERIFY(recorder.all<OrderCancelled>().empty());
}

// Orders: 4 (account 1, instrument 1), 2 (account 2, instrument 1), 3 (account 1, instrument
// 2, a parked stop), 1 (account 1, instrument 2).
void MatchingTest::massCancelScopes_data()
{
    QTest::addColumn<std::uint32_t>("account");
    QTest::addColumn<std::uint32_t>("instrument");
    QTest::addColumn<std::vector<std::uint64_t>>("cancelled");

    QTest::newRow("one account") << 1u << 0u << std::vector<std::uint64_t>{1, 3, 4};
    QTest::newRow("one instrument") << 0u << 2u << std::vector<std::uint64_t>{1, 3};
    QTest::newRow("account and instrument") << 1u << 1u << std::vector<std::uint64_t>{4};
    QTest::newRow("everything") << 0u << 0u << std::vector<std::uint64_t>{1, 2, 3, 4};
    QTest::newRow("nothing matches") << 9u << 0u << std::vector<std::uint64_t>{};
}

void MatchingTest::massCancelScopes()
{
    QFETCH(std::uint32_t, account);
    QFETCH(std::uint32_t, instrument);
    QFETCH(std::vector<std::uint64_t>, cancelled);

    Engine engine;
    engine.addInstrument(definitionOf(InstrumentId{1}), Timestamp{0});
    engine.addInstrument(definitionOf(InstrumentId{2}), Timestamp{0});
    engine.submit(withAccount(limitOrder(4, Side::Buy, 5, 100), 1), Timestamp{1});
    engine.submit(withAccount(limitOrder(2, Side::Sell, 5, 101), 2), Timestamp{1});
    NewOrder stop = withInstrument(withAccount(stopOrder(3, Side::Buy, 5, 110), 1), 2);
    engine.submit(stop, Timestamp{1});
    NewOrder other = withInstrument(withAccount(limitOrder(1, Side::Buy, 5, 100), 1), 2);
    engine.submit(other, Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    const std::size_t count =
        engine.massCancel(MassCancel{AccountId{account}, InstrumentId{instrument}}, Timestamp{2});

    QCOMPARE(count, cancelled.size());
    std::vector<std::uint64_t> ids;
    for (const OrderCancelled &event : recorder.all<OrderCancelled>()) {
        QCOMPARE(event.reason, CancelReason::MassCancel);
        ids.push_back(event.id.value());
    }
    QCOMPARE(ids, cancelled);
    QCOMPARE(engine.liveOrderCount(), 4u - cancelled.size());
    QCOMPARE(recorder.commandEnds, 1);
}

// A sell on instrument 1 and a buy on instrument 2 at the same price do not meet. Events carry
// their instrument and share one sequence.
void MatchingTest::instrumentsHaveSeparateBooks()
{
    Engine engine;
    EngineRecorder recorder;
    engine.addHandler(&recorder);
    engine.addInstrument(definitionOf(InstrumentId{1}), Timestamp{0});
    engine.addInstrument(definitionOf(InstrumentId{70000}), Timestamp{0});

    engine.submit(limitOrder(1, Side::Sell, 5, 100), Timestamp{1});
    NewOrder buy = withInstrument(limitOrder(2, Side::Buy, 5, 100), 70000);
    engine.submit(buy, Timestamp{1});

    QCOMPARE(engine.tradeCount(), 0u);
    QCOMPARE(engine.instruments(),
             (std::vector<InstrumentId>{InstrumentId{1}, InstrumentId{70000}}));
    QCOMPARE(engine.instrument(), InstrumentId{1});
    QCOMPARE(engine.book(InstrumentId{1})->quantityAt(Side::Sell, Price{100}), Quantity{5});
    QCOMPARE(engine.book(InstrumentId{70000})->quantityAt(Side::Buy, Price{100}), Quantity{5});
    QCOMPARE(engine.book(InstrumentId{3}), nullptr);
    QCOMPARE(engine.definition(InstrumentId{3}), nullptr);
    QCOMPARE(engine.findOrder(OrderId{2})->instrument, InstrumentId{70000});
    QCOMPARE(engine.liveOrderCount(), 2u);
    QVERIFY(engine.memoryBytes() > 0);
    for (std::size_t i = 0; i < recorder.events.size(); ++i)
        QCOMPARE(recorder.events[i].sequence, SequenceNumber{i + 1});
    QCOMPARE(recorder.events.back().instrument, InstrumentId{70000});
    QCOMPARE(recorder.events[2].instrument, InstrumentId{1});
}

// Orders reach the primary instrument by id zero and by its own id, here beyond the ids of the
// direct lookup table, and cancels reach the orders of every instrument.
void MatchingTest::primaryFoundByZeroAndByItsId()
{
    Engine engine;
    EngineRecorder recorder;
    engine.addHandler(&recorder);
    engine.addInstrument(definitionOf(InstrumentId{70000}), Timestamp{0});
    engine.addInstrument(definitionOf(InstrumentId{2}), Timestamp{0});

    engine.submit(limitOrder(1, Side::Buy, 5, 100), Timestamp{1});
    NewOrder named = withInstrument(limitOrder(2, Side::Buy, 5, 101), 70000);
    engine.submit(named, Timestamp{1});
    NewOrder other = withInstrument(limitOrder(3, Side::Buy, 5, 102), 2);
    engine.submit(other, Timestamp{1});
    QCOMPARE(engine.findOrder(OrderId{1})->instrument, InstrumentId{70000});
    QCOMPARE(engine.book(InstrumentId{70000})->levelCount(Side::Buy), 2u);
    QCOMPARE(engine.book(InstrumentId{2})->levelCount(Side::Buy), 1u);

    engine.cancel(OrderId{3}, Timestamp{2});
    engine.cancel(OrderId{1}, Timestamp{2});
    QCOMPARE(engine.book(InstrumentId{2})->levelCount(Side::Buy), 0u);
    QCOMPARE(engine.book(InstrumentId{70000})->levelCount(Side::Buy), 1u);
    QCOMPARE(engine.book(InstrumentId{70000})->bestPrice(Side::Buy),
             std::optional<Price>(Price{101}));
    const auto cancelled = recorder.all<OrderCancelled>();
    QCOMPARE(cancelled.size(), 2u);
    QCOMPARE(cancelled[0].id, OrderId{3});
    QCOMPARE(cancelled[1].id, OrderId{1});
    QCOMPARE(recorder.events.back().instrument, InstrumentId{70000});
    QCOMPARE(recorder.events[recorder.events.size() - 2].instrument, InstrumentId{2});
}

void MatchingTest::invalidInstrumentDefinitions_data()
{
    QTest::addColumn<int>("flaw");
    QTest::addColumn<RejectReason>("reason");

    QTest::newRow("id in use") << 0 << RejectReason::DuplicateInstrument;
    QTest::newRow("id zero") << 1 << RejectReason::InvalidInstrument;
    QTest::newRow("zero tick") << 2 << RejectReason::InvalidInstrument;
    QTest::newRow("zero lot") << 3 << RejectReason::InvalidInstrument;
    QTest::newRow("minimum above maximum") << 4 << RejectReason::InvalidInstrument;
    QTest::newRow("reference price off tick") << 5 << RejectReason::InvalidInstrument;
    QTest::newRow("quote-only status") << 6 << RejectReason::InvalidInstrument;
}

void MatchingTest::invalidInstrumentDefinitions()
{
    QFETCH(int, flaw);
    QFETCH(RejectReason, reason);

    Engine engine(InstrumentId{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);
    InstrumentDefinition definition = definitionOf(InstrumentId{2});
    definition.tickSize = Price{5};
    switch (flaw) {
    case 0:
        definition.id = InstrumentId{1};
        break;
    case 1:
        definition.id = InstrumentId{0};
        break;
    case 2:
        definition.tickSize = Price{0};
        break;
    case 3:
        definition.lotSize = Quantity{0};
        break;
    case 4:
        definition.minimumQuantity = Quantity{50};
        definition.maximumQuantity = Quantity{10};
        break;
    case 5:
        definition.referencePrice = Price{101};
        break;
    default:
        definition.initialStatus = TradingStatus::QuoteOnly;
        break;
    }

    engine.addInstrument(definition, Timestamp{1});

    QCOMPARE(recorder.types(), std::vector<EventType>{EventType::OrderRejected});
    QCOMPARE(recorder.all<OrderRejected>()[0].reason, reason);
    QCOMPARE(engine.instruments(), std::vector<InstrumentId>{InstrumentId{1}});
}

// Each handler gets the events and command ends published while it is registered, whether it
// is the only one or one of several.
void MatchingTest::handlersAddedAndRemovedGetTheirShare()
{
    Engine engine(InstrumentId{1});
    EngineRecorder first;
    EngineRecorder second;
    engine.addHandler(&first);
    engine.submit(limitOrder(1, Side::Buy, 5, 100), Timestamp{1});
    engine.addHandler(&second);
    engine.submit(limitOrder(2, Side::Buy, 5, 100), Timestamp{2});
    engine.removeHandler(&first);
    engine.cancel(OrderId{1}, Timestamp{3});
    engine.removeHandler(&second);
    engine.cancel(OrderId{2}, Timestamp{4});

    // Each resting add publishes OrderAccepted and OrderAdded, each cancel OrderCancelled.
    QCOMPARE(first.events.size(), 4u);
    QCOMPARE(first.commandEnds, 2);
    QCOMPARE(second.events.size(), 3u);
    QCOMPARE(second.commandEnds, 2);
    QCOMPARE(second.events.front().sequence, SequenceNumber{3});
    QVERIFY(std::holds_alternative<OrderCancelled>(second.events.back().payload));

    // A handler added twice gets every event twice; removing it, or a handler never added,
    // leaves the other registrations as they were.
    EngineRecorder twice;
    engine.addHandler(&twice);
    engine.addHandler(&twice);
    engine.submit(limitOrder(3, Side::Buy, 5, 100), Timestamp{5});
    QCOMPARE(twice.events.size(), 4u);
    QCOMPARE(twice.commandEnds, 2);
    engine.removeHandler(&first);
    engine.cancel(OrderId{3}, Timestamp{6});
    QCOMPARE(twice.events.size(), 6u);
    engine.removeHandler(&twice);
    engine.submit(limitOrder(4, Side::Buy, 5, 100), Timestamp{7});
    QCOMPARE(twice.events.size(), 6u);
    QCOMPARE(first.events.size(), 4u);
}

// Each public command ends with exactly one onCommandEnd, after its events, whether it
// succeeded or not.
void MatchingTest::everyCommandEndsOnce()
{
    Engine engine(InstrumentId{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);
    int expected = 0;
    const auto check = [&](const char *command) {
        ++expected;
        if (recorder.commandEnds != expected)
            QFAIL(command);
    };

    engine.submit(limitOrder(1, Side::Buy, 5, 100), Timestamp{1});
    check("submit");
    engine.submit(limitOrder(1, Side::Buy, 5, 100), Timestamp{1});
    check("rejected submit");
    engine.replace(ReplaceOrder{OrderId{1}, Price{101}, Quantity{5}, Price{}}, Timestamp{1});
    check("replace");
    engine.cancel(OrderId{1}, Timestamp{1});
    check("cancel");
    engine.cancel(OrderId{1}, Timestamp{1});
    check("rejected cancel");
    engine.massCancel(MassCancel{}, Timestamp{1});
    check("mass cancel");
    engine.addInstrument(definitionOf(InstrumentId{2}), Timestamp{1});
    check("add instrument");
    engine.configureAccount(AccountConfigured{AccountId{1}, SelfTradePrevention::CancelBoth},
                            Timestamp{1});
    check("configure account");
    engine.setTradingStatus(InstrumentId{2}, TradingStatus::Halted, Timestamp{1});
    check("set trading status");
    engine.advanceTime(Timestamp{2});
    check("advance time");
    engine.applyAdd(OrderId{7}, Side::Sell, Price{120}, Quantity{5}, Timestamp{2});
    check("apply add");
    engine.applyReduce(OrderId{7}, Quantity{1}, Timestamp{2});
    check("apply reduce");
    engine.applyExecution(OrderId{7}, Quantity{1}, Timestamp{2});
    check("apply execution");
    engine.applyUnseenTrade(Side::Buy, Price{120}, Quantity{1}, Timestamp{2});
    check("apply unseen trade");
    engine.applyDelete(OrderId{7}, Timestamp{2});
    check("apply delete");
    engine.applyStatus(TradingStatus::Halted, Timestamp{2});
    check("apply status");
}

void MatchingTest::sameCommandsGiveSameEvents()
{
    Engine first;
    EngineRecorder firstRecorder(first);
    first.addHandler(&firstRecorder);
    runRichSession(first);

    Engine second;
    EngineRecorder secondRecorder(second);
    second.addHandler(&secondRecorder);
    runRichSession(second);

    QCOMPARE(secondRecorder.events.size(), firstRecorder.events.size());
    for (std::size_t i = 0; i < firstRecorder.events.size(); ++i)
        QCOMPARE(fieldsOf(secondRecorder.events[i]), fieldsOf(firstRecorder.events[i]));
    QCOMPARE(secondRecorder.hashes, firstRecorder.hashes);
    QCOMPARE(second.stateHash(), first.stateHash());
}

// The rich session goes through every kind of recorded event. Restoring its events one by one
// reaches, after each, the state hash the engine had when it published that event. The
// restored engine then handles new commands exactly as the original does.
void MatchingTest::restoreRebuildsRichSessionAtEveryEvent()
{
    Engine original;
    EngineRecorder recorder(original);
    original.addHandler(&recorder);
    runRichSession(original);

    std::vector<EventType> kinds = recorder.types();
    for (EventType kind :
         {EventType::InstrumentAdded, EventType::AccountConfigured, EventType::OrderAccepted,
          EventType::OrderAdded, EventType::OrderRejected, EventType::OrderCancelled,
          EventType::OrderReduced, EventType::Trade, EventType::TradingStatusChanged,
          EventType::OrderReplaced, EventType::OrderParked, EventType::StopTriggered,
          EventType::OrderRefilled, EventType::AuctionUncrossed}) {
        if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end())
            QFAIL(("the session produced no " + std::string(nameOf(kind))).c_str());
    }

    Engine restored;
    for (std::size_t i = 0; i < recorder.events.size(); ++i) {
        const RestoreResult result = restored.restore(recorder.events[i]);
        if (result != RestoreResult::Restored)
            QFAIL(qPrintable(fieldsOf(recorder.events[i]) + ": " +
                             QString::fromUtf8(nameOf(result).data())));
        if (restored.stateHash() != recorder.hashes[i])
            QFAIL(qPrintable("state differs after " + fieldsOf(recorder.events[i])));
    }
    QCOMPARE(restored.liveOrderCount(), original.liveOrderCount());
    QCOMPARE(restored.tradeCount(), original.tradeCount());
    QCOMPARE(restored.lastSequence(), original.lastSequence());

    EngineRecorder originalNext;
    original.addHandler(&originalNext);
    EngineRecorder restoredNext;
    restored.addHandler(&restoredNext);
    for (Engine *engine : {&original, &restored}) {
        NewOrder order = withInstrument(limitOrder(0, Side::Sell, 30, 150), 2);
        engine->submit(order, Timestamp{100});
        engine->setTradingStatus(InstrumentId{1}, TradingStatus::PreOpen, Timestamp{101});
    }
    QCOMPARE(restoredNext.events.size(), originalNext.events.size());
    for (std::size_t i = 0; i < originalNext.events.size(); ++i)
        QCOMPARE(fieldsOf(restoredNext.events[i]), fieldsOf(originalNext.events[i]));
    QCOMPARE(restored.stateHash(), original.stateHash());
}

void MatchingTest::restoreRejectsEventsThatDoNotFit()
{
    Engine original(InstrumentId{1});
    EngineRecorder recorder;
    original.addHandler(&recorder);
    NewOrder iceberg = limitOrder(1, Side::Sell, 30, 100);
    iceberg.displayQuantity = Quantity{10};
    original.submit(iceberg, Timestamp{1});
    original.submit(limitOrder(2, Side::Buy, 10, 100), Timestamp{2});
    // 1: accepted, 2: added, 3: accepted, 4: trade, 5: refilled.
    QCOMPARE(recorder.types(),
             (std::vector<EventType>{EventType::OrderAccepted, EventType::OrderAdded,
                                     EventType::OrderAccepted, EventType::Trade,
                                     EventType::OrderRefilled}));

    const auto restoredUpTo = [&](Engine &engine, std::size_t count) {
        for (std::size_t i = 0; i < count; ++i)
            QCOMPARE(engine.restore(recorder.events[i]), RestoreResult::Restored);
    };

    Engine wrongRefill(InstrumentId{1});
    restoredUpTo(wrongRefill, 4);
    Event refill = recorder.events[4];
    std::get<OrderRefilled>(refill.payload).reserve = Quantity{20};
    QCOMPARE(wrongRefill.restore(refill), RestoreResult::QuantityMismatch);

    Engine notParked(InstrumentId{1});
    restoredUpTo(notParked, 2);
    Event triggered = recorder.events[2];
    triggered.payload = StopTriggered{OrderId{1}, Price{100}};
    QCOMPARE(notParked.restore(triggered), RestoreResult::WrongOrderState);

    Engine duplicate(InstrumentId{1});
    Event added = recorder.events[0];
    added.payload = InstrumentAdded{definitionOf(InstrumentId{1})};
    QCOMPARE(duplicate.restore(added), RestoreResult::DuplicateInstrument);
    std::get<InstrumentAdded>(added.payload).definition.id = InstrumentId{4};
    std::get<InstrumentAdded>(added.payload).definition.lotSize = Quantity{0};
    QCOMPARE(duplicate.restore(added), RestoreResult::InvalidInstrument);
    QCOMPARE(duplicate.lastSequence(), SequenceNumber{0});

    Engine wrongIceberg(InstrumentId{1});
    restoredUpTo(wrongIceberg, 1);
    Event shown = recorder.events[1];
    std::get<OrderAdded>(shown.payload).quantity = Quantity{30};
    QCOMPARE(wrongIceberg.restore(shown), RestoreResult::QuantityMismatch);
}

// Random commands of every kind on two instruments, from fixed seeds. Whatever they do, a
// trading book is never left crossed, and restoring the events reaches the state the engine
// had at each of them.
void MatchingTest::randomSessionsKeepInvariants()
{
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
        std::mt19937_64 random(seed);
        const auto below = [&random](int bound) {
            return static_cast<int>(random() % static_cast<std::uint64_t>(bound));
        };
        const auto price = [&below] { return Price{95 + below(11)}; };

        Engine engine;
        EngineRecorder recorder(engine);
        engine.addHandler(&recorder);
        engine.addInstrument(definitionOf(InstrumentId{1}), Timestamp{0});
        engine.addInstrument(definitionOf(InstrumentId{2}, TradingStatus::PreOpen), Timestamp{0});
        for (std::uint32_t account = 1; account <= 3; ++account) {
            const auto mode = static_cast<SelfTradePrevention>(1 + below(4));
            engine.configureAccount(AccountConfigured{AccountId{account}, mode}, Timestamp{0});
        }

        std::int64_t now = 1;
        for (int step = 0; step < 300; ++step) {
            now += below(3);
            const Timestamp time{now};
            const InstrumentId instrument{static_cast<std::uint32_t>(1 + below(2))};
            const int kind = below(100);
            if (kind < 60) {
                NewOrder order;
                order.id = OrderId{static_cast<std::uint64_t>(below(4) == 0 ? 0 : 1 + below(300))};
                order.side = below(2) ? Side::Buy : Side::Sell;
                order.instrument = instrument;
                order.quantity = Quantity{1 + below(20)};
                order.limit = price();
                order.account = AccountId{static_cast<std::uint32_t>(below(4))};
                const int type = below(10);
                order.type = type < 6   ? OrderType::Limit
                             : type < 7 ? OrderType::Market
                             : type < 9 ? OrderType::Stop
                                        : OrderType::StopLimit;
                order.stopPrice = price();
                order.protectionPrice = below(4) == 0 ? price() : Price{};
                order.timeInForce = static_cast<TimeInForce>(below(5));
                order.expiry = Timestamp{now + below(50)};
                order.displayQuantity = Quantity{below(5) == 0 ? 1 + below(5) : 0};
                order.liquidity = below(8) == 0 ? Liquidity::PostOnly : Liquidity::Any;
                order.selfTradePrevention = static_cast<SelfTradePrevention>(below(5));
                order.clientOrderId =
                    ClientOrderId{static_cast<std::uint64_t>(below(3) == 0 ? 1 + below(10) : 0)};
                engine.submit(order, time);
            } else if (kind < 70) {
                engine.cancel(OrderId{static_cast<std::uint64_t>(1 + below(300))}, time);
            } else if (kind < 82) {
                const OrderId id{static_cast<std::uint64_t>(1 + below(300))};
                const Price limit = below(2) ? Price{} : price();
                const Price stop = below(2) ? Price{} : price();
                engine.replace(ReplaceOrder{id, limit, Quantity{1 + below(20)}, stop}, time);
            } else if (kind < 85) {
                const AccountId account{static_cast<std::uint32_t>(below(4))};
                const InstrumentId scope{static_cast<std::uint32_t>(below(3))};
                engine.massCancel(MassCancel{account, scope}, time);
            } else if (kind < 93) {
                engine.setTradingStatus(instrument, static_cast<TradingStatus>(below(5)), time);
            } else {
                engine.advanceTime(time);
            }

            for (InstrumentId id : engine.instruments()) {
                const OrderBook &book = *engine.book(id);
                const auto bid = book.bestPrice(Side::Buy);
                const auto ask = book.bestPrice(Side::Sell);
                if (*engine.status(id) == TradingStatus::Trading && bid && ask && *bid >= *ask)
                    QFAIL(qPrintable(QStringLiteral("seed %1, step %2: instrument %3 crossed")
                                         .arg(seed)
                                         .arg(step)
                                         .arg(id.value())));
            }
        }

        Engine restored;
        for (std::size_t i = 0; i < recorder.events.size(); ++i) {
            const RestoreResult result = restored.restore(recorder.events[i]);
            if (result != RestoreResult::Restored || restored.stateHash() != recorder.hashes[i])
                QFAIL(qPrintable(QStringLiteral("seed %1: restore of %2: %3")
                                     .arg(seed)
                                     .arg(fieldsOf(recorder.events[i]),
                                          QString::fromUtf8(nameOf(result).data()))));
        }
    }
}

QTEST_APPLESS_MAIN(MatchingTest)
#include "tst_matching.moc"

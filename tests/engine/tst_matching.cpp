#include "engine.h"
#include "engine_printers.h"

#include <QTest>

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
    return NewOrder{OrderId{id}, side, OrderType::Limit, Price{price}, Quantity{quantity}};
}

NewOrder market(std::uint64_t id, Side side, std::int64_t quantity)
{
    return NewOrder{OrderId{id}, side, OrderType::Market, Price{0}, Quantity{quantity}};
}

std::vector<std::uint64_t> idsAt(const Engine &engine, Side side, std::int64_t price)
{
    std::vector<std::uint64_t> ids;
    for (const Order *order : engine.book().ordersAt(side, Price{price}))
        ids.push_back(order->id.value());
    return ids;
}

constexpr std::uint64_t A = 1, B = 2, C = 3;

} // namespace

class MatchingTest : public QObject {
    Q_OBJECT

private slots:
    void cancelOfCancelledOrderIsRejectedAsUnknown();
    void fillsTakeTheMakerPrice();
    void buyLimitedAtMakerPriceNeverPaysMore();
    void priceThenTimePriority();
    void partialFillRestsRemainder();
    void marketOrderRemainderIsCancelled();
    void invalidOrdersAreRejected_data();
    void invalidOrdersAreRejected();
    void replayedMessagesChangeBookWithoutMatching();
    void replayedMessagesForMissingOrdersChangeNothing();
    void restoreRebuildsTheSameState();
    void restoreRejectsEventsOutOfSequence();
};

// A lookup that misses must report "not found" and never touch a neighbour in the queue.
void MatchingTest::cancelOfCancelledOrderIsRejectedAsUnknown()
{
    Engine engine;
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
    Engine engine;
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
    Engine engine;
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

void MatchingTest::priceThenTimePriority()
{
    Engine engine;
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
    Engine engine;
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
    Engine engine;
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

    Engine engine;
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
    Engine engine;
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
    Engine engine;
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
    Engine original;
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

    Engine restored;
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
    Engine original;
    EventRecorder recorder;
    original.addHandler(&recorder);
    original.submit(limit(1, Side::Sell, 30, 200), Timestamp{1});
    original.submit(limit(2, Side::Buy, 10, 200), Timestamp{2});

    Engine restored;
    QCOMPARE(restored.restore(recorder.events[0]), RestoreResult::Restored);
    QCOMPARE(restored.restore(recorder.events[2]), RestoreResult::OutOfSequence);
    QCOMPARE(restored.lastSequence(), SequenceNumber{1});

    // A trade against an order the book does not hold does not fit and changes nothing.
    Engine empty;
    Event trade = recorder.events[3];
    trade.sequence = 1;
    QVERIFY(std::holds_alternative<Trade>(trade.payload));
    QCOMPARE(empty.restore(trade), RestoreResult::UnknownOrder);
    QCOMPARE(empty.lastSequence(), SequenceNumber{0});

    // A trade that leaves the maker with a different size than the book gives does not fit.
    Engine restoredFirst;
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

QTEST_APPLESS_MAIN(MatchingTest)
#include "tst_matching.moc"

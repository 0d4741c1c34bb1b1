// Replicas on small hand-written streams: the expected levels, orders and positions are worked
// out by hand in the comments, and each event that does not fit is rejected with a reason.

#include "replica.h"

#include <QTest>

using namespace bourse;
using namespace bourse::net;

namespace {

constexpr InstrumentId kInstrument{1};
constexpr AccountId kAccount{7};

Event eventOf(SequenceNumber sequence, EventPayload payload, InstrumentId instrument = kInstrument)
{
    return Event{sequence, Timestamp{static_cast<std::int64_t>(sequence) * 1000}, instrument,
                 std::move(payload)};
}

OrderAdded added(std::uint64_t id, Side side, std::int64_t price, std::int64_t quantity)
{
    return OrderAdded{OrderId{id}, side, Price{price}, Quantity{quantity}, OrderOrigin::OrderEntry};
}

// Bids 100 x10 (order 1), 100 x5 (order 2), 99 x7 (order 3); ask 101 x8 (order 4).
InstrumentReplica fourOrders()
{
    InstrumentDefinition definition;
    definition.id = kInstrument;
    InstrumentReplica replica(kInstrument);
    const std::vector<EventPayload> payloads{
        InstrumentAdded{definition},  TradingStatusChanged{TradingStatus::Trading},
        added(1, Side::Buy, 100, 10), added(2, Side::Buy, 100, 5),
        added(3, Side::Buy, 99, 7),   added(4, Side::Sell, 101, 8)};
    SequenceNumber sequence = 0;
    for (const EventPayload &payload : payloads)
        [&] { QVERIFY(replica.apply(eventOf(++sequence, payload))); }();
    return replica;
}

std::vector<LevelSummary> levels(std::initializer_list<LevelSummary> rows)
{
    return rows;
}

LevelSummary level(std::int64_t price, std::int64_t quantity, std::uint32_t orders)
{
    return LevelSummary{Price{price}, Quantity{quantity}, orders};
}

} // namespace

class TestReplica : public QObject {
    Q_OBJECT

private slots:
    void instrumentLevelsFromAdds();
    void instrumentTradeReducesMaker();
    void instrumentIcebergRefillsAtBack();
    void instrumentReplaceKeepsOrLosesPlace();
    void instrumentRejectsUnfittingEvents();
    void accountFollowsOrderAndFill();
    void accountRejectsUnfittingEvents();
};

void TestReplica::instrumentLevelsFromAdds()
{
    InstrumentReplica replica = fourOrders();
    QCOMPARE(replica.levels(Side::Buy), levels({level(100, 15, 2), level(99, 7, 1)}));
    QCOMPARE(replica.levels(Side::Sell), levels({level(101, 8, 1)}));
    const TopOfBook top = replica.topOfBook();
    QCOMPARE(top.bidPrice, Price{100});
    QCOMPARE(top.bidQuantity, Quantity{15});
    QCOMPARE(top.askPrice, Price{101});
    QCOMPARE(top.askQuantity, Quantity{8});
    QVERIFY(replica.apply(eventOf(7, top)));
}

void TestReplica::instrumentTradeReducesMaker()
{
    InstrumentReplica replica = fourOrders();
    // A sell of 12 takes order 1 (10) whole, then 2 of order 2: 100 has 3 left in one order.
    QVERIFY(replica.apply(eventOf(
        7,
        Trade{OrderId{1}, OrderId{9}, Side::Sell, Price{100}, Quantity{10}, Quantity{0}, {}, {}})));
    QVERIFY(replica.apply(eventOf(
        8,
        Trade{OrderId{2}, OrderId{9}, Side::Sell, Price{100}, Quantity{2}, Quantity{3}, {}, {}})));
    QCOMPARE(replica.levels(Side::Buy), levels({level(100, 3, 1), level(99, 7, 1)}));
    QCOMPARE(replica.findOrder(OrderId{1}), nullptr);
    QCOMPARE(replica.lastTrade()->price, Price{100});
    QCOMPARE(replica.lastTrade()->quantity, Quantity{2});
    // The cancel of the taker's rest names an order the book never held: nothing changes.
    QVERIFY(replica.apply(eventOf(9, OrderCancelled{OrderId{9}, Side::Sell, Price{100}, Quantity{5},
                                                    CancelReason::Unfilled})));
    QCOMPARE(replica.orderCount(), std::size_t{3});
}

void TestReplica::instrumentIcebergRefillsAtBack()
{
    InstrumentReplica replica = fourOrders();
    // Order 3 is an iceberg showing 7 at 99; order 5 joins behind it. A trade takes all 7, the
    // next slice of 7 goes behind order 5: the queue at 99 becomes 5, 3.
    QVERIFY(replica.apply(eventOf(7, added(5, Side::Buy, 99, 4))));
    QVERIFY(replica.apply(eventOf(
        8,
        Trade{OrderId{1}, OrderId{9}, Side::Sell, Price{100}, Quantity{10}, Quantity{0}, {}, {}})));
    QVERIFY(replica.apply(eventOf(
        9,
        Trade{OrderId{2}, OrderId{9}, Side::Sell, Price{100}, Quantity{5}, Quantity{0}, {}, {}})));
    QVERIFY(replica.apply(eventOf(
        10,
        Trade{OrderId{3}, OrderId{9}, Side::Sell, Price{99}, Quantity{7}, Quantity{0}, {}, {}})));
    QVERIFY(replica.apply(
        eventOf(11, OrderRefilled{OrderId{3}, Side::Buy, Price{99}, Quantity{7}, Quantity{14}})));
    const auto queue = replica.book().ordersAt(Side::Buy, Price{99});
    QCOMPARE(queue.size(), std::size_t{2});
    QCOMPARE(queue[0]->id, OrderId{5});
    QCOMPARE(queue[1]->id, OrderId{3});
    QCOMPARE(replica.levels(Side::Buy), levels({level(99, 11, 2)}));
    // The cancel of the iceberg counts its reserve: 7 shown plus 14 hidden.
    QVERIFY(replica.apply(eventOf(12, OrderCancelled{OrderId{3}, Side::Buy, Price{99}, Quantity{21},
                                                     CancelReason::Requested})));
    QCOMPARE(replica.levels(Side::Buy), levels({level(99, 4, 1)}));
}

void TestReplica::instrumentReplaceKeepsOrLosesPlace()
{
    InstrumentReplica replica = fourOrders();
    // Order 1 cut from 10 to 6 keeps its place at 100: queue 1 (6), 2 (5).
    QVERIFY(replica.apply(eventOf(7, OrderReplaced{OrderId{1}, Side::Buy, Price{100}, Price{100},
                                                   Quantity{6}, Price{}, QueuePriority::Kept})));
    QCOMPARE(replica.book().ordersAt(Side::Buy, Price{100}).front()->id, OrderId{1});
    QCOMPARE(replica.levels(Side::Buy).front(), level(100, 11, 2));
    // Order 2 moved to 99 loses its place and rests behind order 3.
    QVERIFY(replica.apply(eventOf(8, OrderReplaced{OrderId{2}, Side::Buy, Price{100}, Price{99},
                                                   Quantity{5}, Price{}, QueuePriority::Lost})));
    QVERIFY(replica.apply(eventOf(9, added(2, Side::Buy, 99, 5))));
    QCOMPARE(replica.levels(Side::Buy), levels({level(100, 6, 1), level(99, 12, 2)}));
    QCOMPARE(replica.book().ordersAt(Side::Buy, Price{99}).back()->id, OrderId{2});
}

void TestReplica::instrumentRejectsUnfittingEvents()
{
    InstrumentReplica replica = fourOrders();
    // Order 1 shows 10, so taking 4 leaves 6, not 5.
    QVERIFY(!replica.apply(eventOf(
        7,
        Trade{OrderId{1}, OrderId{9}, Side::Sell, Price{100}, Quantity{4}, Quantity{5}, {}, {}})));
    QVERIFY(replica.mismatch().find("maker keeps 5") != std::string::npos);

    InstrumentReplica other = fourOrders();
    QVERIFY(!other.apply(eventOf(
        7,
        Trade{OrderId{42}, OrderId{9}, Side::Sell, Price{100}, Quantity{1}, Quantity{0}, {}, {}})));
    QVERIFY(!other.apply(eventOf(8, added(4, Side::Sell, 102, 1)))); // a live id again
    QVERIFY(!other.apply(
        eventOf(9, OrderRefilled{OrderId{1}, Side::Buy, Price{100}, Quantity{1}, Quantity{0}})));
    QVERIFY(
        !other.apply(eventOf(10, TopOfBook{Price{100}, Quantity{14}, Price{101}, Quantity{8}})));
    QVERIFY(!other.apply(eventOf(11, added(6, Side::Buy, 100, 1), InstrumentId{2})));
}

void TestReplica::accountFollowsOrderAndFill()
{
    AccountReplica replica(kAccount);
    AccountSettings settings;
    settings.id = kAccount;
    OrderAccepted accepted{};
    accepted.id = OrderId{1};
    accepted.side = Side::Buy;
    accepted.type = OrderType::Limit;
    accepted.limit = Price{100};
    accepted.quantity = Quantity{10};
    accepted.account = kAccount;
    QVERIFY(replica.apply(eventOf(1, AccountOpened{settings, Money{1'000'000}}, InstrumentId{})));
    QVERIFY(replica.apply(eventOf(2, accepted)));
    QVERIFY(replica.apply(eventOf(3, added(1, Side::Buy, 100, 10))));
    QCOMPARE(replica.workingOrders().at(OrderId{1}).state, WorkingState::Resting);

    // 4 of 10 fill at 100: position 4, cash 1'000'000 - 400 - fee 2.
    QVERIFY(replica.apply(eventOf(4, Trade{OrderId{1}, OrderId{2}, Side::Sell, Price{100},
                                           Quantity{4}, Quantity{6}, kAccount, AccountId{8}})));
    FillPosted fill{4,          kAccount,    kInstrument, Side::Buy, LiquidityRole::Maker,
                    Price{100}, Quantity{4}, Money{2},    Money{0},  Money{999'598},
                    Quantity{4}};
    QVERIFY(replica.apply(eventOf(5, fill)));
    QCOMPARE(replica.workingOrders().at(OrderId{1}).remaining, Quantity{6});
    QCOMPARE(replica.positions().at(kInstrument).position, Quantity{4});
    QCOMPARE(replica.positions().at(kInstrument).averagePrice, Price{100});
    QCOMPARE(replica.positions().at(kInstrument).feesPaid, Money{2});
    QCOMPARE(replica.cash(), Money{999'598});

    QVERIFY(replica.apply(eventOf(6, OrderCancelled{OrderId{1}, Side::Buy, Price{100}, Quantity{6},
                                                    CancelReason::Requested})));
    QVERIFY(replica.workingOrders().empty());
}

void TestReplica::accountRejectsUnfittingEvents()
{
    AccountReplica replica(kAccount);
    QVERIFY(!replica.apply(eventOf(1, OrderCancelled{OrderId{1}, Side::Buy, Price{100}, Quantity{6},
                                                     CancelReason::Requested})));
    // A fill that claims position 5 from flat after buying 4.
    FillPosted fill{4,           kAccount, kInstrument, Side::Buy, LiquidityRole::Maker, Price{100},
                    Quantity{4}, Money{0}, Money{0},    Money{0},  Quantity{5}};
    QVERIFY(!replica.apply(eventOf(2, fill)));
    QVERIFY(replica.mismatch().find("leaves position 5") != std::string::npos);
    QVERIFY(
        !replica.apply(eventOf(3, Trade{OrderId{1}, OrderId{2}, Side::Sell, Price{100}, Quantity{4},
                                        Quantity{6}, AccountId{8}, AccountId{9}})));
}

QTEST_GUILESS_MAIN(TestReplica)
#include "tst_replica.moc"

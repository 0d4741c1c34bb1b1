#include "order_book.h"
#include "order_index.h"

#include <QTest>

#include <map>
#include <vector>

using namespace bourse;

class OrderIndexTest : public QObject {
    Q_OBJECT

private slots:
    void missingIdIsNotFound();
    void duplicateInsertIsRejected();
    void randomChurnAgreesWithStdMap_data();
    void randomChurnAgreesWithStdMap();
    void storeRecyclesOrdersAndDetails();
    void bookKeepsLevelsSortedThroughChurn();
    void requeueMovesOrderToBackWithNewSize();
};

void OrderIndexTest::missingIdIsNotFound()
{
    OrderIndex index;
    Order a;
    a.id = OrderId{1};
    Order b;
    b.id = OrderId{2};
    QVERIFY(index.insert(&a));
    QVERIFY(index.insert(&b));
    index.erase(OrderId{1});
    QCOMPARE(index.find(OrderId{1}), nullptr);
    QCOMPARE(index.find(OrderId{2}), &b);
    QCOMPARE(index.find(OrderId{3}), nullptr);
    index.erase(OrderId{3}); // erasing a missing id changes nothing
    QCOMPARE(index.size(), std::size_t{1});
}

void OrderIndexTest::duplicateInsertIsRejected()
{
    OrderIndex index;
    Order a;
    a.id = OrderId{7};
    Order b;
    b.id = OrderId{7};
    QVERIFY(index.insert(&a));
    QVERIFY(!index.insert(&b));
    QCOMPARE(index.find(OrderId{7}), &a);
    QCOMPARE(index.size(), std::size_t{1});
}

// Inserts and erases at random, checking every id against std::map after each step. The small
// universe keeps the table small, so clusters often wrap around its end.
void OrderIndexTest::randomChurnAgreesWithStdMap_data()
{
    QTest::addColumn<int>("universe");
    QTest::addColumn<quint64>("stride");
    QTest::newRow("40 close ids, one page") << 40 << quint64{1};
    QTest::newRow("20000 close ids, pages come and go") << 20000 << quint64{1};
    // Ids 2^33 apart are too far apart for pages and all go to the hash table, whose
    // clusters wrap around its end with so few of them.
    QTest::newRow("40 far ids, hash table") << 40 << (quint64{1} << 33);
    QTest::newRow("3000 far ids, the hash table grows") << 3000 << (quint64{1} << 33);
    // 2^31 apart: the first few share the page table, the rest fall beyond its span.
    QTest::newRow("3000 ids, paged and hashed") << 3000 << (quint64{1} << 21);
}

void OrderIndexTest::randomChurnAgreesWithStdMap()
{
    QFETCH(int, universe);
    QFETCH(quint64, stride);
    const auto ids = static_cast<std::uint64_t>(universe);
    // Whichever id comes first sets the first page, so ids below it occur as well.
    auto idOf = [stride](std::uint64_t k) { return k * stride + 7; };
    OrderIndex index;
    std::map<std::uint64_t, Order *> reference;
    std::vector<Order> orders(ids);
    for (std::uint64_t k = 0; k < ids; ++k)
        orders[k].id = OrderId{idOf(k)};
    std::uint64_t state = 12345;
    auto nextRandom = [&state] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return state >> 33;
    };

    for (int step = 0; step < 60000; ++step) {
        const std::uint64_t k = nextRandom() % ids;
        Order *order = &orders[k];
        if (nextRandom() % 2 == 0) {
            const bool inserted = index.insert(order);
            QCOMPARE(inserted, reference.emplace(idOf(k), order).second);
        } else {
            index.erase(OrderId{idOf(k)});
            reference.erase(idOf(k));
        }
        if (universe <= 100 || step % 5000 == 0) {
            for (std::uint64_t probe = 0; probe < ids; ++probe) {
                auto found = reference.find(idOf(probe));
                Order *expected = found == reference.end() ? nullptr : found->second;
                QCOMPARE(index.find(OrderId{idOf(probe)}), expected);
                QCOMPARE(index.find(OrderId{idOf(ids + probe)}), nullptr); // never inserted
            }
        }
    }
    QCOMPARE(index.size(), reference.size());
}

void OrderIndexTest::storeRecyclesOrdersAndDetails()
{
    OrderStore store;
    Order *first = store.create(OrderId{5});
    QVERIFY(first);
    QCOMPARE(store.create(OrderId{5}), nullptr);
    store.details(first).reserve = Quantity{40};
    QCOMPARE(first->reserve(), Quantity{40});
    store.destroy(first);
    QCOMPARE(store.find(OrderId{5}), nullptr);

    // A recycled order comes back with every attribute at its default.
    Order *second = store.create(OrderId{6});
    QCOMPARE(second->details, nullptr);
    QCOMPARE(second->reserve(), Quantity{0});
    QCOMPARE(store.find(OrderId{6}), second);
    QCOMPARE(store.size(), std::size_t{1});
}

// Adds and removes orders at random prices and checks the sorted levels and their totals
// against a std::map of price -> quantity summed by hand.
void OrderIndexTest::bookKeepsLevelsSortedThroughChurn()
{
    OrderStore store;
    OrderBook book;
    std::map<std::int64_t, std::int64_t> bids;
    std::vector<Order *> live;
    std::uint64_t state = 99;
    auto nextRandom = [&state] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return state >> 33;
    };
    for (std::uint64_t step = 1; step <= 5000; ++step) {
        if (live.empty() || nextRandom() % 3 != 0) {
            Order *order = store.create(OrderId{step});
            order->side = Side::Buy;
            order->price = Price{static_cast<std::int64_t>(1000 + nextRandom() % 200)};
            order->remaining = Quantity{static_cast<std::int64_t>(1 + nextRandom() % 9)};
            book.add(order);
            bids[order->price.value()] += order->remaining.value();
            live.push_back(order);
        } else {
            const std::size_t victim = nextRandom() % live.size();
            Order *order = live[victim];
            live[victim] = live.back();
            live.pop_back();
            bids[order->price.value()] -= order->remaining.value();
            if (bids[order->price.value()] == 0)
                bids.erase(order->price.value());
            book.remove(order);
            store.destroy(order);
        }
    }
    QCOMPARE(book.levelCount(Side::Buy), bids.size());
    QCOMPARE(book.orderCount(), live.size());
    std::size_t depth = 0;
    for (auto level = bids.rbegin(); level != bids.rend(); ++level, ++depth) {
        QCOMPARE(book.level(Side::Buy, depth).price, Price{level->first});
        QCOMPARE(book.level(Side::Buy, depth).quantity, Quantity{level->second});
        QCOMPARE(book.quantityAt(Side::Buy, Price{level->first}), Quantity{level->second});
    }
    QCOMPARE(book.quantityAt(Side::Buy, Price{999}), Quantity{0});
}

void OrderIndexTest::requeueMovesOrderToBackWithNewSize()
{
    OrderStore store;
    OrderBook book;
    Order *orders[3];
    for (std::uint64_t i = 0; i < 3; ++i) {
        orders[i] = store.create(OrderId{i + 1});
        orders[i]->side = Side::Sell;
        orders[i]->price = Price{50};
        orders[i]->remaining = Quantity{10};
        book.add(orders[i]);
    }
    book.requeue(orders[0], Quantity{4});
    const auto queue = book.ordersAt(Side::Sell, Price{50});
    QCOMPARE(queue.size(), std::size_t{3});
    QCOMPARE(queue[0]->id, OrderId{2});
    QCOMPARE(queue[2]->id, OrderId{1});
    QCOMPARE(book.quantityAt(Side::Sell, Price{50}), Quantity{24});
    QCOMPARE(book.bestOrder(Side::Sell)->id, OrderId{2});
}

QTEST_APPLESS_MAIN(OrderIndexTest)
#include "tst_order_index.moc"

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
};

void OrderIndexTest::missingIdIsNotFound()
{
    OrderIndex index(16);
    Order a;
    Order b;
    QVERIFY(index.insert(OrderId{1}, &a));
    QVERIFY(index.insert(OrderId{2}, &b));
    index.erase(OrderId{1});
    QCOMPARE(index.find(OrderId{1}), nullptr);
    QCOMPARE(index.find(OrderId{2}), &b);
    QCOMPARE(index.find(OrderId{3}), nullptr);
    index.erase(OrderId{3}); // erasing a missing id changes nothing
    QCOMPARE(index.size(), std::size_t{1});
}

void OrderIndexTest::duplicateInsertIsRejected()
{
    OrderIndex index(16);
    Order a;
    Order b;
    QVERIFY(index.insert(OrderId{7}, &a));
    QVERIFY(!index.insert(OrderId{7}, &b));
    QCOMPARE(index.find(OrderId{7}), &a);
    QCOMPARE(index.size(), std::size_t{1});
}

// Inserts and erases at random, checking every id against std::map after each step. The small
// universe keeps the table small, so clusters often wrap around its end.
void OrderIndexTest::randomChurnAgreesWithStdMap_data()
{
    QTest::addColumn<int>("universe");
    QTest::newRow("40 ids, clusters wrap around") << 40;
    QTest::newRow("3000 ids, the table grows") << 3000;
}

void OrderIndexTest::randomChurnAgreesWithStdMap()
{
    QFETCH(int, universe);
    const auto ids = static_cast<std::uint64_t>(universe);
    OrderIndex index(16);
    std::map<std::uint64_t, Order *> reference;
    std::vector<Order> orders(ids);
    std::uint64_t state = 12345;
    auto nextRandom = [&state] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return state >> 33;
    };

    for (int step = 0; step < 20000; ++step) {
        const std::uint64_t id = nextRandom() % ids;
        Order *order = &orders[id];
        if (nextRandom() % 2 == 0) {
            const bool inserted = index.insert(OrderId{id}, order);
            QCOMPARE(inserted, reference.emplace(id, order).second);
        } else {
            index.erase(OrderId{id});
            reference.erase(id);
        }
        if (universe <= 100 || step % 1000 == 0) {
            for (std::uint64_t probe = 0; probe < ids; ++probe) {
                auto found = reference.find(probe);
                Order *expected = found == reference.end() ? nullptr : found->second;
                QCOMPARE(index.find(OrderId{probe}), expected);
            }
        }
    }
    QCOMPARE(index.size(), reference.size());
}

QTEST_APPLESS_MAIN(OrderIndexTest)
#include "tst_order_index.moc"

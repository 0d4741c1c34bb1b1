#include "fixed_ring.h"

#include <QTest>

#include <algorithm>
#include <deque>
#include <string>

using bourse::ui::FixedRing;

class FixedRingTest : public QObject {
    Q_OBJECT

private slots:
    void keepsOrderAcrossWrapAround();
    void agreesWithDequeThroughChurn();
    void sortedRingSearchesLikeVector();
    void clearedRingReusesSlots();
};

// Capacity 4: 1..4 fill it, dropping 1 and 2 and adding 5 and 6 wraps the newest into the
// first slots. Read from the oldest, forwards and backwards, it is 3 4 5 6.
void FixedRingTest::keepsOrderAcrossWrapAround()
{
    FixedRing<int> ring(4);
    for (int value : {1, 2, 3, 4})
        ring.push_back(value);
    QVERIFY(ring.full());
    ring.dropFront(2);
    ring.push_back(5);
    ring.push_back(6);
    QCOMPARE(ring.size(), std::size_t{4});
    QCOMPARE(ring.front(), 3);
    QCOMPARE(ring.back(), 6);
    QCOMPARE(std::vector<int>(ring.begin(), ring.end()), (std::vector<int>{3, 4, 5, 6}));
    QCOMPARE(std::vector<int>(ring.rbegin(), ring.rend()), (std::vector<int>{6, 5, 4, 3}));
    QCOMPARE(ring.end() - ring.begin(), std::ptrdiff_t{4});
    QCOMPARE(ring.begin()[2], 5);
    ring.dropFront(10); // more than it holds: all of them
    QVERIFY(ring.empty());
}

// Strings, so that a moved-from or stale slot would show. Adds and drops in uneven steps, as the
// event log does, and compares every element with a deque after each step.
void FixedRingTest::agreesWithDequeThroughChurn()
{
    constexpr std::size_t kCapacity = 7;
    FixedRing<std::string> ring(kCapacity);
    std::deque<std::string> model;
    int next = 0;
    for (int step = 0; step < 200; ++step) {
        const std::size_t adds = static_cast<std::size_t>(step * 7 % 5);
        const std::size_t drops = static_cast<std::size_t>(step * 11 % 4);
        for (std::size_t i = 0; i < drops && !model.empty(); ++i)
            model.pop_front();
        ring.dropFront(drops);
        for (std::size_t i = 0; i < adds && model.size() < kCapacity; ++i) {
            const std::string value = std::to_string(next++);
            model.push_back(value);
            ring.push_back(value);
        }
        QCOMPARE(ring.size(), model.size());
        QVERIFY(std::equal(ring.begin(), ring.end(), model.begin(), model.end()));
    }
    QVERIFY(next > static_cast<int>(2 * kCapacity)); // the ring wrapped around several times
}

// The event log finds a sequence number with std::lower_bound over its ring.
void FixedRingTest::sortedRingSearchesLikeVector()
{
    FixedRing<int> ring(5);
    for (int value : {10, 20, 30, 40, 50})
        ring.push_back(value);
    ring.dropFront(3);
    ring.push_back(60);
    ring.push_back(70); // 40 50 60 70, stored as 60 70 _ 40 50
    const auto found = std::lower_bound(ring.begin(), ring.end(), 55);
    QCOMPARE(*found, 60);
    QCOMPARE(found - ring.begin(), std::ptrdiff_t{2});
    QVERIFY(std::lower_bound(ring.begin(), ring.end(), 75) == ring.end());
    const FixedRing<int> &constant = ring;
    QCOMPARE(*std::upper_bound(constant.begin(), constant.end(), 40), 50);
}

void FixedRingTest::clearedRingReusesSlots()
{
    FixedRing<std::string> ring(3);
    ring.push_back("a");
    ring.push_back("b");
    ring.clear();
    QVERIFY(ring.empty());
    for (const char *value : {"x", "y", "z"})
        ring.push_back(value);
    QCOMPARE(std::vector<std::string>(ring.begin(), ring.end()),
             (std::vector<std::string>{"x", "y", "z"}));
}

QTEST_GUILESS_MAIN(FixedRingTest)
#include "tst_fixed_ring.moc"

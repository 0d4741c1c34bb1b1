#include "engine_printers.h"
#include "order_book.h"
#include "order_index.h"

#include <QTest>

#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <vector>

using namespace bourse;

class OrderIndexTest : public QObject {
    Q_OBJECT

private slots:
    void missingIdIsNotFound();
    void duplicateInsertIsRejected();
    void pageTableFollowsRisingIds();
    void randomChurnAgreesWithStdMap_data();
    void randomChurnAgreesWithStdMap();
    void storeRecyclesOrdersAndDetails();
    void bookKeepsLevelsSortedThroughChurn();
    void requeueMovesOrderToBackWithNewSize();
    void bookAgreesWithModelThroughChurn_data();
    void bookAgreesWithModelThroughChurn();
    void emptiedBestLevelGivesWayAndRefills_data();
    void emptiedBestLevelGivesWayAndRefills();
    void extremePricesRankOnBothSides();
    void farPricesKeepMemorySmall();
    void windowFollowsDriftingPrices();
    void strayBehindTouchStaysFar();
    void farLevelAheadOfWindowRanksFirst_data();
    void farLevelAheadOfWindowRanksFirst();
    void clearedBookStartsAfresh();
    void stateHashCoversLevelsAndQueues();
};

namespace {

// Orders at each price of one side in queue order.
struct SideModel {
    Side side = Side::Buy;
    std::map<std::int64_t, std::deque<Order *>> levels;

    // Prices best first: the highest bid or the lowest ask first.
    std::vector<std::int64_t> pricesBestFirst() const
    {
        std::vector<std::int64_t> prices;
        for (const auto &entry : levels)
            prices.push_back(entry.first);
        if (side == Side::Buy)
            std::reverse(prices.begin(), prices.end());
        return prices;
    }

    static std::int64_t quantityOf(const std::deque<Order *> &queue)
    {
        std::int64_t total = 0;
        for (const Order *order : queue)
            total += order->remaining.value();
        return total;
    }
};

// FNV-1a over the bytes of 64-bit words, low byte first, which is how OrderBook::stateHash is
// defined.
class Fnv1a {
public:
    void add(std::uint64_t word)
    {
        for (int i = 0; i < 8; ++i) {
            m_hash ^= (word >> (8 * i)) & 0xffU;
            m_hash *= 0x100000001b3ULL;
        }
    }
    std::uint64_t value() const { return m_hash; }

private:
    std::uint64_t m_hash = 0xcbf29ce484222325ULL;
};

std::uint64_t modelHash(const SideModel &bids, const SideModel &asks)
{
    Fnv1a hash;
    for (const SideModel *model : {&bids, &asks}) {
        hash.add(model->levels.size());
        for (std::int64_t price : model->pricesBestFirst()) {
            const std::deque<Order *> &queue = model->levels.at(price);
            hash.add(static_cast<std::uint64_t>(price));
            hash.add(queue.size());
            for (const Order *order : queue) {
                hash.add(order->id.value());
                hash.add(static_cast<std::uint64_t>(order->remaining.value()));
            }
        }
    }
    return hash.value();
}

// Compares the best level of a side, which matching reads after every change.
void compareBest(const OrderBook &book, const SideModel &model)
{
    QCOMPARE(book.levelCount(model.side), model.levels.size());
    if (model.levels.empty()) {
        QCOMPARE(book.bestOrder(model.side), nullptr);
        QVERIFY(!book.bestPrice(model.side).has_value());
        return;
    }
    const std::int64_t best = model.pricesBestFirst().front();
    QCOMPARE(book.bestPrice(model.side), std::optional<Price>(Price{best}));
    QCOMPARE(book.bestOrder(model.side), model.levels.at(best).front());
}

// Compares every level of a side by depth and by price, and every queue.
void compareLevels(const OrderBook &book, const SideModel &model)
{
    const std::vector<std::int64_t> prices = model.pricesBestFirst();
    QCOMPARE(book.levelCount(model.side), prices.size());
    std::vector<const Order *> expectedOrders;
    for (std::size_t depth = 0; depth < prices.size(); ++depth) {
        const std::deque<Order *> &queue = model.levels.at(prices[depth]);
        const std::int64_t quantity = SideModel::quantityOf(queue);
        const LevelSummary level = book.level(model.side, depth);
        QCOMPARE(level.price, Price{prices[depth]});
        QCOMPARE(level.quantity, Quantity{quantity});
        QCOMPARE(level.orderCount, static_cast<std::uint32_t>(queue.size()));
        QCOMPARE(book.quantityAt(model.side, Price{prices[depth]}), Quantity{quantity});
        const std::vector<const Order *> expectedQueue(queue.begin(), queue.end());
        QCOMPARE(book.ordersAt(model.side, Price{prices[depth]}), expectedQueue);
        expectedOrders.insert(expectedOrders.end(), queue.begin(), queue.end());
    }
    std::vector<const Order *> visited;
    book.forEachOrder(model.side, [&visited](const Order &order) { visited.push_back(&order); });
    QCOMPARE(visited, expectedOrders);

    // Depths asked out of order, as a bisection over the depths asks them.
    for (std::size_t depth = prices.size(); depth-- > 0;)
        QCOMPARE(book.level(model.side, depth).price, Price{prices[depth]});
    for (std::size_t depth = 0; depth < prices.size(); depth += 3)
        QCOMPARE(book.level(model.side, depth).price, Price{prices[depth]});
}

// Random operations applied to a book and to a model of it alike.
class BookChurn {
public:
    explicit BookChurn(std::uint64_t seed)
        : m_state(seed)
    {
        m_bids.side = Side::Buy;
        m_asks.side = Side::Sell;
    }

    std::uint64_t nextRandom()
    {
        m_state = m_state * 6364136223846793005ULL + 1442695040888963407ULL;
        return m_state >> 33;
    }
    std::int64_t below(std::int64_t bound)
    {
        return static_cast<std::int64_t>(nextRandom() % static_cast<std::uint64_t>(bound));
    }

    void add(Side side, std::int64_t price)
    {
        Order *order = m_store.create(OrderId{++m_lastId});
        order->side = side;
        order->price = Price{price};
        order->remaining = Quantity{1 + below(50)};
        m_book.add(order);
        model(side).levels[price].push_back(order);
        m_live.push_back(order);
    }

    // Removes, reduces or requeues a random live order, or removes the best order of a side
    // as a fill does.
    void changeRandomOrder()
    {
        const std::uint64_t action = nextRandom() % 5;
        if (action == 0) {
            const Side side = nextRandom() % 2 == 0 ? Side::Buy : Side::Sell;
            if (Order *best = m_book.bestOrder(side))
                removeLive(best);
            return;
        }
        const auto index =
            static_cast<std::size_t>(below(static_cast<std::int64_t>(m_live.size())));
        Order *order = m_live[index];
        std::deque<Order *> &queue = model(order->side).levels.at(order->price.value());
        if (action == 1 && order->remaining > Quantity{1}) {
            m_book.reduce(order, Quantity{1});
        } else if (action == 2) {
            m_book.requeue(order, Quantity{1 + below(50)});
            queue.erase(std::find(queue.begin(), queue.end(), order));
            queue.push_back(order);
        } else {
            removeLive(order);
        }
    }

    const OrderBook &book() const { return m_book; }
    const SideModel &bids() const { return m_bids; }
    const SideModel &asks() const { return m_asks; }
    std::size_t liveCount() const { return m_live.size(); }

private:
    SideModel &model(Side side) { return side == Side::Buy ? m_bids : m_asks; }

    void removeLive(Order *order)
    {
        SideModel &side = model(order->side);
        std::deque<Order *> &queue = side.levels.at(order->price.value());
        queue.erase(std::find(queue.begin(), queue.end(), order));
        if (queue.empty())
            side.levels.erase(order->price.value());
        m_live.erase(std::find(m_live.begin(), m_live.end(), order));
        m_book.remove(order);
        m_store.destroy(order);
    }

    std::uint64_t m_state;
    std::uint64_t m_lastId = 0;
    OrderStore m_store;
    OrderBook m_book;
    SideModel m_bids;
    SideModel m_asks;
    std::vector<Order *> m_live;
};

enum class PricePattern {
    NearMid,     // a few hundred ticks around one price
    Drifting,    // a mid that climbs 18 000 ticks while orders come and go
    TwoClusters, // two groups 2^20 ticks apart, too far apart for one window
    WideSpread,  // anywhere from 1 to 10^6
    Extremes,    // near 1, near kMaximumPrice, and two groups 2^19 apart in between
};

std::int64_t priceFor(PricePattern pattern, BookChurn &churn, std::uint64_t step)
{
    switch (pattern) {
    case PricePattern::NearMid:
        return 9'700 + churn.below(600);
    case PricePattern::Drifting:
        return 10'000 + 3 * static_cast<std::int64_t>(step) + churn.below(100);
    case PricePattern::TwoClusters:
        return (churn.nextRandom() % 2 == 0 ? 5'000 : 5'000 + (1 << 20)) + churn.below(100);
    case PricePattern::WideSpread:
        return 1 + churn.below(1'000'000);
    case PricePattern::Extremes:
        break;
    }
    switch (churn.nextRandom() % 4) {
    case 0:
        return 1 + churn.below(70);
    case 1:
        return kMaximumPrice.value() - churn.below(70);
    case 2:
        return 500'000 + churn.below(3);
    default:
        return 500'000 + (1 << 19) + churn.below(3);
    }
}

} // namespace

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

// An engine numbers its orders upwards and most leave soon, so the ids in use move up without
// end. The index must span the live ids, not every id ever used: after ten thousand pages of
// ids it takes no more memory than after a hundred, and an old id still finds its order.
void OrderIndexTest::pageTableFollowsRisingIds()
{
    constexpr std::uint64_t kIdsPerPage = 4096;
    OrderIndex index;
    Order pinned;
    pinned.id = OrderId{3};
    std::array<Order, 2> moving;
    std::size_t bytesAfterHundredPages = 0;
    for (std::uint64_t page = 1; page <= 10'000; ++page) {
        Order &order = moving[page % 2];
        Order &previous = moving[(page + 1) % 2];
        order.id = OrderId{page * kIdsPerPage + 17};
        QVERIFY(index.insert(&order));
        if (page > 1)
            index.erase(previous.id);
        if (page == 100)
            bytesAfterHundredPages = index.memoryBytes();
    }
    QCOMPARE(index.memoryBytes(), bytesAfterHundredPages);
    QCOMPARE(index.size(), std::size_t{1});
    QCOMPARE(index.find(OrderId{10'000 * kIdsPerPage + 17}), &moving[0]);

    // An id from long before the table's start goes to the hash table and is still found.
    QVERIFY(index.insert(&pinned));
    QCOMPARE(index.find(OrderId{3}), &pinned);
    QVERIFY(!index.insert(&pinned));
    index.erase(OrderId{3});
    QCOMPARE(index.find(OrderId{3}), nullptr);
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

void OrderIndexTest::bookAgreesWithModelThroughChurn_data()
{
    QTest::addColumn<PricePattern>("pattern");
    QTest::addColumn<quint64>("seed");
    QTest::newRow("near one price") << PricePattern::NearMid << quint64{1};
    QTest::newRow("drifting prices") << PricePattern::Drifting << quint64{2};
    QTest::newRow("two clusters too far apart") << PricePattern::TwoClusters << quint64{3};
    QTest::newRow("wide spread of prices") << PricePattern::WideSpread << quint64{4};
    QTest::newRow("prices near 1 and 10^15") << PricePattern::Extremes << quint64{5};
}

// Applies random adds, removals, reductions and requeues on both sides to a book and to a
// std::map model. Compares the best levels after every step, and every level, every queue and
// the state hash every 50 steps.
void OrderIndexTest::bookAgreesWithModelThroughChurn()
{
    QFETCH(PricePattern, pattern);
    QFETCH(quint64, seed);
    BookChurn churn(seed);
    for (std::uint64_t step = 1; step <= 6000; ++step) {
        if (churn.liveCount() < 2 || churn.nextRandom() % 2 == 0) {
            const Side side = churn.nextRandom() % 2 == 0 ? Side::Buy : Side::Sell;
            churn.add(side, priceFor(pattern, churn, step));
        } else {
            churn.changeRandomOrder();
        }

        compareBest(churn.book(), churn.bids());
        compareBest(churn.book(), churn.asks());
        if (QTest::currentTestFailed()) {
            qWarning("the best level differs from the model after step %llu",
                     static_cast<unsigned long long>(step));
            return;
        }
        if (step % 50 != 0)
            continue;
        compareLevels(churn.book(), churn.bids());
        compareLevels(churn.book(), churn.asks());
        QCOMPARE(churn.book().stateHash(), modelHash(churn.bids(), churn.asks()));
        if (QTest::currentTestFailed()) {
            qWarning("the levels differ from the model after step %llu",
                     static_cast<unsigned long long>(step));
            return;
        }
    }
    QCOMPARE(churn.book().orderCount(), churn.liveCount());
    // A window spans at most 2^18 slots of 32 bytes per side; far levels take 64 bytes each
    // and a pointer in a sorted vector.
    const std::size_t bound = 2 * (std::size_t{8} << 20) + (1 << 20) + 128 * churn.liveCount();
    QVERIFY2(churn.book().memoryBytes() < bound,
             qPrintable(QString::number(churn.book().memoryBytes())));
}

void OrderIndexTest::emptiedBestLevelGivesWayAndRefills_data()
{
    QTest::addColumn<Side>("side");
    QTest::addColumn<qint64>("best");
    QTest::addColumn<qint64>("second");
    QTest::addColumn<qint64>("third");
    QTest::newRow("bids") << Side::Buy << qint64{105} << qint64{101} << qint64{100};
    QTest::newRow("asks") << Side::Sell << qint64{100} << qint64{101} << qint64{105};
}

void OrderIndexTest::emptiedBestLevelGivesWayAndRefills()
{
    QFETCH(Side, side);
    QFETCH(qint64, best);
    QFETCH(qint64, second);
    QFETCH(qint64, third);
    OrderStore store;
    OrderBook book;
    auto addAt = [&](std::uint64_t id, std::int64_t price) {
        Order *order = store.create(OrderId{id});
        order->side = side;
        order->price = Price{price};
        order->remaining = Quantity{10};
        book.add(order);
        return order;
    };
    addAt(1, third);
    Order *firstAtBest = addAt(2, best);
    Order *secondAtBest = addAt(3, best);
    Order *atSecond = addAt(4, second);

    QCOMPARE(book.bestOrder(side), firstAtBest);
    book.remove(firstAtBest);
    QCOMPARE(book.bestOrder(side), secondAtBest);
    QCOMPARE(book.levelCount(side), std::size_t{3});
    book.remove(secondAtBest);
    QCOMPARE(book.bestOrder(side), atSecond);
    QCOMPARE(book.bestPrice(side), std::optional<Price>(Price{second}));
    QCOMPARE(book.levelCount(side), std::size_t{2});
    QCOMPARE(book.quantityAt(side, Price{best}), Quantity{0});
    QVERIFY(book.ordersAt(side, Price{best}).empty());

    Order *refill = addAt(5, best);
    QCOMPARE(book.bestOrder(side), refill);
    QCOMPARE(book.level(side, 0), (LevelSummary{Price{best}, Quantity{10}, 1}));
    QCOMPARE(book.level(side, 1), (LevelSummary{Price{second}, Quantity{10}, 1}));
    QCOMPARE(book.level(side, 2), (LevelSummary{Price{third}, Quantity{10}, 1}));
    QCOMPARE(book.bestOrder(opposite(side)), nullptr);
}

// Levels at the lowest and highest prices the engine accepts sort correctly on each side,
// though they are 10^15 ticks apart and cannot share a window.
void OrderIndexTest::extremePricesRankOnBothSides()
{
    const std::int64_t top = kMaximumPrice.value();
    const std::int64_t prices[] = {1000, 1, top, 2, top - 1};
    OrderStore store;
    OrderBook book;
    std::uint64_t id = 0;
    for (Side side : {Side::Buy, Side::Sell}) {
        for (std::int64_t price : prices) {
            Order *order = store.create(OrderId{++id});
            order->side = side;
            order->price = Price{price};
            order->remaining = Quantity{price == 1000 ? 7 : 3};
            book.add(order);
        }
    }

    const std::int64_t bidsBestFirst[] = {top, top - 1, 1000, 2, 1};
    const std::int64_t asksBestFirst[] = {1, 2, 1000, top - 1, top};
    QCOMPARE(book.levelCount(Side::Buy), std::size_t{5});
    QCOMPARE(book.levelCount(Side::Sell), std::size_t{5});
    for (std::size_t depth = 0; depth < 5; ++depth) {
        QCOMPARE(book.level(Side::Buy, depth).price, Price{bidsBestFirst[depth]});
        QCOMPARE(book.level(Side::Sell, depth).price, Price{asksBestFirst[depth]});
    }
    QCOMPARE(book.quantityAt(Side::Buy, Price{1000}), Quantity{7});
    QCOMPARE(book.quantityAt(Side::Sell, Price{top}), Quantity{3});
    QCOMPARE(book.quantityAt(Side::Sell, Price{top - 2}), Quantity{0});
    QCOMPARE(book.bestOrder(Side::Buy)->id, OrderId{3});  // the bid at 10^15
    QCOMPARE(book.bestOrder(Side::Sell)->id, OrderId{7}); // the ask at 1

    // Emptying the best bid and ask hands the touch to the next extreme level.
    Order *bestBid = book.bestOrder(Side::Buy);
    book.remove(bestBid);
    store.destroy(bestBid);
    Order *bestAsk = book.bestOrder(Side::Sell);
    book.remove(bestAsk);
    store.destroy(bestAsk);
    QCOMPARE(book.bestPrice(Side::Buy), std::optional<Price>(Price{top - 1}));
    QCOMPARE(book.bestPrice(Side::Sell), std::optional<Price>(Price{2}));
    QCOMPARE(book.level(Side::Buy, 3).price, Price{1});
    QCOMPARE(book.level(Side::Sell, 3).price, Price{top});
}

// A price 10^15 ticks from the others must not make the book allocate a window across them.
void OrderIndexTest::farPricesKeepMemorySmall()
{
    const std::int64_t prices[] = {1000, kMaximumPrice.value(), 1'000'000'000'000, 1, 999'999};
    OrderStore store;
    OrderBook book;
    std::uint64_t id = 0;
    for (Side side : {Side::Buy, Side::Sell}) {
        for (std::int64_t price : prices) {
            Order *order = store.create(OrderId{++id});
            order->side = side;
            order->price = Price{price};
            order->remaining = Quantity{1};
            book.add(order);
        }
    }
    QCOMPARE(book.levelCount(Side::Buy), std::size_t{5});
    QCOMPARE(book.level(Side::Buy, 0).price, kMaximumPrice);
    QCOMPARE(book.level(Side::Sell, 4).price, kMaximumPrice);
    QVERIFY2(book.memoryBytes() < (std::size_t{1} << 20),
             qPrintable(QString::number(book.memoryBytes())));
}

// One level that moves up 1000 ticks at a time, a million ticks in all: the window moves
// with it instead of growing, and the best level stays right.
void OrderIndexTest::windowFollowsDriftingPrices()
{
    OrderStore store;
    OrderBook book;
    Order *previous = nullptr;
    for (std::uint64_t step = 0; step < 1000; ++step) {
        Order *order = store.create(OrderId{step + 1});
        order->side = Side::Sell;
        order->price = Price{10'000 + 1'000 * static_cast<std::int64_t>(step)};
        order->remaining = Quantity{5};
        book.add(order);
        QCOMPARE(book.bestOrder(Side::Sell), previous ? previous : order);
        if (previous) {
            book.remove(previous);
            store.destroy(previous);
        }
        QCOMPARE(book.bestOrder(Side::Sell), order);
        QCOMPARE(book.levelCount(Side::Sell), std::size_t{1});
        previous = order;
    }
    QCOMPARE(book.bestPrice(Side::Sell), std::optional<Price>(Price{1'009'000}));
    QVERIFY2(book.memoryBytes() < (std::size_t{1} << 20),
             qPrintable(QString::number(book.memoryBytes())));
}

// An ask far above the rest stays far while the others trade near 100, and an ask placed first
// far away does not hold the window when the market opens near 100.
void OrderIndexTest::strayBehindTouchStaysFar()
{
    OrderStore store;
    OrderBook book;
    auto addAsk = [&](std::uint64_t id, std::int64_t price) {
        Order *order = store.create(OrderId{id});
        order->side = Side::Sell;
        order->price = Price{price};
        order->remaining = Quantity{2};
        book.add(order);
        return order;
    };
    Order *stray = addAsk(1, 900'000'000);
    for (std::uint64_t id = 2; id <= 200; ++id)
        addAsk(id, 100 + static_cast<std::int64_t>(id % 20));

    QCOMPARE(book.levelCount(Side::Sell), std::size_t{21});
    QCOMPARE(book.bestPrice(Side::Sell), std::optional<Price>(Price{100}));
    QCOMPARE(book.level(Side::Sell, 19).price, Price{119});
    QCOMPARE(book.level(Side::Sell, 20).price, Price{900'000'000});
    QCOMPARE(book.ordersAt(Side::Sell, Price{900'000'000}), std::vector<const Order *>{stray});
    QVERIFY2(book.memoryBytes() < (std::size_t{1} << 20),
             qPrintable(QString::number(book.memoryBytes())));

    // Emptying every level near 100 leaves the stray as the best ask.
    for (std::uint64_t id = 2; id <= 200; ++id) {
        Order *order = store.find(OrderId{id});
        book.remove(order);
        store.destroy(order);
    }
    QCOMPARE(book.levelCount(Side::Sell), std::size_t{1});
    QCOMPARE(book.bestOrder(Side::Sell), stray);
    addAsk(201, 120);
    QCOMPARE(book.bestPrice(Side::Sell), std::optional<Price>(Price{120}));
    QCOMPARE(book.level(Side::Sell, 1).price, Price{900'000'000});
}

void OrderIndexTest::farLevelAheadOfWindowRanksFirst_data()
{
    QTest::addColumn<Side>("side");
    // Each price is worse than the one before it for the side, and a billion ticks from it.
    QTest::addColumn<qint64>("first");
    QTest::addColumn<qint64>("stray");
    QTest::addColumn<qint64>("next");
    QTest::addColumn<qint64>("last");
    QTest::newRow("asks") << Side::Sell << qint64{1'000} << qint64{1'000'000'000}
                          << qint64{2'000'000'000} << qint64{3'000'000'000};
    QTest::newRow("bids") << Side::Buy << qint64{4'000'000'000} << qint64{3'000'000'000}
                          << qint64{2'000'000'000} << qint64{1'000'000'000};
}

// When a side's window empties and moves past a far level to a worse price, that far level is
// better than every level in the window and must come first.
void OrderIndexTest::farLevelAheadOfWindowRanksFirst()
{
    QFETCH(Side, side);
    QFETCH(qint64, first);
    QFETCH(qint64, stray);
    QFETCH(qint64, next);
    QFETCH(qint64, last);
    OrderStore store;
    OrderBook book;
    auto addAt = [&](std::uint64_t id, std::int64_t price) {
        Order *order = store.create(OrderId{id});
        order->side = side;
        order->price = Price{price};
        order->remaining = Quantity{static_cast<std::int64_t>(id)};
        book.add(order);
        return order;
    };
    Order *atFirst = addAt(1, first);
    Order *atStray = addAt(2, stray);
    book.remove(atFirst);
    Order *atNext = addAt(3, next);
    Order *atLast = addAt(4, last);

    QCOMPARE(book.levelCount(side), std::size_t{3});
    QCOMPARE(book.bestOrder(side), atStray);
    QCOMPARE(book.level(side, 0), (LevelSummary{Price{stray}, Quantity{2}, 1}));
    QCOMPARE(book.level(side, 1), (LevelSummary{Price{next}, Quantity{3}, 1}));
    QCOMPARE(book.level(side, 2), (LevelSummary{Price{last}, Quantity{4}, 1}));
    std::vector<const Order *> visited;
    book.forEachOrder(side, [&visited](const Order &order) { visited.push_back(&order); });
    QCOMPARE(visited, (std::vector<const Order *>{atStray, atNext, atLast}));

    book.remove(atStray);
    QCOMPARE(book.bestOrder(side), atNext);
    QCOMPARE(book.level(side, 1).price, Price{last});
}

void OrderIndexTest::clearedBookStartsAfresh()
{
    OrderStore store;
    OrderBook emptyBook;
    OrderBook book;
    std::vector<Order *> orders;
    const std::int64_t prices[] = {50, 51, 50, kMaximumPrice.value(), 1};
    std::uint64_t id = 0;
    for (Side side : {Side::Buy, Side::Sell}) {
        for (std::int64_t price : prices) {
            Order *order = store.create(OrderId{++id});
            order->side = side;
            order->price = Price{price};
            order->remaining = Quantity{4};
            book.add(order);
            orders.push_back(order);
        }
    }
    book.clear();

    QCOMPARE(book.orderCount(), std::size_t{0});
    QCOMPARE(book.levelCount(Side::Buy), std::size_t{0});
    QCOMPARE(book.levelCount(Side::Sell), std::size_t{0});
    QCOMPARE(book.bestOrder(Side::Buy), nullptr);
    QCOMPARE(book.bestOrder(Side::Sell), nullptr);
    QCOMPARE(book.quantityAt(Side::Buy, Price{50}), Quantity{0});
    QCOMPARE(book.stateHash(), emptyBook.stateHash());
    for (const Order *order : orders) {
        QCOMPARE(order->previous, nullptr);
        QCOMPARE(order->next, nullptr);
    }

    // The cleared book takes orders again, at the old prices and at new ones.
    orders[0]->remaining = Quantity{9};
    book.add(orders[0]);
    orders[6]->price = Price{7};
    book.add(orders[6]);
    QCOMPARE(book.orderCount(), std::size_t{2});
    QCOMPARE(book.quantityAt(Side::Buy, Price{50}), Quantity{9});
    QCOMPARE(book.bestPrice(Side::Sell), std::optional<Price>(Price{7}));
    QCOMPARE(book.levelCount(Side::Sell), std::size_t{1});
}

// The hash is FNV-1a over, for bids and then asks: the level count, then for each level best
// first its price and order count, then for each order in queue order its id and quantity.
void OrderIndexTest::stateHashCoversLevelsAndQueues()
{
    Fnv1a empty;
    empty.add(0);
    empty.add(0);
    QCOMPARE(OrderBook().stateHash(), empty.value());

    OrderStore store;
    OrderBook book;
    auto addAt = [&](std::uint64_t id, Side side, std::int64_t price, std::int64_t quantity) {
        Order *order = store.create(OrderId{id});
        order->side = side;
        order->price = Price{price};
        order->remaining = Quantity{quantity};
        book.add(order);
        return order;
    };
    addAt(1, Side::Buy, 99, 5);
    Order *second = addAt(2, Side::Buy, 99, 6);
    addAt(3, Side::Buy, 98, 7);
    addAt(4, Side::Sell, 101, 8);

    Fnv1a expected;
    // Bids: two levels. Price 99 has orders 1 (5 lots) and 2 (6 lots), and 98 has order 3 (7).
    for (unsigned word : {2U, 99U, 2U, 1U, 5U, 2U, 6U, 98U, 1U, 3U, 7U})
        expected.add(word);
    // Asks: one level. Price 101 has order 4 (8 lots).
    for (unsigned word : {1U, 101U, 1U, 4U, 8U})
        expected.add(word);
    QCOMPARE(book.stateHash(), expected.value());

    // The same orders in another queue order hash differently.
    book.requeue(store.find(OrderId{1}), Quantity{5});
    QCOMPARE(book.ordersAt(Side::Buy, Price{99}).front(), second);
    QVERIFY(book.stateHash() != expected.value());
}

QTEST_APPLESS_MAIN(OrderIndexTest)
#include "tst_order_index.moc"

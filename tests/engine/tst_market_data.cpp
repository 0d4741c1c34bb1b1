#include "engine.h"
#include "lobster_replay.h"
#include "market_data.h"
#include "random.h"
#include "test_data.h"

#include <QStringList>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <iterator>
#include <map>
#include <new>
#include <vector>

using namespace bourse;

// Counts heap allocations while `countingAllocations` is set, for the test that the publisher
// allocates nothing in steady state. Every replaceable form of operator new and delete is
// replaced, on malloc and free, so that memory from any form (such as the nothrow new that
// std::stable_sort uses) is released by the matching form, which AddressSanitizer checks.
namespace {
std::atomic<bool> countingAllocations{false};
std::atomic<std::size_t> allocationCount{0};

void *allocate(std::size_t size, std::size_t alignment = 0) noexcept
{
    if (countingAllocations.load(std::memory_order_relaxed)) {
        allocationCount.fetch_add(1, std::memory_order_relaxed);
    }
    if (size == 0) {
        size = 1;
    }
    if (alignment <= alignof(std::max_align_t)) {
        return std::malloc(size);
    }
    // aligned_alloc needs a size that is a multiple of the alignment.
    const std::size_t rounded = (size + alignment - 1) / alignment * alignment;
    return std::aligned_alloc(alignment, rounded);
}

void *allocateOrThrow(std::size_t size, std::size_t alignment = 0)
{
    if (void *memory = allocate(size, alignment)) {
        return memory;
    }
    throw std::bad_alloc();
}
} // namespace

void *operator new(std::size_t size)
{
    return allocateOrThrow(size);
}
void *operator new[](std::size_t size)
{
    return allocateOrThrow(size);
}
void *operator new(std::size_t size, const std::nothrow_t &) noexcept
{
    return allocate(size);
}
void *operator new[](std::size_t size, const std::nothrow_t &) noexcept
{
    return allocate(size);
}
void *operator new(std::size_t size, std::align_val_t alignment)
{
    return allocateOrThrow(size, static_cast<std::size_t>(alignment));
}
void *operator new[](std::size_t size, std::align_val_t alignment)
{
    return allocateOrThrow(size, static_cast<std::size_t>(alignment));
}
void *operator new(std::size_t size, std::align_val_t alignment, const std::nothrow_t &) noexcept
{
    return allocate(size, static_cast<std::size_t>(alignment));
}
void *operator new[](std::size_t size, std::align_val_t alignment, const std::nothrow_t &) noexcept
{
    return allocate(size, static_cast<std::size_t>(alignment));
}

void operator delete(void *memory) noexcept
{
    std::free(memory);
}
void operator delete[](void *memory) noexcept
{
    std::free(memory);
}
void operator delete(void *memory, std::size_t) noexcept
{
    std::free(memory);
}
void operator delete[](void *memory, std::size_t) noexcept
{
    std::free(memory);
}
void operator delete(void *memory, const std::nothrow_t &) noexcept
{
    std::free(memory);
}
void operator delete[](void *memory, const std::nothrow_t &) noexcept
{
    std::free(memory);
}
void operator delete(void *memory, std::align_val_t) noexcept
{
    std::free(memory);
}
void operator delete[](void *memory, std::align_val_t) noexcept
{
    std::free(memory);
}
void operator delete(void *memory, std::size_t, std::align_val_t) noexcept
{
    std::free(memory);
}
void operator delete[](void *memory, std::size_t, std::align_val_t) noexcept
{
    std::free(memory);
}
void operator delete(void *memory, std::align_val_t, const std::nothrow_t &) noexcept
{
    std::free(memory);
}
void operator delete[](void *memory, std::align_val_t, const std::nothrow_t &) noexcept
{
    std::free(memory);
}

namespace {

constexpr InstrumentId kPrimary{1};

NewOrder limit(std::uint64_t id, Side side, std::int64_t quantity, std::int64_t price,
               InstrumentId instrument = kPrimary)
{
    NewOrder order;
    order.id = OrderId{id};
    order.side = side;
    order.type = OrderType::Limit;
    order.limit = Price{price};
    order.quantity = Quantity{quantity};
    order.instrument = instrument;
    return order;
}

NewOrder iceberg(std::uint64_t id, Side side, std::int64_t quantity, std::int64_t display,
                 std::int64_t price)
{
    NewOrder order = limit(id, side, quantity, price);
    order.displayQuantity = Quantity{display};
    return order;
}

NewOrder stop(std::uint64_t id, Side side, std::int64_t quantity, std::int64_t stopPrice)
{
    NewOrder order;
    order.id = OrderId{id};
    order.side = side;
    order.type = OrderType::Stop;
    order.stopPrice = Price{stopPrice};
    order.quantity = Quantity{quantity};
    return order;
}

InstrumentDefinition instrumentDefinition(std::uint32_t id, TradingStatus status)
{
    InstrumentDefinition definition;
    definition.id = InstrumentId{id};
    definition.symbol[0] = static_cast<char>('A' + id % 26); // distinct symbols
    definition.initialStatus = status;
    return definition;
}

// "sell 101 qty 10 orders 1" or "top bid 99x10 ask 101x10".
QString describe(const Event &event)
{
    if (const auto *level = std::get_if<DepthLevel>(&event.payload)) {
        return QStringLiteral("%1 %2 qty %3 orders %4")
            .arg(QLatin1String(level->side == Side::Buy ? "buy" : "sell"))
            .arg(level->price.value())
            .arg(level->quantity.value())
            .arg(level->orderCount);
    }
    if (const auto *top = std::get_if<TopOfBook>(&event.payload)) {
        return QStringLiteral("top bid %1x%2 ask %3x%4")
            .arg(top->bidPrice.value())
            .arg(top->bidQuantity.value())
            .arg(top->askPrice.value())
            .arg(top->askQuantity.value());
    }
    return QStringLiteral("unexpected event type %1").arg(static_cast<int>(typeOf(event.payload)));
}

// A subscriber that keeps what it receives.
class Recorder : public EventHandler {
public:
    void onEvent(const Event &event) override { events.push_back(event); }
    void onCommandEnd() override { ++commandEnds; }
    void onBatchEnd() override { ++batchEnds; }

    QStringList descriptions() const
    {
        QStringList list;
        for (const Event &event : events) {
            list.append(describe(event));
        }
        return list;
    }

    // Returns the descriptions so far, prefixed with the instrument, and clears the events.
    QStringList takeWithInstrument()
    {
        QStringList list;
        for (const Event &event : events) {
            list.append(
                QStringLiteral("%1: %2").arg(event.instrument.value()).arg(describe(event)));
        }
        events.clear();
        return list;
    }

    // Returns the descriptions so far and clears the events, but not the command end count.
    QStringList take()
    {
        const QStringList list = descriptions();
        events.clear();
        return list;
    }

    void clear()
    {
        events.clear();
        commandEnds = 0;
    }

    std::vector<Event> events;
    int commandEnds = 0;
    int batchEnds = 0;
};

// A subscriber that applies every DepthLevel and TopOfBook to its own book of one instrument,
// as a market data client would, keeping the best `depthLimit` levels per side (all for zero).
class RebuiltBook : public EventHandler {
public:
    explicit RebuiltBook(std::size_t depthLimit)
        : m_depthLimit(depthLimit)
    {
    }

    void onEvent(const Event &event) override
    {
        if (const auto *level = std::get_if<DepthLevel>(&event.payload)) {
            apply(*level);
        } else if (const auto *top = std::get_if<TopOfBook>(&event.payload)) {
            m_top = *top;
        }
    }

    // Levels best first, as "price:quantity/orders".
    QStringList levels(Side side) const
    {
        QStringList list;
        const auto append = [&](const auto &entry) {
            list.append(QStringLiteral("%1:%2/%3")
                            .arg(entry.first)
                            .arg(entry.second.first)
                            .arg(entry.second.second));
        };
        if (side == Side::Buy) {
            std::for_each(m_levels[0].rbegin(), m_levels[0].rend(), append);
        } else {
            std::for_each(m_levels[1].begin(), m_levels[1].end(), append);
        }
        return list;
    }

    const TopOfBook &top() const { return m_top; }

private:
    using Levels = std::map<std::int64_t, std::pair<std::int64_t, std::uint32_t>>;

    void apply(const DepthLevel &level)
    {
        Levels &levels = m_levels[level.side == Side::Buy ? 0 : 1];
        if (level.quantity == Quantity{0}) {
            levels.erase(level.price.value());
        } else {
            levels[level.price.value()] = {level.quantity.value(), level.orderCount};
        }
        while (m_depthLimit > 0 && levels.size() > m_depthLimit) {
            // The worst level: the lowest bid or the highest ask.
            levels.erase(level.side == Side::Buy ? levels.begin() : std::prev(levels.end()));
        }
    }

    std::size_t m_depthLimit;
    Levels m_levels[2];
    TopOfBook m_top;
};

// The engine's book in the form RebuiltBook::levels returns.
QStringList engineLevels(const OrderBook &book, Side side, std::size_t depthLimit)
{
    QStringList list;
    const std::size_t count = book.levelCount(side);
    const std::size_t listed = depthLimit == 0 ? count : std::min(count, depthLimit);
    for (std::size_t depth = 0; depth < listed; ++depth) {
        const LevelSummary level = book.level(side, depth);
        list.append(QStringLiteral("%1:%2/%3")
                        .arg(level.price.value())
                        .arg(level.quantity.value())
                        .arg(level.orderCount));
    }
    return list;
}

QString describeTop(const TopOfBook &top)
{
    Event event;
    event.payload = top;
    return describe(event);
}

QString engineTop(const OrderBook &book)
{
    TopOfBook top;
    if (book.levelCount(Side::Buy) > 0) {
        top.bidPrice = book.level(Side::Buy, 0).price;
        top.bidQuantity = book.level(Side::Buy, 0).quantity;
    }
    if (book.levelCount(Side::Sell) > 0) {
        top.askPrice = book.level(Side::Sell, 0).price;
        top.askQuantity = book.level(Side::Sell, 0).quantity;
    }
    return describeTop(top);
}

// One random command on the primary instrument: mostly limit orders between 90 and 110, some
// of them icebergs, and cancels, replaces, market orders and stop orders. Ids of submitted
// orders go to `ids`; cancels and replaces pick among the latest ones, live or not.
void randomCommand(Engine &engine, Xoshiro256StarStar &random, std::vector<OrderId> &ids,
                   Timestamp time)
{
    const auto side = random.below(2) == 0 ? Side::Buy : Side::Sell;
    const auto price = static_cast<std::int64_t>(90 + random.below(21));
    const auto quantity = static_cast<std::int64_t>(1 + random.below(20));
    const auto pickId = [&] {
        const std::size_t window = std::min<std::size_t>(ids.size(), 60);
        return ids[ids.size() - 1 - random.below(window)];
    };

    const std::uint64_t choice = random.below(100);
    if (choice < 50 || ids.empty()) {
        NewOrder order = limit(0, side, quantity, price);
        if (random.below(10) == 0 && quantity > 1) {
            order.displayQuantity = Quantity{1 + static_cast<std::int64_t>(random.below(
                                                     static_cast<std::uint64_t>(quantity - 1)))};
        }
        ids.push_back(engine.submit(order, time));
    } else if (choice < 72) {
        engine.cancel(pickId(), time);
    } else if (choice < 87) {
        engine.replace(ReplaceOrder{pickId(), Price{price}, Quantity{quantity}, Price{0}}, time);
    } else if (choice < 95) {
        NewOrder order = limit(0, side, quantity * 2, 0);
        order.type = OrderType::Market;
        ids.push_back(engine.submit(order, time));
    } else {
        ids.push_back(engine.submit(stop(0, side, quantity, price), time));
    }
}

// Wraps the publisher to count the heap allocations made inside its calls.
class AllocationCounter : public EventHandler {
public:
    explicit AllocationCounter(EventHandler &publisher)
        : m_publisher(publisher)
    {
    }

    void onEvent(const Event &event) override
    {
        countingAllocations = counting;
        m_publisher.onEvent(event);
        countingAllocations = false;
    }

    void onCommandEnd() override
    {
        countingAllocations = counting;
        m_publisher.onCommandEnd();
        countingAllocations = false;
    }

    bool counting = false;

private:
    EventHandler &m_publisher;
};

// A subscriber that stores nothing, so that it allocates nothing.
class EventCounter : public EventHandler {
public:
    void onEvent(const Event &) override { ++events; }
    std::size_t events = 0;
};

} // namespace

class TestMarketData : public QObject {
    Q_OBJECT

private slots:
    void restingOrderPublishesLevelAndTop();
    void sweepPublishesOneEventPerLevel();
    void sweepRemainderRestsOnOtherSide();
    void deeperLevelChangeHasNoTop();
    void cancelEmptiesLevel();
    void sizeCutKeepsLevelOrders();
    void priceChangeMovesQuantity();
    void rejectedOrderPublishesNothing();
    void icebergRefillWithSameTotalsPublishesNothing();
    void icebergRefillBehindAnotherOrder();
    void parkedStopOrderPublishesNothing();
    void triggeredStopTradesInSameCommand();
    void auctionUncrossPublishesBothSides_data();
    void auctionUncrossPublishesBothSides();
    void massCancelCoversEveryInstrument();
    void existingBookIsStartingPoint();
    void depthLimitPublishesEnteringLevel();
    void batchEndIsForwarded();
    void subscriberRebuildsEngineBook_data();
    void subscriberRebuildsEngineBook();
    void steadyStateAllocatesNothing_data();
    void steadyStateAllocatesNothing();
    void lobsterDayRebuildsEngineBook();
};

void TestMarketData::restingOrderPublishesLevelAndTop()
{
    Engine engine(kPrimary);
    MarketDataPublisher publisher(engine);
    Recorder recorder;
    publisher.addSubscriber(&recorder);
    engine.addHandler(&publisher);

    engine.submit(limit(1, Side::Sell, 10, 101), Timestamp{5'000});

    QCOMPARE(recorder.descriptions(),
             (QStringList{"sell 101 qty 10 orders 1", "top bid 0x0 ask 101x10"}));
    QCOMPARE(recorder.commandEnds, 1);
    for (const Event &event : recorder.events) {
        QCOMPARE(event.sequence, engine.lastSequence());
        QCOMPARE(event.time, Timestamp{5'000});
        QCOMPARE(event.instrument, kPrimary);
    }
}

// Asks at 101 to 105, with two orders at 103, and a bid at 99. A buy of 45 at 105 takes 101,
// 102, both orders at 103 and 104 (40), then 5 of the 10 at 105.
void TestMarketData::sweepPublishesOneEventPerLevel()
{
    Engine engine(kPrimary);
    MarketDataPublisher publisher(engine);
    Recorder recorder;
    publisher.addSubscriber(&recorder);
    engine.addHandler(&publisher);

    engine.submit(limit(1, Side::Sell, 10, 101), Timestamp{1});
    engine.submit(limit(2, Side::Sell, 10, 102), Timestamp{2});
    engine.submit(limit(3, Side::Sell, 5, 103), Timestamp{3});
    engine.submit(limit(4, Side::Sell, 5, 103), Timestamp{4});
    engine.submit(limit(5, Side::Sell, 10, 104), Timestamp{5});
    engine.submit(limit(6, Side::Sell, 10, 105), Timestamp{6});
    engine.submit(limit(7, Side::Buy, 10, 99), Timestamp{7});
    recorder.clear();

    engine.submit(limit(8, Side::Buy, 45, 105), Timestamp{8});

    QCOMPARE(recorder.take(), (QStringList{"sell 101 qty 0 orders 0", "sell 102 qty 0 orders 0",
                                           "sell 103 qty 0 orders 0", "sell 104 qty 0 orders 0",
                                           "sell 105 qty 5 orders 1", "top bid 99x10 ask 105x5"}));
}

// Both ask levels empty and the rest of the buy order rests at its limit.
void TestMarketData::sweepRemainderRestsOnOtherSide()
{
    Engine engine(kPrimary);
    MarketDataPublisher publisher(engine);
    Recorder recorder;
    publisher.addSubscriber(&recorder);
    engine.addHandler(&publisher);

    engine.submit(limit(1, Side::Sell, 10, 101), Timestamp{1});
    engine.submit(limit(2, Side::Sell, 10, 102), Timestamp{2});
    engine.submit(limit(3, Side::Buy, 10, 99), Timestamp{3});
    recorder.clear();

    engine.submit(limit(4, Side::Buy, 25, 102), Timestamp{4});

    QCOMPARE(recorder.take(), (QStringList{"buy 102 qty 5 orders 1", "sell 101 qty 0 orders 0",
                                           "sell 102 qty 0 orders 0", "top bid 102x5 ask 0x0"}));
}

void TestMarketData::deeperLevelChangeHasNoTop()
{
    Engine engine(kPrimary);
    MarketDataPublisher publisher(engine);
    Recorder recorder;
    publisher.addSubscriber(&recorder);
    engine.addHandler(&publisher);

    engine.submit(limit(1, Side::Sell, 10, 101), Timestamp{1});
    recorder.clear();

    engine.submit(limit(2, Side::Sell, 7, 103), Timestamp{2});

    QCOMPARE(recorder.take(), QStringList{"sell 103 qty 7 orders 1"});
}

void TestMarketData::cancelEmptiesLevel()
{
    Engine engine(kPrimary);
    MarketDataPublisher publisher(engine);
    Recorder recorder;
    publisher.addSubscriber(&recorder);
    engine.addHandler(&publisher);

    engine.submit(limit(1, Side::Sell, 10, 101), Timestamp{1});
    engine.submit(limit(2, Side::Sell, 10, 102), Timestamp{2});
    recorder.clear();

    engine.cancel(OrderId{1}, Timestamp{3});

    QCOMPARE(recorder.take(), (QStringList{"sell 101 qty 0 orders 0", "top bid 0x0 ask 102x10"}));
}

void TestMarketData::sizeCutKeepsLevelOrders()
{
    Engine engine(kPrimary);
    MarketDataPublisher publisher(engine);
    Recorder recorder;
    publisher.addSubscriber(&recorder);
    engine.addHandler(&publisher);

    engine.submit(limit(1, Side::Sell, 10, 101), Timestamp{1});
    engine.submit(limit(2, Side::Sell, 5, 101), Timestamp{2});
    recorder.clear();

    engine.replace(ReplaceOrder{OrderId{1}, Price{101}, Quantity{4}, Price{0}}, Timestamp{3});

    QCOMPARE(recorder.take(), (QStringList{"sell 101 qty 9 orders 2", "top bid 0x0 ask 101x9"}));
}

void TestMarketData::priceChangeMovesQuantity()
{
    Engine engine(kPrimary);
    MarketDataPublisher publisher(engine);
    Recorder recorder;
    publisher.addSubscriber(&recorder);
    engine.addHandler(&publisher);

    engine.submit(limit(1, Side::Sell, 10, 101), Timestamp{1});
    engine.submit(limit(2, Side::Sell, 5, 101), Timestamp{2});
    recorder.clear();

    engine.replace(ReplaceOrder{OrderId{1}, Price{103}, Quantity{10}, Price{0}}, Timestamp{3});

    QCOMPARE(recorder.take(), (QStringList{"sell 101 qty 5 orders 1", "sell 103 qty 10 orders 1",
                                           "top bid 0x0 ask 101x5"}));
}

void TestMarketData::rejectedOrderPublishesNothing()
{
    Engine engine(kPrimary);
    MarketDataPublisher publisher(engine);
    Recorder recorder;
    publisher.addSubscriber(&recorder);
    engine.addHandler(&publisher);

    engine.submit(limit(1, Side::Sell, 0, 101), Timestamp{1});
    engine.cancel(OrderId{99}, Timestamp{2});

    QCOMPARE(recorder.take(), QStringList{});
    QCOMPARE(recorder.commandEnds, 0);
}

// The iceberg shows 10 of 100. A buy of 10 takes the slice and the next slice of 10 takes its
// place: the level still contains 10 in one order, so nothing changed for a level-2
// subscriber.
void TestMarketData::icebergRefillWithSameTotalsPublishesNothing()
{
    Engine engine(kPrimary);
    MarketDataPublisher publisher(engine);
    Recorder recorder;
    publisher.addSubscriber(&recorder);
    engine.addHandler(&publisher);

    engine.submit(iceberg(1, Side::Sell, 100, 10, 101), Timestamp{1});
    QCOMPARE(recorder.take(), (QStringList{"sell 101 qty 10 orders 1", "top bid 0x0 ask 101x10"}));
    recorder.clear();

    engine.submit(limit(2, Side::Buy, 10, 101), Timestamp{2});

    QCOMPARE(recorder.take(), QStringList{});
    QCOMPARE(recorder.commandEnds, 0);
}

// Queue at 101: iceberg 1 (showing 10 of 100), then order 2 with 5. A buy of 12 takes the
// slice of 10, the next slice goes behind order 2, and order 2 gives 2: 3 + 10 in two orders.
void TestMarketData::icebergRefillBehindAnotherOrder()
{
    Engine engine(kPrimary);
    MarketDataPublisher publisher(engine);
    Recorder recorder;
    publisher.addSubscriber(&recorder);
    engine.addHandler(&publisher);

    engine.submit(iceberg(1, Side::Sell, 100, 10, 101), Timestamp{1});
    engine.submit(limit(2, Side::Sell, 5, 101), Timestamp{2});
    recorder.clear();

    engine.submit(limit(3, Side::Buy, 12, 101), Timestamp{3});

    QCOMPARE(recorder.take(), (QStringList{"sell 101 qty 13 orders 2", "top bid 0x0 ask 101x13"}));
}

void TestMarketData::parkedStopOrderPublishesNothing()
{
    Engine engine(kPrimary);
    MarketDataPublisher publisher(engine);
    Recorder recorder;
    publisher.addSubscriber(&recorder);
    engine.addHandler(&publisher);

    engine.submit(limit(1, Side::Sell, 10, 101), Timestamp{1});
    engine.submit(limit(2, Side::Buy, 10, 99), Timestamp{2});
    recorder.clear();

    engine.submit(stop(3, Side::Sell, 5, 95), Timestamp{3});
    QCOMPARE(recorder.take(), QStringList{});
    QVERIFY(engine.findOrder(OrderId{3}) != nullptr);

    engine.cancel(OrderId{3}, Timestamp{4});
    QCOMPARE(recorder.take(), QStringList{});
    QCOMPARE(recorder.commandEnds, 0);
    QVERIFY(engine.findOrder(OrderId{3}) == nullptr);
}

// Asks of 10 at 101 and 10 at 103; a buy stop of 5 at 101 waits. A buy of 10 at 101 trades
// at 101, which triggers the stop: its market buy of 5 takes 5 at 103, in the same command.
void TestMarketData::triggeredStopTradesInSameCommand()
{
    Engine engine(kPrimary);
    MarketDataPublisher publisher(engine);
    Recorder recorder;
    publisher.addSubscriber(&recorder);
    engine.addHandler(&publisher);

    engine.submit(limit(1, Side::Sell, 10, 101), Timestamp{1});
    engine.submit(limit(2, Side::Sell, 10, 103), Timestamp{2});
    engine.submit(stop(3, Side::Buy, 5, 101), Timestamp{3});
    recorder.clear();

    engine.submit(limit(4, Side::Buy, 10, 101), Timestamp{4});

    QCOMPARE(recorder.take(), (QStringList{"sell 101 qty 0 orders 0", "sell 103 qty 5 orders 1",
                                           "top bid 0x0 ask 103x5"}));
    QCOMPARE(recorder.commandEnds, 1);
}

// In pre-open: bids 10 at 102 and 10 at 101, asks 10 at 100 and 5 at 101. Executable volume
// is 10 at 100 (bids 20, asks 10), 15 at 101 (bids 20, asks 15) and 10 at 102 (bids 10, asks
// 15), so the auction uncrosses 15 at 101: the bid at 102 and both asks fill, and the bid at
// 101 keeps 5.
void TestMarketData::auctionUncrossPublishesBothSides_data()
{
    QTest::addColumn<int>("depthLimit");

    // Both give the same events, because every level is within two of the best.
    QTest::newRow("every level") << 0;
    QTest::newRow("two levels") << 2;
}

void TestMarketData::auctionUncrossPublishesBothSides()
{
    QFETCH(int, depthLimit);

    Engine engine;
    MarketDataOptions options;
    options.depthLimit = static_cast<std::size_t>(depthLimit);
    MarketDataPublisher publisher(engine, options);
    Recorder recorder;
    publisher.addSubscriber(&recorder);
    engine.addHandler(&publisher);

    const InstrumentId instrument{2};
    engine.addInstrument(instrumentDefinition(2, TradingStatus::PreOpen), Timestamp{1});
    QCOMPARE(recorder.take(), QStringList{"top bid 0x0 ask 0x0"});

    engine.submit(limit(1, Side::Buy, 10, 102, instrument), Timestamp{2});
    engine.submit(limit(2, Side::Buy, 10, 101, instrument), Timestamp{3});
    engine.submit(limit(3, Side::Sell, 10, 100, instrument), Timestamp{4});
    engine.submit(limit(4, Side::Sell, 5, 101, instrument), Timestamp{5});
    QCOMPARE(recorder.take(),
             (QStringList{"buy 102 qty 10 orders 1", "top bid 102x10 ask 0x0",
                          "buy 101 qty 10 orders 1", "sell 100 qty 10 orders 1",
                          "top bid 102x10 ask 100x10", "sell 101 qty 5 orders 1"}));

    engine.setTradingStatus(instrument, TradingStatus::Trading, Timestamp{6});

    QCOMPARE(recorder.take(), (QStringList{"buy 102 qty 0 orders 0", "buy 101 qty 5 orders 1",
                                           "sell 100 qty 0 orders 0", "sell 101 qty 0 orders 0",
                                           "top bid 101x5 ask 0x0"}));
    for (const Event &event : recorder.events) {
        QCOMPARE(event.instrument, instrument);
    }
}

void TestMarketData::massCancelCoversEveryInstrument()
{
    Engine engine;
    engine.addInstrument(instrumentDefinition(1, TradingStatus::Trading), Timestamp{1});
    engine.addInstrument(instrumentDefinition(2, TradingStatus::Trading), Timestamp{1});
    MarketDataPublisher publisher(engine);
    Recorder recorder;
    publisher.addSubscriber(&recorder);
    engine.addHandler(&publisher);

    const AccountId account{7};
    NewOrder order = limit(1, Side::Buy, 10, 99, InstrumentId{2});
    order.account = account;
    engine.submit(order, Timestamp{2});
    order = limit(2, Side::Sell, 4, 101, InstrumentId{1});
    order.account = account;
    engine.submit(order, Timestamp{3});
    engine.submit(limit(3, Side::Sell, 6, 101, InstrumentId{1}), Timestamp{4});
    order = limit(4, Side::Sell, 8, 102, InstrumentId{1});
    order.account = account;
    engine.submit(order, Timestamp{5});
    recorder.clear();

    QCOMPARE(engine.massCancel(MassCancel{account, InstrumentId{0}}, Timestamp{6}), std::size_t{3});

    const SequenceNumber last = engine.lastSequence();
    for (const Event &event : recorder.events) {
        QCOMPARE(event.sequence, last);
        QCOMPARE(event.time, Timestamp{6});
    }
    QCOMPARE(recorder.commandEnds, 1);
    QCOMPARE(recorder.takeWithInstrument(),
             (QStringList{"1: sell 101 qty 6 orders 1", "1: sell 102 qty 0 orders 0",
                          "1: top bid 0x0 ask 101x6", "2: buy 99 qty 0 orders 0",
                          "2: top bid 0x0 ask 0x0"}));
}

// A publisher that starts on a book with orders takes that book as known to its subscribers.
void TestMarketData::existingBookIsStartingPoint()
{
    Engine engine(kPrimary);
    engine.submit(limit(1, Side::Sell, 10, 101), Timestamp{1});
    engine.submit(limit(2, Side::Buy, 10, 99), Timestamp{2});

    MarketDataPublisher publisher(engine);
    Recorder recorder;
    publisher.addSubscriber(&recorder);
    engine.addHandler(&publisher);

    engine.submit(limit(3, Side::Sell, 5, 101), Timestamp{3});
    engine.submit(limit(4, Side::Buy, 1, 98), Timestamp{4});

    QCOMPARE(recorder.take(), (QStringList{"sell 101 qty 15 orders 2", "top bid 99x10 ask 101x15",
                                           "buy 98 qty 1 orders 1"}));
}

// With a depth limit of 2, the third ask level stays unpublished until the first empties.
void TestMarketData::depthLimitPublishesEnteringLevel()
{
    Engine engine(kPrimary);
    MarketDataOptions options;
    options.depthLimit = 2;
    MarketDataPublisher publisher(engine, options);
    Recorder recorder;
    publisher.addSubscriber(&recorder);
    engine.addHandler(&publisher);

    engine.submit(limit(1, Side::Sell, 10, 101), Timestamp{1});
    engine.submit(limit(2, Side::Sell, 10, 102), Timestamp{2});
    engine.submit(limit(3, Side::Sell, 10, 103), Timestamp{3});
    QCOMPARE(recorder.take(), (QStringList{"sell 101 qty 10 orders 1", "top bid 0x0 ask 101x10",
                                           "sell 102 qty 10 orders 1"}));

    engine.submit(limit(4, Side::Buy, 10, 101), Timestamp{4});
    QCOMPARE(recorder.take(), (QStringList{"sell 101 qty 0 orders 0", "sell 103 qty 10 orders 1",
                                           "top bid 0x0 ask 102x10"}));

    // A better level pushes 103 out; subscribers drop it themselves.
    engine.submit(limit(5, Side::Sell, 5, 100), Timestamp{5});
    QCOMPARE(recorder.take(), (QStringList{"sell 100 qty 5 orders 1", "top bid 0x0 ask 100x5"}));

    recorder.clear();
    engine.cancel(OrderId{3}, Timestamp{6});
    QCOMPARE(recorder.take(), QStringList{});
    QCOMPARE(recorder.commandEnds, 0);
}

void TestMarketData::batchEndIsForwarded()
{
    Engine engine(kPrimary);
    MarketDataPublisher publisher(engine);
    Recorder first;
    Recorder second;
    publisher.addSubscriber(&first);
    publisher.addSubscriber(&second);
    engine.addHandler(&publisher);

    engine.endBatch();
    publisher.removeSubscriber(&first);
    engine.endBatch();

    QCOMPARE(first.batchEnds, 1);
    QCOMPARE(second.batchEnds, 2);
}

void TestMarketData::subscriberRebuildsEngineBook_data()
{
    QTest::addColumn<int>("depthLimit");
    QTest::addColumn<quint64>("seed");

    QTest::newRow("every level") << 0 << quint64{1};
    QTest::newRow("every level, other seed") << 0 << quint64{2};
    QTest::newRow("best level only") << 1 << quint64{3};
    QTest::newRow("three levels") << 3 << quint64{4};
}

// A client that applies every published event must hold the engine's book (within the depth
// limit) and its best bid and offer after every command.
void TestMarketData::subscriberRebuildsEngineBook()
{
    QFETCH(int, depthLimit);
    QFETCH(quint64, seed);
    const auto limit = static_cast<std::size_t>(depthLimit);

    Engine engine(kPrimary);
    MarketDataOptions options;
    options.depthLimit = limit;
    MarketDataPublisher publisher(engine, options);
    RebuiltBook rebuilt(limit);
    publisher.addSubscriber(&rebuilt);
    engine.addHandler(&publisher);

    Xoshiro256StarStar random(seed);
    std::vector<OrderId> ids;
    for (int command = 1; command <= 3'000; ++command) {
        randomCommand(engine, random, ids, Timestamp{command});

        const OrderBook &book = engine.book();
        const QByteArray where = "after command " + QByteArray::number(command);
        QVERIFY2(rebuilt.levels(Side::Buy) == engineLevels(book, Side::Buy, limit),
                 where.constData());
        QVERIFY2(rebuilt.levels(Side::Sell) == engineLevels(book, Side::Sell, limit),
                 where.constData());
        QVERIFY2(describeTop(rebuilt.top()) == engineTop(book), where.constData());
    }
    QVERIFY(engine.tradeCount() > 100);
}

void TestMarketData::steadyStateAllocatesNothing_data()
{
    QTest::addColumn<int>("depthLimit");

    QTest::newRow("every level") << 0;
    QTest::newRow("five levels") << 5;
}

// Once every price from 90 to 110 has rested on each side and a sweep has crossed them all,
// the buffers are as large as the commands below need.
void TestMarketData::steadyStateAllocatesNothing()
{
    QFETCH(int, depthLimit);

    Engine engine(kPrimary);
    MarketDataOptions options;
    options.depthLimit = static_cast<std::size_t>(depthLimit);
    MarketDataPublisher publisher(engine, options);
    EventCounter subscriber;
    publisher.addSubscriber(&subscriber);
    AllocationCounter counter(publisher);
    engine.addHandler(&counter);

    std::int64_t time = 0;
    for (Side side : {Side::Buy, Side::Sell}) {
        for (std::int64_t price = 90; price <= 110; ++price) {
            engine.submit(limit(0, side, 5, price), Timestamp{++time});
        }
        NewOrder sweep = limit(0, opposite(side), 21 * 5, 0);
        sweep.type = OrderType::Market;
        engine.submit(sweep, Timestamp{++time});
    }

    Xoshiro256StarStar random(7);
    std::vector<OrderId> ids;
    ids.reserve(20'000);
    for (int command = 0; command < 5'000; ++command) {
        randomCommand(engine, random, ids, Timestamp{++time});
    }

    allocationCount = 0;
    counter.counting = true;
    const std::size_t eventsBefore = subscriber.events;
    for (int command = 0; command < 5'000; ++command) {
        randomCommand(engine, random, ids, Timestamp{++time});
    }
    counter.counting = false;

    QVERIFY(subscriber.events - eventsBefore > 1'000);
    QCOMPARE(allocationCount.load(), std::size_t{0});
}

// A LOBSTER day of GOOG, replayed with its 10-level orderbook file: after every message the
// best levels a client rebuilt from the published events equal the engine's, and every 500
// messages all of its levels do.
void TestMarketData::lobsterDayRebuildsEngineBook()
{
    const QString day = QStringLiteral("lobster/GOOG_2012-06-21_34200000_57600000_%1_10.csv");
    const QString messages = marketDataPath(day.arg(QLatin1String("message")));
    const QString orderbook = marketDataPath(day.arg(QLatin1String("orderbook")));
    BOURSE_REQUIRE_DATA_FILE(messages);
    BOURSE_REQUIRE_DATA_FILE(orderbook);

    Engine engine(kPrimary);
    MarketDataPublisher publisher(engine);
    RebuiltBook rebuilt(0);
    publisher.addSubscriber(&rebuilt);
    engine.addHandler(&publisher);
    lobster::Replay replay(engine);
    lobster::Replay::Options options;
    options.messagePath = messages.toStdString();
    options.orderbookPath = orderbook.toStdString();
    const std::optional<lobster::InputError> error = replay.open(options);
    QVERIFY2(!error, error ? error->toString().c_str() : "");

    std::size_t steps = 0;
    while (replay.step() == lobster::Replay::Step::Applied) {
        ++steps;
        const OrderBook &book = engine.book();
        const QByteArray where = "after message " + QByteArray::number(qulonglong(steps));
        QVERIFY2(describeTop(rebuilt.top()) == engineTop(book), where.constData());
        if (steps % 500 == 0) {
            QVERIFY2(rebuilt.levels(Side::Buy) == engineLevels(book, Side::Buy, 0),
                     where.constData());
            QVERIFY2(rebuilt.levels(Side::Sell) == engineLevels(book, Side::Sell, 0),
                     where.constData());
        }
    }
    QVERIFY2(!replay.error(), replay.error() ? replay.error()->toString().c_str() : "");
    QCOMPARE(replay.summary().mismatches, std::size_t{0});
    QVERIFY(steps > 100'000);
    QCOMPARE(rebuilt.levels(Side::Buy), engineLevels(engine.book(), Side::Buy, 0));
    QCOMPARE(rebuilt.levels(Side::Sell), engineLevels(engine.book(), Side::Sell, 0));
}

QTEST_GUILESS_MAIN(TestMarketData)
#include "tst_market_data.moc"

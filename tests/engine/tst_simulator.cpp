#include "engine.h"
#include "random.h"
#include "simulator.h"

#include <QtTest>

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <unordered_set>
#include <vector>

using namespace bourse;

namespace {

constexpr std::size_t kSteps = 50'000;

// FNV-1a over every field of every event, in order.
class EventHasher : public EventHandler {
public:
    void onEvent(const Event &event) override
    {
        add(event.sequence);
        add(static_cast<std::uint64_t>(event.time.value()));
        add(static_cast<std::uint64_t>(typeOf(event.payload)));
        std::visit([this](const auto &payload) { addPayload(payload); }, event.payload);
        ++m_events;
    }

    std::uint64_t hash() const { return m_hash; }
    std::uint64_t events() const { return m_events; }

private:
    void add(std::uint64_t word)
    {
        for (int shift = 0; shift < 64; shift += 8) {
            m_hash ^= (word >> shift) & 0xff;
            m_hash *= 0x100000001b3ULL;
        }
    }
    void add(OrderId id) { add(id.value()); }
    void add(Price price) { add(static_cast<std::uint64_t>(price.value())); }
    void add(Quantity quantity) { add(static_cast<std::uint64_t>(quantity.value())); }
    template <typename Enum>
    requires std::is_enum_v<Enum>
    void add(Enum value) { add(static_cast<std::uint64_t>(value)); }

    void addPayload(const OrderAccepted &e)
    {
        add(e.id);
        add(e.side);
        add(e.type);
        add(e.limit);
        add(e.quantity);
    }
    void addPayload(const OrderAdded &e)
    {
        add(e.id);
        add(e.side);
        add(e.price);
        add(e.quantity);
        add(e.origin);
    }
    void addPayload(const OrderRejected &e)
    {
        add(e.id);
        add(e.reason);
    }
    void addPayload(const OrderCancelled &e)
    {
        add(e.id);
        add(e.side);
        add(e.price);
        add(e.quantity);
        add(e.reason);
    }
    void addPayload(const OrderReduced &e)
    {
        add(e.id);
        add(e.side);
        add(e.price);
        add(e.reducedBy);
        add(e.remaining);
    }
    void addPayload(const Trade &e)
    {
        add(e.maker);
        add(e.taker);
        add(e.aggressor);
        add(e.price);
        add(e.quantity);
        add(e.makerRemaining);
    }
    void addPayload(const TradingStatusChanged &e) { add(e.status); }
    // The simulator enters only plain limit and market orders and cancels, so no other kind
    // of event reaches this hasher. Its type number is hashed all the same.
    template <typename Other>
    void addPayload(const Other &)
    {
    }

    std::uint64_t m_hash = 0xcbf29ce484222325ULL;
    std::uint64_t m_events = 0;
};

// Counts what the simulated flow did, by event type and reason.
class FlowCounter : public EventHandler {
public:
    void onEvent(const Event &event) override
    {
        if (const auto *accepted = std::get_if<OrderAccepted>(&event.payload)) {
            if (!acceptedIds.insert(accepted->id.value()).second) {
                ++repeatedIds;
            }
        } else if (std::holds_alternative<Trade>(event.payload)) {
            ++trades;
        } else if (const auto *cancelled = std::get_if<OrderCancelled>(&event.payload)) {
            if (cancelled->reason == CancelReason::Requested) {
                ++requestedCancels;
            }
        } else if (const auto *rejected = std::get_if<OrderRejected>(&event.payload)) {
            if (rejected->reason == RejectReason::UnknownOrder) {
                ++unknownOrderRejects;
            } else if (rejected->reason == RejectReason::DuplicateOrderId) {
                ++duplicateIdRejects;
            }
        }
    }

    std::unordered_set<std::uint64_t> acceptedIds;
    std::uint64_t repeatedIds = 0;
    std::uint64_t trades = 0;
    std::uint64_t requestedCancels = 0;
    std::uint64_t unknownOrderRejects = 0;
    std::uint64_t duplicateIdRejects = 0;
};

struct RunResult {
    std::uint64_t hash = 0;
    std::uint64_t events = 0;
};

RunResult run(std::uint64_t seed, std::size_t steps)
{
    Engine engine(InstrumentId{1});
    EventHasher hasher;
    engine.addHandler(&hasher);
    MarketSimulator simulator(seed);
    for (std::size_t i = 0; i < steps; ++i) {
        simulator.step(engine, Timestamp{static_cast<std::int64_t>(i) * 1'000'000});
    }
    return {hasher.hash(), hasher.events()};
}

} // namespace

class TestSimulator : public QObject {
    Q_OBJECT

private slots:
    void splitMixMatchesReference();
    void xoshiroMatchesReference();
    void belowStaysInBounds();
    void sameSeedSameEvents();
    void differentSeedDifferentEvents();
    void primingFillsBothSides();
    void flowKeepsBookUncrossed();
    void flowTradesCancelsAndUsesFreshIds();
    void flowKeepsRealisticShape();
};

// The first outputs of SplitMix64 seeded with 0, computed apart from this code from the
// published algorithm (a Python transcription of splitmix64.c).
void TestSimulator::splitMixMatchesReference()
{
    SplitMix64 generator(0);
    QCOMPARE(generator.next(), 0xe220a8397b1dcdafULL);
    QCOMPARE(generator.next(), 0x6e789e6aa1b965f4ULL);
    QCOMPARE(generator.next(), 0x06c45d188009454fULL);
}

// From state {1, 2, 3, 4}, worked by hand from the algorithm: the first output is
// rotl(2 * 5, 7) * 9 = 11520; after one update s[1] is 0, so the second output is 0.
void TestSimulator::xoshiroMatchesReference()
{
    auto generator = Xoshiro256StarStar::fromState({1, 2, 3, 4});
    QCOMPARE(generator.next(), std::uint64_t{11520});
    QCOMPARE(generator.next(), std::uint64_t{0});
}

void TestSimulator::belowStaysInBounds()
{
    Xoshiro256StarStar generator(99);
    std::vector<int> seen(7, 0);
    for (int i = 0; i < 7'000; ++i) {
        const std::uint64_t value = generator.below(7);
        QVERIFY2(value < 7, qPrintable(QString::number(value)));
        ++seen[value];
    }
    for (int count : seen) {
        QVERIFY2(count > 800 && count < 1'200, qPrintable(QString::number(count)));
    }
    QCOMPARE(generator.below(0), std::uint64_t{0});
    QCOMPARE(generator.below(1), std::uint64_t{0});
    for (int i = 0; i < 100; ++i) {
        const std::int64_t value = generator.between(-3, 3);
        QVERIFY(value >= -3 && value <= 3);
    }
}

void TestSimulator::sameSeedSameEvents()
{
    const RunResult first = run(42, kSteps);
    const RunResult second = run(42, kSteps);

    QVERIFY(first.events > kSteps);
    QCOMPARE(second.events, first.events);
    QCOMPARE(second.hash, first.hash);
}

void TestSimulator::differentSeedDifferentEvents()
{
    const RunResult first = run(42, kSteps);
    const RunResult second = run(43, kSteps);

    QVERIFY(first.hash != second.hash);
}

void TestSimulator::primingFillsBothSides()
{
    Engine engine(InstrumentId{1});
    MarketSimulator simulator(7);
    const MarketSimulator::Options &options = simulator.options();
    QCOMPARE(simulator.primingCommands(), options.primeLevels * 2 * options.primeOrdersPerLevel);

    simulator.prime(engine, Timestamp{0});

    QVERIFY(simulator.isPrimed());
    QCOMPARE(engine.book().levelCount(Side::Buy), options.primeLevels);
    QCOMPARE(engine.book().levelCount(Side::Sell), options.primeLevels);
    QCOMPARE(engine.book().orderCount(), simulator.primingCommands());
    QCOMPARE(engine.tradeCount(), std::uint64_t{0});

    // A one-tick spread around the anchor: bids from the anchor down, asks from a tick above.
    const std::int64_t anchor = options.anchor.value();
    QCOMPARE(engine.book().bestPrice(Side::Buy)->value(), anchor);
    QCOMPARE(engine.book().bestPrice(Side::Sell)->value(), anchor + 1);
}

void TestSimulator::flowKeepsBookUncrossed()
{
    Engine engine(InstrumentId{1});
    MarketSimulator simulator(2024);
    for (std::size_t i = 0; i < kSteps; ++i) {
        simulator.step(engine, Timestamp{static_cast<std::int64_t>(i)});
        const auto bid = engine.book().bestPrice(Side::Buy);
        const auto ask = engine.book().bestPrice(Side::Sell);
        if (bid && ask && *bid >= *ask) {
            QFAIL(qPrintable(QStringLiteral("crossed after command %1: bid %2, ask %3")
                                 .arg(i)
                                 .arg(bid->value())
                                 .arg(ask->value())));
        }
    }
}

void TestSimulator::flowTradesCancelsAndUsesFreshIds()
{
    Engine engine(InstrumentId{1});
    FlowCounter counter;
    engine.addHandler(&counter);
    MarketSimulator simulator(5);
    for (std::size_t i = 0; i < kSteps; ++i) {
        simulator.step(engine, Timestamp{static_cast<std::int64_t>(i)});
    }

    // Loose floors: a tenth of the commands aim to trade and a third to cancel.
    QVERIFY2(counter.trades > kSteps / 20, qPrintable(QString::number(counter.trades)));
    QVERIFY2(counter.requestedCancels > kSteps / 10,
             qPrintable(QString::number(counter.requestedCancels)));
    QCOMPARE(counter.repeatedIds, std::uint64_t{0});
    QCOMPARE(counter.duplicateIdRejects, std::uint64_t{0});
    QCOMPARE(counter.unknownOrderRejects, std::uint64_t{0});
}

void TestSimulator::flowKeepsRealisticShape()
{
    Engine engine(InstrumentId{1});
    MarketSimulator simulator(11);
    simulator.prime(engine, Timestamp{0});

    std::vector<std::int64_t> spreads;
    std::size_t shallowSamples = 0;
    std::int64_t farthestFromAnchor = 0;
    const std::int64_t anchor = simulator.options().anchor.value();
    for (std::size_t i = 0; i < kSteps; ++i) {
        simulator.step(engine, Timestamp{static_cast<std::int64_t>(i)});
        const OrderBook &book = engine.book();
        const auto bid = book.bestPrice(Side::Buy);
        const auto ask = book.bestPrice(Side::Sell);
        if (bid && ask) {
            spreads.push_back(ask->value() - bid->value());
        }
        if (book.levelCount(Side::Buy) < 3 || book.levelCount(Side::Sell) < 3) {
            ++shallowSamples;
        }
        farthestFromAnchor =
            std::max(farthestFromAnchor, std::abs(simulator.fairValue().value() - anchor));
    }

    QVERIFY(spreads.size() > kSteps * 99 / 100);
    std::sort(spreads.begin(), spreads.end());
    const std::int64_t median = spreads[spreads.size() / 2];
    const std::int64_t ninetieth = spreads[spreads.size() * 9 / 10];
    QVERIFY2(median <= 3, qPrintable(QString::number(median)));
    QVERIFY2(ninetieth <= 6, qPrintable(QString::number(ninetieth)));
    QVERIFY2(shallowSamples < kSteps / 100, qPrintable(QString::number(shallowSamples)));
    QVERIFY2(farthestFromAnchor < 500, qPrintable(QString::number(farthestFromAnchor)));
    QVERIFY(engine.book().orderCount() < 1'000);
}

QTEST_GUILESS_MAIN(TestSimulator)
#include "tst_simulator.moc"

#include "engine.h"
#include "engine_test_support.h"
#include "random.h"
#include "simulator.h"
#include "simulator_set.h"

#include <QtTest>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <set>
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

// Commands before a restart, in the tests that resume a simulator on a recovered book.
constexpr std::size_t kStepsBeforeRestart = 20'000;

void runSteps(MarketSimulator &simulator, Engine &engine, std::size_t steps)
{
    for (std::size_t i = 0; i < steps; ++i) {
        simulator.step(engine, Timestamp{static_cast<std::int64_t>(engine.lastSequence() + 1)});
    }
}

// The snapshot of an engine that ran the simulated market of `seed` for `steps` commands, as a
// journal's newest snapshot would hold it.
std::vector<std::uint8_t> snapshotAfter(std::uint64_t seed, std::size_t steps)
{
    Engine engine(InstrumentId{1});
    MarketSimulator simulator(seed);
    runSteps(simulator, engine, steps);
    return engine.snapshot();
}

// The engine a restart recovers from the snapshot.
std::unique_ptr<Engine> recover(const std::vector<std::uint8_t> &snapshot)
{
    auto engine = std::make_unique<Engine>();
    const std::optional<SnapshotError> error = Engine::loadSnapshot(snapshot, *engine);
    if (error) {
        qFatal("the snapshot did not load: %s", error->message.c_str());
    }
    return engine;
}

std::set<OrderId> restingIds(const OrderBook &book)
{
    std::set<OrderId> ids;
    const auto collect = [&ids](const Order &order) { ids.insert(order.id); };
    book.forEachOrder(Side::Buy, collect);
    book.forEachOrder(Side::Sell, collect);
    return ids;
}

// The gap between the fair price (half a tick above the fair value) and the mid price, in half
// ticks.
std::int64_t halfTicksFromMid(Price fairValue, const OrderBook &book)
{
    const std::int64_t twiceMid =
        book.bestPrice(Side::Buy)->value() + book.bestPrice(Side::Sell)->value();
    return std::abs(2 * fairValue.value() + 1 - twiceMid);
}

InstrumentDefinition gridInstrument(std::uint32_t id, std::int64_t tick, std::int64_t lot)
{
    InstrumentDefinition definition;
    definition.id = InstrumentId{id};
    definition.tickSize = Price{tick};
    definition.lotSize = Quantity{lot};
    definition.minimumQuantity = Quantity{lot};
    return definition;
}

// A simulator of one instrument of a multi-instrument engine, numbered by the engine.
MarketSimulator::Options gridOptions(std::uint32_t instrument, std::int64_t tick, std::int64_t lot)
{
    MarketSimulator::Options options;
    options.instrument = InstrumentId{instrument};
    options.tickSize = Price{tick};
    options.lotSize = Quantity{lot};
    options.engineAssignsIds = true;
    return options;
}

// Records what happened to the orders of one account, and every rejection.
class AccountWatcher : public EventHandler {
public:
    explicit AccountWatcher(AccountId account)
        : m_account(account)
    {
    }

    void onEvent(const Event &event) override
    {
        if (const auto *accepted = std::get_if<OrderAccepted>(&event.payload)) {
            if (accepted->account == m_account)
                accountOrders.insert(accepted->id);
            else
                otherOrders.push_back(accepted->id);
        } else if (const auto *cancelled = std::get_if<OrderCancelled>(&event.payload)) {
            if (accountOrders.contains(cancelled->id))
                ++accountCancels;
        } else if (const auto *rejected = std::get_if<OrderRejected>(&event.payload)) {
            ++rejections;
            if (rejected->reason == RejectReason::DuplicateOrderId)
                ++duplicateIds;
        } else if (const auto *trade = std::get_if<Trade>(&event.payload)) {
            if (trade->makerAccount == m_account || trade->takerAccount == m_account)
                ++accountTrades;
        }
    }

    std::set<OrderId> accountOrders;
    std::vector<OrderId> otherOrders; // in the order accepted
    std::uint64_t accountCancels = 0;
    std::uint64_t accountTrades = 0;
    std::uint64_t rejections = 0;
    std::uint64_t duplicateIds = 0;

private:
    AccountId m_account;
};

// Bids of the trader's account 1 a few ticks under the anchor of 10'000, where the simulated
// flow trades with some of them, each with an id the engine assigns.
void enterTraderBids(Engine &engine, int count, std::int64_t time)
{
    for (int index = 0; index < count; ++index) {
        NewOrder order;
        order.side = Side::Buy;
        order.limit = Price{9'990 + index % 8};
        order.quantity = Quantity{3};
        order.account = AccountId{1};
        engine.submit(order, Timestamp{time});
    }
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

    void resumeOnFreshEngineMatchesConstructor();
    void resumeFairValueFromBook_data();
    void resumeFairValueFromBook();
    void resumeIdsAboveEveryUsedId_data();
    void resumeIdsAboveEveryUsedId();
    void resumeSkipsPriming();
    void resumeFairValueNearMid();
    void resumeCancelsOrdersRestingBefore();
    void resumeSameSeedSameEvents();
    void resumedFlowStaysHealthy();

    void ordersOnInstrumentGrid();
    void engineAssignedIdsSpareTraderOrders();
    void resumedSimulatorSparesTraderOrders();
    void setSameSeedSameEvents();
    void setSharesCommandsByWeight();
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

// A new journal's engine has an empty book, so resuming on it primes and runs exactly the
// market a new simulator runs.
void TestSimulator::resumeOnFreshEngineMatchesConstructor()
{
    Engine engine(InstrumentId{1});
    EventHasher hasher;
    engine.addHandler(&hasher);
    MarketSimulator simulator = MarketSimulator::resume(42, MarketSimulator::Options{}, engine);
    QVERIFY(!simulator.isPrimed());
    QCOMPARE(simulator.fairValue(), MarketSimulator::Options{}.anchor);
    for (std::size_t i = 0; i < kSteps; ++i) {
        simulator.step(engine, Timestamp{static_cast<std::int64_t>(i) * 1'000'000});
    }

    const RunResult constructed = run(42, kSteps);
    QCOMPARE(hasher.events(), constructed.events);
    QCOMPARE(hasher.hash(), constructed.hash);
}

// Books built by hand. The fair price lies half a tick above the fair value, so an undisturbed
// book (bid at the fair value, ask a tick above) has its mid price on the fair price.
void TestSimulator::resumeFairValueFromBook_data()
{
    QTest::addColumn<std::int64_t>("bid"); // zero: no bid
    QTest::addColumn<std::int64_t>("ask"); // zero: no ask
    QTest::addColumn<std::int64_t>("fairValue");

    QTest::newRow("one-tick spread: the bid")
        << std::int64_t{9'998} << std::int64_t{9'999} << std::int64_t{9'998};
    QTest::newRow("three-tick spread: on the mid")
        << std::int64_t{9'998} << std::int64_t{10'001} << std::int64_t{9'999};
    QTest::newRow("four-tick spread: half below mid")
        << std::int64_t{9'998} << std::int64_t{10'002} << std::int64_t{9'999};
    QTest::newRow("bids only: the best bid")
        << std::int64_t{10'005} << std::int64_t{0} << std::int64_t{10'005};
    QTest::newRow("asks only: a tick below")
        << std::int64_t{0} << std::int64_t{10'005} << std::int64_t{10'004};
    // The default maxDepthTicks is 20, so the walk never goes below 22.
    QTest::newRow("near zero: the walk's floor")
        << std::int64_t{5} << std::int64_t{7} << std::int64_t{22};
}

void TestSimulator::resumeFairValueFromBook()
{
    QFETCH(std::int64_t, bid);
    QFETCH(std::int64_t, ask);
    QFETCH(std::int64_t, fairValue);

    Engine engine(InstrumentId{1});
    if (bid != 0) {
        engine.submit(test::limitOrder(1, Side::Buy, 3, bid), Timestamp{1});
    }
    if (ask != 0) {
        engine.submit(test::limitOrder(2, Side::Sell, 3, ask), Timestamp{1});
    }

    const MarketSimulator::Options options;
    QCOMPARE(MarketSimulator::fairValueOf(engine.book(), options), Price{fairValue});
    const MarketSimulator simulator = MarketSimulator::resume(1, options, engine);
    QCOMPARE(simulator.fairValue(), Price{fairValue});
    QVERIFY(simulator.isPrimed());
}

void TestSimulator::resumeIdsAboveEveryUsedId_data()
{
    QTest::addColumn<std::uint64_t>("highestRestingId");
    QTest::addColumn<std::uint64_t>("firstOrderIdOption");
    QTest::addColumn<std::uint64_t>("expectedFirstId");

    // Three resting orders take six events (accepted and added each): ids start at seven.
    QTest::newRow("sequence bounds the ids")
        << std::uint64_t{3} << std::uint64_t{1} << std::uint64_t{7};
    QTest::newRow("a resting id above the sequence")
        << std::uint64_t{700} << std::uint64_t{1} << std::uint64_t{701};
    QTest::newRow("the option above both")
        << std::uint64_t{700} << std::uint64_t{5'000} << std::uint64_t{5'000};
}

void TestSimulator::resumeIdsAboveEveryUsedId()
{
    QFETCH(std::uint64_t, highestRestingId);
    QFETCH(std::uint64_t, firstOrderIdOption);
    QFETCH(std::uint64_t, expectedFirstId);

    Engine engine(InstrumentId{1});
    engine.submit(test::limitOrder(1, Side::Buy, 3, 9'990), Timestamp{1});
    engine.submit(test::limitOrder(2, Side::Sell, 3, 10'010), Timestamp{1});
    engine.submit(test::limitOrder(highestRestingId, Side::Sell, 3, 10'011), Timestamp{1});
    QCOMPARE(engine.lastSequence(), SequenceNumber{6});

    MarketSimulator::Options options;
    options.firstOrderId = firstOrderIdOption;
    MarketSimulator simulator = MarketSimulator::resume(1, options, engine);
    SimulatorCommand command = simulator.next(engine);
    while (command.kind != SimulatorCommand::Kind::Submit) {
        MarketSimulator::apply(command, engine, Timestamp{2});
        command = simulator.next(engine);
    }
    QCOMPARE(command.order.id, OrderId{expectedFirstId});
}

// With the anchor moved far from the recovered book, priming would place its 40 orders
// (10 levels a side, 2 orders a level) at 49'991 to 50'010. A resumed simulator places none
// there: its fair value starts at the book, near the old anchor of 10'000.
void TestSimulator::resumeSkipsPriming()
{
    const std::vector<std::uint8_t> snapshot = snapshotAfter(3, kStepsBeforeRestart);
    MarketSimulator::Options options;
    options.anchor = Price{50'000};
    const auto atPrimePrice = [](const SimulatorCommand &command) {
        const std::int64_t price = command.order.limit.value();
        return command.kind == SimulatorCommand::Kind::Submit && price >= 49'991 && price <= 50'010;
    };

    std::unique_ptr<Engine> fresh = recover(snapshot);
    MarketSimulator primer(3, options);
    std::size_t primedAtPrimePrices = 0;
    for (std::size_t i = 0; i < 40; ++i) {
        const SimulatorCommand command = primer.next(*fresh);
        primedAtPrimePrices += atPrimePrice(command) ? 1U : 0U;
        MarketSimulator::apply(command, *fresh, Timestamp{1});
    }
    QCOMPARE(primedAtPrimePrices, std::size_t{40});

    std::unique_ptr<Engine> engine = recover(snapshot);
    MarketSimulator simulator = MarketSimulator::resume(3, options, *engine);
    QVERIFY(simulator.isPrimed());
    std::size_t resumedAtPrimePrices = 0;
    for (std::size_t i = 0; i < 1'000; ++i) {
        const SimulatorCommand command = simulator.next(*engine);
        resumedAtPrimePrices += atPrimePrice(command) ? 1U : 0U;
        MarketSimulator::apply(command, *engine, Timestamp{1});
    }
    QCOMPARE(resumedAtPrimePrices, std::size_t{0});
}

// Whatever fair value the simulator before the restart held, the resumed one starts on the
// recovered book's mid price.
void TestSimulator::resumeFairValueNearMid()
{
    for (const std::uint64_t seed : {3ULL, 8ULL, 13ULL}) {
        const std::unique_ptr<Engine> engine = recover(snapshotAfter(seed, kStepsBeforeRestart));
        const OrderBook &book = engine->book();
        QVERIFY(book.bestPrice(Side::Buy).has_value());
        QVERIFY(book.bestPrice(Side::Sell).has_value());

        const MarketSimulator simulator =
            MarketSimulator::resume(seed, MarketSimulator::Options{}, *engine);
        const std::int64_t gap = halfTicksFromMid(simulator.fairValue(), book);
        QVERIFY2(
            gap <= 1,
            qPrintable(QStringLiteral("seed %1: %2 half ticks from the mid").arg(seed).arg(gap)));
    }
}

void TestSimulator::resumeCancelsOrdersRestingBefore()
{
    const std::unique_ptr<Engine> engine = recover(snapshotAfter(5, kStepsBeforeRestart));
    const std::set<OrderId> before = restingIds(engine->book());
    QVERIFY(before.size() > 50);
    FlowCounter counter;
    engine->addHandler(&counter);

    MarketSimulator simulator = MarketSimulator::resume(5, MarketSimulator::Options{}, *engine);
    std::vector<OrderId> cancelled;
    for (std::size_t i = 0; i < 1'000; ++i) {
        const SimulatorCommand command = simulator.next(*engine);
        if (command.kind == SimulatorCommand::Kind::Cancel) {
            cancelled.push_back(command.cancelId);
        }
        MarketSimulator::apply(command, *engine, Timestamp{1});
    }

    QVERIFY(cancelled.size() > 100);
    QVERIFY(before.contains(cancelled.front()));
    const auto cancelledBefore = std::count_if(cancelled.begin(), cancelled.end(),
                                               [&](OrderId id) { return before.contains(id); });
    QVERIFY2(cancelledBefore > 50, qPrintable(QString::number(cancelledBefore)));
    QCOMPARE(counter.unknownOrderRejects, std::uint64_t{0});
}

// Two restarts from one snapshot, and the engine that took it kept running instead, all give
// the same events for the same seed. A different seed gives other events.
void TestSimulator::resumeSameSeedSameEvents()
{
    Engine kept(InstrumentId{1});
    MarketSimulator before(9);
    runSteps(before, kept, kStepsBeforeRestart);
    const std::vector<std::uint8_t> snapshot = kept.snapshot();

    const auto resumedRun = [](Engine &engine, std::uint64_t seed) {
        EventHasher hasher;
        engine.addHandler(&hasher);
        MarketSimulator simulator =
            MarketSimulator::resume(seed, MarketSimulator::Options{}, engine);
        runSteps(simulator, engine, kSteps);
        engine.removeHandler(&hasher);
        return RunResult{hasher.hash(), hasher.events()};
    };
    const RunResult first = resumedRun(*recover(snapshot), 77);
    const RunResult second = resumedRun(*recover(snapshot), 77);
    const RunResult onKept = resumedRun(kept, 77);
    const RunResult otherSeed = resumedRun(*recover(snapshot), 78);

    QVERIFY(first.events > kSteps);
    QCOMPARE(second.events, first.events);
    QCOMPARE(second.hash, first.hash);
    QCOMPARE(onKept.events, first.events);
    QCOMPARE(onKept.hash, first.hash);
    QVERIFY(otherSeed.hash != first.hash);
}

void TestSimulator::resumedFlowStaysHealthy()
{
    constexpr std::size_t kResumedSteps = 100'000;
    const std::unique_ptr<Engine> engine = recover(snapshotAfter(21, kStepsBeforeRestart));
    const std::set<OrderId> before = restingIds(engine->book());
    FlowCounter counter;
    engine->addHandler(&counter);

    MarketSimulator simulator = MarketSimulator::resume(21, MarketSimulator::Options{}, *engine);
    std::size_t oneSidedSamples = 0;
    for (std::size_t i = 0; i < kResumedSteps; ++i) {
        simulator.step(*engine, Timestamp{static_cast<std::int64_t>(i)});
        const OrderBook &book = engine->book();
        const auto bid = book.bestPrice(Side::Buy);
        const auto ask = book.bestPrice(Side::Sell);
        if (!bid || !ask) {
            ++oneSidedSamples;
        } else if (*bid >= *ask) {
            QFAIL(qPrintable(QStringLiteral("crossed after command %1: bid %2, ask %3")
                                 .arg(i)
                                 .arg(bid->value())
                                 .arg(ask->value())));
        }
    }

    const OrderBook &book = engine->book();
    QVERIFY(book.bestPrice(Side::Buy).has_value());
    QVERIFY(book.bestPrice(Side::Sell).has_value());
    QVERIFY2(oneSidedSamples < kResumedSteps / 1'000, qPrintable(QString::number(oneSidedSamples)));
    const std::size_t target = simulator.options().targetRestingOrders;
    QVERIFY2(book.orderCount() > target / 2, qPrintable(QString::number(book.orderCount())));
    QVERIFY2(book.orderCount() < target * 2, qPrintable(QString::number(book.orderCount())));

    // Every order that rested before the restart was cancelled or filled since.
    const std::set<OrderId> after = restingIds(book);
    const auto stillResting =
        std::count_if(before.begin(), before.end(), [&](OrderId id) { return after.contains(id); });
    QCOMPARE(stillResting, std::ptrdiff_t{0});

    // The run before the restart submitted at most one order a command, with ids from 1.
    const std::uint64_t lowestId =
        *std::min_element(counter.acceptedIds.begin(), counter.acceptedIds.end());
    QVERIFY2(lowestId > kStepsBeforeRestart, qPrintable(QString::number(lowestId)));
    QCOMPARE(counter.repeatedIds, std::uint64_t{0});
    QCOMPARE(counter.duplicateIdRejects, std::uint64_t{0});
    QCOMPARE(counter.unknownOrderRejects, std::uint64_t{0});
    QVERIFY(counter.trades > kResumedSteps / 20);
}

// BBB has a tick of 5 and lots of 100, and AAA, the primary instrument, is not simulated.
void TestSimulator::ordersOnInstrumentGrid()
{
    Engine engine;
    engine.addInstrument(gridInstrument(1, 1, 1), Timestamp{0});
    engine.addInstrument(gridInstrument(2, 5, 100), Timestamp{0});
    FlowCounter counter;
    AccountWatcher watcher(AccountId{1});
    engine.addHandler(&counter);
    engine.addHandler(&watcher);
    std::size_t offGrid = 0;
    struct GridChecker : EventHandler {
        std::size_t *offGrid;
        void onEvent(const Event &event) override
        {
            if (const auto *added = std::get_if<OrderAdded>(&event.payload)) {
                if (event.instrument != InstrumentId{2} || added->price.value() % 5 != 0 ||
                    added->quantity.value() % 100 != 0)
                    ++*offGrid;
            }
        }
    } grid;
    grid.offGrid = &offGrid;
    engine.addHandler(&grid);

    MarketSimulator simulator(17, gridOptions(2, 5, 100));
    for (std::size_t i = 0; i < kSteps; ++i) {
        simulator.step(engine, Timestamp{static_cast<std::int64_t>(i)});
    }

    QCOMPARE(offGrid, std::size_t{0});
    QCOMPARE(watcher.rejections, std::uint64_t{0});
    QCOMPARE(engine.book(InstrumentId{1})->orderCount(), std::size_t{0});
    const OrderBook &book = *engine.book(InstrumentId{2});
    QVERIFY(book.levelCount(Side::Buy) >= 3);
    QVERIFY(book.levelCount(Side::Sell) >= 3);
    // The fair value reverts to the anchor of 10'000 ticks, which is 50'000 in price units.
    QVERIFY2(std::abs(book.bestPrice(Side::Buy)->value() - 50'000) < 5 * 500,
             qPrintable(QString::number(book.bestPrice(Side::Buy)->value())));
    QVERIFY(counter.trades > kSteps / 20);
    QVERIFY(counter.requestedCancels > kSteps / 10);
}

// A trader enters bids between the simulator's commands, some with ids of simulated orders that
// have left the book. The simulator trades with them but never cancels one, and no id repeats.
void TestSimulator::engineAssignedIdsSpareTraderOrders()
{
    Engine engine(InstrumentId{1});
    AccountWatcher watcher(AccountId{1});
    engine.addHandler(&watcher);
    MarketSimulator simulator(23, gridOptions(0, 1, 1));
    for (std::size_t i = 0; i < kSteps; ++i) {
        simulator.step(engine, Timestamp{static_cast<std::int64_t>(i)});
        if (i % 500 == 0)
            enterTraderBids(engine, 4, static_cast<std::int64_t>(i));
    }

    // Ids of the latest simulated orders that are gone, which the simulator may still list,
    // taken again by resting trader orders far below.
    std::vector<OrderId> reused;
    for (auto id = watcher.otherOrders.rbegin(); id != watcher.otherOrders.rend(); ++id) {
        if (reused.size() == 40)
            break;
        if (engine.findOrder(*id) == nullptr)
            reused.push_back(*id);
    }
    QCOMPARE(reused.size(), std::size_t{40});
    for (const OrderId id : reused) {
        NewOrder order;
        order.id = id;
        order.side = Side::Buy;
        order.limit = Price{9'000};
        order.quantity = Quantity{1};
        order.account = AccountId{1};
        QCOMPARE(engine.submit(order, Timestamp{1}), id);
    }
    for (std::size_t i = 0; i < kSteps; ++i) {
        simulator.step(engine, Timestamp{static_cast<std::int64_t>(kSteps + i)});
    }

    QVERIFY(watcher.accountOrders.size() > 400);
    QVERIFY2(watcher.accountTrades > 0, "the flow never reached the trader's bids");
    QCOMPARE(watcher.accountCancels, std::uint64_t{0});
    QCOMPARE(watcher.duplicateIds, std::uint64_t{0});
    QCOMPARE(watcher.rejections, std::uint64_t{0});
    for (const OrderId id : reused) {
        QVERIFY2(engine.findOrder(id) != nullptr, qPrintable(QString::number(id.value())));
    }
    const std::set<OrderId> simulated(watcher.otherOrders.begin(), watcher.otherOrders.end());
    QCOMPARE(simulated.size(), watcher.otherOrders.size());
}

// After a restart from a snapshot, the resumed simulator takes over only its own resting
// orders: the trader's stay, and the engine's ids continue above every id before.
void TestSimulator::resumedSimulatorSparesTraderOrders()
{
    Engine before(InstrumentId{1});
    MarketSimulator first(29, gridOptions(0, 1, 1));
    for (std::size_t i = 0; i < kStepsBeforeRestart; ++i) {
        first.step(before, Timestamp{static_cast<std::int64_t>(i)});
        if (i % 1'000 == 0)
            enterTraderBids(before, 2, static_cast<std::int64_t>(i));
    }
    NewOrder far;
    far.side = Side::Sell;
    far.limit = Price{11'000};
    far.quantity = Quantity{5};
    far.account = AccountId{1};
    const OrderId farId = before.submit(far, Timestamp{1});
    const std::unique_ptr<Engine> engine = recover(before.snapshot());

    AccountWatcher watcher(AccountId{1});
    engine->addHandler(&watcher);
    MarketSimulator resumed = MarketSimulator::resume(31, gridOptions(0, 1, 1), *engine);
    QVERIFY(resumed.isPrimed());
    for (std::size_t i = 0; i < kSteps; ++i) {
        resumed.step(*engine, Timestamp{static_cast<std::int64_t>(i)});
    }

    QVERIFY(engine->findOrder(farId) != nullptr);
    QCOMPARE(watcher.duplicateIds, std::uint64_t{0});
    QCOMPARE(watcher.rejections, std::uint64_t{0});
    QVERIFY(!watcher.otherOrders.empty());
    const auto lowest = *std::min_element(watcher.otherOrders.begin(), watcher.otherOrders.end());
    QVERIFY(lowest > farId);
}

namespace {

RunResult runSet(std::uint64_t seed, std::size_t steps)
{
    Engine engine;
    engine.addInstrument(gridInstrument(1, 1, 1), Timestamp{0});
    engine.addInstrument(gridInstrument(2, 5, 100), Timestamp{0});
    EventHasher hasher;
    engine.addHandler(&hasher);
    const SimulatorSet::Member first{gridOptions(1, 1, 1), 3};
    const SimulatorSet::Member second{gridOptions(2, 5, 100), 1};
    SimulatorSet set(seed, {first, second}, engine);
    for (std::size_t i = 0; i < steps; ++i) {
        set.step(engine, Timestamp{static_cast<std::int64_t>(i) * 1'000'000});
    }
    return {hasher.hash(), hasher.events()};
}

// Counts the commands each instrument received: every simulated command makes exactly one
// OrderAccepted (a submit) or one requested OrderCancelled (a cancel), or a rejection.
class CommandCounter : public EventHandler {
public:
    void onEvent(const Event &event) override
    {
        if (std::holds_alternative<OrderAccepted>(event.payload)) {
            ++commands[event.instrument.value()];
        } else if (const auto *cancelled = std::get_if<OrderCancelled>(&event.payload)) {
            if (cancelled->reason == CancelReason::Requested)
                ++commands[event.instrument.value()];
        } else if (std::holds_alternative<OrderRejected>(event.payload)) {
            ++rejections;
        }
    }

    std::array<std::uint64_t, 3> commands{};
    std::uint64_t rejections = 0;
};

} // namespace

void TestSimulator::setSameSeedSameEvents()
{
    const RunResult first = runSet(42, kSteps);
    const RunResult second = runSet(42, kSteps);
    const RunResult other = runSet(43, kSteps);

    QVERIFY(first.events > kSteps);
    QCOMPARE(second.events, first.events);
    QCOMPARE(second.hash, first.hash);
    QVERIFY(other.hash != first.hash);
}

// Weights 3 and 1 over 40'000 commands: 30'000 expected for the first instrument, with a
// standard deviation of sqrt(40'000 x 0.75 x 0.25), about 87, so 500 either way is over 5.
void TestSimulator::setSharesCommandsByWeight()
{
    Engine engine;
    engine.addInstrument(gridInstrument(1, 1, 1), Timestamp{0});
    engine.addInstrument(gridInstrument(2, 5, 100), Timestamp{0});
    const SimulatorSet::Member first{gridOptions(1, 1, 1), 3};
    const SimulatorSet::Member second{gridOptions(2, 5, 100), 1};
    SimulatorSet set(5, {first, second}, engine);
    QCOMPARE(set.size(), std::size_t{2});
    set.prime(engine, Timestamp{0});
    QVERIFY(set.simulator(0).isPrimed());
    QVERIFY(set.simulator(1).isPrimed());

    CommandCounter counter;
    engine.addHandler(&counter);
    constexpr std::uint64_t kCommands = 40'000;
    for (std::uint64_t i = 0; i < kCommands; ++i) {
        set.step(engine, Timestamp{static_cast<std::int64_t>(i)});
    }

    QCOMPARE(counter.rejections, std::uint64_t{0});
    QCOMPARE(counter.commands[1] + counter.commands[2], kCommands);
    QVERIFY2(counter.commands[1] > 29'500 && counter.commands[1] < 30'500,
             qPrintable(QString::number(counter.commands[1])));
}

QTEST_GUILESS_MAIN(TestSimulator)
#include "tst_simulator.moc"

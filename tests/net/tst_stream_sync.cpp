// StreamSynchronizer against the truth: a real Engine driven by the agent market publishes its
// events per stream through BatchWriter. The bytes are decoded with decodePublished and fed to
// the synchronizer, snapshots come from buildSnapshot, and at the end every replica must equal
// the engine: levels, orders in queue order, status, last trade price, working orders,
// positions and cash. Each scenario then breaks the stream in one way.

#include "agent_market.h"
#include "stream_snapshot.h"
#include "stream_sync.h"
#include "tst_stream_sync_publisher.h"

#include <QTest>

#include <memory>
#include <random>
#include <set>

using namespace bourse;
using namespace bourse::net;
using bourse::net::testing::TestPublisher;
using bourse::net::testing::WireMessage;

namespace {

// An engine with the agent market, its accounts open, and the test publisher: the server side.
struct Market {
    explicit Market(std::uint64_t seed)
    {
        engine.addHandler(&publisher);
        AgentMarket::Options options;
        options.openAccounts = true;
        market = std::make_unique<AgentMarket>(engine, seed, options);
        publisher.take(); // the set-up's messages, sent before any terminal subscribed
    }

    std::vector<StreamKey> streams() const
    {
        std::vector<StreamKey> keys;
        for (InstrumentId id : engine.instruments())
            keys.push_back({StreamKind::Instrument, id.value()});
        for (const Account &account : engine.portfolio().state().accounts)
            keys.push_back({StreamKind::Account, account.settings.id.value()});
        return keys;
    }

    // Builds and encodes the response to a SnapshotRequest now.
    std::vector<std::vector<std::uint8_t>> snapshot(StreamKey key) const
    {
        std::vector<std::vector<std::uint8_t>> encoded;
        const auto parts = buildSnapshot(engine, key, publisher.lastSequence(key));
        for (std::size_t index = 0; index < parts.size(); ++index) {
            Message message;
            message.header.sequence = index + 1;
            message.header.flags = index + 1 == parts.size() ? kLastPartFlag : 0;
            message.body = parts[index];
            encoded.emplace_back();
            encodeMessage(message, encoded.back());
        }
        return encoded;
    }

    Engine engine;
    TestPublisher publisher;
    std::unique_ptr<AgentMarket> market;
};

// The client side: decodes what the market sends and feeds the synchronizer.
struct Terminal {
    explicit Terminal(std::size_t queueLimit = StreamSynchronizer::kDefaultQueueLimit)
        : sync(queueLimit)
    {
    }

    void deliver(const WireMessage &wire)
    {
        Message message;
        const auto error = decodePublished(wire.topic, wire.bytes, message);
        QVERIFY2(!error, error ? describe(*error).c_str() : "");
        sync.onPublished(message);
    }

    void deliverPart(const std::vector<std::uint8_t> &bytes)
    {
        Message message;
        const auto error = decodeMessage(bytes, message);
        QVERIFY2(!error, error ? describe(*error).c_str() : "");
        sync.onSnapshotPart(message);
    }

    // Serves every pending request at once, from the market's state now.
    void serveSnapshots(const Market &market)
    {
        for (StreamKey key : sync.takeSnapshotRequests()) {
            for (const auto &part : market.snapshot(key))
                deliverPart(part);
        }
    }

    StreamSynchronizer sync;
};

// Steps the market once, delivering each message to the terminal unless `keep` returns false.
template <typename Keep>
void stepOnce(Market &market, Terminal &terminal, Keep keep)
{
    market.market->step();
    for (const WireMessage &wire : market.publisher.take()) {
        if (keep(wire))
            terminal.deliver(wire);
    }
}

// Steps the market, delivering each message to the terminal unless `keep` returns false, and
// serving the snapshots the terminal requests after each step.
template <typename Keep>
void run(Market &market, Terminal &terminal, int steps, Keep keep)
{
    for (int step = 0; step < steps; ++step) {
        stepOnce(market, terminal, keep);
        terminal.serveSnapshots(market);
    }
}

void run(Market &market, Terminal &terminal, int steps)
{
    run(market, terminal, steps, [](const WireMessage &) { return true; });
}

Topic instrumentTopic(const Market &market)
{
    return topicOf(StreamKind::Instrument, market.engine.instruments().front().value());
}

// A filter for stepOnce that drops the first message on the first instrument's topic and sets
// `dropped` when it has.
auto dropFirstOfInstrument(const Market &market, bool &dropped)
{
    return [topic = instrumentTopic(market), &dropped](const WireMessage &wire) {
        if (dropped || wire.topic != topic)
            return true;
        dropped = true;
        return false;
    };
}

void compareInstrument(const Engine &engine, const InstrumentReplica &replica)
{
    const InstrumentId id = replica.id();
    const OrderBook &book = *engine.book(id);
    QCOMPARE(replica.status(), *engine.status(id));
    QVERIFY(replica.definition().has_value());
    QCOMPARE(replica.definition()->tickSize, engine.definition(id)->tickSize);
    for (Side side : {Side::Buy, Side::Sell}) {
        QCOMPARE(replica.levels(side).size(), book.levelCount(side));
        for (std::size_t depth = 0; depth < book.levelCount(side); ++depth)
            QCOMPARE(replica.levels(side)[depth], book.level(side, depth));

        std::vector<std::tuple<std::uint64_t, std::int64_t, std::int64_t>> expected, actual;
        book.forEachOrder(side, [&](const Order &order) {
            expected.emplace_back(order.id.value(), order.price.value(), order.remaining.value());
        });
        replica.book().forEachOrder(side, [&](const Order &order) {
            actual.emplace_back(order.id.value(), order.price.value(), order.remaining.value());
        });
        QCOMPARE(actual, expected);
    }
    if (engine.lastTradePrice(id) != Price{0}) {
        QVERIFY(replica.lastTrade().has_value());
        QCOMPARE(replica.lastTrade()->price, engine.lastTradePrice(id));
    }
}

void compareAccount(const Engine &engine, const AccountReplica &replica)
{
    const AccountId id = replica.id();
    QCOMPARE(replica.cash(), engine.portfolio().account(id)->balance);

    std::map<OrderId, std::pair<Quantity, bool>> expected, actual;
    engine.forEachLiveOrder([&](const Order &order) {
        if (order.account != id)
            return;
        const bool parked = order.type == OrderType::Stop || order.type == OrderType::StopLimit;
        expected[order.id] = {order.remaining + order.reserve(), parked};
    });
    for (const auto &[orderId, order] : replica.workingOrders())
        actual[orderId] = {order.remaining, order.state == WorkingState::Parked};
    QCOMPARE(actual, expected);
    for (const auto &[orderId, order] : replica.workingOrders())
        QVERIFY(order.state != WorkingState::Entering);

    for (const PositionRecord &record : engine.portfolio().state().positions) {
        if (record.account != id)
            continue;
        const auto it = replica.positions().find(record.instrument);
        QVERIFY(it != replica.positions().end());
        QCOMPARE(it->second.position, record.position.quantity);
        QCOMPARE(it->second.realizedProfitAndLoss, record.position.realizedProfitAndLoss);
        QCOMPARE(it->second.feesPaid, record.position.feesPaid);
        const auto average = roundAveragePrice(averagePrice(record.position), 0);
        // A snapshot states the average rounded to a price unit, which later fills can carry.
        QVERIFY2(std::llabs(it->second.averagePrice.value() - average.value) <= 1,
                 qPrintable(QStringLiteral("average %1, portfolio %2, position %3")
                                .arg(it->second.averagePrice.value())
                                .arg(average.value)
                                .arg(record.position.quantity.value())));
    }
}

// Every followed stream is live and its replica equals the engine.
void compareAll(const Market &market, const Terminal &terminal)
{
    for (StreamKey key : market.streams()) {
        QVERIFY2(!terminal.sync.isStale(key), describe(key).c_str());
        if (key.kind == StreamKind::Instrument) {
            compareInstrument(market.engine, *terminal.sync.instrument(key.id));
        } else {
            compareAccount(market.engine, *terminal.sync.account(key.id));
        }
        if (QTest::currentTestFailed()) {
            qWarning("in %s", describe(key).c_str());
            return;
        }
    }
}

void followAll(const Market &market, Terminal &terminal)
{
    for (StreamKey key : market.streams())
        terminal.sync.follow(key);
}

} // namespace

class TestStreamSync : public QObject {
    Q_OBJECT

private slots:
    void agentMarketReplicasEqualEngine_data();
    void agentMarketReplicasEqualEngine();
    void droppedMessageResyncsStream();
    void lateJoinAppliesQueuedTail();
    void duplicatesAreDropped();
    void newInstanceResyncsEverything();
    void unfittingEventResyncsStream();
    void overflowingQueueAsksAgain();
    void staleSnapshotTakesAnother();
    void resynchronizeRequestsSnapshot();
    void randomLossesAndRepeatsHeal();
};

void TestStreamSync::agentMarketReplicasEqualEngine_data()
{
    QTest::addColumn<quint64>("seed");
    QTest::newRow("seed 7") << quint64{7};
    QTest::newRow("seed 2024") << quint64{2024};
    QTest::newRow("seed 99991") << quint64{99991};
}

void TestStreamSync::agentMarketReplicasEqualEngine()
{
    QFETCH(quint64, seed);
    Market market(seed);
    Terminal terminal;
    followAll(market, terminal);
    std::uint64_t auctionTrades = 0; // trades after an AuctionUncrossed, in its batch
    terminal.sync.setEventListener([&](StreamKey key, std::span<const Event> events) {
        bool auction = false;
        for (const Event &event : events) {
            auction = auction || std::holds_alternative<AuctionUncrossed>(event.payload);
            if (auction && key.kind == StreamKind::Instrument &&
                std::holds_alternative<Trade>(event.payload))
                ++auctionTrades;
        }
    });
    terminal.serveSnapshots(market);
    // A halt and a reopening auction, whose trades take from two resting orders, and a crash.
    run(market, terminal, 5'000);
    market.market->inject(MarketEvent{.kind = MarketEventKind::Halt, .instrument = 0});
    run(market, terminal, 2'000);
    QCOMPARE(*market.engine.status(market.engine.instruments().front()), TradingStatus::Halted);
    market.market->inject(MarketEvent{.kind = MarketEventKind::Reopen, .instrument = 0});
    market.market->inject(MarketEvent{.kind = MarketEventKind::Crash,
                                      .instrument = 1,
                                      .ticks = 30,
                                      .durationNanoseconds = 2'000'000'000});
    run(market, terminal, 13'000);

    QVERIFY(auctionTrades > 0);
    QVERIFY(market.engine.lastSequence() > 20'000);
    QVERIFY(market.engine.tradeCount() > 1000);
    compareAll(market, terminal);
    const SyncCounters &counters = terminal.sync.counters();
    qInfo("%llu engine events, %llu trades (%llu in the auction), %zu streams, %llu events "
          "applied to replicas",
          static_cast<unsigned long long>(market.engine.lastSequence()),
          static_cast<unsigned long long>(market.engine.tradeCount()),
          static_cast<unsigned long long>(auctionTrades), market.streams().size(),
          static_cast<unsigned long long>(counters.eventsApplied));
    QCOMPARE(counters.gaps, std::uint64_t{0});
    QCOMPARE(counters.mismatches, std::uint64_t{0});
    QCOMPARE(counters.snapshotsApplied, std::uint64_t{market.streams().size()});
    QVERIFY(counters.eventsApplied > 5000);
}

void TestStreamSync::droppedMessageResyncsStream()
{
    Market market(11);
    Terminal terminal;
    followAll(market, terminal);
    terminal.serveSnapshots(market);
    run(market, terminal, 500);
    const StreamKey key{StreamKind::Instrument, market.engine.instruments().front().value()};
    QVERIFY(!terminal.sync.isStale(key));

    // Drop the next message of the first instrument, and watch the stream's stale flag: it
    // turns true at the message after the gap and false once the snapshot is applied.
    std::vector<bool> staleChanges;
    terminal.sync.setStaleListener([&](StreamKey changed, bool stale) {
        if (changed == key)
            staleChanges.push_back(stale);
    });
    bool dropped = false;
    bool staleSeen = false;
    for (int step = 0; step < 500; ++step) {
        stepOnce(market, terminal, dropFirstOfInstrument(market, dropped));
        if (terminal.sync.isStale(key))
            staleSeen = true;
        terminal.serveSnapshots(market);
        QVERIFY(!terminal.sync.isStale(key));
    }

    QVERIFY(dropped);
    QVERIFY(staleSeen);
    QCOMPARE(staleChanges, (std::vector<bool>{true, false}));
    QCOMPARE(terminal.sync.counters().gaps, std::uint64_t{1});
    compareAll(market, terminal);
}

void TestStreamSync::lateJoinAppliesQueuedTail()
{
    Market market(13);
    run(market, *std::make_unique<Terminal>(), 300); // the market runs before the terminal joins
    Terminal terminal;
    followAll(market, terminal);

    // Subscribed: messages queue. The snapshot is taken after 50 steps and arrives 50 steps
    // later, so the queue contains messages both before and after what it covers.
    const auto deliverAll = [&] {
        for (const WireMessage &wire : market.publisher.take())
            terminal.deliver(wire);
    };
    for (int step = 0; step < 50; ++step) {
        market.market->step();
        deliverAll();
    }
    std::vector<std::vector<std::uint8_t>> parts;
    for (StreamKey key : terminal.sync.takeSnapshotRequests()) {
        for (auto &part : market.snapshot(key))
            parts.push_back(std::move(part));
    }
    for (int step = 0; step < 50; ++step) {
        market.market->step();
        deliverAll();
    }
    QVERIFY(terminal.sync.isStale({StreamKind::Instrument, 1}));
    for (const auto &part : parts)
        terminal.deliverPart(part);

    const SyncCounters &counters = terminal.sync.counters();
    QVERIFY(counters.duplicatesDropped > 0); // queued messages the snapshot covered
    QVERIFY(counters.eventsApplied > 0);     // queued messages after it
    QCOMPARE(counters.gaps, std::uint64_t{0});
    run(market, terminal, 200);
    compareAll(market, terminal);
}

void TestStreamSync::duplicatesAreDropped()
{
    Market market(17);
    Terminal terminal;
    followAll(market, terminal);
    terminal.serveSnapshots(market);
    for (int step = 0; step < 1000; ++step) {
        market.market->step();
        for (const WireMessage &wire : market.publisher.take()) {
            terminal.deliver(wire);
            terminal.deliver(wire);
        }
    }
    QVERIFY(terminal.sync.counters().duplicatesDropped > 500);
    QCOMPARE(terminal.sync.counters().gaps, std::uint64_t{0});
    compareAll(market, terminal);
}

void TestStreamSync::newInstanceResyncsEverything()
{
    auto first = std::make_unique<Market>(19);
    Terminal terminal;
    followAll(*first, terminal);
    terminal.serveSnapshots(*first);
    run(*first, terminal, 800);
    compareAll(*first, terminal);

    // A restarted server numbers every stream from 1 again; without forgetAll its first
    // messages would be dropped as duplicates.
    Market second(23);
    const StreamKey key{StreamKind::Instrument, first->engine.instruments().front().value()};
    const auto oldAnswer = first->snapshot(key);
    terminal.sync.forgetAll();
    for (StreamKey stream : second.streams())
        QVERIFY(terminal.sync.isStale(stream));
    // A response of the old instance that arrives late is ignored.
    for (const auto &part : oldAnswer)
        terminal.deliverPart(part);
    QVERIFY(terminal.sync.isStale(key));
    terminal.serveSnapshots(second);
    run(second, terminal, 300);
    QCOMPARE(terminal.sync.counters().instanceChanges, std::uint64_t{1});
    compareAll(second, terminal);
}

void TestStreamSync::unfittingEventResyncsStream()
{
    Market market(29);
    Terminal terminal;
    followAll(market, terminal);
    terminal.serveSnapshots(market);
    run(market, terminal, 300);

    // A message with the right number whose trade names an order that is not in the book.
    const StreamKey key{StreamKind::Instrument, market.engine.instruments().front().value()};
    WireMessage forged{topicOf(key.kind, key.id), {}};
    BatchWriter writer(forged.bytes);
    writer.beginMarketData(InstrumentId{key.id}, market.publisher.lastSequence(key) + 1);
    writer.append(Event{market.engine.lastSequence() + 1, Timestamp{}, InstrumentId{key.id},
                        Trade{OrderId{999'999'999},
                              OrderId{},
                              Side::Buy,
                              Price{100},
                              Quantity{1},
                              Quantity{0},
                              {},
                              {}}});
    writer.finish();
    terminal.deliver(forged);
    QVERIFY(terminal.sync.isStale(key));
    QCOMPARE(terminal.sync.counters().mismatches, std::uint64_t{1});
    QVERIFY2(terminal.sync.lastMismatch().find("maker order 999999999 is not in the book") !=
                 std::string::npos,
             terminal.sync.lastMismatch().c_str());

    // The server's real message with that number follows, and looks like a duplicate; the
    // snapshot brings the stream back.
    terminal.serveSnapshots(market);
    run(market, terminal, 300);
    compareAll(market, terminal);
}

void TestStreamSync::overflowingQueueAsksAgain()
{
    Market market(31);
    Terminal terminal(8);
    followAll(market, terminal);
    const std::size_t first = terminal.sync.takeSnapshotRequests().size();
    QCOMPARE(first, market.streams().size());

    // No snapshot arrives while 200 steps publish: each queue stays within 8 messages.
    for (int step = 0; step < 200; ++step) {
        market.market->step();
        for (const WireMessage &wire : market.publisher.take())
            terminal.deliver(wire);
    }
    QVERIFY(terminal.sync.counters().queueOverflows > 0);
    QVERIFY(terminal.sync.counters().queuedDropped >= 8);
    QVERIFY(!terminal.sync.takeSnapshotRequests().empty());
    terminal.sync.forgetAll(); // every stream requests, so the next serve covers all
    terminal.serveSnapshots(market);
    run(market, terminal, 200);
    compareAll(market, terminal);
}

void TestStreamSync::staleSnapshotTakesAnother()
{
    Market market(37);
    Terminal terminal;
    followAll(market, terminal);
    const StreamKey key{StreamKind::Instrument, market.engine.instruments().front().value()};
    // A snapshot taken now, while the queue then loses the first message after it: applying
    // it leaves a gap in the queue, so the stream requests another.
    std::vector<std::vector<std::uint8_t>> parts;
    for (StreamKey requested : terminal.sync.takeSnapshotRequests()) {
        for (auto &part : market.snapshot(requested))
            if (requested == key)
                parts.push_back(std::move(part));
    }
    bool dropped = false;
    for (int step = 0; step < 100; ++step)
        stepOnce(market, terminal, dropFirstOfInstrument(market, dropped));
    for (const auto &part : parts)
        terminal.deliverPart(part);
    QVERIFY(terminal.sync.isStale(key));
    QCOMPARE(terminal.sync.counters().gaps, std::uint64_t{1});
    const auto again = terminal.sync.takeSnapshotRequests();
    QCOMPARE(again, (std::vector<StreamKey>{key}));
    for (const auto &part : market.snapshot(key))
        terminal.deliverPart(part);
    QVERIFY(!terminal.sync.isStale(key));
    compareInstrument(market.engine, *terminal.sync.instrument(key.id));
}

void TestStreamSync::resynchronizeRequestsSnapshot()
{
    Market market(41);
    Terminal terminal;
    followAll(market, terminal);
    terminal.serveSnapshots(market);
    run(market, terminal, 200);
    const StreamKey key{StreamKind::Account, market.streams().back().id};
    QVERIFY(!terminal.sync.isStale(key));

    terminal.sync.resynchronize(key);
    QVERIFY(terminal.sync.isStale(key));
    QCOMPARE(terminal.sync.counters().gaps, std::uint64_t{1});
    QCOMPARE(terminal.sync.takeSnapshotRequests(), (std::vector<StreamKey>{key}));
    for (const auto &part : market.snapshot(key))
        terminal.deliverPart(part);
    QVERIFY(!terminal.sync.isStale(key));
    run(market, terminal, 200);
    compareAll(market, terminal);
}

// About 2% of the messages lost and 2% repeated, at random over every stream, with each
// snapshot built at one step and delivered at the next: after the losses stop, every stream
// heals and equals the engine.
void TestStreamSync::randomLossesAndRepeatsHeal()
{
    Market market(43);
    Terminal terminal;
    followAll(market, terminal);
    std::mt19937_64 random(43);
    std::vector<std::vector<std::uint8_t>> inFlight;
    const auto step = [&](bool lossy) {
        market.market->step();
        for (const WireMessage &wire : market.publisher.take()) {
            const auto draw = random() % 100;
            if (lossy && draw < 2)
                continue;
            terminal.deliver(wire);
            if (lossy && draw >= 98)
                terminal.deliver(wire);
        }
        for (const auto &part : std::exchange(inFlight, {}))
            terminal.deliverPart(part);
        for (StreamKey key : terminal.sync.takeSnapshotRequests()) {
            for (auto &part : market.snapshot(key))
                inFlight.push_back(std::move(part));
        }
    };
    for (int index = 0; index < 10'000; ++index)
        step(true);
    for (int index = 0; index < 500; ++index)
        step(false);

    const SyncCounters &counters = terminal.sync.counters();
    qInfo("%llu gaps, %llu duplicates dropped, %llu snapshots applied",
          static_cast<unsigned long long>(counters.gaps),
          static_cast<unsigned long long>(counters.duplicatesDropped),
          static_cast<unsigned long long>(counters.snapshotsApplied));
    QVERIFY(counters.gaps > 100);
    QVERIFY(counters.duplicatesDropped > 100);
    QCOMPARE(counters.mismatches, std::uint64_t{0});
    compareAll(market, terminal);
}

QTEST_GUILESS_MAIN(TestStreamSync)
#include "tst_stream_sync.moc"

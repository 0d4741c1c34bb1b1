// buildSnapshot: a book too big for one message splits into parts under the protocol's limit,
// and every part decodes. A replica built from the parts equals the engine's book, and a part
// that arrives out of number makes the synchronizer request the snapshot again.

#include "stream_snapshot.h"
#include "stream_sync.h"
#include "tst_stream_sync_publisher.h"

#include <QElapsedTimer>
#include <QTest>

using namespace bourse;
using namespace bourse::net;

namespace {

constexpr InstrumentId kInstrument{1};
// 30'000 OrderAdded records of 50 bytes each are about 1.5 MB: two parts at least.
constexpr int kOrdersPerSide = 15'000;

// A single-book engine with kOrdersPerSide resting orders a side, over 300 price levels.
void fillBook(Engine &engine)
{
    Timestamp time{1};
    for (int index = 0; index < kOrdersPerSide; ++index) {
        const auto quantity = Quantity{1 + index % 9};
        engine.submit(NewOrder{.side = Side::Buy,
                               .limit = Price{10'000 - index % 300},
                               .quantity = quantity,
                               .instrument = kInstrument},
                      time);
        engine.submit(NewOrder{.side = Side::Sell,
                               .limit = Price{10'001 + index % 300},
                               .quantity = quantity,
                               .instrument = kInstrument},
                      time);
    }
}

std::vector<Message> encodeAndDecode(const std::vector<SnapshotPart> &parts)
{
    std::vector<Message> decoded;
    for (std::size_t index = 0; index < parts.size(); ++index) {
        Message message;
        message.header.sequence = index + 1;
        message.header.flags = index + 1 == parts.size() ? kLastPartFlag : 0;
        message.body = parts[index];
        std::vector<std::uint8_t> bytes;
        encodeMessage(message, bytes);
        [&] { QVERIFY(bytes.size() <= kHeaderSize + kMaximumPayloadSize); }();
        Message back;
        const auto error = decodeMessage(bytes, back);
        [&] { QVERIFY2(!error, error ? describe(*error).c_str() : ""); }();
        decoded.push_back(std::move(back));
    }
    return decoded;
}

} // namespace

class TestStreamSnapshot : public QObject {
    Q_OBJECT

private slots:
    void bigBookSplitsIntoParts();
    void partOutOfNumberAsksAgain();
    void unknownStreamGivesEmptyPart();
    void accountSnapshotThenLiveEvents();
};

void TestStreamSnapshot::bigBookSplitsIntoParts()
{
    Engine engine(kInstrument);
    fillBook(engine);
    QElapsedTimer timer;
    timer.start();
    const auto parts = buildSnapshot(engine, {StreamKind::Instrument, 1}, 77);
    const qint64 buildNanoseconds = timer.nsecsElapsed();
    QVERIFY(parts.size() >= 2);
    qInfo("%d resting orders: %zu parts, built in %.2f ms", 2 * kOrdersPerSide, parts.size(),
          static_cast<double>(buildNanoseconds) / 1e6);

    std::size_t events = 0;
    for (const SnapshotPart &part : parts) {
        QVERIFY(encodedPayloadSize(part) <= kMaximumPayloadSize);
        QCOMPARE(part.coversSequence, std::uint64_t{77});
        QCOMPARE(part.eventSequence, engine.lastSequence());
        events += part.events.size();
    }
    // InstrumentAdded, TradingStatusChanged, every order, TopOfBook; no trade has happened.
    QCOMPARE(events, std::size_t{2 * kOrdersPerSide + 3});

    InstrumentReplica replica(kInstrument);
    for (const Message &message : encodeAndDecode(parts)) {
        for (const Event &event : std::get<SnapshotPart>(message.body).events)
            QVERIFY2(replica.apply(event), replica.mismatch().c_str());
    }
    for (Side side : {Side::Buy, Side::Sell}) {
        QCOMPARE(replica.levels(side).size(), std::size_t{300});
        for (std::size_t depth = 0; depth < 300; ++depth)
            QCOMPARE(replica.levels(side)[depth], engine.book().level(side, depth));
    }
    QCOMPARE(replica.orderCount(), engine.liveOrderCount());
}

void TestStreamSnapshot::partOutOfNumberAsksAgain()
{
    Engine engine(kInstrument);
    fillBook(engine);
    const StreamKey key{StreamKind::Instrument, 1};
    const auto messages = encodeAndDecode(buildSnapshot(engine, key, 5));
    QVERIFY(messages.size() >= 2);

    StreamSynchronizer sync;
    sync.follow(key);
    QCOMPARE(sync.takeSnapshotRequests().size(), std::size_t{1});
    // The second part first: the first went missing as far as the receiver can tell.
    sync.onSnapshotPart(messages[1]);
    QCOMPARE(sync.counters().lostParts, std::uint64_t{1});
    QCOMPARE(sync.takeSnapshotRequests(), (std::vector<StreamKey>{key}));
    for (std::size_t index = 2; index < messages.size(); ++index)
        sync.onSnapshotPart(messages[index]);
    QCOMPARE(sync.counters().lostParts, std::uint64_t{1}); // the rest is ignored, not recounted
    QVERIFY(sync.isStale(key));

    for (const Message &message : messages)
        sync.onSnapshotPart(message);
    QVERIFY(!sync.isStale(key));
    QCOMPARE(sync.counters().snapshotsApplied, std::uint64_t{1});
    QCOMPARE(sync.instrument(1)->levels(Side::Sell).front(), engine.book().level(Side::Sell, 0));
}

void TestStreamSnapshot::unknownStreamGivesEmptyPart()
{
    Engine engine(kInstrument);
    const auto instrument = buildSnapshot(engine, {StreamKind::Instrument, 9}, 0);
    QCOMPARE(instrument.size(), std::size_t{1});
    QVERIFY(instrument.front().events.empty());
    const auto account = buildSnapshot(engine, {StreamKind::Account, 9}, 0);
    QCOMPARE(account.size(), std::size_t{1});
    QVERIFY(account.front().events.empty());
}

// An account with a resting order, an iceberg, a parked stop, a position, limits, an override
// and an engaged kill switch: its snapshot rebuilds all of them. Live events that follow (a
// fill of the iceberg's slice and its refill, the stop triggering, a cancel) apply on top.
void TestStreamSnapshot::accountSnapshotThenLiveEvents()
{
    constexpr AccountId kTrader{5};
    constexpr AccountId kOther{6};
    Engine engine;
    testing::TestPublisher publisher;
    engine.addHandler(&publisher);
    InstrumentDefinition definition;
    definition.id = kInstrument;
    definition.currency = {'U', 'S', 'D', 0};
    Timestamp time{1};
    engine.addInstrument(definition, time);
    for (AccountId id : {kTrader, kOther}) {
        AccountSettings settings;
        settings.id = id;
        settings.currency = definition.currency;
        settings.type = AccountType::Margin;
        engine.openAccount(settings, Money{10'000'000}, time);
    }
    RiskLimits limits;
    limits.maximumOrderQuantity = Quantity{1000};
    engine.setRiskLimits(kTrader, limits, time);
    RiskLimits override;
    override.maximumOrderQuantity = Quantity{500};
    engine.setRiskOverrides(kTrader, kInstrument, override,
                            static_cast<std::uint16_t>(RiskLimitField::OrderQuantity), time);

    // The trader buys 30 at 100 from the other account: position 30.
    engine.submit(NewOrder{.side = Side::Sell,
                           .limit = Price{100},
                           .quantity = Quantity{30},
                           .instrument = kInstrument,
                           .account = kOther},
                  time);
    engine.submit(NewOrder{.side = Side::Buy,
                           .limit = Price{100},
                           .quantity = Quantity{30},
                           .instrument = kInstrument,
                           .account = kTrader},
                  time);
    // Resting: a bid of 10 at 95 and an iceberg offer of 40 showing 10 at 110. Parked: a buy
    // stop of 5 at 120.
    const OrderId bid = engine.submit(NewOrder{.side = Side::Buy,
                                               .limit = Price{95},
                                               .quantity = Quantity{10},
                                               .instrument = kInstrument,
                                               .account = kTrader},
                                      time);
    const OrderId iceberg = engine.submit(NewOrder{.side = Side::Sell,
                                                   .limit = Price{110},
                                                   .quantity = Quantity{40},
                                                   .instrument = kInstrument,
                                                   .account = kTrader,
                                                   .displayQuantity = Quantity{10}},
                                          time);
    engine.submit(NewOrder{.side = Side::Buy,
                           .quantity = Quantity{5},
                           .type = OrderType::Stop,
                           .instrument = kInstrument,
                           .account = kTrader,
                           .stopPrice = Price{110}},
                  time);
    engine.engageKillSwitch(AccountId{}, KillSwitchScope::Pause, time);
    engine.resetKillSwitch(AccountId{}, time);
    engine.engageKillSwitch(kTrader, KillSwitchScope::Pause, time);

    const StreamKey key{StreamKind::Account, kTrader.value()};
    StreamSynchronizer sync;
    sync.follow(key);
    QCOMPARE(sync.takeSnapshotRequests().size(), std::size_t{1});
    publisher.take();
    for (const Message &message :
         encodeAndDecode(buildSnapshot(engine, key, publisher.lastSequence(key))))
        sync.onSnapshotPart(message);
    QVERIFY(!sync.isStale(key));
    const AccountReplica &replica = *sync.account(kTrader.value());
    QCOMPARE(replica.mismatch(), std::string{});
    QCOMPARE(replica.workingOrders().size(), std::size_t{3});
    QCOMPARE(replica.workingOrders().at(iceberg).remaining, Quantity{40});
    QCOMPARE(replica.workingOrders().at(iceberg).accepted.displayQuantity, Quantity{10});
    QCOMPARE(replica.workingOrders().at(bid).state, WorkingState::Resting);
    QCOMPARE(replica.positions().at(kInstrument).position, Quantity{30});
    QCOMPARE(replica.positions().at(kInstrument).averagePrice, Price{100});
    QCOMPARE(replica.cash(), engine.portfolio().account(kTrader)->balance);
    QCOMPARE(replica.killSwitch(), KillSwitchScope::Pause);
    QCOMPARE(replica.globalKillSwitch(), KillSwitchScope::None);
    QCOMPARE(replica.riskLimits().at(InstrumentId{}).limits, limits);
    QCOMPARE(replica.riskLimits().at(kInstrument).overridden,
             static_cast<std::uint16_t>(RiskLimitField::OrderQuantity));

    // Live: the other account takes 15 from the iceberg at 110 (a slice of 10, a refill, 5
    // more), which triggers the trader's stop. Then the trader's bid is cancelled.
    engine.resetKillSwitch(kTrader, time);
    engine.submit(NewOrder{.side = Side::Buy,
                           .limit = Price{110},
                           .quantity = Quantity{15},
                           .instrument = kInstrument,
                           .account = kOther},
                  time);
    engine.cancel(bid, time);
    for (const testing::WireMessage &wire : publisher.take()) {
        Message message;
        QVERIFY(!decodePublished(wire.topic, wire.bytes, message));
        sync.onPublished(message);
    }
    QVERIFY2(!sync.isStale(key), replica.mismatch().c_str());
    QCOMPARE(sync.counters().mismatches, std::uint64_t{0});
    QCOMPARE(replica.killSwitch(), KillSwitchScope::None);
    QVERIFY(replica.workingOrders().find(bid) == replica.workingOrders().end());

    std::map<OrderId, Quantity> expected;
    engine.forEachLiveOrder([&](const Order &order) {
        if (order.account == kTrader)
            expected[order.id] = order.remaining + order.reserve();
    });
    std::map<OrderId, Quantity> actual;
    for (const auto &[id, order] : replica.workingOrders())
        actual[id] = order.remaining;
    QCOMPARE(actual, expected);
    QCOMPARE(replica.workingOrders().at(iceberg).remaining, Quantity{25});
    const Position &position = *engine.portfolio().position(kTrader, kInstrument);
    QCOMPARE(replica.positions().at(kInstrument).position, position.quantity);
    QCOMPARE(replica.positions().at(kInstrument).realizedProfitAndLoss,
             position.realizedProfitAndLoss);
    QCOMPARE(replica.cash(), engine.portfolio().account(kTrader)->balance);
}

QTEST_GUILESS_MAIN(TestStreamSnapshot)
#include "tst_stream_snapshot.moc"

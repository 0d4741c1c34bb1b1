// Client order ids are idempotent per account for the engine's whole life: a repeat of a
// command gets the first answer and changes nothing, across snapshots and restores too.

#include "engine.h"
#include "engine_printers.h"
#include "engine_test_support.h"

#include <QTest>

#include <functional>
#include <vector>

using namespace bourse;
using test::EngineRecorder;
using test::fieldsOf;
using test::limitOrder;
using test::withAccount;

Q_DECLARE_METATYPE(bourse::NewOrder)

namespace {

constexpr InstrumentId kFirst{1};
constexpr InstrumentId kSecond{2};
constexpr AccountId kBuyer{11};
constexpr AccountId kSeller{12};

InstrumentDefinition definitionOf(InstrumentId id)
{
    InstrumentDefinition definition;
    definition.id = id;
    return definition;
}

// Two trading instruments with tick 1 and lot 1.
void addInstruments(Engine &engine)
{
    engine.addInstrument(definitionOf(kFirst), Timestamp{0});
    engine.addInstrument(definitionOf(kSecond), Timestamp{0});
}

// The buy of 10 at 100 that every test repeats: account kBuyer, client order id 1, an id the
// engine assigns.
NewOrder buyTen()
{
    NewOrder order = limitOrder(0, Side::Buy, 10, 100);
    order.account = kBuyer;
    order.clientOrderId = ClientOrderId{1};
    return order;
}

// The quantity an account bought minus what it sold, from the trades among the events.
std::int64_t positionOf(const std::vector<Event> &events, AccountId account)
{
    std::int64_t position = 0;
    for (const Event &event : events) {
        const auto *trade = std::get_if<Trade>(&event.payload);
        if (!trade)
            continue;
        const bool makerBuys = trade->aggressor == Side::Sell;
        if (trade->makerAccount == account)
            position += makerBuys ? trade->quantity.value() : -trade->quantity.value();
        if (trade->takerAccount == account)
            position += makerBuys ? -trade->quantity.value() : trade->quantity.value();
    }
    return position;
}

// A fresh engine loaded from the snapshot of `engine`.
std::unique_ptr<Engine> reloaded(const Engine &engine)
{
    auto loaded = std::make_unique<Engine>();
    const std::vector<std::uint8_t> bytes = engine.snapshot();
    if (const auto error = Engine::loadSnapshot(bytes, *loaded))
        qFatal("snapshot did not load: %s", error->message.c_str());
    return loaded;
}

} // namespace

class IdempotencyTest : public QObject {
    Q_OBJECT

private slots:
    void repeatAfterSnapshotChangesNothing_data();
    void repeatAfterSnapshotChangesNothing();
    void repeatAfterOrderLeft_data();
    void repeatAfterOrderLeft();
    void repeatWithOtherContentIsRejected_data();
    void repeatWithOtherContentIsRejected();
    void repeatNamingAnotherOrderIdGetsFirstId();
    void repeatOfPrimaryByItsIdMatches();
    void sameClientIdInTwoAccounts();
    void repeatOfRejectedCommand_data();
    void repeatOfRejectedCommand();
    void repeatExpiresNothing();
    void answerOfUnknownClientId();
    void recordsArePartOfStateHash();
    void restoreRebuildsRecords();
    void restoreOfReusedIdKeepsLaterAnswer();
};

// A buy of 10 with client order id 1 trades or rests. A snapshot is taken and loaded into a
// fresh engine, and the same buy arrives again. The loaded engine returns the first answer and
// publishes nothing, so the buyer's position stays 10 and no second order rests.
void IdempotencyTest::repeatAfterSnapshotChangesNothing_data()
{
    QTest::addColumn<bool>("filled");
    QTest::newRow("filled before the snapshot") << true;
    QTest::newRow("resting at the snapshot") << false;
}

void IdempotencyTest::repeatAfterSnapshotChangesNothing()
{
    QFETCH(bool, filled);

    Engine original;
    EngineRecorder before;
    original.addHandler(&before);
    addInstruments(original);
    if (filled)
        original.submit(withAccount(limitOrder(0, Side::Sell, 10, 100), kSeller.value()),
                        Timestamp{1});
    const OrderId first = original.submit(buyTen(), Timestamp{2});
    const std::int64_t expectedPosition = filled ? 10 : 0;
    QCOMPARE(positionOf(before.events, kBuyer), expectedPosition);
    SequenceNumber acceptedAt = 0;
    for (const Event &event : before.events) {
        const auto *accepted = std::get_if<OrderAccepted>(&event.payload);
        if (accepted && accepted->id == first)
            acceptedAt = event.sequence;
    }
    QVERIFY(acceptedAt != 0);

    std::unique_ptr<Engine> restarted = reloaded(original);
    EngineRecorder after(*restarted);
    restarted->addHandler(&after);
    const std::uint64_t hashBefore = restarted->stateHash();
    const OrderId repeated = restarted->submit(buyTen(), Timestamp{3});

    QCOMPARE(repeated, first);
    QVERIFY(after.events.empty());
    QCOMPARE(after.commandEnds, 1);
    QCOMPARE(restarted->stateHash(), hashBefore);
    QCOMPARE(restarted->lastSequence(), original.lastSequence());
    QCOMPARE(positionOf(after.events, kBuyer), 0);
    QCOMPARE(restarted->book(kFirst)->orderCount(), filled ? 0u : 1u);
    QCOMPARE(restarted->book(kFirst)->quantityAt(Side::Buy, Price{100}), Quantity{filled ? 0 : 10});

    const std::optional<ClientOrderAnswer> answer =
        restarted->clientOrderAnswer(kBuyer, ClientOrderId{1});
    QVERIFY(answer.has_value());
    QCOMPARE(answer->id, first);
    QCOMPARE(answer->outcome, ClientOrderOutcome::Accepted);
    QCOMPARE(answer->sequence, acceptedAt);
}

// Once the order has left the book, its client order id still names it: a repeat returns its
// id and enters no new order.
void IdempotencyTest::repeatAfterOrderLeft_data()
{
    QTest::addColumn<int>("way");
    QTest::newRow("filled") << 0;
    QTest::newRow("cancelled") << 1;
    QTest::newRow("cancelled in bulk") << 2;
    QTest::newRow("replaced and then filled") << 3;
}

void IdempotencyTest::repeatAfterOrderLeft()
{
    QFETCH(int, way);

    Engine engine;
    addInstruments(engine);
    const OrderId first = engine.submit(buyTen(), Timestamp{1});
    switch (way) {
    case 0:
        engine.submit(withAccount(limitOrder(0, Side::Sell, 10, 100), kSeller.value()),
                      Timestamp{2});
        break;
    case 1:
        engine.cancel(first, Timestamp{2});
        break;
    case 2:
        engine.massCancel(MassCancel{kBuyer, {}}, Timestamp{2});
        break;
    default:
        engine.replace(ReplaceOrder{first, Price{101}, Quantity{4}, {}}, Timestamp{2});
        engine.submit(withAccount(limitOrder(0, Side::Sell, 4, 101), kSeller.value()),
                      Timestamp{2});
        break;
    }
    QCOMPARE(engine.findOrder(first), nullptr);

    EngineRecorder recorder(engine);
    engine.addHandler(&recorder);
    const std::uint64_t hashBefore = engine.stateHash();
    QCOMPARE(engine.submit(buyTen(), Timestamp{3}), first);

    QVERIFY(recorder.events.empty());
    QCOMPARE(engine.stateHash(), hashBefore);
    QCOMPARE(engine.liveOrderCount(), 0u);
}

// A repeat that changes any field of the command is rejected as a duplicate. The rejection
// changes nothing but the sequence number, and the recorded answer stays the first one.
void IdempotencyTest::repeatWithOtherContentIsRejected_data()
{
    QTest::addColumn<NewOrder>("order");

    const auto changed = [](const std::function<void(NewOrder &)> &change) {
        NewOrder order = buyTen();
        change(order);
        return order;
    };
    QTest::newRow("side") << changed([](NewOrder &o) { o.side = Side::Sell; });
    QTest::newRow("limit price") << changed([](NewOrder &o) { o.limit = Price{99}; });
    QTest::newRow("quantity") << changed([](NewOrder &o) { o.quantity = Quantity{11}; });
    QTest::newRow("instrument") << changed([](NewOrder &o) { o.instrument = kSecond; });
    QTest::newRow("unknown instrument")
        << changed([](NewOrder &o) { o.instrument = InstrumentId{77}; });
    QTest::newRow("time in force")
        << changed([](NewOrder &o) { o.timeInForce = TimeInForce::Day; });
    QTest::newRow("expiry") << changed([](NewOrder &o) {
        o.timeInForce = TimeInForce::Gtd;
        o.expiry = Timestamp{1000};
    });
    QTest::newRow("post-only") << changed([](NewOrder &o) { o.liquidity = Liquidity::PostOnly; });
    QTest::newRow("display size") << changed([](NewOrder &o) { o.displayQuantity = Quantity{2}; });
    QTest::newRow("self-trade prevention")
        << changed([](NewOrder &o) { o.selfTradePrevention = SelfTradePrevention::CancelBoth; });
    QTest::newRow("stop-limit") << changed([](NewOrder &o) {
        o.type = OrderType::StopLimit;
        o.stopPrice = Price{120};
    });
    QTest::newRow("market") << changed([](NewOrder &o) { o.type = OrderType::Market; });
}

void IdempotencyTest::repeatWithOtherContentIsRejected()
{
    QFETCH(NewOrder, order);

    Engine engine;
    addInstruments(engine);
    const OrderId first = engine.submit(buyTen(), Timestamp{1});
    const std::uint64_t bookBefore = engine.book(kFirst)->stateHash();
    const ClientOrderAnswer answerBefore = *engine.clientOrderAnswer(kBuyer, ClientOrderId{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    const OrderId rejectedId = engine.submit(order, Timestamp{2});

    QCOMPARE(recorder.types(), std::vector<EventType>{EventType::OrderRejected});
    const OrderRejected rejected = recorder.all<OrderRejected>()[0];
    QCOMPARE(rejected.reason, RejectReason::DuplicateClientOrderId);
    QCOMPARE(rejected.clientOrderId, ClientOrderId{1});
    QCOMPARE(rejected.account, kBuyer);
    QCOMPARE(rejected.id, rejectedId);
    QVERIFY(rejectedId != first);
    QCOMPARE(engine.liveOrderCount(), 1u);
    QCOMPARE(engine.book(kFirst)->stateHash(), bookBefore);
    QCOMPARE(engine.book(kSecond)->orderCount(), 0u);
    const ClientOrderAnswer answer = *engine.clientOrderAnswer(kBuyer, ClientOrderId{1});
    QCOMPARE(answer.id, answerBefore.id);
    QCOMPARE(answer.sequence, answerBefore.sequence);
    QCOMPARE(answer.outcome, ClientOrderOutcome::Accepted);
}

// The order id is part of the answer, not of the command: a repeat that names an id gets the
// first order's id back.
void IdempotencyTest::repeatNamingAnotherOrderIdGetsFirstId()
{
    Engine engine;
    addInstruments(engine);
    const OrderId first = engine.submit(buyTen(), Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    NewOrder named = buyTen();
    named.id = OrderId{500};
    QCOMPARE(engine.submit(named, Timestamp{2}), first);
    QVERIFY(recorder.events.empty());
    QCOMPARE(engine.findOrder(OrderId{500}), nullptr);
}

// Instrument zero names the primary instrument, so it and the primary's own id are one command.
void IdempotencyTest::repeatOfPrimaryByItsIdMatches()
{
    Engine engine;
    addInstruments(engine);
    const OrderId first = engine.submit(buyTen(), Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    NewOrder explicitInstrument = buyTen();
    explicitInstrument.instrument = kFirst;
    QCOMPARE(engine.submit(explicitInstrument, Timestamp{2}), first);
    QVERIFY(recorder.events.empty());
}

void IdempotencyTest::sameClientIdInTwoAccounts()
{
    Engine engine;
    addInstruments(engine);
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    const OrderId first = engine.submit(buyTen(), Timestamp{1});
    NewOrder otherAccount = buyTen();
    otherAccount.account = kSeller;
    const OrderId second = engine.submit(otherAccount, Timestamp{1});

    QCOMPARE(recorder.all<OrderAccepted>().size(), 2u);
    QVERIFY(recorder.all<OrderRejected>().empty());
    QVERIFY(first != second);
    QCOMPARE(engine.clientOrderAnswer(kBuyer, ClientOrderId{1})->id, first);
    QCOMPARE(engine.clientOrderAnswer(kSeller, ClientOrderId{1})->id, second);
    QCOMPARE(engine.clientOrderCount(), 2u);
}

// OrderRejected does not carry the command, so a rejected first command answers every repeat
// with its rejection, whatever the repeat contains.
void IdempotencyTest::repeatOfRejectedCommand_data()
{
    QTest::addColumn<NewOrder>("repeat");

    NewOrder invalid = buyTen();
    invalid.quantity = Quantity{0};
    QTest::newRow("same content") << invalid;
    QTest::newRow("content that would be accepted") << buyTen();
}

void IdempotencyTest::repeatOfRejectedCommand()
{
    QFETCH(NewOrder, repeat);

    Engine engine;
    addInstruments(engine);
    EngineRecorder recorder;
    engine.addHandler(&recorder);
    NewOrder invalid = buyTen();
    invalid.quantity = Quantity{0};
    const OrderId first = engine.submit(invalid, Timestamp{1});
    QCOMPARE(recorder.types(), std::vector<EventType>{EventType::OrderRejected});
    const SequenceNumber rejectedAt = recorder.events[0].sequence;

    recorder.clear();
    const std::uint64_t hashBefore = engine.stateHash();
    QCOMPARE(engine.submit(repeat, Timestamp{2}), first);
    QVERIFY(recorder.events.empty());
    QCOMPARE(engine.stateHash(), hashBefore);
    QCOMPARE(engine.liveOrderCount(), 0u);

    const ClientOrderAnswer answer = *engine.clientOrderAnswer(kBuyer, ClientOrderId{1});
    QCOMPARE(answer.outcome, ClientOrderOutcome::Rejected);
    QCOMPARE(answer.reason, RejectReason::InvalidQuantity);
    QCOMPARE(answer.id, first);
    QCOMPARE(answer.sequence, rejectedAt);
}

// A repeat changes nothing, not even the expiry of a GTD order its time has reached; the next
// command expires it.
void IdempotencyTest::repeatExpiresNothing()
{
    Engine engine;
    addInstruments(engine);
    NewOrder gtd = limitOrder(0, Side::Sell, 5, 110);
    gtd.timeInForce = TimeInForce::Gtd;
    gtd.expiry = Timestamp{50};
    const OrderId expiring = engine.submit(gtd, Timestamp{1});
    engine.submit(buyTen(), Timestamp{2});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.submit(buyTen(), Timestamp{60});
    QVERIFY(recorder.events.empty());
    QVERIFY(engine.findOrder(expiring) != nullptr);

    engine.advanceTime(Timestamp{60});
    QCOMPARE(recorder.all<OrderCancelled>().size(), 1u);
    QCOMPARE(recorder.all<OrderCancelled>()[0].reason, CancelReason::Expired);
}

void IdempotencyTest::answerOfUnknownClientId()
{
    Engine engine;
    addInstruments(engine);
    engine.submit(buyTen(), Timestamp{1});
    engine.submit(limitOrder(0, Side::Buy, 10, 100), Timestamp{1}); // no client order id

    QVERIFY(!engine.clientOrderAnswer(kBuyer, ClientOrderId{2}).has_value());
    QVERIFY(!engine.clientOrderAnswer(kSeller, ClientOrderId{1}).has_value());
    QVERIFY(!engine.clientOrderAnswer(AccountId{}, ClientOrderId{0}).has_value());
    QCOMPARE(engine.clientOrderCount(), 1u);
}

// Two engines that published the same event kinds but differ in one recorded answer have
// different state hashes.
void IdempotencyTest::recordsArePartOfStateHash()
{
    NewOrder withId = buyTen();
    withId.quantity = Quantity{0};
    NewOrder withoutId = withId;
    withoutId.clientOrderId = ClientOrderId{};

    Engine recorded;
    addInstruments(recorded);
    recorded.submit(withId, Timestamp{1});
    Engine unrecorded;
    addInstruments(unrecorded);
    unrecorded.submit(withoutId, Timestamp{1});

    QCOMPARE(recorded.lastSequence(), unrecorded.lastSequence());
    QCOMPARE(recorded.liveOrderCount(), unrecorded.liveOrderCount());
    QVERIFY(recorded.stateHash() != unrecorded.stateHash());
}

// A journal's events rebuild every record: accepted and filled, accepted and resting,
// rejected, and a repeat rejected as a duplicate, which must not replace the first answer. The
// restored engine then recognises repeats exactly as the original does.
void IdempotencyTest::restoreRebuildsRecords()
{
    Engine original;
    EngineRecorder recorder(original);
    original.addHandler(&recorder);
    addInstruments(original);
    original.submit(withAccount(limitOrder(0, Side::Sell, 10, 100), kSeller.value()), Timestamp{1});
    original.submit(buyTen(), Timestamp{2}); // filled
    NewOrder resting = buyTen();
    resting.clientOrderId = ClientOrderId{2};
    resting.limit = Price{90};
    resting.timeInForce = TimeInForce::Gtd;
    resting.expiry = Timestamp{1000};
    original.submit(resting, Timestamp{3});
    NewOrder invalid = buyTen();
    invalid.clientOrderId = ClientOrderId{3};
    invalid.quantity = Quantity{-5};
    original.submit(invalid, Timestamp{4});
    NewOrder other = buyTen();
    other.quantity = Quantity{3};
    original.submit(other, Timestamp{5}); // rejected as a duplicate
    original.replace(ReplaceOrder{OrderId{3}, Price{0}, Quantity{0}, {}}, Timestamp{6});
    QCOMPARE(recorder.all<OrderRejected>().size(), 3u);

    Engine restored;
    for (std::size_t i = 0; i < recorder.events.size(); ++i) {
        QCOMPARE(restored.restore(recorder.events[i]), RestoreResult::Restored);
        QCOMPARE(restored.stateHash(), recorder.hashes[i]);
    }
    QCOMPARE(restored.clientOrderCount(), 3u);
    for (std::uint64_t id : {1U, 2U, 3U}) {
        const auto expected = original.clientOrderAnswer(kBuyer, ClientOrderId{id});
        const auto actual = restored.clientOrderAnswer(kBuyer, ClientOrderId{id});
        QVERIFY(actual.has_value());
        QCOMPARE(actual->id, expected->id);
        QCOMPARE(actual->outcome, expected->outcome);
        QCOMPARE(actual->reason, expected->reason);
        QCOMPARE(actual->sequence, expected->sequence);
    }

    EngineRecorder originalNext;
    original.addHandler(&originalNext);
    EngineRecorder restoredNext;
    restored.addHandler(&restoredNext);
    for (Engine *engine : {&original, &restored}) {
        QCOMPARE(engine->submit(buyTen(), Timestamp{7}), OrderId{2});
        QCOMPARE(engine->submit(resting, Timestamp{7}), OrderId{3});
        QCOMPARE(engine->submit(invalid, Timestamp{7}), OrderId{4});
        engine->submit(other, Timestamp{7});
    }
    QVERIFY(originalNext.events.size() == 1);
    QCOMPARE(restoredNext.events.size(), originalNext.events.size());
    QCOMPARE(fieldsOf(restoredNext.events[0]), fieldsOf(originalNext.events[0]));
    QCOMPARE(restored.stateHash(), original.stateHash());
}

// Journals written before client order ids were kept for the engine's whole life may accept
// an id again once its order left. Restoring them keeps the later answer.
void IdempotencyTest::restoreOfReusedIdKeepsLaterAnswer()
{
    Engine restored;
    const auto event = [](SequenceNumber sequence, EventPayload payload) {
        return Event{sequence, Timestamp{1}, kFirst, std::move(payload)};
    };
    QCOMPARE(restored.restore(event(1, InstrumentAdded{definitionOf(kFirst)})),
             RestoreResult::Restored);
    QCOMPARE(restored.restore(event(2, OrderRejected{OrderId{1}, RejectReason::InvalidPrice,
                                                     ClientOrderId{7}, kBuyer})),
             RestoreResult::Restored);
    OrderAccepted accepted{};
    accepted.id = OrderId{2};
    accepted.side = Side::Buy;
    accepted.type = OrderType::Limit;
    accepted.limit = Price{100};
    accepted.quantity = Quantity{10};
    accepted.account = kBuyer;
    accepted.clientOrderId = ClientOrderId{7};
    QCOMPARE(restored.restore(event(3, accepted)), RestoreResult::Restored);
    QCOMPARE(restored.restore(event(4, OrderAdded{OrderId{2}, Side::Buy, Price{100}, Quantity{10},
                                                  OrderOrigin::OrderEntry})),
             RestoreResult::Restored);
    QCOMPARE(
        restored.restore(event(5, OrderRejected{OrderId{3}, RejectReason::DuplicateClientOrderId,
                                                ClientOrderId{7}, kBuyer})),
        RestoreResult::Restored);

    const ClientOrderAnswer answer = *restored.clientOrderAnswer(kBuyer, ClientOrderId{7});
    QCOMPARE(answer.outcome, ClientOrderOutcome::Accepted);
    QCOMPARE(answer.id, OrderId{2});
    QCOMPARE(answer.sequence, SequenceNumber{3});
    QCOMPARE(restored.clientOrderCount(), 1u);
}

QTEST_APPLESS_MAIN(IdempotencyTest)
#include "tst_idempotency.moc"

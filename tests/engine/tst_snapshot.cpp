// Engine snapshots: an engine loaded from a snapshot continues exactly as the original, through
// commands and through restored events, and a damaged snapshot is an error, never a crash or a
// half-loaded engine.

#include "engine.h"
#include "engine_printers.h"
#include "engine_test_support.h"
#include "scenario.h"
#include "simulator.h"

#include <QDir>
#include <QTest>

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <span>
#include <vector>

using namespace bourse;
using test::EngineRecorder;
using test::fieldsOf;
using test::limitOrder;
using test::withAccount;

namespace {

using Bytes = std::vector<std::uint8_t>;
// One command to an engine. Commands read the engine they drive, never another one, so the same
// list drives an original and a loaded copy alike.
using Command = std::function<void(Engine &)>;
using CommandSource = std::function<std::vector<Command>()>;

InstrumentDefinition definitionOf(InstrumentId id, TradingStatus status = TradingStatus::Trading)
{
    InstrumentDefinition definition;
    definition.id = id;
    definition.initialStatus = status;
    return definition;
}

// The limit price of an order: the level it rests at, or a parked stop-limit order's limit.
Price limitOf(const Order &order)
{
    if (order.details && order.details->limit.value() != 0)
        return order.details->limit;
    return order.price;
}

// The commands of a scenario file, without its expectations. A replace keeps the values it
// leaves out, read from the engine it runs on, as `bourse-engine run` does.
std::vector<Command> scenarioCommands(const QString &path)
{
    const scenario::ParseResult parsed = scenario::loadScenario(path.toStdString());
    if (!parsed.ok())
        qFatal("%s", parsed.errors.front().toString().c_str());
    std::vector<Command> commands;
    for (const scenario::Command &command : parsed.scenario.commands) {
        const Timestamp time = command.time;
        const scenario::Action &action = command.action;
        if (const auto *add = std::get_if<scenario::AddInstrumentCommand>(&action)) {
            commands.push_back(
                [add = *add, time](Engine &e) { e.addInstrument(add.definition, time); });
        } else if (const auto *account = std::get_if<scenario::ConfigureAccountCommand>(&action)) {
            commands.push_back([account = *account, time](Engine &e) {
                e.configureAccount(account.configuration, time);
            });
        } else if (const auto *open = std::get_if<scenario::OpenAccountCommand>(&action)) {
            commands.push_back([open = *open, time](Engine &e) {
                if (open.configuration)
                    e.configureAccount(*open.configuration, time);
                e.openAccount(open.settings, open.openingBalance, time);
            });
        } else if (const auto *submit = std::get_if<scenario::SubmitCommand>(&action)) {
            commands.push_back(
                [submit = *submit, time](Engine &e) { e.submit(submit.order, time); });
        } else if (const auto *cancel = std::get_if<scenario::CancelCommand>(&action)) {
            commands.push_back([cancel = *cancel, time](Engine &e) { e.cancel(cancel.id, time); });
        } else if (const auto *replace = std::get_if<scenario::ReplaceCommand>(&action)) {
            commands.push_back([replace = *replace, time](Engine &e) {
                ReplaceOrder request{replace.id, replace.limit.value_or(Price{0}),
                                     replace.quantity.value_or(Quantity{0}),
                                     replace.stopPrice.value_or(Price{0})};
                if (const Order *order = e.findOrder(replace.id)) {
                    if (!replace.limit)
                        request.limit = limitOf(*order);
                    if (!replace.quantity)
                        request.quantity = order->remaining + order->reserve();
                }
                e.replace(request, time);
            });
        } else if (const auto *mass = std::get_if<scenario::MassCancelCommand>(&action)) {
            commands.push_back([mass = *mass, time](Engine &e) { e.massCancel(mass.scope, time); });
        } else if (const auto *status = std::get_if<scenario::StatusCommand>(&action)) {
            commands.push_back([status = *status, time](Engine &e) {
                e.setTradingStatus(status.instrument, status.status, time);
            });
        } else if (const auto *clock = std::get_if<scenario::ClockCommand>(&action)) {
            commands.push_back([clock = *clock](Engine &e) { e.advanceTime(clock.time); });
        } else if (const auto *limits = std::get_if<scenario::RiskLimitsCommand>(&action)) {
            commands.push_back([limits = *limits, time](Engine &e) {
                e.setRiskOverrides(limits.account, limits.instrument, limits.limits,
                                   limits.overridden, time);
            });
        } else if (const auto *kill = std::get_if<scenario::KillSwitchCommand>(&action)) {
            commands.push_back([kill = *kill, time](Engine &e) {
                if (kill.scope == KillSwitchScope::None)
                    e.resetKillSwitch(kill.account, time);
                else
                    e.engageKillSwitch(kill.account, kill.scope, time);
            });
        }
    }
    return commands;
}

// Random commands of every kind on two instruments, one of them in its pre-open call. Orders
// are limit, market, stop and stop-limit orders of every time in force, icebergs and post-only
// orders, with every self-trade prevention mode and client order ids that repeat. Cancels,
// replaces, mass cancels, status changes with auctions and clock moves that expire GTD orders
// come between them.
std::vector<Command> randomCommands(std::uint64_t seed, int count)
{
    std::mt19937_64 random(seed);
    const auto below = [&random](int bound) {
        return static_cast<int>(random() % static_cast<std::uint64_t>(bound));
    };
    const auto price = [&below] { return Price{95 + below(11)}; };

    std::vector<Command> commands;
    commands.push_back([](Engine &e) {
        e.addInstrument(definitionOf(InstrumentId{1}), Timestamp{0});
        e.addInstrument(definitionOf(InstrumentId{2}, TradingStatus::PreOpen), Timestamp{0});
    });
    for (std::uint32_t account = 1; account <= 3; ++account) {
        const auto mode = static_cast<SelfTradePrevention>(1 + below(4));
        commands.push_back([=](Engine &e) {
            e.configureAccount(AccountConfigured{AccountId{account}, mode}, Timestamp{0});
        });
    }

    std::int64_t now = 1;
    for (int step = 0; step < count; ++step) {
        now += below(3);
        const Timestamp time{now};
        const InstrumentId instrument{static_cast<std::uint32_t>(1 + below(2))};
        const int kind = below(100);
        if (kind < 62) {
            NewOrder order;
            order.id = OrderId{static_cast<std::uint64_t>(below(4) == 0 ? 0 : 1 + below(400))};
            order.side = below(2) ? Side::Buy : Side::Sell;
            order.instrument = instrument;
            order.quantity = Quantity{1 + below(20)};
            order.limit = price();
            order.account = AccountId{static_cast<std::uint32_t>(below(4))};
            const int type = below(10);
            order.type = type < 6   ? OrderType::Limit
                         : type < 7 ? OrderType::Market
                         : type < 9 ? OrderType::Stop
                                    : OrderType::StopLimit;
            order.stopPrice = price();
            order.protectionPrice = below(4) == 0 ? price() : Price{};
            order.timeInForce = static_cast<TimeInForce>(below(5));
            order.expiry = Timestamp{now + below(50)};
            order.displayQuantity = Quantity{below(4) == 0 ? 1 + below(5) : 0};
            order.liquidity = below(8) == 0 ? Liquidity::PostOnly : Liquidity::Any;
            order.selfTradePrevention = static_cast<SelfTradePrevention>(below(5));
            order.clientOrderId =
                ClientOrderId{static_cast<std::uint64_t>(below(3) == 0 ? 1 + below(12) : 0)};
            commands.push_back([=](Engine &e) { e.submit(order, time); });
        } else if (kind < 70) {
            const OrderId id{static_cast<std::uint64_t>(1 + below(400))};
            commands.push_back([=](Engine &e) { e.cancel(id, time); });
        } else if (kind < 82) {
            const OrderId id{static_cast<std::uint64_t>(1 + below(400))};
            const Price limit = below(2) ? Price{} : price();
            const Price stop = below(2) ? Price{} : price();
            const Quantity quantity{1 + below(20)};
            commands.push_back([=](Engine &e) {
                e.replace(ReplaceOrder{id, limit, quantity, stop}, time);
            });
        } else if (kind < 84) {
            const AccountId account{static_cast<std::uint32_t>(below(4))};
            const InstrumentId scope{static_cast<std::uint32_t>(below(3))};
            commands.push_back([=](Engine &e) { e.massCancel(MassCancel{account, scope}, time); });
        } else if (kind < 92) {
            const auto status = static_cast<TradingStatus>(below(5));
            commands.push_back([=](Engine &e) { e.setTradingStatus(instrument, status, time); });
        } else {
            commands.push_back([=](Engine &e) { e.advanceTime(time); });
        }
    }
    return commands;
}

// The market simulator's flow on one instrument: priming levels, then passive, marketable and
// market orders and cancels. The simulator picks commands from the book it is shown, so the
// list comes from one run and is then replayed as fixed commands.
std::vector<Command> simulatorCommands(std::uint64_t seed, int count)
{
    Engine engine(InstrumentId{1});
    MarketSimulator simulator(seed);
    std::vector<Command> commands;
    commands.push_back([](Engine &e) { e.addInstrument(definitionOf(InstrumentId{1}), {}); });
    for (int i = 0; i < count; ++i) {
        const SimulatorCommand command = simulator.next(engine);
        const Timestamp time{i};
        MarketSimulator::apply(command, engine, time);
        commands.push_back([=](Engine &e) { MarketSimulator::apply(command, e, time); });
    }
    return commands;
}

// A small engine with one of everything a snapshot records. It has two instruments, one in
// its pre-open call with call entries, and two accounts. Its orders have distinctive ids: plain
// resting orders, a post-only order, an iceberg with a reserve, a GTD order and parked stops on
// both sides. Client order records are accepted and rejected.
void buildSmallEngine(Engine &engine)
{
    InstrumentDefinition first = definitionOf(InstrumentId{1});
    first.symbol = {'F', 'I', 'R', 'S', 'T', 'S', 'Y', 'M'};
    engine.addInstrument(first, Timestamp{0});
    InstrumentDefinition second = definitionOf(InstrumentId{2}, TradingStatus::PreOpen);
    second.symbol = {'S', 'E', 'C', 'N', 'D', 'S', 'Y', 'M'};
    engine.addInstrument(second, Timestamp{0});
    engine.configureAccount(AccountConfigured{AccountId{3}, SelfTradePrevention::CancelOldest},
                            Timestamp{0});
    engine.configureAccount(AccountConfigured{AccountId{4}, SelfTradePrevention::CancelBoth},
                            Timestamp{0});

    engine.submit(limitOrder(1'000'001, Side::Buy, 10, 100), Timestamp{1});
    engine.submit(limitOrder(1'000'002, Side::Buy, 5, 100), Timestamp{1});
    engine.submit(limitOrder(1'000'003, Side::Sell, 5, 101), Timestamp{1});
    engine.submit(limitOrder(1'000'004, Side::Sell, 5, 101), Timestamp{1});
    engine.submit(limitOrder(1'000'012, Side::Sell, 3, 100), Timestamp{1}); // last trade 100

    NewOrder postOnly = withAccount(limitOrder(1'000'005, Side::Sell, 7, 103), 3);
    postOnly.liquidity = Liquidity::PostOnly;
    postOnly.clientOrderId = ClientOrderId{0x5151515151};
    engine.submit(postOnly, Timestamp{2});
    NewOrder iceberg = withAccount(limitOrder(1'000'006, Side::Sell, 30, 102), 3);
    iceberg.displayQuantity = Quantity{10};
    iceberg.clientOrderId = ClientOrderId{0x5252525252};
    engine.submit(iceberg, Timestamp{2});
    NewOrder gtd = withAccount(limitOrder(1'000'007, Side::Buy, 4, 98), 4);
    gtd.timeInForce = TimeInForce::Gtd;
    gtd.expiry = Timestamp{500};
    engine.submit(gtd, Timestamp{2});
    engine.submit(test::stopOrder(1'000'008, Side::Buy, 2, 105), Timestamp{3});
    engine.submit(test::stopLimitOrder(1'000'009, Side::Sell, 3, 95, 94), Timestamp{3});
    NewOrder rejected = withAccount(limitOrder(0, Side::Buy, 0, 100), 4);
    rejected.clientOrderId = ClientOrderId{0x5353535353};
    engine.submit(rejected, Timestamp{3});

    NewOrder call = limitOrder(1'000'010, Side::Buy, 6, 100);
    call.instrument = InstrumentId{2};
    engine.submit(call, Timestamp{4});
    engine.cancel(OrderId{1'000'010}, Timestamp{4});
    call.id = OrderId{1'000'011};
    engine.submit(call, Timestamp{4});
}

AccountSettings accountSettings(std::uint32_t id, AccountType type)
{
    AccountSettings settings;
    settings.id = AccountId{id};
    settings.currency = currencyCode("USD");
    settings.moneyDecimals = 2;
    settings.type = type;
    settings.fees =
        AccountFees{FeeRate::fromBasisPoints(1), FeeRate::fromBasisPoints(4), Money{0}, Money{0}};
    return settings;
}

// An instrument in USD with prices in cents. Margin account 3 and cash account 4 pay 1 bp as
// makers and 4 bp as takers, and trade with each other and with account 5, which has no
// portfolio account. By hand, in cents:
//   4 @ 100.00, 3 sells to 4: fees 4 and 16, so 3 has 99996 and 4 has 1000000 - 40000 - 16
//   6 @ 100.00, 3 sells to 5: fee 6, so 3 has 99990 and is short 10 at 100.00
//   2 @ 99.00, 4 sells to 3: 3 pays 2 (1.98 rounded up) and realizes +200, so 99990 + 200 - 2 =
//   100188, short 8. 4 receives 19800 less 8 (7.92 rounded up): 959984 + 19792 = 979776, long 2.
void buildAccountEngine(Engine &engine)
{
    InstrumentDefinition definition = definitionOf(InstrumentId{1});
    definition.currency = currencyCode("USD");
    definition.priceDecimals = 2;
    engine.addInstrument(definition, Timestamp{0});
    engine.openAccount(accountSettings(3, AccountType::Margin), Money{100'000}, Timestamp{0});
    engine.openAccount(accountSettings(4, AccountType::Cash), Money{1'000'000}, Timestamp{0});
    engine.submit(withAccount(limitOrder(1, Side::Sell, 10, 10'000), 3), Timestamp{1});
    engine.submit(withAccount(limitOrder(2, Side::Buy, 4, 10'000), 4), Timestamp{1});
    engine.submit(withAccount(limitOrder(3, Side::Buy, 6, 10'000), 5), Timestamp{1});
    engine.submit(withAccount(limitOrder(4, Side::Buy, 5, 9'900), 3), Timestamp{2});
    engine.submit(withAccount(limitOrder(5, Side::Sell, 2, 9'900), 4), Timestamp{2});
}

// Where the 8 little-endian bytes of `value` start in the snapshot; the first match from the
// end when `last` is set.
std::size_t offsetOf(const Bytes &bytes, std::uint64_t value, bool last = false)
{
    std::array<std::uint8_t, 8> pattern{};
    for (std::size_t i = 0; i < 8; ++i)
        pattern[i] = static_cast<std::uint8_t>(value >> (8 * i));
    const auto found =
        last ? std::find_end(bytes.begin(), bytes.end(), pattern.begin(), pattern.end())
             : std::search(bytes.begin(), bytes.end(), pattern.begin(), pattern.end());
    if (found == bytes.end())
        qFatal("value %llx not found in the snapshot", static_cast<unsigned long long>(value));
    return static_cast<std::size_t>(found - bytes.begin());
}

void storeLittleEndian(Bytes &bytes, std::size_t offset, std::uint64_t value, std::size_t width)
{
    for (std::size_t i = 0; i < width; ++i)
        bytes[offset + i] = static_cast<std::uint8_t>(value >> (8 * i));
}

// Recomputes the checksum after a deliberate change, so that the loader's other checks see it.
void reseal(Bytes &bytes)
{
    const std::uint64_t checksum = crc64(std::span(bytes).first(bytes.size() - 8));
    storeLittleEndian(bytes, bytes.size() - 8, checksum, 8);
}

// Whether an engine is exactly what Engine() makes.
bool isEmpty(const Engine &engine)
{
    return engine.instruments().empty() && engine.liveOrderCount() == 0 &&
           engine.lastSequence() == 0 && engine.clientOrderCount() == 0 &&
           engine.tradeCount() == 0 && engine.stateHash() == Engine().stateHash();
}

// The first difference between the events and the expected ones from `expectedFrom` on, or
// an empty text when there is none.
QString differenceOf(const std::vector<Event> &actual, const std::vector<Event> &expected,
                     std::size_t expectedFrom)
{
    if (actual.size() != expected.size() - expectedFrom)
        return QStringLiteral("%1 events, expected %2")
            .arg(actual.size())
            .arg(expected.size() - expectedFrom);
    for (std::size_t i = 0; i < actual.size(); ++i) {
        if (fieldsOf(actual[i]) != fieldsOf(expected[expectedFrom + i]))
            return "got " + fieldsOf(actual[i]) + ", expected " +
                   fieldsOf(expected[expectedFrom + i]);
    }
    return {};
}

QString nameText(SnapshotErrorKind kind)
{
    const std::string_view name = nameOf(kind);
    return QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
}

} // namespace

Q_DECLARE_METATYPE(CommandSource)
Q_DECLARE_METATYPE(Bytes)
Q_DECLARE_METATYPE(bourse::SnapshotErrorKind)
Q_DECLARE_METATYPE(std::function<void(bourse::FillPosted &)>)

class SnapshotTest : public QObject {
    Q_OBJECT

private slots:
    void checksumOfCheckString();
    void emptyEngineRoundTrip();
    void loadedEngineContinuesLikeOriginal_data();
    void loadedEngineContinuesLikeOriginal();
    void snapshotThenRestoreEqualsFullRestore_data();
    void snapshotThenRestoreEqualsFullRestore();
    void snapshotWhileIcebergWaitsForRefill();
    void snapshotDuringCommand();
    void loadKeepsHandlersAndPublishesNothing();
    void everyFlippedByteIsDetected();
    void everyTruncationIsDetected();
    void resealedDamageNeverLoadsOtherState();
    void damagedSnapshotIsRejected_data();
    void damagedSnapshotIsRejected();
    void targetThatHoldsStateIsLeftUnchanged();
    void accountsRoundTrip();
    void previousVersionLoadsWithoutAccounts();
    void damagedPortfolioIsRejected();
    void fullRestoreWithAccounts();
    void restoreRejectsMismatchedFill_data();
    void restoreRejectsMismatchedFill();
    void restoreRejectsSecondOpening();
    void unpostedFillIsCounted();
    void accountOpeningRejections();
};

// The check value of CRC-64/XZ in the CRC catalogue, which `xz --check=crc64` also gives for
// these nine bytes.
void SnapshotTest::checksumOfCheckString()
{
    const std::string check = "123456789";
    const auto bytes = std::span(reinterpret_cast<const std::uint8_t *>(check.data()), 9);
    QCOMPARE(crc64(bytes), std::uint64_t{0x995dc9bbdf1939fa});
    QCOMPARE(crc64({}), std::uint64_t{0});
}

// Header (18), three counters (24), no instruments (4), no other orders (8), no accounts (4),
// no records (8), no portfolio accounts (4) and positions (8), the risk section's global kill
// switch (1) and no risk accounts (4), overrides (4), alerts (4) and tracked orders (8), and the
// trailer (16).
void SnapshotTest::emptyEngineRoundTrip()
{
    const Engine empty;
    const Bytes bytes = empty.snapshot();
    QCOMPARE(bytes.size(), std::size_t{115});
    Engine loaded;
    QCOMPARE(Engine::loadSnapshot(bytes, loaded).has_value(), false);
    QVERIFY(isEmpty(loaded));
}

// Snapshots between commands, loaded into fresh engines, give the events and state hashes of
// the original for every later command, and restore its later events too.
void SnapshotTest::loadedEngineContinuesLikeOriginal_data()
{
    QTest::addColumn<CommandSource>("source");
    QTest::addColumn<int>("cuts");

    const QDir scenarios(QStringLiteral(BOURSE_SOURCE_DIR "/tests/scenarios"));
    const QStringList files = scenarios.entryList({QStringLiteral("*.scenario")}, QDir::Files);
    QVERIFY(files.size() >= 20);
    for (const QString &file : files) {
        const QString path = scenarios.filePath(file);
        QTest::newRow(qPrintable(file))
            << CommandSource([path] { return scenarioCommands(path); }) << 1000;
    }
    for (std::uint64_t seed = 1; seed <= 6; ++seed) {
        QTest::newRow(qPrintable(QStringLiteral("random session %1").arg(seed)))
            << CommandSource([seed] { return randomCommands(seed, 250); }) << 1000;
    }
    QTest::newRow("market simulator")
        << CommandSource([] { return simulatorCommands(7, 3000); }) << 40;
}

void SnapshotTest::loadedEngineContinuesLikeOriginal()
{
    QFETCH(CommandSource, source);
    QFETCH(int, cuts);
    const std::vector<Command> commands = source();

    // The original run, with a snapshot after each cut point and the events so far.
    const std::size_t step =
        std::max<std::size_t>(1, commands.size() / static_cast<std::size_t>(cuts));
    Engine original;
    EngineRecorder recorder(original);
    original.addHandler(&recorder);
    std::vector<std::size_t> cutPoints;
    std::vector<Bytes> snapshots;
    std::vector<std::size_t> eventsAtCut;
    for (std::size_t i = 0; i <= commands.size(); ++i) {
        if (i % step == 0 || i == commands.size()) {
            cutPoints.push_back(i);
            snapshots.push_back(original.snapshot());
            eventsAtCut.push_back(recorder.events.size());
            QVERIFY(!snapshots.back().empty());
        }
        if (i < commands.size())
            commands[i](original);
    }

    for (std::size_t c = 0; c < cutPoints.size(); ++c) {
        const QString where = QStringLiteral("cut after command %1").arg(cutPoints[c]);
        Engine loaded;
        if (const auto error = Engine::loadSnapshot(snapshots[c], loaded))
            QFAIL(qPrintable(where + ": " + QString::fromStdString(error->message)));
        QCOMPARE(loaded.snapshot(), snapshots[c]);
        const std::size_t from = eventsAtCut[c];
        if (from > 0)
            QCOMPARE(loaded.stateHash(), recorder.hashes[from - 1]);

        EngineRecorder loadedRecorder;
        loaded.addHandler(&loadedRecorder);
        for (std::size_t i = cutPoints[c]; i < commands.size(); ++i)
            commands[i](loaded);
        const QString difference = differenceOf(loadedRecorder.events, recorder.events, from);
        QVERIFY2(difference.isEmpty(), qPrintable(where + ": " + difference));
        QCOMPARE(loaded.stateHash(), original.stateHash());
        QCOMPARE(loaded.tradeCount(), original.tradeCount());

        // The restore path: the events after the snapshot rebuild the original's state.
        Engine restored;
        QVERIFY(!Engine::loadSnapshot(snapshots[c], restored).has_value());
        for (std::size_t i = from; i < recorder.events.size(); ++i) {
            const RestoreResult result = restored.restore(recorder.events[i]);
            if (result != RestoreResult::Restored)
                QFAIL(qPrintable(where + ": restore of " + fieldsOf(recorder.events[i]) + ": " +
                                 QString::fromUtf8(nameOf(result).data())));
        }
        QCOMPARE(restored.stateHash(), original.stateHash());
    }
}

// A restoring engine may be snapshotted after any event, also inside a command: with an order
// entering, or an iceberg waiting for its refill. Loading that snapshot and restoring the rest
// of the events gives, event by event, the hashes of a full restore.
void SnapshotTest::snapshotThenRestoreEqualsFullRestore_data()
{
    QTest::addColumn<std::uint64_t>("seed");
    for (std::uint64_t seed = 11; seed <= 16; ++seed)
        QTest::newRow(qPrintable(QStringLiteral("random session %1").arg(seed))) << seed;
}

void SnapshotTest::snapshotThenRestoreEqualsFullRestore()
{
    QFETCH(std::uint64_t, seed);

    Engine original;
    EngineRecorder recorder(original);
    original.addHandler(&recorder);
    for (const Command &command : randomCommands(seed, 200))
        command(original);

    const std::size_t count = recorder.events.size();
    Engine restoring;
    int entering = 0;
    for (std::size_t cut = 0; cut < count; ++cut) {
        QCOMPARE(restoring.restore(recorder.events[cut]), RestoreResult::Restored);
        const Bytes bytes = restoring.snapshot();
        QVERIFY(!bytes.empty());
        const EventType last = typeOf(recorder.events[cut].payload);
        if (last == EventType::OrderAccepted || last == EventType::StopTriggered)
            ++entering;

        Engine loaded;
        if (const auto error = Engine::loadSnapshot(bytes, loaded))
            QFAIL(qPrintable(QStringLiteral("after event %1: ").arg(cut + 1) +
                             QString::fromStdString(error->message)));
        QCOMPARE(loaded.stateHash(), recorder.hashes[cut]);
        for (std::size_t i = cut + 1; i < count; ++i) {
            const RestoreResult result = loaded.restore(recorder.events[i]);
            if (result != RestoreResult::Restored || loaded.stateHash() != recorder.hashes[i])
                QFAIL(
                    qPrintable(QStringLiteral("snapshot after event %1, restore of ").arg(cut + 1) +
                               fieldsOf(recorder.events[i]) + ": " +
                               QString::fromUtf8(nameOf(result).data())));
        }
        QCOMPARE(loaded.stateHash(), original.stateHash());
    }
    // The cuts include states that only exist inside a command.
    QVERIFY(entering > 0);
}

// Between the trade that takes an iceberg's slice and its refill, a restoring engine keeps the
// iceberg outside the book with nothing shown. A snapshot then keeps it there, and the refill
// restores onto the loaded engine.
void SnapshotTest::snapshotWhileIcebergWaitsForRefill()
{
    Engine original(InstrumentId{1});
    EngineRecorder recorder(original);
    original.addHandler(&recorder);
    NewOrder iceberg = limitOrder(1, Side::Sell, 30, 100);
    iceberg.displayQuantity = Quantity{10};
    original.submit(iceberg, Timestamp{1});
    original.submit(limitOrder(2, Side::Buy, 12, 100), Timestamp{2});
    // 1 accepted, 2 added, 3 accepted, 4 trade, 5 refilled, 6 trade.
    QCOMPARE(recorder.types(),
             (std::vector<EventType>{EventType::OrderAccepted, EventType::OrderAdded,
                                     EventType::OrderAccepted, EventType::Trade,
                                     EventType::OrderRefilled, EventType::Trade}));

    Engine restoring(InstrumentId{1});
    for (std::size_t i = 0; i < 4; ++i)
        QCOMPARE(restoring.restore(recorder.events[i]), RestoreResult::Restored);
    QCOMPARE(restoring.book().orderCount(), 0u);
    QCOMPARE(restoring.liveOrderCount(), 2u);

    Engine loaded;
    QVERIFY(!Engine::loadSnapshot(restoring.snapshot(), loaded).has_value());
    QCOMPARE(loaded.stateHash(), recorder.hashes[3]);
    QCOMPARE(loaded.findOrder(OrderId{1})->reserve(), Quantity{20});
    for (std::size_t i = 4; i < recorder.events.size(); ++i) {
        QCOMPARE(loaded.restore(recorder.events[i]), RestoreResult::Restored);
        QCOMPARE(loaded.stateHash(), recorder.hashes[i]);
    }
}

// Inside a handler while a command runs, a snapshot is empty when an order is matching and
// outside the book. Once the order rests, it is the state restore() rebuilds up to that event.
void SnapshotTest::snapshotDuringCommand()
{
    class Snapshotter : public EventHandler {
    public:
        explicit Snapshotter(const Engine &engine)
            : m_engine(engine)
        {
        }
        void onEvent(const Event &event) override
        {
            snapshots.push_back(m_engine.snapshot());
            hashes.push_back(m_engine.stateHash());
            types.push_back(typeOf(event.payload));
        }
        std::vector<Bytes> snapshots;
        std::vector<std::uint64_t> hashes;
        std::vector<EventType> types;

    private:
        const Engine &m_engine;
    };

    Engine engine(InstrumentId{1});
    engine.submit(limitOrder(1, Side::Sell, 5, 100), Timestamp{1});
    Snapshotter snapshotter(engine);
    engine.addHandler(&snapshotter);
    engine.submit(limitOrder(2, Side::Buy, 8, 100), Timestamp{2});

    QCOMPARE(snapshotter.types, (std::vector<EventType>{EventType::OrderAccepted, EventType::Trade,
                                                        EventType::OrderAdded}));
    QVERIFY(snapshotter.snapshots[0].empty());
    QVERIFY(snapshotter.snapshots[1].empty());
    Engine loaded;
    QVERIFY(!Engine::loadSnapshot(snapshotter.snapshots[2], loaded).has_value());
    QCOMPARE(loaded.stateHash(), snapshotter.hashes[2]);
}

void SnapshotTest::loadKeepsHandlersAndPublishesNothing()
{
    Engine original;
    buildSmallEngine(original);
    const Bytes bytes = original.snapshot();

    Engine loaded;
    EngineRecorder recorder;
    loaded.addHandler(&recorder);
    QVERIFY(!Engine::loadSnapshot(bytes, loaded).has_value());
    QVERIFY(recorder.events.empty());
    QCOMPARE(recorder.commandEnds, 0);

    loaded.cancel(OrderId{1'000'001}, Timestamp{10});
    QCOMPARE(recorder.types(), std::vector<EventType>{EventType::OrderCancelled});
    QCOMPARE(recorder.events[0].sequence, original.lastSequence() + 1);
}

// A CRC detects every change of one byte, so each flip is an error and leaves the target empty.
void SnapshotTest::everyFlippedByteIsDetected()
{
    Engine original;
    buildSmallEngine(original);
    const Bytes bytes = original.snapshot();
    QVERIFY(bytes.size() > 1000);

    for (std::size_t i = 0; i < bytes.size(); ++i) {
        for (std::uint8_t mask : {std::uint8_t{0xff}, std::uint8_t{0x01}, std::uint8_t{0x80}}) {
            Bytes damaged = bytes;
            damaged[i] ^= mask;
            Engine target;
            const std::optional<SnapshotError> error = Engine::loadSnapshot(damaged, target);
            if (!error)
                QFAIL(qPrintable(QStringLiteral("flip %1 of byte %2 loaded").arg(mask).arg(i)));
            QVERIFY(!error->message.empty());
            QVERIFY(isEmpty(target));
        }
    }
}

void SnapshotTest::everyTruncationIsDetected()
{
    Engine original;
    buildSmallEngine(original);
    const Bytes bytes = original.snapshot();

    for (std::size_t size = 0; size < bytes.size(); ++size) {
        const Bytes cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size));
        Engine target;
        const std::optional<SnapshotError> error = Engine::loadSnapshot(cut, target);
        if (!error || error->kind != SnapshotErrorKind::Truncated)
            QFAIL(qPrintable(QStringLiteral("a snapshot cut to %1 bytes: %2")
                                 .arg(size)
                                 .arg(error ? QString::fromStdString(error->message)
                                            : QStringLiteral("loaded"))));
        QVERIFY(isEmpty(target));
    }
}

// Damage that comes with a matching checksum, as a buggy writer could produce, reaches the
// loader's own checks. Each change is an error that leaves the target empty, or loads a state
// with the original's hash.
void SnapshotTest::resealedDamageNeverLoadsOtherState()
{
    Engine original;
    buildSmallEngine(original);
    const Bytes bytes = original.snapshot();
    const std::uint64_t hash = original.stateHash();

    std::map<SnapshotErrorKind, int> kinds;
    int loadedWithSameHash = 0;
    for (std::size_t i = 0; i + 8 < bytes.size(); ++i) {
        for (std::uint8_t mask : {std::uint8_t{0xff}, std::uint8_t{0x01}, std::uint8_t{0x40}}) {
            Bytes damaged = bytes;
            damaged[i] ^= mask;
            reseal(damaged);
            Engine target;
            const std::optional<SnapshotError> error = Engine::loadSnapshot(damaged, target);
            if (error) {
                ++kinds[error->kind];
                QVERIFY(isEmpty(target));
                continue;
            }
            if (target.stateHash() != hash)
                QFAIL(qPrintable(
                    QStringLiteral("flip %1 of byte %2 loaded another state").arg(mask).arg(i)));
            ++loadedWithSameHash;
        }
    }

    // Several random bytes at once, as a writer that lost its place would produce.
    std::mt19937_64 random(5);
    for (int round = 0; round < 3000; ++round) {
        Bytes damaged = bytes;
        const std::size_t changes = 1 + random() % 8;
        for (std::size_t change = 0; change < changes; ++change)
            damaged[18 + random() % (bytes.size() - 26)] = static_cast<std::uint8_t>(random());
        reseal(damaged);
        Engine target;
        if (const std::optional<SnapshotError> error = Engine::loadSnapshot(damaged, target)) {
            ++kinds[error->kind];
            QVERIFY(isEmpty(target));
        } else if (damaged != bytes) {
            QCOMPARE(target.stateHash(), hash);
            ++loadedWithSameHash;
        }
    }
    QCOMPARE(loadedWithSameHash, 0);
    QVERIFY(kinds[SnapshotErrorKind::StateHashMismatch] > 0);
    QVERIFY(kinds[SnapshotErrorKind::FieldOutOfRange] > 0);
    QVERIFY(kinds[SnapshotErrorKind::Truncated] > 0);
}

// Each row changes a snapshot of the small engine in one way. The load fails with the kind of
// error the change makes, a message that names it, and an empty target.
void SnapshotTest::damagedSnapshotIsRejected_data()
{
    QTest::addColumn<Bytes>("bytes");
    QTest::addColumn<SnapshotErrorKind>("kind");
    QTest::addColumn<QString>("message");

    Engine original;
    buildSmallEngine(original);
    const Bytes bytes = original.snapshot();
    const auto changed = [&bytes](const std::function<void(Bytes &)> &change) {
        Bytes copy = bytes;
        change(copy);
        return copy;
    };

    QTest::newRow("bad magic") << changed([](Bytes &b) { b[0] = 'X'; })
                               << SnapshotErrorKind::BadMagic << "not a Bourse engine snapshot";
    QTest::newRow("text file") << Bytes{'h', 'e', 'l', 'l', 'o'} << SnapshotErrorKind::BadMagic
                               << "bad magic";
    QTest::newRow("newer version") << changed([](Bytes &b) {
        storeLittleEndian(b, 8, 4, 2);
        reseal(b);
    }) << SnapshotErrorKind::UnsupportedVersion
                                   << "format version 4 is newer than version 3";
    QTest::newRow("version zero") << changed([](Bytes &b) {
        storeLittleEndian(b, 8, 0, 2);
        reseal(b);
    }) << SnapshotErrorKind::UnsupportedVersion
                                  << "format version 0 is invalid";
    QTest::newRow("trailing byte")
        << changed([](Bytes &b) { b.push_back(0); }) << SnapshotErrorKind::TrailingBytes
        << "1 bytes follow the end of the snapshot";
    QTest::newRow("cut in the trailer")
        << changed([](Bytes &b) { b.pop_back(); }) << SnapshotErrorKind::Truncated << "truncated";
    QTest::newRow("changed content") << changed([](Bytes &b) { b[60] ^= 1; })
                                     << SnapshotErrorKind::ChecksumMismatch << "checksum mismatch";
    QTest::newRow("changed checksum") << changed([](Bytes &b) { b.back() ^= 1; })
                                      << SnapshotErrorKind::ChecksumMismatch << "damaged";
    QTest::newRow("duplicate order id") << changed([](Bytes &b) {
        storeLittleEndian(b, offsetOf(b, 1'000'002), 1'000'001, 8);
        reseal(b);
    }) << SnapshotErrorKind::DuplicateOrderId
                                        << "order 1000001 appears twice";
    QTest::newRow("side out of range") << changed([](Bytes &b) {
        b[offsetOf(b, 1'000'004) + 12] = 7;
        reseal(b);
    }) << SnapshotErrorKind::FieldOutOfRange
                                       << "order 1000004: side 7 is out of range";
    QTest::newRow("negative quantity") << changed([](Bytes &b) {
        storeLittleEndian(b, offsetOf(b, 1'000'004) + 26, static_cast<std::uint64_t>(-5), 8);
        reseal(b);
    }) << SnapshotErrorKind::FieldOutOfRange
                                       << "remaining quantity -5 is out of range";
    QTest::newRow("resting stop order") << changed([](Bytes &b) {
        b[offsetOf(b, 1'000'004) + 13] = static_cast<std::uint8_t>(OrderType::Stop);
        reseal(b);
    }) << SnapshotErrorKind::Inconsistent
                                        << "order 1000004 cannot rest among the asks";
    QTest::newRow("duplicate instrument") << changed([](Bytes &b) {
        const std::array<std::uint8_t, 8> symbol{'S', 'E', 'C', 'N', 'D', 'S', 'Y', 'M'};
        const auto at = std::search(b.begin(), b.end(), symbol.begin(), symbol.end());
        storeLittleEndian(b, static_cast<std::size_t>(at - b.begin()) - 4, 1, 4);
        reseal(b);
    }) << SnapshotErrorKind::DuplicateInstrument
                                          << "instrument 1 is defined twice";
    QTest::newRow("duplicate client order id") << changed([](Bytes &b) {
        storeLittleEndian(b, offsetOf(b, 0x5252525252, true), 0x5151515151, 8);
        reseal(b);
    }) << SnapshotErrorKind::DuplicateClientOrderId
                                               << "appears twice";
    QTest::newRow("count beyond the bytes") << changed([](Bytes &b) {
        // The record count sits before the three records of 37 bytes, the empty portfolio
        // section of 12 bytes, the empty risk section of 21 bytes and the trailer.
        storeLittleEndian(b, b.size() - 16 - 21 - 12 - 3 * 37 - 8, std::uint64_t{1} << 60, 8);
        reseal(b);
    }) << SnapshotErrorKind::Truncated << "records need at least";
    QTest::newRow("wrong state hash") << changed([](Bytes &b) {
        b[b.size() - 16] ^= 1;
        reseal(b);
    }) << SnapshotErrorKind::StateHashMismatch
                                      << "state hash mismatch";
    QTest::newRow("highest id below a live id") << changed([](Bytes &b) {
        storeLittleEndian(b, 18 + 8, 5, 8);
        reseal(b);
    }) << SnapshotErrorKind::Inconsistent << "highest order id 5 is below";
}

void SnapshotTest::damagedSnapshotIsRejected()
{
    QFETCH(Bytes, bytes);
    QFETCH(SnapshotErrorKind, kind);
    QFETCH(QString, message);

    Engine target;
    const std::optional<SnapshotError> error = Engine::loadSnapshot(bytes, target);
    QVERIFY(error.has_value());
    QCOMPARE(nameText(error->kind), nameText(kind));
    QVERIFY2(QString::fromStdString(error->message).contains(message), error->message.c_str());
    QVERIFY(isEmpty(target));
}

void SnapshotTest::targetThatHoldsStateIsLeftUnchanged()
{
    Engine original;
    buildSmallEngine(original);
    const Bytes bytes = original.snapshot();

    Engine target(InstrumentId{9});
    target.submit(limitOrder(1, Side::Buy, 1, 10), Timestamp{1});
    const std::uint64_t hash = target.stateHash();
    const std::optional<SnapshotError> error = Engine::loadSnapshot(bytes, target);
    QVERIFY(error.has_value());
    QCOMPARE(nameText(error->kind), nameText(SnapshotErrorKind::TargetNotEmpty));
    QCOMPARE(target.stateHash(), hash);
    QCOMPARE(target.liveOrderCount(), 1u);
}

// The portfolio of the hand-computed account engine survives a snapshot, and the loaded engine
// posts the next fills as the original does.
void SnapshotTest::accountsRoundTrip()
{
    Engine original;
    buildAccountEngine(original);
    const Portfolio &portfolio = original.portfolio();
    QCOMPARE(portfolio.account(AccountId{3})->balance, Money{100'188});
    QCOMPARE(portfolio.account(AccountId{4})->balance, Money{979'776});
    QCOMPARE(portfolio.position(AccountId{3}, InstrumentId{1})->quantity, Quantity{-8});
    QCOMPARE(portfolio.position(AccountId{4}, InstrumentId{1})->quantity, Quantity{2});
    QCOMPARE(portfolio.position(AccountId{3}, InstrumentId{1})->realizedProfitAndLoss, Money{200});
    QCOMPARE(original.unpostedFillCount(), std::uint64_t{0});

    const Bytes bytes = original.snapshot();
    Engine loaded;
    if (const auto error = Engine::loadSnapshot(bytes, loaded))
        QFAIL(error->message.c_str());
    QVERIFY(loaded.portfolio() == original.portfolio());
    QCOMPARE(loaded.stateHash(), original.stateHash());
    QCOMPARE(loaded.snapshot(), bytes);

    EngineRecorder originalEvents;
    EngineRecorder loadedEvents;
    original.addHandler(&originalEvents);
    loaded.addHandler(&loadedEvents);
    for (Engine *engine : {&original, &loaded})
        engine->submit(withAccount(limitOrder(6, Side::Sell, 8, 9'900), 5), Timestamp{3});
    QVERIFY(!originalEvents.all<FillPosted>().empty());
    QCOMPARE(differenceOf(loadedEvents.events, originalEvents.events, 0), QString());
    QVERIFY(loaded.portfolio() == original.portfolio());
    QCOMPARE(loaded.stateHash(), original.stateHash());
}

// A snapshot of format version 1, which had no portfolio section, loads with the instruments in
// the portfolio and no accounts. Without accounts the state hash is the same in both versions.
void SnapshotTest::previousVersionLoadsWithoutAccounts()
{
    Engine original;
    buildSmallEngine(original);
    Bytes bytes = original.snapshot();
    // The empty portfolio section (12 bytes) and the empty risk section (21 bytes).
    const std::size_t portfolioAt = bytes.size() - 16 - 12 - 21;
    bytes.erase(bytes.begin() + static_cast<std::ptrdiff_t>(portfolioAt),
                bytes.begin() + static_cast<std::ptrdiff_t>(portfolioAt + 12 + 21));
    storeLittleEndian(bytes, 8, 1, 2);
    storeLittleEndian(bytes, 10, bytes.size(), 8);
    reseal(bytes);

    Engine loaded;
    if (const auto error = Engine::loadSnapshot(bytes, loaded))
        QFAIL(error->message.c_str());
    QCOMPARE(loaded.stateHash(), original.stateHash());
    QVERIFY(loaded.portfolio().instrument(InstrumentId{1}) != nullptr);
    QVERIFY(loaded.portfolio().instrument(InstrumentId{2}) != nullptr);
    QVERIFY(loaded.portfolio().state().accounts.empty());
    QCOMPARE(loaded.snapshot(), original.snapshot());
}

// A cash account whose balance is made negative contradicts the portfolio's rules.
void SnapshotTest::damagedPortfolioIsRejected()
{
    Engine original;
    buildAccountEngine(original);
    Bytes bytes = original.snapshot();
    storeLittleEndian(bytes, offsetOf(bytes, 979'776), static_cast<std::uint64_t>(-1), 8);
    reseal(bytes);

    Engine target;
    const std::optional<SnapshotError> error = Engine::loadSnapshot(bytes, target);
    QVERIFY(error.has_value());
    QCOMPARE(nameText(error->kind), nameText(SnapshotErrorKind::Inconsistent));
    QVERIFY2(error->message.find("portfolio section does not load") != std::string::npos,
             error->message.c_str());
    QVERIFY(isEmpty(target));
    QVERIFY(target.portfolio().state().instruments.empty());
}

// Restoring every event of the account engine rebuilds its portfolio and its state hash after
// each event.
void SnapshotTest::fullRestoreWithAccounts()
{
    Engine original;
    EngineRecorder recorder(original);
    original.addHandler(&recorder);
    buildAccountEngine(original);
    QCOMPARE(recorder.all<AccountOpened>().size(), std::size_t{2});
    QCOMPARE(recorder.all<FillPosted>().size(), std::size_t{5});

    Engine restored;
    for (std::size_t i = 0; i < recorder.events.size(); ++i) {
        if (!isStateChange(typeOf(recorder.events[i].payload))) {
            QCOMPARE(restored.restore(recorder.events[i]), RestoreResult::Restored);
            continue;
        }
        const RestoreResult result = restored.restore(recorder.events[i]);
        QVERIFY2(result == RestoreResult::Restored,
                 qPrintable(fieldsOf(recorder.events[i]) + ": " +
                            QString::fromUtf8(nameOf(result).data())));
        QCOMPARE(restored.stateHash(), recorder.hashes[i]);
    }
    QVERIFY(restored.portfolio() == original.portfolio());
}

void SnapshotTest::restoreRejectsMismatchedFill_data()
{
    QTest::addColumn<std::function<void(FillPosted &)>>("change");
    QTest::addColumn<int>("expected");

    const auto row = [](const char *name, std::function<void(FillPosted &)> change,
                        RestoreResult expected) {
        QTest::newRow(name) << change << static_cast<int>(expected);
    };
    row(
        "fee", [](FillPosted &f) { f.fee = Money{f.fee.value() + 1}; },
        RestoreResult::FillMismatch);
    row(
        "realized P&L",
        [](FillPosted &f) { f.realizedProfitAndLoss = Money{f.realizedProfitAndLoss.value() + 1}; },
        RestoreResult::FillMismatch);
    row(
        "cash after", [](FillPosted &f) { f.cashBalance = Money{f.cashBalance.value() - 1}; },
        RestoreResult::FillMismatch);
    row(
        "position after", [](FillPosted &f) { f.position = Quantity{f.position.value() + 1}; },
        RestoreResult::FillMismatch);
    row(
        "account not open", [](FillPosted &f) { f.account = AccountId{9}; },
        RestoreResult::FillMismatch);
    row(
        "trade sequence zero", [](FillPosted &f) { f.tradeSequence = 0; },
        RestoreResult::FillMismatch);
    row(
        "other instrument", [](FillPosted &f) { f.instrument = InstrumentId{2}; },
        RestoreResult::WrongInstrument);
}

// A recorded fill whose amounts do not follow from the state is rejected and changes nothing.
void SnapshotTest::restoreRejectsMismatchedFill()
{
    QFETCH(std::function<void(FillPosted &)>, change);
    QFETCH(int, expected);

    Engine original;
    EngineRecorder recorder;
    original.addHandler(&recorder);
    buildAccountEngine(original);
    const auto fill =
        std::find_if(recorder.events.begin(), recorder.events.end(), [](const Event &event) {
            return std::holds_alternative<FillPosted>(event.payload);
        });
    QVERIFY(fill != recorder.events.end());

    Engine restored;
    for (auto event = recorder.events.begin(); event != fill; ++event)
        QCOMPARE(restored.restore(*event), RestoreResult::Restored);
    Event damaged = *fill;
    change(std::get<FillPosted>(damaged.payload));
    const std::uint64_t hash = restored.stateHash();
    QCOMPARE(static_cast<int>(restored.restore(damaged)), expected);
    QCOMPARE(restored.stateHash(), hash);
    QCOMPARE(restored.lastSequence(), damaged.sequence - 1);
    QCOMPARE(restored.restore(*fill), RestoreResult::Restored);
}

void SnapshotTest::restoreRejectsSecondOpening()
{
    Engine original;
    EngineRecorder recorder;
    original.addHandler(&recorder);
    buildAccountEngine(original);

    Engine restored;
    for (const Event &event : recorder.events)
        QCOMPARE(restored.restore(event), RestoreResult::Restored);
    Event again = recorder.events[1];
    QVERIFY(std::holds_alternative<AccountOpened>(again.payload));
    again.sequence = restored.lastSequence() + 1;
    QCOMPARE(restored.restore(again), RestoreResult::InvalidAccount);
    QCOMPARE(restored.lastSequence(), again.sequence - 1);
}

// A cash account without the cash for a buy gets no fill, which the engine counts. The seller's
// open account still gets its fill. The buy rests from before its account opened, because the
// buying power check rejects such an order from an open account.
void SnapshotTest::unpostedFillIsCounted()
{
    Engine engine;
    InstrumentDefinition definition = definitionOf(InstrumentId{1});
    definition.currency = currencyCode("USD");
    engine.addInstrument(definition, Timestamp{0});
    engine.openAccount(accountSettings(3, AccountType::Margin), Money{0}, Timestamp{0});
    engine.submit(withAccount(limitOrder(2, Side::Buy, 10, 50), 4), Timestamp{0});
    engine.openAccount(accountSettings(4, AccountType::Cash), Money{0}, Timestamp{0});
    EngineRecorder recorder;
    engine.addHandler(&recorder);
    engine.submit(withAccount(limitOrder(1, Side::Sell, 10, 50), 3), Timestamp{1});

    QCOMPARE(recorder.all<Trade>().size(), std::size_t{1});
    const std::vector<FillPosted> fills = recorder.all<FillPosted>();
    QCOMPARE(fills.size(), std::size_t{1});
    QCOMPARE(fills[0].account, AccountId{3});
    QCOMPARE(engine.unpostedFillCount(), std::uint64_t{1});
    QCOMPARE(engine.portfolio().account(AccountId{4})->balance, Money{0});
    QVERIFY(engine.portfolio().position(AccountId{4}, InstrumentId{1}) == nullptr);
}

void SnapshotTest::accountOpeningRejections()
{
    Engine engine(InstrumentId{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);
    engine.openAccount(accountSettings(3, AccountType::Cash), Money{10}, Timestamp{0});
    engine.openAccount(accountSettings(3, AccountType::Margin), Money{10}, Timestamp{0});
    engine.openAccount(accountSettings(0, AccountType::Margin), Money{10}, Timestamp{0});
    engine.openAccount(accountSettings(4, AccountType::Cash), Money{-1}, Timestamp{0});

    QCOMPARE(recorder.all<AccountOpened>().size(), std::size_t{1});
    const std::vector<OrderRejected> rejected = recorder.all<OrderRejected>();
    QCOMPARE(rejected.size(), std::size_t{3});
    QCOMPARE(rejected[0].reason, RejectReason::DuplicateAccount);
    QCOMPARE(rejected[0].account, AccountId{3});
    QCOMPARE(rejected[1].reason, RejectReason::InvalidAccount);
    QCOMPARE(rejected[2].reason, RejectReason::InvalidAccount);
    QCOMPARE(rejected[2].account, AccountId{4});
    QCOMPARE(engine.portfolio().account(AccountId{3})->settings.type, AccountType::Cash);
}

QTEST_APPLESS_MAIN(SnapshotTest)
#include "tst_snapshot.moc"

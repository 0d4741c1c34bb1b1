// Pre-trade risk inside the engine: rejections that explain themselves, checkOrder() for "would
// this order pass?", the kill switch on every order path, alerts, and a risk state that a
// restore or a snapshot rebuilds exactly.

#include "engine.h"
#include "engine/engine_test_support.h"

#include <QtTest>

using namespace bourse;
using namespace bourse::test;

namespace {

constexpr std::uint32_t kTrader = 7;
constexpr std::uint32_t kMarketMaker = 8;
constexpr std::uint32_t kOutsider = 9; // sends orders without a portfolio account

// Prices in cents: 10000 is 100.00. The tick is 5 cents.
InstrumentDefinition usdInstrument(std::uint32_t id)
{
    InstrumentDefinition definition;
    definition.id = InstrumentId{id};
    definition.currency = currencyCode("USD");
    definition.priceDecimals = 2;
    definition.tickSize = Price{5};
    return definition;
}

AccountSettings margin(std::uint32_t id)
{
    AccountSettings settings;
    settings.id = AccountId{id};
    settings.currency = currencyCode("USD");
    settings.moneyDecimals = 2;
    settings.type = AccountType::Margin;
    return settings;
}

// One instrument, a trader and a market maker with margin accounts of 1,000,000.00.
void setUp(Engine &engine)
{
    engine.addInstrument(usdInstrument(1), Timestamp{0});
    engine.openAccount(margin(kTrader), Money{100'000'000}, Timestamp{0});
    engine.openAccount(margin(kMarketMaker), Money{100'000'000}, Timestamp{0});
}

NewOrder order(std::uint64_t id, Side side, std::int64_t quantity, std::int64_t price,
               std::uint32_t account)
{
    NewOrder request = withAccount(limitOrder(id, side, quantity, price), account);
    request.instrument = InstrumentId{1};
    return request;
}

template <typename T>
std::size_t countOf(const EngineRecorder &recorder)
{
    return recorder.all<T>().size();
}

} // namespace

class RiskEngineTest : public QObject {
    Q_OBJECT

private slots:
    void rejectionPublishesDecisionThenReason();
    void rejectionExplainsItself();
    void checkOrderMatchesSubmitWithoutEvents();
    void ordersOfOtherAccountsMeetNoRule();
    void repeatedClientOrderIdGetsTheRiskAnswer();
    void replaceIsCheckedForWhatItAdds();
    void pauseKeepsWorkingOrders();
    void cancelAllCancelsEveryWorkingOrder();
    void flattenClosesPositionsWithProtectedOrders();
    void killSwitchStopsEveryOrderType();
    void globalKillSwitchCoversEveryAccount();
    void killSwitchOnUnknownAccountIsRejected();
    void limitsForUnknownAccountAreRejected();
    void alertsAtEightyAndHundredPercent();
    void lossAlertFromOthersTrades();
    void rateAlertAfterClockGoesBack();
    void dailyLossStartsAgainEachDay();
    void cashAccountCannotSellShort();
    void cashMarketBuyNeedsProtection();
    void uncountableOrderIsRejected();
    void partialFillsReleaseExactNotional();
    void untrackedOrderMeetsKillSwitchOnReplace();
    void flattenSplitsAboveMaximumSize();
    void restoreRejectsInvalidRiskEvents();
    void snapshotLoadsAfterRateLimitOff();
    void cashReplaceCannotSellShort();
    void flattenKeepsLastOrderAboveMinimum();
    void lossAfterMidnightCountsInNewDay();
    void restoreRebuildsTheRiskState();
    void restoreRecordsRiskRejectedClientId();
    void snapshotKeepsTheRateWindow();
};

// A position limit of 100: a buy of 101 is rejected with its decision, then the OrderRejected.
void RiskEngineTest::rejectionPublishesDecisionThenReason()
{
    Engine engine;
    setUp(engine);
    RiskLimits limits;
    limits.maximumLongPosition = Quantity{100};
    engine.setRiskLimits(AccountId{kTrader}, limits, Timestamp{1});

    EngineRecorder recorder;
    engine.addHandler(&recorder);
    engine.submit(order(1, Side::Buy, 101, 10'000, kTrader), Timestamp{2});

    QCOMPARE(recorder.events.size(), std::size_t{2});
    const auto *decision = std::get_if<RiskRejected>(&recorder.events[0].payload);
    const auto *rejected = std::get_if<OrderRejected>(&recorder.events[1].payload);
    QVERIFY(decision != nullptr);
    QVERIFY(rejected != nullptr);
    QCOMPARE(decision->id, OrderId{1});
    QCOMPARE(decision->account, AccountId{kTrader});
    QCOMPARE(decision->rule, RiskRule::PositionLong);
    QCOMPARE(decision->scope, LimitScope::AccountDefault);
    QCOMPARE(decision->wouldBe, std::int64_t{101});
    QCOMPARE(decision->limit, std::int64_t{100});
    QCOMPARE(rejected->reason, RejectReason::RiskLimit);
    QCOMPARE(rejected->id, OrderId{1});
    QCOMPARE(engine.liveOrderCount(), std::size_t{0});

    // The last order that passes: exactly 100.
    recorder.clear();
    engine.submit(order(2, Side::Buy, 100, 10'000, kTrader), Timestamp{3});
    QCOMPARE(countOf<OrderAccepted>(recorder), std::size_t{1});
    QCOMPARE(countOf<RiskRejected>(recorder), std::size_t{0});
}

// 700 long with 300 working buys and a limit of 1,000: a buy of 200 would make 1,200.
void RiskEngineTest::rejectionExplainsItself()
{
    Engine engine;
    setUp(engine);
    engine.submit(order(1, Side::Sell, 700, 10'000, kMarketMaker), Timestamp{1});
    engine.submit(order(2, Side::Buy, 700, 10'000, kTrader), Timestamp{1});
    engine.submit(order(3, Side::Buy, 300, 9'900, kTrader), Timestamp{1});
    RiskLimits limits;
    limits.maximumLongPosition = Quantity{1'000};
    engine.setRiskLimits(AccountId{kTrader}, limits, Timestamp{2});

    const OrderCheck check =
        engine.checkOrder(order(4, Side::Buy, 200, 9'900, kTrader), Timestamp{3});
    QVERIFY(!check.passes());
    QCOMPARE(check.reason, std::optional{RejectReason::RiskLimit});
    QCOMPARE(describe(check.risk),
             std::string("rejected: position limit, would be 1,200 long against the account "
                         "limit of 1,000 (position 700, open buys 300, this order 200)"));
}

// checkOrder() returns the outcome submit() then gives, and publishes nothing.
void RiskEngineTest::checkOrderMatchesSubmitWithoutEvents()
{
    Engine engine;
    setUp(engine);
    RiskLimits limits;
    limits.maximumOrderQuantity = Quantity{50};
    engine.setRiskLimits(AccountId{kTrader}, limits, Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    const std::uint64_t before = engine.stateHash();
    const OrderCheck small =
        engine.checkOrder(order(1, Side::Buy, 50, 10'000, kTrader), Timestamp{2});
    const OrderCheck large =
        engine.checkOrder(order(1, Side::Buy, 51, 10'000, kTrader), Timestamp{2});
    const OrderCheck offTick =
        engine.checkOrder(order(1, Side::Buy, 5, 10'001, kTrader), Timestamp{2});
    QVERIFY(recorder.events.empty());
    QCOMPARE(engine.stateHash(), before);
    QVERIFY(small.passes());
    QCOMPARE(large.reason, std::optional{RejectReason::RiskLimit});
    QCOMPARE(large.risk.rule, RiskRule::OrderQuantity);
    QCOMPARE(offTick.reason, std::optional{RejectReason::PriceNotOnTick});

    engine.submit(order(1, Side::Buy, 51, 10'000, kTrader), Timestamp{2});
    QCOMPARE(recorder.all<OrderRejected>().at(0).reason, RejectReason::RiskLimit);
    engine.submit(order(2, Side::Buy, 50, 10'000, kTrader), Timestamp{2});
    QCOMPARE(countOf<OrderAccepted>(recorder), std::size_t{1});
}

// Simulated agents and replayed data have no portfolio account; limits of open accounts, and
// the global kill switch, leave their orders alone.
void RiskEngineTest::ordersOfOtherAccountsMeetNoRule()
{
    Engine engine;
    setUp(engine);
    RiskLimits limits;
    limits.maximumOrderQuantity = Quantity{1};
    engine.setRiskLimits(AccountId{kTrader}, limits, Timestamp{1});
    engine.engageKillSwitch(AccountId{}, KillSwitchScope::Pause, Timestamp{1});

    EngineRecorder recorder;
    engine.addHandler(&recorder);
    engine.submit(order(1, Side::Buy, 1'000, 10'000, kOutsider), Timestamp{2});
    QCOMPARE(countOf<OrderAccepted>(recorder), std::size_t{1});
    QCOMPARE(countOf<RiskRejected>(recorder), std::size_t{0});
}

// Repeats of a rejected client order id get the same rejection, even after the limit that
// rejected it is lifted.
void RiskEngineTest::repeatedClientOrderIdGetsTheRiskAnswer()
{
    Engine engine;
    setUp(engine);
    RiskLimits limits;
    limits.maximumOrderQuantity = Quantity{10};
    engine.setRiskLimits(AccountId{kTrader}, limits, Timestamp{1});
    NewOrder request = order(0, Side::Buy, 11, 10'000, kTrader);
    request.clientOrderId = ClientOrderId{77};
    const OrderId first = engine.submit(request, Timestamp{2});
    engine.setRiskLimits(AccountId{kTrader}, RiskLimits{}, Timestamp{3});

    EngineRecorder recorder;
    engine.addHandler(&recorder);
    QCOMPARE(engine.submit(request, Timestamp{4}), first);
    QVERIFY(recorder.events.empty());
    const std::optional<ClientOrderAnswer> answer =
        engine.clientOrderAnswer(AccountId{kTrader}, ClientOrderId{77});
    QVERIFY(answer.has_value());
    QCOMPARE(answer->outcome, ClientOrderOutcome::Rejected);
    QCOMPARE(answer->reason, RejectReason::RiskLimit);
}

// A long limit of 100 with a working buy of 60: raising it to 100 passes, to 101 does not, and
// a cut always passes. A new price is checked too: 40 more at 100.00 with an order notional
// limit of 10,000.00 passes, the same order at 100.05 does not.
void RiskEngineTest::replaceIsCheckedForWhatItAdds()
{
    Engine engine;
    setUp(engine);
    RiskLimits limits;
    limits.maximumLongPosition = Quantity{100};
    limits.maximumOrderNotional = Money{1'000'000};
    engine.setRiskLimits(AccountId{kTrader}, limits, Timestamp{1});
    engine.submit(order(1, Side::Buy, 60, 9'000, kTrader), Timestamp{2});

    EngineRecorder recorder;
    engine.addHandler(&recorder);
    engine.replace({OrderId{1}, Price{}, Quantity{101}, Price{}}, Timestamp{3});
    QCOMPARE(countOf<RiskRejected>(recorder), std::size_t{1});
    QCOMPARE(recorder.all<RiskRejected>().at(0).rule, RiskRule::PositionLong);
    QCOMPARE(recorder.all<RiskRejected>().at(0).wouldBe, std::int64_t{101});
    QCOMPARE(engine.findOrder(OrderId{1})->remaining, Quantity{60});

    recorder.clear();
    engine.replace({OrderId{1}, Price{}, Quantity{100}, Price{}}, Timestamp{4});
    QCOMPARE(countOf<OrderReplaced>(recorder), std::size_t{1});
    QCOMPARE(
        engine.risk().evaluator().counters(AccountId{kTrader}, InstrumentId{1})->openBuyQuantity,
        Quantity{100});

    recorder.clear();
    engine.replace({OrderId{1}, Price{10'000}, Quantity{100}, Price{}}, Timestamp{5});
    QCOMPARE(countOf<OrderReplaced>(recorder), std::size_t{1});
    recorder.clear();
    engine.replace({OrderId{1}, Price{10'005}, Quantity{100}, Price{}}, Timestamp{6});
    QCOMPARE(countOf<RiskRejected>(recorder), std::size_t{1});
    QCOMPARE(recorder.all<RiskRejected>().at(0).rule, RiskRule::OrderNotional);

    recorder.clear();
    engine.replace({OrderId{1}, Price{}, Quantity{20}, Price{}}, Timestamp{7});
    QCOMPARE(countOf<OrderReplaced>(recorder), std::size_t{1});
    QCOMPARE(
        engine.risk().evaluator().counters(AccountId{kTrader}, InstrumentId{1})->openBuyQuantity,
        Quantity{20});
}

void RiskEngineTest::pauseKeepsWorkingOrders()
{
    Engine engine;
    setUp(engine);
    engine.submit(order(1, Side::Buy, 10, 9'000, kTrader), Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);
    engine.engageKillSwitch(AccountId{kTrader}, KillSwitchScope::Pause, Timestamp{2});

    QCOMPARE(recorder.events.size(), std::size_t{1});
    const auto &changed = std::get<KillSwitchChanged>(recorder.events[0].payload);
    QCOMPARE(changed.account, AccountId{kTrader});
    QCOMPARE(changed.scope, KillSwitchScope::Pause);
    QVERIFY(engine.findOrder(OrderId{1}) != nullptr);

    // A size cut lowers risk and passes; an increase does not.
    recorder.clear();
    engine.replace({OrderId{1}, Price{}, Quantity{5}, Price{}}, Timestamp{3});
    QCOMPARE(countOf<OrderReplaced>(recorder), std::size_t{1});
    recorder.clear();
    engine.replace({OrderId{1}, Price{}, Quantity{6}, Price{}}, Timestamp{3});
    QCOMPARE(recorder.all<OrderRejected>().at(0).reason, RejectReason::KillSwitchEngaged);
    // Cancels always pass.
    engine.cancel(OrderId{1}, Timestamp{4});
    QVERIFY(engine.findOrder(OrderId{1}) == nullptr);
}

void RiskEngineTest::cancelAllCancelsEveryWorkingOrder()
{
    Engine engine;
    setUp(engine);
    engine.submit(order(3, Side::Buy, 10, 9'000, kTrader), Timestamp{1});
    engine.submit(order(1, Side::Sell, 10, 11'000, kTrader), Timestamp{1});
    engine.submit(withAccount(stopOrder(2, Side::Buy, 5, 12'000), kTrader), Timestamp{1});
    engine.submit(order(4, Side::Sell, 10, 11'000, kMarketMaker), Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);
    engine.engageKillSwitch(AccountId{kTrader}, KillSwitchScope::CancelAll, Timestamp{2});

    const std::vector<OrderCancelled> cancelled = recorder.all<OrderCancelled>();
    QCOMPARE(cancelled.size(), std::size_t{3});
    QCOMPARE(cancelled[0].id, OrderId{1});
    QCOMPARE(cancelled[1].id, OrderId{2});
    QCOMPARE(cancelled[2].id, OrderId{3});
    for (const OrderCancelled &each : cancelled)
        QCOMPARE(each.reason, CancelReason::KillSwitch);
    QVERIFY(engine.findOrder(OrderId{4}) != nullptr);
    QCOMPARE(engine.risk().evaluator().accountCounters(AccountId{kTrader})->openOrders,
             std::int64_t{0});
}

// The trader is long 30 after buying at 100.00. Flatten sells 30 at market with a protection
// price 5% below the last trade, 95.00, so the bid at 96.00 fills 20 and the bid at 94.00 is
// beyond the protection; 10 stay open.
void RiskEngineTest::flattenClosesPositionsWithProtectedOrders()
{
    Engine engine;
    setUp(engine);
    engine.submit(order(1, Side::Sell, 30, 10'000, kMarketMaker), Timestamp{1});
    engine.submit(order(2, Side::Buy, 30, 10'000, kTrader), Timestamp{1});
    engine.submit(order(3, Side::Buy, 20, 9'600, kMarketMaker), Timestamp{1});
    engine.submit(order(4, Side::Buy, 50, 9'400, kMarketMaker), Timestamp{1});
    engine.submit(order(5, Side::Buy, 5, 9'000, kTrader), Timestamp{1});

    EngineRecorder recorder;
    engine.addHandler(&recorder);
    engine.engageKillSwitch(AccountId{kTrader}, KillSwitchScope::Flatten, Timestamp{2});

    const std::vector<OrderCancelled> cancelled = recorder.all<OrderCancelled>();
    QCOMPARE(cancelled.at(0).id, OrderId{5});
    QCOMPARE(cancelled.at(0).reason, CancelReason::KillSwitch);
    const std::vector<OrderAccepted> closing = recorder.all<OrderAccepted>();
    QCOMPARE(closing.size(), std::size_t{1});
    QCOMPARE(closing[0].type, OrderType::Market);
    QCOMPARE(closing[0].side, Side::Sell);
    QCOMPARE(closing[0].quantity, Quantity{30});
    QCOMPARE(closing[0].protectionPrice, Price{9'500});
    QCOMPARE(closing[0].account, AccountId{kTrader});
    const std::vector<Trade> trades = recorder.all<Trade>();
    QCOMPARE(trades.size(), std::size_t{1});
    QCOMPARE(trades[0].price, Price{9'600});
    QCOMPARE(trades[0].quantity, Quantity{20});
    QCOMPARE(recorder.all<OrderCancelled>().back().reason, CancelReason::ProtectionLimit);
    QCOMPARE(engine.portfolio().position(AccountId{kTrader}, InstrumentId{1})->quantity,
             Quantity{10});
    QCOMPARE(engine.risk().killSwitch(AccountId{kTrader}), KillSwitchScope::Flatten);

    // Engaging again retries: the rest sells to the bid at 94.00, within 5% of the new last
    // trade at 96.00 (protection 91.20).
    recorder.clear();
    engine.engageKillSwitch(AccountId{kTrader}, KillSwitchScope::Flatten, Timestamp{3});
    QCOMPARE(recorder.all<OrderAccepted>().at(0).protectionPrice, Price{9'120});
    QCOMPARE(recorder.all<Trade>().at(0).price, Price{9'400});
    QCOMPARE(engine.portfolio().position(AccountId{kTrader}, InstrumentId{1})->quantity,
             Quantity{0});
}

// Every kind of order the engine takes is stopped, and so is every replace but a size cut.
void RiskEngineTest::killSwitchStopsEveryOrderType()
{
    Engine engine;
    setUp(engine);
    engine.submit(order(1, Side::Sell, 10, 10'000, kMarketMaker), Timestamp{1});
    engine.submit(order(2, Side::Buy, 10, 9'000, kTrader), Timestamp{1});
    engine.engageKillSwitch(AccountId{kTrader}, KillSwitchScope::Pause, Timestamp{2});

    std::vector<NewOrder> orders;
    orders.push_back(order(10, Side::Buy, 1, 10'000, kTrader));
    orders.push_back(withAccount(marketOrder(11, Side::Buy, 1), kTrader));
    orders.push_back(withAccount(stopOrder(12, Side::Buy, 1, 10'500), kTrader));
    orders.push_back(withAccount(stopLimitOrder(13, Side::Buy, 1, 10'500, 10'600), kTrader));
    NewOrder ioc = order(14, Side::Buy, 1, 10'000, kTrader);
    ioc.timeInForce = TimeInForce::Ioc;
    orders.push_back(ioc);
    NewOrder fok = order(15, Side::Buy, 1, 10'000, kTrader);
    fok.timeInForce = TimeInForce::Fok;
    orders.push_back(fok);
    NewOrder iceberg = order(16, Side::Sell, 10, 11'000, kTrader);
    iceberg.displayQuantity = Quantity{2};
    orders.push_back(iceberg);
    NewOrder postOnly = order(17, Side::Sell, 1, 11'000, kTrader);
    postOnly.liquidity = Liquidity::PostOnly;
    orders.push_back(postOnly);

    EngineRecorder recorder;
    engine.addHandler(&recorder);
    for (NewOrder request : orders) {
        request.instrument = InstrumentId{1};
        const OrderCheck check = engine.checkOrder(request, Timestamp{3});
        QCOMPARE(check.reason, std::optional{RejectReason::KillSwitchEngaged});
        engine.submit(request, Timestamp{3});
    }
    engine.replace({OrderId{2}, Price{9'500}, Quantity{10}, Price{}}, Timestamp{3});
    QCOMPARE(countOf<OrderAccepted>(recorder), std::size_t{0});
    QCOMPARE(countOf<OrderReplaced>(recorder), std::size_t{0});
    const std::vector<OrderRejected> rejected = recorder.all<OrderRejected>();
    QCOMPARE(rejected.size(), orders.size() + 1);
    for (const OrderRejected &each : rejected)
        QCOMPARE(each.reason, RejectReason::KillSwitchEngaged);
    for (const RiskRejected &each : recorder.all<RiskRejected>()) {
        QCOMPARE(each.rule, RiskRule::KillSwitch);
        QCOMPARE(each.killSwitch, KillSwitchScope::Pause);
    }

    // After a reset the same order passes.
    engine.resetKillSwitch(AccountId{kTrader}, Timestamp{4});
    engine.submit(order(20, Side::Buy, 1, 9'000, kTrader), Timestamp{4});
    QCOMPARE(countOf<OrderAccepted>(recorder), std::size_t{1});
}

void RiskEngineTest::globalKillSwitchCoversEveryAccount()
{
    Engine engine;
    setUp(engine);
    engine.submit(order(1, Side::Buy, 10, 9'000, kTrader), Timestamp{1});
    engine.submit(order(2, Side::Sell, 10, 11'000, kMarketMaker), Timestamp{1});
    engine.submit(order(3, Side::Sell, 10, 11'000, kOutsider), Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);
    engine.engageKillSwitch(AccountId{}, KillSwitchScope::CancelAll, Timestamp{2});

    QCOMPARE(recorder.all<KillSwitchChanged>().at(0).account, AccountId{});
    QCOMPARE(countOf<OrderCancelled>(recorder), std::size_t{2});
    QVERIFY(engine.findOrder(OrderId{3}) != nullptr);
    engine.submit(order(4, Side::Buy, 1, 9'000, kMarketMaker), Timestamp{3});
    QCOMPARE(recorder.all<RiskRejected>().at(0).scope, LimitScope::Global);

    // The global switch and an account's own are released separately.
    engine.engageKillSwitch(AccountId{kTrader}, KillSwitchScope::Pause, Timestamp{4});
    engine.resetKillSwitch(AccountId{}, Timestamp{5});
    QVERIFY(engine.checkOrder(order(5, Side::Buy, 1, 9'000, kMarketMaker), Timestamp{6}).passes());
    QCOMPARE(engine.checkOrder(order(5, Side::Buy, 1, 9'000, kTrader), Timestamp{6}).reason,
             std::optional{RejectReason::KillSwitchEngaged});
}

void RiskEngineTest::killSwitchOnUnknownAccountIsRejected()
{
    Engine engine(InstrumentId{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);
    engine.engageKillSwitch(AccountId{}, KillSwitchScope::Pause, Timestamp{1});
    engine.openAccount(margin(kTrader), Money{0}, Timestamp{1});
    engine.engageKillSwitch(AccountId{kOutsider}, KillSwitchScope::Pause, Timestamp{1});
    engine.engageKillSwitch(AccountId{kTrader}, KillSwitchScope::None, Timestamp{1});

    const std::vector<OrderRejected> rejected = recorder.all<OrderRejected>();
    QCOMPARE(rejected.size(), std::size_t{3});
    QCOMPARE(rejected[0].reason, RejectReason::InvalidAccount);
    QCOMPARE(rejected[1].reason, RejectReason::InvalidAccount);
    QCOMPARE(rejected[2].reason, RejectReason::InvalidRiskLimits);
    QCOMPARE(countOf<KillSwitchChanged>(recorder), std::size_t{0});
}

void RiskEngineTest::limitsForUnknownAccountAreRejected()
{
    Engine engine;
    setUp(engine);
    EngineRecorder recorder;
    engine.addHandler(&recorder);
    RiskLimits limits;
    limits.maximumOpenOrders = 5;
    engine.setRiskLimits(AccountId{kOutsider}, limits, Timestamp{1});
    engine.setRiskOverrides(AccountId{kTrader}, InstrumentId{99}, limits,
                            static_cast<std::uint16_t>(RiskLimitField::OpenOrders), Timestamp{1});
    limits.maximumOpenOrders = -1;
    engine.setRiskLimits(AccountId{kTrader}, limits, Timestamp{1});
    limits.maximumOpenOrders = 0;
    limits.maximumOrdersPerSecond = kMaximumOrdersPerSecond + 1;
    engine.setRiskLimits(AccountId{kTrader}, limits, Timestamp{1});

    const std::vector<OrderRejected> rejected = recorder.all<OrderRejected>();
    QCOMPARE(rejected.size(), std::size_t{4});
    QCOMPARE(rejected[0].reason, RejectReason::InvalidAccount);
    QCOMPARE(rejected[1].reason, RejectReason::UnknownInstrument);
    QCOMPARE(rejected[2].reason, RejectReason::InvalidRiskLimits);
    QCOMPARE(rejected[3].reason, RejectReason::InvalidRiskLimits);
    QCOMPARE(countOf<RiskLimitsSet>(recorder), std::size_t{0});
}

// Open orders limited to 5: the fourth order reaches 80%, the fifth 100%, and a cancel takes it
// back to 80%. Each crossing is one alert; an order that changes nothing crosses nothing.
void RiskEngineTest::alertsAtEightyAndHundredPercent()
{
    Engine engine;
    setUp(engine);
    RiskLimits limits;
    limits.maximumOpenOrders = 5;
    engine.setRiskLimits(AccountId{kTrader}, limits, Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    std::vector<std::size_t> alertsAfter;
    for (std::uint64_t id = 1; id <= 5; ++id) {
        engine.submit(order(id, Side::Buy, 1, 9'000, kTrader), Timestamp{2});
        alertsAfter.push_back(countOf<RiskAlert>(recorder));
    }
    QCOMPARE(alertsAfter, (std::vector<std::size_t>{0, 0, 0, 1, 2}));
    const std::vector<RiskAlert> alerts = recorder.all<RiskAlert>();
    QCOMPARE(alerts[0].rule, RiskRule::OpenOrders);
    QCOMPARE(alerts[0].level, RiskAlertLevel::Warning);
    QCOMPARE(alerts[0].use, std::int64_t{4});
    QCOMPARE(alerts[0].basisPoints, std::int64_t{8'000});
    QCOMPARE(alerts[1].level, RiskAlertLevel::Breach);
    QCOMPARE(alerts[1].use, std::int64_t{5});

    // Each alert comes after the events of its command.
    QVERIFY(std::holds_alternative<RiskAlert>(recorder.events.back().payload));

    engine.cancel(OrderId{5}, Timestamp{3});
    QCOMPARE(recorder.all<RiskAlert>().back().level, RiskAlertLevel::Warning);
    engine.cancel(OrderId{4}, Timestamp{3});
    QCOMPARE(recorder.all<RiskAlert>().back().level, RiskAlertLevel::Normal);
    QCOMPARE(countOf<RiskAlert>(recorder), std::size_t{4});
}

// A daily loss limit of 100.00 and a long position of 100 bought at 100.00. Trades of other
// accounts move the mark to 99.15, a loss of 85.00, and the alert comes with the trader's next
// command: a cancel, which lowers every other use.
void RiskEngineTest::lossAlertFromOthersTrades()
{
    Engine engine;
    setUp(engine);
    RiskLimits limits;
    limits.dailyLossLimit = Money{10'000};
    engine.setRiskLimits(AccountId{kTrader}, limits, Timestamp{1});
    engine.submit(order(1, Side::Sell, 100, 10'000, kMarketMaker), Timestamp{2});
    engine.submit(order(2, Side::Buy, 100, 10'000, kTrader), Timestamp{2});
    engine.submit(order(3, Side::Buy, 1, 9'000, kTrader), Timestamp{2});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    engine.submit(order(4, Side::Sell, 1, 9'915, kMarketMaker), Timestamp{3});
    engine.submit(order(5, Side::Buy, 1, 9'915, kOutsider), Timestamp{3});
    QCOMPARE(countOf<RiskAlert>(recorder), std::size_t{0});

    engine.cancel(OrderId{3}, Timestamp{4});
    const std::vector<RiskAlert> alerts = recorder.all<RiskAlert>();
    QCOMPARE(alerts.size(), std::size_t{1});
    QCOMPARE(alerts[0].account, AccountId{kTrader});
    QCOMPARE(alerts[0].rule, RiskRule::DailyLoss);
    QCOMPARE(alerts[0].level, RiskAlertLevel::Warning);
    QCOMPARE(alerts[0].use, std::int64_t{8'500});
    QCOMPARE(alerts[0].basisPoints, std::int64_t{8'500});
}

// An order rate of 10 a second. Eight orders within 70 ms reach 80%; a cancel two seconds later
// finds none in the last second. A cancel with a clock that went back to 1.5 s finds all eight
// in its second again, and the warning returns.
void RiskEngineTest::rateAlertAfterClockGoesBack()
{
    constexpr std::int64_t millisecond = 1'000'000;
    Engine engine;
    setUp(engine);
    RiskLimits limits;
    limits.maximumOrdersPerSecond = 10;
    engine.setRiskLimits(AccountId{kTrader}, limits, Timestamp{1});
    EngineRecorder recorder;
    engine.addHandler(&recorder);

    for (std::uint64_t id = 1; id <= 8; ++id) {
        const auto time = static_cast<std::int64_t>(1'000 + 10 * (id - 1)) * millisecond;
        engine.submit(order(id, Side::Buy, 1, 9'000, kTrader), Timestamp{time});
    }
    engine.cancel(OrderId{1}, Timestamp{3'000 * millisecond});
    engine.cancel(OrderId{2}, Timestamp{1'500 * millisecond});

    const std::vector<RiskAlert> alerts = recorder.all<RiskAlert>();
    QCOMPARE(alerts.size(), std::size_t{3});
    QCOMPARE(alerts[0].rule, RiskRule::OrderRate);
    QCOMPARE(alerts[0].level, RiskAlertLevel::Warning);
    QCOMPARE(alerts[0].use, std::int64_t{8});
    QCOMPARE(alerts[1].level, RiskAlertLevel::Normal);
    QCOMPARE(alerts[1].use, std::int64_t{0});
    QCOMPARE(alerts[2].level, RiskAlertLevel::Warning);
    QCOMPARE(alerts[2].use, std::int64_t{8});
}

// A daily loss limit of 100.00. The trader buys 100 at 100.00 and the price falls to 98.95: a
// loss of 105.00 stops new orders. At the next day's first command the loss so far becomes the
// day's starting point, and orders pass again.
void RiskEngineTest::dailyLossStartsAgainEachDay()
{
    constexpr std::int64_t day = 86'400LL * 1'000'000'000LL;
    Engine engine;
    setUp(engine);
    RiskLimits limits;
    limits.dailyLossLimit = Money{10'000};
    engine.setRiskLimits(AccountId{kTrader}, limits, Timestamp{1});
    engine.submit(order(1, Side::Sell, 100, 10'000, kMarketMaker), Timestamp{2});
    engine.submit(order(2, Side::Buy, 100, 10'000, kTrader), Timestamp{2});
    engine.submit(order(3, Side::Sell, 1, 9'895, kMarketMaker), Timestamp{3});
    engine.submit(order(4, Side::Buy, 1, 9'895, kOutsider), Timestamp{3});

    const OrderCheck today =
        engine.checkOrder(order(5, Side::Sell, 1, 9'895, kTrader), Timestamp{4});
    QCOMPARE(today.risk.rule, RiskRule::DailyLoss);
    QCOMPARE(today.risk.wouldBe, std::int64_t{10'500});
    QCOMPARE(engine.riskMonitor(AccountId{kTrader}, Timestamp{4}).day.total, Money{-10'500});
    QCOMPARE(engine.riskMonitor(AccountId{kTrader}, Timestamp{4}).day.drawdown, Money{10'500});

    const OrderCheck tomorrow =
        engine.checkOrder(order(5, Side::Sell, 1, 9'895, kTrader), Timestamp{day + 4});
    QVERIFY(tomorrow.passes());
    engine.submit(order(5, Side::Sell, 1, 9'895, kTrader), Timestamp{day + 4});
    const RiskMonitor monitor = engine.riskMonitor(AccountId{kTrader}, Timestamp{day + 5});
    QCOMPARE(monitor.day.total, Money{0});
    QCOMPARE(monitor.exposures.size(), std::size_t{1});
    QCOMPARE(monitor.exposures[0].position, Quantity{100});
    QCOMPARE(monitor.exposures[0].exposure, Money{989'500});
}

AccountSettings cash(std::uint32_t id)
{
    AccountSettings settings = margin(id);
    settings.type = AccountType::Cash;
    return settings;
}

void RiskEngineTest::cashAccountCannotSellShort()
{
    Engine engine;
    setUp(engine);
    engine.openAccount(cash(kOutsider + 1), Money{100'000}, Timestamp{0});
    const OrderCheck check =
        engine.checkOrder(order(1, Side::Sell, 10, 10'000, kOutsider + 1), Timestamp{1});
    QCOMPARE(check.reason, std::optional{RejectReason::RiskLimit});
    QCOMPARE(check.risk.rule, RiskRule::PositionShort);
    QCOMPARE(check.risk.scope, LimitScope::CashBalance);
    QCOMPARE(check.risk.wouldBe, std::int64_t{10});
}

// With 1,000.00 of cash, a market buy without a protection price could pay any price.
void RiskEngineTest::cashMarketBuyNeedsProtection()
{
    Engine engine;
    setUp(engine);
    const std::uint32_t buyer = kOutsider + 1;
    engine.openAccount(cash(buyer), Money{100'000}, Timestamp{0});
    engine.submit(order(1, Side::Sell, 90, 5'000, kMarketMaker), Timestamp{1});
    engine.submit(order(2, Side::Sell, 1, 1'000, kOutsider), Timestamp{1});
    engine.submit(order(3, Side::Buy, 1, 1'000, kOutsider + 2), Timestamp{1});

    NewOrder sweep = withAccount(marketOrder(4, Side::Buy, 90), buyer);
    sweep.instrument = InstrumentId{1};
    const OrderCheck unprotected = engine.checkOrder(sweep, Timestamp{2});
    QCOMPARE(unprotected.risk.rule, RiskRule::MissingPrice);
    sweep.protectionPrice = Price{5'000};
    const OrderCheck protectedBuy = engine.checkOrder(sweep, Timestamp{2});
    QCOMPARE(protectedBuy.risk.rule, RiskRule::BuyingPower);
    QCOMPARE(protectedBuy.risk.wouldBe, std::int64_t{450'000});
}

// With 18 money decimals, 5 at 100.00 is 500 * 10^18 money units, beyond 64 bits: the counters
// could not hold it, so the order is rejected rather than left uncounted.
void RiskEngineTest::uncountableOrderIsRejected()
{
    Engine engine;
    setUp(engine);
    AccountSettings wei = margin(kOutsider + 1);
    wei.moneyDecimals = 18;
    engine.openAccount(wei, Money{0}, Timestamp{0});
    const OrderCheck check =
        engine.checkOrder(order(1, Side::Buy, 5, 10'000, kOutsider + 1), Timestamp{1});
    QCOMPARE(check.risk.rule, RiskRule::OutOfRange);
}

// Prices with 4 decimals, money with 2. A buy of 300 at 1.0005 counts 300.15. Three fills of 7
// are 7.0035 each, which rounds to 7.00 on its own; released that way they would leave 279.15
// committed. Released as the order's notional before less after, they leave 279 * 1.0005 =
// 279.1395, rounded half to even to 279.14, as a fresh count of the order gives.
void RiskEngineTest::partialFillsReleaseExactNotional()
{
    Engine engine;
    InstrumentDefinition definition = usdInstrument(1);
    definition.priceDecimals = 4;
    definition.tickSize = Price{1};
    engine.addInstrument(definition, Timestamp{0});
    engine.openAccount(margin(kTrader), Money{100'000'000}, Timestamp{0});
    engine.submit(order(1, Side::Buy, 300, 10'005, kTrader), Timestamp{1});
    for (std::uint64_t id = 2; id <= 4; ++id)
        engine.submit(order(id, Side::Sell, 7, 10'005, kOutsider), Timestamp{2});
    const RiskPairCounters *counters =
        engine.risk().evaluator().counters(AccountId{kTrader}, InstrumentId{1});
    QCOMPARE(counters->openBuyQuantity, Quantity{279});
    QCOMPARE(counters->openBuyNotional, Money{27'914});
}

void RiskEngineTest::untrackedOrderMeetsKillSwitchOnReplace()
{
    Engine engine;
    engine.addInstrument(usdInstrument(1), Timestamp{0});
    engine.submit(order(1, Side::Buy, 10, 9'000, kTrader), Timestamp{0});
    engine.openAccount(margin(kTrader), Money{0}, Timestamp{1});
    engine.engageKillSwitch(AccountId{kTrader}, KillSwitchScope::Pause, Timestamp{2});
    EngineRecorder recorder;
    engine.addHandler(&recorder);
    engine.replace({OrderId{1}, Price{9'500}, Quantity{1'000}, Price{}}, Timestamp{3});
    QCOMPARE(recorder.all<OrderRejected>().at(0).reason, RejectReason::KillSwitchEngaged);
    engine.replace({OrderId{1}, Price{}, Quantity{5}, Price{}}, Timestamp{3});
    QCOMPARE(countOf<OrderReplaced>(recorder), std::size_t{1});
}

// Maximum order size 100 and a position of 250: flatten closes it in orders of 100, 100, 50.
void RiskEngineTest::flattenSplitsAboveMaximumSize()
{
    Engine engine;
    InstrumentDefinition definition = usdInstrument(1);
    definition.maximumQuantity = Quantity{100};
    engine.addInstrument(definition, Timestamp{0});
    engine.openAccount(margin(kTrader), Money{100'000'000}, Timestamp{0});
    for (std::uint64_t id = 1; id <= 3; ++id) {
        engine.submit(order(id, Side::Sell, id < 3 ? 100 : 50, 10'000, kOutsider), Timestamp{1});
        engine.submit(order(10 + id, Side::Buy, id < 3 ? 100 : 50, 10'000, kTrader), Timestamp{1});
    }
    engine.submit(order(20, Side::Buy, 100, 10'000, kOutsider), Timestamp{1});
    engine.submit(order(21, Side::Buy, 100, 9'950, kOutsider), Timestamp{1});
    engine.submit(order(22, Side::Buy, 100, 9'900, kOutsider), Timestamp{1});

    EngineRecorder recorder;
    engine.addHandler(&recorder);
    engine.engageKillSwitch(AccountId{kTrader}, KillSwitchScope::Flatten, Timestamp{2});
    std::vector<std::int64_t> sizes;
    for (const OrderAccepted &accepted : recorder.all<OrderAccepted>())
        sizes.push_back(accepted.quantity.value());
    QCOMPARE(sizes, (std::vector<std::int64_t>{100, 100, 50}));
    QCOMPARE(engine.portfolio().position(AccountId{kTrader}, InstrumentId{1})->quantity,
             Quantity{0});
}

// Events that did not come through the codec may hold any value: restore names them invalid and
// changes nothing.
void RiskEngineTest::restoreRejectsInvalidRiskEvents()
{
    Engine original;
    EngineRecorder recorder;
    original.addHandler(&recorder);
    setUp(original);
    Engine restored;
    for (const Event &event : recorder.events)
        QCOMPARE(restored.restore(event), RestoreResult::Restored);
    const std::uint64_t before = restored.stateHash();
    const SequenceNumber next = restored.lastSequence() + 1;

    std::vector<EventPayload> hostile;
    hostile.push_back(KillSwitchChanged{AccountId{kTrader}, static_cast<KillSwitchScope>(7)});
    hostile.push_back(KillSwitchChanged{AccountId{kOutsider}, KillSwitchScope::Pause});
    RiskAlert alert{AccountId{kTrader},
                    RiskRule::OpenOrders,
                    LimitScope::AccountDefault,
                    static_cast<RiskAlertLevel>(9),
                    1,
                    1,
                    10'000};
    hostile.push_back(alert);
    alert.level = RiskAlertLevel::Breach;
    alert.rule = RiskRule::None;
    hostile.push_back(alert);
    RiskRejected rejected;
    rejected.account = AccountId{kTrader};
    rejected.rule = static_cast<RiskRule>(200);
    hostile.push_back(rejected);
    RiskLimits negative;
    negative.maximumOpenOrders = -1;
    hostile.push_back(RiskLimitsSet{AccountId{kTrader}, negative, 0});

    for (const EventPayload &payload : hostile) {
        const Event event{next, Timestamp{5}, InstrumentId{}, payload};
        QCOMPARE(restored.restore(event), RestoreResult::InvalidRiskLimits);
        QCOMPARE(restored.stateHash(), before);
    }
    RiskAlert unknownInstrument{AccountId{kTrader},
                                RiskRule::PositionLong,
                                LimitScope::AccountDefault,
                                RiskAlertLevel::Breach,
                                1,
                                1,
                                10'000};
    QCOMPARE(restored.restore(Event{next, Timestamp{5}, InstrumentId{77}, unknownInstrument}),
             RestoreResult::InvalidRiskLimits);
}

void RiskEngineTest::snapshotLoadsAfterRateLimitOff()
{
    Engine original;
    setUp(original);
    RiskLimits limits;
    limits.maximumOrdersPerSecond = 5;
    original.setRiskLimits(AccountId{kTrader}, limits, Timestamp{1});
    original.submit(order(1, Side::Buy, 1, 9'000, kTrader), Timestamp{2});
    original.setRiskLimits(AccountId{kTrader}, RiskLimits{}, Timestamp{3});

    Engine loaded;
    if (const auto error = Engine::loadSnapshot(original.snapshot(), loaded))
        QFAIL(error->message.c_str());
    QCOMPARE(loaded.stateHash(), original.stateHash());
}

// Holding 10 with a sell of 10 working, a replace of that sell to 100 would sell 90 short.
void RiskEngineTest::cashReplaceCannotSellShort()
{
    Engine engine;
    setUp(engine);
    const std::uint32_t seller = kOutsider + 1;
    engine.openAccount(cash(seller), Money{1'000'000}, Timestamp{0});
    engine.submit(order(1, Side::Sell, 10, 10'000, kMarketMaker), Timestamp{1});
    engine.submit(order(2, Side::Buy, 10, 10'000, seller), Timestamp{1});
    engine.submit(order(3, Side::Sell, 10, 11'000, seller), Timestamp{2});

    EngineRecorder recorder;
    engine.addHandler(&recorder);
    engine.replace({OrderId{3}, Price{}, Quantity{100}, Price{}}, Timestamp{3});
    QCOMPARE(countOf<OrderReplaced>(recorder), std::size_t{0});
    const RiskRejected rejected = recorder.all<RiskRejected>().at(0);
    QCOMPARE(rejected.rule, RiskRule::PositionShort);
    QCOMPARE(rejected.scope, LimitScope::CashBalance);
    QCOMPARE(rejected.wouldBe, std::int64_t{90});
}

// Sizes from 10 to 100 and a position of 205: 100, 95 and 10, so that none is below 10.
void RiskEngineTest::flattenKeepsLastOrderAboveMinimum()
{
    Engine engine;
    InstrumentDefinition definition = usdInstrument(1);
    definition.minimumQuantity = Quantity{10};
    definition.maximumQuantity = Quantity{100};
    engine.addInstrument(definition, Timestamp{0});
    engine.openAccount(margin(kTrader), Money{100'000'000}, Timestamp{0});
    engine.submit(order(1, Side::Sell, 100, 10'000, kOutsider), Timestamp{1});
    engine.submit(order(2, Side::Sell, 95, 10'000, kOutsider), Timestamp{1});
    engine.submit(order(3, Side::Sell, 10, 10'000, kOutsider), Timestamp{1});
    engine.submit(order(11, Side::Buy, 100, 10'000, kTrader), Timestamp{1});
    engine.submit(order(12, Side::Buy, 95, 10'000, kTrader), Timestamp{1});
    engine.submit(order(13, Side::Buy, 10, 10'000, kTrader), Timestamp{1});
    engine.submit(order(20, Side::Buy, 100, 10'000, kOutsider), Timestamp{1});
    engine.submit(order(21, Side::Buy, 100, 9'950, kOutsider), Timestamp{1});
    engine.submit(order(22, Side::Buy, 100, 9'900, kOutsider), Timestamp{1});
    QCOMPARE(engine.portfolio().position(AccountId{kTrader}, InstrumentId{1})->quantity,
             Quantity{205});

    EngineRecorder recorder;
    engine.addHandler(&recorder);
    engine.engageKillSwitch(AccountId{kTrader}, KillSwitchScope::Flatten, Timestamp{2});
    std::vector<std::int64_t> sizes;
    for (const OrderAccepted &accepted : recorder.all<OrderAccepted>())
        sizes.push_back(accepted.quantity.value());
    QCOMPARE(sizes, (std::vector<std::int64_t>{100, 95, 10}));
    QCOMPARE(engine.portfolio().position(AccountId{kTrader}, InstrumentId{1})->quantity,
             Quantity{0});
}

// Long 100 from 100.00 with a loss limit of 100.00. The day ends at 98.95; just after midnight
// other accounts trade at 97.00. The new day starts from 98.95, so it has lost 195.00.
void RiskEngineTest::lossAfterMidnightCountsInNewDay()
{
    constexpr std::int64_t day = 86'400LL * 1'000'000'000LL;
    Engine engine;
    setUp(engine);
    RiskLimits limits;
    limits.dailyLossLimit = Money{10'000};
    engine.setRiskLimits(AccountId{kTrader}, limits, Timestamp{1});
    engine.submit(order(1, Side::Sell, 100, 10'000, kMarketMaker), Timestamp{2});
    engine.submit(order(2, Side::Buy, 100, 10'000, kTrader), Timestamp{2});
    engine.submit(order(3, Side::Sell, 1, 9'895, kMarketMaker), Timestamp{3});
    engine.submit(order(4, Side::Buy, 1, 9'895, kOutsider), Timestamp{3});

    engine.submit(order(5, Side::Sell, 1, 9'700, kMarketMaker), Timestamp{day + 500});
    engine.submit(order(6, Side::Buy, 1, 9'700, kOutsider), Timestamp{day + 500});
    const OrderCheck check =
        engine.checkOrder(order(7, Side::Buy, 1, 9'000, kTrader), Timestamp{day + 1'000});
    QCOMPARE(check.risk.rule, RiskRule::DailyLoss);
    QCOMPARE(check.risk.wouldBe, std::int64_t{19'500});
}

// An engine restored from another's events has its state hash after every event, and decides
// the next orders as the original does.
void RiskEngineTest::restoreRebuildsTheRiskState()
{
    Engine original;
    EngineRecorder recorder(original);
    original.addHandler(&recorder);
    setUp(original);
    RiskLimits limits;
    limits.maximumLongPosition = Quantity{50};
    limits.maximumOpenOrders = 3;
    limits.maximumOrdersPerSecond = 4;
    limits.dailyLossLimit = Money{1'000'000};
    original.setRiskLimits(AccountId{kTrader}, limits, Timestamp{1});
    RiskLimits override;
    override.maximumLongPosition = Quantity{30};
    original.setRiskOverrides(AccountId{kTrader}, InstrumentId{1}, override,
                              static_cast<std::uint16_t>(RiskLimitField::LongPosition),
                              Timestamp{1});
    original.submit(order(1, Side::Sell, 100, 10'000, kMarketMaker), Timestamp{2});
    original.submit(order(2, Side::Buy, 20, 10'000, kTrader), Timestamp{2});
    original.submit(order(3, Side::Buy, 11, 9'000, kTrader), Timestamp{2});
    original.submit(order(4, Side::Buy, 10, 9'000, kTrader), Timestamp{3});
    original.engageKillSwitch(AccountId{kMarketMaker}, KillSwitchScope::CancelAll, Timestamp{3});

    Engine restored;
    for (std::size_t i = 0; i < recorder.events.size(); ++i) {
        QCOMPARE(restored.restore(recorder.events[i]), RestoreResult::Restored);
        QCOMPARE(restored.stateHash(), recorder.hashes[i]);
    }
    QCOMPARE(restored.risk().stateHash(), original.risk().stateHash());
    QCOMPARE(*restored.risk().evaluator().counters(AccountId{kTrader}, InstrumentId{1}),
             *original.risk().evaluator().counters(AccountId{kTrader}, InstrumentId{1}));
    for (std::int64_t quantity : {1, 2}) {
        const NewOrder next = order(10, Side::Buy, quantity, 9'000, kTrader);
        QCOMPARE(restored.checkOrder(next, Timestamp{4}).risk.rule,
                 original.checkOrder(next, Timestamp{4}).risk.rule);
    }
    QCOMPARE(
        original.checkOrder(order(10, Side::Sell, 1, 11'000, kMarketMaker), Timestamp{4}).reason,
        std::optional{RejectReason::KillSwitchEngaged});
}

// An order with a client order id that the size limit rejects. Its answer is the OrderRejected,
// after the RiskRejected, so the restored engine has the same record and state after each event.
void RiskEngineTest::restoreRecordsRiskRejectedClientId()
{
    Engine original;
    EngineRecorder recorder(original);
    original.addHandler(&recorder);
    setUp(original);
    RiskLimits limits;
    limits.maximumOrderQuantity = Quantity{10};
    original.setRiskLimits(AccountId{kTrader}, limits, Timestamp{1});
    NewOrder request = order(1, Side::Buy, 20, 10'000, kTrader);
    request.clientOrderId = ClientOrderId{26};
    original.submit(request, Timestamp{2});

    QVERIFY(
        std::holds_alternative<RiskRejected>(recorder.events[recorder.events.size() - 2].payload));
    const Event &answer = recorder.events.back();
    QVERIFY(std::holds_alternative<OrderRejected>(answer.payload));
    const std::optional<ClientOrderAnswer> recorded =
        original.clientOrderAnswer(AccountId{kTrader}, ClientOrderId{26});
    QVERIFY(recorded.has_value());
    QCOMPARE(recorded->sequence, answer.sequence);

    Engine restored;
    for (std::size_t i = 0; i < recorder.events.size(); ++i) {
        QCOMPARE(restored.restore(recorder.events[i]), RestoreResult::Restored);
        QCOMPARE(restored.stateHash(), recorder.hashes[i]);
    }
}

// Four orders a second: right after a snapshot, a fifth order in the same second is rejected by
// the loaded engine as by the original, and one a second later passes in both.
void RiskEngineTest::snapshotKeepsTheRateWindow()
{
    Engine original;
    setUp(original);
    RiskLimits limits;
    limits.maximumOrdersPerSecond = 4;
    original.setRiskLimits(AccountId{kTrader}, limits, Timestamp{1});
    for (std::uint64_t id = 1; id <= 4; ++id)
        original.submit(order(id, Side::Buy, 1, 9'000, kTrader), Timestamp{1'000});

    Engine loaded;
    const std::vector<std::uint8_t> bytes = original.snapshot();
    if (const auto error = Engine::loadSnapshot(bytes, loaded))
        QFAIL(error->message.c_str());
    QCOMPARE(loaded.stateHash(), original.stateHash());

    const NewOrder fifth = order(5, Side::Buy, 1, 9'000, kTrader);
    QCOMPARE(loaded.checkOrder(fifth, Timestamp{2'000}).risk.rule, RiskRule::OrderRate);
    QCOMPARE(original.checkOrder(fifth, Timestamp{2'000}).risk.rule, RiskRule::OrderRate);
    const Timestamp later{1'000 + 1'000'000'000};
    QVERIFY(loaded.checkOrder(fifth, later).passes());
    QVERIFY(original.checkOrder(fifth, later).passes());
}

QTEST_GUILESS_MAIN(RiskEngineTest)
#include "tst_risk_engine.moc"

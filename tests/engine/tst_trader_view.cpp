#include "engine_printers.h"
#include "trader_view.h"

#include <QTest>

#include <algorithm>
#include <string>

using namespace bourse;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
const AccountId kTrader{1};

InstrumentDefinition definition(std::uint32_t id, const std::string &symbol, std::int64_t tick)
{
    InstrumentDefinition terms;
    terms.id = InstrumentId{id};
    std::copy(symbol.begin(), symbol.end(), terms.symbol.begin());
    terms.currency = currencyCode("USD");
    terms.priceDecimals = 2;
    terms.tickSize = Price{tick};
    return terms;
}

NewOrder limit(Side side, std::int64_t quantity, std::int64_t price, AccountId account = kTrader,
               std::uint32_t instrument = 1)
{
    NewOrder order;
    order.side = side;
    order.quantity = Quantity{quantity};
    order.limit = Price{price};
    order.account = account;
    order.instrument = InstrumentId{instrument};
    return order;
}

NewOrder marketOrder(Side side, std::int64_t quantity)
{
    NewOrder order = limit(side, quantity, 0, AccountId{});
    order.type = OrderType::Market;
    return order;
}

// An engine with two instruments of two price decimals, AAA on a tick of 0.01 and BBB on a
// tick of 0.05. The trader's margin account has $1,000,000.00 and fees of 0.5 bp as maker and
// 2 bp as taker, at least one cent a fill. Its orders may have at most 50 lots.
class Market {
public:
    Market()
        : trader(engine, {kTrader})
    {
        engine.addHandler(&trader);
        engine.addInstrument(definition(1, "AAA", 1), Timestamp{1});
        engine.addInstrument(definition(2, "BBB", 5), Timestamp{1});
        AccountSettings settings;
        settings.id = kTrader;
        settings.currency = currencyCode("USD");
        settings.moneyDecimals = 2;
        settings.type = AccountType::Margin;
        settings.fees.maker = FeeRate{50};
        settings.fees.taker = FeeRate{200};
        settings.fees.minimum = Money{1};
        engine.openAccount(settings, Money{100'000'000}, Timestamp{1});
        limits.maximumOrderQuantity = Quantity{50};
        limits.maximumOpenOrders = 100;
        engine.setRiskLimits(kTrader, limits, Timestamp{1});
    }

    // Submits as the session does: the builder has the request while the engine runs it.
    OrderId submit(NewOrder order, std::int64_t time = kSecond)
    {
        trader.beginCommand(TraderViewBuilder::Command::Submit, &order);
        const OrderId id = engine.submit(order, Timestamp{time});
        trader.beginCommand(TraderViewBuilder::Command::None);
        return id;
    }

    TraderView view() const
    {
        TraderView result;
        trader.fill(result, Timestamp{10 * kSecond});
        return result;
    }

    Engine engine;
    TraderViewBuilder trader;
    RiskLimits limits;
};

} // namespace

class TraderViewTest : public QObject {
    Q_OBJECT

private slots:
    void restingOrderIsWorking();
    void makerFillsCarryFees();
    void positionMarkedAtLastTrade();
    void riskRejectionNamesRule();
    void offTickRejectionKeepsRequest();
    void cancelShowsReason();
    void replaceRejectionKeepsOrderWorking();
    void killSwitchCancelsAndNotifies();
    void globalKillSwitchRejects();
    void parkedStopTriggersAndFills();
    void otherAccountsIgnored();
    void finishedOrdersBounded();
    void adoptsLiveOrdersAfterRestart();
};

void TraderViewTest::restingOrderIsWorking()
{
    Market market;
    const OrderId id = market.submit(limit(Side::Buy, 10, 10'000));

    const TraderView view = market.view();
    QCOMPARE(view.accounts, std::vector<AccountId>{kTrader});
    QCOMPARE(view.workingOrders.size(), std::size_t{1});
    const OwnOrder &order = view.workingOrders[0];
    QCOMPARE(order.id, id);
    QCOMPARE(order.account, kTrader);
    QCOMPARE(order.instrument, InstrumentId{1});
    QCOMPARE(order.side, Side::Buy);
    QCOMPARE(order.limit, Price{10'000});
    QCOMPARE(order.quantity, Quantity{10});
    QCOMPARE(order.remaining, Quantity{10});
    QCOMPARE(order.state, OwnOrderState::Working);
    QCOMPARE(order.entered, Timestamp{kSecond});
    QVERIFY(view.finishedOrders.empty());
    QCOMPARE(view.limits.size(), std::size_t{1});
    QCOMPARE(view.limits[0], market.limits);
    QCOMPARE(view.risk.size(), std::size_t{1});
    QCOMPARE(view.risk[0].account, kTrader);
}

// The trader's bid of 40 at $100.00 fills 15 and then 25 against sells without an account.
// As maker it pays 0.5 bp: $1,500.00 x 0.00005 = $0.075, rounded up to $0.08, and
// $2,500.00 x 0.00005 = $0.125, rounded up to $0.13.
void TraderViewTest::makerFillsCarryFees()
{
    Market market;
    const OrderId id = market.submit(limit(Side::Buy, 40, 10'000));
    market.engine.submit(limit(Side::Sell, 15, 10'000, AccountId{}), Timestamp{2 * kSecond});
    {
        const TraderView partial = market.view();
        QCOMPARE(partial.workingOrders.size(), std::size_t{1});
        QCOMPARE(partial.workingOrders[0].filled, Quantity{15});
        QCOMPARE(partial.workingOrders[0].remaining, Quantity{25});
    }
    market.engine.submit(limit(Side::Sell, 25, 10'000, AccountId{}), Timestamp{3 * kSecond});

    const TraderView view = market.view();
    QVERIFY(view.workingOrders.empty());
    QCOMPARE(view.finishedOrders.size(), std::size_t{1});
    QCOMPARE(view.finishedOrders[0].id, id);
    QCOMPARE(view.finishedOrders[0].state, OwnOrderState::Filled);
    QCOMPARE(view.finishedOrders[0].filled, Quantity{40});
    QCOMPARE(view.finishedOrders[0].remaining, Quantity{});

    QCOMPARE(view.fills.size(), std::size_t{2});
    QCOMPARE(view.fills[0].quantity, Quantity{25}); // newest first
    QCOMPARE(view.fills[0].fee, Money{13});
    QCOMPARE(view.fills[0].order, id);
    QVERIFY(view.fills[0].maker);
    QCOMPARE(view.fills[0].time, Timestamp{3 * kSecond});
    QCOMPARE(view.fills[1].quantity, Quantity{15});
    QCOMPARE(view.fills[1].fee, Money{8});
    QCOMPARE(view.fills[1].price, Price{10'000});
    QCOMPARE(view.fills[1].side, Side::Buy);
}

// Long 40 at $100.00; the last trade of others at $101.00 marks the position 40 x $1.00 =
// $40.00 up. As taker the trader pays 2 bp: $4,000.00 x 0.0002 = $0.80.
void TraderViewTest::positionMarkedAtLastTrade()
{
    Market market;
    market.engine.submit(limit(Side::Sell, 40, 10'000, AccountId{}), Timestamp{kSecond});
    market.submit(limit(Side::Buy, 40, 10'000));
    market.engine.submit(limit(Side::Sell, 1, 10'100, AccountId{}), Timestamp{2 * kSecond});
    market.engine.submit(limit(Side::Buy, 1, 10'100, AccountId{}), Timestamp{2 * kSecond});

    const TraderView view = market.view();
    QCOMPARE(view.positions.size(), std::size_t{1});
    const OwnPosition &position = view.positions[0];
    QCOMPARE(position.account, kTrader);
    QCOMPARE(position.instrument, InstrumentId{1});
    QCOMPARE(position.currency, std::string("USD"));
    QCOMPARE(position.moneyDecimals, 2);
    QCOMPARE(position.quantity, Quantity{40});
    QCOMPARE(position.average, (AveragePrice{10'000, 1}));
    QCOMPARE(position.mark, Price{10'100});
    QCOMPARE(position.unrealized, Money{4'000});
    QCOMPARE(position.realized, Money{});
    QCOMPARE(position.fees, Money{80});
    QCOMPARE(view.fills.size(), std::size_t{1});
    QVERIFY(!view.fills[0].maker);
}

void TraderViewTest::riskRejectionNamesRule()
{
    Market market;
    market.submit(limit(Side::Buy, 60, 10'000));

    const TraderView view = market.view();
    QVERIFY(view.workingOrders.empty());
    QCOMPARE(view.finishedOrders.size(), std::size_t{1});
    const OwnOrder &order = view.finishedOrders[0];
    QCOMPARE(order.state, OwnOrderState::Rejected);
    QCOMPARE(order.reason, std::string("rejected: order size, 60 against the account limit of 50"));
    QCOMPARE(order.quantity, Quantity{60});
    QCOMPARE(order.limit, Price{10'000});

    // The first notice is the limits set when the account opened; the rejection comes after.
    QCOMPARE(view.riskNotices.size(), std::size_t{2});
    QCOMPARE(view.riskNotices[0].rule, RiskRule::OrderQuantity);
    QCOMPARE(view.riskNotices[0].text, order.reason);
    QCOMPARE(view.riskNotices[0].order, order.id);
    QCOMPARE(view.riskNotices[1].text, std::string("risk limits set for account 1"));
}

// BBB moves in steps of 0.05, so $100.03 is off its grid.
void TraderViewTest::offTickRejectionKeepsRequest()
{
    Market market;
    market.submit(limit(Side::Sell, 3, 10'003, kTrader, 2));

    const TraderView view = market.view();
    QCOMPARE(view.finishedOrders.size(), std::size_t{1});
    const OwnOrder &order = view.finishedOrders[0];
    QCOMPARE(order.state, OwnOrderState::Rejected);
    QCOMPARE(order.reason, std::string("rejected: price not a multiple of the tick size"));
    QCOMPARE(order.instrument, InstrumentId{2});
    QCOMPARE(order.side, Side::Sell);
    QCOMPARE(order.limit, Price{10'003});
    QCOMPARE(order.quantity, Quantity{3});
}

void TraderViewTest::cancelShowsReason()
{
    Market market;
    const OrderId id = market.submit(limit(Side::Buy, 10, 10'000));
    market.engine.cancel(id, Timestamp{2 * kSecond});

    const TraderView view = market.view();
    QVERIFY(view.workingOrders.empty());
    QCOMPARE(view.finishedOrders.size(), std::size_t{1});
    QCOMPARE(view.finishedOrders[0].state, OwnOrderState::Cancelled);
    QCOMPARE(view.finishedOrders[0].reason, std::string("cancelled on request"));
    QCOMPARE(view.finishedOrders[0].remaining, Quantity{});
    QCOMPARE(view.finishedOrders[0].updated, Timestamp{2 * kSecond});
}

void TraderViewTest::replaceRejectionKeepsOrderWorking()
{
    Market market;
    const OrderId id = market.submit(limit(Side::Buy, 10, 10'000));
    market.trader.beginCommand(TraderViewBuilder::Command::Amend);
    market.engine.replace(ReplaceOrder{id, Price{10'000}, Quantity{60}, Price{}},
                          Timestamp{2 * kSecond});
    market.engine.replace(ReplaceOrder{id, Price{9'990}, Quantity{20}, Price{}},
                          Timestamp{3 * kSecond});

    const TraderView view = market.view();
    QCOMPARE(view.workingOrders.size(), std::size_t{1});
    const OwnOrder &order = view.workingOrders[0];
    QCOMPARE(order.limit, Price{9'990});
    QCOMPARE(order.quantity, Quantity{20});
    QCOMPARE(order.remaining, Quantity{20});
    QCOMPARE(order.reason, std::string()); // the accepted replace cleared it

    Market rejected;
    const OrderId second = rejected.submit(limit(Side::Buy, 10, 10'000));
    rejected.engine.replace(ReplaceOrder{second, Price{10'000}, Quantity{60}, Price{}},
                            Timestamp{2 * kSecond});
    const TraderView afterRejection = rejected.view();
    QCOMPARE(afterRejection.workingOrders.size(), std::size_t{1});
    QCOMPARE(afterRejection.workingOrders[0].remaining, Quantity{10});
    QCOMPARE(afterRejection.workingOrders[0].reason,
             std::string("replace rejected: order size, 60 against the account limit of 50"));
    QVERIFY(afterRejection.finishedOrders.empty());
}

void TraderViewTest::killSwitchCancelsAndNotifies()
{
    Market market;
    market.submit(limit(Side::Buy, 10, 10'000));
    market.trader.beginCommand(TraderViewBuilder::Command::Settings);
    market.engine.engageKillSwitch(kTrader, KillSwitchScope::CancelAll, Timestamp{2 * kSecond});

    const TraderView view = market.view();
    QVERIFY(view.workingOrders.empty());
    QCOMPARE(view.finishedOrders.size(), std::size_t{1});
    QCOMPARE(view.finishedOrders[0].reason, std::string("cancelled by the kill switch"));
    QCOMPARE(view.riskNotices[0].rule, RiskRule::KillSwitch);
    QCOMPARE(view.riskNotices[0].text,
             std::string("kill switch engaged (cancel-all) for account 1"));
    QCOMPARE(view.risk[0].killSwitch, KillSwitchScope::CancelAll);

    market.trader.beginCommand(TraderViewBuilder::Command::Settings);
    market.engine.resetKillSwitch(kTrader, Timestamp{3 * kSecond});
    QCOMPARE(market.view().riskNotices[0].text, std::string("kill switch reset for account 1"));

    // Scope None cannot be engaged: the rejection of the command is a notice.
    market.trader.beginCommand(TraderViewBuilder::Command::Settings);
    market.engine.engageKillSwitch(kTrader, KillSwitchScope::None, Timestamp{4 * kSecond});
    QCOMPARE(market.view().riskNotices[0].text, std::string("rejected: invalid risk limits"));
}

void TraderViewTest::globalKillSwitchRejects()
{
    Market market;
    market.engine.engageKillSwitch(AccountId{}, KillSwitchScope::Pause, Timestamp{kSecond});
    market.submit(limit(Side::Buy, 10, 10'000), 2 * kSecond);

    const TraderView view = market.view();
    QCOMPARE(view.globalKillSwitch, KillSwitchScope::Pause);
    QCOMPARE(view.finishedOrders.size(), std::size_t{1});
    QCOMPARE(view.finishedOrders[0].reason,
             std::string("rejected: kill switch (pause) engaged for all accounts"));
    QCOMPARE(view.riskNotices[1].text,
             std::string("global kill switch engaged (pause) for every account"));
}

// A stop buy parks until a trade reaches $101.00, then enters as a market order and takes the
// offer at $101.00.
void TraderViewTest::parkedStopTriggersAndFills()
{
    Market market;
    NewOrder stop = limit(Side::Buy, 5, 0);
    stop.type = OrderType::Stop;
    stop.stopPrice = Price{10'100};
    const OrderId id = market.submit(stop);
    {
        const TraderView parked = market.view();
        QCOMPARE(parked.workingOrders.size(), std::size_t{1});
        QVERIFY(parked.workingOrders[0].parked);
        QCOMPARE(parked.workingOrders[0].stopPrice, Price{10'100});
        QCOMPARE(parked.workingOrders[0].limit, Price{});
    }

    market.engine.submit(limit(Side::Sell, 10, 10'100, AccountId{}), Timestamp{2 * kSecond});
    market.engine.submit(limit(Side::Buy, 1, 10'100, AccountId{}), Timestamp{2 * kSecond});

    const TraderView view = market.view();
    QVERIFY(view.workingOrders.empty());
    QCOMPARE(view.finishedOrders.size(), std::size_t{1});
    QCOMPARE(view.finishedOrders[0].id, id);
    QCOMPARE(view.finishedOrders[0].state, OwnOrderState::Filled);
    QCOMPARE(view.finishedOrders[0].type, OrderType::Stop);
    QVERIFY(!view.finishedOrders[0].parked);
    QCOMPARE(view.fills.size(), std::size_t{1});
    QCOMPARE(view.fills[0].price, Price{10'100});
}

// Orders without an account trade among themselves and leave the trader's view empty.
void TraderViewTest::otherAccountsIgnored()
{
    Market market;
    market.engine.submit(limit(Side::Sell, 10, 10'000, AccountId{}), Timestamp{kSecond});
    market.engine.submit(marketOrder(Side::Buy, 4), Timestamp{kSecond});
    market.engine.submit(limit(Side::Buy, 60, 9'000, AccountId{7}), Timestamp{kSecond});

    const TraderView view = market.view();
    QVERIFY(view.workingOrders.empty());
    QVERIFY(view.finishedOrders.empty());
    QVERIFY(view.fills.empty());
    QVERIFY(view.positions.empty());
    QCOMPARE(view.riskNotices.size(), std::size_t{1}); // the limits of the account opening
}

void TraderViewTest::finishedOrdersBounded()
{
    Market market;
    constexpr int kOrders = 600;
    OrderId last;
    for (int index = 0; index < kOrders; ++index) {
        // One order working at a time, far within the open orders limit of 100.
        const std::int64_t time = kSecond + index * (kSecond / 20);
        last = market.submit(limit(Side::Buy, 1, 9'000), time);
        market.engine.cancel(last, Timestamp{time + 1});
    }

    const TraderView view = market.view();
    QCOMPARE(view.finishedOrders.size(), TraderViewBuilder::kFinishedOrdersKept);
    QCOMPARE(view.finishedOrders.front().id, last);
    QVERIFY(view.finishedOrders.front().id > view.finishedOrders.back().id);
}

// A restart rebuilds the engine from a snapshot; a new builder finds the trader's resting
// order and limits there.
void TraderViewTest::adoptsLiveOrdersAfterRestart()
{
    Market market;
    const OrderId id = market.submit(limit(Side::Sell, 12, 10'500));
    NewOrder stop = limit(Side::Sell, 3, 9'500);
    stop.type = OrderType::StopLimit;
    stop.stopPrice = Price{9'600};
    const OrderId stopId = market.submit(stop);
    const std::vector<std::uint8_t> snapshot = market.engine.snapshot();

    Engine restarted;
    QVERIFY(!Engine::loadSnapshot(snapshot, restarted));
    TraderViewBuilder trader(restarted, {kTrader});
    trader.adoptEngineState();
    TraderView view;
    trader.fill(view, Timestamp{10 * kSecond});

    QCOMPARE(view.workingOrders.size(), std::size_t{2});
    QCOMPARE(view.workingOrders[0].id, id);
    QCOMPARE(view.workingOrders[0].side, Side::Sell);
    QCOMPARE(view.workingOrders[0].limit, Price{10'500});
    QCOMPARE(view.workingOrders[0].remaining, Quantity{12});
    QVERIFY(!view.workingOrders[0].parked);
    QCOMPARE(view.workingOrders[1].id, stopId);
    QVERIFY(view.workingOrders[1].parked);
    QCOMPARE(view.workingOrders[1].limit, Price{9'500});
    QCOMPARE(view.workingOrders[1].stopPrice, Price{9'600});
    QCOMPARE(view.limits.size(), std::size_t{1});
    QCOMPARE(view.limits[0], market.limits);
}

QTEST_APPLESS_MAIN(TraderViewTest)
#include "tst_trader_view.moc"

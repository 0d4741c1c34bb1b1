#include "engine_printers.h"
#include "lobster_replay.h"
#include "replay_fills.h"
#include "replay_fills_orders.h"
#include "test_data.h"
#include "trader_view.h"

#include <QTest>

#include <map>
#include <tuple>
#include <variant>

using namespace bourse;
using namespace bourse::replay_test;

namespace {

// A margin account without fees, so cash and P&L follow from prices and quantities alone.
SimulatedAccount traderAccount()
{
    SimulatedAccount account;
    account.settings.id = kTrader;
    account.settings.currency = currencyCode("USD");
    account.settings.moneyDecimals = 2;
    account.settings.type = AccountType::Margin;
    account.openingBalance = Money{100'000'000};
    return account;
}

// A replayed market and the model beside it, as a session runs them.
struct Bench {
    Engine market;
    ReplayFills model{market, {{traderAccount()}, {}, {}}};

    Bench()
    {
        market.addHandler(&model);
        market.addInstrument(testInstrument(), kTime);
    }
    ~Bench() { market.removeHandler(&model); }

    const Engine &trader() const { return model.traderEngine(); }
    Quantity position() const
    {
        const Position *position = trader().portfolio().position(kTrader, InstrumentId{1});
        return position ? position->quantity : Quantity{};
    }
    Quantity remaining(OrderId id) const
    {
        const Order *order = trader().findOrder(id);
        return order ? order->remaining : Quantity{};
    }
    // The id the trader's engine gave the trader's latest order.
    OrderId lastTraderOrder() const
    {
        for (auto fill = model.fills().rbegin(); fill != model.fills().rend(); ++fill)
            return fill->order;
        return {};
    }
};

// The fills of one order as (price, quantity, cause), oldest first.
std::vector<std::tuple<std::int64_t, std::int64_t, SimulatedFillCause>>
fillsOf(const ReplayFills &model, OrderId id)
{
    std::vector<std::tuple<std::int64_t, std::int64_t, SimulatedFillCause>> fills;
    for (const SimulatedFill &fill : model.fills()) {
        if (fill.order == id)
            fills.emplace_back(fill.price.value(), fill.quantity.value(), fill.cause);
    }
    return fills;
}

// The id of the trader's order that rests at a price, from the trader's engine's book.
OrderId restingAt(const Engine &trader, Side side, std::int64_t price)
{
    const std::vector<const Order *> orders = trader.book().ordersAt(side, Price{price});
    return orders.empty() ? OrderId{} : orders.back()->id;
}

// Replayed traded quantity by maker side and price, summed from the start.
class TradedVolume final : public EventHandler {
public:
    void onEvent(const Event &event) override
    {
        if (const auto *trade = std::get_if<Trade>(&event.payload))
            m_traded[{opposite(trade->aggressor), trade->price.value()}] += trade->quantity;
    }
    Quantity at(Side side, Price price) const
    {
        const auto found = m_traded.find({side, price.value()});
        return found != m_traded.end() ? found->second : Quantity{};
    }

private:
    std::map<std::pair<Side, std::int64_t>, Quantity> m_traded;
};

const QString kDay = QStringLiteral("lobster/GOOG_2012-06-21_34200000_57600000_%1_%2.csv");

} // namespace

class ReplayFillsTest : public QObject {
    Q_OBJECT

private slots:
    void queueAheadTradedAndCancelledThenFills();
    void consumedLiquidityIsNotFilledTwice();
    void tradeThroughFillsInFull();
    void replayedOrderCrossingRestingOrderFills();
    void crossFillsBestPricedOrderFirst();
    void sizeCutKeepsQueueAndPriceChangeLosesIt();
    void roundTripRealizesHandComputedProfit();
    void stopOrderIsUnsupported();
    void traderViewMarksEverythingSimulated();
    void followedEngineRequeuesOrders();
    void seekBackFillsTakeEarlierMarketTime();
    void seekBackForgetsLaterOrderRateTimes_data();
    void seekBackForgetsLaterOrderRateTimes();
    void seekForwardKeepsOrderRateWindow();
    void instrumentWithoutCurrencyTakesAccountCurrency();
    void unpostedFillIsReported();
    void replayedBookIsNeverChanged();
    void lobsterDayFillsStayWithinReplayedLiquidity();
};

// Bids at $10.00: 100 (id 1) and 200 (id 2) before the trader's buy of 100, then 50 (id 4)
// behind it. Trades of 100 and a cancel of 200 clear the 300 ahead; a trade of 30 against the
// order behind then passes the trader's place and fills 30 of it.
void ReplayFillsTest::queueAheadTradedAndCancelledThenFills()
{
    Bench bench;
    bench.market.applyAdd(OrderId{1}, Side::Buy, Price{1000}, Quantity{100}, kTime);
    bench.market.applyAdd(OrderId{2}, Side::Buy, Price{1000}, Quantity{200}, kTime);
    bench.market.applyAdd(OrderId{3}, Side::Sell, Price{1001}, Quantity{300}, kTime);

    QCOMPARE(bench.model.submit(limitOrder(Side::Buy, 1000, 100), kTime),
             ReplayFills::Entry::Entered);
    const OrderId order = restingAt(bench.trader(), Side::Buy, 1000);
    QVERIFY(order.value() != 0);
    QCOMPARE(bench.model.volumeAhead(order), Quantity{300});

    bench.market.applyAdd(OrderId{4}, Side::Buy, Price{1000}, Quantity{50}, kTime);
    QCOMPARE(bench.model.volumeAhead(order), Quantity{300});
    bench.market.applyExecution(OrderId{1}, Quantity{100}, kTime);
    QCOMPARE(bench.model.volumeAhead(order), Quantity{200});
    QVERIFY(bench.model.fills().empty());
    bench.market.applyDelete(OrderId{2}, kTime);
    QCOMPARE(bench.model.volumeAhead(order), Quantity{0});
    QVERIFY(bench.model.fills().empty());

    bench.market.applyExecution(OrderId{4}, Quantity{30}, kTime);
    using Fills = decltype(fillsOf(bench.model, order));
    QCOMPARE(fillsOf(bench.model, order), (Fills{{1000, 30, SimulatedFillCause::Queue}}));
    QCOMPARE(bench.remaining(order), Quantity{70});
    QCOMPARE(bench.position(), Quantity{30});
    // The replayed book keeps its own quantities: 20 of order 4 rest.
    QCOMPARE(bench.market.book().quantityAt(Side::Buy, Price{1000}), Quantity{20});
}

// Asks of 300 at $10.01 and 100 at $10.02. A market buy of 250 takes 250 at 10.01; a buy of
// 100 at 10.02 finds 50 left there and 50 at 10.02; an IOC of 200 finds only 50 at 10.02 and
// its 150 remainder is cancelled. A replayed trade of 100 at 10.01 takes the front, which the
// trader took already, so 10.01 shows 200 but nothing is left for the trader. Once the level
// is cancelled through and a new ask of 80 arrives, 80 can be taken.
void ReplayFillsTest::consumedLiquidityIsNotFilledTwice()
{
    Bench bench;
    bench.market.applyAdd(OrderId{3}, Side::Sell, Price{1001}, Quantity{300}, kTime);
    bench.market.applyAdd(OrderId{5}, Side::Sell, Price{1002}, Quantity{100}, kTime);

    bench.model.submit(marketOrder(Side::Buy, 250), kTime);
    const OrderId first = bench.lastTraderOrder();
    using Fills = decltype(fillsOf(bench.model, first));
    QCOMPARE(fillsOf(bench.model, first), (Fills{{1001, 250, SimulatedFillCause::Taker}}));
    QCOMPARE(bench.model.consumed(Side::Sell, Price{1001}), Quantity{250});

    bench.model.submit(limitOrder(Side::Buy, 1002, 100), kTime);
    const OrderId second = bench.lastTraderOrder();
    QCOMPARE(fillsOf(bench.model, second),
             (Fills{{1001, 50, SimulatedFillCause::Taker}, {1002, 50, SimulatedFillCause::Taker}}));
    QCOMPARE(bench.model.consumed(Side::Sell, Price{1001}), Quantity{300});
    QCOMPARE(bench.model.consumed(Side::Sell, Price{1002}), Quantity{50});

    bench.model.submit(limitOrder(Side::Buy, 1002, 200, TimeInForce::Ioc), kTime);
    const OrderId third = bench.lastTraderOrder();
    QCOMPARE(fillsOf(bench.model, third), (Fills{{1002, 50, SimulatedFillCause::Taker}}));
    QCOMPARE(bench.trader().findOrder(third), nullptr); // the remainder of 150 was cancelled
    QCOMPARE(bench.position(), Quantity{400});

    bench.market.applyExecution(OrderId{3}, Quantity{100}, kTime);
    QCOMPARE(bench.model.consumed(Side::Sell, Price{1001}), Quantity{200});
    const std::size_t fillsBefore = bench.model.fills().size();
    bench.model.submit(limitOrder(Side::Buy, 1001, 50, TimeInForce::Ioc), kTime);
    QCOMPARE(bench.model.fills().size(), fillsBefore);

    bench.market.applyDelete(OrderId{3}, kTime);
    QCOMPARE(bench.model.consumed(Side::Sell, Price{1001}), Quantity{0});
    bench.market.applyAdd(OrderId{6}, Side::Sell, Price{1001}, Quantity{80}, kTime);
    bench.model.submit(limitOrder(Side::Buy, 1001, 100, TimeInForce::Ioc), kTime);
    const OrderId last = bench.lastTraderOrder();
    QCOMPARE(fillsOf(bench.model, last), (Fills{{1001, 80, SimulatedFillCause::Taker}}));
    QCOMPARE(bench.position(), Quantity{480});
    QCOMPARE(bench.market.book().quantityAt(Side::Sell, Price{1001}), Quantity{80});
}

// A sell of 100 at $10.03 rests behind 500 replayed; a hidden trade at $10.04 went through its
// price, so it fills in full at its own price although 500 were ahead.
void ReplayFillsTest::tradeThroughFillsInFull()
{
    Bench bench;
    bench.market.applyAdd(OrderId{7}, Side::Sell, Price{1003}, Quantity{500}, kTime);
    bench.model.submit(limitOrder(Side::Sell, 1003, 100), kTime);
    const OrderId order = restingAt(bench.trader(), Side::Sell, 1003);
    QCOMPARE(bench.model.volumeAhead(order), Quantity{500});

    bench.market.applyUnseenTrade(Side::Buy, Price{1004}, Quantity{10}, kTime);
    using Fills = decltype(fillsOf(bench.model, order));
    QCOMPARE(fillsOf(bench.model, order), (Fills{{1003, 100, SimulatedFillCause::TradeThrough}}));
    QCOMPARE(bench.position(), Quantity{-100});
}

// The trader bids 100 at $10.00 above the replayed bids, so nothing is ahead. A replayed ask
// of 60 at $9.99 rests in the recording, but would have traded with the bid: 60 fill at the
// bid's price, and that ask is consumed.
void ReplayFillsTest::replayedOrderCrossingRestingOrderFills()
{
    Bench bench;
    bench.market.applyAdd(OrderId{1}, Side::Buy, Price{998}, Quantity{100}, kTime);
    bench.market.applyAdd(OrderId{2}, Side::Sell, Price{1005}, Quantity{100}, kTime);
    bench.model.submit(limitOrder(Side::Buy, 1000, 100), kTime);
    const OrderId order = restingAt(bench.trader(), Side::Buy, 1000);
    QCOMPARE(bench.model.volumeAhead(order), Quantity{0});

    bench.market.applyAdd(OrderId{3}, Side::Sell, Price{999}, Quantity{60}, kTime);
    using Fills = decltype(fillsOf(bench.model, order));
    QCOMPARE(fillsOf(bench.model, order), (Fills{{1000, 60, SimulatedFillCause::Cross}}));
    QCOMPARE(bench.model.consumed(Side::Sell, Price{999}), Quantity{60});
    QCOMPARE(bench.remaining(order), Quantity{40});
}

// Bids of 50 at $10.00 and then at $10.01, above every replayed bid. A replayed ask of 30 at
// $9.99 crosses both, and the better bid, though it came second, takes all 30 at $10.01.
void ReplayFillsTest::crossFillsBestPricedOrderFirst()
{
    Bench bench;
    bench.market.applyAdd(OrderId{1}, Side::Buy, Price{990}, Quantity{100}, kTime);
    bench.market.applyAdd(OrderId{2}, Side::Sell, Price{1010}, Quantity{100}, kTime);
    bench.model.submit(limitOrder(Side::Buy, 1000, 50), kTime);
    bench.model.submit(limitOrder(Side::Buy, 1001, 50), kTime);
    const OrderId lower = restingAt(bench.trader(), Side::Buy, 1000);
    const OrderId better = restingAt(bench.trader(), Side::Buy, 1001);

    bench.market.applyAdd(OrderId{3}, Side::Sell, Price{999}, Quantity{30}, kTime);
    using Fills = decltype(fillsOf(bench.model, better));
    QCOMPARE(fillsOf(bench.model, better), (Fills{{1001, 30, SimulatedFillCause::Cross}}));
    QCOMPARE(fillsOf(bench.model, lower), Fills{});
    QCOMPARE(bench.remaining(lower), Quantity{50});
    QCOMPARE(bench.model.consumed(Side::Sell, Price{999}), Quantity{30});
}

// A size cut keeps the order's place, as in the engine; a new price puts it at the back of the
// new level, behind what rests there then.
void ReplayFillsTest::sizeCutKeepsQueueAndPriceChangeLosesIt()
{
    Bench bench;
    bench.market.applyAdd(OrderId{1}, Side::Buy, Price{1000}, Quantity{300}, kTime);
    bench.market.applyAdd(OrderId{2}, Side::Buy, Price{999}, Quantity{700}, kTime);
    bench.model.submit(limitOrder(Side::Buy, 1000, 100), kTime);
    const OrderId order = restingAt(bench.trader(), Side::Buy, 1000);
    bench.market.applyExecution(OrderId{1}, Quantity{100}, kTime);
    QCOMPARE(bench.model.volumeAhead(order), Quantity{200});

    bench.model.replace({order, Price{}, Quantity{60}, Price{}}, kTime);
    QCOMPARE(bench.model.volumeAhead(order), Quantity{200});
    QCOMPARE(bench.remaining(order), Quantity{60});

    bench.model.replace({order, Price{999}, Quantity{60}, Price{}}, kTime);
    QCOMPARE(bench.model.volumeAhead(order), Quantity{700});
}

// Buy 30 at $10.01 from the replayed ask, sell 30 at $10.03 into the replayed bid: the engine's
// portfolio realizes 30 x $0.02 = $0.60, 60 cents, and the margin account's cash moves by it.
void ReplayFillsTest::roundTripRealizesHandComputedProfit()
{
    Bench bench;
    bench.market.applyAdd(OrderId{1}, Side::Sell, Price{1001}, Quantity{100}, kTime);
    bench.model.submit(marketOrder(Side::Buy, 30), kTime);
    bench.market.applyDelete(OrderId{1}, kTime);
    bench.market.applyAdd(OrderId{2}, Side::Buy, Price{1003}, Quantity{100}, kTime);
    bench.model.submit(limitOrder(Side::Sell, 1003, 30, TimeInForce::Ioc), kTime);

    const Position *position = bench.trader().portfolio().position(kTrader, InstrumentId{1});
    QVERIFY(position != nullptr);
    QCOMPARE(position->quantity, Quantity{0});
    QCOMPARE(position->realizedProfitAndLoss, Money{60});
    QCOMPARE(bench.trader().portfolio().account(kTrader)->balance, Money{100'000'060});
}

void ReplayFillsTest::stopOrderIsUnsupported()
{
    Bench bench;
    NewOrder stop = marketOrder(Side::Buy, 10);
    stop.type = OrderType::Stop;
    stop.stopPrice = Price{1010};
    QCOMPARE(bench.model.submit(stop, kTime), ReplayFills::Entry::Unsupported);
    QCOMPARE(bench.trader().liveOrderCount(), std::size_t{0});
}

// The trader's view on the model's engine lists the orders, fills and positions as simulated,
// and a stop order, which never reaches that engine, as rejected with the reason.
void ReplayFillsTest::traderViewMarksEverythingSimulated()
{
    Bench bench;
    TraderViewBuilder view(bench.model.traderEngine(), {kTrader});
    view.setSimulated(true);
    bench.model.traderEngine().addHandler(&view);
    bench.market.applyAdd(OrderId{1}, Side::Sell, Price{1001}, Quantity{100}, kTime);
    bench.model.submit(limitOrder(Side::Buy, 1001, 150), kTime);
    NewOrder stop = marketOrder(Side::Sell, 10);
    stop.type = OrderType::Stop;
    stop.stopPrice = Price{990};
    QCOMPARE(bench.model.submit(stop, kTime), ReplayFills::Entry::Unsupported);
    view.rejectRequest(stop, "rejected: stop orders cannot trade against a replay", kTime);

    TraderView shown;
    view.fill(shown, kTime);
    bench.model.traderEngine().removeHandler(&view);
    QCOMPARE(shown.workingOrders.size(), std::size_t{1});
    QCOMPARE(shown.workingOrders[0].remaining, Quantity{50});
    QVERIFY(shown.workingOrders[0].simulated);
    QCOMPARE(shown.fills.size(), std::size_t{1});
    QCOMPARE(shown.fills[0].quantity, Quantity{100});
    QVERIFY(shown.fills[0].simulated);
    QCOMPARE(shown.positions.size(), std::size_t{1});
    QVERIFY(shown.positions[0].simulated);
    QCOMPARE(shown.finishedOrders.size(), std::size_t{1});
    QCOMPARE(shown.finishedOrders[0].state, OwnOrderState::Rejected);
    QCOMPARE(shown.finishedOrders[0].type, OrderType::Stop);
    QCOMPARE(shown.finishedOrders[0].reason,
             std::string("rejected: stop orders cannot trade against a replay"));
}

// A seek opens the source again on a new engine: the resting order keeps its fill and joins the
// back of its level in the new book, behind the 400 resting there.
void ReplayFillsTest::followedEngineRequeuesOrders()
{
    Bench bench;
    bench.market.applyAdd(OrderId{1}, Side::Buy, Price{1000}, Quantity{100}, kTime);
    bench.market.applyAdd(OrderId{2}, Side::Sell, Price{1001}, Quantity{100}, kTime);
    bench.model.submit(limitOrder(Side::Buy, 1001, 150), kTime);
    const OrderId order = restingAt(bench.trader(), Side::Buy, 1001);
    QCOMPARE(bench.remaining(order), Quantity{50});
    QCOMPARE(bench.model.volumeAhead(order), Quantity{0});

    Engine reopened;
    reopened.addInstrument(testInstrument(), kTime);
    reopened.applyAdd(OrderId{9}, Side::Buy, Price{1001}, Quantity{400}, kTime);
    bench.market.removeHandler(&bench.model);
    bench.model.follow(reopened);
    reopened.addHandler(&bench.model);
    QCOMPARE(bench.model.volumeAhead(order), Quantity{400});
    QCOMPARE(bench.model.consumed(Side::Sell, Price{1001}), Quantity{0});
    QCOMPARE(bench.position(), Quantity{100});

    reopened.applyExecution(OrderId{9}, Quantity{400}, kTime);
    QCOMPARE(bench.model.volumeAhead(order), Quantity{0});
    reopened.applyUnseenTrade(Side::Sell, Price{1001}, Quantity{20}, kTime);
    QCOMPARE(bench.remaining(order), Quantity{30});
    QCOMPARE(bench.position(), Quantity{120});
    reopened.removeHandler(&bench.model);
    bench.market.addHandler(&bench.model); // the bench removes it from its own engine
}

// A seek back opens the replay again at an earlier time: the trader's order rests at 1001 from
// the replay at 5,000 ns, then a reopened replay at 2,000 ns trades 20 at 1001. The queue fill
// and a taker fill after it carry 2,000 ns, the replay's time, not the 5,000 ns before the seek.
void ReplayFillsTest::seekBackFillsTakeEarlierMarketTime()
{
    const Timestamp before{5'000};
    const Timestamp after{2'000};
    Bench bench;
    bench.market.applyAdd(OrderId{1}, Side::Sell, Price{1002}, Quantity{100}, before);
    bench.model.submit(limitOrder(Side::Buy, 1001, 50), before);
    const OrderId order = restingAt(bench.trader(), Side::Buy, 1001);
    QVERIFY(order.value() != 0);

    Engine reopened;
    reopened.addInstrument(testInstrument(), after);
    reopened.applyAdd(OrderId{9}, Side::Sell, Price{1003}, Quantity{100}, after);
    bench.market.removeHandler(&bench.model);
    bench.model.follow(reopened);
    reopened.addHandler(&bench.model);

    reopened.applyUnseenTrade(Side::Sell, Price{1001}, Quantity{20}, after);
    QCOMPARE(bench.model.fills().size(), std::size_t{1});
    QCOMPARE(bench.model.fills().back().cause, SimulatedFillCause::Queue);
    QCOMPARE(bench.model.fills().back().time, after);

    bench.model.submit(marketOrder(Side::Buy, 10), after);
    QCOMPARE(bench.model.fills().size(), std::size_t{2});
    QCOMPARE(bench.model.fills().back().price, Price{1003});
    QCOMPARE(bench.model.fills().back().time, after);
    QCOMPARE(bench.position(), Quantity{30});
    reopened.removeHandler(&bench.model);
    bench.market.addHandler(&bench.model); // the bench removes it from its own engine
}

// Records the rules of the trader's engine's risk rejections, oldest first.
class RiskRejections final : public EventHandler {
public:
    void onEvent(const Event &event) override
    {
        if (const auto *rejected = std::get_if<RiskRejected>(&event.payload))
            rules.push_back(rejected->rule);
    }
    std::vector<RiskRule> rules;
};

// A market and the model of a trader limited to 2 orders per second, at 10:00 UTC on day zero
// of the epoch, with an ask at $10.05 that the trader's bids at $10.00 never reach.
struct RateBench {
    static constexpr std::int64_t kHour = 3'600 * kNanosecondsPerSecond;
    static constexpr Timestamp kTenOClock{10 * kHour};
    static constexpr Timestamp kTenThirty{10 * kHour + kHour / 2};

    Engine market;
    ReplayFills model{market, {{rateLimitedAccount()}, {}, {}}};
    RiskRejections rejections;

    RateBench()
    {
        market.addHandler(&model);
        market.addInstrument(testInstrument(), kTenOClock);
        market.applyAdd(OrderId{1}, Side::Sell, Price{1005}, Quantity{100}, kTenOClock);
        model.traderEngine().addHandler(&rejections);
    }
    ~RateBench()
    {
        model.traderEngine().removeHandler(&rejections);
        market.removeHandler(&model);
    }

    static SimulatedAccount rateLimitedAccount()
    {
        SimulatedAccount account = traderAccount();
        account.limits.maximumOrdersPerSecond = 2;
        return account;
    }
    // A market engine reopened at `time`, as a seek opens one, that the model follows.
    void seekTo(Engine &reopened, Timestamp time)
    {
        reopened.addInstrument(testInstrument(), time);
        reopened.applyAdd(OrderId{1}, Side::Sell, Price{1005}, Quantity{100}, time);
        market.removeHandler(&model);
        model.follow(reopened);
        reopened.addHandler(&model);
    }
    std::size_t liveOrders() const { return model.traderEngine().liveOrderCount(); }
    std::vector<Timestamp> rateTimes() const
    {
        return model.traderEngine().risk().evaluator().rateTimes(kTrader);
    }
};

// The model learns where the replay is after a seek from the first market time it sees: the
// trader's next order, or a replayed message that comes before it.
void ReplayFillsTest::seekBackForgetsLaterOrderRateTimes_data()
{
    QTest::addColumn<bool>("messageFirst");
    QTest::newRow("order first") << false;
    QTest::newRow("replayed message first") << true;
}

// Three bids at 10:30: the first two fill the 2-per-second window and the third is rejected
// for the order rate. After a seek back to 10:00 the window holds nothing from 10:30, as the
// replay has not reached that time, so two bids at 10:00 rest and a third is rejected again.
void ReplayFillsTest::seekBackForgetsLaterOrderRateTimes()
{
    QFETCH(const bool, messageFirst);
    RateBench bench;
    for (int i = 0; i < 3; ++i)
        bench.model.submit(limitOrder(Side::Buy, 1000, 10), RateBench::kTenThirty);
    QCOMPARE(bench.liveOrders(), std::size_t{2});
    QCOMPARE(bench.rejections.rules, std::vector<RiskRule>{RiskRule::OrderRate});

    Engine reopened;
    bench.seekTo(reopened, RateBench::kTenOClock);
    if (messageFirst) {
        reopened.applyAdd(OrderId{2}, Side::Sell, Price{1006}, Quantity{100},
                          RateBench::kTenOClock);
        QCOMPARE(bench.rateTimes(), std::vector<Timestamp>{});
    }
    bench.model.submit(limitOrder(Side::Buy, 1000, 10), RateBench::kTenOClock);
    QCOMPARE(bench.liveOrders(), std::size_t{3});
    QCOMPARE(bench.rejections.rules.size(), std::size_t{1});
    QCOMPARE(bench.rateTimes(), std::vector<Timestamp>{RateBench::kTenOClock});

    bench.model.submit(limitOrder(Side::Buy, 1000, 10), RateBench::kTenOClock);
    bench.model.submit(limitOrder(Side::Buy, 1000, 10), RateBench::kTenOClock);
    QCOMPARE(bench.liveOrders(), std::size_t{4});
    QCOMPARE(bench.rejections.rules,
             (std::vector<RiskRule>{RiskRule::OrderRate, RiskRule::OrderRate}));

    // The trader's engine's snapshot holds the window without 10:30, as its state hash does.
    const std::vector<std::uint8_t> snapshot = bench.model.traderEngine().snapshot();
    Engine loaded;
    QVERIFY(!Engine::loadSnapshot(snapshot, loaded).has_value());
    QCOMPARE(loaded.stateHash(), bench.model.traderEngine().stateHash());
    QCOMPARE(loaded.risk().evaluator().rateTimes(kTrader),
             (std::vector<Timestamp>{RateBench::kTenOClock, RateBench::kTenOClock}));
    reopened.removeHandler(&bench.model);
    bench.market.addHandler(&bench.model); // the bench removes it from its own engine
}

// A seek forward, from 10:30 to half a second later, leaves the two orders of 10:30 in the
// window of the last second, so the next bid is rejected for the order rate.
void ReplayFillsTest::seekForwardKeepsOrderRateWindow()
{
    const Timestamp later{RateBench::kTenThirty.value() + kNanosecondsPerSecond / 2};
    RateBench bench;
    bench.model.submit(limitOrder(Side::Buy, 1000, 10), RateBench::kTenThirty);
    bench.model.submit(limitOrder(Side::Buy, 1000, 10), RateBench::kTenThirty);

    Engine reopened;
    bench.seekTo(reopened, later);
    bench.model.submit(limitOrder(Side::Buy, 1000, 10), later);
    QCOMPARE(bench.liveOrders(), std::size_t{2});
    QCOMPARE(bench.rejections.rules, std::vector<RiskRule>{RiskRule::OrderRate});
    QCOMPARE(bench.rateTimes(),
             (std::vector<Timestamp>{RateBench::kTenThirty, RateBench::kTenThirty}));
    reopened.removeHandler(&bench.model);
    bench.market.addHandler(&bench.model); // the bench removes it from its own engine
}

// A feed that cannot tell its quote currency defines the instrument without one, as for a
// symbol such as BTC-PERPETUAL. The trader's engine gives it the account's USD, so a buy of 30
// at 10.01 posts: a position of 30 and the account still in USD.
void ReplayFillsTest::instrumentWithoutCurrencyTakesAccountCurrency()
{
    Engine market;
    ReplayFills model(market, {{traderAccount()}, {}, {}});
    market.addHandler(&model);
    InstrumentDefinition definition = testInstrument();
    definition.currency = {};
    market.addInstrument(definition, kTime);
    market.applyAdd(OrderId{1}, Side::Sell, Price{1001}, Quantity{100}, kTime);

    model.submit(marketOrder(Side::Buy, 30), kTime);

    const Engine &trader = model.traderEngine();
    QCOMPARE(model.unpostedFillCount(), std::uint64_t{0});
    QCOMPARE(trader.portfolio().account(kTrader)->settings.currency, currencyCode("USD"));
    const Position *position = trader.portfolio().position(kTrader, InstrumentId{1});
    QVERIFY(position != nullptr);
    QCOMPARE(position->quantity, Quantity{30});
    market.removeHandler(&model);
}

// A cash account of $300.30 with a taker fee of 1% buys 30 at 10.01, $300.30. The buying power
// check, which leaves fees out, lets it trade, but the portfolio rejects the fill, which would
// cost about $3.00 more than the cash, and the model reports that instead of dropping it.
void ReplayFillsTest::unpostedFillIsReported()
{
    SimulatedAccount account = traderAccount();
    account.settings.type = AccountType::Cash;
    account.settings.fees.taker = FeeRate{10'000}; // parts per million: 1%
    account.openingBalance = Money{30'030};
    std::vector<std::string> reports;
    ReplayFills::Options options{{account}, {}, {}};
    options.unpostedFills = [&reports](const std::string &report) { reports.push_back(report); };
    Engine market;
    ReplayFills model(market, std::move(options));
    market.addHandler(&model);
    market.addInstrument(testInstrument(), kTime);
    market.applyAdd(OrderId{1}, Side::Sell, Price{1001}, Quantity{100}, kTime);

    model.submit(limitOrder(Side::Buy, 1001, 30, TimeInForce::Ioc), kTime);

    QCOMPARE(model.fills().size(), std::size_t{1});
    QCOMPARE(model.unpostedFillCount(), std::uint64_t{1});
    QCOMPARE(reports.size(), std::size_t{1});
    QVERIFY2(reports.front().find("1 simulated fill") == 0, reports.front().c_str());
    QVERIFY(model.traderEngine().portfolio().position(kTrader, InstrumentId{1}) == nullptr);
    market.removeHandler(&model);
}

// Whatever the trader does, the replayed engine's state is the recording's.
void ReplayFillsTest::replayedBookIsNeverChanged()
{
    Engine alone;
    alone.addInstrument(testInstrument(), kTime);
    Bench bench;
    for (Engine *engine : {&alone, &bench.market}) {
        engine->applyAdd(OrderId{1}, Side::Sell, Price{1001}, Quantity{100}, kTime);
        engine->applyAdd(OrderId{2}, Side::Buy, Price{999}, Quantity{100}, kTime);
        if (engine == &bench.market) {
            bench.model.submit(marketOrder(Side::Buy, 40), kTime);
            bench.model.submit(limitOrder(Side::Sell, 1000, 40), kTime);
        }
        engine->applyExecution(OrderId{2}, Quantity{50}, kTime);
        engine->applyUnseenTrade(Side::Sell, Price{998}, Quantity{5}, kTime);
    }
    QCOMPARE(bench.market.stateHash(), alone.stateHash());
    QVERIFY(!bench.model.fills().empty());
}

// Trades a GOOG day from the LOBSTER sample: every 500 messages a marketable buy or sell of 100
// shares and a resting order at the best price. Each taker fill is at most what the replayed
// level showed less what the trader had taken there, and two runs give the same fills.
void ReplayFillsTest::lobsterDayFillsStayWithinReplayedLiquidity()
{
    const QString messages = marketDataPath(kDay.arg("message").arg(10));
    const QString orderbook = marketDataPath(kDay.arg("orderbook").arg(10));
    BOURSE_REQUIRE_DATA_FILE(messages);
    BOURSE_REQUIRE_DATA_FILE(orderbook);

    std::size_t boundedFills = 0; // queue fills checked against the traded volume
    auto run = [&](std::uint64_t &hash, std::size_t &violations) {
        Engine market(InstrumentId{1});
        ReplayFills::Options options{{traderAccount()},
                                     [](const InstrumentDefinition &given) {
                                         InstrumentDefinition terms = given;
                                         terms.currency = currencyCode("USD");
                                         terms.priceDecimals = 4;
                                         terms.tickSize = Price{100};
                                         return terms;
                                     },
                                     {}};
        ReplayFills model(market, options);
        TradedVolume traded;
        market.addHandler(&traded);
        market.addHandler(&model);
        lobster::Replay replay(market);
        // For each resting order: its side, price and the replayed volume traded there when it
        // joined, and what its queue has filled of it since.
        struct Joined {
            Side side;
            Price price;
            Quantity tradedBefore;
            Quantity queueFilled;
        };
        std::map<std::uint64_t, Joined> joined;
        std::size_t checkedFills = 0;
        if (replay.open({messages.toStdString(), orderbook.toStdString(), 10}))
            return std::vector<SimulatedFill>{};

        Timestamp time;
        for (std::size_t step = 1;; ++step) {
            // The trader's commands take the time of the message just applied.
            time = std::max(time, replay.nextTime().value_or(time));
            if (replay.step() != lobster::Replay::Step::Applied)
                break;
            // A queue fill never exceeds what the replay traded at the order's price since it
            // joined, as it fills only what passes its place.
            for (; checkedFills < model.fills().size(); ++checkedFills) {
                const SimulatedFill &fill = model.fills()[checkedFills];
                const auto order = joined.find(fill.order.value());
                if (fill.cause != SimulatedFillCause::Queue || order == joined.end())
                    continue;
                Joined &entry = order->second;
                entry.queueFilled += fill.quantity;
                ++boundedFills;
                if (entry.queueFilled > traded.at(entry.side, entry.price) - entry.tradedBefore)
                    ++violations;
            }
            if (step % 500 != 0)
                continue;
            const Side side = (step / 500) % 2 ? Side::Buy : Side::Sell;
            const Side resting = opposite(side);
            if (market.book().levelCount(resting) == 0 || market.book().levelCount(side) == 0)
                continue;
            // What the taker may take at each price: shown less what the trader took before.
            std::map<std::int64_t, Quantity> limit;
            for (std::size_t depth = 0; depth < market.book().levelCount(resting); ++depth) {
                const LevelSummary level = market.book().level(resting, depth);
                limit[level.price.value()] = level.quantity - model.consumed(resting, level.price);
                if (model.consumed(resting, level.price) > level.quantity)
                    ++violations;
            }
            const std::size_t before = model.fills().size();
            model.submit(marketOrder(side, 100), time);
            for (std::size_t index = before; index < model.fills().size(); ++index) {
                const SimulatedFill &fill = model.fills()[index];
                if (fill.quantity > limit[fill.price.value()])
                    ++violations;
            }
            const Price best{market.book().level(side, 0).price.value() / 100 * 100};
            model.submit(limitOrder(side, best.value(), 100), time);
            const OrderId placed = restingAt(model.traderEngine(), side, best.value());
            if (placed.value() != 0 && !joined.count(placed.value()))
                joined[placed.value()] = {side, best, traded.at(side, best), Quantity{}};
            checkedFills = model.fills().size(); // the taker fills were checked above
        }
        market.removeHandler(&model);
        market.removeHandler(&traded);
        hash = model.traderEngine().stateHash();
        return model.fills();
    };

    std::uint64_t firstHash = 0;
    std::uint64_t secondHash = 0;
    std::size_t violations = 0;
    const std::vector<SimulatedFill> first = run(firstHash, violations);
    const std::vector<SimulatedFill> second = run(secondHash, violations);
    QCOMPARE(violations, std::size_t{0});
    QVERIFY(first.size() > 100);
    QCOMPARE(first.size(), second.size());
    for (std::size_t index = 0; index < first.size(); ++index) {
        QCOMPARE(first[index].price, second[index].price);
        QCOMPARE(first[index].quantity, second[index].quantity);
        QCOMPARE(first[index].tradeSequence, second[index].tradeSequence);
    }
    QCOMPARE(firstHash, secondHash);

    std::map<SimulatedFillCause, std::size_t> causes;
    for (const SimulatedFill &fill : first)
        ++causes[fill.cause];
    qInfo("fills: %zu taker, %zu queue, %zu trade-through, %zu cross",
          causes[SimulatedFillCause::Taker], causes[SimulatedFillCause::Queue],
          causes[SimulatedFillCause::TradeThrough], causes[SimulatedFillCause::Cross]);
    QVERIFY(causes[SimulatedFillCause::Queue] > 0);
    QCOMPARE(boundedFills, 2 * causes[SimulatedFillCause::Queue]);
}

QTEST_APPLESS_MAIN(ReplayFillsTest)

#include "tst_replay_fills.moc"

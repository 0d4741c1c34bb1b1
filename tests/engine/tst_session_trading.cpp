// The simulated market of a Session with the trader in it: instruments, accounts, orders,
// checks, kill switches, focus, pacing and restarts.

#include "engine_printers.h"
#include "session.h"
#include "session_market.h"
#include "session_runner.h"
#include "simulator_set.h"

#include <QtTest>

#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QThread>

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

using namespace bourse;

namespace {

using ViewPointer = std::shared_ptr<const MarketView>;

constexpr int kTimeoutMs = 10'000;
const AccountId kTrader{1};

ViewPointer waitForView(const Session &session,
                        const std::function<bool(const MarketView &)> &predicate,
                        int timeoutMs = kTimeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        ViewPointer view = session.latestView();
        if (view && predicate(*view)) {
            return view;
        }
        QThread::msleep(2);
    }
    return nullptr;
}

bool hasBothSides(const MarketView &view)
{
    return !view.bids.empty() && !view.asks.empty() && !view.trader.accounts.empty();
}

const OwnOrder *findOrder(const std::vector<OwnOrder> &orders, OrderId id)
{
    for (const OwnOrder &order : orders) {
        if (order.id == id)
            return &order;
    }
    return nullptr;
}

const InstrumentQuote *findQuote(const MarketView &view, InstrumentId instrument)
{
    for (const InstrumentQuote &quote : view.instruments) {
        if (quote.instrument == instrument)
            return &quote;
    }
    return nullptr;
}

NewOrder limitOrder(std::uint32_t instrument, Side side, std::int64_t quantity, Price price)
{
    NewOrder order;
    order.instrument = InstrumentId{instrument};
    order.side = side;
    order.quantity = Quantity{quantity};
    order.limit = price;
    return order;
}

// A trader's bid 2% under the best bid, rounded down to the tick: inside the 5% band of the
// risk limits, and beyond any price the simulated flow reaches in a test's few seconds.
NewOrder farBid(const InstrumentQuote &quote, std::int64_t quantity)
{
    const std::int64_t tick = quote.tickSize.value();
    const std::int64_t price = quote.bestBid.value() * 98 / 100 / tick * tick;
    return limitOrder(quote.instrument.value(), Side::Buy, quantity, Price{price});
}

// Records events of a run, for what the views do not show.
class EventLog : public EventHandler {
public:
    explicit EventLog(std::vector<Event> &destroyedWith)
        : m_destroyedWith(destroyedWith)
    {
    }
    ~EventLog() override { m_destroyedWith = std::move(m_events); }
    void onEvent(const Event &event) override { m_events.push_back(event); }

private:
    std::vector<Event> m_events;
    std::vector<Event> &m_destroyedWith;
};

Session::RunHandlerFactory loggingTo(std::vector<Event> &events)
{
    return [&events](const Session::RunContext &) {
        std::vector<std::unique_ptr<EventHandler>> handlers;
        handlers.push_back(std::make_unique<EventLog>(events));
        return handlers;
    };
}

// The id of the trader's newest order, once some view lists one that matches.
OrderId waitForWorking(const Session &session, const std::function<bool(const OwnOrder &)> &is)
{
    OrderId found;
    waitForView(session, [&](const MarketView &view) {
        for (const OwnOrder &order : view.trader.workingOrders) {
            if (is(order))
                found = order.id;
        }
        return found.value() != 0;
    });
    return found;
}

} // namespace

class TestSessionTrading : public QObject {
    Q_OBJECT

private slots:
    void defaultMarketHasFiveInstruments();
    void newMarketOpensTraderAccount();
    void restingOrderWorksUntilCancelled();
    void marketableOrderPaysTakerFee();
    void checkOrderPlacesNothing();
    void checkOrderBreaksWithoutEngine();
    void replayOrdersFillAsSimulated();
    void focusChoosesInstrument();
    void killSwitchStopsTrader();
    void massCancelSparesMarket();
    void simulatorNeverCancelsTraderOrders();
    void riskLimitsChangeFromSession();
    void resumedMarketKeepsTraderState();
    void emptyContinuationStartsNewMarket();
    void eventRatePacesSimulation();
    void queryBookMatchesPausedView();
    void commandQueueBoundedNeverDrops();
    void recentEventsBoundedAndCounted();
    void timeFramesAndRecentVolume();
    void optionsReplaceInstruments();
    void invalidTradingOptionsRejected();
    void agentMarketTradesWithTrader();
};

// The default market as documented: five USD instruments with these terms, each with a
// two-sided book from the start and trades once the flow runs.
void TestSessionTrading::defaultMarketHasFiveInstruments()
{
    Session session;
    session.startSimulation(1);
    session.setSpeed(0.0);

    const ViewPointer view = waitForView(session, [](const MarketView &candidate) {
        if (candidate.instruments.size() != 5)
            return false;
        for (const InstrumentQuote &quote : candidate.instruments) {
            if (quote.tradeCount == 0)
                return false;
        }
        return true;
    });
    QVERIFY2(view, "no view in which all five instruments traded");

    struct Terms {
        const char *symbol;
        int decimals;
        std::int64_t tick;
        std::int64_t lot;
    };
    const Terms expected[] = {{"BRSA", 2, 1, 1},
                              {"NVLT", 2, 5, 1},
                              {"QRTZ", 4, 1, 100},
                              {"HLXB", 3, 5, 1},
                              {"BRIX", 2, 25, 1}};
    for (std::size_t index = 0; index < 5; ++index) {
        const InstrumentQuote &quote = view->instruments[index];
        QCOMPARE(quote.instrument, InstrumentId{static_cast<std::uint32_t>(index + 1)});
        QCOMPARE(quote.symbol, std::string(expected[index].symbol));
        QCOMPARE(quote.currency, std::string("USD"));
        QCOMPARE(quote.priceDecimals, expected[index].decimals);
        QCOMPARE(quote.tickSize, Price{expected[index].tick});
        QCOMPARE(quote.lotSize, Quantity{expected[index].lot});
        QCOMPARE(quote.status, TradingStatus::Trading);
        QVERIFY(quote.bestBid > Price{0});
        QVERIFY(quote.bestBid < quote.bestAsk);
        QCOMPARE(quote.bestBid.value() % quote.tickSize.value(), std::int64_t{0});
        QCOMPARE(quote.bestAsk.value() % quote.tickSize.value(), std::int64_t{0});
        QCOMPARE(quote.bidSize.value() % quote.lotSize.value(), std::int64_t{0});
        QVERIFY(quote.last > Price{0});
        QVERIFY(quote.openPrice > Price{0});
        QVERIFY(quote.volume > Quantity{0});
        QVERIFY(!quote.sparkline.empty());
        QVERIFY(quote.sparkline.size() <= 60);
    }
    // The focus of a new run is the first instrument.
    QCOMPARE(view->instrument, InstrumentId{1});
    QCOMPARE(view->quantityDecimals, 0);
    QCOMPARE(view->tickSize, Price{1});
}

// A new market's first events add the five instruments, open account 1 and set its limits,
// which the view lists with the risk monitor.
void TestSessionTrading::newMarketOpensTraderAccount()
{
    std::vector<Event> events;
    Session session;
    session.setRunHandlerFactory(loggingTo(events));
    session.startSimulation(2);
    const ViewPointer view = waitForView(session, hasBothSides);
    QVERIFY(view);
    session.stop();

    QVERIFY(events.size() > 7);
    for (std::size_t index = 0; index < 5; ++index) {
        QCOMPARE(events[index].sequence, SequenceNumber{index + 1});
        QVERIFY(std::holds_alternative<InstrumentAdded>(events[index].payload));
    }
    const auto *opened = std::get_if<AccountOpened>(&events[5].payload);
    QVERIFY(opened);
    QCOMPARE(opened->settings.id, kTrader);
    QCOMPARE(opened->settings.type, AccountType::Margin);
    QCOMPARE(opened->settings.currency, currencyCode("USD"));
    QCOMPARE(opened->settings.fees.maker.partsPerMillion, std::int64_t{50});
    QCOMPARE(opened->settings.fees.taker.partsPerMillion, std::int64_t{200});
    QCOMPARE(opened->openingBalance, Money{100'000'000});
    QVERIFY(std::holds_alternative<RiskLimitsSet>(events[6].payload));

    QCOMPARE(view->trader.accounts, std::vector<AccountId>{kTrader});
    QCOMPARE(view->trader.limits.size(), std::size_t{1});
    const RiskLimits &limits = view->trader.limits[0];
    QCOMPARE(limits.maximumOrderQuantity, Quantity{50'000});
    QCOMPARE(limits.maximumOrderNotional, Money{50'000'000});
    QCOMPARE(limits.maximumLongPosition, Quantity{100'000});
    QCOMPARE(limits.maximumShortPosition, Quantity{100'000});
    QCOMPARE(limits.priceBandBasisPoints, std::int64_t{500});
    QCOMPARE(limits.maximumOpenOrders, std::int64_t{200});
    QCOMPARE(limits.maximumOrdersPerSecond, std::int64_t{50});
    QCOMPARE(limits.dailyLossLimit, Money{5'000'000});
    QCOMPARE(limits.marginBuyingPower, Money{400'000'000});
    QCOMPARE(view->trader.risk.size(), std::size_t{1});
    QCOMPARE(view->trader.risk[0].account, kTrader);
    bool openOrdersListed = false;
    for (const LimitUse &use : view->trader.risk[0].limits)
        openOrdersListed = openOrdersListed ||
                           (use.rule == RiskRule::OpenOrders && use.limit == 200 && use.use == 0);
    QVERIFY(openOrdersListed);
    QCOMPARE(view->trader.globalKillSwitch, KillSwitchScope::None);
}

void TestSessionTrading::restingOrderWorksUntilCancelled()
{
    Session session;
    session.startSimulation(3);
    const ViewPointer view = waitForView(session, hasBothSides);
    QVERIFY(view);
    const NewOrder bid = farBid(view->instruments[0], 100);
    QVERIFY(session.submit(bid)); // account zero: the default account

    const OrderId id =
        waitForWorking(session, [&bid](const OwnOrder &order) { return order.limit == bid.limit; });
    QVERIFY2(id.value() != 0, "the order did not show as working");
    const ViewPointer working = session.latestView();
    const OwnOrder *order = findOrder(working->trader.workingOrders, id);
    QVERIFY(order);
    QCOMPARE(order->account, kTrader);
    QCOMPARE(order->instrument, InstrumentId{1});
    QCOMPARE(order->quantity, Quantity{100});
    QCOMPARE(order->remaining, Quantity{100});

    QVERIFY(session.cancel(id));
    const ViewPointer cancelled = waitForView(session, [id](const MarketView &candidate) {
        return findOrder(candidate.trader.finishedOrders, id) != nullptr;
    });
    QVERIFY(cancelled);
    const OwnOrder *finished = findOrder(cancelled->trader.finishedOrders, id);
    QCOMPARE(finished->state, OwnOrderState::Cancelled);
    QCOMPARE(finished->reason, std::string("cancelled on request"));
    QVERIFY(findOrder(cancelled->trader.workingOrders, id) == nullptr);
}

// The fee of a taker fill is 2 bp of its notional, rounded up to the cent, at least one cent.
// BRSA has two price decimals, so a price in ticks is a price in cents.
void TestSessionTrading::marketableOrderPaysTakerFee()
{
    Session session;
    session.startSimulation(4);
    const ViewPointer view = waitForView(session, hasBothSides);
    QVERIFY(view);
    const InstrumentQuote &quote = view->instruments[0];
    NewOrder buy = limitOrder(1, Side::Buy, 5, Price{quote.bestAsk.value() + 20});
    buy.timeInForce = TimeInForce::Ioc;
    QVERIFY(session.submit(buy));

    const ViewPointer filled = waitForView(
        session, [](const MarketView &candidate) { return !candidate.trader.fills.empty(); });
    QVERIFY2(filled, "the marketable order did not fill");
    std::int64_t bought = 0;
    for (const OwnFill &fill : filled->trader.fills) {
        QCOMPARE(fill.account, kTrader);
        QVERIFY(!fill.maker);
        const std::int64_t notionalCents = fill.price.value() * fill.quantity.value();
        const std::int64_t feeCents =
            std::max<std::int64_t>((notionalCents * 200 + 999'999) / 1'000'000, 1);
        QCOMPARE(fill.fee, Money{feeCents});
        bought += fill.quantity.value();
    }
    QVERIFY(bought > 0 && bought <= 5);
    const ViewPointer positioned = waitForView(session, [bought](const MarketView &candidate) {
        return !candidate.trader.positions.empty() &&
               candidate.trader.positions[0].quantity == Quantity{bought};
    });
    QVERIFY(positioned);
    QCOMPARE(positioned->trader.positions[0].instrument, InstrumentId{1});
    QVERIFY(positioned->trader.positions[0].mark > Price{0});
}

void TestSessionTrading::checkOrderPlacesNothing()
{
    Session session;
    session.startSimulation(5);
    const ViewPointer view = waitForView(session, hasBothSides);
    QVERIFY(view);

    const Session::CheckAnswer passing = session.checkOrder(farBid(view->instruments[0], 10)).get();
    QVERIFY(passing.check.passes());
    QCOMPARE(passing.text, std::string());

    const Session::CheckAnswer oversize =
        session.checkOrder(farBid(view->instruments[0], 60'000)).get();
    QCOMPARE(oversize.check.reason, std::optional<RejectReason>(RejectReason::RiskLimit));
    QCOMPARE(oversize.check.risk.rule, RiskRule::OrderQuantity);
    QCOMPARE(oversize.text,
             std::string("rejected: order size, 60,000 against the account limit of 50,000"));

    // NVLT moves in steps of 0.05, so one tick of 0.01 above a valid price is off its grid.
    const InstrumentQuote &nvlt = *findQuote(*view, InstrumentId{2});
    const Session::CheckAnswer offTick =
        session.checkOrder(limitOrder(2, Side::Buy, 1, Price{nvlt.bestBid.value() + 1})).get();
    QCOMPARE(offTick.check.reason, std::optional<RejectReason>(RejectReason::PriceNotOnTick));
    QCOMPARE(offTick.text, std::string("rejected: price not a multiple of the tick size"));

    const ViewPointer after = waitForView(session, [&view](const MarketView &candidate) {
        return candidate.viewNumber > view->viewNumber + 2;
    });
    QVERIFY(after);
    QVERIFY(after->trader.workingOrders.empty());
    QVERIFY(after->trader.finishedOrders.empty());
}

void TestSessionTrading::checkOrderBreaksWithoutEngine()
{
    Session session;
    std::future<Session::CheckAnswer> unstarted = session.checkOrder(NewOrder{});
    QVERIFY_THROWS_EXCEPTION(std::future_error, unstarted.get());
    QVERIFY(!session.submit(NewOrder{}));

    session.startSimulation(6);
    QVERIFY(waitForView(session, hasBothSides));
    session.stop();
    std::future<BookDepth> stopped = session.queryBook(InstrumentId{1}, 5);
    try {
        stopped.get();
        QFAIL("a stopped session answered a book query");
    } catch (const std::future_error &error) {
        QCOMPARE(error.code(), std::make_error_code(std::future_errc::broken_promise));
    }
    QVERIFY(!session.cancel(OrderId{1}));
}

// A replay takes orders, but they never enter the replayed book: the fill model fills them from
// it. The book is a bid of 100 at $500.00 and an ask of 50 at $500.10.
void TestSessionTrading::replayOrdersFillAsSimulated()
{
    QTemporaryDir directory;
    const QString path = directory.filePath(QStringLiteral("TEST_2012-06-21_message_1.csv"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("34200.000000000,1,1,100,5000000,1\n34200.100000000,1,2,50,5001000,-1\n");
    file.close();
    Session session;
    QVERIFY(!session.startReplay({path.toStdString(), {}, 0.0}));
    const ViewPointer done = waitForView(
        session, [](const MarketView &view) { return view.replayState == ReplayState::Finished; });
    QVERIFY(done);

    QVERIFY(session.submit(limitOrder(1, Side::Buy, 1, Price{5'000'000})));
    QVERIFY(session.submit(limitOrder(1, Side::Buy, 10, Price{5'001'000})));
    const ViewPointer traded = waitForView(session, [](const MarketView &view) {
        return view.trader.workingOrders.size() == 1 && view.trader.fills.size() == 1;
    });
    QVERIFY(traded);
    QCOMPARE(traded->trader.accounts.size(), std::size_t{1});
    const OwnOrder &resting = traded->trader.workingOrders.front();
    QCOMPARE(resting.limit, Price{5'000'000});
    QVERIFY(resting.simulated);
    const OwnFill &fill = traded->trader.fills.front();
    QCOMPARE(fill.price, Price{5'001'000});
    QCOMPARE(fill.quantity, Quantity{10});
    QVERIFY(!fill.maker);
    QVERIFY(fill.simulated);
    QCOMPARE(traded->trader.positions.size(), std::size_t{1});
    QCOMPARE(traded->trader.positions.front().quantity, Quantity{10});
    QVERIFY(traded->trader.positions.front().simulated);
    // The replayed book is the recording's.
    QCOMPARE(traded->bids, done->bids);
    QCOMPARE(traded->asks, done->asks);

    QCOMPARE(done->instruments.size(), std::size_t{1});
    QCOMPARE(done->instruments[0].symbol, std::string("TEST"));
    QCOMPARE(done->instruments[0].priceDecimals, 4);
    // LOBSTER prices are in 0.0001 dollars, and the stock is quoted in whole cents.
    QCOMPARE(done->tickSize, Price{100});

    const BookDepth depth = session.queryBook(InstrumentId{}, 10).get();
    QCOMPARE(depth.instrument, InstrumentId{1});
    QCOMPARE(depth.lastSequence, done->lastSequence);
    QCOMPARE(depth.bids, done->bids);
    QCOMPARE(depth.asks, done->asks);
}

void TestSessionTrading::focusChoosesInstrument()
{
    Session session;
    session.startSimulation(7);
    session.setSpeed(0.0);
    QVERIFY(waitForView(session, hasBothSides));

    session.setFocus(InstrumentId{3});
    const ViewPointer view = waitForView(session, [](const MarketView &candidate) {
        return candidate.instrument == InstrumentId{3} && !candidate.recentTrades.empty();
    });
    QVERIFY2(view, "the focus did not move to instrument 3");
    QCOMPARE(view->symbol, std::string("QRTZ"));
    QCOMPARE(view->priceDecimals, 4);
    QCOMPARE(view->lotSize, Quantity{100});
    QCOMPARE(view->bids.front().price, findQuote(*view, InstrumentId{3})->bestBid);
    QCOMPARE(view->timeFrames.size(), std::size_t{4});
    // QRTZ trades near $0.8734, which no other default instrument comes near.
    for (const TradePrint &print : view->recentTrades) {
        QVERIFY2(print.price.value() > 7'000 && print.price.value() < 10'500,
                 qPrintable(QString::number(print.price.value())));
    }

    session.setFocus(InstrumentId{99}); // unknown: ignored
    session.setFocus(InstrumentId{5});
    const ViewPointer last = waitForView(
        session, [](const MarketView &candidate) { return candidate.instrument.value() != 3; });
    QVERIFY(last);
    QCOMPARE(last->instrument, InstrumentId{5});
    QCOMPARE(last->symbol, std::string("BRIX"));
}

void TestSessionTrading::killSwitchStopsTrader()
{
    Session session;
    session.startSimulation(8);
    const ViewPointer view = waitForView(session, hasBothSides);
    QVERIFY(view);
    const NewOrder bid = farBid(view->instruments[1], 2);
    QVERIFY(session.submit(bid));
    const OrderId id =
        waitForWorking(session, [&bid](const OwnOrder &order) { return order.limit == bid.limit; });
    QVERIFY(id.value() != 0);

    QVERIFY(session.engageKillSwitch(kTrader, KillSwitchScope::CancelAll));
    const ViewPointer engaged = waitForView(session, [id](const MarketView &candidate) {
        return findOrder(candidate.trader.finishedOrders, id) != nullptr;
    });
    QVERIFY(engaged);
    QCOMPARE(findOrder(engaged->trader.finishedOrders, id)->reason,
             std::string("cancelled by the kill switch"));
    QCOMPARE(engaged->trader.risk[0].killSwitch, KillSwitchScope::CancelAll);
    QCOMPARE(engaged->trader.riskNotices.front().text,
             std::string("kill switch engaged (cancel-all) for account 1"));

    QVERIFY(session.submit(bid));
    const ViewPointer rejected = waitForView(session, [](const MarketView &candidate) {
        return !candidate.trader.finishedOrders.empty() &&
               candidate.trader.finishedOrders.front().state == OwnOrderState::Rejected;
    });
    QVERIFY(rejected);
    QCOMPARE(rejected->trader.finishedOrders.front().reason,
             std::string("rejected: kill switch (cancel-all) engaged for this account"));

    QVERIFY(session.resetKillSwitch(kTrader));
    QVERIFY(session.engageKillSwitch(AccountId{}, KillSwitchScope::Pause));
    const ViewPointer global = waitForView(session, [](const MarketView &candidate) {
        return candidate.trader.globalKillSwitch == KillSwitchScope::Pause;
    });
    QVERIFY(global);
    QCOMPARE(global->trader.risk[0].killSwitch, KillSwitchScope::None);
    QCOMPARE(global->trader.riskNotices[1].text, std::string("kill switch reset for account 1"));
}

// A cancel-all without an account takes the trader's orders and leaves the market's.
void TestSessionTrading::massCancelSparesMarket()
{
    std::vector<Event> events;
    Session session;
    session.setRunHandlerFactory(loggingTo(events));
    session.startSimulation(9);
    const ViewPointer view = waitForView(session, hasBothSides);
    QVERIFY(view);
    QVERIFY(session.submit(farBid(view->instruments[0], 3)));
    QVERIFY(session.submit(farBid(view->instruments[3], 3)));
    QVERIFY(waitForView(session, [](const MarketView &candidate) {
        return candidate.trader.workingOrders.size() == 2;
    }));

    QVERIFY(session.massCancel(MassCancel{}));
    const ViewPointer after = waitForView(session, [](const MarketView &candidate) {
        return candidate.trader.workingOrders.empty() &&
               candidate.trader.finishedOrders.size() == 2;
    });
    QVERIFY(after);
    for (const OwnOrder &order : after->trader.finishedOrders)
        QCOMPARE(order.reason, std::string("cancelled by a mass cancel"));
    for (const InstrumentQuote &quote : after->instruments) {
        QVERIFY(quote.bestBid > Price{0});
        QVERIFY(quote.bestAsk > Price{0});
    }
    session.stop();

    std::size_t massCancels = 0;
    for (const Event &event : events) {
        if (const auto *cancelled = std::get_if<OrderCancelled>(&event.payload))
            massCancels += cancelled->reason == CancelReason::MassCancel ? 1U : 0U;
    }
    QCOMPARE(massCancels, std::size_t{2});
}

// Trader bids rest in every book while the market runs as fast as it can. The simulators
// cancel none of them, and no order id is ever rejected as a duplicate.
void TestSessionTrading::simulatorNeverCancelsTraderOrders()
{
    std::vector<Event> events;
    Session session;
    session.setRunHandlerFactory(loggingTo(events));
    session.startSimulation(10);
    const ViewPointer view = waitForView(session, hasBothSides);
    QVERIFY(view);
    for (int round = 0; round < 4; ++round) {
        for (const InstrumentQuote &quote : view->instruments)
            QVERIFY(session.submit(farBid(quote, quote.lotSize.value())));
    }
    QVERIFY(waitForView(session, [](const MarketView &candidate) {
        return candidate.trader.workingOrders.size() == 20;
    }));
    session.setSpeed(0.0);
    QThread::msleep(1'000);
    const ViewPointer later = session.latestView();
    session.stop();

    QCOMPARE(later->trader.workingOrders.size(), std::size_t{20});
    std::set<OrderId> traderOrders;
    std::set<OrderId> accepted;
    std::size_t repeatedIds = 0;
    std::size_t duplicateRejections = 0;
    for (const Event &event : events) {
        if (const auto *order = std::get_if<OrderAccepted>(&event.payload)) {
            repeatedIds += accepted.insert(order->id).second ? 0U : 1U;
            if (order->account == kTrader)
                traderOrders.insert(order->id);
        }
        if (const auto *rejected = std::get_if<OrderRejected>(&event.payload))
            duplicateRejections += rejected->reason == RejectReason::DuplicateOrderId ? 1U : 0U;
    }
    std::size_t traderCancels = 0;
    for (const Event &event : events) {
        if (const auto *cancelled = std::get_if<OrderCancelled>(&event.payload))
            traderCancels += traderOrders.contains(cancelled->id) ? 1U : 0U;
    }
    QVERIFY(accepted.size() > 10'000);
    QCOMPARE(traderOrders.size(), std::size_t{20});
    QCOMPARE(traderCancels, std::size_t{0});
    QCOMPARE(repeatedIds, std::size_t{0});
    QCOMPARE(duplicateRejections, std::size_t{0});
}

void TestSessionTrading::riskLimitsChangeFromSession()
{
    Session session;
    session.startSimulation(11);
    const ViewPointer view = waitForView(session, hasBothSides);
    QVERIFY(view);
    RiskLimits limits = view->trader.limits[0];
    limits.maximumOpenOrders = 3;
    QVERIFY(session.setRiskLimits(kTrader, limits));
    QVERIFY(waitForView(session, [](const MarketView &candidate) {
        return candidate.trader.limits[0].maximumOpenOrders == 3;
    }));

    for (int index = 0; index < 4; ++index)
        QVERIFY(session.submit(farBid(view->instruments[0], 1)));
    const ViewPointer after = waitForView(session, [](const MarketView &candidate) {
        return candidate.trader.workingOrders.size() == 3 &&
               candidate.trader.finishedOrders.size() == 1;
    });
    QVERIFY(after);
    QCOMPARE(after->trader.finishedOrders[0].reason,
             std::string("rejected: open orders, would be 4 against the account limit of 3"));
    bool limitsNotice = false;
    for (const RiskNotice &notice : after->trader.riskNotices)
        limitsNotice = limitsNotice || notice.text == "risk limits set for account 1";
    QVERIFY(limitsNotice);
}

// A market recovered from a snapshot continues with the instruments, the account and the
// resting order it had. Nothing is added or opened again, and new ids follow the old ones.
void TestSessionTrading::resumedMarketKeepsTraderState()
{
    auto engine = std::make_unique<Engine>();
    const Timestamp start{1'700'000'000'000'000'000};
    session::setUpMarket(*engine, Session::defaultSimulatedInstruments(), start);
    SimulatorSet simulators(
        3, session::simulatorMembers(*engine, Session::defaultSimulatedInstruments()), *engine);
    simulators.prime(*engine, start);
    for (int step = 0; step < 5'000; ++step)
        simulators.step(*engine, start);
    NewOrder bid = limitOrder(1, Side::Buy, 7, Price{9'800});
    bid.account = kTrader;
    const OrderId restingId = engine->submit(bid, start);
    QVERIFY(engine->findOrder(restingId));
    const SequenceNumber last = engine->lastSequence();
    auto recovered = std::make_unique<Engine>();
    QVERIFY(!Engine::loadSnapshot(engine->snapshot(), *recovered));

    std::vector<Event> events;
    Session session;
    session.setRunHandlerFactory(loggingTo(events));
    Session::Continuation continuation;
    continuation.engine = std::move(recovered);
    session.resumeSimulation(12, std::move(continuation));
    session.setSpeed(0.0);
    const ViewPointer view = waitForView(session, [last](const MarketView &candidate) {
        return candidate.lastSequence > last + 10'000;
    });
    QVERIFY(view);
    session.stop();

    QCOMPARE(view->instruments.size(), std::size_t{5});
    QCOMPARE(view->instruments[2].symbol, std::string("QRTZ"));
    QCOMPARE(view->trader.accounts, std::vector<AccountId>{kTrader});
    QCOMPARE(view->trader.limits[0].maximumOpenOrders, std::int64_t{200});
    const OwnOrder *resting = findOrder(view->trader.workingOrders, restingId);
    QVERIFY(resting);
    QCOMPARE(resting->limit, Price{9'800});
    QCOMPARE(resting->remaining, Quantity{7});

    QVERIFY(!events.empty());
    QCOMPARE(events.front().sequence, last + 1);
    for (const Event &event : events) {
        QVERIFY(!std::holds_alternative<InstrumentAdded>(event.payload));
        QVERIFY(!std::holds_alternative<AccountOpened>(event.payload));
        if (const auto *accepted = std::get_if<OrderAccepted>(&event.payload))
            QVERIFY(accepted->id > restingId);
        if (const auto *cancelled = std::get_if<OrderCancelled>(&event.payload))
            QVERIFY(cancelled->id != restingId);
    }
}

// An engine without events, as an empty journal gives, starts a new market.
void TestSessionTrading::emptyContinuationStartsNewMarket()
{
    std::vector<Event> events;
    Session session;
    session.setRunHandlerFactory(loggingTo(events));
    Session::Continuation continuation;
    continuation.engine = std::make_unique<Engine>(InstrumentId{1});
    continuation.journal = "empty.sqlite";
    session.resumeSimulation(13, std::move(continuation));
    const ViewPointer view = waitForView(session, hasBothSides);
    QVERIFY(view);
    session.stop();

    QCOMPARE(view->instruments.size(), std::size_t{5});
    QCOMPARE(view->symbol, std::string("BRSA"));
    QCOMPARE(view->trader.accounts, std::vector<AccountId>{kTrader});
    QVERIFY(!events.empty());
    QCOMPARE(events.front().sequence, SequenceNumber{1});
    QVERIFY(std::holds_alternative<InstrumentAdded>(events.front().payload));
}

// 20'000 events a second, then 5'000: the rate the view measures over its last second follows
// within a quarter, which leaves room for a busy machine.
void TestSessionTrading::eventRatePacesSimulation()
{
    Session::Options options;
    options.simulationEventsPerSecond = 20'000;
    Session session(options);
    session.startSimulation(14);
    QVERIFY(waitForView(session, hasBothSides));
    QThread::msleep(1'500);
    const double fast = session.latestView()->eventsPerSecond;
    QVERIFY2(fast > 15'000 && fast < 25'000, qPrintable(QString::number(fast)));

    session.setEventRate(5'000);
    session.setEventRate(-1.0); // ignored
    QThread::msleep(1'500);
    const double slow = session.latestView()->eventsPerSecond;
    QVERIFY2(slow > 3'750 && slow < 6'250, qPrintable(QString::number(slow)));
}

// A paused market's view and the engine's own book agree, as a load test checks at its end.
void TestSessionTrading::queryBookMatchesPausedView()
{
    Session session;
    session.startSimulation(15);
    session.setSpeed(0.0);
    QVERIFY(waitForView(session, [](const MarketView &view) { return view.totalTrades > 1'000; }));
    session.setFocus(InstrumentId{4});
    session.pause();
    const ViewPointer paused = waitForView(session, [](const MarketView &view) {
        return view.replayState == ReplayState::Paused && view.instrument == InstrumentId{4};
    });
    QVERIFY(paused);

    const BookDepth depth = session.queryBook(InstrumentId{4}, 50).get();
    QCOMPARE(depth.instrument, InstrumentId{4});
    QCOMPARE(depth.lastSequence, paused->lastSequence);
    QVERIFY(!depth.bids.empty());
    QCOMPARE(depth.bids, paused->bids);
    QCOMPARE(depth.asks, paused->asks);
    QCOMPARE(session.queryBook(InstrumentId{4}, 1).get().bids.size(), std::size_t{1});
    QVERIFY(session.queryBook(InstrumentId{42}, 5).get().bids.empty());
}

// The queue takes 4096 commands and rejects the next, keeps every one it took in order, takes
// trading commands only while allowed, and breaks the promises of what it drops at a reset.
void TestSessionTrading::commandQueueBoundedNeverDrops()
{
    session::ControlQueue queue;
    queue.acceptCommands(true, true);
    for (std::int64_t index = 1; index <= 4096; ++index) {
        NewOrder order;
        order.quantity = Quantity{index};
        QVERIFY(queue.pushCommand(order, session::ControlQueue::CommandKind::Trading));
    }
    QVERIFY(!queue.pushCommand(NewOrder{}, session::ControlQueue::CommandKind::Trading));

    std::vector<session::TraderCommand> taken;
    queue.takeCommands(taken);
    QCOMPARE(taken.size(), std::size_t{4096});
    for (std::size_t index = 0; index < taken.size(); ++index) {
        QCOMPARE(std::get<NewOrder>(taken[index]).quantity,
                 Quantity{static_cast<std::int64_t>(index + 1)});
    }

    queue.acceptCommands(true, false);
    QVERIFY(!queue.pushCommand(NewOrder{}, session::ControlQueue::CommandKind::Trading));
    std::promise<Session::CheckAnswer> promise;
    std::future<Session::CheckAnswer> answer = promise.get_future();
    QVERIFY(queue.pushCommand(session::CheckCommand{NewOrder{}, std::move(promise)},
                              session::ControlQueue::CommandKind::Query));
    queue.reset();
    QVERIFY_THROWS_EXCEPTION(std::future_error, answer.get());
    QVERIFY(!queue.pushCommand(NewOrder{}, session::ControlQueue::CommandKind::Query));
}

void TestSessionTrading::recentEventsBoundedAndCounted()
{
    Session::Options options;
    options.eventsPerView = 50;
    Session session(options);
    session.startSimulation(16);
    session.setSpeed(0.0);

    bool overLimit = false;
    const ViewPointer view = waitForView(session, [&overLimit](const MarketView &candidate) {
        overLimit = overLimit || candidate.recentEvents.size() > 50;
        return candidate.droppedEvents > 0;
    });
    QVERIFY2(view, "no view counted dropped events at maximum speed");
    QVERIFY(!overLimit);
    QCOMPARE(view->recentEvents.size(), std::size_t{50});
    for (std::size_t index = 1; index < view->recentEvents.size(); ++index)
        QCOMPARE(view->recentEvents[index].sequence, view->recentEvents[index - 1].sequence + 1);
    QCOMPARE(view->recentEvents.back().sequence, view->lastSequence);
    QCOMPARE(view->marketTime, view->recentEvents.back().time);
}

void TestSessionTrading::timeFramesAndRecentVolume()
{
    Session session;
    session.startSimulation(17);
    session.setSpeed(0.0);
    const ViewPointer view = waitForView(session, [](const MarketView &candidate) {
        return candidate.recentVolume.size() > 3 && candidate.totalTrades > 1'000;
    });
    QVERIFY(view);

    QCOMPARE(view->timeFrames.size(), std::size_t{4});
    const std::int64_t intervals[] = {1'000'000'000, 60'000'000'000, 300'000'000'000,
                                      3'600'000'000'000};
    for (std::size_t index = 0; index < 4; ++index) {
        QCOMPARE(view->timeFrames[index].intervalNanoseconds, intervals[index]);
        QVERIFY(!view->timeFrames[index].bars.empty());
    }
    std::int64_t windowVolume = 0;
    for (std::size_t index = 0; index < view->recentVolume.size(); ++index) {
        QVERIFY(view->recentVolume[index].quantity > Quantity{0});
        if (index > 0)
            QVERIFY(view->recentVolume[index - 1].price < view->recentVolume[index].price);
        windowVolume += view->recentVolume[index].quantity.value();
    }
    // The run is younger than a minute, so the window contains every trade of the focus.
    QCOMPARE(Quantity{windowVolume}, view->instruments[0].volume);
}

void TestSessionTrading::optionsReplaceInstruments()
{
    Session::Options options;
    Session::SimulatedInstrument custom = Session::defaultSimulatedInstruments()[3];
    custom.definition.id = InstrumentId{7};
    custom.definition.symbol = {'T', 'E', 'S', 'T'};
    options.simulatedInstruments = {custom};
    Session session(options);
    session.startSimulation(18);

    const ViewPointer view = waitForView(session, hasBothSides);
    QVERIFY(view);
    QCOMPARE(view->instruments.size(), std::size_t{1});
    QCOMPARE(view->instrument, InstrumentId{7});
    QCOMPARE(view->symbol, std::string("TEST"));
    QCOMPARE(view->priceDecimals, 3);
    QCOMPARE(view->tickSize, Price{5});
}

void TestSessionTrading::invalidTradingOptionsRejected()
{
    Session::Options negativeRate;
    negativeRate.simulationEventsPerSecond = -1.0;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Session{negativeRate});

    Session::Options twice;
    twice.simulatedInstruments = {Session::defaultSimulatedInstruments()[0],
                                  Session::defaultSimulatedInstruments()[0]};
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Session{twice});

    Session::Options noTick;
    noTick.simulatedInstruments = {Session::defaultSimulatedInstruments()[0]};
    noTick.simulatedInstruments[0].definition.tickSize = Price{0};
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Session{noTick});

    Session::Options noWeight;
    noWeight.simulatedInstruments = {Session::defaultSimulatedInstruments()[0]};
    noWeight.simulatedInstruments[0].weight = 0;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Session{noWeight});
}

// The agent flow: the AgentMarket's five instruments trade on their own clock, and the trader
// trades against the agents. A marketable buy fills, and its fill's time is not before the
// agents' last event before it.
void TestSessionTrading::agentMarketTradesWithTrader()
{
    Session::Options options;
    options.flow = Session::Options::Flow::Agents;
    Session session(options);
    session.startSimulation(5);
    const ViewPointer view = waitForView(session, [](const MarketView &candidate) {
        return hasBothSides(candidate) && candidate.instruments.size() == 5 &&
               candidate.totalTrades > 20;
    });
    QVERIFY2(view, "the agent market did not trade");
    QCOMPARE(view->instruments[0].symbol, std::string("BLUE"));

    const InstrumentQuote &quote = view->instruments[0];
    NewOrder buy = limitOrder(quote.instrument.value(), Side::Buy, 1,
                              Price{quote.bestAsk.value() + 20 * quote.tickSize.value()});
    buy.timeInForce = TimeInForce::Ioc;
    QVERIFY(session.submit(buy));
    const ViewPointer filled = waitForView(
        session, [](const MarketView &candidate) { return !candidate.trader.fills.empty(); });
    QVERIFY2(filled, "the trader's marketable buy did not fill");
    QCOMPARE(filled->trader.fills.front().account, kTrader);
    QVERIFY(filled->trader.fills.front().time.value() >= view->marketTime.value());
}

QTEST_GUILESS_MAIN(TestSessionTrading)
#include "tst_session_trading.moc"

// A simulated market journaled into a temporary folder, stopped, and continued from its journal
// as the terminal continues it: the blotter and the risk decisions show what they showed before.

#include "engine_printers.h"
#include "engine_recovery.h"
#include "journal.h"
#include "journal_history.h"
#include "session.h"
#include "session_journaling.h"
#include "trader_history.h"

#include <QtTest>

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QThread>

#include <functional>
#include <memory>
#include <string>
#include <vector>

using namespace bourse;
using bourse::test::journalingInto;

namespace {

using ViewPointer = std::shared_ptr<const MarketView>;

constexpr int kTimeoutMs = 10'000;

ViewPointer waitForView(const Session &session,
                        const std::function<bool(const MarketView &)> &predicate)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < kTimeoutMs) {
        ViewPointer view = session.latestView();
        if (view && predicate(*view))
            return view;
        QThread::msleep(2);
    }
    return nullptr;
}

const OwnOrder *findOrder(const std::vector<OwnOrder> &orders, OrderId id)
{
    for (const OwnOrder &order : orders) {
        if (order.id == id)
            return &order;
    }
    return nullptr;
}

NewOrder limitOrder(const InstrumentQuote &quote, Side side, std::int64_t quantity, Price price)
{
    NewOrder order;
    order.instrument = quote.instrument;
    order.side = side;
    order.quantity = Quantity{quantity};
    order.limit = price;
    return order;
}

// A bid 2% under the best bid, on the tick: inside the risk limits' 5% band, and beyond any price
// the simulated flow reaches in the seconds a test runs.
NewOrder farBid(const InstrumentQuote &quote)
{
    const std::int64_t tick = quote.tickSize.value();
    return limitOrder(quote, Side::Buy, 1, Price{quote.bestBid.value() * 98 / 100 / tick * tick});
}

// A rejected order as the journal shows it, without what was asked.
OwnOrder withoutRequest(OwnOrder order)
{
    if (order.state != OwnOrderState::Rejected)
        return order;
    const OwnOrder defaults;
    order.requestKnown = false;
    order.side = defaults.side;
    order.type = defaults.type;
    order.timeInForce = defaults.timeInForce;
    order.limit = defaults.limit;
    order.stopPrice = defaults.stopPrice;
    order.displayQuantity = defaults.displayQuantity;
    order.quantity = defaults.quantity;
    return order;
}

void compareOrders(const std::vector<OwnOrder> &actual, const std::vector<OwnOrder> &expected)
{
    QCOMPARE(actual.size(), expected.size());
    for (std::size_t i = 0; i < actual.size(); ++i) {
        const OwnOrder &a = actual[i];
        const OwnOrder e = withoutRequest(expected[i]);
        QCOMPARE(a.id, e.id);
        QCOMPARE(a.account, e.account);
        QCOMPARE(a.instrument, e.instrument);
        QCOMPARE(a.side, e.side);
        QCOMPARE(a.type, e.type);
        QCOMPARE(a.timeInForce, e.timeInForce);
        QCOMPARE(a.limit, e.limit);
        QCOMPARE(a.quantity, e.quantity);
        QCOMPARE(a.filled, e.filled);
        QCOMPARE(a.remaining, e.remaining);
        QCOMPARE(a.state, e.state);
        QCOMPARE(a.reason, e.reason);
        QCOMPARE(a.requestKnown, e.requestKnown);
        QCOMPARE(a.entered, e.entered);
        QCOMPARE(a.updated, e.updated);
        QCOMPARE(a.lastSequence, e.lastSequence);
    }
}

void compareFills(const std::vector<OwnFill> &actual, const std::vector<OwnFill> &expected)
{
    QCOMPARE(actual.size(), expected.size());
    for (std::size_t i = 0; i < actual.size(); ++i) {
        QCOMPARE(actual[i].tradeSequence, expected[i].tradeSequence);
        QCOMPARE(actual[i].time, expected[i].time);
        QCOMPARE(actual[i].order, expected[i].order);
        QCOMPARE(actual[i].price, expected[i].price);
        QCOMPARE(actual[i].quantity, expected[i].quantity);
        QCOMPARE(actual[i].maker, expected[i].maker);
        QCOMPARE(actual[i].fee, expected[i].fee);
    }
}

void compareNotices(const std::vector<RiskNotice> &actual, const std::vector<RiskNotice> &expected)
{
    QCOMPARE(actual.size(), expected.size());
    for (std::size_t i = 0; i < actual.size(); ++i) {
        QCOMPARE(actual[i].sequence, expected[i].sequence);
        QCOMPARE(actual[i].time, expected[i].time);
        QCOMPARE(actual[i].account, expected[i].account);
        QCOMPARE(actual[i].order, expected[i].order);
        QCOMPARE(actual[i].rule, expected[i].rule);
        QCOMPARE(actual[i].text, expected[i].text);
    }
}

} // namespace

class SessionRestartTest : public QObject {
    Q_OBJECT

private slots:
    void restartKeepsBlotterAndRiskNotices();
};

// The trader lowers the open orders limit to 2. A bid off the tick is rejected by the engine,
// two far bids work and a third is rejected by the limit. The first far bid is cancelled and a
// marketable buy of one lot fills. The market is stopped and continued from its journal.
void SessionRestartTest::restartKeepsBlotterAndRiskNotices()
{
    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    const std::string path = directory.filePath(QStringLiteral("simulation.sqlite")).toStdString();

    ViewPointer before;
    OrderId cancelled;
    OrderId working;
    {
        Session session;
        session.setRunHandlerFactory(journalingInto(path));
        session.startSimulation(21);
        const ViewPointer start = waitForView(session, [](const MarketView &view) {
            return !view.trader.accounts.empty() && view.instruments.size() == 5 &&
                   view.instruments[0].bestBid > Price{0} &&
                   view.instruments[0].bestAsk > Price{0} && view.instruments[3].bestBid > Price{0};
        });
        QVERIFY(start);
        const InstrumentQuote quote = start->instruments[0];
        RiskLimits limits = start->trader.limits[0];
        limits.maximumOpenOrders = 2;
        QVERIFY(session.setRiskLimits(start->trader.accounts[0], limits));

        // HLXB moves in steps of 0.005, so 0.002 more is off its grid.
        const InstrumentQuote steps = start->instruments[3];
        QCOMPARE(steps.tickSize, Price{5});
        NewOrder offTick = farBid(steps);
        offTick.limit = Price{offTick.limit.value() + 2};
        QVERIFY(session.submit(offTick));
        QVERIFY(session.submit(farBid(quote)));
        QVERIFY(session.submit(farBid(quote)));
        QVERIFY(session.submit(farBid(quote)));
        const ViewPointer placed = waitForView(session, [](const MarketView &view) {
            return view.trader.workingOrders.size() == 2 && view.trader.finishedOrders.size() == 2;
        });
        QVERIFY(placed);
        cancelled = placed->trader.workingOrders[0].id;
        working = placed->trader.workingOrders[1].id;

        QVERIFY(session.cancel(cancelled));
        NewOrder buy = limitOrder(quote, Side::Buy, 1, Price{quote.bestAsk.value() * 101 / 100});
        buy.limit = Price{buy.limit.value() / quote.tickSize.value() * quote.tickSize.value()};
        buy.timeInForce = TimeInForce::Ioc;
        QVERIFY(session.submit(buy));
        QVERIFY(waitForView(session, [](const MarketView &view) {
            return view.trader.finishedOrders.size() == 4 && !view.trader.fills.empty();
        }));

        session.pause();
        before = waitForView(session, [](const MarketView &view) {
            return view.replayState == ReplayState::Paused;
        });
        QVERIFY(before);
        session.stop();
    }

    // What the first run showed, checked by hand. Newest first come the fill, the cancel and the
    // two rejections. The far bid left working has the time it was entered.
    const TraderView &firstRun = before->trader;
    QCOMPARE(firstRun.finishedOrders.size(), std::size_t{4});
    QCOMPARE(firstRun.finishedOrders[0].state, OwnOrderState::Filled);
    QCOMPARE(firstRun.finishedOrders[1].id, cancelled);
    QCOMPARE(firstRun.finishedOrders[1].reason, std::string("cancelled on request"));
    QCOMPARE(firstRun.finishedOrders[2].reason,
             std::string("rejected: open orders, would be 3 against the account limit of 2"));
    QCOMPARE(firstRun.finishedOrders[3].reason,
             std::string("rejected: price not a multiple of the tick size"));
    QCOMPARE(firstRun.finishedOrders[3].instrument, InstrumentId{4});
    QCOMPARE(firstRun.workingOrders.size(), std::size_t{1});
    QCOMPARE(firstRun.workingOrders[0].id, working);
    QVERIFY(firstRun.workingOrders[0].entered > Timestamp{});

    app::RecoveredEngine recovered = app::recoverEngine(path);
    QVERIFY2(recovered.engine, recovered.error ? recovered.error->toString().c_str() : "");
    storage::JournalHistory::Opened opened = storage::JournalHistory::open(path);
    QVERIFY(opened.history);
    TraderHistory history =
        readTraderHistory(*opened.history, *recovered.engine, Session::traderAccounts());
    opened.history.reset();
    QVERIFY2(history.error.empty(), history.error.c_str());
    QVERIFY(history.complete);

    Session::Continuation continuation;
    continuation.engine = std::move(recovered.engine);
    continuation.journal = path;
    continuation.lastSnapshot = recovered.report.snapshotSequence;
    continuation.traderHistory = std::move(history.events);
    Session session;
    session.setRunHandlerFactory(journalingInto(path));
    session.resumeSimulation(22, std::move(continuation));
    session.pause();
    const ViewPointer after = waitForView(session, [](const MarketView &view) {
        return !view.trader.accounts.empty() && view.replayState == ReplayState::Paused;
    });
    QVERIFY(after);
    session.stop();

    const TraderView &restored = after->trader;
    compareOrders(restored.finishedOrders, firstRun.finishedOrders);
    compareOrders(restored.workingOrders, firstRun.workingOrders);
    compareFills(restored.fills, firstRun.fills);
    compareNotices(restored.riskNotices, firstRun.riskNotices);
    QVERIFY(findOrder(restored.workingOrders, working));
    QCOMPARE(restored.limits[0].maximumOpenOrders, std::int64_t{2});
}

QTEST_GUILESS_MAIN(SessionRestartTest)
#include "tst_session_restart.moc"

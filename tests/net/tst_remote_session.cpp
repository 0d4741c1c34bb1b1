// A RemoteSession against an in-process Server on 127.0.0.1 ports the system chooses, with a
// quiet scenario market of one instrument (ABC, id 1, tick 0.01) where only the session trades.
// One trader key trades accounts 1 and 2, which the server opens with the default trader terms:
// a margin account of $1,000,000.00, fees of 0.5 bp to add liquidity and 2 bp to take it.

#include "remote_session.h"
#include "server.h"

#include "curve_keys.h"
#include "engine_printers.h"
#include "in_process_server.h"
#include "portfolio.h"
#include "view_checks.h"

#include <QTest>

#include <functional>

using namespace bourse;
using namespace bourse::net;
using namespace bourse::nettest;

namespace {

constexpr std::int64_t kOpeningBalance = 100'000'000; // cents

struct Fixture : InProcessServer {
    CurveKeyPair serverKeys = newKeyPair();
    CurveKeyPair trader = newKeyPair();

    Fixture()
    {
        writeKeyPairFiles(serverKeys, path("server"));
        writeFile(path("desk.access"), "trader " + trader.publicKey + " accounts 1,2 # desk\n");
        writeFile(path("quiet.scenario"), kQuietScenario);
        writeConfig({});
        start();
    }

    // A server on the endpoints of the stopped one, as after an operator restarted it.
    void restart() { InProcessServer::restart({}); }

    RemoteSession::Options sessionOptions() const
    {
        RemoteSession::Options options;
        ClientOptions &client = options.client;
        client.orderEntryEndpoint = server->orderEntryEndpoint();
        client.publishEndpoint = server->publishEndpoint();
        client.snapshotEndpoint = server->snapshotEndpoint();
        client.serverPublicKey = serverKeys.publicKey;
        client.keys = trader;
        client.heartbeatInterval = std::chrono::milliseconds(200);
        client.instruments = {InstrumentId{1}};
        client.accounts = {AccountId{1}, AccountId{2}};
        return options;
    }
};

bool isLiveAndInSync(const MarketView &view)
{
    return view.takesOrders && view.replayStale.empty() && view.instrument == InstrumentId{1} &&
           view.trader.accounts.size() == 2;
}

const OwnPosition *positionOf(const MarketView &view, std::uint32_t account)
{
    for (const OwnPosition &position : view.trader.positions) {
        if (position.account == AccountId{account} && position.instrument == InstrumentId{1})
            return &position;
    }
    return nullptr;
}

// Rests a bid of 5 at 99.00 and asks of 10 at 100.00 and 7 at 101.00 for account 2, and returns
// the view that shows all three working.
std::shared_ptr<const MarketView> restThreeOrders(RemoteSession &session)
{
    session.submit(limitOrder(2, Side::Sell, 10'000, 10));
    session.submit(limitOrder(2, Side::Buy, 9'900, 5));
    session.submit(limitOrder(2, Side::Sell, 10'100, 7));
    return waitForView(session, [](const MarketView &view) {
        return view.trader.workingOrders.size() == 3 && view.bids.size() == 1 &&
               view.asks.size() == 2;
    });
}

// Waits until the session is live and in sync, then rests the orders of restThreeOrders. Returns
// null after a warning that names the step when either never shows.
std::shared_ptr<const MarketView> liveWithThreeOrders(RemoteSession &session)
{
    if (waitForView(session, isLiveAndInSync) == nullptr) {
        qWarning("the session never became live and in sync");
        return nullptr;
    }
    return restThreeOrders(session);
}

} // namespace

class RemoteSessionTest : public QObject {
    Q_OBJECT

private slots:
    void firstViewShowsConnecting();
    void restingOrdersMatchServerBook();
    void crossingOrderShowsFillsAndPositions();
    void lostServerMarksFocusStale();
    void checkOrderUsesInstrumentTerms();
};

void RemoteSessionTest::firstViewShowsConnecting()
{
    Fixture fixture;
    RemoteSession session(fixture.sessionOptions());
    const auto first = session.latestView();
    QVERIFY(first != nullptr);
    QCOMPARE(first->mode, SessionMode::Remote);
    QVERIFY(!first->takesOrders);
    QVERIFY(first->replayStale.starts_with("connecting to tcp://127.0.0.1:"));

    const auto live = waitForView(session, isLiveAndInSync);
    QVERIFY2(live != nullptr, "no live view in sync within the timeout");
    QCOMPARE(live->symbol, std::string("ABC"));
    QCOMPARE(live->priceDecimals, 2);
    QCOMPARE(live->trader.cash,
             (std::vector<Money>{Money{kOpeningBalance}, Money{kOpeningBalance}}));
    QVERIFY(session.status().staleStreams.empty());
    QCOMPARE(session.status().state, ClientState::Live);
}

void RemoteSessionTest::restingOrdersMatchServerBook()
{
    Fixture fixture;
    RemoteSession session(fixture.sessionOptions());
    QVERIFY(waitForView(session, isLiveAndInSync) != nullptr);

    const auto view = restThreeOrders(session);
    QVERIFY2(view != nullptr, "the three resting orders never showed");
    fixture.stop();

    const Engine &engine = fixture.server->engine();
    QVERIFY(sameLevels(view->bids, bookLevels(engine, InstrumentId{1}, Side::Buy)));
    QVERIFY(sameLevels(view->asks, bookLevels(engine, InstrumentId{1}, Side::Sell)));
    // And by hand: the bid of 5 at 99.00; asks of 10 at 100.00 and 7 at 101.00.
    QCOMPARE(view->bids.at(0).price, Price{9'900});
    QCOMPARE(view->bids.at(0).quantity, Quantity{5});
    QCOMPARE(view->asks.at(0).price, Price{10'000});
    QCOMPARE(view->asks.at(0).quantity, Quantity{10});
    QCOMPARE(view->asks.at(1).price, Price{10'100});
    QCOMPARE(view->asks.at(1).quantity, Quantity{7});
    QCOMPARE(view->instruments.at(0).bestBid, Price{9'900});
    QCOMPARE(view->instruments.at(0).bestAsk, Price{10'000});
}

void RemoteSessionTest::crossingOrderShowsFillsAndPositions()
{
    Fixture fixture;
    RemoteSession session(fixture.sessionOptions());
    QVERIFY(liveWithThreeOrders(session) != nullptr);

    // Account 1 takes the 10 at 100.00 from account 2.
    QVERIFY(session.submit(limitOrder(1, Side::Buy, 10'000, 10)));
    const auto view = waitForView(session, [](const MarketView &candidate) {
        return candidate.trader.fills.size() == 2 && positionOf(candidate, 1) &&
               positionOf(candidate, 2) && candidate.trader.workingOrders.size() == 2;
    });
    QVERIFY2(view != nullptr, "the fills never showed");

    // A notional of 10 * $100.00 = 100,000 cents: the taker pays 2 bp, 20 cents, and the maker
    // 0.5 bp, 5 cents. A margin account's cash moves by realized P&L less fees only.
    const OwnPosition &taker = *positionOf(*view, 1);
    QCOMPARE(taker.quantity, Quantity{10});
    QCOMPARE(taker.average, (AveragePrice{10'000, 1}));
    QCOMPARE(taker.fees, Money{20});
    QCOMPARE(taker.realized, Money{0});
    QCOMPARE(taker.mark, Price{10'000});
    const OwnPosition &maker = *positionOf(*view, 2);
    QCOMPARE(maker.quantity, Quantity{-10});
    QCOMPARE(maker.average, (AveragePrice{10'000, 1}));
    QCOMPARE(maker.fees, Money{5});
    QCOMPARE(view->trader.cash,
             (std::vector<Money>{Money{kOpeningBalance - 20}, Money{kOpeningBalance - 5}}));

    const auto filled =
        std::find_if(view->trader.finishedOrders.begin(), view->trader.finishedOrders.end(),
                     [](const OwnOrder &order) { return order.account == AccountId{1}; });
    QVERIFY(filled != view->trader.finishedOrders.end());
    QCOMPARE(filled->state, OwnOrderState::Filled);
    QCOMPARE(filled->filled, Quantity{10});
    for (const OwnFill &fill : view->trader.fills) {
        QCOMPARE(fill.price, Price{10'000});
        QCOMPARE(fill.quantity, Quantity{10});
        QCOMPARE(fill.maker, fill.account == AccountId{2});
        QVERIFY(fill.order.value() != 0);
    }
    QCOMPARE(view->recentTrades.size(), std::size_t{1});
    QCOMPARE(view->recentTrades.back().price, Price{10'000});
    QCOMPARE(view->instruments.at(0).last, Price{10'000});
    QCOMPARE(view->asks.at(0).price, Price{10'100});
}

void RemoteSessionTest::lostServerMarksFocusStale()
{
    Fixture fixture;
    RemoteSession session(fixture.sessionOptions());
    QVERIFY(liveWithThreeOrders(session) != nullptr);
    const std::string endpoint = fixture.server->orderEntryEndpoint();

    fixture.stop();
    const auto lost = waitForView(session, [&](const MarketView &view) {
        return view.replayStale.starts_with("connection to " + endpoint + " lost");
    });
    QVERIFY2(lost != nullptr, "the view never said the connection was lost");
    QVERIFY(!lost->takesOrders);
    // A stale book keeps its last levels.
    QCOMPARE(lost->asks.size(), std::size_t{2});

    fixture.restart();
    const auto back = waitForView(session, [&](const MarketView &view) {
        return isLiveAndInSync(view) && session.status().staleStreams.empty();
    });
    QVERIFY2(back != nullptr, "the view never came back in sync after the restart");
    // The new server run has a fresh engine with no orders, and the snapshot replaced the book.
    QVERIFY(back->bids.empty());
    QVERIFY(back->asks.empty());
    QVERIFY(back->trader.workingOrders.empty());
    QVERIFY(session.status().counters.instanceChanges >= 1);
}

void RemoteSessionTest::checkOrderUsesInstrumentTerms()
{
    Fixture fixture;
    RemoteSession session(fixture.sessionOptions());
    QVERIFY(waitForView(session, isLiveAndInSync) != nullptr);

    const auto passes = session.checkOrder(limitOrder(1, Side::Buy, 10'000, 3)).get();
    QVERIFY(passes.check.passes());
    QVERIFY(passes.text.empty());
    const auto zero = session.checkOrder(limitOrder(1, Side::Buy, 10'000, 0)).get();
    QCOMPARE(zero.check.reason, std::optional<RejectReason>(RejectReason::InvalidQuantity));
    NewOrder elsewhere = limitOrder(1, Side::Buy, 10'000, 3);
    elsewhere.instrument = InstrumentId{9};
    const auto unknown = session.checkOrder(elsewhere).get();
    QCOMPARE(unknown.check.reason, std::optional<RejectReason>(RejectReason::UnknownInstrument));
}

QTEST_GUILESS_MAIN(RemoteSessionTest)
#include "tst_remote_session.moc"

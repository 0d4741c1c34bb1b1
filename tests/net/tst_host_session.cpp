// A HostSession serving a training market on 127.0.0.1 ports the system chooses, with two peer
// RemoteSessions of their own keys: alice trades accounts 2 and 3, bob account 4, the host
// account 1. The scenario's one instrument, ABC (tick 0.01, lot 1), has a fair value fixed at
// 100.00 (no moves, no news), and its makers quote 40 ticks beyond a one-tick market. So a peer
// order at 100.00 rests inside the agents' spread while they are paused. Every account has the
// default trader terms: fees of 0.5 bp to add liquidity and 2 bp to take it, at least one cent.

#include "host_session.h"

#include "curve_keys.h"
#include "engine_printers.h"
#include "net_test_support.h"

#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <thread>

using namespace bourse;
using namespace bourse::net;
using namespace bourse::nettest;

namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr auto kViewTimeout = std::chrono::seconds(10);
constexpr std::int64_t kInsideSpread = 10'000; // 100.00, the fair value

// The first view that satisfies `accept`, or null after kViewTimeout.
std::shared_ptr<const MarketView> waitForView(const RemoteSession &session,
                                              const std::function<bool(const MarketView &)> &accept)
{
    const auto deadline = SteadyClock::now() + kViewTimeout;
    while (SteadyClock::now() < deadline) {
        const auto view = session.latestView();
        if (view && accept(*view))
            return view;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return nullptr;
}

const OwnPosition *positionOf(const MarketView &view, std::uint32_t account)
{
    for (const OwnPosition &position : view.trader.positions) {
        if (position.account == AccountId{account} && position.instrument == InstrumentId{1})
            return &position;
    }
    return nullptr;
}

Quantity positionQuantity(const MarketView &view, std::uint32_t account)
{
    const OwnPosition *position = positionOf(view, account);
    return position ? position->quantity : Quantity{};
}

// Both sides of ABC's book are quoted and 100.00 lies strictly between them.
bool spreadContainsFairValue(const MarketView &view)
{
    return view.takesOrders && view.instrument == InstrumentId{1} && !view.bids.empty() &&
           !view.asks.empty() && view.bids.front().price < Price{kInsideSpread} &&
           view.asks.front().price > Price{kInsideSpread};
}

struct Fixture {
    QTemporaryDir folder;
    CurveKeyPair hostKeys = newKeyPair();
    CurveKeyPair alice = newKeyPair();
    CurveKeyPair bob = newKeyPair();
    std::unique_ptr<HostSession> host;
    std::unique_ptr<RemoteSession> alicePeer;
    std::unique_ptr<RemoteSession> bobPeer;

    Fixture()
    {
        const std::string dir = folder.path().toStdString();
        writeFile(dir + "/peers.access", "trader " + alice.publicKey + " accounts 2,3 # alice\n" +
                                             "trader " + bob.publicKey + " accounts 4 # bob\n");
        writeFile(dir + "/abc.training",
                  "market seed 3 reversion 100000\n"
                  "instrument ABC tick 0.01 lot 1 price 100.00 moves 0 news off half-spread 40 "
                  "arrivals 100\n");
        host = std::make_unique<HostSession>(hostOptions());
        alicePeer = std::make_unique<RemoteSession>(peerOptions(alice, {2, 3}));
        bobPeer = std::make_unique<RemoteSession>(peerOptions(bob, {4}));
    }

    HostOptions hostOptions() const
    {
        const std::string dir = folder.path().toStdString();
        HostOptions options;
        options.trainingFile = dir + "/abc.training";
        options.keyFolder = dir + "/keys";
        options.hostKeys = hostKeys;
        options.hostAccounts = {AccountId{1}};
        options.peerAccessList = dir + "/peers.access";
        options.heartbeatIntervalMs = 200;
        return options;
    }

    RemoteSession::Options peerOptions(const CurveKeyPair &keys,
                                       const std::vector<std::uint32_t> &accounts) const
    {
        const HostEndpoints endpoints = host->endpoints();
        RemoteSession::Options options;
        ClientOptions &client = options.client;
        client.orderEntryEndpoint = endpoints.orderEntry;
        client.publishEndpoint = endpoints.publish;
        client.snapshotEndpoint = endpoints.snapshot;
        client.serverPublicKey = endpoints.serverPublicKey;
        client.keys = keys;
        client.heartbeatInterval = std::chrono::milliseconds(200);
        client.instruments = {InstrumentId{1}};
        for (const std::uint32_t account : accounts)
            client.accounts.push_back(AccountId{account});
        return options;
    }

    // Pauses the agents and waits until the loop applied it.
    bool pause()
    {
        if (host->pause() != ControlResult::Queued)
            return false;
        const auto deadline = SteadyClock::now() + kViewTimeout;
        while (!host->marketStatus().paused) {
            if (SteadyClock::now() > deadline)
                return false;
            std::this_thread::sleep_for(std::chrono::microseconds(100));
        }
        return true;
    }

    // Waits until the views of both peers and of the host show ABC quoted around 100.00, and
    // then for what the server sent before to arrive. The last event the server made may be of
    // an agent's account, which no view follows, so its number is no mark to wait for.
    bool settle()
    {
        for (RemoteSession *peer : {alicePeer.get(), bobPeer.get(), &host->session()}) {
            if (!waitForView(*peer, spreadContainsFairValue))
                return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        return true;
    }
};

} // namespace

class HostSessionTest : public QObject {
    Q_OBJECT

private slots:
    void peersTradeWithEachOther();
    void peerTradesAgainstAgents();
    void pauseStopsAgentEvents();
    void injectedHaltShowsToPeers();
    void selfTradePreventedPerAccount();
    void controlsRejectUnknownInstrument();
    void hostTradesInSimulation();
    void serverKeysGeneratedOnce();
    void hostKeyInPeerListRejected();
};

// Alice rests a sell of 10 at 100.00 and bob buys 10 at 100.00: one trade of 10 at 100.00, a
// notional of $1,000.00. Alice adds liquidity, 0.5 bp = 5 cents; bob takes it, 2 bp = 20 cents.
void HostSessionTest::peersTradeWithEachOther()
{
    Fixture fixture;
    QVERIFY(fixture.pause());
    QVERIFY2(fixture.settle(), "no view shows ABC quoted around 100.00");

    QVERIFY(fixture.alicePeer->submit(limitOrder(2, Side::Sell, kInsideSpread, 10)));
    QVERIFY(waitForView(*fixture.bobPeer, [](const MarketView &view) {
        return view.asks.front().price == Price{kInsideSpread};
    }));
    QVERIFY(fixture.bobPeer->submit(limitOrder(4, Side::Buy, kInsideSpread, 10)));

    const auto bob = waitForView(*fixture.bobPeer, [](const MarketView &view) {
        return positionQuantity(view, 4) == Quantity{10};
    });
    QVERIFY2(bob != nullptr, "bob's view shows no position of 10");
    QCOMPARE(bob->trader.fills.front().price, Price{kInsideSpread});
    QCOMPARE(bob->trader.fills.front().quantity, Quantity{10});
    QVERIFY(!bob->trader.fills.front().maker);
    QCOMPARE(bob->trader.fills.front().fee, Money{20});
    QCOMPARE(positionOf(*bob, 4)->fees, Money{20});

    const auto alice = waitForView(*fixture.alicePeer, [](const MarketView &view) {
        return positionQuantity(view, 2) == Quantity{-10};
    });
    QVERIFY2(alice != nullptr, "alice's view shows no position of -10");
    QVERIFY(alice->trader.fills.front().maker);
    QCOMPARE(alice->trader.fills.front().fee, Money{5});
    QVERIFY(alice->trader.workingOrders.empty());

    // The host's own terminal shows the trade on the tape, as the peers' terminals do.
    const auto host = waitForView(fixture.host->session(), [](const MarketView &view) {
        return !view.recentTrades.empty() && view.recentTrades.back().quantity == Quantity{10};
    });
    QVERIFY2(host != nullptr, "the host's view shows no trade of 10");
    QCOMPARE(host->recentTrades.back().price, Price{kInsideSpread});
}

// Paused, so the book does not change: bob's buy of 3 limited at the best ask takes 3 there from
// the agents' quotes.
void HostSessionTest::peerTradesAgainstAgents()
{
    Fixture fixture;
    QVERIFY(fixture.pause());
    QVERIFY(fixture.settle());
    const auto before = fixture.bobPeer->latestView();
    const Price bestAsk = before->asks.front().price;
    QVERIFY(before->asks.front().quantity >= Quantity{3});

    NewOrder buy = limitOrder(4, Side::Buy, bestAsk.value(), 3);
    buy.timeInForce = TimeInForce::Ioc;
    QVERIFY(fixture.bobPeer->submit(buy));
    const auto bob = waitForView(*fixture.bobPeer, [](const MarketView &view) {
        return positionQuantity(view, 4) == Quantity{3};
    });
    QVERIFY2(bob != nullptr, "bob's view shows no position of 3");
    QCOMPARE(bob->trader.fills.front().price, bestAsk);
    QVERIFY(!bob->trader.fills.front().maker);
    // Only the agents quote ABC, so alice has no fill.
    QVERIFY(fixture.alicePeer->latestView()->trader.fills.empty());
}

// Paused, no event comes for a while and the market's clock stops, yet a peer order still
// matches a resting one. Resumed, the agents send events again.
void HostSessionTest::pauseStopsAgentEvents()
{
    Fixture fixture;
    QVERIFY(fixture.settle());
    const SequenceNumber running = fixture.bobPeer->latestView()->lastSequence;
    QVERIFY2(waitForView(*fixture.bobPeer,
                         [running](const MarketView &view) { return view.lastSequence > running; }),
             "the agents sent nothing while running");

    const auto requested = SteadyClock::now();
    QVERIFY(fixture.pause());
    const auto applied =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - requested);
    qInfo("pause applied after %lld us", static_cast<long long>(applied.count()));
    QVERIFY(applied < std::chrono::milliseconds(50));

    QVERIFY(fixture.settle());
    const MarketStatus paused = fixture.host->marketStatus();
    const SequenceNumber quiet = fixture.bobPeer->latestView()->lastSequence;
    QVERIFY(quiet <= paused.lastSequence);
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    QCOMPARE(fixture.bobPeer->latestView()->lastSequence, quiet);
    QCOMPARE(fixture.host->marketStatus().lastSequence, paused.lastSequence);
    QCOMPARE(fixture.host->marketStatus().marketTime, paused.marketTime);

    QVERIFY(fixture.alicePeer->submit(limitOrder(3, Side::Buy, kInsideSpread, 5)));
    QVERIFY(waitForView(*fixture.bobPeer, [](const MarketView &view) {
        return view.bids.front().price == Price{kInsideSpread};
    }));
    QVERIFY(fixture.bobPeer->submit(limitOrder(4, Side::Sell, kInsideSpread, 5)));
    const auto bob = waitForView(*fixture.bobPeer, [](const MarketView &view) {
        return positionQuantity(view, 4) == Quantity{-5};
    });
    QVERIFY2(bob != nullptr, "a peer order did not match while paused");
    QCOMPARE(bob->trader.fills.front().price, Price{kInsideSpread});

    // Paused, the loop's poll waits for the next heartbeat unless the control wakes it.
    const SequenceNumber afterTrade = fixture.host->marketStatus().lastSequence;
    const auto resumeRequested = SteadyClock::now();
    QCOMPARE(fixture.host->resume(), ControlResult::Queued);
    while (fixture.host->marketStatus().paused)
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    const auto resumed =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - resumeRequested);
    qInfo("resume applied after %lld us", static_cast<long long>(resumed.count()));
    QVERIFY(resumed < std::chrono::milliseconds(50));
    QVERIFY2(waitForView(*fixture.bobPeer,
                         [afterTrade](const MarketView &view) {
                             return view.lastSequence > afterTrade + 10;
                         }),
             "the agents sent nothing after resuming");
    QVERIFY(!fixture.host->marketStatus().paused);
}

void HostSessionTest::injectedHaltShowsToPeers()
{
    Fixture fixture;
    QVERIFY(fixture.settle());

    MarketEvent halt;
    halt.kind = MarketEventKind::Halt;
    halt.instrument = 0;
    QCOMPARE(fixture.host->inject(halt), ControlResult::Queued);
    const auto halted = waitForView(*fixture.alicePeer, [](const MarketView &view) {
        return view.status == TradingStatus::Halted;
    });
    QVERIFY2(halted != nullptr, "alice's view does not show ABC halted");
    QCOMPARE(halted->instruments.front().status, TradingStatus::Halted);
    const MarketStatus status = fixture.host->marketStatus();
    QCOMPARE(status.firedEvents.size(), std::size_t{1});
    QVERIFY(status.firedEvents.back().injected);
    QCOMPARE(status.firedEvents.back().event.kind, MarketEventKind::Halt);

    MarketEvent reopen = halt;
    reopen.kind = MarketEventKind::Reopen;
    QCOMPARE(fixture.host->inject(reopen), ControlResult::Queued);
    QVERIFY2(waitForView(*fixture.bobPeer,
                         [](const MarketView &view) {
                             return view.status == TradingStatus::Trading && view.lastSequence > 0;
                         }),
             "bob's view does not show ABC trading again");
    QCOMPARE(fixture.host->marketStatus().firedEvents.size(), std::size_t{2});
}

// The default account mode, cancel-newest: alice's buy crossing her own resting sell in account
// 2 is cancelled for self-trade prevention and the sell rests on. Her buy in account 3 at the
// same price trades, and so does bob's.
void HostSessionTest::selfTradePreventedPerAccount()
{
    Fixture fixture;
    QVERIFY(fixture.pause());
    QVERIFY(fixture.settle());

    QVERIFY(fixture.alicePeer->submit(limitOrder(2, Side::Sell, kInsideSpread, 10)));
    QVERIFY(waitForView(*fixture.alicePeer, [](const MarketView &view) {
        return view.trader.workingOrders.size() == 1;
    }));
    QVERIFY(fixture.alicePeer->submit(limitOrder(2, Side::Buy, kInsideSpread, 10)));
    const auto prevented = waitForView(*fixture.alicePeer, [](const MarketView &view) {
        return !view.trader.finishedOrders.empty();
    });
    QVERIFY2(prevented != nullptr, "alice's crossing buy did not finish");
    const OwnOrder &buy = prevented->trader.finishedOrders.front();
    QCOMPARE(buy.side, Side::Buy);
    QCOMPARE(buy.state, OwnOrderState::Cancelled);
    QCOMPARE(buy.filled, Quantity{});
    QVERIFY2(buy.reason.find("self-trade") != std::string::npos, buy.reason.c_str());
    QCOMPARE(prevented->trader.workingOrders.size(), std::size_t{1});
    QCOMPARE(prevented->trader.workingOrders.front().remaining, Quantity{10});
    QVERIFY(prevented->trader.fills.empty());

    QVERIFY(fixture.alicePeer->submit(limitOrder(3, Side::Buy, kInsideSpread, 4)));
    const auto crossed = waitForView(*fixture.alicePeer, [](const MarketView &view) {
        return positionQuantity(view, 3) == Quantity{4};
    });
    QVERIFY2(crossed != nullptr, "alice's two accounts did not trade");
    QCOMPARE(positionQuantity(*crossed, 2), Quantity{-4});
    QCOMPARE(crossed->trader.workingOrders.front().remaining, Quantity{6});

    QVERIFY(fixture.bobPeer->submit(limitOrder(4, Side::Buy, kInsideSpread, 6)));
    const auto alice = waitForView(*fixture.alicePeer, [](const MarketView &view) {
        return positionQuantity(view, 2) == Quantity{-10};
    });
    QVERIFY2(alice != nullptr, "bob's buy did not take the rest of alice's sell");
    QVERIFY(alice->trader.workingOrders.empty());
}

void HostSessionTest::controlsRejectUnknownInstrument()
{
    Fixture fixture;
    MarketEvent news;
    news.instrument = 1; // the scenario has one instrument, index 0
    news.ticks = 5;
    QCOMPARE(fixture.host->inject(news), ControlResult::UnknownInstrument);
    QCOMPARE(fixture.host->marketStatus().instrumentCount, std::uint64_t{1});
    QVERIFY(fixture.host->marketStatus().agents);
}

// The simulated market of five instruments, without peers: the host's own orders go through the
// server like a peer's, and its view follows every instrument, even while paused from the start.
void HostSessionTest::hostTradesInSimulation()
{
    QTemporaryDir folder;
    HostOptions options;
    options.seed = 11;
    options.seedGiven = true;
    options.keyFolder = folder.path().toStdString() + "/keys";
    options.hostKeys = newKeyPair();
    options.hostAccounts = {AccountId{5}};
    options.heartbeatIntervalMs = 200;
    HostSession host(options);
    QCOMPARE(host.pause(), ControlResult::Queued);
    QCOMPARE(host.marketStatus().instrumentCount, std::uint64_t{5});

    const auto quoted = waitForView(host.session(), [](const MarketView &view) {
        return view.takesOrders && view.instruments.size() == 5 && !view.asks.empty();
    });
    QVERIFY2(quoted != nullptr, "the host's view does not show five instruments quoted");
    QVERIFY(host.marketStatus().paused);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const auto before = host.session().latestView();
    const Price bestAsk = before->asks.front().price;

    NewOrder buy;
    buy.account = AccountId{5};
    buy.instrument = before->instrument;
    buy.side = Side::Buy;
    buy.limit = bestAsk;
    buy.quantity = before->lotSize;
    buy.timeInForce = TimeInForce::Ioc;
    QVERIFY(host.session().submit(buy));
    const auto filled = waitForView(
        host.session(), [](const MarketView &view) { return !view.trader.fills.empty(); });
    QVERIFY2(filled != nullptr, "the host's buy did not fill");
    QCOMPARE(filled->trader.fills.front().price, bestAsk);
    QCOMPARE(filled->trader.fills.front().quantity, before->lotSize);
    QCOMPARE(filled->trader.fills.front().account, AccountId{5});
}

// The first start writes the key pair, and later starts read it, so peers keep their key.
void HostSessionTest::serverKeysGeneratedOnce()
{
    QTemporaryDir folder;
    HostOptions options;
    options.keyFolder = folder.path().toStdString() + "/keys";
    options.hostKeys = newKeyPair();
    const ServerConfig first = hostServerConfig(options);
    const KeyPairResult written = readKeyPair(first.serverKey);
    QVERIFY2(written.ok(), written.error.toString().c_str());
    const ServerConfig second = hostServerConfig(options);
    QCOMPARE(readKeyPair(second.serverKey).pair->publicKey, written.pair->publicKey);
    QCOMPARE(first.orderEntryEndpoint, std::string("tcp://127.0.0.1:*"));
    QCOMPARE(first.market, ServedMarket::Simulation);
}

void HostSessionTest::hostKeyInPeerListRejected()
{
    QTemporaryDir folder;
    const std::string dir = folder.path().toStdString();
    HostOptions options;
    options.keyFolder = dir + "/keys";
    options.hostKeys = newKeyPair();
    options.peerAccessList = dir + "/peers.access";
    writeFile(options.peerAccessList, "trader " + options.hostKeys.publicKey + " accounts 7\n");
    try {
        hostServerConfig(options);
        QFAIL("a peers' list with the host's key was accepted");
    } catch (const ServerError &error) {
        QCOMPARE(error.kind(), ServerError::Kind::Configuration);
        QVERIFY2(std::string(error.what()).find("peers.access:1:") != std::string::npos,
                 error.what());
    }
}

QTEST_GUILESS_MAIN(HostSessionTest)
#include "tst_host_session.moc"

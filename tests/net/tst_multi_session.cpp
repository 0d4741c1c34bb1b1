// A MultiSession over in-process Servers on 127.0.0.1 ports the system chooses, which split one
// scenario market of three instruments (ABC id 1, XYZ id 2, QRS id 3, each with a tick of 0.01)
// by instrument: "left" owns ABC, "right" owns XYZ and QRS. Only the session trades. One trader
// key trades accounts 1 and 2, which each server opens with the default trader terms: a margin
// account of $1,000,000.00, fees of 0.5 bp to add liquidity and 2 bp to take it.

#include "multi_session.h"
#include "remote_session.h"
#include "server.h"

#include "curve_keys.h"
#include "engine_printers.h"
#include "in_process_server.h"
#include "view_checks.h"

#include <QTest>

#include <functional>

using namespace bourse;
using namespace bourse::net;
using namespace bourse::nettest;

namespace {

constexpr auto kViewTimeout = std::chrono::seconds(10);
constexpr std::int64_t kOpeningBalance = 100'000'000; // cents

constexpr const char *kSplitScenario = "instrument ABC tick 0.01 lot 1 currency USD\n"
                                       "instrument XYZ tick 0.01 lot 1 currency USD\n"
                                       "instrument QRS tick 0.01 lot 1 currency USD\n";

// One engine of the split market, owning the instruments of `ownedLine`.
struct SplitEngine : InProcessServer {
    SplitEngine(const CurveKeyPair &trader, const std::string &ownedLine)
    {
        writeKeyPairFiles(serverKeys, path("server"));
        writeFile(path("desk.access"), "trader " + trader.publicKey + " accounts 1,2\n");
        writeFile(path("split.scenario"), kSplitScenario);
        ServeConfig config;
        config.market = "scenario split.scenario";
        config.extraLines = ownedLine + "\n";
        writeConfig(config);
        start();
    }

    CurveKeyPair serverKeys = newKeyPair();
};

// The session options for one engine. A quiet scenario publishes nothing, so the session follows
// the engine's instruments by name, and learns their definitions from its snapshots.
RemoteSession::Options optionsFor(const SplitEngine &engine, const CurveKeyPair &trader,
                                  std::vector<InstrumentId> instruments)
{
    RemoteSession::Options options;
    ClientOptions &client = options.client;
    client.orderEntryEndpoint = engine.server->orderEntryEndpoint();
    client.publishEndpoint = engine.server->publishEndpoint();
    client.snapshotEndpoint = engine.server->snapshotEndpoint();
    client.serverPublicKey = engine.serverKeys.publicKey;
    client.keys = trader;
    client.heartbeatInterval = std::chrono::milliseconds(200);
    client.instruments = std::move(instruments);
    client.accounts = {AccountId{1}, AccountId{2}};
    return options;
}

struct SplitMarket {
    CurveKeyPair trader = newKeyPair();
    SplitEngine left{trader, "instruments ABC"};
    SplitEngine right{trader, "instruments XYZ, QRS"};

    std::vector<EngineLink> links()
    {
        return {{"left", optionsFor(left, trader, {InstrumentId{1}})},
                {"right", optionsFor(right, trader, {InstrumentId{2}, InstrumentId{3}})}};
    }
};

bool showsInstruments(const MarketView &view, std::size_t count)
{
    return view.takesOrders && view.instruments.size() == count;
}

std::vector<std::uint32_t> instrumentIds(const MarketView &view)
{
    std::vector<std::uint32_t> ids;
    for (const InstrumentQuote &quote : view.instruments)
        ids.push_back(quote.instrument.value());
    return ids;
}

NewOrder limitOrderOf(std::uint32_t instrument, std::uint32_t account, Side side,
                      std::int64_t price, std::int64_t quantity)
{
    NewOrder order = limitOrder(account, side, price, quantity);
    order.instrument = InstrumentId{instrument};
    return order;
}

const OwnPosition *positionOf(const MarketView &view, std::uint32_t account,
                              std::uint32_t instrument)
{
    for (const OwnPosition &position : view.trader.positions) {
        if (position.account == AccountId{account} &&
            position.instrument == InstrumentId{instrument})
            return &position;
    }
    return nullptr;
}

const OwnOrder *rejectedOrderOf(const MarketView &view, std::uint32_t instrument)
{
    for (const OwnOrder &order : view.trader.finishedOrders) {
        if (order.state == OwnOrderState::Rejected && order.instrument == InstrumentId{instrument})
            return &order;
    }
    return nullptr;
}

Money cashOf(const net::Server &server, std::uint32_t account)
{
    return server.engine().portfolio().account(AccountId{account})->balance;
}

} // namespace

class MultiSessionTest : public QObject {
    Q_OBJECT

private slots:
    void orderIdsKeepTheirEngine();
    void watchListsEveryEngineInstrument();
    void ordersFillOnOwningEngines();
    void unownedInstrumentRejectedLocally();
    void engineRejectsInstrumentItDoesNotOwn();
    void stoppedEngineMarksOnlyItsInstruments();
    void duplicateOwnershipReported();
    void wrongServerKeyFailsHandshake();
    void missingOwnedInstrumentIsConfigurationError();
    void simulationRunsOwnedInstrumentsOnly();
};

void MultiSessionTest::orderIdsKeepTheirEngine()
{
    QCOMPARE(mergedOrderId(0, OrderId{42}), OrderId{42});
    const OrderId merged = mergedOrderId(3, OrderId{42});
    QCOMPARE(merged.value(), (std::uint64_t{3} << 48) + 42);
    QCOMPARE(splitOrderId(merged).first, std::size_t{3});
    QCOMPARE(splitOrderId(merged).second, OrderId{42});
}

void MultiSessionTest::watchListsEveryEngineInstrument()
{
    SplitMarket market;
    MultiSession session(market.links());
    const auto view =
        waitForView(session, [](const MarketView &v) { return showsInstruments(v, 3); });
    QVERIFY2(view != nullptr, "the merged view never showed the three instruments");
    QCOMPARE(instrumentIds(*view), (std::vector<std::uint32_t>{1, 2, 3}));
    QCOMPARE(view->instruments.at(0).symbol, std::string("ABC"));
    QCOMPARE(view->instruments.at(2).symbol, std::string("QRS"));
    QVERIFY(view->error.empty());

    const InstrumentOwnership owners = session.ownership();
    QCOMPARE(owners.ownerOf(InstrumentId{1}), std::optional<std::size_t>(0));
    QCOMPARE(owners.ownerOf(InstrumentId{2}), std::optional<std::size_t>(1));
    QCOMPARE(owners.ownerOf(InstrumentId{3}), std::optional<std::size_t>(1));
    QVERIFY(owners.conflicts.empty());

    const ConnectionStatus status = session.status();
    QCOMPARE(status.state, ClientState::Live);
    QCOMPARE(status.engines.size(), std::size_t{2});
    QCOMPARE(status.engines.at(0).engineName, std::string("left"));
    QCOMPARE(status.engines.at(1).ownedSymbols, (std::vector<std::string>{"XYZ", "QRS"}));
    QVERIFY(status.staleStreams.empty());
}

void MultiSessionTest::ordersFillOnOwningEngines()
{
    SplitMarket market;
    MultiSession session(market.links());
    QVERIFY(waitForView(session, [](const MarketView &v) { return showsInstruments(v, 3); }));

    // On each engine account 2 rests 10 at 100.00 and account 1 takes it.
    for (const std::uint32_t instrument : {1u, 2u}) {
        QVERIFY(session.submit(limitOrderOf(instrument, 2, Side::Sell, 10'000, 10)));
        QVERIFY(session.submit(limitOrderOf(instrument, 1, Side::Buy, 10'000, 10)));
    }
    const auto view = waitForView(session, [](const MarketView &v) {
        return v.trader.fills.size() == 4 && positionOf(v, 1, 1) && positionOf(v, 1, 2) &&
               positionOf(v, 2, 1) && positionOf(v, 2, 2);
    });
    QVERIFY2(view != nullptr, "the four fills never showed");
    QCOMPARE(positionOf(*view, 1, 1)->quantity, Quantity{10});
    QCOMPARE(positionOf(*view, 1, 2)->quantity, Quantity{10});
    QCOMPARE(positionOf(*view, 2, 1)->quantity, Quantity{-10});
    QCOMPARE(positionOf(*view, 2, 2)->quantity, Quantity{-10});

    // Each trade has a notional of 10 * $100.00 = 100,000 cents: the taker pays 2 bp, 20 cents,
    // and the maker 0.5 bp, 5 cents, on each engine, from an opening balance there.
    QCOMPARE(view->trader.cash, (std::vector<Money>{Money{2 * kOpeningBalance - 40},
                                                    Money{2 * kOpeningBalance - 10}}));

    // Each trade happened on the engine that owns its instrument, and the merged cash is the
    // sum of the engines' own.
    market.left.stop();
    market.right.stop();
    QCOMPARE(market.left.server->engine().instruments().size(), std::size_t{1});
    QCOMPARE(market.right.server->engine().instruments().size(), std::size_t{2});
    for (const std::uint32_t account : {1u, 2u}) {
        const Money sum{cashOf(*market.left.server, account).value() +
                        cashOf(*market.right.server, account).value()};
        QCOMPARE(view->trader.cash.at(account - 1), sum);
    }
    const Quantity leftPosition =
        market.left.server->engine().portfolio().position(AccountId{1}, InstrumentId{1})->quantity;
    QCOMPARE(leftPosition, Quantity{10});
}

void MultiSessionTest::unownedInstrumentRejectedLocally()
{
    SplitMarket market;
    MultiSession session(market.links());
    QVERIFY(waitForView(session, [](const MarketView &v) { return showsInstruments(v, 3); }));

    QVERIFY(session.submit(limitOrderOf(9, 1, Side::Buy, 10'000, 1)));
    const auto view =
        waitForView(session, [](const MarketView &v) { return rejectedOrderOf(v, 9) != nullptr; });
    QVERIFY2(view != nullptr, "the order for instrument 9 never showed as rejected");
    const std::string &reason = rejectedOrderOf(*view, 9)->reason;
    QVERIFY2(reason.find("no connected engine serves instrument 9") != std::string::npos,
             reason.c_str());

    const Session::CheckAnswer check =
        session.checkOrder(limitOrderOf(9, 1, Side::Buy, 1, 1)).get();
    QCOMPARE(check.check.reason, std::optional<RejectReason>(RejectReason::UnknownInstrument));
    QVERIFY(!check.text.empty());
}

void MultiSessionTest::engineRejectsInstrumentItDoesNotOwn()
{
    SplitMarket market;
    // A single-server session to "left", which does not own XYZ (id 2).
    RemoteSession session(optionsFor(market.left, market.trader, {InstrumentId{1}}));
    QVERIFY(waitForView(session, [](const MarketView &v) { return showsInstruments(v, 1); }));

    QVERIFY(session.submit(limitOrderOf(2, 1, Side::Buy, 10'000, 1)));
    const auto view =
        waitForView(session, [](const MarketView &v) { return rejectedOrderOf(v, 2) != nullptr; });
    QVERIFY2(view != nullptr, "the order for XYZ was never rejected");
    market.left.stop();
    const Engine &engine = market.left.server->engine();
    QVERIFY(engine.book(InstrumentId{2}) == nullptr);
    QVERIFY2(rejectedOrderOf(*view, 2)->reason.find("instrument") != std::string::npos,
             rejectedOrderOf(*view, 2)->reason.c_str());
}

void MultiSessionTest::stoppedEngineMarksOnlyItsInstruments()
{
    SplitMarket market;
    MultiSession session(market.links());
    QVERIFY(waitForView(session, [](const MarketView &v) { return showsInstruments(v, 3); }));

    market.right.stop();
    // Three missed heartbeats of 200 ms mark the right engine's link dead.
    const auto deadline = std::chrono::steady_clock::now() + kViewTimeout;
    ConnectionStatus status = session.status();
    while (status.engines.at(1).state == ClientState::Live &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        status = session.status();
    }
    QVERIFY(status.engines.at(1).state != ClientState::Live);
    QCOMPARE(status.engines.at(0).state, ClientState::Live);
    QCOMPARE(status.state, ClientState::Live);
    QCOMPARE(status.staleStreams,
             (std::vector<std::string>{"instrument 2 (XYZ)", "instrument 3 (QRS)",
                                       "account 1 of right", "account 2 of right"}));

    // The left engine still takes orders and fills them.
    QVERIFY(session.submit(limitOrderOf(1, 2, Side::Sell, 10'000, 5)));
    QVERIFY(session.submit(limitOrderOf(1, 1, Side::Buy, 10'000, 5)));
    const auto view = waitForView(
        session, [](const MarketView &v) { return v.takesOrders && v.trader.fills.size() == 2; });
    QVERIFY2(view != nullptr, "the left engine's fills never showed");
    QCOMPARE(view->instruments.size(), std::size_t{3});
}

void MultiSessionTest::duplicateOwnershipReported()
{
    SplitMarket market;
    SplitEngine other(market.trader, "instruments ABC");
    MultiSession session({{"left", optionsFor(market.left, market.trader, {InstrumentId{1}})},
                          {"other", optionsFor(other, market.trader, {InstrumentId{1}})}});
    const auto view =
        waitForView(session, [](const MarketView &v) { return v.takesOrders && !v.error.empty(); });
    QVERIFY2(view != nullptr, "the conflict never showed");
    QVERIFY2(view->error.find("ABC (instrument 1) is owned by both left and other") !=
                 std::string::npos,
             view->error.c_str());
    QCOMPARE(session.ownership().conflicts.size(), std::size_t{1});
    QVERIFY(!session.ownership().ownerOf(InstrumentId{1}));
    QVERIFY(session.status().lastError.find("owned by both") != std::string::npos);
    // Both engines publish a book for ABC, so the terminal marks it as it marks a stale one.
    QCOMPARE(session.status().staleStreams,
             std::vector<std::string>{"instrument 1 (ABC) on 2 engines"});

    QVERIFY(session.submit(limitOrderOf(1, 1, Side::Buy, 10'000, 1)));
    const auto rejected =
        waitForView(session, [](const MarketView &v) { return rejectedOrderOf(v, 1) != nullptr; });
    QVERIFY2(rejected != nullptr, "the order for the claimed instrument was sent");
    QVERIFY(rejectedOrderOf(*rejected, 1)->reason.find("owned by both") != std::string::npos);
}

void MultiSessionTest::wrongServerKeyFailsHandshake()
{
    SplitMarket market;
    std::vector<EngineLink> links = market.links();
    // The right engine is given the left one's key, as an engine list with swapped keys does.
    links.at(1).options.client.serverPublicKey = market.left.serverKeys.publicKey;
    MultiSession session(std::move(links));

    const auto deadline = std::chrono::steady_clock::now() + kViewTimeout;
    ConnectionStatus status = session.status();
    while ((status.engines.at(0).state != ClientState::Live ||
            status.engines.at(1).counters.handshakeFailuresInARow == 0) &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        status = session.status();
    }
    QCOMPARE(status.engines.at(0).state, ClientState::Live);
    QCOMPARE(status.engines.at(0).counters.handshakeFailuresInARow, std::uint64_t{0});
    QCOMPARE(status.engines.at(0).counters.handshakeFailures, std::uint64_t{0});
    QVERIFY(status.engines.at(1).state != ClientState::Live);
    QVERIFY(status.engines.at(1).counters.handshakeFailuresInARow > 0);
    QVERIFY(status.engines.at(1).counters.handshakeFailures > 0);
    QCOMPARE(status.engines.at(1).counters.handshakeRejections, std::uint64_t{0});
    QCOMPARE(status.counters.handshakeFailures, status.engines.at(1).counters.handshakeFailures);
}

void MultiSessionTest::missingOwnedInstrumentIsConfigurationError()
{
    InProcessServer folder;
    const CurveKeyPair serverKeys = newKeyPair();
    writeKeyPairFiles(serverKeys, folder.path("server"));
    writeFile(folder.path("desk.access"), "trader " + newKeyPair().publicKey + " accounts 1\n");
    writeFile(folder.path("split.scenario"), kSplitScenario);
    ServeConfig config;
    config.market = "scenario split.scenario";
    config.extraLines = "instruments ABC,NOPE\n";
    folder.writeConfig(config);

    std::string error;
    const auto parsed = readServerConfig(folder.path("serve.conf"), error);
    QVERIFY2(parsed.has_value(), error.c_str());
    try {
        net::Server server(*parsed, {});
        QFAIL("the server started without NOPE");
    } catch (const ServerError &failure) {
        QCOMPARE(failure.kind(), ServerError::Kind::Configuration);
        // The instruments line is the eighth: three endpoints, key, access list, heartbeat,
        // market.
        const std::string expected =
            folder.path("serve.conf") + ":8: error: instrument 'NOPE' is not in the scenario " +
            folder.path("split.scenario") + "; its instruments are ABC, XYZ, QRS";
        QCOMPARE(std::string(failure.what()), expected);
    }
}

// The agent market of five instruments (BLUE 1, MIDC 2, IDXF 3, EURUSD 4, BTCUSD 5), cut to two
// that keep their ids.
void MultiSessionTest::simulationRunsOwnedInstrumentsOnly()
{
    InProcessServer folder;
    const CurveKeyPair serverKeys = newKeyPair();
    writeKeyPairFiles(serverKeys, folder.path("server"));
    writeFile(folder.path("desk.access"), "trader " + newKeyPair().publicKey + " accounts 1\n");
    ServeConfig config;
    config.market = "simulation seed 7";
    config.extraLines = "instruments IDXF,BLUE\n";
    folder.writeConfig(config);
    folder.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    folder.stop();

    const bourse::Engine &engine = folder.server->engine();
    QCOMPARE(engine.instruments(), (std::vector<InstrumentId>{InstrumentId{1}, InstrumentId{3}}));
    QVERIFY(engine.book(InstrumentId{2}) == nullptr);
    QVERIFY(engine.book(InstrumentId{1})->levelCount(Side::Buy) > 0);
    QVERIFY(engine.book(InstrumentId{3})->levelCount(Side::Sell) > 0);
}

QTEST_GUILESS_MAIN(MultiSessionTest)
#include "tst_multi_session.moc"

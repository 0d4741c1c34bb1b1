// An agent market recorded event by event, rebuilt on a fresh engine from its events as a
// journal restores it, and continued there: by AgentMarket::resume, and by a Session that
// recognizes the agents' engine.

#include "agent_market.h"
#include "agent_stream_hash.h"
#include "engine.h"
#include "session.h"
#include "synchronized_recorder.h"

#include <QtTest>

#include <QElapsedTimer>
#include <QThread>

#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

using namespace bourse;

namespace {

constexpr SequenceNumber kFirstRunEvents = 200'000;
constexpr SequenceNumber kSecondRunEvents = 300'000;

using Recorder = test::SynchronizedRecorder;

// The events of one market on a new engine, up to `events` of them, with the agents as they
// ended.
struct FirstRun {
    std::vector<Event> events;
    std::vector<AgentState> agents;
};

FirstRun runFirst(AgentMarket::Options options, SequenceNumber events)
{
    Engine engine;
    Recorder recorder;
    engine.addHandler(&recorder);
    AgentMarket market(engine, 1, std::move(options));
    market.runUntil(events);
    const std::span<const AgentState> agents = market.agents();
    return {recorder.events(), {agents.begin(), agents.end()}};
}

// Restores every event on a fresh engine, as the recovery from a journal without snapshots does.
std::unique_ptr<Engine> rebuild(const std::vector<Event> &events)
{
    auto engine = std::make_unique<Engine>();
    for (const Event &event : events) {
        if (engine->restore(event) != RestoreResult::Restored)
            return nullptr;
    }
    return engine;
}

// Every account's position in every instrument, counted from the Trade events alone, as the
// read models of a journal count them.
std::vector<AgentMarket::CarriedPosition> positionsFromTrades(const std::vector<Event> &events)
{
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::int64_t> positions;
    for (const Event &event : events) {
        const Trade *trade = std::get_if<Trade>(&event.payload);
        if (trade == nullptr)
            continue;
        const std::int64_t bought = trade->quantity.value();
        const std::int64_t takerSign = trade->aggressor == Side::Buy ? 1 : -1;
        positions[{trade->takerAccount.value(), event.instrument.value()}] += takerSign * bought;
        positions[{trade->makerAccount.value(), event.instrument.value()}] -= takerSign * bought;
    }
    std::vector<AgentMarket::CarriedPosition> carried;
    for (const auto &[key, quantity] : positions)
        carried.push_back({AccountId{key.first}, InstrumentId{key.second}, Quantity{quantity}});
    return carried;
}

Timestamp after(const std::vector<Event> &events)
{
    return Timestamp{events.back().time.value() + 1};
}

// The resting orders of one account in one book, on both sides.
std::vector<OrderId> restingOrders(const Engine &engine, InstrumentId instrument, AccountId account)
{
    std::vector<OrderId> ids;
    for (const Side side : {Side::Buy, Side::Sell}) {
        engine.book(instrument)->forEachOrder(side, [&](const Order &order) {
            if (order.account == account)
                ids.push_back(order.id);
        });
    }
    return ids;
}

std::uint64_t streamHash(std::uint64_t seed, Timestamp start,
                         const std::vector<AgentMarket::CarriedPosition> &positions,
                         const std::vector<Event> &events)
{
    std::unique_ptr<Engine> engine = rebuild(events);
    EventStreamHash hash;
    engine->addHandler(&hash);
    AgentMarket::Options options;
    options.startTime = start;
    std::unique_ptr<AgentMarket> market = AgentMarket::resume(*engine, seed, options, positions);
    market->runUntil(engine->lastSequence() + 50'000);
    return hash.value();
}

} // namespace

class AgentMarketResumeTest : public QObject {
    Q_OBJECT

private slots:
    void resumedAgentsTradeSameInstruments();
    void resumedPositionsComeFromPortfolio();
    void resumeCancelsOrphanedOrders();
    void sameSeedGivesSameContinuation();
    void syntheticMarketIsNotResumed();
    void sessionContinuesAgentJournal();
};

void AgentMarketResumeTest::resumedAgentsTradeSameInstruments()
{
    const FirstRun first = runFirst({}, kFirstRunEvents);
    std::unique_ptr<Engine> engine = rebuild(first.events);
    QVERIFY(engine);
    const SequenceNumber resumedAt = engine->lastSequence();
    const std::vector<InstrumentId> instruments = engine->instruments();

    Recorder recorder;
    engine->addHandler(&recorder);
    AgentMarket::Options options;
    options.startTime = after(first.events);
    const std::vector<AgentMarket::CarriedPosition> positions = positionsFromTrades(first.events);
    std::unique_ptr<AgentMarket> market = AgentMarket::resume(*engine, 2, options, positions);
    QVERIFY(market);
    QCOMPARE(market->instrumentCount(), std::size_t{5});

    // The positions carried over are those the first run's agents ended with.
    QCOMPARE(market->agents().size(), first.agents.size());
    for (std::size_t i = 0; i < first.agents.size(); ++i) {
        QCOMPARE(market->agents()[i].account, first.agents[i].account);
        QCOMPARE(market->agents()[i].position, first.agents[i].position);
    }
    bool anyPosition = false;
    for (const AgentState &agent : first.agents)
        anyPosition = anyPosition || agent.position != Quantity{};
    QVERIFY(anyPosition);

    market->runUntil(resumedAt + kSecondRunEvents);
    const std::vector<Event> events = recorder.events();
    QVERIFY(!events.empty());
    QCOMPARE(events.front().sequence, resumedAt + 1);
    for (std::size_t i = 1; i < events.size(); ++i)
        QCOMPARE(events[i].sequence, events[i - 1].sequence + 1);
    QVERIFY(events.front().time >= options.startTime);
    QCOMPARE(engine->instruments(), instruments);

    // Every instrument trades again, with the agents' accounts on one side or the other.
    std::set<InstrumentId> traded;
    std::set<InstrumentId> tradedByAgents;
    const std::uint32_t firstAgent = options.firstAccount.value();
    for (const Event &event : events) {
        QVERIFY(!std::holds_alternative<InstrumentAdded>(event.payload));
        const Trade *trade = std::get_if<Trade>(&event.payload);
        if (trade == nullptr)
            continue;
        traded.insert(event.instrument);
        if (trade->makerAccount.value() >= firstAgent || trade->takerAccount.value() >= firstAgent)
            tradedByAgents.insert(event.instrument);
    }
    QCOMPARE(traded.size(), std::size_t{5});
    QCOMPARE(tradedByAgents.size(), std::size_t{5});

    // The positions go on from the carried ones: the market's count equals the one from every
    // trade of both runs.
    std::vector<Event> all = first.events;
    all.insert(all.end(), events.begin(), events.end());
    const std::vector<AgentMarket::CarriedPosition> counted = positionsFromTrades(all);
    for (const AgentState &agent : market->agents()) {
        const InstrumentId id = instruments[agent.instrument];
        Quantity expected;
        for (const AgentMarket::CarriedPosition &position : counted) {
            if (position.account == agent.account && position.instrument == id)
                expected = position.quantity;
        }
        QCOMPARE(agent.position, expected);
    }
}

void AgentMarketResumeTest::resumedPositionsComeFromPortfolio()
{
    AgentMarket::Options withAccounts;
    withAccounts.openAccounts = true;
    const FirstRun first = runFirst(withAccounts, kFirstRunEvents);
    std::unique_ptr<Engine> engine = rebuild(first.events);
    QVERIFY(engine);

    AgentMarket::Options options;
    options.startTime = after(first.events);
    // No positions are given: the portfolio has every agent's.
    std::unique_ptr<AgentMarket> market = AgentMarket::resume(*engine, 3, options);
    QVERIFY(market);
    for (std::size_t i = 0; i < first.agents.size(); ++i)
        QCOMPARE(market->agents()[i].position, first.agents[i].position);
}

void AgentMarketResumeTest::resumeCancelsOrphanedOrders()
{
    const FirstRun first = runFirst({}, kFirstRunEvents);
    std::unique_ptr<Engine> engine = rebuild(first.events);
    QVERIFY(engine);
    const InstrumentId blue{1};
    const Price bestBid = *engine->book(blue)->bestPrice(Side::Buy);
    const Timestamp time = after(first.events);

    // The first agent is BLUE's innermost maker, and BLUE's momentum trader comes after its
    // four makers. Orders they could not have left behind: a second bid of the maker, a resting
    // order of the momentum trader. The trader's own order (account 1) is not the agents' to
    // manage.
    const AccountId maker{1'000};
    const AccountId momentum{1'004};
    const auto bid = [&](AccountId account, std::int64_t ticksBelow) {
        return engine->submit(NewOrder{.side = Side::Buy,
                                       .limit = Price{bestBid.value() - ticksBelow},
                                       .quantity = Quantity{1},
                                       .instrument = blue,
                                       .account = account},
                              time);
    };
    const OrderId secondQuote = bid(maker, 30);
    const OrderId momentumOrder = bid(momentum, 31);
    const OrderId traderOrder = bid(AccountId{1}, 32);
    // Its quotes, and the second bid.
    const std::size_t makerBefore = restingOrders(*engine, blue, maker).size();
    QVERIFY(makerBefore >= 2);

    AgentMarket::Options options;
    options.startTime = time;
    std::unique_ptr<AgentMarket> market =
        AgentMarket::resume(*engine, 4, options, positionsFromTrades(first.events));
    QVERIFY(market);
    QVERIFY(engine->findOrder(secondQuote) == nullptr);
    QVERIFY(engine->findOrder(momentumOrder) == nullptr);
    QVERIFY(engine->findOrder(traderOrder) != nullptr);
    QCOMPARE(restingOrders(*engine, blue, maker).size(), makerBefore - 1);

    // The noise orders resting at the restart are the noise traders' again: they cancel them as
    // the market moves on, so none is left behind. Each maker keeps one quote a side at most.
    std::vector<std::pair<InstrumentId, OrderId>> noise;
    for (const InstrumentId instrument : engine->instruments()) {
        for (const OrderId id : restingOrders(*engine, instrument, AccountId{}))
            noise.emplace_back(instrument, id);
    }
    QVERIFY(noise.size() >= 5 * 20);
    market->runUntil(engine->lastSequence() + kSecondRunEvents);
    for (const auto &[instrument, id] : noise)
        QVERIFY2(engine->findOrder(id) == nullptr, qPrintable(QString::number(id.value())));
    for (const AgentState &agent : market->agents()) {
        const std::vector<OrderId> resting =
            restingOrders(*engine, engine->instruments()[agent.instrument], agent.account);
        QVERIFY(resting.size() <= (agent.role == AgentRole::MarketMaker ? 2U : 0U));
    }
}

void AgentMarketResumeTest::sameSeedGivesSameContinuation()
{
    const FirstRun first = runFirst({}, 100'000);
    const std::vector<AgentMarket::CarriedPosition> positions = positionsFromTrades(first.events);
    const Timestamp start = after(first.events);
    const std::uint64_t once = streamHash(9, start, positions, first.events);
    const std::uint64_t again = streamHash(9, start, positions, first.events);
    const std::uint64_t otherSeed = streamHash(10, start, positions, first.events);
    QCOMPARE(again, once);
    QVERIFY(otherSeed != once);
}

void AgentMarketResumeTest::syntheticMarketIsNotResumed()
{
    Engine engine;
    for (const Session::SimulatedInstrument &simulated : Session::defaultSimulatedInstruments())
        engine.addInstrument(simulated.definition, Timestamp{1});
    QVERIFY(!AgentMarket::tradesInstrumentsOf(engine, {}));
    QVERIFY(AgentMarket::resume(engine, 1, {}) == nullptr);
    QCOMPARE(engine.lastSequence(), SequenceNumber{5});

    Engine empty;
    QVERIFY(!AgentMarket::tradesInstrumentsOf(empty, {}));
}

// The session recognizes the agents' engine and continues it with the agents, not the synthetic
// flow, even when its options ask for the synthetic flow.
void AgentMarketResumeTest::sessionContinuesAgentJournal()
{
    Recorder recorder;
    Session::Options agents;
    agents.flow = Session::Options::Flow::Agents;
    {
        Session session(agents);
        session.addEventHandler(&recorder);
        session.startSimulation(5);
        session.setSpeed(100.0);
        QElapsedTimer timer;
        timer.start();
        while (recorder.events().size() < 20'000 && timer.elapsed() < 10'000)
            QThread::msleep(5);
        session.stop();
    }
    const std::vector<Event> firstRun = recorder.events();
    QVERIFY(firstRun.size() >= 20'000);

    Session::Continuation continuation;
    continuation.engine = rebuild(firstRun);
    QVERIFY(continuation.engine);
    continuation.positions = positionsFromTrades(firstRun);
    continuation.lastEventTime = firstRun.back().time;
    const SequenceNumber resumedAt = continuation.engine->lastSequence();

    Recorder continued;
    Session session; // the synthetic flow by default
    session.addEventHandler(&continued);
    session.resumeSimulation(6, std::move(continuation));
    session.setSpeed(100.0);
    QElapsedTimer timer;
    timer.start();
    std::shared_ptr<const MarketView> view;
    while (timer.elapsed() < 10'000) {
        view = session.latestView();
        if (continued.events().size() >= 5'000 && view && !view->recentTrades.empty())
            break;
        QThread::msleep(5);
    }
    session.stop();

    const std::vector<Event> events = continued.events();
    QVERIFY(events.size() >= 5'000);
    QCOMPARE(events.front().sequence, resumedAt + 1);
    QVERIFY(events.front().time > firstRun.back().time);
    std::set<InstrumentId> tradedByAgents;
    for (const Event &event : events) {
        if (const Trade *trade = std::get_if<Trade>(&event.payload);
            trade != nullptr &&
            (trade->makerAccount.value() >= 1'000 || trade->takerAccount.value() >= 1'000))
            tradedByAgents.insert(event.instrument);
    }
    QVERIFY(!tradedByAgents.empty());

    QVERIFY(view);
    QCOMPARE(view->instruments.size(), std::size_t{5});
    QStringList symbols;
    for (const InstrumentQuote &quote : view->instruments)
        symbols.append(QString::fromStdString(quote.symbol));
    QCOMPARE(symbols, (QStringList{"BLUE", "MIDC", "IDXF", "EURUSD", "BTCUSD"}));
}

QTEST_GUILESS_MAIN(AgentMarketResumeTest)
#include "tst_agent_market_resume.moc"

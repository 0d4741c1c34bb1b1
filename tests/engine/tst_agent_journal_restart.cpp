// An agent market journaled by a session, stopped, rebuilt from its journal and continued into
// the same journal. The terminal rebuilds it the same way: the engine from the newest snapshot
// plus the events after it, and the agents' positions from the read models beside the journal.

#include "agent_market.h"
#include "engine_recovery.h"
#include "journal.h"
#include "read_model_queries.h"
#include "read_models.h"
#include "session.h"
#include "session_journaling.h"
#include "synchronized_recorder.h"

#include <QtTest>

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QThread>

#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

using namespace bourse;
using bourse::test::journalingInto;

namespace {

constexpr int kTimeoutMs = 20'000;
constexpr std::uint32_t kFirstAgentAccount = 1'000;

using Recorder = test::SynchronizedRecorder;

// Plays the session fast until the recorder contains `events` events, then stops it.
bool playUntil(Session &session, const Recorder &recorder, std::size_t events)
{
    session.setSpeed(100.0);
    QElapsedTimer timer;
    timer.start();
    while (recorder.size() < events && timer.elapsed() < kTimeoutMs)
        QThread::msleep(5);
    session.stop();
    return recorder.size() >= events;
}

// Every account's position in every instrument from the Trade events alone.
std::map<std::pair<std::uint32_t, std::uint32_t>, std::int64_t>
positionsFromTrades(const std::vector<Event> &events)
{
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::int64_t> positions;
    for (const Event &event : events) {
        const Trade *trade = std::get_if<Trade>(&event.payload);
        if (trade == nullptr)
            continue;
        const std::int64_t signedQuantity =
            trade->aggressor == Side::Buy ? trade->quantity.value() : -trade->quantity.value();
        positions[{trade->takerAccount.value(), event.instrument.value()}] += signedQuantity;
        positions[{trade->makerAccount.value(), event.instrument.value()}] -= signedQuantity;
    }
    return positions;
}

// The events of the journal, in order; every checksum and the hash chain are checked on the way.
std::vector<Event> readJournal(const std::string &path, std::string &error)
{
    std::vector<Event> events;
    storage::JournalReader::Opened opened = storage::JournalReader::open(path);
    if (!opened.reader) {
        error = opened.error->toString();
        return events;
    }
    while (std::optional<Event> event = opened.reader->next())
        events.push_back(std::move(*event));
    if (opened.reader->error())
        error = opened.reader->error()->toString();
    return events;
}

} // namespace

class AgentJournalRestartTest : public QObject {
    Q_OBJECT

private slots:
    void agentJournalContinuesWithAgents();
};

void AgentJournalRestartTest::agentJournalContinuesWithAgents()
{
    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    const std::string path = directory.filePath(QStringLiteral("agents.sqlite")).toStdString();

    Recorder firstRun;
    {
        Session::Options options;
        options.flow = Session::Options::Flow::Agents;
        Session session(options);
        session.setRunHandlerFactory(journalingInto(path));
        session.addEventHandler(&firstRun);
        session.startSimulation(5);
        QVERIFY(playUntil(session, firstRun, 30'000));
    }
    const std::vector<Event> firstEvents = firstRun.events();

    // The engine as the terminal rebuilds it, and the positions as its read models count them.
    app::RecoveredEngine recovered = app::recoverEngine(path);
    QVERIFY2(recovered.engine, recovered.error ? recovered.error->toString().c_str() : "");
    QCOMPARE(recovered.engine->lastSequence(), firstEvents.back().sequence);
    QVERIFY(recovered.report.snapshotSequence > 0);
    const std::string viewsPath = storage::viewsPathFor(path);
    const storage::CatchUpResult caughtUp = storage::catchUpReadModels(path, viewsPath);
    QVERIFY2(!caughtUp.error, caughtUp.error ? caughtUp.error->toString().c_str() : "");
    storage::ReadModelReader::Opened views = storage::ReadModelReader::open(viewsPath);
    QVERIFY(views.reader);
    std::optional<storage::ReadModelError> error;
    const std::vector<storage::PositionRow> rows = views.reader->positions(error);
    QVERIFY(!error);
    views.reader.reset();

    // The read models count every agent's position as the trades give it.
    const auto counted = positionsFromTrades(firstEvents);
    Session::Continuation continuation;
    std::size_t agentPositions = 0;
    for (const storage::PositionRow &row : rows) {
        if (row.account.value() < kFirstAgentAccount)
            continue;
        QCOMPARE(row.quantity.value(), counted.at({row.account.value(), row.instrument.value()}));
        continuation.positions.push_back({row.account, row.instrument, row.quantity});
        ++agentPositions;
    }
    QVERIFY(agentPositions > 0);

    continuation.engine = std::move(recovered.engine);
    continuation.journal = path;
    continuation.lastSnapshot = recovered.report.snapshotSequence;
    continuation.lastEventTime = firstEvents.back().time;
    Recorder secondRun;
    {
        Session session; // the synthetic flow by default: the journal decides
        session.setRunHandlerFactory(journalingInto(path));
        session.addEventHandler(&secondRun);
        session.resumeSimulation(6, std::move(continuation));
        QVERIFY(playUntil(session, secondRun, 20'000));
    }

    // One journal, intact, whose sequence numbers go on from the first run's.
    std::string problem;
    const std::vector<Event> journal = readJournal(path, problem);
    QVERIFY2(problem.empty(), problem.c_str());
    const std::vector<Event> secondEvents = secondRun.events();
    QCOMPARE(secondEvents.front().sequence, firstEvents.back().sequence + 1);
    QCOMPARE(journal.back().sequence, secondEvents.back().sequence);
    QVERIFY(secondEvents.front().time > firstEvents.back().time);

    // The agents trade the same five instruments: nothing is added, and agents take part.
    std::set<InstrumentId> tradedByAgents;
    for (const Event &event : secondEvents) {
        QVERIFY(!std::holds_alternative<InstrumentAdded>(event.payload));
        const Trade *trade = std::get_if<Trade>(&event.payload);
        if (trade != nullptr && (trade->makerAccount.value() >= kFirstAgentAccount ||
                                 trade->takerAccount.value() >= kFirstAgentAccount))
            tradedByAgents.insert(event.instrument);
    }
    QVERIFY(tradedByAgents.size() >= 3);
    for (const InstrumentId instrument : tradedByAgents)
        QVERIFY(instrument.value() >= 1 && instrument.value() <= 5);

    // No order is left unmanaged: each maker rests one quote a side at most, and the
    // momentum and informed traders, whose orders are immediate-or-cancel, none.
    app::RecoveredEngine after = app::recoverEngine(path);
    QVERIFY(after.engine);
    const AgentMarket::Options defaults;
    // Resting orders by account, bids and asks.
    std::map<std::uint32_t, std::pair<int, int>> resting;
    for (const InstrumentId instrument : after.engine->instruments()) {
        for (const Side side : {Side::Buy, Side::Sell}) {
            after.engine->book(instrument)->forEachOrder(side, [&](const Order &order) {
                if (order.account.value() < kFirstAgentAccount)
                    return;
                std::pair<int, int> &count = resting[order.account.value()];
                ++(side == Side::Buy ? count.first : count.second);
            });
        }
    }
    std::uint32_t account = kFirstAgentAccount;
    for (const AgentInstrument &instrument : defaults.instruments) {
        for (std::uint32_t maker = 0; maker < instrument.makerCount; ++maker, ++account) {
            QVERIFY(resting[account].first <= 1);
            QVERIFY(resting[account].second <= 1);
        }
        for (int trader = 0; trader < 2; ++trader, ++account)
            QCOMPARE(resting[account], (std::pair<int, int>{0, 0}));
    }
}

QTEST_GUILESS_MAIN(AgentJournalRestartTest)
#include "tst_agent_journal_restart.moc"

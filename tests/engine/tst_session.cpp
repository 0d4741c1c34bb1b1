#include "session.h"

#include "engine.h"
#include "simulator.h"

#include "test_data.h"

#include <QtTest>

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QThread>

#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

using namespace bourse;

namespace {

using ViewPointer = std::shared_ptr<const MarketView>;

constexpr int kTimeoutMs = 5'000;

// Polls the session until a view satisfies the predicate; nullptr after the timeout.
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

bool isPaused(const MarketView &view)
{
    return view.replayState == ReplayState::Paused;
}
bool isDone(const MarketView &view)
{
    return view.replayState == ReplayState::Finished || view.replayState == ReplayState::Failed;
}

bool writeLines(const QString &path, const QStringList &lines)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        return false;
    }
    for (const QString &line : lines) {
        file.write(line.toUtf8() + '\n');
    }
    return true;
}

// Eight messages that describe their own book: three adds, a partial cancel, an execution of a
// visible order, a delete, a hidden execution and one more add. Afterwards the book has
// bid 500.0000 x 80 and asks 500.1000 x 40 and 500.2000 x 25, two trades printed, and each
// message made exactly one event.
const QStringList kMessages = {
    QStringLiteral("34200.000000000,1,1,100,5000000,1"),
    QStringLiteral("34200.100000000,1,2,50,5001000,-1"),
    QStringLiteral("34200.200000000,1,3,30,4999000,1"),
    QStringLiteral("34200.300000000,2,1,20,5000000,1"),
    QStringLiteral("34200.400000000,4,2,10,5001000,-1"),
    QStringLiteral("34200.500000000,3,3,30,4999000,1"),
    QStringLiteral("34200.600000000,5,0,5,5000500,1"),
    QStringLiteral("34200.700000000,1,4,25,5002000,-1"),
};
constexpr std::size_t kMessageCount = 8;
constexpr std::int64_t kLastMessageTime = 34'200'700'000'000;

// The top level after each message above: ask price, ask size, bid price, bid size.
const QStringList kOrderbookRows = {
    QStringLiteral("9999999999,0,5000000,100"), QStringLiteral("5001000,50,5000000,100"),
    QStringLiteral("5001000,50,5000000,100"),   QStringLiteral("5001000,50,5000000,80"),
    QStringLiteral("5001000,40,5000000,80"),    QStringLiteral("5001000,40,5000000,80"),
    QStringLiteral("5001000,40,5000000,80"),    QStringLiteral("5001000,40,5000000,80"),
};

const QString kMessageFile = QStringLiteral("TEST_2012-06-21_34200000_34201000_message_1.csv");
const QString kOrderbookFile = QStringLiteral("TEST_2012-06-21_34200000_34201000_orderbook_1.csv");

} // namespace

class TestSession : public QObject {
    Q_OBJECT

private slots:
    void init();

    void simulationPublishesLiveViews();
    void simulationBuildsTradesAndBars();
    void pauseFreezesSequence();
    void playResumesAfterPause();
    void setSpeedShowsInView();
    void viewsLimitedToFrameRate();
    void tradesPerViewBounded();

    void replayFinishesWithEveryMessage();
    void replayOfOtherFormatShowsStaleBook();
    void replayPacedByMessageTime();
    void replayChecksOrderbookFile_data();
    void replayChecksOrderbookFile();
    void replayMissingFileNamesIt();
    void replayMalformedLineFails();
    void replaySpeedOutOfRangeRejected_data();
    void replaySpeedOutOfRangeRejected();
    void restartReplacesSource();
    void runHandlersStartFreshEachRun();
    void failingHandlerShowsInView();
    void resumedSimulationContinuesEngine();
    void resumedSimulationRejectsMisalignedBars();
    void stopKeepsLastView();
    void invalidOptionsRejected();
    void realLobsterDayReplays();

private:
    QString writeMessages(const QStringList &messages = kMessages);

    std::unique_ptr<QTemporaryDir> m_directory;
};

void TestSession::init()
{
    m_directory = std::make_unique<QTemporaryDir>();
    QVERIFY(m_directory->isValid());
}

QString TestSession::writeMessages(const QStringList &messages)
{
    const QString path = m_directory->filePath(kMessageFile);
    if (!writeLines(path, messages)) {
        return {};
    }
    return path;
}

void TestSession::simulationPublishesLiveViews()
{
    Session session;
    session.startSimulation(1);

    const ViewPointer first = waitForView(
        session, [](const MarketView &view) { return !view.bids.empty() && !view.asks.empty(); },
        1'000);
    QVERIFY2(first, "no view with both sides of the book within a second");
    QCOMPARE(first->mode, SessionMode::Simulation);
    QCOMPARE(first->symbol, std::string("BRSA"));
    QCOMPARE(first->priceDecimals, 2);
    QCOMPARE(first->replayState, ReplayState::Playing);
    // The book is primed with ten levels a side before the first view.
    QCOMPARE(first->bids.size(), std::size_t{10});
    QCOMPARE(first->asks.size(), std::size_t{10});
    QVERIFY(first->bids.front().price < first->asks.front().price);

    const SequenceNumber firstSequence = first->lastSequence;
    const ViewPointer later = waitForView(session, [firstSequence](const MarketView &view) {
        return view.lastSequence > firstSequence;
    });
    QVERIFY2(later, "lastSequence did not grow");
    QVERIFY(later->viewNumber > first->viewNumber);
    QVERIFY(later->totalEvents >= later->lastSequence);
}

void TestSession::simulationBuildsTradesAndBars()
{
    Session session;
    session.startSimulation(2);

    bool sawNewTrades = false;
    const ViewPointer view = waitForView(session, [&sawNewTrades](const MarketView &candidate) {
        sawNewTrades = sawNewTrades || !candidate.recentTrades.empty();
        return sawNewTrades && !candidate.bars.empty() && candidate.eventsPerSecond > 0.0;
    });
    QVERIFY2(view, "no trades, bars or event rate within the timeout");
    QVERIFY(view->totalTrades > 0);
    QCOMPARE(view->barIntervalNanoseconds, std::int64_t{1'000'000'000});
    for (const Bar &bar : view->bars) {
        QCOMPARE(bar.start.value() % 1'000'000'000, std::int64_t{0});
        QVERIFY(bar.low <= bar.open && bar.open <= bar.high);
        QVERIFY(bar.low <= bar.close && bar.close <= bar.high);
        QVERIFY(bar.tradeCount > 0);
    }
}

void TestSession::pauseFreezesSequence()
{
    Session session;
    session.startSimulation(3);
    QVERIFY(waitForView(session, [](const MarketView &view) { return view.lastSequence > 100; }));

    session.pause();
    const ViewPointer paused = waitForView(session, isPaused);
    QVERIFY2(paused, "no view in state Paused after pause()");

    QThread::msleep(300);
    const ViewPointer later = session.latestView();
    QCOMPARE(later->lastSequence, paused->lastSequence);
    QCOMPARE(later->replayState, ReplayState::Paused);
}

void TestSession::playResumesAfterPause()
{
    Session session;
    session.startSimulation(4);
    session.pause();
    const ViewPointer paused = waitForView(session, isPaused);
    QVERIFY(paused);

    session.play();
    const SequenceNumber pausedAt = paused->lastSequence;
    const ViewPointer resumed = waitForView(session, [pausedAt](const MarketView &view) {
        return view.replayState == ReplayState::Playing && view.lastSequence > pausedAt;
    });
    QVERIFY2(resumed, "lastSequence did not grow after play()");
}

void TestSession::setSpeedShowsInView()
{
    Session session;
    session.startSimulation(5);
    session.setSpeed(2.5);
    QVERIFY(waitForView(session, [](const MarketView &view) { return view.replaySpeed == 2.5; }));

    session.setSpeed(-1.0); // ignored
    session.setSpeed(0.0);
    QVERIFY(waitForView(session, [](const MarketView &view) { return view.replaySpeed == 0.0; }));
}

void TestSession::viewsLimitedToFrameRate()
{
    Session::Options options;
    options.framesPerSecond = 10;
    Session session(options);
    session.startSimulation(6);
    session.setSpeed(0.0); // events all the time, so every frame has something to show
    const ViewPointer start =
        waitForView(session, [](const MarketView &view) { return view.replaySpeed == 0.0; });
    QVERIFY(start);

    QThread::msleep(1'000);
    const ViewPointer end = session.latestView();

    const std::uint64_t published = end->viewNumber - start->viewNumber;
    QVERIFY2(published <= 12, qPrintable(QString::number(published)));
    QVERIFY2(published >= 2, qPrintable(QString::number(published)));
}

void TestSession::tradesPerViewBounded()
{
    Session::Options options;
    options.tradesPerView = 3;
    Session session(options);
    session.startSimulation(7);
    session.setSpeed(0.0);

    bool overLimit = false;
    const ViewPointer view = waitForView(session, [&overLimit](const MarketView &candidate) {
        overLimit = overLimit || candidate.recentTrades.size() > 3;
        return candidate.droppedTrades > 0;
    });
    QVERIFY2(view, "no view counted dropped trades at maximum speed");
    QVERIFY(!overLimit);
    QCOMPARE(view->recentTrades.size(), std::size_t{3});
    QVERIFY(view->recentTrades.front().sequence < view->recentTrades.back().sequence);
}

void TestSession::replayFinishesWithEveryMessage()
{
    const QString path = writeMessages();
    QVERIFY(!path.isEmpty());
    Session session;

    const auto error = session.startReplay({path.toStdString(), {}, 0.0});
    QVERIFY2(!error, error ? error->c_str() : "");

    const ViewPointer view = waitForView(session, isDone);
    QVERIFY2(view, "the replay did not end");
    QCOMPARE(QString::fromStdString(view->error), QString());
    QCOMPARE(view->replayState, ReplayState::Finished);
    QCOMPARE(view->mode, SessionMode::Replay);
    QCOMPARE(view->symbol, std::string("TEST"));
    QCOMPARE(view->priceDecimals, 4);
    QCOMPARE(view->replaySource, path.toStdString());
    QCOMPARE(view->replayMessages, kMessageCount);
    QCOMPARE(view->replayTime.value(), kLastMessageTime);
    QCOMPARE(view->lastSequence, SequenceNumber{kMessageCount});
    QCOMPARE(view->totalTrades, std::uint64_t{2});

    QCOMPARE(view->bids.size(), std::size_t{1});
    QCOMPARE(view->bids[0].price.value(), std::int64_t{5'000'000});
    QCOMPARE(view->bids[0].quantity.value(), std::int64_t{80});
    QCOMPARE(view->asks.size(), std::size_t{2});
    QCOMPARE(view->asks[0].price.value(), std::int64_t{5'001'000});
    QCOMPARE(view->asks[0].quantity.value(), std::int64_t{40});
    QCOMPARE(view->asks[1].price.value(), std::int64_t{5'002'000});
    QCOMPARE(view->asks[1].quantity.value(), std::int64_t{25});
}

namespace {

// A recorded source of two messages that defines its instrument with the first step, as an
// exchange stream does, and reports a gap after the second.
class TwoMessageFeed final : public bourse::ReplayFeed {
public:
    explicit TwoMessageFeed(Engine &engine)
        : m_engine(engine)
    {
    }

    Step step() override
    {
        if (m_applied == 2)
            return Step::Finished;
        if (m_applied == 0) {
            bourse::InstrumentDefinition definition;
            definition.id = InstrumentId{1};
            const std::string symbol = "FEED";
            std::copy(symbol.begin(), symbol.end(), definition.symbol.begin());
            definition.priceDecimals = 2;
            m_engine.addInstrument(definition, Timestamp{1'000});
        }
        NewOrder order;
        order.id = OrderId{m_applied + 1};
        order.side = m_applied == 0 ? Side::Buy : Side::Sell;
        order.limit = Price{m_applied == 0 ? 9'900 : 10'100};
        order.quantity = Quantity{5};
        m_engine.submit(order, Timestamp{1'000 + static_cast<std::int64_t>(m_applied)});
        ++m_applied;
        return Step::Applied;
    }

    std::optional<Timestamp> nextTime() const override
    {
        if (m_applied == 2)
            return std::nullopt;
        return Timestamp{1'000 + static_cast<std::int64_t>(m_applied)};
    }

    std::string error() const override { return {}; }
    std::size_t messages() const override { return m_applied; }
    std::string staleReason() const override
    {
        return m_applied == 2 ? "gap in update ids at line 3" : std::string();
    }

private:
    Engine &m_engine;
    std::uint64_t m_applied = 0;
};

} // namespace

// A replay of another format than LOBSTER: the opener's feed defines the instrument, the view
// follows it from its first message, and the feed's stale reason reaches the view.
void TestSession::replayOfOtherFormatShowsStaleBook()
{
    Session session;
    Session::ReplaySource source;
    source.messagePath = "recorded.data";
    source.speed = 0.0;
    source.openFeed = [](Engine &engine, std::string &) {
        return std::make_unique<TwoMessageFeed>(engine);
    };
    const auto error = session.startReplay(source);
    QVERIFY2(!error, error ? error->c_str() : "");

    const ViewPointer view = waitForView(session, isDone);
    QVERIFY2(view, "the replay did not end");
    QCOMPARE(view->replayState, ReplayState::Finished);
    QCOMPARE(view->symbol, std::string("FEED"));
    QCOMPARE(view->priceDecimals, 2);
    QCOMPARE(view->replayMessages, std::size_t{2});
    QCOMPARE(view->replayStale, std::string("gap in update ids at line 3"));
    QCOMPARE(view->bids.size(), std::size_t{1});
    QCOMPARE(view->bids[0].price, Price{9'900});
    QCOMPARE(view->asks.size(), std::size_t{1});
    QCOMPARE(view->asks[0].price, Price{10'100});
}

void TestSession::replayPacedByMessageTime()
{
    const QString path = writeMessages();
    QVERIFY(!path.isEmpty());
    Session session;
    QElapsedTimer timer;
    timer.start();

    // The messages span 0.7 s of market time, so at speed 1 the last one is due 0.7 s in.
    QVERIFY(!session.startReplay({path.toStdString(), {}, 1.0}));
    const ViewPointer view = waitForView(session, isDone);
    const qint64 elapsed = timer.elapsed();

    QVERIFY(view);
    QCOMPARE(view->replayState, ReplayState::Finished);
    QVERIFY2(elapsed >= 650, qPrintable(QString::number(elapsed)));
}

void TestSession::replayChecksOrderbookFile_data()
{
    QTest::addColumn<QStringList>("rows");
    QTest::addColumn<int>("expectedMismatches");

    QStringList wrong = kOrderbookRows;
    wrong[4] = QStringLiteral("5001000,45,5000000,80"); // the execution took 10, not 5

    QTest::newRow("matching rows") << kOrderbookRows << 0;
    QTest::newRow("one wrong row") << wrong << 1;
}

// The orderbook file is found by LOBSTER's naming, next to the message file.
void TestSession::replayChecksOrderbookFile()
{
    QFETCH(QStringList, rows);
    QFETCH(int, expectedMismatches);
    const QString path = writeMessages();
    QVERIFY(writeLines(m_directory->filePath(kOrderbookFile), rows));
    Session session;

    QVERIFY(!session.startReplay({path.toStdString(), {}, 0.0}));
    const ViewPointer view = waitForView(session, isDone);

    QVERIFY(view);
    QCOMPARE(QString::fromStdString(view->error), QString());
    QCOMPARE(view->replayState, ReplayState::Finished);
    QCOMPARE(view->replayMessages, kMessageCount);
    QCOMPARE(view->replayMismatches, static_cast<std::size_t>(expectedMismatches));
}

void TestSession::replayMissingFileNamesIt()
{
    const std::string path =
        m_directory->filePath(QStringLiteral("GONE_message_1.csv")).toStdString();
    Session session;

    const auto error = session.startReplay({path, {}, 1.0});

    QVERIFY(error.has_value());
    QVERIFY2(error->find(path) != std::string::npos, error->c_str());
    const ViewPointer view = session.latestView();
    QVERIFY(view);
    QCOMPARE(view->replayState, ReplayState::Failed);
    QCOMPARE(view->error, *error);
}

void TestSession::replayMalformedLineFails()
{
    QStringList messages = kMessages;
    messages[2] = QStringLiteral("34200.200000000,9,3,30,4999000,1"); // no event type 9
    const QString path = writeMessages(messages);
    Session session;

    QVERIFY(!session.startReplay({path.toStdString(), {}, 0.0}));
    const ViewPointer view = waitForView(session, isDone);

    QVERIFY(view);
    QCOMPARE(view->replayState, ReplayState::Failed);
    const QString error = QString::fromStdString(view->error);
    QVERIFY2(error.contains(path + QStringLiteral(":3:")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("event type")), qPrintable(error));
    QCOMPARE(view->replayMessages, std::size_t{2});
}

void TestSession::replaySpeedOutOfRangeRejected_data()
{
    QTest::addColumn<double>("speed");
    QTest::newRow("negative") << -1.0;
    QTest::newRow("not a number") << std::nan("");
    QTest::newRow("below 0.001") << 1e-13;
    QTest::newRow("above a million") << 1e12;
}

// Speeds outside 0.001 to 1000000 made the pacing overflow or spin without progress.
void TestSession::replaySpeedOutOfRangeRejected()
{
    QFETCH(double, speed);
    const QString path = writeMessages();
    Session session;

    const auto error = session.startReplay({path.toStdString(), {}, speed});

    QVERIFY(error.has_value());
    QVERIFY2(error->find("invalid replay speed") != std::string::npos, error->c_str());
}

void TestSession::restartReplacesSource()
{
    const QString path = writeMessages();
    Session session;
    session.startSimulation(8);
    QVERIFY(waitForView(session, [](const MarketView &view) { return view.lastSequence > 100; }));

    QVERIFY(!session.startReplay({path.toStdString(), {}, 0.0}));
    const ViewPointer view = waitForView(session, isDone);

    // A fresh engine: the sequence restarts and counts the replay's events only.
    QVERIFY(view);
    QCOMPARE(view->mode, SessionMode::Replay);
    QCOMPARE(view->lastSequence, SequenceNumber{kMessageCount});
    QCOMPARE(view->totalTrades, std::uint64_t{2});
}

namespace {

// Records the sequence numbers it sees, and where to report them when the session drops it.
class SequenceRecorder : public EventHandler {
public:
    explicit SequenceRecorder(std::vector<SequenceNumber> &destroyedWith)
        : m_destroyedWith(destroyedWith)
    {
    }
    ~SequenceRecorder() override { m_destroyedWith = m_sequences; }
    void onEvent(const Event &event) override { m_sequences.push_back(event.sequence); }

private:
    std::vector<SequenceNumber> m_sequences;
    std::vector<SequenceNumber> &m_destroyedWith;
};

} // namespace

// Each run gets its own handlers, which see that run's events from sequence 1 and are
// destroyed once the run's engine thread has stopped.
void TestSession::runHandlersStartFreshEachRun()
{
    const QString path = writeMessages();
    std::vector<std::pair<SessionMode, std::string>> calls;
    std::vector<SequenceNumber> simulationSequences;
    std::vector<SequenceNumber> replaySequences;

    Session session;
    session.setRunHandlerFactory([&](const Session::RunContext &context) {
        calls.emplace_back(context.mode, context.source);
        std::vector<std::unique_ptr<EventHandler>> handlers;
        auto &destination =
            context.mode == SessionMode::Simulation ? simulationSequences : replaySequences;
        handlers.push_back(std::make_unique<SequenceRecorder>(destination));
        return handlers;
    });

    session.startSimulation(5);
    QVERIFY(waitForView(session, [](const MarketView &view) { return view.lastSequence > 50; }));
    QVERIFY(!session.startReplay({path.toStdString(), {}, 0.0}));
    QVERIFY(waitForView(session, isDone));
    // A run that cannot start gets no handlers, so it leaves no empty journal behind.
    QVERIFY(session.startReplay({"/nonexistent/GOOG_message_1.csv", {}, 1.0}).has_value());
    session.stop();

    QCOMPARE(calls.size(), std::size_t{2});
    QCOMPARE(calls[0].first, SessionMode::Simulation);
    QCOMPARE(calls[0].second, std::string("seed 5"));
    QCOMPARE(calls[1].first, SessionMode::Replay);
    QCOMPARE(calls[1].second, path.toStdString());

    QVERIFY(simulationSequences.size() > 50);
    QCOMPARE(simulationSequences.front(), SequenceNumber{1});
    QCOMPARE(simulationSequences.back(), SequenceNumber{simulationSequences.size()});
    QCOMPARE(replaySequences.size(), kMessageCount);
    QCOMPARE(replaySequences.front(), SequenceNumber{1});
    QCOMPARE(replaySequences.back(), SequenceNumber{kMessageCount});
}

namespace {

// Works for ten events, then reports that it failed, as a journal does when its disk fills.
class FailingHandler : public EventHandler {
public:
    void onEvent(const Event &) override { ++m_events; }
    std::string failure() const override
    {
        return m_events > 10 ? "journal.sqlite: disk is full" : "";
    }

private:
    std::uint64_t m_events = 0;
};

} // namespace

void TestSession::failingHandlerShowsInView()
{
    Session session;
    session.setRunHandlerFactory([](const Session::RunContext &) {
        std::vector<std::unique_ptr<EventHandler>> handlers;
        handlers.push_back(std::make_unique<FailingHandler>());
        return handlers;
    });
    session.startSimulation(11);

    const ViewPointer failed =
        waitForView(session, [](const MarketView &view) { return !view.error.empty(); });
    QVERIFY(failed);
    QCOMPARE(failed->error, std::string("journal.sqlite: disk is full"));
    // The market goes on: the handler does not feed it.
    const SequenceNumber at = failed->lastSequence;
    QVERIFY(waitForView(session, [at](const MarketView &view) { return view.lastSequence > at; }));
}

// A resumed simulation runs on the engine it is given. Its handlers see the sequence numbers
// continue and learn which journal the run continues. The book is not primed a second time,
// and the first view shows the restored bars and prints.
void TestSession::resumedSimulationContinuesEngine()
{
    auto engine = std::make_unique<Engine>(InstrumentId{1});
    MarketSimulator simulator(3);
    simulator.prime(*engine, Timestamp{1'000'000'000});
    for (int i = 0; i < 500; ++i)
        simulator.step(*engine, Timestamp{1'000'000'000 + i});
    const SequenceNumber last = engine->lastSequence();
    const std::size_t bidLevels = engine->book().levelCount(Side::Buy);
    const std::size_t askLevels = engine->book().levelCount(Side::Sell);
    QVERIFY(last > 500);

    // Two one-second bars and three prints, as a journal's read models would give them.
    Session::Continuation continuation;
    continuation.engine = std::move(engine);
    continuation.journal = "simulation-1.sqlite";
    continuation.lastSnapshot = 400;
    continuation.bars = {
        Bar{Timestamp{0}, Price{100}, Price{104}, Price{99}, Price{101}, Quantity{30}, 4},
        Bar{Timestamp{1'000'000'000}, Price{101}, Price{102}, Price{100}, Price{102}, Quantity{12},
            2}};
    continuation.recentTrades = {TradePrint{10, Timestamp{5}, Price{100}, Quantity{1}, Side::Buy},
                                 TradePrint{20, Timestamp{6}, Price{101}, Quantity{2}, Side::Sell},
                                 TradePrint{30, Timestamp{7}, Price{102}, Quantity{3}, Side::Buy}};

    std::vector<SequenceNumber> sequences;
    std::string continued;
    SequenceNumber lastSnapshot = 0;
    Session::Options options;
    options.simulationCommandsPerSecond = 1;
    Session session(options);
    session.setRunHandlerFactory([&](const Session::RunContext &context) {
        continued = context.continuedJournal;
        lastSnapshot = context.lastSnapshot;
        std::vector<std::unique_ptr<EventHandler>> handlers;
        handlers.push_back(std::make_unique<SequenceRecorder>(sequences));
        return handlers;
    });
    session.resumeSimulation(8, std::move(continuation));

    const ViewPointer first =
        waitForView(session, [](const MarketView &view) { return view.lastSequence > 0; });
    QVERIFY(first);
    QCOMPARE(first->lastSequence, last);
    QCOMPARE(first->bids.size(), std::min<std::size_t>(bidLevels, 50));
    QCOMPARE(first->asks.size(), std::min<std::size_t>(askLevels, 50));
    // The book of simulations from before instruments had definitions keeps its old terms.
    QCOMPARE(first->symbol, std::string("SIM"));
    QCOMPARE(first->priceDecimals, 2);
    QCOMPARE(first->instruments.size(), std::size_t{1});
    QVERIFY(first->trader.accounts.empty());
    QVERIFY(first->bars.size() >= 2);
    QCOMPARE(first->bars[0].high, Price{104});
    QCOMPARE(first->bars[1].close, Price{102});
    QVERIFY(first->recentTrades.size() >= 3);
    QCOMPARE(first->recentTrades[0].sequence, SequenceNumber{10});
    QCOMPARE(first->recentTrades[2].price, Price{102});

    QVERIFY(
        waitForView(session, [last](const MarketView &view) { return view.lastSequence > last; }));
    session.stop();
    QCOMPARE(continued, std::string("simulation-1.sqlite"));
    QCOMPARE(lastSnapshot, SequenceNumber{400});
    QVERIFY(!sequences.empty());
    QCOMPARE(sequences.front(), last + 1);
    // At one command a second, a primed book would have taken dozens of commands at once.
    QVERIFY2(sequences.size() < 20, qPrintable(QString::number(sequences.size())));
}

void TestSession::resumedSimulationRejectsMisalignedBars()
{
    Session::Continuation continuation;
    continuation.engine = std::make_unique<Engine>(InstrumentId{1});
    continuation.bars = {
        Bar{Timestamp{500}, Price{1}, Price{1}, Price{1}, Price{1}, Quantity{1}, 1}};
    Session session;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             session.resumeSimulation(1, std::move(continuation)));
    Session::Continuation empty;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, session.resumeSimulation(1, std::move(empty)));
}

void TestSession::stopKeepsLastView()
{
    Session session;
    session.startSimulation(9);
    QVERIFY(waitForView(session, [](const MarketView &view) { return view.lastSequence > 0; }));

    session.stop();
    const ViewPointer stopped = session.latestView();
    QThread::msleep(200);

    QVERIFY(stopped);
    QCOMPARE(session.latestView(), stopped);
    session.play(); // no engine thread: nothing happens
    session.stop();
}

void TestSession::invalidOptionsRejected()
{
    Session::Options noFrames;
    noFrames.framesPerSecond = 0;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Session{noFrames});

    Session::Options noLevels;
    noLevels.viewLevels = 0;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Session{noLevels});

    Session::Options noInterval;
    noInterval.barIntervalNanoseconds = 0;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Session{noInterval});
}

// A whole trading day at maximum speed: the replay ends Finished with every row of the file.
void TestSession::realLobsterDayReplays()
{
    const QString path =
        marketDataPath(QStringLiteral("lobster/GOOG_2012-06-21_34200000_57600000_message_1.csv"));
    BOURSE_REQUIRE_DATA_FILE(path);
    Session session;

    QVERIFY(!session.startReplay({path.toStdString(), {}, 0.0}));
    const ViewPointer view = waitForView(session, isDone, 60'000);

    QVERIFY(view);
    QCOMPARE(QString::fromStdString(view->error), QString());
    QCOMPARE(view->replayState, ReplayState::Finished);
    QCOMPARE(view->symbol, std::string("GOOG"));
    QCOMPARE(view->replayMessages, std::size_t{49'482}); // rows in the file
    QVERIFY(!view->bids.empty());
    QVERIFY(!view->asks.empty());
    QVERIFY(!view->bars.empty());
}

QTEST_GUILESS_MAIN(TestSession)
#include "tst_session.moc"

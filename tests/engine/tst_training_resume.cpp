// A training scenario journaled by a session, stopped, rebuilt from its journal and continued as
// the same scenario, and a scenario that stops at its length. The terminal rebuilds the engine
// the same way, and takes the scenario from the record the journal keeps.

#include "agent_market.h"
#include "engine_recovery.h"
#include "journal.h"
#include "journaled_run.h"
#include "scenario_training.h"
#include "session.h"
#include "synchronized_recorder.h"
#include "training_record.h"

#include <QtTest>

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QThread>

#include <sqlite3.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

using namespace bourse;

namespace {

constexpr int kTimeoutMs = 30'000;
constexpr std::int64_t kSecond = 1'000'000'000;
// 2024-01-02 00:00:00 UTC, the day of the training scenarios' times.
constexpr std::int64_t kMarketDay = 1'704'153'600 * kSecond;

Timestamp at(int hours, int minutes, int seconds = 0)
{
    return Timestamp{kMarketDay + ((hours * 60 + minutes) * 60 + seconds) * kSecond};
}

// The market time of the latest event, which a polling test thread reads.
class ClockWatch final : public EventHandler {
public:
    void onEvent(const Event &event) override { m_time = event.time.value(); }
    std::int64_t time() const { return m_time; }

private:
    std::atomic<std::int64_t> m_time{0};
};

// Journals each run into `path` as the terminal does: a new training run's record first, then
// the events, continuing the journal when the run continues one.
Session::RunHandlerFactory journalWithRecords(const std::string &path)
{
    return [path](const Session::RunContext &context) {
        std::vector<std::unique_ptr<EventHandler>> handlers;
        storage::JournalWriter::Created created = storage::JournalWriter::create(
            context.continuedJournal.empty() ? path : context.continuedJournal);
        if (!created.writer)
            qFatal("the journal does not open: %s", created.error->toString().c_str());
        if (!context.trainingRecord.empty())
            created.writer->writeRecord(training::kTrainingRecordKind, context.trainingRecord);
        handlers.push_back(std::make_unique<app::JournaledRun>(
            std::move(created.writer), context.engine, app::JournaledRun::kDefaultSnapshotEvery,
            context.lastSnapshot));
        return handlers;
    };
}

// Plays the session as fast as it goes until its market time reaches `time`, then stops it.
bool playUntil(Session &session, const ClockWatch &clock, Timestamp time)
{
    session.setSpeed(0.0);
    QElapsedTimer timer;
    timer.start();
    while (clock.time() < time.value() && timer.elapsed() < kTimeoutMs)
        QThread::msleep(2);
    session.stop();
    return clock.time() >= time.value();
}

training::TrainingScenario haltReopening()
{
    const training::TrainingParseResult parsed = training::loadTrainingScenario(
        BOURSE_SOURCE_DIR "/resources/scenarios/halt_reopening.scenario");
    if (!parsed.ok())
        qFatal("halt_reopening.scenario does not parse: %s",
               parsed.errors.front().toString().c_str());
    return parsed.scenario;
}

std::vector<storage::JournalRecord> recordsOf(const std::string &path, std::string &problem)
{
    storage::JournalReader::Opened opened = storage::JournalReader::open(path);
    if (!opened.reader) {
        problem = opened.error->toString();
        return {};
    }
    std::optional<storage::JournalError> error;
    std::vector<storage::JournalRecord> records = opened.reader->records(error);
    if (error)
        problem = error->toString();
    return records;
}

const TradingStatusChanged *statusChange(const Event &event)
{
    return std::get_if<TradingStatusChanged>(&event.payload);
}

} // namespace

class TrainingResumeTest : public QObject {
    Q_OBJECT

private slots:
    void recordRoundTripsThroughItsText();
    void recordWithWrongLengthIsRejected();
    void resumedMarketSkipsFiredEvents();
    void restartedScenarioReopensHaltedShare();
    void journalWithoutRecordsTableHasNone();
    void scenarioStopsAtItsLength();
    void restartAfterEndShowsEnd();
};

void TrainingResumeTest::recordRoundTripsThroughItsText()
{
    const training::TrainingRecord record{"halt_reopening.scenario", 42, "market seed 1\n"};
    std::string error;
    const std::optional<training::TrainingRecord> decoded =
        training::decodeTrainingRecord(training::encodeTrainingRecord(record), error);
    QVERIFY2(decoded, error.c_str());
    QCOMPARE(decoded->fileName, record.fileName);
    QCOMPARE(decoded->seed, record.seed);
    QCOMPARE(decoded->text, record.text);
}

void TrainingResumeTest::recordWithWrongLengthIsRejected()
{
    std::string error;
    QVERIFY(!training::decodeTrainingRecord("training 1\nfile a\nseed 3\ntext 9\nshort", error));
    QCOMPARE(error, std::string("the training record's text is 5 bytes long, but its header "
                                "says 9"));
    QVERIFY(!training::decodeTrainingRecord("training 2\n", error));
}

// The agent market alone: a market stopped between a halt and its reopening continues on the
// same engine with the scenario's schedule.
void TrainingResumeTest::resumedMarketSkipsFiredEvents()
{
    AgentMarket::Options options = haltReopening().options;
    MarketEvent activity;
    activity.time = at(14, 32);
    activity.kind = MarketEventKind::Activity;
    activity.instrument = 1;
    activity.percent = 300;
    MarketEvent drought;
    drought.time = at(14, 35);
    drought.kind = MarketEventKind::Drought;
    drought.instrument = 1;
    drought.widenTicks = 6;
    drought.percent = 20;
    drought.durationNanoseconds = 5 * 60 * kSecond; // ends at 14:40
    options.schedule.push_back(activity);
    options.schedule.push_back(drought);

    Engine engine;
    Timestamp stoppedAt;
    {
        AgentMarket first(engine, 67, options);
        while (first.time() < at(14, 37))
            QVERIFY(first.step());
        QVERIFY(first.isHalted(0));
        QVERIFY(first.isInDrought(1));
        stoppedAt = first.time();
    }

    AgentMarket::Options resumed = options;
    resumed.startTime = Timestamp{stoppedAt.value() + 1};
    std::unique_ptr<AgentMarket> market = AgentMarket::resume(engine, 68, resumed);
    QVERIFY(market);
    // Fired before the stop, in schedule order: activity, drought, halt, news.
    QCOMPARE(market->firedEvents().size(), std::size_t{4});
    QCOMPARE(market->firedEvents()[0].event.kind, MarketEventKind::Activity);
    QCOMPARE(market->firedEvents()[1].event.kind, MarketEventKind::Drought);
    QCOMPARE(market->firedEvents()[2].event.kind, MarketEventKind::Halt);
    QCOMPARE(market->firedEvents()[3].event.kind, MarketEventKind::News);
    QVERIFY(market->isHalted(0));
    QVERIFY(market->isInDrought(1));
    // Still to come: the reopening at 14:39 and the drought's end at 14:40.
    QCOMPARE(market->upcomingEvents().size(), std::size_t{2});
    QCOMPARE(market->upcomingEvents()[0].kind, MarketEventKind::Reopen);
    QCOMPARE(market->upcomingEvents()[0].time, at(14, 39));
    QCOMPARE(market->upcomingEvents()[1].kind, MarketEventKind::DroughtEnd);
    QCOMPARE(market->upcomingEvents()[1].time, at(14, 40));

    while (market->time() < at(14, 40, 1))
        QVERIFY(market->step());
    QVERIFY(!market->isHalted(0));
    QCOMPARE(engine.status(InstrumentId{1}), TradingStatus::Trading);
    QVERIFY(!market->isInDrought(1));
    // The four caught up, then the reopening and the drought's end: nothing fired twice.
    QCOMPARE(market->firedEvents().size(), std::size_t{6});
    QCOMPARE(market->firedEvents()[4].event.kind, MarketEventKind::Reopen);
    QVERIFY(market->firedEvents()[4].time >= at(14, 39));
    QCOMPARE(market->firedEvents()[5].event.kind, MarketEventKind::DroughtEnd);
}

void TrainingResumeTest::restartedScenarioReopensHaltedShare()
{
    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    const std::string path = directory.filePath(QStringLiteral("training.sqlite")).toStdString();
    const training::TrainingScenario scenario = haltReopening();
    const std::uint64_t seed = 11;
    const Timestamp end{scenario.options.startTime.value() + scenario.lengthNanoseconds};

    // The first run stops at 14:37, between the halt at 14:36 and the reopening at 14:39.
    test::SynchronizedRecorder firstRun;
    ClockWatch firstClock;
    {
        Session session;
        session.setRunHandlerFactory(journalWithRecords(path));
        session.addEventHandler(&firstRun);
        session.addEventHandler(&firstClock);
        session.startTraining(seed, Session::Training{scenario.options, end,
                                                      training::encodeTrainingRecord(
                                                          training::recordOf(scenario, seed))});
        QVERIFY(playUntil(session, firstClock, at(14, 37)));
    }
    const std::vector<Event> firstEvents = firstRun.events();
    QVERIFY(!firstEvents.empty());

    // The journal keeps the record before its first event, checked by its checksum.
    std::string problem;
    std::vector<storage::JournalRecord> records = recordsOf(path, problem);
    QVERIFY2(problem.empty(), problem.c_str());
    QCOMPARE(records.size(), std::size_t{1});
    QCOMPARE(records[0].kind, std::string(training::kTrainingRecordKind));
    QCOMPARE(records[0].sequence, SequenceNumber{0});
    std::string error;
    const std::optional<training::TrainingRecord> record =
        training::decodeTrainingRecord(records[0].body, error);
    QVERIFY2(record, error.c_str());
    QCOMPARE(record->seed, seed);
    QCOMPARE(record->text, scenario.text);

    app::RecoveredEngine recovered = app::recoverEngine(path);
    QVERIFY2(recovered.engine, recovered.error ? recovered.error->toString().c_str() : "");
    QCOMPARE(recovered.engine->status(InstrumentId{1}), TradingStatus::Halted);

    const training::TrainingParseResult parsed = training::parseRecordedScenario(*record);
    QVERIFY(parsed.ok());
    Session::Continuation continuation;
    continuation.engine = std::move(recovered.engine);
    continuation.journal = path;
    continuation.lastSnapshot = recovered.report.snapshotSequence;
    continuation.lastEventTime = firstEvents.back().time;
    test::SynchronizedRecorder secondRun;
    ClockWatch secondClock;
    {
        Session session;
        session.setRunHandlerFactory(journalWithRecords(path));
        session.addEventHandler(&secondRun);
        session.addEventHandler(&secondClock);
        session.resumeTraining(record->seed, Session::Training{parsed.scenario.options, end},
                               std::move(continuation));
        QVERIFY(playUntil(session, secondClock, at(14, 39, 30)));
    }
    const std::vector<Event> secondEvents = secondRun.events();
    QVERIFY(!secondEvents.empty());

    // The clock goes on in market time from the last event, not from the wall clock.
    QCOMPARE(secondEvents.front().sequence, firstEvents.back().sequence + 1);
    QVERIFY(secondEvents.front().time > firstEvents.back().time);
    QVERIFY(secondEvents.front().time.value() < firstEvents.back().time.value() + kSecond);

    // The same two instruments, the halt not repeated, and the reopening at its time.
    int reopenings = 0;
    for (const Event &event : secondEvents) {
        QVERIFY(!std::holds_alternative<InstrumentAdded>(event.payload));
        const TradingStatusChanged *change = statusChange(event);
        if (change == nullptr)
            continue;
        QVERIFY(change->status != TradingStatus::Halted);
        if (change->status == TradingStatus::Trading && event.instrument == InstrumentId{1}) {
            QVERIFY(event.time >= at(14, 39));
            ++reopenings;
        }
    }
    QCOMPARE(reopenings, 1);

    // The continued run kept the one record and wrote none of its own.
    records = recordsOf(path, problem);
    QVERIFY2(problem.empty(), problem.c_str());
    QCOMPARE(records.size(), std::size_t{1});
}

// A journal written before the records table existed reads as one without records, and a
// writer that continues it adds the table.
void TrainingResumeTest::journalWithoutRecordsTableHasNone()
{
    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    const std::string path = directory.filePath(QStringLiteral("old.sqlite")).toStdString();
    {
        storage::JournalWriter::Created created = storage::JournalWriter::create(path);
        QVERIFY(created.writer);
        QVERIFY(!created.writer->close());
    }
    sqlite3 *database = nullptr;
    QCOMPARE(sqlite3_open(path.c_str(), &database), SQLITE_OK);
    QCOMPARE(sqlite3_exec(database, "DROP TABLE records", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(database);

    std::string problem;
    QVERIFY(recordsOf(path, problem).empty());
    QVERIFY2(problem.empty(), problem.c_str());

    storage::JournalWriter::Created created = storage::JournalWriter::create(path);
    QVERIFY2(created.writer, created.error ? created.error->toString().c_str() : "");
    created.writer->writeRecord("note", "kept");
    QVERIFY(!created.writer->close());
    const std::vector<storage::JournalRecord> records = recordsOf(path, problem);
    QVERIFY2(problem.empty(), problem.c_str());
    QCOMPARE(records.size(), std::size_t{1});
    QCOMPARE(records[0].body, std::string("kept"));
}

// A scenario two seconds long finishes at its end, and Play and Step leave it there.
void TrainingResumeTest::scenarioStopsAtItsLength()
{
    const training::TrainingScenario scenario = haltReopening();
    const Timestamp end{scenario.options.startTime.value() + 2 * kSecond};
    Session session;
    session.startTraining(5, Session::Training{scenario.options, end});
    session.setSpeed(0.0);
    QElapsedTimer timer;
    timer.start();
    std::shared_ptr<const MarketView> view;
    while (timer.elapsed() < kTimeoutMs) {
        view = session.latestView();
        if (view && view->replayState == ReplayState::Finished)
            break;
        QThread::msleep(5);
    }
    QVERIFY(view);
    QCOMPARE(view->replayState, ReplayState::Finished);
    QVERIFY(view->marketTime <= Timestamp{end.value() + kSecond / 10});

    const SequenceNumber finishedAt = view->lastSequence;
    session.play();
    session.step();
    QThread::msleep(200);
    view = session.latestView();
    QCOMPARE(view->replayState, ReplayState::Finished);
    QCOMPARE(view->lastSequence, finishedAt);
}

// A journal whose scenario had ended restarts finished, at the scenario's end in market time,
// so the instructor panel marks every event up to the end as passed.
void TrainingResumeTest::restartAfterEndShowsEnd()
{
    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    const std::string path = directory.filePath(QStringLiteral("ended.sqlite")).toStdString();
    const training::TrainingScenario scenario = haltReopening();
    const std::uint64_t seed = 5;
    const Timestamp end{scenario.options.startTime.value() + 2 * kSecond};

    test::SynchronizedRecorder firstRun;
    {
        Session session;
        session.setRunHandlerFactory(journalWithRecords(path));
        session.addEventHandler(&firstRun);
        session.startTraining(seed, Session::Training{scenario.options, end,
                                                      training::encodeTrainingRecord(
                                                          training::recordOf(scenario, seed))});
        session.setSpeed(0.0);
        QElapsedTimer timer;
        timer.start();
        std::shared_ptr<const MarketView> view;
        while (timer.elapsed() < kTimeoutMs &&
               (!view || view->replayState != ReplayState::Finished)) {
            QThread::msleep(5);
            view = session.latestView();
        }
        QVERIFY(view);
        QCOMPARE(view->replayState, ReplayState::Finished);
        session.stop();
    }
    const std::vector<Event> firstEvents = firstRun.events();
    QVERIFY(!firstEvents.empty());

    app::RecoveredEngine recovered = app::recoverEngine(path);
    QVERIFY2(recovered.engine, recovered.error ? recovered.error->toString().c_str() : "");
    Session::Continuation continuation;
    continuation.engine = std::move(recovered.engine);
    continuation.journal = path;
    continuation.lastSnapshot = recovered.report.snapshotSequence;
    continuation.lastEventTime = firstEvents.back().time;

    Session session;
    session.setRunHandlerFactory(journalWithRecords(path));
    session.resumeTraining(seed, Session::Training{scenario.options, end}, std::move(continuation));
    QElapsedTimer timer;
    timer.start();
    std::shared_ptr<const MarketView> view;
    while (timer.elapsed() < kTimeoutMs && (!view || view->replayState != ReplayState::Finished)) {
        QThread::msleep(5);
        view = session.latestView();
    }
    QVERIFY(view);
    QCOMPARE(view->replayState, ReplayState::Finished);
    QCOMPARE(view->marketTime, end);
    QCOMPARE(view->lastSequence, firstEvents.back().sequence);
}

QTEST_GUILESS_MAIN(TrainingResumeTest)
#include "tst_training_resume.moc"

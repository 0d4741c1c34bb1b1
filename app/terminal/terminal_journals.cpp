#include "terminal_journals.h"

#include "formatting.h"
#include "journal_history.h"
#include "journaled_run.h"
#include "logging.h"
#include "read_model_follower.h"
#include "read_models.h"
#include "training_record.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>

#include <algorithm>
#include <utility>

namespace bourse::app {

namespace {

const QString kSimulationPrefix = QStringLiteral("simulation-");

// The terminal's market runs a batch about every millisecond. Committing every 20 ms instead
// of every batch cuts the syncs fifty-fold, and an acknowledgement lags by 20 ms at most while
// the market plays.
constexpr std::chrono::milliseconds kHandOverInterval{20};

// A new file in `directory` named after the mode and the start time in UTC, with a number
// added when a run of the same millisecond took the name already. The names sort by start time.
QString newJournalPath(const QDir &directory, SessionMode mode)
{
    const QString prefix =
        mode == SessionMode::Simulation ? kSimulationPrefix : QStringLiteral("replay-");
    const QString stamp =
        QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss-zzz"));
    const QString base = prefix + stamp + QStringLiteral("Z");
    QString path = directory.filePath(base + QStringLiteral(".sqlite"));
    for (int number = 2; QFileInfo::exists(path); ++number)
        path = directory.filePath(base + QLatin1Char('-') + QString::number(number) +
                                  QStringLiteral(".sqlite"));
    return path;
}

// Stands in for the journal of a run whose journal could not be opened, so that the window shows
// why the run is not journaled, as it shows a journal that fails later.
class UnjournaledRun final : public EventHandler {
public:
    explicit UnjournaledRun(std::string reason)
        : m_reason(std::move(reason))
    {
    }
    void onEvent(const Event &) override {}
    std::string failure() const override { return m_reason; }

private:
    std::string m_reason;
};

// Opens the run's journal: the continued one, or a new file in `directory`.
std::unique_ptr<storage::JournalWriter>
openRunJournal(const QString &directory, const Session::RunContext &context,
               std::unique_ptr<storage::JournalWriterLock> adoptedLock, QString &path,
               std::string &problem)
{
    if (context.continuedJournal.empty()) {
        if (!QDir().mkpath(directory)) {
            problem = "cannot create the journal folder " + directory.toStdString() +
                      ", so this run is not journaled";
            qCWarning(lcJournal).noquote() << QString::fromStdString(problem);
            return nullptr;
        }
        path = newJournalPath(QDir(directory), context.mode);
    } else {
        path = QString::fromStdString(context.continuedJournal);
    }
    const bool lockFits = adoptedLock && adoptedLock->journalPath() == path.toStdString();
    auto created = lockFits ? storage::JournalWriter::create(std::move(adoptedLock))
                            : storage::JournalWriter::create(path.toStdString());
    if (!created.writer) {
        problem = "this run is not journaled: " + created.error->toString();
        qCWarning(lcJournal).noquote() << QString::fromStdString(problem);
    }
    return std::move(created.writer);
}

// A replayed day's book comes from exchange messages, its prices have another scale, and its
// order ids would collide with the simulator's: it can be replayed again, not continued.
std::optional<std::string> whyNotContinuable(const QString &path, const Engine &engine)
{
    bool replayed = QFileInfo(path).fileName().startsWith(QStringLiteral("replay-"));
    for (const Side side : {Side::Buy, Side::Sell}) {
        engine.book().forEachOrder(side, [&replayed](const Order &order) {
            replayed = replayed || order.origin != OrderOrigin::OrderEntry;
        });
    }
    if (!replayed)
        return std::nullopt;
    return "it is the journal of a replayed day, which cannot go on as a simulated market; "
           "replay the day again with --lobster, or read the journal with bourse-engine journal";
}

QString count(std::uint64_t value)
{
    return ui::formatCount(static_cast<std::int64_t>(value));
}

// Reads the trader's events back from the journal's end, so that the blotter and the risk
// notices start as they were before the restart. What stops the reading early goes to
// `problem`: the blotter then starts with part of its orders, or only with the working ones.
std::vector<Event> readTraderEvents(const QString &path, const Engine &engine,
                                    std::optional<std::string> &problem)
{
    QElapsedTimer timer;
    timer.start();
    storage::JournalHistory::Opened opened = storage::JournalHistory::open(path.toStdString());
    if (!opened.history) {
        problem = "cannot read the trader's orders back: " + opened.error->toString();
        qCWarning(lcJournal).noquote() << QString::fromStdString(*problem);
        return {};
    }
    TraderHistory history = readTraderHistory(*opened.history, engine, Session::traderAccounts());
    if (!history.error.empty()) {
        problem = "reading the trader's orders back stopped at event " +
                  std::to_string(history.oldestRead) + ": " + history.error;
        qCWarning(lcJournal).noquote() << QString::fromStdString(*problem);
    } else if (!history.complete) {
        problem = "the trader's orders are read back to event " +
                  std::to_string(history.oldestRead) + " only, the last " +
                  std::to_string(history.eventsRead) + " events";
        qCWarning(lcJournal).noquote() << QString::fromStdString(*problem);
    }
    qCInfo(lcJournal).noquote() << "read" << history.eventsRead << "events of" << path
                                << "back to event" << history.oldestRead << "in" << timer.elapsed()
                                << "ms and kept" << history.events.size() << "of the trader's";
    return std::move(history.events);
}

// The time of the journal's last event, read from its newest chunk. Zero when it cannot be read:
// the continued market then estimates it from its views' history.
Timestamp lastEventTime(const QString &path)
{
    storage::JournalHistory::Opened opened = storage::JournalHistory::open(path.toStdString());
    std::vector<Event> newest;
    if (!opened.history || !opened.history->readOlder(newest) || newest.empty())
        return Timestamp{};
    return newest.back().time;
}

// The newest training record of the journal, if it has one. A record that cannot be decoded goes
// to `problem`, and the journal then continues as a plain simulation, which the notice reports.
// A record that fails its checksum or link checks is damage that resumeJournal() reports before
// this runs, through the full check of recoverEngine().
std::optional<training::TrainingRecord> readTrainingRecord(const QString &path,
                                                           std::optional<std::string> &problem)
{
    storage::JournalReader::Opened opened = storage::JournalReader::open(path.toStdString());
    if (!opened.reader)
        return std::nullopt;
    std::optional<storage::JournalError> error;
    const std::vector<storage::JournalRecord> records = opened.reader->records(error);
    if (error)
        problem = "a record of the journal is damaged: " + error->toString();
    for (auto record = records.rbegin(); record != records.rend(); ++record) {
        if (record->kind != training::kTrainingRecordKind)
            continue;
        std::string decodeError;
        std::optional<training::TrainingRecord> decoded =
            training::decodeTrainingRecord(record->body, decodeError);
        if (!decoded)
            problem = "the journal's training record is invalid: " + decodeError;
        return decoded;
    }
    return std::nullopt;
}

} // namespace

void AccountsSlot::publish(std::shared_ptr<const ui::AccountsView> view)
{
    std::shared_ptr<const ui::AccountsView> previous;
    std::lock_guard lock(m_mutex);
    previous = std::exchange(m_view, std::move(view));
}

std::shared_ptr<const ui::AccountsView> AccountsSlot::latest() const
{
    std::lock_guard lock(m_mutex);
    return m_view;
}

TerminalJournals::TerminalJournals(QString directory, std::uint64_t snapshotEvery)
    : m_directory(std::move(directory))
    , m_snapshotEvery(snapshotEvery)
{
}

Session::RunHandlerFactory TerminalJournals::runHandlerFactory()
{
    return [directory = m_directory, snapshotEvery = m_snapshotEvery, accounts = m_accounts,
            progress = m_progress](const Session::RunContext &context) {
        std::vector<std::unique_ptr<EventHandler>> handlers;
        // The previous run, stopped by now, showed its own accounts and progress.
        accounts->publish(nullptr);
        {
            std::lock_guard guard(progress->durableMutex);
            ++progress->run;
        }
        progress->journaled = false;
        {
            std::lock_guard guard(progress->pathMutex);
            progress->path.clear();
        }
        QString path;
        std::string problem;
        std::unique_ptr<storage::JournalWriterLock> adoptedLock;
        {
            std::lock_guard guard(progress->lockMutex);
            adoptedLock = std::move(progress->adoptedLock);
        }
        std::unique_ptr<storage::JournalWriter> writer =
            openRunJournal(directory, context, std::move(adoptedLock), path, problem);
        if (!writer) {
            handlers.push_back(std::make_unique<UnjournaledRun>(std::move(problem)));
            return handlers;
        }
        // The previous run's writer may commit once more as it closes, after this point: only
        // the listener of the latest run moves the figure.
        std::uint64_t run = 0;
        {
            std::lock_guard guard(progress->durableMutex);
            run = ++progress->run;
            progress->durable = writer->committedSequence();
        }
        progress->journaled = true;
        {
            std::lock_guard guard(progress->pathMutex);
            progress->path = path.toStdString();
        }
        writer->setCommitListener([progress, run](SequenceNumber committed) {
            std::lock_guard guard(progress->durableMutex);
            if (progress->run == run)
                progress->durable = committed;
        });
        // Written before the run's first event, so that even a journal cut short at once
        // continues as the training scenario it began.
        if (!context.trainingRecord.empty())
            writer->writeRecord(training::kTrainingRecordKind, context.trainingRecord);
        qCInfo(lcJournal).noquote()
            << "journal of" << QString::fromStdString(context.source) << "in" << path;
        handlers.push_back(std::make_unique<JournaledRun>(std::move(writer), context.engine,
                                                          snapshotEvery, context.lastSnapshot,
                                                          kHandOverInterval));
        handlers.push_back(std::make_unique<ReadModelFollower>(path.toStdString(), accounts));
        return handlers;
    };
}

std::shared_ptr<const ui::AccountsView> TerminalJournals::latestAccounts() const
{
    return m_accounts->latest();
}

void TerminalJournals::adoptLock(std::unique_ptr<storage::JournalWriterLock> lock)
{
    std::lock_guard guard(m_progress->lockMutex);
    m_progress->adoptedLock = std::move(lock);
}

std::optional<SequenceNumber> TerminalJournals::durableSequence() const
{
    if (!m_progress->journaled)
        return std::nullopt;
    return m_progress->durable.load();
}

std::vector<Event> TerminalJournals::readEvents(SequenceNumber first, std::size_t count) const
{
    std::string path;
    {
        std::lock_guard guard(m_progress->pathMutex);
        path = m_progress->path;
    }
    std::vector<Event> events;
    if (path.empty() || count == 0)
        return events;

    storage::JournalReader::Opened opened = storage::JournalReader::open(path);
    if (!opened.reader) {
        qCWarning(lcJournal).noquote() << "cannot read the journal's history:"
                                       << QString::fromStdString(opened.error->toString());
        return events;
    }
    storage::JournalReader &reader = *opened.reader;
    std::optional<storage::JournalError> error;
    // Snapshots come newest first. Starting after the newest one before `first` skips the
    // events before it; a failure to start shows in reader.error().
    const std::vector<storage::SnapshotInfo> snapshots = reader.snapshots(error);
    const auto start = std::find_if(
        snapshots.begin(), snapshots.end(),
        [first](const storage::SnapshotInfo &snapshot) { return snapshot.sequence < first; });
    if (start != snapshots.end())
        reader.startAfter(start->sequence, start->chainHash);
    while (events.size() < count && !reader.error()) {
        std::optional<Event> event = reader.next();
        if (!event)
            break;
        if (event->sequence >= first)
            events.push_back(std::move(*event));
    }
    if (const std::optional<storage::JournalError> &failure = reader.error(); failure || error) {
        qCWarning(lcJournal).noquote()
            << "reading the journal's history stopped:"
            << QString::fromStdString((failure ? *failure : *error).toString());
    }
    return events;
}

std::optional<QString> TerminalJournals::currentJournal() const
{
    std::lock_guard guard(m_progress->pathMutex);
    if (m_progress->path.empty())
        return std::nullopt;
    return QString::fromStdString(m_progress->path);
}

std::optional<QString> TerminalJournals::newestSimulationJournal() const
{
    const QStringList names =
        QDir(m_directory)
            .entryList({kSimulationPrefix + QStringLiteral("*.sqlite")}, QDir::Files, QDir::Name);
    if (names.isEmpty())
        return std::nullopt;
    return QDir(m_directory).filePath(names.constLast());
}

Resumption resumeJournal(const QString &path, const Session::Options &options)
{
    Resumption resumption;
    // A journal another process writes to cannot be continued here. The lock stays taken until
    // the run's journal writer adopts it, so no other writer can come in between.
    if (QFileInfo(path).isFile()) {
        storage::JournalWriterLock::Acquired lock =
            storage::JournalWriterLock::acquire(path.toStdString());
        if (!lock.lock) {
            resumption.error = lock.error;
            return resumption;
        }
        resumption.lock = std::move(lock.lock);
    }
    RecoveredEngine recovered = recoverEngine(path.toStdString(), JournalCheck::EveryEvent);
    resumption.report = recovered.report;
    if (!recovered.engine) {
        resumption.error = recovered.error;
        resumption.intactThrough = recovered.intactThrough;
        resumption.damagedSnapshot = recovered.damagedSnapshot;
        return resumption;
    }

    if (std::optional<std::string> reason = whyNotContinuable(path, *recovered.engine)) {
        resumption.notContinuable = std::move(reason);
        return resumption;
    }

    Session::Continuation continuation;
    continuation.journal = path.toStdString();
    continuation.lastSnapshot = recovered.report.snapshotSequence;
    if (recovered.engine->lastSequence() == 0) {
        // A journal cut short before its first event, as by a kill right after the start,
        // continues as a new market would start: on a fresh book of the simulated instrument.
        recovered.engine = std::make_unique<Engine>(InstrumentId{1});
    }
    const InstrumentId instrument = recovered.engine->instrument();
    continuation.engine = std::move(recovered.engine);
    if (continuation.engine->lastSequence() > 0)
        continuation.traderHistory =
            readTraderEvents(path, *continuation.engine, resumption.traderHistoryProblem);

    ViewsHistory history = readViewsHistory(path.toStdString(), continuation.engine->lastSequence(),
                                            instrument, options);
    if (history.problem)
        resumption.historyProblem = history.problem;
    if (history.lostEvents) {
        resumption.lostEvents = history.lostEvents;
        qCWarning(lcJournal).noquote()
            << "the journal" << path << "lost events its read models had seen:"
            << QString::fromStdString(*history.lostEvents);
    }
    continuation.bars = std::move(history.bars);
    continuation.recentTrades = std::move(history.trades);
    continuation.positions = std::move(history.positions);
    if (continuation.engine->lastSequence() > 0)
        continuation.lastEventTime = lastEventTime(path);
    resumption.continuation = std::move(continuation);
    resumption.training = readTrainingRecord(path, resumption.trainingProblem);
    return resumption;
}

QString describeResumption(const QString &path, const Resumption &resumption)
{
    const RecoveryReport &report = resumption.report;
    // Problems come first, since a long note is cut in the middle.
    QString text;
    // The market then continues as a plain simulation, which the trader must not mistake for
    // the scenario.
    if (resumption.trainingProblem)
        text += QObject::tr("TRAINING SCENARIO NOT CONTINUED: %1; ")
                    .arg(QString::fromStdString(*resumption.trainingProblem));
    if (resumption.lostEvents)
        text +=
            QObject::tr("EVENTS LOST: %1; ").arg(QString::fromStdString(*resumption.lostEvents));
    for (const std::string &skipped : report.skippedSnapshots)
        text += QObject::tr("skipped %1; ").arg(QString::fromStdString(skipped));
    text += QObject::tr("Continued at event %1").arg(count(report.lastSequence));
    if (report.snapshotSequence > 0)
        text += QObject::tr(" (snapshot %1 + %2 events)")
                    .arg(count(report.snapshotSequence), count(report.tailEvents));
    else
        text += QObject::tr(" (full replay)");
    if (resumption.historyProblem)
        text += QObject::tr("; chart and tape start empty: %1")
                    .arg(QString::fromStdString(*resumption.historyProblem));
    if (resumption.traderHistoryProblem)
        text += QObject::tr("; blotter incomplete: %1")
                    .arg(QString::fromStdString(*resumption.traderHistoryProblem));
    return text + QObject::tr(" \u2014 %1").arg(QDir::toNativeSeparators(path));
}

} // namespace bourse::app

#include "terminal_journals.h"

#include "journaled_run.h"
#include "logging.h"
#include "read_model_follower.h"
#include "read_models.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QLocale>

#include <future>

#include <utility>

namespace bourse::app {

namespace {

const QString kSimulationPrefix = QStringLiteral("simulation-");

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

// Opens the run's journal: the continued one, or a new file in `directory`.
std::unique_ptr<storage::JournalWriter>
openRunJournal(const QString &directory, const Session::RunContext &context, QString &path)
{
    if (context.continuedJournal.empty()) {
        if (!QDir().mkpath(directory)) {
            qCWarning(lcJournal) << "cannot create the journal folder" << directory
                                 << "; this run is not journaled";
            return nullptr;
        }
        path = newJournalPath(QDir(directory), context.mode);
    } else {
        path = QString::fromStdString(context.continuedJournal);
    }
    auto created = storage::JournalWriter::create(path.toStdString());
    if (!created.writer) {
        qCWarning(lcJournal).noquote() << "cannot open a journal, so this run is not journaled:"
                                       << QString::fromStdString(created.error->toString());
    }
    return std::move(created.writer);
}

// Reads every event of the journal, which checks each checksum and the whole hash chain. A
// restart reads only the events after the newest snapshot, so damage before it would go unseen.
std::optional<storage::JournalError> checkEveryEvent(const std::string &path)
{
    storage::JournalReader::Opened opened = storage::JournalReader::open(path);
    if (!opened.reader)
        return opened.error;
    while (opened.reader->next()) {
    }
    return opened.reader->error();
}

QString count(std::uint64_t value)
{
    return QLocale(QLocale::English).toString(static_cast<qulonglong>(value));
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
        progress->journaled = false;
        QString path;
        std::unique_ptr<storage::JournalWriter> writer = openRunJournal(directory, context, path);
        if (!writer)
            return handlers;
        progress->durable = writer->committedSequence();
        progress->journaled = true;
        writer->setCommitListener(
            [progress](SequenceNumber committed) { progress->durable = committed; });
        qCInfo(lcJournal).noquote()
            << "journal of" << QString::fromStdString(context.source) << "in" << path;
        handlers.push_back(std::make_unique<JournaledRun>(std::move(writer), context.engine,
                                                          snapshotEvery, context.lastSnapshot));
        handlers.push_back(std::make_unique<ReadModelFollower>(path.toStdString(), accounts));
        return handlers;
    };
}

std::shared_ptr<const ui::AccountsView> TerminalJournals::latestAccounts() const
{
    return m_accounts->latest();
}

std::optional<SequenceNumber> TerminalJournals::durableSequence() const
{
    if (!m_progress->journaled)
        return std::nullopt;
    return m_progress->durable.load();
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
    // The whole journal is checked on the second core while the engine is rebuilt, so the
    // check adds little to the time a restart takes.
    std::future<std::optional<storage::JournalError>> checked =
        std::async(std::launch::async, checkEveryEvent, path.toStdString());
    RecoveredEngine recovered = recoverEngine(path.toStdString());
    std::optional<storage::JournalError> damage = checked.get();
    resumption.report = recovered.report;
    if (!recovered.engine || damage) {
        resumption.error = damage ? damage : recovered.error;
        return resumption;
    }

    Session::Continuation continuation;
    continuation.journal = path.toStdString();
    continuation.lastSnapshot = recovered.report.snapshotSequence;
    const InstrumentId instrument = recovered.engine->instrument();
    continuation.engine = std::move(recovered.engine);

    ViewsHistory history = readViewsHistory(path.toStdString(), instrument, options);
    if (history.problem)
        resumption.historyProblem = history.problem;
    continuation.bars = std::move(history.bars);
    continuation.recentTrades = std::move(history.trades);
    resumption.continuation = std::move(continuation);
    return resumption;
}

QString describeResumption(const QString &path, const Resumption &resumption)
{
    const RecoveryReport &report = resumption.report;
    QString text = QObject::tr("Continued at event %1").arg(count(report.lastSequence));
    if (report.snapshotSequence > 0)
        text += QObject::tr(" (snapshot %1 + %2 events)")
                    .arg(count(report.snapshotSequence), count(report.tailEvents));
    else
        text += QObject::tr(" (full replay)");
    for (const std::string &skipped : report.skippedSnapshots)
        text += QObject::tr("; skipped %1").arg(QString::fromStdString(skipped));
    if (resumption.historyProblem)
        text += QObject::tr("; chart and tape start empty: %1")
                    .arg(QString::fromStdString(*resumption.historyProblem));
    return text + QObject::tr(" \u2014 %1").arg(QDir::toNativeSeparators(path));
}

} // namespace bourse::app

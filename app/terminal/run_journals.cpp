#include "run_journals.h"

#include "journal.h"
#include "journaled_run.h"
#include "logging.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>

namespace bourse::app {

namespace {

// A new file in `directory` named after the mode and the start time in UTC, with a number
// added when a run of the same millisecond took the name already.
QString newJournalPath(const QDir &directory, SessionMode mode)
{
    const QString prefix =
        mode == SessionMode::Simulation ? QStringLiteral("simulation") : QStringLiteral("replay");
    const QString stamp =
        QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss-zzz"));
    const QString base = prefix + QLatin1Char('-') + stamp + QStringLiteral("Z");
    QString path = directory.filePath(base + QStringLiteral(".sqlite"));
    for (int number = 2; QFileInfo::exists(path); ++number)
        path = directory.filePath(base + QLatin1Char('-') + QString::number(number) +
                                  QStringLiteral(".sqlite"));
    return path;
}

} // namespace

Session::RunHandlerFactory makeRunJournals(const QString &directory)
{
    return [directory](SessionMode mode, const std::string &source, const Engine &engine) {
        std::vector<std::unique_ptr<EventHandler>> handlers;
        if (!QDir().mkpath(directory)) {
            qCWarning(lcJournal) << "cannot create the journal folder" << directory
                                 << "; this run is not journaled";
            return handlers;
        }

        const QString path = newJournalPath(QDir(directory), mode);
        auto created = storage::JournalWriter::create(path.toStdString());
        if (!created.writer) {
            qCWarning(lcJournal).noquote() << "cannot create a journal, so this run is not "
                                              "journaled:"
                                           << QString::fromStdString(created.error->toString());
            return handlers;
        }
        qCInfo(lcJournal).noquote()
            << "journal of" << QString::fromStdString(source) << "in" << path;
        handlers.push_back(std::make_unique<JournaledRun>(std::move(created.writer), engine));
        return handlers;
    };
}

} // namespace bourse::app

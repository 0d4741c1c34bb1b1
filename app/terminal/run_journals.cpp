#include "run_journals.h"

#include "journal.h"
#include "logging.h"

#include <QDateTime>
#include <QDir>

namespace bourse::app {

namespace {

QString journalFileName(SessionMode mode)
{
    const QString prefix =
        mode == SessionMode::Simulation ? QStringLiteral("simulation") : QStringLiteral("replay");
    const QString stamp =
        QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss-zzz"));
    return prefix + QLatin1Char('-') + stamp + QStringLiteral(".sqlite");
}

} // namespace

Session::RunHandlerFactory makeRunJournals(const QString &directory)
{
    return [directory](SessionMode mode, const std::string &source) {
        std::vector<std::unique_ptr<EventHandler>> handlers;
        if (!QDir().mkpath(directory)) {
            qCWarning(lcJournal) << "cannot create the journal folder" << directory
                                 << "; this run is not journaled";
            return handlers;
        }

        const QString path = QDir(directory).filePath(journalFileName(mode));
        auto created = storage::JournalWriter::create(path.toStdString());
        if (!created.writer) {
            qCWarning(lcJournal).noquote() << "cannot create a journal, so this run is not "
                                              "journaled:"
                                           << QString::fromStdString(created.error->toString());
            return handlers;
        }
        qCInfo(lcJournal).noquote()
            << "journal of" << QString::fromStdString(source) << "in" << path;
        handlers.push_back(std::move(created.writer));
        return handlers;
    };
}

} // namespace bourse::app

#include "session_report.h"

#include "logging.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QProcess>
#include <QStandardPaths>
#include <QUrl>
#include <QWidget>

namespace bourse::app {

ReportCommand sessionReportCommand(const QString &terminalDirectory, const QString &journal,
                                   const QString &output)
{
    return ReportCommand{QDir(terminalDirectory).filePath(QStringLiteral("bourse-engine")),
                         {QStringLiteral("report"), journal, QStringLiteral("--output"), output}};
}

void writeSessionReport(QWidget &window, const QString &journal)
{
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString suggested = QDir(folder).filePath(
        QStringLiteral("bourse-report-%1.html")
            .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))));
    const QString output =
        QFileDialog::getSaveFileName(&window, QObject::tr("Save the session report"), suggested,
                                     QObject::tr("HTML files (*.html)"));
    if (output.isEmpty())
        return;

    const ReportCommand command =
        sessionReportCommand(QCoreApplication::applicationDirPath(), journal, output);
    // In the background: a journal of millions of events takes seconds to read.
    auto *process = new QProcess(&window);
    QObject::connect(process, &QProcess::finished, &window,
                     [process, output, &window](int exitCode, QProcess::ExitStatus status) {
                         process->deleteLater();
                         if (status == QProcess::NormalExit && exitCode == 0) {
                             qCInfo(lcUi).noquote() << "session report written to" << output;
                             QDesktopServices::openUrl(QUrl::fromLocalFile(output));
                             return;
                         }
                         const QString message =
                             QString::fromLocal8Bit(process->readAllStandardError()).trimmed();
                         QMessageBox::warning(
                             &window, QObject::tr("Session report"),
                             QObject::tr("The report could not be written.\n\n%1")
                                 .arg(message.isEmpty() ? process->errorString() : message));
                     });
    QObject::connect(process, &QProcess::errorOccurred, &window,
                     [process, &window, program = command.program](QProcess::ProcessError error) {
                         if (error != QProcess::FailedToStart)
                             return;
                         process->deleteLater();
                         QMessageBox::warning(
                             &window, QObject::tr("Session report"),
                             QObject::tr("%1 could not be started: %2")
                                 .arg(QDir::toNativeSeparators(program), process->errorString()));
                     });
    process->start(command.program, command.arguments);
}

} // namespace bourse::app

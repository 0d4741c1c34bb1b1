#pragma once

#include <QString>
#include <QStringList>

class QWidget;

namespace bourse::app {

// The command that writes the report of `journal` to `output`: bourse-engine, beside the
// terminal's own executable, run as `report JOURNAL --output FILE`.
struct ReportCommand {
    QString program;
    QStringList arguments;
};
ReportCommand sessionReportCommand(const QString &terminalDirectory, const QString &journal,
                                   const QString &output);

// Asks where to save the report of `journal`, writes it with bourse-engine in the background,
// and opens it in the desktop's browser. The window stays usable meanwhile; a failure shows
// bourse-engine's message.
void writeSessionReport(QWidget &window, const QString &journal);

} // namespace bourse::app

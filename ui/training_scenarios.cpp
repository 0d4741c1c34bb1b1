#include "training_scenarios.h"

#include <QCoreApplication>
#include <QDir>
#include <QStandardPaths>
#include <QStringList>

namespace bourse::ui {

QString trainingScenarioFolder()
{
    QStringList candidates;
    candidates.append(qEnvironmentVariable("BOURSE_SCENARIO_DIR"));
    candidates.append(QStandardPaths::locate(QStandardPaths::GenericDataLocation,
                                             QStringLiteral("bourse/scenarios"),
                                             QStandardPaths::LocateDirectory));
    candidates.append(QCoreApplication::applicationDirPath() +
                      QStringLiteral("/../share/bourse/scenarios"));
    candidates.append(QStringLiteral(BOURSE_SOURCE_SCENARIO_DIR));
    for (const QString &candidate : candidates) {
        if (!candidate.isEmpty() && QDir(candidate).exists())
            return QDir(candidate).canonicalPath();
    }
    return {};
}

} // namespace bourse::ui

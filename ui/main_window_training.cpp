// The window's part of training: starting a training scenario's market and the instructor
// panel that controls it.

#include "main_window.h"

#include "instructor_panel.h"
#include "logging.h"
#include "replay_toolbar.h"
#include "scenario_training.h"
#include "session_status_bar.h"
#include "training_scenarios.h"
#include "workspace_docks.h"

#include <QDockWidget>
#include <QFileDialog>
#include <QLayout>
#include <QMessageBox>
#include <QTimer>

#include <algorithm>

namespace bourse::ui {

std::optional<QString> MainWindow::startTraining(const QString &path,
                                                 std::optional<std::uint64_t> seed, double speed)
{
    const training::TrainingParseResult parsed = training::loadTrainingScenario(path.toStdString());
    if (!parsed.ok()) {
        QStringList errors;
        for (const scenario::ParseError &error : parsed.errors)
            errors.append(QString::fromStdString(error.toString()));
        return errors.join(QLatin1Char('\n'));
    }
    const std::uint64_t chosen = seed.value_or(parsed.scenario.seed);
    auto session = makeSession(SessionMode::Simulation);
    session->startTraining(chosen, parsed.scenario.options);
    session->setSpeed(speed);
    qCInfo(lcUi) << "training scenario" << path << "started with seed" << chosen;

    installSession(std::move(session), SessionMode::Simulation);
    m_statusBar->setSimulationSeed(chosen);
    m_toolBar->setSpeed(speed);
    m_instructor->setScenario(parsed.scenario);
    showInstructor();
    return std::nullopt;
}

// Raises the instructor's tab and enlarges the dock to the panel's preferred size, so the event
// list and the injection controls show whole. It takes at most 45% of the window's width and
// 70% of its height, and a dock already larger keeps its size.
void MainWindow::showInstructor()
{
    QDockWidget *dock = m_docks->dock(QString::fromLatin1(kInstructorDock));
    if (!dock)
        return;
    PanelDocks::focusDock(*dock);

    // The workspace applies its shares on the first pass of the event loop after the window
    // shows, so the widening waits for that pass to come after it.
    QTimer::singleShot(0, this, [this, dock] {
        if (dock->isFloating() || !dock->isVisible())
            return;
        const QSize hint = m_instructor->sizeHint();
        const int preferredWidth = std::min(hint.width() + 24, width() * 45 / 100);
        const int preferredHeight = std::min(hint.height() + 48, height() * 70 / 100);
        // NOTE: with several columns, QMainWindow::resizeDocks() moves the separator only part
        // of the way (Qt 6.4: 436 of 503 pixels at 1400x850), so it repeats a few times.
        for (int attempt = 0; attempt < 4 && dock->width() < preferredWidth - 2; ++attempt) {
            resizeDocks({dock}, {preferredWidth}, Qt::Horizontal);
            layout()->activate();
        }
        for (int attempt = 0; attempt < 4 && dock->height() < preferredHeight - 2; ++attempt) {
            resizeDocks({dock}, {preferredHeight}, Qt::Vertical);
            layout()->activate();
        }
    });
}

void MainWindow::openTrainingScenario()
{
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open training scenario"), trainingScenarioFolder(),
                                     tr("Training scenarios (*.scenario);;All files (*)"));
    if (path.isEmpty())
        return;
    if (const std::optional<QString> error = startTraining(path, std::nullopt, m_toolBar->speed()))
        QMessageBox::warning(this, tr("Open training scenario"),
                             tr("The training scenario cannot start:\n%1").arg(*error));
}

} // namespace bourse::ui

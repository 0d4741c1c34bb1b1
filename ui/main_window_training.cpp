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

namespace {

QString errorLines(const training::TrainingParseResult &parsed)
{
    QStringList errors;
    for (const scenario::ParseError &error : parsed.errors)
        errors.append(QString::fromStdString(error.toString()));
    return errors.join(QLatin1Char('\n'));
}

// The session's form of a parsed scenario, with the record its journal keeps when `record` is
// set. The scenario ends `lengthNanoseconds` after its start, or never for a length of zero.
Session::Training sessionTraining(const training::TrainingScenario &scenario,
                                  std::string record = {})
{
    Session::Training training{scenario.options, {}, std::move(record)};
    if (scenario.lengthNanoseconds > 0)
        training.end = Timestamp{scenario.options.startTime.value() + scenario.lengthNanoseconds};
    return training;
}

} // namespace

std::optional<QString> MainWindow::startTraining(const QString &path,
                                                 std::optional<std::uint64_t> seed, double speed)
{
    const training::TrainingParseResult parsed = training::loadTrainingScenario(path.toStdString());
    if (!parsed.ok())
        return errorLines(parsed);
    const std::uint64_t chosen = seed.value_or(parsed.scenario.seed);
    auto session = makeSession(SessionMode::Simulation);
    const std::string record =
        training::encodeTrainingRecord(training::recordOf(parsed.scenario, chosen));
    session->startTraining(chosen, sessionTraining(parsed.scenario, record));
    session->setSpeed(speed);
    qCInfo(lcUi) << "training scenario" << path << "started with seed" << chosen;

    installSession(std::move(session), SessionMode::Simulation);
    m_statusBar->setSimulationSeed(chosen);
    m_toolBar->setSpeed(speed);
    m_instructor->setScenario(parsed.scenario);
    connectInstructor();
    showInstructor();
    return std::nullopt;
}

std::optional<QString> MainWindow::resumeTraining(const training::TrainingRecord &record,
                                                  Session::Continuation &continuation, double speed)
{
    const training::TrainingParseResult parsed = training::parseRecordedScenario(record);
    if (!parsed.ok())
        return errorLines(parsed);
    const SequenceNumber from = continuation.engine ? continuation.engine->lastSequence() : 0;
    auto session = makeSession(SessionMode::Simulation);
    session->resumeTraining(record.seed, sessionTraining(parsed.scenario), std::move(continuation));
    session->setSpeed(speed);
    qCInfo(lcUi) << "training scenario" << QString::fromStdString(record.fileName)
                 << "resumed after sequence" << from << "with seed" << record.seed;

    installSession(std::move(session), SessionMode::Simulation);
    m_statusBar->setSimulationSeed(record.seed);
    m_toolBar->setSpeed(speed);
    m_instructor->setScenario(parsed.scenario);
    connectInstructor();
    showInstructor();
    return std::nullopt;
}

// The status bar repeats the instructor's notice that the scenario ended, so that it shows with
// the dock closed too.
void MainWindow::connectInstructor()
{
    // The new session may have published a view before the panel knew the scenario, and a
    // market continued after its scenario's end publishes no other.
    if (const std::shared_ptr<const MarketView> view = m_session->latestView())
        m_instructor->showView(view);
    connect(m_instructor, &InstructorPanel::scenarioEnded, this, &MainWindow::showNotice,
            Qt::UniqueConnection);
}

// Raises the instructor's tab and enlarges it, so the event list and the injection controls
// show whole.
void MainWindow::showInstructor()
{
    raiseAndEnlargeDock(kInstructorDock, *m_instructor, 70);
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

// The Bourse terminal. Without options it opens on a simulated market. --lobster replays a
// recorded day instead, --connect trades on a `bourse-engine serve`, and --host serves the
// terminal's market to peer terminals. --screenshot saves an
// image of the window and exits, so the window can be checked without a person at the screen,
// and --bench-ui measures the window under a fast simulated market.

#include "command_line.h"
#include "engine_list.h"
#include "feed_list.h"
#include "feed_subscriber.h"
#include "host_settings.h"
#include "journal_feed.h"
#include "journal_repair.h"
#include "logging.h"
#include "main_window.h"
#include "multi_link.h"
#include "remote_link.h"
#include "remote_settings.h"
#include "session_report.h"
#include "terminal_journals.h"
#include "theme.h"
#include "ui_benchmark.h"
#include "workspace_manager.h"

#include <QApplication>
#include <QFileInfo>
#include <QIcon>
#include <QImageWriter>
#include <QMessageBox>
#include <QPushButton>
#include <QRandomGenerator>
#include <QScreen>
#include <QTimer>

#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include <fcntl.h>
#include <unistd.h>

namespace {

constexpr int exitFailure = 1;
constexpr int exitUsage = 2;

// Prints each line of `message` with the program's name in front, as a list of errors (such as
// those of a training scenario) needs.
void printError(const QString &message)
{
    for (const QString &line : message.split(QLatin1Char('\n')))
        std::fprintf(stderr, "bourse: %s\n", qPrintable(line));
}

QStringList argumentsOf(int argc, char *argv[])
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    return arguments;
}

// Saves the window as a PNG after the delay and quits with 0, or with 1 and a message when the
// file cannot be written. The exit code is also stored in `exitCode`, because a screenshot
// taken while a dialog of the start runs ends only that dialog's loop: main() must not enter
// its own loop afterwards.
void scheduleScreenshot(QMainWindow &window, const bourse::app::TerminalOptions &options,
                        std::optional<int> &exitCode)
{
    QTimer::singleShot(options.screenshotDelayMilliseconds, &window, [&window, options, &exitCode] {
        // The whole screen, so that a dialog over the window shows too; a platform without one
        // (offscreen) gives the window alone.
        QPixmap image;
        if (QScreen *screen = QGuiApplication::primaryScreen())
            image = screen->grabWindow(0);
        if (image.isNull())
            image = window.grab();
        QImageWriter writer(options.screenshotPath, "png");
        if (!writer.write(image.toImage())) {
            printError(QStringLiteral("cannot write the screenshot %1: %2")
                           .arg(options.screenshotPath, writer.errorString()));
            exitCode = exitFailure;
            QCoreApplication::exit(exitFailure);
            return;
        }
        exitCode = 0;
        QCoreApplication::exit(0);
    });
}

// The write end of the pipe that turns SIGTERM and SIGINT into a quit of the event loop. A signal
// handler may only do async-signal-safe work, such as write().
int signalPipeWriteEnd = -1;
// Set once a signal asked to quit; a quit during a dialog of the start ends only that dialog.
bool terminationRequested = false;

void onTerminationSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(signalPipeWriteEnd, &byte, 1);
}

// Makes SIGTERM and SIGINT quit the application the way closing the window does, so the session
// stops, the journal stores its final snapshot and closes, and nothing acknowledged is lost.
void quitOnTerminationSignals(QObject &parent)
{
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC | O_NONBLOCK) != 0)
        return;
    signalPipeWriteEnd = ends[1];
    auto *notifier = new QSocketNotifier(ends[0], QSocketNotifier::Read, &parent);
    QObject::connect(notifier, &QSocketNotifier::activated, &parent, [readEnd = ends[0]] {
        char byte = 0;
        while (::read(readEnd, &byte, 1) > 0) {
        }
        terminationRequested = true;
        // QCoreApplication::quit() does nothing before exec() runs, so a dialog of the start,
        // such as the one about a damaged journal, is closed as its Quit or Escape would.
        if (QWidget *dialog = QApplication::activeModalWidget())
            dialog->close();
        QCoreApplication::quit();
    });
    std::signal(SIGTERM, onTerminationSignal);
    std::signal(SIGINT, onTerminationSignal);
}

std::uint64_t seedFor(const bourse::app::TerminalOptions &options)
{
    return options.seed.value_or(QRandomGenerator::global()->generate64());
}

// Whether an error is damage in the journal's content, which recovery repairs, rather than a
// file that cannot be opened or is no journal at all.
bool isDamage(bourse::storage::JournalErrorKind kind)
{
    using Kind = bourse::storage::JournalErrorKind;
    for (const Kind damage :
         {Kind::DatabaseCorrupt, Kind::MalformedRow, Kind::SequenceGap, Kind::ChecksumMismatch,
          Kind::ChainBroken, Kind::UndecodablePayload, Kind::TailMismatch, Kind::MetadataDamaged}) {
        if (kind == damage)
            return true;
    }
    return false;
}

enum class DamageChoice { Recover, NewMarket, Quit };

// Shows what is wrong with a journal and what recovery does, and returns the user's choice.
DamageChoice askAboutDamage(QWidget *parent, const QString &path,
                            const bourse::app::Resumption &resumption)
{
    const bourse::storage::JournalError &damage = *resumption.error;
    QMessageBox box(QMessageBox::Warning, QObject::tr("Damaged journal"),
                    QObject::tr("The journal %1 is damaged, so its market cannot be continued "
                                "as it is.")
                        .arg(QFileInfo(path).fileName()),
                    QMessageBox::NoButton, parent);
    box.setObjectName(QStringLiteral("damagedJournalDialog"));
    // What recovery keeps comes from the same survey that recovery makes, so the dialog promises
    // exactly what the repair does, also for a damaged page of the file that names no event.
    const bourse::app::JournalRepair plan = bourse::app::planJournalRepair(path.toStdString());
    QString kept;
    if (plan.outcome == bourse::app::RepairOutcome::Repaired) {
        kept = plan.lastKept == 0
                   ? QObject::tr("no event, as none before the damage can be confirmed,")
                   : QObject::tr("events 1 to %1, the whole commands confirmed before the damage,")
                         .arg(plan.lastKept);
        QStringList dropped;
        for (const bourse::app::RepairedSnapshot &snapshot : plan.snapshots) {
            if (snapshot.fate != bourse::app::SnapshotFate::Kept &&
                snapshot.fate != bourse::app::SnapshotFate::AfterLastKept)
                dropped.append(QString::number(snapshot.sequence));
        }
        if (dropped.size() == 1)
            kept += QObject::tr(" leaves out the damaged snapshot at sequence %1,").arg(dropped[0]);
        else if (dropped.size() > 1)
            kept += QObject::tr(" leaves out the damaged snapshots at sequences %1,")
                        .arg(dropped.join(QStringLiteral(", ")));
        for (const bourse::storage::DamagedRecord &record : plan.droppedRecords)
            kept += QObject::tr(" leaves out the damaged %1 record %2,")
                        .arg(QString::fromStdString(record.kind))
                        .arg(record.id);
    } else if (resumption.damagedSnapshot) {
        kept = QObject::tr("every event, leaves out the snapshot at sequence %1,")
                   .arg(*resumption.damagedSnapshot);
    } else if (damage.sequence > 1) {
        kept = QObject::tr("the events before sequence %1, cut back to the last whole command,")
                   .arg(damage.sequence);
    } else {
        kept = QObject::tr("the events before the damage");
    }
    box.setInformativeText(
        QObject::tr("%1\n\nRecovery keeps %2 and continues from them. The whole file, damage "
                    "included, is first copied beside it (ending in .damaged), so nothing is "
                    "deleted.")
            .arg(QString::fromStdString(damage.toString()), kept));
    QPushButton *recover =
        box.addButton(QObject::tr("Recover and continue"), QMessageBox::AcceptRole);
    QPushButton *fresh = box.addButton(QObject::tr("New market"), QMessageBox::ActionRole);
    box.addButton(QObject::tr("Quit"), QMessageBox::RejectRole);
    box.setDefaultButton(recover);
    box.exec();
    if (box.clickedButton() == recover)
        return DamageChoice::Recover;
    if (box.clickedButton() == fresh)
        return DamageChoice::NewMarket;
    return DamageChoice::Quit;
}

enum class StartOutcome { Started, Quit, Failed };

// Continues the market of a journal: as the training scenario it recorded, at `speed`, when it
// recorded one that still parses, and as a plain simulation at speed 1 otherwise.
void continueMarket(bourse::ui::MainWindow &window, bourse::app::Resumption &resumption,
                    std::uint64_t seed, double speed)
{
    if (resumption.trainingProblem)
        qCWarning(lcJournal).noquote() << QString::fromStdString(*resumption.trainingProblem);
    if (resumption.training) {
        const std::optional<QString> problem =
            window.resumeTraining(*resumption.training, *resumption.continuation, speed);
        if (!problem)
            return;
        qCWarning(lcJournal).noquote()
            << "the journal's training scenario no longer parses, so the market continues as a "
               "plain simulation:"
            << *problem;
        // describeResumption() puts it in the notice, so that it shows in the window too.
        resumption.trainingProblem =
            "the journal's training scenario no longer parses: " + problem->toStdString();
    }
    window.resumeSimulation(seed, std::move(*resumption.continuation));
}

// Continues the simulation journal at `path`. A damaged journal is recovered when the user
// agrees. A journal that cannot be continued for another reason gives way to a new market,
// with a notice that explains why, unless the command line named it.
StartOutcome continueJournal(bourse::ui::MainWindow &window,
                             bourse::app::TerminalJournals &journals, const QString &path,
                             const bourse::app::TerminalOptions &options)
{
    // A journal named on the command line that cannot be opened is an error to report. The
    // newest one of the folder gives way to a new market instead.
    const bool named = !options.continuedJournal.isEmpty();
    using namespace bourse::app;
    const bourse::Session::Options sessionOptions;
    QString recoveryNote;
    for (int attempt = 0;; ++attempt) {
        Resumption resumption = resumeJournal(path, sessionOptions);
        if (resumption.continuation) {
            journals.adoptLock(std::move(resumption.lock));
            continueMarket(window, resumption, seedFor(options), options.speed);
            window.showNotice(recoveryNote + describeResumption(path, resumption));
            return StartOutcome::Started;
        }
        resumption.lock.reset(); // the journal is not continued, or recovery takes the lock
        if (!resumption.error || !isDamage(resumption.error->kind) || attempt > 0) {
            const QString problem =
                resumption.notContinuable
                    ? QString::fromStdString(*resumption.notContinuable)
                    : QString::fromStdString(resumption.error ? resumption.error->toString()
                                                              : std::string("unknown problem"));
            if (named) {
                printError(QStringLiteral("cannot continue %1: %2").arg(path, problem));
                return StartOutcome::Failed;
            }
            printError(
                QStringLiteral("cannot continue %1: %2; starting a new market").arg(path, problem));
            window.startSimulation(seedFor(options));
            window.showNotice(
                QObject::tr("Could not continue %1: %2").arg(QFileInfo(path).fileName(), problem));
            return StartOutcome::Started;
        }
        const bourse::storage::JournalError &error = *resumption.error;
        qCWarning(lcJournal).noquote()
            << "the journal" << path << "is damaged:" << QString::fromStdString(error.toString());
        const DamageChoice choice = options.damagePolicy == DamagePolicy::Recover
                                        ? DamageChoice::Recover
                                        : askAboutDamage(&window, path, resumption);
        switch (choice) {
        case DamageChoice::Quit:
            return StartOutcome::Quit;
        case DamageChoice::NewMarket:
            window.startSimulation(seedFor(options));
            return StartOutcome::Started;
        case DamageChoice::Recover:
            break;
        }
        const JournalRepair repair = repairJournal(path.toStdString());
        if (repair.outcome == RepairOutcome::Repaired) {
            const QString sideFile = QString::fromStdString(repair.sideFile);
            qCWarning(lcJournal).noquote() << "recovered" << path << "keeping events 1 to"
                                           << repair.lastKept << "; the original is in" << sideFile;
            recoveryNote = QObject::tr("Recovered: kept events 1 to %1, original in %2. ")
                               .arg(repair.lastKept)
                               .arg(QFileInfo(sideFile).fileName());
            for (const bourse::storage::DamagedRecord &record : repair.droppedRecords)
                recoveryNote += QObject::tr("Left out the damaged %1 record %2. ")
                                    .arg(QString::fromStdString(record.kind))
                                    .arg(record.id);
        }
        if (repair.error) {
            printError(QStringLiteral("recovery of %1 failed: %2")
                           .arg(path, QString::fromStdString(repair.error->toString())));
            if (named)
                return StartOutcome::Failed;
            QMessageBox::critical(&window, QObject::tr("Recovery failed"),
                                  QString::fromStdString(repair.error->toString()));
            window.startSimulation(seedFor(options));
            return StartOutcome::Started;
        }
    }
}

// Reads the key files of --connect and starts the link. Returns the error, naming the file or
// the option, when either fails.
std::optional<QString> connectToServer(bourse::ui::MainWindow &window,
                                       const bourse::ui::RemoteSettings &settings)
{
    auto checked = bourse::ui::checkRemoteSettings(settings);
    if (const auto *error = std::get_if<bourse::ui::RemoteSettingsError>(&checked))
        return error->message;
    return window.connectToServer(std::move(std::get<bourse::net::ClientOptions>(checked)));
}

// Reads the engine list of --engines, or takes the servers of a repeated --connect, reads every
// engine's keys and starts one link over them all. Returns the error, naming the file, the line or
// the engine, when any of that fails.
// Starts the live-feed session of --feed, or of the feeds file of --feeds, which is read here.
std::optional<QString> startFeeds(bourse::ui::MainWindow &window,
                                  const bourse::app::TerminalOptions &options)
{
    std::vector<bourse::terminal::FeedEntry> entries = options.feeds;
    QString name = entries.empty() ? QString() : entries.front().endpoint;
    if (!options.feedListPath.isEmpty()) {
        auto listed = bourse::terminal::readFeedList(options.feedListPath);
        if (const QString *error = std::get_if<QString>(&listed))
            return *error;
        entries = std::move(std::get<std::vector<bourse::terminal::FeedEntry>>(listed));
        name = QFileInfo(options.feedListPath).fileName();
    }
    std::vector<bourse::net::feed::FeedSubscription> feeds;
    for (const bourse::terminal::FeedEntry &entry : entries) {
        bourse::net::feed::FeedSubscription feed;
        feed.endpoint = entry.endpoint.toStdString();
        feed.snapshotEndpoint = entry.snapshotEndpoint.toStdString();
        for (const QString &topic : entry.topics)
            feed.topics.push_back(topic.toStdString());
        feeds.push_back(std::move(feed));
    }
    return window.startFeed(std::move(feeds), name);
}

std::optional<QString> connectToEngines(bourse::ui::MainWindow &window,
                                        const bourse::app::TerminalOptions &options)
{
    std::vector<bourse::terminal::NamedEngine> engines;
    if (!options.engineListPath.isEmpty()) {
        auto listed = bourse::terminal::readEngineList(options.engineListPath);
        if (const auto *error = std::get_if<QString>(&listed))
            return *error;
        for (bourse::terminal::EngineEntry &entry :
             std::get<std::vector<bourse::terminal::EngineEntry>>(listed)) {
            entry.settings.keyPrefix = options.remoteSettings.keyPrefix;
            entry.settings.accounts = options.remoteSettings.accounts;
            engines.push_back({entry.name, std::move(entry.settings)});
        }
    } else {
        for (const bourse::ui::RemoteSettings &settings : options.engines)
            engines.push_back({QString(), settings});
    }

    QString error;
    std::optional<bourse::ui::RemoteLink> link =
        bourse::terminal::makeMultiRemoteLink(engines, error);
    if (!link)
        return error;
    QStringList endpoints;
    for (const bourse::terminal::NamedEngine &engine : engines)
        endpoints << engine.settings.orderEntryEndpoint;
    qCInfo(lcNet) << "connecting to" << endpoints.join(QStringLiteral(", "));
    window.startRemote(std::move(*link), endpoints.join(QStringLiteral(", ")));
    return std::nullopt;
}

// Checks the settings of --host, reading its files and keys, and starts serving. Returns the
// error, naming the file or the option, when either fails.
std::optional<QString> hostMarket(bourse::ui::MainWindow &window,
                                  const bourse::ui::HostSettings &settings)
{
    auto checked = bourse::ui::checkHostSettings(settings);
    if (const auto *error = std::get_if<bourse::ui::HostSettingsError>(&checked))
        return error->message;
    return window.startHost(std::move(std::get<bourse::ui::HostPlan>(checked)));
}

// Runs the UI benchmark on the shown window and prints its figures on stdout.
int runUiBenchmark(bourse::ui::MainWindow &window, const bourse::app::TerminalOptions &options)
{
    bourse::ui::UiBenchmark::Options benchOptions;
    benchOptions.eventsPerSecond = options.benchRate;
    benchOptions.seconds = options.benchSeconds;
    benchOptions.seed = options.seed.value_or(1);
    const bourse::ui::UiBenchmarkResult result =
        bourse::ui::UiBenchmark(window, benchOptions).run();
    if (options.benchJson)
        std::fputs(bourse::ui::formatUiBenchmarkJson(result).constData(), stdout);
    else
        std::fputs(qPrintable(bourse::ui::formatUiBenchmarkText(result)), stdout);
    std::fflush(stdout);
    return 0;
}

// The XDG base directory specification requires a relative path in these variables to be
// ignored, and Qt 6.4 would take it relative to the working folder. Without them the
// settings and journals go under HOME, which must then be an absolute path, or Qt would write
// them under the file system's root. Returns an error message, or an empty string.
std::string checkXdgEnvironment()
{
    const auto isAbsolute = [](const char *name) {
        const char *value = std::getenv(name);
        return value != nullptr && value[0] == '/';
    };
    for (const char *name :
         {"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"}) {
        if (std::getenv(name) != nullptr && !isAbsolute(name))
            unsetenv(name);
    }
    if (!isAbsolute("HOME") && !(isAbsolute("XDG_CONFIG_HOME") && isAbsolute("XDG_DATA_HOME")))
        return "HOME is not an absolute path and XDG_CONFIG_HOME or XDG_DATA_HOME is not set, "
               "so there is no folder for the settings and journals; set HOME";
    return {};
}

} // namespace

int main(int argc, char *argv[])
{
    const std::string environmentError = checkXdgEnvironment();
    QApplication::setApplicationName(QStringLiteral("Bourse"));
    QApplication::setOrganizationName(QStringLiteral("Bourse"));
    QApplication::setApplicationVersion(QStringLiteral(BOURSE_VERSION));

    // The arguments are read before QApplication exists, because it needs a display.
    using bourse::app::CommandLineAction;
    const bourse::app::ParsedCommandLine commandLine = bourse::app::parseCommandLine(
        argumentsOf(argc, argv), bourse::ui::WorkspaceManager::availableNames());
    switch (commandLine.action) {
    case CommandLineAction::ShowHelp:
    case CommandLineAction::ShowVersion:
        // A pipeline must not take a lost output for a complete one.
        if (std::fputs(qPrintable(commandLine.text), stdout) == EOF || std::fflush(stdout) != 0) {
            printError(QStringLiteral("cannot write to standard output"));
            return exitFailure;
        }
        return 0;
    case CommandLineAction::UsageError:
        printError(commandLine.text);
        std::fprintf(stderr, "Run '%s --help' for the options.\n", argv[0]);
        return exitUsage;
    case CommandLineAction::Run:
        break;
    }
    if (!environmentError.empty()) {
        printError(QString::fromStdString(environmentError));
        return exitFailure;
    }
    const bourse::app::TerminalOptions &options = commandLine.options;

    QApplication app(argc, argv);
    quitOnTerminationSignals(app);
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/bourse.png")));
    // The installed desktop entry's name, so that a Wayland shell shows its icon and name.
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.bourse.Bourse"));
    bourse::ui::theme::apply(
        app, options.theme.value_or(
                 bourse::ui::MainWindow::savedTheme().value_or(bourse::ui::theme::Theme::Dark)));
    // The journals outlive the window, whose session's runs use them to the end.
    std::optional<bourse::app::TerminalJournals> journals;
    bourse::ui::MainWindow window;
    // A Bourse journal replays through the storage library, which the window does not link.
    window.setReplaySourceResolver(
        [](const std::string &path, bourse::Session::ReplaySource &source, std::string &error) {
            if (std::optional<std::string> other = bourse::app::otherSqliteFileError(path)) {
                error = std::move(*other);
                return true;
            }
            if (!bourse::app::isJournalFile(path))
                return false;
            if (std::optional<std::string> problem = bourse::app::setUpJournalReplay(path, source))
                error = std::move(*problem);
            return true;
        });
    if (options.agentMarket) {
        bourse::Session::Options agents;
        agents.flow = bourse::Session::Options::Flow::Agents;
        window.setSessionOptions(agents);
    }
    window.setRemoteLinkFactory(&bourse::ui::makeRemoteLink);
    // A screenshot or a benchmark shows the window without changing the trader's settings.
    if (!options.screenshotPath.isEmpty() || options.benchUi)
        window.setSettingsPersistent(false);
    if (!options.workspace.isEmpty())
        window.workspaces().switchTo(options.workspace);
    else if (options.benchUi)
        window.workspaces().switchTo(QStringLiteral("Trading"));
    // The benchmark's figures depend on what is on screen, so every run shows the same.
    if (options.benchUi)
        window.resize(1400, 850);
    if (!options.journalDirectory.isEmpty()) {
        journals.emplace(options.journalDirectory, options.snapshotEvery);
        window.setRunHandlerFactory(journals->runHandlerFactory());
        window.setAccountsSource([accounts = journals->accounts()] { return accounts->latest(); });
        window.setDurableSource([&journals] { return journals->durableSequence(); });
        // NOTE: a page of history is read on the GUI thread, from the snapshot before it: up to
        // --snapshot-every events (100,000 by default), an estimated 40 ms at the 5,000 events
        // in 2 ms measured on a two-core virtual machine.
        window.setEventHistorySource([&journals](bourse::SequenceNumber first, std::size_t count) {
            return journals->readEvents(first, count);
        });
        window.setSessionReportHandler([&window, &journals] {
            if (const std::optional<QString> journal = journals->currentJournal()) {
                bourse::app::writeSessionReport(window, *journal);
                return;
            }
            QMessageBox::information(&window, QObject::tr("Session report"),
                                     QObject::tr("This run keeps no journal, which the report "
                                                 "reads."));
        });
    }
    // The window is shown and painted before the session starts, so its slow first paint
    // cannot hold up the feed while the first views arrive.
    window.show();
    QCoreApplication::processEvents();
    if (options.benchUi)
        return runUiBenchmark(window, options);
    // Scheduled before the start, so that it also shows a dialog the start opens.
    std::optional<int> screenshotExit;
    if (!options.screenshotPath.isEmpty())
        scheduleScreenshot(window, options, screenshotExit);

    if (options.host) {
        if (std::optional<QString> error = hostMarket(window, options.hostSettings)) {
            printError(*error);
            return exitFailure;
        }
        // The host dialog offers the same market next time.
        if (options.screenshotPath.isEmpty())
            bourse::ui::saveHostSettings(options.hostSettings);
    } else if (!options.engineListPath.isEmpty() || !options.engines.empty()) {
        if (std::optional<QString> error = connectToEngines(window, options)) {
            printError(*error);
            return exitFailure;
        }
    } else if (options.remote) {
        if (std::optional<QString> error = connectToServer(window, options.remoteSettings)) {
            printError(*error);
            return exitFailure;
        }
        // The connect dialog offers the same server next time, as after a connect from it.
        if (options.screenshotPath.isEmpty())
            bourse::ui::saveRemoteSettings(options.remoteSettings);
    } else if (!options.feeds.empty() || !options.feedListPath.isEmpty()) {
        if (std::optional<QString> error = startFeeds(window, options)) {
            printError(*error);
            return exitFailure;
        }
    } else if (!options.lobsterPath.isEmpty()) {
        if (std::optional<QString> error = window.startReplay(options.lobsterPath, options.speed)) {
            printError(*error);
            return exitFailure;
        }
    } else if (!options.scenarioPath.isEmpty()) {
        if (std::optional<QString> error =
                window.startTraining(options.scenarioPath, options.seed, options.speed)) {
            printError(*error);
            return exitFailure;
        }
    } else if (const std::optional<QString> continued =
                   !journals || options.freshMarket ? std::nullopt
                   : options.continuedJournal.isEmpty()
                       ? journals->newestSimulationJournal()
                       : std::optional<QString>(options.continuedJournal)) {
        switch (continueJournal(window, *journals, *continued, options)) {
        case StartOutcome::Started:
            break;
        case StartOutcome::Quit:
            return 0;
        case StartOutcome::Failed:
            return exitFailure;
        }
    } else {
        window.startSimulation(seedFor(options));
    }
    if (screenshotExit)
        return *screenshotExit;
    if (terminationRequested)
        return 0;
    return QApplication::exec();
}

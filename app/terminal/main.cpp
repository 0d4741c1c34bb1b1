// The Bourse terminal. Without options it opens on a simulated market. --lobster replays a
// recorded day instead, and --screenshot saves an image of the window and exits, so the window
// can be checked without a person at the screen.

#include "command_line.h"
#include "main_window.h"
#include "run_journals.h"
#include "theme.h"

#include <QApplication>
#include <QIcon>
#include <QImageWriter>
#include <QRandomGenerator>
#include <QTimer>

#include <cstdio>
#include <optional>

namespace {

constexpr int exitFailure = 1;
constexpr int exitUsage = 2;

void printError(const QString &message)
{
    std::fprintf(stderr, "bourse: %s\n", qPrintable(message));
}

QStringList argumentsOf(int argc, char *argv[])
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    return arguments;
}

// Saves the window as a PNG after the delay and quits with 0, or with 1 and a message when the
// file cannot be written.
void scheduleScreenshot(QMainWindow &window, const bourse::app::TerminalOptions &options)
{
    QTimer::singleShot(options.screenshotDelayMilliseconds, &window, [&window, options] {
        QImageWriter writer(options.screenshotPath, "png");
        if (!writer.write(window.grab().toImage())) {
            printError(QStringLiteral("cannot write the screenshot %1: %2")
                           .arg(options.screenshotPath, writer.errorString()));
            QCoreApplication::exit(exitFailure);
            return;
        }
        QCoreApplication::exit(0);
    });
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication::setApplicationName(QStringLiteral("Bourse"));
    QApplication::setOrganizationName(QStringLiteral("Bourse"));
    QApplication::setApplicationVersion(QStringLiteral(BOURSE_VERSION));

    // The arguments are read before QApplication exists, because it needs a display.
    using bourse::app::CommandLineAction;
    const bourse::app::ParsedCommandLine commandLine =
        bourse::app::parseCommandLine(argumentsOf(argc, argv));
    switch (commandLine.action) {
    case CommandLineAction::ShowHelp:
    case CommandLineAction::ShowVersion:
        std::fputs(qPrintable(commandLine.text), stdout);
        return 0;
    case CommandLineAction::UsageError:
        printError(commandLine.text);
        std::fprintf(stderr, "Run '%s --help' for the options.\n", argv[0]);
        return exitUsage;
    case CommandLineAction::Run:
        break;
    }
    const bourse::app::TerminalOptions &options = commandLine.options;

    QApplication app(argc, argv);
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/bourse.png")));
    bourse::ui::theme::applyDarkTheme(app);
    bourse::ui::MainWindow window;
    if (!options.journalDirectory.isEmpty())
        window.setRunHandlerFactory(bourse::app::makeRunJournals(options.journalDirectory));
    // The window is shown and painted before the session starts, so its slow first paint
    // cannot hold up the feed while the first views arrive.
    window.show();
    QCoreApplication::processEvents();

    if (!options.lobsterPath.isEmpty()) {
        if (std::optional<QString> error = window.startReplay(options.lobsterPath, options.speed)) {
            printError(*error);
            return exitFailure;
        }
    } else {
        window.startSimulation(options.seed.value_or(QRandomGenerator::global()->generate64()));
    }

    if (!options.screenshotPath.isEmpty())
        scheduleScreenshot(window, options);
    return QApplication::exec();
}

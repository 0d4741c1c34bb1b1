// The Bourse terminal. Without options it opens on a simulated market. --lobster replays a
// recorded day instead, and --screenshot saves an image of the window and exits, so the window
// can be checked without a person at the screen.

#include "main_window.h"
#include "replay_toolbar.h"
#include "run_journals.h"
#include "theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QImageWriter>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTimer>

#include <cstdint>
#include <cstdio>
#include <optional>

namespace {

constexpr int exitFailure = 1;
constexpr int exitUsage = 2;

struct Options {
    QString lobsterPath;
    double speed = 1.0; // 0 means as fast as possible
    std::optional<std::uint64_t> seed;
    QString screenshotPath;
    int screenshotDelayMilliseconds = 2000;
    QString journalDirectory; // empty: no journal
};

void printError(const QString &message)
{
    std::fprintf(stderr, "bourse: %s\n", qPrintable(message));
}

class CommandLine {
public:
    CommandLine();

    // Reads the arguments of `app`. --help and --version print their text and exit the process.
    // Returns a message for an option value that is invalid.
    std::optional<QString> parse(const QCoreApplication &app, Options &options);

private:
    QCommandLineParser m_parser;
    QCommandLineOption m_lobster{
        QStringLiteral("lobster"),
        QStringLiteral("Replay a LOBSTER message file instead of the simulated market. The "
                       "orderbook file beside it, named the LOBSTER way, is used when present."),
        QStringLiteral("MESSAGE_FILE")};
    QCommandLineOption m_speed{
        QStringLiteral("speed"),
        QStringLiteral("Replay speed as a multiple of market time: 1, 10, 100, or max for as "
                       "fast as possible (default 1)."),
        QStringLiteral("X")};
    QCommandLineOption m_seed{QStringLiteral("seed"),
                              QStringLiteral("Seed of the simulated market; the same seed gives "
                                             "the same market (default: random)."),
                              QStringLiteral("N")};
    QCommandLineOption m_screenshot{
        QStringLiteral("screenshot"),
        QStringLiteral("Save the window as a PNG image to FILE after --after-ms, then exit."),
        QStringLiteral("FILE")};
    QCommandLineOption m_afterMs{
        QStringLiteral("after-ms"),
        QStringLiteral("Milliseconds from start to the screenshot (default 2000)."),
        QStringLiteral("N")};
    QCommandLineOption m_journalDirectory{
        QStringLiteral("journal-dir"),
        QStringLiteral("Folder of the event journals: each simulation or replay writes every "
                       "engine event to a new SQLite file there (default: the application "
                       "data folder's journals/)."),
        QStringLiteral("DIR")};
    QCommandLineOption m_noJournal{QStringLiteral("no-journal"),
                                   QStringLiteral("Write no event journal.")};
};

CommandLine::CommandLine()
{
    m_parser.setApplicationDescription(QStringLiteral("Bourse trading terminal"));
    m_parser.addHelpOption();
    m_parser.addVersionOption();
    m_parser.addOptions(
        {m_lobster, m_speed, m_seed, m_screenshot, m_afterMs, m_journalDirectory, m_noJournal});
}

std::optional<QString> CommandLine::parse(const QCoreApplication &app, Options &options)
{
    m_parser.process(app);
    options.lobsterPath = m_parser.value(m_lobster);
    options.screenshotPath = m_parser.value(m_screenshot);
    if (m_parser.isSet(m_noJournal) && m_parser.isSet(m_journalDirectory))
        return QStringLiteral("--no-journal and --journal-dir exclude each other");
    if (!m_parser.isSet(m_noJournal)) {
        options.journalDirectory =
            m_parser.isSet(m_journalDirectory)
                ? m_parser.value(m_journalDirectory)
                : QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
                      QStringLiteral("/journals");
    }

    if (m_parser.isSet(m_speed)) {
        const QString text = m_parser.value(m_speed);
        const std::optional<double> speed = bourse::ui::parseReplaySpeed(text);
        if (!speed)
            return QStringLiteral("invalid --speed '%1': use 1, 10, 100 or max").arg(text);
        options.speed = *speed;
    }

    if (m_parser.isSet(m_seed)) {
        const QString text = m_parser.value(m_seed);
        bool ok = false;
        options.seed = text.toULongLong(&ok);
        if (!ok)
            return QStringLiteral("invalid --seed '%1': use a non-negative integer").arg(text);
    }

    if (m_parser.isSet(m_afterMs)) {
        const QString text = m_parser.value(m_afterMs);
        bool ok = false;
        options.screenshotDelayMilliseconds = text.toInt(&ok);
        if (!ok || options.screenshotDelayMilliseconds < 0)
            return QStringLiteral("invalid --after-ms '%1': use milliseconds, 0 or more").arg(text);
    }
    return std::nullopt;
}

// Saves the window as a PNG after the delay and quits with 0, or with 1 and a message when the
// file cannot be written.
void scheduleScreenshot(QMainWindow &window, const Options &options)
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
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Bourse"));
    QApplication::setOrganizationName(QStringLiteral("Bourse"));
    QApplication::setApplicationVersion(QStringLiteral(BOURSE_VERSION));

    Options options;
    CommandLine commandLine;
    if (std::optional<QString> error = commandLine.parse(app, options)) {
        printError(*error);
        return exitUsage;
    }

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

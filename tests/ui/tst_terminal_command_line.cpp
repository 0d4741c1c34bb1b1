// Runs the bourse executable with no display at all, so a command line that creates the
// QApplication before it is read aborts instead of printing help, the version or the error. The
// defaults are read in process, through the terminal's own parser.

#include "command_line.h"
#include "terminal_process.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

namespace {

constexpr int timeoutMilliseconds = 30'000;
constexpr int exitUsage = 2;

using Run = bourse::testing::TerminalRun;

// The folder the terminal reads and writes its settings and data in during these tests, so
// that they never touch those of the user running them.
const QTemporaryDir &homeFolders()
{
    static const QTemporaryDir folder;
    return folder;
}

Run runTerminal(const QStringList &arguments)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
        environment.remove(QString::fromLatin1(name));
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"),
                       homeFolders().filePath(QStringLiteral("config")));
    environment.insert(QStringLiteral("XDG_DATA_HOME"),
                       homeFolders().filePath(QStringLiteral("data")));
    return bourse::testing::runTerminalProcess(arguments, environment, timeoutMilliseconds);
}

QString describe(const Run &run)
{
    return QStringLiteral("exit %1%2, stdout: %3, stderr: %4")
        .arg(run.exitCode)
        .arg(run.exitStatus == QProcess::CrashExit ? QStringLiteral(" (crashed)") : QString())
        .arg(run.output, run.error);
}

} // namespace

class TerminalCommandLineTest : public QObject {
    Q_OBJECT

private slots:
    void marketFlowDefaults_data();
    void marketFlowDefaults();
    void helpPrintsUsage_data();
    void helpPrintsUsage();
    void versionPrintsVersion_data();
    void versionPrintsVersion();
    void usageErrorExitsTwo_data();
    void usageErrorExitsTwo();
    void qtPlatformOptionReachesApplication();
    void screenshotOfWorkspaceInTheme_data();
    void screenshotOfWorkspaceInTheme();
    void benchUiPrintsJson();
    void scenarioFileErrorExitsOne_data();
    void scenarioFileErrorExitsOne();
    void scenarioErrorsEachPrefixed();
    void scenarioWithOtherMarketExitsTwo_data();
    void scenarioWithOtherMarketExitsTwo();
    void connectOptionsParse();
    void connectMissingKeyFileExitsOne();
    void repeatedConnectNamesEngines();
    void connectTakesStandbys();
    void enginesListMissingExitsOne();
    void hostOptionsParse_data();
    void hostOptionsParse();
};

void TerminalCommandLineTest::marketFlowDefaults_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<bool>("agentMarket");
    QTest::addColumn<bool>("freshMarket");

    // Without --market a journal is continued, with whichever flow made it, and a new market
    // has the agents.
    QTest::newRow("no options") << QStringList{} << true << false;
    QTest::newRow("agents named") << QStringList{QStringLiteral("--market"),
                                                 QStringLiteral("agents")}
                                  << true << true;
    QTest::newRow("synthetic named")
        << QStringList{QStringLiteral("--market"), QStringLiteral("Synthetic")} << false << true;
    QTest::newRow("seed") << QStringList{QStringLiteral("--seed"), QStringLiteral("7")} << true
                          << true;
    QTest::newRow("continued journal")
        << QStringList{QStringLiteral("--journal"), QStringLiteral("day.sqlite")} << true << false;
    // The benchmark's window takes the synthetic flow itself, at --rate events a second.
    QTest::newRow("bench-ui") << QStringList{QStringLiteral("--bench-ui")} << true << true;
}

void TerminalCommandLineTest::marketFlowDefaults()
{
    QFETCH(QStringList, arguments);
    QFETCH(bool, agentMarket);
    QFETCH(bool, freshMarket);

    arguments.prepend(QStringLiteral("bourse"));
    const bourse::app::ParsedCommandLine parsed =
        bourse::app::parseCommandLine(arguments, {QStringLiteral("Trading")});

    QCOMPARE(parsed.action, bourse::app::CommandLineAction::Run);
    QCOMPARE(parsed.options.agentMarket, agentMarket);
    QCOMPARE(parsed.options.freshMarket, freshMarket);
    QVERIFY(parsed.options.lobsterPath.isEmpty());
}

void TerminalCommandLineTest::helpPrintsUsage_data()
{
    QTest::addColumn<QStringList>("arguments");

    QTest::newRow("long") << QStringList{QStringLiteral("--help")};
    QTest::newRow("short") << QStringList{QStringLiteral("-h")};
    QTest::newRow("after options")
        << QStringList{QStringLiteral("--speed"), QStringLiteral("10"), QStringLiteral("--help")};
    QTest::newRow("with a Qt option") << QStringList{
        QStringLiteral("-style"), QStringLiteral("fusion"), QStringLiteral("--help")};
}

void TerminalCommandLineTest::helpPrintsUsage()
{
    QFETCH(QStringList, arguments);

    const Run run = runTerminal(arguments);

    QVERIFY2(run.exitStatus == QProcess::NormalExit, qPrintable(describe(run)));
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    QVERIFY2(run.output.startsWith(QStringLiteral("Usage: ")), qPrintable(describe(run)));
    QVERIFY2(run.output.contains(QStringLiteral("--replay, --lobster <FILE>")),
             qPrintable(describe(run)));
    QVERIFY2(run.output.contains(QStringLiteral("--no-journal")), qPrintable(describe(run)));
    QVERIFY2(run.output.contains(QStringLiteral("agents (the default)")),
             qPrintable(describe(run)));
    QVERIFY2(!run.output.contains(QStringLiteral("--platformpluginpath")),
             qPrintable(describe(run)));
}

void TerminalCommandLineTest::versionPrintsVersion_data()
{
    QTest::addColumn<QStringList>("arguments");

    QTest::newRow("long") << QStringList{QStringLiteral("--version")};
    QTest::newRow("short") << QStringList{QStringLiteral("-v")};
}

void TerminalCommandLineTest::versionPrintsVersion()
{
    QFETCH(QStringList, arguments);

    const Run run = runTerminal(arguments);

    QVERIFY2(run.exitStatus == QProcess::NormalExit, qPrintable(describe(run)));
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    QCOMPARE(run.output, QStringLiteral("Bourse %1\n").arg(QStringLiteral(BOURSE_VERSION)));
}

void TerminalCommandLineTest::usageErrorExitsTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");

    QTest::newRow("unknown long option")
        << QStringList{QStringLiteral("--bogus")} << QStringLiteral("Unknown option 'bogus'.");
    QTest::newRow("unknown single-dash option")
        << QStringList{QStringLiteral("-bogus")} << QStringLiteral("Unknown option 'bogus'.");
    QTest::newRow("unknown option before help")
        << QStringList{QStringLiteral("--bogus"), QStringLiteral("--help")}
        << QStringLiteral("Unknown option 'bogus'.");
    QTest::newRow("missing value") << QStringList{QStringLiteral("--speed")}
                                   << QStringLiteral("Missing value after '--speed'.");
    QTest::newRow("value for a flag") << QStringList{QStringLiteral("--no-journal=yes")}
                                      << QStringLiteral("Unexpected value after '--no-journal'.");
    QTest::newRow("stray argument") << QStringList{QStringLiteral("GOOG_message_10.csv")}
                                    << QStringLiteral("Unexpected argument 'GOOG_message_10.csv'.");
    QTest::newRow("speed not offered")
        << QStringList{QStringLiteral("--speed"), QStringLiteral("3")}
        << QStringLiteral("invalid --speed '3'");
    QTest::newRow("market not offered")
        << QStringList{QStringLiteral("--market"), QStringLiteral("noise")}
        << QStringLiteral("invalid --market 'noise': use agents or synthetic");
    QTest::newRow("negative seed") << QStringList{QStringLiteral("--seed"), QStringLiteral("-1")}
                                   << QStringLiteral("invalid --seed '-1'");
    QTest::newRow("delay not a number")
        << QStringList{QStringLiteral("--after-ms"), QStringLiteral("soon")}
        << QStringLiteral("invalid --after-ms 'soon'");
    QTest::newRow("journal options together")
        << QStringList{QStringLiteral("--no-journal"), QStringLiteral("--journal-dir"),
                       QStringLiteral("/tmp")}
        << QStringLiteral("--no-journal and --journal-dir exclude each other");
    QTest::newRow("snapshot interval zero")
        << QStringList{QStringLiteral("--snapshot-every"), QStringLiteral("0")}
        << QStringLiteral("invalid --snapshot-every '0'");
    QTest::newRow("continue a journal with journaling off")
        << QStringList{QStringLiteral("--no-journal"), QStringLiteral("--journal"),
                       QStringLiteral("day.sqlite")}
        << QStringLiteral("--journal continues a journal, which --no-journal turns off");
    QTest::newRow("continue a journal as a new market")
        << QStringList{QStringLiteral("--journal"), QStringLiteral("day.sqlite"),
                       QStringLiteral("--new")}
        << QStringLiteral(
               "--journal continues a market, so it excludes --new, --seed and --market");
    QTest::newRow("continue a journal with a seed")
        << QStringList{QStringLiteral("--seed"), QStringLiteral("4"), QStringLiteral("--journal"),
                       QStringLiteral("day.sqlite")}
        << QStringLiteral(
               "--journal continues a market, so it excludes --new, --seed and --market");
    QTest::newRow("unknown theme") << QStringList{QStringLiteral("--theme"), QStringLiteral("blue")}
                                   << QStringLiteral("invalid --theme 'blue': use dark or light");
    QTest::newRow("unknown workspace")
        << QStringList{QStringLiteral("--workspace"), QStringLiteral("Nowhere")}
        << QStringLiteral("unknown workspace 'Nowhere': use one of Trading, Charts, Risk");
    QTest::newRow("rate not a number")
        << QStringList{QStringLiteral("--bench-ui"), QStringLiteral("--rate"),
                       QStringLiteral("fast")}
        << QStringLiteral("invalid --rate 'fast'");
    QTest::newRow("rate zero") << QStringList{QStringLiteral("--bench-ui"),
                                              QStringLiteral("--rate"), QStringLiteral("0")}
                               << QStringLiteral("invalid --rate '0'");
    QTest::newRow("rate above the engine's maximum")
        << QStringList{QStringLiteral("--bench-ui"), QStringLiteral("--rate"),
                       QStringLiteral("200000000")}
        << QStringLiteral("invalid --rate '200000000'");
    QTest::newRow("seconds zero") << QStringList{QStringLiteral("--bench-ui"),
                                                 QStringLiteral("--seconds"), QStringLiteral("0")}
                                  << QStringLiteral("invalid --seconds '0'");
    QTest::newRow("rate without bench-ui")
        << QStringList{QStringLiteral("--rate"), QStringLiteral("1000")}
        << QStringLiteral("--rate needs --bench-ui");
    QTest::newRow("json without bench-ui")
        << QStringList{QStringLiteral("--json")} << QStringLiteral("--json needs --bench-ui");
    QTest::newRow("bench-ui with a screenshot")
        << QStringList{QStringLiteral("--bench-ui"), QStringLiteral("--screenshot"),
                       QStringLiteral("window.png")}
        << QStringLiteral("--bench-ui and --screenshot exclude each other");
    QTest::newRow("bench-ui with a replay")
        << QStringList{QStringLiteral("--bench-ui"), QStringLiteral("--lobster"),
                       QStringLiteral("GOOG_message_10.csv")}
        << QStringLiteral("--bench-ui and --replay exclude each other");
    QTest::newRow("continue a journal with a flow")
        << QStringList{QStringLiteral("--journal"), QStringLiteral("day.sqlite"),
                       QStringLiteral("--market"), QStringLiteral("synthetic")}
        << QStringLiteral(
               "--journal continues a market, so it excludes --new, --seed and --market");
    QTest::newRow("bench-ui with a flow")
        << QStringList{QStringLiteral("--bench-ui"), QStringLiteral("--market"),
                       QStringLiteral("agents")}
        << QStringLiteral("--bench-ui and --market exclude each other");
    QTest::newRow("continue a journal in a replay")
        << QStringList{QStringLiteral("--journal"), QStringLiteral("day.sqlite"),
                       QStringLiteral("--lobster"), QStringLiteral("GOOG_message_10.csv")}
        << QStringLiteral("--journal continues a simulated market, so it excludes --replay");
    QTest::newRow("connect without a port")
        << QStringList{QStringLiteral("--connect"), QStringLiteral("tcp://127.0.0.1"),
                       QStringLiteral("--server-key"), QStringLiteral("server.pub")}
        << QStringLiteral("Invalid --connect endpoint 'tcp://127.0.0.1'");
    QTest::newRow("connect with an invalid standby")
        << QStringList{QStringLiteral("--connect"),
                       QStringLiteral("tcp://127.0.0.1:7401,127.0.0.1:7501"),
                       QStringLiteral("--server-key"), QStringLiteral("server.pub")}
        << QStringLiteral("Invalid --connect standby endpoint '127.0.0.1:7501'");
    QTest::newRow("connect with its own standby")
        << QStringList{QStringLiteral("--connect"),
                       QStringLiteral("tcp://127.0.0.1:7401,tcp://127.0.0.1:7401"),
                       QStringLiteral("--server-key"), QStringLiteral("server.pub")}
        << QStringLiteral("Endpoint tcp://127.0.0.1:7401 is listed twice");
    QTest::newRow("standby of another connect")
        << QStringList{QStringLiteral("--connect"),
                       QStringLiteral("tcp://127.0.0.1:7401"),
                       QStringLiteral("--connect"),
                       QStringLiteral("tcp://127.0.0.1:7411,tcp://127.0.0.1:7401"),
                       QStringLiteral("--server-key"),
                       QStringLiteral("left.pub"),
                       QStringLiteral("--server-key"),
                       QStringLiteral("right.pub")}
        << QStringLiteral("--connect tcp://127.0.0.1:7401 is given twice");
    QTest::newRow("connect without a server key")
        << QStringList{QStringLiteral("--connect"), QStringLiteral("tcp://127.0.0.1:7401")}
        << QStringLiteral("--connect needs --server-key FILE");
    QTest::newRow("connect with a replay")
        << QStringList{QStringLiteral("--connect"),    QStringLiteral("tcp://127.0.0.1:7401"),
                       QStringLiteral("--server-key"), QStringLiteral("server.pub"),
                       QStringLiteral("--replay"),     QStringLiteral("GOOG_message_10.csv")}
        << QStringLiteral("--connect and --replay exclude each other");
    QTest::newRow("connect with an invalid account")
        << QStringList{QStringLiteral("--connect"),    QStringLiteral("tcp://127.0.0.1:7401"),
                       QStringLiteral("--server-key"), QStringLiteral("server.pub"),
                       QStringLiteral("--account"),    QStringLiteral("0")}
        << QStringLiteral("--account: Invalid account '0'");
    QTest::newRow("two connects with one server key")
        << QStringList{QStringLiteral("--connect"),    QStringLiteral("tcp://127.0.0.1:7401"),
                       QStringLiteral("--connect"),    QStringLiteral("tcp://127.0.0.1:7411"),
                       QStringLiteral("--server-key"), QStringLiteral("left.pub")}
        << QStringLiteral("2 --connect but 1 --server-key");
    QTest::newRow("same connect twice")
        << QStringList{QStringLiteral("--connect"),    QStringLiteral("tcp://127.0.0.1:7401"),
                       QStringLiteral("--connect"),    QStringLiteral("tcp://127.0.0.1:7401"),
                       QStringLiteral("--server-key"), QStringLiteral("left.pub"),
                       QStringLiteral("--server-key"), QStringLiteral("right.pub")}
        << QStringLiteral("--connect tcp://127.0.0.1:7401 is given twice");
    QTest::newRow("engines with connect")
        << QStringList{QStringLiteral("--engines"), QStringLiteral("engines.list"),
                       QStringLiteral("--connect"), QStringLiteral("tcp://127.0.0.1:7401")}
        << QStringLiteral("--engines and --connect exclude each other");
    QTest::newRow("engines with a replay")
        << QStringList{QStringLiteral("--engines"), QStringLiteral("engines.list"),
                       QStringLiteral("--replay"), QStringLiteral("GOOG_message_10.csv")}
        << QStringLiteral("--engines and --replay exclude each other");
    QTest::newRow("server key without connect")
        << QStringList{QStringLiteral("--server-key"), QStringLiteral("server.pub")}
        << QStringLiteral("--server-key needs --connect");
    QTest::newRow("account without connect or host")
        << QStringList{QStringLiteral("--account"), QStringLiteral("1")}
        << QStringLiteral("--account needs --connect or --host");
    QTest::newRow("host without an access list")
        << QStringList{QStringLiteral("--host"), QStringLiteral("127.0.0.1:17501")}
        << QStringLiteral("--host needs --access-list FILE");
    QTest::newRow("host with connect")
        << QStringList{QStringLiteral("--host"),        QStringLiteral("127.0.0.1:17501"),
                       QStringLiteral("--access-list"), QStringLiteral("peers.access"),
                       QStringLiteral("--connect"),     QStringLiteral("tcp://127.0.0.1:7401")}
        << QStringLiteral("--host and --connect exclude each other");
    QTest::newRow("host with a journal")
        << QStringList{QStringLiteral("--host"),        QStringLiteral("127.0.0.1"),
                       QStringLiteral("--access-list"), QStringLiteral("peers.access"),
                       QStringLiteral("--journal"),     QStringLiteral("old.sqlite")}
        << QStringLiteral("--host and --journal exclude each other");
    QTest::newRow("host port past the last three")
        << QStringList{QStringLiteral("--host"), QStringLiteral("127.0.0.1:65534"),
                       QStringLiteral("--access-list"), QStringLiteral("peers.access")}
        << QStringLiteral("--host: invalid port '65534'");
    QTest::newRow("host with a host name")
        << QStringList{QStringLiteral("--host"), QStringLiteral("desk.lan:7401"),
                       QStringLiteral("--access-list"), QStringLiteral("peers.access")}
        << QStringLiteral("--host: Invalid address 'desk.lan'");
    QTest::newRow("access list without host")
        << QStringList{QStringLiteral("--access-list"), QStringLiteral("peers.access")}
        << QStringLiteral("--access-list needs --host");
}

void TerminalCommandLineTest::usageErrorExitsTwo()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);

    const Run run = runTerminal(arguments);

    QVERIFY2(run.exitStatus == QProcess::NormalExit, qPrintable(describe(run)));
    QVERIFY2(run.exitCode == exitUsage, qPrintable(describe(run)));
    QVERIFY2(run.error.startsWith(QStringLiteral("bourse: ") + message), qPrintable(describe(run)));
    QVERIFY2(run.error.contains(QStringLiteral("--help")), qPrintable(describe(run)));
    QVERIFY2(run.output.isEmpty(), qPrintable(describe(run)));
}

// Bourse reads -platform as a Qt option and leaves it in argv, so QApplication starts on the
// offscreen platform with no display and the window can save its screenshot.
void TerminalCommandLineTest::qtPlatformOptionReachesApplication()
{
    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    const QString screenshot = directory.filePath(QStringLiteral("window.png"));

    const Run run = runTerminal({QStringLiteral("-platform"), QStringLiteral("offscreen"),
                                 QStringLiteral("--no-journal"), QStringLiteral("--seed"),
                                 QStringLiteral("5"), QStringLiteral("--screenshot"), screenshot,
                                 QStringLiteral("--after-ms"), QStringLiteral("200")});

    QVERIFY2(run.exitStatus == QProcess::NormalExit, qPrintable(describe(run)));
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    QVERIFY(QFileInfo::exists(screenshot));
}

void TerminalCommandLineTest::screenshotOfWorkspaceInTheme_data()
{
    QTest::addColumn<QString>("workspace");
    QTest::addColumn<QString>("theme");

    QTest::newRow("Charts, light") << QStringLiteral("Charts") << QStringLiteral("light");
    QTest::newRow("risk in lower case, dark") << QStringLiteral("risk") << QStringLiteral("dark");
}

// The terminal takes the workspace and the theme, writes the screenshot, and leaves the
// settings as they were: a screenshot run saves neither.
void TerminalCommandLineTest::screenshotOfWorkspaceInTheme()
{
    QFETCH(QString, workspace);
    QFETCH(QString, theme);
    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    const QString screenshot = directory.filePath(QStringLiteral("window.png"));

    const Run run = runTerminal({QStringLiteral("-platform"), QStringLiteral("offscreen"),
                                 QStringLiteral("--no-journal"), QStringLiteral("--seed"),
                                 QStringLiteral("5"), QStringLiteral("--workspace"), workspace,
                                 QStringLiteral("--theme"), theme, QStringLiteral("--screenshot"),
                                 screenshot, QStringLiteral("--after-ms"), QStringLiteral("300")});

    QVERIFY2(run.exitStatus == QProcess::NormalExit, qPrintable(describe(run)));
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    QFile image(screenshot);
    QVERIFY(image.open(QIODevice::ReadOnly));
    QCOMPARE(image.read(8), QByteArray("\x89PNG\r\n\x1a\n"));
    QVERIFY(
        !QFileInfo::exists(homeFolders().filePath(QStringLiteral("config/Bourse/Bourse.conf"))));
}

// A short run of the UI benchmark prints one JSON object with every figure, and the book the
// ladder shows at the end is the engine's.
void TerminalCommandLineTest::benchUiPrintsJson()
{
    const Run run = runTerminal({QStringLiteral("-platform"), QStringLiteral("offscreen"),
                                 QStringLiteral("--bench-ui"), QStringLiteral("--rate"),
                                 QStringLiteral("100000"), QStringLiteral("--seconds"),
                                 QStringLiteral("2"), QStringLiteral("--json")});

    QVERIFY2(run.exitStatus == QProcess::NormalExit, qPrintable(describe(run)));
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(run.output.toUtf8(), &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(describe(run)));
    QVERIFY2(document.isObject(), qPrintable(describe(run)));
    const QJsonObject figures = document.object();
    for (const char *key : {"stall_p50_ms", "stall_p99_ms", "stall_max_ms", "repaints_per_second",
                            "rss_start_mb", "rss_end_mb", "events_per_second"}) {
        QVERIFY2(figures.value(QLatin1String(key)).isDouble(), key);
    }
    QVERIFY(figures.value(QStringLiteral("screen_matches_engine")).isBool());
    QVERIFY2(figures.value(QStringLiteral("screen_matches_engine")).toBool(),
             qPrintable(figures.value(QStringLiteral("mismatch")).toString()));
    QVERIFY(figures.value(QStringLiteral("stall_p50_ms")).toDouble() <=
            figures.value(QStringLiteral("stall_p99_ms")).toDouble());
    QVERIFY(figures.value(QStringLiteral("stall_p99_ms")).toDouble() <=
            figures.value(QStringLiteral("stall_max_ms")).toDouble());
    QVERIFY(figures.value(QStringLiteral("events_per_second")).toDouble() > 0.0);
    QVERIFY(figures.value(QStringLiteral("rss_end_mb")).toDouble() > 0.0);
}

// A training scenario that cannot start stops the terminal with exit code 1 and the file's
// error: a missing file names its path, a malformed line its FILE:LINE:COLUMN.
void TerminalCommandLineTest::scenarioFileErrorExitsOne_data()
{
    QTest::addColumn<QString>("content"); // the file's text; null for no file
    QTest::addColumn<QString>("message"); // what follows the path in the error

    QTest::newRow("missing file") << QString()
                                  << QStringLiteral(
                                         ": error: file not found. Check the path, or open one of "
                                         "the shipped scenarios: resources/scenarios in the source "
                                         "tree, /usr/share/bourse/scenarios from the package");
    QTest::newRow("malformed duration")
        << QStringLiteral("market seed 3 start 14:30:00 length 8min\n"
                          "instrument ACME tick 0.01 lot 1 price 50.00\n"
                          "at +1min drought ACME widen 4 for soon\n")
        << QStringLiteral(":3:35: error: invalid drought duration 'soon'");
}

void TerminalCommandLineTest::scenarioFileErrorExitsOne()
{
    QFETCH(QString, content);
    QFETCH(QString, message);
    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    const QString path = directory.filePath(QStringLiteral("drought.scenario"));
    if (!content.isNull()) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QVERIFY(file.write(content.toUtf8()) == content.toUtf8().size());
    }

    const Run run =
        runTerminal({QStringLiteral("-platform"), QStringLiteral("offscreen"),
                     QStringLiteral("--no-journal"), QStringLiteral("--scenario"), path});

    QVERIFY2(run.exitStatus == QProcess::NormalExit, qPrintable(describe(run)));
    QVERIFY2(run.exitCode == 1, qPrintable(describe(run)));
    QVERIFY2(run.error.contains(QStringLiteral("bourse: ") + path + message),
             qPrintable(describe(run)));
    QVERIFY2(run.output.isEmpty(), qPrintable(describe(run)));
}

// Every error line of a scenario with two errors starts with the program's name.
void TerminalCommandLineTest::scenarioErrorsEachPrefixed()
{
    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    const QString path = directory.filePath(QStringLiteral("two.scenario"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("market seed 3 length 10min\n"
               "instrument ACME tick 0.01 lot 1 price 50.00\n"
               "at +1min news ACME 0\n"
               "at +2min trend ACME +5 over never\n");
    file.close();

    const Run run =
        runTerminal({QStringLiteral("-platform"), QStringLiteral("offscreen"),
                     QStringLiteral("--no-journal"), QStringLiteral("--scenario"), path});
    QVERIFY2(run.exitCode == 1, qPrintable(describe(run)));
    const QStringList lines = run.error.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QStringList errors;
    for (const QString &line : lines) {
        if (line.contains(QStringLiteral(": error: ")))
            errors.append(line);
    }
    QCOMPARE(errors.size(), qsizetype{2});
    QVERIFY2(errors[0].startsWith(QStringLiteral("bourse: ") + path + QStringLiteral(":3:")),
             qPrintable(errors[0]));
    QVERIFY2(errors[1].startsWith(QStringLiteral("bourse: ") + path + QStringLiteral(":4:")),
             qPrintable(errors[1]));
}

// A training scenario starts a new agent market, so a replay or a journal to continue beside
// it is a usage error, found before any window opens.
void TerminalCommandLineTest::scenarioWithOtherMarketExitsTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");

    QTest::newRow("scenario and replay")
        << QStringList{QStringLiteral("--scenario"), QStringLiteral("drought.scenario"),
                       QStringLiteral("--replay"), QStringLiteral("GOOG_message_10.csv")}
        << QStringLiteral("--scenario runs a simulated market, so it excludes --replay");
    QTest::newRow("scenario and journal")
        << QStringList{QStringLiteral("--scenario"), QStringLiteral("drought.scenario"),
                       QStringLiteral("--journal"), QStringLiteral("day.sqlite")}
        << QStringLiteral("--scenario starts a new agent market, so it excludes --journal and "
                          "--market");
    QTest::newRow("scenario and market flow")
        << QStringList{QStringLiteral("--scenario"), QStringLiteral("drought.scenario"),
                       QStringLiteral("--market"), QStringLiteral("synthetic")}
        << QStringLiteral("--scenario starts a new agent market, so it excludes --journal and "
                          "--market");
    QTest::newRow("scenario without a path")
        << QStringList{QStringLiteral("--scenario="), QStringLiteral("--no-journal")}
        << QStringLiteral("--scenario needs the path of a training scenario file");
}

void TerminalCommandLineTest::scenarioWithOtherMarketExitsTwo()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);

    const Run run = runTerminal(arguments);

    QVERIFY2(run.exitStatus == QProcess::NormalExit, qPrintable(describe(run)));
    QVERIFY2(run.exitCode == exitUsage, qPrintable(describe(run)));
    QVERIFY2(run.error.startsWith(QStringLiteral("bourse: ") + message), qPrintable(describe(run)));
    QVERIFY2(run.output.isEmpty(), qPrintable(describe(run)));
}

void TerminalCommandLineTest::connectOptionsParse()
{
    const bourse::app::ParsedCommandLine parsed = bourse::app::parseCommandLine(
        {QStringLiteral("bourse"), QStringLiteral("--connect"),
         QStringLiteral("tcp://desk-server:9000"), QStringLiteral("--server-key"),
         QStringLiteral("/keys/server.pub"), QStringLiteral("--key"), QStringLiteral("/keys/desk"),
         QStringLiteral("--account"), QStringLiteral("3,1"), QStringLiteral("--account"),
         QStringLiteral("2")},
        {QStringLiteral("Trading")});

    QCOMPARE(parsed.action, bourse::app::CommandLineAction::Run);
    QVERIFY(parsed.options.remote);
    const bourse::ui::RemoteSettings &remote = parsed.options.remoteSettings;
    QCOMPARE(remote.orderEntryEndpoint, QStringLiteral("tcp://desk-server:9000"));
    QCOMPARE(remote.serverKey, QStringLiteral("/keys/server.pub"));
    QCOMPARE(remote.keyPrefix, QStringLiteral("/keys/desk"));
    QCOMPARE(bourse::ui::formatAccountList(remote.accounts), QStringLiteral("3,1,2"));
}

// The key files are read when the terminal starts, and a missing one is named.
void TerminalCommandLineTest::connectMissingKeyFileExitsOne()
{
    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    const QString serverKey = directory.filePath(QStringLiteral("server.pub"));

    const Run run = runTerminal({QStringLiteral("-platform"), QStringLiteral("offscreen"),
                                 QStringLiteral("--no-journal"), QStringLiteral("--connect"),
                                 QStringLiteral("tcp://127.0.0.1:7401"),
                                 QStringLiteral("--server-key"), serverKey});

    QVERIFY2(run.exitStatus == QProcess::NormalExit, qPrintable(describe(run)));
    QVERIFY2(run.exitCode == 1, qPrintable(describe(run)));
    QVERIFY2(run.error.contains(QStringLiteral("bourse: Server public key file ") + serverKey),
             qPrintable(describe(run)));
}

// Each --connect pairs with the --server-key at the same place, and every engine takes the
// terminal's key pair and accounts.
void TerminalCommandLineTest::repeatedConnectNamesEngines()
{
    const bourse::app::ParsedCommandLine parsed = bourse::app::parseCommandLine(
        {QStringLiteral("bourse"), QStringLiteral("--connect"),
         QStringLiteral("tcp://127.0.0.1:7401"), QStringLiteral("--server-key"),
         QStringLiteral("/keys/left.pub"), QStringLiteral("--connect"),
         QStringLiteral("tcp://127.0.0.1:7411"), QStringLiteral("--server-key"),
         QStringLiteral("/keys/right.pub"), QStringLiteral("--key"), QStringLiteral("/keys/desk"),
         QStringLiteral("--account"), QStringLiteral("1,2")},
        {QStringLiteral("Trading")});

    QCOMPARE(parsed.action, bourse::app::CommandLineAction::Run);
    QVERIFY(parsed.options.remote);
    QCOMPARE(parsed.options.engines.size(), std::size_t{2});
    const bourse::ui::RemoteSettings &left = parsed.options.engines.at(0);
    const bourse::ui::RemoteSettings &right = parsed.options.engines.at(1);
    QCOMPARE(left.orderEntryEndpoint, QStringLiteral("tcp://127.0.0.1:7401"));
    QCOMPARE(left.serverKey, QStringLiteral("/keys/left.pub"));
    QCOMPARE(right.orderEntryEndpoint, QStringLiteral("tcp://127.0.0.1:7411"));
    QCOMPARE(right.serverKey, QStringLiteral("/keys/right.pub"));
    QCOMPARE(right.keyPrefix, QStringLiteral("/keys/desk"));
    QCOMPARE(bourse::ui::formatAccountList(right.accounts), QStringLiteral("1,2"));
}

// Endpoints after commas are the server's standbys, in order.
void TerminalCommandLineTest::connectTakesStandbys()
{
    const bourse::app::ParsedCommandLine parsed = bourse::app::parseCommandLine(
        {QStringLiteral("bourse"), QStringLiteral("--connect"),
         QStringLiteral("tcp://127.0.0.1:7401, tcp://127.0.0.1:7501,tcp://10.0.0.2:7401"),
         QStringLiteral("--server-key"), QStringLiteral("/keys/server.pub"),
         QStringLiteral("--key"), QStringLiteral("/keys/desk")},
        {QStringLiteral("Trading")});

    QCOMPARE(parsed.action, bourse::app::CommandLineAction::Run);
    const bourse::ui::RemoteSettings &remote = parsed.options.remoteSettings;
    QCOMPARE(remote.orderEntryEndpoint, QStringLiteral("tcp://127.0.0.1:7401"));
    QCOMPARE(remote.standbyEndpoints, (QStringList{QStringLiteral("tcp://127.0.0.1:7501"),
                                                   QStringLiteral("tcp://10.0.0.2:7401")}));
    QVERIFY(parsed.options.engines.empty());
}

// The engine list is read when the terminal starts, and a missing one is named.
void TerminalCommandLineTest::enginesListMissingExitsOne()
{
    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    const QString list = directory.filePath(QStringLiteral("engines.list"));

    const Run run =
        runTerminal({QStringLiteral("-platform"), QStringLiteral("offscreen"),
                     QStringLiteral("--no-journal"), QStringLiteral("--engines"), list});

    QVERIFY2(run.exitStatus == QProcess::NormalExit, qPrintable(describe(run)));
    QVERIFY2(run.exitCode == 1, qPrintable(describe(run)));
    QVERIFY2(run.error.contains(QStringLiteral("bourse: ") + list +
                                QStringLiteral(": error: cannot read the file")),
             qPrintable(describe(run)));
}

void TerminalCommandLineTest::hostOptionsParse_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("address");
    QTest::addColumn<int>("firstPort");
    QTest::addColumn<QString>("trainingFile");
    QTest::addColumn<qlonglong>("seed"); // -1: none
    QTest::addColumn<QString>("accounts");

    QTest::newRow("loopback port and seed")
        << QStringList{QStringLiteral("--host"),        QStringLiteral("127.0.0.1:17501"),
                       QStringLiteral("--seed"),        QStringLiteral("7"),
                       QStringLiteral("--access-list"), QStringLiteral("/keys/peers.access")}
        << QStringLiteral("127.0.0.1") << 17501 << QString() << qlonglong{7} << QStringLiteral("1");
    QTest::newRow("every address, system ports, scenario, accounts")
        << QStringList{QStringLiteral("--host"),        QStringLiteral("*"),
                       QStringLiteral("--scenario"),    QStringLiteral("/s/halt.scenario"),
                       QStringLiteral("--access-list"), QStringLiteral("/keys/peers.access"),
                       QStringLiteral("--account"),     QStringLiteral("3,2")}
        << QStringLiteral("*") << 0 << QStringLiteral("/s/halt.scenario") << qlonglong{-1}
        << QStringLiteral("3,2");
    QTest::newRow("tcp endpoint form")
        << QStringList{QStringLiteral("--host"), QStringLiteral("tcp://127.0.0.1:7401"),
                       QStringLiteral("--access-list"), QStringLiteral("/keys/peers.access")}
        << QStringLiteral("127.0.0.1") << 7401 << QString() << qlonglong{-1} << QStringLiteral("1");
}

void TerminalCommandLineTest::hostOptionsParse()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, address);
    QFETCH(int, firstPort);
    QFETCH(QString, trainingFile);
    QFETCH(qlonglong, seed);
    QFETCH(QString, accounts);

    arguments.prepend(QStringLiteral("bourse"));
    const bourse::app::ParsedCommandLine parsed =
        bourse::app::parseCommandLine(arguments, {QStringLiteral("Trading")});

    QVERIFY2(parsed.action == bourse::app::CommandLineAction::Run, qPrintable(parsed.text));
    QVERIFY(parsed.options.host);
    QVERIFY(!parsed.options.remote);
    const bourse::ui::HostSettings &host = parsed.options.hostSettings;
    QCOMPARE(host.address, address);
    QCOMPARE(host.firstPort, firstPort);
    QCOMPARE(host.peerAccessList, QStringLiteral("/keys/peers.access"));
    QCOMPARE(host.trainingFile, trainingFile);
    QCOMPARE(host.seed.has_value(), seed >= 0);
    if (seed >= 0)
        QCOMPARE(*host.seed, static_cast<std::uint64_t>(seed));
    QCOMPARE(bourse::ui::formatAccountList(host.accounts), accounts);
    QCOMPARE(host.keyPrefix, bourse::ui::defaultKeyPrefix());
}

QTEST_MAIN(TerminalCommandLineTest)
#include "tst_terminal_command_line.moc"

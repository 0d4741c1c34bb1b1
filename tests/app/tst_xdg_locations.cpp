// Runs the terminal and bourse-engine with HOME, the XDG base directories, TMPDIR and the working
// directory all in a temporary tree, and checks where their files go. Settings belong under
// XDG_CONFIG_HOME, journals under XDG_DATA_HOME and keys under XDG_CONFIG_HOME/bourse, with the
// spec's fallbacks under HOME when the variables are unset. Apart from those, a run may only
// write the files its command line names.

#include "program_run.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>

namespace {

using bourse::testing::ProgramRun;

const QString terminal = QStringLiteral(BOURSE_TERMINAL_PATH);
const QString engine = QStringLiteral(BOURSE_ENGINE_EXECUTABLE);

constexpr int timeoutMilliseconds = 30'000;

// The folders of the tree, relative to its root. The XDG ones are set in the environment.
struct Folder {
    const char *variable;
    const char *path;
};
constexpr Folder xdgFolders[] = {
    {"XDG_CONFIG_HOME", "xdg/config"},  {"XDG_DATA_HOME", "xdg/data"},
    {"XDG_STATE_HOME", "xdg/state"},    {"XDG_CACHE_HOME", "xdg/cache"},
    {"XDG_RUNTIME_DIR", "xdg/runtime"},
};
constexpr const char *otherFolders[] = {"home", "tmp", "work", "in", "out"};

// A relative path names `entry` itself or something inside it.
bool isWithin(const QString &path, const QString &entry)
{
    return path == entry || path.startsWith(entry + QLatin1Char('/'));
}

} // namespace

class XdgLocationsTest : public QObject {
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void terminalRunWritesUnderXdg();
    void terminalScreenshotWritesOnlyTheImage();
    void terminalHostKeysUnderConfigHome();
    void terminalFallsBackToHome();
    void terminalIgnoresRelativeXdgPaths();
    void terminalWithoutHomeWritesNothing();
    void keygenDefaultUnderConfigHome();
    void keygenFallsBackToHome_data();
    void keygenFallsBackToHome();
    void engineCommandsWriteOnlyNamedFiles();

private:
    QString path(const QString &relative) const { return m_root->filePath(relative); }
    QProcessEnvironment environment() const;
    QSet<QString> entries() const;
    void snapshot() { m_before = entries(); }
    QString unexpectedEntries(const QStringList &allowed) const;
    ProgramRun runEngine(const QStringList &arguments,
                         const QProcessEnvironment &environment) const;
    ProgramRun runTerminalUntilJournal(const QProcessEnvironment &environment,
                                       const QString &journalFolder) const;

    std::unique_ptr<QTemporaryDir> m_root;
    QSet<QString> m_before;
};

void XdgLocationsTest::init()
{
    m_root = std::make_unique<QTemporaryDir>();
    QVERIFY(m_root->isValid());
    for (const Folder &folder : xdgFolders)
        QVERIFY(QDir(m_root->path()).mkpath(QString::fromLatin1(folder.path)));
    for (const char *folder : otherFolders)
        QVERIFY(QDir(m_root->path()).mkpath(QString::fromLatin1(folder)));
    // The XDG spec requires the runtime directory to be accessible to its owner alone.
    QVERIFY(QFile::setPermissions(path(QStringLiteral("xdg/runtime")), QFileDevice::ReadOwner |
                                                                           QFileDevice::WriteOwner |
                                                                           QFileDevice::ExeOwner));
}

void XdgLocationsTest::cleanup()
{
    m_root.reset();
    m_before.clear();
}

QProcessEnvironment XdgLocationsTest::environment() const
{
    QProcessEnvironment environment = bourse::testing::environmentWithoutDisplay();
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    environment.insert(QStringLiteral("HOME"), path(QStringLiteral("home")));
    environment.insert(QStringLiteral("TMPDIR"), path(QStringLiteral("tmp")));
    for (const Folder &folder : xdgFolders)
        environment.insert(QString::fromLatin1(folder.variable),
                           path(QString::fromLatin1(folder.path)));
    return environment;
}

// Every file and folder of the tree, relative to its root, hidden ones included.
QSet<QString> XdgLocationsTest::entries() const
{
    QSet<QString> found;
    QDirIterator iterator(m_root->path(),
                          QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                          QDirIterator::Subdirectories);
    const QDir root(m_root->path());
    while (iterator.hasNext())
        found.insert(root.relativeFilePath(iterator.next()));
    return found;
}

// The entries made since snapshot() outside the XDG folders and outside `allowed`, separated by
// spaces, so that a failed comparison with an empty string prints them.
QString XdgLocationsTest::unexpectedEntries(const QStringList &allowed) const
{
    QStringList unexpected;
    for (const QString &entry : entries()) {
        if (m_before.contains(entry) || isWithin(entry, QStringLiteral("xdg")))
            continue;
        // A named file's companions start with its name, such as FILE-wal; the folders that
        // lead to a named path are made with it.
        const bool named = std::any_of(allowed.begin(), allowed.end(), [&entry](const QString &a) {
            return entry.startsWith(a) || a.startsWith(entry + QLatin1Char('/'));
        });
        if (!named)
            unexpected.append(entry);
    }
    unexpected.sort();
    return unexpected.join(QLatin1Char(' '));
}

ProgramRun XdgLocationsTest::runEngine(const QStringList &arguments,
                                       const QProcessEnvironment &environment) const
{
    return bourse::testing::runProgram(engine, arguments, environment, path(QStringLiteral("work")),
                                       timeoutMilliseconds);
}

// Runs the terminal on its default simulated market until a journal appears in `journalFolder`,
// then stops it with SIGTERM, which quits as closing the window does and saves the settings.
ProgramRun XdgLocationsTest::runTerminalUntilJournal(const QProcessEnvironment &environment,
                                                     const QString &journalFolder) const
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.setWorkingDirectory(path(QStringLiteral("work")));
    process.start(terminal, {});
    ProgramRun run;
    if (!process.waitForStarted(timeoutMilliseconds)) {
        run.error = process.errorString();
        return run;
    }
    const QDir journals(path(journalFolder));
    QDeadlineTimer deadline(timeoutMilliseconds);
    while (journals.entryList({QStringLiteral("*.sqlite")}, QDir::Files).isEmpty() &&
           !deadline.hasExpired() && process.state() == QProcess::Running)
        process.waitForFinished(100);
    process.terminate();
    if (!process.waitForFinished(timeoutMilliseconds)) {
        process.kill();
        process.waitForFinished();
        run.timedOut = true;
    }
    run.exitCode = process.exitCode();
    run.crashed = process.exitStatus() == QProcess::CrashExit;
    run.output = QString::fromLocal8Bit(process.readAllStandardOutput());
    run.error = QString::fromLocal8Bit(process.readAllStandardError());
    return run;
}

void XdgLocationsTest::terminalRunWritesUnderXdg()
{
    const QString journals = QStringLiteral("xdg/data/Bourse/Bourse/journals");
    snapshot();

    const ProgramRun run = runTerminalUntilJournal(environment(), journals);

    QVERIFY2(run.exitCode == 0 && !run.crashed && !run.timedOut, qPrintable(run.describe()));
    QVERIFY2(!QDir(path(journals)).entryList({QStringLiteral("*.sqlite")}, QDir::Files).isEmpty(),
             qPrintable(entries().values().join(QLatin1Char(' '))));
    QVERIFY(QFileInfo::exists(path(QStringLiteral("xdg/config/Bourse/Bourse.conf"))));
    QCOMPARE(unexpectedEntries({}), QString());
}

void XdgLocationsTest::terminalScreenshotWritesOnlyTheImage()
{
    const QString image = QStringLiteral("out/window.png");
    snapshot();

    const ProgramRun run = bourse::testing::runProgram(
        terminal,
        {QStringLiteral("--screenshot"), path(image), QStringLiteral("--after-ms"),
         QStringLiteral("200")},
        environment(), path(QStringLiteral("work")), timeoutMilliseconds);

    QVERIFY2(run.exitCode == 0 && !run.crashed, qPrintable(run.describe()));
    QVERIFY(QFileInfo(path(image)).size() > 0);
    QCOMPARE(unexpectedEntries({image}), QString());
}

// --host reads or makes the terminal's key pair and the server's under XDG_CONFIG_HOME/bourse,
// and writes the server's access list there.
void XdgLocationsTest::terminalHostKeysUnderConfigHome()
{
    QFile peers(path(QStringLiteral("in/peers.access")));
    QVERIFY(peers.open(QIODevice::WriteOnly));
    peers.close();
    snapshot();

    const ProgramRun run = bourse::testing::runProgram(
        terminal,
        {QStringLiteral("--host"), QStringLiteral("127.0.0.1"), QStringLiteral("--access-list"),
         peers.fileName(), QStringLiteral("--screenshot"), path(QStringLiteral("out/host.png")),
         QStringLiteral("--after-ms"), QStringLiteral("200")},
        environment(), path(QStringLiteral("work")), timeoutMilliseconds);

    QVERIFY2(run.exitCode == 0 && !run.crashed, qPrintable(run.describe()));
    for (const char *file : {"keys/curve.key", "keys/curve.pub", "host/server.key",
                             "host/server.pub", "host/host.access"}) {
        QVERIFY2(QFileInfo::exists(path(QStringLiteral("xdg/config/bourse/") + file)), file);
    }
    QCOMPARE(QFile::permissions(path(QStringLiteral("xdg/config/bourse/keys/curve.key"))) & 0x0077,
             QFileDevice::Permissions());
    QCOMPARE(unexpectedEntries({QStringLiteral("out/host.png")}), QString());
}

// Without the XDG variables Qt uses the spec's defaults, ~/.config and ~/.local/share.
void XdgLocationsTest::terminalFallsBackToHome()
{
    QProcessEnvironment environment = this->environment();
    for (const Folder &folder : xdgFolders) {
        if (QByteArray(folder.variable) != "XDG_RUNTIME_DIR")
            environment.remove(QString::fromLatin1(folder.variable));
    }
    const QString journals = QStringLiteral("home/.local/share/Bourse/Bourse/journals");
    snapshot();

    const ProgramRun run = runTerminalUntilJournal(environment, journals);

    QVERIFY2(run.exitCode == 0 && !run.crashed && !run.timedOut, qPrintable(run.describe()));
    QVERIFY(!QDir(path(journals)).entryList({QStringLiteral("*.sqlite")}, QDir::Files).isEmpty());
    QVERIFY(QFileInfo::exists(path(QStringLiteral("home/.config/Bourse/Bourse.conf"))));
    QCOMPARE(unexpectedEntries({QStringLiteral("home/.config"), QStringLiteral("home/.local/share"),
                                QStringLiteral("home/.cache")}),
             QString());
}

// The specification requires a relative path to be ignored, so nothing lands under the working
// folder.
void XdgLocationsTest::terminalIgnoresRelativeXdgPaths()
{
    QProcessEnvironment environment = this->environment();
    for (const Folder &folder : xdgFolders) {
        if (QByteArray(folder.variable) != "XDG_RUNTIME_DIR")
            environment.insert(QString::fromLatin1(folder.variable), QStringLiteral("relative"));
    }
    const QString journals = QStringLiteral("home/.local/share/Bourse/Bourse/journals");
    snapshot();

    const ProgramRun run = runTerminalUntilJournal(environment, journals);

    QVERIFY2(run.exitCode == 0 && !run.crashed && !run.timedOut, qPrintable(run.describe()));
    QVERIFY(!QDir(path(journals)).entryList({QStringLiteral("*.sqlite")}, QDir::Files).isEmpty());
    QVERIFY(!QFileInfo::exists(path(QStringLiteral("work/relative"))));
    QCOMPARE(unexpectedEntries({QStringLiteral("home/.config"), QStringLiteral("home/.local/share"),
                                QStringLiteral("home/.cache")}),
             QString());
}

// Without HOME or absolute XDG folders there is nowhere to keep settings and journals, and Qt
// would use the file system's root: the terminal refuses to start and names the variable.
void XdgLocationsTest::terminalWithoutHomeWritesNothing()
{
    QProcessEnvironment environment = this->environment();
    environment.remove(QStringLiteral("HOME"));
    environment.remove(QStringLiteral("XDG_DATA_HOME"));
    snapshot();

    const ProgramRun run = bourse::testing::runProgram(
        terminal, {}, environment, path(QStringLiteral("work")), timeoutMilliseconds);

    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.error.contains(QStringLiteral("set HOME")), qPrintable(run.describe()));
    QCOMPARE(unexpectedEntries({}), QString());
}

void XdgLocationsTest::keygenDefaultUnderConfigHome()
{
    snapshot();

    const ProgramRun run = runEngine({QStringLiteral("keygen")}, environment());

    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    const QString key = path(QStringLiteral("xdg/config/bourse/keys/curve.key"));
    QVERIFY(run.output.contains(key));
    QVERIFY(QFileInfo::exists(key));
    QVERIFY(QFileInfo::exists(path(QStringLiteral("xdg/config/bourse/keys/curve.pub"))));
    QCOMPARE(QFile::permissions(key) & 0x0077, QFileDevice::Permissions());
    QCOMPARE(unexpectedEntries({}), QString());
}

void XdgLocationsTest::keygenFallsBackToHome_data()
{
    QTest::addColumn<QString>("configHome"); // "-" removes the variable

    QTest::newRow("unset") << QStringLiteral("-");
    QTest::newRow("empty") << QString();
    // The spec says to ignore a relative path, so nothing lands under the working directory.
    QTest::newRow("relative") << QStringLiteral("config");
}

void XdgLocationsTest::keygenFallsBackToHome()
{
    QFETCH(QString, configHome);
    QProcessEnvironment environment = this->environment();
    if (configHome == QStringLiteral("-"))
        environment.remove(QStringLiteral("XDG_CONFIG_HOME"));
    else
        environment.insert(QStringLiteral("XDG_CONFIG_HOME"), configHome);
    snapshot();

    const ProgramRun run = runEngine({QStringLiteral("keygen")}, environment);

    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    QVERIFY(QFileInfo::exists(path(QStringLiteral("home/.config/bourse/keys/curve.key"))));
    QCOMPARE(unexpectedEntries({QStringLiteral("home/.config")}), QString());
    QVERIFY(QDir(path(QStringLiteral("xdg/config"))).isEmpty());
}

// Commands with a journal, an export and a report write those files, with the companions a
// journal keeps beside itself, and nothing else.
void XdgLocationsTest::engineCommandsWriteOnlyNamedFiles()
{
    QFile scenario(path(QStringLiteral("in/trade.scenario")));
    QVERIFY(scenario.open(QIODevice::WriteOnly));
    scenario.write("instrument ABC tick 0.01 lot 1\n"
                   "account alice\n"
                   "account bob\n"
                   "sell ABC 50 @ 10.00 as S1 account bob\n"
                   "buy ABC 50 @ 10.00 as B1 account alice\n");
    scenario.close();
    const QString journal = path(QStringLiteral("out/trade.journal"));
    snapshot();

    const QList<QStringList> commands = {
        {QStringLiteral("run"), scenario.fileName(), QStringLiteral("--journal"), journal},
        {QStringLiteral("journal"), QStringLiteral("verify"), journal},
        {QStringLiteral("journal"), QStringLiteral("export"), journal, QStringLiteral("--format"),
         QStringLiteral("csv"), QStringLiteral("--output"), path(QStringLiteral("out/events.csv"))},
        {QStringLiteral("journal"), QStringLiteral("rebuild"), journal},
        {QStringLiteral("report"), journal, QStringLiteral("--output"),
         path(QStringLiteral("out/report.html"))},
        {QStringLiteral("sim"), QStringLiteral("--journal"),
         path(QStringLiteral("out/sim.journal")), QStringLiteral("--seconds"), QStringLiteral("1")},
    };
    for (const QStringList &arguments : commands) {
        const ProgramRun run = runEngine(arguments, environment());
        QVERIFY2(run.exitCode == 0, qPrintable(arguments.join(QLatin1Char(' ')) +
                                               QStringLiteral(": ") + run.describe()));
    }

    QVERIFY(QFileInfo(path(QStringLiteral("out/events.csv"))).size() > 0);
    QVERIFY(QFileInfo(path(QStringLiteral("out/report.html"))).size() > 0);
    QCOMPARE(
        unexpectedEntries({QStringLiteral("out/trade.journal"), QStringLiteral("out/events.csv"),
                           QStringLiteral("out/report.html"), QStringLiteral("out/sim.journal")}),
        QString());
    // bourse-engine has no default data of its own: these commands touch no XDG folder either.
    for (const Folder &folder : xdgFolders)
        QVERIFY2(QDir(path(QString::fromLatin1(folder.path))).isEmpty(), folder.path);
}

QTEST_GUILESS_MAIN(XdgLocationsTest)

#include "tst_xdg_locations.moc"

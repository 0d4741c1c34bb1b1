// The conventions every Bourse executable follows on its command line. --help and --version work
// on the program and on each of its commands, print on standard output and exit with 0. The
// exit status of bourse-engine is 2 for a usage error, 3 for a missing, malformed or unwritable
// file, and 70 for an exception that no command handled.

#include "commands.h"
#include "program_run.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sstream>
#include <stdexcept>

namespace {

using bourse::testing::ProgramRun;
using bourse::testing::runProgram;

const QString terminal = QStringLiteral(BOURSE_TERMINAL_PATH);
const QString engine = QStringLiteral(BOURSE_ENGINE_EXECUTABLE);
const QString bench = QStringLiteral(BOURSE_BENCH_EXECUTABLE);

constexpr int usageError = 2;
constexpr int inputError = 3;

using bourse::testing::engineCommands;

// Every command of bourse-bench, as the words that name it.
const QList<QStringList> &benchCommands()
{
    static const QList<QStringList> commands = {
        {},
        {QStringLiteral("engine")},
        {QStringLiteral("journal")},
        {QStringLiteral("net")},
        {QStringLiteral("feed")},
        {QStringLiteral("replication")},
    };
    return commands;
}

QString rowName(const QString &program, const QStringList &arguments)
{
    return QStringList{QDir(program).dirName(), arguments.join(QLatin1Char(' '))}
        .join(QLatin1Char(' '))
        .trimmed();
}

} // namespace

class CommandLineConventionsTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void helpPrintsUsageOnStdout_data();
    void helpPrintsUsageOnStdout();
    void versionPrintsOneLine_data();
    void versionPrintsOneLine();
    void usageErrorExitsTwo_data();
    void usageErrorExitsTwo();
    void badInputExitsThree_data();
    void badInputExitsThree();
    void unwritableStandardOutputExitsThree();
    void escapedExceptionIsInternalFailure_data();
    void escapedExceptionIsInternalFailure();
    void statusOfCommandPassesThrough();

private:
    QString write(const QString &name, const QByteArray &content);

    QTemporaryDir m_folder;
    QString m_journal; // a journal of a short scenario run
};

void CommandLineConventionsTest::initTestCase()
{
    QVERIFY(m_folder.isValid());
    const QString scenario =
        write(QStringLiteral("trade.scenario"),
              "instrument ABC tick 0.01 lot 1\n"
              "account alice\n"
              "account bob\n"
              "sell ABC 50 @ 10.00 as S1 account bob\n"
              "buy ABC 50 @ 10.00 as B1 account alice\n"
              "expect trade ABC 50 @ 10.00 maker S1 taker B1 buy maker-left 0\n");
    m_journal = m_folder.filePath(QStringLiteral("trade.journal"));
    const ProgramRun run = runProgram(
        engine, {QStringLiteral("run"), scenario, QStringLiteral("--journal"), m_journal});
    QVERIFY2(run.exitCode == 0 && !run.crashed, qPrintable(run.describe()));
}

QString CommandLineConventionsTest::write(const QString &name, const QByteArray &content)
{
    const QString path = m_folder.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

void CommandLineConventionsTest::helpPrintsUsageOnStdout_data()
{
    QTest::addColumn<QString>("program");
    QTest::addColumn<QStringList>("arguments");

    for (const QString &option : {QStringLiteral("--help"), QStringLiteral("-h")}) {
        for (const QStringList &command : engineCommands())
            QTest::newRow(qPrintable(rowName(engine, command + QStringList{option})))
                << engine << command + QStringList{option};
        for (const QStringList &command : benchCommands())
            QTest::newRow(qPrintable(rowName(bench, command + QStringList{option})))
                << bench << command + QStringList{option};
        QTest::newRow(qPrintable(rowName(terminal, {option}))) << terminal << QStringList{option};
    }
    // --help wins over an option the command would otherwise reject, and over --version.
    QTest::newRow("bourse-engine replay --help after other options")
        << engine
        << QStringList{QStringLiteral("replay"), QStringLiteral("--json"),
                       QStringLiteral("--help")};
    QTest::newRow("bourse-engine --version --help")
        << engine << QStringList{QStringLiteral("--version"), QStringLiteral("--help")};
}

void CommandLineConventionsTest::helpPrintsUsageOnStdout()
{
    QFETCH(QString, program);
    QFETCH(QStringList, arguments);

    const ProgramRun run = runProgram(program, arguments);

    QVERIFY2(run.exitCode == 0 && !run.crashed, qPrintable(run.describe()));
    QVERIFY2(run.output.startsWith(QStringLiteral("usage: "), Qt::CaseInsensitive),
             qPrintable(run.describe()));
    QVERIFY2(run.error.isEmpty(), qPrintable(run.describe()));
}

void CommandLineConventionsTest::versionPrintsOneLine_data()
{
    QTest::addColumn<QString>("program");
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expected");

    const QString version = QStringLiteral(BOURSE_VERSION);
    const QString option = QStringLiteral("--version");
    for (const QStringList &command : engineCommands())
        QTest::newRow(qPrintable(rowName(engine, command + QStringList{option})))
            << engine << command + QStringList{option}
            << QStringLiteral("bourse-engine %1\n").arg(version);
    for (const QStringList &command : benchCommands())
        QTest::newRow(qPrintable(rowName(bench, command + QStringList{option})))
            << bench << command + QStringList{option}
            << QStringLiteral("bourse-bench %1\n").arg(version);
    // The terminal names itself by its application name, as its window title does.
    QTest::newRow("bourse --version")
        << terminal << QStringList{option} << QStringLiteral("Bourse %1\n").arg(version);
    QTest::newRow("bourse-engine replay --json --version")
        << engine << QStringList{QStringLiteral("replay"), QStringLiteral("--json"), option}
        << QStringLiteral("bourse-engine %1\n").arg(version);
    QTest::newRow("bourse-engine replay with options --version")
        << engine
        << QStringList{QStringLiteral("replay"), QStringLiteral("--lobster"),
                       QStringLiteral("missing.csv"), option}
        << QStringLiteral("bourse-engine %1\n").arg(version);
}

void CommandLineConventionsTest::versionPrintsOneLine()
{
    QFETCH(QString, program);
    QFETCH(QStringList, arguments);
    QFETCH(QString, expected);

    const ProgramRun run = runProgram(program, arguments);

    QVERIFY2(run.exitCode == 0 && !run.crashed, qPrintable(run.describe()));
    QCOMPARE(run.output, expected);
    QVERIFY2(run.error.isEmpty(), qPrintable(run.describe()));
}

void CommandLineConventionsTest::usageErrorExitsTwo_data()
{
    QTest::addColumn<QString>("program");
    QTest::addColumn<QStringList>("arguments");

    const auto row = [](const QString &program, const QStringList &arguments) {
        QTest::newRow(qPrintable(rowName(program, arguments))) << program << arguments;
    };
    const QString bogus = QStringLiteral("--bogus");
    row(engine, {});
    row(engine, {QStringLiteral("frobnicate")});
    row(engine, {bogus});
    for (const QStringList &command : engineCommands()) {
        if (!command.isEmpty())
            row(engine, command + QStringList{bogus});
    }
    row(engine, {QStringLiteral("replay")});
    row(engine, {QStringLiteral("replay"), QStringLiteral("--lobster")});
    row(engine, {QStringLiteral("replay"), QStringLiteral("--lobster"), QStringLiteral("m.csv"),
                 QStringLiteral("--levels"), QStringLiteral("0")});
    row(engine, {QStringLiteral("journal")});
    row(engine, {QStringLiteral("journal"), QStringLiteral("frobnicate")});
    row(engine, {QStringLiteral("journal"), QStringLiteral("verify")});
    row(engine, {QStringLiteral("journal"), QStringLiteral("inspect")});
    row(engine, {QStringLiteral("journal"), QStringLiteral("export"), QStringLiteral("j")});
    row(engine, {QStringLiteral("journal"), QStringLiteral("records")});
    row(engine, {QStringLiteral("run")});
    row(engine, {QStringLiteral("sim")});
    row(engine, {QStringLiteral("sim"), QStringLiteral("--events"), QStringLiteral("many")});
    row(engine, {QStringLiteral("report")});
    row(engine, {QStringLiteral("report"), QStringLiteral("j")});
    row(engine, {QStringLiteral("keygen"), QStringLiteral("--out")});
    // --version in the place of a value is that value, not a request for the version.
    row(engine,
        {QStringLiteral("replay"), QStringLiteral("--lobster"), QStringLiteral("--version")});
    row(engine, {QStringLiteral("keygen"), QStringLiteral("--out"), QStringLiteral("--version")});
    row(engine, {QStringLiteral("serve")});
    row(engine, {QStringLiteral("serve"), QStringLiteral("--config")});

    row(bench, {});
    row(bench, {QStringLiteral("frobnicate")});
    row(bench, {QStringLiteral("engine"), bogus});
    row(bench, {QStringLiteral("journal"), bogus});
    row(terminal, {bogus});
}

void CommandLineConventionsTest::usageErrorExitsTwo()
{
    QFETCH(QString, program);
    QFETCH(QStringList, arguments);

    const ProgramRun run = runProgram(
        program, arguments, bourse::testing::environmentWithoutDisplay(), m_folder.path());

    QVERIFY2(run.exitCode == usageError && !run.crashed, qPrintable(run.describe()));
    QVERIFY2(!run.error.isEmpty(), qPrintable(run.describe()));
    QVERIFY2(run.output.isEmpty(), qPrintable(run.describe()));
}

void CommandLineConventionsTest::badInputExitsThree_data()
{
    QTest::addColumn<QStringList>("arguments");

    const QString missing = m_folder.filePath(QStringLiteral("missing"));
    const QString text = write(QStringLiteral("text.txt"), "this is not what the command reads\n");
    const QString scenario = write(QStringLiteral("bad.scenario"), "instrument\nfrobnicate ABC\n");
    const QString config = write(QStringLiteral("bad.conf"), "frobnicate 1\n");
    const QString output = m_folder.filePath(QStringLiteral("report.html"));
    const QString unwritable = m_folder.filePath(QStringLiteral("missing/report.html"));

    const auto row = [](const QByteArray &name, const QStringList &arguments) {
        QTest::newRow(name.constData()) << arguments;
    };
    for (const auto &[file, kind] : {std::pair{missing, "missing"}, std::pair{text, "malformed"}}) {
        const auto named = [kind](const char *command) {
            return QByteArray(command) + ", " + kind + " file";
        };
        row(named("replay"), {QStringLiteral("replay"), QStringLiteral("--lobster"), file});
        for (const char *action : {"replay", "verify", "recover", "rebuild", "records", "inspect"})
            row(named(QByteArray("journal ") + action),
                {QStringLiteral("journal"), QString::fromLatin1(action), file});
        row(named("journal export"), {QStringLiteral("journal"), QStringLiteral("export"), file,
                                      QStringLiteral("--format"), QStringLiteral("csv")});
        row(named("report"), {QStringLiteral("report"), file, QStringLiteral("--output"), output});
        row(named("sim --journal"), {QStringLiteral("sim"), QStringLiteral("--journal"),
                                     file == missing ? unwritable : file,
                                     QStringLiteral("--seconds"), QStringLiteral("1")});
    }
    row("run, missing file", {QStringLiteral("run"), missing});
    row("run, malformed file", {QStringLiteral("run"), scenario});
    row("sim --scenario, missing file",
        {QStringLiteral("sim"), QStringLiteral("--scenario"), missing, QStringLiteral("--events"),
         QStringLiteral("10")});
    row("sim --scenario, malformed file",
        {QStringLiteral("sim"), QStringLiteral("--scenario"), scenario, QStringLiteral("--events"),
         QStringLiteral("10")});
    row("serve, missing file", {QStringLiteral("serve"), QStringLiteral("--config"), missing});
    row("serve, malformed file", {QStringLiteral("serve"), QStringLiteral("--config"), config});
    row("keygen, missing folder",
        {QStringLiteral("keygen"), QStringLiteral("--out"), missing + QStringLiteral("/key")});
    row("report, unwritable output",
        {QStringLiteral("report"), m_journal, QStringLiteral("--output"), unwritable});
    row("journal export, unwritable output",
        {QStringLiteral("journal"), QStringLiteral("export"), m_journal, QStringLiteral("--format"),
         QStringLiteral("csv"), QStringLiteral("--output"), unwritable});
}

void CommandLineConventionsTest::badInputExitsThree()
{
    QFETCH(QStringList, arguments);

    const ProgramRun run = runProgram(
        engine, arguments, bourse::testing::environmentWithoutDisplay(), m_folder.path());

    QVERIFY2(run.exitCode == inputError && !run.crashed, qPrintable(run.describe()));
    QVERIFY2(!run.error.isEmpty(), qPrintable(run.describe()));
}

// A write error on standard output, here a full device, is an error of the run: GNU programs
// report it too, so a pipeline does not take a truncated output for a complete one.
void CommandLineConventionsTest::unwritableStandardOutputExitsThree()
{
    if (!QFile::exists(QStringLiteral("/dev/full")))
        QSKIP("this system has no /dev/full");
    QProcess process;
    process.setStandardOutputFile(QStringLiteral("/dev/full"));
    process.start(engine, {QStringLiteral("--help")});
    QVERIFY(process.waitForFinished(30'000));
    const QString error = QString::fromLocal8Bit(process.readAllStandardError());

    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), inputError);
    QCOMPARE(error, QStringLiteral("bourse-engine: cannot write to standard output\n"));

    // The terminal's statuses are 0, 1 and 2: a failure is 1.
    QProcess terminalProcess;
    terminalProcess.setProcessEnvironment(bourse::testing::environmentWithoutDisplay());
    terminalProcess.setStandardOutputFile(QStringLiteral("/dev/full"));
    terminalProcess.start(terminal, {QStringLiteral("--version")});
    QVERIFY(terminalProcess.waitForFinished(30'000));
    QCOMPARE(terminalProcess.exitCode(), 1);
    QCOMPARE(QString::fromLocal8Bit(terminalProcess.readAllStandardError()),
             QStringLiteral("bourse: cannot write to standard output\n"));
}

void CommandLineConventionsTest::escapedExceptionIsInternalFailure_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("expected");

    QTest::newRow("std::runtime_error")
        << 0 << QStringLiteral("bourse-engine: internal error: the ledger is gone\n");
    QTest::newRow("std::bad_alloc")
        << 1 << QStringLiteral("bourse-engine: internal error: std::bad_alloc\n");
    QTest::newRow("not a std::exception")
        << 2 << QStringLiteral("bourse-engine: internal error: an exception of unknown type\n");
}

void CommandLineConventionsTest::escapedExceptionIsInternalFailure()
{
    QFETCH(int, kind);
    QFETCH(QString, expected);

    std::ostringstream errors;
    const int status = bourse::cli::runReportingExceptions(
        [kind]() -> int {
            if (kind == 0)
                throw std::runtime_error("the ledger is gone");
            if (kind == 1)
                throw std::bad_alloc();
            throw 42;
        },
        errors);

    QCOMPARE(status, 70);
    QCOMPARE(QString::fromStdString(errors.str()), expected);
}

void CommandLineConventionsTest::statusOfCommandPassesThrough()
{
    std::ostringstream errors;
    const int status = bourse::cli::runReportingExceptions([] { return 5; }, errors);

    QCOMPARE(status, 5);
    QVERIFY(errors.str().empty());
}

QTEST_GUILESS_MAIN(CommandLineConventionsTest)

#include "tst_command_line_conventions.moc"

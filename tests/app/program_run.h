#pragma once

// Runs one of the Bourse executables and keeps what it printed, for the tests of the
// command-line conventions that every executable shares.

#include <QList>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace bourse::testing {

// How a run ended, with its standard output and standard error.
struct ProgramRun {
    int exitCode = -1;
    bool crashed = false;
    bool timedOut = false;
    QString output;
    QString error;

    QString describe() const
    {
        const QString end = timedOut  ? QStringLiteral("timed out")
                            : crashed ? QStringLiteral("crashed")
                                      : QStringLiteral("exit %1").arg(exitCode);
        return QStringLiteral("%1, stdout: [%2], stderr: [%3]").arg(end, output, error);
    }
};

// The environment of the test without a display, so that a program that needs one before it
// reads its command line fails, and without logging rules that would change what it prints.
inline QProcessEnvironment environmentWithoutDisplay()
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "QT_LOGGING_RULES"})
        environment.remove(QString::fromLatin1(name));
    return environment;
}

// Every command of bourse-engine, as the words that name it; the empty list is the program.
inline const QList<QStringList> &engineCommands()
{
    static const QList<QStringList> commands = {
        {},
        {QStringLiteral("replay")},
        {QStringLiteral("journal")},
        {QStringLiteral("journal"), QStringLiteral("replay")},
        {QStringLiteral("journal"), QStringLiteral("verify")},
        {QStringLiteral("journal"), QStringLiteral("recover")},
        {QStringLiteral("journal"), QStringLiteral("rebuild")},
        {QStringLiteral("journal"), QStringLiteral("records")},
        {QStringLiteral("journal"), QStringLiteral("inspect")},
        {QStringLiteral("journal"), QStringLiteral("export")},
        {QStringLiteral("run")},
        {QStringLiteral("sim")},
        {QStringLiteral("report")},
        {QStringLiteral("keygen")},
        {QStringLiteral("serve")},
        {QStringLiteral("follow")},
        {QStringLiteral("feed")},
        {QStringLiteral("listen")},
    };
    return commands;
}

// Runs `program` with `arguments` and waits up to `timeoutMilliseconds` for it to exit; a program
// still running then is killed. An empty `workingDirectory` keeps the test's own.
inline ProgramRun runProgram(const QString &program, const QStringList &arguments,
                             const QProcessEnvironment &environment = environmentWithoutDisplay(),
                             const QString &workingDirectory = QString(),
                             int timeoutMilliseconds = 30'000)
{
    QProcess process;
    process.setProcessEnvironment(environment);
    if (!workingDirectory.isEmpty())
        process.setWorkingDirectory(workingDirectory);
    process.start(program, arguments);
    ProgramRun run;
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

} // namespace bourse::testing

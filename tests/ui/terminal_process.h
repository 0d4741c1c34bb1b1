#pragma once

// Runs the bourse executable, whose path the test target sets as BOURSE_TERMINAL_PATH.

#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace bourse::testing {

// How a run of the terminal ended, with what it wrote.
struct TerminalRun {
    int exitCode = -1;
    QProcess::ExitStatus exitStatus = QProcess::CrashExit;
    QString output;
    QString error; // standard error, or "timed out"
};

// Runs the terminal with `arguments` in `environment` and waits for it to exit. A terminal still
// running after `timeoutMilliseconds` is killed, and its run has only `error` set.
inline TerminalRun runTerminalProcess(const QStringList &arguments,
                                      const QProcessEnvironment &environment,
                                      int timeoutMilliseconds)
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(BOURSE_TERMINAL_PATH), arguments);
    TerminalRun run;
    if (!process.waitForFinished(timeoutMilliseconds)) {
        process.kill();
        process.waitForFinished();
        run.error = QStringLiteral("timed out");
        return run;
    }
    run.exitCode = process.exitCode();
    run.exitStatus = process.exitStatus();
    run.output = QString::fromLocal8Bit(process.readAllStandardOutput());
    run.error = QString::fromLocal8Bit(process.readAllStandardError());
    return run;
}

// The environment of the test with logging rules removed, so that the terminal logs at its own
// defaults whatever the person running the tests has set.
inline QProcessEnvironment environmentWithoutLoggingRules()
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("QT_LOGGING_RULES"));
    return environment;
}

} // namespace bourse::testing

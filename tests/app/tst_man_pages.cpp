// Checks the hand-written man pages installer/man/bourse.1 and bourse-engine.1 against the
// programs. Every option that a --help lists, every command and every exit status appears in
// the page, and its title carries the project version. groff and man format it without a
// warning, which is the check lintian makes on a package's man pages.

#include "program_run.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTest>

namespace {

using bourse::testing::ProgramRun;
using bourse::testing::runProgram;

const QString terminal = QStringLiteral(BOURSE_TERMINAL_PATH);
const QString engine = QStringLiteral(BOURSE_ENGINE_EXECUTABLE);

QString manPage(const char *name)
{
    return QDir(QStringLiteral(BOURSE_MAN_DIR)).filePath(QString::fromLatin1(name));
}

QString readText(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

// The text of section `name` of a man page source: the lines after its .SH line up to the next.
QString section(const QString &source, const QString &name)
{
    const QRegularExpression heading(
        QStringLiteral("^\\.SH \"?%1\"?$").arg(QRegularExpression::escape(name)),
        QRegularExpression::MultilineOption);
    const QRegularExpressionMatch start = heading.match(source);
    if (!start.hasMatch())
        return {};
    const qsizetype end = source.indexOf(QStringLiteral("\n.SH "), start.capturedEnd());
    return source.mid(start.capturedEnd(), end < 0 ? -1 : end - start.capturedEnd());
}

// The long options a help text names, such as --journal-dir, each once.
QStringList longOptions(const QString &help)
{
    static const QRegularExpression option(QStringLiteral("(?<![\\w-])--[a-z][a-z0-9-]*"));
    QStringList found;
    for (const QRegularExpressionMatch &match : option.globalMatch(help))
        found.append(match.captured());
    found.removeDuplicates();
    return found;
}

// A dash in a man page source is written \- so that it renders as a minus sign, which man
// searches and copied commands need.
QString inTroff(const QString &text)
{
    QString escaped = text;
    return escaped.replace(QLatin1Char('-'), QStringLiteral("\\-"));
}

// The exit statuses a page documents: the `.B N` tags of its EXIT STATUS list.
QList<int> documentedStatuses(const QString &source)
{
    static const QRegularExpression tag(QStringLiteral("^\\.B (\\d+)$"),
                                        QRegularExpression::MultilineOption);
    QList<int> statuses;
    for (const QRegularExpressionMatch &match :
         tag.globalMatch(section(source, QStringLiteral("EXIT STATUS"))))
        statuses.append(match.captured(1).toInt());
    return statuses;
}

} // namespace

class ManPagesTest : public QObject {
    Q_OBJECT

private slots:
    void helpOptionsInManPage_data();
    void helpOptionsInManPage();
    void exitStatusesInManPage_data();
    void exitStatusesInManPage();
    void titleCarriesVersion_data();
    void titleCarriesVersion();
    void filesSectionNamesXdgPaths_data();
    void filesSectionNamesXdgPaths();
    void groffReportsNoWarning_data();
    void groffReportsNoWarning();
    void manReportsNoWarning_data();
    void manReportsNoWarning();
};

void ManPagesTest::helpOptionsInManPage_data()
{
    QTest::addColumn<QString>("program");
    QTest::addColumn<QStringList>("command");
    QTest::addColumn<QString>("page");

    QTest::newRow("bourse") << terminal << QStringList() << manPage("bourse.1");
    for (const QStringList &command : bourse::testing::engineCommands()) {
        QTest::newRow(qPrintable(QStringLiteral("bourse-engine ") + command.join(QLatin1Char(' '))))
            << engine << command << manPage("bourse-engine.1");
    }
}

void ManPagesTest::helpOptionsInManPage()
{
    QFETCH(QString, program);
    QFETCH(QStringList, command);
    QFETCH(QString, page);
    const QString source = readText(page);
    QVERIFY2(!source.isEmpty(), qPrintable(page + QStringLiteral(" is missing or empty")));

    const ProgramRun run = runProgram(program, command + QStringList{QStringLiteral("--help")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    const QStringList options = longOptions(run.output);

    QStringList missing;
    for (const QString &option : options) {
        if (!source.contains(inTroff(option)))
            missing.append(option);
    }
    QVERIFY2(missing.isEmpty(),
             qPrintable(QStringLiteral("not in %1: %2").arg(page, missing.join(QLatin1Char(' ')))));
    if (!command.isEmpty()) {
        const QString synopsis = section(source, QStringLiteral("SYNOPSIS"));
        QVERIFY2(synopsis.contains(command.join(QLatin1Char(' '))),
                 qPrintable(command.join(QLatin1Char(' '))));
    }
}

void ManPagesTest::exitStatusesInManPage_data()
{
    QTest::addColumn<QString>("page");
    QTest::addColumn<QList<int>>("expected");

    // bourse-engine: the ExitStatus enum of app/engine/commands.h (0, 1, 2, 3, 70) and serve's
    // own 4 to 7. The terminal: app/terminal/main.cpp.
    QTest::newRow("bourse-engine")
        << manPage("bourse-engine.1") << QList<int>{0, 1, 2, 3, 4, 5, 6, 7, 70};
    QTest::newRow("bourse") << manPage("bourse.1") << QList<int>{0, 1, 2};
}

void ManPagesTest::exitStatusesInManPage()
{
    QFETCH(QString, page);
    QFETCH(QList<int>, expected);

    QCOMPARE(documentedStatuses(readText(page)), expected);
}

void ManPagesTest::titleCarriesVersion_data()
{
    QTest::addColumn<QString>("page");
    QTest::addColumn<QString>("title");

    QTest::newRow("bourse") << manPage("bourse.1") << QStringLiteral("BOURSE");
    QTest::newRow("bourse-engine")
        << manPage("bourse-engine.1") << QStringLiteral("BOURSE\\-ENGINE");
}

void ManPagesTest::titleCarriesVersion()
{
    QFETCH(QString, page);
    QFETCH(QString, title);
    const QString source = readText(page);

    const QRegularExpression heading(QStringLiteral("^\\.TH (\\S+) 1 \\S+ \"Bourse ([^\"]+)\""),
                                     QRegularExpression::MultilineOption);
    const QRegularExpressionMatch match = heading.match(source);
    QVERIFY2(match.hasMatch(), qPrintable(page));
    QCOMPARE(match.captured(1), title);
    QCOMPARE(match.captured(2), QStringLiteral(BOURSE_VERSION));
}

void ManPagesTest::filesSectionNamesXdgPaths_data()
{
    QTest::addColumn<QString>("page");
    QTest::addColumn<QStringList>("paths");

    // The paths where tst_xdg_locations checks that the programs write.
    QTest::newRow("bourse") << manPage("bourse.1")
                            << QStringList{QStringLiteral("$XDG_CONFIG_HOME/Bourse/Bourse.conf"),
                                           QStringLiteral("$XDG_DATA_HOME/Bourse/Bourse/journals/"),
                                           QStringLiteral("$XDG_CONFIG_HOME/bourse/keys/curve.key"),
                                           QStringLiteral("$XDG_CONFIG_HOME/bourse/host/")};
    QTest::newRow("bourse-engine")
        << manPage("bourse-engine.1")
        << QStringList{QStringLiteral("$XDG_CONFIG_HOME/bourse/keys/curve.key")};
}

void ManPagesTest::filesSectionNamesXdgPaths()
{
    QFETCH(QString, page);
    QFETCH(QStringList, paths);
    const QString files = section(readText(page), QStringLiteral("FILES"));

    for (const QString &path : paths)
        QVERIFY2(files.contains(inTroff(path)), qPrintable(path));
}

void ManPagesTest::groffReportsNoWarning_data()
{
    QTest::addColumn<QString>("page");

    QTest::newRow("bourse") << manPage("bourse.1");
    QTest::newRow("bourse-engine") << manPage("bourse-engine.1");
}

void ManPagesTest::groffReportsNoWarning()
{
    QFETCH(QString, page);
    const QString groff = QStandardPaths::findExecutable(QStringLiteral("groff"));
    if (groff.isEmpty())
        QSKIP("groff is not installed (Debian package groff-base)");

    const ProgramRun run = runProgram(
        groff, {QStringLiteral("-man"), QStringLiteral("-ww"), QStringLiteral("-z"), page});

    QVERIFY2(run.exitCode == 0 && !run.crashed, qPrintable(run.describe()));
    QCOMPARE(run.error, QString());
}

void ManPagesTest::manReportsNoWarning_data()
{
    groffReportsNoWarning_data();
}

// The command and environment with which lintian 2.116 (Debian 12) checks a package's man
// pages, in Lintian/Check/Documentation/Manual.pm: each line man writes to stderr is a finding.
void ManPagesTest::manReportsNoWarning()
{
    QFETCH(QString, page);
    const QString man = QStandardPaths::findExecutable(QStringLiteral("man"));
    if (man.isEmpty())
        QSKIP("man is not installed (Debian package man-db)");
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("PATH"), qEnvironmentVariable("PATH"));
    environment.insert(QStringLiteral("LC_ALL"), QStringLiteral("C.UTF-8"));
    environment.insert(QStringLiteral("MANROFFSEQ"), QString());
    environment.insert(QStringLiteral("MANWIDTH"), QStringLiteral("120"));

    const ProgramRun run =
        runProgram(man,
                   {QStringLiteral("--warnings"), QStringLiteral("-E"), QStringLiteral("UTF-8"),
                    QStringLiteral("-l"), QStringLiteral("-Tutf8"), QStringLiteral("-Z"), page},
                   environment);

    QVERIFY2(run.exitCode == 0 && !run.crashed, qPrintable(run.error));
    QCOMPARE(run.error, QString());
}

QTEST_GUILESS_MAIN(ManPagesTest)

#include "tst_man_pages.moc"

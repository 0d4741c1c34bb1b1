// `bourse-engine feed` and `bourse-engine listen` as processes, on input that must fail: a file
// that is empty or not in the format named, an endpoint whose port does not exist, and a feed
// that sends nothing. Each must exit with the status its --help gives and name what is wrong,
// before anything is played or reported as a success.

#include "test_data.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

struct Run {
    int exitCode = -1;
    QString errors;
};

Run runEngine(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral(BOURSE_ENGINE_EXECUTABLE), arguments);
    Run run;
    if (!process.waitForFinished(20'000)) {
        process.kill();
        process.waitForFinished();
        run.errors = QStringLiteral("timed out");
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.errors = QString::fromUtf8(process.readAllStandardError());
    return run;
}

// A loopback endpoint on which nothing listens: a port the system handed out and took back.
QString unusedEndpoint()
{
    const int socket = ::socket(AF_INET, SOCK_STREAM, 0);
    if (socket < 0)
        return {};
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    const bool bound = ::bind(socket, reinterpret_cast<sockaddr *>(&address), length) == 0 &&
                       ::getsockname(socket, reinterpret_cast<sockaddr *>(&address), &length) == 0;
    ::close(socket);
    if (!bound)
        return {};
    return QStringLiteral("tcp://127.0.0.1:%1").arg(ntohs(address.sin_port));
}

} // namespace

class TestFeedCommands : public QObject {
    Q_OBJECT

private slots:
    void emptyFileFailsBeforeBinding();
    void foreignFileNamesItsFirstLine();
    void portOutOfRangeIsUsageError_data();
    void portOutOfRangeIsUsageError();
    void silentFeedIsNoSuccess();
};

void TestFeedCommands::emptyFileFailsBeforeBinding()
{
    QTemporaryDir directory;
    const std::string path = writeFile(directory, "GOOG_empty_message_10.csv", "");

    const Run run =
        runEngine({QStringLiteral("feed"), QStringLiteral("--from"), QString::fromStdString(path),
                   QStringLiteral("--bind"), QStringLiteral("tcp://127.0.0.1:*")});

    QCOMPARE(run.exitCode, 3);
    QVERIFY2(run.errors.contains(QString::fromStdString(path)), qPrintable(run.errors));
}

void TestFeedCommands::foreignFileNamesItsFirstLine()
{
    QTemporaryDir directory;
    const std::string path = writeFile(directory, "notlobster.csv", "hello,world\n1,2,3\n");

    const Run run =
        runEngine({QStringLiteral("feed"), QStringLiteral("--from"), QString::fromStdString(path),
                   QStringLiteral("--bind"), QStringLiteral("tcp://127.0.0.1:*")});

    QCOMPARE(run.exitCode, 3);
    QVERIFY2(run.errors.contains(QString::fromStdString(path) + QStringLiteral(":1:")),
             qPrintable(run.errors));
}

void TestFeedCommands::portOutOfRangeIsUsageError_data()
{
    QTest::addColumn<QStringList>("arguments");
    const QString file =
        marketDataPath(QStringLiteral("lobster/GOOG_2012-06-21_34200000_57600000_message_10.csv"));
    QTest::newRow("feed --bind") << QStringList{QStringLiteral("feed"), QStringLiteral("--from"),
                                                file, QStringLiteral("--bind"),
                                                QStringLiteral("tcp://127.0.0.1:99999")};
    QTest::newRow("listen --connect")
        << QStringList{QStringLiteral("listen"), QStringLiteral("--connect"),
                       QStringLiteral("tcp://127.0.0.1:99999")};
    QTest::newRow("listen --connect port 0") << QStringList{
        QStringLiteral("listen"), QStringLiteral("--connect"), QStringLiteral("tcp://127.0.0.1:0")};
}

void TestFeedCommands::portOutOfRangeIsUsageError()
{
    QFETCH(QStringList, arguments);

    const Run run = runEngine(arguments);

    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.errors.contains(QStringLiteral("port")), qPrintable(run.errors));
}

void TestFeedCommands::silentFeedIsNoSuccess()
{
    const QString endpoint = unusedEndpoint();
    QVERIFY(!endpoint.isEmpty());

    const Run run = runEngine({QStringLiteral("listen"), QStringLiteral("--connect"), endpoint,
                               QStringLiteral("--idle-ms"), QStringLiteral("300")});

    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.errors.contains(QStringLiteral("no message received from ") + endpoint),
             qPrintable(run.errors));
}

QTEST_GUILESS_MAIN(TestFeedCommands)

#include "tst_feed_commands.moc"

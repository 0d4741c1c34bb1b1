// `bourse-engine keygen` end to end: the built executable writes into a temporary folder, and
// the test checks the files' modes, that they read back as a pair, and the printed public key.

#include "curve_keys.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace bourse::net;

namespace {

struct Run {
    int exitCode = -1;
    QString output;
    QString errors;
};

Run runKeygen(const QStringList &arguments,
              const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment())
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(BOURSE_ENGINE_EXECUTABLE), QStringList{"keygen"} + arguments);
    if (!process.waitForFinished(30000))
        qFatal("bourse-engine keygen did not finish within 30 s");
    return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

unsigned fileMode(const QString &path)
{
    struct stat status {};
    if (::stat(path.toLocal8Bit().constData(), &status) != 0)
        return 0;
    return status.st_mode & 07777u;
}

QString printedPublicKey(const QString &output)
{
    const QRegularExpression line(QStringLiteral("^public key: (\\S{40})$"),
                                  QRegularExpression::MultilineOption);
    return line.match(output).captured(1);
}

QByteArray contents(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestKeygenCommand : public QObject {
    Q_OBJECT

private slots:
    void writesPairWithModesAndPrintsKey();
    void existingKeyKeptWithoutForce();
    void forceReplacesKey();
    void defaultPathInConfigFolder();
    void usageErrors_data();
    void usageErrors();
    void missingFolderIsInputError();
    void outNamingFolderRejected();
    void publicPathFolderWritesNothing();
};

void TestKeygenCommand::writesPairWithModesAndPrintsKey()
{
    QTemporaryDir folder;
    const QString base = folder.filePath("terminal");
    const Run run = runKeygen({"--out", base});
    QVERIFY2(run.exitCode == 0, qPrintable(run.errors));
    QCOMPARE(fileMode(base + ".key"), 0600u);
    QCOMPARE(fileMode(base + ".pub"), 0644u);

    const KeyPairResult read = readKeyPair(base.toStdString());
    QVERIFY2(read.ok(), read.error.toString().c_str());
    QCOMPARE(printedPublicKey(run.output), QString::fromStdString(read.pair->publicKey));
    QVERIFY(run.output.contains("secret key file: " + base + ".key"));
    QVERIFY(run.output.contains("public key file: " + base + ".pub"));
    QVERIFY(!run.output.contains(QString::fromStdString(read.pair->secretKey)));
}

void TestKeygenCommand::existingKeyKeptWithoutForce()
{
    QTemporaryDir folder;
    const QString base = folder.filePath("server");
    QCOMPARE(runKeygen({"--out", base}).exitCode, 0);
    const QByteArray secret = contents(base + ".key");

    const Run again = runKeygen({"--out", base});
    QCOMPARE(again.exitCode, 3);
    QCOMPARE(again.errors, "bourse-engine keygen: " + base +
                               ".key: already exists; an existing key is replaced only when "
                               "asked to (bourse-engine keygen --force)\n");
    QVERIFY(again.output.isEmpty());
    QCOMPARE(contents(base + ".key"), secret);
}

void TestKeygenCommand::forceReplacesKey()
{
    QTemporaryDir folder;
    const QString base = folder.filePath("server");
    const Run first = runKeygen({"--out", base});
    QCOMPARE(first.exitCode, 0);
    const Run second = runKeygen({"--force", "--out", base});
    QCOMPARE(second.exitCode, 0);
    QVERIFY(printedPublicKey(second.output) != printedPublicKey(first.output));

    const KeyPairResult read = readKeyPair(base.toStdString());
    QVERIFY(read.ok());
    QCOMPARE(QString::fromStdString(read.pair->publicKey), printedPublicKey(second.output));
    QCOMPARE(fileMode(base + ".key"), 0600u);
}

void TestKeygenCommand::defaultPathInConfigFolder()
{
    QTemporaryDir folder;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert("XDG_CONFIG_HOME", folder.path());
    const Run run = runKeygen({}, environment);
    QVERIFY2(run.exitCode == 0, qPrintable(run.errors));

    const QString keys = folder.filePath("bourse/keys");
    QCOMPARE(fileMode(keys), 0700u);
    QCOMPARE(fileMode(keys + "/curve.key"), 0600u);
    const KeyPairResult read = readKeyPair((keys + "/curve").toStdString());
    QVERIFY2(read.ok(), read.error.toString().c_str());
    QCOMPARE(printedPublicKey(run.output), QString::fromStdString(read.pair->publicKey));
}

void TestKeygenCommand::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");

    QTest::newRow("--out without a path")
        << QStringList{"--out"} << "bourse-engine keygen: missing PATH after --out\n";
    QTest::newRow("unknown option")
        << QStringList{"--bits", "256"} << "bourse-engine keygen: unexpected argument '--bits'\n";
    QTest::newRow("--out naming a folder")
        << QStringList{"--out", "/tmp/keys/"}
        << "bourse-engine keygen: --out /tmp/keys/ names a folder; give the path of the key files "
           "without .key or .pub, such as /tmp/keys/server\n";
}

void TestKeygenCommand::usageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    const Run run = runKeygen(arguments);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.errors.startsWith(message), qPrintable(run.errors));
    QVERIFY(run.errors.contains("usage: bourse-engine keygen [--out PATH] [--force]"));
}

void TestKeygenCommand::missingFolderIsInputError()
{
    QTemporaryDir folder;
    const QString base = folder.filePath("absent/server");
    const Run run = runKeygen({"--out", base});
    QCOMPARE(run.exitCode, 3);
    QCOMPARE(run.errors, "bourse-engine keygen: " + folder.filePath("absent") +
                             ": cannot open the folder: No such file or directory\n");
}

void TestKeygenCommand::outNamingFolderRejected()
{
    QTemporaryDir folder;
    const QString base = folder.filePath("keys");
    QVERIFY(QDir().mkdir(base));
    const Run run = runKeygen({"--out", base});
    QCOMPARE(run.exitCode, 3);
    QCOMPARE(run.errors, "bourse-engine keygen: " + base +
                             ": is a folder; give the path of the key files without .key or "
                             ".pub, such as " +
                             base + "/server\n");
    QVERIFY(!QFile::exists(base + ".key"));
    QVERIFY(!QFile::exists(base + ".pub"));
}

void TestKeygenCommand::publicPathFolderWritesNothing()
{
    QTemporaryDir folder;
    const QString base = folder.filePath("server");
    QVERIFY(QDir().mkdir(base + ".pub"));
    const Run run = runKeygen({"--force", "--out", base});
    QCOMPARE(run.exitCode, 3);
    QCOMPARE(run.errors, "bourse-engine keygen: " + base +
                             ".pub: is a folder, so the key file cannot be written there\n");
    QVERIFY(!QFile::exists(base + ".key"));
}

QTEST_GUILESS_MAIN(TestKeygenCommand)
#include "tst_keygen_command.moc"

// Key pairs and key files: generation, Z85 checks, the round trip through files, and every way
// a key file is rejected.

#include "curve_keys.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using namespace bourse::net;

namespace {

unsigned fileMode(const std::string &path)
{
    struct stat status {};
    if (::stat(path.c_str(), &status) != 0)
        return 0;
    return status.st_mode & 07777u;
}

std::string readText(const std::string &path)
{
    std::ifstream file(path, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

// Replaces a file's text, keeping its mode.
void rewrite(const std::string &path, const std::string &text)
{
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

CurveKeyPair newPair()
{
    const KeyPairResult generated = generateKeyPair();
    if (!generated.ok())
        qFatal("%s", generated.error.toString().c_str());
    return *generated.pair;
}

} // namespace

class TestCurveKeys : public QObject {
    Q_OBJECT

private slots:
    void generatedPairIsValidAndMatches();
    void keyTextChecks_data();
    void keyTextChecks();
    void roundTripThroughFiles();
    void filesHaveOwnerOnlyAndPublicModes();
    void secretFileWithMode0644Rejected();
    void secretFileWithMode0640Rejected();
    void secretFileInGroupWritableFolderRejected();
    void secretFileOfAnotherUserRejected();
    void truncatedSecretKeyRejected();
    void missingSecretKeyLineRejected();
    void publicKeyNotMatchingSecretRejected();
    void publicFileOfAnotherPairRejected();
    void publicFileWithSecretRejected();
    void unknownKeywordRejectedWithLine();
    void existingKeyNotOverwritten();
    void existingPublicFileAloneStopsWrite();
    void forceOptionReplacesPair();
    void mismatchedPairNotWritten();
    void missingFileNamedInError();
    void fifoInPlaceOfKeyRejected();
};

void TestCurveKeys::generatedPairIsValidAndMatches()
{
    const CurveKeyPair pair = newPair();
    QCOMPARE(pair.publicKey.size(), kCurveKeyTextLength);
    QCOMPARE(pair.secretKey.size(), kCurveKeyTextLength);
    QVERIFY(!checkKeyText(pair.publicKey));
    QVERIFY(!checkKeyText(pair.secretKey));
    QCOMPARE(publicKeyOf(pair.secretKey).value_or(""), pair.publicKey);
    QVERIFY(newPair().secretKey != pair.secretKey);
}

void TestCurveKeys::keyTextChecks_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("problem"); // empty: valid

    // Keys of 40 characters made of valid groups, computed by hand: "00000" is 0, and "%nSc0"
    // is 0xffffffff (82 * 85^4 + 23 * 85^3 + 54 * 85^2 + 12 * 85 + 0).
    QTest::newRow("all zero groups") << QString(40, QLatin1Char('0')) << QString();
    QTest::newRow("largest groups") << QString("%nSc0").repeated(8) << QString();
    QTest::newRow("39 characters")
        << QString(39, QLatin1Char('0')) << "is 39 characters long; a Z85 CURVE key has 40";
    QTest::newRow("41 characters")
        << QString(41, QLatin1Char('0')) << "is 41 characters long; a Z85 CURVE key has 40";
    QTest::newRow("empty") << QString() << "is 0 characters long; a Z85 CURVE key has 40";
    QTest::newRow("quote is not Z85")
        << QString(12, QLatin1Char('0')) + "\"" + QString(27, QLatin1Char('0'))
        << "has a character that is not Z85 at position 13";
    QTest::newRow("space is not Z85") << QString(39, QLatin1Char('0')) + " "
                                      << "has a character that is not Z85 at position 40";
    QTest::newRow("group above 32 bits") << "#####" + QString(35, QLatin1Char('0'))
                                         << "is not valid Z85: a group of five characters "
                                            "exceeds 32 bits";
}

void TestCurveKeys::keyTextChecks()
{
    QFETCH(QString, key);
    QFETCH(QString, problem);
    const std::optional<std::string> found = checkKeyText(key.toStdString());
    QCOMPARE(QString::fromStdString(found.value_or("")), problem);
}

void TestCurveKeys::roundTripThroughFiles()
{
    QTemporaryDir folder;
    const std::string base = folder.filePath("server").toStdString();
    const CurveKeyPair pair = newPair();
    const auto error = writeKeyPair(pair, base, ExistingKeys::Keep);
    QVERIFY2(!error, error ? error->toString().c_str() : "");

    const KeyPairResult read = readKeyPair(base);
    QVERIFY2(read.ok(), read.error.toString().c_str());
    QCOMPARE(read.pair->publicKey, pair.publicKey);
    QCOMPARE(read.pair->secretKey, pair.secretKey);

    const PublicKeyResult publicKey = readPublicKeyFile(base + ".pub");
    QVERIFY2(publicKey.ok(), publicKey.error.toString().c_str());
    QCOMPARE(*publicKey.publicKey, pair.publicKey);
    QVERIFY(readText(base + ".key").starts_with("# Bourse CURVE secret key"));
    QVERIFY(readText(base + ".pub").starts_with("# Bourse CURVE public key"));
    QVERIFY(readText(base + ".pub").find(pair.secretKey) == std::string::npos);
}

void TestCurveKeys::filesHaveOwnerOnlyAndPublicModes()
{
    QTemporaryDir folder;
    const std::string base = folder.filePath("terminal").toStdString();
    // The widest umask makes the modes depend on writeKeyPair alone.
    const mode_t previous = ::umask(0);
    const auto error = writeKeyPair(newPair(), base, ExistingKeys::Keep);
    ::umask(previous);
    QVERIFY(!error);
    QCOMPARE(fileMode(base + ".key"), 0600u);
    QCOMPARE(fileMode(base + ".pub"), 0644u);

    const QStringList leftovers = QDir(folder.path()).entryList(QDir::Files);
    QCOMPARE(leftovers, QStringList({"terminal.key", "terminal.pub"}));
}

void TestCurveKeys::secretFileWithMode0644Rejected()
{
    QTemporaryDir folder;
    const std::string base = folder.filePath("server").toStdString();
    QVERIFY(!writeKeyPair(newPair(), base, ExistingKeys::Keep));
    QCOMPARE(::chmod((base + ".key").c_str(), 0644), 0);

    const KeyPairResult read = readSecretKeyFile(base + ".key");
    QVERIFY(!read.ok());
    QCOMPARE(read.error.file, base + ".key");
    QCOMPARE(read.error.what, "permissions 0644 are too open: a secret key file must give group "
                              "and others no access; run chmod 600 " +
                                  base + ".key");
    QVERIFY(!readKeyPair(base).ok());
}

void TestCurveKeys::secretFileWithMode0640Rejected()
{
    QTemporaryDir folder;
    const std::string base = folder.filePath("server").toStdString();
    QVERIFY(!writeKeyPair(newPair(), base, ExistingKeys::Keep));
    QCOMPARE(::chmod((base + ".key").c_str(), 0640), 0);
    const KeyPairResult read = readSecretKeyFile(base + ".key");
    QVERIFY(!read.ok());
    QVERIFY2(read.error.what.starts_with("permissions 0640 are too open"), read.error.what.c_str());
}

void TestCurveKeys::secretFileInGroupWritableFolderRejected()
{
    QTemporaryDir folder;
    const std::string keys = folder.filePath("keys").toStdString();
    QCOMPARE(::mkdir(keys.c_str(), 0700), 0);
    QVERIFY(!writeKeyPair(newPair(), keys + "/server", ExistingKeys::Keep));
    QCOMPARE(::chmod(keys.c_str(), 0770), 0);

    const KeyPairResult read = readSecretKeyFile(keys + "/server.key");
    QVERIFY(!read.ok());
    QCOMPARE(read.error.file, keys);
    QVERIFY2(read.error.what.starts_with("permissions 0770 are too open: the folder of a secret "
                                         "key file must not be writable by group or others"),
             read.error.what.c_str());

    const auto writeError = writeKeyPair(newPair(), keys + "/other", ExistingKeys::Keep);
    QVERIFY(writeError);
    QCOMPARE(writeError->file, keys);
}

void TestCurveKeys::secretFileOfAnotherUserRejected()
{
    QTemporaryDir folder;
    const std::string base = folder.filePath("server").toStdString();
    QVERIFY(!writeKeyPair(newPair(), base, ExistingKeys::Keep));
    const uid_t other = ::geteuid() == 1000 ? 1001 : 1000;
    if (::chown((base + ".key").c_str(), other, static_cast<gid_t>(-1)) != 0)
        QSKIP("only root can give a file to another user");

    const KeyPairResult read = readSecretKeyFile(base + ".key");
    QVERIFY(!read.ok());
    QCOMPARE(read.error.what, "belongs to user id " + std::to_string(other) +
                                  ", not to this user (" + std::to_string(::geteuid()) +
                                  "); a secret key file is read only by its owner");
}

void TestCurveKeys::truncatedSecretKeyRejected()
{
    QTemporaryDir folder;
    const std::string base = folder.filePath("server").toStdString();
    const CurveKeyPair pair = newPair();
    QVERIFY(!writeKeyPair(pair, base, ExistingKeys::Keep));
    rewrite(base + ".key",
            "public-key " + pair.publicKey + "\nsecret-key " + pair.secretKey.substr(0, 25) + "\n");

    const KeyPairResult read = readSecretKeyFile(base + ".key");
    QVERIFY(!read.ok());
    QCOMPARE(read.error.toString(), base + ".key: line 2: secret-key is 25 characters long; a "
                                           "Z85 CURVE key has 40");
}

void TestCurveKeys::missingSecretKeyLineRejected()
{
    QTemporaryDir folder;
    const std::string base = folder.filePath("server").toStdString();
    const CurveKeyPair pair = newPair();
    QVERIFY(!writeKeyPair(pair, base, ExistingKeys::Keep));
    rewrite(base + ".key", "# Bourse CURVE secret key\npublic-key " + pair.publicKey + "\n");

    const KeyPairResult read = readSecretKeyFile(base + ".key");
    QVERIFY(!read.ok());
    QCOMPARE(read.error.toString(), base + ".key: no secret-key line: the file is truncated or "
                                           "not a Bourse key file");
}

void TestCurveKeys::publicKeyNotMatchingSecretRejected()
{
    QTemporaryDir folder;
    const std::string base = folder.filePath("server").toStdString();
    const CurveKeyPair pair = newPair();
    QVERIFY(!writeKeyPair(pair, base, ExistingKeys::Keep));
    rewrite(base + ".key",
            "public-key " + newPair().publicKey + "\nsecret-key " + pair.secretKey + "\n");

    const KeyPairResult read = readSecretKeyFile(base + ".key");
    QVERIFY(!read.ok());
    QCOMPARE(read.error.file, base + ".key");
    QCOMPARE(read.error.what, "the public-key line is not the public key of the secret-key line: "
                              "the file was edited or mixes two key pairs");
}

void TestCurveKeys::publicFileOfAnotherPairRejected()
{
    QTemporaryDir folder;
    const std::string base = folder.filePath("server").toStdString();
    QVERIFY(!writeKeyPair(newPair(), base, ExistingKeys::Keep));
    rewrite(base + ".pub", "public-key " + newPair().publicKey + "\n");

    const KeyPairResult read = readKeyPair(base);
    QVERIFY(!read.ok());
    QCOMPARE(read.error.toString(), base + ".pub: is not the public key of " + base + ".key");
}

void TestCurveKeys::publicFileWithSecretRejected()
{
    QTemporaryDir folder;
    const std::string base = folder.filePath("server").toStdString();
    QVERIFY(!writeKeyPair(newPair(), base, ExistingKeys::Keep));
    const PublicKeyResult read = readPublicKeyFile(base + ".key");
    QVERIFY(!read.ok());
    QCOMPARE(read.error.what,
             "contains a secret key: pass the .pub file, and keep this one private");
}

void TestCurveKeys::unknownKeywordRejectedWithLine()
{
    QTemporaryDir folder;
    const std::string path = folder.filePath("odd.pub").toStdString();
    rewrite(path, "# comment\n\nserver-key " + newPair().publicKey + "\n");
    const PublicKeyResult read = readPublicKeyFile(path);
    QVERIFY(!read.ok());
    QCOMPARE(read.error.toString(), path + ": line 3: unknown keyword 'server-key': expected "
                                           "public-key or secret-key");
}

void TestCurveKeys::existingKeyNotOverwritten()
{
    QTemporaryDir folder;
    const std::string base = folder.filePath("server").toStdString();
    const CurveKeyPair first = newPair();
    QVERIFY(!writeKeyPair(first, base, ExistingKeys::Keep));
    const std::string secretText = readText(base + ".key");

    const auto error = writeKeyPair(newPair(), base, ExistingKeys::Keep);
    QVERIFY(error);
    QCOMPARE(error->file, base + ".key");
    QCOMPARE(error->what, "already exists; an existing key is replaced only when asked to "
                          "(bourse-engine keygen --force)");
    QCOMPARE(readText(base + ".key"), secretText);
    QCOMPARE(readKeyPair(base).pair.value_or(CurveKeyPair{}).publicKey, first.publicKey);
}

void TestCurveKeys::existingPublicFileAloneStopsWrite()
{
    QTemporaryDir folder;
    const std::string base = folder.filePath("server").toStdString();
    rewrite(base + ".pub", "public-key " + newPair().publicKey + "\n");

    const auto error = writeKeyPair(newPair(), base, ExistingKeys::Keep);
    QVERIFY(error);
    QCOMPARE(error->file, base + ".pub");
    QVERIFY(!QFile::exists(QString::fromStdString(base + ".key")));
}

void TestCurveKeys::forceOptionReplacesPair()
{
    QTemporaryDir folder;
    const std::string base = folder.filePath("server").toStdString();
    QVERIFY(!writeKeyPair(newPair(), base, ExistingKeys::Keep));
    const CurveKeyPair second = newPair();
    QVERIFY(!writeKeyPair(second, base, ExistingKeys::Replace));

    const KeyPairResult read = readKeyPair(base);
    QVERIFY2(read.ok(), read.error.toString().c_str());
    QCOMPARE(read.pair->secretKey, second.secretKey);
    QCOMPARE(fileMode(base + ".key"), 0600u);
}

void TestCurveKeys::mismatchedPairNotWritten()
{
    QTemporaryDir folder;
    const std::string base = folder.filePath("server").toStdString();
    const CurveKeyPair mixed{newPair().publicKey, newPair().secretKey};
    const auto error = writeKeyPair(mixed, base, ExistingKeys::Keep);
    QVERIFY(error);
    QCOMPARE(error->what, "the public key is not the one derived from the secret key");
    QVERIFY(QDir(folder.path()).isEmpty());
}

void TestCurveKeys::missingFileNamedInError()
{
    QTemporaryDir folder;
    const std::string base = folder.filePath("absent").toStdString();
    const KeyPairResult read = readKeyPair(base);
    QVERIFY(!read.ok());
    QCOMPARE(read.error.toString(), base + ".key: cannot open: No such file or directory");
}

void TestCurveKeys::fifoInPlaceOfKeyRejected()
{
    // A FIFO would block a reader that waits for a writer; the reader must fail instead.
    QTemporaryDir folder;
    const std::string base = folder.filePath("server").toStdString();
    QCOMPARE(::mkfifo((base + ".key").c_str(), 0600), 0);
    QCOMPARE(::mkfifo((base + ".pub").c_str(), 0644), 0);

    const KeyPairResult secret = readSecretKeyFile(base + ".key");
    QVERIFY(!secret.ok());
    QCOMPARE(secret.error.toString(), base + ".key: is not a regular file");
    const PublicKeyResult publicKey = readPublicKeyFile(base + ".pub");
    QVERIFY(!publicKey.ok());
    QCOMPARE(publicKey.error.toString(), base + ".pub: is not a regular file");
}

QTEST_GUILESS_MAIN(TestCurveKeys)
#include "tst_curve_keys.moc"

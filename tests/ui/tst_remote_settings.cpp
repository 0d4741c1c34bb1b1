// The checks of the remote mode's settings: endpoints, default ports, accounts, and the key files
// read before a connection, each error naming the field or the file.

#include "curve_keys.h"
#include "remote_settings.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace bourse;
using namespace bourse::ui;

namespace {

// The server test key of the zmq_curve(7) manual page, which docs/network-security.md shows.
const QString kServerPublicKey = QStringLiteral("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");

// A terminal key pair and a server .pub file in a temporary folder.
struct KeyFolder {
    QTemporaryDir folder;
    QString terminalPrefix = folder.filePath(QStringLiteral("terminal"));
    QString serverPub = folder.filePath(QStringLiteral("server.pub"));

    KeyFolder()
    {
        const GeneratedKeys terminal = generateTerminalKeys(terminalPrefix);
        if (!terminal.error.isEmpty())
            qFatal("%s", qPrintable(terminal.error));
        const auto server = net::generateKeyPair();
        if (!server.ok() ||
            net::writeKeyPair(*server.pair, folder.filePath(QStringLiteral("server")).toStdString(),
                              net::ExistingKeys::Keep))
            qFatal("cannot write the server keys");
    }

    RemoteSettings settings() const
    {
        RemoteSettings settings;
        settings.orderEntryEndpoint = QStringLiteral("tcp://127.0.0.1:7401");
        settings.serverKey = serverPub;
        settings.keyPrefix = terminalPrefix;
        settings.accounts = {AccountId{2}, AccountId{1}};
        return settings;
    }
};

RemoteSettingsError errorOf(const RemoteSettings &settings)
{
    auto checked = checkRemoteSettings(settings);
    if (!std::holds_alternative<RemoteSettingsError>(checked))
        qFatal("the settings were accepted");
    return std::get<RemoteSettingsError>(checked);
}

} // namespace

class RemoteSettingsTest : public QObject {
    Q_OBJECT

private slots:
    void endpointCheck_data();
    void endpointCheck();
    void portOffsetGivesNextPorts();
    void accountListParses_data();
    void accountListParses();
    void validSettingsGiveClientOptions();
    void pastedServerKeyIsUsedAsIs();
    void missingServerKeyFileIsNamed();
    void missingTerminalKeyFileIsNamed();
    void badEndpointNamesTheField();
    void standbysTakeNextTwoPorts();
    void standbyWithoutRoomIsRejected();
    void generatedKeysAreNotReplaced();
};

void RemoteSettingsTest::endpointCheck_data()
{
    QTest::addColumn<QString>("endpoint");
    QTest::addColumn<bool>("valid");
    QTest::newRow("loopback") << QStringLiteral("tcp://127.0.0.1:7401") << true;
    QTest::newRow("host name") << QStringLiteral("tcp://desk-server:7401") << true;
    // Rejected while the sockets do not set ZMQ_IPV6, with which it would never connect.
    QTest::newRow("IPv6") << QStringLiteral("tcp://[::1]:7401") << false;
    QTest::newRow("upper-case scheme") << QStringLiteral("TCP://127.0.0.1:7401") << true;
    QTest::newRow("no port") << QStringLiteral("tcp://127.0.0.1") << false;
    QTest::newRow("port zero") << QStringLiteral("tcp://127.0.0.1:0") << false;
    QTest::newRow("port too large") << QStringLiteral("tcp://127.0.0.1:70000") << false;
    QTest::newRow("wildcard port") << QStringLiteral("tcp://127.0.0.1:*") << false;
    QTest::newRow("other transport") << QStringLiteral("ipc:///tmp/bourse") << false;
    QTest::newRow("no scheme") << QStringLiteral("127.0.0.1:7401") << false;
    QTest::newRow("path") << QStringLiteral("tcp://127.0.0.1:7401/x") << false;
    QTest::newRow("empty") << QString() << false;
}

void RemoteSettingsTest::endpointCheck()
{
    QFETCH(QString, endpoint);
    QFETCH(bool, valid);
    const std::optional<QString> error = checkEndpoint(endpoint, QStringLiteral("endpoint"));
    QCOMPARE(!error.has_value(), valid);
    if (error && !endpoint.isEmpty())
        QVERIFY2(error->contains(endpoint), qPrintable(*error));
}

void RemoteSettingsTest::portOffsetGivesNextPorts()
{
    QCOMPARE(endpointWithPortOffset(QStringLiteral("tcp://127.0.0.1:7401"), 1),
             QStringLiteral("tcp://127.0.0.1:7402"));
    QCOMPARE(endpointWithPortOffset(QStringLiteral("tcp://127.0.0.1:7401"), 2),
             QStringLiteral("tcp://127.0.0.1:7403"));
    QCOMPARE(endpointWithPortOffset(QStringLiteral("tcp://[::1]:9000"), 1),
             QStringLiteral("tcp://[::1]:9001"));
    QCOMPARE(endpointWithPortOffset(QStringLiteral("tcp://127.0.0.1:65535"), 1), QString());
    QCOMPARE(endpointWithPortOffset(QStringLiteral("nonsense"), 1), QString());
}

void RemoteSettingsTest::accountListParses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("parsed"); // formatAccountList of the result, or "error"
    QTest::newRow("one") << QStringLiteral("1") << QStringLiteral("1");
    QTest::newRow("several with spaces") << QStringLiteral("3, 1,2") << QStringLiteral("3,1,2");
    QTest::newRow("empty: watch only") << QString() << QString();
    QTest::newRow("zero") << QStringLiteral("0") << QStringLiteral("error");
    QTest::newRow("word") << QStringLiteral("1,alice") << QStringLiteral("error");
    QTest::newRow("twice") << QStringLiteral("1,1") << QStringLiteral("error");
    QTest::newRow("above 32 bits") << QStringLiteral("4294967296") << QStringLiteral("error");
}

void RemoteSettingsTest::accountListParses()
{
    QFETCH(QString, text);
    QFETCH(QString, parsed);
    const auto accounts = parseAccountList(text);
    if (parsed == QStringLiteral("error")) {
        QVERIFY(std::holds_alternative<QString>(accounts));
        return;
    }
    QVERIFY(std::holds_alternative<std::vector<AccountId>>(accounts));
    QCOMPARE(formatAccountList(std::get<std::vector<AccountId>>(accounts)), parsed);
}

void RemoteSettingsTest::validSettingsGiveClientOptions()
{
    const KeyFolder keys;
    auto checked = checkRemoteSettings(keys.settings());
    QVERIFY(std::holds_alternative<net::ClientOptions>(checked));
    const auto &options = std::get<net::ClientOptions>(checked);
    QCOMPARE(options.orderEntryEndpoint, std::string("tcp://127.0.0.1:7401"));
    QCOMPARE(options.publishEndpoint, std::string("tcp://127.0.0.1:7402"));
    QCOMPARE(options.snapshotEndpoint, std::string("tcp://127.0.0.1:7403"));
    const auto serverPub = net::readPublicKeyFile(keys.serverPub.toStdString());
    QCOMPARE(options.serverPublicKey, *serverPub.publicKey);
    const auto terminal = net::readKeyPair(keys.terminalPrefix.toStdString());
    QCOMPARE(options.keys.publicKey, terminal.pair->publicKey);
    QCOMPARE(options.keys.secretKey, terminal.pair->secretKey);
    QCOMPARE(options.accounts.size(), std::size_t{2});
    QCOMPARE(options.accounts[0], AccountId{2});
}

void RemoteSettingsTest::pastedServerKeyIsUsedAsIs()
{
    const KeyFolder keys;
    RemoteSettings settings = keys.settings();
    settings.serverKey = kServerPublicKey;
    settings.publishEndpoint = QStringLiteral("tcp://127.0.0.1:9000");
    auto checked = checkRemoteSettings(settings);
    QVERIFY(std::holds_alternative<net::ClientOptions>(checked));
    QCOMPARE(std::get<net::ClientOptions>(checked).serverPublicKey, kServerPublicKey.toStdString());
    QCOMPARE(std::get<net::ClientOptions>(checked).publishEndpoint,
             std::string("tcp://127.0.0.1:9000"));
}

void RemoteSettingsTest::missingServerKeyFileIsNamed()
{
    const KeyFolder keys;
    RemoteSettings settings = keys.settings();
    settings.serverKey = keys.folder.filePath(QStringLiteral("absent.pub"));
    const RemoteSettingsError error = errorOf(settings);
    QCOMPARE(error.field, RemoteField::ServerKey);
    QVERIFY2(error.message.contains(settings.serverKey), qPrintable(error.message));

    settings.serverKey.clear();
    QCOMPARE(errorOf(settings).field, RemoteField::ServerKey);
}

void RemoteSettingsTest::missingTerminalKeyFileIsNamed()
{
    const KeyFolder keys;
    RemoteSettings settings = keys.settings();
    settings.keyPrefix = keys.folder.filePath(QStringLiteral("nobody"));
    const RemoteSettingsError error = errorOf(settings);
    QCOMPARE(error.field, RemoteField::KeyPrefix);
    QVERIFY2(error.message.contains(settings.keyPrefix + QStringLiteral(".key")),
             qPrintable(error.message));
}

void RemoteSettingsTest::badEndpointNamesTheField()
{
    const KeyFolder keys;
    RemoteSettings settings = keys.settings();
    settings.orderEntryEndpoint = QStringLiteral("tcp://127.0.0.1");
    RemoteSettingsError error = errorOf(settings);
    QCOMPARE(error.field, RemoteField::OrderEntry);
    QVERIFY2(error.message.contains(QStringLiteral("order-entry endpoint")),
             qPrintable(error.message));

    settings = keys.settings();
    settings.snapshotEndpoint = QStringLiteral("udp://127.0.0.1:7403");
    error = errorOf(settings);
    QCOMPARE(error.field, RemoteField::Snapshot);
    QVERIFY2(error.message.contains(QStringLiteral("udp://127.0.0.1:7403")),
             qPrintable(error.message));
}

void RemoteSettingsTest::standbysTakeNextTwoPorts()
{
    const KeyFolder keys;
    RemoteSettings settings = keys.settings();
    settings.standbyEndpoints = {QStringLiteral("tcp://127.0.0.1:7501"),
                                 QStringLiteral(" tcp://10.0.0.2:7401 ")};
    auto checked = checkRemoteSettings(settings);
    QVERIFY(std::holds_alternative<net::ClientOptions>(checked));
    const std::vector<net::ServerEndpoints> &standbys =
        std::get<net::ClientOptions>(checked).standbyEndpoints;
    QCOMPARE(standbys.size(), std::size_t{2});
    QCOMPARE(standbys[0].orderEntry, std::string("tcp://127.0.0.1:7501"));
    QCOMPARE(standbys[0].publish, std::string("tcp://127.0.0.1:7502"));
    QCOMPARE(standbys[0].snapshot, std::string("tcp://127.0.0.1:7503"));
    QCOMPARE(standbys[1].orderEntry, std::string("tcp://10.0.0.2:7401"));
    QCOMPARE(standbys[1].publish, std::string("tcp://10.0.0.2:7402"));
    QCOMPARE(standbys[1].snapshot, std::string("tcp://10.0.0.2:7403"));
}

// A standby's publish and snapshot ports are the two after its order-entry port, so 65534 has
// no room for them.
void RemoteSettingsTest::standbyWithoutRoomIsRejected()
{
    const KeyFolder keys;
    RemoteSettings settings = keys.settings();
    settings.standbyEndpoints = {QStringLiteral("tcp://127.0.0.1:65534")};
    RemoteSettingsError error = errorOf(settings);
    QCOMPARE(error.field, RemoteField::Standbys);
    QVERIFY2(error.message.contains(QStringLiteral("standby endpoint 'tcp://127.0.0.1:65534'")),
             qPrintable(error.message));

    settings.standbyEndpoints = {QStringLiteral("tcp://127.0.0.1")};
    error = errorOf(settings);
    QVERIFY2(error.message.contains(QStringLiteral("Invalid standby endpoint 'tcp://127.0.0.1'")),
             qPrintable(error.message));
}

void RemoteSettingsTest::generatedKeysAreNotReplaced()
{
    const KeyFolder keys;
    const auto before = net::readKeyPair(keys.terminalPrefix.toStdString());
    const GeneratedKeys again = generateTerminalKeys(keys.terminalPrefix);
    QVERIFY(again.publicKey.isEmpty());
    QVERIFY2(again.error.contains(keys.terminalPrefix), qPrintable(again.error));
    const auto after = net::readKeyPair(keys.terminalPrefix.toStdString());
    QCOMPARE(after.pair->secretKey, before.pair->secretKey);

    // Missing folders are made, with no access for group and others.
    const QString nested = keys.folder.filePath(QStringLiteral("config/bourse/keys/curve"));
    const GeneratedKeys fresh = generateTerminalKeys(nested);
    QVERIFY2(fresh.error.isEmpty(), qPrintable(fresh.error));
    QCOMPARE(fresh.publicKey.size(), 40);
    QVERIFY(net::readKeyPair(nested.toStdString()).ok());
    const QFileDevice::Permissions folder =
        QFile::permissions(keys.folder.filePath(QStringLiteral("config/bourse")));
    QVERIFY(folder.testFlag(QFileDevice::WriteOwner));
    QVERIFY(!folder.testFlag(QFileDevice::ReadGroup));
    QVERIFY(!folder.testFlag(QFileDevice::ReadOther));
}

QTEST_GUILESS_MAIN(RemoteSettingsTest)
#include "tst_remote_settings.moc"

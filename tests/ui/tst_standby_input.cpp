// Standby and primary endpoints that cannot work (a port without room for the two after it,
// an overlap, an IPv6 literal) are rejected at the start with the value and where it is, and an
// upper-case scheme is lowered. Each case fails while the check it describes is missing.

#include "engine_list.h"
#include "remote_settings.h"

#include <QTemporaryDir>
#include <QTest>

using namespace bourse;
using namespace bourse::ui;
using bourse::terminal::EngineEntry;
using bourse::terminal::parseEngineList;

namespace {

// The server test key of the zmq_curve(7) manual page, which docs/network-security.md shows.
const QString kServerPublicKey = QStringLiteral("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");

} // namespace

class StandbyInputTest : public QObject {
    Q_OBJECT

private slots:
    void upperCaseStandbySchemeIsLowered();
    void listStandbyWithoutRoomNamesLine();
    void primaryWithoutRoomNamesPort();
    void connectListWithoutRoomNamesPort();
    void upperCasePrimarySchemeIsLowered();
    void standbyOnPrimaryPublishPortRejected();
    void localhostStandbyOverlapRejected();
    void ipv6EndpointRejected();
};

// QUrl takes "TCP://" as the tcp scheme, but ZeroMQ accepts only "tcp://": a standby passed on as
// typed would fail with "Protocol not supported" at the first failover, long after the start.
void StandbyInputTest::upperCaseStandbySchemeIsLowered()
{
    const QTemporaryDir folder;
    const QString prefix = folder.filePath(QStringLiteral("terminal"));
    const GeneratedKeys keys = generateTerminalKeys(prefix);
    QVERIFY2(keys.error.isEmpty(), qPrintable(keys.error));

    RemoteSettings settings;
    settings.orderEntryEndpoint = QStringLiteral("tcp://127.0.0.1:7401");
    settings.standbyEndpoints = {QStringLiteral("TCP://127.0.0.1:7501")};
    settings.serverKey = kServerPublicKey;
    settings.keyPrefix = prefix;
    const auto checked = checkRemoteSettings(settings);
    if (std::holds_alternative<RemoteSettingsError>(checked))
        return; // a rejection with a message is as good as lower case
    const auto &standbys = std::get<net::ClientOptions>(checked).standbyEndpoints;
    QCOMPARE(standbys.size(), std::size_t{1});
    QCOMPARE(standbys.front().orderEntry, std::string("tcp://127.0.0.1:7501"));
}

// A standby on port 65534 has publish and snapshot ports past 65535. parseEngineList() rejects
// it with the file and line, as every other error of the list.
void StandbyInputTest::listStandbyWithoutRoomNamesLine()
{
    const QString text = QStringLiteral("# the desk's market\n"
                                        "engine a tcp://127.0.0.1:7401,tcp://127.0.0.1:65534 %1\n")
                             .arg(kServerPublicKey);
    const auto parsed = parseEngineList(text, QStringLiteral("/srv/desk/engines.list"));
    const QString *error = std::get_if<QString>(&parsed);
    QVERIFY2(error != nullptr, "a standby on port 65534 was accepted");
    QVERIFY2(error->startsWith(QStringLiteral("/srv/desk/engines.list:2: error: ")),
             qPrintable(*error));
    QVERIFY2(error->contains(QStringLiteral("65534")), qPrintable(*error));
}

// The primary on port 65534 has no room for its default publish and snapshot ports either. The
// error names the port, rather than reporting a missing snapshot endpoint.
void StandbyInputTest::primaryWithoutRoomNamesPort()
{
    RemoteSettings settings;
    settings.orderEntryEndpoint = QStringLiteral("tcp://127.0.0.1:65534");
    settings.serverKey = kServerPublicKey;
    const auto checked = checkRemoteSettings(settings);
    const auto *error = std::get_if<RemoteSettingsError>(&checked);
    QVERIFY2(error != nullptr, "an order-entry endpoint on port 65534 was accepted");
    QVERIFY2(error->message.contains(QStringLiteral("65534")), qPrintable(error->message));
}

// --connect takes no publish or snapshot endpoint, so the endpoint list itself must leave room
// for them: the error then comes from the command line, with the usage exit code.
void StandbyInputTest::connectListWithoutRoomNamesPort()
{
    for (const QString &text : {QStringLiteral("tcp://127.0.0.1:65534"),
                                QStringLiteral("tcp://127.0.0.1:7401,tcp://127.0.0.1:65535")}) {
        const auto parsed = bourse::ui::parseEndpointList(
            text, QStringLiteral("--connect endpoint"), QStringLiteral("--connect standby"));
        const QString *error = std::get_if<QString>(&parsed);
        QVERIFY2(error != nullptr, qPrintable(text));
        QVERIFY2(error->contains(QStringLiteral("6553")), qPrintable(*error));
        QVERIFY2(error->contains(QStringLiteral("--connect")), qPrintable(*error));
    }
}

void StandbyInputTest::upperCasePrimarySchemeIsLowered()
{
    const QTemporaryDir folder;
    const QString prefix = folder.filePath(QStringLiteral("terminal"));
    const GeneratedKeys keys = generateTerminalKeys(prefix);
    QVERIFY2(keys.error.isEmpty(), qPrintable(keys.error));

    RemoteSettings settings;
    settings.orderEntryEndpoint = QStringLiteral("TCP://127.0.0.1:7401");
    settings.serverKey = kServerPublicKey;
    settings.keyPrefix = prefix;
    const auto checked = checkRemoteSettings(settings);
    const auto *options = std::get_if<net::ClientOptions>(&checked);
    QVERIFY(options != nullptr);
    QCOMPARE(options->orderEntryEndpoint, std::string("tcp://127.0.0.1:7401"));
    QCOMPARE(options->publishEndpoint, std::string("tcp://127.0.0.1:7402"));
    QCOMPARE(options->snapshotEndpoint, std::string("tcp://127.0.0.1:7403"));
}

// The standby's order-entry port 7402 is the primary's publish port on the same host, so one of
// the two servers cannot bind it.
void StandbyInputTest::standbyOnPrimaryPublishPortRejected()
{
    RemoteSettings settings;
    settings.orderEntryEndpoint = QStringLiteral("tcp://127.0.0.1:7401");
    settings.standbyEndpoints = {QStringLiteral("tcp://127.0.0.1:7402")};
    settings.serverKey = kServerPublicKey;
    const auto checked = checkRemoteSettings(settings);
    const auto *error = std::get_if<RemoteSettingsError>(&checked);
    QVERIFY2(error != nullptr, "a standby on the primary's publish port was accepted");
    QVERIFY2(error->message.contains(QStringLiteral("tcp://127.0.0.1:7402")),
             qPrintable(error->message));
    QVERIFY2(error->message.contains(QStringLiteral("publish")), qPrintable(error->message));
}

// localhost and 127.0.0.1 are one host: the standby's 7403 is the primary's snapshot port.
void StandbyInputTest::localhostStandbyOverlapRejected()
{
    RemoteSettings settings;
    settings.orderEntryEndpoint = QStringLiteral("tcp://127.0.0.1:7401");
    settings.standbyEndpoints = {QStringLiteral("tcp://localhost:7403")};
    settings.serverKey = kServerPublicKey;
    const auto checked = checkRemoteSettings(settings);
    const auto *error = std::get_if<RemoteSettingsError>(&checked);
    QVERIFY2(error != nullptr, "a standby on the primary's snapshot port was accepted");
    QVERIFY2(error->message.contains(QStringLiteral("snapshot")), qPrintable(error->message));
}

// Neither end sets ZMQ_IPV6, so an IPv6 literal would pass and then never connect.
void StandbyInputTest::ipv6EndpointRejected()
{
    const std::optional<QString> error = bourse::ui::checkEndpoint(
        QStringLiteral("tcp://[::1]:7401"), QStringLiteral("standby endpoint"));
    QVERIFY2(error.has_value(), "an IPv6 endpoint was accepted");
    QVERIFY2(error->contains(QStringLiteral("IPv6")), qPrintable(*error));
    QVERIFY2(error->contains(QStringLiteral("tcp://[::1]:7401")), qPrintable(*error));
}

QTEST_GUILESS_MAIN(StandbyInputTest)
#include "tst_standby_input.moc"

// The connect dialog: the endpoints that follow the order-entry port, the standby servers, the
// errors that keep it open on the field they name, and the key pair it generates.

#include "connect_dialog.h"
#include "curve_keys.h"

#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace bourse;
using namespace bourse::ui;

namespace {

QLineEdit *field(const ConnectDialog &dialog, const char *name)
{
    auto *edit = dialog.findChild<QLineEdit *>(QString::fromLatin1(name));
    if (!edit)
        qFatal("no field %s", name);
    return edit;
}

// A dialog whose fields name a valid server key file and terminal key pair.
struct ValidDialog {
    QTemporaryDir folder;
    std::unique_ptr<ConnectDialog> dialog;

    ValidDialog()
    {
        RemoteSettings settings;
        settings.orderEntryEndpoint = QStringLiteral("tcp://127.0.0.1:7401");
        settings.keyPrefix = folder.filePath(QStringLiteral("terminal"));
        settings.serverKey = folder.filePath(QStringLiteral("server.pub"));
        settings.accounts = {AccountId{1}};
        if (!generateTerminalKeys(settings.keyPrefix).error.isEmpty() ||
            !generateTerminalKeys(folder.filePath(QStringLiteral("server"))).error.isEmpty())
            qFatal("cannot write the keys");
        dialog = std::make_unique<ConnectDialog>(settings);
    }
};

} // namespace

class ConnectDialogTest : public QObject {
    Q_OBJECT

private slots:
    void endpointsFollowOrderEntryPort();
    void editedEndpointStaysPut();
    void validFieldsAccept();
    void missingServerKeyFileKeepsDialogOpen();
    void badEndpointKeepsDialogOpen();
    void badAccountIsReported();
    void standbysReachClientOptions();
    void badStandbyKeepsDialogOpenOnIt();
    void savedSettingsKeepStandbys();
    void generateWritesDefaultKeyPair();
};

void ConnectDialogTest::endpointsFollowOrderEntryPort()
{
    ConnectDialog dialog(RemoteSettings{});
    field(dialog, "orderEntryEdit")->setText(QStringLiteral("tcp://10.1.2.3:9100"));
    QCOMPARE(field(dialog, "publishEdit")->text(), QStringLiteral("tcp://10.1.2.3:9101"));
    QCOMPARE(field(dialog, "snapshotEdit")->text(), QStringLiteral("tcp://10.1.2.3:9102"));
}

void ConnectDialogTest::editedEndpointStaysPut()
{
    ConnectDialog dialog(RemoteSettings{});
    QLineEdit *publish = field(dialog, "publishEdit");
    publish->setFocus();
    QTest::keyClicks(publish, QStringLiteral("tcp://127.0.0.1:5000"));
    field(dialog, "orderEntryEdit")->setText(QStringLiteral("tcp://127.0.0.1:7401"));
    QCOMPARE(publish->text(), QStringLiteral("tcp://127.0.0.1:5000"));
    QCOMPARE(field(dialog, "snapshotEdit")->text(), QStringLiteral("tcp://127.0.0.1:7403"));
}

void ConnectDialogTest::validFieldsAccept()
{
    ValidDialog valid;
    valid.dialog->tryAccept();
    QCOMPARE(valid.dialog->result(), int{QDialog::Accepted});
    QVERIFY(valid.dialog->clientOptions().has_value());
    QCOMPARE(valid.dialog->clientOptions()->snapshotEndpoint, std::string("tcp://127.0.0.1:7403"));
    QCOMPARE(valid.dialog->message(), QString());
}

void ConnectDialogTest::missingServerKeyFileKeepsDialogOpen()
{
    ValidDialog valid;
    const QString absent = valid.folder.filePath(QStringLiteral("absent.pub"));
    field(*valid.dialog, "serverKeyEdit")->setText(absent);
    valid.dialog->show();
    valid.dialog->tryAccept();
    QVERIFY(valid.dialog->result() != QDialog::Accepted);
    QVERIFY(!valid.dialog->clientOptions());
    QVERIFY2(valid.dialog->message().contains(absent), qPrintable(valid.dialog->message()));
}

void ConnectDialogTest::badEndpointKeepsDialogOpen()
{
    ValidDialog valid;
    field(*valid.dialog, "orderEntryEdit")->setText(QStringLiteral("tcp://127.0.0.1:99999"));
    valid.dialog->tryAccept();
    QVERIFY(valid.dialog->result() != QDialog::Accepted);
    QVERIFY2(valid.dialog->message().contains(QStringLiteral("tcp://127.0.0.1:99999")),
             qPrintable(valid.dialog->message()));
    QVERIFY2(valid.dialog->message().contains(QStringLiteral("order-entry endpoint")),
             qPrintable(valid.dialog->message()));
}

void ConnectDialogTest::badAccountIsReported()
{
    ValidDialog valid;
    field(*valid.dialog, "accountsEdit")->setText(QStringLiteral("1,x"));
    valid.dialog->tryAccept();
    QVERIFY(valid.dialog->result() != QDialog::Accepted);
    QVERIFY2(valid.dialog->message().contains(QStringLiteral("'x'")),
             qPrintable(valid.dialog->message()));
}

// Two standbys, typed with spaces around the comma, each with the two ports after its own.
void ConnectDialogTest::standbysReachClientOptions()
{
    ValidDialog valid;
    field(*valid.dialog, "standbysEdit")
        ->setText(QStringLiteral(" tcp://10.0.0.2:7401 ,tcp://10.0.0.3:8401"));
    valid.dialog->tryAccept();
    QCOMPARE(valid.dialog->result(), int{QDialog::Accepted});
    const std::vector<net::ServerEndpoints> &standbys =
        valid.dialog->clientOptions()->standbyEndpoints;
    QCOMPARE(standbys.size(), std::size_t{2});
    QCOMPARE(standbys[0].orderEntry, std::string("tcp://10.0.0.2:7401"));
    QCOMPARE(standbys[0].publish, std::string("tcp://10.0.0.2:7402"));
    QCOMPARE(standbys[1].snapshot, std::string("tcp://10.0.0.3:8403"));
    QCOMPARE(valid.dialog->settings().standbyEndpoints,
             QStringList(
                 {QStringLiteral("tcp://10.0.0.2:7401"), QStringLiteral("tcp://10.0.0.3:8401")}));
}

// A standby whose order-entry port is the primary's publish port could not bind it: the error
// names both, and the standby field's text is selected for correction.
void ConnectDialogTest::badStandbyKeepsDialogOpenOnIt()
{
    ValidDialog valid;
    valid.dialog->show();
    QLineEdit *standbys = field(*valid.dialog, "standbysEdit");
    standbys->setText(QStringLiteral("tcp://127.0.0.1:7402"));
    valid.dialog->tryAccept();
    QVERIFY(valid.dialog->result() != QDialog::Accepted);
    QVERIFY2(valid.dialog->message().contains(QStringLiteral("standby 1 order-entry endpoint")),
             qPrintable(valid.dialog->message()));
    QCOMPARE(standbys->selectedText(), standbys->text());

    standbys->setText(QStringLiteral("tcp://10.0.0.2"));
    valid.dialog->tryAccept();
    QVERIFY2(valid.dialog->message().contains(QStringLiteral("standby endpoint")),
             qPrintable(valid.dialog->message()));
    QCOMPARE(standbys->selectedText(), standbys->text());
}

// The dialog's next opening shows the standbys of the last connection.
void ConnectDialogTest::savedSettingsKeepStandbys()
{
    QStandardPaths::setTestModeEnabled(true);
    RemoteSettings saved;
    saved.orderEntryEndpoint = QStringLiteral("tcp://10.0.0.1:7401");
    saved.standbyEndpoints = {QStringLiteral("tcp://10.0.0.2:7401"),
                              QStringLiteral("tcp://10.0.0.3:7401")};
    saveRemoteSettings(saved);
    const RemoteSettings loaded = loadRemoteSettings();
    QSettings().clear();
    QCOMPARE(loaded.standbyEndpoints, saved.standbyEndpoints);
    ConnectDialog dialog(loaded);
    QCOMPARE(field(dialog, "standbysEdit")->text(),
             QStringLiteral("tcp://10.0.0.2:7401, tcp://10.0.0.3:7401"));
}

void ConnectDialogTest::generateWritesDefaultKeyPair()
{
    QTemporaryDir config;
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(config.path()));
    ConnectDialog dialog(RemoteSettings{});
    dialog.findChild<QPushButton *>(QStringLiteral("generateKeysButton"))->click();

    const QString prefix = config.filePath(QStringLiteral("bourse/keys/curve"));
    QCOMPARE(field(dialog, "keyPrefixEdit")->text(), prefix);
    const auto keys = net::readKeyPair(prefix.toStdString());
    QVERIFY2(keys.ok(), keys.error.toString().c_str());
    QVERIFY2(dialog.message().contains(QString::fromStdString(keys.pair->publicKey)),
             qPrintable(dialog.message()));
    qunsetenv("XDG_CONFIG_HOME");
}

QTEST_MAIN(ConnectDialogTest)
#include "tst_connect_dialog.moc"

// The host dialog: valid fields give the plan of a HostSession, and each invalid field keeps the
// dialog open with an error that names the value or the file.

#include "curve_keys.h"
#include "host_dialog.h"
#include "remote_settings.h"

#include <QLineEdit>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using namespace bourse;
using namespace bourse::ui;

namespace {

// A dialog whose fields name a valid host key pair, a peers' access list and a training
// scenario, in a temporary folder.
struct ValidDialog {
    QTemporaryDir folder;
    QString hostKey; // Z85
    std::unique_ptr<HostDialog> dialog;

    ValidDialog()
    {
        const GeneratedKeys host = generateTerminalKeys(folder.filePath(QStringLiteral("host")));
        const GeneratedKeys peer = generateTerminalKeys(folder.filePath(QStringLiteral("peer")));
        if (!host.error.isEmpty() || !peer.error.isEmpty())
            qFatal("cannot write the keys");
        hostKey = host.publicKey;
        write("peers.access", "trader " + peer.publicKey.toStdString() + " accounts 2 # peer\n");
        write("halt.scenario", "market seed 3\n"
                               "instrument ABC tick 0.01 lot 1 price 50.00\n"
                               "at +1min halt ABC\n");
        HostSettings settings;
        settings.trainingFile = path("halt.scenario");
        settings.address = QStringLiteral("127.0.0.1");
        settings.firstPort = 17501;
        settings.peerAccessList = path("peers.access");
        settings.accounts = {AccountId{1}, AccountId{3}};
        settings.keyPrefix = path("host");
        dialog = std::make_unique<HostDialog>(settings);
    }

    QString path(const char *name) const { return folder.filePath(QString::fromLatin1(name)); }
    void write(const char *name, const std::string &text) const
    {
        std::ofstream(path(name).toStdString()) << text;
    }
    QLineEdit *field(const QString &name) const
    {
        auto *edit = dialog->findChild<QLineEdit *>(name);
        if (!edit)
            qFatal("no field %s", qPrintable(name));
        return edit;
    }
};

} // namespace

class HostDialogTest : public QObject {
    Q_OBJECT

private slots:
    void validFieldsGiveHostOptions();
    void invalidFieldKeepsDialogOpen_data();
    void invalidFieldKeepsDialogOpen();
    void hostKeyInPeersListRejected();
    void simulationWithoutSeedGetsOne();
};

void HostDialogTest::validFieldsGiveHostOptions()
{
    ValidDialog valid;
    valid.field(QStringLiteral("hostSeedEdit"))->setText(QStringLiteral("11"));
    valid.dialog->tryAccept();

    QCOMPARE(valid.dialog->result(), int(QDialog::Accepted));
    QCOMPARE(valid.dialog->message(), QString());
    QVERIFY(valid.dialog->plan());
    const net::HostOptions &options = valid.dialog->plan()->options;
    QCOMPARE(options.address, std::string("127.0.0.1"));
    QCOMPARE(options.firstPort, std::uint16_t{17501});
    QCOMPARE(options.trainingFile, valid.path("halt.scenario").toStdString());
    QCOMPARE(options.seed, std::uint64_t{11});
    QVERIFY(options.seedGiven);
    QCOMPARE(options.peerAccessList, valid.path("peers.access").toStdString());
    QCOMPARE(options.hostKeys.publicKey, valid.hostKey.toStdString());
    QCOMPARE(options.hostAccounts, (std::vector<AccountId>{AccountId{1}, AccountId{3}}));
    // The instructor panel's scenario: the file's instrument and its one scheduled event.
    const training::TrainingScenario &scenario = valid.dialog->plan()->scenario;
    QCOMPARE(scenario.options.instruments.size(), std::size_t{1});
    QCOMPARE(scenario.options.instruments.front().symbol, std::string("ABC"));
    QCOMPARE(scenario.options.schedule.size(), std::size_t{1});
    QCOMPARE(scenario.seed, std::uint64_t{11});
}

void HostDialogTest::invalidFieldKeepsDialogOpen_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message"); // a part of the error; %1 is the temporary folder

    QTest::newRow("host name as address")
        << QStringLiteral("hostAddressEdit") << QStringLiteral("desk.lan")
        << QStringLiteral("Invalid address 'desk.lan'");
    QTest::newRow("empty address") << QStringLiteral("hostAddressEdit") << QString()
                                   << QStringLiteral("The address is missing");
    QTest::newRow("negative seed") << QStringLiteral("hostSeedEdit") << QStringLiteral("-4")
                                   << QStringLiteral("Invalid seed '-4'");
    QTest::newRow("missing scenario file")
        << QStringLiteral("hostTrainingEdit") << QStringLiteral("%1/absent.scenario")
        << QStringLiteral("%1/absent.scenario");
    QTest::newRow("missing access list")
        << QStringLiteral("hostAccessListEdit") << QStringLiteral("%1/absent.access")
        << QStringLiteral("Peers' access list: %1/absent.access");
    QTest::newRow("account zero") << QStringLiteral("hostAccountsEdit") << QStringLiteral("0")
                                  << QStringLiteral("Invalid account '0'");
    QTest::newRow("no account") << QStringLiteral("hostAccountsEdit") << QString()
                                << QStringLiteral("The host's accounts are missing");
    QTest::newRow("missing key pair")
        << QStringLiteral("hostKeyPrefixEdit") << QStringLiteral("%1/absent")
        << QStringLiteral("Host key pair: %1/absent");
}

void HostDialogTest::invalidFieldKeepsDialogOpen()
{
    QFETCH(QString, field);
    QFETCH(QString, text);
    QFETCH(QString, message);
    ValidDialog valid;
    const QString folder = valid.folder.path();
    valid.field(field)->setText(text.contains(QStringLiteral("%1")) ? text.arg(folder) : text);
    valid.dialog->tryAccept();

    QVERIFY(valid.dialog->result() != QDialog::Accepted);
    QVERIFY(!valid.dialog->plan());
    const QString expected = message.contains(QStringLiteral("%1")) ? message.arg(folder) : message;
    QVERIFY2(valid.dialog->message().contains(expected), qPrintable(valid.dialog->message()));
}

// The host adds its own key with its accounts, so a peers' list that names it is a mistake.
void HostDialogTest::hostKeyInPeersListRejected()
{
    ValidDialog valid;
    valid.write("peers.access", "trader " + valid.hostKey.toStdString() + " accounts 2\n");
    valid.dialog->tryAccept();

    QVERIFY(valid.dialog->result() != QDialog::Accepted);
    QVERIFY2(valid.dialog->message().contains(valid.path("peers.access") + QStringLiteral(":1")),
             qPrintable(valid.dialog->message()));
}

void HostDialogTest::simulationWithoutSeedGetsOne()
{
    ValidDialog valid;
    valid.field(QStringLiteral("hostTrainingEdit"))->clear();
    valid.dialog->findChild<QSpinBox *>(QStringLiteral("hostPortSpin"))->setValue(0);
    valid.dialog->tryAccept();

    QVERIFY2(valid.dialog->plan(), qPrintable(valid.dialog->message()));
    const HostPlan &plan = *valid.dialog->plan();
    QVERIFY(plan.options.trainingFile.empty());
    QVERIFY(plan.options.seedGiven);
    QCOMPARE(plan.scenario.seed, plan.options.seed);
    QCOMPARE(plan.options.firstPort, std::uint16_t{0});
    // A simulation's instruments are the agent market's five defaults, with no schedule.
    QCOMPARE(plan.scenario.options.instruments.size(), std::size_t{5});
    QVERIFY(plan.scenario.options.schedule.empty());
    QVERIFY(plan.scenario.fileName.empty());
}

QTEST_MAIN(HostDialogTest)
#include "tst_host_dialog.moc"

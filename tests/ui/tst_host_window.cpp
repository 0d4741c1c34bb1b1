// The window in host mode: it serves the simulated market of seed 7 on 127.0.0.1, on ports the
// system chooses, with keys made in a temporary folder. The instructor panel pauses, resumes and
// halts the served market, and a peer RemoteSession with a key of the peers' access list trades
// against the host's account.

#include "connection_panel.h"
#include "curve_keys.h"
#include "elided_label.h"
#include "host_settings.h"
#include "instructor_panel.h"
#include "main_window.h"
#include "market_feed.h"
#include "market_watch_model.h"
#include "market_watch_panel.h"
#include "order_ticket.h"
#include "remote_settings.h"

#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using namespace bourse;
using namespace bourse::ui;

namespace {

constexpr int kTimeoutMs = 15'000;
constexpr AccountId kHostAccount{1};
constexpr AccountId kPeerAccount{2};

// The host's and a peer's key pairs, the peers' access list that lets the peer trade account 2,
// and the settings of a simulation with seed 7 hosted on 127.0.0.1.
struct HostFixture {
    QTemporaryDir folder;
    net::CurveKeyPair peerKeys;
    HostSettings settings;

    HostFixture()
    {
        const GeneratedKeys host = generateTerminalKeys(folder.filePath("host"));
        const GeneratedKeys peer = generateTerminalKeys(folder.filePath("peer"));
        if (!host.error.isEmpty() || !peer.error.isEmpty())
            qFatal("cannot write the keys");
        peerKeys = *net::readKeyPair(folder.filePath("peer").toStdString()).pair;
        std::ofstream(folder.filePath("peers.access").toStdString())
            << "trader " << peer.publicKey.toStdString() << " accounts 2 # peer\n";
        settings.seed = 7;
        settings.peerAccessList = folder.filePath("peers.access");
        settings.accounts = {kHostAccount};
        settings.keyPrefix = folder.filePath("host");
        settings.keyFolder = folder.filePath("server");
    }
};

std::shared_ptr<const MarketView> viewOf(const MainWindow &window)
{
    return window.feed().currentView();
}

SequenceNumber sequenceOf(const MainWindow &window)
{
    const auto view = viewOf(window);
    return view ? view->lastSequence : 0;
}

const OwnPosition *positionOf(const MarketView &view, AccountId account, InstrumentId instrument)
{
    for (const OwnPosition &position : view.trader.positions) {
        if (position.account == account && position.instrument == instrument)
            return &position;
    }
    return nullptr;
}

Quantity positionQuantity(const std::shared_ptr<const MarketView> &view, AccountId account,
                          InstrumentId instrument)
{
    const OwnPosition *position = view ? positionOf(*view, account, instrument) : nullptr;
    return position ? position->quantity : Quantity{};
}

QString statusOf(const MarketWatchModel &model, const QString &symbol)
{
    for (int row = 0; row < model.rowCount(); ++row) {
        if (model.index(row, MarketWatchModel::SymbolColumn).data().toString() == symbol)
            return model.index(row, MarketWatchModel::StatusColumn).data().toString();
    }
    return {};
}

} // namespace

class HostWindowTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void pauseStopsAndResumeRestartsMarket();
    void injectedHaltShowsInMarketWatch();
    void peerTradesAgainstHostAccount();
    void stopHostingLeavesHostMode();

private:
    // Starts hosting the fixture's market and waits until the host's view takes orders and the
    // market has sent events.
    static void startHosting(MainWindow &window, const HostFixture &fixture);
    static void pause(MainWindow &window);

    QTemporaryDir m_settingsDirectory;
};

void HostWindowTest::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_settingsDirectory.isValid());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDirectory.path());
    QCoreApplication::setOrganizationName(QStringLiteral("BourseTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_host_window"));
}

void HostWindowTest::startHosting(MainWindow &window, const HostFixture &fixture)
{
    auto checked = checkHostSettings(fixture.settings);
    if (const auto *error = std::get_if<HostSettingsError>(&checked))
        QFAIL(qPrintable(error->message));
    const std::optional<QString> error = window.startHost(std::get<HostPlan>(std::move(checked)));
    QVERIFY2(!error, error ? qPrintable(*error) : "");
    QVERIFY(window.isHosting());
    QTRY_VERIFY_WITH_TIMEOUT(viewOf(window) && viewOf(window)->takesOrders, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(sequenceOf(window) > 0, kTimeoutMs);
}

// Pauses through the instructor panel, and waits until the panel shows the market paused and
// the events published before the pause have arrived.
void HostWindowTest::pause(MainWindow &window)
{
    auto *playPause = window.findChild<QPushButton *>(QStringLiteral("instructorPlayPause"));
    QVERIFY(playPause && playPause->isEnabled());
    QCOMPARE(playPause->text(), QStringLiteral("Pause"));
    QTest::mouseClick(playPause, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(playPause->text(), QStringLiteral("Resume"), kTimeoutMs);
    QTest::qWait(500);
}

void HostWindowTest::pauseStopsAndResumeRestartsMarket()
{
    HostFixture fixture;
    MainWindow window;
    window.setSettingsPersistent(false);
    startHosting(window, fixture);
    const auto *mode = window.findChild<ElidedLabel *>(QStringLiteral("modeLabel"));
    QVERIFY2(mode->fullText().startsWith(QStringLiteral("Hosting on tcp://127.0.0.1:")),
             qPrintable(mode->fullText()));

    pause(window);
    const SequenceNumber paused = sequenceOf(window);
    QTest::qWait(1'500);
    QCOMPARE(sequenceOf(window), paused);

    auto *playPause = window.findChild<QPushButton *>(QStringLiteral("instructorPlayPause"));
    QTest::mouseClick(playPause, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(playPause->text(), QStringLiteral("Pause"), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(sequenceOf(window) > paused, kTimeoutMs);
}

void HostWindowTest::injectedHaltShowsInMarketWatch()
{
    HostFixture fixture;
    MainWindow window;
    window.setSettingsPersistent(false);
    startHosting(window, fixture);
    const MarketWatchModel &watch = *window.findChild<MarketWatchPanel *>()->model();
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(watch, QStringLiteral("BLUE")), QStringLiteral("Open"),
                              kTimeoutMs);

    auto *instrument = window.findChild<QComboBox *>(QStringLiteral("instructorInstrument"));
    instrument->setCurrentIndex(instrument->findText(QStringLiteral("BLUE")));
    auto *halt = window.findChild<QPushButton *>(QStringLiteral("instructorHalt"));
    QTRY_VERIFY_WITH_TIMEOUT(halt->isEnabled(), kTimeoutMs);
    QTest::mouseClick(halt, Qt::LeftButton);

    QTRY_COMPARE_WITH_TIMEOUT(statusOf(watch, QStringLiteral("BLUE")), QStringLiteral("Halted"),
                              kTimeoutMs);
    QCOMPARE(window.findChild<InstructorPanel *>()->message(), QString());
}

// With the market paused, the book does not change. The host sells 5 lots at the best ask, behind
// the agents' A lots there, and the peer buys A + 5 lots at that price: the agents' lots fill
// first, by time priority, then the host's 5. So the host is short 5 lots and the peer long
// A + 5.
void HostWindowTest::peerTradesAgainstHostAccount()
{
    HostFixture fixture;
    MainWindow window;
    window.setSettingsPersistent(false);
    startHosting(window, fixture);
    pause(window);

    const std::shared_ptr<const MarketView> before = viewOf(window);
    const InstrumentId instrument = before->instrument;
    const auto quote =
        std::find_if(before->instruments.begin(), before->instruments.end(),
                     [&](const InstrumentQuote &q) { return q.instrument == instrument; });
    QVERIFY(quote != before->instruments.end());
    QVERIFY(quote->bestAsk.value() > 0);
    const Price price = quote->bestAsk;
    const Quantity agents = quote->askSize;
    const Quantity hostLots{5 * quote->lotSize.value()};

    auto *ticket = window.findChild<OrderTicket *>();
    ticket->setQuantity(hostLots);
    ticket->setLimitPrice(price);
    auto *sell = ticket->findChild<QPushButton *>(QStringLiteral("ticketSell"));
    QTRY_VERIFY_WITH_TIMEOUT(sell->isEnabled(), kTimeoutMs);
    QTest::mouseClick(sell, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(viewOf(window)->trader.workingOrders.size(), std::size_t{1},
                              kTimeoutMs);

    const std::optional<net::HostEndpoints> endpoints = window.hostEndpoints();
    QVERIFY(endpoints);
    net::RemoteSession::Options options;
    net::ClientOptions &client = options.client;
    client.orderEntryEndpoint = endpoints->orderEntry;
    client.publishEndpoint = endpoints->publish;
    client.snapshotEndpoint = endpoints->snapshot;
    client.serverPublicKey = endpoints->serverPublicKey;
    client.keys = fixture.peerKeys;
    client.accounts = {kPeerAccount};
    // The paused market publishes nothing on its own, so the peer names the instrument.
    client.instruments = {instrument};
    net::RemoteSession peer(std::move(options));
    QTRY_VERIFY_WITH_TIMEOUT(peer.latestView()->takesOrders, kTimeoutMs);

    NewOrder buy;
    buy.side = Side::Buy;
    buy.limit = price;
    buy.quantity = Quantity{agents.value() + hostLots.value()};
    buy.instrument = instrument;
    buy.account = kPeerAccount;
    QVERIFY(peer.submit(buy));

    QTRY_COMPARE_WITH_TIMEOUT(positionQuantity(peer.latestView(), kPeerAccount, instrument),
                              buy.quantity, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(positionQuantity(viewOf(window), kHostAccount, instrument),
                              Quantity{-hostLots.value()}, kTimeoutMs);
    QCOMPARE(viewOf(window)->trader.workingOrders.size(), std::size_t{0});
}

void HostWindowTest::stopHostingLeavesHostMode()
{
    HostFixture fixture;
    MainWindow window;
    window.setSettingsPersistent(false);
    startHosting(window, fixture);
    // What the connection panel copies for peers names the three endpoints and the key.
    const std::optional<net::HostEndpoints> endpoints = window.hostEndpoints();
    QVERIFY(endpoints);
    const QString peers = window.findChild<ConnectionPanel *>()->peerInstructions();
    for (const std::string &part : {endpoints->orderEntry, endpoints->publish, endpoints->snapshot,
                                    endpoints->serverPublicKey})
        QVERIFY2(peers.contains(QString::fromStdString(part)), qPrintable(peers));
    auto *stop = window.findChild<QAction *>(QStringLiteral("disconnectAction"));
    QCOMPARE(stop->text(), QStringLiteral("Stop &hosting"));

    stop->trigger();
    QVERIFY(!window.isHosting());
    QVERIFY(!window.hostEndpoints());
    QCOMPARE(window.findChild<ConnectionPanel *>()->peerInstructions(), QString());
    QCOMPARE(window.findChild<QLabel *>(QStringLiteral("connectionLabel"))->text(),
             QStringLiteral("Stopped hosting"));
    QCOMPARE(stop->text(), QStringLiteral("&Disconnect"));
    QVERIFY(!stop->isEnabled());
    // The instructor panel no longer drives the stopped market.
    QVERIFY(!window.findChild<QPushButton *>(QStringLiteral("instructorPlayPause"))->isEnabled());
}

QTEST_MAIN(HostWindowTest)
#include "tst_host_window.moc"

// The window's remote mode: a link to a `bourse-engine serve` in place of a local session.

#include "main_window.h"

#include "connect_dialog.h"
#include "connection_panel.h"
#include "connection_status_text.h"
#include "logging.h"
#include "market_feed.h"
#include "market_watch_model.h"
#include "market_watch_panel.h"
#include "replay_toolbar.h"
#include "session_status_bar.h"
#include "workspace_docks.h"

#include <QAction>
#include <QMenu>
#include <QMessageBox>
#include <QTimer>

namespace bourse::ui {

namespace {

// How often the status bar and the connection panel read the link's status. A reconnect delay
// counts down in steps of this.
constexpr int kConnectionPollMilliseconds = 250;

} // namespace

void MainWindow::createConnectionPanel()
{
    m_connectionPanel = new ConnectionPanel(this);
    m_connectionPanel->setObjectName(QStringLiteral("connection"));
    m_docks->add(kConnectionDock, tr("Connection"), m_connectionPanel,
                 QKeySequence(Qt::ALT | Qt::Key_N), PanelDocks::Fit::Scroll);

    m_connectionTimer = new QTimer(this);
    m_connectionTimer->setInterval(kConnectionPollMilliseconds);
    connect(m_connectionTimer, &QTimer::timeout, this, &MainWindow::showConnectionStatus);
    // The status of the same moment as the view, so that both show the same stale streams.
    connect(m_feed, &MarketFeed::viewChanged, this, [this] {
        if (m_remote)
            showConnectionStatus();
    });
}

void MainWindow::createRemoteActions(QMenu &session)
{
    createHostAction(session);
    QAction *connectAction = session.addAction(tr("&Connect to server\u2026"));
    connectAction->setObjectName(QStringLiteral("connectAction"));
    connectAction->setToolTip(tr("Trade on a Bourse server (bourse-engine serve) instead of the "
                                 "terminal's own market"));
    connect(connectAction, &QAction::triggered, this, &MainWindow::openConnectDialog);

    m_disconnectAction = session.addAction(tr("&Disconnect"));
    m_disconnectAction->setObjectName(QStringLiteral("disconnectAction"));
    m_disconnectAction->setEnabled(false);
    connect(m_disconnectAction, &QAction::triggered, this, &MainWindow::disconnectFromServer);
}

void MainWindow::setRemoteLinkFactory(RemoteLinkFactory factory)
{
    m_remoteFactory = std::move(factory);
}

void MainWindow::openConnectDialog()
{
    ConnectDialog dialog(loadRemoteSettings(), this);
    if (dialog.exec() != QDialog::Accepted || !dialog.clientOptions())
        return;
    if (m_persistent)
        saveRemoteSettings(dialog.settings());
    if (std::optional<QString> error = connectToServer(*dialog.clientOptions()))
        QMessageBox::warning(this, tr("Connect to server"), *error);
}

std::optional<QString> MainWindow::connectToServer(net::ClientOptions options)
{
    if (!m_remoteFactory)
        return tr("This terminal was built without the remote mode.");
    const QString endpoint = QString::fromStdString(options.orderEntryEndpoint);
    QString error;
    std::optional<RemoteLink> link = m_remoteFactory(std::move(options), error);
    if (!link)
        return error;
    qCInfo(lcNet) << "connecting to" << endpoint;
    startRemote(std::move(*link), endpoint);
    return std::nullopt;
}

void MainWindow::startRemote(RemoteLink link, const QString &endpoint)
{
    std::unique_ptr<Session> previous = std::move(m_session);
    std::unique_ptr<RemoteLink> previousRemote = takeRemote();
    m_remote = std::make_unique<RemoteLink>(std::move(link));
    m_feed->setSource(m_remote->views);

    std::unique_ptr<OrderGateway> previousGateway = std::exchange(m_gateway, nullptr);
    m_gateway = std::move(m_remote->gateway);
    for (const auto &setGateway : m_gatewayPanels)
        setGateway(m_gateway.get());

    for (const auto &clear : m_clearPanels)
        clear();
    m_shownSeeks = 0;
    m_statusBar->clear();
    m_statusBar->setSimulationSeed(std::nullopt);
    m_statusBar->setRemoteEndpoint(endpoint);
    m_toolBar->setMarketPace(MarketPace::Server);
    m_disconnectAction->setEnabled(true);
    if (m_remote->hosted)
        showHosting(*m_remote->hosted);
    showConnectionStatus();
    m_connectionTimer->start();
    m_feed->start();

    // As in installSession(), the previous session's thread is joined here, on the GUI thread.
    previousGateway.reset();
    previousRemote.reset();
    previous.reset();
}

void MainWindow::disconnectFromServer()
{
    if (!m_remote)
        return;
    m_feed->stop();
    m_feed->setSource({});
    for (const auto &setGateway : m_gatewayPanels)
        setGateway(nullptr);
    std::unique_ptr<OrderGateway> gateway = std::move(m_gateway);
    const bool hosting = isHosting();
    const QString endpoint = QString::fromStdString(
        hosting ? m_remote->hosted->endpoints.orderEntry : m_remote->status().orderEntryEndpoint);
    std::unique_ptr<RemoteLink> link = takeRemote();

    for (const auto &clear : m_clearPanels)
        clear();
    m_statusBar->clear();
    m_statusBar->setRemoteEndpoint(endpoint);
    if (hosting) {
        // Destroying the link stops the server, and every peer loses the market.
        m_statusBar->setConnectionState(tr("Stopped hosting"), ConnectionSeverity::Warning);
        m_statusBar->setNotice(tr("Session > Host a market\u2026 serves a market again; "
                                  "Simulation starts a local one"));
        qCInfo(lcNet) << "stopped hosting on" << endpoint;
    } else {
        m_statusBar->setConnectionState(tr("Disconnected"), ConnectionSeverity::Warning);
        m_statusBar->setNotice(tr("Session > Connect to server\u2026 connects again; Simulation "
                                  "starts a local market"));
        qCInfo(lcNet) << "disconnected from" << endpoint;
    }
    gateway.reset();
    link.reset();
}

// Leaves remote mode, or the state a disconnect left: the window's controls become those of a
// local session. The caller destroys the returned link once nothing refers to it.
std::unique_ptr<RemoteLink> MainWindow::takeRemote()
{
    m_connectionTimer->stop();
    m_remoteInstance = 0;
    m_connectionPanel->clear();
    m_marketWatch->model()->setStaleInstruments({});
    m_statusBar->setRemoteEndpoint({});
    m_statusBar->setConnectionState(tr("Local"), ConnectionSeverity::Normal);
    m_toolBar->setMarketPace(MarketPace::Local);
    m_disconnectAction->setEnabled(false);
    m_disconnectAction->setText(tr("&Disconnect"));
    return std::move(m_remote);
}

void MainWindow::showConnectionStatus()
{
    if (!m_remote || !m_remote->status)
        return;
    const net::ConnectionStatus status = m_remote->status();
    // A restarted server's views come with a higher replaySeeks, which clears the panels
    // (clearPanelsAfterSeek()); the change is only logged here.
    if (status.instanceId != 0 && status.instanceId != m_remoteInstance) {
        if (m_remoteInstance != 0)
            qCInfo(lcNet) << "server instance" << m_remoteInstance << "is now" << status.instanceId;
        m_remoteInstance = status.instanceId;
    }
    const ConnectionStatusText text = connectionStatusText(status);
    m_statusBar->setConnectionState(text.text, text.severity, text.toolTip);
    // The mode label follows a single server's moves to its standbys and back.
    if (!m_remote->hosted && status.engines.empty() && !status.orderEntryEndpoint.empty())
        m_statusBar->setRemoteEndpoint(endpointInUseText(status));
    m_connectionPanel->setStatus(status);

    // Nothing the terminal shows is current while the link is down, so every instrument is
    // stale then, not only those whose streams the synchronizer marks.
    std::set<InstrumentId> stale = staleInstrumentsOf(status);
    if (status.state != net::ClientState::Live && m_feed->currentView()) {
        for (const InstrumentQuote &quote : m_feed->currentView()->instruments)
            stale.insert(quote.instrument);
    }
    m_marketWatch->model()->setStaleInstruments(std::move(stale));
}

} // namespace bourse::ui

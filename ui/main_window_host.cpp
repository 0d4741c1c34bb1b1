// The window's host mode: a market served to peer terminals from this terminal, shown through
// the host's own session on it as in remote mode.

#include "main_window.h"

#include "connection_panel.h"
#include "host_dialog.h"
#include "host_link.h"
#include "instructor_panel.h"
#include "logging.h"
#include "session_status_bar.h"

#include <QAction>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>

namespace bourse::ui {

void MainWindow::createHostAction(QMenu &session)
{
    QAction *host = session.addAction(tr("&Host a market\u2026"));
    host->setObjectName(QStringLiteral("hostAction"));
    host->setToolTip(tr("Serve a simulated or training market to peer terminals, and trade on "
                        "it from this one"));
    connect(host, &QAction::triggered, this, &MainWindow::openHostDialog);
}

void MainWindow::openHostDialog()
{
    HostDialog dialog(loadHostSettings(), this);
    if (dialog.exec() != QDialog::Accepted || !dialog.plan())
        return;
    if (m_persistent)
        saveHostSettings(dialog.settings());
    if (std::optional<QString> error = startHost(*dialog.plan()))
        QMessageBox::warning(this, tr("Host a market"), *error);
}

std::optional<QString> MainWindow::startHost(HostPlan plan)
{
    // A hosted market keeps its ports bound and the new one may need them, so it stops first.
    // If the new market then fails to start, the window has no market.
    if (isHosting())
        disconnectFromServer();
    QString error;
    std::optional<RemoteLink> link = makeHostLink(std::move(plan), error);
    if (!link)
        return error;
    const QString endpoint = QString::fromStdString(link->hosted->endpoints.orderEntry);
    qCInfo(lcNet) << "hosting a market on" << endpoint;
    startRemote(std::move(*link), endpoint);
    return std::nullopt;
}

bool MainWindow::isHosting() const
{
    return m_remote && m_remote->hosted;
}

std::optional<net::HostEndpoints> MainWindow::hostEndpoints() const
{
    if (!isHosting())
        return std::nullopt;
    return m_remote->hosted->endpoints;
}

// The peers' endpoints in the status bar and the connection panel, and the instructor panel on
// the hosted market's controls. startRemote() calls it after clearing the panels.
void MainWindow::showHosting(const HostedMarket &hosted)
{
    const training::TrainingScenario &scenario = hosted.scenario;
    const QString market =
        scenario.fileName.empty()
            ? tr("simulation, seed %1").arg(scenario.seed)
            : tr("training %1, seed %2")
                  .arg(QFileInfo(QString::fromStdString(scenario.fileName)).fileName())
                  .arg(scenario.seed);
    m_statusBar->setHostingEndpoint(QString::fromStdString(hosted.endpoints.orderEntry), market);
    m_connectionPanel->setHosting(hosted.endpoints);
    m_disconnectAction->setText(tr("Stop &hosting"));
    m_instructor->setScenario(hosted.scenario);
    m_instructor->setMarketControls(hosted.controls);
    connect(m_instructor, &InstructorPanel::scenarioEnded, this, &MainWindow::showNotice,
            Qt::UniqueConnection);
    showInstructor();
}

} // namespace bourse::ui

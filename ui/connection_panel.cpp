#include "connection_panel.h"

#include "connection_status_text.h"
#include "formatting.h"
#include "remote_settings.h"

#include <QApplication>
#include <QClipboard>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace bourse::ui {

namespace {

QString countText(std::uint64_t count)
{
    return formatCount(static_cast<std::int64_t>(count));
}

QString joined(const std::vector<std::string> &texts, const QString &none)
{
    QStringList lines;
    for (const std::string &text : texts)
        lines << QString::fromStdString(text);
    return lines.isEmpty() ? none : lines.join(QStringLiteral(", "));
}

} // namespace

ConnectionPanel::ConnectionPanel(QWidget *parent)
    : QWidget(parent)
    , m_local(new QLabel(this))
    , m_hosting(createHostingGroup())
    , m_form(new QWidget(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_hosting);
    m_local->setWordWrap(true);
    m_local->setText(tr("The terminal runs its own engine. Session > Connect to server\u2026 "
                        "trades on a Bourse server instead."));
    layout->addWidget(m_local);
    auto *form = new QFormLayout(m_form);
    form->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_form);
    layout->addStretch(1);

    addRow(tr("State"),
           [](const net::ConnectionStatus &status) { return connectionStatusText(status).text; });
    addRow(tr("Server"),
           [](const net::ConnectionStatus &status) { return endpointInUseText(status); });
    addRow(tr("Engines"), [this](const net::ConnectionStatus &status) {
        QStringList lines;
        for (const net::ConnectionStatus &engine : status.engines)
            lines << engineStatusLine(engine);
        return lines.isEmpty() ? tr("one server") : lines.join(QLatin1Char('\n'));
    });
    addRow(tr("Server key"), [](const net::ConnectionStatus &status) {
        return QString::fromStdString(status.serverPublicKey);
    });
    addRow(tr("Instance"), [this](const net::ConnectionStatus &status) {
        return status.instanceId == 0 ? tr("none yet") : QString::number(status.instanceId);
    });
    addRow(tr("Stale streams"), [this](const net::ConnectionStatus &status) {
        return joined(status.staleStreams, tr("none"));
    });
    addRow(tr("Last error"), [this](const net::ConnectionStatus &status) {
        return status.lastError.empty() ? tr("none") : QString::fromStdString(status.lastError);
    });

    using Counters = net::ClientCounters;
    addCounter(tr("Messages sent"), &Counters::messagesSent);
    addCounter(tr("Messages received"), &Counters::messagesReceived);
    addCounter(tr("Connects"), &Counters::connects);
    addCounter(tr("Endpoint switches"), &Counters::endpointSwitches);
    addCounter(tr("Dead peers"), &Counters::deadPeers);
    addCounter(tr("Instance changes"), &Counters::instanceChanges);
    addCounter(tr("Commands sent"), &Counters::commandsSent);
    addCounter(tr("Commands resent"), &Counters::commandsResent);
    addCounter(tr("Replies"), &Counters::repliesReceived);
    addCounter(tr("Error replies"), &Counters::errorRepliesReceived);
    addCounter(tr("Invalid messages"), &Counters::invalidMessages);
    addCounter(tr("Link gaps"), &Counters::linkGaps);
    using Sync = net::SyncCounters;
    addSyncCounter(tr("Stream gaps"), &Sync::gaps);
    addSyncCounter(tr("Snapshots applied"), &Sync::snapshotsApplied);
    addSyncCounter(tr("Events applied"), &Sync::eventsApplied);
    addSyncCounter(tr("Duplicates dropped"), &Sync::duplicatesDropped);
    addSyncCounter(tr("Replica mismatches"), &Sync::mismatches);
    addSyncCounter(tr("Queue overflows"), &Sync::queueOverflows);
    clear();
}

QWidget *ConnectionPanel::createHostingGroup()
{
    auto *group = new QGroupBox(tr("Peers connect to"), this);
    group->setObjectName(QStringLiteral("connectionHosting"));
    m_hostingText = new QLabel(group);
    m_hostingText->setObjectName(QStringLiteral("connection_hosting"));
    m_hostingText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_hostingText->setWordWrap(true);
    auto *copy = new QPushButton(tr("Copy for peers"), group);
    copy->setObjectName(QStringLiteral("connectionCopyForPeers"));
    copy->setToolTip(tr("Copy the endpoints, the server's public key and a bourse --connect "
                        "command line for them"));
    connect(copy, &QPushButton::clicked, this,
            [this] { QApplication::clipboard()->setText(m_peerText); });
    auto *layout = new QVBoxLayout(group);
    layout->addWidget(m_hostingText);
    layout->addWidget(copy, 0, Qt::AlignLeft);
    group->hide();
    return group;
}

void ConnectionPanel::setHosting(const net::HostEndpoints &endpoints)
{
    const QString orderEntry = QString::fromStdString(endpoints.orderEntry);
    const QString key = QString::fromStdString(endpoints.serverPublicKey);
    m_hostingText->setText(tr("Order entry: %1\nPublications: %2\nSnapshots: %3\n"
                              "Server public key: %4")
                               .arg(orderEntry, QString::fromStdString(endpoints.publish),
                                    QString::fromStdString(endpoints.snapshot), key));
    // --connect takes the publications and snapshots on the next two ports, but ports that the
    // system chose need not be consecutive. The key is quoted because Z85 uses shell characters.
    // A peer on another machine replaces 0.0.0.0, the endpoint of a server bound to every
    // address, with an address of this machine.
    const bool consecutive =
        endpointWithPortOffset(orderEntry, 1).toStdString() == endpoints.publish &&
        endpointWithPortOffset(orderEntry, 2).toStdString() == endpoints.snapshot;
    m_peerText = m_hostingText->text() + QStringLiteral("\n\n");
    if (consecutive)
        m_peerText += QStringLiteral("bourse --connect %1 --server-key '%2' --account N\n")
                          .arg(orderEntry, key);
    else
        m_peerText += tr("Session > Connect to server\u2026 with these three endpoints.\n");
    m_hosting->show();
}

void ConnectionPanel::addRow(const QString &label, Field field)
{
    auto *value = new QLabel(m_form);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    value->setWordWrap(true);
    value->setObjectName(QStringLiteral("connection_") + label.toLower().replace(' ', '_'));
    static_cast<QFormLayout *>(m_form->layout())->addRow(label, value);
    m_rows.emplace_back(value, std::move(field));
}

void ConnectionPanel::addCounter(const QString &label, std::uint64_t net::ClientCounters::*counter)
{
    addRow(label, [counter](const net::ConnectionStatus &status) {
        return countText(status.counters.*counter);
    });
}

void ConnectionPanel::addSyncCounter(const QString &label,
                                     std::uint64_t net::SyncCounters::*counter)
{
    addRow(label, [counter](const net::ConnectionStatus &status) {
        return countText(status.sync.*counter);
    });
}

void ConnectionPanel::setStatus(const net::ConnectionStatus &status)
{
    m_local->hide();
    m_form->show();
    for (const auto &[label, field] : m_rows) {
        const QString text = field(status);
        if (label->text() != text)
            label->setText(text);
    }
}

void ConnectionPanel::clear()
{
    m_hosting->hide();
    m_peerText.clear();
    m_form->hide();
    m_local->show();
}

} // namespace bourse::ui

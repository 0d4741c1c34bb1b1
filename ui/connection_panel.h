#pragma once

#include "host_session.h"
#include "remote_session.h"

#include <QWidget>

#include <functional>
#include <vector>

class QLabel;

namespace bourse::ui {

inline constexpr char kConnectionDock[] = "connectionDock";

// The link to a server in remote mode: its state, endpoint, the engines of a market split over
// several (each one's state, endpoint and instruments), server key and instance, the stale
// streams, the last error, and the client's and the stream synchronizer's counters. They let a
// trader tell a quiet market from a link that drops messages. Empty in a local session. In host
// mode it also shows what peers need to connect: the three endpoints and the server's public
// key, selectable, with a button that copies them and a --connect command line.
class ConnectionPanel : public QWidget {
    Q_OBJECT

public:
    explicit ConnectionPanel(QWidget *parent = nullptr);

    void setStatus(const net::ConnectionStatus &status);
    // Shows the endpoints and the key peers connect with, until clear().
    void setHosting(const net::HostEndpoints &endpoints);
    // The text the copy button puts on the clipboard; empty unless hosting.
    QString peerInstructions() const { return m_peerText; }
    // Shows that the terminal runs its own engine, with no link.
    void clear();

private:
    using Field = std::function<QString(const net::ConnectionStatus &)>;
    void addRow(const QString &label, Field field);
    void addCounter(const QString &label, std::uint64_t net::ClientCounters::*counter);
    void addSyncCounter(const QString &label, std::uint64_t net::SyncCounters::*counter);

    QWidget *createHostingGroup();

    QLabel *m_local;
    QWidget *m_hosting;
    QLabel *m_hostingText;
    QString m_peerText;
    QWidget *m_form;
    std::vector<std::pair<QLabel *, Field>> m_rows;
};

} // namespace bourse::ui

#pragma once

// How the terminal words the link to a server (net::ConnectionStatus) in its status bar.

#include "remote_session.h"
#include "session_status_bar.h"

#include <QString>

#include <set>

namespace bourse::ui {

struct ConnectionStatusText {
    // "Live · instance 17", "Connecting…", "Reconnecting in 400 ms", and "Reconnecting…" while
    // connecting to a server that was live before
    QString text;
    QString toolTip; // the endpoint, every stale stream and the last error, one a line
    ConnectionSeverity severity = ConnectionSeverity::Normal;
};

// The status bar's text for `status`. A live link with stale streams names up to three of them
// and warns, connecting warns, and waiting to reconnect is an error.
ConnectionStatusText connectionStatusText(const net::ConnectionStatus &status);

// One engine of a split market (an entry of ConnectionStatus::engines): "equities: Live ·
// instance 17 · tcp://127.0.0.1:7401 · BLUE, MIDC".
QString engineStatusLine(const net::ConnectionStatus &engine);

// The instruments whose streams are stale, read from the names describe(StreamKey) gives them
// ("instrument 3"); accounts are left out.
std::set<InstrumentId> staleInstrumentsOf(const net::ConnectionStatus &status);

} // namespace bourse::ui

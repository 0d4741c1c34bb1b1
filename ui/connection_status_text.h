#pragma once

// How the terminal words the link to a server (net::ConnectionStatus) in its status bar.

#include "remote_session.h"
#include "session_status_bar.h"

#include <QString>

#include <set>

namespace bourse::ui {

struct ConnectionStatusText {
    // "Live · instance 17", "Connecting…", "Reconnecting in 400 ms", and "Reconnecting…" while
    // connecting to a server that was live before. On a standby: "Live on standby 1
    // tcp://127.0.0.1:7501 · instance 18", "Connecting to standby 1 …" and "Moving to standby 1
    // … in 100 ms".
    QString text;
    QString toolTip; // the endpoint, every stale stream and the last error, one a line
    ConnectionSeverity severity = ConnectionSeverity::Normal;
};

// The status bar's text for `status`. A live link with stale streams names up to three of them
// by symbol where the name has one ("instrument 3 (IDXF)"), and warns. An instrument that two
// engines of a split market publish is named first ("BLUE on 2 engines"), with the reason in
// the tooltip's last error. Connecting warns, and waiting to reconnect is an error, as is a
// link or an engine whose CURVE handshakes fail ("handshake failed with futures: check its
// server key").
ConnectionStatusText connectionStatusText(const net::ConnectionStatus &status);

// The order-entry endpoint in use: "tcp://127.0.0.1:7401" on the primary, or "standby 1
// tcp://127.0.0.1:7501" after the client moved to a standby.
QString endpointInUseText(const net::ConnectionStatus &status);

// One engine of a split market (an entry of ConnectionStatus::engines): "equities: Live ·
// instance 17 · tcp://127.0.0.1:7401 · BLUE, MIDC".
QString engineStatusLine(const net::ConnectionStatus &engine);

// The instruments whose streams are stale, read from the names describe(StreamKey) gives them
// ("instrument 3"), with the symbol and reason a split market adds ("instrument 1 (BLUE) on 2
// engines"); accounts are left out.
std::set<InstrumentId> staleInstrumentsOf(const net::ConnectionStatus &status);

} // namespace bourse::ui

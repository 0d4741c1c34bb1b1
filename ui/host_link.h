#pragma once

// Host mode's link: a HostSession serves the market, and the window shows the host's own
// RemoteSession on it as in remote mode, with the endpoints for the peers and the controls of
// the market for the instructor panel.

#include "host_settings.h"
#include "remote_link.h"

#include <QString>

#include <optional>

namespace bourse::ui {

// Starts the server of `plan` on its thread and the host's session on it. The server's lines go
// to the bourse.net category. Returns nothing and sets `error` when the server cannot start,
// such as for a port in use or an unreadable key file, with the server's message.
std::optional<RemoteLink> makeHostLink(HostPlan plan, QString &error);

} // namespace bourse::ui

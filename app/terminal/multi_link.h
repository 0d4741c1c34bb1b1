#pragma once

// The terminal's link to a market split by instrument over several engines: a
// net::MultiSession behind the RemoteLink that the main window takes for one server.

#include "remote_link.h"
#include "remote_settings.h"

#include <QString>

#include <optional>
#include <vector>

namespace bourse::terminal {

struct NamedEngine {
    QString name; // shown in the connection panel; empty: "engine N"
    bourse::ui::RemoteSettings settings;
};

// Reads every engine's keys and starts the link. Returns nothing and sets `error`, naming the
// engine, when a key file cannot be read or a session cannot start.
std::optional<bourse::ui::RemoteLink> makeMultiRemoteLink(const std::vector<NamedEngine> &engines,
                                                          QString &error);

} // namespace bourse::terminal

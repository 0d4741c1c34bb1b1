#pragma once

// The controls of a market that this terminal serves to peers (host mode): the instructor panel
// pauses, resumes and injects events through them instead of through a local Session.

#include "server_control.h"

#include <QString>

#include <functional>

namespace bourse::ui {

struct MarketControls {
    std::function<net::ControlResult(bool paused)> setPaused;
    std::function<net::ControlResult(const MarketEvent &event)> inject;
    std::function<net::MarketStatus()> status;

    bool isSet() const { return setPaused && inject && status; }
};

// Returns the sentence a panel shows for a control that was not queued, such as "The server is
// still busy with earlier controls; try again." Returns an empty text for Queued.
QString controlResultMessage(net::ControlResult result);

} // namespace bourse::ui

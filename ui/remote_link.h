#pragma once

// What the main window needs of a remote session, as functions, so that a test can drive the
// window's remote mode with views and statuses of its own and no server.

#include "host_session.h"
#include "market_controls.h"
#include "market_feed.h"
#include "order_gateway.h"
#include "remote_session.h"
#include "scenario_training.h"

#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace bourse::ui {

// A market this terminal serves to peers (host mode).
struct HostedMarket {
    net::HostEndpoints endpoints; // what a peer needs to connect
    MarketControls controls;
    // The instruments and schedule of the market, for the instructor panel. A simulation's has
    // no file name and no schedule.
    training::TrainingScenario scenario;
};

struct RemoteLink {
    // Keeps alive what the functions and the gateway use, such as the RemoteSession. Declared
    // first, so that it is destroyed after them.
    std::shared_ptr<void> owner;
    MarketFeed::ViewSource views;
    std::function<net::ConnectionStatus()> status;
    std::function<void(InstrumentId)> setFocus;
    std::unique_ptr<OrderGateway> gateway;
    std::optional<HostedMarket> hosted; // set in host mode only
};

// Makes the link for checked client options. Returns nothing and sets `error` when it cannot
// start, such as for an endpoint libzmq rejects.
using RemoteLinkFactory =
    std::function<std::optional<RemoteLink>(net::ClientOptions options, QString &error)>;

// The real factory: a RemoteSession on its own client thread, with the client's log lines in
// the bourse.net category. The application passes it to MainWindow::setRemoteLinkFactory(), and
// tests of the window pass links of their own to MainWindow::startRemote() instead.
std::optional<RemoteLink> makeRemoteLink(net::ClientOptions options, QString &error);

} // namespace bourse::ui

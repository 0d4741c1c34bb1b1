#include "host_link.h"

#include "logging.h"
#include "market_controls.h"
#include "remote_gateway.h"

#include <zmq.hpp>

namespace bourse::ui {

namespace {

// Called on the server's, the authenticator's and the client's threads: QMessageLogger is
// thread safe.
void logNet(net::LogLevel level, const std::string &message)
{
    if (level == net::LogLevel::Warning)
        qCWarning(lcNet).noquote() << QString::fromStdString(message);
    else
        qCInfo(lcNet).noquote() << QString::fromStdString(message);
}

MarketControls controlsOf(net::HostSession &host)
{
    MarketControls controls;
    controls.setPaused = [&host](bool paused) { return paused ? host.pause() : host.resume(); };
    controls.inject = [&host](const MarketEvent &event) { return host.inject(event); };
    controls.status = [&host] { return host.marketStatus(); };
    return controls;
}

} // namespace

std::optional<RemoteLink> makeHostLink(HostPlan plan, QString &error)
{
    plan.options.log = &logNet;
    plan.options.view.client.log = &logNet;
    std::shared_ptr<net::HostSession> host;
    try {
        host = std::make_shared<net::HostSession>(std::move(plan.options));
    } catch (const zmq::error_t &failure) {
        error = QObject::tr("Cannot host: %1").arg(QString::fromLocal8Bit(failure.what()));
        return std::nullopt;
    } catch (const std::exception &failure) {
        // ServerError names the file or the endpoint; std::system_error an eventfd.
        error = QObject::tr("Cannot host: %1").arg(QString::fromStdString(failure.what()));
        return std::nullopt;
    }

    net::RemoteSession &session = host->session();
    RemoteLink link;
    link.views = [&session] { return session.latestView(); };
    link.status = [&session] { return session.status(); };
    link.setFocus = [&session](InstrumentId instrument) { session.setFocus(instrument); };
    link.gateway = std::make_unique<RemoteGateway>(session);
    link.hosted = HostedMarket{host->endpoints(), controlsOf(*host), std::move(plan.scenario)};
    link.owner = std::move(host);
    return link;
}

} // namespace bourse::ui

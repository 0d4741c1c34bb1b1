#include "remote_link.h"

#include "logging.h"
#include "remote_gateway.h"

#include <zmq.hpp>

#include <stdexcept>
#include <system_error>

namespace bourse::ui {

std::optional<RemoteLink> makeRemoteLink(net::ClientOptions options, QString &error)
{
    // Called on the client thread: QMessageLogger is thread safe.
    options.log = [](net::LogLevel level, const std::string &message) {
        if (level == net::LogLevel::Warning)
            qCWarning(lcNet).noquote() << QString::fromStdString(message);
        else
            qCInfo(lcNet).noquote() << QString::fromStdString(message);
    };
    // ZeroMQ's error names no endpoint, so the message names the three it was given.
    const QString endpoints = QObject::tr("%1, %2 and %3")
                                  .arg(QString::fromStdString(options.orderEntryEndpoint),
                                       QString::fromStdString(options.publishEndpoint),
                                       QString::fromStdString(options.snapshotEndpoint));
    net::RemoteSession::Options sessionOptions;
    sessionOptions.client = std::move(options);

    std::shared_ptr<net::RemoteSession> session;
    try {
        session = std::make_shared<net::RemoteSession>(std::move(sessionOptions));
    } catch (const zmq::error_t &failure) {
        error = QObject::tr("Cannot connect to %1: %2")
                    .arg(endpoints, QString::fromLocal8Bit(failure.what()));
        return std::nullopt;
    } catch (const std::system_error &failure) {
        // The client's wake-up eventfd, when the process has no file descriptors left.
        error = QObject::tr("Cannot connect: %1").arg(QString::fromLocal8Bit(failure.what()));
        return std::nullopt;
    } catch (const std::invalid_argument &failure) {
        error = QObject::tr("Cannot connect: %1").arg(QString::fromStdString(failure.what()));
        return std::nullopt;
    }

    RemoteLink link;
    link.views = [raw = session.get()] { return raw->latestView(); };
    link.status = [raw = session.get()] { return raw->status(); };
    link.setFocus = [raw = session.get()](InstrumentId instrument) { raw->setFocus(instrument); };
    link.gateway = std::make_unique<RemoteGateway>(*session);
    link.owner = std::move(session);
    return link;
}

} // namespace bourse::ui

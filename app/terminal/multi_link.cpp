#include "multi_link.h"

#include "logging.h"
#include "multi_session.h"

#include <zmq.hpp>

#include <stdexcept>
#include <system_error>

namespace bourse::terminal {

namespace {

// Routes each command to the engine that owns its instrument, through the MultiSession, which
// must outlive it.
class MultiGateway final : public bourse::ui::OrderGateway {
public:
    explicit MultiGateway(net::MultiSession &session)
        : m_session(session)
    {
    }

    bool submit(const NewOrder &order) override { return m_session.submit(order); }
    bool cancel(OrderId id) override { return m_session.cancel(id); }
    bool replace(const ReplaceOrder &replace) override { return m_session.replace(replace); }
    bool massCancel(const MassCancel &scope) override { return m_session.massCancel(scope); }
    bool engageKillSwitch(AccountId account, KillSwitchScope scope) override
    {
        return m_session.engageKillSwitch(account, scope);
    }
    bool resetKillSwitch(AccountId account) override { return m_session.resetKillSwitch(account); }
    std::future<Session::CheckAnswer> checkOrder(const NewOrder &order) override
    {
        return m_session.checkOrder(order);
    }

private:
    net::MultiSession &m_session;
};

// The client's log lines go to bourse.net, named by the engine. Called on the client threads:
// QMessageLogger is thread safe.
net::LogSink engineLog(const QString &name)
{
    return [name](net::LogLevel level, const std::string &message) {
        if (level == net::LogLevel::Warning)
            qCWarning(lcNet).noquote() << name << QString::fromStdString(message);
        else
            qCInfo(lcNet).noquote() << name << QString::fromStdString(message);
    };
}

} // namespace

std::optional<bourse::ui::RemoteLink> makeMultiRemoteLink(const std::vector<NamedEngine> &engines,
                                                          QString &error)
{
    std::vector<net::EngineLink> links;
    for (std::size_t index = 0; index < engines.size(); ++index) {
        const NamedEngine &engine = engines[index];
        const QString name =
            engine.name.isEmpty() ? QStringLiteral("engine %1").arg(index + 1) : engine.name;
        auto checked = bourse::ui::checkRemoteSettings(engine.settings);
        if (const auto *failed = std::get_if<bourse::ui::RemoteSettingsError>(&checked)) {
            error = QObject::tr("Engine %1: %2").arg(name, failed->message);
            return std::nullopt;
        }
        net::EngineLink link;
        link.name = name.toStdString();
        link.options.client = std::move(std::get<net::ClientOptions>(checked));
        link.options.client.log = engineLog(name);
        links.push_back(std::move(link));
    }

    std::shared_ptr<net::MultiSession> session;
    try {
        session = std::make_shared<net::MultiSession>(std::move(links));
    } catch (const zmq::error_t &failure) {
        error = QObject::tr("Cannot connect: %1").arg(QString::fromLocal8Bit(failure.what()));
        return std::nullopt;
    } catch (const std::system_error &failure) {
        error = QObject::tr("Cannot connect: %1").arg(QString::fromLocal8Bit(failure.what()));
        return std::nullopt;
    } catch (const std::invalid_argument &failure) {
        error = QObject::tr("Cannot connect: %1").arg(QString::fromStdString(failure.what()));
        return std::nullopt;
    }

    bourse::ui::RemoteLink link;
    link.views = [raw = session.get()] { return raw->latestView(); };
    link.status = [raw = session.get()] { return raw->status(); };
    link.setFocus = [raw = session.get()](InstrumentId instrument) { raw->setFocus(instrument); };
    link.gateway = std::make_unique<MultiGateway>(*session);
    link.owner = std::move(session);
    return link;
}

} // namespace bourse::terminal

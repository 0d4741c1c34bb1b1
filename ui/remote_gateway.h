#pragma once

#include "order_gateway.h"
#include "remote_session.h"

namespace bourse::ui {

// The gateway to a RemoteSession, which must outlive it. Each command is queued for the
// session's client thread, and its outcome arrives later in the views, as the server decides it.
class RemoteGateway final : public OrderGateway {
public:
    explicit RemoteGateway(net::RemoteSession &session)
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
    net::RemoteSession &m_session;
};

} // namespace bourse::ui

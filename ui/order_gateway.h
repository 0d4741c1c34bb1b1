#pragma once

#include "session.h"

#include <future>

namespace bourse::ui {

// The interface from the trading panels to the running session: order commands, the kill switch,
// and pre-trade checks. Each command returns false when it could not be queued (no simulation runs,
// or the queue is full); its outcome arrives later, in the views. Panels hold a gateway rather
// than the session, so that tests can watch what a panel sends.
class OrderGateway {
public:
    virtual ~OrderGateway() = default;

    virtual bool submit(const NewOrder &order) = 0;
    virtual bool cancel(OrderId id) = 0;
    virtual bool replace(const ReplaceOrder &replace) = 0;
    virtual bool massCancel(const MassCancel &scope) = 0;
    virtual bool engageKillSwitch(AccountId account, KillSwitchScope scope) = 0; // zero: all
    virtual bool resetKillSwitch(AccountId account) = 0;
    virtual std::future<Session::CheckAnswer> checkOrder(const NewOrder &order) = 0;
};

// The gateway to a Session, which must outlive it.
class SessionGateway final : public OrderGateway {
public:
    explicit SessionGateway(Session &session)
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
    Session &m_session;
};

} // namespace bourse::ui

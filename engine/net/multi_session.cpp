#include "multi_session.h"

#include "multi_session_merge.h"
#include "remote_session_text.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <stdexcept>

namespace bourse::net {

OrderId mergedOrderId(std::size_t engine, OrderId id)
{
    return OrderId{id.value() + (static_cast<std::uint64_t>(engine) << kEngineOrderIdShift)};
}

std::pair<std::size_t, OrderId> splitOrderId(OrderId merged)
{
    const std::uint64_t low = (std::uint64_t{1} << kEngineOrderIdShift) - 1;
    return {static_cast<std::size_t>(merged.value() >> kEngineOrderIdShift),
            OrderId{merged.value() & low}};
}

std::optional<std::size_t> InstrumentOwnership::ownerOf(InstrumentId instrument) const
{
    for (const Owner &owner : owners) {
        if (owner.instrument == instrument)
            return owner.engine;
    }
    return std::nullopt;
}

struct MultiSession::Impl {
    std::vector<std::string> names;
    std::vector<std::unique_ptr<RemoteSession>> sessions;

    mutable std::mutex mutex; // guards everything below
    InstrumentId focus;
    std::vector<OwnOrder> localRejections; // newest first
    mutable ViewMerger merger;

    std::vector<std::shared_ptr<const MarketView>> views() const
    {
        std::vector<std::shared_ptr<const MarketView>> result;
        for (const auto &session : sessions)
            result.push_back(session->latestView());
        return result;
    }

    // The instrument an order names, or the focus of the merged view for zero.
    InstrumentId instrumentOf(const NewOrder &order) const
    {
        if (order.instrument.value() != 0)
            return order.instrument;
        const std::lock_guard lock(mutex);
        return merger.latest() ? merger.latest()->instrument : InstrumentId{};
    }

    void rejectLocally(const NewOrder &order, InstrumentId instrument, std::string reason);
};

void MultiSession::Impl::rejectLocally(const NewOrder &order, InstrumentId instrument,
                                       std::string reason)
{
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const Timestamp time{std::chrono::duration_cast<std::chrono::nanoseconds>(now).count()};
    OwnOrder rejected;
    rejected.account = order.account;
    rejected.instrument = instrument;
    rejected.side = order.side;
    rejected.type = order.type;
    rejected.timeInForce = order.timeInForce;
    rejected.limit = order.limit;
    rejected.stopPrice = order.stopPrice;
    rejected.quantity = order.quantity;
    rejected.state = OwnOrderState::Rejected;
    rejected.reason = std::move(reason);
    rejected.entered = time;
    rejected.updated = time;

    const std::lock_guard lock(mutex);
    // Account zero is the default account, the first of the trader's.
    const auto latest = merger.latest();
    if (rejected.account.value() == 0 && latest && !latest->trader.accounts.empty())
        rejected.account = latest->trader.accounts.front();
    localRejections.insert(localRejections.begin(), std::move(rejected));
    if (localRejections.size() > kLocalRejectionsKept)
        localRejections.pop_back();
    merger.invalidate();
}

MultiSession::MultiSession(std::vector<EngineLink> engines)
    : m_impl(std::make_unique<Impl>())
{
    if (engines.empty())
        throw std::invalid_argument("a split market needs at least one engine");
    for (EngineLink &engine : engines) {
        m_impl->names.push_back(engine.name);
        m_impl->sessions.push_back(std::make_unique<RemoteSession>(std::move(engine.options)));
    }
}

MultiSession::~MultiSession() = default;

std::size_t MultiSession::engineCount() const
{
    return m_impl->sessions.size();
}

const RemoteSession &MultiSession::engine(std::size_t index) const
{
    return *m_impl->sessions.at(index);
}

std::shared_ptr<const MarketView> MultiSession::latestView() const
{
    const auto views = m_impl->views();
    const std::lock_guard lock(m_impl->mutex);
    return m_impl->merger.merge(views, m_impl->names, m_impl->focus, m_impl->localRejections);
}

ConnectionStatus MultiSession::status() const
{
    std::vector<ConnectionStatus> statuses;
    for (const auto &session : m_impl->sessions)
        statuses.push_back(session->status());
    const InstrumentOwnership owners = ownership();
    return mergeStatuses(std::move(statuses), m_impl->names, owners, m_impl->views());
}

InstrumentOwnership MultiSession::ownership() const
{
    return findOwnership(m_impl->views(), m_impl->names);
}

void MultiSession::setFocus(InstrumentId instrument)
{
    {
        const std::lock_guard lock(m_impl->mutex);
        m_impl->focus = instrument;
        m_impl->merger.invalidate();
    }
    // Every engine follows the focus: the owner shows its book, and the others ignore an
    // instrument they do not know and keep their own first one.
    for (const auto &session : m_impl->sessions)
        session->setFocus(instrument);
}

bool MultiSession::submit(const NewOrder &order)
{
    const InstrumentId instrument = m_impl->instrumentOf(order);
    const InstrumentOwnership owners = ownership();
    const std::optional<std::size_t> owner = owners.ownerOf(instrument);
    if (!owner) {
        m_impl->rejectLocally(order, instrument, unownedInstrumentText(instrument, owners));
        return true;
    }
    NewOrder routed = order;
    routed.instrument = instrument;
    return m_impl->sessions[*owner]->submit(routed);
}

bool MultiSession::cancel(OrderId id)
{
    const auto [engine, local] = splitOrderId(id);
    if (engine >= m_impl->sessions.size())
        return false;
    return m_impl->sessions[engine]->cancel(local);
}

bool MultiSession::replace(const ReplaceOrder &replace)
{
    const auto [engine, local] = splitOrderId(replace.id);
    if (engine >= m_impl->sessions.size())
        return false;
    ReplaceOrder routed = replace;
    routed.id = local;
    return m_impl->sessions[engine]->replace(routed);
}

bool MultiSession::massCancel(const MassCancel &scope)
{
    if (scope.instrument.value() != 0) {
        const std::optional<std::size_t> owner = ownership().ownerOf(scope.instrument);
        return owner && m_impl->sessions[*owner]->massCancel(scope);
    }
    bool queued = true;
    for (const auto &session : m_impl->sessions)
        queued = session->massCancel(scope) && queued;
    return queued;
}

bool MultiSession::engageKillSwitch(AccountId account, KillSwitchScope scope)
{
    bool queued = true;
    for (const auto &session : m_impl->sessions)
        queued = session->engageKillSwitch(account, scope) && queued;
    return queued;
}

bool MultiSession::resetKillSwitch(AccountId account)
{
    bool queued = true;
    for (const auto &session : m_impl->sessions)
        queued = session->resetKillSwitch(account) && queued;
    return queued;
}

std::future<Session::CheckAnswer> MultiSession::checkOrder(const NewOrder &order)
{
    const InstrumentId instrument = m_impl->instrumentOf(order);
    const InstrumentOwnership owners = ownership();
    if (const std::optional<std::size_t> owner = owners.ownerOf(instrument)) {
        NewOrder routed = order;
        routed.instrument = instrument;
        return m_impl->sessions[*owner]->checkOrder(routed);
    }
    std::promise<Session::CheckAnswer> answer;
    Session::CheckAnswer rejected;
    rejected.check.reason = RejectReason::UnknownInstrument;
    rejected.text = unownedInstrumentText(instrument, owners);
    answer.set_value(std::move(rejected));
    return answer.get_future();
}

} // namespace bourse::net

#pragma once

// MarketView::trader for a remote terminal, from the account replicas of the followed execution
// report streams and the events they apply. The replicas give what is true now: working orders,
// positions, cash and kill switches. The events give what happened, because a replica does not
// keep all of it: finished orders, fills and risk notices.

#include "market_view.h"
#include "protocol.h"
#include "stream_sync.h"

#include <deque>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace bourse::net {

class RemoteTraderView {
public:
    // `accounts` are the trader's, the default first.
    explicit RemoteTraderView(std::vector<AccountId> accounts);

    // Records the terminal's request, so that a rejection of the command can show the order and
    // what the command was. Call it with the client order id Client::submit() returned.
    void noteSubmit(ClientOrderId id, const NewOrder &order);
    void noteAmend(ClientOrderId id);
    void noteSettings(ClientOrderId id);

    // Events the stream of `account` applied, live or queued after a snapshot, oldest first. A
    // trade between two of the trader's accounts comes on both streams, and each stream's copy
    // counts for its own account only.
    void onEvents(AccountId account, std::span<const Event> events);
    // An account's stream rebuilt from a snapshot: orders the replica no longer has ended while
    // the stream was out of sync, and are forgotten, since their end is not known.
    void onResynced(const AccountReplica &replica);
    // A command the server rejected before the engine saw it (eventSequence zero), such as an
    // account the access list does not allow, which has no event on any stream.
    void onServerRejection(const CommandRejected &rejected, Timestamp time);

    // Fills `view` from the replicas of `streams` and the events seen. The risk monitors carry
    // the kill switches only: limit utilization, the day's P&L and exposures are computed on
    // the server, which publishes none of them, so they stay empty.
    void fill(TraderView &view, const StreamSynchronizer &streams) const;

    bool isTraderAccount(AccountId account) const;

private:
    enum class Command : std::uint8_t { Submit, Amend, Settings };
    struct Request {
        Command command = Command::Submit;
        std::optional<NewOrder> order; // of a submit
    };

    void on(const Event &event, const OrderAccepted &accepted);
    void on(const Event &event, const OrderRejected &rejected);
    void on(const Event &event, const RiskRejected &rejected);
    void on(const Event &event, const RiskAlert &alert);
    void on(const Event &event, const KillSwitchChanged &changed);
    void on(const Event &event, const OrderCancelled &cancelled);
    void on(const Event &event, const Trade &trade, AccountId stream);
    void on(const Event &event, const FillPosted &posted);
    template <typename Other>
    void on(const Event &, const Other &)
    {
    }

    void takeFill(const Event &event, OrderId id, Quantity quantity);
    void finish(OrderId id, OwnOrderState state, std::string reason, const Event &event);
    void rejectOrder(const Event &event, const OrderRejected &rejected, std::string text,
                     const std::optional<Request> &request);
    void addNotice(const Event &event, AccountId account, OrderId order, RiskRule rule,
                   std::string text);
    std::optional<Request> takeRequest(ClientOrderId id);
    void fillAccounts(TraderView &view, const StreamSynchronizer &streams) const;
    void fillWorking(TraderView &view, const AccountReplica &replica) const;
    void fillPositions(TraderView &view, const AccountReplica &replica,
                       const StreamSynchronizer &streams) const;

    std::vector<AccountId> m_accounts;
    std::map<std::uint64_t, Request> m_requests; // by client order id, until decided
    std::map<std::uint64_t, OwnOrder> m_orders;  // accepted and not finished, by order id
    std::deque<OwnOrder> m_finished;             // newest first
    std::deque<OwnFill> m_fills;                 // newest first
    std::deque<RiskNotice> m_notices;            // newest first

    // The risk rejection that the OrderRejected of the same order follows.
    OrderId m_riskRejectedOrder;
    std::string m_riskRejectedText;
    // The latest trade of the trader's orders, which the FillPosted events after it belong to.
    SequenceNumber m_tradeSequence = 0;
    OrderId m_tradeMaker;
    OrderId m_tradeTaker;
};

} // namespace bourse::net

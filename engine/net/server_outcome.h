#pragma once

// What the engine decided about one remote command, read from the events the command
// published, since the engine's command functions return no reason.

#include "events.h"
#include "protocol.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>

namespace bourse::net {

class CommandOutcome final : public EventHandler {
public:
    struct Decision {
        OrderId id;
        SequenceNumber sequence = 0;
        RejectReason reason{};
    };

    // Starts watching the events of one command of `account` with `clientOrderId`, which picks
    // the order's own acceptance or rejection out of what its command published. A cancel or
    // replace names `order`, so that GTD expiries the command ran first are not taken for it.
    void begin(AccountId account, ClientOrderId clientOrderId, OrderId order = {})
    {
        *this = CommandOutcome{};
        m_account = account;
        m_clientOrderId = clientOrderId;
        m_order = order;
        m_watching = true;
    }
    void end() { m_watching = false; }

    void onEvent(const Event &event) override
    {
        if (!m_watching)
            return;
        if (const auto *accepted = std::get_if<OrderAccepted>(&event.payload)) {
            if (!m_accepted && accepted->account == m_account &&
                accepted->clientOrderId == m_clientOrderId)
                m_accepted = Decision{accepted->id, event.sequence, {}};
        } else if (const auto *rejected = std::get_if<OrderRejected>(&event.payload)) {
            if (!m_rejected)
                m_rejected = Decision{rejected->id, event.sequence, rejected->reason};
        } else if (const auto *replaced = std::get_if<OrderReplaced>(&event.payload)) {
            if (!m_changed && replaced->id == m_order)
                m_changed = Decision{replaced->id, event.sequence, {}};
        } else if (const auto *cancelled = std::get_if<OrderCancelled>(&event.payload)) {
            if (!m_changed && cancelled->id == m_order)
                m_changed = Decision{cancelled->id, event.sequence, {}};
        } else if (std::holds_alternative<KillSwitchChanged>(event.payload)) {
            if (!m_changed)
                m_changed = Decision{OrderId{}, event.sequence, {}};
        }
    }

    // The order's OrderAccepted, for a NewOrder.
    const std::optional<Decision> &accepted() const { return m_accepted; }
    // The first OrderRejected of the command.
    const std::optional<Decision> &rejected() const { return m_rejected; }
    // The first OrderReplaced, OrderCancelled or KillSwitchChanged of the command.
    const std::optional<Decision> &changed() const { return m_changed; }

private:
    AccountId m_account;
    ClientOrderId m_clientOrderId;
    OrderId m_order;
    bool m_watching = false;
    std::optional<Decision> m_accepted;
    std::optional<Decision> m_rejected;
    std::optional<Decision> m_changed;
};

// The replies to cancels, replaces, mass cancels and kill switches by account and client order
// id, so that a repeated command gets its first reply instead of running again. A repeat only
// concerns the commands pending when a link died, a few per client, so each account keeps the
// replies of its latest kPerAccount such commands, a few hundred bytes each.
class StoredReplies {
public:
    static constexpr std::size_t kPerAccount = 1000;

    struct Entry {
        Body command; // as first received, to tell a repeat from another command
        Body reply;
        SequenceNumber waitFor = 0;
    };

    const Entry *find(AccountId account, ClientOrderId id) const
    {
        const auto replies = m_accounts.find(account.value());
        if (replies == m_accounts.end())
            return nullptr;
        const auto found = replies->second.byId.find(id.value());
        return found == replies->second.byId.end() ? nullptr : &found->second;
    }

    // Stores the entry of a command not stored yet, dropping the account's oldest beyond
    // kPerAccount.
    void store(AccountId account, ClientOrderId id, Entry entry)
    {
        AccountReplies &replies = m_accounts[account.value()];
        if (!replies.byId.insert_or_assign(id.value(), std::move(entry)).second)
            return;
        replies.order.push_back(id.value());
        if (replies.order.size() > kPerAccount) {
            replies.byId.erase(replies.order.front());
            replies.order.pop_front();
        }
    }

private:
    struct AccountReplies {
        std::unordered_map<std::uint64_t, Entry> byId;
        std::deque<std::uint64_t> order; // client order ids, oldest first
    };
    std::unordered_map<std::uint32_t, AccountReplies> m_accounts;
};

} // namespace bourse::net

// Remote commands: the access check by the sender's key, the stored replies that make repeats
// harmless, the engine call, and replies held until the journal committed their events.

#include "server.h"

#include "journaled_run.h"
#include "replicator.h"
#include "server_outcome.h"

#include <algorithm>
#include <limits>

namespace bourse::net {

namespace {

// The fields every command carries, whatever its type.
struct CommandHeader {
    MessageType type = MessageType::NewOrder;
    ClientOrderId clientOrderId;
    AccountId account;
};

CommandHeader headerOf(const Body &body)
{
    if (const auto *order = std::get_if<NewOrder>(&body))
        return {MessageType::NewOrder, order->clientOrderId, order->account};
    if (const auto *cancel = std::get_if<CancelOrder>(&body))
        return {MessageType::CancelOrder, cancel->clientOrderId, cancel->account};
    if (const auto *replace = std::get_if<ReplaceCommand>(&body))
        return {MessageType::ReplaceOrder, replace->clientOrderId, replace->account};
    if (const auto *mass = std::get_if<MassCancelCommand>(&body))
        return {MessageType::MassCancel, mass->clientOrderId, mass->scope.account};
    const auto &kill = std::get<KillSwitchCommand>(body);
    return {MessageType::KillSwitch, kill.clientOrderId, kill.account};
}

CommandRejected rejection(const CommandHeader &header, RejectReason reason, OrderId id = {},
                          SequenceNumber sequence = 0)
{
    return {header.type, header.clientOrderId, header.account, id, sequence, reason};
}

CommandAccepted acceptance(const CommandHeader &header, OrderId id, SequenceNumber sequence,
                           std::uint32_t cancelled = 0)
{
    return {header.type, header.clientOrderId, header.account, id, sequence, cancelled};
}

// Whether two commands of the types a reply is stored for ask for the same thing, so that one
// is a repeat of the other.
bool sameRequest(const Body &first, const Body &second)
{
    if (first.index() != second.index())
        return false;
    if (const auto *cancel = std::get_if<CancelOrder>(&first)) {
        const auto &other = std::get<CancelOrder>(second);
        return cancel->account == other.account && cancel->id == other.id;
    }
    if (const auto *replace = std::get_if<ReplaceCommand>(&first)) {
        const auto &other = std::get<ReplaceCommand>(second);
        return replace->account == other.account && replace->replace.id == other.replace.id &&
               replace->replace.limit == other.replace.limit &&
               replace->replace.quantity == other.replace.quantity &&
               replace->replace.stopPrice == other.replace.stopPrice;
    }
    if (const auto *mass = std::get_if<MassCancelCommand>(&first)) {
        const auto &other = std::get<MassCancelCommand>(second);
        return mass->scope.account == other.scope.account &&
               mass->scope.instrument == other.scope.instrument;
    }
    const auto &kill = std::get<KillSwitchCommand>(first);
    const auto &other = std::get<KillSwitchCommand>(second);
    return kill.account == other.account && kill.scope == other.scope;
}

} // namespace

void Server::handleCommand(const std::string &identity, const Peer &peer, const Message &message)
{
    ++m_counters.commands;
    const CommandHeader header = headerOf(message.body);
    if (!checkAccess(identity, peer, header.type, header.clientOrderId, header.account))
        return;

    // A client order id names one command of its account. A repeat, the same command with the
    // same fields, gets its stored reply again. Any other command under a used id is a
    // duplicate, except a NewOrder, whose repeats the engine judges itself.
    const StoredReplies::Entry *stored = m_stored.find(header.account, header.clientOrderId);
    const bool usedByOrder =
        m_engine->clientOrderAnswer(header.account, header.clientOrderId).has_value();
    if (stored != nullptr && sameRequest(stored->command, message.body)) {
        ++m_counters.storedReplies;
        queueReply(identity, stored->reply, stored->waitFor);
        return;
    }
    if (stored != nullptr || (usedByOrder && header.type != MessageType::NewOrder)) {
        queueReply(identity, rejection(header, RejectReason::DuplicateClientOrderId), 0);
        return;
    }

    SequenceNumber waitFor = 0;
    Body reply = decide(message, peer, waitFor);
    if (header.type != MessageType::NewOrder)
        m_stored.store(header.account, header.clientOrderId, {message.body, reply, waitFor});
    queueReply(identity, std::move(reply), waitFor);
}

// The access list of the moment decides, so that a key removed by a reload loses its rights at
// once. A rejected command never reaches the engine.
bool Server::checkAccess(const std::string &identity, const Peer &peer, MessageType type,
                         ClientOrderId clientOrderId, AccountId account)
{
    const std::shared_ptr<const AccessList> list = m_authenticator->accessList();
    OrderPermission permission = OrderPermission::Allowed;
    if (type == MessageType::MassCancel && account.value() == 0) {
        // Account zero cancels for every account of the key, so a trader of any may send it.
        const std::optional<Role> role = list->roleOf(peer.key);
        permission = !role                   ? OrderPermission::UnknownKey
                     : *role == Role::Viewer ? OrderPermission::ViewerRole
                                             : OrderPermission::Allowed;
    } else if (type == MessageType::KillSwitch && account.value() == 0) {
        // The global switch stops every account, which no single trader key may do.
        permission = list->roleOf(peer.key) == Role::Viewer ? OrderPermission::ViewerRole
                                                            : OrderPermission::AccountNotAllowed;
    } else {
        permission = list->checkOrder(peer.key, account);
    }
    if (permission == OrderPermission::Allowed)
        return true;

    ++m_counters.unauthorized;
    logClientEvent(ClientLogKind::AccessRejected, LogLevel::Warning,
                   "rejected " + std::string(nameOf(type)) + " " +
                       std::to_string(clientOrderId.value()) + " for account " +
                       std::to_string(account.value()) + " from " + peer.name + ": " +
                       std::string(orderPermissionText(permission)));
    const CommandHeader header{type, clientOrderId, account};
    queueReply(identity, rejection(header, RejectReason::InvalidAccount), 0);
    return false;
}

// Runs the command on the engine and builds its reply. `waitFor` becomes the engine's last
// event after the command, which includes the deciding one.
Body Server::decide(const Message &message, const Peer &peer, SequenceNumber &waitFor)
{
    const CommandHeader header = headerOf(message.body);
    const Timestamp time = commandTime();
    Body reply;

    if (const auto *order = std::get_if<NewOrder>(&message.body)) {
        NewOrder request = *order;
        request.id = OrderId{}; // the engine assigns the id
        m_outcome->begin(header.account, header.clientOrderId);
        m_engine->submit(request, time);
        m_outcome->end();
        // A repeat publishes nothing, so its reply comes from the engine's record of the first.
        const std::optional<ClientOrderAnswer> answer =
            m_engine->clientOrderAnswer(header.account, header.clientOrderId);
        if (const auto &rejected = m_outcome->rejected())
            reply = rejection(header, rejected->reason, rejected->id, rejected->sequence);
        else if (const auto &accepted = m_outcome->accepted())
            reply = acceptance(header, accepted->id, accepted->sequence);
        else if (answer && answer->outcome == ClientOrderOutcome::Accepted)
            reply = acceptance(header, answer->id, answer->sequence);
        else if (answer)
            reply = rejection(header, answer->reason, answer->id, answer->sequence);
        waitFor = m_engine->lastSequence();
        return reply;
    }

    if (const auto *mass = std::get_if<MassCancelCommand>(&message.body)) {
        std::size_t cancelled = 0;
        // The engine rejects a mass cancel of an unknown instrument with an OrderRejected.
        m_outcome->begin(header.account, header.clientOrderId);
        if (mass->scope.account.value() != 0) {
            cancelled = m_engine->massCancel(mass->scope, time);
        } else {
            const AccessEntry *entry = m_authenticator->accessList()->find(peer.key);
            for (const AccountId account : entry->accounts)
                cancelled += m_engine->massCancel({account, mass->scope.instrument}, time);
        }
        m_outcome->end();
        waitFor = m_engine->lastSequence();
        if (const auto &rejected = m_outcome->rejected())
            return rejection(header, rejected->reason, OrderId{}, rejected->sequence);
        return acceptance(header, OrderId{}, waitFor, static_cast<std::uint32_t>(cancelled));
    }

    OrderId named;
    if (const auto *cancel = std::get_if<CancelOrder>(&message.body))
        named = cancel->id;
    else if (const auto *replace = std::get_if<ReplaceCommand>(&message.body))
        named = replace->replace.id;

    // An order of another account is rejected as unknown, so that its existence stays hidden.
    const Order *order = named.value() != 0 ? m_engine->findOrder(named) : nullptr;
    if (order != nullptr && order->account != header.account)
        return rejection(header, RejectReason::UnknownOrder, named);

    m_outcome->begin(header.account, header.clientOrderId, named);
    if (std::holds_alternative<CancelOrder>(message.body)) {
        m_engine->cancel(named, time);
    } else if (const auto *replace = std::get_if<ReplaceCommand>(&message.body)) {
        m_engine->replace(replace->replace, time);
    } else {
        const auto &kill = std::get<KillSwitchCommand>(message.body);
        if (kill.scope == KillSwitchScope::None)
            m_engine->resetKillSwitch(kill.account, time);
        else
            m_engine->engageKillSwitch(kill.account, kill.scope, time);
    }
    m_outcome->end();
    waitFor = m_engine->lastSequence();
    if (const auto &rejected = m_outcome->rejected())
        return rejection(header, rejected->reason, rejected->id, rejected->sequence);
    const SequenceNumber decided = m_outcome->changed() ? m_outcome->changed()->sequence : waitFor;
    return acceptance(header, named, decided);
}

void Server::queueReply(const std::string &identity, Body reply, SequenceNumber waitFor)
{
    const auto peer = m_orders.peers.find(identity);
    std::string key = peer != m_orders.peers.end() ? peer->second.key : std::string();
    m_pending.push_back({identity, std::move(key), std::move(reply), waitFor});
    sendCommittedReplies();
}

// Replies go out in the order their commands came, each once the journal contains the events up to
// the one it waits for, so that an acknowledged order survives a crash.
void Server::sendCommittedReplies()
{
    const SequenceNumber committed = committedSequence();
    while (!m_pending.empty() && m_pending.front().waitFor <= committed) {
        PendingReply &front = m_pending.front();
        // A peer that is gone, or whose identity another key took, resends after its Hello.
        const auto peer = m_orders.peers.find(front.identity);
        if (peer != m_orders.peers.end() && peer->second.key == front.key) {
            sendTo(m_orders, front.identity, std::move(front.reply));
            ++m_counters.replies;
        }
        m_pending.pop_front();
    }
}

// With `replicate`, a reply waits for the stream too, so that a standby that takes over has
// every event that a reply acknowledged. Execution reports and account snapshots wait for the
// same sequence (server_reports.cpp).
SequenceNumber Server::committedSequence() const
{
    if (!m_journal)
        return std::numeric_limits<SequenceNumber>::max();
    const SequenceNumber committed = m_journal->writer().committedSequence();
    if (!m_replicator)
        return committed;
    return std::min(committed, m_replicator->acknowledgedSequence());
}

} // namespace bourse::net

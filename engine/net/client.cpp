#include "client.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace bourse::net {

std::string_view nameOf(ClientState state)
{
    switch (state) {
    case ClientState::Connecting:
        return "connecting";
    case ClientState::Live:
        return "live";
    case ClientState::WaitingToReconnect:
        return "waiting to reconnect";
    }
    return "unknown";
}

Timestamp wallClockNow()
{
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return Timestamp{std::chrono::duration_cast<std::chrono::nanoseconds>(now).count()};
}

std::vector<ServerEndpoints> endpointSetsOf(const ClientOptions &options)
{
    std::vector<ServerEndpoints> sets{
        {options.orderEntryEndpoint, options.publishEndpoint, options.snapshotEndpoint}};
    sets.insert(sets.end(), options.standbyEndpoints.begin(), options.standbyEndpoints.end());
    return sets;
}

std::string describeEndpoints(std::size_t index, const ServerEndpoints &endpoints)
{
    if (index == 0)
        return "primary " + endpoints.orderEntry;
    return "standby " + std::to_string(index) + " " + endpoints.orderEntry;
}

std::uint64_t firstClientOrderIdFromClock()
{
    return static_cast<std::uint64_t>(wallClockNow().value());
}

Client::Client(ClientOptions options)
    : m_options(std::move(options))
    , m_endpointSets(endpointSetsOf(m_options))
    , m_orderEntry("order-entry")
    , m_snapshots("snapshot")
    , m_reconnectDelay(m_options.reconnectDelayMinimum)
    , m_nextClientOrderId(m_options.firstClientOrderId != 0 ? m_options.firstClientOrderId
                                                            : firstClientOrderIdFromClock())
{
    m_wakeUpEvent = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m_wakeUpEvent < 0)
        throw std::system_error(errno, std::generic_category(), "eventfd for Client::wakeUp");

    for (const InstrumentId instrument : m_options.instruments)
        m_followed.insert(StreamKey{StreamKind::Instrument, instrument.value()});
    for (const AccountId account : m_options.accounts)
        m_followed.insert(StreamKey{StreamKind::Account, account.value()});
    for (const StreamKey &key : m_followed)
        m_streams.follow(key);

    try {
        openLinks();
    } catch (...) {
        closeLinks();
        ::close(m_wakeUpEvent);
        throw;
    }
}

// The sockets close with ZMQ_LINGER 0 before the context, so the context's destructor does not
// wait for anything.
Client::~Client()
{
    closeLinks();
    ::close(m_wakeUpEvent);
}

void Client::wakeUp()
{
    const std::uint64_t one = 1;
    // Fails only when the counter is near overflow, and then poll() is woken anyway.
    [[maybe_unused]] const ssize_t written = ::write(m_wakeUpEvent, &one, sizeof one);
}

ClientOrderId Client::submit(const NewOrder &order)
{
    const ClientOrderId id{m_nextClientOrderId++};
    NewOrder command = order;
    command.id = OrderId{};
    command.clientOrderId = id;
    return enqueue(command, id);
}

ClientOrderId Client::cancel(AccountId account, OrderId id)
{
    const ClientOrderId clientOrderId{m_nextClientOrderId++};
    return enqueue(CancelOrder{clientOrderId, account, id}, clientOrderId);
}

ClientOrderId Client::replace(AccountId account, const ReplaceOrder &replace)
{
    const ClientOrderId clientOrderId{m_nextClientOrderId++};
    return enqueue(ReplaceCommand{clientOrderId, account, replace}, clientOrderId);
}

ClientOrderId Client::massCancel(const MassCancel &scope)
{
    const ClientOrderId clientOrderId{m_nextClientOrderId++};
    return enqueue(MassCancelCommand{clientOrderId, scope}, clientOrderId);
}

ClientOrderId Client::killSwitch(AccountId account, KillSwitchScope scope)
{
    const ClientOrderId clientOrderId{m_nextClientOrderId++};
    return enqueue(KillSwitchCommand{clientOrderId, account, scope}, clientOrderId);
}

ClientOrderId Client::enqueue(Body command, ClientOrderId id)
{
    PendingCommand &pending = m_pending[id.value()];
    pending.command = std::move(command);
    if (m_orderEntry.welcomed)
        sendCommand(pending);
    return id;
}

// Sends every pending command that this connection has not carried yet: those given while the
// link was down, those whose send found the queue full, and after a reconnect all of them.
void Client::sendPending()
{
    if (!m_orderEntry.welcomed)
        return;
    for (auto &entry : m_pending) {
        if (entry.second.linkSequence == 0)
            sendCommand(entry.second);
    }
}

void Client::sendCommand(PendingCommand &pending)
{
    Message message;
    message.body = pending.command;
    const std::optional<std::uint64_t> sequence = sendOn(m_orderEntry, message);
    if (!sequence)
        return;
    pending.linkSequence = *sequence;
    if (pending.sentBefore)
        ++m_counters.commandsResent;
    else
        ++m_counters.commandsSent;
}

// Marks every sent command for sending again. The server gives a repeated client order id the
// first reply (docs/protocol.md, "Resending after a reconnect"), so a command that did reach
// the engine is not executed twice.
void Client::markPendingForResend()
{
    for (auto &entry : m_pending) {
        if (entry.second.linkSequence != 0) {
            entry.second.sentBefore = true;
            entry.second.linkSequence = 0;
        }
    }
}

void Client::poll(std::chrono::milliseconds timeout)
{
    const auto now = Clock::now();
    const auto untilTimer = std::chrono::ceil<std::chrono::milliseconds>(nextTimer() - now);
    const auto zero = std::chrono::milliseconds(0);
    const auto wait = std::clamp(untilTimer, zero, std::max(timeout, zero));

    std::vector<zmq::pollitem_t> items;
    items.push_back({nullptr, m_wakeUpEvent, ZMQ_POLLIN, 0});
    for (ClientLink *link : {&m_orderEntry, &m_snapshots}) {
        if (link->isOpen())
            items.push_back({link->socket->handle(), 0, ZMQ_POLLIN, 0});
    }
    if (m_publications)
        items.push_back({m_publications->handle(), 0, ZMQ_POLLIN, 0});

    try {
        zmq::poll(items, wait);
    } catch (const zmq::error_t &error) {
        // A signal interrupted the wait; what is ready is handled below all the same.
        if (error.num() != EINTR)
            throw;
    }
    if ((items.front().revents & ZMQ_POLLIN) != 0) {
        std::uint64_t count = 0;
        [[maybe_unused]] const ssize_t read = ::read(m_wakeUpEvent, &count, sizeof count);
    }

    if (m_orderEntry.isOpen()) {
        drain(m_orderEntry);
        checkHandshake();
    }
    if (m_snapshots.isOpen())
        drain(m_snapshots);
    if (m_publications)
        drainPublications();

    handleTimers(Clock::now());
    sendPending();
    requestSnapshots();
}

void Client::checkHandshake()
{
    switch (m_orderEntry.takeHandshakeOutcome()) {
    case HandshakeOutcome::None:
        return;
    case HandshakeOutcome::Succeeded:
        m_counters.handshakeFailuresInARow = 0;
        m_keyRejectedBy.clear();
        return;
    case HandshakeOutcome::Rejected:
        m_keyRejectedBy = endpoints().orderEntry;
        // Logged at the first rejection and every 100th, because each reconnect is rejected.
        if (m_counters.handshakeRejections++ % 100 == 0) {
            const std::uint64_t count = m_counters.handshakeRejections;
            const std::string times = count == 1 ? "once" : std::to_string(count) + " times";
            log(LogLevel::Warning, "the server at " + endpoints().orderEntry +
                                       " rejected this client's key " + times +
                                       ": check that its access list names the key");
        }
        m_counters.handshakeFailuresInARow = 0;
        return;
    case HandshakeOutcome::Failed:
        ++m_counters.handshakeFailures;
        // Logged once per run of failures, because each reconnect fails the same way.
        if (m_counters.handshakeFailuresInARow++ == 0)
            log(LogLevel::Warning, "the CURVE handshake with " + endpoints().orderEntry +
                                       " failed: check the server key");
        return;
    }
}

ClientSocketOptions Client::socketOptions() const
{
    return ClientSocketOptions{m_options.keys, m_options.serverPublicKey,
                               m_options.receiveHighWaterMark, m_options.receiveBufferBytes};
}

std::optional<std::uint64_t> Client::sendOn(ClientLink &link, Message &message)
{
    const std::optional<std::uint64_t> sequence = link.send(message, m_buffer);
    if (sequence)
        ++m_counters.messagesSent;
    return sequence;
}

void Client::setState(ClientState state)
{
    if (state == m_state)
        return;
    m_state = state;
    if (m_listener != nullptr)
        m_listener->onStateChanged(state);
}

void Client::log(LogLevel level, const std::string &message)
{
    if (m_options.log)
        m_options.log(level, "client: " + message);
}

} // namespace bourse::net

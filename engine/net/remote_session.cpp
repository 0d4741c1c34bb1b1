#include "remote_session.h"

#include "remote_market.h"
#include "remote_session_commands.h"
#include "remote_session_text.h"

#include <atomic>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

namespace bourse::net {

namespace {

using Clock = std::chrono::steady_clock;

// How long one poll of the client waits at most. Client::poll() waits on its own sockets only,
// so a command from the terminal waits up to this long before it is sent.
// TODO: a wake-up socket that Client::poll() also polls would send commands at once. Until then
// a command waits 1 ms on average, a small part of a frame but visible in a round trip.
constexpr auto kPollSlice = std::chrono::milliseconds(2);

// How often a view goes out while nothing changes, so that the reconnect countdown and the
// event rate move on.
constexpr auto kIdleViewInterval = std::chrono::milliseconds(250);

MarketViewBuilder::Options builderOptions(const RemoteSession::Options &options)
{
    if (options.viewLevels < 1)
        throw std::invalid_argument("viewLevels must be at least 1");
    if (options.framesPerSecond < 1 || options.framesPerSecond > 1000)
        throw std::invalid_argument("framesPerSecond must be from 1 to 1000");
    MarketViewBuilder::Options builder;
    builder.viewLevels = static_cast<std::size_t>(options.viewLevels);
    builder.tradesPerView = options.tradesPerView;
    builder.barIntervalNanoseconds = options.barIntervalNanoseconds;
    builder.barsKept = options.barsKept;
    builder.eventsPerView = options.eventsPerView;
    return builder;
}

} // namespace

struct RemoteSession::Impl final : ClientListener {
    Impl(Options sessionOptions)
        : options(std::move(sessionOptions))
        , market(std::in_place, builderOptions(options), options.client.accounts)
        , frameInterval(std::chrono::microseconds(1'000'000 / options.framesPerSecond))
        , client(options.client)
        , linkEndpoint(options.client.orderEntryEndpoint)
    {
        client.setListener(this);
        client.setStreamEventListener(
            [this](StreamKey key, std::span<const Event> events) { onEvents(key, events); });
        client.setStreamStaleListener([this](StreamKey key, bool stale) { onStale(key, stale); });
        publish(Clock::now());
    }

    void run();
    void applyCommands();
    void apply(remote::Command &command);
    AccountId accountOfOrder(OrderId id) const;
    AccountId defaultAccount() const;
    void publish(Clock::time_point now);
    ConnectionStatus connectionStatus() const;

    void onEvents(StreamKey key, std::span<const Event> events)
    {
        followInstance();
        market->onEvents(key, events);
        changed = true;
    }
    void onStale(StreamKey key, bool stale)
    {
        followInstance();
        if (!stale)
            market->onResynced(key, client.streams());
        changed = true;
    }
    void followInstance();

    // ClientListener, on the client thread.
    void onCommandRejected(const CommandRejected &rejected) override
    {
        // An engine rejection comes as an event on the account's stream as well; only the
        // server's own rejections (eventSequence zero) have no event.
        if (rejected.eventSequence == 0)
            market->trader().onServerRejection(rejected, wallClockNow());
        changed = true;
    }
    void onErrorReply(const ErrorReply &error, std::optional<ClientOrderId>) override
    {
        lastError = describeErrorReply(error);
        viewError = lastError;
        changed = true;
    }
    void onStateChanged(ClientState state) override
    {
        // The client has already chosen the next endpoint set when it reports the loss.
        if (state != ClientState::WaitingToReconnect)
            linkEndpoint = client.endpoints().orderEntry;
        if (state == ClientState::Live)
            linkWasLive = true;
        if (state == ClientState::WaitingToReconnect) {
            // A retry of the endpoint that was lost keeps its loss as the error, and an endpoint
            // never reached since then is named as one that cannot be connected to.
            if (linkWasLive)
                lostEndpoint = linkEndpoint;
            lastError = linkEndpoint == lostEndpoint ? "connection to " + linkEndpoint + " lost"
                                                     : "cannot connect to " + linkEndpoint;
            viewError = lastError;
            linkWasLive = false;
        }
        // The link is back, so the view stops giving the loss as the session's error. The
        // status keeps it as the last error.
        if (state == ClientState::Live && !failed)
            viewError.clear();
        changed = true;
    }

    Options options;
    // Made anew for each server instance, so that the views drop the bars and the tape of the
    // earlier run, whose sequence numbers the new run repeats.
    std::optional<RemoteMarket> market;
    Clock::duration frameInterval;
    Client client;
    std::string linkEndpoint; // the order-entry endpoint of the latest connect
    bool linkWasLive = false; // the latest connect reached Live, so a loss is a lost connection
    std::string lostEndpoint; // the order-entry endpoint whose live connection was lost last
    remote::CommandQueue commands;
    std::vector<remote::Command> takenCommands; // reused by each applyCommands()
    InstrumentId focus;
    std::string lastError;      // the status's last error, kept after the link is back
    std::string viewError;      // the view's error, cleared once the link is Live again
    std::uint64_t instance = 0; // the server instance the market was built from
    std::uint64_t restarts = 0; // the views' replaySeeks, so that panels start afresh
    bool changed = true;
    bool failed = false; // the client thread stopped on an exception
    Clock::time_point nextFrame;
    Clock::time_point lastPublish;
    std::uint64_t viewNumber = 0;

    std::atomic<bool> stopRequested{false};
    mutable std::mutex viewMutex; // held only to swap or copy the pointers
    std::shared_ptr<const MarketView> view;
    std::shared_ptr<const ConnectionStatus> status;
    std::thread thread;
};

void RemoteSession::Impl::run()
{
    try {
        while (!stopRequested.load(std::memory_order_relaxed)) {
            applyCommands();
            client.poll(kPollSlice);
            followInstance();
            const Clock::time_point now = Clock::now();
            market->sampleRate(now);
            const bool due = changed || now - lastPublish >= kIdleViewInterval;
            if (due && now >= nextFrame)
                publish(now);
        }
    } catch (const std::exception &error) {
        // A socket error other than an interrupted wait ends the thread. The last view stops
        // taking orders and gives the error.
        lastError = std::string("the connection to the server stopped: ") + error.what();
        viewError = lastError;
        failed = true;
        publish(Clock::now());
    }
}

// A restarted server numbers its events from 1 again. Its streams resynchronize from
// snapshots, and the market of views starts empty, as after a seek of a replay.
void RemoteSession::Impl::followInstance()
{
    const std::uint64_t current = client.instanceId();
    if (current == instance || current == 0)
        return;
    if (instance != 0) {
        market.emplace(builderOptions(options), options.client.accounts);
        ++restarts;
    }
    instance = current;
    changed = true;
}

void RemoteSession::Impl::applyCommands()
{
    commands.take(takenCommands);
    for (remote::Command &command : takenCommands)
        apply(command);
}

void RemoteSession::Impl::apply(remote::Command &command)
{
    RemoteTraderView &trader = market->trader();
    if (auto *order = std::get_if<NewOrder>(&command)) {
        if (order->account.value() == 0)
            order->account = defaultAccount();
        trader.noteSubmit(client.submit(*order), *order);
    } else if (const auto *cancel = std::get_if<remote::CancelCommand>(&command)) {
        trader.noteAmend(client.cancel(accountOfOrder(cancel->id), cancel->id));
    } else if (const auto *replace = std::get_if<ReplaceOrder>(&command)) {
        trader.noteAmend(client.replace(accountOfOrder(replace->id), *replace));
    } else if (const auto *scope = std::get_if<MassCancel>(&command)) {
        trader.noteSettings(client.massCancel(*scope));
    } else if (const auto *kill = std::get_if<remote::KillSwitchCommand>(&command)) {
        trader.noteSettings(client.killSwitch(kill->account, kill->scope));
    } else if (const auto *focused = std::get_if<remote::FocusCommand>(&command)) {
        focus = focused->instrument;
    }
    changed = true;
}

// The account of a working order, from the replicas. When no replica has the order it is the
// default account, and the server rejects the command as naming an unknown order.
AccountId RemoteSession::Impl::accountOfOrder(OrderId id) const
{
    for (const AccountId account : options.client.accounts) {
        const AccountReplica *replica = client.streams().account(account.value());
        if (replica != nullptr && replica->workingOrders().contains(id))
            return account;
    }
    return defaultAccount();
}

AccountId RemoteSession::Impl::defaultAccount() const
{
    return options.client.accounts.empty() ? AccountId{} : options.client.accounts.front();
}

void RemoteSession::Impl::publish(Clock::time_point now)
{
    auto next = std::make_shared<MarketView>();
    next->mode = SessionMode::Remote;
    next->takesOrders = !failed && client.state() == ClientState::Live;
    market->fill(*next, client.streams(), focus, now);
    next->viewNumber = ++viewNumber;
    next->replaySeeks = restarts;
    next->replayStale = staleSentence(client, linkEndpoint, next->instrument);
    next->replaySource = client.endpoints().orderEntry;
    next->error = viewError;
    auto nextStatus = std::make_shared<ConnectionStatus>(connectionStatus());

    changed = false;
    lastPublish = now;
    nextFrame = now + frameInterval;
    const std::lock_guard lock(viewMutex);
    view = std::move(next);
    status = std::move(nextStatus);
}

ConnectionStatus RemoteSession::Impl::connectionStatus() const
{
    ConnectionStatus result;
    result.state = client.state();
    result.orderEntryEndpoint = client.endpoints().orderEntry;
    result.endpointIndex = client.endpointIndex();
    result.serverPublicKey = options.client.serverPublicKey;
    result.instanceId = client.instanceId();
    result.reconnectDelay = client.reconnectWait();
    result.staleStreams = staleStreams(client, options.client, market->instruments());
    result.counters = client.counters();
    result.sync = client.streams().counters();
    result.lastError = lastError;
    result.keyRejectedBy = client.keyRejectedBy();
    return result;
}

RemoteSession::RemoteSession(Options options)
    : m_impl(std::make_unique<Impl>(std::move(options)))
{
    m_impl->thread = std::thread([impl = m_impl.get()] { impl->run(); });
}

RemoteSession::~RemoteSession()
{
    m_impl->stopRequested.store(true, std::memory_order_relaxed);
    if (m_impl->thread.joinable())
        m_impl->thread.join();
}

std::shared_ptr<const MarketView> RemoteSession::latestView() const
{
    const std::lock_guard lock(m_impl->viewMutex);
    return m_impl->view;
}

ConnectionStatus RemoteSession::status() const
{
    const std::lock_guard lock(m_impl->viewMutex);
    return *m_impl->status;
}

void RemoteSession::setFocus(InstrumentId instrument)
{
    m_impl->commands.push(remote::FocusCommand{instrument});
}

bool RemoteSession::submit(const NewOrder &order)
{
    return m_impl->commands.push(order);
}

bool RemoteSession::cancel(OrderId id)
{
    return m_impl->commands.push(remote::CancelCommand{id});
}

bool RemoteSession::replace(const ReplaceOrder &replace)
{
    return m_impl->commands.push(replace);
}

bool RemoteSession::massCancel(const MassCancel &scope)
{
    return m_impl->commands.push(scope);
}

bool RemoteSession::engageKillSwitch(AccountId account, KillSwitchScope scope)
{
    if (scope == KillSwitchScope::None)
        return false;
    return m_impl->commands.push(remote::KillSwitchCommand{account, scope});
}

bool RemoteSession::resetKillSwitch(AccountId account)
{
    return m_impl->commands.push(remote::KillSwitchCommand{account, KillSwitchScope::None});
}

std::future<Session::CheckAnswer> RemoteSession::checkOrder(const NewOrder &order)
{
    std::promise<Session::CheckAnswer> answer;
    answer.set_value(checkAgainstView(*latestView(), order));
    return answer.get_future();
}

} // namespace bourse::net

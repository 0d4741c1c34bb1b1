#pragma once

// The terminal's remote mode: a Client to a `bourse-engine serve` on a thread of its own, and
// the MarketView a terminal shows, built from the replicas of the followed streams instead of a
// local engine. The panels read views and send commands as they do in simulation mode.
//
// Every public function may be called from any thread. Commands go through a bounded queue to
// the client thread, which publishes views and the status by swapping shared pointers, at most
// Options::framesPerSecond times a second, and four times a second while nothing changes.

#include "client.h"
#include "market_view.h"
#include "session.h"

#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <vector>

namespace bourse::net {

// The link to the server as the terminal's status bar and connection panel show it.
struct ConnectionStatus {
    ClientState state = ClientState::Connecting;
    std::string orderEntryEndpoint; // of the endpoint set in use, the primary's or a standby's
    std::size_t endpointIndex = 0;  // the set in use: 0 is the primary, i is standby i
    std::string serverPublicKey;
    std::uint64_t instanceId = 0;                // the server run; zero before the first Welcome
    std::chrono::milliseconds reconnectDelay{0}; // the wait of the reconnect that is due
    // The followed streams that are not in sync now, such as "instrument 3" (describe()).
    std::vector<std::string> staleStreams;
    ClientCounters counters;
    SyncCounters sync;
    std::string lastError;     // the latest ErrorReply or dead peer, a sentence; empty when none
    std::string keyRejectedBy; // Client::keyRejectedBy()
    // Of a market split over several engines (MultiSession): the engine's name and the symbols
    // it owns in an entry of `engines`, and in the merged status one entry per engine. Empty
    // for a single server.
    std::string engineName;
    std::vector<std::string> ownedSymbols;
    std::vector<ConnectionStatus> engines;
};

class RemoteSession {
public:
    struct Options {
        ClientOptions client;     // the accounts it lists are the trader's, default first
        int viewLevels = 50;      // levels per side in each view, at least 1
        int framesPerSecond = 60; // views published per second at most, 1 to 1000
        std::int64_t barIntervalNanoseconds = 1'000'000'000;
        std::size_t barsKept = 240;
        std::size_t tradesPerView = 500;
        std::size_t eventsPerView = 2000;
    };

    // Starts the client thread, which connects and follows the streams. Throws
    // std::invalid_argument for a value out of range and zmq::error_t for a malformed endpoint.
    explicit RemoteSession(Options options);
    // Stops the client thread, which ends within one poll of 2 ms, and closes the sockets with
    // ZMQ_LINGER 0, so that commands not sent yet are dropped.
    ~RemoteSession();
    RemoteSession(const RemoteSession &) = delete;
    RemoteSession &operator=(const RemoteSession &) = delete;

    // The latest view; never null once constructed (the first one shows Connecting). Its mode
    // is SessionMode::Remote, and takesOrders is true while the client is Live. `replayStale`
    // names why the focus's book cannot be trusted (the link is down, or the focus's stream
    // resynchronizes after a gap), so that the screen marks it as it marks a stale replay.
    // `error` gives the loss of the link until the link is Live again, and the latest error
    // reply. A restarted server (a new instance id) raises `replaySeeks`, and the views start
    // empty of the earlier run's bars, tape and events, as after a replay's seek.
    std::shared_ptr<const MarketView> latestView() const;
    ConnectionStatus status() const;

    // The instrument whose book, trades and bars the views show; zero: the first one known.
    void setFocus(InstrumentId instrument);

    // Trading, as Session's: each queues the command for the client thread and returns false
    // when the queue is full. The outcome shows in later views (the trader's orders, fills and
    // notices). cancel() and replace() name the order's account from the trader's working
    // orders. A command given while the link is down is sent once it is back, with the same
    // client order id, so a repeat never enters an order twice.
    bool submit(const NewOrder &order);
    bool cancel(OrderId id);
    bool replace(const ReplaceOrder &replace);
    bool massCancel(const MassCancel &scope);
    // A zero account is the global switch. engageKillSwitch() with scope None queues nothing
    // and returns false: resetKillSwitch() resets.
    bool engageKillSwitch(AccountId account, KillSwitchScope scope);
    bool resetKillSwitch(AccountId account);
    // The server judges orders, and a terminal cannot ask it beforehand. This check covers what
    // the latest view shows (the instrument's tick, lot, minimum and maximum quantity, and the kill
    // switches) and passes otherwise. The future is ready at once.
    std::future<Session::CheckAnswer> checkOrder(const NewOrder &order);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace bourse::net

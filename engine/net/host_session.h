#pragma once

// Host mode: a terminal serves its own simulated or training market to peer terminals. A Server
// runs on a thread of its own, and the host trades through a RemoteSession connected to it over
// loopback with the host's own key, so the host receives exactly what its peers do. The host pauses
// the agents and injects market events through the server's controls; peers trade against each
// other and the agents, with self-trade prevention per account as in every engine.

#include "remote_session.h"
#include "server.h"

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace bourse::net {

struct HostOptions {
    // The market: a training scenario file (docs/training.md), or the simulated market of five
    // instruments when empty. The seed replaces the scenario's when seedGiven.
    std::string trainingFile;
    std::uint64_t seed = 1;
    bool seedGiven = false;

    // The address the three sockets bind, such as "127.0.0.1", a LAN address, or "*" for every
    // address. Ports: order entry at firstPort, publications at firstPort + 1, snapshots at
    // firstPort + 2; zero lets the system choose each.
    std::string address = "127.0.0.1";
    std::uint16_t firstPort = 0;
    std::string journal; // empty: none, and replies go out at once
    // The folder of the server's key pair (server.key, server.pub), generated there when missing,
    // and of the access list the server reads (host.access), rewritten at each start.
    std::string keyFolder;
    CurveKeyPair hostKeys;                                // the host terminal's own pair
    std::vector<AccountId> hostAccounts = {AccountId{1}}; // the host trades these, default first
    std::string peerAccessList; // the peers' keys (docs/network-security.md); empty: no peers
    std::uint32_t heartbeatIntervalMs = 1000;
    LogSink log; // the server's lines, from its thread and the authenticator's
    // The host's views; the client part is filled in from the settings above.
    RemoteSession::Options view;
};

// The three endpoints and the server's public key, which a peer needs to connect.
struct HostEndpoints {
    std::string orderEntry;
    std::string publish;
    std::string snapshot;
    std::string serverPublicKey;
};

// Every public function may be called from any thread.
class HostSession {
public:
    // Generates the server key pair when missing, writes the access list, starts the server's
    // thread and connects the host's session. Throws ServerError naming the file or endpoint that
    // failed, as the server does, and for a peers' access list that lists the host's own key.
    explicit HostSession(HostOptions options);
    // Closes the host's session, then stops the server, which stores its final snapshot in the
    // journal and sends the replies it committed, and joins its thread.
    ~HostSession();
    HostSession(const HostSession &) = delete;
    HostSession &operator=(const HostSession &) = delete;

    // The host's trading and views, as a remote terminal's.
    RemoteSession &session() { return *m_session; }
    // Bound endpoints. With address "*" they read tcp://0.0.0.0:PORT, and a peer replaces
    // 0.0.0.0 with an address of the host's machine that it can reach.
    HostEndpoints endpoints() const;

    ControlResult pause() { return m_server->pauseMarket(true); }
    ControlResult resume() { return m_server->pauseMarket(false); }
    ControlResult inject(const MarketEvent &event) { return m_server->injectMarketEvent(event); }
    MarketStatus marketStatus() const { return m_server->marketStatus(); }
    // Whether the server's loop still runs. It stops early only when its journal fails or a
    // socket raises an error, which the log sink receives.
    bool isServing() const { return !m_stopped.load(); }

private:
    std::unique_ptr<Server> m_server;
    std::thread m_thread;
    std::atomic<bool> m_stopped{false};
    std::unique_ptr<RemoteSession> m_session;
};

// Builds the server configuration of host mode, and writes the server key pair (when missing)
// and the access list into options.keyFolder. Throws ServerError. HostSession calls it, and
// tests call it alone to check the files it writes.
ServerConfig hostServerConfig(const HostOptions &options);

} // namespace bourse::net

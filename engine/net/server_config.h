#pragma once

// The settings of `bourse-engine serve`, read from a plain text file that an operator writes by
// hand (docs/serving.md). One setting a line, `#` starts a comment, and relative paths count from
// the folder of the configuration file:
//
//     order-entry tcp://127.0.0.1:7401
//     server-key keys/server
//     access-list desk.access
//     journal market.journal
//     market simulation seed 7
//     instruments BLUE,IDXF

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bourse::net {

// The source of the engine's orders besides the remote traders.
enum class ServedMarket : std::uint8_t {
    Simulation, // the agent market, paced by the wall clock
    Training,   // a training scenario's agent market (docs/training.md), in its market time
    Scenario,   // the setup lines of a scenario file; then only remote traders trade
};

// The server's part in failover under the lease of its replicated stream (docs/scale-out.md).
enum class ServerRole : std::uint8_t {
    Alone,   // no lease: the server serves at once, as without failover
    Primary, // takes the lease, creating it when missing, before it serves
    Standby, // follows the stream into its journal, and serves once it takes the lease over
};

struct ServerConfig {
    std::string orderEntryEndpoint = "tcp://127.0.0.1:7401";
    std::string publishEndpoint = "tcp://127.0.0.1:7402";
    std::string snapshotEndpoint = "tcp://127.0.0.1:7403";
    std::string serverKey;  // key pair path prefix: serverKey + ".key" and ".pub"
    std::string accessList; // the access list file
    std::string journal;    // empty: no journal, and replies go out at once
    std::uint32_t heartbeatIntervalMs = 1000;
    // ZMQ_SNDHWM of the publication socket: messages queued per subscriber before the socket
    // drops that subscriber's messages, which the subscriber then detects as a gap.
    int publishHighWaterMark = 100'000;
    // ZMQ_SNDBUF of the publication socket: the kernel's send buffer of each subscriber's
    // connection, in bytes. 0 keeps the system's default, which grows to several MB. It bounds
    // the kernel memory a stalled subscriber takes up before the high-water mark applies.
    int publishSendBufferBytes = 0;
    std::uint64_t snapshotEvery = 1'000'000; // journal snapshot interval, in events
    ServedMarket market = ServedMarket::Simulation;
    std::uint64_t seed = 1; // of the simulated or training market
    bool seedGiven = false; // a training market takes its scenario's seed unless given
    std::string marketFile; // the training or scenario file
    // The symbols of the market's instruments that this engine owns, in the order given; empty:
    // every instrument of the market. Several engines that own disjoint sets serve one market
    // split by instrument.
    std::vector<std::string> instruments;
    std::string instrumentsLocation; // "FILE:LINE" of the instruments setting, for errors
    // Journal replication to a NATS JetStream stream (docs/scale-out.md): the NATS servers,
    // empty for none. Only valid with a journal.
    std::vector<std::string> replicateServers;
    std::string replicateStream = "BOURSE_JOURNAL";
    int replicateReplicas = 3; // copies of the stream in the cluster; 1 for a one-node server
    // Failover under a lease: only valid with `replicate`. The engine name is required with a
    // role; it is written into the lease and names the holder in log lines.
    ServerRole role = ServerRole::Alone;
    std::string engineName;
    std::uint32_t leaseTimeoutMs = 2000;
};

// Reads a configuration file. Returns nothing and sets `error` to "FILE:LINE: error: MESSAGE"
// (or "FILE: error: MESSAGE" for the whole file) at the first problem: an unknown setting, a
// setting given twice, a missing or invalid value, or a required setting (server-key,
// access-list, market) that is absent.
std::optional<ServerConfig> readServerConfig(const std::string &path, std::string &error);

// Parses configuration text; `fileName` names it in errors and gives the folder that relative
// paths count from.
std::optional<ServerConfig> parseServerConfig(const std::string &text, const std::string &fileName,
                                              std::string &error);

} // namespace bourse::net

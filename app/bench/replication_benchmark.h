#pragma once

// bourse-bench replication: a recorded agent-market stream through the journal writer and the
// journal's replicator to a JetStream stream with three replicas.

#include <cstdint>
#include <string>
#include <vector>

namespace bourse::bench {

struct ReplicationBenchmarkOptions {
    std::uint64_t events = 1'000'000;
    int runs = 3;
    // Events per second handed to the journal writer; 0: as fast as the writer takes them.
    std::uint64_t rate = 0;
    std::string natsServers; // empty: start a three-node cluster on loopback ports
    std::string directory;   // where the journals and the cluster's storage go
    bool json = false;
    // Primary kills after the throughput runs (replication_failover.h); 0 skips them.
    int failoverRuns = 3;
    std::uint32_t leaseTimeoutMs = 2000;
    std::string engine; // the bourse-engine executable; empty: findEngineExecutable()
};

// Runs `bourse-bench replication ARGUMENTS` and returns the exit status.
int runReplicationCommand(const std::vector<std::string> &arguments);

} // namespace bourse::bench

#pragma once

// The primary kill of `bourse-bench replication`: a primary and a standby `bourse-engine serve`
// on one stream, a client's steady order flow, SIGKILL of the primary, and the client going on
// through the standby by itself.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace bourse::bench {

struct FailoverSettings {
    std::string engine; // the bourse-engine executable
    std::string natsServers;
    std::filesystem::path folder; // keys, configurations, journals and logs of the run
    std::string stream;
    std::uint32_t leaseTimeoutMs = 2000;
};

struct FailoverResult {
    // From the SIGKILL of the primary to the first order that the standby acknowledged, as the
    // client sees it.
    double failoverSeconds = 0;
    std::uint64_t sent = 0;
    std::uint64_t acknowledged = 0; // orders accepted, on either server
    std::uint64_t rejected = 0;     // orders rejected, such as by the account's risk limits
    std::uint64_t lost = 0;         // accepted, but absent from the standby's journal
    // OrderAccepted events beyond the first of one client order id, plus orders that traded more
    // than their quantity, in the standby's journal.
    std::uint64_t duplicates = 0;
};

// The workload, for the printed report.
extern const char *const kFailoverWorkload;

// Runs one primary kill. Nothing with `error` set when a process does not start or the client
// never reaches the standby.
std::optional<FailoverResult> runFailover(const FailoverSettings &settings, std::string &error);

// The bourse-engine executable beside bourse-bench or one folder up, as in a build tree, or else
// /usr/bin/bourse-engine, where the package installs it.
std::string findEngineExecutable();

} // namespace bourse::bench

// bourse-engine serve: the engine server for remote terminals (docs/serving.md).

#include "commands.h"

#include "lease.h"
#include "server.h"
#include "server_standby.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <mutex>

namespace bourse::cli {

namespace {

constexpr const char *kUsage =
    "usage: bourse-engine serve --config FILE\n"
    "\n"
    "Serves the engine to remote terminals over ZeroMQ with CURVE encryption: order entry,\n"
    "publications of market data and execution reports, and snapshots (docs/serving.md).\n"
    "The configuration file sets the endpoints, the server's key pair, the access list of\n"
    "terminal keys, the journal and the market; docs/serving.md lists every setting.\n"
    "Log lines go to standard output, one per event. SIGINT or SIGTERM stops the server: it\n"
    "takes no more commands, sends the replies the journal has committed, and closes the journal\n"
    "with a final snapshot.\n"
    "  --config FILE   the configuration file\n"
    "With `role standby` it binds nothing: it follows the primary's replicated stream into its\n"
    "journal and serves once the primary's lease stops moving (docs/scale-out.md).\n"
    "Exit status: 0 clean stop, 2 usage error, 3 invalid configuration, key, access list or\n"
    "market file, 4 an endpoint cannot be bound, 5 the journal cannot be opened, recovered or\n"
    "written, 6 the lease was lost (another engine took over, or NATS was unreachable for the\n"
    "lease timeout), 7 the replicated stream belongs to another journal or writer.\n";

enum ServeExit : int {
    BindFailed = 4,
    JournalFailed = 5,
    LeaseLost = 6,
    ReplicationFailed = 7,
};

std::atomic<net::Server *> runningServer{nullptr};
// Stops the lease's contention or the standby before the server exists.
std::atomic<bool> stopBeforeServing{false};

void stopServer(int)
{
    stopBeforeServing.store(true);
    if (net::Server *server = runningServer.load())
        server->requestStop();
}

// One line a fact: UTC time, the component, the level, the message. The authenticator and the
// journal's replicator log from their own threads, so lines are written under a lock.
void writeLogLine(const char *category, bool warning, const std::string &message)
{
    static std::mutex mutex;
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
    const std::lock_guard<std::mutex> lock(mutex);
    std::printf("%s %s %s: %s\n", stamp, category, warning ? "warning" : "info", message.c_str());
    std::fflush(stdout);
}

void logLine(net::LogLevel level, const std::string &message)
{
    writeLogLine("bourse.net", level == net::LogLevel::Warning, message);
}

void logReplication(cluster::LogLevel level, const std::string &message)
{
    writeLogLine("bourse.cluster", level == cluster::LogLevel::Warning, message);
}

int exitStatusOf(net::ServerError::Kind kind)
{
    switch (kind) {
    case net::ServerError::Kind::Configuration:
        return InputError;
    case net::ServerError::Kind::Bind:
        return BindFailed;
    case net::ServerError::Kind::Journal:
        return JournalFailed;
    case net::ServerError::Kind::Deposed:
        return LeaseLost;
    }
    return InputError;
}

int exitStatusOf(net::ServerStop stop)
{
    switch (stop) {
    case net::ServerStop::Requested:
        return Success;
    case net::ServerStop::JournalFailed:
        return JournalFailed;
    case net::ServerStop::LeaseLost:
        return LeaseLost;
    case net::ServerStop::ReplicationFailed:
        return ReplicationFailed;
    }
    return JournalFailed;
}

// Takes the lease as the primary, waiting while another engine renews it. Null once stopped.
std::unique_ptr<cluster::Lease> takePrimaryLease(const net::ServerConfig &config)
{
    std::unique_ptr<cluster::Lease> lease =
        net::openServerLease(config, logLine, logReplication, stopBeforeServing);
    if (!lease)
        return nullptr;
    logLine(net::LogLevel::Info,
            "taking the lease of the stream " + config.replicateStream + " as " +
                config.engineName + "; a lease that another engine held is taken once it " +
                "stays unchanged for " + std::to_string(config.leaseTimeoutMs) + " ms");
    if (!lease->acquire(cluster::MissingLease::Create, stopBeforeServing))
        return nullptr;
    lease->startRenewing();
    logLine(net::LogLevel::Info, "holding the lease of the stream " + config.replicateStream +
                                     " under epoch " + std::to_string(lease->record().epoch));
    return lease;
}

// The lease for the configured role, taken before anything binds; null for no role. Sets
// `stopped` when a stop came first.
// A standby that took over sets `claimed` to the stream's position after its fence.
std::unique_ptr<cluster::Lease> leaseForRole(const net::ServerConfig &config, bool &stopped,
                                             std::optional<cluster::ChainPosition> &claimed)
{
    std::unique_ptr<cluster::Lease> lease;
    if (config.role == net::ServerRole::Primary) {
        lease = takePrimaryLease(config);
    } else if (config.role == net::ServerRole::Standby) {
        net::Standby standby(config, logLine, logReplication);
        lease = standby.run(stopBeforeServing);
        claimed = standby.claimed();
    } else {
        return nullptr;
    }
    stopped = lease == nullptr;
    return lease;
}

} // namespace

int runServeCommand(const std::vector<std::string> &arguments)
{
    if (arguments.size() == 1 && (arguments[0] == "--help" || arguments[0] == "-h")) {
        std::cout << kUsage;
        return Success;
    }
    if (arguments.size() != 2 || arguments[0] != "--config") {
        std::cerr << "bourse-engine serve: expected --config FILE\n" << kUsage;
        return UsageError;
    }

    std::string error;
    const std::optional<net::ServerConfig> config = net::readServerConfig(arguments[1], error);
    if (!config) {
        std::cerr << "bourse-engine serve: " << error << "\n";
        return InputError;
    }

    std::signal(SIGINT, stopServer);
    std::signal(SIGTERM, stopServer);
    std::unique_ptr<net::Server> server;
    try {
        logLine(net::LogLevel::Info, "starting with " + arguments[1]);
        bool stopped = false;
        std::optional<cluster::ChainPosition> claimed;
        std::unique_ptr<cluster::Lease> lease = leaseForRole(*config, stopped, claimed);
        if (stopped) {
            logLine(net::LogLevel::Info, "stopped before serving");
            return Success;
        }
        server = std::make_unique<net::Server>(*config, logLine, logReplication, std::move(lease),
                                               std::move(claimed));
    } catch (const net::ServerError &failure) {
        logLine(net::LogLevel::Warning, std::string("cannot start: ") + failure.what());
        std::cerr << "bourse-engine serve: " << failure.what() << "\n";
        return exitStatusOf(failure.kind());
    }
    logLine(net::LogLevel::Info, "server public key " + server->serverPublicKey());

    runningServer.store(server.get());
    if (stopBeforeServing.load())
        server->requestStop();
    const net::ServerStop stop = server->run();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    runningServer.store(nullptr);
    server.reset();
    logLine(net::LogLevel::Info, "stopped");
    return exitStatusOf(stop);
}

} // namespace bourse::cli

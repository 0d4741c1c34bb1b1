// bourse-engine serve: the engine server for remote terminals (docs/serving.md).

#include "commands.h"

#include "server.h"

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
    "Exit status: 0 clean stop, 2 usage error, 3 invalid configuration, key, access list or\n"
    "market file, 4 an endpoint cannot be bound, 5 the journal cannot be opened, recovered or\n"
    "written.\n";

enum ServeExit : int {
    BindFailed = 4,
    JournalFailed = 5,
};

std::atomic<net::Server *> runningServer{nullptr};

void stopServer(int)
{
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
    }
    return InputError;
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

    std::unique_ptr<net::Server> server;
    try {
        logLine(net::LogLevel::Info, "starting with " + arguments[1]);
        server = std::make_unique<net::Server>(*config, logLine, logReplication);
    } catch (const net::ServerError &failure) {
        logLine(net::LogLevel::Warning, std::string("cannot start: ") + failure.what());
        std::cerr << "bourse-engine serve: " << failure.what() << "\n";
        return exitStatusOf(failure.kind());
    }
    logLine(net::LogLevel::Info, "server public key " + server->serverPublicKey());

    runningServer.store(server.get());
    std::signal(SIGINT, stopServer);
    std::signal(SIGTERM, stopServer);
    const int status = server->run();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    runningServer.store(nullptr);
    server.reset();
    logLine(net::LogLevel::Info, "stopped");
    return status == 0 ? int{Success} : int{JournalFailed};
}

} // namespace bourse::cli

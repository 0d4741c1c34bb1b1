#include "host_session.h"

#include "access_list.h"
#include "curve_keys.h"

#include <filesystem>
#include <fstream>

namespace bourse::net {

namespace {

using Kind = ServerError::Kind;

std::string endpointOf(const HostOptions &options, int offset)
{
    const std::string port =
        options.firstPort == 0 ? std::string("*") : std::to_string(options.firstPort + offset);
    return "tcp://" + options.address + ":" + port;
}

// The host's session connects over loopback when the server binds every address. A socket bound
// to one address is reached at that address, which is this machine's own.
std::string loopbackEndpoint(std::string endpoint)
{
    const std::string any = "tcp://0.0.0.0:";
    if (endpoint.starts_with(any))
        endpoint.replace(0, any.size(), "tcp://127.0.0.1:");
    return endpoint;
}

// Generates the server's key pair when neither file exists. When only one exists, the server's
// reading of the pair fails, so that a lost secret key is noticed rather than replaced.
void ensureServerKeys(const std::string &basePath)
{
    const KeyFilePaths paths = keyFilePaths(basePath);
    std::error_code ignored;
    if (!std::filesystem::exists(paths.secretFile, ignored) &&
        !std::filesystem::exists(paths.publicFile, ignored)) {
        const KeyPairResult generated = generateKeyPair();
        if (!generated.ok())
            throw ServerError(Kind::Configuration, generated.error.toString());
        if (const auto failed = writeKeyPair(*generated.pair, basePath, ExistingKeys::Keep))
            throw ServerError(Kind::Configuration,
                              "cannot write the server key pair: " + failed->toString());
    }
}

std::string accountsText(const std::vector<AccountId> &accounts)
{
    std::string text;
    for (const AccountId account : accounts) {
        if (!text.empty())
            text += ',';
        text += std::to_string(account.value());
    }
    return text;
}

// The host's own key as a trader of its accounts, then the peers' entries, which their file was
// checked for first, so that its errors name its own lines.
std::string accessListText(const HostOptions &options)
{
    std::string text = "# Written by the host at each start: the host's key, then the peers'.\n";
    text += "trader " + options.hostKeys.publicKey + " accounts " +
            accountsText(options.hostAccounts) + " # host\n";
    if (options.peerAccessList.empty())
        return text;

    const AccessListResult peers = loadAccessList(options.peerAccessList);
    if (!peers.ok()) {
        std::string error = "invalid access list:";
        for (const AccessListError &entry : peers.errors) {
            error += '\n';
            error += entry.toString();
        }
        throw ServerError(Kind::Configuration, error);
    }
    for (const AccessEntry &entry : peers.list->entries()) {
        if (entry.publicKey == options.hostKeys.publicKey)
            throw ServerError(Kind::Configuration,
                              options.peerAccessList + ":" + std::to_string(entry.line) +
                                  ": error: the host's own key is listed; remove the line, "
                                  "the host adds its key with its accounts");
        text += (entry.role == Role::Trader ? "trader " : "viewer ") + entry.publicKey;
        if (entry.role == Role::Trader)
            text += " accounts " + accountsText(entry.accounts);
        if (!entry.comment.empty())
            text += " # " + entry.comment;
        text += '\n';
    }
    return text;
}

} // namespace

ServerConfig hostServerConfig(const HostOptions &options)
{
    if (options.hostAccounts.empty())
        throw ServerError(Kind::Configuration, "the host needs at least one account to trade");
    if (options.firstPort > 65'533)
        throw ServerError(Kind::Configuration, "invalid first port " +
                                                   std::to_string(options.firstPort) +
                                                   ": the three ports must be at most 65535");
    std::error_code error;
    std::filesystem::create_directories(options.keyFolder, error);
    if (error)
        throw ServerError(Kind::Configuration, "cannot create the key folder " + options.keyFolder +
                                                   ": " + error.message());

    ServerConfig config;
    config.orderEntryEndpoint = endpointOf(options, 0);
    config.publishEndpoint = endpointOf(options, 1);
    config.snapshotEndpoint = endpointOf(options, 2);
    config.serverKey = options.keyFolder + "/server";
    ensureServerKeys(config.serverKey);

    config.accessList = options.keyFolder + "/host.access";
    const std::string text = accessListText(options);
    std::ofstream file(config.accessList, std::ios::binary | std::ios::trunc);
    if (!(file << text) || !file.flush())
        throw ServerError(Kind::Configuration, "cannot write the access list " + config.accessList);

    config.journal = options.journal;
    config.heartbeatIntervalMs = options.heartbeatIntervalMs;
    config.seed = options.seed;
    config.seedGiven = options.seedGiven;
    config.market =
        options.trainingFile.empty() ? ServedMarket::Simulation : ServedMarket::Training;
    config.marketFile = options.trainingFile;
    return config;
}

HostSession::HostSession(HostOptions options)
    : m_server(std::make_unique<Server>(hostServerConfig(options), options.log))
{
    // The host follows every instrument by its id, read before the server's thread starts. An
    // empty list would follow each from its first batch on, and a paused market sends none.
    RemoteSession::Options view = std::move(options.view);
    ClientOptions &client = view.client;
    client.instruments = m_server->engine().instruments();

    // An exception would end the terminal's process on this thread, so it ends the serving
    // instead, logged, and isServing() turns false.
    m_thread = std::thread([this, log = options.log] {
        try {
            m_server->run();
        } catch (const std::exception &error) {
            if (log)
                log(LogLevel::Warning, std::string("the host's server stopped: ") + error.what());
        }
        m_stopped.store(true);
    });

    client.orderEntryEndpoint = loopbackEndpoint(m_server->orderEntryEndpoint());
    client.publishEndpoint = loopbackEndpoint(m_server->publishEndpoint());
    client.snapshotEndpoint = loopbackEndpoint(m_server->snapshotEndpoint());
    client.serverPublicKey = m_server->serverPublicKey();
    client.keys = options.hostKeys;
    client.accounts = options.hostAccounts;
    client.heartbeatInterval = std::chrono::milliseconds(options.heartbeatIntervalMs);
    try {
        m_session = std::make_unique<RemoteSession>(std::move(view));
    } catch (...) {
        m_server->requestStop();
        m_thread.join();
        throw;
    }
}

HostSession::~HostSession()
{
    m_session.reset();
    m_server->requestStop();
    m_thread.join();
}

HostEndpoints HostSession::endpoints() const
{
    return {m_server->orderEntryEndpoint(), m_server->publishEndpoint(),
            m_server->snapshotEndpoint(), m_server->serverPublicKey()};
}

} // namespace bourse::net

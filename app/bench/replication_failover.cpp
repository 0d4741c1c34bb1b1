#include "replication_failover.h"

#include "client.h"
#include "curve_keys.h"
#include "journal.h"
#include "local_processes.h"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include <unistd.h>

namespace bourse::bench {

const char *const kFailoverWorkload =
    "a client sends a market IOC order of 1 lot on BLUE every 40 ms to a primary serving the "
    "agent market (seed 3), with heartbeats every 200 ms; the primary gets SIGKILL 2 s in, and "
    "the client reconnects to the standby by itself";

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr InstrumentId kBlue{1}; // the agent market's first instrument
constexpr AccountId kTrader{1};
constexpr auto kOrderInterval = 40ms;

std::string readFile(const std::filesystem::path &path)
{
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool waitForLog(const std::filesystem::path &log, const std::string &text,
                std::chrono::milliseconds timeout)
{
    const Clock::time_point deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        if (readFile(log).find(text) != std::string::npos)
            return true;
        std::this_thread::sleep_for(20ms);
    }
    return false;
}

// Three endpoints on ports that the system hands out now.
std::optional<net::ServerEndpoints> freeEndpoints()
{
    const std::vector<int> ports = cluster::freeLoopbackPorts(3);
    if (ports.empty())
        return std::nullopt;
    const auto endpoint = [](int port) { return "tcp://127.0.0.1:" + std::to_string(port); };
    return net::ServerEndpoints{endpoint(ports[0]), endpoint(ports[1]), endpoint(ports[2])};
}

std::string configText(const FailoverSettings &settings, const std::string &name,
                       const std::string &role, const net::ServerEndpoints &endpoints)
{
    std::ostringstream text;
    text << "order-entry " << endpoints.orderEntry << "\npublish " << endpoints.publish
         << "\nsnapshot " << endpoints.snapshot
         << "\nserver-key server\naccess-list serve.access\njournal " << name
         << ".journal\nmarket simulation seed 3\nheartbeat-ms 200\nreplicate "
         << settings.natsServers << "\nreplicate-stream " << settings.stream << "\nrole " << role
         << "\nengine-name " << name << "\nlease-timeout-ms " << settings.leaseTimeoutMs << "\n";
    return text.str();
}

// The keys and the access list that the primary and the standby share.
bool writeKeys(const FailoverSettings &settings, std::string &error)
{
    for (const char *name : {"server", "trader"}) {
        const pid_t pid = cluster::spawnLogged(
            {settings.engine, "keygen", "--out", (settings.folder / name).string()},
            (settings.folder / "keygen.log").string(), error);
        if (pid == 0)
            return false;
        if (cluster::waitForExit(pid) != 0) {
            error = settings.engine + " keygen failed; see " +
                    (settings.folder / "keygen.log").string();
            return false;
        }
    }
    const net::KeyPairResult trader = net::readKeyPair((settings.folder / "trader").string());
    if (!trader.ok()) {
        error = trader.error.toString();
        return false;
    }
    std::ofstream(settings.folder / "serve.access")
        << "trader " << trader.pair->publicKey << " accounts 1\n";
    return true;
}

class Recorder final : public net::ClientListener {
public:
    explicit Recorder(const net::Client &client)
        : m_client(client)
    {
    }
    void onCommandAccepted(const net::CommandAccepted &accepted) override
    {
        accepted_.insert(accepted.clientOrderId.value());
        if (killedAt && !firstOnStandby && m_client.endpointIndex() == 1)
            firstOnStandby = Clock::now();
    }
    void onCommandRejected(const net::CommandRejected &) override { ++rejected; }

    std::set<std::uint64_t> accepted_;
    std::uint64_t rejected = 0;
    std::optional<Clock::time_point> killedAt;
    std::optional<Clock::time_point> firstOnStandby;

private:
    const net::Client &m_client;
};

NewOrder marketOrder(std::uint64_t index)
{
    NewOrder order;
    order.side = index % 2 == 0 ? Side::Buy : Side::Sell;
    order.type = OrderType::Market;
    order.timeInForce = TimeInForce::Ioc;
    order.quantity = Quantity{1};
    order.instrument = kBlue;
    order.account = kTrader;
    return order;
}

// Sends orders, kills the primary 2 s in, and goes on until the standby acknowledged orders for
// 2 s; then waits for every reply. Returns false when the standby never acknowledged one.
bool driveClient(net::Client &client, Recorder &recorder, pid_t primary, std::uint64_t &sent)
{
    const Clock::time_point start = Clock::now();
    Clock::time_point nextOrder = start;
    while (Clock::now() - start < 60s) {
        client.poll(5ms);
        const Clock::time_point now = Clock::now();
        if (!recorder.killedAt && now - start >= 2s) {
            ::kill(primary, SIGKILL);
            recorder.killedAt = Clock::now();
        }
        if (recorder.firstOnStandby && now - *recorder.firstOnStandby >= 2s)
            break;
        if (now >= nextOrder) {
            client.submit(marketOrder(sent++));
            nextOrder = now + kOrderInterval;
        }
    }
    for (int wait = 0; wait < 400 && client.pendingCommandCount() > 0; ++wait)
        client.poll(25ms);
    return recorder.firstOnStandby.has_value();
}

// Counts the accepted orders missing from the journal, and those accepted or filled twice.
void countJournal(const std::string &path, const std::set<std::uint64_t> &accepted,
                  FailoverResult &result, std::string &error)
{
    storage::JournalReader::Opened opened = storage::JournalReader::open(path);
    if (!opened.reader) {
        error = opened.error->toString();
        return;
    }
    std::map<std::uint64_t, std::uint64_t> acceptances; // by client order id
    std::map<std::uint64_t, std::int64_t> remaining;    // by order id
    while (std::optional<Event> event = opened.reader->next()) {
        if (const auto *order = std::get_if<OrderAccepted>(&event->payload)) {
            if (order->account != kTrader)
                continue;
            ++acceptances[order->clientOrderId.value()];
            remaining[order->id.value()] = order->quantity.value();
        } else if (const auto *trade = std::get_if<Trade>(&event->payload)) {
            for (const OrderId side : {trade->maker, trade->taker}) {
                const auto found = remaining.find(side.value());
                if (found == remaining.end())
                    continue;
                if (found->second < trade->quantity.value())
                    ++result.duplicates; // the order traded more than its quantity
                found->second -= trade->quantity.value();
            }
        }
    }
    if (opened.reader->error())
        error = opened.reader->error()->toString();
    for (const std::uint64_t id : accepted) {
        const auto found = acceptances.find(id);
        if (found == acceptances.end())
            ++result.lost;
        else
            result.duplicates += found->second - 1;
    }
}

// Ends a process with SIGTERM, unless it ended already, and returns its exit status.
int stopProcess(pid_t pid)
{
    ::kill(pid, SIGTERM);
    return cluster::waitForExit(pid);
}

// Starts `bourse-engine serve` with NAME.conf and waits for `started` in NAME.log. Returns the
// process id, or 0 with `error` set and the process ended.
pid_t startServe(const FailoverSettings &settings, const std::string &name,
                 const std::string &started, std::string &error)
{
    const std::filesystem::path config = settings.folder / (name + ".conf");
    const std::filesystem::path log = settings.folder / (name + ".log");
    const pid_t pid = cluster::spawnLogged({settings.engine, "serve", "--config", config.string()},
                                           log.string(), error);
    if (pid == 0)
        return 0;
    if (!waitForLog(log, started, 30s)) {
        stopProcess(pid);
        error = "the " + name + " did not log '" + started + "' within 30 s; see " + log.string();
        return 0;
    }
    return pid;
}

net::ClientOptions clientOptions(const FailoverSettings &settings,
                                 const net::ServerEndpoints &primary,
                                 const net::ServerEndpoints &standby)
{
    net::ClientOptions options;
    options.orderEntryEndpoint = primary.orderEntry;
    options.publishEndpoint = primary.publish;
    options.snapshotEndpoint = primary.snapshot;
    options.standbyEndpoints = {standby};
    options.serverPublicKey =
        net::readKeyPair((settings.folder / "server").string()).pair->publicKey;
    options.keys = *net::readKeyPair((settings.folder / "trader").string()).pair;
    options.heartbeatInterval = 200ms;
    options.instruments = {kBlue};
    options.accounts = {kTrader};
    options.reconnectDelayMaximum = 500ms;
    return options;
}

} // namespace

std::string findEngineExecutable()
{
    std::error_code ignored;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ignored);
    for (const std::filesystem::path &candidate :
         {self.parent_path() / "bourse-engine", self.parent_path().parent_path() / "bourse-engine"})
        if (::access(candidate.c_str(), X_OK) == 0)
            return candidate.string();
    return "/usr/bin/bourse-engine";
}

std::optional<FailoverResult> runFailover(const FailoverSettings &settings, std::string &error)
{
    std::filesystem::create_directories(settings.folder);
    if (!writeKeys(settings, error))
        return std::nullopt;
    const std::optional<net::ServerEndpoints> primaryEndpoints = freeEndpoints();
    const std::optional<net::ServerEndpoints> standbyEndpoints = freeEndpoints();
    if (!primaryEndpoints || !standbyEndpoints) {
        error = "cannot find free loopback ports";
        return std::nullopt;
    }
    std::ofstream(settings.folder / "primary.conf")
        << configText(settings, "primary", "primary", *primaryEndpoints);
    std::ofstream(settings.folder / "standby.conf")
        << configText(settings, "standby", "standby", *standbyEndpoints);

    const pid_t primary = startServe(settings, "primary", "serving: order entry", error);
    if (primary == 0)
        return std::nullopt;
    const pid_t standby = startServe(settings, "standby", "standby of the stream", error);
    if (standby == 0) {
        stopProcess(primary);
        return std::nullopt;
    }
    const net::ClientOptions options =
        clientOptions(settings, *primaryEndpoints, *standbyEndpoints);

    FailoverResult result;
    bool reachedStandby = false;
    std::set<std::uint64_t> accepted;
    {
        net::Client client(options);
        Recorder recorder(client);
        client.setListener(&recorder);
        reachedStandby = driveClient(client, recorder, primary, result.sent);
        accepted = recorder.accepted_;
        result.rejected = recorder.rejected;
        if (reachedStandby)
            result.failoverSeconds =
                std::chrono::duration<double>(*recorder.firstOnStandby - *recorder.killedAt)
                    .count();
    }
    stopProcess(primary); // killed already, unless the loop ended first
    const int standbyExit = stopProcess(standby);
    if (!reachedStandby || standbyExit != 0) {
        error =
            "the client did not get an acknowledgement from the standby, or the standby failed; "
            "see " +
            (settings.folder / "standby.log").string();
        return std::nullopt;
    }
    result.acknowledged = accepted.size();
    countJournal((settings.folder / "standby.journal").string(), accepted, result, error);
    if (!error.empty())
        return std::nullopt;
    return result;
}

} // namespace bourse::bench

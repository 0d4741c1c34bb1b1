#include "replication_benchmark.h"

#include "local_processes.h"
#include "net_benchmark_publish.h"
#include "replication_failover.h"

#include "journal.h"
#include "nats_stream.h"
#include "replicator.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace bourse::bench {

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char *kUsage =
    "usage: bourse-bench replication [--events N] [--runs N] [--rate N] [--nats URLS] [--dir DIR]\n"
    "                                [--failover-runs N] [--lease-timeout-ms N] [--engine PATH]\n"
    "                                [--json]\n"
    "\n"
    "Records an agent-market run of N events, then, once per run, hands them to a journal\n"
    "writer (synchronous=FULL, as `bourse-engine serve` writes) as fast as it takes them while\n"
    "the journal's replicator publishes what is committed to a new JetStream stream with three\n"
    "replicas. Prints the events per second from the first event to the stream's last\n"
    "acknowledgement (the median of the runs) and the replication lag, from each commit of the\n"
    "journal to the acknowledgement that covers it, over every commit of every run.\n"
    "Then, once per failover run, it starts a primary and a standby `bourse-engine serve` on one\n"
    "stream, kills the primary with SIGKILL under a client's steady order flow, and prints the\n"
    "failover time (from the kill to the first order the standby acknowledged, as the client\n"
    "sees it; the median of the runs) and the orders lost and duplicated in the standby's\n"
    "journal (summed over the runs).\n"
    "  --events N   events per run (default 1000000)\n"
    "  --runs N     runs (default 3)\n"
    "  --rate N     events per second handed to the writer, as a live engine would; without it,\n"
    "               as fast as the writer takes them, which measures the replicated rate\n"
    "  --nats URLS  a cluster of three nodes to use, such as nats://127.0.0.1:4222,...; without\n"
    "               it, three nats-server processes are started on free loopback ports\n"
    "  --dir DIR    folder for the journals and the cluster's storage (default: $TMPDIR or /tmp)\n"
    "  --failover-runs N     primary kills (default 3; 0: none)\n"
    "  --lease-timeout-ms N  the servers' lease timeout, in milliseconds (default 2000)\n"
    "  --engine PATH         the bourse-engine executable (default: the one beside bourse-bench,\n"
    "                        or one folder up as in a build tree, or /usr/bin/bourse-engine)\n"
    "  --json       print one JSON object\n";

int usageError(const std::string &message)
{
    std::fprintf(stderr, "bourse-bench replication: %s\n%s", message.c_str(), kUsage);
    return 2;
}

// Three nats-server processes with JetStream, clustered on free loopback ports.
class LocalCluster {
public:
    ~LocalCluster()
    {
        for (const pid_t pid : m_processes) {
            ::kill(pid, SIGTERM);
            int status = 0;
            ::waitpid(pid, &status, 0);
        }
    }

    bool start(const std::filesystem::path &folder, std::string &error)
    {
        const std::vector<int> ports = cluster::freeLoopbackPorts(6);
        if (ports.empty()) {
            error = "cannot find free loopback ports";
            return false;
        }

        std::string routes;
        for (int node = 0; node < 3; ++node)
            routes += (node > 0 ? "," : "") + std::string("nats://127.0.0.1:") +
                      std::to_string(ports[static_cast<std::size_t>(3 + node)]);
        for (int node = 0; node < 3; ++node) {
            const std::string name = "n" + std::to_string(node + 1);
            const std::string port = std::to_string(ports[static_cast<std::size_t>(node)]);
            const std::string cluster =
                "nats://127.0.0.1:" + std::to_string(ports[static_cast<std::size_t>(3 + node)]);
            const std::string storage = (folder / name).string();
            const std::string log = (folder / (name + ".log")).string();
            if (!launch({"nats-server", "-js", "-sd", storage, "-a", "127.0.0.1", "-p", port, "-n",
                         name, "--cluster_name", "bourse-bench", "--cluster", cluster, "--routes",
                         routes},
                        log, error))
                return false;
            m_urls += (node > 0 ? "," : "") + std::string("nats://127.0.0.1:") + port;
        }
        return true;
    }

    const std::string &urls() const { return m_urls; }

private:
    bool launch(const std::vector<std::string> &arguments, const std::string &log,
                std::string &error)
    {
        // nats-server lives in /usr/sbin on Debian, which a user's PATH may lack.
        const std::string path = std::string(std::getenv("PATH") ? std::getenv("PATH") : "") +
                                 ":/usr/sbin:/usr/local/sbin";
        ::setenv("PATH", path.c_str(), 1);
        const pid_t pid = cluster::spawnLogged(arguments, log, error);
        if (pid == 0)
            return false;
        m_processes.push_back(pid);
        return true;
    }

    std::vector<pid_t> m_processes;
    std::string m_urls;
};

struct RunResult {
    double eventsPerSecond = 0;
    std::uint64_t messages = 0;
    std::vector<double> lagMicroseconds; // one per journal commit
};

// Creates the stream, retrying while the cluster elects its metadata leader.
bool createStream(const cluster::StreamSettings &settings, std::string &error)
{
    const Clock::time_point deadline = Clock::now() + std::chrono::seconds(30);
    cluster::NatsStream::Connected connected = cluster::NatsStream::connect(settings, {});
    if (!connected.stream) {
        error = connected.error;
        return false;
    }
    for (;;) {
        const std::optional<std::string> problem = connected.stream->ensureStream();
        if (!problem)
            return true;
        if (Clock::now() > deadline) {
            error = *problem;
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

std::optional<RunResult> runOnce(const RecordedStream &recorded, std::uint64_t rate,
                                 const std::string &journalPath,
                                 const cluster::StreamSettings &settings, std::string &error)
{
    std::filesystem::remove(journalPath);
    if (!createStream(settings, error))
        return std::nullopt;
    storage::JournalWriter::Created created = storage::JournalWriter::create(journalPath);
    if (!created.writer) {
        error = created.error->toString();
        return std::nullopt;
    }
    storage::JournalWriter &writer = *created.writer;

    std::mutex mutex;
    std::vector<std::pair<SequenceNumber, Clock::time_point>> commits;
    std::vector<std::pair<SequenceNumber, Clock::time_point>> acknowledgements;
    commits.reserve(100'000);
    acknowledgements.reserve(100'000);
    cluster::ReplicatorOptions options;
    options.stream = settings;
    std::atomic<cluster::Replicator *> replicatorSlot{nullptr};
    writer.setCommitListener([&](SequenceNumber committed) {
        const Clock::time_point now = Clock::now();
        {
            const std::lock_guard<std::mutex> lock(mutex);
            commits.emplace_back(committed, now);
        }
        if (cluster::Replicator *replicator = replicatorSlot.load())
            replicator->notifyCommitted(committed);
    });
    cluster::Replicator replicator(journalPath, options, {}, [&](SequenceNumber acknowledged) {
        const Clock::time_point now = Clock::now();
        const std::lock_guard<std::mutex> lock(mutex);
        acknowledgements.emplace_back(acknowledged, now);
    });
    replicatorSlot.store(&replicator);

    const Clock::time_point start = Clock::now();
    for (std::size_t i = 0; i < recorded.events.size(); ++i) {
        writer.onEvent(recorded.events[i]);
        if (recorded.endsCommand[i])
            writer.onCommandEnd();
        // A paced run ends a batch each millisecond of events, as the server's loop ends one
        // per turn, and waits for the time of the next.
        if (rate > 0 && (i + 1) % std::max<std::uint64_t>(rate / 1000, 1) == 0) {
            writer.onBatchEnd();
            std::this_thread::sleep_until(
                start + std::chrono::nanoseconds((i + 1) * 1'000'000'000ULL / rate));
        }
    }
    if (std::optional<storage::JournalError> failed = writer.flush()) {
        error = failed->toString();
        return std::nullopt;
    }
    const SequenceNumber last = writer.committedSequence();
    if (!replicator.finish(last, std::chrono::seconds(120))) {
        error = "the stream acknowledged " + std::to_string(replicator.acknowledgedSequence()) +
                " of " + std::to_string(last) + " events within 120 s " + replicator.failure();
        return std::nullopt;
    }
    writer.close();

    RunResult result;
    const std::lock_guard<std::mutex> lock(mutex);
    const double seconds =
        std::chrono::duration<double>(acknowledgements.back().second - start).count();
    result.eventsPerSecond = static_cast<double>(last) / seconds;
    result.messages = replicator.counters().messagesPublished;
    std::size_t acknowledgement = 0;
    for (const auto &[sequence, time] : commits) {
        while (acknowledgement < acknowledgements.size() &&
               acknowledgements[acknowledgement].first < sequence)
            ++acknowledgement;
        if (acknowledgement == acknowledgements.size())
            break;
        result.lagMicroseconds.push_back(std::chrono::duration<double, std::micro>(
                                             acknowledgements[acknowledgement].second - time)
                                             .count());
    }
    return result;
}

// The nearest-rank percentile of sorted samples, `perTenThousand` of 10,000.
double percentile(const std::vector<double> &sorted, std::size_t perTenThousand)
{
    if (sorted.empty())
        return 0;
    const std::size_t rank =
        std::max<std::size_t>((sorted.size() * perTenThousand + 9999) / 10000, 1);
    return sorted[rank - 1];
}

std::optional<ReplicationBenchmarkOptions> parseOptions(const std::vector<std::string> &arguments,
                                                        std::string &error)
{
    ReplicationBenchmarkOptions options;
    const char *temporary = std::getenv("TMPDIR");
    options.directory = temporary && *temporary ? temporary : "/tmp";
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string &option = arguments[i];
        if (option == "--json") {
            options.json = true;
            continue;
        }
        if (option != "--events" && option != "--runs" && option != "--rate" &&
            option != "--nats" && option != "--dir" && option != "--failover-runs" &&
            option != "--lease-timeout-ms" && option != "--engine") {
            error = "unknown option '" + option + "'";
            return std::nullopt;
        }
        if (i + 1 == arguments.size()) {
            error = "missing value after " + option;
            return std::nullopt;
        }
        const std::string &value = arguments[++i];
        if (option == "--nats") {
            options.natsServers = value;
            continue;
        }
        if (option == "--dir") {
            options.directory = value;
            continue;
        }
        if (option == "--engine") {
            options.engine = value;
            continue;
        }
        std::uint64_t number = 0;
        const auto [stop, code] =
            std::from_chars(value.data(), value.data() + value.size(), number);
        const std::uint64_t low = option == "--events"             ? 10'000
                                  : option == "--failover-runs"    ? 0
                                  : option == "--lease-timeout-ms" ? 200
                                                                   : 1;
        const std::uint64_t high = option == "--lease-timeout-ms" ? 60'000 : 1'000'000'000;
        if (code != std::errc{} || stop != value.data() + value.size() || number < low ||
            number > high) {
            error = "invalid " + option + " '" + value + "': expected a whole number from " +
                    std::to_string(low) + " to " + std::to_string(high);
            return std::nullopt;
        }
        if (option == "--events")
            options.events = number;
        else if (option == "--failover-runs")
            options.failoverRuns = static_cast<int>(number);
        else if (option == "--lease-timeout-ms")
            options.leaseTimeoutMs = static_cast<std::uint32_t>(number);
        else if (option == "--rate")
            options.rate = number;
        else
            options.runs = static_cast<int>(number);
    }
    return options;
}

// The primary kills, summed or as their median.
struct FailoverSummary {
    std::vector<double> seconds;
    std::uint64_t sent = 0;
    std::uint64_t acknowledged = 0;
    std::uint64_t rejected = 0;
    std::uint64_t lost = 0;
    std::uint64_t duplicates = 0;

    double medianSeconds() const
    {
        std::vector<double> sorted = seconds;
        std::sort(sorted.begin(), sorted.end());
        return sorted.empty() ? 0 : sorted[sorted.size() / 2];
    }
};

bool runFailovers(const ReplicationBenchmarkOptions &options, const std::string &urls,
                  const std::filesystem::path &folder, FailoverSummary &summary, std::string &error)
{
    for (int run = 0; run < options.failoverRuns; ++run) {
        FailoverSettings settings;
        settings.engine = options.engine.empty() ? findEngineExecutable() : options.engine;
        settings.natsServers = urls;
        settings.folder = folder / ("failover" + std::to_string(run));
        settings.stream = "FAILOVER_" + std::to_string(::getpid()) + "_" + std::to_string(run);
        settings.leaseTimeoutMs = options.leaseTimeoutMs;
        const std::optional<FailoverResult> result = runFailover(settings, error);
        if (!result) {
            error = "failover run " + std::to_string(run + 1) + ": " + error;
            return false;
        }
        summary.seconds.push_back(result->failoverSeconds);
        summary.sent += result->sent;
        summary.acknowledged += result->acknowledged;
        summary.rejected += result->rejected;
        summary.lost += result->lost;
        summary.duplicates += result->duplicates;
    }
    return true;
}

// Ends the JSON object that the caller started.
void printFailoverJson(const ReplicationBenchmarkOptions &options, const FailoverSummary &summary)
{
    std::printf("\"failover_runs\":%d,\"lease_timeout_ms\":%u,\"failover_seconds\":%.3f,"
                "\"orders_acknowledged\":%llu,\"lost\":%llu,\"duplicates\":%llu}\n",
                options.failoverRuns, options.leaseTimeoutMs, summary.medianSeconds(),
                static_cast<unsigned long long>(summary.acknowledged),
                static_cast<unsigned long long>(summary.lost),
                static_cast<unsigned long long>(summary.duplicates));
}

void printFailover(const ReplicationBenchmarkOptions &options, const FailoverSummary &summary)
{
    if (options.failoverRuns == 0)
        return;
    std::printf("failover: %d primary kills, lease timeout %u ms; %s\n", options.failoverRuns,
                options.leaseTimeoutMs, kFailoverWorkload);
    std::printf("  failover time (median)        %.3f s, from the kill to the first order the "
                "standby acknowledged\n",
                summary.medianSeconds());
    std::string each;
    for (const double seconds : summary.seconds)
        each += (each.empty() ? "" : ", ") + std::to_string(seconds).substr(0, 5);
    std::printf("  failover time of each run     %s s\n", each.c_str());
    std::printf("  orders sent                   %llu: %llu accepted, %llu rejected\n",
                static_cast<unsigned long long>(summary.sent),
                static_cast<unsigned long long>(summary.acknowledged),
                static_cast<unsigned long long>(summary.rejected));
    std::printf("  lost / duplicated             %llu / %llu\n",
                static_cast<unsigned long long>(summary.lost),
                static_cast<unsigned long long>(summary.duplicates));
}

} // namespace

int runReplicationCommand(const std::vector<std::string> &arguments)
{
    if (std::find(arguments.begin(), arguments.end(), "--help") != arguments.end() ||
        std::find(arguments.begin(), arguments.end(), "-h") != arguments.end()) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    std::string error;
    const std::optional<ReplicationBenchmarkOptions> options = parseOptions(arguments, error);
    if (!options)
        return usageError(error);

    const std::filesystem::path folder = std::filesystem::path(options->directory) /
                                         ("bourse-bench-replication-" + std::to_string(::getpid()));
    std::filesystem::create_directories(folder);
    LocalCluster local;
    std::string urls = options->natsServers;
    if (urls.empty()) {
        if (!local.start(folder, error)) {
            std::fprintf(stderr, "bourse-bench replication: %s\n", error.c_str());
            return 1;
        }
        urls = local.urls();
    }

    const RecordedStream recorded = recordAgentMarket(options->events);
    std::vector<double> rates;
    std::vector<double> lags;
    std::uint64_t messages = 0;
    for (int run = 0; run < options->runs; ++run) {
        cluster::StreamSettings settings;
        settings.servers = cluster::splitServerList(urls);
        settings.stream = "BENCH_" + std::to_string(::getpid()) + "_" + std::to_string(run);
        const std::string journal = (folder / ("run" + std::to_string(run) + ".journal")).string();
        const std::optional<RunResult> result =
            runOnce(recorded, options->rate, journal, settings, error);
        if (!result) {
            std::fprintf(stderr, "bourse-bench replication: run %d: %s\n", run + 1, error.c_str());
            return 1;
        }
        rates.push_back(result->eventsPerSecond);
        lags.insert(lags.end(), result->lagMicroseconds.begin(), result->lagMicroseconds.end());
        messages += result->messages;
    }
    FailoverSummary failover;
    if (!runFailovers(*options, urls, folder, failover, error)) {
        std::fprintf(stderr, "bourse-bench replication: %s\n", error.c_str());
        return 1;
    }
    std::filesystem::remove_all(folder);

    std::sort(rates.begin(), rates.end());
    std::sort(lags.begin(), lags.end());
    const double median = rates[rates.size() / 2];
    const std::uint64_t events = recorded.events.size();
    const double p50 = percentile(lags, 5000) / 1000;
    const double p99 = percentile(lags, 9900) / 1000;
    const double p999 = percentile(lags, 9990) / 1000;
    if (options->json) {
        std::printf(
            "{\"benchmark\":\"replication\",\"events\":%llu,\"runs\":%d,\"replicas\":3,"
            "\"messages_per_run\":%llu,\"events_per_second\":%.0f,"
            "\"lag_commits\":%zu,\"lag_p50_ms\":%.3f,\"lag_p99_ms\":%.3f,"
            "\"lag_p999_ms\":%.3f,\"offered_events_per_second\":%llu,",
            static_cast<unsigned long long>(events), options->runs,
            static_cast<unsigned long long>(messages / static_cast<std::uint64_t>(options->runs)),
            median, lags.size(), p50, p99, p999, static_cast<unsigned long long>(options->rate));
        printFailoverJson(*options, failover);
        return 0;
    }
    std::printf("replication: %llu agent-market events a run, %d runs, 3 replicas, offered %s\n",
                static_cast<unsigned long long>(events), options->runs,
                options->rate > 0 ? (std::to_string(options->rate) + " events/s").c_str()
                                  : "as fast as the writer takes them");
    std::printf("  replicated events/s (median)  %.0f\n", median);
    std::printf(
        "  messages a run                %llu\n",
        static_cast<unsigned long long>(messages / static_cast<std::uint64_t>(options->runs)));
    std::printf("  lag, commit to stream ack     p50 %.3f ms  p99 %.3f ms  p99.9 %.3f ms "
                "(%zu commits)\n",
                p50, p99, p999, lags.size());
    printFailover(*options, failover);
    return 0;
}

} // namespace bourse::bench

#pragma once

// The standby of `bourse-engine serve` (docs/scale-out.md, "Standby and failover"): it follows a
// primary's replicated stream into a journal of its own and takes the primary's place once the
// primary's lease stops moving.

#include "authenticator.h"
#include "cluster_log.h"
#include "events.h"
#include "server_config.h"
#include "stream_chain.h"

#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bourse {
class Engine;
namespace cluster {
class Lease;
class NatsStream;
class StreamFollower;
} // namespace cluster
namespace storage {
class JournalWriter;
}
} // namespace bourse

namespace bourse::net {

// Opens the lease of the configuration's stream, retrying while NATS cannot be reached. Null
// once `stop` is set.
std::unique_ptr<cluster::Lease> openServerLease(const ServerConfig &config, const LogSink &log,
                                                const cluster::LogSink &clusterLog,
                                                const std::atomic<bool> &stop);

// Writes every event of the stream into its journal with the stream's sequence numbers, so that
// its chain hashes equal the primary's, and applies each to an engine of its own, which it
// snapshots into the journal every kSnapshotEvery events. So the state stays warm, and the
// server that recovers the journal after a takeover replays few events or none.
class Standby {
public:
    static constexpr std::uint64_t kSnapshotEvery = 100'000;

    Standby(ServerConfig config, LogSink log, cluster::LogSink clusterLog);
    ~Standby();

    Standby(const Standby &) = delete;
    Standby &operator=(const Standby &) = delete;

    // Follows the stream until this engine takes the lease over, or until `stop` is set. After
    // a takeover it reads the stream to its end, fences it under the lease's epoch or one above
    // the owner's when that is higher, reads it up to the fence, stores
    // a snapshot, closes the journal and returns the lease, held and renewing, for the Server
    // that then serves the journal, and claimed() returns the stream's position. Returns null
    // when stopped. Throws ServerError when the journal cannot be opened or written, when it is
    // not a copy of the stream (another chain hash at the same sequence number), or when another
    // engine fenced the stream first or the lease was lost during the takeover (Kind::Deposed).
    std::unique_ptr<cluster::Lease> run(const std::atomic<bool> &stop);

    // The stream's position after this engine's fence, once run() took over.
    const std::optional<cluster::ChainPosition> &claimed() const { return m_claimed; }

private:
    void openJournal();
    std::unique_ptr<cluster::Lease> takeOver(std::unique_ptr<cluster::Lease> lease,
                                             cluster::StreamFollower &follower,
                                             const std::atomic<bool> &stop);
    enum class Followed : std::uint8_t {
        Applied,    // a message's events are in the journal and the engine
        Idle,       // the stream has nothing new
        ReadFailed, // a request to the stream failed, and was logged
    };
    Followed followOnce(cluster::StreamFollower &follower,
                        std::uint64_t lastMessage = std::numeric_limits<std::uint64_t>::max());
    std::uint64_t publishFence(const cluster::WriterStamp &stamp, const cluster::Lease &lease,
                               const cluster::StreamFollower &follower,
                               const std::atomic<bool> &stop);
    void apply(const std::vector<Event> &events);
    void reportLag(const cluster::StreamFollower &follower);
    std::optional<cluster::ChainPosition> savedPosition();
    void savePosition(const std::optional<cluster::ChainPosition> &lastRun);
    void closeJournal();
    void log(LogLevel level, const std::string &line) const;

    ServerConfig m_config;
    LogSink m_log;
    cluster::LogSink m_clusterLog;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<storage::JournalWriter> m_writer;
    std::uint64_t m_lastHash = 0; // the journal's chain hash at its last event
    SequenceNumber m_lastSnapshot = 0;
    std::unique_ptr<cluster::NatsStream> m_stream;
    std::optional<cluster::ChainPosition> m_claimed;
    std::string
        m_readError; // the last read error logged, which is not logged again while it repeats
};

} // namespace bourse::net

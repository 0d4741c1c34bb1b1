#include "server_standby.h"

#include "engine_recovery.h"
#include "lease.h"
#include "server.h"
#include "stream_follower.h"
#include "stream_position.h"

#include <algorithm>
#include <filesystem>
#include <thread>

namespace bourse::net {

namespace {

using Kind = ServerError::Kind;

// While nothing new is in the stream, the follower reads again after this pause.
constexpr std::chrono::milliseconds kIdlePause{20};

// How often a standby behind the stream logs how far, because its lag lengthens a takeover.
constexpr std::chrono::seconds kLagReportInterval{5};

// The chain hash at the last event of a journal, read through every chunk, because the writer
// keeps it to itself. Throws ServerError on damage.
std::uint64_t lastChainHash(const std::string &path)
{
    storage::JournalReader::Opened opened = storage::JournalReader::open(path);
    if (!opened.reader)
        throw ServerError(Kind::Journal, opened.error->toString());
    while (opened.reader->next()) {
    }
    if (opened.reader->error())
        throw ServerError(Kind::Journal, opened.reader->error()->toString());
    return opened.reader->lastHash();
}

cluster::StreamSettings streamSettings(const ServerConfig &config)
{
    cluster::StreamSettings settings;
    settings.servers = config.replicateServers;
    settings.stream = config.replicateStream;
    settings.replicas = config.replicateReplicas;
    return settings;
}

} // namespace

Standby::Standby(ServerConfig config, LogSink log, cluster::LogSink clusterLog)
    : m_config(std::move(config))
    , m_log(std::move(log))
    , m_clusterLog(std::move(clusterLog))
{
}

Standby::~Standby() = default;

void Standby::log(LogLevel level, const std::string &line) const
{
    if (m_log)
        m_log(level, line);
}

std::unique_ptr<cluster::Lease> Standby::run(const std::atomic<bool> &stop)
{
    openJournal();
    cluster::NatsStream::Connected connected =
        cluster::NatsStream::connect(streamSettings(m_config), m_clusterLog);
    if (!connected.stream)
        throw ServerError(Kind::Configuration, connected.error);
    m_stream = std::move(connected.stream);
    std::unique_ptr<cluster::Lease> lease = openServerLease(m_config, m_log, m_clusterLog, stop);
    if (!lease)
        return nullptr;

    // A journal ahead of the stream has events that the stream lost, or that a deposed primary
    // journaled and never published, so it cannot serve the stream's market.
    cluster::StreamFollower follower(*m_stream, m_engine->lastSequence(), m_lastHash,
                                     cluster::StreamFollower::AheadOfStream::Fail, m_clusterLog,
                                     savedPosition());
    log(LogLevel::Info,
        "standby of the stream " + m_config.replicateStream + " as " + m_config.engineName +
            ": the journal " + m_config.journal + " continues after sequence " +
            std::to_string(m_engine->lastSequence()) + ", reading the stream from message " +
            std::to_string(follower.position().message + 1) +
            "; taking over once the lease stays unchanged for " +
            std::to_string(m_config.leaseTimeoutMs) + " ms");

    auto nextLeaseCheck = std::chrono::steady_clock::now();
    auto nextLagReport = nextLeaseCheck + kLagReportInterval;
    std::string reported;
    while (!stop.load()) {
        if (followOnce(follower) != Followed::Applied)
            std::this_thread::sleep_for(kIdlePause);
        if (std::chrono::steady_clock::now() >= nextLagReport) {
            reportLag(follower);
            savePosition(follower.lastRun());
            nextLagReport = std::chrono::steady_clock::now() + kLagReportInterval;
        }
        if (std::chrono::steady_clock::now() < nextLeaseCheck)
            continue;
        // A read of the key is cheap, and reading it more often than the holder renews makes the
        // takeover come closer to the lease timeout after the holder's last renewal.
        nextLeaseCheck = std::chrono::steady_clock::now() + lease->settings().timeout / 10;
        std::string error;
        const cluster::LeaseAttempt attempt = lease->tryAcquire(cluster::MissingLease::Wait, error);
        if (attempt == cluster::LeaseAttempt::Failed && error != reported)
            log(LogLevel::Warning, error + "; retrying");
        reported = error;
        if (attempt == cluster::LeaseAttempt::Held)
            return takeOver(std::move(lease), follower, stop);
    }
    closeJournal();
    savePosition(follower.lastRun());
    return nullptr;
}

// Fences the stream, reads it up to the fence into the journal and closes it, with the lease
// already held. A primary that was paused past its lease may still publish before the fence:
// what it published there counts, and this engine serves it too.
std::unique_ptr<cluster::Lease> Standby::takeOver(std::unique_ptr<cluster::Lease> lease,
                                                  cluster::StreamFollower &follower,
                                                  const std::atomic<bool> &stop)
{
    // Renewing starts first, because reading the rest of the stream may take a while.
    lease->startRenewing();
    // The stream up to its end comes first, so that the fence's epoch is above every fence in it
    // and a fence from elsewhere that the standby has not read yet cannot outrank it.
    for (Followed followed = Followed::Applied; followed != Followed::Idle && !stop.load();) {
        followed = followOnce(follower);
        if (followed == Followed::ReadFailed)
            std::this_thread::sleep_for(kIdlePause);
    }
    if (stop.load()) {
        closeJournal();
        return nullptr;
    }
    // Above the stream's owner as well as the lease's epoch, so that a fence of a high epoch from
    // elsewhere cannot keep every later lease holder out.
    if (follower.position().owner.epoch == std::numeric_limits<std::uint64_t>::max())
        throw ServerError(Kind::Deposed, cluster::highestEpochProblem(m_config.replicateStream));
    const cluster::WriterStamp stamp{
        std::max(lease->record().epoch, follower.position().owner.epoch + 1),
        cluster::drawWriterToken()};
    const std::uint64_t fence = publishFence(stamp, *lease, follower, stop);
    while (fence != 0 && follower.position().message < fence && !stop.load()) {
        if (followOnce(follower, fence) != Followed::Applied)
            std::this_thread::sleep_for(kIdlePause);
    }
    closeJournal();
    if (stop.load())
        return nullptr; // the lease lapses, and another standby may take it
    if (fence == 0) {
        throw ServerError(Kind::Deposed, "lost the lease of the stream " +
                                             m_config.replicateStream +
                                             " while publishing the fence of the takeover");
    }
    const cluster::ChainPosition &position = follower.position();
    if (position.owner != stamp) {
        throw ServerError(Kind::Deposed,
                          "the fence of " + cluster::describeStamp(stamp) + " at message " +
                              std::to_string(fence) + " of the stream " + m_config.replicateStream +
                              " does not count: " + cluster::describeStamp(position.owner) +
                              " fenced it first, at message " +
                              std::to_string(position.ownerFence));
    }
    m_claimed = position;
    savePosition(follower.lastRun());
    log(LogLevel::Info, "took over the stream " + m_config.replicateStream + " under epoch " +
                            std::to_string(lease->record().epoch) + " as " +
                            lease->record().holder + " at sequence " +
                            std::to_string(follower.lastSequence()) + " with the fence of " +
                            cluster::describeStamp(stamp) + " at message " + std::to_string(fence));
    return lease;
}

// Publishes the fence, retrying while NATS fails and the lease holds. Returns where the stream
// stored it, or 0 once stopped or the lease is lost.
std::uint64_t Standby::publishFence(const cluster::WriterStamp &stamp, const cluster::Lease &lease,
                                    const cluster::StreamFollower &follower,
                                    const std::atomic<bool> &stop)
{
    const std::vector<std::uint8_t> body =
        cluster::fenceBody(stamp, follower.position().last, follower.position().lastHash);
    std::string reported;
    while (!stop.load() && !lease.lost()) {
        // A lease that is not valid now, as while a renewal is late, publishes nothing.
        if (!lease.valid()) {
            std::this_thread::sleep_for(kIdlePause);
            continue;
        }
        std::string error;
        if (const std::optional<std::uint64_t> fence =
                m_stream->publishAndWait(body, cluster::fenceMessageId(stamp), error))
            return *fence;
        if (error != reported)
            log(LogLevel::Warning, error + "; retrying");
        reported = error;
        std::this_thread::sleep_for(kIdlePause);
    }
    return 0;
}

// The journal continues after its last event, which the stream must contain with the same chain
// hash; the follower checks that at its first message.
void Standby::openJournal()
{
    app::RecoveredEngine recovered = app::recoverEngine(m_config.journal);
    if (recovered.engine) {
        m_engine = std::move(recovered.engine);
        m_lastSnapshot = recovered.report.snapshotSequence;
        m_lastHash = lastChainHash(m_config.journal);
    } else if (recovered.error->kind == storage::JournalErrorKind::OpenFailed) {
        m_engine = std::make_unique<Engine>();
    } else {
        throw ServerError(Kind::Journal, recovered.error->toString());
    }
    storage::JournalWriter::Created created = storage::JournalWriter::create(m_config.journal);
    if (!created.writer)
        throw ServerError(Kind::Journal, created.error->toString());
    m_writer = std::move(created.writer);
}

// NATS may be unreachable when the server starts, so the bucket is opened with retries.
std::unique_ptr<cluster::Lease> openServerLease(const ServerConfig &config, const LogSink &log,
                                                const cluster::LogSink &clusterLog,
                                                const std::atomic<bool> &stop)
{
    cluster::LeaseSettings settings;
    settings.connection = streamSettings(config);
    settings.key = config.replicateStream;
    settings.holder = config.engineName;
    settings.timeout = std::chrono::milliseconds(config.leaseTimeoutMs);
    // A renewal must fail within the lease timeout, or a holder cut off from NATS would notice
    // its loss only after the request's own timeout.
    settings.connection.requestTimeout =
        std::max(settings.timeout / 4, std::chrono::milliseconds(100));
    settings.replicas = config.replicateReplicas;
    std::string reported;
    while (!stop.load()) {
        std::string error;
        if (std::unique_ptr<cluster::Lease> lease =
                cluster::Lease::open(settings, clusterLog, error))
            return lease;
        if (error != reported && log)
            log(LogLevel::Warning, error + "; retrying");
        reported = error;
        std::this_thread::sleep_for(settings.timeout / 4);
    }
    return nullptr;
}

// The position saved beside the journal, when it is within the journal's events; otherwise the
// follower reads the stream from its first message.
std::optional<cluster::ChainPosition> Standby::savedPosition()
{
    std::string note;
    std::optional<cluster::ChainPosition> saved =
        cluster::loadStreamPosition(cluster::streamPositionPath(m_config.journal), *m_stream, note);
    if (saved && saved->last > m_engine->lastSequence()) {
        note = "the saved position at sequence " + std::to_string(saved->last) +
               " is past the journal's end at " + std::to_string(m_engine->lastSequence());
        saved.reset();
    }
    if (!note.empty())
        log(LogLevel::Warning, note + "; reading the stream from its first message");
    return saved;
}

// Saves the position after the follower's last run that counted beside the journal, once the
// journal has committed up to it. A fence is never saved: it does not record where the chain
// ends.
void Standby::savePosition(const std::optional<cluster::ChainPosition> &lastRun)
{
    if (!lastRun)
        return;
    const cluster::ChainPosition &position = *lastRun;
    // A journal that failed to commit may end before the position.
    if (m_writer && m_writer->flush())
        return;
    if (std::optional<std::string> problem = cluster::saveStreamPosition(
            cluster::streamPositionPath(m_config.journal), m_config.replicateStream, position))
        log(LogLevel::Warning, *problem);
}

// Logs how many stream messages the standby has still to read, when there are any.
void Standby::reportLag(const cluster::StreamFollower &follower)
{
    std::string error;
    const std::optional<cluster::StreamState> state = m_stream->state(error);
    if (!state || state->lastMessage <= follower.position().message)
        return;
    log(LogLevel::Info, "standby of the stream " + m_config.replicateStream + ": " +
                            std::to_string(state->lastMessage - follower.position().message) +
                            " messages behind the stream's end, at sequence " +
                            std::to_string(follower.lastSequence()) +
                            "; a takeover now would first read them");
}

// Applies the stream's next message that counts, if there is one up to `lastMessage`.
Standby::Followed Standby::followOnce(cluster::StreamFollower &follower, std::uint64_t lastMessage)
{
    cluster::StreamFollower::Step step = follower.next(lastMessage);
    switch (step.status) {
    case cluster::StreamFollower::Status::Events:
        apply(step.events);
        m_readError.clear();
        return Followed::Applied;
    case cluster::StreamFollower::Status::NoMessage:
        return Followed::Idle;
    case cluster::StreamFollower::Status::Failed:
        throw ServerError(Kind::Journal,
                          "the journal " + m_config.journal + " is not a copy of the stream " +
                              m_config.replicateStream + ": " + step.error +
                              ". If the stream is right, rebuild the journal from it (remove it "
                              "and start the standby again); if the stream holds events that no "
                              "engine of this market wrote, it must be replaced "
                              "(docs/scale-out.md)");
    case cluster::StreamFollower::Status::ReadError:
        if (step.error != m_readError)
            log(LogLevel::Warning, step.error + "; retrying");
        m_readError = step.error;
        return Followed::ReadFailed;
    }
    return Followed::ReadFailed;
}

void Standby::apply(const std::vector<Event> &events)
{
    for (const Event &event : events) {
        const RestoreResult restored = m_engine->restore(event);
        if (restored != RestoreResult::Restored)
            throw ServerError(Kind::Journal,
                              "the stream " + m_config.replicateStream + "'s event " +
                                  std::to_string(event.sequence) +
                                  " cannot be applied: " + std::string(nameOf(restored)));
        m_writer->onEvent(event);
    }
    m_writer->onBatchEnd();
    if (m_engine->lastSequence() - m_lastSnapshot >= kSnapshotEvery) {
        m_writer->writeSnapshot(m_engine->lastSequence(), m_engine->stateHash(),
                                m_engine->snapshot());
        m_lastSnapshot = m_engine->lastSequence();
    }
    if (const std::optional<storage::JournalError> error = m_writer->error())
        throw ServerError(Kind::Journal, error->toString());
}

// A snapshot at the last event makes the server's recovery after a takeover load it and replay
// nothing.
void Standby::closeJournal()
{
    if (!m_writer)
        return;
    if (m_engine->lastSequence() != m_lastSnapshot && m_engine->lastSequence() != 0)
        m_writer->writeSnapshot(m_engine->lastSequence(), m_engine->stateHash(),
                                m_engine->snapshot());
    if (const std::optional<storage::JournalError> error = m_writer->close())
        throw ServerError(Kind::Journal, error->toString());
    m_writer.reset();
}

} // namespace bourse::net

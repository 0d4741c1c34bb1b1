#include "replicator.h"

#include "journal.h"
#include "replicated_batch.h"
#include "stream_position.h"

#include <algorithm>
#include <limits>

namespace bourse::cluster {

Replicator::Replicator(std::string journalPath, ReplicatorOptions options, LogSink log,
                       AcknowledgementListener onAcknowledged)
    : m_journalPath(std::move(journalPath))
    , m_options(std::move(options))
    , m_log(std::move(log))
    , m_onAcknowledged(std::move(onAcknowledged))
    , m_thread([this] { run(); })
{
}

Replicator::~Replicator()
{
    NatsStream *stream = nullptr;
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
        stream = m_stream.get();
    }
    // Closing the connection ends a request under way, which could otherwise hold the join for
    // its whole timeout, as after a lost lease with NATS unreachable. It runs without the lock,
    // because the client's callbacks that the close may wait for take it. The thread sets
    // m_stream only while it is null, and never resets it, so the pointer stays valid.
    if (stream != nullptr)
        stream->close();
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
    m_stream.reset();
}

void Replicator::notifyCommitted(SequenceNumber committed)
{
    {
        // The lock orders the store with the thread's check before it waits, so that no
        // notification is lost. Every holder releases it after a few statements.
        const std::lock_guard<std::mutex> lock(m_mutex);
        if (committed <= m_committed.load())
            return;
        m_committed.store(committed);
    }
    m_wake.notify_all();
}

bool Replicator::finish(SequenceNumber sequence, std::chrono::milliseconds timeout)
{
    notifyCommitted(sequence);
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_wake.wait_for(lock, timeout,
                        [&] { return m_acknowledged.load() >= sequence || !m_failure.empty(); });
        m_stop = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
    const bool complete = m_acknowledged.load() >= sequence;
    log(complete ? LogLevel::Info : LogLevel::Warning,
        "stopped replicating to the stream " + m_options.stream.stream + " at sequence " +
            std::to_string(m_acknowledged.load()) + " of " + std::to_string(sequence));
    return complete;
}

std::string Replicator::failure() const
{
    const std::lock_guard<std::mutex> lock(m_mutex);
    return m_failure;
}

ReplicatorCounters Replicator::counters() const
{
    const std::lock_guard<std::mutex> lock(m_mutex);
    return m_counters;
}

void Replicator::log(LogLevel level, const std::string &line) const
{
    if (m_log)
        m_log(level, line);
}

bool Replicator::stopping() const
{
    return m_stop.load();
}

// Logs a problem that the thread retries after, once until the problem changes or the stream is
// reached again, so that an outage of NATS gives one line and not two a second.
void Replicator::logRetry(const std::string &problem)
{
    if (problem == m_retryProblem)
        return;
    m_retryProblem = problem;
    log(LogLevel::Warning,
        problem + "; retrying every " + std::to_string(m_options.retryInterval.count()) + " ms");
}

void Replicator::markFailed(std::string reason)
{
    log(LogLevel::Warning, "replication stopped: " + reason);
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        m_failure = std::move(reason);
    }
    m_wake.notify_all();
}

void Replicator::run()
{
    m_stamp.token = drawWriterToken();
    while (!stopping()) {
        const bool ready =
            (m_stream || connect()) && (m_claimed.load() ? resynchronize() : claim());
        if (!ready) {
            if (!failure().empty())
                return;
            std::unique_lock<std::mutex> lock(m_mutex);
            m_wake.wait_for(lock, m_options.retryInterval, [&] { return m_stop.load(); });
            continue;
        }
        publishCommitted();
        savePosition(SaveWhen::Now);
        if (!failure().empty() || stopping())
            return;

        // A publication failed or landed out of place: the messages still in flight are settled
        // or forgotten before the stream shows where to continue.
        m_stream->waitForAcknowledgements(m_options.stream.requestTimeout);
        m_stream->dropPendingPublications();
    }
}

// TODO: the destructor cannot cut short a connect under way: natsConnection_Connect waits up to
// its timeout for each server, so a stop while every server is stalled waits for it.
bool Replicator::connect()
{
    NatsStream::Connected connected = NatsStream::connect(
        m_options.stream, m_log, [this](const PublishOutcome &outcome) { handleOutcome(outcome); });
    if (!connected.stream) {
        logRetry(connected.error);
        return false;
    }
    // Under the lock, because the destructor reads it from another thread.
    const std::lock_guard<std::mutex> lock(m_mutex);
    m_stream = std::move(connected.stream);
    return true;
}

// Reads the stream from the reader's position up to `lastMessage` (at most its last message).
Replicator::Read Replicator::readStream(ChainReader &reader, std::uint64_t lastMessage)
{
    std::string error;
    const std::optional<StreamState> state = m_stream->state(error);
    if (!state) {
        logRetry(error);
        return Read::Retry;
    }
    if (state->messages > 0 && state->firstMessage > reader.position().message + 1) {
        markFailed("the stream " + m_options.stream.stream + " starts at message " +
                   std::to_string(state->firstMessage) + ", after message " +
                   std::to_string(reader.position().message + 1) + " that this replicator " +
                   "needs: the messages before it were removed, and with them the fences that " +
                   "say which messages count");
        return Read::Failed;
    }
    const std::uint64_t end = std::min(lastMessage, state->lastMessage);
    while (reader.position().message < end && !stopping()) {
        const std::optional<StreamMessage> message =
            m_stream->message(reader.position().message + 1, error);
        if (!message) {
            logRetry(error);
            return Read::Retry;
        }
        ChainReader::Reading reading = reader.read(*message);
        if (reading.verdict == ChainReader::Verdict::Failed) {
            markFailed(reading.note);
            return Read::Failed;
        }
        if (reading.verdict == ChainReader::Verdict::Skipped) {
            log(LogLevel::Warning, reading.note);
            const std::lock_guard<std::mutex> lock(m_mutex);
            ++m_counters.skippedMessages;
        }
    }
    return stopping() ? Read::Retry : Read::Done;
}

// The chain in the stream must be a prefix of the journal: the same chain hash at its last event.
bool Replicator::checkJournal(const ChainPosition &position)
{
    storage::JournalReader::Opened opened = storage::JournalReader::open(m_journalPath);
    if (!opened.reader) {
        logRetry(opened.error->toString());
        return false;
    }
    const SequenceNumber journalEnd = opened.reader->recordedLastSequence();
    if (position.last > journalEnd) {
        markFailed("the stream " + m_options.stream.stream + " contains events up to sequence " +
                   std::to_string(position.last) + " but the journal " + m_journalPath +
                   " ends at " + std::to_string(journalEnd) +
                   ": the stream belongs to another journal, or the journal lost its tail");
        return false;
    }
    // The reader checks the hash at `last` once it reads the chunk that contains it.
    storage::JournalReader &reader = *opened.reader;
    if (position.last > 0 &&
        (!reader.startAfter(position.last, position.lastHash) || (reader.next(), reader.error()))) {
        const storage::JournalError &error = *reader.error();
        if (error.kind != storage::JournalErrorKind::ChainBroken) {
            markFailed(error.toString());
            return false;
        }
        markFailed("the journal " + m_journalPath + " and the stream " + m_options.stream.stream +
                   " have different chain hashes at sequence " + std::to_string(position.last) +
                   " (stream message " + std::to_string(position.message) +
                   "), so the stream belongs to another journal");
        return false;
    }
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        if (journalEnd > m_committed.load())
            m_committed.store(journalEnd);
    }
    return true;
}

// Reads the stream to its end, checks it against the journal, fences and reads on to the fence.
// The journal is checked before the fence, so that a replicator started on the wrong journal
// deposes no one.
bool Replicator::claim()
{
    if (std::optional<std::string> problem = m_stream->ensureStream()) {
        logRetry(*problem);
        return false;
    }
    if (m_options.claimed) {
        if (!checkJournal(*m_options.claimed))
            return false;
        m_stamp = m_options.claimed->owner;
        adopt(*m_options.claimed, std::nullopt);
        return true;
    }
    if (!m_claimReader) {
        std::string note;
        const std::optional<ChainPosition> saved =
            loadStreamPosition(streamPositionPath(m_journalPath), *m_stream, note);
        if (!note.empty())
            log(LogLevel::Warning, note + "; reading the stream from its first message");
        m_claimReader.emplace(m_options.stream.stream, saved.value_or(ChainPosition{}));
    }
    ChainReader &reader = *m_claimReader;
    m_claimStart = reader.position().message + 1;
    const auto started = std::chrono::steady_clock::now();
    if (readStream(reader, std::numeric_limits<std::uint64_t>::max()) != Read::Done ||
        !checkJournal(reader.position()))
        return false;

    // A fence of this run that counted, although its acknowledgement was lost.
    if (m_stamp.epoch != 0 && reader.position().owner == m_stamp)
        return finishClaim(reader, started);
    // A fence of this run that another writer's fence outranks: fencing again would take the
    // stream from a writer that may already serve.
    if (m_stamp.epoch != 0 && reader.position().owner.epoch >= m_stamp.epoch) {
        m_deposed.store(true);
        markFailed("the fence of " + describeStamp(m_stamp) + " of the stream " +
                   m_options.stream.stream +
                   " does not count: " + describeStamp(reader.position().owner) +
                   " fenced it at message " + std::to_string(reader.position().ownerFence));
        return false;
    }

    if (reader.position().owner.epoch == std::numeric_limits<std::uint64_t>::max()) {
        markFailed(highestEpochProblem(m_options.stream.stream));
        return false;
    }
    // Above the stream's owner as well as the lease's epoch, so that a fence of a high epoch
    // from elsewhere cannot keep every later lease holder out.
    m_stamp.epoch = std::max(m_options.epoch, reader.position().owner.epoch + 1);
    if (m_options.publicationAllowed && !m_options.publicationAllowed())
        return false;
    std::string error;
    const std::optional<std::uint64_t> fence = m_stream->publishAndWait(
        fenceBody(m_stamp, reader.position().last, reader.position().lastHash),
        fenceMessageId(m_stamp), error);
    if (!fence) {
        logRetry(error);
        return false;
    }
    if (readStream(reader, *fence) != Read::Done)
        return false;
    if (reader.position().owner != m_stamp) {
        m_deposed.store(true);
        markFailed("the fence of " + describeStamp(m_stamp) + " at message " +
                   std::to_string(*fence) + " of the stream " + m_options.stream.stream +
                   " does not count: " + describeStamp(reader.position().owner) +
                   " fenced it first, at message " + std::to_string(reader.position().ownerFence));
        return false;
    }
    return finishClaim(reader, started);
}

bool Replicator::finishClaim(ChainReader &reader, std::chrono::steady_clock::time_point started)
{
    if (!checkJournal(reader.position()))
        return false;
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    log(LogLevel::Info, "claimed the stream " + m_options.stream.stream + " under " +
                            describeStamp(m_stamp) + " with the fence at message " +
                            std::to_string(reader.position().ownerFence) +
                            ", reading it from message " + std::to_string(m_claimStart) + " in " +
                            std::to_string(elapsed.count()) + " ms");
    adopt(reader.position(), reader.lastRun());
    m_claimReader.reset();
    return true;
}

// Continues after `position`, where this run owns the stream. `lastRun`, the position right
// after the last run that counted, is the one the position file records.
void Replicator::adopt(const ChainPosition &position, const std::optional<ChainPosition> &lastRun)
{
    m_published = position.last;
    m_publishedHash = position.lastHash;
    SequenceNumber acknowledged = 0;
    {
        // Under the lock, which finish() waits with, and with a wake-up, so that a drain that
        // this read completes ends at once.
        const std::lock_guard<std::mutex> lock(m_mutex);
        m_inFlight.clear();
        m_resynchronize = false;
        m_verified = position;
        if (lastRun)
            m_lastRun = lastRun;
        if (position.last > m_acknowledged.load()) {
            m_acknowledged.store(position.last);
            acknowledged = position.last;
        }
    }
    m_wake.notify_all();
    m_claimed.store(true);
    m_retryProblem.clear();
    log(LogLevel::Info, "the stream " + m_options.stream.stream + " continues after sequence " +
                            std::to_string(position.last) + " (stream message " +
                            std::to_string(position.message) + ")");
    if (acknowledged != 0 && m_onAcknowledged)
        m_onAcknowledged(acknowledged);
}

// After a failed or misplaced publication: reads the stream from the last message that counted.
// This run's messages that count there are replicated; a fence of a higher epoch deposes it.
bool Replicator::resynchronize()
{
    ChainPosition verified;
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        ++m_counters.resynchronizations;
        verified = m_verified;
    }
    ChainReader reader(m_options.stream.stream, verified);
    if (readStream(reader, std::numeric_limits<std::uint64_t>::max()) != Read::Done)
        return false;
    if (reader.position().owner != m_stamp) {
        m_deposed.store(true);
        markFailed("deposed: " + describeStamp(reader.position().owner) + " fenced the stream " +
                   m_options.stream.stream + " at message " +
                   std::to_string(reader.position().ownerFence));
        return false;
    }
    // The chain may hold runs that carry this run's stamp without being its own, as a program
    // that copied the stamp could publish, so events count as acknowledged only when they are
    // the journal's.
    if (!checkJournal(reader.position()))
        return false;
    adopt(reader.position(), reader.lastRun());
    return true;
}

// Saves the position after the last run that counted beside the journal, so that the next start
// reads the stream from there. Due saves come at most once a second (kSaveInterval).
void Replicator::savePosition(SaveWhen when)
{
    const auto now = std::chrono::steady_clock::now();
    if (!m_claimed.load() || (when == SaveWhen::Due && now < m_nextSave))
        return;
    std::optional<ChainPosition> lastRun;
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        lastRun = m_lastRun;
    }
    // Only a run's position is saved: a fence does not record where the chain ends.
    if (!lastRun || lastRun->message == m_savedMessage)
        return;
    const ChainPosition &verified = *lastRun;
    constexpr std::chrono::seconds kSaveInterval{1};
    m_nextSave = now + kSaveInterval;
    const std::string path = streamPositionPath(m_journalPath);
    if (std::optional<std::string> problem =
            saveStreamPosition(path, m_options.stream.stream, verified)) {
        log(LogLevel::Warning, *problem + "; saving it again in a second");
        return;
    }
    m_savedMessage = verified.message;
}

void Replicator::waitForCommits()
{
    std::unique_lock<std::mutex> lock(m_mutex);
    m_wake.wait_for(lock, std::chrono::milliseconds(200), [&] {
        return m_committed.load() > m_published || m_stop.load() || m_resynchronize;
    });
}

// Publishes what the journal has committed after m_published, until a publication fails or the
// replicator stops.
void Replicator::publishCommitted()
{
    BatchBuilder builder(m_stamp);
    const auto resynchronizing = [&] {
        const std::lock_guard<std::mutex> lock(m_mutex);
        return m_resynchronize;
    };
    while (!stopping() && !resynchronizing()) {
        savePosition(SaveWhen::Due);
        if (m_committed.load() <= m_published) {
            waitForCommits();
            continue;
        }
        storage::JournalReader::Opened opened = storage::JournalReader::open(m_journalPath);
        if (!opened.reader) {
            markFailed(opened.error->toString());
            return;
        }
        storage::JournalReader &reader = *opened.reader;
        if (m_published > 0 && !reader.startAfter(m_published, m_publishedHash)) {
            markFailed(reader.error()->toString());
            return;
        }

        const SequenceNumber before = m_published;
        builder.start(m_published + 1, m_publishedHash);
        while (std::optional<Event> event = reader.next()) {
            builder.add(*event);
            if (builder.eventCount() < m_options.maximumEventsPerMessage &&
                builder.size() < m_options.maximumMessageBytes)
                continue;
            if (!publishBatch(builder))
                return;
            builder.start(m_published + 1, m_publishedHash);
        }
        if (const std::optional<storage::JournalError> &error = reader.error()) {
            markFailed(error->toString());
            return;
        }
        if (builder.eventCount() > 0 && !publishBatch(builder))
            return;
        // Nothing new although a commit was announced, as when finish() names a sequence the
        // journal lacks: a short pause, so that the thread does not spin on reopening the file.
        if (m_published == before) {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_wake.wait_for(lock, std::chrono::milliseconds(5),
                            [&] { return m_stop.load() || m_resynchronize; });
        }
    }
}

// Waits for room among the messages in flight and for the publication gate. Returns false when
// the replicator stops or must resynchronize first.
bool Replicator::waitForPublication()
{
    std::unique_lock<std::mutex> lock(m_mutex);
    m_wake.wait(lock, [&] {
        return m_inFlight.size() < m_options.maximumMessagesInFlight || m_stop.load() ||
               m_resynchronize;
    });
    // The gate changes on another thread without waking this one, so it is polled.
    constexpr std::chrono::milliseconds kGatePoll{5};
    while (m_options.publicationAllowed && !m_options.publicationAllowed() && !m_stop.load() &&
           !m_resynchronize)
        m_wake.wait_for(lock, kGatePoll);
    return !m_stop.load() && !m_resynchronize;
}

bool Replicator::publishBatch(BatchBuilder &builder)
{
    if (!waitForPublication())
        return false;
    std::uint64_t attempt = 0;
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        attempt = m_counters.resynchronizations;
        m_inFlight.push_back({builder.firstSequence(), builder.lastSequence(), builder.lastHash(),
                              0, attempt, false});
        ++m_counters.messagesPublished;
    }

    const std::string id =
        batchMessageId(builder.firstSequence(), builder.lastSequence(), m_stamp, attempt);
    if (std::optional<std::string> problem = m_stream->publish(builder.body(), id)) {
        log(LogLevel::Warning, *problem + "; resynchronizing");
        const std::lock_guard<std::mutex> lock(m_mutex);
        m_resynchronize = true;
        return false;
    }
    m_published = builder.lastSequence();
    m_publishedHash = builder.lastHash();
    return true;
}

void Replicator::handleOutcome(const PublishOutcome &outcome)
{
    BatchHeader header;
    if (readBatchHeader(outcome.header, header))
        return;
    SequenceNumber acknowledged = 0;
    std::string problem;
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        if (!outcome.stored) {
            ++m_counters.failedPublications;
            const auto sent =
                std::find_if(m_inFlight.begin(), m_inFlight.end(), [&](const InFlight &entry) {
                    return entry.first == header.first && entry.last == header.last();
                });
            const std::uint64_t attempt = sent != m_inFlight.end() ? sent->attempt : 0;
            if (!m_resynchronize)
                problem = "did not store " +
                          batchMessageId(header.first, header.last(), m_stamp, attempt) + ": " +
                          outcome.error;
            m_resynchronize = true;
        } else {
            ++m_counters.messagesAcknowledged;
            if (outcome.duplicate)
                ++m_counters.duplicatesAcknowledged;
            const auto found =
                std::find_if(m_inFlight.begin(), m_inFlight.end(), [&](const InFlight &entry) {
                    return entry.first == header.first && entry.last == header.last();
                });
            if (found != m_inFlight.end()) {
                found->done = true;
                found->streamSequence = outcome.streamSequence;
            }
            // A message counts for certain only directly after the last one that counted;
            // anywhere else, another writer's message came between, and the stream is read.
            while (!m_inFlight.empty() && m_inFlight.front().done && !m_resynchronize) {
                const InFlight &front = m_inFlight.front();
                if (front.streamSequence != m_verified.message + 1) {
                    problem = "stored " + std::to_string(front.first) + "-" +
                              std::to_string(front.last) + " at message " +
                              std::to_string(front.streamSequence) + ", not directly after " +
                              "message " + std::to_string(m_verified.message);
                    m_resynchronize = true;
                    break;
                }
                acknowledged = front.last;
                m_verified.last = front.last;
                m_verified.lastHash = front.lastHash;
                m_verified.message = front.streamSequence;
                m_lastRun = m_verified;
                m_counters.eventsAcknowledged += acknowledged - front.first + 1;
                m_inFlight.pop_front();
            }
            if (acknowledged > m_acknowledged.load())
                m_acknowledged.store(acknowledged);
            else
                acknowledged = 0;
        }
    }
    m_wake.notify_all();
    // Logged outside the lock, which notifyCommitted() takes on the journal writer's thread.
    if (!problem.empty()) {
        log(LogLevel::Warning,
            "the stream " + m_options.stream.stream + " " + problem + "; reading it back");
    }
    if (acknowledged != 0 && m_onAcknowledged)
        m_onAcknowledged(acknowledged);
}

} // namespace bourse::cluster

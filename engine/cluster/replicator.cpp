#include "replicator.h"

#include "journal.h"
#include "replicated_batch.h"

#include <algorithm>

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
    while (!stopping()) {
        if (!m_stream && !connect()) {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_wake.wait_for(lock, m_options.retryInterval, [&] { return m_stop.load(); });
            continue;
        }
        if (!resynchronize()) {
            if (!failure().empty())
                return;
            std::unique_lock<std::mutex> lock(m_mutex);
            m_wake.wait_for(lock, m_options.retryInterval, [&] { return m_stop.load(); });
            continue;
        }
        publishCommitted();
        if (!failure().empty() || stopping())
            return;

        // A publication failed: the messages still in flight are settled or forgotten before
        // the stream's last message shows where to continue.
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

// Reads the stream's last message and continues the journal after its last event. The stream is
// the authority on what it contains: a message stored after a timed-out acknowledgement is
// found here and not sent again.
bool Replicator::resynchronize()
{
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        ++m_counters.resynchronizations;
    }
    if (std::optional<std::string> problem = m_stream->ensureStream()) {
        logRetry(*problem);
        return false;
    }
    std::string error;
    bool empty = false;
    const std::optional<StreamMessage> last = m_stream->lastMessage(error, empty);
    if (!last && !empty) {
        logRetry(error);
        return false;
    }

    if (last && !checkMessagesAfterVerified(last->streamSequence))
        return false;

    SequenceNumber lastSequence = 0;
    std::uint64_t lastHash = 0;
    std::uint64_t streamLast = 0;
    if (last) {
        const DecodedBatch batch =
            decodeBatch(last->body, "stream " + m_options.stream.stream + " message " +
                                        std::to_string(last->streamSequence));
        if (!batch.error.empty()) {
            markFailed("the stream's last message is not a valid journal batch: " + batch.error);
            return false;
        }
        lastSequence = batch.header.last();
        lastHash = batch.lastHash();
        streamLast = last->streamSequence;
    }

    storage::JournalReader::Opened opened = storage::JournalReader::open(m_journalPath);
    if (!opened.reader) {
        logRetry(opened.error->toString());
        return false;
    }
    const SequenceNumber journalEnd = opened.reader->recordedLastSequence();
    if (lastSequence > journalEnd) {
        markFailed("the stream " + m_options.stream.stream + " contains events up to sequence " +
                   std::to_string(lastSequence) + " but the journal " + m_journalPath +
                   " ends at " + std::to_string(journalEnd) +
                   ": the stream belongs to another journal, or the journal lost its tail");
        return false;
    }

    m_published = lastSequence;
    m_publishedHash = lastHash;
    m_streamLast = streamLast;
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        m_inFlight.clear();
        m_resynchronize = false;
        m_verified = VerifiedMessage{streamLast, lastSequence, lastHash};
        if (journalEnd > m_committed.load())
            m_committed.store(journalEnd);
    }
    m_acknowledged.store(std::max(m_acknowledged.load(), lastSequence));
    m_retryProblem.clear();
    log(LogLevel::Info, "the stream " + m_options.stream.stream + " continues after sequence " +
                            std::to_string(lastSequence) + " (stream message " +
                            std::to_string(streamLast) + ")");
    return true;
}

// Reads every stream message after the last verified one up to `streamLast`, and stops the
// replicator when one does not continue the run and the chain hash before it. The expected-last
// header alone cannot catch another writer: its message can take the stream sequence that a
// message in flight expected, so that message is stored after it. Returns false after a failure
// or a read error, which resynchronize() retries.
bool Replicator::checkMessagesAfterVerified(std::uint64_t streamLast)
{
    std::optional<VerifiedMessage> verified;
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        verified = m_verified;
    }
    if (!verified)
        return true;

    const std::string &stream = m_options.stream.stream;
    for (std::uint64_t index = verified->streamSequence + 1; index <= streamLast; ++index) {
        std::string error;
        const std::optional<StreamMessage> message = m_stream->message(index, error);
        if (!message) {
            logRetry(error);
            return false;
        }
        const std::string where = "stream " + stream + " message " + std::to_string(index);
        const DecodedBatch batch = decodeBatch(message->body, where);
        std::string problem = batch.error;
        if (problem.empty() && batch.header.first != verified->last + 1) {
            problem = where + " starts at sequence " + std::to_string(batch.header.first) +
                      ", expected " + std::to_string(verified->last + 1);
        } else if (problem.empty() && batch.header.previousHash != verified->lastHash) {
            problem = where + " does not continue the chain hash at sequence " +
                      std::to_string(verified->last);
        }
        if (!problem.empty()) {
            markFailed("another writer published to the stream " + stream + ", which is no " +
                       "longer a clean copy of the journal " + m_journalPath + ": " + problem);
            return false;
        }
        verified = VerifiedMessage{index, batch.header.last(), batch.lastHash()};
    }
    return true;
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
    BatchBuilder builder;
    const auto resynchronizing = [&] {
        const std::lock_guard<std::mutex> lock(m_mutex);
        return m_resynchronize;
    };
    while (!stopping() && !resynchronizing()) {
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
            std::string message = error->toString();
            if (error->kind == storage::JournalErrorKind::ChainBroken &&
                error->sequence == m_published) {
                message = "the journal's chain hash at sequence " + std::to_string(m_published) +
                          " differs from the stream " + m_options.stream.stream +
                          "'s, so the stream belongs to another journal: " + message;
            }
            markFailed(message);
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

bool Replicator::publishBatch(BatchBuilder &builder)
{
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
        if (m_stop.load() || m_resynchronize)
            return false;
        m_inFlight.push_back(
            {builder.firstSequence(), builder.lastSequence(), builder.lastHash(), 0, false});
        ++m_counters.messagesPublished;
    }

    const std::string id = batchMessageId(builder.firstSequence(), builder.lastSequence());
    if (std::optional<std::string> problem = m_stream->publish(builder.body(), id, m_streamLast)) {
        log(LogLevel::Warning, *problem + "; resynchronizing");
        const std::lock_guard<std::mutex> lock(m_mutex);
        m_resynchronize = true;
        return false;
    }
    m_published = builder.lastSequence();
    m_publishedHash = builder.lastHash();
    ++m_streamLast;
    return true;
}

void Replicator::handleOutcome(const PublishOutcome &outcome)
{
    BatchHeader header;
    if (readBatchHeader(outcome.header, header))
        return;
    SequenceNumber acknowledged = 0;
    bool firstFailure = false;
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        if (!outcome.stored) {
            ++m_counters.failedPublications;
            firstFailure = !m_resynchronize;
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
            while (!m_inFlight.empty() && m_inFlight.front().done) {
                const InFlight &front = m_inFlight.front();
                acknowledged = front.last;
                m_verified = VerifiedMessage{front.streamSequence, front.last, front.lastHash};
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
    if (firstFailure) {
        log(LogLevel::Warning, "the stream " + m_options.stream.stream + " did not store " +
                                   batchMessageId(header.first, header.last()) + ": " +
                                   outcome.error + "; resynchronizing");
    }
    if (acknowledged != 0 && m_onAcknowledged)
        m_onAcknowledged(acknowledged);
}

} // namespace bourse::cluster

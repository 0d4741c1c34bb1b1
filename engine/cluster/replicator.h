#pragma once

#include "cluster_log.h"
#include "events.h"
#include "nats_stream.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace bourse::cluster {

class BatchBuilder;

struct ReplicatorOptions {
    StreamSettings stream;
    // A message closes at this many events or bytes, whichever comes first. NATS limits a
    // message to 1 MiB by default (max_payload).
    std::size_t maximumEventsPerMessage = 8192;
    std::size_t maximumMessageBytes = 512 * 1024;
    // Messages published and not yet acknowledged. At this many the replicator waits for an
    // acknowledgement before it reads on, so its memory stays bounded.
    std::size_t maximumMessagesInFlight = 64;
    // Wait between attempts to reach the stream after a failure.
    std::chrono::milliseconds retryInterval{500};
    // Asked before each publication, on the replicator's thread; while it returns false the
    // replicator waits. A primary passes its lease's validity, so that a primary whose lease may
    // have passed to a standby publishes nothing more. Empty: always allowed.
    std::function<bool()> publicationAllowed;
};

// Counts since the replicator started. Read them with Replicator::counters() from any thread.
struct ReplicatorCounters {
    std::uint64_t messagesPublished = 0;
    std::uint64_t messagesAcknowledged = 0;
    std::uint64_t duplicatesAcknowledged = 0; // resends that the stream had already
    std::uint64_t eventsAcknowledged = 0;
    std::uint64_t failedPublications = 0; // rejected or timed out, then resynchronized
    std::uint64_t resynchronizations = 0; // reads of the stream's last message
};

// Called on a thread of the NATS client each time the acknowledged sequence moves, with its
// new value. It must be quick.
using AcknowledgementListener = std::function<void(SequenceNumber acknowledged)>;

// Publishes the committed events of a journal to a JetStream stream, on a thread of its own.
//
// The thread reads the journal file with a JournalReader, so it never holds up the engine
// thread or the journal writer: notifyCommitted(), which the journal's commit listener calls,
// only stores a number and wakes the thread. Memory stays bounded by the messages in flight,
// and after an outage of NATS the thread catches up from the file by itself.
//
// Each message carries a run of consecutive events (replicated_batch.h) with the message id
// "FIRST-LAST", and expects the stream's last message to be the one the replicator stored
// before it. So a resend of a run is dropped as a duplicate, and a second writer to the same
// stream makes this one's next publication fail instead of interleaving. On start the replicator
// reads the stream's last message and continues the journal after the last event it contains,
// once the journal's chain hash there matches the message's. After a failed publication it reads
// every message after the last one acknowledged in order, because a foreign message can take the
// stream sequence that one of its own messages in flight expected, and then that message is
// stored behind it. Each of those messages must continue the run and the chain hash before it.
// A stream that contains a message that does not, events the journal lacks, or another chain
// hash is no longer a clean copy of the journal: the replicator then stops and reports it
// through failure().
class Replicator {
public:
    // Starts the thread, which connects and creates the stream when it is missing. The
    // journal at `journalPath` must exist, as after JournalWriter::create.
    Replicator(std::string journalPath, ReplicatorOptions options, LogSink log,
               AcknowledgementListener onAcknowledged = {});
    // Stops at once: closes the connection, which ends a request under way, and waits for no
    // acknowledgement. Call finish() first to drain.
    ~Replicator();

    Replicator(const Replicator &) = delete;
    Replicator &operator=(const Replicator &) = delete;

    // Any thread, typically the journal's CommitListener: the journal is committed up to
    // `committed`. It takes a lock that the other threads hold for a few statements, and never
    // waits for NATS or the file.
    void notifyCommitted(SequenceNumber committed);

    // Waits until the stream has acknowledged every event up to `sequence`, or until `timeout`,
    // then stops the thread. Returns true when everything was acknowledged.
    bool finish(SequenceNumber sequence, std::chrono::milliseconds timeout);

    // The last event the stream acknowledged, with every event before it. A later step may
    // acknowledge an order only once this passes its events. Any thread.
    // NOTE: it never decreases, even when the stream later turns out to have lost acknowledged
    // messages, as after a power cut of two nodes (docs/scale-out.md). The replicator then
    // publishes them again, but this value does not show the gap.
    SequenceNumber acknowledgedSequence() const { return m_acknowledged.load(); }

    // Returns why the replicator stopped for good, such as a stream that belongs to another
    // journal or a damaged journal. Empty while it works or retries. Any thread may call it.
    std::string failure() const;

    ReplicatorCounters counters() const;

private:
    struct InFlight {
        SequenceNumber first = 0;
        SequenceNumber last = 0;
        std::uint64_t lastHash = 0;
        std::uint64_t streamSequence = 0; // where the stream stored it, once done
        bool done = false;
    };
    // A stream message that the replicator has checked to continue the journal.
    struct VerifiedMessage {
        std::uint64_t streamSequence = 0;
        SequenceNumber last = 0;
        std::uint64_t lastHash = 0;
    };

    void run();
    bool connect();
    bool resynchronize();
    bool checkMessagesAfterVerified(std::uint64_t streamLast);
    void publishCommitted();
    bool publishBatch(BatchBuilder &builder);
    void waitForCommits();
    void handleOutcome(const PublishOutcome &outcome);
    void markFailed(std::string reason);
    void logRetry(const std::string &problem);
    void log(LogLevel level, const std::string &line) const;
    bool stopping() const;

    const std::string m_journalPath;
    const ReplicatorOptions m_options;
    LogSink m_log;
    AcknowledgementListener m_onAcknowledged;

    std::unique_ptr<NatsStream> m_stream;
    std::atomic<SequenceNumber> m_committed{0};
    std::atomic<SequenceNumber> m_acknowledged{0};
    std::atomic<bool> m_stop{false};
    std::atomic<SequenceNumber> m_drainTarget{0};

    // The replicator thread's position: the last event published, the chain hash there, and the
    // stream sequence number its message is expected to take.
    SequenceNumber m_published = 0;
    std::uint64_t m_publishedHash = 0;
    std::uint64_t m_streamLast = 0;
    std::string m_retryProblem; // the last problem logRetry() logged, until the stream is reached

    mutable std::mutex m_mutex; // guards what follows, shared with the client's threads
    std::condition_variable m_wake;
    std::deque<InFlight> m_inFlight;
    // The last stream message read back or acknowledged in order; 0 before the first
    // resynchronization. Messages after it are checked before the replicator continues.
    std::optional<VerifiedMessage> m_verified;
    bool m_resynchronize = false;
    std::string m_failure;
    ReplicatorCounters m_counters;

    std::thread m_thread; // last, so that it starts after every member is ready
};

} // namespace bourse::cluster

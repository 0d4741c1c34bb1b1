#pragma once

#include "cluster_log.h"
#include "events.h"
#include "nats_stream.h"
#include "stream_chain.h"

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
    // The lowest epoch of the replicator's fence: the lease's, or 0 without a lease. The fence
    // takes one above the epoch of the stream's owner when that is higher.
    std::uint64_t epoch = 0;
    // The position after the fence of a writer that already fenced the stream, as a standby
    // that took over did. It names the writer as the owner. Empty: the replicator fences.
    std::optional<ChainPosition> claimed;
};

// Counts since the replicator started. Read them with Replicator::counters() from any thread.
struct ReplicatorCounters {
    std::uint64_t messagesPublished = 0;
    std::uint64_t messagesAcknowledged = 0;
    std::uint64_t duplicatesAcknowledged = 0; // resends that the stream had already
    std::uint64_t eventsAcknowledged = 0;
    std::uint64_t failedPublications = 0; // rejected or timed out, then resynchronized
    std::uint64_t resynchronizations = 0; // reads of the stream after a failed publication
    std::uint64_t skippedMessages = 0;    // messages read back that do not count, as another's
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
// First the replicator claims the stream (stream_chain.h): it reads the stream to its end,
// checks that the chain there is its journal's (the same chain hash at the same event), publishes
// a fence under its epoch and a token of its own, reads on to the fence, and continues only when
// its fence counts. It then publishes runs of consecutive events (replicated_batch.h) under its
// stamp, each with the message id "FIRST-LAST" and its stamp and attempt, so that a resend is
// dropped as a duplicate.
//
// An event counts as replicated once the stream stored its message directly after the last
// message that counted, because nothing else can then come between. When a message lands
// elsewhere, or a publication fails, the replicator reads the stream from the last message that
// counted and applies the reading rule: its own messages that count are replicated, others are
// skipped, and a fence of a higher epoch deposes it, which it reports through failure(). A stream
// whose chain differs from the journal is no longer a copy of it, and stops it the same way.
class Replicator {
public:
    // Starts the thread, which connects, creates the stream when it is missing and claims it. The
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
    // journal, a fence of another writer, or a damaged journal. Empty while it works or retries.
    // Any thread may call it.
    std::string failure() const;

    // Whether the replicator's fence counts in the stream, so that what it publishes will. Any
    // thread.
    bool claimed() const { return m_claimed.load(); }
    // Whether it stopped because another writer's fence counts instead of its own. Any thread.
    bool deposed() const { return m_deposed.load(); }

    ReplicatorCounters counters() const;

private:
    struct InFlight {
        SequenceNumber first = 0;
        SequenceNumber last = 0;
        std::uint64_t lastHash = 0;
        std::uint64_t streamSequence = 0; // where the stream stored it, once done
        std::uint64_t attempt = 0;        // in its message id
        bool done = false;
    };
    enum class Read : std::uint8_t { Done, Retry, Failed };
    enum class SaveWhen : std::uint8_t { Due, Now };

    void run();
    bool connect();
    bool claim();
    bool finishClaim(ChainReader &reader, std::chrono::steady_clock::time_point started);
    bool resynchronize();
    Read readStream(ChainReader &reader, std::uint64_t lastMessage);
    bool checkJournal(const ChainPosition &position);
    void adopt(const ChainPosition &position, const std::optional<ChainPosition> &lastRun);
    void publishCommitted();
    bool publishBatch(BatchBuilder &builder);
    bool waitForPublication();
    void waitForCommits();
    void savePosition(SaveWhen when);
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

    // The replicator thread's position: the last event published and the chain hash there.
    SequenceNumber m_published = 0;
    std::uint64_t m_publishedHash = 0;
    std::string m_retryProblem; // the last problem logRetry() logged, until the stream is reached
    // The stamp of this run's messages; its epoch is set when the replicator fences.
    WriterStamp m_stamp;
    // The reader of the stream before the fence, kept across retries so that a retry goes on
    // where the last attempt stopped.
    std::optional<ChainReader> m_claimReader;
    std::uint64_t m_claimStart = 0; // the first message that the claim read, for its log line
    std::atomic<bool> m_claimed{false};
    // The stream message of the position saved last, and when the next save is due.
    std::uint64_t m_savedMessage = 0;
    std::chrono::steady_clock::time_point m_nextSave;
    std::atomic<bool> m_deposed{false};

    mutable std::mutex m_mutex; // guards what follows, shared with the client's threads
    std::condition_variable m_wake;
    std::deque<InFlight> m_inFlight;
    // The reading rule's position after the last message read back or acknowledged in order,
    // which may be a skipped one. This run's next message counts for certain right after it.
    ChainPosition m_verified;
    // The position right after the last run that counted, which the position file records.
    std::optional<ChainPosition> m_lastRun;
    bool m_resynchronize = false;
    std::string m_failure;
    ReplicatorCounters m_counters;

    std::thread m_thread; // last, so that it starts after every member is ready
};

} // namespace bourse::cluster

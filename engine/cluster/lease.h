#pragma once

// The lease that makes one engine the primary of a replicated journal: a key in a NATS JetStream
// key-value bucket, one key per stream, whose value names the epoch and the holder.

#include "cluster_log.h"
#include "nats_stream.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace bourse::cluster {

struct LeaseSettings {
    StreamSettings connection; // the NATS servers and the request timeout; `stream` is unused
    std::string bucket = "BOURSE_LEASES";
    std::string key;    // the replicated stream's name
    std::string holder; // this engine's name
    // A holder renews every timeout / 4. A contender takes the lease once its revision has not
    // moved for the timeout, as measured on the contender's own monotonic clock.
    std::chrono::milliseconds timeout{2000};
    int replicas = 3; // of the bucket, as the stream's
};

// The value of the lease key: "EPOCH HOLDER TOKEN", and the key's revision in the bucket. The
// token, in hexadecimal, is drawn at random for each run of an engine.
struct LeaseRecord {
    std::uint64_t epoch = 0;
    std::string holder;
    std::uint64_t token = 0;
    std::uint64_t revision = 0;
};

// The cause of a lost lease.
enum class LeaseLoss : std::uint8_t {
    TakenOver,  // another engine wrote the key, with a newer epoch
    NotRenewed, // no renewal succeeded for the lease timeout, as when NATS is unreachable
};

enum class LeaseAttempt : std::uint8_t {
    Held,    // this engine now holds the lease
    Waiting, // another holder renews it, or it moved too recently
    Failed,  // a request to NATS failed; the error names it
};

// Whether a contender may create the key when it is missing. A primary may; a standby never
// does, because it must not become primary before the primary it follows ever held the lease.
enum class MissingLease : std::uint8_t { Create, Wait };

// Takes and renews the lease. Taking writes epoch + 1 with a compare-and-set on the revision the
// contender saw (kvStore_Update), and reads the key again a tenth of the timeout later: only a
// contender that still finds its own write there holds the lease. The read is needed because
// nats-server 2.9.10 with three replicas let two compare-and-sets on one revision both succeed,
// and the later write is the one that stays (tests/cluster/tst_lease.cpp). The holder renews with a
// compare-and-set on its own last revision, so a renewal after another engine took over fails.
//
// The lease only tells which engine is alive to serve. Which engine's events count is decided in
// the stream by fences (stream_chain.h), so two engines that both believe they hold the lease
// still cannot both serve. When a renewal finds another write under the same epoch, the holder
// keeps the lease only if its fence counts in the stream (setOwnsStream()).
//
// The holder counts itself valid until half the lease timeout after the start of its last
// successful renewal. A contender waits the whole timeout after it first saw that renewal's
// revision, which is later, so a holder stops being valid before anyone can take over, as long
// as both clocks run at the same rate.
class Lease {
public:
    using LossHandler = std::function<void(LeaseLoss loss, const LeaseRecord &current)>;

    // Connects and opens the bucket, creating it when it is missing. Null with `error` set when
    // the bucket cannot be opened or created.
    static std::unique_ptr<Lease> open(const LeaseSettings &settings, LogSink log,
                                       std::string &error);
    // Stops renewing. The key keeps its last value, which a contender takes after the timeout.
    ~Lease();

    Lease(const Lease &) = delete;
    Lease &operator=(const Lease &) = delete;

    // One step of contending, for a loop that does other work in between: reads the key, and
    // writes it when the lease is free for this engine. Call it about every renewInterval().
    LeaseAttempt tryAcquire(MissingLease missing, std::string &error);

    // Contends until this engine has the lease or `stop` is set. Returns whether it has the lease.
    bool acquire(MissingLease missing, const std::atomic<bool> &stop);

    // Starts the renewal thread. When the lease is lost, loss() returns why, `onLost` (if any)
    // runs once on that thread, and the thread ends. Call it once, after the lease is held.
    void startRenewing(LossHandler onLost = {});

    // The cause of the loss and the key's record then (the new holder after a takeover), or
    // nothing while the lease is held. Any thread.
    struct Lost {
        LeaseLoss loss = LeaseLoss::TakenOver;
        LeaseRecord current;
    };
    std::optional<Lost> lost() const;

    // Whether this engine may act as the primary now: it holds the lease and its last renewal
    // started less than half the timeout ago. Any thread.
    bool valid() const;

    // Whether this engine's fence counts in the stream, which settles a tie under one epoch.
    // Any thread.
    void setOwnsStream(bool owns) { m_ownsStream.store(owns); }

    // The record this engine wrote last, or the holder seen last while contending.
    LeaseRecord record() const;
    std::chrono::milliseconds renewInterval() const { return m_settings.timeout / 4; }
    const LeaseSettings &settings() const { return m_settings; }

    // The handle of the NATS client, public only so that lease.cpp's helpers can reach it.
    struct Bucket;

private:
    using Clock = std::chrono::steady_clock;

    Lease(LeaseSettings settings, LogSink log, std::unique_ptr<NatsStream> connection,
          std::unique_ptr<Bucket> bucket);
    void renew(const LossHandler &onLost);
    bool renewOnce(std::optional<LeaseLoss> &loss, LeaseRecord &current);
    std::uint64_t revisionOfOwnWrite(const LeaseRecord &written) const;
    bool confirmWrite(const LeaseRecord &written);
    void log(LogLevel level, const std::string &line) const;

    const LeaseSettings m_settings;
    const std::uint64_t m_token; // this run's, in every record it writes
    LogSink m_log;
    std::unique_ptr<NatsStream> m_connection;
    std::unique_ptr<Bucket> m_bucket;

    // The contender's view of the key: the revision seen last and when it was first seen.
    std::optional<LeaseRecord> m_seen;
    Clock::time_point m_seenSince;
    std::atomic<bool> m_ownsStream{false};

    mutable std::mutex m_mutex; // guards what follows
    LeaseRecord m_record;
    bool m_held = false;
    std::optional<Lost> m_lost;
    Clock::time_point m_validUntil;
    std::condition_variable m_wake;
    bool m_stop = false;
    std::thread m_thread;
};

// Parses "EPOCH HOLDER TOKEN", or "EPOCH HOLDER" with token 0. Nothing when the text is not in
// that form.
std::optional<LeaseRecord> parseLeaseValue(const std::string &text);

} // namespace bourse::cluster

#pragma once

// A client's state machine for the published streams it follows, as docs/protocol.md ("Joining
// and resynchronizing a stream") describes. It keeps each stream's replica in step with the
// server and queues messages while a snapshot is on its way. It requests a new snapshot after a
// gap, a lost snapshot part, an event that does not fit the replica, a queue that overflowed or
// a new server instance. It opens no sockets: the client passes in decoded messages and sends
// the SnapshotRequests that takeSnapshotRequests() returns.
//
// One thread uses a synchronizer.

#include "protocol.h"
#include "replica.h"
#include "stream_sequence.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace bourse::net {

struct SyncCounters {
    std::uint64_t gaps = 0;              // live messages whose number skipped some
    std::uint64_t duplicatesDropped = 0; // live or queued messages already covered
    std::uint64_t snapshotsApplied = 0;
    std::uint64_t snapshotRequests = 0; // streams returned by takeSnapshotRequests()
    std::uint64_t lostParts = 0;        // snapshot parts out of number, or that disagree
    std::uint64_t mismatches = 0;       // events that did not fit a replica
    std::uint64_t eventsApplied = 0;    // live and queued events, not snapshot events
    std::uint64_t queueOverflows = 0;   // joining streams whose queue reached the limit
    std::uint64_t queuedDropped = 0;    // messages those overflows dropped
    std::uint64_t instanceChanges = 0;  // forgetAll() calls
};

class StreamSynchronizer {
public:
    // Events applied to a replica, live or from the queue after a snapshot; not the snapshot's.
    using EventListener = std::function<void(StreamKey, std::span<const Event>)>;
    // A stream that became stale (true) or was rebuilt from a snapshot and is live (false).
    using StaleListener = std::function<void(StreamKey, bool stale)>;

    // The messages a joining stream queues at most. The queue covers the time from subscribing
    // to the snapshot's arrival; one that overflows is dropped and the stream requests again.
    static constexpr std::size_t kDefaultQueueLimit = 4096;

    explicit StreamSynchronizer(std::size_t queueLimit = kDefaultQueueLimit);
    ~StreamSynchronizer();

    // Starts following an instrument or account stream; it is stale until a snapshot arrives.
    // Following again, or following the heartbeat stream, does nothing.
    void follow(StreamKey key);
    // A new server instance: every stream drops its queue and resynchronizes by snapshot,
    // because the old sequence numbers mean nothing in the new run. Replicas keep their last
    // state, stale, until then. Snapshot parts that arrive before the next
    // takeSnapshotRequests() are ignored, because they respond to the old instance.
    // NOTE: a part cannot name its request, so a client reconnects its snapshot link on a new
    // instance, which drops the old instance's responses still on their way.
    void forgetAll();
    // Treats a followed stream as having a gap now: it turns stale and requests a snapshot. For
    // what the sequence numbers cannot show, such as an invalid publication on the stream's
    // topic, or publication heartbeats that stopped. Counted as a gap.
    void resynchronize(StreamKey key);

    // A decoded MarketDataBatch or ExecutionReportBatch; other types and streams not followed
    // are ignored.
    void onPublished(const Message &message);
    // A decoded SnapshotPart. The synchronizer collects parts until the last one.
    void onSnapshotPart(const Message &message);

    // The streams that need a SnapshotRequest now. Each is returned once per need.
    std::vector<StreamKey> takeSnapshotRequests();

    // True while a stream is not in sync: joining, after a gap, or not followed.
    bool isStale(StreamKey key) const;
    // The replica of a followed stream, also while stale; nullptr before its first snapshot.
    const InstrumentReplica *instrument(std::uint32_t id) const;
    const AccountReplica *account(std::uint32_t id) const;
    // The engine event that a followed stream's replica is exact at: the last event applied to
    // it, or the event its snapshot covers. The server's state after that event, for that
    // stream, is the replica's. Zero before the first snapshot.
    SequenceNumber eventSequence(StreamKey key) const;

    const SyncCounters &counters() const { return m_counters; }
    // The latest event that did not fit a replica, with its stream and the reason, for a log
    // line; empty before the first.
    const std::string &lastMismatch() const { return m_lastMismatch; }
    void setEventListener(EventListener listener) { m_onEvents = std::move(listener); }
    void setStaleListener(StaleListener listener) { m_onStale = std::move(listener); }

private:
    struct Stream;
    struct QueuedMessage {
        std::uint64_t sequence = 0;
        std::vector<Event> events;
    };

    Stream *find(StreamKey key);
    void resync(StreamKey key, Stream &stream);
    void enqueue(Stream &stream, std::uint64_t sequence, const std::vector<Event> &events);
    bool applyEvents(StreamKey key, Stream &stream, std::span<const Event> events);
    void noteMismatch(StreamKey key, const Stream &stream);
    void applySnapshot(StreamKey key, Stream &stream);
    void drainQueue(StreamKey key, Stream &stream);

    std::size_t m_queueLimit;
    std::map<StreamKey, std::unique_ptr<Stream>> m_streams;
    SyncCounters m_counters;
    std::string m_lastMismatch;
    EventListener m_onEvents;
    StaleListener m_onStale;
};

} // namespace bourse::net

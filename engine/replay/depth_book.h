#pragma once

// An exchange's order book rebuilt from a depth stream (depth_stream.h): the total size at each
// price, and the checks of update ids that decide whether the book may be shown as live.

#include "depth_stream.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

namespace bourse::replay {

// The sequencing rule of a format: which deltas a snapshot already contains, and which delta
// may come next. S is the snapshot's id and L the last id applied.
enum class DepthSequencing : std::uint8_t {
    // Each delta continues the ids of the one before. A delta with lastId <= S is in the
    // snapshot already; the first one applied has firstId <= S + 1 <= lastId, and each later
    // one has firstId == L + 1. Bybit numbers each message with one id (u), so there the rule
    // is u == S + 1, then u == L + 1. Every snapshot replaces the book, because Bybit sends a
    // snapshot with u = 1 after a restart of its service.
    Consecutive,
    // Binance USD-M futures, as "How to manage a local order book correctly" in Binance's
    // futures API documentation states it: a delta with lastId < S (u < lastUpdateId) is in
    // the snapshot already; the first one applied has firstId <= S <= lastId (U <=
    // lastUpdateId <= u); each later one has previousId == L (pu equals the previous u). The
    // ids only grow, so a snapshot with S <= L reaching a live book is older than the book and
    // is dropped.
    PreviousId,
};

enum class DepthState : std::uint8_t {
    AwaitingSnapshot, // no snapshot yet; deltas are kept until one comes
    Live,             // a snapshot and every delta since it, with no id missing
    // After a gap: the levels are those from before it, and nothing is applied until a new
    // snapshot comes.
    Stale,
};

enum class DepthOutcome : std::uint8_t {
    Applied,  // a snapshot, or a delta that follows the last one applied
    Buffered, // a delta kept for the next snapshot, because the book has none or is stale
    Dropped,  // a delta the snapshot already contains, or an older snapshot (PreviousId)
    Gap,      // a delta that does not follow; the book is now stale and requests a snapshot
};

std::string_view nameOf(DepthState state);
std::string_view nameOf(DepthOutcome outcome);

// A delta whose ids did not follow the book's. `expected` and `received` are the ids the rule
// compares. With Consecutive, they are the first id the delta needed (S + 1 or L + 1) and its
// firstId. With PreviousId, they are the snapshot's id and the firstId of the first delta
// after it, then L and the previousId of each later delta (0 when it has none).
struct DepthGap {
    UpdateId expected;
    UpdateId received;
    UpdateId firstId; // the delta's own range
    UpdateId lastId;
    Timestamp exchangeTime;
    std::size_t line = 0;
};

struct DepthStatistics {
    std::size_t snapshots = 0;        // snapshots applied
    std::size_t droppedSnapshots = 0; // snapshots older than the live book (PreviousId)
    std::size_t applied = 0;          // deltas applied
    std::size_t dropped = 0;          // deltas the snapshot already contained
    std::size_t discarded = 0;        // buffered deltas discarded because the buffer was full
    std::size_t gaps = 0;
    std::optional<DepthGap> firstGap;
    std::optional<DepthGap> lastGap; // the gap that made the book stale most recently
};

// The best level of each side, with the book's state. The levels are the exchange's current
// ones only when the state is Live.
struct BestLevels {
    std::optional<BookLevel> bid;
    std::optional<BookLevel> ask;
    DepthState state = DepthState::AwaitingSnapshot;
};

// Receives what a DepthBook needs from outside. The default does nothing.
class DepthBookHandler {
public:
    virtual ~DepthBookHandler() = default;

    // The book went stale at `gap` and needs a new snapshot. Called from DepthBook::apply, on
    // the caller's thread.
    virtual void snapshotRequested(const DepthGap &) {}
};

// The aggregated book of one instrument of a depth stream. Deltas that come before the first
// snapshot, or after a gap, are buffered. A snapshot then drops those it contains and applies
// those that follow it, as Binance documents for its streams.
//
// Levels are kept in std::map, one node per price. That costs an allocation per new price,
// which is acceptable because this book follows a recorded or external feed, while the
// engine's OrderBook is the one on the matching path. Not thread-safe.
class DepthBook {
public:
    // An estimate: at one message per 100 ms, the fastest of Binance USD-M futures' diff depth
    // streams (250, 500 or 100 ms), 10,000 deltas are over 16 minutes of stream.
    static constexpr std::size_t kDefaultBufferLimit = 10'000;

    // When the buffer is full, the oldest delta is discarded. That is safe: a snapshot that
    // needed it finds the next delta short of its id and reports a gap.
    explicit DepthBook(DepthSequencing sequencing, std::size_t bufferLimit = kDefaultBufferLimit);

    // `handler` may be nullptr; it must outlive the book otherwise.
    void setHandler(DepthBookHandler *handler) { m_handler = handler; }

    // Applies, buffers or drops one update by the sequencing rules. A snapshot also applies
    // the buffered deltas that follow it; it returns Gap when one of them does not follow.
    // Levels must have positive prices and sizes of zero or more, as the readers ensure.
    DepthOutcome apply(const DepthUpdate &update);

    DepthState state() const { return m_state; }
    bool live() const { return m_state == DepthState::Live; }
    BestLevels top() const;

    // Levels of a side, best first: bids from the highest price, asks from the lowest.
    std::vector<BookLevel>
    levels(Side side, std::size_t depth = std::numeric_limits<std::size_t>::max()) const;
    std::size_t levelCount(Side side) const;
    // The size at a price; zero when there is no level.
    Quantity sizeAt(Side side, Price price) const;

    // The last id of the last snapshot or delta applied; nothing before the first snapshot.
    std::optional<UpdateId> lastId() const { return m_lastId; }
    std::size_t bufferedCount() const { return m_buffer.size(); }
    const DepthStatistics &statistics() const { return m_statistics; }

private:
    DepthOutcome applySnapshot(const DepthUpdate &snapshot);
    DepthOutcome applyDelta(const DepthUpdate &delta);
    bool containedInSnapshot(const DepthUpdate &delta) const;
    std::optional<DepthGap> findGap(const DepthUpdate &delta) const;
    void markStale(const DepthGap &gap, const DepthUpdate &delta);
    void buffer(const DepthUpdate &delta);
    void changeLevels(const DepthUpdate &delta);

    std::map<Price, Quantity, std::greater<Price>> m_bids;
    std::map<Price, Quantity> m_asks;
    DepthSequencing m_sequencing;
    DepthState m_state = DepthState::AwaitingSnapshot;
    UpdateId m_snapshotId;
    std::optional<UpdateId> m_lastId;
    bool m_firstDeltaPending = false; // no delta applied since the snapshot
    std::deque<DepthUpdate> m_buffer;
    std::size_t m_bufferLimit;
    DepthStatistics m_statistics;
    DepthBookHandler *m_handler = nullptr;
};

} // namespace bourse::replay

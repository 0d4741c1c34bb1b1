#include "depth_book.h"

#include <algorithm>
#include <utility>

namespace bourse::replay {

namespace {

template <typename Levels>
void changeSide(Levels &levels, const std::vector<BookLevel> &changes)
{
    for (const BookLevel &change : changes) {
        if (change.size == Quantity{0})
            levels.erase(change.price);
        else
            levels.insert_or_assign(change.price, change.size);
    }
}

template <typename Levels>
std::optional<BookLevel> bestOf(const Levels &levels)
{
    if (levels.empty())
        return std::nullopt;
    return BookLevel{levels.begin()->first, levels.begin()->second};
}

template <typename Levels>
std::vector<BookLevel> firstLevels(const Levels &levels, std::size_t depth)
{
    std::vector<BookLevel> result;
    result.reserve(std::min(depth, levels.size()));
    for (const auto &[price, size] : levels) {
        if (result.size() == depth)
            break;
        result.push_back(BookLevel{price, size});
    }
    return result;
}

template <typename Levels>
Quantity sizeIn(const Levels &levels, Price price)
{
    const auto found = levels.find(price);
    return found == levels.end() ? Quantity{0} : found->second;
}

} // namespace

std::string_view nameOf(DepthState state)
{
    switch (state) {
    case DepthState::AwaitingSnapshot:
        return "awaiting snapshot";
    case DepthState::Live:
        return "live";
    case DepthState::Stale:
        return "stale";
    }
    return "unknown";
}

std::string_view nameOf(DepthOutcome outcome)
{
    switch (outcome) {
    case DepthOutcome::Applied:
        return "applied";
    case DepthOutcome::Buffered:
        return "buffered";
    case DepthOutcome::Dropped:
        return "dropped";
    case DepthOutcome::Gap:
        return "gap";
    }
    return "unknown";
}

DepthBook::DepthBook(DepthSequencing sequencing, std::size_t bufferLimit)
    : m_sequencing(sequencing)
    , m_bufferLimit(bufferLimit)
{
}

DepthOutcome DepthBook::apply(const DepthUpdate &update)
{
    if (update.kind == DepthKind::Snapshot)
        return applySnapshot(update);
    return applyDelta(update);
}

DepthOutcome DepthBook::applySnapshot(const DepthUpdate &snapshot)
{
    if (m_sequencing == DepthSequencing::PreviousId && m_state == DepthState::Live &&
        snapshot.lastId <= *m_lastId) {
        ++m_statistics.droppedSnapshots;
        return DepthOutcome::Dropped;
    }

    m_bids.clear();
    m_asks.clear();
    changeSide(m_bids, snapshot.bids);
    changeSide(m_asks, snapshot.asks);
    m_snapshotId = snapshot.lastId;
    m_lastId = snapshot.lastId;
    m_firstDeltaPending = true;
    m_state = DepthState::Live;
    ++m_statistics.snapshots;

    // A gap among the buffered deltas makes the book stale again, and that delta and the ones
    // after it go back into the buffer.
    std::deque<DepthUpdate> buffered = std::exchange(m_buffer, {});
    for (const DepthUpdate &delta : buffered)
        applyDelta(delta);
    return live() ? DepthOutcome::Applied : DepthOutcome::Gap;
}

DepthOutcome DepthBook::applyDelta(const DepthUpdate &delta)
{
    if (m_state != DepthState::Live) {
        buffer(delta);
        return DepthOutcome::Buffered;
    }
    if (m_firstDeltaPending && containedInSnapshot(delta)) {
        ++m_statistics.dropped;
        return DepthOutcome::Dropped;
    }
    if (const std::optional<DepthGap> gap = findGap(delta)) {
        markStale(*gap, delta);
        return DepthOutcome::Gap;
    }

    changeLevels(delta);
    m_lastId = delta.lastId;
    m_firstDeltaPending = false;
    ++m_statistics.applied;
    return DepthOutcome::Applied;
}

bool DepthBook::containedInSnapshot(const DepthUpdate &delta) const
{
    if (m_sequencing == DepthSequencing::Consecutive)
        return delta.lastId <= m_snapshotId;
    return delta.lastId < m_snapshotId;
}

std::optional<DepthGap> DepthBook::findGap(const DepthUpdate &delta) const
{
    DepthGap gap{UpdateId{},   UpdateId{},         delta.firstId,
                 delta.lastId, delta.exchangeTime, delta.line};
    const UpdateId last = *m_lastId;
    if (m_sequencing == DepthSequencing::Consecutive) {
        // Not contained in the snapshot, so lastId > S: only the start can be too late.
        gap.expected = UpdateId{last.value() + 1};
        gap.received = delta.firstId;
        const bool follows =
            m_firstDeltaPending ? delta.firstId <= gap.expected : delta.firstId == gap.expected;
        return follows ? std::nullopt : std::optional<DepthGap>(gap);
    }

    if (m_firstDeltaPending) {
        // Not contained in the snapshot, so lastId >= S.
        gap.expected = m_snapshotId;
        gap.received = delta.firstId;
        return delta.firstId <= m_snapshotId ? std::nullopt : std::optional<DepthGap>(gap);
    }
    gap.expected = last;
    gap.received = delta.previousId.value_or(UpdateId{0});
    return delta.previousId == last ? std::nullopt : std::optional<DepthGap>(gap);
}

void DepthBook::markStale(const DepthGap &gap, const DepthUpdate &delta)
{
    m_state = DepthState::Stale;
    ++m_statistics.gaps;
    if (!m_statistics.firstGap)
        m_statistics.firstGap = gap;
    m_statistics.lastGap = gap;

    // Deltas from the gap on are what a new snapshot may need; those before it are applied.
    m_buffer.clear();
    buffer(delta);
    if (m_handler != nullptr)
        m_handler->snapshotRequested(gap);
}

void DepthBook::buffer(const DepthUpdate &delta)
{
    m_buffer.push_back(delta);
    if (m_buffer.size() > m_bufferLimit) {
        m_buffer.pop_front();
        ++m_statistics.discarded;
    }
}

void DepthBook::changeLevels(const DepthUpdate &delta)
{
    changeSide(m_bids, delta.bids);
    changeSide(m_asks, delta.asks);
}

BestLevels DepthBook::top() const
{
    return BestLevels{bestOf(m_bids), bestOf(m_asks), m_state};
}

std::vector<BookLevel> DepthBook::levels(Side side, std::size_t depth) const
{
    return side == Side::Buy ? firstLevels(m_bids, depth) : firstLevels(m_asks, depth);
}

std::size_t DepthBook::levelCount(Side side) const
{
    return side == Side::Buy ? m_bids.size() : m_asks.size();
}

Quantity DepthBook::sizeAt(Side side, Price price) const
{
    return side == Side::Buy ? sizeIn(m_bids, price) : sizeIn(m_asks, price);
}

} // namespace bourse::replay

#include "order_book.h"

#include <algorithm>
#include <bit>
#include <cassert>

namespace bourse {

namespace {

// FNV-1a over 64-bit words; enough to tell two books apart, not meant to resist an attacker.
class StateHasher {
public:
    void add(std::uint64_t word)
    {
        for (int i = 0; i < 8; ++i) {
            m_hash ^= (word >> (8 * i)) & 0xffU;
            m_hash *= 0x100000001b3ULL;
        }
    }
    void add(std::int64_t word) { add(static_cast<std::uint64_t>(word)); }
    std::uint64_t value() const { return m_hash; }

private:
    std::uint64_t m_hash = 0xcbf29ce484222325ULL;
};

} // namespace

// --- OrderStore ---

OrderStore::OrderStore() = default;

OrderStore::~OrderStore() = default;

OrderDetails &OrderStore::details(Order *order)
{
    if (!order->details)
        order->details = m_details.acquire();
    return *order->details;
}

std::size_t OrderStore::memoryBytes() const
{
    return m_index.memoryBytes() + m_orders.memoryBytes() + m_details.memoryBytes();
}

void OrderStore::clear()
{
    m_index.clear();
    m_orders.clear();
    m_details.clear();
}

// --- OrderBook::SideLevels: the bitmaps ---

OrderBook::SideLevels::SideLevels(Side side)
    : m_negate(side == Side::Buy ? -1 : 0)
{
}

// The first non-empty slot at or after `from`, or kNone.
std::size_t OrderBook::SideLevels::firstOccupied(std::size_t from) const
{
    if (from >= m_slotCount)
        return kNone;
    std::size_t word = from / 64;
    const std::uint64_t bits = m_occupied[word] & (~std::uint64_t{0} << (from % 64));
    if (bits != 0)
        return word * 64 + static_cast<std::size_t>(std::countr_zero(bits));

    // The summary skips empty words 64 at a time.
    ++word;
    std::size_t group = word / 64;
    if (group >= m_summary.size())
        return kNone;
    std::uint64_t words = m_summary[group] & (~std::uint64_t{0} << (word % 64));
    while (words == 0) {
        if (++group == m_summary.size())
            return kNone;
        words = m_summary[group];
    }
    word = group * 64 + static_cast<std::size_t>(std::countr_zero(words));
    return word * 64 + static_cast<std::size_t>(std::countr_zero(m_occupied[word]));
}

// The last non-empty slot, or kNone.
std::size_t OrderBook::SideLevels::lastOccupied() const
{
    for (std::size_t group = m_summary.size(); group-- > 0;) {
        if (m_summary[group] == 0)
            continue;
        const std::size_t word =
            group * 64 + 63 - static_cast<std::size_t>(std::countl_zero(m_summary[group]));
        return word * 64 + 63 - static_cast<std::size_t>(std::countl_zero(m_occupied[word]));
    }
    return kNone;
}

void OrderBook::SideLevels::buildWordRanks() const
{
    m_wordRanks.clear();
    std::uint32_t levels = 0;
    for (std::size_t group = 0; group < m_summary.size(); ++group) {
        for (std::uint64_t words = m_summary[group]; words != 0; words &= words - 1) {
            const std::size_t word = group * 64 + static_cast<std::size_t>(std::countr_zero(words));
            m_wordRanks.push_back(WordRank{static_cast<std::uint32_t>(word), levels});
            levels += static_cast<std::uint32_t>(std::popcount(m_occupied[word]));
        }
    }
    m_depthCache |= kWordRanksReady;
}

namespace {

// The position of the set bit that has `rank` set bits below it. The word has more than `rank`
// set bits.
std::size_t selectBit(std::uint64_t bits, std::size_t rank)
{
    std::size_t position = 0;
    for (unsigned width = 32; width >= 8; width /= 2) {
        const std::uint64_t low = bits & ((std::uint64_t{1} << width) - 1);
        const auto count = static_cast<std::size_t>(std::popcount(low));
        if (rank < count) {
            bits = low;
            continue;
        }
        rank -= count;
        bits >>= width;
        position += width;
    }
    for (; rank > 0; --rank)
        bits &= bits - 1;
    return position + static_cast<std::size_t>(std::countr_zero(bits));
}

} // namespace

// The non-empty slot with `rank` non-empty slots before it. The caller checks
// rank < m_ladderCount.
std::size_t OrderBook::SideLevels::occupiedAtRank(std::size_t rank) const
{
    const bool hasCursor = (m_depthCache & kCursorReady) != 0;
    std::size_t offset = 0;
    if (hasCursor && rank == m_cursorRank) {
        offset = m_cursorOffset;
    } else if (hasCursor && rank == m_cursorRank + 1) {
        offset = firstOccupied(m_cursorOffset + 1);
    } else if (rank == 0) {
        offset = firstOccupied(0);
    } else {
        if ((m_depthCache & kWordRanksReady) == 0)
            buildWordRanks();
        const auto after = std::upper_bound(
            m_wordRanks.begin(), m_wordRanks.end(), rank,
            [](std::size_t wanted, const WordRank &word) { return wanted < word.levelsBefore; });
        const WordRank &word = *(after - 1);
        offset = std::size_t{word.word} * 64 +
                 selectBit(m_occupied[word.word], rank - word.levelsBefore);
    }
    m_cursorRank = rank;
    m_cursorOffset = offset;
    m_depthCache |= kCursorReady;
    return offset;
}

// --- OrderBook::SideLevels: the window ---

PriceLevel &OrderBook::SideLevels::levelOutsideWindow(std::int64_t key)
{
    if (FarLevel *far = findFar(key))
        return far->level;
    if (!moveWindowFor(key))
        return addFar(key);
    const std::size_t offset = static_cast<std::size_t>(offsetOf(key));
    occupy(offset, key);
    return m_slots[offset];
}

// Moves or widens the window so that it covers the key, and returns true. Returns false,
// changing nothing, when the key is too far from the levels in the ladder.
bool OrderBook::SideLevels::moveWindowFor(std::int64_t key)
{
    if (key < -kMaximumLadderKey || key > kMaximumLadderKey)
        return false;
    if (m_ladderCount == 0) {
        const std::size_t slots = std::max(m_slotCount, kInitialSlots);
        relocate(key - static_cast<std::int64_t>(slots / 2), slots);
        return true;
    }

    const std::int64_t bestKey = m_base + static_cast<std::int64_t>(firstOccupied(0));
    const std::int64_t worstKey = m_base + static_cast<std::int64_t>(lastOccupied());
    const std::int64_t low = std::min(key, bestKey);
    const std::int64_t high = std::max(key, worstKey);
    const std::uint64_t span = static_cast<std::uint64_t>(high - low) + 1;
    if (span <= kMaximumSlots) {
        // Twice the span leaves room for prices to move before the next relocation.
        std::size_t slots = m_slotCount;
        while (slots < 2 * span && slots < kMaximumSlots)
            slots *= 2;
        relocate(low - static_cast<std::int64_t>((slots - span) / 2), slots);
        return true;
    }

    // A key far behind the ladder's best is a stray order deep in the book.
    if (key > bestKey)
        return false;
    // A key far ahead of every ladder level means that the prices moved away, so the window
    // follows them and the levels left behind become far levels.
    relocate(key - static_cast<std::int64_t>(m_slotCount / 4), m_slotCount);
    return true;
}

// Sets the window to `slots` keys from `base`. Ladder levels outside it become far levels,
// and far levels inside it join the ladder. Costs a pass over the bitmap and the levels moved.
// The arrays are allocated anew only when the width changes.
void OrderBook::SideLevels::relocate(std::int64_t base, std::size_t slots)
{
    takeLadderLevels();
    if (slots != m_slotCount) {
        m_slots.assign(slots, PriceLevel{});
        m_occupied.assign(slots / 64, 0);
        m_summary.assign((slots / 64 + 63) / 64, 0);
    }
    m_base = base;
    m_slotCount = slots;

    // The taken levels come in key order, so those left outside stay sorted for the merge.
    const auto farCount = static_cast<std::ptrdiff_t>(m_far.size());
    for (const FarLevel &moving : m_moving) {
        const std::uint64_t offset = offsetOf(moving.key);
        if (offset < m_slotCount) {
            m_slots[offset] = moving.level;
            markOccupied(static_cast<std::size_t>(offset));
            continue;
        }
        FarLevel *far = m_farPool.acquire();
        *far = moving;
        m_far.push_back(far);
    }
    std::inplace_merge(m_far.begin(), m_far.begin() + farCount, m_far.end(),
                       [](const FarLevel *a, const FarLevel *b) { return a->key < b->key; });

    const auto first = std::lower_bound(m_far.begin(), m_far.end(), base, farKeyBefore);
    const auto last =
        std::lower_bound(first, m_far.end(), base + static_cast<std::int64_t>(slots), farKeyBefore);
    for (auto far = first; far != last; ++far) {
        const auto offset = static_cast<std::size_t>(offsetOf((*far)->key));
        m_slots[offset] = (*far)->level;
        markOccupied(offset);
        m_farPool.release(*far);
    }
    m_far.erase(first, last);
    findBest();
}

// Moves every ladder level, with its key, to m_moving, leaving the ladder empty and zeroed.
void OrderBook::SideLevels::takeLadderLevels()
{
    m_moving.clear();
    for (std::size_t word = 0; word < m_occupied.size(); ++word) {
        for (std::uint64_t bits = m_occupied[word]; bits != 0; bits &= bits - 1) {
            const std::size_t offset = word * 64 + static_cast<std::size_t>(std::countr_zero(bits));
            m_moving.push_back(
                FarLevel{m_base + static_cast<std::int64_t>(offset), m_slots[offset]});
            m_slots[offset] = PriceLevel{};
        }
        m_occupied[word] = 0;
    }
    std::fill(m_summary.begin(), m_summary.end(), 0);
    m_ladderCount = 0;
    m_depthCache = 0;
}

// The number of far levels better than every slot of the window.
std::size_t OrderBook::SideLevels::farBetterCount() const
{
    const auto first = std::lower_bound(m_far.begin(), m_far.end(), m_base, farKeyBefore);
    return static_cast<std::size_t>(first - m_far.begin());
}

// --- OrderBook::SideLevels: far levels ---

OrderBook::SideLevels::FarLevel *OrderBook::SideLevels::findFar(std::int64_t key) const
{
    const auto far = std::lower_bound(m_far.begin(), m_far.end(), key, farKeyBefore);
    return far != m_far.end() && (*far)->key == key ? *far : nullptr;
}

PriceLevel &OrderBook::SideLevels::addFar(std::int64_t key)
{
    FarLevel *far = m_farPool.acquire();
    far->key = key;
    const auto position = std::lower_bound(m_far.begin(), m_far.end(), key, farKeyBefore);
    m_far.insert(position, far);
    if (!m_best || key < m_bestKey) {
        m_best = &far->level;
        m_bestKey = key;
    }
    return far->level;
}

PriceLevel &OrderBook::SideLevels::farLevelAt(std::int64_t key)
{
    FarLevel *far = findFar(key);
    assert(far);
    return far->level;
}

void OrderBook::SideLevels::releaseFar(std::int64_t key)
{
    const auto position = std::lower_bound(m_far.begin(), m_far.end(), key, farKeyBefore);
    assert(position != m_far.end());
    assert((*position)->key == key);
    FarLevel *far = *position;
    m_far.erase(position);
    const bool wasBest = &far->level == m_best;
    m_farPool.release(far);
    if (wasBest)
        findBest();
}

// --- OrderBook::SideLevels: the best level ---

// Finds the new best level after the best one, a ladder slot, emptied. No far level was
// better than that slot, so the next ladder level is the new best when there is one.
void OrderBook::SideLevels::updateBestAfterEmptied(std::size_t offset)
{
    const std::size_t next = firstOccupied(offset);
    if (next == kNone) {
        findBest();
        return;
    }
    m_best = &m_slots[next];
    m_bestKey = m_base + static_cast<std::int64_t>(next);
}

void OrderBook::SideLevels::findBest()
{
    m_best = nullptr;
    if (const std::size_t first = firstOccupied(0); first != kNone) {
        m_best = &m_slots[first];
        m_bestKey = m_base + static_cast<std::int64_t>(first);
    }
    if (!m_far.empty() && (!m_best || m_far.front()->key < m_bestKey)) {
        m_best = &m_far.front()->level;
        m_bestKey = m_far.front()->key;
    }
}

// --- OrderBook::SideLevels: queries ---

const PriceLevel *OrderBook::SideLevels::find(Price price) const
{
    const std::int64_t key = keyOf(price);
    const std::uint64_t offset = offsetOf(key);
    if (offset < m_slotCount) {
        const PriceLevel &level = m_slots[offset];
        return level.orderCount != 0 ? &level : nullptr;
    }
    const FarLevel *far = findFar(key);
    return far ? &far->level : nullptr;
}

LevelSummary OrderBook::SideLevels::level(std::size_t depth) const
{
    const std::size_t better = farBetterCount();
    if (depth >= better && depth - better < m_ladderCount) {
        const std::size_t offset = occupiedAtRank(depth - better);
        const PriceLevel &level = m_slots[offset];
        return LevelSummary{priceOf(m_base + static_cast<std::int64_t>(offset)), level.quantity,
                            level.orderCount};
    }
    const FarLevel &far = *m_far[depth < better ? depth : depth - m_ladderCount];
    return LevelSummary{priceOf(far.key), far.level.quantity, far.level.orderCount};
}

void OrderBook::SideLevels::clear()
{
    takeLadderLevels();
    m_moving.clear();
    for (FarLevel *far : m_far)
        m_farPool.release(far);
    m_far.clear();
    m_best = nullptr;
}

std::size_t OrderBook::SideLevels::memoryBytes() const
{
    return m_slots.capacity() * sizeof(PriceLevel) +
           (m_occupied.capacity() + m_summary.capacity()) * sizeof(std::uint64_t) +
           m_wordRanks.capacity() * sizeof(WordRank) + m_far.capacity() * sizeof(FarLevel *) +
           m_farPool.memoryBytes() + m_moving.capacity() * sizeof(FarLevel);
}

// --- OrderBook ---

OrderBook::OrderBook() = default;

OrderBook::~OrderBook() = default;

void OrderBook::requeue(Order *order, Quantity shown)
{
    assert(shown > Quantity{0});
    PriceLevel &level = side(order->side).levelAt(order->price);
    unlink(order, level);
    order->remaining = shown;
    link(order, level);
}

std::size_t OrderBook::levelCount(Side which) const
{
    return side(which).levelCount();
}

LevelSummary OrderBook::level(Side which, std::size_t depth) const
{
    return side(which).level(depth);
}

Quantity OrderBook::quantityAt(Side which, Price price) const
{
    const PriceLevel *level = side(which).find(price);
    return level ? level->quantity : Quantity{0};
}

std::vector<const Order *> OrderBook::ordersAt(Side which, Price price) const
{
    std::vector<const Order *> orders;
    if (const PriceLevel *level = side(which).find(price)) {
        for (const Order *order = level->front; order; order = order->next)
            orders.push_back(order);
    }
    return orders;
}

std::uint64_t OrderBook::stateHash() const
{
    StateHasher hasher;
    for (Side which : {Side::Buy, Side::Sell}) {
        const SideLevels &levels = side(which);
        hasher.add(static_cast<std::uint64_t>(levels.levelCount()));
        levels.forEachLevel([&hasher](Price price, const PriceLevel &level) {
            hasher.add(price.value());
            hasher.add(static_cast<std::uint64_t>(level.orderCount));
            for (const Order *order = level.front; order; order = order->next) {
                hasher.add(order->id.value());
                hasher.add(order->remaining.value());
            }
        });
    }
    return hasher.value();
}

void OrderBook::clear()
{
    for (Side which : {Side::Buy, Side::Sell}) {
        SideLevels &levels = side(which);
        levels.forEachLevel([](Price, const PriceLevel &level) {
            for (Order *order = level.front; order;) {
                Order *next = order->next;
                order->previous = nullptr;
                order->next = nullptr;
                order = next;
            }
        });
        levels.clear();
    }
    m_orderCount = 0;
}

std::size_t OrderBook::memoryBytes() const
{
    return m_bids.memoryBytes() + m_asks.memoryBytes();
}

} // namespace bourse

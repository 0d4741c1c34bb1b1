#pragma once

#include "events.h"
#include "order_index.h"
#include "pool.h"
#include "types.h"

#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace bourse {

// The attributes only some orders need: a client order id, an iceberg's hidden reserve, a stop
// price, an expiry. They are kept apart so that a plain order fits one 64-byte cache line, and
// ten million resting orders fit in under 700 MiB.
struct OrderDetails {
    ClientOrderId clientOrderId;
    Quantity reserve;         // iceberg quantity still hidden behind the displayed slice
    Quantity displayQuantity; // iceberg slice size; zero for an order shown in full
    Price stopPrice;          // parked stop orders
    Price limit;              // a parked stop-limit order's limit price
    Price protectionPrice;    // a parked stop order's worst fill price once triggered
    Timestamp expiry;         // GTD orders
};

// A live order: resting in a book, or parked outside it while a stop order waits for its
// stop price. OrderBook owns the links and the place in the queue; Engine owns the rest.
// Attributes that few orders use live in OrderDetails (OrderStore::details creates them).
struct alignas(64) Order {
    OrderId id;
    Price price;        // the book level it rests at
    Quantity remaining; // shown in the book: the displayed slice of an iceberg
    Order *previous = nullptr;
    Order *next = nullptr;
    OrderDetails *details = nullptr; // nullptr: every detail at its default
    AccountId account;
    InstrumentId instrument;
    Side side = Side::Buy;
    OrderType type = OrderType::Limit;
    TimeInForce timeInForce = TimeInForce::Gtc;
    SelfTradePrevention selfTradePrevention = SelfTradePrevention::AccountDefault;
    OrderOrigin origin = OrderOrigin::OrderEntry;

    ClientOrderId clientOrderId() const
    {
        return details ? details->clientOrderId : ClientOrderId{};
    }
    Quantity reserve() const { return details ? details->reserve : Quantity{}; }
    Quantity displayQuantity() const { return details ? details->displayQuantity : Quantity{}; }
    Price stopPrice() const { return details ? details->stopPrice : Price{}; }
    Timestamp expiry() const { return details ? details->expiry : Timestamp{}; }
};

static_assert(sizeof(Order) == 64, "an order must fill exactly one cache line");

inline bool OrderIndex::insert(Order *order)
{
    // An id may sit in the hash table from before the page table reached it, so a table that
    // is not empty sends every insert the slow way, which checks both parts.
    Order **slot = m_scattered.size() == 0 ? slotFor(order->id) : nullptr;
    if (!slot || *slot) [[unlikely]]
        return insertSlowly(order);
    *slot = order;
    ++pageOf(order->id)->live;
    ++m_pagedCount;
    return true;
}

// The totals and the FIFO queue of one price level. The level does not store its price, because
// the book derives it from where the level sits.
struct alignas(32) PriceLevel {
    Quantity quantity; // sum of the remaining quantity of its orders
    Order *front = nullptr;
    Order *back = nullptr;
    std::uint32_t orderCount = 0;
};

// A copy of one level's totals, with no pointers into the book.
struct LevelSummary {
    Price price;
    Quantity quantity;
    std::uint32_t orderCount = 0;

    friend bool operator==(const LevelSummary &, const LevelSummary &) = default;
};

// Every live order of an engine, across its instruments: a pool that hands out orders without
// allocating per order in steady state, and an index from order id to order. A lookup that
// misses returns nullptr, never a neighbour.
class OrderStore {
public:
    OrderStore();
    ~OrderStore();
    OrderStore(const OrderStore &) = delete;
    OrderStore &operator=(const OrderStore &) = delete;

    // A fresh order with the id and default attributes, or nullptr when the id is live.
    Order *create(OrderId id)
    {
        Order *order = m_orders.acquire();
        order->id = id;
        if (!m_index.insert(order)) [[unlikely]] {
            m_orders.release(order);
            return nullptr;
        }
        return order;
    }

    // Returns the order's memory, details included, to the pool; the order must not be
    // linked into a book.
    void destroy(Order *order)
    {
        m_index.erase(order->id);
        if (order->details)
            m_details.release(order->details);
        m_orders.release(order);
    }

    // The order's details, created with default values on first use.
    OrderDetails &details(Order *order);

    Order *find(OrderId id) { return m_index.find(id); }
    const Order *find(OrderId id) const { return m_index.find(id); }
    std::size_t size() const { return m_index.size(); }

    // Bytes held by the pool and the index, for memory figures.
    std::size_t memoryBytes() const;

    template <typename Function>
    void forEach(Function function) const
    {
        m_index.forEach(function);
    }

    void clear();

private:
    OrderIndex m_index;
    Pool<Order> m_orders;
    Pool<OrderDetails> m_details;
};

// Price levels with FIFO queues for one instrument. It links and unlinks orders that an
// OrderStore owns; matching and the events it produces live in Engine. Not thread safe. The
// engine thread owns it, and even a const call may update a cache (level() does).
class OrderBook {
public:
    OrderBook();
    ~OrderBook();
    OrderBook(const OrderBook &) = delete;
    OrderBook &operator=(const OrderBook &) = delete;

    // Appends the order at the back of the level of its side and price, showing its remaining
    // quantity. The caller sets side, price and remaining (positive) first.
    void add(Order *order);

    // Takes quantity off an order that keeps its place. The caller guarantees
    // 0 < quantity < order->remaining; taking everything is remove().
    void reduce(Order *order, Quantity quantity);

    // Unlinks the order; its memory stays with the store.
    void remove(Order *order);

    // Moves the order to the back of its level showing a new quantity, as an iceberg's next
    // slice does.
    void requeue(Order *order, Quantity shown);

    // The first order of the best level on a side, or nullptr when the side is empty.
    Order *bestOrder(Side side);
    const Order *bestOrder(Side side) const;

    std::optional<Price> bestPrice(Side side) const;
    // Whether the best level of the other side is within an incoming order's bound: at or below
    // it for a buy, at or above it for a sell.
    bool reaches(Side takerSide, Price bound) const;
    std::size_t levelCount(Side side) const;
    std::size_t orderCount() const { return m_orderCount; }

    // Level at a depth counted from the best (0). The caller checks depth < levelCount(side).
    LevelSummary level(Side side, std::size_t depth) const;

    // Quantity resting at a price, zero when there is no such level.
    Quantity quantityAt(Side side, Price price) const;

    // Orders of a level from front to back; empty when there is no such level.
    std::vector<const Order *> ordersAt(Side side, Price price) const;

    // Calls function(const Order &) for each order of a side, best level first, queue order.
    template <typename Function>
    void forEachOrder(Side side, Function function) const;

    // A hash of every level and every order in queue order. Two books that hash equal hold the
    // same orders in the same places (up to a 64-bit collision).
    std::uint64_t stateHash() const;

    // Unlinks every order; the caller returns them to their store.
    void clear();

    // Bytes held for levels and their indexes, for memory figures.
    std::size_t memoryBytes() const;

private:
    // The levels of one side. A price maps to a key that grows as the price gets worse (minus
    // the price for bids, the price for asks), so both sides share this code and the best
    // level has the lowest key.
    //
    // Keys inside a window of consecutive keys index a ladder: an array that stores the levels
    // inline, a bitmap of its non-empty slots, and a summary bitmap of the bitmap's non-zero
    // words. An order finds its level by subtraction, and the next level after an emptied best
    // one is found by counting trailing zeros. The window grows and moves to follow the
    // prices, up to kMaximumSlots keys. A level whose key cannot join the window without
    // stretching it further is a far level: it lives in a vector sorted by key. Every far key
    // lies outside the window.
    class SideLevels {
    public:
        explicit SideLevels(Side side);
        SideLevels(const SideLevels &) = delete;
        SideLevels &operator=(const SideLevels &) = delete;

        // Negates with unsigned arithmetic, so that no price overflows. Only a bid at the
        // lowest int64, a price the engine never accepts, would sort wrong.
        std::int64_t keyOf(Price price) const { return flip(price.value()); }
        Price priceOf(std::int64_t key) const { return Price{flip(key)}; }

        // The level at the price, created empty when there is none.
        PriceLevel &levelFor(Price price);
        // The level at the price, which must exist.
        PriceLevel &levelAt(Price price);
        // The level at the price, or nullptr when there is none.
        const PriceLevel *find(Price price) const;
        // Forgets a level whose last order left.
        void release(PriceLevel &level, Price price);

        PriceLevel *best() const { return m_best; }
        std::int64_t bestKey() const { return m_bestKey; } // valid while best() is set
        std::optional<Price> bestPrice() const;
        std::size_t levelCount() const { return m_ladderCount + m_far.size(); }
        LevelSummary level(std::size_t depth) const;

        // Calls function(Price, const PriceLevel &) for each level, best first.
        template <typename Function>
        void forEachLevel(Function function) const;

        // Forgets every level. The ladder keeps its memory for reuse.
        void clear();
        std::size_t memoryBytes() const;

    private:
        struct FarLevel {
            std::int64_t key;
            PriceLevel level;
        };
        static bool farKeyBefore(const FarLevel *far, std::int64_t key) { return far->key < key; }

        // The window never spans more keys than this, so a ladder takes at most 8 MiB of
        // levels however far apart the prices are.
        static constexpr std::size_t kMaximumSlots = std::size_t{1} << 18;
        static constexpr std::size_t kInitialSlots = 256;
        // A key beyond this magnitude never moves the window, so that window arithmetic
        // cannot overflow. Prices up to kMaximumPrice stay far below it.
        static constexpr std::int64_t kMaximumLadderKey = std::int64_t{1} << 60;
        static constexpr std::size_t kNone = ~std::size_t{0};

        std::int64_t flip(std::int64_t value) const
        {
            const auto mask = static_cast<std::uint64_t>(m_negate);
            return static_cast<std::int64_t>((static_cast<std::uint64_t>(value) ^ mask) - mask);
        }
        std::uint64_t offsetOf(std::int64_t key) const
        {
            return static_cast<std::uint64_t>(key) - static_cast<std::uint64_t>(m_base);
        }
        void markOccupied(std::size_t offset);
        void occupy(std::size_t offset, std::int64_t key);
        void markEmpty(std::size_t offset);
        std::size_t firstOccupied(std::size_t from) const;
        std::size_t lastOccupied() const;
        void buildWordRanks() const;
        std::size_t occupiedAtRank(std::size_t rank) const;
        std::size_t farBetterCount() const;

        PriceLevel &levelOutsideWindow(std::int64_t key);
        bool moveWindowFor(std::int64_t key);
        void relocate(std::int64_t base, std::size_t slots);
        void takeLadderLevels();
        PriceLevel &addFar(std::int64_t key);
        FarLevel *findFar(std::int64_t key) const;
        PriceLevel &farLevelAt(std::int64_t key);
        void releaseFar(std::int64_t key);
        void updateBestAfterEmptied(std::size_t offset);
        void findBest();

        std::int64_t m_negate;       // all ones for bids, whose keys are negated prices
        std::int64_t m_base = 0;     // the key of ladder slot 0
        std::size_t m_slotCount = 0; // the window's width; zero until the first level
        std::size_t m_ladderCount = 0;
        PriceLevel *m_best = nullptr;
        std::int64_t m_bestKey = 0; // valid while m_best is set
        std::vector<PriceLevel> m_slots;
        std::vector<std::uint64_t> m_occupied; // bit i: slot i contains a level
        std::vector<std::uint64_t> m_summary;  // bit i: m_occupied[i] is not zero
        std::vector<FarLevel *> m_far;         // sorted by key, best first
        Pool<FarLevel, 64> m_farPool;
        std::vector<FarLevel> m_moving; // levels in transit while the window moves
        // The cache of level(), dropped whenever a level appears or empties.
        // m_wordRanks lists the non-empty words of m_occupied in order, each with the number
        // of levels in the words before it, so that a depth is found by bisection. Building it
        // costs a pass over the non-empty words. The cursor is the last depth found in the
        // ladder, so that a walk from the best level on steps from one to the next.
        struct WordRank {
            std::uint32_t word;
            std::uint32_t levelsBefore;
        };
        static constexpr std::uint8_t kWordRanksReady = 1;
        static constexpr std::uint8_t kCursorReady = 2;
        mutable std::uint8_t m_depthCache = 0;
        mutable std::vector<WordRank> m_wordRanks;
        mutable std::size_t m_cursorRank = 0;
        mutable std::size_t m_cursorOffset = 0;
    };

    SideLevels &side(Side which) { return which == Side::Buy ? m_bids : m_asks; }
    const SideLevels &side(Side which) const { return which == Side::Buy ? m_bids : m_asks; }
    static void link(Order *order, PriceLevel &level);
    static void unlink(Order *order, PriceLevel &level);

    SideLevels m_bids{Side::Buy};
    SideLevels m_asks{Side::Sell};
    std::size_t m_orderCount = 0;
};

// --- OrderBook::SideLevels, the parts on the path of every order ---

inline void OrderBook::SideLevels::markOccupied(std::size_t offset)
{
    const std::size_t word = offset / 64;
    m_occupied[word] |= std::uint64_t{1} << (offset % 64);
    m_summary[word / 64] |= std::uint64_t{1} << (word % 64);
    ++m_ladderCount;
    m_depthCache = 0;
}

inline void OrderBook::SideLevels::markEmpty(std::size_t offset)
{
    const std::size_t word = offset / 64;
    m_occupied[word] &= ~(std::uint64_t{1} << (offset % 64));
    if (m_occupied[word] == 0)
        m_summary[word / 64] &= ~(std::uint64_t{1} << (word % 64));
    --m_ladderCount;
    m_depthCache = 0;
}

// Takes an empty slot of the window into use for a new level at the key.
inline void OrderBook::SideLevels::occupy(std::size_t offset, std::int64_t key)
{
    markOccupied(offset);
    if (!m_best || key < m_bestKey) {
        m_best = &m_slots[offset];
        m_bestKey = key;
    }
}

inline PriceLevel &OrderBook::SideLevels::levelFor(Price price)
{
    const std::int64_t key = keyOf(price);
    const std::uint64_t offset = offsetOf(key);
    if (offset >= m_slotCount) [[unlikely]]
        return levelOutsideWindow(key);

    PriceLevel &level = m_slots[offset];
    if (level.orderCount == 0)
        occupy(offset, key);
    return level;
}

inline PriceLevel &OrderBook::SideLevels::levelAt(Price price)
{
    const std::int64_t key = keyOf(price);
    const std::uint64_t offset = offsetOf(key);
    if (offset >= m_slotCount) [[unlikely]]
        return farLevelAt(key);
    return m_slots[offset];
}

inline void OrderBook::SideLevels::release(PriceLevel &level, Price price)
{
    const std::int64_t key = keyOf(price);
    const std::uint64_t offset = offsetOf(key);
    if (offset >= m_slotCount) [[unlikely]] {
        releaseFar(key);
        return;
    }
    // The slot is the next level at this price, so it must be left as a fresh level is.
    assert(level.quantity == Quantity{0});
    level.quantity = Quantity{0};
    markEmpty(offset);
    if (&level == m_best)
        updateBestAfterEmptied(offset);
}

// --- OrderBook, the parts on the path of every order ---

// Link and unlink choose the pointer to update by address, which GCC 12 compiles to conditional
// moves. Where an order sits in a short queue is random, so a branch there is often mispredicted.
inline void OrderBook::link(Order *order, PriceLevel &level)
{
    Order *back = level.back;
    Order **toOrder = back ? &back->next : &level.front;
    order->next = nullptr;
    order->previous = back;
    *toOrder = order;
    level.back = order;
    level.quantity += order->remaining;
    ++level.orderCount;
}

inline void OrderBook::unlink(Order *order, PriceLevel &level)
{
    Order *previous = order->previous;
    Order *next = order->next;
    Order **toNext = previous ? &previous->next : &level.front;
    Order **toPrevious = next ? &next->previous : &level.back;
    *toNext = next;
    *toPrevious = previous;
    order->previous = nullptr;
    order->next = nullptr;
    level.quantity -= order->remaining;
    --level.orderCount;
}

// add() and remove() are always inlined, because as calls they saved and restored six registers
// around a few instructions of work.
[[gnu::always_inline]] inline void OrderBook::add(Order *order)
{
    assert(order->remaining > Quantity{0});
    link(order, side(order->side).levelFor(order->price));
    ++m_orderCount;
}

inline void OrderBook::reduce(Order *order, Quantity quantity)
{
    assert(quantity > Quantity{0});
    assert(quantity < order->remaining);
    order->remaining -= quantity;
    side(order->side).levelAt(order->price).quantity -= quantity;
}

[[gnu::always_inline]] inline void OrderBook::remove(Order *order)
{
    SideLevels &levels = side(order->side);
    PriceLevel &level = levels.levelAt(order->price);
    unlink(order, level);
    --m_orderCount;
    if (level.orderCount == 0)
        levels.release(level, order->price);
}

inline std::optional<Price> OrderBook::SideLevels::bestPrice() const
{
    if (!m_best)
        return std::nullopt;
    return priceOf(m_bestKey);
}

inline std::optional<Price> OrderBook::bestPrice(Side which) const
{
    return side(which).bestPrice();
}

// Keys grow as prices get worse on both sides, so one comparison of keys serves both sides and
// the compiler needs no branch on the side, which is random in a flow of orders.
inline bool OrderBook::reaches(Side takerSide, Price bound) const
{
    const SideLevels &facing = side(opposite(takerSide));
    return facing.best() && facing.bestKey() <= facing.keyOf(bound);
}

inline Order *OrderBook::bestOrder(Side which)
{
    const PriceLevel *best = side(which).best();
    return best ? best->front : nullptr;
}

inline const Order *OrderBook::bestOrder(Side which) const
{
    const PriceLevel *best = side(which).best();
    return best ? best->front : nullptr;
}

// --- Walking the levels ---

template <typename Function>
void OrderBook::SideLevels::forEachLevel(Function function) const
{
    const std::size_t better = farBetterCount();
    for (std::size_t i = 0; i < better; ++i)
        function(priceOf(m_far[i]->key), m_far[i]->level);

    for (std::size_t group = 0; group < m_summary.size(); ++group) {
        for (std::uint64_t words = m_summary[group]; words != 0; words &= words - 1) {
            const std::size_t word = group * 64 + static_cast<std::size_t>(std::countr_zero(words));
            for (std::uint64_t bits = m_occupied[word]; bits != 0; bits &= bits - 1) {
                const std::size_t offset =
                    word * 64 + static_cast<std::size_t>(std::countr_zero(bits));
                function(priceOf(m_base + static_cast<std::int64_t>(offset)), m_slots[offset]);
            }
        }
    }

    for (std::size_t i = better; i < m_far.size(); ++i)
        function(priceOf(m_far[i]->key), m_far[i]->level);
}

template <typename Function>
void OrderBook::forEachOrder(Side which, Function function) const
{
    side(which).forEachLevel([&function](Price, const PriceLevel &level) {
        for (const Order *order = level.front; order; order = order->next)
            function(*order);
    });
}

} // namespace bourse

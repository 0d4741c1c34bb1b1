#pragma once

#include "events.h"
#include "order_index.h"
#include "pool.h"
#include "types.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace bourse {

struct PriceLevel;

// What only some orders need: a client order id, an iceberg's hidden reserve, a stop price, an
// expiry. Kept apart so that a plain order fits one 64-byte cache line, which is what lets ten
// million resting orders fit in well under a gigabyte.
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

struct PriceLevel {
    Price price;
    Quantity quantity; // sum of the remaining quantity of its orders
    std::uint32_t orderCount = 0;
    Order *front = nullptr;
    Order *back = nullptr;
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
// misses says so; it never returns a neighbour.
class OrderStore {
public:
    OrderStore();
    ~OrderStore();
    OrderStore(const OrderStore &) = delete;
    OrderStore &operator=(const OrderStore &) = delete;

    // A fresh order with the id and default attributes, or nullptr when the id is live.
    Order *create(OrderId id);
    // Returns the order's memory, details included, to the pool; the order must not be
    // linked into a book.
    void destroy(Order *order);

    // The order's details, created with default values on first use.
    OrderDetails &details(Order *order);

    Order *find(OrderId id);
    const Order *find(OrderId id) const;
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
// OrderStore owns; matching and the events it produces live in Engine. Not thread safe: the
// engine thread owns it.
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
    // Price -> level of one side, as an open-addressing table with linear probing, so that an
    // order finds its level without a search through the sorted levels.
    class LevelIndex {
    public:
        LevelIndex();
        PriceLevel *find(Price price) const;
        void insert(PriceLevel *level);
        void erase(Price price);
        void clear();
        std::size_t memoryBytes() const { return m_slots.capacity() * sizeof(PriceLevel *); }

    private:
        std::size_t home(Price price) const;
        void grow();

        std::vector<PriceLevel *> m_slots; // nullptr marks an empty slot
        std::size_t m_mask = 0;
        unsigned m_shift = 0;
        std::size_t m_size = 0;
    };

    struct SideLevels {
        // Sorted from the worst price to the best, so the best level is the back and new
        // levels near the touch move few entries.
        std::vector<PriceLevel *> sorted;
        LevelIndex byPrice;
    };

    SideLevels &side(Side which) { return which == Side::Buy ? m_bids : m_asks; }
    const SideLevels &side(Side which) const { return which == Side::Buy ? m_bids : m_asks; }
    PriceLevel *levelFor(Side which, Price price);
    void eraseLevel(Side which, PriceLevel *level);
    void unlink(Order *order, PriceLevel *level);

    SideLevels m_bids;
    SideLevels m_asks;
    Pool<PriceLevel, 256> m_levels;
    std::size_t m_orderCount = 0;
};

template <typename Function>
void OrderBook::forEachOrder(Side which, Function function) const
{
    const auto &sorted = side(which).sorted;
    for (auto level = sorted.rbegin(); level != sorted.rend(); ++level) {
        for (const Order *order = (*level)->front; order; order = order->next)
            function(*order);
    }
}

} // namespace bourse

#pragma once

#include "order_index.h"
#include "types.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace bourse {

// A resting order. Orders of one price level form a doubly linked FIFO queue.
struct Order {
    OrderId id;
    Side side = Side::Buy;
    Price price;
    Quantity remaining;
    Order *previous = nullptr;
    Order *next = nullptr;
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

// Price levels with FIFO queues for one instrument. It stores state only, because matching and
// the events it produces live in Engine. Not thread safe: the engine thread owns it.
class OrderBook {
public:
    OrderBook();
    ~OrderBook();
    OrderBook(const OrderBook &) = delete;
    OrderBook &operator=(const OrderBook &) = delete;

    // Appends an order at the back of its level. Returns nullptr when the id is live already.
    Order *insert(OrderId id, Side side, Price price, Quantity quantity);

    // Takes quantity off an order that keeps its place; removes it when nothing remains.
    // The caller guarantees 0 < quantity <= order->remaining.
    void reduce(Order *order, Quantity quantity);

    void remove(Order *order);

    // Returns nullptr when no live order has the id; never a neighbour.
    Order *find(OrderId id);
    const Order *find(OrderId id) const;

    // The first order of the best level on a side, or nullptr when the side is empty.
    Order *bestOrder(Side side);

    std::optional<Price> bestPrice(Side side) const;
    std::size_t levelCount(Side side) const;
    std::size_t orderCount() const { return m_orders.size(); }

    // Level at a depth counted from the best (0). The caller checks depth < levelCount(side).
    LevelSummary level(Side side, std::size_t depth) const;

    // Quantity resting at a price, zero when there is no such level.
    Quantity quantityAt(Side side, Price price) const;

    // Orders of a level from front to back; empty when there is no such level.
    std::vector<const Order *> ordersAt(Side side, Price price) const;

    // A hash of every level and every order in queue order. Two books that hash equal hold the
    // same orders in the same places (up to a 64-bit collision).
    std::uint64_t stateHash() const;

    void clear();

private:
    // Levels sorted from the worst price to the best, so the best level is the back.
    using Levels = std::vector<PriceLevel>;

    Levels &levels(Side side) { return side == Side::Buy ? m_bids : m_asks; }
    const Levels &levels(Side side) const { return side == Side::Buy ? m_bids : m_asks; }
    template <typename LevelsType>
    static auto lowerBound(LevelsType &sideLevels, Side side, Price price);
    Levels::iterator findLevel(Side side, Price price);
    Levels::const_iterator findLevel(Side side, Price price) const;
    PriceLevel &levelFor(Side side, Price price);
    void unlink(Order *order);

    Order *allocate();
    void release(Order *order);

    Levels m_bids;
    Levels m_asks;
    OrderIndex m_orders;

    // Orders come from fixed-size blocks and go back to a free list, so steady-state trading
    // allocates nothing per order.
    std::vector<std::unique_ptr<Order[]>> m_blocks;
    std::size_t m_usedInLastBlock = 0;
    Order *m_free = nullptr;
};

} // namespace bourse

#include "order_book.h"

#include <algorithm>
#include <bit>
#include <cassert>

namespace bourse {

namespace {

// Better price first for the side: a higher bid or a lower ask.
bool isBetter(Side side, Price a, Price b)
{
    return side == Side::Buy ? a > b : a < b;
}

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

Order *OrderStore::create(OrderId id)
{
    Order *order = m_orders.acquire();
    order->id = id;
    if (!m_index.insert(order)) {
        m_orders.release(order);
        return nullptr;
    }
    return order;
}

void OrderStore::destroy(Order *order)
{
    m_index.erase(order->id);
    if (order->details)
        m_details.release(order->details);
    m_orders.release(order);
}

OrderDetails &OrderStore::details(Order *order)
{
    if (!order->details)
        order->details = m_details.acquire();
    return *order->details;
}

Order *OrderStore::find(OrderId id)
{
    return m_index.find(id);
}

const Order *OrderStore::find(OrderId id) const
{
    return m_index.find(id);
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

// --- OrderBook::LevelIndex ---

OrderBook::LevelIndex::LevelIndex()
{
    m_slots.assign(64, nullptr);
    m_mask = 63;
    m_shift = 64 - 6;
}

std::size_t OrderBook::LevelIndex::home(Price price) const
{
    return static_cast<std::size_t>(
        (static_cast<std::uint64_t>(price.value()) * 0x9e3779b97f4a7c15ULL) >> m_shift);
}

PriceLevel *OrderBook::LevelIndex::find(Price price) const
{
    for (std::size_t i = home(price);; i = (i + 1) & m_mask) {
        PriceLevel *level = m_slots[i];
        if (!level || level->price == price)
            return level;
    }
}

void OrderBook::LevelIndex::insert(PriceLevel *level)
{
    // At most half full: levels are few, so short probes matter more than space.
    if (2 * (m_size + 1) > m_slots.size())
        grow();
    std::size_t i = home(level->price);
    while (m_slots[i])
        i = (i + 1) & m_mask;
    m_slots[i] = level;
    ++m_size;
}

void OrderBook::LevelIndex::erase(Price price)
{
    std::size_t hole = home(price);
    for (; m_slots[hole]; hole = (hole + 1) & m_mask) {
        if (m_slots[hole]->price == price)
            break;
    }
    if (!m_slots[hole])
        return;
    --m_size;
    // Backward shift, as in OrderIndex: no tombstones.
    for (std::size_t next = (hole + 1) & m_mask; m_slots[next]; next = (next + 1) & m_mask) {
        const std::size_t wanted = home(m_slots[next]->price);
        const bool reachable =
            hole <= next ? (wanted <= hole || wanted > next) : (wanted <= hole && wanted > next);
        if (reachable) {
            m_slots[hole] = m_slots[next];
            hole = next;
        }
    }
    m_slots[hole] = nullptr;
}

void OrderBook::LevelIndex::clear()
{
    std::fill(m_slots.begin(), m_slots.end(), nullptr);
    m_size = 0;
}

void OrderBook::LevelIndex::grow()
{
    std::vector<PriceLevel *> old(m_slots.size() * 2, nullptr);
    old.swap(m_slots);
    m_mask = m_slots.size() - 1;
    m_shift -= 1;
    for (PriceLevel *level : old) {
        if (!level)
            continue;
        std::size_t i = home(level->price);
        while (m_slots[i])
            i = (i + 1) & m_mask;
        m_slots[i] = level;
    }
}

// --- OrderBook ---

OrderBook::OrderBook() = default;

OrderBook::~OrderBook() = default;

PriceLevel *OrderBook::levelFor(Side which, Price price)
{
    SideLevels &levels = side(which);
    // Most orders join the best level; check it before hashing.
    if (!levels.sorted.empty() && levels.sorted.back()->price == price)
        return levels.sorted.back();
    if (PriceLevel *level = levels.byPrice.find(price))
        return level;

    PriceLevel *level = m_levels.acquire();
    level->price = price;
    levels.byPrice.insert(level);
    // Insert before the first level that is not worse than the price.
    auto position = std::lower_bound(levels.sorted.begin(), levels.sorted.end(), price,
                                     [which](const PriceLevel *existing, Price wanted) {
                                         return isBetter(which, wanted, existing->price);
                                     });
    levels.sorted.insert(position, level);
    return level;
}

void OrderBook::eraseLevel(Side which, PriceLevel *level)
{
    SideLevels &levels = side(which);
    if (levels.sorted.back() == level) {
        levels.sorted.pop_back();
    } else {
        auto position = std::lower_bound(levels.sorted.begin(), levels.sorted.end(), level->price,
                                         [which](const PriceLevel *existing, Price wanted) {
                                             return isBetter(which, wanted, existing->price);
                                         });
        assert(position != levels.sorted.end() && *position == level);
        levels.sorted.erase(position);
    }
    levels.byPrice.erase(level->price);
    m_levels.release(level);
}

void OrderBook::add(Order *order)
{
    assert(order->remaining > Quantity{0});
    PriceLevel *level = levelFor(order->side, order->price);
    order->next = nullptr;
    order->previous = level->back;
    if (level->back)
        level->back->next = order;
    else
        level->front = order;
    level->back = order;
    level->quantity += order->remaining;
    ++level->orderCount;
    ++m_orderCount;
}

void OrderBook::reduce(Order *order, Quantity quantity)
{
    assert(quantity > Quantity{0});
    assert(quantity < order->remaining);
    order->remaining -= quantity;
    PriceLevel *level = side(order->side).sorted.back();
    if (level->price != order->price)
        level = side(order->side).byPrice.find(order->price);
    level->quantity -= quantity;
}

void OrderBook::unlink(Order *order, PriceLevel *level)
{
    // Fills take queues from the front: ask for the order after the next one now, so that in a
    // deep queue it is in cache by the time it trades.
    if (!order->previous && order->next)
        __builtin_prefetch(order->next->next);
    if (order->previous)
        order->previous->next = order->next;
    else
        level->front = order->next;
    if (order->next)
        order->next->previous = order->previous;
    else
        level->back = order->previous;
    order->previous = nullptr;
    order->next = nullptr;
    level->quantity -= order->remaining;
    --level->orderCount;
}

void OrderBook::remove(Order *order)
{
    SideLevels &levels = side(order->side);
    PriceLevel *level = levels.sorted.back();
    if (level->price != order->price)
        level = levels.byPrice.find(order->price);
    assert(level);
    unlink(order, level);
    --m_orderCount;
    if (level->orderCount == 0)
        eraseLevel(order->side, level);
}

void OrderBook::requeue(Order *order, Quantity shown)
{
    assert(shown > Quantity{0});
    SideLevels &levels = side(order->side);
    PriceLevel *level = levels.sorted.back();
    if (level->price != order->price)
        level = levels.byPrice.find(order->price);
    unlink(order, level);
    order->remaining = shown;
    order->previous = level->back;
    if (level->back)
        level->back->next = order;
    else
        level->front = order;
    level->back = order;
    level->quantity += shown;
    ++level->orderCount;
}

Order *OrderBook::bestOrder(Side which)
{
    const auto &sorted = side(which).sorted;
    return sorted.empty() ? nullptr : sorted.back()->front;
}

const Order *OrderBook::bestOrder(Side which) const
{
    const auto &sorted = side(which).sorted;
    return sorted.empty() ? nullptr : sorted.back()->front;
}

std::optional<Price> OrderBook::bestPrice(Side which) const
{
    const auto &sorted = side(which).sorted;
    if (sorted.empty())
        return std::nullopt;
    return sorted.back()->price;
}

std::size_t OrderBook::levelCount(Side which) const
{
    return side(which).sorted.size();
}

LevelSummary OrderBook::level(Side which, std::size_t depth) const
{
    const auto &sorted = side(which).sorted;
    const PriceLevel &level = *sorted[sorted.size() - 1 - depth];
    return LevelSummary{level.price, level.quantity, level.orderCount};
}

Quantity OrderBook::quantityAt(Side which, Price price) const
{
    const PriceLevel *level = side(which).byPrice.find(price);
    return level ? level->quantity : Quantity{0};
}

std::vector<const Order *> OrderBook::ordersAt(Side which, Price price) const
{
    std::vector<const Order *> orders;
    if (const PriceLevel *level = side(which).byPrice.find(price)) {
        for (const Order *order = level->front; order; order = order->next)
            orders.push_back(order);
    }
    return orders;
}

std::uint64_t OrderBook::stateHash() const
{
    StateHasher hasher;
    for (Side which : {Side::Buy, Side::Sell}) {
        const auto &sorted = side(which).sorted;
        hasher.add(static_cast<std::uint64_t>(sorted.size()));
        for (auto level = sorted.rbegin(); level != sorted.rend(); ++level) {
            hasher.add((*level)->price.value());
            hasher.add(static_cast<std::uint64_t>((*level)->orderCount));
            for (const Order *order = (*level)->front; order; order = order->next) {
                hasher.add(order->id.value());
                hasher.add(order->remaining.value());
            }
        }
    }
    return hasher.value();
}

void OrderBook::clear()
{
    for (Side which : {Side::Buy, Side::Sell}) {
        SideLevels &levels = side(which);
        for (PriceLevel *level : levels.sorted) {
            for (Order *order = level->front; order;) {
                Order *next = order->next;
                order->previous = nullptr;
                order->next = nullptr;
                order = next;
            }
            m_levels.release(level);
        }
        levels.sorted.clear();
        levels.byPrice.clear();
    }
    m_orderCount = 0;
}

std::size_t OrderBook::memoryBytes() const
{
    std::size_t bytes = m_levels.memoryBytes();
    for (Side which : {Side::Buy, Side::Sell}) {
        const SideLevels &levels = side(which);
        bytes += levels.sorted.capacity() * sizeof(PriceLevel *) + levels.byPrice.memoryBytes();
    }
    return bytes;
}

} // namespace bourse

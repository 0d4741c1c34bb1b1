#include "order_book.h"

#include <algorithm>
#include <cassert>

namespace bourse {

namespace {

constexpr std::size_t kBlockSize = 4096;

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

OrderBook::OrderBook() = default;

OrderBook::~OrderBook() = default;

Order *OrderBook::insert(OrderId id, Side side, Price price, Quantity quantity)
{
    if (m_orders.find(id))
        return nullptr;

    Order *order = allocate();
    *order = Order{id, side, price, quantity, nullptr, nullptr};
    m_orders.insert(id, order);

    PriceLevel &level = levelFor(side, price);
    order->previous = level.back;
    if (level.back)
        level.back->next = order;
    else
        level.front = order;
    level.back = order;
    level.quantity += quantity;
    ++level.orderCount;
    return order;
}

void OrderBook::reduce(Order *order, Quantity quantity)
{
    assert(quantity > Quantity{0});
    assert(quantity <= order->remaining);
    if (quantity >= order->remaining) {
        remove(order);
        return;
    }
    order->remaining -= quantity;
    findLevel(order->side, order->price)->quantity -= quantity;
}

void OrderBook::remove(Order *order)
{
    unlink(order);
    m_orders.erase(order->id);
    release(order);
}

void OrderBook::unlink(Order *order)
{
    Levels &sideLevels = levels(order->side);
    auto level = findLevel(order->side, order->price);
    assert(level != sideLevels.end());

    if (order->previous)
        order->previous->next = order->next;
    else
        level->front = order->next;
    if (order->next)
        order->next->previous = order->previous;
    else
        level->back = order->previous;

    level->quantity -= order->remaining;
    --level->orderCount;
    if (level->orderCount == 0)
        sideLevels.erase(level);
}

Order *OrderBook::find(OrderId id)
{
    return m_orders.find(id);
}

const Order *OrderBook::find(OrderId id) const
{
    return m_orders.find(id);
}

Order *OrderBook::bestOrder(Side side)
{
    Levels &sideLevels = levels(side);
    return sideLevels.empty() ? nullptr : sideLevels.back().front;
}

std::optional<Price> OrderBook::bestPrice(Side side) const
{
    const Levels &sideLevels = levels(side);
    if (sideLevels.empty())
        return std::nullopt;
    return sideLevels.back().price;
}

std::size_t OrderBook::levelCount(Side side) const
{
    return levels(side).size();
}

LevelSummary OrderBook::level(Side side, std::size_t depth) const
{
    const Levels &sideLevels = levels(side);
    const PriceLevel &level = sideLevels[sideLevels.size() - 1 - depth];
    return LevelSummary{level.price, level.quantity, level.orderCount};
}

Quantity OrderBook::quantityAt(Side side, Price price) const
{
    auto level = findLevel(side, price);
    return level == levels(side).end() ? Quantity{0} : level->quantity;
}

std::vector<const Order *> OrderBook::ordersAt(Side side, Price price) const
{
    std::vector<const Order *> orders;
    auto level = findLevel(side, price);
    if (level == levels(side).end())
        return orders;
    for (const Order *order = level->front; order; order = order->next)
        orders.push_back(order);
    return orders;
}

std::uint64_t OrderBook::stateHash() const
{
    StateHasher hasher;
    for (Side side : {Side::Buy, Side::Sell}) {
        const Levels &sideLevels = levels(side);
        hasher.add(static_cast<std::uint64_t>(sideLevels.size()));
        for (auto level = sideLevels.rbegin(); level != sideLevels.rend(); ++level) {
            hasher.add(level->price.value());
            hasher.add(static_cast<std::uint64_t>(level->orderCount));
            for (const Order *order = level->front; order; order = order->next) {
                hasher.add(order->id.value());
                hasher.add(order->remaining.value());
            }
        }
    }
    return hasher.value();
}

void OrderBook::clear()
{
    m_orders.forEach([this](Order *order) { release(order); });
    m_orders.clear();
    m_bids.clear();
    m_asks.clear();
}

// Levels are kept worst-to-best, so the insertion point of a price is the first level that
// is not worse than it.
template <typename LevelsType>
auto OrderBook::lowerBound(LevelsType &sideLevels, Side side, Price price)
{
    return std::lower_bound(sideLevels.begin(), sideLevels.end(), price,
                            [side](const PriceLevel &level, Price wanted) {
                                return isBetter(side, wanted, level.price);
                            });
}

OrderBook::Levels::iterator OrderBook::findLevel(Side side, Price price)
{
    Levels &sideLevels = levels(side);
    auto position = lowerBound(sideLevels, side, price);
    return position != sideLevels.end() && position->price == price ? position : sideLevels.end();
}

OrderBook::Levels::const_iterator OrderBook::findLevel(Side side, Price price) const
{
    const Levels &sideLevels = levels(side);
    auto position = lowerBound(sideLevels, side, price);
    return position != sideLevels.end() && position->price == price ? position : sideLevels.end();
}

PriceLevel &OrderBook::levelFor(Side side, Price price)
{
    Levels &sideLevels = levels(side);
    auto position = lowerBound(sideLevels, side, price);
    if (position != sideLevels.end() && position->price == price)
        return *position;
    return *sideLevels.insert(position, PriceLevel{price, Quantity{0}, 0, nullptr, nullptr});
}

Order *OrderBook::allocate()
{
    if (m_free) {
        Order *order = m_free;
        m_free = order->next;
        return order;
    }
    if (m_blocks.empty() || m_usedInLastBlock == kBlockSize) {
        m_blocks.push_back(std::make_unique<Order[]>(kBlockSize));
        m_usedInLastBlock = 0;
    }
    return &m_blocks.back()[m_usedInLastBlock++];
}

void OrderBook::release(Order *order)
{
    order->next = m_free;
    m_free = order;
}

} // namespace bourse

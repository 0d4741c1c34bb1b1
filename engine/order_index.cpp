#include "order_index.h"

#include <bit>

namespace bourse {

namespace {

// The splitmix64 finalizer: consecutive ids, as exchanges hand them out, spread over the table.
std::uint64_t mix(std::uint64_t key)
{
    key ^= key >> 30;
    key *= 0xbf58476d1ce4e5b9ULL;
    key ^= key >> 27;
    key *= 0x94d049bb133111ebULL;
    key ^= key >> 31;
    return key;
}

} // namespace

OrderIndex::OrderIndex(std::size_t initialCapacity)
{
    const std::size_t capacity = std::bit_ceil(initialCapacity < 16 ? 16 : initialCapacity);
    m_slots.resize(capacity);
    m_mask = capacity - 1;
}

std::size_t OrderIndex::home(std::uint64_t key) const
{
    return static_cast<std::size_t>(mix(key)) & m_mask;
}

Order *OrderIndex::find(OrderId id) const
{
    const std::uint64_t key = id.value();
    for (std::size_t i = home(key);; i = (i + 1) & m_mask) {
        const Slot &slot = m_slots[i];
        if (!slot.order)
            return nullptr;
        if (slot.key == key)
            return slot.order;
    }
}

bool OrderIndex::insert(OrderId id, Order *order)
{
    // At most half full, so probe sequences stay short and always reach an empty slot.
    if (2 * (m_size + 1) > m_slots.size())
        grow();

    const std::uint64_t key = id.value();
    std::size_t i = home(key);
    for (; m_slots[i].order; i = (i + 1) & m_mask) {
        if (m_slots[i].key == key)
            return false;
    }
    m_slots[i] = Slot{key, order};
    ++m_size;
    return true;
}

void OrderIndex::erase(OrderId id)
{
    const std::uint64_t key = id.value();
    std::size_t hole = home(key);
    for (; m_slots[hole].order; hole = (hole + 1) & m_mask) {
        if (m_slots[hole].key == key)
            break;
    }
    if (!m_slots[hole].order)
        return;
    --m_size;

    // Backward shift: move each later entry of the cluster into the hole unless its home lies
    // cyclically after the hole, where a lookup would never reach it.
    for (std::size_t next = (hole + 1) & m_mask; m_slots[next].order; next = (next + 1) & m_mask) {
        const std::size_t wanted = home(m_slots[next].key);
        const bool reachable =
            hole <= next ? (wanted <= hole || wanted > next) : (wanted <= hole && wanted > next);
        if (reachable) {
            m_slots[hole] = m_slots[next];
            hole = next;
        }
    }
    m_slots[hole] = Slot{};
}

void OrderIndex::clear()
{
    for (Slot &slot : m_slots)
        slot = Slot{};
    m_size = 0;
}

void OrderIndex::grow()
{
    std::vector<Slot> old(m_slots.size() * 2);
    old.swap(m_slots);
    m_mask = m_slots.size() - 1;
    m_size = 0;
    for (const Slot &slot : old) {
        if (slot.order)
            insert(OrderId{slot.key}, slot.order);
    }
}

} // namespace bourse

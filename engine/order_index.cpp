#include "order_index.h"

#include "order_book.h"

#include <algorithm>
#include <bit>
#include <cassert>

namespace bourse {

OrderIndex::OrderIndex(std::size_t initialCapacity)
{
    const std::size_t capacity = std::bit_ceil(initialCapacity < 16 ? 16 : initialCapacity);
    m_slots.assign(capacity, 0);
    m_mask = capacity - 1;
    m_shift = static_cast<unsigned>(64 - std::countr_zero(capacity));
}

Order *OrderIndex::find(OrderId id) const
{
    const std::uint64_t h = hash(id);
    const std::uintptr_t wanted = tag(h);
    for (std::size_t i = home(h);; i = (i + 1) & m_mask) {
        const std::uintptr_t slot = m_slots[i];
        if (!slot)
            return nullptr;
        if ((slot & kTagMask) == wanted && orderOf(slot)->id == id)
            return orderOf(slot);
    }
}

bool OrderIndex::insert(Order *order)
{
    assert((reinterpret_cast<std::uintptr_t>(order) & kTagMask) == 0);
    // At most three quarters full: probe sequences stay short and always reach an empty slot.
    if (4 * (m_size + 1) > 3 * m_slots.size())
        grow();

    const std::uint64_t h = hash(order->id);
    const std::uintptr_t wanted = tag(h);
    std::size_t i = home(h);
    for (; m_slots[i]; i = (i + 1) & m_mask) {
        if ((m_slots[i] & kTagMask) == wanted && orderOf(m_slots[i])->id == order->id)
            return false;
    }
    m_slots[i] = reinterpret_cast<std::uintptr_t>(order) | wanted;
    ++m_size;
    return true;
}

void OrderIndex::erase(OrderId id)
{
    const std::uint64_t h = hash(id);
    const std::uintptr_t wanted = tag(h);
    std::size_t hole = home(h);
    for (;; hole = (hole + 1) & m_mask) {
        const std::uintptr_t slot = m_slots[hole];
        if (!slot)
            return;
        if ((slot & kTagMask) == wanted && orderOf(slot)->id == id)
            break;
    }
    --m_size;

    // Backward shift: move each later entry of the cluster into the hole unless its home lies
    // cyclically after the hole, where a lookup would never reach it.
    for (std::size_t next = (hole + 1) & m_mask; m_slots[next]; next = (next + 1) & m_mask) {
        const std::size_t wantedHome = home(hash(orderOf(m_slots[next])->id));
        const bool reachable = hole <= next ? (wantedHome <= hole || wantedHome > next)
                                            : (wantedHome <= hole && wantedHome > next);
        if (reachable) {
            m_slots[hole] = m_slots[next];
            hole = next;
        }
    }
    m_slots[hole] = 0;
}

void OrderIndex::clear()
{
    std::fill(m_slots.begin(), m_slots.end(), 0);
    m_size = 0;
}

void OrderIndex::grow()
{
    std::vector<std::uintptr_t> old(m_slots.size() * 2, 0);
    old.swap(m_slots);
    m_mask = m_slots.size() - 1;
    m_shift -= 1;
    for (std::uintptr_t slot : old) {
        if (!slot)
            continue;
        std::size_t i = home(hash(orderOf(slot)->id));
        while (m_slots[i])
            i = (i + 1) & m_mask;
        m_slots[i] = slot;
    }
}

} // namespace bourse

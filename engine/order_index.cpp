#include "order_index.h"

#include "order_book.h"

#include <algorithm>
#include <bit>
#include <cassert>

namespace bourse {

// --- OrderIndex ---

OrderIndex::OrderIndex() = default;

OrderIndex::~OrderIndex() = default;

Order **OrderIndex::claimSlot(OrderId id)
{
    const std::uint64_t page = id.value() >> kPageBits;
    if (m_pages.empty())
        m_firstPage = page;
    if (page < m_firstPage)
        return nullptr;
    if (page - m_firstPage >= m_pages.size()) {
        dropLeadingEmptyPages(page);
        if (page - m_firstPage >= kMaximumSpan)
            return nullptr;
        // After a drop the doubling stays within the capacity the table already has, unless
        // the id is far ahead of the others.
        const auto index = static_cast<std::size_t>(page - m_firstPage);
        if (index >= m_pages.size())
            m_pages.resize(std::max(index + 1, 2 * m_pages.size()), nullptr);
    }
    Page *&owner = m_pages[static_cast<std::size_t>(page - m_firstPage)];
    if (!owner) {
        // A new page is value-initialized and a released one was emptied: both are all null.
        if (m_freePages.empty()) {
            m_ownedPages.push_back(std::make_unique<Page>());
            m_freePages.push_back(m_ownedPages.back().get());
        }
        owner = m_freePages.back();
        m_freePages.pop_back();
    }
    return &owner->orders[id.value() & (kPageSize - 1)];
}

void OrderIndex::dropLeadingEmptyPages(std::uint64_t page)
{
    const auto firstUsed = std::find_if(m_pages.begin(), m_pages.end(),
                                        [](const Page *candidate) { return candidate != nullptr; });
    const auto empty = static_cast<std::size_t>(firstUsed - m_pages.begin());
    // Dropping fewer than half would move the whole table for little room, at every page
    // boundary. At half or more, the pages that filled the table pay for the move.
    if (empty == 0 || 2 * empty < m_pages.size())
        return;
    if (empty == m_pages.size()) {
        m_pages.clear();
        m_firstPage = page;
        return;
    }
    m_pages.erase(m_pages.begin(), firstUsed);
    m_firstPage += empty;
}

void OrderIndex::releasePage(std::size_t index)
{
    m_freePages.push_back(m_pages[index]);
    m_pages[index] = nullptr;
}

Order *OrderIndex::findScattered(OrderId id) const
{
    return m_scattered.size() ? m_scattered.find(id) : nullptr;
}

bool OrderIndex::insertSlowly(Order *order)
{
    if (m_scattered.size() && m_scattered.find(order->id))
        return false;
    Order **slot = claimSlot(order->id);
    if (!slot)
        return m_scattered.insert(order);
    if (*slot)
        return false;
    *slot = order;
    ++pageOf(order->id)->live;
    ++m_pagedCount;
    return true;
}

void OrderIndex::eraseScattered(OrderId id)
{
    if (m_scattered.size())
        m_scattered.erase(id);
}

void OrderIndex::clear()
{
    for (std::size_t index = 0; index < m_pages.size(); ++index) {
        if (Page *page = m_pages[index]) {
            std::fill(std::begin(page->orders), std::end(page->orders), nullptr);
            page->live = 0;
            releasePage(index);
        }
    }
    m_pages.clear();
    m_pagedCount = 0;
    m_scattered.clear();
}

std::size_t OrderIndex::memoryBytes() const
{
    return m_ownedPages.size() * sizeof(Page) + m_pages.capacity() * sizeof(Page *) +
           m_freePages.capacity() * sizeof(Page *) + m_scattered.memoryBytes();
}

// --- OrderIndex::HashTable ---

OrderIndex::HashTable::HashTable()
{
    m_slots.assign(16, 0);
    m_mask = 15;
    m_shift = 64 - 4;
}

Order *OrderIndex::HashTable::find(OrderId id) const
{
    const std::uint64_t h = hash(id);
    const std::uintptr_t tag = h & kTagMask;
    for (std::size_t i = home(h);; i = (i + 1) & m_mask) {
        const std::uintptr_t slot = m_slots[i];
        if (!slot)
            return nullptr;
        if ((slot & kTagMask) == tag && orderOf(slot)->id == id)
            return orderOf(slot);
    }
}

bool OrderIndex::HashTable::insert(Order *order)
{
    assert((reinterpret_cast<std::uintptr_t>(order) & kTagMask) == 0);
    // At most three quarters full: probe sequences stay short and always reach an empty slot.
    if (4 * (m_size + 1) > 3 * m_slots.size())
        grow();

    const std::uint64_t h = hash(order->id);
    const std::uintptr_t tag = h & kTagMask;
    std::size_t i = home(h);
    for (; m_slots[i]; i = (i + 1) & m_mask) {
        if ((m_slots[i] & kTagMask) == tag && orderOf(m_slots[i])->id == order->id)
            return false;
    }
    m_slots[i] = reinterpret_cast<std::uintptr_t>(order) | tag;
    ++m_size;
    return true;
}

bool OrderIndex::HashTable::erase(OrderId id)
{
    const std::uint64_t h = hash(id);
    const std::uintptr_t tag = h & kTagMask;
    std::size_t hole = home(h);
    for (;; hole = (hole + 1) & m_mask) {
        const std::uintptr_t slot = m_slots[hole];
        if (!slot)
            return false;
        if ((slot & kTagMask) == tag && orderOf(slot)->id == id)
            break;
    }
    --m_size;

    // Backward shift: move each later entry of the cluster into the hole unless its home lies
    // cyclically after the hole, where a lookup would never reach it.
    for (std::size_t next = (hole + 1) & m_mask; m_slots[next]; next = (next + 1) & m_mask) {
        const std::size_t wanted = home(hash(orderOf(m_slots[next])->id));
        const bool reachable =
            hole <= next ? (wanted <= hole || wanted > next) : (wanted <= hole && wanted > next);
        if (reachable) {
            m_slots[hole] = m_slots[next];
            hole = next;
        }
    }
    m_slots[hole] = 0;
    return true;
}

void OrderIndex::HashTable::clear()
{
    std::fill(m_slots.begin(), m_slots.end(), 0);
    m_size = 0;
}

void OrderIndex::HashTable::grow()
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

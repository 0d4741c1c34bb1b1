#pragma once

#include "types.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace bourse {

struct Order;

// Order id -> live order. Engines and exchanges hand out ids that mostly rise, so ids near the
// ones in use map straight to a slot in a page of 4096, found by arithmetic instead of
// hashing: an insert writes next to the previous one and a lookup costs one memory access.
// A page goes back to a free list when its last order leaves. Ids far from the others, such as
// a few much older or much larger ones, go to an open-addressing hash table instead. Neither
// part allocates per insert. A lookup that misses returns nullptr, never a neighbour.
class OrderIndex {
public:
    OrderIndex();
    ~OrderIndex();
    OrderIndex(const OrderIndex &) = delete;
    OrderIndex &operator=(const OrderIndex &) = delete;

    // Returns nullptr when no order has the id.
    Order *find(OrderId id) const
    {
        if (Order **slot = slotFor(id); slot && *slot) [[likely]]
            return *slot;
        return findScattered(id);
    }

    // Indexes the order under its id. Returns false, changing nothing, when the id is present.
    // Defined in order_book.h, where Order is complete.
    bool insert(Order *order);

    // Removes the order with the id; does nothing when there is none.
    void erase(OrderId id)
    {
        Order **slot = slotFor(id);
        if (!slot || !*slot) [[unlikely]] {
            eraseScattered(id);
            return;
        }
        *slot = nullptr;
        --m_pagedCount;
        if (--pageOf(id)->live == 0)
            releasePage(pageIndex(id));
    }
    void clear();

    std::size_t size() const { return m_pagedCount + m_scattered.size(); }
    std::size_t memoryBytes() const;

    template <typename Function>
    void forEach(Function function) const
    {
        for (const Page *page : m_pages) {
            if (!page)
                continue;
            for (Order *order : page->orders) {
                if (order)
                    function(order);
            }
        }
        m_scattered.forEach(function);
    }

private:
    static constexpr unsigned kPageBits = 12;
    static constexpr std::uint64_t kPageSize = std::uint64_t{1} << kPageBits;
    // The page table spans at most this many pages (4 billion ids, 8 MiB of table) past its
    // first page, which moves up past empty pages as the ids in use rise. Ids beyond go to the
    // hash table.
    static constexpr std::uint64_t kMaximumSpan = std::uint64_t{1} << 20;

    struct Page {
        Order *orders[kPageSize];
        std::uint32_t live;
    };

    // Open addressing with linear probing over tagged pointers: the order contains its own id,
    // and the spare low bits of the 64-byte aligned pointer keep a few bits of the id's hash,
    // so a probe rarely touches an order that is not the one sought. Erasing shifts later
    // entries back instead of leaving tombstones.
    class HashTable {
    public:
        HashTable();
        Order *find(OrderId id) const;
        bool insert(Order *order);
        bool erase(OrderId id);
        void clear();
        std::size_t size() const { return m_size; }
        std::size_t memoryBytes() const { return m_slots.capacity() * sizeof(std::uintptr_t); }

        template <typename Function>
        void forEach(Function function) const
        {
            if (m_size == 0)
                return;
            for (std::uintptr_t slot : m_slots) {
                if (slot)
                    function(orderOf(slot));
            }
        }

    private:
        static constexpr std::uintptr_t kTagMask = 63;
        static Order *orderOf(std::uintptr_t slot)
        {
            return reinterpret_cast<Order *>(slot & ~kTagMask);
        }
        // Fibonacci hashing: the top bits of the product pick the slot, the low bits make the
        // tag.
        static std::uint64_t hash(OrderId id) { return id.value() * 0x9e3779b97f4a7c15ULL; }
        std::size_t home(std::uint64_t h) const { return static_cast<std::size_t>(h >> m_shift); }
        void grow();

        std::vector<std::uintptr_t> m_slots; // zero marks an empty slot
        std::size_t m_mask = 0;
        unsigned m_shift = 0; // 64 - log2(capacity)
        std::size_t m_size = 0;
    };

    // The position of an id's page in m_pages; past the end for an id below m_firstPage, as
    // the subtraction wraps around.
    std::uint64_t pageIndex(OrderId id) const { return (id.value() >> kPageBits) - m_firstPage; }
    // The page of an id that has a slot.
    Page *pageOf(OrderId id) const { return m_pages[static_cast<std::size_t>(pageIndex(id))]; }

    // The page slot for an id, or nullptr when the id is outside the paged range or its page
    // is not allocated.
    Order **slotFor(OrderId id) const
    {
        const std::uint64_t index = pageIndex(id);
        if (index >= m_pages.size()) [[unlikely]]
            return nullptr;
        Page *page = m_pages[static_cast<std::size_t>(index)];
        return page ? &page->orders[id.value() & (kPageSize - 1)] : nullptr;
    }
    // The page slot for an id, allocating its page; nullptr when the id is outside the range
    // the page table may span.
    Order **claimSlot(OrderId id);
    // Moves the start of the page table past its leading empty pages when they are at least
    // half of it, so that a table following rising ids spans the live ids rather than every id
    // ever used. When every page is empty, `page` becomes the start.
    void dropLeadingEmptyPages(std::uint64_t page);
    // A page goes back to the free list with every slot empty, as erase() leaves it.
    void releasePage(std::size_t index);

    // The paths that find(), insert() and erase() take for ids outside the allocated pages.
    Order *findScattered(OrderId id) const;
    bool insertSlowly(Order *order);
    void eraseScattered(OrderId id);

    std::vector<Page *> m_pages; // m_pages[i] covers the ids of page m_firstPage + i
    std::uint64_t m_firstPage = 0;
    std::size_t m_pagedCount = 0;
    std::vector<std::unique_ptr<Page>> m_ownedPages;
    std::vector<Page *> m_freePages;
    HashTable m_scattered;
};

} // namespace bourse

#pragma once

#include "types.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace bourse {

struct Order;

// Order id -> live order, as an open-addressing hash table with linear probing. Each slot is
// one tagged pointer: the order holds its own id, and the spare low bits of the 64-byte
// aligned pointer keep a few bits of the id's hash, so a probe rarely touches an order that
// is not the one sought. Eight bytes a slot keep the table small enough to stay in cache for
// a busy book and under a tenth of the memory of ten million resting orders. It allocates
// only when it grows, never per insert, and erasing shifts later entries back instead of
// leaving tombstones, so lookups stay short after heavy churn.
class OrderIndex {
public:
    explicit OrderIndex(std::size_t initialCapacity = 1024);

    // Returns nullptr when no order has the id; never a neighbour.
    Order *find(OrderId id) const;

    // Indexes the order under its id. Returns false, changing nothing, when the id is present.
    bool insert(Order *order);

    // Removes the order with the id; does nothing when there is none.
    void erase(OrderId id);
    void clear();

    std::size_t size() const { return m_size; }
    std::size_t memoryBytes() const { return m_slots.capacity() * sizeof(std::uintptr_t); }

    template <typename Function>
    void forEach(Function function) const
    {
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
    // tag. Consecutive ids, as engines and exchanges hand them out, spread evenly.
    static std::uint64_t hash(OrderId id) { return id.value() * 0x9e3779b97f4a7c15ULL; }
    std::size_t home(std::uint64_t hash) const { return static_cast<std::size_t>(hash >> m_shift); }
    static std::uintptr_t tag(std::uint64_t hash) { return hash & kTagMask; }
    void grow();

    std::vector<std::uintptr_t> m_slots; // zero marks an empty slot
    std::size_t m_mask = 0;
    unsigned m_shift = 0; // 64 - log2(capacity)
    std::size_t m_size = 0;
};

} // namespace bourse

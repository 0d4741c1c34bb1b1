#pragma once

#include "types.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace bourse {

struct Order;

// Order id -> resting order, as an open-addressing hash table with linear probing. Unlike
// std::unordered_map it allocates only when it grows, never per insert, and erasing shifts
// later entries back instead of leaving tombstones, so lookups stay short after heavy churn.
class OrderIndex {
public:
    explicit OrderIndex(std::size_t initialCapacity = 1 << 16);

    // Returns nullptr when no order has the id.
    Order *find(OrderId id) const;

    // Returns false, changing nothing, when the id is present already.
    bool insert(OrderId id, Order *order);

    void erase(OrderId id);
    void clear();

    std::size_t size() const { return m_size; }

    template <typename Function>
    void forEach(Function function) const
    {
        for (const Slot &slot : m_slots) {
            if (slot.order)
                function(slot.order);
        }
    }

private:
    struct Slot {
        std::uint64_t key = 0;
        Order *order = nullptr; // nullptr marks an empty slot
    };

    std::size_t home(std::uint64_t key) const;
    void grow();

    std::vector<Slot> m_slots;
    std::size_t m_mask = 0;
    std::size_t m_size = 0;
};

} // namespace bourse

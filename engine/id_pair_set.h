#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace bourse {

// A set of pairs of 64-bit ids, such as (account, client order id), in an open-addressing
// table with linear probing. It allocates only when it grows, and erasing shifts later entries
// back instead of leaving tombstones. The second id of a pair must not be zero, because a zero
// there marks an empty slot.
class IdPairSet {
public:
    bool contains(std::uint64_t first, std::uint64_t second) const;
    // Adds the pair; does nothing when it is present.
    void insert(std::uint64_t first, std::uint64_t second);
    // Removes the pair; does nothing when it is absent.
    void erase(std::uint64_t first, std::uint64_t second);
    void clear();

    bool empty() const { return m_size == 0; }
    std::size_t size() const { return m_size; }
    std::size_t memoryBytes() const { return m_slots.capacity() * sizeof(Slot); }

private:
    struct Slot {
        std::uint64_t first = 0;
        std::uint64_t second = 0; // zero: empty
    };

    std::size_t home(std::uint64_t first, std::uint64_t second) const;
    std::size_t find(std::uint64_t first, std::uint64_t second) const; // a slot index or npos
    void grow();

    std::vector<Slot> m_slots;
    std::size_t m_mask = 0;
    std::size_t m_size = 0;
};

} // namespace bourse

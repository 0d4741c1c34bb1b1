#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <type_traits>
#include <vector>

namespace bourse {

// Objects of one type from fixed-size blocks, recycled through a free list kept inside the
// released objects themselves, so that steady work allocates nothing per object and the list
// costs no memory. Addresses stay stable until an object is released.
template <typename T, std::size_t BlockSize = 4096>
class Pool {
    static_assert(std::is_trivially_copyable_v<T> && sizeof(T) >= sizeof(void *),
                  "a released object must be able to hold the free list's link");

public:
    Pool() = default;
    Pool(const Pool &) = delete;
    Pool &operator=(const Pool &) = delete;

    // A default-constructed object.
    T *acquire()
    {
        if (m_free) {
            T *object = m_free;
            std::memcpy(&m_free, static_cast<const void *>(object), sizeof m_free);
            *object = T{};
            return object;
        }
        if (m_blocks.empty() || m_usedInLastBlock == BlockSize) {
            m_blocks.push_back(std::make_unique<T[]>(BlockSize));
            m_usedInLastBlock = 0;
        }
        return &m_blocks.back()[m_usedInLastBlock++];
    }

    void release(T *object)
    {
        std::memcpy(static_cast<void *>(object), &m_free, sizeof m_free);
        m_free = object;
    }

    // Forgets every object; blocks stay for reuse.
    void clear()
    {
        m_free = nullptr;
        for (std::size_t block = 0; block < m_blocks.size(); ++block) {
            const std::size_t used = block + 1 < m_blocks.size() ? BlockSize : m_usedInLastBlock;
            for (std::size_t i = 0; i < used; ++i)
                release(&m_blocks[block][i]);
        }
    }

    std::size_t memoryBytes() const
    {
        return m_blocks.size() * BlockSize * sizeof(T) +
               m_blocks.capacity() * sizeof(std::unique_ptr<T[]>);
    }

private:
    std::vector<std::unique_ptr<T[]>> m_blocks;
    std::size_t m_usedInLastBlock = 0;
    T *m_free = nullptr;
};

} // namespace bourse

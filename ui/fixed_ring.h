#pragma once

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <iterator>
#include <utility>
#include <vector>

namespace bourse::ui {

// A first-in first-out store of at most `capacity` elements in one block reserved up front.
// Panels that keep the last N of a stream add at the back and drop from the front many times a
// second. A deque allocates and frees a small node every few elements, which scatters
// long-lived nodes among short-lived temporaries and lets the heap grow for minutes. Here a
// steady stream allocates nothing. The block's pages become resident only as the ring first
// fills.
template <typename T>
class FixedRing {
public:
    template <bool Const>
    class Iterator {
    public:
        using iterator_category = std::random_access_iterator_tag;
        using value_type = T;
        using difference_type = std::ptrdiff_t;
        using pointer = std::conditional_t<Const, const T *, T *>;
        using reference = std::conditional_t<Const, const T &, T &>;
        using Ring = std::conditional_t<Const, const FixedRing, FixedRing>;

        Iterator() = default;
        Iterator(Ring *ring, std::size_t position)
            : m_ring(ring)
            , m_position(position)
        {
        }
        // A mutable iterator converts to a const one, as the standard containers' do.
        operator Iterator<true>() const { return Iterator<true>(m_ring, m_position); }

        reference operator*() const { return (*m_ring)[m_position]; }
        pointer operator->() const { return &(*m_ring)[m_position]; }
        reference operator[](difference_type offset) const { return *(*this + offset); }

        Iterator &operator++()
        {
            ++m_position;
            return *this;
        }
        Iterator operator++(int)
        {
            Iterator before = *this;
            ++m_position;
            return before;
        }
        Iterator &operator--()
        {
            --m_position;
            return *this;
        }
        Iterator operator--(int)
        {
            Iterator before = *this;
            --m_position;
            return before;
        }
        Iterator &operator+=(difference_type offset)
        {
            m_position =
                static_cast<std::size_t>(static_cast<difference_type>(m_position) + offset);
            return *this;
        }
        Iterator &operator-=(difference_type offset) { return *this += -offset; }
        friend Iterator operator+(Iterator it, difference_type offset) { return it += offset; }
        friend Iterator operator+(difference_type offset, Iterator it) { return it += offset; }
        friend Iterator operator-(Iterator it, difference_type offset) { return it -= offset; }
        friend difference_type operator-(const Iterator &a, const Iterator &b)
        {
            return static_cast<difference_type>(a.m_position) -
                   static_cast<difference_type>(b.m_position);
        }
        friend bool operator==(const Iterator &a, const Iterator &b)
        {
            return a.m_position == b.m_position;
        }
        friend auto operator<=>(const Iterator &a, const Iterator &b)
        {
            return a.m_position <=> b.m_position;
        }

    private:
        Ring *m_ring = nullptr;
        std::size_t m_position = 0; // from the oldest element
    };

    using iterator = Iterator<false>;
    using const_iterator = Iterator<true>;
    using reverse_iterator = std::reverse_iterator<iterator>;
    using const_reverse_iterator = std::reverse_iterator<const_iterator>;

    explicit FixedRing(std::size_t capacity)
        : m_capacity(capacity)
    {
        m_slots.reserve(capacity);
    }

    std::size_t capacity() const { return m_capacity; }
    std::size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    bool full() const { return m_size == m_capacity; }

    // Element `index` counted from the oldest.
    T &operator[](std::size_t index) { return m_slots[slotOf(index)]; }
    const T &operator[](std::size_t index) const { return m_slots[slotOf(index)]; }
    T &front() { return (*this)[0]; }
    const T &front() const { return (*this)[0]; }
    T &back() { return (*this)[m_size - 1]; }
    const T &back() const { return (*this)[m_size - 1]; }

    // The ring must not be full: the caller decides what to drop, and when.
    void push_back(T value)
    {
        assert(!full());
        // Until the ring first wraps, the new element goes past the last slot in use.
        if (m_first + m_size == m_slots.size() && m_slots.size() < m_capacity)
            m_slots.push_back(std::move(value));
        else
            m_slots[slotOf(m_size)] = std::move(value);
        ++m_size;
    }

    // Drops the `count` oldest elements, at most all of them. Their slots keep their values
    // until overwritten, so nothing is freed or allocated.
    void dropFront(std::size_t count)
    {
        count = std::min(count, m_size);
        if (count == 0)
            return;
        m_first = (m_first + count) % m_capacity;
        m_size -= count;
    }

    void clear()
    {
        m_first = 0;
        m_size = 0;
    }

    iterator begin() { return iterator(this, 0); }
    iterator end() { return iterator(this, m_size); }
    const_iterator begin() const { return const_iterator(this, 0); }
    const_iterator end() const { return const_iterator(this, m_size); }
    reverse_iterator rbegin() { return reverse_iterator(end()); }
    reverse_iterator rend() { return reverse_iterator(begin()); }
    const_reverse_iterator rbegin() const { return const_reverse_iterator(end()); }
    const_reverse_iterator rend() const { return const_reverse_iterator(begin()); }

private:
    std::size_t slotOf(std::size_t index) const
    {
        assert(index < m_size || (index == m_size && !full()));
        const std::size_t slot = m_first + index;
        return slot < m_capacity ? slot : slot - m_capacity;
    }

    std::size_t m_capacity;
    std::vector<T> m_slots;  // grows to m_capacity within its reserve, then never changes size
    std::size_t m_first = 0; // the slot of the oldest element
    std::size_t m_size = 0;
};

} // namespace bourse::ui

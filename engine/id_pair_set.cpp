#include "id_pair_set.h"

namespace bourse {

namespace {

constexpr std::size_t kNotFound = static_cast<std::size_t>(-1);
constexpr std::size_t kInitialCapacity = 64;

} // namespace

std::size_t IdPairSet::home(std::uint64_t first, std::uint64_t second) const
{
    std::uint64_t hash = (first * 0x9e3779b97f4a7c15ULL) ^ second;
    hash ^= hash >> 31;
    hash *= 0xbf58476d1ce4e5b9ULL;
    hash ^= hash >> 29;
    return static_cast<std::size_t>(hash) & m_mask;
}

std::size_t IdPairSet::find(std::uint64_t first, std::uint64_t second) const
{
    if (m_size == 0)
        return kNotFound;
    for (std::size_t slot = home(first, second);; slot = (slot + 1) & m_mask) {
        const Slot &entry = m_slots[slot];
        if (entry.second == 0)
            return kNotFound;
        if (entry.first == first && entry.second == second)
            return slot;
    }
}

bool IdPairSet::contains(std::uint64_t first, std::uint64_t second) const
{
    return find(first, second) != kNotFound;
}

void IdPairSet::insert(std::uint64_t first, std::uint64_t second)
{
    if (2 * (m_size + 1) > m_slots.size())
        grow();
    std::size_t slot = home(first, second);
    while (m_slots[slot].second != 0) {
        if (m_slots[slot].first == first && m_slots[slot].second == second)
            return;
        slot = (slot + 1) & m_mask;
    }
    m_slots[slot] = Slot{first, second};
    ++m_size;
}

// Backward-shift deletion: later entries of the probe run move into the hole unless their
// home lies cyclically after the hole, which keeps every entry reachable from its home.
void IdPairSet::erase(std::uint64_t first, std::uint64_t second)
{
    std::size_t hole = find(first, second);
    if (hole == kNotFound)
        return;
    for (std::size_t next = (hole + 1) & m_mask; m_slots[next].second != 0;
         next = (next + 1) & m_mask) {
        const std::size_t wanted = home(m_slots[next].first, m_slots[next].second);
        const bool stays = ((next - wanted) & m_mask) < ((next - hole) & m_mask);
        if (stays)
            continue;
        m_slots[hole] = m_slots[next];
        hole = next;
    }
    m_slots[hole] = Slot{};
    --m_size;
}

void IdPairSet::clear()
{
    m_slots.assign(m_slots.size(), Slot{});
    m_size = 0;
}

void IdPairSet::grow()
{
    std::vector<Slot> old;
    old.swap(m_slots);
    m_slots.assign(old.empty() ? kInitialCapacity : 2 * old.size(), Slot{});
    m_mask = m_slots.size() - 1;
    m_size = 0;
    for (const Slot &entry : old) {
        if (entry.second != 0)
            insert(entry.first, entry.second);
    }
}

} // namespace bourse

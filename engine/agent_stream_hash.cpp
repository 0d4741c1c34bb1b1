#include "agent_stream_hash.h"

#include "event_record.h"

#include <bit>
#include <cstring>

namespace bourse {

namespace {

// --- XXH64

constexpr std::uint64_t kPrime1 = 0x9e3779b185ebca87ULL;
constexpr std::uint64_t kPrime2 = 0xc2b2ae3d27d4eb4fULL;
constexpr std::uint64_t kPrime3 = 0x165667b19e3779f9ULL;
constexpr std::uint64_t kPrime4 = 0x85ebca77c2b2ae63ULL;
constexpr std::uint64_t kPrime5 = 0x27d4eb2f165667c5ULL;

// Reads and writes are single loads and stores on little-endian hosts.
constexpr bool kLittleEndian = std::endian::native == std::endian::little;

template <std::size_t Width>
std::uint64_t readLittleEndian(const std::uint8_t *bytes)
{
    std::uint64_t value = 0;
    if constexpr (kLittleEndian) {
        std::memcpy(&value, bytes, Width);
    } else {
        for (std::size_t byte = 0; byte < Width; ++byte)
            value |= std::uint64_t{bytes[byte]} << (8 * byte);
    }
    return value;
}

std::uint64_t accumulate(std::uint64_t lane, std::uint64_t input)
{
    return std::rotl(lane + input * kPrime2, 31) * kPrime1;
}

std::uint64_t mergeLane(std::uint64_t hash, std::uint64_t lane)
{
    return (hash ^ accumulate(0, lane)) * kPrime1 + kPrime4;
}

} // namespace

Xxh64::Xxh64(std::uint64_t seed)
    : m_seed(seed)
    , m_lanes{seed + kPrime1 + kPrime2, seed + kPrime2, seed, seed - kPrime1}
{
}

void Xxh64::consumeStripes(const std::uint8_t *stripes, std::size_t count)
{
    // The lanes stay in registers across the stripes.
    std::uint64_t lane0 = m_lanes[0];
    std::uint64_t lane1 = m_lanes[1];
    std::uint64_t lane2 = m_lanes[2];
    std::uint64_t lane3 = m_lanes[3];
    for (const std::uint8_t *end = stripes + count * kStripeSize; stripes != end;
         stripes += kStripeSize) {
        lane0 = accumulate(lane0, readLittleEndian<8>(stripes));
        lane1 = accumulate(lane1, readLittleEndian<8>(stripes + 8));
        lane2 = accumulate(lane2, readLittleEndian<8>(stripes + 16));
        lane3 = accumulate(lane3, readLittleEndian<8>(stripes + 24));
    }
    m_lanes = {lane0, lane1, lane2, lane3};
}

void Xxh64::update(std::span<const std::uint8_t> bytes)
{
    m_length += bytes.size();
    const std::uint8_t *next = bytes.data();
    const std::uint8_t *end = next + bytes.size();
    if (m_buffered + bytes.size() < kStripeSize) {
        std::memcpy(m_buffer.data() + m_buffered, next, bytes.size());
        m_buffered += bytes.size();
        return;
    }
    if (m_buffered != 0) {
        const std::size_t filling = kStripeSize - m_buffered;
        std::memcpy(m_buffer.data() + m_buffered, next, filling);
        consumeStripes(m_buffer.data(), 1);
        next += filling;
        m_buffered = 0;
    }
    const auto stripes = static_cast<std::size_t>(end - next) / kStripeSize;
    consumeStripes(next, stripes);
    next += stripes * kStripeSize;
    m_buffered = static_cast<std::size_t>(end - next);
    std::memcpy(m_buffer.data(), next, m_buffered);
}

std::uint64_t Xxh64::digest() const
{
    std::uint64_t hash = m_seed + kPrime5;
    if (m_length >= kStripeSize) {
        hash = std::rotl(m_lanes[0], 1) + std::rotl(m_lanes[1], 7) + std::rotl(m_lanes[2], 12) +
               std::rotl(m_lanes[3], 18);
        for (const std::uint64_t lane : m_lanes)
            hash = mergeLane(hash, lane);
    }
    hash += m_length;

    // The buffered tail, under one stripe: 8-byte words, then a 4-byte word, then bytes.
    const std::uint8_t *next = m_buffer.data();
    std::size_t left = m_buffered;
    for (; left >= 8; left -= 8, next += 8)
        hash = std::rotl(hash ^ accumulate(0, readLittleEndian<8>(next)), 27) * kPrime1 + kPrime4;
    if (left >= 4) {
        hash = std::rotl(hash ^ readLittleEndian<4>(next) * kPrime1, 23) * kPrime2 + kPrime3;
        left -= 4;
        next += 4;
    }
    for (; left > 0; --left, ++next)
        hash = std::rotl(hash ^ *next * kPrime5, 11) * kPrime1;

    hash ^= hash >> 33;
    hash *= kPrime2;
    hash ^= hash >> 29;
    hash *= kPrime3;
    hash ^= hash >> 32;
    return hash;
}

EventStreamHash::EventStreamHash(SequenceNumber lastSequence)
    : m_lastSequence(lastSequence)
{
}

void EventStreamHash::onEvent(const Event &event)
{
    if (event.sequence > m_lastSequence)
        return;
    if (m_buffered + kMaximumEventRecordSize > m_buffer.size()) {
        m_hash.update(std::span(m_buffer.data(), m_buffered));
        m_buffered = 0;
    }
    m_buffered += writeEventRecord(event, m_buffer.data() + m_buffered);
    ++m_events;
}

std::uint64_t EventStreamHash::value() const
{
    Xxh64 hash = m_hash;
    hash.update(std::span(m_buffer.data(), m_buffered));
    return hash.digest();
}

} // namespace bourse

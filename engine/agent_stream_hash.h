#pragma once

// The identity of an event stream: one 64-bit hash over every event's bytes in the engine's
// event codec. Two runs that publish the same events, byte for byte, print the same hash. Runs
// that differ in any field print different ones, but for a 64-bit collision.

#include "events.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

namespace bourse {

// XXH64, the 64-bit xxHash by Yann Collet, as the xxHash specification (doc/xxhash_spec.md,
// version 0.1.1) defines it. It is fed in pieces, and the digest of a stream is the digest of
// all its bytes in one piece. XXH64 of "abc" with seed 0 is 44bc2cf5ad770999.
class Xxh64 {
public:
    explicit Xxh64(std::uint64_t seed = 0);

    void update(std::span<const std::uint8_t> bytes);
    std::uint64_t digest() const;

private:
    static constexpr std::size_t kStripeSize = 32;

    void consumeStripes(const std::uint8_t *stripes, std::size_t count);

    std::uint64_t m_seed;
    std::array<std::uint64_t, 4> m_lanes;
    std::array<std::uint8_t, kStripeSize> m_buffer{};
    std::size_t m_buffered = 0;
    std::uint64_t m_length = 0;
};

// The hash of an engine's event stream, as an event handler: XXH64 (seed 0) over one record per
// event, in sequence order, as writeEventRecord() (event_record.h) writes it. Events
// after `lastSequence` are counted out, so a run that overshoots a target still hashes exactly
// the events up to it.
//
// The hash needs no allocation: records collect in a fixed buffer that is hashed as it fills.
class EventStreamHash : public EventHandler {
public:
    explicit EventStreamHash(
        SequenceNumber lastSequence = std::numeric_limits<SequenceNumber>::max());

    void onEvent(const Event &event) override;

    // The hash of the records so far.
    std::uint64_t value() const;
    // The number of events hashed.
    std::uint64_t eventCount() const { return m_events; }

private:
    static constexpr std::size_t kBufferSize = 16 * 1024;

    SequenceNumber m_lastSequence;
    std::uint64_t m_events = 0;
    Xxh64 m_hash;
    std::array<std::uint8_t, kBufferSize> m_buffer;
    std::size_t m_buffered = 0;
};

} // namespace bourse

#pragma once

// The packed event records of a PackedMarketDataBatch (docs/protocol.md, "PackedMarketDataBatch"):
// each field of an event is written as the difference from the same field of the batch's
// previous event of the same type, zigzag-encoded in a variable number of bytes. Book events
// differ little from one to the next (ids count up, prices stay near, times repeat within a
// command), so a record takes about a fifth of its fixed-width size. On an encrypted link every
// byte costs, so this is what lets one subscriber take millions of events a second.

#include "events.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace bourse::net {

struct DecodeError;

// The payload bytes of a PackedMarketDataBatch before its records: codec version, count.
inline constexpr std::size_t kPackedPrefixSize = 1 + 4;
// The smallest packed record: type, sequence difference and time difference of one byte each.
// A payload type has at least one field, and so at least one more byte.
inline constexpr std::size_t kMinimumPackedRecordSize = 4;

namespace packed {

// The previous value of every field of every payload type in one batch: what the next record's
// differences are taken from. A type's values are zero until the batch's first event of it.
class FieldHistory {
public:
    void reset();
    // Returns the values of the payload type at `typeIndex` (its index in EventPayload), zeroed
    // when the batch has not had that type yet.
    std::uint64_t *valuesOf(std::size_t typeIndex);

    std::uint64_t lastSequence = 0;
    std::int64_t lastTime = 0;

private:
    std::array<std::uint64_t, 256> m_values{};
    std::uint64_t m_seenTypes = 0; // bit i: the type of index i had an event in this batch
};

} // namespace packed

// A writer of packed records into a batch's buffer. reset() starts the next batch.
class EventPacker {
public:
    void reset() { m_history.reset(); }
    void append(const Event &event, std::vector<std::uint8_t> &out);

    // A bound on the size of one packed record, which packed_events.cpp checks when it compiles.
    static constexpr std::size_t kLargestRecord = 512;

private:
    packed::FieldHistory m_history;
    std::array<std::uint8_t, kLargestRecord> m_scratch;
};

// Decodes `count` packed records from bytes[offset, end of bytes), which they must fill
// exactly, into `events`, each of `instrument`. The error names the record and its field.
std::optional<DecodeError> readPackedEvents(std::span<const std::uint8_t> bytes, std::size_t offset,
                                            std::uint32_t count, std::uint32_t instrument,
                                            std::vector<Event> &events);

} // namespace bourse::net

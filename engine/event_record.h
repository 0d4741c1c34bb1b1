#pragma once

// An event as a fixed-width record: the sequence number (8 bytes), the time (8 bytes) and the
// instrument id (4 bytes), little-endian, then the payload exactly as appendEncodedPayload()
// (event_codec.h) encodes it. The stream hash and the network protocol's event records are
// built from it.

#include "events.h"

#include <cstddef>
#include <cstdint>

namespace bourse {

// The bytes before the payload: sequence number, time and instrument.
inline constexpr std::size_t kEventRecordPrefixSize = 8 + 8 + 4;
// A bound on the size of a record: the header and at most 256 bytes of payload, which
// event_record.cpp checks against the codec's largest payload when it compiles.
inline constexpr std::size_t kMaximumEventRecordSize = kEventRecordPrefixSize + 256;

// Returns the size writeEventRecord() gives the event: the header and the payload in the current
// codec version. It looks the size up in a table, so a writer can make room before it writes.
std::size_t eventRecordSize(const Event &event);

// Writes the event's record to `out`, which has room for eventRecordSize(event) bytes, and
// returns that size. The payload is written from the codec's own field tables with fixed-width
// stores. The codec appends it a byte at a time, which took about 100 ns a payload in a loop
// over OrderAccepted and OrderAdded payloads, against about 15 ns this way.
std::size_t writeEventRecord(const Event &event, std::uint8_t *out);

} // namespace bourse

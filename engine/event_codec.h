#pragma once

#include "events.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace bourse {

// Binary encoding of an EventPayload, used by the journal and meant for the network.
//
// Layout, little-endian, without padding: one byte codec version, one byte EventType, then the
// fields of that type in the order of its table in event_codec_schema.h, which follows the
// declaration order in events.h. Each field takes the width of its integer representation:
// 8 bytes for order ids, client order ids, prices, quantities and times, 4 for accounts,
// instrument ids and order counts, 1 per enum, and a fixed-size text field takes its size.
// So every type has one fixed size in each codec version.
//
// The encoder always writes eventCodecVersion. The decoder reads every version from
// oldestEventCodecVersion on: a field that an older version lacks keeps its default from
// events.h, so journals written by older builds stay readable. Adding a field or a payload
// kind means a new codec version, with the new fields appended to their tables.
inline constexpr std::uint8_t eventCodecVersion = 4;
inline constexpr std::uint8_t oldestEventCodecVersion = 1;

// Returns the size in bytes of an encoded payload of `type` in codec `version`, the two header
// bytes included. Returns zero when that version has no such type or is not supported.
std::size_t encodedPayloadSize(EventType type, std::uint8_t version = eventCodecVersion);

std::vector<std::uint8_t> encodePayload(const EventPayload &payload);

// Appends the encoding to `out`, leaving what it held before in place, so that a caller can
// reuse one buffer.
void appendEncodedPayload(const EventPayload &payload, std::vector<std::uint8_t> &out);

// Either a payload or the reason the bytes are not one.
struct DecodedPayload {
    std::optional<EventPayload> payload;
    std::string error;        // empty exactly when payload is set
    std::uint8_t version = 0; // the codec version the bytes were written in, once known
};

// Decodes one payload that fills `bytes` exactly. The error names the problem and the field.
// Decoding fails on an unsupported codec version, and on an event type that is unknown or
// newer than the payload's version. It fails on bytes that end inside a field or remain after
// the last field, and on an enum byte outside its enum or newer than the payload's version.
DecodedPayload decodePayload(std::span<const std::uint8_t> bytes);

} // namespace bourse

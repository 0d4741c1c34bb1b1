#pragma once

#include "events.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace bourse {

// Binary encoding of an EventPayload, used by the journal.
//
// Layout, little-endian, without padding: one byte codec version, one byte EventType, then the
// fields of that type in the order events.h declares them. Ids, prices and quantities take
// 8 bytes, enums 1 byte, so every type has one fixed size. Adding a field or a type means a new
// codec version; a decoder accepts only the versions it was built for.
inline constexpr std::uint8_t eventCodecVersion = 1;

// Size in bytes of an encoded payload of the given type, the two header bytes included.
std::size_t encodedPayloadSize(EventType type);

std::vector<std::uint8_t> encodePayload(const EventPayload &payload);

// Appends the encoding to `out`, leaving what it held before in place, so that a caller can
// reuse one buffer.
void appendEncodedPayload(const EventPayload &payload, std::vector<std::uint8_t> &out);

// Either a payload or the reason the bytes are not one.
struct DecodedPayload {
    std::optional<EventPayload> payload;
    std::string error; // empty exactly when payload is set
};

// Decodes one payload that fills `bytes` exactly. Fails, naming the problem, on an unknown
// codec version or event type, on a length other than the type's size, and on an enum byte
// outside its enum.
DecodedPayload decodePayload(std::span<const std::uint8_t> bytes);

} // namespace bourse

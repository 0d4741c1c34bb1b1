#pragma once

// What the two decoders of the feed protocol share. Internal to engine/net.

#include "feed_protocol.h"

namespace bourse::net::feed {

// Checks the field values of a decoded message: sides, statuses and depths in range, positive
// prices and quantities, sizes of zero or more in level changes, snapshot levels best first with
// no price twice, and a sequence number of at least 1 on sequenced messages.
std::optional<DecodeError> checkMessage(const Message &message, std::size_t index);

// Decodes a JSON payload: one object, or an array of objects (docs/feeds.md, "JSON encoding").
std::optional<DecodeError> decodeJson(std::span<const std::uint8_t> payload, Batch &batch);

} // namespace bourse::net::feed

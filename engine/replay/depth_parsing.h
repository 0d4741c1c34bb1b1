#pragma once

// Checks shared by the depth readers. Each returns the problem as text for an InputError, or
// an empty string when there is none.

#include "depth_stream.h"

#include <optional>
#include <string>
#include <string_view>

namespace bourse::replay::detail {

std::string checkScale(const DepthScale &scale);

// Converts a level's decimal price and size at the scale. The price must be positive and the
// size zero or positive, both within what the engine accepts (kMaximumPrice, kMaximumQuantity).
std::string parseLevel(std::string_view price, std::string_view size, const DepthScale &scale,
                       BookLevel &level);

// Milliseconds since the Unix epoch as a Timestamp in nanoseconds; nothing past the year 2262,
// where nanoseconds leave int64.
std::optional<Timestamp> timestampFromMilliseconds(std::uint64_t milliseconds);

} // namespace bourse::replay::detail

#pragma once

#include <cstdint>

namespace bourse::ui {

// Returns the smallest step of the form 1, 2 or 5 times a power of ten that splits `range`
// into at most `maxIntervals` intervals: a range of 730 ticks in at most 8 intervals gives
// 100. Returns 1 when the range or the interval count is not positive.
std::int64_t niceStep(std::int64_t range, std::int64_t maxIntervals);

// Returns the smallest clock-friendly interval of at least `minimum` nanoseconds: 100, 200
// or 500 ms, 1, 2, 5, 10, 15 or 30 s, 1, 2, 5, 10, 15 or 30 min, 1, 2, 3, 6 or 12 h, or a whole
// number of days. The hour steps divide a day, so an hourly chart's labels fall on the same
// hours every day.
std::int64_t niceTimeStep(std::int64_t minimum);

// Returns the smallest multiple of `step` at or above `value`, for negative values too.
// `step` must be positive.
std::int64_t roundUpToMultiple(std::int64_t value, std::int64_t step);

// Returns the largest k for which 10^k divides `value`, at most `limit`. A value of 0 gives 0.
int trailingDecimalZeros(std::int64_t value, int limit);

} // namespace bourse::ui

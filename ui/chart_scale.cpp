#include "chart_scale.h"

#include <array>
#include <limits>

namespace bourse::ui {

std::int64_t niceStep(std::int64_t range, std::int64_t maxIntervals)
{
    if (range <= 0 || maxIntervals <= 0)
        return 1;

    const std::int64_t minimum = (range + maxIntervals - 1) / maxIntervals;
    constexpr std::array<std::int64_t, 3> mantissas{1, 2, 5};
    constexpr std::int64_t largestPower = std::numeric_limits<std::int64_t>::max() / 50;
    for (std::int64_t power = 1; power <= largestPower; power *= 10) {
        for (std::int64_t mantissa : mantissas) {
            if (mantissa * power >= minimum)
                return mantissa * power;
        }
    }
    return minimum;
}

std::int64_t niceTimeStep(std::int64_t minimum)
{
    constexpr std::int64_t millisecond = 1'000'000;
    constexpr std::int64_t second = 1000 * millisecond;
    constexpr std::int64_t minute = 60 * second;
    constexpr std::int64_t hour = 60 * minute;
    constexpr std::int64_t day = 24 * hour;
    constexpr std::array<std::int64_t, 20> steps{
        100 * millisecond, 200 * millisecond, 500 * millisecond, second, 2 * second, 5 * second,
        10 * second,       15 * second,       30 * second,       minute, 2 * minute, 5 * minute,
        10 * minute,       15 * minute,       30 * minute,       hour,   2 * hour,   3 * hour,
        6 * hour,          12 * hour};
    for (std::int64_t step : steps) {
        if (step >= minimum)
            return step;
    }
    return (minimum + day - 1) / day * day;
}

std::int64_t roundUpToMultiple(std::int64_t value, std::int64_t step)
{
    const std::int64_t remainder = value % step;
    if (remainder == 0)
        return value;
    // C++ division truncates toward zero, so a negative value is already rounded up.
    return value > 0 ? value - remainder + step : value - remainder;
}

int trailingDecimalZeros(std::int64_t value, int limit)
{
    if (value == 0)
        return 0;

    int zeros = 0;
    while (zeros < limit && value % 10 == 0) {
        value /= 10;
        ++zeros;
    }
    return zeros;
}

} // namespace bourse::ui

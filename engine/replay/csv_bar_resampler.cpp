#include "csv_bar_resampler.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace bourse::replay {

namespace {

// The start of the interval that `time` falls in, rounding towards negative infinity.
Timestamp intervalStart(Timestamp time, std::int64_t interval)
{
    std::int64_t remainder = time.value() % interval;
    if (remainder < 0)
        remainder += interval;
    return Timestamp{time.value() - remainder};
}

std::uint32_t addCounts(std::uint32_t a, std::uint32_t b)
{
    const std::uint64_t sum = std::uint64_t{a} + b;
    return static_cast<std::uint32_t>(std::min<std::uint64_t>(sum, UINT32_MAX));
}

} // namespace

BarResampler::BarResampler(std::int64_t sourceIntervalNanoseconds,
                           std::int64_t targetIntervalNanoseconds)
    : m_source(sourceIntervalNanoseconds)
    , m_target(targetIntervalNanoseconds)
{
    if (m_source <= 0 || m_target <= 0 || m_target % m_source != 0) {
        throw std::invalid_argument("cannot resample bars of " + std::to_string(m_source) +
                                    " ns into bars of " + std::to_string(m_target) +
                                    " ns: the target interval must be a positive multiple of "
                                    "the positive source interval");
    }
}

std::optional<Bar> BarResampler::add(const Bar &bar)
{
    if (intervalStart(bar.start, m_source) != bar.start) {
        throw std::invalid_argument("bar at " + std::to_string(bar.start.value()) +
                                    " ns does not start on a multiple of " +
                                    std::to_string(m_source) + " ns from the epoch");
    }
    if (m_previousStart && bar.start <= *m_previousStart) {
        throw std::invalid_argument("bar at " + std::to_string(bar.start.value()) +
                                    " ns does not come after the bar at " +
                                    std::to_string(m_previousStart->value()) + " ns");
    }

    const Timestamp start = intervalStart(bar.start, m_target);
    if (!m_forming || m_forming->start != start) {
        std::optional<Bar> completed = m_forming;
        m_forming = bar;
        m_forming->start = start;
        m_previousStart = bar.start;
        return completed;
    }

    std::int64_t volume = 0;
    if (__builtin_add_overflow(m_forming->volume.value(), bar.volume.value(), &volume)) {
        throw std::overflow_error("volume of the bar at " + std::to_string(start.value()) +
                                  " ns leaves 64 bits");
    }
    m_forming->high = std::max(m_forming->high, bar.high);
    m_forming->low = std::min(m_forming->low, bar.low);
    m_forming->close = bar.close;
    m_forming->volume = Quantity{volume};
    m_forming->tradeCount = addCounts(m_forming->tradeCount, bar.tradeCount);
    m_previousStart = bar.start;
    return std::nullopt;
}

std::optional<Bar> BarResampler::finish()
{
    std::optional<Bar> last = m_forming;
    m_forming.reset();
    m_previousStart.reset();
    return last;
}

BarSeries resampleBars(std::span<const Bar> bars, std::int64_t sourceIntervalNanoseconds,
                       std::int64_t targetIntervalNanoseconds)
{
    BarResampler resampler(sourceIntervalNanoseconds, targetIntervalNanoseconds);
    BarSeries series;
    series.intervalNanoseconds = targetIntervalNanoseconds;
    for (const Bar &bar : bars) {
        if (auto completed = resampler.add(bar))
            series.bars.push_back(*completed);
    }
    if (auto last = resampler.finish())
        series.bars.push_back(*last);
    return series;
}

} // namespace bourse::replay

#pragma once

#include "market_view.h"

#include <cstdint>
#include <optional>
#include <span>

namespace bourse::replay {

// Merges bars of one interval into bars of a longer interval that is a whole multiple of it,
// such as the 1-minute bars of a bar file into 5-minute and 1-hour bars. A longer bar starts at
// a multiple of its interval from the Unix epoch, as BarBuilder's bars do. It takes the open of
// the first shorter bar inside it, the close of the last, the highest high and the lowest low.
// Its volume and trade count are sums, and the trade count stops at the uint32 maximum. An
// interval without shorter bars gets no bar, as BarBuilder gives none to an interval without
// trades.
class BarResampler {
public:
    // Throws std::invalid_argument unless the source interval is positive and the target
    // interval is a positive multiple of it.
    BarResampler(std::int64_t sourceIntervalNanoseconds, std::int64_t targetIntervalNanoseconds);

    // Adds the next shorter bar and returns the longer bar that it completes, if any. Throws
    // std::invalid_argument when the bar does not start on a multiple of the source interval
    // from the epoch, or not after the bar before, and std::overflow_error when a volume sum
    // leaves int64. Nothing changes when it throws.
    std::optional<Bar> add(const Bar &bar);

    // Returns the longer bar still forming, if any, and starts afresh.
    std::optional<Bar> finish();

    // The longer bar still forming, if any, as it stands after the bars added so far.
    const std::optional<Bar> &forming() const { return m_forming; }

    std::int64_t targetIntervalNanoseconds() const { return m_target; }

private:
    std::int64_t m_source;
    std::int64_t m_target;
    std::optional<Bar> m_forming;
    std::optional<Timestamp> m_previousStart;
};

// The bars of `bars`, of sourceIntervalNanoseconds and oldest first, merged into a BarSeries of
// targetIntervalNanoseconds. Throws as BarResampler does.
BarSeries resampleBars(std::span<const Bar> bars, std::int64_t sourceIntervalNanoseconds,
                       std::int64_t targetIntervalNanoseconds);

} // namespace bourse::replay

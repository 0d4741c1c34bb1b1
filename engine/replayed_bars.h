#pragma once

#include "market_view.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace bourse {

// Bars that a replayed source carries in place of trades and an order book, such as an OHLCV
// bar file. The engine has no trades to build bars from, so the session shows these instead.
struct ReplayedBars {
    InstrumentId instrument;
    // The source's own interval first, then the longer ones resampled from it, each oldest
    // first. The last bar of a longer frame may still be forming. Bars older than a series
    // keeps are summed in its olderBars.
    std::vector<BarSeries> timeFrames;
    Price firstOpen; // the open of the first bar; zero before it
    Quantity volume; // of every bar so far
    // The reason the source has no order book, a sentence for the book panels.
    std::string bookAbsence;
};

// A ReplayFeed whose market is bars: the session reads them after each step on the engine
// thread.
class BarReplaySource {
public:
    virtual ~BarReplaySource() = default;
    virtual const ReplayedBars &replayedBars() const = 0;
};

// Shows `bars` in `view`: the instrument's row of the market watch takes the last close as its
// last price, the first open as its open and the volume so far, and its sparkline the latest
// closes. When the instrument is the focus, the chart's bars and time frames are the replayed
// ones, each cut to its newest `barsKept` bars. MarketView::bookUnavailable takes the reason
// the source has no book.
void showReplayedBars(const ReplayedBars &bars, std::size_t barsKept, MarketView &view);

} // namespace bourse

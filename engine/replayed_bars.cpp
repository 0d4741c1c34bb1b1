#include "replayed_bars.h"

#include "view_builder.h"

#include <algorithm>

namespace bourse {

namespace {

// The newest `kept` bars of a series; the ones cut off join its older sums.
BarSeries newestBars(const BarSeries &series, std::size_t kept)
{
    BarSeries newest;
    newest.intervalNanoseconds = series.intervalNanoseconds;
    newest.olderBars = series.olderBars;
    const std::size_t cut = series.bars.size() - std::min(series.bars.size(), kept);
    for (std::size_t index = 0; index < cut; ++index)
        newest.olderBars.add(series.bars[index]);
    newest.bars.assign(series.bars.begin() + static_cast<std::ptrdiff_t>(cut), series.bars.end());
    return newest;
}

void showQuote(const ReplayedBars &bars, InstrumentQuote &quote)
{
    const std::vector<Bar> &source = bars.timeFrames.front().bars;
    if (source.empty())
        return;
    quote.last = source.back().close;
    quote.openPrice = bars.firstOpen;
    quote.volume = bars.volume;
    const std::size_t points = std::min(source.size(), MarketViewBuilder::kSparklinePoints);
    quote.sparkline.clear();
    for (auto bar = source.end() - static_cast<std::ptrdiff_t>(points); bar != source.end(); ++bar)
        quote.sparkline.push_back(bar->close);
}

} // namespace

void showReplayedBars(const ReplayedBars &bars, std::size_t barsKept, MarketView &view)
{
    view.bookUnavailable = bars.bookAbsence;
    if (bars.timeFrames.empty())
        return;
    for (InstrumentQuote &quote : view.instruments) {
        if (quote.instrument == bars.instrument)
            showQuote(bars, quote);
    }
    if (view.instrument != bars.instrument)
        return;

    view.timeFrames.clear();
    for (const BarSeries &series : bars.timeFrames)
        view.timeFrames.push_back(newestBars(series, barsKept));
    const BarSeries &source = view.timeFrames.front();
    view.bars = source.bars;
    view.barIntervalNanoseconds = source.intervalNanoseconds;
    view.olderBars = source.olderBars;
}

} // namespace bourse

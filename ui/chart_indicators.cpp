#include "chart_indicators.h"

#include <QObject>

#include <algorithm>

namespace bourse::ui {

namespace {

__extension__ using Int128 = __int128;

constexpr std::int64_t nanosecondsPerSecond = 1'000'000'000;
constexpr std::int64_t nanosecondsPerMinute = 60 * nanosecondsPerSecond;
constexpr std::int64_t nanosecondsPerHour = 60 * nanosecondsPerMinute;

// Returns the point of the exact quotient numerator / denominator, for a positive denominator.
IndicatorPoint pointOf(Timestamp start, Int128 numerator, Int128 denominator)
{
    Int128 quotient = numerator / denominator;
    const Int128 remainder = numerator % denominator;

    // Division truncates toward zero, so the remainder has the numerator's sign.
    const Int128 magnitude = remainder < 0 ? -remainder : remainder;
    Int128 rounded = quotient;
    if (2 * magnitude >= denominator)
        rounded += numerator < 0 ? -1 : 1;

    const double ticks = static_cast<double>(quotient) +
                         static_cast<double>(remainder) / static_cast<double>(denominator);
    return IndicatorPoint{start, Price{static_cast<std::int64_t>(rounded)}, ticks};
}

} // namespace

std::vector<IndicatorPoint> sessionVwap(std::span<const Bar> bars, const VwapSums &olderBars)
{
    std::vector<IndicatorPoint> points;
    points.reserve(bars.size());

    VwapSums sums = olderBars;
    for (const Bar &bar : bars) {
        if (!sums.add(bar))
            break;
        if (sums.volume > 0)
            points.push_back(pointOf(bar.start, sums.weighted, sums.volume));
    }
    return points;
}

std::vector<IndicatorPoint> simpleMovingAverage(std::span<const Bar> bars, std::size_t length)
{
    std::vector<IndicatorPoint> points;
    if (length == 0 || length > bars.size())
        return points;

    points.reserve(bars.size() - length + 1);
    Int128 sum = 0;
    for (std::size_t i = 0; i < bars.size(); ++i) {
        sum += bars[i].close.value();
        if (i >= length)
            sum -= bars[i - length].close.value();
        if (i + 1 >= length)
            points.push_back(pointOf(bars[i].start, sum, static_cast<Int128>(length)));
    }
    return points;
}

CandleSeries chartSeries(const MarketView &view, std::int64_t intervalNanoseconds)
{
    if (view.timeFrames.empty())
        return CandleSeries{view.bars, view.barIntervalNanoseconds, view.olderBars};

    const auto hasLength = [](std::int64_t length) {
        return [length](const BarSeries &series) { return series.intervalNanoseconds == length; };
    };
    auto found = std::find_if(view.timeFrames.begin(), view.timeFrames.end(),
                              hasLength(intervalNanoseconds));
    if (found == view.timeFrames.end()) {
        found = std::find_if(view.timeFrames.begin(), view.timeFrames.end(),
                             hasLength(view.barIntervalNanoseconds));
    }
    if (found == view.timeFrames.end())
        found = view.timeFrames.begin();
    return CandleSeries{found->bars, found->intervalNanoseconds, found->olderBars};
}

std::vector<std::int64_t> timeFrameLengths(const MarketView &view)
{
    std::vector<std::int64_t> lengths;
    lengths.reserve(view.timeFrames.size());
    for (const BarSeries &series : view.timeFrames)
        lengths.push_back(series.intervalNanoseconds);
    return lengths;
}

std::vector<FillMarker> fillMarkers(std::span<const OwnFill> fills, InstrumentId instrument,
                                    std::int64_t intervalNanoseconds)
{
    std::vector<FillMarker> markers;
    if (intervalNanoseconds <= 0)
        return markers;

    for (const OwnFill &fill : fills) {
        if (fill.instrument != instrument)
            continue;
        const Timestamp start{intervalStart(fill.time.value(), intervalNanoseconds)};
        markers.push_back(FillMarker{start, fill.price, fill.side, fill.quantity});
    }
    return markers;
}

std::int64_t intervalStart(std::int64_t time, std::int64_t intervalNanoseconds)
{
    std::int64_t remainder = time % intervalNanoseconds;
    if (remainder < 0)
        remainder += intervalNanoseconds;
    return time - remainder;
}

QString intervalLabel(std::int64_t nanoseconds)
{
    if (nanoseconds <= 0)
        return {};
    if (nanoseconds % nanosecondsPerHour == 0)
        return QStringLiteral("%1h").arg(nanoseconds / nanosecondsPerHour);
    if (nanoseconds % nanosecondsPerMinute == 0)
        return QStringLiteral("%1m").arg(nanoseconds / nanosecondsPerMinute);
    if (nanoseconds % nanosecondsPerSecond == 0)
        return QStringLiteral("%1s").arg(nanoseconds / nanosecondsPerSecond);
    return QStringLiteral("%1ms").arg(nanoseconds / 1'000'000);
}

QString intervalName(std::int64_t nanoseconds)
{
    if (nanoseconds <= 0)
        return {};

    // English plurals without a translation file: Qt's %n forms need one to drop "(s)".
    const auto counted = [](std::int64_t count, const QString &one, const QString &many) {
        return count == 1 ? one : many.arg(count);
    };
    if (nanoseconds % nanosecondsPerHour == 0) {
        return counted(nanoseconds / nanosecondsPerHour, QObject::tr("1 hour"),
                       QObject::tr("%1 hours"));
    }
    if (nanoseconds % nanosecondsPerMinute == 0) {
        return counted(nanoseconds / nanosecondsPerMinute, QObject::tr("1 minute"),
                       QObject::tr("%1 minutes"));
    }
    if (nanoseconds % nanosecondsPerSecond == 0) {
        return counted(nanoseconds / nanosecondsPerSecond, QObject::tr("1 second"),
                       QObject::tr("%1 seconds"));
    }
    return counted(nanoseconds / 1'000'000, QObject::tr("1 millisecond"),
                   QObject::tr("%1 milliseconds"));
}

} // namespace bourse::ui

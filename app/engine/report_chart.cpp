#include "report_chart.h"

#include "report_text.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>

namespace bourse::cli::report {

namespace {

using Int128 = detail::Int128;

constexpr double kWidth = 960;
constexpr double kHeight = 360;
constexpr double kLeft = 100;
constexpr double kRight = 24;
constexpr double kTop = 60;
constexpr double kBottom = 52;
constexpr double kPlotWidth = kWidth - kLeft - kRight;
constexpr double kPlotHeight = kHeight - kTop - kBottom;
// An estimate of the advance of one character at the 12-unit font size, for the legend layout.
constexpr double kCharacterWidth = 6.8;

constexpr std::int64_t kMillisecond = 1'000'000;
constexpr std::int64_t kSecond = 1'000 * kMillisecond;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

// The maximum number of ticks on each axis.
constexpr std::int64_t kMaximumValueTicks = 7;
constexpr std::int64_t kMaximumTimeTicks = 8;

std::string number(double value)
{
    std::array<char, 32> text{};
    const auto result =
        std::to_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed, 1);
    return std::string(text.data(), result.ptr);
}

std::int64_t floorDivide(std::int64_t value, std::int64_t divisor)
{
    const std::int64_t quotient = value / divisor;
    return value % divisor < 0 ? quotient - 1 : quotient;
}

std::int64_t ceilDivide(std::int64_t value, std::int64_t divisor)
{
    return -floorDivide(-value, divisor);
}

// The smallest of 1, 2 and 5 times a power of ten at which `span` needs at most `ticks` steps.
std::int64_t niceStep(Int128 span, std::int64_t ticks)
{
    Int128 power = 1;
    while (true) {
        for (const int factor : {1, 2, 5}) {
            const Int128 step = power * factor;
            if (span / step <= ticks || step >= std::numeric_limits<std::int64_t>::max() / 10)
                return static_cast<std::int64_t>(step);
        }
        power *= 10;
    }
}

// The vertical range in value units, widened to whole steps, and the step between ticks.
struct ValueScale {
    std::int64_t lower = 0;
    std::int64_t upper = 1;
    std::int64_t step = 1;
};

ValueScale valueScale(const ChartSpec &chart)
{
    std::int64_t lowest = std::numeric_limits<std::int64_t>::max();
    std::int64_t highest = std::numeric_limits<std::int64_t>::min();
    const auto include = [&](const std::vector<SeriesPoint> &points) {
        for (const SeriesPoint &point : points) {
            lowest = std::min(lowest, point.value);
            highest = std::max(highest, point.value);
        }
    };
    for (const ChartLine &line : chart.lines)
        include(line.points);
    for (const ChartMarkers &markers : chart.markers)
        include(markers.points);
    if (chart.showZero || lowest > highest)
        include({SeriesPoint{}});

    // A flat series gets one whole currency or price unit of room on each side.
    Int128 padding = (Int128{highest} - lowest) / 20;
    if (highest == lowest) {
        padding = 1;
        for (int digit = 0; digit < chart.valueDecimals && padding < kMaximumPrice.value(); ++digit)
            padding *= 10;
    }
    const Int128 limit = std::numeric_limits<std::int64_t>::max() / 2;
    const Int128 low = std::max<Int128>(Int128{lowest} - padding, -limit);
    const Int128 high = std::min<Int128>(Int128{highest} + padding, limit);

    ValueScale scale;
    scale.step = niceStep(std::max<Int128>(high - low, 1), kMaximumValueTicks - 1);
    scale.lower = floorDivide(static_cast<std::int64_t>(low), scale.step) * scale.step;
    scale.upper = ceilDivide(static_cast<std::int64_t>(high), scale.step) * scale.step;
    return scale;
}

// The horizontal range and the step between ticks, in nanoseconds or sequence numbers.
struct AxisScale {
    std::int64_t from = 0;
    std::int64_t to = 1;
    std::int64_t step = 1;
    bool multiDay = false;
};

std::int64_t positionOf(const SeriesPoint &point, AxisKind axis)
{
    return axis == AxisKind::Time ? point.time.value() : static_cast<std::int64_t>(point.sequence);
}

AxisScale axisScale(const ChartSpec &chart)
{
    AxisScale scale;
    scale.from = positionOf(chart.from, chart.axis);
    scale.to = std::max(positionOf(chart.to, chart.axis), scale.from + 1);
    const Int128 span = Int128{scale.to} - scale.from;
    if (chart.axis == AxisKind::Sequence) {
        scale.step = niceStep(span, kMaximumTimeTicks);
        return scale;
    }

    static constexpr std::array<std::int64_t, 27> kTimeSteps{kMillisecond,
                                                             2 * kMillisecond,
                                                             5 * kMillisecond,
                                                             10 * kMillisecond,
                                                             20 * kMillisecond,
                                                             50 * kMillisecond,
                                                             100 * kMillisecond,
                                                             200 * kMillisecond,
                                                             500 * kMillisecond,
                                                             kSecond,
                                                             2 * kSecond,
                                                             5 * kSecond,
                                                             10 * kSecond,
                                                             15 * kSecond,
                                                             30 * kSecond,
                                                             kMinute,
                                                             2 * kMinute,
                                                             5 * kMinute,
                                                             10 * kMinute,
                                                             15 * kMinute,
                                                             30 * kMinute,
                                                             kHour,
                                                             2 * kHour,
                                                             3 * kHour,
                                                             6 * kHour,
                                                             12 * kHour,
                                                             kDay};
    scale.step = kTimeSteps.back();
    for (const std::int64_t step : kTimeSteps) {
        if (span / step <= kMaximumTimeTicks) {
            scale.step = step;
            break;
        }
    }
    while (span / scale.step > kMaximumTimeTicks)
        scale.step *= 2;
    scale.multiDay = !isTimeOfDay(Timestamp{scale.from}) &&
                     utcDay(Timestamp{scale.from}) != utcDay(Timestamp{scale.to});
    return scale;
}

std::string axisLabel(std::int64_t position, const AxisScale &scale, AxisKind axis)
{
    if (axis == AxisKind::Sequence)
        return formatCount(static_cast<std::uint64_t>(std::max<std::int64_t>(position, 0)));
    // "YYYY-MM-DD HH:MM:SS.mmm" or "HH:MM:SS.mmm", cut to the step's precision.
    const std::string text = formatTime(Timestamp{position}, scale.multiDay);
    const std::size_t clock = scale.multiDay ? 11 : 0;
    const std::size_t length = scale.step < kSecond ? 12 : (scale.step < kMinute ? 8 : 5);
    const std::string date = scale.multiDay ? text.substr(5, 5) + " " : std::string();
    return date + text.substr(clock, length);
}

// Maps axis positions and values to SVG coordinates. Doubles serve only for the drawing.
struct Mapping {
    AxisScale axis;
    ValueScale value;
    AxisKind kind = AxisKind::Time;

    double x(const SeriesPoint &point) const { return xOf(positionOf(point, kind)); }
    double xOf(std::int64_t position) const
    {
        const double share = static_cast<double>(Int128{position} - axis.from) /
                             static_cast<double>(Int128{axis.to} - axis.from);
        return kLeft + std::clamp(share, 0.0, 1.0) * kPlotWidth;
    }
    double y(std::int64_t amount) const
    {
        const double share = static_cast<double>(Int128{amount} - value.lower) /
                             static_cast<double>(Int128{value.upper} - value.lower);
        return kTop + (1.0 - share) * kPlotHeight;
    }
};

void appendText(std::string &out, double x, double y, const std::string &anchor,
                const std::string &text, const std::string &extra = {})
{
    out += "<text x=\"" + number(x) + "\" y=\"" + number(y) + "\" text-anchor=\"" + anchor + "\"" +
           extra + ">" + escapeXml(text) + "</text>\n";
}

void appendValueAxis(std::string &out, const ChartSpec &chart, const Mapping &mapping)
{
    const ValueScale &scale = mapping.value;
    for (std::int64_t tick = scale.lower; tick <= scale.upper; tick += scale.step) {
        const double y = mapping.y(tick);
        out += "<line class=\"grid\" x1=\"" + number(kLeft) + "\" y1=\"" + number(y) + "\" x2=\"" +
               number(kLeft + kPlotWidth) + "\" y2=\"" + number(y) + "\"/>\n";
        appendText(out, kLeft - 8, y + 4, "end", groupedDecimal(tick, chart.valueDecimals));
        if (scale.upper - tick < scale.step)
            break;
    }
    if (chart.showZero && scale.lower < 0 && scale.upper > 0) {
        const double y = mapping.y(0);
        out += "<line class=\"zero\" x1=\"" + number(kLeft) + "\" y1=\"" + number(y) + "\" x2=\"" +
               number(kLeft + kPlotWidth) + "\" y2=\"" + number(y) + "\"/>\n";
    }
    const std::string middle = number(kTop + kPlotHeight / 2);
    appendText(out, 18, kTop + kPlotHeight / 2, "middle", chart.valueTitle,
               " transform=\"rotate(-90 18 " + middle + ")\"");
}

void appendTimeAxis(std::string &out, const ChartSpec &chart, const Mapping &mapping)
{
    const AxisScale &scale = mapping.axis;
    const double bottom = kTop + kPlotHeight;
    const std::int64_t first = ceilDivide(scale.from, scale.step) * scale.step;
    for (Int128 tick = first; tick <= scale.to; tick += scale.step) {
        const double x = mapping.xOf(static_cast<std::int64_t>(tick));
        out += "<line class=\"tick\" x1=\"" + number(x) + "\" y1=\"" + number(bottom) + "\" x2=\"" +
               number(x) + "\" y2=\"" + number(bottom + 5) + "\"/>\n";
        appendText(out, x, bottom + 19, "middle",
                   axisLabel(static_cast<std::int64_t>(tick), scale, chart.axis));
    }
    const std::string title = chart.axis == AxisKind::Time ? "time (UTC)" : "event sequence number";
    appendText(out, kLeft + kPlotWidth / 2, kHeight - 8, "middle", title);
}

// The half width of a marker: smaller as markers crowd, so that the price line stays visible.
double markerSize(const ChartSpec &chart)
{
    std::size_t count = 0;
    for (const ChartMarkers &markers : chart.markers)
        count += markers.points.size();
    return count <= 100 ? 5.0 : (count <= 500 ? 3.5 : 2.5);
}

// Appends a triangle around (x, y), pointing up or down. The path is built with += because
// GCC 12 reports a false -Wrestrict on "literal" + std::string at -O3.
void appendMarkerPath(std::string &out, double x, double y, MarkerShape shape, double size)
{
    const bool up = shape == MarkerShape::TriangleUp;
    const double height = size * 1.8;
    out += 'M';
    out += number(x);
    out += ' ';
    out += number(up ? y - size : y + size);
    out += 'l';
    out += number(size);
    out += ' ';
    out += number(up ? height : -height);
    out += 'h';
    out += number(-2 * size);
    out += 'z';
}

void appendLine(std::string &out, const ChartLine &line, const Mapping &mapping)
{
    if (line.points.empty())
        return;
    std::string path;
    for (std::size_t index = 0; index < line.points.size(); ++index) {
        const SeriesPoint &point = line.points[index];
        path += index == 0 ? 'M' : 'H';
        path += number(mapping.x(point));
        path += index == 0 ? ' ' : 'V';
        path += number(mapping.y(point.value));
    }
    path += 'H';
    path += number(kLeft + kPlotWidth);
    out += "<path class=\"series\" d=\"" + path + "\" stroke=\"" + escapeXml(line.color) + "\"" +
           (line.dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>\n";
}

void appendMarkers(std::string &out, const ChartMarkers &markers, const Mapping &mapping,
                   double size)
{
    if (markers.points.empty())
        return;
    std::string path;
    for (const SeriesPoint &point : markers.points)
        appendMarkerPath(path, mapping.x(point), mapping.y(point.value), markers.shape, size);
    out +=
        "<path class=\"marker\" d=\"" + path + "\" fill=\"" + escapeXml(markers.color) + "\"/>\n";
}

void appendLegend(std::string &out, const ChartSpec &chart)
{
    double x = kLeft;
    const double y = 42;
    for (const ChartLine &line : chart.lines) {
        out += "<line class=\"series\" x1=\"" + number(x) + "\" y1=\"" + number(y - 4) +
               "\" x2=\"" + number(x + 24) + "\" y2=\"" + number(y - 4) + "\" stroke=\"" +
               escapeXml(line.color) + "\"" + (line.dashed ? " stroke-dasharray=\"6 4\"" : "") +
               "/>\n";
        appendText(out, x + 30, y, "start", line.label);
        x += 30 + static_cast<double>(line.label.size()) * kCharacterWidth + 20;
    }
    for (const ChartMarkers &markers : chart.markers) {
        std::string path;
        appendMarkerPath(path, x + 6, y - 4, markers.shape, 5.0);
        out += "<path class=\"marker\" d=\"" + path + "\" fill=\"" + escapeXml(markers.color) +
               "\"/>\n";
        appendText(out, x + 16, y, "start", markers.label);
        x += 16 + static_cast<double>(markers.label.size()) * kCharacterWidth + 20;
    }
}

} // namespace

std::string renderChart(const ChartSpec &chart)
{
    Mapping mapping;
    mapping.kind = chart.axis;
    mapping.axis = axisScale(chart);
    mapping.value = valueScale(chart);

    std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + number(kWidth) +
                      " " + number(kHeight) + "\" width=\"" + number(kWidth) + "\" height=\"" +
                      number(kHeight) + "\" role=\"img\" aria-label=\"" + escapeXml(chart.title) +
                      "\">\n<title>" + escapeXml(chart.title) + "</title>\n";
    out += "<rect class=\"background\" x=\"0\" y=\"0\" width=\"" + number(kWidth) + "\" height=\"" +
           number(kHeight) + "\"/>\n";
    out += "<text class=\"title\" x=\"" + number(kLeft) + "\" y=\"20\">" + escapeXml(chart.title) +
           "</text>\n";
    appendLegend(out, chart);
    appendValueAxis(out, chart, mapping);
    appendTimeAxis(out, chart, mapping);
    out += "<rect class=\"frame\" x=\"" + number(kLeft) + "\" y=\"" + number(kTop) + "\" width=\"" +
           number(kPlotWidth) + "\" height=\"" + number(kPlotHeight) + "\"/>\n";
    for (const ChartLine &line : chart.lines)
        appendLine(out, line, mapping);
    const double size = markerSize(chart);
    for (const ChartMarkers &markers : chart.markers)
        appendMarkers(out, markers, mapping, size);
    return out + "</svg>\n";
}

} // namespace bourse::cli::report

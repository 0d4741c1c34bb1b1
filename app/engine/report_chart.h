#pragma once

// Charts of the session report as inline SVG: step lines and point markers over a time or
// sequence axis, with labelled ticks, a grid and a legend, dark on white. Values stay integers
// until they become pixel positions, and tick labels are exact decimals of those integers.

#include "report_data.h"

#include <cstdint>
#include <string>
#include <vector>

namespace bourse::cli::report {

// The horizontal axis: event time, or the sequence number when every event has the same time,
// as in a scenario without clock lines.
enum class AxisKind : std::uint8_t { Time, Sequence };

// A step line: each value lasts until the next point, and the last one until the axis's end.
struct ChartLine {
    std::string label;
    std::string color; // a CSS colour such as "#1f5fbf"
    bool dashed = false;
    std::vector<SeriesPoint> points; // in sequence order
};

enum class MarkerShape : std::uint8_t { TriangleUp, TriangleDown };

struct ChartMarkers {
    std::string label;
    std::string color;
    MarkerShape shape = MarkerShape::TriangleUp;
    std::vector<SeriesPoint> points;
};

struct ChartSpec {
    std::string title;      // above the plot, and the SVG's accessible name
    std::string valueTitle; // the vertical axis, such as "P&L (USD)"
    int valueDecimals = 0;  // the values are units of 10^-valueDecimals
    AxisKind axis = AxisKind::Time;
    SeriesPoint from; // the horizontal range: its sequence or time is used, by `axis`
    SeriesPoint to;
    bool showZero = false; // keep zero in the vertical range and draw its line
    std::vector<ChartLine> lines;
    std::vector<ChartMarkers> markers;
};

// One <svg> element, well-formed XML, 960 by 360 units, that scales to the width of its box.
std::string renderChart(const ChartSpec &chart);

} // namespace bourse::cli::report

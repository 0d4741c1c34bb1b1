#include "csv_sources.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <string_view>

namespace bourse::replay {

namespace {

enum BarColumn : std::size_t { BarStart, BarOpen, BarHigh, BarLow, BarClose, BarVolume };
constexpr std::array<std::string_view, 6> kBarColumns = {"timestamp", "open",  "high",
                                                         "low",       "close", "volume"};

// "YYYY-MM-DD HH:MM:SS" in UTC, with nine decimals of a second when there is a fraction.
std::string formatUtc(Timestamp time)
{
    using namespace std::chrono;
    const sys_time<nanoseconds> point{nanoseconds{time.value()}};
    const sys_days day = floor<days>(point);
    const year_month_day date{day};
    const hh_mm_ss<nanoseconds> clock{point - day};

    char text[48];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u %02lld:%02lld:%02lld", int{date.year()},
                  unsigned{date.month()}, unsigned{date.day()},
                  static_cast<long long>(clock.hours().count()),
                  static_cast<long long>(clock.minutes().count()),
                  static_cast<long long>(clock.seconds().count()));
    std::string result = text;
    if (clock.subseconds().count() != 0) {
        std::snprintf(text, sizeof text, ".%09lld",
                      static_cast<long long>(clock.subseconds().count()));
        result += text;
    }
    return result;
}

std::string formatInterval(std::int64_t nanoseconds)
{
    if (nanoseconds % 1'000'000'000 == 0)
        return std::to_string(nanoseconds / 1'000'000'000) + " s";
    return std::to_string(nanoseconds) + " ns";
}

} // namespace

std::optional<CsvError> BarReader::open(const std::string &path, Options options)
{
    m_options = options;
    m_interval = options.intervalNanoseconds;
    m_firstStart.reset();
    m_firstLine = 0;
    m_previousStart.reset();
    m_roundedVolumes = 0;

    if (auto error = m_table.open(path, "bar file", kBarColumns, options.scale))
        return error;
    if (options.intervalNanoseconds < 0) {
        m_table.failLine(0, "invalid bar interval " + std::to_string(options.intervalNanoseconds) +
                                " ns: expected a positive interval, or 0 to take it from the "
                                "first two rows");
    }
    return m_table.error();
}

bool BarReader::read(Bar &bar)
{
    return m_table.next() && parseRow(bar);
}

std::optional<Bar> BarReader::next()
{
    Bar bar;
    if (!read(bar))
        return std::nullopt;
    return bar;
}

bool BarReader::parseRow(Bar &bar)
{
    if (!m_table.readDateTime(BarStart, bar.start) || !checkGrid(bar.start))
        return false;
    if (!m_table.readPrice(BarOpen, bar.open) || !m_table.readPrice(BarHigh, bar.high) ||
        !m_table.readPrice(BarLow, bar.low) || !m_table.readPrice(BarClose, bar.close))
        return false;

    bool rounded = false;
    if (!m_table.readVolume(BarVolume, m_options.volumeExcessDecimals, bar.volume, rounded) ||
        !checkPrices(bar))
        return false;
    if (rounded)
        ++m_roundedVolumes;
    bar.tradeCount = 0;
    return true;
}

bool BarReader::checkGrid(Timestamp start)
{
    if (m_previousStart && start <= *m_previousStart) {
        return m_table.fail(BarStart, formatUtc(start) + " does not come after " +
                                          formatUtc(*m_previousStart) +
                                          " on the row before, but bars must be in time order "
                                          "without repeats");
    }
    m_previousStart = start;
    if (!m_firstStart) {
        m_firstStart = start;
        m_firstLine = m_table.lineNumber();
        return true;
    }

    std::int64_t sinceFirst = 0;
    const bool fits = !__builtin_sub_overflow(start.value(), m_firstStart->value(), &sinceFirst);
    if (m_interval == 0 && fits) {
        m_interval = sinceFirst;
        return true;
    }
    if (!fits || sinceFirst % m_interval != 0) {
        return m_table.fail(BarStart, formatUtc(start) +
                                          " is off the grid of the bars: it must be "
                                          "a whole number of " +
                                          formatInterval(m_interval) + " after " +
                                          formatUtc(*m_firstStart) + " on line " +
                                          std::to_string(m_firstLine));
    }
    return true;
}

bool BarReader::checkPrices(const Bar &bar)
{
    const auto text = [this](BarColumn column) {
        return lobster::quotedInput(m_table.field(column));
    };
    if (bar.low > bar.high)
        return m_table.fail(BarLow, "low " + text(BarLow) + " is above high " + text(BarHigh));

    const BarColumn top = bar.open >= bar.close ? BarOpen : BarClose;
    if (bar.high < std::max(bar.open, bar.close)) {
        return m_table.fail(BarHigh, "high " + text(BarHigh) + " is below " +
                                         m_table.columnName(top) + " " + text(top));
    }
    const BarColumn bottom = bar.open <= bar.close ? BarOpen : BarClose;
    if (bar.low > std::min(bar.open, bar.close)) {
        return m_table.fail(BarLow, "low " + text(BarLow) + " is above " +
                                        m_table.columnName(bottom) + " " + text(bottom));
    }
    return true;
}

} // namespace bourse::replay

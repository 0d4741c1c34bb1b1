#include "csv_bar_feed.h"

#include "csv_bar_resampler.h"
#include "csv_sources.h"
#include "csv_table.h"
#include "replayed_bars.h"
#include "replayed_instrument.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace bourse::replay {

namespace {

constexpr std::int64_t kMinute = 60'000'000'000;
constexpr std::array<std::int64_t, 6> kLongerFrames = {
    kMinute, 5 * kMinute, 15 * kMinute, 60 * kMinute, 240 * kMinute, 1'440 * kMinute};
// A series grows to twice this many bars before its oldest half joins its older sums, so that
// trimming costs little per bar.
constexpr std::size_t kKeptBars = 10'000;
// Volumes with more decimals than the fewest that write this share of them exactly are
// rounded, in millionths.
constexpr std::size_t kExactVolumesPerMillion = 999'000;
// The maximum decimals of a scale here. A price with more stops the check at its line.
constexpr int kMaximumScaleDecimals = 9;

std::string headerOf(std::ifstream &file)
{
    std::string header;
    if (!std::getline(file, header))
        return {};
    if (header.starts_with("\xEF\xBB\xBF"))
        header.erase(0, 3);
    return header;
}

std::optional<std::size_t> columnOf(const std::vector<std::string_view> &columns,
                                    std::string_view name)
{
    const auto found = std::find(columns.begin(), columns.end(), name);
    if (found == columns.end())
        return std::nullopt;
    return static_cast<std::size_t>(found - columns.begin());
}

// The scale of a bar file from every row: the most decimals of a price, and the fewest
// decimals that write kExactVolumesPerMillion of the volumes exactly.
DecimalScale scaleOf(const std::string &path)
{
    std::ifstream file(path);
    const std::string header = headerOf(file);
    const std::vector<std::string_view> columns = splitCsvFields(header);
    std::vector<std::size_t> prices;
    for (const std::string_view name : {"open", "high", "low", "close"}) {
        if (const std::optional<std::size_t> column = columnOf(columns, name))
            prices.push_back(*column);
    }
    const std::optional<std::size_t> volume = columnOf(columns, "volume");

    DecimalScale scale;
    std::array<std::size_t, kMaximumScaleDecimals + 2> volumesByDecimals{};
    std::size_t rows = 0;
    std::string line;
    while (std::getline(file, line)) {
        const std::vector<std::string_view> fields = splitCsvFields(line);
        for (const std::size_t column : prices) {
            if (column < fields.size())
                scale.priceDecimals = std::max(scale.priceDecimals, exactDecimals(fields[column]));
        }
        if (volume && *volume < fields.size())
            ++volumesByDecimals[static_cast<std::size_t>(
                std::min(exactDecimals(fields[*volume]), kMaximumScaleDecimals + 1))];
        ++rows;
    }
    scale.priceDecimals = std::min(scale.priceDecimals, kMaximumScaleDecimals);

    std::size_t written = 0;
    for (int decimals = 0; decimals <= kMaximumScaleDecimals; ++decimals) {
        written += volumesByDecimals[static_cast<std::size_t>(decimals)];
        scale.quantityDecimals = decimals;
        if (written * 1'000'000 >= rows * kExactVolumesPerMillion)
            break;
    }
    return scale;
}

// The file name up to its first underscore, or up to a dash before a digit, in capitals.
std::string symbolFor(const std::string &path)
{
    std::string symbol = std::filesystem::path(path).stem().string();
    symbol = symbol.substr(0, symbol.find('_'));
    for (std::size_t dash = symbol.find('-'); dash != std::string::npos;
         dash = symbol.find('-', dash + 1)) {
        if (dash + 1 < symbol.size() &&
            std::isdigit(static_cast<unsigned char>(symbol[dash + 1])) != 0) {
            symbol.resize(dash);
            break;
        }
    }
    for (char &character : symbol)
        character = static_cast<char>(std::toupper(static_cast<unsigned char>(character)));
    return symbol.empty() ? std::string("BARS") : symbol;
}

// Appends a bar, or replaces the last one when it is the same bar still forming.
void append(BarSeries &series, const Bar &bar)
{
    if (!series.bars.empty() && series.bars.back().start == bar.start) {
        series.bars.back() = bar;
        return;
    }
    if (series.bars.size() == 2 * kKeptBars) {
        for (std::size_t index = 0; index < kKeptBars; ++index)
            series.olderBars.add(series.bars[index]);
        series.bars.erase(series.bars.begin(),
                          series.bars.begin() + static_cast<std::ptrdiff_t>(kKeptBars));
    }
    series.bars.push_back(bar);
}

class BarFeed final : public ReplayFeed, public BarReplaySource {
public:
    explicit BarFeed(Engine &engine)
        : m_engine(engine)
    {
    }

    std::optional<std::string> open(const std::string &path);

    Step step() override;

    std::optional<Timestamp> nextTime() const override
    {
        if (!m_next)
            return std::nullopt;
        return Timestamp{m_next->start.value() + m_interval};
    }

    // The check at open() read the file through, so the last bar's end is known.
    std::optional<Timestamp> endTime() const override { return m_end; }

    std::string error() const override { return m_error; }
    std::size_t messages() const override { return m_messages; }
    const ReplayedBars &replayedBars() const override { return m_bars; }

private:
    std::optional<std::string> check(const std::string &path, BarReader::Options &options);
    void setUpFrames(Timestamp firstStart);
    void deliver(const Bar &bar);

    Engine &m_engine;
    BarReader m_reader;
    InstrumentDefinition m_definition;
    bool m_defined = false;
    std::optional<Bar> m_next;
    std::optional<Timestamp> m_end; // the last bar's end
    std::int64_t m_interval = 0;
    std::vector<BarResampler> m_resamplers; // one per longer time frame, in its order
    ReplayedBars m_bars;
    std::size_t m_messages = 0;
    std::string m_error;
};

// Reads the file through once, so that a malformed row is reported before anything plays, and
// learns the interval from it.
std::optional<std::string> BarFeed::check(const std::string &path, BarReader::Options &options)
{
    BarReader reader;
    if (const std::optional<CsvError> error = reader.open(path, options))
        return error->toString();
    Bar bar;
    std::size_t bars = 0;
    Timestamp lastStart;
    while (reader.read(bar)) {
        lastStart = bar.start;
        ++bars;
    }
    if (reader.error())
        return reader.error()->toString();
    if (bars == 0)
        return path + ": the bar file has no bars";
    if (reader.intervalNanoseconds() == 0)
        return path + ": the bar file has one bar, which does not tell the bar interval";
    options.intervalNanoseconds = reader.intervalNanoseconds();
    m_end = Timestamp{lastStart.value() + options.intervalNanoseconds};
    return std::nullopt;
}

std::optional<std::string> BarFeed::open(const std::string &path)
{
    const DecimalScale scale = scaleOf(path);
    BarReader::Options options{.scale = scale,
                               .volumeExcessDecimals = ExcessDecimals::RoundHalfEven};
    if (std::optional<std::string> problem = check(path, options))
        return problem;
    m_interval = options.intervalNanoseconds;
    if (const std::optional<CsvError> error = m_reader.open(path, options))
        return error->toString();
    m_next = m_reader.next();
    if (!m_next)
        return m_reader.error() ? m_reader.error()->toString() : path + ": no bar to read";

    m_definition = replayedInstrument(symbolFor(path), scale.priceDecimals, scale.quantityDecimals);
    m_bars.instrument = m_definition.id;
    m_bars.bookAbsence = "A bar file has no order book: it records only the open, high, low, "
                         "close and volume of each interval.";
    setUpFrames(m_next->start);
    return std::nullopt;
}

// The longer frames need bars on their interval's grid from the epoch, which a file whose bars
// start off a whole multiple of their interval does not give: it keeps its own frame only.
void BarFeed::setUpFrames(Timestamp firstStart)
{
    m_bars.timeFrames.push_back(BarSeries{m_interval, {}, {}});
    if (firstStart.value() % m_interval != 0)
        return;
    for (const std::int64_t frame : kLongerFrames) {
        if (frame > m_interval && frame % m_interval == 0) {
            m_resamplers.emplace_back(m_interval, frame);
            m_bars.timeFrames.push_back(BarSeries{frame, {}, {}});
        }
    }
}

ReplayFeed::Step BarFeed::step()
{
    if (!m_error.empty())
        return Step::Failed;
    if (!m_next) {
        if (!m_reader.error())
            return Step::Finished;
        m_error = m_reader.error()->toString();
        return Step::Failed;
    }
    if (!m_defined) {
        // Defined with the first step, so that the run's handlers see it as event 1.
        m_defined = true;
        m_engine.addInstrument(m_definition, m_next->start);
    }
    const Bar bar = *m_next;
    try {
        deliver(bar);
    } catch (const std::exception &problem) {
        // A longer bar whose volume leaves 64 bits.
        m_error = m_reader.path() + ": " + problem.what();
        return Step::Failed;
    }
    m_next = m_reader.next();
    return Step::Applied;
}

void BarFeed::deliver(const Bar &bar)
{
    if (m_messages == 0)
        m_bars.firstOpen = bar.open;
    ++m_messages;
    m_bars.volume += bar.volume;
    append(m_bars.timeFrames.front(), bar);
    for (std::size_t index = 0; index < m_resamplers.size(); ++index) {
        BarSeries &series = m_bars.timeFrames[index + 1];
        if (const std::optional<Bar> completed = m_resamplers[index].add(bar))
            append(series, *completed);
        append(series, *m_resamplers[index].forming());
    }
    // The engine's clock moves to the bar's end, the market time it is shown at.
    m_engine.advanceTime(Timestamp{bar.start.value() + m_interval});
}

} // namespace

std::optional<BarFeedSource> barFeedSourceFor(const std::string &path)
{
    std::ifstream file(path);
    const std::string header = headerOf(file);
    const std::vector<std::string_view> columns = splitCsvFields(header);
    for (const std::string_view name : {"timestamp", "open", "high", "low", "close", "volume"}) {
        if (!columnOf(columns, name))
            return std::nullopt;
    }
    return BarFeedSource{path};
}

std::unique_ptr<ReplayFeed> openBarFeed(const BarFeedSource &source, Engine &engine,
                                        std::string &error)
{
    auto feed = std::make_unique<BarFeed>(engine);
    if (std::optional<std::string> problem = feed->open(source.path)) {
        error = std::move(*problem);
        return nullptr;
    }
    return feed;
}

} // namespace bourse::replay

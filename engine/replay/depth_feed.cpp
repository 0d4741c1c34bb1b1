#include "depth_feed.h"

#include "depth_replay.h"
#include "depth_stream.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string_view>
#include <utility>
#include <vector>

namespace bourse::replay {

namespace {

constexpr std::string_view kBinanceSnapshotEnd = "depth-snap.csv";
constexpr std::string_view kBinanceUpdateEnd = "depth-update.csv";

bool endsWith(std::string_view text, std::string_view end)
{
    return text.size() >= end.size() && text.substr(text.size() - end.size()) == end;
}

// The decimals that write `text` exactly: "20377.00" needs none, "1.770" two.
int decimalsOf(std::string_view text)
{
    const std::size_t point = text.find('.');
    if (point == std::string_view::npos)
        return 0;
    std::string_view fraction = text.substr(point + 1);
    while (!fraction.empty() && fraction.back() == '0')
        fraction.remove_suffix(1);
    return static_cast<int>(fraction.size());
}

// The decimals of the levels of Bybit's first message. A line that is not the JSON the reader
// expects leaves the scale at zero, and the reader then names the problem and the line.
DepthScale bybitScale(const std::string &path)
{
    DepthScale scale;
    std::ifstream file(path);
    std::string line;
    if (!std::getline(file, line))
        return scale;
    const nlohmann::json message = nlohmann::json::parse(line, nullptr, false);
    if (!message.is_object() || !message.contains("data") || !message["data"].is_object())
        return scale;
    for (const char *side : {"b", "a"}) {
        const auto levels = message["data"].find(side);
        if (levels == message["data"].end() || !levels->is_array())
            continue;
        for (const nlohmann::json &level : *levels) {
            if (!level.is_array() || level.size() != 2 || !level[0].is_string() ||
                !level[1].is_string())
                continue;
            scale.priceDecimals =
                std::max(scale.priceDecimals, decimalsOf(level[0].get<std::string>()));
            scale.sizeDecimals =
                std::max(scale.sizeDecimals, decimalsOf(level[1].get<std::string>()));
        }
    }
    return scale;
}

// The decimals of the price and qty columns of Binance's snapshot file.
DepthScale binanceScale(const std::string &snapshotPath)
{
    DepthScale scale;
    std::ifstream file(snapshotPath);
    std::string line;
    std::getline(file, line); // the header, which the reader checks
    while (std::getline(file, line)) {
        std::vector<std::string_view> fields;
        std::string_view rest = line;
        for (std::size_t comma = rest.find(','); comma != std::string_view::npos;
             comma = rest.find(',')) {
            fields.push_back(rest.substr(0, comma));
            rest.remove_prefix(comma + 1);
        }
        fields.push_back(rest);
        // symbol,timestamp,first_update_id,last_update_id,side,update_type,price,qty,pu
        if (fields.size() != 9)
            continue;
        scale.priceDecimals = std::max(scale.priceDecimals, decimalsOf(fields[6]));
        scale.sizeDecimals = std::max(scale.sizeDecimals, decimalsOf(fields[7]));
    }
    return scale;
}

// A reader that reads one message ahead, so that the session can pace by the next message's
// time before applying it.
class LookAheadReader final : public DepthReader {
public:
    explicit LookAheadReader(std::unique_ptr<DepthReader> reader)
        : m_reader(std::move(reader))
    {
    }

    bool read(DepthUpdate &update) override
    {
        if (!fill())
            return false;
        std::swap(update, m_next);
        m_filled = false;
        return true;
    }

    const std::optional<InputError> &error() const override { return m_reader->error(); }

    std::optional<Timestamp> nextTime() const
    {
        if (!fill())
            return std::nullopt;
        return m_next.exchangeTime;
    }

private:
    bool fill() const
    {
        if (!m_filled && !m_ended) {
            m_filled = m_reader->read(m_next);
            m_ended = !m_filled;
        }
        return m_filled;
    }

    std::unique_ptr<DepthReader> m_reader;
    mutable DepthUpdate m_next;
    mutable bool m_filled = false;
    mutable bool m_ended = false;
};

InstrumentDefinition definitionFor(const std::string &symbol, const DepthScale &scale)
{
    InstrumentDefinition definition;
    definition.id = InstrumentId{1};
    const std::size_t length = std::min(symbol.size(), definition.symbol.size());
    std::copy_n(symbol.begin(), length, definition.symbol.begin());
    definition.priceDecimals = static_cast<std::uint8_t>(scale.priceDecimals);
    definition.quantityDecimals = static_cast<std::uint8_t>(scale.sizeDecimals);
    return definition;
}

class DepthFeed final : public ReplayFeed {
public:
    DepthFeed(Engine &engine, std::unique_ptr<DepthReader> reader, DepthSequencing sequencing,
              std::string path, DepthScale scale)
        : m_engine(engine)
        , m_reader(std::move(reader))
        , m_replay(engine, m_reader, sequencing)
        , m_path(std::move(path))
        , m_scale(scale)
    {
    }

    // The symbol is known once the first message is read, which nextTime() does.
    void setSymbol(std::string symbol) { m_symbol = std::move(symbol); }

    Step step() override
    {
        // The instrument is defined with the first step rather than at opening, so that the
        // run's handlers, such as its journal, see its InstrumentAdded as event 1.
        if (!m_defined) {
            m_defined = true;
            m_engine.addInstrument(definitionFor(m_symbol, m_scale),
                                   nextTime().value_or(Timestamp{0}));
        }
        switch (m_replay.step()) {
        case DepthReplay::Step::Applied:
            ++m_messages;
            return Step::Applied;
        case DepthReplay::Step::Finished:
            return Step::Finished;
        case DepthReplay::Step::Failed:
            break;
        }
        return Step::Failed;
    }

    std::optional<Timestamp> nextTime() const override { return m_reader.nextTime(); }

    std::string error() const override
    {
        if (!m_replay.error()) {
            // Before the first step, reading ahead is what can fail.
            return m_reader.error() ? m_reader.error()->toString()
                                    : m_path + ": the stream has no message";
        }
        // An engine rejection carries the line but no file.
        InputError error = *m_replay.error();
        if (error.file.empty())
            error.file = m_path;
        return error.toString();
    }

    std::size_t messages() const override { return m_messages; }

    std::string staleReason() const override
    {
        const DepthBook &book = m_replay.book();
        if (book.state() == DepthState::AwaitingSnapshot)
            return "no snapshot yet";
        if (book.state() != DepthState::Stale || !book.statistics().lastGap)
            return {};
        const DepthGap &gap = *book.statistics().lastGap;
        return "gap in update ids at line " + std::to_string(gap.line) + ": expected " +
               std::to_string(gap.expected.value()) + ", received " +
               std::to_string(gap.received.value()) + "; the book waits for a snapshot";
    }

private:
    Engine &m_engine;
    LookAheadReader m_reader;
    DepthReplay m_replay;
    std::string m_path;
    DepthScale m_scale;
    std::string m_symbol;
    bool m_defined = false;
    std::size_t m_messages = 0;
};

} // namespace

std::optional<DepthFeedSource> depthFeedSourceFor(const std::string &path)
{
    const std::string name = std::filesystem::path(path).filename().string();
    std::error_code ignored;
    if (endsWith(name, kBinanceSnapshotEnd) || endsWith(name, kBinanceUpdateEnd)) {
        const std::string_view end =
            endsWith(name, kBinanceSnapshotEnd) ? kBinanceSnapshotEnd : kBinanceUpdateEnd;
        DepthFeedSource source;
        source.format = DepthFormat::Binance;
        source.path = path.substr(0, path.size() - end.size());
        source.updatePath = source.path;
        source.path.append(kBinanceSnapshotEnd);
        source.updatePath.append(kBinanceUpdateEnd);
        if (std::filesystem::is_regular_file(source.path, ignored) &&
            std::filesystem::is_regular_file(source.updatePath, ignored))
            return source;
        return std::nullopt;
    }
    std::ifstream file(path);
    std::string line;
    if (!std::getline(file, line))
        return std::nullopt;
    const nlohmann::json message = nlohmann::json::parse(line, nullptr, false);
    if (!message.is_object() || !message.contains("topic") || !message["topic"].is_string() ||
        !message["topic"].get<std::string>().starts_with("orderbook."))
        return std::nullopt;
    return DepthFeedSource{DepthFormat::Bybit, path, {}};
}

std::unique_ptr<ReplayFeed> openDepthFeed(const DepthFeedSource &source, Engine &engine,
                                          std::string &error)
{
    // The concrete reader stays reachable for its symbol once the first message is read.
    std::function<std::string()> symbolOf;
    std::unique_ptr<DepthReader> reader;
    DepthScale scale;
    DepthSequencing sequencing = DepthSequencing::Consecutive;
    if (source.format == DepthFormat::Bybit) {
        scale = bybitScale(source.path);
        auto bybit = std::make_unique<BybitDepthReader>();
        if (const std::optional<InputError> failed = bybit->open(source.path, scale)) {
            error = failed->toString();
            return nullptr;
        }
        symbolOf = [raw = bybit.get()] { return raw->symbol(); };
        reader = std::move(bybit);
    } else {
        scale = binanceScale(source.path);
        sequencing = DepthSequencing::PreviousId;
        auto binance = std::make_unique<BinanceDepthReader>();
        if (const std::optional<InputError> failed =
                binance->open(source.path, source.updatePath, scale)) {
            error = failed->toString();
            return nullptr;
        }
        symbolOf = [raw = binance.get()] { return raw->symbol(); };
        reader = std::move(binance);
    }

    auto feed =
        std::make_unique<DepthFeed>(engine, std::move(reader), sequencing, source.path, scale);
    // Reading the first message ahead names the symbol, and reports an empty or malformed
    // start before the replay begins.
    if (!feed->nextTime()) {
        error = feed->error();
        return nullptr;
    }
    feed->setSymbol(symbolOf());
    return feed;
}

} // namespace bourse::replay

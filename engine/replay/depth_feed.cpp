#include "depth_feed.h"

#include "depth_replay.h"
#include "depth_stream.h"
#include "replayed_instrument.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <numeric>
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

// The decimals `text` is written with: "20377.00" has two, "6203" none. Exchanges write every
// price and size of an instrument at its own scale, so trailing zeros count. A value beyond
// what an instrument can have is capped, and the reader then names its line.
int decimalsOf(std::string_view text)
{
    const std::size_t point = text.find('.');
    if (point == std::string_view::npos)
        return 0;
    return static_cast<int>(std::min<std::size_t>(text.size() - point - 1, kMaximumDecimals));
}

constexpr std::size_t kBybitLinesScanned = 1'000;
constexpr std::size_t kBinanceRowsScanned = 100'000;

// Calls `visit(price, size)` with the text of every level of the first kBybitLinesScanned
// messages: the snapshot and the deltas after it, which may hold more decimals than a snapshot
// of few levels. A line that is not the JSON the reader expects is passed over, and the reader
// then names the problem and the line.
template <typename Visit>
void visitBybitLevels(const std::string &path, Visit visit)
{
    std::ifstream file(path);
    std::string line;
    for (std::size_t read = 0; read < kBybitLinesScanned && std::getline(file, line); ++read) {
        const nlohmann::json message = nlohmann::json::parse(line, nullptr, false);
        if (!message.is_object() || !message.contains("data") || !message["data"].is_object())
            continue;
        for (const char *side : {"b", "a"}) {
            const auto levels = message["data"].find(side);
            if (levels == message["data"].end() || !levels->is_array())
                continue;
            for (const nlohmann::json &level : *levels) {
                if (level.is_array() && level.size() == 2 && level[0].is_string() &&
                    level[1].is_string())
                    visit(level[0].get<std::string>(), level[1].get<std::string>());
            }
        }
    }
}

// Calls `visit(price, size)` with the price and qty of the first kBinanceRowsScanned rows of
// a Binance depth file.
template <typename Visit>
void visitBinanceLevels(const std::string &path, Visit visit)
{
    std::ifstream file(path);
    std::string line;
    std::getline(file, line); // the header, which the reader checks
    for (std::size_t read = 0; read < kBinanceRowsScanned && std::getline(file, line); ++read) {
        std::vector<std::string_view> fields;
        std::string_view rest = line;
        for (std::size_t comma = rest.find(','); comma != std::string_view::npos;
             comma = rest.find(',')) {
            fields.push_back(rest.substr(0, comma));
            rest.remove_prefix(comma + 1);
        }
        fields.push_back(rest);
        // symbol,timestamp,first_update_id,last_update_id,side,update_type,price,qty,pu
        if (fields.size() == 9)
            visit(fields[6], fields[7]);
    }
}

// The terms a stream's levels imply: the decimals they are written with, and the price step,
// the greatest common divisor of their prices at those decimals. Binance writes BTCUSDT's
// prices with two decimals, 20377.00 and 20376.90, on a tick of 0.10: a tick of one unit would
// give the ladder nine empty rows between every two prices the book can have.
struct StreamTerms {
    DepthScale scale;
    Price tick{1};
};

template <typename VisitLevels>
StreamTerms streamTerms(VisitLevels visitLevels)
{
    StreamTerms terms;
    visitLevels([&terms](std::string_view price, std::string_view size) {
        terms.scale.priceDecimals = std::max(terms.scale.priceDecimals, decimalsOf(price));
        terms.scale.sizeDecimals = std::max(terms.scale.sizeDecimals, decimalsOf(size));
    });
    std::int64_t step = 0;
    visitLevels([&](std::string_view price, std::string_view) {
        const DecimalValue value = parseDecimal(price, terms.scale.priceDecimals);
        if (value.error == DecimalError::None && value.units > 0)
            step = std::gcd(step, value.units);
    });
    terms.tick = Price{std::max<std::int64_t>(step, 1)};
    return terms;
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

    // The first line of the next message; 0 at the end.
    std::size_t nextLine() const { return fill() ? m_next.line : 0; }

    // The next message, or null at the end.
    const DepthUpdate *next() const { return fill() ? &m_next : nullptr; }

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

class DepthFeed final : public ReplayFeed {
public:
    DepthFeed(Engine &engine, std::unique_ptr<DepthReader> reader, DepthSequencing sequencing,
              std::string path, DepthScale scale, Price tick)
        : m_engine(engine)
        , m_reader(std::move(reader))
        , m_replay(engine, m_reader, sequencing)
        , m_path(std::move(path))
        , m_scale(scale)
        , m_tick(tick)
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
            InstrumentDefinition definition =
                replayedInstrument(m_symbol, m_scale.priceDecimals, m_scale.sizeDecimals);
            definition.tickSize = m_tick;
            m_engine.addInstrument(definition, nextTime().value_or(Timestamp{0}));
        }
        if (m_failure)
            return Step::Failed;
        // A replay paces by these times and the chart builds bars from them, which assumes a
        // clock that never runs backwards.
        const std::optional<Timestamp> time = nextTime();
        const std::size_t line = m_reader.nextLine();
        if (time && m_lastTime && *time < *m_lastTime) {
            m_failure = m_path + ":" + std::to_string(line) + ": the time " +
                        std::to_string(time->value() / 1'000'000) +
                        " ms is before the previous message's " +
                        std::to_string(m_lastTime->value() / 1'000'000) + " ms";
            return Step::Failed;
        }
        if (const std::optional<Price> off = offTick()) {
            m_failure = m_path + ":" + std::to_string(line) + ": the price of " +
                        std::to_string(off->value()) + " units is not a multiple of the tick of " +
                        std::to_string(m_tick.value()) + " units that the first messages show";
            return Step::Failed;
        }
        switch (m_replay.step()) {
        case DepthReplay::Step::Applied:
            ++m_messages;
            m_lastTime = time;
            noteCrossing(line);
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
        if (m_failure)
            return *m_failure;
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
        if (m_crossedSince != 0)
            return "crossed book since line " + std::to_string(m_crossedSince) +
                   ": the best bid is at or above the best ask";
        if (book.state() != DepthState::Stale || !book.statistics().lastGap)
            return {};
        const DepthGap &gap = *book.statistics().lastGap;
        return "gap in update ids at line " + std::to_string(gap.line) + ": expected " +
               std::to_string(gap.expected.value()) + ", received " +
               std::to_string(gap.received.value()) + "; the book waits for a snapshot";
    }

private:
    // The first price of the next message that is off the tick, which the engine would take
    // and the ladder could not show.
    std::optional<Price> offTick() const
    {
        const DepthUpdate *update = m_reader.next();
        if (update == nullptr || m_tick.value() <= 1)
            return std::nullopt;
        for (const std::vector<BookLevel> *side : {&update->bids, &update->asks}) {
            for (const BookLevel &level : *side) {
                if (level.price.value() % m_tick.value() != 0)
                    return level.price;
            }
        }
        return std::nullopt;
    }

    // An exchange's book is never crossed after a whole message, so a crossed one means the
    // recording lost something: the book is marked until a message uncrosses it.
    void noteCrossing(std::size_t line)
    {
        const std::optional<Price> bid = m_engine.book().bestPrice(Side::Buy);
        const std::optional<Price> ask = m_engine.book().bestPrice(Side::Sell);
        const bool crossed = bid && ask && *bid >= *ask;
        if (!crossed)
            m_crossedSince = 0;
        else if (m_crossedSince == 0)
            m_crossedSince = line;
    }

    Engine &m_engine;
    LookAheadReader m_reader;
    DepthReplay m_replay;
    std::string m_path;
    DepthScale m_scale;
    Price m_tick;
    std::string m_symbol;
    bool m_defined = false;
    std::size_t m_messages = 0;
    std::optional<Timestamp> m_lastTime;
    std::size_t m_crossedSince = 0; // the line after which the book is crossed; 0 while not
    std::optional<std::string> m_failure;
};

} // namespace

std::optional<DepthFeedSource> depthFeedSourceFor(const std::string &path, std::string &problem)
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
        for (const std::string *file : {&source.path, &source.updatePath}) {
            if (!std::filesystem::is_regular_file(*file, ignored)) {
                problem = path + ": a Binance depth file replays with its pair, and " + *file +
                          " is not a file beside it";
                return std::nullopt;
            }
        }
        return source;
    }
    std::ifstream file(path);
    std::string line;
    if (!std::getline(file, line) || !line.starts_with('{'))
        return std::nullopt;
    const nlohmann::json message = nlohmann::json::parse(line, nullptr, false);
    if (!message.is_object() || !message.contains("topic") || !message["topic"].is_string() ||
        !message["topic"].get<std::string>().starts_with("orderbook.")) {
        problem = path + ":1: the line is not a Bybit order-book message (a JSON object whose "
                         "topic starts with \"orderbook.\")";
        return std::nullopt;
    }
    return DepthFeedSource{DepthFormat::Bybit, path, {}};
}

std::unique_ptr<ReplayFeed> openDepthFeed(const DepthFeedSource &source, Engine &engine,
                                          std::string &error)
{
    // The concrete reader stays reachable for its symbol once the first message is read.
    std::function<std::string()> symbolOf;
    std::unique_ptr<DepthReader> reader;
    StreamTerms terms;
    DepthSequencing sequencing = DepthSequencing::Consecutive;
    if (source.format == DepthFormat::Bybit) {
        terms =
            streamTerms([&source](auto visit) { visitBybitLevels(source.path, std::move(visit)); });
        auto bybit = std::make_unique<BybitDepthReader>();
        if (const std::optional<InputError> failed = bybit->open(source.path, terms.scale)) {
            error = failed->toString();
            return nullptr;
        }
        symbolOf = [raw = bybit.get()] { return raw->symbol(); };
        reader = std::move(bybit);
    } else {
        terms = streamTerms([&source](auto visit) {
            visitBinanceLevels(source.path, visit);
            visitBinanceLevels(source.updatePath, visit);
        });
        sequencing = DepthSequencing::PreviousId;
        auto binance = std::make_unique<BinanceDepthReader>();
        if (const std::optional<InputError> failed =
                binance->open(source.path, source.updatePath, terms.scale)) {
            error = failed->toString();
            return nullptr;
        }
        symbolOf = [raw = binance.get()] { return raw->symbol(); };
        reader = std::move(binance);
    }

    auto feed = std::make_unique<DepthFeed>(engine, std::move(reader), sequencing, source.path,
                                            terms.scale, terms.tick);
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

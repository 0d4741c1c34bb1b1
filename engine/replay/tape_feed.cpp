#include "tape_feed.h"

#include "csv_sources.h"
#include "csv_table.h"
#include "replayed_instrument.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <utility>
#include <vector>

namespace bourse::replay {

namespace {

constexpr std::size_t kRowsScanned = 100'000;

enum class TapeKind : std::uint8_t { Trades, Quotes };

// The kind of a file from its header, whose columns the readers find by name.
std::optional<TapeKind> kindOf(const std::string &path)
{
    std::ifstream file(path);
    std::string header;
    if (!std::getline(file, header))
        return std::nullopt;
    if (header.starts_with("\xEF\xBB\xBF"))
        header.erase(0, 3);
    const std::vector<std::string_view> columns = splitCsvFields(header);
    const auto has = [&columns](std::string_view name) {
        return std::find(columns.begin(), columns.end(), name) != columns.end();
    };
    if (has("side") && has("price") && has("amount") && has("timestamp"))
        return TapeKind::Trades;
    if (has("bid_price") && has("ask_price") && has("bid_amount") && has("ask_amount"))
        return TapeKind::Quotes;
    return std::nullopt;
}

// Widens `scale` to the decimals of the first kRowsScanned rows of the columns named.
void scanDecimals(const std::string &path, std::initializer_list<std::string_view> prices,
                  std::initializer_list<std::string_view> amounts, DecimalScale &scale)
{
    std::ifstream file(path);
    std::string line;
    if (!std::getline(file, line))
        return;
    if (line.starts_with("\xEF\xBB\xBF"))
        line.erase(0, 3);
    const std::string header = line;
    const std::vector<std::string_view> columns = splitCsvFields(header);
    std::vector<std::size_t> priceColumns;
    std::vector<std::size_t> amountColumns;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (std::find(prices.begin(), prices.end(), columns[i]) != prices.end())
            priceColumns.push_back(i);
        if (std::find(amounts.begin(), amounts.end(), columns[i]) != amounts.end())
            amountColumns.push_back(i);
    }
    for (std::size_t row = 0; row < kRowsScanned && std::getline(file, line); ++row) {
        const std::vector<std::string_view> fields = splitCsvFields(line);
        for (const std::size_t column : priceColumns) {
            if (column < fields.size())
                scale.priceDecimals = std::max(scale.priceDecimals, exactDecimals(fields[column]));
        }
        for (const std::size_t column : amountColumns) {
            if (column < fields.size())
                scale.quantityDecimals =
                    std::max(scale.quantityDecimals, exactDecimals(fields[column]));
        }
    }
}

// The sibling of a Tardis.dev file: the same name with `from` replaced by `to` in its last
// occurrence, when that file exists.
std::string siblingOf(const std::string &path, std::string_view from, std::string_view to)
{
    const std::filesystem::path file(path);
    std::string name = file.filename().string();
    const std::size_t at = name.rfind(from);
    if (at == std::string::npos)
        return {};
    name.replace(at, from.size(), to);
    const std::filesystem::path sibling = file.parent_path() / name;
    std::error_code ignored;
    return std::filesystem::is_regular_file(sibling, ignored) ? sibling.string() : std::string();
}

// Trades and quotes merged by exchange time into one engine book.
class TapeFeed final : public ReplayFeed {
public:
    TapeFeed(Engine &engine, std::string symbol, DecimalScale scale)
        : m_engine(engine)
        , m_symbol(std::move(symbol))
        , m_scale(scale)
    {
    }

    std::optional<CsvError> open(const TapeFeedSource &source)
    {
        if (!source.tradesPath.empty()) {
            m_trades.emplace();
            if (std::optional<CsvError> error = m_trades->open(source.tradesPath, m_scale))
                return error;
            m_nextTrade = m_trades->next();
            if (m_trades->error())
                return m_trades->error();
        }
        if (!source.quotesPath.empty()) {
            m_quotes.emplace();
            if (std::optional<CsvError> error = m_quotes->open(source.quotesPath, m_scale))
                return error;
            m_nextQuote = m_quotes->next();
            if (m_quotes->error())
                return m_quotes->error();
        }
        if (m_symbol.empty())
            m_symbol = m_trades ? m_trades->symbol() : m_quotes->symbol();
        return std::nullopt;
    }

    Step step() override
    {
        if (m_failure)
            return Step::Failed;
        const bool quoteFirst =
            m_nextQuote && (!m_nextTrade || m_nextQuote->time <= m_nextTrade->time);
        if (!m_nextQuote && !m_nextTrade)
            return readError() ? fail(readError()->toString()) : Step::Finished;

        if (!m_defined) {
            // Defined with the first step, so that the run's handlers see it as event 1.
            m_defined = true;
            m_engine.addInstrument(definition(),
                                   quoteFirst ? m_nextQuote->time : m_nextTrade->time);
        }
        if (quoteFirst) {
            const QuoteRecord quote = std::move(*m_nextQuote);
            if (!applyQuote(quote))
                return Step::Failed;
            m_lastQuoteLine = quote.line;
            m_nextQuote = m_quotes->next();
        } else {
            const TradeRecord trade = std::move(*m_nextTrade);
            if (!applyTrade(trade))
                return Step::Failed;
            m_nextTrade = m_trades->next();
        }
        ++m_messages;
        return Step::Applied;
    }

    std::optional<Timestamp> nextTime() const override
    {
        if (m_nextQuote && m_nextTrade)
            return std::min(m_nextQuote->time, m_nextTrade->time);
        if (m_nextQuote)
            return m_nextQuote->time;
        if (m_nextTrade)
            return m_nextTrade->time;
        return std::nullopt;
    }

    std::string error() const override { return m_failure.value_or("the replay failed"); }
    std::size_t messages() const override { return m_messages; }

    // Trades that go on after the quote file ended print against a book that shows only the
    // last quote.
    std::string staleReason() const override
    {
        if (!m_quotes || m_nextQuote || !m_nextTrade || m_messages == 0)
            return {};
        return "the quote file " + m_quotes->path() + " ended at line " +
               std::to_string(m_lastQuoteLine) + "; the book shows its last quote";
    }

private:
    // The resting order that carries one side's quoted level.
    struct QuotedLevel {
        OrderId id;
        Price price;
    };

    InstrumentDefinition definition() const
    {
        return replayedInstrument(m_symbol, m_scale.priceDecimals, m_scale.quantityDecimals);
    }

    const std::optional<CsvError> &readError() const
    {
        static const std::optional<CsvError> none;
        if (m_trades && m_trades->error())
            return m_trades->error();
        if (m_quotes && m_quotes->error())
            return m_quotes->error();
        return none;
    }

    Step fail(std::string reason)
    {
        m_failure = std::move(reason);
        return Step::Failed;
    }

    bool check(ApplyResult result, const std::string &file, std::size_t line)
    {
        if (result == ApplyResult::Applied)
            return true;
        fail(file + ":" + std::to_string(line) +
             ": the engine rejected the row: " + std::string(nameOf(result)));
        return false;
    }

    // Replaces one side's quoted level with `level`, or removes it when the side is empty.
    bool setLevel(Side side, const std::optional<QuoteLevel> &level, Timestamp time,
                  std::size_t line)
    {
        std::optional<QuotedLevel> &quoted = side == Side::Buy ? m_bid : m_ask;
        if (quoted && m_engine.findOrder(quoted->id) != nullptr) {
            const Order &order = *m_engine.findOrder(quoted->id);
            if (level && quoted->price == level->price && order.remaining == level->quantity)
                return true;
            if (!check(m_engine.applyDelete(quoted->id, time), m_quotes->path(), line))
                return false;
        }
        quoted.reset();
        if (!level)
            return true;
        const OrderId id{m_nextOrderId++};
        if (!check(m_engine.applyAdd(id, side, level->price, level->quantity, time,
                                     OrderOrigin::Recovered),
                   m_quotes->path(), line))
            return false;
        quoted = QuotedLevel{id, level->price};
        return true;
    }

    bool applyQuote(const QuoteRecord &quote)
    {
        return setLevel(Side::Buy, quote.bid, quote.time, quote.line) &&
               setLevel(Side::Sell, quote.ask, quote.time, quote.line);
    }

    bool applyTrade(const TradeRecord &trade)
    {
        // The resting side is the one the aggressor took from.
        const Side resting = trade.aggressor == Side::Buy ? Side::Sell : Side::Buy;
        std::optional<QuotedLevel> &quoted = resting == Side::Buy ? m_bid : m_ask;
        const Order *order =
            quoted && quoted->price == trade.price ? m_engine.findOrder(quoted->id) : nullptr;
        if (order != nullptr && order->remaining >= trade.quantity) {
            const OrderId id = quoted->id;
            if (order->remaining == trade.quantity)
                quoted.reset();
            return check(m_engine.applyExecution(id, trade.quantity, trade.time), m_trades->path(),
                         trade.line);
        }
        // The print is larger than the quoted size, or away from the quote: the quantity it
        // took rests only for this trade.
        const OrderId id{m_nextOrderId++};
        return check(m_engine.applyAdd(id, resting, trade.price, trade.quantity, trade.time,
                                       OrderOrigin::Recovered),
                     m_trades->path(), trade.line) &&
               check(m_engine.applyExecution(id, trade.quantity, trade.time), m_trades->path(),
                     trade.line);
    }

    Engine &m_engine;
    std::string m_symbol;
    DecimalScale m_scale;
    std::optional<TradeReader> m_trades;
    std::optional<QuoteReader> m_quotes;
    std::optional<TradeRecord> m_nextTrade;
    std::optional<QuoteRecord> m_nextQuote;
    std::optional<QuotedLevel> m_bid;
    std::optional<QuotedLevel> m_ask;
    std::uint64_t m_nextOrderId = 1;
    bool m_defined = false;
    std::size_t m_messages = 0;
    std::size_t m_lastQuoteLine = 0;
    std::optional<std::string> m_failure;
};

} // namespace

std::optional<TapeFeedSource> tapeFeedSourceFor(const std::string &path)
{
    const std::optional<TapeKind> kind = kindOf(path);
    if (!kind)
        return std::nullopt;
    TapeFeedSource source;
    if (*kind == TapeKind::Trades) {
        source.tradesPath = path;
        const std::string quotes = siblingOf(path, "trades", "quotes");
        if (!quotes.empty() && kindOf(quotes) == TapeKind::Quotes)
            source.quotesPath = quotes;
    } else {
        source.quotesPath = path;
        const std::string trades = siblingOf(path, "quotes", "trades");
        if (!trades.empty() && kindOf(trades) == TapeKind::Trades)
            source.tradesPath = trades;
    }
    return source;
}

DecimalScale tapeScaleOf(const TapeFeedSource &source)
{
    DecimalScale scale;
    if (!source.tradesPath.empty())
        scanDecimals(source.tradesPath, {"price"}, {"amount"}, scale);
    if (!source.quotesPath.empty())
        scanDecimals(source.quotesPath, {"bid_price", "ask_price"}, {"bid_amount", "ask_amount"},
                     scale);
    return scale;
}

std::unique_ptr<ReplayFeed> openTapeFeed(const TapeFeedSource &source, Engine &engine,
                                         std::string &error)
{
    const DecimalScale scale = tapeScaleOf(source);
    auto feed = std::make_unique<TapeFeed>(engine, std::string(), scale);
    if (const std::optional<CsvError> failed = feed->open(source)) {
        error = failed->toString();
        return nullptr;
    }
    if (!feed->nextTime()) {
        error = (source.tradesPath.empty() ? source.quotesPath : source.tradesPath) +
                ": the file has no row";
        return nullptr;
    }
    return feed;
}

} // namespace bourse::replay

#include "csv_sources.h"

#include <array>
#include <string_view>

namespace bourse::replay {

namespace {

enum TradeColumn : std::size_t {
    TradeExchange,
    TradeSymbol,
    TradeTime,
    TradeReceivedTime,
    TradeId,
    TradeSide,
    TradePrice,
    TradeAmount,
};
constexpr std::array<std::string_view, 8> kTradeColumns = {
    "exchange", "symbol", "timestamp", "local_timestamp", "id", "side", "price", "amount"};

enum QuoteColumn : std::size_t {
    QuoteExchange,
    QuoteSymbol,
    QuoteTime,
    QuoteReceivedTime,
    QuoteAskAmount,
    QuoteAskPrice,
    QuoteBidPrice,
    QuoteBidAmount,
};
constexpr std::array<std::string_view, 8> kQuoteColumns = {
    "exchange",   "symbol",    "timestamp", "local_timestamp",
    "ask_amount", "ask_price", "bid_price", "bid_amount"};

// Reads `column` as a time that must not be earlier than `previous`, and makes it the new
// `previous`.
bool readOrderedTime(CsvTable &table, std::size_t column, std::optional<Timestamp> &previous,
                     Timestamp &time)
{
    if (!table.readEpochMicroseconds(column, time))
        return false;
    if (previous && time < *previous) {
        return table.fail(column, "time goes back: " + std::string(table.field(column)) +
                                      " is earlier than " +
                                      std::to_string(previous->value() / 1000) +
                                      " on the row before, but rows must be in time order");
    }
    previous = time;
    return true;
}

} // namespace

std::optional<CsvError> TradeReader::open(const std::string &path, DecimalScale scale)
{
    m_exchange.clear();
    m_symbol.clear();
    m_previousTime.reset();
    m_previousReceivedTime.reset();
    return m_table.open(path, "trade file", kTradeColumns, scale);
}

bool TradeReader::read(TradeRecord &trade)
{
    return m_table.next() && parseRow(trade);
}

std::optional<TradeRecord> TradeReader::next()
{
    TradeRecord trade;
    if (!read(trade))
        return std::nullopt;
    return trade;
}

bool TradeReader::parseRow(TradeRecord &trade)
{
    trade.line = m_table.lineNumber();
    if (!m_table.readConstantText(TradeExchange, m_exchange) ||
        !m_table.readConstantText(TradeSymbol, m_symbol))
        return false;
    if (!readOrderedTime(m_table, TradeTime, m_previousTime, trade.time) ||
        !readOrderedTime(m_table, TradeReceivedTime, m_previousReceivedTime, trade.receivedTime))
        return false;
    trade.id.assign(m_table.field(TradeId));

    const std::string_view side = m_table.field(TradeSide);
    if (side == "buy") {
        trade.aggressor = Side::Buy;
    } else if (side == "sell") {
        trade.aggressor = Side::Sell;
    } else if (side == "unknown") {
        return m_table.fail(TradeSide, "the aggressor is unknown, but a replayed trade needs it: "
                                       "expected buy or sell");
    } else {
        return m_table.fail(TradeSide, "invalid side " + lobster::quotedInput(side) +
                                           ": expected buy or sell");
    }

    return m_table.readPrice(TradePrice, trade.price) &&
           m_table.readQuantity(TradeAmount, trade.quantity);
}

std::optional<CsvError> QuoteReader::open(const std::string &path, DecimalScale scale)
{
    m_exchange.clear();
    m_symbol.clear();
    m_previousTime.reset();
    m_previousReceivedTime.reset();
    return m_table.open(path, "quote file", kQuoteColumns, scale);
}

bool QuoteReader::read(QuoteRecord &quote)
{
    return m_table.next() && parseRow(quote);
}

std::optional<QuoteRecord> QuoteReader::next()
{
    QuoteRecord quote;
    if (!read(quote))
        return std::nullopt;
    return quote;
}

bool QuoteReader::parseRow(QuoteRecord &quote)
{
    quote.line = m_table.lineNumber();
    if (!m_table.readConstantText(QuoteExchange, m_exchange) ||
        !m_table.readConstantText(QuoteSymbol, m_symbol))
        return false;
    if (!readOrderedTime(m_table, QuoteTime, m_previousTime, quote.time) ||
        !readOrderedTime(m_table, QuoteReceivedTime, m_previousReceivedTime, quote.receivedTime))
        return false;
    return parseLevel(QuoteAskPrice, QuoteAskAmount, quote.ask) &&
           parseLevel(QuoteBidPrice, QuoteBidAmount, quote.bid);
}

bool QuoteReader::parseLevel(std::size_t priceColumn, std::size_t quantityColumn,
                             std::optional<QuoteLevel> &level)
{
    const bool noPrice = m_table.field(priceColumn).empty();
    const bool noQuantity = m_table.field(quantityColumn).empty();
    if (noPrice && noQuantity) {
        level.reset();
        return true;
    }
    if (noPrice || noQuantity) {
        const std::size_t empty = noPrice ? priceColumn : quantityColumn;
        const std::size_t other = noPrice ? quantityColumn : priceColumn;
        return m_table.fail(empty, "the value is empty but " + m_table.columnName(other) +
                                       " is not: an empty side leaves both empty");
    }

    QuoteLevel read;
    if (!m_table.readPrice(priceColumn, read.price) ||
        !m_table.readQuantity(quantityColumn, read.quantity))
        return false;
    level = read;
    return true;
}

} // namespace bourse::replay

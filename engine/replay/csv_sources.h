#pragma once

// Streaming readers of recorded market data in CSV: trades and top-of-book quotes in the layout
// of Tardis.dev's downloadable CSV files, and OHLCV bars. Each reader keeps only the current row
// in memory, so a file of any size reads in constant memory. Records carry exact integer prices
// and quantities at the decimal scale the caller gives (DecimalScale in csv_table.h).
//
// Every reader is strict. A malformed row stops it with a CsvError that names the file, the
// line, the column and the problem. The rows before it have been delivered and no row after it
// is. Nothing is skipped, rounded or guessed, except bar volumes when the caller requests
// ExcessDecimals::RoundHalfEven, and those are counted.
//
// Time order. Each reader rejects a row whose time is earlier than the row before. Trades and
// quotes may share a time, and bars may not. A replay paces by these times, shows them as the
// market clock and builds bars from them, all of which assume a clock that does not run
// backwards. Tardis.dev writes its files in the order the messages arrived (local_timestamp),
// so both of its timestamps are checked.
//
// NOTE: an exchange timestamp can in principle step back while local_timestamp does not. Such a
// file stops at that row and must be sorted by timestamp before it can be replayed.

#include "csv_table.h"
#include "market_view.h"
#include "types.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace bourse::replay {

// One trade of a trade file.
struct TradeRecord {
    Timestamp time;         // the exchange's time, in ns since the Unix epoch
    Timestamp receivedTime; // when the recorder received it (local_timestamp), in ns
    std::string id;         // the exchange's trade id; empty when the exchange gives none
    Side aggressor = Side::Buy;
    Price price;
    Quantity quantity;
    std::size_t line = 0; // 1-based line in the file
};

// The best price of one side of a book and the quantity at it.
struct QuoteLevel {
    Price price;
    Quantity quantity;

    friend bool operator==(const QuoteLevel &, const QuoteLevel &) = default;
};

// The top of the book after one update. A side with no orders is empty: the file leaves both
// its price and its amount empty. A crossed or locked quote (bid >= ask) is delivered as it is.
struct QuoteRecord {
    Timestamp time;         // the exchange's time, in ns since the Unix epoch
    Timestamp receivedTime; // when the recorder received it (local_timestamp), in ns
    std::optional<QuoteLevel> bid;
    std::optional<QuoteLevel> ask;
    std::size_t line = 0;
};

// Reads a trade file with the header exchange,symbol,timestamp,local_timestamp,id,side,price,
// amount (in any order). Timestamps are whole microseconds since the Unix epoch. The side is the
// aggressor's, buy or sell. Every row must name the same exchange and symbol.
// NOTE: Tardis.dev's normalized trades allow the side "unknown", for venues that do not publish
// the aggressor. Such a row is an error, because TradeRecord has no side for it.
class TradeReader {
public:
    // Opens the file and checks its header. Returns the error, also kept in error(), when the
    // file cannot be read, the header is not a trade file's, or a decimal count is outside
    // [0, kMaximumDecimals].
    std::optional<CsvError> open(const std::string &path, DecimalScale scale);

    // Reads the next row into `trade`, reusing its storage. Returns false at the end of the file
    // or on an error; error() is set only in the second case.
    bool read(TradeRecord &trade);
    std::optional<TradeRecord> next();

    const std::optional<CsvError> &error() const { return m_table.error(); }
    const std::string &path() const { return m_table.path(); }
    // Of the first row; empty before it.
    const std::string &exchange() const { return m_exchange; }
    const std::string &symbol() const { return m_symbol; }

private:
    bool parseRow(TradeRecord &trade);

    CsvTable m_table;
    std::string m_exchange;
    std::string m_symbol;
    std::optional<Timestamp> m_previousTime;
    std::optional<Timestamp> m_previousReceivedTime;
};

// Reads a quote file with the header exchange,symbol,timestamp,local_timestamp,ask_amount,
// ask_price,bid_price,bid_amount (in any order), one top-of-book update a row. A price and an
// amount are both present, with the price and amount positive, or both empty for an empty side.
class QuoteReader {
public:
    // As TradeReader::open.
    std::optional<CsvError> open(const std::string &path, DecimalScale scale);

    bool read(QuoteRecord &quote);
    std::optional<QuoteRecord> next();

    const std::optional<CsvError> &error() const { return m_table.error(); }
    const std::string &path() const { return m_table.path(); }
    const std::string &exchange() const { return m_exchange; }
    const std::string &symbol() const { return m_symbol; }

private:
    bool parseRow(QuoteRecord &quote);
    bool parseLevel(std::size_t priceColumn, std::size_t quantityColumn,
                    std::optional<QuoteLevel> &level);

    CsvTable m_table;
    std::string m_exchange;
    std::string m_symbol;
    std::optional<Timestamp> m_previousTime;
    std::optional<Timestamp> m_previousReceivedTime;
};

// Reads OHLCV bars with the header timestamp,open,high,low,close,volume (in any order), where
// the timestamp is the bar's start as UTC "YYYY-MM-DD HH:MM:SS[.fraction]". Prices use the
// price scale and volume the quantity scale. A bar must have low <= min(open, close) and
// high >= max(open, close), positive prices, and a volume of zero or more.
//
// The bar interval is the caller's, or else the time between the first two rows. Every row
// starts a whole number of intervals after the first row: a gap, such as a market closed for a
// day, is fine, and a row off that grid is an error. Bar::tradeCount is zero, because the file
// does not carry it.
class BarReader {
public:
    struct Options {
        DecimalScale scale;
        // Zero: taken from the first two rows.
        std::int64_t intervalNanoseconds = 0;
        // Some exporters write volume through a binary float, as 218102.59507500002, which no
        // scale represents exactly. RoundHalfEven reads those volumes rounded, and counts them in
        // roundedVolumes(). Prices are never rounded.
        ExcessDecimals volumeExcessDecimals = ExcessDecimals::Reject;
    };

    // As TradeReader::open; a negative interval is an error as well.
    std::optional<CsvError> open(const std::string &path, Options options);

    bool read(Bar &bar);
    std::optional<Bar> next();

    const std::optional<CsvError> &error() const { return m_table.error(); }
    const std::string &path() const { return m_table.path(); }
    // The line of the last row read, which is the bad one after an error.
    std::size_t lineNumber() const { return m_table.lineNumber(); }
    // Zero until it is known: given, or read from the second row.
    std::int64_t intervalNanoseconds() const { return m_interval; }
    std::uint64_t roundedVolumes() const { return m_roundedVolumes; }

private:
    bool parseRow(Bar &bar);
    bool checkPrices(const Bar &bar);
    bool checkGrid(Timestamp start);

    CsvTable m_table;
    Options m_options;
    std::int64_t m_interval = 0;
    std::optional<Timestamp> m_firstStart;
    std::size_t m_firstLine = 0;
    std::optional<Timestamp> m_previousStart;
    std::uint64_t m_roundedVolumes = 0;
};

} // namespace bourse::replay

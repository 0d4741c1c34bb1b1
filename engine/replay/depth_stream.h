#pragma once

// Recorded order-book streams of exchanges that send every level in a snapshot and then
// deltas numbered with update ids: the DepthUpdate record and the readers of two formats,
// Bybit's JSON lines and Binance USD-M futures' snapshot and update CSV files. DepthBook
// (depth_book.h) applies the updates and checks their ids.
//
// Prices and sizes are integers: decimal text becomes units of 10^-decimals of the
// instrument's scale digit by digit (parseDecimal in money.h), never through a binary float.

#include "lobster.h"
#include "types.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bourse::replay {

// A problem in an input file: the file, the line (0 when the file cannot be read at all) and
// what is wrong. The replay readers share it with the LOBSTER readers.
using InputError = lobster::InputError;

// An exchange's number for a change of its book. Each exchange counts on its own.
class UpdateId : public StrongInteger<struct UpdateIdTag, std::uint64_t> {
public:
    using StrongInteger::StrongInteger;
};

// A price level: a price and the total size resting there. In an update, a size of zero
// removes the level.
struct BookLevel {
    Price price;
    Quantity size;

    friend bool operator==(const BookLevel &, const BookLevel &) = default;
};

enum class DepthKind : std::uint8_t {
    Snapshot, // every level of the book, replacing what was there
    Delta,    // the levels that changed, with their new absolute sizes
};

// One message of a depth stream.
struct DepthUpdate {
    DepthKind kind = DepthKind::Delta;
    Timestamp exchangeTime; // nanoseconds since the Unix epoch, from the exchange's milliseconds
    // The range of update ids the message covers. Bybit numbers each message with one id, so
    // both are equal; a Binance delta covers several.
    UpdateId firstId;
    UpdateId lastId;
    // The last id of the delta before this one, where the format sends it (Binance's `pu`).
    std::optional<UpdateId> previousId;
    std::vector<BookLevel> bids;
    std::vector<BookLevel> asks;
    std::size_t line = 0; // the first line of the message in its file, 1-based
};

// The instrument's terms: how many decimals its prices and sizes have. Text with more
// decimals than these is an error, never rounded.
struct DepthScale {
    int priceDecimals = 0;
    int sizeDecimals = 0;
};

// A source of depth updates, one at a time, so that a large file is never held in memory.
class DepthReader {
public:
    virtual ~DepthReader() = default;

    // Reads the next update into `update`, reusing its storage. Returns false at the end of
    // the stream or on an error, and error() is set only in the second case. An update is
    // returned whole or not at all: a malformed line stops the stream before its message.
    virtual bool read(DepthUpdate &update) = 0;

    virtual const std::optional<InputError> &error() const = 0;
};

// Reads Bybit's recorded order-book stream (topic orderbook.<depth>.<symbol>): JSON lines,
// each {"type": "snapshot" or "delta", "ts": milliseconds, "data": {"s": symbol, "b": bids,
// "a": asks, "u": update id, ...}}, with every level a [price, size] pair of decimal strings.
// Other members ("topic", "seq", "cts") are not used. Every line must name the symbol of the
// first line.
class BybitDepthReader final : public DepthReader {
public:
    std::optional<InputError> open(const std::string &path, DepthScale scale);

    bool read(DepthUpdate &update) override;
    const std::optional<InputError> &error() const override { return m_error; }

    // The symbol of the first line; empty before it is read.
    const std::string &symbol() const { return m_symbol; }

private:
    lobster::LineReader m_lines;
    std::string m_line;
    std::string m_symbol;
    DepthScale m_scale;
    std::optional<InputError> m_error;
};

// Reads Binance USD-M futures' historical order-book files: a snapshot file and an update file,
// both CSV with the header symbol,timestamp,first_update_id,last_update_id,side,update_type,
// price,qty,pu. Consecutive rows with the same timestamp and ids form one message: rows of
// update type "snap" in the snapshot file, "set" in the update file. Side is "b" or "a"; a pu
// of -1 means the message names no previous id.
//
// The two files are merged in order of exchange time, the snapshot first when the times are
// equal. The order within a millisecond does not matter to a DepthBook, which keeps deltas
// that come before their snapshot. Every row of both files must name the same symbol. An error
// in either file stops the stream.
class BinanceDepthReader final : public DepthReader {
public:
    BinanceDepthReader();
    ~BinanceDepthReader() override;
    BinanceDepthReader(const BinanceDepthReader &) = delete;
    BinanceDepthReader &operator=(const BinanceDepthReader &) = delete;

    std::optional<InputError> open(const std::string &snapshotPath, const std::string &updatePath,
                                   DepthScale scale);

    bool read(DepthUpdate &update) override;
    const std::optional<InputError> &error() const override { return m_error; }

    // The symbol of the first row read; empty before it.
    const std::string &symbol() const;

private:
    struct State;
    std::unique_ptr<State> m_state;
    std::optional<InputError> m_error;
};

} // namespace bourse::replay

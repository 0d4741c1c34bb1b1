#pragma once

#include "types.h"

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bourse::lobster {

// LOBSTER message types (the `type` column of a message file).
enum class MessageType : std::uint8_t {
    NewOrder = 1,
    PartialCancel = 2,
    Delete = 3,
    VisibleExecution = 4,
    HiddenExecution = 5,
    CrossTrade = 6,
    TradingHalt = 7,
};

// One row of a message file. Prices are in the file's unit, dollars x 10000.
struct Message {
    Timestamp time; // nanoseconds after midnight
    MessageType type = MessageType::NewOrder;
    OrderId id;
    Quantity size;
    Price price;
    Side direction = Side::Buy;
    std::size_t line = 0; // 1-based line in the file
};

// Levels of one orderbook row, best first. A side has fewer levels than the file's depth
// when the file marks the rest empty.
struct BookRow {
    struct Level {
        Price price;
        Quantity size;
        friend bool operator==(const Level &, const Level &) = default;
    };
    std::vector<Level> asks;
    std::vector<Level> bids;
    std::size_t line = 0;
};

// A problem in an input file: which file, which line (0 when the file could not be read at
// all) and what is wrong.
struct InputError {
    std::string file;
    std::size_t line = 0;
    std::string what;

    std::string toString() const;
};

// Returns a field as an input error shows it: in quotes, cut after 40 characters, and with bytes
// that are not printable ASCII written as \xNN, so that a binary file cannot flood the message.
// The readers of other recorded formats use it too.
std::string quotedInput(std::string_view text);

// Lines of a text file for the readers below: it accepts CRLF line ends and a UTF-8 byte order
// mark, and reports a file that cannot be opened or read, with the system's reason.
class LineReader {
public:
    // `kind` names the file in errors, such as "message file".
    std::optional<InputError> open(const std::string &path, const std::string &kind);

    // Returns false at the end of the file or on a read error; error() is set only in the second
    // case.
    bool next(std::string &line);

    const std::optional<InputError> &error() const { return m_error; }
    const std::string &path() const { return m_path; }
    std::size_t lineNumber() const { return m_lineNumber; }

private:
    std::ifstream m_stream;
    std::string m_path;
    std::string m_kind;
    std::size_t m_lineNumber = 0;
    std::optional<InputError> m_error;
};

// Reads a message file row by row. Malformed rows are errors, never skipped, and so are rows
// whose time goes back: a LOBSTER day is in time order.
class MessageReader {
public:
    std::optional<InputError> open(const std::string &path);

    // Returns the next message, or nothing at the end of the file or on an error. error() is
    // set only in the second case.
    std::optional<Message> next();
    const std::optional<InputError> &error() const { return m_error; }
    const std::string &path() const { return m_lines.path(); }

private:
    LineReader m_lines;
    std::string m_line;
    std::optional<Timestamp> m_previousTime;
    std::optional<InputError> m_error;
};

// Reads an orderbook file. The depth is taken from the first row: four columns a level.
class OrderbookReader {
public:
    std::optional<InputError> open(const std::string &path);

    std::optional<BookRow> next();

    // Reads the next row into `row`, reusing its storage, so a long replay allocates nothing
    // per row. Returns false at the end of the file or on an error; error() is set only in the
    // second case.
    bool read(BookRow &row);

    const std::optional<InputError> &error() const { return m_error; }
    std::size_t levels() const { return m_levels; }
    const std::string &path() const { return m_lines.path(); }

private:
    bool parseRow(const std::string &line, BookRow &row);

    LineReader m_lines;
    std::string m_line;
    std::vector<std::int64_t> m_values; // reused for every row
    std::size_t m_levels = 0;
    std::optional<InputError> m_error;
};

// Parses one message row; `line` is used in the error. Exposed for tests.
std::optional<Message> parseMessage(const std::string &text, const std::string &file,
                                    std::size_t line, InputError &error);

// The orderbook file that belongs to a message file, by LOBSTER's naming
// (..._message_N.csv -> ..._orderbook_N.csv); empty when the name does not follow it.
std::string orderbookPathFor(const std::string &messagePath);

} // namespace bourse::lobster

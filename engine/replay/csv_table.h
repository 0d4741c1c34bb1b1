#pragma once

// The parts the CSV readers of csv_sources.h share: the error type, the decimal scale, exact
// decimal conversion, and a table that checks the header and splits each row into fields.

#include "lobster.h"
#include "money.h"
#include "types.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bourse::replay {

// A problem in a CSV file: which file, which line, which column and what is wrong.
struct CsvError {
    std::string file;
    std::size_t line = 0; // 1-based; 0 when the file could not be opened or read at all
    std::string column;   // the header name of the column at fault; empty for a whole row or file
    std::string what;

    // "file:line: column 'name': what", leaving out the parts that are not set.
    std::string toString() const;
};

// The decimal places of an instrument's prices and quantities, as InstrumentDefinition sets
// them: at priceDecimals = 2, the text 9681.92 is the Price 968192.
struct DecimalScale {
    int priceDecimals = 0;
    int quantityDecimals = 0;
};

// The handling of a value with more decimal places than the reader's scale.
enum class ExcessDecimals : std::uint8_t {
    Reject,        // an error naming the value
    RoundHalfEven, // rounded to the nearest unit of the scale, ties to the even one
};

// Converts decimal text to integer units of 10^-decimals as parseDecimal does, digit by digit,
// after dropping trailing zeros of the fraction: ("46319.0", 0) is 46319 and ("0.10", 1) is 1.
// With ExcessDecimals::RoundHalfEven, digits past the scale are rounded away instead of being
// TooManyDecimals, and decimalsWritten still counts them, so a caller can tell that a value was
// rounded. A `decimals` outside [0, kMaximumDecimals] gives OutOfRange.
DecimalValue parseCsvDecimal(std::string_view text, int decimals,
                             ExcessDecimals excess = ExcessDecimals::Reject);

// Splits a CSV line at every comma into views of `line`, after dropping the '\r' of a CRLF line
// end. A quote has no special meaning, so callers that may meet quoted fields must reject them.
std::vector<std::string_view> splitCsvFields(std::string_view line);

// Returns the minimum number of decimal places that write `text` exactly, ignoring trailing zeros
// of the fraction: "46319.0" needs none, "9681.920" two and "43613.875" three.
int exactDecimals(std::string_view text);

// A CSV file read row by row, with its columns found by name in the header line, so that the
// columns may come in any order. It accepts CRLF line ends, a UTF-8 byte order mark and a
// missing newline at the end of the file. It rejects quoted fields, because no field of these
// formats contains a comma, and a row whose field count differs from the header's. Empty lines are
// accepted only at the end of the file, and one between rows is an error. After the first error
// every call returns false and error() stays set.
class CsvTable {
public:
    // Opens `path` and reads its header, which must name each of `columns` exactly once and no
    // other column. `kind` names the file in errors, such as "trade file". The columns' positions
    // in that list are the indexes that field() and the parsers take. Prices and quantities are
    // read at `scale`, whose decimal counts must be 0 to kMaximumDecimals.
    std::optional<CsvError> open(const std::string &path, std::string_view kind,
                                 std::span<const std::string_view> columns, DecimalScale scale);

    // Moves to the next row. Returns false at the end of the file or on an error; error() is set
    // only in the second case.
    bool next();

    // The text of `column` (an index into the open() list) in the current row.
    std::string_view field(std::size_t column) const { return m_fields[m_positions[column]]; }
    const std::string &columnName(std::size_t column) const { return m_columns[column]; }

    // Sets error() at the current line, naming `column`, and returns false, so that a parser can
    // `return table.fail(...)`.
    bool fail(std::size_t column, std::string what);
    // Sets error() at `line`, naming no column, and returns false. Line 0 is the whole file.
    bool failLine(std::size_t line, std::string what);

    // Each parser reads `column` of the current row into `value`. On a malformed value it sets
    // error() naming the column and the problem, and returns false.
    // A price: positive, at most kMaximumPrice, at the price scale.
    bool readPrice(std::size_t column, Price &value);
    // A quantity of an order or a trade: positive, at most kMaximumQuantity, at the quantity
    // scale.
    bool readQuantity(std::size_t column, Quantity &value);
    // A traded volume at the quantity scale: zero or more, any int64. `rounded` is set when the
    // text had more decimals than the scale and `excess` allowed rounding them away.
    bool readVolume(std::size_t column, ExcessDecimals excess, Quantity &value, bool &rounded);
    // Whole microseconds since the Unix epoch, such as 1582329602111000, as nanoseconds.
    bool readEpochMicroseconds(std::size_t column, Timestamp &value);
    // A UTC date and time "YYYY-MM-DD HH:MM:SS" with an optional fraction of up to nine digits,
    // as nanoseconds since the Unix epoch. A 'T' may take the place of the space.
    bool readDateTime(std::size_t column, Timestamp &value);
    // Text that must not be empty and must be the same on every row, such as a symbol: the
    // first row's value is stored in `expected`.
    bool readConstantText(std::size_t column, std::string &expected);

    const std::optional<CsvError> &error() const { return m_error; }
    const std::string &path() const { return m_path; }
    std::size_t lineNumber() const { return m_lines.lineNumber(); }

private:
    bool readHeader(std::string_view kind);
    void splitRow();
    // `values` names the kind of value in errors, such as "prices".
    bool readDecimal(std::size_t column, int decimals, ExcessDecimals excess,
                     std::string_view values, DecimalValue &value);

    std::string m_path;
    DecimalScale m_scale;
    lobster::LineReader m_lines;
    std::string m_line;
    std::vector<std::string> m_columns;     // the names the reader needs
    std::vector<std::size_t> m_positions;   // of each of m_columns in a row
    std::size_t m_fieldCount = 0;           // in the header, and so in every row
    std::vector<std::string_view> m_fields; // of the current row, into m_line
    std::size_t m_emptyLine = 0;            // the first empty line since the last row, or 0
    std::optional<CsvError> m_error;
};

} // namespace bourse::replay

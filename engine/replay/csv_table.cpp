#include "csv_table.h"

#include <chrono>
#include <limits>

namespace bourse::replay {

namespace {

constexpr std::size_t kNotFound = std::numeric_limits<std::size_t>::max();
constexpr std::int64_t kNanosecondsPerMicrosecond = 1'000;
constexpr std::int64_t kNanosecondsPerSecond = 1'000'000'000;
constexpr std::int64_t kSecondsPerDay = 86'400;

bool validDecimals(int decimals)
{
    return decimals >= 0 && decimals <= kMaximumDecimals;
}

// Drops the trailing zeros of a fraction, and the point when nothing is left after it:
// "46319.0" is "46319" and "0.100" is "0.1". Text that ends in the point itself ("1.") stays as
// it is, so that parseDecimal still rejects it.
std::string_view trimFractionZeros(std::string_view text)
{
    const std::size_t point = text.find('.');
    if (point == std::string_view::npos || point + 1 == text.size())
        return text;

    std::size_t end = text.size();
    while (end > point + 1 && text[end - 1] == '0')
        --end;
    if (end == point + 1)
        end = point;
    return text.substr(0, end);
}

// Adds one unit to `magnitude` when the digits dropped after the scale are more than half a
// unit, or exactly half and the magnitude is odd. Returns false when the sum leaves int64.
bool roundHalfEven(std::int64_t &magnitude, std::string_view droppedDigits)
{
    const char first = droppedDigits.front();
    const bool moreAfterFirst = droppedDigits.find_first_not_of('0', 1) != std::string_view::npos;
    const bool above = first > '5' || (first == '5' && moreAfterFirst);
    const bool tie = first == '5' && !moreAfterFirst;
    if (!above && !(tie && magnitude % 2 != 0))
        return true;
    return !__builtin_add_overflow(magnitude, 1, &magnitude);
}

// Requires well-formed text with more decimal places than `decimals`.
DecimalValue roundToScale(std::string_view text, int decimals)
{
    const bool negative = text.front() == '-';
    const std::string_view magnitude = negative ? text.substr(1) : text;
    const std::size_t point = magnitude.find('.');
    const std::size_t droppedStart = point + 1 + static_cast<std::size_t>(decimals);
    const std::size_t keptEnd = decimals == 0 ? point : droppedStart;
    DecimalValue result = parseDecimal(magnitude.substr(0, keptEnd), decimals);
    if (result.error != DecimalError::None)
        return result;

    std::int64_t units = result.units;
    if (!roundHalfEven(units, magnitude.substr(droppedStart))) {
        result.error = DecimalError::OutOfRange;
        return result;
    }
    result.units = negative ? -units : units;
    result.decimalsWritten = static_cast<int>(magnitude.size() - point - 1);
    return result;
}

std::string decimalPlaces(int count)
{
    return std::to_string(count) + (count == 1 ? " decimal place" : " decimal places");
}

bool allDigitsIn(std::string_view text, std::size_t from, std::size_t count)
{
    return from + count <= text.size() && allDigits(text.substr(from, count));
}

int digitsValue(std::string_view text, std::size_t from, std::size_t count)
{
    return static_cast<int>(*parseWholeNumber(text.substr(from, count)));
}

// Nanoseconds of a fraction of a second of 1 to 9 digits, or nothing.
std::optional<std::int64_t> fractionNanoseconds(std::string_view digits)
{
    if (digits.empty() || digits.size() > 9 || !allDigits(digits))
        return std::nullopt;
    std::int64_t nanoseconds = *parseWholeNumber(digits);
    for (std::size_t i = digits.size(); i < 9; ++i)
        nanoseconds *= 10;
    return nanoseconds;
}

} // namespace

std::string CsvError::toString() const
{
    std::string text = file;
    if (line != 0)
        text.append(":").append(std::to_string(line));
    text.append(": ");
    if (!column.empty())
        text.append("column '").append(column).append("': ");
    return text.append(what);
}

DecimalValue parseCsvDecimal(std::string_view text, int decimals, ExcessDecimals excess)
{
    if (!validDecimals(decimals))
        return DecimalValue{0, DecimalError::OutOfRange, 0};

    const std::string_view trimmed = trimFractionZeros(text);
    const DecimalValue exact = parseDecimal(trimmed, decimals);
    if (exact.error != DecimalError::TooManyDecimals || excess == ExcessDecimals::Reject)
        return exact;
    return roundToScale(trimmed, decimals);
}

std::vector<std::string_view> splitCsvFields(std::string_view line)
{
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    std::vector<std::string_view> fields;
    for (std::size_t comma = line.find(','); comma != std::string_view::npos;
         comma = line.find(',')) {
        fields.push_back(line.substr(0, comma));
        line.remove_prefix(comma + 1);
    }
    fields.push_back(line);
    return fields;
}

int exactDecimals(std::string_view text)
{
    const std::string_view trimmed = trimFractionZeros(text);
    const std::size_t point = trimmed.find('.');
    if (point == std::string_view::npos)
        return 0;
    return static_cast<int>(trimmed.size() - point - 1);
}

std::optional<CsvError> CsvTable::open(const std::string &path, std::string_view kind,
                                       std::span<const std::string_view> columns,
                                       DecimalScale scale)
{
    m_path = path;
    m_scale = scale;
    m_columns.assign(columns.begin(), columns.end());
    m_positions.assign(columns.size(), kNotFound);
    m_fieldCount = 0;
    m_fields.clear();
    m_emptyLine = 0;
    m_error.reset();

    if (!validDecimals(scale.priceDecimals) || !validDecimals(scale.quantityDecimals)) {
        failLine(0, "invalid decimal scale: price decimals " + std::to_string(scale.priceDecimals) +
                        " and quantity decimals " + std::to_string(scale.quantityDecimals) +
                        " must be 0 to " + std::to_string(kMaximumDecimals));
        return m_error;
    }
    if (auto error = m_lines.open(path, std::string(kind))) {
        m_error = CsvError{error->file, error->line, {}, error->what};
        return m_error;
    }
    readHeader(kind);
    return m_error;
}

bool CsvTable::readHeader(std::string_view kind)
{
    std::string expected;
    for (const std::string &name : m_columns) {
        if (!expected.empty())
            expected += ',';
        expected += name;
    }
    const std::string expectation = "expected the columns " + expected + ", in any order";

    if (!m_lines.next(m_line)) {
        if (m_lines.error())
            return failLine(m_lines.error()->line, m_lines.error()->what);
        return failLine(1, "the " + std::string(kind) + " is empty; " + expectation);
    }
    if (m_line.empty())
        return failLine(1, "the header line is empty; " + expectation);

    splitRow();
    m_fieldCount = m_fields.size();
    for (std::size_t position = 0; position < m_fields.size(); ++position) {
        const std::string_view name = m_fields[position];
        std::size_t column = 0;
        while (column < m_columns.size() && m_columns[column] != name)
            ++column;
        if (column == m_columns.size()) {
            m_error = CsvError{path(), 1, std::string(name), "unknown column; " + expectation};
            return false;
        }
        if (m_positions[column] != kNotFound)
            return fail(column, "the header names this column twice");
        m_positions[column] = position;
    }

    for (std::size_t column = 0; column < m_columns.size(); ++column) {
        if (m_positions[column] == kNotFound)
            return fail(column, "missing from the header; " + expectation);
    }
    return true;
}

bool CsvTable::next()
{
    if (m_error)
        return false;
    while (m_lines.next(m_line)) {
        if (m_line.empty()) {
            if (m_emptyLine == 0)
                m_emptyLine = lineNumber();
            continue;
        }
        if (m_emptyLine != 0)
            return failLine(m_emptyLine, "empty line between rows; every line after the header "
                                         "must be a row");
        if (m_line.find('"') != std::string::npos)
            return failLine(lineNumber(), "quoted fields are not supported");
        splitRow();
        if (m_fields.size() != m_fieldCount)
            return failLine(lineNumber(), "expected " + std::to_string(m_fieldCount) +
                                              " comma-separated fields as in the header, found " +
                                              std::to_string(m_fields.size()));
        return true;
    }
    if (m_lines.error())
        failLine(m_lines.error()->line, m_lines.error()->what);
    return false;
}

void CsvTable::splitRow()
{
    m_fields.clear();
    const std::string_view line = m_line;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = line.find(',', start);
        if (comma == std::string_view::npos) {
            m_fields.push_back(line.substr(start));
            return;
        }
        m_fields.push_back(line.substr(start, comma - start));
        start = comma + 1;
    }
}

bool CsvTable::fail(std::size_t column, std::string what)
{
    m_error = CsvError{path(), lineNumber(), m_columns[column], std::move(what)};
    return false;
}

bool CsvTable::failLine(std::size_t line, std::string what)
{
    m_error = CsvError{path(), line, {}, std::move(what)};
    return false;
}

bool CsvTable::readDecimal(std::size_t column, int decimals, ExcessDecimals excess,
                           std::string_view values, DecimalValue &value)
{
    const std::string_view text = field(column);
    if (text.empty())
        return fail(column, "the value is empty");

    value = parseCsvDecimal(text, decimals, excess);
    switch (value.error) {
    case DecimalError::None:
        return true;
    case DecimalError::NotANumber:
        return fail(column, "invalid number " + lobster::quotedInput(text) +
                                ": expected digits with an optional fraction, such as 9681.92");
    case DecimalError::TooManyDecimals:
        return fail(column, lobster::quotedInput(text) + " has " +
                                decimalPlaces(value.decimalsWritten) + ", but the instrument's " +
                                std::string(values) + " have " + std::to_string(decimals));
    case DecimalError::OutOfRange:
        return fail(column, lobster::quotedInput(text) +
                                " is out of range: it does not fit 64 bits at " +
                                std::to_string(decimals) + " decimal places");
    }
    return fail(column, "invalid number " + lobster::quotedInput(text));
}

bool CsvTable::readPrice(std::size_t column, Price &value)
{
    DecimalValue decimal;
    if (!readDecimal(column, m_scale.priceDecimals, ExcessDecimals::Reject, "prices", decimal))
        return false;
    if (decimal.units <= 0)
        return fail(column, "price " + lobster::quotedInput(field(column)) + " is not positive");
    if (decimal.units > kMaximumPrice.value())
        return fail(column, "price " + lobster::quotedInput(field(column)) +
                                " is above the engine's maximum of 10^15 price units");
    value = Price{decimal.units};
    return true;
}

bool CsvTable::readQuantity(std::size_t column, Quantity &value)
{
    DecimalValue decimal;
    if (!readDecimal(column, m_scale.quantityDecimals, ExcessDecimals::Reject, "quantities",
                     decimal))
        return false;
    if (decimal.units <= 0)
        return fail(column, "quantity " + lobster::quotedInput(field(column)) + " is not positive");
    if (decimal.units > kMaximumQuantity.value())
        return fail(column, "quantity " + lobster::quotedInput(field(column)) +
                                " is above the engine's maximum of 10^12 lots");
    value = Quantity{decimal.units};
    return true;
}

bool CsvTable::readVolume(std::size_t column, ExcessDecimals excess, Quantity &value, bool &rounded)
{
    DecimalValue decimal;
    if (!readDecimal(column, m_scale.quantityDecimals, excess, "quantities", decimal))
        return false;
    if (decimal.units < 0)
        return fail(column, "volume " + lobster::quotedInput(field(column)) + " is negative");
    value = Quantity{decimal.units};
    rounded = decimal.decimalsWritten > m_scale.quantityDecimals;
    return true;
}

bool CsvTable::readEpochMicroseconds(std::size_t column, Timestamp &value)
{
    const std::string_view text = field(column);
    const std::string expectation =
        ": expected whole microseconds since the Unix epoch, such as 1582329602111000";
    if (text.empty())
        return fail(column, "the timestamp is empty" + expectation);
    if (!allDigits(text))
        return fail(column, "invalid timestamp " + lobster::quotedInput(text) + expectation);

    const std::optional<std::int64_t> microseconds = parseWholeNumber(text);
    std::int64_t nanoseconds = 0;
    if (!microseconds ||
        __builtin_mul_overflow(*microseconds, kNanosecondsPerMicrosecond, &nanoseconds))
        return fail(column,
                    "timestamp " + lobster::quotedInput(text) +
                        " is out of range: int64 nanoseconds since the epoch end in the year 2262");
    if (nanoseconds == 0)
        return fail(column, "timestamp " + lobster::quotedInput(text) + " is zero" + expectation);
    value = Timestamp{nanoseconds};
    return true;
}

bool CsvTable::readDateTime(std::size_t column, Timestamp &value)
{
    const std::string_view text = field(column);
    const std::string invalid =
        "invalid date and time " + lobster::quotedInput(text) +
        ": expected UTC 'YYYY-MM-DD HH:MM:SS' with up to 9 decimals of a second";

    // The fixed part "YYYY-MM-DD HH:MM:SS" is 19 characters.
    const bool shaped = text.size() >= 19 && allDigitsIn(text, 0, 4) && text[4] == '-' &&
                        allDigitsIn(text, 5, 2) && text[7] == '-' && allDigitsIn(text, 8, 2) &&
                        (text[10] == ' ' || text[10] == 'T') && allDigitsIn(text, 11, 2) &&
                        text[13] == ':' && allDigitsIn(text, 14, 2) && text[16] == ':' &&
                        allDigitsIn(text, 17, 2);
    if (!shaped)
        return fail(column, invalid);

    std::int64_t fraction = 0;
    if (text.size() > 19) {
        const auto nanoseconds =
            text[19] == '.' ? fractionNanoseconds(text.substr(20)) : std::optional<std::int64_t>{};
        if (!nanoseconds)
            return fail(column, invalid);
        fraction = *nanoseconds;
    }

    using namespace std::chrono;
    const year_month_day date{year{digitsValue(text, 0, 4)},
                              month{static_cast<unsigned>(digitsValue(text, 5, 2))},
                              day{static_cast<unsigned>(digitsValue(text, 8, 2))}};
    if (!date.ok())
        return fail(column, lobster::quotedInput(text) + " is not a valid date");
    const int hours = digitsValue(text, 11, 2);
    const int minutes = digitsValue(text, 14, 2);
    const int seconds = digitsValue(text, 17, 2);
    if (hours > 23 || minutes > 59 || seconds > 59)
        return fail(column, lobster::quotedInput(text) + " is not a valid time of day");

    const std::int64_t days = sys_days(date).time_since_epoch().count();
    const std::int64_t secondsOfDay = hours * 3600 + minutes * 60 + seconds;
    std::int64_t nanoseconds = 0;
    if (__builtin_mul_overflow(days * kSecondsPerDay + secondsOfDay, kNanosecondsPerSecond,
                               &nanoseconds) ||
        __builtin_add_overflow(nanoseconds, fraction, &nanoseconds))
        return fail(column, lobster::quotedInput(text) +
                                " is out of range: int64 nanoseconds since the epoch cover the "
                                "years 1677 to 2262");
    value = Timestamp{nanoseconds};
    return true;
}

bool CsvTable::readConstantText(std::size_t column, std::string &expected)
{
    const std::string_view text = field(column);
    if (text.empty())
        return fail(column, "the value is empty");
    if (expected.empty()) {
        expected = text;
        return true;
    }
    if (text != expected)
        return fail(column, lobster::quotedInput(text) + " differs from " +
                                lobster::quotedInput(expected) +
                                " on the first row, but a file must hold one instrument of one "
                                "exchange");
    return true;
}

} // namespace bourse::replay

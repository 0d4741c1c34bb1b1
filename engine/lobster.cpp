#include "lobster.h"

#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string_view>

namespace bourse::lobster {

namespace {

constexpr std::size_t kMessageColumns = 6;

constexpr std::int64_t kSecondsPerDay = 86400;
constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";

// LOBSTER's placeholders for an empty level.
constexpr std::int64_t kEmptyAskPrice = 9999999999;
constexpr std::int64_t kEmptyBidPrice = -9999999999;

void stripLineEnd(std::string &line)
{
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
}

// Splits on commas into at most `maximum` fields; returns the number of fields, which is
// maximum + 1 when there are more.
template <std::size_t N>
std::size_t splitFields(std::string_view text, std::array<std::string_view, N> &fields)
{
    std::size_t count = 0;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = text.find(',', start);
        const std::string_view field = text.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        if (count == N)
            return N + 1;
        fields[count++] = field;
        if (comma == std::string_view::npos)
            return count;
        start = comma + 1;
    }
}

bool parseInteger(std::string_view text, std::int64_t &value)
{
    if (text.empty())
        return false;
    const char *end = text.data() + text.size();
    auto [next, errc] = std::from_chars(text.data(), end, value);
    return errc == std::errc{} && next == end;
}

// Seconds after midnight with up to nine decimals, read without a binary float so that no
// nanosecond is lost: "34200.05990197" is 34200059901970 ns.
bool parseTime(std::string_view text, Timestamp &time)
{
    const std::size_t dot = text.find('.');
    std::int64_t seconds = 0;
    if (!parseInteger(text.substr(0, dot), seconds) || seconds < 0 || seconds > kSecondsPerDay)
        return false;

    std::int64_t nanoseconds = 0;
    if (dot != std::string_view::npos) {
        const std::string_view fraction = text.substr(dot + 1);
        if (fraction.empty() || fraction.size() > 9)
            return false;
        for (char digit : fraction) {
            if (digit < '0' || digit > '9')
                return false;
        }
        parseInteger(fraction, nanoseconds);
        for (std::size_t i = fraction.size(); i < 9; ++i)
            nanoseconds *= 10;
    }
    time = Timestamp{seconds * 1'000'000'000 + nanoseconds};
    return true;
}

// A level's price and size are positive and within what the engine accepts.
bool inRange(std::int64_t price, std::int64_t size)
{
    return price > 0 && price <= kMaximumPrice.value() && size > 0 &&
           size <= kMaximumQuantity.value();
}

// hh:mm:ss.nnnnnnnnn after midnight, for messages about times.
std::string formatTime(Timestamp time)
{
    const std::int64_t nanoseconds = time.value();
    const std::int64_t seconds = nanoseconds / 1'000'000'000;
    char text[32];
    std::snprintf(text, sizeof text, "%02lld:%02lld:%02lld.%09lld",
                  static_cast<long long>(seconds / 3600), static_cast<long long>(seconds / 60 % 60),
                  static_cast<long long>(seconds % 60),
                  static_cast<long long>(nanoseconds % 1'000'000'000));
    return text;
}

} // namespace

std::string quotedInput(std::string_view text)
{
    constexpr std::size_t kShown = 40;
    static constexpr char kHexDigits[] = "0123456789abcdef";
    std::string result(1, '\'');
    for (std::size_t i = 0; i < text.size() && i < kShown; ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte >= 0x20 && byte < 0x7f) {
            result += static_cast<char>(byte);
            continue;
        }
        result.append("\\x").append(1, kHexDigits[byte >> 4]).append(1, kHexDigits[byte & 0xf]);
    }
    result += '\'';
    if (text.size() > kShown)
        result += " (cut after " + std::to_string(kShown) + " characters)";
    return result;
}

std::string InputError::toString() const
{
    if (line == 0)
        return file + ": " + what;
    return file + ":" + std::to_string(line) + ": " + what;
}

std::optional<Message> parseMessage(const std::string &text, const std::string &file,
                                    std::size_t line, InputError &error)
{
    auto fail = [&](std::string what) {
        error = InputError{file, line, std::move(what)};
        return std::nullopt;
    };

    std::array<std::string_view, kMessageColumns> fields;
    const std::size_t count = splitFields(text, fields);
    if (count != kMessageColumns) {
        return fail("expected 6 comma-separated fields (time, type, order id, size, price, "
                    "direction), found " +
                    (count > kMessageColumns ? std::string("more") : std::to_string(count)));
    }

    Message message;
    message.line = line;
    if (!parseTime(fields[0], message.time))
        return fail("invalid time " + quotedInput(fields[0]) +
                    ": expected seconds after midnight, at most 86400, with at most 9 decimals");

    std::int64_t type = 0;
    if (!parseInteger(fields[1], type) || type < 1 || type > 7)
        return fail("invalid event type " + quotedInput(fields[1]) + ": expected 1 to 7");
    message.type = static_cast<MessageType>(type);

    std::int64_t id = 0;
    if (!parseInteger(fields[2], id) || id < 0)
        return fail("invalid order id " + quotedInput(fields[2]));
    message.id = OrderId{static_cast<std::uint64_t>(id)};

    std::int64_t size = 0;
    if (!parseInteger(fields[3], size) || size < 0)
        return fail("invalid size " + quotedInput(fields[3]) +
                    ": expected a whole number of shares");
    message.size = Quantity{size};

    std::int64_t price = 0;
    if (!parseInteger(fields[4], price))
        return fail("invalid price " + quotedInput(fields[4]) + ": expected dollars x 10000");
    message.price = Price{price};

    std::int64_t direction = 0;
    if (!parseInteger(fields[5], direction) || (direction != 1 && direction != -1))
        return fail("invalid direction " + quotedInput(fields[5]) +
                    ": expected 1 (buy) or -1 (sell)");
    message.direction = direction == 1 ? Side::Buy : Side::Sell;

    if (message.type == MessageType::TradingHalt) {
        if (price < -1 || price > 1)
            return fail("invalid trading halt price " + quotedInput(fields[4]) +
                        ": expected -1 (halt), 0 (quotes only) or 1 (resume)");
        return message;
    }
    if (size == 0 || price <= 0)
        return fail("size and price must be positive for event type " + std::to_string(type));
    if (message.size > kMaximumQuantity || message.price > kMaximumPrice)
        return fail("size " + std::to_string(size) + " or price " + std::to_string(price) +
                    " is beyond what the engine accepts (10^12 shares, 10^15 price units)");
    return message;
}

std::optional<InputError> LineReader::open(const std::string &path, const std::string &kind)
{
    m_path = path;
    m_kind = kind;
    m_lineNumber = 0;
    m_error.reset();

    std::error_code code;
    const auto status = std::filesystem::status(path, code);
    if (code) {
        m_error = InputError{path, 0, "cannot open the " + kind + ": " + code.message()};
        return m_error;
    }
    if (std::filesystem::is_directory(status)) {
        m_error = InputError{path, 0, "is a directory, not a " + kind};
        return m_error;
    }
    if (!std::filesystem::is_regular_file(status)) {
        m_error = InputError{path, 0, "is not a regular file, so it cannot be a " + kind};
        return m_error;
    }

    errno = 0;
    m_stream.open(path, std::ios::binary);
    if (!m_stream) {
        m_error = InputError{path, 0, "cannot open the " + kind + ": " + std::strerror(errno)};
    }
    return m_error;
}

bool LineReader::next(std::string &line)
{
    if (m_error)
        return false;
    if (!std::getline(m_stream, line)) {
        if (m_stream.bad())
            m_error = InputError{m_path, m_lineNumber + 1, "failed to read the " + m_kind};
        return false;
    }
    ++m_lineNumber;
    if (m_lineNumber == 1 && line.rfind(kUtf8ByteOrderMark, 0) == 0)
        line.erase(0, kUtf8ByteOrderMark.size());
    stripLineEnd(line);
    return true;
}

std::optional<InputError> MessageReader::open(const std::string &path)
{
    m_previousTime.reset();
    m_error = m_lines.open(path, "message file");
    return m_error;
}

std::optional<Message> MessageReader::next()
{
    if (m_error)
        return std::nullopt;
    if (!m_lines.next(m_line)) {
        m_error = m_lines.error();
        return std::nullopt;
    }

    InputError error;
    auto message = parseMessage(m_line, m_lines.path(), m_lines.lineNumber(), error);
    if (!message) {
        m_error = error;
        return std::nullopt;
    }
    if (m_previousTime && message->time < *m_previousTime) {
        m_error = InputError{m_lines.path(), m_lines.lineNumber(),
                             "time goes back: " + formatTime(message->time) + " comes after " +
                                 formatTime(*m_previousTime) + ", but rows must be in time order"};
        return std::nullopt;
    }
    m_previousTime = message->time;
    return message;
}

std::optional<InputError> OrderbookReader::open(const std::string &path)
{
    m_levels = 0;
    m_error = m_lines.open(path, "orderbook file");
    return m_error;
}

std::optional<BookRow> OrderbookReader::next()
{
    BookRow row;
    if (!read(row))
        return std::nullopt;
    return row;
}

bool OrderbookReader::read(BookRow &row)
{
    if (m_error)
        return false;
    if (!m_lines.next(m_line)) {
        m_error = m_lines.error();
        return false;
    }

    row.asks.clear();
    row.bids.clear();
    row.line = m_lines.lineNumber();
    return parseRow(m_line, row);
}

bool OrderbookReader::parseRow(const std::string &line, BookRow &row)
{
    auto fail = [&](std::string what) {
        m_error = InputError{m_lines.path(), m_lines.lineNumber(), std::move(what)};
        return false;
    };

    std::vector<std::int64_t> &values = m_values;
    values.clear();
    std::size_t start = 0;
    while (start <= line.size()) {
        std::size_t comma = line.find(',', start);
        if (comma == std::string::npos)
            comma = line.size();
        std::int64_t value = 0;
        const std::string_view field(line.data() + start, comma - start);
        if (!parseInteger(field, value))
            return fail("invalid number " + quotedInput(field) + " in column " +
                        std::to_string(values.size() + 1));
        values.push_back(value);
        start = comma + 1;
    }

    if (values.size() % 4 != 0)
        return fail("expected a multiple of 4 columns (ask price, ask size, bid price, bid size "
                    "per level), found " +
                    std::to_string(values.size()));
    if (m_levels == 0)
        m_levels = values.size() / 4;
    else if (values.size() != m_levels * 4)
        return fail("expected " + std::to_string(m_levels * 4) + " columns as on line 1, found " +
                    std::to_string(values.size()));

    bool asksEnded = false;
    bool bidsEnded = false;
    for (std::size_t level = 0; level < m_levels; ++level) {
        const std::int64_t *columns = &values[level * 4];
        const bool emptyAsk = columns[0] == kEmptyAskPrice && columns[1] == 0;
        const bool emptyBid = columns[2] == kEmptyBidPrice && columns[3] == 0;
        const std::string where = " at level " + std::to_string(level + 1);

        if (!emptyAsk && (asksEnded || !inRange(columns[0], columns[1])))
            return fail("invalid ask " + std::to_string(columns[1]) + "@" +
                        std::to_string(columns[0]) + where);
        if (!emptyBid && (bidsEnded || !inRange(columns[2], columns[3])))
            return fail("invalid bid " + std::to_string(columns[3]) + "@" +
                        std::to_string(columns[2]) + where);
        asksEnded = asksEnded || emptyAsk;
        bidsEnded = bidsEnded || emptyBid;
        if (!emptyAsk)
            row.asks.push_back({Price{columns[0]}, Quantity{columns[1]}});
        if (!emptyBid)
            row.bids.push_back({Price{columns[2]}, Quantity{columns[3]}});
    }
    return true;
}

std::string orderbookPathFor(const std::string &messagePath)
{
    const std::string marker = "_message_";
    const std::size_t at = messagePath.rfind(marker);
    const std::size_t slash = messagePath.find_last_of('/');
    if (at == std::string::npos || (slash != std::string::npos && at < slash))
        return {};
    return messagePath.substr(0, at) + "_orderbook_" + messagePath.substr(at + marker.size());
}

} // namespace bourse::lobster

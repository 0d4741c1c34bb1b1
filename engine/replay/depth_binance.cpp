#include "depth_parsing.h"
#include "depth_stream.h"

#include "money.h"

#include <array>
#include <string_view>
#include <utility>

namespace bourse::replay {

namespace {

constexpr std::string_view kHeader =
    "symbol,timestamp,first_update_id,last_update_id,side,update_type,price,qty,pu";
constexpr std::size_t kColumns = 9;

// The columns that rows of one message share.
struct MessageKey {
    std::uint64_t milliseconds = 0;
    std::uint64_t firstId = 0;
    std::uint64_t lastId = 0;
    std::optional<std::uint64_t> previousId;

    friend bool operator==(const MessageKey &, const MessageKey &) = default;
};

struct Row {
    MessageKey key;
    Side side = Side::Buy;
    BookLevel level;
};

// Splits on commas into at most kColumns fields; returns the number of fields, which is
// kColumns + 1 when there are more.
std::size_t splitFields(std::string_view text, std::array<std::string_view, kColumns> &fields)
{
    std::size_t count = 0;
    std::size_t start = 0;
    while (true) {
        if (count == kColumns)
            return kColumns + 1;
        const std::size_t comma = text.find(',', start);
        fields[count++] = text.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        if (comma == std::string_view::npos)
            return count;
        start = comma + 1;
    }
}

std::string parseId(std::string_view text, const char *column, std::uint64_t &id)
{
    const std::optional<std::int64_t> value = parseWholeNumber(text);
    if (!value)
        return std::string("invalid ") + column + " " + lobster::quotedInput(text) +
               ": expected a whole number";
    id = static_cast<std::uint64_t>(*value);
    return {};
}

// Reads the timestamp and the three id columns.
std::string parseKey(const std::array<std::string_view, kColumns> &fields, MessageKey &key)
{
    if (std::string problem = parseId(fields[1], "timestamp", key.milliseconds); !problem.empty())
        return problem;
    if (std::string problem = parseId(fields[2], "first_update_id", key.firstId); !problem.empty())
        return problem;
    if (std::string problem = parseId(fields[3], "last_update_id", key.lastId); !problem.empty())
        return problem;
    if (key.firstId > key.lastId)
        return "first_update_id " + std::to_string(key.firstId) + " is greater than " +
               "last_update_id " + std::to_string(key.lastId);

    key.previousId.reset();
    if (fields[8] != "-1") {
        std::uint64_t previousId = 0;
        if (std::string problem = parseId(fields[8], "pu", previousId); !problem.empty())
            return problem + " or -1";
        key.previousId = previousId;
    }
    return {};
}

// One of the two files, read a message at a time: rows are taken while they share the
// message's key, and the first row of the next message waits in m_lookahead.
class MessageFile {
public:
    std::optional<InputError> open(const std::string &path, DepthKind kind)
    {
        m_kind = kind;
        m_lookahead.reset();
        m_error = m_lines.open(path, kind == DepthKind::Snapshot ? "Binance depth snapshot file"
                                                                 : "Binance depth update file");
        if (!m_error)
            readHeader();
        return m_error;
    }

    // Reads the next message into `update`. Returns false at the end of the file or on an
    // error; error() is set only in the second case.
    bool next(DepthUpdate &update, const DepthScale &scale, std::string &symbol)
    {
        if (!m_lookahead && !readRow(scale, symbol))
            return false;

        const MessageKey key = m_lookahead->key;
        startMessage(update, key);
        while (m_lookahead && m_lookahead->key == key) {
            (m_lookahead->side == Side::Buy ? update.bids : update.asks)
                .push_back(m_lookahead->level);
            if (!readRow(scale, symbol) && m_error)
                return false;
        }
        return true;
    }

    const std::optional<InputError> &error() const { return m_error; }

private:
    void readHeader()
    {
        std::string header;
        if (!m_lines.next(header)) {
            m_error =
                m_lines.error()
                    ? m_lines.error()
                    : InputError{m_lines.path(), 0,
                                 "the file is empty: expected the header " + std::string(kHeader)};
            return;
        }
        if (header != kHeader)
            m_error = InputError{m_lines.path(), 1,
                                 "invalid header " + lobster::quotedInput(header) + ": expected " +
                                     std::string(kHeader)};
    }

    void startMessage(DepthUpdate &update, const MessageKey &key) const
    {
        update.kind = m_kind;
        // The key was checked when its row was read, so the time is in range.
        update.exchangeTime = detail::timestampFromMilliseconds(key.milliseconds).value();
        update.firstId = UpdateId{key.firstId};
        update.lastId = UpdateId{key.lastId};
        update.previousId.reset();
        if (key.previousId)
            update.previousId = UpdateId{*key.previousId};
        update.bids.clear();
        update.asks.clear();
        update.line = m_lookaheadLine;
    }

    // Reads the next row into m_lookahead, or clears it at the end of the file or on an error.
    bool readRow(const DepthScale &scale, std::string &symbol)
    {
        m_lookahead.reset();
        if (m_error || !m_lines.next(m_text)) {
            if (!m_error)
                m_error = m_lines.error();
            return false;
        }

        Row row;
        if (std::string problem = parseRow(m_text, scale, symbol, row); !problem.empty()) {
            m_error = InputError{m_lines.path(), m_lines.lineNumber(), problem};
            return false;
        }
        m_lookahead = row;
        m_lookaheadLine = m_lines.lineNumber();
        return true;
    }

    std::string parseRow(std::string_view text, const DepthScale &scale, std::string &symbol,
                         Row &row) const
    {
        if (text.empty())
            return "empty line: expected a row of 9 comma-separated fields";
        std::array<std::string_view, kColumns> fields;
        const std::size_t count = splitFields(text, fields);
        if (count != kColumns)
            return "expected 9 comma-separated fields (" + std::string(kHeader) + "), found " +
                   (count > kColumns ? std::string("more") : std::to_string(count));

        if (fields[0].empty())
            return "missing symbol";
        if (symbol.empty())
            symbol = fields[0];
        else if (fields[0] != symbol)
            return "symbol " + lobster::quotedInput(fields[0]) + " differs from " +
                   lobster::quotedInput(symbol) + " of the first row";

        if (std::string problem = parseKey(fields, row.key); !problem.empty())
            return problem;
        if (!detail::timestampFromMilliseconds(row.key.milliseconds))
            return "timestamp " + lobster::quotedInput(fields[1]) + " is out of range";

        if (fields[4] == "b")
            row.side = Side::Buy;
        else if (fields[4] == "a")
            row.side = Side::Sell;
        else
            return "unknown side " + lobster::quotedInput(fields[4]) +
                   ": expected b (bid) or a (ask)";

        const std::string_view expectedType = m_kind == DepthKind::Snapshot ? "snap" : "set";
        if (fields[5] != expectedType)
            return "invalid update_type " + lobster::quotedInput(fields[5]) + ": expected " +
                   std::string(expectedType) +
                   (m_kind == DepthKind::Snapshot ? " in a snapshot file" : " in an update file");

        return detail::parseLevel(fields[6], fields[7], scale, row.level);
    }

    lobster::LineReader m_lines;
    std::string m_text;
    DepthKind m_kind = DepthKind::Delta;
    std::optional<Row> m_lookahead;
    std::size_t m_lookaheadLine = 0;
    std::optional<InputError> m_error;
};

} // namespace

struct BinanceDepthReader::State {
    MessageFile snapshots;
    MessageFile updates;
    DepthScale scale;
    std::string symbol;
    // The next message of each file, read ahead so that the earlier one can go first.
    DepthUpdate nextSnapshot;
    DepthUpdate nextUpdate;
    bool hasSnapshot = false;
    bool hasUpdate = false;
};

BinanceDepthReader::BinanceDepthReader()
    : m_state(std::make_unique<State>())
{
}

BinanceDepthReader::~BinanceDepthReader() = default;

std::optional<InputError> BinanceDepthReader::open(const std::string &snapshotPath,
                                                   const std::string &updatePath, DepthScale scale)
{
    m_state = std::make_unique<State>();
    m_state->scale = scale;
    m_error.reset();
    if (std::string problem = detail::checkScale(scale); !problem.empty()) {
        m_error = InputError{snapshotPath, 0, problem};
        return m_error;
    }
    m_error = m_state->snapshots.open(snapshotPath, DepthKind::Snapshot);
    if (!m_error)
        m_error = m_state->updates.open(updatePath, DepthKind::Delta);
    return m_error;
}

bool BinanceDepthReader::read(DepthUpdate &update)
{
    State &state = *m_state;
    if (m_error)
        return false;
    if (!state.hasSnapshot)
        state.hasSnapshot = state.snapshots.next(state.nextSnapshot, state.scale, state.symbol);
    if (!state.hasUpdate)
        state.hasUpdate = state.updates.next(state.nextUpdate, state.scale, state.symbol);
    m_error = state.snapshots.error() ? state.snapshots.error() : state.updates.error();
    if (m_error || (!state.hasSnapshot && !state.hasUpdate))
        return false;

    const bool snapshotFirst =
        state.hasSnapshot &&
        (!state.hasUpdate || state.nextSnapshot.exchangeTime <= state.nextUpdate.exchangeTime);
    if (snapshotFirst) {
        std::swap(update, state.nextSnapshot);
        state.hasSnapshot = false;
    } else {
        std::swap(update, state.nextUpdate);
        state.hasUpdate = false;
    }
    return true;
}

const std::string &BinanceDepthReader::symbol() const
{
    return m_state->symbol;
}

} // namespace bourse::replay

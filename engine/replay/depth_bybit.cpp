#include "depth_parsing.h"
#include "depth_stream.h"

#include <nlohmann/json.hpp>

namespace bourse::replay {

namespace {

using nlohmann::json;

// The member `name` of an object, or nullptr when it has none.
const json *findMember(const json &object, const char *name)
{
    const auto found = object.find(name);
    return found == object.end() ? nullptr : &*found;
}

// Converts the [price, size] pairs of one side; `sideName` is "bid" or "ask".
std::string parseLevels(const json &levels, const char *sideName, const DepthScale &scale,
                        std::vector<BookLevel> &out)
{
    out.clear();
    std::size_t number = 0;
    for (const json &entry : levels) {
        ++number;
        const std::string where = std::string(sideName) + " level " + std::to_string(number);
        if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string() ||
            !entry[1].is_string())
            return where + ": expected a pair of decimal strings [price, size]";

        BookLevel level;
        const std::string problem =
            detail::parseLevel(entry[0].get_ref<const std::string &>(),
                               entry[1].get_ref<const std::string &>(), scale, level);
        if (!problem.empty())
            return where + ": " + problem;
        out.push_back(level);
    }
    return {};
}

// Reads the message type and the exchange time of the top-level object.
std::string parseHeader(const json &message, DepthUpdate &update)
{
    const json *type = findMember(message, "type");
    if (type == nullptr)
        return "missing field 'type'";
    if (!type->is_string())
        return "field 'type' is not a string";
    const auto &typeText = type->get_ref<const std::string &>();
    if (typeText == "snapshot")
        update.kind = DepthKind::Snapshot;
    else if (typeText == "delta")
        update.kind = DepthKind::Delta;
    else
        return "unknown message type " + lobster::quotedInput(typeText) +
               ": expected snapshot or delta";

    const json *time = findMember(message, "ts");
    if (time == nullptr)
        return "missing field 'ts'";
    if (!time->is_number_unsigned())
        return "field 'ts' is not a whole number of milliseconds";
    const auto exchangeTime = detail::timestampFromMilliseconds(time->get<std::uint64_t>());
    if (!exchangeTime)
        return "field 'ts' is out of range: " + std::to_string(time->get<std::uint64_t>());
    update.exchangeTime = *exchangeTime;
    return {};
}

// Reads the "data" object: symbol, update id and both sides.
std::string parseData(const json &data, const DepthScale &scale, std::string &symbol,
                      DepthUpdate &update)
{
    const json *name = findMember(data, "s");
    if (name == nullptr)
        return "missing field 'data.s'";
    if (!name->is_string() || name->get_ref<const std::string &>().empty())
        return "field 'data.s' is not a symbol";
    const auto &nameText = name->get_ref<const std::string &>();
    if (symbol.empty())
        symbol = nameText;
    else if (nameText != symbol)
        return "symbol " + lobster::quotedInput(nameText) + " differs from " +
               lobster::quotedInput(symbol) + " of line 1";

    const json *id = findMember(data, "u");
    if (id == nullptr)
        return "missing field 'data.u'";
    if (!id->is_number_unsigned())
        return "field 'data.u' is not a whole number";
    update.firstId = UpdateId{id->get<std::uint64_t>()};
    update.lastId = update.firstId;
    update.previousId.reset();

    const json *bids = findMember(data, "b");
    const json *asks = findMember(data, "a");
    if (bids == nullptr)
        return "missing field 'data.b'";
    if (asks == nullptr)
        return "missing field 'data.a'";
    if (!bids->is_array())
        return "field 'data.b' is not an array";
    if (!asks->is_array())
        return "field 'data.a' is not an array";
    if (std::string problem = parseLevels(*bids, "bid", scale, update.bids); !problem.empty())
        return problem;
    return parseLevels(*asks, "ask", scale, update.asks);
}

// Parses one line into `update`; returns the problem, or an empty string.
std::string parseLine(const std::string &text, const DepthScale &scale, std::string &symbol,
                      DepthUpdate &update)
{
    if (text.empty())
        return "empty line: expected one JSON object per line";

    json message;
    try {
        message = json::parse(text);
    } catch (const json::parse_error &error) {
        return "invalid JSON at byte " + std::to_string(error.byte) + " of the line";
    }
    if (!message.is_object())
        return "expected a JSON object";

    if (std::string problem = parseHeader(message, update); !problem.empty())
        return problem;
    const json *data = findMember(message, "data");
    if (data == nullptr)
        return "missing field 'data'";
    if (!data->is_object())
        return "field 'data' is not an object";
    return parseData(*data, scale, symbol, update);
}

} // namespace

std::optional<InputError> BybitDepthReader::open(const std::string &path, DepthScale scale)
{
    m_scale = scale;
    m_symbol.clear();
    m_error.reset();
    if (std::string problem = detail::checkScale(scale); !problem.empty()) {
        m_error = InputError{path, 0, problem};
        return m_error;
    }
    m_error = m_lines.open(path, "Bybit order-book file");
    return m_error;
}

bool BybitDepthReader::read(DepthUpdate &update)
{
    if (m_error)
        return false;
    if (!m_lines.next(m_line)) {
        m_error = m_lines.error();
        return false;
    }

    update.line = m_lines.lineNumber();
    const std::string problem = parseLine(m_line, m_scale, m_symbol, update);
    if (!problem.empty()) {
        m_error = InputError{m_lines.path(), m_lines.lineNumber(), problem};
        return false;
    }
    return true;
}

} // namespace bourse::replay

// The JSON encoding of the feed protocol (docs/feeds.md, "JSON encoding"): one object per
// message, with integer prices and sizes, so that a bridge can be a short script.

#include "feed_protocol.h"
#include "feed_protocol_checks.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace bourse::net::feed {

namespace {

using nlohmann::json;

constexpr std::string_view kStatusNames[] = {"trading", "halted", "quote_only", "pre_open",
                                             "closed"};

std::string_view sideName(Side side)
{
    return side == Side::Buy ? "buy" : "sell";
}

json levelsToJson(const std::vector<Level> &levels)
{
    json array = json::array();
    for (const Level &level : levels)
        array.push_back({level.price.value(), level.size.value()});
    return array;
}

json bodyToJson(const Body &body)
{
    json object;
    if (const auto *order = std::get_if<OrderMessage>(&body)) {
        object = {{"time", order->time.value()},
                  {"id", order->id.value()},
                  {"side", sideName(order->side)},
                  {"price", order->price.value()},
                  {"quantity", order->quantity.value()}};
    } else if (const auto *update = std::get_if<LevelUpdate>(&body)) {
        std::vector<Level> sides[2];
        for (const LevelChange &change : update->changes)
            sides[static_cast<int>(change.side)].push_back({change.price, change.size});
        object = {{"time", update->time.value()},
                  {"bids", levelsToJson(sides[0])},
                  {"asks", levelsToJson(sides[1])}};
    } else if (const auto *trade = std::get_if<Trade>(&body)) {
        object = {{"time", trade->time.value()},
                  {"aggressor", sideName(trade->aggressor)},
                  {"price", trade->price.value()},
                  {"quantity", trade->quantity.value()}};
    } else if (const auto *status = std::get_if<StatusChange>(&body)) {
        object = {{"time", status->time.value()},
                  {"status", kStatusNames[static_cast<int>(status->status)]}};
    } else if (const auto *book = std::get_if<BookSnapshot>(&body)) {
        object = {{"bids", levelsToJson(book->bids)}, {"asks", levelsToJson(book->asks)}};
    } else if (const auto *snapshot = std::get_if<OrderSnapshot>(&body)) {
        json orders = json::array();
        for (const RestingOrder &resting : snapshot->orders)
            orders.push_back({resting.id.value(), sideName(resting.side), resting.price.value(),
                              resting.quantity.value()});
        object = {{"orders", std::move(orders)}};
    } else if (const auto *instrument = std::get_if<InstrumentDefinition>(&body)) {
        object = {{"depth", instrument->depth == BookDepth::Levels ? "levels" : "orders"},
                  {"price_decimals", instrument->priceDecimals},
                  {"size_decimals", instrument->sizeDecimals},
                  {"tick", instrument->tick},
                  {"lot", instrument->lot}};
    } else {
        object = json::object();
    }
    return object;
}

// Reads the members of one JSON object, recording the first problem with the member's name.
class ObjectReader {
public:
    ObjectReader(const json &object, std::size_t index)
        : m_object(object)
        , m_index(index)
    {
    }

    std::optional<DecodeError> problem;

    const json *member(const char *name)
    {
        const auto found = m_object.find(name);
        if (found == m_object.end()) {
            fail(name, "is missing");
            return nullptr;
        }
        return &*found;
    }

    std::int64_t integer(const char *name)
    {
        const json *value = member(name);
        return value ? integerOf(*value, name) : 0;
    }

    std::uint64_t unsignedInteger(const char *name)
    {
        const json *value = member(name);
        if (!value)
            return 0;
        if (!value->is_number_unsigned()) {
            fail(name, "must be an integer of 0 or more");
            return 0;
        }
        return value->get<std::uint64_t>();
    }

    std::int64_t integerOf(const json &value, const char *name)
    {
        if (value.is_number_unsigned() &&
            value.get<std::uint64_t>() > std::uint64_t(std::numeric_limits<std::int64_t>::max())) {
            fail(name, "is out of range");
            return 0;
        }
        if (!value.is_number_integer()) {
            fail(name, "must be an integer");
            return 0;
        }
        return value.get<std::int64_t>();
    }

    Side sideOf(const json &value, const char *name)
    {
        if (value == "buy")
            return Side::Buy;
        if (value == "sell")
            return Side::Sell;
        fail(name, "must be \"buy\" or \"sell\"");
        return Side::Buy;
    }

    Side side(const char *name)
    {
        const json *value = member(name);
        return value ? sideOf(*value, name) : Side::Buy;
    }

    std::string text(const char *name)
    {
        const json *value = member(name);
        if (value && !value->is_string())
            fail(name, "must be a string");
        return value && value->is_string() ? value->get<std::string>() : std::string{};
    }

    const json *array(const char *name, std::size_t maxSize)
    {
        const json *value = member(name);
        if (value && !value->is_array()) {
            fail(name, "must be an array");
            return nullptr;
        }
        if (value && value->size() > maxSize) {
            fail(name, "has " + std::to_string(value->size()) + " entries, more than " +
                           std::to_string(maxSize));
            return nullptr;
        }
        return value;
    }

    std::vector<Level> levels(const char *name)
    {
        std::vector<Level> levels;
        const json *entries = array(name, kMaxLevels);
        if (!entries)
            return levels;
        levels.reserve(entries->size());
        for (const json &entry : *entries) {
            if (!entry.is_array() || entry.size() != 2) {
                fail(name, "must hold [price, size] pairs");
                break;
            }
            std::string where(name);
            where.append("[").append(std::to_string(levels.size())).append("]");
            levels.push_back({Price{integerOf(entry[0], (where + " price").c_str())},
                              Quantity{integerOf(entry[1], (where + " size").c_str())}});
        }
        return levels;
    }

    void fail(const char *name, std::string reason)
    {
        if (!problem)
            problem = DecodeError{m_index, name, std::move(reason)};
    }

private:
    const json &m_object;
    std::size_t m_index;
};

OrderSnapshot readOrders(ObjectReader &reader)
{
    OrderSnapshot snapshot;
    const json *entries = reader.array("orders", kMaxOrders);
    if (!entries)
        return snapshot;
    snapshot.orders.reserve(entries->size());
    for (const json &entry : *entries) {
        if (!entry.is_array() || entry.size() != 4 || !entry[0].is_number_unsigned()) {
            reader.fail("orders", "must hold [id, side, price, quantity] entries");
            break;
        }
        snapshot.orders.push_back({OrderId{entry[0].get<std::uint64_t>()},
                                   reader.sideOf(entry[1], "orders"),
                                   Price{reader.integerOf(entry[2], "orders")},
                                   Quantity{reader.integerOf(entry[3], "orders")}});
    }
    return snapshot;
}

std::optional<OrderAction> orderActionOf(std::string_view type)
{
    if (type == "add")
        return OrderAction::Add;
    if (type == "modify")
        return OrderAction::Modify;
    if (type == "delete")
        return OrderAction::Delete;
    if (type == "execute")
        return OrderAction::Execute;
    return std::nullopt;
}

Body readBody(ObjectReader &reader, const std::string &type)
{
    if (auto action = orderActionOf(type)) {
        return OrderMessage{*action,
                            Timestamp{reader.integer("time")},
                            OrderId{reader.unsignedInteger("id")},
                            reader.side("side"),
                            Price{reader.integer("price")},
                            Quantity{reader.integer("quantity")}};
    }
    if (type == "update") {
        LevelUpdate update{Timestamp{reader.integer("time")}, {}};
        for (Side side : {Side::Buy, Side::Sell}) {
            for (const Level &level : reader.levels(side == Side::Buy ? "bids" : "asks"))
                update.changes.push_back({side, level.price, level.size});
        }
        return update;
    }
    if (type == "trade")
        return Trade{Timestamp{reader.integer("time")}, reader.side("aggressor"),
                     Price{reader.integer("price")}, Quantity{reader.integer("quantity")}};
    if (type == "status") {
        StatusChange change{Timestamp{reader.integer("time")}, TradingStatus::Trading};
        const std::string name = reader.text("status");
        const auto *found = std::find(std::begin(kStatusNames), std::end(kStatusNames), name);
        if (found == std::end(kStatusNames))
            reader.fail("status", "must be trading, halted, quote_only, pre_open or closed");
        else
            change.status = static_cast<TradingStatus>(found - std::begin(kStatusNames));
        return change;
    }
    if (type == "book")
        return BookSnapshot{reader.levels("bids"), reader.levels("asks")};
    if (type == "orders")
        return readOrders(reader);
    if (type == "instrument") {
        InstrumentDefinition instrument;
        const std::string depth = reader.text("depth");
        if (depth != "levels" && depth != "orders")
            reader.fail("depth", "must be \"levels\" or \"orders\"");
        instrument.depth = depth == "levels" ? BookDepth::Levels : BookDepth::Orders;
        const std::int64_t priceDecimals = reader.integer("price_decimals");
        const std::int64_t sizeDecimals = reader.integer("size_decimals");
        if (priceDecimals < 0 || priceDecimals > 18 || sizeDecimals < 0 || sizeDecimals > 18)
            reader.fail("decimals", "must be 0 to 18");
        instrument.priceDecimals = static_cast<std::uint8_t>(priceDecimals & 0x1f);
        instrument.sizeDecimals = static_cast<std::uint8_t>(sizeDecimals & 0x1f);
        instrument.tick = reader.integer("tick");
        instrument.lot = reader.integer("lot");
        return instrument;
    }
    if (type == "heartbeat")
        return Heartbeat{};
    reader.fail("type", "\"" + type + "\" is not a message type of the feed protocol");
    return Heartbeat{};
}

std::optional<DecodeError> readMessage(const json &object, std::size_t index, Batch &batch)
{
    if (!object.is_object())
        return DecodeError{index, "message", "must be a JSON object"};
    ObjectReader reader(object, index);
    const std::uint64_t session = reader.unsignedInteger("session");
    if (!reader.problem && index > 0 && session != batch.session)
        reader.fail("session", "differs from the first message's");
    batch.session = session;

    Message &message = batch.messages.emplace_back();
    message.sequence = reader.unsignedInteger("sequence");
    const std::string type = reader.text("type");
    if (reader.problem)
        return reader.problem;
    message.body = readBody(reader, type);
    if (reader.problem)
        return reader.problem;
    return checkMessage(message, index);
}

} // namespace

std::optional<DecodeError> decodeJson(std::span<const std::uint8_t> payload, Batch &batch)
{
    // RFC 8259 leaves duplicate keys to the reader, and nlohmann::json keeps the last, so a
    // message that names a field twice is rejected rather than read one way here and another
    // way by the bridge that wrote it.
    std::vector<std::vector<std::string>> keys;
    std::string duplicate;
    const auto noteKey = [&keys, &duplicate](int, json::parse_event_t event, json &parsed) {
        if (event == json::parse_event_t::object_start) {
            keys.emplace_back();
        } else if (event == json::parse_event_t::object_end) {
            keys.pop_back();
        } else if (event == json::parse_event_t::key && !keys.empty()) {
            std::vector<std::string> &seen = keys.back();
            const std::string &key = parsed.get_ref<const std::string &>();
            if (std::find(seen.begin(), seen.end(), key) != seen.end() && duplicate.empty())
                duplicate = key;
            seen.push_back(key);
        }
        return true;
    };
    const json document = json::parse(payload.begin(), payload.end(), noteKey, false);
    if (document.is_discarded())
        return DecodeError{std::nullopt, "payload", "is not valid JSON"};
    if (!duplicate.empty())
        return DecodeError{std::nullopt, "payload", "names key \"" + duplicate + "\" twice"};
    if (document.is_object())
        return readMessage(document, 0, batch);
    if (!document.is_array())
        return DecodeError{std::nullopt, "payload",
                           "is JSON but not an object or an array of objects"};

    if (document.size() > kMaxBatchRecords)
        return DecodeError{std::nullopt, "count",
                           "is " + std::to_string(document.size()) + ", more than " +
                               std::to_string(kMaxBatchRecords)};
    for (std::size_t index = 0; index < document.size(); ++index) {
        if (auto failed = readMessage(document[index], index, batch))
            return failed;
    }
    return std::nullopt;
}

std::string encodeJson(const Batch &batch)
{
    json messages = json::array();
    for (const Message &message : batch.messages) {
        json object = bodyToJson(message.body);
        object["type"] = typeName(message.body);
        object["session"] = batch.session;
        object["sequence"] = message.sequence;
        messages.push_back(std::move(object));
    }
    if (messages.size() == 1)
        return messages[0].dump();
    return messages.dump();
}

} // namespace bourse::net::feed

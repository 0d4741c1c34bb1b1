// The binary encoding of the feed protocol (docs/feeds.md, "Binary encoding"), and what both
// encodings share: the checks of field values, topics and snapshot requests.

#include "feed_protocol.h"
#include "feed_protocol_checks.h"

#include "protocol_wire.h"

#include <algorithm>

namespace bourse::net::feed {

namespace {

// Record types of the binary encoding.
enum class RecordType : std::uint8_t {
    Instrument = 1,
    BookSnapshot = 2,
    LevelUpdate = 3,
    OrderAdd = 4,
    OrderModify = 5,
    OrderDelete = 6,
    OrderExecute = 7,
    Trade = 8,
    Status = 9,
    OrderSnapshot = 10,
    Heartbeat = 11,
};

constexpr std::size_t kBatchHeaderSize = 13;  // magic, version, session, count
constexpr std::size_t kRecordHeaderSize = 13; // type, sequence, body length
constexpr std::size_t kInstrumentSize = 19;
constexpr std::size_t kOrderSize = 33;
constexpr std::size_t kTradeSize = 25;
constexpr std::size_t kStatusSize = 9;
constexpr std::size_t kLevelSize = 16;
constexpr std::size_t kChangeSize = 17;
constexpr std::size_t kRestingOrderSize = 25;

RecordType recordTypeOf(const Body &body)
{
    struct Visitor {
        RecordType operator()(const InstrumentDefinition &) { return RecordType::Instrument; }
        RecordType operator()(const BookSnapshot &) { return RecordType::BookSnapshot; }
        RecordType operator()(const LevelUpdate &) { return RecordType::LevelUpdate; }
        RecordType operator()(const OrderMessage &order)
        {
            return static_cast<RecordType>(static_cast<std::uint8_t>(RecordType::OrderAdd) +
                                           static_cast<std::uint8_t>(order.action));
        }
        RecordType operator()(const Trade &) { return RecordType::Trade; }
        RecordType operator()(const StatusChange &) { return RecordType::Status; }
        RecordType operator()(const OrderSnapshot &) { return RecordType::OrderSnapshot; }
        RecordType operator()(const Heartbeat &) { return RecordType::Heartbeat; }
    };
    return std::visit(Visitor{}, body);
}

void appendLevels(std::vector<std::uint8_t> &out, const std::vector<Level> &levels)
{
    for (const Level &level : levels) {
        wire::append<std::int64_t>(out, level.price.value());
        wire::append<std::int64_t>(out, level.size.value());
    }
}

void appendBody(std::vector<std::uint8_t> &out, const Body &body)
{
    using wire::append;
    if (const auto *order = std::get_if<OrderMessage>(&body)) {
        append<std::int64_t>(out, order->time.value());
        append<std::uint64_t>(out, order->id.value());
        append<std::uint8_t>(out, static_cast<std::uint8_t>(order->side));
        append<std::int64_t>(out, order->price.value());
        append<std::int64_t>(out, order->quantity.value());
    } else if (const auto *update = std::get_if<LevelUpdate>(&body)) {
        append<std::int64_t>(out, update->time.value());
        append<std::uint32_t>(out, static_cast<std::uint32_t>(update->changes.size()));
        for (const LevelChange &change : update->changes) {
            append<std::uint8_t>(out, static_cast<std::uint8_t>(change.side));
            append<std::int64_t>(out, change.price.value());
            append<std::int64_t>(out, change.size.value());
        }
    } else if (const auto *trade = std::get_if<Trade>(&body)) {
        append<std::int64_t>(out, trade->time.value());
        append<std::uint8_t>(out, static_cast<std::uint8_t>(trade->aggressor));
        append<std::int64_t>(out, trade->price.value());
        append<std::int64_t>(out, trade->quantity.value());
    } else if (const auto *status = std::get_if<StatusChange>(&body)) {
        append<std::int64_t>(out, status->time.value());
        append<std::uint8_t>(out, static_cast<std::uint8_t>(status->status));
    } else if (const auto *book = std::get_if<BookSnapshot>(&body)) {
        append<std::uint32_t>(out, static_cast<std::uint32_t>(book->bids.size()));
        append<std::uint32_t>(out, static_cast<std::uint32_t>(book->asks.size()));
        appendLevels(out, book->bids);
        appendLevels(out, book->asks);
    } else if (const auto *orders = std::get_if<OrderSnapshot>(&body)) {
        append<std::uint32_t>(out, static_cast<std::uint32_t>(orders->orders.size()));
        for (const RestingOrder &resting : orders->orders) {
            append<std::uint64_t>(out, resting.id.value());
            append<std::uint8_t>(out, static_cast<std::uint8_t>(resting.side));
            append<std::int64_t>(out, resting.price.value());
            append<std::int64_t>(out, resting.quantity.value());
        }
    } else if (const auto *instrument = std::get_if<InstrumentDefinition>(&body)) {
        append<std::uint8_t>(out, static_cast<std::uint8_t>(instrument->depth));
        append<std::uint8_t>(out, instrument->priceDecimals);
        append<std::uint8_t>(out, instrument->sizeDecimals);
        append<std::int64_t>(out, instrument->tick);
        append<std::int64_t>(out, instrument->lot);
    }
}

// Reads the body of one record whose length was checked against the payload. Field values are
// checked afterwards, by checkMessage(), the same for both encodings.
class BodyReader {
public:
    BodyReader(std::span<const std::uint8_t> body, std::size_t index)
        : m_reader(body)
        , m_index(index)
    {
    }

    std::optional<DecodeError> read(RecordType type, Body &body)
    {
        switch (type) {
        case RecordType::Instrument:
            return readInstrument(body);
        case RecordType::BookSnapshot:
            return readBook(body);
        case RecordType::LevelUpdate:
            return readUpdate(body);
        case RecordType::OrderAdd:
        case RecordType::OrderModify:
        case RecordType::OrderDelete:
        case RecordType::OrderExecute:
            return readOrder(type, body);
        case RecordType::Trade:
            return readTrade(body);
        case RecordType::Status:
            return readStatus(body);
        case RecordType::OrderSnapshot:
            return readOrders(body);
        case RecordType::Heartbeat:
            body = Heartbeat{};
            return expectSize(0);
        }
        return error("type", "is " + std::to_string(static_cast<int>(type)) +
                                 ", not a record type of the feed protocol (1 to 11)");
    }

private:
    DecodeError error(std::string field, std::string reason) const
    {
        return DecodeError{m_index, std::move(field), std::move(reason)};
    }

    std::optional<DecodeError> expectSize(std::size_t size) const
    {
        if (m_reader.remaining() == size)
            return std::nullopt;
        return error("length", "is " + std::to_string(m_reader.remaining()) + " bytes, expected " +
                                   std::to_string(size));
    }

    std::optional<DecodeError> readInstrument(Body &body)
    {
        if (auto failed = expectSize(kInstrumentSize))
            return failed;
        InstrumentDefinition instrument;
        instrument.depth = static_cast<BookDepth>(m_reader.read<std::uint8_t>());
        instrument.priceDecimals = m_reader.read<std::uint8_t>();
        instrument.sizeDecimals = m_reader.read<std::uint8_t>();
        instrument.tick = m_reader.read<std::int64_t>();
        instrument.lot = m_reader.read<std::int64_t>();
        body = instrument;
        return std::nullopt;
    }

    std::optional<DecodeError> readOrder(RecordType type, Body &body)
    {
        if (auto failed = expectSize(kOrderSize))
            return failed;
        OrderMessage order;
        order.action = static_cast<OrderAction>(static_cast<std::uint8_t>(type) -
                                                static_cast<std::uint8_t>(RecordType::OrderAdd));
        order.time = Timestamp{m_reader.read<std::int64_t>()};
        order.id = OrderId{m_reader.read<std::uint64_t>()};
        order.side = static_cast<Side>(m_reader.read<std::uint8_t>());
        order.price = Price{m_reader.read<std::int64_t>()};
        order.quantity = Quantity{m_reader.read<std::int64_t>()};
        body = order;
        return std::nullopt;
    }

    std::optional<DecodeError> readTrade(Body &body)
    {
        if (auto failed = expectSize(kTradeSize))
            return failed;
        Trade trade;
        trade.time = Timestamp{m_reader.read<std::int64_t>()};
        trade.aggressor = static_cast<Side>(m_reader.read<std::uint8_t>());
        trade.price = Price{m_reader.read<std::int64_t>()};
        trade.quantity = Quantity{m_reader.read<std::int64_t>()};
        body = trade;
        return std::nullopt;
    }

    std::optional<DecodeError> readStatus(Body &body)
    {
        if (auto failed = expectSize(kStatusSize))
            return failed;
        StatusChange status;
        status.time = Timestamp{m_reader.read<std::int64_t>()};
        status.status = static_cast<TradingStatus>(m_reader.read<std::uint8_t>());
        body = status;
        return std::nullopt;
    }

    std::optional<DecodeError> readUpdate(Body &body)
    {
        if (m_reader.remaining() < 12)
            return expectSize(12);
        LevelUpdate update;
        update.time = Timestamp{m_reader.read<std::int64_t>()};
        const std::uint32_t count = m_reader.read<std::uint32_t>();
        if (count > 2 * kMaxLevels)
            return error("changes", "has " + std::to_string(count) + " levels, more than " +
                                        std::to_string(2 * kMaxLevels));
        if (auto failed = expectSize(std::size_t{count} * kChangeSize))
            return failed;
        update.changes.resize(count);
        for (LevelChange &change : update.changes) {
            change.side = static_cast<Side>(m_reader.read<std::uint8_t>());
            change.price = Price{m_reader.read<std::int64_t>()};
            change.size = Quantity{m_reader.read<std::int64_t>()};
        }
        body = std::move(update);
        return std::nullopt;
    }

    std::optional<DecodeError> readBook(Body &body)
    {
        if (m_reader.remaining() < 8)
            return expectSize(8);
        const std::uint32_t bids = m_reader.read<std::uint32_t>();
        const std::uint32_t asks = m_reader.read<std::uint32_t>();
        if (bids > kMaxLevels || asks > kMaxLevels)
            return error(bids > kMaxLevels ? "bids" : "asks",
                         "has more than " + std::to_string(kMaxLevels) + " levels");
        if (auto failed = expectSize((std::size_t{bids} + asks) * kLevelSize))
            return failed;
        BookSnapshot book;
        book.bids.resize(bids);
        book.asks.resize(asks);
        for (auto *levels : {&book.bids, &book.asks}) {
            for (Level &level : *levels) {
                level.price = Price{m_reader.read<std::int64_t>()};
                level.size = Quantity{m_reader.read<std::int64_t>()};
            }
        }
        body = std::move(book);
        return std::nullopt;
    }

    std::optional<DecodeError> readOrders(Body &body)
    {
        if (m_reader.remaining() < 4)
            return expectSize(4);
        const std::uint32_t count = m_reader.read<std::uint32_t>();
        if (count > kMaxOrders)
            return error("orders", "has " + std::to_string(count) + " orders, more than " +
                                       std::to_string(kMaxOrders));
        if (auto failed = expectSize(std::size_t{count} * kRestingOrderSize))
            return failed;
        OrderSnapshot snapshot;
        snapshot.orders.resize(count);
        for (RestingOrder &order : snapshot.orders) {
            order.id = OrderId{m_reader.read<std::uint64_t>()};
            order.side = static_cast<Side>(m_reader.read<std::uint8_t>());
            order.price = Price{m_reader.read<std::int64_t>()};
            order.quantity = Quantity{m_reader.read<std::int64_t>()};
        }
        body = std::move(snapshot);
        return std::nullopt;
    }

    wire::Reader m_reader;
    std::size_t m_index;
};

std::optional<DecodeError> decodeBinary(std::span<const std::uint8_t> payload, Batch &batch)
{
    if (payload.size() < kBatchHeaderSize)
        return DecodeError{std::nullopt, "header",
                           "is " + std::to_string(payload.size()) + " bytes, expected at least " +
                               std::to_string(kBatchHeaderSize)};
    wire::Reader reader(payload, 2);
    const std::uint8_t version = reader.read<std::uint8_t>();
    if (version != kVersion)
        return DecodeError{std::nullopt, "version",
                           "is " + std::to_string(version) + ", expected " +
                               std::to_string(kVersion)};
    batch.session = reader.read<std::uint64_t>();
    const std::uint16_t count = reader.read<std::uint16_t>();
    if (count > kMaxBatchRecords)
        return DecodeError{std::nullopt, "count",
                           "is " + std::to_string(count) + ", more than " +
                               std::to_string(kMaxBatchRecords)};

    batch.messages.resize(count);
    for (std::size_t index = 0; index < count; ++index) {
        if (reader.remaining() < kRecordHeaderSize)
            return DecodeError{index, "record", "is cut short by the end of the payload"};
        const auto type = static_cast<RecordType>(reader.read<std::uint8_t>());
        batch.messages[index].sequence = reader.read<std::uint64_t>();
        const std::uint32_t length = reader.read<std::uint32_t>();
        if (length > reader.remaining())
            return DecodeError{index, "length",
                               "is " + std::to_string(length) + " bytes, but " +
                                   std::to_string(reader.remaining()) + " remain"};

        BodyReader body(payload.subspan(reader.offset(), length), index);
        if (auto failed = body.read(type, batch.messages[index].body))
            return failed;
        reader.skip(length);
        if (auto failed = checkMessage(batch.messages[index], index))
            return failed;
    }
    if (reader.remaining() != 0)
        return DecodeError{std::nullopt, "payload",
                           "has " + std::to_string(reader.remaining()) +
                               " bytes after the last record"};
    return std::nullopt;
}

} // namespace

std::string DecodeError::toString() const
{
    const std::string text = field + " " + reason;
    return index ? "message " + std::to_string(*index) + ": " + text : text;
}

bool isSequenced(const Body &body)
{
    return std::holds_alternative<LevelUpdate>(body) ||
           std::holds_alternative<OrderMessage>(body) || std::holds_alternative<Trade>(body) ||
           std::holds_alternative<StatusChange>(body);
}

std::string_view typeName(const Body &body)
{
    static constexpr std::string_view kOrderNames[] = {"add", "modify", "delete", "execute"};
    if (const auto *order = std::get_if<OrderMessage>(&body))
        return kOrderNames[static_cast<int>(order->action)];
    static constexpr std::string_view kNames[] = {"instrument", "book",   "update", "order",
                                                  "trade",      "status", "orders", "heartbeat"};
    return kNames[body.index()];
}

void encodeBinary(const Batch &batch, std::vector<std::uint8_t> &out)
{
    out.push_back(kMagic0);
    out.push_back(kMagic1);
    wire::append<std::uint8_t>(out, kVersion);
    wire::append<std::uint64_t>(out, batch.session);
    wire::append<std::uint16_t>(out, static_cast<std::uint16_t>(batch.messages.size()));
    for (const Message &message : batch.messages) {
        wire::append<std::uint8_t>(out, static_cast<std::uint8_t>(recordTypeOf(message.body)));
        wire::append<std::uint64_t>(out, message.sequence);
        const std::size_t lengthAt = out.size();
        wire::append<std::uint32_t>(out, 0);
        appendBody(out, message.body);
        wire::patch<std::uint32_t>(out, lengthAt,
                                   static_cast<std::uint32_t>(out.size() - lengthAt - 4));
    }
}

std::optional<DecodeError> decode(std::string_view topic, std::span<const std::uint8_t> payload,
                                  Batch &batch)
{
    batch.messages.clear();
    if (auto problem = checkTopic(topic))
        return DecodeError{std::nullopt, "topic", *problem};
    batch.topic.assign(topic);

    if (payload.size() > kMaxPayloadBytes)
        return DecodeError{std::nullopt, "payload",
                           "is " + std::to_string(payload.size()) + " bytes, more than " +
                               std::to_string(kMaxPayloadBytes)};
    if (payload.empty())
        return DecodeError{std::nullopt, "payload", "is empty"};
    if (payload.size() >= 2 && payload[0] == kMagic0 && payload[1] == kMagic1)
        return decodeBinary(payload, batch);
    // Anything else that is JSON still goes to the JSON decoder, which names the problem.
    const std::uint8_t first = payload[0];
    if (first != kMagic0 && first >= 0x20 && first < 0x7f)
        return decodeJson(payload, batch);
    return DecodeError{std::nullopt, "payload",
                       "is neither a binary batch (starting \"BF\") nor JSON text"};
}

std::optional<std::string> checkTopic(std::string_view topic)
{
    if (topic.empty() || topic.size() > kMaxTopicBytes)
        return "must have 1 to " + std::to_string(kMaxTopicBytes) + " characters, has " +
               std::to_string(topic.size());
    for (char c : topic) {
        const bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                             (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!allowed)
            return "contains a character other than A-Z, a-z, 0-9, '.', '_' and '-'";
    }
    return std::nullopt;
}

std::string defaultSnapshotEndpoint(const std::string &feedEndpoint)
{
    if (feedEndpoint.rfind("ipc://", 0) == 0)
        return feedEndpoint + ".snapshot";
    const std::size_t colon = feedEndpoint.rfind(':');
    if (feedEndpoint.rfind("tcp://", 0) != 0 || colon == std::string::npos || colon < 6)
        return {};
    const std::string port = feedEndpoint.substr(colon + 1);
    if (port == "*")
        return feedEndpoint;
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos)
        return {};
    const unsigned long next = std::stoul(port) + 1;
    if (next > 65535)
        return {};
    return feedEndpoint.substr(0, colon + 1) + std::to_string(next);
}

std::vector<std::uint8_t> encodeSnapshotRequest(std::string_view topic)
{
    std::vector<std::uint8_t> out(4 + topic.size());
    out[0] = kMagic0;
    out[1] = kMagic1;
    out[2] = 'S';
    out[3] = kVersion;
    std::copy(topic.begin(), topic.end(), out.begin() + 4);
    return out;
}

std::optional<std::string> decodeSnapshotRequest(std::span<const std::uint8_t> payload)
{
    if (payload.size() < 4 || payload[0] != kMagic0 || payload[1] != kMagic1 || payload[2] != 'S' ||
        payload[3] != kVersion)
        return std::nullopt;
    std::string topic(payload.begin() + 4, payload.end());
    if (checkTopic(topic))
        return std::nullopt;
    return topic;
}

} // namespace bourse::net::feed

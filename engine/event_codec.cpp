#include "event_codec.h"

#include <string_view>
#include <tuple>
#include <type_traits>

namespace bourse {

namespace {

constexpr std::size_t headerSize = 2; // codec version, event type

template <typename Struct, typename Member>
struct Field {
    std::string_view name;
    Member Struct::*member;
};

template <typename Struct, typename Member>
constexpr Field<Struct, Member> field(std::string_view name, Member Struct::*member)
{
    return {name, member};
}

// The fields of each payload in their encoded order. Changing an order or a member type here
// changes the format and needs a new codec version.
constexpr auto fieldsOf(std::type_identity<OrderAccepted>)
{
    return std::tuple{field("id", &OrderAccepted::id), field("side", &OrderAccepted::side),
                      field("type", &OrderAccepted::type), field("limit", &OrderAccepted::limit),
                      field("quantity", &OrderAccepted::quantity)};
}

constexpr auto fieldsOf(std::type_identity<OrderAdded>)
{
    return std::tuple{field("id", &OrderAdded::id), field("side", &OrderAdded::side),
                      field("price", &OrderAdded::price), field("quantity", &OrderAdded::quantity),
                      field("origin", &OrderAdded::origin)};
}

constexpr auto fieldsOf(std::type_identity<OrderRejected>)
{
    return std::tuple{field("id", &OrderRejected::id), field("reason", &OrderRejected::reason)};
}

constexpr auto fieldsOf(std::type_identity<OrderCancelled>)
{
    return std::tuple{field("id", &OrderCancelled::id), field("side", &OrderCancelled::side),
                      field("price", &OrderCancelled::price),
                      field("quantity", &OrderCancelled::quantity),
                      field("reason", &OrderCancelled::reason)};
}

constexpr auto fieldsOf(std::type_identity<OrderReduced>)
{
    return std::tuple{field("id", &OrderReduced::id), field("side", &OrderReduced::side),
                      field("price", &OrderReduced::price),
                      field("reducedBy", &OrderReduced::reducedBy),
                      field("remaining", &OrderReduced::remaining)};
}

constexpr auto fieldsOf(std::type_identity<Trade>)
{
    return std::tuple{
        field("maker", &Trade::maker),         field("taker", &Trade::taker),
        field("aggressor", &Trade::aggressor), field("price", &Trade::price),
        field("quantity", &Trade::quantity),   field("makerRemaining", &Trade::makerRemaining)};
}

constexpr auto fieldsOf(std::type_identity<TradingStatusChanged>)
{
    return std::tuple{field("status", &TradingStatusChanged::status)};
}

// Enum members take one byte; the rest are StrongIntegers at the width of their representation.
template <typename Member>
constexpr std::size_t widthOf()
{
    if constexpr (std::is_enum_v<Member>) {
        static_assert(sizeof(Member) == 1, "enums are encoded in one byte");
        return 1;
    } else {
        return sizeof(typename Member::Representation);
    }
}

template <typename Payload>
constexpr std::size_t sizeOf()
{
    const auto addWidths = [](auto... fields) {
        return (widthOf<std::remove_cvref_t<decltype(std::declval<Payload>().*fields.member)>>() +
                ... + headerSize);
    };
    return std::apply(addWidths, fieldsOf(std::type_identity<Payload>{}));
}

// Calls `function` with std::type_identity of the payload struct for `type`. Returns false,
// without calling it, when no payload has that type number.
template <typename Function>
bool visitPayloadType(EventType type, Function &&function)
{
    switch (type) {
    case EventType::OrderAccepted:
        function(std::type_identity<OrderAccepted>{});
        return true;
    case EventType::OrderAdded:
        function(std::type_identity<OrderAdded>{});
        return true;
    case EventType::OrderRejected:
        function(std::type_identity<OrderRejected>{});
        return true;
    case EventType::OrderCancelled:
        function(std::type_identity<OrderCancelled>{});
        return true;
    case EventType::OrderReduced:
        function(std::type_identity<OrderReduced>{});
        return true;
    case EventType::Trade:
        function(std::type_identity<Trade>{});
        return true;
    case EventType::TradingStatusChanged:
        function(std::type_identity<TradingStatusChanged>{});
        return true;
    }
    return false;
}

// --- Enum validation. The switches list every enumerator, so a new one that is not added here
// fails the build under -Wswitch -Werror.

bool isKnown(Side side)
{
    switch (side) {
    case Side::Buy:
    case Side::Sell:
        return true;
    }
    return false;
}

bool isKnown(OrderType type)
{
    switch (type) {
    case OrderType::Limit:
    case OrderType::Market:
        return true;
    }
    return false;
}

bool isKnown(OrderOrigin origin)
{
    switch (origin) {
    case OrderOrigin::OrderEntry:
    case OrderOrigin::MarketData:
    case OrderOrigin::Recovered:
        return true;
    }
    return false;
}

bool isKnown(RejectReason reason)
{
    switch (reason) {
    case RejectReason::UnknownOrder:
    case RejectReason::DuplicateOrderId:
    case RejectReason::InvalidQuantity:
    case RejectReason::InvalidPrice:
    case RejectReason::NoLiquidity:
    case RejectReason::TradingHalted:
        return true;
    }
    return false;
}

bool isKnown(CancelReason reason)
{
    switch (reason) {
    case CancelReason::Requested:
    case CancelReason::Unfilled:
    case CancelReason::MarketData:
    case CancelReason::Resynchronized:
        return true;
    }
    return false;
}

bool isKnown(TradingStatus status)
{
    switch (status) {
    case TradingStatus::Trading:
    case TradingStatus::Halted:
    case TradingStatus::QuoteOnly:
        return true;
    }
    return false;
}

constexpr std::string_view enumName(std::type_identity<Side>)
{
    return "side";
}
constexpr std::string_view enumName(std::type_identity<OrderType>)
{
    return "order type";
}
constexpr std::string_view enumName(std::type_identity<OrderOrigin>)
{
    return "origin";
}
constexpr std::string_view enumName(std::type_identity<RejectReason>)
{
    return "reject reason";
}
constexpr std::string_view enumName(std::type_identity<CancelReason>)
{
    return "cancel reason";
}
constexpr std::string_view enumName(std::type_identity<TradingStatus>)
{
    return "trading status";
}

// --- Encoding

void appendLittleEndian(std::vector<std::uint8_t> &out, std::uint64_t value, std::size_t width)
{
    for (std::size_t byte = 0; byte < width; ++byte) {
        out.push_back(static_cast<std::uint8_t>(value >> (8 * byte)));
    }
}

template <typename Member>
void appendMember(std::vector<std::uint8_t> &out, const Member &value)
{
    if constexpr (std::is_enum_v<Member>) {
        out.push_back(static_cast<std::uint8_t>(value));
    } else {
        // Signed values go out as their two's complement bit pattern.
        appendLittleEndian(out, static_cast<std::uint64_t>(value.value()), widthOf<Member>());
    }
}

template <typename Payload>
void appendFields(const Payload &payload, std::vector<std::uint8_t> &out)
{
    const auto appendAll = [&](auto... fields) {
        (appendMember(out, payload.*fields.member), ...);
    };
    std::apply(appendAll, fieldsOf(std::type_identity<Payload>{}));
}

// --- Decoding

class ByteReader {
public:
    explicit ByteReader(std::span<const std::uint8_t> bytes)
        : m_bytes(bytes)
    {
    }

    // The caller has checked the total size, so reads never run past the end.
    std::uint64_t readLittleEndian(std::size_t width)
    {
        std::uint64_t value = 0;
        for (std::size_t byte = 0; byte < width; ++byte) {
            value |= static_cast<std::uint64_t>(m_bytes[m_offset + byte]) << (8 * byte);
        }
        m_offset += width;
        return value;
    }

private:
    std::span<const std::uint8_t> m_bytes;
    std::size_t m_offset = 0;
};

template <typename Payload>
std::string payloadName()
{
    return std::string(nameOf(typeOf(EventPayload{std::in_place_type<Payload>})));
}

// Reads one field into payload.*field.member. Returns false and sets `error` when the byte of an
// enum field is outside its enum.
template <typename Payload, typename FieldType>
bool readField(ByteReader &reader, Payload &payload, const FieldType &field, std::string &error)
{
    auto &member = payload.*field.member;
    using Member = std::remove_cvref_t<decltype(member)>;
    const std::uint64_t raw = reader.readLittleEndian(widthOf<Member>());

    if constexpr (std::is_enum_v<Member>) {
        member = static_cast<Member>(raw);
        if (!isKnown(member)) {
            error = "invalid " + std::string(enumName(std::type_identity<Member>{})) + " value " +
                    std::to_string(raw) + " in field " + payloadName<Payload>() + "." +
                    std::string(field.name);
            return false;
        }
    } else {
        member = Member{static_cast<typename Member::Representation>(raw)};
    }
    return true;
}

DecodedPayload failure(std::string error)
{
    return DecodedPayload{std::nullopt, std::move(error)};
}

template <typename Payload>
DecodedPayload decodeAs(std::span<const std::uint8_t> bytes)
{
    const std::size_t expected = sizeOf<Payload>();
    if (bytes.size() != expected) {
        return failure(payloadName<Payload>() + " payload of " + std::to_string(bytes.size()) +
                       " bytes where " + std::to_string(expected) + " expected");
    }

    ByteReader reader(bytes.subspan(headerSize));
    Payload payload{};
    std::string error;
    const auto readAll = [&](auto... fields) {
        return (readField(reader, payload, fields, error) && ...);
    };
    if (!std::apply(readAll, fieldsOf(std::type_identity<Payload>{}))) {
        return failure(std::move(error));
    }
    return DecodedPayload{EventPayload{payload}, {}};
}

} // namespace

std::size_t encodedPayloadSize(EventType type)
{
    std::size_t size = 0;
    visitPayloadType(type,
                     [&](auto identity) { size = sizeOf<typename decltype(identity)::type>(); });
    return size;
}

void appendEncodedPayload(const EventPayload &payload, std::vector<std::uint8_t> &out)
{
    out.push_back(eventCodecVersion);
    out.push_back(static_cast<std::uint8_t>(typeOf(payload)));
    std::visit([&](const auto &event) { appendFields(event, out); }, payload);
}

std::vector<std::uint8_t> encodePayload(const EventPayload &payload)
{
    std::vector<std::uint8_t> out;
    out.reserve(encodedPayloadSize(typeOf(payload)));
    appendEncodedPayload(payload, out);
    return out;
}

DecodedPayload decodePayload(std::span<const std::uint8_t> bytes)
{
    if (bytes.size() < headerSize) {
        return failure("payload of " + std::to_string(bytes.size()) + " bytes where at least " +
                       std::to_string(headerSize) + " expected");
    }

    const std::uint8_t version = bytes[0];
    if (version != eventCodecVersion) {
        return failure("unsupported codec version " + std::to_string(version) +
                       " (this build reads version " + std::to_string(eventCodecVersion) + ")");
    }

    const std::uint8_t type = bytes[1];
    DecodedPayload result;
    const bool known = visitPayloadType(static_cast<EventType>(type), [&](auto identity) {
        result = decodeAs<typename decltype(identity)::type>(bytes);
    });
    if (!known) {
        return failure("unknown event type " + std::to_string(type));
    }
    return result;
}

} // namespace bourse

#include "event_record.h"

#include "event_codec.h"
#include "event_codec_schema.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <tuple>
#include <type_traits>
#include <variant>

namespace bourse {

namespace {

// Stores are single stores on little-endian hosts.
constexpr bool kLittleEndian = std::endian::native == std::endian::little;

using codec::fieldsOf;
using codec::IsText;
using codec::Record;

template <Record R>
constexpr std::size_t encodedSize();

// The width event_codec.cpp gives a member in the current codec version, which encodes every
// field of every table.
template <typename Member>
constexpr std::size_t widthOf()
{
    if constexpr (Record<Member>)
        return encodedSize<Member>();
    else if constexpr (std::is_enum_v<Member> || IsText<Member>::value)
        return sizeof(Member);
    else if constexpr (std::is_integral_v<Member>)
        return sizeof(Member);
    else
        return sizeof(typename Member::Representation);
}

template <Record R>
constexpr std::size_t encodedSize()
{
    return std::apply(
        [](auto... fields) {
            return (widthOf<typename decltype(fields)::Member>() + ... + std::size_t{0});
        },
        fieldsOf(std::type_identity<R>{}));
}

template <typename Variant>
struct LargestPayload;
template <typename... Payloads>
struct LargestPayload<std::variant<Payloads...>> {
    static constexpr std::size_t size = std::max({encodedSize<Payloads>()...});
};

constexpr std::size_t kCodecHeaderSize = 2; // codec version, event type
static_assert(kEventRecordPrefixSize + kCodecHeaderSize + LargestPayload<EventPayload>::size <=
                  kMaximumEventRecordSize,
              "a payload outgrew kMaximumEventRecordSize");

// The record size of each payload type, by its index in EventPayload.
template <typename Variant>
struct RecordSizes;
template <typename... Payloads>
struct RecordSizes<std::variant<Payloads...>> {
    static constexpr std::array<std::size_t, sizeof...(Payloads)> sizes{
        (kEventRecordPrefixSize + kCodecHeaderSize + encodedSize<Payloads>())...};
};

template <std::size_t Width>
void store(std::uint8_t *&out, std::uint64_t value)
{
    if constexpr (kLittleEndian) {
        std::memcpy(out, &value, Width);
    } else {
        for (std::size_t byte = 0; byte < Width; ++byte)
            out[byte] = static_cast<std::uint8_t>(value >> (8 * byte));
    }
    out += Width;
}

template <Record R>
void storeRecord(std::uint8_t *&out, const R &record);

// Writes a member as event_codec.cpp's appendMember() appends it: enums in one byte, text as
// its characters, and integers, signed ones as their two's complement, in their own width.
template <typename Member>
void storeMember(std::uint8_t *&out, const Member &value)
{
    if constexpr (Record<Member>) {
        storeRecord(out, value);
    } else if constexpr (std::is_enum_v<Member>) {
        static_assert(sizeof(Member) == 1, "enums are encoded in one byte");
        *out++ = static_cast<std::uint8_t>(value);
    } else if constexpr (IsText<Member>::value) {
        std::memcpy(out, value.data(), value.size());
        out += value.size();
    } else if constexpr (std::is_integral_v<Member>) {
        store<sizeof(Member)>(out, static_cast<std::uint64_t>(value));
    } else {
        store<sizeof(typename Member::Representation)>(out,
                                                       static_cast<std::uint64_t>(value.value()));
    }
}

template <Record R>
void storeRecord(std::uint8_t *&out, const R &record)
{
    // Constant tables let the compiler turn each member pointer into a fixed offset.
    static constexpr auto fields = fieldsOf(std::type_identity<R>{});
    std::apply([&](const auto &...field) { (storeMember(out, record.*(field.member)), ...); },
               fields);
}

} // namespace

std::size_t eventRecordSize(const Event &event)
{
    return RecordSizes<EventPayload>::sizes[event.payload.index()];
}

std::size_t writeEventRecord(const Event &event, std::uint8_t *out)
{
    std::uint8_t *cursor = out;
    store<8>(cursor, event.sequence);
    store<8>(cursor, static_cast<std::uint64_t>(event.time.value()));
    store<4>(cursor, event.instrument.value());
    *cursor++ = eventCodecVersion;
    *cursor++ = static_cast<std::uint8_t>(typeOf(event.payload));
    std::visit([&cursor](const auto &payload) { storeRecord(cursor, payload); }, event.payload);
    return static_cast<std::size_t>(cursor - out);
}

} // namespace bourse

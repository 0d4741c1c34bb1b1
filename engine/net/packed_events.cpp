#include "packed_events.h"

#include "event_codec.h"
#include "event_codec_schema.h"
#include "protocol.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

namespace bourse::net {

namespace {

using codec::fieldsOf;
using codec::IsText;
using codec::Record;

// --- The shape of each payload type: its integer fields ("values") and its text bytes

template <Record R>
constexpr std::size_t valueCountOf();
template <Record R>
constexpr std::size_t textBytesOf();

template <typename Member>
constexpr std::size_t valuesIn()
{
    if constexpr (Record<Member>)
        return valueCountOf<Member>();
    else if constexpr (IsText<Member>::value)
        return 0;
    else
        return 1;
}

template <typename Member>
constexpr std::size_t textIn()
{
    if constexpr (Record<Member>)
        return textBytesOf<Member>();
    else if constexpr (IsText<Member>::value)
        return std::tuple_size_v<Member>;
    else
        return 0;
}

template <Record R>
constexpr std::size_t valueCountOf()
{
    return std::apply(
        [](auto... fields) {
            return (valuesIn<typename decltype(fields)::Member>() + ... + std::size_t{0});
        },
        fieldsOf(std::type_identity<R>{}));
}

template <Record R>
constexpr std::size_t textBytesOf()
{
    return std::apply(
        [](auto... fields) {
            return (textIn<typename decltype(fields)::Member>() + ... + std::size_t{0});
        },
        fieldsOf(std::type_identity<R>{}));
}

constexpr std::size_t kMaximumVarintSize = 10;

// The maximum size of a packed record of R: type, sequence, time, every value at its longest
// and the text.
template <Record R>
constexpr std::size_t largestRecordOf()
{
    return 1 + 2 * kMaximumVarintSize + kMaximumVarintSize * valueCountOf<R>() + textBytesOf<R>();
}

// Where each payload type's values start in FieldHistory, by index in EventPayload.
template <typename Variant>
struct Layout;
template <typename... Payloads>
struct Layout<std::variant<Payloads...>> {
    static constexpr std::array<std::size_t, sizeof...(Payloads)> counts{
        valueCountOf<Payloads>()...};
    static constexpr std::size_t total = (valueCountOf<Payloads>() + ...);
    static constexpr std::array<std::size_t, sizeof...(Payloads)> largest{
        largestRecordOf<Payloads>()...};
    static constexpr std::array<std::size_t, sizeof...(Payloads)> offsets = [] {
        std::array<std::size_t, sizeof...(Payloads)> result{};
        std::size_t next = 0;
        for (std::size_t i = 0; i < result.size(); ++i) {
            result[i] = next;
            next += counts[i];
        }
        return result;
    }();
};
using PayloadLayout = Layout<EventPayload>;

// The event type of each payload type, by index in EventPayload, so that a record's first byte
// costs a load rather than another visit of the variant.
template <std::size_t... Indexes>
std::array<std::uint8_t, sizeof...(Indexes)> typeNumbers(std::index_sequence<Indexes...>)
{
    return {static_cast<std::uint8_t>(typeOf(EventPayload(std::in_place_index<Indexes>)))...};
}
const std::array<std::uint8_t, std::variant_size_v<EventPayload>> kTypeNumbers =
    typeNumbers(std::make_index_sequence<std::variant_size_v<EventPayload>>{});
static_assert(PayloadLayout::total <= 256, "FieldHistory holds 256 values");
static_assert(std::variant_size_v<EventPayload> <= 64, "FieldHistory marks types in 64 bits");

// --- Values as 64 bits: signed ones sign-extended, unsigned ones and enums zero-extended

template <typename Member, typename = void>
struct RepresentationOf {
    using Type = typename Member::Representation;
};
template <typename Member>
struct RepresentationOf<Member, std::enable_if_t<std::is_enum_v<Member>>> {
    using Type = std::underlying_type_t<Member>;
};
template <typename Member>
struct RepresentationOf<Member, std::enable_if_t<std::is_integral_v<Member>>> {
    using Type = Member;
};
template <typename Member>
using Representation = typename RepresentationOf<Member>::Type;

template <typename Member>
std::uint64_t toBits(const Member &value)
{
    using Raw = Representation<Member>;
    Raw raw{};
    if constexpr (std::is_enum_v<Member>)
        raw = static_cast<Raw>(value);
    else if constexpr (std::is_integral_v<Member>)
        raw = value;
    else
        raw = value.value();
    if constexpr (std::is_signed_v<Raw>)
        return static_cast<std::uint64_t>(static_cast<std::int64_t>(raw));
    else
        return static_cast<std::uint64_t>(raw);
}

// Whether 64 bits are the extension of a value of the member's width, so that a decoder
// accepts exactly the bits an encoder can write.
template <typename Member>
bool fitsWidth(std::uint64_t bits)
{
    using Raw = Representation<Member>;
    if constexpr (sizeof(Raw) == 8)
        return true;
    else if constexpr (std::is_signed_v<Raw>)
        return static_cast<std::int64_t>(bits) >= std::numeric_limits<Raw>::min() &&
               static_cast<std::int64_t>(bits) <= std::numeric_limits<Raw>::max();
    else
        return bits <= std::numeric_limits<Raw>::max();
}

std::uint64_t zigzag(std::uint64_t difference)
{
    const auto signedDifference = static_cast<std::int64_t>(difference);
    return (difference << 1) ^ static_cast<std::uint64_t>(signedDifference >> 63);
}

std::uint64_t unzigzag(std::uint64_t encoded)
{
    return (encoded >> 1) ^ (~(encoded & 1) + 1);
}

std::uint8_t *writeVarint(std::uint8_t *out, std::uint64_t value)
{
    while (value >= 0x80) {
        *out++ = static_cast<std::uint8_t>(value | 0x80);
        value >>= 7;
    }
    *out++ = static_cast<std::uint8_t>(value);
    return out;
}

// --- Packing

template <Record R>
void packRecord(const R &record, std::uint64_t *&previous, std::uint8_t *&out);

template <typename Member>
void packMember(const Member &value, std::uint64_t *&previous, std::uint8_t *&out)
{
    if constexpr (Record<Member>) {
        packRecord(value, previous, out);
    } else if constexpr (IsText<Member>::value) {
        std::memcpy(out, value.data(), value.size());
        out += value.size();
    } else {
        const std::uint64_t bits = toBits(value);
        out = writeVarint(out, zigzag(bits - *previous));
        *previous++ = bits;
    }
}

template <Record R>
void packRecord(const R &record, std::uint64_t *&previous, std::uint8_t *&out)
{
    static constexpr auto fields = fieldsOf(std::type_identity<R>{});
    std::apply(
        [&](const auto &...field) { (packMember(record.*(field.member), previous, out), ...); },
        fields);
}

// --- Unpacking

// Reads packed records from a byte range. Each read checks the end of the range first.
class RecordReader {
public:
    RecordReader(std::span<const std::uint8_t> bytes, std::size_t offset)
        : m_bytes(bytes)
        , m_offset(offset)
    {
    }

    std::size_t offset() const { return m_offset; }
    std::size_t remaining() const { return m_bytes.size() - m_offset; }

    // Reads one varint. False at the end of the bytes or on a varint longer than 64 bits. A value
    // of up to 8 bytes comes from one 8-byte load without a branch on its length, because the
    // lengths vary from value to value and a mispredicted branch costs more than the read.
    [[gnu::always_inline]] bool readVarint(std::uint64_t &value)
    {
        if constexpr (std::endian::native == std::endian::little) {
            if (m_bytes.size() - m_offset >= 8) {
                std::uint64_t word = 0;
                std::memcpy(&word, m_bytes.data() + m_offset, 8);
                const std::uint64_t stops = ~word & 0x8080808080808080ULL;
                if (stops != 0) {
                    const int stopBit = std::countr_zero(stops); // 7, 15, ... or 63
                    const std::uint64_t kept =
                        stopBit == 63 ? ~std::uint64_t{0} : (std::uint64_t{1} << (stopBit + 1)) - 1;
                    value = compactGroups(word & kept);
                    m_offset += static_cast<std::size_t>(stopBit / 8 + 1);
                    return true;
                }
            }
        }
        return readLongVarint(value);
    }

    bool readBytes(std::uint8_t *out, std::size_t count)
    {
        if (remaining() < count)
            return false;
        std::memcpy(out, m_bytes.data() + m_offset, count);
        m_offset += count;
        return true;
    }

    std::uint8_t readByte() { return m_bytes[m_offset++]; }

private:
    // Joins the 7 low bits of each of 8 bytes into one 56-bit value, the first byte lowest.
    static std::uint64_t compactGroups(std::uint64_t word)
    {
        word &= 0x7f7f7f7f7f7f7f7fULL;
        word = ((word & 0x7f007f007f007f00ULL) >> 1) | (word & 0x007f007f007f007fULL);
        word = ((word & 0x3fff00003fff0000ULL) >> 2) | (word & 0x00003fff00003fffULL);
        return ((word & 0x0fffffff00000000ULL) >> 4) | (word & 0x000000000fffffffULL);
    }

    // Reads a varint near the end of the batch, or one of more than 8 bytes.
    [[gnu::noinline]] bool readLongVarint(std::uint64_t &value)
    {
        value = 0;
        for (std::size_t byte = 0; byte < kMaximumVarintSize; ++byte) {
            if (m_offset == m_bytes.size())
                return false;
            const std::uint8_t next = m_bytes[m_offset++];
            if (byte == kMaximumVarintSize - 1 && next > 1)
                return false; // bits above the 64th
            value |= static_cast<std::uint64_t>(next & 0x7f) << (7 * byte);
            if ((next & 0x80) == 0)
                return true;
        }
        return false;
    }

    std::span<const std::uint8_t> m_bytes;
    std::size_t m_offset;
};

// The first problem an unpacker found: its code, the field's name and the detail.
struct Problem {
    ProtocolError code = ProtocolError::Truncated;
    std::string_view field;
    std::size_t offset = 0;
    std::string detail;
};

class Unpacker {
public:
    explicit Unpacker(RecordReader &reader)
        : m_reader(reader)
    {
    }

    template <Record R>
    [[gnu::always_inline]] bool unpackRecord(R &record, std::uint64_t *&previous)
    {
        static constexpr auto fields = fieldsOf(std::type_identity<R>{});
        return std::apply(
            [&](const auto &...field) {
                return (unpackMember(record.*(field.member), field.name, previous) && ...);
            },
            fields);
    }

    Problem problem;

private:
    // Inlined, so that a record's fields are read in one run of code: as calls, they cost
    // about as much again as the reads.
    template <typename Member>
    [[gnu::always_inline]] bool unpackMember(Member &member, std::string_view name,
                                             std::uint64_t *&previous)
    {
        const std::size_t at = m_reader.offset();
        if constexpr (Record<Member>) {
            return unpackRecord(member, previous);
        } else if constexpr (IsText<Member>::value) {
            if (m_reader.readBytes(reinterpret_cast<std::uint8_t *>(member.data()), member.size()))
                return true;
            return fail(ProtocolError::Truncated, name, at, "the record ends inside the text");
        } else {
            std::uint64_t encoded = 0;
            if (!m_reader.readVarint(encoded)) [[unlikely]]
                return fail(ProtocolError::Truncated, name, at,
                            "the record ends inside the value, or it runs past 64 bits");
            const std::uint64_t bits = *previous + unzigzag(encoded);
            if (!fitsWidth<Member>(bits)) [[unlikely]]
                return failWidth(name, at, bits, sizeof(Representation<Member>));
            *previous++ = bits;
            return store(bits, member, name, at);
        }
    }

    template <typename Member>
    [[gnu::always_inline]] bool store(std::uint64_t bits, Member &member, std::string_view name,
                                      std::size_t at)
    {
        using Raw = Representation<Member>;
        const auto raw = static_cast<Raw>(bits);
        if constexpr (std::is_enum_v<Member>) {
            member = static_cast<Member>(raw);
            const std::optional<std::uint8_t> since = codec::introducedIn(member);
            if (!since || *since > eventCodecVersion) [[unlikely]]
                return fail(ProtocolError::InvalidEvent, name, at,
                            "value " + std::to_string(bits) + " is outside its enum");
        } else if constexpr (std::is_integral_v<Member>) {
            member = raw;
        } else {
            member = Member{raw};
        }
        return true;
    }

    // Out of line, so that the reads of a valid record stay small enough to inline.
    [[gnu::noinline, gnu::cold]] bool fail(ProtocolError code, std::string_view field,
                                           std::size_t at, std::string detail)
    {
        problem = Problem{code, field, at, std::move(detail)};
        return false;
    }

    [[gnu::noinline, gnu::cold]] bool failWidth(std::string_view field, std::size_t at,
                                                std::uint64_t bits, std::size_t width)
    {
        return fail(ProtocolError::InvalidValue, field, at,
                    "value " + std::to_string(static_cast<std::int64_t>(bits)) +
                        " does not fit the field's " + std::to_string(width) + " bytes");
    }

    RecordReader &m_reader;
};

DecodeError recordError(std::uint32_t index, ProtocolError code, std::string_view field,
                        std::size_t offset, const std::string &detail)
{
    return DecodeError{code, field, offset, "event " + std::to_string(index) + ": " + detail};
}

template <typename Payload, std::size_t Index = 0>
constexpr std::size_t indexOf()
{
    if constexpr (std::is_same_v<std::variant_alternative_t<Index, EventPayload>, Payload>)
        return Index;
    else
        return indexOf<Payload, Index + 1>();
}

} // namespace

namespace packed {

void FieldHistory::reset()
{
    m_seenTypes = 0;
    lastSequence = 0;
    lastTime = 0;
}

std::uint64_t *FieldHistory::valuesOf(std::size_t typeIndex)
{
    std::uint64_t *values = m_values.data() + PayloadLayout::offsets[typeIndex];
    const std::uint64_t bit = std::uint64_t{1} << typeIndex;
    if ((m_seenTypes & bit) == 0) {
        std::fill_n(values, PayloadLayout::counts[typeIndex], std::uint64_t{0});
        m_seenTypes |= bit;
    }
    return values;
}

} // namespace packed

// The record is written to a scratch buffer and copied, because making room for the longest
// record in `out` would clear several times the bytes the record takes.
void EventPacker::append(const Event &event, std::vector<std::uint8_t> &out)
{
    const std::size_t typeIndex = event.payload.index();
    std::uint8_t *const start = m_scratch.data();
    std::uint8_t *cursor = start;

    *cursor++ = kTypeNumbers[typeIndex];
    cursor = writeVarint(cursor, event.sequence - m_history.lastSequence);
    const auto time = static_cast<std::uint64_t>(event.time.value());
    cursor = writeVarint(cursor, zigzag(time - static_cast<std::uint64_t>(m_history.lastTime)));
    m_history.lastSequence = event.sequence;
    m_history.lastTime = event.time.value();

    std::uint64_t *previous = m_history.valuesOf(typeIndex);
    std::visit([&](const auto &payload) { packRecord(payload, previous, cursor); }, event.payload);
    out.insert(out.end(), start, cursor);
}

static_assert(
    [] {
        std::size_t largest = 0;
        for (const std::size_t size : PayloadLayout::largest)
            largest = std::max(largest, size);
        return largest;
    }() <= EventPacker::kLargestRecord,
    "a packed record outgrew EventPacker::kLargestRecord");

std::optional<DecodeError> readPackedEvents(std::span<const std::uint8_t> bytes, std::size_t offset,
                                            std::uint32_t count, std::uint32_t instrument,
                                            std::vector<Event> &events)
{
    RecordReader reader(bytes, offset);
    packed::FieldHistory history;
    history.reset();
    for (std::uint32_t index = 0; index < count; ++index) {
        const std::size_t start = reader.offset();
        if (reader.remaining() < kMinimumPackedRecordSize)
            return recordError(index, ProtocolError::Truncated, "event", start,
                               "only " + std::to_string(reader.remaining()) + " bytes left");
        const std::uint8_t typeNumber = reader.readByte();
        const auto type = static_cast<EventType>(typeNumber);
        const std::optional<std::uint8_t> since = codec::introducedIn(type);
        if (!since || *since > eventCodecVersion)
            return recordError(index, ProtocolError::InvalidEvent, "event.type", start,
                               "event type " + std::to_string(typeNumber) + " is unknown");

        std::uint64_t sequenceStep = 0;
        if (!reader.readVarint(sequenceStep))
            return recordError(index, ProtocolError::Truncated, "event.sequence", start + 1,
                               "the record ends inside the sequence, or it runs past 64 bits");
        const std::size_t timeOffset = reader.offset();
        std::uint64_t timeStep = 0;
        if (!reader.readVarint(timeStep))
            return recordError(index, ProtocolError::Truncated, "event.time", timeOffset,
                               "the record ends inside the time, or it runs past 64 bits");
        const SequenceNumber sequence = history.lastSequence + sequenceStep;
        if (sequenceStep == 0 || sequence < history.lastSequence)
            return recordError(index, ProtocolError::InvalidValue, "event.sequence", start + 1,
                               "sequence step " + std::to_string(sequenceStep) + " after " +
                                   std::to_string(history.lastSequence) +
                                   " does not give a larger sequence number");
        const auto time = static_cast<std::int64_t>(static_cast<std::uint64_t>(history.lastTime) +
                                                    unzigzag(timeStep));
        history.lastSequence = sequence;
        history.lastTime = time;

        // The payload is read into a local and the event built from it: a value-initialized
        // Event in the vector would be cleared in whole first, which costs more than the read.
        Unpacker unpacker(reader);
        bool unpacked = false;
        codec::visitPayloadType(type, [&](auto identity) {
            using Payload = typename decltype(identity)::type;
            std::uint64_t *previous = history.valuesOf(indexOf<Payload>());
            Payload payload{};
            unpacked = unpacker.unpackRecord(payload, previous);
            if (unpacked)
                events.push_back(
                    Event{sequence, Timestamp{time}, InstrumentId{instrument}, payload});
        });
        if (!unpacked) {
            const Problem &problem = unpacker.problem;
            return recordError(index, problem.code, problem.field, problem.offset,
                               std::string(nameOf(type)) + " field " + std::string(problem.field) +
                                   ": " + problem.detail);
        }
    }
    if (reader.remaining() != 0)
        return DecodeError{ProtocolError::TrailingBytes, "events", reader.offset(),
                           std::to_string(reader.remaining()) + " bytes after the last of " +
                               std::to_string(count) + " events"};
    return std::nullopt;
}

} // namespace bourse::net

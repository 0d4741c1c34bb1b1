#include "event_codec.h"

#include "event_codec_schema.h"

#include <array>
#include <string_view>
#include <tuple>
#include <type_traits>

namespace bourse {

namespace {

using codec::fieldsOf;
using codec::introducedIn;
using codec::IsText;
using codec::Record;

constexpr std::size_t headerSize = 2; // codec version, event type

static_assert(eventCodecVersion == codec::version4, "a new codec version needs a schema entry");

template <Record R>
constexpr std::size_t recordSize(std::uint8_t version);

// Encoded width of a member in the given codec version.
template <typename Member>
constexpr std::size_t widthOf(std::uint8_t version)
{
    if constexpr (Record<Member>) {
        return recordSize<Member>(version);
    } else if constexpr (std::is_enum_v<Member>) {
        static_assert(sizeof(Member) == 1, "enums are encoded in one byte");
        return 1;
    } else if constexpr (IsText<Member>::value) {
        return std::tuple_size_v<Member>;
    } else if constexpr (std::is_integral_v<Member>) {
        return sizeof(Member);
    } else {
        return sizeof(typename Member::Representation);
    }
}

template <Record R>
constexpr std::size_t recordSize(std::uint8_t version)
{
    const auto addWidths = [version](auto... fields) {
        return (
            (fields.since <= version ? widthOf<typename decltype(fields)::Member>(version) : 0) +
            ... + std::size_t{0});
    };
    return std::apply(addWidths, fieldsOf(std::type_identity<R>{}));
}

template <typename Payload>
std::string_view payloadName()
{
    return nameOf(typeOf(EventPayload{std::in_place_type<Payload>}));
}

bool isSupported(std::uint8_t version)
{
    return version >= oldestEventCodecVersion && version <= eventCodecVersion;
}

std::string byteCount(std::size_t count)
{
    return std::to_string(count) + (count == 1 ? " byte" : " bytes");
}

// --- Encoding

void appendLittleEndian(std::vector<std::uint8_t> &out, std::uint64_t value, std::size_t width)
{
    for (std::size_t byte = 0; byte < width; ++byte) {
        out.push_back(static_cast<std::uint8_t>(value >> (8 * byte)));
    }
}

template <Record R>
void appendRecord(const R &record, std::vector<std::uint8_t> &out);

template <typename Member>
void appendMember(const Member &value, std::vector<std::uint8_t> &out)
{
    if constexpr (Record<Member>) {
        appendRecord(value, out);
    } else if constexpr (std::is_enum_v<Member>) {
        out.push_back(static_cast<std::uint8_t>(value));
    } else if constexpr (IsText<Member>::value) {
        for (const char character : value) {
            out.push_back(static_cast<std::uint8_t>(character));
        }
    } else if constexpr (std::is_integral_v<Member>) {
        // Signed values go out as their two's complement bit pattern.
        appendLittleEndian(out, static_cast<std::uint64_t>(value), sizeof(Member));
    } else {
        appendLittleEndian(out, static_cast<std::uint64_t>(value.value()),
                           sizeof(typename Member::Representation));
    }
}

// Appends every field: the encoder writes only the current version, which has them all.
template <Record R>
void appendRecord(const R &record, std::vector<std::uint8_t> &out)
{
    const auto appendAll = [&](auto... fields) { (appendMember(record.*fields.member, out), ...); };
    std::apply(appendAll, fieldsOf(std::type_identity<R>{}));
}

// --- Decoding

// The names leading to a field, for messages: "InstrumentAdded.definition.initialStatus".
// Each link lives on the stack of the call that reads that level.
struct FieldPath {
    std::string_view name;
    const FieldPath *parent = nullptr;
};

std::string toString(const FieldPath &path)
{
    if (path.parent == nullptr) {
        return std::string(path.name);
    }
    return toString(*path.parent) + "." + std::string(path.name);
}

enum class ReadFailure : std::uint8_t {
    None,
    Truncated,   // the bytes end inside a field
    InvalidEnum, // an enum byte outside its enum, or a value newer than the payload's version
};

// Reads the fields of one codec version from a byte range, checking each read against the end
// of the range and each enum byte against the values that version defines. The first failure
// stops it.
class FieldReader {
public:
    FieldReader(std::span<const std::uint8_t> bytes, std::uint8_t version)
        : m_bytes(bytes)
        , m_version(version)
    {
    }

    template <Record R>
    bool readRecord(R &record, const FieldPath &path)
    {
        const auto readAll = [&](auto... fields) {
            return (readField(record, fields, path) && ...);
        };
        return std::apply(readAll, fieldsOf(std::type_identity<R>{}));
    }

    std::size_t offset() const { return m_offset; }
    ReadFailure failure() const { return m_failure; }
    // The field that failed, and for InvalidEnum the whole message.
    const std::string &failedField() const { return m_failedField; }
    const std::string &message() const { return m_message; }

private:
    // Leaves a field that the version lacks at its default.
    template <Record R, typename FieldType>
    bool readField(R &record, const FieldType &field, const FieldPath &parent)
    {
        if (field.since > m_version) {
            return true;
        }
        const FieldPath path{field.name, &parent};
        return readMember(record.*field.member, path);
    }

    template <typename Member>
    bool readMember(Member &member, const FieldPath &path)
    {
        if constexpr (Record<Member>) {
            return readRecord(member, path);
        } else if constexpr (IsText<Member>::value) {
            if (!hasBytes(member.size(), path)) {
                return false;
            }
            for (char &character : member) {
                character = static_cast<char>(m_bytes[m_offset++]);
            }
            return true;
        } else {
            std::uint64_t raw = 0;
            if (!readLittleEndian(widthOf<Member>(m_version), raw, path)) {
                return false;
            }
            return store(raw, member, path);
        }
    }

    template <typename Member>
    bool store(std::uint64_t raw, Member &member, const FieldPath &path)
    {
        if constexpr (std::is_enum_v<Member>) {
            member = static_cast<Member>(raw);
            return checkEnum(member, raw, path);
        } else if constexpr (std::is_integral_v<Member>) {
            // A conversion to a narrower or signed type is modulo 2^N in C++20, so the bit
            // pattern written by appendMember comes back unchanged.
            member = static_cast<Member>(raw);
            return true;
        } else {
            member = Member{static_cast<typename Member::Representation>(raw)};
            return true;
        }
    }

    template <typename Enum>
    bool checkEnum(Enum value, std::uint64_t raw, const FieldPath &path)
    {
        const std::optional<std::uint8_t> since = introducedIn(value);
        if (since && *since <= m_version) {
            return true;
        }
        m_failure = ReadFailure::InvalidEnum;
        m_failedField = toString(path);
        m_message = "invalid " + std::string(codec::enumName(std::type_identity<Enum>{})) +
                    " value " + std::to_string(raw) + " in field " + m_failedField;
        if (since) {
            m_message += ": the value exists from codec version " + std::to_string(*since) +
                         " on, and the payload has version " + std::to_string(m_version);
        }
        return false;
    }

    bool hasBytes(std::size_t width, const FieldPath &path)
    {
        if (m_bytes.size() - m_offset >= width) {
            return true;
        }
        m_failure = ReadFailure::Truncated;
        m_failedField = toString(path);
        return false;
    }

    bool readLittleEndian(std::size_t width, std::uint64_t &value, const FieldPath &path)
    {
        if (!hasBytes(width, path)) {
            return false;
        }
        value = 0;
        for (std::size_t byte = 0; byte < width; ++byte) {
            value |= static_cast<std::uint64_t>(m_bytes[m_offset + byte]) << (8 * byte);
        }
        m_offset += width;
        return true;
    }

    std::span<const std::uint8_t> m_bytes;
    std::uint8_t m_version;
    std::size_t m_offset = 0;
    ReadFailure m_failure = ReadFailure::None;
    std::string m_failedField;
    std::string m_message;
};

DecodedPayload failure(std::string error, std::uint8_t version = 0)
{
    return DecodedPayload{std::nullopt, std::move(error), version};
}

// Decodes the fields after the header. `bytes` includes the header, so that sizes in messages
// are those of the whole payload.
template <typename Payload>
DecodedPayload decodeAs(std::span<const std::uint8_t> bytes, std::uint8_t version)
{
    const std::size_t expected = recordSize<Payload>(version) + headerSize;
    const auto prefix = [version] {
        return std::string(payloadName<Payload>()) + " payload of codec version " +
               std::to_string(version);
    };

    FieldReader reader(bytes.subspan(headerSize), version);
    Payload payload{};
    const FieldPath root{payloadName<Payload>()};
    if (!reader.readRecord(payload, root)) {
        if (reader.failure() == ReadFailure::Truncated) {
            return failure(prefix() + " ends inside field " + reader.failedField() + ": " +
                               byteCount(bytes.size()) + " where " + std::to_string(expected) +
                               " expected",
                           version);
        }
        return failure(reader.message(), version);
    }

    const std::size_t trailing = bytes.size() - headerSize - reader.offset();
    if (trailing > 0) {
        return failure(prefix() + " has " + byteCount(trailing) +
                           " after its last field: " + std::to_string(bytes.size()) +
                           " bytes where " + std::to_string(expected) + " expected",
                       version);
    }
    return DecodedPayload{EventPayload{std::move(payload)}, {}, version};
}

} // namespace

std::size_t encodedPayloadSize(EventType type, std::uint8_t version)
{
    const std::optional<std::uint8_t> since = introducedIn(type);
    if (!isSupported(version) || !since || *since > version) {
        return 0;
    }
    std::size_t size = 0;
    codec::visitPayloadType(type, [&](auto identity) {
        size = recordSize<typename decltype(identity)::type>(version) + headerSize;
    });
    return size;
}

void appendEncodedPayload(const EventPayload &payload, std::vector<std::uint8_t> &out)
{
    out.push_back(eventCodecVersion);
    out.push_back(static_cast<std::uint8_t>(typeOf(payload)));
    std::visit([&](const auto &event) { appendRecord(event, out); }, payload);
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
        return failure("payload of " + byteCount(bytes.size()) + " where at least " +
                       std::to_string(headerSize) + " expected");
    }

    const std::uint8_t version = bytes[0];
    if (!isSupported(version)) {
        std::string error = "unsupported codec version " + std::to_string(version) +
                            ": this build reads versions " +
                            std::to_string(oldestEventCodecVersion) + " to " +
                            std::to_string(eventCodecVersion);
        if (version > eventCodecVersion) {
            error += ", so read it with a newer build";
        }
        return failure(std::move(error));
    }

    const std::uint8_t typeNumber = bytes[1];
    const auto type = static_cast<EventType>(typeNumber);
    const std::optional<std::uint8_t> since = introducedIn(type);
    if (!since) {
        return failure("unknown event type " + std::to_string(typeNumber), version);
    }
    if (*since > version) {
        return failure("event type " + std::to_string(typeNumber) + " (" +
                           std::string(nameOf(type)) + ") does not exist in codec version " +
                           std::to_string(version),
                       version);
    }

    DecodedPayload result;
    codec::visitPayloadType(type, [&](auto identity) {
        result = decodeAs<typename decltype(identity)::type>(bytes, version);
    });
    return result;
}

} // namespace bourse

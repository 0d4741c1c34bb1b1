#pragma once

// Little-endian writing and bounds-checked reading of the protocol's integers. Internal to
// engine/net: only the protocol's sources include it.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>
#include <vector>

namespace bourse::net::wire {

// Payload sizes of the fixed-size message types, as docs/protocol.md lists their fields.
inline constexpr std::size_t kHelloSize = 6;
inline constexpr std::size_t kWelcomeSize = 13;
inline constexpr std::size_t kHeartbeatSize = 20;
inline constexpr std::size_t kNewOrderSize = 69;
inline constexpr std::size_t kCancelOrderSize = 20;
inline constexpr std::size_t kReplaceOrderSize = 44;
inline constexpr std::size_t kMassCancelSize = 16;
inline constexpr std::size_t kKillSwitchSize = 13;
inline constexpr std::size_t kCommandAcceptedSize = 33;
inline constexpr std::size_t kCommandRejectedSize = 30;
inline constexpr std::size_t kErrorReplySize = 46;
inline constexpr std::size_t kSnapshotRequestSize = 5;
// The fixed part of the batch types before their event records.
inline constexpr std::size_t kBatchPrefixSize = 4;         // count
inline constexpr std::size_t kSnapshotPartPrefixSize = 25; // kind, stream, covers, event, count

// Overwrites bytes written earlier, such as a count only known at the end.
template <typename Integer>
void patch(std::vector<std::uint8_t> &out, std::size_t offset, Integer value)
{
    static_assert(std::is_integral_v<Integer>);
    if constexpr (std::endian::native == std::endian::little) {
        std::memcpy(out.data() + offset, &value, sizeof(Integer));
    } else {
        using Unsigned = std::make_unsigned_t<Integer>;
        auto bits = static_cast<Unsigned>(value);
        for (std::size_t i = 0; i < sizeof(Integer); ++i) {
            out[offset + i] = static_cast<std::uint8_t>(bits & 0xffu);
            bits = static_cast<Unsigned>(bits >> 8u);
        }
    }
}

// One resize and one copy per integer, because a push_back per byte took about a fifth of the
// encoding time of a market-data batch (bench_protocol).
template <typename Integer>
void append(std::vector<std::uint8_t> &out, Integer value)
{
    const std::size_t offset = out.size();
    out.resize(offset + sizeof(Integer));
    patch(out, offset, value);
}

// Reads integers in order. The caller checks the size first. A read past the end returns zero
// and leaves the reader exhausted, so a bug in a size check cannot read outside the span.
class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> bytes, std::size_t offset = 0)
        : m_bytes(bytes)
        , m_offset(offset)
    {
    }

    template <typename Integer>
    Integer read()
    {
        using Unsigned = std::make_unsigned_t<Integer>;
        if (remaining() < sizeof(Integer)) {
            m_offset = m_bytes.size();
            return 0;
        }
        Unsigned bits = 0;
        for (std::size_t i = 0; i < sizeof(Integer); ++i) {
            const auto byte = static_cast<Unsigned>(m_bytes[m_offset + i]);
            bits = static_cast<Unsigned>(bits | static_cast<Unsigned>(byte << (8u * i)));
        }
        m_offset += sizeof(Integer);
        return static_cast<Integer>(bits);
    }

    std::size_t offset() const { return m_offset; }
    std::size_t remaining() const { return m_bytes.size() - m_offset; }
    void skip(std::size_t count) { m_offset += count < remaining() ? count : remaining(); }

private:
    std::span<const std::uint8_t> m_bytes;
    std::size_t m_offset = 0;
};

} // namespace bourse::net::wire

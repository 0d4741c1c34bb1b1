#include "replicated_batch.h"

#include <array>
#include <cstring>
#include <random>

namespace bourse::cluster {

namespace {

constexpr std::array<std::uint8_t, 4> kMagic = {'B', 'R', 'J', 'B'};
constexpr std::size_t kKindOffset = 5;
constexpr std::size_t kEpochOffset = 6;
constexpr std::size_t kTokenOffset = 14;
constexpr std::size_t kFirstOffset = 22;
constexpr std::size_t kCountOffset = 30;
constexpr std::size_t kHashOffset = 34;

void putLittleEndian(std::uint8_t *out, std::uint64_t value, int width)
{
    for (int byte = 0; byte < width; ++byte)
        out[byte] = static_cast<std::uint8_t>(value >> (8 * byte));
}

std::uint64_t getLittleEndian(const std::uint8_t *in, int width)
{
    std::uint64_t value = 0;
    for (int byte = 0; byte < width; ++byte)
        value |= std::uint64_t{in[byte]} << (8 * byte);
    return value;
}

void writeHeader(std::vector<std::uint8_t> &body, BatchKind kind, const WriterStamp &stamp,
                 SequenceNumber first, std::uint64_t previousHash)
{
    body.resize(kBatchHeaderSize);
    std::memcpy(body.data(), kMagic.data(), kMagic.size());
    body[4] = kBatchFormatVersion;
    body[kKindOffset] = static_cast<std::uint8_t>(kind);
    putLittleEndian(body.data() + kEpochOffset, stamp.epoch, 8);
    putLittleEndian(body.data() + kTokenOffset, stamp.token, 8);
    putLittleEndian(body.data() + kFirstOffset, first, 8);
    putLittleEndian(body.data() + kCountOffset, 0, 4);
    putLittleEndian(body.data() + kHashOffset, previousHash, 8);
}

std::string hex16(std::uint64_t value)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string text(16, '0');
    for (int digit = 15; digit >= 0; --digit, value >>= 4)
        text[static_cast<std::size_t>(digit)] = kDigits[value & 0xf];
    return text;
}

} // namespace

std::uint64_t drawWriterToken()
{
    std::random_device device;
    std::uint64_t token = 0;
    while (token == 0)
        token = (std::uint64_t{device()} << 32) ^ device();
    return token;
}

std::string describeStamp(const WriterStamp &stamp)
{
    return "epoch " + std::to_string(stamp.epoch) + " writer " + hex16(stamp.token);
}

void BatchBuilder::start(SequenceNumber first, std::uint64_t previousHash)
{
    writeHeader(m_body, BatchKind::Events, m_stamp, first, previousHash);
    m_first = first;
    m_count = 0;
    m_lastHash = previousHash;
}

void BatchBuilder::add(const Event &event)
{
    storage::format::fillStoredEvent(event, m_lastHash, m_stored);
    storage::format::appendChunkRecord(m_stored, m_body);
    m_lastHash = m_stored.hash;
    ++m_count;
}

const std::vector<std::uint8_t> &BatchBuilder::body()
{
    putLittleEndian(m_body.data() + kCountOffset, m_count, 4);
    return m_body;
}

std::vector<std::uint8_t> fenceBody(const WriterStamp &stamp, SequenceNumber last,
                                    std::uint64_t hash)
{
    std::vector<std::uint8_t> body;
    writeHeader(body, BatchKind::Fence, stamp, last + 1, hash);
    return body;
}

bool hasBatchMagic(std::span<const std::uint8_t> body)
{
    return body.size() >= kMagic.size() &&
           std::memcmp(body.data(), kMagic.data(), kMagic.size()) == 0;
}

std::optional<std::string> readBatchHeader(std::span<const std::uint8_t> body, BatchHeader &header)
{
    if (body.size() < kBatchHeaderSize) {
        return "the message has " + std::to_string(body.size()) +
               " bytes, fewer than the header's " + std::to_string(kBatchHeaderSize);
    }
    if (std::memcmp(body.data(), kMagic.data(), kMagic.size()) != 0)
        return "the message does not start with the magic BRJB: not a Bourse journal batch";
    if (body[4] != kBatchFormatVersion) {
        return "the message is in batch format " + std::to_string(body[4]) + ", this build reads " +
               std::to_string(kBatchFormatVersion);
    }
    const std::uint8_t kind = body[kKindOffset];
    if (kind > static_cast<std::uint8_t>(BatchKind::Fence))
        return "the message is of kind " + std::to_string(kind) +
               ", neither events (0) nor fence (1)";
    header.kind = static_cast<BatchKind>(kind);
    header.stamp.epoch = getLittleEndian(body.data() + kEpochOffset, 8);
    header.stamp.token = getLittleEndian(body.data() + kTokenOffset, 8);
    header.first = getLittleEndian(body.data() + kFirstOffset, 8);
    header.count = static_cast<std::uint32_t>(getLittleEndian(body.data() + kCountOffset, 4));
    header.previousHash = getLittleEndian(body.data() + kHashOffset, 8);
    if (header.first == 0)
        return "the message's first sequence number is 0; journals number events from 1";
    if (header.kind == BatchKind::Fence && header.count != 0)
        return "the fence has an event count of " + std::to_string(header.count) +
               ", where a fence holds no event";
    if (header.kind == BatchKind::Events && header.count == 0)
        return "the message contains no event";
    return std::nullopt;
}

DecodedBatch decodeBatch(std::span<const std::uint8_t> body, const std::string &where)
{
    DecodedBatch batch;
    const auto failed = [&](std::string what) {
        batch.events.clear();
        batch.hashes.clear();
        batch.error = where + ": " + std::move(what);
        return std::move(batch);
    };
    if (std::optional<std::string> problem = readBatchHeader(body, batch.header))
        return failed(std::move(*problem));

    batch.events.reserve(batch.header.count);
    batch.hashes.reserve(batch.header.count);
    storage::format::StoredEvent stored;
    std::uint64_t previousHash = batch.header.previousHash;
    std::size_t offset = kBatchHeaderSize;
    for (std::uint32_t index = 0; index < batch.header.count; ++index) {
        const SequenceNumber expected = batch.header.first + index;
        if (offset == body.size()) {
            return failed("the message ends after " + std::to_string(index) + " of its " +
                          std::to_string(batch.header.count) + " events");
        }
        if (std::optional<std::string> problem =
                storage::format::readChunkRecord(body, offset, stored))
            return failed(std::move(*problem));
        if (static_cast<SequenceNumber>(stored.sequence) != expected) {
            return failed("event " + std::to_string(index + 1) + " has sequence " +
                          std::to_string(stored.sequence) + ", expected " +
                          std::to_string(expected));
        }
        storage::format::CheckedEvent checked =
            storage::format::checkStoredEvent(stored, previousHash, where);
        if (!checked.event) {
            batch.events.clear();
            batch.hashes.clear();
            batch.error = checked.error->toString();
            return batch;
        }
        previousHash = stored.hash;
        batch.events.push_back(std::move(*checked.event));
        batch.hashes.push_back(stored.hash);
    }
    if (offset != body.size()) {
        return failed(std::to_string(body.size() - offset) + " bytes follow the last of its " +
                      std::to_string(batch.header.count) + " events");
    }
    return batch;
}

std::string batchMessageId(SequenceNumber first, SequenceNumber last, const WriterStamp &stamp,
                           std::uint64_t attempt)
{
    return std::to_string(first) + "-" + std::to_string(last) + "." + std::to_string(stamp.epoch) +
           "." + hex16(stamp.token) + "." + std::to_string(attempt);
}

std::string fenceMessageId(const WriterStamp &stamp)
{
    return "fence." + std::to_string(stamp.epoch) + "." + hex16(stamp.token);
}

} // namespace bourse::cluster

#include "replicated_batch.h"

#include <array>
#include <cstring>

namespace bourse::cluster {

namespace {

constexpr std::array<std::uint8_t, 4> kMagic = {'B', 'R', 'J', 'B'};
constexpr std::size_t kCountOffset = 4 + 1 + 8;

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

} // namespace

void BatchBuilder::start(SequenceNumber first, std::uint64_t previousHash)
{
    m_body.resize(kBatchHeaderSize);
    std::memcpy(m_body.data(), kMagic.data(), kMagic.size());
    m_body[4] = kBatchFormatVersion;
    putLittleEndian(m_body.data() + 5, first, 8);
    putLittleEndian(m_body.data() + kCountOffset, 0, 4);
    putLittleEndian(m_body.data() + kCountOffset + 4, previousHash, 8);
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
    header.first = getLittleEndian(body.data() + 5, 8);
    header.count = static_cast<std::uint32_t>(getLittleEndian(body.data() + kCountOffset, 4));
    header.previousHash = getLittleEndian(body.data() + kCountOffset + 4, 8);
    if (header.first == 0)
        return "the message's first sequence number is 0; journals number events from 1";
    if (header.count == 0)
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

std::string batchMessageId(SequenceNumber first, SequenceNumber last)
{
    return std::to_string(first) + "-" + std::to_string(last);
}

} // namespace bourse::cluster

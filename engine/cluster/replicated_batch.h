#pragma once

// The body of one stream message: a run of consecutive committed journal events, or the fence
// with which a writer claims the stream (stream_chain.h).
//
// Layout, little-endian: the magic "BRJB" (4 bytes), the format version (1 byte), the kind (1:
// 0 events, 1 fence), the writer's epoch (8) and writer token (8), the first event's sequence
// number (8), the event count (4) and the journal's chain hash at the event before the first (8,
// zero before sequence 1). Then each event as a record of a journal chunk
// (storage/journal_format.h): sequence, time, instrument, type, payload size, payload in the
// event codec, checksum and chain hash. The records are the journal's own bytes, so a reader
// checks them as the journal reader does, and the chain continues from one message to the next.
// A fence contains no event. Its first sequence and previous hash record where the chain ended
// when its writer read the stream, for the log.

#include "events.h"
#include "journal_format.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace bourse::cluster {

inline constexpr std::uint8_t kBatchFormatVersion = 2;
inline constexpr std::size_t kBatchHeaderSize = 4 + 1 + 1 + 8 + 8 + 8 + 4 + 8;

// The writer of a message: the epoch under which it claimed the stream, and a token that it draws
// at random for each run, so that two runs under one epoch still differ.
struct WriterStamp {
    std::uint64_t epoch = 0;
    std::uint64_t token = 0;

    bool operator==(const WriterStamp &) const = default;
};

// A token for a new run: 64 bits from the system's entropy source, never 0.
std::uint64_t drawWriterToken();

// "epoch 4 writer 9f0c...", for messages.
std::string describeStamp(const WriterStamp &stamp);

enum class BatchKind : std::uint8_t { Events = 0, Fence = 1 };

// Builds one message body. start() begins a run, add() appends an event that must follow the
// previous one, and body() returns the bytes with the count filled in.
class BatchBuilder {
public:
    explicit BatchBuilder(WriterStamp stamp = {})
        : m_stamp(stamp)
    {
    }
    void start(SequenceNumber first, std::uint64_t previousHash);
    void add(const Event &event);

    std::size_t eventCount() const { return m_count; }
    std::size_t size() const { return m_body.size(); }
    SequenceNumber firstSequence() const { return m_first; }
    SequenceNumber lastSequence() const { return m_first + m_count - 1; }
    // The chain hash at the last event added; the previous hash while empty.
    std::uint64_t lastHash() const { return m_lastHash; }

    const std::vector<std::uint8_t> &body();

private:
    WriterStamp m_stamp;
    std::vector<std::uint8_t> m_body;
    storage::format::StoredEvent m_stored; // reused for every event
    SequenceNumber m_first = 0;
    std::uint32_t m_count = 0;
    std::uint64_t m_lastHash = 0;
};

// The body of a fence by `stamp`, whose writer read the chain up to event `last` with chain hash
// `hash`.
std::vector<std::uint8_t> fenceBody(const WriterStamp &stamp, SequenceNumber last,
                                    std::uint64_t hash);

// The header of a message body, readable without checking the events.
struct BatchHeader {
    BatchKind kind = BatchKind::Events;
    WriterStamp stamp;
    SequenceNumber first = 0;
    std::uint32_t count = 0;
    std::uint64_t previousHash = 0;

    SequenceNumber last() const { return first + count - 1; }
};

// Whether the body starts with the magic "BRJB" of a journal batch, whatever its format version.
bool hasBatchMagic(std::span<const std::uint8_t> body);

// Reads the header. Returns a message naming the problem when the bytes are too short, lack the
// magic, carry another format version or kind, or when a run contains no event or a fence one.
std::optional<std::string> readBatchHeader(std::span<const std::uint8_t> body, BatchHeader &header);

// A message body checked in full, or the reason it is not valid.
struct DecodedBatch {
    BatchHeader header;
    std::vector<Event> events;
    std::vector<std::uint64_t> hashes; // the chain hash at each event
    std::string error;                 // empty exactly when the batch is valid

    std::uint64_t lastHash() const { return hashes.empty() ? header.previousHash : hashes.back(); }
};

// Decodes and checks every record: its sequence number follows the one before, its checksum
// matches, its chain hash follows from the previous one (starting at the header's previous
// hash), its payload decodes, and no byte is left over. `where` names the message in errors,
// such as "stream JOURNAL message 17". A batch with an error has no events, so that a caller
// never applies part of one. A fence decodes to its header alone.
DecodedBatch decodeBatch(std::span<const std::uint8_t> body, const std::string &where);

// The message id that makes a resend of the same run a duplicate: "FIRST-LAST", then the writer's
// epoch and token and the attempt, which a writer counts up each time it reads the stream back
// after a failed publication. A run that the stream stored out of order, and that readers
// therefore skipped, is sent again under the next attempt, which the stream must not drop.
std::string batchMessageId(SequenceNumber first, SequenceNumber last, const WriterStamp &stamp,
                           std::uint64_t attempt);

// The message id of a writer's fence: "fence", its epoch and token.
std::string fenceMessageId(const WriterStamp &stamp);

} // namespace bourse::cluster

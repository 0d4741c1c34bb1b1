#pragma once

#include <cstdint>

namespace bourse::net {

// Action a receiver takes on the next message of a sequenced stream.
enum class SequenceVerdict : std::uint8_t {
    Apply = 0,     // the next number: apply the message
    Duplicate = 1, // at or below the last number applied: drop it, it changes nothing
    Gap = 2,       // above the next number: messages were lost, take a snapshot
};

// The receiving side of one stream's sequence numbers, which start at 1 and go up by one. A
// receiver keeps one per stream (instrument, account, order-entry link) and one thread uses it.
class StreamSequence {
public:
    // Judges `sequence` and, for Apply, moves on to it. A Gap changes nothing: the receiver
    // takes a snapshot and calls resetTo() with the sequence number the snapshot covers.
    SequenceVerdict accept(std::uint64_t sequence);

    // Starts again after a snapshot that covers the stream up to `sequence` (0: nothing yet).
    void resetTo(std::uint64_t sequence) { m_last = sequence; }

    // The last sequence number applied; 0 before the first.
    std::uint64_t last() const { return m_last; }
    // The number the stream needs next.
    std::uint64_t expected() const { return m_last + 1; }

private:
    std::uint64_t m_last = 0;
};

} // namespace bourse::net

#include "stream_chain.h"

#include <limits>

namespace bourse::cluster {

std::string highestEpochProblem(const std::string &stream)
{
    return "the stream " + stream + " is owned under epoch " +
           std::to_string(std::numeric_limits<std::uint64_t>::max()) +
           ", the highest, so no fence can count after it: a writer that no engine of this " +
           "market runs fenced it. Replace the stream (docs/scale-out.md)";
}

ChainReader::ChainReader(std::string stream, ChainPosition start)
    : m_stream(std::move(stream))
    , m_position(start)
{
}

ChainReader::Reading ChainReader::skip(std::string reason)
{
    Reading reading;
    reading.verdict = Verdict::Skipped;
    reading.note = m_where + " skipped: " + std::move(reason);
    return reading;
}

ChainReader::Reading ChainReader::read(const StreamMessage &message)
{
    m_where = "stream " + m_stream + " message " + std::to_string(message.streamSequence);
    BatchHeader header;
    if (std::optional<std::string> problem = readBatchHeader(message.body, header)) {
        // A batch of another format version or kind may be a newer writer's run, which must not
        // be passed over as if it did not count: the reader stops there.
        if (hasBatchMagic(message.body) && message.body.size() > 5 &&
            (message.body[4] != kBatchFormatVersion ||
             message.body[5] > static_cast<std::uint8_t>(BatchKind::Fence))) {
            Reading reading;
            reading.verdict = Verdict::Failed;
            reading.note = m_where + ": " + *problem + "; a build that reads it is needed";
            return reading;
        }
        m_position.message = message.streamSequence;
        return skip("not a journal batch of this format: " + *problem);
    }
    const ChainPosition before = m_position;
    m_position.message = message.streamSequence;

    if (header.kind == BatchKind::Fence) {
        if (header.stamp.epoch <= before.owner.epoch) {
            return skip("a fence of " + describeStamp(header.stamp) + ", not above the owner's " +
                        describeStamp(before.owner));
        }
        m_position.owner = header.stamp;
        m_position.ownerFence = message.streamSequence;
        Reading reading;
        reading.verdict = Verdict::Fence;
        reading.note = m_where + ": " + describeStamp(header.stamp) +
                       " owns the stream from here, having read the chain to sequence " +
                       std::to_string(header.first - 1) + "; it ends at sequence " +
                       std::to_string(before.last);
        return reading;
    }

    const std::string run = "events " + std::to_string(header.first) + " to " +
                            std::to_string(header.last()) + " of " + describeStamp(header.stamp);
    // Before any fence no writer owns the stream, whatever stamp a run carries.
    if (before.owner.epoch == 0)
        return skip(run + ", before any fence");
    if (header.stamp != before.owner)
        return skip(run + ", while " + describeStamp(before.owner) + " owns the stream");
    // A run stored after a later one is sent again by its writer, and a run sent twice repeats.
    if (header.first > before.last + 1) {
        return skip("a gap: events from " + std::to_string(header.first) +
                    " while the chain ends at " + std::to_string(before.last) +
                    "; its writer sends the missing ones again");
    }
    if (header.last() <= before.last) {
        return skip("events up to " + std::to_string(header.last()) +
                    " repeat the chain, which ends at " + std::to_string(before.last));
    }

    DecodedBatch batch = decodeBatch(message.body, m_where);
    Reading reading;
    if (!batch.error.empty()) {
        m_position = before;
        reading.verdict = Verdict::Failed;
        reading.note = std::move(batch.error);
        return reading;
    }
    const std::size_t skipped = before.last + 1 - header.first;
    const std::uint64_t hashBefore = skipped == 0 ? header.previousHash : batch.hashes[skipped - 1];
    if (hashBefore != before.lastHash) {
        m_position = before;
        reading.verdict = Verdict::Failed;
        reading.note = m_where + ": chain broken: the chain hash at sequence " +
                       std::to_string(before.last) + " is " + storage::format::hex(hashBefore) +
                       " in this message, " + storage::format::hex(before.lastHash) +
                       " in the messages before it";
        return reading;
    }
    const auto from = static_cast<std::ptrdiff_t>(skipped);
    reading.verdict = Verdict::Events;
    reading.events.assign(std::make_move_iterator(batch.events.begin() + from),
                          std::make_move_iterator(batch.events.end()));
    reading.hashes.assign(batch.hashes.begin() + from, batch.hashes.end());
    m_position.last = header.last();
    m_position.lastHash = batch.lastHash();
    m_lastRun = m_position;
    return reading;
}

} // namespace bourse::cluster

#include "stream_follower.h"

namespace bourse::cluster {

StreamFollower::StreamFollower(NatsStream &stream, SequenceNumber after, std::uint64_t hashAfter,
                               AheadOfStream ahead, LogSink log, std::optional<ChainPosition> start)
    : m_stream(stream)
    , m_after(after)
    , m_hashAfter(hashAfter)
    , m_ahead(ahead)
    , m_log(std::move(log))
    , m_reader(stream.settings().stream, start.value_or(ChainPosition{}))
{
}

SequenceNumber StreamFollower::lastSequence() const
{
    return std::max(m_after, position().last);
}

std::uint64_t StreamFollower::lastHash() const
{
    return position().last > m_after ? position().lastHash : m_hashAfter;
}

// The stream sequence to read next. A stream whose first messages were removed up to past it has
// lost messages, and perhaps the fences that decide which messages count, so the reading
// rule cannot go on. That is checked once, at the first read.
std::optional<std::uint64_t> StreamFollower::firstMessage(Step &step)
{
    const std::uint64_t next = position().message + 1;
    if (m_headChecked)
        return next;
    const std::optional<StreamState> state = m_stream.state(step.error);
    if (!state) {
        step.status = Status::ReadError;
        return std::nullopt;
    }
    if (state->messages > 0 && state->firstMessage > next) {
        step.status = Status::Failed;
        step.error = "the stream " + m_stream.settings().stream + " starts at message " +
                     std::to_string(state->firstMessage) + ", after message " +
                     std::to_string(next) + " that this reader needs: the messages before it " +
                     "were removed, and with them the fences that say which messages count";
        return std::nullopt;
    }
    m_headChecked = true;
    return next;
}

StreamFollower::Step StreamFollower::next(std::uint64_t lastMessage)
{
    if (!m_startChecked) {
        m_startChecked = true;
        const ChainPosition &start = position();
        Step step;
        step.status = Status::Failed;
        if (start.last > m_after) {
            step.error = "the position read before, at sequence " + std::to_string(start.last) +
                         " of the stream " + m_stream.settings().stream +
                         ", is past the events read, which end at " + std::to_string(m_after);
            return step;
        }
        if (start.last == m_after && start.lastHash != m_hashAfter) {
            step.error = "stream " + m_stream.settings().stream + " message " +
                         std::to_string(start.message) + ": chain broken: the chain hash at " +
                         "sequence " + std::to_string(m_after) + " is " +
                         storage::format::hex(start.lastHash) + " in the stream, " +
                         storage::format::hex(m_hashAfter) + " before it";
            return step;
        }
    }
    for (;;) {
        Step step;
        if (position().message >= lastMessage)
            return step;
        const std::optional<std::uint64_t> index = firstMessage(step);
        if (!index)
            return step;
        std::optional<StreamMessage> message = m_stream.message(*index, step.error);
        if (!message) {
            // Not found may mean not yet: the message can be stored between the request and the
            // state read, so a message that the state then shows is requested once more.
            std::string stateError;
            const std::optional<StreamState> state = m_stream.state(stateError);
            if (state && state->lastMessage < *index)
                return atStreamEnd();
            if (state)
                message = m_stream.message(*index, step.error);
            if (!message) {
                step.status = Status::ReadError;
                if (!state)
                    step.error = stateError;
                return step;
            }
        }
        ChainReader::Reading reading = m_reader.read(*message);
        switch (reading.verdict) {
        case ChainReader::Verdict::Skipped:
            if (m_log)
                m_log(LogLevel::Warning, reading.note);
            continue;
        case ChainReader::Verdict::Fence:
            if (m_log)
                m_log(LogLevel::Info, reading.note);
            continue;
        case ChainReader::Verdict::Failed:
            step.status = Status::Failed;
            step.error = std::move(reading.note);
            return step;
        case ChainReader::Verdict::Events:
            step = take(std::move(reading), message->streamSequence);
            if (step.status == Status::NoMessage)
                continue; // every event of the message came before `after`
            return step;
        }
    }
}

// The events of an accepted message after `after`, once the chain hash at `after` matched.
StreamFollower::Step StreamFollower::take(ChainReader::Reading reading,
                                          std::uint64_t streamSequence)
{
    Step step;
    const SequenceNumber first = reading.events.front().sequence;
    const SequenceNumber last = reading.events.back().sequence;
    if (last < m_after)
        return step;
    if (m_after > 0 && first <= m_after) {
        const std::uint64_t hash = reading.hashes[m_after - first];
        if (hash != m_hashAfter) {
            step.status = Status::Failed;
            step.error = "stream " + m_stream.settings().stream + " message " +
                         std::to_string(streamSequence) + ": chain broken: the chain hash at " +
                         "sequence " + std::to_string(m_after) + " is " +
                         storage::format::hex(hash) + " in the stream, " +
                         storage::format::hex(m_hashAfter) + " before it";
            return step;
        }
    }
    const auto from = static_cast<std::ptrdiff_t>(m_after >= first ? m_after - first + 1 : 0);
    if (from == static_cast<std::ptrdiff_t>(reading.events.size()))
        return step;
    step.status = Status::Events;
    step.streamSequence = streamSequence;
    step.events.assign(std::make_move_iterator(reading.events.begin() + from),
                       std::make_move_iterator(reading.events.end()));
    return step;
}

// The stream has no message after the one read last.
StreamFollower::Step StreamFollower::atStreamEnd()
{
    Step step;
    if (m_ahead == AheadOfStream::Fail && position().last < m_after) {
        step.status = Status::Failed;
        step.error = "the stream " + m_stream.settings().stream + " ends at sequence " +
                     std::to_string(position().last) + " (message " +
                     std::to_string(position().message) + "), but the events up to sequence " +
                     std::to_string(m_after) +
                     " were read before: the stream lost them or never received them";
    }
    return step;
}

} // namespace bourse::cluster

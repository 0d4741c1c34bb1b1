#include "stream_follower.h"

namespace bourse::cluster {

StreamFollower::StreamFollower(NatsStream &stream, SequenceNumber after, std::uint64_t hashAfter,
                               AheadOfStream ahead)
    : m_stream(stream)
    , m_last(after)
    , m_hash(hashAfter)
    , m_ahead(ahead)
{
}

// Finds the first message whose run ends at m_last or after it. Runs ascend with the stream
// sequence, so a binary search takes about log2(messages) requests.
bool StreamFollower::locate(std::string &error)
{
    const std::optional<StreamState> state = m_stream.state(error);
    if (!state)
        return false;
    if (state->messages == 0) {
        if (m_last > 0 && m_ahead == AheadOfStream::Fail)
            m_aheadError = "the stream " + m_stream.settings().stream +
                           " is empty, but the events up to sequence " + std::to_string(m_last) +
                           " were read before: the stream lost them or is another one";
        return true;
    }
    std::uint64_t low = state->firstMessage;
    std::uint64_t high = state->lastMessage + 1; // the result lies in [low, high]
    while (low < high) {
        const std::uint64_t middle = low + (high - low) / 2;
        const std::optional<StreamMessage> message = m_stream.message(middle, error);
        if (!message)
            return false;
        BatchHeader header;
        const bool valid = !readBatchHeader(message->body, header);
        if (valid && header.last() < m_last)
            low = middle + 1;
        else
            high = middle;
    }
    if (low > state->lastMessage && m_last > 0) {
        std::optional<std::string> ahead = checkAhead(state->lastMessage, error);
        if (!ahead)
            return false;
        m_aheadError = std::move(*ahead);
    }
    m_nextMessage = low;
    m_checkingStart = m_last > 0;
    return true;
}

// The failure of a follower whose events go past the stream's last message, empty with
// AheadOfStream::Wait; nothing when that message cannot be read.
std::optional<std::string> StreamFollower::checkAhead(std::uint64_t lastMessage, std::string &error)
{
    if (m_ahead == AheadOfStream::Wait)
        return std::string();
    const std::optional<StreamMessage> message = m_stream.message(lastMessage, error);
    if (!message)
        return std::nullopt;
    BatchHeader header;
    if (readBatchHeader(message->body, header))
        return std::string(); // next() reads that message and reports its header
    return "the stream " + m_stream.settings().stream + " ends at sequence " +
           std::to_string(header.last()) + " (message " + std::to_string(lastMessage) +
           "), but the events up to sequence " + std::to_string(m_last) +
           " were read before: the stream lost them or never received them";
}

StreamFollower::Step StreamFollower::next()
{
    Step step;
    if (m_nextMessage == 0) {
        if (!locate(step.error)) {
            step.status = Status::ReadError;
            return step;
        }
        if (m_nextMessage == 0 && m_aheadError.empty())
            return step;
    }
    if (!m_aheadError.empty()) {
        step.status = Status::Failed;
        step.error = m_aheadError;
        return step;
    }

    std::string error;
    std::optional<StreamMessage> message = m_stream.message(m_nextMessage, error);
    if (!message) {
        // Not found may mean not yet: the message can be stored between the request and the
        // state read, so a message that the state then shows is requested once more.
        std::string stateError;
        const std::optional<StreamState> state = m_stream.state(stateError);
        if (state && state->lastMessage < m_nextMessage)
            return step;
        if (state)
            message = m_stream.message(m_nextMessage, error);
        if (!message) {
            step.status = Status::ReadError;
            step.error = state ? error : stateError;
            return step;
        }
    }
    const std::string where = "stream " + m_stream.settings().stream + " message " +
                              std::to_string(message->streamSequence);
    step = check(decodeBatch(message->body, where), message->streamSequence);
    // A first message that ends at m_last only confirmed its chain hash: read on.
    if (step.status == Status::Events && step.events.empty())
        return next();
    return step;
}

StreamFollower::Step StreamFollower::check(DecodedBatch batch, std::uint64_t streamSequence)
{
    Step step;
    const std::string where =
        "stream " + m_stream.settings().stream + " message " + std::to_string(streamSequence);
    const auto failed = [&](std::string what) {
        step.status = Status::Failed;
        step.error = std::move(what);
        return std::move(step);
    };
    if (!batch.error.empty())
        return failed(std::move(batch.error));

    const SequenceNumber expected = m_last + 1;
    const BatchHeader &header = batch.header;
    if (header.first > expected) {
        return failed(where + ": gap: the message starts at sequence " +
                      std::to_string(header.first) + ", expected " + std::to_string(expected));
    }
    // Only the message located first may end at m_last: it contains the chain hash to check.
    const bool startsHere = m_checkingStart && header.last() == m_last;
    m_checkingStart = false;
    if (header.last() < expected && !startsHere) {
        return failed(where + ": repeat: the message ends at sequence " +
                      std::to_string(header.last()) + ", which was read before");
    }
    const std::size_t skip = expected - header.first;
    const std::uint64_t hashBefore = skip == 0 ? header.previousHash : batch.hashes[skip - 1];
    if (m_last > 0 && hashBefore != m_hash) {
        return failed(where + ": chain broken: the chain hash at sequence " +
                      std::to_string(m_last) + " is " + storage::format::hex(hashBefore) +
                      " in the stream, " + storage::format::hex(m_hash) + " before it");
    }

    step.status = Status::Events;
    step.streamSequence = streamSequence;
    step.events.assign(
        std::make_move_iterator(batch.events.begin() + static_cast<std::ptrdiff_t>(skip)),
        std::make_move_iterator(batch.events.end()));
    m_last = header.last();
    m_hash = batch.lastHash();
    m_nextMessage = streamSequence + 1;
    return step;
}

} // namespace bourse::cluster

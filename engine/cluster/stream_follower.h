#pragma once

#include "cluster_log.h"
#include "nats_stream.h"
#include "stream_chain.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace bourse::cluster {

// Reads a journal's events back from its stream, message after message, under the stream's
// reading rule (stream_chain.h), and returns the events after a given one, such as the last one a
// views file projected. The events before it must be the stream's own: the chain hash there is
// checked before any event is returned.
//
// A reader cannot know which messages count without reading the fences before them, so it reads
// from the stream's first message, or from a position it read before. Messages are read one
// request each (a JetStream "get message"), so the server keeps no consumer state for a reader.
// Skipped messages and new owners go to the log, naming the message.
class StreamFollower {
public:
    enum class Status : std::uint8_t {
        Events,    // `events` continues the events before
        NoMessage, // the stream has nothing new yet, or the limit given to next() is reached
        Failed,    // `error` names the message and the problem; nothing of it was returned
        ReadError, // a request to the stream failed; `error` names the request and the reason
    };
    struct Step {
        Status status = Status::NoMessage;
        std::vector<Event> events;
        std::uint64_t streamSequence = 0; // the message read, for Events
        std::string error;
    };

    // The outcome of next() when the stream ends before event `after`, such as for a journal
    // with events that the stream lost or never received.
    enum class AheadOfStream : std::uint8_t {
        Wait, // returns NoMessage until the stream reaches it
        Fail, // returns Failed, naming the stream's last event and `after`
    };

    // Returns the events after event `after`, whose chain hash is `hashAfter` (0 and 0: every
    // event). Reads from `start`, a position read before, or from the stream's first message.
    // A start past `after`, or at `after` with another chain hash, fails at the first next().
    StreamFollower(NatsStream &stream, SequenceNumber after, std::uint64_t hashAfter,
                   AheadOfStream ahead = AheadOfStream::Wait, LogSink log = {},
                   std::optional<ChainPosition> start = {});

    // Reads on until a message returns events after `after`, the stream ends, or the message
    // `lastMessage` is read. Never returns part of a message.
    Step next(std::uint64_t lastMessage = std::numeric_limits<std::uint64_t>::max());

    // The last event returned, or `after` before the first.
    SequenceNumber lastSequence() const;
    std::uint64_t lastHash() const;
    const ChainPosition &position() const { return m_reader.position(); }
    // The position right after the last run that counted (ChainReader::lastRun()).
    const std::optional<ChainPosition> &lastRun() const { return m_reader.lastRun(); }

private:
    std::optional<std::uint64_t> firstMessage(Step &step);
    Step atStreamEnd();
    Step take(ChainReader::Reading reading, std::uint64_t streamSequence);

    NatsStream &m_stream;
    const SequenceNumber m_after;
    const std::uint64_t m_hashAfter;
    const AheadOfStream m_ahead;
    LogSink m_log;
    ChainReader m_reader;
    bool m_startChecked = false;
    bool m_headChecked = false; // the stream's first message is not past the next one to read
};

} // namespace bourse::cluster

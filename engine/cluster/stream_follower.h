#pragma once

#include "nats_stream.h"
#include "replicated_batch.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bourse::cluster {

// Reads a journal's events back from its stream, message after message, checking that they
// continue the events read before: no gap, no repeat, and a chain hash that follows on.
//
// It starts after a given event, such as the last one a views file projected: it finds the
// message that contains the next event by a binary search over the stream's messages, whose
// runs ascend. The search takes a message without a valid header for one after that event,
// because a follower never passes such a message, so next() reads and reports it. Messages are read
// one request each (a JetStream "get message"), so the server keeps no consumer state for a
// follower.
class StreamFollower {
public:
    enum class Status : std::uint8_t {
        Events,    // `events` continues the events before
        NoMessage, // the stream has nothing new yet
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

    // Continues after event `after`, whose chain hash is `hashAfter` (0 and 0: from the first
    // event). The first message read is the one that contains `after`, so that a chain hash
    // that differs there fails before any event is returned.
    StreamFollower(NatsStream &stream, SequenceNumber after, std::uint64_t hashAfter,
                   AheadOfStream ahead = AheadOfStream::Wait);

    // Reads the next message. Never returns part of a message.
    Step next();

    SequenceNumber lastSequence() const { return m_last; }
    std::uint64_t lastHash() const { return m_hash; }

private:
    bool locate(std::string &error);
    std::optional<std::string> checkAhead(std::uint64_t lastMessage, std::string &error);
    Step check(DecodedBatch batch, std::uint64_t streamSequence);

    NatsStream &m_stream;
    SequenceNumber m_last = 0;
    std::uint64_t m_hash = 0;
    AheadOfStream m_ahead;
    std::uint64_t m_nextMessage = 0; // 0 until located
    // Set by locate(): the next message may end at m_last, whose chain hash it then checks.
    bool m_checkingStart = false;
    std::string m_aheadError; // set by locate() when the stream ends before m_last, with Fail
};

} // namespace bourse::cluster

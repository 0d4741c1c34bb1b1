#pragma once

// The one rule by which every reader of a replicated journal stream (the replicator reading back
// what it published, a standby, `bourse-engine follow`) decides which messages form the journal.
//
// A stream may hold messages of more than one writer: a primary paused past its lease and then
// resumed, two engines that both believed they won the lease, or a program that published by
// mistake. The server's compare-and-set headers cannot keep them out (docs/scale-out.md), so the
// stream itself records who writes. A writer first publishes a fence under its epoch. The fence
// counts only when its epoch is above that of every fence before it, and its writer then owns the
// stream from that message on. A run of events counts only when its writer owns the stream at its
// place and it continues the chain: it starts at or before the event after the chain's last, and
// its chain hash follows on. Everything else is skipped, with a note that names the message,
// except a batch in a format version or kind that this build does not read: a reader stops
// there, because it may be a newer writer's run. So
// every reader, reading in stream order, arrives at the same events, and a writer may treat its
// events as replicated only once it has seen them counted.

#include "nats_stream.h"
#include "replicated_batch.h"

#include <cstdint>
#include <optional>
#include <string>

namespace bourse::cluster {

// The state of the rule after a stream message. An accepted run of events determines all of it,
// because its writer owns the stream at its place and its last event ends the chain.
struct ChainPosition {
    WriterStamp owner;            // the writer of the last fence that counted; epoch 0 before it
    std::uint64_t ownerFence = 0; // the stream sequence of that fence
    SequenceNumber last = 0;      // the chain's last event and its chain hash
    std::uint64_t lastHash = 0;
    std::uint64_t message = 0; // the stream sequence of the message read last
};

// The failure of a writer that finds the stream owned under the highest epoch, above which no
// fence can count: the stream has to be replaced.
std::string highestEpochProblem(const std::string &stream);

class ChainReader {
public:
    enum class Verdict : std::uint8_t {
        Events,  // `events` continue the chain
        Fence,   // a fence that counts: its writer now owns the stream
        Skipped, // the message does not count; `note` gives the reason
        Failed,  // a message of the owner is damaged or breaks the chain; `note` names it
    };
    struct Reading {
        Verdict verdict = Verdict::Skipped;
        std::vector<Event> events;         // the events after the chain's last, for Events
        std::vector<std::uint64_t> hashes; // the chain hash at each of them
        std::string note;
    };

    // Starts at `start`, which a reader takes from the stream's beginning (the default) or from
    // a position that it read before.
    explicit ChainReader(std::string stream, ChainPosition start = {});

    // Reads the message that follows the one read last. After Failed the position stays at the
    // message before, and a reader stops.
    Reading read(const StreamMessage &message);

    const ChainPosition &position() const { return m_position; }
    // The position right after the last run that counted, which a reader may save and start
    // from again; nothing before the first. position() may be past it, at a fence or at
    // messages that were skipped.
    const std::optional<ChainPosition> &lastRun() const { return m_lastRun; }

private:
    Reading skip(std::string reason);

    std::string m_stream;
    ChainPosition m_position;
    std::optional<ChainPosition> m_lastRun;
    std::string m_where; // the message being read, for notes
};

} // namespace bourse::cluster

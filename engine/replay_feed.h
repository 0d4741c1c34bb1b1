#pragma once

#include "types.h"

#include <cstddef>
#include <optional>
#include <string>

namespace bourse {

class EventHandler;

// A recorded source that a session replays into its engine, one message a step: a LOBSTER day,
// an exchange's order-book stream, a Bourse journal, or another format. The session paces the
// steps by nextTime() and shows messages(), mismatches() and staleReason() in its views.
//
// Seeking: the state at market time T is the one after every message up to the first message
// later than T, as playing reaches it. A session seeks forward by stepping the feed, and
// backward by opening the source again on a fresh engine and stepping to T. A feed that can
// start part of the way in, such as a journal from a snapshot, returns that point from
// restartPoint().
class ReplayFeed {
public:
    enum class Step : std::uint8_t {
        Applied,  // a message was applied to the engine
        Finished, // the source ended
        Failed,   // the input is malformed or the engine rejected it; error() names where
        Waiting,  // a live source has nothing new yet and has not ended; step again later
    };

    virtual ~ReplayFeed() = default;

    // Applies the next message to the engine.
    virtual Step step() = 0;
    // Returns the market time of the next message, for pacing; nothing at the end, or while a
    // live source waits for its next message.
    virtual std::optional<Timestamp> nextTime() const = 0;
    // Returns the file, the line and the problem once step() failed.
    virtual std::string error() const = 0;

    // Returns the number of messages applied so far.
    virtual std::size_t messages() const = 0;
    // Returns the number of messages after which the book differed from the one the source
    // recorded, for sources that record one.
    virtual std::size_t mismatches() const { return 0; }
    // Returns why the replayed book cannot be trusted now, such as a gap in the source's update
    // ids, or an empty string while it is live.
    virtual std::string staleReason() const { return {}; }

    // Returns the market time of the source's last message when the feed has it without reading
    // the source through, as a journal's feed does; nothing otherwise.
    virtual std::optional<Timestamp> endTime() const { return std::nullopt; }

    // Returns the market time from which the source, opened again at `target`, would start
    // stepping, such as the time of a journal's last snapshot at or before `target`. Nothing
    // when it always starts from its first message.
    virtual std::optional<Timestamp> restartPoint(Timestamp target) const
    {
        (void)target;
        return std::nullopt;
    }

    // Sets the handler of the events that the feed restores into the engine (Engine::restore)
    // rather than having the engine publish them, as a journal's feed does. The session passes
    // one that hands each event to the engine's handlers, as if the engine had published it.
    virtual void setRestoredEventHandler(EventHandler *handler) { (void)handler; }

    // Whether the source is a live feed rather than a recording. A live feed plays its messages
    // as they arrive, whatever the speed, cannot seek and has no end.
    virtual bool live() const { return false; }

    // Whether the source records the trader's accounts (orders, fills, risk), which the
    // session then shows in MarketView::trader.
    virtual bool replaysAccounts() const { return false; }
};

} // namespace bourse

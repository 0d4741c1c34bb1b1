#pragma once

#include "types.h"

#include <cstddef>
#include <optional>
#include <string>

namespace bourse {

// A recorded source that a session replays into its engine, one message a step: a LOBSTER day,
// an exchange's order-book stream, or another format. The session paces the steps by
// nextTime() and shows messages(), mismatches() and staleReason() in its views.
class ReplayFeed {
public:
    enum class Step : std::uint8_t {
        Applied,  // a message was applied to the engine
        Finished, // the source ended
        Failed,   // the input is malformed or the engine rejected it; error() names where
    };

    virtual ~ReplayFeed() = default;

    // Applies the next message to the engine.
    virtual Step step() = 0;
    // Returns the market time of the next message, for pacing; nothing at the end.
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
};

} // namespace bourse

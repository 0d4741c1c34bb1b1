#pragma once

#include "depth_book.h"
#include "engine.h"

#include <cstdint>
#include <optional>

namespace bourse::replay {

// Drives the primary book of an Engine from a depth stream. After each update the engine's
// book contains the DepthBook's levels. An aggregated stream names no orders, so each level's
// size rests as orders of origin Recovered: a larger size adds an order for the difference,
// and a smaller one comes off the newest orders of the level first.
//
// NOTE: the engine gets no notice when the DepthBook goes stale, because it has no status for
// market data that may be out of date. Its book keeps the levels from before the gap, so a
// caller that shows it must check book().live().
class DepthReplay {
public:
    // The engine, the reader and the handler set on book() must outlive the replay.
    DepthReplay(Engine &engine, DepthReader &reader, DepthSequencing sequencing,
                std::size_t bufferLimit = DepthBook::kDefaultBufferLimit);

    enum class Step {
        Applied,  // an update was read and given to the book; outcome() returns what it did
        Finished, // the stream ended
        Failed,   // the input is malformed, or the engine rejected a level; see error()
    };

    // Reads the next update, applies it to the book and brings the engine's book to the same
    // levels. Touches only the levels the update names, unless a snapshot replaced the book.
    Step step();

    DepthOutcome outcome() const { return m_outcome; }
    DepthBook &book() { return m_book; }
    const DepthBook &book() const { return m_book; }

    // A malformed input names its file and line. An engine rejection names the update's line,
    // with no file, because a DepthReader does not say which file a message came from.
    const std::optional<InputError> &error() const { return m_error; }

private:
    bool synchronizeChanged(const DepthUpdate &update);
    bool synchronizeAll(Timestamp time);
    bool setLevel(Side side, Price price, Quantity target, Timestamp time, CancelReason reason);
    bool check(ApplyResult result, Side side, Price price);

    Engine &m_engine;
    DepthReader &m_reader;
    DepthBook m_book;
    DepthUpdate m_update;
    DepthOutcome m_outcome = DepthOutcome::Buffered;
    std::uint64_t m_nextOrderId = 1;
    std::optional<InputError> m_error;
};

} // namespace bourse::replay

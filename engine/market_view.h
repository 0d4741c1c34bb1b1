#pragma once

#include "order_book.h"
#include "types.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace bourse {

// One print of the time and sales tape.
struct TradePrint {
    SequenceNumber sequence = 0;
    Timestamp time;
    Price price;
    Quantity quantity;
    Side aggressor = Side::Buy;
};

// An OHLCV bar built from trades. `start` is aligned to the bar interval.
struct Bar {
    Timestamp start;
    Price open;
    Price high;
    Price low;
    Price close;
    Quantity volume;
    std::uint32_t tradeCount = 0;

    friend bool operator==(const Bar &, const Bar &) = default;
};

enum class SessionMode : std::uint8_t { Simulation = 0, Replay = 1 };

enum class ReplayState : std::uint8_t { Idle = 0, Playing, Paused, Finished, Failed };

// What the terminal shows, copied out of the engine thread at most once a frame. A view is
// immutable once published, so the UI reads it without locks.
struct MarketView {
    SessionMode mode = SessionMode::Simulation;
    std::string symbol;
    int priceDecimals = 2; // a price of 12345 ticks shows as 123.45 when this is 2

    std::vector<LevelSummary> bids; // best first
    std::vector<LevelSummary> asks; // best first

    // The most recent trades, oldest first, at most Session::Options::tradesPerView of them.
    // Consecutive views overlap, so a reader that skips a view loses nothing as long as fewer
    // trades than that happened in between; it finds the new prints by sequence number.
    std::vector<TradePrint> recentTrades;
    // Trades that left recentTrades before any view carried them, since the previous view.
    std::uint64_t droppedTrades = 0;

    // The most recent bars, oldest first; the last one may still be forming.
    std::vector<Bar> bars;
    std::int64_t barIntervalNanoseconds = 0;

    SequenceNumber lastSequence = 0;
    std::uint64_t totalEvents = 0;
    std::uint64_t totalTrades = 0;
    double eventsPerSecond = 0.0; // measured over the last second of wall time

    // Counts the views a session published, from 1, across every source it started; a view
    // with a higher number is newer.
    std::uint64_t viewNumber = 0;

    // The state and speed apply to a simulation too: it is Playing or Paused, and its speed
    // multiplies its command rate. The other fields are for a replay only.
    ReplayState replayState = ReplayState::Idle;
    double replaySpeed = 1.0; // 0 means as fast as possible
    Timestamp replayTime;     // market time of the last applied message
    std::string replaySource;
    std::size_t replayMessages = 0;
    std::size_t replayMismatches = 0;

    std::string error; // the last error the session met, empty when none
};

} // namespace bourse

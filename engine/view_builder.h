#pragma once

#include "bar_builder.h"
#include "events.h"
#include "market_view.h"
#include "order_book.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

namespace bourse {

// Collects, from the engine's events, what a MarketView shows beyond the book itself: the
// most recent trades, bars, counters and the event rate. It runs on the engine
// thread and does a bounded amount of work per event, with no locks and no clock reads.
class MarketViewBuilder : public EventHandler {
public:
    using Clock = std::chrono::steady_clock;

    struct Options {
        std::size_t viewLevels = 10;
        std::size_t tradesPerView = 500;
        std::int64_t barIntervalNanoseconds = 1'000'000'000;
        std::size_t barsKept = 240;
    };

    // Throws std::invalid_argument on a bar interval or bar count that BarBuilder rejects.
    explicit MarketViewBuilder(Options options);

    void onEvent(const Event &event) override;

    // Starts from the history of a run this one continues: its bars at this builder's interval
    // and its most recent prints, both oldest first, and its last event. The restored prints
    // count as this run's trades, so the tape misses none. The bars are checked as
    // BarBuilder::restore checks them.
    void restoreHistory(const std::vector<Bar> &bars, const std::vector<TradePrint> &trades,
                        SequenceNumber lastSequence);

    // Records the event count at a wall-clock time, so that eventsPerSecond() can look one
    // second back. Call it often (every batch); samples closer than 10 ms apart are skipped.
    void sampleRate(Clock::time_point now);

    // Events per second over the second before `now`, from the recorded samples.
    double eventsPerSecond(Clock::time_point now) const;

    // Fills the market part of a view: the top levels of the book, the most recent trades,
    // the bars, the counters and the event rate.
    void fill(MarketView &view, const OrderBook &book, Clock::time_point now);

    // True when events arrived since the previous fill.
    bool hasNewEvents() const { return m_totalEvents != m_eventsAtLastFill; }

    SequenceNumber lastSequence() const { return m_lastSequence; }
    Timestamp lastEventTime() const { return m_lastEventTime; }
    std::uint64_t totalEvents() const { return m_totalEvents; }
    std::uint64_t totalTrades() const { return m_totalTrades; }

private:
    void addTrade(const Event &event, const Trade &trade);

    Options m_options;
    BarBuilder m_bars;

    std::vector<TradePrint> m_recentTrades;  // a ring of at most tradesPerView prints
    std::size_t m_oldestTrade = 0;           // index of the oldest print once the ring is full
    SequenceNumber m_lastFilledSequence = 0; // of the last event the previous fill saw
    std::uint64_t m_droppedTrades = 0;       // since the previous fill

    SequenceNumber m_lastSequence = 0;
    Timestamp m_lastEventTime;
    std::uint64_t m_totalEvents = 0;
    std::uint64_t m_totalTrades = 0;
    std::uint64_t m_eventsAtLastFill = 0;

    // (wall time, total events) pairs, oldest first, reaching just past one second back.
    std::deque<std::pair<Clock::time_point, std::uint64_t>> m_rateSamples;
};

} // namespace bourse

#pragma once

#include "bar_builder.h"
#include "engine.h"
#include "events.h"
#include "market_view.h"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace bourse {

// Traded quantity per price over the last whole seconds of market time. It keeps one bucket per
// second in a ring, so memory is bounded by the window's distinct (second, price) pairs, and a
// trade costs a search among the few prices of its own second.
class RecentVolume {
public:
    explicit RecentVolume(std::int64_t seconds = 60);

    // A trade older than the window of the newest trade so far is left out.
    void add(Timestamp time, Price price, Quantity quantity);

    // The quantity at each price, in ascending price order, of the trades in the `seconds`
    // whole seconds up to and including the second of `now`.
    std::vector<PriceVolume> collect(Timestamp now) const;

    // Number of prices a bucket has room for before it first grows. A busy simulated instrument
    // trades at about fifty prices a second (an estimate from heap profiles at a million events a
    // second). Reserving at the first trade makes memory settle at once instead of growing while
    // the window fills, and an instrument that never trades costs nothing.
    static constexpr std::size_t kReservedPricesPerSecond = 64;

private:
    struct Bucket {
        std::int64_t second = std::numeric_limits<std::int64_t>::min();
        std::vector<PriceVolume> prices;
    };

    std::vector<Bucket> m_buckets;
    bool m_reserved = false;
};

// The books and trading statuses a view shows, by instrument: an Engine's, or the replicas a
// remote terminal rebuilds from the server's streams. A view reads them once per instrument per
// frame, so the virtual call costs nothing next to the copy of the levels.
class BookSource {
public:
    virtual ~BookSource() = default;
    virtual const OrderBook *book(InstrumentId instrument) const = 0;
    virtual std::optional<TradingStatus> status(InstrumentId instrument) const = 0;
};

// An Engine's books and statuses, for the local session.
class EngineBooks final : public BookSource {
public:
    explicit EngineBooks(const Engine &engine)
        : m_engine(engine)
    {
    }
    const OrderBook *book(InstrumentId instrument) const override
    {
        return m_engine.book(instrument);
    }
    std::optional<TradingStatus> status(InstrumentId instrument) const override
    {
        return m_engine.status(instrument);
    }

private:
    const Engine &m_engine;
};

// Collects, from the engine's events, what a MarketView shows beyond the books themselves. For
// every instrument that is its quote figures, bars at several time frames, recent trades and
// recent volume by price. Across instruments it is the most recent events, the counters and the
// event rate. It runs on the engine thread and does a bounded amount of work per event, with no
// locks and no clock reads: counters and a copy into the event ring for every event, and for a
// trade the bars, the tape and the volume of its instrument. A bar that leaves the kept bars of
// a time frame is added to that frame's VWAP sums, so a view's session VWAP covers the run.
//
// Events must arrive in sequence order within each instrument, but may interleave across
// instruments out of global order, as the streams of a remote terminal do. So the dropped counts
// go by arrival, and the last sequence and time are the highest seen. A view's recent events are
// sorted by sequence when they arrived out of order.
class MarketViewBuilder : public EventHandler {
public:
    using Clock = std::chrono::steady_clock;

    struct Options {
        std::size_t viewLevels = 50;
        std::size_t tradesPerView = 500;
        std::int64_t barIntervalNanoseconds = 1'000'000'000;
        std::size_t barsKept = 240; // at every time frame
        std::size_t eventsPerView = 2000;
    };

    // MarketView::timeFrames: 1 second, 1 minute, 5 minutes and 1 hour.
    static constexpr std::array<std::int64_t, 4> kTimeFrames = {1'000'000'000, 60'000'000'000,
                                                                300'000'000'000, 3'600'000'000'000};
    static constexpr std::size_t kSparklinePoints = 60;
    static constexpr std::int64_t kRecentVolumeSeconds = 60;

    // Throws std::invalid_argument on a bar interval or bar count that BarBuilder rejects.
    explicit MarketViewBuilder(Options options);
    ~MarketViewBuilder() override;

    // Sets the terms the views show for an instrument, such as its symbol and decimals, and
    // makes it known if it is not yet. Instruments join in the order they are first seen: by
    // this call, by their InstrumentAdded event or by their first trade.
    void addInstrument(const InstrumentDefinition &terms);
    bool knows(InstrumentId instrument) const;

    void onEvent(const Event &event) override;

    // Starts an instrument from the history of a run this one continues: its bars at the view's
    // bar interval and its most recent prints, both oldest first, and the run's last event. The
    // bars also fill the longer time frames that are multiples of that interval. The restored
    // prints count as this run's trades, so the tape misses none, and the last of them is the
    // instrument's last price. Bars beyond barsKept count only in the VWAP sums of the older
    // bars. The bars are checked as BarBuilder::restore checks them.
    void restoreHistory(InstrumentId instrument, const std::vector<Bar> &bars,
                        const std::vector<TradePrint> &trades, SequenceNumber lastSequence);

    // Records the event count at a wall-clock time, so that eventsPerSecond() can look one
    // second back. Call it often (every batch); samples closer than 10 ms apart are skipped.
    void sampleRate(Clock::time_point now);

    // Events per second over the second before `now`, from the recorded samples.
    double eventsPerSecond(Clock::time_point now) const;

    // Fills the market part of a view: every instrument's quote, the recent events, the
    // counters and the event rate. For the focus it adds its terms, the top levels of its book,
    // its recent trades, bars, time frames and recent volume. The books and trading statuses
    // come from `books`. A focus the builder does not know leaves the focus fields empty.
    void fill(MarketView &view, const BookSource &books, InstrumentId focus, Clock::time_point now);
    void fill(MarketView &view, const Engine &engine, InstrumentId focus, Clock::time_point now)
    {
        fill(view, EngineBooks(engine), focus, now);
    }

    // True when events arrived since the previous fill.
    bool hasNewEvents() const { return m_totalEvents != m_eventsAtLastFill; }

    SequenceNumber lastSequence() const { return m_lastSequence; }
    Timestamp lastEventTime() const { return m_lastEventTime; }
    std::uint64_t totalEvents() const { return m_totalEvents; }
    std::uint64_t totalTrades() const { return m_totalTrades; }

private:
    struct InstrumentMarket;

    InstrumentMarket *find(InstrumentId instrument);
    const InstrumentMarket *find(InstrumentId instrument) const;
    InstrumentMarket &market(InstrumentId instrument);
    void addEvent(const Event &event);
    void addTrade(const Event &event, const Trade &trade);
    void fillQuotes(MarketView &view, const BookSource &books) const;
    void fillFocus(MarketView &view, const BookSource &books, const InstrumentMarket &focus);
    void fillRecentEvents(MarketView &view) const;

    Options m_options;
    // The view's bar interval in frames: its index in kTimeFrames, or kTimeFrames.size() when it
    // is not one of them and gets its own builder after them.
    std::size_t m_barsFrame = 0;

    std::vector<std::unique_ptr<InstrumentMarket>> m_markets; // in the order they became known
    // Index in m_markets plus one, by instrument id, for ids below a bound; larger ids are
    // looked up by a search.
    std::vector<std::uint32_t> m_slots;

    std::vector<Event> m_recentEvents; // a ring of at most eventsPerView events
    std::size_t m_oldestEvent = 0;     // index of the oldest event once the ring is full
    std::uint64_t m_droppedEvents = 0; // since the previous fill
    bool m_eventsOutOfOrder = false;   // an event in the ring came after a later one
    InstrumentId m_lastFocus;          // of the previous fill
    std::uint64_t m_droppedTrades = 0; // of that focus, since the previous fill

    SequenceNumber m_lastSequence = 0;
    Timestamp m_lastEventTime;
    std::uint64_t m_totalEvents = 0;
    std::uint64_t m_totalTrades = 0;
    std::uint64_t m_eventsAtLastFill = 0;

    // (wall time, total events) pairs, oldest first, reaching just past one second back.
    std::deque<std::pair<Clock::time_point, std::uint64_t>> m_rateSamples;
};

} // namespace bourse

#pragma once

#include "branch_comparison.h"
#include "engine.h"
#include "events.h"
#include "money.h"
#include "order_book.h"
#include "risk_tracker.h"
#include "types.h"

#include <cstddef>
#include <cstdint>
#include <optional>
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

// Sums for a volume-weighted average price over bars. A bar carries no trade list, so each bar
// counts at its typical price (high + low + close) / 3, weighted by its volume. Both sums carry
// the divisor 3, so they stay integers and `weighted / volume` is the VWAP in price units. They
// are exact in 128 bits. An addition that would leave 128 bits sets `overflowed` instead, and
// the sums stop changing from then on.
struct VwapSums {
    detail::Int128 weighted = 0; // sum of (high + low + close) * volume
    detail::Int128 volume = 0;   // sum of 3 * volume
    bool overflowed = false;

    // Adds a bar. Returns false once the sums have overflowed.
    bool add(const Bar &bar)
    {
        const detail::Int128 typicalTimesThree = detail::Int128{bar.high.value()} +
                                                 detail::Int128{bar.low.value()} +
                                                 detail::Int128{bar.close.value()};
        return add(typicalTimesThree, bar.volume);
    }

    // Adds one trade, which as a bar of its own has the typical price `price`.
    bool addTrade(Price price, Quantity quantity)
    {
        return add(3 * detail::Int128{price.value()}, quantity);
    }

    friend bool operator==(const VwapSums &, const VwapSums &) = default;

private:
    bool add(detail::Int128 typicalTimesThree, Quantity quantity)
    {
        detail::Int128 product = 0;
        detail::Int128 weightedSum = 0;
        detail::Int128 volumeSum = 0;
        if (overflowed ||
            __builtin_mul_overflow(typicalTimesThree, detail::Int128{quantity.value()}, &product) ||
            __builtin_add_overflow(weighted, product, &weightedSum) ||
            __builtin_add_overflow(volume, 3 * detail::Int128{quantity.value()}, &volumeSum)) {
            overflowed = true;
            return false;
        }
        weighted = weightedSum;
        volume = volumeSum;
        return true;
    }
};

// Bars of one time frame, oldest first; the last one may still be forming.
struct BarSeries {
    std::int64_t intervalNanoseconds = 0;
    std::vector<Bar> bars;
    // The bars of this time frame that are older than `bars`, which the session no longer keeps,
    // as VWAP sums, so that a VWAP over the series can cover the whole run.
    VwapSums olderBars;
};

// Traded quantity at one price.
struct PriceVolume {
    Price price;
    Quantity quantity;
};

// One row of the market watch: an instrument's terms and its market now.
struct InstrumentQuote {
    InstrumentId instrument;
    std::string symbol;
    std::string currency;
    int priceDecimals = 2;
    int quantityDecimals = 0;
    Price tickSize{1};
    Quantity lotSize{1};
    // The smallest and largest quantity of one order, as the instrument's definition sets them.
    // The engine rejects an order outside them (RejectReason::BelowMinimumQuantity and
    // AboveMaximumQuantity).
    Quantity minimumQuantity{1};
    Quantity maximumQuantity = kMaximumQuantity;
    TradingStatus status = TradingStatus::Trading;
    Price last;      // zero before the first trade
    Price openPrice; // the first trade of the run, which "change" is measured against
    Price bestBid;   // zero when the side is empty
    Price bestAsk;
    Quantity bidSize;
    Quantity askSize;
    Quantity volume; // traded since the run began
    std::uint64_t tradeCount = 0;
    std::vector<Price> sparkline; // closes of the most recent bars, oldest first, at most 60
};

// The state of one of the trader's orders, as its events left it.
enum class OwnOrderState : std::uint8_t {
    Working = 0, // resting in the book, or parked as a stop that has not triggered
    Filled,
    Cancelled,
    Rejected,
    Expired,
};

// One of the trader's orders: what was asked, what happened, and why it ended.
struct OwnOrder {
    // A rejected order names the id it would have had, which the engine may give a later order,
    // because a rejection uses no id up.
    OrderId id;
    AccountId account;
    InstrumentId instrument;
    Side side = Side::Buy;
    OrderType type = OrderType::Limit;
    TimeInForce timeInForce = TimeInForce::Gtc;
    Price limit; // zero when the type has none
    Price stopPrice;
    Quantity displayQuantity; // zero when not an iceberg
    Quantity quantity;        // as entered, or as last replaced
    Quantity filled;
    Quantity remaining;
    bool parked = false; // a stop that has not triggered yet
    OwnOrderState state = OwnOrderState::Working;
    std::string reason; // for a rejection or a cancel: a sentence for the trader
    // False for a rejected order whose request is not known, such as one rebuilt from a journal,
    // because its events do not record the request. Side, type, time in force, prices and
    // quantity are then defaults.
    bool requestKnown = true;
    Timestamp entered; // zero when not known, as for an order entered before a restart
    Timestamp updated;
    SequenceNumber lastSequence = 0; // the last event that changed it
    // Entered against a replay: the fill model, not an exchange, decided its fills.
    bool simulated = false;
    bool branch = false; // listed by a branch of a replay (MarketView::branch), simulated too
};

// One fill of the trader's orders.
struct OwnFill {
    SequenceNumber tradeSequence = 0;
    Timestamp time;
    OrderId order;
    AccountId account;
    InstrumentId instrument;
    Side side = Side::Buy;
    Price price;
    Quantity quantity;
    bool maker = false;
    Money fee; // in the account's money units
    // Made by the fill model of trading against a replay, not by an exchange or the engine's
    // own book; its sequence number is the trader's engine's.
    bool simulated = false;
    bool branch = false; // listed by a branch of a replay (MarketView::branch), simulated too
};

// A position of one of the trader's accounts in one instrument, valued at the mark.
struct OwnPosition {
    AccountId account;
    InstrumentId instrument;
    std::string currency;
    int moneyDecimals = 2;
    Quantity quantity;    // signed: negative is short
    AveragePrice average; // exact entry price of the open quantity, in price units
    Price mark;           // the price unrealized P&L is marked at; zero when there is none
    Money realized;
    Money unrealized;
    Money fees;
    bool simulated = false; // built by simulated fills against a replay
    bool branch = false;    // of a branch of a replay (MarketView::branch), simulated too
};

// A risk decision to show the trader: a rejection, an alert, a limit change or a kill switch.
struct RiskNotice {
    SequenceNumber sequence = 0;
    Timestamp time;
    AccountId account;
    InstrumentId instrument; // zero when the notice is not about one instrument
    OrderId order;           // zero when the notice is not about an order
    RiskRule rule = RiskRule::None;
    std::string text; // a sentence, such as describe() gives for a rejection
};

// The trader's part of the session: accounts, orders, fills, positions and risk.
struct TraderView {
    std::vector<AccountId> accounts;      // the accounts the trader trades, the default first
    std::vector<OwnOrder> workingOrders;  // every instrument, oldest first
    std::vector<OwnOrder> finishedOrders; // the most recent ones, newest first, at most 500
    std::vector<OwnFill> fills;           // the most recent ones, newest first, at most 500
    std::vector<OwnPosition> positions;   // one per account and instrument ever traded
    std::vector<RiskMonitor> risk;        // one per account, in the order of `accounts`
    std::vector<RiskLimits> limits;       // the account-wide limits, in the same order
    std::vector<RiskNotice> riskNotices;  // the most recent ones, newest first, at most 200
    KillSwitchScope globalKillSwitch = KillSwitchScope::None;
    // The cash balance of each account in `accounts`, in the same order, in the account's money
    // units. A remote session fills it from the execution reports; empty in a local session.
    std::vector<Money> cash;
};

// Remote: the market of a `bourse-engine serve`, rebuilt from its published streams
// (net::RemoteSession).
enum class SessionMode : std::uint8_t { Simulation = 0, Replay = 1, Remote = 2 };

enum class ReplayState : std::uint8_t { Idle = 0, Playing, Paused, Finished, Failed };

// What the terminal shows, copied out of the engine thread at most once a frame. A view is
// immutable once published, so the UI reads it without locks.
//
// The book, trades and bars are of one instrument, the focus, which Session::setFocus()
// chooses; the market watch covers every instrument.
struct MarketView {
    SessionMode mode = SessionMode::Simulation;
    // Whether the session takes the trader's orders: a simulation, and a replay through its fill
    // model, whose orders, fills and positions `trader` marks simulated. A replay of a journal,
    // which replays the recorded trader's own orders, takes none until it has a branch. A remote
    // session takes them while its link to the server is up.
    bool takesOrders = false;
    InstrumentId instrument; // the focus
    std::string symbol;
    int priceDecimals = 2; // a price of 12345 ticks shows as 123.45 when this is 2
    int quantityDecimals = 0;
    Price tickSize{1};
    Quantity lotSize{1};
    TradingStatus status = TradingStatus::Trading;

    std::vector<InstrumentQuote> instruments; // every instrument, in the engine's order

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
    VwapSums olderBars; // of the bars older than `bars`, as BarSeries::olderBars
    // The bars of the focus at every time frame the session keeps (1 s, 1 min, 5 min, 1 h),
    // shortest first.
    std::vector<BarSeries> timeFrames;
    // Quantity traded at each price of the focus over the last 60 seconds of market time,
    // in ascending price order, for the ladder's volume column.
    std::vector<PriceVolume> recentVolume;

    // The most recent events of every instrument, oldest first, at most
    // Session::Options::eventsPerView; like the trades, consecutive views overlap.
    std::vector<Event> recentEvents;
    std::uint64_t droppedEvents = 0; // events no view carried, since the previous view

    TraderView trader;
    // While the trader trades a branch of a replay (Session::branch()), `trader` shows the
    // branch, and this compares it with the original run; empty otherwise.
    std::optional<BranchComparison> branch;
    // Why Session::branch() does nothing in this session, a sentence for the trader; empty where
    // it branches.
    std::string branchUnavailable;
    Timestamp marketTime; // of the last event

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
    // The market times of the source's first and last messages, for a position slider. The end
    // is zero until the session has found it. A journal records it, and another source gets it
    // once a scan on another thread has read the source to its end.
    Timestamp replayStart;
    Timestamp replayEnd;
    // Counts the seeks of the run. After a seek the views start again at the new position, so a
    // reader that keeps what earlier views showed, such as the tape, starts afresh when it
    // changes.
    std::uint64_t replaySeeks = 0;
    std::string replaySource;
    // Whether the source is a live feed (ReplayFeed::live()), which has no end and cannot seek.
    bool replayLive = false;
    std::size_t replayMessages = 0;
    std::size_t replayMismatches = 0;
    // Why the replayed book cannot be trusted, such as a gap in the source's update ids; empty
    // while it is live. A stale book keeps its last levels, and the screen must show that it is
    // stale. A remote session sets it while its link is down or the focus's stream
    // resynchronizes.
    std::string replayStale;
    // Why the source has no order book at all, such as a file of bars, a sentence for the book
    // panels; empty for a source with one.
    std::string bookUnavailable;

    std::string error; // the last error the session met, empty when none
};

} // namespace bourse

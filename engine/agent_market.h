#pragma once

#include "agent_random.h"
#include "engine.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace bourse {

// One instrument of the agent market: its definition, where its fair value starts, how busy it
// is and the size of its crowd. Prices are in ticks and sizes in lots of the instrument.
struct AgentInstrument {
    InstrumentId id;
    std::string symbol; // up to 16 characters
    std::uint8_t priceDecimals = 2;
    std::uint8_t quantityDecimals = 0;
    Price tickSize{1};   // price units per tick
    Quantity lotSize{1}; // quantity units per lot
    std::int64_t multiplier = 1;
    std::int64_t startTicks = 10'000;      // the fair value at the start
    std::uint32_t arrivalsPerSecond = 200; // calm arrivals, in simulated time
    // The chance, at each arrival, that the fair value moves by one tick either way. Busy
    // instruments move more often per unit of time, as activity clusters.
    std::uint32_t moveProbabilityPerMillion = 40'000;
    // News jumps come at random in simulated time, whatever the activity, this far apart on
    // average.
    std::int64_t newsMeanGapMilliseconds = 20'000;

    std::uint32_t makerCount = 2;
    // The calm half spread of the innermost maker, in whole ticks beyond the half tick that
    // separates a one-tick market: zero quotes one tick wide. Maker k quotes k ticks wider.
    std::int64_t makerHalfSpreadTicks = 0;
    std::int64_t makerQuoteLots = 10; // the innermost maker's size; maker k quotes (k + 1) times it
    std::int64_t makerInventoryLimitLots = 100; // each maker's largest long or short position
    std::int64_t noiseMaxLots = 10;             // the largest order of a noise trader
    std::int64_t traderLots = 10;       // the largest order of a momentum or informed trader
    std::int64_t traderLimitLots = 200; // their largest long or short position
    std::int64_t jumpMinTicks = 5;      // the size of a random news jump, either way
    std::int64_t jumpMaxTicks = 20;
    // Whether news comes at random. Without it the fair value jumps only on scheduled or
    // injected news.
    bool randomNews = true;
};

// The kind of a market event on one instrument of the agent market.
enum class MarketEventKind : std::uint8_t {
    // The fair value jumps by `ticks`, as random news does, and so does the level it reverts
    // to, so the jump lasts.
    News,
    // The fair value, and the level it reverts to, drift by `ticks` in even steps over
    // `durationNanoseconds`.
    Trend,
    // The makers withdraw their quotes and quote again `widenTicks` wider on each side, with
    // `percent` of their sizes. Noise traders rest as much wider and stop improving the best
    // price. It ends after `durationNanoseconds`, or at DroughtEnd when that is zero. While
    // droughts of an instrument overlap, the latest rules, and when it ends the latest of those
    // still running rules again. A timed drought's end ends only that drought.
    Drought,
    DroughtEnd,
    // A flash crash: the fair value and its level fall by `ticks` at once, as news the makers
    // see late, then trend back up by as much over `durationNanoseconds`.
    Crash,
    // Halted: the book takes limit orders but trades nothing, and only makers and noise traders
    // act. Reopen returns the instrument to trading through an auction that uncrosses the book.
    Halt,
    Reopen,
    // The calm arrival rate becomes `percent` of the instrument's arrivalsPerSecond.
    Activity,
};

// A market event, scheduled in Options::schedule or injected. Fields that its kind does not use
// are ignored.
struct MarketEvent {
    Timestamp time{}; // when it is due; inject() uses the market's time instead
    MarketEventKind kind = MarketEventKind::News;
    std::size_t instrument = 0; // index in Options::instruments
    std::int64_t ticks = 0;
    std::int64_t durationNanoseconds = 0;
    std::int64_t widenTicks = 0;
    std::uint32_t percent = 100;
    // For a DroughtEnd, the number of the drought it ends, which a timed drought gives its own
    // end; zero ends every drought of the instrument.
    std::uint64_t drought = 0;
};

// The kind of an agent with an account. Noise traders have none: they trade on account zero, as
// a crowd of anonymous people, so neither self-trade prevention nor a position applies to them.
enum class AgentRole : std::uint8_t { MarketMaker, Momentum, Informed };

// An agent with an account, and what it traded, in quantity units of its instrument.
struct AgentState {
    AgentRole role = AgentRole::MarketMaker;
    std::size_t instrument = 0; // index in Options::instruments
    AccountId account;
    Quantity position; // positive long, negative short
    Quantity bought;
    Quantity sold;
};

// A fair-value jump: random news, or news an instructor injected.
struct AgentNews {
    std::size_t instrument = 0; // index in Options::instruments
    std::int64_t ticks = 0;     // the jump, signed
    bool injected = false;      // scheduled or injected rather than random
    // The step count when it came: random news counts the step that brought it.
    std::uint64_t step = 0;
    SequenceNumber sequence = 0; // the engine's last sequence number before the jump
};

// Counters of one instrument since the market started. Spreads are sampled at each arrival of
// the instrument while both sides of its book are quoted, in price units.
struct AgentInstrumentStatistics {
    std::uint64_t arrivals = 0;
    std::uint64_t trades = 0;
    Quantity volume;
    std::uint64_t news = 0;
    std::uint64_t spreadSamples = 0;
    std::int64_t spreadSum = 0;
    // Samples in the first Options::newsWindowArrivals arrivals after news, a subset of the
    // samples above.
    std::uint64_t newsSpreadSamples = 0;
    std::int64_t newsSpreadSum = 0;
    // Trade prices in price units, all zero before the first trade.
    Price highPrice;
    Price lowPrice;
    Price lastPrice;
};

// A market event as it took effect: at the first arrival at or after its time, or when it was
// injected, with the instrument's counters just before it.
struct FiredMarketEvent {
    MarketEvent event;
    bool injected = false;
    Timestamp time;              // the market's time when it took effect
    std::uint64_t step = 0;      // the steps taken before it
    SequenceNumber sequence = 0; // the engine's last sequence number before it
    AgentInstrumentStatistics statistics;
};

// A simulated market made of agents trading several instruments in one engine.
//
// Each instrument has a fair value in ticks: a random walk that reverts weakly to its start,
// with occasional jumps (news). Arrivals come at random times: the gaps are exponential, and
// the rate of each instrument rises after news and after each trade, then decays, so activity
// clusters. Each arrival is one agent's turn on one instrument:
// - market makers quote both sides around their estimate of the fair value, which misses news
//   until Options::makerReactionArrivals arrivals after it. Their half spread widens with the
//   recent movement of the mid price and, once they see news, with its size. They lean their
//   quotes against their inventory, and never quote more than keeps it within their limit.
// - noise traders add passive orders near the makers' quotes, cancel them, and send market or
//   marketable limit orders, on either side at random.
// - momentum traders buy while a fast average of the mid price is above a slow one and sell
//   while it is below, and unwind when the signal fades.
// - informed traders know the fair value at once and take quotes that are mispriced by more
//   than a margin, which after news means the makers' stale quotes. They are far more active
//   while the makers have not seen the news.
//
// Makers, momentum and informed traders each have an account (Options::firstAccount on), and
// learn their positions from the engine's Trade events through a handler the market adds to
// the engine. With Options::openAccounts the accounts are also opened in the engine's
// portfolio, which posts their fills (a FillPosted per side) and checks their orders' risk.
// That costs speed, as docs/performance.md shows.
//
// Determinism: all arithmetic is integer, and draws come from one seeded xoshiro256** stream.
// The same seed and options on a new engine give the same commands with the same timestamps,
// so the same events byte for byte, on every platform. Injected news and pauses keep that
// promise for the same injections before the same steps. Other sources may trade in the same
// engine, and the market then reacts to their orders, so its stream follows theirs.
//
// Single thread: call it from the thread that owns the engine. In steady state the market
// allocates nothing, as its lists have fixed capacity. The engine recycles its orders and
// allocates only now and then, as when a book moves its window of price levels.
class AgentMarket {
public:
    // Five instruments: a large-cap share, a mid-cap share traded in round lots of 100, an
    // index future, a currency pair and a thin crypto asset. They differ in price, tick size,
    // lot size, arrival rate, number of makers and size.
    static std::vector<AgentInstrument> defaultInstruments();

    // The market's settings. Probabilities are in millionths or thousandths, as named. Negative
    // distances count as zero, and sizes, tick and lot sizes and times as at least one unit.
    struct Options {
        std::vector<AgentInstrument> instruments = defaultInstruments();
        Timestamp startTime{1'704'205'800'000'000'000}; // 2024-01-02 14:30:00 UTC
        AccountId firstAccount{1'000};                  // agents' accounts count up from here
        bool openAccounts = false;
        std::string currency = "USD"; // of every instrument, and of the opened accounts

        // Taken off the chance that a fair-value move is upwards, per tick above the start,
        // and added per tick below, in millionths. The chance stays between 10% and 90%.
        std::uint32_t reversionPerMillionPerTick = 100;

        // Arrivals. Excitation multiplies an instrument's calm rate by 1 + excitation, and it
        // decays exponentially, with the decay time as its time constant.
        std::int64_t excitationDecayNanoseconds = 1'000'000'000;
        std::uint32_t newsExcitationPerMille = 4'000;     // added by news
        std::uint32_t tradeArrivalsPerMille = 500;        // extra arrivals one trade causes
        std::uint32_t maximumExcitationPerMille = 20'000; // the cap

        // Relative weights of the agent kinds at an arrival. The cancel weight scales with the
        // noise orders resting over noiseRestingTarget, and the informed weight rises by
        // informedNewsWeight while the makers have not seen the latest news.
        std::uint32_t makerWeight = 30;
        std::uint32_t noisePassiveWeight = 28;
        std::uint32_t noiseCancelWeight = 24;
        std::uint32_t noiseTakeWeight = 10;
        std::uint32_t momentumWeight = 6;
        std::uint32_t informedWeight = 2;
        std::uint32_t informedNewsWeight = 120;

        // Market makers.
        std::uint32_t makerReactionArrivals = 10; // arrivals of the instrument until they see news
        std::int64_t makerMaximumWideningTicks = 12; // their half spread's largest widening
        // Extra half spread per tick of mean absolute mid move per arrival, in thousandths of a
        // tick. The mean is an exponential average over about 32 arrivals.
        std::uint32_t volatilityWideningPerMille = 3'000;
        // Extra half spread per tick of news once seen, in thousandths of a tick. It decays by a
        // 64th at each arrival.
        std::uint32_t newsWideningPerMille = 600;

        // Noise traders.
        std::uint32_t noiseRestingTarget = 60;    // resting noise orders per instrument
        std::int64_t noiseDepthTicks = 3;         // mean distance behind the makers' quotes
        std::int64_t noiseMaximumDepthTicks = 40; // and the largest
        std::uint32_t noiseImprovePerMille = 20;  // passive orders that improve the best price
        std::uint32_t noiseMarketPerMille = 500;  // takes sent as market orders
        std::int64_t noiseThroughTicks = 2;       // how far past the best a marketable limit goes

        // Momentum traders: the signal is a fast average of the mid price (over about 8
        // arrivals) less a slow one (about 64), acted on beyond the threshold.
        std::int64_t momentumThresholdQuarterTicks = 6;
        std::int64_t momentumSlippageTicks = 2;
        // Momentum and informed traders' turns without a signal that unwind part of the
        // position.
        std::uint32_t unwindPerMille = 100;

        // Informed traders take quotes at least this many ticks through the fair price.
        std::int64_t informedMarginTicks = 1;

        // The arrivals after news whose spreads count in newsSpreadSum.
        std::uint32_t newsWindowArrivals = 100;

        // Market events due at market times, in any order. Events due at the same time take
        // effect in the order listed.
        std::vector<MarketEvent> schedule;
    };

    // Sets the market up on `engine`, which must outlive it: adds the instruments, opens the
    // agents' accounts with Options::openAccounts, adds the handler that tracks positions,
    // and primes each book with the makers' quotes and resting noise orders, all at
    // Options::startTime. The engine should not have these instruments yet: it rejects a
    // duplicate definition, and the market then trades the engine's instrument with its own
    // tick and lot sizes, so orders off the grid are rejected.
    AgentMarket(Engine &engine, std::uint64_t seed);
    AgentMarket(Engine &engine, std::uint64_t seed, Options options);
    // Removes the handler from the engine. Orders stay in the books.
    ~AgentMarket();
    AgentMarket(const AgentMarket &) = delete;
    AgentMarket &operator=(const AgentMarket &) = delete;

    // Takes the next arrival: moves the simulated clock, applies the scheduled events due by
    // then, updates the instrument's fair value and the agents' view of it, and sends the
    // agent's commands, none to two of them, at the arrival's time. Returns false, having done
    // nothing, while paused.
    bool step();
    // Steps until the engine's last sequence number reaches `sequence`, or the market is
    // paused. Returns the number of steps taken.
    std::uint64_t runUntil(SequenceNumber sequence);

    // While paused, step() does nothing and the simulated clock does not move. Resuming goes on
    // where the market stopped.
    void setPaused(bool paused) { m_paused = paused; }
    bool isPaused() const { return m_paused; }

    // Moves an instrument's fair value by `ticks` now, between steps, as random news does: the
    // informed traders see it at their next turn, the makers after makerReactionArrivals
    // arrivals, and the instrument gets busier. The fair value stays above a floor that keeps
    // every quote positive. Draws nothing from the random stream, so the same injections before
    // the same steps give the same stream. An index past the instruments does nothing.
    void injectNews(std::size_t instrument, std::int64_t ticks);

    // Applies a market event now, at the market's time, between steps. Like injectNews, it
    // draws nothing from the random stream, so the same injections before the same steps give
    // the same stream. An event on an index past the instruments does nothing. A halt of a
    // halted instrument, a reopening of a trading one and the end of a drought that is not on
    // do nothing either.
    void inject(const MarketEvent &event);
    // The events that took effect, oldest first, scheduled and injected, including the ends
    // that droughts with a duration schedule.
    std::span<const FiredMarketEvent> firedEvents() const { return m_fired; }
    // The scheduled events still to come, earliest first.
    std::span<const MarketEvent> upcomingEvents() const;
    bool isHalted(std::size_t instrument) const;
    bool isInDrought(std::size_t instrument) const;

    Timestamp time() const { return m_time; }
    std::uint64_t stepCount() const { return m_steps; }
    const Options &options() const { return m_options; }
    std::size_t instrumentCount() const { return m_instruments.size(); }
    // The fair value in ticks, and the makers' estimate of it, which misses unseen news.
    std::int64_t fairValueTicks(std::size_t instrument) const;
    std::int64_t makerEstimateTicks(std::size_t instrument) const;
    const AgentInstrumentStatistics &statistics(std::size_t instrument) const;
    std::span<const AgentState> agents() const { return m_agents; }
    // The number of news jumps so far, and the latest one (all zero before the first).
    std::uint64_t newsCount() const { return m_newsCount; }
    const AgentNews &lastNews() const { return m_lastNews; }

    // --- Continuing a market on an engine rebuilt from its journal (agent_market_resume.cpp)

    // An account's position in one instrument, as a caller read it from the trades of a run
    // before, such as the positions that a journal's read models project.
    struct CarriedPosition {
        AccountId account;
        InstrumentId instrument;
        Quantity quantity; // positive long, negative short
    };

    // Whether `engine` trades the instruments of `options` and no other: the same ids, symbols,
    // tick and lot sizes, in any order. An engine that an agent market with these options made
    // passes, whatever its events since, because the definitions are part of its state (and of
    // every snapshot). The synthetic flow's instruments have other symbols.
    static bool tradesInstrumentsOf(const Engine &engine, const Options &options);

    // Continues an agent market on `engine`, which an agent market with these options made and
    // which must outlive the result. Nothing is added or primed. Each instrument's fair value
    // starts at the middle of its book's best prices, the facing side's price with a side
    // missing, or the definition's reference price on an empty book. The fair value still
    // reverts to the instrument's startTicks. Each agent's position comes from the engine's
    // portfolio when its account is open there, else from `positions`, else it is zero. Each
    // maker takes over its best resting bid and ask, and the noise traders take over the
    // resting orders of account zero up to the capacity of their list. Every other resting
    // order of an agent is cancelled at options.startTime, so that no order is left unmanaged.
    //
    // A halted instrument stays halted. The clock starts at options.startTime, which should be
    // after the engine's last event. Scheduled events due before it count as fired by the run
    // that made the engine. They are listed in firedEvents() at their due times and do not fire
    // again. Their lasting effects on the market's own state are restored without sending an
    // order: the level the fair value reverts to (news, trends, crashes), the activity, and the
    // droughts and trends still running then, with what remains of them. Halts and
    // reopenings are the engine's trading status already. Events due from options.startTime on
    // fire at their times, as in a new market.
    //
    // Not carried over: the random stream, which starts from `seed`. Events injected in the run
    // before (a halt stays, as the engine's status). Unseen news and the makers' widening after
    // it. The excitation of the arrival rates, the averages of the mid price, the statistics,
    // and each agent's bought and sold quantities, which count from here. So the continuation is
    // deterministic given the engine's state, the seed and the options, but it is not the run
    // that the same seed would have gone on with. Returns null when the engine does not trade
    // the instruments of `options`.
    static std::unique_ptr<AgentMarket> resume(Engine &engine, std::uint64_t seed, Options options,
                                               std::span<const CarriedPosition> positions = {});

private:
    struct ResumeTag {};
    AgentMarket(Engine &engine, std::uint64_t seed, Options options, ResumeTag);
    void resumeInstrument(std::size_t index, std::span<const CarriedPosition> positions);
    void carryPositions(std::size_t index, std::span<const CarriedPosition> positions);
    void adoptOrders(std::size_t index, std::vector<OrderId> &cancels);
    void catchUpSchedule();
    void catchUp(const MarketEvent &event);

private:
    // Tracks the agents' positions and the instruments' trades from Trade events.
    class TradeListener : public EventHandler {
    public:
        explicit TradeListener(AgentMarket &market)
            : m_market(market)
        {
        }
        void onEvent(const Event &event) override;

    private:
        AgentMarket &m_market;
    };

    // The arrival rate of one instrument, apart from the rest of its state so that the pass over
    // every instrument at each arrival reads little memory.
    struct ArrivalRate {
        std::uint64_t calm = 0;          // arrivals per second
        std::uint64_t excitationQ32 = 0; // in units of 2^-32 of the calm rate
        std::uint64_t current = 0;       // calm * (1 + excitation) * 2^16, at the latest arrival
    };

    struct Maker {
        std::size_t agent = 0; // index in m_agents
        std::int64_t extraHalfSpreadTicks = 0;
        Quantity quoteQuantity;
        OrderId bid;
        OrderId ask;
    };

    // The live state of one instrument. Prices are in ticks unless named otherwise.
    struct InstrumentRun {
        InstrumentId id;
        const OrderBook *book = nullptr;
        std::int64_t tick = 1; // price units per tick
        Quantity lot;
        std::int64_t makerHalfSpreadTicks = 0; // the innermost maker's calm half spread
        std::int64_t startTicks = 0;
        std::int64_t floorTicks = 0; // the lowest fair value

        std::int64_t fairValue = 0;
        std::int64_t unseenNews = 0;     // ticks of news the makers have not seen
        std::uint32_t blindArrivals = 0; // arrivals until they see it
        Probability move;
        std::uint64_t newsMeanGapQ16 = 0; // nanoseconds, in units of 2^-16
        Timestamp nextNews;
        std::uint32_t arrivalsSinceNews = UINT32_MAX;
        std::int64_t newsWideningQ8 = 0; // extra half spread in 1/256 ticks
        // Mid prices as bid + ask in price units, and averages of them in 1/256 units.
        std::int64_t lastMid = 0;
        std::int64_t movementQ8 = 0; // mean absolute change of the mid per arrival
        std::int64_t fastMidQ8 = 0;
        std::int64_t slowMidQ8 = 0;
        bool hasMid = false;

        std::uint64_t tradeExcitationQ32 = 0; // what one trade adds to the excitation

        std::size_t firstMaker = 0; // in m_makers
        std::size_t makerCount = 0;
        std::size_t momentum = 0; // in m_agents
        std::size_t informed = 0;
        Quantity makerLimit;
        Quantity traderQuantity;
        Quantity traderLimit;
        std::int64_t noiseMaxLots = 1;
        std::int64_t momentumThresholdQ8 = 0; // in the units of fastMidQ8

        std::vector<OrderId> noiseOrders; // fixed capacity; filled ones leave lazily
        AgentInstrumentStatistics statistics;

        // Market events (agent_events.cpp).
        bool halted = false;
        bool drought = false;
        std::int64_t droughtWidenTicks = 0;
        std::uint32_t droughtPercent = 100;
        // The droughts running, the one that rules last.
        std::vector<MarketEvent> droughts;
        std::int64_t driftTicks = 0;               // the whole trend
        std::int64_t driftApplied = 0;             // the part of it applied so far
        std::int64_t driftDurationNanoseconds = 0; // zero without a trend
        Timestamp driftStart;
    };

    // Setup (agent_market.cpp).
    void addInstrument(const AgentInstrument &instrument, std::size_t index);
    void setUpArrivals(const AgentInstrument &instrument, std::size_t index);
    void setUpAgents(const AgentInstrument &instrument, std::size_t index);
    void addAgent(AgentRole role, std::size_t instrument);
    void openAccounts();
    void prime(InstrumentRun &run);

    // Arrivals and the fair value (agent_market.cpp).
    std::size_t nextArrival();
    void observe(InstrumentRun &run);
    void moveFairValue(std::size_t instrument);
    void applyNews(std::size_t instrument, std::int64_t ticks, bool injected);
    void revealNews(InstrumentRun &run);
    void scheduleNews(InstrumentRun &run);
    void addExcitation(std::size_t instrument, std::uint64_t amountQ32);
    void act(InstrumentRun &run);
    void recordTrade(const Event &event, const Trade &trade);
    void addFill(AccountId account, Side side, Quantity quantity);

    // The agents' turns (agent_traders.cpp).
    std::int64_t wideningTicks(const InstrumentRun &run) const;
    void makeMarket(InstrumentRun &run, Maker &maker);
    void quote(InstrumentRun &run, Maker &maker, Side side, std::int64_t ticks, Quantity quantity);
    void addNoiseOrder(InstrumentRun &run);
    void cancelNoiseOrder(InstrumentRun &run);
    void takeAsNoise(InstrumentRun &run);
    void tradeMomentum(InstrumentRun &run);
    void tradeInformed(InstrumentRun &run);
    void unwind(InstrumentRun &run, const AgentState &agent);
    OrderId submitLimit(InstrumentRun &run, Side side, std::int64_t ticks, Quantity quantity,
                        AccountId account, TimeInForce timeInForce);
    bool takeNoiseOrder(InstrumentRun &run, OrderId &id);
    void trackNoiseOrder(InstrumentRun &run, OrderId id);
    std::int64_t ticksOf(const InstrumentRun &run, Price price) const;
    Quantity noiseQuantity(InstrumentRun &run);

    // Market events (agent_events.cpp).
    void setUpSchedule();
    void fireDueEvents();
    void fire(const MarketEvent &event, bool injected);
    void schedule(const MarketEvent &event);
    void applyDrift(InstrumentRun &run);
    void advanceDrift(InstrumentRun &run, Timestamp time, bool moveFairValue);
    bool takeRulingDrought(InstrumentRun &run);
    void catchUpTrend(InstrumentRun &run, std::int64_t ticks, Timestamp start,
                      std::int64_t duration); // agent_market_resume.cpp
    void startTrend(std::size_t instrument, std::int64_t ticks, std::int64_t duration);
    std::int64_t moveLevel(std::size_t instrument, std::int64_t ticks);
    void crash(std::size_t instrument, std::int64_t ticks, std::int64_t duration);
    void startDrought(std::size_t instrument, const MarketEvent &event);
    void endDrought(std::size_t instrument, std::uint64_t drought);
    void applyDrought(InstrumentRun &run);
    void setHalted(std::size_t instrument, bool halted);
    void setActivity(std::size_t instrument, std::uint32_t percent);
    void requote(InstrumentRun &run);

    Engine &m_engine;
    Options m_options;
    AgentRandom m_random;
    TradeListener m_listener{*this};
    std::vector<InstrumentRun> m_instruments;
    std::vector<ArrivalRate> m_rates; // one per instrument
    std::vector<Maker> m_makers;
    std::vector<AgentState> m_agents;

    Timestamp m_time;
    std::uint64_t m_steps = 0;
    bool m_paused = false;
    std::uint64_t m_newsCount = 0;
    AgentNews m_lastNews;

    // Scheduled events by time, those before m_nextEvent already fired.
    std::vector<MarketEvent> m_schedule;
    std::size_t m_nextEvent = 0;
    Timestamp m_nextEventTime; // of m_schedule[m_nextEvent], or the largest time
    std::vector<FiredMarketEvent> m_fired;
    std::uint64_t m_droughtCount = 0; // droughts started, which number them from 1

    // Draw thresholds and constants worked out once from the options.
    Probability m_improve;
    Probability m_market;
    Probability m_unwind;
    std::uint64_t m_decayQ48 = 0;    // 2^48 / excitationDecayNanoseconds
    std::uint64_t m_decayingQ32 = 0; // the part the excitation loses at the next arrival
    std::uint64_t m_maximumExcitationQ32 = 0;
    // noiseCancelWeight / noiseRestingTarget, in units of 2^-16.
    std::uint64_t m_cancelWeightPerOrderQ16 = 0;
};

} // namespace bourse

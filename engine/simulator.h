#pragma once

#include "engine.h"
#include "random.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace bourse {

// One command the simulator sends to an Engine.
struct SimulatorCommand {
    enum class Kind : std::uint8_t { Submit, Cancel };

    Kind kind = Kind::Submit;
    NewOrder order;   // for Submit
    OrderId cancelId; // for Cancel
};

// Synthetic order flow for one instrument: passive limit orders around a fair value,
// marketable limit orders, market orders, and cancels of its own resting orders. The fair value
// is a mean-reverting random walk in whole ticks, so the book keeps several levels a side and a
// spread of one to a few ticks while trades print regularly.
//
// The flow depends only on the seed and on the book it is shown, and all arithmetic is integer,
// so the same seed driving the same engine gives the same events on every platform. Other
// sources, such as a trader, may enter orders in the same book: the simulator trades against
// them, but it cancels only live orders of its own account and instrument. With engine-assigned
// ids (Options::engineAssignsIds) its order ids never collide with theirs either.
class MarketSimulator {
public:
    // Probabilities are in thousandths; prices are in ticks, sizes in lots.
    struct Options {
        // The instrument whose book the simulator reads and trades; zero is the engine's primary
        // instrument. With an id the engine does not have, every order is rejected as
        // UnknownInstrument and the flow changes nothing.
        InstrumentId instrument{};
        // Price units per tick and quantity units per lot of that instrument. Orders carry
        // ticks times tickSize and lots times lotSize, so they are on the instrument's grid.
        Price tickSize{1};
        Quantity lotSize{1};
        // The account of every order. Zero means no account, so no risk rule applies and no
        // fill is posted.
        AccountId account{};
        // With true, orders carry id zero, so the engine assigns the next free id, and step()
        // records the id that submit() returns. Such ids never collide with the ids of other
        // sources in the engine, across a restart too, because the engine's next id is part of
        // its recovered state. With false the simulator numbers its orders from firstOrderId,
        // which suits an engine that only it feeds.
        bool engineAssignsIds = false;

        Price anchor{10'000};               // the price the fair value reverts to
        std::int64_t reversionPerMille = 1; // taken off the up-move chance per tick above anchor
        std::uint32_t fairValueMovePerMille = 30; // chance per command that the fair value moves
        std::int64_t maxDepthTicks = 20; // the farthest a passive order rests from fair value
        std::uint32_t depthDecayPerMille = 250; // chance, tick by tick outwards, to stop there
        std::int64_t maxPassiveLots = 20;
        std::int64_t maxAggressiveLots = 10;
        std::size_t targetRestingOrders = 150; // cancels speed up above this many orders

        // Relative weights of the command kinds. The cancel weight scales with the number of
        // resting orders over targetRestingOrders.
        std::uint32_t passiveWeight = 50;
        std::uint32_t cancelWeight = 35;
        std::uint32_t marketableLimitWeight = 10;
        std::uint32_t marketWeight = 5;

        std::size_t primeLevels = 10; // levels a side placed before the random flow
        std::size_t primeOrdersPerLevel = 2;
        std::uint64_t firstOrderId = 1; // ids count up from here, one per submitted order
    };

    explicit MarketSimulator(std::uint64_t seed);
    MarketSimulator(std::uint64_t seed, Options options);

    // Creates a simulator that continues the market in the book of options.instrument, as after
    // a restart from a journal. The same seed, options and engine state give the same commands.
    //
    // A book with resting orders is taken over, and nothing is primed. Every resting order of
    // options.account joins the orders that cancels pick from, whichever run entered it. The
    // fair value starts at the book's mid price (see fairValueOf()), not at the anchor. An empty
    // book is primed around the anchor as by the constructor, so on an engine whose
    // lastSequence() is zero the commands are the constructor's.
    //
    // Without engineAssignsIds, order ids start at the largest of options.firstOrderId,
    // lastSequence() + 1 and one above the highest resting id of options.account. Every order
    // takes at least one event, so ids that count up from at most the next sequence number, as
    // the engine's own ids and resume()'s do, stay at or below lastSequence().
    // NOTE: an explicit id above both bounds, on an order that left the book or on a parked
    // stop, is missed, because the engine's public API does not expose its highest id.
    static MarketSimulator resume(std::uint64_t seed, Options options, const Engine &engine);

    // Computes the fair value, in whole ticks of options.tickSize, that a simulator takes over
    // this book. The fair price, half a tick above it, is the mid price, rounded half a tick
    // down when the spread is an even number of ticks. A book with one side is treated as a
    // one-tick spread, so the fair value is the best bid, or one tick below the best ask. The
    // result is at least options.maxDepthTicks + 2, the floor that keeps passive prices positive.
    // An empty book gives options.anchor.
    static Price fairValueOf(const OrderBook &book, const Options &options);

    // Returns the next command for the instrument's book in its current state. The first
    // primingCommands() commands place primeLevels levels a side around the anchor, and random
    // flow follows. A simulator that took over a book (resume()) starts with random flow. Each
    // command must reach the engine before the next call, as cancels pick live orders. With
    // engineAssignsIds, a caller that applies the commands itself hands each id that submit()
    // returns to recordOrder().
    SimulatorCommand next(const Engine &engine);

    // Takes the next command for the instrument's book and applies it to the engine.
    void step(Engine &engine, Timestamp time);

    // With engineAssignsIds, adds the order the engine numbered `id` to the orders that cancels
    // pick from. An order that is not live, or not the simulator's, is left out.
    void recordOrder(const Engine &engine, OrderId id);

    // Applies every remaining priming command, so the book is full before paced flow starts.
    void prime(Engine &engine, Timestamp time);

    static void apply(const SimulatorCommand &command, Engine &engine, Timestamp time);

    bool isPrimed() const { return m_primed >= primingCommands(); }
    std::size_t primingCommands() const;
    Price fairValue() const { return Price{m_fairValue}; } // in ticks
    std::uint64_t commandCount() const { return m_commandCount; }
    const Options &options() const { return m_options; }

private:
    // The lowest fair value the walk takes. Above it, every passive price is positive.
    static std::int64_t lowestFairValue(const Options &options);
    static std::int64_t tickOf(const Options &options);
    std::int64_t ticksOf(Price price) const { return price.value() / tickOf(m_options); }
    Price priceOf(std::int64_t ticks) const { return Price{ticks * tickOf(m_options)}; }
    Quantity quantityOf(std::int64_t lots) const;
    const OrderBook *bookOf(const Engine &engine) const;
    InstrumentId instrumentOf(const Engine &engine) const;
    bool isOwnLiveOrder(const Engine &engine, OrderId id) const;
    void takeOverBook(const OrderBook &book);
    SimulatorCommand nextPrimingCommand();
    SimulatorCommand nextRandomCommand(const Engine &engine);
    void moveFairValue();

    SimulatorCommand passiveOrder(const OrderBook &book);
    SimulatorCommand passiveOrder(Side side, std::int64_t offsetTicks, std::int64_t lots);
    SimulatorCommand aggressiveOrder(const OrderBook &book, OrderType type);
    SimulatorCommand newOrder(Side side, std::int64_t lots, OrderType type);
    SimulatorCommand cancelOrder(const Engine &engine);

    Side aggressorSide(const OrderBook &book);
    std::int64_t passiveOffset();
    std::int64_t passiveLots();
    OrderId takeOrderId();
    bool takeLiveOrder(const Engine &engine, OrderId &id);
    void dropFilledOrders(const Engine &engine);

    Options m_options;
    Xoshiro256StarStar m_random;
    std::int64_t m_fairValue; // in ticks; the fair price lies half a tick above it
    std::uint64_t m_nextOrderId;
    std::uint64_t m_commandCount = 0;
    std::size_t m_primed = 0;

    // Ids of limit orders the simulator submitted that may still rest. Filled ones are found
    // and dropped lazily, when a cancel picks them or the list outgrows the book. An id whose
    // live order belongs to another account or instrument counts as filled.
    std::vector<OrderId> m_liveOrders;
};

} // namespace bourse

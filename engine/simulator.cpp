#include "simulator.h"

#include <algorithm>

namespace bourse {

namespace {

std::int64_t clampPerMille(std::int64_t value, std::int64_t low, std::int64_t high)
{
    return std::clamp(value, low, high);
}

} // namespace

MarketSimulator::MarketSimulator(std::uint64_t seed)
    : MarketSimulator(seed, Options{})
{
}

MarketSimulator::MarketSimulator(std::uint64_t seed, Options options)
    : m_options(options)
    , m_random(seed)
    , m_fairValue(options.anchor.value())
    , m_nextOrderId(options.firstOrderId)
{
}

MarketSimulator MarketSimulator::resume(std::uint64_t seed, Options options, const Engine &engine)
{
    options.firstOrderId = std::max(options.firstOrderId, engine.lastSequence() + 1);
    MarketSimulator simulator(seed, options);
    if (const OrderBook *book = simulator.bookOf(engine)) {
        simulator.takeOverBook(*book);
    }
    return simulator;
}

Price MarketSimulator::fairValueOf(const OrderBook &book, const Options &options)
{
    const std::optional<Price> bid = book.bestPrice(Side::Buy);
    const std::optional<Price> ask = book.bestPrice(Side::Sell);
    if (!bid && !ask) {
        return options.anchor;
    }

    // In half ticks, the fair price is 2 * fairValue + 1 and the mid price bid + ask. A missing
    // side is taken one tick beyond the other, so the fair value sits where it would over an
    // undisturbed book with that best price. Prices are positive, so the division rounds down.
    const std::int64_t tick = tickOf(options);
    const std::int64_t bidTicks = bid ? bid->value() / tick : ask->value() / tick - 1;
    const std::int64_t askTicks = ask ? ask->value() / tick : bid->value() / tick + 1;
    const std::int64_t fairValue = (bidTicks + askTicks - 1) / 2;
    return Price{std::max(fairValue, lowestFairValue(options))};
}

std::int64_t MarketSimulator::lowestFairValue(const Options &options)
{
    return options.maxDepthTicks + 2;
}

std::int64_t MarketSimulator::tickOf(const Options &options)
{
    return std::max<std::int64_t>(options.tickSize.value(), 1);
}

Quantity MarketSimulator::quantityOf(std::int64_t lots) const
{
    return Quantity{lots * std::max<std::int64_t>(m_options.lotSize.value(), 1)};
}

const OrderBook *MarketSimulator::bookOf(const Engine &engine) const
{
    return engine.book(m_options.instrument);
}

InstrumentId MarketSimulator::instrumentOf(const Engine &engine) const
{
    return m_options.instrument.value() != 0 ? m_options.instrument : engine.instrument();
}

// A trader's order may take an id that a filled order of the simulator had, so an id alone
// does not prove that a live order is the simulator's.
bool MarketSimulator::isOwnLiveOrder(const Engine &engine, OrderId id) const
{
    const Order *order = engine.findOrder(id);
    return order != nullptr && order->account == m_options.account &&
           order->instrument == instrumentOf(engine);
}

void MarketSimulator::takeOverBook(const OrderBook &book)
{
    if (book.orderCount() == 0) {
        return;
    }
    m_primed = primingCommands();
    m_fairValue = fairValueOf(book, m_options).value();

    // Sorted by id, the order in which the simulator lists the orders it submits, so the list
    // does not depend on how the book stores its levels. Orders of other accounts, such as a
    // trader's, are never the simulator's to cancel.
    m_liveOrders.reserve(book.orderCount());
    const auto adopt = [this](const Order &order) {
        if (order.account == m_options.account) {
            m_liveOrders.push_back(order.id);
        }
    };
    book.forEachOrder(Side::Buy, adopt);
    book.forEachOrder(Side::Sell, adopt);
    std::sort(m_liveOrders.begin(), m_liveOrders.end());
    if (!m_liveOrders.empty()) {
        m_nextOrderId = std::max(m_nextOrderId, m_liveOrders.back().value() + 1);
    }
}

std::size_t MarketSimulator::primingCommands() const
{
    return m_options.primeLevels * 2 * m_options.primeOrdersPerLevel;
}

SimulatorCommand MarketSimulator::next(const Engine &engine)
{
    ++m_commandCount;
    if (!isPrimed()) {
        return nextPrimingCommand();
    }
    return nextRandomCommand(engine);
}

void MarketSimulator::step(Engine &engine, Timestamp time)
{
    const SimulatorCommand command = next(engine);
    if (command.kind == SimulatorCommand::Kind::Cancel) {
        engine.cancel(command.cancelId, time);
        return;
    }
    const OrderId id = engine.submit(command.order, time);
    if (command.order.type == OrderType::Limit) {
        recordOrder(engine, id);
    }
}

void MarketSimulator::recordOrder(const Engine &engine, OrderId id)
{
    // An order that filled on arrival, or a rejection, is not listed at all.
    if (m_options.engineAssignsIds && isOwnLiveOrder(engine, id)) {
        m_liveOrders.push_back(id);
    }
}

void MarketSimulator::prime(Engine &engine, Timestamp time)
{
    while (!isPrimed()) {
        step(engine, time);
    }
}

void MarketSimulator::apply(const SimulatorCommand &command, Engine &engine, Timestamp time)
{
    if (command.kind == SimulatorCommand::Kind::Cancel) {
        engine.cancel(command.cancelId, time);
    } else {
        engine.submit(command.order, time);
    }
}

SimulatorCommand MarketSimulator::nextPrimingCommand()
{
    const std::size_t ordersPerLevelPair = 2 * m_options.primeOrdersPerLevel;
    const auto level = static_cast<std::int64_t>(m_primed / ordersPerLevelPair);
    const bool buy = m_primed % ordersPerLevelPair < m_options.primeOrdersPerLevel;
    ++m_primed;
    return passiveOrder(buy ? Side::Buy : Side::Sell, level, passiveLots());
}

SimulatorCommand MarketSimulator::nextRandomCommand(const Engine &engine)
{
    const OrderBook *found = bookOf(engine);
    if (found == nullptr) {
        // No such instrument: the engine rejects the order, and nothing else changes.
        const std::int64_t offset = passiveOffset();
        return passiveOrder(Side::Buy, offset, passiveLots());
    }
    const OrderBook &book = *found;
    if (m_random.chance(m_options.fairValueMovePerMille)) {
        moveFairValue();
    }
    dropFilledOrders(engine);

    // Cancels speed up as the book grows past its target size, which keeps its size steady.
    const std::uint64_t target = std::max<std::uint64_t>(m_options.targetRestingOrders, 1);
    std::uint64_t cancelWeight = m_options.cancelWeight * book.orderCount() / target;
    cancelWeight = std::min<std::uint64_t>(cancelWeight, 10ULL * m_options.cancelWeight);
    if (m_liveOrders.empty()) {
        cancelWeight = 0;
    }

    const std::uint64_t total = m_options.passiveWeight + cancelWeight +
                                m_options.marketableLimitWeight + m_options.marketWeight;
    std::uint64_t pick = m_random.below(total);
    if (pick < m_options.passiveWeight) {
        return passiveOrder(book);
    }
    pick -= m_options.passiveWeight;
    if (pick < cancelWeight) {
        return cancelOrder(engine);
    }
    pick -= cancelWeight;
    if (pick < m_options.marketableLimitWeight) {
        return aggressiveOrder(book, OrderType::Limit);
    }
    return aggressiveOrder(book, OrderType::Market);
}

void MarketSimulator::moveFairValue()
{
    // The chance of an up move falls as the fair value rises above the anchor, so the walk
    // keeps returning to it.
    const std::int64_t distance = m_fairValue - m_options.anchor.value();
    const std::int64_t upPerMille =
        clampPerMille(500 - m_options.reversionPerMille * distance, 50, 950);
    const bool up = static_cast<std::int64_t>(m_random.below(1000)) < upPerMille;
    m_fairValue += up ? 1 : -1;

    m_fairValue = std::max(m_fairValue, lowestFairValue(m_options));
}

SimulatorCommand MarketSimulator::passiveOrder(const OrderBook &book)
{
    const Side side = m_random.chance(500) ? Side::Buy : Side::Sell;
    SimulatorCommand command = passiveOrder(side, passiveOffset(), passiveLots());

    // A passive order never crosses: a bid rests at least a tick below the best ask, and an
    // ask at least a tick above the best bid.
    const std::optional<Price> facing = book.bestPrice(opposite(side));
    std::int64_t limit = ticksOf(command.order.limit);
    if (facing && side == Side::Buy && limit >= ticksOf(*facing)) {
        limit = ticksOf(*facing) - 1;
    }
    if (facing && side == Side::Sell && limit <= ticksOf(*facing)) {
        limit = ticksOf(*facing) + 1;
    }
    command.order.limit = priceOf(std::max<std::int64_t>(limit, 1));
    return command;
}

SimulatorCommand MarketSimulator::passiveOrder(Side side, std::int64_t offsetTicks,
                                               std::int64_t lots)
{
    // Bids rest at or below the fair value, asks from one tick above it: the top of an
    // undisturbed book has a spread of one tick around the fair price.
    const std::int64_t ticks =
        side == Side::Buy ? m_fairValue - offsetTicks : m_fairValue + 1 + offsetTicks;

    SimulatorCommand command = newOrder(side, lots, OrderType::Limit);
    command.order.limit = priceOf(std::max<std::int64_t>(ticks, 1));
    if (!m_options.engineAssignsIds) {
        m_liveOrders.push_back(command.order.id);
    }
    return command;
}

SimulatorCommand MarketSimulator::newOrder(Side side, std::int64_t lots, OrderType type)
{
    SimulatorCommand command;
    command.kind = SimulatorCommand::Kind::Submit;
    command.order = NewOrder{.id = takeOrderId(),
                             .side = side,
                             .quantity = quantityOf(lots),
                             .type = type,
                             .instrument = m_options.instrument,
                             .account = m_options.account};
    return command;
}

SimulatorCommand MarketSimulator::aggressiveOrder(const OrderBook &book, OrderType type)
{
    if (!book.bestPrice(Side::Buy) && !book.bestPrice(Side::Sell)) {
        return passiveOrder(book);
    }
    const Side side = aggressorSide(book);
    const std::int64_t facing = ticksOf(*book.bestPrice(opposite(side)));
    const auto lots = 1 + static_cast<std::int64_t>(m_random.below(static_cast<std::uint64_t>(
                              std::max<std::int64_t>(m_options.maxAggressiveLots, 1))));

    SimulatorCommand command = newOrder(side, lots, type);
    if (type == OrderType::Limit) {
        // Up to two ticks through the best, so some orders sweep a level and rest the rest.
        const auto through = static_cast<std::int64_t>(m_random.below(3));
        const std::int64_t limit = side == Side::Buy ? facing + through : facing - through;
        command.order.limit = priceOf(std::max<std::int64_t>(limit, 1));
        if (!m_options.engineAssignsIds) {
            m_liveOrders.push_back(command.order.id);
        }
    }
    return command;
}

SimulatorCommand MarketSimulator::cancelOrder(const Engine &engine)
{
    OrderId first;
    if (!takeLiveOrder(engine, first)) {
        return passiveOrder(*bookOf(engine));
    }
    OrderId second;
    takeLiveOrder(engine, second);

    // Of two random resting orders, the one farther from the fair price goes, so stale quotes
    // left behind by a moving fair value are the first to be pulled.
    const auto distance = [&](OrderId id) {
        const Order *order = engine.findOrder(id);
        const std::int64_t twice = 2 * ticksOf(order->price) - (2 * m_fairValue + 1);
        return twice < 0 ? -twice : twice;
    };
    SimulatorCommand command;
    command.kind = SimulatorCommand::Kind::Cancel;
    command.cancelId = distance(second) > distance(first) ? second : first;
    return command;
}

Side MarketSimulator::aggressorSide(const OrderBook &book)
{
    const std::optional<Price> bid = book.bestPrice(Side::Buy);
    const std::optional<Price> ask = book.bestPrice(Side::Sell);
    if (!ask) {
        return Side::Sell;
    }
    if (!bid) {
        return Side::Buy;
    }
    // Buyers dominate while the fair price is above the mid price, and sellers below it, so
    // trades drag the book after the fair value. Both are measured in half ticks.
    const std::int64_t difference = (2 * m_fairValue + 1) - (ticksOf(*bid) + ticksOf(*ask));
    const std::int64_t buyPerMille = clampPerMille(500 + 50 * difference, 100, 900);
    return static_cast<std::int64_t>(m_random.below(1000)) < buyPerMille ? Side::Buy : Side::Sell;
}

std::int64_t MarketSimulator::passiveOffset()
{
    // A geometric distance from the fair value: most orders join the top levels, few rest
    // deep.
    std::int64_t offset = 0;
    while (offset < m_options.maxDepthTicks && !m_random.chance(m_options.depthDecayPerMille)) {
        ++offset;
    }
    return offset;
}

std::int64_t MarketSimulator::passiveLots()
{
    // The smaller of two uniform draws: small orders are common, large ones rare.
    const auto bound =
        static_cast<std::uint64_t>(std::max<std::int64_t>(m_options.maxPassiveLots, 1));
    const std::uint64_t a = m_random.below(bound);
    const std::uint64_t b = m_random.below(bound);
    return 1 + static_cast<std::int64_t>(std::min(a, b));
}

OrderId MarketSimulator::takeOrderId()
{
    if (m_options.engineAssignsIds) {
        return OrderId{0};
    }
    return OrderId{m_nextOrderId++};
}

bool MarketSimulator::takeLiveOrder(const Engine &engine, OrderId &id)
{
    while (!m_liveOrders.empty()) {
        const std::size_t index = m_random.below(m_liveOrders.size());
        if (isOwnLiveOrder(engine, m_liveOrders[index])) {
            id = m_liveOrders[index];
            return true;
        }
        m_liveOrders[index] = m_liveOrders.back();
        m_liveOrders.pop_back();
    }
    return false;
}

void MarketSimulator::dropFilledOrders(const Engine &engine)
{
    if (m_liveOrders.size() <= 2 * bookOf(engine)->orderCount() + 64) {
        return;
    }
    std::erase_if(m_liveOrders,
                  [this, &engine](OrderId id) { return !isOwnLiveOrder(engine, id); });
}

} // namespace bourse

#include "engine.h"

#include "engine_state.h"

#include <algorithm>

namespace bourse {

using namespace engine_detail;

namespace {

// A bijective 64-bit mix (the finalizer of SplitMix64), so that the sum of the orders' hashes
// still distinguishes different sets of orders.
std::uint64_t mix(std::uint64_t value)
{
    value ^= value >> 30;
    value *= 0xbf58476d1ce4e5b9ULL;
    value ^= value >> 27;
    value *= 0x94d049bb133111ebULL;
    value ^= value >> 31;
    return value;
}

class StateHasher {
public:
    void add(std::uint64_t word) { m_hash = mix(m_hash ^ word) + 0x9e3779b97f4a7c15ULL; }
    void add(std::int64_t word) { add(static_cast<std::uint64_t>(word)); }
    void add(std::uint32_t word) { add(static_cast<std::uint64_t>(word)); }
    template <typename Enum>
    requires std::is_enum_v<Enum>
    void add(Enum value) { add(static_cast<std::uint64_t>(value)); }
    std::uint64_t value() const { return m_hash; }

private:
    std::uint64_t m_hash = 0x6a09e667f3bcc909ULL;
};

// Up to eight bytes of fixed-size text from `offset`, as one word for a hash.
std::uint64_t textWord(const char *text, std::size_t offset, std::size_t size = 8)
{
    std::uint64_t word = 0;
    for (std::size_t i = 0; i < size; ++i)
        word |= std::uint64_t{static_cast<unsigned char>(text[offset + i])} << (8 * i);
    return word;
}

// Replayed messages reach only orders resting in the primary book; a parked stop or an order
// of another instrument is unknown to them.
Order *restingIn(OrderStore &orders, InstrumentId instrument, OrderId id)
{
    Order *order = orders.find(id);
    if (!order || order->instrument != instrument || isStop(order->type))
        return nullptr;
    return order;
}

InstrumentDefinition primaryDefinition(InstrumentId instrument)
{
    InstrumentDefinition definition;
    definition.id = instrument;
    return definition;
}

} // namespace

// Whether the engine accepts a definition; the checks InstrumentAdded must pass to restore.
bool engine_detail::isValidDefinition(const InstrumentDefinition &definition)
{
    const auto positiveUpTo = [](std::int64_t value, std::int64_t maximum) {
        return value > 0 && value <= maximum;
    };
    if (definition.id.value() == 0)
        return false;
    if (!positiveUpTo(definition.tickSize.value(), kMaximumPrice.value()) ||
        !positiveUpTo(definition.lotSize.value(), kMaximumQuantity.value()))
        return false;
    if (!positiveUpTo(definition.minimumQuantity.value(), kMaximumQuantity.value()) ||
        !positiveUpTo(definition.maximumQuantity.value(), kMaximumQuantity.value()) ||
        definition.minimumQuantity > definition.maximumQuantity)
        return false;
    if (definition.referencePrice < Price{0} || definition.referencePrice > kMaximumPrice ||
        definition.referencePrice.value() % definition.tickSize.value() != 0)
        return false;
    if (definition.multiplier <= 0)
        return false;
    switch (definition.initialStatus) {
    case TradingStatus::Trading:
    case TradingStatus::Halted:
    case TradingStatus::PreOpen:
    case TradingStatus::Closed:
        return true;
    case TradingStatus::QuoteOnly: // replayed data only
        break;
    }
    return false;
}

std::string_view nameOf(ApplyResult result)
{
    switch (result) {
    case ApplyResult::Applied:
        return "applied";
    case ApplyResult::UnknownOrder:
        return "unknown order";
    case ApplyResult::DuplicateOrderId:
        return "duplicate order id";
    case ApplyResult::ExceedsRemaining:
        return "size exceeds the order's remaining quantity";
    case ApplyResult::InvalidQuantity:
        return "invalid quantity";
    case ApplyResult::InvalidPrice:
        return "invalid price";
    case ApplyResult::UnknownInstrument:
        return "the engine has no instrument";
    }
    return "unknown result";
}

std::string_view nameOf(RestoreResult result)
{
    switch (result) {
    case RestoreResult::Restored:
        return "restored";
    case RestoreResult::OutOfSequence:
        return "sequence number does not follow the last one restored";
    case RestoreResult::WrongInstrument:
        return "event of an instrument the engine does not have";
    case RestoreResult::UnknownOrder:
        return "order not found in the rebuilt engine";
    case RestoreResult::DuplicateOrderId:
        return "order id already live in the rebuilt engine";
    case RestoreResult::QuantityMismatch:
        return "quantities do not follow from the rebuilt engine";
    case RestoreResult::InvalidPrice:
        return "price out of range";
    case RestoreResult::DuplicateInstrument:
        return "instrument id already in use";
    case RestoreResult::InvalidInstrument:
        return "invalid instrument definition";
    case RestoreResult::WrongOrderState:
        return "order not in the state the event needs";
    case RestoreResult::InvalidAccount:
        return "account opening the portfolio rejects";
    case RestoreResult::FillMismatch:
        return "posted fill differs from the portfolio state";
    case RestoreResult::InvalidRiskLimits:
        return "risk event for an account that is not open, or with invalid limits";
    }
    return "unknown result";
}

Engine::Engine() = default;

Engine::Engine(InstrumentId instrument)
{
    addInstrumentState(primaryDefinition(instrument));
}

Engine::~Engine() = default;

void Engine::addHandler(EventHandler *handler)
{
    m_handlers.push_back(handler);
    m_onlyHandler = m_handlers.size() == 1 ? handler : nullptr;
}

void Engine::removeHandler(EventHandler *handler)
{
    m_handlers.erase(std::remove(m_handlers.begin(), m_handlers.end(), handler), m_handlers.end());
    m_onlyHandler = m_handlers.size() == 1 ? m_handlers.front() : nullptr;
}

void Engine::endBatch()
{
    for (EventHandler *handler : m_handlers)
        handler->onBatchEnd();
}

// A rejection belongs to the instrument the command named, known or not, and to the primary
// instrument when the command named none.
void Engine::reject(InstrumentId named, Timestamp time, const OrderRejected &rejected)
{
    publish(named.value() != 0 ? named : m_instrument, time, rejected);
}

Engine::InstrumentState &Engine::addInstrumentState(const InstrumentDefinition &definition)
{
    m_risk.addInstrument(definition);
    m_instrumentStates.push_back(std::make_unique<InstrumentState>(definition));
    const std::uint32_t value = definition.id.value();
    if (value < kDirectInstrumentIds) {
        if (value >= m_instrumentSlots.size())
            m_instrumentSlots.resize(value + 1, 0);
        m_instrumentSlots[value] = static_cast<std::uint32_t>(m_instrumentStates.size());
    }
    InstrumentState &state = *m_instrumentStates.back();
    // A definition the portfolio rejects, such as one with more than 18 decimals, is left out of
    // it, so the fills of that instrument count as unposted.
    (void)m_portfolio.addInstrument(definition);
    if (!m_primary) {
        // Id zero, which no definition may use, names the primary instrument.
        m_primary = &state;
        m_instrument = definition.id;
        if (m_instrumentSlots.empty())
            m_instrumentSlots.resize(1, 0);
        m_instrumentSlots[0] = static_cast<std::uint32_t>(m_instrumentStates.size());
    }
    return state;
}

void Engine::addInstrument(const InstrumentDefinition &definition, Timestamp time)
{
    expireDue(time);
    if (definition.id.value() != 0 && findInstrument(definition.id)) {
        reject(definition.id, time,
               OrderRejected{OrderId{0}, RejectReason::DuplicateInstrument, {}, {}});
    } else if (!isValidDefinition(definition)) {
        reject(definition.id, time,
               OrderRejected{OrderId{0}, RejectReason::InvalidInstrument, {}, {}});
    } else {
        addInstrumentState(definition);
        publish(definition.id, time, InstrumentAdded{definition});
    }
    endCommand();
}

void Engine::configureAccount(const AccountConfigured &configuration, Timestamp time)
{
    expireDue(time);
    setAccount(configuration);
    publish(m_instrument, time, configuration);
    endCommand();
}

void Engine::openAccount(const AccountSettings &settings, Money openingBalance, Timestamp time)
{
    expireDue(time);
    const PortfolioResult result = m_portfolio.openAccount(settings, openingBalance);
    if (result == PortfolioResult::Ok) {
        // Trades before the first account did not reach the risk state: catch up its prices.
        if (m_openAccounts == 0) {
            for (const auto &state : m_instrumentStates)
                m_risk.setReferencePrice(state->definition.id, state->referencePrice());
        }
        ++m_openAccounts;
        publish(m_instrument, time, AccountOpened{settings, openingBalance});
    } else {
        const RejectReason reason = result == PortfolioResult::DuplicateAccount
                                        ? RejectReason::DuplicateAccount
                                        : RejectReason::InvalidAccount;
        reject(InstrumentId{0}, time, OrderRejected{OrderId{0}, reason, {}, settings.id});
    }
    endCommand();
}

// NOTE: a fill the portfolio rejects (a cash account short of cash, an amount out of range) is
// only counted, and its account misses the trade. Pre-trade risk checks are meant to stop such
// orders before they trade.
void Engine::postFills(InstrumentId instrument, Timestamp time, const Trade &trade)
{
    // Both fills carry the Trade's sequence number, taken before the first FillPosted.
    for (const Fill &fill : fillsOf(trade, m_sequence, instrument)) {
        if (!m_portfolio.account(fill.account))
            continue;
        const PostedFill posted = m_portfolio.post(fill);
        if (posted.result != PortfolioResult::Ok) {
            ++m_unpostedFills;
            continue;
        }
        const Money balance = m_portfolio.account(fill.account)->balance;
        const Quantity position = m_portfolio.position(fill.account, instrument)->quantity;
        publish(instrument, time,
                FillPosted{fill.tradeSequence, fill.account, instrument, fill.side, fill.role,
                           fill.price, fill.quantity, posted.fee, posted.realizedProfitAndLoss,
                           balance, position});
    }
}

void Engine::setAccount(const AccountConfigured &configuration)
{
    auto position = std::lower_bound(
        m_accounts.begin(), m_accounts.end(), configuration.account,
        [](const AccountConfigured &entry, AccountId account) { return entry.account < account; });
    if (position != m_accounts.end() && position->account == configuration.account)
        *position = configuration;
    else
        m_accounts.insert(position, configuration);
}

// The mode an order's own setting or its account's configuration gives; CancelNewest when
// neither names one.
SelfTradePrevention Engine::selfTradeMode(const Order &order) const
{
    if (order.selfTradePrevention != SelfTradePrevention::AccountDefault)
        return order.selfTradePrevention;
    auto position = std::lower_bound(
        m_accounts.begin(), m_accounts.end(), order.account,
        [](const AccountConfigured &entry, AccountId account) { return entry.account < account; });
    if (position != m_accounts.end() && position->account == order.account &&
        position->selfTradePrevention != SelfTradePrevention::AccountDefault)
        return position->selfTradePrevention;
    return SelfTradePrevention::CancelNewest;
}

bool Engine::isPostOnly(const Order &order) const
{
    return !m_postOnlyOrders.empty() && m_postOnlyOrders.contains(0, order.id.value());
}

// Moves an emptied iceberg's next slice from its reserve to the back of its level.
Quantity Engine::showNextSlice(InstrumentState &instrument, Order &order)
{
    OrderDetails &details = *order.details;
    const Quantity shown = min(details.displayQuantity, details.reserve);
    details.reserve -= shown;
    order.remaining = shown;
    instrument.book.add(&order);
    return shown;
}

void Engine::refill(InstrumentState &instrument, Order &order, Timestamp time)
{
    const Quantity shown = showNextSlice(instrument, order);
    publish(order.instrument, time,
            OrderRefilled{order.id, order.side, order.price, shown, order.reserve()});
}

const OrderBook &Engine::book() const
{
    return m_primary ? m_primary->book : m_emptyBook;
}

TradingStatus Engine::status() const
{
    return m_primary ? m_primary->status : TradingStatus::Closed;
}

const OrderBook *Engine::book(InstrumentId instrument) const
{
    const InstrumentState *state = findInstrument(instrument);
    return state ? &state->book : nullptr;
}

const InstrumentDefinition *Engine::definition(InstrumentId instrument) const
{
    const InstrumentState *state = findInstrument(instrument);
    return state ? &state->definition : nullptr;
}

Price Engine::lastTradePrice(InstrumentId instrument) const
{
    const InstrumentState *state = findInstrument(instrument);
    return state ? state->lastTradePrice : Price{};
}

std::optional<TradingStatus> Engine::status(InstrumentId instrument) const
{
    const InstrumentState *state = findInstrument(instrument);
    return state ? std::optional<TradingStatus>(state->status) : std::nullopt;
}

std::vector<InstrumentId> Engine::instruments() const
{
    std::vector<InstrumentId> ids;
    for (const auto &state : m_instrumentStates)
        ids.push_back(state->definition.id);
    std::sort(ids.begin(), ids.end());
    return ids;
}

const Order *Engine::findOrder(OrderId id) const
{
    return m_orders.find(id);
}

std::size_t Engine::liveOrderCount() const
{
    return m_orders.size();
}

std::size_t Engine::memoryBytes() const
{
    std::size_t bytes = m_orders.memoryBytes() + m_clientOrders.memoryBytes() +
                        m_postOnlyOrders.memoryBytes() +
                        m_expiries.capacity() * sizeof(ExpiryEntry);
    for (const auto &state : m_instrumentStates) {
        bytes += sizeof(InstrumentState) + state->book.memoryBytes() +
                 (state->buyStops.capacity() + state->sellStops.capacity()) * sizeof(ParkedStop) +
                 state->callEntries.capacity() * sizeof(CallEntry);
    }
    return bytes;
}

ApplyResult Engine::applyAdd(OrderId id, Side side, Price price, Quantity quantity, Timestamp time,
                             OrderOrigin origin)
{
    if (!m_primary)
        return ApplyResult::UnknownInstrument;
    if (quantity <= Quantity{0} || quantity > kMaximumQuantity)
        return ApplyResult::InvalidQuantity;
    if (price <= Price{0} || price > kMaximumPrice)
        return ApplyResult::InvalidPrice;
    Order *order = m_orders.create(id);
    if (!order)
        return ApplyResult::DuplicateOrderId;

    order->side = side;
    order->price = price;
    order->remaining = quantity;
    order->instrument = m_instrument;
    order->origin = origin;
    m_highestOrderId = std::max(m_highestOrderId, id.value());
    m_primary->book.add(order);
    if (m_primary->status != TradingStatus::Trading)
        m_primary->callEntries.push_back(CallEntry{id, m_sequence + 1});
    publish(m_instrument, time, OrderAdded{id, side, price, quantity, origin});
    endCommand();
    return ApplyResult::Applied;
}

ApplyResult Engine::applyReduce(OrderId id, Quantity quantity, Timestamp time)
{
    if (!m_primary)
        return ApplyResult::UnknownInstrument;
    Order *order = restingIn(m_orders, m_instrument, id);
    if (!order)
        return ApplyResult::UnknownOrder;
    if (quantity <= Quantity{0})
        return ApplyResult::InvalidQuantity;
    if (quantity > order->remaining)
        return ApplyResult::ExceedsRemaining;

    const OrderReduced reduced{id, order->side, order->price, quantity,
                               order->remaining - quantity};
    const Taken taken = takeShown(*m_primary, *order, quantity);
    publish(m_instrument, time, reduced);
    if (taken == Taken::Emptied)
        refill(*m_primary, *order, time);
    endCommand();
    return ApplyResult::Applied;
}

ApplyResult Engine::applyDelete(OrderId id, Timestamp time, CancelReason reason)
{
    if (!m_primary)
        return ApplyResult::UnknownInstrument;
    Order *order = restingIn(m_orders, m_instrument, id);
    if (!order)
        return ApplyResult::UnknownOrder;
    cancelOrder(order, reason, time);
    endCommand();
    return ApplyResult::Applied;
}

ApplyResult Engine::applyExecution(OrderId id, Quantity quantity, Timestamp time)
{
    if (!m_primary)
        return ApplyResult::UnknownInstrument;
    Order *order = restingIn(m_orders, m_instrument, id);
    if (!order)
        return ApplyResult::UnknownOrder;
    if (quantity <= Quantity{0})
        return ApplyResult::InvalidQuantity;
    if (quantity > order->remaining)
        return ApplyResult::ExceedsRemaining;

    ++m_tradeCount;
    m_primary->lastTradePrice = order->price;
    const Trade trade{id,
                      OrderId{0},
                      opposite(order->side),
                      order->price,
                      quantity,
                      order->remaining - quantity,
                      order->account,
                      AccountId{}};
    const Taken taken = takeShown(*m_primary, *order, quantity);
    publish(m_instrument, time, trade);
    if (taken == Taken::Emptied)
        refill(*m_primary, *order, time);
    endCommand();
    return ApplyResult::Applied;
}

void Engine::applyUnseenTrade(Side aggressor, Price price, Quantity quantity, Timestamp time)
{
    if (m_primary) {
        ++m_tradeCount;
        m_primary->lastTradePrice = price;
        publish(m_instrument, time,
                Trade{OrderId{0}, OrderId{0}, aggressor, price, quantity, Quantity{0}, {}, {}});
    }
    endCommand();
}

// The exchange's own auction already produced the trades the replay applies, so a replayed
// status change never uncrosses the book and expires nothing.
void Engine::applyStatus(TradingStatus status, Timestamp time)
{
    if (m_primary) {
        m_primary->status = status;
        if (status == TradingStatus::Trading)
            m_primary->callEntries.clear();
        publish(m_instrument, time, TradingStatusChanged{status});
    }
    endCommand();
}

// The hash covers every instrument: its whole definition, status, last trade price, book,
// parked stops and the orders that joined during a call. It also covers which instrument is
// the primary one, every live order with all its attributes, the account settings, the client
// order id records, the id the engine would assign next, the trade count and the last sequence
// number. Live orders and records add up as independent hashes, so the layout of the store's
// index does not matter, nor the order the records were made in.
std::uint64_t Engine::stateHash() const
{
    StateHasher hasher;
    hasher.add(m_sequence);
    hasher.add(m_highestOrderId);
    hasher.add(m_tradeCount);
    hasher.add(m_instrument.value());
    for (InstrumentId id : instruments()) {
        const InstrumentState &state = *findInstrument(id);
        const InstrumentDefinition &definition = state.definition;
        for (std::int64_t word :
             {std::int64_t{id.value()}, definition.tickSize.value(), definition.lotSize.value(),
              definition.minimumQuantity.value(), definition.maximumQuantity.value(),
              definition.multiplier, std::int64_t{definition.priceBandBasisPoints},
              definition.referencePrice.value(), state.lastTradePrice.value()})
            hasher.add(word);
        hasher.add(textWord(definition.symbol.data(), 0));
        hasher.add(textWord(definition.symbol.data(), 8));
        hasher.add(textWord(definition.currency.data(), 0, definition.currency.size()));
        hasher.add(std::uint64_t{definition.priceDecimals} << 8 | definition.quantityDecimals);
        hasher.add(definition.initialStatus);
        hasher.add(state.status);
        hasher.add(state.book.stateHash());
        for (const auto *stops : {&state.buyStops, &state.sellStops}) {
            hasher.add(static_cast<std::uint64_t>(stops->size()));
            for (const ParkedStop &stop : *stops) {
                hasher.add(stop.order->id.value());
                hasher.add(stop.priority);
            }
        }
        for (const CallEntry &entry : state.callEntries) {
            hasher.add(entry.id.value());
            hasher.add(entry.sequence);
        }
    }
    for (const AccountConfigured &account : m_accounts) {
        hasher.add(account.account.value());
        hasher.add(account.selfTradePrevention);
    }
    // Without accounts the portfolio holds only the instruments hashed above, so the hash stays
    // that of engines and snapshots from before portfolios.
    if (m_openAccounts != 0)
        hasher.add(m_portfolio.stateHash());
    if (m_openAccounts != 0 && m_risk.configured())
        hasher.add(m_risk.stateHash());

    std::uint64_t orders = 0;
    m_orders.forEach([&](const Order *order) {
        StateHasher orderHasher;
        for (std::int64_t word : {order->price.value(), order->remaining.value(),
                                  order->reserve().value(), order->displayQuantity().value(),
                                  order->stopPrice().value(), order->expiry().value()})
            orderHasher.add(word);
        if (order->details) {
            orderHasher.add(order->details->limit.value());
            orderHasher.add(order->details->protectionPrice.value());
        }
        orderHasher.add(order->id.value());
        orderHasher.add(order->clientOrderId().value());
        orderHasher.add(order->account.value());
        orderHasher.add(order->instrument.value());
        for (std::uint64_t word :
             {std::uint64_t(order->side), std::uint64_t(order->type),
              std::uint64_t(order->timeInForce), std::uint64_t(order->selfTradePrevention),
              std::uint64_t(order->origin), std::uint64_t(isPostOnly(*order))})
            orderHasher.add(word);
        orders += orderHasher.value();
    });
    hasher.add(orders);

    std::uint64_t records = 0;
    m_clientOrders.forEach([&](const ClientOrderRecord &record) {
        StateHasher recordHasher;
        for (std::uint64_t word :
             {std::uint64_t{record.account}, record.clientOrderId, record.orderId, record.sequence,
              record.fingerprint, std::uint64_t{record.reason}})
            recordHasher.add(word);
        records += recordHasher.value();
    });
    hasher.add(static_cast<std::uint64_t>(m_clientOrders.size()));
    hasher.add(records);
    return hasher.value();
}

} // namespace bourse

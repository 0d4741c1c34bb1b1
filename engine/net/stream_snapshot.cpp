#include "stream_snapshot.h"

#include "event_codec.h"
#include "event_record.h"

#include <algorithm>
#include <cstdlib>

namespace bourse::net {

namespace {

// A SnapshotPart's fields before its records: kind, streamId, coversSequence, eventSequence,
// count.
constexpr std::size_t kPartFieldsSize = 1 + 4 + 8 + 8 + 4;

// The protocol's record is the engine's fixed-width record after a two-byte payload size.
std::size_t recordSize(const Event &event)
{
    return sizeof(std::uint16_t) + eventRecordSize(event);
}

// Collects the events of one snapshot, each with the next record sequence number.
class EventList {
public:
    template <typename Payload>
    void add(InstrumentId instrument, const Payload &payload)
    {
        m_events.push_back(Event{m_events.size() + 1, Timestamp{}, instrument, payload});
    }

    void reserve(std::size_t count) { m_events.reserve(count); }
    std::vector<Event> take() { return std::move(m_events); }

private:
    std::vector<Event> m_events;
};

void addInstrument(const Engine &engine, InstrumentId id, EventList &events)
{
    const InstrumentDefinition *definition = engine.definition(id);
    if (!definition)
        return;
    events.add(id, InstrumentAdded{*definition});
    events.add(id, TradingStatusChanged{*engine.status(id)});
    const Price lastTrade = engine.lastTradePrice(id);
    if (lastTrade != Price{0})
        events.add(id, Trade{OrderId{}, OrderId{}, Side::Buy, lastTrade, Quantity{}, Quantity{},
                             AccountId{}, AccountId{}});

    const OrderBook &book = *engine.book(id);
    events.reserve(book.orderCount() + 8);
    for (Side side : {Side::Buy, Side::Sell}) {
        book.forEachOrder(side, [&](const Order &order) {
            events.add(
                id, OrderAdded{order.id, order.side, order.price, order.remaining, order.origin});
        });
    }

    TopOfBook top{};
    if (book.levelCount(Side::Buy) != 0) {
        top.bidPrice = book.level(Side::Buy, 0).price;
        top.bidQuantity = book.level(Side::Buy, 0).quantity;
    }
    if (book.levelCount(Side::Sell) != 0) {
        top.askPrice = book.level(Side::Sell, 0).price;
        top.askQuantity = book.level(Side::Sell, 0).quantity;
    }
    events.add(id, top);
}

bool isParked(const Order &order)
{
    return order.type == OrderType::Stop || order.type == OrderType::StopLimit;
}

// The order as an OrderAccepted would state it now: its remaining quantity, reserve included,
// and its current prices.
OrderAccepted acceptedOf(const Order &order)
{
    OrderAccepted accepted{};
    accepted.id = order.id;
    accepted.side = order.side;
    accepted.type = order.type;
    accepted.quantity = order.remaining + order.reserve();
    accepted.account = order.account;
    accepted.clientOrderId = order.clientOrderId();
    accepted.timeInForce = order.timeInForce;
    // NOTE: the engine keeps post-only orders in a private set, so a snapshot states Any.
    accepted.liquidity = Liquidity::Any;
    accepted.selfTradePrevention = order.selfTradePrevention;
    accepted.stopPrice = order.stopPrice();
    accepted.displayQuantity = order.displayQuantity();
    accepted.expiry = order.expiry();
    if (order.details)
        accepted.protectionPrice = order.details->protectionPrice;
    if (!isParked(order))
        accepted.limit = order.price;
    else if (order.type == OrderType::StopLimit && order.details)
        accepted.limit = order.details->limit;
    return accepted;
}

void addWorkingOrders(const Engine &engine, AccountId account, EventList &events)
{
    std::vector<const Order *> orders;
    engine.forEachLiveOrder([&](const Order &order) {
        if (order.account == account)
            orders.push_back(&order);
    });
    std::sort(orders.begin(), orders.end(),
              [](const Order *a, const Order *b) { return a->id < b->id; });

    for (const Order *order : orders) {
        const OrderAccepted accepted = acceptedOf(*order);
        events.add(order->instrument, accepted);
        if (isParked(*order))
            events.add(order->instrument,
                       OrderParked{order->id, order->side, order->stopPrice(), accepted.quantity});
        else
            events.add(order->instrument, OrderAdded{order->id, order->side, order->price,
                                                     order->remaining, order->origin});
    }
}

void addRisk(const Engine &engine, AccountId account, EventList &events)
{
    const RiskState risk = engine.risk().state();
    for (const RiskAccountRecord &record : risk.accounts) {
        if (record.account != account)
            continue;
        events.add(InstrumentId{}, RiskLimitsSet{account, record.limits, 0});
        if (record.killSwitch != KillSwitchScope::None)
            events.add(InstrumentId{}, KillSwitchChanged{account, record.killSwitch});
    }
    for (const RiskOverrideRecord &record : risk.overrides) {
        if (record.account == account)
            events.add(record.instrument, RiskLimitsSet{account, record.limits, record.overridden});
    }
    if (risk.globalKillSwitch != KillSwitchScope::None)
        events.add(InstrumentId{}, KillSwitchChanged{AccountId{}, risk.globalKillSwitch});
}

void addPositions(const Engine &engine, const Account &account, EventList &events)
{
    for (const PositionRecord &record : engine.portfolio().state().positions) {
        if (record.account != account.settings.id)
            continue;
        const Position &position = record.position;
        const Checked<std::int64_t> average = roundAveragePrice(averagePrice(position), 0);
        FillPosted fill{};
        fill.account = record.account;
        fill.instrument = record.instrument;
        fill.side = position.quantity < Quantity{0} ? Side::Sell : Side::Buy;
        fill.price = Price{average.ok() ? average.value : 0};
        fill.quantity = Quantity{std::llabs(position.quantity.value())};
        fill.fee = position.feesPaid;
        fill.realizedProfitAndLoss = position.realizedProfitAndLoss;
        fill.cashBalance = account.balance;
        fill.position = position.quantity;
        events.add(record.instrument, fill);
    }
}

void addAccount(const Engine &engine, AccountId id, EventList &events)
{
    const Account *account = engine.portfolio().account(id);
    if (!account)
        return;
    events.add(InstrumentId{}, AccountOpened{account->settings, account->balance});
    addRisk(engine, id, events);
    addWorkingOrders(engine, id, events);
    addPositions(engine, *account, events);
}

} // namespace

std::size_t encodedPayloadSize(const SnapshotPart &part)
{
    std::size_t size = kPartFieldsSize;
    for (const Event &event : part.events)
        size += recordSize(event);
    return size;
}

std::vector<SnapshotPart> buildSnapshot(const Engine &engine, StreamKey key,
                                        std::uint64_t coversSequence)
{
    EventList list;
    if (key.kind == StreamKind::Instrument)
        addInstrument(engine, InstrumentId{key.id}, list);
    else if (key.kind == StreamKind::Account)
        addAccount(engine, AccountId{key.id}, list);

    const SnapshotPart empty{key.kind, key.id, coversSequence, engine.lastSequence(), {}};
    std::vector<SnapshotPart> parts{empty};
    std::size_t size = kPartFieldsSize;
    for (Event &event : list.take()) {
        const std::size_t record = recordSize(event);
        if (size + record > kMaximumPayloadSize) {
            parts.push_back(empty);
            size = kPartFieldsSize;
        }
        parts.back().events.push_back(std::move(event));
        size += record;
    }
    return parts;
}

} // namespace bourse::net

#include "market_publisher.h"

#include <algorithm>
#include <type_traits>

namespace bourse::net {

namespace {

// The largest event record: its header and the largest codec payload (OrderAccepted, 75 bytes
// in codec version 4), rounded up so that a later codec version with a few more bytes fits.
constexpr std::size_t kLargestRecord = kEventRecordHeaderSize + 128;
constexpr std::size_t kLargestMessage = kHeaderSize + kMaximumPayloadSize;

// The order a book event, a parked stop or a triggered stop names; zero for other events.
OrderId orderOf(const Event &event)
{
    return std::visit(
        [](const auto &payload) -> OrderId {
            using T = std::decay_t<decltype(payload)>;
            if constexpr (std::is_same_v<T, OrderAdded> || std::is_same_v<T, OrderCancelled> ||
                          std::is_same_v<T, OrderReduced> || std::is_same_v<T, OrderReplaced> ||
                          std::is_same_v<T, OrderRefilled> || std::is_same_v<T, OrderParked> ||
                          std::is_same_v<T, StopTriggered>)
                return payload.id;
            else
                return OrderId{};
        },
        event.payload);
}

constexpr std::size_t kInitialOrderSlots = 4096;

} // namespace

OrderAccounts::OrderAccounts()
    : m_slots(kInitialOrderSlots)
    , m_spare(kInitialOrderSlots)
{
}

// Fibonacci hashing: the high bits of the product spread consecutive ids over the table.
std::size_t OrderAccounts::home(std::uint64_t key) const
{
    return static_cast<std::size_t>((key * 0x9e3779b97f4a7c15ULL) >> 32) & (m_slots.size() - 1);
}

void OrderAccounts::insert(OrderId id, AccountId account)
{
    if ((m_used + 1) * 4 > m_slots.size() * 3)
        rehash(m_live * 2 >= m_slots.size() / 2 ? m_slots.size() * 2 : m_slots.size());
    const std::size_t mask = m_slots.size() - 1;
    std::size_t index = home(id.value());
    std::size_t reuse = m_slots.size(); // the first erased slot on the way
    for (; m_slots[index].key != 0; index = (index + 1) & mask) {
        if (m_slots[index].key == id.value()) {
            m_slots[index].account = account.value();
            return;
        }
        if (m_slots[index].key == kErased && reuse == m_slots.size())
            reuse = index;
    }
    if (reuse == m_slots.size())
        ++m_used;
    else
        index = reuse;
    m_slots[index] = Slot{id.value(), account.value()};
    ++m_live;
}

AccountId OrderAccounts::find(OrderId id) const
{
    const std::size_t mask = m_slots.size() - 1;
    for (std::size_t index = home(id.value()); m_slots[index].key != 0;
         index = (index + 1) & mask) {
        if (m_slots[index].key == id.value())
            return AccountId{m_slots[index].account};
    }
    return AccountId{};
}

void OrderAccounts::erase(OrderId id)
{
    const std::size_t mask = m_slots.size() - 1;
    for (std::size_t index = home(id.value()); m_slots[index].key != 0;
         index = (index + 1) & mask) {
        if (m_slots[index].key == id.value()) {
            m_slots[index].key = kErased;
            --m_live;
            return;
        }
    }
}

// Moves the live entries into the spare table, which drops the erased ones.
void OrderAccounts::rehash(std::size_t capacity)
{
    m_spare.assign(capacity, Slot{});
    std::swap(m_slots, m_spare);
    m_used = 0;
    m_live = 0;
    for (const Slot &slot : m_spare) {
        if (slot.key != 0 && slot.key != kErased)
            insert(OrderId{slot.key}, AccountId{slot.account});
    }
}

AccountId reportAccountOf(const Event &event)
{
    return std::visit(
        [](const auto &payload) -> AccountId {
            using T = std::decay_t<decltype(payload)>;
            if constexpr (std::is_same_v<T, OrderAccepted> || std::is_same_v<T, OrderRejected> ||
                          std::is_same_v<T, FillPosted> || std::is_same_v<T, RiskRejected> ||
                          std::is_same_v<T, RiskAlert> || std::is_same_v<T, RiskLimitsSet> ||
                          std::is_same_v<T, KillSwitchChanged> ||
                          std::is_same_v<T, AccountConfigured>)
                return payload.account;
            else if constexpr (std::is_same_v<T, AccountOpened>)
                return payload.settings.id;
            else
                return AccountId{};
        },
        event.payload);
}

bool isMarketData(const Event &event)
{
    return std::visit(
        [](const auto &payload) {
            using T = std::decay_t<decltype(payload)>;
            return std::is_same_v<T, OrderAdded> || std::is_same_v<T, OrderCancelled> ||
                   std::is_same_v<T, OrderReduced> || std::is_same_v<T, OrderReplaced> ||
                   std::is_same_v<T, OrderRefilled> || std::is_same_v<T, Trade> ||
                   std::is_same_v<T, TradingStatusChanged> || std::is_same_v<T, AuctionUncrossed> ||
                   std::is_same_v<T, TopOfBook> || std::is_same_v<T, DepthLevel> ||
                   std::is_same_v<T, InstrumentAdded>;
        },
        event.payload);
}

MarketPublisher::MarketPublisher(zmq::socket_t &socket, const Engine *engine)
    : MarketPublisher(
          [&socket](const Topic &topic, std::span<const std::uint8_t> bytes) {
              socket.send(zmq::const_buffer(topic.data(), topic.size()), zmq::send_flags::sndmore);
              socket.send(zmq::const_buffer(bytes.data(), bytes.size()), zmq::send_flags::none);
          },
          engine)
{
}

MarketPublisher::MarketPublisher(Sender sender, const Engine *engine)
    : m_sender(std::move(sender))
    , m_engine(engine)
{
    m_open.reserve(64);
    m_touched.reserve(1024);
}

void MarketPublisher::onEvent(const Event &event)
{
    if (isMarketData(event))
        add(StreamKind::Instrument, event.instrument.value(), event);

    if (const Trade *trade = std::get_if<Trade>(&event.payload)) {
        // Each side learns of its fill on its own stream; a self-trade is reported once.
        if (trade->makerAccount.value() != 0)
            add(StreamKind::Account, trade->makerAccount.value(), event);
        if (trade->takerAccount.value() != 0 && trade->takerAccount != trade->makerAccount)
            add(StreamKind::Account, trade->takerAccount.value(), event);
        return;
    }

    AccountId account = reportAccountOf(event);
    if (const auto *accepted = std::get_if<OrderAccepted>(&event.payload)) {
        if (account.value() != 0) {
            m_orderAccounts.insert(accepted->id, account);
            m_touched.push_back(accepted->id);
        }
    } else if (const OrderId order = orderOf(event); order.value() != 0) {
        account = accountOfOrder(order);
        if (account.value() != 0)
            m_touched.push_back(order);
    }

    // Account zero trades for the simulated crowd, which no terminal follows. Its only report that
    // matters is the global kill switch, which goes on the stream of account zero.
    const bool globalSwitch = std::holds_alternative<KillSwitchChanged>(event.payload);
    if (account.value() != 0 || globalSwitch)
        add(StreamKind::Account, account.value(), event);
    if (m_engine == nullptr) {
        if (const auto *cancelled = std::get_if<OrderCancelled>(&event.payload))
            m_orderAccounts.erase(cancelled->id);
    }
}

void MarketPublisher::onCommandEnd()
{
    for (Stream *open : m_open)
        send(*open);
    m_open.clear();
    forgetGoneOrders();
}

// An order leaves without an event of its own when it fills, so the engine is asked which of
// the orders the command named are gone. Without an engine, only a cancellation removes an order.
void MarketPublisher::forgetGoneOrders()
{
    if (m_engine != nullptr) {
        for (const OrderId order : m_touched) {
            if (m_engine->findOrder(order) == nullptr)
                m_orderAccounts.erase(order);
        }
    }
    m_touched.clear();
}

void MarketPublisher::publishHeartbeat(Timestamp now, std::uint32_t intervalMs,
                                       std::uint64_t instanceId)
{
    Message message;
    message.body = Heartbeat{now, intervalMs, instanceId};
    encodeMessage(message, m_heartbeat);
    m_sender(topicOf(StreamKind::Heartbeat, 0), m_heartbeat);
    ++m_messagesSent;
    m_bytesSent += m_heartbeat.size();
}

std::uint64_t MarketPublisher::lastSequence(StreamKind kind, std::uint32_t id) const
{
    const auto found = m_streams.find({kind, id});
    return found == m_streams.end() ? 0 : found->second->lastSequence;
}

MarketPublisher::Stream &MarketPublisher::stream(StreamKind kind, std::uint32_t id)
{
    std::unique_ptr<Stream> &slot = m_streams[{kind, id}];
    if (!slot) {
        slot = std::make_unique<Stream>();
        slot->kind = kind;
        slot->id = id;
    }
    return *slot;
}

void MarketPublisher::add(StreamKind kind, std::uint32_t id, const Event &event)
{
    Stream &target = stream(kind, id);
    if (target.open && target.writer.size() + kLargestRecord > kLargestMessage)
        send(target); // stays in m_open, and reopens below
    if (!target.open) {
        // The number is taken only when the batch is sent, so lastSequence() never names a
        // message that is still being written.
        if (kind == StreamKind::Instrument)
            target.writer.beginMarketData(InstrumentId{id}, target.lastSequence + 1);
        else
            target.writer.beginExecutionReports(AccountId{id}, target.lastSequence + 1);
        if (target.buffer.capacity() < 4096)
            target.buffer.reserve(4096);
        if (std::find(m_open.begin(), m_open.end(), &target) == m_open.end())
            m_open.push_back(&target);
        target.open = true;
    }
    target.writer.append(event);
    ++m_eventsPublished;
}

void MarketPublisher::send(Stream &stream)
{
    if (!stream.open)
        return;
    const std::span<const std::uint8_t> bytes = stream.writer.finish();
    m_sender(topicOf(stream.kind, stream.id), bytes);
    ++stream.lastSequence;
    ++m_messagesSent;
    m_bytesSent += bytes.size();
    stream.open = false;
}

// The table contains the orders accepted since the publisher started. The engine has the live
// orders from before, such as those a journal recovered, until they leave.
AccountId MarketPublisher::accountOfOrder(OrderId id) const
{
    const AccountId recorded = m_orderAccounts.find(id);
    if (recorded.value() != 0)
        return recorded;
    const Order *order = m_engine ? m_engine->findOrder(id) : nullptr;
    return order ? order->account : AccountId{};
}

} // namespace bourse::net

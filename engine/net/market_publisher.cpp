#include "market_publisher.h"

#include "event_record.h"

#include <algorithm>
#include <array>
#include <type_traits>

namespace bourse::net {

namespace {

constexpr std::size_t kLargestMessage = kHeaderSize + kMaximumPayloadSize;
static_assert(MarketPublisher::kSendThreshold + 2 + kMaximumEventRecordSize < kLargestMessage,
              "a batch just under the send threshold must still take any record");

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
    if (m_live == 0)
        return;
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

namespace {

template <typename T>
constexpr bool isMarketDataType()
{
    return std::is_same_v<T, OrderAdded> || std::is_same_v<T, OrderCancelled> ||
           std::is_same_v<T, OrderReduced> || std::is_same_v<T, OrderReplaced> ||
           std::is_same_v<T, OrderRefilled> || std::is_same_v<T, Trade> ||
           std::is_same_v<T, TradingStatusChanged> || std::is_same_v<T, AuctionUncrossed> ||
           std::is_same_v<T, TopOfBook> || std::is_same_v<T, DepthLevel> ||
           std::is_same_v<T, InstrumentAdded>;
}

// Whether each payload type is market data, by its index in EventPayload: one load per event
// where a visit costs an indirect call.
template <typename Variant>
struct MarketDataTypes;
template <typename... Payloads>
struct MarketDataTypes<std::variant<Payloads...>> {
    static constexpr std::array<bool, sizeof...(Payloads)> flags{isMarketDataType<Payloads>()...};
};

} // namespace

bool isMarketData(const Event &event)
{
    return MarketDataTypes<EventPayload>::flags[event.payload.index()];
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
        add(m_instruments, event.instrument.value(), event);
    std::visit([&](const auto &payload) { addToAccounts(event, payload); }, event.payload);
    if (m_engine == nullptr) {
        if (const auto *cancelled = std::get_if<OrderCancelled>(&event.payload))
            m_orderAccounts.erase(cancelled->id);
    }
}

// One visit sorts the event for the account streams, as the type decides where it goes.
template <typename Payload>
void MarketPublisher::addToAccounts(const Event &event, const Payload &payload)
{
    if constexpr (std::is_same_v<Payload, Trade>) {
        // Each side learns of its fill on its own stream. A self-trade is reported once.
        if (isReported(payload.makerAccount))
            add(m_accounts, payload.makerAccount.value(), event);
        if (isReported(payload.takerAccount) && payload.takerAccount != payload.makerAccount)
            add(m_accounts, payload.takerAccount.value(), event);
    } else if constexpr (std::is_same_v<Payload, OrderAccepted>) {
        if (isReported(payload.account)) {
            m_orderAccounts.insert(payload.id, payload.account);
            m_touched.push_back(payload.id);
            add(m_accounts, payload.account.value(), event);
        }
    } else if constexpr (std::is_same_v<Payload, OrderAdded> ||
                         std::is_same_v<Payload, OrderCancelled> ||
                         std::is_same_v<Payload, OrderReduced> ||
                         std::is_same_v<Payload, OrderReplaced> ||
                         std::is_same_v<Payload, OrderRefilled> ||
                         std::is_same_v<Payload, OrderParked> ||
                         std::is_same_v<Payload, StopTriggered>) {
        const AccountId account = accountOfOrder(payload.id);
        if (isReported(account)) {
            m_touched.push_back(payload.id);
            add(m_accounts, account.value(), event);
        }
    } else if constexpr (std::is_same_v<Payload, KillSwitchChanged>) {
        // The global kill switch goes on the stream of account zero, which has no other reports.
        if (payload.account.value() == 0 || isReported(payload.account))
            add(m_accounts, payload.account.value(), event);
    } else {
        const AccountId account = reportAccountOf(event);
        if (isReported(account))
            add(m_accounts, account.value(), event);
    }
}

void MarketPublisher::reportOnly(std::vector<AccountId> accounts)
{
    std::sort(accounts.begin(), accounts.end());
    accounts.erase(std::unique(accounts.begin(), accounts.end()), accounts.end());
    m_accounts.forEach([&](Stream &stream) {
        const AccountId account{stream.id};
        if (!isReported(account) || std::binary_search(accounts.begin(), accounts.end(), account))
            return;
        if (stream.open) {
            send(stream);
            m_open.erase(std::find(m_open.begin(), m_open.end(), &stream));
        }
        ++stream.lastSequence;
    });
    m_reported = std::move(accounts);
    m_reportEveryAccount = false;
}

// Account zero trades for the simulated crowd, which no terminal follows.
bool MarketPublisher::isReported(AccountId account) const
{
    if (account.value() == 0)
        return false;
    return m_reportEveryAccount ||
           std::binary_search(m_reported.begin(), m_reported.end(), account);
}

void MarketPublisher::onCommandEnd()
{
    forgetGoneOrders();
}

void MarketPublisher::sendPending()
{
    for (Stream *open : m_open)
        send(*open);
    m_open.clear();
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
    const StreamTable *table = kind == StreamKind::Instrument ? &m_instruments
                               : kind == StreamKind::Account  ? &m_accounts
                                                              : nullptr;
    const Stream *found = table ? table->find(id) : nullptr;
    return found ? found->lastSequence : 0;
}

MarketPublisher::Stream &MarketPublisher::StreamTable::at(std::uint32_t id)
{
    std::unique_ptr<Stream> *slot = nullptr;
    if (id < kDirectIds) {
        if (id >= m_direct.size())
            m_direct.resize(static_cast<std::size_t>(id) + 1);
        slot = &m_direct[id];
    } else {
        slot = &m_others[id];
    }
    if (!*slot) {
        *slot = std::make_unique<Stream>();
        (*slot)->kind = m_kind;
        (*slot)->id = id;
    }
    return **slot;
}

const MarketPublisher::Stream *MarketPublisher::StreamTable::find(std::uint32_t id) const
{
    if (id < kDirectIds)
        return id < m_direct.size() ? m_direct[id].get() : nullptr;
    const auto found = m_others.find(id);
    return found == m_others.end() ? nullptr : found->second.get();
}

void MarketPublisher::add(StreamTable &table, std::uint32_t id, const Event &event)
{
    Stream &target = table.at(id);
    if (!target.open) {
        // The number is taken only when the batch is sent, so lastSequence() never names a
        // message that is still being written.
        if (target.kind == StreamKind::Instrument)
            target.writer.beginPackedMarketData(InstrumentId{id}, target.lastSequence + 1);
        else
            target.writer.beginExecutionReports(AccountId{id}, target.lastSequence + 1);
        // Room for a batch at the threshold, so that a busy stream's buffer never grows.
        constexpr std::size_t kRoom = kSendThreshold + 2 + kMaximumEventRecordSize;
        if (target.buffer.capacity() < kRoom)
            target.buffer.reserve(kRoom);
        m_open.push_back(&target);
        target.open = true;
    }
    target.writer.append(event);
    ++m_eventsPublished;
    if (target.writer.size() >= kSendThreshold) {
        send(target);
        m_open.erase(std::find(m_open.begin(), m_open.end(), &target));
    }
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
// orders from before, such as those a journal recovered, until they leave. A publisher that
// reports only some accounts gets their earlier orders through recordOrder(), so it looks only in
// the table. Most orders then belong to accounts it does not report, and the engine's look-up
// would cost more than the rest of the event.
AccountId MarketPublisher::accountOfOrder(OrderId id) const
{
    if (m_orderAccounts.size() == 0 && !m_reportEveryAccount)
        return AccountId{};
    const AccountId recorded = m_orderAccounts.find(id);
    if (recorded.value() != 0 || !m_reportEveryAccount)
        return recorded;
    const Order *order = m_engine ? m_engine->findOrder(id) : nullptr;
    return order ? order->account : AccountId{};
}

} // namespace bourse::net

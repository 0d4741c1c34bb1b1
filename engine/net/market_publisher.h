#pragma once

// The server's publisher: an EventHandler that sorts the engine's events into per-instrument
// market data and per-account execution reports (docs/protocol.md, "MarketDataBatch and
// ExecutionReportBatch") and sends them as batches on a PUB socket.

#include "protocol.h"

#include <zmq.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <vector>

namespace bourse::net {

// The account of each live order of a nonzero account, in an open-addressing table that
// allocates only when it grows, so that recording an order costs no allocation once warm.
class OrderAccounts {
public:
    OrderAccounts();
    void insert(OrderId id, AccountId account);
    // Zero when the order is not recorded.
    AccountId find(OrderId id) const;
    void erase(OrderId id);
    std::size_t size() const { return m_live; }

private:
    struct Slot {
        std::uint64_t key = 0; // the order id; 0 is empty, kErased a removed entry
        std::uint32_t account = 0;
    };
    static constexpr std::uint64_t kErased = ~std::uint64_t{0};

    std::size_t home(std::uint64_t key) const;
    void rehash(std::size_t capacity);

    std::vector<Slot> m_slots;
    std::vector<Slot> m_spare; // the table a rehash writes into, kept to reuse its memory
    std::size_t m_used = 0;    // slots that are not empty, erased ones included
    std::size_t m_live = 0;
};

class MarketPublisher final : public EventHandler {
public:
    // Sends one published message: the topic frame and the message frame.
    using Sender = std::function<void(const Topic &topic, std::span<const std::uint8_t> bytes)>;

    // Publishes on `socket`, which must outlive the publisher. `engine` (may be null) finds the
    // account of an OrderParked or StopTriggered, which name only the order.
    MarketPublisher(zmq::socket_t &socket, const Engine *engine);
    // Publishes through `sender`, for tests and benchmarks.
    MarketPublisher(Sender sender, const Engine *engine);

    // Adds the event to the batch of each stream it belongs to. A batch that reaches
    // kSendThreshold bytes is sent at once; the rest wait for the end of the engine's batch.
    // The book events of an order of a nonzero account (OrderAdded, OrderCancelled,
    // OrderReduced, OrderReplaced, OrderRefilled) go to its account's stream as well, so that a
    // replica of the account learns when a working order rests, shrinks or leaves.
    void onEvent(const Event &event) override;
    // Drops the accounts of the orders that left the engine with the command.
    void onCommandEnd() override;
    // Sends every batch that has events. The server ends a batch once a pass of its loop, so a
    // pass's events on one stream leave in one message, however many commands made them.
    void onBatchEnd() override { sendPending(); }
    // Sends every batch that has events now, such as before a snapshot, which must cover every
    // event that its state includes.
    void sendPending();

    // A batch this large is sent without waiting for the end of the engine's batch. It bounds
    // how long a busy pass holds back market data, and keeps messages far below the protocol's
    // largest payload.
    static constexpr std::size_t kSendThreshold = 64 * 1024;

    // Limits the execution reports to these accounts, such as the accounts of an access list's
    // traders, and may be called again when they change. The events of other accounts then go to
    // market data only: a market's simulated agents trade on accounts of their own, which no
    // terminal may trade or follow, and their reports would cost the publisher more than the
    // market data. Without a call, every nonzero account has a stream. The orders of an account
    // added later must be recorded with recordOrder(). An account that leaves the set skips a
    // number on its stream, so a subscriber that stays detects a gap instead of a stream that
    // looks whole.
    void reportOnly(std::vector<AccountId> accounts);

    // Records the account of an order that was accepted before the publisher started, such as
    // one a journal recovered, so that its later book events reach the account's stream.
    void recordOrder(OrderId id, AccountId account) { m_orderAccounts.insert(id, account); }

    // Sends a Heartbeat (sequence 0) on the heartbeat topic.
    void publishHeartbeat(Timestamp now, std::uint32_t intervalMs, std::uint64_t instanceId);

    // The sequence number of the last message sent on a stream, zero before the first: what a
    // snapshot taken now covers once sendPending() has run.
    std::uint64_t lastSequence(StreamKind kind, std::uint32_t id) const;
    template <typename Key>
    std::uint64_t lastSequence(const Key &key) const
    {
        return lastSequence(key.kind, key.id);
    }

    std::uint64_t messagesSent() const { return m_messagesSent; }
    std::uint64_t bytesSent() const { return m_bytesSent; }
    std::uint64_t eventsPublished() const { return m_eventsPublished; }

private:
    // One stream's pending batch, in a buffer that keeps its capacity between batches.
    struct Stream {
        StreamKind kind = StreamKind::Instrument;
        std::uint32_t id = 0;
        std::uint64_t lastSequence = 0;
        std::vector<std::uint8_t> buffer;
        BatchWriter writer{buffer};
        bool open = false;
    };

    // Streams of one kind. Ids below kDirectIds are found by index, which covers every
    // instrument and account of a market that numbers them from 1. Larger ones are in a map.
    class StreamTable {
    public:
        explicit StreamTable(StreamKind kind)
            : m_kind(kind)
        {
        }
        Stream &at(std::uint32_t id);
        const Stream *find(std::uint32_t id) const;
        template <typename Function>
        void forEach(Function function)
        {
            for (std::unique_ptr<Stream> &stream : m_direct) {
                if (stream)
                    function(*stream);
            }
            for (auto &[id, stream] : m_others)
                function(*stream);
        }

    private:
        static constexpr std::uint32_t kDirectIds = 1U << 16;
        StreamKind m_kind;
        // A stream never moves once made, so a BatchWriter keeps its buffer.
        std::vector<std::unique_ptr<Stream>> m_direct;
        std::map<std::uint32_t, std::unique_ptr<Stream>> m_others;
    };

    void add(StreamTable &table, std::uint32_t id, const Event &event);
    void send(Stream &stream);
    template <typename Payload>
    void addToAccounts(const Event &event, const Payload &payload);
    bool isReported(AccountId account) const;
    AccountId accountOfOrder(OrderId id) const;
    void forgetGoneOrders();

    Sender m_sender;
    const Engine *m_engine = nullptr;
    StreamTable m_instruments{StreamKind::Instrument};
    StreamTable m_accounts{StreamKind::Account};
    std::vector<Stream *> m_open; // streams with a pending batch, in the order they opened
    bool m_reportEveryAccount = true;
    std::vector<AccountId> m_reported; // sorted; used when m_reportEveryAccount is false
    OrderAccounts m_orderAccounts;
    std::vector<OrderId> m_touched; // orders of accounts that the command's events named
    std::vector<std::uint8_t> m_heartbeat;
    std::uint64_t m_messagesSent = 0;
    std::uint64_t m_bytesSent = 0;
    std::uint64_t m_eventsPublished = 0;
};

// The account whose execution reports carry an event, or zero when the event is not one of
// them. A Trade names two accounts and so is not covered here; see tradeAccounts().
AccountId reportAccountOf(const Event &event);
// Whether an event is market data of its instrument.
bool isMarketData(const Event &event);

} // namespace bourse::net

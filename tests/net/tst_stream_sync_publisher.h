#pragma once

// A test-side publisher: sorts an engine's events into per-instrument and per-account batches,
// numbers each stream from 1 and writes one message per stream and command with BatchWriter.
// Instrument streams carry the market data of docs/protocol.md. An account's stream carries its
// reports and every event of its orders, OrderAdded and OrderCancelled included, because
// AccountReplica needs them. The messages collect in a list that a test delivers, drops,
// repeats or reorders. Only the engine's own events are published: the TopOfBook and DepthLevel
// of a MarketDataPublisher repeat an engine sequence number, which a batch may not.

#include "protocol.h"
#include "replica.h"

#include <map>
#include <unordered_map>
#include <vector>

namespace bourse::net::testing {

struct WireMessage {
    Topic topic{};
    std::vector<std::uint8_t> bytes;
};

class TestPublisher final : public EventHandler {
public:
    void onEvent(const Event &event) override
    {
        std::visit([&](const auto &payload) { route(event, payload); }, event.payload);
    }

    void onCommandEnd() override
    {
        for (auto &[key, events] : m_pending) {
            if (events.empty())
                continue;
            WireMessage message{topicOf(key.kind, key.id), {}};
            BatchWriter writer(message.bytes);
            const std::uint64_t sequence = ++m_sequences[key];
            if (key.kind == StreamKind::Instrument)
                writer.beginMarketData(InstrumentId{key.id}, sequence);
            else
                writer.beginExecutionReports(AccountId{key.id}, sequence);
            for (const Event &event : events)
                writer.append(event);
            writer.finish();
            m_sent.push_back(std::move(message));
            events.clear();
        }
    }

    // The stream's last message number: what a snapshot taken now covers.
    std::uint64_t lastSequence(StreamKey key) const
    {
        auto it = m_sequences.find(key);
        return it != m_sequences.end() ? it->second : 0;
    }

    // The messages written since the last call, oldest first.
    std::vector<WireMessage> take() { return std::exchange(m_sent, {}); }

private:
    void toInstrument(const Event &event)
    {
        add({StreamKind::Instrument, event.instrument.value()}, event);
    }

    void toAccount(AccountId account, const Event &event)
    {
        if (account != AccountId{0})
            add({StreamKind::Account, account.value()}, event);
    }

    void toOwner(OrderId id, const Event &event)
    {
        auto it = m_owners.find(id.value());
        if (it != m_owners.end())
            toAccount(it->second, event);
    }

    void add(StreamKey key, const Event &event) { m_pending[key].push_back(event); }

    template <typename Payload>
    void route(const Event &event, const Payload &payload)
    {
        if constexpr (std::is_same_v<Payload, OrderAccepted>) {
            m_owners[payload.id.value()] = payload.account;
            toAccount(payload.account, event);
        } else if constexpr (std::is_same_v<Payload, OrderAdded> ||
                             std::is_same_v<Payload, OrderCancelled> ||
                             std::is_same_v<Payload, OrderReduced> ||
                             std::is_same_v<Payload, OrderReplaced> ||
                             std::is_same_v<Payload, OrderRefilled>) {
            toInstrument(event);
            toOwner(payload.id, event);
        } else if constexpr (std::is_same_v<Payload, OrderParked> ||
                             std::is_same_v<Payload, StopTriggered>) {
            toOwner(payload.id, event);
        } else if constexpr (std::is_same_v<Payload, Trade>) {
            toInstrument(event);
            toAccount(payload.makerAccount, event);
            if (payload.takerAccount != payload.makerAccount)
                toAccount(payload.takerAccount, event);
        } else if constexpr (std::is_same_v<Payload, TradingStatusChanged> ||
                             std::is_same_v<Payload, AuctionUncrossed> ||
                             std::is_same_v<Payload, InstrumentAdded>) {
            toInstrument(event);
        } else if constexpr (std::is_same_v<Payload, AccountOpened>) {
            toAccount(payload.settings.id, event);
        } else if constexpr (std::is_same_v<Payload, OrderRejected> ||
                             std::is_same_v<Payload, FillPosted> ||
                             std::is_same_v<Payload, RiskLimitsSet> ||
                             std::is_same_v<Payload, KillSwitchChanged> ||
                             std::is_same_v<Payload, RiskRejected> ||
                             std::is_same_v<Payload, RiskAlert>) {
            toAccount(payload.account, event);
        }
    }

    std::map<StreamKey, std::vector<Event>> m_pending;
    std::map<StreamKey, std::uint64_t> m_sequences;
    std::unordered_map<std::uint64_t, AccountId> m_owners; // order id -> account
    std::vector<WireMessage> m_sent;
};

} // namespace bourse::net::testing

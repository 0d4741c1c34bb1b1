#include "remote_market.h"

#include <algorithm>

namespace bourse::net {

const OrderBook *ReplicaBooks::book(InstrumentId instrument) const
{
    const InstrumentReplica *replica = m_streams.instrument(instrument.value());
    return replica != nullptr ? &replica->book() : nullptr;
}

std::optional<TradingStatus> ReplicaBooks::status(InstrumentId instrument) const
{
    const InstrumentReplica *replica = m_streams.instrument(instrument.value());
    if (replica == nullptr || !replica->definition())
        return std::nullopt;
    return replica->status();
}

bool isAccountOnlyEvent(const Event &event)
{
    switch (typeOf(event.payload)) {
    case EventType::OrderAccepted:
    case EventType::OrderRejected:
    case EventType::OrderParked:
    case EventType::StopTriggered:
    case EventType::FillPosted:
    case EventType::RiskRejected:
    case EventType::RiskAlert:
    case EventType::RiskLimitsSet:
    case EventType::KillSwitchChanged:
    case EventType::AccountOpened:
    case EventType::AccountConfigured:
        return true;
    default:
        return false;
    }
}

RemoteMarket::RemoteMarket(const MarketViewBuilder::Options &options,
                           std::vector<AccountId> accounts)
    : m_builder(options)
    , m_trader(std::move(accounts))
{
}

void RemoteMarket::onEvents(StreamKey key, std::span<const Event> events)
{
    if (key.kind == StreamKind::Instrument) {
        noteInstrument(InstrumentId{key.id});
        for (const Event &event : events)
            m_builder.onEvent(event);
        return;
    }
    if (key.kind != StreamKind::Account)
        return;
    for (const Event &event : events) {
        if (isAccountOnlyEvent(event))
            m_builder.onEvent(event);
    }
    m_trader.onEvents(AccountId{key.id}, events);
}

void RemoteMarket::onResynced(StreamKey key, const StreamSynchronizer &streams)
{
    if (key.kind == StreamKind::Account) {
        if (const AccountReplica *account = streams.account(key.id))
            m_trader.onResynced(*account);
        return;
    }
    const InstrumentReplica *replica = streams.instrument(key.id);
    if (replica == nullptr || !replica->definition())
        return;
    noteInstrument(replica->id());
    m_builder.addInstrument(*replica->definition());
}

void RemoteMarket::noteInstrument(InstrumentId instrument)
{
    if (std::find(m_instruments.begin(), m_instruments.end(), instrument) == m_instruments.end())
        m_instruments.push_back(instrument);
}

void RemoteMarket::fill(MarketView &view, const StreamSynchronizer &streams, InstrumentId focus,
                        MarketViewBuilder::Clock::time_point now)
{
    if (focus.value() == 0 && !m_instruments.empty())
        focus = m_instruments.front();
    m_builder.fill(view, ReplicaBooks(streams), focus, now);
    m_trader.fill(view.trader, streams);
}

} // namespace bourse::net

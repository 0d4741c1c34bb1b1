#pragma once

// The views of a remote terminal: the same MarketViewBuilder as a local session, fed with the
// events the stream synchronizer applies and reading books and statuses from the instrument
// replicas, and a RemoteTraderView for the trader's part. Internal to RemoteSession, on its
// client thread.

#include "remote_trader_view.h"
#include "stream_sync.h"
#include "view_builder.h"

#include <span>
#include <vector>

namespace bourse::net {

// The books and statuses of the instrument replicas, for MarketViewBuilder::fill().
class ReplicaBooks final : public BookSource {
public:
    explicit ReplicaBooks(const StreamSynchronizer &streams)
        : m_streams(streams)
    {
    }
    const OrderBook *book(InstrumentId instrument) const override;
    std::optional<TradingStatus> status(InstrumentId instrument) const override;

private:
    const StreamSynchronizer &m_streams;
};

// Whether an event is of an account's stream only. The other events of an account's stream (the
// book events of its orders, its trades) come on the instrument's stream as well, and the market
// part of a view takes them from there, so that no trade counts twice.
bool isAccountOnlyEvent(const Event &event);

class RemoteMarket {
public:
    // Throws std::invalid_argument on options MarketViewBuilder rejects.
    RemoteMarket(const MarketViewBuilder::Options &options, std::vector<AccountId> accounts);

    // Events a stream applied, as StreamSynchronizer::EventListener passes them.
    void onEvents(StreamKey key, std::span<const Event> events);
    // A stream rebuilt from a snapshot: an instrument the views did not know joins them with its
    // terms, and its bars and tape start from the live events after the snapshot. An account's
    // orders that ended while it was out of sync leave the trader's view.
    void onResynced(StreamKey key, const StreamSynchronizer &streams);

    // The market part and the trader's part of a view. A zero focus is the first instrument.
    void fill(MarketView &view, const StreamSynchronizer &streams, InstrumentId focus,
              MarketViewBuilder::Clock::time_point now);

    bool hasNewEvents() const { return m_builder.hasNewEvents(); }
    void sampleRate(MarketViewBuilder::Clock::time_point now) { m_builder.sampleRate(now); }
    RemoteTraderView &trader() { return m_trader; }
    const RemoteTraderView &trader() const { return m_trader; }
    // The instruments known, in the order they joined.
    const std::vector<InstrumentId> &instruments() const { return m_instruments; }

private:
    void noteInstrument(InstrumentId instrument);

    MarketViewBuilder m_builder;
    RemoteTraderView m_trader;
    std::vector<InstrumentId> m_instruments;
};

} // namespace bourse::net

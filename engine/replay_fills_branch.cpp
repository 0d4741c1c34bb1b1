// A branch of the queue-position fill model: a second model seeded from a snapshot of the first
// one's trader's engine, with the first one's queue state, at one moment of a replay.

#include "replay_fills.h"

namespace bourse {

std::unique_ptr<ReplayFills> ReplayFills::branch(const ReplayFills &original, std::string &error)
{
    auto copy = std::make_unique<ReplayFills>(*original.m_market, original.m_options);
    // Between replayed messages the trader's engine contains only the trader's orders, because
    // every counterparty the model placed was filled or cancelled by the end of its command.
    const std::vector<std::uint8_t> snapshot = original.m_trader->snapshot();
    if (const std::optional<SnapshotError> failed =
            Engine::loadSnapshot(snapshot, *copy->m_trader)) {
        error = "the snapshot of the trader's engine did not load: " + failed->message;
        return nullptr;
    }

    copy->m_recordedAccounts = original.m_recordedAccounts;
    copy->m_ready = original.m_ready;
    copy->m_queue = original.m_queue;
    copy->m_consumed = original.m_consumed;
    copy->m_marketTrades = original.m_marketTrades;
    copy->m_marketTime = original.m_marketTime;
    copy->m_followed = original.m_followed;
    copy->m_marketStatus = original.m_marketStatus;
    copy->m_auctionPrice = original.m_auctionPrice;
    copy->m_lastMarketPrice = original.m_lastMarketPrice;
    copy->m_counterparties = original.m_counterparties;
    copy->m_cause = original.m_cause;
    copy->m_traderOrders = original.m_traderOrders;
    copy->m_fills = original.m_fills;
    return copy;
}

} // namespace bourse

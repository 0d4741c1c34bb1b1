// A fill model seeded from the recorded trader of a Bourse journal replay, for a branch of it.
//
// The trader's engine loads a snapshot of the whole replayed engine and then cancels every order
// that is not the recorded trader's. Rebuilding the accounts by commands instead could not give a
// position its average price, realized P&L and fees, since the engine sets those only by posting
// fills. The snapshot carries them, with the cash, limits, kill switches and order-rate windows,
// so both columns of the comparison start equal by construction. The cancels publish events
// before any trader's view follows the engine, so the trader's view shows none of them.

#include "replay_fills.h"

namespace bourse {

std::unique_ptr<ReplayFills> ReplayFills::seed(const Engine &market, Options options,
                                               std::vector<AccountId> recordedAccounts,
                                               Timestamp time, std::string &error)
{
    if (market.instrument().value() == 0) {
        error = "the replay has not defined its instrument yet; step the replay on and branch "
                "again";
        return nullptr;
    }
    auto model = std::make_unique<ReplayFills>(market, std::move(options));
    const std::vector<std::uint8_t> snapshot = market.snapshot();
    if (const std::optional<SnapshotError> failed =
            Engine::loadSnapshot(snapshot, *model->m_trader)) {
        error = "the snapshot of the replayed engine did not load: " + failed->message;
        return nullptr;
    }
    model->m_recordedAccounts = std::move(recordedAccounts);
    model->m_ready = true;
    model->m_marketTime = time;
    model->m_marketStatus = market.status();
    // Before any fill of its own, the trader's engine's reference is the replayed last trade.
    model->m_lastMarketPrice =
        model->m_trader->risk().evaluator().referencePrice(market.instrument());
    model->keepOnlyRecordedAccounts(time);
    model->seatRecordedOrders();
    return model;
}

// Cancels the orders of every account that is not the recorded trader's, in every instrument, so
// that the trader's engine contains no liquidity but what the model places. Other accounts'
// positions stay in its portfolio, where no view and no column reads them.
void ReplayFills::keepOnlyRecordedAccounts(Timestamp time)
{
    std::vector<OrderId> others;
    for (const InstrumentId instrument : m_trader->instruments()) {
        const OrderBook *book = m_trader->book(instrument);
        for (const Side side : {Side::Buy, Side::Sell}) {
            for (std::size_t depth = 0; book && depth < book->levelCount(side); ++depth) {
                for (const Order *order : book->ordersAt(side, book->level(side, depth).price)) {
                    if (!isRecorded(order->account))
                        others.push_back(order->id);
                }
            }
        }
    }
    for (const OrderId id : others)
        m_trader->cancel(id, time);

    // Parked stop orders are in no book, so a mass cancel by account cancels them.
    // NOTE: a parked stop of an account that the journal never opened (account zero included)
    // stays, because a mass cancel of account zero would cancel the trader's orders too.
    for (const Account &account : m_trader->portfolio().state().accounts) {
        if (!isRecorded(account.settings.id))
            m_trader->massCancel(MassCancel{account.settings.id, InstrumentId{}}, time);
    }
}

// Gives each of the recorded trader's orders resting on the primary instrument the recorded
// order's place in the replayed queue: the other accounts' orders in front of it are ahead, the
// recorded trader's own orders are not (seed()).
void ReplayFills::seatRecordedOrders()
{
    const OrderBook *traderBook = m_trader->book(m_trader->instrument());
    const OrderBook *marketBook = m_market->book(m_market->instrument());
    if (traderBook == nullptr || marketBook == nullptr)
        return;
    for (const Side side : {Side::Buy, Side::Sell}) {
        for (std::size_t depth = 0; depth < traderBook->levelCount(side); ++depth) {
            const Price price = traderBook->level(side, depth).price;
            const std::vector<const Order *> replayed = marketBook->ordersAt(side, price);
            for (const Order *order : traderBook->ordersAt(side, price)) {
                m_traderOrders.insert(order->id.value());
                QueueEntry entry;
                entry.id = order->id;
                entry.side = side;
                entry.price = price;
                for (const Order *ahead : replayed) {
                    if (ahead->id == order->id)
                        break;
                    if (isRecorded(ahead->account))
                        continue;
                    entry.aheadIds.insert(ahead->id.value());
                    entry.ahead += ahead->remaining;
                }
                m_queue.push_back(std::move(entry));
            }
        }
    }
}

} // namespace bourse

#pragma once

// Simulated trading against a replay: a queue-position fill model.
//
// A replayed engine applies a recorded day as it happened, so the trader's orders must never
// enter its book: they would change the recording and break the messages that follow. They go
// instead to a second Engine, the trader's engine, which holds only the trader's accounts and
// orders and does all of their validation, risk checks, matching and accounting with the
// engine's own rules. This model decides when and at what price those orders trade, from the
// replayed engine's events, and carries each decision out in the trader's engine by placing
// the counterparty as an order without an account for exactly the simulated fill:
//
// - A marketable order takes the replayed book's opposite levels at their prices, up to their
//   visible quantity less what the trader already took there.
// - A resting order joins the back of its price level, so the replayed orders that rest at that
//   price when it joins are ahead of it. Their trades and cancels reduce the volume ahead, and
//   a trade at the price once nothing is ahead fills it.
// - A replayed trade at a price better than a resting order's fills it in full, and a replayed
//   order that rests on the other side at or through its price fills it against that order.
//
// docs/replay-trading.md explains the rules, their sources and their limits.

#include "engine.h"
#include "events.h"
#include "risk_types.h"
#include "types.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace bourse {

// One of the trader's accounts in the trader's engine: its settings, balance and limits.
struct SimulatedAccount {
    AccountSettings settings;
    Money openingBalance;
    RiskLimits limits;
};

// The cause of a simulated fill.
enum class SimulatedFillCause : std::uint8_t {
    Taker,        // a marketable order took the replayed book's opposite levels
    Queue,        // replayed trades at the order's price reached it in its queue
    TradeThrough, // a replayed trade at a better price than the order's
    Cross,        // a replayed order rested at or through the order's price on the other side
};

// One simulated fill of a trader's order, as the trader's engine made it.
struct SimulatedFill {
    SequenceNumber tradeSequence = 0; // of the Trade event in the trader's engine
    Timestamp time;
    OrderId order;
    AccountId account;
    Side side = Side::Buy; // the trader's side
    Price price;
    Quantity quantity;
    SimulatedFillCause cause = SimulatedFillCause::Taker;
};

// The queue-position fill model of the trader's orders against one replayed engine's primary
// instrument, which is the one instrument every replay feed drives.
//
// It is an EventHandler of the replayed engine: add it to that engine before the replay's first
// message. Single writer: the replayed engine's thread calls every function.
class ReplayFills final : public EventHandler {
public:
    struct Options {
        // The trader's accounts. Each opens in the replayed instrument's currency, whatever its
        // settings name. An instrument that names no currency, as a feed that cannot tell its
        // quote currency defines it, takes the first account's in the trader's engine. So the
        // accounts and the instrument share one currency, which a fill must have to post.
        std::vector<SimulatedAccount> accounts;
        // The definition the trader's engine takes for a replayed instrument, such as one that
        // names the currency the trader's accounts are in; the identity when empty.
        std::function<InstrumentDefinition(const InstrumentDefinition &)> terms;
        // Receives a sentence for the trader when the trader's engine traded simulated fills
        // that its portfolio then rejected, such as a cash account's purchase beyond its cash.
        // Those fills are missing from the positions and from the trader's view of fills.
        std::function<void(const std::string &)> unpostedFills;
    };

    // Whether the model takes an order.
    enum class Entry : std::uint8_t {
        Entered,     // the trader's engine decided it: accepted, rejected, traded or rested
        Unsupported, // a stop order, which the model does not trigger from replayed trades
    };

    // `market` is the replayed engine; it must outlive the model, or the model must follow()
    // another one first.
    ReplayFills(const Engine &market, Options options);
    ~ReplayFills() override;
    ReplayFills(const ReplayFills &) = delete;
    ReplayFills &operator=(const ReplayFills &) = delete;

    // Starts a branch of `original` between two replayed messages: a model on the same replayed
    // engine whose trader's engine is loaded from a snapshot of the original's. So it has the
    // same orders, positions, cash and risk state (equal stateHash()) and the same fills so far.
    // It also has the same queue state: each resting order keeps its volume ahead and the
    // replayed orders ahead of it, and the liquidity the trader consumed stays consumed. Both
    // models then face the same replayed market, so only the commands each takes separate them.
    // The caller adds the branch to the replayed engine's handlers. Returns null and sets
    // `error` when the snapshot does not load, which only a defect in the snapshot code causes.
    // The branch counts unposted fills from zero (unpostedFillCount()).
    static std::unique_ptr<ReplayFills> branch(const ReplayFills &original, std::string &error);

    // Starts a model on `market`, a replayed Bourse journal, whose trader's engine is the
    // recorded trader's state at `time`, between two replayed events (replay_fills_seed.cpp).
    // It contains the `recordedAccounts` with their settings, cash, limits, kill switches,
    // positions, realized P&L and fees, and their live orders with the same ids. Each order
    // that rests on the primary instrument takes the recorded order's place in the replayed
    // queue, behind the other accounts' orders that are ahead of it there.
    //
    // The recorded trader's orders in the replayed book are the trader's own. They are no
    // liquidity the model's orders can take or count behind, and a replayed trade with the
    // recorded trader as taker fills none of the model's orders. Returns null and sets `error`
    // when the replay has no instrument yet or the snapshot does not load.
    static std::unique_ptr<ReplayFills> seed(const Engine &market, Options options,
                                             std::vector<AccountId> recordedAccounts,
                                             Timestamp time, std::string &error);

    // The engine of the trader's accounts, orders and simulated fills, for the trader's view
    // and its handlers. Its sequence numbers are its own, not the replayed engine's.
    Engine &traderEngine() { return *m_trader; }
    const Engine &traderEngine() const { return *m_trader; }

    // The replayed engine whose events the model follows.
    const Engine &market() const { return *m_market; }
    // Follows another replayed engine of the same source, such as the one a seek opened. The
    // trader's orders keep their fills and join the back of their levels in its book. What they
    // took of the old book's liquidity is forgotten. The market time starts again from the new
    // engine's events, so after a seek back the trader's commands and fills take the earlier
    // times of the replay. The first market time after follow(), of an event or a command, is
    // taken as where the replay now is: the trader's engine drops from its order-rate windows
    // the times of orders later than it. The caller adds the model to the new engine's
    // handlers, and the old engine must not publish to it any more.
    void follow(const Engine &market);

    // The trader's commands, at `time` in market time, which goes back only after a follow()
    // of an engine that a seek back opened. An order fills at once against the replayed book
    // as far as it is marketable; the rest rests, or is cancelled for IOC and market orders, as
    // the engine's rules decide. A replace that moves an order through the replayed book trades
    // the same way. The trader's engine rejects what
    // its rules reject; a stop order is not entered (Entry::Unsupported).
    //
    // `beforeCommand`, when set, runs right before the trader's command reaches the trader's
    // engine, after the replayed liquidity is in place, as for the trader's view to name the
    // command that follows.
    Entry submit(const NewOrder &order, Timestamp time,
                 const std::function<void()> &beforeCommand = {});
    void cancel(OrderId id, Timestamp time);
    void replace(const ReplaceOrder &replace, Timestamp time,
                 const std::function<void()> &beforeCommand = {});

    // The replayed quantity ahead of a resting trader's order in its queue, or nothing for an
    // order that does not rest.
    std::optional<Quantity> volumeAhead(OrderId id) const;
    // The replayed quantity at a level that the trader's orders took and that the replay has
    // not traded or cancelled through yet.
    Quantity consumed(Side side, Price price) const;
    // Every simulated fill so far, oldest first, including any the portfolio rejected.
    const std::vector<SimulatedFill> &fills() const { return m_fills; }
    // The simulated fills that the trader's portfolio rejected, which reached no position.
    std::uint64_t unpostedFillCount() const { return m_trader->unpostedFillCount(); }

    // The price of the last replayed trade of the primary instrument, the trader's fills left
    // out; zero before the first one. After follow() it keeps the old engine's price until the
    // new engine trades.
    Price lastMarketPrice() const { return m_lastMarketPrice; }

    void onEvent(const Event &event) override;
    void onCommandEnd() override;

private:
    // A trader's order resting in the trader's engine and its place in the replayed queue.
    struct QueueEntry {
        OrderId id;
        Side side = Side::Buy;
        Price price;
        Quantity ahead;                             // replayed quantity still ahead of it
        std::unordered_set<std::uint64_t> aheadIds; // replayed orders that were there first
        Quantity pending;                           // to fill at the end of the replayed command
        SimulatedFillCause cause = SimulatedFillCause::Queue;
    };
    // A replayed trade, repeated in the trader's engine so that its last trade price, the
    // reference of risk checks and of the positions' marks, follows the replay.
    struct MarketTrade {
        Timestamp time;
        Side aggressor = Side::Buy;
        Price price;
        Quantity quantity;
    };
    class TraderEvents;
    using LevelKey = std::pair<int, std::int64_t>; // side, price

    bool ensureInstrument(Timestamp time);
    void forgetOrderTimesAfterSeek(Timestamp time);
    void reportUnposted();
    void onMarketTrade(const Event &event, const Trade &trade);
    void onMarketRemoval(Side side, Price price, OrderId id, Quantity quantity);
    void onTraderEvent(const Event &event);
    void join(OrderId id, Side side, Price price);
    void matchCrossed();
    void settle(Timestamp time);
    void takeMarketStatus(Timestamp time);
    void fillThroughAuction();
    bool reopenAtAuctionPrice(Timestamp time);
    void fillAtLevel(Side side, Price price, Quantity quantity, Timestamp time);
    void capConsumed();
    // Places the replayed opposite liquidity an order with this side, limit and quantity could
    // take (zero limit: any price) as orders without an account, runs `command`, then cancels
    // what the command left.
    void withLiquidity(Side side, Price limit, Quantity quantity, Timestamp time,
                       const std::function<void()> &command);
    Quantity available(Side side, Price price, Quantity visible) const;
    bool isRecorded(AccountId account) const;
    // The replayed quantity `shown` at a level less the recorded trader's orders there.
    Quantity othersAt(Side side, Price price, Quantity shown) const;
    void keepOnlyRecordedAccounts(Timestamp time);
    void seatRecordedOrders();

    const Engine *m_market;
    Options m_options;
    std::unique_ptr<Engine> m_trader;
    // The recorded trader's accounts of a journal replay (seed()); empty for exchange data.
    std::vector<AccountId> m_recordedAccounts;
    std::unique_ptr<TraderEvents> m_traderEvents;
    bool m_ready = false; // the trader's engine has the instrument and the accounts

    std::vector<QueueEntry> m_queue; // in the order the trader's orders joined
    std::map<LevelKey, Quantity> m_consumed;
    std::vector<MarketTrade> m_marketTrades; // of the replayed command that runs
    Timestamp m_marketTime;
    bool m_followed = false; // follow() ran, and no market time came since
    // The replayed instrument's status as of its last event, which the trader's engine takes at
    // the end of each replayed command.
    TradingStatus m_marketStatus = TradingStatus::Trading;
    // The price of the reopening auction whose trades the replay delivered and that settle() has
    // not filled yet: from AuctionUncrossed, or from a trade while the status is not Trading.
    std::optional<Price> m_auctionPrice;
    Price m_lastMarketPrice;
    std::uint64_t m_reportedUnposted = 0; // unpostedFillCount() at the last report

    // The trader's engine's orders that this model placed as counterparties, and the cause of
    // the fills they make.
    std::unordered_set<std::uint64_t> m_counterparties;
    SimulatedFillCause m_cause = SimulatedFillCause::Taker;
    std::unordered_set<std::uint64_t> m_traderOrders;
    std::vector<SimulatedFill> m_fills;
};

} // namespace bourse

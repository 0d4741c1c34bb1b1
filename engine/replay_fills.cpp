#include "replay_fills.h"

#include <algorithm>
#include <string>
#include <variant>

namespace bourse {

namespace {

// Whether an order on `side` at `limit` would trade with a resting order at `price`.
bool crosses(Side side, Price limit, Price price)
{
    return side == Side::Buy ? price <= limit : price >= limit;
}

// Whether a trade at `price` went through a resting order on `side` at `limit`: a seller gave
// a buyer less than the trader bid, or a buyer paid a seller more than the trader asked.
bool tradesThrough(Side side, Price limit, Price price)
{
    return side == Side::Buy ? price < limit : price > limit;
}

bool isStop(OrderType type)
{
    return type == OrderType::Stop || type == OrderType::StopLimit;
}

} // namespace

// Passes the trader's engine's events to the model, which learns from them which orders rest,
// which fills it made and which replayed liquidity they took.
class ReplayFills::TraderEvents final : public EventHandler {
public:
    explicit TraderEvents(ReplayFills &model)
        : m_model(model)
    {
    }
    void onEvent(const Event &event) override { m_model.onTraderEvent(event); }

private:
    ReplayFills &m_model;
};

ReplayFills::ReplayFills(const Engine &market, Options options)
    : m_market(&market)
    , m_options(std::move(options))
    , m_trader(std::make_unique<Engine>())
    , m_traderEvents(std::make_unique<TraderEvents>(*this))
{
    m_trader->addHandler(m_traderEvents.get());
}

ReplayFills::~ReplayFills()
{
    m_trader->removeHandler(m_traderEvents.get());
}

// The trader's engine takes the replayed instrument and opens the accounts once the replay has
// defined it, which some feeds do only with their first message.
bool ReplayFills::ensureInstrument(Timestamp time)
{
    if (m_ready)
        return true;
    const InstrumentId id = m_market->instrument();
    const InstrumentDefinition *definition = m_market->definition(id);
    if (id.value() == 0 || definition == nullptr)
        return false;

    InstrumentDefinition terms = m_options.terms ? m_options.terms(*definition) : *definition;
    // The portfolio posts a fill only where the account's currency is the instrument's.
    if (terms.currency[0] == '\0' && !m_options.accounts.empty())
        terms.currency = m_options.accounts.front().settings.currency;
    m_trader->addInstrument(terms, time);
    for (const SimulatedAccount &account : m_options.accounts) {
        AccountSettings settings = account.settings;
        settings.currency = terms.currency;
        m_trader->openAccount(settings, account.openingBalance, time);
        m_trader->setRiskLimits(account.settings.id, account.limits, time);
    }
    m_ready = true;
    m_marketStatus = m_market->status();
    if (m_trader->status() != m_marketStatus)
        m_trader->applyStatus(m_marketStatus, time);
    return true;
}

// Reports the fills that the trader's engine traded but its portfolio rejected since the last
// report, because the engine only counts them.
void ReplayFills::reportUnposted()
{
    const std::uint64_t unposted = m_trader->unpostedFillCount();
    if (unposted == m_reportedUnposted)
        return;
    const std::uint64_t added = unposted - m_reportedUnposted;
    m_reportedUnposted = unposted;
    if (!m_options.unpostedFills)
        return;
    m_options.unpostedFills(std::to_string(added) +
                            " simulated fill(s) traded but the portfolio rejected them, so "
                            "Positions and Fills miss them: check the account's cash, and "
                            "that a cash account does not sell short");
}

void ReplayFills::follow(const Engine &market)
{
    m_market = &market;
    // The new engine may be at another trading status, and the trader's next command must meet
    // the rules of that one.
    m_marketStatus = market.status();
    m_auctionPrice.reset();
    if (m_ready && m_trader->status() != m_marketStatus)
        m_trader->applyStatus(m_marketStatus, m_marketTime);
    // A seek back starts the replay's clock again earlier, and the trader's times follow it.
    // The new engine has no clock to read, so the next market time the model receives, from an
    // event or a command, trims the order-rate windows (forgetOrderTimesAfterSeek()).
    m_marketTime = Timestamp{};
    m_followed = true;
    m_consumed.clear();
    m_marketTrades.clear();
    std::vector<QueueEntry> queue = std::move(m_queue);
    m_queue.clear();
    for (const QueueEntry &entry : queue)
        join(entry.id, entry.side, entry.price);
}

// Drops the order-rate times later than `time`. Orders placed before a seek back keep their later
// times in the trader's engine's windows. Without this, the rate check would count them and
// reject new orders until the replay is a second past them.
void ReplayFills::forgetOrderTimesAfterSeek(Timestamp time)
{
    if (!m_followed)
        return;
    m_followed = false;
    m_trader->forgetOrderRateTimesAfter(time);
}

ReplayFills::Entry ReplayFills::submit(const NewOrder &order, Timestamp time,
                                       const std::function<void()> &beforeCommand)
{
    if (isStop(order.type))
        return Entry::Unsupported;
    forgetOrderTimesAfterSeek(time);
    ensureInstrument(time);
    const Price limit = order.type == OrderType::Limit ? order.limit : order.protectionPrice;
    withLiquidity(order.side, limit, order.quantity, time, [&] {
        if (beforeCommand)
            beforeCommand();
        m_trader->submit(order, time);
    });
    reportUnposted();
    return Entry::Entered;
}

void ReplayFills::cancel(OrderId id, Timestamp time)
{
    forgetOrderTimesAfterSeek(time);
    m_trader->cancel(id, time);
}

void ReplayFills::replace(const ReplaceOrder &replace, Timestamp time,
                          const std::function<void()> &beforeCommand)
{
    forgetOrderTimesAfterSeek(time);
    const Order *order = m_trader->findOrder(replace.id);
    if (order == nullptr || isStop(order->type)) {
        if (beforeCommand)
            beforeCommand();
        m_trader->replace(replace, time); // the trader's engine rejects or applies it as it is
        return;
    }
    const Price limit = replace.limit.value() != 0 ? replace.limit : order->price;
    withLiquidity(order->side, limit, replace.quantity, time, [&] {
        if (beforeCommand)
            beforeCommand();
        m_trader->replace(replace, time);
    });
    reportUnposted();
}

bool ReplayFills::isRecorded(AccountId account) const
{
    const std::vector<AccountId> &recorded = m_recordedAccounts;
    return account.value() != 0 &&
           std::find(recorded.begin(), recorded.end(), account) != recorded.end();
}

Quantity ReplayFills::othersAt(Side side, Price price, Quantity shown) const
{
    if (m_recordedAccounts.empty())
        return shown;
    const OrderBook *book = m_market->book(m_market->instrument());
    if (book == nullptr)
        return shown;
    for (const Order *order : book->ordersAt(side, price)) {
        if (isRecorded(order->account))
            shown -= min(shown, order->remaining);
    }
    return shown;
}

// The recorded trader's own orders at the level are excluded: a branch of a journal replay
// must not trade with the orders it was seeded from.
Quantity ReplayFills::available(Side side, Price price, Quantity visible) const
{
    visible = othersAt(side, price, visible);
    const auto found = m_consumed.find({static_cast<int>(side), price.value()});
    const Quantity taken = found != m_consumed.end() ? found->second : Quantity{};
    return visible > taken ? visible - taken : Quantity{};
}

void ReplayFills::withLiquidity(Side side, Price limit, Quantity quantity, Timestamp time,
                                const std::function<void()> &command)
{
    std::vector<OrderId> placed;
    // A replayed book that does not trade offers nothing, even where it is crossed. The trader's
    // engine has the same status, so its rules rest or reject the order.
    const OrderBook *book =
        m_marketStatus == TradingStatus::Trading ? m_market->book(m_market->instrument()) : nullptr;
    const Side resting = opposite(side);
    Quantity wanted = quantity;
    for (std::size_t depth = 0; book && depth < book->levelCount(resting); ++depth) {
        if (wanted <= Quantity{0})
            break;
        const LevelSummary level = book->level(resting, depth);
        if (limit.value() != 0 && !crosses(side, limit, level.price))
            break;
        const Quantity take = min(available(resting, level.price, level.quantity), wanted);
        if (take <= Quantity{0})
            continue;
        NewOrder counterparty;
        counterparty.side = resting;
        counterparty.limit = level.price;
        counterparty.quantity = take;
        placed.push_back(m_trader->submit(counterparty, time));
        wanted -= take;
    }

    m_cause = SimulatedFillCause::Taker;
    command();

    // What the trader's order left of the replayed liquidity stays in the replayed book only.
    for (const OrderId id : placed) {
        if (m_trader->findOrder(id) != nullptr)
            m_trader->cancel(id, time);
        m_counterparties.erase(id.value());
    }
}

void ReplayFills::onEvent(const Event &event)
{
    if (event.instrument != m_market->instrument() || event.instrument.value() == 0)
        return;
    // Within one replayed engine the market time never goes back; follow() resets it.
    forgetOrderTimesAfterSeek(event.time);
    m_marketTime = std::max(m_marketTime, event.time);
    if (const auto *trade = std::get_if<Trade>(&event.payload)) {
        onMarketTrade(event, *trade);
    } else if (const auto *cancelled = std::get_if<OrderCancelled>(&event.payload)) {
        onMarketRemoval(cancelled->side, cancelled->price, cancelled->id, cancelled->quantity);
        for (QueueEntry &entry : m_queue)
            entry.aheadIds.erase(cancelled->id.value());
    } else if (const auto *reduced = std::get_if<OrderReduced>(&event.payload)) {
        onMarketRemoval(reduced->side, reduced->price, reduced->id, reduced->reducedBy);
    } else if (const auto *changed = std::get_if<TradingStatusChanged>(&event.payload)) {
        m_marketStatus = changed->status;
    } else if (const auto *auction = std::get_if<AuctionUncrossed>(&event.payload)) {
        m_auctionPrice = auction->price;
    }
}

// A replayed order that was in the queue before the trader's order left it in part or in full,
// so less is ahead. A replayed order that joined later was behind, so nothing changes.
void ReplayFills::onMarketRemoval(Side side, Price price, OrderId id, Quantity quantity)
{
    for (QueueEntry &entry : m_queue) {
        if (entry.side == side && entry.price == price && entry.aheadIds.count(id.value()))
            entry.ahead -= min(entry.ahead, quantity);
    }
}

void ReplayFills::onMarketTrade(const Event &event, const Trade &trade)
{
    m_marketTrades.push_back({event.time, trade.aggressor, trade.price, trade.quantity});
    if (trade.price > Price{0})
        m_lastMarketPrice = trade.price;
    // A trade while the replayed instrument does not trade is the reopening auction's, which
    // trades before its status changes. A journal does not record AuctionUncrossed.
    if (m_marketStatus != TradingStatus::Trading)
        m_auctionPrice = trade.price;
    const Side makerSide = opposite(trade.aggressor);

    // A trade at a level takes the front of its queue, which is what the trader took first.
    const auto consumed = m_consumed.find({static_cast<int>(makerSide), trade.price.value()});
    if (consumed != m_consumed.end())
        consumed->second -= min(consumed->second, trade.quantity);

    // A trade the recorded trader sent as taker was that trader's decision, which a branch of
    // a journal replay makes anew, so it only takes away the replayed orders it traded with.
    const bool recordedTaker = isRecorded(trade.takerAccount);

    Quantity given; // what this trade filled of the trader's orders at its price
    for (QueueEntry &entry : m_queue) {
        // In an auction both sides rested before it, so the taker made no new decision: the
        // branch's copy of a recorded taker order trades what the recorded order traded.
        if (m_auctionPrice && recordedTaker && entry.id == trade.taker) {
            const Order *order = m_trader->findOrder(entry.id);
            const Quantity open = order ? order->remaining + order->reserve() : Quantity{};
            const Quantity unfilled = open > entry.pending ? open - entry.pending : Quantity{};
            entry.pending += min(unfilled, trade.quantity);
            entry.cause = SimulatedFillCause::Cross;
            continue;
        }
        if (recordedTaker) {
            if (entry.side == makerSide && entry.price == trade.price &&
                entry.aheadIds.count(trade.maker.value())) {
                entry.ahead -= min(entry.ahead, trade.quantity);
                if (trade.makerRemaining == Quantity{0})
                    entry.aheadIds.erase(trade.maker.value());
            }
            continue;
        }
        const Order *order = m_trader->findOrder(entry.id);
        const Quantity open = order ? order->remaining + order->reserve() : Quantity{};
        const Quantity unfilled = open > entry.pending ? open - entry.pending : Quantity{};
        if (tradesThrough(entry.side, entry.price, trade.price)) {
            entry.pending = open;
            entry.cause = SimulatedFillCause::TradeThrough;
            continue;
        }
        if (entry.side != makerSide || entry.price != trade.price)
            continue;
        if (trade.maker.value() != 0 && entry.aheadIds.count(trade.maker.value())) {
            entry.ahead -= min(entry.ahead, trade.quantity);
            if (trade.makerRemaining == Quantity{0})
                entry.aheadIds.erase(trade.maker.value());
            continue;
        }
        // A trade of an order behind, or of hidden liquidity, reaches the trader's order once
        // nothing is ahead. The volume still ahead is assumed to trade first.
        const Quantity eaten = min(entry.ahead, trade.quantity);
        entry.ahead -= eaten;
        const Quantity passed = trade.quantity - eaten;
        const Quantity left = passed > given ? passed - given : Quantity{};
        const Quantity fill = min(left, unfilled);
        if (fill > Quantity{0}) {
            entry.pending += fill;
            if (entry.cause != SimulatedFillCause::TradeThrough)
                entry.cause = SimulatedFillCause::Queue;
            given += fill;
        }
    }
}

void ReplayFills::onCommandEnd()
{
    settle(m_marketTime);
}

// A trade at a level takes quantity the trader consumed first, but a cancel does not say which
// orders left, so what the trader consumed is at most what the level still shows.
void ReplayFills::capConsumed()
{
    const OrderBook *book = m_market->book(m_market->instrument());
    for (auto entry = m_consumed.begin(); entry != m_consumed.end();) {
        const auto side = static_cast<Side>(entry->first.first);
        const Price price{entry->first.second};
        const Quantity shown =
            book ? othersAt(side, price, book->quantityAt(side, price)) : Quantity{};
        entry->second = min(entry->second, shown);
        entry = entry->second > Quantity{0} ? std::next(entry) : m_consumed.erase(entry);
    }
}

// A replayed order that now rests at or through a trader's order on the other side would have
// traded with it on arrival, at the trader's price.
void ReplayFills::matchCrossed()
{
    const OrderBook *book = m_market->book(m_market->instrument());
    if (book == nullptr)
        return;

    // The best-priced orders take the crossing liquidity first, as the trader's engine, which
    // matches by price and time, would fill them.
    std::vector<QueueEntry *> entries;
    for (QueueEntry &entry : m_queue)
        entries.push_back(&entry);
    std::stable_sort(entries.begin(), entries.end(), [](const QueueEntry *a, const QueueEntry *b) {
        if (a->side != b->side)
            return a->side < b->side;
        return a->side == Side::Buy ? a->price > b->price : a->price < b->price;
    });

    for (QueueEntry *queued : entries) {
        QueueEntry &entry = *queued;
        const Order *order = m_trader->findOrder(entry.id);
        const Quantity open = order ? order->remaining + order->reserve() : Quantity{};
        const Side resting = opposite(entry.side);
        for (std::size_t depth = 0; depth < book->levelCount(resting); ++depth) {
            if (entry.pending >= open)
                break;
            const LevelSummary level = book->level(resting, depth);
            if (!crosses(entry.side, entry.price, level.price))
                break;
            const Quantity take =
                min(available(resting, level.price, level.quantity), open - entry.pending);
            if (take <= Quantity{0})
                continue;
            m_consumed[{static_cast<int>(resting), level.price.value()}] += take;
            entry.pending += take;
            entry.cause = SimulatedFillCause::Cross;
        }
    }
}

void ReplayFills::settle(Timestamp time)
{
    if (!ensureInstrument(time)) {
        m_marketTrades.clear();
        return;
    }
    for (const MarketTrade &trade : m_marketTrades)
        m_trader->applyUnseenTrade(trade.aggressor, trade.price, trade.quantity, trade.time);
    m_marketTrades.clear();
    capConsumed();
    if (m_marketStatus != TradingStatus::Trading) {
        // A halted, pre-open or closed book trades nothing, even where it is crossed. A journal
        // may end a command between an auction's trades and the status change to Trading, so
        // what the auction reached waits for that change.
        takeMarketStatus(time);
        if (!m_auctionPrice) {
            for (QueueEntry &entry : m_queue)
                entry.pending = Quantity{};
        }
        return;
    }
    if (m_auctionPrice) {
        fillThroughAuction();
        reopenAtAuctionPrice(time);
        m_auctionPrice.reset();
    }
    takeMarketStatus(time);
    if (m_queue.empty())
        return;
    matchCrossed();

    // Each level fills best price first, so the trader's engine, which matches by price and
    // time, gives each order what the model decided for it.
    std::map<std::pair<int, std::int64_t>, Quantity> levels;
    for (const QueueEntry &entry : m_queue) {
        if (entry.pending <= Quantity{0})
            continue;
        const std::int64_t key =
            entry.side == Side::Buy ? -entry.price.value() : entry.price.value();
        levels[{static_cast<int>(entry.side), key}] += entry.pending;
    }
    for (const auto &[key, quantity] : levels) {
        const auto side = static_cast<Side>(key.first);
        const Price price{side == Side::Buy ? -key.second : key.second};
        fillAtLevel(side, price, quantity, time);
    }

    for (QueueEntry &entry : m_queue)
        entry.pending = Quantity{};
    std::erase_if(m_queue, [this](const QueueEntry &entry) {
        return m_trader->findOrder(entry.id) == nullptr;
    });
    reportUnposted();
}

// The trader's engine takes the replayed instrument's status after the command's replayed trades,
// so that an auction's trades reach it while it is still halted, as in the replayed engine.
void ReplayFills::takeMarketStatus(Timestamp time)
{
    if (m_trader->status() != m_marketStatus)
        m_trader->applyStatus(m_marketStatus, time);
}

// The replayed auction that reopened trading fills every resting trader's order its price trades
// through, in full. An order at the auction price fills only by its queue place, or as the
// recorded order it copies traded.
void ReplayFills::fillThroughAuction()
{
    const Price auction = *m_auctionPrice;
    for (QueueEntry &entry : m_queue) {
        if (!tradesThrough(entry.side, entry.price, auction))
            continue;
        const Order *order = m_trader->findOrder(entry.id);
        entry.pending = order ? order->remaining + order->reserve() : Quantity{};
        entry.cause = SimulatedFillCause::TradeThrough;
    }
}

// Fills the orders the replayed auction reached at the auction price, by an auction of the
// trader's engine against one counterparty at that price, while the trader's engine is still in
// its call phase. The trader's orders rest there as makers, so they pay maker fees, as every fill
// of a resting trader's order does. Returns false when that auction could pick another price,
// and settle() then fills each order at its own limit. That is so when the reached orders are on
// both sides, or when another trader's order crosses the auction price without being reached in
// full.
bool ReplayFills::reopenAtAuctionPrice(Timestamp time)
{
    const TradingStatus status = m_trader->status();
    if (status != TradingStatus::Halted && status != TradingStatus::PreOpen)
        return false;
    const Price price = *m_auctionPrice;
    Quantity buys;
    Quantity sells;
    for (const QueueEntry &entry : m_queue)
        (entry.side == Side::Buy ? buys : sells) += entry.pending;
    if ((buys > Quantity{0}) == (sells > Quantity{0}))
        return false;
    const Side side = buys > Quantity{0} ? Side::Buy : Side::Sell;

    // With every crossing order reached in full, the volume is the same at every price between
    // the auction price and the reached limits. The trader's engine breaks that tie at the price
    // nearest its last trade, which is now the auction price.
    const OrderBook *book = m_trader->book(m_trader->instrument());
    if (book == nullptr)
        return false;
    for (const Side bookSide : {Side::Buy, Side::Sell}) {
        for (std::size_t depth = 0; depth < book->levelCount(bookSide); ++depth) {
            const Price level = book->level(bookSide, depth).price;
            if (!crosses(bookSide, level, price))
                break;
            if (bookSide != side)
                return false;
            for (const Order *order : book->ordersAt(bookSide, level)) {
                const auto entry =
                    std::find_if(m_queue.begin(), m_queue.end(),
                                 [&](const QueueEntry &queued) { return queued.id == order->id; });
                if (entry == m_queue.end() || entry->pending < order->remaining + order->reserve())
                    return false;
            }
        }
    }

    // The auction's trades are no consumption of the replayed book, which traded them already.
    const std::map<LevelKey, Quantity> consumed = m_consumed;
    NewOrder counterparty;
    counterparty.side = opposite(side);
    counterparty.limit = price;
    counterparty.quantity = side == Side::Buy ? buys : sells;
    const OrderId id = m_trader->submit(counterparty, time);
    m_cause = SimulatedFillCause::Cross;
    m_trader->setTradingStatus(m_trader->instrument(), TradingStatus::Trading, time);
    if (m_trader->findOrder(id) != nullptr)
        m_trader->cancel(id, time);
    m_counterparties.erase(id.value());
    m_consumed = consumed;
    for (QueueEntry &entry : m_queue)
        entry.pending = Quantity{};
    return true;
}

void ReplayFills::fillAtLevel(Side side, Price price, Quantity quantity, Timestamp time)
{
    for (const QueueEntry &entry : m_queue) {
        if (entry.side == side && entry.price == price && entry.pending > Quantity{0}) {
            m_cause = entry.cause;
            break;
        }
    }
    NewOrder counterparty;
    counterparty.side = opposite(side);
    counterparty.limit = price;
    counterparty.quantity = quantity;
    counterparty.timeInForce = TimeInForce::Ioc;
    const OrderId id = m_trader->submit(counterparty, time);
    m_counterparties.erase(id.value());
}

void ReplayFills::join(OrderId id, Side side, Price price)
{
    std::erase_if(m_queue, [id](const QueueEntry &entry) { return entry.id == id; });
    QueueEntry entry;
    entry.id = id;
    entry.side = side;
    entry.price = price;
    if (const OrderBook *book = m_market->book(m_market->instrument())) {
        for (const Order *order : book->ordersAt(side, price)) {
            if (isRecorded(order->account))
                continue;
            entry.aheadIds.insert(order->id.value());
            entry.ahead += order->remaining;
        }
    }
    m_queue.push_back(std::move(entry));
}

void ReplayFills::onTraderEvent(const Event &event)
{
    if (const auto *accepted = std::get_if<OrderAccepted>(&event.payload)) {
        if (accepted->account.value() == 0)
            m_counterparties.insert(accepted->id.value());
        else
            m_traderOrders.insert(accepted->id.value());
    } else if (const auto *added = std::get_if<OrderAdded>(&event.payload)) {
        if (m_traderOrders.count(added->id.value()))
            join(added->id, added->side, added->price);
    } else if (const auto *replaced = std::get_if<OrderReplaced>(&event.payload)) {
        // An order that lost its priority joins again at the back with its OrderAdded.
        if (replaced->priority == QueuePriority::Lost)
            std::erase_if(m_queue,
                          [&](const QueueEntry &entry) { return entry.id == replaced->id; });
    } else if (const auto *cancelled = std::get_if<OrderCancelled>(&event.payload)) {
        std::erase_if(m_queue, [&](const QueueEntry &entry) { return entry.id == cancelled->id; });
        m_traderOrders.erase(cancelled->id.value());
    } else if (const auto *trade = std::get_if<Trade>(&event.payload)) {
        const bool makerIsMarket = m_counterparties.count(trade->maker.value()) != 0;
        const bool takerIsMarket = m_counterparties.count(trade->taker.value()) != 0;
        SimulatedFill fill;
        fill.tradeSequence = event.sequence;
        fill.time = event.time;
        fill.price = trade->price;
        fill.quantity = trade->quantity;
        if (makerIsMarket && !takerIsMarket) {
            const Side resting = opposite(trade->aggressor);
            m_consumed[{static_cast<int>(resting), trade->price.value()}] += trade->quantity;
            fill.order = trade->taker;
            fill.account = trade->takerAccount;
            fill.side = trade->aggressor;
            fill.cause = SimulatedFillCause::Taker;
            m_fills.push_back(fill);
        } else if (takerIsMarket && !makerIsMarket) {
            fill.order = trade->maker;
            fill.account = trade->makerAccount;
            fill.side = opposite(trade->aggressor);
            fill.cause = m_cause;
            m_fills.push_back(fill);
        }
    }
}

std::optional<Quantity> ReplayFills::volumeAhead(OrderId id) const
{
    for (const QueueEntry &entry : m_queue) {
        if (entry.id == id)
            return entry.ahead;
    }
    return std::nullopt;
}

Quantity ReplayFills::consumed(Side side, Price price) const
{
    const auto found = m_consumed.find({static_cast<int>(side), price.value()});
    return found != m_consumed.end() ? found->second : Quantity{};
}

} // namespace bourse

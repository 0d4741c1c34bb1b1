#include "read_model_follower.h"

#include "read_model_queries.h"
#include "read_models.h"

#include <chrono>

namespace bourse::app {

namespace {

constexpr auto kFollowInterval = std::chrono::milliseconds(250);
constexpr auto kLongestFinalCatchUp = std::chrono::seconds(2);

// The rows the accounts dock shows at most; the newest ones, since the tables only grow.
constexpr std::size_t kWorkingOrders = 1'000;
constexpr std::size_t kFinishedOrders = 500;
constexpr std::size_t kFills = 500;

std::string stateName(storage::OrderRowState state)
{
    switch (state) {
    case storage::OrderRowState::Working:
        return "Working";
    case storage::OrderRowState::Parked:
        return "Parked";
    case storage::OrderRowState::Filled:
        return "Filled";
    case storage::OrderRowState::Cancelled:
        return "Cancelled";
    case storage::OrderRowState::Rejected:
        return "Rejected";
    }
    return "Unknown";
}

ui::AccountOrder accountOrder(const storage::OrderRow &row)
{
    ui::AccountOrder order;
    order.entrySequence = row.entrySequence;
    order.time = row.entryTime;
    order.order = row.id;
    order.account = row.account;
    order.side = row.side.value_or(Side::Buy);
    if (row.type)
        order.type = nameOf(*row.type);
    if (row.timeInForce)
        order.timeInForce = nameOf(*row.timeInForce);
    order.limitPrice = row.limitPrice;
    order.stopPrice = row.stopPrice;
    order.quantity = row.quantity.value_or(Quantity{0});
    order.filled = row.filledQuantity;
    order.remaining = row.remainingQuantity;
    order.state = stateName(row.state);
    order.reason = row.reason;
    return order;
}

std::shared_ptr<ui::AccountsView> accountsView(const storage::ReadModelSnapshot &snapshot)
{
    auto view = std::make_shared<ui::AccountsView>();
    view->asOf = snapshot.lastSequence;
    for (const storage::InstrumentRow &instrument : snapshot.instruments) {
        if (instrument.priceDecimals) {
            view->priceDecimals = *instrument.priceDecimals;
            break;
        }
    }
    for (const storage::OrderRow &row : snapshot.workingOrders)
        view->workingOrders.push_back(accountOrder(row));
    for (const storage::OrderRow &row : snapshot.finishedOrders)
        view->finishedOrders.push_back(accountOrder(row));
    for (const storage::FillRow &row : snapshot.fills) {
        view->fills.push_back(ui::AccountFill{row.tradeSequence, row.time, row.orderId, row.account,
                                              row.side, row.price, row.quantity,
                                              row.liquidity == storage::FillLiquidity::Maker});
    }
    for (const storage::PositionRow &row : snapshot.positions) {
        view->positions.push_back(
            ui::AccountPosition{row.account, row.instrument, row.quantity.value(), row.openCost,
                                row.realizedPnl, static_cast<std::uint64_t>(row.tradeCount)});
    }
    return view;
}

// A catch-up of more events than this would hold up the window at the start: about a second at
// the projection's speed of roughly half a million events a second.
constexpr SequenceNumber kLargestCatchUpAtStart = 500'000;

// The last event the views file has projected; 0 when it is missing or unreadable, which a
// catch-up then rebuilds.
SequenceNumber projectedSequence(const std::string &viewsPath)
{
    storage::ReadModelReader::Opened opened = storage::ReadModelReader::open(viewsPath);
    if (!opened.reader)
        return 0;
    std::optional<storage::ReadModelError> error;
    const SequenceNumber projected = opened.reader->lastSequence(error);
    return error ? 0 : projected;
}

// The bar frame of the read models that equals the session's bar interval, if one does.
std::optional<storage::BarFrame> frameOf(std::int64_t intervalNanoseconds)
{
    constexpr std::int64_t second = 1'000'000'000;
    for (const storage::BarFrame frame :
         {storage::BarFrame::OneSecond, storage::BarFrame::OneMinute,
          storage::BarFrame::FiveMinutes, storage::BarFrame::OneHour}) {
        if (static_cast<std::int64_t>(frame) * second == intervalNanoseconds)
            return frame;
    }
    return std::nullopt;
}

} // namespace

ViewsHistory readViewsHistory(const std::string &journalPath, SequenceNumber journalEnd,
                              InstrumentId instrument, const Session::Options &options)
{
    ViewsHistory history;
    const std::string viewsPath = storage::viewsPathFor(journalPath);
    const SequenceNumber projected = projectedSequence(viewsPath);
    if (projected + kLargestCatchUpAtStart < journalEnd) {
        history.problem = "the read models are " + std::to_string(journalEnd - projected) +
                          " events behind the journal and are brought up to date in the "
                          "background";
        return history;
    }
    const storage::CatchUpResult caughtUp = storage::catchUpReadModels(journalPath, viewsPath);
    if (caughtUp.rebuildReason == storage::RebuildReason::JournalShorter)
        history.lostEvents = caughtUp.rebuildDetail;
    if (caughtUp.error) {
        history.problem = caughtUp.error->toString();
        return history;
    }
    const std::optional<storage::BarFrame> frame = frameOf(options.barIntervalNanoseconds);
    if (!frame) {
        history.problem = "the read models keep no bars of " +
                          std::to_string(options.barIntervalNanoseconds) + " ns";
        return history;
    }

    storage::ReadModelReader::Opened opened = storage::ReadModelReader::open(viewsPath);
    if (!opened.reader) {
        history.problem = opened.error->toString();
        return history;
    }
    storage::ReadModelQuery query;
    query.workingOrders = 0;
    query.finishedOrders = 0;
    query.fills = 0;
    query.instruments = {instrument};
    query.trades = options.tradesPerView;
    query.barFrame = *frame;
    query.bars = options.barsKept;
    const storage::ReadModelSnapshot snapshot = opened.reader->read(query);
    if (snapshot.error) {
        history.problem = snapshot.error->toString();
        return history;
    }
    for (const storage::InstrumentMarket &market : snapshot.markets) {
        for (const storage::BarRow &bar : market.bars) {
            history.bars.push_back(Bar{bar.start, bar.open, bar.high, bar.low, bar.close,
                                       bar.volume, static_cast<std::uint32_t>(bar.tradeCount)});
        }
        for (const storage::TradeRow &trade : market.trades) {
            history.trades.push_back(TradePrint{trade.sequence, trade.time, trade.price,
                                                trade.quantity, trade.aggressor});
        }
    }
    for (const storage::PositionRow &row : snapshot.positions)
        history.positions.push_back({row.account, row.instrument, row.quantity});
    return history;
}

// The writer stays open between catch-ups, because closing the views file checkpoints its
// write-ahead log. Returns the problem, or an empty string.
std::string ReadModelFollower::catchUp(const std::string &viewsPath)
{
    if (!m_writer) {
        storage::ReadModelOptions options;
        options.stopRequested = &m_stopCatchUp;
        storage::ReadModelWriter::Opened opened =
            storage::ReadModelWriter::open(viewsPath, options);
        if (!opened.writer)
            return opened.error->toString();
        m_writer = std::move(opened.writer);
    }
    storage::JournalReader::Opened journal = storage::JournalReader::open(m_journalPath);
    if (!journal.reader)
        return journal.error->toString();
    const storage::CatchUpResult caughtUp = m_writer->catchUp(*journal.reader);
    if (!caughtUp.error)
        return {};
    m_writer.reset(); // a writer stops at its first error, so the next catch-up opens another
    return caughtUp.error->toString();
}

ReadModelFollower::ReadModelFollower(std::string journalPath,
                                     std::shared_ptr<AccountsSlot> accounts)
    : m_journalPath(std::move(journalPath))
    , m_accounts(std::move(accounts))
    , m_thread([this] { run(); })
{
}

ReadModelFollower::~ReadModelFollower()
{
    std::unique_lock lock(m_mutex);
    m_stopping = true;
    m_wake.notify_all();
    // The last catch-up normally projects the run's last events within milliseconds. One that
    // is still rebuilding a long journal is stopped, so closing the window does not wait.
    if (!m_wake.wait_for(lock, kLongestFinalCatchUp, [this] { return m_finished; }))
        m_stopCatchUp = true;
    lock.unlock();
    m_thread.join();
}

void ReadModelFollower::run()
{
    std::unique_lock lock(m_mutex);
    while (true) {
        lock.unlock();
        followOnce();
        lock.lock();
        if (m_stopping) {
            m_finished = true;
            m_wake.notify_all();
            return;
        }
        m_wake.wait_for(lock, kFollowInterval, [this] { return m_stopping; });
    }
}

// Catches the views file up with the journal's committed events and publishes what it contains.
// After a failure the tables keep the last good read, and the view carries the error.
void ReadModelFollower::followOnce()
{
    const std::string viewsPath = storage::viewsPathFor(m_journalPath);
    std::string problem = catchUp(viewsPath);

    std::shared_ptr<ui::AccountsView> view;
    if (!m_reader) {
        storage::ReadModelReader::Opened opened = storage::ReadModelReader::open(viewsPath);
        if (opened.reader)
            m_reader = std::move(opened.reader);
        else if (problem.empty())
            problem = opened.error->toString();
    }
    if (m_reader) {
        storage::ReadModelQuery query;
        query.workingOrders = kWorkingOrders;
        query.finishedOrders = kFinishedOrders;
        query.fills = kFills;
        const storage::ReadModelSnapshot snapshot = m_reader->read(query);
        if (snapshot.error) {
            if (problem.empty())
                problem = snapshot.error->toString();
            m_reader.reset(); // opened again next time, as the file may have been replaced
        } else {
            view = accountsView(snapshot);
        }
    }

    if (!view) {
        view = m_lastGood ? std::make_shared<ui::AccountsView>(*m_lastGood)
                          : std::make_shared<ui::AccountsView>();
    } else if (problem.empty()) {
        m_lastGood = view;
    }
    view->error = problem;
    m_accounts->publish(std::move(view));
}

} // namespace bourse::app

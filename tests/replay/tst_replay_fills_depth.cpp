#include "bybit_archive.h"
#include "depth_feed.h"
#include "engine_printers.h"
#include "replay_fills.h"
#include "session.h"
#include "tape_feed.h"
#include "test_data.h"
#include "trader_view.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>

using namespace bourse;
using bourse::replay::testing::extractBybitDay;
using namespace bourse::replay;

namespace {

constexpr std::size_t kOrderEvery = 5;
constexpr AccountId kTrader{1};
constexpr std::int64_t kNanosecondsPerMillisecond = 1'000'000;

const QString kTardisTrades = QStringLiteral("crypto/tardis_binance-futures_BTCUSDT_trades.csv");

SimulatedAccount traderAccount()
{
    SimulatedAccount account;
    account.settings.id = AccountId{1};
    account.settings.currency = currencyCode("USD");
    account.settings.type = AccountType::Margin;
    account.openingBalance = Money{100'000'000};
    return account;
}

NewOrder buyOrder(Price limit, Quantity quantity, TimeInForce timeInForce)
{
    NewOrder order;
    order.side = Side::Buy;
    order.limit = limit;
    order.quantity = quantity;
    order.timeInForce = timeInForce;
    order.account = AccountId{1};
    return order;
}

// The model of a replay feed's engine with the trader's view on its engine, as a session sets
// them up: the trader's account in USD, whatever the replayed instrument is quoted in.
struct TradedFeed {
    Engine market;
    ReplayFills model{market, {{traderAccount()}, {}, {}}};
    TraderViewBuilder view{model.traderEngine(), {kTrader}};
    std::unique_ptr<ReplayFeed> feed;

    TradedFeed()
    {
        market.addHandler(&model);
        model.traderEngine().addHandler(&view);
        view.setSimulated(true);
    }
    ~TradedFeed()
    {
        model.traderEngine().removeHandler(&view);
        market.removeHandler(&model);
    }

    TraderView traderView(Timestamp now) const
    {
        TraderView trader;
        view.fill(trader, now);
        return trader;
    }
};

std::string currencyText(const CurrencyCode &code)
{
    return {code.data(), std::find(code.begin(), code.end(), '\0')};
}

using ViewPointer = std::shared_ptr<const MarketView>;

ViewPointer waitForView(const Session &session,
                        const std::function<bool(const MarketView &)> &predicate)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 10'000) {
        ViewPointer view = session.latestView();
        if (view && predicate(*view))
            return view;
        QThread::msleep(2);
    }
    return nullptr;
}

} // namespace

class ReplayFillsDepthTest : public QObject {
    Q_OBJECT

private slots:
    void bybitStreamFillsWithinLevelsAndLeavesBook();
    void bybitFillsReachPositionsAndView();
    void tardisFillReachesPositionsAndView();
    void sessionSeekBackFillsAtReplayTime();
};

// A Bybit XRPUSDT order-book stream of a snapshot and 49 deltas: every 5 messages an IOC buy of
// half the best ask and a bid of the same size at the best bid. Level data carries no
// trades, so only the taker orders and crosses fill. Each taker fill is at most what the level
// showed less what the trader took there, and the replayed book ends as a run without the
// trader's orders leaves it.
void ReplayFillsDepthTest::bybitStreamFillsWithinLevelsAndLeavesBook()
{
    QTemporaryDir directory;
    QString extractProblem;
    const QString path = extractBybitDay(directory, extractProblem);
    if (path.isEmpty())
        QSKIP(qPrintable(extractProblem));
    std::string problem;
    const std::optional<DepthFeedSource> source = depthFeedSourceFor(path.toStdString(), problem);
    QVERIFY2(source, problem.c_str());

    Engine alone;
    std::string error;
    const std::unique_ptr<ReplayFeed> aloneFeed = openDepthFeed(*source, alone, error);
    QVERIFY2(aloneFeed, error.c_str());
    while (aloneFeed->step() == ReplayFeed::Step::Applied) {
    }

    Engine market;
    ReplayFills model(market, {{traderAccount()}, {}, {}});
    market.addHandler(&model);
    const std::unique_ptr<ReplayFeed> feed = openDepthFeed(*source, market, error);
    QVERIFY2(feed, error.c_str());

    std::size_t violations = 0;
    Timestamp time;
    for (std::size_t step = 1;; ++step) {
        time = std::max(time, feed->nextTime().value_or(time));
        if (feed->step() != ReplayFeed::Step::Applied)
            break;
        const OrderBook &book = market.book();
        if (step % kOrderEvery != 0 || book.levelCount(Side::Buy) == 0 ||
            book.levelCount(Side::Sell) == 0)
            continue;

        std::map<std::int64_t, Quantity> available;
        for (std::size_t depth = 0; depth < book.levelCount(Side::Sell); ++depth) {
            const LevelSummary level = book.level(Side::Sell, depth);
            available[level.price.value()] =
                level.quantity - model.consumed(Side::Sell, level.price);
        }
        const LevelSummary ask = book.level(Side::Sell, 0);
        const Quantity size{std::max<std::int64_t>(ask.quantity.value() / 2, 1)};
        const std::size_t before = model.fills().size();
        model.submit(buyOrder(ask.price, size, TimeInForce::Ioc), time);
        for (std::size_t index = before; index < model.fills().size(); ++index) {
            const SimulatedFill &fill = model.fills()[index];
            if (fill.quantity > available[fill.price.value()])
                ++violations;
        }
        model.submit(buyOrder(book.level(Side::Buy, 0).price, size, TimeInForce::Gtc), time);
    }
    market.removeHandler(&model);

    std::map<SimulatedFillCause, std::size_t> causes;
    for (const SimulatedFill &fill : model.fills())
        ++causes[fill.cause];
    qInfo("fills: %zu taker, %zu queue, %zu trade-through, %zu cross",
          causes[SimulatedFillCause::Taker], causes[SimulatedFillCause::Queue],
          causes[SimulatedFillCause::TradeThrough], causes[SimulatedFillCause::Cross]);
    QCOMPARE(violations, std::size_t{0});
    QVERIFY(causes[SimulatedFillCause::Taker] > 0);
    QCOMPARE(causes[SimulatedFillCause::Queue], std::size_t{0});
    QCOMPARE(causes[SimulatedFillCause::TradeThrough], std::size_t{0});
    QCOMPARE(market.stateHash(), alone.stateHash());
}

// The Bybit stream's snapshot, its first message, at 1733011200691 ms, offers 10,480 at 1.9532
// and 13,701 at 1.9533. A buy of 20,000 at 1.9533 takes 10,480 at 1.9532 and the other 9,520 at
// 1.9533. The account opens in USDT, which XRPUSDT is quoted in, so both fills post: the
// position is 20,000 long and the trader's view lists both fills, newest first.
void ReplayFillsDepthTest::bybitFillsReachPositionsAndView()
{
    QTemporaryDir directory;
    QString extractProblem;
    const QString path = extractBybitDay(directory, extractProblem);
    if (path.isEmpty())
        QSKIP(qPrintable(extractProblem));
    std::string problem;
    const std::optional<DepthFeedSource> source = depthFeedSourceFor(path.toStdString(), problem);
    QVERIFY2(source, problem.c_str());

    TradedFeed traded;
    std::string error;
    traded.feed = openDepthFeed(*source, traded.market, error);
    QVERIFY2(traded.feed, error.c_str());
    const Timestamp time{1733011200691 * kNanosecondsPerMillisecond};
    QCOMPARE(traded.feed->nextTime(), std::optional<Timestamp>(time));
    QCOMPARE(traded.feed->step(), ReplayFeed::Step::Applied);
    const InstrumentDefinition *definition = traded.market.definition(InstrumentId{1});
    QVERIFY(definition != nullptr);
    QCOMPARE(int(definition->priceDecimals), 4);
    QCOMPARE(int(definition->quantityDecimals), 0);

    traded.model.submit(buyOrder(Price{19533}, Quantity{20'000}, TimeInForce::Gtc), time);

    QCOMPARE(traded.model.fills().size(), std::size_t{2});
    QCOMPARE(traded.model.unpostedFillCount(), std::uint64_t{0});
    const Engine &trader = traded.model.traderEngine();
    const Account *account = trader.portfolio().account(kTrader);
    QVERIFY(account != nullptr);
    QCOMPARE(currencyText(account->settings.currency), std::string("USDT"));
    const Position *position = trader.portfolio().position(kTrader, InstrumentId{1});
    QVERIFY(position != nullptr);
    QCOMPARE(position->quantity, Quantity{20'000});

    const TraderView view = traded.traderView(time);
    QCOMPARE(view.fills.size(), std::size_t{2});
    QCOMPARE(view.fills[0].price, Price{19533});
    QCOMPARE(view.fills[0].quantity, Quantity{9'520});
    QCOMPARE(view.fills[1].price, Price{19532});
    QCOMPARE(view.fills[1].quantity, Quantity{10'480});
    QCOMPARE(view.fills[1].time, time);
    QVERIFY(view.fills[0].simulated);
    QCOMPARE(view.positions.size(), std::size_t{1});
    QCOMPARE(view.positions[0].quantity, Quantity{20'000});
    QCOMPARE(view.positions[0].currency, std::string("USDT"));
}

// The Tardis BTCUSDT tape opens with a quote at 1582329601096 ms: 0.84 offered at 9682 and 0.67
// bid at 9681.92. A buy of 0.500 at 9682 takes 0.500 of the offer, and the fill posts in USDT.
void ReplayFillsDepthTest::tardisFillReachesPositionsAndView()
{
    BOURSE_REQUIRE_DATA_FILE(marketDataPath(kTardisTrades));
    const std::optional<TapeFeedSource> source =
        tapeFeedSourceFor(marketDataPath(kTardisTrades).toStdString());
    QVERIFY(source);
    QVERIFY(!source->quotesPath.empty());

    TradedFeed traded;
    std::string error;
    traded.feed = openTapeFeed(*source, traded.market, error);
    QVERIFY2(traded.feed, error.c_str());
    const Timestamp time{1582329601096 * kNanosecondsPerMillisecond};
    QCOMPARE(traded.feed->nextTime(), std::optional<Timestamp>(time));
    QCOMPARE(traded.feed->step(), ReplayFeed::Step::Applied);
    const InstrumentDefinition *definition = traded.market.definition(InstrumentId{1});
    QVERIFY(definition != nullptr);
    QCOMPARE(int(definition->priceDecimals), 2);
    QCOMPARE(int(definition->quantityDecimals), 3);

    traded.model.submit(buyOrder(Price{968'200}, Quantity{500}, TimeInForce::Ioc), time);

    QCOMPARE(traded.model.fills().size(), std::size_t{1});
    QCOMPARE(traded.model.unpostedFillCount(), std::uint64_t{0});
    const Position *position =
        traded.model.traderEngine().portfolio().position(kTrader, InstrumentId{1});
    QVERIFY(position != nullptr);
    QCOMPARE(position->quantity, Quantity{500});

    const TraderView view = traded.traderView(time);
    QCOMPARE(view.fills.size(), std::size_t{1});
    QCOMPARE(view.fills[0].price, Price{968'200});
    QCOMPARE(view.fills[0].quantity, Quantity{500});
    QCOMPARE(view.fills[0].time, time);
    QCOMPARE(view.positions.size(), std::size_t{1});
    QCOMPARE(view.positions[0].quantity, Quantity{500});
    QCOMPARE(view.positions[0].currency, std::string("USDT"));
}

// A session replays the Bybit stream paused. At the 30th message, 1733011203490 ms, a buy of one
// XRP at the best offer fills at that time. A seek back to the 5th message, 1733011200991 ms,
// and the same buy fills at that earlier time, not the one before the seek, and both fills
// reach the position.
void ReplayFillsDepthTest::sessionSeekBackFillsAtReplayTime()
{
    QTemporaryDir directory;
    QString extractProblem;
    const QString path = extractBybitDay(directory, extractProblem);
    if (path.isEmpty())
        QSKIP(qPrintable(extractProblem));
    std::string problem;
    const std::optional<DepthFeedSource> depthSource =
        depthFeedSourceFor(path.toStdString(), problem);
    QVERIFY2(depthSource, problem.c_str());
    Session::ReplaySource source;
    source.messagePath = depthSource->path;
    source.openFeed = [depthSource](Engine &engine, std::string &message) {
        return openDepthFeed(*depthSource, engine, message);
    };
    source.speed = 0.001;

    Session session;
    const std::optional<std::string> error = session.startReplay(source);
    QVERIFY2(!error, error ? error->c_str() : "");
    session.pause();

    const auto buyAtTime = [&session](Timestamp time, std::size_t fills) -> ViewPointer {
        session.seek(time);
        const ViewPointer at = waitForView(session, [time](const MarketView &view) {
            return view.replayTime == time && view.replayState == ReplayState::Paused &&
                   !view.asks.empty();
        });
        if (!at)
            return nullptr;
        NewOrder order = buyOrder(at->asks.front().price, Quantity{1}, TimeInForce::Ioc);
        order.instrument = at->instrument;
        session.submit(order);
        return waitForView(
            session, [fills](const MarketView &view) { return view.trader.fills.size() == fills; });
    };

    const Timestamp later{1733011203490 * kNanosecondsPerMillisecond};
    const ViewPointer first = buyAtTime(later, 1);
    QVERIFY(first);
    QCOMPARE(first->trader.fills.front().time, later);

    const Timestamp earlier{1733011200991 * kNanosecondsPerMillisecond};
    const ViewPointer second = buyAtTime(earlier, 2);
    QVERIFY(second);
    QCOMPARE(second->trader.fills.front().time, earlier);
    QCOMPARE(second->trader.positions.size(), std::size_t{1});
    QCOMPARE(second->trader.positions.front().quantity, Quantity{2});
    QCOMPARE(second->trader.positions.front().currency, std::string("USDT"));
    QVERIFY(second->error.empty());
    session.stop();
}

QTEST_GUILESS_MAIN(ReplayFillsDepthTest)

#include "tst_replay_fills_depth.moc"

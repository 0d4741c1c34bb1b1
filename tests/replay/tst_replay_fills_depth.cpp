#include "bybit_archive.h"
#include "depth_feed.h"
#include "engine_printers.h"
#include "replay_fills.h"
#include "test_data.h"

#include <QTemporaryDir>
#include <QTest>

#include <map>
#include <memory>
#include <string>

using namespace bourse;
using bourse::replay::testing::extractBybitDay;
using namespace bourse::replay;

namespace {

constexpr std::size_t kOrderEvery = 5;

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

} // namespace

class ReplayFillsDepthTest : public QObject {
    Q_OBJECT

private slots:
    void bybitStreamFillsWithinLevelsAndLeavesBook();
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
    ReplayFills model(market, {{traderAccount()}, {}});
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

QTEST_APPLESS_MAIN(ReplayFillsDepthTest)

#include "tst_replay_fills_depth.moc"

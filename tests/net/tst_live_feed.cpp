// A terminal session (Session) whose source is a live remote feed (openLiveFeed), with a
// FeedPublisher in the same process on loopback TCP. The session's engine must hold the book
// the publisher's source holds: the GOOG day's last orderbook row, or a hand-built book. A lost
// message must mark the view stale with its reason until a snapshot comes, and a paper order
// must fill as the queue-position model of replay trading fills it.

#include "feed_publisher.h"
#include "live_session.h"
#include "orderbook_row.h"

#include "engine_printers.h"
#include "test_data.h"

#include <QElapsedTimer>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <functional>
#include <thread>

using namespace bourse;
using namespace std::chrono_literals;
namespace feed = bourse::net::feed;

namespace {

using live_session::ViewPointer;
using live_session::waitForView;

const QString kGoogMessages =
    QStringLiteral("lobster/GOOG_2012-06-21_34200000_57600000_message_10.csv");
const QString kGoogOrderbook =
    QStringLiteral("lobster/GOOG_2012-06-21_34200000_57600000_orderbook_10.csv");
constexpr const char *kLoopback = "tcp://127.0.0.1:*";
constexpr const char *kTopic = "TEST";

// The view's stale reason and level counts, for a failure message.
std::string describe(const ViewPointer &view)
{
    if (!view)
        return "no view";
    return "stale reason '" + view->replayStale + "', " + std::to_string(view->bids.size()) +
           " bid and " + std::to_string(view->asks.size()) + " ask levels, " +
           std::to_string(view->replayMessages) + " messages";
}

// The levels of the session's own book, best first, bids then asks.
std::vector<LevelSummary> sessionLevels(Session &session, std::size_t levels)
{
    std::future<BookDepth> answer = session.queryBook(InstrumentId{0}, levels);
    if (answer.wait_for(5s) != std::future_status::ready)
        return {};
    const BookDepth depth = answer.get();
    std::vector<LevelSummary> all = depth.bids;
    all.insert(all.end(), depth.asks.begin(), depth.asks.end());
    return all;
}

// The orderbook file has no order counts, so levels compare by price and size.
bool samePricesAndSizes(const std::vector<LevelSummary> &left,
                        const std::vector<LevelSummary> &right)
{
    return std::equal(left.begin(), left.end(), right.begin(), right.end(),
                      [](const LevelSummary &a, const LevelSummary &b) {
                          return a.price == b.price && a.quantity == b.quantity;
                      });
}

feed::OrderMessage add(std::uint64_t id, Side side, std::int64_t price, std::int64_t quantity,
                       std::int64_t second)
{
    return {
        feed::OrderAction::Add, Timestamp{second * 1'000'000'000}, OrderId{id}, side, Price{price},
        Quantity{quantity}};
}

NewOrder paperBuy(std::int64_t quantity, std::int64_t price)
{
    NewOrder order;
    order.instrument = InstrumentId{1};
    order.side = Side::Buy;
    order.type = OrderType::Limit;
    order.timeInForce = TimeInForce::Gtc;
    order.quantity = Quantity{quantity};
    order.limit = Price{price};
    return order;
}

bool hasBid(const MarketView &view, std::int64_t price, std::int64_t quantity)
{
    return !view.bids.empty() && view.bids.front().price == Price{price} &&
           view.bids.front().quantity == Quantity{quantity};
}

} // namespace

class TestLiveFeed : public QObject {
    Q_OBJECT

private slots:
    void goodDayEndsAtOrderbookRow_data();
    void goodDayEndsAtOrderbookRow();
    void lostMessageStaleUntilSnapshot();
    void noSnapshotEndpointStaysStale();
    void silentPublisherMarksStale();
    void paperOrderFillsByQueue();
};

void TestLiveFeed::goodDayEndsAtOrderbookRow_data()
{
    QTest::addColumn<std::size_t>("dropEvery");
    QTest::newRow("every message") << std::size_t{0};
    // About 78 gaps over the day's 157,093 feed messages, each healed by a snapshot.
    QTest::newRow("every 2000th dropped") << std::size_t{2000};
}

// The GOOG day, played at full speed with its orderbook file, ends at the file's last row, and
// so does it when messages are lost and snapshots replace the book.
void TestLiveFeed::goodDayEndsAtOrderbookRow()
{
    QFETCH(std::size_t, dropEvery);
    const QString messages = marketDataPath(kGoogMessages);
    const QString orderbook = marketDataPath(kGoogOrderbook);
    BOURSE_REQUIRE_DATA_FILE(messages);
    BOURSE_REQUIRE_DATA_FILE(orderbook);

    feed::FeedPublisherOptions options{kLoopback, kLoopback};
    options.dropEvery = dropEvery;
    live_session::LoopbackFeed loopback(options);
    feed::FeedPublisher &publisher = loopback.publisher;
    std::string error;
    std::unique_ptr<feed::FeedSource> source = feed::openLobsterReplaySource(
        messages.toStdString(), orderbook.toStdString(), "GOOG", error);
    QVERIFY2(source, error.c_str());

    QVERIFY(loopback.open());
    Session &session = *loopback.session;
    std::optional<std::string> played;
    std::thread player([&] {
        feed::PlayOptions pacing;
        pacing.linger = 2000ms;
        played = feed::play(publisher, *source, pacing, loopback.stop);
    });
    player.join();
    QVERIFY2(!played, played ? played->c_str() : "");
    // Each gap was healed by a snapshot that the session requested.
    QCOMPARE(publisher.statistics().snapshots > 0, dropEvery > 0);

    const std::vector<LevelSummary> expected = lastOrderbookRow(orderbook.toStdString());
    QCOMPARE(expected.size(), std::size_t{20});
    QElapsedTimer timer;
    timer.start();
    std::vector<LevelSummary> levels;
    while (timer.elapsed() < 60'000) {
        levels = sessionLevels(session, 10);
        if (samePricesAndSizes(levels, expected))
            break;
        std::this_thread::sleep_for(50ms);
    }
    QCOMPARE(levels.size(), expected.size());
    for (std::size_t index = 0; index < expected.size(); ++index) {
        QCOMPARE(levels[index].price, expected[index].price);
        QCOMPARE(levels[index].quantity, expected[index].quantity);
    }
    const ViewPointer view = session.latestView();
    QVERIFY(view);
    QCOMPARE(view->replayStale, std::string());
    QVERIFY(view->replayLive);
    QCOMPARE(view->replayState, ReplayState::Playing);
}

// A lost message shows the book stale with the missing sequence number until the publisher
// replies to the snapshot request, and the snapshot brings the lost order in.
void TestLiveFeed::lostMessageStaleUntilSnapshot()
{
    live_session::LoopbackFeed loopback(live_session::lossyPublisher());
    QVERIFY(loopback.open());
    Session &session = *loopback.session;
    live_session::publishLostBid(loopback.publisher, kTopic);

    // No serve() yet, so the request waits unanswered, and the order after the gap is kept
    // for the snapshot rather than applied.
    const ViewPointer stale = waitForView(session, [](const MarketView &view) {
        return !view.replayStale.empty() && view.bids.size() == 1 && view.asks.size() == 1;
    });
    QVERIFY2(stale, describe(session.latestView()).c_str());
    QVERIFY2(stale->replayStale.find("sequence 3 is missing (4 received)") != std::string::npos,
             stale->replayStale.c_str());
    const std::string endpoint = loopback.publisher.snapshotEndpoint();
    QVERIFY2(stale->replayStale.find("snapshot requested from " + endpoint) != std::string::npos,
             stale->replayStale.c_str());
    QVERIFY(hasBid(*stale, 1000, 100));

    const ViewPointer live = waitForView(
        session, [](const MarketView &view) { return view.replayStale.empty(); },
        [&] { loopback.serve(); });
    QVERIFY(live);
    QVERIFY(hasBid(*live, 1001, 20));
    QCOMPARE(live->bids.size(), std::size_t{2});
    QCOMPARE(live->asks.size(), std::size_t{2});
    QCOMPARE(live->asks.back().price, Price{1011});
}

// Without a snapshot endpoint the book stays stale, with the reason, however long it waits.
void TestLiveFeed::noSnapshotEndpointStaysStale()
{
    feed::FeedPublisherOptions options{kLoopback, kLoopback};
    options.dropEvery = 2;
    live_session::LoopbackFeed loopback(options);
    QVERIFY(loopback.open(live_session::LoopbackFeed::Snapshots::None));
    Session &session = *loopback.session;
    feed::FeedPublisher &publisher = loopback.publisher;

    publisher.define(kTopic, {feed::BookDepth::Orders, 2, 0, 1, 1});
    publisher.publish(kTopic, add(1, Side::Buy, 1000, 100, 1));
    publisher.publish(kTopic, add(2, Side::Sell, 1010, 50, 2)); // sequence 2, dropped
    publisher.publish(kTopic, add(3, Side::Sell, 1011, 5, 3));
    publisher.flush();

    const ViewPointer stale = waitForView(
        session,
        [](const MarketView &view) { return !view.replayStale.empty() && !view.bids.empty(); },
        [&] { loopback.serve(); });
    QVERIFY(stale);
    QVERIFY2(stale->replayStale.find("sequence 2 is missing") != std::string::npos,
             stale->replayStale.c_str());
    QVERIFY2(stale->replayStale.find("no snapshot endpoint") != std::string::npos,
             stale->replayStale.c_str());
    // Longer than the subscriber's wait between two snapshot requests.
    const ViewPointer cleared = waitForView(
        session, [](const MarketView &view) { return view.replayStale.empty(); },
        [&] { loopback.serve(); }, 1500);
    QVERIFY(!cleared);
    QCOMPARE(session.latestView()->replayStale, stale->replayStale);
    QVERIFY(session.latestView()->asks.empty());
}

// A publisher that stops sending, heartbeats included, leaves its last book on screen. After the
// silence limit of 3 s the book is marked stale with the endpoint. The next heartbeat, whose
// sequence number shows that nothing was lost, makes it live again.
void TestLiveFeed::silentPublisherMarksStale()
{
    live_session::LoopbackFeed loopback(feed::FeedPublisherOptions{kLoopback, kLoopback});
    QVERIFY(loopback.open());
    Session &session = *loopback.session;
    feed::FeedPublisher &publisher = loopback.publisher;
    publisher.define(kTopic, {feed::BookDepth::Orders, 2, 0, 1, 1});
    publisher.publish(kTopic, add(1, Side::Buy, 1000, 100, 1));
    publisher.publish(kTopic, add(2, Side::Sell, 1010, 50, 2));
    publisher.flush();

    const ViewPointer live = waitForView(
        session,
        [](const MarketView &view) { return view.replayStale.empty() && view.asks.size() == 1; },
        [&] { loopback.serve(); });
    QVERIFY2(live, describe(session.latestView()).c_str());

    // No serve() from here: the publisher sends nothing, not even heartbeats.
    const ViewPointer silent = waitForView(
        session, [](const MarketView &view) { return !view.replayStale.empty(); }, {}, 8000);
    QVERIFY2(silent, describe(session.latestView()).c_str());
    const std::string expected = "no message from " + publisher.endpoint() + " for 3 s";
    QVERIFY2(silent->replayStale.find(expected) != std::string::npos, silent->replayStale.c_str());
    QVERIFY(hasBid(*silent, 1000, 100));

    const ViewPointer resumed = waitForView(
        session, [](const MarketView &view) { return view.replayStale.empty(); },
        [&] { loopback.serve(); });
    QVERIFY2(resumed, describe(session.latestView()).c_str());
    QVERIFY(hasBid(*resumed, 1000, 100));
}

// A paper bid of 30 at 10.00 joins behind 100. An execution of 60 of the order ahead leaves 40
// ahead and fills nothing. A hidden trade of 50 at 10.00 takes the 40 still ahead and fills the
// other 10, at 10.00, leaving 20 working (docs/replay-trading.md, resting orders).
void TestLiveFeed::paperOrderFillsByQueue()
{
    live_session::LoopbackFeed loopback({kLoopback, kLoopback});
    QVERIFY(loopback.open());
    Session &session = *loopback.session;
    feed::FeedPublisher &publisher = loopback.publisher;
    const auto serve = [&] { loopback.serve(); };

    publisher.define(kTopic, {feed::BookDepth::Orders, 2, 0, 1, 1});
    publisher.publish(kTopic, add(1, Side::Buy, 1000, 100, 1));
    publisher.publish(kTopic, add(2, Side::Sell, 1010, 50, 2));
    publisher.flush();
    const ViewPointer booked = waitForView(
        session, [](const MarketView &view) { return hasBid(view, 1000, 100) && view.takesOrders; },
        serve);
    QVERIFY(booked);

    QVERIFY(session.submit(paperBuy(30, 1000)));
    const ViewPointer working = waitForView(
        session, [](const MarketView &view) { return view.trader.workingOrders.size() == 1; },
        serve);
    QVERIFY(working);

    publisher.publish(kTopic,
                      feed::OrderMessage{feed::OrderAction::Execute, Timestamp{3'000'000'000},
                                         OrderId{1}, Side::Buy, Price{1000}, Quantity{60}});
    publisher.flush();
    const ViewPointer ahead = waitForView(
        session, [](const MarketView &view) { return hasBid(view, 1000, 40); }, serve);
    QVERIFY(ahead);
    QVERIFY(ahead->trader.fills.empty());

    publisher.publish(kTopic,
                      feed::Trade{Timestamp{4'000'000'000}, Side::Sell, Price{1000}, Quantity{50}});
    publisher.flush();
    const ViewPointer filled = waitForView(
        session, [](const MarketView &view) { return !view.trader.fills.empty(); }, serve);
    QVERIFY(filled);
    QCOMPARE(filled->trader.fills.size(), std::size_t{1});
    const OwnFill &fill = filled->trader.fills.front();
    QCOMPARE(fill.price, Price{1000});
    QCOMPARE(fill.quantity, Quantity{10});
    QVERIFY(fill.maker);
    QVERIFY(fill.simulated);
    QCOMPARE(filled->trader.workingOrders.size(), std::size_t{1});
    QCOMPARE(filled->trader.workingOrders.front().remaining, Quantity{20});
    QCOMPARE(filled->trader.positions.size(), std::size_t{1});
    QCOMPARE(filled->trader.positions.front().quantity, Quantity{10});
}

QTEST_GUILESS_MAIN(TestLiveFeed)
#include "tst_live_feed.moc"

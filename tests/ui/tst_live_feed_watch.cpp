// The market watch's model fed with the views of a session on a live remote feed, from a
// FeedPublisher in the same process on loopback TCP: a lost message shows the row Stale until
// the publisher replies to the snapshot request, and the row shows the feed's best prices.

#include "market_watch_model.h"
#include "net/live_session.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace bourse;
using namespace std::chrono_literals;
using bourse::ui::MarketWatchModel;
namespace feed = bourse::net::feed;

namespace {

QString cell(const QAbstractItemModel &model, int column)
{
    return model.index(0, column).data().toString();
}

} // namespace

class LiveFeedWatchTest : public QObject {
    Q_OBJECT

private slots:
    void lostMessageStaleUntilSnapshot();
};

// Prices have two decimals: a bid of 10.00 and an ask of 10.10, then a lost bid of 10.01.
void LiveFeedWatchTest::lostMessageStaleUntilSnapshot()
{
    live_session::LoopbackFeed loopback(live_session::lossyPublisher());
    QVERIFY(loopback.open());
    Session &session = *loopback.session;

    MarketWatchModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    live_session::publishLostBid(loopback.publisher, "ACME");

    const live_session::ViewPointer stale =
        live_session::waitForView(session, [](const MarketView &view) {
            return !view.replayStale.empty() && !view.bids.empty();
        });
    QVERIFY(stale);
    model.applyView(*stale);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(cell(model, MarketWatchModel::SymbolColumn), QStringLiteral("ACME"));
    QCOMPARE(cell(model, MarketWatchModel::StatusColumn), QStringLiteral("Stale"));
    QCOMPARE(cell(model, MarketWatchModel::BidColumn), QStringLiteral("10.00"));

    const live_session::ViewPointer live = live_session::waitForView(
        session, [](const MarketView &view) { return view.replayStale.empty(); },
        [&] { loopback.serve(); });
    QVERIFY(live);
    model.applyView(*live);
    QCOMPARE(cell(model, MarketWatchModel::StatusColumn), QStringLiteral("Open"));
    QCOMPARE(cell(model, MarketWatchModel::BidColumn), QStringLiteral("10.01"));
    QCOMPARE(cell(model, MarketWatchModel::AskColumn), QStringLiteral("10.10"));
}

QTEST_MAIN(LiveFeedWatchTest)
#include "tst_live_feed_watch.moc"

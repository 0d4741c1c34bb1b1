#include "market_feed.h"

#include <QSignalSpy>
#include <QTest>

using bourse::MarketView;
using bourse::ui::MarketFeed;

class MarketFeedTest : public QObject {
    Q_OBJECT

private slots:
    void nothingPublishedEmitsNothing();
    void newViewEmittedOnce();
    void newSourceEmitsItsFirstView();
    void timerPollsWhileStarted();
    void emptySourceStopsPolling();
};

void MarketFeedTest::nothingPublishedEmitsNothing()
{
    MarketFeed feed;
    feed.setSource([] { return std::shared_ptr<const MarketView>(); });
    QSignalSpy changed(&feed, &MarketFeed::viewChanged);

    feed.poll();

    QCOMPARE(changed.count(), 0);
    QVERIFY(!feed.currentView());
}

void MarketFeedTest::newViewEmittedOnce()
{
    std::shared_ptr<const MarketView> published = std::make_shared<MarketView>();
    MarketFeed feed;
    feed.setSource([&published] { return published; });
    QSignalSpy changed(&feed, &MarketFeed::viewChanged);

    feed.poll();
    feed.poll();
    QCOMPARE(changed.count(), 1);
    QCOMPARE(feed.currentView(), published);

    // A new object counts as a new view even when its contents are equal.
    published = std::make_shared<MarketView>();
    feed.poll();
    feed.poll();
    QCOMPARE(changed.count(), 2);
    QCOMPARE(changed.at(1).at(0).value<std::shared_ptr<const MarketView>>(), published);
}

void MarketFeedTest::newSourceEmitsItsFirstView()
{
    const std::shared_ptr<const MarketView> published = std::make_shared<MarketView>();
    MarketFeed feed;
    feed.setSource([&published] { return published; });
    feed.poll();
    QSignalSpy changed(&feed, &MarketFeed::viewChanged);

    feed.setSource([&published] { return published; });
    feed.poll();

    QCOMPARE(changed.count(), 1);
}

void MarketFeedTest::timerPollsWhileStarted()
{
    std::shared_ptr<const MarketView> published = std::make_shared<MarketView>();
    MarketFeed feed;
    feed.setSource([&published] { return published; });
    QSignalSpy changed(&feed, &MarketFeed::viewChanged);

    feed.start(60);
    QVERIFY(feed.isActive());
    QCOMPARE(changed.count(), 1); // start() polls right away

    published = std::make_shared<MarketView>();
    QTRY_COMPARE(changed.count(), 2);

    feed.stop();
    QVERIFY(!feed.isActive());
}

void MarketFeedTest::emptySourceStopsPolling()
{
    MarketFeed feed;
    feed.setSource([] { return std::make_shared<const MarketView>(); });
    feed.start(30);

    feed.setSource({});

    QVERIFY(!feed.isActive());
    QVERIFY(!feed.currentView());
}

QTEST_MAIN(MarketFeedTest)
#include "tst_market_feed.moc"

// FeedBooks: sequence numbers, snapshots and sessions of remote feed streams, without sockets.
// Expected books are computed by hand from the messages of each scenario.

#include "feed_books.h"

#include <QTest>

using bourse::OrderBook;
using bourse::OrderId;
using bourse::Price;
using bourse::Quantity;
using bourse::Side;
using bourse::Timestamp;
namespace lobster = bourse::lobster;
namespace replay = bourse::replay;
using namespace bourse::net::feed;

namespace {

constexpr std::uint64_t kSession = 7;

Message levelUpdate(std::uint64_t sequence, std::vector<LevelChange> changes)
{
    return Message{sequence, LevelUpdate{Timestamp{0}, std::move(changes)}};
}

LevelChange bid(std::int64_t price, std::int64_t size)
{
    return {Side::Buy, Price{price}, Quantity{size}};
}

LevelChange ask(std::int64_t price, std::int64_t size)
{
    return {Side::Sell, Price{price}, Quantity{size}};
}

Message add(std::uint64_t sequence, std::uint64_t id, Side side, std::int64_t price,
            std::int64_t quantity)
{
    return Message{sequence, OrderMessage{OrderAction::Add, Timestamp{0}, OrderId{id}, side,
                                          Price{price}, Quantity{quantity}}};
}

Message bookSnapshot(std::uint64_t sequence, std::vector<Level> bids, std::vector<Level> asks)
{
    return Message{sequence, BookSnapshot{std::move(bids), std::move(asks)}};
}

Level level(std::int64_t price, std::int64_t size)
{
    return {Price{price}, Quantity{size}};
}

Batch batchOf(std::vector<Message> messages, std::uint64_t session = kSession)
{
    return Batch{"X", session, std::move(messages)};
}

// Records the topics that requested a snapshot.
class Requests : public FeedBooksHandler {
public:
    void snapshotRequested(const std::string &topic) override { topics.push_back(topic); }
    std::vector<std::string> topics;
};

} // namespace

Q_DECLARE_METATYPE(std::vector<Message>)

class TestFeedBooks : public QObject {
    Q_OBJECT

private slots:
    void snapshotDropsHeldUpdatesAndDetectsGap();
    void streamSeenFromStartIsLive();
    void lateJoinWaitsForSnapshot();
    void heartbeatRevealsLostLastMessage();
    void orderStreamHealsFromSnapshot();
    void newSessionResetsStream();
    void rejectedPayloadIsCounted();
    void crossedBookIsStale_data();
    void crossedBookIsStale();
    void executionLargerThanOrderIsStale();
    void addOfRestingIdIsStale();
    void differingSnapshotAtOneSequenceIsStale();
    void equalSnapshotAtOneSequenceIsDuplicate();
    void snapshotReplyFromOtherSessionRejected();
    void snapshotReplyForUnknownTopicRejected();
    void snapshotReplyFarAheadRejected();
    void snapshotReplyWithUpdateRejected();
    void emptySnapshotReplyNamesMissingTopic();
};

// A subscriber keeps updates n4 to n7 while it waits for a snapshot taken at n5 with bids
// {99:10} and asks {101:10}. n4 and n5 are in the snapshot already; n6 and n7 follow it. After
// n7 the book is bids 100x4 and 99x10, ask 101x6, with no level at 98 (n5 removed the 98 that n4
// set, and the snapshot, taken after n5, has none). n9 then arrives without n8: it is not
// applied, the book goes stale and a new snapshot is requested.
void TestFeedBooks::snapshotDropsHeldUpdatesAndDetectsGap()
{
    FeedBooks books;
    Requests requests;
    books.setHandler(&requests);

    books.apply(batchOf({levelUpdate(4, {bid(98, 3)})}));
    QCOMPARE(requests.topics.size(), std::size_t{1});
    books.apply(batchOf({levelUpdate(5, {bid(98, 0)}), levelUpdate(6, {bid(100, 4)}),
                         levelUpdate(7, {ask(101, 6)})}));
    QCOMPARE(books.summary("X")->state, StreamState::AwaitingSnapshot);

    books.apply(batchOf(
        {Message{5, BookSnapshot{{{Price{99}, Quantity{10}}}, {{Price{101}, Quantity{10}}}}}}));
    const replay::DepthBook *book = books.levelBook("X");
    QVERIFY(book);
    QCOMPARE(books.summary("X")->state, StreamState::Live);
    QCOMPARE(books.summary("X")->lastSequence, std::uint64_t{7});
    const std::vector<replay::BookLevel> expectedBids{{Price{100}, Quantity{4}},
                                                      {Price{99}, Quantity{10}}};
    const std::vector<replay::BookLevel> expectedAsks{{Price{101}, Quantity{6}}};
    QCOMPARE(book->levels(Side::Buy), expectedBids);
    QCOMPARE(book->levels(Side::Sell), expectedAsks);
    QCOMPARE(book->sizeAt(Side::Buy, Price{98}), Quantity{0});
    QCOMPARE(books.statistics().duplicates, std::size_t{2});

    books.apply(batchOf({levelUpdate(9, {bid(99, 0)})}));
    QCOMPARE(books.summary("X")->state, StreamState::Stale);
    QCOMPARE(books.statistics().gaps, std::size_t{1});
    QCOMPARE(requests.topics.size(), std::size_t{2});
    QCOMPARE(book->sizeAt(Side::Buy, Price{99}), Quantity{10});
    QVERIFY(books.summary("X")->staleReason.find("sequence 8 is missing") != std::string::npos);
}

void TestFeedBooks::streamSeenFromStartIsLive()
{
    FeedBooks books;
    Requests requests;
    books.setHandler(&requests);
    books.apply(batchOf({levelUpdate(1, {bid(100, 5)}), levelUpdate(2, {ask(102, 3)})}));

    QCOMPARE(books.summary("X")->state, StreamState::Live);
    QVERIFY(requests.topics.empty());
    QCOMPARE(books.statistics().events, std::size_t{2});
    QCOMPARE(books.levelBook("X")->sizeAt(Side::Sell, Price{102}), Quantity{3});
}

void TestFeedBooks::lateJoinWaitsForSnapshot()
{
    FeedBooks books;
    Requests requests;
    books.setHandler(&requests);
    books.apply(batchOf({add(41, 1, Side::Buy, 100, 5)}));

    QCOMPARE(books.summary("X")->state, StreamState::AwaitingSnapshot);
    QCOMPARE(requests.topics, std::vector<std::string>{"X"});
    QCOMPARE(books.statistics().gaps, std::size_t{0});
    QCOMPARE(books.orderBook("X")->book().orderCount(), std::size_t{0});
}

void TestFeedBooks::heartbeatRevealsLostLastMessage()
{
    FeedBooks books;
    books.apply(batchOf({add(1, 1, Side::Buy, 100, 5), add(2, 2, Side::Sell, 101, 5)}));
    books.apply(batchOf({Message{2, Heartbeat{}}}));
    QCOMPARE(books.summary("X")->state, StreamState::Live);

    books.apply(batchOf({Message{3, Heartbeat{}}}));
    QCOMPARE(books.summary("X")->state, StreamState::Stale);
    QCOMPARE(books.statistics().gaps, std::size_t{1});
}

// Orders 1 and 2 rest; message 3 (order 3 added) is lost, message 4 deletes order 1. The
// snapshot at 3 contains orders 1, 2 and 3; message 4 then applies: orders 2 and 3 remain.
void TestFeedBooks::orderStreamHealsFromSnapshot()
{
    FeedBooks books;
    books.apply(batchOf({add(1, 1, Side::Buy, 100, 5), add(2, 2, Side::Sell, 101, 7)}));
    const Message deleteFirst{4, OrderMessage{OrderAction::Delete, Timestamp{0}, OrderId{1},
                                              Side::Buy, Price{100}, Quantity{5}}};
    books.apply(batchOf({deleteFirst}));
    QCOMPARE(books.summary("X")->state, StreamState::Stale);
    QCOMPARE(books.orderBook("X")->book().orderCount(), std::size_t{2});

    OrderSnapshot snapshot{{{OrderId{1}, Side::Buy, Price{100}, Quantity{5}},
                            {OrderId{3}, Side::Buy, Price{99}, Quantity{2}},
                            {OrderId{2}, Side::Sell, Price{101}, Quantity{7}}}};
    books.apply(batchOf({Message{3, snapshot}}));

    const StreamSummary summary = *books.summary("X");
    QCOMPARE(summary.state, StreamState::Live);
    QCOMPARE(summary.lastSequence, std::uint64_t{4});
    const OrderBook &book = books.orderBook("X")->book();
    QCOMPARE(book.orderCount(), std::size_t{2});
    QCOMPARE(book.quantityAt(Side::Buy, Price{99}), Quantity{2});
    QCOMPARE(book.quantityAt(Side::Buy, Price{100}), Quantity{0});
    QCOMPARE(books.statistics().snapshots, std::size_t{1});
}

void TestFeedBooks::newSessionResetsStream()
{
    FeedBooks books;
    books.apply(batchOf({add(1, 1, Side::Buy, 100, 5), add(2, 2, Side::Buy, 99, 5)}));
    books.apply(batchOf({add(1, 9, Side::Sell, 105, 1)}, kSession + 1));

    const StreamSummary summary = *books.summary("X");
    QCOMPARE(books.statistics().restarts, std::size_t{1});
    QCOMPARE(summary.state, StreamState::Live);
    QCOMPARE(summary.session, kSession + 1);
    QCOMPARE(books.orderBook("X")->book().orderCount(), std::size_t{1});
    QCOMPARE(books.statistics().duplicates, std::size_t{0});
}

void TestFeedBooks::rejectedPayloadIsCounted()
{
    FeedBooks books;
    books.setSource("tcp://127.0.0.1:5600");
    books.reject(DecodeError{2, "price", "must be positive, is 0"}, "GOOG");
    QCOMPARE(books.statistics().rejected, std::size_t{1});
    QCOMPARE(
        books.statistics().lastRejection,
        std::string("tcp://127.0.0.1:5600 topic GOOG: message 2: price must be positive, is 0"));

    books.reject(DecodeError{std::nullopt, "payload", "is empty"}, "GOOG");
    QCOMPARE(books.statistics().lastRejection,
             std::string("tcp://127.0.0.1:5600 topic GOOG: payload is empty"));
}

// Each row's book has its best bid at or above its best ask, which no exchange's book has, so
// the subscriber must not show it as live.
void TestFeedBooks::crossedBookIsStale_data()
{
    QTest::addColumn<std::vector<Message>>("messages");
    QTest::addColumn<QString>("reason");

    QTest::newRow("level snapshot bid 105, ask 100")
        << std::vector<Message>{levelUpdate(3, {bid(90, 1)}),
                                bookSnapshot(3, {level(105, 1)}, {level(100, 1)})}
        << "crossed: bid 105 >= ask 100";
    QTest::newRow("level update adds bid 200 over ask 101")
        << std::vector<Message>{levelUpdate(1, {bid(100, 1), ask(101, 1)}),
                                levelUpdate(2, {bid(200, 1)})}
        << "crossed: bid 200 >= ask 101";
    QTest::newRow("adds of buy 105, then sell 100")
        << std::vector<Message>{add(1, 1, Side::Buy, 105, 5), add(2, 2, Side::Sell, 100, 5)}
        << "crossed: bid 105 >= ask 100";
    QTest::newRow("order snapshot buy 105, sell 101")
        << std::vector<Message>{add(3, 9, Side::Buy, 90, 1),
                                Message{3,
                                        OrderSnapshot{
                                            {{OrderId{1}, Side::Buy, Price{105}, Quantity{5}},
                                             {OrderId{2}, Side::Sell, Price{101}, Quantity{5}}}}}}
        << "crossed: bid 105 >= ask 101";
    QTest::newRow("locked levels, bid 100 and ask 100")
        << std::vector<Message>{levelUpdate(1, {bid(100, 1), ask(100, 1)})}
        << "crossed: bid 100 >= ask 100";
}

void TestFeedBooks::crossedBookIsStale()
{
    QFETCH(std::vector<Message>, messages);
    QFETCH(QString, reason);
    FeedBooks books;
    Requests requests;
    books.setHandler(&requests);

    for (const Message &message : messages)
        books.apply(batchOf({message}));

    const StreamSummary summary = *books.summary("X");
    QCOMPARE(summary.state, StreamState::Stale);
    QCOMPARE(QString::fromStdString(summary.staleReason), reason + ": waiting for a snapshot");
    QCOMPARE(books.statistics().contradictions, std::size_t{1});
    QCOMPARE(requests.topics.back(), std::string("X"));
    QVERIFY(books.pendingSnapshots() == std::vector<std::string>{"X"});
}

void TestFeedBooks::executionLargerThanOrderIsStale()
{
    FeedBooks books;
    books.apply(batchOf({add(1, 1, Side::Buy, 100, 5)}));
    books.apply(batchOf({Message{2, OrderMessage{OrderAction::Execute, Timestamp{0}, OrderId{1},
                                                 Side::Buy, Price{100}, Quantity{8}}}}));

    const StreamSummary summary = *books.summary("X");
    QCOMPARE(summary.state, StreamState::Stale);
    QCOMPARE(summary.staleReason, std::string("an execution of 8 on order 1, which has 5 left: "
                                              "waiting for a snapshot"));
    QCOMPARE(books.statistics().contradictions, std::size_t{1});
    QCOMPARE(books.orderBook("X")->book().quantityAt(Side::Buy, Price{100}), Quantity{5});
}

void TestFeedBooks::addOfRestingIdIsStale()
{
    FeedBooks books;
    books.apply(batchOf({add(1, 1, Side::Buy, 100, 5), add(2, 1, Side::Buy, 99, 3)}));

    const StreamSummary summary = *books.summary("X");
    QCOMPARE(summary.state, StreamState::Stale);
    QCOMPARE(summary.staleReason,
             std::string("order 1 is added again while it rests: waiting for a snapshot"));
    QCOMPARE(books.statistics().contradictions, std::size_t{1});
    QCOMPARE(books.orderBook("X")->book().orderCount(), std::size_t{1});
}

// Two snapshots at sequence 1 describe different books, so at most one is right; the book
// goes stale, and a third snapshot at the same sequence, taken while stale, heals it.
void TestFeedBooks::differingSnapshotAtOneSequenceIsStale()
{
    FeedBooks books;
    Requests requests;
    books.setHandler(&requests);
    books.apply(batchOf({levelUpdate(1, {bid(99, 2), ask(101, 4)})}));
    books.apply(batchOf({bookSnapshot(1, {level(99, 2)}, {level(101, 4)})}));
    QCOMPARE(books.summary("X")->state, StreamState::Live);
    QCOMPARE(books.statistics().duplicates, std::size_t{1});

    books.apply(batchOf({bookSnapshot(1, {level(98, 2)}, {level(101, 4)})}));
    QCOMPARE(books.summary("X")->state, StreamState::Stale);
    QCOMPARE(books.summary("X")->staleReason,
             std::string("a snapshot at sequence 1 differs from the book at that sequence: "
                         "waiting for a snapshot"));
    QCOMPARE(books.statistics().contradictions, std::size_t{1});
    QCOMPARE(books.levelBook("X")->sizeAt(Side::Buy, Price{99}), Quantity{2});

    books.apply(batchOf({bookSnapshot(1, {level(98, 2)}, {level(101, 4)})}));
    QCOMPARE(books.summary("X")->state, StreamState::Live);
    QCOMPARE(books.levelBook("X")->sizeAt(Side::Buy, Price{98}), Quantity{2});
}

void TestFeedBooks::equalSnapshotAtOneSequenceIsDuplicate()
{
    FeedBooks books;
    books.apply(batchOf({add(1, 1, Side::Buy, 100, 5)}));
    books.apply(
        batchOf({Message{1, OrderSnapshot{{{OrderId{1}, Side::Buy, Price{100}, Quantity{5}}}}}}));

    QCOMPARE(books.summary("X")->state, StreamState::Live);
    QCOMPARE(books.statistics().duplicates, std::size_t{1});
    QCOMPARE(books.statistics().contradictions, std::size_t{0});
}

void TestFeedBooks::snapshotReplyFromOtherSessionRejected()
{
    FeedBooks books;
    books.apply(batchOf({add(5, 1, Side::Buy, 100, 5)}));
    books.applySnapshotReply(
        batchOf({Message{5, OrderSnapshot{{{OrderId{7}, Side::Sell, Price{300}, Quantity{1}}}}}},
                kSession + 1));

    const StreamSummary summary = *books.summary("X");
    QCOMPARE(summary.state, StreamState::AwaitingSnapshot);
    QCOMPARE(summary.session, kSession);
    QCOMPARE(books.statistics().restarts, std::size_t{0});
    QCOMPARE(books.statistics().rejected, std::size_t{1});
    QCOMPARE(books.statistics().lastRejection,
             std::string("topic X: a snapshot reply from session 8, but the stream follows "
                         "session 7"));
}

void TestFeedBooks::snapshotReplyForUnknownTopicRejected()
{
    FeedBooks books;
    books.applySnapshotReply(Batch{"OTHER", kSession, {bookSnapshot(3, {level(99, 1)}, {})}});

    QVERIFY(!books.summary("OTHER"));
    QCOMPARE(books.statistics().rejected, std::size_t{1});
}

// The stream has seen sequence 5; a reply at 2^64-1 would leave it live while every later
// message counts as a duplicate.
void TestFeedBooks::snapshotReplyFarAheadRejected()
{
    FeedBooks books(10);
    books.apply(batchOf({levelUpdate(5, {bid(99, 1)})}));
    books.applySnapshotReply(batchOf({bookSnapshot(UINT64_MAX, {level(99, 1)}, {})}));
    QCOMPARE(books.summary("X")->state, StreamState::AwaitingSnapshot);
    QCOMPARE(books.statistics().rejected, std::size_t{1});

    books.applySnapshotReply(batchOf({bookSnapshot(15, {level(99, 1)}, {})}));
    QCOMPARE(books.summary("X")->state, StreamState::Live);
    QCOMPARE(books.summary("X")->lastSequence, std::uint64_t{15});
}

void TestFeedBooks::snapshotReplyWithUpdateRejected()
{
    FeedBooks books;
    books.apply(batchOf({levelUpdate(5, {bid(99, 1)})}));
    books.applySnapshotReply(batchOf({levelUpdate(6, {bid(98, 1)})}));

    QCOMPARE(books.summary("X")->state, StreamState::AwaitingSnapshot);
    QCOMPARE(books.statistics().rejected, std::size_t{1});
    QCOMPARE(books.statistics().lastRejection,
             std::string("topic X: a snapshot reply carries a message of type \"update\", but a "
                         "reply carries only a definition and a snapshot"));
}

void TestFeedBooks::emptySnapshotReplyNamesMissingTopic()
{
    FeedBooks books;
    books.apply(batchOf({levelUpdate(5, {bid(99, 1)})}));
    books.markNoSuchTopic("X");

    QCOMPARE(books.summary("X")->state, StreamState::AwaitingSnapshot);
    QCOMPARE(books.summary("X")->staleReason,
             std::string("the publisher has no topic X (its snapshot reply was empty): "
                         "waiting for a snapshot"));
}

QTEST_GUILESS_MAIN(TestFeedBooks)
#include "tst_feed_books.moc"

// A FeedPublisher playing the GOOG level-10 LOBSTER day and a FeedSubscriber, over loopback TCP
// in one process. The subscriber's final book must equal the one lobster::Replay builds from the
// same file, with no gap when nothing is dropped, healed by snapshots when the publisher drops
// messages, and after a publisher restart. Played with its orderbook file, the day must also end
// at the file's last row. Malformed payloads from a bare PUB socket are counted.

#include "feed_publisher.h"
#include "feed_subscriber.h"

#include "lobster_replay.h"
#include "orderbook_row.h"
#include "test_data.h"

#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

using bourse::Engine;
using bourse::InstrumentId;
using bourse::LevelSummary;
using bourse::OrderBook;
using bourse::Price;
using bourse::Side;
namespace lobster = bourse::lobster;
namespace replay = bourse::replay;
using namespace bourse::net::feed;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(bourse::net::feed::Encoding)

namespace {

const QString kGoogMessages =
    QStringLiteral("lobster/GOOG_2012-06-21_34200000_57600000_message_10.csv");
const QString kGoogOrderbook =
    QStringLiteral("lobster/GOOG_2012-06-21_34200000_57600000_orderbook_10.csv");
constexpr const char *kLoopback = "tcp://127.0.0.1:*";

// Returns every level of both sides of a book, best first, bids then asks.
std::vector<LevelSummary> levelsOf(const OrderBook &book)
{
    std::vector<LevelSummary> levels;
    for (Side side : {Side::Buy, Side::Sell}) {
        for (std::size_t depth = 0; depth < book.levelCount(side); ++depth)
            levels.push_back(book.level(side, depth));
    }
    return levels;
}

std::vector<LevelSummary> replayedLevels(const std::string &path, const std::string &orderbookPath)
{
    Engine engine(InstrumentId{1});
    lobster::Replay replay(engine);
    lobster::Replay::Options options;
    options.messagePath = path;
    options.orderbookPath = orderbookPath;
    if (replay.open(options))
        return {};
    while (replay.step() == lobster::Replay::Step::Applied) {
    }
    return levelsOf(engine.book());
}

// Returns the first `depth` levels of each side of `levels` (bids then asks, best first).
std::vector<LevelSummary> topLevels(const OrderBook &book, std::size_t depth)
{
    std::vector<LevelSummary> levels;
    for (Side side : {Side::Buy, Side::Sell}) {
        for (std::size_t at = 0; at < std::min(depth, book.levelCount(side)); ++at)
            levels.push_back(book.level(side, at));
    }
    return levels;
}

// Returns the book of a LOBSTER day replayed with the orderbook file beside it.
std::vector<LevelSummary> replayedLevels(const std::string &path)
{
    return replayedLevels(path, lobster::orderbookPathFor(path));
}

bool sameLevels(const std::vector<LevelSummary> &a, const std::vector<LevelSummary> &b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].price != b[i].price || a[i].quantity != b[i].quantity)
            return false;
    }
    return true;
}

// Writes the first `lines` lines of `path` to `name` in `directory`.
std::string headOf(const QTemporaryDir &directory, const std::string &path, int lines,
                   const QString &name = QStringLiteral("head.csv"))
{
    std::ifstream in(path);
    const std::string out = directory.filePath(name).toStdString();
    std::ofstream file(out);
    std::string line;
    for (int i = 0; i < lines && std::getline(in, line); ++i)
        file << line << '\n';
    return out;
}

// Writes the first `lines` rows of the GOOG message file and of its orderbook file under LOBSTER
// names in `directory`, so that the orderbook file lies beside the message file. Returns the
// message file.
std::string lobsterHeadOf(const QTemporaryDir &directory, const std::string &messagePath, int lines)
{
    headOf(directory, lobster::orderbookPathFor(messagePath), lines,
           QStringLiteral("GOOG_head_orderbook_10.csv"));
    return headOf(directory, messagePath, lines, QStringLiteral("GOOG_head_message_10.csv"));
}

// A publisher on its own thread that plays one file after a subscriber has subscribed, then
// replies to snapshot requests until it is stopped.
class PublisherThread {
public:
    PublisherThread(zmq::context_t &context, FeedPublisherOptions options)
        : m_publisher(context, std::move(options))
    {
    }

    ~PublisherThread() { stop(); }

    std::optional<std::string> bind() { return m_publisher.bind(); }
    FeedPublisher &publisher() { return m_publisher; }

    // Plays a LOBSTER day replayed with the orderbook file beside it, as `bourse-engine feed`
    // does, because the message file alone ends in a crossed book.
    void start(const std::string &path, std::optional<std::chrono::milliseconds> linger = {})
    {
        startWith(
            path,
            [](const std::string &file, std::string &error) {
                return openLobsterReplaySource(file, lobster::orderbookPathFor(file), "GOOG",
                                               error);
            },
            linger);
    }

    // Plays the source that `open(path, error)` returns.
    template <typename Open>
    void startWith(const std::string &path, Open open,
                   std::optional<std::chrono::milliseconds> linger = {})
    {
        m_thread = std::thread([this, path, open, linger] {
            std::string error;
            auto source = open(path, error);
            if (!source)
                return;
            m_publisher.waitForSubscription(5s, m_stop);
            play(m_publisher, *source, PlayOptions{0, linger}, m_stop);
        });
    }

    // Returns after the thread ends, so the publisher may then be read.
    void stop()
    {
        m_stop = true;
        if (m_thread.joinable())
            m_thread.join();
    }

    void join()
    {
        if (m_thread.joinable())
            m_thread.join();
    }

private:
    FeedPublisher m_publisher;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

FeedSubscription subscriptionTo(const FeedPublisher &publisher)
{
    return FeedSubscription{publisher.endpoint(), {"GOOG"}, publisher.snapshotEndpoint()};
}

} // namespace

class TestFeedLoopback : public QObject {
    Q_OBJECT

private slots:
    void googDayEqualsReplay_data();
    void googDayEqualsReplay();
    void googDayWithOrderbookEqualsFile();
    void malformedLineStopsPlayAtOnce();
    void checkEndpointRejectsBadPorts_data();
    void checkEndpointRejectsBadPorts();
    void droppedMessagesHealBySnapshot();
    void publisherRestartResyncs();
    void slowJoinerResyncsBothTopics();
    void restartKeepsManyTopicFilters();
    void malformedPayloadsCounted();
    void tardisQuotesEndAtTheLastQuote();
};

void TestFeedLoopback::googDayEqualsReplay_data()
{
    QTest::addColumn<Encoding>("encoding");
    QTest::newRow("binary") << Encoding::Binary;
    QTest::newRow("json") << Encoding::Json;
}

void TestFeedLoopback::googDayEqualsReplay()
{
    QFETCH(Encoding, encoding);
    const QString path = marketDataPath(kGoogMessages);
    BOURSE_REQUIRE_DATA_FILE(path);

    zmq::context_t context;
    PublisherThread publisher(context, {kLoopback, kLoopback, encoding, 256, 0});
    QVERIFY(!publisher.bind());
    FeedSubscriber subscriber(context, {subscriptionTo(publisher.publisher())});
    QVERIFY(!subscriber.connect());

    publisher.start(path.toStdString());
    subscriber.runUntilIdle(1500ms);
    publisher.stop();

    const FeedStatistics statistics = subscriber.statistics();
    QCOMPARE(statistics.gaps, std::size_t{0});
    QCOMPARE(statistics.rejected, std::size_t{0});
    QCOMPARE(statistics.events, publisher.publisher().statistics().messages);
    // The engine's order events: one or more for each of the 147,916 lines of the message file,
    // plus the orders recovered from the orderbook file.
    QVERIFY(statistics.events > std::size_t{147'916});
    QCOMPARE(subscriber.books().summary("GOOG")->state, StreamState::Live);
    QVERIFY(sameLevels(levelsOf(subscriber.books().orderBook("GOOG")->book()),
                       replayedLevels(path.toStdString())));
}

// The message file alone ends crossed (bid 575.82 over ask 564.17), because orders entered before
// the first message or resting beyond level 10 are in no message. Replayed with the orderbook
// file, the published book must equal the replay's and the orderbook file's last row.
void TestFeedLoopback::googDayWithOrderbookEqualsFile()
{
    const QString path = marketDataPath(kGoogMessages);
    const QString orderbookPath = marketDataPath(kGoogOrderbook);
    BOURSE_REQUIRE_DATA_FILE(path);
    BOURSE_REQUIRE_DATA_FILE(orderbookPath);
    const std::string orderbook = orderbookPath.toStdString();

    zmq::context_t context;
    PublisherThread publisher(context, {kLoopback, kLoopback, Encoding::Binary, 256, 0});
    QVERIFY(!publisher.bind());
    FeedSubscriber subscriber(context, {subscriptionTo(publisher.publisher())});
    QVERIFY(!subscriber.connect());

    publisher.startWith(path.toStdString(),
                        [orderbook](const std::string &file, std::string &error) {
                            return openLobsterReplaySource(file, orderbook, "GOOG", error);
                        });
    subscriber.runUntilIdle(1500ms);
    publisher.stop();

    const FeedStatistics statistics = subscriber.statistics();
    QCOMPARE(statistics.gaps, std::size_t{0});
    QCOMPARE(statistics.rejected, std::size_t{0});
    QCOMPARE(statistics.events, publisher.publisher().statistics().messages);
    QCOMPARE(subscriber.books().summary("GOOG")->state, StreamState::Live);
    const OrderBook &book = subscriber.books().orderBook("GOOG")->book();
    QVERIFY(sameLevels(levelsOf(book), replayedLevels(path.toStdString(), orderbook)));
    const std::vector<LevelSummary> expected = lastOrderbookRow(orderbook);
    QCOMPARE(expected.size(), std::size_t{20});
    QVERIFY(sameLevels(topLevels(book, 10), expected));
}

// A file malformed at line 1001 sends the 1000 messages before it and ends the play at once with
// the error, instead of lingering (no linger: until stopped) as if the day were still playing.
void TestFeedLoopback::malformedLineStopsPlayAtOnce()
{
    const QString path = marketDataPath(kGoogMessages);
    BOURSE_REQUIRE_DATA_FILE(path);
    QTemporaryDir directory;
    const std::string head = headOf(directory, path.toStdString(), 1000);
    std::ofstream(head, std::ios::app) << "not,a,lobster,line\n";

    std::string error;
    auto source = openLobsterSource(head, "GOOG", error);
    QVERIFY(source);
    zmq::context_t context;
    FeedPublisher publisher(context, {kLoopback, "", Encoding::Binary, 256, 0});
    QVERIFY(!publisher.bind());

    std::atomic<bool> stop{false};
    std::thread watchdog([&stop] {
        for (int i = 0; i < 100 && !stop; ++i)
            std::this_thread::sleep_for(50ms);
        stop = true;
    });
    const auto started = std::chrono::steady_clock::now();
    const std::optional<std::string> failed = play(publisher, *source, PlayOptions{0, {}}, stop);
    const auto elapsed = std::chrono::steady_clock::now() - started;
    stop = true;
    watchdog.join();

    QVERIFY(failed);
    QVERIFY2(failed->find("head.csv:1001:") != std::string::npos, failed->c_str());
    QVERIFY(elapsed < 2s);
    QCOMPARE(publisher.statistics().messages, std::size_t{1000});
}

void TestFeedLoopback::checkEndpointRejectsBadPorts_data()
{
    QTest::addColumn<QString>("endpoint");
    QTest::addColumn<bool>("valid");
    QTest::newRow("port 5600") << "tcp://127.0.0.1:5600" << true;
    QTest::newRow("wildcard port") << "tcp://127.0.0.1:*" << true;
    QTest::newRow("port 65535") << "tcp://127.0.0.1:65535" << true;
    QTest::newRow("ipc path") << "ipc:///tmp/feed.sock" << true;
    QTest::newRow("port 99999 wraps in libzmq") << "tcp://127.0.0.1:99999" << false;
    QTest::newRow("port 65536") << "tcp://127.0.0.1:65536" << false;
    QTest::newRow("port 0") << "tcp://127.0.0.1:0" << false;
    QTest::newRow("port not a number") << "tcp://127.0.0.1:http" << false;
    QTest::newRow("no port") << "tcp://127.0.0.1" << false;
    QTest::newRow("no host") << "tcp://:5600" << false;
}

void TestFeedLoopback::checkEndpointRejectsBadPorts()
{
    QFETCH(QString, endpoint);
    QFETCH(bool, valid);
    const std::optional<std::string> problem = checkEndpoint(endpoint.toStdString());
    QCOMPARE(!problem.has_value(), valid);
}

void TestFeedLoopback::droppedMessagesHealBySnapshot()
{
    const QString path = marketDataPath(kGoogMessages);
    BOURSE_REQUIRE_DATA_FILE(path);

    zmq::context_t context;
    PublisherThread publisher(context, {kLoopback, kLoopback, Encoding::Binary, 256, 1000});
    QVERIFY(!publisher.bind());
    FeedSubscriber subscriber(context, {subscriptionTo(publisher.publisher())});
    QVERIFY(!subscriber.connect());

    publisher.start(path.toStdString());
    subscriber.runUntilIdle(1500ms);
    publisher.stop();

    const FeedStatistics statistics = subscriber.statistics();
    const std::size_t dropped = publisher.publisher().statistics().dropped;
    const std::size_t numbered = publisher.publisher().statistics().messages + dropped;
    QCOMPARE(dropped, numbered / 1000); // every 1000th numbered message
    QVERIFY(statistics.gaps >= 1);
    QVERIFY(statistics.gaps <= dropped);
    QVERIFY(statistics.snapshots >= 1);
    QCOMPARE(subscriber.books().summary("GOOG")->state, StreamState::Live);
    QVERIFY(sameLevels(levelsOf(subscriber.books().orderBook("GOOG")->book()),
                       replayedLevels(path.toStdString())));
}

// The first publisher plays the first 20,000 messages and stops. A second one binds the same
// port and plays the whole day in a new session. The subscriber must drop the first session's
// book and end with the whole day's.
void TestFeedLoopback::publisherRestartResyncs()
{
    const QString path = marketDataPath(kGoogMessages);
    BOURSE_REQUIRE_DATA_FILE(path);
    QTemporaryDir directory;
    const std::string head = lobsterHeadOf(directory, path.toStdString(), 20'000);

    zmq::context_t context;
    auto first = std::make_unique<PublisherThread>(
        context, FeedPublisherOptions{kLoopback, kLoopback, Encoding::Binary, 256, 0});
    QVERIFY(!first->bind());
    const std::string endpoint = first->publisher().endpoint();
    const std::string snapshotEndpoint = first->publisher().snapshotEndpoint();
    FeedSubscriber subscriber(context, {subscriptionTo(first->publisher())});
    QVERIFY(!subscriber.connect());

    first->start(head, 0ms);
    subscriber.runUntilIdle(500ms);
    first->join();
    QCOMPARE(subscriber.statistics().events, first->publisher().statistics().messages);
    QVERIFY(subscriber.statistics().events >= std::size_t{20'000}); // one or more per line
    first.reset();

    // libzmq releases the first publisher's ports on its I/O thread, shortly after the close.
    std::unique_ptr<PublisherThread> second;
    for (int attempt = 0; attempt < 50 && !second; ++attempt) {
        second = std::make_unique<PublisherThread>(
            context, FeedPublisherOptions{endpoint, snapshotEndpoint, Encoding::Binary, 256, 0});
        if (second->bind()) {
            second.reset();
            std::this_thread::sleep_for(20ms);
        }
    }
    QVERIFY(second);
    second->start(path.toStdString());
    subscriber.runUntilIdle(1500ms);
    second->stop();

    QCOMPARE(subscriber.statistics().restarts, std::size_t{1});
    QCOMPARE(subscriber.books().summary("GOOG")->session, second->publisher().session());
    QCOMPARE(subscriber.books().summary("GOOG")->state, StreamState::Live);
    QVERIFY(sameLevels(levelsOf(subscriber.books().orderBook("GOOG")->book()),
                       replayedLevels(path.toStdString())));
}

// The publisher starts at once, so the subscriber's connection usually loses the first messages
// of both topics (ZeroMQ's slow joiner). Each topic must then resync from a snapshot, without a
// gap, and end with the publisher's own book.
void TestFeedLoopback::slowJoinerResyncsBothTopics()
{
    zmq::context_t context;
    FeedPublisher publisher(context, {kLoopback, kLoopback, Encoding::Binary, 64, 0});
    QVERIFY(!publisher.bind());
    FeedSubscriber subscriber(context,
                              {{publisher.endpoint(), {"A", "B"}, publisher.snapshotEndpoint()}});
    QVERIFY(!subscriber.connect());

    std::atomic<bool> stop{false};
    std::thread publishing([&] {
        for (const char *topic : {"A", "B"})
            publisher.define(topic, {BookDepth::Orders, 0, 0, 1, 1});
        for (std::uint64_t i = 0; i < 20'000; ++i) {
            const Side side = i % 2 ? Side::Sell : Side::Buy;
            const Price price{side == Side::Buy ? 100 - std::int64_t(i % 50)
                                                : 101 + std::int64_t(i % 50)};
            for (const char *topic : {"A", "B"}) {
                publisher.publish(topic, OrderMessage{OrderAction::Add, bourse::Timestamp{0},
                                                      bourse::OrderId{i + 1}, side, price,
                                                      bourse::Quantity{10}});
                if (i >= 100 && i % 3 == 0)
                    publisher.publish(
                        topic, OrderMessage{OrderAction::Delete, bourse::Timestamp{0},
                                            bourse::OrderId{i - 99}, i % 2 ? Side::Buy : Side::Sell,
                                            Price{i % 2 ? 100 - std::int64_t((i - 99) % 50)
                                                        : 101 + std::int64_t((i - 99) % 50)},
                                            bourse::Quantity{10}});
            }
            if (i % 1000 == 0)
                std::this_thread::sleep_for(1ms); // spread the day over the connection's start
        }
        publisher.flush();
        publisher.sendHeartbeats();
        while (!stop)
            publisher.serve(50ms, stop);
    });
    subscriber.runUntilIdle(1000ms);
    stop = true;
    publishing.join();

    QCOMPARE(subscriber.statistics().gaps, std::size_t{0});
    QCOMPARE(subscriber.statistics().rejected, std::size_t{0});
    for (const std::string topic : {"A", "B"}) {
        QCOMPARE(subscriber.books().summary(topic)->state, StreamState::Live);
        QVERIFY(sameLevels(levelsOf(subscriber.books().orderBook(topic)->book()),
                           levelsOf(publisher.books().orderBook(topic)->book())));
        QVERIFY(subscriber.books().orderBook(topic)->book().orderCount() > 0);
    }
}

// A subscriber with 2,000 topic filters, twice libzmq's default send high-water mark of 1,000,
// sends them all again when it reconnects to a restarted publisher. The last topic must still
// reach it from the new publisher.
void TestFeedLoopback::restartKeepsManyTopicFilters()
{
    std::vector<std::string> topics;
    for (int i = 0; i < 2000; ++i)
        topics.push_back(std::to_string(10'000 + i).insert(0, 1, 'T'));

    zmq::context_t context;
    auto first = std::make_unique<FeedPublisher>(
        context, FeedPublisherOptions{kLoopback, kLoopback, Encoding::Binary, 1, 0});
    QVERIFY(!first->bind());
    const std::string endpoint = first->endpoint();
    FeedSubscriber subscriber(context, {{endpoint, topics, {}}});
    QVERIFY(!subscriber.connect());
    std::atomic<bool> stop{false};
    QVERIFY(first->waitForSubscription(5s, stop));
    first.reset();

    std::unique_ptr<FeedPublisher> second;
    for (int attempt = 0; attempt < 50 && !second; ++attempt) {
        second = std::make_unique<FeedPublisher>(
            context, FeedPublisherOptions{endpoint, {}, Encoding::Binary, 1, 0});
        if (second->bind()) {
            second.reset();
            std::this_thread::sleep_for(20ms);
        }
    }
    QVERIFY(second);

    // The last topic's filter is the one a lossy resend would lose. Its first messages may be
    // lost while the subscription travels, so the stream may wait for a snapshot: arriving at
    // all is what counts here.
    std::uint64_t id = 0;
    for (int attempt = 0; attempt < 300 && !subscriber.books().summary(topics.back()); ++attempt) {
        second->publish(topics.back(),
                        OrderMessage{OrderAction::Add, bourse::Timestamp{0}, bourse::OrderId{++id},
                                     Side::Buy, Price{100}, bourse::Quantity{1}});
        second->flush();
        subscriber.poll(10ms);
    }
    QVERIFY(subscriber.books().summary(topics.back()));
}

void TestFeedLoopback::malformedPayloadsCounted()
{
    zmq::context_t context;
    zmq::socket_t pub(context, zmq::socket_type::pub);
    pub.set(zmq::sockopt::linger, 0);
    pub.bind(kLoopback);
    FeedSubscriber subscriber(context, {{pub.get(zmq::sockopt::last_endpoint), {}, {}}});
    QVERIFY(!subscriber.connect());

    // Sends until the subscriber counts one more rejection, because the first messages after a
    // connect are lost until the subscription reaches the PUB socket.
    const auto sendUntilRejected = [&](const std::vector<std::string> &frames) {
        const std::size_t before = subscriber.statistics().rejected;
        for (int attempt = 0; attempt < 200 && subscriber.statistics().rejected == before;
             ++attempt) {
            for (std::size_t i = 0; i < frames.size(); ++i)
                pub.send(zmq::buffer(frames[i]),
                         i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
            subscriber.poll(20ms);
        }
        return subscriber.statistics().lastRejection;
    };

    // The rejection names the field and the value; its prefix (topic, endpoint, message index)
    // is the subscriber's to choose.
    QVERIFY(sendUntilRejected({"GOOG", R"({"type":"add","session":1,"sequence":1,"time":1,)"
                                       R"("id":5,"side":"buy","price":-4,"quantity":1})"})
                .find("price must be positive, is -4") != std::string::npos);
    const std::string oversized(kMaxPayloadBytes + 1, '{');
    QVERIFY(sendUntilRejected({"GOOG", oversized}).find("payload is 8388609 bytes") !=
            std::string::npos);
    QVERIFY(sendUntilRejected({"GOOG", "{}", "extra"}).find("frames") != std::string::npos);
    QCOMPARE(subscriber.statistics().rejected, std::size_t{3});
    QCOMPARE(subscriber.statistics().events, std::size_t{0});
}

// The Tardis.dev quotes and trades of BTCUSDT as one level stream. The subscriber's book contains
// only the quoted top, so it ends at the quote file's last row, which the test reads from the
// file itself. Every row of both files arrives as one message.
void TestFeedLoopback::tardisQuotesEndAtTheLastQuote()
{
    const QString quotes =
        marketDataPath(QStringLiteral("crypto/tardis_binance-futures_BTCUSDT_quotes.csv"));
    const QString trades =
        marketDataPath(QStringLiteral("crypto/tardis_binance-futures_BTCUSDT_trades.csv"));
    BOURSE_REQUIRE_DATA_FILE(quotes);
    BOURSE_REQUIRE_DATA_FILE(trades);

    // The last row: exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,
    // bid_amount.
    std::ifstream file(quotes.toStdString());
    std::string line;
    std::string last;
    std::size_t rows = 0;
    for (std::getline(file, line); std::getline(file, line); ++rows)
        last = line;
    const QStringList fields = QString::fromStdString(last).split(QLatin1Char(','));
    QCOMPARE(fields.size(), 8);
    std::ifstream tradeFile(trades.toStdString());
    std::size_t tradeRows = 0;
    for (std::getline(tradeFile, line); std::getline(tradeFile, line);)
        ++tradeRows;

    zmq::context_t context;
    PublisherThread publisher(context, {kLoopback, kLoopback, Encoding::Binary, 256, 0});
    QVERIFY(!publisher.bind());
    FeedSubscriber subscriber(context,
                              {FeedSubscription{publisher.publisher().endpoint(),
                                                {"BTCUSDT"},
                                                publisher.publisher().snapshotEndpoint()}});
    QVERIFY(!subscriber.connect());
    publisher.startWith(quotes.toStdString(), [](const std::string &path, std::string &error) {
        return openTardisSource(path, error);
    });
    subscriber.runUntilIdle(1500ms);
    publisher.stop();

    const FeedStatistics statistics = subscriber.statistics();
    QCOMPARE(statistics.gaps, std::size_t{0});
    QCOMPARE(statistics.rejected, std::size_t{0});
    QCOMPARE(statistics.events, rows + tradeRows);
    const std::optional<StreamSummary> summary = subscriber.books().summary("BTCUSDT");
    QVERIFY(summary);
    QCOMPARE(summary->state, StreamState::Live);
    QCOMPARE(summary->bidLevels, std::size_t{1});
    QCOMPARE(summary->askLevels, std::size_t{1});
    QVERIFY(summary->bid && summary->ask);
    // Prices at two decimals and amounts at three, the most the file's rows carry.
    const auto units = [](const QString &decimal, int decimals) {
        const QStringList parts = decimal.split(QLatin1Char('.'));
        QString fraction = parts.size() > 1 ? parts[1] : QString();
        fraction = fraction.leftJustified(decimals, QLatin1Char('0'));
        return (parts[0] + fraction).toLongLong();
    };
    QCOMPARE(summary->ask->price.value(), units(fields[5], 2));
    QCOMPARE(summary->ask->size.value(), units(fields[4], 3));
    QCOMPARE(summary->bid->price.value(), units(fields[6], 2));
    QCOMPARE(summary->bid->size.value(), units(fields[7], 3));
}

QTEST_GUILESS_MAIN(TestFeedLoopback)
#include "tst_feed_loopback.moc"

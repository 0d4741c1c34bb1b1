// The terminal's live-feed options: --feed with its snapshot endpoint and topics, the feeds file
// of --feeds parsed from text, and the options that --feed and --feeds exclude.

#include "command_line.h"
#include "feed_list.h"

#include <QTest>

using bourse::terminal::FeedEntry;
using bourse::terminal::parseFeedList;

namespace {

bourse::app::ParsedCommandLine parse(QStringList arguments)
{
    arguments.prepend(QStringLiteral("bourse"));
    return bourse::app::parseCommandLine(arguments, {QStringLiteral("Trading")});
}

} // namespace

class FeedOptionsTest : public QObject {
    Q_OBJECT

private slots:
    void feedWithDefaults();
    void feedWithSnapshotAndTopics();
    void feedWithoutSnapshot();
    void badFeedOption_data();
    void badFeedOption();
    void feedLinesAreRead();
    void badFeedLine_data();
    void badFeedLine();
    void emptyFeedListIsReported();
};

// The snapshot endpoint defaults to the port after the feed's (docs/feeds.md, Sockets).
void FeedOptionsTest::feedWithDefaults()
{
    const auto parsed = parse({QStringLiteral("--feed"), QStringLiteral("tcp://127.0.0.1:5600")});
    QCOMPARE(parsed.action, bourse::app::CommandLineAction::Run);
    QCOMPARE(parsed.options.feeds.size(), std::size_t{1});
    const FeedEntry &feed = parsed.options.feeds.front();
    QCOMPARE(feed.endpoint, QStringLiteral("tcp://127.0.0.1:5600"));
    QCOMPARE(feed.snapshotEndpoint, QStringLiteral("tcp://127.0.0.1:5601"));
    QVERIFY(feed.topics.isEmpty());
    QVERIFY(parsed.options.feedListPath.isEmpty());
}

void FeedOptionsTest::feedWithSnapshotAndTopics()
{
    const auto parsed =
        parse({QStringLiteral("--feed"), QStringLiteral("tcp://127.0.0.1:5600"),
               QStringLiteral("--feed-snapshot"), QStringLiteral("tcp://127.0.0.1:6000"),
               QStringLiteral("--feed-topic"), QStringLiteral("GOOG"),
               QStringLiteral("--feed-topic"), QStringLiteral("AAPL")});
    QCOMPARE(parsed.action, bourse::app::CommandLineAction::Run);
    const FeedEntry &feed = parsed.options.feeds.front();
    QCOMPARE(feed.snapshotEndpoint, QStringLiteral("tcp://127.0.0.1:6000"));
    QCOMPARE(feed.topics, (QStringList{QStringLiteral("GOOG"), QStringLiteral("AAPL")}));
}

void FeedOptionsTest::feedWithoutSnapshot()
{
    const auto parsed = parse({QStringLiteral("--feed"), QStringLiteral("tcp://127.0.0.1:5600"),
                               QStringLiteral("--feed-snapshot"), QStringLiteral("none")});
    QCOMPARE(parsed.action, bourse::app::CommandLineAction::Run);
    QVERIFY(parsed.options.feeds.front().snapshotEndpoint.isEmpty());
}

void FeedOptionsTest::badFeedOption_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("error");
    const QString feed = QStringLiteral("tcp://127.0.0.1:5600");
    QTest::newRow("with replay") << QStringList{"--feed", feed, "--replay", "day.csv"}
                                 << "--feed and --replay exclude each other: the feed's "
                                    "publisher runs the market";
    QTest::newRow("with connect")
        << QStringList{"--feed", feed, "--connect", "tcp://127.0.0.1:7401"}
        << "--feed and --connect exclude each other: the feed's publisher runs the market";
    QTest::newRow("with host") << QStringList{"--feed", feed, "--host", "127.0.0.1"}
                               << "--feed and --host exclude each other: the feed's publisher "
                                  "runs the market";
    QTest::newRow("with scenario") << QStringList{"--feeds", "desk.feeds", "--scenario", "a"}
                                   << "--feeds and --scenario exclude each other: the feed's "
                                      "publisher runs the market";
    QTest::newRow("with speed") << QStringList{"--feed", feed, "--speed", "10"}
                                << "--feed and --speed exclude each other: the feed's "
                                   "publisher runs the market";
    QTest::newRow("file and feed")
        << QStringList{"--feeds", "desk.feeds", "--feed", feed}
        << "--feeds and --feed exclude each other: the file names the feeds, their snapshot "
           "endpoints and topics";
    QTest::newRow("topic alone") << QStringList{"--feed-topic", "GOOG"}
                                 << "--feed-topic needs --feed";
    QTest::newRow("snapshot alone")
        << QStringList{"--feed-snapshot", feed} << "--feed-snapshot needs --feed";
    QTest::newRow("port out of range")
        << QStringList{"--feed", "tcp://127.0.0.1:70000"}
        << "--feed: invalid port '70000' in 'tcp://127.0.0.1:70000': expected 1 to 65535 or *";
    QTest::newRow("wildcard port") << QStringList{"--feed", "tcp://127.0.0.1:*"}
                                   << "--feed: invalid endpoint 'tcp://127.0.0.1:*': a port of * "
                                      "can be bound but not connected to; give the port number";
    QTest::newRow("no transport") << QStringList{"--feed", "127.0.0.1:5600"}
                                  << "--feed: invalid endpoint '127.0.0.1:5600': expected "
                                     "tcp://HOST:PORT or ipc://PATH";
    QTest::newRow("bad topic") << QStringList{"--feed", feed, "--feed-topic", "GO OG"}
                               << "--feed-topic: invalid topic 'GO OG': ";
    QTest::newRow("topic twice") << QStringList{"--feed", feed,           "--feed-topic",
                                                "GOOG",   "--feed-topic", "GOOG"}
                                 << "--feed-topic GOOG is given twice";
    QTest::newRow("feed twice") << QStringList{"--feed", feed, "--feed", feed}
                                << "--feed is given twice; list several feeds in a file for "
                                   "--feeds";
}

// The expected texts are the start of the message, since a topic's problem is checkTopic()'s.
void FeedOptionsTest::badFeedOption()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, error);
    const auto parsed = parse(arguments);
    QCOMPARE(parsed.action, bourse::app::CommandLineAction::UsageError);
    QVERIFY2(parsed.text.startsWith(error), qPrintable(parsed.text));
}

void FeedOptionsTest::feedLinesAreRead()
{
    const QString text =
        QStringLiteral("# the desk's feeds\n"
                       "feed nasdaq tcp://127.0.0.1:5600 snapshot tcp://127.0.0.1:5700 "
                       "topics GOOG,AAPL\n"
                       "\n"
                       "feed bybit tcp://127.0.0.1:5610 snapshot none # no snapshots\n"
                       "feed tardis tcp://127.0.0.1:5620\n");
    const auto parsed = parseFeedList(text, QStringLiteral("desk.feeds"));
    const QString *error = std::get_if<QString>(&parsed);
    QVERIFY2(error == nullptr, error ? qPrintable(*error) : "");
    const auto &feeds = std::get<std::vector<FeedEntry>>(parsed);
    QCOMPARE(feeds.size(), std::size_t{3});
    QCOMPARE(feeds.at(0).name, QStringLiteral("nasdaq"));
    QCOMPARE(feeds.at(0).snapshotEndpoint, QStringLiteral("tcp://127.0.0.1:5700"));
    QCOMPARE(feeds.at(0).topics, (QStringList{QStringLiteral("GOOG"), QStringLiteral("AAPL")}));
    QCOMPARE(feeds.at(0).line, 2);
    QVERIFY(feeds.at(1).snapshotEndpoint.isEmpty());
    QVERIFY(feeds.at(1).topics.isEmpty());
    QCOMPARE(feeds.at(2).snapshotEndpoint, QStringLiteral("tcp://127.0.0.1:5621"));
    QCOMPARE(feeds.at(2).line, 5);
}

void FeedOptionsTest::badFeedLine_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");
    const QString form = QStringLiteral("'feed NAME ENDPOINT [snapshot ENDPOINT|none] "
                                        "[topics TOPIC,TOPIC]'");
    QTest::newRow("unknown line") << "feed a tcp://127.0.0.1:1\nengine b tcp://127.0.0.1:2 k\n"
                                  << "desk.feeds:2: error: unknown line 'engine': expected " + form;
    QTest::newRow("no endpoint") << "feed a\n"
                                 << "desk.feeds:1: error: missing endpoint: expected " + form;
    QTest::newRow("bad port") << "feed a tcp://127.0.0.1:0\n"
                              << "desk.feeds:1: error: invalid port '0' in 'tcp://127.0.0.1:0': "
                                 "expected 1 to 65535 or *";
    QTest::newRow("unknown setting")
        << "feed a tcp://127.0.0.1:1 depth 3\n"
        << "desk.feeds:1: error: unknown setting 'depth': expected " + form;
    QTest::newRow("value missing")
        << "feed a tcp://127.0.0.1:1 topics\n"
        << "desk.feeds:1: error: 'topics' needs a value: expected " + form;
    QTest::newRow("topic twice") << "feed a tcp://127.0.0.1:1 topics GOOG,GOOG\n"
                                 << "desk.feeds:1: error: topic 'GOOG' is listed twice";
    QTest::newRow("name twice") << "feed a tcp://127.0.0.1:1\nfeed a tcp://127.0.0.1:2\n"
                                << "desk.feeds:2: error: feed 'a' is listed twice";
    QTest::newRow("endpoint twice")
        << "feed a tcp://127.0.0.1:1\nfeed b tcp://127.0.0.1:1\n"
        << "desk.feeds:2: error: feeds 'a' and 'b' have the same endpoint tcp://127.0.0.1:1";
}

void FeedOptionsTest::badFeedLine()
{
    QFETCH(QString, text);
    QFETCH(QString, error);
    const auto parsed = parseFeedList(text, QStringLiteral("desk.feeds"));
    const QString *found = std::get_if<QString>(&parsed);
    QVERIFY(found != nullptr);
    QCOMPARE(*found, error);
}

void FeedOptionsTest::emptyFeedListIsReported()
{
    const auto parsed = parseFeedList(QStringLiteral("# nothing yet\n"), QStringLiteral("x.feeds"));
    const QString *found = std::get_if<QString>(&parsed);
    QVERIFY(found != nullptr);
    QVERIFY2(found->startsWith(QStringLiteral("x.feeds: error: no feed listed")),
             qPrintable(*found));
}

QTEST_GUILESS_MAIN(FeedOptionsTest)
#include "tst_feed_options.moc"

// Trade and quote files replayed into an engine as one book: hand-built cases for how quotes and
// prints meet, and the recorded Tardis.dev files of BOURSE_DATA_DIR.

#include "engine_printers.h"
#include "replay_feed_steps.h"
#include "tape_feed.h"
#include "test_data.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <string>
#include <vector>

using namespace bourse;
using namespace bourse::replay;
using bourse::replay::testing::replayToEnd;

namespace {

const QString kTrades = QStringLiteral("crypto/tardis_binance-futures_BTCUSDT_trades.csv");
const QString kQuotes = QStringLiteral("crypto/tardis_binance-futures_BTCUSDT_quotes.csv");

const std::string kTradeHeader = "exchange,symbol,timestamp,local_timestamp,id,side,price,amount";
const std::string kQuoteHeader =
    "exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount";

// The trades the engine printed, in order.
class TradeRecorder final : public EventHandler {
public:
    void onEvent(const Event &event) override
    {
        if (const auto *trade = std::get_if<Trade>(&event.payload))
            trades.push_back(*trade);
    }

    std::vector<Trade> trades;
};

void writeFile(const QString &path, const std::string &header, const std::vector<std::string> &rows)
{
    std::ofstream file(path.toStdString());
    file << header << '\n';
    for (const std::string &row : rows)
        file << row << '\n';
}

} // namespace

class TapeFeedTest : public QObject {
    Q_OBJECT

private slots:
    void quotesAndTradesMeetInOneBook();
    void siblingFoundFromEitherFile();
    void malformedRowStopsWithFileAndLine();
    void recordedTradesAndQuotesReplayWhole();
};

// Prices at two decimals, sizes at three. The quote rests 10.00 x 5 bid and 10.02 x 4 ask. A buy
// of 3 at 10.02 takes from the quoted ask, leaving 1. A sell of 7 at 10.00 is more than the
// quoted 5, so it prints against size added for it and the quote stays whole. A second quote
// equal to the first restores the ask to 4. The expected book and prints follow from these
// rules by hand.
void TapeFeedTest::quotesAndTradesMeetInOneBook()
{
    QTemporaryDir directory;
    const QString trades = directory.filePath(QStringLiteral("x_trades.csv"));
    const QString quotes = directory.filePath(QStringLiteral("x_quotes.csv"));
    writeFile(
        quotes, kQuoteHeader,
        {"ex,ABC,1000,1000,0.004,10.02,10.00,0.005", "ex,ABC,4000,4000,0.004,10.02,10.00,0.005"});
    writeFile(trades, kTradeHeader,
              {"ex,ABC,2000,2000,t1,buy,10.02,0.003", "ex,ABC,3000,3000,t2,sell,10.00,0.007"});

    const std::optional<TapeFeedSource> source = tapeFeedSourceFor(trades.toStdString());
    QVERIFY(source);
    Engine engine;
    TradeRecorder recorder;
    engine.addHandler(&recorder);
    std::string error;
    const std::unique_ptr<ReplayFeed> feed = openTapeFeed(*source, engine, error);
    QVERIFY2(feed, error.c_str());

    // After the first quote and the buy.
    QCOMPARE(feed->step(), ReplayFeed::Step::Applied);
    QCOMPARE(feed->step(), ReplayFeed::Step::Applied);
    QCOMPARE(engine.book().quantityAt(Side::Sell, Price{1'002}), Quantity{1});
    QCOMPARE(engine.book().quantityAt(Side::Buy, Price{1'000}), Quantity{5});

    // The sell of 7 against the bid of 5: the quote stays, the print is whole.
    QCOMPARE(feed->step(), ReplayFeed::Step::Applied);
    QCOMPARE(engine.book().quantityAt(Side::Buy, Price{1'000}), Quantity{5});

    QCOMPARE(feed->step(), ReplayFeed::Step::Applied);
    QCOMPARE(feed->step(), ReplayFeed::Step::Finished);
    QCOMPARE(feed->messages(), std::size_t{4});
    QCOMPARE(engine.book().quantityAt(Side::Sell, Price{1'002}), Quantity{4});
    QCOMPARE(engine.book().quantityAt(Side::Buy, Price{1'000}), Quantity{5});

    QCOMPARE(recorder.trades.size(), std::size_t{2});
    QCOMPARE(recorder.trades[0].aggressor, Side::Buy);
    QCOMPARE(recorder.trades[0].price, Price{1'002});
    QCOMPARE(recorder.trades[0].quantity, Quantity{3});
    QCOMPARE(recorder.trades[1].aggressor, Side::Sell);
    QCOMPARE(recorder.trades[1].price, Price{1'000});
    QCOMPARE(recorder.trades[1].quantity, Quantity{7});

    const InstrumentDefinition *definition = engine.definition(InstrumentId{1});
    QVERIFY(definition);
    QCOMPARE(std::string(definition->symbol.data()), std::string("ABC"));
    QCOMPARE(int{definition->priceDecimals}, 2);
    QCOMPARE(int{definition->quantityDecimals}, 3);
}

// Either file of a pair names both; a lone file replays alone; another CSV is no tape.
void TapeFeedTest::siblingFoundFromEitherFile()
{
    QTemporaryDir directory;
    const QString trades = directory.filePath(QStringLiteral("day_trades.csv"));
    const QString quotes = directory.filePath(QStringLiteral("day_quotes.csv"));
    const QString lone = directory.filePath(QStringLiteral("other_trades.csv"));
    const QString bars = directory.filePath(QStringLiteral("bars.csv"));
    writeFile(trades, kTradeHeader, {"ex,ABC,2000,2000,t1,buy,10.02,0.003"});
    writeFile(quotes, kQuoteHeader, {"ex,ABC,1000,1000,0.004,10.02,10.00,0.005"});
    writeFile(lone, kTradeHeader, {"ex,ABC,2000,2000,t1,buy,10.02,0.003"});
    writeFile(bars, "timestamp,open,high,low,close,volume", {"2021-12-31 23:01:00,1,2,1,2,3"});

    for (const QString &path : {trades, quotes}) {
        const std::optional<TapeFeedSource> source = tapeFeedSourceFor(path.toStdString());
        QVERIFY(source);
        QCOMPARE(QString::fromStdString(source->tradesPath), trades);
        QCOMPARE(QString::fromStdString(source->quotesPath), quotes);
    }
    const std::optional<TapeFeedSource> alone = tapeFeedSourceFor(lone.toStdString());
    QVERIFY(alone);
    QCOMPARE(QString::fromStdString(alone->tradesPath), lone);
    QVERIFY(alone->quotesPath.empty());
    QVERIFY(!tapeFeedSourceFor(bars.toStdString()));
}

// A bad row stops the replay with its file, line and column; the rows before it are applied.
void TapeFeedTest::malformedRowStopsWithFileAndLine()
{
    QTemporaryDir directory;
    const QString trades = directory.filePath(QStringLiteral("bad_trades.csv"));
    writeFile(trades, kTradeHeader,
              {"ex,ABC,2000,2000,t1,buy,10.02,0.003", "ex,ABC,3000,3000,t2,buy,ten,0.003"});
    const std::optional<TapeFeedSource> source = tapeFeedSourceFor(trades.toStdString());
    QVERIFY(source);
    Engine engine;
    std::string error;
    const std::unique_ptr<ReplayFeed> feed = openTapeFeed(*source, engine, error);
    QVERIFY2(feed, error.c_str());
    QCOMPARE(feed->step(), ReplayFeed::Step::Applied);
    QCOMPARE(feed->step(), ReplayFeed::Step::Failed);
    const QString message = QString::fromStdString(feed->error());
    QVERIFY2(message.startsWith(trades + QStringLiteral(":3: column 'price'")),
             qPrintable(message));
    QCOMPARE(engine.tradeCount(), std::uint64_t{1});
}

// Both recorded files, 9,999 rows each. The figures come from Python's csv and decimal modules
// run once on the files: 9,999 trades of 4,024.301 BTC in all, 5,267 of them buys, and at most
// two decimals of price and three of amount in either file.
void TapeFeedTest::recordedTradesAndQuotesReplayWhole()
{
    BOURSE_REQUIRE_DATA_FILE(marketDataPath(kTrades));
    BOURSE_REQUIRE_DATA_FILE(marketDataPath(kQuotes));
    const std::optional<TapeFeedSource> source =
        tapeFeedSourceFor(marketDataPath(kQuotes).toStdString());
    QVERIFY(source);
    QCOMPARE(QString::fromStdString(source->tradesPath), marketDataPath(kTrades));

    Engine engine;
    TradeRecorder recorder;
    engine.addHandler(&recorder);
    std::string error;
    const std::unique_ptr<ReplayFeed> feed = openTapeFeed(*source, engine, error);
    QVERIFY2(feed, error.c_str());
    // The quotes end after 226 s and the trades go on for two hours: the book is marked.
    int applied = 0;
    while (feed->staleReason().empty() && feed->step() == ReplayFeed::Step::Applied)
        ++applied;
    QCOMPARE(QString::fromStdString(feed->staleReason()),
             QStringLiteral("the quote file %1 ended at line 10000; the book shows its last quote")
                 .arg(marketDataPath(kQuotes)));
    QCOMPARE(applied + replayToEnd(*feed), 19'998);

    QCOMPARE(recorder.trades.size(), std::size_t{9'999});
    std::int64_t volume = 0;
    std::size_t buys = 0;
    for (const Trade &trade : recorder.trades) {
        volume += trade.quantity.value();
        buys += trade.aggressor == Side::Buy ? 1 : 0;
    }
    QCOMPARE(volume, std::int64_t{4'024'301});
    QCOMPARE(buys, std::size_t{5'267});
    const InstrumentDefinition *definition = engine.definition(InstrumentId{1});
    QVERIFY(definition);
    QCOMPARE(std::string(definition->symbol.data()), std::string("BTCUSDT"));
    QCOMPARE(int{definition->priceDecimals}, 2);
    QCOMPARE(int{definition->quantityDecimals}, 3);
}

QTEST_GUILESS_MAIN(TapeFeedTest)
#include "tst_tape_feed.moc"

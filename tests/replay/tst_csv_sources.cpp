#include "csv_bar_resampler.h"
#include "csv_sources.h"
#include "engine_printers.h"
#include "test_data.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

using namespace bourse;
using namespace bourse::replay;

namespace bourse {

// Shows a bar in a failed comparison as its fields.
inline char *toString(const Bar &bar)
{
    const std::string text =
        "Bar{start " + std::to_string(bar.start.value()) + ", open " +
        std::to_string(bar.open.value()) + ", high " + std::to_string(bar.high.value()) + ", low " +
        std::to_string(bar.low.value()) + ", close " + std::to_string(bar.close.value()) +
        ", volume " + std::to_string(bar.volume.value()) + ", trades " +
        std::to_string(bar.tradeCount) + "}";
    return qstrdup(text.c_str());
}

} // namespace bourse

namespace {

constexpr DecimalScale kBinanceScale{.priceDecimals = 2, .quantityDecimals = 3};
constexpr DecimalScale kWholeDollarBarScale{.priceDecimals = 0, .quantityDecimals = 4};
constexpr std::int64_t kMinute = 60'000'000'000;

const char *const kTradeFile = "crypto/tardis_binance-futures_BTCUSDT_trades.csv";
const char *const kQuoteFile = "crypto/tardis_binance-futures_BTCUSDT_quotes.csv";
const char *const kBarFile = "crypto/btc-perp-20211231-20220201_1m.csv";

const std::string kTradeHeader = "exchange,symbol,timestamp,local_timestamp,id,side,price,amount";
const std::string kTrade1 =
    "binance-futures,BTCUSDT,1582329602111000,1582329602418379,42377944,buy,9682,0.132";
const std::string kTrade2 =
    "binance-futures,BTCUSDT,1582329602116000,1582329602418420,42377945,sell,9681.5,0.412";

const std::string kQuoteHeader =
    "exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount";
const std::string kQuote1 =
    "binance-futures,BTCUSDT,1582329601096000,1582329603502092,0.84,9682,9681.92,0.67";
const std::string kQuote2 =
    "binance-futures,BTCUSDT,1582329603401000,1582329603522418,0.84,9682,9681.83,0.003";

const std::string kBarHeader = "timestamp,open,high,low,close,volume";
const std::string kBar1 = "2021-12-31 23:01:00.000000,46319.0,46385.0,46319.0,46377.0,2300413.7295";
const std::string kBar2 = "2021-12-31 23:02:00.000000,46377.0,46411.0,46377.0,46411.0,1829623.1938";
const std::string kBar4 = "2021-12-31 23:04:00.000000,46400.0,46420.0,46390.0,46410.0,100";

// 2021-12-31 23:01:00 UTC in nanoseconds since the epoch.
constexpr std::int64_t kBar1Start = 1'640'991'660'000'000'000;

// A file of `header` and `rows`, one a line, each ended by a newline.
std::string csvText(const std::string &header, std::initializer_list<std::string> rows)
{
    std::string text = header + "\n";
    for (const std::string &row : rows)
        text += row + "\n";
    return text;
}

// The error's text for a failure message, or nothing when there is no error.
std::string describe(const std::optional<CsvError> &error)
{
    return error ? error->toString() : std::string();
}

// Every record a reader delivers until it stops.
template <typename Reader, typename Record>
std::vector<Record> readAll(Reader &reader)
{
    std::vector<Record> records;
    Record record;
    while (reader.read(record))
        records.push_back(record);
    return records;
}

// Adds the columns of a malformed-file table: the file's text, the records delivered before
// the error, and the error's line, column and a part of its text.
void addMalformedColumns()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("delivered");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("column");
    QTest::addColumn<QString>("problem");
}

void addMalformed(const char *name, const std::string &text, int delivered, int line,
                  const char *column, const char *problem)
{
    QTest::newRow(name) << QString::fromStdString(text) << delivered << line
                        << QString::fromLatin1(column) << QString::fromLatin1(problem);
}

// Checks that `error` is set and names `path`, the expected line and column, and contains the
// expected problem text.
void checkError(const std::optional<CsvError> &error, const std::string &path, int line,
                const QString &column, const QString &problem)
{
    QVERIFY(error.has_value());
    QCOMPARE(QString::fromStdString(error->file), QString::fromStdString(path));
    QCOMPARE(error->line, std::size_t(line));
    QCOMPARE(QString::fromStdString(error->column), column);
    QVERIFY2(QString::fromStdString(error->what).contains(problem), error->toString().c_str());
}

} // namespace

class CsvSourcesTest : public QObject {
    Q_OBJECT

private slots:
    void decimalTextConvertsExactly_data();
    void decimalTextConvertsExactly();
    void readersConvertPricesAndSizesExactly();

    void realTradeFileReadsCompletely();
    void realQuoteFileReadsCompletely();
    void realBarFileReadsWithRoundedVolumes();
    void realBarFileStopsAtFloatWrittenVolume();
    void realBarFileAtWholeDollarsStopsAtQuarterPrice();
    void realBarsResampleToFiveMinutesAndOneHour();

    void malformedTradeFileStopsAtBadLine_data();
    void malformedTradeFileStopsAtBadLine();
    void malformedQuoteFileStopsAtBadLine_data();
    void malformedQuoteFileStopsAtBadLine();
    void malformedBarFileStopsAtBadLine_data();
    void malformedBarFileStopsAtBadLine();

    void errorTextNamesFileLineAndColumn();
    void missingFileIsReportedByName();
    void invalidScaleIsRejected();
    void windowsLineEndsByteOrderMarkAndNoFinalNewline();
    void emptyLinesAtEndOfFileAreAccepted();
    void reorderedHeaderFindsColumnsByName();
    void emptyTradeIdIsKept();
    void emptyQuoteSideHasNoLevel();
    void headerOnlyFileHasNoRecords();
    void barGapKeepsInterval();
    void givenBarIntervalIsCheckedFromFirstRow();
    void negativeBarIntervalIsRejected();
    void volumeRoundingIsOptIn();

    void resamplerMergesMinutesIntoFiveMinuteBars();
    void resamplerRejectsBrokenContracts();
};

void CsvSourcesTest::decimalTextConvertsExactly_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("decimals");
    QTest::addColumn<bool>("round");
    QTest::addColumn<qint64>("units");
    QTest::addColumn<int>("error");

    const int none = int(DecimalError::None);
    const int notANumber = int(DecimalError::NotANumber);
    const int tooMany = int(DecimalError::TooManyDecimals);
    const int outOfRange = int(DecimalError::OutOfRange);

    QTest::newRow("price at two decimals") << "9681.92" << 2 << false << qint64(968192) << none;
    QTest::newRow("whole price at two decimals") << "9682" << 2 << false << qint64(968200) << none;
    QTest::newRow("tenth at three decimals") << "0.1" << 3 << false << qint64(100) << none;
    QTest::newRow("trailing zero at zero decimals")
        << "46319.0" << 0 << false << qint64(46319) << none;
    QTest::newRow("many trailing zeros") << "46319.000000" << 0 << false << qint64(46319) << none;
    QTest::newRow("trailing zeros past scale") << "0.1000" << 3 << false << qint64(100) << none;
    QTest::newRow("negative") << "-0.25" << 2 << false << qint64(-25) << none;
    QTest::newRow("digit past scale") << "9681.925" << 2 << false << qint64(0) << tooMany;
    QTest::newRow("point without fraction") << "1." << 2 << false << qint64(0) << notANumber;
    QTest::newRow("fraction without whole") << ".5" << 2 << false << qint64(0) << notANumber;
    QTest::newRow("zero fraction only") << ".0" << 2 << false << qint64(0) << notANumber;
    QTest::newRow("exponent") << "1e3" << 0 << false << qint64(0) << notANumber;
    QTest::newRow("plus sign") << "+1" << 0 << false << qint64(0) << notANumber;
    QTest::newRow("beyond 64 bits")
        << "92233720368547758.08" << 2 << false << qint64(0) << outOfRange;

    // Half to even, worked by hand from the digits dropped after the scale.
    QTest::newRow("float-written volume rounded")
        << "218102.59507500002" << 4 << true << qint64(2181025951) << none;
    QTest::newRow("tie rounds to even zero") << "0.00005" << 4 << true << qint64(0) << none;
    QTest::newRow("tie rounds up to even") << "0.00015" << 4 << true << qint64(2) << none;
    QTest::newRow("above half rounds up") << "0.000051" << 4 << true << qint64(1) << none;
    QTest::newRow("below half rounds down") << "0.000049999" << 4 << true << qint64(0) << none;
    QTest::newRow("rounding to whole units") << "2.5" << 0 << true << qint64(2) << none;
    QTest::newRow("negative rounds by magnitude") << "-3.5" << 0 << true << qint64(-4) << none;
    QTest::newRow("rounding keeps the exact case") << "0.1" << 3 << true << qint64(100) << none;
}

void CsvSourcesTest::decimalTextConvertsExactly()
{
    QFETCH(QString, text);
    QFETCH(int, decimals);
    QFETCH(bool, round);
    QFETCH(qint64, units);
    QFETCH(int, error);

    const DecimalValue value =
        parseCsvDecimal(text.toStdString(), decimals,
                        round ? ExcessDecimals::RoundHalfEven : ExcessDecimals::Reject);
    QCOMPARE(int(value.error), error);
    if (error == int(DecimalError::None))
        QCOMPARE(value.units, std::int64_t(units));
}

void CsvSourcesTest::readersConvertPricesAndSizesExactly()
{
    QTemporaryDir directory;
    const std::string trades = writeFile(
        directory, "trades.csv",
        csvText(kTradeHeader,
                {"binance-futures,BTCUSDT,1582329602111000,1582329602418379,1,buy,9681.92,0.1"}));
    TradeReader tradeReader;
    QVERIFY(!tradeReader.open(trades, kBinanceScale));
    const auto trade = tradeReader.next();
    QVERIFY2(trade.has_value(), describe(tradeReader.error()).c_str());
    QCOMPARE(trade->price, Price{968192});
    QCOMPARE(trade->quantity, Quantity{100});

    const std::string bars = writeFile(directory, "bars.csv", csvText(kBarHeader, {kBar1}));
    BarReader barReader;
    QVERIFY(!barReader.open(bars, {.scale = kWholeDollarBarScale}));
    const auto bar = barReader.next();
    QVERIFY2(bar.has_value(), describe(barReader.error()).c_str());
    QCOMPARE(bar->start, Timestamp{kBar1Start});
    QCOMPARE(bar->open, Price{46319});
    QCOMPARE(bar->high, Price{46385});
    QCOMPARE(bar->low, Price{46319});
    QCOMPARE(bar->close, Price{46377});
    QCOMPARE(bar->volume, Quantity{23004137295});
    QCOMPARE(bar->tradeCount, 0u);
}

// The expected figures of the real files below were computed once from the raw CSV with a short
// Python script. It read each value with decimal.Decimal, scaled it by a power of ten and checked
// that the result was whole, so no binary float touched them. Where a test reads bar volumes
// rounded, the script quantized them with ROUND_HALF_EVEN to four decimals.

void CsvSourcesTest::realTradeFileReadsCompletely()
{
    const QString path = marketDataPath(QString::fromLatin1(kTradeFile));
    BOURSE_REQUIRE_DATA_FILE(path);

    TradeReader reader;
    const auto openError = reader.open(path.toStdString(), kBinanceScale);
    QVERIFY2(!openError, describe(openError).c_str());
    const auto trades = readAll<TradeReader, TradeRecord>(reader);
    QVERIFY2(!reader.error(), describe(reader.error()).c_str());
    QCOMPARE(trades.size(), std::size_t(9999));
    QCOMPARE(QString::fromStdString(reader.exchange()), QStringLiteral("binance-futures"));
    QCOMPARE(QString::fromStdString(reader.symbol()), QStringLiteral("BTCUSDT"));

    // binance-futures,BTCUSDT,1582329602111000,1582329602418379,42377944,buy,9682,0.132
    const TradeRecord &first = trades.front();
    QCOMPARE(first.time, Timestamp{1582329602111000000});
    QCOMPARE(first.receivedTime, Timestamp{1582329602418379000});
    QCOMPARE(QString::fromStdString(first.id), QStringLiteral("42377944"));
    QCOMPARE(first.aggressor, Side::Buy);
    QCOMPARE(first.price, Price{968200});
    QCOMPARE(first.quantity, Quantity{132});
    QCOMPARE(first.line, std::size_t(2));

    // binance-futures,BTCUSDT,1582337147728000,1582337147852384,42387942,sell,9666.84,0.07
    const TradeRecord &last = trades.back();
    QCOMPARE(last.time, Timestamp{1582337147728000000});
    QCOMPARE(last.receivedTime, Timestamp{1582337147852384000});
    QCOMPARE(QString::fromStdString(last.id), QStringLiteral("42387942"));
    QCOMPARE(last.aggressor, Side::Sell);
    QCOMPARE(last.price, Price{966684});
    QCOMPARE(last.quantity, Quantity{70});
    QCOMPARE(last.line, std::size_t(10000));

    std::int64_t lots = 0;
    std::int64_t buys = 0;
    Price highest = first.price;
    Price lowest = first.price;
    for (const TradeRecord &trade : trades) {
        lots += trade.quantity.value();
        buys += trade.aggressor == Side::Buy ? 1 : 0;
        highest = std::max(highest, trade.price);
        lowest = std::min(lowest, trade.price);
    }
    QCOMPARE(lots, std::int64_t(4024301));
    QCOMPARE(buys, std::int64_t(5267));
    QCOMPARE(highest, Price{971070});
    QCOMPARE(lowest, Price{965307});
}

void CsvSourcesTest::realQuoteFileReadsCompletely()
{
    const QString path = marketDataPath(QString::fromLatin1(kQuoteFile));
    BOURSE_REQUIRE_DATA_FILE(path);

    QuoteReader reader;
    const auto openError = reader.open(path.toStdString(), kBinanceScale);
    QVERIFY2(!openError, describe(openError).c_str());
    const auto quotes = readAll<QuoteReader, QuoteRecord>(reader);
    QVERIFY2(!reader.error(), describe(reader.error()).c_str());
    QCOMPARE(quotes.size(), std::size_t(9999));

    // binance-futures,BTCUSDT,1582329601096000,1582329603502092,0.84,9682,9681.92,0.67
    const QuoteRecord &first = quotes.front();
    QCOMPARE(first.time, Timestamp{1582329601096000000});
    QCOMPARE(first.receivedTime, Timestamp{1582329603502092000});
    QVERIFY(first.ask.has_value());
    QVERIFY(first.bid.has_value());
    QCOMPARE(first.ask->price, Price{968200});
    QCOMPARE(first.ask->quantity, Quantity{840});
    QCOMPARE(first.bid->price, Price{968192});
    QCOMPARE(first.bid->quantity, Quantity{670});

    // binance-futures,BTCUSDT,1582329827061000,1582329827181582,0.031,9672.09,9671.19,0.012
    const QuoteRecord &last = quotes.back();
    QCOMPARE(last.time, Timestamp{1582329827061000000});
    QCOMPARE(last.receivedTime, Timestamp{1582329827181582000});
    QVERIFY(last.ask.has_value());
    QVERIFY(last.bid.has_value());
    QCOMPARE(last.ask->price, Price{967209});
    QCOMPARE(last.ask->quantity, Quantity{31});
    QCOMPARE(last.bid->price, Price{967119});
    QCOMPARE(last.bid->quantity, Quantity{12});
    QCOMPARE(last.line, std::size_t(10000));

    std::int64_t bidLots = 0;
    std::int64_t askLots = 0;
    Price highestAsk = first.ask->price;
    Price lowestBid = first.bid->price;
    for (const QuoteRecord &quote : quotes) {
        QVERIFY(quote.ask && quote.bid);
        bidLots += quote.bid->quantity.value();
        askLots += quote.ask->quantity.value();
        highestAsk = std::max(highestAsk, quote.ask->price);
        lowestBid = std::min(lowestBid, quote.bid->price);
    }
    QCOMPARE(bidLots, std::int64_t(16345675));
    QCOMPARE(askLots, std::int64_t(25383228));
    QCOMPARE(highestAsk, Price{968470});
    QCOMPARE(lowestBid, Price{966666});
}

void CsvSourcesTest::realBarFileReadsWithRoundedVolumes()
{
    const QString path = marketDataPath(QString::fromLatin1(kBarFile));
    BOURSE_REQUIRE_DATA_FILE(path);

    // A few rows of this file, in runs that change by the same step each minute, have prices in
    // quarters and eighths of a dollar, such as 43613.875, so prices need three decimals. 14
    // volumes have more than four decimals, six of them written through a binary float
    // (218102.59507500002), so volumes are read rounded.
    BarReader reader;
    const auto openError =
        reader.open(path.toStdString(), {.scale = {.priceDecimals = 3, .quantityDecimals = 4},
                                         .volumeExcessDecimals = ExcessDecimals::RoundHalfEven});
    QVERIFY2(!openError, describe(openError).c_str());
    const auto bars = readAll<BarReader, Bar>(reader);
    QVERIFY2(!reader.error(), describe(reader.error()).c_str());
    QCOMPARE(bars.size(), std::size_t(45031));
    QCOMPARE(reader.intervalNanoseconds(), kMinute);
    QCOMPARE(reader.roundedVolumes(), std::uint64_t(14));

    // 2021-12-31 23:01:00.000000,46319.0,46385.0,46319.0,46377.0,2300413.7295
    QCOMPARE(bars.front(), (Bar{Timestamp{kBar1Start}, Price{46319000}, Price{46385000},
                                Price{46319000}, Price{46377000}, Quantity{23004137295}, 0}));
    // 2022-02-01 05:31:00.000000,38525.0,38546.0,38525.0,38544.0,685906.9735
    QCOMPARE(bars.back(), (Bar{Timestamp{1643693460000000000}, Price{38525000}, Price{38546000},
                               Price{38525000}, Price{38544000}, Quantity{6859069735}, 0}));
    // Line 249: volume 218102.59507500002.
    QCOMPARE(bars[247].volume, Quantity{2181025951});

    std::int64_t volume = 0;
    Price highest = bars.front().high;
    Price lowest = bars.front().low;
    for (const Bar &bar : bars) {
        volume += bar.volume.value();
        highest = std::max(highest, bar.high);
        lowest = std::min(lowest, bar.low);
    }
    QCOMPARE(volume, std::int64_t(1199233705702074));
    QCOMPARE(highest, Price{48080000});
    QCOMPARE(lowest, Price{32837000});
}

void CsvSourcesTest::realBarFileStopsAtFloatWrittenVolume()
{
    const QString path = marketDataPath(QString::fromLatin1(kBarFile));
    BOURSE_REQUIRE_DATA_FILE(path);

    // Seven decimals cover every volume up to line 249, which is 218102.59507500002.
    BarReader reader;
    QVERIFY(
        !reader.open(path.toStdString(), {.scale = {.priceDecimals = 3, .quantityDecimals = 7}}));
    const auto bars = readAll<BarReader, Bar>(reader);
    checkError(reader.error(), path.toStdString(), 249, QStringLiteral("volume"),
               QStringLiteral("'218102.59507500002' has 11 decimal places, but the instrument's "
                              "quantities have 7"));
    QCOMPARE(bars.size(), std::size_t(247));
    // 2022-01-01 03:07:00.000000, the row before: volume 232316.0730125.
    QCOMPARE(bars.back().start, Timestamp{1641006420000000000});
    QCOMPARE(bars.back().volume, Quantity{2323160730125});

    std::int64_t volume = 0;
    Price highest = bars.front().high;
    Price lowest = bars.front().low;
    for (const Bar &bar : bars) {
        volume += bar.volume.value();
        highest = std::max(highest, bar.high);
        lowest = std::min(lowest, bar.low);
    }
    QCOMPARE(volume, std::int64_t(3196190784949375));
    QCOMPARE(highest, Price{46950000});
    QCOMPARE(lowest, Price{46150000});
}

void CsvSourcesTest::realBarFileAtWholeDollarsStopsAtQuarterPrice()
{
    const QString path = marketDataPath(QString::fromLatin1(kBarFile));
    BOURSE_REQUIRE_DATA_FILE(path);

    BarReader reader;
    QVERIFY(!reader.open(path.toStdString(), {.scale = kWholeDollarBarScale}));
    const auto bars = readAll<BarReader, Bar>(reader);
    // 2022-01-01 03:03:00.000000,46821.75,46830.5,46809.0,46810.75,289169.9847625
    checkError(reader.error(), path.toStdString(), 244, QStringLiteral("open"),
               QStringLiteral("'46821.75' has 2 decimal places, but the instrument's prices "
                              "have 0"));
    QCOMPARE(bars.size(), std::size_t(242));

    std::int64_t volume = 0;
    for (const Bar &bar : bars)
        volume += bar.volume.value();
    QCOMPARE(volume, std::int64_t(3183153633505));
}

void CsvSourcesTest::realBarsResampleToFiveMinutesAndOneHour()
{
    const QString path = marketDataPath(QString::fromLatin1(kBarFile));
    BOURSE_REQUIRE_DATA_FILE(path);

    BarReader reader;
    QVERIFY(
        !reader.open(path.toStdString(), {.scale = {.priceDecimals = 3, .quantityDecimals = 4},
                                          .volumeExcessDecimals = ExcessDecimals::RoundHalfEven}));
    const auto bars = readAll<BarReader, Bar>(reader);
    QVERIFY(!reader.error());

    // 2021-12-31 23:00:00 UTC, the 5-minute and 1-hour bar the first minute bar falls in.
    constexpr std::int64_t firstStart = 1640991600000000000;
    const BarSeries fiveMinutes = resampleBars(bars, kMinute, 5 * kMinute);
    QCOMPARE(fiveMinutes.intervalNanoseconds, 5 * kMinute);
    QCOMPARE(fiveMinutes.bars.size(), std::size_t(9007));
    QCOMPARE(fiveMinutes.bars.front(),
             (Bar{Timestamp{firstStart}, Price{46319000}, Price{46425000}, Price{46319000},
                  Price{46420000}, Quantity{48514533053}, 0}));
    QCOMPARE(fiveMinutes.bars.back(),
             (Bar{Timestamp{1643693400000000000}, Price{38527000}, Price{38546000}, Price{38525000},
                  Price{38544000}, Quantity{9177566046}, 0}));

    const BarSeries hours = resampleBars(bars, kMinute, 60 * kMinute);
    QCOMPARE(hours.bars.size(), std::size_t(751));
    QCOMPARE(hours.bars.front(),
             (Bar{Timestamp{firstStart}, Price{46319000}, Price{46514000}, Price{46150000},
                  Price{46198000}, Quantity{702686313974}, 0}));
    QCOMPARE(hours.bars.back(),
             (Bar{Timestamp{1643691600000000000}, Price{38571000}, Price{38598000}, Price{38488000},
                  Price{38544000}, Quantity{226087896997}, 0}));

    std::int64_t volume = 0;
    for (const Bar &bar : hours.bars)
        volume += bar.volume.value();
    QCOMPARE(volume, std::int64_t(1199233705702074));
}

void CsvSourcesTest::malformedTradeFileStopsAtBadLine_data()
{
    addMalformedColumns();
    // Each bad row sits on line 3, after one good row and before another.
    const auto around = [](const std::string &bad) {
        return csvText(kTradeHeader, {kTrade1, bad, kTrade2});
    };
    const std::string prefix = "binance-futures,BTCUSDT,1582329602116000,1582329602418420,";

    addMalformed("price with a third decimal", around(prefix + "42377945,sell,9681.505,0.412"), 1,
                 3, "price", "'9681.505' has 3 decimal places, but the instrument's prices have 2");
    addMalformed("negative price", around(prefix + "42377945,sell,-9681.5,0.412"), 1, 3, "price",
                 "price '-9681.5' is not positive");
    addMalformed("zero price", around(prefix + "42377945,sell,0.00,0.412"), 1, 3, "price",
                 "price '0.00' is not positive");
    addMalformed("price not a number", around(prefix + "42377945,sell,96a1,0.412"), 1, 3, "price",
                 "invalid number '96a1'");
    addMalformed("price in exponent form", around(prefix + "42377945,sell,9.6815e3,0.412"), 1, 3,
                 "price", "invalid number '9.6815e3'");
    addMalformed("empty price", around(prefix + "42377945,sell,,0.412"), 1, 3, "price",
                 "the value is empty");
    addMalformed("price above engine maximum",
                 around(prefix + "42377945,sell,10000000000000.01,0.412"), 1, 3, "price",
                 "above the engine's maximum");
    addMalformed("price beyond 64 bits",
                 around(prefix + "42377945,sell,999999999999999999999,0.412"), 1, 3, "price",
                 "is out of range");
    addMalformed("control bytes in price", around(prefix + "42377945,sell,\x01\x7f,0.412"), 1, 3,
                 "price", "invalid number '\\x01\\x7f'");
    addMalformed("zero amount", around(prefix + "42377945,sell,9681.5,0.000"), 1, 3, "amount",
                 "quantity '0.000' is not positive");
    addMalformed("amount with a fourth decimal", around(prefix + "42377945,sell,9681.5,0.4125"), 1,
                 3, "amount", "has 4 decimal places, but the instrument's quantities have 3");
    addMalformed("unknown aggressor", around(prefix + "42377945,unknown,9681.5,0.412"), 1, 3,
                 "side", "the aggressor is unknown");
    addMalformed("side in capitals", around(prefix + "42377945,BUY,9681.5,0.412"), 1, 3, "side",
                 "invalid side 'BUY': expected buy or sell");
    addMalformed("timestamp with a fraction",
                 around("binance-futures,BTCUSDT,1582329602116000.5,1582329602418420,42377945,"
                        "sell,9681.5,0.412"),
                 1, 3, "timestamp", "invalid timestamp '1582329602116000.5'");
    addMalformed("negative timestamp",
                 around("binance-futures,BTCUSDT,-1582329602116000,1582329602418420,42377945,"
                        "sell,9681.5,0.412"),
                 1, 3, "timestamp", "invalid timestamp");
    addMalformed("timestamp past 2262",
                 around("binance-futures,BTCUSDT,99999999999999999,1582329602418420,42377945,"
                        "sell,9681.5,0.412"),
                 1, 3, "timestamp", "is out of range");
    addMalformed("zero timestamp",
                 around("binance-futures,BTCUSDT,0,1582329602418420,42377945,sell,9681.5,0.412"), 1,
                 3, "timestamp", "is zero");
    addMalformed("exchange time going back",
                 around("binance-futures,BTCUSDT,1582329602110999,1582329602418420,42377945,"
                        "sell,9681.5,0.412"),
                 1, 3, "timestamp",
                 "time goes back: 1582329602110999 is earlier than 1582329602111000");
    addMalformed("local time going back",
                 around("binance-futures,BTCUSDT,1582329602116000,1582329602418378,42377945,"
                        "sell,9681.5,0.412"),
                 1, 3, "local_timestamp",
                 "time goes back: 1582329602418378 is earlier than 1582329602418379");
    addMalformed("another symbol",
                 around("binance-futures,ETHUSDT,1582329602116000,1582329602418420,42377945,"
                        "sell,9681.5,0.412"),
                 1, 3, "symbol", "'ETHUSDT' differs from 'BTCUSDT' on the first row");
    addMalformed("empty exchange",
                 around(",BTCUSDT,1582329602116000,1582329602418420,42377945,sell,9681.5,0.412"), 1,
                 3, "exchange", "the value is empty");
    addMalformed("missing field", around(prefix + "42377945,sell,9681.5"), 1, 3, "",
                 "expected 8 comma-separated fields as in the header, found 7");
    addMalformed("extra field", around(prefix + "42377945,sell,9681.5,0.412,1"), 1, 3, "",
                 "found 9");
    addMalformed("quoted field", around(prefix + "\"42377945\",sell,9681.5,0.412"), 1, 3, "",
                 "quoted fields are not supported");
    addMalformed("empty line between rows", kTradeHeader + "\n" + kTrade1 + "\n\n" + kTrade2, 1, 3,
                 "", "empty line between rows");
    addMalformed("windows empty line between rows",
                 kTradeHeader + "\r\n" + kTrade1 + "\r\n\r\n" + kTrade2 + "\r\n", 1, 3, "",
                 "empty line between rows");

    addMalformed("empty file", "", 0, 1, "", "the trade file is empty");
    addMalformed("empty header line", "\n" + kTrade1 + "\n", 0, 1, "", "the header line is empty");
    addMalformed("header without amount",
                 "exchange,symbol,timestamp,local_timestamp,id,side,price\n", 0, 1, "amount",
                 "missing from the header");
    addMalformed("header with an unknown column", kTradeHeader + ",fee\n", 0, 1, "fee",
                 "unknown column; expected the columns exchange,symbol,timestamp,"
                 "local_timestamp,id,side,price,amount, in any order");
    addMalformed("header naming price twice",
                 "exchange,symbol,timestamp,local_timestamp,id,side,price,price\n", 0, 1, "price",
                 "the header names this column twice");
    addMalformed("rows without a header", csvText(kTrade1, {kTrade2}), 0, 1, "binance-futures",
                 "unknown column");
    addMalformed("quote file given as trades", csvText(kQuoteHeader, {kQuote1}), 0, 1, "ask_amount",
                 "unknown column");
}

void CsvSourcesTest::malformedTradeFileStopsAtBadLine()
{
    QFETCH(QString, text);
    QFETCH(int, delivered);
    QFETCH(int, line);
    QFETCH(QString, column);
    QFETCH(QString, problem);

    QTemporaryDir directory;
    const std::string path = writeFile(directory, "trades.csv", text.toStdString());
    TradeReader reader;
    const auto openError = reader.open(path, kBinanceScale);
    const auto trades = readAll<TradeReader, TradeRecord>(reader);

    checkError(reader.error(), path, line, column, problem);
    QCOMPARE(openError.has_value(), delivered == 0 && line == 1);
    QCOMPARE(trades.size(), std::size_t(delivered));
    if (delivered > 0)
        QCOMPARE(trades.front().time, Timestamp{1582329602111000000});
    TradeRecord after;
    QVERIFY(!reader.read(after));
    QVERIFY(reader.error().has_value());
}

void CsvSourcesTest::malformedQuoteFileStopsAtBadLine_data()
{
    addMalformedColumns();
    const auto around = [](const std::string &bad) {
        return csvText(kQuoteHeader, {kQuote1, bad, kQuote2});
    };
    const std::string prefix = "binance-futures,BTCUSDT,1582329603401000,1582329603522418,";

    addMalformed("bid price empty but amount given", around(prefix + "0.84,9682,,0.003"), 1, 3,
                 "bid_price", "the value is empty but bid_amount is not");
    addMalformed("ask amount empty but price given", around(prefix + ",9682,9681.83,0.003"), 1, 3,
                 "ask_amount", "the value is empty but ask_price is not");
    addMalformed("zero bid amount", around(prefix + "0.84,9682,9681.83,0"), 1, 3, "bid_amount",
                 "quantity '0' is not positive");
    addMalformed("negative ask amount", around(prefix + "-0.84,9682,9681.83,0.003"), 1, 3,
                 "ask_amount", "quantity '-0.84' is not positive");
    addMalformed("ask price with a third decimal", around(prefix + "0.84,9682.001,9681.83,0.003"),
                 1, 3, "ask_price", "'9682.001' has 3 decimal places");
    addMalformed("zero bid price", around(prefix + "0.84,9682,0,0.003"), 1, 3, "bid_price",
                 "price '0' is not positive");
    addMalformed("exchange time going back",
                 around("binance-futures,BTCUSDT,1582329601095999,1582329603522418,0.84,9682,"
                        "9681.83,0.003"),
                 1, 3, "timestamp", "time goes back");
    addMalformed("another exchange",
                 around("binance,BTCUSDT,1582329603401000,1582329603522418,0.84,9682,9681.83,"
                        "0.003"),
                 1, 3, "exchange", "'binance' differs from 'binance-futures'");
    addMalformed("missing field", around(prefix + "0.84,9682,9681.83"), 1, 3, "", "found 7");
    addMalformed("header without bid_amount",
                 "exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price\n", 0, 1,
                 "bid_amount", "missing from the header");
    addMalformed("trade file given as quotes", csvText(kTradeHeader, {kTrade1}), 0, 1, "id",
                 "unknown column");
}

void CsvSourcesTest::malformedQuoteFileStopsAtBadLine()
{
    QFETCH(QString, text);
    QFETCH(int, delivered);
    QFETCH(int, line);
    QFETCH(QString, column);
    QFETCH(QString, problem);

    QTemporaryDir directory;
    const std::string path = writeFile(directory, "quotes.csv", text.toStdString());
    QuoteReader reader;
    const auto openError = reader.open(path, kBinanceScale);
    const auto quotes = readAll<QuoteReader, QuoteRecord>(reader);

    checkError(reader.error(), path, line, column, problem);
    QCOMPARE(openError.has_value(), delivered == 0 && line == 1);
    QCOMPARE(quotes.size(), std::size_t(delivered));
    if (delivered > 0)
        QCOMPARE(quotes.front().time, Timestamp{1582329601096000000});
}

void CsvSourcesTest::malformedBarFileStopsAtBadLine_data()
{
    addMalformedColumns();
    // Each bad row sits on line 4, after two good rows that set a 1-minute grid.
    const auto around = [](const std::string &bad) {
        return csvText(kBarHeader, {kBar1, kBar2, bad, kBar4});
    };

    addMalformed("high below open", around("2021-12-31 23:03:00,46411,46410,46400,46405,1"), 2, 4,
                 "high", "high '46410' is below open '46411'");
    addMalformed("high below close", around("2021-12-31 23:03:00,46400,46410,46390,46420,1"), 2, 4,
                 "high", "high '46410' is below close '46420'");
    addMalformed("low above open", around("2021-12-31 23:03:00,46400,46420,46405,46410,1"), 2, 4,
                 "low", "low '46405' is above open '46400'");
    addMalformed("low above close", around("2021-12-31 23:03:00,46410,46420,46405,46400,1"), 2, 4,
                 "low", "low '46405' is above close '46400'");
    addMalformed("low above high", around("2021-12-31 23:03:00,46400,46390,46420,46400,1"), 2, 4,
                 "low", "low '46420' is above high '46390'");
    addMalformed("row off the minute grid", around("2021-12-31 23:03:30,46400,46420,46390,46410,1"),
                 2, 4, "timestamp",
                 "2021-12-31 23:03:30 is off the grid of the bars: it must be a whole number of "
                 "60 s after 2021-12-31 23:01:00 on line 2");
    addMalformed("repeated bar time", around("2021-12-31 23:02:00,46400,46420,46390,46410,1"), 2, 4,
                 "timestamp",
                 "2021-12-31 23:02:00 does not come after 2021-12-31 23:02:00 on the row before");
    addMalformed("bar time going back", around("2021-12-31 23:00:00,46400,46420,46390,46410,1"), 2,
                 4, "timestamp", "does not come after");
    addMalformed("month thirteen", around("2021-13-01 00:00:00,46400,46420,46390,46410,1"), 2, 4,
                 "timestamp", "'2021-13-01 00:00:00' is not a valid date");
    addMalformed("february 29 of 2021", around("2021-02-29 00:00:00,46400,46420,46390,46410,1"), 2,
                 4, "timestamp", "is not a valid date");
    addMalformed("hour 24", around("2021-12-31 24:00:00,46400,46420,46390,46410,1"), 2, 4,
                 "timestamp", "'2021-12-31 24:00:00' is not a valid time of day");
    addMalformed("epoch seconds", around("1640991780,46400,46420,46390,46410,1"), 2, 4, "timestamp",
                 "invalid date and time '1640991780'");
    addMalformed("ten decimals of a second",
                 around("2021-12-31 23:03:00.0000000000,46400,46420,46390,46410,1"), 2, 4,
                 "timestamp", "invalid date and time");
    addMalformed("time zone suffix", around("2021-12-31 23:03:00Z,46400,46420,46390,46410,1"), 2, 4,
                 "timestamp", "invalid date and time");
    addMalformed("negative volume", around("2021-12-31 23:03:00,46400,46420,46390,46410,-5"), 2, 4,
                 "volume", "volume '-5' is negative");
    addMalformed("volume with a fifth decimal",
                 around("2021-12-31 23:03:00,46400,46420,46390,46410,1829623.19385"), 2, 4,
                 "volume", "'1829623.19385' has 5 decimal places");
    addMalformed("open price in cents", around("2021-12-31 23:03:00,46411.5,46420,46390,46410,1"),
                 2, 4, "open", "'46411.5' has 1 decimal place, but the instrument's prices have 0");
    addMalformed("zero low", around("2021-12-31 23:03:00,46400,46420,0,46410,1"), 2, 4, "low",
                 "price '0' is not positive");
    addMalformed("second row before the first",
                 csvText(kBarHeader, {kBar1, "2021-12-31 23:00:00,46400,46420,46390,46410,1"}), 1,
                 3, "timestamp", "does not come after");
    addMalformed("first two rows at one time", csvText(kBarHeader, {kBar1, kBar1}), 1, 3,
                 "timestamp", "does not come after");
    addMalformed("header with a trades column", kBarHeader + ",trades\n", 0, 1, "trades",
                 "unknown column");
}

void CsvSourcesTest::malformedBarFileStopsAtBadLine()
{
    QFETCH(QString, text);
    QFETCH(int, delivered);
    QFETCH(int, line);
    QFETCH(QString, column);
    QFETCH(QString, problem);

    QTemporaryDir directory;
    const std::string path = writeFile(directory, "bars.csv", text.toStdString());
    BarReader reader;
    const auto openError = reader.open(path, {.scale = kWholeDollarBarScale});
    const auto bars = readAll<BarReader, Bar>(reader);

    checkError(reader.error(), path, line, column, problem);
    QCOMPARE(openError.has_value(), delivered == 0 && line == 1);
    QCOMPARE(bars.size(), std::size_t(delivered));
    for (std::size_t i = 0; i < bars.size(); ++i)
        QCOMPARE(bars[i].start, Timestamp{kBar1Start + std::int64_t(i) * kMinute});
}

void CsvSourcesTest::errorTextNamesFileLineAndColumn()
{
    const CsvError error{"trades.csv", 812, "price", "price '0' is not positive"};
    QCOMPARE(QString::fromStdString(error.toString()),
             QStringLiteral("trades.csv:812: column 'price': price '0' is not positive"));
    const CsvError rowError{"trades.csv", 3, "", "quoted fields are not supported"};
    QCOMPARE(QString::fromStdString(rowError.toString()),
             QStringLiteral("trades.csv:3: quoted fields are not supported"));
    const CsvError fileError{"trades.csv", 0, "", "cannot open the trade file"};
    QCOMPARE(QString::fromStdString(fileError.toString()),
             QStringLiteral("trades.csv: cannot open the trade file"));
}

void CsvSourcesTest::missingFileIsReportedByName()
{
    QTemporaryDir directory;
    const std::string path = directory.filePath(QStringLiteral("absent.csv")).toStdString();
    TradeReader reader;
    const auto error = reader.open(path, kBinanceScale);
    QVERIFY(error.has_value());
    QCOMPARE(QString::fromStdString(error->file), QString::fromStdString(path));
    QCOMPARE(error->line, std::size_t(0));
    QVERIFY2(error->what.find("cannot open the trade file") != std::string::npos,
             error->toString().c_str());
    QVERIFY(!reader.next());
}

void CsvSourcesTest::invalidScaleIsRejected()
{
    QTemporaryDir directory;
    const std::string path = writeFile(directory, "trades.csv", csvText(kTradeHeader, {kTrade1}));
    TradeReader reader;
    const auto error = reader.open(path, {.priceDecimals = 19, .quantityDecimals = 3});
    QVERIFY(error.has_value());
    QCOMPARE(error->line, std::size_t(0));
    QVERIFY2(error->what.find("price decimals 19") != std::string::npos, error->toString().c_str());
    QVERIFY(!reader.next());

    QuoteReader quotes;
    QVERIFY(quotes.open(path, {.priceDecimals = 2, .quantityDecimals = -1}).has_value());
}

void CsvSourcesTest::windowsLineEndsByteOrderMarkAndNoFinalNewline()
{
    QTemporaryDir directory;
    const std::string path =
        writeFile(directory, "trades.csv",
                  "\xEF\xBB\xBF" + kTradeHeader + "\r\n" + kTrade1 + "\r\n" + kTrade2);
    TradeReader reader;
    QVERIFY(!reader.open(path, kBinanceScale));
    const auto trades = readAll<TradeReader, TradeRecord>(reader);
    QVERIFY2(!reader.error(), describe(reader.error()).c_str());
    QCOMPARE(trades.size(), std::size_t(2));
    QCOMPARE(trades[1].quantity, Quantity{412});
    QCOMPARE(trades[1].price, Price{968150});
    QCOMPARE(trades[1].aggressor, Side::Sell);
    QCOMPARE(trades[1].line, std::size_t(3));
}

void CsvSourcesTest::emptyLinesAtEndOfFileAreAccepted()
{
    QTemporaryDir directory;
    const std::string path =
        writeFile(directory, "quotes.csv", csvText(kQuoteHeader, {kQuote1, kQuote2}) + "\n\r\n");
    QuoteReader reader;
    QVERIFY(!reader.open(path, kBinanceScale));
    const auto quotes = readAll<QuoteReader, QuoteRecord>(reader);
    QVERIFY2(!reader.error(), describe(reader.error()).c_str());
    QCOMPARE(quotes.size(), std::size_t(2));
}

void CsvSourcesTest::reorderedHeaderFindsColumnsByName()
{
    QTemporaryDir directory;
    const std::string path =
        writeFile(directory, "trades.csv",
                  csvText("amount,price,side,id,local_timestamp,timestamp,symbol,exchange",
                          {"0.132,9682,buy,42377944,1582329602418379,1582329602111000,BTCUSDT,"
                           "binance-futures"}));
    TradeReader reader;
    QVERIFY(!reader.open(path, kBinanceScale));
    const auto trade = reader.next();
    QVERIFY2(trade.has_value(), describe(reader.error()).c_str());
    QCOMPARE(trade->time, Timestamp{1582329602111000000});
    QCOMPARE(trade->receivedTime, Timestamp{1582329602418379000});
    QCOMPARE(QString::fromStdString(trade->id), QStringLiteral("42377944"));
    QCOMPARE(trade->aggressor, Side::Buy);
    QCOMPARE(trade->price, Price{968200});
    QCOMPARE(trade->quantity, Quantity{132});
    QCOMPARE(QString::fromStdString(reader.symbol()), QStringLiteral("BTCUSDT"));
}

void CsvSourcesTest::emptyTradeIdIsKept()
{
    QTemporaryDir directory;
    const std::string path =
        writeFile(directory, "trades.csv",
                  csvText(kTradeHeader,
                          {"bitmex,XBTUSD,1582329602111000,1582329602418379,,sell,9682.5,100"}));
    TradeReader reader;
    QVERIFY(!reader.open(path, {.priceDecimals = 1, .quantityDecimals = 0}));
    const auto trade = reader.next();
    QVERIFY2(trade.has_value(), describe(reader.error()).c_str());
    QVERIFY(trade->id.empty());
    QCOMPARE(trade->price, Price{96825});
    QCOMPARE(trade->quantity, Quantity{100});
}

void CsvSourcesTest::emptyQuoteSideHasNoLevel()
{
    QTemporaryDir directory;
    const std::string prefix = "binance-futures,BTCUSDT,";
    const std::string path = writeFile(
        directory, "quotes.csv",
        csvText(kQuoteHeader, {prefix + "1582329601096000,1582329603502092,0.84,9682,,",
                               prefix + "1582329601097000,1582329603502093,,,9681.92,0.67",
                               prefix + "1582329601098000,1582329603502094,,,,"}));
    QuoteReader reader;
    QVERIFY(!reader.open(path, kBinanceScale));
    const auto quotes = readAll<QuoteReader, QuoteRecord>(reader);
    QVERIFY2(!reader.error(), describe(reader.error()).c_str());
    QCOMPARE(quotes.size(), std::size_t(3));

    QVERIFY(!quotes[0].bid.has_value());
    QCOMPARE(quotes[0].ask, (std::optional<QuoteLevel>{{Price{968200}, Quantity{840}}}));
    QCOMPARE(quotes[1].bid, (std::optional<QuoteLevel>{{Price{968192}, Quantity{670}}}));
    QVERIFY(!quotes[1].ask.has_value());
    QVERIFY(!quotes[2].bid.has_value());
    QVERIFY(!quotes[2].ask.has_value());
}

void CsvSourcesTest::headerOnlyFileHasNoRecords()
{
    QTemporaryDir directory;
    const std::string path = writeFile(directory, "bars.csv", kBarHeader);
    BarReader reader;
    QVERIFY(!reader.open(path, {.scale = kWholeDollarBarScale}));
    QVERIFY(!reader.next());
    QVERIFY(!reader.error());
    QCOMPARE(reader.intervalNanoseconds(), std::int64_t(0));
}

void CsvSourcesTest::barGapKeepsInterval()
{
    QTemporaryDir directory;
    const std::string path = writeFile(
        directory, "bars.csv",
        csvText(kBarHeader, {kBar1, kBar2, "2022-01-01 09:30:00,46400,46420,46390,46410,1"}));
    BarReader reader;
    QVERIFY(!reader.open(path, {.scale = kWholeDollarBarScale}));
    QVERIFY(reader.next());
    QCOMPARE(reader.intervalNanoseconds(), std::int64_t(0));
    const auto bars = readAll<BarReader, Bar>(reader);
    QVERIFY2(!reader.error(), describe(reader.error()).c_str());
    QCOMPARE(bars.size(), std::size_t(2));
    QCOMPARE(reader.intervalNanoseconds(), kMinute);
    // 2022-01-01 09:30:00 is 10 h 29 min after 2021-12-31 23:01:00.
    QCOMPARE(bars[1].start, Timestamp{kBar1Start + 629 * kMinute});
    QCOMPARE(reader.lineNumber(), std::size_t(4));
}

void CsvSourcesTest::givenBarIntervalIsCheckedFromFirstRow()
{
    QTemporaryDir directory;
    const std::string path = writeFile(
        directory, "bars.csv",
        csvText(kBarHeader, {"2021-12-31 23:00:00,1,1,1,1,1", "2021-12-31 23:10:00,1,1,1,1,1",
                             "2021-12-31 23:12:00,1,1,1,1,1"}));
    BarReader reader;
    QVERIFY(
        !reader.open(path, {.scale = kWholeDollarBarScale, .intervalNanoseconds = 5 * kMinute}));
    QCOMPARE(reader.intervalNanoseconds(), 5 * kMinute);
    const auto bars = readAll<BarReader, Bar>(reader);
    QCOMPARE(bars.size(), std::size_t(2));
    checkError(reader.error(), path, 4, QStringLiteral("timestamp"),
               QStringLiteral("whole number of 300 s after 2021-12-31 23:00:00 on line 2"));
}

void CsvSourcesTest::negativeBarIntervalIsRejected()
{
    QTemporaryDir directory;
    const std::string path = writeFile(directory, "bars.csv", csvText(kBarHeader, {kBar1}));
    BarReader reader;
    const auto error =
        reader.open(path, {.scale = kWholeDollarBarScale, .intervalNanoseconds = -1});
    QVERIFY(error.has_value());
    QCOMPARE(error->line, std::size_t(0));
    QVERIFY2(error->what.find("invalid bar interval -1 ns") != std::string::npos,
             error->toString().c_str());
    QVERIFY(!reader.next());
}

void CsvSourcesTest::volumeRoundingIsOptIn()
{
    QTemporaryDir directory;
    const std::string path =
        writeFile(directory, "bars.csv",
                  csvText(kBarHeader, {kBar1, "2021-12-31 23:02:00,46377,46411,46377,46411,"
                                              "218102.59507500002"}));

    BarReader strict;
    QVERIFY(!strict.open(path, {.scale = kWholeDollarBarScale}));
    const auto strictBars = readAll<BarReader, Bar>(strict);
    QCOMPARE(strictBars.size(), std::size_t(1));
    checkError(strict.error(), path, 3, QStringLiteral("volume"),
               QStringLiteral("has 11 decimal places"));

    BarReader rounding;
    QVERIFY(!rounding.open(path, {.scale = kWholeDollarBarScale,
                                  .volumeExcessDecimals = ExcessDecimals::RoundHalfEven}));
    const auto bars = readAll<BarReader, Bar>(rounding);
    QVERIFY(!rounding.error());
    QCOMPARE(bars.size(), std::size_t(2));
    QCOMPARE(bars[1].volume, Quantity{2181025951});
    QCOMPARE(rounding.roundedVolumes(), std::uint64_t(1));
}

void CsvSourcesTest::resamplerMergesMinutesIntoFiveMinuteBars()
{
    // Minute bars at 00:00, 00:01, 00:04 (one 5-minute bar), 00:05 (another) and 00:11 (a
    // third, after an empty 5-minute interval), worked by hand.
    const std::vector<Bar> minutes = {
        {Timestamp{0}, Price{100}, Price{105}, Price{99}, Price{104}, Quantity{10}, 2},
        {Timestamp{kMinute}, Price{104}, Price{110}, Price{103}, Price{108}, Quantity{5}, 1},
        {Timestamp{4 * kMinute}, Price{108}, Price{109}, Price{95}, Price{96}, Quantity{7}, 3},
        {Timestamp{5 * kMinute}, Price{96}, Price{97}, Price{94}, Price{95}, Quantity{1}, 1},
        {Timestamp{11 * kMinute}, Price{90}, Price{92}, Price{89}, Price{91}, Quantity{4}, 2},
    };
    const BarSeries series = resampleBars(minutes, kMinute, 5 * kMinute);
    QCOMPARE(series.intervalNanoseconds, 5 * kMinute);
    QCOMPARE(series.bars.size(), std::size_t(3));
    QCOMPARE(series.bars[0],
             (Bar{Timestamp{0}, Price{100}, Price{110}, Price{95}, Price{96}, Quantity{22}, 6}));
    QCOMPARE(series.bars[1], (Bar{Timestamp{5 * kMinute}, Price{96}, Price{97}, Price{94},
                                  Price{95}, Quantity{1}, 1}));
    QCOMPARE(series.bars[2], (Bar{Timestamp{10 * kMinute}, Price{90}, Price{92}, Price{89},
                                  Price{91}, Quantity{4}, 2}));

    BarResampler resampler(kMinute, 5 * kMinute);
    QVERIFY(!resampler.add(minutes[0]));
    QVERIFY(!resampler.add(minutes[1]));
    QVERIFY(!resampler.add(minutes[2]));
    const auto completed = resampler.add(minutes[3]);
    QVERIFY(completed.has_value());
    QCOMPARE(*completed, series.bars[0]);
    QCOMPARE(resampler.finish(), std::optional<Bar>(series.bars[1]));
    QVERIFY(!resampler.finish());
}

void CsvSourcesTest::resamplerRejectsBrokenContracts()
{
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, BarResampler(kMinute, 90'000'000'000));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, BarResampler(0, kMinute));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, BarResampler(kMinute, -5 * kMinute));

    BarResampler resampler(kMinute, 5 * kMinute);
    const Bar offGrid{
        Timestamp{kMinute + 1}, Price{1}, Price{1}, Price{1}, Price{1}, Quantity{1}, 0};
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, resampler.add(offGrid));

    const Bar bar{Timestamp{kMinute}, Price{1}, Price{1}, Price{1}, Price{1}, Quantity{1}, 0};
    QVERIFY(!resampler.add(bar));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, resampler.add(bar));

    Bar huge = bar;
    huge.start = Timestamp{2 * kMinute};
    huge.volume = Quantity{INT64_MAX};
    QVERIFY_THROWS_EXCEPTION(std::overflow_error, resampler.add(huge));
    QCOMPARE(resampler.finish(), std::optional<Bar>(Bar{Timestamp{0}, Price{1}, Price{1}, Price{1},
                                                        Price{1}, Quantity{1}, 0}));
}

QTEST_GUILESS_MAIN(CsvSourcesTest)
#include "tst_csv_sources.moc"

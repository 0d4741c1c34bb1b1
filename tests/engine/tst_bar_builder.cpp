#include "bar_builder.h"

#include <QtTest>

#include <cstdint>
#include <stdexcept>
#include <vector>

using namespace bourse;

namespace {

struct TradeInput {
    std::int64_t time;
    std::int64_t price;
    std::int64_t quantity;
};

using Trades = std::vector<TradeInput>;
using Bars = std::vector<Bar>;

Bar bar(std::int64_t start, std::int64_t open, std::int64_t high, std::int64_t low,
        std::int64_t close, std::int64_t volume, std::uint32_t tradeCount)
{
    return Bar{Timestamp{start}, Price{open},      Price{high}, Price{low},
               Price{close},     Quantity{volume}, tradeCount};
}

// Every field of every bar as text, so a failing comparison prints both sides in full.
QString describe(const Bars &bars)
{
    QStringList lines;
    for (const Bar &b : bars) {
        lines << QStringLiteral("start=%1 o=%2 h=%3 l=%4 c=%5 v=%6 n=%7")
                     .arg(b.start.value())
                     .arg(b.open.value())
                     .arg(b.high.value())
                     .arg(b.low.value())
                     .arg(b.close.value())
                     .arg(b.volume.value())
                     .arg(b.tradeCount);
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace

Q_DECLARE_METATYPE(Trades)
Q_DECLARE_METATYPE(Bars)

class TestBarBuilder : public QObject {
    Q_OBJECT

private slots:
    void buildsBars_data();
    void buildsBars();
    void barStartRoundsDown_data();
    void barStartRoundsDown();
    void rejectsInvalidSettings();
    void clearForgetsBars();
};

void TestBarBuilder::buildsBars_data()
{
    QTest::addColumn<qint64>("interval");
    QTest::addColumn<int>("kept");
    QTest::addColumn<Trades>("trades");
    QTest::addColumn<Bars>("expected");
    QTest::addColumn<int>("expectedDropped");

    QTest::newRow("no trades, no bars") << qint64(10) << 5 << Trades{} << Bars{} << 0;

    QTest::newRow("one trade") << qint64(10) << 5 << Trades{{13, 100, 5}}
                               << Bars{bar(10, 100, 100, 100, 100, 5, 1)} << 0;

    QTest::newRow("trades in one interval")
        << qint64(10) << 5 << Trades{{10, 100, 1}, {12, 105, 2}, {15, 98, 3}, {19, 101, 4}}
        << Bars{bar(10, 100, 105, 98, 101, 10, 4)} << 0;

    QTest::newRow("trade on boundary opens next bar")
        << qint64(10) << 5 << Trades{{15, 100, 1}, {19, 103, 2}, {20, 102, 3}}
        << Bars{bar(10, 100, 103, 100, 103, 3, 2), bar(20, 102, 102, 102, 102, 3, 1)} << 0;

    QTest::newRow("gap of intervals makes no bars")
        << qint64(10) << 5 << Trades{{5, 100, 1}, {47, 110, 2}, {48, 108, 1}}
        << Bars{bar(0, 100, 100, 100, 100, 1, 1), bar(40, 110, 110, 108, 108, 3, 2)} << 0;

    QTest::newRow("only newest bars kept")
        << qint64(10) << 2 << Trades{{1, 100, 1}, {11, 101, 1}, {21, 102, 1}, {31, 103, 1}}
        << Bars{bar(20, 102, 102, 102, 102, 1, 1), bar(30, 103, 103, 103, 103, 1, 1)} << 0;

    QTest::newRow("negative times round down")
        << qint64(10) << 5 << Trades{{-11, 100, 1}, {-10, 101, 2}, {-1, 99, 1}, {0, 102, 1}}
        << Bars{bar(-20, 100, 100, 100, 100, 1, 1), bar(-10, 101, 101, 99, 99, 3, 2),
                bar(0, 102, 102, 102, 102, 1, 1)}
        << 0;

    // Open and close follow arrival order, so the late trade closes its bar.
    QTest::newRow("late trade joins its bar")
        << qint64(10) << 5 << Trades{{12, 100, 1}, {25, 110, 1}, {14, 95, 2}}
        << Bars{bar(10, 100, 100, 95, 95, 3, 2), bar(20, 110, 110, 110, 110, 1, 1)} << 0;

    QTest::newRow("late trade fills a gap")
        << qint64(10) << 5 << Trades{{12, 100, 1}, {35, 110, 1}, {24, 105, 2}}
        << Bars{bar(10, 100, 100, 100, 100, 1, 1), bar(20, 105, 105, 105, 105, 2, 1),
                bar(30, 110, 110, 110, 110, 1, 1)}
        << 0;

    QTest::newRow("late trade before kept bars dropped")
        << qint64(10) << 2 << Trades{{12, 100, 1}, {25, 110, 1}, {35, 120, 1}, {14, 95, 1}}
        << Bars{bar(20, 110, 110, 110, 110, 1, 1), bar(30, 120, 120, 120, 120, 1, 1)} << 1;

    QTest::newRow("one-second bars of epoch nanoseconds")
        << qint64(1'000'000'000) << 5
        << Trades{{1'700'000'000'123'456'789, 10'000, 3},
                  {1'700'000'000'999'999'999, 10'010, 1},
                  {1'700'000'001'000'000'000, 9'990, 2}}
        << Bars{bar(1'700'000'000'000'000'000, 10'000, 10'010, 10'000, 10'010, 4, 2),
                bar(1'700'000'001'000'000'000, 9'990, 9'990, 9'990, 9'990, 2, 1)}
        << 0;
}

void TestBarBuilder::buildsBars()
{
    QFETCH(qint64, interval);
    QFETCH(int, kept);
    QFETCH(Trades, trades);
    QFETCH(Bars, expected);
    QFETCH(int, expectedDropped);

    BarBuilder builder(interval, static_cast<std::size_t>(kept));
    for (const TradeInput &trade : trades) {
        builder.addTrade(Timestamp{trade.time}, Price{trade.price}, Quantity{trade.quantity});
    }

    QCOMPARE(describe(builder.copyBars()), describe(expected));
    QCOMPARE(builder.copyBars(), expected);
    QCOMPARE(builder.lateTradesDropped(), static_cast<std::uint64_t>(expectedDropped));
}

void TestBarBuilder::barStartRoundsDown_data()
{
    QTest::addColumn<qint64>("interval");
    QTest::addColumn<qint64>("time");
    QTest::addColumn<qint64>("expectedStart");

    QTest::newRow("inside") << qint64(60) << qint64(125) << qint64(120);
    QTest::newRow("on boundary") << qint64(60) << qint64(120) << qint64(120);
    QTest::newRow("just before boundary") << qint64(60) << qint64(119) << qint64(60);
    QTest::newRow("zero") << qint64(60) << qint64(0) << qint64(0);
    QTest::newRow("negative") << qint64(60) << qint64(-1) << qint64(-60);
    QTest::newRow("negative on boundary") << qint64(60) << qint64(-120) << qint64(-120);
}

void TestBarBuilder::barStartRoundsDown()
{
    QFETCH(qint64, interval);
    QFETCH(qint64, time);
    QFETCH(qint64, expectedStart);

    const BarBuilder builder(interval, 1);

    QCOMPARE(builder.barStart(Timestamp{time}).value(), expectedStart);
}

void TestBarBuilder::rejectsInvalidSettings()
{
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, BarBuilder(0, 10));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, BarBuilder(-1'000, 10));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, BarBuilder(1'000, 0));
}

void TestBarBuilder::clearForgetsBars()
{
    BarBuilder builder(10, 1);
    builder.addTrade(Timestamp{25}, Price{100}, Quantity{1});
    builder.addTrade(Timestamp{3}, Price{100}, Quantity{1});
    QCOMPARE(builder.lateTradesDropped(), std::uint64_t{1});

    builder.clear();

    QVERIFY(builder.bars().empty());
    QCOMPARE(builder.lateTradesDropped(), std::uint64_t{0});
    builder.addTrade(Timestamp{3}, Price{90}, Quantity{2});
    QCOMPARE(builder.copyBars(), Bars{bar(0, 90, 90, 90, 90, 2, 1)});
}

QTEST_GUILESS_MAIN(TestBarBuilder)
#include "tst_bar_builder.moc"

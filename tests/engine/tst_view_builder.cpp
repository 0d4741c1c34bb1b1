#include "engine_printers.h"
#include "view_builder.h"

#include <QTest>

using namespace bourse;

namespace {

Event tradeEvent(SequenceNumber sequence)
{
    return Event{sequence, Timestamp{static_cast<std::int64_t>(sequence) * 1000}, InstrumentId{1},
                 Trade{OrderId{1}, OrderId{2}, Side::Buy, Price{100}, Quantity{1}, Quantity{0},
                       AccountId{}, AccountId{}}};
}

std::vector<SequenceNumber> sequencesOf(const MarketView &view)
{
    std::vector<SequenceNumber> sequences;
    for (const TradePrint &print : view.recentTrades)
        sequences.push_back(print.sequence);
    return sequences;
}

} // namespace

class ViewBuilderTest : public QObject {
    Q_OBJECT

private slots:
    void consecutiveViewsOverlap();
    void tradesNoViewCarriedAreCounted();
};

// A reader that misses the first view still finds its trades in the second.
void ViewBuilderTest::consecutiveViewsOverlap()
{
    MarketViewBuilder builder({10, 4, 1'000'000'000, 10});
    OrderBook book;
    const auto now = MarketViewBuilder::Clock::now();

    builder.onEvent(tradeEvent(1));
    builder.onEvent(tradeEvent(2));
    MarketView first;
    builder.fill(first, book, now);
    builder.onEvent(tradeEvent(3));
    MarketView second;
    builder.fill(second, book, now);

    QCOMPARE(sequencesOf(first), (std::vector<SequenceNumber>{1, 2}));
    QCOMPARE(sequencesOf(second), (std::vector<SequenceNumber>{1, 2, 3}));
    QCOMPARE(second.droppedTrades, std::uint64_t{0});
    QCOMPARE(second.totalTrades, std::uint64_t{3});
}

// The ring has room for 4 trades, and the first view carried trades 1 and 2. Of trades 3 to
// 9 the second view carries 6 to 9, so 3, 4 and 5 were never shown.
void ViewBuilderTest::tradesNoViewCarriedAreCounted()
{
    MarketViewBuilder builder({10, 4, 1'000'000'000, 10});
    OrderBook book;
    const auto now = MarketViewBuilder::Clock::now();

    builder.onEvent(tradeEvent(1));
    builder.onEvent(tradeEvent(2));
    MarketView first;
    builder.fill(first, book, now);
    for (SequenceNumber sequence = 3; sequence <= 9; ++sequence)
        builder.onEvent(tradeEvent(sequence));
    MarketView second;
    builder.fill(second, book, now);

    QCOMPARE(sequencesOf(second), (std::vector<SequenceNumber>{6, 7, 8, 9}));
    QCOMPARE(second.droppedTrades, std::uint64_t{3});
}

QTEST_APPLESS_MAIN(ViewBuilderTest)
#include "tst_view_builder.moc"

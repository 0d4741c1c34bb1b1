#include "engine_printers.h"
#include "view_builder.h"

#include <QTest>

#include <algorithm>
#include <string>

using namespace bourse;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

Event tradeEvent(SequenceNumber sequence, InstrumentId instrument = InstrumentId{1},
                 std::int64_t time = -1, std::int64_t price = 100, std::int64_t quantity = 1)
{
    const std::int64_t at = time >= 0 ? time : static_cast<std::int64_t>(sequence) * 1000;
    return Event{sequence, Timestamp{at}, instrument,
                 Trade{OrderId{1}, OrderId{2}, Side::Buy, Price{price}, Quantity{quantity},
                       Quantity{0}, AccountId{}, AccountId{}}};
}

Event statusEvent(SequenceNumber sequence)
{
    return Event{sequence, Timestamp{static_cast<std::int64_t>(sequence)}, InstrumentId{1},
                 TradingStatusChanged{TradingStatus::Trading}};
}

std::vector<SequenceNumber> sequencesOf(const std::vector<TradePrint> &prints)
{
    std::vector<SequenceNumber> sequences;
    for (const TradePrint &print : prints)
        sequences.push_back(print.sequence);
    return sequences;
}

std::vector<SequenceNumber> sequencesOf(const std::vector<Event> &events)
{
    std::vector<SequenceNumber> sequences;
    for (const Event &event : events)
        sequences.push_back(event.sequence);
    return sequences;
}

InstrumentDefinition definition(std::uint32_t id, const std::string &symbol, int decimals,
                                std::int64_t tick)
{
    InstrumentDefinition terms;
    terms.id = InstrumentId{id};
    std::copy(symbol.begin(), symbol.end(), terms.symbol.begin());
    terms.currency = currencyCode("USD");
    terms.priceDecimals = static_cast<std::uint8_t>(decimals);
    terms.tickSize = Price{tick};
    return terms;
}

NewOrder limit(Side side, std::int64_t quantity, std::int64_t price, std::uint32_t instrument)
{
    NewOrder order;
    order.side = side;
    order.quantity = Quantity{quantity};
    order.limit = Price{price};
    order.instrument = InstrumentId{instrument};
    return order;
}

MarketViewBuilder::Options options(std::size_t trades, std::size_t events = 2000)
{
    MarketViewBuilder::Options result;
    result.tradesPerView = trades;
    result.barsKept = 10;
    result.eventsPerView = events;
    return result;
}

} // namespace

class ViewBuilderTest : public QObject {
    Q_OBJECT

private slots:
    void consecutiveViewsOverlap();
    void tradesNoViewCarriedAreCounted();
    void eventsNoViewCarriedAreCounted();
    void recentVolumeSumsWindowByPrice();
    void recentVolumeLeavesOutLateTrades();
    void barsAtEveryTimeFrame();
    void quotesFromTradesAndBooks();
    void focusSwitchShowsHistoryAtOnce();
    void restoredBarsFillLongerFrames();
    void barsLeavingTimeFrameKeptInVwapSums();
    void restoredBarsBeyondLimitKeptInVwapSums();
    void quotesCarryQuantityLimits();
};

// A reader that misses the first view still finds its trades in the second.
void ViewBuilderTest::consecutiveViewsOverlap()
{
    MarketViewBuilder builder(options(4));
    const Engine engine(InstrumentId{1});
    const auto now = MarketViewBuilder::Clock::now();

    builder.onEvent(tradeEvent(1));
    builder.onEvent(tradeEvent(2));
    MarketView first;
    builder.fill(first, engine, InstrumentId{1}, now);
    builder.onEvent(tradeEvent(3));
    MarketView second;
    builder.fill(second, engine, InstrumentId{1}, now);

    QCOMPARE(sequencesOf(first.recentTrades), (std::vector<SequenceNumber>{1, 2}));
    QCOMPARE(sequencesOf(second.recentTrades), (std::vector<SequenceNumber>{1, 2, 3}));
    QCOMPARE(second.droppedTrades, std::uint64_t{0});
    QCOMPARE(second.totalTrades, std::uint64_t{3});
}

// The ring has room for 4 trades, and the first view carried trades 1 and 2. Of trades 3 to
// 9 the second view carries 6 to 9, so 3, 4 and 5 were never shown.
void ViewBuilderTest::tradesNoViewCarriedAreCounted()
{
    MarketViewBuilder builder(options(4));
    const Engine engine(InstrumentId{1});
    const auto now = MarketViewBuilder::Clock::now();

    builder.onEvent(tradeEvent(1));
    builder.onEvent(tradeEvent(2));
    MarketView first;
    builder.fill(first, engine, InstrumentId{1}, now);
    for (SequenceNumber sequence = 3; sequence <= 9; ++sequence)
        builder.onEvent(tradeEvent(sequence));
    MarketView second;
    builder.fill(second, engine, InstrumentId{1}, now);

    QCOMPARE(sequencesOf(second.recentTrades), (std::vector<SequenceNumber>{6, 7, 8, 9}));
    QCOMPARE(second.droppedTrades, std::uint64_t{3});
}

// Room for 3 events. Events 1 to 5 before the first view: it carries 3, 4 and 5, and 1 and 2
// were never shown. A view with nothing new carries the same events and drops none.
void ViewBuilderTest::eventsNoViewCarriedAreCounted()
{
    MarketViewBuilder builder(options(4, 3));
    const Engine engine(InstrumentId{1});
    const auto now = MarketViewBuilder::Clock::now();

    for (SequenceNumber sequence = 1; sequence <= 5; ++sequence)
        builder.onEvent(statusEvent(sequence));
    MarketView first;
    builder.fill(first, engine, InstrumentId{1}, now);
    MarketView second;
    builder.fill(second, engine, InstrumentId{1}, now);
    builder.onEvent(statusEvent(6));
    MarketView third;
    builder.fill(third, engine, InstrumentId{1}, now);

    QCOMPARE(sequencesOf(first.recentEvents), (std::vector<SequenceNumber>{3, 4, 5}));
    QCOMPARE(first.droppedEvents, std::uint64_t{2});
    QCOMPARE(sequencesOf(second.recentEvents), (std::vector<SequenceNumber>{3, 4, 5}));
    QCOMPARE(second.droppedEvents, std::uint64_t{0});
    QCOMPARE(sequencesOf(third.recentEvents), (std::vector<SequenceNumber>{4, 5, 6}));
    QCOMPARE(third.droppedEvents, std::uint64_t{0});
    QCOMPARE(third.marketTime, Timestamp{6});
}

// Trades at 0.0 s (100 x 2), 0.5 s (100 x 3), 30 s (101 x 5) and 59.9 s (99 x 1). At 59.9 s
// the window is seconds 0 to 59, which contains all four. At 60 s it is seconds 1 to 60, so the
// two trades of second 0 leave. A trade at 61 s (100 x 7) reuses the ring slot of second 1.
void ViewBuilderTest::recentVolumeSumsWindowByPrice()
{
    RecentVolume volume(60);
    volume.add(Timestamp{0}, Price{100}, Quantity{2});
    volume.add(Timestamp{kSecond / 2}, Price{100}, Quantity{3});
    volume.add(Timestamp{30 * kSecond}, Price{101}, Quantity{5});
    volume.add(Timestamp{59 * kSecond + 900'000'000}, Price{99}, Quantity{1});

    const auto asPairs = [](const std::vector<PriceVolume> &entries) {
        std::vector<std::pair<std::int64_t, std::int64_t>> pairs;
        for (const PriceVolume &entry : entries)
            pairs.emplace_back(entry.price.value(), entry.quantity.value());
        return pairs;
    };
    using Pairs = std::vector<std::pair<std::int64_t, std::int64_t>>;
    QCOMPARE(asPairs(volume.collect(Timestamp{59 * kSecond + 900'000'000})),
             (Pairs{{99, 1}, {100, 5}, {101, 5}}));
    QCOMPARE(asPairs(volume.collect(Timestamp{60 * kSecond})), (Pairs{{99, 1}, {101, 5}}));

    volume.add(Timestamp{61 * kSecond}, Price{100}, Quantity{7});
    QCOMPARE(asPairs(volume.collect(Timestamp{61 * kSecond})),
             (Pairs{{99, 1}, {100, 7}, {101, 5}}));
    QCOMPARE(asPairs(volume.collect(Timestamp{200 * kSecond})), Pairs{});
}

// Second 40 uses the ring slot of second 100, which a trade at 100 s took first.
void ViewBuilderTest::recentVolumeLeavesOutLateTrades()
{
    RecentVolume volume(60);
    volume.add(Timestamp{100 * kSecond}, Price{100}, Quantity{4});
    volume.add(Timestamp{40 * kSecond}, Price{90}, Quantity{9});

    const std::vector<PriceVolume> collected = volume.collect(Timestamp{100 * kSecond});
    QCOMPARE(collected.size(), std::size_t{1});
    QCOMPARE(collected[0].price, Price{100});
    QCOMPARE(collected[0].quantity, Quantity{4});
}

// Trades at 0.5 s, 1.5 s, 61 s, 301 s and 3601 s. One-second bars start at 0, 1, 61, 301 and
// 3601; one-minute bars at 0, 60, 300 and 3600; five-minute bars at 0, 300 and 3600; hourly
// bars at 0 and 3600.
void ViewBuilderTest::barsAtEveryTimeFrame()
{
    MarketViewBuilder builder(options(10));
    const Engine engine(InstrumentId{1});
    const std::int64_t times[] = {kSecond / 2, 3 * kSecond / 2, 61 * kSecond, 301 * kSecond,
                                  3601 * kSecond};
    SequenceNumber sequence = 0;
    for (const std::int64_t time : times) {
        ++sequence;
        builder.onEvent(tradeEvent(sequence, InstrumentId{1}, time,
                                   100 + static_cast<std::int64_t>(sequence), 2));
    }
    MarketView view;
    builder.fill(view, engine, InstrumentId{1}, MarketViewBuilder::Clock::now());

    QCOMPARE(view.timeFrames.size(), std::size_t{4});
    const auto startsOf = [&view](std::size_t frame) {
        std::vector<std::int64_t> starts;
        for (const Bar &bar : view.timeFrames[frame].bars)
            starts.push_back(bar.start.value() / kSecond);
        return starts;
    };
    QCOMPARE(view.timeFrames[0].intervalNanoseconds, kSecond);
    QCOMPARE(startsOf(0), (std::vector<std::int64_t>{0, 1, 61, 301, 3601}));
    QCOMPARE(view.timeFrames[1].intervalNanoseconds, 60 * kSecond);
    QCOMPARE(startsOf(1), (std::vector<std::int64_t>{0, 60, 300, 3600}));
    QCOMPARE(view.timeFrames[2].intervalNanoseconds, 300 * kSecond);
    QCOMPARE(startsOf(2), (std::vector<std::int64_t>{0, 300, 3600}));
    QCOMPARE(view.timeFrames[3].intervalNanoseconds, 3600 * kSecond);
    QCOMPARE(startsOf(3), (std::vector<std::int64_t>{0, 3600}));

    // The first hour contains the first four trades, at prices 101 to 104, two lots each.
    const Bar &hour = view.timeFrames[3].bars[0];
    QCOMPARE(hour.open, Price{101});
    QCOMPARE(hour.high, Price{104});
    QCOMPARE(hour.low, Price{101});
    QCOMPARE(hour.close, Price{104});
    QCOMPARE(hour.volume, Quantity{8});
    QCOMPARE(hour.tradeCount, std::uint32_t{4});
    QCOMPARE(view.bars.size(), std::size_t{5}); // the view's own interval is one second
}

// Two instruments with their own books. Each quote takes its best levels from the engine and
// its last price, first price, volume and trade count from the trades.
void ViewBuilderTest::quotesFromTradesAndBooks()
{
    Engine engine;
    MarketViewBuilder builder(options(10));
    engine.addHandler(&builder);
    engine.addInstrument(definition(1, "AAA", 2, 1), Timestamp{1});
    engine.addInstrument(definition(2, "BBB", 3, 5), Timestamp{1});

    engine.submit(limit(Side::Sell, 10, 1'000, 1), Timestamp{kSecond});
    engine.submit(limit(Side::Buy, 4, 1'000, 1), Timestamp{kSecond});     // trades 4 at 1000
    engine.submit(limit(Side::Buy, 3, 1'000, 1), Timestamp{2 * kSecond}); // trades 3 at 1000
    engine.submit(limit(Side::Buy, 6, 990, 1), Timestamp{2 * kSecond});
    engine.submit(limit(Side::Sell, 5, 20'005, 2), Timestamp{3 * kSecond});

    MarketView view;
    builder.fill(view, engine, InstrumentId{1}, MarketViewBuilder::Clock::now());

    QCOMPARE(view.instruments.size(), std::size_t{2});
    const InstrumentQuote &first = view.instruments[0];
    QCOMPARE(first.symbol, std::string("AAA"));
    QCOMPARE(first.currency, std::string("USD"));
    QCOMPARE(first.priceDecimals, 2);
    QCOMPARE(first.last, Price{1'000});
    QCOMPARE(first.openPrice, Price{1'000});
    QCOMPARE(first.volume, Quantity{7});
    QCOMPARE(first.tradeCount, std::uint64_t{2});
    QCOMPARE(first.bestBid, Price{990});
    QCOMPARE(first.bidSize, Quantity{6});
    QCOMPARE(first.bestAsk, Price{1'000});
    QCOMPARE(first.askSize, Quantity{3});
    // One-second bars at 1 s and 2 s, both closing at 1000.
    QCOMPARE(first.sparkline, (std::vector<Price>{Price{1'000}, Price{1'000}}));

    const InstrumentQuote &second = view.instruments[1];
    QCOMPARE(second.symbol, std::string("BBB"));
    QCOMPARE(second.priceDecimals, 3);
    QCOMPARE(second.tickSize, Price{5});
    QCOMPARE(second.last, Price{});
    QCOMPARE(second.tradeCount, std::uint64_t{0});
    QCOMPARE(second.bestBid, Price{});
    QCOMPARE(second.bestAsk, Price{20'005});
    QCOMPARE(second.askSize, Quantity{5});
    QVERIFY(second.sparkline.empty());

    QCOMPARE(view.instrument, InstrumentId{1});
    QCOMPARE(view.symbol, std::string("AAA"));
    QCOMPARE(view.bids.size(), std::size_t{1});
    QCOMPARE(view.asks.size(), std::size_t{1});
    QCOMPARE(view.recentVolume.size(), std::size_t{1});
    QCOMPARE(view.recentVolume[0].price, Price{1'000});
    QCOMPARE(view.recentVolume[0].quantity, Quantity{7});
}

// The builder keeps every instrument's trades and bars, so a view of a new focus shows them at
// once, with no dropped trades counted for the switch.
void ViewBuilderTest::focusSwitchShowsHistoryAtOnce()
{
    Engine engine;
    MarketViewBuilder builder(options(10));
    engine.addHandler(&builder);
    engine.addInstrument(definition(1, "AAA", 2, 1), Timestamp{1});
    engine.addInstrument(definition(2, "BBB", 3, 5), Timestamp{1});
    engine.submit(limit(Side::Sell, 5, 20'005, 2), Timestamp{kSecond});
    engine.submit(limit(Side::Buy, 2, 20'005, 2), Timestamp{kSecond});

    MarketView first;
    builder.fill(first, engine, InstrumentId{1}, MarketViewBuilder::Clock::now());
    MarketView second;
    builder.fill(second, engine, InstrumentId{2}, MarketViewBuilder::Clock::now());

    QVERIFY(first.recentTrades.empty());
    QCOMPARE(second.instrument, InstrumentId{2});
    QCOMPARE(second.symbol, std::string("BBB"));
    QCOMPARE(second.priceDecimals, 3);
    QCOMPARE(second.tickSize, Price{5});
    QCOMPARE(second.recentTrades.size(), std::size_t{1});
    QCOMPARE(second.recentTrades[0].price, Price{20'005});
    QCOMPARE(second.recentTrades[0].quantity, Quantity{2});
    QCOMPARE(second.bars.size(), std::size_t{1});
    QCOMPARE(second.droppedTrades, std::uint64_t{0});
    QCOMPARE(second.asks.size(), std::size_t{1});
    QCOMPARE(second.asks[0].quantity, Quantity{3});
}

// One-second bars from 58 s to 61 s fill two one-minute bars: 58 and 59 make the bar at 0,
// 60 and 61 the bar at 60.
void ViewBuilderTest::restoredBarsFillLongerFrames()
{
    MarketViewBuilder builder(options(10));
    const Engine engine(InstrumentId{1});
    const std::vector<Bar> bars = {
        Bar{Timestamp{58 * kSecond}, Price{10}, Price{12}, Price{9}, Price{11}, Quantity{3}, 2},
        Bar{Timestamp{59 * kSecond}, Price{11}, Price{15}, Price{11}, Price{14}, Quantity{4}, 1},
        Bar{Timestamp{60 * kSecond}, Price{14}, Price{14}, Price{8}, Price{8}, Quantity{5}, 3},
        Bar{Timestamp{61 * kSecond}, Price{8}, Price{10}, Price{7}, Price{9}, Quantity{1}, 1}};
    const std::vector<TradePrint> prints = {
        TradePrint{40, Timestamp{61 * kSecond}, Price{9}, Quantity{1}, Side::Sell}};
    builder.restoreHistory(InstrumentId{1}, bars, prints, 41);

    MarketView view;
    builder.fill(view, engine, InstrumentId{1}, MarketViewBuilder::Clock::now());

    QCOMPARE(view.bars.size(), std::size_t{4});
    const std::vector<Bar> &minutes = view.timeFrames[1].bars;
    QCOMPARE(minutes.size(), std::size_t{2});
    QCOMPARE(minutes[0],
             (Bar{Timestamp{0}, Price{10}, Price{15}, Price{9}, Price{14}, Quantity{7}, 3}));
    QCOMPARE(minutes[1], (Bar{Timestamp{60 * kSecond}, Price{14}, Price{14}, Price{7}, Price{9},
                              Quantity{6}, 4}));
    QCOMPARE(view.timeFrames[3].bars.size(), std::size_t{1});
    QCOMPARE(view.lastSequence, SequenceNumber{41});
    QCOMPARE(view.instruments[0].last, Price{9});
    QCOMPARE(view.recentTrades.size(), std::size_t{1});
}

// Fifteen trades a second apart, trade i at 100 + i for i + 1 lots, each in a one-second bar of
// its own. The frame keeps ten bars, so bars 0 to 4 leave it and its older sums are
//   weighted = 3 * (100*1 + 101*2 + 102*3 + 103*4 + 104*5) = 3 * 1540 = 4620
//   volume   = 3 * (1 + 2 + 3 + 4 + 5) = 45.
// A late trade at 2.5 s, older than every kept bar, is left out of the bars and adds
// 3 * 90 * 10 = 2700 and 3 * 10 = 30.
void ViewBuilderTest::barsLeavingTimeFrameKeptInVwapSums()
{
    MarketViewBuilder builder(options(10));
    const Engine engine(InstrumentId{1});
    SequenceNumber sequence = 0;
    for (std::int64_t i = 0; i < 15; ++i) {
        ++sequence;
        builder.onEvent(tradeEvent(sequence, InstrumentId{1}, i * kSecond + 1, 100 + i, i + 1));
    }
    MarketView view;
    builder.fill(view, engine, InstrumentId{1}, MarketViewBuilder::Clock::now());

    const BarSeries &seconds = view.timeFrames[0];
    QCOMPARE(seconds.bars.size(), std::size_t{10});
    QCOMPARE(seconds.bars.front().start, Timestamp{5 * kSecond});
    QVERIFY(seconds.olderBars.weighted == 4620);
    QVERIFY(seconds.olderBars.volume == 45);
    QVERIFY(!seconds.olderBars.overflowed);
    QVERIFY(view.olderBars == seconds.olderBars);
    // The minute frame keeps its only bar.
    QVERIFY(view.timeFrames[1].olderBars == VwapSums{});

    builder.onEvent(tradeEvent(++sequence, InstrumentId{1}, 5 * kSecond / 2, 90, 10));
    MarketView later;
    builder.fill(later, engine, InstrumentId{1}, MarketViewBuilder::Clock::now());
    QCOMPARE(later.timeFrames[0].bars, seconds.bars);
    QVERIFY(later.timeFrames[0].olderBars.weighted == 4620 + 2700);
    QVERIFY(later.timeFrames[0].olderBars.volume == 45 + 30);
}

// Twelve restored one-second bars of 2 lots each, bar i with high 20 + i, low 10 and close 15:
// the frame keeps the last ten, and the first two (typical prices times three: 45 and 46) go
// into the older sums: weighted = 45 * 2 + 46 * 2 = 182, volume = 3 * 4 = 12.
void ViewBuilderTest::restoredBarsBeyondLimitKeptInVwapSums()
{
    MarketViewBuilder builder(options(10));
    const Engine engine(InstrumentId{1});
    std::vector<Bar> bars;
    for (std::int64_t i = 0; i < 12; ++i) {
        bars.push_back(Bar{Timestamp{i * kSecond}, Price{15}, Price{20 + i}, Price{10}, Price{15},
                           Quantity{2}, 1});
    }
    builder.restoreHistory(InstrumentId{1}, bars, {}, 12);

    MarketView view;
    builder.fill(view, engine, InstrumentId{1}, MarketViewBuilder::Clock::now());
    QCOMPARE(view.bars.size(), std::size_t{10});
    QVERIFY(view.olderBars.weighted == 182);
    QVERIFY(view.olderBars.volume == 12);
    QVERIFY(view.timeFrames[0].olderBars == view.olderBars);
    QVERIFY(view.timeFrames[1].olderBars == VwapSums{});
}

// An instrument's order size limits reach its quote; one defined without them has the engine's
// defaults, one unit up to kMaximumQuantity.
void ViewBuilderTest::quotesCarryQuantityLimits()
{
    Engine engine;
    MarketViewBuilder builder(options(10));
    engine.addHandler(&builder);
    InstrumentDefinition limited = definition(1, "AAA", 2, 1);
    limited.quantityDecimals = 2;
    limited.lotSize = Quantity{50};
    limited.minimumQuantity = Quantity{100};
    limited.maximumQuantity = Quantity{500'000};
    engine.addInstrument(limited, Timestamp{1});
    engine.addInstrument(definition(2, "BBB", 3, 5), Timestamp{1});

    MarketView view;
    builder.fill(view, engine, InstrumentId{1}, MarketViewBuilder::Clock::now());

    QCOMPARE(view.instruments.size(), std::size_t{2});
    QCOMPARE(view.instruments[0].minimumQuantity, Quantity{100});
    QCOMPARE(view.instruments[0].maximumQuantity, Quantity{500'000});
    QCOMPARE(view.instruments[0].lotSize, Quantity{50});
    QCOMPARE(view.instruments[1].minimumQuantity, Quantity{1});
    QCOMPARE(view.instruments[1].maximumQuantity, kMaximumQuantity);
}

QTEST_APPLESS_MAIN(ViewBuilderTest)
#include "tst_view_builder.moc"

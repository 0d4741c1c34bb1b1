// The view builder fed as a remote terminal feeds it: the streams of two instruments deliver
// their events interleaved, out of global sequence order, as a subscriber receives them.

#include "remote_market.h"

#include "engine_printers.h"

#include <QTest>

using namespace bourse;
using namespace bourse::net;

namespace {

Event tradeEvent(std::uint32_t instrument, SequenceNumber sequence, std::int64_t price)
{
    Event event;
    event.sequence = sequence;
    event.time = Timestamp{static_cast<std::int64_t>(sequence) * 1'000'000};
    event.instrument = InstrumentId{instrument};
    Trade trade;
    trade.maker = OrderId{sequence};
    trade.taker = OrderId{sequence + 1'000};
    trade.aggressor = Side::Buy;
    trade.price = Price{price};
    trade.quantity = Quantity{1};
    event.payload = trade;
    return event;
}

MarketViewBuilder::Options smallRings()
{
    MarketViewBuilder::Options options;
    options.tradesPerView = 1;
    options.eventsPerView = 2;
    return options;
}

// Books of no instrument: the test looks at events, trades and counters only.
class NoBooks final : public BookSource {
public:
    const OrderBook *book(InstrumentId) const override { return nullptr; }
    std::optional<TradingStatus> status(InstrumentId) const override { return std::nullopt; }
};

MarketView filled(MarketViewBuilder &builder, InstrumentId focus)
{
    MarketView view;
    builder.fill(view, NoBooks(), focus, MarketViewBuilder::Clock::now());
    return view;
}

} // namespace

class RemoteSessionMarketTest : public QObject {
    Q_OBJECT

private slots:
    void lateStreamKeepsHighestSequence();
    void recentEventsSortedBySequence();
    void droppedEventsCountByArrival();
    void droppedTradesCountPerInstrument();
    void accountOnlyEventsSkipBookEvents();
    void tradeOnTwoStreamsCountsOnce();
};

void RemoteSessionMarketTest::lateStreamKeepsHighestSequence()
{
    MarketViewBuilder builder(MarketViewBuilder::Options{});
    builder.onEvent(tradeEvent(2, 20, 500));
    builder.onEvent(tradeEvent(1, 15, 100)); // instrument 1's stream lags behind
    const MarketView view = filled(builder, InstrumentId{1});
    QCOMPARE(view.lastSequence, SequenceNumber{20});
    QCOMPARE(view.marketTime, Timestamp{20'000'000});
    QCOMPARE(view.totalEvents, std::uint64_t{2});
}

void RemoteSessionMarketTest::recentEventsSortedBySequence()
{
    MarketViewBuilder builder(MarketViewBuilder::Options{});
    builder.onEvent(tradeEvent(2, 20, 500));
    builder.onEvent(tradeEvent(1, 15, 100));
    builder.onEvent(tradeEvent(2, 21, 501));
    const MarketView view = filled(builder, InstrumentId{1});
    QCOMPARE(view.recentEvents.size(), std::size_t{3});
    QCOMPARE(view.recentEvents[0].sequence, SequenceNumber{15});
    QCOMPARE(view.recentEvents[1].sequence, SequenceNumber{20});
    QCOMPARE(view.recentEvents[2].sequence, SequenceNumber{21});
}

void RemoteSessionMarketTest::droppedEventsCountByArrival()
{
    MarketViewBuilder builder(smallRings());
    builder.onEvent(tradeEvent(2, 20, 500));
    builder.onEvent(tradeEvent(2, 21, 500));
    QCOMPARE(filled(builder, InstrumentId{2}).droppedEvents, std::uint64_t{0});

    // Both events in the ring were carried by the view above, so evicting them for a late event
    // of another stream, numbered below them, drops nothing.
    builder.onEvent(tradeEvent(1, 15, 100));
    builder.onEvent(tradeEvent(1, 16, 100));
    QCOMPARE(filled(builder, InstrumentId{2}).droppedEvents, std::uint64_t{0});

    // Three new events through a ring of two: the first never reached a view.
    builder.onEvent(tradeEvent(1, 17, 100));
    builder.onEvent(tradeEvent(2, 22, 500));
    builder.onEvent(tradeEvent(1, 18, 100));
    QCOMPARE(filled(builder, InstrumentId{2}).droppedEvents, std::uint64_t{1});
}

void RemoteSessionMarketTest::droppedTradesCountPerInstrument()
{
    MarketViewBuilder builder(smallRings());
    builder.onEvent(tradeEvent(1, 10, 100));
    QCOMPARE(filled(builder, InstrumentId{1}).recentTrades.size(), std::size_t{1});

    // Instrument 2 runs ahead; instrument 1's next trade replaces the one the view carried.
    builder.onEvent(tradeEvent(2, 20, 500));
    builder.onEvent(tradeEvent(1, 15, 101));
    MarketView view = filled(builder, InstrumentId{1});
    QCOMPARE(view.droppedTrades, std::uint64_t{0});
    QCOMPARE(view.recentTrades.back().sequence, SequenceNumber{15});

    // Two trades through a tape of one: the first is never shown.
    builder.onEvent(tradeEvent(1, 16, 102));
    builder.onEvent(tradeEvent(1, 17, 103));
    view = filled(builder, InstrumentId{1});
    QCOMPARE(view.droppedTrades, std::uint64_t{1});
    QCOMPARE(view.instruments.size(), std::size_t{2});
}

void RemoteSessionMarketTest::accountOnlyEventsSkipBookEvents()
{
    Event fill;
    fill.payload = FillPosted{};
    QVERIFY(isAccountOnlyEvent(fill));
    Event accepted;
    accepted.payload = OrderAccepted{};
    QVERIFY(isAccountOnlyEvent(accepted));
    // A trade and a book change of the trader's order come on the instrument's stream too.
    QVERIFY(!isAccountOnlyEvent(tradeEvent(1, 1, 100)));
    Event added;
    added.payload = OrderAdded{};
    QVERIFY(!isAccountOnlyEvent(added));
}

void RemoteSessionMarketTest::tradeOnTwoStreamsCountsOnce()
{
    RemoteMarket market(MarketViewBuilder::Options{}, {AccountId{1}});
    Event trade = tradeEvent(1, 30, 100);
    std::get<Trade>(trade.payload).takerAccount = AccountId{1};
    Event posted;
    posted.sequence = 31;
    posted.instrument = InstrumentId{1};
    posted.payload = FillPosted{};

    market.onEvents({StreamKind::Instrument, 1}, std::span(&trade, 1));
    const Event accountEvents[] = {trade, posted};
    market.onEvents({StreamKind::Account, 1}, accountEvents);

    const StreamSynchronizer streams; // follows nothing: no replicas, so no books
    MarketView view;
    market.fill(view, streams, InstrumentId{}, MarketViewBuilder::Clock::now());
    QCOMPARE(view.totalTrades, std::uint64_t{1});
    QCOMPARE(view.recentTrades.size(), std::size_t{1});
    // The trade once, from the instrument's stream, and the fill from the account's.
    QCOMPARE(view.recentEvents.size(), std::size_t{2});
    QCOMPARE(view.instrument, InstrumentId{1});
}

QTEST_GUILESS_MAIN(RemoteSessionMarketTest)
#include "tst_remote_session_market.moc"

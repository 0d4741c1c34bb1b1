#include "bybit_archive.h"
#include "depth_book.h"
#include "depth_feed.h"
#include "depth_replay.h"
#include "depth_stream.h"
#include "engine_printers.h"
#include "replay_feed_steps.h"
#include "test_data.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace bourse;
using namespace bourse::replay;
using bourse::replay::testing::extractBybitDay;
using bourse::replay::testing::replayToEnd;

namespace bourse::replay {

inline char *toString(UpdateId id)
{
    return QTest::toString(id.value());
}
inline char *toString(DepthOutcome outcome)
{
    return qstrdup(std::string(nameOf(outcome)).c_str());
}
inline char *toString(DepthState state)
{
    return qstrdup(std::string(nameOf(state)).c_str());
}
inline char *toString(const BookLevel &level)
{
    return qstrdup(
        (std::to_string(level.price.value()) + " x " + std::to_string(level.size.value())).c_str());
}

} // namespace bourse::replay

Q_DECLARE_METATYPE(bourse::replay::DepthOutcome)

namespace {

const QString kBinanceSnapshot = QStringLiteral("crypto/binance-futures_BTCUSDT_depth-snap.csv");
const QString kBinanceUpdate = QStringLiteral("crypto/binance-futures_BTCUSDT_depth-update.csv");

// XRPUSDT on Bybit: prices to 0.0001, sizes in whole XRP. BTCUSDT on Binance futures: prices
// to 0.01 as the files write them, sizes to 0.001 BTC.
constexpr DepthScale kXrpScale{4, 0};
constexpr DepthScale kBtcScale{2, 3};

const std::string kBinanceHeader =
    "symbol,timestamp,first_update_id,last_update_id,side,update_type,price,qty,pu\n";

constexpr std::int64_t kNanosecondsPerMillisecond = 1'000'000;

BookLevel level(std::int64_t price, std::int64_t size)
{
    return BookLevel{Price{price}, Quantity{size}};
}

DepthUpdate delta(std::uint64_t id, std::vector<BookLevel> bids, std::vector<BookLevel> asks)
{
    DepthUpdate update;
    update.kind = DepthKind::Delta;
    update.firstId = UpdateId{id};
    update.lastId = UpdateId{id};
    update.bids = std::move(bids);
    update.asks = std::move(asks);
    update.line = id; // a line per id, so that a gap's line names its update
    return update;
}

DepthUpdate snapshot(std::uint64_t id, std::vector<BookLevel> bids, std::vector<BookLevel> asks)
{
    DepthUpdate update = delta(id, std::move(bids), std::move(asks));
    update.kind = DepthKind::Snapshot;
    return update;
}

// A Binance-style delta covering ids first..last, chained to `previous`.
DepthUpdate chainedDelta(std::uint64_t first, std::uint64_t last, std::uint64_t previous,
                         std::vector<BookLevel> bids)
{
    DepthUpdate update = delta(last, std::move(bids), {});
    update.firstId = UpdateId{first};
    update.previousId = UpdateId{previous};
    return update;
}

// Records each snapshot request of a book.
class RequestRecorder : public DepthBookHandler {
public:
    void snapshotRequested(const DepthGap &gap) override { requests.push_back(gap); }
    std::vector<DepthGap> requests;
};

// Reads every update of `reader` into `book`; returns the outcomes in order.
std::vector<DepthOutcome> applyAll(DepthReader &reader, DepthBook &book)
{
    std::vector<DepthOutcome> outcomes;
    DepthUpdate update;
    while (reader.read(update))
        outcomes.push_back(book.apply(update));
    return outcomes;
}

// A snapshot at n5 with bids {99:10} and asks {101:10}, and the updates n4 bid98=3,
// n5 bid98=0, n6 bid100=4, n7 ask101=6, which a stream buffers while it waits for the
// snapshot.
DepthUpdate snapshotAtFive()
{
    return snapshot(5, {level(99, 10)}, {level(101, 10)});
}

std::vector<DepthUpdate> deltasFourToSeven()
{
    return {delta(4, {level(98, 3)}, {}), delta(5, {level(98, 0)}, {}),
            delta(6, {level(100, 4)}, {}), delta(7, {}, {level(101, 6)})};
}

std::string readWholeFile(const QString &path)
{
    std::ifstream in(path.toStdString(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// A valid Bybit snapshot line for XRPUSDT with update id 100.
const std::string kBybitSnapshotLine =
    R"({"topic":"orderbook.500.XRPUSDT","type":"snapshot","ts":1733011200691,)"
    R"("data":{"s":"XRPUSDT","b":[["1.9531","6203"]],"a":[["1.9535","100"]],"u":100,"seq":7},)"
    R"("cts":1733011200689})";

// A Bybit delta line with update id 101 and the given bid and ask arrays.
std::string bybitDeltaLine(const std::string &bids, const std::string &asks)
{
    return R"({"type":"delta","ts":1733011200693,"data":{"s":"XRPUSDT","b":)" + bids + R"(,"a":)" +
           asks + R"(,"u":101,"seq":8}})";
}

// Updates from a list, for driving a DepthReplay with hand-built cases.
class ListReader : public DepthReader {
public:
    explicit ListReader(std::vector<DepthUpdate> updates)
        : m_updates(std::move(updates))
    {
    }

    bool read(DepthUpdate &update) override
    {
        if (m_next == m_updates.size())
            return false;
        update = m_updates[m_next++];
        return true;
    }
    const std::optional<InputError> &error() const override { return m_error; }

private:
    std::vector<DepthUpdate> m_updates;
    std::size_t m_next = 0;
    std::optional<InputError> m_error;
};

// The first difference between the levels of the engine's book and the depth book, or an
// empty string when they hold the same levels.
std::string differenceOf(const Engine &engine, const DepthBook &book)
{
    for (const Side side : {Side::Buy, Side::Sell}) {
        const std::vector<BookLevel> expected = book.levels(side);
        const std::string name(nameOf(side));
        if (engine.book().levelCount(side) != expected.size())
            return name + ": " + std::to_string(engine.book().levelCount(side)) +
                   " levels in the engine, " + std::to_string(expected.size()) + " in the book";
        for (std::size_t depth = 0; depth < expected.size(); ++depth) {
            const LevelSummary level = engine.book().level(side, depth);
            if (level.price != expected[depth].price || level.quantity != expected[depth].size)
                return name + " level " + std::to_string(depth) + " differs at price " +
                       std::to_string(level.price.value());
        }
    }
    return {};
}

} // namespace

class DepthStreamTest : public QObject {
    Q_OBJECT

private slots:
    void bybitFeedDefinesInstrumentAndBook();
    void binanceFeedReportsGapAsStale();
    void otherFilesAreNoDepthFeed();
    void feedScaleCoversLaterMessages();
    void crossedBookMarkedUntilUncrossed();
    void timeGoingBackwardsStopsReplay();
    void longSymbolCutAtWholeCharacter();
    void priceOffDerivedTickStopsReplay();
    void snapshotWithBufferedUpdates_data();
    void snapshotWithBufferedUpdates();
    void staleBookHealsWithNewSnapshot();
    void gapAmongBufferedDeltasLeavesBookStale();
    void fullBufferDiscardsOldestAndShowsGap();
    void previousIdRulesOfBinanceFutures();
    void olderSnapshotOfLiveBinanceBookIsDropped();
    void bybitRestartSnapshotReplacesBook();

    void bybitRecordedDayAppliesEveryDelta();
    void binanceRecordedFilesStopAtGap();
    void binanceStaleBookAppliesNothingMore();
    void binancePairDropsThenHealsAtNextSnapshot();

    void malformedBybitLineNamesFileAndLine_data();
    void malformedBybitLineNamesFileAndLine();
    void malformedBinanceRowNamesFileAndLine_data();
    void malformedBinanceRowNamesFileAndLine();
    void malformedBybitMessageAppliesNothing();
    void malformedBinanceMessageAppliesNothing();
    void missingFileOrInvalidScaleFailsAtOpen();

    void replayKeepsLastLiveLevelsAtGap();
    void replayOfBybitDayMatchesBookAfterEveryUpdate();
    void replayOfBinanceFilesKeepsSnapshotAfterGap();
    void replayOfRestartSnapshotReplacesEngineLevels();
};

void DepthStreamTest::snapshotWithBufferedUpdates_data()
{
    QTest::addColumn<bool>("updatesFirst");
    QTest::addColumn<QList<DepthOutcome>>("outcomes"); // of n4, n5, n6, n7
    QTest::newRow("updates buffered before snapshot")
        << true
        << QList<DepthOutcome>{DepthOutcome::Buffered, DepthOutcome::Buffered,
                               DepthOutcome::Buffered, DepthOutcome::Buffered};
    QTest::newRow("updates after snapshot")
        << false
        << QList<DepthOutcome>{DepthOutcome::Dropped, DepthOutcome::Dropped, DepthOutcome::Applied,
                               DepthOutcome::Applied};
}

// The snapshot contains n4 and n5 already, so they are dropped, and n6 and n7 apply. Then n9
// comes with n8 missing: a gap that makes the book stale and requests a snapshot.
void DepthStreamTest::snapshotWithBufferedUpdates()
{
    QFETCH(bool, updatesFirst);
    QFETCH(QList<DepthOutcome>, outcomes);

    DepthBook book(DepthSequencing::Consecutive);
    RequestRecorder recorder;
    book.setHandler(&recorder);
    QCOMPARE(book.state(), DepthState::AwaitingSnapshot);

    if (!updatesFirst)
        QCOMPARE(book.apply(snapshotAtFive()), DepthOutcome::Applied);
    const std::vector<DepthUpdate> deltas = deltasFourToSeven();
    for (std::size_t i = 0; i < deltas.size(); ++i)
        QCOMPARE(book.apply(deltas[i]), outcomes[static_cast<qsizetype>(i)]);
    if (updatesFirst) {
        QCOMPARE(book.state(), DepthState::AwaitingSnapshot);
        QCOMPARE(book.bufferedCount(), std::size_t{4});
        QCOMPARE(book.apply(snapshotAtFive()), DepthOutcome::Applied);
    }

    QCOMPARE(book.state(), DepthState::Live);
    QCOMPARE(book.levels(Side::Buy), (std::vector<BookLevel>{level(100, 4), level(99, 10)}));
    QCOMPARE(book.levels(Side::Sell), (std::vector<BookLevel>{level(101, 6)}));
    QCOMPARE(book.sizeAt(Side::Buy, Price{98}), Quantity{0});
    QCOMPARE(book.statistics().dropped, std::size_t{2});
    QCOMPARE(book.statistics().applied, std::size_t{2});
    QCOMPARE(book.bufferedCount(), std::size_t{0});
    QCOMPARE(book.lastId(), std::optional<UpdateId>(UpdateId{7}));

    QCOMPARE(book.apply(delta(9, {level(99, 0)}, {})), DepthOutcome::Gap);
    QCOMPARE(book.state(), DepthState::Stale);
    QVERIFY(!book.live());
    QCOMPARE(book.top().state, DepthState::Stale);
    QCOMPARE(book.sizeAt(Side::Buy, Price{99}), Quantity{10});
    QCOMPARE(book.lastId(), std::optional<UpdateId>(UpdateId{7}));
    QCOMPARE(book.statistics().gaps, std::size_t{1});
    QVERIFY(book.statistics().firstGap.has_value());
    QCOMPARE(book.statistics().firstGap->expected, UpdateId{8});
    QCOMPARE(book.statistics().firstGap->received, UpdateId{9});
    QCOMPARE(book.statistics().firstGap->line, std::size_t{9});
    QCOMPARE(recorder.requests.size(), std::size_t{1});
    QCOMPARE(recorder.requests.front().expected, UpdateId{8});
    QCOMPARE(recorder.requests.front().received, UpdateId{9});
}

// After the gap at n9, n10 is kept but not applied. A snapshot at n8 then applies the kept n9
// and n10, and the book is live again.
void DepthStreamTest::staleBookHealsWithNewSnapshot()
{
    DepthBook book(DepthSequencing::Consecutive);
    book.apply(snapshotAtFive());
    for (const DepthUpdate &update : deltasFourToSeven())
        book.apply(update);
    QCOMPARE(book.apply(delta(9, {level(99, 0)}, {})), DepthOutcome::Gap);

    QCOMPARE(book.apply(delta(10, {level(97, 2)}, {})), DepthOutcome::Buffered);
    QCOMPARE(book.sizeAt(Side::Buy, Price{97}), Quantity{0});
    QCOMPARE(book.state(), DepthState::Stale);
    QCOMPARE(book.bufferedCount(), std::size_t{2});

    QCOMPARE(book.apply(snapshot(8, {level(100, 4), level(99, 10)}, {level(101, 6)})),
             DepthOutcome::Applied);
    QCOMPARE(book.state(), DepthState::Live);
    QCOMPARE(book.levels(Side::Buy), (std::vector<BookLevel>{level(100, 4), level(97, 2)}));
    QCOMPARE(book.levels(Side::Sell), (std::vector<BookLevel>{level(101, 6)}));
    QCOMPARE(book.lastId(), std::optional<UpdateId>(UpdateId{10}));
    QCOMPARE(book.statistics().snapshots, std::size_t{2});
    QCOMPARE(book.statistics().gaps, std::size_t{1});
    QCOMPARE(book.bufferedCount(), std::size_t{0});
}

// The buffer contains n7 but not n6: the snapshot at n5 applies, then finds the gap.
void DepthStreamTest::gapAmongBufferedDeltasLeavesBookStale()
{
    DepthBook book(DepthSequencing::Consecutive);
    RequestRecorder recorder;
    book.setHandler(&recorder);
    QCOMPARE(book.apply(delta(7, {}, {level(101, 6)})), DepthOutcome::Buffered);
    QCOMPARE(book.apply(snapshotAtFive()), DepthOutcome::Gap);

    QCOMPARE(book.state(), DepthState::Stale);
    QCOMPARE(book.sizeAt(Side::Sell, Price{101}), Quantity{10});
    QCOMPARE(book.statistics().firstGap->expected, UpdateId{6});
    QCOMPARE(book.statistics().firstGap->received, UpdateId{7});
    QCOMPARE(book.bufferedCount(), std::size_t{1});
    QCOMPARE(recorder.requests.size(), std::size_t{1});
}

// A buffer of two keeps n7 and n8 and discards n6, which the snapshot at n5 needs: the book
// reports the gap instead of skipping n6.
void DepthStreamTest::fullBufferDiscardsOldestAndShowsGap()
{
    DepthBook book(DepthSequencing::Consecutive, 2);
    book.apply(delta(6, {level(100, 4)}, {}));
    book.apply(delta(7, {}, {level(101, 6)}));
    book.apply(delta(8, {level(100, 5)}, {}));
    QCOMPARE(book.statistics().discarded, std::size_t{1});
    QCOMPARE(book.bufferedCount(), std::size_t{2});

    QCOMPARE(book.apply(snapshotAtFive()), DepthOutcome::Gap);
    QCOMPARE(book.statistics().firstGap->expected, UpdateId{6});
    QCOMPARE(book.statistics().firstGap->received, UpdateId{7});
    QCOMPARE(book.sizeAt(Side::Buy, Price{100}), Quantity{0});
}

// Binance futures: u < lastUpdateId is dropped; the first delta applied has U <= lastUpdateId
// <= u; every later one has pu equal to the previous u.
void DepthStreamTest::previousIdRulesOfBinanceFutures()
{
    DepthBook book(DepthSequencing::PreviousId);
    QCOMPARE(book.apply(snapshot(100, {level(10, 1)}, {})), DepthOutcome::Applied);
    QCOMPARE(book.apply(chainedDelta(90, 99, 89, {level(11, 1)})), DepthOutcome::Dropped);
    QCOMPARE(book.apply(chainedDelta(96, 100, 95, {level(12, 1)})), DepthOutcome::Applied);
    QCOMPARE(book.apply(chainedDelta(101, 103, 100, {level(13, 1)})), DepthOutcome::Applied);
    QCOMPARE(book.apply(chainedDelta(105, 106, 104, {level(14, 1)})), DepthOutcome::Gap);

    QCOMPARE(book.statistics().dropped, std::size_t{1});
    QCOMPARE(book.statistics().applied, std::size_t{2});
    QCOMPARE(book.statistics().firstGap->expected, UpdateId{103});
    QCOMPARE(book.statistics().firstGap->received, UpdateId{104});
    QCOMPARE(book.levels(Side::Buy),
             (std::vector<BookLevel>{level(13, 1), level(12, 1), level(10, 1)}));

    // A first delta that starts after the snapshot's id leaves ids 101..104 unseen.
    DepthBook late(DepthSequencing::PreviousId);
    late.apply(snapshot(100, {}, {}));
    QCOMPARE(late.apply(chainedDelta(105, 107, 104, {})), DepthOutcome::Gap);
    QCOMPARE(late.statistics().firstGap->expected, UpdateId{100});
    QCOMPARE(late.statistics().firstGap->received, UpdateId{105});
}

void DepthStreamTest::olderSnapshotOfLiveBinanceBookIsDropped()
{
    DepthBook book(DepthSequencing::PreviousId);
    book.apply(snapshot(100, {level(10, 1)}, {}));
    book.apply(chainedDelta(100, 105, 99, {level(10, 2)}));

    QCOMPARE(book.apply(snapshot(104, {level(10, 9)}, {})), DepthOutcome::Dropped);
    QCOMPARE(book.sizeAt(Side::Buy, Price{10}), Quantity{2});
    QCOMPARE(book.statistics().droppedSnapshots, std::size_t{1});
    // A snapshot at the book's own id contains nothing newer either.
    QCOMPARE(book.apply(snapshot(105, {level(10, 9)}, {})), DepthOutcome::Dropped);
    QCOMPARE(book.apply(chainedDelta(106, 107, 105, {level(10, 3)})), DepthOutcome::Applied);
    QCOMPARE(book.sizeAt(Side::Buy, Price{10}), Quantity{3});
    QCOMPARE(book.statistics().droppedSnapshots, std::size_t{2});
}

// Bybit restarts its service with a snapshot of u = 1: the book takes it, whatever came before.
void DepthStreamTest::bybitRestartSnapshotReplacesBook()
{
    DepthBook book(DepthSequencing::Consecutive);
    book.apply(snapshot(500, {level(10, 1)}, {}));
    book.apply(delta(501, {level(11, 1)}, {}));

    QCOMPARE(book.apply(snapshot(1, {level(9, 4)}, {})), DepthOutcome::Applied);
    QCOMPARE(book.levels(Side::Buy), (std::vector<BookLevel>{level(9, 4)}));
    QCOMPARE(book.apply(delta(2, {level(8, 1)}, {})), DepthOutcome::Applied);
    QCOMPARE(book.state(), DepthState::Live);
}

// The expected values come from a Python script run once on the extracted file, independent
// of this code: it parsed each line with json.loads, checked u == previous u + 1 for every
// delta, and applied the levels with decimal.Decimal. It found 500 bids and 500 asks in the
// snapshot (u 20254869), 49 deltas up to u 20254918, and at the end best bid 1.9537 x 10605,
// best ask 1.9538 x 6702, still 500 levels a side.
void DepthStreamTest::bybitRecordedDayAppliesEveryDelta()
{
    QTemporaryDir directory;
    QString problem;
    const QString path = extractBybitDay(directory, problem);
    if (path.isEmpty())
        QSKIP(qPrintable(problem));

    BybitDepthReader reader;
    QVERIFY(!reader.open(path.toStdString(), kXrpScale));
    DepthBook book(DepthSequencing::Consecutive);
    DepthUpdate update;
    QVERIFY(reader.read(update));
    QCOMPARE(update.kind, DepthKind::Snapshot);
    QCOMPARE(book.apply(update), DepthOutcome::Applied);
    QCOMPARE(book.levelCount(Side::Buy), std::size_t{500});
    QCOMPARE(book.levelCount(Side::Sell), std::size_t{500});
    QCOMPARE(book.lastId(), std::optional<UpdateId>(UpdateId{20254869}));

    const std::vector<DepthOutcome> outcomes = applyAll(reader, book);
    QVERIFY2(!reader.error(), reader.error() ? reader.error()->toString().c_str() : "");
    QCOMPARE(reader.symbol(), std::string("XRPUSDT"));
    QCOMPARE(outcomes.size(), std::size_t{49});
    QCOMPARE(book.statistics().applied, std::size_t{49});
    QCOMPARE(book.statistics().gaps, std::size_t{0});
    QCOMPARE(book.statistics().dropped, std::size_t{0});
    QCOMPARE(book.state(), DepthState::Live);
    QCOMPARE(book.lastId(), std::optional<UpdateId>(UpdateId{20254918}));

    const BestLevels top = book.top();
    QCOMPARE(top.state, DepthState::Live);
    QCOMPARE(top.bid, std::optional<BookLevel>(level(19537, 10605)));
    QCOMPARE(top.ask, std::optional<BookLevel>(level(19538, 6702)));
    QCOMPARE(book.levelCount(Side::Buy), std::size_t{500});
    QCOMPARE(book.levelCount(Side::Sell), std::size_t{500});
}

// The snapshot file is one snapshot (lastUpdateId 2098021528332, 100 bid rows and no asks, as
// the file was cut at 100 rows), taken about ten minutes before the update file starts. The
// update file is one message of 100 rows, U 2098041693435, u 2098041696700, pu 2098041693400.
// U is past the snapshot's id, so the ids in between were never seen: a gap at its first
// row, line 2. Counted with awk and Python's csv module.
void DepthStreamTest::binanceRecordedFilesStopAtGap()
{
    BOURSE_REQUIRE_DATA_FILE(marketDataPath(kBinanceSnapshot));
    BOURSE_REQUIRE_DATA_FILE(marketDataPath(kBinanceUpdate));

    BinanceDepthReader reader;
    QVERIFY(!reader.open(marketDataPath(kBinanceSnapshot).toStdString(),
                         marketDataPath(kBinanceUpdate).toStdString(), kBtcScale));
    DepthBook book(DepthSequencing::PreviousId);
    RequestRecorder recorder;
    book.setHandler(&recorder);

    DepthUpdate update;
    QVERIFY(reader.read(update));
    QCOMPARE(update.kind, DepthKind::Snapshot);
    QCOMPARE(update.line, std::size_t{2});
    QCOMPARE(update.lastId, UpdateId{2098021528332});
    QCOMPARE(update.exchangeTime, Timestamp{1667346579146 * kNanosecondsPerMillisecond});
    QCOMPARE(update.bids.size(), std::size_t{100});
    QCOMPARE(update.asks.size(), std::size_t{0});
    QCOMPARE(book.apply(update), DepthOutcome::Applied);

    QVERIFY(reader.read(update));
    QCOMPARE(update.kind, DepthKind::Delta);
    QCOMPARE(update.line, std::size_t{2});
    QCOMPARE(update.firstId, UpdateId{2098041693435});
    QCOMPARE(update.lastId, UpdateId{2098041696700});
    QCOMPARE(update.previousId, std::optional<UpdateId>(UpdateId{2098041693400}));
    QCOMPARE(update.bids.size(), std::size_t{23});
    QCOMPARE(update.asks.size(), std::size_t{77});
    QCOMPARE(book.apply(update), DepthOutcome::Gap);
    QVERIFY(!reader.read(update));
    QVERIFY(!reader.error());
    QCOMPARE(reader.symbol(), std::string("BTCUSDT"));

    const DepthStatistics &statistics = book.statistics();
    QCOMPARE(statistics.gaps, std::size_t{1});
    QCOMPARE(statistics.firstGap->expected, UpdateId{2098021528332});
    QCOMPARE(statistics.firstGap->received, UpdateId{2098041693435});
    QCOMPARE(statistics.firstGap->line, std::size_t{2});
    QCOMPARE(statistics.firstGap->exchangeTime,
             Timestamp{1667347199939 * kNanosecondsPerMillisecond});
    QCOMPARE(statistics.applied, std::size_t{0});
    QCOMPARE(statistics.dropped, std::size_t{0}); // no update is older than the snapshot
    QCOMPARE(recorder.requests.size(), std::size_t{1});

    // The book keeps the snapshot's levels and marks them stale.
    QCOMPARE(book.state(), DepthState::Stale);
    const BestLevels top = book.top();
    QCOMPARE(top.state, DepthState::Stale);
    QCOMPARE(top.bid, std::optional<BookLevel>(level(2037700, 1770))); // 20377.00 x 1.770
    QVERIFY(!top.ask.has_value());
    QCOMPARE(book.levelCount(Side::Buy), std::size_t{100});
    QCOMPARE(book.sizeAt(Side::Buy, Price{2047210}), Quantity{0}); // 20472.10 of the update
}

// The recorded update file with one more message chained to it (pu = its u): the stale book
// keeps it for a snapshot and applies nothing.
void DepthStreamTest::binanceStaleBookAppliesNothingMore()
{
    BOURSE_REQUIRE_DATA_FILE(marketDataPath(kBinanceSnapshot));
    BOURSE_REQUIRE_DATA_FILE(marketDataPath(kBinanceUpdate));
    QTemporaryDir directory;
    const std::string updates =
        writeFile(directory, "update.csv",
                  readWholeFile(marketDataPath(kBinanceUpdate)) +
                      "BTCUSDT,1667347200039,2098041696701,2098041696710,b,set,20400.00,1.000,"
                      "2098041696700\n");

    BinanceDepthReader reader;
    QVERIFY(!reader.open(marketDataPath(kBinanceSnapshot).toStdString(), updates, kBtcScale));
    DepthBook book(DepthSequencing::PreviousId);
    const std::vector<DepthOutcome> outcomes = applyAll(reader, book);
    QVERIFY(!reader.error());

    QCOMPARE(outcomes, (std::vector<DepthOutcome>{DepthOutcome::Applied, DepthOutcome::Gap,
                                                  DepthOutcome::Buffered}));
    QCOMPARE(book.state(), DepthState::Stale);
    QCOMPARE(book.sizeAt(Side::Buy, Price{2040000}), Quantity{0});
    QCOMPARE(book.statistics().applied, std::size_t{0});
    QCOMPARE(book.bufferedCount(), std::size_t{2});
}

// Two snapshots (ids 100 at t=1000 and 114 at t=2000) merged by time with the updates. The
// updates before the first snapshot are dropped, a gap at line 7 makes the book stale, and
// the second snapshot drops the buffered updates it contains and applies the one after it.
void DepthStreamTest::binancePairDropsThenHealsAtNextSnapshot()
{
    QTemporaryDir directory;
    const std::string snapshots =
        writeFile(directory, "snap.csv",
                  kBinanceHeader + "BTCUSDT,1000,100,100,b,snap,10.00,1.000,-1\n"
                                   "BTCUSDT,1000,100,100,a,snap,11.00,2.000,-1\n"
                                   "BTCUSDT,2000,114,114,b,snap,10.00,4.000,-1\n"
                                   "BTCUSDT,2000,114,114,a,snap,11.50,1.000,-1\n");
    const std::string updates =
        writeFile(directory, "update.csv",
                  kBinanceHeader + "BTCUSDT,900,90,95,b,set,9.90,1.000,89\n"
                                   "BTCUSDT,950,96,99,b,set,9.80,1.000,95\n"
                                   "BTCUSDT,1000,99,101,b,set,10.00,3.000,99\n"
                                   "BTCUSDT,1000,99,101,a,set,11.00,0.000,99\n"
                                   "BTCUSDT,1100,102,104,a,set,11.20,5.000,101\n"
                                   "BTCUSDT,1200,108,110,b,set,10.10,2.000,107\n"
                                   "BTCUSDT,1300,111,113,b,set,10.20,2.000,110\n"
                                   "BTCUSDT,2100,114,116,a,set,11.40,3.000,113\n");

    BinanceDepthReader reader;
    QVERIFY(!reader.open(snapshots, updates, kBtcScale));
    DepthBook book(DepthSequencing::PreviousId);
    const std::vector<DepthOutcome> outcomes = applyAll(reader, book);
    QVERIFY2(!reader.error(), reader.error() ? reader.error()->toString().c_str() : "");

    QCOMPARE(outcomes, (std::vector<DepthOutcome>{
                           DepthOutcome::Buffered, DepthOutcome::Buffered, DepthOutcome::Applied,
                           DepthOutcome::Applied, DepthOutcome::Applied, DepthOutcome::Gap,
                           DepthOutcome::Buffered, DepthOutcome::Applied, DepthOutcome::Applied}));
    const DepthStatistics &statistics = book.statistics();
    QCOMPARE(statistics.snapshots, std::size_t{2});
    QCOMPARE(statistics.dropped, std::size_t{4});
    QCOMPARE(statistics.applied, std::size_t{3});
    QCOMPARE(statistics.gaps, std::size_t{1});
    QCOMPARE(statistics.firstGap->expected, UpdateId{104});
    QCOMPARE(statistics.firstGap->received, UpdateId{107});
    QCOMPARE(statistics.firstGap->line, std::size_t{7});

    QCOMPARE(book.state(), DepthState::Live);
    QCOMPARE(book.levels(Side::Buy), (std::vector<BookLevel>{level(1000, 4000)}));
    QCOMPARE(book.levels(Side::Sell),
             (std::vector<BookLevel>{level(1140, 3000), level(1150, 1000)}));
    QCOMPARE(book.lastId(), std::optional<UpdateId>(UpdateId{116}));
}

void DepthStreamTest::malformedBybitLineNamesFileAndLine_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("what");

    const auto delta = [](const char *bids, const char *asks) {
        return QString::fromStdString(bybitDeltaLine(bids, asks));
    };
    QTest::newRow("bad JSON") << R"({"type" "delta"})"
                              << "invalid JSON at byte 15 of the line";
    QTest::newRow("not an object") << "[1,2]"
                                   << "expected a JSON object";
    QTest::newRow("empty line") << ""
                                << "empty line: expected one JSON object per line";
    QTest::newRow("missing type") << R"({"ts":1,"data":{"s":"XRPUSDT","b":[],"a":[],"u":101}})"
                                  << "missing field 'type'";
    QTest::newRow("unknown type")
        << R"({"type":"partial","ts":1,"data":{"s":"XRPUSDT","b":[],"a":[],"u":101}})"
        << "unknown message type 'partial': expected snapshot or delta";
    QTest::newRow("negative time")
        << R"({"type":"delta","ts":-5,"data":{"s":"XRPUSDT","b":[],"a":[],"u":101}})"
        << "field 'ts' is not a whole number of milliseconds";
    QTest::newRow("missing data") << R"({"type":"delta","ts":1})"
                                  << "missing field 'data'";
    QTest::newRow("missing update id")
        << R"({"type":"delta","ts":1,"data":{"s":"XRPUSDT","b":[],"a":[]}})"
        << "missing field 'data.u'";
    QTest::newRow("update id as text")
        << R"({"type":"delta","ts":1,"data":{"s":"XRPUSDT","b":[],"a":[],"u":"101"}})"
        << "field 'data.u' is not a whole number";
    QTest::newRow("missing asks")
        << R"({"type":"delta","ts":1,"data":{"s":"XRPUSDT","b":[],"u":101}})"
        << "missing field 'data.a'";
    QTest::newRow("other symbol")
        << R"({"type":"delta","ts":1,"data":{"s":"BTCUSDT","b":[],"a":[],"u":101}})"
        << "symbol 'BTCUSDT' differs from 'XRPUSDT' of line 1";
    QTest::newRow("bad number") << delta(R"([["1.95x1","5"]])", "[]")
                                << "bid level 1: invalid price '1.95x1': expected a decimal number";
    QTest::newRow("too many price decimals")
        << delta(R"([["1.95311","5"]])", "[]")
        << "bid level 1: price '1.95311' has more than 4 decimals, the instrument's price scale";
    QTest::newRow("fractional size")
        << delta("[]", R"([["1.9535","1"],["1.9536","10.5"]])")
        << "ask level 2: size '10.5' has more than 0 decimals, the instrument's size scale";
    QTest::newRow("negative size")
        << delta("[]", R"([["1.9535","-3"]])") << "ask level 1: size '-3' is negative";
    QTest::newRow("zero price") << delta(R"([["0","3"]])", "[]")
                                << "bid level 1: price '0' is not positive";
    QTest::newRow("price as JSON number")
        << delta(R"([[1.9531,"5"]])", "[]")
        << "bid level 1: expected a pair of decimal strings [price, size]";
    QTest::newRow("level of three") << delta(R"([["1.9531","5","1"]])", "[]")
                                    << "bid level 1: expected a pair of decimal strings [price, "
                                       "size]";
}

// Line 1 is a valid snapshot; line 2 is broken.
void DepthStreamTest::malformedBybitLineNamesFileAndLine()
{
    QFETCH(QString, line);
    QFETCH(QString, what);
    QTemporaryDir directory;
    const std::string path =
        writeFile(directory, "book.data", kBybitSnapshotLine + "\n" + line.toStdString() + "\n");

    BybitDepthReader reader;
    QVERIFY(!reader.open(path, kXrpScale));
    DepthUpdate update;
    QVERIFY(reader.read(update));
    QVERIFY(!reader.read(update));
    QVERIFY(reader.error().has_value());
    QCOMPARE(reader.error()->file, path);
    QCOMPARE(reader.error()->line, std::size_t{2});
    QCOMPARE(QString::fromStdString(reader.error()->what), what);
    QVERIFY(!reader.read(update)); // the stream stays stopped
}

void DepthStreamTest::malformedBinanceRowNamesFileAndLine_data()
{
    QTest::addColumn<QString>("snapshotFile");
    QTest::addColumn<QString>("updateFile");
    QTest::addColumn<bool>("inSnapshotFile");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("what");

    const QString header = QString::fromStdString(kBinanceHeader);
    const QString snapshots = header + "BTCUSDT,1000,100,100,b,snap,10.00,1.000,-1\n";
    const QString goodRow = "BTCUSDT,1100,100,101,b,set,10.00,2.000,99\n";
    const auto updates = [&](const char *row) { return header + goodRow + row + "\n"; };

    QTest::newRow("truncated row")
        << snapshots << updates("BTCUSDT,1200,102,10") << false << 3
        << "expected 9 comma-separated fields (symbol,timestamp,first_update_id,"
           "last_update_id,side,update_type,price,qty,pu), found 4";
    QTest::newRow("extra field") << snapshots
                                 << updates("BTCUSDT,1200,102,103,b,set,10.00,2.000,101,7") << false
                                 << 3
                                 << "expected 9 comma-separated fields (symbol,timestamp,"
                                    "first_update_id,last_update_id,side,update_type,price,qty,"
                                    "pu), found more";
    QTest::newRow("unknown side") << snapshots
                                  << updates("BTCUSDT,1200,102,103,x,set,10.00,2.000,101") << false
                                  << 3 << "unknown side 'x': expected b (bid) or a (ask)";
    QTest::newRow("bad number") << snapshots
                                << updates("BTCUSDT,1200,102,103,a,set,10.00,1.2.3,101") << false
                                << 3 << "invalid size '1.2.3': expected a decimal number";
    QTest::newRow("too many decimals")
        << snapshots << updates("BTCUSDT,1200,102,103,a,set,20377.001,1.000,101") << false << 3
        << "price '20377.001' has more than 2 decimals, the instrument's price scale";
    QTest::newRow("negative size")
        << snapshots << updates("BTCUSDT,1200,102,103,a,set,10.00,-1.000,101") << false << 3
        << "size '-1.000' is negative";
    QTest::newRow("missing price") << snapshots << updates("BTCUSDT,1200,102,103,a,set,,1.000,101")
                                   << false << 3 << "invalid price '': expected a decimal number";
    QTest::newRow("bad id") << snapshots << updates("BTCUSDT,1200,10a,103,a,set,10.00,1.000,101")
                            << false << 3
                            << "invalid first_update_id '10a': expected a whole number";
    QTest::newRow("ids reversed") << snapshots
                                  << updates("BTCUSDT,1200,104,103,a,set,10.00,1.000,101") << false
                                  << 3 << "first_update_id 104 is greater than last_update_id 103";
    QTest::newRow("bad previous id")
        << snapshots << updates("BTCUSDT,1200,102,103,a,set,10.00,1.000,x") << false << 3
        << "invalid pu 'x': expected a whole number or -1";
    QTest::newRow("snapshot row in update file")
        << snapshots << updates("BTCUSDT,1200,102,103,a,snap,10.00,1.000,101") << false << 3
        << "invalid update_type 'snap': expected set in an update file";
    QTest::newRow("other symbol") << snapshots
                                  << updates("ETHUSDT,1200,102,103,a,set,10.00,1.000,101") << false
                                  << 3
                                  << "symbol 'ETHUSDT' differs from 'BTCUSDT' of the first row";
    QTest::newRow("bad header") << snapshots << QString("symbol,timestamp,first,last\n") + goodRow
                                << false << 1
                                << "invalid header 'symbol,timestamp,first,last': expected "
                                   "symbol,timestamp,first_update_id,last_update_id,side,"
                                   "update_type,price,qty,pu";
    QTest::newRow("bad snapshot side")
        << header + "BTCUSDT,1000,100,100,s,snap,10.00,1.000,-1\n"
        << header + goodRow << true << 2 << "unknown side 's': expected b (bid) or a (ask)";
}

void DepthStreamTest::malformedBinanceRowNamesFileAndLine()
{
    QFETCH(QString, snapshotFile);
    QFETCH(QString, updateFile);
    QFETCH(bool, inSnapshotFile);
    QFETCH(int, line);
    QFETCH(QString, what);
    QTemporaryDir directory;
    const std::string snapshots = writeFile(directory, "snap.csv", snapshotFile.toStdString());
    const std::string updates = writeFile(directory, "update.csv", updateFile.toStdString());

    BinanceDepthReader reader;
    DepthBook book(DepthSequencing::PreviousId);
    if (const auto error = reader.open(snapshots, updates, kBtcScale)) {
        QCOMPARE(error->file, updates); // a bad header fails at open
    } else {
        applyAll(reader, book);
    }
    QVERIFY(reader.error().has_value());
    QCOMPARE(reader.error()->file, inSnapshotFile ? snapshots : updates);
    QCOMPARE(reader.error()->line, std::size_t(line));
    QCOMPARE(QString::fromStdString(reader.error()->what), what);
    // The broken row may belong to the message before it, so that message is not returned
    // either: the first read fails and nothing reaches the book.
    QCOMPARE(book.state(), DepthState::AwaitingSnapshot);
    QCOMPARE(book.statistics().snapshots, std::size_t{0});
}

// Line 3 breaks at its second bid: its first bid must not reach the book.
void DepthStreamTest::malformedBybitMessageAppliesNothing()
{
    QTemporaryDir directory;
    std::string third = bybitDeltaLine(R"([["1.9528","9"],["1.9527","x"]])", "[]");
    third.replace(third.find("\"u\":101"), 7, "\"u\":102");
    const std::string path = writeFile(
        directory, "book.data",
        kBybitSnapshotLine + "\n" + bybitDeltaLine(R"([["1.9530","5"],["1.9529","7"]])", "[]") +
            "\n" + third + "\n");

    BybitDepthReader reader;
    QVERIFY(!reader.open(path, kXrpScale));
    DepthBook book(DepthSequencing::Consecutive);
    const std::vector<DepthOutcome> outcomes = applyAll(reader, book);
    QCOMPARE(outcomes, (std::vector<DepthOutcome>{DepthOutcome::Applied, DepthOutcome::Applied}));
    QVERIFY(reader.error().has_value());
    QCOMPARE(reader.error()->line, std::size_t{3});
    QCOMPARE(reader.error()->what, std::string("bid level 2: invalid size 'x': expected a "
                                               "decimal number"));
    QCOMPARE(book.sizeAt(Side::Buy, Price{19530}), Quantity{5});
    QCOMPARE(book.sizeAt(Side::Buy, Price{19529}), Quantity{7});
    QCOMPARE(book.sizeAt(Side::Buy, Price{19528}), Quantity{0});
    QCOMPARE(book.lastId(), std::optional<UpdateId>(UpdateId{101}));
}

// The message of lines 3 to 5 breaks at line 5: its rows at lines 3 and 4 must not reach the
// book.
void DepthStreamTest::malformedBinanceMessageAppliesNothing()
{
    QTemporaryDir directory;
    const std::string snapshots = writeFile(
        directory, "snap.csv", kBinanceHeader + "BTCUSDT,1000,100,100,b,snap,10.00,1.000,-1\n");
    const std::string updates =
        writeFile(directory, "update.csv",
                  kBinanceHeader + "BTCUSDT,1100,100,101,b,set,10.00,2.000,99\n"
                                   "BTCUSDT,1200,102,103,b,set,10.10,1.000,101\n"
                                   "BTCUSDT,1200,102,103,a,set,10.50,1.000,101\n"
                                   "BTCUSDT,1200,102,103,a,set,10.60\n");

    BinanceDepthReader reader;
    QVERIFY(!reader.open(snapshots, updates, kBtcScale));
    DepthBook book(DepthSequencing::PreviousId);
    const std::vector<DepthOutcome> outcomes = applyAll(reader, book);
    QCOMPARE(outcomes, (std::vector<DepthOutcome>{DepthOutcome::Applied, DepthOutcome::Applied}));
    QVERIFY(reader.error().has_value());
    QCOMPARE(reader.error()->line, std::size_t{5});
    QCOMPARE(book.sizeAt(Side::Buy, Price{1000}), Quantity{2000});
    QCOMPARE(book.sizeAt(Side::Buy, Price{1010}), Quantity{0});
    QCOMPARE(book.sizeAt(Side::Sell, Price{1050}), Quantity{0});
    QCOMPARE(book.lastId(), std::optional<UpdateId>(UpdateId{101}));
}

void DepthStreamTest::missingFileOrInvalidScaleFailsAtOpen()
{
    QTemporaryDir directory;
    const std::string missing = directory.filePath(QStringLiteral("absent.data")).toStdString();

    BybitDepthReader bybit;
    const auto error = bybit.open(missing, kXrpScale);
    QVERIFY(error.has_value());
    QCOMPARE(error->file, missing);
    QCOMPARE(error->line, std::size_t{0});
    QCOMPARE(error->what,
             std::string("cannot open the Bybit order-book file: No such file or directory"));
    DepthUpdate update;
    QVERIFY(!bybit.read(update));

    const std::string snapshots = writeFile(directory, "snap.csv", kBinanceHeader);
    BinanceDepthReader binance;
    const auto binanceError = binance.open(snapshots, missing, kBtcScale);
    QVERIFY(binanceError.has_value());
    QCOMPARE(binanceError->file, missing);
    QCOMPARE(binanceError->what,
             std::string("cannot open the Binance depth update file: No such file or directory"));

    const auto scaleError = bybit.open(snapshots, DepthScale{19, 0});
    QVERIFY(scaleError.has_value());
    QCOMPARE(scaleError->what,
             std::string("invalid scale of 19 price and 0 size decimals: each must be 0 to 18"));
}

// The buffered updates and gap at n9 through an engine: its book follows the depth book to
// n7 and keeps those levels when n9 is not applied.
void DepthStreamTest::replayKeepsLastLiveLevelsAtGap()
{
    std::vector<DepthUpdate> updates = deltasFourToSeven();
    updates.push_back(snapshotAtFive());
    updates.push_back(delta(9, {level(99, 0)}, {}));
    ListReader reader(std::move(updates));
    Engine engine(InstrumentId{1});
    DepthReplay replay(engine, reader, DepthSequencing::Consecutive);

    for (int i = 0; i < 5; ++i)
        QCOMPARE(replay.step(), DepthReplay::Step::Applied);
    QCOMPARE(replay.outcome(), DepthOutcome::Applied);
    QCOMPARE(differenceOf(engine, replay.book()), std::string());
    QCOMPARE(engine.book().quantityAt(Side::Buy, Price{100}), Quantity{4});
    QCOMPARE(engine.book().quantityAt(Side::Buy, Price{99}), Quantity{10});
    QCOMPARE(engine.book().quantityAt(Side::Buy, Price{98}), Quantity{0});
    QCOMPARE(engine.book().quantityAt(Side::Sell, Price{101}), Quantity{6});

    QCOMPARE(replay.step(), DepthReplay::Step::Applied);
    QCOMPARE(replay.outcome(), DepthOutcome::Gap);
    QVERIFY(!replay.book().live());
    QCOMPARE(engine.book().quantityAt(Side::Buy, Price{99}), Quantity{10});
    QCOMPARE(replay.step(), DepthReplay::Step::Finished);
}

void DepthStreamTest::replayOfBybitDayMatchesBookAfterEveryUpdate()
{
    QTemporaryDir directory;
    QString problem;
    const QString path = extractBybitDay(directory, problem);
    if (path.isEmpty())
        QSKIP(qPrintable(problem));

    BybitDepthReader reader;
    QVERIFY(!reader.open(path.toStdString(), kXrpScale));
    Engine engine(InstrumentId{1});
    DepthReplay replay(engine, reader, DepthSequencing::Consecutive);
    std::size_t steps = 0;
    DepthReplay::Step step = DepthReplay::Step::Applied;
    while ((step = replay.step()) == DepthReplay::Step::Applied) {
        ++steps;
        const std::string difference = differenceOf(engine, replay.book());
        QVERIFY2(difference.empty(),
                 ("after update " + std::to_string(steps) + ": " + difference).c_str());
    }
    QCOMPARE(step, DepthReplay::Step::Finished);
    QCOMPARE(steps, std::size_t{50});
    QCOMPARE(engine.book().bestPrice(Side::Buy), std::optional<Price>(Price{19537}));
    QCOMPARE(engine.book().quantityAt(Side::Buy, Price{19537}), Quantity{10605});
    QCOMPARE(engine.book().bestPrice(Side::Sell), std::optional<Price>(Price{19538}));
    QCOMPARE(engine.book().quantityAt(Side::Sell, Price{19538}), Quantity{6702});
}

void DepthStreamTest::replayOfBinanceFilesKeepsSnapshotAfterGap()
{
    BOURSE_REQUIRE_DATA_FILE(marketDataPath(kBinanceSnapshot));
    BOURSE_REQUIRE_DATA_FILE(marketDataPath(kBinanceUpdate));

    BinanceDepthReader reader;
    QVERIFY(!reader.open(marketDataPath(kBinanceSnapshot).toStdString(),
                         marketDataPath(kBinanceUpdate).toStdString(), kBtcScale));
    Engine engine(InstrumentId{1});
    DepthReplay replay(engine, reader, DepthSequencing::PreviousId);
    QCOMPARE(replay.step(), DepthReplay::Step::Applied);
    QCOMPARE(replay.step(), DepthReplay::Step::Applied);
    QCOMPARE(replay.outcome(), DepthOutcome::Gap);
    QCOMPARE(replay.step(), DepthReplay::Step::Finished);

    QCOMPARE(differenceOf(engine, replay.book()), std::string());
    QCOMPARE(engine.book().levelCount(Side::Buy), std::size_t{100});
    QCOMPARE(engine.book().levelCount(Side::Sell), std::size_t{0});
    QCOMPARE(engine.book().quantityAt(Side::Buy, Price{2037700}), Quantity{1770});
}

// A Bybit restart snapshot (u = 1) whose bid is above the old ask: the old levels leave the
// engine's book before the new ones enter.
void DepthStreamTest::replayOfRestartSnapshotReplacesEngineLevels()
{
    ListReader reader({snapshot(500, {level(10, 1), level(9, 2)}, {level(12, 3)}),
                       delta(501, {level(10, 5)}, {}),
                       snapshot(1, {level(13, 4)}, {level(14, 1)})});
    Engine engine(InstrumentId{1});
    DepthReplay replay(engine, reader, DepthSequencing::Consecutive);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(replay.step(), DepthReplay::Step::Applied);

    QCOMPARE(differenceOf(engine, replay.book()), std::string());
    QCOMPARE(engine.book().levelCount(Side::Buy), std::size_t{1});
    QCOMPARE(engine.book().quantityAt(Side::Buy, Price{13}), Quantity{4});
    QCOMPARE(engine.book().levelCount(Side::Sell), std::size_t{1});
    QCOMPARE(engine.book().quantityAt(Side::Sell, Price{14}), Quantity{1});
    QCOMPARE(engine.book().orderCount(), std::size_t{2});
}

// The recorded Bybit day as the terminal replays it: the feed finds the format from the first
// line, the decimals from the snapshot (prices 1.9531, sizes 6203), defines XRPUSDT and ends
// with the book that bybitRecordedDayAppliesEveryDelta() computed independently.
void DepthStreamTest::bybitFeedDefinesInstrumentAndBook()
{
    QTemporaryDir directory;
    QString problem;
    const QString path = extractBybitDay(directory, problem);
    if (path.isEmpty())
        QSKIP(qPrintable(problem));

    std::string sourceProblem;
    const std::optional<DepthFeedSource> source =
        depthFeedSourceFor(path.toStdString(), sourceProblem);
    QVERIFY(source);
    QCOMPARE(source->format, DepthFormat::Bybit);
    Engine engine;
    std::string error;
    const std::unique_ptr<ReplayFeed> feed = openDepthFeed(*source, engine, error);
    QVERIFY2(feed, error.c_str());
    QCOMPARE(feed->nextTime(), std::optional{Timestamp{1'733'011'200'691'000'000}});

    QCOMPARE(replayToEnd(*feed), 50);
    QCOMPARE(feed->messages(), std::size_t{50});
    QCOMPARE(feed->staleReason(), std::string());
    const InstrumentDefinition *definition = engine.definition(InstrumentId{1});
    QVERIFY(definition);
    QCOMPARE(std::string(definition->symbol.data()), std::string("XRPUSDT"));
    QCOMPARE(int{definition->priceDecimals}, 4);
    QCOMPARE(int{definition->quantityDecimals}, 0);
    QCOMPARE(definition->tickSize, Price{1});
    QCOMPARE(engine.book().bestPrice(Side::Buy), std::optional{Price{19'537}});
    QCOMPARE(engine.book().bestPrice(Side::Sell), std::optional{Price{19'538}});
}

// The recorded Binance pair, found from either file. Prices are written with two decimals
// (20377.00) on a step of 0.10 and sizes with three (1.770). The gap at the update file's line 2
// is reported as the reason the book is stale.
void DepthStreamTest::binanceFeedReportsGapAsStale()
{
    BOURSE_REQUIRE_DATA_FILE(marketDataPath(kBinanceSnapshot));
    BOURSE_REQUIRE_DATA_FILE(marketDataPath(kBinanceUpdate));
    std::string problem;
    const std::optional<DepthFeedSource> source =
        depthFeedSourceFor(marketDataPath(kBinanceUpdate).toStdString(), problem);
    QVERIFY(source);
    QCOMPARE(source->format, DepthFormat::Binance);
    QCOMPARE(QString::fromStdString(source->path), marketDataPath(kBinanceSnapshot));

    Engine engine;
    std::string error;
    const std::unique_ptr<ReplayFeed> feed = openDepthFeed(*source, engine, error);
    QVERIFY2(feed, error.c_str());
    QCOMPARE(replayToEnd(*feed), 2);
    QCOMPARE(feed->staleReason(),
             std::string("gap in update ids at line 2: expected 2098021528332, received "
                         "2098041693435; the book waits for a snapshot"));
    const InstrumentDefinition *definition = engine.definition(InstrumentId{1});
    QVERIFY(definition);
    QCOMPARE(std::string(definition->symbol.data()), std::string("BTCUSDT"));
    QCOMPARE(int{definition->priceDecimals}, 2);
    QCOMPARE(int{definition->quantityDecimals}, 3);
    // Every price of the files is a multiple of 0.10, as BTCUSDT's tick on Binance futures.
    QCOMPARE(definition->tickSize, Price{10});
    QCOMPARE(engine.book().bestPrice(Side::Buy), std::optional{Price{2'037'700}});
}

// A LOBSTER message file is no depth stream. A Binance snapshot without its update file, and
// JSON lines of another topic, look like one and cannot be: each names what is wrong rather
// than being read as a LOBSTER file.
void DepthStreamTest::otherFilesAreNoDepthFeed()
{
    QTemporaryDir directory;
    const QString lobster = directory.filePath(QStringLiteral("GOOG_message_1.csv"));
    const QString lonely = directory.filePath(QStringLiteral("X_depth-snap.csv"));
    const QString trades = directory.filePath(QStringLiteral("trades.data"));
    for (const QString &path : {lobster, lonely}) {
        std::ofstream file(path.toStdString());
        file << "34200.004241176,1,16113575,18,5853300,1\n";
    }
    {
        std::ofstream file(trades.toStdString());
        file << R"({"topic":"publicTrade.XRPUSDT","type":"snapshot","ts":1,"data":[]})" << '\n';
    }

    std::string problem;
    QVERIFY(!depthFeedSourceFor(lobster.toStdString(), problem));
    QCOMPARE(problem, std::string());
    QVERIFY(!depthFeedSourceFor(lonely.toStdString(), problem));
    QCOMPARE(QString::fromStdString(problem),
             QStringLiteral("%1: a Binance depth file replays with its pair, and %2 is not a file "
                            "beside it")
                 .arg(lonely, directory.filePath(QStringLiteral("X_depth-update.csv"))));
    problem.clear();
    QVERIFY(!depthFeedSourceFor(trades.toStdString(), problem));
    QCOMPARE(QString::fromStdString(problem),
             QStringLiteral("%1:1: the line is not a Bybit order-book message (a JSON object whose "
                            "topic starts with \"orderbook.\")")
                 .arg(trades));
}

namespace {

// Writes Bybit lines for XRPUSDT-like data: a snapshot at u 1, then `deltas`, each a pair of
// the bids and asks JSON arrays, at u 2, 3 and so on, one second apart unless `times` says.
QString writeBybit(const QTemporaryDir &directory, const std::string &symbol,
                   const std::string &snapshotBids, const std::string &snapshotAsks,
                   const std::vector<std::pair<std::string, std::string>> &deltas,
                   const std::vector<std::int64_t> &times = {})
{
    const QString path = directory.filePath(QStringLiteral("stream.data"));
    std::ofstream file(path.toStdString());
    const auto line = [&](const char *type, std::uint64_t id, std::int64_t ms,
                          const std::string &bids, const std::string &asks) {
        file << R"({"topic":"orderbook.50.)" << symbol << R"(","type":")" << type << R"(","ts":)"
             << ms << R"(,"data":{"s":")" << symbol << R"(","b":)" << bids << R"(,"a":)" << asks
             << R"(,"u":)" << id << R"(,"seq":1},"cts":1})" << '\n';
    };
    line("snapshot", 1, 1'000, snapshotBids, snapshotAsks);
    for (std::size_t i = 0; i < deltas.size(); ++i) {
        const std::int64_t ms = i < times.size() ? times[i] : 2'000 + 1'000 * std::int64_t(i);
        line("delta", i + 2, ms, deltas[i].first, deltas[i].second);
    }
    return path;
}

std::unique_ptr<ReplayFeed> openBybit(const QString &path, Engine &engine, std::string &error)
{
    std::string problem;
    const std::optional<DepthFeedSource> source = depthFeedSourceFor(path.toStdString(), problem);
    if (!source) {
        error = problem;
        return nullptr;
    }
    return openDepthFeed(*source, engine, error);
}

} // namespace

// A snapshot of one level a side writes its size as "2.000", and a later delta needs three
// decimals: the scale comes from the decimals as written, over the messages after the snapshot
// too, so the delta reads.
void DepthStreamTest::feedScaleCoversLaterMessages()
{
    QTemporaryDir directory;
    const QString path =
        writeBybit(directory, "BTCUSDT", R"([["96500.00","2.000"]])", R"([["96500.10","0.500"]])",
                   {{R"([["96500.00","1.753"]])", "[]"}});
    Engine engine;
    std::string error;
    const std::unique_ptr<ReplayFeed> feed = openBybit(path, engine, error);
    QVERIFY2(feed, error.c_str());
    QCOMPARE(replayToEnd(*feed), 2);
    QCOMPARE(int{engine.definition(InstrumentId{1})->priceDecimals}, 2);
    QCOMPARE(int{engine.definition(InstrumentId{1})->quantityDecimals}, 3);
    QCOMPARE(engine.book().quantityAt(Side::Buy, Price{9'650'000}), Quantity{1'753});
}

// A delta that leaves the best bid above the best ask: an exchange's book never stays crossed,
// so the view marks it until a later delta uncrosses it.
void DepthStreamTest::crossedBookMarkedUntilUncrossed()
{
    QTemporaryDir directory;
    const QString path =
        writeBybit(directory, "XRPUSDT", R"([["1.9531","10"]])", R"([["1.9535","10"]])",
                   {{R"([["1.9540","5"]])", "[]"}, {R"([["1.9540","0"]])", "[]"}});
    Engine engine;
    std::string error;
    const std::unique_ptr<ReplayFeed> feed = openBybit(path, engine, error);
    QVERIFY2(feed, error.c_str());
    QCOMPARE(feed->step(), ReplayFeed::Step::Applied);
    QCOMPARE(feed->staleReason(), std::string());
    QCOMPARE(feed->step(), ReplayFeed::Step::Applied);
    QCOMPARE(feed->staleReason(),
             std::string("crossed book since line 2: the best bid is at or above the best ask"));
    QCOMPARE(feed->step(), ReplayFeed::Step::Applied);
    QCOMPARE(feed->staleReason(), std::string());
}

// A message earlier than the one before it stops the replay with its file and line, before it
// changes the book.
void DepthStreamTest::timeGoingBackwardsStopsReplay()
{
    QTemporaryDir directory;
    const QString path =
        writeBybit(directory, "XRPUSDT", R"([["1.9531","10"]])", R"([["1.9535","10"]])",
                   {{R"([["1.9532","5"]])", "[]"}, {R"([["1.9533","5"]])", "[]"}}, {3'000, 2'500});
    Engine engine;
    std::string error;
    const std::unique_ptr<ReplayFeed> feed = openBybit(path, engine, error);
    QVERIFY2(feed, error.c_str());
    QCOMPARE(feed->step(), ReplayFeed::Step::Applied);
    QCOMPARE(feed->step(), ReplayFeed::Step::Applied);
    QCOMPARE(feed->step(), ReplayFeed::Step::Failed);
    QCOMPARE(QString::fromStdString(feed->error()),
             QStringLiteral("%1:3: the time 2500 ms is before the previous message's 3000 ms")
                 .arg(path));
    QCOMPARE(engine.book().quantityAt(Side::Buy, Price{19'533}), Quantity{0});
}

// "XRPÜSDT€ÉÉÉÉ" is 19 bytes of UTF-8; the definition keeps 16, and the 16th byte would split
// the third É, so the symbol ends after the second one.
void DepthStreamTest::longSymbolCutAtWholeCharacter()
{
    QTemporaryDir directory;
    const QString path =
        writeBybit(directory, "XRP\xC3\x9CSDT\xE2\x82\xAC\xC3\x89\xC3\x89\xC3\x89\xC3\x89",
                   R"([["1.9531","10"]])", R"([["1.9535","10"]])", {});
    Engine engine;
    std::string error;
    const std::unique_ptr<ReplayFeed> feed = openBybit(path, engine, error);
    QVERIFY2(feed, error.c_str());
    QCOMPARE(replayToEnd(*feed), 1);
    QCOMPARE(std::string(engine.definition(InstrumentId{1})->symbol.data()),
             std::string("XRP\xC3\x9CSDT\xE2\x82\xAC\xC3\x89\xC3\x89"));
}

// The first 1,000 lines price everything on a step of 0.10, the tick the feed takes. Line 1002
// has 96500.05, which the engine would rest between two ladder rows: the replay stops there.
void DepthStreamTest::priceOffDerivedTickStopsReplay()
{
    QTemporaryDir directory;
    std::vector<std::pair<std::string, std::string>> deltas(1'000,
                                                            {R"([["96500.00","1.000"]])", "[]"});
    deltas.push_back({R"([["96500.05","1.000"]])", "[]"});
    const QString path = writeBybit(directory, "BTCUSDT", R"([["96500.00","2.000"]])",
                                    R"([["96500.10","0.500"]])", deltas);
    Engine engine;
    std::string error;
    const std::unique_ptr<ReplayFeed> feed = openBybit(path, engine, error);
    QVERIFY2(feed, error.c_str());
    QCOMPARE(replayToEnd(*feed), -1);
    QCOMPARE(feed->messages(), std::size_t{1'001});
    QCOMPARE(engine.definition(InstrumentId{1})->tickSize, Price{10});
    QCOMPARE(QString::fromStdString(feed->error()),
             QStringLiteral("%1:1002: the price of 9650005 units is not a multiple of the tick of "
                            "10 units that the first messages show")
                 .arg(path));
}

QTEST_GUILESS_MAIN(DepthStreamTest)
#include "tst_depth_stream.moc"

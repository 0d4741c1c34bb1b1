#include "agent_market.h"
#include "agent_random.h"
#include "agent_stream_hash.h"
#include "engine.h"
#include "event_codec.h"
#include "event_record.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <new>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

// Counts the allocations of the whole executable while `countAllocations` is set, for the
// steady-state test.
namespace {
std::atomic<bool> countAllocations{false};
std::atomic<std::uint64_t> allocations{0};
} // namespace

void *operator new(std::size_t size)
{
    if (countAllocations.load(std::memory_order_relaxed))
        allocations.fetch_add(1, std::memory_order_relaxed);
    if (void *memory = std::malloc(size == 0 ? 1 : size))
        return memory;
    throw std::bad_alloc();
}

void operator delete(void *memory) noexcept
{
    std::free(memory);
}

void operator delete(void *memory, std::size_t) noexcept
{
    std::free(memory);
}

using namespace bourse;

namespace {

constexpr SequenceNumber kLongRunEvents = 2'000'000;
// Arrivals of an instrument after news whose spreads count as "after news", and the arrivals
// after which the market counts as calm again.
constexpr std::uint64_t kNewsWindowArrivals = 100;
constexpr std::uint64_t kCalmAfterArrivals = 1'000;
// Arrivals of an instrument after a jump over which momentum and informed trading is summed.
constexpr std::uint64_t kJumpResponseArrivals = 200;

std::uint64_t xxh64Of(const std::string &text, std::uint64_t seed = 0)
{
    Xxh64 hash(seed);
    hash.update(std::span(reinterpret_cast<const std::uint8_t *>(text.data()), text.size()));
    return hash.digest();
}

std::string patternOf(std::size_t size)
{
    std::string bytes(size, '\0');
    for (std::size_t i = 0; i < size; ++i)
        bytes[i] = static_cast<char>(i % 251);
    return bytes;
}

// The positions of every account from the Trade events, independently of the market's own
// bookkeeping, the trades of every instrument and the trades in each simulated second.
class TradeTally : public EventHandler {
public:
    void onEvent(const Event &event) override
    {
        const auto *trade = std::get_if<Trade>(&event.payload);
        if (!trade)
            return;
        ++trades[event.instrument.value()];
        ++tradesPerSecond[(event.time.value() - AgentMarket::Options().startTime.value()) /
                          1'000'000'000];
        const std::int64_t quantity = trade->quantity.value();
        const bool takerBuys = trade->aggressor == Side::Buy;
        positions[trade->takerAccount.value()] += takerBuys ? quantity : -quantity;
        positions[trade->makerAccount.value()] += takerBuys ? -quantity : quantity;
    }

    std::map<std::uint32_t, std::uint64_t> trades;
    std::map<std::uint32_t, std::int64_t> positions;
    std::map<std::int64_t, std::uint64_t> tradesPerSecond;
};

// Compares every event's record with the codec's encoding of its payload.
class CodecComparer : public EventHandler {
public:
    void onEvent(const Event &event) override
    {
        std::array<std::uint8_t, kMaximumEventRecordSize> record{};
        const std::size_t size = writeEventRecord(event, record.data());
        std::vector<std::uint8_t> encoded;
        appendEncodedPayload(event.payload, encoded);
        std::uint64_t sequence = 0;
        for (int byte = 7; byte >= 0; --byte)
            sequence = sequence << 8 | record[static_cast<std::size_t>(byte)];

        ++events;
        types.insert(typeOf(event.payload));
        const bool same = size == 20 + encoded.size() && sequence == event.sequence &&
                          std::equal(encoded.begin(), encoded.end(), record.begin() + 20);
        if (!same)
            ++mismatches;
    }

    std::uint64_t events = 0;
    std::uint64_t mismatches = 0;
    std::set<EventType> types;
};

std::uint64_t streamHash(std::uint64_t seed, SequenceNumber events,
                         AgentMarket::Options options = AgentMarket::Options())
{
    Engine engine;
    EventStreamHash hash(events);
    engine.addHandler(&hash);
    AgentMarket market(engine, seed, options);
    market.runUntil(events);
    return hash.value();
}

std::int64_t spreadTicks(const Engine &engine, const AgentInstrument &instrument, bool &quoted)
{
    const OrderBook *book = engine.book(instrument.id);
    const std::optional<Price> bid = book->bestPrice(Side::Buy);
    const std::optional<Price> ask = book->bestPrice(Side::Sell);
    quoted = bid && ask;
    return quoted ? (ask->value() - bid->value()) / instrument.tickSize.value() : 0;
}

// Figures of one instrument over the long run, sampled at each of its arrivals.
struct InstrumentFigures {
    std::uint64_t samples = 0;
    std::uint64_t quotedSamples = 0;
    std::uint64_t calmSamples = 0;
    std::int64_t calmSum = 0;
    std::int64_t calmMaximum = 0;
    std::uint64_t newsSamples = 0;
    std::int64_t newsSum = 0;
    std::uint64_t arrivalsSinceNews = UINT64_MAX / 2;
};

// How momentum or informed traders traded after jumps: the windows in which their net trade
// went with the jump and against it, and the net quantity with the jump, in lots.
struct JumpResponse {
    std::uint64_t with = 0;
    std::uint64_t against = 0;
    std::int64_t lotsWith = 0;
};

// A jump whose response is being watched.
struct JumpWindow {
    std::size_t instrument = 0;
    int sign = 0;
    std::uint64_t startArrivals = 0;
    std::int64_t momentumStart = 0;
    std::int64_t informedStart = 0;
    bool overlapped = false;
};

struct LongRun {
    std::vector<InstrumentFigures> instruments;
    std::uint64_t crossedSamples = 0;
    std::uint64_t news = 0;
    // The largest maker position over its limit, and the mean of |position| / limit, in
    // thousandths.
    std::int64_t worstInventoryPerMille = 0;
    std::int64_t meanInventoryPerMille = 0;
    JumpResponse momentum;
    JumpResponse informed;
    std::map<std::uint32_t, std::uint64_t> trades;
    // Of the trades per simulated second: the variance over the mean, and the correlation of
    // one second with the next. A Poisson process gives 1 and 0.
    double tradeDispersion = 0;
    double tradeAutocorrelation = 0;
};

// Computes the dispersion and the lag-one autocorrelation of counts per second, seconds without
// trades included, up to the last whole second.
void measureClustering(const std::map<std::int64_t, std::uint64_t> &perSecond, LongRun &run)
{
    std::vector<double> counts(static_cast<std::size_t>(perSecond.rbegin()->first), 0.0);
    for (const auto &[second, count] : perSecond) {
        if (static_cast<std::size_t>(second) < counts.size())
            counts[static_cast<std::size_t>(second)] = static_cast<double>(count);
    }
    double sum = 0;
    for (double count : counts)
        sum += count;
    const double mean = sum / static_cast<double>(counts.size());
    double variance = 0;
    double covariance = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        variance += (counts[i] - mean) * (counts[i] - mean);
        if (i > 0)
            covariance += (counts[i - 1] - mean) * (counts[i] - mean);
    }
    run.tradeDispersion = variance / static_cast<double>(counts.size()) / mean;
    run.tradeAutocorrelation = covariance / variance;
}

} // namespace

class TestAgentMarket : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();

    void xxh64MatchesReferenceLibrary_data();
    void xxh64MatchesReferenceLibrary();
    void xxh64InPiecesMatchesWhole();
    void exponentialMatchesNaturalLogarithm();
    void belowDrawsEveryValueEvenly();

    void streamRecordsMatchEventCodec();
    void everyPayloadKindMatchesEventCodec();

    void sameSeedGivesSameStream();
    void otherSeedGivesOtherStream();
    void sameInjectionsGiveSameStream();
    void pausedMarketDoesNothing();

    void bookNeverCrossedAtRest();
    void everyInstrumentTrades();
    void tradesClusterInTime();
    void calmSpreadsStayWithinBounds();
    void spreadWidensAfterNews();
    void makerInventoryStaysWithinLimit();
    void momentumTradersFollowJumps();
    void informedTradersFollowJumps();

    void injectedNewsMovesFairValueAndMid_data();
    void injectedNewsMovesFairValueAndMid();
    void openAccountsMatchPortfolioPositions();
    void steadyStateAllocatesNothing();

    void commandPrintsLibraryHash();
    void commandRejectsJournalWithEvents();

private:
    LongRun m_run;
    AgentMarket::Options m_options;
};

// One long run of the default market with seed 1, sampled after every step, feeds the
// property tests below.
void TestAgentMarket::initTestCase()
{
    Engine engine;
    TradeTally tally;
    engine.addHandler(&tally);
    AgentMarket market(engine, 1, m_options);
    const std::size_t count = market.instrumentCount();
    m_run.instruments.resize(count);
    std::vector<std::uint64_t> arrivals(count, 0);
    std::vector<JumpWindow> windows;
    std::int64_t inventorySum = 0;
    std::uint64_t inventorySamples = 0;

    const auto agentOf = [&](std::size_t instrument, AgentRole role) {
        for (const AgentState &agent : market.agents()) {
            if (agent.instrument == instrument && agent.role == role)
                return agent.account.value();
        }
        return std::uint32_t{0};
    };

    while (engine.lastSequence() < kLongRunEvents) {
        market.step();

        if (market.newsCount() != m_run.news) {
            m_run.news = market.newsCount();
            const AgentNews &news = market.lastNews();
            for (JumpWindow &window : windows)
                window.overlapped |= window.instrument == news.instrument;
            windows.push_back(
                JumpWindow{news.instrument, news.ticks > 0 ? 1 : -1,
                           market.statistics(news.instrument).arrivals,
                           tally.positions[agentOf(news.instrument, AgentRole::Momentum)],
                           tally.positions[agentOf(news.instrument, AgentRole::Informed)]});
            m_run.instruments[news.instrument].arrivalsSinceNews = 0;
        }

        for (std::size_t index = 0; index < count; ++index) {
            const AgentInstrument &instrument = m_options.instruments[index];
            bool quoted = false;
            const std::int64_t spread = spreadTicks(engine, instrument, quoted);
            if (quoted && spread <= 0)
                ++m_run.crossedSamples;
            if (market.statistics(index).arrivals == arrivals[index])
                continue;

            arrivals[index] = market.statistics(index).arrivals;
            InstrumentFigures &figures = m_run.instruments[index];
            ++figures.arrivalsSinceNews;
            ++figures.samples;
            if (!quoted)
                continue;
            ++figures.quotedSamples;
            if (figures.arrivalsSinceNews <= kNewsWindowArrivals) {
                ++figures.newsSamples;
                figures.newsSum += spread;
            } else if (figures.arrivalsSinceNews > kCalmAfterArrivals) {
                ++figures.calmSamples;
                figures.calmSum += spread;
                figures.calmMaximum = std::max(figures.calmMaximum, spread);
            }
        }

        for (const AgentState &agent : market.agents()) {
            if (agent.role != AgentRole::MarketMaker)
                continue;
            const AgentInstrument &instrument = m_options.instruments[agent.instrument];
            const std::int64_t limit =
                instrument.makerInventoryLimitLots * instrument.lotSize.value();
            const std::int64_t position = std::abs(tally.positions[agent.account.value()]);
            m_run.worstInventoryPerMille =
                std::max(m_run.worstInventoryPerMille, position * 1'000 / limit);
            inventorySum += position * 1'000 / limit;
            ++inventorySamples;
        }

        for (auto window = windows.begin(); window != windows.end();) {
            if (market.statistics(window->instrument).arrivals - window->startArrivals <
                kJumpResponseArrivals) {
                ++window;
                continue;
            }
            if (!window->overlapped) {
                const std::int64_t lot = m_options.instruments[window->instrument].lotSize.value();
                const std::int64_t momentum =
                    (tally.positions[agentOf(window->instrument, AgentRole::Momentum)] -
                     window->momentumStart) *
                    window->sign / lot;
                const std::int64_t informed =
                    (tally.positions[agentOf(window->instrument, AgentRole::Informed)] -
                     window->informedStart) *
                    window->sign / lot;
                for (auto [response, lots] :
                     {std::pair{&m_run.momentum, momentum}, std::pair{&m_run.informed, informed}}) {
                    response->with += lots > 0 ? 1 : 0;
                    response->against += lots < 0 ? 1 : 0;
                    response->lotsWith += lots;
                }
            }
            window = windows.erase(window);
        }
    }
    m_run.meanInventoryPerMille =
        inventorySamples == 0 ? 0 : inventorySum / static_cast<std::int64_t>(inventorySamples);
    m_run.trades = tally.trades;
    measureClustering(tally.tradesPerSecond, m_run);
}

void TestAgentMarket::xxh64MatchesReferenceLibrary_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<quint64>("seed");
    QTest::addColumn<quint64>("expected");

    // Digests printed by libxxhash 0.8.1 (XXH64) for the same bytes and seeds. The pattern
    // rows hold bytes i % 251 for i = 0..n-1; 31, 32 and 33 bytes straddle one stripe.
    const auto pattern = [](std::size_t size) {
        const std::string bytes = patternOf(size);
        return QByteArray(bytes.data(), static_cast<qsizetype>(bytes.size()));
    };
    QTest::newRow("empty") << QByteArray() << quint64{0} << quint64{0xef46db3751d8e999ULL};
    QTest::newRow("a") << QByteArray("a") << quint64{0} << quint64{0xd24ec4f1a98c6e5bULL};
    QTest::newRow("abc") << QByteArray("abc") << quint64{0} << quint64{0x44bc2cf5ad770999ULL};
    QTest::newRow("abc, seed 12345")
        << QByteArray("abc") << quint64{12345} << quint64{0x01700e64f6f23509ULL};
    QTest::newRow("123456789") << QByteArray("123456789") << quint64{0}
                               << quint64{0x8cb841db40e6ae83ULL};
    QTest::newRow("31 bytes") << pattern(31) << quint64{0} << quint64{0xc346d2b59b4d8ee1ULL};
    QTest::newRow("32 bytes") << pattern(32) << quint64{0} << quint64{0xcbf59c5116ff32b4ULL};
    QTest::newRow("33 bytes") << pattern(33) << quint64{0} << quint64{0x0c535d1acafb8eadULL};
    QTest::newRow("100 bytes, seed 12345")
        << pattern(100) << quint64{12345} << quint64{0x028ba1ae2de4de27ULL};
    QTest::newRow("1000 bytes") << pattern(1000) << quint64{0} << quint64{0xf306f04aa88b54d3ULL};
}

void TestAgentMarket::xxh64MatchesReferenceLibrary()
{
    QFETCH(QByteArray, input);
    QFETCH(quint64, seed);
    QFETCH(quint64, expected);

    QCOMPARE(xxh64Of(input.toStdString(), seed), std::uint64_t{expected});
}

void TestAgentMarket::xxh64InPiecesMatchesWhole()
{
    const std::string bytes = patternOf(1'000);
    for (std::size_t piece : {1U, 7U, 31U, 32U, 33U, 250U}) {
        Xxh64 hash;
        for (std::size_t offset = 0; offset < bytes.size(); offset += piece) {
            const std::size_t size = std::min(piece, bytes.size() - offset);
            hash.update(
                std::span(reinterpret_cast<const std::uint8_t *>(bytes.data()) + offset, size));
        }
        QVERIFY2(hash.digest() == 0xf306f04aa88b54d3ULL,
                 qPrintable(QStringLiteral("pieces of %1 bytes").arg(piece)));
    }
}

// Compares the fixed-point exponential with the standard library's natural logarithm over a
// million draws, and checks that its mean is 1.
void TestAgentMarket::exponentialMatchesNaturalLogarithm()
{
    AgentRandom random(5);
    double worstError = 0;
    double sum = 0;
    constexpr int kDraws = 1'000'000;
    for (int i = 0; i < kDraws; ++i) {
        const std::uint64_t draw = random.next() | 1;
        const double value = static_cast<double>(AgentRandom::exponentialOf(draw)) / 0x1p32;
        const double exact = -std::log(static_cast<double>(draw) / 0x1p64);
        worstError = std::max(worstError, std::abs(value - exact));
        sum += value;
    }
    QVERIFY2(worstError < 2e-6, qPrintable(QString::number(worstError)));
    // The mean of a million draws has a standard deviation of 0.001.
    QVERIFY2(std::abs(sum / kDraws - 1.0) < 0.005, qPrintable(QString::number(sum / kDraws)));
    QCOMPARE(AgentRandom::exponentialOf(std::uint64_t{1} << 63), std::uint64_t{2977044472});
}

void TestAgentMarket::belowDrawsEveryValueEvenly()
{
    AgentRandom random(9);
    std::array<int, 7> counts{};
    constexpr int kDraws = 700'000;
    for (int i = 0; i < kDraws; ++i)
        ++counts[random.below(7)];
    // Each count is binomial with mean 100,000 and standard deviation about 293.
    for (int count : counts)
        QVERIFY2(std::abs(count - 100'000) < 1'500, qPrintable(QString::number(count)));
    QCOMPARE(random.below(0), std::uint64_t{0});
    QCOMPARE(random.below(1), std::uint64_t{0});
}

// With open accounts the stream has fills and account openings too.
void TestAgentMarket::streamRecordsMatchEventCodec()
{
    Engine engine;
    CodecComparer comparer;
    engine.addHandler(&comparer);
    AgentMarket::Options options;
    options.openAccounts = true;
    AgentMarket market(engine, 3, options);
    market.runUntil(200'000);

    QCOMPARE(comparer.mismatches, std::uint64_t{0});
    QVERIFY(comparer.events >= 200'000);
    for (EventType type :
         {EventType::InstrumentAdded, EventType::AccountOpened, EventType::OrderAccepted,
          EventType::OrderAdded, EventType::Trade, EventType::FillPosted, EventType::OrderCancelled,
          EventType::OrderReplaced})
        QVERIFY2(comparer.types.count(type) == 1, nameOf(type).data());
}

// Payloads of every kind, filled with arbitrary bytes, encode as the codec encodes them.
void TestAgentMarket::everyPayloadKindMatchesEventCodec()
{
    AgentRandom random(21);
    for (std::size_t kind = 0; kind < std::variant_size_v<EventPayload>; ++kind) {
        for (int sample = 0; sample < 20; ++sample) {
            Event event;
            event.sequence = random.next();
            event.time = Timestamp{static_cast<std::int64_t>(random.next())};
            event.instrument = InstrumentId{static_cast<std::uint32_t>(random.next())};
            event.payload = [&] {
                EventPayload payload;
                [&]<std::size_t... Kinds>(std::index_sequence<Kinds...>)
                {
                    ((kind == Kinds ? void(payload.emplace<Kinds>()) : void()), ...);
                }
                (std::make_index_sequence<std::variant_size_v<EventPayload>>{});
                return payload;
            }();
            std::visit(
                [&](auto &payload) {
                    static_assert(std::is_trivially_copyable_v<std::decay_t<decltype(payload)>>);
                    auto *bytes = reinterpret_cast<unsigned char *>(&payload);
                    for (std::size_t i = 0; i < sizeof payload; ++i)
                        bytes[i] = static_cast<unsigned char>(random.next());
                },
                event.payload);

            CodecComparer comparer;
            comparer.onEvent(event);
            const EventType type = typeOf(event.payload);
            QVERIFY2(comparer.mismatches == 0, nameOf(type).data());
            std::array<std::uint8_t, kMaximumEventRecordSize> record{};
            QCOMPARE(writeEventRecord(event, record.data()),
                     20 + encodedPayloadSize(type));
            QCOMPARE(eventRecordSize(event), 20 + encodedPayloadSize(type));
        }
    }
}

void TestAgentMarket::sameSeedGivesSameStream()
{
    const std::uint64_t first = streamHash(42, 300'000);
    const std::uint64_t second = streamHash(42, 300'000);

    QCOMPARE(second, first);
}

void TestAgentMarket::otherSeedGivesOtherStream()
{
    QVERIFY(streamHash(42, 300'000) != streamHash(43, 300'000));
}

// Injections before the same steps give the same stream; one step later gives another.
void TestAgentMarket::sameInjectionsGiveSameStream()
{
    const auto run = [](std::uint64_t firstInjectionStep) {
        Engine engine;
        EventStreamHash hash;
        engine.addHandler(&hash);
        AgentMarket market(engine, 5);
        while (market.stepCount() < firstInjectionStep)
            market.step();
        market.injectNews(1, 10);
        market.runUntil(200'000);
        market.injectNews(3, -7);
        market.setPaused(true);
        market.runUntil(250'000);
        market.setPaused(false);
        market.runUntil(300'000);
        return hash.value();
    };

    QCOMPARE(run(60'000), run(60'000));
    QVERIFY(run(60'001) != run(60'000));
}

void TestAgentMarket::pausedMarketDoesNothing()
{
    Engine engine;
    AgentMarket market(engine, 8);
    market.runUntil(10'000);
    const SequenceNumber sequence = engine.lastSequence();
    const Timestamp time = market.time();
    const std::uint64_t steps = market.stepCount();

    market.setPaused(true);
    QVERIFY(market.isPaused());
    QVERIFY(!market.step());
    QCOMPARE(market.runUntil(20'000), std::uint64_t{0});
    QCOMPARE(engine.lastSequence(), sequence);
    QCOMPARE(market.time(), time);
    QCOMPARE(market.stepCount(), steps);

    market.setPaused(false);
    QVERIFY(market.step());
    QVERIFY(market.time() > time);
}

void TestAgentMarket::bookNeverCrossedAtRest()
{
    QCOMPARE(m_run.crossedSamples, std::uint64_t{0});
    for (const InstrumentFigures &figures : m_run.instruments) {
        // Both sides are quoted at almost every arrival.
        QVERIFY(figures.quotedSamples * 1'000 >= figures.samples * 990);
    }
}

void TestAgentMarket::everyInstrumentTrades()
{
    for (const AgentInstrument &instrument : m_options.instruments) {
        const std::uint64_t trades = m_run.trades[instrument.id.value()];
        QVERIFY2(trades >= 5'000, qPrintable(QString::fromStdString(instrument.symbol) + ": " +
                                             QString::number(trades) + " trades"));
    }
}

// Trades come in bursts: busy seconds are followed by busy seconds, far beyond what arrivals
// at a constant rate would give (dispersion 1, autocorrelation 0). Seed 1 gives about 27 and 0.5.
void TestAgentMarket::tradesClusterInTime()
{
    QVERIFY2(m_run.tradeDispersion > 5.0, qPrintable(QString::number(m_run.tradeDispersion)));
    QVERIFY2(m_run.tradeAutocorrelation > 0.2,
             qPrintable(QString::number(m_run.tradeAutocorrelation)));
}

// In calm times the spread stays within the widest quote of the outermost maker, widened to
// the maximum, and is on average at most two ticks wider than the innermost maker's calm quotes.
void TestAgentMarket::calmSpreadsStayWithinBounds()
{
    for (std::size_t index = 0; index < m_run.instruments.size(); ++index) {
        const AgentInstrument &instrument = m_options.instruments[index];
        const InstrumentFigures &figures = m_run.instruments[index];
        const QString symbol = QString::fromStdString(instrument.symbol);
        QVERIFY2(figures.calmSamples >= 5'000, qPrintable(symbol));

        const std::int64_t widest = 2 * (instrument.makerHalfSpreadTicks + instrument.makerCount -
                                         1 + m_options.makerMaximumWideningTicks) +
                                    1;
        QVERIFY2(figures.calmMaximum <= widest,
                 qPrintable(symbol + ": " + QString::number(figures.calmMaximum)));
        const double mean =
            static_cast<double>(figures.calmSum) / static_cast<double>(figures.calmSamples);
        QVERIFY2(mean <= 2.0 * static_cast<double>(instrument.makerHalfSpreadTicks) + 3.0,
                 qPrintable(symbol + ": " + QString::number(mean)));
    }
}

void TestAgentMarket::spreadWidensAfterNews()
{
    for (std::size_t index = 0; index < m_run.instruments.size(); ++index) {
        const InstrumentFigures &figures = m_run.instruments[index];
        const QString symbol = QString::fromStdString(m_options.instruments[index].symbol);
        QVERIFY2(figures.newsSamples >= 1'000, qPrintable(symbol));
        const double calm =
            static_cast<double>(figures.calmSum) / static_cast<double>(figures.calmSamples);
        const double afterNews =
            static_cast<double>(figures.newsSum) / static_cast<double>(figures.newsSamples);
        QVERIFY2(afterNews > 1.5 * calm,
                 qPrintable(symbol + ": " + QString::number(afterNews) + " after news, " +
                            QString::number(calm) + " calm"));
    }
}

// The makers never hold more than their limit, and leaning keeps them well inside it.
void TestAgentMarket::makerInventoryStaysWithinLimit()
{
    QVERIFY2(m_run.worstInventoryPerMille <= 1'000,
             qPrintable(QString::number(m_run.worstInventoryPerMille)));
    QVERIFY2(m_run.meanInventoryPerMille < 300,
             qPrintable(QString::number(m_run.meanInventoryPerMille)));
}

void TestAgentMarket::momentumTradersFollowJumps()
{
    QVERIFY(m_run.news >= 100);
    const JumpResponse &response = m_run.momentum;
    QVERIFY2(
        response.with >= 4 * response.against + 50,
        qPrintable(QStringLiteral("%1 with, %2 against").arg(response.with).arg(response.against)));
    QVERIFY(response.lotsWith > 0);
}

void TestAgentMarket::informedTradersFollowJumps()
{
    const JumpResponse &response = m_run.informed;
    QVERIFY2(
        response.with >= 4 * response.against + 50,
        qPrintable(QStringLiteral("%1 with, %2 against").arg(response.with).arg(response.against)));
    QVERIFY(response.lotsWith > 0);
}

void TestAgentMarket::injectedNewsMovesFairValueAndMid_data()
{
    QTest::addColumn<int>("instrument");
    QTest::addColumn<int>("ticks");

    QTest::newRow("large-cap share up 30 ticks") << 0 << 30;
    QTest::newRow("large-cap share down 30 ticks") << 0 << -30;
    QTest::newRow("mid-cap share up 12 ticks") << 1 << 12;
    QTest::newRow("index future down 16 ticks") << 2 << -16;
    QTest::newRow("currency pair up 100 ticks") << 3 << 100;
    QTest::newRow("thin crypto asset down 40 ticks") << 4 << -40;
}

// The fair value moves by the requested ticks at once, the makers' estimate follows after
// their reaction time, and the mid price comes within two ticks of the fair price within
// 50,000 events. The thin crypto asset, with the fewest arrivals, is the slowest to follow.
void TestAgentMarket::injectedNewsMovesFairValueAndMid()
{
    QFETCH(int, instrument);
    QFETCH(int, ticks);
    const auto index = static_cast<std::size_t>(instrument);

    Engine engine;
    AgentMarket market(engine, 11);
    market.runUntil(200'000);
    const std::int64_t before = market.fairValueTicks(index);
    const std::uint64_t arrivals = market.statistics(index).arrivals;
    market.injectNews(index, ticks);

    QCOMPARE(market.fairValueTicks(index), before + ticks);
    QCOMPARE(market.makerEstimateTicks(index), before);
    QCOMPARE(market.lastNews().instrument, index);
    QCOMPARE(market.lastNews().ticks, std::int64_t{ticks});
    QVERIFY(market.lastNews().injected);

    const AgentInstrument &definition = market.options().instruments[index];
    const SequenceNumber start = engine.lastSequence();
    bool near = false;
    bool seen = false;
    while (!near && engine.lastSequence() - start < 50'000) {
        market.step();
        const std::uint64_t after = market.statistics(index).arrivals - arrivals;
        if (after >= market.options().makerReactionArrivals && !seen) {
            seen = true;
            QCOMPARE(market.makerEstimateTicks(index), market.fairValueTicks(index));
        }
        const OrderBook *book = engine.book(definition.id);
        const std::optional<Price> bid = book->bestPrice(Side::Buy);
        const std::optional<Price> ask = book->bestPrice(Side::Sell);
        if (!bid || !ask)
            continue;
        // In half ticks: the mid is bid + ask, the fair price 2 * fair value + 1.
        const std::int64_t mid = (bid->value() + ask->value()) / definition.tickSize.value();
        near = std::abs(mid - (2 * market.fairValueTicks(index) + 1)) <= 4;
    }
    QVERIFY2(near, qPrintable(QStringLiteral("no mid near the fair price %1 events after the news")
                                  .arg(engine.lastSequence() - start)));
}

// With open accounts, the positions the market learns from Trade events are the engine's
// portfolio positions.
void TestAgentMarket::openAccountsMatchPortfolioPositions()
{
    Engine engine;
    AgentMarket::Options options;
    options.openAccounts = true;
    AgentMarket market(engine, 13, options);
    market.runUntil(300'000);

    for (const AgentState &agent : market.agents()) {
        const InstrumentId instrument = options.instruments[agent.instrument].id;
        const Position *position = engine.portfolio().position(agent.account, instrument);
        const Quantity portfolioPosition = position ? position->quantity : Quantity{};
        QCOMPARE(portfolioPosition.value(), agent.position.value());
        QVERIFY(agent.bought > Quantity{0});
    }
    QCOMPARE(engine.unpostedFillCount(), std::uint64_t{0});
}

// After a warm-up, a million more events allocate almost nothing: the engine's order pools and
// indexes, the market's lists and the hash's buffer are all reused. A book still allocates when
// prices drift out of its window of price levels and it moves the window.
void TestAgentMarket::steadyStateAllocatesNothing()
{
    Engine engine;
    EventStreamHash hash;
    engine.addHandler(&hash);
    AgentMarket market(engine, 17);
    market.runUntil(3'000'000);

    const std::uint64_t steps = market.stepCount();
    allocations = 0;
    countAllocations = true;
    market.runUntil(4'000'000);
    countAllocations = false;

    const std::uint64_t counted = market.stepCount() - steps;
    QVERIFY2(
        allocations * 100'000 < counted,
        qPrintable(
            QStringLiteral("%1 allocations in %2 steps").arg(allocations.load()).arg(counted)));
}

void TestAgentMarket::commandPrintsLibraryHash()
{
    QProcess process;
    process.start(QStringLiteral(BOURSE_ENGINE_EXECUTABLE),
                  {QStringLiteral("sim"), QStringLiteral("--seed"), QStringLiteral("7"),
                   QStringLiteral("--events"), QStringLiteral("100000"), QStringLiteral("--json")});
    QVERIFY(process.waitForFinished(60'000));
    QCOMPARE(process.exitCode(), 0);

    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(process.readAllStandardOutput(), &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    const QJsonObject figures = document.object();
    char expected[17];
    std::snprintf(expected, sizeof expected, "%016llx",
                  static_cast<unsigned long long>(streamHash(7, 100'000)));
    QCOMPARE(figures.value("hash").toString(), QString::fromLatin1(expected));
    QCOMPARE(figures.value("events").toInteger(), 100'000);
    QVERIFY(figures.value("events_per_second").toDouble() > 0);
    QVERIFY(figures.value("seconds").toDouble() > 0);
    QVERIFY(figures.value("trades").toInteger() > 0);

    const QJsonArray instruments = figures.value("instruments").toArray();
    QCOMPARE(instruments.size(), qsizetype{5});
    QCOMPARE(instruments.at(0).toObject().value("symbol").toString(), QStringLiteral("BLUE"));
    for (const QJsonValue &instrument : instruments) {
        QVERIFY(instrument.toObject().value("trades").toInteger() > 0);
        QVERIFY(instrument.toObject().value("mean_spread_ticks").toDouble() >= 1.0);
    }
}

void TestAgentMarket::commandRejectsJournalWithEvents()
{
    QProcess process;
    process.start(QStringLiteral(BOURSE_ENGINE_EXECUTABLE),
                  {QStringLiteral("sim"), QStringLiteral("--events"), QStringLiteral("10"),
                   QStringLiteral("--journal"), QStringLiteral("unused.journal")});
    QVERIFY(process.waitForFinished(60'000));
    QCOMPARE(process.exitCode(), 2);
    QVERIFY(process.readAllStandardError().contains("--journal does not apply to --events"));
    QVERIFY(!QFile::exists(QStringLiteral("unused.journal")));
}

QTEST_GUILESS_MAIN(TestAgentMarket)
#include "tst_agent_market.moc"

// The training scenarios shipped in resources/scenarios: each has the character its comment
// promises, runs the same way twice, and malformed lines fail at FILE:LINE:COLUMN.
//
// The thresholds come from the scenarios' own parameters, worked out by hand:
//
// - Trade reach. Every shipped instrument has three makers (extra half spreads of 0, 1 and 2
//   ticks) around a zero half spread, and the makers widen by at most makerMaximumWideningTicks
//   (12). Noise traders' limit orders go at most noiseThroughTicks (2) past the best price, and
//   the ask sits a tick above the bid. So a trade lies within kTradeReach = 2 + 12 + 2 + 1 = 17
//   ticks of the fair value. NOTE: a market order larger than the quotes in front of it could
//   trade further out; the shipped noise orders (20 lots at most) are smaller than the first
//   maker's quote (50 lots), so such a sweep needs that quote mostly taken first.
// - Walk. The fair value moves a tick at a time, and each tick away from its level lowers the
//   chance of moving further by `reversion` millionths. Per move the deviation d then follows
//   d' = d (1 - 2r) + noise of variance 1 (r = reversion / 10^6), whose stationary variance is
//   1 / (1 - (1 - 2r)^2), about 1 / (4r). The walk forgets its past within about 1 / (2r) moves,
//   and a normal deviation passes 5 standard deviations with a chance of 6e-7, so 5 of them
//   bound the deviation over a session with a wide margin: sqrt(1 / 0.02) * 5 = 35 ticks at
//   reversion 5000, and sqrt(1 / 0.04) * 5 = 25 ticks at reversion 10000.

#include "agent_market.h"
#include "agent_stream_hash.h"
#include "engine.h"
#include "scenario_training.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

using namespace bourse;

namespace {

constexpr std::int64_t kTradeReach = 17;
constexpr std::int64_t kWalkAt5000 = 35;
constexpr std::int64_t kWalkAt10000 = 25;
constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kMinute = 60 * kSecond;
// 2024-01-02 14:30:00 UTC, where every shipped scenario starts.
constexpr std::int64_t kStart = 1'704'205'800 * kSecond;

std::string scenarioPath(const char *name)
{
    return std::string(BOURSE_SOURCE_DIR "/resources/scenarios/") + name;
}

struct TradeRecord {
    SequenceNumber sequence = 0;
    Timestamp time;
    InstrumentId instrument;
    std::int64_t price = 0; // in price units, hundredths for the shipped instruments
};

struct StatusRecord {
    SequenceNumber sequence = 0;
    InstrumentId instrument;
    TradingStatus status = TradingStatus::Trading;
};

// Records every trade and status change of a run.
class Recorder : public EventHandler {
public:
    void onEvent(const Event &event) override
    {
        if (const Trade *trade = std::get_if<Trade>(&event.payload))
            trades.push_back({event.sequence, event.time, event.instrument, trade->price.value()});
        else if (const auto *changed = std::get_if<TradingStatusChanged>(&event.payload))
            statuses.push_back({event.sequence, event.instrument, changed->status});
    }

    // The last trade of `instrument` before `time`, or nullptr.
    const TradeRecord *lastBefore(InstrumentId instrument, std::int64_t time) const
    {
        const TradeRecord *found = nullptr;
        for (const TradeRecord &trade : trades) {
            if (trade.time.value() >= time)
                break;
            if (trade.instrument == instrument)
                found = &trade;
        }
        return found;
    }

    std::vector<const TradeRecord *> between(InstrumentId instrument, std::int64_t from,
                                             std::int64_t to) const
    {
        std::vector<const TradeRecord *> found;
        for (const TradeRecord &trade : trades) {
            if (trade.instrument == instrument && trade.time.value() >= from &&
                trade.time.value() < to)
                found.push_back(&trade);
        }
        return found;
    }

    std::vector<TradeRecord> trades;
    std::vector<StatusRecord> statuses;
};

// A shipped scenario run to its end on a fresh engine, with everything it published recorded.
struct ScenarioRun {
    explicit ScenarioRun(const char *name)
    {
        training::TrainingParseResult parsed = training::loadTrainingScenario(scenarioPath(name));
        for (const scenario::ParseError &error : parsed.errors)
            qWarning("%s", error.toString().c_str());
        ok = parsed.ok();
        scenario = parsed.scenario;
        engine.addHandler(&recorder);
        engine.addHandler(&hash);
        market = std::make_unique<AgentMarket>(engine, scenario.seed, scenario.options);
        training::runScenario(*market, engine, scenario, UINT64_MAX);
    }

    const FiredMarketEvent *fired(MarketEventKind kind) const
    {
        for (const FiredMarketEvent &event : market->firedEvents()) {
            if (event.event.kind == kind)
                return &event;
        }
        return nullptr;
    }

    bool ok = false;
    training::TrainingScenario scenario;
    Engine engine;
    Recorder recorder;
    EventStreamHash hash;
    std::unique_ptr<AgentMarket> market;
};

std::uint64_t hashOf(const training::TrainingScenario &scenario, std::uint64_t seed)
{
    Engine engine;
    EventStreamHash hash;
    engine.addHandler(&hash);
    AgentMarket market(engine, seed, scenario.options);
    training::runScenario(market, engine, scenario, UINT64_MAX);
    return hash.value();
}

constexpr InstrumentId kAcme{1};
constexpr InstrumentId kBeta{2};

} // namespace

class TstTrainingScenarios : public QObject {
    Q_OBJECT

private slots:
    void shippedScenarios_parse_data();
    void shippedScenarios_parse();
    void docsExample_parses();
    void calmDay_staysInNarrowRange();
    void calmDay_lullHasFewerTrades();
    void trendingDay_movesUpByTheTrend();
    void flashCrash_fallsAndRecovers();
    void liquidityDrought_widensSpread();
    void newsSpike_jumpsAndBursts();
    void haltReopening_noTradesThenAuction();
    void sameSeed_sameHash();
    void otherSeed_otherHash();
    void injections_sameStepsSameHash();
    void overlappingDroughts_endOnlyTheirOwn_data();
    void overlappingDroughts_endOnlyTheirOwn();
    void injectedDroughtOff_endsEveryDrought();
    void missingFile_errorNamesPath();
    void simCommand_printsHashAndEvents();
    void simCommand_malformedFileFails();
    void malformedLine_errorAtLineAndColumn_data();
    void malformedLine_errorAtLineAndColumn();
    void oneBadLine_oneError_data();
    void oneBadLine_oneError();
    void afterMidnight_timesParse();
    void invalidActivityLine_reopenStillChecked();
};

void TstTrainingScenarios::shippedScenarios_parse_data()
{
    QTest::addColumn<QString>("name");
    const QDir folder(QStringLiteral(BOURSE_SOURCE_DIR "/resources/scenarios"));
    const QStringList names = folder.entryList({QStringLiteral("*.scenario")}, QDir::Files);
    QCOMPARE(names.size(), 6);
    for (const QString &name : names)
        QTest::newRow(qPrintable(name)) << name;
}

void TstTrainingScenarios::shippedScenarios_parse()
{
    QFETCH(QString, name);
    const training::TrainingParseResult parsed =
        training::loadTrainingScenario(scenarioPath(qPrintable(name)));
    for (const scenario::ParseError &error : parsed.errors)
        qWarning("%s", error.toString().c_str());
    QVERIFY(parsed.ok());
    QCOMPARE(parsed.scenario.lengthNanoseconds, 20 * kMinute);
    QVERIFY(!parsed.scenario.options.schedule.empty());
}

// The example of docs/training.md, the text block that starts with a market line, parses.
void TstTrainingScenarios::docsExample_parses()
{
    QFile page(QStringLiteral(BOURSE_SOURCE_DIR "/docs/training.md"));
    QVERIFY(page.open(QIODevice::ReadOnly | QIODevice::Text));
    const QString text = QString::fromUtf8(page.readAll());
    const qsizetype start = text.indexOf(QStringLiteral("```text\nmarket seed"));
    QVERIFY(start >= 0);
    const qsizetype body = start + QStringLiteral("```text\n").size();
    const qsizetype end = text.indexOf(QStringLiteral("```"), body);
    QVERIFY(end > body);

    const training::TrainingParseResult parsed = training::parseTrainingScenario(
        text.mid(body, end - body).toStdString(), "docs/training.md example");
    for (const scenario::ParseError &error : parsed.errors)
        qWarning("%s", error.toString().c_str());
    QVERIFY(parsed.ok());
    QCOMPARE(parsed.scenario.options.schedule.size(), std::size_t{4});
}

// Without news, the fair value stays within the walk's bound of 50.00, and trades within their
// reach of it: 50.00 +- (35 + 17) ticks.
void TstTrainingScenarios::calmDay_staysInNarrowRange()
{
    const ScenarioRun run("calm_day.scenario");
    QVERIFY(run.ok);
    const AgentInstrumentStatistics &figures = run.market->statistics(0);
    QVERIFY(figures.trades > 10'000);
    QCOMPARE(figures.news, std::uint64_t{0});
    QVERIFY2(figures.highPrice.value() <= 5'000 + kWalkAt5000 + kTradeReach,
             qPrintable(QString::number(figures.highPrice.value())));
    QVERIFY2(figures.lowPrice.value() >= 5'000 - kWalkAt5000 - kTradeReach,
             qPrintable(QString::number(figures.lowPrice.value())));
}

// Activity at 50% halves the calm arrivals from 14:40 to 14:45. Trades add excitation in
// proportion, so trades about halve too; 75% of the five minutes before leaves room for the
// spread of counts in the thousands.
void TstTrainingScenarios::calmDay_lullHasFewerTrades()
{
    const ScenarioRun run("calm_day.scenario");
    QVERIFY(run.ok);
    const auto before = run.recorder.between(kAcme, kStart + 5 * kMinute, kStart + 10 * kMinute);
    const auto lull = run.recorder.between(kAcme, kStart + 10 * kMinute, kStart + 15 * kMinute);
    QVERIFY(before.size() > 1'000);
    QVERIFY2(lull.size() * 4 < before.size() * 3,
             qPrintable(QStringLiteral("%1 trades in the lull, %2 before")
                            .arg(lull.size())
                            .arg(before.size())));
}

// The trend adds 400 ticks to the fair value and its level between 14:32 and 14:47. The last
// trade then lies within the walk and the reach of 54.00: at least 54.00 - 0.35 - 0.17. Halfway,
// at 14:39:30, it lies within as much of 52.00.
void TstTrainingScenarios::trendingDay_movesUpByTheTrend()
{
    const ScenarioRun run("trending_day.scenario");
    QVERIFY(run.ok);
    QVERIFY(run.fired(MarketEventKind::Trend) != nullptr);
    const AgentInstrumentStatistics &figures = run.market->statistics(0);
    QVERIFY2(figures.lastPrice.value() >= 5'400 - kWalkAt5000 - kTradeReach,
             qPrintable(QString::number(figures.lastPrice.value())));

    const TradeRecord *halfway =
        run.recorder.lastBefore(kAcme, kStart + 9 * kMinute + 30 * kSecond);
    QVERIFY(halfway != nullptr);
    QVERIFY(halfway->price >= 5'200 - kWalkAt5000 - kTradeReach);
    QVERIFY(halfway->price <= 5'200 + kWalkAt5000 + kTradeReach);
}

// The crash at 14:38 takes 300 ticks off the fair value and its level, and the recovery adds
// them back in even steps over 3 minutes: 17 ticks in the first 10 seconds. The last trade
// before the crash, P0, lies within the reach of the fair value then, and the walk moves the
// deviation by at most twice its bound (50 ticks). So within 10 seconds some trade is at most
// P0 + 17 - 300 + 17 + 50 + 17 = P0 - 199 ticks. By 14:41:30, 30 seconds after the recovery
// ended, the last trade is at least P0 - 17 - 50 - 17 = P0 - 84 ticks.
void TstTrainingScenarios::flashCrash_fallsAndRecovers()
{
    constexpr std::int64_t kRecoveryIn10Seconds = 17; // 300 ticks * 10 s / 180 s, rounded up
    const ScenarioRun run("flash_crash.scenario");
    QVERIFY(run.ok);
    const FiredMarketEvent *crash = run.fired(MarketEventKind::Crash);
    QVERIFY(crash != nullptr);
    const std::int64_t at = crash->time.value();
    const TradeRecord *before = run.recorder.lastBefore(kAcme, at);
    QVERIFY(before != nullptr);

    const auto fall = run.recorder.between(kAcme, at, at + 10 * kSecond);
    QVERIFY(!fall.empty());
    const auto lowest = std::min_element(fall.begin(), fall.end(),
                                         [](auto a, auto b) { return a->price < b->price; });
    const std::int64_t drop = before->price - (*lowest)->price;
    QVERIFY2(drop >= 300 - 2 * kTradeReach - kRecoveryIn10Seconds - 2 * kWalkAt10000,
             qPrintable(QStringLiteral("fell %1 ticks").arg(drop)));

    const TradeRecord *recovered = run.recorder.lastBefore(kAcme, at + 3 * kMinute + 30 * kSecond);
    QVERIFY(recovered != nullptr);
    QVERIFY2(recovered->price >= before->price - 2 * kTradeReach - 2 * kWalkAt10000,
             qPrintable(QStringLiteral("%1 after the recovery, %2 before the crash")
                            .arg(recovered->price)
                            .arg(before->price)));
}

// The drought's mean spread, sampled at each arrival from 14:36 to 14:39, exceeds the mean
// spread before it, because the makers quote 8 ticks wider on each side.
void TstTrainingScenarios::liquidityDrought_widensSpread()
{
    const ScenarioRun run("liquidity_drought.scenario");
    QVERIFY(run.ok);
    const FiredMarketEvent *start = run.fired(MarketEventKind::Drought);
    const FiredMarketEvent *end = run.fired(MarketEventKind::DroughtEnd);
    QVERIFY(start != nullptr);
    QVERIFY(end != nullptr);
    QCOMPARE(end->time.value() - start->time.value() >= 3 * kMinute, true);

    const AgentInstrumentStatistics &atStart = start->statistics;
    const AgentInstrumentStatistics &atEnd = end->statistics;
    QVERIFY(atStart.spreadSamples > 0);
    QVERIFY(atEnd.spreadSamples > atStart.spreadSamples);
    const double before =
        static_cast<double>(atStart.spreadSum) / static_cast<double>(atStart.spreadSamples);
    const double during = static_cast<double>(atEnd.spreadSum - atStart.spreadSum) /
                          static_cast<double>(atEnd.spreadSamples - atStart.spreadSamples);
    QVERIFY2(during > before,
             qPrintable(QStringLiteral("spread %1 during, %2 before").arg(during).arg(before)));
    QVERIFY(!run.market->isInDrought(0));
}

// The news at 14:35 moves the fair value and its level up 150 ticks. Ten seconds later the last
// trade lies at least P0 - 17 + 150 - 70 - 17 = P0 + 46 ticks. News adds an excitation of 4
// times the calm rate that decays with a 1 s time constant: about 800 extra arrivals against
// 2000 calm ones in 10 seconds, so more trades follow the news than precede it, by 20% at least.
void TstTrainingScenarios::newsSpike_jumpsAndBursts()
{
    const ScenarioRun run("news_spike.scenario");
    QVERIFY(run.ok);
    const FiredMarketEvent *news = run.fired(MarketEventKind::News);
    QVERIFY(news != nullptr);
    QCOMPARE(news->event.ticks, std::int64_t{150});
    const std::int64_t at = news->time.value();
    const TradeRecord *before = run.recorder.lastBefore(kAcme, at);
    const TradeRecord *after = run.recorder.lastBefore(kAcme, at + 10 * kSecond);
    QVERIFY(before != nullptr);
    QVERIFY(after != nullptr);
    QVERIFY2(
        after->price - before->price >= 150 - 2 * kTradeReach - 2 * kWalkAt5000,
        qPrintable(QStringLiteral("%1 after, %2 before").arg(after->price).arg(before->price)));

    const auto calm = run.recorder.between(kAcme, at - 10 * kSecond, at);
    const auto burst = run.recorder.between(kAcme, at, at + 10 * kSecond);
    QVERIFY2(burst.size() * 5 > calm.size() * 6,
             qPrintable(
                 QStringLiteral("%1 trades after, %2 before").arg(burst.size()).arg(calm.size())));
}

// ACME trades nothing from its halt to its reopening, BETA trades on, and the reopening
// uncrosses ACME's book: trades at one price before the status turns to trading. The news in
// the halt lifts the fair value and its level by 120 ticks, so a minute after the reopening the
// last trade is at least P0 - 17 + 120 - 70 - 17 = P0 + 16 ticks.
void TstTrainingScenarios::haltReopening_noTradesThenAuction()
{
    const ScenarioRun run("halt_reopening.scenario");
    QVERIFY(run.ok);
    const FiredMarketEvent *halt = run.fired(MarketEventKind::Halt);
    const FiredMarketEvent *reopen = run.fired(MarketEventKind::Reopen);
    QVERIFY(halt != nullptr);
    QVERIFY(reopen != nullptr);

    SequenceNumber reopened = 0;
    for (const StatusRecord &status : run.recorder.statuses) {
        if (status.instrument == kAcme && status.status == TradingStatus::Trading)
            reopened = status.sequence;
    }
    QVERIFY(reopened > reopen->sequence);

    std::vector<std::int64_t> auctionPrices;
    std::size_t betaTrades = 0;
    for (const TradeRecord &trade : run.recorder.trades) {
        const bool halted = trade.sequence > halt->sequence && trade.sequence <= reopen->sequence;
        if (trade.instrument == kBeta) {
            betaTrades += halted ? 1 : 0;
            continue;
        }
        QVERIFY2(!halted, qPrintable(QStringLiteral("trade at sequence %1").arg(trade.sequence)));
        if (trade.sequence > reopen->sequence && trade.sequence < reopened)
            auctionPrices.push_back(trade.price);
    }
    QVERIFY(betaTrades > 0);
    QVERIFY(!auctionPrices.empty());
    QCOMPARE(*std::min_element(auctionPrices.begin(), auctionPrices.end()),
             *std::max_element(auctionPrices.begin(), auctionPrices.end()));

    const TradeRecord *before = run.recorder.lastBefore(kAcme, halt->time.value());
    const TradeRecord *after = run.recorder.lastBefore(kAcme, reopen->time.value() + kMinute);
    QVERIFY(before != nullptr);
    QVERIFY(after != nullptr);
    QVERIFY(after->price - before->price >= 120 - 2 * kTradeReach - 2 * kWalkAt5000);
}

void TstTrainingScenarios::sameSeed_sameHash()
{
    const training::TrainingParseResult parsed =
        training::loadTrainingScenario(scenarioPath("flash_crash.scenario"));
    QVERIFY(parsed.ok());
    const std::uint64_t seed = parsed.scenario.seed;
    QCOMPARE(hashOf(parsed.scenario, seed), hashOf(parsed.scenario, seed));
}

void TstTrainingScenarios::otherSeed_otherHash()
{
    const training::TrainingParseResult parsed =
        training::loadTrainingScenario(scenarioPath("flash_crash.scenario"));
    QVERIFY(parsed.ok());
    const std::uint64_t seed = parsed.scenario.seed;
    QVERIFY(hashOf(parsed.scenario, seed) != hashOf(parsed.scenario, seed + 1));
}

// An instructor's injections between steps draw nothing from the random stream, so the same
// injections before the same steps give the same events. A halted instrument trades nothing
// until it reopens.
void TstTrainingScenarios::injections_sameStepsSameHash()
{
    const training::TrainingParseResult parsed =
        training::loadTrainingScenario(scenarioPath("calm_day.scenario"));
    QVERIFY(parsed.ok());
    std::uint64_t hashes[2] = {};
    for (std::uint64_t &value : hashes) {
        Engine engine;
        EventStreamHash hash;
        Recorder recorder;
        engine.addHandler(&hash);
        engine.addHandler(&recorder);
        AgentMarket market(engine, 5, parsed.scenario.options);
        for (int step = 0; step < 20'000; ++step)
            market.step();
        market.inject({.kind = MarketEventKind::News, .instrument = 0, .ticks = -40});
        market.inject({.kind = MarketEventKind::Drought, .instrument = 0, .widenTicks = 5});
        for (int step = 0; step < 5'000; ++step)
            market.step();
        market.inject({.kind = MarketEventKind::Halt, .instrument = 0});
        const std::size_t tradesAtHalt = recorder.trades.size();
        for (int step = 0; step < 5'000; ++step)
            market.step();
        QCOMPARE(recorder.trades.size(), tradesAtHalt);
        market.inject({.kind = MarketEventKind::Reopen, .instrument = 0});
        market.inject({.kind = MarketEventKind::DroughtEnd, .instrument = 0});
        for (int step = 0; step < 5'000; ++step)
            market.step();
        QVERIFY(recorder.trades.size() > tradesAtHalt);
        QCOMPARE(market.firedEvents().size(), std::size_t{5});
        QVERIFY(market.firedEvents().front().injected);
        value = hash.value();
    }
    QCOMPARE(hashes[0], hashes[1]);
}

namespace {

// The mean spread, in price units, of the arrivals between two fired events.
double meanSpread(const FiredMarketEvent &from, const FiredMarketEvent &to)
{
    const std::uint64_t samples = to.statistics.spreadSamples - from.statistics.spreadSamples;
    const std::int64_t sum = to.statistics.spreadSum - from.statistics.spreadSum;
    return samples == 0 ? 0.0 : static_cast<double>(sum) / static_cast<double>(samples);
}

void stepUntil(AgentMarket &market, std::int64_t time)
{
    while (market.time().value() < time)
        market.step();
}

} // namespace

// Two droughts of ACME overlap: A widens 2 ticks, B 12. Each timed end ends only its own
// drought, and while both run the later one, B, rules. The makers quote at least 2 * widen + 1
// ticks apart, so B's windows have the widest spreads and A's alone the narrower ones.
void TstTrainingScenarios::overlappingDroughts_endOnlyTheirOwn_data()
{
    QTest::addColumn<QString>("events");
    QTest::addColumn<QStringList>("fired"); // the fired events' descriptions, in order
    QTest::addColumn<bool>("earlierResumes");

    // A 14:31-14:35 around B 14:32-14:33: A rules again from 14:33.
    QTest::newRow("later inside earlier")
        << QStringLiteral("at 14:31:00 drought ACME widen 2 for 4min\n"
                          "at 14:32:00 drought ACME widen 12 size 50 for 1min\n")
        << QStringList{QStringLiteral("drought ACME widen 2 for 4min"),
                       QStringLiteral("drought ACME widen 12 size 50 for 1min"),
                       QStringLiteral("drought ACME ends"), QStringLiteral("drought ACME ends")}
        << true;
    // A 14:31-14:33 and B 14:32-14:35: A's end leaves B running until 14:35.
    QTest::newRow("later outlasts earlier")
        << QStringLiteral("at 14:31:00 drought ACME widen 2 for 2min\n"
                          "at 14:32:00 drought ACME widen 12 size 50 for 3min\n")
        << QStringList{QStringLiteral("drought ACME widen 2 for 2min"),
                       QStringLiteral("drought ACME widen 12 size 50 for 3min"),
                       QStringLiteral("drought ACME ends"), QStringLiteral("drought ACME ends")}
        << false;
}

void TstTrainingScenarios::overlappingDroughts_endOnlyTheirOwn()
{
    QFETCH(QString, events);
    QFETCH(QStringList, fired);
    QFETCH(bool, earlierResumes);
    const std::string text = "market seed 3 start 14:30:00 length 8min reversion 5000\n"
                             "instrument ACME tick 0.01 lot 1 price 50.00 arrivals 400 makers 3 "
                             "quote 50 noise 20 news off\n" +
                             events.toStdString();
    const training::TrainingParseResult parsed =
        training::parseTrainingScenario(text, "o.scenario");
    QVERIFY(parsed.ok());
    Engine engine;
    AgentMarket market(engine, parsed.scenario.seed, parsed.scenario.options);

    stepUntil(market, kStart + 3 * kMinute + 30 * kSecond);
    QVERIFY(market.isInDrought(0));
    stepUntil(market, kStart + 4 * kMinute + 30 * kSecond);
    QVERIFY(market.isInDrought(0));
    stepUntil(market, kStart + 5 * kMinute + 30 * kSecond);
    QVERIFY(!market.isInDrought(0));

    const std::span<const FiredMarketEvent> log = market.firedEvents();
    QCOMPARE(log.size(), std::size_t(fired.size()));
    for (std::size_t i = 0; i < log.size(); ++i) {
        const std::string description =
            training::describeMarketEvent(log[i].event, parsed.scenario.options);
        QCOMPARE(QString::fromStdString(description), fired[static_cast<int>(i)]);
    }
    // An event takes effect at the first arrival at or after its time, at 400 arrivals a second.
    QVERIFY(log[2].time.value() >= kStart + 3 * kMinute);
    QVERIFY(log[2].time.value() < kStart + 3 * kMinute + kSecond);
    QVERIFY(log[3].time.value() >= kStart + 5 * kMinute);
    QVERIFY(log[3].time.value() < kStart + 5 * kMinute + kSecond);

    // The makers' spreads differ by 2 * (12 - 2) = 20 ticks. Trades that take a maker's quote
    // and noise orders resting inside hide part of that, so the test expects half.
    const double earlierAlone = meanSpread(log[0], log[1]);  // 14:31-14:32, widen 2
    const double both = meanSpread(log[1], log[2]);          // 14:32-14:33, widen 12
    const double afterFirstEnd = meanSpread(log[2], log[3]); // 14:33-14:35
    const QString spreads = QStringLiteral("spreads %1 with A alone, %2 with both, %3 after")
                                .arg(earlierAlone)
                                .arg(both)
                                .arg(afterFirstEnd);
    QVERIFY2(both > earlierAlone + 10.0, qPrintable(spreads));
    if (earlierResumes)
        QVERIFY2(afterFirstEnd < both - 10.0, qPrintable(spreads));
    else
        QVERIFY2(afterFirstEnd > earlierAlone + 10.0, qPrintable(spreads));
}

// The instructor's "drought off" ends every drought of the instrument, and the scheduled end
// of one of them then finds nothing to end.
void TstTrainingScenarios::injectedDroughtOff_endsEveryDrought()
{
    const std::string text = "market seed 3 start 14:30:00 length 8min\n"
                             "instrument ACME tick 0.01 lot 1 price 50.00 news off\n"
                             "at 14:31:00 drought ACME widen 2 for 4min\n";
    const training::TrainingParseResult parsed =
        training::parseTrainingScenario(text, "o.scenario");
    QVERIFY(parsed.ok());
    Engine engine;
    AgentMarket market(engine, parsed.scenario.seed, parsed.scenario.options);
    stepUntil(market, kStart + 2 * kMinute);
    market.inject({.kind = MarketEventKind::Drought, .instrument = 0, .widenTicks = 9});
    QVERIFY(market.isInDrought(0));
    market.inject({.kind = MarketEventKind::DroughtEnd, .instrument = 0});
    QVERIFY(!market.isInDrought(0));
    stepUntil(market, kStart + 6 * kMinute);
    QVERIFY(!market.isInDrought(0));
    QCOMPARE(market.firedEvents().size(), std::size_t{3});
    QCOMPARE(market.firedEvents().back().event.kind, MarketEventKind::DroughtEnd);
    QVERIFY(market.firedEvents().back().injected);
}

void TstTrainingScenarios::missingFile_errorNamesPath()
{
    const training::TrainingParseResult parsed =
        training::loadTrainingScenario("/nonexistent/drought.scenario");
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.errors.size(), std::size_t{1});
    QCOMPARE(QString::fromStdString(parsed.errors.front().toString()),
             QStringLiteral("/nonexistent/drought.scenario: error: file not found. Check the "
                            "path, or open one of the shipped scenarios: resources/scenarios in "
                            "the source tree, /usr/share/bourse/scenarios from the package"));
}

// `bourse-engine sim --scenario` runs the same market as the library: the same hash, and each
// scheduled event with its market time.
void TstTrainingScenarios::simCommand_printsHashAndEvents()
{
    const std::string path = scenarioPath("halt_reopening.scenario");
    QProcess process;
    process.start(QStringLiteral(BOURSE_ENGINE_EXECUTABLE),
                  {QStringLiteral("sim"), QStringLiteral("--scenario"),
                   QString::fromStdString(path), QStringLiteral("--json")});
    QVERIFY(process.waitForFinished(60'000));
    QCOMPARE(process.exitCode(), 0);
    const QJsonObject output = QJsonDocument::fromJson(process.readAllStandardOutput()).object();

    const training::TrainingParseResult parsed = training::loadTrainingScenario(path);
    QVERIFY(parsed.ok());
    const std::uint64_t hash = hashOf(parsed.scenario, parsed.scenario.seed);
    QCOMPARE(output.value(QStringLiteral("hash")).toString(),
             QStringLiteral("%1").arg(hash, 16, 16, QLatin1Char('0')));

    const QJsonArray fired = output.value(QStringLiteral("fired")).toArray();
    QCOMPARE(fired.size(), 3);
    QCOMPARE(fired[0].toObject().value(QStringLiteral("event")).toString(),
             QStringLiteral("halt ACME"));
    QVERIFY(fired[0]
                .toObject()
                .value(QStringLiteral("time"))
                .toString()
                .startsWith(QStringLiteral("14:36:00.")));
    QCOMPARE(fired[2].toObject().value(QStringLiteral("event")).toString(),
             QStringLiteral("reopen ACME"));
    const QJsonArray instruments = output.value(QStringLiteral("instruments")).toArray();
    QCOMPARE(instruments.size(), 2);
    QCOMPARE(instruments[0].toObject().value(QStringLiteral("symbol")).toString(),
             QStringLiteral("ACME"));
}

void TstTrainingScenarios::simCommand_malformedFileFails()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QString path = folder.filePath(QStringLiteral("bad.scenario"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("market seed 1 length 1min\ninstrument ACME tick 0.01 lot 1 price 50\n"
               "at +10s news ACME up\n");
    file.close();

    QProcess process;
    process.start(QStringLiteral(BOURSE_ENGINE_EXECUTABLE),
                  {QStringLiteral("sim"), QStringLiteral("--scenario"), path});
    QVERIFY(process.waitForFinished(60'000));
    QCOMPARE(process.exitCode(), 3);
    const QString error = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(error.startsWith(path + QStringLiteral(":3:19: error: invalid news jump 'up'")),
             qPrintable(error));
}

void TstTrainingScenarios::malformedLine_errorAtLineAndColumn_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");
    const QString market = QStringLiteral("market seed 3 length 10min\n");
    const QString acme = QStringLiteral("instrument ACME tick 0.01 lot 1 price 50.00\n");
    QTest::newRow("unknown command")
        << market + QStringLiteral("sell ACME 10\n")
        << QStringLiteral("t.scenario:2:1: error: unknown command 'sell'");
    QTest::newRow("instrument before market")
        << acme << QStringLiteral("t.scenario:1:1: error: the market line must come first");
    QTest::newRow("price off the tick")
        << market + QStringLiteral("instrument ACME tick 0.05 lot 1 price 50.01\n")
        << QStringLiteral("t.scenario:2:39: error: start price '50.01' is not on the tick");
    QTest::newRow("unknown instrument option")
        << market + QStringLiteral("instrument ACME tick 0.01 lot 1 price 50 speed 3\n")
        << QStringLiteral("t.scenario:2:42: error: unknown instrument option 'speed'");
    QTest::newRow("unsigned news")
        << market + acme + QStringLiteral("at +1min news ACME 20\n")
        << QStringLiteral("t.scenario:3:20: error: invalid news jump '20'");
    QTest::newRow("unknown symbol")
        << market + acme + QStringLiteral("at +1min halt ACMF\n")
        << QStringLiteral("t.scenario:3:15: error: unknown instrument 'ACMF'");
    QTest::newRow("trend without over")
        << market + acme + QStringLiteral("at +1min trend ACME +20 for 2min\n")
        << QStringLiteral("t.scenario:3:25: error: expected 'over DURATION'");
    QTest::newRow("time after the end")
        << market + acme + QStringLiteral("at +11min halt ACME\n")
        << QStringLiteral("t.scenario:3:4: error: time +11min is after the scenario ends");
    QTest::newRow("time before the start")
        << market + acme + QStringLiteral("at 09:00:00 halt ACME\n")
        << QStringLiteral("t.scenario:3:4: error: time 09:00:00 is before the market starts");
    QTest::newRow("bad duration") << market + acme +
                                         QStringLiteral("at +1min drought ACME widen 4 for soon\n")
                                  << QStringLiteral(
                                         "t.scenario:3:35: error: invalid drought duration 'soon'");
    QTest::newRow("reopen without halt")
        << market + acme + QStringLiteral("at +1min reopen ACME\n")
        << QStringLiteral("t.scenario:3:1: error: reopen of ACME, which is not halted");
    QTest::newRow("activity out of range")
        << market + acme + QStringLiteral("at +1min activity ACME 0\n")
        << QStringLiteral("t.scenario:3:24: error: invalid activity '0'");
    QTest::newRow("extra word") << market + acme + QStringLiteral("at +1min halt ACME now\n")
                                << QStringLiteral("t.scenario:3:20: error: unexpected 'now'");
    QTest::newRow("length over a day")
        << QStringLiteral("market seed 3 length 25h\n") + acme
        << QStringLiteral("t.scenario:1:22: error: length '25h' is out of range: at most 24h");
    QTest::newRow("drought over a day")
        << market + acme + QStringLiteral("at +1min drought ACME widen 4 for 25h\n")
        << QStringLiteral(
               "t.scenario:3:35: error: drought duration '25h' is out of range: at most 24h");
    QTest::newRow("widening out of range")
        << market + acme + QStringLiteral("at +1min drought ACME widen 100001\n")
        << QStringLiteral("t.scenario:3:29: error: invalid widening '100001': expected a whole "
                          "number from 0 to 100000");
    QTest::newRow("start after midnight")
        << QStringLiteral("market seed 3 start 24:10:00\n") + acme
        << QStringLiteral("t.scenario:1:21: error: start time 24:10:00 is out of range: a "
                          "scenario starts before 24:00:00");
    QTest::newRow("time past the next day")
        << QStringLiteral("market seed 3 start 23:50:00\n") + acme +
               QStringLiteral("at 48:00:00 halt ACME\n")
        << QStringLiteral("t.scenario:3:4: error: time 48:00:00 is out of range: times run from "
                          "00:00:00 to 47:59:59");
}

// An error on one line adds none on the lines that depend on it: the events of an instrument
// whose line is invalid, a reopening whose halt line is invalid, and times checked against a
// market line that is invalid.
void TstTrainingScenarios::oneBadLine_oneError_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");
    const QString market = QStringLiteral("market seed 3 length 10min\n");
    const QString acme = QStringLiteral("instrument ACME tick 0.01 lot 1 price 50.00\n");
    const QString haltAndReopen = QStringLiteral("at +1min halt ACME\nat +2min reopen ACME\n");
    QTest::newRow("market option")
        << QStringLiteral("market seed 3 length 10min speed 2\n") + acme + haltAndReopen
        << QStringLiteral("t.scenario:1:28: error: unknown market option 'speed'");
    QTest::newRow("market start")
        << QStringLiteral("market seed 3 start 9:3:00 length 10min\n") + acme +
               QStringLiteral("at 09:05:00 halt ACME\nat 14:40:00 reopen ACME\n")
        << QStringLiteral("t.scenario:1:21: error: invalid start time '9:3:00'");
    QTest::newRow("instrument option")
        << market + QStringLiteral("instrument ACME tick 0.01 lot 1 price 50 speed 3\n") +
               haltAndReopen
        << QStringLiteral("t.scenario:2:42: error: unknown instrument option 'speed'");
    QTest::newRow("halt line") << market + acme +
                                      QStringLiteral(
                                          "at +1min halt ACME now\nat +2min reopen ACME\n")
                               << QStringLiteral("t.scenario:3:20: error: unexpected 'now'");
}

void TstTrainingScenarios::oneBadLine_oneError()
{
    QFETCH(QString, text);
    QFETCH(QString, error);
    const training::TrainingParseResult parsed =
        training::parseTrainingScenario(text.toStdString(), "t.scenario");
    for (const scenario::ParseError &each : parsed.errors)
        qInfo("%s", each.toString().c_str());
    QCOMPARE(parsed.errors.size(), std::size_t{1});
    const QString first = QString::fromStdString(parsed.errors.front().toString());
    QVERIFY2(first.startsWith(error), qPrintable(first));
}

// An invalid activity line cannot be the missing halt, so the reopening of the same instrument
// that follows it reports its own error.
void TstTrainingScenarios::invalidActivityLine_reopenStillChecked()
{
    const training::TrainingParseResult parsed =
        training::parseTrainingScenario("market seed 3 length 10min\n"
                                        "instrument BETA tick 0.01 lot 1 price 20.00\n"
                                        "at +1min activity BETA 0\n"
                                        "at +2min reopen BETA\n",
                                        "t.scenario");
    QCOMPARE(parsed.errors.size(), std::size_t{2});
    QCOMPARE(parsed.errors[0].location.line, std::size_t{3});
    QCOMPARE(QString::fromStdString(parsed.errors[1].toString()),
             QStringLiteral("t.scenario:4:1: error: reopen of BETA, which is not halted at this "
                            "time"));
}

// A scenario that runs past midnight writes the times of the next day from 24:00:00 on, as the
// instructor panel shows them.
void TstTrainingScenarios::afterMidnight_timesParse()
{
    const training::TrainingParseResult parsed =
        training::parseTrainingScenario("market seed 3 start 23:50:00 length 20min\n"
                                        "instrument ACME tick 0.01 lot 1 price 50.00\n"
                                        "at 24:05:00 halt ACME\n"
                                        "at +16min reopen ACME\n",
                                        "t.scenario");
    for (const scenario::ParseError &error : parsed.errors)
        qWarning("%s", error.toString().c_str());
    QVERIFY(parsed.ok());
    const std::vector<MarketEvent> &schedule = parsed.scenario.options.schedule;
    QCOMPARE(schedule.size(), std::size_t{2});
    // 2024-01-03 00:05:00 UTC and 00:06:00 UTC.
    QCOMPARE(schedule[0].time.value(), (1'704'153'600LL + 86'400 + 300) * kSecond);
    QCOMPARE(schedule[1].time.value(), (1'704'153'600LL + 86'400 + 360) * kSecond);
    QCOMPARE(training::formatMarketTime(schedule[0].time), std::string("24:05:00.000"));
}

void TstTrainingScenarios::malformedLine_errorAtLineAndColumn()
{
    QFETCH(QString, text);
    QFETCH(QString, error);
    const training::TrainingParseResult parsed =
        training::parseTrainingScenario(text.toStdString(), "t.scenario");
    QVERIFY(!parsed.ok());
    const QString first = QString::fromStdString(parsed.errors.front().toString());
    QVERIFY2(first.startsWith(error), qPrintable(first));
}

QTEST_GUILESS_MAIN(TstTrainingScenarios)
#include "tst_training_scenarios.moc"

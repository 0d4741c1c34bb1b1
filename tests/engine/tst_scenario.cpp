#include "engine_printers.h"
#include "scenario.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <sstream>
#include <vector>

using namespace bourse;
using namespace bourse::scenario;

Q_DECLARE_METATYPE(bourse::Event)

namespace {

QString sourcePath(const QString &relative)
{
    return QStringLiteral(BOURSE_SOURCE_DIR "/") + relative;
}

QString errorsOf(const ParseResult &result)
{
    QStringList lines;
    for (const ParseError &error : result.errors)
        lines << QString::fromStdString(error.toString());
    return lines.join(QLatin1Char('\n'));
}

// The scenario's commands of one kind, in file order.
template <typename Action>
std::vector<Action> commandsOf(const Scenario &scenario)
{
    std::vector<Action> found;
    for (const Command &command : scenario.commands) {
        if (const auto *action = std::get_if<Action>(&command.action))
            found.push_back(*action);
    }
    return found;
}

struct RunOutput {
    RunSummary summary;
    QString output;
    QString diagnostics;
};

RunOutput run(const Scenario &scenario, OutputFormat format = OutputFormat::Text)
{
    std::ostringstream output;
    std::ostringstream diagnostics;
    RunOptions options;
    options.format = format;
    RunOutput result;
    result.summary = runScenario(scenario, options, output, diagnostics);
    result.output = QString::fromStdString(output.str());
    result.diagnostics = QString::fromStdString(diagnostics.str());
    return result;
}

Scenario parsed(const std::string &text)
{
    ParseResult result = parseScenario(text, "test.scenario");
    if (!result.ok())
        qFatal("scenario text does not parse: %s", qPrintable(errorsOf(result)));
    return std::move(result.scenario);
}

struct ProcessResult {
    int exitCode = -1;
    QString standardOutput;
    QString standardError;
};

ProcessResult runEngine(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral(BOURSE_ENGINE_EXECUTABLE), arguments);
    ProcessResult result;
    if (!process.waitForFinished(60'000))
        return result;
    result.exitCode = process.exitCode();
    result.standardOutput = QString::fromUtf8(process.readAllStandardOutput());
    result.standardError = QString::fromUtf8(process.readAllStandardError());
    return result;
}

constexpr const char *kHeader = "instrument ABC tick 0.01 lot 1\n"
                                "account alice\n"
                                "sell ABC 100 @ 12.51 as A\n";

// Five commands. Their events, by sequence number, are:
//   line 1: 1 instrument-added
//   line 2: 2 account-configured
//   line 3: 3 accepted A, 4 added A
//   line 4: 5 accepted B, 6 trade, 7 cancelled B
//   line 5: 8 rejected A unknown-order, because the trade filled A
constexpr const char *kFiveCommands = "instrument ABC tick 0.01 lot 1\n"
                                      "account alice\n"
                                      "sell ABC 100 @ 12.51 as A\n"
                                      "buy ABC 150 @ 12.52 ioc as B\n"
                                      "cancel A\n";

// The largest sequence number of the event lines in text output; 0 when there are none.
SequenceNumber largestPrintedSequence(const std::string &output)
{
    static const QRegularExpression eventLine(QStringLiteral("^ +(\\d+) \\d\\d:"),
                                              QRegularExpression::MultilineOption);
    SequenceNumber largest = 0;
    for (auto match = eventLine.globalMatch(QString::fromStdString(output)); match.hasNext();)
        largest = std::max<SequenceNumber>(largest, match.next().captured(1).toULongLong());
    return largest;
}

// A journal in memory that commits every event it is asked to wait for. At each wait it checks
// that the run has printed no event beyond the previous commit. Its restart reloads a snapshot
// and describes it as a run without a journal does, so both runs print the same text.
class RecordingJournal final : public RunJournal {
public:
    explicit RecordingJournal(const std::ostringstream &output)
        : m_output(output)
    {
    }

    void attach(Engine &) override { ++attached; }

    bool awaitDurable(SequenceNumber sequence) override
    {
        awaited.push_back(sequence);
        printedBeforeCommit |= largestPrintedSequence(m_output.str()) > committed;
        if (failingAwait == awaited.size())
            return false;
        committed = sequence;
        return true;
    }

    JournalRestart restart(Engine &engine) override
    {
        ++restarts;
        JournalRestart restarted;
        if (!restartFailure.empty()) {
            restarted.message = restartFailure;
            return restarted;
        }
        const std::vector<std::uint8_t> snapshot = engine.snapshot();
        restarted.engine = std::make_unique<Engine>();
        if (Engine::loadSnapshot(snapshot, *restarted.engine))
            qFatal("the engine's own snapshot does not load");
        restarted.message = "restarted from a snapshot of " + std::to_string(snapshot.size()) +
                            " bytes after event " + std::to_string(engine.lastSequence());
        return restarted;
    }

    bool finish() override
    {
        ++finished;
        return !finishFails;
    }

    std::string failure() const override { return "journal.db: sequence 7: disk full"; }

    std::vector<SequenceNumber> awaited;
    SequenceNumber committed = 0;
    bool printedBeforeCommit = false;
    int attached = 0;
    int restarts = 0;
    int finished = 0;
    std::size_t failingAwait = 0; // the wait, counted from 1, that fails; 0 for none
    std::string restartFailure;   // makes restart() fail with this message
    bool finishFails = false;

private:
    const std::ostringstream &m_output;
};

struct JournaledRunOutput {
    RunSummary summary;
    std::string output;
    std::string diagnostics;
};

// Runs `scenario` journaled by `journal`, which watches `output`, waiting after up to `window`
// commands.
JournaledRunOutput runJournaled(const Scenario &scenario, RecordingJournal &journal,
                                std::ostringstream &output, std::size_t window = 256)
{
    std::ostringstream diagnostics;
    RunOptions options;
    options.journal = &journal;
    options.maximumUnacknowledgedCommands = window;
    JournaledRunOutput result;
    result.summary = runScenario(scenario, options, output, diagnostics);
    result.output = output.str();
    result.diagnostics = diagnostics.str();
    return result;
}

} // namespace

class ScenarioTest : public QObject {
    Q_OBJECT

private slots:
    void decimalConvertsExactly_data();
    void decimalConvertsExactly();
    void everyCentConvertsExactly();
    void decimalErrorsAreNamed_data();
    void decimalErrorsAreNamed();
    void timeOfDayParses_data();
    void timeOfDayParses();
    void durationParses_data();
    void durationParses();
    void decimalFormatsExactly();
    void notionalUses128Bits();
    void timeFormatsShortest();

    void orderLineBuildsOrder_data();
    void orderLineBuildsOrder();
    void instrumentLineBuildsDefinition();
    void decimalsFollowTickAndLot();
    void labelsAndNumbersNameOrders();
    void commentsAreIgnored();
    void clockMovesForward();
    void expectationIsCanonical();
    void bookExpectationParses();
    void malformedLineIsReported_data();
    void malformedLineIsReported();
    void expectationBeforeFirstCommandIsReported_data();
    void expectationBeforeFirstCommandIsReported();
    void everyErrorIsReported();

    void printedLineParsesAsExpectation_data();
    void printedLineParsesAsExpectation();
    void tradeJsonHasStableKeys();
    void stopOrderReplaceShowsNoLimit();
    void jsonQuotingKeepsUtf8Valid_data();
    void jsonQuotingKeepsUtf8Valid();
    void eventJsonWithInvalidUtf8Parses();
    void riskEventLine_data();
    void riskEventLine();
    void riskRejectedJsonHasStableKeys();
    void accountLimitsInLotsWhenDecimalsDiffer();

    void passingScenarioPasses();
    void wrongExpectationFailsWithMessage();
    void wrongAccountExpectationsFail();
    void unexpectedEventFailsInStrictMode();
    void lenientModeSkipsUnnamedEvents();
    void wrongBookFailsWithBothSides();
    void commandLineExitStatus();
    void commandLineJsonIsOneObjectPerLine();
    void documentationExamplesPass();

    void journaledRunPrintsSameText_data();
    void journaledRunPrintsSameText();
    void journaledRunWaitsPerWindow_data();
    void journaledRunWaitsPerWindow();
    void journalFailureStopsRun();
    void journalFailureHidesHeldResults();
    void journalFinishFailureFailsRun();
    void failedJournalRestartStopsRun();
};

void ScenarioTest::decimalConvertsExactly_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("decimals");
    QTest::addColumn<qint64>("units");

    QTest::newRow("16.90 at 2 decimals") << "16.90" << 2 << qint64(1690);
    QTest::newRow("0.30 at 2 decimals") << "0.30" << 2 << qint64(30);
    QTest::newRow("0.29, 28.99999 in floating point") << "0.29" << 2 << qint64(29);
    QTest::newRow("1.15, 114.99999 in floating point") << "1.15" << 2 << qint64(115);
    QTest::newRow("4.35, 434.99999 in floating point") << "4.35" << 2 << qint64(435);
    QTest::newRow("fewer decimals are padded") << "12.5" << 2 << qint64(1250);
    QTest::newRow("whole number at 2 decimals") << "12" << 2 << qint64(1200);
    QTest::newRow("negative") << "-0.05" << 2 << qint64(-5);
    QTest::newRow("zero") << "0" << 4 << qint64(0);
    QTest::newRow("largest 64-bit value")
        << "9223372036854775807" << 0 << qint64(9223372036854775807);
    QTest::newRow("8 decimals") << "0.00000001" << 8 << qint64(1);
}

void ScenarioTest::decimalConvertsExactly()
{
    QFETCH(QString, text);
    QFETCH(int, decimals);
    QFETCH(qint64, units);

    const DecimalValue value = parseDecimal(text.toStdString(), decimals);
    QCOMPARE(static_cast<int>(value.error), static_cast<int>(DecimalError::None));
    QCOMPARE(value.units, units);
}

// A conversion through a binary double lands one unit low for many of these (0.29, 0.57,
// 1.13...), and every one must be exact.
void ScenarioTest::everyCentConvertsExactly()
{
    for (std::int64_t cents = 0; cents < 100'000; ++cents) {
        char text[32];
        std::snprintf(text, sizeof text, "%lld.%02lld", static_cast<long long>(cents / 100),
                      static_cast<long long>(cents % 100));
        const DecimalValue value = parseDecimal(text, 2);
        if (value.units != cents)
            QFAIL(qPrintable(QStringLiteral("%1 converted to %2").arg(text).arg(value.units)));
    }
}

void ScenarioTest::decimalErrorsAreNamed_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("decimals");
    QTest::addColumn<int>("error");

    const int notANumber = static_cast<int>(DecimalError::NotANumber);
    const int tooMany = static_cast<int>(DecimalError::TooManyDecimals);
    const int outOfRange = static_cast<int>(DecimalError::OutOfRange);
    QTest::newRow("three decimals at two") << "12.345" << 2 << tooMany;
    QTest::newRow("trailing zero beyond the scale") << "12.500" << 2 << tooMany;
    QTest::newRow("decimals on a whole scale") << "1.5" << 0 << tooMany;
    QTest::newRow("exponent") << "1e5" << 2 << notANumber;
    QTest::newRow("empty") << "" << 2 << notANumber;
    QTest::newRow("no digits before the point") << ".5" << 2 << notANumber;
    QTest::newRow("no digits after the point") << "12." << 2 << notANumber;
    QTest::newRow("plus sign") << "+5" << 2 << notANumber;
    QTest::newRow("letter O for zero") << "1O0" << 0 << notANumber;
    QTest::newRow("two points") << "1.2.3" << 2 << notANumber;
    QTest::newRow("beyond 64 bits") << "9223372036854775808" << 0 << outOfRange;
    QTest::newRow("beyond 64 bits once scaled") << "92233720368547758.08" << 3 << outOfRange;
}

void ScenarioTest::decimalErrorsAreNamed()
{
    QFETCH(QString, text);
    QFETCH(int, decimals);
    QFETCH(int, error);

    QCOMPARE(static_cast<int>(parseDecimal(text.toStdString(), decimals).error), error);
}

void ScenarioTest::timeOfDayParses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("nanoseconds"); // -1: invalid

    constexpr qint64 second = 1'000'000'000;
    QTest::newRow("milliseconds") << "09:30:00.250" << (34200 * second + 250'000'000);
    QTest::newRow("hours and minutes") << "09:30" << 34200 * second;
    QTest::newRow("one-digit hour") << "9:30:00" << 34200 * second;
    QTest::newRow("nanoseconds") << "00:00:00.000000001" << qint64(1);
    QTest::newRow("past midnight") << "25:00:00" << 90000 * second;
    QTest::newRow("minute 60") << "09:60:00" << qint64(-1);
    QTest::newRow("second 60") << "09:30:60" << qint64(-1);
    QTest::newRow("ten decimals") << "09:30:00.1234567891" << qint64(-1);
    QTest::newRow("one-digit second") << "09:30:5" << qint64(-1);
    QTest::newRow("fraction without seconds") << "09:30.5" << qint64(-1);
    QTest::newRow("point without fraction") << "09:30:00." << qint64(-1);
    QTest::newRow("words") << "noon" << qint64(-1);
    QTest::newRow("four parts") << "09:30:00:00" << qint64(-1);
}

void ScenarioTest::timeOfDayParses()
{
    QFETCH(QString, text);
    QFETCH(qint64, nanoseconds);

    const auto time = parseTime(text.toStdString());
    QCOMPARE(time.has_value(), nanoseconds >= 0);
    if (time)
        QCOMPARE(time->value(), nanoseconds);
}

void ScenarioTest::durationParses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("nanoseconds");
    QTest::addColumn<int>("error");

    const int none = static_cast<int>(DurationError::None);
    const int notADuration = static_cast<int>(DurationError::NotADuration);
    const int tooFine = static_cast<int>(DurationError::FinerThanNanosecond);
    const int outOfRange = static_cast<int>(DurationError::OutOfRange);
    QTest::newRow("seconds") << "10s" << qint64(10'000'000'000) << none;
    QTest::newRow("milliseconds") << "250ms" << qint64(250'000'000) << none;
    QTest::newRow("decimal seconds") << "1.5s" << qint64(1'500'000'000) << none;
    QTest::newRow("minutes as min") << "2min" << qint64(120'000'000'000) << none;
    QTest::newRow("minutes as m") << "2m" << qint64(120'000'000'000) << none;
    QTest::newRow("hours") << "1h" << qint64(3'600'000'000'000) << none;
    QTest::newRow("microseconds") << "5us" << qint64(5'000) << none;
    QTest::newRow("nanoseconds") << "100ns" << qint64(100) << none;
    // 10^10 ns is 10 s; scaling by 10^9 before the unit would overflow 64 bits.
    QTest::newRow("ten seconds in nanoseconds")
        << "10000000000ns" << qint64(10'000'000'000) << none;
    // 9.3 * 10^9 us is 9.3 * 10^12 ns.
    QTest::newRow("many microseconds") << "9300000000us" << qint64(9'300'000'000'000) << none;
    // 0.001 h is 3.6 s; 0.0000001 min is 6 us.
    QTest::newRow("hour fraction") << "0.001h" << qint64(3'600'000'000) << none;
    QTest::newRow("minute fraction") << "0.0000001min" << qint64(6'000) << none;
    QTest::newRow("trailing zeros past a nanosecond")
        << "1.500000000000s" << qint64(1'500'000'000) << none;
    // 2^63 - 1 ns is the largest duration.
    QTest::newRow("largest duration")
        << "9223372036854775807ns" << qint64(9'223'372'036'854'775'807) << none;
    QTest::newRow("one past the largest") << "9223372036854775808ns" << qint64(0) << outOfRange;
    // 2562048 h is 9223372800 s, past the 9223372036.85 s of 2^63 - 1 ns.
    QTest::newRow("hours beyond 64 bits") << "2562048h" << qint64(0) << outOfRange;
    QTest::newRow("twenty digits") << "99999999999999999999h" << qint64(0) << outOfRange;
    QTest::newRow("finer than a nanosecond") << "0.5ns" << qint64(0) << tooFine;
    QTest::newRow("tenth of a nanosecond") << "0.0000000001s" << qint64(0) << tooFine;
    QTest::newRow("twelve decimals of a second") << "1.123456789123s" << qint64(0) << tooFine;
    QTest::newRow("no unit") << "10" << qint64(0) << notADuration;
    QTest::newRow("no number") << "s" << qint64(0) << notADuration;
    QTest::newRow("negative") << "-5s" << qint64(0) << notADuration;
    QTest::newRow("unknown unit") << "5d" << qint64(0) << notADuration;
    QTest::newRow("point without fraction") << "5.s" << qint64(0) << notADuration;
}

void ScenarioTest::durationParses()
{
    QFETCH(QString, text);
    QFETCH(qint64, nanoseconds);
    QFETCH(int, error);

    const DurationValue duration = parseDuration(text.toStdString());
    QCOMPARE(static_cast<int>(duration.error), error);
    QCOMPARE(duration.nanoseconds, nanoseconds);
}

void ScenarioTest::decimalFormatsExactly()
{
    QCOMPARE(formatDecimal(1251, 2), std::string("12.51"));
    QCOMPARE(formatDecimal(5, 2), std::string("0.05"));
    QCOMPARE(formatDecimal(-5, 2), std::string("-0.05"));
    QCOMPARE(formatDecimal(100, 0), std::string("100"));
    QCOMPARE(formatDecimal(0, 3), std::string("0.000"));
    QCOMPARE(formatDecimal(std::numeric_limits<std::int64_t>::min(), 0),
             std::string("-9223372036854775808"));
}

// 16.90 lots of 0.01 at 0.30 is exactly 5.0700. 99999999999 price units times 10^8 lots is
// 9999999999900000000 units, beyond the int64 maximum of about 9.22 * 10^18.
void ScenarioTest::notionalUses128Bits()
{
    InstrumentDefinition cents;
    cents.priceDecimals = 2;
    cents.quantityDecimals = 2;
    QCOMPARE(formatNotional(Price{30}, Quantity{1690}, cents), std::string("5.0700"));

    InstrumentDefinition large;
    large.priceDecimals = 2;
    QCOMPARE(formatNotional(Price{99'999'999'999}, Quantity{100'000'000}, large),
             std::string("99999999999000000.00"));

    InstrumentDefinition future;
    future.priceDecimals = 2;
    future.multiplier = 50;
    QCOMPARE(formatNotional(Price{451225}, Quantity{3}, future), std::string("676837.50"));
}

void ScenarioTest::timeFormatsShortest()
{
    QCOMPARE(formatTime(Timestamp{0}), std::string("00:00:00.000"));
    QCOMPARE(formatTime(Timestamp{34'200'250'000'000}), std::string("09:30:00.250"));
    QCOMPARE(formatTime(Timestamp{1'000}), std::string("00:00:00.000001"));
    QCOMPARE(formatTime(Timestamp{1}), std::string("00:00:00.000000001"));
}

void ScenarioTest::orderLineBuildsOrder_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<int>("type");
    QTest::addColumn<qint64>("quantity");
    QTest::addColumn<qint64>("limit");
    QTest::addColumn<qint64>("stop");
    QTest::addColumn<int>("timeInForce");

    const auto type = [](OrderType value) { return static_cast<int>(value); };
    const auto tif = [](TimeInForce value) { return static_cast<int>(value); };
    QTest::newRow("limit, decimal size and price")
        << "buy XYZ 16.90 @ 0.30" << type(OrderType::Limit) << qint64(1690) << qint64(30)
        << qint64(0) << tif(TimeInForce::Gtc);
    QTest::newRow("without spaces around @")
        << "buy XYZ 16.90@0.30" << type(OrderType::Limit) << qint64(1690) << qint64(30) << qint64(0)
        << tif(TimeInForce::Gtc);
    QTest::newRow("market") << "sell XYZ 1 market" << type(OrderType::Market) << qint64(100)
                            << qint64(0) << qint64(0) << tif(TimeInForce::Gtc);
    QTest::newRow("stop") << "sell XYZ 1 stop 1.05" << type(OrderType::Stop) << qint64(100)
                          << qint64(0) << qint64(105) << tif(TimeInForce::Gtc);
    QTest::newRow("stop-limit") << "buy XYZ 5 @ 1.06 stop 1.05" << type(OrderType::StopLimit)
                                << qint64(500) << qint64(106) << qint64(105)
                                << tif(TimeInForce::Gtc);
    QTest::newRow("ioc") << "buy XYZ 1 @ 1 ioc" << type(OrderType::Limit) << qint64(100)
                         << qint64(100) << qint64(0) << tif(TimeInForce::Ioc);
    QTest::newRow("fok") << "buy XYZ 1 @ 1 fok" << type(OrderType::Limit) << qint64(100)
                         << qint64(100) << qint64(0) << tif(TimeInForce::Fok);
    QTest::newRow("day") << "buy XYZ 1 @ 1 day" << type(OrderType::Limit) << qint64(100)
                         << qint64(100) << qint64(0) << tif(TimeInForce::Day);
    QTest::newRow("until implies gtd")
        << "buy XYZ 1 @ 1 until 10:00" << type(OrderType::Limit) << qint64(100) << qint64(100)
        << qint64(0) << tif(TimeInForce::Gtd);
}

void ScenarioTest::orderLineBuildsOrder()
{
    QFETCH(QString, line);
    QFETCH(int, type);
    QFETCH(qint64, quantity);
    QFETCH(qint64, limit);
    QFETCH(qint64, stop);
    QFETCH(int, timeInForce);

    const Scenario scenario =
        parsed("instrument XYZ tick 0.01 lot 0.01\n" + line.toStdString() + "\n");
    const auto submits = commandsOf<SubmitCommand>(scenario);
    QCOMPARE(submits.size(), 1u);
    const NewOrder &order = submits[0].order;
    QCOMPARE(static_cast<int>(order.type), type);
    QCOMPARE(order.quantity, Quantity{quantity});
    QCOMPARE(order.limit, Price{limit});
    QCOMPARE(order.stopPrice, Price{stop});
    QCOMPARE(static_cast<int>(order.timeInForce), timeInForce);
    QCOMPARE(order.id, OrderId{1});
    QCOMPARE(order.instrument, InstrumentId{1});
}

void ScenarioTest::instrumentLineBuildsDefinition()
{
    const Scenario scenario =
        parsed("instrument ES tick 0.25 lot 1 price-decimals 2 min 2 max 500 band 2.5% "
               "reference 4500.00 multiplier 50 currency USD status pre-open\n"
               "account alice stp decrement-and-cancel\n"
               "buy ES 3 market protection 4510.25 display 1 account alice client-id 9 "
               "stp cancel-both post-only as M\n");
    const auto instruments = commandsOf<AddInstrumentCommand>(scenario);
    QCOMPARE(instruments.size(), 1u);
    const InstrumentDefinition &definition = instruments[0].definition;
    QCOMPARE(textOf(definition.symbol), std::string("ES"));
    QCOMPARE(textOf(definition.currency), std::string("USD"));
    QCOMPARE(definition.priceDecimals, std::uint8_t{2});
    QCOMPARE(definition.quantityDecimals, std::uint8_t{0});
    QCOMPARE(definition.tickSize, Price{25});
    QCOMPARE(definition.lotSize, Quantity{1});
    QCOMPARE(definition.minimumQuantity, Quantity{2});
    QCOMPARE(definition.maximumQuantity, Quantity{500});
    QCOMPARE(definition.priceBandBasisPoints, 250u);
    QCOMPARE(definition.referencePrice, Price{450000});
    QCOMPARE(definition.multiplier, std::int64_t{50});
    QCOMPARE(definition.initialStatus, TradingStatus::PreOpen);

    const auto accounts = commandsOf<ConfigureAccountCommand>(scenario);
    QCOMPARE(accounts.size(), 1u);
    QCOMPARE(accounts[0].configuration.account, AccountId{1});
    QVERIFY(accounts[0].configuration.selfTradePrevention ==
            SelfTradePrevention::DecrementAndCancel);

    const NewOrder order = commandsOf<SubmitCommand>(scenario).at(0).order;
    QCOMPARE(order.protectionPrice, Price{451025});
    QCOMPARE(order.displayQuantity, Quantity{1});
    QCOMPARE(order.account, AccountId{1});
    QCOMPARE(order.clientOrderId.value(), 9u);
    QVERIFY(order.selfTradePrevention == SelfTradePrevention::CancelBoth);
    QVERIFY(order.liquidity == Liquidity::PostOnly);
    QCOMPARE(scenario.names.orderLabel(OrderId{1}), std::string("M"));
    QCOMPARE(scenario.names.accountName(AccountId{1}), std::string("alice"));
}

void ScenarioTest::decimalsFollowTickAndLot()
{
    const Scenario scenario = parsed("instrument A1 tick 0.001 lot 0.1\n"
                                     "instrument A2 tick 5 lot 100\n"
                                     "instrument A3 tick 0.5 lot 1 quantity-decimals 3\n");
    const auto instruments = commandsOf<AddInstrumentCommand>(scenario);
    QCOMPARE(instruments.size(), 3u);
    QCOMPARE(instruments[0].definition.priceDecimals, std::uint8_t{3});
    QCOMPARE(instruments[0].definition.quantityDecimals, std::uint8_t{1});
    QCOMPARE(instruments[0].definition.tickSize, Price{1});
    QCOMPARE(instruments[1].definition.priceDecimals, std::uint8_t{0});
    QCOMPARE(instruments[1].definition.tickSize, Price{5});
    QCOMPARE(instruments[1].definition.lotSize, Quantity{100});
    QCOMPARE(instruments[2].definition.quantityDecimals, std::uint8_t{3});
    QCOMPARE(instruments[2].definition.lotSize, Quantity{1000});
    QCOMPARE(instruments[2].definition.id, InstrumentId{3});
}

void ScenarioTest::labelsAndNumbersNameOrders()
{
    const Scenario scenario = parsed("instrument X tick 1\n"
                                     "buy X 1 @ 100\n"
                                     "sell X 1 @ 101 as S\n"
                                     "buy X 1 @ 99 as #3\n"
                                     "cancel S\n"
                                     "cancel #1\n"
                                     "cancel #3\n"
                                     "cancel #99\n");
    const auto cancels = commandsOf<CancelCommand>(scenario);
    QCOMPARE(cancels.size(), 4u);
    QCOMPARE(cancels[0].id, OrderId{2});
    QCOMPARE(cancels[1].id, OrderId{1});
    QCOMPARE(cancels[2].id, OrderId{3});
    QCOMPARE(cancels[3].id, OrderId{99});
    QCOMPARE(scenario.names.orderLabel(OrderId{1}), std::string("#1"));
    QCOMPARE(scenario.names.orderLabel(OrderId{2}), std::string("S"));
}

void ScenarioTest::commentsAreIgnored()
{
    const Scenario scenario = parsed("# a comment line\n"
                                     "\n"
                                     "   ## another one\n"
                                     "instrument X tick 1   # the instrument\n"
                                     "sell X 1 @ 100 as #1 #\n");
    QCOMPARE(scenario.commands.size(), 2u);
    QCOMPARE(scenario.commands[0].text, std::string("instrument X tick 1"));
    QCOMPARE(scenario.commands[0].location.line, 4u);
    QCOMPARE(scenario.commands[1].text, std::string("sell X 1 @ 100 as #1"));
    QCOMPARE(scenario.names.orderLabel(OrderId{1}), std::string("#1"));
}

void ScenarioTest::clockMovesForward()
{
    const Scenario scenario = parsed("instrument X tick 1\n"
                                     "at 09:30:00\n"
                                     "buy X 1 @ 100 until +30s\n"
                                     "advance 250ms\n"
                                     "sell X 1 @ 100\n");
    constexpr std::int64_t second = 1'000'000'000;
    QCOMPARE(scenario.commands.size(), 5u);
    QCOMPARE(scenario.commands[0].time, Timestamp{0});
    QCOMPARE(scenario.commands[2].time, Timestamp{34200 * second});
    const NewOrder order = commandsOf<SubmitCommand>(scenario).at(0).order;
    QCOMPARE(order.expiry, Timestamp{34230 * second});
    QCOMPARE(scenario.commands[4].time, Timestamp{34200 * second + 250'000'000});
}

void ScenarioTest::expectationIsCanonical()
{
    const Scenario scenario =
        parsed(std::string(kHeader) + "buy ABC 150 @ 12.52 ioc as B\n"
                                      "expect trade ABC 100 @ 12.5 maker A taker B buy\n"
                                      "expect cancelled B unfilled 50\n");
    const auto expectations = commandsOf<ExpectEventCommand>(scenario);
    QCOMPARE(expectations.size(), 2u);

    const EventDescription &trade = expectations[0].pattern;
    QCOMPARE(std::string(trade.kind), std::string("trade"));
    QCOMPARE(trade.fields.size(), 6u);
    QCOMPARE(*trade.find("price"), std::string("12.50"));
    QCOMPARE(*trade.find("quantity"), std::string("100"));
    QCOMPARE(*trade.find("maker"), std::string("A"));
    QCOMPARE(*trade.find("aggressor"), std::string("buy"));

    const EventDescription &cancelled = expectations[1].pattern;
    QCOMPARE(cancelled.fields.size(), 3u);
    QCOMPARE(*cancelled.find("order"), std::string("B"));
    QCOMPARE(*cancelled.find("quantity"), std::string("50"));
    QCOMPARE(*cancelled.find("reason"), std::string("unfilled"));
}

void ScenarioTest::bookExpectationParses()
{
    const Scenario scenario = parsed(
        std::string(kHeader) + "sell ABC 10 @ 12.52 as C\n"
                               "expect book ABC asks 12.51x100 [A], 12.52 x 10 [C] bids none\n"
                               "expect book ABC asks 12.51 x100, 12.52x 10\n");
    const auto books = commandsOf<ExpectBookCommand>(scenario);
    QCOMPARE(books.size(), 2u);
    QVERIFY(books[0].bids.has_value());
    QVERIFY(books[0].bids->empty());
    QCOMPARE(books[0].asks->size(), 2u);
    QCOMPARE(books[0].asks->at(0).price, Price{1251});
    QCOMPARE(books[0].asks->at(0).quantity, Quantity{100});
    QCOMPARE(*books[0].asks->at(0).queue, std::vector<OrderId>{OrderId{1}});
    QCOMPARE(*books[0].asks->at(1).queue, std::vector<OrderId>{OrderId{2}});
    QVERIFY(!books[1].bids.has_value());
    QCOMPARE(books[1].asks->at(1).quantity, Quantity{10});
    QVERIFY(!books[1].asks->at(1).queue.has_value());
}

void ScenarioTest::malformedLineIsReported_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("error");

    // Each line follows kHeader, so it is line 4.
    QTest::newRow("unknown command")
        << "bye ABC"
        << "test.scenario:4:1: error: unknown command 'bye'; expected one of: instrument, "
           "account, limits, kill, buy, sell, cancel, replace, pre-open, open, halt, close, "
           "at, advance, restart, expect, expectations, show";
    QTest::newRow("letter in a quantity")
        << "buy ABC 1O0 @ 12.51"
        << "test.scenario:4:9: error: invalid quantity '1O0': expected a decimal number such as "
           "12.51";
    QTest::newRow("price with too many decimals")
        << "buy ABC 100 @ 12.515"
        << "test.scenario:4:15: error: limit price '12.515' has 3 decimal places, but ABC "
           "prices have 2";
    QTest::newRow("quantity with decimals on whole lots")
        << "buy ABC 1.5 @ 12.51"
        << "test.scenario:4:9: error: quantity '1.5' has 1 decimal place, but ABC quantities "
           "have 0";
    QTest::newRow("unknown label")
        << "cancel Z"
        << "test.scenario:4:8: error: unknown order label 'Z'; an order line defines a label "
           "with 'as Z', and #N names the N-th order of the file";
    QTest::newRow("unknown instrument")
        << "buy XYZ 1 @ 1"
        << "test.scenario:4:5: error: unknown instrument 'XYZ'; define it above with "
           "'instrument XYZ tick SIZE'";
    QTest::newRow("unknown account")
        << "buy ABC 1 @ 1 account bob"
        << "test.scenario:4:23: error: unknown account 'bob'; define it above with 'account "
           "bob'";
    QTest::newRow("label used twice")
        << "buy ABC 1 @ 12.50 as A"
        << "test.scenario:4:22: error: label A is already used by the order at line 3";
    QTest::newRow("number label of another order")
        << "buy ABC 1 @ 12.50 as #7"
        << "test.scenario:4:22: error: label #7 would be order number 7, but this is order "
           "#2; write 'as #2' or use a name such as B";
    QTest::newRow("missing price")
        << "buy ABC 1"
        << "test.scenario:4:11: error: missing price: write '@ PRICE' for a limit order, "
           "'market', or 'stop PRICE'";
    QTest::newRow("market with a limit price")
        << "buy ABC 1 market @ 12.50"
        << "test.scenario:4:26: error: a market order has no limit price: remove 'market' or "
           "'@ PRICE'";
    QTest::newRow("expiry on an ioc order")
        << "buy ABC 1 @ 12.50 ioc until 10:00"
        << "test.scenario:4:29: error: 'until' sets an expiry, which only gtd orders have";
    QTest::newRow("two times in force") << "buy ABC 1 @ 12.50 ioc fok"
                                        << "test.scenario:4:23: error: more than one time in force";
    QTest::newRow("option given twice") << "buy ABC 1 @ 12.50 display 1 display 1"
                                        << "test.scenario:4:29: error: 'display' is given twice";
    QTest::newRow("unknown order option")
        << "buy ABC 1 @ 12.50 hidden"
        << "test.scenario:4:19: error: unknown order option 'hidden'; expected one of: "
           "@ PRICE, market, stop PRICE, gtc, day, gtd, ioc, fok, until TIME, post-only, "
           "display QTY, protection PRICE, account NAME, client-id N, stp MODE, as LABEL";
    QTest::newRow("missing value") << "buy ABC 1 @"
                                   << "test.scenario:4:13: error: missing limit price after '@'";
    QTest::newRow("unknown stp mode")
        << "account bob stp never"
        << "test.scenario:4:17: error: unknown stp mode 'never'; expected one of: "
           "account-default, cancel-newest, cancel-oldest, cancel-both, decrement-and-cancel";
    QTest::newRow("instrument without a tick")
        << "instrument XYZ lot 1"
        << "test.scenario:4:22: error: missing 'tick SIZE': every instrument needs a tick "
           "size, such as tick 0.01";
    QTest::newRow("price decimals fewer than the tick's")
        << "instrument XYZ tick 0.001 price-decimals 2"
        << "test.scenario:4:42: error: price-decimals 2 is fewer than the 3 decimals of tick "
           "0.001";
    QTest::newRow("instrument defined twice")
        << "instrument ABC tick 1"
        << "test.scenario:4:12: error: instrument ABC is already defined at line 1";
    QTest::newRow("clock going back")
        << "at 00:00:00.000000001\nat 00:00"
        << "test.scenario:5:4: error: time 00:00:00.000 is before the scenario clock "
           "00:00:00.000000001 (set at line 4); the clock only moves forward";
    QTest::newRow("invalid duration")
        << "advance 10 seconds"
        << "test.scenario:4:9: error: invalid duration '10': expected a number and a unit (h, "
           "min, s, ms, us, ns), such as 10s";
    QTest::newRow("unknown event in an expectation")
        << "expect filled A"
        << "test.scenario:4:8: error: unknown expectation 'filled'; expected an event "
           "(instrument-added, account-configured, accepted, added, rejected, cancelled, "
           "reduced, trade, status, replaced, parked, triggered, refilled, uncrossed, "
           "account-opened, fill, risk-limits, kill-switch, risk-rejected, risk-alert), account, "
           "position, book, order, nothing or no more events";
    QTest::newRow("fee rate without a unit")
        << "account bob margin USD taker 4"
        << "test.scenario:4:30: error: invalid fee rate '4': expected basis points with up to 2 "
           "decimals, such as 4bp or 0.25bp, or a percentage with up to 4 decimals, such as 0.1%";
    QTest::newRow("balance finer than the money scale")
        << "account bob cash USD decimals 2 balance 10.005"
        << "test.scenario:4:41: error: balance '10.005' has 3 decimal places, but the account's "
           "money has 2";
    QTest::newRow("unknown account option")
        << "account bob cash USD leverage 5"
        << "test.scenario:4:22: error: unexpected 'leverage' in an account line; expected each at "
           "most once: currency CODE, decimals N, balance AMOUNT, maker RATE, taker RATE, "
           "per-unit AMOUNT, minimum AMOUNT";
    QTest::newRow("position of an account without a portfolio")
        << "expect position alice ABC 0"
        << "test.scenario:4:17: error: unknown portfolio account 'alice'; open it above with "
           "'account alice cash|margin ...'";
    QTest::newRow("cash of an account without a portfolio")
        << "expect account alice"
        << "test.scenario:4:16: error: unknown portfolio account 'alice'; open it above with "
           "'account alice cash|margin ...'";
    QTest::newRow("unknown field in an expectation")
        << "expect cancelled A 100 because"
        << "test.scenario:4:24: error: unexpected 'because' in a cancelled expectation; "
           "expected one of: SIDE, QUANTITY, @ PRICE, REASON";
    QTest::newRow("too many decimals in an expectation")
        << "expect added A 100 @ 12.511"
        << "test.scenario:4:22: error: price '12.511' has 3 decimal places, but ABC prices "
           "have 2";
    QTest::newRow("level without its x")
        << "expect book ABC asks 12.51 100"
        << "test.scenario:4:28: error: expected 'x' between the price and the quantity, such "
           "as 12.51x100";
    QTest::newRow("word after the end")
        << "cancel A B"
        << "test.scenario:4:10: error: unexpected 'B' after the end of the command";
    QTest::newRow("unknown order state")
        << "expect order A sleeping"
        << "test.scenario:4:16: error: unknown order state 'sleeping'; expected resting, "
           "parked or gone";

    // Options that would have no effect.
    QTest::newRow("protection on a limit order")
        << "buy ABC 1 @ 12.50 protection 12.60"
        << "test.scenario:4:19: error: 'protection' applies only to market and stop orders: "
           "the limit price already bounds the fills of this order";
    QTest::newRow("protection on a stop-limit order")
        << "sell ABC 1 @ 12.40 stop 12.45 protection 12.30"
        << "test.scenario:4:31: error: 'protection' applies only to market and stop orders: "
           "the limit price already bounds the fills of this order";
    QTest::newRow("protection price zero")
        << "buy ABC 1 market protection 0"
        << "test.scenario:4:29: error: protection price 0 sets no bound; leave out "
           "'protection' for an order without one";
    QTest::newRow("display size zero")
        << "buy ABC 10 @ 12.50 display 0"
        << "test.scenario:4:28: error: display size 0 shows nothing; leave out 'display' for "
           "an order that shows its whole size";
    QTest::newRow("display size equal to the quantity")
        << "buy ABC 10 @ 12.50 display 10"
        << "test.scenario:4:28: error: display size 10 is the whole quantity, so the order is "
           "no iceberg; leave out 'display' or give a smaller size";
    QTest::newRow("quote-only status")
        << "instrument XYZ tick 1 status quote-only"
        << "test.scenario:4:30: error: status quote-only comes only from replayed market data; "
           "expected open, pre-open, halted or closed";

    // Names and order numbers.
    QTest::newRow("order number zero")
        << "cancel #0"
        << "test.scenario:4:8: error: order number #0 does not exist: the orders of a file are "
           "numbered from #1";
    QTest::newRow("order number beyond 64 bits")
        << "cancel #99999999999999999999999"
        << "test.scenario:4:8: error: order number #99999999999999999999999 is out of range: "
           "numbers go up to #9223372036854775807";
    QTest::newRow("label starting with a digit")
        << "buy ABC 1 @ 12.50 as 1st"
        << "test.scenario:4:22: error: invalid order label '1st': expected up to 32 letters, "
           "digits, '_', '-' or '.', starting with a letter or '_', such as A or bid1, or the "
           "order's own #N";
    QTest::newRow("account name starting with a digit")
        << "account 9lives"
        << "test.scenario:4:9: error: invalid account name '9lives': expected up to 32 "
           "letters, digits, '_', '-' or '.', starting with a letter or '_'";

    // Durations: 2^63 - 1 ns is 2562047:47:16.854775807.
    QTest::newRow("duration beyond 64 bits")
        << "advance 10000000000000000000ns"
        << "test.scenario:4:9: error: duration '10000000000000000000ns' is out of range: the "
           "scenario clock ends at 2562047:47:16.854775807";
    QTest::newRow("duration finer than a nanosecond")
        << "advance 0.5ns"
        << "test.scenario:4:9: error: duration '0.5ns' is finer than a nanosecond, the "
           "resolution of the scenario clock";
    QTest::newRow("clock moved past its end")
        << "advance 2562047h\nadvance 1h"
        << "test.scenario:5:9: error: duration '1h' is out of range: the scenario clock at "
           "2562047:00:00.000 would pass its end at 2562047:47:16.854775807";
    QTest::newRow("expiry past the end of the clock")
        << "advance 2562047h\nbuy ABC 1 @ 12.50 until +1h"
        << "test.scenario:5:25: error: expiry '+1h' is out of range: the scenario clock at "
           "2562047:00:00.000 would pass its end at 2562047:47:16.854775807";

    // Echoed text is cut after 40 bytes, and bytes outside printable ASCII are escaped.
    QTest::newRow("long word is cut")
        << QString(50, QLatin1Char('x'))
        << "test.scenario:4:1: error: unknown command "
           "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'; expected one of: instrument, "
           "account, limits, kill, buy, sell, cancel, replace, pre-open, open, halt, close, "
           "at, advance, restart, expect, expectations, show";
    QTest::newRow("UTF-8 label is escaped")
        << QString::fromUtf8("buy ABC 1 @ 12.50 as \xc3\x84")
        << "test.scenario:4:22: error: invalid order label '\\xc3\\x84': expected up to 32 "
           "letters, digits, '_', '-' or '.', starting with a letter or '_', such as A or "
           "bid1, or the order's own #N";
    QTest::newRow("backslash is escaped")
        << "buy ABC 1 @ 12.50 as a\\b"
        << "test.scenario:4:22: error: invalid order label 'a\\\\b': expected up to 32 "
           "letters, digits, '_', '-' or '.', starting with a letter or '_', such as A or "
           "bid1, or the order's own #N";
    QTest::newRow("NUL byte is escaped")
        << QString::fromLatin1("buy ABC 1 @ 12.50\0 as A", 23)
        << "test.scenario:4:13: error: invalid limit price '12.50\\x00': expected a decimal "
           "number such as 12.51";
}

void ScenarioTest::malformedLineIsReported()
{
    QFETCH(QString, line);
    QFETCH(QString, error);

    const ParseResult result =
        parseScenario(std::string(kHeader) + line.toStdString() + "\n", "test.scenario");
    QCOMPARE(errorsOf(result), error);
}

void ScenarioTest::expectationBeforeFirstCommandIsReported_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");

    QTest::newRow("expect nothing")
        << "# a comment\nexpect nothing\ninstrument X tick 1\n"
        << "test.scenario:2:1: error: 'expect nothing' comes before the first command, so it "
           "has no events to check; an event expectation checks the command above it";
    QTest::newRow("expect no more events")
        << "expect no more events\n"
        << "test.scenario:1:1: error: 'expect no more events' comes before the first command, "
           "so it has no events to check; an event expectation checks the command above it";
    QTest::newRow("event expectation")
        << "  expect rejected #1 unknown-order\n"
        << "test.scenario:1:3: error: 'expect rejected' comes before the first command, so it "
           "has no events to check; an event expectation checks the command above it";
    // A command that is itself malformed still counts, so its error is the only one.
    QTest::newRow("after a malformed command")
        << "instrument X tick 1\nbuy X 1.5 @ 1\nexpect nothing\n"
        << "test.scenario:2:7: error: quantity '1.5' has 1 decimal place, but X quantities "
           "have 0";
}

void ScenarioTest::expectationBeforeFirstCommandIsReported()
{
    QFETCH(QString, text);
    QFETCH(QString, error);

    QCOMPARE(errorsOf(parseScenario(text.toStdString(), "test.scenario")), error);
}

// Every error is reported, not only the first, up to kMaximumParseErrors.
void ScenarioTest::everyErrorIsReported()
{
    const ParseResult two = parseScenario("instrument X tick 1\n"
                                          "buy X 1.5 @ 1\n"
                                          "sell Y 1 @ 1\n",
                                          "two.scenario");
    QCOMPARE(two.errors.size(), 2u);
    QCOMPARE(two.errors[0].location.line, 2u);
    QCOMPARE(two.errors[1].location.line, 3u);

    std::string many = "instrument X tick 1\n";
    for (int i = 0; i < 30; ++i)
        many += "nonsense\n";
    const ParseResult capped = parseScenario(many, "many.scenario");
    QCOMPARE(capped.errors.size(), kMaximumParseErrors);

    const ParseResult missing = loadScenario("/nonexistent/file.scenario");
    QCOMPARE(errorsOf(missing),
             QStringLiteral("/nonexistent/file.scenario: error: cannot open the file for reading"));

    const std::string folder = BOURSE_SOURCE_DIR "/tests/scenarios";
    QCOMPARE(errorsOf(loadScenario(folder)),
             QString::fromStdString(folder + ": error: is a directory, not a scenario file"));
}

void ScenarioTest::printedLineParsesAsExpectation_data()
{
    QTest::addColumn<QString>("line");

    // Written by hand in the format of formatText. Each must parse back as an expectation
    // that prints the same.
    QTest::newRow("accepted") << "accepted B buy ABC 150 @ 12.52 ioc account alice client-id 7";
    QTest::newRow("accepted market") << "accepted B sell ABC 5 market gtc protection 12.40";
    QTest::newRow("accepted gtd") << "accepted B buy ABC 5 @ 12.52 gtd until 10:15:00.000";
    QTest::newRow("added") << "added A sell 100 @ 12.51";
    QTest::newRow("rejected") << "rejected B price-not-on-tick account alice client-id 7";
    QTest::newRow("rejected instrument") << "rejected ABC invalid-instrument";
    QTest::newRow("cancelled") << "cancelled B buy 50 @ 12.52 unfilled";
    QTest::newRow("reduced") << "reduced A sell @ 12.51 by 20 left 80";
    QTest::newRow("trade") << "trade ABC 100 @ 12.51 maker A taker B buy notional 1251.00 "
                              "maker-left 0 maker-account alice taker-account alice";
    QTest::newRow("status") << "status ABC halted";
    QTest::newRow("replaced") << "replaced A sell 60 @ 12.51 was 12.51 priority kept";
    QTest::newRow("replaced stop order") << "replaced B buy 10 stop 12.60 priority lost";
    QTest::newRow("parked") << "parked B buy 5 stop 12.60";
    QTest::newRow("triggered") << "triggered B last 12.60";
    QTest::newRow("refilled") << "refilled A sell 20 @ 12.51 reserve 60";
    QTest::newRow("uncrossed") << "uncrossed ABC 250 @ 10.05";
    QTest::newRow("instrument-added")
        << "instrument-added ABC tick 0.01 lot 1 price-decimals 2 quantity-decimals 0 "
           "multiplier 1 min 1 max 1000000000000 band 0bp status open";
    QTest::newRow("account-configured") << "account-configured alice stp cancel-newest";
    QTest::newRow("risk-limits")
        << "risk-limits alice order-size 1000 order-notional 100000.00 band 300bp open-orders 25 "
           "rate 10 daily-loss 2500.00 buying-power 50000.00";
    QTest::newRow("risk-limits override") << "risk-limits alice ABC long 0 short 5 band 0bp";
    QTest::newRow("kill-switch") << "kill-switch alice scope cancel-all";
    QTest::newRow("risk-rejected")
        << "risk-rejected B rule position-long scope account-default buy current 700 working 200 "
           "this-order 101 would-be 1001 limit 1000 account alice client-id 7";
    QTest::newRow("risk-rejected kill switch")
        << "risk-rejected B rule kill-switch scope global kill-switch pause";
    QTest::newRow("risk-alert") << "risk-alert alice ABC rule position-short scope "
                                   "instrument-override level warning use 80 limit 100 "
                                   "utilization 80.00%";
}

void ScenarioTest::printedLineParsesAsExpectation()
{
    QFETCH(QString, line);

    const Scenario scenario = parsed(std::string(kHeader) + "buy ABC 150 @ 12.52 as B\n" +
                                     "expect " + line.toStdString() + "\n");
    const auto expectations = commandsOf<ExpectEventCommand>(scenario);
    QCOMPARE(expectations.size(), 1u);
    QCOMPARE(QString::fromStdString(formatText(expectations[0].pattern)), line);
}

void ScenarioTest::tradeJsonHasStableKeys()
{
    EventNames names;
    InstrumentDefinition definition;
    definition.id = InstrumentId{1};
    definition.priceDecimals = 2;
    definition.symbol = {'A', 'B', 'C'};
    names.addInstrument(definition);
    names.nameOrder(OrderId{1}, "A");
    names.nameOrder(OrderId{2}, "B");
    names.nameAccount(AccountId{1}, "alice");

    const Trade trade{OrderId{1},    OrderId{2},  Side::Buy,    Price{1251},
                      Quantity{100}, Quantity{0}, AccountId{1}, AccountId{0}};
    const Event event{7, Timestamp{34'200'250'000'000}, InstrumentId{1}, trade};
    QCOMPARE(formatEvent(event, names),
             std::string("trade ABC 100 @ 12.51 maker A taker B buy notional 1251.00 "
                         "maker-left 0 maker-account alice"));
    QCOMPARE(formatEventJson(event, names),
             std::string("{\"sequence\":7,\"time\":\"09:30:00.250\",\"time_ns\":34200250000000,"
                         "\"event\":\"trade\",\"instrument\":\"ABC\",\"quantity\":\"100\","
                         "\"price\":\"12.51\",\"maker\":\"A\",\"taker\":\"B\","
                         "\"aggressor\":\"buy\",\"notional\":\"1251.00\","
                         "\"maker_remaining\":\"0\",\"maker_account\":\"alice\"}"));
}

// A Stop order enters as a market order: its replace has no limit price to print.
void ScenarioTest::stopOrderReplaceShowsNoLimit()
{
    EventNames names;
    InstrumentDefinition definition;
    definition.id = InstrumentId{1};
    definition.priceDecimals = 2;
    definition.symbol = {'A', 'B', 'C'};
    names.addInstrument(definition);
    names.nameOrder(OrderId{4}, "S");

    const OrderReplaced replaced{OrderId{4},   Side::Buy,   Price{0},           Price{0},
                                 Quantity{10}, Price{1260}, QueuePriority::Lost};
    const Event event{9, Timestamp{0}, InstrumentId{1}, replaced};
    QCOMPARE(formatEvent(event, names), std::string("replaced S buy 10 stop 12.60 priority lost"));
    QCOMPARE(formatEventJson(event, names),
             std::string("{\"sequence\":9,\"time\":\"00:00:00.000\",\"time_ns\":0,"
                         "\"event\":\"replaced\",\"order\":\"S\",\"side\":\"buy\","
                         "\"quantity\":\"10\",\"stop\":\"12.60\",\"priority\":\"lost\","
                         "\"instrument\":\"ABC\"}"));
}

void ScenarioTest::jsonQuotingKeepsUtf8Valid_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("json");

    QTest::newRow("plain ASCII") << QByteArray("ABC") << QByteArray("\"ABC\"");
    QTest::newRow("quote, backslash and newline")
        << QByteArray("a\"b\\c\n") << QByteArray("\"a\\\"b\\\\c\\u000a\"");
    // U+00E9, U+20AC and U+1F600 in two, three and four bytes stay as they are.
    QTest::newRow("valid multibyte sequences")
        << QByteArray("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80")
        << QByteArray("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
    QTest::newRow("byte 0xff") << QByteArray("A\xffZ") << QByteArray("\"A\\u00ffZ\"");
    QTest::newRow("stray continuation byte") << QByteArray("\x80") << QByteArray("\"\\u0080\"");
    QTest::newRow("overlong NUL") << QByteArray("\xc0\x80") << QByteArray("\"\\u00c0\\u0080\"");
    QTest::newRow("UTF-16 surrogate")
        << QByteArray("\xed\xa0\x80") << QByteArray("\"\\u00ed\\u00a0\\u0080\"");
    QTest::newRow("above U+10FFFF")
        << QByteArray("\xf4\x90\x80\x80") << QByteArray("\"\\u00f4\\u0090\\u0080\\u0080\"");
    QTest::newRow("sequence cut at the end")
        << QByteArray("\xe2\x82") << QByteArray("\"\\u00e2\\u0082\"");
}

void ScenarioTest::jsonQuotingKeepsUtf8Valid()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, json);

    const std::string quoted = jsonQuoted(text.toStdString());
    QCOMPARE(QByteArray::fromStdString(quoted), json);
}

// An instrument whose symbol and currency hold bytes that are not UTF-8, as a definition from
// outside a scenario may, still gives a JSON object that a strict parser reads.
void ScenarioTest::eventJsonWithInvalidUtf8Parses()
{
    EventNames names;
    InstrumentDefinition definition;
    definition.id = InstrumentId{1};
    definition.symbol = {'A', '"', '\n', static_cast<char>(0xff), 'Z'};
    definition.currency = {'U', static_cast<char>(0xc3)};
    names.addInstrument(definition);
    const Event event{1, Timestamp{0}, InstrumentId{1}, InstrumentAdded{definition}};

    const std::string json = formatEventJson(event, names);
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray::fromStdString(json), &error);
    QVERIFY2(error.error == QJsonParseError::NoError, json.c_str());
    const QJsonObject object = document.object();
    QCOMPARE(object.value(QStringLiteral("instrument")).toString(), QStringLiteral("A\"\n\u00ffZ"));
    QCOMPARE(object.value(QStringLiteral("currency")).toString(), QStringLiteral("U\u00c3"));
}

namespace {

// ABC with two price and two quantity decimals, alice with two money decimals, and order B.
EventNames riskEventNames()
{
    EventNames names;
    InstrumentDefinition definition;
    definition.id = InstrumentId{1};
    definition.priceDecimals = 2;
    definition.quantityDecimals = 2;
    definition.symbol = {'A', 'B', 'C'};
    names.addInstrument(definition);
    AccountSettings alice;
    alice.id = AccountId{3};
    alice.moneyDecimals = 2;
    names.addAccount(alice);
    names.nameAccount(AccountId{3}, "alice");
    names.nameOrder(OrderId{5}, "B");
    return names;
}

Event riskEvent(std::uint32_t instrument, EventPayload payload)
{
    return Event{1, Timestamp{0}, InstrumentId{instrument}, std::move(payload)};
}

RiskRejected riskRejection(RiskRule rule, LimitScope scope, RiskUnit unit, std::uint8_t decimals)
{
    RiskRejected rejected;
    rejected.id = OrderId{5};
    rejected.account = AccountId{3};
    rejected.rule = rule;
    rejected.scope = scope;
    rejected.unit = unit;
    rejected.decimals = decimals;
    return rejected;
}

} // namespace

// Quantities print in the event instrument's decimals, or for an account's defaults in the
// decimals all instruments share, money in the account's decimals, and a decision's values in
// its own unit.
void ScenarioTest::riskEventLine_data()
{
    QTest::addColumn<Event>("event");
    QTest::addColumn<QString>("line");

    RiskLimits defaults;
    defaults.maximumOrderQuantity = Quantity{1'000};
    defaults.maximumOrderNotional = Money{10'000'000};
    defaults.maximumLongPosition = Quantity{5'000};
    defaults.priceBandBasisPoints = 300;
    defaults.maximumOpenOrders = 25;
    defaults.dailyLossLimit = Money{250'000};
    QTest::newRow("account defaults, enabled limits only")
        << riskEvent(0, RiskLimitsSet{AccountId{3}, defaults, 0})
        << "risk-limits alice order-size 10.00 order-notional 100000.00 long 50.00 band 300bp "
           "open-orders 25 daily-loss 2500.00";

    RiskLimits instrumentLimits;
    instrumentLimits.maximumOrderQuantity = Quantity{150};
    instrumentLimits.maximumLongPosition = Quantity{7'000};
    instrumentLimits.maximumShortPosition = Quantity{20'000};
    instrumentLimits.maximumOpenOrders = 3;
    instrumentLimits.dailyLossLimit = Money{999};
    const auto overridden =
        static_cast<std::uint16_t>(static_cast<unsigned>(RiskLimitField::OrderQuantity) |
                                   static_cast<unsigned>(RiskLimitField::ShortPosition) |
                                   static_cast<unsigned>(RiskLimitField::PriceBand) |
                                   static_cast<unsigned>(RiskLimitField::OpenOrders));
    QTest::newRow("instrument override, marked fields with zeros")
        << riskEvent(1, RiskLimitsSet{AccountId{3}, instrumentLimits, overridden})
        << "risk-limits alice ABC order-size 1.50 short 200.00 band 0bp open-orders 3";
    QTest::newRow("instrument override cleared")
        << riskEvent(1, RiskLimitsSet{AccountId{3}, instrumentLimits, 0})
        << "risk-limits alice ABC";

    QTest::newRow("account kill switch")
        << riskEvent(0, KillSwitchChanged{AccountId{3}, KillSwitchScope::Pause})
        << "kill-switch alice scope pause";
    QTest::newRow("global kill switch")
        << riskEvent(0, KillSwitchChanged{AccountId{0}, KillSwitchScope::Flatten})
        << "kill-switch all scope flatten";
    QTest::newRow("kill switch reset")
        << riskEvent(0, KillSwitchChanged{AccountId{3}, KillSwitchScope::None})
        << "kill-switch alice scope none";

    RiskRejected position =
        riskRejection(RiskRule::PositionLong, LimitScope::AccountDefault, RiskUnit::Quantity, 2);
    position.clientOrderId = ClientOrderId{7};
    position.current = 70'000;
    position.working = 20'000;
    position.order = 10'100;
    position.wouldBe = 100'100;
    position.limit = 100'000;
    QTest::newRow("position limit")
        << riskEvent(1, position)
        << "risk-rejected B rule position-long scope account-default buy current 700.00 "
           "working 200.00 this-order 101.00 would-be 1001.00 limit 1000.00 account alice "
           "client-id 7";

    RiskRejected band =
        riskRejection(RiskRule::PriceBand, LimitScope::InstrumentOverride, RiskUnit::Price, 2);
    band.current = 10'000;
    band.order = 10'301;
    band.wouldBe = 301;
    band.limit = 300;
    QTest::newRow("price band in basis points")
        << riskEvent(1, band)
        << "risk-rejected B rule price-band scope instrument-override current 100.00 "
           "this-order 103.01 would-be 301bp limit 300bp account alice";

    RiskRejected openOrders =
        riskRejection(RiskRule::OpenOrders, LimitScope::AccountDefault, RiskUnit::Count, 0);
    openOrders.current = 3;
    openOrders.order = 1;
    openOrders.wouldBe = 4;
    openOrders.limit = 3;
    QTest::newRow("open orders counted")
        << riskEvent(1, openOrders)
        << "risk-rejected B rule open-orders scope account-default current 3 this-order 1 "
           "would-be 4 limit 3 account alice";

    RiskRejected loss =
        riskRejection(RiskRule::DailyLoss, LimitScope::AccountDefault, RiskUnit::Money, 2);
    loss.current = -60'000;
    loss.working = -40'001;
    loss.wouldBe = 100'001;
    loss.limit = 100'000;
    QTest::newRow("daily loss in money")
        << riskEvent(1, loss)
        << "risk-rejected B rule daily-loss scope account-default current -600.00 "
           "working -400.01 would-be 1000.01 limit 1000.00 account alice";

    RiskRejected killed =
        riskRejection(RiskRule::KillSwitch, LimitScope::Global, RiskUnit::None, 0);
    killed.killSwitch = KillSwitchScope::CancelAll;
    QTest::newRow("global kill switch rejects")
        << riskEvent(1, killed)
        << "risk-rejected B rule kill-switch scope global kill-switch cancel-all account alice";

    QTest::newRow("alert on a position")
        << riskEvent(1, RiskAlert{AccountId{3}, RiskRule::PositionLong, LimitScope::AccountDefault,
                                  RiskAlertLevel::Warning, 85'000, 100'000, 8'500})
        << "risk-alert alice ABC rule position-long scope account-default level warning "
           "use 850.00 limit 1000.00 utilization 85.00%";
    QTest::newRow("alert on the account's daily loss")
        << riskEvent(0, RiskAlert{AccountId{3}, RiskRule::DailyLoss, LimitScope::AccountDefault,
                                  RiskAlertLevel::Breach, 100'001, 100'000, 10'000})
        << "risk-alert alice rule daily-loss scope account-default level breach use 1000.01 "
           "limit 1000.00 utilization 100.00%";
    QTest::newRow("alert cleared on open orders")
        << riskEvent(1,
                     RiskAlert{AccountId{3}, RiskRule::OpenOrders, LimitScope::InstrumentOverride,
                               RiskAlertLevel::Normal, 2, 3, 6'666})
        << "risk-alert alice ABC rule open-orders scope instrument-override level normal use 2 "
           "limit 3 utilization 66.66%";
}

void ScenarioTest::riskEventLine()
{
    QFETCH(Event, event);
    QFETCH(QString, line);

    QCOMPARE(QString::fromStdString(formatEvent(event, riskEventNames())), line);
}

void ScenarioTest::riskRejectedJsonHasStableKeys()
{
    RiskRejected rejected =
        riskRejection(RiskRule::PositionShort, LimitScope::AccountDefault, RiskUnit::Quantity, 2);
    rejected.side = Side::Sell;
    rejected.current = -30'000;
    rejected.working = 50'000;
    rejected.order = 20'100;
    rejected.wouldBe = 100'100;
    rejected.limit = 100'000;
    const Event event{12, Timestamp{0}, InstrumentId{1}, rejected};

    QCOMPARE(formatEventJson(event, riskEventNames()),
             std::string("{\"sequence\":12,\"time\":\"00:00:00.000\",\"time_ns\":0,"
                         "\"event\":\"risk-rejected\",\"order\":\"B\",\"instrument\":\"ABC\","
                         "\"rule\":\"position-short\",\"scope\":\"account-default\","
                         "\"side\":\"sell\",\"current\":\"-300.00\",\"working\":\"500.00\","
                         "\"this_order\":\"201.00\",\"would_be\":\"1001.00\","
                         "\"limit\":\"1000.00\",\"account\":\"alice\"}"));
}

// An account's default quantity limit counts lots of whatever instrument an order names, so with
// instruments of two quantity scales no decimal text fits them all.
void ScenarioTest::accountLimitsInLotsWhenDecimalsDiffer()
{
    EventNames names = riskEventNames();
    InstrumentDefinition whole;
    whole.id = InstrumentId{2};
    whole.symbol = {'X', 'Y', 'Z'};
    names.addInstrument(whole);
    RiskLimits limits;
    limits.maximumOrderQuantity = Quantity{1'050};
    limits.maximumShortPosition = Quantity{7};

    const Event event = riskEvent(0, RiskLimitsSet{AccountId{3}, limits, 0});
    QCOMPARE(formatEvent(event, names), std::string("risk-limits alice order-size 1050 short 7"));
    QCOMPARE(formatEvent(event, riskEventNames()),
             std::string("risk-limits alice order-size 10.50 short 0.07"));
}

void ScenarioTest::passingScenarioPasses()
{
    const Scenario scenario =
        parsed(std::string(kHeader) + "buy ABC 150 @ 12.52 ioc as B\n"
                                      "expect trade ABC 100 @ 12.51 maker A taker B buy\n"
                                      "expect cancelled B 50 unfilled\n"
                                      "expect book ABC asks none bids none\n");
    const RunOutput result = run(scenario);
    QCOMPARE(result.diagnostics, QString());
    QCOMPARE(result.summary.failures, 0u);
    QCOMPARE(result.summary.expectations, 3u);
    QVERIFY(result.output.contains(QStringLiteral("line 4: buy ABC 150 @ 12.52 ioc as B\n")));
    QVERIFY(result.output.contains(
        QStringLiteral(" 00:00:00.000 trade ABC 100 @ 12.51 maker A taker B buy")));
}

// The scenario file is wrong on purpose. Its run must fail at line 6 and name what it expected,
// what came and which field differs.
void ScenarioTest::wrongExpectationFailsWithMessage()
{
    const QString path =
        sourcePath(QStringLiteral("tests/scenarios/failing/wrong_expectation.scenario"));
    const ParseResult parsedFile = loadScenario(path.toStdString());
    QVERIFY2(parsedFile.ok(), qPrintable(errorsOf(parsedFile)));

    const RunOutput result = run(parsedFile.scenario);
    QCOMPARE(result.summary.failures, 1u);
    const QString expected =
        path + QStringLiteral(":6:1: error: expected event not found\n"
                              "  expected: trade ABC 100 @ 12.50 maker A taker B buy\n"
                              "  got:      trade ABC 100 @ 12.51 maker A taker B buy notional "
                              "1251.00 maker-left 0\n"
                              "            price: expected 12.50, got 12.51\n"
                              "  events of line 5 (buy ABC 150 @ 12.52 ioc as B):\n");
    QVERIFY2(result.diagnostics.startsWith(expected), qPrintable(result.diagnostics));
    QVERIFY2(result.diagnostics.contains(QStringLiteral(
                 "  > trade ABC 100 @ 12.51 maker A taker B buy notional 1251.00 maker-left 0\n")),
             qPrintable(result.diagnostics));
    QVERIFY(result.output.contains(QStringLiteral(": FAILED, 2 expectations, 1 failures")));
}

// Cash, fees, position, average and P&L expectations can fail, each with what it expected and
// what the portfolio holds. By hand: 10 @ 100 with a taker fee of 4 bp is a fee of 0.40.
void ScenarioTest::wrongAccountExpectationsFail()
{
    const Scenario scenario =
        parsed("instrument ABC tick 1 lot 1 currency USD\n"
               "account street\n"
               "account trader margin USD decimals 2 balance 100 taker 4bp\n"
               "sell ABC 10 @ 100 account street\n"
               "buy ABC 10 @ 100 account trader\n"
               "expect account trader cash 99.60 fees 0.40\n"
               "expect position trader ABC 10 average 100.0 realized 0 unrealized 10 at 101\n"
               "expect account trader cash 99.61\n"
               "expect account trader fees 0.41\n"
               "expect position trader ABC 9\n"
               "expect position trader ABC 10 average 100.5\n"
               "expect position trader ABC 10 realized 1\n"
               "expect position trader ABC 10 unrealized 11 at 101\n");

    const RunOutput result = run(scenario);
    QCOMPARE(result.summary.expectations, 8u);
    QCOMPARE(result.summary.failures, 6u);
    const QStringList messages = {
        QStringLiteral("test.scenario:8:1: error: account trader differs\n"
                       "  expected: cash 99.61\n  got:      cash 99.60\n"),
        QStringLiteral("test.scenario:9:1: error: account trader differs\n"
                       "  expected: fees 0.41\n  got:      fees 0.40\n"),
        QStringLiteral("test.scenario:10:1: error: position trader ABC differs\n"
                       "  expected: 9\n  got:      10\n"),
        QStringLiteral("  expected: 10 average 100.5\n  got:      10 average 100.0\n"),
        QStringLiteral("  expected: 10 realized 1.00\n  got:      10 realized 0.00\n"),
        QStringLiteral("  expected: 10 unrealized 11.00 at 101\n"
                       "  got:      10 unrealized 10.00 at 101\n"),
    };
    for (const QString &message : messages)
        QVERIFY2(result.diagnostics.contains(message), qPrintable(result.diagnostics));
}

void ScenarioTest::unexpectedEventFailsInStrictMode()
{
    const QString path =
        sourcePath(QStringLiteral("tests/scenarios/failing/unexpected_event.scenario"));
    const ParseResult parsedFile = loadScenario(path.toStdString());
    QVERIFY2(parsedFile.ok(), qPrintable(errorsOf(parsedFile)));

    const RunOutput result = run(parsedFile.scenario);
    QCOMPARE(result.summary.failures, 1u);
    const QString expected =
        path + QStringLiteral(":6:1: error: unexpected events: line 5 (buy ABC 150 @ 12.52 ioc "
                              "as B) also produced\n"
                              "    cancelled B buy 50 ");
    QVERIFY2(result.diagnostics.startsWith(expected), qPrintable(result.diagnostics));
    QVERIFY2(result.diagnostics.contains(QStringLiteral(" unfilled\n")),
             qPrintable(result.diagnostics));
}

void ScenarioTest::lenientModeSkipsUnnamedEvents()
{
    const std::string body = "buy ABC 150 @ 12.52 ioc as B\n"
                             "expect cancelled B 50 unfilled\n";
    const RunOutput strict = run(parsed(std::string(kHeader) + body));
    QCOMPARE(strict.summary.failures, 1u);
    QVERIFY2(strict.diagnostics.startsWith(
                 QStringLiteral("test.scenario:5:1: error: expected event not found\n"
                                "  expected: cancelled B 50 unfilled\n"
                                "  got:      trade ABC 100 @ 12.51 maker A taker B buy")),
             qPrintable(strict.diagnostics));

    const RunOutput lenient = run(parsed(std::string(kHeader) + "expectations lenient\n" + body));
    QCOMPARE(lenient.diagnostics, QString());
    QCOMPARE(lenient.summary.failures, 0u);
}

void ScenarioTest::wrongBookFailsWithBothSides()
{
    const RunOutput result =
        run(parsed(std::string(kHeader) + "sell ABC 10 @ 12.51 as C\n"
                                          "expect book ABC asks 12.51x110 [C A] bids none\n"));
    QCOMPARE(result.summary.failures, 1u);
    QCOMPARE(result.diagnostics, QStringLiteral("test.scenario:5:1: error: book ABC differs\n"
                                                "  expected asks: 12.51x110 [C A]\n"
                                                "  actual asks:   12.51x110 [A C]\n"));
}

void ScenarioTest::commandLineExitStatus()
{
    const ProcessResult passing = runEngine(
        {QStringLiteral("run"),
         sourcePath(QStringLiteral("tests/scenarios/m1_cancel_of_cancelled_order.scenario"))});
    QCOMPARE(passing.exitCode, 0);
    QCOMPARE(passing.standardError, QString());

    const ProcessResult failing = runEngine(
        {QStringLiteral("run"),
         sourcePath(QStringLiteral("tests/scenarios/failing/wrong_expectation.scenario"))});
    QCOMPARE(failing.exitCode, 1);
    QVERIFY(failing.standardError.contains(
        QStringLiteral("wrong_expectation.scenario:6:1: error: expected event not found")));

    const QString malformed =
        sourcePath(QStringLiteral("tests/scenarios/failing/malformed.scenario"));
    const ProcessResult rejected = runEngine({QStringLiteral("run"), malformed});
    QCOMPARE(rejected.exitCode, 3);
    QCOMPARE(rejected.standardOutput, QString());
    QCOMPARE(rejected.standardError,
             malformed +
                 QStringLiteral(":3:16: error: limit price '12.515' has 3 decimal "
                                "places, but ABC prices have 2\n") +
                 malformed + QStringLiteral(": nothing was run\n"));

    QCOMPARE(runEngine({QStringLiteral("run")}).exitCode, 2);
    QCOMPARE(runEngine({QStringLiteral("run"), QStringLiteral("--xml"), malformed}).exitCode, 2);
    const ProcessResult snapshotsAlone =
        runEngine({QStringLiteral("run"), malformed, QStringLiteral("--snapshot-every"),
                   QStringLiteral("5")});
    QCOMPARE(snapshotsAlone.exitCode, 2);
    QVERIFY2(snapshotsAlone.standardError.startsWith(
                 QStringLiteral("bourse-engine run: --snapshot-every needs --journal JOURNAL\n")),
             qPrintable(snapshotsAlone.standardError));
    QCOMPARE(runEngine({QStringLiteral("run"), malformed, QStringLiteral("--journal")}).exitCode,
             2);
    QCOMPARE(
        runEngine({QStringLiteral("run"), malformed, QStringLiteral("--journal"),
                   QStringLiteral("j.db"), QStringLiteral("--snapshot-every"), QStringLiteral("0")})
            .exitCode,
        2);
    QCOMPARE(runEngine({QStringLiteral("run"), QStringLiteral("/nonexistent.scenario")}).exitCode,
             3);

    const QString folder = sourcePath(QStringLiteral("tests/scenarios"));
    const ProcessResult directory = runEngine({QStringLiteral("run"), folder});
    QCOMPARE(directory.exitCode, 3);
    QCOMPARE(directory.standardOutput, QString());
    QCOMPARE(directory.standardError,
             folder + QStringLiteral(": error: is a directory, not a scenario file\n") + folder +
                 QStringLiteral(": nothing was run\n"));
}

void ScenarioTest::commandLineJsonIsOneObjectPerLine()
{
    const ProcessResult result =
        runEngine({QStringLiteral("run"), QStringLiteral("--json"),
                   sourcePath(QStringLiteral("tests/scenarios/m4_decimal_sizes.scenario"))});
    QCOMPARE(result.exitCode, 0);

    const QStringList lines = result.standardOutput.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY(!lines.isEmpty());
    bool sawFirstTrade = false;
    for (const QString &line : lines) {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(line.toUtf8(), &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(line));
        const QJsonObject object = document.object();
        QVERIFY(object.contains(QStringLiteral("line")));
        QVERIFY(object.contains(QStringLiteral("sequence")));
        QVERIFY(object.contains(QStringLiteral("time_ns")));
        QVERIFY(object.contains(QStringLiteral("event")));
        if (object.value(QStringLiteral("event")).toString() == QStringLiteral("trade") &&
            !sawFirstTrade) {
            sawFirstTrade = true;
            QCOMPARE(object.value(QStringLiteral("line")).toInt(), 8);
            QCOMPARE(object.value(QStringLiteral("price")).toString(), QStringLiteral("0.30"));
            QCOMPARE(object.value(QStringLiteral("quantity")).toString(), QStringLiteral("16.90"));
            QCOMPARE(object.value(QStringLiteral("notional")).toString(), QStringLiteral("5.0700"));
            QCOMPARE(object.value(QStringLiteral("maker")).toString(), QStringLiteral("S"));
            QCOMPARE(object.value(QStringLiteral("taker")).toString(), QStringLiteral("B"));
        }
    }
    QVERIFY(sawFirstTrade);
}

// Every ```scenario block of docs/scenarios.md parses and passes, so the page and the parser
// cannot drift apart.
void ScenarioTest::documentationExamplesPass()
{
    QFile page(sourcePath(QStringLiteral("docs/scenarios.md")));
    QVERIFY2(page.open(QIODevice::ReadOnly), qPrintable(page.fileName()));
    const QString text = QString::fromUtf8(page.readAll());

    static const QRegularExpression block(QStringLiteral("```scenario\\n(.*?)```"),
                                          QRegularExpression::DotMatchesEverythingOption);
    int count = 0;
    for (auto match = block.globalMatch(text); match.hasNext();) {
        const QString source = match.next().captured(1);
        const std::string name = "docs/scenarios.md example " + std::to_string(++count);
        const ParseResult result = parseScenario(source.toStdString(), name);
        QVERIFY2(result.ok(), qPrintable(errorsOf(result)));
        const RunOutput output = run(result.scenario);
        QVERIFY2(output.summary.passed(), qPrintable(output.diagnostics));
    }
    QVERIFY(count >= 5);
}

void ScenarioTest::journaledRunPrintsSameText_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("window");

    const QString restart = QStringLiteral("tests/scenarios/f2_idempotent_after_snapshot.scenario");
    const QString failing = QStringLiteral("tests/scenarios/failing/wrong_expectation.scenario");
    QTest::newRow("restart, wait at the end") << restart << 256;
    QTest::newRow("restart, wait after every command") << restart << 1;
    QTest::newRow("failed expectation, wait at the end") << failing << 256;
    QTest::newRow("failed expectation, wait after every command") << failing << 1;
    QTest::newRow("stop cascade, wait after two commands")
        << QStringLiteral("tests/scenarios/stop_cascade.scenario") << 2;
}

// A journal delays what the run prints, never changes it, and no event is printed before the
// journal has committed it.
void ScenarioTest::journaledRunPrintsSameText()
{
    QFETCH(QString, file);
    QFETCH(int, window);
    const ParseResult parsedFile = loadScenario(sourcePath(file).toStdString());
    QVERIFY2(parsedFile.ok(), qPrintable(errorsOf(parsedFile)));
    const RunOutput plain = run(parsedFile.scenario);

    std::ostringstream output;
    RecordingJournal journal(output);
    const JournaledRunOutput journaled =
        runJournaled(parsedFile.scenario, journal, output, static_cast<std::size_t>(window));
    QCOMPARE(QString::fromStdString(journaled.output), plain.output);
    QCOMPARE(QString::fromStdString(journaled.diagnostics), plain.diagnostics);
    QCOMPARE(journaled.summary.failures, plain.summary.failures);
    QCOMPARE(static_cast<int>(journaled.summary.end), static_cast<int>(RunEnd::Completed));
    QVERIFY(!journal.printedBeforeCommit);
    QVERIFY(!journal.awaited.empty());
    QCOMPARE(journal.awaited.back(), journaled.summary.lastSequence);
    QCOMPARE(journal.committed, largestPrintedSequence(journaled.output));
    QCOMPARE(journal.attached, 1);
    QCOMPARE(journal.finished, 1);
}

void ScenarioTest::journaledRunWaitsPerWindow_data()
{
    QTest::addColumn<int>("window");
    QTest::addColumn<QList<SequenceNumber>>("awaited");

    QTest::newRow("one command") << 1 << QList<SequenceNumber>{1, 2, 4, 7, 8};
    QTest::newRow("two commands") << 2 << QList<SequenceNumber>{2, 7, 8};
    QTest::newRow("five commands") << 5 << QList<SequenceNumber>{8};
    QTest::newRow("more than the file") << 256 << QList<SequenceNumber>{8};
}

// Expectations need no wait of their own: the results are held with the events.
void ScenarioTest::journaledRunWaitsPerWindow()
{
    QFETCH(int, window);
    QFETCH(QList<SequenceNumber>, awaited);

    const Scenario scenario =
        parsed(std::string(kFiveCommands) + "expect rejected A unknown-order\n");
    std::ostringstream output;
    RecordingJournal journal(output);
    const JournaledRunOutput result =
        runJournaled(scenario, journal, output, static_cast<std::size_t>(window));
    QCOMPARE(result.diagnostics, std::string());
    QCOMPARE(QList<SequenceNumber>(journal.awaited.begin(), journal.awaited.end()), awaited);
    QVERIFY(!journal.printedBeforeCommit);
}

void ScenarioTest::journalFailureStopsRun()
{
    const Scenario scenario = parsed(kFiveCommands);
    const RunOutput plain = run(scenario);
    std::ostringstream output;
    RecordingJournal journal(output);
    journal.failingAwait = 3;
    const JournaledRunOutput result = runJournaled(scenario, journal, output, 1);

    // Commands 1 and 2 were committed and printed; command 3 ran, and its wait failed.
    const QString printed = QString::fromStdString(result.output);
    QCOMPARE(printed, plain.output.left(plain.output.indexOf(QStringLiteral("line 3:"))));
    QCOMPARE(result.diagnostics,
             std::string("test.scenario:3:1: error: the journal failed, so the run stops and "
                         "prints nothing about this line or the lines after it: journal.db: "
                         "sequence 7: disk full\n"
                         "test.scenario: FAILED, 0 expectations, 1 failures, 3 commands, "
                         "4 events\n"));
    QCOMPARE(static_cast<int>(result.summary.end), static_cast<int>(RunEnd::JournalFailed));
    QCOMPARE(result.summary.commands, 3u);
    QVERIFY(!result.summary.passed());
    QCOMPARE(journal.finished, 1);
}

// A failed expectation about an event that never became durable is not reported either, as the
// event itself is not printed.
void ScenarioTest::journalFailureHidesHeldResults()
{
    const Scenario scenario =
        parsed(std::string(kFiveCommands) + "expect accepted A buy\nshow book ABC\n");
    std::ostringstream output;
    RecordingJournal journal(output);
    journal.failingAwait = 1;
    const JournaledRunOutput result = runJournaled(scenario, journal, output);

    QCOMPARE(result.output, std::string());
    QVERIFY2(result.diagnostics.find("expected event not found") == std::string::npos,
             result.diagnostics.c_str());
    QVERIFY2(result.diagnostics.rfind("test.scenario:1:1: error: the journal failed", 0) == 0,
             result.diagnostics.c_str());
    QCOMPARE(result.summary.failures, 2u);
}

void ScenarioTest::journalFinishFailureFailsRun()
{
    const Scenario scenario = parsed(kFiveCommands);
    const RunOutput plain = run(scenario);
    std::ostringstream output;
    RecordingJournal journal(output);
    journal.finishFails = true;
    const JournaledRunOutput result = runJournaled(scenario, journal, output);

    // Every event was committed and printed, and the summary goes to standard error.
    const QString summaryLine = QStringLiteral("test.scenario: passed, 0 expectations, 0 failures, "
                                               "5 commands, 8 events\n");
    QVERIFY(plain.output.endsWith(summaryLine));
    QCOMPARE(QString::fromStdString(result.output), plain.output.chopped(summaryLine.size()));
    QCOMPARE(result.diagnostics,
             std::string("test.scenario: error: the journal failed when the run ended: "
                         "journal.db: sequence 7: disk full\n"
                         "test.scenario: FAILED, 0 expectations, 1 failures, 5 commands, "
                         "8 events\n"));
    QCOMPARE(static_cast<int>(result.summary.end), static_cast<int>(RunEnd::JournalFailed));
}

void ScenarioTest::failedJournalRestartStopsRun()
{
    const Scenario scenario =
        parsed(std::string(kHeader) + "restart from snapshot\nbuy ABC 10 @ 12.51 as B\n");
    const RunOutput plain = run(scenario);
    std::ostringstream output;
    RecordingJournal journal(output);
    journal.restartFailure = "the journal could not be read back: journal.db: damaged";
    const JournaledRunOutput result = runJournaled(scenario, journal, output);

    // The events before the restart were committed first, and nothing after it runs.
    const QString printed = QString::fromStdString(result.output);
    QCOMPARE(printed, plain.output.left(plain.output.indexOf(QStringLiteral("line 4:"))));
    QCOMPARE(result.diagnostics,
             std::string("test.scenario:4:1: error: restart failed, so the run stops: the journal "
                         "could not be read back: journal.db: damaged\n"
                         "test.scenario: FAILED, 0 expectations, 1 failures, 4 commands, "
                         "4 events\n"));
    QCOMPARE(journal.restarts, 1);
    QCOMPARE(journal.awaited, std::vector<SequenceNumber>{4});
    QCOMPARE(journal.finished, 1);
}

QTEST_GUILESS_MAIN(ScenarioTest)
#include "tst_scenario.moc"

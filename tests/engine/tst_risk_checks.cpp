// Pre-trade risk checks (engine/risk_checks.h). The instrument has prices at two decimals,
// whole-unit quantities and a multiplier of one, and accounts count money at two decimals, so
// an order of Q at price P (in cents) has a notional of P * Q cents. Every expected value and
// sentence below was worked out by hand from that rule.

#include "engine_printers.h"
#include "risk_checks.h"

#include <QTest>

#include <limits>
#include <vector>

using namespace bourse;

namespace bourse {

inline char *toString(Money amount)
{
    return QTest::toString(amount.value());
}
inline char *toString(RiskUpdateResult result)
{
    return qstrdup(std::string(nameOf(result)).c_str());
}
inline char *toString(KillSwitchScope scope)
{
    return qstrdup(std::string(nameOf(scope)).c_str());
}

} // namespace bourse

namespace {

constexpr InstrumentId kInstrument{7};
constexpr InstrumentId kOtherInstrument{8};
constexpr AccountId kAccount{1};
constexpr AccountId kOtherAccount{2};
constexpr Price kReference{10'000}; // 100.00

QString text(std::string_view view)
{
    return QString::fromUtf8(view.data(), static_cast<qsizetype>(view.size()));
}

InstrumentDefinition instrument(InstrumentId id)
{
    InstrumentDefinition definition;
    definition.id = id;
    definition.priceDecimals = 2;
    definition.quantityDecimals = 0;
    definition.tickSize = Price{1};
    definition.referencePrice = kReference;
    return definition;
}

RiskOrder order(Side side, std::int64_t price, std::int64_t quantity, std::int64_t time = 0,
                InstrumentId instrumentId = kInstrument)
{
    return RiskOrder{kAccount,     instrumentId,       side,
                     Price{price}, Quantity{quantity}, Timestamp{time}};
}

RiskOrder buy(std::int64_t price, std::int64_t quantity, std::int64_t time = 0)
{
    return order(Side::Buy, price, quantity, time);
}

RiskOrder sell(std::int64_t price, std::int64_t quantity, std::int64_t time = 0)
{
    return order(Side::Sell, price, quantity, time);
}

// An evaluator with two instruments and two accounts of the given type and limits.
RiskEvaluator evaluatorWith(const RiskLimits &limits, AccountType type = AccountType::Margin)
{
    RiskEvaluator evaluator;
    evaluator.addInstrument(instrument(kInstrument));
    evaluator.addInstrument(instrument(kOtherInstrument));
    evaluator.configureAccount({kAccount, type, 2, limits});
    evaluator.configureAccount({kOtherAccount, type, 2, limits});
    return evaluator;
}

// One rule at its edge: the last order that passes and the first that fails, from the same
// starting state. When acceptPassing is set, the passing order is accepted before the failing
// one is checked, for the rules that count orders.
struct Boundary {
    AccountType type = AccountType::Margin;
    RiskLimits limits;
    RiskLimitOverrides overrides;
    Quantity position;
    std::vector<RiskOrder> working;
    RiskAccountSnapshot passingSnapshot;
    RiskAccountSnapshot failingSnapshot;
    RiskOrder passing;
    RiskOrder failing;
    bool acceptPassing = false;
    RiskDecision expected;
    QString sentence;
};

RiskDecision expectedDecision(RiskRule rule, LimitScope scope, RiskUnit unit, int decimals,
                              std::int64_t current, std::int64_t working, std::int64_t orderValue,
                              std::int64_t wouldBe, std::int64_t limit)
{
    RiskDecision decision;
    decision.rule = rule;
    decision.scope = scope;
    decision.unit = unit;
    decision.decimals = static_cast<std::uint8_t>(decimals);
    decision.current = current;
    decision.working = working;
    decision.order = orderValue;
    decision.wouldBe = wouldBe;
    decision.limit = limit;
    return decision;
}

} // namespace

Q_DECLARE_METATYPE(Boundary)
Q_DECLARE_METATYPE(RiskOrder)
Q_DECLARE_METATYPE(RiskRule)
Q_DECLARE_METATYPE(RiskAccountSettings)
Q_DECLARE_METATYPE(RiskUpdateResult)
Q_DECLARE_METATYPE(RiskPairCounters)

class RiskChecksTest : public QObject {
    Q_OBJECT

private slots:
    void ruleBoundary_data();
    void ruleBoundary();
    void invalidInputIsRejected_data();
    void invalidInputIsRejected();
    void invalidConfigurationIsRejected_data();
    void invalidConfigurationIsRejected();
    void marketOrderUsesReferencePrice();
    void cashAccountSellNeedsHoldingsNotCash();
    void killSwitchBlocksUntilReset();
    void killSwitchOnlyEscalates();
    void globalKillSwitchBlocksEveryAccount();
    void checkChangesNothing();
    void updatesMoveCounters_data();
    void updatesMoveCounters();
    void invalidUpdatesAreRejected();
    void releaseDropsRoundingResidue();
    void rateWindowBoundary_data();
    void rateWindowBoundary();
    void rateWindowCount_data();
    void rateWindowCount();
    void instrumentRateOverride();
    void utilizationReport();
    void utilizationBasisPoints_data();
    void utilizationBasisPoints();
    void thresholdCrossings_data();
    void thresholdCrossings();
};

void RiskChecksTest::ruleBoundary_data()
{
    QTest::addColumn<Boundary>("boundary");

    {
        Boundary row;
        row.limits.maximumOrderQuantity = Quantity{1'000};
        row.passing = buy(10'000, 1'000);
        row.failing = buy(10'000, 1'001);
        row.expected = expectedDecision(RiskRule::OrderQuantity, LimitScope::AccountDefault,
                                        RiskUnit::Quantity, 0, 0, 0, 1'001, 1'001, 1'000);
        row.sentence = "rejected: order size, 1,001 against the account limit of 1,000";
        QTest::newRow("order size 1000 passes, 1001 fails") << row;
    }
    {
        Boundary row;
        row.limits.maximumOrderQuantity = Quantity{1'000};
        row.overrides.maximumOrderQuantity = Quantity{500};
        row.passing = buy(10'000, 500);
        row.failing = buy(10'000, 501);
        row.expected = expectedDecision(RiskRule::OrderQuantity, LimitScope::InstrumentOverride,
                                        RiskUnit::Quantity, 0, 0, 0, 501, 501, 500);
        row.sentence = "rejected: order size, 501 against the instrument limit of 500";
        QTest::newRow("order size override 500 passes, 501 fails") << row;
    }
    {
        // 1,000 at 100.00 is 100,000.00; 1,001 is 100,100.00.
        Boundary row;
        row.limits.maximumOrderNotional = Money{10'000'000};
        row.passing = buy(10'000, 1'000);
        row.failing = buy(10'000, 1'001);
        row.expected =
            expectedDecision(RiskRule::OrderNotional, LimitScope::AccountDefault, RiskUnit::Money,
                             2, 0, 0, 10'010'000, 10'010'000, 10'000'000);
        row.sentence =
            "rejected: order notional, 100,100.00 against the account limit of 100,000.00";
        QTest::newRow("notional 100000.00 passes, 100100.00 fails") << row;
    }
    {
        // |103.01 - 100.00| * 10000 = 30,100 > 100.00 * 300 = 30,000 (both in cents).
        Boundary row;
        row.limits.priceBandBasisPoints = 300;
        row.passing = buy(10'300, 1);
        row.failing = buy(10'301, 1);
        row.expected = expectedDecision(RiskRule::PriceBand, LimitScope::AccountDefault,
                                        RiskUnit::Price, 2, 10'000, 0, 10'301, 301, 300);
        row.sentence = "rejected: price band, 103.01 is 301 bp from the reference 100.00 "
                       "against the account limit of 300 bp";
        QTest::newRow("band buy 103.00 passes, 103.01 fails") << row;
    }
    {
        Boundary row;
        row.limits.priceBandBasisPoints = 300;
        row.passing = sell(9'700, 1);
        row.failing = sell(9'699, 1);
        row.expected = expectedDecision(RiskRule::PriceBand, LimitScope::AccountDefault,
                                        RiskUnit::Price, 2, 10'000, 0, 9'699, 301, 300);
        row.sentence = "rejected: price band, 96.99 is 301 bp from the reference 100.00 "
                       "against the account limit of 300 bp";
        QTest::newRow("band sell 97.00 passes, 96.99 fails") << row;
    }
    {
        // 700 + 200 working + 100 = 1,000; with 101 it is 1,001.
        Boundary row;
        row.limits.maximumLongPosition = Quantity{1'000};
        row.position = Quantity{700};
        row.working = {buy(10'000, 200)};
        row.passing = buy(10'000, 100);
        row.failing = buy(10'000, 101);
        row.expected = expectedDecision(RiskRule::PositionLong, LimitScope::AccountDefault,
                                        RiskUnit::Quantity, 0, 700, 200, 101, 1'001, 1'000);
        row.sentence = "rejected: position limit, would be 1,001 long against the account "
                       "limit of 1,000 (position 700, open buys 200, this order 101)";
        QTest::newRow("long 1000 passes, 1001 fails") << row;
    }
    {
        // -300 - 500 working - 200 = -1,000; with 201 it is -1,001.
        Boundary row;
        row.limits.maximumShortPosition = Quantity{1'000};
        row.position = Quantity{-300};
        row.working = {sell(10'000, 500)};
        row.passing = sell(10'000, 200);
        row.failing = sell(10'000, 201);
        row.expected = expectedDecision(RiskRule::PositionShort, LimitScope::AccountDefault,
                                        RiskUnit::Quantity, 0, -300, 500, 201, 1'001, 1'000);
        row.expected.side = Side::Sell;
        row.sentence = "rejected: position limit, would be 1,001 short against the account "
                       "limit of 1,000 (position -300, open sells 500, this order 201)";
        QTest::newRow("short 1000 passes, 1001 fails") << row;
    }
    {
        Boundary row;
        row.limits.maximumOpenOrders = 3;
        row.working = {buy(10'000, 1), sell(10'100, 1)};
        row.passing = buy(9'900, 1);
        row.failing = buy(9'800, 1);
        row.acceptPassing = true;
        row.expected = expectedDecision(RiskRule::OpenOrders, LimitScope::AccountDefault,
                                        RiskUnit::Count, 0, 3, 0, 1, 4, 3);
        row.sentence = "rejected: open orders, would be 4 against the account limit of 3";
        QTest::newRow("open orders 3rd passes, 4th fails") << row;
    }
    {
        Boundary row;
        row.limits.maximumOpenOrders = 10;
        row.overrides.maximumOpenOrders = 2;
        row.working = {buy(10'000, 1)};
        row.passing = buy(9'900, 1);
        row.failing = buy(9'800, 1);
        row.acceptPassing = true;
        row.expected = expectedDecision(RiskRule::OpenOrders, LimitScope::InstrumentOverride,
                                        RiskUnit::Count, 0, 2, 0, 1, 3, 2);
        row.sentence = "rejected: open orders, would be 3 against the instrument limit of 2";
        QTest::newRow("open orders override 2nd passes, 3rd fails") << row;
    }
    {
        Boundary row;
        row.limits.maximumOrdersPerSecond = 3;
        row.working = {buy(10'000, 1, 100), buy(10'000, 1, 200)};
        row.passing = buy(10'000, 1, 300);
        row.failing = buy(10'000, 1, 400);
        row.acceptPassing = true;
        row.expected = expectedDecision(RiskRule::OrderRate, LimitScope::AccountDefault,
                                        RiskUnit::Count, 0, 3, 0, 1, 4, 3);
        row.sentence =
            "rejected: order rate, would be 4 orders in one second against the account limit of 3";
        QTest::newRow("rate 3rd in a second passes, 4th fails") << row;
    }
    {
        // -600.00 - 400.00 is a loss of exactly the limit; one cent more fails.
        Boundary row;
        row.limits.dailyLossLimit = Money{100'000};
        row.passingSnapshot = {Money{}, Money{-60'000}, Money{-40'000}};
        row.failingSnapshot = {Money{}, Money{-60'000}, Money{-40'001}};
        row.passing = buy(10'000, 1);
        row.failing = buy(10'000, 1);
        row.expected = expectedDecision(RiskRule::DailyLoss, LimitScope::AccountDefault,
                                        RiskUnit::Money, 2, -60'000, -40'001, 0, 100'001, 100'000);
        row.sentence = "rejected: daily loss, a loss of 1,000.01 against the account limit of "
                       "1,000.00 (realized -600.00, unrealized -400.01)";
        QTest::newRow("loss 1000.00 passes, 1000.01 fails") << row;
    }
    {
        // Cash 10,000.00. Working: 40 at 100.00 = 4,000.00. 60 more fits exactly, 61 does not.
        Boundary row;
        row.type = AccountType::Cash;
        row.passingSnapshot = row.failingSnapshot = {Money{1'000'000}, Money{}, Money{}};
        row.working = {buy(10'000, 40)};
        row.passing = buy(10'000, 60);
        row.failing = buy(10'000, 61);
        row.expected =
            expectedDecision(RiskRule::BuyingPower, LimitScope::CashBalance, RiskUnit::Money, 2, 0,
                             400'000, 610'000, 1'010'000, 1'000'000);
        row.sentence = "rejected: buying power, would commit 10,100.00 against the cash balance "
                       "of 10,000.00 (working orders 4,000.00, this order 6,100.00)";
        QTest::newRow("cash buying power exact fit passes, one more fails") << row;
    }
    {
        // Buying power 50,000.00. Working: 100 at 100.00 and 200 at 101.00 = 30,200.00, so a
        // sell of 198 at 100.00 (19,800.00) fits exactly and 199 (19,900.00) does not.
        Boundary row;
        row.limits.marginBuyingPower = Money{5'000'000};
        row.working = {buy(10'000, 100), sell(10'100, 200)};
        row.passing = sell(10'000, 198);
        row.failing = sell(10'000, 199);
        row.expected =
            expectedDecision(RiskRule::BuyingPower, LimitScope::AccountDefault, RiskUnit::Money, 2,
                             0, 3'020'000, 1'990'000, 5'010'000, 5'000'000);
        row.expected.side = Side::Sell;
        row.sentence = "rejected: buying power, would commit 50,100.00 against the buying power "
                       "of 50,000.00 (working orders 30,200.00, this order 19,900.00)";
        QTest::newRow("margin buying power exact fit passes, one more fails") << row;
    }
}

void RiskChecksTest::ruleBoundary()
{
    QFETCH(Boundary, boundary);
    RiskEvaluator evaluator = evaluatorWith(boundary.limits, boundary.type);
    QCOMPARE(evaluator.setOverrides(kAccount, kInstrument, boundary.overrides),
             RiskUpdateResult::Ok);
    QCOMPARE(evaluator.setPosition(kAccount, kInstrument, boundary.position), RiskUpdateResult::Ok);
    for (const RiskOrder &working : boundary.working)
        QCOMPARE(evaluator.onOrderAccepted(working), RiskUpdateResult::Ok);

    QCOMPARE(evaluator.updateSnapshot(kAccount, boundary.passingSnapshot), RiskUpdateResult::Ok);
    const RiskDecision passed = evaluator.check(boundary.passing);
    QCOMPARE(text(nameOf(passed.rule)), text(nameOf(RiskRule::None)));
    QCOMPARE(text(describe(passed)), QString("passed"));
    if (boundary.acceptPassing)
        QCOMPARE(evaluator.onOrderAccepted(boundary.passing), RiskUpdateResult::Ok);

    QCOMPARE(evaluator.updateSnapshot(kAccount, boundary.failingSnapshot), RiskUpdateResult::Ok);
    const RiskDecision failed = evaluator.check(boundary.failing);
    const RiskDecision &expected = boundary.expected;
    QCOMPARE(text(nameOf(failed.rule)), text(nameOf(expected.rule)));
    QCOMPARE(text(nameOf(failed.scope)), text(nameOf(expected.scope)));
    QCOMPARE(failed.unit, expected.unit);
    QCOMPARE(failed.decimals, expected.decimals);
    QCOMPARE(failed.side, expected.side);
    QCOMPARE(failed.current, expected.current);
    QCOMPARE(failed.working, expected.working);
    QCOMPARE(failed.order, expected.order);
    QCOMPARE(failed.wouldBe, expected.wouldBe);
    QCOMPARE(failed.limit, expected.limit);
    QCOMPARE(text(describe(failed)), boundary.sentence);

    // The same order on the other instrument has no override and no working orders.
    if (boundary.overrides.maximumOrderQuantity) {
        RiskOrder elsewhere = boundary.failing;
        elsewhere.instrument = kOtherInstrument;
        QVERIFY(evaluator.check(elsewhere).passed());
    }
}

void RiskChecksTest::invalidInputIsRejected_data()
{
    QTest::addColumn<RiskOrder>("input");
    QTest::addColumn<RiskRule>("rule");
    QTest::addColumn<QString>("sentence");

    QTest::newRow("zero quantity") << buy(10'000, 0) << RiskRule::InvalidOrder
                                   << "rejected: invalid order, the quantity must be above zero "
                                      "and the price not negative";
    QTest::newRow("negative quantity") << buy(10'000, -5) << RiskRule::InvalidOrder
                                       << "rejected: invalid order, the quantity must be above "
                                          "zero and the price not negative";
    QTest::newRow("negative price") << buy(-1, 5) << RiskRule::InvalidOrder
                                    << "rejected: invalid order, the quantity must be above zero "
                                       "and the price not negative";
    QTest::newRow("unknown account")
        << RiskOrder{AccountId{99}, kInstrument, Side::Buy, Price{10'000}, Quantity{1}, {}}
        << RiskRule::UnknownAccount
        << "rejected: the account has no risk limits; configure the account first";
    QTest::newRow("unknown instrument")
        << RiskOrder{kAccount, InstrumentId{99}, Side::Buy, Price{10'000}, Quantity{1}, {}}
        << RiskRule::UnknownInstrument
        << "rejected: the instrument is unknown to the risk checks; add it first";
    QTest::newRow("market order without a reference")
        << order(Side::Buy, 0, 5, 0, kOtherInstrument) << RiskRule::MissingPrice
        << "rejected: no price values this market order; give it a protection price or wait "
           "for a reference price";
}

void RiskChecksTest::invalidInputIsRejected()
{
    QFETCH(RiskOrder, input);
    QFETCH(RiskRule, rule);
    QFETCH(QString, sentence);

    RiskLimits limits;
    limits.maximumOrderNotional = Money{100'000'000};
    RiskEvaluator evaluator = evaluatorWith(limits);
    QCOMPARE(evaluator.setReferencePrice(kOtherInstrument, Price{}), RiskUpdateResult::Ok);

    const RiskDecision decision = evaluator.check(input);
    QCOMPARE(text(nameOf(decision.rule)), text(nameOf(rule)));
    QCOMPARE(text(describe(decision)), sentence);
}

void RiskChecksTest::invalidConfigurationIsRejected_data()
{
    QTest::addColumn<RiskAccountSettings>("settings");
    QTest::addColumn<RiskUpdateResult>("result");

    RiskAccountSettings valid{kAccount, AccountType::Margin, 2, {}};
    RiskAccountSettings zeroId = valid;
    zeroId.id = AccountId{0};
    RiskAccountSettings wideScale = valid;
    wideScale.moneyDecimals = 19;
    RiskAccountSettings negativeSize = valid;
    negativeSize.limits.maximumOrderQuantity = Quantity{-1};
    RiskAccountSettings negativeLoss = valid;
    negativeLoss.limits.dailyLossLimit = Money{-1};
    RiskAccountSettings rateTooHigh = valid;
    rateTooHigh.limits.maximumOrdersPerSecond = kMaximumOrdersPerSecond + 1;
    RiskAccountSettings rateAtMaximum = valid;
    rateAtMaximum.limits.maximumOrdersPerSecond = kMaximumOrdersPerSecond;

    QTest::newRow("valid account") << valid << RiskUpdateResult::Ok;
    QTest::newRow("account id zero") << zeroId << RiskUpdateResult::InvalidAccount;
    QTest::newRow("money scale 19") << wideScale << RiskUpdateResult::InvalidAccount;
    QTest::newRow("negative order size") << negativeSize << RiskUpdateResult::InvalidLimits;
    QTest::newRow("negative loss limit") << negativeLoss << RiskUpdateResult::InvalidLimits;
    QTest::newRow("rate above maximum") << rateTooHigh << RiskUpdateResult::InvalidLimits;
    QTest::newRow("rate at maximum") << rateAtMaximum << RiskUpdateResult::Ok;
}

void RiskChecksTest::invalidConfigurationIsRejected()
{
    QFETCH(RiskAccountSettings, settings);
    QFETCH(RiskUpdateResult, result);

    RiskEvaluator evaluator;
    QCOMPARE(evaluator.addInstrument(instrument(kInstrument)), RiskUpdateResult::Ok);
    QCOMPARE(text(nameOf(evaluator.configureAccount(settings))), text(nameOf(result)));
    const bool opened = result == RiskUpdateResult::Ok;
    QCOMPARE(evaluator.accountCounters(settings.id) != nullptr, opened);
}

void RiskChecksTest::marketOrderUsesReferencePrice()
{
    // A market buy of 1,000 is valued at the reference 100.00: 100,000.00, exactly the limit.
    RiskLimits limits;
    limits.maximumOrderNotional = Money{10'000'000};
    RiskEvaluator evaluator = evaluatorWith(limits);

    QCOMPARE(evaluator.valuationPrice(buy(0, 1'000)), kReference);
    QVERIFY(evaluator.check(buy(0, 1'000)).passed());
    QCOMPARE(evaluator.setReferencePrice(kInstrument, Price{10'001}), RiskUpdateResult::Ok);
    const RiskDecision decision = evaluator.check(buy(0, 1'000));
    QCOMPARE(text(nameOf(decision.rule)), text(nameOf(RiskRule::OrderNotional)));
    QCOMPARE(decision.wouldBe, std::int64_t{10'001'000});

    QCOMPARE(evaluator.setReferencePrice(kInstrument, Price{-1}), RiskUpdateResult::InvalidPrice);
    QCOMPARE(evaluator.setReferencePrice(InstrumentId{99}, Price{1}),
             RiskUpdateResult::UnknownInstrument);
}

// A cash account sells its position without needing cash, and never sells short: long 500,
// a sell of 500 passes and one of 501 would leave it 1 short.
void RiskChecksTest::cashAccountSellNeedsHoldingsNotCash()
{
    RiskEvaluator evaluator = evaluatorWith({}, AccountType::Cash);
    QCOMPARE(evaluator.setPosition(kAccount, kInstrument, Quantity{500}), RiskUpdateResult::Ok);
    QVERIFY(evaluator.check(sell(10'000, 500)).passed());
    const RiskDecision shortSale = evaluator.check(sell(10'000, 501));
    QCOMPARE(text(nameOf(shortSale.rule)), text(nameOf(RiskRule::PositionShort)));
    QCOMPARE(text(nameOf(shortSale.scope)), text(nameOf(LimitScope::CashBalance)));
    QCOMPARE(shortSale.wouldBe, std::int64_t{1});
    QCOMPARE(describe(shortSale),
             std::string("rejected: a cash account cannot sell short, would be 1 short "
                         "(position 500, open sells 0, this order 501)"));

    const RiskDecision decision = evaluator.check(buy(10'000, 1));
    QCOMPARE(text(nameOf(decision.rule)), text(nameOf(RiskRule::BuyingPower)));
    QCOMPARE(decision.limit, std::int64_t{0});
}

void RiskChecksTest::killSwitchBlocksUntilReset()
{
    RiskEvaluator evaluator = evaluatorWith({});
    QVERIFY(evaluator.check(buy(10'000, 1)).passed());

    QCOMPARE(evaluator.engageKillSwitch(kAccount, KillSwitchScope::Pause), RiskUpdateResult::Ok);
    const RiskDecision decision = evaluator.check(buy(10'000, 1));
    QCOMPARE(text(nameOf(decision.rule)), text(nameOf(RiskRule::KillSwitch)));
    QCOMPARE(decision.killSwitch, KillSwitchScope::Pause);
    QCOMPARE(text(nameOf(decision.scope)), text(nameOf(LimitScope::AccountDefault)));
    QCOMPARE(text(describe(decision)),
             QString("rejected: kill switch (pause) engaged for this account"));

    // Stays engaged through fills, departures and other orders; other accounts trade on.
    QCOMPARE(evaluator.onOrderAccepted(sell(10'000, 5)), RiskUpdateResult::Ok);
    QCOMPARE(evaluator.onFill(kAccount, kInstrument, Side::Sell, Price{10'000}, Quantity{5}),
             RiskUpdateResult::Ok);
    QCOMPARE(evaluator.onOrderLeft(kAccount, kInstrument, Side::Sell, Price{10'000}, Quantity{}),
             RiskUpdateResult::Ok);
    QVERIFY(!evaluator.check(sell(10'000, 1)).passed());
    QCOMPARE(evaluator.killSwitch(kAccount), KillSwitchScope::Pause);
    RiskOrder other = buy(10'000, 1);
    other.account = kOtherAccount;
    QVERIFY(evaluator.check(other).passed());

    QCOMPARE(evaluator.resetKillSwitch(kAccount), RiskUpdateResult::Ok);
    QCOMPARE(evaluator.killSwitch(kAccount), KillSwitchScope::None);
    QVERIFY(evaluator.check(buy(10'000, 1)).passed());
    QCOMPARE(evaluator.engageKillSwitch(AccountId{99}, KillSwitchScope::Pause),
             RiskUpdateResult::UnknownAccount);
    QCOMPARE(evaluator.resetKillSwitch(AccountId{99}), RiskUpdateResult::UnknownAccount);
}

void RiskChecksTest::killSwitchOnlyEscalates()
{
    RiskEvaluator evaluator = evaluatorWith({});
    evaluator.engageKillSwitch(kAccount, KillSwitchScope::CancelAll);
    evaluator.engageKillSwitch(kAccount, KillSwitchScope::Pause);
    QCOMPARE(evaluator.killSwitch(kAccount), KillSwitchScope::CancelAll);

    evaluator.engageKillSwitch(kAccount, KillSwitchScope::Flatten);
    evaluator.engageKillSwitch(kAccount, KillSwitchScope::None);
    QCOMPARE(evaluator.killSwitch(kAccount), KillSwitchScope::Flatten);
    QCOMPARE(text(describe(evaluator.check(buy(10'000, 1)))),
             QString("rejected: kill switch (flatten) engaged for this account"));
}

void RiskChecksTest::globalKillSwitchBlocksEveryAccount()
{
    RiskEvaluator evaluator = evaluatorWith({});
    evaluator.engageGlobalKillSwitch(KillSwitchScope::CancelAll);
    RiskOrder other = buy(10'000, 1);
    other.account = kOtherAccount;

    for (const RiskOrder &input : {buy(10'000, 1), other}) {
        const RiskDecision decision = evaluator.check(input);
        QCOMPARE(text(nameOf(decision.rule)), text(nameOf(RiskRule::KillSwitch)));
        QCOMPARE(text(nameOf(decision.scope)), text(nameOf(LimitScope::Global)));
        QCOMPARE(text(describe(decision)),
                 QString("rejected: kill switch (cancel-all) engaged for all accounts"));
    }
    QCOMPARE(evaluator.globalKillSwitch(), KillSwitchScope::CancelAll);

    evaluator.resetGlobalKillSwitch();
    QVERIFY(evaluator.check(buy(10'000, 1)).passed());
    QVERIFY(evaluator.check(other).passed());
}

void RiskChecksTest::checkChangesNothing()
{
    RiskLimits limits;
    limits.maximumOrdersPerSecond = 2;
    limits.maximumLongPosition = Quantity{100};
    RiskEvaluator evaluator = evaluatorWith(limits);
    QCOMPARE(evaluator.onOrderAccepted(buy(10'000, 60, 10)), RiskUpdateResult::Ok);

    const RiskPairCounters pairBefore = *evaluator.counters(kAccount, kInstrument);
    const RiskAccountCounters accountBefore = *evaluator.accountCounters(kAccount);
    const std::vector<LimitUse> useBefore = evaluator.utilization(kAccount, Timestamp{20});

    // Ten checks at one instant would break a rate of two if checks counted.
    for (int i = 0; i < 10; ++i) {
        QVERIFY(evaluator.check(buy(10'000, 40, 20)).passed());
        QVERIFY(!evaluator.check(buy(10'000, 41, 20)).passed());
    }

    QCOMPARE(*evaluator.counters(kAccount, kInstrument), pairBefore);
    QCOMPARE(*evaluator.accountCounters(kAccount), accountBefore);
    const std::vector<LimitUse> useAfter = evaluator.utilization(kAccount, Timestamp{20});
    QCOMPARE(useAfter.size(), useBefore.size());
    for (std::size_t i = 0; i < useAfter.size(); ++i)
        QCOMPARE(useAfter[i].use, useBefore[i].use);
}

namespace {

// One update of the counter test.
struct Update {
    enum class Kind { Accept, Fill, Leave } kind;
    Side side;
    std::int64_t price;
    std::int64_t quantity;
};

const std::vector<Update> &updateSteps()
{
    static const std::vector<Update> steps = {
        {Update::Kind::Accept, Side::Buy, 10'000, 300},  // 3,000,000
        {Update::Kind::Accept, Side::Sell, 10'100, 200}, // 2,020,000
        {Update::Kind::Accept, Side::Buy, 9'950, 100},   // 995,000
        {Update::Kind::Fill, Side::Buy, 10'000, 120},    // releases 1,200,000
        {Update::Kind::Leave, Side::Sell, 10'100, 200},  // releases 2,020,000
        {Update::Kind::Fill, Side::Buy, 10'000, 180},    // releases 1,800,000
        {Update::Kind::Leave, Side::Buy, 10'000, 0},     // the first buy filled in full
        {Update::Kind::Leave, Side::Buy, 9'950, 100},    // releases 995,000
    };
    return steps;
}

} // namespace

void RiskChecksTest::updatesMoveCounters_data()
{
    QTest::addColumn<int>("steps");
    QTest::addColumn<RiskPairCounters>("expected");
    QTest::addColumn<qint64>("accountOpenOrders");

    const auto counters = [](std::int64_t position, std::int64_t buyQuantity,
                             std::int64_t sellQuantity, std::int64_t buyNotional,
                             std::int64_t sellNotional, std::int64_t openOrders) {
        return RiskPairCounters{Quantity{position}, Quantity{buyQuantity}, Quantity{sellQuantity},
                                Money{buyNotional}, Money{sellNotional},   openOrders};
    };
    QTest::newRow("nothing yet") << 0 << counters(0, 0, 0, 0, 0, 0) << qint64(0);
    QTest::newRow("buy 300 accepted") << 1 << counters(0, 300, 0, 3'000'000, 0, 1) << qint64(1);
    QTest::newRow("sell 200 accepted")
        << 2 << counters(0, 300, 200, 3'000'000, 2'020'000, 2) << qint64(2);
    QTest::newRow("second buy accepted")
        << 3 << counters(0, 400, 200, 3'995'000, 2'020'000, 3) << qint64(3);
    QTest::newRow("buy fill of 120")
        << 4 << counters(120, 280, 200, 2'795'000, 2'020'000, 3) << qint64(3);
    QTest::newRow("sell cancelled") << 5 << counters(120, 280, 0, 2'795'000, 0, 2) << qint64(2);
    QTest::newRow("buy fill of 180") << 6 << counters(300, 100, 0, 995'000, 0, 2) << qint64(2);
    QTest::newRow("filled buy left") << 7 << counters(300, 100, 0, 995'000, 0, 1) << qint64(1);
    QTest::newRow("last buy cancelled") << 8 << counters(300, 0, 0, 0, 0, 0) << qint64(0);
}

void RiskChecksTest::updatesMoveCounters()
{
    QFETCH(int, steps);
    QFETCH(RiskPairCounters, expected);
    QFETCH(qint64, accountOpenOrders);

    RiskEvaluator evaluator = evaluatorWith({});
    for (int i = 0; i < steps; ++i) {
        const Update &step = updateSteps()[static_cast<std::size_t>(i)];
        const Price price{step.price};
        const Quantity quantity{step.quantity};
        RiskUpdateResult result = RiskUpdateResult::Ok;
        switch (step.kind) {
        case Update::Kind::Accept:
            result = evaluator.onOrderAccepted(order(step.side, step.price, step.quantity));
            break;
        case Update::Kind::Fill:
            result = evaluator.onFill(kAccount, kInstrument, step.side, price, quantity);
            break;
        case Update::Kind::Leave:
            result = evaluator.onOrderLeft(kAccount, kInstrument, step.side, price, quantity);
            break;
        }
        QCOMPARE(text(nameOf(result)), text(nameOf(RiskUpdateResult::Ok)));
    }

    const RiskPairCounters &actual = *evaluator.counters(kAccount, kInstrument);
    QCOMPARE(actual.position, expected.position);
    QCOMPARE(actual.openBuyQuantity, expected.openBuyQuantity);
    QCOMPARE(actual.openSellQuantity, expected.openSellQuantity);
    QCOMPARE(actual.openBuyNotional, expected.openBuyNotional);
    QCOMPARE(actual.openSellNotional, expected.openSellNotional);
    QCOMPARE(actual.openOrders, expected.openOrders);

    const RiskAccountCounters &account = *evaluator.accountCounters(kAccount);
    QCOMPARE(account.openBuyNotional, expected.openBuyNotional);
    QCOMPARE(account.openSellNotional, expected.openSellNotional);
    QCOMPARE(account.openOrders, static_cast<std::int64_t>(accountOpenOrders));
    QCOMPARE(evaluator.counters(kAccount, kOtherInstrument)->openOrders, std::int64_t{0});
}

void RiskChecksTest::invalidUpdatesAreRejected()
{
    RiskEvaluator evaluator = evaluatorWith({});
    QCOMPARE(evaluator.onOrderLeft(kAccount, kInstrument, Side::Buy, Price{10'000}, Quantity{}),
             RiskUpdateResult::NoWorkingOrder);
    QCOMPARE(evaluator.onOrderAccepted(buy(10'000, 0)), RiskUpdateResult::InvalidQuantity);
    QCOMPARE(evaluator.onOrderAccepted(buy(-1, 5)), RiskUpdateResult::InvalidPrice);
    QCOMPARE(evaluator.onOrderAccepted(buy(10'000, 5)), RiskUpdateResult::Ok);

    // More than the side has working, and fills of nothing, change nothing.
    const RiskPairCounters before = *evaluator.counters(kAccount, kInstrument);
    QCOMPARE(evaluator.onFill(kAccount, kInstrument, Side::Buy, Price{10'000}, Quantity{6}),
             RiskUpdateResult::InvalidQuantity);
    QCOMPARE(evaluator.onFill(kAccount, kInstrument, Side::Buy, Price{10'000}, Quantity{0}),
             RiskUpdateResult::InvalidQuantity);
    QCOMPARE(evaluator.onOrderLeft(kAccount, kInstrument, Side::Sell, Price{10'000}, Quantity{1}),
             RiskUpdateResult::InvalidQuantity);
    QCOMPARE(*evaluator.counters(kAccount, kInstrument), before);

    QCOMPARE(evaluator.onFill(AccountId{99}, kInstrument, Side::Buy, Price{1}, Quantity{1}),
             RiskUpdateResult::UnknownAccount);
    QCOMPARE(evaluator.onFill(kAccount, InstrumentId{99}, Side::Buy, Price{1}, Quantity{1}),
             RiskUpdateResult::UnknownInstrument);
    QCOMPARE(evaluator.addInstrument(instrument(kInstrument)),
             RiskUpdateResult::DuplicateInstrument);
    QCOMPARE(evaluator.addInstrument(instrument(InstrumentId{0})),
             RiskUpdateResult::InvalidInstrument);
    QCOMPARE(evaluator.configureAccount({kAccount, AccountType::Margin, 4, {}}),
             RiskUpdateResult::InvalidAccount);
    RiskLimitOverrides negative;
    negative.maximumLongPosition = Quantity{-1};
    QCOMPARE(evaluator.setOverrides(kAccount, kInstrument, negative),
             RiskUpdateResult::InvalidLimits);
}

void RiskChecksTest::releaseDropsRoundingResidue()
{
    // Two-decimal quantities. 0.03 at 1.17 is 0.0351, which rounds half to even to 0.04 (4
    // cents), and each 0.01 fill at 1.17 is 0.0117, which rounds to 0.01. After two fills 2
    // cents stay counted for 0.01 left. The last fill drops them with the quantity.
    RiskEvaluator evaluator;
    InstrumentDefinition definition = instrument(kInstrument);
    definition.quantityDecimals = 2;
    QCOMPARE(evaluator.addInstrument(definition), RiskUpdateResult::Ok);
    QCOMPARE(evaluator.configureAccount({kAccount, AccountType::Margin, 2, {}}),
             RiskUpdateResult::Ok);

    QCOMPARE(evaluator.onOrderAccepted(buy(117, 3)), RiskUpdateResult::Ok);
    QCOMPARE(evaluator.counters(kAccount, kInstrument)->openBuyNotional, Money{4});
    for (int fill = 0; fill < 2; ++fill)
        QCOMPARE(evaluator.onFill(kAccount, kInstrument, Side::Buy, Price{117}, Quantity{1}),
                 RiskUpdateResult::Ok);
    QCOMPARE(evaluator.counters(kAccount, kInstrument)->openBuyNotional, Money{2});
    QCOMPARE(evaluator.accountCounters(kAccount)->openBuyNotional, Money{2});

    QCOMPARE(evaluator.onFill(kAccount, kInstrument, Side::Buy, Price{117}, Quantity{1}),
             RiskUpdateResult::Ok);
    QCOMPARE(evaluator.counters(kAccount, kInstrument)->openBuyNotional, Money{0});
    QCOMPARE(evaluator.accountCounters(kAccount)->openBuyNotional, Money{0});
    QCOMPARE(evaluator.counters(kAccount, kInstrument)->position, Quantity{3});
}

void RiskChecksTest::rateWindowBoundary_data()
{
    QTest::addColumn<QList<qint64>>("accepted");
    QTest::addColumn<qint64>("time");
    QTest::addColumn<bool>("passes");

    // A limit of three per second. The window at time t is (t - 1 s, t].
    constexpr qint64 start = 5'000'000'000;
    constexpr qint64 second = 1'000'000'000;
    const QList<qint64> two{start, start + 1};
    const QList<qint64> three{start, start + 1, start + 2};
    QTest::newRow("3rd within a second passes") << two << start + 2 << true;
    QTest::newRow("4th within a second fails") << three << start + 3 << false;
    QTest::newRow("4th at the window's last instant fails") << three << start + second - 1 << false;
    QTest::newRow("4th once the 1st left the window passes") << three << start + second << true;
    QTest::newRow("5th while the 2nd is still inside fails")
        << QList<qint64>{start, start + 1, start + 2, start + second} << start + second << false;
    QTest::newRow("5th once the 2nd left passes")
        << QList<qint64>{start, start + 1, start + 2, start + second} << start + second + 1 << true;
}

void RiskChecksTest::rateWindowBoundary()
{
    QFETCH(QList<qint64>, accepted);
    QFETCH(qint64, time);
    QFETCH(bool, passes);

    RiskLimits limits;
    limits.maximumOrdersPerSecond = 3;
    RiskEvaluator evaluator = evaluatorWith(limits);
    for (qint64 acceptedAt : accepted)
        QCOMPARE(evaluator.onOrderAccepted(buy(10'000, 1, acceptedAt)), RiskUpdateResult::Ok);

    const RiskDecision decision = evaluator.check(buy(10'000, 1, time));
    QCOMPARE(text(nameOf(decision.rule)),
             text(nameOf(passes ? RiskRule::None : RiskRule::OrderRate)));
}

void RiskChecksTest::rateWindowCount_data()
{
    QTest::addColumn<qint64>("limit");
    QTest::addColumn<QList<qint64>>("recorded");
    QTest::addColumn<qint64>("now");
    QTest::addColumn<qint64>("count"); // -1 where the times are out of order

    // Times in milliseconds. The window at time t is (t - 1 s, t].
    QTest::newRow("all inside") << qint64{4} << QList<qint64>{1'000, 1'200, 1'400} << qint64{1'500}
                                << qint64{3};
    QTest::newRow("oldest left") << qint64{4} << QList<qint64>{1'000, 1'200, 1'400} << qint64{2'100}
                                 << qint64{2};
    QTest::newRow("last instant of the oldest")
        << qint64{4} << QList<qint64>{1'000, 1'200} << qint64{1'999} << qint64{2};
    QTest::newRow("full ring keeps the newest")
        << qint64{3} << QList<qint64>{1'000, 1'100, 1'200, 1'300, 1'400} << qint64{2'250}
        << qint64{2};
    QTest::newRow("clock went back")
        << qint64{4} << QList<qint64>{2'000, 2'500, 1'000} << qint64{2'600} << qint64{-1};
    QTest::newRow("earlier time left the ring")
        << qint64{2} << QList<qint64>{2'000, 1'000, 3'000, 3'500} << qint64{3'600} << qint64{2};
}

// holdsAtLeast() reads one timestamp of a sorted ring and searches any other, and must agree
// with countSince() either way.
void RiskChecksTest::rateWindowCount()
{
    QFETCH(qint64, limit);
    QFETCH(QList<qint64>, recorded);
    QFETCH(qint64, now);
    QFETCH(qint64, count);

    constexpr qint64 millisecond = 1'000'000;
    RateWindow window;
    window.resize(limit);
    for (const qint64 time : recorded)
        window.record(Timestamp{time * millisecond});

    const Timestamp at{now * millisecond};
    const std::int64_t counted = window.countSince(at);
    if (count >= 0)
        QCOMPARE(counted, count);
    for (std::int64_t atLeast = 0; atLeast <= limit + 1; ++atLeast)
        QCOMPARE(window.holdsAtLeast(atLeast, at), counted >= atLeast);
}

void RiskChecksTest::instrumentRateOverride()
{
    RiskLimits limits;
    limits.maximumOrdersPerSecond = 10;
    RiskEvaluator evaluator = evaluatorWith(limits);
    RiskLimitOverrides overrides;
    overrides.maximumOrdersPerSecond = 1;
    QCOMPARE(evaluator.setOverrides(kAccount, kInstrument, overrides), RiskUpdateResult::Ok);
    QCOMPARE(evaluator.onOrderAccepted(buy(10'000, 1, 100)), RiskUpdateResult::Ok);

    const RiskDecision decision = evaluator.check(buy(10'000, 1, 200));
    QCOMPARE(text(nameOf(decision.rule)), text(nameOf(RiskRule::OrderRate)));
    QCOMPARE(text(nameOf(decision.scope)), text(nameOf(LimitScope::InstrumentOverride)));
    QCOMPARE(text(describe(decision)), QString("rejected: order rate, would be 2 orders in one "
                                               "second against the instrument limit of 1"));
    QVERIFY(evaluator.check(order(Side::Buy, 10'000, 1, 200, kOtherInstrument)).passed());
}

void RiskChecksTest::utilizationReport()
{
    RiskLimits limits;
    limits.maximumLongPosition = Quantity{1'000};
    limits.maximumShortPosition = Quantity{500};
    limits.maximumOpenOrders = 4;
    limits.maximumOrdersPerSecond = 10;
    limits.dailyLossLimit = Money{100'000};
    RiskEvaluator evaluator = evaluatorWith(limits, AccountType::Cash);
    QCOMPARE(evaluator.setPosition(kAccount, kInstrument, Quantity{700}), RiskUpdateResult::Ok);
    QCOMPARE(evaluator.onOrderAccepted(buy(10'000, 100, 1'000)), RiskUpdateResult::Ok);
    QCOMPARE(evaluator.updateSnapshot(kAccount, {Money{2'000'000}, Money{-30'000}, Money{5'000}}),
             RiskUpdateResult::Ok);

    // Long: 700 + 100 of 1,000. Short: 0 - 700 of 500 is no use. Open orders: 1 of 4. Rate: 1
    // of 10. Loss: 300.00 - 50.00 = 250.00 of 1,000.00. Cash: 10,000.00 of 20,000.00.
    struct Expected {
        RiskRule rule;
        InstrumentId instrument;
        std::int64_t use;
        std::int64_t basisPoints;
    };
    const std::vector<Expected> expected = {
        {RiskRule::OpenOrders, {}, 1, 2'500},
        {RiskRule::OrderRate, {}, 1, 1'000},
        {RiskRule::DailyLoss, {}, 25'000, 2'500},
        {RiskRule::BuyingPower, {}, 1'000'000, 5'000},
        {RiskRule::PositionLong, kInstrument, 800, 8'000},
        {RiskRule::PositionShort, kInstrument, -700, 0},
        {RiskRule::PositionLong, kOtherInstrument, 0, 0},
        {RiskRule::PositionShort, kOtherInstrument, 0, 0},
    };
    const std::vector<LimitUse> uses = evaluator.utilization(kAccount, Timestamp{1'500});
    QCOMPARE(uses.size(), expected.size());
    for (std::size_t i = 0; i < uses.size(); ++i) {
        QCOMPARE(text(nameOf(uses[i].rule)), text(nameOf(expected[i].rule)));
        QCOMPARE(uses[i].instrument, expected[i].instrument);
        QCOMPARE(uses[i].use, expected[i].use);
        QCOMPARE(uses[i].basisPoints, expected[i].basisPoints);
    }

    // A second later the order left the rate window.
    const std::vector<LimitUse> later = evaluator.utilization(kAccount, Timestamp{1'000'001'000});
    QCOMPARE(later[1].use, std::int64_t{0});
    QVERIFY(evaluator.utilization(AccountId{99}, Timestamp{}).empty());
}

void RiskChecksTest::utilizationBasisPoints_data()
{
    QTest::addColumn<qint64>("use");
    QTest::addColumn<qint64>("limit");
    QTest::addColumn<qint64>("basisPoints");

    QTest::newRow("80 percent") << qint64(800) << qint64(1'000) << qint64(8'000);
    QTest::newRow("a third rounds down") << qint64(1) << qint64(3) << qint64(3'333);
    QTest::newRow("at the limit") << qint64(1'000) << qint64(1'000) << qint64(10'000);
    QTest::newRow("past the limit") << qint64(1'001) << qint64(1'000) << qint64(10'010);
    QTest::newRow("no use") << qint64(0) << qint64(10) << qint64(0);
    QTest::newRow("negative use") << qint64(-5) << qint64(10) << qint64(0);
    QTest::newRow("disabled limit") << qint64(5) << qint64(0) << qint64(0);
    QTest::newRow("largest use of one unit")
        << std::numeric_limits<qint64>::max() << qint64(1) << std::numeric_limits<qint64>::max();
}

void RiskChecksTest::utilizationBasisPoints()
{
    QFETCH(qint64, use);
    QFETCH(qint64, limit);
    QFETCH(qint64, basisPoints);
    QCOMPARE(bourse::utilizationBasisPoints(use, limit), static_cast<std::int64_t>(basisPoints));
}

void RiskChecksTest::thresholdCrossings_data()
{
    QTest::addColumn<qint64>("before");
    QTest::addColumn<qint64>("after");
    QTest::addColumn<int>("bits");

    const auto bits = [](std::initializer_list<ThresholdCrossing> crossings) {
        int value = 0;
        for (ThresholdCrossing crossing : crossings)
            value |= static_cast<int>(crossing);
        return value;
    };
    using enum ThresholdCrossing;
    QTest::newRow("79.99 to 80 reaches warning")
        << qint64(7'999) << qint64(8'000) << bits({WarningReached});
    QTest::newRow("70 to 100 reaches both")
        << qint64(7'000) << qint64(10'000) << bits({WarningReached, LimitReached});
    QTest::newRow("80 to 99.99 crosses nothing") << qint64(8'000) << qint64(9'999) << bits({});
    QTest::newRow("99.99 to 100 reaches limit")
        << qint64(9'999) << qint64(10'000) << bits({LimitReached});
    QTest::newRow("100 to 99.99 clears limit")
        << qint64(10'000) << qint64(9'999) << bits({LimitCleared});
    QTest::newRow("100 to 79.99 clears both")
        << qint64(10'000) << qint64(7'999) << bits({WarningCleared, LimitCleared});
    QTest::newRow("120 to 100 crosses nothing") << qint64(12'000) << qint64(10'000) << bits({});
    QTest::newRow("unchanged crosses nothing") << qint64(0) << qint64(0) << bits({});
}

void RiskChecksTest::thresholdCrossings()
{
    QFETCH(qint64, before);
    QFETCH(qint64, after);
    QFETCH(int, bits);

    const ThresholdCrossings crossings = crossedThresholds(before, after);
    QCOMPARE(int(crossings.bits), bits);
    QCOMPARE(crossings.contains(ThresholdCrossing::WarningReached),
             (bits & int(ThresholdCrossing::WarningReached)) != 0);
}

QTEST_APPLESS_MAIN(RiskChecksTest)
#include "tst_risk_checks.moc"

// Exact decimal conversion and money arithmetic (engine/money.h). Every expected value below is
// written out in full and was worked out by hand, independently of the code under test.

#include "money.h"

#include <QTest>

#include <cstdint>
#include <limits>

using namespace bourse;

namespace {

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kInt64Min = std::numeric_limits<std::int64_t>::min();

QString nameString(std::string_view name)
{
    return QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
}

QString errorName(MoneyError error)
{
    return nameString(nameOf(error));
}

QString errorName(DecimalError error)
{
    return nameString(nameOf(error));
}

Valuation valuation(int priceDecimals, int quantityDecimals, std::int64_t multiplier,
                    int moneyDecimals)
{
    return Valuation{static_cast<std::uint8_t>(priceDecimals),
                     static_cast<std::uint8_t>(quantityDecimals), multiplier,
                     static_cast<std::uint8_t>(moneyDecimals)};
}

// Columns shared by the notional and P&L tables.
void addValuationColumns()
{
    QTest::addColumn<int>("priceDecimals");
    QTest::addColumn<int>("quantityDecimals");
    QTest::addColumn<qint64>("multiplier");
    QTest::addColumn<int>("moneyDecimals");
}

Valuation fetchValuation()
{
    QFETCH(int, priceDecimals);
    QFETCH(int, quantityDecimals);
    QFETCH(qint64, multiplier);
    QFETCH(int, moneyDecimals);
    return valuation(priceDecimals, quantityDecimals, multiplier, moneyDecimals);
}

} // namespace

class MoneyTest : public QObject {
    Q_OBJECT

private slots:
    void decimalParsesExactly_data();
    void decimalParsesExactly();
    void decimalErrorsAreNamed_data();
    void decimalErrorsAreNamed();
    void decimalTextFormats_data();
    void decimalTextFormats();
    void decimalTextRoundTrips();
    void ticksAndLotsConvert_data();
    void ticksAndLotsConvert();
    void ticksAndLotsBuildBack();
    void notionalIsExact_data();
    void notionalIsExact();
    void notionalRangeIsChecked_data();
    void notionalRangeIsChecked();
    void naiveProductOverflowsInt64();
    void feeRoundsUpOnce_data();
    void feeRoundsUpOnce();
    void feeChargedOnceLeavesBalance();
    void roundTripAtEightDecimalsNetsFees();
    void profitAndLossRoundsHalfToEven_data();
    void profitAndLossRoundsHalfToEven();
    void moneyAdditionIsChecked_data();
    void moneyAdditionIsChecked();
    void invalidValuationIsRejected_data();
    void invalidValuationIsRejected();
};

void MoneyTest::decimalParsesExactly_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("decimals");
    QTest::addColumn<qint64>("units");

    // Each of these lands one unit low when converted through a double and truncated.
    QTest::newRow("0.1 at 1 decimal") << "0.1" << 1 << qint64(1);
    QTest::newRow("0.1 at 2 decimals") << "0.1" << 2 << qint64(10);
    QTest::newRow("0.29, 28.999... as a double") << "0.29" << 2 << qint64(29);
    QTest::newRow("16.90, 1689.999... as a double") << "16.90" << 2 << qint64(1690);
    QTest::newRow("29037.85 at 2 decimals") << "29037.85" << 2 << qint64(2903785);
    QTest::newRow("1.005, 1004.999... as a double") << "1.005" << 3 << qint64(1005);
    QTest::newRow("0.30 at 2 decimals") << "0.30" << 2 << qint64(30);
    QTest::newRow("negative fraction") << "-0.0005" << 4 << qint64(-5);
    QTest::newRow("zero") << "0" << 4 << qint64(0);
    QTest::newRow("negative zero") << "-0" << 2 << qint64(0);
    QTest::newRow("whole number padded to 8 decimals")
        << "100000" << 8 << qint64(10'000'000'000'000);
    QTest::newRow("smallest unit at 8 decimals") << "0.00000001" << 8 << qint64(1);
    QTest::newRow("largest int64") << "9223372036854775807" << 0 << qint64(kInt64Max);
    QTest::newRow("largest int64 at 18 decimals")
        << "9.223372036854775807" << 18 << qint64(kInt64Max);
    QTest::newRow("most negative accepted") << "-9223372036854775807" << 0 << qint64(-kInt64Max);
}

void MoneyTest::decimalParsesExactly()
{
    QFETCH(QString, text);
    QFETCH(int, decimals);
    QFETCH(qint64, units);

    const DecimalValue value = parseDecimal(text.toStdString(), decimals);
    QCOMPARE(errorName(value.error), errorName(DecimalError::None));
    QCOMPARE(value.units, units);
}

void MoneyTest::decimalErrorsAreNamed_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("decimals");
    QTest::addColumn<QString>("error");

    const QString notANumber = errorName(DecimalError::NotANumber);
    const QString tooMany = errorName(DecimalError::TooManyDecimals);
    const QString outOfRange = errorName(DecimalError::OutOfRange);
    QTest::newRow("leading space") << " 1" << 2 << notANumber;
    QTest::newRow("trailing space") << "1 " << 2 << notANumber;
    QTest::newRow("no digits after the point") << "1." << 2 << notANumber;
    QTest::newRow("no digits before the point") << ".5" << 2 << notANumber;
    QTest::newRow("exponent") << "1e3" << 2 << notANumber;
    QTest::newRow("plus sign") << "+5" << 2 << notANumber;
    QTest::newRow("sign only") << "-" << 2 << notANumber;
    QTest::newRow("two signs") << "--1" << 2 << notANumber;
    QTest::newRow("empty") << "" << 2 << notANumber;
    QTest::newRow("decimal comma") << "1,5" << 2 << notANumber;
    QTest::newRow("thousands separator") << "1'000" << 2 << notANumber;
    QTest::newRow("two points") << "1.2.3" << 2 << notANumber;
    QTest::newRow("0.001 at 2 decimals") << "0.001" << 2 << tooMany;
    QTest::newRow("trailing zero beyond the scale") << "12.500" << 2 << tooMany;
    QTest::newRow("fraction at 0 decimals") << "1.5" << 0 << tooMany;
    QTest::newRow("one past int64") << "9223372036854775808" << 0 << outOfRange;
    QTest::newRow("int64 minimum") << "-9223372036854775808" << 0 << outOfRange;
    QTest::newRow("past int64 once scaled") << "100000" << 15 << outOfRange;
    QTest::newRow("past int64 once padded") << "92233720368547758.08" << 3 << outOfRange;
}

void MoneyTest::decimalErrorsAreNamed()
{
    QFETCH(QString, text);
    QFETCH(int, decimals);
    QFETCH(QString, error);

    const DecimalValue value = parseDecimal(text.toStdString(), decimals);
    QCOMPARE(errorName(value.error), error);
    QCOMPARE(value.units, qint64(0));
}

void MoneyTest::decimalTextFormats_data()
{
    QTest::addColumn<qint64>("units");
    QTest::addColumn<int>("decimals");
    QTest::addColumn<QString>("text");

    QTest::newRow("notional of 16.90 at 0.30") << qint64(50700) << 4 << "5.0700";
    QTest::newRow("fee of 116.1514") << qint64(1161514) << 4 << "116.1514";
    QTest::newRow("negative below one") << qint64(-5) << 4 << "-0.0005";
    QTest::newRow("negative net") << qint64(-50000) << 2 << "-500.00";
    QTest::newRow("zero keeps its decimals") << qint64(0) << 2 << "0.00";
    QTest::newRow("whole number") << qint64(7) << 0 << "7";
    QTest::newRow("largest int64 at 18 decimals")
        << qint64(kInt64Max) << 18 << "9.223372036854775807";
    QTest::newRow("smallest unit at 18 decimals") << qint64(-1) << 18 << "-0.000000000000000001";
    QTest::newRow("int64 minimum") << qint64(kInt64Min) << 0 << "-9223372036854775808";
    QTest::newRow("scale past 18 is empty") << qint64(1) << 19 << "";
    QTest::newRow("negative scale is empty") << qint64(1) << -1 << "";
}

void MoneyTest::decimalTextFormats()
{
    QFETCH(qint64, units);
    QFETCH(int, decimals);
    QFETCH(QString, text);

    const DecimalText formatted = toDecimalText(units, decimals);
    QCOMPARE(nameString(formatted.view()), text);
}

void MoneyTest::decimalTextRoundTrips()
{
    const std::int64_t values[] = {0,    1,      -1,      5,         99,        100,
                                   1005, -50700, 2903785, kInt64Max, -kInt64Max};
    for (const std::int64_t units : values) {
        for (int decimals = 0; decimals <= kMaximumDecimals; ++decimals) {
            const DecimalText text = toDecimalText(units, decimals);
            const DecimalValue back = parseDecimal(text.view(), decimals);
            if (back.error != DecimalError::None || back.units != units)
                QFAIL(qPrintable(QStringLiteral("%1 at %2 decimals read back as %3 (%4)")
                                     .arg(units)
                                     .arg(decimals)
                                     .arg(back.units)
                                     .arg(errorName(back.error))));
        }
    }
}

void MoneyTest::ticksAndLotsConvert_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("decimals");
    QTest::addColumn<qint64>("increment"); // tick or lot size in units of 10^-decimals
    QTest::addColumn<bool>("isPrice");
    QTest::addColumn<qint64>("count");
    QTest::addColumn<QString>("error");

    const QString none = errorName(MoneyError::None);
    // Tick 0.01 and lot 0.01: "16.90 @ 0.30" is 1690 lots at 30 ticks.
    QTest::newRow("16.90 is 1690 lots of 0.01")
        << "16.90" << 2 << qint64(1) << false << qint64(1690) << none;
    QTest::newRow("0.30 is 30 ticks of 0.01")
        << "0.30" << 2 << qint64(1) << true << qint64(30) << none;
    QTest::newRow("10.05 is 201 ticks of 0.05")
        << "10.05" << 2 << qint64(5) << true << qint64(201) << none;
    QTest::newRow("negative price in ticks")
        << "-0.35" << 2 << qint64(5) << true << qint64(-7) << none;
    QTest::newRow("zero is zero lots") << "0" << 2 << qint64(10) << false << qint64(0) << none;
    QTest::newRow("10.03 is off a 0.05 tick")
        << "10.03" << 2 << qint64(5) << true << qint64(0) << errorName(MoneyError::NotOnTick);
    QTest::newRow("16.905 is off a 0.010 lot")
        << "16.905" << 3 << qint64(10) << false << qint64(0) << errorName(MoneyError::NotOnLot);
    QTest::newRow("tick size zero")
        << "1.00" << 2 << qint64(0) << true << qint64(0) << errorName(MoneyError::InvalidIncrement);
    QTest::newRow("negative lot size") << "1.00" << 2 << qint64(-1) << false << qint64(0)
                                       << errorName(MoneyError::InvalidIncrement);
}

void MoneyTest::ticksAndLotsConvert()
{
    QFETCH(QString, text);
    QFETCH(int, decimals);
    QFETCH(qint64, increment);
    QFETCH(bool, isPrice);
    QFETCH(qint64, count);
    QFETCH(QString, error);

    const DecimalValue units = parseDecimal(text.toStdString(), decimals);
    QCOMPARE(errorName(units.error), errorName(DecimalError::None));

    const Checked<std::int64_t> converted =
        isPrice ? ticksOf(Price{units.units}, Price{increment})
                : lotsOf(Quantity{units.units}, Quantity{increment});
    QCOMPARE(errorName(converted.error), error);
    QCOMPARE(converted.value, count);
}

void MoneyTest::ticksAndLotsBuildBack()
{
    const Checked<Price> price = priceOfTicks(201, Price{5});
    QCOMPARE(errorName(price.error), errorName(MoneyError::None));
    QCOMPARE(price.value.value(), qint64(1005));

    const Checked<Quantity> quantity = quantityOfLots(1690, Quantity{1});
    QCOMPARE(errorName(quantity.error), errorName(MoneyError::None));
    QCOMPARE(quantity.value.value(), qint64(1690));

    // 2^62 ticks of 2 units is 2^63, one past INT64_MAX.
    const Checked<Price> pastRange = priceOfTicks(std::int64_t{1} << 62, Price{2});
    QCOMPARE(errorName(pastRange.error), errorName(MoneyError::OutOfRange));
    QCOMPARE(pastRange.value.value(), qint64(0));

    const Checked<Quantity> badLot = quantityOfLots(3, Quantity{0});
    QCOMPARE(errorName(badLot.error), errorName(MoneyError::InvalidIncrement));
}

void MoneyTest::notionalIsExact_data()
{
    QTest::addColumn<qint64>("price");
    QTest::addColumn<qint64>("quantity");
    addValuationColumns();
    QTest::addColumn<qint64>("expected");
    QTest::addColumn<QString>("text");

    // 0.30 * 16.90 = 5.07 exactly, at price plus quantity decimals 5.0700.
    QTest::newRow("16.90 at 0.30, 4 money decimals")
        << qint64(30) << qint64(1690) << 2 << 2 << qint64(1) << 4 << qint64(50700) << "5.0700";
    QTest::newRow("16.90 at 0.30, 2 money decimals")
        << qint64(30) << qint64(1690) << 2 << 2 << qint64(1) << 2 << qint64(507) << "5.07";
    QTest::newRow("sell of 16.90 at 0.30 is negative")
        << qint64(30) << qint64(-1690) << 2 << 2 << qint64(1) << 4 << qint64(-50700) << "-5.0700";
    QTest::newRow("10 at 29037.85") << qint64(2903785) << qint64(10) << 2 << 0 << qint64(1) << 4
                                    << qint64(2903785000) << "290378.5000";
    // 100000.00000000 * 5.00000000: units 10^13 * (5 * 10^8), 500000 at 8 money decimals.
    QTest::newRow("5 at 100000, 8-decimal prices and sizes")
        << qint64(10'000'000'000'000) << qint64(500'000'000) << 8 << 8 << qint64(1) << 8
        << qint64(50'000'000'000'000) << "500000.00000000";
    // 2 contracts at 4500.25 with a multiplier of 50: 450025 * 2 * 50 = 45002500 cents.
    QTest::newRow("futures multiplier 50") << qint64(450025) << qint64(2) << 2 << 0 << qint64(50)
                                           << 2 << qint64(45002500) << "450025.00";
    QTest::newRow("zero quantity")
        << qint64(2903785) << qint64(0) << 2 << 0 << qint64(1) << 4 << qint64(0) << "0.0000";
    // 0.33 * 16.91 = 5.5803, and half to even at 2 decimals gives 5.58.
    QTest::newRow("rounded to 2 money decimals")
        << qint64(33) << qint64(1691) << 2 << 2 << qint64(1) << 2 << qint64(558) << "5.58";
    // 2.500000000000000000 * 1.00 is a tie at 0 money decimals. The division by 10^20 runs in
    // two steps (10^19, then 10), and the step that meets the tie must know that the first
    // step's remainder was zero, or 2.500000000000000001 would round down as well.
    QTest::newRow("tie across two division steps")
        << qint64(2'500'000'000'000'000'000) << qint64(100) << 18 << 2 << qint64(1) << 0
        << qint64(2) << "2";
    QTest::newRow("just past a tie across two division steps")
        << qint64(2'500'000'000'000'000'001) << qint64(100) << 18 << 2 << qint64(1) << 0
        << qint64(3) << "3";
    // 10^18 * 10^18 * 1000 = 10^39 passes 2^128 (about 3.4 * 10^38), but at 36 decimals it is
    // 1000, which is 100000 at 2 money decimals.
    QTest::newRow("product past 128 bits that fits")
        << qint64(1'000'000'000'000'000'000) << qint64(1'000'000'000'000'000'000) << 18 << 18
        << qint64(1000) << 2 << qint64(100000) << "1000.00";
}

void MoneyTest::notionalIsExact()
{
    QFETCH(qint64, price);
    QFETCH(qint64, quantity);
    QFETCH(qint64, expected);
    QFETCH(QString, text);
    const Valuation terms = fetchValuation();

    const Checked<Money> amount = notional(Price{price}, Quantity{quantity}, terms);
    QCOMPARE(errorName(amount.error), errorName(MoneyError::None));
    QCOMPARE(amount.value.value(), expected);
    QCOMPARE(nameString(toDecimalText(amount.value, terms.moneyDecimals).view()), text);
}

void MoneyTest::notionalRangeIsChecked_data()
{
    QTest::addColumn<qint64>("price");
    QTest::addColumn<qint64>("quantity");
    addValuationColumns();
    QTest::addColumn<qint64>("expected");
    QTest::addColumn<QString>("error");

    const QString none = errorName(MoneyError::None);
    const QString outOfRange = errorName(MoneyError::OutOfRange);
    // 3037000499^2 = 9223372030926249001 <= INT64_MAX < 3037000500^2 = 9223372037000250000.
    QTest::newRow("largest square that fits")
        << qint64(3037000499) << qint64(3037000499) << 0 << 0 << qint64(1) << 0
        << qint64(9223372030926249001) << none;
    QTest::newRow("first square that does not fit")
        << qint64(3037000500) << qint64(3037000500) << 0 << 0 << qint64(1) << 0 << qint64(0)
        << outOfRange;
    QTest::newRow("INT64_MAX times one")
        << qint64(kInt64Max) << qint64(1) << 0 << 0 << qint64(1) << 0 << qint64(kInt64Max) << none;
    QTest::newRow("INT64_MAX sold") << qint64(kInt64Max) << qint64(-1) << 0 << 0 << qint64(1) << 0
                                    << qint64(-kInt64Max) << none;
    QTest::newRow("INT64_MAX times two")
        << qint64(kInt64Max) << qint64(2) << 0 << 0 << qint64(1) << 0 << qint64(0) << outOfRange;
    // -2^62 * 2 is INT64_MIN, which money excludes so that every amount can be negated.
    QTest::newRow("INT64_MIN is out of range") << qint64(-4611686018427387904) << qint64(2) << 0
                                               << 0 << qint64(1) << 0 << qint64(0) << outOfRange;
    QTest::newRow("multiplier takes it past the range")
        << qint64(kInt64Max) << qint64(1) << 0 << 0 << qint64(2) << 0 << qint64(0) << outOfRange;
    QTest::newRow("money scale takes it past the range")
        << qint64(1'000'000'000'000'000'000) << qint64(10) << 0 << 0 << qint64(1) << 0 << qint64(0)
        << outOfRange;
    // 1418980313362273201 * 65 = 92233720368547758065, at one decimal 9223372036854775806.5:
    // the tie goes to the even 9223372036854775806.
    QTest::newRow("tie below the limit rounds to even and fits")
        << qint64(1418980313362273201) << qint64(65) << 1 << 0 << qint64(1) << 0
        << qint64(9223372036854775806) << none;
    // 3689348814741910323 * 25 = 92233720368547758075, at one decimal 9223372036854775807.5:
    // the tie goes to the even 9223372036854775808, one past INT64_MAX.
    QTest::newRow("tie at the limit rounds past it")
        << qint64(3689348814741910323) << qint64(25) << 1 << 0 << qint64(1) << 0 << qint64(0)
        << outOfRange;
    // INT64_MIN * INT64_MIN * INT64_MAX is past 2^189; at 36 decimals it is still past 10^18.
    QTest::newRow("extremes past 128 bits") << qint64(kInt64Min) << qint64(kInt64Min) << 18 << 18
                                            << qint64(kInt64Max) << 0 << qint64(0) << outOfRange;
}

void MoneyTest::notionalRangeIsChecked()
{
    QFETCH(qint64, price);
    QFETCH(qint64, quantity);
    QFETCH(qint64, expected);
    QFETCH(QString, error);
    const Valuation terms = fetchValuation();

    const Checked<Money> amount = notional(Price{price}, Quantity{quantity}, terms);
    QCOMPARE(errorName(amount.error), error);
    QCOMPARE(amount.value.value(), expected);
}

// 100000 and 5 at 8 decimals are 10^13 and 5 * 10^8 units, and their product 5 * 10^21 is more
// than INT64_MAX: a 64-bit product would wrap, so the module multiplies in 128 bits.
void MoneyTest::naiveProductOverflowsInt64()
{
    __extension__ using Int128 = __int128;
    const std::int64_t price = 10'000'000'000'000;
    const std::int64_t quantity = 500'000'000;

    const Int128 raw = Int128{price} * Int128{quantity};
    QVERIFY(raw > Int128{kInt64Max});
    QVERIFY(raw == Int128{5'000'000'000'000} * Int128{1'000'000'000});

    std::int64_t wrapped = 0;
    QVERIFY(__builtin_mul_overflow(price, quantity, &wrapped));

    // With the 5 bp fee rate (500 parts per million) the exact fee is 2.5 * 10^24 units at 22
    // decimals, and 250 at 8 money decimals.
    const Checked<Money> charged =
        fee(Price{price}, Quantity{quantity}, valuation(8, 8, 1, 8),
            FeeSchedule{FeeRate::fromBasisPoints(5), Money{0}, Money{0}});
    QCOMPARE(errorName(charged.error), errorName(MoneyError::None));
    QCOMPARE(charged.value.value(), qint64(25'000'000'000));
}

void MoneyTest::feeRoundsUpOnce_data()
{
    QTest::addColumn<qint64>("price");
    QTest::addColumn<qint64>("quantity");
    addValuationColumns();
    QTest::addColumn<qint64>("partsPerMillion");
    QTest::addColumn<qint64>("perUnit");
    QTest::addColumn<qint64>("minimum");
    QTest::addColumn<qint64>("expected");
    QTest::addColumn<QString>("error");

    const QString none = errorName(MoneyError::None);
    // 290378.50 * 0.0004 = 116.1514 exactly.
    QTest::newRow("4 bp taker fee on 10 at 29037.85")
        << qint64(2903785) << qint64(10) << 2 << 0 << qint64(1) << 4 << qint64(400) << qint64(0)
        << qint64(0) << qint64(1161514) << none;
    QTest::newRow("a sell pays the same fee")
        << qint64(2903785) << qint64(-10) << 2 << 0 << qint64(1) << 4 << qint64(400) << qint64(0)
        << qint64(0) << qint64(1161514) << none;
    // 290378.50 * -0.000025 = -7.2594625, and rounding up gives the smaller rebate -7.2594.
    QTest::newRow("0.25 bp rebate rounds toward zero")
        << qint64(2903785) << qint64(10) << 2 << 0 << qint64(1) << 4 << qint64(-25) << qint64(0)
        << qint64(0) << qint64(-72594) << none;
    // 0.50 * 0.0001 = 0.00005, exactly half a unit at 4 decimals: charged as 0.0001.
    QTest::newRow("half a unit is charged as one")
        << qint64(50) << qint64(1) << 2 << 0 << qint64(1) << 4 << qint64(100) << qint64(0)
        << qint64(0) << qint64(1) << none;
    QTest::newRow("half a unit of rebate is not paid")
        << qint64(50) << qint64(1) << 2 << 0 << qint64(1) << 4 << qint64(-100) << qint64(0)
        << qint64(0) << qint64(0) << none;
    // 0.50 * 0.000001 = 0.0000005, a tenth of a unit: still charged as 0.0001.
    QTest::newRow("any fraction is charged as one")
        << qint64(50) << qint64(1) << 2 << 0 << qint64(1) << 4 << qint64(1) << qint64(0)
        << qint64(0) << qint64(1) << none;
    // 100 shares at 0.005 per share is 0.50.
    QTest::newRow("per-share fee") << qint64(1000) << qint64(100) << 2 << 0 << qint64(1) << 4
                                   << qint64(0) << qint64(50) << qint64(0) << qint64(5000) << none;
    QTest::newRow("per-share fee raised to the minimum")
        << qint64(1000) << qint64(100) << 2 << 0 << qint64(1) << 4 << qint64(0) << qint64(50)
        << qint64(10000) << qint64(10000) << none;
    QTest::newRow("minimum does not apply to no fee")
        << qint64(1000) << qint64(100) << 2 << 0 << qint64(1) << 4 << qint64(0) << qint64(0)
        << qint64(10000) << qint64(0) << none;
    QTest::newRow("minimum does not apply to a rebate")
        << qint64(2903785) << qint64(10) << 2 << 0 << qint64(1) << 4 << qint64(-25) << qint64(0)
        << qint64(10000) << qint64(-72594) << none;
    // 0.50 for 10 units at 0.0500 less the 1 ppm rebate of 0.2903785 is 0.2096215, charged as
    // 0.2097.
    QTest::newRow("per-unit charge outweighs a rebate")
        << qint64(2903785) << qint64(10) << 2 << 0 << qint64(1) << 4 << qint64(-1) << qint64(500)
        << qint64(0) << qint64(2097) << none;
    // 116.1514 plus 10 * 0.0050.
    QTest::newRow("rate and per-unit fee add up")
        << qint64(2903785) << qint64(10) << 2 << 0 << qint64(1) << 4 << qint64(400) << qint64(50)
        << qint64(0) << qint64(1162014) << none;
    // Half a unit of quantity at 0.0001 per unit is 0.00005: rounded once, to 0.0001.
    QTest::newRow("per-unit fee on half a unit")
        << qint64(1000) << qint64(5) << 2 << 1 << qint64(1) << 4 << qint64(0) << qint64(1)
        << qint64(0) << qint64(1) << none;
    // The rate part alone is 0.00005 and the per-unit part 0.00005: rounded separately they
    // would charge 0.0002, added first they charge 0.0001.
    QTest::newRow("rate and per-unit parts round together")
        << qint64(50) << qint64(5) << 2 << 1 << qint64(1) << 4 << qint64(200) << qint64(1)
        << qint64(0) << qint64(1) << none;
    QTest::newRow("fee past the range")
        << qint64(kInt64Max) << qint64(kInt64Max) << 0 << 0 << qint64(1) << 0 << qint64(1)
        << qint64(0) << qint64(0) << qint64(0) << errorName(MoneyError::OutOfRange);
    // The same fill with a rebate of 0.01 per unit: 1000.00 - 0.01, subtracted in 256 bits
    // with a borrow between the 64-bit limbs.
    QTest::newRow("per-unit rebate past 128 bits")
        << qint64(1'000'000'000'000'000'000) << qint64(1'000'000'000'000'000'000) << 18 << 18
        << qint64(1000) << 2 << qint64(1'000'000) << qint64(-1) << qint64(0) << qint64(99999)
        << none;
    // 10^-8 * 10^-8 * 10^-6 is 10^-22, far below a cent, and still charged as one cent. The
    // division by 10^20 runs in two steps, and only the first has a remainder.
    QTest::newRow("tiny fee is charged one unit")
        << qint64(1) << qint64(1) << 8 << 8 << qint64(1) << 2 << qint64(1) << qint64(0) << qint64(0)
        << qint64(1) << none;
    // 2^63 * 2^63 * 2^62 * 2^62 = 2^250, and at 18 money decimals it is 2^250 * 10^12: past
    // 256 bits, where a wrapped product would read as 0.
    QTest::newRow("fee past 256 bits")
        << qint64(kInt64Min) << qint64(kInt64Min) << 0 << 0 << qint64(4611686018427387904) << 18
        << qint64(4611686018427387904) << qint64(0) << qint64(0) << qint64(0)
        << errorName(MoneyError::OutOfRange);
    // 10^18 * 10^18 * 10^3 * 10^6 = 10^45 is past 2^128; at 36 + 6 decimals it is 1000, which
    // is 100000 at 2 money decimals.
    QTest::newRow("product past 128 bits that fits")
        << qint64(1'000'000'000'000'000'000) << qint64(1'000'000'000'000'000'000) << 18 << 18
        << qint64(1000) << 2 << qint64(1'000'000) << qint64(0) << qint64(0) << qint64(100000)
        << none;
}

void MoneyTest::feeRoundsUpOnce()
{
    QFETCH(qint64, price);
    QFETCH(qint64, quantity);
    QFETCH(qint64, partsPerMillion);
    QFETCH(qint64, perUnit);
    QFETCH(qint64, minimum);
    QFETCH(qint64, expected);
    QFETCH(QString, error);
    const Valuation terms = fetchValuation();
    const FeeSchedule schedule{FeeRate{partsPerMillion}, Money{perUnit}, Money{minimum}};

    const Checked<Money> charged = fee(Price{price}, Quantity{quantity}, terms, schedule);
    QCOMPARE(errorName(charged.error), error);
    QCOMPARE(charged.value.value(), expected);
}

// A margin account with 1000.0000 buys 10 at 29037.85 with a 4 bp taker fee: the fee is
// 116.1514, and the balance after it is 883.8486.
void MoneyTest::feeChargedOnceLeavesBalance()
{
    const DecimalValue balanceText = parseDecimal("1000", 4);
    const DecimalValue priceText = parseDecimal("29037.85", 2);
    const DecimalValue rateText = parseDecimal("0.04", 4); // percent at 4 decimals is ppm
    QCOMPARE(errorName(balanceText.error), errorName(DecimalError::None));
    QCOMPARE(errorName(priceText.error), errorName(DecimalError::None));
    QCOMPARE(errorName(rateText.error), errorName(DecimalError::None));
    QCOMPARE(rateText.units, FeeRate::fromBasisPoints(4).partsPerMillion);

    const Checked<Money> charged = fee(Price{priceText.units}, Quantity{10}, valuation(2, 0, 1, 4),
                                       FeeSchedule{FeeRate{rateText.units}, Money{0}, Money{0}});
    QCOMPARE(errorName(charged.error), errorName(MoneyError::None));
    QCOMPARE(nameString(toDecimalText(charged.value, 4).view()), QStringLiteral("116.1514"));

    const Checked<Money> balance = subtractMoney(Money{balanceText.units}, charged.value);
    QCOMPARE(errorName(balance.error), errorName(MoneyError::None));
    QCOMPARE(balance.value.value(), qint64(8838486));
    QCOMPARE(nameString(toDecimalText(balance.value, 4).view()), QStringLiteral("883.8486"));
}

// With 8-decimal prices and sizes and a 5 bp fee per side, buying 5 at 100000 and selling them
// at 100000 pays 250 on each side and nets -500.
void MoneyTest::roundTripAtEightDecimalsNetsFees()
{
    const Valuation terms = valuation(8, 8, 1, 8);
    const FeeSchedule schedule{FeeRate::fromBasisPoints(5), Money{0}, Money{0}};
    const Price price{10'000'000'000'000};
    const Quantity quantity{500'000'000};

    const Checked<Money> buyFee = fee(price, quantity, terms, schedule);
    const Checked<Money> sellFee = fee(price, Quantity{-quantity.value()}, terms, schedule);
    const Checked<Money> realized = profitAndLoss(price, price, quantity, terms);
    QCOMPARE(errorName(buyFee.error), errorName(MoneyError::None));
    QCOMPARE(errorName(sellFee.error), errorName(MoneyError::None));
    QCOMPARE(errorName(realized.error), errorName(MoneyError::None));
    QCOMPARE(buyFee.value.value(), qint64(25'000'000'000));
    QCOMPARE(sellFee.value.value(), qint64(25'000'000'000));
    QCOMPARE(realized.value.value(), qint64(0));

    const Checked<Money> afterBuy = subtractMoney(realized.value, buyFee.value);
    const Checked<Money> net = subtractMoney(afterBuy.value, sellFee.value);
    QCOMPARE(errorName(net.error), errorName(MoneyError::None));
    QCOMPARE(net.value.value(), qint64(-50'000'000'000));
    QCOMPARE(nameString(toDecimalText(net.value, 8).view()), QStringLiteral("-500.00000000"));

    // The same fill in an account with 2 money decimals.
    const Checked<Money> centsFee = fee(price, quantity, valuation(8, 8, 1, 2), schedule);
    QCOMPARE(centsFee.value.value(), qint64(25000));
    const Checked<Money> centsNet = subtractMoney(Money{-25000}, centsFee.value);
    QCOMPARE(nameString(toDecimalText(centsNet.value, 2).view()), QStringLiteral("-500.00"));
}

void MoneyTest::profitAndLossRoundsHalfToEven_data()
{
    QTest::addColumn<qint64>("entry");
    QTest::addColumn<qint64>("exit");
    QTest::addColumn<qint64>("quantity");
    addValuationColumns();
    QTest::addColumn<qint64>("expected");
    QTest::addColumn<QString>("error");

    const QString none = errorName(MoneyError::None);
    // (29100.00 - 29037.85) * 10 = 621.50.
    QTest::newRow("long gains") << qint64(2903785) << qint64(2910000) << qint64(10) << 2 << 0
                                << qint64(1) << 4 << qint64(6215000) << none;
    QTest::newRow("long loses") << qint64(2910000) << qint64(2903785) << qint64(10) << 2 << 0
                                << qint64(1) << 4 << qint64(-6215000) << none;
    // A short of 5 from 100 to 90 gains 50.
    QTest::newRow("short gains when the price falls")
        << qint64(100) << qint64(90) << qint64(-5) << 0 << 0 << qint64(1) << 2 << qint64(5000)
        << none;
    QTest::newRow("no move") << qint64(2903785) << qint64(2903785) << qint64(10) << 2 << 0
                             << qint64(1) << 4 << qint64(0) << none;
    // 0.005 at 2 decimals is a tie: 0.00, the even neighbour.
    QTest::newRow("tie rounds down to even") << qint64(1000) << qint64(1005) << qint64(1) << 3 << 0
                                             << qint64(1) << 2 << qint64(0) << none;
    // 0.015 is a tie between 0.01 and 0.02: 0.02.
    QTest::newRow("tie rounds up to even") << qint64(1000) << qint64(1015) << qint64(1) << 3 << 0
                                           << qint64(1) << 2 << qint64(2) << none;
    QTest::newRow("negative tie mirrors the positive")
        << qint64(1000) << qint64(1015) << qint64(-1) << 3 << 0 << qint64(1) << 2 << qint64(-2)
        << none;
    QTest::newRow("negative tie to zero") << qint64(1000) << qint64(1005) << qint64(-1) << 3 << 0
                                          << qint64(1) << 2 << qint64(0) << none;
    // 0.0051 is past the tie: 0.01.
    QTest::newRow("past the tie rounds away") << qint64(10000) << qint64(10051) << qint64(1) << 4
                                              << 0 << qint64(1) << 2 << qint64(1) << none;
    QTest::newRow("largest move that fits") << qint64(0) << qint64(kInt64Max) << qint64(1) << 0 << 0
                                            << qint64(1) << 0 << qint64(kInt64Max) << none;
    QTest::newRow("twice the largest move")
        << qint64(0) << qint64(kInt64Max) << qint64(2) << 0 << 0 << qint64(1) << 0 << qint64(0)
        << errorName(MoneyError::OutOfRange);
    // INT64_MAX - INT64_MIN = 2^64 - 1, which no int64 holds.
    QTest::newRow("move across the whole range")
        << qint64(kInt64Min) << qint64(kInt64Max) << qint64(1) << 0 << 0 << qint64(1) << 0
        << qint64(0) << errorName(MoneyError::OutOfRange);
}

void MoneyTest::profitAndLossRoundsHalfToEven()
{
    QFETCH(qint64, entry);
    QFETCH(qint64, exit);
    QFETCH(qint64, quantity);
    QFETCH(qint64, expected);
    QFETCH(QString, error);
    const Valuation terms = fetchValuation();

    const Checked<Money> amount =
        profitAndLoss(Price{entry}, Price{exit}, Quantity{quantity}, terms);
    QCOMPARE(errorName(amount.error), error);
    QCOMPARE(amount.value.value(), expected);
}

void MoneyTest::moneyAdditionIsChecked_data()
{
    QTest::addColumn<qint64>("a");
    QTest::addColumn<qint64>("b");
    QTest::addColumn<qint64>("sum");
    QTest::addColumn<qint64>("difference");
    QTest::addColumn<QString>("sumError");
    QTest::addColumn<QString>("differenceError");

    const QString none = errorName(MoneyError::None);
    const QString outOfRange = errorName(MoneyError::OutOfRange);
    QTest::newRow("small amounts") << qint64(10000000) << qint64(1161514) << qint64(11161514)
                                   << qint64(8838486) << none << none;
    QTest::newRow("maximum and zero")
        << qint64(kInt64Max) << qint64(0) << qint64(kInt64Max) << qint64(kInt64Max) << none << none;
    QTest::newRow("one past the maximum") << qint64(kInt64Max) << qint64(1) << qint64(0)
                                          << qint64(kInt64Max - 1) << outOfRange << none;
    // -INT64_MAX - 1 is INT64_MIN, which money excludes.
    QTest::newRow("one past the minimum") << qint64(-kInt64Max) << qint64(-1) << qint64(0)
                                          << qint64(-kInt64Max + 1) << outOfRange << none;
    QTest::newRow("difference past the minimum")
        << qint64(-kInt64Max) << qint64(1) << qint64(-kInt64Max + 1) << qint64(0) << none
        << outOfRange;
    QTest::newRow("difference past the maximum")
        << qint64(kInt64Max) << qint64(-1) << qint64(kInt64Max - 1) << qint64(0) << none
        << outOfRange;
}

void MoneyTest::moneyAdditionIsChecked()
{
    QFETCH(qint64, a);
    QFETCH(qint64, b);
    QFETCH(qint64, sum);
    QFETCH(qint64, difference);
    QFETCH(QString, sumError);
    QFETCH(QString, differenceError);

    const Checked<Money> added = addMoney(Money{a}, Money{b});
    QCOMPARE(errorName(added.error), sumError);
    QCOMPARE(added.value.value(), sum);

    const Checked<Money> subtracted = subtractMoney(Money{a}, Money{b});
    QCOMPARE(errorName(subtracted.error), differenceError);
    QCOMPARE(subtracted.value.value(), difference);
}

void MoneyTest::invalidValuationIsRejected_data()
{
    addValuationColumns();
    QTest::addColumn<QString>("error");

    const QString invalidScale = errorName(MoneyError::InvalidScale);
    QTest::newRow("price decimals past 18") << 19 << 0 << qint64(1) << 2 << invalidScale;
    QTest::newRow("quantity decimals past 18") << 2 << 19 << qint64(1) << 2 << invalidScale;
    QTest::newRow("money decimals past 18") << 2 << 0 << qint64(1) << 19 << invalidScale;
    QTest::newRow("zero multiplier")
        << 2 << 0 << qint64(0) << 2 << errorName(MoneyError::InvalidMultiplier);
    QTest::newRow("negative multiplier")
        << 2 << 0 << qint64(-1) << 2 << errorName(MoneyError::InvalidMultiplier);
}

void MoneyTest::invalidValuationIsRejected()
{
    QFETCH(QString, error);
    const Valuation terms = fetchValuation();
    const FeeSchedule schedule{FeeRate::fromBasisPoints(4), Money{0}, Money{0}};

    QCOMPARE(errorName(notional(Price{100}, Quantity{1}, terms).error), error);
    QCOMPARE(errorName(fee(Price{100}, Quantity{1}, terms, schedule).error), error);
    QCOMPARE(errorName(profitAndLoss(Price{100}, Price{101}, Quantity{1}, terms).error), error);
}

QTEST_APPLESS_MAIN(MoneyTest)
#include "tst_money.moc"

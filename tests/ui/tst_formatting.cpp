#include "chart_scale.h"
#include "formatting.h"

#include <QTest>

using bourse::Price;
using bourse::Timestamp;
using bourse::ui::TimePrecision;

class FormattingTest : public QObject {
    Q_OBJECT

private slots:
    void formatPriceUsesDecimals_data();
    void formatPriceUsesDecimals();
    void formatCountGroupsThousands_data();
    void formatCountGroupsThousands();
    void formatGroupedDecimals_data();
    void formatGroupedDecimals();
    void formatTimeOfDayReplayTime_data();
    void formatTimeOfDayReplayTime();
    void epochTimeShowsLocalClock();
    void niceStepPicksOneTwoFive_data();
    void niceStepPicksOneTwoFive();
    void niceTimeStepPicksClockSteps_data();
    void niceTimeStepPicksClockSteps();
    void roundUpToMultipleBothSigns_data();
    void roundUpToMultipleBothSigns();
    void trailingDecimalZerosCapped_data();
    void trailingDecimalZerosCapped();
};

void FormattingTest::formatPriceUsesDecimals_data()
{
    QTest::addColumn<qint64>("ticks");
    QTest::addColumn<int>("decimals");
    QTest::addColumn<QString>("expected");

    QTest::newRow("lobster dollars") << qint64{5794000} << 4 << QStringLiteral("579.4000");
    QTest::newRow("cents") << qint64{12345} << 2 << QStringLiteral("123.45");
    QTest::newRow("zero") << qint64{0} << 2 << QStringLiteral("0.00");
    QTest::newRow("leading zeros kept") << qint64{7} << 4 << QStringLiteral("0.0007");
    QTest::newRow("whole units") << qint64{42} << 0 << QStringLiteral("42");
    QTest::newRow("negative below one") << qint64{-5} << 2 << QStringLiteral("-0.05");
    QTest::newRow("int64 minimum")
        << std::numeric_limits<qint64>::min() << 2 << QStringLiteral("-92233720368547758.08");
    QTest::newRow("decimals clamped to zero") << qint64{12} << -3 << QStringLiteral("12");
}

void FormattingTest::formatPriceUsesDecimals()
{
    QFETCH(qint64, ticks);
    QFETCH(int, decimals);
    QFETCH(QString, expected);

    QCOMPARE(bourse::ui::formatPrice(Price{ticks}, decimals), expected);
}

void FormattingTest::formatCountGroupsThousands_data()
{
    QTest::addColumn<qint64>("value");
    QTest::addColumn<QString>("expected");

    QTest::newRow("zero") << qint64{0} << QStringLiteral("0");
    QTest::newRow("three digits") << qint64{999} << QStringLiteral("999");
    QTest::newRow("four digits") << qint64{1000} << QStringLiteral("1,000");
    QTest::newRow("seven digits") << qint64{1234567} << QStringLiteral("1,234,567");
    QTest::newRow("negative") << qint64{-98765} << QStringLiteral("-98,765");
}

void FormattingTest::formatCountGroupsThousands()
{
    QFETCH(qint64, value);
    QFETCH(QString, expected);

    QCOMPARE(bourse::ui::formatCount(value), expected);
}

void FormattingTest::formatGroupedDecimals_data()
{
    QTest::addColumn<qint64>("value");
    QTest::addColumn<int>("decimals");
    QTest::addColumn<QString>("quantity");
    QTest::addColumn<QString>("money");

    QTest::newRow("whole lots") << qint64{1234567} << 0 << QStringLiteral("1,234,567")
                                << QStringLiteral("1,234,567");
    QTest::newRow("hundredths") << qint64{1234567} << 2 << QStringLiteral("12,345.67")
                                << QStringLiteral("12,345.67");
    QTest::newRow("below one") << qint64{5} << 3 << QStringLiteral("0.005")
                               << QStringLiteral("0.005");
    QTest::newRow("negative") << qint64{-123456789} << 2 << QStringLiteral("-1,234,567.89")
                              << QStringLiteral("-1,234,567.89");
    QTest::newRow("int64 minimum")
        << std::numeric_limits<qint64>::min() << 8 << QStringLiteral("-92,233,720,368.54775808")
        << QStringLiteral("-92,233,720,368.54775808");
}

void FormattingTest::formatGroupedDecimals()
{
    QFETCH(qint64, value);
    QFETCH(int, decimals);
    QFETCH(QString, quantity);
    QFETCH(QString, money);

    QCOMPARE(bourse::ui::formatQuantity(bourse::Quantity{value}, decimals), quantity);
    QCOMPARE(bourse::ui::formatMoney(bourse::Money{value}, decimals), money);
}

void FormattingTest::formatTimeOfDayReplayTime_data()
{
    QTest::addColumn<qint64>("nanoseconds");
    QTest::addColumn<TimePrecision>("precision");
    QTest::addColumn<QString>("expected");

    const qint64 firstMessage = 34'200'015'105'074; // 34200.015105074 s after midnight
    QTest::newRow("milliseconds") << firstMessage << TimePrecision::Milliseconds
                                  << QStringLiteral("09:30:00.015");
    QTest::newRow("seconds") << firstMessage << TimePrecision::Seconds
                             << QStringLiteral("09:30:00");
    QTest::newRow("minutes") << firstMessage << TimePrecision::Minutes << QStringLiteral("09:30");
    QTest::newRow("last nanosecond before close")
        << qint64{57'599'999'999'999} << TimePrecision::Milliseconds
        << QStringLiteral("15:59:59.999");
    QTest::newRow("midnight") << qint64{0} << TimePrecision::Seconds << QStringLiteral("00:00:00");
}

void FormattingTest::formatTimeOfDayReplayTime()
{
    QFETCH(qint64, nanoseconds);
    QFETCH(TimePrecision, precision);
    QFETCH(QString, expected);

    QCOMPARE(bourse::ui::formatTimeOfDay(Timestamp{nanoseconds}, precision), expected);
}

void FormattingTest::epochTimeShowsLocalClock()
{
    // 2024-03-01 14:05:06.789 in local time, with 123456 ns below the millisecond.
    const QDateTime local(QDate(2024, 3, 1), QTime(14, 5, 6, 789));
    const qint64 nanoseconds = local.toMSecsSinceEpoch() * 1'000'000 + 123'456;

    QCOMPARE(bourse::ui::formatTimeOfDay(Timestamp{nanoseconds}, TimePrecision::Milliseconds),
             QStringLiteral("14:05:06.789"));
    const qint64 expectedIntoDay =
        (((14 * 60 + 5) * 60 + 6) * 1000 + 789) * qint64{1'000'000} + 123'456;
    QCOMPARE(bourse::ui::nanosecondsIntoDay(Timestamp{nanoseconds}), expectedIntoDay);
}

void FormattingTest::niceStepPicksOneTwoFive_data()
{
    QTest::addColumn<qint64>("range");
    QTest::addColumn<qint64>("maxIntervals");
    QTest::addColumn<qint64>("expected");

    QTest::newRow("730 in 8 needs 92, gives 100") << qint64{730} << qint64{8} << qint64{100};
    QTest::newRow("exact ten") << qint64{100} << qint64{10} << qint64{10};
    QTest::newRow("needs 247, gives 500") << qint64{1234} << qint64{5} << qint64{500};
    QTest::newRow("needs 12, gives 20") << qint64{120} << qint64{10} << qint64{20};
    QTest::newRow("small range") << qint64{7} << qint64{10} << qint64{1};
    QTest::newRow("empty range") << qint64{0} << qint64{5} << qint64{1};
    QTest::newRow("no intervals") << qint64{50} << qint64{0} << qint64{1};
}

void FormattingTest::niceStepPicksOneTwoFive()
{
    QFETCH(qint64, range);
    QFETCH(qint64, maxIntervals);
    QFETCH(qint64, expected);

    QCOMPARE(bourse::ui::niceStep(range, maxIntervals), expected);
}

void FormattingTest::niceTimeStepPicksClockSteps_data()
{
    QTest::addColumn<qint64>("minimum");
    QTest::addColumn<qint64>("expected");

    constexpr qint64 second = 1'000'000'000;
    QTest::newRow("one nanosecond") << qint64{1} << 100'000'000LL;
    QTest::newRow("eight seconds") << 8 * second << 10 * second;
    QTest::newRow("exactly fifteen seconds") << 15 * second << 15 * second;
    QTest::newRow("sixty-one seconds") << 61 * second << 120 * second;
    QTest::newRow("ninety minutes") << 90 * 60 * second << 2 * 3600 * second;
}

void FormattingTest::niceTimeStepPicksClockSteps()
{
    QFETCH(qint64, minimum);
    QFETCH(qint64, expected);

    QCOMPARE(bourse::ui::niceTimeStep(minimum), expected);
}

void FormattingTest::roundUpToMultipleBothSigns_data()
{
    QTest::addColumn<qint64>("value");
    QTest::addColumn<qint64>("expected");

    QTest::newRow("positive up") << qint64{7} << qint64{10};
    QTest::newRow("positive exact") << qint64{10} << qint64{10};
    QTest::newRow("zero") << qint64{0} << qint64{0};
    QTest::newRow("negative up") << qint64{-7} << qint64{-5};
    QTest::newRow("negative exact") << qint64{-10} << qint64{-10};
}

void FormattingTest::roundUpToMultipleBothSigns()
{
    QFETCH(qint64, value);
    QFETCH(qint64, expected);

    QCOMPARE(bourse::ui::roundUpToMultiple(value, 5), expected);
}

void FormattingTest::trailingDecimalZerosCapped_data()
{
    QTest::addColumn<qint64>("value");
    QTest::addColumn<int>("limit");
    QTest::addColumn<int>("expected");

    QTest::newRow("two zeros") << qint64{500} << 2 << 2;
    QTest::newRow("capped at one") << qint64{500} << 1 << 1;
    QTest::newRow("one zero") << qint64{120} << 4 << 1;
    QTest::newRow("none") << qint64{25} << 4 << 0;
    QTest::newRow("zero value") << qint64{0} << 4 << 0;
}

void FormattingTest::trailingDecimalZerosCapped()
{
    QFETCH(qint64, value);
    QFETCH(int, limit);
    QFETCH(int, expected);

    QCOMPARE(bourse::ui::trailingDecimalZeros(value, limit), expected);
}

QTEST_MAIN(FormattingTest)
#include "tst_formatting.moc"

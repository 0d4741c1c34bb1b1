#include "ui_benchmark.h"

#include <QTest>

#include <vector>

using bourse::ui::growthKilobytesPerSecond;

// The figures the UI benchmark derives from its once-a-second memory samples.
class UiBenchmarkFiguresTest : public QObject {
    Q_OBJECT

private slots:
    void growthIgnoresWarmUp_data();
    void growthIgnoresWarmUp();
};

void UiBenchmarkFiguresTest::growthIgnoresWarmUp_data()
{
    QTest::addColumn<std::vector<double>>("megabytes");
    QTest::addColumn<double>("kilobytesPerSecond");

    // A steep warm-up, then flat: the warm-up half is left out, so no growth.
    QTest::newRow("flat after warm-up") << std::vector<double>{1, 5, 9, 20, 20, 20} << 0.0;
    // 51, 52, 53 MB one second apart: 1 MB a second, 1024 KB.
    QTest::newRow("steady growth") << std::vector<double>{10, 50, 50, 51, 52, 53} << 1024.0;
    // 60.0, 60.5, 60.0, 60.5: the line through them rises 0.1 MB a second (by hand: mean x 1.5,
    // mean y 60.25, covariance 0.5, variance 5), 102.4 KB.
    QTest::newRow("noisy") << std::vector<double>{1, 2, 3, 4, 60.0, 60.5, 60.0, 60.5} << 102.4;
    // Odd counts: the later, larger half is kept. 7 samples keep the last 4.
    QTest::newRow("odd count") << std::vector<double>{0, 0, 0, 8, 9, 10, 11} << 1024.0;
    QTest::newRow("too few samples") << std::vector<double>{5, 6} << 0.0;
    QTest::newRow("no samples") << std::vector<double>{} << 0.0;
}

void UiBenchmarkFiguresTest::growthIgnoresWarmUp()
{
    QFETCH(std::vector<double>, megabytes);
    QFETCH(double, kilobytesPerSecond);
    const double growth = growthKilobytesPerSecond(megabytes);
    QVERIFY2(
        qAbs(growth - kilobytesPerSecond) < 1e-9,
        qPrintable(QStringLiteral("growth %1, expected %2").arg(growth).arg(kilobytesPerSecond)));
}

QTEST_GUILESS_MAIN(UiBenchmarkFiguresTest)
#include "tst_ui_benchmark_figures.moc"

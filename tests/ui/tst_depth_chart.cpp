#include "chart_depth.h"
#include "depth_chart.h"
#include "formatting.h"
#include "theme.h"

#include <QApplication>
#include <QImage>
#include <QTest>

#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

using bourse::LevelSummary;
using bourse::MarketView;
using bourse::Price;
using bourse::Quantity;
using bourse::Side;
using bourse::ui::DepthChart;
using bourse::ui::DepthFrame;
using bourse::ui::DepthGridLine;
using bourse::ui::DepthPoint;
using bourse::ui::DepthReading;
namespace theme = bourse::ui::theme;

Q_DECLARE_METATYPE(bourse::ui::theme::Theme)

namespace {

LevelSummary level(std::int64_t price, std::int64_t quantity)
{
    return LevelSummary{Price{price}, Quantity{quantity}, 1};
}

// Bids 100.00 x 5, 99.90 x 3, 99.80 x 10 and asks 100.10 x 4, 100.20 x 6: the mid is 100.05.
MarketView smallBook()
{
    MarketView view;
    view.symbol = "XYZ";
    view.priceDecimals = 2;
    view.bids = {level(10'000, 5), level(9'990, 3), level(9'980, 10)};
    view.asks = {level(10'010, 4), level(10'020, 6)};
    return view;
}

std::shared_ptr<const MarketView> shared(MarketView view)
{
    return std::make_shared<const MarketView>(std::move(view));
}

int xOf(const DepthFrame &frame, std::int64_t price)
{
    return static_cast<int>(std::lround(frame.xOfPrice(static_cast<double>(price))));
}

// Counts the paint events a widget receives.
class PaintCounter : public QObject {
public:
    int count = 0;

protected:
    bool eventFilter(QObject *, QEvent *event) override
    {
        if (event->type() == QEvent::Paint)
            ++count;
        return false;
    }
};

int pixelsOf(const QImage &image, const QColor &color)
{
    int count = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            if (image.pixelColor(x, y) == color)
                ++count;
        }
    }
    return count;
}

} // namespace

class DepthChartTest : public QObject {
    Q_OBJECT

private slots:
    void cleanup();

    void cumulativeDepthOfLevels();
    void readingOnEachSide();
    void chartKeepsCumulativePoints();
    void midPriceCentresPlot();
    void oneSidedBookHasNoMid();
    void sizeAxisUsesQuantityDecimals();
    void crosshairReadsUnderMouse();
    void keysStepThroughLevels();
    void unchangedBookDoesNotRepaint();
    void floodOfViewsPaintsOncePerFrame();
    void emptyBookShowsPlaceholder();
    void rendersInBothThemes_data();
    void rendersInBothThemes();
};

void DepthChartTest::cleanup()
{
    theme::setCurrent(theme::Theme::Dark);
}

void DepthChartTest::cumulativeDepthOfLevels()
{
    const MarketView view = smallBook();

    const std::vector<DepthPoint> bids = bourse::ui::cumulativeDepth(view.bids);
    const std::vector<DepthPoint> asks = bourse::ui::cumulativeDepth(view.asks);

    // 5, 5 + 3 = 8, 8 + 10 = 18 and 4, 4 + 6 = 10.
    QCOMPARE(bids.size(), std::size_t{3});
    QCOMPARE(bids[0].price.value(), std::int64_t{10'000});
    QCOMPARE(bids[0].cumulative.value(), std::int64_t{5});
    QCOMPARE(bids[1].price.value(), std::int64_t{9'990});
    QCOMPARE(bids[1].cumulative.value(), std::int64_t{8});
    QCOMPARE(bids[2].price.value(), std::int64_t{9'980});
    QCOMPARE(bids[2].cumulative.value(), std::int64_t{18});
    QCOMPARE(asks.size(), std::size_t{2});
    QCOMPARE(asks[0].cumulative.value(), std::int64_t{4});
    QCOMPARE(asks[1].price.value(), std::int64_t{10'020});
    QCOMPARE(asks[1].cumulative.value(), std::int64_t{10});
    QVERIFY(bourse::ui::cumulativeDepth({}).empty());
}

void DepthChartTest::readingOnEachSide()
{
    const MarketView view = smallBook();
    const std::vector<DepthPoint> bids = bourse::ui::cumulativeDepth(view.bids);
    const std::vector<DepthPoint> asks = bourse::ui::cumulativeDepth(view.asks);
    const auto at = [&](std::int64_t price) {
        return bourse::ui::depthAt(bids, asks, Price{price});
    };

    // Between two bid levels the better one's total holds: at 99.95 only 100.00 is as good.
    QCOMPARE(at(9'995)->side, Side::Buy);
    QCOMPARE(at(9'995)->cumulative.value(), std::int64_t{5});
    QCOMPARE(at(10'000)->cumulative.value(), std::int64_t{5});
    QCOMPARE(at(9'990)->cumulative.value(), std::int64_t{8});
    QCOMPARE(at(9'980)->cumulative.value(), std::int64_t{18});
    QVERIFY(!at(9'980)->beyondShownLevels);
    QCOMPARE(at(9'970)->cumulative.value(), std::int64_t{18});
    QVERIFY(at(9'970)->beyondShownLevels);

    QVERIFY(!at(10'005));
    QVERIFY(!at(10'001));
    QVERIFY(!at(10'009));

    QCOMPARE(at(10'010)->side, Side::Sell);
    QCOMPARE(at(10'010)->cumulative.value(), std::int64_t{4});
    QCOMPARE(at(10'015)->cumulative.value(), std::int64_t{4});
    QCOMPARE(at(10'020)->cumulative.value(), std::int64_t{10});
    QVERIFY(at(10'030)->beyondShownLevels);
    QVERIFY(!bourse::ui::depthAt({}, {}, Price{10'000}));
}

void DepthChartTest::chartKeepsCumulativePoints()
{
    DepthChart chart;
    chart.resize(480, 320);
    chart.showView(shared(smallBook()));

    QCOMPARE(chart.bidDepth().size(), std::size_t{3});
    QCOMPARE(chart.bidDepth().back().cumulative.value(), std::int64_t{18});
    QCOMPARE(chart.askDepth().back().cumulative.value(), std::int64_t{10});

    chart.clear();
    QVERIFY(chart.bidDepth().empty());
    QVERIFY(!chart.frame());
}

void DepthChartTest::midPriceCentresPlot()
{
    DepthChart chart;
    chart.resize(480, 320);
    chart.showView(shared(smallBook()));
    const DepthFrame frame = *chart.frame();

    QCOMPARE(frame.doubleMid(), std::optional<std::int64_t>(20'010));
    QVERIFY(std::abs(frame.xOfPrice(10'005.0) - frame.plot().center().x()) <= 1.0);
    // The deeper side, the bids 25 ticks from the mid against 15 for the asks, reaches near the
    // edge. Both sides lie inside the plot.
    QVERIFY(xOf(frame, 9'980) > frame.plot().left());
    QVERIFY(xOf(frame, 9'980) - frame.plot().left() < frame.plot().width() / 10);
    QVERIFY(xOf(frame, 10'020) < frame.plot().right());
    // The size axis reaches above the larger side's total.
    QVERIFY(frame.yOfQuantity(18.0) > frame.plot().top());
    QCOMPARE(frame.yOfQuantity(0.0), static_cast<double>(frame.plot().bottom()));
    QCOMPARE(bourse::ui::midPriceText(20'010, 2), QStringLiteral("100.05"));
    QCOMPARE(bourse::ui::midPriceText(20'001, 2), QStringLiteral("100.005"));
}

void DepthChartTest::oneSidedBookHasNoMid()
{
    MarketView view = smallBook();
    view.asks.clear();
    DepthChart chart;
    chart.resize(480, 320);
    chart.showView(shared(view));
    const DepthFrame frame = *chart.frame();

    QVERIFY(!frame.doubleMid());
    QVERIFY(xOf(frame, 10'000) < frame.plot().right());
    QVERIFY(xOf(frame, 9'980) > frame.plot().left());
    QVERIFY(!frame.priceGrid().empty());
}

void DepthChartTest::sizeAxisUsesQuantityDecimals()
{
    MarketView view = smallBook();
    view.quantityDecimals = 2;
    view.bids = {level(10'000, 150'000)}; // 1,500.00 lots
    DepthChart chart;
    chart.resize(480, 320);
    chart.showView(shared(view));

    const std::vector<DepthGridLine> grid = chart.frame()->sizeGrid();
    QVERIFY(grid.size() >= 2);
    QCOMPARE(grid[0].label, QStringLiteral("0.00"));
    for (const DepthGridLine &line : grid) {
        QVERIFY2(line.label.endsWith(QStringLiteral(".00")), qPrintable(line.label));
        QVERIFY(line.position <= chart.frame()->plot().bottom());
    }
    QCOMPARE(grid[1].label,
             bourse::ui::formatQuantity(Quantity{grid[1].value}, view.quantityDecimals));
}

void DepthChartTest::crosshairReadsUnderMouse()
{
    DepthChart chart;
    chart.resize(480, 320);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    chart.showView(shared(smallBook()));
    const DepthFrame frame = *chart.frame();
    const int y = frame.plot().center().y();

    QTest::mouseMove(&chart, QPoint(xOf(frame, 9'990), y));
    std::optional<DepthReading> reading = chart.readingUnderCursor();
    QVERIFY(reading);
    QCOMPARE(reading->price.value(), std::int64_t{9'990});
    QCOMPARE(reading->side, Side::Buy);
    QCOMPARE(reading->cumulative.value(), std::int64_t{8});

    QTest::mouseMove(&chart, QPoint(xOf(frame, 10'020), y));
    reading = chart.readingUnderCursor();
    QVERIFY(reading);
    QCOMPARE(reading->side, Side::Sell);
    QCOMPARE(reading->cumulative.value(), std::int64_t{10});

    QTest::mouseMove(&chart, QPoint(xOf(frame, 10'005), y));
    QVERIFY(!chart.readingUnderCursor());

    QTest::mouseMove(&chart, QPoint(xOf(frame, 9'990), frame.priceAxis().center().y()));
    QVERIFY(!chart.readingUnderCursor());
}

void DepthChartTest::keysStepThroughLevels()
{
    DepthChart chart;
    chart.resize(480, 320);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    chart.showView(shared(smallBook()));
    chart.setFocus();

    // From the middle of the plot, at the mid price, Right reaches the best ask first.
    QTest::keyClick(&chart, Qt::Key_Right);
    QCOMPARE(chart.readingUnderCursor()->price.value(), std::int64_t{10'010});
    QCOMPARE(chart.readingUnderCursor()->cumulative.value(), std::int64_t{4});
    QTest::keyClick(&chart, Qt::Key_Right);
    QCOMPARE(chart.readingUnderCursor()->cumulative.value(), std::int64_t{10});
    QTest::keyClick(&chart, Qt::Key_Right);
    QCOMPARE(chart.readingUnderCursor()->price.value(), std::int64_t{10'020});

    QTest::keyClick(&chart, Qt::Key_Left);
    QTest::keyClick(&chart, Qt::Key_Left);
    QCOMPARE(chart.readingUnderCursor()->price.value(), std::int64_t{10'000});
    QCOMPARE(chart.readingUnderCursor()->side, Side::Buy);
    QCOMPARE(chart.readingUnderCursor()->cumulative.value(), std::int64_t{5});

    QTest::keyClick(&chart, Qt::Key_Escape);
    QVERIFY(!chart.readingUnderCursor());
}

void DepthChartTest::unchangedBookDoesNotRepaint()
{
    MarketView view = smallBook();
    DepthChart chart;
    chart.resize(480, 320);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    chart.showView(shared(view));
    QTest::qWait(50);
    PaintCounter paints;
    chart.installEventFilter(&paints);

    for (int i = 0; i < 100; ++i) {
        view.totalEvents += 1;
        view.bars.push_back(bourse::Bar{});
        chart.showView(shared(view));
    }
    QTest::qWait(50);
    QCOMPARE(paints.count, 0);

    view.asks[1].quantity = Quantity{7};
    chart.showView(shared(view));
    QTRY_COMPARE(paints.count, 1);
    QCOMPARE(chart.askDepth().back().cumulative.value(), std::int64_t{11});
}

void DepthChartTest::floodOfViewsPaintsOncePerFrame()
{
    MarketView view = smallBook();
    DepthChart chart;
    chart.resize(480, 320);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    chart.showView(shared(view));
    QTest::qWait(50);
    PaintCounter paints;
    chart.installEventFilter(&paints);

    for (int i = 0; i < 1000; ++i) {
        view.bids[0].quantity = Quantity{1 + i % 50};
        chart.showView(shared(view));
    }
    QCOMPARE(paints.count, 0);
    QTRY_COMPARE(paints.count, 1);
    QTest::qWait(50);
    QCOMPARE(paints.count, 1);
    // The points are those of the last view: 1 + 999 % 50 = 50 at the best bid.
    QCOMPARE(chart.bidDepth().front().cumulative.value(), std::int64_t{50});
}

void DepthChartTest::emptyBookShowsPlaceholder()
{
    MarketView view = smallBook();
    view.bids.clear();
    view.asks.clear();
    DepthChart chart;
    chart.resize(480, 320);
    chart.showView(shared(view));

    QVERIFY(chart.frame()->empty());
    QVERIFY(chart.frame()->priceGrid().empty());
    QVERIFY(!chart.frame()->readingAt(chart.rect().center()));
    QVERIFY(!chart.grab().isNull());
}

void DepthChartTest::rendersInBothThemes_data()
{
    QTest::addColumn<theme::Theme>("scheme");
    QTest::newRow("dark") << theme::Theme::Dark;
    QTest::newRow("light") << theme::Theme::Light;
}

// Set BOURSE_CHART_IMAGE_DIR to a folder to keep the images.
void DepthChartTest::rendersInBothThemes()
{
    QFETCH(theme::Theme, scheme);
    auto *application = qobject_cast<QApplication *>(QCoreApplication::instance());
    QVERIFY(application);
    theme::apply(*application, scheme);

    // Ten levels a side, a tick apart near the top and wider further out, the sizes growing.
    MarketView view;
    view.symbol = "XYZ";
    view.priceDecimals = 2;
    for (int i = 0; i < 10; ++i) {
        view.bids.push_back(level(10'000 - i * (1 + i / 3), 20 + 7 * i + (i % 3) * 11));
        view.asks.push_back(level(10'001 + i * (1 + i / 4), 15 + 9 * i + (i % 4) * 6));
    }
    DepthChart chart;
    chart.resize(640, 360);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    chart.showView(shared(view));
    const DepthFrame frame = *chart.frame();
    // A move to where the previous window had the mouse would send no event.
    QTest::mouseMove(&chart, QPoint(1, 1));
    QTest::mouseMove(&chart, QPoint(xOf(frame, 9'990), frame.plot().center().y()));

    QVERIFY(chart.readingUnderCursor());

    const QImage image = chart.grab().toImage().convertToFormat(QImage::Format_RGB32);
    if (const QByteArray folder = qgetenv("BOURSE_CHART_IMAGE_DIR"); !folder.isEmpty()) {
        const QString name =
            scheme == theme::Theme::Dark ? QStringLiteral("dark") : QStringLiteral("light");
        image.save(QString::fromLocal8Bit(folder) +
                   QStringLiteral("/depth_chart_%1.png").arg(name));
    }

    QCOMPARE(image.pixelColor(2, image.height() / 2), theme::panelColor());
    QVERIFY(pixelsOf(image, theme::buyColor()) > 50);
    QVERIFY(pixelsOf(image, theme::sellColor()) > 50);
}

QTEST_MAIN(DepthChartTest)
#include "tst_depth_chart.moc"

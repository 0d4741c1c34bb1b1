#include "candle_chart.h"
#include "chart_frame.h"
#include "chart_indicators.h"
#include "chart_painter.h"
#include "theme.h"
#include "view_builder.h"

#include <QApplication>
#include <QImage>
#include <QPainter>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>
#include <QWheelEvent>

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

using bourse::Bar;
using bourse::BarSeries;
using bourse::InstrumentId;
using bourse::MarketView;
using bourse::OwnFill;
using bourse::Price;
using bourse::Quantity;
using bourse::Side;
using bourse::Timestamp;
using bourse::ui::CandleChart;
using bourse::ui::ChartFrame;
using bourse::ui::ChartLine;
using bourse::ui::ChartOverlays;
using bourse::ui::ChartPainter;
using bourse::ui::FillMarker;
using bourse::ui::IndicatorPoint;
namespace theme = bourse::ui::theme;

Q_DECLARE_METATYPE(std::vector<Bar>)
Q_DECLARE_METATYPE(std::vector<std::int64_t>)
Q_DECLARE_METATYPE(std::vector<double>)
Q_DECLARE_METATYPE(bourse::ui::theme::Theme)

namespace {

constexpr std::int64_t second = 1'000'000'000;
constexpr std::int64_t minute = 60 * second;
constexpr std::int64_t hour = 60 * minute;
constexpr std::int64_t marketOpen = (9 * 3600 + 30 * 60) * second; // 09:30:00, from midnight
constexpr InstrumentId focus{7};

Bar makeBar(std::int64_t start, std::int64_t open, std::int64_t high, std::int64_t low,
            std::int64_t close, std::int64_t volume)
{
    return Bar{
        Timestamp{start}, Price{open}, Price{high}, Price{low}, Price{close}, Quantity{volume}, 1};
}

Bar flatBar(std::int64_t start, std::int64_t price, std::int64_t volume = 1)
{
    return makeBar(start, price, price, price, price, volume);
}

// Bars of `interval` from the open, one per interval, walking around 100.00 by a few ticks
// with a fixed linear congruential sequence, so every run draws the same chart.
std::vector<Bar> walkingBars(int count, std::int64_t interval)
{
    std::vector<Bar> bars;
    std::uint32_t state = 12345;
    const auto next = [&state](std::uint32_t range) {
        state = state * 1'103'515'245u + 12'345u;
        return static_cast<std::int64_t>((state >> 16) % range);
    };
    std::int64_t close = 10'000;
    for (int i = 0; i < count; ++i) {
        const std::int64_t open = close;
        close = open + next(9) - 4;
        const std::int64_t high = std::max(open, close) + next(4);
        const std::int64_t low = std::min(open, close) - next(4);
        bars.push_back(makeBar(marketOpen + i * interval, open, high, low, close, 5 + next(60)));
    }
    return bars;
}

// Merges bars into bars of a longer interval, as the session's time frames do.
std::vector<Bar> mergedBars(const std::vector<Bar> &bars, std::int64_t interval)
{
    std::vector<Bar> merged;
    for (const Bar &bar : bars) {
        const std::int64_t start = bourse::ui::intervalStart(bar.start.value(), interval);
        if (merged.empty() || merged.back().start.value() != start) {
            merged.push_back(bar);
            merged.back().start = Timestamp{start};
            continue;
        }
        Bar &last = merged.back();
        last.high = std::max(last.high, bar.high);
        last.low = std::min(last.low, bar.low);
        last.close = bar.close;
        last.volume += bar.volume;
    }
    return merged;
}

MarketView viewWithBars(std::vector<Bar> bars, std::int64_t interval)
{
    MarketView view;
    view.instrument = focus;
    view.symbol = "XYZ";
    view.priceDecimals = 2;
    view.barIntervalNanoseconds = interval;
    view.bars = std::move(bars);
    return view;
}

// A view with the four time frames a session keeps, of different lengths so a test can tell
// them apart.
MarketView viewWithTimeFrames()
{
    const std::vector<Bar> seconds = walkingBars(240, second);
    MarketView view = viewWithBars(seconds, second);
    view.timeFrames = {
        BarSeries{second, seconds, {}},
        BarSeries{minute, walkingBars(120, minute), {}},
        BarSeries{5 * minute, walkingBars(30, 5 * minute), {}},
        BarSeries{hour, walkingBars(3, hour), {}},
    };
    return view;
}

OwnFill makeFill(InstrumentId instrument, std::int64_t time, Side side, std::int64_t price,
                 bourse::SequenceNumber sequence)
{
    OwnFill fill;
    fill.tradeSequence = sequence;
    fill.time = Timestamp{time};
    fill.instrument = instrument;
    fill.side = side;
    fill.price = Price{price};
    fill.quantity = Quantity{10};
    return fill;
}

std::shared_ptr<const MarketView> shared(MarketView view)
{
    return std::make_shared<const MarketView>(std::move(view));
}

void sendWheel(QWidget &widget, QPoint angle)
{
    const QPointF position(widget.width() / 2.0, widget.height() / 2.0);
    QWheelEvent event(position, widget.mapToGlobal(position), QPoint(), angle, Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(&widget, &event);
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

class CandleChartTest : public QObject {
    Q_OBJECT

private slots:
    void cleanup();

    void vwapOfBars_data();
    void vwapOfBars();
    void vwapStopsBeforeOverflow();
    void movingAveragesOfCloses();
    void movingAverageLongerThanBars();
    void fillMarkersOnTheirBars();
    void fillMarkersDrawnAtBarSlot();
    void timeFrameButtonsPickSeries();
    void timeFrameFallsBackWhenMissing();
    void noTimeFramesShowsViewBars();
    void wheelAndKeysZoom();
    void keysAndDragScroll();
    void scrolledChartIgnoresNewBars();
    void endFollowsNewBarsAgain();
    void fittingBarsDoNotScroll();
    void crosshairReadsBarAndPrice();
    void keyboardCrosshairReadsBars();
    void keyboardCrosshairScrollsIntoView();
    void keyboardCrosshairFollowsTimeFrame();
    void mouseTakesCrosshairFromKeyboard();
    void vwapStartsFromOlderBars();
    void vwapCoversBarsBeyondWindow();
    void floodOfViewsPaintsOncePerFrame();
    void unchangedViewsDoNotRepaint();
    void visibleBarsBoundedBySlots();
    void rendersInBothThemes_data();
    void rendersInBothThemes();
};

void CandleChartTest::cleanup()
{
    theme::setCurrent(theme::Theme::Dark);
}

void CandleChartTest::vwapOfBars_data()
{
    QTest::addColumn<std::vector<Bar>>("bars");
    QTest::addColumn<std::vector<std::int64_t>>("expected");
    QTest::addColumn<std::vector<double>>("exact");

    // Typical prices (H + L + C) / 3: 10003.33, 10030, 10010 with volumes 10, 30, 20.
    // VWAP 1: 10003.33. VWAP 2: (300100 + 902700) / 120 = 10023.33.
    // VWAP 3: (1202800 + 600600) / 180 = 1803400 / 180 = 10018.89.
    QTest::newRow("three bars") << std::vector<Bar>{makeBar(0, 10000, 10020, 9980, 10010, 10),
                                                    makeBar(second, 10010, 10050, 10000, 10040, 30),
                                                    makeBar(2 * second, 10040, 10040, 9990, 10000,
                                                            20)}
                                << std::vector<std::int64_t>{10003, 10023, 10019}
                                << std::vector<double>{30010.0 / 3.0, 1202800.0 / 120.0,
                                                       1803400.0 / 180.0};
    // (30000 + 30003) / 6 = 10000.5, which rounds away from zero.
    QTest::newRow("half a tick") << std::vector<Bar>{flatBar(0, 10000), flatBar(second, 10001)}
                                 << std::vector<std::int64_t>{10000, 10001}
                                 << std::vector<double>{10000.0, 10000.5};
    // -150.5 rounds to -151, away from zero as for positive prices.
    QTest::newRow("negative prices")
        << std::vector<Bar>{flatBar(0, -150), flatBar(second, -151)}
        << std::vector<std::int64_t>{-150, -151} << std::vector<double>{-150.0, -150.5};
}

void CandleChartTest::vwapOfBars()
{
    QFETCH(std::vector<Bar>, bars);
    QFETCH(std::vector<std::int64_t>, expected);
    QFETCH(std::vector<double>, exact);

    const std::vector<IndicatorPoint> points = bourse::ui::sessionVwap(bars);

    QCOMPARE(points.size(), expected.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
        QCOMPARE(points[i].start, bars[i].start);
        QCOMPARE(points[i].price.value(), expected[i]);
        QVERIFY2(std::abs(points[i].ticks - exact[i]) < 1e-9,
                 qPrintable(QString::number(points[i].ticks, 'f', 6)));
    }
}

// At the largest price the engine accepts, 3 * 10^15 times the largest volume is about
// 2.8 * 10^34 per bar, so the weighted sum leaves 128 bits (1.7 * 10^38) after about 6150 bars.
void CandleChartTest::vwapStopsBeforeOverflow()
{
    const std::int64_t price = bourse::kMaximumPrice.value();
    const std::int64_t volume = std::numeric_limits<std::int64_t>::max();
    std::vector<Bar> bars;
    for (int i = 0; i < 7000; ++i)
        bars.push_back(flatBar(i * second, price, volume));

    const std::vector<IndicatorPoint> points = bourse::ui::sessionVwap(bars);

    QVERIFY2(points.size() > 6100, qPrintable(QString::number(points.size())));
    QVERIFY2(points.size() < 6200, qPrintable(QString::number(points.size())));
    QCOMPARE(points.back().price.value(), price);
}

void CandleChartTest::movingAveragesOfCloses()
{
    // Closes 10001, 10002, ... 10060.
    std::vector<Bar> bars;
    for (int i = 0; i < 60; ++i)
        bars.push_back(flatBar(i * second, 10'001 + i));

    const std::vector<IndicatorPoint> shortAverage =
        bourse::ui::simpleMovingAverage(bars, bourse::ui::shortMovingAverageLength);
    const std::vector<IndicatorPoint> longAverage =
        bourse::ui::simpleMovingAverage(bars, bourse::ui::longMovingAverageLength);

    // 20 bars: the first average is of 10001..10020, (10001 + 10020) / 2 = 10010.5.
    QCOMPARE(shortAverage.size(), std::size_t{41});
    QCOMPARE(shortAverage.front().start, bars[19].start);
    QCOMPARE(shortAverage.front().ticks, 10010.5);
    QCOMPARE(shortAverage.front().price.value(), std::int64_t{10011});
    // The last is of 10041..10060: 10050.5.
    QCOMPARE(shortAverage.back().ticks, 10050.5);
    // 50 bars: 10001..10050 averages 10025.5, 10011..10060 averages 10035.5.
    QCOMPARE(longAverage.size(), std::size_t{11});
    QCOMPARE(longAverage.front().start, bars[49].start);
    QCOMPARE(longAverage.front().ticks, 10025.5);
    QCOMPARE(longAverage.back().ticks, 10035.5);

    // Closes 10, 11, 13 over 3 bars: 34 / 3 = 11.33, which rounds down to 11.
    const std::vector<Bar> three{flatBar(0, 10), flatBar(second, 11), flatBar(2 * second, 13)};
    const std::vector<IndicatorPoint> third = bourse::ui::simpleMovingAverage(three, 3);
    QCOMPARE(third.size(), std::size_t{1});
    QCOMPARE(third.front().price.value(), std::int64_t{11});
    QVERIFY(std::abs(third.front().ticks - 34.0 / 3.0) < 1e-12);
}

void CandleChartTest::movingAverageLongerThanBars()
{
    const std::vector<Bar> bars = walkingBars(19, second);

    QVERIFY(bourse::ui::simpleMovingAverage(bars, 20).empty());
    QVERIFY(bourse::ui::simpleMovingAverage(bars, 0).empty());
    QCOMPARE(bourse::ui::simpleMovingAverage(bars, 19).size(), std::size_t{1});
}

void CandleChartTest::fillMarkersOnTheirBars()
{
    const std::vector<OwnFill> fills{
        makeFill(focus, marketOpen + 7 * minute, Side::Sell, 10'030, 9),
        makeFill(InstrumentId{8}, marketOpen + 5 * minute, Side::Buy, 500, 8),
        makeFill(focus, marketOpen + 3 * minute + 25 * second, Side::Buy, 10'012, 7),
    };

    const std::vector<FillMarker> markers = bourse::ui::fillMarkers(fills, focus, minute);
    const std::vector<FillMarker> hourly = bourse::ui::fillMarkers(fills, focus, hour);

    QCOMPARE(markers.size(), std::size_t{2});
    // On a bar's first nanosecond the fill belongs to that bar.
    QCOMPARE(markers[0].barStart.value(), marketOpen + 7 * minute);
    QCOMPARE(markers[0].side, Side::Sell);
    QCOMPARE(markers[0].price.value(), std::int64_t{10'030});
    QCOMPARE(markers[1].barStart.value(), marketOpen + 3 * minute);
    QCOMPARE(markers[1].side, Side::Buy);
    // 09:33:25 lies in the hour that starts at 09:00.
    QCOMPARE(hourly[1].barStart.value(), 9 * hour);
    QCOMPARE(bourse::ui::intervalStart(-1, minute), -minute);
}

void CandleChartTest::fillMarkersDrawnAtBarSlot()
{
    MarketView view = viewWithBars(walkingBars(10, minute), minute);
    view.trader.fills = {
        makeFill(focus, marketOpen + 7 * minute + 59 * second, Side::Sell, 10'004, 2),
        makeFill(focus, marketOpen + 3 * minute + 25 * second, Side::Buy, 9'998, 1),
    };
    CandleChart chart;
    chart.resize(800, 500);
    chart.showView(shared(view));

    const std::optional<ChartFrame> frame = chart.frame();
    QVERIFY(frame);
    const ChartOverlays overlays = bourse::ui::overlaysFor(view, frame->series());
    QCOMPARE(overlays.fills.size(), std::size_t{2});

    const std::optional<QPoint> sell = bourse::ui::fillMarkerPoint(*frame, overlays.fills[0]);
    const std::optional<QPoint> buy = bourse::ui::fillMarkerPoint(*frame, overlays.fills[1]);
    QVERIFY(sell);
    QVERIFY(buy);
    QCOMPARE(sell->x(), frame->xOfBar(view.bars[7]));
    QCOMPARE(buy->x(), frame->xOfBar(view.bars[3]));
    QCOMPARE(sell->y(), static_cast<int>(std::lround(frame->yOfPrice(10'004))));
    QCOMPARE(buy->y(), static_cast<int>(std::lround(frame->yOfPrice(9'998))));
    // A higher price sits higher on screen.
    QVERIFY(sell->y() < buy->y());
}

void CandleChartTest::timeFrameButtonsPickSeries()
{
    const MarketView view = viewWithTimeFrames();
    CandleChart chart;
    chart.resize(800, 500);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    QSignalSpy changes(&chart, &CandleChart::timeFrameChanged);
    chart.showView(shared(view));

    QCOMPARE(chart.timeFrames(), (std::vector<std::int64_t>{second, minute, 5 * minute, hour}));
    QCOMPARE(chart.timeFrame(), second);
    QCOMPARE(chart.barCount(), std::size_t{240});

    auto *oneMinute = chart.findChild<QToolButton *>(QStringLiteral("timeFrame1m"));
    QVERIFY(oneMinute);
    QCOMPARE(oneMinute->accessibleName(), QStringLiteral("1 minute bars"));
    QTest::mouseClick(oneMinute, Qt::LeftButton);
    QCOMPARE(chart.timeFrame(), minute);
    QCOMPARE(chart.barCount(), std::size_t{120});
    QVERIFY(oneMinute->isChecked());
    QCOMPARE(changes.size(), 1);
    QCOMPARE(changes.at(0).at(0).toLongLong(), minute);
    QVERIFY(chart.visibleBars().back() == view.timeFrames[1].bars.back());

    chart.setFocus();
    QTest::keyClick(&chart, Qt::Key_4);
    QCOMPARE(chart.timeFrame(), hour);
    QCOMPARE(chart.barCount(), std::size_t{3});
    QVERIFY(chart.findChild<QToolButton *>(QStringLiteral("timeFrame1h"))->isChecked());

    chart.setTimeFrame(5 * minute);
    QCOMPARE(chart.barCount(), std::size_t{30});
    QVERIFY(chart.visibleBars().back() == view.timeFrames[2].bars.back());
    QCOMPARE(changes.size(), 3);
}

void CandleChartTest::timeFrameFallsBackWhenMissing()
{
    MarketView view = viewWithTimeFrames();
    CandleChart chart;
    chart.resize(800, 500);
    chart.showView(shared(view));
    chart.setTimeFrame(5 * minute);

    MarketView shorter = view;
    shorter.timeFrames.resize(2);
    chart.showView(shared(shorter));
    QCOMPARE(chart.timeFrame(), second);
    QCOMPARE(chart.barCount(), std::size_t{240});

    // The choice stays for views that have the series again.
    chart.showView(shared(view));
    QCOMPARE(chart.timeFrame(), 5 * minute);

    // With no series at the view's bar interval, the shortest is shown.
    MarketView odd = view;
    odd.barIntervalNanoseconds = 10 * second;
    odd.timeFrames.erase(odd.timeFrames.begin() + 2);
    chart.showView(shared(odd));
    QCOMPARE(chart.timeFrame(), second);
}

void CandleChartTest::noTimeFramesShowsViewBars()
{
    const MarketView view = viewWithBars(walkingBars(50, 10 * second), 10 * second);
    CandleChart chart;
    chart.resize(800, 500);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    chart.showView(shared(view));

    QVERIFY(chart.timeFrames().empty());
    QCOMPARE(chart.timeFrame(), 10 * second);
    QCOMPARE(chart.barCount(), std::size_t{50});
    QVERIFY(!chart.findChild<QWidget *>(QStringLiteral("timeFrameSelector"))->isVisible());
    QVERIFY(chart.findChildren<QToolButton *>().isEmpty());
}

void CandleChartTest::wheelAndKeysZoom()
{
    const MarketView view = viewWithBars(walkingBars(240, second), second);
    CandleChart chart;
    chart.resize(800, 500);
    chart.showView(shared(view));

    const std::optional<ChartFrame> before = chart.frame();
    QCOMPARE(before->slotWidth(), 9);
    const std::size_t shownBefore = chart.visibleBars().size();
    // Consecutive bars fill every slot.
    QCOMPARE(shownBefore, static_cast<std::size_t>(before->slotCount()));
    QVERIFY(chart.visibleBars().back() == view.bars.back());

    sendWheel(chart, QPoint(0, 120));
    const std::optional<ChartFrame> zoomedIn = chart.frame();
    QCOMPARE(chart.slotWidth(), 12);
    QCOMPARE(chart.visibleBars().size(), static_cast<std::size_t>(zoomedIn->slotCount()));
    QVERIFY(chart.visibleBars().size() < shownBefore);
    QVERIFY(chart.visibleBars().front() == view.bars[240 - chart.visibleBars().size()]);
    QVERIFY(chart.visibleBars().back() == view.bars.back());

    QTest::keyClick(&chart, Qt::Key_Minus);
    QTest::keyClick(&chart, Qt::Key_Minus);
    QCOMPARE(chart.slotWidth(), 7);
    QVERIFY(chart.visibleBars().size() > shownBefore);
    QVERIFY(chart.visibleBars().back() == view.bars.back());

    QTest::keyClick(&chart, Qt::Key_Plus);
    QCOMPARE(chart.slotWidth(), 9);
    QCOMPARE(chart.visibleBars().size(), shownBefore);

    sendWheel(chart, QPoint(0, -120));
    QCOMPARE(chart.slotWidth(), 7);

    // The zoom stops at either end of the widths.
    for (int i = 0; i < 20; ++i)
        sendWheel(chart, QPoint(0, 120));
    QCOMPARE(chart.slotWidth(), bourse::ui::chartSlotWidths.back());
    for (int i = 0; i < 20; ++i)
        QTest::keyClick(&chart, Qt::Key_Minus);
    QCOMPARE(chart.slotWidth(), bourse::ui::chartSlotWidths.front());
}

void CandleChartTest::keysAndDragScroll()
{
    const MarketView view = viewWithBars(walkingBars(240, second), second);
    CandleChart chart;
    chart.resize(800, 500);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    chart.showView(shared(view));
    QVERIFY(chart.followsLatest());
    const std::size_t shown = chart.visibleBars().size();

    QTest::keyClick(&chart, Qt::Key_Left, Qt::ShiftModifier);
    QVERIFY(!chart.followsLatest());
    QVERIFY(chart.visibleBars().back() == view.bars[238]);
    QCOMPARE(chart.visibleBars().size(), shown);
    QVERIFY(!chart.keyboardCrosshair());

    QTest::keyClick(&chart, Qt::Key_Left, Qt::ShiftModifier);
    QTest::keyClick(&chart, Qt::Key_Left, Qt::ShiftModifier);
    QTest::keyClick(&chart, Qt::Key_Left, Qt::ShiftModifier);
    QTest::keyClick(&chart, Qt::Key_Right, Qt::ShiftModifier);
    QVERIFY(chart.visibleBars().back() == view.bars[236]);

    // Dragging three slots to the right pulls three older bars in.
    const QPoint start = chart.frame()->layout().prices.center();
    QTest::mousePress(&chart, Qt::LeftButton, Qt::NoModifier, start);
    QTest::mouseMove(&chart, start + QPoint(3 * chart.slotWidth() + 2, 0));
    QTest::mouseRelease(&chart, Qt::LeftButton, Qt::NoModifier,
                        start + QPoint(3 * chart.slotWidth() + 2, 0));
    QVERIFY(chart.visibleBars().back() == view.bars[233]);

    // Page Up scrolls back by a screen, and the scroll stops with the first bar on screen.
    QTest::keyClick(&chart, Qt::Key_PageUp);
    QVERIFY(chart.visibleBars().back().start.value() <
            view.bars[233].start.value() - static_cast<std::int64_t>(shown / 2) * second);
    for (int i = 0; i < 10; ++i)
        QTest::keyClick(&chart, Qt::Key_PageUp);
    QVERIFY(chart.visibleBars().front() == view.bars.front());

    // Scrolling forward to the newest bar follows new bars again.
    for (int i = 0; i < 10; ++i)
        QTest::keyClick(&chart, Qt::Key_PageDown);
    QVERIFY(chart.followsLatest());
    QVERIFY(chart.visibleBars().back() == view.bars.back());
}

void CandleChartTest::scrolledChartIgnoresNewBars()
{
    MarketView view = viewWithBars(walkingBars(240, second), second);
    CandleChart chart;
    chart.resize(800, 500);
    chart.showView(shared(view));
    chart.scrollBars(-5);
    QVERIFY(chart.visibleBars().back() == view.bars[234]);

    view.bars.push_back(flatBar(marketOpen + 240 * second, 10'000));
    chart.showView(shared(view));
    QVERIFY(!chart.followsLatest());
    QVERIFY(chart.visibleBars().back() == view.bars[234]);

    // Zooming keeps the right edge where it is.
    chart.zoomIn();
    QVERIFY(chart.visibleBars().back() == view.bars[234]);
}

void CandleChartTest::endFollowsNewBarsAgain()
{
    MarketView view = viewWithBars(walkingBars(240, second), second);
    CandleChart chart;
    chart.resize(800, 500);
    chart.showView(shared(view));
    chart.scrollBars(-30);
    QVERIFY(!chart.followsLatest());

    QTest::keyClick(&chart, Qt::Key_End);
    QVERIFY(chart.followsLatest());
    QVERIFY(chart.visibleBars().back() == view.bars.back());

    view.bars.push_back(flatBar(marketOpen + 240 * second, 10'000));
    chart.showView(shared(view));
    QVERIFY(chart.visibleBars().back() == view.bars.back());
}

void CandleChartTest::fittingBarsDoNotScroll()
{
    const MarketView view = viewWithBars(walkingBars(100, second), second);
    CandleChart chart;
    chart.resize(800, 500);
    chart.showView(shared(view));
    for (int i = 0; i < 4; ++i)
        QTest::keyClick(&chart, Qt::Key_Minus);
    QCOMPARE(chart.slotWidth(), 3);
    QVERIFY(!chart.frame()->canScroll());

    QTest::keyClick(&chart, Qt::Key_Left, Qt::ShiftModifier);
    QVERIFY(chart.followsLatest());
    QCOMPARE(chart.visibleBars().size(), std::size_t{100});
}

void CandleChartTest::crosshairReadsBarAndPrice()
{
    const MarketView view = viewWithBars(walkingBars(60, second), second);
    CandleChart chart;
    chart.resize(800, 500);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    chart.showView(shared(view));
    const ChartFrame frame = *chart.frame();
    const Bar &bar = view.bars[10];
    const int x = frame.xOfBar(bar);

    // At the height of the bar's high the price is the high, give or take a pixel's worth.
    const int y =
        static_cast<int>(std::lround(frame.yOfPrice(static_cast<double>(bar.high.value()))));
    QTest::mouseMove(&chart, QPoint(x, y));
    QVERIFY(chart.barUnderCursor() == bar);
    const double ticksPerPixel =
        static_cast<double>(frame.high() - frame.low()) / frame.layout().prices.height();
    const std::optional<Price> price = chart.priceUnderCursor();
    QVERIFY(price);
    QVERIFY2(static_cast<double>(std::abs(price->value() - bar.high.value())) <=
                 std::ceil(ticksPerPixel),
             qPrintable(QString::number(price->value())));

    // The header and the legend describe the bar under the cursor.
    QImage image(chart.size(), QImage::Format_RGB32);
    QPainter painter(&image);
    const ChartOverlays overlays = bourse::ui::overlaysFor(view, frame.series());
    const Bar *hovered = ChartPainter(painter, frame, overlays, QPoint(x, y)).describedBar();
    const Bar *newest = ChartPainter(painter, frame, overlays).describedBar();
    QVERIFY(hovered && *hovered == bar);
    QVERIFY(newest && *newest == view.bars.back());

    // Over the volume bars there is a bar but no price.
    QTest::mouseMove(&chart, QPoint(x, frame.layout().volume.center().y()));
    QVERIFY(chart.barUnderCursor() == bar);
    QVERIFY(!chart.priceUnderCursor());

    // Over the price axis there is neither.
    QTest::mouseMove(&chart, frame.layout().axis.center());
    QVERIFY(!chart.barUnderCursor());
    QVERIFY(!chart.priceUnderCursor());

    QTest::mouseMove(&chart, QPoint(x, y));
    QEvent leave(QEvent::Leave);
    QApplication::sendEvent(&chart, &leave);
    QVERIFY(!chart.barUnderCursor());
}

// The three bars of the VWAP case "three bars", at 09:30:00, 09:30:01 and 09:30:02. Their
// running VWAP is 100.03, 100.23 and 100.19; the moving averages have too few bars.
void CandleChartTest::keyboardCrosshairReadsBars()
{
    const MarketView view =
        viewWithBars({makeBar(marketOpen, 10000, 10020, 9980, 10010, 10),
                      makeBar(marketOpen + second, 10010, 10050, 10000, 10040, 30),
                      makeBar(marketOpen + 2 * second, 10040, 10040, 9990, 10000, 20)},
                     second);
    CandleChart chart;
    chart.resize(800, 500);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    chart.showView(shared(view));
    QCOMPARE(chart.focusPolicy(), Qt::StrongFocus);
    QVERIFY(!chart.accessibleName().isEmpty());
    QVERIFY(chart.accessibleDescription().contains(QStringLiteral("Left and Right")));
    QVERIFY(chart.crosshairReadout().isEmpty());

    // The first key shows the crosshair on the newest bar on screen, at its close.
    QTest::keyClick(&chart, Qt::Key_Left);
    QVERIFY(chart.keyboardCrosshair());
    QVERIFY(chart.barUnderCursor() == view.bars[2]);
    QCOMPARE(chart.priceUnderCursor(), std::optional<Price>(Price{10000}));
    const QString third = QStringLiteral("09:30:02 O 100.40 H 100.40 L 99.90 C 100.00 Vol 20 "
                                         "VWAP 100.19 MA 20 \u2014 MA 50 \u2014");
    QCOMPARE(chart.crosshairReadout(), third);
    QVERIFY(chart.accessibleDescription().startsWith(QStringLiteral("Crosshair: ") + third));

    QTest::keyClick(&chart, Qt::Key_Left);
    QVERIFY(chart.barUnderCursor() == view.bars[1]);
    QCOMPARE(chart.priceUnderCursor(), std::optional<Price>(Price{10040}));
    QCOMPARE(chart.crosshairReadout(),
             QStringLiteral("09:30:01 O 100.10 H 100.50 L 100.00 C 100.40 Vol 30 VWAP 100.23 "
                            "MA 20 \u2014 MA 50 \u2014"));

    // The first bar stops the crosshair.
    QTest::keyClick(&chart, Qt::Key_Left);
    QTest::keyClick(&chart, Qt::Key_Left);
    QVERIFY(chart.barUnderCursor() == view.bars[0]);
    QCOMPARE(chart.crosshairReadout(),
             QStringLiteral("09:30:00 O 100.00 H 100.20 L 99.80 C 100.10 Vol 10 VWAP 100.03 "
                            "MA 20 \u2014 MA 50 \u2014"));

    QTest::keyClick(&chart, Qt::Key_Right);
    QVERIFY(chart.barUnderCursor() == view.bars[1]);
    QTest::keyClick(&chart, Qt::Key_End);
    QVERIFY(chart.barUnderCursor() == view.bars[2]);
    QTest::keyClick(&chart, Qt::Key_Right);
    QVERIFY(chart.barUnderCursor() == view.bars[2]);
    QTest::keyClick(&chart, Qt::Key_Home);
    QVERIFY(chart.barUnderCursor() == view.bars[0]);

    // The painter describes the same bar in the header and the legend.
    const ChartFrame frame = *chart.frame();
    const ChartOverlays overlays = bourse::ui::overlaysFor(view, frame.series());
    QImage image(chart.size(), QImage::Format_RGB32);
    QPainter painter(&image);
    const QPoint point(frame.xOfBar(view.bars[0]),
                       static_cast<int>(std::lround(frame.yOfPrice(10010.0))));
    QVERIFY(*ChartPainter(painter, frame, overlays, point).describedBar() == view.bars[0]);

    QTest::keyClick(&chart, Qt::Key_Escape);
    QVERIFY(!chart.keyboardCrosshair());
    QVERIFY(!chart.barUnderCursor());
    QVERIFY(chart.crosshairReadout().isEmpty());
    QVERIFY(!chart.accessibleDescription().startsWith(QStringLiteral("Crosshair")));
}

// 240 bars do not fit at the default zoom. Home scrolls to the first bar, the arrows scroll the
// crosshair's bar back onto the screen, and End returns to the newest bars.
void CandleChartTest::keyboardCrosshairScrollsIntoView()
{
    const MarketView view = viewWithBars(walkingBars(240, second), second);
    CandleChart chart;
    chart.resize(800, 500);
    chart.showView(shared(view));
    const std::size_t shown = chart.visibleBars().size();
    QVERIFY(shown < 240);

    QTest::keyClick(&chart, Qt::Key_Home);
    QVERIFY(chart.barUnderCursor() == view.bars[0]);
    QVERIFY(chart.visibleBars().front() == view.bars[0]);
    QVERIFY(!chart.followsLatest());

    // Walking right past the screen's last bar brings the next one in at the right edge.
    for (std::size_t i = 0; i < shown; ++i)
        QTest::keyClick(&chart, Qt::Key_Right);
    QVERIFY(chart.barUnderCursor() == view.bars[shown]);
    QVERIFY(chart.visibleBars().back() == view.bars[shown]);

    QTest::keyClick(&chart, Qt::Key_End);
    QVERIFY(chart.followsLatest());
    QVERIFY(chart.barUnderCursor() == view.bars[239]);

    // Walking left past the screen's first bar brings it in at the left edge.
    const Bar firstShown = chart.visibleBars().front();
    for (std::size_t i = 0; i < shown; ++i)
        QTest::keyClick(&chart, Qt::Key_Left);
    QVERIFY(chart.barUnderCursor() == view.bars[239 - shown]);
    QVERIFY(chart.visibleBars().front() == view.bars[239 - shown]);
    QVERIFY(chart.visibleBars().front().start < firstShown.start);

    // Panning leaves the crosshair on its bar, hidden while the bar is off screen.
    for (int i = 0; i < 20; ++i)
        QTest::keyClick(&chart, Qt::Key_Right, Qt::ShiftModifier);
    QVERIFY(chart.keyboardCrosshair());
    QVERIFY(!chart.barUnderCursor());
    QTest::keyClick(&chart, Qt::Key_Left);
    QVERIFY(chart.barUnderCursor() == view.bars[238 - shown]);
}

// The keyboard's bar at 09:34:59 in 1-second bars lies in the 5-minute bar of 09:30.
void CandleChartTest::keyboardCrosshairFollowsTimeFrame()
{
    MarketView view = viewWithTimeFrames();
    CandleChart chart;
    chart.resize(800, 500);
    chart.showView(shared(view));
    QTest::keyClick(&chart, Qt::Key_End);
    QVERIFY(chart.barUnderCursor() == view.timeFrames[0].bars.back());
    QCOMPARE(chart.barUnderCursor()->start.value(), marketOpen + 239 * second);

    QTest::keyClick(&chart, Qt::Key_3);
    QCOMPARE(chart.timeFrame(), 5 * minute);
    QVERIFY(chart.barUnderCursor() == view.timeFrames[2].bars[0]);
    QTest::keyClick(&chart, Qt::Key_Right);
    QVERIFY(chart.barUnderCursor() == view.timeFrames[2].bars[1]);
}

void CandleChartTest::mouseTakesCrosshairFromKeyboard()
{
    const MarketView view = viewWithBars(walkingBars(60, second), second);
    CandleChart chart;
    chart.resize(800, 500);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    chart.showView(shared(view));
    const ChartFrame frame = *chart.frame();
    const int y = frame.layout().prices.center().y();

    // With the mouse on bar 10, the keys move on from there.
    QTest::mouseMove(&chart, QPoint(frame.xOfBar(view.bars[10]), y));
    QTest::keyClick(&chart, Qt::Key_Left);
    QVERIFY(chart.keyboardCrosshair());
    QVERIFY(chart.barUnderCursor() == view.bars[9]);

    QTest::mouseMove(&chart, QPoint(frame.xOfBar(view.bars[20]), y));
    QVERIFY(!chart.keyboardCrosshair());
    QVERIFY(chart.barUnderCursor() == view.bars[20]);
}

// Two older bars outside the series: typical prices 100.00 and 102.00 times three, 10 lots
// each, so weighted = 30000 * 10 + 30600 * 10 = 606000 and volume = 60. One bar in the series
// at 104.00 with 20 lots adds 31200 * 20 = 624000 and 60: 1230000 / 120 = 10250, 102.50.
void CandleChartTest::vwapStartsFromOlderBars()
{
    bourse::VwapSums older;
    QVERIFY(older.add(flatBar(0, 10000, 10)));
    QVERIFY(older.add(flatBar(second, 10200, 10)));
    QVERIFY(older.weighted == 606000);
    QVERIFY(older.volume == 60);

    const std::vector<Bar> bars{flatBar(2 * second, 10400, 20)};
    const std::vector<IndicatorPoint> points = bourse::ui::sessionVwap(bars, older);
    QCOMPARE(points.size(), std::size_t{1});
    QCOMPARE(points[0].price, Price{10250});
    QCOMPARE(points[0].ticks, 10250.0);

    // Sums that overflowed already give no line.
    bourse::VwapSums overflowed;
    overflowed.overflowed = true;
    QVERIFY(bourse::ui::sessionVwap(bars, overflowed).empty());
}

// A session of 300 one-second trades: 60 at 100.00 of 10 lots, then 240 at 110.00 of 30 lots.
// The view keeps the last 240 one-second bars, all at 110.00, but the VWAP of the run is
//   (60 * 10 * 10000 + 240 * 30 * 11000) / (60 * 10 + 240 * 30)
//   = (6,000,000 + 79,200,000) / 7,800 = 10923.08 ticks, 109.23,
// and at the first bar the view keeps, (6,000,000 + 330,000) / 630 = 10047.62, 100.48.
// The 1-minute bars hold the whole run and give the same value.
void CandleChartTest::vwapCoversBarsBeyondWindow()
{
    bourse::MarketViewBuilder builder(bourse::MarketViewBuilder::Options{});
    bourse::InstrumentDefinition definition;
    definition.id = focus;
    definition.priceDecimals = 2;
    builder.addInstrument(definition);
    const bourse::Engine engine(focus);
    for (std::int64_t i = 0; i < 300; ++i) {
        const std::int64_t price = i < 60 ? 10'000 : 11'000;
        const std::int64_t quantity = i < 60 ? 10 : 30;
        const auto sequence = static_cast<bourse::SequenceNumber>(i + 1);
        builder.onEvent(
            bourse::Event{sequence, Timestamp{marketOpen + i * second}, focus,
                          bourse::Trade{bourse::OrderId{1}, bourse::OrderId{2}, Side::Buy,
                                        Price{price}, Quantity{quantity}, Quantity{0},
                                        bourse::AccountId{}, bourse::AccountId{}}});
    }
    MarketView view;
    builder.fill(view, engine, focus, bourse::MarketViewBuilder::Clock::now());

    const bourse::ui::CandleSeries seconds = bourse::ui::chartSeries(view, second);
    QCOMPARE(seconds.bars.size(), std::size_t{240});
    QCOMPARE(seconds.bars.front().start.value(), marketOpen + 60 * second);
    const std::vector<IndicatorPoint> vwap = bourse::ui::overlaysFor(view, seconds).vwap;
    QCOMPARE(vwap.size(), std::size_t{240});
    QCOMPARE(vwap.front().price, Price{10'048});
    QVERIFY(std::abs(vwap.front().ticks - 6'330'000.0 / 630.0) < 1e-9);
    QCOMPARE(vwap.back().price, Price{10'923});
    QVERIFY(std::abs(vwap.back().ticks - 85'200'000.0 / 7'800.0) < 1e-9);

    const bourse::ui::CandleSeries minutes = bourse::ui::chartSeries(view, minute);
    QCOMPARE(minutes.bars.size(), std::size_t{5});
    const std::vector<IndicatorPoint> minuteVwap = bourse::ui::overlaysFor(view, minutes).vwap;
    QCOMPARE(minuteVwap.back().price, Price{10'923});

    // The chart's legend shows it for the newest bar.
    CandleChart chart;
    chart.resize(800, 500);
    chart.showView(std::make_shared<const MarketView>(view));
    QTest::keyClick(&chart, Qt::Key_End);
    QVERIFY(chart.crosshairReadout().contains(QStringLiteral("VWAP 109.23")));
}

// Views come faster than frames: each pass of the event loop paints once, whatever number of
// views arrived since the last.
void CandleChartTest::floodOfViewsPaintsOncePerFrame()
{
    MarketView view = viewWithTimeFrames();
    CandleChart chart;
    chart.resize(800, 500);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    chart.showView(shared(view));
    QTest::qWait(50);
    PaintCounter paints;
    chart.installEventFilter(&paints);

    for (int i = 0; i < 1000; ++i) {
        view.timeFrames[0].bars.back().close = Price{10'000 + i % 7};
        view.timeFrames[0].bars.back().volume += Quantity{1};
        chart.showView(shared(view));
    }
    QCOMPARE(paints.count, 0);
    QTRY_COMPARE(paints.count, 1);
    QTest::qWait(50);
    QCOMPARE(paints.count, 1);

    constexpr int frames = 30;
    for (int frame = 0; frame < frames; ++frame) {
        for (int i = 0; i < 10; ++i) {
            view.timeFrames[0].bars.back().volume += Quantity{1};
            chart.showView(shared(view));
        }
        QTRY_COMPARE(paints.count, frame + 2);
    }
    QTest::qWait(50);
    QCOMPARE(paints.count, frames + 1);
}

// A new view whose bars, fills and terms equal the previous one's draws nothing new, such as a
// view of only another instrument's trades or a change of a time frame not shown.
void CandleChartTest::unchangedViewsDoNotRepaint()
{
    MarketView view = viewWithTimeFrames();
    CandleChart chart;
    chart.resize(800, 500);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    chart.showView(shared(view));
    QTest::qWait(50);
    PaintCounter paints;
    chart.installEventFilter(&paints);

    for (int i = 0; i < 100; ++i) {
        view.timeFrames[3].bars.back().volume += Quantity{1};
        view.trader.fills.push_back(makeFill(InstrumentId{99}, marketOpen, Side::Buy, 1, 0));
        view.totalEvents += 1;
        chart.showView(shared(view));
    }
    QTest::qWait(50);
    QCOMPARE(paints.count, 0);

    view.trader.fills.insert(view.trader.fills.begin(),
                             makeFill(focus, marketOpen, Side::Buy, 10'000, 5));
    chart.showView(shared(view));
    QTRY_COMPARE(paints.count, 1);
}

void CandleChartTest::visibleBarsBoundedBySlots()
{
    const MarketView view = viewWithBars(walkingBars(5000, second), second);
    CandleChart chart;
    chart.resize(640, 400);
    chart.showView(shared(view));
    for (std::size_t i = 0; i < bourse::ui::chartSlotWidths.size(); ++i)
        chart.zoomOut();

    for (int width : bourse::ui::chartSlotWidths) {
        const std::optional<ChartFrame> frame = chart.frame();
        QCOMPARE(frame->slotWidth(), width);
        QVERIFY(chart.visibleBars().size() <= static_cast<std::size_t>(frame->slotCount()));
        QVERIFY(frame->slotCount() <= 640 / width);
        chart.zoomIn();
    }
}

void CandleChartTest::rendersInBothThemes_data()
{
    QTest::addColumn<theme::Theme>("scheme");
    QTest::newRow("dark") << theme::Theme::Dark;
    QTest::newRow("light") << theme::Theme::Light;
}

// Set BOURSE_CHART_IMAGE_DIR to a folder to keep the images.
void CandleChartTest::rendersInBothThemes()
{
    QFETCH(theme::Theme, scheme);
    auto *application = qobject_cast<QApplication *>(QCoreApplication::instance());
    QVERIFY(application);
    theme::apply(*application, scheme);

    MarketView view = viewWithTimeFrames();
    view.timeFrames[0].bars = walkingBars(240, second);
    view.timeFrames[1].bars = mergedBars(walkingBars(240 * 60, second), minute);
    view.trader.fills = {
        makeFill(focus, marketOpen + 230 * second, Side::Sell,
                 view.timeFrames[0].bars[230].high.value(), 4),
        makeFill(focus, marketOpen + 200 * second, Side::Buy,
                 view.timeFrames[0].bars[200].low.value(), 3),
        makeFill(focus, marketOpen + 185 * second, Side::Buy,
                 view.timeFrames[0].bars[185].close.value(), 2),
    };
    CandleChart chart;
    chart.resize(960, 560);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    chart.showView(shared(view));
    chart.setTimeFrame(second);
    const ChartFrame frame = *chart.frame();
    // A move to where the previous window had the mouse would send no event.
    QTest::mouseMove(&chart, QPoint(1, 1));
    QTest::mouseMove(&chart, QPoint(frame.xOfBar(view.timeFrames[0].bars[200]),
                                    frame.layout().prices.center().y()));
    QVERIFY(chart.barUnderCursor());

    const QImage image = chart.grab().toImage().convertToFormat(QImage::Format_RGB32);
    if (const QByteArray folder = qgetenv("BOURSE_CHART_IMAGE_DIR"); !folder.isEmpty()) {
        const QString name =
            scheme == theme::Theme::Dark ? QStringLiteral("dark") : QStringLiteral("light");
        image.save(QString::fromLocal8Bit(folder) +
                   QStringLiteral("/candle_chart_%1.png").arg(name));
    }

    QCOMPARE(image.pixelColor(2, image.height() / 2), theme::panelColor());
    QVERIFY(pixelsOf(image, theme::buyColor()) > 100);
    QVERIFY(pixelsOf(image, theme::sellColor()) > 100);
    QVERIFY(pixelsOf(image, bourse::ui::chartLineColor(ChartLine::ShortAverage)) > 20);
}

QTEST_MAIN(CandleChartTest)
#include "tst_candle_chart.moc"

#include "chart_frame.h"
#include "chart_painter.h"
#include "chart_scale.h"
#include "theme.h"

#include <QImage>
#include <QPainter>
#include <QTest>

#include <algorithm>
#include <optional>
#include <vector>

using bourse::Bar;
using bourse::MarketView;
using bourse::Price;
using bourse::Quantity;
using bourse::ReplayState;
using bourse::SessionMode;
using bourse::Timestamp;
using bourse::ui::ChartFrame;
using bourse::ui::ChartOptions;
using bourse::ui::ChartOverlays;
using bourse::ui::ChartPainter;
using bourse::ui::chartSeries;
using bourse::ui::chartSlotWidth;
using bourse::ui::chartSlotWidths;
using bourse::ui::PriceGridLine;
using bourse::ui::TimeGridLine;

Q_DECLARE_METATYPE(bourse::MarketView)

namespace {

constexpr std::int64_t second = 1'000'000'000;
constexpr std::int64_t tenSeconds = 10 * second;
constexpr std::int64_t marketOpen = (9 * 3600 + 30 * 60) * second; // 09:30:00, from midnight

Bar flatBar(std::int64_t start, std::int64_t price)
{
    return Bar{
        Timestamp{start}, Price{price}, Price{price}, Price{price}, Price{price}, Quantity{100}, 1};
}

// A replay of 10-second bars with LOBSTER's four price decimals, one bar per given slot after
// the open.
MarketView replayWithBarsAt(const std::vector<int> &slotIndexes)
{
    MarketView view;
    view.mode = SessionMode::Replay;
    view.replayState = ReplayState::Playing;
    view.priceDecimals = 4;
    view.barIntervalNanoseconds = tenSeconds;
    for (int slot : slotIndexes)
        view.bars.push_back(flatBar(marketOpen + slot * tenSeconds, 5'760'000 + slot * 100));
    return view;
}

// The image and the painter that the chart measures text with. Only paint() draws on it.
struct Canvas {
    QImage image{1000, 600, QImage::Format_RGB32};
    QPainter painter{&image};

    Canvas() { painter.setFont(bourse::ui::theme::monospaceFont()); }

    ChartFrame frame(const MarketView &view, const ChartOptions &options = {})
    {
        return ChartFrame(QFontMetrics(painter.font()), view, chartSeries(view, 0), image.rect(),
                          options);
    }
};

QString describe(const QRect &rect)
{
    return QStringLiteral("(%1, %2, %3 x %4)")
        .arg(rect.x())
        .arg(rect.y())
        .arg(rect.width())
        .arg(rect.height());
}

} // namespace

class ChartPainterTest : public QObject {
    Q_OBJECT

private slots:
    void noBarsText_data();
    void noBarsText();
    void fewBarsStartNearLeftEdge();
    void fewBarsKeepEmptySlotsForGaps();
    void timeAxisStartsAtFirstBar();
    void manyBarsKeepNewestAtRightEdge();
    void priceLabelsClearOfLastPriceTag();
    void paintWithoutBarsDrawsNoGrid();
    void slotsMapBackToTheirBars();
    void scrolledFrameEndsAtRightSlot();
    void scrollStopsAtEitherEnd();
    void gapAcrossScreenKeepsPriceAxis();
    void newestCloseOutOfRangeHasNoTag();
    void hourStepsDivideDay_data();
    void hourStepsDivideDay();
    void hourlyLabelsOnRoundHours();
};

void ChartPainterTest::noBarsText_data()
{
    QTest::addColumn<SessionMode>("mode");
    QTest::addColumn<ReplayState>("state");
    QTest::addColumn<QString>("expected");

    const QString waiting = QStringLiteral("Waiting for the first trade");
    const QString none = QStringLiteral("No trades");
    QTest::newRow("replay playing") << SessionMode::Replay << ReplayState::Playing << waiting;
    QTest::newRow("replay paused") << SessionMode::Replay << ReplayState::Paused << waiting;
    QTest::newRow("replay finished") << SessionMode::Replay << ReplayState::Finished << none;
    QTest::newRow("replay failed") << SessionMode::Replay << ReplayState::Failed << none;
    QTest::newRow("simulation playing")
        << SessionMode::Simulation << ReplayState::Playing << waiting;
    QTest::newRow("simulation paused") << SessionMode::Simulation << ReplayState::Paused << waiting;
}

void ChartPainterTest::noBarsText()
{
    QFETCH(SessionMode, mode);
    QFETCH(ReplayState, state);
    QFETCH(QString, expected);
    MarketView view;
    view.mode = mode;
    view.replayState = state;

    QCOMPARE(bourse::ui::noBarsText(view), expected);
}

void ChartPainterTest::fewBarsStartNearLeftEdge()
{
    Canvas canvas;
    const MarketView view = replayWithBarsAt({0, 1, 2});
    const ChartFrame chart = canvas.frame(view);

    const QRect prices = chart.layout().prices;
    const int firstX = chart.xOfBar(view.bars.front());
    QCOMPARE(chart.visibleBars().size(), std::size_t{3});
    QVERIFY2(firstX >= prices.left(), qPrintable(QString::number(firstX)));
    // The first bar sits half a time label from the left edge, well under 100 pixels, where
    // right-aligned bars would be about 900 pixels away on this 1000-pixel chart.
    QVERIFY2(firstX - prices.left() <= 100, qPrintable(QString::number(firstX - prices.left())));
    QCOMPARE(chart.xOfBar(view.bars[1]) - firstX, chartSlotWidth);
    QCOMPARE(chart.xOfBar(view.bars[2]) - firstX, 2 * chartSlotWidth);
}

void ChartPainterTest::fewBarsKeepEmptySlotsForGaps()
{
    Canvas canvas;
    const MarketView view = replayWithBarsAt({0, 1, 5});
    const ChartFrame chart = canvas.frame(view);

    QCOMPARE(chart.xOfBar(view.bars[2]) - chart.xOfBar(view.bars[0]), 5 * chartSlotWidth);
}

void ChartPainterTest::timeAxisStartsAtFirstBar()
{
    Canvas canvas;
    const MarketView view = replayWithBarsAt({0, 1, 2, 3, 4, 5});
    const ChartFrame chart = canvas.frame(view);

    const std::vector<TimeGridLine> grid = chart.timeGrid();
    QVERIFY(!grid.empty());
    // 09:30:00 is a multiple of every label step up to 30 minutes, so it gets a label.
    QCOMPARE(grid.front().time, marketOpen);
    QCOMPARE(grid.front().label, QStringLiteral("09:30"));
    QCOMPARE(grid.front().x, chart.xOfBar(view.bars.front()));
    for (const TimeGridLine &line : grid) {
        QVERIFY2(line.time >= marketOpen, qPrintable(line.label));
        QVERIFY2(line.labelRect.left() >= chart.layout().prices.left(), qPrintable(line.label));
        QVERIFY2(line.x <= chart.layout().prices.right(), qPrintable(line.label));
    }
}

void ChartPainterTest::manyBarsKeepNewestAtRightEdge()
{
    Canvas canvas;
    std::vector<int> slotIndexes;
    for (int slot = 0; slot < 500; ++slot)
        slotIndexes.push_back(slot);
    const MarketView view = replayWithBarsAt(slotIndexes);
    const ChartFrame chart = canvas.frame(view);

    const QRect prices = chart.layout().prices;
    const std::span<const Bar> visible = chart.visibleBars();
    QVERIFY(visible.size() < view.bars.size());
    QVERIFY(visible.back() == view.bars.back());
    QCOMPARE(chart.xOfBar(visible.back()), prices.right() - chartSlotWidth);
    QVERIFY(chart.xOfBar(visible.front()) >= prices.left());
    QVERIFY(chart.xOfBar(visible.front()) - prices.left() < 2 * chartSlotWidth);
}

// The last close sweeps across many grid lines in steps of a tenth of a cent, so its tag
// lands on, between and near labels.
void ChartPainterTest::priceLabelsClearOfLastPriceTag()
{
    int hiddenLabels = 0;
    for (std::int64_t close = 5'750'000; close <= 5'790'000; close += 10) {
        MarketView view = replayWithBarsAt({0, 1, 2});
        view.bars[0] = flatBar(marketOpen, 5'750'000);
        view.bars[1] = flatBar(marketOpen + tenSeconds, 5'790'000);
        view.bars[2] = flatBar(marketOpen + 2 * tenSeconds, close);
        Canvas canvas;
        const ChartFrame chart = canvas.frame(view);

        const QRect tag = chart.lastPriceTag();
        QVERIFY(!tag.isEmpty());
        for (const PriceGridLine &line : chart.priceGrid()) {
            const QString context = QStringLiteral("close %1, label %2 at %3, tag at %4")
                                        .arg(close)
                                        .arg(line.label, describe(line.labelRect), describe(tag));
            QVERIFY2(line.labelShown == !line.labelRect.intersects(tag), qPrintable(context));
            if (!line.labelShown)
                ++hiddenLabels;
        }
    }
    QVERIFY2(hiddenLabels > 0, "no close put its tag over a label, so nothing was checked");
}

void ChartPainterTest::paintWithoutBarsDrawsNoGrid()
{
    Canvas canvas;
    MarketView view = replayWithBarsAt({});
    view.replayState = ReplayState::Finished;
    const ChartFrame chart = canvas.frame(view);
    const ChartOverlays overlays;

    ChartPainter(canvas.painter, chart, overlays).paint();

    QVERIFY(chart.priceGrid().empty());
    QVERIFY(chart.timeGrid().empty());
    QVERIFY(chart.lastPriceTag().isEmpty());
}

void ChartPainterTest::slotsMapBackToTheirBars()
{
    std::vector<int> slotIndexes;
    for (int slot = 0; slot < 500; slot += (slot % 7 == 3) ? 2 : 1)
        slotIndexes.push_back(slot);
    const MarketView view = replayWithBarsAt(slotIndexes);

    for (int width : chartSlotWidths) {
        Canvas canvas;
        const ChartFrame chart = canvas.frame(view, ChartOptions{width, {}, {}});
        const QString context = QStringLiteral("slot width %1").arg(width);
        QCOMPARE(chart.slotWidth(), width);
        QVERIFY2(chart.bodyWidth() % 2 == 1, qPrintable(context));
        QVERIFY2(chart.bodyWidth() < width || width < 3, qPrintable(context));
        QVERIFY2(!chart.visibleBars().empty(), qPrintable(context));
        QVERIFY2(chart.visibleBars().size() <= static_cast<std::size_t>(chart.slotCount()),
                 qPrintable(context));
        for (const Bar &bar : chart.visibleBars()) {
            const int x = chart.xOfBar(bar);
            QCOMPARE(chart.slotAtX(x), std::optional<std::int64_t>(bar.start.value()));
            QCOMPARE(chart.slotAtX(x - (width - 1) / 2),
                     std::optional<std::int64_t>(bar.start.value()));
            QCOMPARE(chart.slotAtX(x + width / 2), std::optional<std::int64_t>(bar.start.value()));
            QCOMPARE(chart.barAtX(x), &bar);
        }
    }
}

void ChartPainterTest::scrolledFrameEndsAtRightSlot()
{
    std::vector<int> slotIndexes;
    for (int slot = 0; slot < 500; ++slot)
        slotIndexes.push_back(slot);
    const MarketView view = replayWithBarsAt(slotIndexes);
    Canvas canvas;

    const ChartFrame chart =
        canvas.frame(view, ChartOptions{chartSlotWidth, marketOpen + 400 * tenSeconds, {}});

    QVERIFY(chart.canScroll());
    QVERIFY(!chart.showsNewestBar());
    QVERIFY(chart.visibleBars().back() == view.bars[400]);
    QCOMPARE(chart.xOfBar(view.bars[400]), chart.layout().prices.right() - chartSlotWidth);
    QCOMPARE(chart.lastSlotStart(), marketOpen + 400 * tenSeconds);
    // A start inside a slot counts as that slot.
    const ChartFrame inside =
        canvas.frame(view, ChartOptions{chartSlotWidth, marketOpen + 400 * tenSeconds + 3, {}});
    QCOMPARE(inside.lastSlotStart(), marketOpen + 400 * tenSeconds);
}

void ChartPainterTest::scrollStopsAtEitherEnd()
{
    std::vector<int> slotIndexes;
    for (int slot = 0; slot < 500; ++slot)
        slotIndexes.push_back(slot);
    const MarketView view = replayWithBarsAt(slotIndexes);
    Canvas canvas;

    const ChartFrame newest =
        canvas.frame(view, ChartOptions{chartSlotWidth, marketOpen + 900 * tenSeconds, {}});
    QVERIFY(newest.showsNewestBar());
    QVERIFY(newest.visibleBars().back() == view.bars.back());
    QCOMPARE(newest.clampRightSlot(marketOpen + 499 * tenSeconds), std::nullopt);
    QCOMPARE(newest.clampRightSlot(marketOpen + 900 * tenSeconds), std::nullopt);

    const ChartFrame oldest =
        canvas.frame(view, ChartOptions{chartSlotWidth, marketOpen - 50 * tenSeconds, {}});
    QVERIFY(oldest.visibleBars().front() == view.bars.front());
    QVERIFY(oldest.xOfBar(view.bars.front()) > oldest.layout().prices.left());
    QVERIFY(oldest.clampRightSlot(marketOpen - 50 * tenSeconds).has_value());

    // Bars that all fit cannot scroll, and every right slot gives the frame that follows.
    const MarketView few = replayWithBarsAt({0, 1, 2});
    const ChartFrame fitting = canvas.frame(few, ChartOptions{chartSlotWidth, marketOpen, {}});
    QVERIFY(!fitting.canScroll());
    QVERIFY(fitting.showsNewestBar());
    QCOMPARE(fitting.visibleBars().size(), std::size_t{3});
}

void ChartPainterTest::gapAcrossScreenKeepsPriceAxis()
{
    std::vector<int> slotIndexes;
    for (int slot = 0; slot < 10; ++slot) {
        slotIndexes.push_back(slot);
        slotIndexes.push_back(1000 + slot);
    }
    std::sort(slotIndexes.begin(), slotIndexes.end());
    const MarketView view = replayWithBarsAt(slotIndexes);
    Canvas canvas;

    const ChartFrame chart =
        canvas.frame(view, ChartOptions{chartSlotWidth, marketOpen + 500 * tenSeconds, {}});

    QVERIFY(chart.visibleBars().empty());
    // The range comes from the last bar before the gap, at slot 9: 576.0900.
    QVERIFY(chart.low() < 5'760'900);
    QVERIFY(chart.high() > 5'760'900);
    QVERIFY(!chart.priceGrid().empty());
    QVERIFY(!chart.timeGrid().empty());
    const ChartOverlays overlays;
    ChartPainter(canvas.painter, chart, overlays).paint();
}

void ChartPainterTest::newestCloseOutOfRangeHasNoTag()
{
    std::vector<int> slotIndexes;
    for (int slot = 0; slot < 500; ++slot)
        slotIndexes.push_back(slot);
    MarketView view = replayWithBarsAt(slotIndexes);
    view.bars.back() = flatBar(view.bars.back().start.value(), 9'000'000);
    Canvas canvas;

    const ChartFrame scrolled =
        canvas.frame(view, ChartOptions{chartSlotWidth, marketOpen + 200 * tenSeconds, {}});
    const ChartFrame following = canvas.frame(view);

    QVERIFY(scrolled.lastPriceTag().isEmpty());
    QVERIFY(!following.lastPriceTag().isEmpty());
}

void ChartPainterTest::hourStepsDivideDay_data()
{
    QTest::addColumn<qint64>("minimum");
    QTest::addColumn<qint64>("expected");

    constexpr qint64 hour = 3600 * second;
    QTest::newRow("an hour") << hour << hour;
    QTest::newRow("four hours") << 4 * hour << 6 * hour;
    QTest::newRow("seven hours") << 7 * hour << 12 * hour;
    QTest::newRow("a day and an hour") << 25 * hour << 48 * hour;
}

void ChartPainterTest::hourStepsDivideDay()
{
    QFETCH(qint64, minimum);
    QFETCH(qint64, expected);

    QCOMPARE(bourse::ui::niceTimeStep(minimum), expected);
}

void ChartPainterTest::hourlyLabelsOnRoundHours()
{
    constexpr std::int64_t hour = 3600 * second;
    MarketView view;
    view.barIntervalNanoseconds = hour;
    for (int i = 0; i < 5; ++i)
        view.bars.push_back(flatBar((9 + i) * hour, 10'000 + i));
    Canvas canvas;

    const std::vector<TimeGridLine> grid = canvas.frame(view).timeGrid();

    QVERIFY(grid.size() >= 2);
    const std::int64_t step = grid[1].time - grid[0].time;
    QCOMPARE((24 * hour) % step, std::int64_t{0});
    for (const TimeGridLine &line : grid)
        QCOMPARE(line.time % step, std::int64_t{0});
}

QTEST_MAIN(ChartPainterTest)
#include "tst_chart_painter.moc"

#include "chart_painter.h"
#include "theme.h"

#include <QImage>
#include <QPainter>
#include <QTest>

#include <vector>

using bourse::Bar;
using bourse::MarketView;
using bourse::Price;
using bourse::Quantity;
using bourse::ReplayState;
using bourse::SessionMode;
using bourse::Timestamp;
using bourse::ui::ChartPainter;
using bourse::ui::chartSlotWidth;
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

// The image and the painter that ChartPainter measures text with. Nothing is painted on it.
struct Canvas {
    QImage image{1000, 600, QImage::Format_RGB32};
    QPainter painter{&image};

    Canvas() { painter.setFont(bourse::ui::theme::monospaceFont()); }
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
    const ChartPainter chart(canvas.painter, view, canvas.image.rect());

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
    const ChartPainter chart(canvas.painter, view, canvas.image.rect());

    QCOMPARE(chart.xOfBar(view.bars[2]) - chart.xOfBar(view.bars[0]), 5 * chartSlotWidth);
}

void ChartPainterTest::timeAxisStartsAtFirstBar()
{
    Canvas canvas;
    const MarketView view = replayWithBarsAt({0, 1, 2, 3, 4, 5});
    const ChartPainter chart(canvas.painter, view, canvas.image.rect());

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
    const ChartPainter chart(canvas.painter, view, canvas.image.rect());

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
        const ChartPainter chart(canvas.painter, view, canvas.image.rect());

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
    ChartPainter chart(canvas.painter, view, canvas.image.rect());

    chart.paint();

    QVERIFY(chart.priceGrid().empty());
    QVERIFY(chart.timeGrid().empty());
    QVERIFY(chart.lastPriceTag().isEmpty());
}

QTEST_MAIN(ChartPainterTest)
#include "tst_chart_painter.moc"

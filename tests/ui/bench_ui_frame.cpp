// Measures the GUI-thread cost of one frame per panel: a new MarketView applied to the panel,
// then the repaint it causes, on the platform the benchmark runs on (QT_QPA_PLATFORM). The
// views are synthetic: a ten-level book that moves a tick at a time, ten new prints and a
// forming bar per frame, as a busy simulated market produces at 60 views a second.

#include "candle_chart.h"
#include "ladder_delegate.h"
#include "ladder_model.h"
#include "theme.h"
#include "time_and_sales_model.h"

#include <QApplication>
#include <QHeaderView>
#include <QTableView>
#include <QTest>

using bourse::Bar;
using bourse::LevelSummary;
using bourse::MarketView;
using bourse::Price;
using bourse::Quantity;
using bourse::Side;
using bourse::Timestamp;
using bourse::TradePrint;

namespace {

constexpr int levels = 10;
constexpr int printsPerFrame = 10;
constexpr int barsKept = 240;
constexpr std::int64_t second = 1'000'000'000;

// Builds frame `frame` of the synthetic market. Frames differ in prices, sizes and prints.
std::shared_ptr<const MarketView> syntheticView(int frame)
{
    auto view = std::make_shared<MarketView>();
    view->symbol = "BENCH";
    view->priceDecimals = 2;
    view->barIntervalNanoseconds = second;

    const std::int64_t mid = 10'000 + frame % 7;
    for (int depth = 0; depth < levels; ++depth) {
        const auto size = static_cast<std::int64_t>(50 + (frame * 13 + depth * 29) % 400);
        const auto orders = static_cast<std::uint32_t>(1 + (frame + depth) % 20);
        view->bids.push_back(LevelSummary{Price{mid - 1 - depth}, Quantity{size}, orders});
        view->asks.push_back(LevelSummary{Price{mid + 1 + depth}, Quantity{size + 7}, orders});
    }

    for (int i = 0; i < printsPerFrame; ++i) {
        const auto sequence = static_cast<bourse::SequenceNumber>(frame * printsPerFrame + i + 1);
        const Side side = i % 3 == 0 ? Side::Sell : Side::Buy;
        view->recentTrades.push_back(TradePrint{sequence, Timestamp{frame * second / 60},
                                                Price{side == Side::Buy ? mid + 1 : mid - 1},
                                                Quantity{1 + i}, side});
    }
    view->lastSequence = static_cast<bourse::SequenceNumber>((frame + 1) * printsPerFrame);

    for (int i = 0; i < barsKept; ++i) {
        const std::int64_t open = 10'000 + (i * 7) % 23;
        const std::int64_t close = open + (i % 5) - 2 + (i == barsKept - 1 ? frame % 3 : 0);
        view->bars.push_back(Bar{Timestamp{i * second}, Price{open},
                                 Price{std::max(open, close) + 3}, Price{std::min(open, close) - 3},
                                 Price{close}, Quantity{100 + (i * 37) % 500}, 10});
    }
    return view;
}

QTableView *showTable(QAbstractItemModel *model, QStyledItemDelegate *delegate, QSize size)
{
    auto *table = new QTableView;
    table->setModel(model);
    table->setItemDelegate(delegate);
    table->setFont(bourse::ui::theme::monospaceFont());
    table->verticalHeader()->hide();
    table->resize(size);
    table->show();
    return table;
}

} // namespace

class UiFrameBenchmark : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void ladderFrame();
    void timeAndSalesFrame();
    void candleChartFrame();
};

void UiFrameBenchmark::initTestCase()
{
    bourse::ui::theme::applyDarkTheme(*qApp);
}

void UiFrameBenchmark::ladderFrame()
{
    bourse::ui::LadderModel model(levels);
    std::unique_ptr<QTableView> table(
        showTable(&model, new bourse::ui::LadderDelegate, QSize(420, 480)));
    QVERIFY(QTest::qWaitForWindowExposed(table.get()));

    int frame = 0;
    QBENCHMARK
    {
        model.applyView(*syntheticView(++frame));
        QCoreApplication::processEvents();
    }
}

void UiFrameBenchmark::timeAndSalesFrame()
{
    bourse::ui::TimeAndSalesModel model(1000);
    std::unique_ptr<QTableView> table(
        showTable(&model, new bourse::ui::PaddedCellDelegate, QSize(420, 320)));
    QVERIFY(QTest::qWaitForWindowExposed(table.get()));

    int frame = 0;
    QBENCHMARK
    {
        model.applyView(*syntheticView(++frame));
        QCoreApplication::processEvents();
    }
}

void UiFrameBenchmark::candleChartFrame()
{
    bourse::ui::CandleChart chart;
    chart.resize(960, 760);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));

    int frame = 0;
    QBENCHMARK
    {
        chart.setView(syntheticView(++frame));
        QCoreApplication::processEvents();
    }
}

QTEST_MAIN(UiFrameBenchmark)
#include "bench_ui_frame.moc"

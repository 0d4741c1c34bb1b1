#include "ladder_model.h"
#include "theme.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QFont>
#include <QSignalSpy>
#include <QTest>

using bourse::InstrumentId;
using bourse::LevelSummary;
using bourse::MarketView;
using bourse::OrderId;
using bourse::OwnOrder;
using bourse::Price;
using bourse::PriceVolume;
using bourse::Quantity;
using bourse::Side;
using bourse::TradePrint;
using bourse::ui::LadderModel;

namespace {

using Tester = QAbstractItemModelTester;
constexpr auto kQtTest = QAbstractItemModelTester::FailureReportingMode::QtTest;

LevelSummary level(std::int64_t price, std::int64_t quantity)
{
    return LevelSummary{Price{price}, Quantity{quantity}, 1};
}

OwnOrder workingOrder(std::uint64_t id, Side side, std::int64_t limit, std::int64_t remaining)
{
    OwnOrder order;
    order.id = OrderId{id};
    order.instrument = InstrumentId{7};
    order.side = side;
    order.limit = Price{limit};
    order.quantity = Quantity{remaining};
    order.remaining = Quantity{remaining};
    return order;
}

// Instrument 7 with a tick of 5 and two price decimals. The mid, (1000 + 1010) / 2 = 1005, is
// on a tick, so with five rows each side the rows run from 1030 (row 0) down to 980 (row 10):
// row r shows 1030 - 5 r.
MarketView bookView()
{
    MarketView view;
    view.instrument = InstrumentId{7};
    view.tickSize = Price{5};
    view.priceDecimals = 2;
    view.bids = {level(1000, 20), level(995, 40), level(985, 10)};
    view.asks = {level(1010, 30), level(1015, 15), level(1030, 60)};
    return view;
}

QString cell(const LadderModel &model, int row, int column)
{
    return model.index(row, column).data().toString();
}

qint64 rowPrice(const LadderModel &model, int row)
{
    return model.index(row, LadderModel::PriceColumn).data(LadderModel::PriceRole).toLongLong();
}

struct ChangedRange {
    int firstRow;
    int lastRow;
    int firstColumn;
    int lastColumn;
};

ChangedRange changedRange(const QList<QVariant> &arguments)
{
    const auto topLeft = arguments.at(0).value<QModelIndex>();
    const auto bottomRight = arguments.at(1).value<QModelIndex>();
    return {topLeft.row(), bottomRight.row(), topLeft.column(), bottomRight.column()};
}

MarketView movedBy(std::int64_t ticks)
{
    MarketView view = bookView();
    for (LevelSummary &bid : view.bids)
        bid.price = Price{bid.price.value() + 5 * ticks};
    for (LevelSummary &ask : view.asks)
        ask.price = Price{ask.price.value() + 5 * ticks};
    return view;
}

} // namespace

class LadderModelTest : public QObject {
    Q_OBJECT

private slots:
    void rowsStepByTickAroundMid();
    void bookSizesInTheirRows();
    void workingOrdersSummedPerPrice();
    void volumeColumnFromRecentVolume();
    void quantityDecimalsFormatSizes();
    void bestLevelsMarkedAndTinted();
    void priceColouredBySideOfSpread();
    void depthFractionRelativeToLargest();
    void lastTradeMarked();
    void midRoundsDownToTick();
    void oneSidedBookCentresOnBest();
    void emptyBookCentresOnLastTrade();
    void noMarketLeavesRowsBlank();
    void rowsBelowOneTickBlank();
    void offTickPriceHasNoRow();
    void priceCellFormatsTicks_data();
    void priceCellFormatsTicks();
    void windowStillWhileMarketVisible();
    void recentresWhenMarketLeavesVisibleRows();
    void wideSpreadStillFollowsMarket();
    void wideSpreadClosesWithGapRow();
    void orderInsideGapKeepsItsRow();
    void scrolledAwayWindowStaysUntilRecentre();
    void heldWindowRecentresAfterRelease();
    void scrollRowsMovesPrices();
    void newInstrumentRecentres();
    void sizeChangeUpdatesOnlyItsRow();
    void sameViewEmitsNothing();
    void updatesNeverResetOrResize();
    void warningTintsAndExplainsCell();
    void clearBlanksEveryRow();
    void headersNameColumns();
};

void LadderModelTest::rowsStepByTickAroundMid()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    model.applyView(bookView());

    QCOMPARE(model.rowCount(), 11);
    QCOMPARE(model.columnCount(), 6);
    QCOMPARE(model.centreRow(), 5);
    for (int row = 0; row < model.rowCount(); ++row)
        QCOMPARE(rowPrice(model, row), qint64{1030 - 5 * row});
    QCOMPARE(cell(model, 0, LadderModel::PriceColumn), QStringLiteral("10.30"));
    QCOMPARE(cell(model, 5, LadderModel::PriceColumn), QStringLiteral("10.05"));
    QCOMPARE(cell(model, 10, LadderModel::PriceColumn), QStringLiteral("9.80"));
    QCOMPARE(model.marketPrice(), std::optional(Price{1005}));
    QCOMPARE(model.rowOf(Price{995}), 7);
    QCOMPARE(model.priceAt(7), std::optional(Price{995}));
}

void LadderModelTest::bookSizesInTheirRows()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    model.applyView(bookView());

    // Asks at 1030, 1015 and 1010 are rows 0, 3 and 4; bids at 1000, 995, 985 rows 6, 7, 9.
    QCOMPARE(cell(model, 0, LadderModel::AskSizeColumn), QStringLiteral("60"));
    QCOMPARE(cell(model, 3, LadderModel::AskSizeColumn), QStringLiteral("15"));
    QCOMPARE(cell(model, 4, LadderModel::AskSizeColumn), QStringLiteral("30"));
    QCOMPARE(cell(model, 6, LadderModel::BidSizeColumn), QStringLiteral("20"));
    QCOMPARE(cell(model, 7, LadderModel::BidSizeColumn), QStringLiteral("40"));
    QCOMPARE(cell(model, 9, LadderModel::BidSizeColumn), QStringLiteral("10"));

    for (const int row : {1, 2, 5, 8, 10}) {
        QCOMPARE(cell(model, row, LadderModel::BidSizeColumn), QString());
        QCOMPARE(cell(model, row, LadderModel::AskSizeColumn), QString());
    }
    QCOMPARE(cell(model, 4, LadderModel::BidSizeColumn), QString());
    QCOMPARE(cell(model, 6, LadderModel::AskSizeColumn), QString());
}

void LadderModelTest::workingOrdersSummedPerPrice()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    MarketView view = bookView();
    OwnOrder otherInstrument = workingOrder(14, Side::Sell, 1015, 9);
    otherInstrument.instrument = InstrumentId{8};
    OwnOrder parkedStop = workingOrder(15, Side::Buy, 1000, 6);
    parkedStop.parked = true;
    view.trader.workingOrders = {workingOrder(11, Side::Buy, 995, 3),
                                 workingOrder(12, Side::Buy, 995, 4),
                                 workingOrder(13, Side::Sell, 1015, 5),
                                 otherInstrument,
                                 parkedStop,
                                 workingOrder(16, Side::Buy, 990, 2)};
    model.applyView(view);

    // 3 + 4 at 995 (row 7), 5 at 1015 (row 3), 2 at 990 (row 8); nothing else is in the book.
    QCOMPARE(cell(model, 7, LadderModel::WorkingBuysColumn), QStringLiteral("7"));
    QCOMPARE(cell(model, 8, LadderModel::WorkingBuysColumn), QStringLiteral("2"));
    QCOMPARE(cell(model, 3, LadderModel::WorkingSellsColumn), QStringLiteral("5"));
    QCOMPARE(cell(model, 6, LadderModel::WorkingBuysColumn), QString());
    QCOMPARE(cell(model, 7, LadderModel::WorkingSellsColumn), QString());
    QCOMPARE(cell(model, 3, LadderModel::WorkingBuysColumn), QString());

    const std::vector<LadderModel::WorkingOrder> buys =
        model.workingOrdersAt(Side::Buy, Price{995});
    QCOMPARE(buys.size(), std::size_t{2});
    QCOMPARE(buys[0].id, OrderId{11});
    QCOMPARE(buys[0].remaining, Quantity{3});
    QCOMPARE(buys[1].id, OrderId{12});
    const std::vector<LadderModel::WorkingOrder> sells =
        model.workingOrdersAt(Side::Sell, Price{1015});
    QCOMPARE(sells.size(), std::size_t{1});
    QCOMPARE(sells[0].id, OrderId{13});
    QVERIFY(model.workingOrdersAt(Side::Buy, Price{1000}).empty());
    QVERIFY(model.workingOrdersAt(Side::Sell, Price{995}).empty());
}

void LadderModelTest::volumeColumnFromRecentVolume()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    MarketView view = bookView();
    view.recentVolume = {PriceVolume{Price{1000}, Quantity{12}},
                         PriceVolume{Price{1005}, Quantity{3}},
                         PriceVolume{Price{1010}, Quantity{1250}}};
    model.applyView(view);

    QCOMPARE(cell(model, 6, LadderModel::VolumeColumn), QStringLiteral("12"));
    QCOMPARE(cell(model, 5, LadderModel::VolumeColumn), QStringLiteral("3"));
    QCOMPARE(cell(model, 4, LadderModel::VolumeColumn), QStringLiteral("1,250"));
    QCOMPARE(cell(model, 7, LadderModel::VolumeColumn), QString());
}

void LadderModelTest::quantityDecimalsFormatSizes()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    MarketView view = bookView();
    view.quantityDecimals = 2;
    view.trader.workingOrders = {workingOrder(11, Side::Buy, 995, 150)};
    model.applyView(view);

    QCOMPARE(cell(model, 6, LadderModel::BidSizeColumn), QStringLiteral("0.20"));
    QCOMPARE(cell(model, 0, LadderModel::AskSizeColumn), QStringLiteral("0.60"));
    QCOMPARE(cell(model, 7, LadderModel::WorkingBuysColumn), QStringLiteral("1.50"));
}

void LadderModelTest::bestLevelsMarkedAndTinted()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    model.applyView(bookView());

    QCOMPARE(model.bestAskRow(), 4);
    QCOMPARE(model.bestBidRow(), 6);
    for (int row = 0; row < model.rowCount(); ++row) {
        const bool best = row == 4 || row == 6;
        const QModelIndex price = model.index(row, LadderModel::PriceColumn);
        QCOMPARE(price.data(LadderModel::BestLevelRole).toBool(), best);
        QCOMPARE(price.data(Qt::BackgroundRole).isValid(), best);
        QCOMPARE(price.data(Qt::FontRole).value<QFont>().bold(), best);
    }
    const auto tint = [&model](int row) {
        return model.index(row, LadderModel::PriceColumn).data(Qt::BackgroundRole).value<QColor>();
    };
    QCOMPARE(tint(4), bourse::ui::theme::bestAskBackground());
    QCOMPARE(tint(6), bourse::ui::theme::bestBidBackground());
}

void LadderModelTest::priceColouredBySideOfSpread()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    model.applyView(bookView());

    const auto colour = [&model](int row) {
        return model.index(row, LadderModel::PriceColumn).data(Qt::ForegroundRole).value<QColor>();
    };
    // At or above the best ask (1010, row 4) the sell colour, at or below the best bid (1000,
    // row 6) the buy colour, and the plain text colour inside the spread.
    QCOMPARE(colour(0), bourse::ui::theme::sellColor());
    QCOMPARE(colour(4), bourse::ui::theme::sellColor());
    QCOMPARE(colour(5), bourse::ui::theme::textColor());
    QCOMPARE(colour(6), bourse::ui::theme::buyColor());
    QCOMPARE(colour(10), bourse::ui::theme::buyColor());
}

void LadderModelTest::depthFractionRelativeToLargest()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    MarketView view = bookView();
    view.recentVolume = {PriceVolume{Price{1000}, Quantity{12}},
                         PriceVolume{Price{1010}, Quantity{3}}};
    model.applyView(view);

    // The largest size in the rows is the ask of 60 at 1030; the largest volume is 12.
    const auto fraction = [&model](int row, int column) {
        return model.index(row, column).data(LadderModel::DepthFractionRole);
    };
    QCOMPARE(fraction(0, LadderModel::AskSizeColumn).toDouble(), 1.0);
    QCOMPARE(fraction(4, LadderModel::AskSizeColumn).toDouble(), 0.5);
    QCOMPARE(fraction(9, LadderModel::BidSizeColumn).toDouble(), 10.0 / 60.0);
    QCOMPARE(fraction(6, LadderModel::VolumeColumn).toDouble(), 1.0);
    QCOMPARE(fraction(4, LadderModel::VolumeColumn).toDouble(), 0.25);
    QVERIFY(!fraction(6, LadderModel::AskSizeColumn).isValid());
    QVERIFY(!fraction(6, LadderModel::PriceColumn).isValid());
    QVERIFY(!fraction(5, LadderModel::BidSizeColumn).isValid());
}

void LadderModelTest::lastTradeMarked()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    MarketView view = bookView();
    view.recentTrades = {TradePrint{1, {}, Price{995}, Quantity{1}, Side::Sell},
                         TradePrint{2, {}, Price{1010}, Quantity{2}, Side::Buy}};
    model.applyView(view);

    for (int row = 0; row < model.rowCount(); ++row) {
        const QModelIndex price = model.index(row, LadderModel::PriceColumn);
        QCOMPARE(price.data(LadderModel::LastTradeRole).toBool(), row == 4);
    }
    QCOMPARE(model.index(4, LadderModel::AskSizeColumn).data(LadderModel::LastTradeRole).toBool(),
             false);
}

void LadderModelTest::midRoundsDownToTick()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    MarketView view = bookView();
    view.asks[0].price = Price{1015};
    model.applyView(view);

    // (1000 + 1015) / 2 = 1007.5, which rounds down to the tick at 1005.
    QCOMPARE(model.marketPrice(), std::optional(Price{1005}));
    QCOMPARE(rowPrice(model, model.centreRow()), qint64{1005});
}

void LadderModelTest::oneSidedBookCentresOnBest()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    MarketView view = bookView();
    view.bids.clear();
    model.applyView(view);

    QCOMPARE(rowPrice(model, model.centreRow()), qint64{1010});
    QCOMPARE(model.bestBidRow(), -1);
    QCOMPARE(model.bestAskRow(), 5);
    QCOMPARE(model.index(5, LadderModel::PriceColumn).data(Qt::ForegroundRole).value<QColor>(),
             bourse::ui::theme::sellColor());
}

void LadderModelTest::emptyBookCentresOnLastTrade()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    MarketView view = bookView();
    view.bids.clear();
    view.asks.clear();
    view.recentTrades = {TradePrint{1, {}, Price{990}, Quantity{1}, Side::Sell}};
    model.applyView(view);

    QCOMPARE(rowPrice(model, model.centreRow()), qint64{990});
}

void LadderModelTest::noMarketLeavesRowsBlank()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    MarketView view = bookView();
    view.bids.clear();
    view.asks.clear();
    model.applyView(view);

    QCOMPARE(model.marketPrice(), std::nullopt);
    for (int row = 0; row < model.rowCount(); ++row) {
        QCOMPARE(cell(model, row, LadderModel::PriceColumn), QString());
        QVERIFY(!model.index(row, LadderModel::PriceColumn).data(LadderModel::PriceRole).isValid());
        QCOMPARE(model.priceAt(row), std::nullopt);
    }

    // The first price centres the window.
    QSignalSpy recentred(&model, &LadderModel::recentred);
    model.applyView(bookView());
    QCOMPARE(recentred.count(), 1);
    QCOMPARE(rowPrice(model, model.centreRow()), qint64{1005});
}

void LadderModelTest::rowsBelowOneTickBlank()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    MarketView view = bookView();
    view.bids = {level(10, 1)};
    view.asks = {level(15, 1)};
    model.applyView(view);

    // The mid, 12, rounds down to 10 at row 5; row 6 is 5, and 0 and below are no prices.
    QCOMPARE(rowPrice(model, 5), qint64{10});
    QCOMPARE(rowPrice(model, 6), qint64{5});
    for (const int row : {7, 8, 9, 10}) {
        QCOMPARE(model.priceAt(row), std::nullopt);
        QCOMPARE(cell(model, row, LadderModel::PriceColumn), QString());
        QVERIFY(!(model.flags(model.index(row, 0)) & Qt::ItemIsSelectable));
    }
    QVERIFY(model.flags(model.index(6, 0)) & Qt::ItemIsSelectable);

    // Scrolling down cannot move the centre below one tick.
    model.scrollRows(-10);
    QCOMPARE(rowPrice(model, model.centreRow()), qint64{5});
}

void LadderModelTest::offTickPriceHasNoRow()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    model.applyView(bookView());

    QCOMPARE(model.rowOf(Price{1002}), -1);
    QCOMPARE(model.rowOf(Price{1035}), -1); // on the tick grid, above the window
    QCOMPARE(model.rowOf(Price{0}), -1);
}

void LadderModelTest::priceCellFormatsTicks_data()
{
    QTest::addColumn<qint64>("ticks");
    QTest::addColumn<int>("decimals");
    QTest::addColumn<QString>("expected");

    QTest::newRow("four decimals") << qint64{5794000} << 4 << QStringLiteral("579.4000");
    QTest::newRow("two decimals") << qint64{12345} << 2 << QStringLiteral("123.45");
    QTest::newRow("below one") << qint64{5} << 2 << QStringLiteral("0.05");
    QTest::newRow("no decimals") << qint64{7} << 0 << QStringLiteral("7");
    QTest::newRow("past float precision")
        << qint64{999999999999999} << 4 << QStringLiteral("99999999999.9999");
}

void LadderModelTest::priceCellFormatsTicks()
{
    QFETCH(qint64, ticks);
    QFETCH(int, decimals);
    QFETCH(QString, expected);

    LadderModel model(3);
    Tester tester(&model, kQtTest);
    MarketView view;
    view.priceDecimals = decimals;
    view.bids = {level(ticks, 10)};
    model.applyView(view);

    QCOMPARE(model.bestBidRow(), model.centreRow());
    QCOMPARE(cell(model, model.centreRow(), LadderModel::PriceColumn), expected);
}

void LadderModelTest::windowStillWhileMarketVisible()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    model.applyView(bookView());
    QSignalSpy recentred(&model, &LadderModel::recentred);
    QSignalSpy moved(&model, &LadderModel::windowMoved);

    // Two ticks up: the best ask 1020 is row 2, the highest row clear of the two edge rows.
    model.applyView(movedBy(2));

    QCOMPARE(recentred.count(), 0);
    QCOMPARE(moved.count(), 0);
    QCOMPARE(rowPrice(model, model.centreRow()), qint64{1005});
    QCOMPARE(model.bestBidRow(), 4);
    QCOMPARE(cell(model, 4, LadderModel::BidSizeColumn), QStringLiteral("20"));
}

void LadderModelTest::wideSpreadStillFollowsMarket()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    model.setVisibleRows(3, 7);
    // A spread of seven ticks, wider than the five visible rows: the best ask 1035 and the best
    // bid 1000 sit on either side of the gap in the centre row.
    MarketView wide = bookView();
    wide.bids = {level(1000, 20)};
    wide.asks = {level(1035, 30)};
    model.applyView(wide);
    QCOMPARE(rowPrice(model, model.centreRow() - 1), qint64{1035});
    QCOMPARE(rowPrice(model, model.centreRow() + 1), qint64{1000});

    // The market moves 20 ticks up. The window follows it rather than staying where the wide
    // spread left it.
    MarketView moved = wide;
    moved.bids = {level(1100, 20)};
    moved.asks = {level(1135, 30)};
    model.applyView(moved);
    QCOMPARE(rowPrice(model, model.centreRow() - 1), qint64{1135});
    QCOMPARE(rowPrice(model, model.centreRow() + 1), qint64{1100});
}

// With five visible rows and a margin of one row at each edge, a spread needs at most three
// rows, so the best prices three ticks apart fit and seven ticks apart do not. The gap row then
// stands for the six empty prices 1005 to 1030 between the best bid 1000 and the best ask 1035.
void LadderModelTest::wideSpreadClosesWithGapRow()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    model.setVisibleRows(3, 7);
    MarketView wide = bookView();
    wide.bids = {level(1000, 20), level(995, 40)};
    wide.asks = {level(1035, 30), level(1040, 15)};
    model.applyView(wide);

    const int gap = model.centreRow();
    QCOMPARE(model.hiddenTicksAt(gap), std::int64_t{6});
    QVERIFY(!model.priceAt(gap));
    QVERIFY(!model.index(gap, LadderModel::PriceColumn).data(LadderModel::PriceRole).isValid());
    QCOMPARE(cell(model, gap, LadderModel::PriceColumn), QStringLiteral("\u22EE 6 \u22EE"));
    QVERIFY(model.index(gap, LadderModel::PriceColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("6 empty prices")));
    QCOMPARE(rowPrice(model, gap - 2), qint64{1040});
    QCOMPARE(rowPrice(model, gap - 1), qint64{1035});
    QCOMPARE(rowPrice(model, gap + 1), qint64{1000});
    QCOMPARE(rowPrice(model, gap + 2), qint64{995});
    QCOMPARE(cell(model, gap - 1, LadderModel::AskSizeColumn), QStringLiteral("30"));
    QCOMPARE(cell(model, gap + 1, LadderModel::BidSizeColumn), QStringLiteral("20"));
    QCOMPARE(model.bestAskRow(), gap - 1);
    QCOMPARE(model.bestBidRow(), gap + 1);
    QCOMPARE(model.rowOf(Price{1015}), -1);
    QCOMPARE(model.hiddenTicksAt(gap + 1), std::int64_t{0});

    // The spread narrows to two ticks, which fits: the rows step by a tick around the mid 1005
    // again.
    model.applyView(bookView());
    QCOMPARE(model.hiddenTicksAt(gap), std::int64_t{0});
    QCOMPARE(rowPrice(model, gap), qint64{1005});
    QCOMPARE(rowPrice(model, gap - 1), qint64{1010});

    // Scrolling a closed spread opens it, so that every row has its own price again.
    model.applyView(wide);
    QCOMPARE(model.hiddenTicksAt(gap), std::int64_t{6});
    model.scrollRows(1);
    QCOMPARE(model.hiddenTicksAt(gap), std::int64_t{0});
    QVERIFY(model.priceAt(gap).has_value());
}

// The spread of seven ticks from 1000 to 1035 hides the six prices 1005 to 1030. A working buy
// of 8 at 1015 splits them: three above it (1020 to 1030) and two below it (1005 and 1010),
// 3 + 2 = 6 - 1 hidden prices.
void LadderModelTest::orderInsideGapKeepsItsRow()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    model.setVisibleRows(3, 7);
    MarketView wide = bookView();
    wide.bids = {level(1000, 20), level(995, 40)};
    wide.asks = {level(1035, 30), level(1040, 15)};
    // Five visible rows hold the best ask, one order row with a gap row on each side, and the
    // best bid. The second buy at 1030 is further from the mid 1017.5, so it stays in the gap.
    wide.trader.workingOrders = {workingOrder(21, Side::Buy, 1015, 8),
                                 workingOrder(22, Side::Buy, 1030, 1)};
    model.applyView(wide);

    QCOMPARE(rowPrice(model, 2), qint64{1040});
    QCOMPARE(rowPrice(model, 3), qint64{1035});
    QCOMPARE(model.bestAskRow(), 3);
    QCOMPARE(model.hiddenTicksAt(4), std::int64_t{3});
    QCOMPARE(cell(model, 4, LadderModel::PriceColumn), QStringLiteral("\u22EE 3 \u22EE"));
    QVERIFY(!model.priceAt(4));
    QCOMPARE(model.rowOf(Price{1015}), 5);
    QCOMPARE(rowPrice(model, 5), qint64{1015});
    QCOMPARE(model.hiddenTicksAt(5), std::int64_t{0});
    QCOMPARE(cell(model, 5, LadderModel::WorkingBuysColumn), QStringLiteral("8"));
    QCOMPARE(cell(model, 5, LadderModel::PriceColumn), QStringLiteral("10.15"));
    QVERIFY(model.flags(model.index(5, LadderModel::PriceColumn)) & Qt::ItemIsSelectable);
    QCOMPARE(model.hiddenTicksAt(6), std::int64_t{2});
    QCOMPARE(cell(model, 6, LadderModel::PriceColumn), QStringLiteral("\u22EE 2 \u22EE"));
    QCOMPARE(rowPrice(model, 7), qint64{1000});
    QCOMPARE(model.bestBidRow(), 7);
    QCOMPARE(rowPrice(model, 8), qint64{995});
    QCOMPARE(model.rowOf(Price{1030}), -1);
    QCOMPARE(model.rowOf(Price{1010}), -1);
    const std::vector<LadderModel::WorkingOrder> buys =
        model.workingOrdersAt(Side::Buy, Price{1015});
    QCOMPARE(buys.size(), std::size_t{1});
    QCOMPARE(buys[0].id, OrderId{21});

    // With all eleven rows on screen both orders fit. The sell of 5 at 1030 sits right below
    // the best ask, so no gap separates them: 1035, 1030, gap of 1020 and 1025, 1015, gap of
    // 1005 and 1010, 1000. That is 2 + 2 = 6 - 2 hidden prices.
    model.setVisibleRows(0, 10);
    wide.trader.workingOrders = {workingOrder(21, Side::Buy, 1015, 8),
                                 workingOrder(23, Side::Sell, 1030, 5)};
    model.applyView(wide);
    QCOMPARE(rowPrice(model, 3), qint64{1035});
    QCOMPARE(rowPrice(model, 4), qint64{1030});
    QCOMPARE(cell(model, 4, LadderModel::WorkingSellsColumn), QStringLiteral("5"));
    QCOMPARE(model.hiddenTicksAt(5), std::int64_t{2});
    QCOMPARE(rowPrice(model, 6), qint64{1015});
    QCOMPARE(cell(model, 6, LadderModel::WorkingBuysColumn), QStringLiteral("8"));
    QCOMPARE(model.hiddenTicksAt(7), std::int64_t{2});
    QCOMPARE(rowPrice(model, 8), qint64{1000});
    QCOMPARE(model.bestBidRow(), 8);

    // Once both orders are gone the spread closes around a single gap row again.
    wide.trader.workingOrders.clear();
    model.applyView(wide);
    QCOMPARE(model.hiddenTicksAt(model.centreRow()), std::int64_t{6});
    QCOMPARE(model.bestAskRow(), model.centreRow() - 1);
    QCOMPARE(model.bestBidRow(), model.centreRow() + 1);
    QCOMPARE(model.rowOf(Price{1015}), -1);
}

void LadderModelTest::recentresWhenMarketLeavesVisibleRows()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    model.setVisibleRows(3, 7);
    model.applyView(bookView());
    QSignalSpy recentred(&model, &LadderModel::recentred);

    // The same market: the best ask is row 4 and the best bid row 6, inside the visible rows
    // 3 to 7 and clear of their edge rows.
    model.applyView(movedBy(0));
    QCOMPARE(recentred.count(), 0);
    QCOMPARE(rowPrice(model, model.centreRow()), qint64{1005});

    // One tick up: the mid 1010 is still row 4, but the best ask 1015 reaches row 3, the top
    // visible row, where a trader could no longer see the price above it.
    model.applyView(movedBy(1));
    QCOMPARE(recentred.count(), 1);
    QCOMPARE(rowPrice(model, model.centreRow()), qint64{1010});
    QCOMPARE(model.bestBidRow(), 6);
}

void LadderModelTest::scrolledAwayWindowStaysUntilRecentre()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    model.setVisibleRows(3, 7);
    model.applyView(bookView());
    QSignalSpy recentred(&model, &LadderModel::recentred);

    // The trader looks ten ticks higher, so the market is off screen on purpose.
    model.scrollRows(10);
    QCOMPARE(rowPrice(model, model.centreRow()), qint64{1055});
    model.applyView(movedBy(1));
    QCOMPARE(recentred.count(), 0);
    QCOMPARE(rowPrice(model, model.centreRow()), qint64{1055});

    model.recentre();
    QCOMPARE(recentred.count(), 1);
    QCOMPARE(rowPrice(model, model.centreRow()), qint64{1010});

    // Visible again, so leaving the visible rows re-centres once more.
    model.applyView(movedBy(5));
    QCOMPARE(recentred.count(), 2);
    QCOMPARE(rowPrice(model, model.centreRow()), qint64{1030});
}

void LadderModelTest::heldWindowRecentresAfterRelease()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    model.setVisibleRows(3, 7);
    model.applyView(bookView());

    model.holdWindow(true);
    model.applyView(movedBy(4));
    QCOMPARE(rowPrice(model, model.centreRow()), qint64{1005});

    model.holdWindow(false);
    model.applyView(movedBy(4));
    QCOMPARE(rowPrice(model, model.centreRow()), qint64{1025});
}

void LadderModelTest::scrollRowsMovesPrices()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    model.applyView(bookView());
    QSignalSpy moved(&model, &LadderModel::windowMoved);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    model.scrollRows(2);
    QCOMPARE(rowPrice(model, 0), qint64{1040});
    QCOMPARE(rowPrice(model, model.centreRow()), qint64{1015});
    QCOMPARE(model.bestAskRow(), 6);
    QCOMPARE(cell(model, 6, LadderModel::AskSizeColumn), QStringLiteral("30"));

    model.scrollRows(-3);
    QCOMPARE(rowPrice(model, model.centreRow()), qint64{1000});
    QCOMPARE(moved.count(), 2);
    QVERIFY(changed.count() > 0);
}

void LadderModelTest::newInstrumentRecentres()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    model.applyView(bookView());
    model.scrollRows(4);
    QSignalSpy recentred(&model, &LadderModel::recentred);

    MarketView other;
    other.instrument = InstrumentId{8};
    other.tickSize = Price{10};
    other.priceDecimals = 1;
    other.bids = {level(5000, 7)};
    other.asks = {level(5010, 8)};
    model.applyView(other);

    // (5000 + 5010) / 2 = 5005 rounds down to the tick of 10 at 5000.
    QCOMPARE(recentred.count(), 1);
    QCOMPARE(model.instrument(), InstrumentId{8});
    QCOMPARE(model.tickSize(), Price{10});
    QCOMPARE(rowPrice(model, model.centreRow()), qint64{5000});
    QCOMPARE(rowPrice(model, model.centreRow() - 1), qint64{5010});
    QCOMPARE(cell(model, model.centreRow(), LadderModel::PriceColumn), QStringLiteral("500.0"));
}

void LadderModelTest::sizeChangeUpdatesOnlyItsRow()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    model.applyView(bookView());
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    MarketView view = bookView();
    view.bids[1].quantity = Quantity{45};
    model.applyView(view);

    QCOMPARE(changed.count(), 1);
    const ChangedRange range = changedRange(changed.at(0));
    QCOMPARE(range.firstRow, 7);
    QCOMPARE(range.lastRow, 7);
    QCOMPARE(range.firstColumn, 0);
    QCOMPARE(range.lastColumn, LadderModel::ColumnCount - 1);
    QCOMPARE(cell(model, 7, LadderModel::BidSizeColumn), QStringLiteral("45"));
}

void LadderModelTest::sameViewEmitsNothing()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    model.applyView(bookView());
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    model.applyView(bookView());

    QCOMPARE(changed.count(), 0);
}

void LadderModelTest::updatesNeverResetOrResize()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy layout(&model, &QAbstractItemModel::layoutChanged);

    model.applyView(bookView());
    model.applyView(movedBy(20));
    model.scrollRows(3);
    model.recentre();
    model.clear();

    QCOMPARE(reset.count(), 0);
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(removed.count(), 0);
    QCOMPARE(layout.count(), 0);
    QCOMPARE(model.rowCount(), 11);
}

void LadderModelTest::warningTintsAndExplainsCell()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    model.applyView(bookView());
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    const QString text = QStringLiteral("Buy 3 at 9.95 would be rejected: position limit");
    model.setWarnings({LadderModel::Warning{Price{995}, Side::Buy, text}});

    const QModelIndex bid = model.index(7, LadderModel::BidSizeColumn);
    QVERIFY(bid.data(LadderModel::WarningRole).toBool());
    QCOMPARE(bid.data(Qt::ToolTipRole).toString(), text);
    QCOMPARE(bid.data(Qt::BackgroundRole).value<QColor>().rgb(),
             bourse::ui::theme::errorColor().rgb());
    QVERIFY(!model.index(7, LadderModel::AskSizeColumn).data(LadderModel::WarningRole).toBool());
    QVERIFY(!model.index(6, LadderModel::BidSizeColumn).data(LadderModel::WarningRole).toBool());
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changedRange(changed.at(0)).firstRow, 7);
    QCOMPARE(changedRange(changed.at(0)).lastRow, 7);

    model.setWarnings({});
    QVERIFY(!bid.data(LadderModel::WarningRole).toBool());
    QVERIFY(!bid.data(Qt::ToolTipRole).isValid());
}

void LadderModelTest::clearBlanksEveryRow()
{
    LadderModel model(5);
    Tester tester(&model, kQtTest);
    MarketView view = bookView();
    view.trader.workingOrders = {workingOrder(11, Side::Buy, 995, 3)};
    model.applyView(view);

    model.clear();

    for (int row = 0; row < model.rowCount(); ++row) {
        for (int column = 0; column < model.columnCount(); ++column)
            QCOMPARE(cell(model, row, column), QString());
    }
    QCOMPARE(model.marketPrice(), std::nullopt);
    QVERIFY(model.workingOrdersAt(Side::Buy, Price{995}).empty());
}

void LadderModelTest::headersNameColumns()
{
    LadderModel model(5);
    const auto header = [&model](int section) {
        return model.headerData(section, Qt::Horizontal).toString();
    };
    QCOMPARE(header(LadderModel::WorkingBuysColumn), QStringLiteral("Buys"));
    QCOMPARE(header(LadderModel::BidSizeColumn), QStringLiteral("Bid"));
    QCOMPARE(header(LadderModel::PriceColumn), QStringLiteral("Price"));
    QCOMPARE(header(LadderModel::AskSizeColumn), QStringLiteral("Ask"));
    QCOMPARE(header(LadderModel::WorkingSellsColumn), QStringLiteral("Sells"));
    QCOMPARE(header(LadderModel::VolumeColumn), QStringLiteral("Volume"));
}

QTEST_MAIN(LadderModelTest)
#include "tst_ladder_model.moc"

#include "ladder_model.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QFont>
#include <QSignalSpy>
#include <QTest>

using bourse::LevelSummary;
using bourse::MarketView;
using bourse::Price;
using bourse::Quantity;
using bourse::ui::LadderModel;

namespace {

LevelSummary level(std::int64_t price, std::int64_t quantity, std::uint32_t orders)
{
    return LevelSummary{Price{price}, Quantity{quantity}, orders};
}

// Three asks and two bids in LOBSTER units (dollars x 10000).
MarketView bookView()
{
    MarketView view;
    view.priceDecimals = 4;
    view.asks = {level(5794100, 300, 2), level(5794500, 100, 1), level(5795000, 50, 1)};
    view.bids = {level(5794000, 200, 3), level(5793000, 400, 4)};
    return view;
}

QString cell(const LadderModel &model, int row, int column)
{
    return model.index(row, column).data().toString();
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

} // namespace

class LadderModelTest : public QObject {
    Q_OBJECT

private slots:
    void rowLayoutFollowsDepth();
    void asksAboveBidsBelow();
    void spreadRowShowsBestAskMinusBestBid();
    void bestLevelsMarkedAndTinted();
    void priceColumnsColouredBySide();
    void depthFractionRelativeToLargestLevel();
    void priceCellFormatsTicks_data();
    void priceCellFormatsTicks();
    void emptySideBlanksRowsAndSpread();
    void levelsBeyondDepthLeftOut();
    void sizeChangeUpdatesOnlyItsRow();
    void bestPriceChangeUpdatesSpreadRow();
    void largestLevelChangeUpdatesEveryRow();
    void sameViewEmitsNothing();
    void updatesNeverResetOrResize();
    void clearBlanksEveryRow();
    void headersNameColumns();
};

void LadderModelTest::rowLayoutFollowsDepth()
{
    LadderModel model(5);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);

    QCOMPARE(model.rowCount(), 11);
    QCOMPARE(model.columnCount(), 5);
    QCOMPARE(model.bestAskRow(), 4);
    QCOMPARE(model.spreadRow(), 5);
    QCOMPARE(model.bestBidRow(), 6);
    QCOMPARE(model.rowKind(0), LadderModel::RowKind::Ask);
    QCOMPARE(model.rowKind(5), LadderModel::RowKind::Spread);
    QCOMPARE(model.rowKind(10), LadderModel::RowKind::Bid);
}

void LadderModelTest::asksAboveBidsBelow()
{
    LadderModel model(5);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(bookView());

    // Asks: the best at row 4, worse ones above it, rows 0 and 1 empty.
    QCOMPARE(cell(model, 0, LadderModel::PriceColumn), QString());
    QCOMPARE(cell(model, 1, LadderModel::PriceColumn), QString());
    QCOMPARE(cell(model, 2, LadderModel::PriceColumn), QStringLiteral("579.5000"));
    QCOMPARE(cell(model, 2, LadderModel::AskSizeColumn), QStringLiteral("50"));
    QCOMPARE(cell(model, 3, LadderModel::PriceColumn), QStringLiteral("579.4500"));
    QCOMPARE(cell(model, 3, LadderModel::AskSizeColumn), QStringLiteral("100"));
    QCOMPARE(cell(model, 4, LadderModel::PriceColumn), QStringLiteral("579.4100"));
    QCOMPARE(cell(model, 4, LadderModel::AskSizeColumn), QStringLiteral("300"));
    QCOMPARE(cell(model, 4, LadderModel::AskOrdersColumn), QStringLiteral("2"));
    QCOMPARE(cell(model, 4, LadderModel::BidSizeColumn), QString());
    QCOMPARE(cell(model, 4, LadderModel::BidOrdersColumn), QString());

    // Bids: the best at row 6, worse ones below it, rows 8 to 10 empty.
    QCOMPARE(cell(model, 6, LadderModel::PriceColumn), QStringLiteral("579.4000"));
    QCOMPARE(cell(model, 6, LadderModel::BidSizeColumn), QStringLiteral("200"));
    QCOMPARE(cell(model, 6, LadderModel::BidOrdersColumn), QStringLiteral("3"));
    QCOMPARE(cell(model, 6, LadderModel::AskSizeColumn), QString());
    QCOMPARE(cell(model, 6, LadderModel::AskOrdersColumn), QString());
    QCOMPARE(cell(model, 7, LadderModel::PriceColumn), QStringLiteral("579.3000"));
    QCOMPARE(cell(model, 7, LadderModel::BidSizeColumn), QStringLiteral("400"));
    QCOMPARE(cell(model, 8, LadderModel::PriceColumn), QString());
    QCOMPARE(cell(model, 10, LadderModel::BidSizeColumn), QString());
}

void LadderModelTest::spreadRowShowsBestAskMinusBestBid()
{
    LadderModel model(5);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(bookView());

    // 5794100 - 5794000 = 100 ticks, which is 0.0100 with four decimals.
    QCOMPARE(cell(model, 5, LadderModel::PriceColumn), QStringLiteral("0.0100"));
    QCOMPARE(cell(model, 5, LadderModel::BidSizeColumn), QStringLiteral("Spread"));
    QCOMPARE(cell(model, 5, LadderModel::AskSizeColumn), QString());
    QCOMPARE(model.index(5, 0).data(LadderModel::RowKindRole).toInt(),
             static_cast<int>(LadderModel::RowKind::Spread));
}

void LadderModelTest::bestLevelsMarkedAndTinted()
{
    LadderModel model(5);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(bookView());

    for (int row = 0; row < model.rowCount(); ++row) {
        const bool best = row == 4 || row == 6;
        const QModelIndex price = model.index(row, LadderModel::PriceColumn);
        QCOMPARE(price.data(LadderModel::BestLevelRole).toBool(), best);
        QCOMPARE(price.data(Qt::BackgroundRole).isValid(), best);
        QCOMPARE(price.data(Qt::FontRole).value<QFont>().bold(), best);
    }
    const QColor askTint = model.index(4, 0).data(Qt::BackgroundRole).value<QColor>();
    const QColor bidTint = model.index(6, 0).data(Qt::BackgroundRole).value<QColor>();
    QVERIFY(askTint != bidTint);
}

void LadderModelTest::priceColumnsColouredBySide()
{
    LadderModel model(5);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(bookView());

    const auto colour = [&model](int row) {
        return model.index(row, LadderModel::PriceColumn).data(Qt::ForegroundRole).value<QColor>();
    };
    QCOMPARE(colour(2), colour(4));
    QCOMPARE(colour(6), colour(7));
    QVERIFY(colour(4) != colour(6));
}

void LadderModelTest::depthFractionRelativeToLargestLevel()
{
    LadderModel model(5);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(bookView());

    // The largest level shown is the bid of 400.
    const auto fraction = [&model](int row, int column) {
        return model.index(row, column).data(LadderModel::DepthFractionRole);
    };
    QCOMPARE(fraction(7, LadderModel::BidSizeColumn).toDouble(), 1.0);
    QCOMPARE(fraction(6, LadderModel::BidSizeColumn).toDouble(), 0.5);
    QCOMPARE(fraction(4, LadderModel::AskSizeColumn).toDouble(), 0.75);
    QCOMPARE(fraction(2, LadderModel::AskSizeColumn).toDouble(), 0.125);
    QVERIFY(!fraction(4, LadderModel::BidSizeColumn).isValid());
    QVERIFY(!fraction(6, LadderModel::PriceColumn).isValid());
    QVERIFY(!fraction(0, LadderModel::AskSizeColumn).isValid());
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
    QTest::newRow("negative") << qint64{-150} << 2 << QStringLiteral("-1.50");
    QTest::newRow("past float precision")
        << qint64{123456789012345678} << 4 << QStringLiteral("12345678901234.5678");
}

void LadderModelTest::priceCellFormatsTicks()
{
    QFETCH(qint64, ticks);
    QFETCH(int, decimals);
    QFETCH(QString, expected);

    LadderModel model(3);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    MarketView view;
    view.priceDecimals = decimals;
    view.bids = {level(ticks, 10, 1)};
    model.applyView(view);

    QCOMPARE(cell(model, model.bestBidRow(), LadderModel::PriceColumn), expected);
}

void LadderModelTest::emptySideBlanksRowsAndSpread()
{
    LadderModel model(5);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    MarketView view = bookView();
    view.bids.clear();
    model.applyView(view);

    QCOMPARE(cell(model, 5, LadderModel::PriceColumn), QStringLiteral("\u2014"));
    QCOMPARE(cell(model, 6, LadderModel::PriceColumn), QString());
    QCOMPARE(model.index(6, 0).data(LadderModel::BestLevelRole).toBool(), false);
    QCOMPARE(model.index(4, 0).data(LadderModel::BestLevelRole).toBool(), true);
}

void LadderModelTest::levelsBeyondDepthLeftOut()
{
    LadderModel model(2);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(bookView());

    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(cell(model, 0, LadderModel::PriceColumn), QStringLiteral("579.4500"));
    QCOMPARE(cell(model, 1, LadderModel::PriceColumn), QStringLiteral("579.4100"));
    QCOMPARE(cell(model, 3, LadderModel::PriceColumn), QStringLiteral("579.4000"));
    QCOMPARE(cell(model, 4, LadderModel::PriceColumn), QStringLiteral("579.3000"));
}

void LadderModelTest::sizeChangeUpdatesOnlyItsRow()
{
    LadderModel model(5);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(bookView());
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    MarketView view = bookView();
    view.bids[0].quantity = Quantity{250};
    model.applyView(view);

    QCOMPARE(changed.count(), 1);
    const ChangedRange range = changedRange(changed.at(0));
    QCOMPARE(range.firstRow, 6);
    QCOMPARE(range.lastRow, 6);
    QCOMPARE(range.firstColumn, 0);
    QCOMPARE(range.lastColumn, LadderModel::ColumnCount - 1);
    QCOMPARE(cell(model, 6, LadderModel::BidSizeColumn), QStringLiteral("250"));
}

void LadderModelTest::bestPriceChangeUpdatesSpreadRow()
{
    LadderModel model(5);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(bookView());
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    MarketView view = bookView();
    view.asks[0].price = Price{5794200};
    model.applyView(view);

    // The best ask (row 4) and the spread (row 5) are adjacent: one signal covers both.
    QCOMPARE(changed.count(), 1);
    const ChangedRange range = changedRange(changed.at(0));
    QCOMPARE(range.firstRow, 4);
    QCOMPARE(range.lastRow, 5);
    QCOMPARE(cell(model, 5, LadderModel::PriceColumn), QStringLiteral("0.0200"));
}

void LadderModelTest::largestLevelChangeUpdatesEveryRow()
{
    LadderModel model(5);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(bookView());
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    MarketView view = bookView();
    view.bids[1].quantity = Quantity{800};
    model.applyView(view);

    QCOMPARE(changed.count(), 1);
    const ChangedRange range = changedRange(changed.at(0));
    QCOMPARE(range.firstRow, 0);
    QCOMPARE(range.lastRow, 10);
    QCOMPARE(model.index(6, LadderModel::BidSizeColumn).data(LadderModel::DepthFractionRole),
             QVariant(0.25));
}

void LadderModelTest::sameViewEmitsNothing()
{
    LadderModel model(5);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(bookView());
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    model.applyView(bookView());

    QCOMPARE(changed.count(), 0);
}

void LadderModelTest::updatesNeverResetOrResize()
{
    LadderModel model(5);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy layout(&model, &QAbstractItemModel::layoutChanged);

    model.applyView(bookView());
    MarketView fewer = bookView();
    fewer.asks.resize(1);
    model.applyView(fewer);
    model.clear();

    QCOMPARE(reset.count(), 0);
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(removed.count(), 0);
    QCOMPARE(layout.count(), 0);
    QCOMPARE(model.rowCount(), 11);
}

void LadderModelTest::clearBlanksEveryRow()
{
    LadderModel model(5);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(bookView());

    model.clear();

    for (int row = 0; row < model.rowCount(); ++row) {
        if (row == model.spreadRow())
            continue;
        for (int column = 0; column < model.columnCount(); ++column)
            QCOMPARE(cell(model, row, column), QString());
    }
    QCOMPARE(cell(model, 5, LadderModel::PriceColumn), QStringLiteral("\u2014"));
}

void LadderModelTest::headersNameColumns()
{
    LadderModel model(5);
    const auto header = [&model](int section) {
        return model.headerData(section, Qt::Horizontal).toString();
    };
    QCOMPARE(header(LadderModel::BidOrdersColumn), QStringLiteral("Orders"));
    QCOMPARE(header(LadderModel::BidSizeColumn), QStringLiteral("Bid size"));
    QCOMPARE(header(LadderModel::PriceColumn), QStringLiteral("Price"));
    QCOMPARE(header(LadderModel::AskSizeColumn), QStringLiteral("Ask size"));
    QCOMPARE(header(LadderModel::AskOrdersColumn), QStringLiteral("Orders"));
}

QTEST_MAIN(LadderModelTest)
#include "tst_ladder_model.moc"

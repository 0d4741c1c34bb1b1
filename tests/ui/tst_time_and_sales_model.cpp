#include "time_and_sales_model.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QSignalSpy>
#include <QTest>

using bourse::MarketView;
using bourse::Price;
using bourse::Quantity;
using bourse::SequenceNumber;
using bourse::Side;
using bourse::Timestamp;
using bourse::TradePrint;
using bourse::ui::TimeAndSalesModel;

namespace {

// 09:30:00 in nanoseconds after midnight, the time base of replayed LOBSTER data.
constexpr std::int64_t marketOpen = 34'200'000'000'000;

TradePrint trade(SequenceNumber sequence, std::int64_t nanosecondsAfterOpen, std::int64_t price,
                 std::int64_t quantity, Side aggressor)
{
    return TradePrint{sequence, Timestamp{marketOpen + nanosecondsAfterOpen}, Price{price},
                      Quantity{quantity}, aggressor};
}

MarketView viewWith(std::vector<TradePrint> trades)
{
    MarketView view;
    view.mode = bourse::SessionMode::Replay;
    view.priceDecimals = 4;
    view.lastSequence = trades.empty() ? 0 : trades.back().sequence;
    view.recentTrades = std::move(trades);
    return view;
}

// Trade n has sequence 10 n, happens n milliseconds after the open and has size n.
TradePrint numberedTrade(int n)
{
    return trade(static_cast<SequenceNumber>(10 * n), std::int64_t{n} * 1'000'000, 5794000 + n, n,
                 n % 2 == 0 ? Side::Buy : Side::Sell);
}

QString cell(const TimeAndSalesModel &model, int row, int column)
{
    return model.index(row, column).data().toString();
}

QString sizeAt(const TimeAndSalesModel &model, int row)
{
    return cell(model, row, TimeAndSalesModel::SizeColumn);
}

} // namespace

class TimeAndSalesModelTest : public QObject {
    Q_OBJECT

private slots:
    void newestPrintOnTop();
    void cellsFormatted();
    void sidesColouredByAggressor();
    void insertsAtTopWithOneSignal();
    void repeatedPrintsNotInsertedTwice();
    void trimsOldestRowsAtBound();
    void burstLargerThanBoundKeepsNewest();
    void priceDecimalsChangeUpdatesPriceColumn();
    void lowerSequenceStartsNewTape();
    void clearStartsTapeAtNextView();
    void missedTradesFromSessionTotal();
    void otherInstrumentsTradesAreNotMissed();
    void headersNameColumns();
    void sizesUseQuantityDecimals();
    void quantityDecimalsChangeUpdatesSizeColumn();
    void quantityAndAggressorRoles();
    void rowsTintedByAggressor();
    void focusChangeStartsNewTape();
    void sameFocusKeepsTape();
    void missedTradesCountFromFocusChange();
};

void TimeAndSalesModelTest::newestPrintOnTop()
{
    TimeAndSalesModel model(10);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);

    model.applyView(viewWith({numberedTrade(1), numberedTrade(2)}));
    model.applyView(viewWith({numberedTrade(3)}));

    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(sizeAt(model, 0), QStringLiteral("3"));
    QCOMPARE(sizeAt(model, 1), QStringLiteral("2"));
    QCOMPARE(sizeAt(model, 2), QStringLiteral("1"));
}

void TimeAndSalesModelTest::cellsFormatted()
{
    TimeAndSalesModel model(10);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);

    // The first LOBSTER execution of the sample day: 34200.015105074 s, 5794000 = $579.40.
    model.applyView(viewWith({trade(5, 15'105'074, 5794000, 100, Side::Sell),
                              trade(9, 113'246'707, 5795100, 1200, Side::Buy)}));

    QCOMPARE(cell(model, 0, TimeAndSalesModel::TimeColumn), QStringLiteral("09:30:00.113"));
    QCOMPARE(cell(model, 0, TimeAndSalesModel::PriceColumn), QStringLiteral("579.5100"));
    QCOMPARE(cell(model, 0, TimeAndSalesModel::SizeColumn), QStringLiteral("1,200"));
    QCOMPARE(cell(model, 0, TimeAndSalesModel::SideColumn), QStringLiteral("Buy"));
    QCOMPARE(cell(model, 1, TimeAndSalesModel::TimeColumn), QStringLiteral("09:30:00.015"));
    QCOMPARE(cell(model, 1, TimeAndSalesModel::PriceColumn), QStringLiteral("579.4000"));
    QCOMPARE(cell(model, 1, TimeAndSalesModel::SizeColumn), QStringLiteral("100"));
    QCOMPARE(cell(model, 1, TimeAndSalesModel::SideColumn), QStringLiteral("Sell"));
}

void TimeAndSalesModelTest::sidesColouredByAggressor()
{
    TimeAndSalesModel model(10);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(viewWith({numberedTrade(1), numberedTrade(2), numberedTrade(4)}));

    // Rows: 0 is trade 4 (buy), 1 is trade 2 (buy), 2 is trade 1 (sell).
    const auto colour = [&model](int row, int column) {
        return model.index(row, column).data(Qt::ForegroundRole).value<QColor>();
    };
    for (int column : {TimeAndSalesModel::PriceColumn, TimeAndSalesModel::SizeColumn,
                       TimeAndSalesModel::SideColumn}) {
        QCOMPARE(colour(0, column), colour(1, column));
        QVERIFY(colour(0, column) != colour(2, column));
    }
    QCOMPARE(colour(0, TimeAndSalesModel::TimeColumn), colour(2, TimeAndSalesModel::TimeColumn));
}

void TimeAndSalesModelTest::insertsAtTopWithOneSignal()
{
    TimeAndSalesModel model(10);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(viewWith({numberedTrade(1)}));
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    model.applyView(viewWith({numberedTrade(2), numberedTrade(3)}));

    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.at(0).at(2).toInt(), 1);
    QCOMPARE(reset.count(), 0);
}

void TimeAndSalesModelTest::repeatedPrintsNotInsertedTwice()
{
    TimeAndSalesModel model(10);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(viewWith({numberedTrade(1), numberedTrade(2)}));
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

    model.applyView(viewWith({numberedTrade(1), numberedTrade(2)}));
    QCOMPARE(inserted.count(), 0);

    model.applyView(viewWith({numberedTrade(2), numberedTrade(3)}));
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(sizeAt(model, 0), QStringLiteral("3"));
}

void TimeAndSalesModelTest::trimsOldestRowsAtBound()
{
    TimeAndSalesModel model(3);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(viewWith({numberedTrade(1), numberedTrade(2)}));
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);

    model.applyView(viewWith({numberedTrade(3), numberedTrade(4)}));

    // Four rows after the insert; the fourth, trade 1, goes.
    QCOMPARE(removed.count(), 1);
    QCOMPARE(removed.at(0).at(1).toInt(), 3);
    QCOMPARE(removed.at(0).at(2).toInt(), 3);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(sizeAt(model, 0), QStringLiteral("4"));
    QCOMPARE(sizeAt(model, 1), QStringLiteral("3"));
    QCOMPARE(sizeAt(model, 2), QStringLiteral("2"));
}

void TimeAndSalesModelTest::burstLargerThanBoundKeepsNewest()
{
    TimeAndSalesModel model(3);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);

    model.applyView(viewWith({numberedTrade(1), numberedTrade(2), numberedTrade(3),
                              numberedTrade(4), numberedTrade(5)}));

    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(2).toInt(), 2);
    QCOMPARE(removed.count(), 0);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(sizeAt(model, 0), QStringLiteral("5"));
    QCOMPARE(sizeAt(model, 2), QStringLiteral("3"));

    // Trade 4 was seen, even though trimmed, so it is not inserted later.
    model.applyView(viewWith({numberedTrade(4), numberedTrade(6)}));
    QCOMPARE(sizeAt(model, 0), QStringLiteral("6"));
    QCOMPARE(sizeAt(model, 1), QStringLiteral("5"));
}

void TimeAndSalesModelTest::priceDecimalsChangeUpdatesPriceColumn()
{
    TimeAndSalesModel model(10);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(viewWith({numberedTrade(1)}));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    MarketView view = viewWith({});
    view.lastSequence = 10;
    view.priceDecimals = 2;
    model.applyView(view);

    QCOMPARE(changed.count(), 1);
    QCOMPARE(cell(model, 0, TimeAndSalesModel::PriceColumn), QStringLiteral("57940.01"));
}

void TimeAndSalesModelTest::lowerSequenceStartsNewTape()
{
    TimeAndSalesModel model(10);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(viewWith({numberedTrade(5), numberedTrade(6)}));
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    model.applyView(viewWith({numberedTrade(1)}));

    QCOMPARE(reset.count(), 1);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(sizeAt(model, 0), QStringLiteral("1"));
}

// A seek clears the tape: the session's 40 trades before the first view after it were never
// the tape's to show, and the 3 after it that the next view leaves out are missed.
void TimeAndSalesModelTest::clearStartsTapeAtNextView()
{
    TimeAndSalesModel model(10);
    MarketView before = viewWith({numberedTrade(1)});
    before.totalTrades = 1;
    model.applyView(before);
    model.clear();

    MarketView first = viewWith({numberedTrade(41)});
    first.totalTrades = 41;
    model.applyView(first);
    QCOMPARE(model.missedTrades(), std::uint64_t{0});
    QCOMPARE(model.rowCount(), 1);

    MarketView second = viewWith({numberedTrade(45)});
    second.totalTrades = 45;
    model.applyView(second);
    QCOMPARE(model.missedTrades(), std::uint64_t{3});
}

void TimeAndSalesModelTest::missedTradesFromSessionTotal()
{
    TimeAndSalesModel model(10);
    // 8 trades so far, of which the view carries only trade 1.
    MarketView first = viewWith({numberedTrade(1)});
    first.totalTrades = 8;
    // 14 so far: trade 2 arrives, the five between were never shown.
    MarketView second = viewWith({numberedTrade(2)});
    second.totalTrades = 14;

    model.applyView(first);
    QCOMPARE(model.missedTrades(), std::uint64_t{7});

    model.applyView(second);
    QCOMPARE(model.missedTrades(), std::uint64_t{12});

    model.applyView(second);
    QCOMPARE(model.missedTrades(), std::uint64_t{12});
}

void TimeAndSalesModelTest::otherInstrumentsTradesAreNotMissed()
{
    TimeAndSalesModel model(10);
    // The session traded 40 times, the focus (instrument 1) twice, and the view carries both.
    MarketView view = viewWith({numberedTrade(1), numberedTrade(2)});
    view.instrument = bourse::InstrumentId{1};
    view.totalTrades = 40;
    bourse::InstrumentQuote focus;
    focus.instrument = bourse::InstrumentId{1};
    focus.tradeCount = 2;
    bourse::InstrumentQuote other;
    other.instrument = bourse::InstrumentId{2};
    other.tradeCount = 38;
    view.instruments = {focus, other};

    model.applyView(view);

    QCOMPARE(model.missedTrades(), std::uint64_t{0});
}

void TimeAndSalesModelTest::headersNameColumns()
{
    TimeAndSalesModel model(10);
    const auto header = [&model](int section) {
        return model.headerData(section, Qt::Horizontal).toString();
    };
    QCOMPARE(header(TimeAndSalesModel::TimeColumn), QStringLiteral("Time"));
    QCOMPARE(header(TimeAndSalesModel::PriceColumn), QStringLiteral("Price"));
    QCOMPARE(header(TimeAndSalesModel::SizeColumn), QStringLiteral("Size"));
    QCOMPARE(header(TimeAndSalesModel::SideColumn), QStringLiteral("Side"));
}

void TimeAndSalesModelTest::sizesUseQuantityDecimals()
{
    TimeAndSalesModel model(10);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    MarketView view = viewWith({trade(5, 0, 5794000, 1234567, Side::Buy)});
    view.quantityDecimals = 2;

    model.applyView(view);

    // 1234567 lots in hundredths of a unit.
    QCOMPARE(sizeAt(model, 0), QStringLiteral("12,345.67"));
    QCOMPARE(model.quantityDecimals(), 2);
}

void TimeAndSalesModelTest::quantityDecimalsChangeUpdatesSizeColumn()
{
    TimeAndSalesModel model(10);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(viewWith({numberedTrade(1), numberedTrade(2)}));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    MarketView view = viewWith({});
    view.lastSequence = 20;
    view.quantityDecimals = 1;
    model.applyView(view);

    QCOMPARE(changed.count(), 1);
    const auto topLeft = changed.at(0).at(0).value<QModelIndex>();
    const auto bottomRight = changed.at(0).at(1).value<QModelIndex>();
    QCOMPARE(topLeft.column(), int{TimeAndSalesModel::SizeColumn});
    QCOMPARE(bottomRight.column(), int{TimeAndSalesModel::SizeColumn});
    QCOMPARE(bottomRight.row(), 1);
    QCOMPARE(sizeAt(model, 0), QStringLiteral("0.2"));
}

void TimeAndSalesModelTest::quantityAndAggressorRoles()
{
    TimeAndSalesModel model(10);
    model.applyView(viewWith({trade(5, 0, 5794000, 1200, Side::Sell)}));
    const QModelIndex price = model.index(0, TimeAndSalesModel::PriceColumn);

    QCOMPARE(price.data(TimeAndSalesModel::QuantityRole).toLongLong(), qint64{1200});
    QCOMPARE(price.data(TimeAndSalesModel::AggressorRole).toInt(), int(Side::Sell));
}

void TimeAndSalesModelTest::rowsTintedByAggressor()
{
    TimeAndSalesModel model(10);
    model.applyView(viewWith({numberedTrade(1), numberedTrade(2)}));
    const auto tint = [&model](int row, int column) {
        return model.index(row, column).data(Qt::BackgroundRole).value<QColor>();
    };

    // Row 0 is trade 2 (buy) and row 1 trade 1 (sell). Every cell of a row has one tint.
    QVERIFY(tint(0, TimeAndSalesModel::TimeColumn) != tint(1, TimeAndSalesModel::TimeColumn));
    QCOMPARE(tint(0, TimeAndSalesModel::TimeColumn), tint(0, TimeAndSalesModel::SideColumn));
    QVERIFY(tint(0, TimeAndSalesModel::TimeColumn).alpha() < 255);
}

void TimeAndSalesModelTest::focusChangeStartsNewTape()
{
    TimeAndSalesModel model(10);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    MarketView first = viewWith({numberedTrade(1), numberedTrade(2)});
    first.instrument = bourse::InstrumentId{1};
    model.applyView(first);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    // The new focus's prints carry higher sequence numbers, as the engine numbers every event.
    MarketView second = viewWith({numberedTrade(3)});
    second.instrument = bourse::InstrumentId{2};
    model.applyView(second);

    QCOMPARE(reset.count(), 1);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(sizeAt(model, 0), QStringLiteral("3"));
    QCOMPARE(model.instrument(), std::optional<bourse::InstrumentId>{bourse::InstrumentId{2}});
}

void TimeAndSalesModelTest::sameFocusKeepsTape()
{
    TimeAndSalesModel model(10);
    MarketView first = viewWith({numberedTrade(1)});
    first.instrument = bourse::InstrumentId{4};
    model.applyView(first);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    MarketView second = viewWith({numberedTrade(2)});
    second.instrument = bourse::InstrumentId{4};
    model.applyView(second);

    QCOMPARE(reset.count(), 0);
    QCOMPARE(model.rowCount(), 2);
}

void TimeAndSalesModelTest::missedTradesCountFromFocusChange()
{
    TimeAndSalesModel model(10);
    MarketView first = viewWith({numberedTrade(1)});
    first.instrument = bourse::InstrumentId{1};
    first.totalTrades = 1;
    model.applyView(first);

    // 50 trades so far, 3 of them in the first view of the new focus: none missed.
    MarketView second = viewWith({numberedTrade(2), numberedTrade(3), numberedTrade(4)});
    second.instrument = bourse::InstrumentId{2};
    second.totalTrades = 50;
    model.applyView(second);
    QCOMPARE(model.missedTrades(), std::uint64_t{0});

    // 55 so far: trades 5 and 6 arrive, three of the five new ones were never shown.
    MarketView third = viewWith({numberedTrade(4), numberedTrade(5), numberedTrade(6)});
    third.instrument = bourse::InstrumentId{2};
    third.totalTrades = 55;
    model.applyView(third);
    QCOMPARE(model.missedTrades(), std::uint64_t{3});
}

QTEST_MAIN(TimeAndSalesModelTest)
#include "tst_time_and_sales_model.moc"

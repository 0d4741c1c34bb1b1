#include "market_watch_delegate.h"
#include "market_watch_model.h"
#include "market_watch_panel.h"
#include "theme.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QFont>
#include <QImage>
#include <QPainter>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>

#include <memory>

using bourse::InstrumentId;
using bourse::InstrumentQuote;
using bourse::MarketView;
using bourse::Price;
using bourse::Quantity;
using bourse::TradingStatus;
using bourse::ui::MarketWatchModel;
using bourse::ui::MarketWatchPanel;
using bourse::ui::SparklineDelegate;

namespace {

// ACME: 2 price decimals, whole lots. Last 101.25 against an open of 100.00.
InstrumentQuote acme()
{
    InstrumentQuote quote;
    quote.instrument = InstrumentId{1};
    quote.symbol = "ACME";
    quote.priceDecimals = 2;
    quote.quantityDecimals = 0;
    quote.last = Price{10125};
    quote.openPrice = Price{10000};
    quote.bestBid = Price{10120};
    quote.bidSize = Quantity{300};
    quote.bestAsk = Price{10130};
    quote.askSize = Quantity{500};
    quote.volume = Quantity{12345};
    quote.tradeCount = 1234;
    quote.sparkline = {Price{10000}, Price{10050}, Price{10125}};
    return quote;
}

// BOND: 4 price decimals and 2 quantity decimals, halted, down from 100.0000 to 98.5000.
InstrumentQuote bond()
{
    InstrumentQuote quote;
    quote.instrument = InstrumentId{2};
    quote.symbol = "BOND";
    quote.priceDecimals = 4;
    quote.quantityDecimals = 2;
    quote.status = TradingStatus::Halted;
    quote.last = Price{985000};
    quote.openPrice = Price{1000000};
    quote.bestBid = Price{984900};
    quote.bidSize = Quantity{12345};
    quote.bestAsk = Price{985100};
    quote.askSize = Quantity{50};
    quote.volume = Quantity{1234567};
    quote.tradeCount = 7;
    return quote;
}

// IDLE: listed, never traded, an empty book.
InstrumentQuote idle()
{
    InstrumentQuote quote;
    quote.instrument = InstrumentId{3};
    quote.symbol = "IDLE";
    quote.status = TradingStatus::PreOpen;
    return quote;
}

MarketView viewOf(std::vector<InstrumentQuote> quotes, std::uint32_t focus = 1)
{
    MarketView view;
    view.instrument = InstrumentId{focus};
    view.instruments = std::move(quotes);
    return view;
}

std::shared_ptr<const MarketView> shared(MarketView view)
{
    return std::make_shared<const MarketView>(std::move(view));
}

QString cell(const QAbstractItemModel &model, int row, int column)
{
    return model.index(row, column).data().toString();
}

struct ChangedCells {
    int row;
    int firstColumn;
    int lastColumn;
};

ChangedCells changedCells(const QList<QVariant> &arguments)
{
    const auto topLeft = arguments.at(0).value<QModelIndex>();
    const auto bottomRight = arguments.at(1).value<QModelIndex>();
    return {topLeft.row(), topLeft.column(), bottomRight.column()};
}

InstrumentId instrumentOf(const QSignalSpy &spy, int signal)
{
    return spy.at(signal).at(0).value<InstrumentId>();
}

// Counts the pixels of `image` nearer in hue to the buy colour and to the sell colour.
std::pair<int, int> trendPixels(const QImage &image)
{
    int buy = 0;
    int sell = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QColor colour = image.pixelColor(x, y);
            // The buy colour is teal (more green than red), the sell colour red.
            if (colour.green() > colour.red() + 40)
                ++buy;
            if (colour.red() > colour.green() + 40)
                ++sell;
        }
    }
    return {buy, sell};
}

} // namespace

class MarketWatchTest : public QObject {
    Q_OBJECT

private slots:
    void rowsInViewOrder();
    void cellsFormattedByInstrumentDecimals();
    void instrumentWithoutTradesBlank();
    void staleReplayShownInStatus();
    void changePercentRounding_data();
    void changePercentRounding();
    void changeColouredByDirection();
    void secondViewUpdatesChangedCellsOnly();
    void identicalViewEmitsNothing();
    void newInstrumentAppendsOneRow();
    void missingInstrumentRemovesRow();
    void sparklineKeepsNewestPoints();
    void decimalsChangeUpdatesPriceCells();
    void focusRowMarked();
    void focusChangeUpdatesBothRows();
    void sortsByShownValueAcrossDecimals();
    void clearEmptiesModel();
    void panelNamedForAccessibility();
    void clickOnRowEmitsInstrument();
    void arrowKeyEmitsNextInstrument();
    void followingFocusEmitsNothing();
    void sizeColumnsHiddenWhenNarrow();
    void sparklinePaintedInTrendColour();
};

void MarketWatchTest::rowsInViewOrder()
{
    MarketWatchModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

    model.applyView(viewOf({acme(), bond(), idle()}));

    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), int{MarketWatchModel::ColumnCount});
    QCOMPARE(cell(model, 0, MarketWatchModel::SymbolColumn), QStringLiteral("ACME"));
    QCOMPARE(cell(model, 1, MarketWatchModel::SymbolColumn), QStringLiteral("BOND"));
    QCOMPARE(cell(model, 2, MarketWatchModel::SymbolColumn), QStringLiteral("IDLE"));
    QCOMPARE(model.rowOf(InstrumentId{2}), 1);
    QCOMPARE(model.rowOf(InstrumentId{9}), -1);
    QCOMPARE(model.instrumentAt(2), InstrumentId{3});
    QCOMPARE(model.index(1, 0).data(MarketWatchModel::InstrumentRole).toUInt(), 2u);
}

void MarketWatchTest::cellsFormattedByInstrumentDecimals()
{
    MarketWatchModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(viewOf({acme(), bond()}));

    // ACME: 10125 - 10000 = +125 ticks = +1.25; 125 / 10000 = +1.25 %.
    QCOMPARE(cell(model, 0, MarketWatchModel::LastColumn), QStringLiteral("101.25"));
    QCOMPARE(cell(model, 0, MarketWatchModel::ChangeColumn), QStringLiteral("+1.25"));
    QCOMPARE(cell(model, 0, MarketWatchModel::ChangePercentColumn), QStringLiteral("+1.25%"));
    QCOMPARE(cell(model, 0, MarketWatchModel::BidSizeColumn), QStringLiteral("300"));
    QCOMPARE(cell(model, 0, MarketWatchModel::BidColumn), QStringLiteral("101.20"));
    QCOMPARE(cell(model, 0, MarketWatchModel::AskColumn), QStringLiteral("101.30"));
    QCOMPARE(cell(model, 0, MarketWatchModel::AskSizeColumn), QStringLiteral("500"));
    QCOMPARE(cell(model, 0, MarketWatchModel::VolumeColumn), QStringLiteral("12,345"));
    QCOMPARE(cell(model, 0, MarketWatchModel::TradesColumn), QStringLiteral("1,234"));
    QCOMPARE(cell(model, 0, MarketWatchModel::StatusColumn), QStringLiteral("Open"));
    QCOMPARE(cell(model, 0, MarketWatchModel::SparklineColumn), QString());

    // BOND: 985000 - 1000000 = -15000 ticks = -1.5000; -15000 / 1000000 = -1.50 %.
    // Sizes in hundredths of a unit: 12345 lots = 123.45, 1234567 lots = 12,345.67.
    QCOMPARE(cell(model, 1, MarketWatchModel::LastColumn), QStringLiteral("98.5000"));
    QCOMPARE(cell(model, 1, MarketWatchModel::ChangeColumn), QStringLiteral("-1.5000"));
    QCOMPARE(cell(model, 1, MarketWatchModel::ChangePercentColumn), QStringLiteral("-1.50%"));
    QCOMPARE(cell(model, 1, MarketWatchModel::BidSizeColumn), QStringLiteral("123.45"));
    QCOMPARE(cell(model, 1, MarketWatchModel::BidColumn), QStringLiteral("98.4900"));
    QCOMPARE(cell(model, 1, MarketWatchModel::AskColumn), QStringLiteral("98.5100"));
    QCOMPARE(cell(model, 1, MarketWatchModel::AskSizeColumn), QStringLiteral("0.50"));
    QCOMPARE(cell(model, 1, MarketWatchModel::VolumeColumn), QStringLiteral("12,345.67"));
    QCOMPARE(cell(model, 1, MarketWatchModel::TradesColumn), QStringLiteral("7"));
    QCOMPARE(cell(model, 1, MarketWatchModel::StatusColumn), QStringLiteral("Halted"));
}

// A replayed book that cannot be trusted shows Stale, in the error colour, until it heals.
void MarketWatchTest::staleReplayShownInStatus()
{
    MarketWatchModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const MarketView view = viewOf({acme()});
    model.applyView(view);
    QCOMPARE(cell(model, 0, MarketWatchModel::StatusColumn), QStringLiteral("Open"));

    MarketView stale = viewOf({acme()});
    stale.replayStale = "gap in update ids at line 9";
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.applyView(stale);
    QCOMPARE(cell(model, 0, MarketWatchModel::StatusColumn), QStringLiteral("Stale"));
    QCOMPARE(
        model.index(0, MarketWatchModel::StatusColumn).data(Qt::ForegroundRole).value<QColor>(),
        bourse::ui::theme::errorColor());
    QVERIFY(!changed.isEmpty());

    model.applyView(view);
    QCOMPARE(cell(model, 0, MarketWatchModel::StatusColumn), QStringLiteral("Open"));
}

void MarketWatchTest::instrumentWithoutTradesBlank()
{
    MarketWatchModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(viewOf({idle()}));

    for (int column : {MarketWatchModel::LastColumn, MarketWatchModel::ChangeColumn,
                       MarketWatchModel::ChangePercentColumn, MarketWatchModel::BidSizeColumn,
                       MarketWatchModel::BidColumn, MarketWatchModel::AskColumn,
                       MarketWatchModel::AskSizeColumn})
        QCOMPARE(cell(model, 0, column), QString());
    QCOMPARE(cell(model, 0, MarketWatchModel::VolumeColumn), QStringLiteral("0"));
    QCOMPARE(cell(model, 0, MarketWatchModel::TradesColumn), QStringLiteral("0"));
    QCOMPARE(cell(model, 0, MarketWatchModel::StatusColumn), QStringLiteral("Pre-open"));
    QCOMPARE(model.index(0, MarketWatchModel::ChangeColumn)
                 .data(MarketWatchModel::DirectionRole)
                 .toInt(),
             0);
}

void MarketWatchTest::changePercentRounding_data()
{
    QTest::addColumn<qint64>("open");
    QTest::addColumn<qint64>("last");
    QTest::addColumn<QString>("change");
    QTest::addColumn<QString>("percent");

    // Percent = (last - open) / open x 100, to two decimals, halves away from zero.
    QTest::newRow("unchanged") << qint64{5000} << qint64{5000} << "0.00"
                               << "0.00%";
    QTest::newRow("up 1.25 of 80: 0.0125 %") << qint64{8000} << qint64{8001} << "+0.01"
                                             << "+0.01%";
    QTest::newRow("up 1 of 200: 0.005 %, a half") << qint64{20000} << qint64{20001} << "+0.01"
                                                  << "+0.01%";
    QTest::newRow("down 1 of 200: -0.005 %, a half") << qint64{20000} << qint64{19999} << "-0.01"
                                                     << "-0.01%";
    QTest::newRow("up 1 of 300: 0.0033 %") << qint64{30000} << qint64{30001} << "+0.01"
                                           << "+0.00%";
    QTest::newRow("doubled") << qint64{12345} << qint64{24690} << "+123.45"
                             << "+100.00%";
    QTest::newRow("down a third: -33.333 %") << qint64{300} << qint64{200} << "-1.00"
                                             << "-33.33%";
}

void MarketWatchTest::changePercentRounding()
{
    QFETCH(qint64, open);
    QFETCH(qint64, last);
    QFETCH(QString, change);
    QFETCH(QString, percent);
    InstrumentQuote quote = acme();
    quote.openPrice = Price{open};
    quote.last = Price{last};
    MarketWatchModel model;
    model.applyView(viewOf({quote}));

    QCOMPARE(cell(model, 0, MarketWatchModel::ChangeColumn), change);
    QCOMPARE(cell(model, 0, MarketWatchModel::ChangePercentColumn), percent);
}

void MarketWatchTest::changeColouredByDirection()
{
    InstrumentQuote flat = idle();
    flat.last = Price{500};
    flat.openPrice = Price{500};
    MarketWatchModel model;
    model.applyView(viewOf({acme(), bond(), flat}));
    const auto colour = [&model](int row, int column) {
        return model.index(row, column).data(Qt::ForegroundRole).value<QColor>();
    };
    const auto direction = [&model](int row) {
        return model.index(row, MarketWatchModel::ChangeColumn)
            .data(MarketWatchModel::DirectionRole)
            .toInt();
    };

    for (int column : {MarketWatchModel::ChangeColumn, MarketWatchModel::ChangePercentColumn}) {
        QCOMPARE(colour(0, column), bourse::ui::theme::buyColor());
        QCOMPARE(colour(1, column), bourse::ui::theme::sellColor());
        QCOMPARE(colour(2, column), bourse::ui::theme::mutedTextColor());
    }
    QCOMPARE(direction(0), 1);
    QCOMPARE(direction(1), -1);
    QCOMPARE(direction(2), 0);
}

void MarketWatchTest::secondViewUpdatesChangedCellsOnly()
{
    MarketWatchModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(viewOf({acme(), bond()}));
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    // ACME trades once more at 101.50: last, change, percent, volume and trades change.
    InstrumentQuote next = acme();
    next.last = Price{10150};
    next.volume = Quantity{12445};
    next.tradeCount = 1235;
    model.applyView(viewOf({next, bond()}));

    QCOMPARE(reset.count(), 0);
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(changed.count(), 2);
    const ChangedCells prices = changedCells(changed.at(0));
    QCOMPARE(prices.row, 0);
    QCOMPARE(prices.firstColumn, int{MarketWatchModel::LastColumn});
    QCOMPARE(prices.lastColumn, int{MarketWatchModel::ChangePercentColumn});
    const ChangedCells counts = changedCells(changed.at(1));
    QCOMPARE(counts.row, 0);
    QCOMPARE(counts.firstColumn, int{MarketWatchModel::VolumeColumn});
    QCOMPARE(counts.lastColumn, int{MarketWatchModel::TradesColumn});
    // 10150 - 10000 = +150 ticks: +1.50, +1.50 %.
    QCOMPARE(cell(model, 0, MarketWatchModel::ChangeColumn), QStringLiteral("+1.50"));
    QCOMPARE(cell(model, 0, MarketWatchModel::ChangePercentColumn), QStringLiteral("+1.50%"));
    QCOMPARE(cell(model, 0, MarketWatchModel::TradesColumn), QStringLiteral("1,235"));
}

void MarketWatchTest::identicalViewEmitsNothing()
{
    MarketWatchModel model;
    model.applyView(viewOf({acme(), bond()}));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy layout(&model, &QAbstractItemModel::layoutChanged);

    model.applyView(viewOf({acme(), bond()}));

    QCOMPARE(changed.count(), 0);
    QCOMPARE(layout.count(), 0);
}

void MarketWatchTest::newInstrumentAppendsOneRow()
{
    MarketWatchModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(viewOf({acme(), bond()}));
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    model.applyView(viewOf({acme(), idle(), bond()}));

    QCOMPARE(reset.count(), 0);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 2);
    QCOMPARE(inserted.at(0).at(2).toInt(), 2);
    QCOMPARE(changed.count(), 0);
    QCOMPARE(cell(model, 2, MarketWatchModel::SymbolColumn), QStringLiteral("IDLE"));
    QCOMPARE(model.rowOf(InstrumentId{3}), 2);
}

void MarketWatchTest::missingInstrumentRemovesRow()
{
    MarketWatchModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(viewOf({acme(), bond(), idle()}));
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);

    model.applyView(viewOf({acme(), idle()}));

    QCOMPARE(removed.count(), 1);
    QCOMPARE(removed.at(0).at(1).toInt(), 1);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.rowOf(InstrumentId{2}), -1);
    QCOMPARE(model.rowOf(InstrumentId{3}), 1);
    QCOMPARE(cell(model, 1, MarketWatchModel::SymbolColumn), QStringLiteral("IDLE"));
}

void MarketWatchTest::sparklineKeepsNewestPoints()
{
    InstrumentQuote quote = acme();
    quote.sparkline.clear();
    for (std::int64_t close = 1; close <= 100; ++close)
        quote.sparkline.push_back(Price{close});
    MarketWatchModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);

    model.applyView(viewOf({quote}));

    const auto closes = model.index(0, MarketWatchModel::SparklineColumn)
                            .data(MarketWatchModel::SparklineRole)
                            .value<QList<qint64>>();
    QCOMPARE(closes.size(), qsizetype{60});
    QCOMPARE(closes.front(), qint64{41});
    QCOMPARE(closes.back(), qint64{100});

    // One more close: only the sparkline cell changes.
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    quote.sparkline.push_back(Price{101});
    model.applyView(viewOf({quote}));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changedCells(changed.at(0)).firstColumn, int{MarketWatchModel::SparklineColumn});
    QCOMPARE(changedCells(changed.at(0)).lastColumn, int{MarketWatchModel::SparklineColumn});
}

void MarketWatchTest::decimalsChangeUpdatesPriceCells()
{
    MarketWatchModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(viewOf({acme()}));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    InstrumentQuote quote = acme();
    quote.priceDecimals = 3;
    model.applyView(viewOf({quote}));

    // Last and change, then bid and ask. The percentage keeps its text.
    QCOMPARE(changed.count(), 2);
    QCOMPARE(changedCells(changed.at(0)).firstColumn, int{MarketWatchModel::LastColumn});
    QCOMPARE(changedCells(changed.at(0)).lastColumn, int{MarketWatchModel::ChangeColumn});
    QCOMPARE(changedCells(changed.at(1)).firstColumn, int{MarketWatchModel::BidColumn});
    QCOMPARE(changedCells(changed.at(1)).lastColumn, int{MarketWatchModel::AskColumn});
    QCOMPARE(cell(model, 0, MarketWatchModel::LastColumn), QStringLiteral("10.125"));
    QCOMPARE(cell(model, 0, MarketWatchModel::ChangeColumn), QStringLiteral("+0.125"));
}

void MarketWatchTest::focusRowMarked()
{
    MarketWatchModel model;
    model.applyView(viewOf({acme(), bond()}, 2));

    QCOMPARE(model.focus(), InstrumentId{2});
    QVERIFY(!model.index(0, 0).data(MarketWatchModel::FocusRole).toBool());
    QVERIFY(model.index(1, 0).data(MarketWatchModel::FocusRole).toBool());
    QVERIFY(!model.index(0, 0).data(Qt::FontRole).isValid());
    QVERIFY(model.index(1, 0).data(Qt::FontRole).value<QFont>().bold());
    QVERIFY(model.index(1, MarketWatchModel::LastColumn).data(Qt::BackgroundRole).isValid());
    QVERIFY(!model.index(0, MarketWatchModel::LastColumn).data(Qt::BackgroundRole).isValid());
}

void MarketWatchTest::focusChangeUpdatesBothRows()
{
    MarketWatchModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(viewOf({acme(), bond(), idle()}, 1));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    model.applyView(viewOf({acme(), bond(), idle()}, 3));

    QCOMPARE(changed.count(), 2);
    const ChangedCells before = changedCells(changed.at(0));
    const ChangedCells after = changedCells(changed.at(1));
    QCOMPARE(before.row, 0);
    QCOMPARE(before.firstColumn, 0);
    QCOMPARE(before.lastColumn, MarketWatchModel::ColumnCount - 1);
    QCOMPARE(after.row, 2);
    const auto roles = changed.at(0).at(2).value<QList<int>>();
    QVERIFY(roles.contains(MarketWatchModel::FocusRole));
    QVERIFY(roles.contains(Qt::FontRole));
    QVERIFY(model.index(2, 0).data(MarketWatchModel::FocusRole).toBool());
}

void MarketWatchTest::sortsByShownValueAcrossDecimals()
{
    MarketWatchModel model;
    model.applyView(viewOf({acme(), bond(), idle()}));
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(MarketWatchModel::SortRole);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);

    // In ticks ACME's 10125 is below BOND's 985000, but 101.25 is above 98.50. IDLE has no
    // last price and sorts first.
    proxy.sort(MarketWatchModel::LastColumn, Qt::AscendingOrder);
    QCOMPARE(cell(proxy, 0, MarketWatchModel::SymbolColumn), QStringLiteral("IDLE"));
    QCOMPARE(cell(proxy, 1, MarketWatchModel::SymbolColumn), QStringLiteral("BOND"));
    QCOMPARE(cell(proxy, 2, MarketWatchModel::SymbolColumn), QStringLiteral("ACME"));

    // In lots BOND's bid size 12345 is above ACME's 300, but 123.45 is below 300.
    proxy.sort(MarketWatchModel::BidSizeColumn, Qt::DescendingOrder);
    QCOMPARE(cell(proxy, 0, MarketWatchModel::SymbolColumn), QStringLiteral("ACME"));
    QCOMPARE(cell(proxy, 1, MarketWatchModel::SymbolColumn), QStringLiteral("BOND"));
    QCOMPARE(cell(proxy, 2, MarketWatchModel::SymbolColumn), QStringLiteral("IDLE"));
}

void MarketWatchTest::clearEmptiesModel()
{
    MarketWatchModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(viewOf({acme(), bond()}, 2));

    model.clear();

    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.focus(), InstrumentId{});
    model.applyView(viewOf({idle()}, 3));
    QCOMPARE(model.rowCount(), 1);
}

void MarketWatchTest::panelNamedForAccessibility()
{
    MarketWatchPanel panel;

    QCOMPARE(panel.objectName(), QStringLiteral("marketWatchPanel"));
    QVERIFY(!panel.accessibleName().isEmpty());
    auto *table = panel.findChild<QTableView *>(QStringLiteral("marketWatchTable"));
    QVERIFY(table);
    QCOMPARE(table, panel.table());
    QVERIFY(!table->accessibleName().isEmpty());
    QVERIFY(table->focusPolicy() & Qt::TabFocus);
    QCOMPARE(panel.focusProxy(), table);
}

void MarketWatchTest::clickOnRowEmitsInstrument()
{
    MarketWatchPanel panel;
    panel.resize(1200, 300);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QAbstractItemModelTester tester(panel.table()->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    panel.showView(shared(viewOf({acme(), bond(), idle()}, 1)));
    QSignalSpy selected(&panel, &MarketWatchPanel::instrumentSelected);

    QTableView *table = panel.table();
    const QRect bondRow = table->visualRect(table->model()->index(1, 0));
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, bondRow.center());

    QCOMPARE(selected.count(), 1);
    QCOMPARE(instrumentOf(selected, 0), InstrumentId{2});

    // A second click on the same row chooses nothing new.
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, bondRow.center());
    QCOMPARE(selected.count(), 1);
}

void MarketWatchTest::arrowKeyEmitsNextInstrument()
{
    MarketWatchPanel panel;
    panel.resize(1200, 300);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.showView(shared(viewOf({acme(), bond(), idle()}, 1)));
    QSignalSpy selected(&panel, &MarketWatchPanel::instrumentSelected);
    panel.setFocus();
    QVERIFY(panel.table()->hasFocus());

    QTest::keyClick(panel.table(), Qt::Key_Down);
    QTest::keyClick(panel.table(), Qt::Key_Down);

    QCOMPARE(selected.count(), 2);
    QCOMPARE(instrumentOf(selected, 0), InstrumentId{2});
    QCOMPARE(instrumentOf(selected, 1), InstrumentId{3});
}

void MarketWatchTest::followingFocusEmitsNothing()
{
    MarketWatchPanel panel;
    panel.showView(shared(viewOf({acme(), bond(), idle()}, 1)));
    QSignalSpy selected(&panel, &MarketWatchPanel::instrumentSelected);

    panel.showView(shared(viewOf({acme(), bond(), idle()}, 3)));

    QCOMPARE(selected.count(), 0);
    const QModelIndexList rows = panel.table()->selectionModel()->selectedRows();
    QCOMPARE(rows.size(), qsizetype{1});
    QCOMPARE(rows.front().row(), 2);

    // Sorted by symbol descending, the selection stays on the focus row.
    panel.table()->sortByColumn(MarketWatchModel::SymbolColumn, Qt::DescendingOrder);
    panel.showView(shared(viewOf({acme(), bond(), idle()}, 2)));
    QCOMPARE(selected.count(), 0);
    const QModelIndex current = panel.table()->selectionModel()->selectedRows().front();
    QCOMPARE(current.data().toString(), QStringLiteral("BOND"));
}

void MarketWatchTest::sizeColumnsHiddenWhenNarrow()
{
    MarketWatchPanel panel;
    panel.resize(1600, 300);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QVERIFY(!panel.table()->isColumnHidden(MarketWatchModel::BidSizeColumn));
    QVERIFY(!panel.table()->isColumnHidden(MarketWatchModel::AskSizeColumn));

    panel.resize(300, 300);
    QTRY_VERIFY(panel.table()->isColumnHidden(MarketWatchModel::BidSizeColumn));
    QVERIFY(panel.table()->isColumnHidden(MarketWatchModel::AskSizeColumn));
    QVERIFY(!panel.table()->isColumnHidden(MarketWatchModel::BidColumn));

    panel.resize(1600, 300);
    QTRY_VERIFY(!panel.table()->isColumnHidden(MarketWatchModel::BidSizeColumn));
}

void MarketWatchTest::sparklinePaintedInTrendColour()
{
    InstrumentQuote rising = acme();
    rising.sparkline = {Price{100}, Price{105}, Price{103}, Price{110}};
    InstrumentQuote falling = bond();
    falling.sparkline = {Price{110}, Price{104}, Price{100}};
    MarketWatchModel model;
    model.applyView(viewOf({rising, falling}));
    SparklineDelegate delegate;

    const auto paint = [&](int row) {
        QImage image(100, 24, QImage::Format_RGB32);
        image.fill(Qt::black);
        QPainter painter(&image);
        QStyleOptionViewItem option;
        option.rect = image.rect();
        delegate.paint(&painter, option, model.index(row, MarketWatchModel::SparklineColumn));
        painter.end();
        return trendPixels(image);
    };

    const auto [risingBuy, risingSell] = paint(0);
    QVERIFY(risingBuy > 50);
    QCOMPARE(risingSell, 0);
    const auto [fallingBuy, fallingSell] = paint(1);
    QCOMPARE(fallingBuy, 0);
    QVERIFY(fallingSell > 50);
}

QTEST_MAIN(MarketWatchTest)
#include "tst_market_watch.moc"

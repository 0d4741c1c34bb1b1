#include "time_and_sales_filter.h"
#include "time_and_sales_model.h"
#include "time_and_sales_panel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QColor>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTest>

#include <memory>

using bourse::InstrumentId;
using bourse::MarketView;
using bourse::Price;
using bourse::Quantity;
using bourse::SequenceNumber;
using bourse::Side;
using bourse::Timestamp;
using bourse::TradePrint;
using bourse::ui::TimeAndSalesFilter;
using bourse::ui::TimeAndSalesModel;
using bourse::ui::TimeAndSalesPanel;

namespace {

constexpr std::int64_t marketOpen = 34'200'000'000'000; // 09:30:00 in nanoseconds

// Trade n has sequence 10 n, happens n milliseconds after the open, has size `size` and is a
// buy when n is even.
TradePrint print(int n, std::int64_t size)
{
    return TradePrint{static_cast<SequenceNumber>(10 * n),
                      Timestamp{marketOpen + std::int64_t{n} * 1'000'000}, Price{10000 + n},
                      Quantity{size}, n % 2 == 0 ? Side::Buy : Side::Sell};
}

std::shared_ptr<const MarketView> viewOf(std::uint32_t instrument, const std::string &symbol,
                                         std::vector<TradePrint> trades, int quantityDecimals = 0)
{
    auto view = std::make_shared<MarketView>();
    view->instrument = InstrumentId{instrument};
    view->symbol = symbol;
    view->priceDecimals = 2;
    view->quantityDecimals = quantityDecimals;
    view->lastSequence = trades.empty() ? 0 : trades.back().sequence;
    view->totalTrades = trades.size();
    view->recentTrades = std::move(trades);
    return view;
}

// Five prints of sizes 1 to 5, the newest (size 5) on top.
std::vector<TradePrint> fivePrints()
{
    return {print(1, 1), print(2, 2), print(3, 3), print(4, 4), print(5, 5)};
}

QSpinBox *minimumSizeBox(const TimeAndSalesPanel &panel)
{
    return panel.findChild<QSpinBox *>(QStringLiteral("tapeMinimumSize"));
}

QString labelText(const TimeAndSalesPanel &panel, const char *name)
{
    const auto *label = panel.findChild<QLabel *>(QString::fromLatin1(name));
    return label ? label->text() : QStringLiteral("<no label %1>").arg(QLatin1String(name));
}

QStringList shownSizes(const TimeAndSalesPanel &panel)
{
    const QAbstractItemModel *model = panel.table()->model();
    QStringList sizes;
    for (int row = 0; row < model->rowCount(); ++row)
        sizes << model->index(row, TimeAndSalesModel::SizeColumn).data().toString();
    return sizes;
}

} // namespace

class TimeAndSalesPanelTest : public QObject {
    Q_OBJECT

private slots:
    void panelNamedAndReachable();
    void viewFillsTapeUnderTitle();
    void minimumSizeHidesSmallPrints();
    void filterAppliesToNewPrints();
    void zeroMinimumShowsAll();
    void spinBoxShowsQuantityDecimals();
    void typedMinimumSizeParsed();
    void focusChangeStartsTapeOver();
    void rowsColouredByAggressor();
    void tapeBoundedAtDefaultRows();
    void clearBlanksTape();
};

void TimeAndSalesPanelTest::panelNamedAndReachable()
{
    TimeAndSalesPanel panel;

    QCOMPARE(panel.objectName(), QStringLiteral("timeAndSalesPanel"));
    QVERIFY(!panel.accessibleName().isEmpty());
    QSpinBox *minimum = minimumSizeBox(panel);
    QVERIFY(minimum);
    QVERIFY(!minimum->accessibleName().isEmpty());
    QVERIFY(minimum->focusPolicy() & Qt::TabFocus);
    QCOMPARE(panel.findChild<QTableView *>(QStringLiteral("tapeTable")), panel.table());
    QVERIFY(!panel.table()->accessibleName().isEmpty());
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    minimum->setFocus();
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
    QVERIFY(panel.table()->hasFocus());
    QCOMPARE(panel.focusProxy(), panel.table());
    const auto *label = panel.findChild<QLabel *>(QStringLiteral("tapeMinimumSizeLabel"));
    QVERIFY(label);
    QCOMPARE(label->buddy(), minimum);
    QCOMPARE(labelText(panel, "tapeTitle"), QStringLiteral("No instrument"));
}

void TimeAndSalesPanelTest::viewFillsTapeUnderTitle()
{
    TimeAndSalesPanel panel;
    QAbstractItemModelTester tester(panel.table()->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);

    panel.showView(viewOf(1, "ACME", fivePrints()));

    QCOMPARE(labelText(panel, "tapeTitle"), QStringLiteral("ACME"));
    QCOMPARE(labelText(panel, "tapeCount"), QStringLiteral("5 prints"));
    QCOMPARE(shownSizes(panel), (QStringList{"5", "4", "3", "2", "1"}));
    const QAbstractItemModel *model = panel.table()->model();
    QCOMPARE(model->index(0, TimeAndSalesModel::TimeColumn).data().toString(),
             QStringLiteral("09:30:00.005"));
    QCOMPARE(model->index(0, TimeAndSalesModel::PriceColumn).data().toString(),
             QStringLiteral("100.05"));
    QCOMPARE(model->index(0, TimeAndSalesModel::SideColumn).data().toString(),
             QStringLiteral("Sell"));
}

void TimeAndSalesPanelTest::minimumSizeHidesSmallPrints()
{
    TimeAndSalesPanel panel;
    QAbstractItemModelTester tester(panel.table()->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    panel.showView(viewOf(1, "ACME", fivePrints()));

    minimumSizeBox(panel)->setValue(3);

    QCOMPARE(panel.minimumQuantity(), Quantity{3});
    QCOMPARE(panel.filter()->minimumQuantity(), Quantity{3});
    QCOMPARE(shownSizes(panel), (QStringList{"5", "4", "3"}));
    QCOMPARE(labelText(panel, "tapeCount"), QStringLiteral("3 of 5 prints"));
    // The tape behind the filter keeps every print.
    QCOMPARE(panel.model()->rowCount(), 5);
}

void TimeAndSalesPanelTest::filterAppliesToNewPrints()
{
    TimeAndSalesPanel panel;
    QAbstractItemModelTester tester(panel.table()->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    panel.showView(viewOf(1, "ACME", fivePrints()));
    panel.setMinimumQuantity(Quantity{4});
    QSignalSpy inserted(panel.table()->model(), &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(panel.table()->model(), &QAbstractItemModel::modelReset);

    panel.showView(viewOf(1, "ACME", {print(5, 5), print(6, 2), print(7, 7), print(8, 4)}));

    QCOMPARE(reset.count(), 0);
    QCOMPARE(shownSizes(panel), (QStringList{"4", "7", "5", "4"}));
    QCOMPARE(labelText(panel, "tapeCount"), QStringLiteral("4 of 8 prints"));
    QVERIFY(inserted.count() >= 1);
}

void TimeAndSalesPanelTest::zeroMinimumShowsAll()
{
    TimeAndSalesPanel panel;
    panel.showView(viewOf(1, "ACME", fivePrints()));
    panel.setMinimumQuantity(Quantity{5});
    QCOMPARE(shownSizes(panel), (QStringList{"5"}));

    panel.setMinimumQuantity(Quantity{0});

    QCOMPARE(shownSizes(panel).size(), qsizetype{5});
    QCOMPARE(minimumSizeBox(panel)->text(), QStringLiteral("All"));
    QCOMPARE(labelText(panel, "tapeCount"), QStringLiteral("5 prints"));
}

void TimeAndSalesPanelTest::spinBoxShowsQuantityDecimals()
{
    TimeAndSalesPanel panel;
    // Sizes in hundredths: 150 lots show as 1.50, 1234567 lots as 12,345.67.
    panel.showView(viewOf(1, "BOND", {print(1, 150), print(2, 1234567), print(3, 99)}, 2));

    panel.setMinimumQuantity(Quantity{150});

    QCOMPARE(minimumSizeBox(panel)->text(), QStringLiteral("1.50"));
    QCOMPARE(shownSizes(panel), (QStringList{"12,345.67", "1.50"}));

    // The same 150 lots under a whole-lot instrument.
    panel.showView(viewOf(2, "ACME", {print(4, 150)}, 0));
    QCOMPARE(minimumSizeBox(panel)->text(), QStringLiteral("150"));
}

void TimeAndSalesPanelTest::typedMinimumSizeParsed()
{
    TimeAndSalesPanel panel;
    panel.showView(viewOf(1, "BOND", {print(1, 200), print(2, 225), print(3, 300)}, 2));
    QSpinBox *minimum = minimumSizeBox(panel);
    auto *editor = minimum->findChild<QLineEdit *>();
    QVERIFY(editor);

    editor->selectAll();
    QTest::keyClicks(editor, QStringLiteral("2.25"));
    QTest::keyClick(editor, Qt::Key_Return);

    QCOMPARE(minimum->value(), 225);
    QCOMPARE(shownSizes(panel), (QStringList{"3.00", "2.25"}));

    // Letters and a third decimal are rejected as typed.
    editor->selectAll();
    QTest::keyClicks(editor, QStringLiteral("1x.234"));
    QCOMPARE(editor->text(), QStringLiteral("1.23"));
}

void TimeAndSalesPanelTest::focusChangeStartsTapeOver()
{
    TimeAndSalesPanel panel;
    QAbstractItemModelTester tester(panel.table()->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    panel.showView(viewOf(1, "ACME", fivePrints()));
    QSignalSpy reset(panel.model(), &QAbstractItemModel::modelReset);

    panel.showView(viewOf(2, "BOND", {print(6, 60), print(7, 70)}));

    QCOMPARE(reset.count(), 1);
    QCOMPARE(labelText(panel, "tapeTitle"), QStringLiteral("BOND"));
    QCOMPARE(shownSizes(panel), (QStringList{"70", "60"}));
    QCOMPARE(panel.model()->instrument(), std::optional<InstrumentId>{InstrumentId{2}});
}

void TimeAndSalesPanelTest::rowsColouredByAggressor()
{
    TimeAndSalesPanel panel;
    panel.showView(viewOf(1, "ACME", {print(1, 10), print(2, 20), print(4, 40)}));
    const QAbstractItemModel *model = panel.table()->model();
    const auto background = [model](int row, int column) {
        return model->index(row, column).data(Qt::BackgroundRole).value<QColor>();
    };

    // Rows: 0 is print 4 (buy), 1 is print 2 (buy), 2 is print 1 (sell).
    for (int column = 0; column < TimeAndSalesModel::ColumnCount; ++column) {
        QCOMPARE(background(0, column), background(1, column));
        QVERIFY(background(0, column) != background(2, column));
        QCOMPARE(background(0, column), background(0, TimeAndSalesModel::TimeColumn));
    }
}

void TimeAndSalesPanelTest::tapeBoundedAtDefaultRows()
{
    TimeAndSalesPanel panel;
    std::vector<TradePrint> trades;
    for (int n = 1; n <= 1200; ++n)
        trades.push_back(print(n, n));

    panel.showView(viewOf(1, "ACME", trades));

    QCOMPARE(std::size_t(panel.model()->rowCount()), TimeAndSalesPanel::kDefaultMaxRows);
    QCOMPARE(panel.table()->model()->rowCount(), 1000);
    QCOMPARE(shownSizes(panel).back(), QStringLiteral("201"));
}

void TimeAndSalesPanelTest::clearBlanksTape()
{
    TimeAndSalesPanel panel;
    panel.showView(viewOf(1, "ACME", fivePrints()));
    panel.setMinimumQuantity(Quantity{2});

    panel.clear();

    QCOMPARE(panel.table()->model()->rowCount(), 0);
    QCOMPARE(labelText(panel, "tapeTitle"), QStringLiteral("No instrument"));
    QCOMPARE(labelText(panel, "tapeCount"), QStringLiteral("0 prints"));
    QCOMPARE(panel.minimumQuantity(), Quantity{2});

    // The same instrument again after a clear: a tape from scratch, titled again.
    panel.showView(viewOf(1, "ACME", {print(1, 1), print(2, 2)}));
    QCOMPARE(labelText(panel, "tapeTitle"), QStringLiteral("ACME"));
    QCOMPARE(shownSizes(panel), (QStringList{"2"}));
}

QTEST_MAIN(TimeAndSalesPanelTest)
#include "tst_time_and_sales_panel.moc"

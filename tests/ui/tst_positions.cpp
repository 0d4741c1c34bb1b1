#include "engine_printers.h"
#include "portfolio.h"
#include "positions_model.h"
#include "positions_panel.h"
#include "theme.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QColor>
#include <QFont>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include <memory>

using bourse::AccountId;
using bourse::AveragePrice;
using bourse::InstrumentId;
using bourse::InstrumentQuote;
using bourse::MarketView;
using bourse::Money;
using bourse::OwnPosition;
using bourse::Price;
using bourse::Quantity;
using bourse::ui::PositionsModel;
using bourse::ui::PositionsPanel;

namespace {

InstrumentQuote quote(std::uint32_t id, const char *symbol, int priceDecimals, int quantityDecimals)
{
    InstrumentQuote row;
    row.instrument = InstrumentId{id};
    row.symbol = symbol;
    row.priceDecimals = priceDecimals;
    row.quantityDecimals = quantityDecimals;
    return row;
}

OwnPosition position(std::uint32_t account, std::uint32_t instrument, std::int64_t quantity,
                     AveragePrice average, std::int64_t mark, std::int64_t realized,
                     std::int64_t unrealized, std::int64_t fees)
{
    OwnPosition row;
    row.account = AccountId{account};
    row.instrument = InstrumentId{instrument};
    row.currency = "USD";
    row.moneyDecimals = 2;
    row.quantity = Quantity{quantity};
    row.average = average;
    row.mark = Price{mark};
    row.realized = Money{realized};
    row.unrealized = Money{unrealized};
    row.fees = Money{fees};
    return row;
}

// Account 7 is long 30 XYZ, bought 10 at 1.00 and 20 at 1.01: 3 020 hundredths over 30 lots is
// an average of 302/3 = 100.666... price units, which shows as 1.0067. Marked at 1.02 that is
// (102 * 30 - 3 020) / 100 = 0.40 unrealized. It realized 15.00 earlier and paid 1.20 in fees:
// net 15.00 + 0.40 - 1.20 = 14.20.
//
// It is short 1.50 ABC at an average of 46 352 003/8 = 5 794 000.375 units (579.4000375), which
// shows as 579.400038 (half to even, up from an odd digit). It realized -3.00, has 0.15
// unrealized and paid 0.30 in fees: net -3.00 + 0.15 - 0.30 = -3.15.
//
// Account 7's totals: realized 12.00, unrealized 0.55, fees 1.50, net 11.05, which is also
// 14.20 - 3.15. Account 8 is flat in XYZ after a loss of 0.25 and fees of 0.01 (net -0.26).
std::shared_ptr<MarketView> sampleView()
{
    auto view = std::make_shared<MarketView>();
    view->instruments = {quote(1, "XYZ", 2, 0), quote(2, "ABC", 4, 2)};
    view->trader.accounts = {AccountId{7}, AccountId{8}};
    view->trader.positions = {
        position(8, 1, 0, AveragePrice{}, 102, -25, 0, 1),
        position(7, 2, -150, AveragePrice{46'352'003, 8}, 5'793'000, -300, 15, 30),
        position(7, 1, 30, AveragePrice{302, 3}, 102, 1'500, 40, 120)};
    return view;
}

QString cell(const QAbstractItemModel &model, int row, int column)
{
    return model.index(row, column).data().toString();
}

QColor foreground(const QAbstractItemModel &model, int row, int column)
{
    return model.index(row, column).data(Qt::ForegroundRole).value<QColor>();
}

} // namespace

class PositionsTest : public QObject {
    Q_OBJECT

private slots:
    void averagePriceRoundsHalfToEven_data();
    void averagePriceRoundsHalfToEven();
    void rowsGroupedByAccountWithTotals();
    void totalsSumAccountAmounts();
    void profitAndLossColours();
    void secondViewUpdatesInPlace();
    void hidingFlatKeepsTotals();
    void mixedCurrenciesShowNoTotal();
    void panelSelectsInstrument();
};

void PositionsTest::averagePriceRoundsHalfToEven_data()
{
    QTest::addColumn<qint64>("numerator");
    QTest::addColumn<qint64>("denominator");
    QTest::addColumn<qint64>("quantity");
    QTest::addColumn<int>("priceDecimals");
    QTest::addColumn<QString>("text");

    // 302/3 = 100.666...: two more digits round the third one, 6, up.
    QTest::newRow("thirds, two decimals")
        << qint64{302} << qint64{3} << qint64{30} << 2 << "1.0067";
    QTest::newRow("thirds, no decimals") << qint64{302} << qint64{3} << qint64{30} << 0 << "100.67";
    // 5 794 000.125 and .375 units: the digit after the last shown one is exactly half.
    QTest::newRow("half down to even")
        << qint64{46'352'001} << qint64{8} << qint64{-150} << 4 << "579.400012";
    QTest::newRow("half up to even")
        << qint64{46'352'003} << qint64{8} << qint64{-150} << 4 << "579.400038";
    QTest::newRow("below one tick") << qint64{1} << qint64{3} << qint64{5} << 2 << "0.0033";
    QTest::newRow("whole") << qint64{10'000} << qint64{1} << qint64{5} << 2 << "100.0000";
    QTest::newRow("flat") << qint64{0} << qint64{1} << qint64{0} << 2 << "";
}

void PositionsTest::averagePriceRoundsHalfToEven()
{
    QFETCH(qint64, numerator);
    QFETCH(qint64, denominator);
    QFETCH(qint64, quantity);
    QFETCH(int, priceDecimals);
    QFETCH(QString, text);

    const AveragePrice average{numerator, denominator};
    QCOMPARE(bourse::ui::formatAveragePrice(average, Quantity{quantity}, priceDecimals, 2), text);
}

void PositionsTest::rowsGroupedByAccountWithTotals()
{
    PositionsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.showView(*sampleView());

    QCOMPARE(model.rowCount(), 5);
    const QStringList accounts{"7", "7", "7", "8", "8"};
    const QStringList instruments{"XYZ", "ABC", "Total", "XYZ", "Total"};
    for (int row = 0; row < model.rowCount(); ++row) {
        QCOMPARE(cell(model, row, PositionsModel::AccountColumn), accounts[row]);
        QCOMPARE(cell(model, row, PositionsModel::InstrumentColumn), instruments[row]);
    }
    QCOMPARE(model.index(2, 0).data(PositionsModel::TotalRowRole).toBool(), true);
    QCOMPARE(model.index(1, 0).data(PositionsModel::TotalRowRole).toBool(), false);
    QVERIFY(model.index(2, 0).data(Qt::FontRole).value<QFont>().bold());

    QCOMPARE(cell(model, 0, PositionsModel::QuantityColumn), QStringLiteral("30"));
    QCOMPARE(cell(model, 0, PositionsModel::AverageColumn), QStringLiteral("1.0067"));
    QCOMPARE(cell(model, 0, PositionsModel::MarkColumn), QStringLiteral("1.02"));
    QCOMPARE(cell(model, 0, PositionsModel::RealizedColumn), QStringLiteral("15.00"));
    QCOMPARE(cell(model, 0, PositionsModel::UnrealizedColumn), QStringLiteral("0.40"));
    QCOMPARE(cell(model, 0, PositionsModel::FeesColumn), QStringLiteral("1.20"));
    QCOMPARE(cell(model, 0, PositionsModel::NetColumn), QStringLiteral("14.20"));
    QCOMPARE(cell(model, 0, PositionsModel::CurrencyColumn), QStringLiteral("USD"));

    QCOMPARE(cell(model, 1, PositionsModel::QuantityColumn), QStringLiteral("-1.50"));
    QCOMPARE(cell(model, 1, PositionsModel::AverageColumn), QStringLiteral("579.400038"));
    QCOMPARE(cell(model, 1, PositionsModel::MarkColumn), QStringLiteral("579.3000"));
    QCOMPARE(cell(model, 1, PositionsModel::NetColumn), QStringLiteral("-3.15"));

    // A flat position has no average.
    QCOMPARE(cell(model, 3, PositionsModel::QuantityColumn), QStringLiteral("0"));
    QCOMPARE(cell(model, 3, PositionsModel::AverageColumn), QString());
}

void PositionsTest::totalsSumAccountAmounts()
{
    PositionsModel model;
    model.showView(*sampleView());

    QCOMPARE(cell(model, 2, PositionsModel::QuantityColumn), QString());
    QCOMPARE(cell(model, 2, PositionsModel::AverageColumn), QString());
    QCOMPARE(cell(model, 2, PositionsModel::RealizedColumn), QStringLiteral("12.00"));
    QCOMPARE(cell(model, 2, PositionsModel::UnrealizedColumn), QStringLiteral("0.55"));
    QCOMPARE(cell(model, 2, PositionsModel::FeesColumn), QStringLiteral("1.50"));
    QCOMPARE(cell(model, 2, PositionsModel::NetColumn), QStringLiteral("11.05"));
    QCOMPARE(cell(model, 2, PositionsModel::CurrencyColumn), QStringLiteral("USD"));

    QCOMPARE(cell(model, 4, PositionsModel::RealizedColumn), QStringLiteral("-0.25"));
    QCOMPARE(cell(model, 4, PositionsModel::FeesColumn), QStringLiteral("0.01"));
    QCOMPARE(cell(model, 4, PositionsModel::NetColumn), QStringLiteral("-0.26"));
}

void PositionsTest::profitAndLossColours()
{
    PositionsModel model;
    model.showView(*sampleView());
    const QColor profit = bourse::ui::theme::buyColor();
    const QColor loss = bourse::ui::theme::sellColor();

    QCOMPARE(foreground(model, 0, PositionsModel::QuantityColumn), profit);
    QCOMPARE(foreground(model, 1, PositionsModel::QuantityColumn), loss);
    QCOMPARE(foreground(model, 0, PositionsModel::RealizedColumn), profit);
    QCOMPARE(foreground(model, 1, PositionsModel::RealizedColumn), loss);
    QCOMPARE(foreground(model, 1, PositionsModel::UnrealizedColumn), profit);
    QCOMPARE(foreground(model, 1, PositionsModel::NetColumn), loss);
    QCOMPARE(foreground(model, 2, PositionsModel::NetColumn), profit);
    QCOMPARE(foreground(model, 4, PositionsModel::NetColumn), loss);
    // Zero is neither.
    QVERIFY(!model.index(3, PositionsModel::UnrealizedColumn).data(Qt::ForegroundRole).isValid());
    QVERIFY(!model.index(3, PositionsModel::QuantityColumn).data(Qt::ForegroundRole).isValid());
}

void PositionsTest::secondViewUpdatesInPlace()
{
    PositionsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto view = sampleView();
    model.showView(*view);
    QSignalSpy resets(&model, &QAbstractItemModel::modelAboutToBeReset);
    QSignalSpy inserts(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removes(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);

    model.showView(*std::make_shared<MarketView>(*view));
    QCOMPARE(changes.count(), 0);

    // XYZ marks at 1.03: account 7's position gains 0.30 unrealized.
    auto next = std::make_shared<MarketView>(*view);
    OwnPosition &xyz = next->trader.positions[2];
    xyz.mark = Price{103};
    xyz.unrealized = Money{70};
    model.showView(*next);

    QCOMPARE(resets.count(), 0);
    QCOMPARE(inserts.count(), 0);
    QCOMPARE(removes.count(), 0);
    QCOMPARE(changes.count(), 2);
    const auto first = changes.at(0);
    QCOMPARE(first.at(0).value<QModelIndex>().row(), 0);
    QCOMPARE(first.at(0).value<QModelIndex>().column(), int(PositionsModel::MarkColumn));
    QCOMPARE(first.at(1).value<QModelIndex>().column(), int(PositionsModel::NetColumn));
    const auto total = changes.at(1);
    QCOMPARE(total.at(0).value<QModelIndex>().row(), 2);
    QCOMPARE(total.at(0).value<QModelIndex>().column(), int(PositionsModel::UnrealizedColumn));
    QCOMPARE(total.at(1).value<QModelIndex>().column(), int(PositionsModel::NetColumn));
    QCOMPARE(cell(model, 2, PositionsModel::UnrealizedColumn), QStringLiteral("0.85"));
    QCOMPARE(cell(model, 2, PositionsModel::NetColumn), QStringLiteral("11.35"));

    // A first trade in a new instrument inserts its row before the account's total.
    next = std::make_shared<MarketView>(*next);
    next->instruments.push_back(quote(3, "DEF", 2, 0));
    next->trader.positions.push_back(position(7, 3, 5, AveragePrice{500, 1}, 500, 0, 0, 5));
    model.showView(*next);
    QCOMPARE(resets.count(), 0);
    QCOMPARE(inserts.count(), 1);
    QCOMPARE(inserts.front().at(1).toInt(), 2);
    QCOMPARE(cell(model, 2, PositionsModel::InstrumentColumn), QStringLiteral("DEF"));
    QCOMPARE(cell(model, 3, PositionsModel::FeesColumn), QStringLiteral("1.55"));
}

void PositionsTest::hidingFlatKeepsTotals()
{
    PositionsPanel panel;
    QAbstractItemModelTester tester(panel.model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    panel.showView(sampleView());
    QCOMPARE(panel.model()->rowCount(), 5);

    panel.findChild<QCheckBox *>(QStringLiteral("positionsShowFlat"))->setChecked(false);
    QCOMPARE(panel.model()->rowCount(), 4);
    QCOMPARE(cell(*panel.model(), 3, PositionsModel::AccountColumn), QStringLiteral("8"));
    QCOMPARE(cell(*panel.model(), 3, PositionsModel::InstrumentColumn), QStringLiteral("Total"));
    QCOMPARE(cell(*panel.model(), 3, PositionsModel::NetColumn), QStringLiteral("-0.26"));

    panel.clear();
    QCOMPARE(panel.model()->rowCount(), 0);
}

void PositionsTest::mixedCurrenciesShowNoTotal()
{
    auto view = sampleView();
    view->trader.positions[1].currency = "EUR";
    PositionsModel model;
    model.showView(*view);

    QCOMPARE(cell(model, 2, PositionsModel::InstrumentColumn), QStringLiteral("Total"));
    QCOMPARE(cell(model, 2, PositionsModel::RealizedColumn), QString());
    QCOMPARE(cell(model, 2, PositionsModel::NetColumn), QString());
    QCOMPARE(model.index(2, PositionsModel::NetColumn).data(Qt::ToolTipRole).toString(),
             QStringLiteral("The positions are in more than one currency."));
}

void PositionsTest::panelSelectsInstrument()
{
    PositionsPanel panel;
    panel.showView(sampleView());
    panel.resize(1000, 300);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QSignalSpy selected(&panel, &PositionsPanel::instrumentSelected);

    QTableView *table = panel.table();
    const QPoint abc = table->visualRect(panel.model()->index(1, 1)).center();
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, abc);
    QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, abc);
    QCOMPARE(selected.count(), 1);
    QCOMPARE(selected.front().at(0).value<InstrumentId>(), InstrumentId{2});

    // A totals row has no instrument.
    const QPoint total = table->visualRect(panel.model()->index(2, 1)).center();
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, total);
    QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, total);
    QCOMPARE(selected.count(), 1);
}

QTEST_MAIN(PositionsTest)
#include "tst_positions.moc"

#include "accounts_model.h"
#include "accounts_panel.h"
#include "theme.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QTabBar>
#include <QTest>

using bourse::AccountId;
using bourse::InstrumentId;
using bourse::OrderId;
using bourse::Price;
using bourse::Quantity;
using bourse::Side;
using bourse::Timestamp;
using bourse::ui::AccountFill;
using bourse::ui::AccountOrder;
using bourse::ui::AccountPosition;
using bourse::ui::AccountsModel;
using bourse::ui::AccountsPanel;
using bourse::ui::AccountsView;

namespace {

// 09:30:00.250 after midnight, as replayed days count time.
constexpr std::int64_t kTime = 34'200'250'000'000;

AccountOrder order(std::uint64_t id, Side side, std::int64_t price, std::int64_t quantity,
                   std::int64_t filled)
{
    AccountOrder row;
    row.entrySequence = id * 10;
    row.time = Timestamp{kTime};
    row.order = OrderId{id};
    row.account = AccountId{7};
    row.side = side;
    row.type = "Limit";
    row.timeInForce = "Gtc";
    row.limitPrice = Price{price};
    row.quantity = Quantity{quantity};
    row.filled = Quantity{filled};
    row.remaining = Quantity{quantity - filled};
    row.state = filled > 0 ? "PartiallyFilled" : "Resting";
    return row;
}

// Account 7 bought 10 lots at 1.00 and 20 at 1.01 (prices in cents), so it has 30 lots that
// cost 3,020 cents: 1.006666... a lot, shown with two extra decimals as 1.0067. Account 8 sold
// the same and realized a loss of 0.35 on an earlier round trip.
AccountsView sampleView()
{
    AccountsView view;
    view.asOf = 120;
    view.priceDecimals = 2;
    view.workingOrders = {order(12, Side::Sell, 10150, 5, 2), order(11, Side::Buy, 9990, 40, 0)};
    AccountOrder rejected = order(9, Side::Buy, 5, 1000, 0);
    rejected.state = "Rejected";
    rejected.reason = "PriceOutsideBand";
    view.finishedOrders = {rejected};
    view.fills = {AccountFill{101, Timestamp{kTime}, OrderId{11}, AccountId{7}, Side::Buy,
                              Price{101}, Quantity{20}, true},
                  AccountFill{100, Timestamp{kTime}, OrderId{10}, AccountId{7}, Side::Buy,
                              Price{100}, Quantity{10}, false}};
    view.positions = {AccountPosition{AccountId{7}, InstrumentId{1}, 30, 3020, 0, 2},
                      AccountPosition{AccountId{8}, InstrumentId{1}, -30, -3020, -35, 3}};
    return view;
}

QString cell(const AccountsModel &model, int row, int column)
{
    return model.index(row, column).data().toString();
}

} // namespace

class AccountsModelTest : public QObject {
    Q_OBJECT

private slots:
    void workingOrdersShowOpenQuantity();
    void finishedOrdersShowReason();
    void fillsShowLiquidityAndSideColour();
    void positionsShowAveragePriceAndLossColour();
    void sameViewTwiceChangesNothing();
    void panelTitlesCountRowsAndShowError();
};

void AccountsModelTest::workingOrdersShowOpenQuantity()
{
    AccountsModel model(AccountsModel::Table::WorkingOrders);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(sampleView());
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.columnCount(), 12);
    QCOMPARE(cell(model, 0, 0), QStringLiteral("09:30:00.250"));
    QCOMPARE(cell(model, 0, 1), QStringLiteral("12"));
    QCOMPARE(cell(model, 0, 3), QStringLiteral("Sell"));
    QCOMPARE(cell(model, 0, 6), QStringLiteral("101.50"));
    QCOMPARE(cell(model, 0, 7), QString());
    QCOMPARE(cell(model, 0, 8), QStringLiteral("5"));
    QCOMPARE(cell(model, 0, 9), QStringLiteral("2"));
    QCOMPARE(cell(model, 0, 10), QStringLiteral("3"));
    QCOMPARE(cell(model, 0, 11), QStringLiteral("PartiallyFilled"));
    QCOMPARE(cell(model, 1, 6), QStringLiteral("99.90"));
    QCOMPARE(model.headerData(10, Qt::Horizontal).toString(), QStringLiteral("Open"));
}

void AccountsModelTest::finishedOrdersShowReason()
{
    AccountsModel model(AccountsModel::Table::FinishedOrders);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(sampleView());
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(cell(model, 0, 6), QStringLiteral("0.05"));
    QCOMPARE(cell(model, 0, 10), QStringLiteral("Rejected"));
    QCOMPARE(cell(model, 0, 11), QStringLiteral("PriceOutsideBand"));
}

void AccountsModelTest::fillsShowLiquidityAndSideColour()
{
    AccountsModel model(AccountsModel::Table::Fills);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(sampleView());
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(cell(model, 0, 1), QStringLiteral("101"));
    QCOMPARE(cell(model, 0, 5), QStringLiteral("1.01"));
    QCOMPARE(cell(model, 0, 6), QStringLiteral("20"));
    QCOMPARE(cell(model, 0, 7), QStringLiteral("maker"));
    QCOMPARE(cell(model, 1, 7), QStringLiteral("taker"));
    QCOMPARE(model.index(0, 4).data(Qt::ForegroundRole).value<QColor>(),
             bourse::ui::theme::buyColor());
    QVERIFY(!model.index(0, 5).data(Qt::ForegroundRole).isValid());
}

void AccountsModelTest::positionsShowAveragePriceAndLossColour()
{
    AccountsModel model(AccountsModel::Table::Positions);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyView(sampleView());
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(cell(model, 0, 2), QStringLiteral("30"));
    QCOMPARE(cell(model, 0, 3), QStringLiteral("1.0067"));
    QCOMPARE(cell(model, 0, 4), QStringLiteral("0.00"));
    QCOMPARE(cell(model, 1, 2), QStringLiteral("-30"));
    QCOMPARE(cell(model, 1, 3), QStringLiteral("1.0067"));
    QCOMPARE(cell(model, 1, 4), QStringLiteral("-0.35"));
    QCOMPARE(model.index(1, 4).data(Qt::ForegroundRole).value<QColor>(),
             bourse::ui::theme::sellColor());
    QVERIFY(!model.index(0, 4).data(Qt::ForegroundRole).isValid());
}

void AccountsModelTest::sameViewTwiceChangesNothing()
{
    AccountsModel model(AccountsModel::Table::Fills);
    model.applyView(sampleView());
    int resets = 0;
    connect(&model, &QAbstractItemModel::modelReset, this, [&resets] { ++resets; });
    model.applyView(sampleView());
    QCOMPARE(resets, 0);
    AccountsView later = sampleView();
    later.asOf = 121;
    later.fills.pop_back();
    model.applyView(later);
    QCOMPARE(resets, 1);
    QCOMPARE(model.rowCount(), 1);
}

void AccountsModelTest::panelTitlesCountRowsAndShowError()
{
    AccountsPanel panel;
    auto view = std::make_shared<AccountsView>(sampleView());
    view->error = "views.sqlite: database is locked";
    panel.setSource([view] { return view; });
    QCOMPARE(panel.tabText(0), QStringLiteral("Working (2)"));
    QCOMPARE(panel.tabText(1), QStringLiteral("Finished (1)"));
    QCOMPARE(panel.tabText(2), QStringLiteral("Fills (2)"));
    QCOMPARE(panel.tabText(3), QStringLiteral("Positions (2)"));
    QCOMPARE(panel.errorText(), QStringLiteral("views.sqlite: database is locked"));
    QCOMPARE(panel.model(3)->rowCount(), 2);

    panel.setSource({});
    QCOMPARE(panel.tabText(0), QStringLiteral("Working (0)"));
    QCOMPARE(panel.model(0)->rowCount(), 0);
    QVERIFY(panel.errorText().isEmpty());
}

QTEST_MAIN(AccountsModelTest)
#include "tst_accounts_model.moc"

#include "blotter_model.h"
#include "positions_model.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace bourse;
using bourse::ui::BlotterFillsModel;
using bourse::ui::BlotterOrdersModel;
using bourse::ui::PositionsModel;

namespace {

// One working order, one fill and one position of account 1 in GOOG, simulated or not.
MarketView tradedView(bool simulated)
{
    MarketView view;
    InstrumentQuote quote;
    quote.instrument = InstrumentId{1};
    quote.symbol = "GOOG";
    quote.priceDecimals = 4;
    view.instruments = {quote};
    view.trader.accounts = {AccountId{1}};

    OwnOrder order;
    order.id = OrderId{3};
    order.account = AccountId{1};
    order.instrument = InstrumentId{1};
    order.limit = Price{5'789'300};
    order.quantity = Quantity{100};
    order.remaining = Quantity{100};
    order.simulated = simulated;
    view.trader.workingOrders = {order};

    OwnFill fill;
    fill.tradeSequence = 7;
    fill.order = OrderId{2};
    fill.account = AccountId{1};
    fill.instrument = InstrumentId{1};
    fill.side = Side::Sell;
    fill.price = Price{5'790'000};
    fill.quantity = Quantity{41};
    fill.simulated = simulated;
    view.trader.fills = {fill};

    OwnPosition position;
    position.account = AccountId{1};
    position.instrument = InstrumentId{1};
    position.currency = "USD";
    position.quantity = Quantity{-41};
    position.simulated = simulated;
    view.trader.positions = {position};
    return view;
}

QString cell(const QAbstractItemModel &model, int row, int column)
{
    return model.index(row, column).data().toString();
}

} // namespace

class SimulatedMarksTest : public QObject {
    Q_OBJECT

private slots:
    void blotterMarksSimulatedOrdersAndFills();
    void positionsMarkSimulatedInstrument();
};

// The same orders and fills, first from a simulation and then against a replay, so the marks
// also arrive as in-place updates of existing rows.
void SimulatedMarksTest::blotterMarksSimulatedOrdersAndFills()
{
    BlotterOrdersModel orders(BlotterOrdersModel::List::Working);
    BlotterFillsModel fills;
    QAbstractItemModelTester orderTester(&orders,
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester fillTester(&fills,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);

    orders.showView(tradedView(false));
    fills.showView(tradedView(false));
    QCOMPARE(cell(orders, 0, BlotterOrdersModel::StateColumn), QStringLiteral("Working"));
    QCOMPARE(cell(fills, 0, BlotterFillsModel::LiquidityColumn), QStringLiteral("Taker"));

    orders.showView(tradedView(true));
    fills.showView(tradedView(true));
    QCOMPARE(orders.rowCount(), 1);
    QCOMPARE(cell(orders, 0, BlotterOrdersModel::StateColumn),
             QStringLiteral("Working (simulated)"));
    QCOMPARE(fills.rowCount(), 1);
    QCOMPARE(cell(fills, 0, BlotterFillsModel::LiquidityColumn),
             QStringLiteral("Taker (simulated)"));
}

void SimulatedMarksTest::positionsMarkSimulatedInstrument()
{
    PositionsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.showView(tradedView(true));
    QCOMPARE(cell(model, 0, PositionsModel::InstrumentColumn), QStringLiteral("GOOG (simulated)"));
    QCOMPARE(cell(model, 0, PositionsModel::QuantityColumn), QStringLiteral("-41"));
    // The account's total row sums the positions and carries no mark of its own.
    QCOMPARE(cell(model, 1, PositionsModel::InstrumentColumn), QStringLiteral("Total"));
}

QTEST_MAIN(SimulatedMarksTest)

#include "tst_simulated_marks.moc"

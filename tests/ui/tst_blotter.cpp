#include "blotter_filter.h"
#include "blotter_model.h"
#include "blotter_panel.h"
#include "engine_printers.h"
#include "order_ticket_message.h"
#include "recording_order_gateway.h"
#include "theme.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

#include <memory>

using bourse::AccountId;
using bourse::InstrumentId;
using bourse::InstrumentQuote;
using bourse::MarketView;
using bourse::Money;
using bourse::OrderId;
using bourse::OrderType;
using bourse::OwnFill;
using bourse::OwnOrder;
using bourse::OwnOrderState;
using bourse::OwnPosition;
using bourse::Price;
using bourse::Quantity;
using bourse::ReplaceOrder;
using bourse::Side;
using bourse::TimeInForce;
using bourse::Timestamp;
using bourse::ui::BlotterFillsModel;
using bourse::ui::BlotterFilterModel;
using bourse::ui::BlotterOrdersModel;
using bourse::ui::BlotterPanel;
using bourse::ui::OrderDisplayState;

namespace {

// 09:30:00.250 after midnight.
constexpr std::int64_t kTime = 34'200'250'000'000;

InstrumentQuote quote(std::uint32_t id, const char *symbol, int priceDecimals, int quantityDecimals,
                      std::int64_t tick, std::int64_t lot)
{
    InstrumentQuote row;
    row.instrument = InstrumentId{id};
    row.symbol = symbol;
    row.priceDecimals = priceDecimals;
    row.quantityDecimals = quantityDecimals;
    row.tickSize = Price{tick};
    row.lotSize = Quantity{lot};
    return row;
}

OwnOrder order(std::uint64_t id, std::uint32_t instrument, Side side, std::int64_t limit,
               std::int64_t quantity, std::int64_t filled)
{
    OwnOrder row;
    row.id = OrderId{id};
    row.account = AccountId{7};
    row.instrument = InstrumentId{instrument};
    row.side = side;
    row.limit = Price{limit};
    row.quantity = Quantity{quantity};
    row.filled = Quantity{filled};
    row.remaining = Quantity{quantity - filled};
    row.entered = Timestamp{kTime + static_cast<std::int64_t>(id) * 1'000'000};
    row.updated = row.entered;
    row.lastSequence = id * 10;
    return row;
}

// XYZ has two price decimals, ticks of 0.05 and lots of 10. ABC has four price decimals,
// ticks of 0.0025 and lots of 0.50 with two quantity decimals.
std::shared_ptr<MarketView> sampleView()
{
    auto view = std::make_shared<MarketView>();
    view->instruments = {quote(1, "XYZ", 2, 0, 5, 10), quote(2, "ABC", 4, 2, 25, 50)};
    view->instrument = InstrumentId{1};
    view->symbol = "XYZ";
    view->tickSize = Price{5};
    view->lotSize = Quantity{10};
    view->trader.accounts = {AccountId{7}};

    OwnOrder stop = order(13, 1, Side::Sell, 0, 20, 0);
    stop.type = OrderType::Stop;
    stop.stopPrice = Price{9'800};
    stop.parked = true;
    stop.timeInForce = TimeInForce::Day;
    view->trader.workingOrders = {order(11, 1, Side::Buy, 9'990, 40, 10),
                                  order(12, 2, Side::Sell, 5'795'000, 150, 0), stop};

    OwnOrder rejected = order(9, 1, Side::Buy, 5'000, 10, 0);
    rejected.state = OwnOrderState::Rejected;
    rejected.remaining = Quantity{0};
    rejected.reason = "Limit price 50.00 is outside the price band of 5% around 100.00";
    OwnOrder filled = order(8, 2, Side::Buy, 5'790'000, 100, 100);
    filled.state = OwnOrderState::Filled;
    view->trader.finishedOrders = {rejected, filled};

    OwnFill fill;
    fill.tradeSequence = 81;
    fill.time = Timestamp{kTime};
    fill.order = OrderId{8};
    fill.account = AccountId{7};
    fill.instrument = InstrumentId{2};
    fill.side = Side::Buy;
    fill.price = Price{5'790'000};
    fill.quantity = Quantity{100};
    fill.fee = Money{-1'158};
    view->trader.fills = {fill};

    OwnPosition position;
    position.account = AccountId{7};
    position.instrument = InstrumentId{2};
    position.currency = "USD";
    position.moneyDecimals = 4;
    view->trader.positions = {position};
    return view;
}

QString cell(const QAbstractItemModel &model, int row, int column)
{
    return model.index(row, column).data().toString();
}

// The working table's row of an order, in the proxy's order.
int proxyRowOf(const BlotterPanel &panel, std::uint64_t id)
{
    const BlotterFilterModel *filter = panel.filter(BlotterPanel::Tab::Working);
    for (int row = 0; row < filter->rowCount(); ++row) {
        const QVariant value = filter->index(row, 0).data(bourse::ui::BlotterOrderIdRole);
        if (value.toULongLong() == id)
            return row;
    }
    return -1;
}

QString panelMessage(const BlotterPanel &panel)
{
    return panel.message();
}

} // namespace

class BlotterTest : public QObject {
    Q_OBJECT

private slots:
    void workingOrdersShowEveryColumn();
    void finishedOrdersShowReason();
    void fillsShowFeeInCurrency();
    void secondViewUpdatesInPlace();
    void identicalViewEmitsNothing();
    void ordersThatLeaveAreRemoved();
    void reorderedViewKeepsRowsValid();
    void clearEmptiesTables();
    void cancelButtonCancelsSelection();
    void deleteKeyCancelsSelection();
    void editPriceSendsReplace();
    void editQuantitiesSendReplace_data();
    void editQuantitiesSendReplace();
    void invalidEditNamesProblem_data();
    void invalidEditNamesProblem();
    void onlyWorkingCellsTakeEdits();
    void noGatewayTakesNoEdits();
    void sortByPriceAcrossDecimals();
    void filterByTextInstrumentAndState();
    void doubleClickSelectsInstrument();
    void finishedOrdersSharingIdKeepBothRows();
    void unknownRequestAndEntryShowBlank();
    void narrowPanelWrapsFilters();
};

void BlotterTest::workingOrdersShowEveryColumn()
{
    BlotterOrdersModel model(BlotterOrdersModel::List::Working);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.showView(*sampleView());

    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(cell(model, 0, BlotterOrdersModel::IdColumn), QStringLiteral("11"));
    QCOMPARE(cell(model, 0, BlotterOrdersModel::TimeColumn), QStringLiteral("09:30:00.261"));
    QCOMPARE(cell(model, 0, BlotterOrdersModel::AccountColumn), QStringLiteral("7"));
    QCOMPARE(cell(model, 0, BlotterOrdersModel::InstrumentColumn), QStringLiteral("XYZ"));
    QCOMPARE(cell(model, 0, BlotterOrdersModel::SideColumn), QStringLiteral("Buy"));
    QCOMPARE(cell(model, 0, BlotterOrdersModel::TypeColumn), QStringLiteral("Limit"));
    QCOMPARE(cell(model, 0, BlotterOrdersModel::TimeInForceColumn), QStringLiteral("GTC"));
    QCOMPARE(cell(model, 0, BlotterOrdersModel::PriceColumn), QStringLiteral("99.90"));
    QCOMPARE(cell(model, 0, BlotterOrdersModel::StopColumn), QString());
    QCOMPARE(cell(model, 0, BlotterOrdersModel::QuantityColumn), QStringLiteral("40"));
    QCOMPARE(cell(model, 0, BlotterOrdersModel::FilledColumn), QStringLiteral("10"));
    QCOMPARE(cell(model, 0, BlotterOrdersModel::RemainingColumn), QStringLiteral("30"));
    QCOMPARE(cell(model, 0, BlotterOrdersModel::StateColumn), QStringLiteral("Partly filled"));

    // ABC: four price decimals and two quantity decimals.
    QCOMPARE(cell(model, 1, BlotterOrdersModel::InstrumentColumn), QStringLiteral("ABC"));
    QCOMPARE(cell(model, 1, BlotterOrdersModel::PriceColumn), QStringLiteral("579.5000"));
    QCOMPARE(cell(model, 1, BlotterOrdersModel::QuantityColumn), QStringLiteral("1.50"));
    QCOMPARE(cell(model, 1, BlotterOrdersModel::StateColumn), QStringLiteral("Working"));
    QCOMPARE(
        model.index(1, BlotterOrdersModel::SideColumn).data(Qt::ForegroundRole).value<QColor>(),
        bourse::ui::theme::sellColor());

    QCOMPARE(cell(model, 2, BlotterOrdersModel::TypeColumn), QStringLiteral("Stop"));
    QCOMPARE(cell(model, 2, BlotterOrdersModel::PriceColumn), QString());
    QCOMPARE(cell(model, 2, BlotterOrdersModel::StopColumn), QStringLiteral("98.00"));
    QCOMPARE(cell(model, 2, BlotterOrdersModel::TimeInForceColumn), QStringLiteral("DAY"));
    QCOMPARE(cell(model, 2, BlotterOrdersModel::StateColumn), QStringLiteral("Parked"));
}

void BlotterTest::finishedOrdersShowReason()
{
    BlotterOrdersModel model(BlotterOrdersModel::List::Finished);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.showView(*sampleView());

    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(cell(model, 0, BlotterOrdersModel::IdColumn), QStringLiteral("9"));
    QCOMPARE(cell(model, 0, BlotterOrdersModel::StateColumn), QStringLiteral("Rejected"));
    QCOMPARE(cell(model, 0, BlotterOrdersModel::ReasonColumn),
             QStringLiteral("Limit price 50.00 is outside the price band of 5% around 100.00"));
    QCOMPARE(
        model.index(0, BlotterOrdersModel::ReasonColumn).data(Qt::ForegroundRole).value<QColor>(),
        bourse::ui::theme::errorColor());
    QCOMPARE(model.headerData(BlotterOrdersModel::TimeColumn, Qt::Horizontal).toString(),
             QStringLiteral("Ended"));
    QCOMPARE(cell(model, 1, BlotterOrdersModel::StateColumn), QStringLiteral("Filled"));
    QCOMPARE(cell(model, 1, BlotterOrdersModel::RemainingColumn), QStringLiteral("0.00"));
    QVERIFY(!(model.flags(model.index(1, BlotterOrdersModel::PriceColumn)) & Qt::ItemIsEditable));
}

void BlotterTest::fillsShowFeeInCurrency()
{
    BlotterFillsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.showView(*sampleView());

    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(cell(model, 0, BlotterFillsModel::TimeColumn), QStringLiteral("09:30:00.250"));
    QCOMPARE(cell(model, 0, BlotterFillsModel::TradeColumn), QStringLiteral("81"));
    QCOMPARE(cell(model, 0, BlotterFillsModel::OrderColumn), QStringLiteral("8"));
    QCOMPARE(cell(model, 0, BlotterFillsModel::InstrumentColumn), QStringLiteral("ABC"));
    QCOMPARE(cell(model, 0, BlotterFillsModel::PriceColumn), QStringLiteral("579.0000"));
    QCOMPARE(cell(model, 0, BlotterFillsModel::QuantityColumn), QStringLiteral("1.00"));
    QCOMPARE(cell(model, 0, BlotterFillsModel::LiquidityColumn), QStringLiteral("Taker"));
    // A rebate of 0.1158 in an account kept to four decimals.
    QCOMPARE(cell(model, 0, BlotterFillsModel::FeeColumn), QStringLiteral("-0.1158 USD"));
}

void BlotterTest::secondViewUpdatesInPlace()
{
    BlotterOrdersModel model(BlotterOrdersModel::List::Working);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto view = sampleView();
    model.showView(*view);

    QSignalSpy resets(&model, &QAbstractItemModel::modelAboutToBeReset);
    QSignalSpy inserts(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removes(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);

    // Order 12 fills 0.50 and a new order 14 arrives at the end.
    auto next = std::make_shared<MarketView>(*view);
    OwnOrder &partly = next->trader.workingOrders[1];
    partly.filled = Quantity{50};
    partly.remaining = Quantity{100};
    next->trader.workingOrders.push_back(order(14, 1, Side::Buy, 9'900, 10, 0));
    model.showView(*next);

    QCOMPARE(resets.count(), 0);
    QCOMPARE(removes.count(), 0);
    QCOMPARE(inserts.count(), 1);
    QCOMPARE(inserts.front().at(1).toInt(), 3);
    QCOMPARE(inserts.front().at(2).toInt(), 3);
    QCOMPARE(changes.count(), 1);
    const auto topLeft = changes.front().at(0).value<QModelIndex>();
    const auto bottomRight = changes.front().at(1).value<QModelIndex>();
    QCOMPARE(topLeft.row(), 1);
    QCOMPARE(bottomRight.row(), 1);
    // Quantity shows filled plus remaining for editing, so it counts as changed with the fill.
    QCOMPARE(topLeft.column(), int(BlotterOrdersModel::QuantityColumn));
    QCOMPARE(bottomRight.column(), int(BlotterOrdersModel::StateColumn));
    QCOMPARE(cell(model, 1, BlotterOrdersModel::StateColumn), QStringLiteral("Partly filled"));
    QCOMPARE(cell(model, 3, BlotterOrdersModel::IdColumn), QStringLiteral("14"));
}

void BlotterTest::identicalViewEmitsNothing()
{
    BlotterOrdersModel model(BlotterOrdersModel::List::Working);
    auto view = sampleView();
    model.showView(*view);
    QSignalSpy resets(&model, &QAbstractItemModel::modelAboutToBeReset);
    QSignalSpy inserts(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removes(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);

    model.showView(*std::make_shared<MarketView>(*view));
    QCOMPARE(resets.count(), 0);
    QCOMPARE(inserts.count(), 0);
    QCOMPARE(removes.count(), 0);
    QCOMPARE(changes.count(), 0);
}

void BlotterTest::ordersThatLeaveAreRemoved()
{
    BlotterOrdersModel working(BlotterOrdersModel::List::Working);
    BlotterOrdersModel finished(BlotterOrdersModel::List::Finished);
    QAbstractItemModelTester workingTester(&working,
                                           QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester finishedTester(&finished,
                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto view = sampleView();
    working.showView(*view);
    finished.showView(*view);
    QSignalSpy workingResets(&working, &QAbstractItemModel::modelAboutToBeReset);
    QSignalSpy workingRemoves(&working, &QAbstractItemModel::rowsRemoved);
    QSignalSpy finishedInserts(&finished, &QAbstractItemModel::rowsInserted);
    QSignalSpy finishedRemoves(&finished, &QAbstractItemModel::rowsRemoved);

    // Order 11 is cancelled: it leaves the working orders and tops the finished ones, whose
    // oldest row drops off the bottom.
    auto next = std::make_shared<MarketView>(*view);
    OwnOrder cancelled = next->trader.workingOrders.front();
    cancelled.state = OwnOrderState::Cancelled;
    cancelled.reason = "cancelled by the trader";
    next->trader.workingOrders.erase(next->trader.workingOrders.begin());
    next->trader.finishedOrders = {cancelled, next->trader.finishedOrders.front()};
    working.showView(*next);
    finished.showView(*next);

    QCOMPARE(workingResets.count(), 0);
    QCOMPARE(workingRemoves.count(), 1);
    QCOMPARE(workingRemoves.front().at(1).toInt(), 0);
    QCOMPARE(working.rowCount(), 2);
    QCOMPARE(cell(working, 0, BlotterOrdersModel::IdColumn), QStringLiteral("12"));

    QCOMPARE(finishedRemoves.count(), 1);
    QCOMPARE(finishedRemoves.front().at(1).toInt(), 1);
    QCOMPARE(finishedInserts.count(), 1);
    QCOMPARE(finishedInserts.front().at(1).toInt(), 0);
    QCOMPARE(cell(finished, 0, BlotterOrdersModel::IdColumn), QStringLiteral("11"));
    QCOMPARE(cell(finished, 0, BlotterOrdersModel::ReasonColumn),
             QStringLiteral("cancelled by the trader"));
    QCOMPARE(cell(finished, 1, BlotterOrdersModel::IdColumn), QStringLiteral("9"));
}

void BlotterTest::reorderedViewKeepsRowsValid()
{
    BlotterOrdersModel model(BlotterOrdersModel::List::Working);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto view = sampleView();
    model.showView(*view);

    auto next = std::make_shared<MarketView>(*view);
    std::reverse(next->trader.workingOrders.begin(), next->trader.workingOrders.end());
    model.showView(*next);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(cell(model, 0, BlotterOrdersModel::IdColumn), QStringLiteral("13"));
    QCOMPARE(cell(model, 1, BlotterOrdersModel::IdColumn), QStringLiteral("12"));
    QCOMPARE(cell(model, 2, BlotterOrdersModel::IdColumn), QStringLiteral("11"));
}

void BlotterTest::clearEmptiesTables()
{
    BlotterPanel panel;
    panel.showView(sampleView());
    QCOMPARE(panel.workingModel()->rowCount(), 3);
    auto *tabs = panel.findChild<QTabWidget *>(QStringLiteral("blotterTabs"));
    QCOMPARE(tabs->tabText(0), QStringLiteral("Working (3)"));
    QCOMPARE(tabs->tabText(1), QStringLiteral("Finished (2)"));
    QCOMPARE(tabs->tabText(2), QStringLiteral("Fills (1)"));

    panel.clear();
    QCOMPARE(panel.workingModel()->rowCount(), 0);
    QCOMPARE(panel.finishedModel()->rowCount(), 0);
    QCOMPARE(panel.fillsModel()->rowCount(), 0);
    QCOMPARE(tabs->tabText(0), QStringLiteral("Working (0)"));
}

void BlotterTest::cancelButtonCancelsSelection()
{
    RecordingOrderGateway gateway;
    BlotterPanel panel;
    panel.setGateway(&gateway);
    panel.showView(sampleView());

    QTableView *table = panel.table(BlotterPanel::Tab::Working);
    QItemSelectionModel *selection = table->selectionModel();
    const auto flags = QItemSelectionModel::Select | QItemSelectionModel::Rows;
    selection->select(table->model()->index(proxyRowOf(panel, 13), 0), flags);
    selection->select(table->model()->index(proxyRowOf(panel, 11), 0), flags);
    QTest::mouseClick(panel.findChild<QPushButton *>(QStringLiteral("blotterCancel")),
                      Qt::LeftButton);

    QCOMPARE(gateway.cancelled.size(), std::size_t{2});
    QCOMPARE(gateway.cancelled[0], OrderId{11});
    QCOMPARE(gateway.cancelled[1], OrderId{13});
    QCOMPARE(panelMessage(panel), QStringLiteral("Sent: cancel 2 orders."));
}

void BlotterTest::deleteKeyCancelsSelection()
{
    RecordingOrderGateway gateway;
    BlotterPanel panel;
    panel.setGateway(&gateway);
    panel.showView(sampleView());
    panel.show();
    panel.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&panel));

    QTableView *table = panel.table(BlotterPanel::Tab::Working);
    table->setFocus();
    table->selectRow(proxyRowOf(panel, 12));
    QTest::keyClick(table, Qt::Key_Delete);

    QCOMPARE(gateway.cancelled.size(), std::size_t{1});
    QCOMPARE(gateway.cancelled[0], OrderId{12});
    QCOMPARE(panelMessage(panel), QStringLiteral("Sent: cancel order 12."));
}

void BlotterTest::editPriceSendsReplace()
{
    RecordingOrderGateway gateway;
    BlotterPanel panel;
    panel.setGateway(&gateway);
    panel.showView(sampleView());
    panel.show();
    panel.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&panel));

    // Through the table as a trader edits: F2 on the price cell, a new price, Return.
    QTableView *table = panel.table(BlotterPanel::Tab::Working);
    table->setFocus();
    const QModelIndex price =
        table->model()->index(proxyRowOf(panel, 11), BlotterOrdersModel::PriceColumn);
    table->setCurrentIndex(price);
    QTest::keyClick(table, Qt::Key_F2);
    auto *editor = qobject_cast<QLineEdit *>(QApplication::focusWidget());
    QVERIFY(editor);
    QCOMPARE(editor->text(), QStringLiteral("99.90"));
    editor->selectAll();
    QTest::keyClicks(editor, QStringLiteral("100.05"));
    QTest::keyClick(editor, Qt::Key_Return);

    // The delegate commits the editor's text from the event loop.
    QTRY_COMPARE(gateway.replaced.size(), std::size_t{1});
    const ReplaceOrder &replace = gateway.replaced.front();
    QCOMPARE(replace.id, OrderId{11});
    QCOMPARE(replace.limit, Price{10'005});
    QCOMPARE(replace.quantity, Quantity{30});
    QCOMPARE(replace.stopPrice, Price{0});
    QCOMPARE(panelMessage(panel),
             QStringLiteral("Sent: replace order 11: price 100.05, remaining 30."));
    // The cell shows the order as the views report it, until the engine has replaced it.
    QCOMPARE(price.data().toString(), QStringLiteral("99.90"));
}

void BlotterTest::editQuantitiesSendReplace_data()
{
    QTest::addColumn<quint64>("order");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("limit");
    QTest::addColumn<qint64>("stop");
    QTest::addColumn<qint64>("remaining");

    // Order 11: 40 entered, 10 filled, 30 left.
    QTest::newRow("quantity includes the filled part")
        << quint64{11} << int(BlotterOrdersModel::QuantityColumn) << "50" << qint64{0} << qint64{0}
        << qint64{40};
    QTest::newRow("remaining cut") << quint64{11} << int(BlotterOrdersModel::RemainingColumn)
                                   << "20" << qint64{0} << qint64{0} << qint64{20};
    QTest::newRow("decimal remaining") << quint64{12} << int(BlotterOrdersModel::RemainingColumn)
                                       << "2.5" << qint64{0} << qint64{0} << qint64{250};
    QTest::newRow("decimal price") << quint64{12} << int(BlotterOrdersModel::PriceColumn)
                                   << "579.4975" << qint64{5'794'975} << qint64{0} << qint64{150};
    QTest::newRow("parked stop price") << quint64{13} << int(BlotterOrdersModel::StopColumn)
                                       << "97.5" << qint64{0} << qint64{9'750} << qint64{20};
}

void BlotterTest::editQuantitiesSendReplace()
{
    QFETCH(quint64, order);
    QFETCH(int, column);
    QFETCH(QString, text);
    QFETCH(qint64, limit);
    QFETCH(qint64, stop);
    QFETCH(qint64, remaining);

    RecordingOrderGateway gateway;
    BlotterPanel panel;
    panel.setGateway(&gateway);
    panel.showView(sampleView());
    QAbstractItemModel *model = panel.table(BlotterPanel::Tab::Working)->model();
    const QModelIndex index = model->index(proxyRowOf(panel, order), column);
    QVERIFY(model->flags(index) & Qt::ItemIsEditable);
    QVERIFY(model->setData(index, text));

    QCOMPARE(gateway.replaced.size(), std::size_t{1});
    const ReplaceOrder &replace = gateway.replaced.front();
    QCOMPARE(replace.id, OrderId{order});
    QCOMPARE(replace.limit, Price{limit});
    QCOMPARE(replace.stopPrice, Price{stop});
    QCOMPARE(replace.quantity, Quantity{remaining});
}

void BlotterTest::invalidEditNamesProblem_data()
{
    QTest::addColumn<quint64>("order");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("problem");

    QTest::newRow("price off tick")
        << quint64{11} << int(BlotterOrdersModel::PriceColumn) << "100.03"
        << "Price 100.03 is not a multiple of the tick size 0.05.";
    QTest::newRow("price with too many decimals")
        << quint64{12} << int(BlotterOrdersModel::PriceColumn) << "579.00001"
        << "Price 579.00001 has more than 4 decimals.";
    QTest::newRow("quantity off lot")
        << quint64{11} << int(BlotterOrdersModel::QuantityColumn) << "45"
        << "Quantity 45 is not a multiple of the lot size 10.";
    QTest::newRow("quantity not above filled")
        << quint64{11} << int(BlotterOrdersModel::QuantityColumn) << "10"
        << "Quantity 10 must be above the filled 10.";
    QTest::newRow("remaining zero")
        << quint64{11} << int(BlotterOrdersModel::RemainingColumn) << "0"
        << "Remaining quantity must be above zero.";
    QTest::newRow("stop price off tick")
        << quint64{13} << int(BlotterOrdersModel::StopColumn) << "97.51"
        << "Stop price 97.51 is not a multiple of the tick size 0.05.";
}

void BlotterTest::invalidEditNamesProblem()
{
    QFETCH(quint64, order);
    QFETCH(int, column);
    QFETCH(QString, text);
    QFETCH(QString, problem);

    RecordingOrderGateway gateway;
    BlotterPanel panel;
    panel.setGateway(&gateway);
    panel.showView(sampleView());
    QAbstractItemModel *model = panel.table(BlotterPanel::Tab::Working)->model();
    QVERIFY(!model->setData(model->index(proxyRowOf(panel, order), column), text));
    QVERIFY(gateway.replaced.empty());
    QCOMPARE(panelMessage(panel), problem);
}

void BlotterTest::onlyWorkingCellsTakeEdits()
{
    RecordingOrderGateway gateway;
    BlotterPanel panel;
    panel.setGateway(&gateway);
    panel.showView(sampleView());
    BlotterOrdersModel *model = panel.workingModel();
    auto editable = [model](int row, int column) {
        return bool(model->flags(model->index(row, column)) & Qt::ItemIsEditable);
    };

    QVERIFY(editable(0, BlotterOrdersModel::PriceColumn));
    QVERIFY(!editable(0, BlotterOrdersModel::StopColumn));
    QVERIFY(!editable(0, BlotterOrdersModel::SideColumn));
    QVERIFY(!editable(0, BlotterOrdersModel::FilledColumn));
    // A stop order enters as a market order: it has no price to change, only its stop.
    QVERIFY(!editable(2, BlotterOrdersModel::PriceColumn));
    QVERIFY(editable(2, BlotterOrdersModel::StopColumn));

    // The same text as the order's price needs no replace.
    QVERIFY(!model->setData(model->index(0, BlotterOrdersModel::PriceColumn), "99.9"));
    QVERIFY(gateway.replaced.empty());
}

void BlotterTest::noGatewayTakesNoEdits()
{
    BlotterPanel panel;
    panel.showView(sampleView());
    BlotterOrdersModel *model = panel.workingModel();
    QVERIFY(!(model->flags(model->index(0, BlotterOrdersModel::PriceColumn)) & Qt::ItemIsEditable));
    QVERIFY(!panel.findChild<QPushButton *>(QStringLiteral("blotterCancel"))->isEnabled());
    QCOMPARE(panel.cancelSelected(), 0);
}

void BlotterTest::sortByPriceAcrossDecimals()
{
    auto view = sampleView();
    // ABC's 99.0000 is 990 000 units at four decimals and XYZ's 99.90 is 9 990 at two: by
    // units ABC would sort first, by value it comes second.
    view->trader.workingOrders[1].limit = Price{990'000};
    BlotterPanel panel;
    panel.showView(view);
    BlotterFilterModel *filter = panel.filter(BlotterPanel::Tab::Working);
    QAbstractItemModelTester tester(filter, QAbstractItemModelTester::FailureReportingMode::QtTest);

    filter->sort(BlotterOrdersModel::PriceColumn, Qt::DescendingOrder);
    QCOMPARE(cell(*filter, 0, BlotterOrdersModel::IdColumn), QStringLiteral("11"));
    QCOMPARE(cell(*filter, 1, BlotterOrdersModel::IdColumn), QStringLiteral("12"));
    QCOMPARE(cell(*filter, 2, BlotterOrdersModel::IdColumn), QStringLiteral("13"));

    filter->sort(BlotterOrdersModel::IdColumn, Qt::DescendingOrder);
    QCOMPARE(cell(*filter, 0, BlotterOrdersModel::IdColumn), QStringLiteral("13"));

    // A change in a later view moves the row to its sorted place.
    filter->sort(BlotterOrdersModel::RemainingColumn, Qt::AscendingOrder);
    QCOMPARE(cell(*filter, 0, BlotterOrdersModel::IdColumn), QStringLiteral("12"));
    auto next = std::make_shared<MarketView>(*view);
    next->trader.workingOrders[0].remaining = Quantity{0};
    next->trader.workingOrders[0].filled = Quantity{40};
    panel.showView(next);
    QCOMPARE(cell(*filter, 0, BlotterOrdersModel::IdColumn), QStringLiteral("11"));
}

void BlotterTest::filterByTextInstrumentAndState()
{
    BlotterPanel panel;
    panel.showView(sampleView());
    BlotterFilterModel *working = panel.filter(BlotterPanel::Tab::Working);
    BlotterFilterModel *finished = panel.filter(BlotterPanel::Tab::Finished);
    BlotterFilterModel *fills = panel.filter(BlotterPanel::Tab::Fills);
    QAbstractItemModelTester tester(working,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    // Before a header is clicked, each table keeps the view's order.
    QCOMPARE(cell(*working, 0, BlotterOrdersModel::IdColumn), QStringLiteral("11"));
    QCOMPARE(cell(*finished, 0, BlotterOrdersModel::IdColumn), QStringLiteral("9"));

    auto *text = panel.findChild<QLineEdit *>(QStringLiteral("blotterFilterText"));
    QTest::keyClicks(text, QStringLiteral("abc"));
    QCOMPARE(working->rowCount(), 1);
    QCOMPARE(cell(*working, 0, BlotterOrdersModel::IdColumn), QStringLiteral("12"));
    QCOMPARE(finished->rowCount(), 1);
    QCOMPARE(fills->rowCount(), 1);
    text->clear();
    QCOMPARE(working->rowCount(), 3);

    auto *instrument = panel.findChild<QComboBox *>(QStringLiteral("blotterFilterInstrument"));
    QCOMPARE(instrument->count(), 3);
    instrument->setCurrentIndex(instrument->findText(QStringLiteral("XYZ")));
    QCOMPARE(working->rowCount(), 2);
    QCOMPARE(finished->rowCount(), 1);
    QCOMPARE(fills->rowCount(), 0);

    auto *state = panel.findChild<QComboBox *>(QStringLiteral("blotterFilterState"));
    state->setCurrentIndex(state->findData(static_cast<int>(OrderDisplayState::Parked)));
    QCOMPARE(working->rowCount(), 1);
    QCOMPARE(cell(*working, 0, BlotterOrdersModel::IdColumn), QStringLiteral("13"));
    QCOMPARE(finished->rowCount(), 0);

    state->setCurrentIndex(state->findData(static_cast<int>(OrderDisplayState::Rejected)));
    QCOMPARE(working->rowCount(), 0);
    QCOMPARE(finished->rowCount(), 1);

    // The filter stays in force across views.
    panel.showView(sampleView());
    QCOMPARE(finished->rowCount(), 1);
    QCOMPARE(instrument->currentText(), QStringLiteral("XYZ"));
}

void BlotterTest::doubleClickSelectsInstrument()
{
    BlotterPanel panel;
    panel.showView(sampleView());
    panel.resize(1200, 400);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QSignalSpy selected(&panel, &BlotterPanel::instrumentSelected);

    QTableView *table = panel.table(BlotterPanel::Tab::Working);
    const QModelIndex symbol =
        table->model()->index(proxyRowOf(panel, 12), BlotterOrdersModel::InstrumentColumn);
    const QPoint center = table->visualRect(symbol).center();
    // QTest sends a double-click event alone, and a view takes one only after a press on the
    // cell.
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, center);
    QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, center);

    QCOMPARE(selected.count(), 1);
    QCOMPARE(selected.front().at(0).value<InstrumentId>(), InstrumentId{2});
}

// A rejected order names the id that the next order gets, so two finished orders can share an
// id. They are two rows.
void BlotterTest::finishedOrdersSharingIdKeepBothRows()
{
    BlotterOrdersModel model(BlotterOrdersModel::List::Finished);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto view = sampleView();
    OwnOrder cancelled = order(9, 1, Side::Sell, 10'100, 10, 0);
    cancelled.state = OwnOrderState::Cancelled;
    cancelled.lastSequence = 120;
    view->trader.finishedOrders.insert(view->trader.finishedOrders.begin(), cancelled);
    model.showView(*view);

    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(cell(model, 0, BlotterOrdersModel::IdColumn), QStringLiteral("9"));
    QCOMPARE(cell(model, 0, BlotterOrdersModel::StateColumn), QStringLiteral("Cancelled"));
    QCOMPARE(cell(model, 1, BlotterOrdersModel::IdColumn), QStringLiteral("9"));
    QCOMPARE(cell(model, 1, BlotterOrdersModel::StateColumn), QStringLiteral("Rejected"));
}

// A rejection rebuilt from a journal has no request, and an order entered before a restart may
// have no entry time. Those cells are empty instead of showing defaults.
void BlotterTest::unknownRequestAndEntryShowBlank()
{
    auto view = sampleView();
    OwnOrder &rejected = view->trader.finishedOrders[0];
    rejected.requestKnown = false;
    rejected.side = Side::Buy;
    rejected.limit = Price{};
    rejected.quantity = Quantity{};
    view->trader.workingOrders[0].entered = Timestamp{};

    BlotterOrdersModel finished(BlotterOrdersModel::List::Finished);
    finished.showView(*view);
    for (const int column : {BlotterOrdersModel::SideColumn, BlotterOrdersModel::TypeColumn,
                             BlotterOrdersModel::TimeInForceColumn, BlotterOrdersModel::PriceColumn,
                             BlotterOrdersModel::StopColumn, BlotterOrdersModel::QuantityColumn,
                             BlotterOrdersModel::DisplayColumn})
        QCOMPARE(cell(finished, 0, column), QString());
    QCOMPARE(cell(finished, 0, BlotterOrdersModel::StateColumn), QStringLiteral("Rejected"));
    QCOMPARE(cell(finished, 0, BlotterOrdersModel::TimeColumn), QStringLiteral("09:30:00.259"));
    QCOMPARE(cell(finished, 1, BlotterOrdersModel::SideColumn), QStringLiteral("Buy"));

    BlotterOrdersModel working(BlotterOrdersModel::List::Working);
    working.showView(*view);
    QCOMPARE(cell(working, 0, BlotterOrdersModel::TimeColumn), QString());
    QCOMPARE(cell(working, 1, BlotterOrdersModel::TimeColumn), QStringLiteral("09:30:00.262"));
}

// In a panel narrower than the filters in one row, the text filter and the cancel button go
// above the instrument and state filters, and the text filter keeps its minimum width.
void BlotterTest::narrowPanelWrapsFilters()
{
    BlotterPanel panel;
    panel.showView(sampleView());
    panel.resize(1200, 400);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    auto *text = panel.findChild<QLineEdit *>(QStringLiteral("blotterFilterText"));
    auto *state = panel.findChild<QComboBox *>(QStringLiteral("blotterFilterState"));
    auto *cancel = panel.findChild<QPushButton *>(QStringLiteral("blotterCancel"));
    QVERIFY(text && state && cancel);
    // Widgets of one row overlap vertically, and a widget of the next row starts below them.
    const auto sameRow = [](const QWidget *a, const QWidget *b) {
        return a->geometry().top() <= b->geometry().bottom() &&
               b->geometry().top() <= a->geometry().bottom();
    };
    QVERIFY(!panel.filtersWrapped());
    QVERIFY(sameRow(text, state));
    QVERIFY(text->width() > 1200 / 3);

    panel.resize(320, 400);
    QTRY_VERIFY(panel.filtersWrapped());
    QTRY_VERIFY(state->geometry().top() > text->geometry().bottom());
    QVERIFY(sameRow(text, cancel));
    QVERIFY(text->width() >= text->minimumWidth());
    QVERIFY(text->minimumWidth() >= text->fontMetrics().averageCharWidth() * 16);
    QVERIFY(text->geometry().right() < cancel->geometry().left());

    panel.resize(1200, 400);
    QTRY_VERIFY(!panel.filtersWrapped());
    QTRY_VERIFY(sameRow(text, state));
}

QTEST_MAIN(BlotterTest)
#include "tst_blotter.moc"

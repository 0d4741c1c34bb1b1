#include "ladder_lot_spin_box.h"
#include "ladder_model.h"
#include "ladder_panel.h"
#include "order_gateway.h"
#include "theme.h"

#include <QComboBox>
#include <QLabel>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QToolButton>
#include <QWheelEvent>

#include <functional>
#include <future>
#include <memory>
#include <vector>

using bourse::AccountId;
using bourse::InstrumentId;
using bourse::KillSwitchScope;
using bourse::LevelSummary;
using bourse::MarketView;
using bourse::MassCancel;
using bourse::NewOrder;
using bourse::OrderId;
using bourse::OrderType;
using bourse::OwnOrder;
using bourse::Price;
using bourse::Quantity;
using bourse::RejectReason;
using bourse::ReplaceOrder;
using bourse::Session;
using bourse::Side;
using bourse::TimeInForce;
using bourse::ui::LadderModel;
using bourse::ui::LadderPanel;
using bourse::ui::LotSpinBox;

namespace {

// Records what the panel sends. The result of each check comes at once from `answer` or, with
// `answerLater`, stays pending until the test sets the promise.
class FakeGateway final : public bourse::ui::OrderGateway {
public:
    bool submit(const NewOrder &order) override
    {
        submitted.push_back(order);
        return accepts;
    }
    bool cancel(OrderId id) override
    {
        cancelled.push_back(id);
        return accepts;
    }
    bool replace(const ReplaceOrder &replace) override
    {
        replaced.push_back(replace);
        return accepts;
    }
    bool massCancel(const MassCancel &) override { return accepts; }
    bool engageKillSwitch(AccountId, KillSwitchScope) override { return accepts; }
    bool resetKillSwitch(AccountId) override { return accepts; }

    std::future<Session::CheckAnswer> checkOrder(const NewOrder &order) override
    {
        checked.push_back(order);
        std::promise<Session::CheckAnswer> promise;
        std::future<Session::CheckAnswer> future = promise.get_future();
        if (answerLater)
            pending.push_back(std::move(promise));
        else
            promise.set_value(answer(order));
        return future;
    }

    bool accepts = true;
    bool answerLater = false;
    std::function<Session::CheckAnswer(const NewOrder &)> answer = [](const NewOrder &) {
        return Session::CheckAnswer{};
    };

    std::vector<NewOrder> submitted;
    std::vector<OrderId> cancelled;
    std::vector<ReplaceOrder> replaced;
    std::vector<NewOrder> checked;
    std::vector<std::promise<Session::CheckAnswer>> pending;
};

Session::CheckAnswer rejection(const std::string &text)
{
    Session::CheckAnswer answer;
    answer.check.reason = RejectReason::RiskLimit;
    answer.text = text;
    return answer;
}

OwnOrder workingOrder(std::uint64_t id, Side side, std::int64_t limit, std::int64_t remaining)
{
    OwnOrder order;
    order.id = OrderId{id};
    order.account = AccountId{1};
    order.instrument = InstrumentId{7};
    order.side = side;
    order.limit = Price{limit};
    order.quantity = Quantity{remaining};
    order.remaining = Quantity{remaining};
    return order;
}

// Instrument 7, a tick of 5 and two price decimals; the mid is (1000 + 1010) / 2 = 1005. The
// trader has accounts 1 and 2, buys of 3 (id 11) and 4 (id 12) at 995 and a sell of 5 (id 13)
// at 1015.
std::shared_ptr<MarketView> bookView()
{
    auto view = std::make_shared<MarketView>();
    view->instrument = InstrumentId{7};
    view->symbol = "BRS";
    view->tickSize = Price{5};
    view->priceDecimals = 2;
    view->bids = {LevelSummary{Price{1000}, Quantity{20}, 1},
                  LevelSummary{Price{995}, Quantity{40}, 2}};
    view->asks = {LevelSummary{Price{1010}, Quantity{30}, 1},
                  LevelSummary{Price{1015}, Quantity{15}, 1}};
    view->trader.accounts = {AccountId{1}, AccountId{2}};
    view->trader.workingOrders = {workingOrder(11, Side::Buy, 995, 3),
                                  workingOrder(12, Side::Buy, 995, 4),
                                  workingOrder(13, Side::Sell, 1015, 5)};
    return view;
}

std::shared_ptr<MarketView> movedBy(std::int64_t ticks)
{
    auto view = bookView();
    for (LevelSummary &bid : view->bids)
        bid.price = Price{bid.price.value() + 5 * ticks};
    for (LevelSummary &ask : view->asks)
        ask.price = Price{ask.price.value() + 5 * ticks};
    return view;
}

// A mouse move with no button held, as when the pointer hovers. QTest::mouseMove moves the
// cursor instead, which depends on the platform delivering a move event.
void hover(QWidget *widget, QPoint position)
{
    QMouseEvent move(QEvent::MouseMove, position, widget->mapToGlobal(position), Qt::NoButton,
                     Qt::NoButton, Qt::NoModifier);
    QCoreApplication::sendEvent(widget, &move);
}

qint64 centrePrice(const LadderModel &model)
{
    return model.priceAt(model.centreRow()).value_or(Price{0}).value();
}

} // namespace

class LadderPanelTest : public QObject {
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void childrenNamedAndReachable();
    void accountsAndQuantityFromView();
    void quantityInLotsAndDecimals();
    void typedQuantityParsedAsLots();
    void bidClickSendsBuyLimit();
    void askClickSendsSellLimit();
    void priceClickSendsNothing();
    void doubleClickSendsTwoOrders();
    void rightClickCancelsOrdersAtPrice();
    void dragMovesOrdersToNewPrice();
    void dragToSameRowSendsNothing();
    void orderInsideWideSpreadTradable();
    void arrowKeysSelectAndTrade();
    void deleteCancelsAtSelectedRow();
    void pageKeysScrollAndSpaceRecentres();
    void centreButtonRecentres();
    void wheelScrollsRows();
    void marketLeavingScreenRecentres();
    void newInstrumentRecentres();
    void failingCheckShowsWarning();
    void passingCheckClearsWarning();
    void staleCheckAnswerDropped();
    void selectedRowChecksBothSides();
    void secondViewUpdatesWithoutReset();
    void withoutGatewayNothingSent();
    void unqueuedOrderShowsNotice();
    void clearBlanksPanel();
    void lotSizedQuantitiesFitTheirColumns();
    void columnsFillWidePanel();
    void rejectionTextNamesVerdictOnce();
    void bothSideWarningsShowOnALineEach();
    void offLotQuantityShownInvalidAndNotSent();
    void outOfRangeQuantityKeptAsTyped();
    void fractionOfWholeUnitNotSent();
    void narrowPanelShowsFullAccountName();
    void instrumentMaximumCapsQuantity();
    void instrumentLimitsInLotDecimals();
    void quantityBeyondIntRangeSent();
    void maximumOffTheLotGrid();
    void noLotInsideLimitsSendsNothing();
    void limitsArrivingKeepTypedQuantity();

private:
    QPoint cellCentre(std::int64_t price, int column) const;
    void click(std::int64_t price, int column, Qt::MouseButton button = Qt::LeftButton);

    std::unique_ptr<FakeGateway> m_gateway;
    std::unique_ptr<LadderPanel> m_panel;
    QTableView *m_table = nullptr;
    LadderModel *m_model = nullptr;
    LotSpinBox *m_quantity = nullptr;
    QComboBox *m_account = nullptr;
};

void LadderPanelTest::init()
{
    m_gateway = std::make_unique<FakeGateway>();
    m_panel = std::make_unique<LadderPanel>();
    m_panel->resize(560, 640);
    m_panel->setGateway(m_gateway.get());
    m_panel->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
    m_panel->showView(bookView());

    m_table = m_panel->findChild<QTableView *>(QStringLiteral("ladderView"));
    m_quantity = m_panel->findChild<LotSpinBox *>(QStringLiteral("ladderQuantity"));
    m_account = m_panel->findChild<QComboBox *>(QStringLiteral("ladderAccount"));
    m_model = m_panel->model();
    QVERIFY(m_table);
    QVERIFY(m_quantity);
    QVERIFY(m_account);
    QCOMPARE(m_table->model(), m_model);
}

void LadderPanelTest::cleanup()
{
    m_panel.reset();
    m_gateway.reset();
}

QPoint LadderPanelTest::cellCentre(std::int64_t price, int column) const
{
    const int row = m_model->rowOf(Price{price});
    return m_table->visualRect(m_model->index(row, column)).center();
}

void LadderPanelTest::click(std::int64_t price, int column, Qt::MouseButton button)
{
    QTest::mouseClick(m_table->viewport(), button, {}, cellCentre(price, column));
}

void LadderPanelTest::childrenNamedAndReachable()
{
    QCOMPARE(m_panel->objectName(), QStringLiteral("ladderPanel"));
    auto *centre = m_panel->findChild<QToolButton *>(QStringLiteral("ladderCentre"));
    auto *warning = m_panel->findChild<QLabel *>(QStringLiteral("ladderWarning"));
    QVERIFY(centre);
    QVERIFY(warning);

    const QList<QWidget *> controls{m_panel.get(), m_table, m_quantity, m_account, centre, warning};
    for (QWidget *widget : controls)
        QVERIFY2(!widget->accessibleName().isEmpty(), qPrintable(widget->objectName()));
    for (QWidget *widget : {static_cast<QWidget *>(m_table), static_cast<QWidget *>(m_quantity),
                            static_cast<QWidget *>(m_account), static_cast<QWidget *>(centre)})
        QVERIFY2(widget->focusPolicy() & Qt::TabFocus, qPrintable(widget->objectName()));
    QVERIFY(!m_table->tabKeyNavigation());
}

void LadderPanelTest::accountsAndQuantityFromView()
{
    QCOMPARE(m_account->count(), 2);
    QCOMPARE(m_account->itemText(0), QStringLiteral("Account 1"));
    QCOMPARE(m_account->itemText(1), QStringLiteral("Account 2"));
    QCOMPARE(m_panel->orderAccount(), AccountId{1});

    m_account->setCurrentIndex(1);
    auto view = bookView();
    view->trader.accounts = {AccountId{3}, AccountId{2}};
    m_panel->showView(view);

    // The chosen account stays chosen when the list changes around it.
    QCOMPARE(m_account->count(), 2);
    QCOMPARE(m_panel->orderAccount(), AccountId{2});
    QCOMPARE(m_panel->orderQuantity().value_or(Quantity{}), Quantity{1});
}

void LadderPanelTest::quantityInLotsAndDecimals()
{
    auto view = bookView();
    view->instrument = InstrumentId{8};
    view->quantityDecimals = 2;
    view->lotSize = Quantity{5};
    for (OwnOrder &order : view->trader.workingOrders)
        order.instrument = InstrumentId{8};
    m_panel->showView(view);

    // Lots of 5 with two decimals: one lot shows as 0.05, and the box steps by a lot.
    QCOMPARE(m_quantity->lowestQuantity().value_or(Quantity{}), Quantity{5});
    QCOMPARE(m_quantity->quantity().value_or(Quantity{}), Quantity{5});
    QCOMPARE(m_quantity->text(), QStringLiteral("0.05"));
    m_quantity->stepUp();
    QCOMPARE(m_quantity->text(), QStringLiteral("0.10"));

    m_quantity->setQuantity(Quantity{125});
    QCOMPARE(m_quantity->text(), QStringLiteral("1.25"));
    click(1000, LadderModel::BidSizeColumn);
    QCOMPARE(m_gateway->submitted.size(), std::size_t{1});
    QCOMPARE(m_gateway->submitted[0].quantity, Quantity{125});
    QCOMPARE(m_gateway->submitted[0].instrument, InstrumentId{8});
}

void LadderPanelTest::typedQuantityParsedAsLots()
{
    auto view = bookView();
    view->instrument = InstrumentId{8};
    view->quantityDecimals = 2;
    m_panel->showView(view);
    // The quantity stays at one lot, which now shows with two decimals.
    QCOMPARE(m_quantity->quantity().value_or(Quantity{}), Quantity{1});
    QCOMPARE(m_quantity->text(), QStringLiteral("0.01"));

    // 1.25 with two decimals is 125 lots. A third decimal stays as typed and makes the text
    // invalid, in the order ticket's words, rather than being dropped.
    m_quantity->selectAll();
    QTest::keyClicks(m_quantity, QStringLiteral("1.25"));
    QCOMPARE(m_quantity->quantity().value_or(Quantity{}), Quantity{125});
    QTest::keyClicks(m_quantity, QStringLiteral("5"));
    QCOMPARE(m_quantity->text(), QStringLiteral("1.255"));
    QVERIFY(!m_quantity->quantity());
    QCOMPARE(m_panel->warningText(),
             QStringLiteral("No order is sent: Quantity 1.255 has more than 2 decimals."));

    // Return writes a valid quantity as the panels show quantities.
    m_quantity->selectAll();
    QTest::keyClicks(m_quantity, QStringLiteral("2000.5"));
    QTest::keyClick(m_quantity, Qt::Key_Return);
    QCOMPARE(m_quantity->text(), QStringLiteral("2,000.50"));
    QCOMPARE(m_panel->orderQuantity().value_or(Quantity{}), Quantity{200050});
}

void LadderPanelTest::bidClickSendsBuyLimit()
{
    m_quantity->setQuantity(Quantity{3});
    m_account->setCurrentIndex(1);

    click(995, LadderModel::BidSizeColumn);

    QCOMPARE(m_gateway->submitted.size(), std::size_t{1});
    const NewOrder &order = m_gateway->submitted[0];
    QCOMPARE(order.side, Side::Buy);
    QCOMPARE(order.type, OrderType::Limit);
    QCOMPARE(order.timeInForce, TimeInForce::Gtc);
    QCOMPARE(order.limit, Price{995});
    QCOMPARE(order.quantity, Quantity{3});
    QCOMPARE(order.account, AccountId{2});
    QCOMPARE(order.instrument, InstrumentId{7});
    QCOMPARE(order.id, OrderId{});
    QVERIFY(m_gateway->cancelled.empty());
    QVERIFY(m_gateway->replaced.empty());
}

void LadderPanelTest::askClickSendsSellLimit()
{
    m_quantity->setQuantity(Quantity{2});

    // 1020 has no ask resting, which makes no difference: any row of the column trades.
    click(1020, LadderModel::AskSizeColumn);

    QCOMPARE(m_gateway->submitted.size(), std::size_t{1});
    const NewOrder &order = m_gateway->submitted[0];
    QCOMPARE(order.side, Side::Sell);
    QCOMPARE(order.limit, Price{1020});
    QCOMPARE(order.quantity, Quantity{2});
    QCOMPARE(order.account, AccountId{1});
    QCOMPARE(order.instrument, InstrumentId{7});
}

void LadderPanelTest::priceClickSendsNothing()
{
    click(1000, LadderModel::PriceColumn);
    click(1000, LadderModel::VolumeColumn);
    click(1000, LadderModel::WorkingBuysColumn);

    QVERIFY(m_gateway->submitted.empty());
    QVERIFY(m_gateway->cancelled.empty());
    QVERIFY(m_gateway->replaced.empty());
    QCOMPARE(m_panel->selectedPrice(), std::optional(Price{1000}));
}

void LadderPanelTest::doubleClickSendsTwoOrders()
{
    const QPoint bid = cellCentre(990, LadderModel::BidSizeColumn);
    // A double click arrives as a press, a release, a double click and a release.
    QTest::mouseClick(m_table->viewport(), Qt::LeftButton, {}, bid);
    QTest::mouseDClick(m_table->viewport(), Qt::LeftButton, {}, bid);
    QTest::mouseRelease(m_table->viewport(), Qt::LeftButton, {}, bid);

    QCOMPARE(m_gateway->submitted.size(), std::size_t{2});
    for (const NewOrder &order : m_gateway->submitted)
        QCOMPARE(order.limit, Price{990});
}

void LadderPanelTest::rightClickCancelsOrdersAtPrice()
{
    click(995, LadderModel::WorkingBuysColumn, Qt::RightButton);

    QCOMPARE(m_gateway->cancelled.size(), std::size_t{2});
    QCOMPARE(m_gateway->cancelled[0], OrderId{11});
    QCOMPARE(m_gateway->cancelled[1], OrderId{12});

    // The sell column at 995 has none of the trader's orders, and 1015 only the sell.
    click(995, LadderModel::WorkingSellsColumn, Qt::RightButton);
    click(1015, LadderModel::WorkingBuysColumn, Qt::RightButton);
    QCOMPARE(m_gateway->cancelled.size(), std::size_t{2});

    click(1015, LadderModel::WorkingSellsColumn, Qt::RightButton);
    QCOMPARE(m_gateway->cancelled.size(), std::size_t{3});
    QCOMPARE(m_gateway->cancelled[2], OrderId{13});
    QVERIFY(m_gateway->submitted.empty());
}

void LadderPanelTest::dragMovesOrdersToNewPrice()
{
    QWidget *viewport = m_table->viewport();
    const QPoint from = cellCentre(995, LadderModel::WorkingBuysColumn);
    const QPoint to = cellCentre(985, LadderModel::WorkingBuysColumn);

    QTest::mousePress(viewport, Qt::LeftButton, {}, from);
    QTest::mouseMove(viewport, to);
    QTest::mouseRelease(viewport, Qt::LeftButton, {}, to);

    QCOMPARE(m_gateway->replaced.size(), std::size_t{2});
    QCOMPARE(m_gateway->replaced[0].id, OrderId{11});
    QCOMPARE(m_gateway->replaced[0].limit, Price{985});
    QCOMPARE(m_gateway->replaced[0].quantity, Quantity{3});
    QCOMPARE(m_gateway->replaced[1].id, OrderId{12});
    QCOMPARE(m_gateway->replaced[1].limit, Price{985});
    QCOMPARE(m_gateway->replaced[1].quantity, Quantity{4});
    QVERIFY(m_gateway->submitted.empty());
    QVERIFY(m_gateway->cancelled.empty());

    // The sell at 1015 dropped on another column of the 1025 row moves to 1025.
    const QPoint sell = cellCentre(1015, LadderModel::WorkingSellsColumn);
    const QPoint higher = cellCentre(1025, LadderModel::PriceColumn);
    QTest::mousePress(viewport, Qt::LeftButton, {}, sell);
    QTest::mouseMove(viewport, higher);
    QTest::mouseRelease(viewport, Qt::LeftButton, {}, higher);
    QCOMPARE(m_gateway->replaced.size(), std::size_t{3});
    QCOMPARE(m_gateway->replaced[2].id, OrderId{13});
    QCOMPARE(m_gateway->replaced[2].limit, Price{1025});
    QCOMPARE(m_gateway->replaced[2].quantity, Quantity{5});
}

void LadderPanelTest::dragToSameRowSendsNothing()
{
    QWidget *viewport = m_table->viewport();
    const QPoint from = cellCentre(995, LadderModel::WorkingBuysColumn);
    QTest::mousePress(viewport, Qt::LeftButton, {}, from);
    QTest::mouseRelease(viewport, Qt::LeftButton, {}, from + QPoint(3, 0));

    // A press on a size cell that ends on another row is not a click.
    QTest::mousePress(viewport, Qt::LeftButton, {}, cellCentre(1000, LadderModel::BidSizeColumn));
    QTest::mouseRelease(viewport, Qt::LeftButton, {}, cellCentre(990, LadderModel::BidSizeColumn));

    QVERIFY(m_gateway->replaced.empty());
    QVERIFY(m_gateway->submitted.empty());
}

// A spread of 200 ticks, 1000 to 2000, needs more rows than the panel shows, so it closes. The
// trader's buy of 8 at 1500 keeps its own row between a gap of 99 prices above (1505 to 1995)
// and one of 99 below (1005 to 1495), and cancels and moves like an order on any other row.
void LadderPanelTest::orderInsideWideSpreadTradable()
{
    auto wide = bookView();
    wide->bids = {LevelSummary{Price{1000}, Quantity{20}, 1}};
    wide->asks = {LevelSummary{Price{2000}, Quantity{30}, 1}};
    wide->trader.workingOrders = {workingOrder(21, Side::Buy, 1500, 8)};
    m_panel->showView(wide);

    const int row = m_model->rowOf(Price{1500});
    QVERIFY(row >= m_model->firstVisibleRow());
    QVERIFY(row <= m_model->lastVisibleRow());
    QCOMPARE(m_model->hiddenTicksAt(row - 1), std::int64_t{99});
    QCOMPARE(m_model->hiddenTicksAt(row + 1), std::int64_t{99});
    QCOMPARE(m_model->bestAskRow(), row - 2);
    QCOMPARE(m_model->bestBidRow(), row + 2);
    QCOMPARE(m_model->index(row, LadderModel::WorkingBuysColumn).data().toString(),
             QStringLiteral("8"));

    click(1500, LadderModel::WorkingBuysColumn, Qt::RightButton);
    QCOMPARE(m_gateway->cancelled.size(), std::size_t{1});
    QCOMPARE(m_gateway->cancelled[0], OrderId{21});

    // Dragged onto the best bid's row, the order moves to 1000.
    QWidget *viewport = m_table->viewport();
    const QPoint from = cellCentre(1500, LadderModel::WorkingBuysColumn);
    const QPoint to = cellCentre(1000, LadderModel::WorkingBuysColumn);
    QTest::mousePress(viewport, Qt::LeftButton, {}, from);
    QTest::mouseMove(viewport, to);
    QTest::mouseRelease(viewport, Qt::LeftButton, {}, to);
    QCOMPARE(m_gateway->replaced.size(), std::size_t{1});
    QCOMPARE(m_gateway->replaced[0].id, OrderId{21});
    QCOMPARE(m_gateway->replaced[0].limit, Price{1000});
    QCOMPARE(m_gateway->replaced[0].quantity, Quantity{8});
    QVERIFY(m_gateway->submitted.empty());
}

void LadderPanelTest::arrowKeysSelectAndTrade()
{
    m_table->setFocus();
    m_quantity->setQuantity(Quantity{4});

    // The first arrow selects the market row; each next one moves a tick.
    QTest::keyClick(m_table, Qt::Key_Up);
    QCOMPARE(m_panel->selectedPrice(), std::optional(Price{1005}));
    QTest::keyClick(m_table, Qt::Key_Up);
    QCOMPARE(m_panel->selectedPrice(), std::optional(Price{1010}));
    QCOMPARE(m_table->selectionModel()->selectedRows().size(), 1);
    QCOMPARE(m_table->selectionModel()->selectedRows().at(0).row(), m_model->rowOf(Price{1010}));

    // A digit would start the view's keyboard search on the prices, which must not happen.
    QTest::keyClick(m_table, Qt::Key_9);
    QCOMPARE(m_table->selectionModel()->selectedRows().size(), 1);
    QCOMPARE(m_table->selectionModel()->selectedRows().at(0).row(), m_model->rowOf(Price{1010}));
    QCOMPARE(m_panel->selectedPrice(), std::optional(Price{1010}));

    QTest::keyClick(m_table, Qt::Key_B);
    QTest::keyClick(m_table, Qt::Key_Down);
    QTest::keyClick(m_table, Qt::Key_Down);
    QTest::keyClick(m_table, Qt::Key_S);

    QCOMPARE(m_gateway->submitted.size(), std::size_t{2});
    QCOMPARE(m_gateway->submitted[0].side, Side::Buy);
    QCOMPARE(m_gateway->submitted[0].limit, Price{1010});
    QCOMPARE(m_gateway->submitted[0].quantity, Quantity{4});
    QCOMPARE(m_gateway->submitted[1].side, Side::Sell);
    QCOMPARE(m_gateway->submitted[1].limit, Price{1000});
    QCOMPARE(m_gateway->submitted[1].instrument, InstrumentId{7});
}

void LadderPanelTest::deleteCancelsAtSelectedRow()
{
    m_table->setFocus();
    click(995, LadderModel::PriceColumn);
    QCOMPARE(m_panel->selectedPrice(), std::optional(Price{995}));

    QTest::keyClick(m_table, Qt::Key_Delete);

    QCOMPARE(m_gateway->cancelled.size(), std::size_t{2});
    QCOMPARE(m_gateway->cancelled[0], OrderId{11});
    QCOMPARE(m_gateway->cancelled[1], OrderId{12});
}

void LadderPanelTest::pageKeysScrollAndSpaceRecentres()
{
    m_table->setFocus();
    QCOMPARE(centrePrice(*m_model), qint64{1005});
    const int page = m_model->lastVisibleRow() - m_model->firstVisibleRow();
    QVERIFY(page > 5);

    QTest::keyClick(m_table, Qt::Key_PageUp);
    QCOMPARE(centrePrice(*m_model), qint64{1005 + 5 * page});
    // A new view with the market where it was leaves the scrolled ladder alone.
    m_panel->showView(bookView());
    QCOMPARE(centrePrice(*m_model), qint64{1005 + 5 * page});

    QTest::keyClick(m_table, Qt::Key_Space);
    QCOMPARE(centrePrice(*m_model), qint64{1005});

    QTest::keyClick(m_table, Qt::Key_PageDown);
    QTest::keyClick(m_table, Qt::Key_PageDown);
    QCOMPARE(centrePrice(*m_model), qint64{1005 - 10 * page});

    QTest::keyClick(m_table, Qt::Key_C);
    QCOMPARE(centrePrice(*m_model), qint64{1005});
    QVERIFY(m_gateway->submitted.empty());
}

void LadderPanelTest::centreButtonRecentres()
{
    m_model->scrollRows(12);
    QCOMPARE(centrePrice(*m_model), qint64{1065});

    auto *centre = m_panel->findChild<QToolButton *>(QStringLiteral("ladderCentre"));
    QTest::mouseClick(centre, Qt::LeftButton);

    QCOMPARE(centrePrice(*m_model), qint64{1005});
}

void LadderPanelTest::wheelScrollsRows()
{
    QWidget *viewport = m_table->viewport();
    const QPointF position = viewport->rect().center();
    QWheelEvent up(position, viewport->mapToGlobal(position), QPoint(), QPoint(0, 120),
                   Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QCoreApplication::sendEvent(viewport, &up);

    // One notch of 120 eighths of a degree scrolls three rows towards higher prices.
    QCOMPARE(centrePrice(*m_model), qint64{1020});
}

void LadderPanelTest::marketLeavingScreenRecentres()
{
    // The best ask starts one row above the centre. Moved up by rowsAbove - 3 ticks it is the
    // third visible row, clear of the two edge rows, and the ladder stays still.
    const int rowsAbove = m_model->centreRow() - m_model->firstVisibleRow();
    m_panel->showView(movedBy(rowsAbove - 3));
    QCOMPARE(centrePrice(*m_model), qint64{1005});

    // One more tick puts the best ask in an edge row: the ladder centres on the market.
    m_panel->showView(movedBy(rowsAbove - 2));
    const qint64 market = 1005 + 5 * (rowsAbove - 2);
    QCOMPARE(centrePrice(*m_model), market);
    const int row = m_model->rowOf(Price{market});
    QVERIFY(row >= m_model->firstVisibleRow());
    QVERIFY(row <= m_model->lastVisibleRow());
}

void LadderPanelTest::newInstrumentRecentres()
{
    m_table->setFocus();
    QTest::keyClick(m_table, Qt::Key_PageUp);
    // With the market off screen, the first arrow selects the middle row.
    QTest::keyClick(m_table, Qt::Key_Up);
    const int middle = (m_model->firstVisibleRow() + m_model->lastVisibleRow()) / 2;
    QCOMPARE(m_panel->selectedPrice(), m_model->priceAt(middle));

    auto view = std::make_shared<MarketView>();
    view->instrument = InstrumentId{8};
    view->tickSize = Price{10};
    view->bids = {LevelSummary{Price{5000}, Quantity{7}, 1}};
    view->asks = {LevelSummary{Price{5020}, Quantity{8}, 1}};
    view->trader.accounts = {AccountId{1}};
    m_panel->showView(view);

    QCOMPARE(centrePrice(*m_model), qint64{5010});
    QCOMPARE(m_panel->selectedPrice(), std::nullopt);
    QVERIFY(m_table->selectionModel()->selectedRows().isEmpty());
}

void LadderPanelTest::failingCheckShowsWarning()
{
    m_gateway->answer = [](const NewOrder &order) {
        return order.limit == Price{995} ? rejection("The order exceeds the position limit.")
                                         : Session::CheckAnswer{};
    };
    m_quantity->setQuantity(Quantity{3});

    hover(m_table->viewport(), cellCentre(995, LadderModel::BidSizeColumn));

    QVERIFY(!m_gateway->checked.empty());
    const NewOrder &checkedOrder = m_gateway->checked.back();
    QCOMPARE(checkedOrder.side, Side::Buy);
    QCOMPARE(checkedOrder.limit, Price{995});
    QCOMPARE(checkedOrder.quantity, Quantity{3});
    QCOMPARE(checkedOrder.account, AccountId{1});
    QCOMPARE(checkedOrder.instrument, InstrumentId{7});

    QTRY_COMPARE(m_panel->warningText(),
                 QStringLiteral("Buy 3 at 9.95 would be rejected: The order exceeds the "
                                "position limit."));
    const QModelIndex cell = m_model->index(m_model->rowOf(Price{995}), LadderModel::BidSizeColumn);
    QVERIFY(cell.data(LadderModel::WarningRole).toBool());
    QCOMPARE(cell.data(Qt::BackgroundRole).value<QColor>().rgb(),
             bourse::ui::theme::errorColor().rgb());
    QVERIFY(cell.data(Qt::ToolTipRole).toString().contains(QStringLiteral("position limit")));
    auto *warning = m_panel->findChild<QLabel *>(QStringLiteral("ladderWarning"));
    QCOMPARE(warning->text(), m_panel->warningText());
    QVERIFY(m_gateway->submitted.empty());
}

void LadderPanelTest::passingCheckClearsWarning()
{
    m_gateway->answer = [](const NewOrder &order) {
        return order.side == Side::Buy ? rejection("Trading is halted.") : Session::CheckAnswer{};
    };
    hover(m_table->viewport(), cellCentre(1000, LadderModel::BidSizeColumn));
    QTRY_VERIFY(m_panel->warningText().contains(QStringLiteral("Trading is halted.")));

    hover(m_table->viewport(), cellCentre(1010, LadderModel::AskSizeColumn));

    QTRY_COMPARE(m_panel->warningText(), QString());
    const QModelIndex bid = m_model->index(m_model->rowOf(Price{1000}), LadderModel::BidSizeColumn);
    QVERIFY(!bid.data(LadderModel::WarningRole).toBool());
    QCOMPARE(m_gateway->checked.back().side, Side::Sell);
    QCOMPARE(m_gateway->checked.back().limit, Price{1010});
}

void LadderPanelTest::staleCheckAnswerDropped()
{
    m_gateway->answerLater = true;
    QWidget *viewport = m_table->viewport();
    hover(viewport, cellCentre(995, LadderModel::BidSizeColumn));
    hover(viewport, cellCentre(990, LadderModel::BidSizeColumn));
    QCOMPARE(m_gateway->pending.size(), std::size_t{2});
    QCOMPARE(m_gateway->checked[0].limit, Price{995});
    QCOMPARE(m_gateway->checked[1].limit, Price{990});

    // The panel keeps working while both checks are pending.
    m_panel->showView(bookView());

    // The result for 995 arrives after the pointer moved on, so it must not show.
    m_gateway->pending[0].set_value(rejection("Answer for 9.95."));
    QTest::qWait(100);
    QCOMPARE(m_panel->warningText(), QString());

    m_gateway->pending[1].set_value(rejection("Answer for 9.90."));
    QTRY_VERIFY(m_panel->warningText().contains(QStringLiteral("Answer for 9.90.")));
    QVERIFY(!m_panel->warningText().contains(QStringLiteral("Answer for 9.95.")));
    const int row995 = m_model->rowOf(Price{995});
    QVERIFY(!m_model->index(row995, LadderModel::BidSizeColumn)
                 .data(LadderModel::WarningRole)
                 .toBool());
}

void LadderPanelTest::selectedRowChecksBothSides()
{
    m_gateway->answer = [](const NewOrder &order) {
        return order.side == Side::Sell ? rejection("Short selling is not allowed.")
                                        : Session::CheckAnswer{};
    };
    m_table->setFocus();
    QTest::keyClick(m_table, Qt::Key_Up);

    QCOMPARE(m_gateway->checked.size(), std::size_t{2});
    QCOMPARE(m_gateway->checked[0].side, Side::Buy);
    QCOMPARE(m_gateway->checked[0].limit, Price{1005});
    QCOMPARE(m_gateway->checked[1].side, Side::Sell);
    QCOMPARE(m_gateway->checked[1].limit, Price{1005});
    QTRY_COMPARE(m_panel->warningText(),
                 QStringLiteral("Sell 1 at 10.05 would be rejected: Short selling is not "
                                "allowed."));
    const int row = m_model->rowOf(Price{1005});
    QVERIFY(
        m_model->index(row, LadderModel::AskSizeColumn).data(LadderModel::WarningRole).toBool());
    QVERIFY(
        !m_model->index(row, LadderModel::BidSizeColumn).data(LadderModel::WarningRole).toBool());
}

void LadderPanelTest::secondViewUpdatesWithoutReset()
{
    QSignalSpy reset(m_model, &QAbstractItemModel::modelReset);
    QSignalSpy layout(m_model, &QAbstractItemModel::layoutChanged);
    QSignalSpy inserted(m_model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(m_model, &QAbstractItemModel::dataChanged);
    const int rows = m_model->rowCount();

    auto view = bookView();
    view->bids[0].quantity = Quantity{25};
    m_panel->showView(view);
    const auto bidSize = [this](std::int64_t price) {
        return m_model->index(m_model->rowOf(Price{price}), LadderModel::BidSizeColumn).data();
    };
    QCOMPARE(bidSize(1000), QVariant(QStringLiteral("25")));
    QCOMPARE(changed.count(), 1);

    // One tick up: the best bid of 20 moves from 1000 to 1005, and the window stays.
    m_panel->showView(movedBy(1));
    QCOMPARE(bidSize(1005), QVariant(QStringLiteral("20")));
    QCOMPARE(bidSize(1000), QVariant(QStringLiteral("40")));
    QCOMPARE(centrePrice(*m_model), qint64{1005});

    QCOMPARE(reset.count(), 0);
    QCOMPARE(layout.count(), 0);
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(m_model->rowCount(), rows);
}

void LadderPanelTest::withoutGatewayNothingSent()
{
    m_panel->setGateway(nullptr);

    click(995, LadderModel::BidSizeColumn);
    click(995, LadderModel::WorkingBuysColumn, Qt::RightButton);
    hover(m_table->viewport(), cellCentre(1000, LadderModel::BidSizeColumn));

    QVERIFY(m_gateway->submitted.empty());
    QVERIFY(m_gateway->cancelled.empty());
    QVERIFY(m_gateway->checked.empty());
    QVERIFY(m_panel->warningText().contains(QStringLiteral("Trading is off")));
}

void LadderPanelTest::unqueuedOrderShowsNotice()
{
    m_gateway->accepts = false;
    click(995, LadderModel::BidSizeColumn);

    QCOMPARE(m_gateway->submitted.size(), std::size_t{1});
    QCOMPARE(m_panel->warningText(),
             QStringLiteral("Buy at 9.95 not sent: the session takes no orders now."));

    m_gateway->accepts = true;
    click(995, LadderModel::BidSizeColumn);
    QCOMPARE(m_panel->warningText(), QString());
}

void LadderPanelTest::clearBlanksPanel()
{
    m_gateway->answer = [](const NewOrder &) { return rejection("Halted."); };
    hover(m_table->viewport(), cellCentre(1000, LadderModel::BidSizeColumn));
    QTRY_VERIFY(!m_panel->warningText().isEmpty());

    m_panel->clear();

    QCOMPARE(m_panel->warningText(), QString());
    QCOMPARE(m_account->count(), 0);
    QCOMPARE(m_panel->orderAccount(), AccountId{});
    QCOMPARE(m_model->marketPrice(), std::nullopt);
    for (int row = 0; row < m_model->rowCount(); ++row)
        QCOMPARE(m_model->index(row, LadderModel::PriceColumn).data().toString(), QString());

    // Without a view there is nothing to trade.
    QTest::mouseClick(m_table->viewport(), Qt::LeftButton, {},
                      m_table->viewport()->rect().center());
    QVERIFY(m_gateway->submitted.empty());
}

// A lot of 100, as QRTZ trades: every size is a multiple of 100, so "119,400" is the longest
// text, 7 characters, and a narrow dock must still show it whole.
void LadderPanelTest::lotSizedQuantitiesFitTheirColumns()
{
    m_panel->resize(300, 640);
    auto view = bookView();
    view->instrument = InstrumentId{9};
    view->lotSize = Quantity{100};
    view->bids = {LevelSummary{Price{1000}, Quantity{18300}, 3},
                  LevelSummary{Price{995}, Quantity{119400}, 9}};
    view->asks = {LevelSummary{Price{1010}, Quantity{23500}, 2}};
    view->recentVolume = {bourse::PriceVolume{Price{1000}, Quantity{119400}}};
    view->trader.workingOrders.clear();
    m_panel->showView(view);
    QCoreApplication::processEvents();

    // Each column fits its own longest text, bold as the best levels are, with the delegate's
    // padding of 6 pixels a side.
    QFont bold = m_table->font();
    bold.setBold(true);
    const QFontMetrics metrics(bold);
    const auto columnWidth = [this](int column) { return m_table->columnWidth(column); };
    const std::pair<int, QString> longest[] = {
        {LadderModel::BidSizeColumn, QStringLiteral("119,400")},
        {LadderModel::AskSizeColumn, QStringLiteral("23,500")},
        {LadderModel::VolumeColumn, QStringLiteral("119,400")},
    };
    for (const auto &[column, text] : longest)
        QVERIFY2(columnWidth(column) >= metrics.horizontalAdvance(text) + 12, qPrintable(text));

    // Smaller sizes later leave the columns as wide, so they do not jump under the mouse.
    const int bidWidth = columnWidth(LadderModel::BidSizeColumn);
    view = std::make_shared<MarketView>(*view);
    view->bids = {LevelSummary{Price{1000}, Quantity{100}, 1}};
    view->recentVolume.clear();
    m_panel->showView(view);
    QCoreApplication::processEvents();
    QCOMPARE(columnWidth(LadderModel::BidSizeColumn), bidWidth);
}

// Short sizes leave room to spare, which the columns share, so the ladder fills the panel.
void LadderPanelTest::columnsFillWidePanel()
{
    QCoreApplication::processEvents();
    int total = 0;
    for (int column = 0; column < LadderModel::ColumnCount; ++column)
        total += m_table->columnWidth(column);
    QCOMPARE(total, m_table->viewport()->width());
    QCOMPARE(m_table->columnWidth(LadderModel::BidSizeColumn),
             m_table->columnWidth(LadderModel::AskSizeColumn));
}

void LadderPanelTest::rejectionTextNamesVerdictOnce()
{
    m_gateway->answer = [](const NewOrder &) {
        return rejection("rejected: position limit, would be 103 against a limit of 100");
    };
    m_quantity->setQuantity(Quantity{3});
    hover(m_table->viewport(), cellCentre(995, LadderModel::BidSizeColumn));

    QTRY_COMPARE(m_panel->warningText(),
                 QStringLiteral("Buy 3 at 9.95 would be rejected: position limit, would be 103 "
                                "against a limit of 100"));
}

void LadderPanelTest::bothSideWarningsShowOnALineEach()
{
    m_panel->resize(300, 640);
    m_gateway->answer = [](const NewOrder &order) {
        return rejection(order.side == Side::Buy
                             ? "rejected: position limit, would be 101 against a limit of 100"
                             : "rejected: a cash account cannot sell short, would be -1");
    };
    m_table->setFocus();
    QTest::keyClick(m_table, Qt::Key_Up);

    const QString buy = QStringLiteral(
        "Buy 1 at 10.05 would be rejected: position limit, would be 101 against a limit of 100");
    const QString sell = QStringLiteral(
        "Sell 1 at 10.05 would be rejected: a cash account cannot sell short, would be -1");
    QTRY_COMPARE(m_panel->warningText(), buy + QLatin1Char('\n') + sell);

    auto *warning = m_panel->findChild<QLabel *>(QStringLiteral("ladderWarning"));
    const QStringList lines = warning->text().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 2);
    QVERIFY(lines[0].startsWith(QStringLiteral("Buy 1 at 10.05")));
    QVERIFY(lines[1].startsWith(QStringLiteral("Sell 1 at 10.05")));
    for (const QString &line : lines)
        QVERIFY2(warning->fontMetrics().horizontalAdvance(line) <= warning->contentsRect().width(),
                 qPrintable(line));
    QVERIFY(warning->contentsRect().height() >= 2 * warning->fontMetrics().lineSpacing());
    QCOMPARE(warning->toolTip(), buy + QLatin1Char('\n') + sell);
}

void LadderPanelTest::offLotQuantityShownInvalidAndNotSent()
{
    auto view = bookView();
    view->instrument = InstrumentId{9};
    view->lotSize = Quantity{100};
    m_panel->showView(view);
    QCOMPARE(m_quantity->quantity().value_or(Quantity{}), Quantity{100});
    // Without a quote of the instrument the engine's limits apply: 10^12 units, in lots of 100.
    QCOMPARE(m_quantity->highestQuantity().value_or(Quantity{}), Quantity{1'000'000'000'000});

    m_quantity->setFocus();
    m_quantity->selectAll();
    QTest::keyClicks(m_quantity, QStringLiteral("150"));
    QCOMPARE(m_quantity->text(), QStringLiteral("150"));
    QVERIFY(!m_quantity->quantity());
    QCOMPARE(m_panel->warningText(), QStringLiteral("No order is sent: Quantity 150 is not a "
                                                    "multiple of the lot size 100."));

    // Leaving the box keeps the text, and a click sends nothing while it is invalid.
    m_table->setFocus();
    QCOMPARE(m_quantity->text(), QStringLiteral("150"));
    click(1000, LadderModel::BidSizeColumn);
    QVERIFY(m_gateway->submitted.empty());

    // From between two lots, a step lands on the next lot multiple.
    m_quantity->stepUp();
    QCOMPARE(m_quantity->text(), QStringLiteral("200"));
    m_quantity->selectAll();
    QTest::keyClicks(m_quantity, QStringLiteral("350"));
    m_quantity->stepDown();
    QCOMPARE(m_quantity->text(), QStringLiteral("300"));
    QCOMPARE(m_panel->warningText(), QString());
    m_quantity->stepUp();
    QCOMPARE(m_quantity->quantity().value_or(Quantity{}), Quantity{400});
    click(1000, LadderModel::BidSizeColumn);
    QCOMPARE(m_gateway->submitted.size(), std::size_t{1});
    QCOMPARE(m_gateway->submitted[0].quantity, Quantity{400});
}

void LadderPanelTest::outOfRangeQuantityKeptAsTyped()
{
    m_quantity->setQuantity(Quantity{7});
    m_quantity->setFocus();
    m_quantity->selectAll();
    const QString nines(20, QLatin1Char('9'));
    QTest::keyClicks(m_quantity, nines);
    QCOMPARE(m_quantity->text(), nines);
    QVERIFY(!m_quantity->quantity());
    m_table->setFocus();
    QCOMPARE(m_quantity->text(), nines);
    QCOMPARE(m_panel->warningText(),
             QStringLiteral("No order is sent: Quantity %1 is above the maximum "
                            "1,000,000,000,000.")
                 .arg(nines));

    // From above the range, the first step down lands on the largest quantity.
    QCOMPARE(m_quantity->stepEnabled(), QAbstractSpinBox::StepDownEnabled);
    m_quantity->stepUp();
    QCOMPARE(m_quantity->text(), nines);
    m_quantity->stepDown();
    QCOMPARE(m_quantity->quantity().value_or(Quantity{}), Quantity{1'000'000'000'000});

    // A negative quantity stays as typed, and is named as the problem.
    m_quantity->setFocus();
    m_quantity->selectAll();
    QTest::keyClicks(m_quantity, QStringLiteral("-5"));
    QCOMPARE(m_quantity->text(), QStringLiteral("-5"));
    QVERIFY(!m_quantity->quantity());
    QCOMPARE(m_panel->warningText(),
             QStringLiteral("No order is sent: Quantity must be above zero."));
    click(1000, LadderModel::BidSizeColumn);
    QVERIFY(m_gateway->submitted.empty());
}

// An order above 2^31 - 1 units, the most a QSpinBox holds: 30 BTC at eight decimals.
void LadderPanelTest::quantityBeyondIntRangeSent()
{
    auto view = bookView();
    view->instrument = InstrumentId{10};
    view->quantityDecimals = 8;
    m_panel->showView(view);
    m_quantity->selectAll();
    QTest::keyClicks(m_quantity, QStringLiteral("30"));
    QCOMPARE(m_panel->orderQuantity().value_or(Quantity{}), Quantity{3'000'000'000});
    click(1000, LadderModel::BidSizeColumn);
    QCOMPARE(m_gateway->submitted.size(), std::size_t{1});
    QCOMPARE(m_gateway->submitted[0].quantity, Quantity{3'000'000'000});
}

// On an instrument of whole units, "2.5" is refused as the ticket refuses it, and no order of 2
// goes out.
void LadderPanelTest::fractionOfWholeUnitNotSent()
{
    m_quantity->selectAll();
    QTest::keyClicks(m_quantity, QStringLiteral("2.5"));
    QCOMPARE(m_quantity->text(), QStringLiteral("2.5"));
    QVERIFY(!m_panel->orderQuantity());
    QCOMPARE(m_panel->warningText(),
             QStringLiteral("No order is sent: Quantity 2.5 must be a whole number."));
    click(1000, LadderModel::BidSizeColumn);
    QVERIFY(m_gateway->submitted.empty());

    m_quantity->selectAll();
    QTest::keyClicks(m_quantity, QStringLiteral("abc"));
    QCOMPARE(m_quantity->text(), QStringLiteral("abc"));
    QCOMPARE(m_panel->warningText(),
             QStringLiteral("No order is sent: Quantity \"abc\" is not a number: type digits, "
                            "with a point before any decimals."));
}

void LadderPanelTest::narrowPanelShowsFullAccountName()
{
    m_panel->resize(320, 640);
    QCoreApplication::processEvents();
    QCOMPARE(m_account->currentText(), QStringLiteral("Account 1"));
    QVERIFY2(
        m_account->width() >= m_account->sizeHint().width(),
        qPrintable(
            QStringLiteral("%1 < %2").arg(m_account->width()).arg(m_account->sizeHint().width())));
}

// The focus instrument 7 takes orders of 1 to 5,000 units.
void LadderPanelTest::instrumentMaximumCapsQuantity()
{
    auto view = bookView();
    bourse::InstrumentQuote quote;
    quote.instrument = InstrumentId{7};
    quote.maximumQuantity = Quantity{5'000};
    view->instruments = {quote};
    m_panel->showView(view);
    QCOMPARE(m_quantity->lowestQuantity().value_or(Quantity{}), Quantity{1});
    QCOMPARE(m_quantity->highestQuantity().value_or(Quantity{}), Quantity{5'000});

    m_quantity->setFocus();
    m_quantity->selectAll();
    QTest::keyClicks(m_quantity, QStringLiteral("5001"));
    QVERIFY(!m_quantity->quantity());
    QCOMPARE(m_panel->warningText(),
             QStringLiteral("No order is sent: Quantity 5001 is above the instrument's maximum "
                            "order quantity 5,000."));
    click(1000, LadderModel::BidSizeColumn);
    QVERIFY(m_gateway->submitted.empty());

    m_quantity->selectAll();
    QTest::keyClicks(m_quantity, QStringLiteral("5000"));
    QCOMPARE(m_quantity->quantity().value_or(Quantity{}), Quantity{5'000});
    QCOMPARE(m_panel->warningText(), QString());
    m_quantity->stepUp();
    QCOMPARE(m_quantity->quantity().value_or(Quantity{}), Quantity{5'000});

    // A quantity set from elsewhere is shown as given, and refused with the reason, not cut.
    m_panel->setOrderQuantity(Quantity{9'000});
    QCOMPARE(m_quantity->text(), QStringLiteral("9,000"));
    QVERIFY(!m_panel->orderQuantity());
    click(1000, LadderModel::BidSizeColumn);
    QVERIFY(m_gateway->submitted.empty());
    m_panel->setOrderQuantity(Quantity{5'000});
    click(1000, LadderModel::BidSizeColumn);
    QCOMPARE(m_gateway->submitted.size(), std::size_t{1});
    QCOMPARE(m_gateway->submitted[0].quantity, Quantity{5'000});
}

// Instrument 8 has two quantity decimals and lots of 0.50 (50 units). Its orders take 1.00 to
// 5,000.00: 100 to 500,000 units.
void LadderPanelTest::instrumentLimitsInLotDecimals()
{
    auto view = bookView();
    view->instrument = InstrumentId{8};
    view->quantityDecimals = 2;
    view->lotSize = Quantity{50};
    bourse::InstrumentQuote quote;
    quote.instrument = InstrumentId{8};
    quote.quantityDecimals = 2;
    quote.lotSize = Quantity{50};
    quote.minimumQuantity = Quantity{100};
    quote.maximumQuantity = Quantity{500'000};
    view->instruments = {quote};
    m_panel->showView(view);
    QCOMPARE(m_quantity->lowestQuantity().value_or(Quantity{}), Quantity{100});
    QCOMPARE(m_quantity->highestQuantity().value_or(Quantity{}), Quantity{500'000});
    QCOMPARE(m_quantity->text(), QStringLiteral("1.00"));

    m_quantity->setFocus();
    m_quantity->selectAll();
    QTest::keyClicks(m_quantity, QStringLiteral("5000.5"));
    QCOMPARE(m_panel->warningText(),
             QStringLiteral("No order is sent: Quantity 5000.5 is above the instrument's "
                            "maximum order quantity 5,000.00."));

    m_quantity->selectAll();
    QTest::keyClicks(m_quantity, QStringLiteral("0.5"));
    QCOMPARE(m_panel->warningText(),
             QStringLiteral("No order is sent: Quantity 0.5 is below the instrument's minimum "
                            "order quantity 1.00."));

    m_quantity->selectAll();
    QTest::keyClicks(m_quantity, QStringLiteral("4,999.50"));
    QCOMPARE(m_panel->orderQuantity().value_or(Quantity{}), Quantity{499'950});
}

// The maximum 1,050 is not a multiple of the lot of 100: the box steps up to 1,000, and a
// typed 1,050 is refused for the lot, 1,100 for the maximum, each with its own reason.
void LadderPanelTest::maximumOffTheLotGrid()
{
    auto view = bookView();
    view->lotSize = Quantity{100};
    bourse::InstrumentQuote quote;
    quote.instrument = InstrumentId{7};
    quote.lotSize = Quantity{100};
    quote.maximumQuantity = Quantity{1'050};
    view->instruments = {quote};
    m_panel->showView(view);
    QCOMPARE(m_quantity->highestQuantity().value_or(Quantity{}), Quantity{1'000});

    m_quantity->setQuantity(Quantity{900});
    m_quantity->stepBy(5);
    QCOMPARE(m_quantity->quantity().value_or(Quantity{}), Quantity{1'000});

    m_quantity->selectAll();
    QTest::keyClicks(m_quantity, QStringLiteral("1050"));
    QCOMPARE(m_panel->warningText(), QStringLiteral("No order is sent: Quantity 1050 is not a "
                                                    "multiple of the lot size 100."));
    m_quantity->selectAll();
    QTest::keyClicks(m_quantity, QStringLiteral("1100"));
    QCOMPARE(m_panel->warningText(),
             QStringLiteral("No order is sent: Quantity 1100 is above the instrument's maximum "
                            "order quantity 1,050."));
}

// Orders of 150 to 180 units in lots of 100: no quantity is valid, and the box gives the reason
// rather than sending a lot that the engine would reject.
void LadderPanelTest::noLotInsideLimitsSendsNothing()
{
    auto view = bookView();
    view->lotSize = Quantity{100};
    bourse::InstrumentQuote quote;
    quote.instrument = InstrumentId{7};
    quote.lotSize = Quantity{100};
    quote.minimumQuantity = Quantity{150};
    quote.maximumQuantity = Quantity{180};
    view->instruments = {quote};
    m_panel->showView(view);
    QVERIFY(!m_quantity->lowestQuantity());
    QVERIFY(!m_quantity->highestQuantity());
    QCOMPARE(m_quantity->stepEnabled(), QAbstractSpinBox::StepNone);

    m_quantity->setQuantity(Quantity{100});
    QVERIFY(!m_panel->orderQuantity());
    QCOMPARE(m_panel->warningText(),
             QStringLiteral("No order is sent: Quantity 100 is below the instrument's minimum "
                            "order quantity 150."));
    click(1000, LadderModel::BidSizeColumn);
    QVERIFY(m_gateway->submitted.empty());
}

// A quantity typed before the instrument's definition arrives stays as typed when the limits
// come: 800 against a new maximum of 500 is refused with the reason, never cut to 500.
void LadderPanelTest::limitsArrivingKeepTypedQuantity()
{
    m_quantity->selectAll();
    QTest::keyClicks(m_quantity, QStringLiteral("800"));
    QCOMPARE(m_panel->orderQuantity().value_or(Quantity{}), Quantity{800});

    auto view = bookView();
    bourse::InstrumentQuote quote;
    quote.instrument = InstrumentId{7};
    quote.maximumQuantity = Quantity{500};
    view->instruments = {quote};
    m_panel->showView(view);
    QCOMPARE(m_quantity->text(), QStringLiteral("800"));
    QVERIFY(!m_panel->orderQuantity());
    QCOMPARE(m_panel->warningText(),
             QStringLiteral("No order is sent: Quantity 800 is above the instrument's maximum "
                            "order quantity 500."));
    click(1000, LadderModel::BidSizeColumn);
    QVERIFY(m_gateway->submitted.empty());
}

QTEST_MAIN(LadderPanelTest)
#include "tst_ladder_panel.moc"

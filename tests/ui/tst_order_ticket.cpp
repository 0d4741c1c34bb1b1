#include "engine_printers.h"
#include "order_ticket.h"
#include "order_ticket_input.h"
#include "order_ticket_message.h"
#include "recording_order_gateway.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeEdit>
#include <QLineEdit>
#include <QPushButton>
#include <QTest>

#include <memory>

using bourse::AccountId;
using bourse::InstrumentId;
using bourse::InstrumentQuote;
using bourse::LevelSummary;
using bourse::Liquidity;
using bourse::MarketView;
using bourse::NewOrder;
using bourse::OrderId;
using bourse::OrderType;
using bourse::OwnOrder;
using bourse::Price;
using bourse::Quantity;
using bourse::SelfTradePrevention;
using bourse::Side;
using bourse::TimeInForce;
using bourse::Timestamp;
using bourse::ui::OrderTicket;

namespace {

// 2024-03-01 10:00:00 UTC: a simulation stamps events with wall-clock time since the epoch.
constexpr std::int64_t kMarketTimeMilliseconds = 1'709'287'200'000;
constexpr std::int64_t kNanosecondsPerMillisecond = 1'000'000;

InstrumentQuote quote(std::uint32_t id, const char *symbol, int priceDecimals, int quantityDecimals,
                      std::int64_t tick, std::int64_t lot, std::int64_t last)
{
    InstrumentQuote row;
    row.instrument = InstrumentId{id};
    row.symbol = symbol;
    row.currency = "USD";
    row.priceDecimals = priceDecimals;
    row.quantityDecimals = quantityDecimals;
    row.tickSize = Price{tick};
    row.lotSize = Quantity{lot};
    row.last = Price{last};
    return row;
}

// XYZ trades in ticks of 0.05 and lots of 10. Its last trade was 100.00, between a bid of 99.95
// and an ask of 100.05. ABC has four price decimals and lots of 0.50 with two quantity decimals.
std::shared_ptr<MarketView> sampleView(std::uint32_t focus = 1)
{
    auto view = std::make_shared<MarketView>();
    view->takesOrders = true;
    view->instruments = {quote(1, "XYZ", 2, 0, 5, 10, 10'000),
                         quote(2, "ABC", 4, 2, 25, 50, 579'4000)};
    const InstrumentQuote &focused = view->instruments[focus - 1];
    view->instrument = focused.instrument;
    view->symbol = focused.symbol;
    view->priceDecimals = focused.priceDecimals;
    view->quantityDecimals = focused.quantityDecimals;
    view->tickSize = focused.tickSize;
    view->lotSize = focused.lotSize;
    if (focus == 1) {
        view->bids = {LevelSummary{Price{9'995}, Quantity{50}, 2}};
        view->asks = {LevelSummary{Price{10'005}, Quantity{30}, 1}};
    }
    view->trader.accounts = {AccountId{7}, AccountId{8}};
    view->marketTime = Timestamp{kMarketTimeMilliseconds * kNanosecondsPerMillisecond};
    return view;
}

template <typename Widget>
Widget *child(OrderTicket &ticket, const char *name)
{
    return ticket.findChild<Widget *>(QString::fromLatin1(name));
}

void typeInto(OrderTicket &ticket, const char *name, const QString &text)
{
    auto *field = child<QLineEdit>(ticket, name);
    QVERIFY2(field, name);
    field->clear();
    if (!text.isEmpty())
        QTest::keyClicks(field, text);
}

void choose(OrderTicket &ticket, const char *name, int value)
{
    auto *box = child<QComboBox>(ticket, name);
    QVERIFY2(box, name);
    const int index = box->findData(value);
    QVERIFY(index >= 0);
    box->setCurrentIndex(index);
}

void setExpiry(OrderTicket &ticket, std::int64_t milliseconds)
{
    child<QDateTimeEdit>(ticket, "ticketExpiry")
        ->setDateTime(QDateTime::fromMSecsSinceEpoch(milliseconds));
}

QString message(OrderTicket &ticket)
{
    return child<bourse::ui::MessageLine>(ticket, "ticketMessage")->fullText();
}

void compareOrders(const NewOrder &actual, const NewOrder &expected)
{
    QCOMPARE(actual.id, expected.id);
    QCOMPARE(actual.side, expected.side);
    QCOMPARE(actual.type, expected.type);
    QCOMPARE(actual.limit, expected.limit);
    QCOMPARE(actual.stopPrice, expected.stopPrice);
    QCOMPARE(actual.protectionPrice, expected.protectionPrice);
    QCOMPARE(actual.quantity, expected.quantity);
    QCOMPARE(actual.displayQuantity, expected.displayQuantity);
    QCOMPARE(actual.timeInForce, expected.timeInForce);
    QCOMPARE(actual.expiry, expected.expiry);
    QCOMPARE(static_cast<int>(actual.liquidity), static_cast<int>(expected.liquidity));
    QCOMPARE(actual.selfTradePrevention, expected.selfTradePrevention);
    QCOMPARE(actual.instrument, expected.instrument);
    QCOMPARE(actual.account, expected.account);
    QCOMPARE(actual.clientOrderId, expected.clientOrderId);
}

NewOrder expectedOrder(Side side, OrderType type, std::int64_t quantity)
{
    NewOrder order;
    order.side = side;
    order.type = type;
    order.quantity = Quantity{quantity};
    order.instrument = InstrumentId{1};
    order.account = AccountId{7};
    return order;
}

} // namespace

class OrderTicketTest : public QObject {
    Q_OBJECT

private slots:
    void readPriceIsExact_data();
    void readPriceIsExact();
    void ticketSendsOrderOfEachType_data();
    void ticketSendsOrderOfEachType();
    void invalidInputBlocksSending_data();
    void invalidInputBlocksSending();
    void stopAtLastTradeBlocksOneSide();
    void postOnlyThatWouldTradeBlocksOneSide();
    void hotkeysSendAndCancel();
    void chosenAccountIsSent();
    void decimalQuantityOnLot();
    void focusChangeClearsPrices();
    void missingGatewayDisablesTrading();
    void journalReplayTakesNoOrders();
    void replayWithFillModelTakesOrders();
    void unqueuedOrderIsReported();
    void preTradeCheckShowsAnswers();
    void pendingCheckTimesOut();
    void quantityReadsGroupingAndQuotesMaximum();
    void orderQuantityWithinInstrumentLimits_data();
    void orderQuantityWithinInstrumentLimits();
    void quantityAboveInstrumentMaximumBlocked();
    void buttonsVisibleInDefaultDock();
    void rejectedOrderReported();
    void restingOrderReportedUntilFilled();
    void rejectingCheckShownAsProblem();
};

void OrderTicketTest::readPriceIsExact_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("decimals");
    QTest::addColumn<qint64>("tick");
    QTest::addColumn<qint64>("units");
    QTest::addColumn<QString>("problem");

    // 0.29 is 0.28999... as a double, but digit by digit it is 29 hundredths.
    QTest::newRow("0.29 exact") << "0.29" << 2 << qint64{1} << qint64{29} << "";
    QTest::newRow("16.90 exact") << "16.90" << 2 << qint64{1} << qint64{1690} << "";
    QTest::newRow("fewer decimals") << "101.5" << 2 << qint64{5} << qint64{10150} << "";
    QTest::newRow("zeros past scale") << "101.250" << 2 << qint64{5} << qint64{10125} << "";
    QTest::newRow("whole number") << " 579 " << 4 << qint64{25} << qint64{5790000} << "";
    QTest::newRow("off tick") << "101.03" << 2 << qint64{5} << qint64{0}
                              << "Price 101.03 is not a multiple of the tick size 0.05.";
    QTest::newRow("too many decimals")
        << "101.125" << 2 << qint64{1} << qint64{0} << "Price 101.125 has more than 2 decimals.";
    QTest::newRow("whole only") << "3.5" << 0 << qint64{1} << qint64{0}
                                << "Price 3.5 must be a whole number.";
    QTest::newRow("zero") << "0.00" << 2 << qint64{1} << qint64{0} << "Price must be above zero.";
    QTest::newRow("negative") << "-1" << 2 << qint64{1} << qint64{0} << "Price must be above zero.";
    QTest::newRow("exponent") << "1e3" << 2 << qint64{1} << qint64{0}
                              << "Price \"1e3\" is not a number: type digits, with a point "
                                 "before any decimals.";
    QTest::newRow("empty") << "  " << 2 << qint64{1} << qint64{0} << "Price is missing.";
    QTest::newRow("above maximum")
        << "10000000000000.01" << 2 << qint64{1} << qint64{0}
        << "Price 10000000000000.01 is above the maximum 10,000,000,000,000.00.";
    QTest::newRow("beyond 64 bits")
        << "99999999999999999999" << 2 << qint64{1} << qint64{0}
        << "Price 99999999999999999999 is above the maximum 10,000,000,000,000.00.";
    // As the panels display prices and as a trader may stop typing.
    QTest::newRow("grouped") << "1,000.50" << 2 << qint64{5} << qint64{100050} << "";
    QTest::newRow("trailing point") << "10." << 2 << qint64{1} << qint64{1000} << "";
    QTest::newRow("misplaced comma")
        << "1,00" << 2 << qint64{1} << qint64{0}
        << "Price \"1,00\" is not a number: type digits, with a point before any decimals.";
}

void OrderTicketTest::readPriceIsExact()
{
    QFETCH(QString, text);
    QFETCH(int, decimals);
    QFETCH(qint64, tick);
    QFETCH(qint64, units);
    QFETCH(QString, problem);

    const auto price = bourse::ui::readPrice(text, QStringLiteral("Price"), decimals, Price{tick});
    QCOMPARE(price.problem, problem);
    QCOMPARE(price.value, Price{units});
}

void OrderTicketTest::ticketSendsOrderOfEachType_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("timeInForce");
    QTest::addColumn<QString>("quantity");
    QTest::addColumn<QString>("limit");
    QTest::addColumn<QString>("stop");
    QTest::addColumn<QString>("protection");
    QTest::addColumn<QString>("display");
    QTest::addColumn<bool>("postOnly");
    QTest::addColumn<int>("selfTrade");
    QTest::addColumn<bool>("sell");
    QTest::addColumn<NewOrder>("expected");

    const int limit = static_cast<int>(OrderType::Limit);
    const int market = static_cast<int>(OrderType::Market);
    const int stop = static_cast<int>(OrderType::Stop);
    const int stopLimit = static_cast<int>(OrderType::StopLimit);
    const int gtc = static_cast<int>(TimeInForce::Gtc);
    const int defaultMode = static_cast<int>(SelfTradePrevention::AccountDefault);

    NewOrder order = expectedOrder(Side::Buy, OrderType::Limit, 30);
    order.limit = Price{10'010};
    QTest::newRow("limit buy GTC") << limit << gtc << "30"
                                   << "100.10"
                                   << ""
                                   << ""
                                   << "" << false << defaultMode << false << order;

    order = expectedOrder(Side::Sell, OrderType::Market, 20);
    order.timeInForce = TimeInForce::Ioc;
    order.protectionPrice = Price{9'900};
    QTest::newRow("market sell IOC with protection")
        << market << static_cast<int>(TimeInForce::Ioc) << "20"
        << ""
        << ""
        << "99.00"
        << "" << false << defaultMode << true << order;

    order = expectedOrder(Side::Buy, OrderType::Market, 10);
    QTest::newRow("market buy without protection") << market << gtc << "10"
                                                   << ""
                                                   << ""
                                                   << ""
                                                   << "" << false << defaultMode << false << order;

    order = expectedOrder(Side::Buy, OrderType::Stop, 40);
    order.stopPrice = Price{10'100};
    order.timeInForce = TimeInForce::Day;
    QTest::newRow("stop buy DAY above last trade")
        << stop << static_cast<int>(TimeInForce::Day) << "40"
        << ""
        << "101.00"
        << ""
        << "" << false << defaultMode << false << order;

    order = expectedOrder(Side::Sell, OrderType::StopLimit, 50);
    order.stopPrice = Price{9'900};
    order.limit = Price{9'850};
    order.timeInForce = TimeInForce::Gtd;
    order.expiry = Timestamp{(kMarketTimeMilliseconds + 7'200'000) * kNanosecondsPerMillisecond};
    QTest::newRow("stop-limit sell GTD") << stopLimit << static_cast<int>(TimeInForce::Gtd) << "50"
                                         << "98.50"
                                         << "99"
                                         << ""
                                         << "" << false << defaultMode << true << order;

    order = expectedOrder(Side::Buy, OrderType::Limit, 100);
    order.limit = Price{9'990};
    order.displayQuantity = Quantity{20};
    QTest::newRow("iceberg buy") << limit << gtc << "100"
                                 << "99.90"
                                 << ""
                                 << ""
                                 << "20" << false << defaultMode << false << order;

    order = expectedOrder(Side::Sell, OrderType::Limit, 10);
    order.limit = Price{10'020};
    order.liquidity = Liquidity::PostOnly;
    QTest::newRow("post-only sell") << limit << gtc << "10"
                                    << "100.20"
                                    << ""
                                    << ""
                                    << "" << true << defaultMode << true << order;

    order = expectedOrder(Side::Buy, OrderType::Limit, 60);
    order.limit = Price{10'005};
    order.timeInForce = TimeInForce::Fok;
    order.selfTradePrevention = SelfTradePrevention::CancelOldest;
    QTest::newRow("FOK buy cancelling oldest self-trade")
        << limit << static_cast<int>(TimeInForce::Fok) << "60"
        << "100.05"
        << ""
        << ""
        << "" << false << static_cast<int>(SelfTradePrevention::CancelOldest) << false << order;
}

void OrderTicketTest::ticketSendsOrderOfEachType()
{
    QFETCH(int, type);
    QFETCH(int, timeInForce);
    QFETCH(QString, quantity);
    QFETCH(QString, limit);
    QFETCH(QString, stop);
    QFETCH(QString, protection);
    QFETCH(QString, display);
    QFETCH(bool, postOnly);
    QFETCH(int, selfTrade);
    QFETCH(bool, sell);
    QFETCH(NewOrder, expected);

    RecordingOrderGateway gateway;
    OrderTicket ticket;
    ticket.setGateway(&gateway);
    ticket.showView(sampleView());

    choose(ticket, "ticketType", type);
    choose(ticket, "ticketTimeInForce", timeInForce);
    choose(ticket, "ticketSelfTradePrevention", selfTrade);
    if (expected.timeInForce == TimeInForce::Gtd)
        setExpiry(ticket, expected.expiry.value() / kNanosecondsPerMillisecond);
    typeInto(ticket, "ticketQuantity", quantity);
    if (!limit.isEmpty())
        typeInto(ticket, "ticketLimitPrice", limit);
    if (!stop.isEmpty())
        typeInto(ticket, "ticketStopPrice", stop);
    if (!protection.isEmpty())
        typeInto(ticket, "ticketProtectionPrice", protection);
    if (!display.isEmpty())
        typeInto(ticket, "ticketDisplayQuantity", display);
    child<QCheckBox>(ticket, "ticketPostOnly")->setChecked(postOnly);

    auto *button = child<QPushButton>(ticket, sell ? "ticketSell" : "ticketBuy");
    QVERIFY2(button->isEnabled(), qPrintable(message(ticket)));
    QTest::mouseClick(button, Qt::LeftButton);

    QCOMPARE(gateway.submitted.size(), std::size_t{1});
    compareOrders(gateway.submitted.front(), expected);
    QVERIFY2(message(ticket).startsWith(QStringLiteral("Sent: ")), qPrintable(message(ticket)));
}

void OrderTicketTest::invalidInputBlocksSending_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("timeInForce");
    QTest::addColumn<QString>("quantity");
    QTest::addColumn<QString>("limit");
    QTest::addColumn<QString>("stop");
    QTest::addColumn<QString>("display");
    QTest::addColumn<bool>("postOnly");
    QTest::addColumn<qint64>("expiryOffsetMilliseconds");
    QTest::addColumn<QString>("problem");

    const int limit = static_cast<int>(OrderType::Limit);
    const int gtc = static_cast<int>(TimeInForce::Gtc);
    QTest::newRow("price off tick")
        << limit << gtc << "30"
        << "100.03"
        << ""
        << "" << false << qint64{0}
        << "Limit price 100.03 is not a multiple of the tick size 0.05.";
    QTest::newRow("price with too many decimals")
        << limit << gtc << "30"
        << "100.055"
        << ""
        << "" << false << qint64{0} << "Limit price 100.055 has more than 2 decimals.";
    QTest::newRow("quantity off lot")
        << limit << gtc << "25"
        << "100.00"
        << ""
        << "" << false << qint64{0} << "Quantity 25 is not a multiple of the lot size 10.";
    QTest::newRow("quantity zero") << limit << gtc << "0"
                                   << "100.00"
                                   << ""
                                   << "" << false << qint64{0} << "Quantity must be above zero.";
    QTest::newRow("quantity not a number")
        << limit << gtc << "ten"
        << "100.00"
        << ""
        << "" << false << qint64{0}
        << "Quantity \"ten\" is not a number: type digits, with a point before any decimals.";
    QTest::newRow("quantity missing") << limit << gtc << ""
                                      << "100.00"
                                      << ""
                                      << "" << false << qint64{0} << "Quantity is missing.";
    QTest::newRow("limit price missing") << limit << gtc << "30"
                                         << ""
                                         << ""
                                         << "" << false << qint64{0} << "Limit price is missing.";
    QTest::newRow("stop price missing") << static_cast<int>(OrderType::Stop) << gtc << "30"
                                        << ""
                                        << ""
                                        << "" << false << qint64{0} << "Stop price is missing.";
    QTest::newRow("stop-limit without stop")
        << static_cast<int>(OrderType::StopLimit) << gtc << "30"
        << "99.00"
        << ""
        << "" << false << qint64{0} << "Stop price is missing.";
    QTest::newRow("display not below quantity")
        << limit << gtc << "30"
        << "100.00"
        << ""
        << "30" << false << qint64{0} << "Display quantity 30 must be below the quantity 30.";
    QTest::newRow("display off lot") << limit << gtc << "30"
                                     << "100.00"
                                     << ""
                                     << "15" << false << qint64{0}
                                     << "Display quantity 15 is not a multiple of the lot size 10.";
    QTest::newRow("iceberg that cannot rest")
        << limit << static_cast<int>(TimeInForce::Ioc) << "30"
        << "100.00"
        << ""
        << "10" << false << qint64{0}
        << "An iceberg must be able to rest: choose GTC, DAY or GTD, or clear the display "
           "quantity.";
    QTest::newRow("post-only that cannot rest")
        << limit << static_cast<int>(TimeInForce::Fok) << "30"
        << "99.00"
        << ""
        << "" << true << qint64{0}
        << "A post-only order must be able to rest: choose GTC, DAY or GTD.";
    QTest::newRow("market DAY") << static_cast<int>(OrderType::Market)
                                << static_cast<int>(TimeInForce::Day) << "30"
                                << ""
                                << ""
                                << "" << false << qint64{0}
                                << "A market order never rests, so it cannot be DAY or GTD: "
                                   "choose GTC, IOC or FOK.";
    QTest::newRow("GTD expiry passed")
        << limit << static_cast<int>(TimeInForce::Gtd) << "30"
        << "100.00"
        << ""
        << "" << false << qint64{-60'000}
        << QStringLiteral("Expiry %1 is not in the future: the market time is %2.")
               .arg(QDateTime::fromMSecsSinceEpoch(kMarketTimeMilliseconds - 60'000)
                        .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")),
                    QDateTime::fromMSecsSinceEpoch(kMarketTimeMilliseconds)
                        .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
}

void OrderTicketTest::invalidInputBlocksSending()
{
    QFETCH(int, type);
    QFETCH(int, timeInForce);
    QFETCH(QString, quantity);
    QFETCH(QString, limit);
    QFETCH(QString, stop);
    QFETCH(QString, display);
    QFETCH(bool, postOnly);
    QFETCH(qint64, expiryOffsetMilliseconds);
    QFETCH(QString, problem);

    RecordingOrderGateway gateway;
    OrderTicket ticket;
    ticket.setGateway(&gateway);
    ticket.showView(sampleView());
    ticket.show();
    QVERIFY(QTest::qWaitForWindowExposed(&ticket));

    choose(ticket, "ticketType", type);
    choose(ticket, "ticketTimeInForce", timeInForce);
    if (expiryOffsetMilliseconds != 0)
        setExpiry(ticket, kMarketTimeMilliseconds + expiryOffsetMilliseconds);
    typeInto(ticket, "ticketQuantity", quantity);
    typeInto(ticket, "ticketLimitPrice", limit);
    typeInto(ticket, "ticketStopPrice", stop);
    typeInto(ticket, "ticketDisplayQuantity", display);
    child<QCheckBox>(ticket, "ticketPostOnly")->setChecked(postOnly);

    QCOMPARE(message(ticket), problem);
    QCOMPARE(ticket.problemFor(Side::Buy), problem);
    QCOMPARE(ticket.problemFor(Side::Sell), problem);
    QVERIFY(!child<QPushButton>(ticket, "ticketBuy")->isEnabled());
    QVERIFY(!child<QPushButton>(ticket, "ticketSell")->isEnabled());
    QVERIFY(!ticket.buyAction()->isEnabled());
    QVERIFY(!ticket.sellAction()->isEnabled());

    QTest::mouseClick(child<QPushButton>(ticket, "ticketBuy"), Qt::LeftButton);
    QVERIFY(!ticket.send(Side::Sell));
    QVERIFY(gateway.submitted.empty());
}

void OrderTicketTest::stopAtLastTradeBlocksOneSide()
{
    RecordingOrderGateway gateway;
    OrderTicket ticket;
    ticket.setGateway(&gateway);
    ticket.showView(sampleView());
    choose(ticket, "ticketType", static_cast<int>(OrderType::Stop));
    typeInto(ticket, "ticketQuantity", QStringLiteral("10"));

    // The last trade was 100.00: a buy stop there or below would trigger at once.
    typeInto(ticket, "ticketStopPrice", QStringLiteral("99.50"));
    QVERIFY(!child<QPushButton>(ticket, "ticketBuy")->isEnabled());
    QVERIFY(child<QPushButton>(ticket, "ticketSell")->isEnabled());
    QCOMPARE(message(ticket), QStringLiteral("A buy stop must be above the last trade 100.00."));

    typeInto(ticket, "ticketStopPrice", QStringLiteral("100.00"));
    QVERIFY(!child<QPushButton>(ticket, "ticketBuy")->isEnabled());
    QVERIFY(!child<QPushButton>(ticket, "ticketSell")->isEnabled());

    typeInto(ticket, "ticketStopPrice", QStringLiteral("100.50"));
    QVERIFY(child<QPushButton>(ticket, "ticketBuy")->isEnabled());
    QVERIFY(!child<QPushButton>(ticket, "ticketSell")->isEnabled());
    QVERIFY(!ticket.send(Side::Sell));
    QVERIFY(ticket.send(Side::Buy));
    QCOMPARE(gateway.submitted.size(), std::size_t{1});
    QCOMPARE(gateway.submitted.front().stopPrice, Price{10'050});
}

void OrderTicketTest::postOnlyThatWouldTradeBlocksOneSide()
{
    RecordingOrderGateway gateway;
    OrderTicket ticket;
    ticket.setGateway(&gateway);
    ticket.showView(sampleView());
    typeInto(ticket, "ticketQuantity", QStringLiteral("10"));
    child<QCheckBox>(ticket, "ticketPostOnly")->setChecked(true);

    // The book is 99.95 bid, 100.05 offered.
    typeInto(ticket, "ticketLimitPrice", QStringLiteral("100.05"));
    QVERIFY(!child<QPushButton>(ticket, "ticketBuy")->isEnabled());
    QVERIFY(child<QPushButton>(ticket, "ticketSell")->isEnabled());
    QCOMPARE(message(ticket),
             QStringLiteral("A post-only buy at 100.05 would trade with the best ask 100.05."));

    typeInto(ticket, "ticketLimitPrice", QStringLiteral("100.00"));
    QVERIFY(child<QPushButton>(ticket, "ticketBuy")->isEnabled());
    QVERIFY(child<QPushButton>(ticket, "ticketSell")->isEnabled());
}

void OrderTicketTest::hotkeysSendAndCancel()
{
    RecordingOrderGateway gateway;
    OrderTicket ticket;
    ticket.setGateway(&gateway);
    ticket.showView(sampleView());
    ticket.show();
    ticket.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&ticket));

    typeInto(ticket, "ticketQuantity", QStringLiteral("20"));
    typeInto(ticket, "ticketLimitPrice", QStringLiteral("99.95"));
    auto *quantity = child<QLineEdit>(ticket, "ticketQuantity");
    quantity->setFocus();
    QVERIFY(quantity->hasFocus());

    QTest::keyClick(quantity, Qt::Key_F1);
    QTest::keyClick(quantity, Qt::Key_F2);
    QTest::keyClick(quantity, Qt::Key_B, Qt::ControlModifier);
    QTest::keyClick(quantity, Qt::Key_S, Qt::ControlModifier);
    QCOMPARE(gateway.submitted.size(), std::size_t{4});
    const std::array<Side, 4> sides{Side::Buy, Side::Sell, Side::Buy, Side::Sell};
    for (std::size_t i = 0; i < sides.size(); ++i) {
        QCOMPARE(gateway.submitted[i].side, sides[i]);
        QCOMPARE(gateway.submitted[i].limit, Price{9'995});
        QCOMPARE(gateway.submitted[i].quantity, Quantity{20});
    }
    // The keys went to the shortcuts, not into the field.
    QCOMPARE(quantity->text(), QStringLiteral("20"));

    QTest::keyClick(quantity, Qt::Key_F12);
    QTest::keyClick(quantity, Qt::Key_X, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(gateway.massCancelled.size(), std::size_t{2});
    for (const bourse::MassCancel &scope : gateway.massCancelled) {
        QCOMPARE(scope.account, AccountId{7});
        QCOMPARE(scope.instrument, InstrumentId{0});
    }

    // An invalid ticket ignores the send keys but still cancels.
    typeInto(ticket, "ticketLimitPrice", QStringLiteral("99.97"));
    quantity->setFocus();
    QTest::keyClick(quantity, Qt::Key_F1);
    QTest::keyClick(quantity, Qt::Key_F2);
    QCOMPARE(gateway.submitted.size(), std::size_t{4});
    QTest::keyClick(quantity, Qt::Key_F12);
    QCOMPARE(gateway.massCancelled.size(), std::size_t{3});
}

void OrderTicketTest::chosenAccountIsSent()
{
    RecordingOrderGateway gateway;
    OrderTicket ticket;
    ticket.setGateway(&gateway);
    ticket.showView(sampleView());
    auto *accounts = child<QComboBox>(ticket, "ticketAccount");
    QCOMPARE(accounts->count(), 2);
    QCOMPARE(accounts->itemText(0), QStringLiteral("Account 7"));
    choose(ticket, "ticketAccount", 8);

    // A later view with the same accounts keeps the choice.
    ticket.showView(sampleView());
    QCOMPARE(accounts->currentData().toUInt(), 8U);

    typeInto(ticket, "ticketQuantity", QStringLiteral("10"));
    typeInto(ticket, "ticketLimitPrice", QStringLiteral("100"));
    QVERIFY(ticket.send(Side::Buy));
    QCOMPARE(gateway.submitted.back().account, AccountId{8});
    QVERIFY(ticket.cancelAll());
    QCOMPARE(gateway.massCancelled.back().account, AccountId{8});
}

void OrderTicketTest::decimalQuantityOnLot()
{
    RecordingOrderGateway gateway;
    OrderTicket ticket;
    ticket.setGateway(&gateway);
    ticket.showView(sampleView(2));

    // ABC: lots of 0.50 with two quantity decimals, ticks of 0.0025 with four price decimals.
    typeInto(ticket, "ticketLimitPrice", QStringLiteral("579.4025"));
    typeInto(ticket, "ticketQuantity", QStringLiteral("1.25"));
    QCOMPARE(message(ticket), QStringLiteral("Quantity 1.25 is not a multiple of the lot size "
                                             "0.50."));
    typeInto(ticket, "ticketQuantity", QStringLiteral("1.5"));
    QVERIFY(ticket.send(Side::Sell));
    QCOMPARE(gateway.submitted.back().quantity, Quantity{150});
    QCOMPARE(gateway.submitted.back().limit, Price{5'794'025});
    QCOMPARE(gateway.submitted.back().instrument, InstrumentId{2});
}

void OrderTicketTest::focusChangeClearsPrices()
{
    RecordingOrderGateway gateway;
    OrderTicket ticket;
    ticket.setGateway(&gateway);
    ticket.showView(sampleView());
    typeInto(ticket, "ticketQuantity", QStringLiteral("10"));
    typeInto(ticket, "ticketLimitPrice", QStringLiteral("100.10"));

    ticket.showView(sampleView());
    QCOMPARE(child<QLineEdit>(ticket, "ticketLimitPrice")->text(), QStringLiteral("100.10"));

    ticket.showView(sampleView(2));
    QVERIFY(child<QLineEdit>(ticket, "ticketLimitPrice")->text().isEmpty());
    QCOMPARE(child<QLineEdit>(ticket, "ticketQuantity")->text(), QStringLiteral("10"));
    QCOMPARE(message(ticket), QStringLiteral("Limit price is missing."));
    QCOMPARE(child<QLabel>(ticket, "ticketInstrument")->text(),
             QStringLiteral("ABC, tick 0.0025, lot 0.50"));

    ticket.setLimitPrice(Price{5'794'000});
    QCOMPARE(child<QLineEdit>(ticket, "ticketLimitPrice")->text(), QStringLiteral("579.4000"));
}

void OrderTicketTest::missingGatewayDisablesTrading()
{
    OrderTicket ticket;
    ticket.showView(sampleView());
    typeInto(ticket, "ticketQuantity", QStringLiteral("10"));
    typeInto(ticket, "ticketLimitPrice", QStringLiteral("100"));
    QCOMPARE(message(ticket), QStringLiteral("Trading is off: no session takes orders."));
    QVERIFY(!child<QPushButton>(ticket, "ticketBuy")->isEnabled());
    QVERIFY(!child<QPushButton>(ticket, "ticketCancelAll")->isEnabled());
    QVERIFY(!ticket.send(Side::Buy));
    QVERIFY(!ticket.cancelAll());
}

void OrderTicketTest::journalReplayTakesNoOrders()
{
    RecordingOrderGateway gateway;
    OrderTicket ticket;
    ticket.setGateway(&gateway);
    auto view = sampleView();
    view->mode = bourse::SessionMode::Replay;
    view->takesOrders = false;
    ticket.showView(view);
    typeInto(ticket, "ticketQuantity", QStringLiteral("10"));
    typeInto(ticket, "ticketLimitPrice", QStringLiteral("100"));
    QCOMPARE(message(ticket), QStringLiteral("This replay takes no orders."));
    QVERIFY(!child<QPushButton>(ticket, "ticketCancelAll")->isEnabled());
    QVERIFY(!ticket.send(Side::Buy));
    QVERIFY(gateway.submitted.empty());
}

// A replay of a recorded day fills the trader's orders through its queue-position model, so the
// ticket sends them as in a simulation.
void OrderTicketTest::replayWithFillModelTakesOrders()
{
    RecordingOrderGateway gateway;
    OrderTicket ticket;
    ticket.setGateway(&gateway);
    auto view = sampleView();
    view->mode = bourse::SessionMode::Replay;
    ticket.showView(view);
    typeInto(ticket, "ticketQuantity", QStringLiteral("10"));
    typeInto(ticket, "ticketLimitPrice", QStringLiteral("100"));
    QVERIFY(child<QPushButton>(ticket, "ticketCancelAll")->isEnabled());
    QVERIFY(ticket.send(Side::Buy));
    QCOMPARE(gateway.submitted.size(), std::size_t{1});
}

void OrderTicketTest::unqueuedOrderIsReported()
{
    RecordingOrderGateway gateway;
    gateway.queues = false;
    OrderTicket ticket;
    ticket.setGateway(&gateway);
    ticket.showView(sampleView());
    typeInto(ticket, "ticketQuantity", QStringLiteral("10"));
    typeInto(ticket, "ticketLimitPrice", QStringLiteral("100"));
    QVERIFY(!ticket.send(Side::Buy));
    QCOMPARE(gateway.submitted.size(), std::size_t{1});
    QVERIFY2(message(ticket).startsWith(QStringLiteral("Not sent: the session did not queue")),
             qPrintable(message(ticket)));
}

void OrderTicketTest::preTradeCheckShowsAnswers()
{
    RecordingOrderGateway gateway;
    gateway.sellAnswer.check.reason = bourse::RejectReason::RiskLimit;
    gateway.sellAnswer.text = "the position limit of 100 lots would be exceeded";
    OrderTicket ticket;
    ticket.setGateway(&gateway);
    ticket.showView(sampleView());
    typeInto(ticket, "ticketQuantity", QStringLiteral("10"));
    typeInto(ticket, "ticketLimitPrice", QStringLiteral("100"));

    auto *check = child<bourse::ui::MessageLine>(ticket, "ticketCheck");
    QTRY_COMPARE(check->fullText(),
                 QStringLiteral("Pre-trade check: buy passes, sell would be rejected: the "
                                "position limit of 100 lots would be exceeded."));
    QCOMPARE(gateway.checked.size(), std::size_t{2});
    QCOMPARE(gateway.checked[0].side, Side::Buy);
    QCOMPARE(gateway.checked[1].side, Side::Sell);
    QCOMPARE(gateway.checked[0].limit, Price{10'000});
    // The check is a question only: nothing was sent.
    QVERIFY(gateway.submitted.empty());

    // An invalid order is not checked, and the line empties.
    typeInto(ticket, "ticketLimitPrice", QStringLiteral("100.01"));
    QVERIFY(check->fullText().isEmpty());
}

void OrderTicketTest::pendingCheckTimesOut()
{
    RecordingOrderGateway gateway;
    gateway.holdsChecks = true;
    OrderTicket ticket;
    ticket.setGateway(&gateway);
    ticket.showView(sampleView());
    typeInto(ticket, "ticketQuantity", QStringLiteral("10"));
    typeInto(ticket, "ticketLimitPrice", QStringLiteral("100"));

    auto *check = child<bourse::ui::MessageLine>(ticket, "ticketCheck");
    QCOMPARE(check->fullText(), QStringLiteral("Pre-trade check: waiting."));
    QTRY_COMPARE_WITH_TIMEOUT(check->fullText(),
                              QStringLiteral("Pre-trade check: no result within 2 seconds."), 5000);
    QCOMPARE(gateway.heldChecks.size(), std::size_t{2});
    // The ticket still sends: a check is advice, not a gate.
    QVERIFY(ticket.send(Side::Buy));
}

void OrderTicketTest::quantityReadsGroupingAndQuotesMaximum()
{
    const auto grouped = bourse::ui::readQuantity(QStringLiteral("60,000"),
                                                  QStringLiteral("Quantity"), 0, Quantity{100});
    QCOMPARE(grouped.problem, QString());
    QCOMPARE(grouped.value, Quantity{60'000});

    // kMaximumQuantity is 10^12 units: 1,000,000,000,000 whole, 10,000,000,000.00 at two
    // decimals.
    QCOMPARE(bourse::ui::readQuantity(QStringLiteral("99999999999999"), QStringLiteral("Quantity"),
                                      0, Quantity{1})
                 .problem,
             QStringLiteral("Quantity 99999999999999 is above the maximum 1,000,000,000,000."));
    QCOMPARE(bourse::ui::readQuantity(QStringLiteral("99,999,999,999.00"),
                                      QStringLiteral("Quantity"), 2, Quantity{1})
                 .problem,
             QStringLiteral("Quantity 99,999,999,999.00 is above the maximum "
                            "10,000,000,000.00."));
}

void OrderTicketTest::orderQuantityWithinInstrumentLimits_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("decimals");
    QTest::addColumn<qint64>("lot");
    QTest::addColumn<qint64>("minimum");
    QTest::addColumn<qint64>("maximum");
    QTest::addColumn<qint64>("units");
    QTest::addColumn<QString>("problem");

    const qint64 engineMaximum = bourse::kMaximumQuantity.value();
    QTest::newRow("at maximum") << "5000" << 0 << qint64{1} << qint64{20} << qint64{5'000}
                                << qint64{5'000} << "";
    QTest::newRow("at minimum") << "20" << 0 << qint64{1} << qint64{20} << qint64{5'000}
                                << qint64{20} << "";
    QTest::newRow("above maximum")
        << "5001" << 0 << qint64{1} << qint64{20} << qint64{5'000} << qint64{0}
        << "Quantity 5001 is above the instrument's maximum order quantity 5,000.";
    QTest::newRow("grouped above maximum")
        << "5,001" << 0 << qint64{1} << qint64{20} << qint64{5'000} << qint64{0}
        << "Quantity 5,001 is above the instrument's maximum order quantity 5,000.";
    QTest::newRow("below minimum")
        << "19" << 0 << qint64{1} << qint64{20} << qint64{5'000} << qint64{0}
        << "Quantity 19 is below the instrument's minimum order quantity 20.";
    // Two decimals and lots of 0.50: the limits 100 and 500,000 units are 1.00 and 5,000.00.
    QTest::newRow("decimals above maximum")
        << "5000.5" << 2 << qint64{50} << qint64{100} << qint64{500'000} << qint64{0}
        << "Quantity 5000.5 is above the instrument's maximum order quantity 5,000.00.";
    QTest::newRow("decimals below minimum")
        << "0.5" << 2 << qint64{50} << qint64{100} << qint64{500'000} << qint64{0}
        << "Quantity 0.5 is below the instrument's minimum order quantity 1.00.";
    QTest::newRow("decimals at maximum")
        << "5,000.00" << 2 << qint64{50} << qint64{100} << qint64{500'000} << qint64{500'000} << "";
    QTest::newRow("off lot within limits")
        << "25" << 0 << qint64{10} << qint64{10} << qint64{5'000} << qint64{0}
        << "Quantity 25 is not a multiple of the lot size 10.";
    QTest::newRow("engine maximum without instrument limits")
        << "99999999999999" << 0 << qint64{1} << qint64{1} << engineMaximum << qint64{0}
        << "Quantity 99999999999999 is above the maximum 1,000,000,000,000.";
}

void OrderTicketTest::orderQuantityWithinInstrumentLimits()
{
    QFETCH(QString, text);
    QFETCH(int, decimals);
    QFETCH(qint64, lot);
    QFETCH(qint64, minimum);
    QFETCH(qint64, maximum);
    QFETCH(qint64, units);
    QFETCH(QString, problem);

    const auto quantity = bourse::ui::readOrderQuantity(
        text, QStringLiteral("Quantity"), decimals, Quantity{lot},
        bourse::ui::QuantityLimits{Quantity{minimum}, Quantity{maximum}});
    QCOMPARE(quantity.problem, problem);
    QCOMPARE(quantity.value, Quantity{units});
}

// XYZ with lots of one and orders of 20 to 5,000.
void OrderTicketTest::quantityAboveInstrumentMaximumBlocked()
{
    auto view = sampleView();
    view->lotSize = Quantity{1};
    view->instruments[0].lotSize = Quantity{1};
    view->instruments[0].minimumQuantity = Quantity{20};
    view->instruments[0].maximumQuantity = Quantity{5'000};
    RecordingOrderGateway gateway;
    OrderTicket ticket;
    ticket.setGateway(&gateway);
    ticket.showView(view);
    QCOMPARE(child<QLabel>(ticket, "ticketInstrument")->text(),
             QStringLiteral("XYZ, tick 0.05, lot 1, min 20, max 5,000"));
    typeInto(ticket, "ticketLimitPrice", QStringLiteral("100.00"));

    typeInto(ticket, "ticketQuantity", QStringLiteral("5001"));
    const QString above =
        QStringLiteral("Quantity 5001 is above the instrument's maximum order quantity 5,000.");
    QCOMPARE(message(ticket), above);
    QCOMPARE(ticket.problemFor(Side::Buy), above);
    QCOMPARE(ticket.problemFor(Side::Sell), above);
    QVERIFY(!child<QPushButton>(ticket, "ticketBuy")->isEnabled());
    QVERIFY(!child<QPushButton>(ticket, "ticketSell")->isEnabled());
    QVERIFY(!ticket.send(Side::Buy));
    QVERIFY(gateway.submitted.empty());

    typeInto(ticket, "ticketQuantity", QStringLiteral("19"));
    QCOMPARE(message(ticket),
             QStringLiteral("Quantity 19 is below the instrument's minimum order quantity 20."));
    QVERIFY(!ticket.send(Side::Sell));

    typeInto(ticket, "ticketQuantity", QStringLiteral("5000"));
    QVERIFY(child<QPushButton>(ticket, "ticketBuy")->isEnabled());
    QVERIFY(ticket.send(Side::Buy));
    QCOMPARE(gateway.submitted.size(), std::size_t{1});
    QCOMPARE(gateway.submitted.back().quantity, Quantity{5'000});
}

// The default layout gives the ticket a dock of about 380 by 320 pixels, 360 wide inside.
void OrderTicketTest::buttonsVisibleInDefaultDock()
{
    RecordingOrderGateway gateway;
    OrderTicket ticket;
    ticket.setGateway(&gateway);
    ticket.showView(sampleView());
    ticket.resize(360, 320);
    ticket.show();
    QVERIFY(QTest::qWaitForWindowExposed(&ticket));

    QVERIFY2(ticket.minimumSizeHint().width() <= 360,
             qPrintable(QString::number(ticket.minimumSizeHint().width())));
    const QRect visible(0, 0, 360, 320);
    for (const char *name : {"ticketBuy", "ticketSell", "ticketCancelAll", "ticketMessage",
                             "ticketCheck", "ticketAccount"}) {
        QWidget *widget = child<QWidget>(ticket, name);
        QVERIFY2(widget, name);
        const QRect area(widget->mapTo(&ticket, QPoint(0, 0)), widget->size());
        QVERIFY2(visible.contains(area), name);
    }
}

void OrderTicketTest::rejectedOrderReported()
{
    RecordingOrderGateway gateway;
    OrderTicket ticket;
    ticket.setGateway(&gateway);
    auto view = sampleView();
    view->lastSequence = 50;
    // An earlier rejection of the same order must not be taken for the new one.
    OwnOrder earlier;
    earlier.id = OrderId{20};
    earlier.account = AccountId{7};
    earlier.instrument = InstrumentId{1};
    earlier.side = Side::Buy;
    earlier.quantity = Quantity{60'000};
    earlier.state = bourse::OwnOrderState::Rejected;
    earlier.reason = "Trading is halted.";
    earlier.lastSequence = 40;
    view->trader.finishedOrders = {earlier};
    ticket.showView(view);
    typeInto(ticket, "ticketQuantity", QStringLiteral("60,000"));
    typeInto(ticket, "ticketLimitPrice", QStringLiteral("101.35"));
    QVERIFY(ticket.send(Side::Buy));
    QCOMPARE(message(ticket), QStringLiteral("Sent: buy 60,000 XYZ limit 101.35, GTC."));

    // A later view with nothing about the order leaves the message.
    auto quiet = std::make_shared<MarketView>(*view);
    quiet->lastSequence = 51;
    ticket.showView(quiet);
    QCOMPARE(message(ticket), QStringLiteral("Sent: buy 60,000 XYZ limit 101.35, GTC."));

    auto rejected = std::make_shared<MarketView>(*quiet);
    rejected->lastSequence = 52;
    OwnOrder order = earlier;
    order.id = OrderId{21};
    order.limit = Price{10'135};
    order.reason = "The order exceeds the position limit of 50,000.";
    order.lastSequence = 52;
    rejected->trader.finishedOrders = {order, earlier};
    ticket.showView(rejected);
    QCOMPARE(message(ticket),
             QStringLiteral("Rejected: The order exceeds the position limit of 50,000."));
    QCOMPARE(child<bourse::ui::MessageLine>(ticket, "ticketMessage")->tone(),
             bourse::ui::MessageLine::Tone::Problem);
}

void OrderTicketTest::restingOrderReportedUntilFilled()
{
    RecordingOrderGateway gateway;
    OrderTicket ticket;
    ticket.setGateway(&gateway);
    auto view = sampleView();
    view->lastSequence = 50;
    // An older resting buy of the same size, which fills partly after the send.
    OwnOrder older;
    older.id = OrderId{5};
    older.account = AccountId{7};
    older.instrument = InstrumentId{1};
    older.side = Side::Buy;
    older.quantity = Quantity{100};
    older.remaining = Quantity{100};
    older.lastSequence = 30;
    view->trader.workingOrders = {older};
    ticket.showView(view);
    typeInto(ticket, "ticketQuantity", QStringLiteral("100"));
    typeInto(ticket, "ticketLimitPrice", QStringLiteral("99.90"));
    QVERIFY(ticket.send(Side::Buy));

    auto resting = std::make_shared<MarketView>(*view);
    resting->lastSequence = 53;
    resting->trader.workingOrders[0].lastSequence = 52;
    resting->trader.workingOrders[0].remaining = Quantity{60};
    ticket.showView(resting);
    QVERIFY2(message(ticket).startsWith(QStringLiteral("Sent: ")), qPrintable(message(ticket)));

    OwnOrder sent = older;
    sent.id = OrderId{22};
    sent.limit = Price{9'990};
    sent.lastSequence = 53;
    resting->trader.workingOrders.push_back(sent);
    ticket.showView(resting);
    QCOMPARE(message(ticket), QStringLiteral("Working: order #22."));

    auto filled = std::make_shared<MarketView>(*resting);
    filled->lastSequence = 60;
    filled->trader.workingOrders.pop_back();
    sent.state = bourse::OwnOrderState::Filled;
    sent.filled = Quantity{100};
    sent.remaining = Quantity{0};
    sent.lastSequence = 60;
    filled->trader.finishedOrders = {sent};
    ticket.showView(filled);
    QCOMPARE(message(ticket), QStringLiteral("Filled: order #22."));
    QCOMPARE(child<bourse::ui::MessageLine>(ticket, "ticketMessage")->tone(),
             bourse::ui::MessageLine::Tone::Report);
}

void OrderTicketTest::rejectingCheckShownAsProblem()
{
    RecordingOrderGateway gateway;
    gateway.buyAnswer.check.reason = bourse::RejectReason::RiskLimit;
    gateway.buyAnswer.text = "rejected: position limit, would be 110 against a limit of 100";
    OrderTicket ticket;
    ticket.setGateway(&gateway);
    ticket.showView(sampleView());
    typeInto(ticket, "ticketQuantity", QStringLiteral("10"));
    typeInto(ticket, "ticketLimitPrice", QStringLiteral("100"));

    auto *check = child<bourse::ui::MessageLine>(ticket, "ticketCheck");
    QTRY_COMPARE(check->fullText(),
                 QStringLiteral("Pre-trade check: buy would be rejected: position limit, would be "
                                "110 against a limit of 100, sell passes."));
    QCOMPARE(check->tone(), bourse::ui::MessageLine::Tone::Problem);
    // The check may be stale, so the order can still be sent.
    QVERIFY(child<QPushButton>(ticket, "ticketBuy")->isEnabled());
}

QTEST_MAIN(OrderTicketTest)
#include "tst_order_ticket.moc"

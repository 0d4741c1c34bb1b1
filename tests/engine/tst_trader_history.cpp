// The trader's view rebuilt after a restart from the events a journal holds, read from the newest
// back: readTraderHistory() and TraderViewBuilder::restore(). Each case compares the rebuilt
// view with the one a builder that saw every event live shows.

#include "engine_printers.h"
#include "trader_history.h"
#include "trader_view.h"

#include <QTest>

#include <algorithm>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

using namespace bourse;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
const AccountId kTrader{1};

InstrumentDefinition definition(std::uint32_t id, const std::string &symbol, std::int64_t tick)
{
    InstrumentDefinition terms;
    terms.id = InstrumentId{id};
    std::copy(symbol.begin(), symbol.end(), terms.symbol.begin());
    terms.currency = currencyCode("USD");
    terms.priceDecimals = 2;
    terms.tickSize = Price{tick};
    return terms;
}

NewOrder limit(Side side, std::int64_t quantity, std::int64_t price, AccountId account = kTrader,
               std::uint32_t instrument = 1)
{
    NewOrder order;
    order.side = side;
    order.quantity = Quantity{quantity};
    order.limit = Price{price};
    order.account = account;
    order.instrument = InstrumentId{instrument};
    return order;
}

// The events of an engine as a journal stores them, in runs that end where commands end, read
// back from the newest run.
class RecordedHistory final : public EventHandler, public EventHistory {
public:
    void onEvent(const Event &event) override { m_open.push_back(event); }
    void onCommandEnd() override { closeRun(); }

    bool readOlder(std::vector<Event> &events) override
    {
        if (!m_reading) {
            closeRun();
            m_reading = true;
            m_next = m_runs.size();
        }
        if (m_next == 0)
            return false;
        --m_next;
        events.insert(events.end(), m_runs[m_next].begin(), m_runs[m_next].end());
        return true;
    }

    std::string error() const override { return {}; }

    std::uint64_t eventCount() const
    {
        std::uint64_t count = m_open.size();
        for (const std::vector<Event> &run : m_runs)
            count += run.size();
        return count;
    }

private:
    void closeRun()
    {
        if (!m_open.empty())
            m_runs.push_back(std::move(m_open));
        m_open.clear();
    }

    std::vector<std::vector<Event>> m_runs;
    std::vector<Event> m_open;
    bool m_reading = false;
    std::size_t m_next = 0;
};

// The engine of TraderViewTest: AAA on a tick of 0.01 and BBB on 0.05, the trader's margin
// account with $1,000,000.00, at most 50 lots an order. Every event is recorded.
class Market {
public:
    Market()
        : trader(engine, {kTrader})
    {
        engine.addHandler(&trader);
        engine.addHandler(&history);
        engine.addInstrument(definition(1, "AAA", 1), Timestamp{1});
        engine.addInstrument(definition(2, "BBB", 5), Timestamp{1});
        AccountSettings settings;
        settings.id = kTrader;
        settings.currency = currencyCode("USD");
        settings.moneyDecimals = 2;
        settings.type = AccountType::Margin;
        engine.openAccount(settings, Money{100'000'000}, Timestamp{1});
        RiskLimits limits;
        limits.maximumOrderQuantity = Quantity{50};
        limits.maximumOpenOrders = 100;
        engine.setRiskLimits(kTrader, limits, Timestamp{1});
    }

    // Submits as the session does: the builder has the request while the engine runs it.
    OrderId submit(NewOrder order, std::int64_t time)
    {
        trader.beginCommand(TraderViewBuilder::Command::Submit, &order);
        const OrderId id = engine.submit(order, Timestamp{time});
        trader.beginCommand(TraderViewBuilder::Command::None);
        return id;
    }

    void settings(const std::function<void()> &command)
    {
        trader.beginCommand(TraderViewBuilder::Command::Settings);
        command();
        trader.beginCommand(TraderViewBuilder::Command::None);
    }

    TraderView view() const
    {
        TraderView result;
        trader.fill(result, Timestamp{100 * kSecond});
        return result;
    }

    Engine engine;
    TraderViewBuilder trader;
    RecordedHistory history;
};

// What a restart shows: an engine loaded from the market's snapshot, and a builder that
// restores the history read back from it.
struct Restart {
    TraderHistory read;
    TraderView view;
};

Restart restart(Market &market, std::uint64_t maximumEventsRead = kTraderHistoryEventsRead)
{
    Engine restarted;
    if (const std::optional<SnapshotError> failed =
            Engine::loadSnapshot(market.engine.snapshot(), restarted)) {
        qFatal("the snapshot does not load: %s", failed->message.c_str());
    }
    Restart result;
    result.read = readTraderHistory(market.history, restarted, {kTrader}, maximumEventsRead);
    TraderViewBuilder trader(restarted, {kTrader});
    trader.restore(result.read.events);
    trader.adoptEngineState();
    trader.fill(result.view, Timestamp{100 * kSecond});
    return result;
}

// A rejected order as a restart shows it: the journal does not record its request.
OwnOrder withoutRequest(OwnOrder order)
{
    if (order.state != OwnOrderState::Rejected)
        return order;
    const OwnOrder defaults;
    order.requestKnown = false;
    order.side = defaults.side;
    order.type = defaults.type;
    order.timeInForce = defaults.timeInForce;
    order.limit = defaults.limit;
    order.stopPrice = defaults.stopPrice;
    order.displayQuantity = defaults.displayQuantity;
    order.quantity = defaults.quantity;
    return order;
}

std::vector<OwnOrder> withoutRequests(std::vector<OwnOrder> orders)
{
    for (OwnOrder &order : orders)
        order = withoutRequest(order);
    return orders;
}

// The first field in which two lists of orders differ, or an empty string.
std::string differenceIn(const std::vector<OwnOrder> &actual, const std::vector<OwnOrder> &expected)
{
    std::ostringstream out;
    if (actual.size() != expected.size()) {
        out << actual.size() << " orders, expected " << expected.size();
        return out.str();
    }
    for (std::size_t i = 0; i < actual.size(); ++i) {
        const OwnOrder &a = actual[i];
        const OwnOrder &e = expected[i];
        const auto field = [&](const char *name, auto got, auto wanted) {
            if (got != wanted && out.tellp() == 0)
                out << "order " << i << " (id " << e.id.value() << "): " << name << " differs";
        };
        field("id", a.id, e.id);
        field("account", a.account, e.account);
        field("instrument", a.instrument, e.instrument);
        field("side", a.side, e.side);
        field("type", a.type, e.type);
        field("time in force", a.timeInForce, e.timeInForce);
        field("limit", a.limit, e.limit);
        field("stop price", a.stopPrice, e.stopPrice);
        field("display quantity", a.displayQuantity, e.displayQuantity);
        field("quantity", a.quantity, e.quantity);
        field("filled", a.filled, e.filled);
        field("remaining", a.remaining, e.remaining);
        field("parked", a.parked, e.parked);
        field("state", a.state, e.state);
        field("reason", a.reason, e.reason);
        field("request known", a.requestKnown, e.requestKnown);
        field("entered", a.entered, e.entered);
        field("updated", a.updated, e.updated);
        field("last sequence", a.lastSequence, e.lastSequence);
        if (out.tellp() != 0)
            return out.str();
    }
    return {};
}

std::string differenceIn(const std::vector<OwnFill> &actual, const std::vector<OwnFill> &expected)
{
    if (actual.size() != expected.size())
        return std::to_string(actual.size()) + " fills, expected " +
               std::to_string(expected.size());
    for (std::size_t i = 0; i < actual.size(); ++i) {
        const OwnFill &a = actual[i];
        const OwnFill &e = expected[i];
        if (a.tradeSequence != e.tradeSequence || a.time != e.time || a.order != e.order ||
            a.account != e.account || a.instrument != e.instrument || a.side != e.side ||
            a.price != e.price || a.quantity != e.quantity || a.maker != e.maker || a.fee != e.fee)
            return "fill " + std::to_string(i) + " of trade " + std::to_string(e.tradeSequence) +
                   " differs";
    }
    return {};
}

std::string differenceIn(const std::vector<RiskNotice> &actual,
                         const std::vector<RiskNotice> &expected)
{
    if (actual.size() != expected.size())
        return std::to_string(actual.size()) + " notices, expected " +
               std::to_string(expected.size());
    for (std::size_t i = 0; i < actual.size(); ++i) {
        const RiskNotice &a = actual[i];
        const RiskNotice &e = expected[i];
        if (a.sequence != e.sequence || a.time != e.time || a.account != e.account ||
            a.instrument != e.instrument || a.order != e.order || a.rule != e.rule ||
            a.text != e.text)
            return "notice " + std::to_string(i) + " (\"" + e.text + "\") differs: \"" + a.text +
                   "\"";
    }
    return {};
}

const OwnOrder *findOrder(const std::vector<OwnOrder> &orders, OrderId id)
{
    for (const OwnOrder &order : orders) {
        if (order.id == id)
            return &order;
    }
    return nullptr;
}

} // namespace

class TraderHistoryTest : public QObject {
    Q_OBJECT

private slots:
    void restartShowsWhatLiveViewShowed();
    void restartStopsOnceViewIsFull();
    void restartFindsEntryOfOldWorkingOrder();
    void restartListsOldOrderThatEndedLast();
    void restartBoundedByEventsRead();
    void restartOfEmptyHistory();
};

// Every way an order ends, a partly filled order, a parked stop, a rejected replace and the
// notices of limits and kill switches: the rebuilt view equals the live one, except that the
// two rejected orders show no request.
void TraderHistoryTest::restartShowsWhatLiveViewShowed()
{
    Market market;
    // Filled in two parts as maker.
    const OrderId filled = market.submit(limit(Side::Buy, 40, 10'000), kSecond);
    market.engine.submit(limit(Side::Sell, 15, 10'000, AccountId{}), Timestamp{2 * kSecond});
    market.engine.submit(limit(Side::Sell, 25, 10'000, AccountId{}), Timestamp{3 * kSecond});
    // Cancelled on request.
    const OrderId cancelled = market.submit(limit(Side::Buy, 10, 9'900), 4 * kSecond);
    market.engine.cancel(cancelled, Timestamp{5 * kSecond});
    // Rejected by the order size limit, then off BBB's tick of 0.05: neither uses its id up.
    market.submit(limit(Side::Buy, 60, 9'950), 6 * kSecond);
    market.submit(limit(Side::Sell, 3, 10'003, kTrader, 2), 7 * kSecond);
    // Working: partly filled, with a rejected replace that leaves it as it was.
    const OrderId partly = market.submit(limit(Side::Sell, 20, 10'200), 8 * kSecond);
    market.engine.submit(limit(Side::Buy, 5, 10'200, AccountId{}), Timestamp{9 * kSecond});
    market.engine.replace(ReplaceOrder{partly, Price{10'200}, Quantity{70}, Price{}},
                          Timestamp{10 * kSecond});
    // Working: a stop limit that waits for its trigger.
    NewOrder stop = limit(Side::Sell, 3, 9'500);
    stop.type = OrderType::StopLimit;
    stop.stopPrice = Price{9'600};
    const OrderId parked = market.submit(stop, 11 * kSecond);
    // Notices: a kill switch engaged and reset, and a settings command the engine rejects.
    market.settings([&] {
        market.engine.engageKillSwitch(kTrader, KillSwitchScope::Pause, Timestamp{12 * kSecond});
    });
    market.settings([&] { market.engine.resetKillSwitch(kTrader, Timestamp{13 * kSecond}); });
    market.settings([&] {
        market.engine.engageKillSwitch(kTrader, KillSwitchScope::None, Timestamp{14 * kSecond});
    });

    const TraderView live = market.view();
    QCOMPARE(live.finishedOrders.size(), std::size_t{4});
    QCOMPARE(live.workingOrders.size(), std::size_t{2});
    const Restart restarted = restart(market);
    const TraderView &view = restarted.view;

    QVERIFY(restarted.read.complete);
    QVERIFY(restarted.read.error.empty());
    QCOMPARE(restarted.read.eventsRead, market.history.eventCount());
    QCOMPARE(restarted.read.oldestRead, SequenceNumber{1});
    const std::string finished =
        differenceIn(view.finishedOrders, withoutRequests(live.finishedOrders));
    QVERIFY2(finished.empty(), finished.c_str());
    const std::string working = differenceIn(view.workingOrders, live.workingOrders);
    QVERIFY2(working.empty(), working.c_str());
    const std::string fills = differenceIn(view.fills, live.fills);
    QVERIFY2(fills.empty(), fills.c_str());
    const std::string notices = differenceIn(view.riskNotices, live.riskNotices);
    QVERIFY2(notices.empty(), notices.c_str());

    // Hand-known facts, beside the comparison with the live view.
    QCOMPARE(view.finishedOrders[3].id, filled);
    QCOMPARE(view.finishedOrders[3].state, OwnOrderState::Filled);
    QCOMPARE(view.finishedOrders[3].entered, Timestamp{kSecond});
    QCOMPARE(view.finishedOrders[2].id, cancelled);
    QCOMPARE(view.finishedOrders[2].reason, std::string("cancelled on request"));
    QCOMPARE(view.finishedOrders[1].reason,
             std::string("rejected: order size, 60 against the account limit of 50"));
    QCOMPARE(view.finishedOrders[1].entered, Timestamp{6 * kSecond});
    QVERIFY(!view.finishedOrders[1].requestKnown);
    QCOMPARE(view.finishedOrders[0].reason,
             std::string("rejected: price not a multiple of the tick size"));
    // Both rejections name the id the partly filled order got.
    QCOMPARE(view.finishedOrders[0].id, partly);
    QCOMPARE(view.finishedOrders[1].id, partly);
    QCOMPARE(view.workingOrders[0].id, partly);
    QCOMPARE(view.workingOrders[0].entered, Timestamp{8 * kSecond});
    QCOMPARE(view.workingOrders[0].quantity, Quantity{20});
    QCOMPARE(view.workingOrders[0].filled, Quantity{5});
    QCOMPARE(view.workingOrders[0].reason,
             std::string("replace rejected: order size, 70 against the account limit of 50"));
    QCOMPARE(view.workingOrders[1].id, parked);
    QVERIFY(view.workingOrders[1].parked);
    QCOMPARE(view.fills.size(), std::size_t{3});
    QCOMPARE(view.riskNotices[0].text, std::string("rejected: invalid risk limits"));
    QCOMPARE(view.riskNotices[1].text, std::string("kill switch reset for account 1"));
}

namespace {

// Orders of the trader entered and cancelled from `time` on, a nanosecond apart, each with an
// order of the market beside it that comes and goes too.
void enterAndCancel(Market &market, int orders, std::int64_t time)
{
    for (int index = 0; index < orders; ++index) {
        const std::int64_t at = time + 4 * index;
        const OrderId noise =
            market.engine.submit(limit(Side::Sell, 1, 11'000, AccountId{}), Timestamp{at});
        const OrderId own = market.submit(limit(Side::Buy, 1, 9'000), at + 1);
        market.engine.cancel(own, Timestamp{at + 2});
        market.engine.cancel(noise, Timestamp{at + 3});
    }
}

// As many fills and risk notices as the view keeps, from `time` on: 500 orders that each fill at
// once against an order of the market, and 200 kill switches engaged, then one reset.
void fillFillsAndNotices(Market &market, std::int64_t time)
{
    for (int index = 0; index < 500; ++index) {
        market.engine.submit(limit(Side::Sell, 1, 10'000, AccountId{}), Timestamp{time + index});
        market.submit(limit(Side::Buy, 1, 10'000), time + index);
    }
    for (int index = 0; index < 200; ++index) {
        market.settings([&] {
            market.engine.engageKillSwitch(kTrader, KillSwitchScope::Pause,
                                           Timestamp{time + 1'000 + index});
        });
    }
    market.settings([&] { market.engine.resetKillSwitch(kTrader, Timestamp{time + 2'000}); });
}

} // namespace

// 50 orders, then the fills and notices the view keeps, then 600 orders entered and cancelled:
// the reading finds the newest 500 finished orders and stops before the first 50.
void TraderHistoryTest::restartStopsOnceViewIsFull()
{
    Market market;
    enterAndCancel(market, 50, kSecond);
    fillFillsAndNotices(market, 2 * kSecond);
    enterAndCancel(market, 600, 3 * kSecond);

    const TraderView live = market.view();
    const Restart restarted = restart(market);
    QVERIFY(restarted.read.complete);
    QVERIFY(restarted.read.eventsRead < market.history.eventCount());
    QVERIFY(restarted.read.oldestRead > 200);
    const std::string finished = differenceIn(restarted.view.finishedOrders, live.finishedOrders);
    QVERIFY2(finished.empty(), finished.c_str());
    QCOMPARE(restarted.view.finishedOrders.size(), TraderViewBuilder::kFinishedOrdersKept);
    const std::string fills = differenceIn(restarted.view.fills, live.fills);
    QVERIFY2(fills.empty(), fills.c_str());
    QCOMPARE(restarted.view.fills.size(), TraderViewBuilder::kFillsKept);
    const std::string notices = differenceIn(restarted.view.riskNotices, live.riskNotices);
    QVERIFY2(notices.empty(), notices.c_str());
    QCOMPARE(restarted.view.riskNotices.size(), TraderViewBuilder::kNoticesKept);
}

// An order entered after 50 others stays working while the view fills up: the reading goes back
// to its entry, for its time and its quantity, and no further.
void TraderHistoryTest::restartFindsEntryOfOldWorkingOrder()
{
    Market market;
    enterAndCancel(market, 50, kSecond);
    const OrderId old = market.submit(limit(Side::Buy, 7, 8'000), 2 * kSecond);
    market.engine.submit(limit(Side::Sell, 2, 8'000, AccountId{}), Timestamp{2 * kSecond});
    fillFillsAndNotices(market, 3 * kSecond);
    enterAndCancel(market, 600, 4 * kSecond);

    const TraderView live = market.view();
    const Restart restarted = restart(market);
    QVERIFY(restarted.read.complete);
    QVERIFY(restarted.read.oldestRead > 200);
    const std::string working = differenceIn(restarted.view.workingOrders, live.workingOrders);
    QVERIFY2(working.empty(), working.c_str());
    const OwnOrder *found = findOrder(restarted.view.workingOrders, old);
    QVERIFY(found);
    QCOMPARE(found->entered, Timestamp{2 * kSecond});
    QCOMPARE(found->quantity, Quantity{7});
    QCOMPARE(found->filled, Quantity{2});
    QCOMPARE(found->remaining, Quantity{5});
}

// An order entered after 50 others and cancelled once 600 more have ended is the newest
// finished order, so the reading does not stop at the newest 500 entries.
void TraderHistoryTest::restartListsOldOrderThatEndedLast()
{
    Market market;
    enterAndCancel(market, 50, kSecond);
    const OrderId old = market.submit(limit(Side::Buy, 7, 8'000), 2 * kSecond);
    fillFillsAndNotices(market, 3 * kSecond);
    enterAndCancel(market, 600, 4 * kSecond);
    market.engine.cancel(old, Timestamp{5 * kSecond});

    const TraderView live = market.view();
    const Restart restarted = restart(market);
    QVERIFY(restarted.read.complete);
    QVERIFY(restarted.read.oldestRead > 200);
    const std::string finished = differenceIn(restarted.view.finishedOrders, live.finishedOrders);
    QVERIFY2(finished.empty(), finished.c_str());
    QCOMPARE(restarted.view.finishedOrders.front().id, old);
    QCOMPARE(restarted.view.finishedOrders.front().entered, Timestamp{2 * kSecond});
    QCOMPARE(restarted.view.finishedOrders.front().quantity, Quantity{7});
    QCOMPARE(restarted.view.finishedOrders.front().reason, std::string("cancelled on request"));
}

// A reading cut short keeps the orders entered within it. An older working order shows what the
// engine has: no entry time, and its remaining quantity as its quantity.
void TraderHistoryTest::restartBoundedByEventsRead()
{
    Market market;
    const OrderId old = market.submit(limit(Side::Buy, 7, 9'000), kSecond);
    market.engine.submit(limit(Side::Sell, 2, 9'000, AccountId{}), Timestamp{2 * kSecond});
    for (int index = 0; index < 100; ++index) {
        const std::int64_t time = 3 * kSecond + 10 * index;
        market.engine.cancel(market.submit(limit(Side::Buy, 1, 8'000), time), Timestamp{time + 1});
    }
    const OrderId recent = market.submit(limit(Side::Buy, 4, 8'500), 4 * kSecond);

    const Restart restarted = restart(market, 30);
    QVERIFY(!restarted.read.complete);
    QVERIFY(restarted.read.error.empty());
    QVERIFY(restarted.read.eventsRead >= 30);
    QVERIFY(restarted.read.eventsRead < 40);
    const TraderView &view = restarted.view;
    QCOMPARE(view.workingOrders.size(), std::size_t{2});
    QCOMPARE(view.workingOrders[0].id, old);
    QCOMPARE(view.workingOrders[0].entered, Timestamp{});
    QCOMPARE(view.workingOrders[0].quantity, Quantity{5});
    QCOMPARE(view.workingOrders[0].remaining, Quantity{5});
    QCOMPARE(view.workingOrders[1].id, recent);
    QCOMPARE(view.workingOrders[1].entered, Timestamp{4 * kSecond});
    QVERIFY(!view.finishedOrders.empty());
    QVERIFY(view.finishedOrders.size() < 100);
}

// A market with no events shows an empty view, and the reading is complete.
void TraderHistoryTest::restartOfEmptyHistory()
{
    RecordedHistory history;
    Engine engine;
    const TraderHistory read = readTraderHistory(history, engine, {kTrader});
    QVERIFY(read.complete);
    QVERIFY(read.events.empty());
    QCOMPARE(read.eventsRead, std::uint64_t{0});
    QCOMPARE(read.oldestRead, SequenceNumber{0});
}

QTEST_APPLESS_MAIN(TraderHistoryTest)
#include "tst_trader_history.moc"

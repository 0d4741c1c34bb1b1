#include "event_log_model.h"
#include "event_log_panel.h"
#include "theme.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFrame>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include <memory>
#include <vector>

using namespace bourse;
using namespace bourse::ui;

namespace {

constexpr InstrumentId kAbc{1};
constexpr InstrumentId kXyz{2};
constexpr AccountId kAccount{7};

// Market time since midnight: 09:30:00 plus `sequence` milliseconds.
Timestamp timeOf(SequenceNumber sequence)
{
    const auto millisecond = static_cast<std::int64_t>(sequence) * 1'000'000;
    return Timestamp{std::int64_t{9 * 3600 + 30 * 60} * 1'000'000'000 + millisecond};
}

Event eventOf(SequenceNumber sequence, EventPayload payload, InstrumentId instrument = kAbc)
{
    Event result;
    result.sequence = sequence;
    result.time = timeOf(sequence);
    result.instrument = instrument;
    result.payload = std::move(payload);
    return result;
}

// An order accepted with the id of its sequence number, so tests can name both by one number.
Event accepted(SequenceNumber sequence, InstrumentId instrument = kAbc)
{
    OrderAccepted order{};
    order.id = OrderId{sequence};
    order.side = Side::Buy;
    order.type = OrderType::Limit;
    order.limit = Price{1'251};
    order.quantity = Quantity{100};
    order.account = kAccount;
    return eventOf(sequence, order, instrument);
}

Event trade(SequenceNumber sequence, OrderId maker, OrderId taker, InstrumentId instrument = kAbc)
{
    Trade fill{};
    fill.maker = maker;
    fill.taker = taker;
    fill.aggressor = Side::Buy;
    fill.price = Price{1'251};
    fill.quantity = Quantity{100};
    fill.makerAccount = kAccount;
    fill.takerAccount = kAccount;
    return eventOf(sequence, fill, instrument);
}

Event depth(SequenceNumber sequence)
{
    return eventOf(sequence, DepthLevel{Side::Buy, Price{1'251}, Quantity{100}, 1});
}

// Events `first` to `last`, every one an accepted order.
std::vector<Event> acceptedRange(SequenceNumber first, SequenceNumber last)
{
    std::vector<Event> events;
    for (SequenceNumber sequence = first; sequence <= last; ++sequence)
        events.push_back(accepted(sequence));
    return events;
}

InstrumentQuote quote(InstrumentId id, const char *symbol)
{
    InstrumentQuote quote;
    quote.instrument = id;
    quote.symbol = symbol;
    quote.priceDecimals = 2;
    return quote;
}

std::shared_ptr<MarketView> viewOf(std::vector<Event> events, std::uint64_t dropped = 0)
{
    auto view = std::make_shared<MarketView>();
    view->instruments = {quote(kAbc, "ABC"), quote(kXyz, "XYZ")};
    view->lastSequence = events.empty() ? 0 : events.back().sequence;
    view->recentEvents = std::move(events);
    view->droppedEvents = dropped;
    return view;
}

std::vector<SequenceNumber> shownSequences(const QAbstractItemModel &model)
{
    std::vector<SequenceNumber> sequences;
    for (int row = 0; row < model.rowCount(); ++row)
        sequences.push_back(model.index(row, 0).data(EventLogModel::SequenceRole).value<quint64>());
    return sequences;
}

std::vector<SequenceNumber> range(SequenceNumber first, SequenceNumber last)
{
    std::vector<SequenceNumber> sequences;
    for (SequenceNumber sequence = first; sequence <= last; ++sequence)
        sequences.push_back(sequence);
    return sequences;
}

SequenceNumber selectedSequence(const QTableView &table)
{
    return table.currentIndex().data(EventLogModel::SequenceRole).value<quint64>();
}

// A journal of events 1 to `last` that records each read.
struct FakeJournal {
    SequenceNumber last = 30;
    std::vector<std::pair<SequenceNumber, std::size_t>> reads;

    EventLogPanel::HistorySource source()
    {
        return [this](SequenceNumber first, std::size_t count) {
            reads.emplace_back(first, count);
            if (first > last)
                return std::vector<Event>{};
            return acceptedRange(first, std::min<SequenceNumber>(last, first + count - 1));
        };
    }
};

struct Panel {
    EventLogPanel widget;
    QAbstractItemModelTester liveTester{widget.liveModel()};
    QAbstractItemModelTester historyTester{widget.historyModel()};

    explicit Panel(std::size_t capacity)
        : widget(nullptr, capacity)
    {
        widget.resize(900, 300);
    }
};

} // namespace

class EventLogTest : public QObject {
    Q_OBJECT

private slots:
    void appendsOnlyNewSequences();
    void sameViewTwiceAddsNothing();
    void eventsSharingSequenceKept();
    void lateStartKeepsEarlierEventsAsHistory();
    void firstViewWithoutEventsStartsTheLog();
    void capsRowsRemovingOldest();
    void viewLargerThanCapacity();
    void gapRowForMissedEvents();
    void newSessionClears();
    void filtersByType();
    void filtersByInstrument();
    void filtersByOrderId();
    void filterAppliesToNewEvents();
    void textUsesSymbols();
    void jumpsToKeptSequence();
    void jumpClearsHidingFilter();
    void jumpsToOlderSequenceThroughHistory();
    void historyPagesEarlierAndLater();
    void jumpWithoutHistorySourceFails();
    void jumpPastNewestFails();
    void parseSequenceInputReadsDisplayedNumbers_data();
    void parseSequenceInputReadsDisplayedNumbers();
    void jumpFieldNamesLargestSequenceUnsigned();
    void jumpAboveRangeReportsOutOfRange();
    void jumpFieldRejectsMisgroupedDigits();
    void successfulJumpClearsEarlierMessage();
    void longCounterLeavesFilterFieldsUsable();
    void followsLiveUntilScrolledUp();
    void pausedLogKeepsRowsInPlace();
    void screenshot();
};

void EventLogTest::appendsOnlyNewSequences()
{
    EventLogModel model;
    QAbstractItemModelTester tester(&model);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

    model.applyView(*viewOf(acceptedRange(1, 5)));
    model.applyView(*viewOf(acceptedRange(3, 8)));
    model.applyView(*viewOf(acceptedRange(6, 10)));

    QCOMPARE(shownSequences(model), range(1, 10));
    QCOMPARE(resets.count(), 0);
    QCOMPARE(inserted.count(), 3);
    QCOMPARE(inserted[1][1].toInt(), 5);
    QCOMPARE(inserted[1][2].toInt(), 7);
    QCOMPARE(model.keptEvents(), std::size_t{10});
    QCOMPARE(model.missedEvents(), std::uint64_t{0});
}

void EventLogTest::sameViewTwiceAddsNothing()
{
    EventLogModel model;
    QAbstractItemModelTester tester(&model);
    const auto view = viewOf(acceptedRange(1, 5));
    model.applyView(*view);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

    model.applyView(*view);

    QCOMPARE(inserted.count(), 0);
    QCOMPARE(model.rowCount(), 5);
}

void EventLogTest::eventsSharingSequenceKept()
{
    // Derived market data carries the sequence number of the engine event before it, so a view
    // can end between an event and its depth update.
    EventLogModel model;
    QAbstractItemModelTester tester(&model);
    model.applyView(*viewOf({accepted(1), accepted(2), depth(2)}));
    model.applyView(*viewOf({accepted(2), depth(2), depth(2), accepted(3)}));
    model.applyView(*viewOf({depth(2), depth(2), accepted(3), accepted(4)}));

    QCOMPARE(shownSequences(model), (std::vector<SequenceNumber>{1, 2, 2, 2, 3, 4}));
    QCOMPARE(model.index(3, EventLogModel::TypeColumn).data().toString(),
             QStringLiteral("DepthLevel"));
    QCOMPARE(model.missedEvents(), std::uint64_t{0});
}

void EventLogTest::lateStartKeepsEarlierEventsAsHistory()
{
    EventLogModel model;
    QAbstractItemModelTester tester(&model);

    // A session that continues a journal: events 1 to 4 happened before the log's first view,
    // and the session dropped 143,225 events before it, none of which the log missed.
    model.applyView(*viewOf(acceptedRange(5, 7), 143'225));

    QCOMPARE(shownSequences(model), (std::vector<SequenceNumber>{5, 6, 7}));
    QCOMPARE(model.missedEvents(), std::uint64_t{0});

    // Events 8 and 9 went missing between two views the log received.
    model.applyView(*viewOf(acceptedRange(10, 11)));

    QCOMPARE(shownSequences(model), (std::vector<SequenceNumber>{5, 6, 7, 8, 10, 11}));
    QCOMPARE(model.index(3, EventLogModel::TextColumn).data().toString(),
             QStringLiteral("2 events missed, sequences 8 to 9"));
    QCOMPARE(model.missedEvents(), std::uint64_t{2});
}

void EventLogTest::firstViewWithoutEventsStartsTheLog()
{
    EventLogModel model;
    QAbstractItemModelTester tester(&model);

    // The first view carries no events but reports that 40 have happened: those are history.
    auto empty = viewOf({});
    empty->lastSequence = 40;
    model.applyView(*empty);
    model.applyView(*viewOf(acceptedRange(41, 42)));

    QCOMPARE(shownSequences(model), (std::vector<SequenceNumber>{41, 42}));
    QCOMPARE(model.missedEvents(), std::uint64_t{0});
}

void EventLogTest::capsRowsRemovingOldest()
{
    EventLogModel model(10);
    QAbstractItemModelTester tester(&model);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);

    model.applyView(*viewOf(acceptedRange(1, 8)));
    model.applyView(*viewOf(acceptedRange(5, 16)));
    model.applyView(*viewOf(acceptedRange(12, 25)));

    QCOMPARE(shownSequences(model), range(16, 25));
    QCOMPARE(model.keptEvents(), std::size_t{10});
    QCOMPARE(model.firstKeptSequence(), SequenceNumber{16});
    QCOMPARE(resets.count(), 0);
    // Rows leave from the top: 6 with the second view, 9 with the third.
    QCOMPARE(removed.count(), 2);
    QCOMPARE(removed[0][1].toInt(), 0);
    QCOMPARE(removed[0][2].toInt(), 5);
    QCOMPARE(removed[1][2].toInt(), 8);
    QVERIFY(!model.keeps(15));
    QVERIFY(model.keeps(16));
}

void EventLogTest::viewLargerThanCapacity()
{
    EventLogModel model(10);
    QAbstractItemModelTester tester(&model);
    model.applyView(*viewOf(acceptedRange(1, 4)));

    model.applyView(*viewOf(acceptedRange(1, 40)));

    QCOMPARE(shownSequences(model), range(31, 40));
}

void EventLogTest::gapRowForMissedEvents()
{
    EventLogModel model;
    QAbstractItemModelTester tester(&model);
    model.applyView(*viewOf(acceptedRange(1, 3)));

    model.applyView(*viewOf(acceptedRange(10, 12), 6));

    QCOMPARE(model.rowCount(), 7);
    const QModelIndex gap = model.index(3, EventLogModel::TextColumn);
    QCOMPARE(gap.data(EventLogModel::GapRole).value<quint64>(), quint64{6});
    QCOMPARE(gap.data(EventLogModel::SequenceRole).value<quint64>(), quint64{4});
    QCOMPARE(gap.data().toString(), QStringLiteral("6 events missed, sequences 4 to 9"));
    QCOMPARE(model.index(3, EventLogModel::TypeColumn).data().toString(), QStringLiteral("Gap"));
    QVERIFY(!model.eventAt(3));
    QCOMPARE(model.missedEvents(), std::uint64_t{6});
    QCOMPARE(model.keptEvents(), std::size_t{6});
    QVERIFY(!model.keeps(4));
    QCOMPARE(model.rowOfSequence(10), 4);
}

void EventLogTest::newSessionClears()
{
    EventLogModel model;
    QAbstractItemModelTester tester(&model);
    model.applyView(*viewOf(acceptedRange(1, 50)));

    model.applyView(*viewOf(acceptedRange(1, 3)));

    QCOMPARE(shownSequences(model), range(1, 3));
}

void EventLogTest::filtersByType()
{
    EventLogModel model;
    QAbstractItemModelTester tester(&model);
    model.applyView(*viewOf({accepted(1), trade(2, OrderId{1}, OrderId{9}), accepted(3),
                             trade(4, OrderId{3}, OrderId{9})}));

    model.setFilter({EventType::Trade, std::nullopt, std::nullopt});

    QCOMPARE(shownSequences(model), (std::vector<SequenceNumber>{2, 4}));
    model.setFilter({});
    QCOMPARE(model.rowCount(), 4);
}

void EventLogTest::filtersByInstrument()
{
    EventLogModel model;
    QAbstractItemModelTester tester(&model);
    model.applyView(*viewOf({accepted(1, kAbc), accepted(2, kXyz), accepted(3, kXyz)}));

    model.setFilter({std::nullopt, kXyz, std::nullopt});

    QCOMPARE(shownSequences(model), (std::vector<SequenceNumber>{2, 3}));
    QCOMPARE(model.index(0, EventLogModel::InstrumentColumn).data().toString(),
             QStringLiteral("XYZ"));
}

void EventLogTest::filtersByOrderId()
{
    EventLogModel model;
    QAbstractItemModelTester tester(&model);
    model.applyView(*viewOf({accepted(1), accepted(2), trade(3, OrderId{1}, OrderId{2}),
                             trade(4, OrderId{2}, OrderId{8}), depth(4)}));

    // Order 1 is the maker of trade 3, and order 8 is the taker of trade 4.
    model.setFilter({std::nullopt, std::nullopt, OrderId{1}});
    QCOMPARE(shownSequences(model), (std::vector<SequenceNumber>{1, 3}));
    model.setFilter({std::nullopt, std::nullopt, OrderId{8}});
    QCOMPARE(shownSequences(model), (std::vector<SequenceNumber>{4}));
    QCOMPARE(model.index(0, EventLogModel::OrderColumn).data().toString(), QStringLiteral("2 / 8"));
}

void EventLogTest::filterAppliesToNewEvents()
{
    EventLogModel model;
    QAbstractItemModelTester tester(&model);
    model.setFilter({EventType::Trade, std::nullopt, std::nullopt});
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);

    model.applyView(*viewOf({accepted(1), trade(2, OrderId{1}, OrderId{9})}));
    model.applyView(*viewOf({trade(2, OrderId{1}, OrderId{9}), accepted(3)}));
    model.applyView(*viewOf({accepted(6), trade(7, OrderId{6}, OrderId{9})}, 2));

    // The gap row stays under every filter, because the missed events might have matched.
    QCOMPARE(shownSequences(model), (std::vector<SequenceNumber>{2, 4, 7}));
    QVERIFY(model.index(1, 0).data(EventLogModel::GapRole).isValid());
    QCOMPARE(resets.count(), 0);
    QCOMPARE(model.keptEvents(), std::size_t{5});
}

void EventLogTest::textUsesSymbols()
{
    EventLogModel model;
    QAbstractItemModelTester tester(&model);
    model.applyView(*viewOf({trade(1, OrderId{12}, OrderId{13})}));

    // 100 lots at 1251 ticks of 2 decimals, as the event text grammar writes a trade.
    const QString text = model.index(0, EventLogModel::TextColumn).data().toString();
    QVERIFY2(text.startsWith(QStringLiteral("trade ABC 100 @ 12.51 maker #12 taker #13 buy")),
             qPrintable(text));
    QCOMPARE(model.index(0, EventLogModel::TimeColumn).data().toString(),
             QStringLiteral("09:30:00.001"));
    QCOMPARE(model.index(0, EventLogModel::TypeColumn).data().toString(), QStringLiteral("Trade"));
}

void EventLogTest::jumpsToKeptSequence()
{
    Panel panel(100);
    panel.widget.show();
    panel.widget.showView(viewOf(acceptedRange(1, 60)));

    QVERIFY(panel.widget.jumpToSequence(17));

    QVERIFY(!panel.widget.isShowingHistory());
    QCOMPARE(selectedSequence(*panel.widget.liveTable()), SequenceNumber{17});
    QVERIFY(panel.widget.liveTable()->selectionModel()->isRowSelected(16, {}));
    QVERIFY(!panel.widget.isFollowing());
}

void EventLogTest::jumpClearsHidingFilter()
{
    Panel panel(100);
    panel.widget.showView(viewOf({accepted(1), trade(2, OrderId{1}, OrderId{9}), accepted(3)}));
    panel.widget.setFilter({EventType::Trade, std::nullopt, std::nullopt});
    QCOMPARE(panel.widget.liveModel()->rowCount(), 1);

    QVERIFY(panel.widget.jumpToSequence(3));

    QVERIFY(!panel.widget.filter().active());
    QCOMPARE(selectedSequence(*panel.widget.liveTable()), SequenceNumber{3});
    auto *type = panel.widget.findChild<QComboBox *>(QStringLiteral("eventTypeFilter"));
    QCOMPARE(type->currentIndex(), 0);
}

void EventLogTest::jumpsToOlderSequenceThroughHistory()
{
    Panel panel(10);
    FakeJournal journal;
    panel.widget.setHistorySource(journal.source());
    panel.widget.show();
    panel.widget.showView(viewOf(acceptedRange(1, 30)));
    QCOMPARE(panel.widget.liveModel()->firstKeptSequence(), SequenceNumber{21});
    auto *bar = panel.widget.findChild<QFrame *>(QStringLiteral("eventHistoryBar"));
    QVERIFY(bar->isHidden());

    QVERIFY(panel.widget.jumpToSequence(5));

    QCOMPARE(journal.reads.size(), std::size_t{1});
    QCOMPARE(journal.reads[0].first, SequenceNumber{5});
    QCOMPARE(journal.reads[0].second, EventLogPanel::kHistoryPageSize);
    QVERIFY(panel.widget.isShowingHistory());
    QCOMPARE(panel.widget.currentTable(), panel.widget.historyTable());
    QCOMPARE(selectedSequence(*panel.widget.historyTable()), SequenceNumber{5});
    QVERIFY(bar->isVisible());
    auto *text = panel.widget.findChild<QLabel *>(QStringLiteral("eventHistoryText"));
    QCOMPARE(text->text(), QStringLiteral("Showing history from 5 to 30 (26 events)"));

    // The live tail goes on while history is shown.
    panel.widget.showView(viewOf(acceptedRange(25, 32)));
    QCOMPARE(panel.widget.liveModel()->lastKeptSequence(), SequenceNumber{32});
    QVERIFY(panel.widget.isShowingHistory());

    QTest::mouseClick(panel.widget.findChild<QPushButton *>(QStringLiteral("eventBackToLive")),
                      Qt::LeftButton);
    QVERIFY(!panel.widget.isShowingHistory());
    QVERIFY(bar->isHidden());
    QCOMPARE(panel.widget.historyModel()->rowCount(), 0);
}

void EventLogTest::historyPagesEarlierAndLater()
{
    Panel panel(10);
    FakeJournal journal;
    journal.last = 3000;
    panel.widget.setHistorySource(journal.source());
    panel.widget.showView(viewOf(acceptedRange(2991, 3000)));
    QVERIFY(panel.widget.jumpToSequence(1500));
    // The history model keeps a whole page, whatever the live capacity.
    QCOMPARE(panel.widget.historyModel()->firstKeptSequence(), SequenceNumber{1500});
    QCOMPARE(panel.widget.historyModel()->lastKeptSequence(), SequenceNumber{2499});

    journal.reads.clear();
    panel.widget.findChild<QPushButton *>(QStringLiteral("eventHistoryEarlier"))->click();
    QCOMPARE(journal.reads.size(), std::size_t{1});
    QCOMPARE(journal.reads[0].first, SequenceNumber{500});
    QCOMPARE(journal.reads[0].second, std::size_t{1000});
    QCOMPARE(selectedSequence(*panel.widget.historyTable()), SequenceNumber{1499});

    journal.reads.clear();
    panel.widget.findChild<QPushButton *>(QStringLiteral("eventHistoryLater"))->click();
    QCOMPARE(journal.reads.size(), std::size_t{1});
    QCOMPARE(journal.reads[0].first, SequenceNumber{1500});
    QCOMPARE(selectedSequence(*panel.widget.historyTable()), SequenceNumber{1500});

    // Near the start of the journal, Earlier reads only what is left before the page.
    QVERIFY(panel.widget.jumpToSequence(3));
    journal.reads.clear();
    panel.widget.findChild<QPushButton *>(QStringLiteral("eventHistoryEarlier"))->click();
    QCOMPARE(journal.reads.size(), std::size_t{1});
    QCOMPARE(journal.reads[0].first, SequenceNumber{1});
    QCOMPARE(journal.reads[0].second, std::size_t{2});
}

void EventLogTest::jumpWithoutHistorySourceFails()
{
    Panel panel(10);
    panel.widget.show();
    panel.widget.showView(viewOf(acceptedRange(1, 30)));

    QVERIFY(!panel.widget.jumpToSequence(5));

    QVERIFY(!panel.widget.isShowingHistory());
    auto *message = panel.widget.findChild<QLabel *>(QStringLiteral("eventLogMessage"));
    QVERIFY(message->isVisible());
    QVERIFY2(message->text().contains(QStringLiteral("no journal")), qPrintable(message->text()));
}

void EventLogTest::jumpPastNewestFails()
{
    Panel panel(10);
    FakeJournal journal;
    panel.widget.setHistorySource(journal.source());
    panel.widget.showView(viewOf(acceptedRange(1, 30)));

    QVERIFY(!panel.widget.jumpToSequence(31));

    QVERIFY(journal.reads.empty());
    QVERIFY(!panel.widget.isShowingHistory());
}

void EventLogTest::parseSequenceInputReadsDisplayedNumbers_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("kind");
    QTest::addColumn<quint64>("value");
    const int number = static_cast<int>(SequenceInput::Kind::Number);
    const int notANumber = static_cast<int>(SequenceInput::Kind::NotANumber);
    QTest::newRow("empty") << QString() << static_cast<int>(SequenceInput::Kind::Empty)
                           << quint64{0};
    QTest::newRow("digits") << QStringLiteral("123") << number << quint64{123};
    QTest::newRow("spaces around") << QStringLiteral(" 42 ") << number << quint64{42};
    QTest::newRow("grouped") << QStringLiteral("1,234") << number << quint64{1234};
    QTest::newRow("grouped twice") << QStringLiteral("12,345,678") << number << quint64{12345678};
    QTest::newRow("largest") << QStringLiteral("18,446,744,073,709,551,615") << number
                             << quint64{18446744073709551615ULL};
    QTest::newRow("groups of one") << QStringLiteral("1,2,3") << notANumber << quint64{0};
    QTest::newRow("group of four") << QStringLiteral("1234,567") << notANumber << quint64{0};
    QTest::newRow("leading comma") << QStringLiteral(",123") << notANumber << quint64{0};
    QTest::newRow("trailing comma") << QStringLiteral("123,") << notANumber << quint64{0};
    QTest::newRow("one above largest")
        << QStringLiteral("18446744073709551616")
        << static_cast<int>(SequenceInput::Kind::OutOfRange) << quint64{0};
}

void EventLogTest::parseSequenceInputReadsDisplayedNumbers()
{
    QFETCH(QString, text);
    QFETCH(int, kind);
    QFETCH(quint64, value);

    const SequenceInput input = parseSequenceInput(text);

    QCOMPARE(static_cast<int>(input.kind), kind);
    QCOMPARE(quint64{input.value}, value);
}

namespace {

// Types `text` in the "Jump to sequence" field and presses Enter; returns the panel's message.
QString typeJump(EventLogPanel &panel, const QString &text)
{
    auto *field = panel.findChild<QLineEdit *>(QStringLiteral("eventJumpField"));
    field->setText(text);
    QTest::keyClick(field, Qt::Key_Return);
    auto *message = panel.findChild<QLabel *>(QStringLiteral("eventLogMessage"));
    return message->isVisible() ? message->text() : QString();
}

} // namespace

void EventLogTest::jumpFieldNamesLargestSequenceUnsigned()
{
    Panel panel(100);
    panel.widget.show();
    panel.widget.showView(viewOf(acceptedRange(1, 30)));

    QCOMPARE(typeJump(panel.widget, QStringLiteral("18446744073709551615")),
             QStringLiteral("Event 18,446,744,073,709,551,615 has not happened yet: the last one "
                            "is 30."));
}

void EventLogTest::jumpAboveRangeReportsOutOfRange()
{
    Panel panel(100);
    panel.widget.show();
    panel.widget.showView(viewOf(acceptedRange(1, 30)));

    QCOMPARE(typeJump(panel.widget, QStringLiteral("18446744073709551616")),
             QStringLiteral("18446744073709551616 is out of range: sequence numbers go up to "
                            "18,446,744,073,709,551,615."));
    QCOMPARE(selectedSequence(*panel.widget.liveTable()), SequenceNumber{0});
}

void EventLogTest::jumpFieldRejectsMisgroupedDigits()
{
    Panel panel(200);
    panel.widget.show();
    panel.widget.showView(viewOf(acceptedRange(1, 150)));

    QCOMPARE(typeJump(panel.widget, QStringLiteral("1,2,3")),
             QStringLiteral("\u201c1,2,3\u201d is not a sequence number: type digits, grouped "
                            "by commas in threes or not at all."));
    QCOMPARE(selectedSequence(*panel.widget.liveTable()), SequenceNumber{0});
}

void EventLogTest::successfulJumpClearsEarlierMessage()
{
    Panel panel(100);
    panel.widget.show();
    panel.widget.showView(viewOf(acceptedRange(1, 30)));
    QVERIFY(!typeJump(panel.widget, QStringLiteral("31")).isEmpty());

    QCOMPARE(typeJump(panel.widget, QStringLiteral("12")), QString());
    QCOMPARE(selectedSequence(*panel.widget.liveTable()), SequenceNumber{12});
}

void EventLogTest::longCounterLeavesFilterFieldsUsable()
{
    Panel panel(100'000);
    panel.widget.resize(560, 300);
    panel.widget.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel.widget));
    panel.widget.showView(viewOf(acceptedRange(1, 3)));
    panel.widget.showView(viewOf(acceptedRange(143'229, 143'230), 143'225));
    panel.widget.setFilter({EventType::OrderAccepted, {}, {}});
    QCoreApplication::processEvents();

    auto *order = panel.widget.findChild<QLineEdit *>(QStringLiteral("eventOrderFilter"));
    auto *jump = panel.widget.findChild<QLineEdit *>(QStringLiteral("eventJumpField"));
    // Room for an eight-digit id with its commas.
    const int digits = order->fontMetrics().horizontalAdvance(QStringLiteral("00,000,000"));
    QVERIFY2(order->width() >= digits, qPrintable(QString::number(order->width())));
    QVERIFY2(jump->width() >= digits, qPrintable(QString::number(jump->width())));
}

void EventLogTest::followsLiveUntilScrolledUp()
{
    Panel panel(1000);
    panel.widget.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel.widget));
    QScrollBar *bar = panel.widget.liveTable()->verticalScrollBar();
    panel.widget.showView(viewOf(acceptedRange(1, 100)));
    QVERIFY(panel.widget.isFollowing());
    QVERIFY(bar->maximum() > 0);
    QCOMPARE(bar->value(), bar->maximum());

    // The user scrolls up: new events no longer move the table.
    bar->setValue(10);
    QVERIFY(!panel.widget.isFollowing());
    panel.widget.showView(viewOf(acceptedRange(90, 150)));
    QCOMPARE(bar->value(), 10);

    // Back at the end, it follows again.
    bar->setValue(bar->maximum());
    QVERIFY(panel.widget.isFollowing());
    panel.widget.showView(viewOf(acceptedRange(140, 200)));
    QCOMPARE(bar->value(), bar->maximum());
}

void EventLogTest::pausedLogKeepsRowsInPlace()
{
    Panel panel(50);
    panel.widget.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel.widget));
    QTableView *table = panel.widget.liveTable();
    panel.widget.showView(viewOf(acceptedRange(1, 40)));
    table->verticalScrollBar()->setValue(10);
    const auto topSequence = [table] {
        return table->indexAt(QPoint(1, 1)).data(EventLogModel::SequenceRole).value<quint64>();
    };
    QCOMPARE(topSequence(), quint64{11});

    // Events 1 to 10 leave the top, and the row being read stays where it was.
    panel.widget.showView(viewOf(acceptedRange(30, 60)));
    QCoreApplication::processEvents();

    QCOMPARE(panel.widget.liveModel()->firstKeptSequence(), SequenceNumber{11});
    QCOMPARE(topSequence(), quint64{11});
    QVERIFY(!panel.widget.isFollowing());
}

void EventLogTest::screenshot()
{
    const QString folder = qEnvironmentVariable("BOURSE_UI_SCREENSHOTS");
    if (folder.isEmpty())
        QSKIP("BOURSE_UI_SCREENSHOTS names no folder for the screenshots");
    auto &app = *qobject_cast<QApplication *>(QCoreApplication::instance());
    theme::apply(app, theme::Theme::Dark);
    Panel panel(100);
    panel.widget.resize(1000, 420);
    panel.widget.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel.widget));
    std::vector<Event> events;
    for (SequenceNumber sequence = 1; sequence <= 12; sequence += 3) {
        events.push_back(accepted(sequence, sequence % 2 ? kAbc : kXyz));
        events.push_back(trade(sequence + 1, OrderId{sequence}, OrderId{sequence + 100}));
        events.push_back(depth(sequence + 1));
        const TopOfBook top{Price{1'250}, Quantity{300}, Price{1'252}, Quantity{200}};
        events.push_back(eventOf(sequence + 2, top));
    }
    panel.widget.showView(viewOf(events));
    panel.widget.showView(viewOf({accepted(20), trade(21, OrderId{20}, OrderId{4})}, 5));
    QDir().mkpath(folder);
    QCoreApplication::processEvents();
    QVERIFY(panel.widget.grab().save(QDir(folder).filePath(QStringLiteral("event_log.png"))));

    FakeJournal journal;
    panel.widget.setHistorySource(journal.source());
    panel.widget.liveModel()->clear();
    panel.widget.showView(viewOf(acceptedRange(60, 80)));
    QVERIFY(panel.widget.jumpToSequence(5));
    QCoreApplication::processEvents();
    QVERIFY(
        panel.widget.grab().save(QDir(folder).filePath(QStringLiteral("event_log_history.png"))));
}

QTEST_MAIN(EventLogTest)
#include "tst_event_log.moc"

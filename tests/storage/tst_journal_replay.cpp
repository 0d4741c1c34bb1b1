#include "engine_printers.h"
#include "event_text.h"

#include "engine.h"
#include "journal.h"

#include <QtTest>

#include <optional>
#include <vector>

using namespace bourse;
using namespace bourse::storage;

namespace {

constexpr InstrumentId instrument{7};

// Records the engine's state hash at the moment each event is published, which is the state
// after that event.
class StateHashRecorder : public EventHandler {
public:
    explicit StateHashRecorder(const Engine &engine)
        : m_engine(engine)
    {
    }

    void onEvent(const Event &event) override
    {
        m_hashes.push_back(m_engine.stateHash());
        m_events.push_back(event);
    }

    const std::vector<std::uint64_t> &hashes() const { return m_hashes; }
    const std::vector<Event> &events() const { return m_events; }

private:
    const Engine &m_engine;
    std::vector<std::uint64_t> m_hashes;
    std::vector<Event> m_events;
};

Timestamp at(int step)
{
    return Timestamp{34'200'000'000'000 + step * 1'000'000};
}

// Orders name the journal's instrument, because a NewOrder goes to instrument 1 by default.
NewOrder limitOrder(std::uint64_t id, Side side, std::int64_t price, std::int64_t quantity)
{
    NewOrder order;
    order.id = OrderId{id};
    order.side = side;
    order.type = OrderType::Limit;
    order.limit = Price{price};
    order.quantity = Quantity{quantity};
    order.instrument = instrument;
    return order;
}

NewOrder marketOrder(std::uint64_t id, Side side, std::int64_t quantity)
{
    NewOrder order = limitOrder(id, side, 0, quantity);
    order.type = OrderType::Market;
    return order;
}

// Drives the engine through a scenario whose resulting book is worked out by hand in the
// comments, ending with:
//   bids 9850: 28 (orders 4, 203), 9800: 5 (order 202); asks 10300: 12 (order 104)
// after 29 events, 8 of them trades.
void runScenario(Engine &engine)
{
    const auto applied = [](ApplyResult result) { QCOMPARE(result, ApplyResult::Applied); };

    applied(engine.applyAdd(OrderId{101}, Side::Sell, Price{10100}, Quantity{50}, at(1))); // 1
    applied(engine.applyAdd(OrderId{102}, Side::Sell, Price{10100}, Quantity{30}, at(2))); // 2
    applied(engine.applyAdd(OrderId{103}, Side::Sell, Price{10200}, Quantity{40}, at(3))); // 3
    applied(engine.applyAdd(OrderId{201}, Side::Buy, Price{9900}, Quantity{60}, at(4)));   // 4
    applied(engine.applyAdd(OrderId{202}, Side::Buy, Price{9800}, Quantity{25}, at(5)));   // 5

    // Accepted (6); fills 101 for 50 (7) and 102 for 20 of 30 (8).
    engine.submit(limitOrder(1, Side::Buy, 10100, 70), at(6));
    // Accepted (9); fills 201 for 60 (10) and 202 for 20 of 25 (11).
    engine.submit(marketOrder(2, Side::Sell, 80), at(7));
    // Neither crosses: accepted and added (12, 13), (14, 15).
    engine.submit(limitOrder(3, Side::Sell, 10000, 15), at(8));
    engine.submit(limitOrder(4, Side::Buy, 9850, 30), at(9));

    // A cancel (16), an execution of 10 of order 4's 30 (17), a reduction of order 102 by 4
    // (18), and a cancel of an unknown order, rejected (19).
    engine.cancel(OrderId{103}, at(10));                              // 16
    applied(engine.applyExecution(OrderId{4}, Quantity{10}, at(11))); // 17
    applied(engine.applyReduce(OrderId{102}, Quantity{4}, at(12)));   // 18
    engine.cancel(OrderId{999}, at(13));                              // 19

    // Accepted (20). It fills 3 for 15 (21) and 102 for its last 6 (22). The other 79 find
    // no liquidity, so they are cancelled as unfilled (23).
    engine.submit(marketOrder(5, Side::Buy, 100), at(14));

    // An order is added (24). A halt (25) rejects the next order, a market order that cannot
    // wait for the reopening (26), until trading resumes (27). An order joins the queue behind
    // order 4 (28), and a trade takes hidden liquidity (29).
    applied(engine.applyAdd(OrderId{104}, Side::Sell, Price{10300}, Quantity{12}, at(15))); // 24
    engine.applyStatus(TradingStatus::Halted, at(16));                                      // 25
    engine.submit(marketOrder(6, Side::Buy, 5), at(17));                                    // 26
    engine.applyStatus(TradingStatus::Trading, at(18));                                     // 27
    applied(engine.applyAdd(OrderId{203}, Side::Buy, Price{9850}, Quantity{8}, at(19)));    // 28
    engine.applyUnseenTrade(Side::Buy, Price{10050}, Quantity{7}, at(20));                  // 29
}

void checkHandComputedBook(const Engine &engine)
{
    const OrderBook &book = engine.book();
    QCOMPARE(engine.lastSequence(), SequenceNumber{29});
    QCOMPARE(engine.tradeCount(), std::uint64_t{8});
    QCOMPARE(engine.status(), TradingStatus::Trading);

    QCOMPARE(book.bestPrice(Side::Buy), std::optional<Price>(Price{9850}));
    QCOMPARE(book.bestPrice(Side::Sell), std::optional<Price>(Price{10300}));
    QCOMPARE(book.levelCount(Side::Buy), std::size_t{2});
    QCOMPARE(book.levelCount(Side::Sell), std::size_t{1});
    QCOMPARE(book.level(Side::Buy, 0), (LevelSummary{Price{9850}, Quantity{28}, 2}));
    QCOMPARE(book.level(Side::Buy, 1), (LevelSummary{Price{9800}, Quantity{5}, 1}));
    QCOMPARE(book.level(Side::Sell, 0), (LevelSummary{Price{10300}, Quantity{12}, 1}));
    QCOMPARE(book.orderCount(), std::size_t{4});

    const std::vector<const Order *> queue = book.ordersAt(Side::Buy, Price{9850});
    QCOMPARE(queue.size(), std::size_t{2});
    QCOMPARE(queue[0]->id, OrderId{4});
    QCOMPARE(queue[0]->remaining, Quantity{20});
    QCOMPARE(queue[1]->id, OrderId{203});
    QCOMPARE(queue[1]->remaining, Quantity{8});
}

} // namespace

class TestJournalReplay : public QObject {
    Q_OBJECT

private slots:
    void init();
    void restoredEngineMatchesOriginal_data();
    void restoredEngineMatchesOriginal();
    void restoreAcrossReopenedJournal();

private:
    QString journalPath() const { return m_directory->filePath(QStringLiteral("journal.sqlite")); }

    std::optional<QTemporaryDir> m_directory;
};

void TestJournalReplay::init()
{
    m_directory.emplace();
    QVERIFY(m_directory->isValid());
}

void TestJournalReplay::restoredEngineMatchesOriginal_data()
{
    QTest::addColumn<int>("eventsPerChunk");

    QTest::newRow("one event per chunk") << 1;
    QTest::newRow("4 events per chunk") << 4;
    QTest::newRow("one chunk on close") << 1000;
}

void TestJournalReplay::restoredEngineMatchesOriginal()
{
    QFETCH(int, eventsPerChunk);

    Engine original(instrument);
    JournalWriterOptions options;
    options.eventsPerChunk = static_cast<std::size_t>(eventsPerChunk);
    JournalWriter::Created created = JournalWriter::create(journalPath().toStdString(), options);
    QVERIFY(created.writer);
    StateHashRecorder recorder(original);
    original.addHandler(created.writer.get());
    original.addHandler(&recorder);

    runScenario(original);
    QVERIFY(!QTest::currentTestFailed());
    checkHandComputedBook(original);
    QVERIFY(!QTest::currentTestFailed());
    const std::optional<JournalError> closeError = created.writer->close();
    QVERIFY2(!closeError, closeError ? closeError->toString().c_str() : "");
    QCOMPARE(created.writer->committedSequence(), SequenceNumber{29});

    JournalReader::Opened opened = JournalReader::open(journalPath().toStdString());
    QVERIFY(opened.reader);
    Engine restored(instrument);
    while (std::optional<Event> event = opened.reader->next()) {
        const std::size_t index = event->sequence - 1;
        QCOMPARE(test::describe(*event), test::describe(recorder.events()[index]));
        QVERIFY2(restored.restore(*event) == RestoreResult::Restored,
                 qPrintable(test::describe(*event)));
        QCOMPARE(restored.stateHash(), recorder.hashes()[index]);
    }
    QVERIFY2(!opened.reader->error(), opened.reader->error()->toString().c_str());

    QCOMPARE(restored.lastSequence(), original.lastSequence());
    QCOMPARE(restored.stateHash(), original.stateHash());
    QCOMPARE(restored.tradeCount(), original.tradeCount());
    QCOMPARE(restored.book().bestPrice(Side::Buy), original.book().bestPrice(Side::Buy));
    QCOMPARE(restored.book().bestPrice(Side::Sell), original.book().bestPrice(Side::Sell));
    checkHandComputedBook(restored);
}

void TestJournalReplay::restoreAcrossReopenedJournal()
{
    // The engine's run is journaled by two writers one after the other, as across a restart.
    Engine original(instrument);
    {
        JournalWriter::Created first = JournalWriter::create(journalPath().toStdString());
        QVERIFY(first.writer);
        original.addHandler(first.writer.get());
        original.applyAdd(OrderId{1}, Side::Buy, Price{9900}, Quantity{10}, at(1));
        original.applyAdd(OrderId{2}, Side::Sell, Price{10100}, Quantity{10}, at(2));
        original.removeHandler(first.writer.get());
        QVERIFY(!first.writer->close());
    }

    JournalWriter::Created second = JournalWriter::create(journalPath().toStdString());
    QVERIFY(second.writer);
    QCOMPARE(second.writer->lastSequence(), original.lastSequence());
    original.addHandler(second.writer.get());
    original.submit(limitOrder(3, Side::Buy, 10100, 4), at(3)); // accepted (3), a trade (4)
    QVERIFY(!second.writer->close());
    QCOMPARE(original.lastSequence(), SequenceNumber{4});

    JournalReader::Opened opened = JournalReader::open(journalPath().toStdString());
    QVERIFY(opened.reader);
    Engine restored(instrument);
    while (std::optional<Event> event = opened.reader->next()) {
        QVERIFY2(restored.restore(*event) == RestoreResult::Restored,
                 qPrintable(test::describe(*event)));
    }
    QVERIFY(!opened.reader->error());

    QCOMPARE(restored.lastSequence(), SequenceNumber{4});
    QCOMPARE(restored.stateHash(), original.stateHash());
    QCOMPARE(restored.book().level(Side::Sell, 0), (LevelSummary{Price{10100}, Quantity{6}, 1}));
    QCOMPARE(restored.book().level(Side::Buy, 0), (LevelSummary{Price{9900}, Quantity{10}, 1}));
}

QTEST_GUILESS_MAIN(TestJournalReplay)
#include "tst_journal_replay.moc"

#include "engine_printers.h"
#include "lobster_replay.h"
#include "test_data.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <sstream>

using namespace bourse;
using namespace bourse::lobster;

namespace {

const QString kDay = QStringLiteral("lobster/GOOG_2012-06-21_34200000_57600000_%1_%2.csv");

Replay::Step runToEnd(Replay &replay)
{
    Replay::Step step = Replay::Step::Applied;
    while (step == Replay::Step::Applied)
        step = replay.step();
    return step;
}

} // namespace

class LobsterReplayTest : public QObject {
    Q_OBJECT

private slots:
    void googDayMatchesEveryRow_data();
    void googDayMatchesEveryRow();
    void changedExecutionSizeIsAMismatchAtItsRow();
    void bookBeforeFirstMessageComesFromFirstRow();
    void levelComingIntoSightTakesItsSizeFromFile();
    void differenceInSightIsAMismatch();
    void unseenOrderIsTakenFromRecoveredQuantity();
    void idOnOtherSideIsNotTouched();
    void shortOrderbookFileStopsWithError();
    void emptyOrTooShallowFilesFailAtOpen();
    void malformedMessageStopsWithFileAndLine();
    void replayWithoutOrderbookChecksNothing();
};

void LobsterReplayTest::googDayMatchesEveryRow_data()
{
    QTest::addColumn<int>("levels");
    QTest::addColumn<int>("rows");
    // Row counts of the three LOBSTER sample files of the day.
    QTest::newRow("level 1") << 1 << 49482;
    QTest::newRow("level 5") << 5 << 112673;
    QTest::newRow("level 10") << 10 << 147916;
}

void LobsterReplayTest::googDayMatchesEveryRow()
{
    QFETCH(int, levels);
    QFETCH(int, rows);
    const QString messages = marketDataPath(kDay.arg("message").arg(levels));
    const QString orderbook = marketDataPath(kDay.arg("orderbook").arg(levels));
    BOURSE_REQUIRE_DATA_FILE(messages);
    BOURSE_REQUIRE_DATA_FILE(orderbook);

    Engine engine(InstrumentId{1});
    Replay replay(engine);
    QVERIFY(!replay.open(
        {messages.toStdString(), orderbook.toStdString(), static_cast<std::size_t>(levels)}));
    QCOMPARE(runToEnd(replay), Replay::Step::Finished);

    const ReplaySummary &summary = replay.summary();
    QCOMPARE(summary.messages, std::size_t(rows));
    QCOMPARE(summary.checkedRows, std::size_t(rows));
    QCOMPARE(summary.checkedLevels, std::size_t(levels));
    QCOMPARE(summary.unexplainedMessages, std::size_t{0});
    if (summary.firstMismatch)
        qWarning("first mismatch at row %zu", summary.firstMismatch->row);
    QCOMPARE(summary.mismatches, std::size_t{0});
    // Executions of visible and hidden orders in each file, counted with awk: every one of
    // them happens at the best price, so all three depths list them all.
    QCOMPARE(summary.trades, std::size_t{11678});
    QVERIFY(summary.fills >= summary.trades);
}

// Recovery must not hide an error: one execution made a share smaller leaves a share too many
// at a level in sight, which the check reports at that row.
void LobsterReplayTest::changedExecutionSizeIsAMismatchAtItsRow()
{
    const QString messages = marketDataPath(kDay.arg("message").arg(10));
    const QString orderbook = marketDataPath(kDay.arg("orderbook").arg(10));
    BOURSE_REQUIRE_DATA_FILE(messages);
    BOURSE_REQUIRE_DATA_FILE(orderbook);

    std::ifstream in(messages.toStdString());
    std::ostringstream changed;
    std::string line;
    std::size_t number = 0;
    std::size_t changedRow = 0;
    while (std::getline(in, line)) {
        ++number;
        if (changedRow == 0 && number > 5000 && line.find(",4,") != std::string::npos) {
            // time,4,id,size,price,direction: take one share off the size.
            std::istringstream fields(line);
            std::string time, type, id, size, rest;
            std::getline(fields, time, ',');
            std::getline(fields, type, ',');
            std::getline(fields, id, ',');
            std::getline(fields, size, ',');
            std::getline(fields, rest);
            if (std::stoll(size) > 1) {
                line = time + "," + type + "," + id + "," + std::to_string(std::stoll(size) - 1) +
                       "," + rest;
                changedRow = number;
            }
        }
        changed << line << '\n';
    }
    QVERIFY(changedRow > 0);

    QTemporaryDir directory;
    const std::string path = writeFile(directory, "changed_message_10.csv", changed.str());
    Engine engine(InstrumentId{1});
    Replay replay(engine);
    QVERIFY(!replay.open({path, orderbook.toStdString(), 10}));
    QCOMPARE(runToEnd(replay), Replay::Step::Finished);
    QVERIFY(replay.summary().mismatches > 0);
    QVERIFY(replay.summary().firstMismatch.has_value());
    QCOMPARE(replay.summary().firstMismatch->row, changedRow);
}

// Orderbook depth 2. The first message executes 30 of the best bid, so the book before it had
// 130 there. The seeded levels are the first row with that execution undone.
void LobsterReplayTest::bookBeforeFirstMessageComesFromFirstRow()
{
    QTemporaryDir directory;
    const std::string messages = writeFile(directory, "m.csv", "34200.1,4,55,30,1000,1\n");
    const std::string orderbook =
        writeFile(directory, "ob.csv", "1010,40,1000,100,1020,10,990,20\n");

    Engine engine(InstrumentId{1});
    Replay replay(engine);
    QVERIFY(!replay.open({messages, orderbook, 0}));
    QCOMPARE(runToEnd(replay), Replay::Step::Finished);
    QCOMPARE(replay.summary().mismatches, std::size_t{0});
    QCOMPARE(replay.summary().unexplainedMessages, std::size_t{0});
    QCOMPARE(replay.summary().trades, std::size_t{1});
    QCOMPARE(replay.summary().checkedLevels, std::size_t{2});
    QCOMPARE(engine.book().quantityAt(Side::Buy, Price{1000}), Quantity{100});
    QCOMPARE(engine.book().quantityAt(Side::Sell, Price{1020}), Quantity{10});
}

// Depth 1. The best bid 1000 is deleted and 990 comes into sight: no message ever described
// it, so its size comes from the row.
void LobsterReplayTest::levelComingIntoSightTakesItsSizeFromFile()
{
    QTemporaryDir directory;
    const std::string messages = writeFile(directory, "m.csv",
                                           "34200.1,1,1,50,1000,1\n"
                                           "34200.2,3,1,50,1000,1\n");
    const std::string orderbook = writeFile(directory, "ob.csv",
                                            "1010,40,1000,50\n"
                                            "1010,40,990,70\n");
    Engine engine(InstrumentId{1});
    Replay replay(engine);
    QVERIFY(!replay.open({messages, orderbook, 1}));
    QCOMPARE(runToEnd(replay), Replay::Step::Finished);
    QCOMPARE(replay.summary().mismatches, std::size_t{0});
    QCOMPARE(engine.book().quantityAt(Side::Buy, Price{990}), Quantity{70});
    QCOMPARE(engine.book().quantityAt(Side::Buy, Price{1000}), Quantity{0});
}

// Depth 2 with only one bid level: the whole bid side is in sight, so a size that no message
// explains is a mismatch, not a recovery.
void LobsterReplayTest::differenceInSightIsAMismatch()
{
    QTemporaryDir directory;
    const std::string messages = writeFile(directory, "m.csv",
                                           "34200.1,1,1,50,1000,1\n"
                                           "34200.2,1,2,10,990,1\n"
                                           "34200.3,1,3,10,980,1\n");
    const std::string orderbook = writeFile(directory, "ob.csv",
                                            "1010,40,1000,50,9999999999,0,-9999999999,0\n"
                                            "1010,40,1000,50,9999999999,0,990,11\n"
                                            "1010,40,1000,50,9999999999,0,990,11\n");
    Engine engine(InstrumentId{1});
    Replay replay(engine);
    QVERIFY(!replay.open({messages, orderbook, 2}));
    QCOMPARE(runToEnd(replay), Replay::Step::Finished);
    QCOMPARE(replay.summary().mismatches, std::size_t{2});
    QVERIFY(replay.summary().firstMismatch.has_value());
    const Mismatch &mismatch = *replay.summary().firstMismatch;
    QCOMPARE(mismatch.row, std::size_t{2});
    QCOMPARE(mismatch.expected.bids.size(), std::size_t{2});
    QCOMPARE(mismatch.expected.bids[1].size, Quantity{11});
    QCOMPARE(mismatch.actual.bids.size(), std::size_t{2});
    QCOMPARE(mismatch.actual.bids[1].size, Quantity{10});
}

// An order from before the first message is executed and then cancelled by id; both take
// from the quantity seeded from the first row.
void LobsterReplayTest::unseenOrderIsTakenFromRecoveredQuantity()
{
    QTemporaryDir directory;
    const std::string messages = writeFile(directory, "m.csv",
                                           "34200.1,1,1,10,1010,-1\n"
                                           "34200.2,4,77,30,1010,-1\n"
                                           "34200.3,2,77,20,1010,-1\n");
    const std::string orderbook = writeFile(directory, "ob.csv",
                                            "1010,110,1000,50\n"
                                            "1010,80,1000,50\n"
                                            "1010,60,1000,50\n");
    Engine engine(InstrumentId{1});
    Replay replay(engine);
    QVERIFY(!replay.open({messages, orderbook, 1}));
    QCOMPARE(runToEnd(replay), Replay::Step::Finished);
    QCOMPARE(replay.summary().mismatches, std::size_t{0});
    QCOMPARE(replay.summary().unexplainedMessages, std::size_t{0});
    QCOMPARE(replay.summary().trades, std::size_t{1});
    // Order 1 joined the queue behind the seeded 100 and is untouched.
    const auto queue = engine.book().ordersAt(Side::Sell, Price{1010});
    QCOMPARE(queue.size(), std::size_t{2});
    QCOMPARE(queue[0]->remaining, Quantity{50});
    QCOMPARE(queue[1]->id, OrderId{1});
    QCOMPARE(queue[1]->remaining, Quantity{10});
}

// A cancel names order 1, which rests as a bid, but gives it as an ask at 1010: it must not
// reduce the bid, and it takes from the recovered ask quantity instead.
void LobsterReplayTest::idOnOtherSideIsNotTouched()
{
    QTemporaryDir directory;
    const std::string messages = writeFile(directory, "m.csv",
                                           "34200.1,1,1,50,1000,1\n"
                                           "34200.2,2,1,10,1010,-1\n");
    const std::string orderbook = writeFile(directory, "ob.csv",
                                            "1010,40,1000,50\n"
                                            "1010,30,1000,50\n");
    Engine engine(InstrumentId{1});
    Replay replay(engine);
    QVERIFY(!replay.open({messages, orderbook, 1}));
    QCOMPARE(runToEnd(replay), Replay::Step::Finished);
    QCOMPARE(replay.summary().mismatches, std::size_t{0});
    QCOMPARE(replay.summary().unexplainedMessages, std::size_t{1});
    QCOMPARE(engine.findOrder(OrderId{1})->remaining, Quantity{50});
    QCOMPARE(engine.book().quantityAt(Side::Sell, Price{1010}), Quantity{30});
}

void LobsterReplayTest::shortOrderbookFileStopsWithError()
{
    QTemporaryDir directory;
    const std::string messages = writeFile(directory, "m.csv",
                                           "34200.1,1,1,50,1000,1\n"
                                           "34200.2,1,2,50,1000,1\n");
    const std::string orderbook = writeFile(directory, "ob.csv", "1010,40,1000,50\n");
    Engine engine(InstrumentId{1});
    Replay replay(engine);
    QVERIFY(!replay.open({messages, orderbook, 1}));
    QCOMPARE(runToEnd(replay), Replay::Step::Failed);
    QVERIFY(replay.error().has_value());
    QCOMPARE(replay.error()->file, orderbook);
    QVERIFY2(QString::fromStdString(replay.error()->what).contains("ends before"),
             replay.error()->what.c_str());
    QCOMPARE(replay.summary().messages, std::size_t{2});
}

void LobsterReplayTest::emptyOrTooShallowFilesFailAtOpen()
{
    QTemporaryDir directory;
    const std::string empty = writeFile(directory, "empty.csv", "");
    const std::string messages = writeFile(directory, "m.csv", "34200.1,1,1,50,1000,1\n");
    const std::string orderbook = writeFile(directory, "ob.csv", "1010,40,1000,50\n");
    Engine engine(InstrumentId{1});

    Replay emptyMessages(engine);
    auto error = emptyMessages.open({empty, "", 0});
    QVERIFY(error.has_value());
    QCOMPARE(error->toString(), empty + ": the message file is empty");

    Replay emptyOrderbook(engine);
    error = emptyOrderbook.open({messages, empty, 0});
    QVERIFY(error.has_value());
    QCOMPARE(error->toString(), empty + ": the orderbook file is empty");

    Replay tooDeep(engine);
    error = tooDeep.open({messages, orderbook, 2});
    QVERIFY(error.has_value());
    QCOMPARE(error->toString(), orderbook + ":1: cannot check 2 levels: the file has 1");
    QCOMPARE(engine.lastSequence(), SequenceNumber{0});
}

void LobsterReplayTest::malformedMessageStopsWithFileAndLine()
{
    QTemporaryDir directory;
    const std::string messages = writeFile(directory, "m.csv",
                                           "34200.1,1,1,50,1000,1\n"
                                           "34200.2,1,2,fifty,1000,1\n");
    Engine engine(InstrumentId{1});
    Replay replay(engine);
    QVERIFY(!replay.open({messages, "", 0}));
    QCOMPARE(replay.step(), Replay::Step::Failed);
    QVERIFY(replay.error().has_value());
    QCOMPARE(replay.error()->toString().rfind(messages + ":2: invalid size 'fifty'", 0),
             std::size_t{0});
    // The row before the malformed one was applied and stays applied.
    QCOMPARE(engine.book().quantityAt(Side::Buy, Price{1000}), Quantity{50});
}

void LobsterReplayTest::replayWithoutOrderbookChecksNothing()
{
    QTemporaryDir directory;
    const std::string messages = writeFile(directory, "m.csv",
                                           "34200.1,1,1,50,1000,1\n"
                                           "34200.2,5,0,5,1005,-1\n"
                                           "34200.25,4,999,7,1010,-1\n"
                                           "34200.3,7,0,0,-1,-1\n");
    Engine engine(InstrumentId{1});
    Replay replay(engine);
    QVERIFY(!replay.open({messages, "", 0}));
    QCOMPARE(replay.nextTime(), std::optional<Timestamp>(Timestamp{34200100000000}));
    QCOMPARE(runToEnd(replay), Replay::Step::Finished);
    QCOMPARE(replay.summary().messages, std::size_t{4});
    QCOMPARE(replay.summary().checkedRows, std::size_t{0});
    // The hidden execution and the execution of an order the book never saw both trade.
    QCOMPARE(replay.summary().trades, std::size_t{2});
    QCOMPARE(replay.summary().unexplainedMessages, std::size_t{1});
    QCOMPARE(engine.book().quantityAt(Side::Buy, Price{1000}), Quantity{50});
    QCOMPARE(engine.status(), TradingStatus::Halted);
}

QTEST_APPLESS_MAIN(LobsterReplayTest)
#include "tst_lobster_replay.moc"

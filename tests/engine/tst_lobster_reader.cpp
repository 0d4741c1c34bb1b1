#include "engine_printers.h"
#include "lobster.h"
#include "test_data.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using namespace bourse;
using namespace bourse::lobster;

class LobsterReaderTest : public QObject {
    Q_OBJECT

private slots:
    void validRowIsParsedExactly();
    void timeKeepsEveryNanosecond_data();
    void timeKeepsEveryNanosecond();
    void malformedRowIsRejected_data();
    void malformedRowIsRejected();
    void readerStopsAtMalformedLineWithFileAndLine();
    void readerAcceptsWindowsLineEnds();
    void orderbookRowEndsSideAtEmptyLevel();
    void malformedOrderbookRowIsRejected_data();
    void malformedOrderbookRowIsRejected();
    void missingFileIsReportedByName();
    void directoryIsNotAFile();
    void timeGoingBackIsRejected();
    void byteOrderMarkIsSkipped();
    void binaryFieldIsShownEscapedAndCut();
    void orderbookPathFollowsLobsterNaming();
};

void LobsterReaderTest::validRowIsParsedExactly()
{
    InputError error;
    const auto message =
        parseMessage("34200.015105074,4,15818974,4,5794000,1", "day.csv", 1, error);
    QVERIFY(message.has_value());
    QCOMPARE(message->time.value(), std::int64_t{34200015105074});
    QCOMPARE(message->type, MessageType::VisibleExecution);
    QCOMPARE(message->id, OrderId{15818974});
    QCOMPARE(message->size, Quantity{4});
    QCOMPARE(message->price, Price{5794000});
    QCOMPARE(message->direction, Side::Buy);
    QCOMPARE(message->line, std::size_t{1});
}

void LobsterReaderTest::timeKeepsEveryNanosecond_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("nanoseconds");
    QTest::newRow("nine decimals") << "34200.000000001" << qint64(34200000000001);
    QTest::newRow("eight decimals") << "34200.05990197" << qint64(34200059901970);
    QTest::newRow("one decimal") << "57599.9" << qint64(57599900000000);
    QTest::newRow("whole seconds") << "34201" << qint64(34201000000000);
}

void LobsterReaderTest::timeKeepsEveryNanosecond()
{
    QFETCH(QString, text);
    QFETCH(qint64, nanoseconds);
    InputError error;
    const auto message =
        parseMessage(text.toStdString() + ",1,7,100,5794000,-1", "day.csv", 3, error);
    QVERIFY2(message.has_value(), error.toString().c_str());
    QCOMPARE(message->time.value(), nanoseconds);
    QCOMPARE(message->direction, Side::Sell);
}

void LobsterReaderTest::malformedRowIsRejected_data()
{
    QTest::addColumn<QString>("row");
    QTest::addColumn<QString>("expected");

    QTest::newRow("too few fields") << "34200.1,1,7,100,5794000"
                                    << "found 5";
    QTest::newRow("too many fields") << "34200.1,1,7,100,5794000,1,9"
                                     << "found more";
    QTest::newRow("empty line") << ""
                                << "found 1";
    QTest::newRow("time not a number") << "9:30,1,7,100,5794000,1"
                                       << "invalid time '9:30'";
    QTest::newRow("time with ten decimals") << "34200.0000000001,1,7,100,5794000,1"
                                            << "invalid time";
    QTest::newRow("negative time") << "-1.5,1,7,100,5794000,1"
                                   << "invalid time";
    QTest::newRow("time past the day") << "99999999999.5,1,7,100,5794000,1"
                                       << "invalid time '99999999999.5'";
    QTest::newRow("unknown type") << "34200.1,8,7,100,5794000,1"
                                  << "invalid event type '8'";
    QTest::newRow("negative order id") << "34200.1,1,-7,100,5794000,1"
                                       << "invalid order id";
    QTest::newRow("fractional size") << "34200.1,1,7,10.5,5794000,1"
                                     << "invalid size '10.5'";
    QTest::newRow("zero size") << "34200.1,1,7,0,5794000,1"
                               << "must be positive";
    QTest::newRow("size beyond the engine's range") << "34200.1,1,7,1000000000001,5794000,1"
                                                    << "beyond what the engine accepts";
    QTest::newRow("price in dollars") << "34200.1,1,7,100,579.40,1"
                                      << "invalid price '579.40'";
    QTest::newRow("direction zero") << "34200.1,1,7,100,5794000,0"
                                    << "invalid direction '0'";
    QTest::newRow("trailing space") << "34200.1,1,7,100,5794000,1 "
                                    << "invalid direction";
    QTest::newRow("halt with a price") << "34200.1,7,0,0,5794000,-1"
                                       << "invalid trading halt price '5794000'";
}

void LobsterReaderTest::malformedRowIsRejected()
{
    QFETCH(QString, row);
    QFETCH(QString, expected);
    InputError error;
    const auto message = parseMessage(row.toStdString(), "day.csv", 812, error);
    QVERIFY(!message.has_value());
    QCOMPARE(error.file, std::string("day.csv"));
    QCOMPARE(error.line, std::size_t{812});
    QVERIFY2(QString::fromStdString(error.what).contains(expected), error.what.c_str());
    QVERIFY(QString::fromStdString(error.toString()).startsWith("day.csv:812: "));
}

void LobsterReaderTest::readerStopsAtMalformedLineWithFileAndLine()
{
    QTemporaryDir directory;
    const std::string path = writeFile(directory, "m.csv",
                                       "34200.1,1,7,100,5794000,1\n"
                                       "34200.2,3,7,100,5794000,1\n"
                                       "34200.3,1,8,abc,5794000,1\n"
                                       "34200.4,1,9,100,5794000,1\n");
    MessageReader reader;
    QVERIFY(!reader.open(path));
    QVERIFY(reader.next());
    QVERIFY(reader.next());
    QVERIFY(!reader.next());
    QVERIFY(reader.error().has_value());
    QCOMPARE(reader.error()->line, std::size_t{3});
    QCOMPARE(reader.error()->file, path);
    QVERIFY(!reader.next()); // stays stopped; the fourth row is never returned
}

void LobsterReaderTest::readerAcceptsWindowsLineEnds()
{
    QTemporaryDir directory;
    const std::string path = writeFile(directory, "m.csv", "34200.1,1,7,100,5794000,1\r\n");
    MessageReader reader;
    QVERIFY(!reader.open(path));
    const auto message = reader.next();
    QVERIFY(message.has_value());
    QCOMPARE(message->direction, Side::Buy);
    QVERIFY(!reader.next());
    QVERIFY(!reader.error().has_value());
}

void LobsterReaderTest::orderbookRowEndsSideAtEmptyLevel()
{
    QTemporaryDir directory;
    const std::string path =
        writeFile(directory, "ob.csv", "5795000,100,5794000,200,5796000,50,-9999999999,0\n");
    OrderbookReader reader;
    QVERIFY(!reader.open(path));
    const auto row = reader.next();
    QVERIFY2(row.has_value(), reader.error() ? reader.error()->toString().c_str() : "");
    QCOMPARE(reader.levels(), std::size_t{2});
    QCOMPARE(row->asks.size(), std::size_t{2});
    QCOMPARE(row->bids.size(), std::size_t{1});
    QCOMPARE(row->asks[1].price, Price{5796000});
    QCOMPARE(row->asks[1].size, Quantity{50});
    QCOMPARE(row->bids[0].size, Quantity{200});
}

void LobsterReaderTest::malformedOrderbookRowIsRejected_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("expected");

    QTest::newRow("not a multiple of four") << "5795000,100,5794000\n" << 1 << "multiple of 4";
    QTest::newRow("column count changes") << "5795000,100,5794000,200\n1,1,1,1,2,2,2,2\n"
                                          << 2 << "expected 4 columns as on line 1, found 8";
    QTest::newRow("text in a size") << "5795000,x,5794000,200\n" << 1 << "column 2";
    QTest::newRow("level after an empty one") << "9999999999,0,5794000,200,5796000,10,5793000,100\n"
                                              << 1 << "invalid ask 10@5796000";
    QTest::newRow("negative bid size") << "5795000,100,5794000,-200\n" << 1 << "invalid bid";
    QTest::newRow("size beyond the engine's range") << "5795000,9223372036854775807,5794000,200\n"
                                                    << 1 << "invalid ask";
}

void LobsterReaderTest::malformedOrderbookRowIsRejected()
{
    QFETCH(QString, text);
    QFETCH(int, line);
    QFETCH(QString, expected);
    QTemporaryDir directory;
    const std::string path = writeFile(directory, "ob.csv", text.toStdString());
    OrderbookReader reader;
    QVERIFY(!reader.open(path));
    while (reader.next()) {
    }
    QVERIFY(reader.error().has_value());
    QCOMPARE(reader.error()->line, std::size_t(line));
    QVERIFY2(QString::fromStdString(reader.error()->what).contains(expected),
             reader.error()->what.c_str());
}

void LobsterReaderTest::missingFileIsReportedByName()
{
    MessageReader reader;
    const auto error = reader.open("/nonexistent/GOOG_message_10.csv");
    QVERIFY(error.has_value());
    QCOMPARE(error->toString(), std::string("/nonexistent/GOOG_message_10.csv: cannot open the "
                                            "message file: No such file or directory"));
}

void LobsterReaderTest::directoryIsNotAFile()
{
    QTemporaryDir directory;
    MessageReader reader;
    const auto error = reader.open(directory.path().toStdString());
    QVERIFY(error.has_value());
    QCOMPARE(error->what, std::string("is a directory, not a message file"));
    OrderbookReader orderbook;
    QVERIFY(orderbook.open("/dev/null").has_value());
    QVERIFY2(orderbook.error()->what.find("not a regular file") != std::string::npos,
             orderbook.error()->what.c_str());
}

void LobsterReaderTest::timeGoingBackIsRejected()
{
    QTemporaryDir directory;
    const std::string path = writeFile(directory, "m.csv",
                                       "34200.5,1,7,100,5794000,1\n"
                                       "34200.5,1,8,100,5794000,1\n"
                                       "30000.25,1,9,100,5794000,1\n");
    MessageReader reader;
    QVERIFY(!reader.open(path));
    QVERIFY(reader.next());
    QVERIFY(reader.next()); // an equal time is fine
    QVERIFY(!reader.next());
    QVERIFY(reader.error().has_value());
    QCOMPARE(reader.error()->line, std::size_t{3});
    QCOMPARE(reader.error()->what,
             std::string("time goes back: 08:20:00.250000000 comes after 09:30:00.500000000, "
                         "but rows must be in time order"));
}

void LobsterReaderTest::byteOrderMarkIsSkipped()
{
    QTemporaryDir directory;
    const std::string path = writeFile(directory, "m.csv",
                                       "\xEF\xBB\xBF"
                                       "34200.1,1,7,100,5794000,1\n");
    MessageReader reader;
    QVERIFY(!reader.open(path));
    const auto message = reader.next();
    QVERIFY2(message.has_value(), reader.error() ? reader.error()->toString().c_str() : "");
    QCOMPARE(message->time.value(), std::int64_t{34200100000000});
}

// 0x7f, "ELF" and 100 bytes of 0x01: the message shows the first 40 characters escaped.
void LobsterReaderTest::binaryFieldIsShownEscapedAndCut()
{
    InputError error;
    const std::string binary = "\x7f"
                               "ELF" +
                               std::string(100, '\x01') + ",1,7,100,5794000,1";
    QVERIFY(!parseMessage(binary, "day.csv", 1, error));
    std::string expected = "invalid time '\\x7fELF";
    for (int i = 0; i < 36; ++i)
        expected += "\\x01";
    expected += "' (cut after 40 characters): expected seconds after midnight, at most 86400, "
                "with at most 9 decimals";
    QCOMPARE(error.what, expected);
}

void LobsterReaderTest::orderbookPathFollowsLobsterNaming()
{
    QCOMPARE(orderbookPathFor("/d/GOOG_2012-06-21_34200000_57600000_message_10.csv"),
             std::string("/d/GOOG_2012-06-21_34200000_57600000_orderbook_10.csv"));
    QCOMPARE(orderbookPathFor("/d_message_x/trades.csv"), std::string());
}

QTEST_APPLESS_MAIN(LobsterReaderTest)
#include "tst_lobster_reader.moc"

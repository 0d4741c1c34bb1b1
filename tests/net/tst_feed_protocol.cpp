// The feed protocol's two encodings: every message type survives a round trip, and malformed or
// oversized payloads are rejected with the field that is wrong.

#include "feed_protocol.h"

#include <QTest>

using bourse::OrderId;
using bourse::Price;
using bourse::Quantity;
using bourse::Side;
using bourse::Timestamp;
using bourse::TradingStatus;
using namespace bourse::net::feed;

Q_DECLARE_METATYPE(bourse::net::feed::Encoding)

namespace {

Batch everyType()
{
    Batch batch{"GOOG", 0x1122334455667788, {}};
    batch.messages = {
        {0, InstrumentDefinition{BookDepth::Orders, 4, 0, 100, 1}},
        {1, OrderMessage{OrderAction::Add, Timestamp{34200000000001}, OrderId{11}, Side::Buy,
                         Price{5800000}, Quantity{100}}},
        {2, OrderMessage{OrderAction::Modify, Timestamp{2}, OrderId{11}, Side::Buy, Price{5800000},
                         Quantity{40}}},
        {3, OrderMessage{OrderAction::Execute, Timestamp{3}, OrderId{11}, Side::Buy, Price{5800000},
                         Quantity{10}}},
        {4, OrderMessage{OrderAction::Delete, Timestamp{4}, OrderId{11}, Side::Buy, Price{5800000},
                         Quantity{50}}},
        {5, Trade{Timestamp{5}, Side::Sell, Price{5799900}, Quantity{25}}},
        {6, StatusChange{Timestamp{6}, TradingStatus::Halted}},
        {7,
         LevelUpdate{Timestamp{7},
                     {{Side::Buy, Price{99}, Quantity{0}}, {Side::Sell, Price{101}, Quantity{6}}}}},
        {7, BookSnapshot{{{Price{100}, Quantity{4}}, {Price{99}, Quantity{10}}},
                         {{Price{101}, Quantity{6}}}}},
        {7, OrderSnapshot{{{OrderId{12}, Side::Sell, Price{101}, Quantity{6}}}}},
        {7, Heartbeat{}},
    };
    return batch;
}

std::vector<std::uint8_t> encoded(const Batch &batch, Encoding encoding)
{
    std::vector<std::uint8_t> payload;
    if (encoding == Encoding::Binary) {
        encodeBinary(batch, payload);
    } else {
        const std::string text = encodeJson(batch);
        payload.assign(text.begin(), text.end());
    }
    return payload;
}

std::vector<std::uint8_t> bytes(const std::string &text)
{
    return {text.begin(), text.end()};
}

} // namespace

class TestFeedProtocol : public QObject {
    Q_OBJECT

private slots:
    void everyTypeRoundTrips_data();
    void everyTypeRoundTrips();
    void malformedJsonRejected_data();
    void malformedJsonRejected();
    void malformedBinaryRejected();
    void rejectionNamesFieldAndReason_data();
    void rejectionNamesFieldAndReason();
    void unknownBinaryTypeNamed();
    void oversizedPayloadRejected();
    void invalidTopicRejected();
    void snapshotRequestRoundTrips();
    void heartbeatMatchesDocumentedBytes();
};

void TestFeedProtocol::everyTypeRoundTrips_data()
{
    QTest::addColumn<Encoding>("encoding");
    QTest::newRow("binary") << Encoding::Binary;
    QTest::newRow("json") << Encoding::Json;
}

void TestFeedProtocol::everyTypeRoundTrips()
{
    QFETCH(Encoding, encoding);
    const Batch original = everyType();
    const std::vector<std::uint8_t> payload = encoded(original, encoding);

    Batch decoded;
    const auto failed = decode("GOOG", payload, decoded);
    QVERIFY2(!failed, failed ? failed->toString().c_str() : "");
    QCOMPARE(decoded.topic, original.topic);
    QCOMPARE(decoded.session, original.session);
    QCOMPARE(decoded.messages.size(), original.messages.size());
    for (std::size_t i = 0; i < original.messages.size(); ++i) {
        QCOMPARE(decoded.messages[i].sequence, original.messages[i].sequence);
        QCOMPARE(decoded.messages[i].body.index(), original.messages[i].body.index());
        // Re-encoding compares every field, since the encoders write them all.
        Batch one{"GOOG", 1, {decoded.messages[i]}};
        Batch expected{"GOOG", 1, {original.messages[i]}};
        QCOMPARE(encodeJson(one), encodeJson(expected));
    }
}

void TestFeedProtocol::malformedJsonRejected_data()
{
    QTest::addColumn<QString>("payload");
    QTest::addColumn<QString>("field");
    const QString add = QStringLiteral(
        R"({"type":"add","session":1,"sequence":1,"time":1,"id":5,"side":"buy","price":%1,)"
        R"("quantity":%2})");
    QTest::newRow("zero price") << add.arg(0).arg(10) << "price";
    QTest::newRow("negative quantity") << add.arg(100).arg(-3) << "quantity";
    QTest::newRow("fractional price") << add.arg(100.5).arg(3) << "price";
    QTest::newRow("missing side")
        << R"({"type":"add","session":1,"sequence":1,"time":1,"id":5,"price":1,"quantity":1})"
        << "side";
    QTest::newRow("sequence zero")
        << R"({"type":"trade","session":1,"sequence":0,"time":1,"aggressor":"buy","price":1,)"
           R"("quantity":1})"
        << "sequence";
    QTest::newRow("unknown type") << R"({"type":"quote","session":1,"sequence":1})"
                                  << "type";
    QTest::newRow("bids out of order")
        << R"({"type":"book","session":1,"sequence":3,"bids":[[99,1],[100,1]],"asks":[]})"
        << "bids";
    QTest::newRow("unknown status")
        << R"({"type":"status","session":1,"sequence":2,"time":1,"status":"open"})"
        << "status";
    QTest::newRow("second message bad")
        << R"([{"type":"heartbeat","session":1,"sequence":0},)"
           R"({"type":"update","session":1,"sequence":1,"time":1,"bids":[[0,1]],"asks":[]}])"
        << "price";
    QTest::newRow("sessions differ") << R"([{"type":"heartbeat","session":1,"sequence":0},)"
                                        R"({"type":"heartbeat","session":2,"sequence":0}])"
                                     << "session";
    QTest::newRow("not json") << "{\"type\":"
                              << "payload";
}

void TestFeedProtocol::malformedJsonRejected()
{
    QFETCH(QString, payload);
    QFETCH(QString, field);
    Batch batch;
    const auto failed = decode("X", bytes(payload.toStdString()), batch);
    QVERIFY(failed);
    QCOMPARE(QString::fromStdString(failed->field), field);
}

void TestFeedProtocol::malformedBinaryRejected()
{
    const Batch batch{"X", 1, {{1, Trade{Timestamp{1}, Side::Buy, Price{10}, Quantity{2}}}}};
    std::vector<std::uint8_t> payload;
    encodeBinary(batch, payload);
    Batch decoded;

    std::vector<std::uint8_t> cut(payload.begin(), payload.end() - 1);
    QCOMPARE(decode("X", cut, decoded)->field, std::string("length"));

    std::vector<std::uint8_t> badVersion = payload;
    badVersion[2] = 9;
    QCOMPARE(decode("X", badVersion, decoded)->field, std::string("version"));

    std::vector<std::uint8_t> badSide = payload;
    badSide[13 + 13 + 8] = 5; // the aggressor byte after the record header and the time
    QCOMPARE(decode("X", badSide, decoded)->field, std::string("aggressor"));

    std::vector<std::uint8_t> trailing = payload;
    trailing.push_back(0);
    QCOMPARE(decode("X", trailing, decoded)->field, std::string("payload"));
    QVERIFY(!decode("X", payload, decoded));
}

void TestFeedProtocol::rejectionNamesFieldAndReason_data()
{
    QTest::addColumn<QString>("payload");
    QTest::addColumn<QString>("error");
    const QString orders =
        QStringLiteral(R"({"type":"orders","session":1,"sequence":3,"orders":[%1]})");
    QTest::newRow("order snapshot asks before bids")
        << orders.arg(R"([2,"sell",101,1],[1,"buy",100,1])")
        << "message 0: orders must list bids before asks: bid order 1 follows an ask";
    QTest::newRow("order snapshot worst bid first")
        << orders.arg(R"([1,"buy",99,1],[2,"buy",100,1])")
        << "message 0: orders must list each side best price first: order 2 at 100 follows 99";
    QTest::newRow("order snapshot worst ask first")
        << orders.arg(R"([1,"sell",102,1],[2,"sell",101,1])")
        << "message 0: orders must list each side best price first: order 2 at 101 follows 102";
    QTest::newRow("level size zero")
        << R"({"type":"book","session":1,"sequence":3,"bids":[[100,0]],"asks":[]})"
        << "message 0: bids[0] size must be positive, is 0";
    QTest::newRow("level price fractional")
        << R"({"type":"book","session":1,"sequence":3,"bids":[[100.5,1]],"asks":[]})"
        << "message 0: bids[0] price must be an integer";
    QTest::newRow("sequence zero")
        << R"({"type":"update","session":1,"sequence":0,"time":1,"bids":[],"asks":[]})"
        << "message 0: sequence must be 1 or more on a message of type \"update\"";
    QTest::newRow("duplicate key") << R"({"type":"heartbeat","session":1,"session":2,"sequence":0})"
                                   << "payload names key \"session\" twice";
    QTest::newRow("number, not an object")
        << "42"
        << "payload is JSON but not an object or an array of objects";
    QTest::newRow("binary header cut short") << "BF"
                                             << "header is 2 bytes, expected at least 13";
}

void TestFeedProtocol::rejectionNamesFieldAndReason()
{
    QFETCH(QString, payload);
    QFETCH(QString, error);
    Batch batch;
    const auto failed = decode("X", bytes(payload.toStdString()), batch);
    QVERIFY(failed);
    QCOMPARE(QString::fromStdString(failed->toString()), error);
}

void TestFeedProtocol::unknownBinaryTypeNamed()
{
    const Batch batch{"X", 1, {{1, Trade{Timestamp{1}, Side::Buy, Price{10}, Quantity{2}}}}};
    std::vector<std::uint8_t> payload;
    encodeBinary(batch, payload);
    payload[13] = 99; // the record type, after the 13-byte batch header
    Batch decoded;

    const auto failed = decode("X", payload, decoded);
    QVERIFY(failed);
    QCOMPARE(
        failed->toString(),
        std::string("message 0: type is 99, not a record type of the feed protocol (1 to 11)"));
}

void TestFeedProtocol::oversizedPayloadRejected()
{
    std::vector<std::uint8_t> payload(kMaxPayloadBytes + 1, '[');
    Batch decoded;
    const auto failed = decode("X", payload, decoded);
    QVERIFY(failed);
    QCOMPARE(failed->field, std::string("payload"));

    std::string many = "[";
    for (std::size_t i = 0; i <= kMaxBatchRecords; ++i)
        many += std::string(i ? "," : "") + R"({"type":"heartbeat","session":1,"sequence":0})";
    many += "]";
    QCOMPARE(decode("X", bytes(many), decoded)->field, std::string("count"));
}

void TestFeedProtocol::invalidTopicRejected()
{
    Batch decoded;
    const auto payload = bytes(R"({"type":"heartbeat","session":1,"sequence":0})");
    QCOMPARE(decode("", payload, decoded)->field, std::string("topic"));
    QCOMPARE(decode("a b", payload, decoded)->field, std::string("topic"));
    QCOMPARE(decode(std::string(33, 'A'), payload, decoded)->field, std::string("topic"));
}

void TestFeedProtocol::snapshotRequestRoundTrips()
{
    QCOMPARE(decodeSnapshotRequest(encodeSnapshotRequest("XRPUSDT")),
             std::optional<std::string>("XRPUSDT"));
    QVERIFY(!decodeSnapshotRequest(bytes("BFS")));
    QVERIFY(!decodeSnapshotRequest(encodeSnapshotRequest("bad topic")));
}

// A heartbeat of session 1 at sequence 5 on topic GOOG, encoded by hand in docs/feeds.md.
void TestFeedProtocol::heartbeatMatchesDocumentedBytes()
{
    const std::vector<std::uint8_t> expected{0x42, 0x46, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
                                             0x00, 0x00, 0x01, 0x00, 0x0b, 0x05, 0x00, 0x00, 0x00,
                                             0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    std::vector<std::uint8_t> payload;
    encodeBinary(Batch{"GOOG", 1, {{5, Heartbeat{}}}}, payload);
    QCOMPARE(payload, expected);
}

QTEST_GUILESS_MAIN(TestFeedProtocol)
#include "tst_feed_protocol.moc"

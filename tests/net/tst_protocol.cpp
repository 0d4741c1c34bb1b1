#include "protocol.h"
#include "stream_sequence.h"

#include <QFile>
#include <QRegularExpression>
#include <QtTest>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

using namespace bourse;
using namespace bourse::net;

Q_DECLARE_METATYPE(bourse::net::Message)
Q_DECLARE_METATYPE(bourse::net::ProtocolError)

namespace {

std::span<const std::uint8_t> asSpan(const QByteArray &bytes)
{
    return {reinterpret_cast<const std::uint8_t *>(bytes.constData()),
            static_cast<std::size_t>(bytes.size())};
}

QByteArray toByteArray(std::span<const std::uint8_t> bytes)
{
    return QByteArray(reinterpret_cast<const char *>(bytes.data()),
                      static_cast<qsizetype>(bytes.size()));
}

QByteArray encoded(const Message &message)
{
    std::vector<std::uint8_t> out;
    encodeMessage(message, out);
    return toByteArray(out);
}

// Hex with any whitespace, as docs/protocol.md prints it.
QByteArray fromHex(const char *hex)
{
    return QByteArray::fromHex(QByteArray(hex));
}

// --- The worked examples of docs/protocol.md, byte for byte. The bytes were written by hand
// from the field tables of that document, not produced by the encoder.

const char *const heartbeatHex = R"(
01 03 00 00  00 00 00 00  00 00 00 00 00 00 00 00  14 00 00 00
00 80 90 0c 26 8a 7e 18  e8 03 00 00  88 77 66 55 44 33 22 11
)";

const char *const newOrderHex = R"(
01 10 00 00  00 00 00 00  07 00 00 00 00 00 00 00  45 00 00 00
2a 00 00 00 00 00 00 00  03 00 00 00  01 00 00 00  00 00 00 00 00
42 27 00 00 00 00 00 00  64 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
)";

const char *const marketDataHex = R"(
01 30 00 00  01 00 00 00  0c 00 00 00 00 00 00 00  7f 00 00 00
02 00 00 00
1c 00  e9 03 00 00 00 00 00 00  00 f0 d9 ce 1a 1f 00 00  01 00 00 00
04 02  05 00 00 00 00 00 00 00  01  4c 27 00 00 00 00 00 00
c8 00 00 00 00 00 00 00  00
33 00  ea 03 00 00 00 00 00 00  20 91 e1 ce 1a 1f 00 00  01 00 00 00
04 06  05 00 00 00 00 00 00 00  06 00 00 00 00 00 00 00  00
4c 27 00 00 00 00 00 00  32 00 00 00 00 00 00 00  96 00 00 00 00 00 00 00
02 00 00 00  03 00 00 00
)";

Message heartbeatExample()
{
    Message message;
    message.body = Heartbeat{Timestamp{1'765'000'000'000'000'000}, 1000, 0x1122334455667788};
    return message;
}

Message newOrderExample()
{
    NewOrder order;
    order.clientOrderId = ClientOrderId{42};
    order.account = AccountId{3};
    order.instrument = InstrumentId{1};
    order.side = Side::Buy;
    order.type = OrderType::Limit;
    order.limit = Price{10050};
    order.quantity = Quantity{100};

    Message message;
    message.header.sequence = 7;
    message.body = order;
    return message;
}

Event orderAddedExample()
{
    return Event{
        1001, Timestamp{34'200'000'000'000}, InstrumentId{1},
        OrderAdded{OrderId{5}, Side::Sell, Price{10060}, Quantity{200}, OrderOrigin::OrderEntry}};
}

Event tradeExample()
{
    return Event{1002, Timestamp{34'200'000'500'000}, InstrumentId{1},
                 Trade{OrderId{5}, OrderId{6}, Side::Buy, Price{10060}, Quantity{50}, Quantity{150},
                       AccountId{2}, AccountId{3}}};
}

Message marketDataExample()
{
    Message message;
    message.header.streamId = 1;
    message.header.sequence = 12;
    message.body = MarketDataBatch{{orderAddedExample(), tradeExample()}};
    return message;
}

// --- Messages of every type with a value in every field that differs from its default, so
// that a field the decoder skips shows up when the decoded message is encoded again.

std::vector<Event> sampleEvents(std::uint32_t instrument, SequenceNumber firstSequence)
{
    const InstrumentId id{instrument};
    return {
        Event{firstSequence, Timestamp{111}, id,
              OrderAdded{OrderId{9}, Side::Sell, Price{501}, Quantity{7}, OrderOrigin::Recovered}},
        Event{firstSequence + 1, Timestamp{112}, id,
              TopOfBook{Price{499}, Quantity{3}, Price{501}, Quantity{7}}},
        Event{firstSequence + 5, Timestamp{113}, id,
              OrderRejected{OrderId{10}, RejectReason::KillSwitchEngaged, ClientOrderId{77},
                            AccountId{4}}},
    };
}

Message withHeader(Body body, std::uint32_t streamId, std::uint64_t sequence,
                   std::uint16_t flags = 0)
{
    Message message;
    message.header.streamId = streamId;
    message.header.sequence = sequence;
    message.header.flags = flags;
    message.body = std::move(body);
    return message;
}

NewOrder fullNewOrder()
{
    NewOrder order;
    order.clientOrderId = ClientOrderId{0x0102030405060708};
    order.account = AccountId{0x0a0b0c0d};
    order.instrument = InstrumentId{0x11121314};
    order.side = Side::Sell;
    order.type = OrderType::StopLimit;
    order.timeInForce = TimeInForce::Gtd;
    order.liquidity = Liquidity::PostOnly;
    order.selfTradePrevention = SelfTradePrevention::DecrementAndCancel;
    order.limit = Price{-5};
    order.quantity = Quantity{123456789};
    order.stopPrice = Price{98765};
    order.displayQuantity = Quantity{1000};
    order.protectionPrice = Price{4242};
    order.expiry = Timestamp{1'765'000'000'000'000'001};
    return order;
}

ErrorReply sampleErrorReply()
{
    ErrorReply reply;
    reply.code = ProtocolError::InvalidEnum;
    reply.messageType = 16;
    reply.sequence = 99;
    reply.offset = 36;
    const std::string field = "side";
    std::copy(field.begin(), field.end(), reply.field.begin());
    return reply;
}

// A valid message to damage: the NewOrder example.
QByteArray newOrderBytes()
{
    return fromHex(newOrderHex);
}

void setByte(QByteArray &bytes, int offset, std::uint8_t value)
{
    bytes[offset] = static_cast<char>(value);
}

void setUint32(QByteArray &bytes, int offset, std::uint32_t value)
{
    for (int i = 0; i < 4; ++i)
        setByte(bytes, offset + i, static_cast<std::uint8_t>(value >> (8 * i)));
}

void setUint64(QByteArray &bytes, int offset, std::uint64_t value)
{
    for (int i = 0; i < 8; ++i)
        setByte(bytes, offset + i, static_cast<std::uint8_t>(value >> (8 * i)));
}

// Cuts or pads a message and writes the matching payload size, so that only the inner
// structure is wrong.
QByteArray withPayloadSize(QByteArray bytes, int payloadSize)
{
    bytes.resize(20 + payloadSize, '\0');
    setUint32(bytes, 16, static_cast<std::uint32_t>(payloadSize));
    return bytes;
}

QString describeError(const std::optional<DecodeError> &error)
{
    if (!error)
        return QStringLiteral("no error");
    return QString::fromStdString(std::string(nameOf(error->code)) + ": " + describe(*error));
}

} // namespace

class TestProtocol : public QObject {
    Q_OBJECT

private slots:
    void roundTrip_data();
    void roundTrip();
    void newOrderKeepsEveryField();
    void documentedExample_data();
    void documentedExample();
    void documentShowsExampleBytes_data();
    void documentShowsExampleBytes();
    void hostileMessageRejected_data();
    void hostileMessageRejected();
    void failedDecodeLeavesNoHalfMessage();
    void everyTruncationRejected();
    void everyCorruptedByteHandled();
    void topicChecked_data();
    void topicChecked();
    void topicsNeverPrefixEachOther();
    void batchOfManyEventsIsOneMessage();
    void batchWriterMatchesEncoder();
    void decodeReusesEventCapacity();
    void errorReplyNamesFieldAndOffset();
    void streamSequenceVerdicts();
};

void TestProtocol::roundTrip_data()
{
    QTest::addColumn<Message>("message");
    QTest::addColumn<int>("payloadSize");

    QTest::newRow("Hello") << withHeader(Hello{1, 3, 250}, 0, 1) << 6;
    QTest::newRow("Welcome") << withHeader(Welcome{1, 250, 0x0102030405060708}, 0, 1) << 13;
    QTest::newRow("Heartbeat") << withHeader(Heartbeat{Timestamp{-3}, 60'000, 9}, 0, 0) << 20;
    QTest::newRow("NewOrder") << withHeader(fullNewOrder(), 0, 2) << 69;
    QTest::newRow("CancelOrder")
        << withHeader(CancelOrder{ClientOrderId{5}, AccountId{6}, OrderId{7}}, 0, 3) << 20;
    QTest::newRow("ReplaceOrder")
        << withHeader(ReplaceCommand{ClientOrderId{5}, AccountId{6},
                                     ReplaceOrder{OrderId{7}, Price{8}, Quantity{9}, Price{10}}},
                      0, 4)
        << 44;
    QTest::newRow("MassCancel") << withHeader(
                                       MassCancelCommand{ClientOrderId{5},
                                                         MassCancel{AccountId{6}, InstrumentId{7}}},
                                       0, 5)
                                << 16;
    QTest::newRow("KillSwitch") << withHeader(KillSwitchCommand{ClientOrderId{5}, AccountId{6},
                                                                KillSwitchScope::Flatten},
                                              0, 6)
                                << 13;
    QTest::newRow("CommandAccepted")
        << withHeader(CommandAccepted{MessageType::MassCancel, ClientOrderId{5}, AccountId{6},
                                      OrderId{7}, 8, 9},
                      0, 7)
        << 33;
    QTest::newRow("CommandRejected")
        << withHeader(CommandRejected{MessageType::ReplaceOrder, ClientOrderId{5}, AccountId{6},
                                      OrderId{7}, 8, RejectReason::InvalidRiskLimits},
                      0, 8)
        << 30;
    QTest::newRow("ErrorReply") << withHeader(sampleErrorReply(), 0, 9) << 46;
    QTest::newRow("MarketDataBatch")
        << withHeader(MarketDataBatch{sampleEvents(12, 40)}, 12, 10) << 4 + 28 + 34 + 23 + 3 * 22;
    QTest::newRow("ExecutionReportBatch")
        << withHeader(ExecutionReportBatch{sampleEvents(12, 40)}, 4, 11)
        << 4 + 28 + 34 + 23 + 3 * 22;
    QTest::newRow("SnapshotRequest")
        << withHeader(SnapshotRequest{StreamKind::Account, 4}, 0, 12) << 5;
    QTest::newRow("SnapshotPart, last")
        << withHeader(SnapshotPart{StreamKind::Instrument, 12, 10, 45, sampleEvents(12, 40)}, 0, 2,
                      kLastPartFlag)
        << 25 + 28 + 34 + 23 + 3 * 22;
    QTest::newRow("MarketDataBatch, empty") << withHeader(MarketDataBatch{}, 12, 13) << 4;
}

void TestProtocol::roundTrip()
{
    QFETCH(Message, message);
    QFETCH(int, payloadSize);

    const QByteArray bytes = encoded(message);
    QCOMPARE(bytes.size(), qsizetype{20 + payloadSize});

    Message decoded;
    const std::optional<DecodeError> error = decodeMessage(asSpan(bytes), decoded);
    QVERIFY2(!error, qPrintable(describeError(error)));
    QCOMPARE(decoded.header.type, *typeOf(message.body));
    QCOMPARE(decoded.header.streamId, message.header.streamId);
    QCOMPARE(decoded.header.sequence, message.header.sequence);
    QCOMPARE(decoded.header.flags, message.header.flags);
    QCOMPARE(decoded.header.payloadSize, static_cast<std::uint32_t>(payloadSize));
    QCOMPARE(decoded.body.index(), message.body.index());
    QCOMPARE(encoded(decoded), bytes);
}

void TestProtocol::newOrderKeepsEveryField()
{
    const NewOrder sent = fullNewOrder();
    Message decoded;
    const QByteArray bytes = encoded(withHeader(sent, 0, 1));
    QVERIFY(!decodeMessage(asSpan(bytes), decoded));

    const auto *order = std::get_if<NewOrder>(&decoded.body);
    QVERIFY(order);
    QCOMPARE(order->id, OrderId{0});
    QCOMPARE(order->clientOrderId, sent.clientOrderId);
    QCOMPARE(order->account, sent.account);
    QCOMPARE(order->instrument, sent.instrument);
    QCOMPARE(order->side, sent.side);
    QCOMPARE(order->type, sent.type);
    QCOMPARE(order->timeInForce, sent.timeInForce);
    QCOMPARE(order->liquidity, sent.liquidity);
    QCOMPARE(order->selfTradePrevention, sent.selfTradePrevention);
    QCOMPARE(order->limit, sent.limit);
    QCOMPARE(order->quantity, sent.quantity);
    QCOMPARE(order->stopPrice, sent.stopPrice);
    QCOMPARE(order->displayQuantity, sent.displayQuantity);
    QCOMPARE(order->protectionPrice, sent.protectionPrice);
    QCOMPARE(order->expiry, sent.expiry);
}

void TestProtocol::documentedExample_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<Message>("message");

    QTest::newRow("heartbeat") << fromHex(heartbeatHex) << heartbeatExample();
    QTest::newRow("new order") << fromHex(newOrderHex) << newOrderExample();
    QTest::newRow("market-data batch of two events")
        << fromHex(marketDataHex) << marketDataExample();
}

void TestProtocol::documentedExample()
{
    QFETCH(QByteArray, bytes);
    QFETCH(Message, message);

    QCOMPARE(encoded(message).toHex(' '), bytes.toHex(' '));

    Message decoded;
    const std::optional<DecodeError> error = decodeMessage(asSpan(bytes), decoded);
    QVERIFY2(!error, qPrintable(describeError(error)));
    QCOMPARE(decoded.header.type, *typeOf(message.body));
    QCOMPARE(decoded.header.sequence, message.header.sequence);
    QCOMPARE(decoded.header.streamId, message.header.streamId);
    QCOMPARE(encoded(decoded).toHex(' '), bytes.toHex(' '));

    if (const auto *batch = std::get_if<MarketDataBatch>(&decoded.body)) {
        QCOMPARE(batch->events.size(), std::size_t{2});
        const auto *added = std::get_if<OrderAdded>(&batch->events[0].payload);
        QVERIFY(added);
        QCOMPARE(added->price, Price{10060});
        QCOMPARE(added->quantity, Quantity{200});
        const auto *trade = std::get_if<Trade>(&batch->events[1].payload);
        QVERIFY(trade);
        QCOMPARE(batch->events[1].sequence, SequenceNumber{1002});
        QCOMPARE(trade->quantity, Quantity{50});
        QCOMPARE(trade->takerAccount, AccountId{3});
    }
}

void TestProtocol::documentShowsExampleBytes_data()
{
    QTest::addColumn<QByteArray>("bytes");

    QTest::newRow("heartbeat") << fromHex(heartbeatHex);
    QTest::newRow("new order") << fromHex(newOrderHex);
    QTest::newRow("market-data batch of two events") << fromHex(marketDataHex);
}

// The examples above are the document's: the document must show the same bytes.
void TestProtocol::documentShowsExampleBytes()
{
    QFETCH(QByteArray, bytes);

    QFile file(QString::fromUtf8(BOURSE_SOURCE_DIR "/docs/protocol.md"));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    QString text = QString::fromUtf8(file.readAll());

    // Keep only hex pairs of the example lines, which the document indents in code blocks.
    QString hexOnly;
    for (const QString &line : text.split(QLatin1Char('\n'))) {
        static const QRegularExpression hexLine(QStringLiteral("^([0-9a-f]{2}( +|$))+$"));
        if (hexLine.match(line.trimmed()).hasMatch())
            hexOnly += line.trimmed().remove(QLatin1Char(' '));
    }
    QVERIFY2(hexOnly.contains(QString::fromLatin1(bytes.toHex())),
             "docs/protocol.md does not show these bytes in one hex block");
}

void TestProtocol::hostileMessageRejected_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<ProtocolError>("code");
    QTest::addColumn<QString>("field");
    QTest::addColumn<int>("offset");

    const QByteArray order = newOrderBytes();
    const QByteArray batch = fromHex(marketDataHex);

    QTest::newRow("empty") << QByteArray() << ProtocolError::Truncated << "header" << 0;
    QTest::newRow("header cut") << order.left(19) << ProtocolError::Truncated << "header" << 19;
    QTest::newRow("one byte short")
        << order.chopped(1) << ProtocolError::Truncated << "payload" << 88;
    QTest::newRow("one byte long")
        << order + '\0' << ProtocolError::TrailingBytes << "payload" << 89;
    QTest::newRow("payload size one short")
        << withPayloadSize(order, 68) << ProtocolError::LengthMismatch << "payloadSize" << 16;
    QTest::newRow("payload size one long")
        << withPayloadSize(order, 70) << ProtocolError::LengthMismatch << "payloadSize" << 16;

    QByteArray huge = order;
    setUint32(huge, 16, 0xffffffff);
    QTest::newRow("payload size 2^32-1")
        << huge << ProtocolError::InvalidValue << "payloadSize" << 16;

    QByteArray version = order;
    setByte(version, 0, 2);
    QTest::newRow("version 2") << version << ProtocolError::UnsupportedVersion << "version" << 0;
    setByte(version, 0, 0);
    QTest::newRow("version 0") << version << ProtocolError::UnsupportedVersion << "version" << 0;

    QByteArray unknown = order;
    setByte(unknown, 1, 99);
    QTest::newRow("type 99") << unknown << ProtocolError::UnknownMessageType << "type" << 1;

    QByteArray flags = order;
    setByte(flags, 2, 1);
    QTest::newRow("last-part flag on a new order")
        << flags << ProtocolError::InvalidValue << "flags" << 2;

    QByteArray stream = order;
    setByte(stream, 4, 1);
    QTest::newRow("stream id on a new order")
        << stream << ProtocolError::InvalidValue << "streamId" << 4;

    QByteArray sequence = order;
    setUint64(sequence, 8, 0);
    QTest::newRow("sequence zero") << sequence << ProtocolError::InvalidValue << "sequence" << 8;

    QByteArray clientOrderId = order;
    setUint64(clientOrderId, 20, 0);
    QTest::newRow("client order id zero")
        << clientOrderId << ProtocolError::InvalidValue << "clientOrderId" << 20;

    QByteArray account = order;
    setUint32(account, 28, 0);
    QTest::newRow("account zero") << account << ProtocolError::InvalidValue << "account" << 28;

    QByteArray side = order;
    setByte(side, 36, 2);
    QTest::newRow("side 2") << side << ProtocolError::InvalidEnum << "side" << 36;

    QByteArray orderType = order;
    setByte(orderType, 37, 4);
    QTest::newRow("order type 4") << orderType << ProtocolError::InvalidEnum << "orderType" << 37;

    QByteArray timeInForce = order;
    setByte(timeInForce, 38, 5);
    QTest::newRow("time in force 5")
        << timeInForce << ProtocolError::InvalidEnum << "timeInForce" << 38;

    QByteArray liquidity = order;
    setByte(liquidity, 39, 2);
    QTest::newRow("liquidity 2") << liquidity << ProtocolError::InvalidEnum << "liquidity" << 39;

    QByteArray selfTrade = order;
    setByte(selfTrade, 40, 5);
    QTest::newRow("self-trade prevention 5")
        << selfTrade << ProtocolError::InvalidEnum << "selfTradePrevention" << 40;

    const QByteArray killSwitch = encoded(withHeader(
        KillSwitchCommand{ClientOrderId{1}, AccountId{2}, KillSwitchScope::Pause}, 0, 1));
    QByteArray scope = killSwitch;
    setByte(scope, 32, 4);
    QTest::newRow("kill switch scope 4") << scope << ProtocolError::InvalidEnum << "scope" << 32;

    const QByteArray rejected =
        encoded(withHeader(CommandRejected{MessageType::NewOrder, ClientOrderId{1}, AccountId{2},
                                           OrderId{3}, 4, RejectReason::UnknownOrder},
                           0, 1));
    QByteArray reason = rejected;
    setByte(reason, 49, 0);
    QTest::newRow("reject reason 0") << reason << ProtocolError::InvalidEnum << "reason" << 49;
    setByte(reason, 49, 200);
    QTest::newRow("reject reason 200") << reason << ProtocolError::InvalidEnum << "reason" << 49;
    QByteArray command = rejected;
    setByte(command, 20, static_cast<std::uint8_t>(MessageType::Heartbeat));
    QTest::newRow("reply to a heartbeat")
        << command << ProtocolError::InvalidEnum << "command" << 20;

    const QByteArray hello = encoded(withHeader(Hello{}, 0, 1));
    QByteArray interval = hello;
    setUint32(interval, 22, 99);
    QTest::newRow("heartbeat interval 99 ms")
        << interval << ProtocolError::InvalidValue << "heartbeatIntervalMs" << 22;
    QByteArray versions = hello;
    setByte(versions, 20, 3);
    setByte(versions, 21, 2);
    QTest::newRow("hello newest below oldest")
        << versions << ProtocolError::InvalidValue << "newestVersion" << 21;

    QByteArray errorField = encoded(withHeader(sampleErrorReply(), 0, 1));
    setByte(errorField, 20 + 14 + 5, 0x41); // a letter after the zero padding began
    QTest::newRow("error field not zero padded")
        << errorField << ProtocolError::InvalidValue << "field" << 34;

    QByteArray kind = encoded(withHeader(SnapshotRequest{StreamKind::Instrument, 1}, 0, 1));
    setByte(kind, 20, 'X');
    QTest::newRow("snapshot of stream kind X")
        << kind << ProtocolError::InvalidEnum << "kind" << 20;

    // Batches: the count is at byte 20, the first record at 24 (payload at 46), the second
    // record at 74 (payload at 96).
    QByteArray hugeCount = withPayloadSize(batch, 4 + 30);
    setUint32(hugeCount, 20, 0xffffffff);
    QTest::newRow("count 2^32-1 with 30 bytes")
        << hugeCount << ProtocolError::CountTooLarge << "count" << 20;

    QByteArray countThree = batch;
    setUint32(countThree, 20, 3);
    QTest::newRow("count 3 with two events")
        << countThree << ProtocolError::Truncated << "event" << 147;

    QByteArray countOne = batch;
    setUint32(countOne, 20, 1);
    QTest::newRow("count 1 with two events")
        << countOne << ProtocolError::TrailingBytes << "events" << 74;

    QTest::newRow("event cut inside a batch")
        << withPayloadSize(batch, 127 - 1) << ProtocolError::Truncated << "event.payload" << 96;

    QByteArray eventSide = batch;
    setByte(eventSide, 46 + 10, 7);
    QTest::newRow("event with side 7")
        << eventSide << ProtocolError::InvalidEvent << "event.payload" << 46;

    QByteArray eventSize = batch;
    setByte(eventSize, 24, 27);
    QTest::newRow("event payload size one short")
        << eventSize << ProtocolError::InvalidEvent << "event.payload" << 46;

    QByteArray eventOrder = batch;
    setUint64(eventOrder, 76, 1001);
    QTest::newRow("event sequence repeated")
        << eventOrder << ProtocolError::InvalidValue << "event.sequence" << 76;

    QByteArray eventInstrument = batch;
    setUint32(eventInstrument, 24 + 18, 12);
    QTest::newRow("event of instrument 12 on stream 1")
        << eventInstrument << ProtocolError::StreamMismatch << "event.instrument" << 42;
}

void TestProtocol::hostileMessageRejected()
{
    QFETCH(QByteArray, bytes);
    QFETCH(ProtocolError, code);
    QFETCH(QString, field);
    QFETCH(int, offset);

    Message message;
    const std::optional<DecodeError> error = decodeMessage(asSpan(bytes), message);
    QVERIFY2(error, "the message was accepted");
    QCOMPARE(QString::fromLatin1(nameOf(error->code)), QString::fromLatin1(nameOf(code)));
    QCOMPARE(QString::fromLatin1(error->field.data(), static_cast<qsizetype>(error->field.size())),
             field);
    QCOMPARE(error->offset, static_cast<std::size_t>(offset));
    QVERIFY(!error->detail.empty());
    QVERIFY(std::holds_alternative<std::monostate>(message.body));
}

void TestProtocol::failedDecodeLeavesNoHalfMessage()
{
    Message message;
    const QByteArray good = fromHex(marketDataHex);
    QVERIFY(!decodeMessage(asSpan(good), message));
    QVERIFY(std::holds_alternative<MarketDataBatch>(message.body));

    // The first event is valid; the second is cut.
    QVERIFY(decodeMessage(asSpan(withPayloadSize(good, 126)), message));
    QVERIFY(std::holds_alternative<std::monostate>(message.body));
    QCOMPARE(message.header.sequence, std::uint64_t{0});
}

void TestProtocol::everyTruncationRejected()
{
    for (const char *hex : {heartbeatHex, newOrderHex, marketDataHex}) {
        const QByteArray bytes = fromHex(hex);
        for (qsizetype size = 0; size < bytes.size(); ++size) {
            Message message;
            QVERIFY2(decodeMessage(asSpan(bytes.left(size)), message),
                     qPrintable(QStringLiteral("prefix of %1 bytes accepted").arg(size)));
        }
    }
}

// Each byte of a valid batch set to each value: the decoder must return either way, and what
// it accepts must encode to a message that it accepts again. The encoding may differ, because an
// event in an older codec version that has the same size decodes and is written in the newest.
void TestProtocol::everyCorruptedByteHandled()
{
    const QByteArray original = fromHex(marketDataHex);
    Message message;
    int accepted = 0;
    for (qsizetype i = 0; i < original.size(); ++i) {
        for (int value = 0; value < 256; ++value) {
            QByteArray bytes = original;
            bytes[i] = static_cast<char>(value);
            if (!decodeMessage(asSpan(bytes), message)) {
                ++accepted;
                Message again;
                QVERIFY(!decodeMessage(asSpan(encoded(message)), again));
            }
        }
    }
    QVERIFY(accepted > 0);
}

void TestProtocol::topicChecked_data()
{
    QTest::addColumn<QByteArray>("topic");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("error"); // empty: accepted
    QTest::addColumn<QString>("field");

    const QByteArray batch = fromHex(marketDataHex);
    const QByteArray heartbeat = fromHex(heartbeatHex);
    const QByteArray reports = encoded(withHeader(ExecutionReportBatch{sampleEvents(1, 1)}, 3, 1));

    QTest::newRow("batch on its instrument topic") << fromHex("49 00 00 00 01") << batch << ""
                                                   << "";
    QTest::newRow("reports on their account topic") << fromHex("41 00 00 00 03") << reports << ""
                                                    << "";
    QTest::newRow("heartbeat on the heartbeat topic")
        << fromHex("48 00 00 00 00") << heartbeat << ""
        << "";
    QTest::newRow("batch of instrument 1 on topic of 12")
        << fromHex("49 00 00 00 0c") << batch << "TopicMismatch"
        << "streamId";
    QTest::newRow("batch of instrument 1 on topic of 256")
        << fromHex("49 00 00 01 00") << batch << "TopicMismatch"
        << "streamId";
    QTest::newRow("batch on an account topic")
        << fromHex("41 00 00 00 01") << batch << "TopicMismatch"
        << "topic";
    QTest::newRow("reports on an instrument topic")
        << fromHex("49 00 00 00 03") << reports << "TopicMismatch"
        << "topic";
    QTest::newRow("topic of four bytes") << fromHex("49 00 00 01") << batch << "TopicMismatch"
                                         << "topic";
    QTest::newRow("new order published")
        << fromHex("49 00 00 00 00") << newOrderBytes() << "UnexpectedMessage"
        << "type";
}

void TestProtocol::topicChecked()
{
    QFETCH(QByteArray, topic);
    QFETCH(QByteArray, bytes);
    QFETCH(QString, error);
    QFETCH(QString, field);

    Message message;
    const std::optional<DecodeError> result =
        decodePublished(asSpan(topic), asSpan(bytes), message);
    if (error.isEmpty()) {
        QVERIFY2(!result, qPrintable(describeError(result)));
        return;
    }
    QVERIFY2(result, "the message was accepted");
    QCOMPARE(QString::fromLatin1(nameOf(result->code)), error);
    QCOMPARE(
        QString::fromLatin1(result->field.data(), static_cast<qsizetype>(result->field.size())),
        field);
    QVERIFY(std::holds_alternative<std::monostate>(message.body));
}

void TestProtocol::topicsNeverPrefixEachOther()
{
    const Topic one = topicOf(StreamKind::Instrument, 1);
    const Topic twelve = topicOf(StreamKind::Instrument, 12);
    const Topic account = topicOf(StreamKind::Account, 1);

    QCOMPARE(toByteArray(one), fromHex("49 00 00 00 01"));
    QCOMPARE(toByteArray(twelve), fromHex("49 00 00 00 0c"));
    QCOMPARE(toByteArray(account), fromHex("41 00 00 00 01"));
    QCOMPARE(toByteArray(topicOf(StreamKind::Heartbeat, 0)), fromHex("48 00 00 00 00"));
    QVERIFY(!toByteArray(twelve).startsWith(toByteArray(one)));
    QVERIFY(!toByteArray(one).startsWith(toByteArray(twelve)));
}

void TestProtocol::batchOfManyEventsIsOneMessage()
{
    std::vector<std::uint8_t> buffer;
    BatchWriter writer(buffer);
    writer.beginMarketData(InstrumentId{1}, 5);
    Event event = orderAddedExample();
    for (int i = 0; i < 1000; ++i) {
        event.sequence = 1001 + static_cast<SequenceNumber>(i);
        writer.append(event);
    }
    const std::span<const std::uint8_t> bytes = writer.finish();

    // 20 header bytes, the count, and 1000 records of 22 + 28 bytes.
    QCOMPARE(bytes.size(), std::size_t{20 + 4 + 1000 * 50});
    Message message;
    const std::optional<DecodeError> error = decodeMessage(bytes, message);
    QVERIFY2(!error, qPrintable(describeError(error)));
    const auto *batch = std::get_if<MarketDataBatch>(&message.body);
    QVERIFY(batch);
    QCOMPARE(batch->events.size(), std::size_t{1000});
    QCOMPARE(batch->events.back().sequence, SequenceNumber{2000});
}

void TestProtocol::batchWriterMatchesEncoder()
{
    std::vector<std::uint8_t> buffer;
    BatchWriter writer(buffer);
    writer.beginMarketData(InstrumentId{1}, 12);
    writer.append(orderAddedExample());
    writer.append(tradeExample());
    QCOMPARE(toByteArray(writer.finish()).toHex(' '), fromHex(marketDataHex).toHex(' '));

    const SnapshotPart description{StreamKind::Instrument, 12, 10, 45, {}};
    writer.beginSnapshotPart(3, description, true);
    for (const Event &event : sampleEvents(12, 40))
        writer.append(event);
    const QByteArray part = toByteArray(writer.finish());
    QCOMPARE(part, encoded(withHeader(
                       SnapshotPart{StreamKind::Instrument, 12, 10, 45, sampleEvents(12, 40)}, 0, 3,
                       kLastPartFlag)));

    writer.beginExecutionReports(AccountId{4}, 11);
    for (const Event &event : sampleEvents(12, 40))
        writer.append(event);
    QCOMPARE(toByteArray(writer.finish()),
             encoded(withHeader(ExecutionReportBatch{sampleEvents(12, 40)}, 4, 11)));
}

void TestProtocol::decodeReusesEventCapacity()
{
    const QByteArray bytes = fromHex(marketDataHex);
    Message message;
    QVERIFY(!decodeMessage(asSpan(bytes), message));
    const Event *storage = std::get<MarketDataBatch>(message.body).events.data();

    QVERIFY(!decodeMessage(asSpan(bytes), message));
    QCOMPARE(std::get<MarketDataBatch>(message.body).events.data(), storage);
}

void TestProtocol::errorReplyNamesFieldAndOffset()
{
    QByteArray side = newOrderBytes();
    setByte(side, 36, 9);
    Message message;
    const std::optional<DecodeError> error = decodeMessage(asSpan(side), message);
    QVERIFY(error);

    const ErrorReply reply = errorReplyFor(*error, asSpan(side));
    QCOMPARE(reply.code, ProtocolError::InvalidEnum);
    QCOMPARE(reply.messageType, std::uint8_t{16});
    QCOMPARE(reply.sequence, std::uint64_t{7});
    QCOMPARE(reply.offset, std::uint32_t{36});
    QCOMPARE(QByteArray(reply.field.data()), QByteArray("side"));

    // The reply itself is a valid message.
    const QByteArray bytes = encoded(withHeader(reply, 0, 1));
    QVERIFY(!decodeMessage(asSpan(bytes), message));
    QCOMPARE(std::get<ErrorReply>(message.body).offset, std::uint32_t{36});
}

void TestProtocol::streamSequenceVerdicts()
{
    StreamSequence stream;
    QCOMPARE(stream.accept(1), SequenceVerdict::Apply);
    QCOMPARE(stream.accept(2), SequenceVerdict::Apply);
    QCOMPARE(stream.accept(2), SequenceVerdict::Duplicate);
    QCOMPARE(stream.accept(1), SequenceVerdict::Duplicate);
    QCOMPARE(stream.accept(4), SequenceVerdict::Gap);
    QCOMPARE(stream.last(), std::uint64_t{2});

    stream.resetTo(10); // a snapshot covered 1..10
    QCOMPARE(stream.accept(4), SequenceVerdict::Duplicate);
    QCOMPARE(stream.accept(11), SequenceVerdict::Apply);
    QCOMPARE(stream.expected(), std::uint64_t{12});
}

QTEST_GUILESS_MAIN(TestProtocol)
#include "tst_protocol.moc"

// PackedMarketDataBatch: the worked example of docs/protocol.md byte for byte, round trips of
// every event an agent market publishes and of extreme values, and the rejection of each kind
// of malformed record with the field it names.

#include "agent_market.h"
#include "engine.h"
#include "event_record.h"
#include "protocol.h"

#include <QtTest>

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <span>
#include <vector>

using namespace bourse;
using namespace bourse::net;

Q_DECLARE_METATYPE(bourse::net::ProtocolError)

namespace {

std::vector<std::uint8_t> fromHex(const char *hex)
{
    const QByteArray bytes = QByteArray::fromHex(QByteArray(hex));
    return {bytes.begin(), bytes.end()};
}

// The example of docs/protocol.md, written by hand from its rules: instrument 1, stream
// sequence 12, two OrderAdded and an OrderCancelled.
const char *const kExampleHex = R"(
01 32 00 00  01 00 00 00  0c 00 00 00 00 00 00 00  23 00 00 00
04  03 00 00 00
02 29 d0 0f 0e 00 a0 9c 01 0a 00
02 01 f4 03 02 02 04 03 00
04 01 00 0e 00 a0 9c 01 0a 02
)";

std::vector<Event> exampleEvents()
{
    const InstrumentId instrument{1};
    return {
        Event{
            41, Timestamp{1000}, instrument,
            OrderAdded{OrderId{7}, Side::Buy, Price{10000}, Quantity{5}, OrderOrigin::OrderEntry}},
        Event{
            42, Timestamp{1250}, instrument,
            OrderAdded{OrderId{8}, Side::Sell, Price{10002}, Quantity{3}, OrderOrigin::OrderEntry}},
        Event{43, Timestamp{1250}, instrument,
              OrderCancelled{OrderId{7}, Side::Buy, Price{10000}, Quantity{5},
                             CancelReason::Requested}},
    };
}

std::vector<std::uint8_t> packedBatch(std::uint32_t instrument, const std::vector<Event> &events)
{
    std::vector<std::uint8_t> out;
    BatchWriter writer(out);
    writer.beginPackedMarketData(InstrumentId{instrument}, 12);
    for (const Event &event : events)
        writer.append(event);
    const std::span<const std::uint8_t> finished = writer.finish();
    return {finished.begin(), finished.end()};
}

// The engine's fixed-width record of an event: two events are equal when these are.
std::vector<std::uint8_t> recordOf(const Event &event)
{
    std::array<std::uint8_t, kMaximumEventRecordSize> record{};
    const std::size_t size = writeEventRecord(event, record.data());
    return {record.begin(), record.begin() + static_cast<std::ptrdiff_t>(size)};
}

void compareEvents(const std::vector<Event> &actual, const std::vector<Event> &expected)
{
    QCOMPARE(actual.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        if (recordOf(actual[i]) != recordOf(expected[i]))
            QFAIL(qPrintable(QStringLiteral("event %1 (sequence %2) differs after the round trip")
                                 .arg(i)
                                 .arg(expected[i].sequence)));
    }
}

// Every event an engine publishes, by instrument.
class ByInstrument : public EventHandler {
public:
    void onEvent(const Event &event) override { events[event.instrument.value()].push_back(event); }
    std::map<std::uint32_t, std::vector<Event>> events;
};

// The example's bytes with the records replaced, the count and payload size set to fit.
std::vector<std::uint8_t> withRecords(std::uint32_t count, const std::vector<std::uint8_t> &records)
{
    std::vector<std::uint8_t> bytes = fromHex(kExampleHex);
    bytes.resize(25);
    bytes.insert(bytes.end(), records.begin(), records.end());
    const auto payload = static_cast<std::uint32_t>(bytes.size() - kHeaderSize);
    for (int i = 0; i < 4; ++i) {
        bytes[16 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(payload >> (8 * i));
        bytes[21 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(count >> (8 * i));
    }
    return bytes;
}

} // namespace

class TestPackedEvents : public QObject {
    Q_OBJECT

private slots:
    void exampleEncodesToDocumentedBytes()
    {
        QCOMPARE(packedBatch(1, exampleEvents()), fromHex(kExampleHex));
    }

    void exampleDecodesToItsEvents()
    {
        Message message;
        const std::vector<std::uint8_t> bytes = fromHex(kExampleHex);
        const auto error = decodeMessage(bytes, message);
        QVERIFY2(!error, error ? describe(*error).c_str() : "");
        QCOMPARE(message.header.type, MessageType::PackedMarketDataBatch);
        QCOMPARE(message.header.streamId, std::uint32_t{1});
        QCOMPARE(message.header.sequence, std::uint64_t{12});
        compareEvents(std::get<MarketDataBatch>(message.body).events, exampleEvents());
    }

    void agentMarketEventsRoundTrip()
    {
        // An agent market with accounts publishes book events, trades, acceptances, fills and
        // account events. Each instrument's events make one packed batch.
        Engine engine;
        ByInstrument recorder;
        engine.addHandler(&recorder);
        AgentMarket::Options options;
        options.openAccounts = true;
        {
            AgentMarket market(engine, 7, options);
            market.runUntil(40'000);
        }
        engine.removeHandler(&recorder);
        QVERIFY(recorder.events.size() >= 5);

        std::size_t fixedBytes = 0;
        std::size_t packedBytes = 0;
        for (const auto &[instrument, events] : recorder.events) {
            const std::vector<std::uint8_t> bytes = packedBatch(instrument, events);
            Message message;
            const auto error = decodeMessage(bytes, message);
            QVERIFY2(!error, error ? describe(*error).c_str() : "");
            compareEvents(std::get<MarketDataBatch>(message.body).events, events);
            for (const Event &event : events)
                fixedBytes += 2 + eventRecordSize(event);
            packedBytes += bytes.size();
        }
        // The point of the packing: far fewer bytes than the fixed-width records.
        QVERIFY2(packedBytes * 3 < fixedBytes,
                 qPrintable(QStringLiteral("%1 packed bytes for %2 fixed-width ones")
                                .arg(packedBytes)
                                .arg(fixedBytes)));
    }

    void extremeValuesRoundTrip()
    {
        // Steps that wrap around 64 bits, in both directions, and the widest ids.
        constexpr auto lowest = std::numeric_limits<std::int64_t>::min();
        constexpr auto highest = std::numeric_limits<std::int64_t>::max();
        const InstrumentId instrument{9};
        const std::vector<Event> events{
            Event{1, Timestamp{lowest}, instrument,
                  OrderAdded{OrderId{std::numeric_limits<std::uint64_t>::max()}, Side::Sell,
                             Price{highest}, Quantity{lowest}, OrderOrigin::Recovered}},
            Event{std::numeric_limits<std::uint64_t>::max() - 1, Timestamp{highest}, instrument,
                  OrderAdded{OrderId{1}, Side::Buy, Price{lowest}, Quantity{highest},
                             OrderOrigin::MarketData}},
            Event{std::numeric_limits<std::uint64_t>::max(), Timestamp{0}, instrument,
                  Trade{OrderId{1}, OrderId{std::numeric_limits<std::uint64_t>::max()}, Side::Sell,
                        Price{-1}, Quantity{1}, Quantity{0},
                        AccountId{std::numeric_limits<std::uint32_t>::max()}, AccountId{0}}},
        };
        Message message;
        const std::vector<std::uint8_t> bytes = packedBatch(9, events);
        const auto error = decodeMessage(bytes, message);
        QVERIFY2(!error, error ? describe(*error).c_str() : "");
        compareEvents(std::get<MarketDataBatch>(message.body).events, events);
    }

    void malformedRecordNamesItsField_data()
    {
        QTest::addColumn<std::uint32_t>("count");
        QTest::addColumn<QByteArray>("records");
        QTest::addColumn<ProtocolError>("code");
        QTest::addColumn<QString>("field");

        const auto hex = [](const char *text) { return QByteArray::fromHex(text); };
        // The first record of the example without its last byte, the origin.
        QTest::newRow("record ends inside a value")
            << 1u << hex("02 29 d0 0f 0e 00 a0 9c 01 0a") << ProtocolError::Truncated << "origin";
        QTest::newRow("varint of eleven bytes")
            << 1u << hex("02 29 00 ff ff ff ff ff ff ff ff ff ff 01 00 00 00 00")
            << ProtocolError::Truncated << "id";
        QTest::newRow("varint past 64 bits")
            << 1u << hex("02 29 00 ff ff ff ff ff ff ff ff ff 02 00 00 00 00")
            << ProtocolError::Truncated << "id";
        // Side step 4 from zero gives side 2, which Side does not have.
        QTest::newRow("enum outside its values")
            << 1u << hex("02 01 00 02 04 02 02 00") << ProtocolError::InvalidEvent << "side";
        // A Trade's maker account is 4 bytes: step 2^32 (zigzag 2^33) does not fit.
        QTest::newRow("value wider than its field")
            << 1u << hex("06 01 00 02 02 00 02 02 00 80 80 80 80 20 00")
            << ProtocolError::InvalidValue << "makerAccount";
        QTest::newRow("record ends inside the time")
            << 1u << hex("02 01 80 80 80") << ProtocolError::Truncated << "event.time";
        QTest::newRow("unknown event type")
            << 1u << hex("c8 01 00 00 00 00 00") << ProtocolError::InvalidEvent << "event.type";
        QTest::newRow("sequence that does not increase")
            << 2u << hex("02 29 00 02 00 02 02 00  02 00 00 02 00 02 02 00")
            << ProtocolError::InvalidValue << "event.sequence";
        QTest::newRow("bytes after the last record")
            << 1u << hex("02 29 00 02 00 02 02 00 00") << ProtocolError::TrailingBytes << "events";
        QTest::newRow("count larger than the bytes can hold")
            << 1000u << hex("02 29 00 02 00 02 02 00") << ProtocolError::CountTooLarge << "count";
    }

    void malformedRecordNamesItsField()
    {
        QFETCH(std::uint32_t, count);
        QFETCH(QByteArray, records);
        QFETCH(ProtocolError, code);
        QFETCH(QString, field);

        const std::vector<std::uint8_t> bytes =
            withRecords(count, std::vector<std::uint8_t>(records.begin(), records.end()));
        Message message;
        const auto error = decodeMessage(bytes, message);
        QVERIFY(error.has_value());
        QCOMPARE(error->code, code);
        QCOMPARE(QString::fromLatin1(error->field.data(), static_cast<int>(error->field.size())),
                 field);
        QVERIFY(std::holds_alternative<std::monostate>(message.body));
    }

    void otherCodecVersionIsRejected()
    {
        std::vector<std::uint8_t> bytes = fromHex(kExampleHex);
        bytes[kHeaderSize] = 3;
        Message message;
        const auto error = decodeMessage(bytes, message);
        QVERIFY(error.has_value());
        QCOMPARE(error->code, ProtocolError::InvalidValue);
        QCOMPARE(error->field, std::string_view("codecVersion"));
    }

    void batchOnWrongTopicIsRejected()
    {
        const std::vector<std::uint8_t> bytes = fromHex(kExampleHex);
        Message message;
        const Topic wrong = topicOf(StreamKind::Instrument, 2);
        const auto error = decodePublished(wrong, bytes, message);
        QVERIFY(error.has_value());
        QCOMPARE(error->code, ProtocolError::TopicMismatch);
        const Topic right = topicOf(StreamKind::Instrument, 1);
        QVERIFY(!decodePublished(right, bytes, message).has_value());
    }
};

QTEST_GUILESS_MAIN(TestPackedEvents)
#include "tst_packed_events.moc"

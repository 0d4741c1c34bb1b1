#include "event_codec.h"
#include "event_text.h"

#include <QtTest>

#include <cstdint>
#include <limits>
#include <string>

using namespace bourse;
using bourse::test::describe;

Q_DECLARE_METATYPE(bourse::EventPayload)

namespace {

// Builds byte strings by hand, so that expected encodings do not come from the encoder.
class Bytes {
public:
    Bytes &byte(std::uint8_t value)
    {
        m_bytes.append(static_cast<char>(value));
        return *this;
    }

    Bytes &littleEndian64(std::uint64_t value)
    {
        for (int shift = 0; shift < 64; shift += 8) {
            byte(static_cast<std::uint8_t>(value >> shift));
        }
        return *this;
    }

    QByteArray toByteArray() const { return m_bytes; }

private:
    QByteArray m_bytes;
};

std::span<const std::uint8_t> asSpan(const QByteArray &bytes)
{
    return {reinterpret_cast<const std::uint8_t *>(bytes.constData()),
            static_cast<std::size_t>(bytes.size())};
}

QByteArray toByteArray(const std::vector<std::uint8_t> &bytes)
{
    return QByteArray(reinterpret_cast<const char *>(bytes.data()),
                      static_cast<qsizetype>(bytes.size()));
}

constexpr std::int64_t int64Min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t int64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::uint64_t uint64Max = std::numeric_limits<std::uint64_t>::max();

} // namespace

class TestEventCodec : public QObject {
    Q_OBJECT

private slots:
    void roundTrip_data();
    void roundTrip();
    void encodedBytes_data();
    void encodedBytes();
    void encodedSizes_data();
    void encodedSizes();
    void encodedSizeOfUnknownTypeIsZero();
    void appendKeepsExistingBytes();
    void rejectsMalformed_data();
    void rejectsMalformed();
};

void TestEventCodec::roundTrip_data()
{
    QTest::addColumn<EventPayload>("payload");

    QTest::newRow("order accepted, limit buy") << EventPayload{
        OrderAccepted{OrderId{42}, Side::Buy, OrderType::Limit, Price{1'234'500}, Quantity{300}}};
    QTest::newRow("order accepted, market sell at extremes") << EventPayload{OrderAccepted{
        OrderId{uint64Max}, Side::Sell, OrderType::Market, Price{int64Min}, Quantity{int64Max}}};
    QTest::newRow("order added, market data") << EventPayload{OrderAdded{
        OrderId{7}, Side::Sell, Price{5'850'100}, Quantity{100}, OrderOrigin::MarketData}};
    QTest::newRow("order added, recovered with negative price") << EventPayload{
        OrderAdded{OrderId{0}, Side::Buy, Price{-1}, Quantity{1}, OrderOrigin::Recovered}};
    QTest::newRow("order added, order entry") << EventPayload{
        OrderAdded{OrderId{99}, Side::Buy, Price{100}, Quantity{5}, OrderOrigin::OrderEntry}};
    QTest::newRow("order rejected, trading halted")
        << EventPayload{OrderRejected{OrderId{11}, RejectReason::TradingHalted}};
    QTest::newRow("order rejected, unknown order")
        << EventPayload{OrderRejected{OrderId{12}, RejectReason::UnknownOrder}};
    QTest::newRow("order cancelled, unfilled") << EventPayload{
        OrderCancelled{OrderId{13}, Side::Sell, Price{101}, Quantity{40}, CancelReason::Unfilled}};
    QTest::newRow("order cancelled, market data") << EventPayload{OrderCancelled{
        OrderId{14}, Side::Buy, Price{99}, Quantity{int64Max}, CancelReason::MarketData}};
    QTest::newRow("order cancelled, resynchronized") << EventPayload{OrderCancelled{
        OrderId{17}, Side::Sell, Price{102}, Quantity{1}, CancelReason::Resynchronized}};
    QTest::newRow("order reduced") << EventPayload{
        OrderReduced{OrderId{15}, Side::Buy, Price{98}, Quantity{25}, Quantity{75}}};
    QTest::newRow("trade with unknown taker") << EventPayload{
        Trade{OrderId{16}, OrderId{0}, Side::Sell, Price{5'850'000}, Quantity{200}, Quantity{0}}};
    QTest::newRow("trade with negative quantities")
        << EventPayload{Trade{OrderId{uint64Max}, OrderId{uint64Max - 1}, Side::Buy,
                              Price{int64Max}, Quantity{int64Min}, Quantity{-5}}};
    QTest::newRow("status halted") << EventPayload{TradingStatusChanged{TradingStatus::Halted}};
    QTest::newRow("status quote only")
        << EventPayload{TradingStatusChanged{TradingStatus::QuoteOnly}};
    QTest::newRow("status trading") << EventPayload{TradingStatusChanged{TradingStatus::Trading}};
}

void TestEventCodec::roundTrip()
{
    QFETCH(EventPayload, payload);

    const std::vector<std::uint8_t> bytes = encodePayload(payload);
    const DecodedPayload decoded = decodePayload(bytes);

    QVERIFY2(decoded.payload.has_value(), decoded.error.c_str());
    QVERIFY(decoded.error.empty());
    QCOMPARE(describe(*decoded.payload), describe(payload));
}

void TestEventCodec::encodedBytes_data()
{
    QTest::addColumn<EventPayload>("payload");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("order added") << EventPayload{OrderAdded{OrderId{0x0102030405060708}, Side::Sell,
                                                            Price{-2}, Quantity{300},
                                                            OrderOrigin::Recovered}}
                                 << Bytes()
                                        .byte(1)
                                        .byte(2)
                                        .littleEndian64(0x0102030405060708)
                                        .byte(1)
                                        .littleEndian64(0xFFFF'FFFF'FFFF'FFFE)
                                        .littleEndian64(300)
                                        .byte(2)
                                        .toByteArray();
    QTest::newRow("trade") << EventPayload{Trade{OrderId{5}, OrderId{6}, Side::Buy, Price{1000},
                                                 Quantity{7}, Quantity{3}}}
                           << Bytes()
                                  .byte(1)
                                  .byte(6)
                                  .littleEndian64(5)
                                  .littleEndian64(6)
                                  .byte(0)
                                  .littleEndian64(1000)
                                  .littleEndian64(7)
                                  .littleEndian64(3)
                                  .toByteArray();
    QTest::newRow("order rejected")
        << EventPayload{OrderRejected{OrderId{256}, RejectReason::NoLiquidity}}
        << Bytes().byte(1).byte(3).littleEndian64(256).byte(5).toByteArray();
    QTest::newRow("status halted") << EventPayload{TradingStatusChanged{TradingStatus::Halted}}
                                   << Bytes().byte(1).byte(7).byte(1).toByteArray();
}

void TestEventCodec::encodedBytes()
{
    QFETCH(EventPayload, payload);
    QFETCH(QByteArray, expected);

    QCOMPARE(toByteArray(encodePayload(payload)).toHex(' '), expected.toHex(' '));

    const DecodedPayload decoded = decodePayload(asSpan(expected));
    QVERIFY2(decoded.payload.has_value(), decoded.error.c_str());
    QCOMPARE(describe(*decoded.payload), describe(payload));
}

void TestEventCodec::encodedSizes_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("expectedSize");

    // Two header bytes, 8 per id, price and quantity, 1 per enum.
    QTest::newRow("order accepted") << int(EventType::OrderAccepted) << 28;
    QTest::newRow("order added") << int(EventType::OrderAdded) << 28;
    QTest::newRow("order rejected") << int(EventType::OrderRejected) << 11;
    QTest::newRow("order cancelled") << int(EventType::OrderCancelled) << 28;
    QTest::newRow("order reduced") << int(EventType::OrderReduced) << 35;
    QTest::newRow("trade") << int(EventType::Trade) << 43;
    QTest::newRow("trading status changed") << int(EventType::TradingStatusChanged) << 3;
}

void TestEventCodec::encodedSizes()
{
    QFETCH(int, type);
    QFETCH(int, expectedSize);

    QCOMPARE(encodedPayloadSize(static_cast<EventType>(type)),
             static_cast<std::size_t>(expectedSize));
}

void TestEventCodec::encodedSizeOfUnknownTypeIsZero()
{
    QCOMPARE(encodedPayloadSize(static_cast<EventType>(0)), std::size_t{0});
    QCOMPARE(encodedPayloadSize(static_cast<EventType>(8)), std::size_t{0});
}

void TestEventCodec::appendKeepsExistingBytes()
{
    std::vector<std::uint8_t> buffer{0xAA, 0xBB};
    appendEncodedPayload(TradingStatusChanged{TradingStatus::QuoteOnly}, buffer);

    const std::vector<std::uint8_t> expected{0xAA, 0xBB, 1, 7, 2};
    QCOMPARE(buffer, expected);
}

void TestEventCodec::rejectsMalformed_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expectedError");

    const auto orderAdded = [](std::uint8_t side, std::uint8_t origin) {
        return Bytes()
            .byte(1)
            .byte(2)
            .littleEndian64(1)
            .byte(side)
            .littleEndian64(100)
            .littleEndian64(10)
            .byte(origin);
    };

    QTest::newRow("empty") << QByteArray() << "payload of 0 bytes where at least 2 expected";
    QTest::newRow("version only") << Bytes().byte(1).toByteArray()
                                  << "payload of 1 bytes where at least 2 expected";
    QTest::newRow("newer codec version")
        << Bytes().byte(2).byte(7).byte(0).toByteArray()
        << "unsupported codec version 2 (this build reads version 1)";
    QTest::newRow("codec version zero")
        << Bytes().byte(0).byte(7).byte(0).toByteArray()
        << "unsupported codec version 0 (this build reads version 1)";
    QTest::newRow("event type zero")
        << Bytes().byte(1).byte(0).byte(0).toByteArray() << "unknown event type 0";
    QTest::newRow("event type after the last")
        << Bytes().byte(1).byte(8).byte(0).toByteArray() << "unknown event type 8";
    QTest::newRow("event type 255")
        << Bytes().byte(1).byte(255).toByteArray() << "unknown event type 255";

    QByteArray truncated = orderAdded(0, 1).toByteArray();
    truncated.chop(1);
    QTest::newRow("order added truncated")
        << truncated << "OrderAdded payload of 27 bytes where 28 expected";
    QTest::newRow("order rejected header only")
        << Bytes().byte(1).byte(3).toByteArray()
        << "OrderRejected payload of 2 bytes where 11 expected";
    QTest::newRow("trade overlong") << Bytes()
                                           .byte(1)
                                           .byte(6)
                                           .littleEndian64(1)
                                           .littleEndian64(2)
                                           .byte(0)
                                           .littleEndian64(100)
                                           .littleEndian64(10)
                                           .littleEndian64(0)
                                           .byte(0)
                                           .toByteArray()
                                    << "Trade payload of 44 bytes where 43 expected";
    QTest::newRow("status overlong") << Bytes().byte(1).byte(7).byte(0).byte(0).toByteArray()
                                     << "TradingStatusChanged payload of 4 bytes where 3 expected";

    QTest::newRow("side 2") << orderAdded(2, 1).toByteArray()
                            << "invalid side value 2 in field OrderAdded.side";
    QTest::newRow("origin 3") << orderAdded(0, 3).toByteArray()
                              << "invalid origin value 3 in field OrderAdded.origin";
    QTest::newRow("order type 2") << Bytes()
                                         .byte(1)
                                         .byte(1)
                                         .littleEndian64(1)
                                         .byte(0)
                                         .byte(2)
                                         .littleEndian64(100)
                                         .littleEndian64(10)
                                         .toByteArray()
                                  << "invalid order type value 2 in field OrderAccepted.type";
    QTest::newRow("reject reason 0")
        << Bytes().byte(1).byte(3).littleEndian64(1).byte(0).toByteArray()
        << "invalid reject reason value 0 in field OrderRejected.reason";
    QTest::newRow("reject reason 7")
        << Bytes().byte(1).byte(3).littleEndian64(1).byte(7).toByteArray()
        << "invalid reject reason value 7 in field OrderRejected.reason";
    QTest::newRow("cancel reason 5")
        << Bytes()
               .byte(1)
               .byte(4)
               .littleEndian64(1)
               .byte(1)
               .littleEndian64(100)
               .littleEndian64(10)
               .byte(5)
               .toByteArray()
        << "invalid cancel reason value 5 in field OrderCancelled.reason";
    QTest::newRow("reduced side 255") << Bytes()
                                             .byte(1)
                                             .byte(5)
                                             .littleEndian64(1)
                                             .byte(255)
                                             .littleEndian64(100)
                                             .littleEndian64(10)
                                             .littleEndian64(5)
                                             .toByteArray()
                                      << "invalid side value 255 in field OrderReduced.side";
    QTest::newRow("trade aggressor 9") << Bytes()
                                              .byte(1)
                                              .byte(6)
                                              .littleEndian64(1)
                                              .littleEndian64(2)
                                              .byte(9)
                                              .littleEndian64(100)
                                              .littleEndian64(10)
                                              .littleEndian64(0)
                                              .toByteArray()
                                       << "invalid side value 9 in field Trade.aggressor";
    QTest::newRow("trading status 3") << Bytes().byte(1).byte(7).byte(3).toByteArray()
                                      << "invalid trading status value 3 in field "
                                         "TradingStatusChanged.status";
}

void TestEventCodec::rejectsMalformed()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expectedError);

    const DecodedPayload decoded = decodePayload(asSpan(bytes));

    QVERIFY(!decoded.payload.has_value());
    QCOMPARE(QString::fromStdString(decoded.error), expectedError);
}

QTEST_GUILESS_MAIN(TestEventCodec)
#include "tst_event_codec.moc"

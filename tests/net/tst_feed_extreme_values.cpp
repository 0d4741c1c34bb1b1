// Feed messages whose prices or sizes fit the wire format's 64-bit integers but not the engine's
// books (kMaximumPrice, kMaximumQuantity). A book that applied one would drop it and go on as
// if live, so the decoder must reject the batch, in both encodings, and name the field.

#include "feed_protocol.h"

#include <QTest>

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

using bourse::OrderId;
using bourse::Price;
using bourse::Quantity;
using bourse::Side;
using bourse::Timestamp;
using namespace bourse::net::feed;

namespace {

Message add(std::uint64_t sequence, std::uint64_t id, Side side, std::int64_t price,
            std::int64_t quantity)
{
    return Message{sequence, OrderMessage{OrderAction::Add, Timestamp{0}, OrderId{id}, side,
                                          Price{price}, Quantity{quantity}}};
}

} // namespace

class TestFeedExtremeValues : public QObject {
    Q_OBJECT

private slots:
    void outOfRangeAddRejected_data();
    void outOfRangeAddRejected();
};

void TestFeedExtremeValues::outOfRangeAddRejected_data()
{
    constexpr std::int64_t largest = std::numeric_limits<std::int64_t>::max();
    QTest::addColumn<std::int64_t>("price");
    QTest::addColumn<std::int64_t>("quantity");
    QTest::addColumn<QString>("field");
    QTest::newRow("price 2^63 - 1") << largest << std::int64_t{5} << QStringLiteral("price");
    QTest::newRow("quantity 2^63 - 1")
        << std::int64_t{10050} << largest << QStringLiteral("quantity");
    // One above each limit: 10^15 ticks and 10^12 lots are the largest the engine holds.
    QTest::newRow("price 10^15 + 1")
        << std::int64_t{1'000'000'000'000'001} << std::int64_t{5} << QStringLiteral("price");
    QTest::newRow("quantity 10^12 + 1")
        << std::int64_t{10050} << std::int64_t{1'000'000'000'001} << QStringLiteral("quantity");
}

// Bid 100.00 x 5 and ask 101.00 x 5, then a bid whose price or size is a positive 64-bit integer
// beyond the engine's limits. The decoder names the third message: index 2.
void TestFeedExtremeValues::outOfRangeAddRejected()
{
    QFETCH(std::int64_t, price);
    QFETCH(std::int64_t, quantity);
    QFETCH(QString, field);
    const Batch sent{"X",
                     1,
                     {add(1, 1, Side::Buy, 10000, 5), add(2, 2, Side::Sell, 10100, 5),
                      add(3, 3, Side::Buy, price, quantity)}};

    std::vector<std::uint8_t> binary;
    encodeBinary(sent, binary);
    const std::string json = encodeJson(sent);
    const std::vector<std::uint8_t> jsonBytes(json.begin(), json.end());
    for (const std::vector<std::uint8_t> &payload : {binary, jsonBytes}) {
        Batch received;
        const std::optional<DecodeError> error = decode("X", payload, received);
        QVERIFY2(error.has_value(), "a batch with a value beyond the engine's limits was accepted");
        QCOMPARE(error->index, std::optional<std::size_t>(2));
        QCOMPARE(QString::fromStdString(error->field), field);
        QVERIFY2(error->reason.find("must be at most") != std::string::npos, error->reason.c_str());
    }
}

QTEST_GUILESS_MAIN(TestFeedExtremeValues)
#include "tst_feed_extreme_values.moc"

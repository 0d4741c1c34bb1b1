// The server's publisher: which stream each event goes to, how the events of one engine batch
// (one pass of the server's loop) share a message, the numbering of each stream, and the early
// send of a batch that reaches the send threshold. Expected batches are worked out by hand from
// docs/protocol.md's lists of market data and execution reports.

#include "market_publisher.h"

#include <QTest>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

// Every allocation of the test executable is counted, so that a test can check that the
// publisher allocates nothing per event once its buffers have grown.
namespace {
std::atomic<std::uint64_t> allocationCount{0};
}

void *operator new(std::size_t size)
{
    ++allocationCount;
    if (void *memory = std::malloc(size == 0 ? 1 : size))
        return memory;
    throw std::bad_alloc();
}

void operator delete(void *memory) noexcept
{
    std::free(memory);
}

void operator delete(void *memory, std::size_t) noexcept
{
    std::free(memory);
}

using namespace bourse;
using namespace bourse::net;

namespace {

struct Sent {
    Topic topic;
    Message message;
};

// Collects and decodes what the publisher sends, checking each topic against its message.
struct Recorder {
    std::vector<Sent> sent;

    MarketPublisher::Sender sender()
    {
        return [this](const Topic &topic, std::span<const std::uint8_t> bytes) {
            Sent one{topic, {}};
            const auto error = decodePublished(topic, bytes, one.message);
            if (error)
                qFatal("published message does not decode: %s", describe(*error).c_str());
            sent.push_back(std::move(one));
        };
    }
};

Event eventOf(SequenceNumber sequence, std::uint32_t instrument, EventPayload payload)
{
    return Event{sequence, Timestamp{1'000 + static_cast<std::int64_t>(sequence)},
                 InstrumentId{instrument}, std::move(payload)};
}

Event accepted(SequenceNumber sequence, std::uint32_t account, std::uint64_t id)
{
    OrderAccepted payload{};
    payload.id = OrderId{id};
    payload.side = Side::Buy;
    payload.type = OrderType::Limit;
    payload.limit = Price{100};
    payload.quantity = Quantity{5};
    payload.account = AccountId{account};
    payload.clientOrderId = ClientOrderId{id};
    return eventOf(sequence, 1, payload);
}

Event added(SequenceNumber sequence, std::uint64_t id)
{
    return eventOf(
        sequence, 1,
        OrderAdded{OrderId{id}, Side::Buy, Price{100}, Quantity{5}, OrderOrigin::OrderEntry});
}

Event trade(SequenceNumber sequence, std::uint32_t maker, std::uint32_t taker)
{
    return eventOf(sequence, 1,
                   Trade{OrderId{1}, OrderId{2}, Side::Sell, Price{100}, Quantity{5}, Quantity{0},
                         AccountId{maker}, AccountId{taker}});
}

const ExecutionReportBatch &reports(const Sent &sent)
{
    return std::get<ExecutionReportBatch>(sent.message.body);
}

const MarketDataBatch &marketData(const Sent &sent)
{
    return std::get<MarketDataBatch>(sent.message.body);
}

} // namespace

class ServerPublisherTest : public QObject {
    Q_OBJECT

private slots:
    void passEventsShareOneBatchPerStream()
    {
        Recorder recorder;
        MarketPublisher publisher(recorder.sender(), nullptr);
        publisher.onEvent(eventOf(1, 1, TradingStatusChanged{TradingStatus::Trading}));
        publisher.onCommandEnd();
        publisher.onEvent(accepted(2, 3, 7));
        publisher.onEvent(added(3, 7));
        publisher.onCommandEnd();
        QCOMPARE(recorder.sent.size(), std::size_t{0}); // nothing before the batch's end
        publisher.onBatchEnd();

        // Instrument 1 opened first: the status and the OrderAdded. Then account 3's acceptance
        // and the OrderAdded of its order.
        QCOMPARE(recorder.sent.size(), std::size_t{2});
        QCOMPARE(recorder.sent[0].topic, topicOf(StreamKind::Instrument, 1));
        QCOMPARE(recorder.sent[0].message.header.sequence, std::uint64_t{1});
        QCOMPARE(marketData(recorder.sent[0]).events.size(), std::size_t{2});
        QCOMPARE(marketData(recorder.sent[0]).events[0].sequence, SequenceNumber{1});
        QCOMPARE(marketData(recorder.sent[0]).events[1].sequence, SequenceNumber{3});
        QCOMPARE(recorder.sent[1].topic, topicOf(StreamKind::Account, 3));
        QCOMPARE(recorder.sent[1].message.header.sequence, std::uint64_t{1});
        QCOMPARE(reports(recorder.sent[1]).events.size(), std::size_t{2});
        QCOMPARE(reports(recorder.sent[1]).events[0].sequence, SequenceNumber{2});
        QCOMPARE(reports(recorder.sent[1]).events[1].sequence, SequenceNumber{3});
        QCOMPARE(publisher.lastSequence(StreamKind::Instrument, 1), std::uint64_t{1});
        QCOMPARE(publisher.lastSequence(StreamKind::Account, 3), std::uint64_t{1});
        QCOMPARE(publisher.lastSequence(StreamKind::Account, 4), std::uint64_t{0});
    }

    void tradeGoesToInstrumentAndBothAccounts()
    {
        Recorder recorder;
        MarketPublisher publisher(recorder.sender(), nullptr);
        publisher.onEvent(accepted(1, 3, 1));
        publisher.onBatchEnd();
        publisher.onEvent(trade(2, 3, 4));
        publisher.onBatchEnd();

        // Account 3: 1 then 2; instrument 1: 1; account 4: 1.
        QCOMPARE(recorder.sent.size(), std::size_t{4});
        QCOMPARE(recorder.sent[1].topic, topicOf(StreamKind::Instrument, 1));
        QCOMPARE(recorder.sent[1].message.header.sequence, std::uint64_t{1});
        QCOMPARE(recorder.sent[2].topic, topicOf(StreamKind::Account, 3));
        QCOMPARE(recorder.sent[2].message.header.sequence, std::uint64_t{2});
        QCOMPARE(recorder.sent[3].topic, topicOf(StreamKind::Account, 4));
        QCOMPARE(recorder.sent[3].message.header.sequence, std::uint64_t{1});
        QVERIFY(std::holds_alternative<Trade>(reports(recorder.sent[3]).events[0].payload));
    }

    void selfTradeIsReportedOnce()
    {
        Recorder recorder;
        MarketPublisher publisher(recorder.sender(), nullptr);
        publisher.onEvent(trade(1, 5, 5));
        publisher.onBatchEnd();
        QCOMPARE(recorder.sent.size(), std::size_t{2}); // instrument 1 and account 5
        QCOMPARE(recorder.sent[1].topic, topicOf(StreamKind::Account, 5));
        QCOMPARE(reports(recorder.sent[1]).events.size(), std::size_t{1});
    }

    void cancelOfAccountOrderGoesToAccount()
    {
        Recorder recorder;
        MarketPublisher publisher(recorder.sender(), nullptr);
        publisher.onEvent(accepted(1, 3, 9));
        publisher.onCommandEnd();
        publisher.onBatchEnd();
        publisher.onEvent(eventOf(2, 1,
                                  OrderCancelled{OrderId{9}, Side::Buy, Price{100}, Quantity{5},
                                                 CancelReason::Requested}));
        publisher.onCommandEnd();
        publisher.onBatchEnd();
        // The acceptance, then the cancel on instrument 1 and on account 3.
        QCOMPARE(recorder.sent.size(), std::size_t{3});
        QCOMPARE(recorder.sent[2].topic, topicOf(StreamKind::Account, 3));
        QCOMPARE(recorder.sent[2].message.header.sequence, std::uint64_t{2});

        // The order left, so a later event of the same id is no longer the account's.
        publisher.onEvent(added(3, 9));
        publisher.onCommandEnd();
        publisher.onBatchEnd();
        QCOMPARE(recorder.sent.size(), std::size_t{4});
        QCOMPARE(recorder.sent[3].topic, topicOf(StreamKind::Instrument, 1));
    }

    void orderAccountsSurviveGrowthAndErasure()
    {
        // Far more orders than the table's first 4096 slots, with every other one erased.
        OrderAccounts table;
        for (std::uint64_t id = 1; id <= 20'000; ++id)
            table.insert(OrderId{id}, AccountId{static_cast<std::uint32_t>(id % 7 + 1)});
        for (std::uint64_t id = 2; id <= 20'000; id += 2)
            table.erase(OrderId{id});
        QCOMPARE(table.size(), std::size_t{10'000});
        QCOMPARE(table.find(OrderId{19'999}), AccountId{19'999 % 7 + 1});
        QCOMPARE(table.find(OrderId{20'000}), AccountId{});
        QCOMPARE(table.find(OrderId{1}), AccountId{2});
        QCOMPARE(table.find(OrderId{50'000}), AccountId{});
    }

    void crowdOrdersAreNotReported()
    {
        Recorder recorder;
        MarketPublisher publisher(recorder.sender(), nullptr);
        publisher.onEvent(accepted(1, 0, 1)); // account zero: the simulated crowd
        publisher.onEvent(trade(2, 0, 0));
        publisher.onBatchEnd();
        QCOMPARE(recorder.sent.size(), std::size_t{1});
        QCOMPARE(recorder.sent[0].topic, topicOf(StreamKind::Instrument, 1));
    }

    void globalKillSwitchGoesToAccountZero()
    {
        Recorder recorder;
        MarketPublisher publisher(recorder.sender(), nullptr);
        publisher.onEvent(eventOf(1, 0, KillSwitchChanged{AccountId{0}, KillSwitchScope::Pause}));
        publisher.onBatchEnd();
        QCOMPARE(recorder.sent.size(), std::size_t{1});
        QCOMPARE(recorder.sent[0].topic, topicOf(StreamKind::Account, 0));
    }

    void batchAtThresholdLeavesBeforeBatchEnd()
    {
        // Instrument batches are packed (docs/protocol.md): 25 bytes of header, codec version
        // and count, then per OrderAdded of these events (time 1000 + sequence, id = sequence,
        // buy, price 100, quantity 5) one byte each for type, side and origin and a varint for
        // the sequence step, time step, id step, price step and quantity step. The first record
        // of the first batch takes 10 bytes (time step 2002 and price step 200 take two each),
        // every later one 8. A batch leaves once it reaches 65536 bytes: 25 + 10 + 8 (n - 1) >=
        // 65536 first at n = 8189. The first records of the next batches take 13 and 14 bytes
        // (their steps from zero are larger), which still gives n = 8189. So 3 batches leave
        // before the batch's end (24,567 events) and the end sends the other 5,433.
        Recorder recorder;
        MarketPublisher publisher(recorder.sender(), nullptr);
        for (SequenceNumber sequence = 1; sequence <= 30'000; ++sequence)
            publisher.onEvent(added(sequence, sequence));
        QCOMPARE(recorder.sent.size(), std::size_t{3});
        publisher.onBatchEnd();
        QCOMPARE(recorder.sent.size(), std::size_t{4});
        QCOMPARE(recorder.sent[0].message.header.type, MessageType::PackedMarketDataBatch);
        QCOMPARE(marketData(recorder.sent[0]).events.size(), std::size_t{8'189});
        QCOMPARE(marketData(recorder.sent[2]).events.size(), std::size_t{8'189});
        QCOMPARE(marketData(recorder.sent[3]).events.size(), std::size_t{5'433});
        QCOMPARE(recorder.sent[3].message.header.sequence, std::uint64_t{4});
        QCOMPARE(marketData(recorder.sent[3]).events.front().sequence, SequenceNumber{24'568});
        QCOMPARE(marketData(recorder.sent[3]).events.back().sequence, SequenceNumber{30'000});
        QCOMPARE(publisher.eventsPublished(), std::uint64_t{30'000});
    }

    void accountsOutsideTheReportedSetGetNoStream()
    {
        // Account 3 is reported and account 4 is not: the trade between them goes to market data
        // and to account 3 only, and account 4's acceptance goes nowhere.
        Recorder recorder;
        MarketPublisher publisher(recorder.sender(), nullptr);
        publisher.reportOnly({AccountId{3}});
        publisher.onEvent(accepted(1, 4, 1));
        publisher.onEvent(accepted(2, 3, 2));
        publisher.onEvent(trade(3, 3, 4));
        publisher.onBatchEnd();
        QCOMPARE(recorder.sent.size(), std::size_t{2});
        QCOMPARE(recorder.sent[0].topic, topicOf(StreamKind::Account, 3));
        QCOMPARE(reports(recorder.sent[0]).events.size(), std::size_t{2});
        QCOMPARE(reports(recorder.sent[0]).events[0].sequence, SequenceNumber{2});
        QCOMPARE(recorder.sent[1].topic, topicOf(StreamKind::Instrument, 1));
        QCOMPARE(publisher.lastSequence(StreamKind::Account, 4), std::uint64_t{0});

        // The book events of the order of account 4 stay off the account streams too.
        publisher.onEvent(added(4, 1));
        publisher.onBatchEnd();
        QCOMPARE(recorder.sent.size(), std::size_t{3});
        QCOMPARE(recorder.sent[2].topic, topicOf(StreamKind::Instrument, 1));
    }

    void accountThatLeavesTheSetSkipsANumber()
    {
        // Account 3's report while it is off the set is not sent, so its stream skips number 2:
        // a subscriber that stayed receives batch 3 after batch 1, a gap, and takes a snapshot.
        Recorder recorder;
        MarketPublisher publisher(recorder.sender(), nullptr);
        publisher.reportOnly({AccountId{3}});
        publisher.onEvent(accepted(1, 3, 1));
        publisher.onBatchEnd();
        publisher.reportOnly({AccountId{4}});
        publisher.onEvent(accepted(2, 3, 2));
        publisher.onBatchEnd();
        publisher.reportOnly({AccountId{3}});
        publisher.onEvent(accepted(3, 3, 3));
        publisher.onBatchEnd();
        QCOMPARE(recorder.sent.size(), std::size_t{2});
        QCOMPARE(recorder.sent[0].message.header.sequence, std::uint64_t{1});
        QCOMPARE(recorder.sent[1].message.header.sequence, std::uint64_t{3});
        QCOMPARE(reports(recorder.sent[1]).events[0].sequence, SequenceNumber{3});
    }

    void pendingBatchesLeaveBeforeASnapshotIsTaken()
    {
        // A snapshot covers the stream's last sent number, so a batch still open when it is taken
        // must be sent first: sendPending() numbers and sends it in the middle of a batch.
        Recorder recorder;
        MarketPublisher publisher(recorder.sender(), nullptr);
        publisher.onEvent(added(1, 1));
        publisher.onCommandEnd();
        QCOMPARE(publisher.lastSequence(StreamKind::Instrument, 1), std::uint64_t{0});
        publisher.sendPending();
        QCOMPARE(recorder.sent.size(), std::size_t{1});
        QCOMPARE(publisher.lastSequence(StreamKind::Instrument, 1), std::uint64_t{1});
        publisher.onEvent(added(2, 2));
        publisher.onBatchEnd();
        QCOMPARE(recorder.sent.size(), std::size_t{2});
        QCOMPARE(recorder.sent[1].message.header.sequence, std::uint64_t{2});
        QCOMPARE(marketData(recorder.sent[1]).events.front().sequence, SequenceNumber{2});
    }

    void warmPublisherAllocatesNothingPerEvent()
    {
        std::uint64_t bytes = 0;
        MarketPublisher publisher(
            [&bytes](const Topic &, std::span<const std::uint8_t> message) {
                bytes += message.size();
            },
            nullptr);
        const auto runCommands = [&publisher](SequenceNumber first) {
            for (SequenceNumber sequence = first; sequence < first + 1'000; sequence += 4) {
                publisher.onEvent(accepted(sequence, 3, sequence));
                publisher.onEvent(added(sequence + 1, sequence));
                publisher.onEvent(trade(sequence + 2, 3, 4));
                publisher.onEvent(eventOf(sequence + 3, 1, TradingStatusChanged{}));
                publisher.onCommandEnd();
                if (sequence % 100 == 1)
                    publisher.onBatchEnd();
            }
        };
        const std::uint64_t start = allocationCount.load();
        runCommands(1);
        // The first commands make the streams and their buffers, which shows the count works.
        QVERIFY(allocationCount.load() > start);

        const std::uint64_t before = allocationCount.load();
        runCommands(1'001);
        QCOMPARE(allocationCount.load() - before, std::uint64_t{0});
        QVERIFY(bytes > 0);
    }

    void heartbeatGoesToHeartbeatTopic()
    {
        Recorder recorder;
        MarketPublisher publisher(recorder.sender(), nullptr);
        publisher.publishHeartbeat(Timestamp{123}, 500, 99);
        QCOMPARE(recorder.sent.size(), std::size_t{1});
        QCOMPARE(recorder.sent[0].topic, topicOf(StreamKind::Heartbeat, 0));
        QCOMPARE(recorder.sent[0].message.header.sequence, std::uint64_t{0});
        const auto &heartbeat = std::get<Heartbeat>(recorder.sent[0].message.body);
        QCOMPARE(heartbeat.instanceId, std::uint64_t{99});
        QCOMPARE(heartbeat.heartbeatIntervalMs, 500u);
    }
};

QTEST_GUILESS_MAIN(ServerPublisherTest)
#include "tst_server_publisher.moc"

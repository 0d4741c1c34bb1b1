// The body of a stream message: its records against the journal's own chunk bytes, and the
// checks that reject a damaged, truncated or foreign body.

#include "replicated_batch.h"
#include "replication_support.h"

#include <QTemporaryDir>
#include <QTest>

using namespace bourse;

namespace {
const cluster::WriterStamp kStamp{7, 0x0123456789abcdefULL};
}

class ReplicatedBatchTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void recordsEqualJournalBytes();
    void decodeReturnsEveryEvent();
    void damagedBodyIsRejected_data();
    void damagedBodyIsRejected();
    void fenceCarriesStampAndNoEvent();

private:
    QTemporaryDir m_folder;
    std::vector<Event> m_events;
    std::vector<std::uint8_t> m_journalBytes;
    std::vector<std::uint8_t> m_body;
};

// A journal of 3,000 simulated events, read back, and one batch built from all of them.
void ReplicatedBatchTest::initTestCase()
{
    QVERIFY(m_folder.isValid());
    const std::string path = m_folder.filePath(QStringLiteral("batch.journal")).toStdString();
    {
        test::JournaledMarket market(path, 5);
        QVERIFY2(market.ok(), market.error().c_str());
        market.produce(3'000);
        market.flush();
    }
    storage::JournalReader::Opened opened = storage::JournalReader::open(path);
    QVERIFY(opened.reader);
    while (std::optional<Event> event = opened.reader->next())
        m_events.push_back(*event);
    QVERIFY(!opened.reader->error());
    QVERIFY(m_events.size() >= 3'000);

    QString error;
    m_journalBytes = test::journalRecordBytes(path, error);
    QVERIFY2(error.isEmpty(), qPrintable(error));

    cluster::BatchBuilder builder(kStamp);
    builder.start(1, 0);
    for (const Event &event : m_events)
        builder.add(event);
    m_body = builder.body();
}

void ReplicatedBatchTest::recordsEqualJournalBytes()
{
    QCOMPARE(m_body.size(), cluster::kBatchHeaderSize + m_journalBytes.size());
    const std::vector<std::uint8_t> records(m_body.begin() + cluster::kBatchHeaderSize,
                                            m_body.end());
    QVERIFY(records == m_journalBytes);
}

void ReplicatedBatchTest::decodeReturnsEveryEvent()
{
    const cluster::DecodedBatch batch = cluster::decodeBatch(m_body, "message 1");
    QVERIFY2(batch.error.empty(), batch.error.c_str());
    QCOMPARE(batch.header.first, SequenceNumber{1});
    QCOMPARE(static_cast<std::size_t>(batch.header.count), m_events.size());
    QCOMPARE(batch.events.size(), m_events.size());
    QCOMPARE(batch.events.back().sequence, m_events.back().sequence);
    QCOMPARE(batch.events.back().time, m_events.back().time);
    QVERIFY(batch.header.kind == cluster::BatchKind::Events);
    QVERIFY(batch.header.stamp == kStamp);
    QCOMPARE(cluster::batchMessageId(batch.header.first, batch.header.last(), kStamp, 3),
             "1-" + std::to_string(m_events.size()) + ".7.0123456789abcdef.3");
}

void ReplicatedBatchTest::damagedBodyIsRejected_data()
{
    QTest::addColumn<int>("offset"); // the byte changed; -1 removes the last byte, -2 adds one
    QTest::addColumn<QString>("message");

    QTest::newRow("wrong magic") << 0 << "message 1: the message does not start with the magic";
    QTest::newRow("newer format") << 4 << "message 1: the message is in batch format 3";
    QTest::newRow("kind changed to fence") << 5 << "message 1: the fence has an event count of";
    QTest::newRow("first sequence moved") << 22 << "message 1: event 1 has sequence 1, expected 2";
    QTest::newRow("previous hash changed") << 34 << "message 1: sequence 1: chain broken";
    QTest::newRow("first payload byte changed") << static_cast<int>(cluster::kBatchHeaderSize + 23)
                                                << "message 1: sequence 1: checksum mismatch";
    QTest::newRow("last byte removed") << -1 << "message 1: the chunk ends inside the event";
    QTest::newRow("byte added") << -2 << "message 1: 1 bytes follow the last of its";
}

void ReplicatedBatchTest::damagedBodyIsRejected()
{
    QFETCH(int, offset);
    QFETCH(QString, message);

    std::vector<std::uint8_t> body = m_body;
    if (offset == -1)
        body.pop_back();
    else if (offset == -2)
        body.push_back(0);
    else
        body[static_cast<std::size_t>(offset)] += 1;

    const cluster::DecodedBatch batch = cluster::decodeBatch(body, "message 1");
    QVERIFY2(QString::fromStdString(batch.error).startsWith(message), batch.error.c_str());
    QVERIFY(batch.events.empty());
}

// A fence is a header alone, and a fence that claims events is refused.
void ReplicatedBatchTest::fenceCarriesStampAndNoEvent()
{
    std::vector<std::uint8_t> body = cluster::fenceBody(kStamp, 41, 0xfeed);
    QCOMPARE(body.size(), cluster::kBatchHeaderSize);
    const cluster::DecodedBatch fence = cluster::decodeBatch(body, "message 2");
    QVERIFY2(fence.error.empty(), fence.error.c_str());
    QVERIFY(fence.header.kind == cluster::BatchKind::Fence);
    QVERIFY(fence.header.stamp == kStamp);
    QCOMPARE(fence.header.first, SequenceNumber{42});
    QCOMPARE(fence.header.previousHash, std::uint64_t{0xfeed});
    QVERIFY(fence.events.empty());
    QCOMPARE(cluster::fenceMessageId(kStamp), std::string("fence.7.0123456789abcdef"));

    body[30] = 1; // the count
    const cluster::DecodedBatch claiming = cluster::decodeBatch(body, "message 2");
    QCOMPARE(claiming.error, std::string("message 2: the fence has an event count of 1, where "
                                         "a fence holds no event"));
}

QTEST_GUILESS_MAIN(ReplicatedBatchTest)
#include "tst_replicated_batch.moc"

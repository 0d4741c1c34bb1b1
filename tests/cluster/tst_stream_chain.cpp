// The stream's reading rule on message sequences written by hand: which fence owns the stream,
// which runs count, and which are skipped or stop a reader. No NATS server is needed: each case
// is a list of message bodies in stream order, built from the events of a real journal.

#include "replication_support.h"
#include "stream_chain.h"

#include <QTemporaryDir>
#include <QTest>

using namespace bourse;
using Verdict = cluster::ChainReader::Verdict;

namespace {

const cluster::WriterStamp kFirst{1, 0xa1};
const cluster::WriterStamp kSecond{2, 0xb2};
const cluster::WriterStamp kRival{1, 0xc3}; // the same epoch as kFirst, another writer

} // namespace

class StreamChainTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void firstFenceOfAnEpochOwnsTheStream();
    void fenceOfLowerEpochIsSkipped();
    void resumedPrimaryRunsAfterNewFenceAreSkipped();
    void ownerRunAfterGapIsSkippedUntilResent();
    void repeatIsSkippedAndOverlapCountsItsTail();
    void ownerRunWithBrokenChainStopsReader();
    void garbageAndRunsBeforeAnyFenceAreSkipped();
    void readerContinuesFromRecordedPosition();
    void batchOfUnknownFormatStopsReader();
    void lastRunStaysBeforeSkippedMessages();

private:
    // A run of events `from` to `to` (sequence numbers, from 1) under `stamp`, continuing the
    // journal's chain, or with `previousHash` when given.
    std::vector<std::uint8_t> run(const cluster::WriterStamp &stamp, SequenceNumber from,
                                  SequenceNumber to,
                                  std::optional<std::uint64_t> previousHash = std::nullopt) const;
    std::uint64_t hashAt(SequenceNumber sequence) const
    {
        return sequence == 0 ? 0 : m_hashes[sequence - 1];
    }
    // Reads the bodies in order as stream messages 1, 2, ... and returns the verdicts.
    static std::vector<Verdict> readAll(cluster::ChainReader &reader,
                                        const std::vector<std::vector<std::uint8_t>> &bodies);

    QTemporaryDir m_folder;
    std::vector<Event> m_events;
    std::vector<std::uint64_t> m_hashes; // the chain hash at each event
};

void StreamChainTest::initTestCase()
{
    QVERIFY(m_folder.isValid());
    const std::string path = m_folder.filePath(QStringLiteral("chain.journal")).toStdString();
    {
        test::JournaledMarket market(path, 9);
        QVERIFY2(market.ok(), market.error().c_str());
        market.produce(100);
        market.flush();
    }
    storage::JournalReader::Opened opened = storage::JournalReader::open(path);
    QVERIFY(opened.reader);
    while (std::optional<Event> event = opened.reader->next()) {
        m_events.push_back(*event);
        m_hashes.push_back(opened.reader->lastHash());
    }
    QVERIFY(!opened.reader->error());
    QVERIFY(m_events.size() >= 40);
}

std::vector<std::uint8_t> StreamChainTest::run(const cluster::WriterStamp &stamp,
                                               SequenceNumber from, SequenceNumber to,
                                               std::optional<std::uint64_t> previousHash) const
{
    cluster::BatchBuilder builder(stamp);
    builder.start(from, previousHash.value_or(hashAt(from - 1)));
    for (SequenceNumber sequence = from; sequence <= to; ++sequence)
        builder.add(m_events[sequence - 1]);
    return builder.body();
}

std::vector<Verdict> StreamChainTest::readAll(cluster::ChainReader &reader,
                                              const std::vector<std::vector<std::uint8_t>> &bodies)
{
    std::vector<Verdict> verdicts;
    std::uint64_t index = reader.position().message;
    for (const std::vector<std::uint8_t> &body : bodies)
        verdicts.push_back(reader.read({++index, body}).verdict);
    return verdicts;
}

// Two engines that both believed they won the lease under epoch 1: the fence stored first owns
// the stream, and the other's fence and runs do not count.
void StreamChainTest::firstFenceOfAnEpochOwnsTheStream()
{
    cluster::ChainReader reader("S");
    const std::vector<Verdict> verdicts =
        readAll(reader, {cluster::fenceBody(kFirst, 0, 0), cluster::fenceBody(kRival, 0, 0),
                         run(kRival, 1, 10), run(kFirst, 1, 10)});
    const std::vector<Verdict> expected{Verdict::Fence, Verdict::Skipped, Verdict::Skipped,
                                        Verdict::Events};
    QVERIFY(verdicts == expected);
    QVERIFY(reader.position().owner == kFirst);
    QCOMPARE(reader.position().ownerFence, std::uint64_t{1});
    QCOMPARE(reader.position().last, SequenceNumber{10});
    QCOMPARE(reader.position().lastHash, hashAt(10));
}

void StreamChainTest::fenceOfLowerEpochIsSkipped()
{
    cluster::ChainReader reader("S");
    cluster::ChainReader::Reading fence = reader.read({1, cluster::fenceBody(kSecond, 0, 0)});
    QVERIFY(fence.verdict == Verdict::Fence);
    cluster::ChainReader::Reading lower = reader.read({2, cluster::fenceBody(kFirst, 0, 0)});
    QVERIFY(lower.verdict == Verdict::Skipped);
    QCOMPARE(lower.note, std::string("stream S message 2 skipped: a fence of epoch 1 writer "
                                     "00000000000000a1, not above the owner's epoch 2 writer "
                                     "00000000000000b2"));
    QVERIFY(reader.read({3, run(kFirst, 1, 5)}).verdict == Verdict::Skipped);
    QVERIFY(reader.position().owner == kSecond);
    QCOMPARE(reader.position().last, SequenceNumber{0});
}

// A primary paused past its lease: its runs stored before the standby's fence count, and the
// runs it sends after resuming, stored after the fence, do not. The new owner continues the chain
// after the last run that counted.
void StreamChainTest::resumedPrimaryRunsAfterNewFenceAreSkipped()
{
    cluster::ChainReader reader("S");
    const std::vector<Verdict> verdicts =
        readAll(reader, {cluster::fenceBody(kFirst, 0, 0), run(kFirst, 1, 10), run(kFirst, 11, 20),
                         cluster::fenceBody(kSecond, 20, hashAt(20)), run(kFirst, 21, 30),
                         run(kFirst, 31, 40), run(kSecond, 21, 30)});
    const std::vector<Verdict> expected{Verdict::Fence, Verdict::Events,  Verdict::Events,
                                        Verdict::Fence, Verdict::Skipped, Verdict::Skipped,
                                        Verdict::Events};
    QVERIFY(verdicts == expected);
    QVERIFY(reader.position().owner == kSecond);
    QCOMPARE(reader.position().ownerFence, std::uint64_t{4});
    QCOMPARE(reader.position().last, SequenceNumber{30});
    QCOMPARE(reader.position().message, std::uint64_t{7});
}

// The stream stored an owner's run after a later one, as when the first was lost in a leader
// change: the later run waits until its writer sends it again.
void StreamChainTest::ownerRunAfterGapIsSkippedUntilResent()
{
    cluster::ChainReader reader("S");
    const std::vector<Verdict> verdicts =
        readAll(reader, {cluster::fenceBody(kFirst, 0, 0), run(kFirst, 1, 10), run(kFirst, 21, 30),
                         run(kFirst, 11, 20), run(kFirst, 21, 30)});
    const std::vector<Verdict> expected{Verdict::Fence, Verdict::Events, Verdict::Skipped,
                                        Verdict::Events, Verdict::Events};
    QVERIFY(verdicts == expected);
    QCOMPARE(reader.position().last, SequenceNumber{30});
    QCOMPARE(reader.position().lastHash, hashAt(30));
}

void StreamChainTest::repeatIsSkippedAndOverlapCountsItsTail()
{
    cluster::ChainReader reader("S");
    readAll(reader, {cluster::fenceBody(kFirst, 0, 0), run(kFirst, 1, 20)});
    QVERIFY(reader.read({3, run(kFirst, 11, 20)}).verdict == Verdict::Skipped);
    const cluster::ChainReader::Reading overlap = reader.read({4, run(kFirst, 15, 30)});
    QVERIFY(overlap.verdict == Verdict::Events);
    QCOMPARE(overlap.events.size(), std::size_t{10});
    QCOMPARE(overlap.events.front().sequence, SequenceNumber{21});
    QCOMPARE(overlap.hashes.back(), hashAt(30));
}

// A run of the owner that starts where the chain ends but with another chain hash is damage, not
// another writer: the reader stops there and keeps its position before it.
void StreamChainTest::ownerRunWithBrokenChainStopsReader()
{
    cluster::ChainReader reader("S");
    readAll(reader, {cluster::fenceBody(kFirst, 0, 0), run(kFirst, 1, 10)});
    const cluster::ChainReader::Reading broken = reader.read({3, run(kFirst, 11, 20, 0x1234)});
    QVERIFY(broken.verdict == Verdict::Failed);
    QVERIFY2(broken.note.starts_with("stream S message 3: chain broken: the chain hash at "
                                     "sequence 10 is 0x0000000000001234"),
             broken.note.c_str());
    QCOMPARE(reader.position().message, std::uint64_t{2});
    QCOMPARE(reader.position().last, SequenceNumber{10});
}

void StreamChainTest::garbageAndRunsBeforeAnyFenceAreSkipped()
{
    cluster::ChainReader reader("S");
    const std::vector<std::uint8_t> garbage{'n', 'o', 't', ' ', 'a', ' ', 'b', 'a', 't', 'c', 'h'};
    // A run with no stamp at all, epoch 0 and token 0, is skipped like any run before a fence.
    const std::vector<Verdict> verdicts =
        readAll(reader, {garbage, run(kFirst, 1, 10), run(cluster::WriterStamp{}, 1, 10),
                         cluster::fenceBody(kFirst, 0, 0), run(kFirst, 1, 10)});
    const std::vector<Verdict> expected{Verdict::Skipped, Verdict::Skipped, Verdict::Skipped,
                                        Verdict::Fence, Verdict::Events};
    QVERIFY(verdicts == expected);
    QCOMPARE(reader.position().last, SequenceNumber{10});
}

// A position read before is the state of everything up to it: the next run continues from there.
void StreamChainTest::readerContinuesFromRecordedPosition()
{
    const cluster::ChainPosition recorded{kFirst, 1, 10, hashAt(10), 2};
    cluster::ChainReader reader("S", recorded);
    QVERIFY(reader.read({3, run(kFirst, 11, 20)}).verdict == Verdict::Events);
    QVERIFY(reader.read({4, run(kRival, 21, 30)}).verdict == Verdict::Skipped);
    QCOMPARE(reader.position().last, SequenceNumber{20});
}

// A batch with the magic but another format version, as a newer writer's run may be, must not be
// passed over as if it did not count.
void StreamChainTest::batchOfUnknownFormatStopsReader()
{
    cluster::ChainReader reader("S");
    readAll(reader, {cluster::fenceBody(kFirst, 0, 0)});
    std::vector<std::uint8_t> newer = run(kFirst, 1, 10);
    newer[4] = cluster::kBatchFormatVersion + 1;
    const cluster::ChainReader::Reading reading = reader.read({2, newer});
    QVERIFY(reading.verdict == Verdict::Failed);
    QVERIFY2(reading.note.starts_with("stream S message 2: the message is in batch format 3"),
             reading.note.c_str());
    QCOMPARE(reader.position().message, std::uint64_t{1});
}

// The position that a reader saves is the one after the last run that counted, not after the
// fence or the skipped messages it read later.
void StreamChainTest::lastRunStaysBeforeSkippedMessages()
{
    cluster::ChainReader reader("S");
    readAll(reader, {cluster::fenceBody(kFirst, 0, 0)});
    QVERIFY(!reader.lastRun());
    readAll(reader, {run(kFirst, 1, 10), run(kRival, 11, 20), cluster::fenceBody(kRival, 0, 0)});
    QCOMPARE(reader.position().message, std::uint64_t{4});
    QVERIFY(reader.lastRun());
    QCOMPARE(reader.lastRun()->message, std::uint64_t{2});
    QCOMPARE(reader.lastRun()->last, SequenceNumber{10});
    QCOMPARE(reader.lastRun()->lastHash, hashAt(10));
    QVERIFY(reader.lastRun()->owner == kFirst);
}

QTEST_GUILESS_MAIN(StreamChainTest)
#include "tst_stream_chain.moc"

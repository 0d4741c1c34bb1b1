#pragma once

// The books of a remote feed, rebuilt from decoded batches (feed_protocol.h), with the checks
// of sequence numbers and sessions that decide whether a book may be shown as live. Plain C++
// without ZeroMQ: FeedSubscriber (feed_subscriber.h) hands it what its sockets receive.

#include "depth_book.h"
#include "engine.h"
#include "feed_protocol.h"
#include "lobster_apply.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace bourse::net::feed {

enum class StreamState : std::uint8_t {
    AwaitingSnapshot, // joined after the stream's start: messages are kept until a snapshot
    Live,             // every message since the snapshot or the start, with none missing
    Stale,            // a message is missing: the book shows the state before it
};

std::string_view nameOf(StreamState state);

// Counters of one subscriber across its streams.
struct FeedStatistics {
    std::size_t events = 0;     // sequenced messages applied to a book
    std::size_t gaps = 0;       // times a live stream found a sequence number missing
    std::size_t snapshots = 0;  // snapshots applied
    std::size_t rejected = 0;   // payloads rejected by the decoder, each applying nothing
    std::size_t duplicates = 0; // messages that a snapshot or an earlier message already held
    std::size_t restarts = 0;   // streams that the publisher started again in a new session
    std::size_t discarded = 0;  // kept messages discarded because the buffer was full
    // Times a book contradicted itself and went stale. That is a crossed book (best bid at or
    // above best ask), an execution larger than its order, an add of an id that rests already,
    // or a snapshot that differs from the book at its own sequence number.
    std::size_t contradictions = 0;
    // The last rejected payload or snapshot reply, with its endpoint and topic.
    std::string lastRejection;
};

// Applies the order-level messages of the feed protocol to an Engine's book with the steps of
// the LOBSTER replay (lobster::MessageApplier) but without an orderbook file, so no order is
// ever unconfirmed. A cancel, delete or execution that names an unknown order, or one at
// another side or price, takes only from recovered orders at its price and counts as
// unexplained for what it cannot find. A delete of less than the order's size leaves the rest
// as an order of origin Recovered.
class OrderApplier {
public:
    void apply(Engine &engine, const OrderMessage &message);
    void apply(Engine &engine, const Trade &trade);
    void apply(Engine &engine, const StatusChange &status);

    // Rebuilds `engine`, a fresh Engine(InstrumentId) or one whose book is empty, from a
    // snapshot, adding its orders at `time`.
    void load(Engine &engine, const OrderSnapshot &snapshot, Timestamp time = Timestamp{0});
    // Returns every resting order of `engine`'s book in the snapshot's order.
    static OrderSnapshot snapshotOf(const Engine &engine);

    // Messages the book could not attribute in full, and snapshot orders it rejected.
    std::size_t unexplained() const { return m_messages.unexplainedMessages(); }

private:
    lobster::MessageApplier m_messages;
};

// Receives what the books need from the transport.
class FeedBooksHandler {
public:
    virtual ~FeedBooksHandler() = default;

    // The stream of `topic` needs a snapshot: it joined late, or a message is missing. Called
    // from FeedBooks::apply on the caller's thread, once per need; the caller repeats the
    // request through FeedBooks::pendingSnapshots() when no reply comes.
    virtual void snapshotRequested(const std::string &topic) { (void)topic; }
};

// Receives every change that the books make, in the order they make it, so that a book kept
// elsewhere, such as a terminal session's engine, can follow one stream with the same code.
class FeedBookObserver {
public:
    virtual ~FeedBookObserver() = default;

    // A definition, a snapshot that replaced the book of `topic`, or a sequenced message applied
    // to it. A stream that starts from its first message, after a publisher restart too, sends
    // an empty snapshot of its depth at sequence 0 first. Called from FeedBooks::apply.
    virtual void applied(const std::string &topic, BookDepth depth, const Message &message) = 0;
};

// The level change a level stream's message makes, as the replay's DepthBook takes it: a
// snapshot, a delta, or an empty delta for a trade or a status change, which keeps the update
// ids consecutive.
replay::DepthUpdate depthUpdateOf(std::uint64_t sequence, const Body &body);

// The top of a book with its state, for display.
struct StreamSummary {
    std::string topic;
    BookDepth depth = BookDepth::Orders;
    StreamState state = StreamState::AwaitingSnapshot;
    std::uint64_t session = 0;
    std::uint64_t lastSequence = 0;
    std::optional<Level> bid;
    std::optional<Level> ask;
    std::size_t bidLevels = 0;
    std::size_t askLevels = 0;
    std::string staleReason; // empty while live
};

class FeedStream;

// Every stream of one subscriber, by topic. Not thread-safe: one thread applies and reads.
class FeedBooks {
public:
    // Messages kept per stream while it waits for a snapshot. An estimate with a wide margin:
    // `feed --speed max` sends the GOOG day at about 300,000 messages a second over loopback, and
    // a snapshot reply takes milliseconds, so a wait keeps a few thousand.
    static constexpr std::size_t kDefaultBufferLimit = 100'000;

    explicit FeedBooks(std::size_t bufferLimit = kDefaultBufferLimit);
    ~FeedBooks();
    FeedBooks(const FeedBooks &) = delete;
    FeedBooks &operator=(const FeedBooks &) = delete;

    // `handler` may be nullptr; it must outlive the books otherwise.
    void setHandler(FeedBooksHandler *handler) { m_handler = handler; }
    // `observer` may be nullptr; it must outlive the books otherwise.
    void setObserver(FeedBookObserver *observer) { m_observer = observer; }

    // The endpoint named in rejections, such as "tcp://127.0.0.1:5600".
    void setSource(std::string endpoint) { m_source = std::move(endpoint); }

    // Applies a decoded batch: definitions, snapshots and sequenced messages of one topic.
    void apply(const Batch &batch);
    // Applies the reply to a snapshot request. Rejects it, counted in `rejected`, when no stream
    // of its topic exists, when it comes from another session than the stream's, when it carries
    // more than a definition and a snapshot, or when its sequence number is more than the buffer
    // limit beyond the highest one the stream has seen. A snapshot runs ahead of the feed only by
    // the messages in flight, so a larger lead means a broken or hostile publisher.
    void applySnapshotReply(const Batch &batch);
    // Records that the publisher replied to a snapshot request with no messages, which it does
    // for a topic it does not publish.
    void markNoSuchTopic(const std::string &topic);
    // Counts a rejected payload and keeps its reason, prefixed with the endpoint and `topic`
    // (the topic frame; empty when there is none).
    void reject(const DecodeError &error, std::string_view topic = {});
    void reject(std::string_view topic, const std::string &reason);

    const FeedStatistics &statistics() const { return m_statistics; }
    std::vector<StreamSummary> summaries() const;
    std::optional<StreamSummary> summary(const std::string &topic) const;
    // Topics whose stream waits for a snapshot.
    std::vector<std::string> pendingSnapshots() const;

    // The engine of an order-level stream, or nullptr for a level stream or an unknown topic.
    const Engine *orderBook(const std::string &topic) const;
    // The DepthBook of a level stream, or nullptr for an order stream or an unknown topic.
    const replay::DepthBook *levelBook(const std::string &topic) const;

private:
    friend class FeedStream;

    std::map<std::string, std::unique_ptr<FeedStream>> m_streams;
    FeedStatistics m_statistics;
    FeedBooksHandler *m_handler = nullptr;
    FeedBookObserver *m_observer = nullptr;
    std::size_t m_bufferLimit;
    std::string m_source;
};

} // namespace bourse::net::feed

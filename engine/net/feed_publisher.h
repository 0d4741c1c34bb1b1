#pragma once

// The publishing side of a remote feed (docs/feeds.md): batches of feed messages on an XPUB
// socket, snapshots on a ROUTER socket, and a player that paces a recorded day as a live feed.

#include "feed_books.h"
#include "feed_protocol.h"

#include <zmq.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace bourse::net::feed {

struct FeedPublisherOptions {
    std::string endpoint;         // where the XPUB socket binds, such as tcp://127.0.0.1:5600
    std::string snapshotEndpoint; // where the snapshot ROUTER binds; empty: no snapshots
    Encoding encoding = Encoding::Binary;
    // Feed messages per ZeroMQ message. Batching is what lets a subscriber apply more messages a
    // second than ZeroMQ delivers: bourse-bench feed measures it.
    std::size_t batchLimit = 256;
    // Drops every Nth sequenced message (0: none) after giving it its sequence number, so that
    // subscribers see gaps. Heartbeats and snapshot replies are never dropped.
    std::size_t dropEvery = 0;
    // A heartbeat per topic when nothing was sent for this long.
    std::chrono::milliseconds heartbeatInterval{200};
};

struct PublisherStatistics {
    std::size_t messages = 0;  // sequenced messages sent
    std::size_t dropped = 0;   // sequenced messages dropped by dropEvery
    std::size_t batches = 0;   // ZeroMQ messages sent on the feed socket
    std::size_t snapshots = 0; // snapshot replies sent
    std::size_t invalidRequests = 0;
};

// Publishes feed messages of any number of topics. The publisher keeps every topic's book
// (FeedBooks, fed with every message including dropped ones) so that it can reply to snapshot
// requests. Its session id is drawn at random when it is created, so that subscribers notice a
// restarted publisher even when its sequence numbers start again at the same values.
//
// Backpressure: the XPUB socket does not drop (ZMQ_XPUB_NODROP), so a subscriber slower than
// the publisher slows it down rather than losing messages. A subscriber that reads nothing stops
// the publisher once the send high-water mark (libzmq's default, 1,000 batches), its receive
// queue and the TCP buffers are full, until it reads again or disconnects. Not thread-safe: one
// thread calls every member.
class FeedPublisher {
public:
    FeedPublisher(zmq::context_t &context, FeedPublisherOptions options);
    ~FeedPublisher();
    FeedPublisher(const FeedPublisher &) = delete;
    FeedPublisher &operator=(const FeedPublisher &) = delete;

    // Binds both sockets. Returns the endpoint and libzmq's reason when one cannot be bound.
    std::optional<std::string> bind();
    // The bound endpoints, with the port chosen for a wildcard such as tcp://127.0.0.1:*.
    const std::string &endpoint() const { return m_endpoint; }
    const std::string &snapshotEndpoint() const { return m_snapshotEndpoint; }
    std::uint64_t session() const { return m_session; }

    // Announces a topic's instrument; it goes out ahead of the topic's next message.
    void define(const std::string &topic, const InstrumentDefinition &definition);
    // Queues a message, giving it the topic's next sequence number when it takes one, and sends
    // the topic's batch once it is full.
    void publish(const std::string &topic, Body body);
    // Sends every queued message.
    void flush();
    // Sets the flag that ends a send waiting for a slow subscriber, which then drops its message.
    // `stop` must outlive the publisher.
    void setStopFlag(const std::atomic<bool> &stop) { m_stop = &stop; }
    // Replies to snapshot requests and sends heartbeats until `wait` has passed or `stop` is set.
    void serve(std::chrono::milliseconds wait, const std::atomic<bool> &stop);
    // Sends a heartbeat on every topic now.
    void sendHeartbeats();
    // Waits until a subscriber's subscription reaches the feed socket, so that a caller can avoid
    // losing the first messages to a subscriber that is still connecting. Returns false when
    // `timeout` passed or `stop` was set first.
    bool waitForSubscription(std::chrono::milliseconds timeout, const std::atomic<bool> &stop);

    const PublisherStatistics &statistics() const { return m_statistics; }
    const FeedBooks &books() const { return m_books; }

private:
    struct Topic;

    void sendBatch(const Batch &batch);
    void sendFrames(const std::string &topic, std::span<const std::uint8_t> payload);
    // Queues the topic frame; false when the send timed out or a signal interrupted it.
    bool sendTopic(const std::string &topic);
    std::vector<std::uint8_t> encode(const Batch &batch) const;
    void replyToSnapshotRequests();
    Batch snapshotOf(const std::string &topic) const;
    // Reads the subscription messages that XPUB passes up, so that they do not queue. Returns
    // whether there was one.
    bool drainSubscriptions();

    zmq::context_t &m_context;
    FeedPublisherOptions m_options;
    zmq::socket_t m_feed;
    zmq::socket_t m_snapshots;
    std::string m_endpoint;
    std::string m_snapshotEndpoint;
    std::uint64_t m_session = 0;
    std::map<std::string, std::unique_ptr<Topic>> m_topics;
    FeedBooks m_books;
    std::size_t m_sequencedCount = 0;
    std::chrono::steady_clock::time_point m_lastSend;
    PublisherStatistics m_statistics;
    const std::atomic<bool> *m_stop = nullptr;
};

// A recorded day as feed messages, one at a time.
class FeedSource {
public:
    virtual ~FeedSource() = default;

    virtual const std::string &topic() const = 0;
    virtual InstrumentDefinition definition() const = 0;
    // Reads the next message and its market time. Returns false at the end or on an error;
    // error() is set only in the second case.
    virtual bool next(Body &body, Timestamp &time) = 0;
    virtual std::optional<std::string> error() const = 0;
};

// A LOBSTER message file as an order-level stream named `topic`, each message as it is. The
// message file alone does not rebuild the exchange's book (orders entered before the first
// message or resting beyond the file's levels are in no message), so prefer
// openLobsterReplaySource when the orderbook file exists. Returns null and sets `error` when the
// file cannot be opened.
std::unique_ptr<FeedSource> openLobsterSource(const std::string &path, const std::string &topic,
                                              std::string &error);
// A LOBSTER day replayed by lobster::Replay with its orderbook file, as an order-level stream
// named `topic`: the engine's adds, reductions, deletions, executions, trades and status changes,
// including the Recovered orders the replay takes from the orderbook file. A subscriber's book
// then equals the replay's. Returns null and sets `error`, naming the file, when either file
// cannot be opened.
std::unique_ptr<FeedSource> openLobsterReplaySource(const std::string &messagePath,
                                                    const std::string &orderbookPath,
                                                    const std::string &topic, std::string &error);
// A recorded Bybit order-book stream (JSON lines, see replay::BybitDepthReader) as a level
// stream named after its symbol. Returns null and sets `error` when the file cannot be read.
std::unique_ptr<FeedSource> openBybitSource(const std::string &path, std::string &error);
// Tardis.dev trade and quote files of one symbol: `path` names either, and its sibling joins it
// (replay::tapeFeedSourceFor). A level stream of the quoted top, with the trades, named after the
// symbol. Returns null and sets `error` when a file cannot be read.
std::unique_ptr<FeedSource> openTardisSource(const std::string &path, std::string &error);

struct PlayOptions {
    double speed = 0; // multiples of market time; 0 plays as fast as subscribers take it
    // How long to keep replying to snapshot requests after the last message; nothing: until stop.
    std::optional<std::chrono::milliseconds> linger;
};

// Plays `source` through `publisher`, paced by market time, until it ends and the linger has
// passed, or until `stop` is set. A source error ends the play at once, after the messages read
// before it were sent, and is returned without lingering.
std::optional<std::string> play(FeedPublisher &publisher, FeedSource &source,
                                const PlayOptions &options, const std::atomic<bool> &stop);

// Checks a ZeroMQ endpoint before it is bound or connected, because libzmq takes a TCP port
// beyond 65535 modulo 65536 instead of rejecting it. A tcp:// endpoint needs a host and a port
// from 1 to 65535, or * (bind only). Other transports are left to libzmq. Returns the problem.
std::optional<std::string> checkEndpoint(const std::string &endpoint);

} // namespace bourse::net::feed

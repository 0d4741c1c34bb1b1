#pragma once

// A connection to a NATS cluster and the JetStream stream that contains one journal. It keeps
// <nats.h> out of its header, so that only engine/cluster compiles against the NATS client.

#include "cluster_log.h"
#include "events.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// The NATS client's JetStream context (jsCtx in <nats.h>).
struct __jsCtx;

namespace bourse::cluster {

struct StreamSettings {
    std::vector<std::string> servers; // nats://HOST:PORT, tried in turn
    std::string stream = "BOURSE_JOURNAL";
    // Copies of each message in the cluster. 3 survives the loss of one node of three; a
    // one-node development server needs 1.
    int replicas = 3;
    // How long the stream remembers a message id and drops a resend with the same id. A resend
    // comes after a timed-out acknowledgement, seconds later, or after a reconnection.
    std::chrono::seconds duplicateWindow{600};
    // How long a JetStream request (stream info, a message, an acknowledgement) may take.
    std::chrono::milliseconds requestTimeout{5000};
};

// The subject that a journal's stream contains: "bourse.journal.<stream>".
std::string streamSubject(const std::string &stream);

// Splits "nats://a:1,nats://b:2" into URLs; empty parts are dropped.
std::vector<std::string> splitServerList(const std::string &list);

// One replica of a stream as the stream's leader reports it.
struct ReplicaState {
    std::string name;
    bool current = false; // caught up with the leader
    bool offline = false;
    std::uint64_t lag = 0; // operations behind the leader
};

struct StreamState {
    std::uint64_t messages = 0;
    std::uint64_t bytes = 0;
    std::uint64_t firstMessage = 0; // stream sequence numbers of the first and last message
    std::uint64_t lastMessage = 0;
    int replicas = 0;   // as configured
    std::string leader; // the server that orders the stream's messages
    std::vector<ReplicaState> followers;
};

// A stream message: its stream sequence number and its body.
struct StreamMessage {
    std::uint64_t streamSequence = 0;
    std::vector<std::uint8_t> body;
};

// The outcome of one asynchronous publication, on a thread of the NATS client.
struct PublishOutcome {
    std::vector<std::uint8_t> header; // the first bytes of the body, for its BatchHeader
    bool stored = false;              // acknowledged, as a new message or as a duplicate
    bool duplicate = false;           // the stream had the message id already
    std::uint64_t streamSequence = 0; // where the stream stored it
    std::string error;                // when not stored: the server's or the client's reason
};
using PublishHandler = std::function<void(const PublishOutcome &outcome)>;

class NatsStream {
public:
    struct Connected {
        std::unique_ptr<NatsStream> stream; // null when error is set
        std::string error;
    };

    // Connects to the cluster. While no server accepts the connection, the client keeps trying
    // in the background, and requests fail until one does. It reconnects without limit after a
    // lost connection, logging each loss and reconnection. `onPublished` receives the outcome
    // of each publish(). It runs on the client's thread, so it must be quick.
    static Connected connect(const StreamSettings &settings, LogSink log,
                             PublishHandler onPublished = {});
    ~NatsStream();

    NatsStream(const NatsStream &) = delete;
    NatsStream &operator=(const NatsStream &) = delete;

    // Creates the stream when it does not exist: one subject, file storage, the configured
    // replicas and duplicate window, no limit on messages or age. Returns the error otherwise.
    std::optional<std::string> ensureStream();

    // Returns the stream's state, or nothing with `error` set. `notFound` distinguishes a missing
    // stream from a failed request.
    std::optional<StreamState> state(std::string &error, bool *notFound = nullptr);

    // Returns the message at a stream sequence number, or nothing with `error` set.
    std::optional<StreamMessage> message(std::uint64_t streamSequence, std::string &error);

    // Returns the stream's last message, or nothing with `error` set (and `empty` true when the
    // stream contains no message).
    std::optional<StreamMessage> lastMessage(std::string &error, bool &empty);

    // Publishes one message body with a message id. Returns without waiting for the
    // acknowledgement, which goes to the PublishHandler. Returns an error when the client cannot
    // take the message, as when it is closed.
    std::optional<std::string> publish(const std::vector<std::uint8_t> &body,
                                       const std::string &messageId);

    // Publishes one message body and waits for its acknowledgement. Returns where the stream
    // stored it (for a duplicate: the first copy), or nothing with `error` set.
    std::optional<std::uint64_t> publishAndWait(const std::vector<std::uint8_t> &body,
                                                const std::string &messageId, std::string &error);

    // Waits up to `timeout` for the acknowledgement of every message published. Returns false
    // on a timeout.
    bool waitForAcknowledgements(std::chrono::milliseconds timeout);

    // Forgets the messages still waiting for an acknowledgement: their handler is not called.
    void dropPendingPublications();
    // Closes the connection, so that a request under way on another thread fails at once
    // instead of waiting for its timeout, and every later request fails. Any thread.
    void close();

    const StreamSettings &settings() const;

    // The client's JetStream context, which the lease's key-value bucket shares (lease.cpp). Only
    // a file that includes <nats.h> can use it.
    ::__jsCtx *jetStream() const;

    // The connection's state, public only so that the client's callbacks in nats_stream.cpp
    // can reach it.
    struct State;

private:
    explicit NatsStream(std::unique_ptr<State> state);

    std::unique_ptr<State> m_state;
};

} // namespace bourse::cluster

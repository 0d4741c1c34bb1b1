#pragma once

// One order-entry or snapshot link of a Client: a CURVE DEALER, the sequence numbers of both
// directions and the times that drive heartbeats and dead-peer detection.

#include "curve_keys.h"
#include "protocol.h"
#include "stream_sequence.h"

#include <zmq.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bourse::net {

// The socket options every client socket shares.
struct ClientSocketOptions {
    CurveKeyPair keys;
    std::string serverPublicKey;
    int receiveHighWaterMark = 0;
    int receiveBufferBytes = 0; // ZMQ_RCVBUF; 0 keeps the system's default
};

// Creates a CURVE client socket with ZMQ_LINGER 0, ZMQ_MAXMSGSIZE of the largest valid message,
// the receive high-water mark, and no automatic reconnect.
zmq::socket_t makeClientSocket(zmq::context_t &context, zmq::socket_type type,
                               const ClientSocketOptions &options);

struct ClientLink {
    using Clock = std::chrono::steady_clock;

    explicit ClientLink(const char *linkName)
        : name(linkName)
    {
    }

    // Opens a new DEALER to endpoint. Every sequence number starts again, because the server
    // treats it as a new peer, whose first message is to be a Hello.
    void open(zmq::context_t &context, const std::string &endpoint,
              const ClientSocketOptions &options);
    void close();
    bool isOpen() const { return socket.has_value(); }

    // Sends message as the link's next numbered message, or as a Heartbeat that repeats the last
    // number. Returns the sequence used, or nothing when the socket's queue is full or closed.
    std::optional<std::uint64_t> send(Message &message, std::vector<std::uint8_t> &buffer);

    const char *name;
    std::optional<zmq::socket_t> socket;
    bool welcomed = false;
    std::uint64_t lastSentSequence = 0;
    StreamSequence received; // the server's direction, whose Welcome is 1
    Clock::time_point lastSent;
    Clock::time_point lastReceived;
};

} // namespace bourse::net

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

// The outcome of the last CURVE handshake of a link's connection since the previous check.
enum class HandshakeOutcome {
    None,      // no handshake ended
    Succeeded, // the last one to end succeeded
    Failed,    // the server closed the connection mid-handshake, as it does for a wrong server key
    Rejected,  // the server's authentication rejected the client's key (ZMQ_EVENT_..._AUTH)
};

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

    // Reads the socket monitor's handshake events without waiting. Returns the outcome of the
    // last handshake that ended since the previous call.
    HandshakeOutcome takeHandshakeOutcome();

    // Sends message as the link's next numbered message, or as a Heartbeat that repeats the last
    // number. Returns the sequence used, or nothing when the socket's queue is full or closed.
    std::optional<std::uint64_t> send(Message &message, std::vector<std::uint8_t> &buffer);

    const char *name;
    std::optional<zmq::socket_t> socket;
    std::optional<zmq::socket_t> monitor; // a PAIR that receives the socket's handshake events
    bool welcomed = false;
    std::uint64_t lastSentSequence = 0;
    StreamSequence received; // the server's direction, whose Welcome is 1
    Clock::time_point lastSent;
    Clock::time_point lastReceived;
    Clock::time_point openedAt; // of the latest open(), which the Welcome is due after
};

} // namespace bourse::net

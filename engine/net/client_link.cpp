#include "client_link.h"

#include "curve_socket.h"

#include <atomic>
#include <cstring>

namespace bourse::net {

zmq::socket_t makeClientSocket(zmq::context_t &context, zmq::socket_type type,
                               const ClientSocketOptions &options)
{
    zmq::socket_t socket(context, type);
    // A closed socket drops what it has not sent: the client resends pending commands itself,
    // and a destructor must not wait for a server that is gone.
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::maxmsgsize,
               static_cast<std::int64_t>(kHeaderSize + kMaximumPayloadSize));
    socket.set(zmq::sockopt::rcvhwm, options.receiveHighWaterMark);
    if (options.receiveBufferBytes > 0)
        socket.set(zmq::sockopt::rcvbuf, options.receiveBufferBytes);
    // The client reconnects by itself, with a new socket and a Hello. A socket that libzmq
    // reconnected silently would talk to a restarted server without a Hello.
    socket.set(zmq::sockopt::reconnect_ivl, -1);
    makeCurveClient(socket, options.keys, options.serverPublicKey);
    return socket;
}

namespace {

// A server closes the connection when the client's CURVE HELLO does not decrypt under its key,
// and libzmq 4.3.4 reports that on the client as HANDSHAKE_FAILED_NO_DETAIL (checked on this
// version). A ZAP handler that rejects the client's key sends an ERROR command, reported as AUTH.
constexpr int kHandshakeEvents =
    ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
    ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;

// Starts a monitor of `socket` and returns the PAIR connected to it. Each monitor needs its own
// inproc endpoint in the context.
zmq::socket_t monitorHandshakes(zmq::context_t &context, zmq::socket_t &socket)
{
    static std::atomic<std::uint64_t> monitors{0};
    const std::string endpoint = "inproc://bourse-client-monitor-" + std::to_string(++monitors);
    if (zmq_socket_monitor(socket.handle(), endpoint.c_str(), kHandshakeEvents) != 0)
        throw zmq::error_t();
    zmq::socket_t pair(context, zmq::socket_type::pair);
    pair.set(zmq::sockopt::linger, 0);
    pair.connect(endpoint);
    return pair;
}

} // namespace

void ClientLink::open(zmq::context_t &context, const std::string &endpoint,
                      const ClientSocketOptions &options)
{
    socket = makeClientSocket(context, zmq::socket_type::dealer, options);
    // Monitored before connect(), so that the first handshake's events are not missed.
    monitor = monitorHandshakes(context, *socket);
    socket->connect(endpoint);
    welcomed = false;
    lastSentSequence = 0;
    received.resetTo(0);
    lastReceived = Clock::now();
    lastSent = lastReceived;
    openedAt = lastReceived;
}

void ClientLink::close()
{
    if (socket)
        zmq_socket_monitor(socket->handle(), nullptr, 0);
    monitor.reset();
    socket.reset();
    welcomed = false;
}

HandshakeOutcome ClientLink::takeHandshakeOutcome()
{
    HandshakeOutcome outcome = HandshakeOutcome::None;
    if (!monitor)
        return outcome;

    // Each event is two frames: 16 bits of event and 32 of value, then the endpoint.
    zmq::message_t event;
    while (monitor->recv(event, zmq::recv_flags::dontwait)) {
        std::uint16_t number = 0;
        if (event.size() >= sizeof number)
            std::memcpy(&number, event.data(), sizeof number);
        zmq::message_t address;
        if (event.more())
            (void)monitor->recv(address);

        if (number == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
            outcome = HandshakeOutcome::Succeeded;
        else if (number == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
            outcome = HandshakeOutcome::Rejected;
        else if (number != 0)
            outcome = HandshakeOutcome::Failed;
    }
    return outcome;
}

std::optional<std::uint64_t> ClientLink::send(Message &message, std::vector<std::uint8_t> &buffer)
{
    if (!socket)
        return std::nullopt;
    const bool heartbeat = std::holds_alternative<Heartbeat>(message.body);
    message.header.sequence = heartbeat ? lastSentSequence : lastSentSequence + 1;
    encodeMessage(message, buffer);

    // Without a connected peer a DEALER queues up to its high-water mark. Past it the send
    // fails, and the caller keeps the message to send later.
    if (!socket->send(zmq::buffer(buffer), zmq::send_flags::dontwait))
        return std::nullopt;
    if (!heartbeat)
        lastSentSequence = message.header.sequence;
    lastSent = Clock::now();
    return message.header.sequence;
}

} // namespace bourse::net

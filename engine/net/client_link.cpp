#include "client_link.h"

#include "curve_socket.h"

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

void ClientLink::open(zmq::context_t &context, const std::string &endpoint,
                      const ClientSocketOptions &options)
{
    socket = makeClientSocket(context, zmq::socket_type::dealer, options);
    socket->connect(endpoint);
    welcomed = false;
    lastSentSequence = 0;
    received.resetTo(0);
    lastReceived = Clock::now();
    lastSent = lastReceived;
}

void ClientLink::close()
{
    socket.reset();
    welcomed = false;
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

#include "curve_socket.h"

#include <cstring>

namespace bourse::net {

void makeCurveServer(zmq::socket_t &socket, const CurveKeyPair &serverKeys)
{
    socket.set(zmq::sockopt::curve_server, true);
    socket.set(zmq::sockopt::curve_secretkey, serverKeys.secretKey);
}

void makeCurveClient(zmq::socket_t &socket, const CurveKeyPair &clientKeys,
                     const std::string &serverPublicKey)
{
    socket.set(zmq::sockopt::curve_serverkey, serverPublicKey);
    socket.set(zmq::sockopt::curve_publickey, clientKeys.publicKey);
    socket.set(zmq::sockopt::curve_secretkey, clientKeys.secretKey);
}

std::optional<std::string> peerPublicKey(const zmq::message_t &message)
{
    const char *userId = zmq_msg_gets(message.handle(), "User-Id");
    if (userId == nullptr || std::strlen(userId) != kCurveKeyTextLength)
        return std::nullopt;
    return std::string(userId);
}

} // namespace bourse::net

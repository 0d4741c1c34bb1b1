#pragma once

// Setting up the two ends of a CURVE link, and naming the peer of a received message.

#include "curve_keys.h"

#include <zmq.hpp>

#include <optional>
#include <string>

namespace bourse::net {

// Makes socket the server end of CURVE links with the server's key pair. Call before bind(),
// and only after an Authenticator runs in the socket's context, or every key is accepted.
void makeCurveServer(zmq::socket_t &socket, const CurveKeyPair &serverKeys);

// Makes socket the client end of a CURVE link to the server whose public key is given. Call
// before connect(). A wrong server key fails the handshake, and the socket then sends nothing.
void makeCurveClient(zmq::socket_t &socket, const CurveKeyPair &clientKeys,
                     const std::string &serverPublicKey);

// The public key, as Z85 text, of the client that sent message, as the Authenticator stored it
// in the message's User-Id. Returns nothing for a message that did not come over a CURVE link
// the Authenticator allowed, such as one from an inproc socket of the server itself.
std::optional<std::string> peerPublicKey(const zmq::message_t &message);

} // namespace bourse::net

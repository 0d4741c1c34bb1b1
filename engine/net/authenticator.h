#pragma once

// The ZAP handler of a Bourse server (ZeroMQ RFC 27): it decides which clients complete the
// CURVE handshake, by the access list of terminal public keys (docs/network-security.md).

#include "access_list.h"

#include <zmq.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace bourse::net {

enum class LogLevel : std::uint8_t {
    Info,    // a start, a stop, an allowed client, a new access list
    Warning, // a denied client, a malformed request, a socket error
};

// Receives the log lines of the network layer, the category "bourse.net". It is called on the
// thread of the component that logs, so it must be thread-safe. Lines never contain a secret key.
using LogSink = std::function<void(LogLevel level, const std::string &message)>;

// Replies to the ZAP requests of every socket of one context, on a thread of its own.
//
// A client is allowed when it uses CURVE and its public key is in the access list. The reply
// carries the key, as Z85 text, as the User-Id. libzmq attaches it to each message received
// from the client (peerPublicKey in curve_socket.h), so the server looks up the sender's role
// when the message comes. Every other client is denied: NULL, PLAIN, an unlisted key. A client
// that does not know the server's public key fails the handshake before any ZAP request, so it
// is never counted here.
//
// Create the authenticator before binding a CURVE server socket in the same context, and destroy
// it only after closing that socket, because libzmq 4.3 accepts every CURVE client while no
// handler is bound to inproc://zeromq.zap.01.
class Authenticator {
public:
    static constexpr const char *kZapEndpoint = "inproc://zeromq.zap.01";

    // Binds kZapEndpoint in context and starts the thread. Throws zmq::error_t when the endpoint
    // cannot be bound, such as when another handler is bound to it. A null list denies everyone.
    Authenticator(zmq::context_t &context, std::shared_ptr<const AccessList> accessList,
                  LogSink log = {});
    // Stops the thread and closes its socket, without waiting for pending requests: a handshake
    // whose request is unanswered fails. Safe before or after the context is shut down.
    ~Authenticator();

    Authenticator(const Authenticator &) = delete;
    Authenticator &operator=(const Authenticator &) = delete;

    // Replaces the access list, from any thread. Handshakes after the call use the new list.
    // Connections allowed before stay open, so a server rechecks the role of each message with
    // accessList() to apply a removed or changed entry at once.
    void setAccessList(std::shared_ptr<const AccessList> accessList);
    std::shared_ptr<const AccessList> accessList() const;

    std::uint64_t allowedCount() const { return m_allowed.load(std::memory_order_relaxed); }
    std::uint64_t deniedCount() const { return m_denied.load(std::memory_order_relaxed); }

private:
    struct Decision;

    void run(zmq::socket_t socket);
    void answer(zmq::socket_t &socket);
    Decision decide(const std::vector<zmq::message_t> &request) const;
    void logDecision(const Decision &decision, const std::vector<zmq::message_t> &request);
    void log(LogLevel level, const std::string &message) const;

    mutable std::mutex m_listMutex;
    std::shared_ptr<const AccessList> m_accessList;
    LogSink m_log;
    std::atomic<std::uint64_t> m_allowed{0};
    std::atomic<std::uint64_t> m_denied{0};

    // Denials are logged at most kDeniedLinesPerMinute times a minute. The rest are counted, and
    // the next line logged reports their number, so that many clients cannot flood the log.
    static constexpr int kDeniedLinesPerMinute = 20;
    std::int64_t m_deniedWindowStart = 0; // steady clock seconds; only the thread uses these
    int m_deniedLinesInWindow = 0;
    std::uint64_t m_deniedUnlogged = 0;

    int m_stopEvent = -1; // an eventfd that the destructor signals
    std::thread m_thread;
};

} // namespace bourse::net

#include "authenticator.h"

#include "curve_keys.h"

#include <zmq_addon.hpp>

#include <array>
#include <cerrno>
#include <chrono>
#include <sys/eventfd.h>
#include <system_error>
#include <unistd.h>

namespace bourse::net {

namespace {

// The frames of a ZAP request after the REP socket removes the envelope (RFC 27).
enum RequestFrame : std::size_t {
    Version,
    RequestId,
    Domain,
    Address,
    RoutingId,
    Mechanism,
    FirstCredential,
};

constexpr std::string_view kZapVersion = "1.0";

std::string frameText(const zmq::message_t &frame)
{
    return std::string(frame.to_string_view());
}

std::string accountsText(const std::vector<AccountId> &accounts)
{
    std::string text;
    for (const AccountId account : accounts) {
        if (!text.empty())
            text += ',';
        text += std::to_string(account.value());
    }
    return text;
}

// "trader of accounts 1,2 (alice)": what an entry allows, for log lines.
std::string describe(const AccessEntry &entry)
{
    std::string text(roleName(entry.role));
    if (entry.role == Role::Trader)
        text += " of accounts " + accountsText(entry.accounts);
    if (!entry.comment.empty())
        text += " (" + entry.comment + ")";
    return text;
}

std::int64_t steadySeconds()
{
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace

struct Authenticator::Decision {
    std::string statusCode; // "200", "400" or "500" (RFC 27)
    std::string statusText;
    std::string userId;    // the Z85 public key when allowed
    std::string publicKey; // the client's key as Z85 text, when it sent one
    const AccessEntry *entry = nullptr;
    std::shared_ptr<const AccessList> list; // keeps entry alive while it is logged
};

Authenticator::Authenticator(zmq::context_t &context, std::shared_ptr<const AccessList> accessList,
                             LogSink log)
    : m_accessList(std::move(accessList))
    , m_log(std::move(log))
{
    zmq::socket_t socket(context, zmq::socket_type::rep);
    socket.set(zmq::sockopt::linger, 0);
    socket.bind(kZapEndpoint);

    m_stopEvent = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m_stopEvent < 0)
        throw std::system_error(errno, std::generic_category(), "eventfd for the ZAP handler");

    // Starting the thread orders the socket's set-up before its use there. That is the full
    // memory barrier that libzmq requires when a socket moves to another thread.
    m_thread = std::thread(&Authenticator::run, this, std::move(socket));
}

Authenticator::~Authenticator()
{
    const std::uint64_t one = 1;
    if (::write(m_stopEvent, &one, sizeof one) != sizeof one)
        log(LogLevel::Warning, "ZAP handler: cannot signal its thread to stop; waiting for it");
    m_thread.join();
    ::close(m_stopEvent);
}

void Authenticator::setAccessList(std::shared_ptr<const AccessList> accessList)
{
    const std::size_t size = accessList ? accessList->size() : 0;
    const std::string file = accessList ? accessList->fileName() : std::string("(none)");
    {
        const std::lock_guard lock(m_listMutex);
        m_accessList = std::move(accessList);
    }
    log(LogLevel::Info,
        "ZAP handler: access list replaced by " + file + ", " + std::to_string(size) + " keys");
}

std::shared_ptr<const AccessList> Authenticator::accessList() const
{
    const std::lock_guard lock(m_listMutex);
    return m_accessList;
}

void Authenticator::run(zmq::socket_t socket)
{
    log(LogLevel::Info, std::string("ZAP handler: started on ") + kZapEndpoint);
    std::array<zmq::pollitem_t, 2> items{{
        {socket.handle(), 0, ZMQ_POLLIN, 0},
        {nullptr, m_stopEvent, ZMQ_POLLIN, 0},
    }};
    for (;;) {
        if (zmq_poll(items.data(), static_cast<int>(items.size()), -1) < 0) {
            if (zmq_errno() == EINTR)
                continue;
            if (zmq_errno() != ETERM)
                log(LogLevel::Warning, std::string("ZAP handler: poll failed, stopping: ") +
                                           zmq_strerror(zmq_errno()));
            break;
        }
        if ((items[1].revents & ZMQ_POLLIN) != 0)
            break;
        if ((items[0].revents & ZMQ_POLLIN) == 0)
            continue;
        try {
            answer(socket);
        } catch (const zmq::error_t &error) {
            if (error.num() == ETERM)
                break;
            log(LogLevel::Warning, std::string("ZAP handler: socket error: ") + error.what());
        }
    }
    socket.close();
    log(LogLevel::Info, "ZAP handler: stopped after " + std::to_string(allowedCount()) +
                            " allowed and " + std::to_string(deniedCount()) + " denied handshakes");
}

void Authenticator::answer(zmq::socket_t &socket)
{
    std::vector<zmq::message_t> request;
    if (!zmq::recv_multipart(socket, std::back_inserter(request), zmq::recv_flags::dontwait))
        return;

    const Decision decision = decide(request);
    logDecision(decision, request);

    std::array<zmq::message_t, 6> reply;
    reply[0] = zmq::message_t(kZapVersion);
    if (request.size() > RequestId)
        reply[1].copy(request[RequestId]);
    reply[2] = zmq::message_t(decision.statusCode);
    reply[3] = zmq::message_t(decision.statusText);
    reply[4] = zmq::message_t(decision.userId);
    // reply[5], the metadata, stays empty: the role is looked up per message instead, so that
    // a new access list applies to connections already open.
    zmq::send_multipart(socket, reply);
}

Authenticator::Decision Authenticator::decide(const std::vector<zmq::message_t> &request) const
{
    Decision decision;
    if (request.size() < FirstCredential || request[Version].to_string_view() != kZapVersion) {
        decision.statusCode = "500";
        decision.statusText = "malformed ZAP request";
        return decision;
    }
    decision.statusCode = "400";
    const std::string mechanism = frameText(request[Mechanism]);
    if (mechanism != "CURVE") {
        decision.statusText = "mechanism " + mechanism + " is not allowed; only CURVE is";
        return decision;
    }
    if (request.size() != FirstCredential + 1 ||
        request[FirstCredential].size() != kCurveKeyBytes) {
        decision.statusText = "malformed CURVE credentials";
        return decision;
    }

    std::array<char, kCurveKeyTextLength + 1> key{};
    zmq_z85_encode(key.data(), request[FirstCredential].data<std::uint8_t>(), kCurveKeyBytes);
    decision.publicKey = key.data();
    decision.list = accessList();
    decision.entry = decision.list ? decision.list->find(decision.publicKey) : nullptr;
    if (!decision.entry) {
        decision.statusText = "the key is not in the access list";
        return decision;
    }
    decision.statusCode = "200";
    decision.statusText = "OK";
    decision.userId = decision.publicKey;
    return decision;
}

void Authenticator::logDecision(const Decision &decision,
                                const std::vector<zmq::message_t> &request)
{
    const std::string address =
        request.size() > Address ? frameText(request[Address]) : std::string("(unknown)");
    const std::string client =
        decision.publicKey.empty() ? "client" : "client " + decision.publicKey;
    if (decision.statusCode == "200") {
        m_allowed.fetch_add(1, std::memory_order_relaxed);
        log(LogLevel::Info,
            "allowed " + client + " from " + address + ": " + describe(*decision.entry));
        return;
    }

    m_denied.fetch_add(1, std::memory_order_relaxed);
    const std::int64_t now = steadySeconds();
    if (now - m_deniedWindowStart >= 60) {
        m_deniedWindowStart = now;
        m_deniedLinesInWindow = 0;
    }
    if (m_deniedLinesInWindow >= kDeniedLinesPerMinute) {
        ++m_deniedUnlogged;
        return;
    }
    ++m_deniedLinesInWindow;
    std::string line = "denied " + client + " from " + address + ": " + decision.statusText;
    if (m_deniedUnlogged > 0) {
        line += " (and " + std::to_string(m_deniedUnlogged) +
                " denials before this one not logged, past " +
                std::to_string(kDeniedLinesPerMinute) + " lines a minute)";
        m_deniedUnlogged = 0;
    }
    log(LogLevel::Warning, line);
}

void Authenticator::log(LogLevel level, const std::string &message) const
{
    if (m_log)
        m_log(level, message);
}

} // namespace bourse::net

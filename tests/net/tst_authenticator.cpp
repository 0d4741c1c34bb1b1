// The ZAP handler over loopback TCP: a ROUTER with the CURVE server role and the authenticator,
// and DEALER clients with keys that are listed, listed as viewers, unlisted, or that hold the
// wrong server key.

#include "authenticator.h"
#include "curve_keys.h"
#include "curve_socket.h"
#include "net_test_support.h"

#include <QElapsedTimer>
#include <QTest>

#include <zmq_addon.hpp>

#include <chrono>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

using namespace bourse;
using namespace bourse::net;
using namespace bourse::nettest;

namespace {

// Long enough for a loopback handshake many times over, short enough to keep the suite quick.
constexpr int kNothingArrivesMs = 700;
constexpr int kArrivalTimeoutMs = 5000;

// Log lines of the authenticator, which arrive on its thread.
struct LogRecorder {
    std::mutex mutex;
    std::vector<std::pair<LogLevel, std::string>> lines;

    LogSink sink()
    {
        return [this](LogLevel level, const std::string &message) {
            const std::lock_guard lock(mutex);
            lines.emplace_back(level, message);
        };
    }
    int count(LogLevel level, const std::string &start)
    {
        const std::lock_guard lock(mutex);
        int found = 0;
        for (const auto &[lineLevel, text] : lines)
            found += lineLevel == level && text.starts_with(start) ? 1 : 0;
        return found;
    }
    bool contains(const std::string &part)
    {
        const std::lock_guard lock(mutex);
        for (const auto &line : lines) {
            if (line.second.find(part) != std::string::npos)
                return true;
        }
        return false;
    }
};

std::shared_ptr<const AccessList> accessList(const std::string &text)
{
    AccessListResult result = parseAccessList(text, "test.access");
    if (!result.ok())
        qFatal("%s", result.errors[0].toString().c_str());
    return result.list;
}

// A server as bourse-engine serve sets one up: the authenticator first, then a CURVE ROUTER
// bound to an ephemeral loopback port.
struct Server {
    zmq::context_t context;
    CurveKeyPair keys = newKeyPair();
    LogRecorder log;
    std::unique_ptr<Authenticator> authenticator;
    zmq::socket_t router;
    std::string endpoint;

    explicit Server(std::shared_ptr<const AccessList> list)
        : authenticator(std::make_unique<Authenticator>(context, std::move(list), log.sink()))
        , router(context, zmq::socket_type::router)
    {
        router.set(zmq::sockopt::linger, 0);
        makeCurveServer(router, keys);
        router.bind("tcp://127.0.0.1:*");
        endpoint = router.get(zmq::sockopt::last_endpoint);
    }
    ~Server()
    {
        // Sockets close before the authenticator stops, so that no handshake finds the
        // context without a handler (which libzmq would allow).
        router.close();
        authenticator.reset();
    }
};

// A terminal's DEALER in a context of its own, with a monitor of its handshakes.
struct Client {
    zmq::context_t context;
    zmq::socket_t dealer{context, zmq::socket_type::dealer};
    zmq::socket_t monitor{context, zmq::socket_type::pair};

    Client(const CurveKeyPair &keys, const std::string &serverKey, const std::string &endpoint)
    {
        dealer.set(zmq::sockopt::linger, 0);
        makeCurveClient(dealer, keys, serverKey);
        constexpr int events = ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                               ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                               ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_DISCONNECTED;
        if (zmq_socket_monitor(dealer.handle(), "inproc://client-monitor", events) != 0)
            qFatal("zmq_socket_monitor: %s", zmq_strerror(zmq_errno()));
        monitor.set(zmq::sockopt::linger, 0);
        monitor.connect("inproc://client-monitor");
        dealer.connect(endpoint);
    }
    ~Client() { zmq_socket_monitor(dealer.handle(), nullptr, 0); }

    bool send(const std::string &text)
    {
        return dealer.send(zmq::buffer(text), zmq::send_flags::dontwait).has_value();
    }

    // The next handshake event of the dealer and its value, or nothing within timeoutMs.
    std::optional<std::pair<int, std::uint32_t>> nextEvent(int timeoutMs)
    {
        const auto frames = receiveFrames(monitor, timeoutMs);
        if (!frames || frames->front().size() < 6)
            return std::nullopt;
        std::uint16_t event = 0;
        std::uint32_t value = 0;
        std::memcpy(&event, frames->front().data(), sizeof event);
        std::memcpy(&value, frames->front().data<char>() + 2, sizeof value);
        return std::pair<int, std::uint32_t>(event, value);
    }
};

} // namespace

class TestAuthenticator : public QObject {
    Q_OBJECT

private slots:
    void traderAllowedAndNamedInMessages();
    void viewerRecognisedAsViewer();
    void unknownKeyGetsNothing();
    void wrongServerKeyGetsNothing();
    void clientWithoutCurveGetsNothing();
    void reloadedListAppliesToNewAndOpenLinks();
    void nullListDeniesEveryone();
    void denialsLoggedAtMostTwentyAMinute();
    void secondHandlerInContextRejected();
    void destructorReturnsDuringHandshakes();
    void destructorAfterContextShutdown();
    void serverWithoutHandlerAcceptsAnyKey();
};

void TestAuthenticator::traderAllowedAndNamedInMessages()
{
    const CurveKeyPair alice = newKeyPair();
    Server server(accessList("trader " + alice.publicKey + " accounts 1,2 # alice\n"));
    Client client(alice, server.keys.publicKey, server.endpoint);
    client.send("order");

    const auto frames = receiveFrames(server.router, kArrivalTimeoutMs);
    QVERIFY(frames);
    QCOMPARE(frames->size(), 2u);
    QCOMPARE(frames->back().to_string(), std::string("order"));
    const std::optional<std::string> peer = peerPublicKey(frames->back());
    QCOMPARE(peer.value_or("(none)"), alice.publicKey);

    const auto list = server.authenticator->accessList();
    QCOMPARE(list->roleOf(*peer), Role::Trader);
    QCOMPARE(list->checkOrder(*peer, AccountId{2}), OrderPermission::Allowed);
    QCOMPARE(list->checkOrder(*peer, AccountId{3}), OrderPermission::AccountNotAllowed);
    QCOMPARE(server.authenticator->allowedCount(), 1u);
    QCOMPARE(server.authenticator->deniedCount(), 0u);
    QVERIFY(server.log.contains("allowed client " + alice.publicKey +
                                " from 127.0.0.1: trader of accounts 1,2 (alice)"));
    QVERIFY(!server.log.contains(alice.secretKey));

    // The server replies over the same link, and the client decrypts the reply.
    std::vector<zmq::message_t> reply;
    reply.emplace_back(frames->front().data(), frames->front().size());
    reply.emplace_back(std::string_view("accepted"));
    zmq::send_multipart(server.router, reply);
    const auto answer = receiveFrames(client.dealer, kArrivalTimeoutMs);
    QVERIFY(answer);
    QCOMPARE(answer->back().to_string(), std::string("accepted"));
}

void TestAuthenticator::viewerRecognisedAsViewer()
{
    const CurveKeyPair room = newKeyPair();
    Server server(accessList("viewer " + room.publicKey + " # room 3\n"));
    Client client(room, server.keys.publicKey, server.endpoint);
    client.send("order");

    const auto frames = receiveFrames(server.router, kArrivalTimeoutMs);
    QVERIFY(frames);
    const std::optional<std::string> peer = peerPublicKey(frames->back());
    QCOMPARE(peer.value_or("(none)"), room.publicKey);
    const auto list = server.authenticator->accessList();
    QCOMPARE(list->roleOf(*peer), Role::Viewer);
    QCOMPARE(list->checkOrder(*peer, AccountId{1}), OrderPermission::ViewerRole);
}

void TestAuthenticator::unknownKeyGetsNothing()
{
    const CurveKeyPair alice = newKeyPair();
    const CurveKeyPair stranger = newKeyPair();
    Server server(accessList("trader " + alice.publicKey + " accounts 1\n"));
    {
        Client client(stranger, server.keys.publicKey, server.endpoint);
        client.send("order");
        QVERIFY(!receiveFrames(server.router, kNothingArrivesMs));
        // The client learns why only from its monitor, and libzmq 4.3 does not reconnect after
        // a denial: the link ends there.
        const auto failed = client.nextEvent(kArrivalTimeoutMs);
        QVERIFY(failed);
        QCOMPARE(failed->first, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
        QCOMPARE(failed->second, 400u);
        const auto disconnected = client.nextEvent(kArrivalTimeoutMs);
        QVERIFY(disconnected);
        QCOMPARE(disconnected->first, ZMQ_EVENT_DISCONNECTED);
        QVERIFY(!client.nextEvent(kNothingArrivesMs));
        QTRY_VERIFY_WITH_TIMEOUT(server.authenticator->deniedCount() >= 1, kArrivalTimeoutMs);
        QCOMPARE(server.authenticator->allowedCount(), 0u);
        // The client's context closes here with linger 0: no socket waits for the server.
    }
    QVERIFY(server.log.contains("denied client " + stranger.publicKey +
                                " from 127.0.0.1: the key is not in the access list"));
    QVERIFY(!server.log.contains(stranger.secretKey));

    // The server still serves listed keys after the denial.
    Client listed(alice, server.keys.publicKey, server.endpoint);
    listed.send("order");
    QVERIFY(receiveFrames(server.router, kArrivalTimeoutMs));
}

void TestAuthenticator::wrongServerKeyGetsNothing()
{
    const CurveKeyPair alice = newKeyPair();
    Server server(accessList("trader " + alice.publicKey + " accounts 1\n"));
    const std::string impostorKey = newKeyPair().publicKey;
    {
        Client client(alice, impostorKey, server.endpoint);
        client.send("order");
        QVERIFY(!receiveFrames(server.router, kNothingArrivesMs));
        // The server drops the connection without a word, and the client retries.
        const auto failed = client.nextEvent(kArrivalTimeoutMs);
        QVERIFY(failed);
        QCOMPARE(failed->first, ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL);
    }
    // The server cannot open the client's HELLO, so the handshake ends before any ZAP request.
    QCOMPARE(server.authenticator->allowedCount(), 0u);
    QCOMPARE(server.authenticator->deniedCount(), 0u);
}

void TestAuthenticator::clientWithoutCurveGetsNothing()
{
    Server server(accessList(""));
    zmq::context_t context;
    zmq::socket_t plain(context, zmq::socket_type::dealer);
    plain.set(zmq::sockopt::linger, 0);
    plain.connect(server.endpoint);
    plain.send(zmq::buffer(std::string_view("order")), zmq::send_flags::dontwait);
    QVERIFY(!receiveFrames(server.router, kNothingArrivesMs));
    QCOMPARE(server.authenticator->allowedCount(), 0u);
}

void TestAuthenticator::reloadedListAppliesToNewAndOpenLinks()
{
    const CurveKeyPair alice = newKeyPair();
    const CurveKeyPair bob = newKeyPair();
    Server server(accessList("trader " + alice.publicKey + " accounts 1\n"));
    Client aliceClient(alice, server.keys.publicKey, server.endpoint);
    aliceClient.send("first");
    QVERIFY(receiveFrames(server.router, kArrivalTimeoutMs));

    // Bob replaces Alice. Bob's new link is allowed. Alice's open link stays connected, but her
    // key is no longer in the list, so her next order is rejected when it arrives.
    server.authenticator->setAccessList(accessList("viewer " + bob.publicKey + "\n"));
    QVERIFY(server.log.contains("access list replaced by test.access, 1 keys"));
    aliceClient.send("second");
    const auto frames = receiveFrames(server.router, kArrivalTimeoutMs);
    QVERIFY(frames);
    const auto list = server.authenticator->accessList();
    QCOMPARE(list->checkOrder(peerPublicKey(frames->back()).value_or(""), AccountId{1}),
             OrderPermission::UnknownKey);

    Client bobClient(bob, server.keys.publicKey, server.endpoint);
    bobClient.send("watch");
    const auto bobFrames = receiveFrames(server.router, kArrivalTimeoutMs);
    QVERIFY(bobFrames);
    QCOMPARE(peerPublicKey(bobFrames->back()).value_or(""), bob.publicKey);

    Client aliceAgain(alice, server.keys.publicKey, server.endpoint);
    aliceAgain.send("third");
    QVERIFY(!receiveFrames(server.router, kNothingArrivesMs));
    QTRY_VERIFY_WITH_TIMEOUT(server.authenticator->deniedCount() >= 1, kArrivalTimeoutMs);
}

void TestAuthenticator::nullListDeniesEveryone()
{
    const CurveKeyPair alice = newKeyPair();
    Server server(nullptr);
    Client client(alice, server.keys.publicKey, server.endpoint);
    client.send("order");
    QVERIFY(!receiveFrames(server.router, kNothingArrivesMs));
    QTRY_VERIFY_WITH_TIMEOUT(server.authenticator->deniedCount() >= 1, kArrivalTimeoutMs);
}

void TestAuthenticator::denialsLoggedAtMostTwentyAMinute()
{
    Server server(accessList(""));
    std::vector<std::unique_ptr<Client>> clients;
    for (int count = 0; count < 30; ++count)
        clients.push_back(
            std::make_unique<Client>(newKeyPair(), server.keys.publicKey, server.endpoint));
    QTRY_COMPARE_WITH_TIMEOUT(server.authenticator->deniedCount(), 30u, kArrivalTimeoutMs);
    QCOMPARE(server.log.count(LogLevel::Warning, "denied client "), 20);
}

void TestAuthenticator::secondHandlerInContextRejected()
{
    zmq::context_t context;
    Authenticator first(context, accessList(""));
    QVERIFY_THROWS_EXCEPTION(zmq::error_t, Authenticator(context, accessList("")));
}

void TestAuthenticator::destructorReturnsDuringHandshakes()
{
    auto server = std::make_unique<Server>(accessList(""));
    std::vector<std::unique_ptr<Client>> clients;
    for (int count = 0; count < 10; ++count)
        clients.push_back(
            std::make_unique<Client>(newKeyPair(), server->keys.publicKey, server->endpoint));
    QTRY_VERIFY_WITH_TIMEOUT(server->authenticator->deniedCount() >= 1, kArrivalTimeoutMs);

    QElapsedTimer timer;
    timer.start();
    server.reset();
    QVERIFY2(timer.elapsed() < 1000, qPrintable(QString::number(timer.elapsed()) + " ms"));
}

void TestAuthenticator::destructorAfterContextShutdown()
{
    zmq::context_t context;
    Authenticator authenticator(context, accessList(""));
    // Shutting the context down makes the handler's poll fail with ETERM, so its thread closes
    // its socket and ends. The context can then terminate, and the destructor only joins.
    context.shutdown();
    QElapsedTimer timer;
    timer.start();
    context.close();
    QVERIFY(timer.elapsed() < 1000);
}

void TestAuthenticator::serverWithoutHandlerAcceptsAnyKey()
{
    // libzmq 4.3 lets every CURVE client in when no ZAP handler is bound in the context, which is
    // why the authenticator has to exist before a server socket binds and after it closes.
    zmq::context_t context;
    const CurveKeyPair serverKeys = newKeyPair();
    zmq::socket_t router(context, zmq::socket_type::router);
    router.set(zmq::sockopt::linger, 0);
    makeCurveServer(router, serverKeys);
    router.bind("tcp://127.0.0.1:*");

    Client client(newKeyPair(), serverKeys.publicKey, router.get(zmq::sockopt::last_endpoint));
    client.send("order");
    const auto frames = receiveFrames(router, kArrivalTimeoutMs);
    QVERIFY(frames);
    QVERIFY(!peerPublicKey(frames->back()));
}

QTEST_GUILESS_MAIN(TestAuthenticator)
#include "tst_authenticator.moc"

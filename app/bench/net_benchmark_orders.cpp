#include "net_benchmark_orders.h"

#include "curve_keys.h"
#include "curve_socket.h"
#include "protocol.h"
#include "server.h"

#include <zmq.hpp>

#include <chrono>
#include <cstring>
#include <exception>
#include <fstream>
#include <mutex>
#include <thread>

namespace bourse::bench {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kReplyTimeout{10'000};
// The client asks for the longest interval, so that no heartbeat of its own is due while it
// sends orders back to back.
constexpr std::uint32_t kClientHeartbeatIntervalMs = net::kMaximumHeartbeatIntervalMs;

// One instrument, and no orders but the benchmark's, so each order finds an empty book. The
// scenario opens account 1 (kBenchAccount: scenario accounts count from 1) in the portfolio
// without risk limits. Otherwise the server would open it with the default trader limits, whose
// order rate limit rejects a benchmark's pace.
constexpr const char *kQuietScenario =
    "# bourse-bench net: one instrument, no orders but the benchmark's.\n"
    "instrument BENCH tick 0.01 lot 1 currency USD\n"
    "account bench margin USD balance 1000000\n";

// An IOC buy of 1 lot at 100.00 (10,000 price units of 0.01): the book is empty, so the engine
// accepts it and cancels it at once as unfilled, and the book stays empty for the next one.
NewOrder benchOrder(std::uint64_t clientOrderId)
{
    NewOrder order;
    order.side = Side::Buy;
    order.limit = Price{10'000};
    order.quantity = Quantity{1};
    order.type = OrderType::Limit;
    order.timeInForce = TimeInForce::Ioc;
    order.account = AccountId{kBenchAccount};
    order.clientOrderId = ClientOrderId{clientOrderId};
    return order;
}

std::size_t encodedSize(net::Body body)
{
    std::vector<std::uint8_t> bytes;
    net::encodeMessage(net::Message{net::Header{}, std::move(body)}, bytes);
    return bytes.size();
}

bool writeTextFile(const std::string &path, const std::string &text, std::string &error)
{
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << text;
    file.close();
    if (!file) {
        error = "cannot write " + path;
        return false;
    }
    return true;
}

// The configuration `bourse-engine serve` would read: ephemeral loopback ports, the keys and
// access list of `curve` written under `folder`, the quiet scenario and no journal.
std::optional<net::ServerConfig> writeServerFiles(const CurveSetup &curve,
                                                  const std::string &folder, std::string &error)
{
    net::ServerConfig config;
    config.orderEntryEndpoint = kLoopbackEndpoint;
    config.publishEndpoint = kLoopbackEndpoint;
    config.snapshotEndpoint = kLoopbackEndpoint;
    config.serverKey = folder + "/server";
    config.accessList = folder + "/bench.access";
    config.market = net::ServedMarket::Scenario;
    config.marketFile = folder + "/quiet.scenario";

    if (const std::optional<net::KeyFileError> failed =
            net::writeKeyPair(curve.server, config.serverKey, net::ExistingKeys::Replace)) {
        error = failed->toString();
        return std::nullopt;
    }
    if (!writeTextFile(config.accessList, curve.accessListText, error) ||
        !writeTextFile(config.marketFile, kQuietScenario, error))
        return std::nullopt;
    return config;
}

// The client side of the order-entry link: a DEALER in a context of its own that numbers its
// messages from 1, as the protocol's link sequence requires.
class OrderClient {
public:
    OrderClient(const CurveSetup &curve, const std::string &endpoint)
        : m_socket(m_context, zmq::socket_type::dealer)
    {
        m_socket.set(zmq::sockopt::linger, 0);
        m_socket.set(zmq::sockopt::rcvtimeo, static_cast<int>(kReplyTimeout.count()));
        net::makeCurveClient(m_socket, curve.client, curve.server.publicKey);
        m_socket.connect(endpoint);
    }

    void send(net::Body body)
    {
        m_request.header.sequence = ++m_sequence;
        m_request.body = std::move(body);
        net::encodeMessage(m_request, m_bytes);
        m_socket.send(zmq::buffer(m_bytes), zmq::send_flags::none);
    }

    // The next message that is not a Heartbeat; the server sends those when the link is idle.
    // Returns nothing and sets `error` on a timeout or a message that fails to decode.
    const net::Message *receive(std::string &error)
    {
        for (;;) {
            if (!m_socket.recv(m_frame)) {
                error = "no reply within " + std::to_string(kReplyTimeout.count()) + " ms";
                return nullptr;
            }
            const std::span<const std::uint8_t> bytes(m_frame.data<std::uint8_t>(), m_frame.size());
            if (const std::optional<net::DecodeError> failure =
                    net::decodeMessage(bytes, m_reply)) {
                error = "a reply failed to decode: " + net::describe(*failure);
                return nullptr;
            }
            if (m_reply.header.type != net::MessageType::Heartbeat)
                return &m_reply;
        }
    }

private:
    zmq::context_t m_context{1};
    zmq::socket_t m_socket;
    net::Message m_request;
    net::Message m_reply;
    std::vector<std::uint8_t> m_bytes;
    zmq::message_t m_frame;
    std::uint64_t m_sequence = 0;
};

// Says why a reply is not the CommandAccepted of order `clientOrderId`.
std::string unexpectedReply(const net::Message &reply, std::uint64_t clientOrderId)
{
    const std::string order = "order " + std::to_string(clientOrderId) + ": ";
    if (const auto *rejected = std::get_if<net::CommandRejected>(&reply.body))
        return order + "rejected: " + std::string(nameOf(rejected->reason));
    if (const auto *failure = std::get_if<net::ErrorReply>(&reply.body))
        return order + "error reply " + std::string(net::nameOf(failure->code)) + " on field '" +
               std::string(failure->field.data(),
                           strnlen(failure->field.data(), failure->field.size())) +
               "'";
    if (const auto *accepted = std::get_if<net::CommandAccepted>(&reply.body))
        return order + "accepted with client order id " +
               std::to_string(accepted->clientOrderId.value());
    return order + "unexpected reply " + std::string(net::nameOf(reply.header.type));
}

// Hello, then the round trips. Returns the timed ones in microseconds, or sets `error`.
std::vector<double> runClient(const NetBenchmarkOptions &options, const CurveSetup &curve,
                              const std::string &endpoint, std::string &error)
{
    OrderClient client(curve, endpoint);
    client.send(
        net::Hello{net::kProtocolVersion, net::kProtocolVersion, kClientHeartbeatIntervalMs});
    const net::Message *welcome = client.receive(error);
    if (!welcome)
        return {};
    if (welcome->header.type != net::MessageType::Welcome) {
        error = "the server answered Hello with " + std::string(net::nameOf(welcome->header.type));
        return {};
    }

    std::vector<double> samples;
    samples.reserve(options.roundTrips);
    const std::uint64_t total = options.warmupRoundTrips + options.roundTrips;
    for (std::uint64_t i = 1; i <= total; ++i) {
        const Clock::time_point sent = Clock::now();
        client.send(benchOrder(i));
        const net::Message *reply = client.receive(error);
        const Clock::time_point answered = Clock::now();
        if (!reply)
            return {};
        const auto *accepted = std::get_if<net::CommandAccepted>(&reply->body);
        if (!accepted || accepted->clientOrderId.value() != i) {
            error = unexpectedReply(*reply, i);
            return {};
        }
        if (i > options.warmupRoundTrips)
            samples.push_back(std::chrono::duration<double, std::micro>(answered - sent).count());
    }
    return samples;
}

} // namespace

std::size_t newOrderBytes()
{
    return encodedSize(benchOrder(1));
}

std::size_t commandAcceptedBytes()
{
    return encodedSize(net::CommandAccepted{});
}

std::optional<RoundTripPercentiles> measureOrderRoundTrip(const NetBenchmarkOptions &options,
                                                          const CurveSetup &curve,
                                                          const std::string &folder,
                                                          std::string &error)
{
    const std::optional<net::ServerConfig> config = writeServerFiles(curve, folder, error);
    if (!config)
        return std::nullopt;

    // The server's warnings explain a failed run; its info lines (starts, stops, peers) are
    // not wanted among the figures.
    std::mutex logMutex;
    std::string warnings;
    const net::LogSink log = [&](net::LogLevel level, const std::string &line) {
        if (level == net::LogLevel::Warning) {
            const std::lock_guard lock(logMutex);
            warnings += "\n  server: " + line;
        }
    };

    std::vector<double> samples;
    try {
        net::Server server(*config, log);
        std::thread serverThread([&server] { server.run(); });
        try {
            samples = runClient(options, curve, server.orderEntryEndpoint(), error);
        } catch (const std::exception &caught) {
            error = caught.what();
        }
        server.requestStop();
        serverThread.join();
    } catch (const std::exception &caught) {
        error = caught.what();
    }

    if (!error.empty()) {
        const std::lock_guard lock(logMutex);
        error = "order round trip: " + error + warnings;
        return std::nullopt;
    }
    return percentilesOf(std::move(samples));
}

} // namespace bourse::bench

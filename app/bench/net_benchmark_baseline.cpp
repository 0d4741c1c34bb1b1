#include "net_benchmark_baseline.h"

#include "authenticator.h"
#include "curve_socket.h"

#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <thread>

namespace bourse::bench {

namespace {

using Clock = std::chrono::steady_clock;

// A peer that waits longer than this for a message gives up: on loopback every message of the
// benchmark arrives within milliseconds, so a longer wait means a lost connection or a bug.
constexpr std::chrono::milliseconds kReceiveTimeout{10'000};
// How often a waiting echo server looks at its stop flag.
constexpr std::chrono::milliseconds kStopCheckInterval{100};

// The first byte of every PUB/SUB baseline message is its kind. Probes go out until the
// subscriber has joined, because a PUB socket drops what it sends before the subscription
// arrives.
constexpr std::uint8_t kProbe = 1;
constexpr std::uint8_t kData = 2;
constexpr std::uint8_t kEnd = 3;

} // namespace

std::optional<CurveSetup> makeCurveSetup(std::string &error)
{
    const net::KeyPairResult server = net::generateKeyPair();
    const net::KeyPairResult client = net::generateKeyPair();
    if (!server.ok() || !client.ok()) {
        error = (server.ok() ? client : server).error.toString();
        return std::nullopt;
    }

    CurveSetup setup{*server.pair, *client.pair, {}, {}};
    setup.accessListText = "trader " + setup.client.publicKey + " accounts " +
                           std::to_string(kBenchAccount) + " # bourse-bench\n";
    net::AccessListResult parsed = net::parseAccessList(setup.accessListText, "bourse-bench");
    if (!parsed.ok()) {
        error = parsed.errors.front().toString();
        return std::nullopt;
    }
    setup.accessList = parsed.list;
    return setup;
}

RoundTripPercentiles percentilesOf(std::vector<double> microseconds)
{
    RoundTripPercentiles result;
    result.samples = microseconds.size();
    if (microseconds.empty())
        return result;

    std::sort(microseconds.begin(), microseconds.end());
    const auto rank = [&](std::size_t perMille) {
        const std::size_t index =
            std::max<std::size_t>((microseconds.size() * perMille + 999) / 1000, 1);
        return microseconds[index - 1];
    };
    result.p50 = rank(500);
    result.p99 = rank(990);
    result.max = microseconds.back();
    return result;
}

std::optional<BaselineRun> measurePubSub(std::uint64_t count, const CurveSetup *curve,
                                         std::string &error)
{
    zmq::context_t publisherContext(1);
    std::unique_ptr<net::Authenticator> authenticator;
    if (curve)
        authenticator = std::make_unique<net::Authenticator>(publisherContext, curve->accessList);
    zmq::socket_t publisher(publisherContext, zmq::socket_type::pub);
    // No high-water mark on either side: a PUB socket drops what does not fit, and the figure
    // is meant to count messages delivered, not messages dropped.
    publisher.set(zmq::sockopt::sndhwm, 0);
    publisher.set(zmq::sockopt::linger, 0);
    if (curve)
        net::makeCurveServer(publisher, curve->server);
    publisher.bind(kLoopbackEndpoint);
    const std::string endpoint = publisher.get(zmq::sockopt::last_endpoint);

    std::atomic<bool> joined{false};
    std::atomic<bool> failed{false};
    std::uint64_t received = 0;
    Clock::time_point end;
    std::string subscriberError;
    std::thread subscriberThread([&] {
        try {
            zmq::context_t context(1);
            zmq::socket_t subscriber(context, zmq::socket_type::sub);
            subscriber.set(zmq::sockopt::rcvhwm, 0);
            subscriber.set(zmq::sockopt::linger, 0);
            subscriber.set(zmq::sockopt::rcvtimeo, static_cast<int>(kReceiveTimeout.count()));
            if (curve)
                net::makeCurveClient(subscriber, curve->client, curve->server.publicKey);
            subscriber.set(zmq::sockopt::subscribe, "");
            subscriber.connect(endpoint);

            zmq::message_t message;
            for (;;) {
                if (!subscriber.recv(message)) {
                    subscriberError = "no message for " + std::to_string(kReceiveTimeout.count()) +
                                      " ms after " + std::to_string(received) + " of " +
                                      std::to_string(count);
                    break;
                }
                const std::uint8_t kind = *message.data<std::uint8_t>();
                if (kind == kProbe) {
                    joined.store(true, std::memory_order_release);
                } else if (kind == kData) {
                    ++received;
                } else {
                    end = Clock::now();
                    break;
                }
            }
        } catch (const std::exception &caught) {
            subscriberError = caught.what();
        }
        failed.store(!subscriberError.empty(), std::memory_order_release);
    });

    std::array<std::uint8_t, kBaselineMessageBytes> bytes{};
    bytes[0] = kProbe;
    while (!joined.load(std::memory_order_acquire) && !failed.load(std::memory_order_acquire)) {
        publisher.send(zmq::buffer(bytes), zmq::send_flags::dontwait);
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }

    const Clock::time_point start = Clock::now();
    bytes[0] = kData;
    for (std::uint64_t i = 0; i < count && !failed.load(std::memory_order_relaxed); ++i)
        publisher.send(zmq::buffer(bytes), zmq::send_flags::none);
    bytes[0] = kEnd;
    publisher.send(zmq::buffer(bytes), zmq::send_flags::none);
    subscriberThread.join();

    publisher.close();
    authenticator.reset();
    if (subscriberError.empty() && received != count)
        subscriberError = "received " + std::to_string(received) + " of " + std::to_string(count);
    if (!subscriberError.empty()) {
        error =
            std::string("PUB/SUB baseline") + (curve ? " with CURVE" : "") + ": " + subscriberError;
        return std::nullopt;
    }
    return BaselineRun{count, std::chrono::duration<double>(end - start).count()};
}

std::optional<RoundTripPercentiles> measureDealerRouter(const NetBenchmarkOptions &options,
                                                        std::size_t requestBytes,
                                                        std::size_t replyBytes,
                                                        const CurveSetup *curve, std::string &error)
{
    zmq::context_t serverContext(1);
    std::unique_ptr<net::Authenticator> authenticator;
    if (curve)
        authenticator = std::make_unique<net::Authenticator>(serverContext, curve->accessList);
    zmq::socket_t router(serverContext, zmq::socket_type::router);
    router.set(zmq::sockopt::linger, 0);
    router.set(zmq::sockopt::rcvtimeo, static_cast<int>(kStopCheckInterval.count()));
    if (curve)
        net::makeCurveServer(router, curve->server);
    router.bind(kLoopbackEndpoint);
    const std::string endpoint = router.get(zmq::sockopt::last_endpoint);

    // The echo server: the ROUTER replies to each request with `replyBytes` to its sender, until
    // the client has finished.
    std::atomic<bool> stop{false};
    std::string serverError;
    std::thread serverThread([&] {
        try {
            const std::vector<std::uint8_t> reply(replyBytes, 0x5a);
            std::vector<zmq::message_t> frames;
            while (!stop.load(std::memory_order_acquire)) {
                frames.clear();
                if (!zmq::recv_multipart(router, std::back_inserter(frames)))
                    continue;
                if (frames.size() != 2)
                    break;
                router.send(frames[0], zmq::send_flags::sndmore);
                router.send(zmq::buffer(reply), zmq::send_flags::none);
            }
        } catch (const std::exception &caught) {
            serverError = caught.what();
        }
    });

    std::vector<double> samples;
    std::string clientError;
    try {
        zmq::context_t context(1);
        zmq::socket_t dealer(context, zmq::socket_type::dealer);
        dealer.set(zmq::sockopt::linger, 0);
        dealer.set(zmq::sockopt::rcvtimeo, static_cast<int>(kReceiveTimeout.count()));
        if (curve)
            net::makeCurveClient(dealer, curve->client, curve->server.publicKey);
        dealer.connect(endpoint);

        const std::vector<std::uint8_t> request(requestBytes, 0xa5);
        const std::uint64_t total = options.warmupRoundTrips + options.roundTrips;
        samples.reserve(options.roundTrips);
        zmq::message_t reply;
        for (std::uint64_t i = 0; i < total; ++i) {
            const Clock::time_point sent = Clock::now();
            dealer.send(zmq::buffer(request), zmq::send_flags::none);
            if (!dealer.recv(reply)) {
                clientError = "no reply to request " + std::to_string(i + 1) + " within " +
                              std::to_string(kReceiveTimeout.count()) + " ms";
                break;
            }
            const Clock::time_point answered = Clock::now();
            if (i >= options.warmupRoundTrips)
                samples.push_back(
                    std::chrono::duration<double, std::micro>(answered - sent).count());
        }
    } catch (const std::exception &caught) {
        clientError = caught.what();
    }
    stop.store(true, std::memory_order_release);
    serverThread.join();
    router.close();
    authenticator.reset();

    if (clientError.empty())
        clientError = serverError;
    if (!clientError.empty()) {
        error = std::string("DEALER/ROUTER baseline") + (curve ? " with CURVE" : "") + ": " +
                clientError;
        return std::nullopt;
    }
    return percentilesOf(std::move(samples));
}

} // namespace bourse::bench

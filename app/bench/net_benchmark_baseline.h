#pragma once

// The bare cppzmq baselines of bourse-bench net, and what they share with the Bourse side: the
// CURVE keys of a run and the percentiles of round trips.

#include "net_benchmark.h"

#include "access_list.h"
#include "curve_keys.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bourse::bench {

// Every socket of the benchmark binds or connects to this interface only.
inline constexpr const char *kLoopbackEndpoint = "tcp://127.0.0.1:*";

// The account the benchmark's client trades for.
inline constexpr std::uint32_t kBenchAccount = 1;

// The keys of one benchmark: the server's, the client's, and an access list that admits the
// client as a trader of kBenchAccount.
struct CurveSetup {
    net::CurveKeyPair server;
    net::CurveKeyPair client;
    std::string accessListText;
    std::shared_ptr<const net::AccessList> accessList;
};

// Generates both key pairs. Returns nothing and sets `error` when libzmq has no CURVE.
std::optional<CurveSetup> makeCurveSetup(std::string &error);

// Nearest-rank percentiles of round trips in microseconds.
RoundTripPercentiles percentilesOf(std::vector<double> microseconds);

// Publishes `count` messages of kBaselineMessageBytes from a PUB socket to one SUB socket of
// another context, over loopback TCP, with CURVE when `curve` is set. Returns nothing and sets
// `error` when the subscriber does not receive them all.
std::optional<BaselineRun> measurePubSub(std::uint64_t count, const CurveSetup *curve,
                                         std::string &error);

// Round trips of a DEALER to a ROUTER that echoes a reply of `replyBytes` to each request of
// `requestBytes`, on a thread and a context of its own. Returns nothing and sets `error` when a
// reply does not come within a timeout.
std::optional<RoundTripPercentiles>
measureDealerRouter(const NetBenchmarkOptions &options, std::size_t requestBytes,
                    std::size_t replyBytes, const CurveSetup *curve, std::string &error);

} // namespace bourse::bench

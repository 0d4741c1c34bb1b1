#pragma once

// The order round trip of bourse-bench net: a DEALER sends NewOrder to the server's order-entry
// ROUTER over CURVE and waits for the CommandAccepted.

#include "net_benchmark_baseline.h"

#include <cstddef>
#include <optional>
#include <string>

namespace bourse::bench {

// The bytes of the NewOrder that each round trip sends and of the CommandAccepted it waits for.
std::size_t newOrderBytes();
std::size_t commandAcceptedBytes();

// Starts a Server on a thread of its own, with a quiet market (one instrument, no simulated
// traders), no journal and the keys of `curve` in files under `folder`. Then sends Hello, and
// NewOrder after NewOrder, each an IOC buy that finds nothing to trade, and times each until
// its CommandAccepted. Returns nothing and sets `error` when the server cannot start, rejects
// an order or does not reply within a timeout.
std::optional<RoundTripPercentiles> measureOrderRoundTrip(const NetBenchmarkOptions &options,
                                                          const CurveSetup &curve,
                                                          const std::string &folder,
                                                          std::string &error);

} // namespace bourse::bench

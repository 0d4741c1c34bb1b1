#pragma once

// The market-data path of bourse-bench net: the server's MarketPublisher on a CURVE PUB socket,
// fed a recorded agent-market stream, to one subscriber of every instrument's market data that
// decodes and applies every batch.

#include "net_benchmark_baseline.h"

#include "events.h"

#include <optional>
#include <string>
#include <vector>

namespace bourse::bench {

// The events of an agent market run, and after which of them a command ended, so that the
// publisher gets the onEvent() and onCommandEnd() calls the engine made.
struct RecordedStream {
    std::vector<Event> events;
    std::vector<bool> endsCommand; // one per event
    std::uint64_t commands = 0;
    std::uint64_t marketDataEvents = 0; // the events the publisher sends on instrument topics
};

// Runs the agent market (five default instruments, seed 1) on a new engine until it has
// published `count` events or more, and records them.
RecordedStream recordAgentMarket(std::uint64_t count);

// Feeds the whole stream to a MarketPublisher as fast as it takes it, and times until the
// subscriber has received, decoded and applied the last market-data batch. The publisher sorts
// every event; as in the server, the agents' accounts have no execution report streams.
// Returns nothing and sets `error` when a batch is lost, fails to decode or arrives out of
// sequence. The publisher gets onCommandEnd() after every command of the stream and
// onBatchEnd() after every `commandsPerPass` commands, as a pass of the server's loop ends.
std::optional<PublishRun> measurePublish(const RecordedStream &stream,
                                         std::uint64_t commandsPerPass, const CurveSetup &curve,
                                         std::string &error);

} // namespace bourse::bench

#pragma once

#include "engine.h"
#include "replay_feed.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace bourse::replay {

// The exchange stream that a recorded file holds.
enum class DepthFormat : std::uint8_t {
    Bybit,   // JSON lines of topic orderbook.<depth>.<symbol>
    Binance, // a depth snapshot CSV and its update CSV
};

struct DepthFeedSource {
    DepthFormat format = DepthFormat::Bybit;
    std::string path;       // the JSON-lines file, or Binance's snapshot file
    std::string updatePath; // Binance's update file
};

// Returns the stream that `path` names: a Bybit JSON-lines file (its first line is a JSON
// object whose topic starts with "orderbook."), or either file of a Binance pair named
// ...depth-snap.csv and ...depth-update.csv side by side. Returns nothing for any other file,
// and sets `problem` when the file looks like one of them but cannot be: a Binance file
// without its sibling, or JSON lines that are not an order-book stream.
std::optional<DepthFeedSource> depthFeedSourceFor(const std::string &path, std::string &problem);

// Opens a depth stream as a ReplayFeed on a fresh `engine`. The price and size decimals are
// those the first messages (up to 1,000 Bybit lines, 100,000 Binance rows of each file) are
// written with, and the tick is the greatest common divisor of their prices. A later value with
// more decimals, or a price off that tick, stops the replay with an error naming its line. The
// engine's instrument 1 takes the stream's symbol and these decimals, with a tick and a lot of one
// unit. Returns null and sets `error`, naming the file and the line, when the stream cannot be
// read.
std::unique_ptr<ReplayFeed> openDepthFeed(const DepthFeedSource &source, Engine &engine,
                                          std::string &error);

} // namespace bourse::replay

#pragma once

#include "engine.h"
#include "replay_feed.h"

#include <memory>
#include <optional>
#include <string>

namespace bourse::replay {

// A file of OHLCV bars (csv_sources.h, BarReader).
struct BarFeedSource {
    std::string path;
};

// Returns the bar file `path` names, recognised by a header with the columns timestamp, open,
// high, low, close and volume in any order. Returns nothing for any other file.
std::optional<BarFeedSource> barFeedSourceFor(const std::string &path);

// Opens a bar file as a ReplayFeed on a fresh `engine`, which gets the file's instrument and
// nothing else: a bar file has no orders, so the book stays empty and nothing trades. Each
// step delivers one bar, once its interval has passed in market time (nextTime() is the bar's
// end), into the bars that the feed's BarReplaySource side shows. Time frames of 1 min, 5 min,
// 15 min, 1 h, 4 h and 24 h that are longer than the file's interval and a whole multiple of it
// are resampled from the bars (BarResampler).
//
// The whole file is checked first, so a malformed row is an error at the start that names the
// file, the line and the column. Prices take the fewest decimals that write every price
// exactly. Volumes take the fewest decimals that write at least 99.9% of them exactly, and the
// others are rounded half to even, as exporters that write volumes through binary floats
// need. The symbol is the file name up to its first underscore, or up to a dash before a
// digit, in capitals: "BTCUSDT_1m.csv" and "btc-perp-20211231-20220201_1m.csv" give BTCUSDT and
// BTC-PERP. Returns null and sets `error` when the file cannot be read or is malformed.
std::unique_ptr<ReplayFeed> openBarFeed(const BarFeedSource &source, Engine &engine,
                                        std::string &error);

} // namespace bourse::replay

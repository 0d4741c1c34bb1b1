#pragma once

#include "csv_table.h"
#include "engine.h"
#include "replay_feed.h"

#include <memory>
#include <optional>
#include <string>

namespace bourse::replay {

// A recorded trade file, quote file, or both, of one instrument (csv_sources.h).
struct TapeFeedSource {
    std::string tradesPath; // empty: quotes only
    std::string quotesPath; // empty: trades only
};

// Returns the files that `path` names: a trade file or a quote file, recognised by its header.
// Its sibling joins it when one lies beside it under the same name with "trades" and "quotes"
// swapped, as Tardis.dev names them (..._trades.csv and ..._quotes.csv). Returns nothing for
// any other file.
std::optional<TapeFeedSource> tapeFeedSourceFor(const std::string &path);

// Returns the fewest decimals that write exactly every price and amount of the first 100,000
// rows of each file of `source`: the scale its readers take.
DecimalScale tapeScaleOf(const TapeFeedSource &source);

// Opens trades and quotes as a ReplayFeed on a fresh `engine`, merged in order of exchange time
// (a quote before a trade of the same time). A quote sets the top level of each side as an order
// of origin Recovered. A trade executes resting quantity at its price on the side opposite its
// aggressor: the quote's order when it rests there, else quantity added for the trade, so every
// print keeps its price, size and aggressor. Between quotes the book may differ from the
// exchange's, because trades take from the quoted size.
//
// The decimals are the fewest that write exactly every price and amount of the first 100,000
// rows of each file. A later row with more decimals stops the replay with an error naming its
// file and line. Returns null and sets `error` when a file cannot be read.
std::unique_ptr<ReplayFeed> openTapeFeed(const TapeFeedSource &source, Engine &engine,
                                         std::string &error);

} // namespace bourse::replay

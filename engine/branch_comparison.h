#pragma once

// The comparison a branch of a replay shows: the trader's P&L in the original run beside the
// branch's, over the same replayed market (MarketView::branch).

#include "money.h"
#include "types.h"

#include <cstdint>
#include <string>
#include <vector>

namespace bourse {

// One column of the comparison: the trader's accounts in the replayed instrument, summed.
struct BranchSide {
    Money realized;
    Money unrealized;        // at `BranchComparison::mark`; zero while there is no mark
    Money fees;              // charged, rebates negative
    Money total;             // realized + unrealized - fees
    Quantity position;       // signed: negative is short
    std::uint64_t fills = 0; // fills posted to the positions
};

// The total P&L of both columns at one market time.
struct BranchSample {
    Timestamp time;
    Money original;
    Money branch;
};

// The trader's original run and its branch side by side. Both face the same recorded market from
// the branch moment on, so their difference comes from the trader's commands alone.
struct BranchComparison {
    Timestamp moment;                  // the market time of the latest Branch
    SequenceNumber momentSequence = 0; // the replayed engine's last event at that moment
    std::uint64_t branches = 0;        // Branch commands since the comparison began, at least 1
    std::string currency;              // of the replayed instrument and the trader's accounts
    int moneyDecimals = 2;
    Price mark; // the last replayed trade price, which both columns are marked at
    BranchSide original;
    BranchSide branch;
    // Total P&L of both columns over market time, oldest first, from the first branch moment
    // to now. Samples are at least `sampleIntervalNanoseconds` apart, an interval that doubles
    // each time the curve reaches its bound, so a whole day keeps a bounded number of samples.
    // The last sample is the columns' values now.
    std::vector<BranchSample> curve;
    std::int64_t sampleIntervalNanoseconds = 0;
};

} // namespace bourse

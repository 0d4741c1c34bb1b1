#pragma once

// The accounts, limits and replay clock of `bourse-bench engine --risk`, which replays a stream
// with pre-trade risk checks on every add.

#include "command_stream.h"
#include "engine.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace bourse::bench {

// A stream names no accounts, so the risk replay assigns each add to one of these accounts by
// its side and id. An account sends orders of one side only, so no add can meet a resting order
// of its own account. Self-trade prevention, which the reference book does not have, then never
// changes the matching, and the replay ends with the same book as one without accounts.
inline constexpr std::uint32_t kAccountsPerSide = 8;

inline AccountId accountOf(const StreamCommand &add)
{
    const std::uint32_t sideOffset = add.side == Side::Buy ? 1 : 1 + kAccountsPerSide;
    return AccountId{sideOffset + add.id % kAccountsPerSide};
}

// The replay clock of the risk replay: command i is at kReplayStart + i * interval nanoseconds.
// The time matters to the order rate rule, which counts an account's orders in the last second,
// and to the daily loss rule, whose day is the UTC date.
inline constexpr std::int64_t kReplayStart = 1'704'205'800'000'000'000; // 2024-01-02 14:30 UTC
// 10,000 commands a second: the steady stream spans 5 minutes, and each account sends about 340
// orders a second.
inline constexpr std::int64_t kDefaultCommandInterval = 100'000;
// One second keeps the clock of a stream of 2^32 commands within 64-bit nanoseconds.
inline constexpr std::int64_t kMaximumCommandInterval = 1'000'000'000;

inline Timestamp replayTime(std::size_t index, std::int64_t interval)
{
    return Timestamp{kReplayStart + static_cast<std::int64_t>(index) * interval};
}

// The highest use of each limit over every account in one replay. Uses are measured just before
// each add as its risk check counts them, with the add included. The daily loss, which trades
// change for accounts that send nothing, is measured for every account after each trade.
struct RiskPeaks {
    Quantity orderQuantity;
    Money orderNotional;
    Quantity longPosition;  // position + open buys + the buy
    Quantity shortPosition; // -(position - open sells - the sell)
    std::int64_t priceBandBasisPoints = 0;
    std::int64_t openOrders = 0;
    std::int64_t ordersPerSecond = 0;
    Money dailyLoss;
    Money committedNotional; // a margin account's open buy and sell notional with the add's
};

// The instrument, accounts and limits that the risk replay sets up before its first command.
struct RiskSetup {
    std::int64_t commandInterval = kDefaultCommandInterval; // nanoseconds between commands
    InstrumentDefinition instrument;
    std::vector<AccountSettings> accounts; // margin accounts in the instrument's currency
    Money openingBalance;
    RiskPeaks peaks;
    RiskLimits limits; // the same for every account
};

// The limits are this many times the peaks, so that every rule is enabled but none rejects an
// add of the stream.
inline constexpr std::int64_t kLimitHeadroom = 2;

// Replays the stream once on a clock of `commandInterval` nanoseconds per command, with the
// accounts open and every limit zero (disabled). Measures the peaks and sets each limit to
// kLimitHeadroom times its peak: at least 1, and an order rate of at most
// kMaximumOrdersPerSecond. Returns nothing when the engine rejects the setup.
std::optional<RiskSetup> calibrateRisk(const CommandStream &stream, std::int64_t commandInterval);

// Adds the instrument, opens the accounts and, with `withLimits`, sets their limits. Run it on a
// fresh Engine() before adding a handler, so that the handlers see only the stream's events.
// Returns false when the engine rejected one of these commands.
bool setUpRisk(Engine &engine, const RiskSetup &setup, bool withLimits);

} // namespace bourse::bench

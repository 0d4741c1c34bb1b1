#pragma once

#include "engine.h"
#include "events.h"

#include <cstdint>
#include <string>
#include <vector>

namespace bourse {

// Past events of an engine, read from the newest back, as a journal stores them.
class EventHistory {
public:
    virtual ~EventHistory() = default;

    // Appends the next older run of consecutive events to `events`, oldest first. A run ends
    // where a command ended, so no command's events are split between two runs. Returns false,
    // appending nothing, once the first event was read, or on an error that error() describes.
    virtual bool readOlder(std::vector<Event> &events) = 0;

    // Why reading stopped before the first event; empty while it goes on or when it did not.
    virtual std::string error() const = 0;
};

// The default for the most events readTraderHistory() reads, which bounds the time a
// restart spends on it. Reading back took about 0.5 s per million events on a two-core virtual
// machine (Release build, one journal of the simulated market). The simulated market makes
// about 1,700 events a second at speed 1, so this covers about 50 minutes of it. Finished orders,
// fills and notices older than that are not shown after a restart, and working orders entered
// before it show no entry time.
inline constexpr std::uint64_t kTraderHistoryEventsRead = 5'000'000;

// The events of the trader's accounts that TraderViewBuilder::restore() rebuilds the orders,
// fills and risk notices from.
struct TraderHistory {
    std::vector<Event> events;     // oldest first
    std::uint64_t eventsRead = 0;  // every event read, the trader's or not
    SequenceNumber oldestRead = 0; // 0 when nothing was read
    // Whether the events contain everything the trader's view keeps: the reading stopped
    // because it had found it all, or at the first event. False when the bound on events read
    // or an error stopped it first.
    bool complete = false;
    std::string error; // the history's error, when one stopped the reading
};

// Reads `history` back from its newest event until it has found what a TraderViewBuilder of
// `accounts` keeps. That is the newest TraderViewBuilder::kFinishedOrdersKept finished orders,
// each with every event since it was entered, the newest kFillsKept fills and kNoticesKept risk
// notices, and the entry of each of the orders the engine has working. The reading also stops
// at the first event, or once `maximumEventsRead` events were read, always at the end of a run.
// `engine` is the one the history leads to, as rebuilt from the same journal. The events the
// builder does not need, such as the simulated market's, are dropped while reading, so memory
// follows the trader's activity and the market's resting orders, not the events read.
TraderHistory readTraderHistory(EventHistory &history, const Engine &engine,
                                const std::vector<AccountId> &accounts,
                                std::uint64_t maximumEventsRead = kTraderHistoryEventsRead);

} // namespace bourse

#pragma once

// Training scenarios: a market of agents (AgentMarket) and the events an instructor schedules
// in it, in the words of the scenario language. docs/training.md describes the lines. A short
// example:
//
//     market seed 7 start 14:30:00 length 10min
//     instrument BLUE tick 0.01 lot 1 price 187.42 arrivals 400 makers 4
//     at +2min news BLUE -30
//     at 14:35:00 halt BLUE
//     at 14:36:00 reopen BLUE
//
// parseTrainingScenario converts every price and time first, so a malformed file stops with
// errors at FILE:LINE:COLUMN before any market starts.

#include "agent_market.h"
#include "scenario.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bourse::training {

struct TrainingScenario {
    std::string fileName;
    std::string text; // the text parsed, which a journal keeps to continue the scenario
    std::uint64_t seed = 1;
    // How long the scenario runs in market time from the start, or zero for no end.
    std::int64_t lengthNanoseconds = 0;
    // The instruments, the start time and the schedule, with the agents' defaults elsewhere.
    AgentMarket::Options options;
    std::vector<std::size_t> eventLines; // the line of each scheduled event, by schedule index
};

struct TrainingParseResult {
    TrainingScenario scenario;
    std::vector<scenario::ParseError> errors; // empty when the scenario may run

    bool ok() const { return errors.empty(); }
};

// Parses a whole training scenario. Errors name the line and column, up to
// scenario::kMaximumParseErrors of them, and a scenario with errors must not run.
TrainingParseResult parseTrainingScenario(std::string_view text, const std::string &fileName);
// Reads and parses a file. A file that is missing or cannot be read gives one error without a
// line, "FILE: error: MESSAGE".
TrainingParseResult loadTrainingScenario(const std::string &path);

// The event as a scenario line would write it after the time, such as "news BLUE -30" or
// "drought BLUE widen 6 size 20 for 2min". The end that a timed drought schedules, which has
// no line, reads "drought BLUE ends".
std::string describeMarketEvent(const MarketEvent &event, const AgentMarket::Options &options);
// The market time as a time of day, HH:MM:SS.mmm, as a scenario line writes it.
std::string formatMarketTime(Timestamp time);

// Steps `market`, which runs `scenario` on `engine`, until its clock passes the scenario's end
// or the engine's last sequence number reaches `lastSequence`, whichever comes first, or the
// market is paused. Returns the number of steps taken.
std::uint64_t runScenario(AgentMarket &market, const Engine &engine,
                          const TrainingScenario &scenario, SequenceNumber lastSequence);

} // namespace bourse::training

#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace bourse::cli {

struct ScenarioSimArguments {
    std::string path;
    std::optional<std::uint64_t> seed;   // replaces the scenario's seed
    std::optional<std::uint64_t> events; // stops at this many events, if before the end
    bool accounts = false;
    bool json = false;
};

// Runs a training scenario's agent market on a new engine without a journal, as fast as
// possible, until the scenario's length or the event limit, and prints the stream's hash, the
// rate, each instrument's figures and each market event as it took effect. Returns the exit
// status: Success, or InputError for a scenario that cannot be read or parsed, whose errors go
// to stderr as FILE:LINE:COLUMN lines.
int runScenarioSimulation(const ScenarioSimArguments &arguments);

} // namespace bourse::cli

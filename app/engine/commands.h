#pragma once

#include <string>
#include <vector>

namespace bourse::cli {

// Each command takes the arguments after its own name and returns the process exit status.
int runReplayCommand(const std::vector<std::string> &arguments);
int runJournalCommand(const std::vector<std::string> &arguments);
int runScenarioCommand(const std::vector<std::string> &arguments);
int runSimCommand(const std::vector<std::string> &arguments);
int runReportCommand(const std::vector<std::string> &arguments);
int runKeygenCommand(const std::vector<std::string> &arguments);
int runServeCommand(const std::vector<std::string> &arguments);

// Exit statuses shared by the commands.
enum ExitStatus : int {
    Success = 0,
    CheckFailed = 1, // the run completed but found mismatches or damage
    UsageError = 2,
    InputError = 3, // a file is missing or malformed
};

} // namespace bourse::cli

#pragma once

#include <exception>
#include <ostream>
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
int runFollowCommand(const std::vector<std::string> &arguments);
int runFeedCommand(const std::vector<std::string> &arguments);
int runListenCommand(const std::vector<std::string> &arguments);

// Exit statuses shared by the commands. `serve` adds 4, an endpoint cannot be bound, and 5, its
// journal cannot be opened or written (serve_command.cpp); `feed` uses 4 the same way. The man
// page bourse-engine(1) and docs/command-line.md list them all; keep the three in step.
enum ExitStatus : int {
    Success = 0,
    CheckFailed = 1, // the run completed but found mismatches or damage
    UsageError = 2,  // an unknown command or option, a missing or invalid option value
    InputError = 3,  // a file is missing, malformed or locked, or cannot be written
    // An exception that no command handled: a defect or exhausted memory. 70 is EX_SOFTWARE
    // of sysexits.h, "internal software error".
    InternalFailure = 70,
};

// Runs `command`, a callable that returns an exit status. An exception that escapes it is
// written to `errors` as "bourse-engine: internal error: WHAT" and gives InternalFailure, so
// that no exception ends the process through std::terminate and its core dump.
template <typename Command>
int runReportingExceptions(Command &&command, std::ostream &errors) noexcept
{
    try {
        return command();
    } catch (const std::exception &failure) {
        errors << "bourse-engine: internal error: " << failure.what() << "\n";
    } catch (...) {
        errors << "bourse-engine: internal error: an exception of unknown type\n";
    }
    return InternalFailure;
}

} // namespace bourse::cli

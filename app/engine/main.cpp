// bourse-engine: the headless Bourse engine and its tools.

#include "commands.h"

#include <iostream>
#include <string>
#include <vector>

namespace {

void printUsage(std::ostream &out)
{
    out << "usage: bourse-engine <command> [options]\n"
           "\n"
           "commands:\n"
           "  replay --lobster MESSAGE_FILE [--orderbook ORDERBOOK_FILE [--levels N]]\n"
           "         [--journal FILE] [--json]\n"
           "      Replay a LOBSTER message file through the engine. With the orderbook file,\n"
           "      check the top N levels after every message (N defaults to the file's depth).\n"
           "  journal replay FILE [--json]\n"
           "      Rebuild the engine from a journal and print its state hash.\n"
           "  journal verify FILE\n"
           "      Check a journal's checksums, hash chain and sequence numbers.\n"
           "  run FILE [--json]\n"
           "      Run a scenario file on a fresh engine, print its events and check its\n"
           "      expectations.\n";
}

} // namespace

int main(int argc, char **argv)
{
    std::vector<std::string> arguments(argv + 1, argv + argc);
    if (arguments.empty() || arguments[0] == "--help" || arguments[0] == "-h") {
        printUsage(arguments.empty() ? std::cerr : std::cout);
        return arguments.empty() ? bourse::cli::UsageError : bourse::cli::Success;
    }

    const std::string command = arguments[0];
    arguments.erase(arguments.begin());
    if (command == "replay")
        return bourse::cli::runReplayCommand(arguments);
    if (command == "journal")
        return bourse::cli::runJournalCommand(arguments);
    if (command == "run")
        return bourse::cli::runScenarioCommand(arguments);

    std::cerr << "bourse-engine: unknown command '" << command << "'\n";
    printUsage(std::cerr);
    return bourse::cli::UsageError;
}

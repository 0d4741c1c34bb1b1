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
           "  journal inspect FILE [--from SEQ] [--to SEQ] [--type TYPE] [--json] ...\n"
           "      Print a journal's events, filtered (journal inspect --help).\n"
           "  journal export FILE --format csv|json [--output PATH] ...\n"
           "      Write a journal's events as CSV or JSON (journal export --help).\n"
           "  journal recover FILE\n"
           "      Keep the events before the first damage; set the original aside.\n"
           "  journal rebuild FILE\n"
           "      Store a snapshot at the last event and rebuild the read models (FILE-views).\n"
           "  run FILE [--json] [--journal JOURNAL [--snapshot-every N]]\n"
           "      Run a scenario file on a fresh engine, print its events and check its\n"
           "      expectations; with --journal, print events only once they are committed.\n"
           "  sim --journal FILE [--seed S] [--rate EVENTS_PER_S] [--seconds N]\n"
           "      Run the simulated market without a screen, journaling every event, and\n"
           "      print the last acknowledged sequence number as commits land.\n"
           "  sim --events N [--seed S] [--accounts] [--json]\n"
           "      Run the agent market of five instruments as fast as possible for N events,\n"
           "      without a journal, and print the event stream's hash and rate.\n"
           "  report JOURNAL --output FILE.html [--account N ...]\n"
           "      Write the session report of a journal as one HTML file: P&L curve, fills on\n"
           "      price charts, risk events and statistics (report --help).\n"
           "  keygen [--out PATH] [--force]\n"
           "      Generate a CURVE key pair: PATH.key, the secret key (mode 0600), and PATH.pub,\n"
           "      and print the public key (keygen --help).\n"
           "  serve --config FILE\n"
           "      Serve the engine to remote terminals over CURVE-encrypted ZeroMQ\n"
           "      (serve --help).\n";
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
    if (command == "sim")
        return bourse::cli::runSimCommand(arguments);
    if (command == "report")
        return bourse::cli::runReportCommand(arguments);
    if (command == "keygen")
        return bourse::cli::runKeygenCommand(arguments);
    if (command == "serve")
        return bourse::cli::runServeCommand(arguments);

    std::cerr << "bourse-engine: unknown command '" << command << "'\n";
    printUsage(std::cerr);
    return bourse::cli::UsageError;
}

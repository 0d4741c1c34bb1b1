// bourse-engine: the headless Bourse engine and its tools.

#include "commands.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace {

constexpr const char *kVersionLine = "bourse-engine " BOURSE_VERSION "\n";

void printUsage(std::ostream &out)
{
    out << "usage: bourse-engine <command> [options]\n"
           "       bourse-engine --help | --version\n"
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
           "  journal records FILE\n"
           "      Print the records a journal keeps beside its events, such as training runs.\n"
           "  run FILE [--json] [--journal JOURNAL [--snapshot-every N]]\n"
           "      Run a scenario file on a fresh engine, print its events and check its\n"
           "      expectations; with --journal, print events only once they are committed.\n"
           "  sim --journal FILE [--seed S] [--rate EVENTS_PER_S] [--seconds N]\n"
           "      Run the simulated market without a screen, journaling every event, and\n"
           "      print the last acknowledged sequence number as commits land.\n"
           "  sim --events N [--seed S] [--accounts] [--json]\n"
           "      Run the agent market of five instruments as fast as possible for N events,\n"
           "      without a journal, and print the event stream's hash and rate.\n"
           "  sim --scenario FILE [--seed S] [--events N] [--accounts] [--json]\n"
           "      Run a training scenario's agent market the same way (sim --help).\n"
           "  report JOURNAL --output FILE.html [--account N ...]\n"
           "      Write the session report of a journal as one HTML file: P&L curve, fills on\n"
           "      price charts, risk events and statistics (report --help).\n"
           "  keygen [--out PATH] [--force]\n"
           "      Generate a CURVE key pair: PATH.key, the secret key (mode 0600), and PATH.pub,\n"
           "      and print the public key (keygen --help).\n"
           "  serve --config FILE\n"
           "      Serve the engine to remote terminals over CURVE-encrypted ZeroMQ\n"
           "      (serve --help).\n"
           "  follow --nats URLS --stream NAME --out FILE [--idle-ms N] [--json]\n"
           "      Build read models from a journal replicated to NATS JetStream\n"
           "      (follow --help).\n"
           "  feed --from FILE --bind ENDPOINT [--speed X|max] [--drop-every N] [OPTIONS]\n"
           "      Publish a recorded day as a live remote feed over ZeroMQ (feed --help).\n"
           "  listen --connect ENDPOINT [--idle-ms N] [--json]\n"
           "      Subscribe to a remote feed, rebuild its books and report (listen --help).\n"
           "\n"
           "options:\n"
           "  -h, --help  print this help, or a command's own after its name, and exit\n"
           "  --version   print the version and exit; also after a command's name\n"
           "\n"
           "exit status:\n"
           "  0   success\n"
           "  1   a check failed: mismatches, a damaged journal, unmet expectations\n"
           "  2   usage error: an unknown command or option, a missing or invalid value\n"
           "  3   input error: a file is missing, malformed or locked, or cannot be written\n"
           "  4   serve, feed: an endpoint cannot be bound\n"
           "  5   serve: the journal cannot be opened, recovered or written\n"
           "  6   serve: the lease of the replicated stream was lost\n"
           "  7   serve: the replicated stream belongs to another journal or writer\n"
           "  70  internal failure: an unexpected error, reported on standard error\n";
}

bool isHelpOption(const std::string &argument)
{
    return argument == "--help" || argument == "-h";
}

// Whether `--version` at `index` requests the version. After an option that takes a value it is
// that value, such as `replay --lobster --version`, which the command then rejects as a file.
bool asksForVersion(const std::vector<std::string> &arguments, std::size_t index)
{
    if (arguments[index] != "--version")
        return false;
    if (index == 0)
        return true;
    const std::string &previous = arguments[index - 1];
    const bool optionBefore = previous.rfind("--", 0) == 0;
    const bool flagBefore = previous == "--json" || previous == "--force" ||
                            previous == "--accounts" || previous == "--version" ||
                            isHelpOption(previous);
    return !optionBefore || flagBefore;
}

// Runs the command that arguments[0] names. --version is printed here for every command, and
// --help is left to the command, which prints its own options. A --help anywhere wins over
// --version, as with QCommandLineParser in the terminal.
int runCommand(std::vector<std::string> arguments)
{
    using namespace bourse::cli;
    if (arguments.empty()) {
        printUsage(std::cerr);
        return UsageError;
    }
    const bool help = std::any_of(arguments.begin(), arguments.end(), isHelpOption);
    bool version = false;
    for (std::size_t index = 0; index < arguments.size(); ++index)
        version = version || asksForVersion(arguments, index);
    if (help && (isHelpOption(arguments[0]) || arguments[0] == "--version")) {
        printUsage(std::cout);
        return Success;
    }
    if (!help && version) {
        std::cout << kVersionLine;
        return Success;
    }

    const std::string command = arguments[0];
    arguments.erase(arguments.begin());
    if (command == "replay")
        return runReplayCommand(arguments);
    if (command == "journal")
        return runJournalCommand(arguments);
    if (command == "run")
        return runScenarioCommand(arguments);
    if (command == "sim")
        return runSimCommand(arguments);
    if (command == "report")
        return runReportCommand(arguments);
    if (command == "keygen")
        return runKeygenCommand(arguments);
    if (command == "serve")
        return runServeCommand(arguments);
    if (command == "follow")
        return runFollowCommand(arguments);
    if (command == "feed")
        return runFeedCommand(arguments);
    if (command == "listen")
        return runListenCommand(arguments);

    const char *kind = command.starts_with('-') ? "option" : "command";
    std::cerr << "bourse-engine: unknown " << kind << " '" << command << "'\n";
    printUsage(std::cerr);
    return UsageError;
}

// Flushes standard output and reports a failed write, such as to a full disk, which would
// otherwise go unnoticed after the command returned Success. A command that failed has
// reported its own error, so its status is returned unchanged.
int checkStandardOutput(int status)
{
    std::cout.flush();
    const bool failed = !std::cout || std::fflush(stdout) != 0 || std::ferror(stdout);
    if (!failed || status != bourse::cli::Success)
        return status;
    std::cerr << "bourse-engine: cannot write to standard output\n";
    return bourse::cli::InputError;
}

} // namespace

int main(int argc, char **argv)
{
    const int status = bourse::cli::runReportingExceptions(
        [argc, argv] { return runCommand(std::vector<std::string>(argv + 1, argv + argc)); },
        std::cerr);
    return checkStandardOutput(status);
}

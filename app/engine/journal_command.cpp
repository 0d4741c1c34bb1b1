// bourse-engine journal: rebuild an engine from a journal, or check a journal's integrity.

#include "commands.h"
#include "journal_recover.h"
#include "journal_tools.h"
#include "output.h"

#include "engine.h"
#include "journal.h"
#include "journal_check.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace bourse::cli {

namespace {

enum class JournalAction : std::uint8_t { Replay, Verify, Recover, Rebuild };

struct JournalArguments {
    JournalAction action = JournalAction::Replay;
    std::string path;
    bool json = false;
};

void printUsage(std::ostream &out)
{
    out << "usage: bourse-engine journal replay FILE [--json]\n"
           "       bourse-engine journal verify FILE\n"
           "       bourse-engine journal recover FILE\n"
           "       bourse-engine journal rebuild FILE\n"
           "       bourse-engine journal records FILE\n"
           "       bourse-engine journal inspect FILE [options]  (see inspect --help)\n"
           "       bourse-engine journal export FILE --format csv|json [options]\n"
           "Exit status: 0 success, 1 damage found, 2 usage error, 3 missing, malformed or\n"
           "locked file.\n";
}

std::optional<JournalArguments> parseArguments(const std::vector<std::string> &arguments)
{
    if (arguments.empty()) {
        std::cerr << "bourse-engine journal: missing action 'replay', 'verify', 'recover', "
                     "'rebuild', 'records', 'inspect' or 'export'\n";
        return std::nullopt;
    }

    JournalArguments parsed;
    const std::string &action = arguments[0];
    if (action == "replay") {
        parsed.action = JournalAction::Replay;
    } else if (action == "verify") {
        parsed.action = JournalAction::Verify;
    } else if (action == "recover") {
        parsed.action = JournalAction::Recover;
    } else if (action == "rebuild") {
        parsed.action = JournalAction::Rebuild;
    } else {
        std::cerr << "bourse-engine journal: unknown action '" << action << "'\n";
        return std::nullopt;
    }

    for (std::size_t i = 1; i < arguments.size(); ++i) {
        const std::string &argument = arguments[i];
        if (argument == "--json" && parsed.action == JournalAction::Replay) {
            parsed.json = true;
        } else if (argument.starts_with("--")) {
            std::cerr << "bourse-engine journal " << action << ": unknown option '" << argument
                      << "'\n";
            return std::nullopt;
        } else if (parsed.path.empty()) {
            parsed.path = argument;
        } else {
            std::cerr << "bourse-engine journal " << action << ": more than one FILE given\n";
            return std::nullopt;
        }
    }
    if (parsed.path.empty()) {
        std::cerr << "bourse-engine journal " << action << ": FILE is required\n";
        return std::nullopt;
    }
    return parsed;
}

bool isInputError(storage::JournalErrorKind kind)
{
    return kind == storage::JournalErrorKind::OpenFailed ||
           kind == storage::JournalErrorKind::NotAJournal ||
           kind == storage::JournalErrorKind::UnsupportedFormat;
}

// States which events are intact after the reader stopped at `error`, having returned events 1
// to `intact`. The reader withholds an event until the row after it confirms its hash, so when
// the check of sequence S fails, event S - 1 has passed its own checks but is not confirmed.
std::string describeIntactEvents(const storage::JournalError &error, SequenceNumber intact)
{
    const SequenceNumber failedAt = error.sequence;
    std::vector<std::string> parts;
    if (intact > 0) {
        parts.push_back("events 1 to " + std::to_string(intact) + " are intact");
    } else if (failedAt <= 1) {
        parts.emplace_back("no event is intact");
    }
    if (failedAt == intact + 2) {
        parts.push_back("event " + std::to_string(intact + 1) + " could not be confirmed");
    }
    if (failedAt > intact) {
        const char *found = error.kind == storage::JournalErrorKind::SqliteFailed
                                ? "reading failed at sequence "
                                : "the damage was found at sequence ";
        parts.push_back(found + std::to_string(failedAt));
    } else if (error.kind == storage::JournalErrorKind::TailMismatch) {
        // The events continue past the last one the metadata records.
        parts.emplace_back("the metadata records an earlier last event");
    }

    std::string text;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) {
            text += i + 1 == parts.size() ? ", and " : ", ";
        }
        text += parts[i];
    }
    return text;
}

// A journal that cannot be opened is an input problem, and one that opens but fails its checks is
// damaged. An error at open, with no sequence number, concerns the whole file.
int reportReaderError(const char *action, const storage::JournalError &error,
                      SequenceNumber intactEvents)
{
    std::cerr << "bourse-engine journal " << action << ": " << error.toString() << "\n";
    if (isInputError(error.kind)) {
        return InputError;
    }
    if (error.sequence != 0) {
        std::cerr << "bourse-engine journal " << action << ": "
                  << describeIntactEvents(error, intactEvents) << "\n";
    }
    return CheckFailed;
}

struct ReplayResult {
    std::uint64_t events = 0;
    std::uint64_t lastSequence = 0;
    std::uint64_t trades = 0;
    std::uint64_t stateHash = 0;
    double elapsedMs = 0;
};

void printReplay(const ReplayResult &result, bool json)
{
    if (json) {
        std::printf("{\"events\":%" PRIu64 ",\"last_sequence\":%" PRIu64 ",\"trades\":%" PRIu64
                    ",\"elapsed_ms\":%.3f,\"state_hash\":\"%s\"}\n",
                    result.events, result.lastSequence, result.trades, result.elapsedMs,
                    hex(result.stateHash).c_str());
        return;
    }
    std::printf("events: %" PRIu64 "\n", result.events);
    std::printf("last sequence: %" PRIu64 "\n", result.lastSequence);
    std::printf("trades: %" PRIu64 "\n", result.trades);
    std::printf("elapsed: %.1f ms\n", result.elapsedMs);
    std::printf("state hash: %s\n", hex(result.stateHash).c_str());
}

// Feeds every event of the journal to a fresh engine, which rebuilds the instruments the
// journal defines, or the one instrument its first event names.
int replayJournal(const JournalArguments &arguments)
{
    const auto started = std::chrono::steady_clock::now();
    storage::JournalReader::Opened opened = storage::JournalReader::open(arguments.path);
    if (!opened.reader) {
        return reportReaderError("replay", *opened.error, 0);
    }
    storage::JournalReader &reader = *opened.reader;

    std::optional<Engine> engine;
    ReplayResult result;
    while (std::optional<Event> event = reader.next()) {
        // A journal that defines its instruments starts with an InstrumentAdded; a journal
        // of one book names that book's instrument in its first event.
        if (!engine && std::holds_alternative<InstrumentAdded>(event->payload)) {
            engine.emplace();
        } else if (!engine) {
            engine.emplace(event->instrument);
        }
        if (const RestoreResult restored = engine->restore(*event);
            restored != RestoreResult::Restored) {
            std::cerr << "bourse-engine journal replay: " << arguments.path << ": sequence "
                      << event->sequence << ": cannot restore this "
                      << nameOf(typeOf(event->payload)) << " event: " << nameOf(restored) << "\n";
            return CheckFailed;
        }
        ++result.events;
    }
    if (reader.error()) {
        return reportReaderError("replay", *reader.error(), reader.lastSequence());
    }
    if (!engine) {
        engine.emplace();
    }

    result.lastSequence = engine->lastSequence();
    result.trades = engine->tradeCount();
    result.stateHash = engine->stateHash();
    result.elapsedMs =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    printReplay(result, arguments.json);
    return Success;
}

int verifyJournal(const JournalArguments &arguments)
{
    const storage::JournalVerification check = storage::verifyJournal(arguments.path);
    if (check.error && !check.damagedSnapshot && !check.damagedRecord) {
        return reportReaderError("verify", *check.error, check.lastSequence);
    }
    if (check.error) {
        std::cerr << "bourse-engine journal verify: " << check.error->toString() << "\n";
        return CheckFailed;
    }
    // The chain hash line identifies the journal's content up to its last event. Saved, it
    // detects events removed from the end together with a matching edit of the metadata, which
    // the checks alone cannot see.
    std::printf("events: %" PRIu64 "\n", check.events);
    std::printf("last sequence: %" PRIu64 "\n", check.lastSequence);
    std::printf("chain hash: %s at sequence %" PRIu64 "\n", hex(check.lastHash).c_str(),
                check.lastSequence);
    std::printf("journal ok\n");
    return Success;
}

} // namespace

int runJournalCommand(const std::vector<std::string> &arguments)
{
    if (!arguments.empty() && arguments[0] == "records") {
        return runJournalRecordsCommand({arguments.begin() + 1, arguments.end()});
    }
    if (!arguments.empty() && (arguments[0] == "inspect" || arguments[0] == "export")) {
        const std::vector<std::string> rest(arguments.begin() + 1, arguments.end());
        return arguments[0] == "inspect" ? runJournalInspectCommand(rest)
                                         : runJournalExportCommand(rest);
    }
    for (const std::string &argument : arguments) {
        if (argument == "--help" || argument == "-h") {
            printUsage(std::cout);
            return Success;
        }
    }
    const std::optional<JournalArguments> parsed = parseArguments(arguments);
    if (!parsed) {
        printUsage(std::cerr);
        return UsageError;
    }
    switch (parsed->action) {
    case JournalAction::Replay:
        return replayJournal(*parsed);
    case JournalAction::Verify:
        return verifyJournal(*parsed);
    case JournalAction::Recover:
        return recoverJournal(parsed->path);
    case JournalAction::Rebuild:
        return rebuildJournal(parsed->path);
    }
    return UsageError;
}

} // namespace bourse::cli

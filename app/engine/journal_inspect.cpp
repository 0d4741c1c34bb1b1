// bourse-engine journal inspect: the events of a journal as readable lines or JSON objects.

#include "journal_tools.h"

#include "commands.h"

#include <cstdio>
#include <cstring>
#include <iostream>
#include <unistd.h>

namespace bourse::cli {

using namespace journal_tools;

namespace {

constexpr const char *kSynopsis =
    "usage: bourse-engine journal inspect FILE [--from SEQ] [--to SEQ]\n"
    "           [--type TYPE[,TYPE...]] [--instrument ID] [--order ID] [--limit N] [--json]\n";

std::string usageText()
{
    return std::string(kSynopsis) +
           "\n"
           "Prints the events of a journal in sequence order, one line each in the wording of\n"
           "`bourse-engine run`. A header line first gives the file, the events the journal\n"
           "records (first and last sequence), how far the hash chain was verified and how many\n"
           "events are shown. Each event is checked before it is printed, and reading stops at\n"
           "the first damaged row: the events before it are printed, and the error, naming the\n"
           "sequence, goes to standard error. The text output reads the journal twice, once to\n"
           "verify and count for the header and once to print.\n"
           "  --from SEQ       show events from this sequence number on (default 1)\n"
           "  --to SEQ         show events up to this sequence number; reading stops there\n"
           "  --type TYPES     show only these event types, separated by commas, in any case:\n" +
           wrapList(eventTypeNames(), 19) +
           "  --instrument ID  show only the events of this instrument id\n"
           "  --order ID       show only the events of this order id: its own events and the\n"
           "                   trades where it is the maker or the taker\n"
           "  --limit N        show at most N events; reading stops after the Nth\n"
           "  --json           print one JSON object per line instead, without a header, with\n"
           "                   the keys of `bourse-engine journal export --format json`\n"
           "Exit status: 0 success, 1 damage found (the events before it were printed), 2 usage\n"
           "error, 3 the file is missing or not a journal, or standard output cannot be written.\n";
}

// "journal FILE: 100 events recorded (sequence 1 to 100). Chain verified through sequence
// 100. Showing 12 events (sequence 5 to 40)."
std::string headerLine(const std::string &path, SequenceNumber recorded, const ReadSummary &scan)
{
    std::string line = "journal " + path + ": ";
    if (recorded == 0) {
        line += "no events recorded. ";
    } else {
        line += std::to_string(recorded) + " events recorded (sequence 1 to " +
                std::to_string(recorded) + "). ";
    }

    const std::string verified = std::to_string(scan.lastRead);
    if (scan.error && scan.error->sequence != 0) {
        const std::string damaged = "damaged at sequence " + std::to_string(scan.error->sequence);
        line += scan.lastRead == 0
                    ? "Chain " + damaged + ", no event verified. "
                    : "Chain verified through sequence " + verified + ", " + damaged + ". ";
    } else if (scan.error) {
        line += "Chain verified through sequence " + verified + ", then reading failed. ";
    } else if (scan.lastRead == 0) {
        line += "No event read. ";
    } else {
        line += "Chain verified through sequence " + verified + ". ";
    }

    line += "Showing " + std::to_string(scan.matched) + " events";
    if (scan.matched > 0) {
        line += " (sequence " + std::to_string(scan.firstMatched) + " to " +
                std::to_string(scan.lastMatched) + ")";
    }
    return line + ".\n";
}

// The line `bourse-engine run` prints for an event: sequence, time and the event text.
void appendTextLine(OutputBuffer &out, const Event &event, const EventNames &names)
{
    char sequence[32];
    std::snprintf(sequence, sizeof sequence, "%8llu ",
                  static_cast<unsigned long long>(event.sequence));
    out.append(sequence);
    out.append(formatTime(event.time));
    out.append(" ");
    out.append(formatEvent(event, names));
    out.append("\n");
}

int reportWriteFailure(const OutputBuffer &out)
{
    std::cerr << "bourse-engine journal inspect: cannot write to standard output: "
              << std::strerror(out.errorNumber()) << "\n";
    return InputError;
}

// Ends the command: output first, then the reader's error, if any, after it.
int finish(OutputBuffer &out, const std::optional<storage::JournalError> &error)
{
    if (!out.flush()) {
        return reportWriteFailure(out);
    }
    return error ? reportReaderError(ToolAction::Inspect, *error) : Success;
}

int inspectJson(const ToolArguments &arguments)
{
    storage::JournalReader::Opened opened = storage::JournalReader::open(arguments.path);
    if (!opened.reader) {
        return reportReaderError(ToolAction::Inspect, *opened.error);
    }

    OutputBuffer out(STDOUT_FILENO);
    KnownInstruments instruments;
    const auto printJson = [&](const Event &event) {
        appendJsonEvent(out, event, instruments.find(event.instrument));
        out.append("\n");
        return !out.failed();
    };
    const ReadSummary summary =
        readJournal(*opened.reader, arguments.filter, instruments, printJson);
    return finish(out, summary.error);
}

// The header needs the outcome of the whole read before the first event is printed, so a
// first pass verifies and counts, and a second prints the same events. The second pass stops
// where the first did, so events a writer appends in between are left out.
int inspectText(const ToolArguments &arguments)
{
    storage::JournalReader::Opened first = storage::JournalReader::open(arguments.path);
    if (!first.reader) {
        return reportReaderError(ToolAction::Inspect, *first.error);
    }
    KnownInstruments scannedInstruments;
    const ReadSummary scan = readJournal(*first.reader, arguments.filter, scannedInstruments,
                                         [](const Event &) { return true; });
    const SequenceNumber recorded = first.reader->recordedLastSequence();
    first.reader.reset();

    OutputBuffer out(STDOUT_FILENO);
    out.append(headerLine(arguments.path, recorded, scan));
    storage::JournalReader::Opened second = storage::JournalReader::open(arguments.path);
    if (!second.reader) {
        return finish(out, second.error);
    }

    KnownInstruments instruments;
    const auto printLine = [&](const Event &event) {
        appendTextLine(out, event, instruments.names());
        return !out.failed();
    };
    const ReadSummary printed =
        readJournal(*second.reader, arguments.filter, instruments, printLine, scan.lastRead);
    return finish(out, printed.error ? printed.error : scan.error);
}

} // namespace

int runJournalInspectCommand(const std::vector<std::string> &arguments)
{
    const std::optional<ToolArguments> parsed = parseToolArguments(ToolAction::Inspect, arguments);
    if (!parsed) {
        std::cerr << kSynopsis << "Run `bourse-engine journal inspect --help` for details.\n";
        return UsageError;
    }
    if (parsed->help) {
        std::cout << usageText();
        return Success;
    }
    return parsed->json ? inspectJson(*parsed) : inspectText(*parsed);
}

} // namespace bourse::cli

// bourse-engine report: the end-of-session report of a journal as one self-contained HTML file.

#include "commands.h"
#include "report_data.h"
#include "report_html.h"

#include "engine.h"
#include "journal.h"
#include "session.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

namespace bourse::cli {

namespace {

struct ReportArguments {
    std::string journal;
    std::string output;
    std::vector<AccountId> accounts; // empty: the terminal's trader accounts
    bool help = false;
};

constexpr const char *kSynopsis =
    "usage: bourse-engine report JOURNAL --output FILE.html [--account N ...]\n";

std::string defaultAccountsText()
{
    std::string text;
    for (const AccountId account : Session::traderAccounts())
        text += (text.empty() ? "" : ", ") + std::to_string(account.value());
    return text;
}

std::string usageText()
{
    return std::string(kSynopsis) +
           "\n"
           "Writes the end-of-session report of a journal as one HTML file that needs no network\n"
           "and no scripts, and prints on A4: the P&L curve of each account, its fills on a price\n"
           "chart of each instrument it traded, its risk rejections, alerts and kill switch\n"
           "changes, and statistics (fills, round trips, win rate, average holding time, largest\n"
           "drawdown, fees, realized and unrealized P&L). Every event is restored into an engine,\n"
           "so the figures are the engine's own, as the terminal shows them. docs/report.md\n"
           "defines each statistic.\n"
           "  --output FILE  the HTML file to write. The report goes to FILE.partial first and is\n"
           "                 renamed to FILE once complete, so a failed run leaves FILE as it\n"
           "                 was. An existing FILE is replaced.\n"
           "  --account N    report account N, a whole number from 1; repeat the option for more\n"
           "                 accounts. Without it, the terminal's trader accounts (" +
           defaultAccountsText() +
           ")\n"
           "Exit status: 0 success, 1 the journal is damaged or does not restore (nothing is\n"
           "written), 2 usage error, 3 the journal is missing or not a journal, or FILE cannot\n"
           "be written.\n";
}

int fail(const std::string &message, int status)
{
    std::cerr << "bourse-engine report: " << message << "\n";
    return status;
}

std::optional<AccountId> parseAccount(const std::string &text)
{
    std::uint32_t value = 0;
    const char *end = text.data() + text.size();
    const auto [stop, code] = std::from_chars(text.data(), end, value);
    if (text.empty() || code != std::errc{} || stop != end || value == 0)
        return std::nullopt;
    return AccountId{value};
}

// Parses the arguments after "report". Returns nothing after printing what is wrong.
std::optional<ReportArguments> parseArguments(const std::vector<std::string> &arguments)
{
    ReportArguments parsed;
    for (std::size_t index = 0; index < arguments.size(); ++index) {
        const std::string &argument = arguments[index];
        if (argument == "--help" || argument == "-h") {
            parsed.help = true;
            return parsed;
        }
        const bool takesValue = argument == "--output" || argument == "--account";
        if (takesValue && index + 1 == arguments.size()) {
            fail("missing value after " + argument, UsageError);
            return std::nullopt;
        }
        if (argument == "--output") {
            parsed.output = arguments[++index];
        } else if (argument == "--account") {
            const std::optional<AccountId> account = parseAccount(arguments[++index]);
            if (!account) {
                fail("invalid account '" + arguments[index] + "': give a whole number from 1",
                     UsageError);
                return std::nullopt;
            }
            if (std::find(parsed.accounts.begin(), parsed.accounts.end(), *account) ==
                parsed.accounts.end())
                parsed.accounts.push_back(*account);
        } else if (argument.starts_with("-") && argument != "-") {
            fail("unknown option '" + argument + "'", UsageError);
            return std::nullopt;
        } else if (parsed.journal.empty()) {
            parsed.journal = argument;
        } else {
            fail("more than one JOURNAL given: '" + parsed.journal + "' and '" + argument + "'",
                 UsageError);
            return std::nullopt;
        }
    }
    if (parsed.journal.empty() || parsed.output.empty()) {
        fail(parsed.journal.empty() ? "JOURNAL is required" : "--output FILE is required",
             UsageError);
        return std::nullopt;
    }
    return parsed;
}

// Rejects an output path that is a directory, the journal or one of its -wal and -shm files,
// or an existing file that is not a regular file. Returns an empty string when it may be written.
std::string checkOutputPath(const ReportArguments &arguments)
{
    namespace fs = std::filesystem;
    std::error_code error;
    const fs::file_status status = fs::symlink_status(arguments.output, error);
    if (!fs::exists(status))
        return {};
    if (fs::is_directory(fs::status(arguments.output, error)))
        return "--output " + arguments.output + " is a directory; give a file path";
    for (const char *suffix : {"", "-wal", "-shm"}) {
        if (fs::equivalent(arguments.output, arguments.journal + suffix, error))
            return "--output " + arguments.output + " is the journal's own file " +
                   arguments.journal + suffix + "; give another path";
    }
    // The report is renamed over the path, which would replace a link, a pipe or a device.
    if (!fs::is_regular_file(status))
        return "--output " + arguments.output +
               " exists and is not a regular file; give a new path or a regular file";
    return {};
}

// A journal that cannot be opened is an input problem, and one that opens but fails its checks
// is damaged, as `bourse-engine journal` reports them.
int reportReaderError(const storage::JournalError &error)
{
    const bool unreadable = error.kind == storage::JournalErrorKind::OpenFailed ||
                            error.kind == storage::JournalErrorKind::NotAJournal ||
                            error.kind == storage::JournalErrorKind::UnsupportedFormat;
    return fail(error.toString() + (unreadable ? "" : "; no report was written"),
                unreadable ? InputError : CheckFailed);
}

// The report of the whole journal, or the exit status after printing why there is none.
struct Collected {
    std::optional<report::SessionReport> report;
    int status = Success;
};

Collected collectReport(const ReportArguments &arguments)
{
    storage::JournalReader::Opened opened = storage::JournalReader::open(arguments.journal);
    if (!opened.reader)
        return {std::nullopt, reportReaderError(*opened.error)};
    storage::JournalReader &reader = *opened.reader;

    std::vector<AccountId> accounts = arguments.accounts;
    if (accounts.empty())
        accounts = Session::traderAccounts();
    report::ReportCollector collector(arguments.journal, accounts);
    std::optional<Engine> engine;
    while (const std::optional<Event> event = reader.next()) {
        // A journal that defines its instruments starts with an InstrumentAdded; a journal of
        // one replayed book names that book's instrument in its first event.
        if (!engine && std::holds_alternative<InstrumentAdded>(event->payload))
            engine.emplace();
        else if (!engine)
            engine.emplace(event->instrument);
        if (const RestoreResult restored = engine->restore(*event);
            restored != RestoreResult::Restored) {
            const std::string message =
                arguments.journal + ": sequence " + std::to_string(event->sequence) +
                ": cannot restore this " + std::string(nameOf(typeOf(event->payload))) +
                " event: " + std::string(nameOf(restored)) + "; no report was written";
            return {std::nullopt, fail(message, CheckFailed)};
        }
        collector.observe(*event, *engine);
    }
    if (reader.error())
        return {std::nullopt, reportReaderError(*reader.error())};
    if (!engine)
        engine.emplace();

    report::SessionReport report = collector.finish(*engine);
    if (!collector.error().empty())
        return {std::nullopt,
                fail(arguments.journal + ": " + collector.error() + "; no report was written",
                     CheckFailed)};
    return {std::move(report), Success};
}

// Writes `content` to path + ".partial", syncs it and renames it to `path`. Returns an empty
// string, or the reason after removing the partial file.
// NOTE: a signal that ends the process during the write leaves path + ".partial" behind, never
// a partial file at `path`. The window is the time to write one report of a few hundred KB.
std::string writeAtomically(const std::string &path, const std::string &content)
{
    const std::string partial = path + ".partial";
    const int descriptor =
        ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (descriptor < 0)
        return "cannot create " + partial + ": " + std::strerror(errno);

    std::size_t written = 0;
    while (written < content.size()) {
        const ssize_t result =
            ::write(descriptor, content.data() + written, content.size() - written);
        if (result < 0 && errno == EINTR)
            continue;
        if (result < 0)
            break;
        written += static_cast<std::size_t>(result);
    }
    const int writeError = errno;
    const bool complete = written == content.size();
    const bool synced = complete && ::fsync(descriptor) == 0;
    const int syncError = errno;
    const bool closed = ::close(descriptor) == 0;
    if (!complete || !synced || !closed) {
        const int reason = !complete ? writeError : (!synced ? syncError : errno);
        ::unlink(partial.c_str());
        return "cannot write " + partial + ": " + std::strerror(reason);
    }
    if (::rename(partial.c_str(), path.c_str()) != 0) {
        const int reason = errno;
        ::unlink(partial.c_str());
        return "cannot rename " + partial + " to " + path + ": " + std::strerror(reason);
    }
    return {};
}

int writeReport(const ReportArguments &arguments)
{
    if (const std::string problem = checkOutputPath(arguments); !problem.empty())
        return fail(problem, UsageError);

    const Collected collected = collectReport(arguments);
    if (!collected.report)
        return collected.status;
    const report::SessionReport &report = *collected.report;

    const std::string html = report::renderReportHtml(report);
    if (const std::string problem = writeAtomically(arguments.output, html); !problem.empty())
        return fail(problem, InputError);
    std::cout << "wrote the report of " << report.events << " events to " << arguments.output
              << (report.hasTraderActivity() ? "" : " (no trader activity)") << "\n";
    return Success;
}

} // namespace

int runReportCommand(const std::vector<std::string> &arguments)
{
    const std::optional<ReportArguments> parsed = parseArguments(arguments);
    if (!parsed) {
        std::cerr << kSynopsis << "Run `bourse-engine report --help` for details.\n";
        return UsageError;
    }
    if (parsed->help) {
        std::cout << usageText();
        return Success;
    }
    return writeReport(*parsed);
}

} // namespace bourse::cli

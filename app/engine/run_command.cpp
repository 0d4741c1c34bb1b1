// bourse-engine run: a scenario file through a fresh engine, its expectations checked, its
// events journaled on request.

#include "commands.h"
#include "output.h"
#include "scenario_journal.h"

#include "scenario.h"

#include <charconv>
#include <iostream>
#include <optional>

namespace bourse::cli {

namespace {

struct RunArguments {
    std::string path;
    std::string journal;
    std::optional<std::uint64_t> snapshotEvery;
    bool json = false;
    bool help = false;
};

constexpr const char *kUsage =
    "usage: bourse-engine run FILE [--json] [--journal JOURNAL [--snapshot-every N]]\n"
    "\n"
    "Runs a scenario file (docs/scenarios.md describes the language) on a fresh engine and\n"
    "prints every event: one line per event, or with --json one JSON object per line. Failed\n"
    "expectations and errors in the file go to standard error as FILE:LINE:COLUMN: error: ...\n"
    "  --json              print each event as one JSON object; every decimal is a JSON string\n"
    "  --journal JOURNAL   journal every event into JOURNAL, a new file or a journal without\n"
    "                      events, and print the events of a command only once they are\n"
    "                      committed; `restart from snapshot` rebuilds the engine from the\n"
    "                      journal. The state hash is printed at the end, to standard error\n"
    "                      with --json, for comparison with `journal replay JOURNAL`\n"
    "  --snapshot-every N  with --journal, store an engine snapshot every N events and at\n"
    "                      the end (default 1000000)\n"
    "Exit status: 0 every expectation met, 1 an expectation failed or the journal failed,\n"
    "2 usage error or a JOURNAL that contains events, 3 missing or malformed file or damaged\n"
    "JOURNAL (nothing runs).\n";

std::optional<std::uint64_t> parseCount(const std::string &text)
{
    std::uint64_t value = 0;
    const char *end = text.data() + text.size();
    const auto [stop, code] = std::from_chars(text.data(), end, value);
    if (code != std::errc{} || stop != end || value == 0)
        return std::nullopt;
    return value;
}

// Takes the value of an option that has one; false after reporting a missing or invalid value.
bool parseOptionValue(const std::vector<std::string> &arguments, std::size_t &i,
                      RunArguments &parsed)
{
    const std::string &option = arguments[i];
    if (i + 1 == arguments.size()) {
        std::cerr << "bourse-engine run: missing value after " << option << "\n";
        return false;
    }
    const std::string &value = arguments[++i];
    if (option == "--journal") {
        parsed.journal = value;
        return true;
    }
    parsed.snapshotEvery = parseCount(value);
    if (!parsed.snapshotEvery) {
        std::cerr << "bourse-engine run: invalid --snapshot-every '" << value
                  << "'; expected a positive whole number of events\n";
        return false;
    }
    return true;
}

std::optional<RunArguments> parseArguments(const std::vector<std::string> &arguments)
{
    RunArguments parsed;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string &argument = arguments[i];
        if (argument == "--json") {
            parsed.json = true;
        } else if (argument == "--help" || argument == "-h") {
            parsed.help = true;
        } else if (argument == "--journal" || argument == "--snapshot-every") {
            if (!parseOptionValue(arguments, i, parsed))
                return std::nullopt;
        } else if (argument.rfind("--", 0) == 0) {
            std::cerr << "bourse-engine run: unknown option '" << argument << "'\n";
            return std::nullopt;
        } else if (!parsed.path.empty()) {
            std::cerr << "bourse-engine run: more than one file: '" << parsed.path << "' and '"
                      << argument << "'\n";
            return std::nullopt;
        } else {
            parsed.path = argument;
        }
    }
    if (parsed.help)
        return parsed;
    if (parsed.path.empty()) {
        std::cerr << "bourse-engine run: missing scenario FILE\n";
        return std::nullopt;
    }
    if (parsed.snapshotEvery && parsed.journal.empty()) {
        std::cerr << "bourse-engine run: --snapshot-every needs --journal JOURNAL\n";
        return std::nullopt;
    }
    return parsed;
}

int exitStatusOf(ScenarioJournal::OpenOutcome outcome)
{
    switch (outcome) {
    case ScenarioJournal::OpenOutcome::NotEmpty:
        return UsageError;
    case ScenarioJournal::OpenOutcome::Damaged:
        return InputError;
    case ScenarioJournal::OpenOutcome::Opened:
    case ScenarioJournal::OpenOutcome::Unwritable:
        break;
    }
    return CheckFailed;
}

} // namespace

int runScenarioCommand(const std::vector<std::string> &arguments)
{
    const auto parsed = parseArguments(arguments);
    if (!parsed) {
        std::cerr << kUsage;
        return UsageError;
    }
    if (parsed->help) {
        std::cout << kUsage;
        return Success;
    }

    const scenario::ParseResult result = scenario::loadScenario(parsed->path);
    if (!result.ok()) {
        for (const scenario::ParseError &error : result.errors)
            std::cerr << error.toString() << "\n";
        if (result.errors.size() >= scenario::kMaximumParseErrors)
            std::cerr << parsed->path << ": stopped after " << result.errors.size() << " errors\n";
        std::cerr << parsed->path << ": nothing was run\n";
        return InputError;
    }

    // The scenario is checked before the journal is opened, so a malformed file creates none.
    std::unique_ptr<ScenarioJournal> journal;
    if (!parsed->journal.empty()) {
        ScenarioJournal::Opened opened = ScenarioJournal::open(
            parsed->journal,
            parsed->snapshotEvery.value_or(app::JournaledRun::kDefaultSnapshotEvery));
        if (!opened.journal) {
            std::cerr << "bourse-engine run: " << opened.message << "\n"
                      << parsed->path << ": nothing was run\n";
            return exitStatusOf(opened.outcome);
        }
        journal = std::move(opened.journal);
    }

    scenario::RunOptions options;
    options.format = parsed->json ? scenario::OutputFormat::Json : scenario::OutputFormat::Text;
    options.journal = journal.get();
    const scenario::RunSummary summary =
        scenario::runScenario(result.scenario, options, std::cout, std::cerr);
    if (journal && summary.end == scenario::RunEnd::Completed) {
        std::ostream &out = parsed->json ? std::cerr : std::cout;
        out << "state hash: " << hex(summary.stateHash) << " at sequence " << summary.lastSequence
            << "\n";
    }
    return summary.passed() ? Success : CheckFailed;
}

} // namespace bourse::cli

// bourse-engine run: a scenario file through a fresh engine, its expectations checked.

#include "commands.h"

#include "scenario.h"

#include <iostream>
#include <optional>

namespace bourse::cli {

namespace {

struct RunArguments {
    std::string path;
    bool json = false;
    bool help = false;
};

constexpr const char *kUsage =
    "usage: bourse-engine run FILE [--json]\n"
    "\n"
    "Runs a scenario file (docs/scenarios.md describes the language) on a fresh engine and\n"
    "prints every event: one line per event, or with --json one JSON object per line. Failed\n"
    "expectations and errors in the file go to standard error as FILE:LINE:COLUMN: error: ...\n"
    "  --json  print each event as one JSON object; every decimal is a JSON string\n"
    "Exit status: 0 every expectation met, 1 an expectation failed, 2 usage error,\n"
    "3 missing or malformed file (nothing runs).\n";

std::optional<RunArguments> parseArguments(const std::vector<std::string> &arguments)
{
    RunArguments parsed;
    for (const std::string &argument : arguments) {
        if (argument == "--json") {
            parsed.json = true;
        } else if (argument == "--help" || argument == "-h") {
            parsed.help = true;
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
    if (!parsed.help && parsed.path.empty()) {
        std::cerr << "bourse-engine run: missing scenario FILE\n";
        return std::nullopt;
    }
    return parsed;
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

    scenario::RunOptions options;
    options.format = parsed->json ? scenario::OutputFormat::Json : scenario::OutputFormat::Text;
    const scenario::RunSummary summary =
        scenario::runScenario(result.scenario, options, std::cout, std::cerr);
    return summary.passed() ? Success : CheckFailed;
}

} // namespace bourse::cli

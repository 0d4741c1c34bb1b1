// The scenario parser: text to commands, with every number converted to integer units.

#include "scenario.h"
#include "scenario_parser.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace bourse::scenario {

std::string ParseError::toString() const
{
    std::string text = file;
    if (location.line > 0)
        text.append(":").append(std::to_string(location.line));
    if (location.column > 0)
        text.append(":").append(std::to_string(location.column));
    return text + ": error: " + message;
}

bool drivesEngine(const Action &action)
{
    return std::holds_alternative<AddInstrumentCommand>(action) ||
           std::holds_alternative<ConfigureAccountCommand>(action) ||
           std::holds_alternative<OpenAccountCommand>(action) ||
           std::holds_alternative<SubmitCommand>(action) ||
           std::holds_alternative<CancelCommand>(action) ||
           std::holds_alternative<ReplaceCommand>(action) ||
           std::holds_alternative<MassCancelCommand>(action) ||
           std::holds_alternative<StatusCommand>(action) ||
           std::holds_alternative<ClockCommand>(action) ||
           std::holds_alternative<RestartCommand>(action) ||
           std::holds_alternative<RiskLimitsCommand>(action) ||
           std::holds_alternative<KillSwitchCommand>(action);
}

ParseResult parseScenario(std::string_view text, const std::string &fileName)
{
    Parser parser(fileName);
    std::size_t lineNumber = 0;
    while (!text.empty() && parser.errorCount() < kMaximumParseErrors) {
        const std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        parser.parseLine(line, ++lineNumber);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    }
    return parser.finish();
}

namespace {

ParseResult fileError(const std::string &path, std::string message)
{
    ParseResult result;
    result.scenario.fileName = path;
    result.errors.push_back({path, {}, std::move(message)});
    return result;
}

} // namespace

ParseResult loadScenario(const std::string &path)
{
    // A directory opens as a stream on Linux and reads as empty, which would pass as a scenario
    // without commands.
    std::error_code error;
    if (std::filesystem::is_directory(path, error))
        return fileError(path, "is a directory, not a scenario file");

    std::ifstream file(path, std::ios::binary);
    if (!file)
        return fileError(path, "cannot open the file for reading");
    std::ostringstream content;
    content << file.rdbuf();
    return parseScenario(content.str(), path);
}

} // namespace bourse::scenario

#include "training_record.h"

#include <charconv>

namespace bourse::training {

namespace {

constexpr std::string_view kVersionLine = "training 1";

// Takes the next line off `body`, without its newline. Returns false when no newline is left.
bool takeLine(std::string_view &body, std::string_view &line)
{
    const std::size_t end = body.find('\n');
    if (end == std::string_view::npos)
        return false;
    line = body.substr(0, end);
    body.remove_prefix(end + 1);
    return true;
}

// Reads "NAME VALUE" into `value`; false when the line names another field.
bool takeField(std::string_view line, std::string_view name, std::string_view &value)
{
    if (line.size() <= name.size() || line.substr(0, name.size()) != name ||
        line[name.size()] != ' ')
        return false;
    value = line.substr(name.size() + 1);
    return true;
}

bool parseUnsigned(std::string_view text, std::uint64_t &value)
{
    const auto [end, problem] = std::from_chars(text.data(), text.data() + text.size(), value);
    return problem == std::errc{} && end == text.data() + text.size();
}

} // namespace

TrainingRecord recordOf(const TrainingScenario &scenario, std::uint64_t seed)
{
    return TrainingRecord{scenario.fileName, seed, scenario.text};
}

std::string encodeTrainingRecord(const TrainingRecord &record)
{
    std::string body(kVersionLine);
    body += "\nfile " + record.fileName + "\nseed " + std::to_string(record.seed) + "\ntext " +
            std::to_string(record.text.size()) + "\n";
    return body + record.text;
}

std::optional<TrainingRecord> decodeTrainingRecord(std::string_view body, std::string &error)
{
    std::string_view line;
    std::string_view file;
    std::string_view seed;
    std::string_view size;
    if (!takeLine(body, line) || line != kVersionLine) {
        error = "not a training record of version 1";
        return std::nullopt;
    }
    TrainingRecord record;
    std::uint64_t textSize = 0;
    if (!takeLine(body, line) || !takeField(line, "file", file) || !takeLine(body, line) ||
        !takeField(line, "seed", seed) || !parseUnsigned(seed, record.seed) ||
        !takeLine(body, line) || !takeField(line, "text", size) || !parseUnsigned(size, textSize)) {
        error = "the training record's file, seed or text line is missing or invalid";
        return std::nullopt;
    }
    if (textSize != body.size()) {
        error = "the training record's text is " + std::to_string(body.size()) +
                " bytes long, but its header says " + std::to_string(textSize);
        return std::nullopt;
    }
    record.fileName = std::string(file);
    record.text = std::string(body);
    return record;
}

TrainingParseResult parseRecordedScenario(const TrainingRecord &record)
{
    TrainingParseResult parsed = parseTrainingScenario(record.text, record.fileName);
    parsed.scenario.seed = record.seed;
    return parsed;
}

} // namespace bourse::training

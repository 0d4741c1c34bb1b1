// The parts bourse-engine journal inspect and export share: the command line, the event filter,
// instrument definitions, reader errors and buffered output.

#include "journal_tools.h"

#include "commands.h"

#include <cerrno>
#include <charconv>
#include <iostream>
#include <type_traits>
#include <unistd.h>
#include <utility>
#include <variant>

namespace bourse::cli::journal_tools {

namespace {

std::string lowerCase(std::string_view text)
{
    std::string lower(text);
    for (char &c : lower) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return lower;
}

std::string_view trimmed(std::string_view text)
{
    while (!text.empty() && text.front() == ' ') {
        text.remove_prefix(1);
    }
    while (!text.empty() && text.back() == ' ') {
        text.remove_suffix(1);
    }
    return text;
}

template <std::size_t... Index>
std::vector<EventType> eventTypesOf(std::index_sequence<Index...>)
{
    return {typeOf(EventPayload{std::in_place_index<Index>})...};
}

} // namespace

std::vector<std::string> eventTypeNames()
{
    std::vector<std::string> names;
    for (const EventType type : allEventTypes()) {
        names.emplace_back(nameOf(type));
    }
    return names;
}

std::string wrapList(const std::vector<std::string> &words, std::size_t indent)
{
    constexpr std::size_t kWidth = 88;
    const std::string margin(indent, ' ');
    std::string text;
    std::string line = margin;
    for (std::size_t index = 0; index < words.size(); ++index) {
        const std::string word = words[index] + (index + 1 < words.size() ? "," : "");
        if (line.size() > indent && line.size() + 1 + word.size() > kWidth) {
            text += line + "\n";
            line = margin;
        }
        line += (line.size() > indent ? " " : "") + word;
    }
    return text + line + "\n";
}

namespace {

// Parses command-line words one at a time, printing the first problem it finds.
class ArgumentParser {
public:
    ArgumentParser(ToolAction action, const std::vector<std::string> &arguments)
        : m_action(action)
        , m_arguments(arguments)
    {
    }

    std::optional<ToolArguments> parse();

private:
    bool parseOne(std::string_view argument);
    bool parseOption(std::string_view name, const std::optional<std::string> &inlineValue);
    std::optional<std::string> takeValue(std::string_view name,
                                         const std::optional<std::string> &inlineValue);
    template <typename Integer>
    bool parseInteger(std::string_view name, std::string_view text, Integer &value);
    bool parseTypes(std::string_view text);
    bool checkOnce(std::string_view name);
    bool checkComplete();
    bool fail(const std::string &message);

    ToolAction m_action;
    const std::vector<std::string> &m_arguments;
    std::size_t m_index = 0;
    std::vector<std::string> m_seen;
    ToolArguments m_parsed;
};

std::optional<ToolArguments> ArgumentParser::parse()
{
    while (m_index < m_arguments.size()) {
        if (!parseOne(m_arguments[m_index++])) {
            return std::nullopt;
        }
    }
    if (!checkComplete()) {
        return std::nullopt;
    }
    return std::move(m_parsed);
}

bool ArgumentParser::parseOne(std::string_view argument)
{
    if (argument == "--help" || argument == "-h") {
        m_parsed.help = true;
        return true;
    }
    if (!argument.starts_with("--")) {
        if (!m_parsed.path.empty()) {
            return fail("more than one FILE: '" + m_parsed.path + "' and '" +
                        std::string(argument) + "'");
        }
        m_parsed.path = argument;
        return !m_parsed.path.empty() || fail("FILE is empty");
    }

    // "--name=value" and "--name value" are the same.
    const std::size_t equals = argument.find('=');
    std::optional<std::string> inlineValue;
    if (equals != std::string_view::npos) {
        inlineValue = std::string(argument.substr(equals + 1));
        argument = argument.substr(0, equals);
    }
    return parseOption(argument, inlineValue);
}

bool ArgumentParser::parseOption(std::string_view name,
                                 const std::optional<std::string> &inlineValue)
{
    const bool inspect = m_action == ToolAction::Inspect;
    const bool takesValue = name == "--from" || name == "--to" || name == "--type" ||
                            name == "--instrument" || name == "--order" || name == "--limit" ||
                            (!inspect && (name == "--format" || name == "--output"));
    const bool isFlag = (inspect && name == "--json") || (!inspect && name == "--force");
    if (!takesValue && !isFlag) {
        return fail("unknown option '" + std::string(name) + "'");
    }
    if (isFlag) {
        if (inlineValue) {
            return fail("option '" + std::string(name) + "' takes no value");
        }
        (inspect ? m_parsed.json : m_parsed.force) = true;
        return true;
    }
    if (name != "--type" && !checkOnce(name)) {
        return false;
    }

    const std::optional<std::string> value = takeValue(name, inlineValue);
    if (!value) {
        return false;
    }
    EventFilter &filter = m_parsed.filter;
    if (name == "--from") {
        return parseInteger(name, *value, filter.from);
    }
    if (name == "--to") {
        return parseInteger(name, *value, filter.to);
    }
    if (name == "--limit") {
        return parseInteger(name, *value, filter.limit.emplace());
    }
    if (name == "--instrument") {
        std::uint32_t id = 0;
        const bool parsed = parseInteger(name, *value, id);
        filter.instrument = InstrumentId{id};
        return parsed;
    }
    if (name == "--order") {
        std::uint64_t id = 0;
        const bool parsed = parseInteger(name, *value, id);
        filter.order = OrderId{id};
        return parsed;
    }
    if (name == "--type") {
        return parseTypes(*value);
    }
    if (name == "--output") {
        m_parsed.output = *value;
        return !value->empty() || fail("--output names no file");
    }
    if (*value == "csv" || *value == "json") {
        m_parsed.format = *value == "csv" ? ExportFormat::Csv : ExportFormat::Json;
        return true;
    }
    return fail("invalid --format '" + *value + "': use csv or json");
}

std::optional<std::string> ArgumentParser::takeValue(std::string_view name,
                                                     const std::optional<std::string> &inlineValue)
{
    if (inlineValue) {
        return inlineValue;
    }
    if (m_index >= m_arguments.size()) {
        fail("option '" + std::string(name) + "' needs a value");
        return std::nullopt;
    }
    return m_arguments[m_index++];
}

template <typename Integer>
bool ArgumentParser::parseInteger(std::string_view name, std::string_view text, Integer &value)
{
    const char *end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (error == std::errc::result_out_of_range) {
        return fail("invalid " + std::string(name) + " '" + std::string(text) +
                    "': the number is too large (at most " +
                    std::to_string(std::numeric_limits<Integer>::max()) + ")");
    }
    if (text.empty() || error != std::errc() || stop != end) {
        return fail("invalid " + std::string(name) + " '" + std::string(text) +
                    "': expected a whole number of 0 or more");
    }
    return true;
}

// Adds the event types of a comma-separated list, matched without regard to case.
bool ArgumentParser::parseTypes(std::string_view text)
{
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        const std::string name = lowerCase(trimmed(text.substr(start, comma - start)));
        bool found = false;
        for (const EventType type : allEventTypes()) {
            if (lowerCase(nameOf(type)) == name) {
                m_parsed.filter.types.set(static_cast<std::size_t>(type));
                found = true;
            }
        }
        if (!found) {
            const std::string_view typeName = trimmed(text.substr(start, comma - start));
            std::string validNames = wrapList(eventTypeNames(), 2);
            validNames.pop_back();
            return fail("invalid event type '" + std::string(typeName) +
                        "' in --type; valid types, in any case:\n" + validNames);
        }
        start = comma + 1;
    }
    return true;
}

bool ArgumentParser::checkOnce(std::string_view name)
{
    for (const std::string &seen : m_seen) {
        if (seen == name) {
            return fail("option '" + std::string(name) + "' given more than once");
        }
    }
    m_seen.emplace_back(name);
    return true;
}

bool ArgumentParser::checkComplete()
{
    if (m_parsed.help) {
        return true;
    }
    if (m_parsed.path.empty()) {
        return fail("missing journal FILE");
    }
    const EventFilter &filter = m_parsed.filter;
    if (filter.from > filter.to) {
        return fail("--from " + std::to_string(filter.from) + " is after --to " +
                    std::to_string(filter.to));
    }
    if (m_action == ToolAction::Export && !m_parsed.format) {
        return fail("missing --format csv or --format json");
    }
    if (m_parsed.force && m_parsed.output.empty()) {
        return fail("--force needs --output PATH");
    }
    return true;
}

bool ArgumentParser::fail(const std::string &message)
{
    std::cerr << "bourse-engine journal " << actionName(m_action) << ": " << message << "\n";
    return false;
}

// The payloads that carry the id of the order they change.
template <typename Payload>
concept HasOrderId = requires(const Payload &payload)
{
    {
        payload.id
        } -> std::convertible_to<OrderId>;
};

bool concernsOrder(const EventPayload &payload, OrderId order)
{
    return std::visit(
        [order](const auto &event) {
            using Payload = std::remove_cvref_t<decltype(event)>;
            if constexpr (std::is_same_v<Payload, Trade>) {
                return event.maker == order || event.taker == order;
            } else if constexpr (HasOrderId<Payload>) {
                return event.id == order;
            } else {
                return false;
            }
        },
        payload);
}

} // namespace

bool EventFilter::matches(const Event &event) const
{
    if (event.sequence < from || event.sequence > to) {
        return false;
    }
    if (types.any() && !types.test(static_cast<std::size_t>(typeOf(event.payload)))) {
        return false;
    }
    if (instrument && event.instrument != *instrument) {
        return false;
    }
    return !order || concernsOrder(event.payload, *order);
}

std::optional<ToolArguments> parseToolArguments(ToolAction action,
                                                const std::vector<std::string> &arguments)
{
    return ArgumentParser(action, arguments).parse();
}

const std::vector<EventType> &allEventTypes()
{
    static const std::vector<EventType> types =
        eventTypesOf(std::make_index_sequence<std::variant_size_v<EventPayload>>());
    return types;
}

void KnownInstruments::observe(const Event &event)
{
    if (const auto *added = std::get_if<InstrumentAdded>(&event.payload)) {
        m_definitions[added->definition.id.value()] = added->definition;
        m_names.addInstrument(added->definition);
    } else if (const auto *opened = std::get_if<AccountOpened>(&event.payload)) {
        m_names.addAccount(opened->settings);
    }
}

const InstrumentDefinition *KnownInstruments::find(InstrumentId id) const
{
    const auto found = m_definitions.find(id.value());
    return found != m_definitions.end() ? &found->second : nullptr;
}

std::string_view actionName(ToolAction action)
{
    return action == ToolAction::Inspect ? "inspect" : "export";
}

int reportReaderError(ToolAction action, const storage::JournalError &error)
{
    std::cerr << "bourse-engine journal " << actionName(action) << ": " << error.toString() << "\n";
    const bool unreadableFile = error.kind == storage::JournalErrorKind::OpenFailed ||
                                error.kind == storage::JournalErrorKind::NotAJournal ||
                                error.kind == storage::JournalErrorKind::UnsupportedFormat;
    return unreadableFile ? InputError : CheckFailed;
}

OutputBuffer::OutputBuffer(int fileDescriptor)
    : m_fileDescriptor(fileDescriptor)
{
    m_buffer.reserve(kCapacity + 4096);
}

void OutputBuffer::appendNumber(std::int64_t value)
{
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof digits, value);
    append(std::string_view(digits, static_cast<std::size_t>(result.ptr - digits)));
}

void OutputBuffer::appendNumber(std::uint64_t value)
{
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof digits, value);
    append(std::string_view(digits, static_cast<std::size_t>(result.ptr - digits)));
}

bool OutputBuffer::flush()
{
    writeOut();
    return !failed();
}

void OutputBuffer::writeOut()
{
    std::size_t written = 0;
    while (!failed() && written < m_buffer.size()) {
        const ssize_t result =
            ::write(m_fileDescriptor, m_buffer.data() + written, m_buffer.size() - written);
        if (result < 0 && errno != EINTR) {
            m_errorNumber = errno;
        } else if (result > 0) {
            written += static_cast<std::size_t>(result);
        }
    }
    m_buffer.clear();
}

} // namespace bourse::cli::journal_tools

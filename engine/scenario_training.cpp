// The parser of training scenarios: the market line, instruments with their agents, and the
// events scheduled with `at`.

#include "scenario_training.h"

#include "money.h"
#include "scenario_parser.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

namespace bourse::training {

namespace {

using scenario::LineError;
using scenario::shown;
using scenario::Token;

constexpr std::int64_t kSecond = 1'000'000'000;
// Times of day are on 2024-01-02 UTC, the agent market's default day.
constexpr std::int64_t kMarketDay = 1'704'153'600 * kSecond;
// Longer gaps between random news would overflow the market's arithmetic (72 hours).
constexpr std::int64_t kLongestNewsGapMilliseconds = 72LL * 3'600'000;
constexpr int kMaximumDecimals = 9;
constexpr std::int64_t kDay = 24 * 3'600 * kSecond;
// Maximum length of a scenario and maximum duration of an event. A scenario starts before
// midnight, so its times run from 00:00:00 to 47:59:59, and 24:00:00 on is the next day.
constexpr std::int64_t kLongestDuration = kDay;
constexpr std::int64_t kLatestTimeOfDay = 2 * kDay;

// Thrown for a line whose only problem follows from an error reported on an earlier line, such
// as an event of an instrument whose line was invalid, so that the error is not repeated.
struct FollowOnError {};

std::int64_t powerOfTen(int exponent)
{
    std::int64_t value = 1;
    for (int i = 0; i < exponent; ++i)
        value *= 10;
    return value;
}

std::string durationText(std::int64_t nanoseconds)
{
    struct Unit {
        std::int64_t size;
        const char *name;
    };
    static constexpr Unit kUnits[] = {{3'600 * kSecond, "h"}, {60 * kSecond, "min"}, {kSecond, "s"},
                                      {1'000'000, "ms"},      {1'000, "us"},         {1, "ns"}};
    for (const Unit &unit : kUnits) {
        if (nanoseconds != 0 && nanoseconds % unit.size == 0)
            return std::to_string(nanoseconds / unit.size) + unit.name;
    }
    return "0s";
}

std::string signedText(std::int64_t value)
{
    return (value > 0 ? "+" : "") + std::to_string(value);
}

// Reads a training scenario line by line, keeping the market line and the instruments defined
// so far, so that every event names a known instrument and a time within the scenario.
class TrainingParser {
public:
    explicit TrainingParser(std::string fileName)
    {
        m_result.scenario.fileName = std::move(fileName);
        m_result.scenario.options.instruments.clear();
    }

    void parseLine(std::string_view line, std::size_t lineNumber);
    std::size_t errorCount() const { return m_result.errors.size(); }
    TrainingParseResult finish();

private:
    bool atEnd() const { return m_position >= m_tokens.size(); }
    const Token &peek() const { return m_tokens[m_position]; }
    const Token &take(std::string_view expected);
    [[noreturn]] void fail(const Token &token, std::string message) const
    {
        throw LineError{token.column, std::move(message)};
    }
    [[noreturn]] void failAtEnd(std::string message) const;
    void addError(std::size_t line, std::size_t column, std::string message);

    void parseCommand();
    void noteInvalidLine();
    void parseMarket();
    void parseInstrument();
    void setInstrumentOption(AgentInstrument &instrument, const Token &option);
    void setPrices(AgentInstrument &instrument, const Token &tick, const Token &price);
    void setLot(AgentInstrument &instrument, const Token &lot);
    void parseAt();
    void parseEvent(MarketEvent &event);

    std::int64_t whole(const Token &token, std::string_view name, std::int64_t minimum,
                       std::int64_t maximum) const;
    std::int64_t signedTicks(const Token &token, std::string_view name) const;
    std::int64_t duration(const Token &token, std::string_view name) const;
    DecimalValue decimal(const Token &token, std::string_view name) const;
    Timestamp time(const Token &token) const;
    std::size_t instrument(const Token &symbol) const;

    TrainingParseResult m_result;
    std::vector<Token> m_tokens;
    std::size_t m_position = 0;
    bool m_marketSeen = false;
    std::map<std::string, std::size_t, std::less<>> m_symbols;
    std::vector<std::size_t> m_symbolLines;
    // Symbols of instrument lines with an error, whose events are left out without an error of
    // their own. Instruments with an invalid event line, whose halts and reopenings are not
    // checked for alternation, because the invalid line may be the halt a reopening needs.
    std::set<std::string, std::less<>> m_invalidSymbols;
    std::set<std::size_t> m_uncheckedInstruments;
    // A market line with an error may have lost its start or length, which the times of the
    // events are checked against.
    bool m_marketInvalid = false;
};

const Token &TrainingParser::take(std::string_view expected)
{
    if (atEnd())
        failAtEnd("missing " + std::string(expected));
    return m_tokens[m_position++];
}

void TrainingParser::failAtEnd(std::string message) const
{
    const std::size_t column =
        m_tokens.empty() ? 1 : m_tokens.back().column + m_tokens.back().text.size() + 1;
    throw LineError{column, std::move(message)};
}

void TrainingParser::addError(std::size_t line, std::size_t column, std::string message)
{
    m_result.errors.push_back({m_result.scenario.fileName, {line, column}, std::move(message)});
}

void TrainingParser::parseLine(std::string_view line, std::size_t lineNumber)
{
    m_tokens = scenario::tokenize(line);
    m_position = 0;
    if (m_tokens.empty())
        return;
    try {
        parseCommand();
        if (!atEnd())
            fail(peek(), "unexpected '" + shown(peek().text) + "' after the end of the command");
    } catch (const LineError &error) {
        addError(lineNumber, error.column, error.message);
        noteInvalidLine();
    } catch (const FollowOnError &) {
        // Reported on the line it follows from, but the line is still left out.
        noteInvalidLine();
    }
    // An event's line is known only here, so parseAt leaves its place for it.
    if (m_result.scenario.eventLines.size() < m_result.scenario.options.schedule.size())
        m_result.scenario.eventLines.push_back(lineNumber);
    if (m_symbolLines.size() < m_result.scenario.options.instruments.size())
        m_symbolLines.push_back(lineNumber);
}

void TrainingParser::parseCommand()
{
    const Token &command = m_tokens[m_position++];
    if (command.text == "market") {
        if (m_marketSeen)
            fail(command, "a second market line: a training scenario has one");
        // Set first, so that an error in the line does not make every later line report a
        // missing market line.
        m_marketSeen = true;
        parseMarket();
        return;
    }
    if (command.text != "instrument" && command.text != "at")
        fail(command,
             "unknown command '" + shown(command.text) + "'; expected market, instrument or at");
    if (!m_marketSeen)
        fail(command, "the market line must come first: market seed N [start HH:MM:SS] ...");
    if (command.text == "instrument")
        parseInstrument();
    else
        parseAt();
}

// Remembers what later lines need to know of a line with an error: the symbol of an instrument
// line, and the instrument of an event line that may be a halt or a reopening. An invalid line
// of another known event kind cannot be, so the instrument's halts and reopenings are still
// checked.
void TrainingParser::noteInvalidLine()
{
    const std::string_view command = m_tokens.front().text;
    m_marketInvalid = m_marketInvalid || command == "market";
    if (command == "instrument" && m_tokens.size() > 1 && !m_symbols.contains(m_tokens[1].text))
        m_invalidSymbols.emplace(m_tokens[1].text);
    constexpr std::string_view kOtherKinds[] = {"news", "trend", "drought", "crash", "activity"};
    if (command == "at" && m_tokens.size() > 3 &&
        std::find(std::begin(kOtherKinds), std::end(kOtherKinds), m_tokens[2].text) ==
            std::end(kOtherKinds)) {
        if (const auto found = m_symbols.find(m_tokens[3].text); found != m_symbols.end())
            m_uncheckedInstruments.insert(found->second);
    }
}

void TrainingParser::parseMarket()
{
    TrainingScenario &scenario = m_result.scenario;
    while (!atEnd()) {
        const Token &option = take("option");
        if (option.text == "seed") {
            scenario.seed = static_cast<std::uint64_t>(
                whole(take("seed"), "seed", 1, std::numeric_limits<std::int64_t>::max()));
        } else if (option.text == "start") {
            const Token &start = take("start time");
            const std::optional<Timestamp> moment = scenario::parseTime(start.text);
            if (!moment)
                fail(start, "invalid start time '" + shown(start.text) +
                                "': expected HH:MM:SS[.fraction]");
            if (moment->value() >= kDay)
                fail(start, "start time " + std::string(start.text) +
                                " is out of range: a scenario starts before 24:00:00");
            scenario.options.startTime = Timestamp{kMarketDay + moment->value()};
        } else if (option.text == "length") {
            scenario.lengthNanoseconds = duration(take("length"), "length");
        } else if (option.text == "reversion") {
            scenario.options.reversionPerMillionPerTick =
                static_cast<std::uint32_t>(whole(take("reversion"), "reversion", 0, 400'000));
        } else if (option.text == "reaction") {
            scenario.options.makerReactionArrivals =
                static_cast<std::uint32_t>(whole(take("reaction"), "reaction", 0, 1'000'000));
        } else {
            fail(option, "unknown market option '" + shown(option.text) +
                             "'; expected seed, start, length, reversion or reaction");
        }
    }
}

void TrainingParser::parseInstrument()
{
    const Token &symbol = take("instrument symbol");
    if (!scenario::isName(symbol.text) || symbol.text.size() > 16)
        fail(symbol, "invalid symbol '" + shown(symbol.text) +
                         "': up to 16 letters, digits, '_', '-' or '.', starting with a letter "
                         "or '_'");
    if (m_symbols.contains(symbol.text))
        fail(symbol, "instrument " + std::string(symbol.text) + " is already defined on line " +
                         std::to_string(m_symbolLines[m_symbols.find(symbol.text)->second]));

    AgentInstrument instrument;
    instrument.symbol = std::string(symbol.text);
    const Token *tick = nullptr;
    const Token *price = nullptr;
    const Token *lot = nullptr;
    while (!atEnd()) {
        const Token &option = take("option");
        if (option.text == "tick")
            tick = &take("tick size");
        else if (option.text == "price")
            price = &take("start price");
        else if (option.text == "lot")
            lot = &take("lot size");
        else
            setInstrumentOption(instrument, option);
    }
    if (!tick || !price || !lot)
        failAtEnd(std::string("missing ") +
                  (!tick  ? "tick"
                   : !lot ? "lot"
                          : "price") +
                  ": an instrument line needs tick, lot and price");
    setPrices(instrument, *tick, *price);
    setLot(instrument, *lot);

    std::vector<AgentInstrument> &instruments = m_result.scenario.options.instruments;
    instrument.id = InstrumentId{static_cast<std::uint32_t>(instruments.size() + 1)};
    m_symbols.emplace(instrument.symbol, instruments.size());
    instruments.push_back(std::move(instrument));
}

void TrainingParser::setInstrumentOption(AgentInstrument &instrument, const Token &option)
{
    constexpr std::int64_t kLots = 1'000'000'000;
    const std::string_view word = option.text;
    if (word == "news") {
        const Token &value = take("news every DURATION, or news off");
        if (value.text == "off") {
            instrument.randomNews = false;
            return;
        }
        if (value.text != "every")
            fail(value, "expected 'every DURATION' or 'off' after news");
        const Token &gap = take("the mean gap between news");
        const std::int64_t nanoseconds = duration(gap, "news gap");
        if (nanoseconds < 1'000'000 || nanoseconds / 1'000'000 > kLongestNewsGapMilliseconds)
            fail(gap, "news gap '" + shown(gap.text) + "' is out of range: 1ms to 72h");
        instrument.newsMeanGapMilliseconds = nanoseconds / 1'000'000;
        return;
    }
    if (word == "jumps") {
        const Token &range = take("jump sizes MIN-MAX in ticks");
        const std::size_t dash = range.text.find('-');
        const auto low = parseWholeNumber(range.text.substr(0, dash));
        const auto high = dash == std::string_view::npos
                              ? std::nullopt
                              : parseWholeNumber(range.text.substr(dash + 1));
        if (!low || !high || *low < 1 || *high < *low || *high > 1'000'000)
            fail(range, "invalid jump sizes '" + shown(range.text) +
                            "': expected MIN-MAX in ticks, 1 <= MIN <= MAX <= 1000000, such as "
                            "5-20");
        instrument.jumpMinTicks = *low;
        instrument.jumpMaxTicks = *high;
        return;
    }

    struct Whole {
        const char *name;
        std::int64_t minimum;
        std::int64_t maximum;
    };
    const Token &value = take(std::string(word) + " value");
    const auto number = [&](Whole rule) {
        return whole(value, rule.name, rule.minimum, rule.maximum);
    };
    if (word == "arrivals")
        instrument.arrivalsPerSecond =
            static_cast<std::uint32_t>(number({"arrivals", 1, 1'000'000}));
    else if (word == "moves")
        instrument.moveProbabilityPerMillion =
            static_cast<std::uint32_t>(number({"moves", 0, 1'000'000}));
    else if (word == "makers")
        instrument.makerCount = static_cast<std::uint32_t>(number({"makers", 0, 64}));
    else if (word == "half-spread")
        instrument.makerHalfSpreadTicks = number({"half-spread", 0, 100'000});
    else if (word == "quote")
        instrument.makerQuoteLots = number({"quote", 1, kLots});
    else if (word == "inventory")
        instrument.makerInventoryLimitLots = number({"inventory", 1, kLots});
    else if (word == "noise")
        instrument.noiseMaxLots = number({"noise", 1, kLots});
    else if (word == "trader")
        instrument.traderLots = number({"trader", 1, kLots});
    else if (word == "trader-limit")
        instrument.traderLimitLots = number({"trader-limit", 1, kLots});
    else if (word == "multiplier")
        instrument.multiplier = number({"multiplier", 1, kLots});
    else
        fail(option, "unknown instrument option '" + shown(word) +
                         "'; expected tick, lot, price, arrivals, moves, makers, half-spread, "
                         "quote, inventory, noise, trader, trader-limit, multiplier, news or "
                         "jumps");
}

// The tick's decimals are the instrument's price decimals, and the start price must lie on a
// tick.
void TrainingParser::setPrices(AgentInstrument &instrument, const Token &tick, const Token &price)
{
    const DecimalValue tickValue = decimal(tick, "tick size");
    if (tickValue.units <= 0)
        fail(tick, "tick size '" + shown(tick.text) + "' must be positive");
    const int decimals = tickValue.decimalsWritten;
    const std::int64_t tickUnits = tickValue.units / powerOfTen(kMaximumDecimals - decimals);

    const DecimalValue priceValue = parseDecimal(price.text, decimals);
    if (priceValue.error == DecimalError::TooManyDecimals)
        fail(price, "start price '" + shown(price.text) + "' has more decimals than the tick " +
                        std::string(tick.text));
    if (priceValue.error != DecimalError::None || priceValue.units <= 0)
        fail(price,
             "invalid start price '" + shown(price.text) + "': expected a positive decimal number");
    if (priceValue.units % tickUnits != 0)
        fail(price, "start price '" + shown(price.text) + "' is not on the tick " +
                        std::string(tick.text));
    instrument.priceDecimals = static_cast<std::uint8_t>(decimals);
    instrument.tickSize = Price{tickUnits};
    instrument.startTicks = priceValue.units / tickUnits;
}

void TrainingParser::setLot(AgentInstrument &instrument, const Token &lot)
{
    const DecimalValue value = decimal(lot, "lot size");
    if (value.units <= 0)
        fail(lot, "lot size '" + shown(lot.text) + "' must be positive");
    const int decimals = value.decimalsWritten;
    instrument.quantityDecimals = static_cast<std::uint8_t>(decimals);
    instrument.lotSize = Quantity{value.units / powerOfTen(kMaximumDecimals - decimals)};
}

void TrainingParser::parseAt()
{
    const Token &when = take("time: HH:MM:SS, or +DURATION from the start");
    MarketEvent event;
    event.time = time(when);
    parseEvent(event);
    m_result.scenario.options.schedule.push_back(event);
}

void TrainingParser::parseEvent(MarketEvent &event)
{
    const Token &kind = take("event: news, trend, drought, crash, halt, reopen or activity");
    const Token &symbol = take("instrument symbol");
    event.instrument = instrument(symbol);
    const std::string_view word = kind.text;
    if (word == "news") {
        event.kind = MarketEventKind::News;
        event.ticks = signedTicks(take("jump in ticks, such as +20 or -20"), "news jump");
    } else if (word == "trend") {
        event.kind = MarketEventKind::Trend;
        event.ticks = signedTicks(take("trend in ticks, such as +200"), "trend");
        if (take("over DURATION").text != "over")
            fail(m_tokens[m_position - 1], "expected 'over DURATION' after the trend's ticks");
        event.durationNanoseconds = duration(take("trend duration"), "trend duration");
    } else if (word == "crash") {
        event.kind = MarketEventKind::Crash;
        event.ticks = whole(take("fall in ticks"), "crash fall", 1, 1'000'000);
        if (take("recover DURATION").text != "recover")
            fail(m_tokens[m_position - 1], "expected 'recover DURATION' after the fall");
        event.durationNanoseconds = duration(take("recovery duration"), "recovery duration");
    } else if (word == "drought") {
        event.kind = MarketEventKind::Drought;
        if (!atEnd() && peek().text == "off") {
            ++m_position;
            event.kind = MarketEventKind::DroughtEnd;
            return;
        }
        if (take("widen TICKS, or off").text != "widen")
            fail(m_tokens[m_position - 1], "expected 'widen TICKS' or 'off' after the symbol");
        event.widenTicks = whole(take("widening in ticks"), "widening", 0, 100'000);
        while (!atEnd()) {
            const Token &option = take("option");
            if (option.text == "size")
                event.percent =
                    static_cast<std::uint32_t>(whole(take("size in percent"), "size", 1, 100));
            else if (option.text == "for")
                event.durationNanoseconds = duration(take("drought duration"), "drought duration");
            else
                fail(option, "unknown drought option '" + shown(option.text) +
                                 "'; expected size PERCENT or for DURATION");
        }
    } else if (word == "halt") {
        event.kind = MarketEventKind::Halt;
    } else if (word == "reopen") {
        event.kind = MarketEventKind::Reopen;
    } else if (word == "activity") {
        event.kind = MarketEventKind::Activity;
        event.percent =
            static_cast<std::uint32_t>(whole(take("activity in percent"), "activity", 1, 10'000));
    } else {
        fail(kind, "unknown event '" + shown(word) +
                       "'; expected news, trend, drought, crash, halt, reopen or activity");
    }
}

std::int64_t TrainingParser::whole(const Token &token, std::string_view name, std::int64_t minimum,
                                   std::int64_t maximum) const
{
    const std::optional<std::int64_t> value = parseWholeNumber(token.text);
    if (!value || *value < minimum || *value > maximum)
        fail(token, "invalid " + std::string(name) + " '" + shown(token.text) +
                        "': expected a whole number from " + std::to_string(minimum) + " to " +
                        std::to_string(maximum));
    return *value;
}

// A nonzero number of ticks with its sign written out, so that the direction is never implied.
std::int64_t TrainingParser::signedTicks(const Token &token, std::string_view name) const
{
    const std::string_view text = token.text;
    const bool signedText = text.starts_with('+') || text.starts_with('-');
    const std::optional<std::int64_t> size =
        signedText ? parseWholeNumber(text.substr(1)) : std::nullopt;
    if (!size || *size < 1 || *size > 1'000'000)
        fail(token, "invalid " + std::string(name) + " '" + shown(text) +
                        "': expected ticks with a sign, from 1 to 1000000, such as +20 or -20");
    return text.front() == '-' ? -*size : *size;
}

std::int64_t TrainingParser::duration(const Token &token, std::string_view name) const
{
    const scenario::DurationValue value = scenario::parseDuration(token.text);
    if ((value.error != scenario::DurationError::None &&
         value.error != scenario::DurationError::OutOfRange) ||
        (value.error == scenario::DurationError::None && value.nanoseconds <= 0))
        fail(token, "invalid " + std::string(name) + " '" + shown(token.text) +
                        "': expected a positive number and a unit (h, min, s, ms), such as 90s");
    if (value.error == scenario::DurationError::OutOfRange || value.nanoseconds > kLongestDuration)
        fail(token,
             std::string(name) + " '" + shown(token.text) + "' is out of range: at most 24h");
    return value.nanoseconds;
}

DecimalValue TrainingParser::decimal(const Token &token, std::string_view name) const
{
    const DecimalValue value = parseDecimal(token.text, kMaximumDecimals);
    if (value.error != DecimalError::None)
        fail(token, "invalid " + std::string(name) + " '" + shown(token.text) +
                        "': expected a decimal number with up to 9 decimals, such as 0.01");
    return value;
}

// A time of day, or +DURATION from the market's start, within the scenario's length.
Timestamp TrainingParser::time(const Token &token) const
{
    const TrainingScenario &scenario = m_result.scenario;
    const std::int64_t start = scenario.options.startTime.value();
    std::int64_t moment = 0;
    if (token.text.starts_with('+')) {
        moment = start + duration(Token{token.text.substr(1), token.column}, "time");
    } else if (const std::optional<Timestamp> ofDay = scenario::parseTime(token.text)) {
        if (ofDay->value() >= kLatestTimeOfDay)
            fail(token, "time " + std::string(token.text) +
                            " is out of range: times run from 00:00:00 to 47:59:59, where "
                            "24:00:00 on is the day after the start");
        moment = kMarketDay + ofDay->value();
    } else {
        fail(token, "invalid time '" + shown(token.text) +
                        "': expected HH:MM:SS[.fraction], or +DURATION from the start, such as "
                        "+90s");
    }
    const bool outside = moment < start || (scenario.lengthNanoseconds != 0 &&
                                            moment > start + scenario.lengthNanoseconds);
    if (outside && m_marketInvalid)
        throw FollowOnError{};
    if (moment < start)
        fail(token, "time " + std::string(token.text) + " is before the market starts at " +
                        formatMarketTime(scenario.options.startTime));
    if (scenario.lengthNanoseconds != 0 && moment > start + scenario.lengthNanoseconds)
        fail(token, "time " + std::string(token.text) + " is after the scenario ends at " +
                        formatMarketTime(Timestamp{start + scenario.lengthNanoseconds}));
    return Timestamp{moment};
}

std::size_t TrainingParser::instrument(const Token &symbol) const
{
    const auto found = m_symbols.find(symbol.text);
    if (found == m_symbols.end() && m_invalidSymbols.contains(symbol.text))
        throw FollowOnError{};
    if (found == m_symbols.end())
        fail(symbol, "unknown instrument '" + shown(symbol.text) +
                         "': define it above with an instrument line");
    return found->second;
}

// Checks what needs the whole file: a market line, an instrument, and halts and reopenings that
// alternate on each instrument in time order.
TrainingParseResult TrainingParser::finish()
{
    TrainingScenario &scenario = m_result.scenario;
    if (!m_marketSeen)
        addError(0, 0, "no market line: a training scenario starts with market seed N ...");
    else if (scenario.options.instruments.empty() && m_invalidSymbols.empty())
        addError(0, 0, "no instrument: a training scenario needs at least one instrument line");

    const std::vector<MarketEvent> &events = scenario.options.schedule;
    std::vector<std::size_t> order(events.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return events[a].time < events[b].time; });
    std::vector<bool> halted(scenario.options.instruments.size(), false);
    for (const std::size_t index : order) {
        const MarketEvent &event = events[index];
        const bool halt = event.kind == MarketEventKind::Halt;
        if (!halt && event.kind != MarketEventKind::Reopen)
            continue;
        const std::string &symbol = scenario.options.instruments[event.instrument].symbol;
        if (m_uncheckedInstruments.contains(event.instrument))
            continue;
        if (halt == halted[event.instrument])
            addError(scenario.eventLines[index], 1,
                     halt ? symbol + " is already halted at this time"
                          : "reopen of " + symbol + ", which is not halted at this time");
        halted[event.instrument] = halt;
    }
    // Errors of lines come in line order, then those of the whole file.
    const auto place = [](const scenario::ParseError &error) {
        return error.location.line == 0 ? SIZE_MAX : error.location.line;
    };
    std::stable_sort(m_result.errors.begin(), m_result.errors.end(),
                     [&](const scenario::ParseError &a, const scenario::ParseError &b) {
                         return place(a) < place(b);
                     });
    return std::move(m_result);
}

TrainingParseResult fileError(const std::string &path, std::string message)
{
    TrainingParseResult result;
    result.scenario.fileName = path;
    result.errors.push_back({path, {}, std::move(message)});
    return result;
}

} // namespace

TrainingParseResult parseTrainingScenario(std::string_view text, const std::string &fileName)
{
    TrainingParser parser(fileName);
    const std::string whole(text);
    std::size_t lineNumber = 0;
    while (!text.empty() && parser.errorCount() < scenario::kMaximumParseErrors) {
        const std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        parser.parseLine(line, ++lineNumber);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    }
    TrainingParseResult result = parser.finish();
    result.scenario.text = whole;
    return result;
}

TrainingParseResult loadTrainingScenario(const std::string &path)
{
    std::error_code error;
    if (std::filesystem::is_directory(path, error))
        return fileError(path, "is a directory, not a training scenario file");
    if (!std::filesystem::exists(path, error))
        return fileError(path, "file not found. Check the path, or open one of the shipped "
                               "scenarios: resources/scenarios in the source tree, "
                               "/usr/share/bourse/scenarios from the package");
    std::ifstream file(path, std::ios::binary);
    if (!file)
        return fileError(path, "cannot open the file for reading");
    std::ostringstream content;
    content << file.rdbuf();
    return parseTrainingScenario(content.str(), path);
}

std::string describeMarketEvent(const MarketEvent &event, const AgentMarket::Options &options)
{
    const std::string symbol = event.instrument < options.instruments.size()
                                   ? options.instruments[event.instrument].symbol
                                   : "#" + std::to_string(event.instrument);
    switch (event.kind) {
    case MarketEventKind::News:
        return "news " + symbol + " " + signedText(event.ticks);
    case MarketEventKind::Trend:
        return "trend " + symbol + " " + signedText(event.ticks) + " over " +
               durationText(event.durationNanoseconds);
    case MarketEventKind::Drought: {
        std::string text = "drought " + symbol + " widen " + std::to_string(event.widenTicks);
        if (event.percent != 100)
            text += " size " + std::to_string(event.percent);
        if (event.durationNanoseconds != 0)
            text += " for " + durationText(event.durationNanoseconds);
        return text;
    }
    case MarketEventKind::DroughtEnd:
        // A timed drought's end has no line of its own, and ends only that drought.
        return event.drought == 0 ? "drought " + symbol + " off" : "drought " + symbol + " ends";
    case MarketEventKind::Crash:
        return "crash " + symbol + " " + std::to_string(event.ticks) + " recover " +
               durationText(event.durationNanoseconds);
    case MarketEventKind::Halt:
        return "halt " + symbol;
    case MarketEventKind::Reopen:
        return "reopen " + symbol;
    case MarketEventKind::Activity:
        return "activity " + symbol + " " + std::to_string(event.percent);
    }
    return symbol;
}

std::string formatMarketTime(Timestamp time)
{
    const std::int64_t sinceMidnight = time.value() - kMarketDay;
    const std::int64_t milliseconds = sinceMidnight / 1'000'000;
    char text[32];
    std::snprintf(text, sizeof text, "%02lld:%02lld:%02lld.%03lld",
                  static_cast<long long>(milliseconds / 3'600'000),
                  static_cast<long long>(milliseconds / 60'000 % 60),
                  static_cast<long long>(milliseconds / 1'000 % 60),
                  static_cast<long long>(milliseconds % 1'000));
    return text;
}

std::uint64_t runScenario(AgentMarket &market, const Engine &engine,
                          const TrainingScenario &scenario, SequenceNumber lastSequence)
{
    const std::int64_t end = scenario.lengthNanoseconds == 0
                                 ? std::numeric_limits<std::int64_t>::max()
                                 : scenario.options.startTime.value() + scenario.lengthNanoseconds;
    std::uint64_t steps = 0;
    while (engine.lastSequence() < lastSequence && market.time().value() < end && market.step())
        ++steps;
    return steps;
}

} // namespace bourse::training

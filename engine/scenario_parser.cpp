// The scenario parser: commands that drive the engine.

#include "scenario_parser.h"

#include <algorithm>
#include <cctype>
#include <limits>

namespace bourse::scenario {

namespace {

bool isSeparator(char c)
{
    return c == '@' || c == ',' || c == '[' || c == ']';
}

bool isSpace(char c)
{
    return c == ' ' || c == '\t';
}

constexpr std::string_view kCommands =
    "instrument, account, limits, kill, buy, sell, cancel, replace, pre-open, open, halt, close, "
    "at, advance, restart, expect, expectations, show";

constexpr std::string_view kOrderOptions =
    "@ PRICE, market, stop PRICE, gtc, day, gtd, ioc, fok, until TIME, post-only, display QTY, "
    "protection PRICE, account NAME, client-id N, stp MODE, as LABEL";

constexpr std::string_view kInstrumentOptions =
    "tick, lot, price-decimals, quantity-decimals, currency, multiplier, min, max, band, "
    "reference, status";

} // namespace

bool isName(std::string_view text)
{
    if (text.empty() || text.size() > 32)
        return false;
    const auto first = static_cast<unsigned char>(text.front());
    if (!std::isalpha(first) && first != '_')
        return false;
    return std::all_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return std::isalnum(u) || c == '_' || c == '-' || c == '.';
    });
}

std::string shown(std::string_view text)
{
    std::string result;
    for (const char c : text.substr(0, kShownBytes)) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\\') {
            result += "\\\\";
            continue;
        }
        if (byte >= 0x20 && byte < 0x7f) {
            result += c;
            continue;
        }
        static constexpr char kHex[] = "0123456789abcdef";
        result += "\\x";
        result += kHex[byte >> 4];
        result += kHex[byte & 0xf];
    }
    if (text.size() > kShownBytes)
        result += "...";
    return result;
}

bool isOrderNumber(std::string_view text)
{
    return text.size() > 1 && text.front() == '#' &&
           std::all_of(text.begin() + 1, text.end(),
                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

std::vector<Token> tokenize(std::string_view line)
{
    std::vector<Token> tokens;
    std::size_t i = 0;
    while (i < line.size()) {
        if (isSpace(line[i])) {
            ++i;
            continue;
        }
        const bool comment =
            line[i] == '#' && (i + 1 == line.size() || isSpace(line[i + 1]) || line[i + 1] == '#');
        if (comment)
            break;
        std::size_t end = i + 1;
        if (!isSeparator(line[i])) {
            while (end < line.size() && !isSpace(line[end]) && !isSeparator(line[end]))
                ++end;
        }
        tokens.push_back({line.substr(i, end - i), i + 1});
        i = end;
    }
    return tokens;
}

Parser::Parser(std::string fileName)
    : m_fileName(std::move(fileName))
{
    m_result.scenario.fileName = m_fileName;
}

void Parser::parseLine(std::string_view line, std::size_t lineNumber)
{
    m_tokens = tokenize(line);
    m_position = 0;
    m_line = lineNumber;
    if (m_tokens.empty())
        return;

    const Token &last = m_tokens.back();
    const std::size_t begin = m_tokens.front().column - 1;
    const std::size_t end = last.column - 1 + last.text.size();
    try {
        Action action = parseCommand();
        expectEnd();
        m_result.scenario.commands.push_back({{lineNumber, m_tokens.front().column},
                                              std::string(line.substr(begin, end - begin)),
                                              m_clock,
                                              std::move(action)});
    } catch (const LineError &error) {
        m_result.errors.push_back({m_fileName, {lineNumber, error.column}, error.message});
    }
}

ParseResult Parser::finish()
{
    return std::move(m_result);
}

const Token &Parser::take(std::string_view expected)
{
    if (atEnd())
        failAtEnd("missing " + std::string(expected));
    return m_tokens[m_position++];
}

void Parser::fail(const Token &token, std::string message) const
{
    throw LineError{token.column, std::move(message)};
}

void Parser::failAtEnd(std::string message) const
{
    const std::size_t column =
        m_tokens.empty() ? 1 : m_tokens.back().column + m_tokens.back().text.size() + 1;
    throw LineError{column, std::move(message)};
}

void Parser::expectEnd() const
{
    if (!atEnd())
        fail(peek(), "unexpected '" + shown(peek().text) + "' after the end of the command");
}

Action Parser::parseCommand()
{
    const Token &command = take("command");
    const std::string_view word = command.text;
    if (word != "expect" && word != "expectations" && word != "show")
        m_commandSeen = true;
    if (word == "instrument")
        return parseInstrument();
    if (word == "account")
        return parseAccount();
    if (word == "limits")
        return parseLimits();
    if (word == "kill")
        return parseKillSwitch();
    if (word == "buy" || word == "sell")
        return parseOrder(word == "buy" ? Side::Buy : Side::Sell);
    if (word == "cancel")
        return parseCancel();
    if (word == "replace")
        return parseReplace();
    if (word == "pre-open")
        return parseStatus(TradingStatus::PreOpen);
    if (word == "open")
        return parseStatus(TradingStatus::Trading);
    if (word == "halt")
        return parseStatus(TradingStatus::Halted);
    if (word == "close")
        return parseStatus(TradingStatus::Closed);
    if (word == "at")
        return parseAt();
    if (word == "advance")
        return parseAdvance();
    if (word == "restart")
        return parseRestart();
    if (word == "expect")
        return parseExpect();
    if (word == "expectations")
        return parseExpectationMode();
    if (word == "show")
        return parseShow();
    fail(command,
         "unknown command '" + shown(word) + "'; expected one of: " + std::string(kCommands));
}

Action Parser::parseInstrument()
{
    const Token &symbol = take("instrument symbol, such as ABC");
    if (!isName(symbol.text) || symbol.text.size() > 16)
        fail(symbol, "invalid symbol '" + shown(symbol.text) +
                         "': expected up to 16 letters, digits, '_', '-' or '.', starting with "
                         "a letter or '_'");
    if (const auto found = m_instruments.find(symbol.text); found != m_instruments.end())
        fail(symbol, "instrument " + shown(symbol.text) + " is already defined at line " +
                         std::to_string(found->second.line));
    if (m_labels.contains(symbol.text))
        fail(symbol,
             "symbol " + shown(symbol.text) + " is already an order label; choose another symbol");

    // Prices and sizes need the decimals, which may come after them: collect the options first.
    InstrumentOptions options;
    while (!atEnd()) {
        const Token &option = take("instrument option");
        static constexpr std::string_view kKnown[] = {
            "tick", "lot", "price-decimals", "quantity-decimals", "currency", "multiplier",
            "min",  "max", "band",           "reference",         "status"};
        if (std::find(std::begin(kKnown), std::end(kKnown), option.text) == std::end(kKnown))
            fail(option, "unknown instrument option '" + shown(option.text) +
                             "'; expected one of: " + std::string(kInstrumentOptions));
        if (options.contains(option.text))
            fail(option, "'" + shown(option.text) + "' is given twice");
        options[option.text] = &take("value of '" + shown(option.text) + "'");
    }
    if (!options.contains("tick"))
        failAtEnd("missing 'tick SIZE': every instrument needs a tick size, such as tick 0.01");

    InstrumentDefinition definition;
    definition.id = InstrumentId{static_cast<std::uint32_t>(m_instruments.size() + 1)};
    const std::string name(symbol.text);
    std::copy(name.begin(), name.end(), definition.symbol.begin());
    setInstrumentDecimals(definition, options);
    setInstrumentValues(definition, options);

    m_instruments[name] = {definition, m_line};
    m_symbols[definition.id] = name;
    m_result.scenario.names.addInstrument(definition);
    return AddInstrumentCommand{definition};
}

void Parser::setInstrumentDecimals(InstrumentDefinition &definition,
                                   const InstrumentOptions &options) const
{
    // Decimals default to those the tick and lot are written with.
    const auto writtenDecimals = [this](const Token &token, std::string_view valueName) {
        const DecimalValue value = parseDecimal(token.text, 18);
        if (value.error == DecimalError::NotANumber)
            fail(token, "invalid " + std::string(valueName) + " '" + shown(token.text) +
                            "': expected a decimal number such as 0.01");
        return value.decimalsWritten;
    };
    const Token &tick = *options.at("tick");
    const Token *lot = options.contains("lot") ? options.at("lot") : nullptr;
    int priceDecimals = writtenDecimals(tick, "tick size");
    int quantityDecimals = lot ? writtenDecimals(*lot, "lot size") : 0;
    if (const Token *given =
            options.contains("price-decimals") ? options.at("price-decimals") : nullptr) {
        const auto value = static_cast<int>(integer(*given, "price-decimals", 0, 12));
        if (value < priceDecimals)
            fail(*given, "price-decimals " + std::to_string(value) + " is fewer than the " +
                             std::to_string(priceDecimals) + " decimals of tick " +
                             shown(tick.text));
        priceDecimals = value;
    }
    if (const Token *given =
            options.contains("quantity-decimals") ? options.at("quantity-decimals") : nullptr) {
        const auto value = static_cast<int>(integer(*given, "quantity-decimals", 0, 12));
        if (value < quantityDecimals)
            fail(*given, "quantity-decimals " + std::to_string(value) + " is fewer than the " +
                             std::to_string(quantityDecimals) + " decimals of lot " +
                             shown(lot->text));
        quantityDecimals = value;
    }
    if (priceDecimals > 12 || quantityDecimals > 12)
        fail(priceDecimals > 12 ? tick : *lot, "at most 12 decimals are supported");
    definition.priceDecimals = static_cast<std::uint8_t>(priceDecimals);
    definition.quantityDecimals = static_cast<std::uint8_t>(quantityDecimals);
}

void Parser::setInstrumentValues(InstrumentDefinition &definition,
                                 const InstrumentOptions &options) const
{
    const Token &tick = *options.at("tick");
    const Token *lot = options.contains("lot") ? options.at("lot") : nullptr;
    definition.tickSize = price(tick, definition, "tick size");
    if (lot)
        definition.lotSize = quantity(*lot, definition, "lot size");
    if (options.contains("min"))
        definition.minimumQuantity = quantity(*options.at("min"), definition, "minimum size");
    if (options.contains("max"))
        definition.maximumQuantity = quantity(*options.at("max"), definition, "maximum size");
    if (options.contains("reference"))
        definition.referencePrice = price(*options.at("reference"), definition, "reference price");
    if (options.contains("multiplier"))
        definition.multiplier = integer(*options.at("multiplier"), "multiplier", 0, 1'000'000'000);
    if (options.contains("band"))
        definition.priceBandBasisPoints = basisPoints(*options.at("band"));
    if (options.contains("status"))
        definition.initialStatus = initialStatus(*options.at("status"));
    if (options.contains("currency")) {
        const Token &currency = *options.at("currency");
        if (currency.text.size() > definition.currency.size() || !isName(currency.text))
            fail(currency, "invalid currency '" + shown(currency.text) +
                               "': expected a code of up to 4 letters, such as USD");
        std::copy(currency.text.begin(), currency.text.end(), definition.currency.begin());
    }
}

// The engine takes every status but quote-only, which only replayed market data has.
TradingStatus Parser::initialStatus(const Token &token) const
{
    const TradingStatus status = word<TradingStatus>(token, "status");
    if (status == TradingStatus::QuoteOnly)
        fail(token, "status quote-only comes only from replayed market data; expected open, "
                    "pre-open, halted or closed");
    return status;
}

Action Parser::parseAccount()
{
    const Token &name = take("account name, such as alice");
    if (!isName(name.text))
        fail(name,
             "invalid account name '" + shown(name.text) + "': expected " + std::string(kNameRule));
    if (const auto found = m_accounts.find(name.text); found != m_accounts.end())
        fail(name, "account " + shown(name.text) + " is already defined at line " +
                       std::to_string(found->second.line));

    AccountConfigured configuration;
    configuration.account = AccountId{static_cast<std::uint32_t>(m_accounts.size() + 1)};
    const bool configured = nextIs("stp");
    if (configured) {
        take("stp");
        configuration.selfTradePrevention =
            word<SelfTradePrevention>(take("self-trade prevention mode"), "stp mode");
    }
    AccountEntry &entry = m_accounts[std::string(name.text)];
    entry = {configuration.account, m_line};
    m_result.scenario.names.nameAccount(configuration.account, std::string(name.text));
    if (nextIs("cash") || nextIs("margin"))
        return parsePortfolioAccount(entry, configuration, configured, take("account type"));
    return ConfigureAccountCommand{configuration};
}

Action Parser::parseOrder(Side side)
{
    const InstrumentEntry &entry = instrument(take("instrument symbol"));
    const InstrumentDefinition &definition = entry.definition;

    NewOrder order;
    order.id = OrderId{++m_orderCount};
    order.side = side;
    order.instrument = definition.id;
    order.quantity = quantity(take("quantity"), definition);

    std::set<std::string_view> seen;
    bool market = false;
    std::optional<Price> limit;
    std::optional<Price> stop;
    std::optional<TimeInForce> timeInForce;
    const Token *expiry = nullptr;
    const Token *label = nullptr;
    const Token *protection = nullptr;
    const Token *display = nullptr;
    while (!atEnd()) {
        const Token &option = take("order option");
        const auto tif = fromWord<TimeInForce>(option.text);
        const std::string_view group = tif ? std::string_view("time in force") : option.text;
        if (!seen.insert(group).second)
            fail(option, tif ? "more than one time in force"
                             : "'" + shown(option.text) + "' is given twice");
        if (option.text == "@")
            limit = price(take("limit price after '@'"), definition, "limit price");
        else if (option.text == "market")
            market = true;
        else if (option.text == "stop")
            stop = price(take("stop price"), definition, "stop price");
        else if (tif)
            timeInForce = tif;
        else if (option.text == "until")
            expiry = &take("expiry time, such as 16:00:00 or +30s");
        else if (option.text == "post-only")
            order.liquidity = Liquidity::PostOnly;
        else if (option.text == "display") {
            display = &take("display size");
            order.displayQuantity = displaySize(*display, definition);
        } else if (option.text == "protection") {
            protection = &option;
            order.protectionPrice = protectionPrice(take("protection price"), definition);
        } else if (option.text == "account")
            order.account = account(take("account name"));
        else if (option.text == "client-id")
            order.clientOrderId = ClientOrderId{
                static_cast<std::uint64_t>(integer(take("client order id"), "client order id", 1,
                                                   std::numeric_limits<std::int64_t>::max()))};
        else if (option.text == "stp")
            order.selfTradePrevention =
                word<SelfTradePrevention>(take("self-trade prevention mode"), "stp mode");
        else if (option.text == "as")
            label = &take("order label");
        else
            fail(option, "unknown order option '" + shown(option.text) +
                             "'; expected one of: " + std::string(kOrderOptions));
    }

    if (market && limit)
        failAtEnd("a market order has no limit price: remove 'market' or '@ PRICE'");
    if (stop)
        order.type = limit ? OrderType::StopLimit : OrderType::Stop;
    else if (market)
        order.type = OrderType::Market;
    else if (limit)
        order.type = OrderType::Limit;
    else
        failAtEnd("missing price: write '@ PRICE' for a limit order, 'market', or 'stop PRICE'");
    order.limit = limit.value_or(Price{0});
    order.stopPrice = stop.value_or(Price{0});
    if (protection && limit)
        fail(*protection, "'protection' applies only to market and stop orders: the limit price "
                          "already bounds the fills of this order");
    if (display && order.displayQuantity == order.quantity)
        fail(*display, "display size " + shown(display->text) +
                           " is the whole quantity, so the order is no iceberg; leave out "
                           "'display' or give a smaller size");

    order.timeInForce = timeInForce.value_or(expiry ? TimeInForce::Gtd : TimeInForce::Gtc);
    if (expiry && order.timeInForce != TimeInForce::Gtd)
        fail(*expiry, "'until' sets an expiry, which only gtd orders have");
    if (expiry)
        order.expiry = time(*expiry);

    m_orders[order.id] = {definition.id, m_line};
    if (label)
        defineLabel(*label, order.id);
    return SubmitCommand{order};
}

// An option with no effect is an error, so that a file never shows what does not happen.
Quantity Parser::displaySize(const Token &token, const InstrumentDefinition &instrument) const
{
    const Quantity size = quantity(token, instrument, "display size");
    if (size == Quantity{0})
        fail(token, "display size 0 shows nothing; leave out 'display' for an order that shows "
                    "its whole size");
    return size;
}

Price Parser::protectionPrice(const Token &token, const InstrumentDefinition &instrument) const
{
    const Price bound = price(token, instrument, "protection price");
    if (bound == Price{0})
        fail(token, "protection price 0 sets no bound; leave out 'protection' for an order "
                    "without one");
    return bound;
}

Action Parser::parseCancel()
{
    const Token &target = take("order label, or 'all' for a mass cancel");
    if (target.text != "all")
        return CancelCommand{order(target)};

    MassCancelCommand command;
    while (!atEnd()) {
        const Token &option = take("mass cancel scope");
        if (option.text == "account") {
            if (command.scope.account.value() != 0)
                fail(option, "'account' is given twice");
            command.scope.account = account(take("account name"));
        } else if (m_instruments.contains(option.text)) {
            if (command.scope.instrument.value() != 0)
                fail(option, "more than one instrument; a mass cancel takes one or all");
            command.scope.instrument = instrument(option).definition.id;
        } else {
            fail(option, "unexpected '" + shown(option.text) +
                             "' in a mass cancel; expected an instrument symbol or 'account NAME'");
        }
    }
    return command;
}

Action Parser::parseReplace()
{
    const Token &label = take("order label");
    ReplaceCommand command;
    command.id = order(label);
    const InstrumentDefinition &definition = instrumentOf(command.id, label);
    while (!atEnd()) {
        const Token &option = take("replace option");
        if (option.text == "@") {
            if (command.limit)
                fail(option, "the limit price is given twice");
            command.limit = price(take("limit price after '@'"), definition, "limit price");
        } else if (option.text == "stop") {
            if (command.stopPrice)
                fail(option, "the stop price is given twice");
            command.stopPrice = price(take("stop price"), definition, "stop price");
        } else if (parseDecimal(option.text, 18).error != DecimalError::NotANumber) {
            if (command.quantity)
                fail(option, "the quantity is given twice");
            command.quantity = quantity(option, definition);
        } else {
            fail(option, "unexpected '" + shown(option.text) +
                             "' in a replace; expected QUANTITY, '@ PRICE' or 'stop PRICE'");
        }
    }
    if (!command.quantity && !command.limit && !command.stopPrice)
        failAtEnd("missing change: write a new QUANTITY, '@ PRICE' or 'stop PRICE'");
    return command;
}

Action Parser::parseStatus(TradingStatus status)
{
    return StatusCommand{instrument(take("instrument symbol")).definition.id, status};
}

Action Parser::parseAt()
{
    const Token &token = take("time, such as 09:30:00.250");
    const Timestamp moment = time(token);
    if (moment < m_clock)
        fail(token, "time " + formatTime(moment) + " is before the scenario clock " +
                        formatTime(m_clock) + " (set at line " + std::to_string(m_clockLine) +
                        "); the clock only moves forward");
    m_clock = moment;
    m_clockLine = m_line;
    return ClockCommand{moment};
}

Action Parser::parseAdvance()
{
    const Token &token = take("duration, such as 10s or 250ms");
    m_clock = clockAfter(token, token.text, "duration");
    m_clockLine = m_line;
    return ClockCommand{m_clock};
}

Action Parser::parseRestart()
{
    for (std::string_view word : {"from", "snapshot"}) {
        const Token &token = take("'from snapshot'");
        if (token.text != word)
            fail(token,
                 "unknown 'restart " + shown(token.text) + "'; expected 'restart from snapshot'");
    }
    return RestartCommand{};
}

Action Parser::parseExpectationMode()
{
    const Token &mode = take("'strict' or 'lenient'");
    if (mode.text == "strict")
        return ExpectationModeCommand{ExpectationMode::Strict};
    if (mode.text == "lenient")
        return ExpectationModeCommand{ExpectationMode::Lenient};
    fail(mode,
         "unknown expectation mode '" + shown(mode.text) + "'; expected 'strict' or 'lenient'");
}

Action Parser::parseShow()
{
    const Token &target = take("'book'");
    if (target.text != "book")
        fail(target, "unknown 'show " + shown(target.text) + "'; expected 'show book SYMBOL'");
    return ShowBookCommand{instrument(take("instrument symbol")).definition.id};
}

} // namespace bourse::scenario

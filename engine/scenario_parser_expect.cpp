// The scenario parser: expectations of events, books and orders.

#include "scenario_parser.h"

#include <algorithm>
#include <cctype>
#include <limits>

namespace bourse::scenario {

namespace {

// The words a Word field accepts: every word of its type, not only the ones a line shows.
std::vector<std::string_view> vocabulary(FieldType type)
{
    switch (type) {
    case FieldType::Side:
        return wordsOf<Side>();
    case FieldType::RejectReason:
        return wordsOf<RejectReason>();
    case FieldType::CancelReason:
        return wordsOf<CancelReason>();
    case FieldType::Status:
        return wordsOf<TradingStatus>();
    case FieldType::TimeInForce:
        return wordsOf<TimeInForce>();
    case FieldType::SelfTradePrevention:
        return wordsOf<SelfTradePrevention>();
    case FieldType::QueuePriority:
        return wordsOf<QueuePriority>();
    case FieldType::OrderType:
        return wordsOf<OrderType>();
    case FieldType::OrderOrigin:
        return wordsOf<OrderOrigin>();
    case FieldType::Liquidity:
        return wordsOf<Liquidity>();
    default:
        return {};
    }
}

bool contains(const std::vector<std::string_view> &words, std::string_view word)
{
    return std::find(words.begin(), words.end(), word) != words.end();
}

bool looksNumeric(std::string_view text)
{
    return parseDecimal(text, 18).error != DecimalError::NotANumber;
}

// Every event kind an expectation may name: the derived market data kinds are not checked.
bool isExpectable(std::string_view kind)
{
    return kind != "top-of-book" && kind != "depth";
}

std::string expectableKinds()
{
    std::string kinds;
    for (const EventSyntax &syntax : eventSyntax()) {
        if (isExpectable(syntax.kind))
            kinds += (kinds.empty() ? "" : ", ") + std::string(syntax.kind);
    }
    return kinds;
}

// The placeholder for a field's value in error messages, such as PRICE.
std::string placeholder(const FieldSyntaxEntry &field)
{
    switch (field.type) {
    case FieldType::Label:
        return "LABEL";
    case FieldType::Account:
        return "NAME";
    case FieldType::Price:
        return "PRICE";
    case FieldType::Quantity:
        return "QUANTITY";
    case FieldType::Notional:
        return "AMOUNT";
    case FieldType::Time:
        return "TIME";
    default:
        break;
    }
    std::string name(field.key);
    for (char &c : name)
        c = c == '_' ? '-' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return name;
}

// The fields an expectation line may contain after its subject, for error messages.
std::string describeFields(const EventSyntax &syntax)
{
    std::string text;
    for (const FieldSyntaxEntry &field : syntax.fields) {
        std::string item;
        if (field.syntax == FieldSyntax::Value || field.syntax == FieldSyntax::Word)
            item = placeholder(field);
        else if (field.syntax == FieldSyntax::AtPrice)
            item = "@ PRICE";
        else if (field.syntax == FieldSyntax::Keyed)
            item = std::string(field.keyword) + " " + placeholder(field);
        if (!item.empty())
            text += (text.empty() ? "" : ", ") + item;
    }
    return text;
}

} // namespace

std::string Parser::canonicalNotional(const Token &token,
                                      const InstrumentDefinition &instrument) const
{
    // A notional may exceed 64 bits, so its text is normalized digit by digit instead: leading
    // zeros dropped, decimals padded to the price plus quantity decimals.
    const int decimals = instrument.priceDecimals + instrument.quantityDecimals;
    const DecimalValue shape = parseDecimal(token.text, 18);
    if (shape.error == DecimalError::NotANumber)
        fail(token, "invalid notional '" + shown(token.text) +
                        "': expected a decimal number such as 1251.00");
    if (shape.decimalsWritten > decimals)
        fail(token, "notional '" + shown(token.text) + "' has " +
                        std::to_string(shape.decimalsWritten) + " decimal places, but " +
                        textOf(instrument.symbol) + " notionals have " + std::to_string(decimals));

    std::string_view text = token.text;
    const bool negative = text.starts_with('-');
    if (negative)
        text.remove_prefix(1);
    const std::size_t point = text.find('.');
    std::string whole(text.substr(0, point));
    std::string fraction(point == std::string_view::npos ? "" : text.substr(point + 1));
    whole.erase(0, std::min(whole.find_first_not_of('0'), whole.size() - 1));
    fraction.append(static_cast<std::size_t>(decimals) - fraction.size(), '0');
    const bool zero = whole == "0" && fraction.find_first_not_of('0') == std::string::npos;
    return (negative && !zero ? "-" : "") + whole + (decimals > 0 ? "." + fraction : "");
}

Action Parser::parseExpect()
{
    const Token &target =
        take("what to expect: an event, 'account', 'position', 'book', 'order' or 'nothing'");
    if (target.text == "nothing") {
        requireCommandAbove("nothing");
        return ExpectNoMoreEventsCommand{};
    }
    if (target.text == "no") {
        const Token &more = take("'more events'");
        if (more.text != "more")
            fail(more, "expected 'expect no more events'");
        const Token &events = take("'events'");
        if (events.text != "events")
            fail(events, "expected 'expect no more events'");
        requireCommandAbove("no more events");
        return ExpectNoMoreEventsCommand{};
    }
    if (target.text == "book")
        return parseExpectBook();
    if (target.text == "order")
        return parseExpectOrder();
    if (target.text == "account")
        return parseExpectAccount();
    if (target.text == "position")
        return parseExpectPosition();
    const EventSyntax *syntax = eventSyntax(target.text);
    if (!syntax || !isExpectable(target.text))
        fail(target, "unknown expectation '" + shown(target.text) + "'; expected an event (" +
                         expectableKinds() +
                         "), account, position, book, order, nothing or no more events");
    requireCommandAbove(target.text);
    return parseEventPattern(*syntax);
}

// An event expectation checks the events of the command above it. Before the first command
// there is none, and 'expect nothing' would pass without checking anything.
void Parser::requireCommandAbove(std::string_view expectation) const
{
    if (!m_commandSeen)
        fail(m_tokens.front(), "'expect " + std::string(expectation) +
                                   "' comes before the first command, so it has no events to "
                                   "check; an event expectation checks the command above it");
}

Action Parser::parseEventPattern(const EventSyntax &syntax)
{
    EventDescription pattern;
    pattern.kind = syntax.kind;
    const InstrumentDefinition *context = nullptr;

    // The subject: an order label, an instrument symbol or an account name.
    const Token &subject = take("subject of the event, such as an order label");
    const auto subjectField =
        std::find_if(syntax.fields.begin(), syntax.fields.end(), [](const FieldSyntaxEntry &field) {
            return field.syntax == FieldSyntax::Subject;
        });
    const auto fallback =
        std::find_if(syntax.fields.begin(), syntax.fields.end(), [](const FieldSyntaxEntry &field) {
            return field.syntax == FieldSyntax::SubjectFallback;
        });
    const bool symbolSubject = subjectField->type == FieldType::Symbol ||
                               (fallback != syntax.fields.end() && !isLabel(subject.text) &&
                                m_instruments.contains(subject.text));
    if (symbolSubject) {
        const InstrumentEntry &entry = instrument(subject);
        context = &entry.definition;
        const std::string_view key =
            subjectField->type == FieldType::Symbol ? subjectField->key : fallback->key;
        pattern.fields[std::string(key)] = std::string(subject.text);
    } else if (subjectField->type == FieldType::Account) {
        // A kill switch names every account as "all".
        if (syntax.kind != "kill-switch" || subject.text != "all")
            account(subject);
        pattern.fields[std::string(subjectField->key)] = std::string(subject.text);
    } else {
        const OrderId id = order(subject);
        if (const auto found = m_orders.find(id); found != m_orders.end())
            context = &instrumentOf(id, subject);
        pattern.fields[std::string(subjectField->key)] = m_result.scenario.names.orderLabel(id);
    }

    while (!atEnd()) {
        const Token &token = take("event field");
        const FieldSyntaxEntry *field = nullptr;
        const Token *value = &token;
        for (const FieldSyntaxEntry &candidate : syntax.fields) {
            const bool matches =
                (candidate.syntax == FieldSyntax::AtPrice && token.text == "@") ||
                (candidate.syntax == FieldSyntax::Keyed && token.text == candidate.keyword);
            if (matches) {
                field = &candidate;
                value = &take("value after '" + shown(token.text) + "'");
                break;
            }
        }
        for (const FieldSyntaxEntry &candidate : syntax.fields) {
            if (field)
                break;
            const bool matches =
                (candidate.syntax == FieldSyntax::Word &&
                 contains(vocabulary(candidate.type), token.text)) ||
                (candidate.syntax == FieldSyntax::Value && candidate.type == FieldType::Symbol &&
                 m_instruments.contains(token.text)) ||
                (candidate.syntax == FieldSyntax::Value && candidate.type == FieldType::Quantity &&
                 looksNumeric(token.text));
            if (matches)
                field = &candidate;
        }
        if (!field)
            fail(token, "unexpected '" + shown(token.text) + "' in a " + std::string(syntax.kind) +
                            " expectation; expected one of: " + describeFields(syntax));
        if (pattern.fields.contains(field->key))
            fail(token, "the " + std::string(field->key) + " is given twice");
        // An event whose subject is an account, such as a fill, takes its decimals from the
        // instrument it names.
        if (field->type == FieldType::Symbol && !context)
            context = &instrument(*value).definition;
        pattern.fields[std::string(field->key)] = canonicalValue(*field, *value, context);
    }
    return ExpectEventCommand{std::move(pattern)};
}

std::string Parser::canonicalValue(const FieldSyntaxEntry &field, const Token &token,
                                   const InstrumentDefinition *instrument) const
{
    const bool needsDecimals = field.type == FieldType::Price ||
                               field.type == FieldType::Quantity ||
                               field.type == FieldType::Notional;
    if (needsDecimals && !instrument)
        fail(token, "the decimals of '" + shown(token.text) +
                        "' are unknown, as the event's order is not defined above this line");

    switch (field.type) {
    case FieldType::Label:
        if (token.text == "-")
            return "-";
        return m_result.scenario.names.orderLabel(order(token));
    case FieldType::Symbol:
        return textOf(this->instrument(token).definition.symbol);
    case FieldType::Account:
        if (token.text == "-")
            return "-";
        account(token);
        return std::string(token.text);
    case FieldType::Price:
        return formatPrice(price(token, *instrument), *instrument);
    case FieldType::Quantity:
        return formatQuantity(quantity(token, *instrument), *instrument);
    case FieldType::Notional:
        return canonicalNotional(token, *instrument);
    case FieldType::Integer:
        return std::to_string(
            integer(token, std::string(field.key), 0, std::numeric_limits<std::int64_t>::max()));
    case FieldType::Time:
        return formatTime(time(token));
    case FieldType::Text:
        return std::string(token.text);
    case FieldType::BasisPoints:
        return std::to_string(basisPoints(token)) + "bp";
    default:
        if (!contains(vocabulary(field.type), token.text))
            fail(token, "unexpected '" + shown(token.text) + "' for the " + std::string(field.key));
        return std::string(token.text);
    }
}

Action Parser::parseExpectBook()
{
    ExpectBookCommand command;
    const InstrumentEntry &entry = instrument(take("instrument symbol"));
    command.instrument = entry.definition.id;
    while (!atEnd()) {
        const Token &side = take("'bids' or 'asks'");
        auto &levels = side.text == "bids" ? command.bids : command.asks;
        if (side.text != "bids" && side.text != "asks")
            fail(side, "unexpected '" + shown(side.text) + "'; expected 'bids' or 'asks'");
        if (levels)
            fail(side, "'" + shown(side.text) + "' is given twice");
        levels = parseLevels(entry.definition);
    }
    if (!command.bids && !command.asks)
        failAtEnd("missing 'bids LEVELS' or 'asks LEVELS', such as asks 12.51x100 [A]");
    return command;
}

std::vector<ExpectedLevel> Parser::parseLevels(const InstrumentDefinition &instrument)
{
    std::vector<ExpectedLevel> levels;
    if (nextIs("none") || nextIs("empty")) {
        take("'none'");
        return levels;
    }
    levels.push_back(parseLevel(instrument));
    while (nextIs(",")) {
        take("','");
        levels.push_back(parseLevel(instrument));
    }
    return levels;
}

ExpectedLevel Parser::parseLevel(const InstrumentDefinition &instrument)
{
    // PRICExQUANTITY, in one token or spread over several: "12.51x100", "12.51 x 100".
    const Token &first = take("price level, such as 12.51x100");
    Token priceToken = first;
    Token quantityToken;
    if (const std::size_t x = first.text.find('x'); x != std::string_view::npos) {
        priceToken.text = first.text.substr(0, x);
        quantityToken = {first.text.substr(x + 1), first.column + x + 1};
        if (quantityToken.text.empty())
            quantityToken = take("the level's quantity after 'x'");
    } else {
        const Token &next = take("'x' and the level's quantity, such as 12.51x100");
        if (next.text == "x")
            quantityToken = take("the level's quantity");
        else if (next.text.starts_with('x') && next.text.size() > 1)
            quantityToken = {next.text.substr(1), next.column + 1};
        else
            fail(next, "expected 'x' between the price and the quantity, such as 12.51x100");
    }

    ExpectedLevel level{price(priceToken, instrument), quantity(quantityToken, instrument), {}};
    if (!nextIs("["))
        return level;
    take("'['");
    level.queue.emplace();
    while (!nextIs("]")) {
        const Token &label = take("order label or ']'");
        if (label.text != ",")
            level.queue->push_back(order(label));
    }
    take("']'");
    return level;
}

Action Parser::parseExpectOrder()
{
    ExpectOrderCommand command;
    const Token &label = take("order label");
    command.id = order(label);
    const Token &state = take("'resting', 'parked' or 'gone'");
    if (state.text == "resting")
        command.state = OrderState::Resting;
    else if (state.text == "parked")
        command.state = OrderState::Parked;
    else if (state.text == "gone")
        command.state = OrderState::Gone;
    else
        fail(state,
             "unknown order state '" + shown(state.text) + "'; expected resting, parked or gone");
    if (command.state == OrderState::Gone) {
        expectEnd();
        return command;
    }

    const InstrumentDefinition &definition = instrumentOf(command.id, label);
    while (!atEnd()) {
        const Token &option = take("order detail");
        if (option.text == "@" && !command.price)
            command.price = price(take("limit price"), definition);
        else if (option.text == "reserve" && !command.reserve)
            command.reserve = quantity(take("reserve quantity"), definition, "reserve");
        else if (option.text == "stop" && !command.stopPrice)
            command.stopPrice = price(take("stop price"), definition, "stop price");
        else if (looksNumeric(option.text) && !command.displayed)
            command.displayed = quantity(option, definition);
        else
            fail(option, "unexpected '" + shown(option.text) +
                             "' in an order expectation; expected QUANTITY, '@ PRICE', "
                             "'reserve QUANTITY' or 'stop PRICE', each at most once");
    }
    return command;
}

} // namespace bourse::scenario

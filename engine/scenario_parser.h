#pragma once

// The scenario parser's internals, shared by its source files and nothing else.

#include "scenario.h"

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace bourse::scenario {

struct Token {
    std::string_view text;
    std::size_t column = 0; // from 1
};

// Splits a line into words and the one-character tokens '@', ',', '[' and ']'. A '#' that
// starts a token and is followed by a space, a tab, another '#' or the end of the line starts a
// comment, so "# note" is a comment and "#3" is a token.
std::vector<Token> tokenize(std::string_view line);

// Instrument symbols, account names and order labels: a letter or '_' first, then letters,
// digits, '_', '-' and '.', at most 32 characters. Symbols have at most 16.
bool isName(std::string_view text);
// The rule isName checks, for error messages.
inline constexpr std::string_view kNameRule =
    "up to 32 letters, digits, '_', '-' or '.', starting with a letter or '_'";

// Text of the file as an error message shows it: at most kShownBytes bytes, then "...". Every
// byte outside printable ASCII becomes \xNN and a backslash \\, so that a binary file or a huge
// line gives a readable message.
std::string shown(std::string_view text);
inline constexpr std::size_t kShownBytes = 40;
// "#N": the N-th order of a scenario.
bool isOrderNumber(std::string_view text);

// A parse error inside one line: the parser stops the line there and goes on with the next.
struct LineError {
    std::size_t column = 0;
    std::string message;
};

// Reads a scenario line by line, keeping the names defined so far (instruments, accounts, order
// labels) and the clock, so that every number is converted with its instrument's decimals.
class Parser {
public:
    explicit Parser(std::string fileName);

    void parseLine(std::string_view line, std::size_t lineNumber);
    std::size_t errorCount() const { return m_result.errors.size(); }
    ParseResult finish();

private:
    struct InstrumentEntry {
        InstrumentDefinition definition;
        std::size_t line = 0;
    };
    struct AccountEntry {
        AccountId id;
        std::size_t line = 0;
        int moneyDecimals = -1; // the money scale of a portfolio account; -1 for none
    };
    struct OrderEntry {
        InstrumentId instrument;
        std::size_t line = 0;
    };

    // The token cursor of the current line.
    bool atEnd() const { return m_position >= m_tokens.size(); }
    const Token &peek() const { return m_tokens[m_position]; }
    bool nextIs(std::string_view text) const { return !atEnd() && peek().text == text; }
    const Token &take(std::string_view expected);
    [[noreturn]] void fail(const Token &token, std::string message) const;
    [[noreturn]] void failAtEnd(std::string message) const;
    void expectEnd() const;

    // An instrument line's options by name, with the token of each value.
    using InstrumentOptions = std::map<std::string_view, const Token *>;

    Action parseCommand();
    Action parseInstrument();
    void setInstrumentDecimals(InstrumentDefinition &definition,
                               const InstrumentOptions &options) const;
    void setInstrumentValues(InstrumentDefinition &definition,
                             const InstrumentOptions &options) const;
    TradingStatus initialStatus(const Token &token) const;
    Action parseAccount();
    // The portfolio options of an account line (engine/scenario_parser_accounts.cpp).
    Action parsePortfolioAccount(AccountEntry &entry, const AccountConfigured &configuration,
                                 bool configured, const Token &type);
    Money money(const Token &token, int decimals, std::string_view valueName) const;
    FeeRate feeRate(const Token &token) const;
    const AccountEntry &portfolioAccount(const Token &name) const;
    Action parseExpectAccount();
    Action parseExpectPosition();
    // Risk limits and the kill switch (engine/scenario_parser_risk.cpp).
    Action parseLimits();
    Action parseKillSwitch();
    const InstrumentDefinition &quantityScale(const Token &token) const;
    Action parseOrder(Side side);
    Quantity displaySize(const Token &token, const InstrumentDefinition &instrument) const;
    Price protectionPrice(const Token &token, const InstrumentDefinition &instrument) const;
    Action parseCancel();
    Action parseReplace();
    Action parseStatus(TradingStatus status);
    Action parseAt();
    Action parseAdvance();
    Action parseRestart();
    Action parseExpect();
    void requireCommandAbove(std::string_view expectation) const;
    Action parseEventPattern(const EventSyntax &syntax);
    Action parseExpectBook();
    Action parseExpectOrder();
    Action parseExpectationMode();
    Action parseShow();

    // Lookups of names defined on earlier lines. Each fails the line when the name is unknown.
    const InstrumentEntry &instrument(const Token &symbol) const;
    AccountId account(const Token &name) const;
    OrderId order(const Token &label) const;
    // The instrument of an order defined above. Fails when the order's instrument is unknown.
    const InstrumentDefinition &instrumentOf(OrderId id, const Token &label) const;
    void defineLabel(const Token &label, OrderId id);
    bool isLabel(std::string_view text) const;

    // Values in the units of an instrument.
    std::int64_t units(const Token &token, int decimals, std::string_view valueName,
                       const InstrumentDefinition &instrument, std::string_view scale) const;
    Price price(const Token &token, const InstrumentDefinition &instrument,
                std::string_view valueName = "price") const;
    Quantity quantity(const Token &token, const InstrumentDefinition &instrument,
                      std::string_view valueName = "quantity") const;
    std::int64_t integer(const Token &token, std::string_view valueName, std::int64_t minimum,
                         std::int64_t maximum) const;
    Timestamp time(const Token &token) const; // a time of day, or +DURATION from the clock
    // The scenario clock moved on by a duration; token is the one that contains it, for errors.
    Timestamp clockAfter(const Token &token, std::string_view duration,
                         std::string_view valueName) const;
    std::uint32_t basisPoints(const Token &token) const;
    template <typename Enum>
    Enum word(const Token &token, std::string_view valueName) const;
    // A pattern field's text in the form describeEvent prints it.
    std::string canonicalValue(const FieldSyntaxEntry &field, const Token &token,
                               const InstrumentDefinition *instrument) const;
    std::string canonicalNotional(const Token &token, const InstrumentDefinition &instrument) const;
    std::vector<ExpectedLevel> parseLevels(const InstrumentDefinition &instrument);
    ExpectedLevel parseLevel(const InstrumentDefinition &instrument);

    std::string m_fileName;
    ParseResult m_result;

    std::vector<Token> m_tokens;
    std::size_t m_position = 0;
    std::size_t m_line = 0;

    std::map<std::string, InstrumentEntry, std::less<>> m_instruments;
    std::map<InstrumentId, std::string> m_symbols;
    std::map<std::string, AccountEntry, std::less<>> m_accounts;
    std::map<std::string, OrderId, std::less<>> m_labels;
    std::map<OrderId, OrderEntry> m_orders;
    std::uint64_t m_orderCount = 0;
    Timestamp m_clock{0};
    std::size_t m_clockLine = 0;
    bool m_commandSeen = false; // a line above drives the engine, or tried to
};

template <typename Enum>
Enum Parser::word(const Token &token, std::string_view valueName) const
{
    if (const auto value = fromWord<Enum>(token.text))
        return *value;
    std::string words;
    for (std::string_view known : wordsOf<Enum>())
        words += (words.empty() ? "" : ", ") + std::string(known);
    fail(token, "unknown " + std::string(valueName) + " '" + shown(token.text) +
                    "'; expected one of: " + words);
}

} // namespace bourse::scenario

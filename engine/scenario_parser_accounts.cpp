// The scenario parser: portfolio accounts, and expectations of cash and positions.

#include "scenario_parser.h"

#include <cctype>

namespace bourse::scenario {

namespace {

constexpr std::string_view kAccountOptions =
    "currency CODE, decimals N, balance AMOUNT, maker RATE, taker RATE, per-unit AMOUNT, "
    "minimum AMOUNT";

// Three or four capital letters, such as USD or USDT.
bool isCurrencyCode(std::string_view text)
{
    if (text.size() < 3 || text.size() > 4)
        return false;
    for (const char character : text) {
        if (!std::isupper(static_cast<unsigned char>(character)))
            return false;
    }
    return true;
}

} // namespace

// `account NAME [stp MODE] cash|margin [CODE] [options]`. The money amounts need the money
// decimals, which may come after them, so the options are collected first.
Action Parser::parsePortfolioAccount(AccountEntry &entry, const AccountConfigured &configuration,
                                     bool configured, const Token &type)
{
    OpenAccountCommand command;
    AccountSettings &settings = command.settings;
    settings.id = configuration.account;
    settings.type = type.text == "cash" ? AccountType::Cash : AccountType::Margin;
    if (configured)
        command.configuration = configuration;
    if (!atEnd() && isCurrencyCode(peek().text))
        settings.currency = currencyCode(take("currency").text);

    std::map<std::string_view, const Token *> options;
    while (!atEnd()) {
        const Token &option = take("account option");
        const bool known = option.text == "currency" || option.text == "decimals" ||
                           option.text == "balance" || option.text == "maker" ||
                           option.text == "taker" || option.text == "per-unit" ||
                           option.text == "minimum";
        if (!known || options.contains(option.text))
            fail(option, "unexpected '" + shown(option.text) +
                             "' in an account line; expected each at most once: " +
                             std::string(kAccountOptions));
        options[option.text] = &take(std::string(option.text) + " value");
    }

    if (const auto found = options.find("currency"); found != options.end()) {
        if (!isCurrencyCode(found->second->text))
            fail(*found->second, "invalid currency '" + shown(found->second->text) +
                                     "': expected 3 or 4 capital letters, such as USD");
        settings.currency = currencyCode(found->second->text);
    }
    if (const auto found = options.find("decimals"); found != options.end())
        settings.moneyDecimals =
            static_cast<std::uint8_t>(integer(*found->second, "money decimals", 0, 18));
    const int decimals = settings.moneyDecimals;
    if (const auto found = options.find("balance"); found != options.end())
        command.openingBalance = money(*found->second, decimals, "balance");
    if (const auto found = options.find("maker"); found != options.end())
        settings.fees.maker = feeRate(*found->second);
    if (const auto found = options.find("taker"); found != options.end())
        settings.fees.taker = feeRate(*found->second);
    if (const auto found = options.find("per-unit"); found != options.end())
        settings.fees.perUnit = money(*found->second, decimals, "fee per unit");
    if (const auto found = options.find("minimum"); found != options.end())
        settings.fees.minimum = money(*found->second, decimals, "minimum fee");

    entry.moneyDecimals = decimals;
    m_result.scenario.names.addAccount(settings);
    return command;
}

Money Parser::money(const Token &token, int decimals, std::string_view valueName) const
{
    const DecimalValue value = parseDecimal(token.text, decimals);
    switch (value.error) {
    case DecimalError::None:
        return Money{value.units};
    case DecimalError::NotANumber:
        fail(token, "invalid " + std::string(valueName) + " '" + shown(token.text) +
                        "': expected a decimal number such as 1000.50");
    case DecimalError::TooManyDecimals:
        fail(token, std::string(valueName) + " '" + shown(token.text) + "' has " +
                        std::to_string(value.decimalsWritten) +
                        " decimal places, but the account's money has " + std::to_string(decimals));
    case DecimalError::OutOfRange:
        break;
    }
    fail(token, std::string(valueName) + " '" + shown(token.text) + "' is out of range");
}

// Basis points ("4bp", "0.25bp", "-1bp") or percent ("0.1%"), in parts per million exactly.
FeeRate Parser::feeRate(const Token &token) const
{
    const std::string_view text = token.text;
    DecimalValue value{0, DecimalError::NotANumber, 0};
    if (text.ends_with("bp"))
        value = parseDecimal(text.substr(0, text.size() - 2), 2);
    else if (text.ends_with('%'))
        value = parseDecimal(text.substr(0, text.size() - 1), 4);
    if (value.error != DecimalError::None)
        fail(token, "invalid fee rate '" + shown(text) +
                        "': expected basis points with up to 2 decimals, such as 4bp or 0.25bp, "
                        "or a percentage with up to 4 decimals, such as 0.1%");
    return FeeRate{value.units};
}

const Parser::AccountEntry &Parser::portfolioAccount(const Token &name) const
{
    const auto found = m_accounts.find(name.text);
    if (found == m_accounts.end() || found->second.moneyDecimals < 0)
        fail(name, "unknown portfolio account '" + shown(name.text) +
                       "'; open it above with 'account " + shown(name.text) + " cash|margin ...'");
    return found->second;
}

// `expect account NAME [cash AMOUNT] [fees AMOUNT]`
Action Parser::parseExpectAccount()
{
    const AccountEntry &entry = portfolioAccount(take("account name"));
    ExpectAccountCommand command;
    command.account = entry.id;
    while (!atEnd()) {
        const Token &option = take("account detail");
        if (option.text == "cash" && !command.cash)
            command.cash = money(take("cash balance"), entry.moneyDecimals, "cash balance");
        else if (option.text == "fees" && !command.fees)
            command.fees = money(take("fees paid"), entry.moneyDecimals, "fees paid");
        else
            fail(option, "unexpected '" + shown(option.text) +
                             "' in an account expectation; expected 'cash AMOUNT' or "
                             "'fees AMOUNT', each at most once");
    }
    if (!command.cash && !command.fees)
        failAtEnd("missing 'cash AMOUNT' or 'fees AMOUNT'");
    return command;
}

// `expect position NAME SYMBOL QUANTITY [average PRICE] [realized AMOUNT]
// [unrealized AMOUNT at PRICE]`
Action Parser::parseExpectPosition()
{
    const AccountEntry &entry = portfolioAccount(take("account name"));
    const InstrumentDefinition &definition = instrument(take("instrument symbol")).definition;
    ExpectPositionCommand command;
    command.account = entry.id;
    command.instrument = definition.id;
    command.quantity = quantity(take("position quantity"), definition, "position quantity");
    while (!atEnd()) {
        const Token &option = take("position detail");
        if (option.text == "average" && !command.average) {
            const Token &average = take("average price");
            const std::size_t point = average.text.find('.');
            const int written = point == std::string_view::npos
                                    ? 0
                                    : static_cast<int>(average.text.size() - point - 1);
            if (parseDecimal(average.text, written).error != DecimalError::None)
                fail(average, "invalid average price '" + shown(average.text) +
                                  "': expected a decimal number such as 90.5");
            command.average = std::string(average.text);
        } else if (option.text == "realized" && !command.realized) {
            command.realized = money(take("realized P&L"), entry.moneyDecimals, "realized P&L");
        } else if (option.text == "unrealized" && !command.unrealized) {
            command.unrealized =
                money(take("unrealized P&L"), entry.moneyDecimals, "unrealized P&L");
            const Token &at = take("'at MARK'");
            if (at.text != "at")
                fail(at, "expected 'at MARK' after the unrealized P&L");
            command.mark = price(take("mark price"), definition, "mark price");
        } else {
            fail(option, "unexpected '" + shown(option.text) +
                             "' in a position expectation; expected 'average PRICE', "
                             "'realized AMOUNT' or 'unrealized AMOUNT at PRICE', each at most "
                             "once");
        }
    }
    return command;
}

} // namespace bourse::scenario

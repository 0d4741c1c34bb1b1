#pragma once

// The settings of a portfolio account: its type, currency, money scale and fees. The portfolio
// (portfolio.h) applies them to fills, and the AccountOpened event (events.h) records them.

#include "money.h"
#include "types.h"

#include <array>
#include <cstdint>
#include <string_view>

namespace bourse {

// The numbers are stored in journals and snapshots: never reuse one.
enum class AccountType : std::uint8_t {
    Cash = 0,   // pays for what it buys, and never goes short or below zero cash
    Margin = 1, // settles realized P&L and fees, and may go short or below zero cash
};

std::string_view nameOf(AccountType type);

// The part a fill's order played: the resting order (maker) or the incoming one (taker). The
// numbers are stored in journals: never reuse one.
enum class LiquidityRole : std::uint8_t { Maker = 0, Taker = 1 };

// An ISO 4217 code or similar, zero padded: the form InstrumentDefinition::currency uses.
using CurrencyCode = std::array<char, 4>;

// The code made of the first four characters of text, zero padded.
constexpr CurrencyCode currencyCode(std::string_view text)
{
    CurrencyCode code{};
    for (std::size_t index = 0; index < code.size() && index < text.size(); ++index)
        code[index] = text[index];
    return code;
}

// An account's fees: a maker rate and a taker rate on the notional, a fee per whole quantity
// unit, and a minimum per fill. money.h's fee() computes the fee of one fill. A negative rate is
// a rebate, to which the minimum does not apply.
struct AccountFees {
    FeeRate maker;
    FeeRate taker;
    Money perUnit; // money units per whole quantity unit
    Money minimum; // money units per fill
};

bool operator==(const AccountFees &a, const AccountFees &b);

// The settings of an account, from its opening on.
struct AccountSettings {
    AccountId id;
    CurrencyCode currency{};
    std::uint8_t moneyDecimals = 2; // the balance is in units of 10^-moneyDecimals
    AccountType type = AccountType::Cash;
    AccountFees fees;

    friend bool operator==(const AccountSettings &, const AccountSettings &) = default;
};

} // namespace bourse

#pragma once

// Accounts, cash, fees, positions and P&L: the accounting applied to every fill.
//
// Positions use the weighted average cost of the open position. A fill in the direction of the
// position, or from flat, adds its cost to the position's cost. A fill against it realizes the
// difference between the fill price and the average on the closed quantity, a gain when a long
// sells higher or a short buys lower, and leaves the average as it was. A fill that crosses zero
// closes the old position in full and opens the rest at the fill price. Unlike the FIFO lots of
// the read models, no lot is kept, so a reduce realizes against the average, not against the
// oldest lot's price.
//
// Each position keeps two costs of the quantity it had at its last increase (the basis):
// - an exact price * quantity sum, from which the average price is derived as a fraction,
// - a money sum of the opening fills' notionals, rounded as money.h rounds each notional.
// A reduce leaves both as they are. The money cost of the quantity still open is the basis money
// cost pro rata, rounded half to even. A reduce realizes what the closed quantity brought in less
// the drop in that open cost. From flat to flat, the realized P&L therefore adds up to the
// closing notionals minus the opening notionals exactly, as the cash of a cash account does.
//
// Cash: a cash account pays the notional and the fee of a buy and receives the notional less
// the fee of a sell. It cannot sell more than its long position or take its balance below zero.
// A margin account's cash moves by realized P&L and fees only, so the position itself is not
// paid for. It may go short or below zero, because margin requirements are pre-trade risk's
// concern.
//
// Every money product comes from money.h. docs/portfolio.md works through the cases.

#include "account_settings.h"
#include "events.h"
#include "money.h"
#include "types.h"

#include <array>
#include <cstdint>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

namespace bourse {

// The outcome of a portfolio operation. On anything but Ok the portfolio is unchanged.
enum class PortfolioResult : std::uint8_t {
    Ok = 0,
    UnknownAccount,      // no open account has the id
    UnknownInstrument,   // no added instrument has the id
    DuplicateAccount,    // an account with the id is open already
    DuplicateInstrument, // an instrument with the id was added already
    DuplicatePosition,   // load(): two records for one account and instrument
    InvalidAccount,      // an id of zero, a money scale above 18, or a cash account below zero
    InvalidFees,         // a rate beyond +-100% of the notional, or a negative minimum fee
    InvalidInstrument,   // an id of zero, a scale above 18, or a multiplier of zero or less
    InvalidSequence,     // a fill with trade sequence zero
    InvalidPrice,        // a fill or mark price that is zero or negative
    InvalidQuantity,     // a fill quantity that is zero or negative
    CurrencyMismatch,    // the instrument is priced in a currency other than the account's
    DuplicateFill,       // the account posted this fill already, or one with a later sequence
    InsufficientCash,    // a cash account's balance would go below zero
    ShortSaleNotAllowed, // a cash account would sell more than its long position
    OutOfRange,          // an amount or quantity outside what the portfolio can represent
    InconsistentState,   // load(): a record contradicts itself or the account it belongs to
};

std::string_view nameOf(PortfolioResult result);

// The money.h fee schedule of a fill with the given role.
FeeSchedule feeScheduleFor(const AccountFees &fees, LiquidityRole role);

// An open account.
struct Account {
    AccountSettings settings;
    Money balance; // units of 10^-settings.moneyDecimals of settings.currency
    // The latest posted fill: its trade sequence and the sides posted at that sequence, bit
    // (1 << Side). Both sides of a self-trade share a sequence.
    SequenceNumber lastFillSequence = 0;
    std::uint8_t lastFillSides = 0;

    friend bool operator==(const Account &, const Account &) = default;
};

// The part of an instrument's definition that the portfolio keeps.
struct InstrumentTerms {
    InstrumentId id;
    CurrencyCode currency{};
    std::uint8_t priceDecimals = 0;
    std::uint8_t quantityDecimals = 0;
    std::int64_t multiplier = 1; // currency units per price unit and quantity unit

    friend bool operator==(const InstrumentTerms &, const InstrumentTerms &) = default;
};

// One side of a trade, from the view of the account on that side.
struct Fill {
    SequenceNumber tradeSequence = 0; // the sequence number of the Trade event
    AccountId account;
    InstrumentId instrument;
    Side side = Side::Buy;
    Price price;
    Quantity quantity; // positive
    LiquidityRole role = LiquidityRole::Taker;
};

// Splits a Trade event into the maker's fill and then the taker's fill. The maker's side is the
// opposite of the aggressor's.
std::array<Fill, 2> fillsOf(const Trade &trade, SequenceNumber sequence, InstrumentId instrument);

// A signed 128-bit integer, for exact price * quantity sums.
using ExactCost = detail::Int128;

// The extra decimals of Position::basisCost beyond price plus quantity decimals. They keep the
// average exact to 10^-9 of a price unit when a position grows again after a partial reduce,
// the one step that rounds it.
inline constexpr int kCostExtraDecimals = 9;

// The position of one account in one instrument.
struct Position {
    Quantity quantity; // positive long, negative short, zero flat
    // The quantity at the position's last increase, or zero when flat. It has the sign of
    // quantity and at least its magnitude, and only an increase or a close to flat changes it.
    Quantity basisQuantity;
    // price * quantity summed over the fills that built basisQuantity, in units of
    // 10^-(priceDecimals + quantityDecimals + kCostExtraDecimals), with the sign of basisQuantity.
    ExactCost basisCost = 0;
    // The notionals of those fills in money units, as money.h rounded each one.
    Money basisMoneyCost;
    Money realizedProfitAndLoss; // money units, since the position was first traded
    Money feesPaid;              // money units, rebates negative
    std::uint64_t fillCount = 0;

    friend bool operator==(const Position &, const Position &) = default;
};

// The money cost of the quantity a position has open now: its basis money cost pro rata,
// rounded half to even. Zero when flat.
Money openMoneyCost(const Position &position);

// An exact price in price units (Price values) as a fraction in lowest terms, with a positive
// denominator. Zero is 0/1.
struct AveragePrice {
    ExactCost numerator = 0;
    ExactCost denominator = 1;

    friend bool operator==(const AveragePrice &, const AveragePrice &) = default;
};

// The weighted average entry price of the open position, or 0/1 when flat.
AveragePrice averagePrice(const Position &position);

// The average in units of 10^-(priceDecimals + extraDecimals), rounded half to even, or
// OutOfRange when that does not fit an int64. An extraDecimals outside [0, kMaximumDecimals], or
// a denominator of zero or less, is InvalidScale.
Checked<std::int64_t> roundAveragePrice(const AveragePrice &average, int extraDecimals);

// The average as decimal text with priceDecimals + extraDecimals places, rounded half to even,
// such as "100.6667" for 302/3 with no price decimals and four extra. Empty when it does not fit.
DecimalText toDecimalText(const AveragePrice &average, int priceDecimals, int extraDecimals);

// The money a fill posted, in the account's money units. Zero amounts unless result is Ok.
struct PostedFill {
    PortfolioResult result = PortfolioResult::Ok;
    Money notional;              // signed: positive for a buy
    Money fee;                   // positive when charged, negative for a rebate
    Money realizedProfitAndLoss; // on the quantity the fill closed
    Money cashChange;            // what the account's balance moved by
};

// A money amount or the reason there is none. The amount is zero unless result is Ok.
struct MoneyResult {
    Money value;
    PortfolioResult result = PortfolioResult::Ok;
};

struct PositionRecord {
    AccountId account;
    InstrumentId instrument;
    Position position;

    friend bool operator==(const PositionRecord &, const PositionRecord &) = default;
};

// The whole state of a portfolio as plain records, each list in ascending id order.
struct PortfolioState {
    std::vector<InstrumentTerms> instruments;
    std::vector<Account> accounts;
    std::vector<PositionRecord> positions; // by account, then instrument

    friend bool operator==(const PortfolioState &, const PortfolioState &) = default;
};

// Accounts and their positions. Single writer: the engine thread calls every operation. After
// an account and an instrument have a position, posting a fill of that pair allocates nothing.
class Portfolio {
public:
    // Adds an instrument's terms: InvalidInstrument or DuplicateInstrument otherwise. The
    // portfolio takes an instrument's terms once, and they never change.
    PortfolioResult addInstrument(const InstrumentDefinition &definition);

    // Opens an account. A cash account's opening balance must be zero or more (InvalidAccount).
    PortfolioResult openAccount(const AccountSettings &settings, Money openingBalance);

    // Replaces an account's fees for the fills that follow.
    PortfolioResult setFees(AccountId account, const AccountFees &fees);

    // Deposits a positive amount or withdraws a negative one. A withdrawal may not take a cash
    // account below zero (InsufficientCash).
    PortfolioResult transferCash(AccountId account, Money amount);

    // Posts a fill: its fee, its cash and its change of position, all or nothing. Fills of one
    // account must come in ascending trade sequence, as the engine numbers trades. A fill whose
    // (trade sequence, side) is at or before the account's latest posted one is DuplicateFill,
    // so that a fill seen twice is charged once. A fill that fails leaves no trace, so the same
    // fill may be posted again once its problem is solved (a deposit, for InsufficientCash).
    PostedFill post(const Fill &fill);

    // Computes what post() would return for the fill without changing anything, for pre-trade
    // checks.
    PostedFill preview(const Fill &fill) const;

    // nullptr for an unknown account.
    const Account *account(AccountId id) const;
    // nullptr until the account posts a fill of the instrument. A position that went flat stays.
    const Position *position(AccountId account, InstrumentId instrument) const;
    const InstrumentTerms *instrument(InstrumentId id) const;

    // Computes the P&L of the open position if it closed at `mark`: the notional at the mark less
    // the open money cost. The caller picks the mark (last trade, mid). Zero when flat or never
    // traded. An unknown account or instrument, or a mark of zero or less, is UnknownAccount,
    // UnknownInstrument or InvalidPrice.
    MoneyResult unrealizedProfitAndLoss(AccountId account, InstrumentId instrument,
                                        Price mark) const;

    // Hashes every instrument, account and position, independently of how they are stored.
    std::uint64_t stateHash() const;

    // Copies the whole state out, to be written into an engine snapshot.
    PortfolioState state() const;
    // Replaces the whole state with `state` once every record checks out. On an error the
    // portfolio is unchanged and the result names the first problem. Records may come in any
    // order.
    PortfolioResult load(const PortfolioState &state);

    friend bool operator==(const Portfolio &, const Portfolio &) = default;

private:
    using PositionKey = std::pair<AccountId, InstrumentId>;

    // A fill worked out in full against the current state, ready to commit, with the entries it
    // replaces: no position entry for an account's first fill of the instrument.
    struct FillPlan {
        PostedFill posted;
        Account account;
        Position position;
        const Account *accountEntry = nullptr;
        const Position *positionEntry = nullptr;
    };

    FillPlan plan(const Fill &fill) const;

    std::map<InstrumentId, InstrumentTerms> m_instruments;
    std::map<AccountId, Account> m_accounts;
    std::map<PositionKey, Position> m_positions;
};

} // namespace bourse

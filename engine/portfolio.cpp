// Accounts, positions and P&L (portfolio.h): posting fills, the exact average, state and hash.

#include "portfolio.h"

#include <limits>
#include <optional>

namespace bourse {

using detail::UInt128;

namespace {

constexpr std::int64_t kRateLimit = 1'000'000; // parts per million: 100% of the notional
constexpr std::int64_t kCostScale = 1'000'000'000;
static_assert(kCostExtraDecimals == 9, "kCostScale is 10^kCostExtraDecimals");

constexpr ExactCost kExactCostMaximum = static_cast<ExactCost>(~UInt128{0} >> 1);

UInt128 magnitudeOf(ExactCost value)
{
    return value < 0 ? UInt128{0} - static_cast<UInt128>(value) : static_cast<UInt128>(value);
}

std::optional<ExactCost> withSign(UInt128 magnitude, bool negative)
{
    if (magnitude > static_cast<UInt128>(kExactCostMaximum))
        return std::nullopt;
    const auto value = static_cast<ExactCost>(magnitude);
    return negative ? -value : value;
}

// Computes value * numerator / denominator rounded half to even, for a denominator other than
// zero. Dividing first keeps every product within 128 bits, so the result is empty only when it
// does not fit.
std::optional<ExactCost> scaleHalfEven(ExactCost value, std::int64_t numerator,
                                       std::int64_t denominator)
{
    const UInt128 factor = magnitudeOf(ExactCost{numerator});
    const UInt128 divisor = magnitudeOf(ExactCost{denominator});
    const bool negative = (value < 0) != ((numerator < 0) != (denominator < 0));

    const UInt128 magnitude = magnitudeOf(value);
    UInt128 result = 0;
    if (__builtin_mul_overflow(magnitude / divisor, factor, &result))
        return std::nullopt;

    // The remainder is below 2^63 and the factor at most 2^63, so the product fits.
    const UInt128 remainderProduct = (magnitude % divisor) * factor;
    const UInt128 remainder = remainderProduct % divisor;
    if (__builtin_add_overflow(result, remainderProduct / divisor, &result))
        return std::nullopt;

    const UInt128 rest = divisor - remainder;
    const bool roundUp = remainder > rest || (remainder == rest && (result & 1) != 0);
    if (roundUp && __builtin_add_overflow(result, UInt128{1}, &result))
        return std::nullopt;
    return withSign(result, negative && result != 0);
}

UInt128 greatestCommonDivisor(UInt128 a, UInt128 b)
{
    while (b != 0) {
        const UInt128 rest = a % b;
        a = b;
        b = rest;
    }
    return a;
}

std::uint8_t sideBit(Side side)
{
    return static_cast<std::uint8_t>(1U << static_cast<unsigned>(side));
}

bool isPostedAlready(const Account &account, const Fill &fill)
{
    if (fill.tradeSequence != account.lastFillSequence)
        return fill.tradeSequence < account.lastFillSequence;
    return (account.lastFillSides & sideBit(fill.side)) != 0;
}

void recordPosted(Account &account, const Fill &fill)
{
    if (fill.tradeSequence != account.lastFillSequence) {
        account.lastFillSequence = fill.tradeSequence;
        account.lastFillSides = 0;
    }
    account.lastFillSides |= sideBit(fill.side);
}

Valuation valuationOf(const InstrumentTerms &terms, const Account &account)
{
    return Valuation{terms.priceDecimals, terms.quantityDecimals, terms.multiplier,
                     account.settings.moneyDecimals};
}

bool isValid(const AccountFees &fees)
{
    const auto withinLimit = [](FeeRate rate) {
        return rate.partsPerMillion >= -kRateLimit && rate.partsPerMillion <= kRateLimit;
    };
    return withinLimit(fees.maker) && withinLimit(fees.taker) && fees.minimum >= Money{0};
}

bool isValid(const AccountSettings &settings)
{
    return settings.id.value() != 0 && settings.moneyDecimals <= kMaximumDecimals;
}

bool isValid(const InstrumentTerms &terms)
{
    return terms.id.value() != 0 && terms.priceDecimals <= kMaximumDecimals &&
           terms.quantityDecimals <= kMaximumDecimals && terms.multiplier > 0;
}

// The part of a signed fill that closes the position: the fill's sign, at most the position's
// size. Zero when the fill goes the position's way or the position is flat.
std::int64_t closingPart(Quantity position, std::int64_t fill)
{
    const std::int64_t open = position.value();
    if (open == 0 || (open > 0) == (fill > 0))
        return 0;
    const std::int64_t openSize = open < 0 ? -open : open;
    const std::int64_t fillSize = fill < 0 ? -fill : fill;
    const std::int64_t closed = fillSize < openSize ? fillSize : openSize;
    return fill < 0 ? -closed : closed;
}

// Closes `closing` (signed like the fill) of the position at `closingNotional` and sets
// `realized` to what the closed quantity brought in, less the open money cost it takes away.
PortfolioResult closePart(Position &position, std::int64_t closing, Money closingNotional,
                          Money &realized)
{
    const Money costBefore = openMoneyCost(position);
    position.quantity += Quantity{closing};
    const Money costAfter = openMoneyCost(position);

    const Checked<Money> removed = subtractMoney(costBefore, costAfter);
    const Checked<Money> proceeds = subtractMoney(Money{0}, closingNotional);
    const Checked<Money> gain = subtractMoney(proceeds.value, removed.value);
    if (!removed.ok() || !proceeds.ok() || !gain.ok())
        return PortfolioResult::OutOfRange;
    realized = gain.value;

    if (position.quantity == Quantity{0}) {
        position.basisQuantity = Quantity{0};
        position.basisCost = 0;
        position.basisMoneyCost = Money{0};
    }
    return PortfolioResult::Ok;
}

// Opens `opening` (signed like the fill) at `price`, costing `openingNotional`. A position that
// a reduce left below its basis first carries the open part of its costs into the new basis.
PortfolioResult openPart(Position &position, Price price, std::int64_t opening,
                         Money openingNotional)
{
    ExactCost openingCost = 0;
    if (__builtin_mul_overflow(ExactCost{price.value()}, ExactCost{opening}, &openingCost) ||
        __builtin_mul_overflow(openingCost, ExactCost{kCostScale}, &openingCost))
        return PortfolioResult::OutOfRange;

    ExactCost carriedCost = position.basisCost;
    if (position.quantity != position.basisQuantity) {
        const std::optional<ExactCost> carried = scaleHalfEven(
            position.basisCost, position.quantity.value(), position.basisQuantity.value());
        if (!carried)
            return PortfolioResult::OutOfRange;
        carriedCost = *carried;
    }

    std::int64_t quantity = 0;
    ExactCost cost = 0;
    const Checked<Money> moneyCost = addMoney(openMoneyCost(position), openingNotional);
    if (__builtin_add_overflow(position.quantity.value(), opening, &quantity) ||
        quantity == std::numeric_limits<std::int64_t>::min() ||
        __builtin_add_overflow(carriedCost, openingCost, &cost) || !moneyCost.ok())
        return PortfolioResult::OutOfRange;

    position.quantity = Quantity{quantity};
    position.basisQuantity = Quantity{quantity};
    position.basisCost = cost;
    position.basisMoneyCost = moneyCost.value;
    return PortfolioResult::Ok;
}

// Applies a fill of `signedQuantity` (positive for a buy) with the given notional to the
// position, and sets `realized` to the P&L it realized.
PortfolioResult applyToPosition(Position &position, Price price, std::int64_t signedQuantity,
                                Money notionalAmount, const Valuation &valuation, Money &realized)
{
    realized = Money{0};
    const std::int64_t closing = closingPart(position.quantity, signedQuantity);
    const std::int64_t opening = signedQuantity - closing;

    // The closing part's notional comes from money.h, and the opening part gets the rest, so the
    // two parts add up to the fill's notional exactly.
    Money closingNotional{0};
    if (closing != 0) {
        const Checked<Money> closed = notional(price, Quantity{closing}, valuation);
        if (!closed.ok())
            return PortfolioResult::OutOfRange;
        closingNotional = closed.value;
        if (const PortfolioResult result = closePart(position, closing, closingNotional, realized);
            result != PortfolioResult::Ok)
            return result;
    }
    if (opening != 0) {
        const Checked<Money> openingNotional = subtractMoney(notionalAmount, closingNotional);
        if (!openingNotional.ok())
            return PortfolioResult::OutOfRange;
        if (const PortfolioResult result =
                openPart(position, price, opening, openingNotional.value);
            result != PortfolioResult::Ok)
            return result;
    }
    return PortfolioResult::Ok;
}

// A bijective 64-bit mix (the finalizer of SplitMix64), as the engine's state hash uses.
std::uint64_t mix(std::uint64_t value)
{
    value ^= value >> 30;
    value *= 0xbf58476d1ce4e5b9ULL;
    value ^= value >> 27;
    value *= 0x94d049bb133111ebULL;
    value ^= value >> 31;
    return value;
}

class StateHasher {
public:
    void add(std::uint64_t word) { m_hash = mix(m_hash ^ word) + 0x9e3779b97f4a7c15ULL; }
    void add(std::int64_t word) { add(static_cast<std::uint64_t>(word)); }
    void add(ExactCost word)
    {
        const auto bits = static_cast<UInt128>(word);
        add(static_cast<std::uint64_t>(bits));
        add(static_cast<std::uint64_t>(bits >> 64));
    }
    void add(const CurrencyCode &code)
    {
        std::uint64_t word = 0;
        for (char c : code)
            word = word << 8 | static_cast<unsigned char>(c);
        add(word);
    }
    std::uint64_t value() const { return m_hash; }

private:
    std::uint64_t m_hash = 0x6a09e667f3bcc909ULL;
};

void addFees(StateHasher &hasher, const AccountFees &fees)
{
    hasher.add(fees.maker.partsPerMillion);
    hasher.add(fees.taker.partsPerMillion);
    hasher.add(fees.perUnit.value());
    hasher.add(fees.minimum.value());
}

bool isMoney(Money amount)
{
    return amount.value() != std::numeric_limits<std::int64_t>::min();
}

// Whether a position's fields agree with each other and with its account's type.
bool isConsistent(const Position &position, AccountType type)
{
    const std::int64_t quantity = position.quantity.value();
    const std::int64_t basis = position.basisQuantity.value();
    constexpr std::int64_t kLowest = std::numeric_limits<std::int64_t>::min();
    if (quantity == kLowest || basis == kLowest || !isMoney(position.basisMoneyCost) ||
        !isMoney(position.realizedProfitAndLoss) || !isMoney(position.feesPaid))
        return false;
    if (type == AccountType::Cash && quantity < 0)
        return false;
    if (quantity == 0)
        return basis == 0 && position.basisCost == 0 && position.basisMoneyCost == Money{0};

    const bool negative = quantity < 0;
    const bool moneyAgainst =
        negative ? position.basisMoneyCost > Money{0} : position.basisMoneyCost < Money{0};
    return (basis < 0) == negative && (negative ? basis <= quantity : basis >= quantity) &&
           position.basisCost != 0 && (position.basisCost < 0) == negative && !moneyAgainst;
}

bool isConsistent(const Account &account)
{
    if (!isMoney(account.balance) || account.lastFillSides > 3 ||
        (account.lastFillSequence == 0) != (account.lastFillSides == 0))
        return false;
    return account.settings.type == AccountType::Margin || account.balance >= Money{0};
}

} // namespace

std::string_view nameOf(PortfolioResult result)
{
    switch (result) {
    case PortfolioResult::Ok:
        return "ok";
    case PortfolioResult::UnknownAccount:
        return "unknown account";
    case PortfolioResult::UnknownInstrument:
        return "unknown instrument";
    case PortfolioResult::DuplicateAccount:
        return "duplicate account";
    case PortfolioResult::DuplicateInstrument:
        return "duplicate instrument";
    case PortfolioResult::DuplicatePosition:
        return "duplicate position";
    case PortfolioResult::InvalidAccount:
        return "invalid account";
    case PortfolioResult::InvalidFees:
        return "invalid fees";
    case PortfolioResult::InvalidInstrument:
        return "invalid instrument";
    case PortfolioResult::InvalidSequence:
        return "invalid sequence";
    case PortfolioResult::InvalidPrice:
        return "invalid price";
    case PortfolioResult::InvalidQuantity:
        return "invalid quantity";
    case PortfolioResult::CurrencyMismatch:
        return "currency mismatch";
    case PortfolioResult::DuplicateFill:
        return "duplicate fill";
    case PortfolioResult::InsufficientCash:
        return "insufficient cash";
    case PortfolioResult::ShortSaleNotAllowed:
        return "short sale not allowed";
    case PortfolioResult::OutOfRange:
        return "out of range";
    case PortfolioResult::InconsistentState:
        return "inconsistent state";
    }
    return "unknown portfolio result";
}

std::string_view nameOf(AccountType type)
{
    return type == AccountType::Cash ? "cash" : "margin";
}

bool operator==(const AccountFees &a, const AccountFees &b)
{
    return a.maker.partsPerMillion == b.maker.partsPerMillion &&
           a.taker.partsPerMillion == b.taker.partsPerMillion && a.perUnit == b.perUnit &&
           a.minimum == b.minimum;
}

FeeSchedule feeScheduleFor(const AccountFees &fees, LiquidityRole role)
{
    return FeeSchedule{role == LiquidityRole::Maker ? fees.maker : fees.taker, fees.perUnit,
                       fees.minimum};
}

std::array<Fill, 2> fillsOf(const Trade &trade, SequenceNumber sequence, InstrumentId instrument)
{
    const Fill maker{
        sequence,    trade.makerAccount, instrument,          opposite(trade.aggressor),
        trade.price, trade.quantity,     LiquidityRole::Maker};
    const Fill taker{sequence,    trade.takerAccount, instrument,          trade.aggressor,
                     trade.price, trade.quantity,     LiquidityRole::Taker};
    return {maker, taker};
}

Money openMoneyCost(const Position &position)
{
    if (position.quantity == position.basisQuantity)
        return position.basisMoneyCost;
    // |quantity| < |basisQuantity|, so the result is at most the basis money cost in size.
    const std::optional<ExactCost> cost =
        scaleHalfEven(ExactCost{position.basisMoneyCost.value()}, position.quantity.value(),
                      position.basisQuantity.value());
    return Money{static_cast<std::int64_t>(cost.value_or(0))};
}

AveragePrice averagePrice(const Position &position)
{
    if (position.quantity == Quantity{0})
        return AveragePrice{};

    const ExactCost denominator = ExactCost{position.basisQuantity.value()} * kCostScale;
    const bool negative = (position.basisCost < 0) != (denominator < 0);
    UInt128 numeratorMagnitude = magnitudeOf(position.basisCost);
    UInt128 denominatorMagnitude = magnitudeOf(denominator);
    const UInt128 divisor = greatestCommonDivisor(numeratorMagnitude, denominatorMagnitude);
    numeratorMagnitude /= divisor;
    denominatorMagnitude /= divisor;
    const ExactCost numerator = static_cast<ExactCost>(numeratorMagnitude);
    return AveragePrice{negative ? -numerator : numerator,
                        static_cast<ExactCost>(denominatorMagnitude)};
}

Checked<std::int64_t> roundAveragePrice(const AveragePrice &average, int extraDecimals)
{
    if (extraDecimals < 0 || extraDecimals > kMaximumDecimals || average.denominator <= 0)
        return {0, MoneyError::InvalidScale};

    // One decimal digit at a time, so the remainder stays below the denominator. Ten times it
    // overflows (OutOfRange) only past a denominator of 2^124, which averagePrice() never gives.
    const UInt128 divisor = magnitudeOf(average.denominator);
    const UInt128 magnitude = magnitudeOf(average.numerator);
    UInt128 units = magnitude / divisor;
    UInt128 remainder = magnitude % divisor;
    for (int digit = 0; digit < extraDecimals; ++digit) {
        if (__builtin_mul_overflow(remainder, UInt128{10}, &remainder) ||
            __builtin_mul_overflow(units, UInt128{10}, &units) ||
            __builtin_add_overflow(units, remainder / divisor, &units))
            return {0, MoneyError::OutOfRange};
        remainder %= divisor;
    }

    const UInt128 rest = divisor - remainder;
    if (remainder > rest || (remainder == rest && (units & 1) != 0))
        ++units;
    if (units > detail::kMaximumMagnitude)
        return {0, MoneyError::OutOfRange};
    const auto value = static_cast<std::int64_t>(units);
    return {average.numerator < 0 ? -value : value};
}

DecimalText toDecimalText(const AveragePrice &average, int priceDecimals, int extraDecimals)
{
    if (priceDecimals < 0 || extraDecimals < 0 || priceDecimals + extraDecimals > kMaximumDecimals)
        return DecimalText{};
    const Checked<std::int64_t> units = roundAveragePrice(average, extraDecimals);
    if (!units.ok())
        return DecimalText{};
    return toDecimalText(units.value, priceDecimals + extraDecimals);
}

PortfolioResult Portfolio::addInstrument(const InstrumentDefinition &definition)
{
    const InstrumentTerms terms{definition.id, definition.currency, definition.priceDecimals,
                                definition.quantityDecimals, definition.multiplier};
    if (!isValid(terms))
        return PortfolioResult::InvalidInstrument;
    if (!m_instruments.try_emplace(terms.id, terms).second)
        return PortfolioResult::DuplicateInstrument;
    return PortfolioResult::Ok;
}

PortfolioResult Portfolio::openAccount(const AccountSettings &settings, Money openingBalance)
{
    if (!isValid(settings) || !isMoney(openingBalance) ||
        (settings.type == AccountType::Cash && openingBalance < Money{0}))
        return PortfolioResult::InvalidAccount;
    if (!isValid(settings.fees))
        return PortfolioResult::InvalidFees;
    if (m_accounts.contains(settings.id))
        return PortfolioResult::DuplicateAccount;
    m_accounts.emplace(settings.id, Account{settings, openingBalance});
    return PortfolioResult::Ok;
}

PortfolioResult Portfolio::setFees(AccountId id, const AccountFees &fees)
{
    const auto found = m_accounts.find(id);
    if (found == m_accounts.end())
        return PortfolioResult::UnknownAccount;
    if (!isValid(fees))
        return PortfolioResult::InvalidFees;
    found->second.settings.fees = fees;
    return PortfolioResult::Ok;
}

PortfolioResult Portfolio::transferCash(AccountId id, Money amount)
{
    const auto found = m_accounts.find(id);
    if (found == m_accounts.end())
        return PortfolioResult::UnknownAccount;
    Account &account = found->second;
    const Checked<Money> balance = addMoney(account.balance, amount);
    if (!balance.ok())
        return PortfolioResult::OutOfRange;
    if (account.settings.type == AccountType::Cash && balance.value < Money{0})
        return PortfolioResult::InsufficientCash;
    account.balance = balance.value;
    return PortfolioResult::Ok;
}

Portfolio::FillPlan Portfolio::plan(const Fill &fill) const
{
    FillPlan plan;
    const auto failed = [&plan](PortfolioResult result) {
        plan.posted = PostedFill{result, {}, {}, {}, {}};
        return plan;
    };
    if (fill.tradeSequence == 0)
        return failed(PortfolioResult::InvalidSequence);
    if (fill.price <= Price{0})
        return failed(PortfolioResult::InvalidPrice);
    if (fill.quantity <= Quantity{0})
        return failed(PortfolioResult::InvalidQuantity);

    const auto account = m_accounts.find(fill.account);
    if (account == m_accounts.end())
        return failed(PortfolioResult::UnknownAccount);
    const auto terms = m_instruments.find(fill.instrument);
    if (terms == m_instruments.end())
        return failed(PortfolioResult::UnknownInstrument);
    if (terms->second.currency != account->second.settings.currency)
        return failed(PortfolioResult::CurrencyMismatch);
    if (isPostedAlready(account->second, fill))
        return failed(PortfolioResult::DuplicateFill);

    plan.account = account->second;
    plan.accountEntry = &account->second;
    const auto position = m_positions.find(PositionKey{fill.account, fill.instrument});
    if (position != m_positions.end()) {
        plan.position = position->second;
        plan.positionEntry = &position->second;
    }

    const bool cashAccount = plan.account.settings.type == AccountType::Cash;
    if (cashAccount && fill.side == Side::Sell && fill.quantity > plan.position.quantity)
        return failed(PortfolioResult::ShortSaleNotAllowed);

    // Every amount of the fill, from money.h.
    const Valuation valuation = valuationOf(terms->second, plan.account);
    const std::int64_t signedQuantity =
        fill.side == Side::Buy ? fill.quantity.value() : -fill.quantity.value();
    const Checked<Money> fillNotional = notional(fill.price, Quantity{signedQuantity}, valuation);
    const Checked<Money> fillFee = fee(fill.price, fill.quantity, valuation,
                                       feeScheduleFor(plan.account.settings.fees, fill.role));
    if (!fillNotional.ok() || !fillFee.ok())
        return failed(PortfolioResult::OutOfRange);

    Money realized{0};
    if (const PortfolioResult result = applyToPosition(plan.position, fill.price, signedQuantity,
                                                       fillNotional.value, valuation, realized);
        result != PortfolioResult::Ok)
        return failed(result);

    // A cash account pays or receives the notional, and a margin account settles realized P&L.
    const Checked<Money> settled =
        cashAccount ? subtractMoney(Money{0}, fillNotional.value) : Checked<Money>{realized};
    const Checked<Money> cashChange = subtractMoney(settled.value, fillFee.value);
    const Checked<Money> balance = addMoney(plan.account.balance, cashChange.value);
    const Checked<Money> totalRealized = addMoney(plan.position.realizedProfitAndLoss, realized);
    const Checked<Money> totalFees = addMoney(plan.position.feesPaid, fillFee.value);
    if (!settled.ok() || !cashChange.ok() || !balance.ok() || !totalRealized.ok() ||
        !totalFees.ok() || plan.position.fillCount == std::numeric_limits<std::uint64_t>::max())
        return failed(PortfolioResult::OutOfRange);
    if (cashAccount && balance.value < Money{0})
        return failed(PortfolioResult::InsufficientCash);

    plan.position.realizedProfitAndLoss = totalRealized.value;
    plan.position.feesPaid = totalFees.value;
    ++plan.position.fillCount;
    plan.account.balance = balance.value;
    recordPosted(plan.account, fill);
    plan.posted = PostedFill{PortfolioResult::Ok, fillNotional.value, fillFee.value, realized,
                             cashChange.value};
    return plan;
}

PostedFill Portfolio::preview(const Fill &fill) const
{
    return plan(fill).posted;
}

PostedFill Portfolio::post(const Fill &fill)
{
    const FillPlan planned = plan(fill);
    if (planned.posted.result != PortfolioResult::Ok)
        return planned.posted;

    // The entries plan() found belong to this portfolio, which post() may change.
    *const_cast<Account *>(planned.accountEntry) = planned.account;
    if (planned.positionEntry == nullptr)
        m_positions.emplace(PositionKey{fill.account, fill.instrument}, planned.position);
    else
        *const_cast<Position *>(planned.positionEntry) = planned.position;
    return planned.posted;
}

const Account *Portfolio::account(AccountId id) const
{
    const auto found = m_accounts.find(id);
    return found == m_accounts.end() ? nullptr : &found->second;
}

const Position *Portfolio::position(AccountId account, InstrumentId instrument) const
{
    const auto found = m_positions.find(PositionKey{account, instrument});
    return found == m_positions.end() ? nullptr : &found->second;
}

const InstrumentTerms *Portfolio::instrument(InstrumentId id) const
{
    const auto found = m_instruments.find(id);
    return found == m_instruments.end() ? nullptr : &found->second;
}

MoneyResult Portfolio::unrealizedProfitAndLoss(AccountId accountId, InstrumentId instrumentId,
                                               Price mark) const
{
    const Account *owner = account(accountId);
    if (!owner)
        return {Money{}, PortfolioResult::UnknownAccount};
    const InstrumentTerms *terms = instrument(instrumentId);
    if (!terms)
        return {Money{}, PortfolioResult::UnknownInstrument};
    if (mark <= Price{0})
        return {Money{}, PortfolioResult::InvalidPrice};
    const Position *held = position(accountId, instrumentId);
    if (!held || held->quantity == Quantity{0})
        return {Money{0}, PortfolioResult::Ok};

    const Checked<Money> value = notional(mark, held->quantity, valuationOf(*terms, *owner));
    const Checked<Money> profit = subtractMoney(value.value, openMoneyCost(*held));
    if (!value.ok() || !profit.ok())
        return {Money{}, PortfolioResult::OutOfRange};
    return {profit.value, PortfolioResult::Ok};
}

// Maps iterate in key order, so equal states hash equally however they were built.
std::uint64_t Portfolio::stateHash() const
{
    StateHasher hasher;
    hasher.add(std::uint64_t{m_instruments.size()});
    for (const auto &[id, terms] : m_instruments) {
        hasher.add(std::uint64_t{id.value()});
        hasher.add(terms.currency);
        hasher.add(std::uint64_t{terms.priceDecimals} << 8 | terms.quantityDecimals);
        hasher.add(terms.multiplier);
    }
    hasher.add(std::uint64_t{m_accounts.size()});
    for (const auto &[id, account] : m_accounts) {
        hasher.add(std::uint64_t{id.value()});
        hasher.add(account.settings.currency);
        hasher.add(std::uint64_t{account.settings.moneyDecimals} << 8 |
                   static_cast<std::uint64_t>(account.settings.type));
        addFees(hasher, account.settings.fees);
        hasher.add(account.balance.value());
        hasher.add(account.lastFillSequence);
        hasher.add(std::uint64_t{account.lastFillSides});
    }
    hasher.add(std::uint64_t{m_positions.size()});
    for (const auto &[key, position] : m_positions) {
        hasher.add(std::uint64_t{key.first.value()} << 32 | key.second.value());
        hasher.add(position.quantity.value());
        hasher.add(position.basisQuantity.value());
        hasher.add(position.basisCost);
        hasher.add(position.basisMoneyCost.value());
        hasher.add(position.realizedProfitAndLoss.value());
        hasher.add(position.feesPaid.value());
        hasher.add(position.fillCount);
    }
    return hasher.value();
}

PortfolioState Portfolio::state() const
{
    PortfolioState state;
    state.instruments.reserve(m_instruments.size());
    for (const auto &[id, terms] : m_instruments)
        state.instruments.push_back(terms);
    state.accounts.reserve(m_accounts.size());
    for (const auto &[id, account] : m_accounts)
        state.accounts.push_back(account);
    state.positions.reserve(m_positions.size());
    for (const auto &[key, position] : m_positions)
        state.positions.push_back(PositionRecord{key.first, key.second, position});
    return state;
}

PortfolioResult Portfolio::load(const PortfolioState &state)
{
    Portfolio loaded;
    for (const InstrumentTerms &terms : state.instruments) {
        if (!isValid(terms))
            return PortfolioResult::InvalidInstrument;
        if (!loaded.m_instruments.try_emplace(terms.id, terms).second)
            return PortfolioResult::DuplicateInstrument;
    }
    for (const Account &account : state.accounts) {
        if (!isValid(account.settings))
            return PortfolioResult::InvalidAccount;
        if (!isValid(account.settings.fees))
            return PortfolioResult::InvalidFees;
        if (!isConsistent(account))
            return PortfolioResult::InconsistentState;
        if (!loaded.m_accounts.try_emplace(account.settings.id, account).second)
            return PortfolioResult::DuplicateAccount;
    }
    for (const PositionRecord &record : state.positions) {
        const Account *owner = loaded.account(record.account);
        if (!owner)
            return PortfolioResult::UnknownAccount;
        const InstrumentTerms *terms = loaded.instrument(record.instrument);
        if (!terms)
            return PortfolioResult::UnknownInstrument;
        if (terms->currency != owner->settings.currency)
            return PortfolioResult::CurrencyMismatch;
        if (!isConsistent(record.position, owner->settings.type))
            return PortfolioResult::InconsistentState;
        const PositionKey key{record.account, record.instrument};
        if (!loaded.m_positions.try_emplace(key, record.position).second)
            return PortfolioResult::DuplicatePosition;
    }
    *this = std::move(loaded);
    return PortfolioResult::Ok;
}

} // namespace bourse

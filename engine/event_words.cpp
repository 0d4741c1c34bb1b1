// The words, numbers and names of the event text.

#include "event_text.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace bourse {

namespace {

template <typename Enum>
struct WordEntry {
    Enum value;
    std::string_view word;
};

constexpr WordEntry<RejectReason> kRejectReasonWords[] = {
    {RejectReason::UnknownOrder, "unknown-order"},
    {RejectReason::DuplicateOrderId, "duplicate-order-id"},
    {RejectReason::InvalidQuantity, "invalid-quantity"},
    {RejectReason::InvalidPrice, "invalid-price"},
    {RejectReason::NoLiquidity, "no-liquidity"},
    {RejectReason::TradingHalted, "trading-halted"},
    {RejectReason::UnknownInstrument, "unknown-instrument"},
    {RejectReason::PriceNotOnTick, "price-not-on-tick"},
    {RejectReason::QuantityNotOnLot, "quantity-not-on-lot"},
    {RejectReason::OutsidePriceBand, "outside-price-band"},
    {RejectReason::BelowMinimumQuantity, "below-minimum-quantity"},
    {RejectReason::AboveMaximumQuantity, "above-maximum-quantity"},
    {RejectReason::DuplicateClientOrderId, "duplicate-client-order-id"},
    {RejectReason::InstrumentClosed, "instrument-closed"},
    {RejectReason::WouldTakeLiquidity, "would-take-liquidity"},
    {RejectReason::InvalidDisplayQuantity, "invalid-display-quantity"},
    {RejectReason::InvalidExpiry, "invalid-expiry"},
    {RejectReason::InvalidTimeInForce, "invalid-time-in-force"},
    {RejectReason::NotAllowedInAuction, "not-allowed-in-auction"},
    {RejectReason::InvalidStopPrice, "invalid-stop-price"},
    {RejectReason::DuplicateInstrument, "duplicate-instrument"},
    {RejectReason::InvalidInstrument, "invalid-instrument"},
    {RejectReason::InvalidStatusChange, "invalid-status-change"},
    {RejectReason::DuplicateAccount, "duplicate-account"},
    {RejectReason::InvalidAccount, "invalid-account"},
    {RejectReason::RiskLimit, "risk-limit"},
    {RejectReason::KillSwitchEngaged, "kill-switch-engaged"},
    {RejectReason::InvalidRiskLimits, "invalid-risk-limits"},
};

constexpr WordEntry<CancelReason> kCancelReasonWords[] = {
    {CancelReason::Requested, "requested"},
    {CancelReason::Unfilled, "unfilled"},
    {CancelReason::MarketData, "market-data"},
    {CancelReason::Resynchronized, "resynchronized"},
    {CancelReason::FillOrKill, "fill-or-kill"},
    {CancelReason::SelfTrade, "self-trade"},
    {CancelReason::Expired, "expired"},
    {CancelReason::MassCancel, "mass-cancel"},
    {CancelReason::ProtectionLimit, "protection-limit"},
    {CancelReason::KillSwitch, "kill-switch"},
};

constexpr WordEntry<TradingStatus> kStatusWords[] = {
    {TradingStatus::Trading, "open"},         {TradingStatus::Halted, "halted"},
    {TradingStatus::QuoteOnly, "quote-only"}, {TradingStatus::PreOpen, "pre-open"},
    {TradingStatus::Closed, "closed"},
};

constexpr WordEntry<TimeInForce> kTimeInForceWords[] = {
    {TimeInForce::Gtc, "gtc"}, {TimeInForce::Day, "day"}, {TimeInForce::Gtd, "gtd"},
    {TimeInForce::Ioc, "ioc"}, {TimeInForce::Fok, "fok"},
};

constexpr WordEntry<SelfTradePrevention> kSelfTradePreventionWords[] = {
    {SelfTradePrevention::AccountDefault, "account-default"},
    {SelfTradePrevention::CancelNewest, "cancel-newest"},
    {SelfTradePrevention::CancelOldest, "cancel-oldest"},
    {SelfTradePrevention::CancelBoth, "cancel-both"},
    {SelfTradePrevention::DecrementAndCancel, "decrement-and-cancel"},
};

constexpr WordEntry<QueuePriority> kQueuePriorityWords[] = {
    {QueuePriority::Kept, "kept"},
    {QueuePriority::Lost, "lost"},
};

constexpr WordEntry<OrderType> kOrderTypeWords[] = {
    {OrderType::Limit, "limit"},
    {OrderType::Market, "market"},
    {OrderType::Stop, "stop"},
    {OrderType::StopLimit, "stop-limit"},
};

constexpr WordEntry<OrderOrigin> kOrderOriginWords[] = {
    {OrderOrigin::OrderEntry, "order-entry"},
    {OrderOrigin::MarketData, "market-data"},
    {OrderOrigin::Recovered, "recovered"},
};

constexpr WordEntry<Liquidity> kLiquidityWords[] = {
    {Liquidity::Any, "any"},
    {Liquidity::PostOnly, "post-only"},
};

constexpr WordEntry<Side> kSideWords[] = {{Side::Buy, "buy"}, {Side::Sell, "sell"}};

template <typename Enum>
constexpr std::span<const WordEntry<Enum>> wordTable();
template <>
constexpr std::span<const WordEntry<RejectReason>> wordTable()
{
    return kRejectReasonWords;
}
template <>
constexpr std::span<const WordEntry<CancelReason>> wordTable()
{
    return kCancelReasonWords;
}
template <>
constexpr std::span<const WordEntry<TradingStatus>> wordTable()
{
    return kStatusWords;
}
template <>
constexpr std::span<const WordEntry<TimeInForce>> wordTable()
{
    return kTimeInForceWords;
}
template <>
constexpr std::span<const WordEntry<SelfTradePrevention>> wordTable()
{
    return kSelfTradePreventionWords;
}
template <>
constexpr std::span<const WordEntry<QueuePriority>> wordTable()
{
    return kQueuePriorityWords;
}
template <>
constexpr std::span<const WordEntry<OrderType>> wordTable()
{
    return kOrderTypeWords;
}
template <>
constexpr std::span<const WordEntry<OrderOrigin>> wordTable()
{
    return kOrderOriginWords;
}
template <>
constexpr std::span<const WordEntry<Liquidity>> wordTable()
{
    return kLiquidityWords;
}
template <>
constexpr std::span<const WordEntry<Side>> wordTable()
{
    return kSideWords;
}

template <typename Enum>
std::string_view lookUpWord(Enum value)
{
    for (const auto &entry : wordTable<Enum>()) {
        if (entry.value == value)
            return entry.word;
    }
    return "unknown";
}

} // namespace

std::string_view wordOf(RejectReason reason)
{
    return lookUpWord(reason);
}
std::string_view wordOf(CancelReason reason)
{
    return lookUpWord(reason);
}
std::string_view wordOf(TradingStatus status)
{
    return lookUpWord(status);
}
std::string_view wordOf(TimeInForce timeInForce)
{
    return lookUpWord(timeInForce);
}
std::string_view wordOf(SelfTradePrevention mode)
{
    return lookUpWord(mode);
}
std::string_view wordOf(QueuePriority priority)
{
    return lookUpWord(priority);
}
std::string_view wordOf(OrderType type)
{
    return lookUpWord(type);
}
std::string_view wordOf(OrderOrigin origin)
{
    return lookUpWord(origin);
}
std::string_view wordOf(Liquidity liquidity)
{
    return lookUpWord(liquidity);
}
std::string_view wordOf(Side side)
{
    return lookUpWord(side);
}

template <typename Enum>
std::optional<Enum> fromWord(std::string_view word)
{
    for (const auto &entry : wordTable<Enum>()) {
        if (entry.word == word)
            return entry.value;
    }
    return std::nullopt;
}

template <typename Enum>
std::vector<std::string_view> wordsOf()
{
    std::vector<std::string_view> words;
    for (const auto &entry : wordTable<Enum>())
        words.push_back(entry.word);
    return words;
}

#define BOURSE_INSTANTIATE_WORDS(Enum)                                                             \
    template std::optional<Enum> fromWord<Enum>(std::string_view);                                 \
    template std::vector<std::string_view> wordsOf<Enum>();

BOURSE_INSTANTIATE_WORDS(RejectReason)
BOURSE_INSTANTIATE_WORDS(CancelReason)
BOURSE_INSTANTIATE_WORDS(TradingStatus)
BOURSE_INSTANTIATE_WORDS(TimeInForce)
BOURSE_INSTANTIATE_WORDS(SelfTradePrevention)
BOURSE_INSTANTIATE_WORDS(QueuePriority)
BOURSE_INSTANTIATE_WORDS(OrderType)
BOURSE_INSTANTIATE_WORDS(OrderOrigin)
BOURSE_INSTANTIATE_WORDS(Liquidity)
BOURSE_INSTANTIATE_WORDS(Side)
#undef BOURSE_INSTANTIATE_WORDS

namespace {

// GCC and Clang provide 128-bit integers as an extension, and __extension__ keeps -Wpedantic
// quiet about them.
__extension__ using Int128 = __int128;
__extension__ using UInt128 = unsigned __int128;

// Decimal text of a 128-bit value scaled by 10^-decimals.
std::string formatScaled(Int128 value, int decimals)
{
    const bool negative = value < 0;
    UInt128 magnitude =
        negative ? UInt128(0) - static_cast<UInt128>(value) : static_cast<UInt128>(value);
    std::string digits;
    while (magnitude > 0) {
        digits.push_back(static_cast<char>('0' + static_cast<int>(magnitude % 10)));
        magnitude /= 10;
    }
    const auto width = static_cast<std::size_t>(decimals) + 1;
    if (digits.size() < width)
        digits.append(width - digits.size(), '0');
    std::reverse(digits.begin(), digits.end());
    if (decimals > 0)
        digits.insert(digits.end() - decimals, '.');
    return negative ? "-" + digits : digits;
}

} // namespace

std::string formatDecimal(std::int64_t value, int decimals)
{
    return formatScaled(Int128{value}, decimals);
}

std::string formatPrice(Price price, const InstrumentDefinition &instrument)
{
    return formatDecimal(price.value(), instrument.priceDecimals);
}

std::string formatQuantity(Quantity quantity, const InstrumentDefinition &instrument)
{
    return formatDecimal(quantity.value(), instrument.quantityDecimals);
}

std::string formatNotional(Price price, Quantity quantity, const InstrumentDefinition &instrument)
{
    // |price * quantity| < 2^126 always, so only the multiplier can leave 128 bits.
    const Int128 value = Int128{price.value()} * Int128{quantity.value()};
    Int128 notional = 0;
    if (__builtin_mul_overflow(value, Int128{instrument.multiplier}, &notional))
        return "overflow";
    return formatScaled(notional, instrument.priceDecimals + instrument.quantityDecimals);
}

std::string formatTime(Timestamp time)
{
    constexpr std::int64_t kSecond = 1'000'000'000;
    const std::int64_t nanoseconds = time.value();
    const bool negative = nanoseconds < 0;
    const std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(nanoseconds)
                                             : static_cast<std::uint64_t>(nanoseconds);
    const std::uint64_t seconds = magnitude / kSecond;
    const std::uint64_t fraction = magnitude % kSecond;

    char text[64];
    int length = std::snprintf(text, sizeof text, "%s%02llu:%02llu:%02llu", negative ? "-" : "",
                               static_cast<unsigned long long>(seconds / 3600),
                               static_cast<unsigned long long>(seconds / 60 % 60),
                               static_cast<unsigned long long>(seconds % 60));
    if (fraction % 1'000'000 == 0)
        std::snprintf(text + length, sizeof text - static_cast<std::size_t>(length), ".%03llu",
                      static_cast<unsigned long long>(fraction / 1'000'000));
    else if (fraction % 1'000 == 0)
        std::snprintf(text + length, sizeof text - static_cast<std::size_t>(length), ".%06llu",
                      static_cast<unsigned long long>(fraction / 1'000));
    else
        std::snprintf(text + length, sizeof text - static_cast<std::size_t>(length), ".%09llu",
                      static_cast<unsigned long long>(fraction));
    return text;
}

std::string textOf(std::span<const char> fixedText)
{
    const auto end = std::find(fixedText.begin(), fixedText.end(), '\0');
    return std::string(fixedText.begin(), end);
}

void EventNames::nameOrder(OrderId id, std::string label)
{
    m_orders[id] = std::move(label);
}

void EventNames::nameAccount(AccountId id, std::string name)
{
    m_accounts[id] = std::move(name);
}

void EventNames::addInstrument(const InstrumentDefinition &definition)
{
    m_instruments[definition.id] = definition;
}

void EventNames::addAccount(const AccountSettings &settings)
{
    m_moneyDecimals[settings.id] = settings.moneyDecimals;
}

int EventNames::moneyDecimals(AccountId id) const
{
    const auto found = m_moneyDecimals.find(id);
    return found != m_moneyDecimals.end() ? found->second : 0;
}

std::optional<int> EventNames::sharedQuantityDecimals() const
{
    if (m_instruments.empty())
        return std::nullopt;
    const int decimals = m_instruments.begin()->second.quantityDecimals;
    for (const auto &[id, definition] : m_instruments) {
        if (definition.quantityDecimals != decimals)
            return std::nullopt;
    }
    return decimals;
}

std::string EventNames::orderLabel(OrderId id) const
{
    if (id.value() == 0)
        return "-";
    const auto found = m_orders.find(id);
    return found != m_orders.end() ? found->second : std::string("#") + std::to_string(id.value());
}

std::string EventNames::accountName(AccountId id) const
{
    if (id.value() == 0)
        return "-";
    const auto found = m_accounts.find(id);
    return found != m_accounts.end() ? found->second : std::to_string(id.value());
}

std::string EventNames::symbol(InstrumentId id) const
{
    const auto found = m_instruments.find(id);
    if (found == m_instruments.end())
        return std::string("instrument") + std::to_string(id.value());
    return textOf(found->second.symbol);
}

const InstrumentDefinition &EventNames::instrument(InstrumentId id) const
{
    static const InstrumentDefinition unknown{};
    const auto found = m_instruments.find(id);
    return found != m_instruments.end() ? found->second : unknown;
}

const std::string *EventDescription::find(std::string_view key) const
{
    const auto found = fields.find(key);
    return found != fields.end() ? &found->second : nullptr;
}

namespace {

// The length of the well-formed UTF-8 sequence at the start of text (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0 when it does not start with one.
std::size_t utf8SequenceLength(std::string_view text)
{
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(0);
    std::size_t length = 0;
    unsigned char secondLow = 0x80;
    unsigned char secondHigh = 0xbf;
    if (lead < 0x80)
        return 1;
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        secondLow = lead == 0xe0 ? 0xa0 : 0x80;
        secondHigh = lead == 0xed ? 0x9f : 0xbf;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        secondLow = lead == 0xf0 ? 0x90 : 0x80;
        secondHigh = lead == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0;
    }
    if (text.size() < length || byte(1) < secondLow || byte(1) > secondHigh)
        return 0;
    for (std::size_t i = 2; i < length; ++i) {
        if (byte(i) < 0x80 || byte(i) > 0xbf)
            return 0;
    }
    return length;
}

void appendUnicodeEscape(std::string &out, unsigned char byte)
{
    char escaped[8];
    std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(byte));
    out += escaped;
}

} // namespace

std::string jsonQuoted(std::string_view text)
{
    std::string quoted = "\"";
    while (!text.empty()) {
        const char c = text.front();
        const std::size_t length = utf8SequenceLength(text);
        if (c == '"' || c == '\\') {
            quoted += '\\';
            quoted += c;
        } else if (length == 0 || static_cast<unsigned char>(c) < 0x20) {
            // A byte that is not part of valid UTF-8 becomes the code point of the same
            // number, so the output stays valid JSON and no byte is lost.
            appendUnicodeEscape(quoted, static_cast<unsigned char>(c));
        } else {
            quoted.append(text.substr(0, length));
            text.remove_prefix(length - 1);
        }
        text.remove_prefix(1);
    }
    return quoted + "\"";
}

} // namespace bourse

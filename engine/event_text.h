#pragma once

// Engine events as text: one readable line per event, or one JSON object per event. Order ids,
// accounts and instruments appear under the names a scenario or a user gave them. Prices,
// quantities and notionals are exact decimals in the instrument's scale, and money amounts in the
// account's money scale. A risk limit without an instrument applies to every instrument in its
// own lots, so its quantities show in the quantity decimals that all instruments share, or as
// whole lots when they differ. A risk rejection's values use the unit and decimals that the
// event carries.
//
// The line format is also the grammar of scenario expectations: a line lists an event's fields
// as a subject, bare values, words and "keyword value" pairs, described once in eventSyntax().

#include "events.h"

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bourse {

// The words of the event text for enum values, one spelling each, such as "price-not-on-tick"
// or "cancel-oldest". wordOf returns the word. fromWord returns the value, or nothing for a
// word that is not one of wordsOf<Enum>().
std::string_view wordOf(RejectReason reason);
std::string_view wordOf(CancelReason reason);
std::string_view wordOf(TradingStatus status); // "open" for TradingStatus::Trading
std::string_view wordOf(TimeInForce timeInForce);
std::string_view wordOf(SelfTradePrevention mode);
std::string_view wordOf(QueuePriority priority);
std::string_view wordOf(OrderType type);
std::string_view wordOf(OrderOrigin origin);
std::string_view wordOf(Liquidity liquidity);
std::string_view wordOf(Side side);

template <typename Enum>
std::optional<Enum> fromWord(std::string_view word);
template <typename Enum>
std::vector<std::string_view> wordsOf();

// Exact decimal text of value * 10^-decimals: (1251, 2) is "12.51", (-5, 2) is "-0.05" and
// (100, 0) is "100". Every digit is kept, so the text always has exactly `decimals` decimals.
std::string formatDecimal(std::int64_t value, int decimals);

std::string formatPrice(Price price, const InstrumentDefinition &instrument);
std::string formatQuantity(Quantity quantity, const InstrumentDefinition &instrument);

// price * quantity * multiplier in the instrument's currency, with priceDecimals +
// quantityDecimals decimals, computed in 128-bit integers. A product beyond 128 bits, which
// needs a multiplier above about 10^11 at the engine's largest price and quantity, is "overflow".
std::string formatNotional(Price price, Quantity quantity, const InstrumentDefinition &instrument);

// Time of day since midnight as HH:MM:SS.mmm, with 6 or 9 decimals when the microseconds or
// nanoseconds are not zero. Hours go past 23 for times beyond one day.
std::string formatTime(Timestamp time);

// Fixed-size text of an instrument definition, such as the symbol, up to its first zero byte.
std::string textOf(std::span<const char> fixedText);

// The names shown for ids. An order without a label shows as "#<id>", an account without a
// name as its number, an instrument without a definition as "instrument<id>" with no decimals.
// A zero id shows as "-". Money amounts show with the decimals of their account's money scale,
// or as whole units of that scale for an account whose settings were not added.
class EventNames {
public:
    void nameOrder(OrderId id, std::string label);
    void nameAccount(AccountId id, std::string name);
    void addInstrument(const InstrumentDefinition &definition);
    void addAccount(const AccountSettings &settings);

    std::string orderLabel(OrderId id) const;
    std::string accountName(AccountId id) const;
    int moneyDecimals(AccountId id) const;
    // The quantity decimals of every added instrument, or nothing when there is none or when
    // two instruments differ.
    std::optional<int> sharedQuantityDecimals() const;
    std::string symbol(InstrumentId id) const;
    const InstrumentDefinition &instrument(InstrumentId id) const;

private:
    std::map<OrderId, std::string> m_orders;
    std::map<AccountId, std::string> m_accounts;
    std::map<InstrumentId, InstrumentDefinition> m_instruments;
    std::map<AccountId, int> m_moneyDecimals;
};

// The place and form of a field in an event line.
enum class FieldSyntax : std::uint8_t {
    Subject,         // first after the event word: the order label or the instrument symbol
    SubjectFallback, // the subject when no Subject field is present, else shown in JSON only
    Value,           // a bare value, such as the quantity of a trade. A kind has several bare
                     // values only when their types tell them apart (symbol, quantity).
    AtPrice,         // "@ 12.51"
    Word,            // a bare word from the field's vocabulary, such as "buy" or "unfilled"
    Keyed,           // "keyword value", such as "maker A"
    JsonOnly,        // not in the line, only in the JSON object
};

// The type of a field's value, which decides how scenario text is read into it.
enum class FieldType : std::uint8_t {
    Label,       // an order label
    Symbol,      // an instrument symbol
    Account,     // an account name
    Quantity,    // a decimal in the instrument's quantity scale
    Price,       // a decimal in the instrument's price scale
    Notional,    // a decimal with price plus quantity decimals
    Integer,     // a whole number
    Time,        // a time of day
    Text,        // free text without spaces, such as a currency code
    BasisPoints, // "500bp" or "5%"
    Side,
    RejectReason,
    CancelReason,
    Status,
    TimeInForce,
    SelfTradePrevention,
    QueuePriority,
    OrderType,
    OrderOrigin,
    Liquidity,
};

struct FieldSyntaxEntry {
    std::string_view key;     // the JSON key
    std::string_view keyword; // the word before the value of a Keyed field
    FieldSyntax syntax;
    FieldType type;
    // For Word fields: the values shown in the line. Other values of the field appear in JSON
    // only, so "market" shows in an order line while "limit" is implied by "@ price".
    std::vector<std::string_view> printedWords;
};

struct EventSyntax {
    std::string_view kind;                // the first word of the line, such as "trade"
    std::vector<FieldSyntaxEntry> fields; // in the order they are printed
};

// The syntax of every event kind, and of one kind by its word (nullptr when unknown).
std::span<const EventSyntax> eventSyntax();
const EventSyntax *eventSyntax(std::string_view kind);

// One event's fields as canonical text: the values formatEvent prints and an expectation is
// compared with. Fields that do not apply to the event (no account, no display size) are absent.
struct EventDescription {
    std::string_view kind;
    std::map<std::string, std::string, std::less<>> fields; // key -> canonical value

    const std::string *find(std::string_view key) const;
};

EventDescription describeEvent(const Event &event, const EventNames &names);

// The description as one line in the order of its syntax, such as
// "trade ABC 100 @ 12.51 maker A taker B buy notional 1251.00 maker-left 0".
std::string formatText(const EventDescription &description);

// The description's fields as JSON members without braces: "event" first, then every field
// with its key, in the order of the syntax. Every value is a JSON string, so decimals stay exact.
std::string formatJsonMembers(const EventDescription &description);

// One event as a line ("trade ABC 100 @ 12.51 ...") or as one JSON object with "sequence",
// "time", "time_ns" and the fields.
std::string formatEvent(const Event &event, const EventNames &names);
std::string formatEventJson(const Event &event, const EventNames &names);

// Text as a JSON string literal, with quotes, backslashes and control characters escaped. A
// byte that is not part of well-formed UTF-8 is written as \u00XX with the byte's value, so the
// result is always valid JSON, whatever bytes the text has.
std::string jsonQuoted(std::string_view text);

} // namespace bourse

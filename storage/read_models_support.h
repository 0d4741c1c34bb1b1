#pragma once

#include "read_models_schema.h"

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// Names stored in the views file, and small helpers for the projection's statements.
namespace bourse::storage::views {

// The state of an order row, stored as its lower-case name.
enum class OrderState : std::uint8_t { Working, Parked, Filled, Cancelled, Rejected };

// Engine enums are stored as their C++ enumerator names, such as "StopLimit" and
// "PriceNotOnTick", so a column reads the same as the code.
std::string_view enumeratorName(Side side);
std::string_view enumeratorName(OrderType type);
std::string_view enumeratorName(TimeInForce timeInForce);
std::string_view enumeratorName(TradingStatus status);
std::string_view enumeratorName(CancelReason reason);
std::string_view enumeratorName(RejectReason reason);
std::string_view enumeratorName(AccountType type);
std::string_view enumeratorName(KillSwitchScope scope);
std::string_view enumeratorName(RiskRule rule);
std::string_view enumeratorName(LimitScope scope);
std::string_view enumeratorName(RiskUnit unit);
std::string_view enumeratorName(RiskAlertLevel level);
std::string_view stateName(OrderState state);

std::optional<Side> parseSide(std::string_view name);
std::optional<OrderType> parseOrderType(std::string_view name);
std::optional<TimeInForce> parseTimeInForce(std::string_view name);
std::optional<TradingStatus> parseTradingStatus(std::string_view name);
std::optional<OrderState> parseOrderState(std::string_view name);
std::optional<AccountType> parseAccountType(std::string_view name);
std::optional<KillSwitchScope> parseKillSwitchScope(std::string_view name);
std::optional<RiskRule> parseRiskRule(std::string_view name);
std::optional<LimitScope> parseLimitScope(std::string_view name);
std::optional<RiskUnit> parseRiskUnit(std::string_view name);
std::optional<RiskAlertLevel> parseRiskAlertLevel(std::string_view name);

inline Problem inconsistent(std::string what)
{
    return Problem{ReadModelErrorKind::InconsistentEvent, std::move(what)};
}

inline Problem overflow(const char *what)
{
    return inconsistent(std::string(what) + " exceeds the range of a 64-bit integer");
}

// A row that the projection cannot have written, named like "orders row with entry_sequence 5".
Problem damagedRow(const std::string &row, const std::string &what);

// SQLite integers are signed; sequence numbers and order ids fit below 2^63.
inline std::int64_t asInteger(std::uint64_t value)
{
    return static_cast<std::int64_t>(value);
}

inline void bindOptional(sqlite3_stmt *statement, int index, bool present, std::int64_t value)
{
    if (present) {
        sqlite3_bind_int64(statement, index, value);
    } else {
        sqlite3_bind_null(statement, index);
    }
}

// Binds a name that outlives the statement's next step, or NULL for an empty one.
inline void bindName(sqlite3_stmt *statement, int index, std::string_view name)
{
    if (name.empty()) {
        sqlite3_bind_null(statement, index);
    } else {
        sqlite3_bind_text(statement, index, name.data(), static_cast<int>(name.size()),
                          SQLITE_STATIC);
    }
}

// Runs a prepared statement that returns no rows and resets it. Returns SQLite's result code.
inline int stepOnce(sqlite3_stmt *statement)
{
    const int resultCode = sqlite3_step(statement);
    sqlite3_reset(statement);
    return resultCode;
}

inline std::optional<std::int64_t> integerAt(sqlite3_stmt *statement, int column)
{
    if (sqlite3_column_type(statement, column) != SQLITE_INTEGER) {
        return std::nullopt;
    }
    return sqlite3_column_int64(statement, column);
}

inline std::string_view textAt(sqlite3_stmt *statement, int column)
{
    const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(statement, column));
    return text != nullptr ? std::string_view(text) : std::string_view();
}

} // namespace bourse::storage::views

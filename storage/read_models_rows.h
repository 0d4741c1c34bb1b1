#pragma once

#include "read_model_queries.h"
#include "read_models_schema.h"

#include <sqlite3.h>

#include <optional>

// Decoding the result rows of ReadModelReader's queries into its row types.
namespace bourse::storage::views {

// Each decodes the current row of a statement that selects the columns ReadModelReader's query
// for that type selects, in that order. A value the projection cannot have written, such as
// NULL in a NOT NULL column, an unknown name or a negative sequence number, is a ViewsDamaged
// problem that names the row and the column.
std::optional<Problem> decodeRow(sqlite3_stmt *statement, InstrumentRow &row);
std::optional<Problem> decodeRow(sqlite3_stmt *statement, OrderRow &row);
std::optional<Problem> decodeRow(sqlite3_stmt *statement, FillRow &row);
std::optional<Problem> decodeRow(sqlite3_stmt *statement, PositionRow &row);
std::optional<Problem> decodeRow(sqlite3_stmt *statement, TradeRow &row);
std::optional<Problem> decodeRow(sqlite3_stmt *statement, BarRow &row);
std::optional<Problem> decodeRow(sqlite3_stmt *statement, AccountRow &row);
std::optional<Problem> decodeRow(sqlite3_stmt *statement, AccountPositionRow &row);
std::optional<Problem> decodeRow(sqlite3_stmt *statement, RiskLimitsRow &row);
std::optional<Problem> decodeRow(sqlite3_stmt *statement, KillSwitchRow &row);
std::optional<Problem> decodeRow(sqlite3_stmt *statement, RiskRejectionRow &row);
std::optional<Problem> decodeRow(sqlite3_stmt *statement, RiskAlertRow &row);

} // namespace bourse::storage::views

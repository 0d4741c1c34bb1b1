#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>

namespace bourse::storage {

struct DatabaseCloser {
    void operator()(sqlite3 *database) const { sqlite3_close_v2(database); }
};

struct StatementFinalizer {
    void operator()(sqlite3_stmt *statement) const { sqlite3_finalize(statement); }
};

using DatabaseHandle = std::unique_ptr<sqlite3, DatabaseCloser>;
using StatementHandle = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// SQLite's message for a failed call, with the extended result code:
// "database is locked (SQLite error 5)". Prefers the connection's message, which names the
// table or constraint, when it belongs to `resultCode`.
std::string describeSqliteError(sqlite3 *database, int resultCode);

// Prepares one statement. Returns null on failure and leaves the result code in `resultCode`.
StatementHandle prepareStatement(sqlite3 *database, const char *sql, int &resultCode);

// Opens a connection with extended result codes and a busy timeout of `busyTimeoutMs`. On
// failure returns null and SQLite's message, without the file name, in `error`.
DatabaseHandle openDatabase(const std::string &path, int flags, int busyTimeoutMs,
                            std::string &error);

// Runs SQL that returns no rows. Returns SQLITE_OK or the first failing result code.
int executeSql(sqlite3 *database, const char *sql);

} // namespace bourse::storage

#include "sqlite_support.h"

namespace bourse::storage {

std::string describeSqliteError(sqlite3 *database, int resultCode)
{
    const bool connectionHasIt =
        database != nullptr && (sqlite3_extended_errcode(database) == resultCode ||
                                sqlite3_errcode(database) == (resultCode & 0xff));
    const char *message = connectionHasIt ? sqlite3_errmsg(database) : sqlite3_errstr(resultCode);
    return std::string(message) + " (SQLite error " + std::to_string(resultCode) + ")";
}

StatementHandle prepareStatement(sqlite3 *database, const char *sql, int &resultCode)
{
    sqlite3_stmt *statement = nullptr;
    resultCode = sqlite3_prepare_v2(database, sql, -1, &statement, nullptr);
    if (resultCode != SQLITE_OK) {
        sqlite3_finalize(statement);
        return nullptr;
    }
    return StatementHandle(statement);
}

DatabaseHandle openDatabase(const std::string &path, int flags, int busyTimeoutMs,
                            std::string &error)
{
    // SQLite builds with URI names on, Debian's among them, read a name starting with "file:"
    // as a URI with options. A plain path must stay a path, so it gets a "./" in front.
    const bool plainPath = (flags & SQLITE_OPEN_URI) == 0 && path.rfind("file:", 0) == 0;
    const std::string name = plainPath ? "./" + path : path;
    sqlite3 *connection = nullptr;
    const int resultCode = sqlite3_open_v2(name.c_str(), &connection, flags, nullptr);
    DatabaseHandle database(connection);
    if (resultCode != SQLITE_OK) {
        error = describeSqliteError(connection, resultCode);
        return nullptr;
    }
    sqlite3_extended_result_codes(connection, 1);
    sqlite3_busy_timeout(connection, busyTimeoutMs);
    return database;
}

int executeSql(sqlite3 *database, const char *sql)
{
    return sqlite3_exec(database, sql, nullptr, nullptr, nullptr);
}

} // namespace bourse::storage

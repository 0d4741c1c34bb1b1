// The journal's records table: what a run keeps beside its events to be continued as it was.

#include "journal_format.h"

namespace bourse::storage::format {

namespace {

// Append-only, as the chunks and snapshots tables are.
constexpr const char *createRecordsSql =
    "CREATE TABLE IF NOT EXISTS records (\n"
    "    id INTEGER PRIMARY KEY,\n"
    "    sequence INTEGER NOT NULL CHECK (sequence >= 0),\n"
    "    chain_hash INTEGER NOT NULL,\n"
    "    kind TEXT NOT NULL,\n"
    "    body BLOB NOT NULL,\n"
    "    checksum INTEGER NOT NULL\n"
    ");\n"
    "CREATE TRIGGER IF NOT EXISTS records_no_update BEFORE UPDATE ON records\n"
    "BEGIN SELECT RAISE(ABORT, 'the records table of a journal is append-only'); END;\n"
    "CREATE TRIGGER IF NOT EXISTS records_no_delete BEFORE DELETE ON records\n"
    "BEGIN SELECT RAISE(ABORT, 'the records table of a journal is append-only'); END;\n";

std::span<const std::uint8_t> bytesOf(const std::string &text)
{
    return {reinterpret_cast<const std::uint8_t *>(text.data()), text.size()};
}

} // namespace

std::optional<JournalError> ensureRecordsTable(sqlite3 *database, const std::string &path)
{
    const int resultCode = executeSql(database, createRecordsSql);
    if (resultCode == SQLITE_OK)
        return std::nullopt;
    return JournalError{sqliteFailureKind(resultCode), path, 0,
                        "failed to create the records table: " +
                            describeSqliteError(database, resultCode)};
}

std::uint64_t recordChecksum(const JournalRecord &record)
{
    Fnv1a64 hash;
    hash.addLittleEndian(record.sequence, 8);
    hash.addLittleEndian(record.chainHash, 8);
    hash.addLittleEndian(record.kind.size(), 8);
    hash.addBytes(bytesOf(record.kind));
    hash.addBytes(bytesOf(record.body));
    return hash.value();
}

} // namespace bourse::storage::format

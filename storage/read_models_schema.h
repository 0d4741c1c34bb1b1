#pragma once

#include "read_models.h"

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>

// The tables of a views file, shared by ReadModelWriter and the projection.
namespace bourse::storage::views {

// PRAGMA application_id of every views file: "BRSV" in ASCII. Journals use "BRSJ".
inline constexpr std::int32_t applicationId = 0x42525356;

// The read-model format this build writes. A newer one is rejected; an older one is rebuilt.
// Format 2 added the tables of portfolio accounts and pre-trade risk, which a file of format 1
// lacks even where its journal has their events.
inline constexpr std::int64_t formatVersion = 2;

// An error without the file name, which the writer adds.
struct Problem {
    ReadModelErrorKind kind = ReadModelErrorKind::SqliteFailed;
    std::string what;
};

// "<what>: <SQLite's message>", as DatabaseCorrupt when SQLite reports corruption.
Problem sqliteProblem(sqlite3 *database, int resultCode, const std::string &what);

enum class SchemaState : std::uint8_t {
    Empty,       // no tables: the schema may be created
    Current,     // a views file of this build's format
    OlderFormat, // a views file of an older format, to be dropped and rebuilt
};

struct SchemaCheck {
    SchemaState state = SchemaState::Empty;
    std::optional<Problem> problem;
};

// Classifies a database before anything is written to it. A database that is neither empty
// nor a views file of this or an older format is a problem. That covers a file that is not
// SQLite, a database of another application, a views file of a newer format, and one with
// tables missing.
SchemaCheck inspectSchema(sqlite3 *database);

// Creates the tables, the `about` rows, an empty projection row and the application id.
// Runs inside the caller's transaction.
std::optional<Problem> createSchema(sqlite3 *database);

// Whether a views file of the current format lacks one of the indexes of ReadModelReader's
// queries, which files written before them do. True as well when the schema cannot be read.
bool lacksQueryIndexes(sqlite3 *database);

// Creates the indexes of ReadModelReader's queries that are missing. Runs inside the caller's
// transaction.
std::optional<Problem> createQueryIndexes(sqlite3 *database);

// Drops every table and view of the views file. Runs inside the caller's transaction.
std::optional<Problem> dropSchema(sqlite3 *database);

// The single row of the `projection` table.
struct ProjectionRow {
    std::optional<std::string> journalPath;
    std::optional<std::uint64_t> journalFirstHash;
    SequenceNumber lastSequence = 0;
    std::uint64_t lastHash = 0;
};

std::optional<Problem> readProjectionRow(sqlite3 *database, ProjectionRow &row);

// Chain hashes are stored as text, "0x" and 16 lower-case hex digits, as `bourse-engine
// journal verify` prints them, so that a user can compare the two.
std::string hashText(std::uint64_t hash);
std::optional<std::uint64_t> parseHashText(const std::string &text);

inline constexpr const char *updateProjectionSql =
    "UPDATE projection SET journal_path = ?1, journal_first_hash = ?2, last_sequence = ?3, "
    "last_hash = ?4, updated_time = ?5 WHERE id = 1";

} // namespace bourse::storage::views

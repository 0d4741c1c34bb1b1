#include "journal_format.h"

#include "event_codec.h"

#include <cinttypes>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

namespace bourse::storage::format {

namespace {

// The chunks and snapshots tables are append-only: the triggers reject an UPDATE or DELETE made
// by mistake. They do not stop a deliberate edit (a trigger can be dropped); the checksums and
// the hash chain detect that. Version 1 journals have an events table with the same triggers.
#define BOURSE_JOURNAL_VERSION_2_TABLES                                                            \
    "CREATE TABLE chunks (\n"                                                                      \
    "    first_sequence INTEGER PRIMARY KEY NOT NULL CHECK (first_sequence > 0),\n"                \
    "    last_sequence INTEGER NOT NULL,\n"                                                        \
    "    event_count INTEGER NOT NULL,\n"                                                          \
    "    body BLOB NOT NULL\n"                                                                     \
    ");\n"                                                                                         \
    "CREATE TRIGGER chunks_no_update BEFORE UPDATE ON chunks\n"                                    \
    "BEGIN SELECT RAISE(ABORT, 'the chunks table of a journal is append-only'); END;\n"            \
    "CREATE TRIGGER chunks_no_delete BEFORE DELETE ON chunks\n"                                    \
    "BEGIN SELECT RAISE(ABORT, 'the chunks table of a journal is append-only'); END;\n"            \
    "CREATE TABLE snapshots (\n"                                                                   \
    "    sequence INTEGER PRIMARY KEY NOT NULL CHECK (sequence > 0),\n"                            \
    "    chain_hash INTEGER NOT NULL,\n"                                                           \
    "    state_hash INTEGER NOT NULL,\n"                                                           \
    "    body BLOB NOT NULL,\n"                                                                    \
    "    checksum INTEGER NOT NULL\n"                                                              \
    ");\n"                                                                                         \
    "CREATE TRIGGER snapshots_no_update BEFORE UPDATE ON snapshots\n"                              \
    "BEGIN SELECT RAISE(ABORT, 'the snapshots table of a journal is append-only'); END;\n"

constexpr const char *createSchemaSql =
    "BEGIN IMMEDIATE;\n"
    "CREATE TABLE metadata (\n"
    "    key TEXT PRIMARY KEY NOT NULL,\n"
    "    value INTEGER NOT NULL\n"
    ") WITHOUT ROWID;\n" BOURSE_JOURNAL_VERSION_2_TABLES
    "INSERT INTO metadata (key, value) VALUES\n"
    "    ('format_version', 2), ('last_sequence', 0), ('last_hash', 0);\n"
    "PRAGMA application_id = 1112691530;\n"
    "COMMIT;\n";

constexpr const char *upgradeSchemaSql =
    "BEGIN IMMEDIATE;\n" BOURSE_JOURNAL_VERSION_2_TABLES
    "UPDATE metadata SET value = 2 WHERE key = 'format_version';\n"
    "COMMIT;\n";

#undef BOURSE_JOURNAL_VERSION_2_TABLES

static_assert(applicationId == 1112691530, "createSchemaSql repeats the application id");
static_assert(formatVersion == 2, "createSchemaSql and upgradeSchemaSql repeat the version");

JournalError makeError(JournalErrorKind kind, const std::string &path, SequenceNumber sequence,
                       std::string what)
{
    return JournalError{kind, path, sequence, std::move(what)};
}

// Errors of the first statement on a file tell whether it is an SQLite database at all.
JournalError openError(sqlite3 *database, int resultCode, const std::string &path)
{
    const int primaryCode = resultCode & 0xff;
    if (primaryCode == SQLITE_NOTADB) {
        return makeError(JournalErrorKind::NotAJournal, path, 0,
                         "not a journal: " + describeSqliteError(database, resultCode));
    }
    if (primaryCode == SQLITE_CORRUPT) {
        return makeError(JournalErrorKind::DatabaseCorrupt, path, 0,
                         "the database file is damaged: " +
                             describeSqliteError(database, resultCode));
    }
    return makeError(JournalErrorKind::OpenFailed, path, 0,
                     "failed to read the database: " + describeSqliteError(database, resultCode));
}

struct TableNames {
    bool any = false;
    bool events = false;
    bool chunks = false;
    bool snapshots = false;
    bool metadata = false;
};

std::optional<JournalError> readTableNames(sqlite3 *database, const std::string &path,
                                           TableNames &names)
{
    int resultCode = SQLITE_OK;
    const StatementHandle statement =
        prepareStatement(database, "SELECT type, name FROM sqlite_schema", resultCode);
    if (!statement) {
        return openError(database, resultCode, path);
    }

    while ((resultCode = sqlite3_step(statement.get())) == SQLITE_ROW) {
        // Any object counts, a view or an index as much as a table: only a database with
        // nothing in it may become a journal.
        const auto *type = reinterpret_cast<const char *>(sqlite3_column_text(statement.get(), 0));
        const auto *name = reinterpret_cast<const char *>(sqlite3_column_text(statement.get(), 1));
        const bool isTable = type != nullptr && std::string(type) == "table";
        const std::string table = isTable && name != nullptr ? name : "";
        names.any = true;
        names.events = names.events || table == "events";
        names.chunks = names.chunks || table == "chunks";
        names.snapshots = names.snapshots || table == "snapshots";
        names.metadata = names.metadata || table == "metadata";
    }
    if (resultCode != SQLITE_DONE) {
        return openError(database, resultCode, path);
    }
    return std::nullopt;
}

std::optional<JournalError> readApplicationId(sqlite3 *database, const std::string &path,
                                              std::uint32_t &id)
{
    int resultCode = SQLITE_OK;
    const StatementHandle statement =
        prepareStatement(database, "PRAGMA application_id", resultCode);
    if (statement) {
        resultCode = sqlite3_step(statement.get());
    }
    if (resultCode != SQLITE_ROW) {
        return openError(database, resultCode, path);
    }
    id = static_cast<std::uint32_t>(sqlite3_column_int(statement.get(), 0));
    return std::nullopt;
}

JournalError otherApplication(const std::string &path, std::uint32_t id)
{
    char text[80];
    std::snprintf(text, sizeof text, "application id 0x%08" PRIx32 " where 0x%08" PRIx32, id,
                  static_cast<std::uint32_t>(applicationId));
    return makeError(JournalErrorKind::NotAJournal, path, 0,
                     "not a journal: the SQLite database has " + std::string(text) + " expected");
}

// One row of the metadata table as found.
struct MetadataValue {
    bool present = false;
    bool integer = false;
    std::int64_t value = 0;
};

struct Metadata {
    MetadataValue formatVersion;
    MetadataValue lastSequence;
    MetadataValue lastHash;
};

std::optional<JournalError> readMetadata(sqlite3 *database, const std::string &path,
                                         Metadata &metadata)
{
    int resultCode = SQLITE_OK;
    const StatementHandle statement =
        prepareStatement(database, "SELECT key, value FROM metadata", resultCode);
    if (!statement) {
        return openError(database, resultCode, path);
    }

    while ((resultCode = sqlite3_step(statement.get())) == SQLITE_ROW) {
        const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(statement.get(), 0));
        const std::string key = text != nullptr ? text : "";
        MetadataValue *found = key == "format_version"  ? &metadata.formatVersion
                               : key == "last_sequence" ? &metadata.lastSequence
                               : key == "last_hash"     ? &metadata.lastHash
                                                        : nullptr;
        if (found != nullptr) {
            found->present = true;
            found->integer = sqlite3_column_type(statement.get(), 1) == SQLITE_INTEGER;
            found->value = sqlite3_column_int64(statement.get(), 1);
        }
    }
    if (resultCode != SQLITE_DONE) {
        return openError(database, resultCode, path);
    }
    return std::nullopt;
}

// "a", "a and b", "a, b and c", with `lastSeparator` in place of " and ".
std::string joinList(const std::vector<std::string> &items, const char *lastSeparator)
{
    std::string text;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) {
            text += i + 1 == items.size() ? lastSeparator : ", ";
        }
        text += items[i];
    }
    return text;
}

// Checks the metadata table of a file with a journal's application id and tables, and names every
// missing row and invalid value. A newer format version is reported alone, because a newer
// format may keep other rows.
std::optional<JournalError> checkMetadata(const Metadata &metadata, const std::string &path)
{
    const MetadataValue &version = metadata.formatVersion;
    if (version.integer && version.value > formatVersion) {
        return makeError(JournalErrorKind::UnsupportedFormat, path, 0,
                         "journal format version " + std::to_string(version.value) +
                             " is newer than this build reads (version " +
                             std::to_string(formatVersion) + "); open it with a newer Bourse");
    }

    std::vector<std::string> missing;
    std::vector<std::string> invalid;
    const auto check = [&](const char *key, const MetadataValue &value, std::int64_t minimum) {
        if (!value.present) {
            missing.emplace_back(key);
        } else if (!value.integer) {
            invalid.push_back(std::string(key) + " is not an integer");
        } else if (value.value < minimum) {
            invalid.push_back(std::string(key) + " is " + std::to_string(value.value) +
                              ", below the minimum of " + std::to_string(minimum));
        }
    };
    check("format_version", version, 1);
    check("last_sequence", metadata.lastSequence, 0);
    check("last_hash", metadata.lastHash, std::numeric_limits<std::int64_t>::min());

    std::vector<std::string> problems;
    if (missing.size() == 1) {
        problems.push_back("the row " + missing.front() + " is missing");
    } else if (!missing.empty()) {
        problems.push_back("the rows " + joinList(missing, " and ") + " are missing");
    }
    problems.insert(problems.end(), invalid.begin(), invalid.end());
    if (problems.empty()) {
        return std::nullopt;
    }
    return makeError(JournalErrorKind::MetadataDamaged, path, 0,
                     "damaged metadata: " + joinList(problems, ", and "));
}

} // namespace

std::uint64_t eventChecksum(const StoredEvent &event)
{
    Fnv1a64 hash;
    hash.addLittleEndian(static_cast<std::uint64_t>(event.sequence), 8);
    hash.addLittleEndian(static_cast<std::uint64_t>(event.time), 8);
    hash.addLittleEndian(static_cast<std::uint64_t>(event.instrument), 4);
    hash.addLittleEndian(static_cast<std::uint64_t>(event.type), 1);
    hash.addBytes(event.payload);
    return hash.value();
}

std::uint64_t chainHash(std::uint64_t previousHash, std::uint64_t checksum)
{
    Fnv1a64 hash;
    hash.addLittleEndian(previousHash, 8);
    hash.addLittleEndian(checksum, 8);
    return hash.value();
}

void fillStoredEvent(const Event &event, std::uint64_t previousHash, StoredEvent &stored)
{
    stored.sequence = static_cast<std::int64_t>(event.sequence);
    stored.time = event.time.value();
    stored.instrument = static_cast<std::int64_t>(event.instrument.value());
    stored.type = static_cast<std::int64_t>(typeOf(event.payload));
    stored.payload.clear();
    appendEncodedPayload(event.payload, stored.payload);
    stored.checksum = eventChecksum(stored);
    stored.hash = chainHash(previousHash, stored.checksum);
}

std::optional<std::string> readStoredEvent(sqlite3_stmt *statement, StoredEvent &event)
{
    static constexpr const char *integerColumns[] = {"sequence", "time",     "instrument",
                                                     "type",     "checksum", "hash"};
    static constexpr int integerIndexes[] = {0, 1, 2, 3, 5, 6};
    for (std::size_t i = 0; i < std::size(integerIndexes); ++i) {
        if (sqlite3_column_type(statement, integerIndexes[i]) != SQLITE_INTEGER) {
            return "column " + std::string(integerColumns[i]) + " is not an integer";
        }
    }
    if (sqlite3_column_type(statement, 4) != SQLITE_BLOB) {
        return "column payload is not a blob";
    }

    event.sequence = sqlite3_column_int64(statement, 0);
    event.time = sqlite3_column_int64(statement, 1);
    event.instrument = sqlite3_column_int64(statement, 2);
    event.type = sqlite3_column_int64(statement, 3);
    const auto *payload = static_cast<const std::uint8_t *>(sqlite3_column_blob(statement, 4));
    const auto payloadSize = static_cast<std::size_t>(sqlite3_column_bytes(statement, 4));
    event.payload.assign(payload, payload + payloadSize);
    event.checksum = static_cast<std::uint64_t>(sqlite3_column_int64(statement, 5));
    event.hash = static_cast<std::uint64_t>(sqlite3_column_int64(statement, 6));
    return std::nullopt;
}

CheckedEvent checkStoredEvent(const StoredEvent &stored, std::uint64_t previousHash,
                              const std::string &path)
{
    const auto sequence = static_cast<SequenceNumber>(stored.sequence);
    const auto failed = [&](JournalErrorKind kind, std::string what) {
        return CheckedEvent{std::nullopt, makeError(kind, path, sequence, std::move(what))};
    };

    // The checksum covers 4 bytes of the instrument and 1 of the type, so wider values are
    // rejected before it is computed.
    if (stored.instrument < 0 || stored.instrument > std::numeric_limits<std::uint32_t>::max()) {
        return failed(JournalErrorKind::MalformedRow,
                      "instrument " + std::to_string(stored.instrument) + " is out of range");
    }
    if (stored.type < 0 || stored.type > std::numeric_limits<std::uint8_t>::max()) {
        return failed(JournalErrorKind::MalformedRow,
                      "type " + std::to_string(stored.type) + " is out of range");
    }

    const std::uint64_t checksum = eventChecksum(stored);
    if (checksum != stored.checksum) {
        return failed(JournalErrorKind::ChecksumMismatch, "checksum mismatch: stored " +
                                                              hex(stored.checksum) + ", computed " +
                                                              hex(checksum));
    }

    const std::uint64_t expectedHash = chainHash(previousHash, stored.checksum);
    if (expectedHash != stored.hash) {
        return failed(JournalErrorKind::ChainBroken,
                      "chain broken: stored hash " + hex(stored.hash) +
                          " does not follow from the previous event's hash (expected " +
                          hex(expectedHash) + ")");
    }

    DecodedPayload decoded = decodePayload(stored.payload);
    if (!decoded.payload) {
        return failed(JournalErrorKind::UndecodablePayload,
                      "undecodable payload: " + decoded.error);
    }
    const EventType payloadType = typeOf(*decoded.payload);
    if (static_cast<std::int64_t>(payloadType) != stored.type) {
        return failed(JournalErrorKind::UndecodablePayload,
                      "type column " + std::to_string(stored.type) +
                          " does not match the payload's type " +
                          std::to_string(static_cast<int>(payloadType)) + " (" +
                          std::string(nameOf(payloadType)) + ")");
    }

    Event event;
    event.sequence = sequence;
    event.time = Timestamp{stored.time};
    event.instrument = InstrumentId{static_cast<std::uint32_t>(stored.instrument)};
    event.payload = std::move(*decoded.payload);
    return CheckedEvent{std::move(event), std::nullopt};
}

SchemaCheck inspectSchema(sqlite3 *database, const std::string &path)
{
    SchemaCheck check;
    TableNames names;
    if (auto error = readTableNames(database, path, names)) {
        check.error = std::move(error);
        return check;
    }
    if (!names.any) {
        // A database that another application has claimed stays that application's, even
        // while it is empty.
        std::uint32_t id = 0;
        if (auto error = readApplicationId(database, path, id)) {
            check.error = std::move(error);
        } else if (id != 0 && id != static_cast<std::uint32_t>(applicationId)) {
            check.error = otherApplication(path, id);
        } else {
            check.state = SchemaState::Empty;
        }
        return check;
    }

    check.state = SchemaState::Journal;
    check.hasEventsTable = names.events;
    check.hasChunksTable = names.chunks;
    check.hasSnapshotsTable = names.snapshots;
    std::uint32_t id = 0;
    if (auto error = readApplicationId(database, path, id)) {
        check.error = std::move(error);
        return check;
    }
    // A journal's id and metadata with its event tables gone is a damaged journal; the check of
    // each version's tables below names what is missing.
    const bool journalWithMetadata =
        id == static_cast<std::uint32_t>(applicationId) && names.metadata;
    if (!names.events && !names.chunks && !journalWithMetadata) {
        check.error = makeError(JournalErrorKind::NotAJournal, path, 0,
                                "not a journal: the SQLite database has neither a chunks nor an "
                                "events table");
        return check;
    }

    // The application id distinguishes a journal whose metadata table was dropped from another
    // database that merely has a table named events.
    const bool journalId = id == static_cast<std::uint32_t>(applicationId);
    if (!names.metadata) {
        check.error = journalId ? makeError(JournalErrorKind::MetadataDamaged, path, 0,
                                            "damaged metadata: the metadata table is missing")
                                : makeError(JournalErrorKind::NotAJournal, path, 0,
                                            "not a journal: the SQLite database has no "
                                            "metadata table");
        return check;
    }
    if (!journalId) {
        check.error = otherApplication(path, id);
        return check;
    }

    Metadata metadata;
    if (auto error = readMetadata(database, path, metadata)) {
        check.error = std::move(error);
        return check;
    }
    if (auto error = checkMetadata(metadata, path)) {
        check.error = std::move(error);
        return check;
    }
    check.tail.sequence = static_cast<SequenceNumber>(metadata.lastSequence.value);
    check.tail.hash = static_cast<std::uint64_t>(metadata.lastHash.value);
    check.version = metadata.formatVersion.value;

    // Each version has its tables: a missing one is damage, not another format.
    if (check.version >= 2 && (!names.chunks || !names.snapshots)) {
        check.error = makeError(JournalErrorKind::MetadataDamaged, path, 0,
                                std::string("damaged journal: format version 2 without its ") +
                                    (names.chunks ? "snapshots" : "chunks") + " table");
    } else if (check.version == 1 && !names.events) {
        check.error = makeError(JournalErrorKind::MetadataDamaged, path, 0,
                                "damaged journal: format version 1 without its events table");
    }
    return check;
}

std::optional<JournalError> createSchema(sqlite3 *database, const std::string &path)
{
    const int resultCode = executeSql(database, createSchemaSql);
    if (resultCode != SQLITE_OK) {
        const std::string message = describeSqliteError(database, resultCode);
        executeSql(database, "ROLLBACK");
        return makeError(JournalErrorKind::SqliteFailed, path, 0,
                         "failed to create the journal tables: " + message);
    }
    return std::nullopt;
}

std::optional<JournalError> setNewFilePageSize(sqlite3 *database, const std::string &path)
{
    const int resultCode = executeSql(database, "PRAGMA page_size = 16384");
    if (resultCode != SQLITE_OK) {
        return makeError(JournalErrorKind::SqliteFailed, path, 0,
                         "failed to set the page size: " +
                             describeSqliteError(database, resultCode));
    }
    return std::nullopt;
}

std::optional<JournalError> upgradeSchema(sqlite3 *database, const std::string &path)
{
    const int resultCode = executeSql(database, upgradeSchemaSql);
    if (resultCode != SQLITE_OK) {
        const std::string message = describeSqliteError(database, resultCode);
        executeSql(database, "ROLLBACK");
        return makeError(JournalErrorKind::SqliteFailed, path, 0,
                         "failed to upgrade the journal to format version 2: " + message);
    }
    return std::nullopt;
}

namespace {

void appendLittleEndian(std::vector<std::uint8_t> &out, std::uint64_t value, int width)
{
    for (int byte = 0; byte < width; ++byte) {
        out.push_back(static_cast<std::uint8_t>(value >> (8 * byte)));
    }
}

std::uint64_t readLittleEndian(const std::uint8_t *bytes, int width)
{
    std::uint64_t value = 0;
    for (int byte = 0; byte < width; ++byte) {
        value |= std::uint64_t{bytes[byte]} << (8 * byte);
    }
    return value;
}

} // namespace

void appendChunkRecord(const StoredEvent &event, std::vector<std::uint8_t> &body)
{
    appendLittleEndian(body, static_cast<std::uint64_t>(event.sequence), 8);
    appendLittleEndian(body, static_cast<std::uint64_t>(event.time), 8);
    appendLittleEndian(body, static_cast<std::uint64_t>(event.instrument), 4);
    appendLittleEndian(body, static_cast<std::uint64_t>(event.type), 1);
    appendLittleEndian(body, event.payload.size(), 2);
    body.insert(body.end(), event.payload.begin(), event.payload.end());
    appendLittleEndian(body, event.checksum, 8);
    appendLittleEndian(body, event.hash, 8);
}

std::optional<std::string> readChunkRecord(std::span<const std::uint8_t> body, std::size_t &offset,
                                           StoredEvent &event)
{
    constexpr std::size_t headerSize = 8 + 8 + 4 + 1 + 2;
    if (body.size() - offset < headerSize) {
        return "the chunk's body ends " + std::to_string(body.size() - offset) +
               " bytes into the header of an event, which takes " + std::to_string(headerSize);
    }
    const std::uint8_t *header = body.data() + offset;
    event.sequence = static_cast<std::int64_t>(readLittleEndian(header, 8));
    event.time = static_cast<std::int64_t>(readLittleEndian(header + 8, 8));
    event.instrument = static_cast<std::int64_t>(readLittleEndian(header + 16, 4));
    event.type = static_cast<std::int64_t>(readLittleEndian(header + 20, 1));
    const auto payloadSize = static_cast<std::size_t>(readLittleEndian(header + 21, 2));
    if (body.size() - offset - headerSize < payloadSize + 16) {
        return "the chunk ends inside the event with sequence " + std::to_string(event.sequence);
    }
    const std::uint8_t *payload = header + headerSize;
    event.payload.assign(payload, payload + payloadSize);
    event.checksum = readLittleEndian(payload + payloadSize, 8);
    event.hash = readLittleEndian(payload + payloadSize + 8, 8);
    offset += headerSize + payloadSize + 16;
    return std::nullopt;
}

std::uint64_t snapshotChecksum(std::int64_t sequence, std::uint64_t chainHashValue,
                               std::uint64_t stateHash, std::span<const std::uint8_t> body)
{
    Fnv1a64 hash;
    hash.addLittleEndian(static_cast<std::uint64_t>(sequence), 8);
    hash.addLittleEndian(chainHashValue, 8);
    hash.addLittleEndian(stateHash, 8);
    hash.addBytes(body);
    return hash.value();
}

std::string hex(std::uint64_t value)
{
    char text[19];
    std::snprintf(text, sizeof text, "0x%016" PRIx64, value);
    return text;
}

std::optional<SnapshotRowProblem> decodeSnapshotRow(sqlite3_stmt *row, SequenceNumber sequence,
                                                    StoredSnapshot &snapshot)
{
    if (sqlite3_column_type(row, 0) != SQLITE_INTEGER ||
        sqlite3_column_type(row, 1) != SQLITE_INTEGER ||
        sqlite3_column_type(row, 2) != SQLITE_BLOB ||
        sqlite3_column_type(row, 3) != SQLITE_INTEGER) {
        return SnapshotRowProblem{JournalErrorKind::MalformedRow,
                                  "a snapshot column has the wrong type"};
    }
    snapshot.info.sequence = sequence;
    snapshot.info.chainHash = static_cast<std::uint64_t>(sqlite3_column_int64(row, 0));
    snapshot.info.stateHash = static_cast<std::uint64_t>(sqlite3_column_int64(row, 1));
    const auto *bytes = static_cast<const std::uint8_t *>(sqlite3_column_blob(row, 2));
    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(row, 2));
    snapshot.body.assign(bytes, bytes + size);
    snapshot.info.size = size;
    snapshot.checksum = static_cast<std::uint64_t>(sqlite3_column_int64(row, 3));
    const std::uint64_t computed =
        snapshotChecksum(static_cast<std::int64_t>(sequence), snapshot.info.chainHash,
                         snapshot.info.stateHash, snapshot.body);
    if (snapshot.checksum != computed) {
        return SnapshotRowProblem{JournalErrorKind::ChecksumMismatch,
                                  "snapshot checksum mismatch: stored " + hex(snapshot.checksum) +
                                      ", computed " + hex(computed)};
    }
    return std::nullopt;
}

JournalErrorKind sqliteFailureKind(int resultCode)
{
    return (resultCode & 0xff) == SQLITE_CORRUPT ? JournalErrorKind::DatabaseCorrupt
                                                 : JournalErrorKind::SqliteFailed;
}

} // namespace bourse::storage::format

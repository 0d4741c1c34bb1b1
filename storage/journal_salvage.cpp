#include "journal_salvage.h"

#include "journal_files.h"
#include "journal_format.h"
#include "sqlite_support.h"

#include <cinttypes>
#include <cstdio>
#include <utility>

namespace bourse::storage {

namespace {

JournalError makeError(JournalErrorKind kind, const std::string &path, SequenceNumber sequence,
                       std::string what)
{
    return JournalError{kind, path, sequence, std::move(what)};
}

// An error of the first reads, of the header and the schema, after which nothing can be read.
JournalError schemaError(sqlite3 *database, int resultCode, const std::string &path)
{
    if ((resultCode & 0xff) == SQLITE_NOTADB) {
        return makeError(JournalErrorKind::NotAJournal, path, 0,
                         "not a journal: " + describeSqliteError(database, resultCode));
    }
    return makeError(JournalErrorKind::DatabaseCorrupt, path, 0,
                     "the database schema cannot be read: " +
                         describeSqliteError(database, resultCode));
}

struct Schema {
    bool anyObject = false;
    bool events = false;
    bool chunks = false;
    bool snapshots = false;
    std::uint32_t applicationId = 0;
};

std::optional<JournalError> readSchema(sqlite3 *database, const std::string &path, Schema &schema)
{
    int resultCode = SQLITE_OK;
    StatementHandle statement =
        prepareStatement(database, "SELECT type, name FROM sqlite_schema", resultCode);
    while (statement && (resultCode = sqlite3_step(statement.get())) == SQLITE_ROW) {
        const auto *type = reinterpret_cast<const char *>(sqlite3_column_text(statement.get(), 0));
        const auto *name = reinterpret_cast<const char *>(sqlite3_column_text(statement.get(), 1));
        const bool isTable = type != nullptr && std::string(type) == "table";
        const std::string table = isTable && name != nullptr ? name : "";
        schema.anyObject = true;
        schema.events = schema.events || table == "events";
        schema.chunks = schema.chunks || table == "chunks";
        schema.snapshots = schema.snapshots || table == "snapshots";
    }
    if (resultCode != SQLITE_DONE) {
        return schemaError(database, resultCode, path);
    }

    statement = prepareStatement(database, "PRAGMA application_id", resultCode);
    if (statement) {
        resultCode = sqlite3_step(statement.get());
    }
    if (resultCode != SQLITE_ROW) {
        return schemaError(database, resultCode, path);
    }
    schema.applicationId = static_cast<std::uint32_t>(sqlite3_column_int64(statement.get(), 0));
    return std::nullopt;
}

// Rejects a file in which no event can be looked for.
std::optional<JournalError> checkSalvageable(const Schema &schema, const std::string &path)
{
    const auto journalId = static_cast<std::uint32_t>(format::applicationId);
    if (!schema.anyObject && schema.applicationId != journalId) {
        return makeError(JournalErrorKind::NotAJournal, path, 0,
                         "not a journal: the SQLite database has no tables");
    }
    if (schema.applicationId != journalId) {
        char text[96];
        std::snprintf(text, sizeof text,
                      "not a journal: the SQLite database has application id 0x%08" PRIx32
                      " where 0x%08" PRIx32 " is expected",
                      schema.applicationId, journalId);
        return makeError(JournalErrorKind::NotAJournal, path, 0, text);
    }
    if (!schema.events && !schema.chunks) {
        return makeError(JournalErrorKind::DatabaseCorrupt, path, 0,
                         "damaged journal: its schema names neither a chunks nor an events "
                         "table, so no event can be found");
    }
    return std::nullopt;
}

std::string describeUnexpected(std::int64_t found, SequenceNumber expected)
{
    return "found sequence " + std::to_string(found) + " where " + std::to_string(expected) +
           " was expected";
}

} // namespace

struct JournalSalvage::State {
    std::string path;
    DatabaseHandle database;
    StatementHandle selectEvents; // version 1 rows, read first
    StatementHandle selectChunks;
    bool hasSnapshotsTable = false;
    std::optional<JournalError> metadataDamage;
    format::Tail recordedTail; // valid only without metadataDamage

    // The chunk being read: a copy of its body, the offset of the next record, and the
    // columns its records must agree with.
    std::vector<std::uint8_t> chunkBody;
    std::size_t chunkOffset = 0;
    std::int64_t chunkFirst = 0;
    std::int64_t chunkLast = 0;
    std::int64_t chunkCount = 0;
    std::int64_t chunkRead = 0;
    bool recordEndsChunk = false; // of the record in `row`

    format::StoredEvent row; // reused for every event
    SequenceNumber lastSequence = 0;
    std::uint64_t lastHash = 0;
    bool lastEndsChunk = false;
    bool finished = false;
    std::optional<JournalError> damage;
};

JournalSalvage::Opened JournalSalvage::open(const std::string &path)
{
    auto state = std::make_unique<State>();
    state->path = path;
    const auto failed = [](JournalError error) { return Opened{nullptr, std::move(error)}; };

    ReadConnection connection = openReadConnection(path, ReaderAccess::Shared);
    if (connection.error) {
        return failed(std::move(*connection.error));
    }
    state->database = std::move(connection.database);
    sqlite3 *database = state->database.get();

    // SQLite compares the page count that the file header records with the size of the file
    // when a read starts, and reports a file cut short as corrupt before it reads any page.
    // With writable_schema on it reads the pages that are there instead, and reports a read of
    // a missing page as corrupt, so the rows before the cut can still be read. The connection
    // is read-only or query_only, so the pragma allows no write to the file.
    int resultCode = executeSql(database, "PRAGMA writable_schema = ON");
    if (resultCode == SQLITE_OK) {
        // One read transaction for every read: all of them see the same snapshot of the file.
        resultCode = executeSql(database, "BEGIN");
    }
    if (resultCode != SQLITE_OK) {
        return failed(makeError(JournalErrorKind::SqliteFailed, path, 0,
                                "failed to prepare the connection for reading: " +
                                    describeSqliteError(database, resultCode)));
    }

    Schema schema;
    if (std::optional<JournalError> error = readSchema(database, path, schema)) {
        return failed(std::move(*error));
    }
    if (std::optional<JournalError> error = checkSalvageable(schema, path)) {
        return failed(std::move(*error));
    }
    format::SchemaCheck metadata = format::inspectSchema(database, path);
    if (metadata.error && metadata.error->kind == JournalErrorKind::UnsupportedFormat) {
        return failed(std::move(*metadata.error));
    }
    if (metadata.error && metadata.error->kind != JournalErrorKind::MetadataDamaged) {
        metadata.error->what = "the metadata cannot be read: " + metadata.error->what;
    }
    state->metadataDamage = std::move(metadata.error);
    state->recordedTail = metadata.tail;
    state->hasSnapshotsTable = schema.snapshots;

    // A statement that cannot be prepared is damage at the first event, found by next().
    if (schema.events) {
        const std::string sql =
            std::string("SELECT ") + format::eventColumns + " FROM events ORDER BY sequence";
        state->selectEvents = prepareStatement(database, sql.c_str(), resultCode);
        if (!state->selectEvents) {
            state->damage = makeError(JournalErrorKind::DatabaseCorrupt, path, 1,
                                      "failed to read the events table: " +
                                          describeSqliteError(database, resultCode));
        }
    }
    if (schema.chunks && !state->damage) {
        state->selectChunks =
            prepareStatement(database,
                             "SELECT first_sequence, last_sequence, event_count, body FROM chunks "
                             "ORDER BY first_sequence",
                             resultCode);
        if (!state->selectChunks) {
            state->damage = makeError(JournalErrorKind::DatabaseCorrupt, path, 1,
                                      "failed to read the chunks table: " +
                                          describeSqliteError(database, resultCode));
        }
    }
    return Opened{std::unique_ptr<JournalSalvage>(new JournalSalvage(std::move(state))),
                  std::nullopt};
}

JournalSalvage::JournalSalvage(std::unique_ptr<State> state)
    : m_state(std::move(state))
{
}

JournalSalvage::~JournalSalvage() = default;

const std::optional<JournalError> &JournalSalvage::metadataDamage() const
{
    return m_state->metadataDamage;
}

std::optional<Event> JournalSalvage::next()
{
    State &state = *m_state;
    if (state.finished || state.damage || !readNextRecord()) {
        return std::nullopt;
    }

    const SequenceNumber expected = state.lastSequence + 1;
    const format::StoredEvent &row = state.row;
    if (row.sequence <= 0) {
        fail(JournalErrorKind::MalformedRow, expected, describeUnexpected(row.sequence, expected));
        return std::nullopt;
    }
    if (static_cast<SequenceNumber>(row.sequence) != expected) {
        fail(JournalErrorKind::SequenceGap, expected, describeUnexpected(row.sequence, expected));
        return std::nullopt;
    }
    format::CheckedEvent checked = format::checkStoredEvent(row, state.lastHash, state.path);
    if (checked.error) {
        state.damage = std::move(checked.error);
        return std::nullopt;
    }

    state.lastSequence = expected;
    state.lastHash = row.hash;
    state.lastEndsChunk = state.recordEndsChunk;
    return std::move(checked.event);
}

// Moves the next stored record into m_state->row: the next version 1 row while there are any,
// then the next record of the chunks. Returns false at the end or on an error.
bool JournalSalvage::readNextRecord()
{
    State &state = *m_state;
    if (state.selectEvents && readVersion1Row()) {
        return true;
    }
    if (state.damage) {
        return false;
    }
    if (state.chunkOffset >= state.chunkBody.size() && !readNextChunk()) {
        return false;
    }

    const SequenceNumber expected = state.lastSequence + 1;
    if (auto problem = format::readChunkRecord(state.chunkBody, state.chunkOffset, state.row)) {
        fail(JournalErrorKind::MalformedRow, expected, *problem);
        return false;
    }
    if (state.chunkRead == 0 && state.row.sequence != state.chunkFirst) {
        fail(JournalErrorKind::MalformedRow, expected,
             "the chunk recorded as starting at sequence " + std::to_string(state.chunkFirst) +
                 " starts at " + std::to_string(state.row.sequence));
        return false;
    }
    ++state.chunkRead;
    state.recordEndsChunk = state.chunkOffset >= state.chunkBody.size();
    if (!state.recordEndsChunk) {
        return true;
    }

    // The last record of the chunk: its row must record as many events, ending here.
    const auto first = static_cast<SequenceNumber>(state.chunkFirst);
    if (state.chunkRead != state.chunkCount) {
        fail(JournalErrorKind::MalformedRow, first,
             "the chunk from sequence " + std::to_string(state.chunkFirst) + " holds " +
                 std::to_string(state.chunkRead) + " events but its row records " +
                 std::to_string(state.chunkCount));
        return false;
    }
    if (state.row.sequence != state.chunkLast) {
        fail(JournalErrorKind::MalformedRow, first,
             "the chunk from sequence " + std::to_string(state.chunkFirst) + " ends at " +
                 std::to_string(state.row.sequence) + " but its row records " +
                 std::to_string(state.chunkLast));
        return false;
    }
    return true;
}

// Reads the next version 1 row. Returns false at the end of the events table, with
// selectEvents reset, and on an error.
bool JournalSalvage::readVersion1Row()
{
    State &state = *m_state;
    const SequenceNumber expected = state.lastSequence + 1;
    const int resultCode = sqlite3_step(state.selectEvents.get());
    if (resultCode == SQLITE_DONE) {
        state.selectEvents.reset();
        return false;
    }
    if (resultCode != SQLITE_ROW) {
        const JournalErrorKind kind = format::sqliteFailureKind(resultCode);
        fail(kind, expected,
             "failed to read the event: " + describeSqliteError(state.database.get(), resultCode));
        return false;
    }
    if (auto problem = format::readStoredEvent(state.selectEvents.get(), state.row)) {
        fail(JournalErrorKind::MalformedRow, expected, *problem);
        return false;
    }
    state.recordEndsChunk = true;
    return true;
}

// Loads the next chunk row with events. Returns false at the end of the table, with finished
// set, and on an error.
bool JournalSalvage::readNextChunk()
{
    State &state = *m_state;
    const SequenceNumber expected = state.lastSequence + 1;
    if (!state.selectChunks) {
        state.finished = true;
        return false;
    }
    sqlite3_stmt *select = state.selectChunks.get();
    const int resultCode = sqlite3_step(select);
    if (resultCode == SQLITE_DONE) {
        state.selectChunks.reset();
        state.finished = true;
        return false;
    }
    if (resultCode != SQLITE_ROW) {
        const JournalErrorKind kind = format::sqliteFailureKind(resultCode);
        fail(kind, expected,
             "failed to read the chunk: " + describeSqliteError(state.database.get(), resultCode));
        return false;
    }

    for (int column = 0; column < 3; ++column) {
        if (sqlite3_column_type(select, column) != SQLITE_INTEGER) {
            fail(JournalErrorKind::MalformedRow, expected,
                 "a chunk's sequence or count column is not an integer");
            return false;
        }
    }
    if (sqlite3_column_type(select, 3) != SQLITE_BLOB) {
        fail(JournalErrorKind::MalformedRow, expected, "a chunk's body is not a blob");
        return false;
    }
    state.chunkFirst = sqlite3_column_int64(select, 0);
    state.chunkLast = sqlite3_column_int64(select, 1);
    state.chunkCount = sqlite3_column_int64(select, 2);
    const auto *bytes = static_cast<const std::uint8_t *>(sqlite3_column_blob(select, 3));
    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(select, 3));
    if (state.chunkCount <= 0 || size == 0) {
        fail(JournalErrorKind::MalformedRow, expected,
             "the chunk recorded as starting at sequence " + std::to_string(state.chunkFirst) +
                 " has no events");
        return false;
    }
    state.chunkBody.assign(bytes, bytes + size);
    state.chunkOffset = 0;
    state.chunkRead = 0;
    return true;
}

const std::optional<JournalError> &JournalSalvage::damage() const
{
    return m_state->damage;
}

std::optional<JournalError> JournalSalvage::tailMismatch() const
{
    const State &state = *m_state;
    if (!state.finished || state.damage || state.metadataDamage) {
        return std::nullopt;
    }
    const format::Tail &recorded = state.recordedTail;
    const SequenceNumber last = state.lastSequence;
    if (last < recorded.sequence) {
        const std::string where = last == 0
                                      ? "the journal has no events"
                                      : "the journal ends at sequence " + std::to_string(last);
        return makeError(JournalErrorKind::TailMismatch, state.path, last + 1,
                         where + " but its metadata records " + std::to_string(recorded.sequence) +
                             " as the last: events were removed from the end");
    }
    if (last > recorded.sequence) {
        return makeError(JournalErrorKind::TailMismatch, state.path, recorded.sequence + 1,
                         "the journal continues to sequence " + std::to_string(last) +
                             " past the last event its metadata records (" +
                             std::to_string(recorded.sequence) + ")");
    }
    if (state.lastHash != recorded.hash) {
        return makeError(JournalErrorKind::TailMismatch, state.path, last,
                         "the last event's hash " + format::hex(state.lastHash) +
                             " differs from the metadata's " + format::hex(recorded.hash));
    }
    return std::nullopt;
}

SequenceNumber JournalSalvage::lastSequence() const
{
    return m_state->lastSequence;
}

std::uint64_t JournalSalvage::lastHash() const
{
    return m_state->lastHash;
}

bool JournalSalvage::atChunkEnd() const
{
    return m_state->lastEndsChunk;
}

std::vector<SequenceNumber> JournalSalvage::snapshotSequences(std::optional<JournalError> &error)
{
    std::vector<SequenceNumber> sequences;
    if (!m_state->hasSnapshotsTable) {
        return sequences;
    }
    sqlite3 *database = m_state->database.get();
    int resultCode = SQLITE_OK;
    const StatementHandle statement =
        prepareStatement(database, "SELECT sequence FROM snapshots ORDER BY sequence", resultCode);
    while (statement && (resultCode = sqlite3_step(statement.get())) == SQLITE_ROW) {
        sequences.push_back(static_cast<SequenceNumber>(sqlite3_column_int64(statement.get(), 0)));
    }
    if (resultCode != SQLITE_DONE) {
        const std::string where = sequences.empty()
                                      ? "the snapshots table cannot be read: "
                                      : "the snapshots table cannot be read past sequence " +
                                            std::to_string(sequences.back()) + ": ";
        error = makeError(JournalErrorKind::DatabaseCorrupt, m_state->path, 0,
                          where + describeSqliteError(database, resultCode));
    }
    return sequences;
}

std::optional<StoredSnapshot> JournalSalvage::readSnapshot(SequenceNumber sequence,
                                                           std::optional<JournalError> &error)
{
    sqlite3 *database = m_state->database.get();
    const auto failed = [&](JournalErrorKind kind, std::string what) {
        error = makeError(kind, m_state->path, sequence, std::move(what));
        return std::nullopt;
    };
    int resultCode = SQLITE_OK;
    const StatementHandle statement = prepareStatement(
        database,
        "SELECT chain_hash, state_hash, body, checksum FROM snapshots WHERE sequence = ?1",
        resultCode);
    if (statement) {
        sqlite3_bind_int64(statement.get(), 1, static_cast<std::int64_t>(sequence));
        resultCode = sqlite3_step(statement.get());
    }
    if (resultCode == SQLITE_DONE) {
        return failed(JournalErrorKind::MalformedRow, "no snapshot at this sequence");
    }
    if (resultCode != SQLITE_ROW) {
        const JournalErrorKind kind = format::sqliteFailureKind(resultCode);
        return failed(kind,
                      "failed to read the snapshot: " + describeSqliteError(database, resultCode));
    }

    StoredSnapshot snapshot;
    if (std::optional<format::SnapshotRowProblem> problem =
            format::decodeSnapshotRow(statement.get(), sequence, snapshot)) {
        return failed(problem->kind, std::move(problem->what));
    }
    return snapshot;
}

const std::string &JournalSalvage::path() const
{
    return m_state->path;
}

void JournalSalvage::fail(JournalErrorKind kind, SequenceNumber sequence, std::string what)
{
    if (!m_state->damage) {
        m_state->damage = makeError(kind, m_state->path, sequence, std::move(what));
    }
}

} // namespace bourse::storage

#include "journal_history.h"

#include "journal_files.h"
#include "journal_format.h"
#include "sqlite_support.h"

#include <algorithm>
#include <span>
#include <utility>

namespace bourse::storage {

struct JournalHistory::State {
    std::string path;
    DatabaseHandle database;
    StatementHandle selectChunks; // newest first, read before the version 1 rows
    StatementHandle selectEvents; // version 1 rows, newest first
    format::Tail recordedTail;

    // The run that readOlder() returns next, and the one older than it, whose last event
    // carries the hash that the first event of `current` must follow from.
    std::vector<format::StoredEvent> current;
    std::vector<format::StoredEvent> older;
    bool started = false;
    bool finished = false;
    std::optional<JournalError> error;
};

JournalHistory::Opened JournalHistory::open(const std::string &path, ReaderAccess access)
{
    auto state = std::make_unique<State>();
    state->path = path;
    const auto failed = [&path](JournalErrorKind kind, std::string what) {
        return Opened{nullptr, JournalError{kind, path, 0, std::move(what)}};
    };

    ReadConnection connection = openReadConnection(path, access);
    if (connection.error) {
        return Opened{nullptr, std::move(connection.error)};
    }
    state->database = std::move(connection.database);
    sqlite3 *database = state->database.get();

    // Every read uses the snapshot of this transaction, even while a writer appends.
    int resultCode = executeSql(database, "BEGIN");
    if (resultCode != SQLITE_OK) {
        return failed(JournalErrorKind::SqliteFailed,
                      "failed to begin a read transaction: " +
                          describeSqliteError(database, resultCode));
    }
    format::SchemaCheck schema = format::inspectSchema(database, path);
    if (schema.error) {
        return Opened{nullptr, std::move(schema.error)};
    }
    if (schema.state == format::SchemaState::Empty) {
        return failed(JournalErrorKind::NotAJournal,
                      "not a journal: the SQLite database has no tables");
    }
    state->recordedTail = schema.tail;

    if (schema.hasChunksTable) {
        state->selectChunks =
            prepareStatement(database,
                             "SELECT first_sequence, last_sequence, event_count, body FROM chunks "
                             "ORDER BY first_sequence DESC",
                             resultCode);
        if (!state->selectChunks) {
            return failed(JournalErrorKind::SqliteFailed,
                          "failed to read the chunks table: " +
                              describeSqliteError(database, resultCode));
        }
    }
    if (schema.hasEventsTable) {
        const std::string sql =
            std::string("SELECT ") + format::eventColumns + " FROM events ORDER BY sequence DESC";
        state->selectEvents = prepareStatement(database, sql.c_str(), resultCode);
        if (!state->selectEvents) {
            return failed(JournalErrorKind::SqliteFailed,
                          "failed to read the events table: " +
                              describeSqliteError(database, resultCode));
        }
    }
    return Opened{std::unique_ptr<JournalHistory>(new JournalHistory(std::move(state))),
                  std::nullopt};
}

JournalHistory::JournalHistory(std::unique_ptr<State> state)
    : m_state(std::move(state))
{
}

JournalHistory::~JournalHistory() = default;

bool JournalHistory::readOlder(std::vector<Event> &events)
{
    State &state = *m_state;
    if (state.finished || state.error) {
        return false;
    }
    if (!state.started) {
        state.started = true;
        fetchRun(state.current);
        if (state.error || !checkNewest()) {
            return false;
        }
    }
    if (state.current.empty()) {
        finish();
        return false;
    }
    const bool hasOlder = fetchRun(state.older);
    if (state.error) {
        return false;
    }

    // The event before the first one of a journal has hash 0.
    const SequenceNumber first = static_cast<SequenceNumber>(state.current.front().sequence);
    const SequenceNumber before =
        hasOlder ? static_cast<SequenceNumber>(state.older.back().sequence) : 0;
    if (first != before + 1) {
        fail(JournalErrorKind::SequenceGap, before + 1,
             "the events before sequence " + std::to_string(first) + " end at " +
                 std::to_string(before));
        return false;
    }
    std::uint64_t previousHash = hasOlder ? state.older.back().hash : 0;
    const std::size_t oldSize = events.size();
    for (const format::StoredEvent &stored : state.current) {
        format::CheckedEvent checked = format::checkStoredEvent(stored, previousHash, state.path);
        if (checked.error) {
            events.resize(oldSize);
            state.error = std::move(checked.error);
            finish();
            return false;
        }
        previousHash = stored.hash;
        events.push_back(std::move(*checked.event));
    }
    std::swap(state.current, state.older);
    if (!hasOlder) {
        state.current.clear();
    }
    return true;
}

std::string JournalHistory::error() const
{
    return m_state->error ? m_state->error->toString() : std::string();
}

const std::optional<JournalError> &JournalHistory::journalError() const
{
    return m_state->error;
}

// Moves the next older run into `run`: a chunk, then the version 1 rows, each a run. Returns
// false when none is left, or on an error.
bool JournalHistory::fetchRun(std::vector<format::StoredEvent> &run)
{
    run.clear();
    if (m_state->selectChunks) {
        if (fetchChunk(run)) {
            return true;
        }
        if (m_state->error) {
            return false;
        }
        m_state->selectChunks.reset();
    }
    if (m_state->selectEvents) {
        if (fetchVersion1Row(run)) {
            return true;
        }
        m_state->selectEvents.reset();
    }
    return false;
}

bool JournalHistory::fetchChunk(std::vector<format::StoredEvent> &run)
{
    State &state = *m_state;
    sqlite3_stmt *select = state.selectChunks.get();
    const int resultCode = sqlite3_step(select);
    if (resultCode == SQLITE_DONE) {
        return false;
    }
    if (resultCode != SQLITE_ROW) {
        const JournalErrorKind kind = format::sqliteFailureKind(resultCode);
        fail(kind, 0,
             "failed to read the chunk: " + describeSqliteError(state.database.get(), resultCode));
        return false;
    }
    for (int column = 0; column < 3; ++column) {
        if (sqlite3_column_type(select, column) != SQLITE_INTEGER) {
            fail(JournalErrorKind::MalformedRow, 0,
                 "a chunk's sequence or count column is not an integer");
            return false;
        }
    }
    const std::int64_t firstSequence = sqlite3_column_int64(select, 0);
    const std::int64_t lastSequence = sqlite3_column_int64(select, 1);
    const std::int64_t count = sqlite3_column_int64(select, 2);
    const auto where = static_cast<SequenceNumber>(std::max<std::int64_t>(firstSequence, 0));
    if (sqlite3_column_type(select, 3) != SQLITE_BLOB || count <= 0 ||
        sqlite3_column_bytes(select, 3) == 0) {
        fail(JournalErrorKind::MalformedRow, where,
             "the chunk recorded as starting at sequence " + std::to_string(firstSequence) +
                 " has no events");
        return false;
    }

    const auto *bytes = static_cast<const std::uint8_t *>(sqlite3_column_blob(select, 3));
    const std::span<const std::uint8_t> body(
        bytes, static_cast<std::size_t>(sqlite3_column_bytes(select, 3)));
    std::size_t offset = 0;
    while (offset < body.size()) {
        run.emplace_back();
        if (auto problem = format::readChunkRecord(body, offset, run.back())) {
            fail(JournalErrorKind::MalformedRow, where, *problem);
            return false;
        }
        const std::int64_t expected = firstSequence + static_cast<std::int64_t>(run.size()) - 1;
        if (run.back().sequence != expected) {
            fail(JournalErrorKind::MalformedRow, where,
                 "the chunk recorded as starting at sequence " + std::to_string(firstSequence) +
                     " holds sequence " + std::to_string(run.back().sequence) + " where " +
                     std::to_string(expected) + " was expected");
            return false;
        }
    }
    if (static_cast<std::int64_t>(run.size()) != count || run.back().sequence != lastSequence) {
        fail(JournalErrorKind::MalformedRow, where,
             "the chunk from sequence " + std::to_string(firstSequence) + " holds " +
                 std::to_string(run.size()) + " events up to " +
                 std::to_string(run.back().sequence) + " but its row records " +
                 std::to_string(count) + " up to " + std::to_string(lastSequence));
        return false;
    }
    return true;
}

bool JournalHistory::fetchVersion1Row(std::vector<format::StoredEvent> &run)
{
    State &state = *m_state;
    const int resultCode = sqlite3_step(state.selectEvents.get());
    if (resultCode == SQLITE_DONE) {
        return false;
    }
    if (resultCode != SQLITE_ROW) {
        fail(JournalErrorKind::SqliteFailed, 0,
             "failed to read the event: " + describeSqliteError(state.database.get(), resultCode));
        return false;
    }
    run.emplace_back();
    if (auto problem = format::readStoredEvent(state.selectEvents.get(), run.back())) {
        fail(JournalErrorKind::MalformedRow, 0, *problem);
        return false;
    }
    return true;
}

// The newest event must be the one the metadata records, so that a removed tail shows.
bool JournalHistory::checkNewest()
{
    const format::Tail &recorded = m_state->recordedTail;
    const std::vector<format::StoredEvent> &run = m_state->current;
    const SequenceNumber last = run.empty() ? 0 : static_cast<SequenceNumber>(run.back().sequence);
    const std::uint64_t hash = run.empty() ? 0 : run.back().hash;
    if (last != recorded.sequence) {
        fail(JournalErrorKind::TailMismatch, std::min(last, recorded.sequence) + 1,
             "the journal ends at sequence " + std::to_string(last) + " but its metadata records " +
                 std::to_string(recorded.sequence) + " as the last");
        return false;
    }
    if (hash != recorded.hash) {
        fail(JournalErrorKind::TailMismatch, last,
             "the last event's hash " + format::hex(hash) + " differs from the metadata's " +
                 format::hex(recorded.hash));
        return false;
    }
    return true;
}

void JournalHistory::fail(JournalErrorKind kind, SequenceNumber sequence, std::string what)
{
    if (!m_state->error) {
        m_state->error = JournalError{kind, m_state->path, sequence, std::move(what)};
    }
    finish();
}

// Ends the read transaction, so that the writer's checkpoints are not held back.
void JournalHistory::finish()
{
    if (m_state->finished) {
        return;
    }
    m_state->finished = true;
    m_state->selectChunks.reset();
    m_state->selectEvents.reset();
    executeSql(m_state->database.get(), "COMMIT");
}

} // namespace bourse::storage

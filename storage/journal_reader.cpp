#include "journal.h"

#include "journal_files.h"
#include "journal_format.h"
#include "sqlite_support.h"

#include <algorithm>
#include <utility>

namespace bourse::storage {

namespace {

JournalError makeError(JournalErrorKind kind, const std::string &path, SequenceNumber sequence,
                       std::string what)
{
    return JournalError{kind, path, sequence, std::move(what)};
}

std::string describeGap(SequenceNumber last, SequenceNumber found)
{
    if (found <= last) {
        return "sequence " + std::to_string(found) + " follows " + std::to_string(last) +
               ": the sequence goes back";
    }
    const SequenceNumber firstMissing = last + 1;
    const SequenceNumber lastMissing = found - 1;
    if (last == 0) {
        return "sequence 1 is missing: the first event is " + std::to_string(found);
    }
    const std::string gap =
        " (gap from " + std::to_string(last) + " to " + std::to_string(found) + ")";
    if (firstMissing == lastMissing) {
        return "sequence " + std::to_string(firstMissing) + " is missing" + gap;
    }
    return "sequences " + std::to_string(firstMissing) + " to " + std::to_string(lastMissing) +
           " are missing" + gap;
}

} // namespace

struct JournalReader::State {
    std::string path;
    ReaderAccess access = ReaderAccess::Shared;
    DatabaseHandle database;
    StatementHandle selectEvents; // version 1 rows, read first
    StatementHandle selectChunks;
    format::Tail recordedTail;

    // The chunk being read: a copy of its body, the offset of the next record, and the
    // columns its records must agree with.
    std::vector<std::uint8_t> chunkBody;
    std::size_t chunkOffset = 0;
    std::int64_t chunkFirst = 0;
    std::int64_t chunkLast = 0;
    std::int64_t chunkCount = 0;
    std::int64_t chunkRead = 0;
    // The last sequence number of every chunk read in full, in order; version 1 rows too.
    std::vector<SequenceNumber> chunkEnds;

    // Set by startAfter(): events up to here are skipped, and the one at `skipUntil` must
    // carry `skipHash`.
    SequenceNumber skipUntil = 0;
    std::uint64_t skipHash = 0;
    bool anchorSeen = false;

    // The last row whose own checks passed, and the event of it that waits for the next row
    // (or, for the last row, the metadata) to confirm its hash before it is returned.
    SequenceNumber checkedSequence = 0;
    std::uint64_t checkedHash = 0;
    std::optional<Event> pending;
    std::uint64_t pendingHash = 0;

    SequenceNumber returnedSequence = 0;
    std::uint64_t returnedHash = 0;
    bool finished = false;
    std::optional<JournalError> error;

    format::StoredEvent row; // reused for every event
};

JournalReader::Opened JournalReader::open(const std::string &path, ReaderAccess access)
{
    auto state = std::make_unique<State>();
    state->path = path;
    const auto failed = [](JournalError error) { return Opened{nullptr, std::move(error)}; };

    ReadConnection connection = openReadConnection(path, access);
    if (connection.error) {
        return failed(std::move(*connection.error));
    }
    state->database = std::move(connection.database);
    state->access = connection.access;
    sqlite3 *database = state->database.get();

    // One read transaction from the metadata to the last row: every read uses the same
    // snapshot, even while a writer appends.
    int resultCode = executeSql(database, "BEGIN");
    if (resultCode != SQLITE_OK) {
        return failed(makeError(JournalErrorKind::SqliteFailed, path, 0,
                                "failed to begin a read transaction: " +
                                    describeSqliteError(database, resultCode)));
    }

    format::SchemaCheck schema = format::inspectSchema(database, path);
    if (schema.error) {
        return failed(std::move(*schema.error));
    }
    if (schema.state == format::SchemaState::Empty) {
        return failed(makeError(JournalErrorKind::NotAJournal, path, 0,
                                "not a journal: the SQLite database has no tables"));
    }
    state->recordedTail = schema.tail;

    if (schema.hasEventsTable) {
        const std::string sql =
            std::string("SELECT ") + format::eventColumns + " FROM events ORDER BY sequence";
        state->selectEvents = prepareStatement(database, sql.c_str(), resultCode);
        if (!state->selectEvents) {
            return failed(makeError(JournalErrorKind::SqliteFailed, path, 0,
                                    "failed to read the events table: " +
                                        describeSqliteError(database, resultCode)));
        }
    }
    if (schema.hasChunksTable) {
        state->selectChunks =
            prepareStatement(database,
                             "SELECT first_sequence, last_sequence, event_count, body FROM chunks "
                             "ORDER BY first_sequence",
                             resultCode);
        if (!state->selectChunks) {
            return failed(makeError(JournalErrorKind::SqliteFailed, path, 0,
                                    "failed to read the chunks table: " +
                                        describeSqliteError(database, resultCode)));
        }
    }
    return Opened{std::unique_ptr<JournalReader>(new JournalReader(std::move(state))),
                  std::nullopt};
}

JournalReader::JournalReader(std::unique_ptr<State> state)
    : m_state(std::move(state))
{
}

JournalReader::~JournalReader() = default;

std::optional<Event> JournalReader::next()
{
    while (!m_state->finished && !m_state->error) {
        std::optional<Event> following = readCheckedRow();
        if (m_state->error) {
            return std::nullopt;
        }
        if (m_state->finished) {
            checkTail();
            return m_state->error ? std::nullopt : takePending();
        }

        std::optional<Event> confirmed = takePending();
        m_state->pending = std::move(following);
        m_state->pendingHash = m_state->checkedHash;
        if (confirmed) {
            return confirmed;
        }
    }
    return std::nullopt;
}

std::optional<Event> JournalReader::takePending()
{
    std::optional<Event> event = std::exchange(m_state->pending, std::nullopt);
    if (event) {
        m_state->returnedSequence = event->sequence;
        m_state->returnedHash = m_state->pendingHash;
    }
    return event;
}

// Moves the next stored event into m_state->row: the next version 1 row while there are any,
// then the next record of the chunks. Returns false at the end or on an error.
bool JournalReader::readNextRow()
{
    State &state = *m_state;
    const SequenceNumber expected = state.checkedSequence + 1;
    const auto readFailed = [&](const char *what, int resultCode) {
        const JournalErrorKind kind = format::sqliteFailureKind(resultCode);
        fail(kind, expected, what + describeSqliteError(state.database.get(), resultCode));
        return false;
    };

    if (state.selectEvents) {
        const int resultCode = sqlite3_step(state.selectEvents.get());
        if (resultCode == SQLITE_ROW) {
            if (auto problem = format::readStoredEvent(state.selectEvents.get(), state.row)) {
                fail(JournalErrorKind::MalformedRow, expected, *problem);
                return false;
            }
            state.chunkEnds.push_back(static_cast<SequenceNumber>(state.row.sequence));
            return true;
        }
        if (resultCode != SQLITE_DONE) {
            return readFailed("failed to read the event: ", resultCode);
        }
        state.selectEvents.reset();
    }

    while (state.chunkOffset >= state.chunkBody.size()) {
        if (state.chunkRead != state.chunkCount) {
            fail(JournalErrorKind::MalformedRow, static_cast<SequenceNumber>(state.chunkFirst),
                 "the chunk from sequence " + std::to_string(state.chunkFirst) + " holds " +
                     std::to_string(state.chunkRead) + " events but its row records " +
                     std::to_string(state.chunkCount));
            return false;
        }
        if (state.chunkRead > 0 && state.row.sequence != state.chunkLast) {
            fail(JournalErrorKind::MalformedRow, static_cast<SequenceNumber>(state.chunkFirst),
                 "the chunk from sequence " + std::to_string(state.chunkFirst) + " ends at " +
                     std::to_string(state.row.sequence) + " but its row records " +
                     std::to_string(state.chunkLast));
            return false;
        }
        if (state.chunkRead > 0) {
            state.chunkEnds.push_back(static_cast<SequenceNumber>(state.chunkLast));
        }
        if (!state.selectChunks) {
            return false;
        }
        sqlite3_stmt *select = state.selectChunks.get();
        const int resultCode = sqlite3_step(select);
        if (resultCode == SQLITE_DONE) {
            state.selectChunks.reset();
            return false;
        }
        if (resultCode != SQLITE_ROW) {
            return readFailed("failed to read the chunk: ", resultCode);
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
        if (state.chunkCount <= 0 || sqlite3_column_bytes(select, 3) == 0) {
            fail(JournalErrorKind::MalformedRow, expected,
                 "the chunk recorded as starting at sequence " + std::to_string(state.chunkFirst) +
                     " has no events");
            return false;
        }
        state.chunkRead = 0;
        const auto *bytes = static_cast<const std::uint8_t *>(sqlite3_column_blob(select, 3));
        const auto size = static_cast<std::size_t>(sqlite3_column_bytes(select, 3));
        state.chunkBody.assign(bytes, bytes + size);
        state.chunkOffset = 0;
    }

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
    return true;
}

std::optional<Event> JournalReader::readCheckedRow()
{
    const SequenceNumber expected = m_state->checkedSequence + 1;
    bool read = readNextRow();
    while (read && m_state->row.sequence > 0 &&
           static_cast<SequenceNumber>(m_state->row.sequence) <= m_state->skipUntil) {
        if (!checkSkippedRow()) {
            return std::nullopt;
        }
        read = readNextRow();
    }
    if (!read) {
        if (!m_state->error) {
            m_state->finished = true;
        }
        return std::nullopt;
    }

    format::StoredEvent &row = m_state->row;
    if (row.sequence <= 0) {
        fail(JournalErrorKind::MalformedRow, expected,
             "found sequence " + std::to_string(row.sequence) + " where " +
                 std::to_string(expected) + " was expected");
        return std::nullopt;
    }
    const auto sequence = static_cast<SequenceNumber>(row.sequence);
    if (sequence != expected) {
        fail(JournalErrorKind::SequenceGap, expected,
             describeGap(m_state->checkedSequence, sequence));
        return std::nullopt;
    }

    format::CheckedEvent checked =
        format::checkStoredEvent(row, m_state->checkedHash, m_state->path);
    if (checked.error) {
        m_state->error = std::move(checked.error);
        return std::nullopt;
    }
    m_state->checkedSequence = sequence;
    m_state->checkedHash = row.hash;
    return std::move(checked.event);
}

// A row before the point startAfter() named: only the anchor event is checked, because the
// chain before it is the snapshot's to vouch for.
bool JournalReader::checkSkippedRow()
{
    State &state = *m_state;
    const format::StoredEvent &row = state.row;
    if (static_cast<SequenceNumber>(row.sequence) != state.skipUntil) {
        return true;
    }
    const std::uint64_t checksum = format::eventChecksum(row);
    if (checksum != row.checksum) {
        fail(JournalErrorKind::ChecksumMismatch, state.skipUntil,
             "checksum mismatch: stored " + format::hex(row.checksum) + ", computed " +
                 format::hex(checksum));
        return false;
    }
    state.anchorSeen = true;
    if (row.hash != state.skipHash) {
        fail(JournalErrorKind::ChainBroken, state.skipUntil,
             "the event's hash " + format::hex(row.hash) + " differs from the snapshot's " +
                 format::hex(state.skipHash));
        return false;
    }
    return true;
}

bool JournalReader::startAfter(SequenceNumber sequence, std::uint64_t chainHash)
{
    State &state = *m_state;
    sqlite3 *database = state.database.get();
    if (sequence == 0) {
        return true;
    }
    if (sequence > state.recordedTail.sequence) {
        fail(JournalErrorKind::SequenceGap, sequence,
             "the journal ends at sequence " + std::to_string(state.recordedTail.sequence));
        return false;
    }
    int resultCode = SQLITE_OK;
    if (state.selectEvents) {
        const std::string sql = std::string("SELECT ") + format::eventColumns +
                                " FROM events WHERE sequence >= ?1 ORDER BY sequence";
        state.selectEvents = prepareStatement(database, sql.c_str(), resultCode);
        if (state.selectEvents) {
            sqlite3_bind_int64(state.selectEvents.get(), 1, static_cast<std::int64_t>(sequence));
        }
    }
    if (state.selectChunks) {
        state.selectChunks = prepareStatement(
            database,
            "SELECT first_sequence, last_sequence, event_count, body FROM chunks "
            "WHERE first_sequence >= (SELECT coalesce(max(first_sequence), 0) FROM chunks "
            "WHERE first_sequence <= ?1) ORDER BY first_sequence",
            resultCode);
        if (state.selectChunks) {
            sqlite3_bind_int64(state.selectChunks.get(), 1, static_cast<std::int64_t>(sequence));
        }
    }
    if ((resultCode & 0xff) != SQLITE_OK) {
        fail(JournalErrorKind::SqliteFailed, sequence,
             "failed to seek: " + describeSqliteError(database, resultCode));
        return false;
    }
    state.skipUntil = sequence;
    state.skipHash = chainHash;
    state.checkedSequence = sequence;
    state.checkedHash = chainHash;
    state.returnedSequence = sequence;
    state.returnedHash = chainHash;
    return true;
}

std::vector<SnapshotInfo> JournalReader::snapshots(std::optional<JournalError> &error)
{
    std::vector<SnapshotInfo> found;
    sqlite3 *database = m_state->database.get();
    int resultCode = SQLITE_OK;
    const StatementHandle statement =
        prepareStatement(database,
                         "SELECT sequence, chain_hash, state_hash, length(body) FROM snapshots "
                         "ORDER BY sequence DESC",
                         resultCode);
    if (!statement) {
        // A version 1 journal has no snapshots table, and so no snapshots.
        return found;
    }
    while ((resultCode = sqlite3_step(statement.get())) == SQLITE_ROW) {
        SnapshotInfo info;
        info.sequence = static_cast<SequenceNumber>(sqlite3_column_int64(statement.get(), 0));
        info.chainHash = static_cast<std::uint64_t>(sqlite3_column_int64(statement.get(), 1));
        info.stateHash = static_cast<std::uint64_t>(sqlite3_column_int64(statement.get(), 2));
        info.size = static_cast<std::size_t>(sqlite3_column_int64(statement.get(), 3));
        found.push_back(info);
    }
    if (resultCode != SQLITE_DONE) {
        error =
            makeError(format::sqliteFailureKind(resultCode), m_state->path, 0,
                      "failed to list the snapshots: " + describeSqliteError(database, resultCode));
    }
    return found;
}

std::optional<StoredSnapshot> JournalReader::readSnapshot(SequenceNumber sequence,
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
    if (!statement) {
        return failed(format::sqliteFailureKind(resultCode),
                      "failed to read the snapshot: " + describeSqliteError(database, resultCode));
    }
    sqlite3_bind_int64(statement.get(), 1, static_cast<std::int64_t>(sequence));
    resultCode = sqlite3_step(statement.get());
    if (resultCode == SQLITE_DONE) {
        return failed(JournalErrorKind::MalformedRow, "no snapshot at this sequence");
    }
    if (resultCode != SQLITE_ROW) {
        return failed(format::sqliteFailureKind(resultCode),
                      "failed to read the snapshot: " + describeSqliteError(database, resultCode));
    }
    StoredSnapshot snapshot;
    if (std::optional<format::SnapshotRowProblem> problem =
            format::decodeSnapshotRow(statement.get(), sequence, snapshot)) {
        return failed(problem->kind, std::move(problem->what));
    }
    return snapshot;
}

std::vector<JournalRecord> JournalReader::records(std::optional<JournalError> &error,
                                                  std::vector<DamagedRecord> *damaged)
{
    std::vector<JournalRecord> found;
    sqlite3 *database = m_state->database.get();
    int resultCode = SQLITE_OK;
    const StatementHandle statement = prepareStatement(
        database, "SELECT sequence, chain_hash, kind, body, checksum, id FROM records ORDER BY id",
        resultCode);
    if (!statement) {
        // A journal that no writer of this version opened has no records table.
        return found;
    }
    const SequenceNumber lastEvent = m_state->recordedTail.sequence;
    const auto reject = [&](const JournalRecord &record, JournalErrorKind kind, std::string what) {
        DamagedRecord damage{record.id, record.kind, record.sequence, kind, std::move(what)};
        if (!error)
            error = damage.toError(m_state->path);
        if (damaged != nullptr)
            damaged->push_back(std::move(damage));
    };
    sqlite3_stmt *row = statement.get();
    while ((resultCode = sqlite3_step(row)) == SQLITE_ROW) {
        JournalRecord record;
        record.sequence = static_cast<SequenceNumber>(sqlite3_column_int64(row, 0));
        record.chainHash = static_cast<std::uint64_t>(sqlite3_column_int64(row, 1));
        const auto *kind = reinterpret_cast<const char *>(sqlite3_column_text(row, 2));
        record.kind = kind != nullptr ? kind : "";
        const auto *body = static_cast<const char *>(sqlite3_column_blob(row, 3));
        record.body.assign(body != nullptr ? body : "",
                           static_cast<std::size_t>(sqlite3_column_bytes(row, 3)));
        const auto stored = static_cast<std::uint64_t>(sqlite3_column_int64(row, 4));
        record.id = sqlite3_column_int64(row, 5);
        const std::uint64_t computed = format::recordChecksum(record);
        if (stored != computed) {
            reject(record, JournalErrorKind::ChecksumMismatch,
                   "checksum mismatch: stored " + format::hex(stored) + ", computed " +
                       format::hex(computed));
            continue;
        }
        if (record.sequence > lastEvent) {
            reject(record, JournalErrorKind::TailMismatch,
                   "it follows sequence " + std::to_string(record.sequence) +
                       ", past the journal's last event, " + std::to_string(lastEvent));
            continue;
        }
        found.push_back(std::move(record));
    }
    if (resultCode != SQLITE_DONE && !error) {
        error =
            makeError(format::sqliteFailureKind(resultCode), m_state->path, 0,
                      "failed to read the records: " + describeSqliteError(database, resultCode));
    }
    return found;
}

void JournalReader::checkTail()
{
    if (m_state->skipUntil > 0 && !m_state->anchorSeen) {
        fail(JournalErrorKind::SequenceGap, m_state->skipUntil,
             "the event the reader was to start after is missing");
        return;
    }
    const format::Tail &recorded = m_state->recordedTail;
    const SequenceNumber last = m_state->checkedSequence;

    if (last < recorded.sequence) {
        const std::string where = last == 0
                                      ? "the journal has no events"
                                      : "the journal ends at sequence " + std::to_string(last);
        fail(JournalErrorKind::TailMismatch, last + 1,
             where + " but its metadata records " + std::to_string(recorded.sequence) +
                 " as the last: events were removed from the end");
    } else if (last > recorded.sequence) {
        fail(JournalErrorKind::TailMismatch, recorded.sequence + 1,
             "the journal continues to sequence " + std::to_string(last) +
                 " past the last event its metadata records (" + std::to_string(recorded.sequence) +
                 ")");
    } else if (m_state->checkedHash != recorded.hash) {
        fail(JournalErrorKind::TailMismatch, last,
             "the last event's hash " + format::hex(m_state->checkedHash) +
                 " differs from the metadata's " + format::hex(recorded.hash));
    }

    // Ends the read transaction, so that a long-lived reader does not hold back checkpoints.
    m_state->selectEvents.reset();
    m_state->selectChunks.reset();
    executeSql(m_state->database.get(), "COMMIT");
}

void JournalReader::fail(JournalErrorKind kind, SequenceNumber sequence, std::string what)
{
    if (!m_state->error) {
        m_state->error = makeError(kind, m_state->path, sequence, std::move(what));
    }
}

const std::optional<JournalError> &JournalReader::error() const
{
    return m_state->error;
}

SequenceNumber JournalReader::lastSequence() const
{
    return m_state->returnedSequence;
}

std::uint64_t JournalReader::lastHash() const
{
    return m_state->returnedHash;
}

SequenceNumber JournalReader::lastChunkEndAtOrBefore(SequenceNumber sequence) const
{
    const std::vector<SequenceNumber> &ends = m_state->chunkEnds;
    const auto after = std::upper_bound(ends.begin(), ends.end(), sequence);
    return after == ends.begin() ? 0 : *(after - 1);
}

SequenceNumber JournalReader::recordedLastSequence() const
{
    return m_state->recordedTail.sequence;
}

ReaderAccess JournalReader::access() const
{
    return m_state->access;
}

const std::string &JournalReader::path() const
{
    return m_state->path;
}

} // namespace bourse::storage

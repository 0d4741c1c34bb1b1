#include "journal.h"

#include "journal_files.h"
#include "journal_format.h"
#include "sqlite_support.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <limits>
#include <mutex>
#include <thread>

namespace bourse::storage {

namespace {

// How long a statement waits for a lock held by another connection before failing, such as a
// checkpoint run by a reader. Commits in WAL mode are short, so this is rarely reached.
constexpr int busyTimeoutMs = 5000;

constexpr SequenceNumber maxSequence =
    static_cast<SequenceNumber>(std::numeric_limits<std::int64_t>::max());

JournalError makeError(JournalErrorKind kind, const std::string &path, SequenceNumber sequence,
                       std::string what)
{
    return JournalError{kind, path, sequence, std::move(what)};
}

std::optional<JournalError> setPragmas(sqlite3 *database, const std::string &path,
                                       SynchronousMode synchronous)
{
    int resultCode = SQLITE_OK;
    const StatementHandle walMode =
        prepareStatement(database, "PRAGMA journal_mode = WAL", resultCode);
    if (walMode) {
        resultCode = sqlite3_step(walMode.get());
    }
    if (resultCode != SQLITE_ROW) {
        return makeError(JournalErrorKind::SqliteFailed, path, 0,
                         "failed to switch to WAL mode: " +
                             describeSqliteError(database, resultCode));
    }
    const auto *mode = reinterpret_cast<const char *>(sqlite3_column_text(walMode.get(), 0));
    if (mode == nullptr || std::string(mode) != "wal") {
        return makeError(JournalErrorKind::SqliteFailed, path, 0,
                         "failed to switch to WAL mode: SQLite kept journal mode " +
                             std::string(mode != nullptr ? mode : "(none)"));
    }

    const char *synchronousSql = synchronous == SynchronousMode::Full
                                     ? "PRAGMA synchronous = FULL"
                                     : "PRAGMA synchronous = NORMAL";
    resultCode = executeSql(database, synchronousSql);
    if (resultCode != SQLITE_OK) {
        return makeError(JournalErrorKind::SqliteFailed, path, 0,
                         "failed to set synchronous mode: " +
                             describeSqliteError(database, resultCode));
    }
    return std::nullopt;
}

// The hash of the event before `sequence`: 0 before the first event, else the hash stored with
// event sequence - 1, in a chunk or in a version 1 row.
std::optional<JournalError> hashBefore(sqlite3 *database, const std::string &path,
                                       const format::SchemaCheck &schema, SequenceNumber sequence,
                                       std::uint64_t &hash)
{
    hash = 0;
    if (sequence <= 1) {
        return std::nullopt;
    }
    const auto previous = static_cast<std::int64_t>(sequence - 1);
    int resultCode = SQLITE_OK;
    if (schema.hasChunksTable) {
        const StatementHandle statement = prepareStatement(
            database,
            "SELECT body FROM chunks WHERE first_sequence <= ?1 AND last_sequence = ?1 "
            "ORDER BY first_sequence DESC LIMIT 1",
            resultCode);
        if (!statement) {
            return makeError(JournalErrorKind::SqliteFailed, path, sequence - 1,
                             "failed to read a chunk: " +
                                 describeSqliteError(database, resultCode));
        }
        sqlite3_bind_int64(statement.get(), 1, previous);
        if (sqlite3_step(statement.get()) == SQLITE_ROW) {
            const auto *bytes =
                static_cast<const std::uint8_t *>(sqlite3_column_blob(statement.get(), 0));
            const auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement.get(), 0));
            const std::span<const std::uint8_t> body(bytes, size);
            format::StoredEvent record;
            std::size_t offset = 0;
            while (offset < body.size()) {
                if (auto problem = format::readChunkRecord(body, offset, record)) {
                    return makeError(JournalErrorKind::MalformedRow, path, sequence - 1, *problem);
                }
            }
            hash = record.hash;
            return std::nullopt;
        }
    }
    if (schema.hasEventsTable) {
        const StatementHandle statement =
            prepareStatement(database, "SELECT hash FROM events WHERE sequence = ?1", resultCode);
        if (statement) {
            sqlite3_bind_int64(statement.get(), 1, previous);
            if (sqlite3_step(statement.get()) == SQLITE_ROW) {
                hash = static_cast<std::uint64_t>(sqlite3_column_int64(statement.get(), 0));
                return std::nullopt;
            }
        }
    }
    return makeError(JournalErrorKind::SequenceGap, path, sequence - 1,
                     "the event before the last chunk is missing");
}

// Checks the events of the last chunk, or the last version 1 row when no chunk exists yet:
// checksums, hashes, and that the last event is the one the metadata records. Appending then
// continues a sound chain. The rest of the file is the reader's to check: reading every event
// here would make opening a large journal slow.
std::optional<JournalError> verifyTail(sqlite3 *database, const std::string &path,
                                       const format::SchemaCheck &schema)
{
    const format::Tail &tail = schema.tail;
    std::vector<format::StoredEvent> rows;
    int resultCode = SQLITE_OK;
    if (schema.hasChunksTable) {
        const StatementHandle statement = prepareStatement(
            database,
            "SELECT first_sequence, body FROM chunks ORDER BY first_sequence DESC LIMIT 1",
            resultCode);
        if (!statement) {
            return makeError(JournalErrorKind::SqliteFailed, path, 0,
                             "failed to read the last chunk: " +
                                 describeSqliteError(database, resultCode));
        }
        if ((resultCode = sqlite3_step(statement.get())) == SQLITE_ROW) {
            const auto first =
                static_cast<SequenceNumber>(sqlite3_column_int64(statement.get(), 0));
            const auto *bytes =
                static_cast<const std::uint8_t *>(sqlite3_column_blob(statement.get(), 1));
            const auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement.get(), 1));
            const std::span<const std::uint8_t> body(bytes, size);
            for (std::size_t offset = 0; offset < body.size();) {
                rows.emplace_back();
                if (auto problem = format::readChunkRecord(body, offset, rows.back())) {
                    return makeError(JournalErrorKind::MalformedRow, path, first, *problem);
                }
            }
        } else if (resultCode != SQLITE_DONE) {
            return makeError(JournalErrorKind::SqliteFailed, path, tail.sequence,
                             "failed to read the last chunk: " +
                                 describeSqliteError(database, resultCode));
        }
    }
    if (rows.empty() && schema.hasEventsTable) {
        const std::string sql = std::string("SELECT ") + format::eventColumns +
                                " FROM events ORDER BY sequence DESC LIMIT 1";
        const StatementHandle statement = prepareStatement(database, sql.c_str(), resultCode);
        if (!statement) {
            return makeError(JournalErrorKind::SqliteFailed, path, 0,
                             "failed to read the last event: " +
                                 describeSqliteError(database, resultCode));
        }
        if ((resultCode = sqlite3_step(statement.get())) == SQLITE_ROW) {
            rows.emplace_back();
            if (auto problem = format::readStoredEvent(statement.get(), rows.back())) {
                return makeError(JournalErrorKind::MalformedRow, path,
                                 static_cast<SequenceNumber>(rows.back().sequence), *problem);
            }
        } else if (resultCode != SQLITE_DONE) {
            return makeError(JournalErrorKind::SqliteFailed, path, tail.sequence,
                             "failed to read the last event: " +
                                 describeSqliteError(database, resultCode));
        }
    }

    if (rows.empty()) {
        if (tail.sequence == 0) {
            return std::nullopt;
        }
        return makeError(JournalErrorKind::TailMismatch, path, tail.sequence,
                         "the metadata records this as the last event, but the journal has no "
                         "events");
    }

    const auto lastSequence = static_cast<SequenceNumber>(rows.back().sequence);
    if (lastSequence != tail.sequence) {
        return makeError(JournalErrorKind::TailMismatch, path, lastSequence,
                         "the last event is " + std::to_string(lastSequence) +
                             " but the metadata records " + std::to_string(tail.sequence));
    }

    std::uint64_t previousHash = 0;
    const auto first = static_cast<SequenceNumber>(rows.front().sequence);
    if (auto error = hashBefore(database, path, schema, first, previousHash)) {
        return error;
    }
    SequenceNumber expected = first;
    for (const format::StoredEvent &row : rows) {
        if (static_cast<SequenceNumber>(row.sequence) != expected) {
            return makeError(JournalErrorKind::SequenceGap, path, expected,
                             "the last chunk skips from " + std::to_string(expected - 1) + " to " +
                                 std::to_string(row.sequence));
        }
        const format::CheckedEvent checked = format::checkStoredEvent(row, previousHash, path);
        if (checked.error) {
            return checked.error;
        }
        previousHash = row.hash;
        ++expected;
    }
    if (previousHash != tail.hash) {
        return makeError(JournalErrorKind::TailMismatch, path, lastSequence,
                         "the last event's hash " + format::hex(previousHash) +
                             " differs from the metadata's " + format::hex(tail.hash));
    }
    return std::nullopt;
}

} // namespace

std::string JournalError::toString() const
{
    std::string text = file + ": ";
    if (sequence != 0) {
        text += "sequence " + std::to_string(sequence) + ": ";
    }
    return text + what;
}

JournalError DamagedRecord::toError(const std::string &path) const
{
    return JournalError{errorKind, path, 0,
                        "record " + std::to_string(id) + " (" + (kind.empty() ? "no kind" : kind) +
                            ", after sequence " + std::to_string(sequence) +
                            ") is damaged: " + what};
}

DamagedRecord DamagedRecord::chainMismatch(const JournalRecord &record, std::uint64_t eventHash)
{
    return DamagedRecord{record.id, record.kind, record.sequence, JournalErrorKind::ChainBroken,
                         "it carries chain hash " + format::hex(record.chainHash) +
                             ", but the event it follows has " + format::hex(eventHash)};
}

// The unit the engine thread hands to the writer thread: a chunk of events, and the snapshot
// taken after its last event, if any.
struct HandedChunk {
    std::vector<Event> events;
    struct Snapshot {
        SequenceNumber sequence = 0;
        std::uint64_t stateHash = 0;
        std::vector<std::uint8_t> body;
    };
    std::optional<Snapshot> snapshot;
    std::vector<JournalRecord> records; // after the last event, in this order
};

struct JournalWriter::State {
    std::string path;
    JournalWriterOptions options;
    // Declared before the database, so that a failed create closes the database first.
    std::unique_ptr<JournalWriterLock> writerLock;
    DatabaseHandle database;
    StatementHandle insertChunk;
    StatementHandle insertSnapshot;
    StatementHandle insertRecord;
    StatementHandle updateTail;
    CommitListener listener;

    // Engine thread only.
    HandedChunk current;
    SequenceNumber lastSequence = 0;
    bool closed = false;

    // Shared between the threads, under `mutex`.
    std::mutex mutex;
    std::condition_variable workQueued; // the writer thread waits for chunks
    std::condition_variable workDone;   // the engine thread waits for room or a commit
    std::deque<HandedChunk> queue;
    std::vector<std::vector<Event>> freeEvents; // event buffers to reuse
    std::size_t chunksInFlight = 0;             // queued or being committed
    bool stopping = false;
    std::optional<JournalError> error;
    // Set by any error: the engine thread takes no more events. Chunks handed over before an
    // error of the engine thread (an event out of order) are still committed.
    std::atomic<bool> failed{false};
    // Set by an SQLite failure on the writer thread, after which nothing more is committed.
    std::atomic<bool> writerFailed{false};
    std::atomic<SequenceNumber> committedSequence{0};

    // Writer thread only.
    std::uint64_t lastHash = 0;
    SequenceNumber writtenSequence = 0;
    format::StoredEvent row;
    std::vector<std::uint8_t> body;
    std::thread thread;

    void run();
    bool commit(std::vector<HandedChunk> &chunks);
    bool tryCommit(std::vector<HandedChunk> &chunks);
    bool insertChunk_(const std::vector<Event> &events);
    bool insertSnapshot_(const HandedChunk::Snapshot &snapshot);
    bool insertRecord_(JournalRecord record);
    void setError(JournalErrorKind kind, SequenceNumber sequence, std::string what);
};

void JournalWriter::State::setError(JournalErrorKind kind, SequenceNumber sequence,
                                    std::string what)
{
    std::lock_guard lock(mutex);
    if (!error) {
        error = makeError(kind, path, sequence, std::move(what));
    }
    failed = true;
}

// Takes every chunk that waits and commits them together, until the engine thread stops it.
void JournalWriter::State::run()
{
    std::vector<HandedChunk> taken;
    while (true) {
        {
            std::unique_lock lock(mutex);
            workQueued.wait(lock, [this] { return !queue.empty() || stopping; });
            if (queue.empty()) {
                return;
            }
            while (!queue.empty()) {
                taken.push_back(std::move(queue.front()));
                queue.pop_front();
            }
        }

        const bool committed = !writerFailed && commit(taken);
        const SequenceNumber committedUpTo = writtenSequence;
        {
            std::lock_guard lock(mutex);
            for (HandedChunk &chunk : taken) {
                chunk.events.clear();
                freeEvents.push_back(std::move(chunk.events));
            }
            chunksInFlight -= taken.size();
            if (committed) {
                committedSequence = committedUpTo;
            }
        }
        taken.clear();
        workDone.notify_all();
        if (committed && listener) {
            listener(committedUpTo);
        }
    }
}

bool JournalWriter::State::commit(std::vector<HandedChunk> &chunks)
{
    const bool committed = tryCommit(chunks);
    if (!committed) {
        writerFailed = true;
    }
    return committed;
}

bool JournalWriter::State::tryCommit(std::vector<HandedChunk> &chunks)
{
    sqlite3 *db = database.get();
    const SequenceNumber firstSequence = writtenSequence + 1;
    const std::uint64_t hashBefore = lastHash;
    const auto rollBack = [&](const std::string &what) {
        const std::string message = what + describeSqliteError(db, sqlite3_errcode(db));
        executeSql(db, "ROLLBACK");
        writtenSequence = firstSequence - 1;
        lastHash = hashBefore;
        return message;
    };

    int resultCode = executeSql(db, "BEGIN IMMEDIATE");
    if (resultCode != SQLITE_OK) {
        setError(JournalErrorKind::SqliteFailed, firstSequence,
                 "failed to begin a transaction: " + describeSqliteError(db, resultCode));
        return false;
    }
    for (const HandedChunk &chunk : chunks) {
        if (!chunk.events.empty() && !insertChunk_(chunk.events)) {
            const std::string message = rollBack("failed to append: ");
            setError(JournalErrorKind::SqliteFailed, firstSequence, message);
            return false;
        }
        if (chunk.snapshot && !insertSnapshot_(*chunk.snapshot)) {
            const std::string message = rollBack("failed to store the snapshot: ");
            setError(JournalErrorKind::SqliteFailed, chunk.snapshot->sequence, message);
            return false;
        }
        for (const JournalRecord &record : chunk.records) {
            if (!insertRecord_(record)) {
                const std::string message = rollBack("failed to store the record: ");
                setError(JournalErrorKind::SqliteFailed, writtenSequence, message);
                return false;
            }
        }
    }

    sqlite3_stmt *update = updateTail.get();
    sqlite3_bind_int64(update, 1, static_cast<std::int64_t>(writtenSequence));
    sqlite3_bind_int64(update, 2, static_cast<std::int64_t>(lastHash));
    resultCode = sqlite3_step(update);
    sqlite3_reset(update);
    if (resultCode == SQLITE_DONE) {
        resultCode = executeSql(db, "COMMIT");
    }
    if (resultCode != SQLITE_OK && resultCode != SQLITE_DONE) {
        const SequenceNumber last = writtenSequence;
        const std::string message = rollBack("");
        setError(JournalErrorKind::SqliteFailed, firstSequence,
                 "failed to commit events " + std::to_string(firstSequence) + " to " +
                     std::to_string(last) + ", which are lost: " + message);
        return false;
    }
    return true;
}

bool JournalWriter::State::insertChunk_(const std::vector<Event> &events)
{
    body.clear();
    for (const Event &event : events) {
        format::fillStoredEvent(event, lastHash, row);
        format::appendChunkRecord(row, body);
        lastHash = row.hash;
    }
    const SequenceNumber first = events.front().sequence;
    const SequenceNumber last = events.back().sequence;

    sqlite3_stmt *insert = insertChunk.get();
    sqlite3_bind_int64(insert, 1, static_cast<std::int64_t>(first));
    sqlite3_bind_int64(insert, 2, static_cast<std::int64_t>(last));
    sqlite3_bind_int64(insert, 3, static_cast<std::int64_t>(events.size()));
    sqlite3_bind_blob(insert, 4, body.data(), static_cast<int>(body.size()), SQLITE_STATIC);
    const int resultCode = sqlite3_step(insert);
    sqlite3_reset(insert);
    sqlite3_clear_bindings(insert);
    if (resultCode != SQLITE_DONE) {
        return false;
    }
    writtenSequence = last;
    return true;
}

bool JournalWriter::State::insertSnapshot_(const HandedChunk::Snapshot &snapshot)
{
    const auto sequence = static_cast<std::int64_t>(snapshot.sequence);
    const std::uint64_t checksum =
        format::snapshotChecksum(sequence, lastHash, snapshot.stateHash, snapshot.body);
    sqlite3_stmt *insert = insertSnapshot.get();
    sqlite3_bind_int64(insert, 1, sequence);
    sqlite3_bind_int64(insert, 2, static_cast<std::int64_t>(lastHash));
    sqlite3_bind_int64(insert, 3, static_cast<std::int64_t>(snapshot.stateHash));
    // An empty vector's data() may be null, which SQLite would bind as NULL.
    if (snapshot.body.empty()) {
        sqlite3_bind_zeroblob(insert, 4, 0);
    } else {
        sqlite3_bind_blob64(insert, 4, snapshot.body.data(), snapshot.body.size(), SQLITE_STATIC);
    }
    sqlite3_bind_int64(insert, 5, static_cast<std::int64_t>(checksum));
    const int resultCode = sqlite3_step(insert);
    sqlite3_reset(insert);
    sqlite3_clear_bindings(insert);
    return resultCode == SQLITE_DONE;
}

// The record follows the last event written, whose sequence and chain hash it takes.
bool JournalWriter::State::insertRecord_(JournalRecord record)
{
    record.sequence = writtenSequence;
    record.chainHash = lastHash;
    const std::uint64_t checksum = format::recordChecksum(record);
    sqlite3_stmt *insert = insertRecord.get();
    sqlite3_bind_int64(insert, 1, static_cast<std::int64_t>(record.sequence));
    sqlite3_bind_int64(insert, 2, static_cast<std::int64_t>(record.chainHash));
    sqlite3_bind_text64(insert, 3, record.kind.data(), record.kind.size(), SQLITE_STATIC,
                        SQLITE_UTF8);
    sqlite3_bind_blob64(insert, 4, record.body.data(), record.body.size(), SQLITE_STATIC);
    sqlite3_bind_int64(insert, 5, static_cast<std::int64_t>(checksum));
    const int resultCode = sqlite3_step(insert);
    sqlite3_reset(insert);
    sqlite3_clear_bindings(insert);
    return resultCode == SQLITE_DONE;
}

JournalWriter::Created JournalWriter::create(const std::string &path,
                                             const JournalWriterOptions &options)
{
    // A directory or a FIFO is rejected before a lock file appears beside it.
    if (std::optional<JournalError> error = checkRegularFile(path)) {
        return Created{nullptr, std::move(error)};
    }
    JournalWriterLock::Acquired acquired = JournalWriterLock::acquire(path);
    if (!acquired.lock) {
        return Created{nullptr, std::move(acquired.error)};
    }
    return create(std::move(acquired.lock), options);
}

JournalWriter::Created JournalWriter::create(std::unique_ptr<JournalWriterLock> lock,
                                             const JournalWriterOptions &options)
{
    const std::string path = lock->journalPath();
    auto state = std::make_unique<State>();
    state->path = path;
    state->writerLock = std::move(lock);
    state->options = options;
    state->options.eventsPerChunk = std::clamp<std::size_t>(options.eventsPerChunk, 1, 1 << 20);
    state->options.maximumQueuedChunks = std::max<std::size_t>(options.maximumQueuedChunks, 1);

    const auto failed = [](JournalError error) { return Created{nullptr, std::move(error)}; };

    if (std::optional<JournalError> error = checkRegularFile(path)) {
        return failed(std::move(*error));
    }
    std::string openError;
    state->database =
        openDatabase(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                     busyTimeoutMs, openError);
    if (!state->database) {
        return failed(makeError(JournalErrorKind::OpenFailed, path, 0,
                                "failed to open or create the journal: " + openError));
    }
    sqlite3 *database = state->database.get();
    // SQLite opens a file it may not write read-only instead of failing, and writes would fail
    // only at the first commit, after events were accepted.
    if (sqlite3_db_readonly(database, "main") == 1) {
        return failed(makeError(JournalErrorKind::OpenFailed, path, 0,
                                "the journal is read-only, so no event could be stored"));
    }

    // The schema is checked before any pragma that writes, so a file that is not a journal is
    // left as it was.
    format::SchemaCheck schema = format::inspectSchema(database, path);
    if (schema.error) {
        return failed(std::move(*schema.error));
    }
    if (schema.state == format::SchemaState::Empty) {
        if (auto error = format::setNewFilePageSize(database, path)) {
            return failed(std::move(*error));
        }
    }
    if (auto error = setPragmas(database, path, options.synchronous)) {
        return failed(std::move(*error));
    }
    if (schema.state == format::SchemaState::Empty) {
        if (auto error = format::createSchema(database, path)) {
            return failed(std::move(*error));
        }
    } else {
        if (auto error = verifyTail(database, path, schema)) {
            return failed(std::move(*error));
        }
        if (schema.version < format::formatVersion) {
            if (auto error = format::upgradeSchema(database, path)) {
                return failed(std::move(*error));
            }
        }
    }

    if (auto error = format::ensureRecordsTable(database, path)) {
        return failed(std::move(*error));
    }

    int resultCode = SQLITE_OK;
    state->insertChunk = prepareStatement(database, format::insertChunkSql, resultCode);
    if (state->insertChunk) {
        state->insertSnapshot = prepareStatement(database, format::insertSnapshotSql, resultCode);
    }
    if (state->insertSnapshot) {
        state->insertRecord = prepareStatement(database, format::insertRecordSql, resultCode);
    }
    if (state->insertRecord) {
        state->updateTail = prepareStatement(database, format::updateTailSql, resultCode);
    }
    if (!state->updateTail) {
        return failed(makeError(JournalErrorKind::SqliteFailed, path, 0,
                                "failed to prepare statements: " +
                                    describeSqliteError(database, resultCode)));
    }

    state->lastSequence = schema.tail.sequence;
    state->writtenSequence = schema.tail.sequence;
    state->lastHash = schema.tail.hash;
    state->committedSequence = schema.tail.sequence;
    state->current.events.reserve(state->options.eventsPerChunk);
    State *raw = state.get();
    state->thread = std::thread([raw] { raw->run(); });
    return Created{std::unique_ptr<JournalWriter>(new JournalWriter(std::move(state))),
                   std::nullopt};
}

JournalWriter::JournalWriter(std::unique_ptr<State> state)
    : m_state(std::move(state))
{
}

JournalWriter::~JournalWriter()
{
    close();
}

void JournalWriter::setCommitListener(CommitListener listener)
{
    std::lock_guard lock(m_state->mutex);
    m_state->listener = std::move(listener);
}

void JournalWriter::onEvent(const Event &event)
{
    State &state = *m_state;
    if (state.failed.load(std::memory_order_relaxed)) {
        return;
    }
    if (state.closed) {
        fail(JournalErrorKind::WriterClosed, event.sequence,
             "the writer is closed, so the event is rejected");
        return;
    }

    const SequenceNumber expected = state.lastSequence + 1;
    if (event.sequence != expected) [[unlikely]] {
        fail(JournalErrorKind::SequenceOutOfOrder, event.sequence,
             "event does not follow the last event " + std::to_string(state.lastSequence) +
                 " (expected sequence " + std::to_string(expected) + ")");
        return;
    }
    if (event.sequence > maxSequence) [[unlikely]] {
        fail(JournalErrorKind::SequenceOutOfOrder, event.sequence,
             "sequence number exceeds the largest SQLite integer");
        return;
    }
    state.current.events.push_back(event);
    state.lastSequence = event.sequence;
}

// Chunks end only between commands, so that a journal cut short by a crash never ends inside
// a command: a restart then finds no order half entered.
void JournalWriter::onCommandEnd()
{
    if (m_state->current.events.size() >= m_state->options.eventsPerChunk && !m_state->closed) {
        handOver(true);
    }
}

void JournalWriter::onBatchEnd()
{
    if (!m_state->current.events.empty() && !m_state->closed) {
        handOver(true);
    }
}

// Queues the current chunk for the writer thread and starts a new one. With `waitForRoom`, waits
// while the queue is full. The chunk that caused the wait is queued either way, so the queue
// has at most one chunk more than the limit.
void JournalWriter::handOver(bool waitForRoom)
{
    State &state = *m_state;
    std::vector<Event> next;
    {
        std::unique_lock lock(state.mutex);
        state.queue.push_back(std::move(state.current));
        ++state.chunksInFlight;
        state.workQueued.notify_one();
        if (waitForRoom) {
            state.workDone.wait(lock, [&state] {
                return state.chunksInFlight < state.options.maximumQueuedChunks || state.failed;
            });
        }
        if (!state.freeEvents.empty()) {
            next = std::move(state.freeEvents.back());
            state.freeEvents.pop_back();
        }
    }
    state.current = HandedChunk{};
    state.current.events = std::move(next);
    state.current.events.reserve(state.options.eventsPerChunk);
}

void JournalWriter::writeSnapshot(SequenceNumber sequence, std::uint64_t stateHash,
                                  std::vector<std::uint8_t> body)
{
    State &state = *m_state;
    if (state.closed || state.failed) {
        return;
    }
    if (sequence != state.lastSequence || sequence == 0) {
        fail(JournalErrorKind::SequenceOutOfOrder, sequence,
             "a snapshot must follow the last event handed over (" +
                 std::to_string(state.lastSequence) + ")");
        return;
    }
    state.current.snapshot = HandedChunk::Snapshot{sequence, stateHash, std::move(body)};
    handOver(true);
}

void JournalWriter::writeRecord(std::string kind, std::string body)
{
    State &state = *m_state;
    if (state.closed || state.failed) {
        return;
    }
    state.current.records.push_back(JournalRecord{0, 0, std::move(kind), std::move(body)});
    handOver(true);
}

std::optional<JournalError> JournalWriter::flush()
{
    State &state = *m_state;
    if (!state.closed && (!state.current.events.empty() || state.current.snapshot ||
                          !state.current.records.empty())) {
        handOver(false);
    }
    std::unique_lock lock(state.mutex);
    state.workDone.wait(lock, [&state] { return state.chunksInFlight == 0; });
    return state.error;
}

std::optional<JournalError> JournalWriter::close()
{
    State &state = *m_state;
    if (state.closed) {
        return error();
    }
    flush();
    {
        std::lock_guard lock(state.mutex);
        state.stopping = true;
    }
    state.workQueued.notify_one();
    if (state.thread.joinable()) {
        state.thread.join();
    }

    state.insertChunk.reset();
    state.insertSnapshot.reset();
    state.insertRecord.reset();
    state.updateTail.reset();
    state.database.reset();
    state.writerLock.reset();
    state.closed = true;
    return error();
}

std::string JournalWriter::failure() const
{
    const std::optional<JournalError> first = error();
    return first ? first->toString() : std::string();
}

void JournalWriter::fail(JournalErrorKind kind, SequenceNumber sequence, std::string what)
{
    m_state->setError(kind, sequence, std::move(what));
}

std::optional<JournalError> JournalWriter::error() const
{
    std::lock_guard lock(m_state->mutex);
    return m_state->error;
}

SequenceNumber JournalWriter::lastSequence() const
{
    return m_state->lastSequence;
}

SequenceNumber JournalWriter::committedSequence() const
{
    return m_state->committedSequence.load();
}

const std::string &JournalWriter::path() const
{
    return m_state->path;
}

} // namespace bourse::storage

#include "journal.h"

#include "journal_files.h"
#include "journal_format.h"
#include "sqlite_support.h"

#include <algorithm>
#include <limits>

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

// Checks that the last row is the one the metadata records, and that its checksum and hash
// hold, so that appending continues a sound chain. The rest of the file is the reader's to
// check: reading every row here would make opening a large journal slow.
std::optional<JournalError> verifyTail(sqlite3 *database, const std::string &path,
                                       const format::Tail &tail)
{
    const std::string sql = std::string("SELECT ") + format::eventColumns +
                            " FROM events ORDER BY sequence DESC LIMIT 2";
    int resultCode = SQLITE_OK;
    const StatementHandle statement = prepareStatement(database, sql.c_str(), resultCode);
    if (!statement) {
        return makeError(JournalErrorKind::SqliteFailed, path, 0,
                         "failed to read the last event: " +
                             describeSqliteError(database, resultCode));
    }

    format::StoredEvent rows[2];
    int rowCount = 0;
    while (rowCount < 2 && (resultCode = sqlite3_step(statement.get())) == SQLITE_ROW) {
        if (auto problem = format::readStoredEvent(statement.get(), rows[rowCount])) {
            return makeError(JournalErrorKind::MalformedRow, path,
                             static_cast<SequenceNumber>(rows[rowCount].sequence), *problem);
        }
        ++rowCount;
    }
    if (rowCount < 2 && resultCode != SQLITE_DONE) {
        return makeError(JournalErrorKind::SqliteFailed, path, tail.sequence,
                         "failed to read the last event: " +
                             describeSqliteError(database, resultCode));
    }

    if (rowCount == 0) {
        if (tail.sequence == 0) {
            return std::nullopt;
        }
        return makeError(JournalErrorKind::TailMismatch, path, tail.sequence,
                         "the metadata records this as the last event, but the events table is "
                         "empty");
    }

    const format::StoredEvent &last = rows[0];
    const auto lastSequence = static_cast<SequenceNumber>(last.sequence);
    if (lastSequence != tail.sequence) {
        return makeError(JournalErrorKind::TailMismatch, path, lastSequence,
                         "the last event is " + std::to_string(lastSequence) +
                             " but the metadata records " + std::to_string(tail.sequence));
    }

    std::uint64_t previousHash = 0;
    if (lastSequence > 1) {
        if (rowCount < 2 || static_cast<SequenceNumber>(rows[1].sequence) != lastSequence - 1) {
            return makeError(JournalErrorKind::SequenceGap, path, lastSequence - 1,
                             "the event before the last one is missing");
        }
        previousHash = rows[1].hash;
    }

    const format::CheckedEvent checked = format::checkStoredEvent(last, previousHash, path);
    if (checked.error) {
        return checked.error;
    }
    if (last.hash != tail.hash) {
        return makeError(JournalErrorKind::TailMismatch, path, lastSequence,
                         "the last event's hash " + format::hex(last.hash) +
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

struct JournalWriter::State {
    std::string path;
    JournalWriterOptions options;
    DatabaseHandle database;
    StatementHandle insertEvent;
    StatementHandle updateTail;

    SequenceNumber lastSequence = 0;
    std::uint64_t lastHash = 0;
    SequenceNumber committedSequence = 0;
    std::uint64_t committedHash = 0;
    std::size_t pendingEvents = 0;
    std::chrono::steady_clock::time_point lastCommit = std::chrono::steady_clock::now();
    bool closed = false;
    std::optional<JournalError> error;

    format::StoredEvent row; // reused for every event
};

JournalWriter::Created JournalWriter::create(const std::string &path,
                                             const JournalWriterOptions &options)
{
    auto state = std::make_unique<State>();
    state->path = path;
    state->options = options;
    state->options.eventsPerTransaction = std::max<std::size_t>(options.eventsPerTransaction, 1);

    const auto failed = [](JournalError error) { return Created{nullptr, std::move(error)}; };

    if (std::optional<JournalError> error = checkRegularFile(path)) {
        return failed(std::move(*error));
    }
    std::string openError;
    state->database =
        openDatabase(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, busyTimeoutMs, openError);
    if (!state->database) {
        return failed(makeError(JournalErrorKind::OpenFailed, path, 0,
                                "failed to open or create the journal: " + openError));
    }
    sqlite3 *database = state->database.get();

    // The schema is checked before any pragma that writes, so a file that is not a journal is
    // left as it was.
    format::SchemaCheck schema = format::inspectSchema(database, path);
    if (schema.error) {
        return failed(std::move(*schema.error));
    }
    if (auto error = setPragmas(database, path, options.synchronous)) {
        return failed(std::move(*error));
    }
    if (schema.state == format::SchemaState::Empty) {
        if (auto error = format::createSchema(database, path)) {
            return failed(std::move(*error));
        }
    }
    if (auto error = verifyTail(database, path, schema.tail)) {
        return failed(std::move(*error));
    }

    int resultCode = SQLITE_OK;
    state->insertEvent = prepareStatement(database, format::insertEventSql, resultCode);
    if (state->insertEvent) {
        state->updateTail = prepareStatement(database, format::updateTailSql, resultCode);
    }
    if (!state->updateTail) {
        return failed(makeError(JournalErrorKind::SqliteFailed, path, 0,
                                "failed to prepare statements: " +
                                    describeSqliteError(database, resultCode)));
    }

    state->lastSequence = schema.tail.sequence;
    state->lastHash = schema.tail.hash;
    state->committedSequence = schema.tail.sequence;
    state->committedHash = schema.tail.hash;
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

void JournalWriter::onEvent(const Event &event)
{
    if (m_state->error) {
        return;
    }
    if (m_state->closed) {
        fail(JournalErrorKind::WriterClosed, event.sequence,
             "the writer is closed, so the event is rejected");
        return;
    }

    const SequenceNumber expected = m_state->lastSequence + 1;
    if (event.sequence != expected) {
        fail(JournalErrorKind::SequenceOutOfOrder, event.sequence,
             "event does not follow the last event " + std::to_string(m_state->lastSequence) +
                 " (expected sequence " + std::to_string(expected) + ")");
        return;
    }
    if (event.sequence > maxSequence) {
        fail(JournalErrorKind::SequenceOutOfOrder, event.sequence,
             "sequence number exceeds the largest SQLite integer");
        return;
    }
    append(event);
}

void JournalWriter::append(const Event &event)
{
    if (m_state->pendingEvents == 0 && !beginTransaction()) {
        return;
    }

    format::StoredEvent &row = m_state->row;
    format::fillStoredEvent(event, m_state->lastHash, row);

    sqlite3_stmt *insert = m_state->insertEvent.get();
    sqlite3_bind_int64(insert, 1, row.sequence);
    sqlite3_bind_int64(insert, 2, row.time);
    sqlite3_bind_int64(insert, 3, row.instrument);
    sqlite3_bind_int64(insert, 4, row.type);
    sqlite3_bind_blob(insert, 5, row.payload.data(), static_cast<int>(row.payload.size()),
                      SQLITE_STATIC);
    sqlite3_bind_int64(insert, 6, static_cast<std::int64_t>(row.checksum));
    sqlite3_bind_int64(insert, 7, static_cast<std::int64_t>(row.hash));
    const int resultCode = sqlite3_step(insert);
    sqlite3_reset(insert);
    sqlite3_clear_bindings(insert);

    if (resultCode != SQLITE_DONE) {
        const std::string message = describeSqliteError(m_state->database.get(), resultCode);
        executeSql(m_state->database.get(), "ROLLBACK");
        m_state->pendingEvents = 0;
        m_state->lastSequence = m_state->committedSequence;
        m_state->lastHash = m_state->committedHash;
        fail(JournalErrorKind::SqliteFailed, event.sequence, "failed to append: " + message);
        return;
    }

    m_state->lastSequence = event.sequence;
    m_state->lastHash = row.hash;
    ++m_state->pendingEvents;
    if (m_state->pendingEvents >= m_state->options.eventsPerTransaction) {
        commitTransaction();
    }
}

bool JournalWriter::beginTransaction()
{
    // IMMEDIATE takes the write lock now, so a second writer on the same file fails here
    // rather than at commit.
    const int resultCode = executeSql(m_state->database.get(), "BEGIN IMMEDIATE");
    if (resultCode != SQLITE_OK) {
        fail(JournalErrorKind::SqliteFailed, m_state->lastSequence + 1,
             "failed to begin a transaction: " +
                 describeSqliteError(m_state->database.get(), resultCode));
        return false;
    }
    return true;
}

bool JournalWriter::commitTransaction()
{
    sqlite3 *database = m_state->database.get();
    sqlite3_stmt *update = m_state->updateTail.get();
    sqlite3_bind_int64(update, 1, static_cast<std::int64_t>(m_state->lastSequence));
    sqlite3_bind_int64(update, 2, static_cast<std::int64_t>(m_state->lastHash));
    int resultCode = sqlite3_step(update);
    sqlite3_reset(update);
    if (resultCode == SQLITE_DONE) {
        resultCode = executeSql(database, "COMMIT");
    }

    if (resultCode != SQLITE_OK && resultCode != SQLITE_DONE) {
        const std::string message = describeSqliteError(database, resultCode);
        const SequenceNumber first = m_state->committedSequence + 1;
        const SequenceNumber last = m_state->lastSequence;
        executeSql(database, "ROLLBACK");
        m_state->pendingEvents = 0;
        m_state->lastSequence = m_state->committedSequence;
        m_state->lastHash = m_state->committedHash;
        fail(JournalErrorKind::SqliteFailed, first,
             "failed to commit events " + std::to_string(first) + " to " + std::to_string(last) +
                 ", which are lost: " + message);
        return false;
    }

    m_state->pendingEvents = 0;
    m_state->committedSequence = m_state->lastSequence;
    m_state->committedHash = m_state->lastHash;
    m_state->lastCommit = std::chrono::steady_clock::now();
    return true;
}

std::string JournalWriter::failure() const
{
    return m_state->error ? m_state->error->toString() : std::string();
}

void JournalWriter::onBatchEnd()
{
    if (m_state->pendingEvents == 0) {
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - m_state->lastCommit >= m_state->options.batchCommitInterval) {
        commitTransaction();
    }
}

std::optional<JournalError> JournalWriter::flush()
{
    if (m_state->pendingEvents > 0) {
        commitTransaction();
    }
    return m_state->error;
}

std::optional<JournalError> JournalWriter::close()
{
    if (m_state->closed) {
        return m_state->error;
    }
    flush();

    m_state->insertEvent.reset();
    m_state->updateTail.reset();
    m_state->database.reset();
    m_state->closed = true;
    return m_state->error;
}

void JournalWriter::fail(JournalErrorKind kind, SequenceNumber sequence, std::string what)
{
    if (!m_state->error) {
        m_state->error = makeError(kind, m_state->path, sequence, std::move(what));
    }
}

const std::optional<JournalError> &JournalWriter::error() const
{
    return m_state->error;
}

SequenceNumber JournalWriter::lastSequence() const
{
    return m_state->lastSequence;
}

SequenceNumber JournalWriter::committedSequence() const
{
    return m_state->committedSequence;
}

const std::string &JournalWriter::path() const
{
    return m_state->path;
}

} // namespace bourse::storage

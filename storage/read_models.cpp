#include "read_models.h"

#include "journal_files.h"
#include "journal_format.h"
#include "read_models_projection.h"
#include "read_models_schema.h"
#include "sqlite_support.h"

#include <algorithm>
#include <utility>

namespace bourse::storage {

namespace {

// How long a statement waits for a lock another connection holds, such as a reader's
// checkpoint, before failing.
constexpr int busyTimeoutMs = 5000;

ReadModelError makeError(ReadModelErrorKind kind, const std::string &path, SequenceNumber sequence,
                         std::string what)
{
    return ReadModelError{kind, path, sequence, std::move(what)};
}

ReadModelError fromProblem(views::Problem problem, const std::string &path,
                           SequenceNumber sequence = 0)
{
    return ReadModelError{problem.kind, path, sequence, std::move(problem.what)};
}

ReadModelError fromJournalError(const JournalError &error)
{
    return ReadModelError{ReadModelErrorKind::JournalFailed, error.file, error.sequence,
                          error.what};
}

std::optional<views::Problem> setPragmas(sqlite3 *database)
{
    int resultCode = SQLITE_OK;
    const StatementHandle walMode =
        prepareStatement(database, "PRAGMA journal_mode = WAL", resultCode);
    if (walMode) {
        resultCode = sqlite3_step(walMode.get());
    }
    if (resultCode != SQLITE_ROW) {
        return views::sqliteProblem(database, resultCode, "failed to switch to WAL mode");
    }
    const auto *mode = reinterpret_cast<const char *>(sqlite3_column_text(walMode.get(), 0));
    if (mode == nullptr || std::string(mode) != "wal") {
        return views::Problem{ReadModelErrorKind::SqliteFailed,
                              "failed to switch to WAL mode: SQLite kept journal mode " +
                                  std::string(mode != nullptr ? mode : "(none)")};
    }

    // NORMAL skips the fsync at every commit. The views are derived from the journal, so a
    // commit lost to a power failure is projected again by the next catch-up.
    resultCode = executeSql(database, "PRAGMA synchronous = NORMAL");
    if (resultCode != SQLITE_OK) {
        return views::sqliteProblem(database, resultCode, "failed to set synchronous mode");
    }
    return std::nullopt;
}

// Runs `change` in a transaction of its own and commits it, or rolls it back on a problem.
template <typename Change>
std::optional<views::Problem> inTransaction(sqlite3 *database, Change change)
{
    int resultCode = executeSql(database, "BEGIN IMMEDIATE");
    if (resultCode != SQLITE_OK) {
        return views::sqliteProblem(database, resultCode, "failed to begin a transaction");
    }
    if (std::optional<views::Problem> problem = change()) {
        executeSql(database, "ROLLBACK");
        return problem;
    }
    resultCode = executeSql(database, "COMMIT");
    if (resultCode != SQLITE_OK) {
        const views::Problem problem =
            views::sqliteProblem(database, resultCode, "failed to commit");
        executeSql(database, "ROLLBACK");
        return problem;
    }
    return std::nullopt;
}

std::int64_t wallClockNanoseconds()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Whether a reader that startAfter() placed after `anchor` stopped because the journal's event
// there carries another chain hash than the one given. Only that event is checked against the
// given hash, and the reader reports the mismatch as a broken chain at its sequence number.
bool rejectedAnchor(const std::optional<JournalError> &error, SequenceNumber anchor)
{
    return error && error->kind == JournalErrorKind::ChainBroken && error->sequence == anchor;
}

} // namespace

std::string viewsPathFor(const std::string &journalPath)
{
    return journalPath + "-views";
}

std::string ReadModelError::toString() const
{
    std::string text = file + ": ";
    if (sequence != 0) {
        text += "sequence " + std::to_string(sequence) + ": ";
    }
    return text + what;
}

std::string_view nameOf(RebuildReason reason)
{
    switch (reason) {
    case RebuildReason::None:
        return "none";
    case RebuildReason::Requested:
        return "rebuild requested";
    case RebuildReason::OlderFormat:
        return "views file in an older format";
    case RebuildReason::DifferentJournal:
        return "views of a different journal";
    case RebuildReason::JournalShorter:
        return "journal shorter than the views";
    case RebuildReason::ChainHashMismatch:
        return "chain hash mismatch";
    }
    return "unknown reason";
}

struct ReadModelWriter::State {
    std::string path;
    ReadModelOptions options;
    DatabaseHandle database;
    std::unique_ptr<views::Projection> projection;
    StatementHandle updateProjection;
    StatementHandle selectLastSequence;

    SequenceNumber lastSequence = 0;
    std::uint64_t lastHash = 0;
    SequenceNumber committedSequence = 0;
    std::uint64_t committedHash = 0;
    std::optional<std::uint64_t> firstHash;
    std::optional<std::string> journalPath;

    std::size_t pendingEvents = 0;
    bool inTransaction = false;
    std::chrono::steady_clock::time_point lastCommit = std::chrono::steady_clock::now();
    RebuildReason formatRebuild = RebuildReason::None; // reported by the next catch-up
    bool closed = false;
    std::optional<ReadModelError> error;

    format::StoredEvent row; // reused to compute the chain hash of live events
};

namespace {

// Prepares the writer's statements and loads the projection's state and metadata from the file.
std::optional<views::Problem> loadState(sqlite3 *database,
                                        std::unique_ptr<views::Projection> &projection,
                                        StatementHandle &updateProjection,
                                        StatementHandle &selectLastSequence,
                                        views::ProjectionRow &row)
{
    if (auto problem = views::readProjectionRow(database, row)) {
        return problem;
    }
    projection = std::make_unique<views::Projection>(database);
    if (auto problem = projection->load()) {
        return problem;
    }
    int resultCode = SQLITE_OK;
    updateProjection = prepareStatement(database, views::updateProjectionSql, resultCode);
    if (updateProjection) {
        selectLastSequence = prepareStatement(
            database, "SELECT last_sequence FROM projection WHERE id = 1", resultCode);
    }
    if (!selectLastSequence) {
        return views::Problem{ReadModelErrorKind::ViewsDamaged,
                              "damaged views file: the projection table does not fit (" +
                                  describeSqliteError(database, resultCode) + ")"};
    }
    return std::nullopt;
}

} // namespace

ReadModelWriter::Opened ReadModelWriter::open(const std::string &path,
                                              const ReadModelOptions &options)
{
    auto state = std::make_unique<State>();
    state->path = path;
    state->options = options;
    state->options.eventsPerTransaction = std::max<std::size_t>(options.eventsPerTransaction, 1);
    const auto failed = [&path](views::Problem problem) {
        return Opened{nullptr, fromProblem(std::move(problem), path)};
    };

    if (std::optional<JournalError> error = checkRegularFile(path)) {
        return Opened{nullptr, makeError(ReadModelErrorKind::OpenFailed, path, 0, error->what)};
    }
    std::string openError;
    state->database =
        openDatabase(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, busyTimeoutMs, openError);
    if (!state->database) {
        return Opened{nullptr, makeError(ReadModelErrorKind::OpenFailed, path, 0,
                                         "failed to open or create the views file: " + openError)};
    }
    sqlite3 *database = state->database.get();

    // The schema is checked before anything is written, so that a file that is not a views
    // file is left as it was.
    const views::SchemaCheck schema = views::inspectSchema(database);
    if (schema.problem) {
        return failed(*schema.problem);
    }
    if (auto problem = setPragmas(database)) {
        return failed(*problem);
    }
    if (schema.state != views::SchemaState::Current) {
        const bool older = schema.state == views::SchemaState::OlderFormat;
        auto problem = inTransaction(database, [database, older]() {
            std::optional<views::Problem> dropped;
            if (older) {
                dropped = views::dropSchema(database);
            }
            return dropped ? dropped : views::createSchema(database);
        });
        if (problem) {
            return failed(*problem);
        }
        if (older) {
            state->formatRebuild = RebuildReason::OlderFormat;
        }
    } else if (views::lacksQueryIndexes(database)) {
        if (auto problem = inTransaction(
                database, [database]() { return views::createQueryIndexes(database); })) {
            return failed(*problem);
        }
    }

    views::ProjectionRow row;
    if (auto problem = loadState(database, state->projection, state->updateProjection,
                                 state->selectLastSequence, row)) {
        return failed(*problem);
    }
    state->lastSequence = state->committedSequence = row.lastSequence;
    state->lastHash = state->committedHash = row.lastHash;
    state->firstHash = row.journalFirstHash;
    state->journalPath = row.journalPath;
    return Opened{std::unique_ptr<ReadModelWriter>(new ReadModelWriter(std::move(state))),
                  std::nullopt};
}

ReadModelWriter::ReadModelWriter(std::unique_ptr<State> state)
    : m_state(std::move(state))
{
}

ReadModelWriter::~ReadModelWriter()
{
    close();
}

void ReadModelWriter::onEvent(const Event &event)
{
    if (m_state->error) {
        return;
    }
    if (m_state->closed) {
        fail(ReadModelErrorKind::WriterClosed, event.sequence,
             "the writer is closed, so the event is rejected");
        return;
    }
    if (!isStateChange(typeOf(event.payload))) {
        return;
    }
    const SequenceNumber expected = m_state->lastSequence + 1;
    if (event.sequence != expected) {
        fail(ReadModelErrorKind::SequenceOutOfOrder, event.sequence,
             "event does not follow the last projected event " +
                 std::to_string(m_state->lastSequence) + " (expected sequence " +
                 std::to_string(expected) + ")");
        return;
    }
    format::fillStoredEvent(event, m_state->lastHash, m_state->row);
    project(event, m_state->row.hash);
}

void ReadModelWriter::project(const Event &event, std::uint64_t hash)
{
    if (!m_state->inTransaction && !beginTransaction()) {
        return;
    }
    if (std::optional<views::Problem> problem = m_state->projection->apply(event)) {
        fail(problem->kind, event.sequence, std::move(problem->what));
        return;
    }
    m_state->lastSequence = event.sequence;
    m_state->lastHash = hash;
    if (event.sequence == 1) {
        m_state->firstHash = hash;
    }
    ++m_state->pendingEvents;
    if (m_state->pendingEvents >= m_state->options.eventsPerTransaction) {
        commitTransaction();
    }
}

// Takes the write lock and checks that no other writer committed since this one did, because
// the projection in memory would then no longer match the file.
bool ReadModelWriter::beginTransaction()
{
    sqlite3 *database = m_state->database.get();
    int resultCode = executeSql(database, "BEGIN IMMEDIATE");
    if (resultCode != SQLITE_OK) {
        fail(ReadModelErrorKind::SqliteFailed, m_state->lastSequence + 1,
             "failed to begin a transaction: " + describeSqliteError(database, resultCode));
        return false;
    }
    m_state->inTransaction = true;

    sqlite3_stmt *select = m_state->selectLastSequence.get();
    resultCode = sqlite3_step(select);
    const std::int64_t recorded = sqlite3_column_int64(select, 0);
    sqlite3_reset(select);
    if (resultCode != SQLITE_ROW) {
        fail(ReadModelErrorKind::SqliteFailed, m_state->lastSequence + 1,
             "failed to read the projection table: " + describeSqliteError(database, resultCode));
        return false;
    }
    if (recorded != static_cast<std::int64_t>(m_state->committedSequence)) {
        fail(ReadModelErrorKind::ConcurrentWriter, m_state->lastSequence + 1,
             "another writer projected the views file to sequence " + std::to_string(recorded) +
                 " after this one committed sequence " +
                 std::to_string(m_state->committedSequence) + "; reopen the views file");
        return false;
    }
    return true;
}

bool ReadModelWriter::commitTransaction()
{
    sqlite3 *database = m_state->database.get();
    if (std::optional<views::Problem> problem = m_state->projection->flush()) {
        fail(problem->kind, m_state->lastSequence, std::move(problem->what));
        return false;
    }

    sqlite3_stmt *update = m_state->updateProjection.get();
    const std::optional<std::string> &journalPath = m_state->journalPath;
    const std::string firstHash =
        m_state->firstHash ? views::hashText(*m_state->firstHash) : std::string();
    const std::string lastHash = views::hashText(m_state->lastHash);
    if (journalPath) {
        sqlite3_bind_text(update, 1, journalPath->c_str(), -1, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_null(update, 1);
    }
    if (m_state->firstHash) {
        sqlite3_bind_text(update, 2, firstHash.c_str(), -1, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_null(update, 2);
    }
    sqlite3_bind_int64(update, 3, static_cast<std::int64_t>(m_state->lastSequence));
    sqlite3_bind_text(update, 4, lastHash.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(update, 5, wallClockNanoseconds());
    int resultCode = sqlite3_step(update);
    sqlite3_reset(update);
    if (resultCode == SQLITE_DONE) {
        resultCode = executeSql(database, "COMMIT");
    }
    if (resultCode != SQLITE_OK && resultCode != SQLITE_DONE) {
        fail(ReadModelErrorKind::SqliteFailed, m_state->lastSequence,
             "failed to commit events " + std::to_string(m_state->committedSequence + 1) + " to " +
                 std::to_string(m_state->lastSequence) + ": " +
                 describeSqliteError(database, resultCode));
        return false;
    }

    m_state->inTransaction = false;
    m_state->pendingEvents = 0;
    m_state->committedSequence = m_state->lastSequence;
    m_state->committedHash = m_state->lastHash;
    m_state->lastCommit = std::chrono::steady_clock::now();
    return true;
}

// Records the first error and rolls back the transaction in progress, so that the file keeps
// the projection as of the last commit.
void ReadModelWriter::fail(ReadModelErrorKind kind, SequenceNumber sequence, std::string what)
{
    if (!m_state->error) {
        m_state->error = makeError(kind, m_state->path, sequence, std::move(what));
    }
    if (m_state->inTransaction) {
        executeSql(m_state->database.get(), "ROLLBACK");
        m_state->inTransaction = false;
    }
    m_state->pendingEvents = 0;
    m_state->lastSequence = m_state->committedSequence;
    m_state->lastHash = m_state->committedHash;
}

std::string ReadModelWriter::failure() const
{
    return m_state->error ? m_state->error->toString() : std::string();
}

void ReadModelWriter::onBatchEnd()
{
    if (m_state->error || !m_state->inTransaction) {
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - m_state->lastCommit >= m_state->options.commitInterval) {
        commitTransaction();
    }
}

std::optional<ReadModelError> ReadModelWriter::flush()
{
    if (!m_state->error && m_state->inTransaction) {
        commitTransaction();
    }
    return m_state->error;
}

std::optional<ReadModelError> ReadModelWriter::close()
{
    if (m_state->closed) {
        return m_state->error;
    }
    flush();
    m_state->projection.reset();
    m_state->updateProjection.reset();
    m_state->selectLastSequence.reset();
    m_state->database.reset();
    m_state->closed = true;
    return m_state->error;
}

std::optional<ReadModelError> ReadModelWriter::reset()
{
    if (m_state->error || m_state->closed) {
        return m_state->error ? m_state->error
                              : makeError(ReadModelErrorKind::WriterClosed, m_state->path, 0,
                                          "the writer is closed, so it cannot reset the views");
    }
    sqlite3 *database = m_state->database.get();
    if (m_state->inTransaction) {
        executeSql(database, "ROLLBACK");
        m_state->inTransaction = false;
    }

    // The statements go first: SQLite does not drop a table that a statement still uses.
    m_state->projection.reset();
    m_state->updateProjection.reset();
    m_state->selectLastSequence.reset();
    std::optional<views::Problem> problem = inTransaction(database, [database]() {
        std::optional<views::Problem> dropped = views::dropSchema(database);
        return dropped ? dropped : views::createSchema(database);
    });
    views::ProjectionRow row;
    if (!problem) {
        problem = loadState(database, m_state->projection, m_state->updateProjection,
                            m_state->selectLastSequence, row);
    }
    if (problem) {
        fail(problem->kind, 0, std::move(problem->what));
        return m_state->error;
    }

    m_state->pendingEvents = 0;
    m_state->lastSequence = m_state->committedSequence = 0;
    m_state->lastHash = m_state->committedHash = 0;
    m_state->firstHash.reset();
    m_state->journalPath.reset();
    return std::nullopt;
}

CatchUpResult ReadModelWriter::catchUp(JournalReader &reader)
{
    const RebuildReason formatRebuild = std::exchange(m_state->formatRebuild, RebuildReason::None);
    std::string detail;
    if (formatRebuild == RebuildReason::OlderFormat) {
        detail = "the views file was written in an older format than format " +
                 std::to_string(views::formatVersion);
    }
    return catchUpFrom(reader, formatRebuild, std::move(detail), JournalStart::AfterProjected);
}

CatchUpResult ReadModelWriter::rebuild(JournalReader &reader)
{
    CatchUpResult result;
    if (auto error = reset()) {
        result.error = std::move(error);
        return result;
    }
    return catchUpFrom(reader, RebuildReason::Requested, "a rebuild was requested",
                       JournalStart::FirstEvent);
}

CatchUpResult ReadModelWriter::rebuildFrom(const std::string &journalPath, ReaderAccess access,
                                           RebuildReason reason, std::string detail)
{
    CatchUpResult result;
    result.rebuildReason = reason;
    result.rebuildDetail = detail;
    JournalReader::Opened opened = JournalReader::open(journalPath, access);
    if (opened.error) {
        result.error = fromJournalError(*opened.error);
        return result;
    }
    if (auto error = reset()) {
        result.error = std::move(error);
        return result;
    }
    return catchUpFrom(*opened.reader, reason, std::move(detail), JournalStart::FirstEvent);
}

CatchUpResult ReadModelWriter::catchUpFrom(JournalReader &reader, RebuildReason rebuildReason,
                                           std::string rebuildDetail, JournalStart start)
{
    CatchUpResult result;
    result.rebuildReason = rebuildReason;
    result.rebuildDetail = std::move(rebuildDetail);
    if (m_state->error || m_state->closed) {
        result.error = m_state->error ? m_state->error
                                      : makeError(ReadModelErrorKind::WriterClosed, m_state->path,
                                                  0, "the writer is closed");
        return result;
    }
    flush();

    const SequenceNumber projected = m_state->lastSequence;
    const std::uint64_t projectedHash = m_state->lastHash;
    const auto hashes = [](std::uint64_t found, std::uint64_t recorded) {
        return " is " + views::hashText(found) + " where the views file records " +
               views::hashText(recorded);
    };

    if (projected > 0 && reader.recordedLastSequence() < projected) {
        return rebuildFrom(
            reader.path(), reader.access(), RebuildReason::JournalShorter,
            "the journal ends at sequence " + std::to_string(reader.recordedLastSequence()) +
                " but the views file is projected to sequence " + std::to_string(projected));
    }
    if (reader.lastSequence() > projected) {
        // The reader has passed events that were never projected, so a new one reads them.
        JournalReader::Opened fresh = JournalReader::open(reader.path(), reader.access());
        if (fresh.error) {
            result.error = fromJournalError(*fresh.error);
            return result;
        }
        return catchUpFrom(*fresh.reader, rebuildReason, std::move(result.rebuildDetail), start);
    }
    if (projected > 0 && reader.lastSequence() == projected && reader.lastHash() != projectedHash) {
        return rebuildFrom(reader.path(), reader.access(), RebuildReason::ChainHashMismatch,
                           "the journal's chain hash at sequence " + std::to_string(projected) +
                               hashes(reader.lastHash(), projectedHash));
    }

    // A reader that has returned no event yet skips to the last projected one, which must carry
    // the recorded chain hash, so only the chunks from there on are read.
    const bool anchored = start == JournalStart::AfterProjected && projected > 0 &&
                          reader.lastSequence() == 0 && !reader.error();
    if (anchored && !reader.startAfter(projected, projectedHash)) {
        result.error = fromJournalError(*reader.error());
        result.lastSequence = m_state->lastSequence;
        result.lastHash = m_state->lastHash;
        return result;
    }

    m_state->journalPath = reader.path();
    const std::atomic<bool> *stopRequested = m_state->options.stopRequested;
    while (!(stopRequested && stopRequested->load(std::memory_order_relaxed))) {
        std::optional<Event> event = reader.next();
        if (!event) {
            break;
        }
        if (event->sequence <= projected) {
            const std::optional<std::uint64_t> &first = m_state->firstHash;
            if (event->sequence == 1 && first && reader.lastHash() != *first) {
                return rebuildFrom(reader.path(), reader.access(), RebuildReason::DifferentJournal,
                                   "the chain hash of the journal's first event" +
                                       hashes(reader.lastHash(), *first));
            }
            if (event->sequence == projected && reader.lastHash() != projectedHash) {
                return rebuildFrom(reader.path(), reader.access(), RebuildReason::ChainHashMismatch,
                                   "the journal's chain hash at sequence " +
                                       std::to_string(projected) +
                                       hashes(reader.lastHash(), projectedHash));
            }
            continue;
        }
        project(*event, reader.lastHash());
        if (m_state->error) {
            break;
        }
        ++result.eventsProjected;
    }

    // The event at the last projected sequence is not the one projected. Reading the journal
    // from its first event shows whether it is another journal or one that differs later, and
    // rebuilds the projection either way.
    if (anchored && rejectedAnchor(reader.error(), projected)) {
        JournalReader::Opened fresh = JournalReader::open(reader.path(), reader.access());
        if (fresh.error) {
            result.error = fromJournalError(*fresh.error);
            return result;
        }
        return catchUpFrom(*fresh.reader, rebuildReason, std::move(result.rebuildDetail),
                           JournalStart::FirstEvent);
    }

    // Events read before a damaged row of the journal passed its checks, so they stay projected.
    flush();
    if (m_state->error) {
        result.error = m_state->error;
    } else if (reader.error()) {
        result.error = fromJournalError(*reader.error());
    }
    result.lastSequence = m_state->lastSequence;
    result.lastHash = m_state->lastHash;
    return result;
}

const std::optional<ReadModelError> &ReadModelWriter::error() const
{
    return m_state->error;
}

SequenceNumber ReadModelWriter::lastSequence() const
{
    return m_state->lastSequence;
}

std::uint64_t ReadModelWriter::lastHash() const
{
    return m_state->lastHash;
}

const std::string &ReadModelWriter::path() const
{
    return m_state->path;
}

CatchUpResult catchUpReadModels(const std::string &journalPath, const std::string &viewsPath,
                                const ReadModelOptions &options)
{
    CatchUpResult result;
    ReadModelWriter::Opened writer = ReadModelWriter::open(viewsPath, options);
    if (writer.error) {
        result.error = std::move(writer.error);
        return result;
    }
    JournalReader::Opened reader = JournalReader::open(journalPath);
    if (reader.error) {
        result.error = fromJournalError(*reader.error);
        return result;
    }
    result = writer.writer->catchUp(*reader.reader);
    if (std::optional<ReadModelError> error = writer.writer->close(); error && !result.error) {
        result.error = std::move(error);
    }
    return result;
}

CatchUpResult rebuildReadModels(const std::string &journalPath, const std::string &viewsPath,
                                const ReadModelOptions &options)
{
    CatchUpResult result;
    ReadModelWriter::Opened writer = ReadModelWriter::open(viewsPath, options);
    if (writer.error) {
        result.error = std::move(writer.error);
        return result;
    }
    JournalReader::Opened reader = JournalReader::open(journalPath);
    if (reader.error) {
        result.error = fromJournalError(*reader.error);
        return result;
    }
    result = writer.writer->rebuild(*reader.reader);
    if (std::optional<ReadModelError> error = writer.writer->close(); error && !result.error) {
        result.error = std::move(error);
    }
    return result;
}

} // namespace bourse::storage

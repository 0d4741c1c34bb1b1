#include "journal.h"

#include "journal_files.h"
#include "journal_format.h"
#include "sqlite_support.h"

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
    StatementHandle selectEvents;
    format::Tail recordedTail;

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

    const std::string sql =
        std::string("SELECT ") + format::eventColumns + " FROM events ORDER BY sequence";
    state->selectEvents = prepareStatement(database, sql.c_str(), resultCode);
    if (!state->selectEvents) {
        return failed(makeError(JournalErrorKind::SqliteFailed, path, 0,
                                "failed to read the events table: " +
                                    describeSqliteError(database, resultCode)));
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

std::optional<Event> JournalReader::readCheckedRow()
{
    sqlite3_stmt *select = m_state->selectEvents.get();
    const SequenceNumber expected = m_state->checkedSequence + 1;
    const int resultCode = sqlite3_step(select);
    if (resultCode == SQLITE_DONE) {
        m_state->finished = true;
        return std::nullopt;
    }
    if (resultCode != SQLITE_ROW) {
        const JournalErrorKind kind = (resultCode & 0xff) == SQLITE_CORRUPT
                                          ? JournalErrorKind::DatabaseCorrupt
                                          : JournalErrorKind::SqliteFailed;
        fail(kind, expected,
             "failed to read the event: " +
                 describeSqliteError(m_state->database.get(), resultCode));
        return std::nullopt;
    }

    format::StoredEvent &row = m_state->row;
    if (auto problem = format::readStoredEvent(select, row)) {
        fail(JournalErrorKind::MalformedRow, expected, *problem);
        return std::nullopt;
    }
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

void JournalReader::checkTail()
{
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

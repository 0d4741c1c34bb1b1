#pragma once

#include "journal.h"
#include "sqlite_support.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

// The on-disk format of the journal, shared by JournalWriter and JournalReader.
namespace bourse::storage::format {

// Version 1 stores one row per event in the events table. Version 2 stores chunks: one row
// per batch of consecutive events, each event packed in the chunk's body with the same fields,
// checksum and hash as a version 1 row. A version 1 journal that a writer opens is upgraded in
// place: its events rows stay, and new events go to chunks after them.
inline constexpr std::int64_t formatVersion = 2;

// PRAGMA application_id of every journal: "BRSJ" in ASCII. It distinguishes a journal from
// other SQLite databases that have tables of the same names.
inline constexpr std::int32_t applicationId = 0x4252534A;

// Returns the kind of a failed SQLite call on a journal: DatabaseCorrupt when SQLite found the
// file's pages malformed, so that the failure counts as damage that recovery can salvage, and
// SqliteFailed otherwise.
JournalErrorKind sqliteFailureKind(int resultCode);

// FNV-1a, 64 bits (offset basis 0xcbf29ce484222325, prime 0x100000001b3), as published by
// Fowler, Noll and Vo. It is defined byte by byte, so like the codec it does not depend on the
// machine's byte order, and it takes a few lines and no dependency. Each step (xor a byte, then
// multiply by an odd prime modulo 2^64) is a bijection of the state, so two records that differ
// in a single byte always hash differently. It detects damage and careless edits, not forgery:
// it has no key, so someone who has the format can recompute every hash. One multiplication
// per byte is cheap next to an SQLite insert for the 24 to 64 bytes a row hashes.
class Fnv1a64 {
public:
    static constexpr std::uint64_t offsetBasis = 0xcbf29ce484222325;
    static constexpr std::uint64_t prime = 0x100000001b3;

    void addByte(std::uint8_t byte)
    {
        m_state ^= byte;
        m_state *= prime;
    }

    void addBytes(std::span<const std::uint8_t> bytes)
    {
        for (const std::uint8_t byte : bytes) {
            addByte(byte);
        }
    }

    void addLittleEndian(std::uint64_t value, int width)
    {
        for (int byte = 0; byte < width; ++byte) {
            addByte(static_cast<std::uint8_t>(value >> (8 * byte)));
        }
    }

    std::uint64_t value() const { return m_state; }

private:
    std::uint64_t m_state = offsetBasis;
};

// One row of the events table as stored, before any check. SQLite integers are signed 64-bit;
// checksum and hash are stored as the two's complement of their unsigned value.
struct StoredEvent {
    std::int64_t sequence = 0;
    std::int64_t time = 0;
    std::int64_t instrument = 0;
    std::int64_t type = 0;
    std::vector<std::uint8_t> payload;
    std::uint64_t checksum = 0;
    std::uint64_t hash = 0;
};

// Checksum of a row: FNV-1a over sequence (8 bytes), time (8), instrument (4) and type (1), all
// little-endian, followed by the encoded payload.
std::uint64_t eventChecksum(const StoredEvent &event);

// Hash of a row: FNV-1a over the previous row's hash and this row's checksum, 8 bytes each,
// little-endian. The row before sequence 1 has hash 0.
std::uint64_t chainHash(std::uint64_t previousHash, std::uint64_t checksum);

// Fills `stored` with the row for an event: encodes its payload into the existing buffer, so
// that a writer reusing one StoredEvent allocates nothing per event, and computes checksum and
// hash.
void fillStoredEvent(const Event &event, std::uint64_t previousHash, StoredEvent &stored);

// A chunk's body is the records of its events one after another, each little-endian:
// sequence (8 bytes), time (8), instrument (4), type (1), payload size (2), the encoded
// payload, checksum (8) and hash (8), as in StoredEvent.
inline constexpr std::size_t chunkRecordOverhead = 8 + 8 + 4 + 1 + 2 + 8 + 8;

// Appends the record of an event to a chunk body.
void appendChunkRecord(const StoredEvent &event, std::vector<std::uint8_t> &body);

// Reads the record at `offset` of a chunk body into `event` and moves `offset` past it.
// Returns a message when the body ends inside the record.
std::optional<std::string> readChunkRecord(std::span<const std::uint8_t> body, std::size_t &offset,
                                           StoredEvent &event);

// The columns every statement that reads events selects, in this order.
inline constexpr const char *eventColumns =
    "sequence, time, instrument, type, payload, checksum, hash";

// Copies the current row of a statement that selects eventColumns. Returns a message when a
// column contains a value of the wrong type.
std::optional<std::string> readStoredEvent(sqlite3_stmt *statement, StoredEvent &event);

// Checks a row's checksum, its hash against `previousHash`, its instrument range and its
// payload, and returns the event. Its sequence number is the caller's to check.
struct CheckedEvent {
    std::optional<Event> event;
    std::optional<JournalError> error;
};
CheckedEvent checkStoredEvent(const StoredEvent &stored, std::uint64_t previousHash,
                              const std::string &path);

// The last event as the metadata records it.
struct Tail {
    SequenceNumber sequence = 0;
    std::uint64_t hash = 0;
};

enum class SchemaState : std::uint8_t { Empty, Journal };

struct SchemaCheck {
    SchemaState state = SchemaState::Empty;
    Tail tail;                      // set for a journal
    std::int64_t version = 0;       // the journal's format version
    bool hasEventsTable = false;    // version 1 rows, read before any chunk
    bool hasChunksTable = false;    // version 2 and later
    bool hasSnapshotsTable = false; // version 2 and later
    std::optional<JournalError> error;
};

// Distinguishes an empty database from a journal this build can read. Anything else is an
// error: a file that is not SQLite, a database without the journal's tables or with another
// application id, and a journal of a newer format version.
SchemaCheck inspectSchema(sqlite3 *database, const std::string &path);

// Sets the page size of an empty database, before WAL mode fixes it. Chunks are tens of
// kilobytes, and 16 KiB pages store them with a quarter of the overflow pages of 4 KiB ones.
std::optional<JournalError> setNewFilePageSize(sqlite3 *database, const std::string &path);

// Creates the tables, the metadata and the application id in an empty database.
std::optional<JournalError> createSchema(sqlite3 *database, const std::string &path);

// Adds the chunks and snapshots tables to a version 1 journal and records version 2. The
// events rows stay where they are.
std::optional<JournalError> upgradeSchema(sqlite3 *database, const std::string &path);

inline constexpr const char *insertChunkSql =
    "INSERT INTO chunks (first_sequence, last_sequence, event_count, body) "
    "VALUES (?1, ?2, ?3, ?4)";

// Snapshot rows are never replaced. A second snapshot at a sequence that has one describes the
// same state, so it is dropped, even when the first is damaged: the restart then skips the
// damaged one and starts from an older snapshot.
inline constexpr const char *insertSnapshotSql =
    "INSERT OR IGNORE INTO snapshots (sequence, chain_hash, state_hash, body, checksum) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";

// Checksum of a stored snapshot: FNV-1a over its sequence, chain hash and state hash (8 bytes
// each, little-endian) and its body.
std::uint64_t snapshotChecksum(std::int64_t sequence, std::uint64_t chainHash,
                               std::uint64_t stateHash, std::span<const std::uint8_t> body);

// Creates the records table (JournalRecord) when it is missing, in a journal of any version.
std::optional<JournalError> ensureRecordsTable(sqlite3 *database, const std::string &path);

inline constexpr const char *insertRecordSql =
    "INSERT INTO records (sequence, chain_hash, kind, body, checksum) VALUES (?1, ?2, ?3, ?4, ?5)";

// Checksum of a stored record: FNV-1a over its sequence and chain hash (8 bytes each,
// little-endian), the length of its kind (8 bytes), its kind and its body.
std::uint64_t recordChecksum(const JournalRecord &record);

inline constexpr const char *insertEventSql =
    "INSERT INTO events (sequence, time, instrument, type, payload, checksum, hash) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

inline constexpr const char *updateTailSql =
    "UPDATE metadata SET value = CASE key WHEN 'last_sequence' THEN ?1 ELSE ?2 END "
    "WHERE key IN ('last_sequence', 'last_hash')";

std::string hex(std::uint64_t value);

// The problem with a snapshot row: a column of the wrong type or a checksum mismatch.
struct SnapshotRowProblem {
    JournalErrorKind kind = JournalErrorKind::MalformedRow;
    std::string what;
};

// Decodes the current row of a statement that selects (chain_hash, state_hash, body, checksum)
// of the snapshot at `sequence`, and checks the checksum. The reader and the salvage of a
// damaged file both read snapshot rows this way.
std::optional<SnapshotRowProblem> decodeSnapshotRow(sqlite3_stmt *row, SequenceNumber sequence,
                                                    StoredSnapshot &snapshot);

} // namespace bourse::storage::format

#pragma once

#include "events.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace bourse::storage {

// The event journal: an append-only SQLite database in WAL mode. Events are stored in chunks,
// one row of the `chunks` table per batch of consecutive events. Each event in a chunk carries
// its sequence number (1, 2, 3, ... without gaps), time, instrument, type, the payload encoded
// by event_codec.h (whose first byte is its schema version), a checksum and a hash that chains
// it to the event before. The `metadata` table records the format version and the sequence
// number and hash of the last event, so that a removed tail is detected too, unless the
// metadata was rewritten to match the shortened journal (see JournalReader). The `snapshots`
// table contains engine states at chosen sequence numbers. docs/journal.md describes the format.

enum class JournalErrorKind : std::uint8_t {
    OpenFailed,         // the file cannot be opened or created
    NotAJournal,        // not an SQLite database, or one without a journal's tables
    UnsupportedFormat,  // written in a newer journal format than this build reads
    SqliteFailed,       // an SQLite call failed; the message is SQLite's
    DatabaseCorrupt,    // SQLite found the file's pages malformed, as in a truncated file
    SequenceOutOfOrder, // the writer was handed an event that does not follow the last one
    WriterClosed,       // the writer was handed an event after close()
    MalformedRow,       // a column contains a value of the wrong type or range
    SequenceGap,        // a sequence number is missing
    ChecksumMismatch,   // a row's content does not match its checksum
    ChainBroken,        // a row's hash does not follow from the previous row's hash
    UndecodablePayload, // the payload is not a valid event
    TailMismatch,       // the last row is not the one the metadata records
    MetadataDamaged,    // the metadata table, one of its rows, or a valid value in one is missing
    InUse,              // another writer, in this process or another, holds the journal's lock
};

struct JournalError {
    JournalErrorKind kind = JournalErrorKind::SqliteFailed;
    std::string file;
    SequenceNumber sequence = 0; // the event concerned; 0 when the error is about the whole file
    std::string what;

    // "<file>: sequence <n>: <what>", without the sequence part when it is 0.
    std::string toString() const;
};

// The exclusive lock that makes its holder the only writer of a journal, across processes.
//
// It is an flock(2) lock on a lock file beside the journal, the journal's path with "-lock"
// appended, which contains the holder's process id. The journal file itself is not locked,
// because that needs a descriptor of it. Closing any descriptor of a database file drops every
// POSIX (fcntl) lock of the process on the file, and SQLite's other connections in the process
// rely on those locks. A lock file also outlives the rename by which `journal recover` replaces
// the journal.
//
// The kernel releases the lock when its holder dies, even by SIGKILL, so a crashed writer never
// blocks the next one. Its lock file stays behind, harmless, and the next holder takes it
// over. A holder that releases the lock removes the file. The lock is advisory: it stops Bourse's
// writers, `journal recover` and `journal rebuild`, not readers and not other programs.
// NOTE: On NFS, Linux emulates flock with fcntl byte-range locks, which work only when the server
// supports them.
class JournalWriterLock {
public:
    struct Acquired {
        std::unique_ptr<JournalWriterLock> lock; // null when error is set
        std::optional<JournalError> error;
    };

    // Takes the lock of the journal at `journalPath` without waiting, creating the lock file when
    // it does not exist. Fails with InUse, naming the journal and the holder's process id, when
    // another writer has the lock, including one in this process. Fails with OpenFailed when the
    // lock file cannot be created, as in a folder the process may not write to.
    static Acquired acquire(const std::string &journalPath);

    // Removes the lock file and releases the lock.
    ~JournalWriterLock();

    JournalWriterLock(const JournalWriterLock &) = delete;
    JournalWriterLock &operator=(const JournalWriterLock &) = delete;

    const std::string &journalPath() const;
    const std::string &lockPath() const;

private:
    JournalWriterLock(std::string journalPath, std::string lockPath, int descriptor);

    std::string m_journalPath;
    std::string m_lockPath;
    int m_descriptor = -1;
};

// The lock file of the journal at `journalPath`: the path with "-lock" appended.
std::string writerLockPath(const std::string &journalPath);

// PRAGMA synchronous for the writer's connection, in WAL mode.
enum class SynchronousMode : std::uint8_t {
    // The WAL is written at every commit but synced only at checkpoints. A committed event
    // survives a crash of the process, because the written pages are in the operating system's
    // cache, but may be lost when the operating system crashes or the power fails.
    Normal,
    // The WAL is also synced at every commit: a committed event survives a power failure too,
    // at the price of one fsync per transaction.
    Full,
};

struct JournalWriterOptions {
    // Events the engine thread collects before it hands them to the writer thread, which
    // stores them as one chunk. The chunk closes at the end of the command that reaches this
    // many events, so it may hold more. A batch end (onBatchEnd) hands over a partial chunk.
    std::size_t eventsPerChunk = 4096;

    // Chunks handed over and not yet committed. When this many wait, the engine thread waits
    // where it hands over the next one (onCommandEnd, onBatchEnd, writeSnapshot) for the writer
    // to catch up: the intake slows, memory stays bounded and no event is dropped.
    std::size_t maximumQueuedChunks = 16;

    // Full by default, because an acknowledged order should survive a crash of the machine,
    // not only of the process. Group commit limits the cost to one fsync per transaction.
    SynchronousMode synchronous = SynchronousMode::Full;
};

// Called on the writer thread after each commit with the last committed sequence number. It
// must return quickly and must not call the writer.
using CommitListener = std::function<void(SequenceNumber committed)>;

// Appends the events an Engine publishes to a journal file, on a thread of its own.
//
// The engine thread copies each event into the current chunk. A full chunk, closed at the end
// of a command, or the chunk a batch end closes, goes to the writer thread through a bounded
// queue. The writer thread
// encodes the chunks, takes every chunk that waits into one transaction (group commit) and
// commits it, one fsync for all of them. Only then does committedSequence() move and the
// commit listener learn of it: events up to there may be acknowledged to the senders of their
// commands.
//
// The writer accepts events only in sequence: the first one of a new journal must be number 1,
// and each one after must follow the last. The first error (an event out of order, a failed
// SQLite call) stops the writer: it stores nothing after it, because a journal that ends early
// can be trusted and one with a hole cannot. Events handed over before an out-of-order event are
// still committed. A failed commit loses the events of that transaction, and
// committedSequence() is where the journal ends.
//
// onEvent, onCommandEnd, onBatchEnd, writeSnapshot, flush and close belong to one thread,
// normally the engine thread. committedSequence(), error() and failure() may be called from any
// thread.
class JournalWriter final : public EventHandler {
public:
    struct Created {
        std::unique_ptr<JournalWriter> writer; // null when error is set
        std::optional<JournalError> error;
    };

    // Opens the journal at `path`, creating the file when it does not exist, and continues
    // after its last event. An existing journal is accepted only when its last event's checksum
    // and hash match the metadata; one in format version 1 is upgraded to version 2. An
    // existing file that is not a journal is an error, and the file is left unchanged. A
    // directory or another file that is not a regular file is an OpenFailed error.
    //
    // The writer has the journal's JournalWriterLock from here until close(). While another
    // writer has it, create fails with InUse and changes nothing.
    static Created create(const std::string &path, const JournalWriterOptions &options = {});

    // Opens the journal whose lock the caller took already, as create(path) does, so that
    // nothing can write between the caller's reads and the writer's first event. The writer
    // keeps the lock until close(); a failed create releases it.
    static Created create(std::unique_ptr<JournalWriterLock> lock,
                          const JournalWriterOptions &options = {});

    // Commits pending events, stops the writer thread and closes the file. Errors are dropped
    // here: call close() first to see them.
    ~JournalWriter() override;

    JournalWriter(const JournalWriter &) = delete;
    JournalWriter &operator=(const JournalWriter &) = delete;

    // Set before the first event. The listener runs on the writer thread.
    void setCommitListener(CommitListener listener);

    void onEvent(const Event &event) override;
    void onCommandEnd() override;
    void onBatchEnd() override;
    std::string failure() const override; // the writer's first error as text, if any

    // Stores an engine snapshot taken after event `sequence`, the last event handed over, with
    // the journal's chain hash at that event: in the transaction of that event's chunk, or a
    // later one when that chunk was handed over already. `stateHash` is the engine's
    // stateHash() then. The body is the engine's own encoding; the journal keeps it with a
    // checksum.
    void writeSnapshot(SequenceNumber sequence, std::uint64_t stateHash,
                       std::vector<std::uint8_t> body);
    // Stores a record after the last event handed over, in the transaction of that event's
    // chunk, and hands the current chunk over. Since a chunk ends there, call it between
    // commands. Does nothing after an error.
    void writeRecord(std::string kind, std::string body);

    // Hands over the current chunk and waits until everything handed over is committed.
    // Returns the writer's first error, if it has one.
    std::optional<JournalError> flush();

    // Commits, stops the writer thread, closes the file and releases the journal's lock. Events
    // handed over later are rejected as WriterClosed. Returns the writer's first error, if any.
    std::optional<JournalError> close();

    std::optional<JournalError> error() const;

    // The last event handed to onEvent, committed or not; 0 when the journal is empty.
    SequenceNumber lastSequence() const;

    // The last event known to be committed. Only events up to here may be acknowledged.
    SequenceNumber committedSequence() const;

    const std::string &path() const;

private:
    struct State;
    explicit JournalWriter(std::unique_ptr<State> state);

    void handOver(bool waitForRoom);
    void fail(JournalErrorKind kind, SequenceNumber sequence, std::string what);

    std::unique_ptr<State> m_state;
};

// The way JournalReader opens the file.
enum class ReaderAccess : std::uint8_t {
    // Takes SQLite's WAL locks, so a writer may append while the reader reads its snapshot.
    // SQLite needs the -wal and -shm files for that, and a read-only connection creates them
    // when they are missing and cannot remove them. So when the process may not write to the
    // file or its folder, and no -wal file exists, the reader uses Immutable. It also falls back
    // to Immutable when the -wal file is empty and SQLite cannot open the journal read-only, as
    // when the -shm file is missing in a read-only folder. A -wal file with content contains
    // committed events that the database file lacks: the reader then never uses Immutable, and
    // fails when SQLite cannot read the -wal file.
    Shared,
    // Reads the database file alone, without locks and without -wal or -shm files, as SQLite's
    // `immutable=1` URI parameter does: for an archived journal on read-only media or in a
    // read-only folder. Committed events still in a -wal file would be missed, so a -wal file
    // with content is rejected. No writer may open the journal while the reader reads it.
    Immutable,
};

// An engine snapshot as a journal stores it: the engine's state after event `sequence`, the
// journal's chain hash at that event and the engine's stateHash() then.
struct SnapshotInfo {
    SequenceNumber sequence = 0;
    std::uint64_t chainHash = 0;
    std::uint64_t stateHash = 0;
    std::size_t size = 0; // bytes of the body
};

struct StoredSnapshot {
    SnapshotInfo info;
    std::vector<std::uint8_t> body;
    std::uint64_t checksum = 0; // as stored, and checked against the content
};

// A record that a run keeps beside its events, such as the training scenario it plays, so that
// a restart can continue the run as it was. Records live in the journal's `records` table, each
// with the sequence number and chain hash of the last event written before it (zero for none)
// and a checksum over those, its kind and its body. The table is additive: a build that does not
// know it reads the events as before, and a journal without it has no records.
struct JournalRecord {
    SequenceNumber sequence = 0; // the last event before the record; 0 at the journal's start
    std::uint64_t chainHash = 0; // the chain hash at that event
    std::string kind;            // what the body is, such as "training"
    std::string body;
    std::int64_t id = 0; // the row id in the records table, which numbers records from 1
};

// A stored record that fails a check: its row id, its kind as stored, the sequence it claims to
// follow, and what is wrong.
struct DamagedRecord {
    std::int64_t id = 0;
    std::string kind;
    SequenceNumber sequence = 0;
    JournalErrorKind errorKind = JournalErrorKind::ChecksumMismatch;
    std::string what;

    // The damage as an error about the journal at `path`, whose message names the record's id
    // and kind.
    JournalError toError(const std::string &path) const;

    // A record whose chain hash differs from `eventHash`, that of the event it follows.
    static DamagedRecord chainMismatch(const JournalRecord &record, std::uint64_t eventHash);
};

// Reads a journal from the first event to the last, checking every row: its sequence number
// follows the one before, its checksum matches its content, its hash follows from the previous
// hash, and its payload decodes. At the end it checks that the last event is the one the
// metadata records. The first failed check stops the reader with an error naming the file and
// the sequence number of the row that failed.
//
// An event is returned only once the row after it has passed its checks too (for the last
// event: once the metadata confirms its hash), so a row rewritten with a matching checksum and
// hash is caught by the next row before it is returned. When row N fails, events up to N - 2
// have been returned: event N - 1 passed its own checks, but no later row confirms its hash.
//
// NOTE: The checks cannot detect events removed from the end when the metadata's last_sequence
// and last_hash are rewritten to the new last event's values, nor an edited event whose hash,
// every later hash and last_hash are recomputed. Either way the rows form a valid chain, because
// FNV-1a has no key. Only a chain hash recorded elsewhere catches this: `bourse-engine journal
// verify` prints "chain hash: <hash> at sequence <n>", and that line, saved when a journal is
// closed or archived, must match the line printed for the journal later.
//
// The reader reads one snapshot of the file: events a writer commits after open() are not seen.
// It writes no rows. With Shared access it opens the file read-write, under `PRAGMA query_only`,
// when the process may write to the file and its folder and no -wal file has content, and
// read-only or immutable otherwise. A read-write connection that closes last checkpoints and
// removes the -wal and -shm files, as the writer's does, so reading a journal that was closed
// cleanly leaves no files behind.
class JournalReader {
public:
    struct Opened {
        std::unique_ptr<JournalReader> reader; // null when error is set
        std::optional<JournalError> error;
    };

    // Opens the journal at `path` and reads its metadata. Fails with OpenFailed for a missing
    // file, a directory or another file that is not a regular file.
    static Opened open(const std::string &path, ReaderAccess access = ReaderAccess::Shared);

    ~JournalReader();
    JournalReader(const JournalReader &) = delete;
    JournalReader &operator=(const JournalReader &) = delete;

    // Returns the next event, or nothing at the end or on damage. error() distinguishes the two.
    std::optional<Event> next();

    // The journal's snapshots, newest first. Damage shows when one is read.
    std::vector<SnapshotInfo> snapshots(std::optional<JournalError> &error);

    // The body of a snapshot, checked against its checksum; an error names the sequence.
    std::optional<StoredSnapshot> readSnapshot(SequenceNumber sequence,
                                               std::optional<JournalError> &error);

    // The journal's records, oldest first, each checked against its checksum and against the
    // metadata's last event, which the event it follows must not be past. A record that fails
    // is left out, added to `damaged` when given, and sets `error` (the first such record, with
    // its id and kind). A journal without a records table has none. The chain hash a record
    // carries is compared with its event's only by a reader of the events, such as
    // verifyJournal().
    std::vector<JournalRecord> records(std::optional<JournalError> &error,
                                       std::vector<DamagedRecord> *damaged = nullptr);

    // Before the first next(): continues after event `sequence`, whose chain hash must be
    // `chainHash` (as a snapshot records it), instead of at the first event. The event at
    // `sequence`, when the reader meets it, must carry that hash; its checksum is checked,
    // and the chain is checked from there on. Returns false, with error() set, when the
    // journal has no such event.
    bool startAfter(SequenceNumber sequence, std::uint64_t chainHash);

    const std::optional<JournalError> &error() const;

    // The last event returned by next(); 0 before the first.
    SequenceNumber lastSequence() const;

    // The chain hash of the last event returned; 0 before the first.
    std::uint64_t lastHash() const;

    // The last event at or before `sequence` that ends a chunk the reader has read in full.
    // Chunks end only between commands, so this is where a command ended. A version 1 row
    // counts as a chunk of its own, as that format did not record where commands ended.
    SequenceNumber lastChunkEndAtOrBefore(SequenceNumber sequence) const;

    // The last sequence number according to the metadata, known from open() on.
    SequenceNumber recordedLastSequence() const;

    // The access the file was opened with: Immutable after a fallback from Shared.
    ReaderAccess access() const;

    const std::string &path() const;

private:
    struct State;
    explicit JournalReader(std::unique_ptr<State> state);

    bool readNextRow();
    bool checkSkippedRow();
    std::optional<Event> readCheckedRow();
    std::optional<Event> takePending();
    void fail(JournalErrorKind kind, SequenceNumber sequence, std::string what);
    void checkTail();

    std::unique_ptr<State> m_state;
};

} // namespace bourse::storage

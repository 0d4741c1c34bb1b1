#pragma once

#include "journal.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bourse::storage {

// Reads what can still be read of a damaged journal, for repairing it.
//
// JournalReader stops at damaged metadata before the first event, and SQLite rejects a file
// that is shorter than its header records before it reads any page. JournalSalvage reads the
// events anyway, from the first on, and checks each one as JournalReader does. Its sequence
// number must follow the one before, its checksum match its content and its hash follow from
// the previous hash. Its payload must decode, and the chunk row that contains it must agree with
// its records. The salvage stops at the first event that fails a check or cannot be read.
//
// It does not use the metadata to stop or to check events. metadataDamage() and tailMismatch()
// tell the caller whether the metadata can confirm the last event.
//
// It reads one snapshot of the file and writes nothing. A -wal file's committed events are read
// as JournalReader reads them with ReaderAccess::Shared.
class JournalSalvage {
public:
    struct Opened {
        std::unique_ptr<JournalSalvage> salvage; // null when error is set
        std::optional<JournalError> error;
    };

    // Opens the journal at `path`. Fails, with an error that names the file, when no event can
    // be looked for in it. The file may be missing or not a regular file (OpenFailed), or have
    // a destroyed header or another application id (NotAJournal). Its schema may be unreadable
    // or name neither a chunks nor an events table (DatabaseCorrupt). Or its intact metadata
    // records a newer format version (UnsupportedFormat).
    static Opened open(const std::string &path);

    ~JournalSalvage();
    JournalSalvage(const JournalSalvage &) = delete;
    JournalSalvage &operator=(const JournalSalvage &) = delete;

    // Why the metadata cannot be trusted: a missing table, row or valid value (MetadataDamaged),
    // or a page SQLite cannot read. Nothing when the metadata is intact.
    const std::optional<JournalError> &metadataDamage() const;

    // Returns the next event that passed its checks, or nothing at the end of the events or at
    // the first that fails. damage() distinguishes the two.
    std::optional<Event> next();

    // The first event or chunk row that failed its checks or could not be read; nothing while
    // every event read so far passed.
    const std::optional<JournalError> &damage() const;

    // After next() has returned nothing without damage: how the last event differs from the
    // one the intact metadata records, as JournalReader reports it (TailMismatch). Nothing when
    // they agree, when the metadata is damaged, or before the end.
    std::optional<JournalError> tailMismatch() const;

    SequenceNumber lastSequence() const; // the last event next() returned; 0 before the first
    std::uint64_t lastHash() const;      // that event's chain hash; 0 before the first

    // True when the last event next() returned is the last record of its chunk, and the chunk
    // row agrees with its records. A version 1 row counts as a chunk of its own. The writer ends
    // chunks only where a command ended.
    bool atChunkEnd() const;

    // The sequence numbers of the stored snapshots, oldest first, up to the first row SQLite
    // cannot read. `error` is set when the list stops early.
    std::vector<SequenceNumber> snapshotSequences(std::optional<JournalError> &error);

    // The snapshot at `sequence`, checked against its checksum. An error names the sequence.
    std::optional<StoredSnapshot> readSnapshot(SequenceNumber sequence,
                                               std::optional<JournalError> &error);

    const std::string &path() const;

private:
    struct State;
    explicit JournalSalvage(std::unique_ptr<State> state);

    bool readNextRecord();
    bool readNextChunk();
    bool readVersion1Row();
    void fail(JournalErrorKind kind, SequenceNumber sequence, std::string what);

    std::unique_ptr<State> m_state;
};

} // namespace bourse::storage

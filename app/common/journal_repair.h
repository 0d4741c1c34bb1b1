#pragma once

#include "journal.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bourse::app {

// The fate of one snapshot of the damaged journal in a repair.
enum class SnapshotFate : std::uint8_t {
    Kept,          // copied to the repaired journal
    AfterLastKept, // its event is not among the kept events
    Damaged,       // its row fails its checksum or cannot be read
    ChainMismatch, // it records another chain hash than the journal's event at its sequence
    NotAtChunkEnd, // its event does not end a chunk, where the writer stores every snapshot
};

struct RepairedSnapshot {
    SequenceNumber sequence = 0;
    SnapshotFate fate = SnapshotFate::Kept;
    std::string reason; // why it was left out, as a phrase; empty when kept
};

enum class RepairOutcome : std::uint8_t {
    NothingToRepair, // every event, the metadata and every snapshot passed their checks
    Repaired,        // the journal contains the kept events now; the original is in sideFile
    Failed,          // error contains the reason; the journal and its events are unchanged
};

// The step of a repair that failed.
enum class RepairStep : std::uint8_t {
    Read,      // nothing in the file can be read as a journal, or a read failed
    Write,     // writing the kept events to a new journal failed
    CopyAside, // copying the original to the side file failed
    Replace,   // the new journal could not take the original's place
};

struct RepairError {
    RepairStep step = RepairStep::Read;
    std::string file; // the file concerned
    std::string what; // what failed, with the sequence number when an event is concerned
    // The journal's own error when a journal could not be read or written. Its kind
    // distinguishes a file that is no journal (NotAJournal, OpenFailed) from a damaged one.
    std::optional<storage::JournalError> journalError;

    // "<file>: <what>", in the form of JournalError::toString().
    std::string toString() const;
};

struct JournalRepair {
    RepairOutcome outcome = RepairOutcome::Failed;
    // Every problem found. The first one decided where the kept events end, unless all of them
    // concern snapshots or records.
    std::vector<storage::JournalError> damage;
    // The records left out because they fail their checksum, follow a sequence past the last
    // event, or carry another chain hash than the event they follow. A record that follows an
    // event the repair drops is left out too, but is not listed here.
    std::vector<storage::DamagedRecord> droppedRecords;
    SequenceNumber lastKept = 0;    // the last event kept; 0 when none was
    std::uint64_t eventsKept = 0;   // events 1 to lastKept
    SequenceNumber lastChecked = 0; // the last event that passed its own checks
    std::string sideFile;           // the copy of the original; empty unless Repaired
    // Temporary files of an earlier repair of the same journal that was interrupted, such as
    // `path.recovering`, which this repair removed before it started.
    std::vector<std::string> removedLeftovers;
    std::vector<RepairedSnapshot> snapshots; // every snapshot listed, oldest first
    std::optional<RepairError> error;        // set when outcome is Failed
};

// Repairs the journal at `path`: keeps its valid prefix, with the snapshots in it that pass
// their checks, and leaves out the rest.
//
// The valid prefix is events 1 to K. K is the last chunk end among the events that passed their
// own checks (sequence number, checksum, hash chain, payload, the chunk row that contains them)
// and whose hash a later such event or the intact metadata confirms. Chunks end only where a
// command ended, so the kept events are whole commands. Damaged metadata and a file cut short
// still leave the events before the damage, and the new journal gets new metadata.
//
// Before the journal is replaced, the whole original, with its -wal file, is copied byte for
// byte to a side file next to it (`path.damaged`, or `path.damaged-2` and so on when that
// exists), so nothing is lost. The copy is written as `path.damaged.partial` and renamed only
// once complete, so an interrupted copy never carries the side file's name. The kept events are
// written through the current encoder to `path.recovering`, which then takes the original's
// place. A journal without damage is left untouched, and so is a file in which no event can be
// found: the result says which of the two it found.
//
// The repair holds the journal's JournalWriterLock throughout. While a writer holds it, the
// repair fails at RepairStep::Read with an InUse journal error and changes nothing. Under the
// lock, the temporary files named above can only be left over from an interrupted repair, so
// they are removed first and listed in removedLeftovers.
//
// It prints nothing and blocks until done, reading the journal twice.
JournalRepair repairJournal(const std::string &path);

// Finds what repairJournal() would keep, and changes nothing: the damage, lastKept, lastChecked
// and each snapshot's fate. The outcome is NothingToRepair, Repaired (what a repair would do,
// not done) or Failed; sideFile and removedLeftovers stay empty. It reads the whole journal
// once, without its lock, so a writer may change the file in between.
JournalRepair planJournalRepair(const std::string &path);

} // namespace bourse::app

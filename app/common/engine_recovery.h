#pragma once

#include "engine.h"
#include "journal.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bourse::app {

// The account of how an engine was rebuilt from its journal.
struct RecoveryReport {
    SequenceNumber snapshotSequence = 0; // the snapshot it started from; 0 for a full replay
    std::uint64_t tailEvents = 0;        // events restored after the snapshot
    SequenceNumber lastSequence = 0;
    std::uint64_t stateHash = 0;
    // Each snapshot that was passed over, newest first, with the reason: damaged, does not
    // load, or does not match the journal.
    std::vector<std::string> skippedSnapshots;
};

struct RecoveredEngine {
    std::unique_ptr<Engine> engine; // null when error is set
    RecoveryReport report;
    std::optional<storage::JournalError> error; // damage in the events or a snapshot
    // With JournalCheck::EveryEvent and an error: the last event read intact before the damage,
    // and the sequence of the damaged snapshot when the events are intact.
    SequenceNumber intactThrough = 0;
    std::optional<SequenceNumber> damagedSnapshot;
};

// How much of a journal a recovery checks. A restart from a snapshot reads only the events after
// it, so damage before the snapshot goes unseen unless every event is read as well.
enum class JournalCheck : std::uint8_t {
    AfterSnapshot, // the snapshot and the events after it: the fastest restart
    EveryEvent,    // also every event before and every snapshot, on a second thread, before
                   // anything continues
};

// Rebuilds the engine a journal describes from the newest snapshot that is intact, loads, and
// matches its recorded state hash and its place in the hash chain, plus the events after it.
// When no snapshot qualifies, it replays every event. A journal whose events are damaged is an
// error naming the sequence. A journal that defines its instruments starts with an
// InstrumentAdded; one of a single book names that book's instrument in its first event.
// With JournalCheck::EveryEvent, damage anywhere in the journal, a snapshot's included, is an
// error, and no engine is returned.
RecoveredEngine recoverEngine(const std::string &path,
                              JournalCheck check = JournalCheck::AfterSnapshot);

} // namespace bourse::app

#pragma once

#include "engine.h"
#include "journal.h"

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
    std::optional<storage::JournalError> error; // damage in the events themselves
};

// Rebuilds the engine a journal describes from the newest snapshot that is intact, loads, and
// matches its recorded state hash and its place in the hash chain, plus the events after it.
// When no snapshot qualifies, it replays every event. A journal whose events are damaged is an
// error naming the sequence. A journal that defines its instruments starts with an
// InstrumentAdded; one of a single book names that book's instrument in its first event.
RecoveredEngine recoverEngine(const std::string &path);

} // namespace bourse::app

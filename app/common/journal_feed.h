#pragma once

#include "engine.h"
#include "journal.h"
#include "session.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bourse::app {

// The timeline of a journal for a replay, read once as it opens: the market times it spans,
// where its events stop being intact, and the market time of each snapshot. A seek chooses the
// snapshot to start from by that time.
struct JournalTimeline {
    struct Snapshot {
        storage::SnapshotInfo info;
        // The latest market time of the events up to the snapshot. A seek to any later time
        // may start from the snapshot, because playing that far applies all of them.
        Timestamp time;
    };

    std::string path;
    Timestamp firstTime;             // of the first event; zero for a journal without events
    Timestamp lastTime;              // of the last intact event
    SequenceNumber lastSequence = 0; // the last intact event
    // The engine the first event needs: none for a journal that defines its instruments (it
    // starts with InstrumentAdded), or the instrument of a journal of a single book.
    std::optional<InstrumentId> singleBook;
    std::vector<Snapshot> snapshots; // oldest first, only those before any damage
    // Damage that stops the events, naming the file and the sequence: a replay plays the
    // intact events before it, then fails with this error.
    std::optional<storage::JournalError> damage;
};

// Reads every event of the journal at `path` once, checking each as JournalReader does, and
// returns its timeline. Returns nothing, with `error` naming the file, when the file is not a
// journal or cannot be read at all. Damage after the first events is no error here, because
// the intact events still play: it is the timeline's `damage`.
std::optional<JournalTimeline> readJournalTimeline(const std::string &path, std::string &error);

// Whether the file at `path` is a Bourse journal: an SQLite database whose application id is
// the journal's ("BRSJ"), as the terminal's journal folder and `bourse-engine` write them.
bool isJournalFile(const std::string &path);

// Returns the error for an SQLite database at `path` that is not a journal, naming the file and
// its application id; nothing for a journal or a file that is not SQLite.
std::optional<std::string> otherSqliteFileError(const std::string &path);

// Sets `source` up to replay the journal at `path`. Its events are restored one a step into an
// engine made from the first event or a snapshot, the trader's accounts included. A seek starts
// from the journal's last snapshot at or before its target. Returns the reason, naming the
// file, when the journal cannot be read.
std::optional<std::string> setUpJournalReplay(const std::string &path,
                                              Session::ReplaySource &source);

} // namespace bourse::app

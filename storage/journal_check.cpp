#include "journal_check.h"

#include <algorithm>
#include <vector>

namespace bourse::storage {

JournalVerification verifyJournal(const std::string &path)
{
    JournalVerification check;
    JournalReader::Opened opened = JournalReader::open(path);
    if (!opened.reader) {
        check.error = opened.error;
        return check;
    }
    JournalReader &reader = *opened.reader;

    std::optional<JournalError> snapshotError;
    std::optional<SequenceNumber> damagedSnapshot;
    std::vector<SnapshotInfo> snapshots = reader.snapshots(snapshotError);
    std::sort(snapshots.begin(), snapshots.end(),
              [](const SnapshotInfo &a, const SnapshotInfo &b) { return a.sequence < b.sequence; });

    // A snapshot's chain hash is compared as its event goes by, so that the events are read
    // once.
    std::size_t nextSnapshot = 0;
    while (std::optional<Event> event = reader.next()) {
        ++check.events;
        while (nextSnapshot < snapshots.size() &&
               snapshots[nextSnapshot].sequence <= event->sequence) {
            const SnapshotInfo &info = snapshots[nextSnapshot++];
            if (info.sequence == event->sequence && info.chainHash != reader.lastHash() &&
                !snapshotError) {
                damagedSnapshot = info.sequence;
                snapshotError = JournalError{
                    JournalErrorKind::ChainBroken, path, info.sequence,
                    "the snapshot records another chain hash than the journal's event"};
            }
        }
    }
    check.lastSequence = reader.lastSequence();
    check.lastHash = reader.lastHash();
    if (reader.error()) {
        check.error = reader.error();
        return check;
    }

    for (const SnapshotInfo &info : snapshots) {
        if (snapshotError)
            break;
        damagedSnapshot = info.sequence;
        if (info.sequence > reader.lastSequence()) {
            snapshotError = JournalError{JournalErrorKind::TailMismatch, path, info.sequence,
                                         "the snapshot is past the last event, " +
                                             std::to_string(reader.lastSequence())};
            break;
        }
        reader.readSnapshot(info.sequence, snapshotError);
    }
    if (snapshotError) {
        check.error = snapshotError;
        check.damagedSnapshot = damagedSnapshot;
    }
    return check;
}

} // namespace bourse::storage

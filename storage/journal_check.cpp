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

    std::optional<JournalError> recordError;
    std::vector<DamagedRecord> damagedRecords;
    std::vector<JournalRecord> records = reader.records(recordError, &damagedRecords);
    std::stable_sort(
        records.begin(), records.end(),
        [](const JournalRecord &a, const JournalRecord &b) { return a.sequence < b.sequence; });
    std::size_t nextRecord = 0;
    const auto checkRecordLinks = [&](SequenceNumber sequence, std::uint64_t chainHash) {
        for (; nextRecord < records.size() && records[nextRecord].sequence <= sequence;
             ++nextRecord) {
            const JournalRecord &record = records[nextRecord];
            if (record.sequence == sequence && record.chainHash != chainHash)
                damagedRecords.push_back(DamagedRecord::chainMismatch(record, chainHash));
        }
    };
    checkRecordLinks(0, 0);

    // A snapshot's and a record's chain hash are compared as its event goes by, so that the
    // events are read once.
    std::size_t nextSnapshot = 0;
    while (std::optional<Event> event = reader.next()) {
        ++check.events;
        checkRecordLinks(event->sequence, reader.lastHash());
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
        return check;
    }
    if (!damagedRecords.empty()) {
        std::stable_sort(
            damagedRecords.begin(), damagedRecords.end(),
            [](const DamagedRecord &a, const DamagedRecord &b) { return a.id < b.id; });
        check.error = damagedRecords.front().toError(path);
        check.damagedRecord = damagedRecords.front().id;
    } else if (recordError) {
        check.error = recordError;
    }
    return check;
}

} // namespace bourse::storage

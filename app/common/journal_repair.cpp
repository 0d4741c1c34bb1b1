#include "journal_repair.h"

#include "journal_salvage.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <map>
#include <memory>
#include <system_error>
#include <utility>

namespace bourse::app {

namespace {

namespace fs = std::filesystem;

using storage::JournalError;
using storage::JournalErrorKind;
using storage::JournalSalvage;

RepairError journalFailure(RepairStep step, JournalError error)
{
    std::string what = error.what;
    if (error.sequence != 0) {
        what = "sequence " + std::to_string(error.sequence) + ": " + what;
    }
    std::string file = error.file;
    return RepairError{step, std::move(file), std::move(what), std::move(error)};
}

RepairError readError(JournalError error)
{
    return journalFailure(RepairStep::Read, std::move(error));
}

// A stored snapshot, and the event at its sequence once the first read has met it.
struct SnapshotPlace {
    SequenceNumber sequence = 0;
    bool atChunkEnd = false;
    std::uint64_t chainHash = 0; // the event's hash
};

// The events of the first read: how far they passed their checks, and where chunks ended.
struct EventScan {
    SequenceNumber lastChunkEnd = 0;
    SequenceNumber chunkEndBefore = 0; // the chunk end before lastChunkEnd
    std::vector<SnapshotPlace> places;
    // The chain hash of each event that a record follows, once the read has met the event.
    std::map<SequenceNumber, std::optional<std::uint64_t>> recordLinks;
};

EventScan scanEvents(JournalSalvage &salvage, const std::vector<SequenceNumber> &snapshots,
                     const std::vector<storage::JournalRecord> &records)
{
    EventScan scan;
    for (const SequenceNumber sequence : snapshots) {
        scan.places.push_back(SnapshotPlace{sequence});
    }
    for (const storage::JournalRecord &record : records) {
        scan.recordLinks[record.sequence] =
            record.sequence == 0 ? std::optional<std::uint64_t>(0) : std::optional<std::uint64_t>();
    }
    std::size_t next = 0;
    while (std::optional<Event> event = salvage.next()) {
        const SequenceNumber sequence = event->sequence;
        if (const auto link = scan.recordLinks.find(sequence); link != scan.recordLinks.end()) {
            link->second = salvage.lastHash();
        }
        if (salvage.atChunkEnd()) {
            scan.chunkEndBefore = scan.lastChunkEnd;
            scan.lastChunkEnd = sequence;
        }
        while (next < scan.places.size() && scan.places[next].sequence < sequence) {
            ++next;
        }
        if (next < scan.places.size() && scan.places[next].sequence == sequence) {
            scan.places[next] = SnapshotPlace{sequence, salvage.atChunkEnd(), salvage.lastHash()};
        }
    }
    return scan;
}

// Collects the problems with the events and the metadata, and returns the last event whose
// hash a later event or the intact metadata confirms.
SequenceNumber lastConfirmed(const JournalSalvage &salvage, std::vector<JournalError> &damage)
{
    if (salvage.damage()) {
        damage.push_back(*salvage.damage());
    }
    if (salvage.metadataDamage()) {
        damage.push_back(*salvage.metadataDamage());
    } else if (std::optional<JournalError> mismatch = salvage.tailMismatch()) {
        damage.push_back(std::move(*mismatch));
    }
    // Each of these leaves the last event read without a confirmation of its hash: the record
    // after it failed or is missing, or the metadata does not record it.
    const SequenceNumber last = salvage.lastSequence();
    return !damage.empty() && last > 0 ? last - 1 : last;
}

// Decides the fate of one snapshot, given the kept events. A snapshot that the kept events
// would carry but that fails a check is damage, and so is one past the last event of a journal
// whose events are intact.
RepairedSnapshot judgeSnapshot(JournalSalvage &salvage, const SnapshotPlace &place,
                               SequenceNumber lastKept, bool eventsIntact,
                               std::vector<JournalError> &damage)
{
    RepairedSnapshot judged{place.sequence, SnapshotFate::Kept, {}};
    if (place.sequence > lastKept) {
        judged.fate = SnapshotFate::AfterLastKept;
        judged.reason = "its event is past the last kept event";
        if (eventsIntact) {
            damage.push_back(
                JournalError{JournalErrorKind::SequenceGap, salvage.path(), place.sequence,
                             "the snapshot is past the last event, " + std::to_string(lastKept)});
        }
        return judged;
    }
    if (!place.atChunkEnd) {
        judged.fate = SnapshotFate::NotAtChunkEnd;
        judged.reason = "its event does not end a chunk, where the writer stores snapshots";
        return judged;
    }

    std::optional<JournalError> problem;
    const std::optional<storage::StoredSnapshot> snapshot =
        salvage.readSnapshot(place.sequence, problem);
    if (!snapshot) {
        judged.fate = SnapshotFate::Damaged;
        judged.reason = problem->what;
        damage.push_back(std::move(*problem));
    } else if (snapshot->info.chainHash != place.chainHash) {
        judged.fate = SnapshotFate::ChainMismatch;
        judged.reason = "it records another chain hash than the journal's";
        damage.push_back(JournalError{JournalErrorKind::ChainBroken, salvage.path(), place.sequence,
                                      "the snapshot records another chain hash than the "
                                      "journal's"});
    }
    return judged;
}

// The original's records that pass the checks a reader makes without the events (checksum,
// not past the last event), oldest first. The others are added to `damaged`. A file too damaged
// to list them loses them, as its damage loses events.
std::vector<storage::JournalRecord> readRecords(const std::string &path,
                                                std::vector<storage::DamagedRecord> &damaged)
{
    storage::JournalReader::Opened opened = storage::JournalReader::open(path);
    if (!opened.reader) {
        return {};
    }
    std::optional<JournalError> ignored;
    return opened.reader->records(ignored, &damaged);
}

// Adds to `damaged` each record whose chain hash differs from that of the event it follows.
// A record whose event the read did not meet follows a dropped event, which is no damage of
// its own.
void checkRecordLinks(const std::vector<storage::JournalRecord> &records, const EventScan &scan,
                      std::vector<storage::DamagedRecord> &damaged)
{
    for (const storage::JournalRecord &record : records) {
        const std::optional<std::uint64_t> &hash = scan.recordLinks.at(record.sequence);
        if (hash && *hash != record.chainHash) {
            damaged.push_back(storage::DamagedRecord::chainMismatch(record, *hash));
        }
    }
}

// The first read: finds the damage, the last event to keep, and the snapshots and records to
// keep.
std::optional<RepairError> survey(const std::string &path, JournalRepair &repair)
{
    JournalSalvage::Opened opened = JournalSalvage::open(path);
    if (!opened.salvage) {
        return readError(std::move(*opened.error));
    }
    JournalSalvage &salvage = *opened.salvage;

    std::optional<JournalError> listError;
    const std::vector<SequenceNumber> snapshots = salvage.snapshotSequences(listError);
    const std::vector<storage::JournalRecord> records = readRecords(path, repair.droppedRecords);
    const EventScan scan = scanEvents(salvage, snapshots, records);
    checkRecordLinks(records, scan, repair.droppedRecords);
    const SequenceNumber confirmed = lastConfirmed(salvage, repair.damage);

    // Chunks end only where a command ended, so the kept events end at a chunk end.
    repair.lastChecked = salvage.lastSequence();
    repair.lastKept = scan.lastChunkEnd <= confirmed ? scan.lastChunkEnd : scan.chunkEndBefore;
    repair.eventsKept = repair.lastKept;

    const bool eventsIntact = repair.damage.empty();
    for (const SnapshotPlace &place : scan.places) {
        repair.snapshots.push_back(
            judgeSnapshot(salvage, place, repair.lastKept, eventsIntact, repair.damage));
    }
    if (listError) {
        repair.damage.push_back(std::move(*listError));
    }
    std::sort(repair.droppedRecords.begin(), repair.droppedRecords.end(),
              [](const storage::DamagedRecord &a, const storage::DamagedRecord &b) {
                  return a.id < b.id;
              });
    for (const storage::DamagedRecord &record : repair.droppedRecords) {
        repair.damage.push_back(record.toError(path));
    }
    return std::nullopt;
}

// The original's records that the survey did not find damaged, oldest first.
std::vector<storage::JournalRecord> keptRecords(const std::string &path,
                                                const JournalRepair &repair)
{
    std::vector<storage::DamagedRecord> damaged;
    std::vector<storage::JournalRecord> records = readRecords(path, damaged);
    std::erase_if(records, [&repair](const storage::JournalRecord &record) {
        return std::any_of(
            repair.droppedRecords.begin(), repair.droppedRecords.end(),
            [&record](const storage::DamagedRecord &dropped) { return dropped.id == record.id; });
    });
    return records;
}

// The second read: writes events 1 to lastKept, the kept snapshots and the kept records to a
// new journal.
std::optional<RepairError> writeKeptEvents(const std::string &path, const std::string &target,
                                           const JournalRepair &repair)
{
    JournalSalvage::Opened opened = JournalSalvage::open(path);
    if (!opened.salvage) {
        return readError(std::move(*opened.error));
    }
    JournalSalvage &salvage = *opened.salvage;
    storage::JournalWriter::Created created = storage::JournalWriter::create(target);
    if (!created.writer) {
        return journalFailure(RepairStep::Write, std::move(*created.error));
    }
    storage::JournalWriter &writer = *created.writer;

    std::vector<SequenceNumber> keptSnapshots;
    for (const RepairedSnapshot &snapshot : repair.snapshots) {
        if (snapshot.fate == SnapshotFate::Kept) {
            keptSnapshots.push_back(snapshot.sequence);
        }
    }
    // Each record follows the same event as in the original, or the first end of a command
    // after it, since writing a record ends a chunk.
    const std::vector<storage::JournalRecord> records = keptRecords(path, repair);
    std::size_t nextRecord = 0;
    const auto writeRecordsThrough = [&](SequenceNumber sequence) {
        for (; nextRecord < records.size() && records[nextRecord].sequence <= sequence;
             ++nextRecord) {
            writer.writeRecord(records[nextRecord].kind, records[nextRecord].body);
        }
    };
    writeRecordsThrough(0);

    std::size_t nextSnapshot = 0;
    while (salvage.lastSequence() < repair.lastKept) {
        const std::optional<Event> event = salvage.next();
        if (!event) {
            break;
        }
        writer.onEvent(*event);
        // The original's chunks ended where its commands ended. Only there may the new
        // journal end one.
        if (salvage.atChunkEnd()) {
            writer.onCommandEnd();
            writeRecordsThrough(event->sequence);
        }
        if (nextSnapshot == keptSnapshots.size() ||
            keptSnapshots[nextSnapshot] != event->sequence) {
            continue;
        }
        ++nextSnapshot;
        std::optional<JournalError> problem;
        std::optional<storage::StoredSnapshot> snapshot =
            salvage.readSnapshot(event->sequence, problem);
        if (!snapshot) {
            writer.close();
            return readError(std::move(*problem));
        }
        // The writer records the new journal's chain hash at the event, which differs from
        // the original's when the current encoder writes an older payload differently.
        writer.writeSnapshot(event->sequence, snapshot->info.stateHash, std::move(snapshot->body));
    }

    if (salvage.lastSequence() < repair.lastKept) {
        writer.close();
        return readError(JournalError{
            JournalErrorKind::SqliteFailed, path, salvage.lastSequence() + 1,
            "the second read ended before event " + std::to_string(repair.lastKept) +
                ", which the first read reached: the journal changed during the repair"});
    }
    if (std::optional<JournalError> failed = writer.close()) {
        return journalFailure(RepairStep::Write, std::move(*failed));
    }
    return std::nullopt;
}

// A path next to `path` that does not exist yet: path + suffix, then path + suffix + "-2"...
std::string freshPath(const std::string &path, const std::string &suffix)
{
    std::error_code ignored;
    std::string candidate = path + suffix;
    for (int number = 2; fs::exists(candidate, ignored) || fs::exists(candidate + "-wal", ignored);
         ++number) {
        candidate = path + suffix + "-" + std::to_string(number);
    }
    return candidate;
}

// The files beside a journal file that SQLite and the writer create.
constexpr const char *companionSuffixes[] = {"-wal", "-shm", "-lock"};

// Removes a journal file that the repair created, with its companion files.
void removeCreatedFiles(const std::string &file)
{
    std::error_code ignored;
    fs::remove(file, ignored);
    for (const char *suffix : companionSuffixes) {
        fs::remove(file + suffix, ignored);
    }
}

// The name of the side copy while it is being written.
std::string partialSidePath(const std::string &path)
{
    return path + ".damaged.partial";
}

// Removes what an interrupted repair of `path` left: the new journal it was writing and the
// side copy it had not finished. Only a repair, under the journal's lock, creates these names.
std::vector<std::string> removeLeftovers(const std::string &path)
{
    std::vector<std::string> removed;
    for (const std::string &base : {path + ".recovering", partialSidePath(path)}) {
        for (const std::string &file : {base, base + "-wal", base + "-shm", base + "-lock"}) {
            std::error_code ignored;
            if (fs::remove(file, ignored)) {
                removed.push_back(file);
            }
        }
    }
    return removed;
}

// Flushes a copied file to the disk, so that the rename that follows never names a file whose
// bytes a power failure could still lose.
std::error_code syncFile(const std::string &file)
{
    const int descriptor = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (descriptor < 0) {
        return std::error_code(errno, std::generic_category());
    }
    const int result = ::fsync(descriptor);
    const int error = errno;
    ::close(descriptor);
    return result == 0 ? std::error_code() : std::error_code(error, std::generic_category());
}

// Copies `from` to `to`, overwriting it, and syncs the copy.
std::error_code copySynced(const std::string &from, const std::string &to)
{
    std::error_code code;
    fs::copy_file(from, to, fs::copy_options::overwrite_existing, code);
    return code ? code : syncFile(to);
}

// Copies the journal file and its write-ahead log, which contains committed events not yet in
// the file, byte for byte, first to `partial`, then renames the copy to `to`. The -wal copy is
// renamed first, so that a side file never appears without its -wal file.
// NOTE: A kill between the two renames leaves `to`-wal without `to`. The next repair then picks
// the next free side file name and leaves that -wal file in place.
std::optional<RepairError> copyJournalFiles(const std::string &from, const std::string &partial,
                                            const std::string &to)
{
    std::error_code code = copySynced(from, partial);
    bool hasWal = false;
    if (!code) {
        hasWal = fs::exists(from + "-wal", code);
    }
    if (!code && hasWal) {
        code = copySynced(from + "-wal", partial + "-wal");
    }
    if (!code && hasWal) {
        fs::rename(partial + "-wal", to + "-wal", code);
    }
    if (!code) {
        fs::rename(partial, to, code);
    }
    if (!code) {
        return std::nullopt;
    }
    return RepairError{RepairStep::CopyAside, to,
                       "failed to copy " + from + " here: " + code.message(), std::nullopt};
}

// Puts the new journal in the original's place. The original's -wal file must go too, or
// SQLite would apply its pages to the new file: it is parked until the rename has succeeded,
// and put back when the rename fails. Its bytes are in the side file already.
std::optional<RepairError> replaceJournal(const std::string &path, const std::string &replacement)
{
    const std::string wal = path + "-wal";
    const std::string parkedWal = replacement + ".original-wal";
    // The new journal gets the original's permissions, so that every user who could read or write
    // the journal still can.
    std::error_code ignored;
    std::error_code statusError;
    const fs::file_status original = fs::status(path, statusError);
    if (!statusError) {
        fs::permissions(replacement, original.permissions(), ignored);
    }

    std::error_code code;
    const bool hasWal = fs::exists(wal, code);
    if (!code && hasWal) {
        fs::rename(wal, parkedWal, code);
    }
    if (!code) {
        fs::rename(replacement, path, code);
        if (code && hasWal) {
            fs::rename(parkedWal, wal, ignored);
        }
    }
    if (code) {
        return RepairError{RepairStep::Replace, path,
                           "failed to replace it with " + replacement + ": " + code.message(),
                           std::nullopt};
    }
    fs::remove(parkedWal, ignored);
    fs::remove(path + "-shm", ignored);
    return std::nullopt;
}

JournalRepair failed(JournalRepair repair, RepairError error)
{
    repair.outcome = RepairOutcome::Failed;
    repair.error = std::move(error);
    return repair;
}

} // namespace

std::string RepairError::toString() const
{
    return file + ": " + what;
}

JournalRepair repairJournal(const std::string &path)
{
    JournalRepair repair;
    // A missing file or one that is no regular file gets no lock file beside it: the survey
    // reports it.
    std::error_code ignored;
    std::unique_ptr<storage::JournalWriterLock> lock;
    if (fs::is_regular_file(path, ignored)) {
        storage::JournalWriterLock::Acquired acquired = storage::JournalWriterLock::acquire(path);
        if (!acquired.lock) {
            return failed(std::move(repair), readError(std::move(*acquired.error)));
        }
        lock = std::move(acquired.lock);
        repair.removedLeftovers = removeLeftovers(path);
    }

    if (std::optional<RepairError> error = survey(path, repair)) {
        return failed(std::move(repair), std::move(*error));
    }
    if (repair.damage.empty()) {
        // The journal stays as it is, with every snapshot.
        for (RepairedSnapshot &snapshot : repair.snapshots) {
            snapshot = RepairedSnapshot{snapshot.sequence, SnapshotFate::Kept, {}};
        }
        repair.outcome = RepairOutcome::NothingToRepair;
        return repair;
    }

    const std::string temporary = freshPath(path, ".recovering");
    if (std::optional<RepairError> error = writeKeptEvents(path, temporary, repair)) {
        removeCreatedFiles(temporary);
        return failed(std::move(repair), std::move(*error));
    }
    const std::string side = freshPath(path, ".damaged");
    const std::string partialSide = partialSidePath(path);
    std::optional<RepairError> error = copyJournalFiles(path, partialSide, side);
    if (!error) {
        error = replaceJournal(path, temporary);
    }
    if (error) {
        removeCreatedFiles(temporary);
        removeCreatedFiles(partialSide);
        removeCreatedFiles(side);
        return failed(std::move(repair), std::move(*error));
    }
    repair.sideFile = side;
    repair.outcome = RepairOutcome::Repaired;
    return repair;
}

JournalRepair planJournalRepair(const std::string &path)
{
    JournalRepair repair;
    if (std::optional<RepairError> error = survey(path, repair)) {
        return failed(std::move(repair), std::move(*error));
    }
    repair.outcome =
        repair.damage.empty() ? RepairOutcome::NothingToRepair : RepairOutcome::Repaired;
    return repair;
}

} // namespace bourse::app

// bourse-engine journal recover: prints what app::repairJournal did with a damaged journal.
// bourse-engine journal rebuild: stores a snapshot at the last event and rebuilds the read models.

#include "journal_recover.h"
#include "commands.h"

#include "engine_recovery.h"
#include "journal.h"
#include "journal_repair.h"
#include "output.h"
#include "read_models.h"

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace bourse::cli {

namespace {

constexpr const char *recoverPrefix = "bourse-engine journal recover: ";

int printFailure(const app::RepairError &error)
{
    std::cerr << recoverPrefix << error.toString() << "\n";
    std::cerr << recoverPrefix << "nothing was changed\n";
    if (!error.journalError) {
        return CheckFailed;
    }
    const storage::JournalErrorKind kind = error.journalError->kind;
    const bool input = kind == storage::JournalErrorKind::OpenFailed ||
                       kind == storage::JournalErrorKind::NotAJournal ||
                       kind == storage::JournalErrorKind::UnsupportedFormat;
    return error.step == app::RepairStep::Read && input ? InputError : CheckFailed;
}

void printKept(const app::JournalRepair &repair, const std::string &path)
{
    if (repair.lastKept == 0) {
        std::cout << "kept: no events in " << path << ", which is an empty journal now\n";
    } else {
        std::cout << "kept: events 1 to " << repair.lastKept << " in " << path << "\n";
    }
    std::size_t snapshots = 0;
    for (const app::RepairedSnapshot &snapshot : repair.snapshots) {
        snapshots += snapshot.fate == app::SnapshotFate::Kept ? 1 : 0;
    }
    if (snapshots > 0) {
        std::cout << "kept: " << snapshots << (snapshots == 1 ? " snapshot" : " snapshots") << "\n";
    }
}

// Events past lastKept that passed their own checks end with one whose hash nothing after it
// confirms, and the kept events end where a command ended.
void printLeftOutEvents(const app::JournalRepair &repair)
{
    const SequenceNumber first = repair.lastKept + 1;
    const SequenceNumber last = repair.lastChecked;
    if (last == first) {
        std::cout << "left out: event " << last
                  << ", which passed its own checks, but nothing after it confirms its hash\n";
    } else if (last > first) {
        std::cout << "left out: events " << first << " to " << last
                  << ", which passed their own checks, but nothing after event " << last
                  << " confirms its hash, and only whole commands are kept\n";
    }
}

void printLeftOutSnapshots(const std::vector<app::RepairedSnapshot> &snapshots)
{
    std::vector<SequenceNumber> after;
    for (const app::RepairedSnapshot &snapshot : snapshots) {
        if (snapshot.fate == app::SnapshotFate::AfterLastKept) {
            after.push_back(snapshot.sequence);
        } else if (snapshot.fate != app::SnapshotFate::Kept) {
            std::cout << "left out: the snapshot at sequence " << snapshot.sequence << ": "
                      << snapshot.reason << "\n";
        }
    }
    if (after.size() == 1) {
        std::cout << "left out: the snapshot at sequence " << after.front()
                  << ", past the last kept event\n";
    } else if (!after.empty()) {
        std::cout << "left out: " << after.size() << " snapshots from sequence " << after.front()
                  << " to " << after.back() << ", past the last kept event\n";
    }
}

void printRemovedLeftovers(const std::vector<std::string> &files)
{
    for (const std::string &file : files) {
        std::cout << "removed: " << file
                  << ", a temporary file of an earlier recover that was interrupted\n";
    }
}

} // namespace

int recoverJournal(const std::string &path)
{
    const app::JournalRepair repair = app::repairJournal(path);
    printRemovedLeftovers(repair.removedLeftovers);
    switch (repair.outcome) {
    case app::RepairOutcome::Failed:
        return printFailure(*repair.error);
    case app::RepairOutcome::NothingToRepair:
        std::cout << "nothing to recover: every event, the metadata and every snapshot of " << path
                  << " passed their checks (last sequence " << repair.lastKept
                  << "), so it was not changed\n";
        return Success;
    case app::RepairOutcome::Repaired:
        break;
    }

    for (const storage::JournalError &damage : repair.damage) {
        std::cout << "damage: " << damage.toString() << "\n";
    }
    printKept(repair, path);
    printLeftOutEvents(repair);
    printLeftOutSnapshots(repair.snapshots);
    for (const storage::DamagedRecord &record : repair.droppedRecords) {
        std::cout << "left out: record " << record.id << " (" << record.kind
                  << "), because it is damaged\n";
    }
    std::cout << "set aside: the original journal, damaged part included, in " << repair.sideFile
              << "\n";
    return Success;
}

} // namespace bourse::cli

namespace bourse::cli {

int rebuildJournal(const std::string &path)
{
    const auto fail = [](const std::string &message, int status) {
        std::cerr << "bourse-engine journal rebuild: " << message << "\n";
        return status;
    };

    // The lock comes before the engine reads the journal, so that no writer appends between the
    // read and the snapshot, which must follow the last event. A missing file or one that is no
    // regular file gets no lock file beside it: the recovery below reports it.
    std::unique_ptr<storage::JournalWriterLock> lock;
    std::error_code statusError;
    if (std::filesystem::is_regular_file(path, statusError)) {
        storage::JournalWriterLock::Acquired acquired = storage::JournalWriterLock::acquire(path);
        if (!acquired.lock)
            return fail(acquired.error->toString(), CheckFailed);
        lock = std::move(acquired.lock);
    }

    // The engine first: it checks every event, and its state at the end becomes a snapshot.
    app::RecoveredEngine recovered = app::recoverEngine(path);
    if (!recovered.engine) {
        const storage::JournalErrorKind kind = recovered.error->kind;
        const bool input = kind == storage::JournalErrorKind::OpenFailed ||
                           kind == storage::JournalErrorKind::NotAJournal ||
                           kind == storage::JournalErrorKind::UnsupportedFormat;
        return fail(recovered.error->toString(), input ? InputError : CheckFailed);
    }
    for (const std::string &skipped : recovered.report.skippedSnapshots)
        std::cout << "skipped " << skipped << "\n";

    const Engine &engine = *recovered.engine;
    const SequenceNumber last = engine.lastSequence();
    // Snapshot rows are never replaced, so a damaged one at the last event stays, and the
    // restart goes on skipping it.
    bool snapshotAtLast = false;
    if (storage::JournalReader::Opened opened = storage::JournalReader::open(path); opened.reader) {
        std::optional<storage::JournalError> ignored;
        for (const storage::SnapshotInfo &info : opened.reader->snapshots(ignored))
            snapshotAtLast = snapshotAtLast || info.sequence == last;
    }
    if (snapshotAtLast && last != recovered.report.snapshotSequence) {
        std::cout << "snapshot: the one at the last event is damaged and stays; a restart "
                     "skips it\n";
    } else if (last != 0 && last != recovered.report.snapshotSequence) {
        storage::JournalWriter::Created created =
            lock ? storage::JournalWriter::create(std::move(lock))
                 : storage::JournalWriter::create(path);
        if (!created.writer)
            return fail(created.error->toString(), CheckFailed);
        created.writer->writeSnapshot(last, engine.stateHash(), engine.snapshot());
        if (std::optional<storage::JournalError> failed = created.writer->close())
            return fail("failed to store the snapshot: " + failed->toString(), CheckFailed);
        std::cout << "snapshot: stored at sequence " << last << "\n";
    } else {
        std::cout << "snapshot: the newest one is at the last event already\n";
    }

    const std::string views = storage::viewsPathFor(path);
    const storage::CatchUpResult result = storage::rebuildReadModels(path, views);
    if (result.error)
        return fail(result.error->toString(), CheckFailed);
    std::cout << "read models: " << result.eventsProjected << " events projected into " << views
              << "\n";
    std::cout << "state hash: " << hex(engine.stateHash()) << " at sequence " << last << "\n";
    return Success;
}

} // namespace bourse::cli

// bourse-engine journal recover: keeps the intact beginning of a damaged journal and sets the
// whole original aside, so that nothing is deleted.

#include "journal_recover.h"
#include "commands.h"

#include "engine_recovery.h"
#include "journal.h"
#include "output.h"
#include "read_models.h"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>
#include <system_error>

namespace bourse::cli {

namespace {

namespace fs = std::filesystem;

// A path next to `path` that does not exist yet: path + suffix, then path + suffix + "-2"...
std::string freshPath(const std::string &path, const std::string &suffix)
{
    std::string candidate = path + suffix;
    for (int number = 2; fs::exists(candidate) || fs::exists(candidate + "-wal"); ++number)
        candidate = path + suffix + "-" + std::to_string(number);
    return candidate;
}

// Copies the journal file and its write-ahead log, which contains committed events not yet in the
// file, byte for byte.
bool copyJournalFiles(const std::string &from, const std::string &to, std::string &error)
{
    std::error_code code;
    fs::copy_file(from, to, code);
    if (!code && fs::exists(from + "-wal"))
        fs::copy_file(from + "-wal", to + "-wal", code);
    if (code)
        error = "failed to copy " + from + " to " + to + ": " + code.message();
    return !code;
}

// Stores the intact snapshots up to `last` in the new journal, as the original recorded them,
// except the one at `leaveOut`, where the damage was found.
void copySnapshots(storage::JournalReader &original, SequenceNumber last, const std::string &to,
                   SequenceNumber leaveOut)
{
    std::optional<storage::JournalError> error;
    const std::vector<storage::SnapshotInfo> snapshots = original.snapshots(error);
    sqlite3 *database = nullptr;
    if (sqlite3_open_v2(to.c_str(), &database, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        sqlite3_close(database);
        return;
    }
    sqlite3_stmt *insert = nullptr;
    sqlite3_prepare_v2(database,
                       "INSERT INTO snapshots (sequence, chain_hash, state_hash, body, checksum) "
                       "SELECT ?1, ?2, ?3, ?4, ?5",
                       -1, &insert, nullptr);
    for (const storage::SnapshotInfo &info : snapshots) {
        if (info.sequence > last || info.sequence == leaveOut)
            continue;
        std::optional<storage::StoredSnapshot> snapshot =
            original.readSnapshot(info.sequence, error);
        if (!snapshot || !insert) {
            std::cerr << "bourse-engine journal recover: leaving out the snapshot at sequence "
                      << info.sequence << (error ? ": " + error->toString() : std::string())
                      << "\n";
            continue;
        }
        sqlite3_bind_int64(insert, 1, static_cast<sqlite3_int64>(info.sequence));
        sqlite3_bind_int64(insert, 2, static_cast<sqlite3_int64>(info.chainHash));
        sqlite3_bind_int64(insert, 3, static_cast<sqlite3_int64>(info.stateHash));
        sqlite3_bind_blob64(insert, 4, snapshot->body.data(), snapshot->body.size(), SQLITE_STATIC);
        sqlite3_bind_int64(insert, 5, static_cast<sqlite3_int64>(snapshot->checksum));
        sqlite3_step(insert);
        sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    sqlite3_close(database);
}

} // namespace

int recoverJournal(const std::string &path)
{
    const auto fail = [](const std::string &message, int status) {
        std::cerr << "bourse-engine journal recover: " << message << "\n";
        return status;
    };

    // First pass: how far the journal is intact.
    SequenceNumber intact = 0;
    std::optional<storage::JournalError> damage;
    {
        storage::JournalReader::Opened opened = storage::JournalReader::open(path);
        if (!opened.reader) {
            const storage::JournalErrorKind kind = opened.error->kind;
            if (kind == storage::JournalErrorKind::OpenFailed ||
                kind == storage::JournalErrorKind::NotAJournal ||
                kind == storage::JournalErrorKind::UnsupportedFormat)
                return fail(opened.error->toString(), InputError);
            damage = opened.error;
        } else {
            // Snapshots whose checksum or chain hash fails are damage too: their rows cannot be
            // replaced, so only a rewritten journal, which leaves them out, verifies again.
            std::optional<storage::JournalError> snapshotError;
            std::vector<storage::SnapshotInfo> snapshots = opened.reader->snapshots(snapshotError);
            std::sort(snapshots.begin(), snapshots.end(),
                      [](const auto &a, const auto &b) { return a.sequence < b.sequence; });
            std::size_t next = 0;
            while (std::optional<Event> event = opened.reader->next()) {
                for (; next < snapshots.size() && snapshots[next].sequence <= event->sequence;
                     ++next) {
                    const storage::SnapshotInfo &info = snapshots[next];
                    if (info.sequence == event->sequence &&
                        info.chainHash != opened.reader->lastHash() && !snapshotError)
                        snapshotError = storage::JournalError{
                            storage::JournalErrorKind::ChainBroken, path, info.sequence,
                            "the snapshot records another chain hash than the journal's"};
                }
            }
            damage = opened.reader->error();
            for (const storage::SnapshotInfo &info : snapshots) {
                if (!snapshotError)
                    opened.reader->readSnapshot(info.sequence, snapshotError);
            }
            if (!damage)
                damage = snapshotError;
            // Only whole commands are kept: a journal that ended inside one would leave an
            // order half entered, which the next command could not follow.
            intact = opened.reader->lastChunkEndAtOrBefore(opened.reader->lastSequence());
        }
    }
    if (!damage) {
        std::cout << "journal ok: nothing to recover\n";
        return Success;
    }

    const std::string aside = freshPath(path, ".damaged");
    const std::string rebuilt = freshPath(path, ".recovering");
    std::string error;
    if (!copyJournalFiles(path, aside, error))
        return fail(error, CheckFailed);

    {
        storage::JournalWriter::Created created = storage::JournalWriter::create(rebuilt);
        if (!created.writer)
            return fail(created.error->toString(), CheckFailed);
        storage::JournalReader::Opened opened = storage::JournalReader::open(path);
        if (opened.reader) {
            while (std::optional<Event> event = opened.reader->next()) {
                if (event->sequence > intact)
                    break;
                created.writer->onEvent(*event);
                // Chunks of the original ended where commands ended; only there may the new
                // journal end one.
                if (opened.reader->lastChunkEndAtOrBefore(event->sequence) == event->sequence)
                    created.writer->onCommandEnd();
            }
        }
        if (std::optional<storage::JournalError> failed = created.writer->close())
            return fail("failed to write the intact events: " + failed->toString(), CheckFailed);
        if (opened.reader)
            copySnapshots(*opened.reader, intact, rebuilt, damage->sequence);
    }

    // The original stays whole in the copy, so replacing it deletes nothing.
    std::error_code code;
    fs::remove(path + "-wal", code);
    fs::remove(path + "-shm", code);
    fs::rename(rebuilt, path, code);
    if (code)
        return fail("failed to replace " + path + " with " + rebuilt + ": " + code.message(),
                    CheckFailed);

    std::cout << "damage: " << damage->toString() << "\n";
    std::cout << "kept: events 1 to " << intact << " in " << path << "\n";
    std::cout << "set aside: the original journal, damaged part included, in " << aside << "\n";
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
        storage::JournalWriter::Created created = storage::JournalWriter::create(path);
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

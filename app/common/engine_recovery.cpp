#include "engine_recovery.h"

#include "journal_check.h"

#include <future>

namespace bourse::app {

namespace {

// Restores the events a reader returns into an engine. When `engine` is empty, the first event
// decides how to build it. Returns a message for an event the engine cannot restore.
std::optional<std::string> restoreAll(storage::JournalReader &reader,
                                      std::unique_ptr<Engine> &engine, std::uint64_t &count)
{
    while (std::optional<Event> event = reader.next()) {
        if (!engine) {
            engine = std::holds_alternative<InstrumentAdded>(event->payload)
                         ? std::make_unique<Engine>()
                         : std::make_unique<Engine>(event->instrument);
        }
        if (const RestoreResult restored = engine->restore(*event);
            restored != RestoreResult::Restored) {
            return "sequence " + std::to_string(event->sequence) + ": cannot restore this " +
                   std::string(nameOf(typeOf(event->payload))) +
                   " event: " + std::string(nameOf(restored));
        }
        ++count;
    }
    return std::nullopt;
}

// Tries one snapshot; on success `recovered` has the engine up to the journal's end. Returns
// why the snapshot was passed over otherwise. Damage in the events after it is reported in
// `recovered.error`, because an older snapshot would meet the same damage.
std::optional<std::string> recoverFromSnapshot(const std::string &path,
                                               const storage::SnapshotInfo &info,
                                               RecoveredEngine &recovered)
{
    storage::JournalReader::Opened opened = storage::JournalReader::open(path);
    if (!opened.reader) {
        recovered.error = opened.error;
        return std::nullopt;
    }
    storage::JournalReader &reader = *opened.reader;
    std::optional<storage::JournalError> problem;
    std::optional<storage::StoredSnapshot> snapshot = reader.readSnapshot(info.sequence, problem);
    if (!snapshot) {
        return problem->toString();
    }
    auto engine = std::make_unique<Engine>();
    if (std::optional<SnapshotError> failed = Engine::loadSnapshot(snapshot->body, *engine)) {
        return "does not load: " + failed->message;
    }
    if (engine->stateHash() != snapshot->info.stateHash ||
        engine->lastSequence() != snapshot->info.sequence) {
        return "the loaded state differs from the one recorded with the snapshot";
    }
    if (!reader.startAfter(info.sequence, info.chainHash)) {
        return "does not match the journal: " + reader.error()->toString();
    }

    std::uint64_t tail = 0;
    if (std::optional<std::string> failed = restoreAll(reader, engine, tail)) {
        return *failed;
    }
    if (reader.error()) {
        // The snapshot's own event failing its check means the snapshot does not belong here.
        if (reader.error()->sequence == info.sequence) {
            return "does not match the journal: " + reader.error()->toString();
        }
        recovered.error = reader.error();
        return std::nullopt;
    }
    recovered.report.snapshotSequence = info.sequence;
    recovered.report.tailEvents = tail;
    recovered.engine = std::move(engine);
    return std::nullopt;
}

} // namespace

RecoveredEngine recoverEngine(const std::string &path, JournalCheck check)
{
    if (check == JournalCheck::EveryEvent) {
        // The whole journal is read on another core while the engine is rebuilt, so the check
        // adds little to the time a restart takes. It covers the snapshots too: a damaged one
        // that the restore skipped is damage all the same, and writing on would keep it.
        std::future<storage::JournalVerification> checked =
            std::async(std::launch::async, [path] { return storage::verifyJournal(path); });
        RecoveredEngine recovered = recoverEngine(path, JournalCheck::AfterSnapshot);
        storage::JournalVerification verification = checked.get();
        if (verification.error) {
            recovered.engine.reset();
            recovered.error = std::move(verification.error);
            recovered.intactThrough = verification.lastSequence;
            recovered.damagedSnapshot = verification.damagedSnapshot;
        }
        return recovered;
    }

    RecoveredEngine recovered;
    std::vector<storage::SnapshotInfo> snapshots;
    {
        storage::JournalReader::Opened opened = storage::JournalReader::open(path);
        if (!opened.reader) {
            recovered.error = opened.error;
            return recovered;
        }
        std::optional<storage::JournalError> problem;
        snapshots = opened.reader->snapshots(problem);
        if (problem) {
            recovered.report.skippedSnapshots.push_back(problem->toString());
        }
    }

    for (const storage::SnapshotInfo &info : snapshots) {
        const std::optional<std::string> skipped = recoverFromSnapshot(path, info, recovered);
        if (recovered.error) {
            return recovered;
        }
        if (recovered.engine) {
            break;
        }
        recovered.report.skippedSnapshots.push_back("snapshot at sequence " +
                                                    std::to_string(info.sequence) + ": " +
                                                    skipped.value_or("not usable"));
    }

    if (!recovered.engine) {
        storage::JournalReader::Opened opened = storage::JournalReader::open(path);
        if (!opened.reader) {
            recovered.error = opened.error;
            return recovered;
        }
        std::uint64_t count = 0;
        if (std::optional<std::string> failed =
                restoreAll(*opened.reader, recovered.engine, count)) {
            recovered.error = storage::JournalError{storage::JournalErrorKind::UndecodablePayload,
                                                    path, 0, *failed};
            recovered.engine.reset();
            return recovered;
        }
        if (opened.reader->error()) {
            recovered.error = opened.reader->error();
            recovered.engine.reset();
            return recovered;
        }
        if (!recovered.engine) {
            recovered.engine = std::make_unique<Engine>();
        }
        recovered.report.tailEvents = count;
    }
    recovered.report.lastSequence = recovered.engine->lastSequence();
    recovered.report.stateHash = recovered.engine->stateHash();
    return recovered;
}

} // namespace bourse::app

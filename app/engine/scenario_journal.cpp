#include "scenario_journal.h"

#include "engine_recovery.h"
#include "output.h"

#include <filesystem>

namespace bourse::cli {

namespace {

// Errors that keep the journal from being opened or written, as opposed to content that
// cannot be trusted: a directory at the path, missing permissions, a locked database.
bool isWriteFailure(storage::JournalErrorKind kind)
{
    return kind == storage::JournalErrorKind::OpenFailed ||
           kind == storage::JournalErrorKind::SqliteFailed;
}

std::string describeRecovery(const std::string &path, const app::RecoveryReport &report)
{
    std::string text = "restarted from the journal " + path + ": ";
    if (report.snapshotSequence == 0) {
        text += std::to_string(report.tailEvents) + " events replayed";
    } else {
        text += "snapshot at sequence " + std::to_string(report.snapshotSequence) + " and " +
                std::to_string(report.tailEvents) + " events after it";
    }
    text += ", state hash " + hex(report.stateHash) + " at sequence " +
            std::to_string(report.lastSequence);
    for (const std::string &skipped : report.skippedSnapshots)
        text += "; skipped " + skipped;
    return text;
}

} // namespace

ScenarioJournal::Opened ScenarioJournal::open(const std::string &path, std::uint64_t snapshotEvery)
{
    Opened opened;
    std::error_code ignored;
    if (std::filesystem::exists(path, ignored)) {
        const app::RecoveredEngine recovered =
            app::recoverEngine(path, app::JournalCheck::EveryEvent);
        if (!recovered.engine) {
            opened.outcome = isWriteFailure(recovered.error->kind) ? OpenOutcome::Unwritable
                                                                   : OpenOutcome::Damaged;
            opened.message = recovered.error->toString();
            return opened;
        }
        if (!recovered.report.skippedSnapshots.empty()) {
            opened.outcome = OpenOutcome::Damaged;
            opened.message = path + ": the journal has a damaged snapshot: " +
                             recovered.report.skippedSnapshots.front();
            return opened;
        }
        if (recovered.report.lastSequence != 0) {
            opened.outcome = OpenOutcome::NotEmpty;
            opened.message = path + ": the journal already contains events 1 to " +
                             std::to_string(recovered.report.lastSequence) +
                             ", and a scenario cannot continue them because it defines its "
                             "instruments and numbers its orders from 1; name a new file, or "
                             "remove this one to run again";
            return opened;
        }
    }

    storage::JournalWriter::Created created = storage::JournalWriter::create(path);
    if (!created.writer) {
        opened.outcome = OpenOutcome::Unwritable;
        opened.message = created.error->toString();
        return opened;
    }
    opened.journal.reset(new ScenarioJournal(path, snapshotEvery, std::move(created.writer)));
    return opened;
}

ScenarioJournal::ScenarioJournal(std::string path, std::uint64_t snapshotEvery,
                                 std::unique_ptr<storage::JournalWriter> writer)
    : m_path(std::move(path))
    , m_snapshotEvery(snapshotEvery)
    , m_writer(std::move(writer))
{
}

void ScenarioJournal::attach(Engine &engine)
{
    m_run = std::make_unique<app::JournaledRun>(std::move(m_writer), engine, m_snapshotEvery,
                                                m_lastSnapshot);
    m_engine = &engine;
    engine.addHandler(m_run.get());
}

// The runner hands every event over (Engine::endBatch) before it waits, so flush() returns
// once the commit that covers `sequence` has ended, committed or failed.
bool ScenarioJournal::awaitDurable(SequenceNumber sequence)
{
    if (!m_run)
        return false;
    storage::JournalWriter &writer = m_run->writer();
    if (writer.committedSequence() < sequence)
        writer.flush();
    if (writer.committedSequence() >= sequence)
        return true;
    if (!writer.error())
        m_failure = m_path + ": event " + std::to_string(sequence) +
                    " was never handed to the journal writer, so it cannot be committed";
    return false;
}

// The writer is closed before the JournaledRun goes, so no final snapshot is stored: the engine
// is rebuilt as after a crash, from the newest periodic snapshot and the events after it, which
// checks Engine::restore on every one of them.
scenario::JournalRestart ScenarioJournal::restart(Engine &engine)
{
    scenario::JournalRestart restarted;
    if (!m_run) {
        restarted.message = "the journal " + m_path + " is closed";
        return restarted;
    }
    const std::optional<storage::JournalError> closed = m_run->writer().close();
    detach();
    if (closed) {
        m_failure = closed->toString();
        restarted.message = "the journal failed: " + m_failure;
        return restarted;
    }

    app::RecoveredEngine recovered = app::recoverEngine(m_path);
    if (!recovered.engine) {
        m_failure = recovered.error->toString();
        restarted.message = "the journal could not be read back: " + m_failure;
        return restarted;
    }
    const app::RecoveryReport &report = recovered.report;
    if (report.stateHash != engine.stateHash() || report.lastSequence != engine.lastSequence()) {
        restarted.message = "the engine rebuilt from " + m_path + " has state hash " +
                            hex(report.stateHash) + " at sequence " +
                            std::to_string(report.lastSequence) +
                            ", but the engine before the restart had " + hex(engine.stateHash()) +
                            " at sequence " + std::to_string(engine.lastSequence());
        return restarted;
    }

    storage::JournalWriter::Created created = storage::JournalWriter::create(m_path);
    if (!created.writer) {
        m_failure = created.error->toString();
        restarted.message = "the journal could not be reopened: " + m_failure;
        return restarted;
    }
    m_writer = std::move(created.writer);
    m_lastSnapshot = report.snapshotSequence;
    restarted.message = describeRecovery(m_path, report);
    restarted.engine = std::move(recovered.engine);
    attach(*restarted.engine);
    return restarted;
}

bool ScenarioJournal::finish()
{
    if (!m_run)
        return m_failure.empty();
    const std::optional<storage::JournalError> failed = m_run->finish();
    detach();
    if (failed && m_failure.empty())
        m_failure = failed->toString();
    return !failed && m_failure.empty();
}

std::string ScenarioJournal::failure() const
{
    if (!m_failure.empty() || !m_run)
        return m_failure;
    return m_run->failure();
}

// Destroying the JournaledRun stores a final snapshot unless its writer is closed already.
void ScenarioJournal::detach()
{
    m_engine->removeHandler(m_run.get());
    m_run.reset();
    m_engine = nullptr;
}

} // namespace bourse::cli

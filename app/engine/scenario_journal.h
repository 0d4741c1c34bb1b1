#pragma once

#include "journal.h"
#include "journaled_run.h"
#include "scenario.h"

#include <cstdint>
#include <memory>
#include <string>

namespace bourse::cli {

// The journal of `bourse-engine run --journal`: an app::JournaledRun on the scenario's engine,
// with group commit and a snapshot every N events and at the end. A restart closes it and
// rebuilds the engine from the file with app::recoverEngine.
class ScenarioJournal final : public scenario::RunJournal {
public:
    enum class OpenOutcome : std::uint8_t {
        Opened,
        NotEmpty,   // the journal contains events already, which a scenario cannot continue
        Damaged,    // damaged content, not a journal, or a newer format than this build reads
        Unwritable, // the file cannot be opened, read or created for writing
    };

    struct Opened {
        std::unique_ptr<ScenarioJournal> journal; // null unless the outcome is Opened
        OpenOutcome outcome = OpenOutcome::Opened;
        std::string message; // why it was not opened, naming the file
    };

    // Opens the journal at `path` for a new run: creates the file, or continues an existing
    // journal without events. An existing file is first rebuilt with app::recoverEngine, so
    // that damage shows before anything runs. A scenario numbers its instruments and orders
    // from 1, so a journal that contains events already would reject them as duplicates: it is
    // NotEmpty.
    static Opened open(const std::string &path, std::uint64_t snapshotEvery);

    // finish() must run before the engine is destroyed, as runScenario does.
    ~ScenarioJournal() override = default;

    ScenarioJournal(const ScenarioJournal &) = delete;
    ScenarioJournal &operator=(const ScenarioJournal &) = delete;

    void attach(Engine &engine) override;
    bool awaitDurable(SequenceNumber sequence) override;
    scenario::JournalRestart restart(Engine &engine) override;
    bool finish() override;
    std::string failure() const override;

private:
    ScenarioJournal(std::string path, std::uint64_t snapshotEvery,
                    std::unique_ptr<storage::JournalWriter> writer);

    void detach();

    std::string m_path;
    std::uint64_t m_snapshotEvery;
    std::unique_ptr<storage::JournalWriter> m_writer; // from open or a restart until attach()
    SequenceNumber m_lastSnapshot = 0; // the newest snapshot of the journal that attach() continues
    std::unique_ptr<app::JournaledRun> m_run; // while an engine is journaled
    Engine *m_engine = nullptr;               // the engine m_run journals
    std::string m_failure; // the first error seen after m_run let go of the writer
};

} // namespace bourse::cli

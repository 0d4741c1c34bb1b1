#pragma once

#include "engine.h"
#include "journal.h"

#include <chrono>
#include <cstdint>
#include <memory>

namespace bourse::app {

// The journal of one engine run: forwards every event to a journal writer and stores a
// snapshot of the engine every `snapshotEvery` events and when the run ends, so that a restart
// replays at most that many events. Add it to the engine as a handler. It reads the engine
// between commands on the engine thread, and in its destructor, which must run after the
// engine's last command and before the engine is destroyed.
class JournaledRun final : public EventHandler {
public:
    static constexpr std::uint64_t kDefaultSnapshotEvery = 1'000'000;

    // `lastSnapshot` is the sequence number of the journal's newest snapshot, from which the
    // interval counts, so that runs cut short still take snapshots.
    //
    // A batch end hands the events collected so far to the writer, which commits them. A run
    // with short batches, as the terminal's paced market with a batch a millisecond, would
    // commit and sync about a thousand times a second. So `handOverInterval` skips the batch
    // ends that come sooner than that after the last hand-over. The acknowledgements then lag
    // by up to the interval, or by the gap to the next batch end.
    JournaledRun(std::unique_ptr<storage::JournalWriter> writer, const Engine &engine,
                 std::uint64_t snapshotEvery = kDefaultSnapshotEvery,
                 SequenceNumber lastSnapshot = 0,
                 std::chrono::milliseconds handOverInterval = std::chrono::milliseconds(0));
    // Stores the final snapshot and closes the journal. Errors go to failure() before, and are
    // dropped here: call finish() first to see them.
    ~JournaledRun() override;

    JournaledRun(const JournaledRun &) = delete;
    JournaledRun &operator=(const JournaledRun &) = delete;

    void onEvent(const Event &event) override { m_writer->onEvent(event); }
    void onCommandEnd() override;
    void onBatchEnd() override;
    std::string failure() const override { return m_writer->failure(); }

    // Stores the final snapshot, commits and closes. Returns the journal's first error.
    std::optional<storage::JournalError> finish();

    storage::JournalWriter &writer() { return *m_writer; }

private:
    void snapshotNow();

    std::unique_ptr<storage::JournalWriter> m_writer;
    const Engine &m_engine;
    std::uint64_t m_snapshotEvery;
    SequenceNumber m_lastSnapshot;
    std::chrono::steady_clock::duration m_handOverInterval;
    std::chrono::steady_clock::time_point m_lastHandOver;
    bool m_finished = false;
};

} // namespace bourse::app

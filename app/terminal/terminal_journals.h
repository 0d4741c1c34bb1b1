#pragma once

#include "accounts_view.h"
#include "engine_recovery.h"
#include "journal.h"
#include "session.h"
#include "training_record.h"

#include <QString>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace bourse::app {

// The newest accounts view of the current run, handed from the thread that follows its read
// models to the window. The mutex is held only to swap a pointer.
class AccountsSlot {
public:
    void publish(std::shared_ptr<const ui::AccountsView> view);
    std::shared_ptr<const ui::AccountsView> latest() const;

private:
    mutable std::mutex m_mutex;
    std::shared_ptr<const ui::AccountsView> m_view;
};

// The folder of the terminal's journals. Each simulation or replay is journaled into a SQLite
// file there, named after the mode and the start time, with a snapshot every `snapshotEvery`
// events and at the end of the run. A thread follows what the journal commits and keeps the
// read models beside it (the views file) up to date. A resumed simulation appends to the
// journal it continues.
class TerminalJournals {
public:
    TerminalJournals(QString directory, std::uint64_t snapshotEvery);

    // Makes the handlers of each run: the journal writer and the read-model follower. When a
    // journal cannot be created the run goes on without one, and a warning names the file and
    // the reason.
    Session::RunHandlerFactory runHandlerFactory();

    // The orders, fills and positions of the current run, for the window; null before its
    // read models were first read.
    std::shared_ptr<const ui::AccountsView> latestAccounts() const;
    const std::shared_ptr<AccountsSlot> &accounts() const { return m_accounts; }

    // The last event of the current run that its journal has committed: the run's work is
    // acknowledged up to there. Nothing while the run is not journaled. Any thread may call it.
    std::optional<SequenceNumber> durableSequence() const;

    // Hands over the writer lock that resumeJournal() took, so that the run continuing that
    // journal opens it without letting another writer in between.
    void adoptLock(std::unique_ptr<storage::JournalWriterLock> lock);

    // Reads up to `count` events of the current run's journal from sequence number `first` on,
    // oldest first, as the journal has committed them when called. The result is empty while
    // the run is not journaled, or when the journal cannot be read, which a warning names. The
    // read starts at the newest snapshot before `first`, so it reads at most snapshotEvery
    // events more than it returns, on the calling thread.
    std::vector<Event> readEvents(SequenceNumber first, std::size_t count) const;

    // The most recently started simulation journal in the folder, by the start time in its
    // name; nothing when there is none.
    std::optional<QString> newestSimulationJournal() const;

    // The current run's journal; nothing while the run is not journaled.
    std::optional<QString> currentJournal() const;

    const QString &directory() const { return m_directory; }

private:
    QString m_directory;
    std::uint64_t m_snapshotEvery;
    // The progress that the run handler factory and the journal writer's commit listener share
    // with the window.
    struct Progress {
        std::atomic<bool> journaled{false};
        std::atomic<SequenceNumber> durable{0};
        // Counts the runs, so that a commit of an earlier run's writer, which may come after
        // the next run started, leaves `durable` alone. Both change under durableMutex.
        std::uint64_t run = 0;
        std::mutex durableMutex;
        std::mutex lockMutex;
        std::unique_ptr<storage::JournalWriterLock> adoptedLock; // for the next continued run
        std::mutex pathMutex;
        std::string path; // the current run's journal; empty while the run is not journaled
    };

    std::shared_ptr<AccountsSlot> m_accounts = std::make_shared<AccountsSlot>();
    std::shared_ptr<Progress> m_progress = std::make_shared<Progress>();
};

// The outcome of restoring a journal for a simulation to continue it.
struct Resumption {
    std::optional<Session::Continuation> continuation; // set when the engine was rebuilt
    RecoveryReport report;
    // Why the engine could not be rebuilt: damage in the events (the journal needs recovery)
    // or a file that cannot be opened as a journal.
    std::optional<storage::JournalError> error;
    // With damage: the last event read intact before it, and the damaged snapshot's sequence
    // when the events are intact.
    SequenceNumber intactThrough = 0;
    std::optional<SequenceNumber> damagedSnapshot;
    // The reason an intact journal cannot be continued as a simulated market, such as the
    // journal of a replayed day.
    std::optional<std::string> notContinuable;
    // Why the chart and tape start empty although the engine was rebuilt: the read models
    // could not be brought up to date or read.
    std::optional<std::string> historyProblem;
    // Events the read models had seen beyond the journal's end, which the journal lost.
    std::optional<std::string> lostEvents;
    // Why the blotter and the risk notices miss some of what they showed before the restart:
    // the journal could not be read back far enough.
    std::optional<std::string> traderHistoryProblem;
    // The journal's writer lock, held from the check on, for the run that continues it.
    std::unique_ptr<storage::JournalWriterLock> lock;
    // The training scenario the journal's run played, when it recorded one, so that the run
    // continues as that scenario. The problem, when a record was found but cannot be used.
    std::optional<training::TrainingRecord> training;
    std::optional<std::string> trainingProblem;
};

// Checks every event of a journal and rebuilds its engine from the newest good snapshot plus the
// events after it. A journal damaged anywhere is an error naming the sequence. Then it reads the
// journal back from its end for the trader's orders, fills and risk notices, at most
// kTraderHistoryEventsRead events. Last it brings the read models beside it up to date and
// reads from them the bars and prints of the views that `options` describes.
Resumption resumeJournal(const QString &path, const Session::Options &options);

// One line for the status bar on how a resumption went, such as "Continued at event 1,234,567
// (snapshot 1,000,000 + 234,567 events) - /path/of/the/journal", with any snapshot skipped.
QString describeResumption(const QString &path, const Resumption &resumption);

} // namespace bourse::app

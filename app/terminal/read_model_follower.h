#pragma once

#include "events.h"
#include "market_view.h"
#include "read_model_queries.h"
#include "read_models.h"
#include "session.h"
#include "terminal_journals.h"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace bourse::app {

// The bars and prints a resumed run's chart and tape start with, read from the read models of
// its journal.
struct ViewsHistory {
    std::vector<Bar> bars;          // oldest first
    std::vector<TradePrint> trades; // oldest first
    // Every account's position in every instrument, counted from the trades, which an agent
    // market continued from the journal gives its agents.
    std::vector<AgentMarket::CarriedPosition> positions;
    std::optional<std::string> problem; // why they are empty: the read models failed
    // Events the read models had projected beyond the journal's end: the journal lost them,
    // as when its write-ahead log was damaged or deleted.
    std::optional<std::string> lostEvents;
};

// Brings the read models of the journal at `journalPath` up to date, then reads the newest bars
// and prints of `instrument` that a session with `options` shows. The session's bar interval
// must be one the read models keep: 1 s, 1 min, 5 min or 1 h. Read models that are missing or
// far behind `journalEnd` are left to the follower, so the window does not wait for a rebuild.
ViewsHistory readViewsHistory(const std::string &journalPath, SequenceNumber journalEnd,
                              InstrumentId instrument, const Session::Options &options);

// Keeps the read models of one run's journal up to date while the run goes on, and publishes
// the orders, fills and positions they contain. A thread of its own catches the views file up
// with what the journal committed, four times a second, and the engine thread does not wait
// for it: its callbacks here do nothing. Its destructor lets the thread catch up one last time,
// but stops a catch-up still running after two seconds. So a window never waits for a long
// rebuild to close, and the next start goes on from there.
class ReadModelFollower final : public EventHandler {
public:
    ReadModelFollower(std::string journalPath, std::shared_ptr<AccountsSlot> accounts);
    ~ReadModelFollower() override;

    ReadModelFollower(const ReadModelFollower &) = delete;
    ReadModelFollower &operator=(const ReadModelFollower &) = delete;

    void onEvent(const Event &) override {}

private:
    void run();
    void followOnce();
    std::string catchUp(const std::string &viewsPath);

    std::string m_journalPath;
    std::shared_ptr<AccountsSlot> m_accounts;
    // Both belong to the follower thread.
    std::unique_ptr<storage::ReadModelWriter> m_writer;
    std::unique_ptr<storage::ReadModelReader> m_reader;
    std::shared_ptr<const ui::AccountsView> m_lastGood;

    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    bool m_finished = false;                // the thread made its last catch-up
    std::atomic<bool> m_stopCatchUp{false}; // ends a long catch-up early when the run stops
    std::thread m_thread;                   // last: starts once everything above exists
};

} // namespace bourse::app

#pragma once

// A branch of trading against a replay: from one moment on, the trader's original run keeps
// following the replay without new commands, while a branch seeded from a snapshot of it takes
// the trader's commands. Both face the same recorded market, so the difference of their P&L is
// the difference the trader's later decisions made.

#include "branch_comparison.h"
#include "events.h"
#include "replay_fills.h"
#include "trader_view.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace bourse {

// Measures one column of a comparison: the accounts in `engine`, a trader's engine or a replayed
// journal's engine for the recorded trader, in its primary instrument, marked at `mark`. The
// caller passes the last replayed trade price, not the engine's own last trade, which in a
// trader's engine is the trader's latest fill. A zero mark leaves unrealized P&L at zero.
BranchSide measureBranchSide(const Engine &engine, const std::vector<AccountId> &accounts,
                             Price mark);

// The original side of a branched replay and the comparison with the branch. It owns the model
// and the trader's view as they were at the first Branch, which keep following the replayed
// engine: the original's resting orders go on filling by the queue model and its positions stay
// marked, so its P&L is what would have happened had the trader done nothing more.
//
// It is an EventHandler of the replayed engine, added after both models, so that it samples
// their P&L once they have settled each replayed message. Single writer: the replayed engine's
// thread calls every function.
class ReplayBranch final : public EventHandler {
public:
    // The curve's bound: once it contains this many samples, every other one is dropped and the
    // interval doubles.
    static constexpr std::size_t kMaximumSamples = 480;

    // `original` and `originalView` are the trader's model and view until now; `accounts` are
    // the trader's, whose positions the columns sum. The curve samples at least every
    // `sampleIntervalNanoseconds` of market time, which must be positive.
    ReplayBranch(std::unique_ptr<ReplayFills> original,
                 std::unique_ptr<TraderViewBuilder> originalView, std::vector<AccountId> accounts,
                 std::int64_t sampleIntervalNanoseconds);
    // The original is the recorded trader of a replayed Bourse journal: its column reads the
    // accounts in `recorded`, the replayed engine, which goes on as the journal recorded it.
    // Restoring a journal publishes nothing, so the caller hands it each restored event and
    // command end, after the branch's model.
    ReplayBranch(const Engine &recorded, std::vector<AccountId> accounts,
                 std::int64_t sampleIntervalNanoseconds);
    ReplayBranch(const ReplayBranch &) = delete;
    ReplayBranch &operator=(const ReplayBranch &) = delete;

    // Compares with `branch` from `moment`, the market time of the Branch command, and
    // `sequence`, the replayed engine's last event then. A later Branch calls it again with the
    // new branch: the moment moves on and the curve continues, since the new branch starts with
    // the P&L the one before it had.
    void start(const ReplayFills &branch, Timestamp moment, SequenceNumber sequence);

    // Whether the original has a model, which a journal's recorded trader does not have.
    bool hasOriginalModel() const { return m_original != nullptr; }
    // The original's model; only when hasOriginalModel().
    ReplayFills &original() { return *m_original; }
    TraderViewBuilder &originalView() { return *m_originalView; }
    Timestamp moment() const { return m_moment; }

    // Hands the original model and its view back to the caller, which ends the comparison.
    std::unique_ptr<ReplayFills> releaseOriginal() { return std::move(m_original); }
    std::unique_ptr<TraderViewBuilder> releaseOriginalView() { return std::move(m_originalView); }

    // Reads the recorded trader from `recorded` from now on, the engine a seek of the journal
    // opened. It does nothing for an original with its own model.
    void followRecorded(const Engine &recorded);

    // Drops the samples later than `time`, as a seek back to `time` does, so that the curve
    // goes on from there in market time order.
    void rewindTo(Timestamp time);

    // Sets the price both columns are marked at, the replayed market's last trade. The
    // comparison also takes it from each replayed trade, but after a seek the new engine's last
    // trade comes only from the caller.
    void setMark(Price mark);
    Price mark() const { return m_mark; }

    // Both columns now, with the curve and the last sample at the current values.
    BranchComparison comparison() const;

    void onEvent(const Event &event) override;
    void onCommandEnd() override;

private:
    void sample(Timestamp time);
    void thin();
    const Engine &originalEngine() const;
    BranchSide measureOriginal() const;

    std::unique_ptr<ReplayFills> m_original;
    std::unique_ptr<TraderViewBuilder> m_originalView;
    const Engine *m_recorded = nullptr; // without m_original: the replayed journal's engine
    std::vector<AccountId> m_accounts;
    const ReplayFills *m_branch = nullptr;
    Timestamp m_moment;
    SequenceNumber m_momentSequence = 0;
    std::uint64_t m_branches = 0;
    std::int64_t m_interval;
    Timestamp m_marketTime; // of the latest replayed event
    Price m_mark;           // the last replayed trade price of the primary instrument
    std::vector<BranchSample> m_curve;
};

} // namespace bourse
